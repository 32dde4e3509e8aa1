//! Group sums: each document's integer counts added to the sums of its group, in every
//! grouping; what the group files need, and nothing per document.
//!
//! In: per document its id, metadata cells, counts and term counts, and its cluster: the
//! document itself (seeded by its text's SHA-256) or the value of its `--cluster-by` column.
//! Out, at the end: per grouping its groups in file order ([`super::Grouping::order`]), each with
//! its [`GroupSums`], and the corpus's sums (for "the rest of the corpus").
//!
//! Guarantees: integers only, added cluster by cluster, so the sums do not depend on the order
//! documents come in; the bootstrap's weights depend only on a cluster's seed
//! ([`crate::score::groups::poisson_weight`]). A document's groups are found, and its example
//! sentences offered to them, as it comes; its counts join their sums a window of documents at
//! a time, a group at a time (the module `batch`), so that each group's sums are read once a
//! window when many groups take turns. A document without a hit that is its own cluster, most
//! of a large corpus, adds only its size, to an array of 48 bytes a group (`Plain`) added to
//! the sums at the end. Memory: per group its themes, the terms with hits and
//! 1,000 replicates per contrast; with `--cluster-by`, per group and cluster the cluster's
//! counts until the end; and the window.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::keys::Keys;
use super::{Group, Grouping};
use crate::count::{Counts, TermCount};
use crate::output::digest::Example;

mod batch;
mod state;
mod terms;
use crate::score::groups::{seed_of, Bootstrap, ClusterSums, Weights};
use batch::{Batch, Doc};
pub use state::SumsState;
use terms::TermTable;

/// Sums over a group's clusters of what every theme and term shares: clusters, tokens,
/// tokens².
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Spread {
    n: u64,
    tokens: u64,
    tokens2: u128,
}

/// A theme's or term's own sums over clusters: count, count², count · tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Partial {
    count: u64,
    count2: u128,
    count_tokens: u128,
}

impl Partial {
    fn add(&mut self, count: u64, tokens: u64) {
        self.count += count;
        self.count2 += u128::from(count) * u128::from(count);
        self.count_tokens += u128::from(count) * u128::from(tokens);
    }

    fn merge(&mut self, o: &Partial) {
        self.count += o.count;
        self.count2 += o.count2;
        self.count_tokens += o.count_tokens;
    }

    fn minus(&self, o: &Partial) -> Partial {
        Partial {
            count: self.count.saturating_sub(o.count),
            count2: self.count2.saturating_sub(o.count2),
            count_tokens: self.count_tokens.saturating_sub(o.count_tokens),
        }
    }

    fn with(&self, spread: &Spread) -> ClusterSums {
        ClusterSums {
            n: spread.n,
            count: self.count,
            tokens: spread.tokens,
            count2: self.count2,
            tokens2: spread.tokens2,
            count_tokens: self.count_tokens,
        }
    }
}

/// What documents without a hit, each its own cluster, add to a group: their number and sizes
/// (clusters and tokens² come with them), kept apart from the group's sums in an array of 48
/// bytes a group that stays in the cache when many groups take turns, and added to the sums at
/// the end ([`Sums::settle`]). Such a document is most of a large corpus, and goes neither
/// through the window nor to its group's sums, which it would add nothing else to.
#[derive(Clone, Copy, Debug, Default)]
struct Plain {
    documents: u64,
    tokens: u64,
    sentences: u64,
    paragraphs: u64,
    tokens2: u128,
}

impl Plain {
    fn add(&mut self, counts: &Counts) {
        self.documents += 1;
        self.tokens += counts.tokens;
        self.sentences += counts.sentences;
        self.paragraphs += counts.paragraphs;
        self.tokens2 += u128::from(counts.tokens) * u128::from(counts.tokens);
    }
}

/// One cluster's counts within one group, until the cluster is complete.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ClusterPart {
    seed: u64,
    tokens: u64,
    themes: Vec<u64>,
    terms: FxHashMap<u32, u64>,
    /// Per contrast, the weights of the non-negated hits of the left and right pole.
    poles: Vec<(u64, u64)>,
}

impl ClusterPart {
    fn new(seed: u64, themes: usize, contrasts: usize) -> ClusterPart {
        ClusterPart {
            seed,
            themes: vec![0; themes],
            poles: vec![(0, 0); contrasts],
            ..Default::default()
        }
    }

    /// Adds the same cluster's part from another part of the corpus.
    fn merge(&mut self, o: &ClusterPart) {
        self.tokens += o.tokens;
        crate::count::add_vec(&mut self.themes, &o.themes);
        for (&term, &n) in &o.terms {
            *self.terms.entry(term).or_default() += n;
        }
        if self.poles.len() < o.poles.len() {
            self.poles.resize(o.poles.len(), (0, 0));
        }
        for (sum, (l, r)) in self.poles.iter_mut().zip(&o.poles) {
            sum.0 += l;
            sum.1 += r;
        }
    }

    fn add(&mut self, doc: &Doc<'_>) {
        self.tokens += doc.tokens;
        for (t, tally) in doc.themes {
            *grown(&mut self.themes, *t as usize) += tally.count;
        }
        for t in doc.terms {
            *self.terms.entry(t.term).or_default() += t.hits;
        }
        for (c, tally) in doc.contrasts {
            let sum = grown(&mut self.poles, *c as usize);
            sum.0 += tally.left.weight;
            sum.1 += tally.right.weight;
        }
    }
}

/// Item `i` of `list`, made (a default) if the list is shorter.
fn grown<T: Default + Clone>(list: &mut Vec<T>, i: usize) -> &mut T {
    if list.len() <= i {
        list.resize(i + 1, T::default());
    }
    &mut list[i]
}

/// A document's example sentences, offered to its groups: its position in the corpus, per
/// theme its first sentences with a hit, per contrast its first tension sentences.
#[derive(Clone, Copy, Debug, Default)]
pub struct Offered<'a> {
    /// The document's position in the corpus.
    pub order: usize,
    /// Per theme, sentences with a hit, in text order.
    pub examples: &'a [Vec<Example>],
    /// Per contrast, tension sentences, in text order.
    pub tension: &'a [Vec<Example>],
    /// Whether the document has no hit and no sentence to offer (as
    /// [`crate::assemble::Finished::hitless`]); such a document, its own cluster, adds only its
    /// size. `false` is always right: the document is then read whole.
    pub hitless: bool,
}

/// A group's first example sentences in corpus order, each with its document's position.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupExamples {
    /// Per theme, the group's first sentence with a hit.
    pub themes: Vec<Option<(usize, Example)>>,
    /// Per contrast, the group's first tension sentence.
    pub tension: Vec<Option<(usize, Example)>>,
}

impl GroupExamples {
    /// Takes the document's first sentence of each theme and contrast the group has none of.
    fn offer(&mut self, doc: &Offered<'_>) {
        fn take(kept: &mut Vec<Option<(usize, Example)>>, new: &[Vec<Example>], order: usize) {
            if kept.len() < new.len() {
                kept.resize(new.len(), None);
            }
            // The document's side first: most documents have no sentence to offer, and then
            // the group's are not read.
            for (kept, new) in kept.iter_mut().zip(new) {
                if let Some(first) = new.first() {
                    if kept.is_none() {
                        *kept = Some((order, first.clone()));
                    }
                }
            }
        }
        take(&mut self.themes, doc.examples, doc.order);
        take(&mut self.tension, doc.tension, doc.order);
    }

    /// Per list (themes, contrasts), a bit for each of the first 64 entries that holds a
    /// sentence.
    fn kept_bits(&self) -> [u64; 2] {
        [
            bits_of(&self.themes, Option::is_some),
            bits_of(&self.tension, Option::is_some),
        ]
    }

    /// Keeps, of its own and `o`'s, the earlier sentence of each theme and contrast.
    fn merge(&mut self, o: &GroupExamples) {
        fn earlier(kept: &mut Vec<Option<(usize, Example)>>, other: &[Option<(usize, Example)>]) {
            if kept.len() < other.len() {
                kept.resize(other.len(), None);
            }
            for (kept, other) in kept.iter_mut().zip(other) {
                match (&kept, other) {
                    (Some((a, _)), Some((b, _))) if a <= b => {}
                    (_, Some(o)) => *kept = Some(o.clone()),
                    (_, None) => {}
                }
            }
        }
        earlier(&mut self.themes, &o.themes);
        earlier(&mut self.tension, &o.tension);
    }
}

/// A bit for each of the first 64 items of `items` that `holds`.
fn bits_of<T>(items: &[T], holds: impl Fn(&T) -> bool) -> u64 {
    (items.iter().take(64).enumerate()).fold(0, |bits, (i, x)| bits | u64::from(holds(x)) << i)
}

/// Whether a document offers a group a sentence it has none of, from bits of what each holds
/// ([`GroupExamples::kept_bits`]): a group's bits are kept where they stay in the cache
/// ([`Accumulator::kept`]), so that a document offering only what its group holds does not read
/// the group's lists.
#[derive(Clone, Copy, Debug, Default)]
struct Offers {
    bits: [u64; 2],
    /// Whether it offers a sentence past the 64th theme or contrast (then it is always offered).
    beyond: bool,
}

impl Offers {
    fn of(offered: &Offered<'_>) -> Offers {
        let lists = [offered.examples, offered.tension];
        let beyond = (lists.iter()).any(|l| l.iter().skip(64).any(|e| !e.is_empty()));
        Offers {
            bits: lists.map(|l| bits_of(l, |e| !e.is_empty())),
            beyond,
        }
    }

    /// Whether anything offered is missing from a group that holds `kept`.
    fn new_to(&self, kept: [u64; 2]) -> bool {
        self.beyond || self.bits[0] & !kept[0] != 0 || self.bits[1] & !kept[1] != 0
    }
}

/// The sums of one group (or of the corpus).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GroupSums {
    /// Documents.
    pub documents: u64,
    /// The documents' counts, summed.
    pub counts: Counts,
    /// Per theme, the documents with a hit of it.
    pub theme_documents: Vec<u64>,
    /// Per contrast, the documents with a non-negated hit of either pole.
    pub contrast_documents: Vec<u64>,
    /// Per term (global term id) with hits, its sums over complete clusters (a term's hits are
    /// their count once every cluster is complete, as at the end).
    terms: TermTable,
    spread: Spread,
    theme_partials: Vec<Partial>,
    /// The Poisson bootstrap of each contrast over its clusters.
    pub bootstrap: Bootstrap,
    /// The group's first example sentences, for the report.
    pub examples: GroupExamples,
}

impl GroupSums {
    fn new(themes: usize, contrasts: usize) -> GroupSums {
        GroupSums {
            counts: Counts {
                themes: vec![Default::default(); themes],
                contrasts: vec![Default::default(); contrasts],
                ..Default::default()
            },
            theme_documents: vec![0; themes],
            contrast_documents: vec![0; contrasts],
            theme_partials: vec![Partial::default(); themes],
            bootstrap: Bootstrap::new(contrasts),
            ..Default::default()
        }
    }

    /// A document's own counts but its terms' (those come with its cluster: with the document
    /// itself, [`GroupSums::add_document_cluster`], or at the end). Only the themes and
    /// contrasts the document has something of are touched.
    fn add_document(&mut self, doc: &Doc<'_>) {
        self.documents += 1;
        let counts = &mut self.counts;
        counts.tokens += doc.tokens;
        counts.sentences += doc.sentences;
        counts.paragraphs += doc.paragraphs;
        for (t, tally) in doc.themes {
            let sum = grown(&mut counts.themes, *t as usize);
            sum.count += tally.count;
            sum.negated += tally.negated;
            sum.weight += tally.weight;
            if tally.count > 0 {
                *grown(&mut self.theme_documents, *t as usize) += 1;
            }
        }
        for (c, tally) in doc.contrasts {
            *grown(&mut counts.contrasts, *c as usize) += tally;
            if tally.left.hits + tally.right.hits > 0 {
                *grown(&mut self.contrast_documents, *c as usize) += 1;
            }
        }
    }

    /// What [`Plain`] documents add: each its document and its complete cluster, as
    /// [`GroupSums::add_document`] and [`GroupSums::add_document_cluster`] add them.
    fn add_plain(&mut self, plain: &Plain) {
        self.documents += plain.documents;
        self.counts.tokens += plain.tokens;
        self.counts.sentences += plain.sentences;
        self.counts.paragraphs += plain.paragraphs;
        self.spread.n += plain.documents;
        self.spread.tokens += plain.tokens;
        self.spread.tokens2 += plain.tokens2;
    }

    /// A complete cluster: its spread, partial sums and bootstrap weights (its documents' term
    /// hits are in).
    fn add_cluster(&mut self, part: &ClusterPart, weights: &mut Weights) {
        let themes = part.themes.iter().copied().enumerate();
        self.add_cluster_of(part.seed, part.tokens, themes, &part.poles, weights);
        for (&term, &count) in &part.terms {
            self.terms.add(term, count, part.tokens);
        }
    }

    /// A document that is its own cluster (no [`ClusterPart`] to make), with its term hits;
    /// `poles` are its pole sums per contrast.
    fn add_document_cluster(&mut self, doc: &Doc<'_>, poles: &[(u64, u64)], weights: &mut Weights) {
        let themes = (doc.themes.iter()).map(|(t, tally)| (*t as usize, tally.count));
        self.add_cluster_of(doc.seed, doc.tokens, themes, poles, weights);
        for t in doc.terms {
            self.terms.add(t.term, t.hits, doc.tokens);
        }
    }

    /// A complete cluster of `tokens` tokens, its counts per theme (theme, count) and its pole
    /// sums per contrast (its terms' sums are the caller's).
    fn add_cluster_of(
        &mut self,
        seed: u64,
        tokens: u64,
        themes: impl Iterator<Item = (usize, u64)>,
        poles: &[(u64, u64)],
        weights: &mut Weights,
    ) {
        self.spread.n += 1;
        self.spread.tokens += tokens;
        self.spread.tokens2 += u128::from(tokens) * u128::from(tokens);
        // A theme without a count adds nothing.
        for (t, count) in themes {
            if count > 0 {
                grown(&mut self.theme_partials, t).add(count, tokens);
            }
        }
        self.bootstrap.add_cluster(weights, seed, poles);
    }

    /// Adds another group's sums (the corpus is the sum of its groups).
    fn merge(&mut self, o: &GroupSums) {
        self.documents += o.documents;
        self.counts += &o.counts;
        crate::count::add_vec(&mut self.theme_documents, &o.theme_documents);
        crate::count::add_vec(&mut self.contrast_documents, &o.contrast_documents);
        self.terms.merge(&o.terms);
        self.spread.n += o.spread.n;
        self.spread.tokens += o.spread.tokens;
        self.spread.tokens2 += o.spread.tokens2;
        for (p, q) in self.theme_partials.iter_mut().zip(&o.theme_partials) {
            p.merge(q);
        }
        self.bootstrap += &o.bootstrap;
        self.examples.merge(&o.examples);
    }

    /// The 95 % interval of contrast `c`'s balance: the Poisson bootstrap over the group's
    /// clusters, or, when its hits lie in one cluster only, the Wilson interval of its hits.
    pub fn balance_interval(&self, c: usize) -> Option<(f64, f64)> {
        match self.bootstrap.clusters_with_hits(c) {
            0 => None,
            1 => {
                let score = crate::score::score_contrast(&self.counts.contrasts[c]);
                score.ci_low.zip(score.ci_high)
            }
            _ => self.bootstrap.replicates[c].interval(),
        }
    }

    /// The hits of term `term` (global term id), if it has any here (once every cluster is
    /// complete: after [`Sums::finish`]).
    pub fn term_hits(&self, term: u32) -> Option<u64> {
        self.terms.get(term).map(|t| t.count)
    }

    /// Every term with hits here (global term id) and its hits, in no particular order (once
    /// every cluster is complete).
    pub fn terms_with_hits(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        (self.terms.iter()).filter_map(|(term, t)| (t.count > 0).then_some((term, t.count)))
    }

    /// Tokens.
    pub fn tokens(&self) -> u64 {
        self.counts.tokens
    }

    /// The cluster sums of theme `theme`, for its rate's interval.
    pub fn theme_clusters(&self, theme: usize) -> ClusterSums {
        self.theme_partials[theme].with(&self.spread)
    }

    /// The cluster sums of theme `theme` in `corpus` outside this group.
    pub fn theme_clusters_rest(&self, corpus: &GroupSums, theme: usize) -> ClusterSums {
        let rest = corpus.theme_partials[theme].minus(&self.theme_partials[theme]);
        rest.with(&corpus.spread_minus(&self.spread))
    }

    /// The cluster sums of term `term` here and in `corpus` outside this group.
    pub fn term_clusters(&self, corpus: &GroupSums, term: u32) -> (ClusterSums, ClusterSums) {
        let here = self.terms.get(term).unwrap_or_default();
        let all = corpus.terms.get(term).unwrap_or_default();
        (
            here.with(&self.spread),
            all.minus(&here).with(&corpus.spread_minus(&self.spread)),
        )
    }

    fn spread_minus(&self, o: &Spread) -> Spread {
        Spread {
            n: self.spread.n.saturating_sub(o.n),
            tokens: self.spread.tokens.saturating_sub(o.tokens),
            tokens2: self.spread.tokens2.saturating_sub(o.tokens2),
        }
    }
}

/// The sum of `sums` (as [`GroupSums::merge`] adds them one by one), added in parts on `jobs`
/// threads: the same integers in any order.
fn sum_of(sums: &[&GroupSums], themes: usize, contrasts: usize, jobs: usize) -> GroupSums {
    let add_up = |part: &[&GroupSums]| {
        let mut total = GroupSums::new(themes, contrasts);
        part.iter().for_each(|s| total.merge(s));
        total
    };
    let parts: Vec<&[&GroupSums]> = sums
        .chunks(sums.len().div_ceil(jobs.max(1)).max(1))
        .collect();
    let totals = crate::parallel::map(&parts, jobs, |part| add_up(part));
    add_up(&totals.iter().collect::<Vec<_>>())
}

/// One grouping's sums as documents come in.
#[derive(Debug)]
struct Accumulator {
    grouping: Grouping,
    /// Keys in order of first appearance, and their sums.
    keys: Keys,
    sums: Vec<GroupSums>,
    missing: GroupSums,
    has_missing: bool,
    /// Per key, and for `(missing)`, which example sentences its group holds
    /// ([`GroupExamples::kept_bits`]), kept apart from its sums in an array that stays in the
    /// cache when many groups take turns.
    kept: Vec<[u64; 2]>,
    missing_kept: [u64; 2],
    /// Per key, and for `(missing)`, what its [`Plain`] documents add, until the end.
    plain: Vec<Plain>,
    missing_plain: Plain,
    /// With `--cluster-by`: per (key index, or none for `(missing)`; cluster value) the
    /// cluster's part in that group, until the end.
    pending: HashMap<(Option<usize>, String), ClusterPart>,
}

impl Accumulator {
    /// The slot of the group of a document with id `id` and cells `meta` (`None`:
    /// `(missing)`); a new group's sums are made for `themes` themes and `contrasts` contrasts.
    fn slot(
        &mut self,
        id: &str,
        meta: &[String],
        (themes, contrasts): (usize, usize),
    ) -> Option<usize> {
        let slot = self.keys.slot(&self.grouping, id, meta);
        match slot {
            Some(k) if k == self.sums.len() => {
                self.sums.push(GroupSums::new(themes, contrasts));
                self.kept.push([0; 2]);
                self.plain.push(Plain::default());
            }
            Some(_) => {}
            None => self.has_missing = true,
        }
        slot
    }

    /// The sums of the group in slot `slot` (`None`: `(missing)`).
    fn sums_at(&mut self, slot: Option<usize>) -> &mut GroupSums {
        match slot.and_then(|k| self.sums.get_mut(k)) {
            Some(sums) => sums,
            None => &mut self.missing,
        }
    }

    /// Offers the group in slot `slot` a document's example sentences, if `offers` says it
    /// lacks one of them.
    fn offer(&mut self, slot: Option<usize>, offered: &Offered<'_>, offers: &Offers) {
        if offers.new_to(*self.kept_at(slot)) {
            let examples = &mut self.sums_at(slot).examples;
            examples.offer(offered);
            let bits = examples.kept_bits();
            *self.kept_at(slot) = bits;
        }
    }

    /// What the [`Plain`] documents of the group in slot `slot` add (`None`: `(missing)`).
    fn plain_at(&mut self, slot: Option<usize>) -> &mut Plain {
        match slot.and_then(|k| self.plain.get_mut(k)) {
            Some(plain) => plain,
            None => &mut self.missing_plain,
        }
    }

    /// Adds the [`Plain`] documents to their groups' sums.
    fn settle_plain(&mut self) {
        for (sums, plain) in self.sums.iter_mut().zip(&mut self.plain) {
            sums.add_plain(&std::mem::take(plain));
        }
        self.missing
            .add_plain(&std::mem::take(&mut self.missing_plain));
    }

    /// The bits of the example sentences the group in slot `slot` holds (`None`: `(missing)`).
    fn kept_at(&mut self, slot: Option<usize>) -> &mut [u64; 2] {
        match slot.and_then(|k| self.kept.get_mut(k)) {
            Some(kept) => kept,
            None => &mut self.missing_kept,
        }
    }
}

/// The sums of every grouping of a run.
#[derive(Debug)]
pub struct Sums {
    groupings: Vec<Accumulator>,
    /// The `--cluster-by` column's index among the metadata columns, if any.
    cluster_by: Option<usize>,
    themes: usize,
    contrasts: usize,
    /// The last cluster's bootstrap weights, shared by its groupings and contrasts.
    weights: Weights,
    /// The corpus's bootstrap (the `(corpus)` rows of `contrasts.csv`), and with
    /// `--cluster-by` its clusters' pole sums until the end.
    corpus: Bootstrap,
    corpus_pending: HashMap<String, (u64, Vec<(u64, u64)>)>,
    /// The last document's pole sums (kept to be reused: nothing allocated per document).
    poles: Vec<(u64, u64)>,
    /// The documents not yet added to their groups' sums.
    batch: Batch,
}

/// A grouping's groups, in file order, with their sums, and the corpus's sums.
#[derive(Debug, PartialEq)]
pub struct Grouped {
    /// The SPEC as given.
    pub spec: String,
    /// Each group and its sums.
    pub groups: Vec<(Group, GroupSums)>,
    /// The sums of the whole corpus.
    pub corpus: GroupSums,
    /// Documents in `(missing)`.
    pub missing_documents: u64,
    /// Whether the groups are the periods of one date column, in time order, every period
    /// from the first to the last (then `(missing)`).
    pub timeline: bool,
    /// Per group (in the order of `groups`), per contrast, its balance's 95 % interval
    /// ([`GroupSums::balance_interval`]), computed once for the files, charts and report.
    pub intervals: Vec<Vec<Option<(f64, f64)>>>,
}

impl Sums {
    /// Sums for `groupings`, clustered by the metadata column `cluster_by` (by document when
    /// `None`), for a lexicon of `themes` themes and `contrasts` contrasts.
    pub fn new(
        groupings: Vec<Grouping>,
        cluster_by: Option<usize>,
        themes: usize,
        contrasts: usize,
    ) -> Sums {
        Sums::with_window(groupings, cluster_by, (themes, contrasts), batch::WINDOW)
    }

    /// [`Sums::new`] adding documents to their groups `window` at a time.
    fn with_window(
        groupings: Vec<Grouping>,
        cluster_by: Option<usize>,
        (themes, contrasts): (usize, usize),
        window: usize,
    ) -> Sums {
        Sums {
            batch: Batch::new(groupings.len(), window),
            groupings: groupings
                .into_iter()
                .map(|grouping| Accumulator {
                    grouping,
                    keys: Keys::default(),
                    sums: Vec::new(),
                    missing: GroupSums::new(themes, contrasts),
                    has_missing: false,
                    kept: Vec::new(),
                    missing_kept: [0; 2],
                    plain: Vec::new(),
                    missing_plain: Plain::default(),
                    pending: HashMap::new(),
                })
                .collect(),
            cluster_by,
            themes,
            contrasts,
            weights: Weights::default(),
            corpus: Bootstrap::new(contrasts),
            corpus_pending: HashMap::new(),
            poles: Vec::new(),
        }
    }

    /// Adds a document: its `id`, metadata cells `meta`, `counts`, `terms` and the example
    /// sentences it `offered`; `text_sha256` is the SHA-256 of its text as analysed (its seed
    /// when it is its own cluster). Its groups are found now, and its sentences offered to
    /// them, in corpus order; its counts join their sums with the window's other documents,
    /// or, without a hit and its own cluster, its size joins its groups' `Plain` sums.
    pub fn add(
        &mut self,
        id: &str,
        meta: &[String],
        text_sha256: &[u8; 32],
        counts: &Counts,
        terms: &[TermCount],
        offered: &Offered<'_>,
    ) {
        // A document without a value in the `--cluster-by` column is a cluster of its own
        // (lumping every such document into one cluster would make one giant unit).
        let cluster =
            (self.cluster_by).and_then(|i| meta.get(i).map(|v| v.trim()).filter(|v| !v.is_empty()));
        let seed = match cluster {
            Some(value) => seed_of(&Sha256::digest(value.as_bytes()).into()),
            None => seed_of(text_sha256),
        };
        self.add_to_corpus(cluster, seed, counts, offered.hitless);
        if self.groupings.is_empty() {
            return;
        }
        let sizes = (self.themes, self.contrasts);
        if offered.hitless && cluster.is_none() {
            for acc in &mut self.groupings {
                let slot = acc.slot(id, meta, sizes);
                acc.plain_at(slot).add(counts);
            }
            return;
        }
        let offers = (!offered.hitless).then(|| Offers::of(offered));
        self.batch
            .push((counts, terms, offered.hitless), seed, cluster);
        for (g, acc) in self.groupings.iter_mut().enumerate() {
            let slot = acc.slot(id, meta, sizes);
            if let Some(offers) = &offers {
                acc.offer(slot, offered, offers);
            }
            self.batch.push_slot(g, slot);
        }
        if self.batch.is_full() {
            self.flush();
        }
    }

    /// What a document adds to the corpus's bootstrap: its cluster, when it is one, or its
    /// pole sums to its cluster's.
    fn add_to_corpus(&mut self, cluster: Option<&str>, seed: u64, counts: &Counts, hitless: bool) {
        if cluster.is_none() && hitless {
            // Its own cluster without a pole hit: nothing.
            return;
        }
        let mut poles = std::mem::take(&mut self.poles);
        poles.clear();
        poles.extend((counts.contrasts.iter()).map(|c| (c.left.weight, c.right.weight)));
        match cluster {
            None if self.groupings.is_empty() || self.cluster_by.is_some() => {
                self.corpus.add_cluster(&mut self.weights, seed, &poles)
            }
            // The corpus's replicate sums are then those of the first grouping's groups, added
            // at the end (the same integers: each document is in one group); here the document
            // is only counted.
            None => self.corpus.count_cluster(&poles),
            Some(value) => {
                let contrasts = self.contrasts;
                let (_, sums) = (self.corpus_pending.entry(value.to_string()))
                    .or_insert_with(|| (seed, vec![(0, 0); contrasts]));
                for (sum, (l, r)) in sums.iter_mut().zip(&poles) {
                    sum.0 += l;
                    sum.1 += r;
                }
            }
        }
        self.poles = poles;
    }

    /// Adds every document to its groups' sums: the window's and the [`Plain`] ones.
    fn settle(&mut self) {
        self.flush();
        self.groupings
            .iter_mut()
            .for_each(Accumulator::settle_plain);
    }

    /// Adds the window's documents to their groups' sums, a group at a time
    /// ([`Batch::order`]), and empties it.
    fn flush(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let (themes, contrasts) = (self.themes, self.contrasts);
        let mut poles = std::mem::take(&mut self.poles);
        let Sums {
            batch,
            groupings,
            weights,
            ..
        } = self;
        for i in batch.order() {
            let doc = batch.doc(i);
            poles.clear();
            poles.resize(contrasts, (0, 0));
            for (c, tally) in doc.contrasts {
                *grown(&mut poles, *c as usize) = (tally.left.weight, tally.right.weight);
            }
            for (g, acc) in groupings.iter_mut().enumerate() {
                let slot = batch.slot(g, i);
                match doc.cluster {
                    None => {
                        let sums = acc.sums_at(slot);
                        sums.add_document(&doc);
                        sums.add_document_cluster(&doc, &poles, weights);
                    }
                    Some(value) => {
                        acc.sums_at(slot).add_document(&doc);
                        (acc.pending.entry((slot, value.to_string())))
                            .or_insert_with(|| ClusterPart::new(doc.seed, themes, contrasts))
                            .add(&doc);
                    }
                }
            }
        }
        batch.clear();
        self.poles = poles;
    }

    /// The corpus's bootstrap and the groupings' groups in file order with their sums, the
    /// sums over groups and the groups' intervals computed on `jobs` threads; an error when a
    /// date grouping spans too many periods.
    pub fn finish(mut self, jobs: usize) -> Result<(Bootstrap, Vec<Grouped>), String> {
        self.settle();
        // Clusters complete in a fixed order (by value), so that the sums are added alike in
        // every run.
        let mut pending: Vec<_> = self.corpus_pending.drain().collect();
        pending.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, (seed, poles)) in pending {
            self.corpus.add_cluster(&mut self.weights, seed, &poles);
        }
        let mut out = Vec::with_capacity(self.groupings.len());
        for mut acc in std::mem::take(&mut self.groupings) {
            // Clusters complete: in a fixed order (by group, then value), so that the
            // replicate sums are added alike in every run.
            let mut pending: Vec<_> = acc.pending.drain().collect();
            pending.sort_by(|a, b| a.0.cmp(&b.0));
            for ((slot, _), part) in pending {
                let sums = match slot {
                    Some(k) => &mut acc.sums[k],
                    None => &mut acc.missing,
                };
                sums.add_cluster(&part, &mut self.weights);
            }
            let order = acc.grouping.order(acc.keys.keys(), acc.has_missing)?;
            let all: Vec<&GroupSums> = acc.sums.iter().chain([&acc.missing]).collect();
            let corpus = sum_of(&all, self.themes, self.contrasts, jobs);
            // A group's sums are moved out of the key's (a group of several keys, as a run of
            // years, sums them), so that they are not held twice.
            let missing_documents = acc.missing.documents;
            let groups: Vec<(Group, GroupSums)> = order
                .into_iter()
                .map(|group| {
                    let mut sums = if group.missing {
                        std::mem::take(&mut acc.missing)
                    } else {
                        GroupSums::new(self.themes, self.contrasts)
                    };
                    for key in &group.keys {
                        if let Some(k) = acc.keys.get(key) {
                            match group.keys.len() {
                                1 => sums = std::mem::take(&mut acc.sums[k]),
                                _ => sums.merge(&acc.sums[k]),
                            }
                        }
                    }
                    (group, sums)
                })
                .collect();
            let contrasts = self.contrasts;
            let intervals = crate::parallel::map(&groups, jobs, |(_, sums)| {
                (0..contrasts).map(|c| sums.balance_interval(c)).collect()
            });
            out.push(Grouped {
                spec: acc.grouping.spec.clone(),
                groups,
                missing_documents,
                corpus,
                timeline: acc.grouping.is_timeline(),
                intervals,
            });
        }
        if self.cluster_by.is_none() {
            if let Some(first) = out.first() {
                self.corpus.replicates = first.corpus.bootstrap.replicates.clone();
            }
        }
        Ok((std::mem::take(&mut self.corpus), out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::{ContrastTally, PoleTally, ThemeTally};
    use crate::group::GroupSpec;

    /// A document's counts: `tokens`, theme counts, and one contrast (L, R) of weights 1.
    fn counts(tokens: u64, themes: &[u64], (l, r): (u64, u64)) -> Counts {
        let pole = |hits: u64| PoleTally {
            hits,
            weight: hits,
            weight_sq: u128::from(hits),
        };
        Counts {
            tokens,
            sentences: 1,
            paragraphs: 1,
            themes: themes
                .iter()
                .map(|&count| ThemeTally {
                    count,
                    weight: count,
                    ..Default::default()
                })
                .collect(),
            contrasts: vec![ContrastTally {
                left: pole(l),
                right: pole(r),
                ..Default::default()
            }],
        }
    }

    fn grouping(spec: &str) -> Grouping {
        let columns = [
            "party".to_string(),
            "year".to_string(),
            "president".to_string(),
        ];
        Grouping::new(&GroupSpec::parse(spec).unwrap(), &columns).unwrap()
    }

    fn meta(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    type Doc = (&'static str, Vec<String>, Counts);

    fn corpus() -> Vec<Doc> {
        vec![
            (
                "a",
                meta(&["D", "1933", "FDR"]),
                counts(100, &[3, 0], (1, 2)),
            ),
            (
                "b",
                meta(&["R", "1953", "Ike"]),
                counts(200, &[1, 4], (3, 0)),
            ),
            (
                "c",
                meta(&["D", "1937", "FDR"]),
                counts(50, &[0, 1], (0, 1)),
            ),
            ("d", meta(&["", "1961", "JFK"]), counts(80, &[2, 2], (1, 1))),
        ]
    }

    fn sums_of(docs: &[Doc], specs: &[&str], cluster_by: Option<usize>) -> Vec<Grouped> {
        finished_on(docs, specs, cluster_by, 1)
    }

    /// The groupings `specs` of `docs`, added `window` documents at a time and finished on
    /// `jobs` threads.
    fn finished_in(
        docs: &[Doc],
        specs: &[&str],
        cluster_by: Option<usize>,
        window_jobs: (usize, usize),
    ) -> Vec<Grouped> {
        finished_marked(docs, specs, cluster_by, window_jobs, true)
    }

    /// [`finished_in`], with the documents without a hit marked `hitless` or (`mark` false)
    /// read whole.
    fn finished_marked(
        docs: &[Doc],
        specs: &[&str],
        cluster_by: Option<usize>,
        (window, jobs): (usize, usize),
        mark: bool,
    ) -> Vec<Grouped> {
        let groupings = specs.iter().map(|s| grouping(s)).collect();
        let mut sums = Sums::with_window(groupings, cluster_by, (2, 1), window);
        add_all(&mut sums, docs, mark);
        sums.finish(jobs).unwrap().1
    }

    /// Adds `docs`, each with one term (7) of theme 0's count of hits and, for each theme it
    /// has a hit of, an example sentence (its id); with `mark`, those without a hit marked
    /// `hitless`, as the workers mark them (their size alone is added).
    fn add_all(sums: &mut Sums, docs: &[Doc], mark: bool) {
        for (order, (id, m, c)) in docs.iter().enumerate() {
            let sha: [u8; 32] = Sha256::digest(id.as_bytes()).into();
            let terms = [TermCount {
                term: 7,
                hits: c.themes[0].count,
                live_weight: 0,
            }];
            let terms = &terms[..usize::from(c.themes[0].count > 0)];
            let examples: Vec<Vec<Example>> = (c.themes.iter())
                .map(|t| match t.count {
                    0 => Vec::new(),
                    _ => vec![Example {
                        document: id.to_string(),
                        sentence: 0,
                        text: id.to_string(),
                        marks: Vec::new(),
                    }],
                })
                .collect();
            let offered = Offered {
                order,
                examples: &examples,
                hitless: mark && crate::count::hitless(c, terms, &Default::default()),
                ..Default::default()
            };
            sums.add(id, m, &sha, c, terms, &offered);
        }
    }

    /// The groupings `specs` of `docs`, finished on `jobs` threads.
    fn finished_on(
        docs: &[Doc],
        specs: &[&str],
        cluster_by: Option<usize>,
        jobs: usize,
    ) -> Vec<Grouped> {
        finished_in(docs, specs, cluster_by, (batch::WINDOW, jobs))
    }

    /// The sums over groups and the groups' intervals, computed on several threads, are those
    /// computed on one.
    #[test]
    fn finishing_on_several_threads_is_finishing_on_one() {
        let parties = ["D", "R", "W", "F", ""];
        let docs: Vec<Doc> = (0..60u64)
            .map(|i| {
                let (party, year) = (parties[(i % 5) as usize], 1900 + i * 7 % 50);
                let cells = meta(&[party, &year.to_string(), &format!("P{}", i % 9)]);
                let c = counts(50 + i * 13 % 70, &[i % 4, i % 3], (i % 3, (i + 1) % 4));
                (format!("d{i}").leak() as &str, cells, c)
            })
            .collect();
        for cluster_by in [None, Some(2)] {
            let one = finished_on(&docs, &["party", "year:decade"], cluster_by, 1);
            assert!(one[0].intervals.iter().any(|i| i[0].is_some()));
            assert_eq!(one[0].intervals.len(), one[0].groups.len());
            for jobs in [2, 3, 8] {
                let many = finished_on(&docs, &["party", "year:decade"], cluster_by, jobs);
                assert_eq!(many, one, "jobs {jobs}, cluster_by {cluster_by:?}");
            }
        }
    }

    /// Random documents: party (one of five, or none), year, president, two theme tallies (with
    /// negated hits and weights), one contrast (left, right, tension sentences).
    fn random_docs() -> impl proptest::strategy::Strategy<Value = Vec<Doc>> {
        use proptest::prelude::*;
        let doc = (0usize..6, 0u64..40, 0usize..4, 1u64..90)
            .prop_flat_map(|cells| (Just(cells), proptest::collection::vec(0u64..3, 9)))
            .prop_map(|((party, year, president, tokens), mut v)| {
                // A third of them without a hit (but sentences): their size alone is added.
                if v[8] == 0 {
                    v[..8].iter_mut().for_each(|x| *x = 0);
                    v[8] = (tokens % 4) + 1;
                }
                let parties = ["D", "R", "W", "F", "X", ""];
                let cells = meta(&[
                    parties[party],
                    &(1900 + year).to_string(),
                    ["FDR", "Ike", "JFK", ""][president],
                ]);
                let mut c = counts(tokens, &[v[0], v[1]], (v[2], v[3]));
                c.themes[0].negated = v[4].min(v[0]);
                c.themes[1].weight = v[5] * 3;
                c.contrasts[0].tension_sentences = v[6];
                c.contrasts[0].left.weight = v[2] * 2 + v[7];
                c.sentences = v[8];
                let id = format!("{party}-{year}-{tokens}-{v:?}");
                (id.leak() as &str, cells, c)
            });
        proptest::collection::vec(doc, 1..50)
    }

    proptest::proptest! {
        /// Documents added a window at a time, in any window, and those without a hit by their
        /// size alone, give the sums of adding them one by one, each read whole; a group's
        /// counts are the sum (`+=`) of its documents' counts.
        #[test]
        fn any_window_gives_the_same_sums(docs in random_docs()) {
            for cluster_by in [None, Some(2)] {
                let specs = ["party", "year:decade"];
                let one = finished_marked(&docs, &specs, cluster_by, (1, 1), false);
                for window in [1, 2, 7, batch::WINDOW] {
                    let other = finished_in(&docs, &specs, cluster_by, (window, 1));
                    proptest::prop_assert_eq!(&other, &one, "window {}", window);
                }
                for (group, sums) in &one[0].groups {
                    let mut dense = Counts {
                        themes: vec![Default::default(); 2],
                        contrasts: vec![Default::default(); 1],
                        ..Default::default()
                    };
                    let party = |m: &[String]| {
                        if m[0].is_empty() { "(missing)".to_string() } else { m[0].clone() }
                    };
                    for (_, _, c) in docs.iter().filter(|(_, m, _)| party(m) == group.label) {
                        dense += c;
                    }
                    proptest::prop_assert_eq!(&sums.counts, &dense, "{}", group.label);
                    // The group's example of theme 0: its first document with a hit of it.
                    let first = (docs.iter())
                        .find(|(_, m, c)| party(m) == group.label && c.themes[0].count > 0)
                        .map(|(id, _, _)| id.to_string());
                    let kept = sums.examples.themes.first().cloned().flatten();
                    proptest::prop_assert_eq!(kept.map(|(_, e)| e.document), first);
                }
            }
        }
    }

    /// Documents without a hit marked `hitless` (their size alone added) give the groups and
    /// the corpus's bootstrap that reading them whole gives.
    #[test]
    fn hitless_documents_add_what_reading_them_whole_adds() {
        let mut docs = corpus();
        let none = (0, 0);
        docs.insert(
            1,
            ("e", meta(&["R", "1957", "Ike"]), counts(30, &[0, 0], none)),
        );
        docs.push(("f", meta(&["W", "1941", "FDR"]), counts(0, &[0, 0], none)));
        docs.push(("g", meta(&["D", "", ""]), counts(9, &[0, 0], none)));
        for cluster_by in [None, Some(2)] {
            let run = |mark: bool| {
                let groupings = vec![grouping("party"), grouping("year:decade")];
                let mut sums = Sums::new(groupings, cluster_by, 2, 1);
                for (id, m, c) in &docs {
                    let sha: [u8; 32] = Sha256::digest(id.as_bytes()).into();
                    let hitless = mark && crate::count::hitless(c, &[], &Default::default());
                    let offered = Offered {
                        hitless,
                        ..Default::default()
                    };
                    sums.add(id, m, &sha, c, &[], &offered);
                }
                sums.finish(1).unwrap()
            };
            let (marked, whole) = (run(true), run(false));
            assert_eq!(marked, whole, "{cluster_by:?}");
            assert_eq!(whole.1[0].groups[1].1.tokens(), 230, "{cluster_by:?}");
        }
    }

    /// The corpus's bootstrap of a grouped run, which takes its replicate sums from the first
    /// grouping's groups, is that of a run without groupings.
    #[test]
    fn the_corpus_bootstrap_does_not_depend_on_groupings() {
        for cluster_by in [None, Some(2)] {
            let bootstrap = |specs: &[&str]| {
                let mut sums = Sums::new(
                    specs.iter().map(|s| grouping(s)).collect(),
                    cluster_by,
                    2,
                    1,
                );
                for (id, m, c) in &corpus() {
                    let sha: [u8; 32] = Sha256::digest(id.as_bytes()).into();
                    sums.add(id, m, &sha, c, &[], &Offered::default());
                }
                sums.finish(2).unwrap().0
            };
            let alone = bootstrap(&[]);
            assert_eq!(
                alone.clusters_with_hits(0),
                if cluster_by.is_some() { 3 } else { 4 }
            );
            assert_eq!(bootstrap(&["party", "year:decade"]), alone);
            assert_eq!(bootstrap(&["year:decade"]), alone);
        }
    }

    #[test]
    fn groups_add_up_to_the_corpus() {
        let grouped = sums_of(&corpus(), &["party", "year:decade"], None);
        let party = &grouped[0];
        let labels: Vec<&str> = party.groups.iter().map(|(g, _)| g.label.as_str()).collect();
        assert_eq!(labels, ["D", "R", "(missing)"]);
        let d = &party.groups[0].1;
        assert_eq!((d.documents, d.tokens()), (2, 150));
        assert_eq!(d.counts.themes[0].count, 3);
        assert_eq!(d.theme_documents, [1, 1]);
        assert_eq!(d.contrast_documents, [2]);
        assert_eq!(d.term_hits(7), Some(3));
        assert_eq!(party.missing_documents, 1);
        for g in &grouped {
            let docs: u64 = g.groups.iter().map(|(_, s)| s.documents).sum();
            let tokens: u64 = g.groups.iter().map(|(_, s)| s.tokens()).sum();
            let theme1: u64 = g.groups.iter().map(|(_, s)| s.counts.themes[1].count).sum();
            assert_eq!((docs, tokens, theme1), (4, 430, 7), "{}", g.spec);
            assert_eq!(g.corpus.documents, 4);
            // The replicate sums of the groups add up to the corpus's.
            let mut all = Bootstrap::new(1);
            for (_, s) in &g.groups {
                all += &s.bootstrap;
            }
            assert_eq!(all.replicates, g.corpus.bootstrap.replicates);
        }
        let decades: Vec<&str> = (grouped[1].groups.iter())
            .map(|(g, _)| g.label.as_str())
            .collect();
        assert_eq!(decades, ["1930s", "1940s", "1950s", "1960s"]);
        assert_eq!(grouped[1].groups[1].1.documents, 0);
    }

    #[test]
    fn any_document_order_gives_the_same_sums() {
        let docs = corpus();
        let mut reversed = docs.clone();
        reversed.reverse();
        for cluster_by in [None, Some(2)] {
            let a = sums_of(&docs, &["year:decade"], cluster_by);
            let b = sums_of(&reversed, &["year:decade"], cluster_by);
            for ((ga, sa), (gb, sb)) in a[0].groups.iter().zip(&b[0].groups) {
                assert_eq!(ga.label, gb.label);
                assert_eq!(sa.bootstrap, sb.bootstrap);
                assert_eq!(sa.theme_clusters(0), sb.theme_clusters(0));
                assert_eq!(sa.counts, sb.counts);
            }
        }
    }

    #[test]
    fn a_document_without_a_cluster_value_is_its_own_cluster() {
        // Two documents of party R without a president: two clusters, not one.
        let docs = vec![
            ("a", meta(&["R", "1953", ""]), counts(100, &[3, 0], (1, 2))),
            ("b", meta(&["R", "1957", " "]), counts(100, &[1, 0], (2, 1))),
        ];
        let grouped = sums_of(&docs, &["party"], Some(2));
        assert_eq!(grouped[0].groups[0].1.theme_clusters(0).n, 2);
        assert_eq!(grouped[0].groups[0].1.bootstrap.clusters_with_hits(0), 2);
    }

    #[test]
    fn clusters_by_a_column_join_their_documents() {
        // FDR's two speeches are one cluster of the D group: two documents, one cluster.
        let by_doc = sums_of(&corpus(), &["party"], None);
        let by_president = sums_of(&corpus(), &["party"], Some(2));
        let d_doc = by_doc[0].groups[0].1.theme_clusters(0);
        let d_pres = by_president[0].groups[0].1.theme_clusters(0);
        assert_eq!((d_doc.n, d_pres.n), (2, 1));
        assert_eq!((d_pres.count, d_pres.tokens), (3, 150));
        assert_eq!(d_pres.count2, 9);
        assert_eq!(
            by_president[0].groups[0].1.bootstrap.clusters_with_hits(0),
            1
        );
        assert_eq!(by_doc[0].groups[0].1.bootstrap.clusters_with_hits(0), 2);
        // The rest of the corpus: R and (missing), 280 tokens, 3 hits of theme 0.
        let d = &by_president[0].groups[0].1;
        let rest = d.theme_clusters_rest(&by_president[0].corpus, 0);
        assert_eq!((rest.n, rest.count, rest.tokens), (2, 3, 280));
        let (here, rest) = d.term_clusters(&by_president[0].corpus, 7);
        assert_eq!((here.count, rest.count), (3, 3));
    }

    /// A document offers its sentences to a group only when its bits say the group lacks one;
    /// the group keeps the same first sentences as when every document offers them all, past
    /// the 64th theme too.
    #[test]
    fn bits_say_what_a_group_holds() {
        let example = |sentence: usize| Example {
            document: String::new(),
            sentence,
            text: String::new(),
            marks: Vec::new(),
        };
        let lists = |themes: &[usize], with: Option<usize>| {
            let mut examples = vec![Vec::new(); 70];
            for &t in themes {
                examples[t] = vec![example(t * 10 + with.unwrap_or(0))];
            }
            examples
        };
        let docs = [
            lists(&[0, 3], Some(1)),
            lists(&[3], Some(2)),
            lists(&[0, 5], Some(3)),
            lists(&[65], Some(4)),
            lists(&[65, 3], Some(5)),
            lists(&[], None),
        ];
        let (mut all, mut by_bits) = (GroupExamples::default(), GroupExamples::default());
        let mut kept = [0u64; 2];
        for (order, examples) in docs.iter().enumerate() {
            let offered = Offered {
                order,
                examples,
                tension: &[],
                ..Default::default()
            };
            all.offer(&offered);
            if Offers::of(&offered).new_to(kept) {
                by_bits.offer(&offered);
                kept = by_bits.kept_bits();
            }
        }
        assert_eq!(by_bits, all);
        assert_eq!(kept, [(1 << 0) | (1 << 3) | (1 << 5), 0]);
        let first = |t: usize| all.themes[t].as_ref().map(|(o, e)| (*o, e.sentence));
        assert_eq!(
            [first(0), first(3), first(5), first(65)],
            [Some((0, 1)), Some((0, 31)), Some((2, 53)), Some((3, 654))]
        );
        let held = Offered {
            order: 9,
            examples: &docs[1],
            tension: &[],
            ..Default::default()
        };
        assert!(!Offers::of(&held).new_to(kept));
        let past_64 = Offered {
            order: 9,
            examples: &docs[3],
            tension: &[],
            ..Default::default()
        };
        assert!(Offers::of(&past_64).new_to(kept));
    }

    #[test]
    fn a_group_keeps_its_first_sentences_in_corpus_order() {
        let example = |document: &str, sentence: usize| Example {
            document: document.to_string(),
            sentence,
            text: String::new(),
            marks: Vec::new(),
        };
        // Two themes, one contrast; documents 3 and 5 in one part, 4 in another.
        let offered = |order, theme0: Vec<Example>, tension: Vec<Example>| {
            let examples = vec![theme0, Vec::new()];
            let tension = vec![tension];
            let mut kept = GroupExamples::default();
            kept.offer(&Offered {
                order,
                examples: &examples,
                tension: &tension,
                ..Default::default()
            });
            kept
        };
        let mut a = offered(3, vec![example("c", 1), example("c", 2)], Vec::new());
        a.merge(&offered(5, vec![example("e", 0)], vec![example("e", 0)]));
        let b = offered(4, vec![example("d", 7)], vec![example("d", 9)]);
        let first = |k: &Option<(usize, Example)>| k.as_ref().map(|(o, e)| (*o, e.sentence));
        assert_eq!(first(&a.themes[0]), Some((3, 1)));
        assert_eq!(first(&a.tension[0]), Some((5, 0)));
        // Merging keeps the earlier of each, whichever side it is on.
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        for m in [&ab, &ba] {
            assert_eq!(first(&m.themes[0]), Some((3, 1)));
            assert_eq!(first(&m.themes[1]), None);
            assert_eq!(first(&m.tension[0]), Some((4, 9)));
        }
    }
}
