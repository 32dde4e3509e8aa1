//! A window of documents on their way into their groups' sums, added a group at a time.
//!
//! In: documents in corpus order, each with what its groups' sums take of it (its size, seed,
//! cluster value, and its themes', contrasts' and terms' tallies that are not zero) and its
//! slot in every grouping. Out: the same documents, in the order that adds them a group at a
//! time ([`Batch::order`]), each as a [`Doc`].
//!
//! Guarantees: a document comes out once with exactly what went in; memory is bounded by the
//! window ([`Batch::is_full`]). Why: when a grouping's groups take turns document by document
//! (a column of 1,000 values spread over a table), each document reads its group's sums from
//! memory, several kilobytes that have left the cache since that group's last document. Added
//! a group at a time, a window of a few thousand documents reads each group's sums once. The
//! sums are integers, so the order they are added in does not change them.

use crate::count::{ContrastTally, Counts, TermCount, ThemeTally};

/// Documents a window holds at most: with 1,000 groups taking turns, some 30 documents of a
/// group come together; the window takes a few megabytes (4 MB more peak RSS on the bench's
/// table; measured in the README: a larger window saved more time, a smaller one less).
pub(super) const WINDOW: usize = 32_768;

/// A document as its groups' sums take it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Doc<'a> {
    pub tokens: u64,
    pub sentences: u64,
    pub paragraphs: u64,
    /// The seed of its cluster's bootstrap weights.
    pub seed: u64,
    /// Its `--cluster-by` value, if it has one (else it is its own cluster).
    pub cluster: Option<&'a str>,
    /// (theme, tally) of the themes whose tally is not zero, in lexicon order.
    pub themes: &'a [(u32, ThemeTally)],
    /// (contrast, tally) of the contrasts whose tally is not zero, in lexicon order.
    pub contrasts: &'a [(u32, ContrastTally)],
    /// Its terms with hits.
    pub terms: &'a [TermCount],
}

/// A document's sizes and where its tallies end in the window's lists.
#[derive(Clone, Copy, Debug)]
struct Record {
    tokens: u64,
    sentences: u64,
    paragraphs: u64,
    seed: u64,
    /// Ends of its themes, contrasts, terms and cluster value (each starts where the previous
    /// document's ends).
    ends: [usize; 4],
    has_cluster: bool,
}

/// A window of documents, with their slots in every grouping.
#[derive(Debug)]
pub(super) struct Batch {
    records: Vec<Record>,
    themes: Vec<(u32, ThemeTally)>,
    contrasts: Vec<(u32, ContrastTally)>,
    terms: Vec<TermCount>,
    clusters: String,
    /// Per grouping, per document, its slot + 1 (0: `(missing)`).
    slots: Vec<Vec<usize>>,
    /// Per grouping, how many documents have another slot than the document before.
    turns: Vec<usize>,
    /// Documents the window holds at most.
    capacity: usize,
}

impl Batch {
    /// An empty window for `groupings` groupings holding up to `capacity` documents.
    pub(super) fn new(groupings: usize, capacity: usize) -> Batch {
        Batch {
            records: Vec::new(),
            themes: Vec::new(),
            contrasts: Vec::new(),
            terms: Vec::new(),
            clusters: String::new(),
            slots: vec![Vec::new(); groupings],
            turns: vec![0; groupings],
            capacity: capacity.max(1),
        }
    }

    /// Whether the window is full: its documents are as many as it holds, or the tallies of
    /// one kind 64 times as many (a document can have thousands of terms).
    pub(super) fn is_full(&self) -> bool {
        let lists = [
            self.themes.len(),
            self.contrasts.len(),
            self.terms.len(),
            self.clusters.len(),
        ];
        self.records.len() >= self.capacity || lists.iter().any(|&n| n >= 64 * self.capacity)
    }

    /// Whether the window is empty.
    pub(super) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Adds a document with `counts`, `terms`, `seed` and `cluster` value (its slot in each
    /// grouping follows, [`Batch::push_slot`]). When it is `hitless` (every tally zero and no term, as
    /// [`crate::assemble::Finished::hitless`]), its tallies are not read: most documents of a
    /// large corpus have no hit, and their lists are no longer in the cache.
    pub(super) fn push(
        &mut self,
        (counts, terms, hitless): (&Counts, &[TermCount], bool),
        seed: u64,
        cluster: Option<&str>,
    ) {
        if !hitless {
            let zero = ContrastTally::default();
            let themes = (counts.themes.iter().enumerate())
                .filter(|(_, t)| t.count > 0 || t.negated > 0 || t.weight > 0)
                .map(|(i, t)| (i as u32, t.clone()));
            self.themes.extend(themes);
            let contrasts = (counts.contrasts.iter().enumerate())
                .filter(|(_, c)| **c != zero)
                .map(|(i, c)| (i as u32, c.clone()));
            self.contrasts.extend(contrasts);
            self.terms.extend_from_slice(terms);
        }
        self.clusters.push_str(cluster.unwrap_or_default());
        self.records.push(Record {
            tokens: counts.tokens,
            sentences: counts.sentences,
            paragraphs: counts.paragraphs,
            seed,
            ends: [
                self.themes.len(),
                self.contrasts.len(),
                self.terms.len(),
                self.clusters.len(),
            ],
            has_cluster: cluster.is_some(),
        });
    }

    /// The last document's slot in grouping `g` (`None`: `(missing)`).
    pub(super) fn push_slot(&mut self, g: usize, slot: Option<usize>) {
        let (Some(list), Some(turns)) = (self.slots.get_mut(g), self.turns.get_mut(g)) else {
            return;
        };
        let slot = slot.map_or(0, |k| k + 1);
        if list.last().is_some_and(|&last| last != slot) {
            *turns += 1;
        }
        list.push(slot);
    }

    /// The window's documents in the order that adds them a group at a time: by slot in the
    /// grouping whose groups take turns most often, then in corpus order (in corpus order
    /// when no grouping's groups take turns often), as positions in the window.
    pub(super) fn order(&self) -> Vec<usize> {
        let n = self.records.len();
        let busiest = (self.turns.iter().enumerate()).max_by_key(|&(g, &turns)| (turns, !g));
        match busiest {
            // Fewer turns than an eighth of the documents: each group's documents come in
            // runs, and its sums stay in the cache through a run.
            Some((g, &turns)) if turns * 8 >= n => by_slot(&self.slots[g]),
            _ => (0..n).collect(),
        }
    }

    /// Document `i` of the window.
    pub(super) fn doc(&self, i: usize) -> Doc<'_> {
        let r = &self.records[i];
        let start = match i.checked_sub(1) {
            Some(p) => self.records[p].ends,
            None => [0; 4],
        };
        let end = r.ends;
        Doc {
            tokens: r.tokens,
            sentences: r.sentences,
            paragraphs: r.paragraphs,
            seed: r.seed,
            cluster: (r.has_cluster).then(|| &self.clusters[start[3]..end[3]]),
            themes: &self.themes[start[0]..end[0]],
            contrasts: &self.contrasts[start[1]..end[1]],
            terms: &self.terms[start[2]..end[2]],
        }
    }

    /// Document `i`'s slot in grouping `g` (`None`: `(missing)`).
    pub(super) fn slot(&self, g: usize, i: usize) -> Option<usize> {
        self.slots[g][i].checked_sub(1)
    }

    /// Empties the window.
    pub(super) fn clear(&mut self) {
        self.records.clear();
        self.themes.clear();
        self.contrasts.clear();
        self.terms.clear();
        self.clusters.clear();
        self.slots.iter_mut().for_each(Vec::clear);
        self.turns.iter_mut().for_each(|t| *t = 0);
    }
}

/// The positions of `slots` ordered by slot, each slot's in the order they come: a counting
/// sort when the window's slots span fewer than four times its documents (a window of a
/// column's 1,000 values, or of new groups one per document), else a comparison sort (a window
/// scattered over millions of groups, where counting would clear megabytes for each window).
fn by_slot(slots: &[usize]) -> Vec<usize> {
    let (Some(&low), Some(&high)) = (slots.iter().min(), slots.iter().max()) else {
        return Vec::new();
    };
    let span = high - low + 1;
    if span > 4 * slots.len() {
        let mut pairs: Vec<(usize, usize)> = slots.iter().copied().zip(0..).collect();
        pairs.sort_unstable();
        return pairs.into_iter().map(|(_, i)| i).collect();
    }
    let mut starts = vec![0; span + 1];
    for &s in slots {
        starts[s - low + 1] += 1;
    }
    for k in 1..starts.len() {
        starts[k] += starts[k - 1];
    }
    let mut order = vec![0; slots.len()];
    for (i, &s) in slots.iter().enumerate() {
        order[starts[s - low]] = i;
        starts[s - low] += 1;
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::PoleTally;

    fn counts(tokens: u64, themes: &[u64], left: u64) -> Counts {
        Counts {
            tokens,
            sentences: 2,
            paragraphs: 1,
            themes: (themes.iter())
                .map(|&count| ThemeTally {
                    count,
                    ..Default::default()
                })
                .collect(),
            contrasts: vec![ContrastTally {
                left: PoleTally {
                    hits: left,
                    weight: left,
                    weight_sq: left.into(),
                },
                ..Default::default()
            }],
        }
    }

    #[test]
    fn documents_come_out_as_they_went_in() {
        let mut batch = Batch::new(1, 8);
        let term = |term, hits| TermCount {
            term,
            hits,
            live_weight: 0,
        };
        batch.push(
            (&counts(10, &[0, 2], 1), &[term(4, 2)], false),
            7,
            Some("FDR"),
        );
        batch.push_slot(0, Some(3));
        batch.push((&counts(5, &[0, 0], 0), &[], true), 8, None);
        batch.push_slot(0, None);
        batch.push((&counts(6, &[1, 0], 0), &[], false), 9, Some(""));
        batch.push_slot(0, Some(0));
        let a = batch.doc(0);
        assert_eq!((a.tokens, a.sentences, a.paragraphs, a.seed), (10, 2, 1, 7));
        assert_eq!(a.cluster, Some("FDR"));
        assert_eq!(a.themes.len(), 1);
        assert_eq!((a.themes[0].0, a.themes[0].1.count), (1, 2));
        assert_eq!((a.contrasts.len(), a.contrasts[0].1.left.hits), (1, 1));
        assert_eq!((a.terms[0].term, a.terms[0].hits), (4, 2));
        let b = batch.doc(1);
        assert_eq!((b.tokens, b.cluster), (5, None));
        assert!(b.themes.is_empty() && b.contrasts.is_empty() && b.terms.is_empty());
        let c = batch.doc(2);
        assert_eq!((c.cluster, c.themes[0].0), (Some(""), 0));
        assert_eq!(
            [batch.slot(0, 0), batch.slot(0, 1), batch.slot(0, 2)],
            [Some(3), None, Some(0)]
        );
        // Slots 4, 1, 0 (+1): each document turns, so they come by slot.
        let order = batch.order();
        assert_eq!(order, [1, 2, 0]);
        assert!(!batch.is_full());
        batch.clear();
        assert!(batch.is_empty());
    }

    proptest::proptest! {
        /// The counting sort is a stable sort by slot.
        #[test]
        fn by_slot_is_a_stable_sort(
            slots in proptest::collection::vec(0usize..20, 0..200),
            spread in proptest::sample::select(vec![1usize, 1_000]),
            offset in 0usize..5_000,
        ) {
            // Slots close together are counted; spread far apart, compared.
            let slots: Vec<usize> = slots.iter().map(|s| offset + s * spread).collect();
            let mut sorted: Vec<usize> = (0..slots.len()).collect();
            sorted.sort_by_key(|&i| slots[i]);
            proptest::prop_assert_eq!(by_slot(&slots), sorted);
        }
    }

    #[test]
    fn groups_in_runs_keep_the_corpus_order() {
        let mut batch = Batch::new(2, 100);
        // Grouping 0 in runs of 20 (slots 5, 4, 3, 2, 1); grouping 1 the same for all.
        for i in 0..100 {
            let slot = 5 - i / 20;
            batch.push((&counts(1, &[], 0), &[], true), 0, None);
            batch.push_slot(0, Some(slot));
            batch.push_slot(1, Some(0));
        }
        let order = batch.order();
        assert_eq!(order, (0..100).collect::<Vec<_>>());
        assert_eq!(batch.turns, [4, 0]);
        assert!(batch.is_full());
    }
}
