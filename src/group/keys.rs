//! A grouping's keys as documents come in: each document's key found among the keys seen
//! without allocating anything, a new key kept in order of first appearance.
//!
//! In: a [`Grouping`], then per document its id and metadata cells. Out: per document the slot
//! of its key (its index in order of first appearance) or `None` (the group `(missing)`); at the
//! end the keys in that order.
//!
//! Guarantees: the slots are those of a map from [`Grouping::key_of`]'s owned keys: the
//! components, read from the cells, are written as bytes (`encode`: different keys, different
//! bytes, none the start of another's) into a buffer kept for it, hashed, and looked up in a
//! table of buckets of 32 bytes, each with a key's hash, its slot and its first 16 bytes, so
//! that finding a short key (a column's value of up to 14 bytes, a period, …) reads one bucket
//! and nothing else: with a thousand groups taking turns row by row, every other structure
//! looked at per document is out of the cache by the time its group comes again. A longer key
//! is compared with its bytes, all keys' bytes kept one after the other in one buffer. Keys
//! with the same hash take the next free buckets and are told apart by their bytes. A document
//! whose cells (and folder) that the key is read from are those of the document before it gets
//! that document's slot without its key being read again (a table sorted by date has runs of
//! the same date); after 16 documents in a row whose cells differ from the last's (a column
//! whose values take turns row by row), that check and the copying of the cells it needs are
//! left off for the next 256. Memory: each key seen, twice (owned and as bytes), and two to
//! four buckets per key; the last document's cells and key bytes; nothing per document.

use std::hash::Hasher;

use rustc_hash::FxHasher;

use super::{ComponentRef, Grouping, Key};

/// A key's bytes kept in its bucket: the first [`HEAD`] of them, zeros after the last.
const HEAD: usize = 16;

/// Documents in a row whose cells are not the last document's after which the check is left
/// off, and for how many documents.
const MISSES: u32 = 16;
const LEFT_OFF: u32 = 256;

/// A bucket of the key table: a key's hash, its slot + 1 (0: an empty bucket) and the first
/// [`HEAD`] bytes of its encoding. Since no key's bytes start another's, two keys of at most
/// [`HEAD`] bytes are the same when their heads are.
#[derive(Clone, Copy, Debug, Default)]
#[repr(C, align(32))]
struct Bucket {
    hash: u64,
    slot: usize,
    head: [u8; HEAD],
}

/// The keys of one grouping, in order of first appearance.
#[derive(Debug, Default)]
pub struct Keys {
    keys: Vec<Key>,
    /// Every key's bytes ([`encode`]), one after the other, and where each key's are.
    bytes: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// Open addressing with linear probing: a power of two long and at most half full (or
    /// empty, before the first key).
    buckets: Vec<Bucket>,
    /// The last document's key's bytes (a buffer used again for each document).
    scratch: Vec<u8>,
    /// The last document's texts of each part ([`Grouping::source`]) and its slot, if any.
    last: Option<(Vec<String>, Option<usize>)>,
    /// Documents in a row whose cells were not the last document's (up to [`MISSES`]).
    misses: u32,
    /// Documents left to find without looking at the last document's cells.
    left_off: u32,
}

impl Keys {
    /// The slot of the key of a document with id `id` and cells `meta` in `grouping`, a new one
    /// (the number of keys before) when the key is new; `None` when it has no key.
    pub fn slot(&mut self, grouping: &Grouping, id: &str, meta: &[String]) -> Option<usize> {
        if self.left_off > 0 {
            // (The last cells kept stay right: any document with those cells has that slot.)
            self.left_off -= 1;
            return self.find(grouping, id, meta);
        }
        let parts = grouping.part_count();
        if let Some((sources, slot)) = &self.last {
            let same = |(k, s): (usize, &String)| grouping.source(k, id, meta) == s;
            if sources.len() == parts && sources.iter().enumerate().all(same) {
                self.misses = 0;
                return *slot;
            }
        }
        let slot = self.find(grouping, id, meta);
        self.misses += 1;
        if self.misses >= MISSES {
            self.misses = 0;
            self.left_off = LEFT_OFF;
            return slot;
        }
        let (sources, last) = self.last.get_or_insert_with(Default::default);
        sources.resize(parts, String::new());
        for (k, s) in sources.iter_mut().enumerate() {
            s.clear();
            s.push_str(grouping.source(k, id, meta));
        }
        *last = slot;
        slot
    }

    /// [`Keys::slot`] without the last document's.
    fn find(&mut self, grouping: &Grouping, id: &str, meta: &[String]) -> Option<usize> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let found = Keys::encode_document(grouping, id, meta, &mut scratch).and_then(|()| {
            self.locate(&scratch, hash_bytes(&scratch), || grouping.key_of(id, meta))
        });
        self.scratch = scratch;
        found
    }

    /// The slot of the key whose bytes are `bytes` and their hash `hash`; when it is new, the
    /// key `make` gives is kept as the next slot (`None` if it gives none).
    fn locate(
        &mut self,
        bytes: &[u8],
        hash: u64,
        make: impl FnOnce() -> Option<Key>,
    ) -> Option<usize> {
        if (self.keys.len() + 1) * 2 > self.buckets.len() {
            self.grow();
        }
        match self.probe(bytes, hash) {
            Ok(k) => Some(k),
            Err(i) => {
                let k = self.keys.len();
                self.keys.push(make()?);
                let start = self.bytes.len();
                self.bytes.extend_from_slice(bytes);
                self.spans.push((start, self.bytes.len()));
                let mask = self.buckets.len() - 1;
                self.buckets[i & mask] = Bucket {
                    hash,
                    slot: k + 1,
                    head: head_of(bytes),
                };
                Some(k)
            }
        }
    }

    /// Where the key whose bytes are `bytes` and their hash `hash` is: `Ok(slot)`, or
    /// `Err(bucket)`, the empty bucket where it would go. The table has an empty bucket.
    fn probe(&self, bytes: &[u8], hash: u64) -> Result<usize, usize> {
        let head = head_of(bytes);
        let mask = self.buckets.len().wrapping_sub(1);
        let mut i = hash as usize & mask;
        loop {
            let Some(b) = self.buckets.get(i) else {
                return Err(i);
            };
            if b.slot == 0 {
                return Err(i);
            }
            let k = b.slot - 1;
            if b.hash == hash
                && b.head == head
                && (bytes.len() <= HEAD || self.bytes_of(k) == bytes)
            {
                return Ok(k);
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the table (16 buckets at first), every key in it again.
    fn grow(&mut self) {
        let len = (self.buckets.len() * 2).max(16);
        let old = std::mem::replace(&mut self.buckets, vec![Bucket::default(); len]);
        let mask = len - 1;
        for b in old.into_iter().filter(|b| b.slot != 0) {
            let mut i = b.hash as usize & mask;
            while self.buckets[i].slot != 0 {
                i = (i + 1) & mask;
            }
            self.buckets[i] = b;
        }
    }

    /// Writes the bytes of the key of a document ([`encode`]) to `out`; `None` when it has no
    /// key.
    fn encode_document(
        grouping: &Grouping,
        id: &str,
        meta: &[String],
        out: &mut Vec<u8>,
    ) -> Option<()> {
        for k in 0..grouping.part_count() {
            encode(grouping.component(k, id, meta)?, out);
        }
        Some(())
    }

    /// The bytes of the key of slot `k`.
    fn bytes_of(&self, k: usize) -> &[u8] {
        let (start, end) = self.spans.get(k).copied().unwrap_or_default();
        self.bytes.get(start..end).unwrap_or_default()
    }

    /// The bytes of an owned key.
    fn bytes_of_key(key: &Key) -> Vec<u8> {
        let mut bytes = Vec::new();
        for c in key {
            encode(c.as_ref(), &mut bytes);
        }
        bytes
    }

    /// Adds `key` (from a partial result's state) as the next slot unless it is there; its
    /// slot.
    pub fn insert(&mut self, key: Key) -> usize {
        let bytes = Keys::bytes_of_key(&key);
        let k = self.keys.len();
        self.locate(&bytes, hash_bytes(&bytes), || Some(key))
            .unwrap_or(k)
    }

    /// The keys seen, in order of first appearance (a key's slot is its index).
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The slot of `key`, if it was seen.
    pub fn get(&self, key: &Key) -> Option<usize> {
        let bytes = Keys::bytes_of_key(key);
        self.probe(&bytes, hash_bytes(&bytes)).ok()
    }
}

/// The first [`HEAD`] bytes of `bytes`, zeros after its end.
fn head_of(bytes: &[u8]) -> [u8; HEAD] {
    let mut head = [0; HEAD];
    let n = bytes.len().min(HEAD);
    head[..n].copy_from_slice(&bytes[..n]);
    head
}

/// Writes a component as bytes that tell keys apart, none the start of another's: a value as
/// 0, its length (LEB128: 7 bits a byte, the high bit set on all but the last) and its bytes;
/// a period as 1 and its ordinal (8 bytes, little-endian).
fn encode(c: ComponentRef<'_>, out: &mut Vec<u8>) {
    match c {
        ComponentRef::Value(v) => {
            out.push(0);
            let mut n = v.len();
            while n >= 0x80 {
                out.push((n & 0x7f) as u8 | 0x80);
                n >>= 7;
            }
            out.push(n as u8);
            out.extend_from_slice(v.as_bytes());
        }
        ComponentRef::Period(o) => {
            out.push(1);
            out.extend_from_slice(&o.to_le_bytes());
        }
    }
}

/// The hash of a key's bytes.
fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(bytes);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Component, GroupSpec};
    use proptest::prelude::*;

    fn grouping(spec: &str) -> Grouping {
        let columns = ["party".to_string(), "date".to_string()];
        Grouping::new(&GroupSpec::parse(spec).unwrap(), &columns).unwrap()
    }

    fn meta(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn slots_are_those_of_the_owned_keys() {
        // Runs of the same cells (the last document's slot), in the same folder or not.
        let docs = [
            ("nyt/a", meta(&["D", "1801-03-04"])),
            ("nyt/a2", meta(&["D", "1801-03-04"])),
            ("wp/b", meta(&[" R ", "1789"])),
            ("nyt/c", meta(&["R", "not a date"])),
            ("nyt/c2", meta(&["R", "not a date"])),
            ("d", meta(&["D", "1805-12-31"])),
            ("wp/e", meta(&["", "1801"])),
            ("wp/e2", meta(&["", "1801"])),
            ("wp/f", meta(&["R", "1790-01-01"])),
            ("nyt/g", meta(&["R", "1790-01-01"])),
            ("h", meta(&["R"])),
            ("i", meta(&["R"])),
        ];
        for spec in ["party", "date:decade", "party+date:decade", "folder+party"] {
            let g = grouping(spec);
            let mut keys = Keys::default();
            let mut owned: Vec<Key> = Vec::new();
            for (id, m) in &docs {
                let expected = g.key_of(id, m).map(|key| {
                    owned.iter().position(|k| *k == key).unwrap_or_else(|| {
                        owned.push(key);
                        owned.len() - 1
                    })
                });
                assert_eq!(keys.slot(&g, id, m), expected, "{spec} {id}");
            }
            assert_eq!(keys.keys(), owned, "{spec}");
            for (k, key) in owned.iter().enumerate() {
                assert_eq!(keys.get(key), Some(k));
            }
        }
    }

    #[test]
    fn values_taking_turns_leave_the_last_cells_unread() {
        // 400 documents of 7 values taking turns, then a run of 200 of one value.
        let g = grouping("party");
        let mut keys = Keys::default();
        for i in 0..600 {
            let value = if i < 400 {
                format!("g{}", i % 7)
            } else {
                "run".to_string()
            };
            let expected = if i < 400 { i % 7 } else { 7 };
            assert_eq!(
                keys.slot(&g, "d", &meta(&[&value, ""])),
                Some(expected),
                "{i}"
            );
            if i == MISSES as usize - 1 {
                assert_eq!(keys.left_off, LEFT_OFF);
            }
        }
        // The check is back on, for the run: its cells are the last document's.
        assert_eq!(keys.left_off, 0);
        let last = keys
            .last
            .as_ref()
            .map(|(cells, slot)| (cells[0].as_str(), *slot));
        assert_eq!(last, Some(("run", Some(7))));
    }

    #[test]
    fn keys_with_the_same_hash_are_told_apart() {
        // Every key given the same hash, short and long (past the bucket's 16 bytes) alike, and
        // long keys that share their first 16 bytes: each keeps its own slot, through the
        // table's growing.
        let values: Vec<String> = (0..40)
            .map(|i| match i % 3 {
                0 => format!("v{i}"),
                1 => format!("a value longer than sixteen bytes {i}"),
                _ => format!("a value longer than sixteen bytes, {i}"),
            })
            .collect();
        let key = |v: &str| vec![Component::Value(v.to_string())];
        let mut keys = Keys::default();
        for (k, v) in values.iter().enumerate() {
            let bytes = Keys::bytes_of_key(&key(v));
            assert_eq!(keys.locate(&bytes, 7, || Some(key(v))), Some(k));
        }
        for (k, v) in values.iter().enumerate() {
            let bytes = Keys::bytes_of_key(&key(v));
            assert_eq!(keys.probe(&bytes, 7), Ok(k), "{v}");
            assert_eq!(keys.locate(&bytes, 7, || None), Some(k), "{v}");
        }
        assert_eq!(keys.keys().len(), values.len());
        assert!(keys.buckets.len() >= 2 * values.len());
    }

    #[test]
    fn no_key_s_bytes_start_another_s() {
        // What comparing zero-padded heads relies on.
        let keys: Vec<Key> = vec![
            vec![Component::Value(String::new())],
            vec![Component::Value("a".into())],
            vec![Component::Value("ab".into())],
            vec![Component::Value("a\0".into())],
            vec![Component::Value("x".repeat(200))],
            vec![Component::Value("x".repeat(201))],
            vec![Component::Period(0)],
            vec![Component::Period(-1)],
            vec![Component::Value("a".into()), Component::Period(0)],
            vec![
                Component::Value("a".into()),
                Component::Value(String::new()),
            ],
        ];
        let bytes: Vec<Vec<u8>> = keys.iter().map(Keys::bytes_of_key).collect();
        for (i, a) in bytes.iter().enumerate() {
            for (j, b) in bytes.iter().enumerate() {
                if i != j && keys[i].len() == keys[j].len() {
                    assert!(!b.starts_with(a), "{:?} starts {:?}", keys[j], keys[i]);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn slots_are_those_of_a_map(values in prop::collection::vec(
            prop::sample::select(vec![
                "", "D", "R", "g001", "g002", "fourteen bytes", "fifteen bytes!!",
                "a value longer than sixteen bytes", "a value longer than sixteen bytez",
                "1789-04-30", "1790", "not a date", "Ünïcödé välüé",
            ]).prop_flat_map(|a| prop::sample::select(vec!["", "1789", "1801-03-04", "x"])
                .prop_map(move |b| (a, b))),
            0..200,
        )) {
            for spec in ["party", "party+date:decade", "date:year"] {
                let g = grouping(spec);
                let mut keys = Keys::default();
                let mut owned: Vec<Key> = Vec::new();
                for (i, (a, b)) in values.iter().enumerate() {
                    let m = meta(&[a, b]);
                    let id = format!("doc{i}");
                    let expected = g.key_of(&id, &m).map(|key| {
                        owned.iter().position(|k| *k == key).unwrap_or_else(|| {
                            owned.push(key);
                            owned.len() - 1
                        })
                    });
                    prop_assert_eq!(keys.slot(&g, &id, &m), expected);
                }
                prop_assert_eq!(keys.keys(), &owned[..]);
                let mut again = Keys::default();
                for (k, key) in owned.iter().enumerate() {
                    prop_assert_eq!(keys.get(key), Some(k));
                    prop_assert_eq!(again.insert(key.clone()), k);
                }
            }
        }
    }
}
