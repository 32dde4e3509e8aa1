//! A group's term sums: per lexicon term with hits (its global id), its sums over the group's
//! complete clusters — hits, hits², hits · tokens — which `keyness_terms.csv` needs.
//!
//! In: complete clusters' hits of a term with their size, or another table. Out: per term its
//! sums as [`Partial`] (128-bit), exactly.
//!
//! Guarantees: the same integers as summing in 128 bits, in any order. A term's sums are kept in
//! 64 bits (a map entry of 32 bytes rather than 80: a run with thousands of groups updates one
//! entry per document, group and term, and the memory those entries take is what costs); a term
//! whose sums no longer fit (clusters of billions of tokens) moves to 128-bit sums for good.
//! Since sums only grow, whether a term is kept in 64 or 128 bits depends only on its sums, not
//! on the order they were added in.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::hash_map::Entry;

use super::Partial;

/// The term sums of a group.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct TermTable {
    /// Terms whose sums fit 64 bits.
    narrow: FxHashMap<u32, Narrow>,
    /// The others (none in all but astronomically large corpora).
    wide: FxHashMap<u32, Partial>,
}

/// A term's sums in 64 bits: Σ hits, Σ hits², Σ hits · tokens over clusters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Narrow {
    count: u64,
    count2: u64,
    count_tokens: u64,
}

impl Narrow {
    /// Its sums plus `p`'s, if they fit.
    fn plus(&self, p: &Partial) -> Option<Narrow> {
        let add = |a: u64, b: u128| u64::try_from(b).ok().and_then(|b| a.checked_add(b));
        Some(Narrow {
            count: self.count.checked_add(p.count)?,
            count2: add(self.count2, p.count2)?,
            count_tokens: add(self.count_tokens, p.count_tokens)?,
        })
    }

    fn wide(&self) -> Partial {
        Partial {
            count: self.count,
            count2: self.count2.into(),
            count_tokens: self.count_tokens.into(),
        }
    }
}

impl TermTable {
    /// Adds a complete cluster of `tokens` tokens with `count` hits of `term`.
    pub(super) fn add(&mut self, term: u32, count: u64, tokens: u64) {
        let mut p = Partial::default();
        p.add(count, tokens);
        self.add_partial(term, &p);
    }

    /// Adds the sums `p` of `term`.
    fn add_partial(&mut self, term: u32, p: &Partial) {
        if !self.wide.is_empty() {
            if let Some(w) = self.wide.get_mut(&term) {
                w.merge(p);
                return;
            }
        }
        match self.narrow.entry(term) {
            Entry::Occupied(mut e) => match e.get().plus(p) {
                Some(sum) => *e.get_mut() = sum,
                None => {
                    let mut w = e.remove().wide();
                    w.merge(p);
                    self.wide.insert(term, w);
                }
            },
            Entry::Vacant(e) => match Narrow::default().plus(p) {
                Some(n) => {
                    e.insert(n);
                }
                None => {
                    self.wide.insert(term, *p);
                }
            },
        }
    }

    /// Adds another table's sums.
    pub(super) fn merge(&mut self, o: &TermTable) {
        for (term, p) in o.iter() {
            self.add_partial(term, &p);
        }
    }

    /// The sums of `term`, if it has any here.
    pub(super) fn get(&self, term: u32) -> Option<Partial> {
        match self.narrow.get(&term) {
            Some(n) => Some(n.wide()),
            None => self.wide.get(&term).copied(),
        }
    }

    /// Every term here with its sums, in no particular order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u32, Partial)> + '_ {
        let narrow = self.narrow.iter().map(|(&t, n)| (t, n.wide()));
        narrow.chain(self.wide.iter().map(|(&t, &p)| (t, p)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The sums in 128 bits, term by term, as the table must give them.
    fn reference(adds: &[(u32, u64, u64)]) -> Vec<(u32, Partial)> {
        let mut sums: FxHashMap<u32, Partial> = FxHashMap::default();
        for &(term, count, tokens) in adds {
            sums.entry(term).or_default().add(count, tokens);
        }
        let mut sums: Vec<_> = sums.into_iter().collect();
        sums.sort_by_key(|&(t, _)| t);
        sums
    }

    fn sorted(table: &TermTable) -> Vec<(u32, Partial)> {
        let mut sums: Vec<_> = table.iter().collect();
        sums.sort_by_key(|&(t, _)| t);
        sums
    }

    #[test]
    fn sums_past_64_bits_move_to_128_bits_and_stay_exact() {
        let big = 1u64 << 40;
        let mut table = TermTable::default();
        // 2⁴⁰ hits in 2⁴⁰ tokens: hits · tokens is 2⁸⁰.
        table.add(1, big, big);
        table.add(2, 3, 10);
        table.add(1, 2, 5);
        assert_eq!(table.narrow.len(), 1);
        assert_eq!(table.wide.len(), 1);
        let one = table.get(1).unwrap_or_default();
        assert_eq!(one.count, big + 2);
        assert_eq!(one.count2, (1u128 << 80) + 4);
        assert_eq!(one.count_tokens, (1u128 << 80) + 10);
        // A term's sums that fit until the last cluster.
        let near = u64::MAX / 4;
        table.add(2, 1, near);
        table.add(2, 1, near);
        assert_eq!(table.wide.len(), 1);
        table.add(2, 1, near);
        table.add(2, 1, near);
        assert_eq!(table.wide.len(), 2);
        let two = table.get(2).unwrap_or_default();
        assert_eq!(two.count, 7);
        assert_eq!(two.count_tokens, 30 + 4 * u128::from(near));
        assert_eq!(table.get(3), None);
    }

    proptest! {
        #[test]
        fn any_order_and_any_merge_gives_the_128_bit_sums(
            adds in proptest::collection::vec(
                (0u32..6, prop_oneof![0u64..5, Just(1u64 << 33)],
                 prop_oneof![1u64..100, Just(u64::MAX / 2), Just(1u64 << 31)]),
                0..40),
            cut in 0usize..40,
        ) {
            let mut whole = TermTable::default();
            for &(term, count, tokens) in &adds {
                whole.add(term, count, tokens);
            }
            let expected = reference(&adds);
            prop_assert_eq!(sorted(&whole), expected.clone());
            // Two parts merged, either way round, are the whole (and the same table).
            let (a, b) = adds.split_at(cut.min(adds.len()));
            let table = |adds: &[(u32, u64, u64)]| {
                let mut t = TermTable::default();
                for &(term, count, tokens) in adds {
                    t.add(term, count, tokens);
                }
                t
            };
            let (ta, tb) = (table(a), table(b));
            let (mut ab, mut ba) = (ta.clone(), tb.clone());
            ab.merge(&tb);
            ba.merge(&ta);
            prop_assert_eq!(sorted(&ab), expected.clone());
            prop_assert_eq!(&ab, &whole);
            prop_assert_eq!(&ba, &whole);
        }
    }
}
