//! The ids given so far, as a compact set: what keeps row ids unique without holding the ids.
//!
//! In: 128-bit hashes of ids ([`super::jobs::id_key`]), one by one. Out: whether each was new.
//!
//! Guarantees: two hashes are the same entry when their first 96 bits are (the set keeps those;
//! two different ids of a run share them with a probability of about 2⁻⁹⁷ a pair, 10⁻¹¹ for a
//! billion ids); otherwise it answers as a `HashSet<u128>` of those bits does (a property test
//! holds it to one). Memory: about 14 bytes an id, and it grows a bucket at a time, so that it
//! never holds two copies of itself (a `HashSet<u128>` takes 17 bytes a bucket at a load of
//! 0.44 to 0.88, 20–40 bytes an id, and while it doubles the old table and the new one: a table
//! of 5.4 million rows, 1 GB of CSV, peaked at 260 MB with it, the set's 214 MB of it).
//!
//! How: the hashes are uniform, so their top bits spread them evenly over 2ᵇ buckets, each a
//! sorted list of 12-byte entries, searched from where an entry's bits put it (a cache line
//! or two) and kept in order by insertion (a few hundred bytes moved). When the buckets hold
//! [`SPLIT_AT`] entries on average, each splits in two by its next bit — a sorted list splits
//! at one point — one bucket after the other.

/// Average entries per bucket at which the buckets split in two.
const SPLIT_AT: usize = 64;

/// Bucket bits at the start (256 buckets, a few kilobytes for a run of a few files).
const FIRST_BITS: u32 = 8;

/// Bucket bits at most: past this, buckets only grow (2²⁴ buckets of 64 ids: a billion ids).
const MOST_BITS: u32 = 24;

/// An entry: the first 96 bits of a hash, as three words, most significant first (so that
/// arrays compare as the numbers do).
type Entry = [u32; 3];

/// A set of id hashes (see the module documentation).
#[derive(Debug)]
pub struct IdSet {
    /// Per bucket (the top `bits` bits of an entry), its entries in ascending order.
    buckets: Vec<Vec<Entry>>,
    bits: u32,
    len: usize,
    split_at: usize,
}

impl Default for IdSet {
    fn default() -> Self {
        IdSet::with_split(SPLIT_AT)
    }
}

impl IdSet {
    /// An empty set whose buckets split at `split_at` entries on average.
    fn with_split(split_at: usize) -> IdSet {
        IdSet {
            buckets: vec![Vec::new(); 1 << FIRST_BITS],
            bits: FIRST_BITS,
            len: 0,
            split_at: split_at.max(1),
        }
    }

    /// Adds `hash`; whether it was new.
    pub fn insert(&mut self, hash: u128) -> bool {
        let entry = entry_of(hash);
        let bucket = &mut self.buckets[(entry[0] >> (32 - self.bits)) as usize];
        let Err(at) = find(bucket, &entry, (hash << self.bits >> 64) as u64) else {
            return false;
        };
        if bucket.len() == bucket.capacity() {
            // A quarter more at a time rather than double: about 10 % of the memory unused
            // rather than 25 %.
            bucket.reserve_exact(bucket.len() / 4 + 4);
        }
        bucket.insert(at, entry);
        self.len += 1;
        if self.len > self.split_at * self.buckets.len() && self.bits < MOST_BITS {
            self.split();
        }
        true
    }

    /// The hashes held.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    /// Entries the buckets have room for (what the set's entries take in memory, in entries).
    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.buckets.iter().map(Vec::capacity).sum()
    }

    /// Every bucket in two by its next bit, one after the other (never the whole set twice).
    fn split(&mut self) {
        let old = std::mem::take(&mut self.buckets);
        let bit = 31 - self.bits;
        self.buckets.reserve_exact(old.len() * 2);
        for bucket in old {
            let at = bucket.partition_point(|e| e[0] >> bit & 1 == 0);
            let room = |n: usize| n + n / 8 + 1;
            let mut low = Vec::with_capacity(room(at));
            low.extend_from_slice(&bucket[..at]);
            let mut high = Vec::with_capacity(room(bucket.len() - at));
            high.extend_from_slice(&bucket[at..]);
            drop(bucket);
            self.buckets.push(low);
            self.buckets.push(high);
        }
        self.bits += 1;
    }
}

impl FromIterator<u128> for IdSet {
    fn from_iter<I: IntoIterator<Item = u128>>(hashes: I) -> IdSet {
        let mut set = IdSet::default();
        for h in hashes {
            set.insert(h);
        }
        set
    }
}

/// Where `entry` is in `bucket` (`Ok`), or where it would go (`Err`), as `binary_search`
/// says; `fraction` is where its bits after the bucket's put it between the bucket's least and
/// greatest possible entry (as a fraction of 2⁶⁴). The entries are uniform over that range, so
/// the search starts at that fraction of the bucket and steps from there: a few entries, one
/// cache line or two, where a binary search reads four or five lines.
fn find(bucket: &[Entry], entry: &Entry, fraction: u64) -> Result<usize, usize> {
    let len = bucket.len();
    let mut at = ((u128::from(fraction) * len as u128) >> 64) as usize;
    // Down while the entry before is greater, up while the entry at `at` is smaller.
    while at > 0 && bucket[at - 1] >= *entry {
        at -= 1;
    }
    while at < len && bucket[at] < *entry {
        at += 1;
    }
    match bucket.get(at) {
        Some(e) if e == entry => Ok(at),
        _ => Err(at),
    }
}

/// The entry of `hash`: its first 96 bits.
fn entry_of(hash: u128) -> Entry {
    [
        (hash >> 96) as u32,
        (hash >> 64) as u32,
        (hash >> 32) as u32,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// A hash from a small number, spread over the 128 bits as id hashes are (two SplitMix64
    /// outputs).
    fn spread(x: u64) -> u128 {
        let mix = crate::score::groups::splitmix64;
        (u128::from(mix(2 * x)) << 64) | u128::from(mix(2 * x + 1))
    }

    proptest! {
        /// Random hashes, many repeated, and hashes that differ only past the 96th bit (the
        /// same entry), through many splits: the answers of a `HashSet` of the first 96 bits.
        #[test]
        fn answers_as_a_hash_set_of_the_first_96_bits(
            draws in prop::collection::vec((0u64..3_000, 0u32..3), 0..6_000),
            split in 1usize..80,
        ) {
            let mut set = IdSet::with_split(split);
            let mut reference: HashSet<u128> = HashSet::new();
            for (x, low) in draws {
                let h = spread(x) ^ u128::from(low);
                prop_assert_eq!(set.insert(h), reference.insert(h >> 32), "{:x}", h);
            }
            prop_assert_eq!(set.len(), reference.len());
            for bucket in &set.buckets {
                prop_assert!(bucket.windows(2).all(|w| w[0] < w[1]));
            }
        }
    }

    #[test]
    fn a_million_ids_take_about_fourteen_bytes_each() {
        let mut set = IdSet::default();
        for x in 0..1_000_000 {
            assert!(set.insert(spread(x)));
        }
        assert!(!set.insert(spread(123_456)));
        assert_eq!(set.len(), 1_000_000);
        // 2¹⁴ buckets, 61 entries each on average, every one in the bucket of its top bits.
        assert_eq!(set.bits, 14);
        for (i, bucket) in set.buckets.iter().enumerate() {
            assert!(bucket.iter().all(|e| (e[0] >> 18) as usize == i));
        }
        // Entries of 12 bytes, at most a fifth of the room unused, and 24 bytes a bucket.
        let bytes = set.capacity() * 12 + set.buckets.len() * 24;
        assert!(set.capacity() * 5 <= set.len() * 6, "{}", set.capacity());
        assert!(bytes < 15 * set.len(), "{bytes}");
    }
}
