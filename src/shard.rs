//! Shards: which documents of the whole input the K-th of N shards analyses.
//!
//! In: `--shard K/N`, the sizes in bytes of the input's documents (files and tables, in the
//! order every run lists them) and which of them are tables split by rows. Out: the shard's
//! [`Portion`]: a contiguous range of that list, with a window of bytes for each split table.
//!
//! Guarantees: every document is in exactly one shard, and every row of a split table (by the
//! byte its record starts at) in exactly one shard's window; shards are contiguous and in order
//! (shard 0 first), so that their outputs concatenated are the whole run's; each shard's share
//! of the bytes is about 1/N: a document (a row of a split table) goes to the shard its first
//! byte falls in, counting the input as one stream of bytes, so no document crosses shards.
//! Every shard lists the whole input the same way, so that shards run anywhere agree without
//! talking to one another.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// The K-th of N shards (K from 0, as `SLURM_ARRAY_TASK_ID` counts).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Shard {
    /// K: which shard, from 0.
    pub index: u32,
    /// N: how many.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad =
            || format!("--shard {s:?}: expected K/N with 0 ≤ K < N (K counts from 0), e.g. 0/4");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A shard's part of the input: a contiguous range of the listed documents, and for each of
/// them the rows it takes of a table split by rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Portion {
    /// The documents, a range of the whole input's.
    pub documents: Range<usize>,
    /// For each document of the range: `Some(window)` for a table split between shards — the
    /// shard takes the rows whose first byte (counted in the table) is in `window` — or `None`
    /// for a document (or table) that is all the shard's.
    pub windows: Vec<Option<Range<u64>>>,
}

impl Shard {
    /// The shard whose share of a `total`-byte stream holds byte `offset`.
    fn of(offset: u64, total: u64, count: u32) -> u32 {
        if total == 0 {
            return 0;
        }
        let k = u128::from(offset) * u128::from(count) / u128::from(total);
        u32::try_from(k).unwrap_or(u32::MAX).min(count - 1)
    }

    /// The bytes of a `total`-byte stream that this shard's share holds: byte `b` is in it
    /// exactly when [`Shard::of`] gives this shard (the last shard's share runs on without end).
    fn share(&self, total: u64) -> Range<u64> {
        let at = |k: u32| {
            let n = u128::from(self.count);
            let start = (u128::from(k) * u128::from(total)).div_ceil(n);
            u64::try_from(start).unwrap_or(u64::MAX)
        };
        let end = match self.index + 1 == self.count {
            true => u64::MAX,
            false => at(self.index + 1),
        };
        at(self.index)..end
    }

    /// The shard's portion of the whole input's documents, whose sizes in bytes are `sizes`
    /// (in listing order) and of which those marked in `split` are tables read by rows.
    /// A document goes to the shard its first byte falls in; a split table's rows go each to
    /// the shard its first byte falls in (the table shared by every shard its bytes reach).
    pub fn portion(&self, sizes: &[u64], split: &[bool]) -> Portion {
        let total: u64 = sizes.iter().sum();
        let share = self.share(total);
        let (mut start, mut windows) = (0, Vec::new());
        let mut offset = 0u64;
        for (i, &size) in sizes.iter().enumerate() {
            // Whether the document is the shard's (with its window), or wholly before it.
            let (window, before) = match split.get(i) == Some(&true) && size > 0 {
                true => {
                    let window = (offset < share.end && offset + size > share.start).then(|| {
                        let start = share.start.saturating_sub(offset);
                        let end = match offset + size <= share.end {
                            true => u64::MAX,
                            false => share.end - offset,
                        };
                        (start > 0 || end < u64::MAX).then_some(start..end)
                    });
                    (window, offset + size <= share.start)
                }
                false => {
                    let k = Shard::of(offset, total, self.count);
                    ((k == self.index).then_some(None), k < self.index)
                }
            };
            match window {
                Some(window) => windows.push(window),
                None if before && windows.is_empty() => start = i + 1,
                None => break,
            }
            offset += size;
        }
        Portion {
            documents: start..start + windows.len(),
            windows,
        }
    }

    /// The documents of this shard, as a range of the whole input's documents, whose sizes in
    /// bytes are `sizes` (in listing order; none split).
    pub fn documents(&self, sizes: &[u64]) -> Range<usize> {
        self.portion(sizes, &[]).documents
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn shards_read_as_k_of_n() {
        assert_eq!("2/7".parse(), Ok(Shard { index: 2, count: 7 }));
        assert_eq!(" 0 / 1 ".parse(), Ok(Shard { index: 0, count: 1 }));
        for bad in ["7/7", "1/0", "-1/3", "1", "a/b", "1/2/3", ""] {
            let e = bad.parse::<Shard>().unwrap_err();
            assert!(e.contains("expected K/N"), "{bad}: {e}");
        }
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
    }

    #[test]
    fn documents_go_by_their_first_byte() {
        let sizes = [10, 10, 10, 10];
        let of = |k, n| Shard { index: k, count: n }.documents(&sizes);
        assert_eq!(of(0, 2), 0..2);
        assert_eq!(of(1, 2), 2..4);
        assert_eq!(of(0, 1), 0..4);
        // One large document first: it is shard 0's, whole; the next two shards get none.
        let sizes = [100, 1, 1];
        let of = |k| Shard { index: k, count: 4 }.documents(&sizes);
        assert_eq!((of(0), of(1), of(2), of(3)), (0..1, 1..1, 1..1, 1..3));
        // No bytes at all: everything is shard 0's.
        assert_eq!(Shard { index: 0, count: 3 }.documents(&[0, 0]), 0..2);
        assert_eq!(Shard { index: 2, count: 3 }.documents(&[0, 0]), 2..2);
    }

    #[test]
    fn a_table_split_by_rows_is_shared_by_the_shards_its_bytes_reach() {
        // 40 bytes in all, 4 shards of 10: a 5-byte file, a 30-byte table, a 5-byte file.
        let (sizes, split) = ([5, 30, 5], [false, true, false]);
        let of = |k| Shard { index: k, count: 4 }.portion(&sizes, &split);
        let portion = |documents, windows| Portion { documents, windows };
        assert_eq!(of(0), portion(0..2, vec![None, Some(0..5)]));
        assert_eq!(of(1), portion(1..2, vec![Some(5..15)]));
        assert_eq!(of(2), portion(1..2, vec![Some(15..25)]));
        // The last window runs on: a row starting past the table's size is still read once.
        assert_eq!(of(3), portion(1..3, vec![Some(25..u64::MAX), None]));
        // A table within one share is all that shard's.
        let of = |k| Shard { index: k, count: 2 }.portion(&[5, 5, 10], &[false, true, false]);
        assert_eq!(of(0), portion(0..2, vec![None, None]));
        assert_eq!(of(1), portion(2..3, vec![None]));
    }

    proptest! {
        /// The shards' ranges are contiguous, in order, and cover every document once; none
        /// starts further than a document's size from its share's start.
        #[test]
        fn shards_cover_the_input_once_in_order(
            sizes in proptest::collection::vec(0u64..1000, 0..60),
            count in 1u32..12,
        ) {
            let mut next = 0;
            for index in 0..count {
                let range = Shard { index, count }.documents(&sizes);
                prop_assert_eq!(range.start, next);
                prop_assert!(range.end >= range.start);
                next = range.end;
            }
            prop_assert_eq!(next, sizes.len());
            let total: u64 = sizes.iter().sum();
            for index in 0..count {
                let range = Shard { index, count }.documents(&sizes);
                if range.is_empty() || total == 0 {
                    continue;
                }
                let start: u64 = sizes[..range.start].iter().sum();
                let share = u128::from(total) * u128::from(index) / u128::from(count);
                prop_assert!(u128::from(start) >= share.saturating_sub(1000));
            }
        }

        /// Every byte of a split table is in the window of exactly one shard, and every other
        /// document is in exactly one shard; the shards' ranges are in order.
        #[test]
        fn split_tables_rows_go_to_one_shard_each(
            docs in proptest::collection::vec((0u64..200, any::<bool>()), 0..20),
            count in 1u32..9,
        ) {
            let (sizes, split): (Vec<u64>, Vec<bool>) = docs.into_iter().unzip();
            let portions: Vec<Portion> = (0..count)
                .map(|index| Shard { index, count }.portion(&sizes, &split))
                .collect();
            for pair in portions.windows(2) {
                prop_assert!(pair[0].documents.start <= pair[1].documents.start);
                prop_assert!(pair[0].documents.end <= pair[1].documents.end);
            }
            for (i, &size) in sizes.iter().enumerate() {
                let holders: Vec<&Option<Range<u64>>> = (portions.iter())
                    .filter(|p| p.documents.contains(&i))
                    .map(|p| &p.windows[i - p.documents.start])
                    .collect();
                if !split[i] || size == 0 || holders.len() == 1 {
                    prop_assert_eq!(holders.len(), 1);
                    prop_assert!(holders[0].is_none());
                    continue;
                }
                for byte in 0..size + 3 {
                    let n = holders.iter().filter(|w| w.as_ref().is_some_and(|w| w.contains(&byte))).count();
                    prop_assert_eq!(n, 1, "byte {} of document {}", byte, i);
                }
            }
        }
    }
}
