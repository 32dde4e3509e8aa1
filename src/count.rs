//! Stage count: a document's text → its tokens, structure, hits and integer counts.
//!
//! In: text and the compiled [`Matcher`]. Out: a [`DocumentAnalysis`] whose [`Counts`] are
//! integers (weights are fixed-point) that add with `+=`, so a corpus total is the same whatever
//! order documents finish in. No float is computed here.
//!
//! Guarantees: each theme's `count` equals the number of its hits; `negated` counts the negated
//! ones; contrast poles and tension count only hits that are not negated.

use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

use crate::lexicon::{Contrast, Weight};
use crate::matcher::{Hit, Matcher};
use crate::segment::{segment_of_token, segment_with, Segment, Structure};
use crate::tokenize::{tokenize_with, Token};

mod tally;

/// Hits of one theme in a span.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeTally {
    /// Number of hits (negated ones included).
    pub count: u64,
    /// How many of `count` are negated.
    pub negated: u64,
    /// Weighted sum of all hits, fixed-point ([`Weight::SCALE`]).
    pub weight: u64,
    /// Distinct lexicon terms that matched.
    pub distinct_terms: u64,
}

/// The non-negated hits of one contrast pole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoleTally {
    /// Number of hits.
    pub hits: u64,
    /// Weighted sum, fixed-point.
    pub weight: u64,
    /// Sum of squared weights, in fixed-point units squared (for the effective hit count).
    pub weight_sq: u128,
}

impl PoleTally {
    /// Counts one hit of weight `w`.
    fn add(&mut self, w: Weight) {
        self.hits += 1;
        self.weight += w.0;
        self.weight_sq += u128::from(w.0) * u128::from(w.0);
    }
}

impl AddAssign<&PoleTally> for PoleTally {
    fn add_assign(&mut self, other: &PoleTally) {
        self.hits += other.hits;
        self.weight += other.weight;
        self.weight_sq += other.weight_sq;
    }
}

/// One contrast in a span.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContrastTally {
    /// The left pole.
    pub left: PoleTally,
    /// The right pole.
    pub right: PoleTally,
    /// Sentences holding hits of both poles.
    pub tension_sentences: u64,
    /// Sentences holding a hit of either pole.
    pub pole_sentences: u64,
}

impl AddAssign<&ContrastTally> for ContrastTally {
    fn add_assign(&mut self, other: &ContrastTally) {
        self.left += &other.left;
        self.right += &other.right;
        self.tension_sentences += other.tension_sentences;
        self.pole_sentences += other.pole_sentences;
    }
}

/// The integer counts of a document (or, summed, of a corpus).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Tokens.
    pub tokens: u64,
    /// Sentences holding a token.
    pub sentences: u64,
    /// Paragraphs holding a token.
    pub paragraphs: u64,
    /// Per theme, in lexicon order.
    pub themes: Vec<ThemeTally>,
    /// Per contrast, in lexicon order.
    pub contrasts: Vec<ContrastTally>,
}

impl Counts {
    /// Adds `other`'s size (tokens, sentences, paragraphs) and makes room for its themes and
    /// contrasts without reading their tallies: all that `+=` adds for counts without a hit
    /// ([`hitless`]).
    pub fn add_size(&mut self, other: &Counts) {
        self.tokens += other.tokens;
        self.sentences += other.sentences;
        self.paragraphs += other.paragraphs;
        self.themes.resize(
            other.themes.len().max(self.themes.len()),
            ThemeTally::default(),
        );
        self.contrasts.resize(
            other.contrasts.len().max(self.contrasts.len()),
            ContrastTally::default(),
        );
    }
}

impl AddAssign<&Counts> for Counts {
    /// Adds everything but `distinct_terms`, which is per document (a corpus total comes
    /// from a union of terms, not a sum).
    fn add_assign(&mut self, other: &Counts) {
        self.add_size(other);
        for (a, b) in self.themes.iter_mut().zip(&other.themes) {
            a.count += b.count;
            a.negated += b.negated;
            a.weight += b.weight;
        }
        for (a, b) in self.contrasts.iter_mut().zip(&other.contrasts) {
            *a += b;
        }
    }
}

/// Whether a document's counts hold no hit: every theme tally (negated hits and weights
/// included) and every contrast tally zero, no term counted and no sentence holding a hit.
/// Adding such a document to sums adds only its size ([`Counts::add_size`],
/// [`Cooccurrence::add_size`]): what is found here, where the document was analysed and its
/// counts are in the cache, spares the thread that sums documents from reading them.
pub fn hitless(counts: &Counts, terms: &[TermCount], cooccurrence: &Cooccurrence) -> bool {
    if !terms.is_empty() {
        return false;
    }
    // The numbers or-ed together, not tested one by one: for a document without a hit every
    // one is read anyway, and the processor ors several at a time.
    let themes = (counts.themes.iter()).fold(0, |any, t| any | t.count | t.negated | t.weight);
    let sentences = [&cooccurrence.theme_sentences, &cooccurrence.pair_sentences];
    let sentences = sentences
        .iter()
        .flat_map(|v| v.iter())
        .fold(0, |any, &n| any | n);
    let zero = ContrastTally::default();
    themes == 0
        && sentences == 0
        && cooccurrence.pairs.is_empty()
        && counts.contrasts.iter().all(|c| *c == zero)
}

/// Everything the later stages need about one document.
#[derive(Debug)]
pub struct DocumentAnalysis<'a> {
    /// The tokens.
    pub tokens: Vec<Token<'a>>,
    /// Paragraphs and sentences.
    pub structure: Structure,
    /// Hits in token order, each with its sentence.
    pub hits: Vec<(Hit, usize)>,
    /// Integer counts.
    pub counts: Counts,
    /// Hits per matched term, sorted by term id.
    pub term_counts: Vec<TermCount>,
    /// Per contrast, the sentences holding hits of both poles, ascending.
    pub tension: Vec<Vec<usize>>,
    /// Which themes meet in which sentences.
    pub cooccurrence: Cooccurrence,
}

/// The hits of one lexicon term in a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermCount {
    /// Global term id.
    pub term: u32,
    /// Hits (negated ones included).
    pub hits: u64,
    /// Weighted sum of the hits that are not negated (what the term adds to a contrast pole).
    pub live_weight: u64,
}

/// Sentences holding (non-negated) hits of each theme and of each pair of themes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cooccurrence {
    /// Sentences (all of which hold a token).
    pub sentences: u64,
    /// Per theme, the sentences holding a hit of it.
    pub theme_sentences: Vec<u64>,
    /// Per pair of themes a < b, at [`pair_index`], the sentences holding hits of both (as
    /// long as the last pair counted needs).
    pub pair_sentences: Vec<u64>,
    /// More sentences holding both themes of a pair, as (pair index, sentences) ascending by
    /// index: a document's, when the lexicon has more than [`DENSE_THEMES`] themes (a list of
    /// every pair would take 4 MB a document for 1,000 themes). Sums over documents keep them
    /// in `pair_sentences` ([`Cooccurrence::densify`]); never written (a partial result's
    /// totals have none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pairs: Vec<(u64, u64)>,
}

/// Up to this many themes a document's co-occurrence counts every pair in a list of them all;
/// past it, only the pairs that occur ([`Cooccurrence::pairs`]).
pub const DENSE_THEMES: usize = 64;

impl Cooccurrence {
    /// For themes `a` and `b` (in either order) of `themes`: the sentences holding both, `a`
    /// and `b`.
    pub fn pair(&self, a: usize, b: usize, themes: usize) -> (u64, u64, u64) {
        let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
        let (lo, hi) = (a.min(b), a.max(b));
        let i = pair_index(lo, hi, themes);
        let sparse = (self.pairs.binary_search_by_key(&i, |&(k, _)| k as usize))
            .map_or(0, |k| self.pairs[k].1);
        (
            at(&self.pair_sentences, i) + sparse,
            at(&self.theme_sentences, a),
            at(&self.theme_sentences, b),
        )
    }

    /// Moves the sparse pairs ([`Cooccurrence::pairs`]) into `pair_sentences`, as sums over
    /// documents keep them.
    pub fn densify(&mut self) {
        for (i, n) in self.pairs.drain(..) {
            let i = i as usize;
            if self.pair_sentences.len() <= i {
                self.pair_sentences.resize(i + 1, 0);
            }
            self.pair_sentences[i] += n;
        }
    }

    /// Adds `other`'s sentences and makes room for its themes and pairs without reading them:
    /// all that `+=` adds for a document without a hit ([`hitless`]).
    pub fn add_size(&mut self, other: &Cooccurrence) {
        self.sentences += other.sentences;
        for (a, b) in [
            (&mut self.theme_sentences, &other.theme_sentences),
            (&mut self.pair_sentences, &other.pair_sentences),
        ] {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
        }
    }
}

impl AddAssign<&Cooccurrence> for Cooccurrence {
    fn add_assign(&mut self, other: &Cooccurrence) {
        self.sentences += other.sentences;
        add_vec(&mut self.theme_sentences, &other.theme_sentences);
        add_vec(&mut self.pair_sentences, &other.pair_sentences);
        merge_pairs(&mut self.pairs, &other.pairs);
    }
}

/// Adds the sparse pairs `add` into `into`, both ascending by index: the sum of each index
/// once, still ascending.
fn merge_pairs(into: &mut Vec<(u64, u64)>, add: &[(u64, u64)]) {
    if add.is_empty() {
        return;
    }
    if into.is_empty() {
        into.extend_from_slice(add);
        return;
    }
    let mut merged = Vec::with_capacity(into.len() + add.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(&(a, m)), Some(&(b, n))) = (into.get(i), add.get(j)) {
        match a.cmp(&b) {
            std::cmp::Ordering::Less => (merged.push((a, m)), i += 1),
            std::cmp::Ordering::Greater => (merged.push((b, n)), j += 1),
            std::cmp::Ordering::Equal => (merged.push((a, m + n)), (i, j) = (i + 1, j + 1)),
        };
    }
    merged.extend_from_slice(&into[i..]);
    merged.extend_from_slice(&add[j..]);
    *into = merged;
}

/// Adds `b` to `a` element by element, growing `a` as needed.
pub(crate) fn add_vec(a: &mut Vec<u64>, b: &[u64]) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Index of the pair of themes `a < b` among `themes` themes (upper triangle, row by row).
pub fn pair_index(a: usize, b: usize, themes: usize) -> usize {
    debug_assert!(a < b && b < themes);
    a * themes - a * (a + 1) / 2 + (b - a - 1)
}

/// The hits of one segment, for `segments.csv`, `segment_themes.csv` and the trajectory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentTally {
    /// Tokens.
    pub tokens: u64,
    /// Hits per theme (negated ones included), in lexicon order.
    pub themes: Vec<u64>,
    /// Per contrast: the poles' non-negated hits, and the tension sentences that start here.
    pub contrasts: Vec<SegmentContrast>,
}

impl AddAssign<&SegmentTally> for SegmentTally {
    /// Adds the next part of the same segment (a segment running across blocks).
    fn add_assign(&mut self, other: &SegmentTally) {
        self.tokens += other.tokens;
        add_vec(&mut self.themes, &other.themes);
        for (a, b) in self.contrasts.iter_mut().zip(&other.contrasts) {
            a.left += &b.left;
            a.right += &b.right;
            a.tension_sentences += b.tension_sentences;
        }
    }
}

/// One contrast in one segment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SegmentContrast {
    /// The left pole's non-negated hits.
    pub left: PoleTally,
    /// The right pole's non-negated hits.
    pub right: PoleTally,
    /// Sentences starting in the segment that hold hits of both poles.
    pub tension_sentences: u64,
}

/// Counts the hits of each segment. Hits belong to the segment of their first token, sentences
/// to the segment of their first token; the segments must tile the tokens.
pub fn count_segments(
    analysis: &DocumentAnalysis<'_>,
    segments: &[Segment],
    contrasts: &[Contrast],
    themes: usize,
) -> Vec<SegmentTally> {
    let mut out: Vec<SegmentTally> = segments
        .iter()
        .map(|s| SegmentTally {
            tokens: s.tokens.len() as u64,
            themes: vec![0; themes],
            contrasts: vec![SegmentContrast::default(); contrasts.len()],
        })
        .collect();
    if segments.is_empty() {
        return out;
    }
    for (hit, _) in &analysis.hits {
        let tally = &mut out[segment_of_token(segments, hit.tokens.start)];
        tally.themes[hit.theme] += 1;
        if hit.negator.is_some() {
            continue;
        }
        for (c, sc) in contrasts.iter().zip(tally.contrasts.iter_mut()) {
            if hit.theme == c.left {
                sc.left.add(hit.weight);
            } else if hit.theme == c.right {
                sc.right.add(hit.weight);
            }
        }
    }
    for (ci, sentences) in analysis.tension.iter().enumerate() {
        for &s in sentences {
            let first = analysis.structure.sentences[s].tokens.start;
            out[segment_of_token(segments, first)].contrasts[ci].tension_sentences += 1;
        }
    }
    out
}

/// Tokenizes, segments, matches and counts one document.
pub fn analyse<'a>(
    text: &'a str,
    matcher: &Matcher,
    contrasts: &[Contrast],
) -> DocumentAnalysis<'a> {
    analyse_with(text, matcher, contrasts, None, |_, _| {})
}

/// [`analyse`] for one block of a large document: `blank_lines` is the paragraph rule of the
/// whole document (see [`crate::segment::segment_with`]); `segmented` is called with the
/// tokens and the structure as soon as they are known, before matching (a block hands its
/// running offsets on to the next one from there).
pub fn analyse_with<'a>(
    text: &'a str,
    matcher: &Matcher,
    contrasts: &[Contrast],
    blank_lines: Option<bool>,
    segmented: impl FnOnce(&[Token<'a>], &Structure),
) -> DocumentAnalysis<'a> {
    let tokens = tokenize_with(text, matcher.hyphens());
    let structure = segment_with(text, &tokens, blank_lines);
    segmented(&tokens, &structure);
    let hits = matcher.find_sentence_hits(text, &tokens, &structure);
    debug_assert!(hits
        .iter()
        .all(|(h, s)| *s == structure.sentence_of_token(h.tokens.start)));

    let tally::Tallies {
        mut themes,
        terms: term_counts,
        contrasts: contrast_tallies,
        tension,
        cooccurrence,
    } = tally::tally_hits(
        &hits,
        matcher.terms().len(),
        matcher.theme_count(),
        contrasts,
        structure.sentences.len(),
    );
    count_distinct_terms(&term_counts, matcher, &mut themes);
    DocumentAnalysis {
        cooccurrence,
        counts: Counts {
            tokens: tokens.len() as u64,
            sentences: structure.sentences.len() as u64,
            paragraphs: structure.paragraphs.len() as u64,
            themes,
            contrasts: contrast_tallies,
        },
        tokens,
        structure,
        hits,
        term_counts,
        tension,
    }
}

/// One term over the corpus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermTotal {
    /// Hits.
    pub hits: u64,
    /// Documents with a hit.
    pub documents: u64,
    /// Weighted sum of the non-negated hits.
    pub live_weight: u64,
}

/// Corpus-wide totals, summed in document order as documents are written: integer state that
/// adds (`+=` merges the totals of two runs over consecutive parts of a corpus, in order).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusTotals {
    /// Documents analysed.
    pub documents: u64,
    /// Summed counts.
    pub counts: Counts,
    /// Per global term id: its hits, documents and non-negated weight.
    pub terms: Vec<TermTotal>,
    /// Theme co-occurrence over all sentences.
    pub cooccurrence: Cooccurrence,
}

impl CorpusTotals {
    /// Empty totals for a lexicon with `terms` terms.
    pub fn new(terms: usize) -> Self {
        CorpusTotals {
            terms: vec![TermTotal::default(); terms],
            ..Default::default()
        }
    }

    /// Adds one document; `hitless` when it has no hit ([`hitless`]), and then only its size is
    /// read.
    pub fn add(
        &mut self,
        analysis_counts: &Counts,
        term_counts: &[TermCount],
        cooccurrence: &Cooccurrence,
        hitless: bool,
    ) {
        self.documents += 1;
        if hitless {
            self.counts.add_size(analysis_counts);
            self.cooccurrence.add_size(cooccurrence);
            return;
        }
        self.cooccurrence += cooccurrence;
        self.cooccurrence.densify();
        self.counts += analysis_counts;
        for t in term_counts {
            let slot = &mut self.terms[t.term as usize];
            slot.hits += t.hits;
            slot.documents += 1;
            slot.live_weight += t.live_weight;
        }
    }

    /// Total hits over all themes.
    pub fn hits(&self) -> u64 {
        self.counts.themes.iter().map(|t| t.count).sum()
    }

    /// The terms of theme `theme` that matched, most hits first (ties in lexicon order).
    pub fn matched_terms(&self, matcher: &Matcher, theme: usize) -> Vec<u32> {
        let hits = |id: u32| self.terms.get(id as usize).map_or(0, |t| t.hits);
        let mut ids: Vec<u32> = matcher
            .theme_terms(theme)
            .filter(|&id| hits(id) > 0)
            .collect();
        ids.sort_by_key(|&id| (std::cmp::Reverse(hits(id)), id));
        ids
    }

    /// The terms of theme `theme` that never matched, in lexicon order.
    pub fn unmatched_terms<'m>(
        &'m self,
        matcher: &'m Matcher,
        theme: usize,
    ) -> impl Iterator<Item = u32> + 'm {
        (matcher.theme_terms(theme))
            .filter(|&id| self.terms.get(id as usize).is_none_or(|t| t.hits == 0))
    }
}

impl AddAssign<&CorpusTotals> for CorpusTotals {
    /// Adds the totals of the documents that follow these (the bootstrap's per-document list
    /// goes on in document order).
    fn add_assign(&mut self, other: &CorpusTotals) {
        self.documents += other.documents;
        self.counts += &other.counts;
        self.cooccurrence += &other.cooccurrence;
        self.cooccurrence.densify();
        if self.terms.len() < other.terms.len() {
            self.terms.resize(other.terms.len(), TermTotal::default());
        }
        for (slot, t) in self.terms.iter_mut().zip(&other.terms) {
            slot.hits += t.hits;
            slot.documents += t.documents;
            slot.live_weight += t.live_weight;
        }
    }
}

/// Sets each theme's `distinct_terms`: how many of its terms have a hit in `term_counts` (one
/// entry per term with a hit).
pub fn count_distinct_terms(
    term_counts: &[TermCount],
    matcher: &Matcher,
    themes: &mut [ThemeTally],
) {
    for theme in themes.iter_mut() {
        theme.distinct_terms = 0;
    }
    for t in term_counts {
        themes[matcher.term(t.term).theme].distinct_terms += 1;
    }
}

/// Adds `add` to `into`, both sorted by term id with one entry per term: the result is too.
pub fn merge_term_counts(into: &mut Vec<TermCount>, add: &[TermCount]) {
    if into.is_empty() {
        into.extend_from_slice(add);
        return;
    }
    let old = std::mem::take(into);
    into.reserve(old.len() + add.len());
    let (mut a, mut b) = (old.into_iter().peekable(), add.iter().copied().peekable());
    loop {
        let next = match (a.peek().copied(), b.peek().copied()) {
            (Some(x), Some(y)) if x.term == y.term => {
                a.next();
                b.next();
                TermCount {
                    term: x.term,
                    hits: x.hits + y.hits,
                    live_weight: x.live_weight + y.live_weight,
                }
            }
            (Some(x), Some(y)) if x.term < y.term => {
                a.next();
                x
            }
            (_, Some(y)) => {
                b.next();
                y
            }
            (Some(x), None) => {
                a.next();
                x
            }
            (None, None) => return,
        };
        into.push(next);
    }
}

/// A weight sum in fixed-point units as a number.
pub fn weight_value(units: u64) -> f64 {
    units as f64 / Weight::SCALE as f64
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lexicon::parse_toml;

    const LEX: &str = "[[themes]]\nid = \"hardship\"\nterms = [\"hardship*\", \"shortage*\"]\n[[themes]]\nid = \"pride\"\nterms = [\"pride\", { term = \"proud*\", weight = 2 }]\n[[contrasts]]\nleft = \"hardship\"\nright = \"pride\"\n";

    /// Hits of weight 1 drawn as (theme, sentence, negated), in sentence order.
    pub(crate) fn drawn_hits(drawn: &[(usize, usize, bool)]) -> Vec<(Hit, usize)> {
        let mut hits: Vec<(Hit, usize)> = (drawn.iter())
            .map(|&(theme, sentence, negated)| {
                let hit = Hit {
                    theme,
                    term: 0,
                    tokens: 0..1,
                    weight: crate::lexicon::Weight(1),
                    negator: negated.then_some(0),
                };
                (hit, sentence)
            })
            .collect();
        hits.sort_by_key(|(_, s)| *s);
        hits
    }

    proptest::proptest! {
        /// Past DENSE_THEMES a document's pairs are kept sparse: each pair reads as the
        /// sentences holding both its themes, and so do the sums of two documents, merged as a
        /// document's blocks are and then densified as totals are.
        #[test]
        fn sparse_pairs_count_what_dense_ones_would(
            a in proptest::collection::vec((0usize..70, 0usize..6, proptest::bool::ANY), 0..40),
            b in proptest::collection::vec((0usize..70, 0usize..6, proptest::bool::ANY), 0..40),
        ) {
            const THEMES: usize = 70;
            // By hand: per sentence, the set of themes with a live hit, and its pairs.
            let by_hand = |drawn: &[(usize, usize, bool)]| {
                let mut pairs = std::collections::BTreeMap::new();
                for s in 0..6 {
                    let themes: std::collections::BTreeSet<usize> = (drawn.iter())
                        .filter(|&&(_, sentence, negated)| sentence == s && !negated)
                        .map(|&(t, _, _)| t)
                        .collect();
                    for &x in &themes {
                        for &y in themes.range(x + 1..) {
                            *pairs.entry((x, y)).or_insert(0u64) += 1;
                        }
                    }
                }
                pairs
            };
            let of = |drawn| tally::tally_hits(&drawn_hits(drawn), 1, THEMES, &[], 6).cooccurrence;
            let (ca, cb) = (of(&a), of(&b));
            proptest::prop_assert!(ca.pair_sentences.is_empty());
            let mut sum = ca.clone();
            sum += &cb;
            let mut totals = Cooccurrence::default();
            totals += &sum;
            totals.densify();
            proptest::prop_assert!(totals.pairs.is_empty());
            let (ha, hb) = (by_hand(&a), by_hand(&b));
            for x in 0..THEMES {
                for y in x + 1..THEMES {
                    let na = ha.get(&(x, y)).copied().unwrap_or(0);
                    let nb = hb.get(&(x, y)).copied().unwrap_or(0);
                    proptest::prop_assert_eq!(ca.pair(x, y, THEMES).0, na);
                    proptest::prop_assert_eq!(ca.pair(y, x, THEMES).0, na);
                    proptest::prop_assert_eq!(sum.pair(x, y, THEMES).0, na + nb);
                    proptest::prop_assert_eq!(totals.pair(x, y, THEMES).0, na + nb);
                }
            }
            // Ascending, each index once.
            proptest::prop_assert!(sum.pairs.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }

    #[test]
    fn counts_by_hand() {
        let lex = parse_toml(LEX, "t.toml").unwrap();
        let m = Matcher::new(&lex);
        let text = "It’s a city of both hardship and pride. Shortages, not pride.\n\nProud people; no hardships here.";
        let a = analyse(text, &m, &lex.contrasts);
        assert_eq!(a.counts.tokens, 16);
        assert_eq!(a.counts.sentences, 3);
        assert_eq!(a.counts.paragraphs, 2);
        let hardship = &a.counts.themes[0];
        assert_eq!(
            (
                hardship.count,
                hardship.negated,
                hardship.weight,
                hardship.distinct_terms
            ),
            (3, 1, 30_000, 2)
        );
        let pride = &a.counts.themes[1];
        assert_eq!(
            (
                pride.count,
                pride.negated,
                pride.weight,
                pride.distinct_terms
            ),
            (3, 1, 40_000, 2)
        );
        let c = &a.counts.contrasts[0];
        assert_eq!((c.left.hits, c.left.weight), (2, 20_000));
        assert_eq!(
            (c.right.hits, c.right.weight, c.right.weight_sq),
            (2, 30_000, 500_000_000)
        );
        // Sentence 0 holds both poles; sentence 1 only hardship (pride negated); sentence 2 only pride.
        assert_eq!((c.tension_sentences, c.pole_sentences), (1, 3));
        assert_eq!(a.tension, vec![vec![0]]);
        let terms: Vec<(u32, u64, u64)> = a
            .term_counts
            .iter()
            .map(|t| (t.term, t.hits, t.live_weight))
            .collect();
        // hardship* ×2 (one negated), shortage*, pride ×2 (one negated), proud* (weight 2).
        assert_eq!(
            terms,
            vec![
                (0, 2, 10_000),
                (1, 1, 10_000),
                (2, 2, 10_000),
                (3, 1, 20_000)
            ]
        );
    }

    #[test]
    fn counts_add() {
        let lex = parse_toml(LEX, "t.toml").unwrap();
        let m = Matcher::new(&lex);
        let a = analyse("pride and hardship", &m, &lex.contrasts).counts;
        let b = analyse("proud. No.", &m, &lex.contrasts).counts;
        let mut total = Counts::default();
        total += &a;
        total += &b;
        assert_eq!(total.tokens, 5);
        assert_eq!(total.themes[1].count, 2);
        assert_eq!(total.contrasts[0].right.weight, 30_000);
        assert_eq!(total.contrasts[0].tension_sentences, 1);
    }

    /// Only a document without any hit (a negated one, a term or a sentence counts) is
    /// hitless, and its size alone adds what the whole of it adds, to empty totals too.
    #[test]
    fn a_hitless_document_adds_its_size_as_the_whole_of_it_does() {
        let lex = parse_toml(LEX, "t.toml").unwrap();
        let m = Matcher::new(&lex);
        let is_hitless = |text: &str| {
            let a = analyse(text, &m, &lex.contrasts);
            hitless(&a.counts, &a.term_counts, &a.cooccurrence)
        };
        assert!(is_hitless("A quiet day. Nothing else.\n\nThe end."));
        assert!(is_hitless(""));
        for text in ["a day of pride", "not proud", "hardship"] {
            assert!(!is_hitless(text), "{text}");
        }
        // Any one number left of a document's hits makes it one with a hit.
        let a = analyse("pride and hardship", &m, &lex.contrasts);
        let mut zeros = a.counts.clone();
        zeros
            .themes
            .iter_mut()
            .for_each(|t| *t = ThemeTally::default());
        zeros
            .contrasts
            .iter_mut()
            .for_each(|c| *c = ContrastTally::default());
        let none = Cooccurrence::default();
        assert!(hitless(&zeros, &[], &none));
        let one = |change: &dyn Fn(&mut Counts)| {
            let mut counts = zeros.clone();
            change(&mut counts);
            !hitless(&counts, &[], &none)
        };
        assert!(one(&|c| c.themes[1].count = 1));
        assert!(one(&|c| c.themes[1].negated = 1));
        assert!(one(&|c| c.themes[0].weight = 1));
        assert!(one(&|c| c.contrasts[0].pole_sentences = 1));
        assert!(!hitless(&zeros, &a.term_counts, &none));
        assert!(!hitless(&zeros, &[], &a.cooccurrence));

        let quiet = analyse("A quiet day. Nothing else.", &m, &lex.contrasts);
        let (mut size, mut whole) = (CorpusTotals::new(4), CorpusTotals::new(4));
        for (totals, hitless) in [(&mut size, true), (&mut whole, false)] {
            totals.add(&quiet.counts, &[], &quiet.cooccurrence, hitless);
            totals.add(&a.counts, &a.term_counts, &a.cooccurrence, false);
            totals.add(&quiet.counts, &[], &quiet.cooccurrence, hitless);
        }
        assert_eq!(size, whole);
        let c = &size.counts;
        assert_eq!(
            (size.documents, c.tokens, c.sentences, c.paragraphs),
            (3, 13, 5, 3)
        );
        assert_eq!(size.counts.themes.len(), 2);
        assert_eq!(size.cooccurrence.sentences, 5);
    }

    #[test]
    fn cooccurrence_by_sentence() {
        let lex = parse_toml(LEX, "t.toml").unwrap();
        let m = Matcher::new(&lex);
        let a = analyse(
            "Pride and hardship. Pride. Not proud, hardship. Shortages and hardship.",
            &m,
            &lex.contrasts,
        );
        // Sentences: both themes / pride / hardship (proud negated) / hardship only.
        assert_eq!(a.cooccurrence.sentences, 4);
        assert_eq!(a.cooccurrence.theme_sentences, vec![3, 2]);
        assert_eq!(a.cooccurrence.pair_sentences, vec![1]);
        assert_eq!(pair_index(0, 1, 2), 0);
        assert_eq!(
            (
                pair_index(0, 2, 4),
                pair_index(1, 2, 4),
                pair_index(2, 3, 4)
            ),
            (1, 3, 5)
        );
    }

    #[test]
    fn segment_tallies_add_up_and_take_sentences_where_they_start() {
        use crate::segment::{segments, SegmentMode};
        let lex = parse_toml(LEX, "t.toml").unwrap();
        let m = Matcher::new(&lex);
        let text = "Pride and\nhardship here.\nNo pride.\n\nShortages.";
        let a = analyse(text, &m, &lex.contrasts);
        let segs = segments(text, &a.tokens, &a.structure, SegmentMode::Lines(1));
        let t = count_segments(&a, &segs, &lex.contrasts, 2);
        assert_eq!(
            t.iter().map(|s| s.themes.clone()).collect::<Vec<_>>(),
            vec![vec![0, 1], vec![1, 0], vec![0, 1], vec![0, 0], vec![1, 0]]
        );
        // The tension sentence "Pride and hardship here." starts on line 0.
        let tension: Vec<u64> = t.iter().map(|s| s.contrasts[0].tension_sentences).collect();
        assert_eq!(tension, vec![1, 0, 0, 0, 0]);
        assert_eq!(t[2].contrasts[0].right.hits, 0, "negated");
        assert_eq!(t.iter().map(|s| s.tokens).sum::<u64>(), a.counts.tokens);
    }

    #[test]
    fn empty_document_has_zero_counts() {
        let lex = parse_toml(LEX, "t.toml").unwrap();
        let m = Matcher::new(&lex);
        let a = analyse("", &m, &lex.contrasts);
        assert_eq!(a.counts.tokens, 0);
        assert_eq!(a.counts.themes, vec![ThemeTally::default(); 2]);
        assert_eq!(a.counts.contrasts[0], ContrastTally::default());
    }
}

#[cfg(test)]
mod totals_tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "pride",
        "hardship",
        "proud",
        "not",
        "famine",
        "market",
        "the",
        "city",
        ".",
        ",",
        "\n\n",
        "isolation",
        "open",
        "tours",
    ];

    proptest! {
        /// The totals of a corpus equal the totals of its first documents `+=` the totals of
        /// the rest (the state merges as whole runs will).
        #[test]
        fn totals_of_two_parts_add_up_to_the_whole(
            docs in prop::collection::vec(prop::collection::vec(0..WORDS.len(), 0..40), 1..8),
            split in 0usize..8,
        ) {
            let lexicon = Lexicon::builtin().unwrap();
            let matcher = Matcher::new(&lexicon);
            let texts: Vec<String> = docs
                .iter()
                .map(|d| d.iter().map(|&w| WORDS[w]).collect::<Vec<_>>().join(" "))
                .collect();
            let empty = CorpusTotals::new(matcher.terms().len());
            let (mut whole, mut first, mut rest) = (empty.clone(), empty.clone(), empty);
            let split = split.min(texts.len());
            // The whole adds documents without a hit by their size alone, the parts read them.
            for (i, text) in texts.iter().enumerate() {
                let a = analyse(text, &matcher, &lexicon.contrasts);
                let hitless = hitless(&a.counts, &a.term_counts, &a.cooccurrence);
                whole.add(&a.counts, &a.term_counts, &a.cooccurrence, hitless);
                let part = if i < split { &mut first } else { &mut rest };
                part.add(&a.counts, &a.term_counts, &a.cooccurrence, false);
            }
            first += &rest;
            prop_assert_eq!(first, whole);
        }
    }
}
