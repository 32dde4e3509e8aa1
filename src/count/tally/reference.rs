//! The counts of a document's hits as they were made before the one pass of
//! [`super::tally_hits`] (kept for the tests only): each kind of count its own pass over the
//! hits, a contrast's sentences gathered per pole and intersected, a sentence's themes as bits
//! up to 64 themes and sorted past them. Their results are what `tally_hits` must give, which
//! the property tests in `tally.rs` check.

use std::cell::RefCell;

use super::super::{pair_index, ContrastTally, Cooccurrence, TermCount, ThemeTally, DENSE_THEMES};
use super::Tallies;
use crate::lexicon::Contrast;
use crate::matcher::Hit;

/// Every count of `hits`, each kind counted on its own.
pub(super) fn tallies(
    hits: &[(Hit, usize)],
    terms: usize,
    themes: usize,
    contrasts: &[Contrast],
    sentences: usize,
) -> Tallies {
    let mut theme_tallies = vec![ThemeTally::default(); themes];
    for (hit, _) in hits {
        let t = &mut theme_tallies[hit.theme];
        t.count += 1;
        t.negated += u64::from(hit.negator.is_some());
        t.weight += hit.weight.0;
    }
    let (contrast_tallies, tension) = count_contrasts(hits, contrasts, themes);
    Tallies {
        themes: theme_tallies,
        terms: count_terms(hits, terms),
        contrasts: contrast_tallies,
        tension,
        cooccurrence: count_cooccurrence(hits, themes, sentences),
    }
}

/// The hits of each term of `hits` (term ids below `terms`), sorted by term id: counted in a
/// dense array per thread, indexed by term id, that only the terms hit are read from and reset
/// in, so that only the distinct terms are sorted, not the hits.
fn count_terms(hits: &[(Hit, usize)], terms: usize) -> Vec<TermCount> {
    /// (hits, non-negated weight) per term id, and the terms with hits.
    type Scratch = (Vec<(u64, u64)>, Vec<u32>);
    thread_local! {
        static SCRATCH: RefCell<Scratch> = const { RefCell::new((Vec::new(), Vec::new())) };
    }
    SCRATCH.with_borrow_mut(|(slots, touched)| {
        if slots.len() < terms {
            slots.resize(terms, (0, 0));
        }
        for (h, _) in hits {
            let slot = &mut slots[h.term as usize];
            if slot.0 == 0 {
                touched.push(h.term);
            }
            slot.0 += 1;
            slot.1 += if h.negator.is_none() { h.weight.0 } else { 0 };
        }
        touched.sort_unstable();
        (touched.drain(..))
            .map(|term| {
                let (hits, live_weight) = std::mem::take(&mut slots[term as usize]);
                TermCount {
                    term,
                    hits,
                    live_weight,
                }
            })
            .collect()
    })
}

/// Per contrast, its tally and the sentences holding non-negated hits of both poles
/// (ascending), in one pass over the hits (of `themes` themes).
fn count_contrasts(
    hits: &[(Hit, usize)],
    contrasts: &[Contrast],
    themes: usize,
) -> (Vec<ContrastTally>, Vec<Vec<usize>>) {
    /// Per contrast, the sentences with a hit of its left pole and of its right one; per
    /// theme, the poles it is: kept per thread, so that a short document allocates neither.
    type Scratch = (Vec<(Vec<usize>, Vec<usize>)>, Vec<Vec<(usize, bool)>>);
    thread_local! {
        static SCRATCH: RefCell<Scratch> = const { RefCell::new((Vec::new(), Vec::new())) };
    }
    let mut tallies = vec![ContrastTally::default(); contrasts.len()];
    let mut tension = Vec::with_capacity(contrasts.len());
    SCRATCH.with_borrow_mut(|(poles, theme_poles)| {
        for (left, right) in poles.iter_mut() {
            left.clear();
            right.clear();
        }
        poles.resize_with(contrasts.len(), Default::default);
        // Per theme, (contrast, is the left pole), in contrast order (a theme on both sides
        // of one contrast counts as its left pole).
        for of_theme in theme_poles.iter_mut() {
            of_theme.clear();
        }
        theme_poles.resize_with(themes, Vec::new);
        for (ci, c) in contrasts.iter().enumerate() {
            theme_poles[c.left].push((ci, true));
            if c.right != c.left {
                theme_poles[c.right].push((ci, false));
            }
        }
        for (hit, sentence) in hits.iter().filter(|(h, _)| h.negator.is_none()) {
            for &(ci, is_left) in &theme_poles[hit.theme] {
                let (tally, (left, right)) = (&mut tallies[ci], &mut poles[ci]);
                let (pole, sentences) = match is_left {
                    true => (&mut tally.left, left),
                    false => (&mut tally.right, right),
                };
                pole.add(hit.weight);
                if sentences.last() != Some(sentence) {
                    sentences.push(*sentence);
                }
            }
        }
        for (tally, (left, right)) in tallies.iter_mut().zip(poles.iter()) {
            let both = both_of(left, right);
            tally.tension_sentences = both.len() as u64;
            tally.pole_sentences = (left.len() + right.len() - both.len()) as u64;
            tension.push(both);
        }
    });
    (tallies, tension)
}

/// The sentences in both `left` and `right`, each ascending without repeats: one pass over the
/// two together.
fn both_of(left: &[usize], right: &[usize]) -> Vec<usize> {
    let mut both = Vec::new();
    let (mut i, mut j) = (0, 0);
    while let (Some(&a), Some(&b)) = (left.get(i), right.get(j)) {
        if a == b {
            both.push(a);
        }
        i += usize::from(a <= b);
        j += usize::from(b <= a);
    }
    both
}

/// Counts, over sentences, the themes with non-negated hits and the pairs of them.
fn count_cooccurrence(hits: &[(Hit, usize)], themes: usize, sentences: usize) -> Cooccurrence {
    let dense = themes <= DENSE_THEMES;
    let mut c = Cooccurrence {
        sentences: sentences as u64,
        theme_sentences: vec![0; themes],
        pair_sentences: vec![
            0;
            if dense {
                themes * themes.saturating_sub(1) / 2
            } else {
                0
            }
        ],
        pairs: Vec::new(),
    };
    // Past DENSE_THEMES, the index of every pair met in a sentence, counted at the end.
    let mut met: Vec<u64> = Vec::new();
    let mut present: Vec<usize> = Vec::new();
    // Hits come in token order, so the hits of one sentence are consecutive.
    let mut live = hits.iter().filter(|(h, _)| h.negator.is_none()).peekable();
    while let Some((hit, sentence)) = live.next() {
        present.clear();
        if dense {
            // The sentence's themes as bits, read out in ascending order.
            let mut bits = 1u64 << hit.theme;
            while let Some((more, _)) = live.next_if(|(_, s)| s == sentence) {
                bits |= 1 << more.theme;
            }
            while bits != 0 {
                present.push(bits.trailing_zeros() as usize);
                bits &= bits - 1;
            }
        } else {
            present.push(hit.theme);
            while let Some((more, _)) = live.next_if(|(_, s)| s == sentence) {
                present.push(more.theme);
            }
            present.sort_unstable();
            present.dedup();
        }
        for (i, &a) in present.iter().enumerate() {
            c.theme_sentences[a] += 1;
            for &b in &present[i + 1..] {
                match dense {
                    true => c.pair_sentences[pair_index(a, b, themes)] += 1,
                    false => met.push(pair_index(a, b, themes) as u64),
                }
            }
        }
    }
    met.sort_unstable();
    for run in met.chunk_by(|a, b| a == b) {
        c.pairs.push((run[0], run.len() as u64));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::tests::drawn_hits;

    proptest::proptest! {
        /// The sentences with both poles are those of one list found in the other.
        #[test]
        fn both_of_is_the_intersection(
            left in proptest::collection::btree_set(0usize..60, 0..40),
            right in proptest::collection::btree_set(0usize..60, 0..40),
        ) {
            let (left, right): (Vec<usize>, Vec<usize>) =
                (left.into_iter().collect(), right.into_iter().collect());
            let found: Vec<usize> =
                left.iter().filter(|s| right.binary_search(s).is_ok()).copied().collect();
            proptest::prop_assert_eq!(both_of(&left, &right), found);
        }

        /// Up to 64 themes a sentence's themes are gathered as bits, past that sorted: both
        /// count alike.
        #[test]
        fn cooccurrence_by_bits_equals_by_sorting(
            hits in proptest::collection::vec((0usize..8, 0usize..6, proptest::bool::ANY), 0..40),
        ) {
            let hits = drawn_hits(&hits);
            let (few, many) = (8, 65);
            let bits = count_cooccurrence(&hits, few, 6);
            let sorted = count_cooccurrence(&hits, many, 6);
            proptest::prop_assert_eq!(&bits.theme_sentences[..], &sorted.theme_sentences[..few]);
            for a in 0..few {
                for b in a + 1..few {
                    proptest::prop_assert_eq!(
                        bits.pair_sentences[pair_index(a, b, few)],
                        sorted.pair(a, b, many).0
                    );
                }
            }
        }
    }
}
