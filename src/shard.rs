//! Shards: which documents of the whole input the K-th of N shards analyses.
//!
//! In: `--shard K/N` and the sizes in bytes of the input's documents (files and tables, in the
//! order every run lists them). Out: the shard's documents, a contiguous range of that list.
//!
//! Guarantees: every document is in exactly one shard; shards are contiguous and in order
//! (shard 0 first), so that their outputs concatenated are the whole run's; each shard's share
//! of the bytes is about 1/N: a document goes to the shard its first byte falls in, counting
//! the input as one stream of bytes, so no document crosses shards. Every shard lists the whole
//! input the same way, so that shards run anywhere agree without talking to one another.

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

impl Shard {
    /// The shard whose share of a `total`-byte stream holds byte `offset`.
    fn of(offset: u64, total: u64, count: u32) -> u32 {
        if total == 0 {
            return 0;
        }
        let k = u128::from(offset) * u128::from(count) / u128::from(total);
        u32::try_from(k).unwrap_or(u32::MAX).min(count - 1)
    }

    /// The documents of this shard, as a range of the whole input's documents, whose sizes in
    /// bytes are `sizes` (in listing order).
    pub fn documents(&self, sizes: &[u64]) -> Range<usize> {
        let total: u64 = sizes.iter().sum();
        let mut offset = 0u64;
        let (mut start, mut end) = (sizes.len(), sizes.len());
        for (i, &size) in sizes.iter().enumerate() {
            let k = Shard::of(offset, total, self.count);
            if k == self.index && start == sizes.len() {
                start = i;
            }
            if k > self.index {
                end = i;
                break;
            }
            offset += size;
        }
        start.min(end)..end
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
    }
}
