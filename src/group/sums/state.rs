//! The group sums of a part of the corpus, as a partial result carries them.
//!
//! In: a [`Sums`] after the part's last document. Out: a [`SumsState`] — per grouping its keys
//! in order of first appearance with their sums, `(missing)`, and the clusters still open; the
//! corpus's bootstrap and its open clusters — that serialises and that
//! [`SumsState::append`] merges with the state of the part that follows.
//!
//! Guarantees: sums are integers added whatever the order; a cluster open in two parts (its
//! `--cluster-by` value in both) is one cluster once merged, its parts added before its weights
//! apply, as one run adds them; keys keep their order of first appearance over the parts in
//! order. So [`Sums::with_state`] of the appended states of consecutive parts finishes into
//! exactly the groups one run over all of them gives.

use serde::{Deserialize, Serialize};

use super::{ClusterPart, GroupSums, Plain, Sums};
use crate::group::keys::Keys;
use crate::group::Key;
use crate::score::groups::Bootstrap;

/// One grouping's sums.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupingState {
    /// Keys in order of first appearance, each with its sums.
    keys: Vec<(Key, GroupSums)>,
    /// The documents without a key.
    missing: GroupSums,
    has_missing: bool,
    /// Open clusters: (key, or none for `(missing)`; cluster value), sorted.
    pending: Vec<((Option<Key>, String), ClusterPart)>,
}

/// An open cluster of the corpus: its `--cluster-by` value, seed, and pole sums per contrast.
type OpenCluster = (String, u64, Vec<(u64, u64)>);

/// The group sums of a part of the corpus.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SumsState {
    groupings: Vec<GroupingState>,
    /// The corpus's bootstrap over the closed clusters.
    corpus: Bootstrap,
    /// The corpus's open clusters: (value, seed, pole sums), sorted by value.
    corpus_pending: Vec<OpenCluster>,
}

impl Sums {
    /// New sums of the same groupings, clustering and lexicon, without any document.
    pub fn shell(&self) -> Sums {
        Sums::new(
            self.groupings.iter().map(|a| a.grouping.clone()).collect(),
            self.cluster_by,
            self.themes,
            self.contrasts,
        )
    }

    /// The state of these sums (the lookup index and the weights cache are left behind).
    pub fn into_state(mut self) -> SumsState {
        self.settle();
        let groupings = (self.groupings.into_iter())
            .map(|acc| {
                let keys = acc.keys.keys();
                let mut pending: Vec<_> = (acc.pending.into_iter())
                    .map(|((slot, value), part)| ((slot.map(|k| keys[k].clone()), value), part))
                    .collect();
                pending.sort_by(|a, b| a.0.cmp(&b.0));
                GroupingState {
                    keys: keys.iter().cloned().zip(acc.sums).collect(),
                    missing: acc.missing,
                    has_missing: acc.has_missing,
                    pending,
                }
            })
            .collect();
        let mut corpus_pending: Vec<_> = (self.corpus_pending.into_iter())
            .map(|(value, (seed, poles))| (value, seed, poles))
            .collect();
        corpus_pending.sort_by(|a, b| a.0.cmp(&b.0));
        SumsState {
            groupings,
            corpus: self.corpus,
            corpus_pending,
        }
    }

    /// These sums (new, of the run's groupings) holding `state` instead; an error when the
    /// state has another number of groupings.
    pub fn with_state(mut self, state: SumsState) -> Result<Sums, String> {
        if state.groupings.len() != self.groupings.len() && !state.groupings.is_empty() {
            return Err(format!(
                "the partial state has {} groupings where the run has {}",
                state.groupings.len(),
                self.groupings.len()
            ));
        }
        self.batch.clear();
        for (acc, g) in self.groupings.iter_mut().zip(state.groupings) {
            acc.keys = Keys::default();
            acc.sums.clear();
            for (key, sums) in g.keys {
                acc.keys.insert(key);
                acc.sums.push(sums);
            }
            acc.kept = (acc.sums.iter())
                .map(|sums| sums.examples.kept_bits())
                .collect();
            acc.plain = vec![Plain::default(); acc.sums.len()];
            acc.missing_plain = Plain::default();
            acc.missing = g.missing;
            acc.missing_kept = acc.missing.examples.kept_bits();
            acc.has_missing = g.has_missing;
            acc.pending = (g.pending.into_iter())
                .map(|((key, value), part)| {
                    let slot = key.and_then(|k| acc.keys.get(&k));
                    ((slot, value), part)
                })
                .collect();
        }
        self.corpus = state.corpus;
        self.corpus_pending = (state.corpus_pending.into_iter())
            .map(|(value, seed, poles)| (value, (seed, poles)))
            .collect();
        Ok(self)
    }
}

impl SumsState {
    /// Adds the state of the part that follows this one in the corpus.
    pub fn append(&mut self, other: SumsState) {
        if self.groupings.is_empty() {
            self.groupings = other.groupings;
        } else {
            for (mine, theirs) in self.groupings.iter_mut().zip(other.groupings) {
                mine.append(theirs);
            }
        }
        if self.corpus.replicates.is_empty() {
            self.corpus = other.corpus;
        } else {
            self.corpus += &other.corpus;
        }
        self.corpus_pending = merge_sorted(
            std::mem::take(&mut self.corpus_pending),
            other.corpus_pending,
            |a| a.0.clone(),
            |a, b| {
                for (sum, (l, r)) in a.2.iter_mut().zip(&b.2) {
                    sum.0 += l;
                    sum.1 += r;
                }
            },
        );
    }
}

impl GroupingState {
    fn append(&mut self, other: GroupingState) {
        let index: std::collections::HashMap<Key, usize> = (self.keys.iter().enumerate())
            .map(|(i, (k, _))| (k.clone(), i))
            .collect();
        for (key, sums) in other.keys {
            match index.get(&key) {
                Some(&i) => self.keys[i].1.merge(&sums),
                None => self.keys.push((key, sums)),
            }
        }
        self.missing.merge(&other.missing);
        self.has_missing |= other.has_missing;
        self.pending = merge_sorted(
            std::mem::take(&mut self.pending),
            other.pending,
            |a| a.0.clone(),
            |a, b| a.1.merge(&b.1),
        );
    }
}

/// Two lists sorted by `key` merged into one sorted list, items of equal key joined by `join`.
fn merge_sorted<T, K: Ord>(
    a: Vec<T>,
    b: Vec<T>,
    key: impl Fn(&T) -> K,
    join: impl Fn(&mut T, &T),
) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if key(x) == key(y) => {
                let mut x = a.next();
                if let (Some(x), Some(y)) = (x.as_mut(), b.next()) {
                    join(x, &y);
                }
                x
            }
            (Some(x), Some(y)) if key(x) < key(y) => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}
