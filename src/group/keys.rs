//! A grouping's keys as documents come in: each document's key found among the keys seen
//! without allocating anything, a new key kept in order of first appearance.
//!
//! In: a [`Grouping`], then per document its id and metadata cells. Out: per document the slot
//! of its key (its index in order of first appearance) or `None` (the group `(missing)`); at the
//! end the keys in that order.
//!
//! Guarantees: the slots are those of a map from [`Grouping::key_of`]'s owned keys: the
//! components, read from the cells, are written as bytes into a buffer kept for it, hashed, and
//! compared with the bytes of the key kept for that hash (every key's bytes in one buffer: a
//! comparison reads one place in memory, not a key's several allocations), and a key whose
//! hash another key has is found in that map. A document whose cells (and
//! folder) that the key is read from are those of the document before it gets that document's
//! slot without its key being read again (a table sorted by date has runs of the same date).
//! Memory: each key seen, twice (owned and as bytes), with its hash, and the last document's
//! cells and key bytes; nothing per document.

use std::collections::HashMap;
use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use super::{ComponentRef, Grouping, Key};

/// The keys of one grouping, in order of first appearance.
#[derive(Debug, Default)]
pub struct Keys {
    keys: Vec<Key>,
    /// Every key's bytes ([`encode`]), one after the other, and where each key's are.
    bytes: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// The last document's key's bytes (a buffer used again for each document).
    scratch: Vec<u8>,
    /// A key's hash (of its bytes) → the first slot with that hash.
    by_hash: FxHashMap<u64, usize>,
    /// Every key → its slot.
    index: HashMap<Key, usize>,
    /// The last document's texts of each part ([`Grouping::source`]) and its slot, if any.
    last: Option<(Vec<String>, Option<usize>)>,
}

impl Keys {
    /// The slot of the key of a document with id `id` and cells `meta` in `grouping`, a new one
    /// (the number of keys before) when the key is new; `None` when it has no key.
    pub fn slot(&mut self, grouping: &Grouping, id: &str, meta: &[String]) -> Option<usize> {
        let parts = grouping.part_count();
        if let Some((sources, slot)) = &self.last {
            let same = |(k, s): (usize, &String)| grouping.source(k, id, meta) == s;
            if sources.len() == parts && sources.iter().enumerate().all(same) {
                return *slot;
            }
        }
        let slot = self.find(grouping, id, meta);
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
            let hash = hash_bytes(&scratch);
            if let Some(&k) = self.by_hash.get(&hash) {
                if self.bytes_of(k) == scratch.as_slice() {
                    return Some(k);
                }
            }
            // A new key, or one whose hash another key has.
            let key = grouping.key_of(id, meta)?;
            Some(
                self.index
                    .get(&key)
                    .copied()
                    .unwrap_or_else(|| self.push(key, &scratch, hash)),
            )
        });
        self.scratch = scratch;
        found
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

    /// Keeps the new `key`, whose bytes are `bytes` and their hash `hash`, as the next slot.
    fn push(&mut self, key: Key, bytes: &[u8], hash: u64) -> usize {
        let k = self.keys.len();
        self.by_hash.entry(hash).or_insert(k);
        self.index.insert(key.clone(), k);
        self.keys.push(key);
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.spans.push((start, self.bytes.len()));
        k
    }

    /// Adds `key` (from a partial result's state) as the next slot unless it is there; its
    /// slot.
    pub fn insert(&mut self, key: Key) -> usize {
        if let Some(&k) = self.index.get(&key) {
            return k;
        }
        let mut bytes = Vec::new();
        for c in &key {
            encode(c.as_ref(), &mut bytes);
        }
        let hash = hash_bytes(&bytes);
        self.push(key, &bytes, hash)
    }

    /// The keys seen, in order of first appearance (a key's slot is its index).
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The slot of `key`, if it was seen.
    pub fn get(&self, key: &Key) -> Option<usize> {
        self.index.get(key).copied()
    }
}

/// Writes a component as bytes that tell keys apart: a value as 0, its length (8 bytes,
/// little-endian) and its bytes; a period as 1 and its ordinal (8 bytes, little-endian).
fn encode(c: ComponentRef<'_>, out: &mut Vec<u8>) {
    match c {
        ComponentRef::Value(v) => {
            out.push(0);
            out.extend_from_slice(&(v.len() as u64).to_le_bytes());
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
    use crate::group::GroupSpec;

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
    fn a_hash_two_keys_share_still_tells_them_apart() {
        // Force a collision: key 0's hash is taken to be key 1's.
        let g = grouping("party");
        let mut keys = Keys::default();
        assert_eq!(keys.slot(&g, "a", &meta(&["D", ""])), Some(0));
        let mut bytes = Vec::new();
        Keys::encode_document(&g, "b", &meta(&["R", ""]), &mut bytes).unwrap();
        let hash_r = hash_bytes(&bytes);
        keys.by_hash.insert(hash_r, 0);
        assert_eq!(keys.slot(&g, "b", &meta(&["R", ""])), Some(1));
        assert_eq!(keys.slot(&g, "c", &meta(&["R", ""])), Some(1));
        assert_eq!(keys.slot(&g, "d", &meta(&["D", ""])), Some(0));
    }
}
