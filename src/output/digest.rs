//! What the charts and the report show, gathered while documents stream by.
//!
//! In: per document a [`DocDigest`] (made on the worker with the document's text at hand), in
//! document order. Out: a [`CorpusDigest`] bounded in size whatever the corpus: the 40 largest
//! documents' contrasts (the rest pooled), the 20 largest documents' trajectories, the first
//! three example sentences per theme and the first ten tension sentences per contrast.
//!
//! Guarantees: what is kept depends only on document order and sizes, never on timing, so
//! charts and report are the same for every thread count.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use crate::count::{ContrastTally, DocumentAnalysis};
use crate::score::{score_contrast, TrajectoryPoint};

/// Documents drawn one by one in the contrasts chart; the rest are pooled.
pub const CONTRAST_DOCS: usize = 40;
/// Documents that get a trajectory chart.
pub const TRAJECTORY_DOCS: usize = 20;
/// Example sentences per theme in the report.
pub const EXAMPLES_PER_THEME: usize = 3;
/// Tension sentences per contrast in the report.
pub const TENSION_PER_CONTRAST: usize = 10;
/// Longest example text, in bytes; longer sentences are cut around their first match.
const EXAMPLE_BYTES: usize = 600;

/// A sentence to show, with the matches to highlight.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// The document's id.
    pub document: String,
    /// The sentence number in its document.
    pub sentence: usize,
    /// The sentence text (possibly cut, with `…`).
    pub text: String,
    /// Byte ranges of `text` to highlight, with the theme index of each.
    pub marks: Vec<(Range<usize>, usize)>,
}

/// Most trajectory points kept per contrast for a chart; a longer series keeps every k-th.
pub const SERIES_POINTS: usize = 2000;

/// One point of a document's trajectory, as the chart draws it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesPoint {
    /// Token midpoint of the segment, as a fraction of the text.
    pub position: Option<f64>,
    /// The segment's balance.
    pub balance: Option<f64>,
    /// The smoothed balance.
    pub smoothed: Option<f64>,
    /// The 95 % Wilson interval of the smoothed balance: over the hits of the smoothing window,
    /// with the effective number of hits, as `contrasts.csv` has it for a document. Not written
    /// to `trajectory.csv`; the chart draws it.
    pub interval: Option<(f64, f64)>,
    /// Non-negated hits of either pole in the smoothing window.
    pub window_hits: u64,
}

impl SeriesPoint {
    /// The chart's point of a trajectory point, with the interval of its smoothed balance.
    pub fn of(point: &TrajectoryPoint) -> Self {
        let score = score_contrast(&point.window);
        SeriesPoint {
            position: point.position,
            balance: point.balance,
            smoothed: point.smoothed,
            interval: score.ci_low.zip(score.ci_high),
            window_hits: point.window.left.hits + point.window.right.hits,
        }
    }
}

/// Keeps every k-th point of a trajectory of `segments` segments, at most [`SERIES_POINTS`].
#[derive(Debug)]
pub struct Sampler {
    stride: usize,
    /// The points kept.
    pub points: Vec<SeriesPoint>,
}

impl Sampler {
    /// A sampler for a trajectory of `segments` points.
    pub fn new(segments: usize) -> Self {
        Sampler {
            stride: segments.div_ceil(SERIES_POINTS).max(1),
            points: Vec::with_capacity(segments.min(SERIES_POINTS)),
        }
    }

    /// Sees the next point (only the kept ones get their interval computed).
    pub fn see(&mut self, point: &TrajectoryPoint) {
        if point.segment % self.stride == 0 {
            self.points.push(SeriesPoint::of(point));
        }
    }
}

/// A document's trajectory: per contrast, its points (at most [`SERIES_POINTS`]).
pub type Series = Vec<Vec<SeriesPoint>>;

/// What one document contributes to the charts and the report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DocDigest {
    /// Its tokens (documents are ranked by size).
    pub tokens: u64,
    /// Its contrast tallies.
    pub contrasts: Vec<ContrastTally>,
    /// Its trajectory (absent with `--segment none`).
    pub series: Option<Series>,
    /// Per theme, up to [`EXAMPLES_PER_THEME`] sentences with a hit.
    pub examples: Vec<Vec<Example>>,
    /// Per contrast, up to [`TENSION_PER_CONTRAST`] tension sentences.
    pub tension: Vec<Vec<Example>>,
    /// Per contrast, all its tension sentences.
    pub tension_count: Vec<u64>,
}

impl DocDigest {
    /// Whether it holds an example or tension sentence, or counts a tension sentence.
    pub fn offers_sentences(&self) -> bool {
        (self.examples.iter().chain(&self.tension)).any(|e| !e.is_empty())
            || self.tension_count.iter().any(|&n| n > 0)
    }
}

/// An example from sentence `s` of a document, marking the given hits (token ranges, theme).
fn example(
    id: &str,
    text: &str,
    analysis: &DocumentAnalysis<'_>,
    s: usize,
    hits: &[(Range<usize>, usize)],
) -> Example {
    let span = analysis.structure.sentences[s].span.clone();
    let tokens = &analysis.tokens;
    let mut marks: Vec<(Range<usize>, usize)> = hits
        .iter()
        .map(|(t, theme)| {
            (
                tokens[t.start].span.start - span.start..tokens[t.end - 1].span.end - span.start,
                *theme,
            )
        })
        .collect();
    let sentence = &text[span];
    let mut shown = sentence.to_string();
    if sentence.len() > EXAMPLE_BYTES {
        let first = marks.first().map_or(0, |m| m.0.start);
        let mut from = first.saturating_sub(EXAMPLE_BYTES / 3);
        while !sentence.is_char_boundary(from) {
            from -= 1;
        }
        let mut to = (from + EXAMPLE_BYTES).min(sentence.len());
        while !sentence.is_char_boundary(to) {
            to -= 1;
        }
        let prefix = if from > 0 { "…" } else { "" };
        let suffix = if to < sentence.len() { "…" } else { "" };
        shown = format!("{prefix}{}{suffix}", &sentence[from..to]);
        let shift = prefix.len();
        marks = marks
            .into_iter()
            .filter(|(r, _)| r.start >= from && r.end <= to)
            .map(|(r, t)| (r.start - from + shift..r.end - from + shift, t))
            .collect();
    }
    Example {
        document: id.to_string(),
        sentence: s,
        text: shown,
        marks,
    }
}

/// How many example sentences a document still has to render for each list (per theme, per
/// contrast), shared by the workers, which read it, and the writer, which marks a list full
/// once the corpus holds all it keeps of it ([`ExampleRoom::note`]). Documents reach the writer
/// in corpus order, and a list keeps its first sentences, so a document still being analysed
/// when a list is full comes after every sentence that list keeps: rendering its sentences for
/// that list would only make what is thrown away. (The first sentence of each list a document
/// has is still rendered when the run groups its documents: each group keeps its own first.)
/// Most of a run's documents then render no example at all: with the generated lexicon of the
/// benchmark and its four contrasts (ten tension sentences per contrast and document), those
/// sentences were 2.7 % of a documents-only run's instructions and about 5 % of its time. What
/// the charts and the report show is the same, whatever the threads and their timing.
#[derive(Debug, Default)]
pub struct ExampleRoom {
    /// Bit t: the corpus holds all the example sentences of theme t it keeps (themes past the
    /// 64th are never marked: their documents render all they may contribute).
    themes: AtomicU64,
    /// Bit c: the corpus holds all the tension sentences of contrast c it keeps (likewise).
    tension: AtomicU64,
    /// Sentences still rendered for a full list (1 when the run groups its documents).
    beyond_full: usize,
}

/// What a document may render, as the [`ExampleRoom`] was when it began.
#[derive(Clone, Copy, Debug)]
struct Limits {
    themes: u64,
    tension: u64,
    beyond_full: usize,
}

impl Limits {
    fn of(full: u64, k: usize, limit: usize, beyond_full: usize) -> usize {
        match k < 64 && full >> k & 1 == 1 {
            true => beyond_full.min(limit),
            false => limit,
        }
    }

    /// Sentences a document renders for theme `t`.
    fn theme(&self, t: usize) -> usize {
        Limits::of(self.themes, t, EXAMPLES_PER_THEME, self.beyond_full)
    }

    /// Tension sentences a document renders for contrast `c`.
    fn tension(&self, c: usize) -> usize {
        Limits::of(self.tension, c, TENSION_PER_CONTRAST, self.beyond_full)
    }
}

impl ExampleRoom {
    /// Room in every list; `groups`: whether the run groups its documents. (A room that is
    /// never noted stays so: every document renders all it may contribute.)
    pub fn new(groups: bool) -> ExampleRoom {
        ExampleRoom {
            beyond_full: usize::from(groups),
            ..Default::default()
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            themes: self.themes.load(Ordering::Relaxed),
            tension: self.tension.load(Ordering::Relaxed),
            beyond_full: self.beyond_full,
        }
    }

    /// Marks full the lists `digest` (the corpus's, every document before the next added)
    /// holds all of. Lists only grow, so a list once marked stays so.
    pub fn note(&self, digest: &CorpusDigest) {
        let full = |lists: &[Vec<Example>], limit: usize| {
            (lists.iter().take(64).enumerate())
                .filter(|(_, list)| list.len() >= limit)
                .fold(0u64, |bits, (k, _)| bits | 1 << k)
        };
        (self.themes).store(
            full(&digest.examples, EXAMPLES_PER_THEME),
            Ordering::Relaxed,
        );
        (self.tension).store(
            full(&digest.tension, TENSION_PER_CONTRAST),
            Ordering::Relaxed,
        );
    }
}

/// Gathers a document's digest (on the worker): of its example sentences, as many per list
/// as `room` says it may still contribute.
pub fn digest_document(
    id: &str,
    text: &str,
    analysis: &DocumentAnalysis<'_>,
    contrasts: &[crate::lexicon::Contrast],
    themes: usize,
    room: &ExampleRoom,
) -> DocDigest {
    let mut examples: Vec<Vec<Example>> = vec![Vec::new(); themes];
    let mut i = 0;
    let hits = &analysis.hits;
    let room = room.limits();
    // Themes with all their examples: once every theme has them, the rest is not looked at.
    let mut full = (0..themes).filter(|&t| room.theme(t) == 0).count();
    // Per theme, the last sentence whose hits of it were looked at: each theme a sentence has
    // hits of is looked at once, and themes it has none of not at all.
    let mut seen = match i < hits.len() && full < themes {
        true => vec![usize::MAX; themes],
        false => Vec::new(),
    };
    while i < hits.len() && full < themes {
        let sentence = hits[i].1;
        let end = i + hits[i..].partition_point(|(_, s)| *s == sentence);
        let in_sentence = &hits[i..end];
        for (hit, _) in in_sentence {
            let theme = hit.theme;
            let (Some(kept), Some(last)) = (examples.get_mut(theme), seen.get_mut(theme)) else {
                continue;
            };
            let limit = room.theme(theme);
            if *last == sentence || kept.len() >= limit {
                continue;
            }
            *last = sentence;
            let marks: Vec<(Range<usize>, usize)> = (in_sentence.iter())
                .filter(|(h, _)| h.theme == theme)
                .map(|(h, _)| (h.tokens.clone(), theme))
                .collect();
            kept.push(example(id, text, analysis, sentence, &marks));
            full += usize::from(kept.len() == limit);
        }
        i = end;
    }
    let mut tension = Vec::with_capacity(contrasts.len());
    for (ci, (c, sentences)) in contrasts.iter().zip(&analysis.tension).enumerate() {
        let shown = sentences
            .iter()
            .take(room.tension(ci))
            .map(|&s| {
                // Hits come in token order, so the hits of sentence s lie together.
                let from = hits.partition_point(|(_, hs)| *hs < s);
                let to = from + hits[from..].partition_point(|(_, hs)| *hs == s);
                let marks: Vec<(Range<usize>, usize)> = hits[from..to]
                    .iter()
                    .filter(|(h, _)| {
                        h.negator.is_none() && (h.theme == c.left || h.theme == c.right)
                    })
                    .map(|(h, _)| (h.tokens.clone(), h.theme))
                    .collect();
                example(id, text, analysis, s, &marks)
            })
            .collect();
        tension.push(shown);
    }
    DocDigest {
        tokens: analysis.counts.tokens,
        contrasts: analysis.counts.contrasts.clone(),
        series: None,
        examples,
        tension,
        tension_count: analysis.tension.iter().map(|t| t.len() as u64).collect(),
    }
}

/// Appends `new` (per theme or contrast) to `kept`, keeping at most `limit` in each: the first
/// ones, in corpus (or text) order.
pub fn keep_first(kept: &mut Vec<Vec<Example>>, mut new: Vec<Vec<Example>>, limit: usize) {
    if kept.is_empty() {
        // The first ones: moved in, not copied over (a document's first block).
        for examples in new.iter_mut() {
            examples.truncate(limit);
        }
        *kept = new;
        return;
    }
    take_first(kept, &mut new, limit);
}

/// [`keep_first`], taking out of `new` only the examples kept: the others stay in `new`, to be
/// dropped by its owner (on the thread that made them).
pub fn take_first(kept: &mut Vec<Vec<Example>>, new: &mut [Vec<Example>], limit: usize) {
    room_for(kept, new.len());
    for (kept, new) in kept.iter_mut().zip(new) {
        let room = limit.saturating_sub(kept.len()).min(new.len());
        if room > 0 {
            kept.extend(new.drain(..room));
        }
    }
}

/// Makes `list` at least `len` long (with default values).
fn room_for<T: Clone + Default>(list: &mut Vec<T>, len: usize) {
    if list.len() < len {
        list.resize(len, T::default());
    }
}

/// A document kept for a chart: size, order, id and its data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kept<T> {
    /// Tokens.
    pub tokens: u64,
    /// Position in the corpus.
    pub order: usize,
    /// Id.
    pub id: String,
    /// The data.
    pub data: T,
}

/// Keeps the `k` largest documents (ties: the earlier); returns the one pushed out, if any.
fn keep_largest<T>(kept: &mut Vec<Kept<T>>, k: usize, item: Kept<T>) -> Option<Kept<T>> {
    // Sorted largest first; a later document of equal size ranks below an earlier one.
    let at = kept.partition_point(|x| {
        x.tokens > item.tokens || (x.tokens == item.tokens && x.order < item.order)
    });
    kept.insert(at, item);
    (kept.len() > k).then(|| kept.pop()).flatten()
}

/// Everything the charts and the report need beyond the corpus totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CorpusDigest {
    /// The largest documents with their contrast tallies, largest first.
    pub contrast_docs: Vec<Kept<Vec<ContrastTally>>>,
    /// The other documents' contrast tallies, pooled.
    pub rest: Vec<ContrastTally>,
    /// How many documents are pooled in `rest`.
    pub rest_documents: u64,
    /// The largest documents' trajectories, largest first.
    pub series: Vec<Kept<Series>>,
    /// Per theme, the first example sentences of the corpus.
    pub examples: Vec<Vec<Example>>,
    /// Per contrast, the first tension sentences of the corpus.
    pub tension: Vec<Vec<Example>>,
    /// Per contrast, all tension sentences.
    pub tension_count: Vec<u64>,
}

impl CorpusDigest {
    /// Adds document number `order` (in corpus order), taking out of `doc` what it keeps: the
    /// rest stays, to be dropped by the caller (where it was made). `hitless` when it has no
    /// hit and no sentence ([`crate::assemble::Finished::hitless`]): its lists and contrast
    /// tallies, all empty or zero, are then not read.
    pub fn add(&mut self, order: usize, id: &str, doc: &mut DocDigest, hitless: bool) {
        if hitless {
            // No sentence to take, none to count: only the room the lists are given.
            room_for(&mut self.examples, doc.examples.len());
            room_for(&mut self.tension, doc.tension.len());
            room_for(&mut self.tension_count, doc.tension_count.len());
        } else {
            take_first(&mut self.examples, &mut doc.examples, EXAMPLES_PER_THEME);
            take_first(&mut self.tension, &mut doc.tension, TENSION_PER_CONTRAST);
            crate::count::add_vec(&mut self.tension_count, &doc.tension_count);
        }
        if let Some(series) = doc.series.take() {
            let item = Kept {
                tokens: doc.tokens,
                order,
                id: id.to_string(),
                data: series,
            };
            keep_largest(&mut self.series, TRAJECTORY_DOCS, item);
        }
        // A document that would rank last among the kept ones is pooled at once (no copy of
        // its id): later documents rank below earlier ones of the same size.
        let kept = &self.contrast_docs;
        let pooled = kept.len() >= CONTRAST_DOCS
            && kept.last().is_some_and(|last| last.tokens >= doc.tokens);
        if pooled {
            self.pool(&doc.contrasts, hitless, 1);
            return;
        }
        let item = Kept {
            tokens: doc.tokens,
            order,
            id: id.to_string(),
            data: std::mem::take(&mut doc.contrasts),
        };
        if let Some(out) = keep_largest(&mut self.contrast_docs, CONTRAST_DOCS, item) {
            self.pool(&out.data, false, 1);
        }
    }

    /// Adds `documents` documents' contrast tallies `tallies` to the pooled rest; `zeros` when
    /// they are known to be zeros (then they are not read).
    fn pool(&mut self, tallies: &[ContrastTally], zeros: bool, documents: u64) {
        room_for(&mut self.rest, tallies.len());
        if !zeros {
            for (pooled, c) in self.rest.iter_mut().zip(tallies) {
                *pooled += c;
            }
        }
        self.rest_documents += documents;
    }

    /// Adds the digest of documents that follow these in the corpus (their positions counted
    /// in the whole corpus): the result is the digest of all of them, as if each document had
    /// been added here in turn. A document another digest pooled would be pooled here too (the
    /// documents it ranked below rank below it here as well), so its pooled tallies are added
    /// as they are.
    pub fn append(&mut self, other: CorpusDigest) {
        keep_first(&mut self.examples, other.examples, EXAMPLES_PER_THEME);
        keep_first(&mut self.tension, other.tension, TENSION_PER_CONTRAST);
        crate::count::add_vec(&mut self.tension_count, &other.tension_count);
        for item in other.series {
            keep_largest(&mut self.series, TRAJECTORY_DOCS, item);
        }
        self.pool(&other.rest, false, other.rest_documents);
        for item in other.contrast_docs {
            if let Some(out) = keep_largest(&mut self.contrast_docs, CONTRAST_DOCS, item) {
                self.pool(&out.data, false, 1);
            }
        }
    }
}

/// Distinct values of a metadata column listed in the report; with more, a range or a count.
pub const META_VALUES: usize = 12;

/// What the report says of one metadata column: how many documents have a value, its values
/// while they are few, and the range when every value is a number or an ISO date. Bounded: at
/// most [`META_VALUES`] values are kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MetaColumn {
    /// The column, as `documents.csv` heads it.
    pub name: String,
    /// Documents with a value.
    pub filled: u64,
    /// Each value with its documents, while there are at most [`META_VALUES`].
    pub values: std::collections::BTreeMap<String, u64>,
    /// Whether there were more distinct values than that.
    pub many: bool,
    /// The smallest and largest value, while every value is a number.
    pub numbers: Option<(f64, f64)>,
    /// The first and last value, while every value is an ISO date (`1789-04-30`…).
    pub dates: Option<(String, String)>,
    /// Whether a value was no number, or no date.
    not_numbers: bool,
    not_dates: bool,
}

impl MetaColumn {
    /// The summary of an empty column `name`.
    pub fn new(name: &str) -> MetaColumn {
        MetaColumn {
            name: name.to_string(),
            ..MetaColumn::default()
        }
    }

    /// Counts one document's value (empty: no value).
    pub fn add(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        self.filled += 1;
        if !self.many {
            // Counted in place when the value was seen before (no copy of it to look it up).
            match self.values.get_mut(value) {
                Some(n) => *n += 1,
                None => {
                    self.values.insert(value.to_string(), 1);
                }
            }
            if self.values.len() > META_VALUES {
                self.many = true;
                self.values.clear();
            }
        }
        // A column that held a value of another kind is no longer read as numbers or dates.
        if !self.not_numbers {
            match value.parse::<f64>().ok().filter(|v| v.is_finite()) {
                Some(v) => {
                    let (lo, hi) = self.numbers.unwrap_or((v, v));
                    self.numbers = Some((lo.min(v), hi.max(v)));
                }
                None => {
                    self.not_numbers = true;
                    self.numbers = None;
                }
            }
        }
        if self.not_dates {
            return;
        }
        let date = value.len() >= 10
            && value.as_bytes()[..10].iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        match date {
            true => {
                let (lo, hi) = self
                    .dates
                    .take()
                    .unwrap_or_else(|| (value.to_string(), value.to_string()));
                let lo = if value < lo.as_str() {
                    value.to_string()
                } else {
                    lo
                };
                let hi = if value > hi.as_str() {
                    value.to_string()
                } else {
                    hi
                };
                self.dates = Some((lo, hi));
            }
            false => {
                self.not_dates = true;
                self.dates = None;
            }
        }
    }

    /// Adds the summary of the same column over other documents: the summary of all of them.
    pub fn merge(&mut self, other: &MetaColumn) {
        self.filled += other.filled;
        self.many |= other.many;
        if !self.many {
            for (value, n) in &other.values {
                *self.values.entry(value.clone()).or_default() += n;
            }
            self.many = self.values.len() > META_VALUES;
        }
        if self.many {
            self.values.clear();
        }
        self.not_numbers |= other.not_numbers;
        self.numbers = match (self.numbers, other.numbers) {
            _ if self.not_numbers => None,
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (mine, theirs) => mine.or(theirs),
        };
        self.not_dates |= other.not_dates;
        self.dates = match (self.dates.take(), &other.dates) {
            _ if self.not_dates => None,
            (Some((a, b)), Some((c, d))) => Some((a.min(c.clone()), b.max(d.clone()))),
            (mine, theirs) => mine.or_else(|| theirs.clone()),
        };
    }

    /// What the report writes of its values: each with its documents (most first), or the
    /// range, or how many there are.
    pub fn described(&self) -> String {
        if !self.many {
            let mut values: Vec<(&String, &u64)> = self.values.iter().collect();
            values.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            return values
                .iter()
                .map(|(v, n)| format!("{v} ({n})"))
                .collect::<Vec<_>>()
                .join(", ");
        }
        if let Some((lo, hi)) = &self.dates {
            return format!("{lo} to {hi}");
        }
        if let Some((lo, hi)) = self.numbers {
            return format!("{lo} to {hi}");
        }
        format!("more than {META_VALUES} distinct values")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_columns_are_summed_up_in_bounded_space() {
        let mut party = MetaColumn::new("party");
        for v in ["Republican", "Democratic", "", "Republican", "Whig"] {
            party.add(v);
        }
        assert_eq!(party.filled, 4);
        assert_eq!(
            party.described(),
            "Republican (2), Democratic (1), Whig (1)"
        );
        let mut year = MetaColumn::new("year");
        let mut date = MetaColumn::new("date");
        for y in 1789..1850 {
            year.add(&y.to_string());
            date.add(&format!("{y}-03-04"));
        }
        assert!(year.many && year.values.is_empty());
        assert_eq!(year.described(), "1789 to 1849");
        assert_eq!(date.described(), "1789-03-04 to 1849-03-04");
        let mut words = MetaColumn::new("president");
        for i in 0..20 {
            words.add(&format!("p{i}"));
        }
        assert_eq!(words.described(), "more than 12 distinct values");
        // A value that is no number ends the range.
        year.add("unknown");
        assert_eq!(year.described(), "more than 12 distinct values");
    }

    /// The bundled essay, the built-in lexicon and its matcher.
    fn essay_and_builtin() -> (String, crate::lexicon::Lexicon, crate::matcher::Matcher) {
        let essay = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("input/hamhung.txt"),
        )
        .unwrap();
        let lexicon = crate::lexicon::Lexicon::builtin().unwrap();
        let matcher = crate::matcher::Matcher::new(&lexicon);
        (essay, lexicon, matcher)
    }

    /// The essay's paragraphs as documents, three times over, digested in order as the writer
    /// adds them: with the room noted after each document, the corpus keeps the same sentences
    /// as when every document renders all it has, while the documents render far fewer (fewer
    /// than half); a grouped run's documents still render the first sentence of each list.
    #[test]
    fn documents_render_only_the_examples_the_corpus_still_wants() {
        let (essay, lexicon, matcher) = essay_and_builtin();
        let themes = lexicon.themes.len();
        // Each paragraph a document, the essay three times over.
        let documents: Vec<&str> = [&essay; 3].iter().flat_map(|e| e.lines()).collect();
        // `note`: as the writer does; a room never noted has room for everything.
        let run = |room: ExampleRoom, note: bool| {
            let (mut corpus, mut rendered, mut firsts) = (CorpusDigest::default(), 0, true);
            for (order, text) in documents.iter().enumerate() {
                let analysis = crate::count::analyse(text, &matcher, &lexicon.contrasts);
                let mut doc =
                    digest_document("d", text, &analysis, &lexicon.contrasts, themes, &room);
                let lists = doc.examples.iter().chain(&doc.tension);
                rendered += lists.clone().map(Vec::len).sum::<usize>();
                // Every list the document has a sentence of starts with its first one.
                let first = |list: &[Example], sentences: &[usize]| {
                    list.first().map(|e| e.sentence) == sentences.first().copied()
                };
                firsts &=
                    (doc.tension.iter().zip(&analysis.tension)).all(|(list, all)| first(list, all));
                corpus.add(order, "d", &mut doc, false);
                if note {
                    room.note(&corpus);
                }
            }
            (corpus, rendered, firsts)
        };
        let (all, all_rendered, _) = run(ExampleRoom::new(false), false);
        let (ungrouped, ungrouped_rendered, _) = run(ExampleRoom::new(false), true);
        let (grouped, grouped_rendered, firsts) = run(ExampleRoom::new(true), true);
        assert_eq!(ungrouped, all);
        assert_eq!(grouped, all);
        // The essay fills every list once through.
        assert!(all.examples.iter().all(|l| l.len() == EXAMPLES_PER_THEME));
        assert!(all.tension.iter().all(|l| l.len() == TENSION_PER_CONTRAST));
        assert!(
            ungrouped_rendered * 2 < all_rendered,
            "{ungrouped_rendered} of {all_rendered}"
        );
        assert!(ungrouped_rendered < grouped_rendered && grouped_rendered < all_rendered);
        assert!(firsts);
    }

    /// A document's examples of a theme are its first sentences with a hit of that theme, each
    /// with the marks of those hits, as a scan of every theme for every sentence finds them.
    #[test]
    fn each_themes_examples_are_its_first_sentences_with_a_hit() {
        let (essay, lexicon, matcher) = essay_and_builtin();
        let themes = lexicon.themes.len();
        let (mut examples, mut marks) = (0, 0);
        // The whole essay, and each paragraph alone.
        for text in std::iter::once(essay.as_str()).chain(essay.lines()) {
            let analysis = crate::count::analyse(text, &matcher, &lexicon.contrasts);
            let room = ExampleRoom::new(false);
            let doc = digest_document("d", text, &analysis, &lexicon.contrasts, themes, &room);
            for (theme, kept) in doc.examples.iter().enumerate() {
                let mut sentences: Vec<usize> = (analysis.hits.iter())
                    .filter(|(h, _)| h.theme == theme)
                    .map(|(_, s)| *s)
                    .collect();
                sentences.dedup();
                sentences.truncate(EXAMPLES_PER_THEME);
                let got: Vec<usize> = kept.iter().map(|e| e.sentence).collect();
                assert_eq!(got, sentences, "theme {theme}");
                for e in kept {
                    let hits = (analysis.hits.iter())
                        .filter(|(h, s)| h.theme == theme && *s == e.sentence)
                        .count();
                    assert!(e.marks.len() <= hits && e.marks.iter().all(|m| m.1 == theme));
                    marks += e.marks.len();
                }
                examples += kept.len();
            }
        }
        assert!(
            examples > 3 * themes && marks >= examples,
            "{examples} {marks}"
        );
    }

    #[test]
    fn keeps_the_first_examples_and_leaves_the_others_to_their_owner() {
        let ex = |n: usize| Example {
            document: format!("d{n}"),
            sentence: n,
            text: String::new(),
            marks: Vec::new(),
        };
        let sentences = |v: &[Vec<Example>]| -> Vec<Vec<usize>> {
            v.iter()
                .map(|e| e.iter().map(|x| x.sentence).collect())
                .collect()
        };
        // Into nothing yet: moved, each cut to the limit.
        let mut kept = Vec::new();
        keep_first(&mut kept, vec![vec![ex(0), ex(1), ex(2)], vec![ex(3)]], 2);
        assert_eq!(sentences(&kept), [vec![0, 1], vec![3]]);
        // After some: up to the limit, in order; what is not kept stays with its owner.
        let mut new = vec![vec![ex(4)], vec![ex(5), ex(6)], vec![ex(7)]];
        take_first(&mut kept, &mut new, 2);
        assert_eq!(sentences(&kept), [vec![0, 1], vec![3, 5], vec![7]]);
        assert_eq!(sentences(&new), [vec![4], vec![6], vec![]]);
        keep_first(&mut kept, vec![vec![ex(8)], vec![], vec![ex(9), ex(10)]], 2);
        assert_eq!(sentences(&kept), [vec![0, 1], vec![3, 5], vec![7, 9]]);
    }

    #[test]
    fn keeps_the_largest_documents_and_pools_the_rest() {
        let mut d = CorpusDigest::default();
        for i in 0..(CONTRAST_DOCS + 5) {
            let mut c = ContrastTally::default();
            c.left.hits = 1;
            let mut doc = DocDigest {
                tokens: (i % 7) as u64,
                contrasts: vec![c],
                ..Default::default()
            };
            d.add(i, &format!("d{i}"), &mut doc, false);
        }
        assert_eq!(d.contrast_docs.len(), CONTRAST_DOCS);
        assert_eq!(d.rest_documents, 5);
        assert_eq!(d.rest[0].left.hits, 5);
        // Largest first; equal sizes in corpus order.
        assert_eq!(d.contrast_docs[0].id, "d6");
        assert_eq!(d.contrast_docs[1].id, "d13");
        assert!(d
            .contrast_docs
            .windows(2)
            .all(|w| w[0].tokens >= w[1].tokens));
    }

    /// A corpus of documents without a hit, marked `hitless`, has the digest reading them
    /// whole gives: the lists and counts made room for, the rest pooled.
    #[test]
    fn hitless_documents_make_the_digest_reading_them_makes() {
        let digest = |mark: bool| {
            let mut d = CorpusDigest::default();
            for i in 0..(CONTRAST_DOCS + 3) {
                let mut doc = doc(i, (i % 5) as u64, (0, 0), false, 0);
                d.add(i, &format!("d{i}"), &mut doc, mark);
            }
            d
        };
        let (marked, whole) = (digest(true), digest(false));
        assert_eq!(marked, whole);
        assert_eq!((whole.examples.len(), whole.tension.len()), (2, 1));
        assert_eq!((whole.tension_count.len(), whole.rest.len()), (1, 1));
        assert_eq!(whole.rest_documents, 3);
    }

    use proptest::strategy::Strategy;

    /// A small document digest from a few numbers: `tokens`, one contrast's left and right
    /// hits, a trajectory or not, and `examples` example sentences of theme 0.
    fn doc(
        order: usize,
        tokens: u64,
        (l, r): (u64, u64),
        series: bool,
        examples: usize,
    ) -> DocDigest {
        let mut c = ContrastTally::default();
        (c.left.hits, c.right.hits) = (l, r);
        let sentence = |s| Example {
            document: format!("d{order}"),
            sentence: s,
            text: String::new(),
            marks: Vec::new(),
        };
        DocDigest {
            tokens,
            contrasts: vec![c],
            series: series.then(|| vec![Vec::new()]),
            examples: vec![(0..examples).map(sentence).collect(), Vec::new()],
            tension: vec![(0..usize::from(l > 0 && r > 0)).map(sentence).collect()],
            tension_count: vec![u64::from(l > 0 && r > 0)],
        }
    }

    proptest::proptest! {
        /// Digests of consecutive parts of a corpus, appended, are the digest of the whole:
        /// the same kept documents (ties in corpus order), pooled rest, examples and counts.
        #[test]
        fn appended_parts_are_the_whole(
            docs in proptest::collection::vec(
                (0u64..12, (0u64..3, 0u64..3), proptest::bool::ANY, 0usize..3),
                0..120,
            ),
            cuts in proptest::collection::vec(0usize..120, 0..4),
        ) {
            // The whole marks documents without a hit `hitless` (their lists then not read),
            // the parts read every document.
            let digest = |range: std::ops::Range<usize>, mark: bool| {
                let mut d = CorpusDigest::default();
                for i in range {
                    let (tokens, poles, series, examples) = docs[i];
                    let mut doc = doc(i, tokens, poles, series, examples);
                    let hitless = mark && poles == (0, 0) && !doc.offers_sentences();
                    d.add(i, &format!("d{i}"), &mut doc, hitless);
                }
                d
            };
            let whole = digest(0..docs.len(), true);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(docs.len())).collect();
            cuts.push(docs.len());
            cuts.sort_unstable();
            let mut merged = CorpusDigest::default();
            let mut from = 0;
            for cut in cuts {
                merged.append(digest(from..cut, false));
                from = cut;
            }
            proptest::prop_assert_eq!(merged, whole);
        }

        /// A metadata column summed up over parts, merged, is the summary over the whole.
        #[test]
        fn merged_metadata_columns_are_the_whole(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    (0u32..20).prop_map(|v| format!("v{v}")),
                    (1780u32..1800).prop_map(|y| y.to_string()),
                    (1u32..13).prop_map(|m| format!("1789-{m:02}-30")),
                    proptest::strategy::Just(String::new()),
                    proptest::strategy::Just("-2.5".to_string()),
                ],
                0..40,
            ),
            cut in 0usize..40,
        ) {
            let summary = |values: &[String]| {
                let mut c = MetaColumn::new("c");
                values.iter().for_each(|v| c.add(v));
                c
            };
            let cut = cut.min(values.len());
            let mut merged = summary(&values[..cut]);
            merged.merge(&summary(&values[cut..]));
            proptest::prop_assert_eq!(merged, summary(&values));
        }
    }
}
