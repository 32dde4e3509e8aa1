//! CSV rows: analyses and corpus totals → CSV text.
//!
//! In: a document's [`DocumentAnalysis`] (rendered on the worker thread that made it, so
//! serialising runs in parallel) or the corpus totals. Out: CSV bytes without a header, to be
//! appended in document order after the header [`header`] gives.
//!
//! Conventions (DESIGN.md, "Output"): RFC 4180, UTF-8, comma, `\n` line ends, numbers with four
//! decimals, empty cell for "not defined", `true`/`false`; a text cell that a spreadsheet would
//! run as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) gets a leading `'`. Every CSV
//! writer of the crate is built by [`writer`], so all files quote alike.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Write;

use serde::{Serialize, Serializer};

use crate::count::{
    ContrastTally, CorpusTotals, Counts, DocumentAnalysis, SegmentTally, TermTotal,
};
use crate::lexicon::{Lexicon, Weight};
use crate::matcher::Matcher;
use crate::score::{balance, npmi, pct, score_contrast, ContrastScore, TrajectoryPoint};

/// `documents.csv` columns before the per-theme and per-contrast ones.
pub const DOCUMENTS_FIXED: &[&str] = &["document", "tokens", "sentences", "paragraphs"];
/// `themes.csv` columns.
pub const THEMES: &[&str] = &[
    "document",
    "theme",
    "count",
    "negated",
    "weight",
    "pct",
    "distinct_terms",
];
/// `contrasts.csv` columns.
pub const CONTRASTS: &[&str] = &[
    "document",
    "contrast",
    "left",
    "right",
    "left_hits",
    "right_hits",
    "left_weight",
    "right_weight",
    "balance",
    "ci_low",
    "ci_high",
    "log_odds",
    "tension_sentences",
    "tension",
];
/// `hits.csv` columns.
pub const HITS: &[&str] = &[
    "document",
    "sentence",
    "start_byte",
    "end_byte",
    "theme",
    "term",
    "matched",
    "weight",
    "negated",
    "negator",
    "left_context",
    "right_context",
];
/// `terms.csv` columns.
pub const TERMS: &[&str] = &["theme", "term", "count", "documents"];
/// `segments.csv` columns.
pub const SEGMENTS: &[&str] = &[
    "document",
    "segment",
    "start_byte",
    "end_byte",
    "tokens",
    "contrast",
    "left_hits",
    "right_hits",
    "left_weight",
    "right_weight",
    "balance",
    "tension_sentences",
];
/// `segment_themes.csv` columns.
pub const SEGMENT_THEMES: &[&str] = &["document", "segment", "theme", "count"];
/// `trajectory.csv` columns.
pub const TRAJECTORY: &[&str] = &[
    "document", "contrast", "segment", "position", "balance", "smoothed",
];
/// `tension.csv` columns.
pub const TENSION: &[&str] = &[
    "document",
    "sentence",
    "contrast",
    "start_byte",
    "end_byte",
    "text",
];
/// `cooccurrence.csv` columns.
pub const COOCCURRENCE: &[&str] = &[
    "theme_a",
    "theme_b",
    "sentences_both",
    "sentences_a",
    "sentences_b",
    "npmi",
];
/// `lexicon_coverage.csv` columns.
pub const COVERAGE: &[&str] = &["theme", "terms", "terms_matched", "hits", "pct_of_tokens"];

/// The id of the corpus rows of `contrasts.csv`.
pub const CORPUS_ID: &str = "(corpus)";

/// Characters of context on each side of a hit in `hits.csv`.
const CONTEXT_CHARS: usize = 40;

pub use crate::csv_format::writer;

/// The header of `documents.csv` for `lexicon`.
pub fn documents_header(lexicon: &Lexicon) -> Vec<String> {
    let mut cols: Vec<String> = DOCUMENTS_FIXED.iter().map(|s| s.to_string()).collect();
    for t in &lexicon.themes {
        cols.push(t.id.clone());
        cols.push(format!("{}_pct", t.id));
    }
    cols.extend(
        lexicon
            .contrasts
            .iter()
            .map(|c| format!("{}_balance", c.id)),
    );
    cols
}

/// Writes a header row.
pub fn header<W: Write, S: AsRef<[u8]>>(out: W, columns: &[S]) -> csv::Result<()> {
    let mut w = writer(out);
    w.write_record(columns)?;
    w.flush()?;
    Ok(())
}

/// Whether a spreadsheet would read a cell starting as `text` does as a formula: it starts with
/// `=`, `+`, `-`, `@`, a tab or CR (all ASCII, so the first byte tells).
fn formula_start(text: &str) -> bool {
    matches!(
        text.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

/// A text cell made safe for spreadsheets.
pub fn safe_text(s: &str) -> Cow<'_, str> {
    if formula_start(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// A number with four decimals, or empty when undefined; never `-0.0000`, never NaN.
pub fn fixed4(value: Option<f64>) -> String {
    let mut out = Vec::with_capacity(12);
    push_fixed4(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`fixed4`] of `value`.
fn push_fixed4(out: &mut Vec<u8>, value: Option<f64>) {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return;
    };
    // Most cells of a corpus of short texts: a rate or share of a theme without hits.
    if v == 0.0 {
        out.extend_from_slice(ZERO4);
        return;
    }
    match fixed4_exact(v) {
        Some((negative, q)) => {
            if negative && q != 0 {
                out.push(b'-');
            }
            push_int(out, q / 10_000);
            out.push(b'.');
            push_four_digits(out, (q % 10_000) as u64);
        }
        None => {
            let s = format!("{v:.4}");
            out.extend_from_slice(if s == "-0.0000" {
                b"0.0000"
            } else {
                s.as_bytes()
            });
        }
    }
}

/// `format!("{v:.4}")` by integer arithmetic, for the values CSV cells hold (|v| < 2^53, not
/// vanishingly small): v is m·2^-k exactly, so v·10^4 is m·10^4 / 2^k, rounded half to even
/// as the standard library rounds. Returns the sign and v·10^4 rounded; `None` outside that
/// range. (The standard library's exact formatting falls back to big-number arithmetic for
/// many such values; this is the hot path of the segment and trajectory files.)
fn fixed4_exact(v: f64) -> Option<(bool, u128)> {
    let bits = v.to_bits();
    let negative = bits >> 63 == 1;
    let exponent = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1 << 52) - 1);
    let (m, e) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), exponent - 1075)
    };
    if m == 0 {
        return Some((negative, 0));
    }
    // Here v = ±m·2^e; k = -e.
    let k = u32::try_from(-e).ok().filter(|k| (1..=100).contains(k))?;
    let scaled = u128::from(m) * 10_000;
    let mut q = scaled >> k;
    let rest = scaled & ((1u128 << k) - 1);
    let half = 1u128 << (k - 1);
    if rest > half || (rest == half && q & 1 == 1) {
        q += 1;
    }
    Some((negative, q))
}

/// Appends an integer.
fn push_int(out: &mut Vec<u8>, n: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Appends `n` (below 10,000) as four digits.
fn push_four_digits(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(&[
        b'0' + (n / 1000 % 10) as u8,
        b'0' + (n / 100 % 10) as u8,
        b'0' + (n / 10 % 10) as u8,
        b'0' + (n % 10) as u8,
    ]);
}

/// Zero with four decimals, as [`push_fixed4`] and [`push_weight`] write it (either sign).
const ZERO4: &[u8] = b"0.0000";

/// Appends a fixed-point weight as [`Weight`] displays it.
fn push_weight(out: &mut Vec<u8>, units: u64) {
    if units == 0 {
        out.extend_from_slice(ZERO4);
        return;
    }
    push_int(out, units / Weight::SCALE);
    out.push(b'.');
    push_four_digits(out, units % Weight::SCALE);
}

/// One row appended cell by cell to a buffer, each cell as the csv writer writes it in a row of
/// several (see [`crate::csv_format`]): for files of many rows, without serde's work per cell
/// (the group files: thousands of rows of a dozen cells).
pub(crate) struct Row<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> Row<'a> {
    /// A row starting at the end of `out`.
    pub(crate) fn new(out: &'a mut Vec<u8>) -> Row<'a> {
        Row { out, empty: true }
    }

    /// The comma before every cell but the first.
    fn next_cell(&mut self) -> &mut Vec<u8> {
        if !std::mem::take(&mut self.empty) {
            self.out.push(b',');
        }
        self.out
    }

    /// A spreadsheet-safe text cell ([`push_text_cell`]).
    pub(crate) fn text(mut self, text: &str) -> Self {
        push_text_cell(self.next_cell(), text);
        self
    }

    /// An integer cell.
    pub(crate) fn int(mut self, n: u64) -> Self {
        push_int(self.next_cell(), n);
        self
    }

    /// A number with four decimals, empty when undefined ([`fixed4`]).
    pub(crate) fn num(mut self, value: Option<f64>) -> Self {
        push_fixed4(self.next_cell(), value);
        self
    }

    /// A fixed-point weight ([`Weight`]).
    pub(crate) fn weight(mut self, units: u64) -> Self {
        push_weight(self.next_cell(), units);
        self
    }

    /// Ends the row. (Rows here have several cells: the csv writer's `""` for a row of one
    /// empty cell is not needed.)
    pub(crate) fn end(self) {
        self.out.push(b'\n');
    }
}

/// The text cells of one document's segment-level rows, rendered once as the csv writer renders
/// them (spreadsheet-safe, quoted where needed): the segment and trajectory rows — millions at
/// scale — are numbers around these, written directly.
#[derive(Clone, Debug, Default)]
pub struct RowCells {
    id: Vec<u8>,
    contrasts: Vec<Vec<u8>>,
    themes: Vec<Vec<u8>>,
}

impl RowCells {
    /// The cells for document `id`.
    pub fn new(id: &str, lexicon: &Lexicon) -> csv::Result<Self> {
        let cell = |text: &str| {
            let mut cell = Vec::with_capacity(text.len());
            push_text_cell(&mut cell, text);
            cell
        };
        Ok(RowCells {
            id: cell(id),
            contrasts: lexicon.contrasts.iter().map(|c| cell(&c.id)).collect(),
            themes: lexicon.themes.iter().map(|t| cell(&t.id)).collect(),
        })
    }

    /// About how many bytes a segment's trajectory rows take: per contrast, the document and
    /// contrast cells, a segment number and three numbers of about eight bytes.
    pub fn trajectory_row_bytes(&self) -> usize {
        (self.contrasts.iter())
            .map(|c| self.id.len() + c.len() + 32)
            .sum()
    }
}

/// A spreadsheet-safe text cell.
struct Text<'a>(&'a str);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&safe_text(self.0))
    }
}

/// A four-decimal number cell.
struct Num(Option<f64>);

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&fixed4(self.0))
    }
}

/// A fixed-point weight cell.
struct W(u64);

impl Serialize for W {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut int = itoa::Buffer::new();
        let int = int.format(self.0 / Weight::SCALE).as_bytes();
        let fraction = self.0 % Weight::SCALE;
        let mut cell = [0u8; 25];
        cell[..int.len()].copy_from_slice(int);
        cell[int.len()..int.len() + 5].copy_from_slice(&[
            b'.',
            b'0' + (fraction / 1000 % 10) as u8,
            b'0' + (fraction / 100 % 10) as u8,
            b'0' + (fraction / 10 % 10) as u8,
            b'0' + (fraction % 10) as u8,
        ]);
        s.serialize_str(std::str::from_utf8(&cell[..int.len() + 5]).unwrap_or_default())
    }
}

#[cfg(test)]
#[derive(Serialize)]
struct ThemeRow<'a> {
    document: Text<'a>,
    theme: Text<'a>,
    count: u64,
    negated: u64,
    weight: W,
    pct: Num,
    distinct_terms: u64,
}

#[derive(Serialize)]
struct ContrastRow<'a> {
    document: Text<'a>,
    contrast: Text<'a>,
    left: Text<'a>,
    right: Text<'a>,
    left_hits: u64,
    right_hits: u64,
    left_weight: W,
    right_weight: W,
    balance: Num,
    ci_low: Num,
    ci_high: Num,
    log_odds: Num,
    tension_sentences: u64,
    tension: Num,
}

/// A `hits.csv` row: written by [`push_hit_row`], which the tests hold to what serde writes.
#[derive(Serialize)]
struct HitRow<'a> {
    document: Text<'a>,
    sentence: usize,
    start_byte: usize,
    end_byte: usize,
    theme: Text<'a>,
    term: Text<'a>,
    matched: Text<'a>,
    weight: W,
    negated: bool,
    negator: Text<'a>,
    left_context: Text<'a>,
    right_context: Text<'a>,
}

#[cfg(test)]
#[derive(Serialize)]
struct TensionRow<'a> {
    document: Text<'a>,
    sentence: usize,
    contrast: Text<'a>,
    start_byte: usize,
    end_byte: usize,
    text: Text<'a>,
}

#[derive(Serialize)]
struct CooccurrenceRow<'a> {
    theme_a: Text<'a>,
    theme_b: Text<'a>,
    sentences_both: u64,
    sentences_a: u64,
    sentences_b: u64,
    npmi: Num,
}

#[derive(Serialize)]
struct CoverageRow<'a> {
    theme: Text<'a>,
    terms: u64,
    terms_matched: u64,
    hits: u64,
    pct_of_tokens: Num,
}

#[derive(Serialize)]
struct TermRow<'a> {
    theme: Text<'a>,
    term: Text<'a>,
    count: u64,
    documents: u64,
}

/// The CSV rows of one document, ready to append.
#[derive(Debug, Default)]
pub struct DocumentRows {
    /// Its `documents.csv` row.
    pub documents: Vec<u8>,
    /// Its `themes.csv` rows.
    pub themes: Vec<u8>,
    /// Its `contrasts.csv` rows.
    pub contrasts: Vec<u8>,
    /// Its `hits.csv` rows (empty with `--hits none`).
    pub hits: Vec<u8>,
    /// Its `tension.csv` rows.
    pub tension: Vec<u8>,
    /// Its `segments.csv` rows (empty with `--segment none`).
    pub segments: Vec<u8>,
    /// Its `segment_themes.csv` rows.
    pub segment_themes: Vec<u8>,
    /// Its `trajectory.csv` rows.
    pub trajectory: Vec<u8>,
}

thread_local! {
    /// Buffers of summary rows given back on this thread ([`DocumentRows::give_back_summary`]):
    /// `documents.csv`'s, `themes.csv`'s and `contrasts.csv`'s.
    static SPARE_SUMMARY: RefCell<[Vec<Vec<u8>>; 3]> = const {
        RefCell::new([Vec::new(), Vec::new(), Vec::new()])
    };
}

/// The most buffers of each summary file waiting on a thread to be filled anew, and the most
/// room one may have (a larger one is let go).
const SPARE_BUFFERS: usize = 256;
const SPARE_ROOM: usize = 64 << 10;

impl DocumentRows {
    /// Empty rows whose summary buffers (`documents`, `themes`, `contrasts`) are ones given
    /// back on this thread, when there are: a run of many short documents writes each one's
    /// summary rows in the memory of an earlier one's.
    pub fn with_spare_summary() -> DocumentRows {
        let mut rows = DocumentRows::default();
        SPARE_SUMMARY.with_borrow_mut(|spare| {
            let [documents, themes, contrasts] = spare;
            rows.documents = documents.pop().unwrap_or_default();
            rows.themes = themes.pop().unwrap_or_default();
            rows.contrasts = contrasts.pop().unwrap_or_default();
        });
        rows
    }

    /// Gives the memory of the summary rows back to this thread (emptied), for
    /// [`DocumentRows::with_spare_summary`].
    pub fn give_back_summary(&mut self) {
        SPARE_SUMMARY.with_borrow_mut(|spare| {
            let [documents, themes, contrasts] = spare;
            for (rows, spare) in [
                (&mut self.documents, documents),
                (&mut self.themes, themes),
                (&mut self.contrasts, contrasts),
            ] {
                if rows.capacity() > 0
                    && rows.capacity() <= SPARE_ROOM
                    && spare.len() < SPARE_BUFFERS
                {
                    let mut rows = std::mem::take(rows);
                    rows.clear();
                    spare.push(rows);
                }
            }
        });
    }

    /// Appends `other`'s rows to these, file by file.
    pub fn append(&mut self, other: DocumentRows) {
        let DocumentRows {
            documents,
            themes,
            contrasts,
            hits,
            tension,
            segments,
            segment_themes,
            trajectory,
        } = other;
        // Moved rather than copied where there is nothing yet (a whole document's summary rows).
        let add = |rows: &mut Vec<u8>, more: Vec<u8>| match rows.is_empty() {
            true => *rows = more,
            false => rows.extend_from_slice(&more),
        };
        add(&mut self.documents, documents);
        add(&mut self.themes, themes);
        add(&mut self.contrasts, contrasts);
        add(&mut self.hits, hits);
        add(&mut self.tension, tension);
        add(&mut self.segments, segments);
        add(&mut self.segment_themes, segment_themes);
        add(&mut self.trajectory, trajectory);
    }
}

/// Where the analysed text lies in its document, for rows of one block of a large document:
/// all zero for a whole document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Base {
    /// Where the analysed text starts in the text handed over (which may hold context before
    /// it, for the hit contexts).
    pub lead: usize,
    /// Byte offset of the analysed text in the document.
    pub bytes: usize,
    /// Sentences before it in the document.
    pub sentences: usize,
}

/// Text on one line: white space runs as one space, trimmed (white space as
/// [`str::split_whitespace`] has it). ASCII text, most of it, is copied whole when it holds
/// no line break, tab or run of spaces, else done byte by byte.
pub(crate) fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    if text.is_ascii() {
        let bytes = text.as_bytes();
        // Most sentences are already on one line, their words one space apart: copied whole.
        let breaks = (bytes.iter()).fold(false, |any, &b| any | matches!(b, b'\t'..=b'\r'));
        if !breaks
            && !bytes.starts_with(b" ")
            && !bytes.ends_with(b" ")
            && memchr::memmem::find(bytes, b"  ").is_none()
        {
            out.push_str(text);
            return out;
        }
        let space = |b: u8| matches!(b, b'\t'..=b'\r' | b' ');
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && space(bytes[i]) {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && !space(bytes[i]) {
                i += 1;
            }
            if start < i {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&text[start..i]);
            }
        }
        return out;
    }
    for (k, word) in text.split_whitespace().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// [`context_into`] as a new string.
#[cfg(test)]
fn context(text: &str, before: bool) -> String {
    let mut out = String::new();
    context_into(text, before, &mut out);
    out
}

/// Text around a hit — the last (`before`) or first [`CONTEXT_CHARS`] characters of `text`,
/// white space runs as one space — into `out`, cleared first (one buffer serves every hit).
fn context_into(text: &str, before: bool, out: &mut String) {
    out.clear();
    let mut in_space = false;
    // Where the nearest CONTEXT_CHARS bytes are ASCII, they are the characters: a byte at a
    // time into a buffer on the stack, without a branch on the byte. ASCII white space and
    // control characters, as `char` classes them, are the bytes up to the space and DEL; the
    // write position moves on except for a space after a space.
    let near = match before {
        true => text.len().saturating_sub(CONTEXT_CHARS)..text.len(),
        false => 0..text.len().min(CONTEXT_CHARS),
    };
    if let Some(piece) = text.get(near).filter(|piece| piece.is_ascii()) {
        let mut buf = [0u8; CONTEXT_CHARS];
        let mut n = 0;
        for (&b, slot) in piece.as_bytes().iter().zip(0..CONTEXT_CHARS) {
            let space = b <= b' ' || b == 0x7F;
            // `n` is at most `slot` (below CONTEXT_CHARS): said so, the index needs no check.
            buf[n.min(slot)] = if space { b' ' } else { b };
            n += usize::from(!(space && in_space));
            in_space = space;
        }
        // ASCII in, ASCII out.
        out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
        return;
    }
    let piece = if before {
        let start = text
            .char_indices()
            .rev()
            .nth(CONTEXT_CHARS - 1)
            .map_or(0, |(i, _)| i);
        &text[start..]
    } else {
        let end = text
            .char_indices()
            .nth(CONTEXT_CHARS)
            .map_or(text.len(), |(i, _)| i);
        &text[..end]
    };
    for c in piece.chars() {
        if c.is_whitespace() || c.is_control() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
}

#[cfg(test)]
fn theme_row<'a>(
    document: &'a str,
    theme: &'a str,
    t: &crate::count::ThemeTally,
    tokens: u64,
) -> ThemeRow<'a> {
    ThemeRow {
        document: Text(document),
        theme: Text(theme),
        count: t.count,
        negated: t.negated,
        weight: W(t.weight),
        pct: Num(pct(t.count, tokens)),
        distinct_terms: t.distinct_terms,
    }
}

fn contrast_row<'a>(
    document: &'a str,
    lexicon: &'a Lexicon,
    index: usize,
    tally: &ContrastTally,
    score: &ContrastScore,
) -> ContrastRow<'a> {
    let c = &lexicon.contrasts[index];
    ContrastRow {
        document: Text(document),
        contrast: Text(&c.id),
        left: Text(&lexicon.themes[c.left].id),
        right: Text(&lexicon.themes[c.right].id),
        left_hits: tally.left.hits,
        right_hits: tally.right.hits,
        left_weight: W(tally.left.weight),
        right_weight: W(tally.right.weight),
        balance: Num(score.balance),
        ci_low: Num(score.ci_low),
        ci_high: Num(score.ci_high),
        log_odds: Num(Some(score.log_odds)),
        tension_sentences: tally.tension_sentences,
        tension: Num(score.tension),
    }
}

/// Renders a document's `documents.csv`, `themes.csv` and `contrasts.csv` rows from its counts;
/// its metadata cells go right after the id in `documents.csv`, and with `drop_zeros` its
/// `themes.csv` rows with a zero count are left out. The rows are written directly, byte for
/// byte as the csv writer writes the row structs (a table of short texts has millions of such
/// rows, and a csv writer per document cost more than analysing it; the property test
/// `summary_rows_equal_the_csv_writer_rows` holds the two together).
pub fn summary_rows(
    name: crate::assemble::Name<'_>,
    counts: &Counts,
    lexicon: &Lexicon,
    rows: &mut DocumentRows,
) -> csv::Result<()> {
    let DocumentRows {
        documents: out,
        themes: theme_rows,
        contrasts: contrast_rows,
        ..
    } = rows;
    // The id's cell, rendered once for the document's rows: its `documents.csv` row starts
    // with it, the others copy it from there.
    // Room for the rows at once (a row's numbers take about 40 bytes), not by doublings.
    let themes = lexicon.themes.len();
    let meta = name.meta.iter().map(|m| m.len() + 1).sum::<usize>();
    out.reserve(name.id.len() + 2 + meta + 16 * themes + 40);
    let start = out.len();
    push_text_cell(out, name.id);
    let id_len = out.len() - start;
    theme_rows.reserve(themes * (id_len + 64));
    contrast_rows.reserve(lexicon.contrasts.len() * (id_len + 128));
    for m in name.meta {
        out.push(b',');
        push_text_cell(out, m);
    }
    for n in [counts.tokens, counts.sentences, counts.paragraphs] {
        out.push(b',');
        push_int(out, n);
    }
    for t in &counts.themes {
        out.push(b',');
        push_int(out, t.count);
        out.push(b',');
        push_fixed4(out, pct(t.count, counts.tokens));
    }
    for tally in &counts.contrasts {
        out.push(b',');
        push_fixed4(out, balance(tally.left.weight, tally.right.weight));
    }
    out.push(b'\n');

    let id = &out[start..start + id_len];
    for (theme, tally) in lexicon.themes.iter().zip(&counts.themes) {
        if name.drop_zeros && tally.count == 0 {
            continue;
        }
        push_theme_row(theme_rows, id, &theme.id, tally, counts.tokens);
    }
    for (i, tally) in counts.contrasts.iter().enumerate() {
        push_contrast_row(contrast_rows, id, lexicon, i, tally);
    }
    Ok(())
}

/// Appends a text cell as the csv writer writes it in a row of several cells: made safe for
/// spreadsheets ([`safe_text`]), and quoted, its quotes doubled, when it holds a comma, a
/// quote, CR or LF.
pub fn push_text_cell(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let guard = formula_start(text);
    // Every byte looked at, without a branch per byte (most cells are short and plain), so
    // that the compiler can compare many at a time.
    let quote = (bytes.iter()).fold(false, |q, &b| q | matches!(b, b',' | b'"' | b'\r' | b'\n'));
    if !quote {
        if guard {
            out.push(b'\'');
        }
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    if guard {
        out.push(b'\'');
    }
    for piece in bytes.split_inclusive(|&b| b == b'"') {
        out.extend_from_slice(piece);
        if piece.last() == Some(&b'"') {
            out.push(b'"');
        }
    }
    out.push(b'"');
}

/// Appends the cell of a theme's or a contrast's id: the id as it is, which is what
/// [`push_text_cell`] writes for it, since an id matches `[a-z0-9_]+` (the lexicon's
/// guarantee: no character to quote, none that a spreadsheet reads as a formula).
fn push_id_cell(out: &mut Vec<u8>, id: &str) {
    debug_assert!(crate::lexicon::is_valid_id(id), "{id}");
    out.extend_from_slice(id.as_bytes());
}

/// Appends a `themes.csv` row, as the csv writer writes the serde row struct (`ThemeRow`, kept
/// for the tests); `document` is the id's cell as [`push_text_cell`] writes it.
fn push_theme_row(
    out: &mut Vec<u8>,
    document: &[u8],
    theme: &str,
    t: &crate::count::ThemeTally,
    tokens: u64,
) {
    out.extend_from_slice(document);
    out.push(b',');
    push_id_cell(out, theme);
    // A theme without a hit in a document with tokens: most rows of a corpus of short texts.
    if *t == crate::count::ThemeTally::default() && tokens > 0 {
        out.extend_from_slice(b",0,0,0.0000,0.0000,0\n");
        return;
    }
    out.push(b',');
    push_int(out, t.count);
    out.push(b',');
    push_int(out, t.negated);
    out.push(b',');
    push_weight(out, t.weight);
    out.push(b',');
    push_fixed4(out, pct(t.count, tokens));
    out.push(b',');
    push_int(out, t.distinct_terms);
    out.push(b'\n');
}

/// Appends a `contrasts.csv` row, as the csv writer writes [`ContrastRow`]; `document` is the
/// id's cell as [`push_text_cell`] writes it.
fn push_contrast_row(
    out: &mut Vec<u8>,
    document: &[u8],
    lexicon: &Lexicon,
    index: usize,
    tally: &ContrastTally,
) {
    let c = &lexicon.contrasts[index];
    out.extend_from_slice(document);
    out.push(b',');
    for text in [
        &c.id,
        &lexicon.themes[c.left].id,
        &lexicon.themes[c.right].id,
    ] {
        push_id_cell(out, text);
        out.push(b',');
    }
    // A contrast without a hit, most rows of a corpus of short texts: no hits, no balance, no
    // interval, log odds ln(0.5 / 0.5), no tension.
    if *tally == ContrastTally::default() {
        out.extend_from_slice(b"0,0,0.0000,0.0000,,,,0.0000,0,\n");
        return;
    }
    let score = score_contrast(tally);
    push_int(out, tally.left.hits);
    out.push(b',');
    push_int(out, tally.right.hits);
    out.push(b',');
    push_weight(out, tally.left.weight);
    out.push(b',');
    push_weight(out, tally.right.weight);
    for value in [
        score.balance,
        score.ci_low,
        score.ci_high,
        Some(score.log_odds),
    ] {
        out.push(b',');
        push_fixed4(out, value);
    }
    out.push(b',');
    push_int(out, tally.tension_sentences);
    out.push(b',');
    push_fixed4(out, score.tension);
    out.push(b'\n');
}

/// Renders the `hits.csv` rows of an analysed text; `text[base.lead..]` is what was analysed,
/// and what lies around it gives the contexts.
pub fn render_hits(
    id: &str,
    text: &str,
    analysis: &DocumentAnalysis<'_>,
    lexicon: &Lexicon,
    matcher: &Matcher,
    base: &Base,
    out: &mut Vec<u8>,
) {
    let tokens = &analysis.tokens;
    // About what a row takes (two contexts of 40 characters and the rest).
    out.reserve(analysis.hits.len() * 192);
    let (mut left, mut right) = (String::new(), String::new());
    for (hit, sentence) in &analysis.hits {
        let start = base.lead + tokens[hit.tokens.start].span.start;
        let end = base.lead + tokens[hit.tokens.end - 1].span.end;
        let negator = hit
            .negator
            .map(|n| &text[base.lead + tokens[n].span.start..base.lead + tokens[n].span.end])
            .unwrap_or("");
        context_into(&text[..start], true, &mut left);
        context_into(&text[end..], false, &mut right);
        push_hit_row(
            out,
            &HitRow {
                document: Text(id),
                sentence: base.sentences + *sentence,
                start_byte: base.bytes + start - base.lead,
                end_byte: base.bytes + end - base.lead,
                theme: Text(&lexicon.themes[hit.theme].id),
                term: Text(&matcher.term(hit.term).text),
                matched: Text(&text[start..end]),
                weight: W(hit.weight.0),
                negated: hit.negator.is_some(),
                negator: Text(negator),
                left_context: Text(&left),
                right_context: Text(&right),
            },
        );
    }
}

/// Appends `row` as the csv writer writes it (a hit row per hit: a large lexicon's hits are
/// most of a default run's rows, written here without serde's work per cell).
fn push_hit_row(out: &mut Vec<u8>, row: &HitRow<'_>) {
    push_text_cell(out, row.document.0);
    for n in [row.sentence, row.start_byte, row.end_byte] {
        out.push(b',');
        push_int(out, n);
    }
    out.push(b',');
    push_id_cell(out, row.theme.0);
    for cell in [row.term.0, row.matched.0] {
        out.push(b',');
        push_text_cell(out, cell);
    }
    out.push(b',');
    push_weight(out, row.weight.0);
    out.extend_from_slice(if row.negated { b",true," } else { b",false," });
    push_text_cell(out, row.negator.0);
    for cell in [row.left_context.0, row.right_context.0] {
        out.push(b',');
        push_text_cell(out, cell);
    }
    out.push(b'\n');
}

/// Appends one segment's `segments.csv` rows (one per contrast) to `segments` and its
/// `segment_themes.csv` rows (one per theme with a hit) to `themes`.
pub fn segment_rows(
    segments: &mut Vec<u8>,
    themes: &mut Vec<u8>,
    cells: &RowCells,
    k: usize,
    span: &std::ops::Range<usize>,
    tally: &SegmentTally,
) {
    for (contrast, sc) in cells.contrasts.iter().zip(&tally.contrasts) {
        let out = &mut *segments;
        out.extend_from_slice(&cells.id);
        out.push(b',');
        push_int(out, k);
        out.push(b',');
        push_int(out, span.start);
        out.push(b',');
        push_int(out, span.end);
        out.push(b',');
        push_int(out, tally.tokens);
        out.push(b',');
        out.extend_from_slice(contrast);
        out.push(b',');
        push_int(out, sc.left.hits);
        out.push(b',');
        push_int(out, sc.right.hits);
        out.push(b',');
        push_weight(out, sc.left.weight);
        out.push(b',');
        push_weight(out, sc.right.weight);
        out.push(b',');
        push_fixed4(out, balance(sc.left.weight, sc.right.weight));
        out.push(b',');
        push_int(out, sc.tension_sentences);
        out.push(b'\n');
    }
    for (theme, &count) in cells.themes.iter().zip(&tally.themes) {
        if count > 0 {
            themes.extend_from_slice(&cells.id);
            themes.push(b',');
            push_int(themes, k);
            themes.push(b',');
            themes.extend_from_slice(theme);
            themes.push(b',');
            push_int(themes, count);
            themes.push(b'\n');
        }
    }
}

/// Writes the `trajectory.csv` rows of contrast `ci` of a document: one per point of
/// `points` ([`crate::score::trajectory`]); `seen` sees each point as it is written (the chart
/// keeps some of them).
pub fn write_trajectory_rows<W: Write>(
    mut out: W,
    cells: &RowCells,
    ci: usize,
    points: impl Iterator<Item = TrajectoryPoint>,
    mut seen: impl FnMut(&TrajectoryPoint),
) -> csv::Result<()> {
    let mut row = Vec::with_capacity(1 << 16);
    for point in points {
        push_trajectory_row(&mut row, cells, ci, &point);
        if row.len() >= 1 << 15 {
            out.write_all(&row)?;
            row.clear();
        }
        seen(&point);
    }
    out.write_all(&row)?;
    Ok(())
}

/// Appends the `trajectory.csv` row of `point` of contrast `ci`.
fn push_trajectory_row(row: &mut Vec<u8>, cells: &RowCells, ci: usize, point: &TrajectoryPoint) {
    row.extend_from_slice(&cells.id);
    row.push(b',');
    row.extend_from_slice(&cells.contrasts[ci]);
    row.push(b',');
    push_int(row, point.segment);
    row.push(b',');
    push_fixed4(row, point.position);
    row.push(b',');
    push_fixed4(row, point.balance);
    row.push(b',');
    push_fixed4(row, point.smoothed);
    row.push(b'\n');
}

/// Renders the `tension.csv` rows of an analysed text (see [`render_hits`] for `base`), byte
/// for byte as the csv writer writes the serde row struct (`TensionRow`, kept for the tests).
pub fn render_tension(
    id: &str,
    text: &str,
    analysis: &DocumentAnalysis<'_>,
    lexicon: &Lexicon,
    base: &Base,
    out: &mut Vec<u8>,
) -> csv::Result<()> {
    let mut pairs: Vec<(usize, usize)> = analysis
        .tension
        .iter()
        .enumerate()
        .flat_map(|(c, sentences)| sentences.iter().map(move |&s| (s, c)))
        .collect();
    if pairs.is_empty() {
        return Ok(());
    }
    pairs.sort_unstable();
    let cell = |text: &str| {
        let mut cell = Vec::with_capacity(text.len());
        push_text_cell(&mut cell, text);
        cell
    };
    let document = cell(id);
    let contrasts: Vec<Vec<u8>> = lexicon.contrasts.iter().map(|c| cell(&c.id)).collect();
    // A sentence in tension for several contrasts is put on one line once.
    let mut sentence = (usize::MAX, Vec::new());
    for (s, c) in pairs {
        let span = analysis.structure.sentences[s].span.clone();
        if sentence.0 != s {
            sentence.0 = s;
            sentence.1.clear();
            let shown = one_line(&text[base.lead + span.start..base.lead + span.end]);
            push_text_cell(&mut sentence.1, &shown);
        }
        out.extend_from_slice(&document);
        out.push(b',');
        push_int(out, base.sentences + s);
        out.push(b',');
        out.extend_from_slice(&contrasts[c]);
        out.push(b',');
        push_int(out, base.bytes + span.start);
        out.push(b',');
        push_int(out, base.bytes + span.end);
        out.push(b',');
        out.extend_from_slice(&sentence.1);
        out.push(b'\n');
    }
    Ok(())
}

/// Writes `cooccurrence.csv` rows (no header): every pair of themes a < b in lexicon order.
pub fn write_cooccurrence<W: Write>(
    out: W,
    lexicon: &Lexicon,
    totals: &CorpusTotals,
) -> csv::Result<()> {
    let mut w = writer(out);
    let n = lexicon.themes.len();
    let c = &totals.cooccurrence;
    for a in 0..n {
        for b in a + 1..n {
            let (both, sa, sb) = c.pair(a, b, n);
            w.serialize(CooccurrenceRow {
                theme_a: Text(&lexicon.themes[a].id),
                theme_b: Text(&lexicon.themes[b].id),
                sentences_both: both,
                sentences_a: sa,
                sentences_b: sb,
                npmi: Num(npmi(both, sa, sb, c.sentences)),
            })?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes the `(corpus)` rows of `contrasts.csv` (no header).
pub fn write_corpus_contrasts<W: Write>(
    out: W,
    lexicon: &Lexicon,
    totals: &CorpusTotals,
    scores: &[ContrastScore],
) -> csv::Result<()> {
    let mut w = writer(out);
    for (i, (tally, score)) in totals.counts.contrasts.iter().zip(scores).enumerate() {
        w.serialize(contrast_row(CORPUS_ID, lexicon, i, tally, score))?;
    }
    w.flush()?;
    Ok(())
}

/// Writes `terms.csv` rows (no header): per theme in lexicon order, matched terms by count
/// (descending), ties in lexicon order.
pub fn write_terms<W: Write>(
    out: W,
    lexicon: &Lexicon,
    matcher: &Matcher,
    totals: &CorpusTotals,
) -> csv::Result<()> {
    let mut w = writer(out);
    for (t, theme) in lexicon.themes.iter().enumerate() {
        for id in totals.matched_terms(matcher, t) {
            let TermTotal {
                hits: count,
                documents,
                ..
            } = totals.terms[id as usize];
            w.serialize(TermRow {
                theme: Text(&theme.id),
                term: Text(&matcher.term(id).text),
                count,
                documents,
            })?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Writes `lexicon_coverage.csv` rows (no header): per theme, its terms, how many matched
/// anywhere, its hits and their share of all tokens (per 100).
pub fn write_coverage<W: Write>(
    out: W,
    lexicon: &Lexicon,
    matcher: &Matcher,
    totals: &CorpusTotals,
) -> csv::Result<()> {
    let mut w = writer(out);
    for (t, theme) in lexicon.themes.iter().enumerate() {
        let matched = totals.matched_terms(matcher, t).len();
        let hits = totals.counts.themes.get(t).map_or(0, |x| x.count);
        w.serialize(CoverageRow {
            theme: Text(&theme.id),
            terms: matcher.theme_terms(t).len() as u64,
            terms_matched: matched as u64,
            hits,
            pct_of_tokens: Num(pct(hits, totals.counts.tokens)),
        })?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_buffers_given_back_hold_the_next_rows() {
        let mut rows = DocumentRows::with_spare_summary();
        rows.documents.extend_from_slice(b"a,1\n");
        rows.themes.reserve(1000);
        rows.hits.extend_from_slice(b"h\n");
        let (documents, themes) = (rows.documents.capacity(), rows.themes.capacity());
        rows.give_back_summary();
        // Taken, except the rows of the other files.
        assert!(rows.documents.is_empty() && rows.themes.capacity() == 0);
        assert_eq!(rows.hits, b"h\n");
        let next = DocumentRows::with_spare_summary();
        assert!(next.documents.is_empty() && next.themes.is_empty());
        assert_eq!(next.documents.capacity(), documents);
        assert_eq!(next.themes.capacity(), themes);
        assert_eq!(next.contrasts.capacity(), 0);
        // One with too much room is let go.
        let mut large = DocumentRows::default();
        large.themes.reserve(SPARE_ROOM + 1);
        large.give_back_summary();
        assert!(large.themes.capacity() > SPARE_ROOM);
        assert_eq!(DocumentRows::with_spare_summary().themes.capacity(), 0);
    }
    use crate::count::PoleTally;
    use crate::output::digest::{Sampler, SeriesPoint};
    use crate::score::smoothing_window;

    /// The header csv would derive from a row struct's field names.
    fn derived_header<T: Serialize>(row: T) -> String {
        let mut w = csv::WriterBuilder::new()
            .has_headers(true)
            .from_writer(Vec::new());
        w.serialize(row).unwrap();
        let bytes = w.into_inner().unwrap();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string()
    }

    #[test]
    fn fixed4_agrees_with_the_standard_library() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            0.03125,
            -0.03125,
            0.09375,
            5e-5,
            2.5e-5,
            7.5e-5,
            1.00005,
            1.0 / 3.0,
            -2.0 / 3.0,
            0.99995,
            9.99995,
            123456.78905,
            1e-30,
            1e-300,
            f64::MIN_POSITIVE,
            4.9e-324,
            9.0e15,
            1e20,
            -1e20,
        ];
        // Every k/n for small n (balances and shares are such ratios), and ties at 5 decimals.
        for n in 1..=200u32 {
            for k in 0..=n {
                values.push(f64::from(k) / f64::from(n));
                values.push(-f64::from(k) / f64::from(n));
            }
        }
        for t in 0..20_000u32 {
            values.push(f64::from(2 * t + 1) / 2f64.powi(15));
        }
        for v in values {
            assert_eq!(
                fixed4(Some(v)),
                {
                    let s = format!("{v:.4}");
                    if s == "-0.0000" {
                        "0.0000".to_string()
                    } else {
                        s
                    }
                },
                "{v:e}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn fixed4_agrees_with_the_standard_library_on_any_float(bits in proptest::prelude::any::<u64>(), small in -1.0e6f64..1.0e6) {
            for v in [f64::from_bits(bits), small, 0.0, -0.0, 5e-324, -1e-5, 4.9999e-5] {
                if v.is_finite() {
                    let s = format!("{v:.4}");
                    let want = if s == "-0.0000" { "0.0000".to_string() } else { s };
                    proptest::prop_assert_eq!(fixed4(Some(v)), want, "{:e}", v);
                }
            }
        }

        /// A weight's cell is what [`Weight`] displays, zero included.
        #[test]
        fn weight_cells_are_what_weights_display(units in proptest::prelude::any::<u64>(), small in 0u64..30_000) {
            for units in [units, small, 0] {
                let mut cell = Vec::new();
                push_weight(&mut cell, units);
                proptest::prop_assert_eq!(String::from_utf8(cell).unwrap(), Weight(units).to_string());
            }
        }
    }

    #[derive(Serialize)]
    struct SegmentRow<'a> {
        document: Text<'a>,
        segment: usize,
        start_byte: usize,
        end_byte: usize,
        tokens: u64,
        contrast: Text<'a>,
        left_hits: u64,
        right_hits: u64,
        left_weight: W,
        right_weight: W,
        balance: Num,
        tension_sentences: u64,
    }

    #[derive(Serialize)]
    struct SegmentThemeRow<'a> {
        document: Text<'a>,
        segment: usize,
        theme: Text<'a>,
        count: u64,
    }

    #[derive(Serialize)]
    struct TrajectoryRow<'a> {
        document: Text<'a>,
        contrast: Text<'a>,
        segment: usize,
        position: Num,
        balance: Num,
        smoothed: Num,
    }

    /// Rows as the serde row structs and the csv writer render them: the reference for the
    /// direct writers.
    fn reference_rows(
        id: &str,
        lexicon: &Lexicon,
        k: usize,
        span: std::ops::Range<usize>,
        tally: &SegmentTally,
        point: &TrajectoryPoint,
    ) -> (String, String, String) {
        let mut seg = writer(Vec::new());
        for (c, sc) in lexicon.contrasts.iter().zip(&tally.contrasts) {
            seg.serialize(SegmentRow {
                document: Text(id),
                segment: k,
                start_byte: span.start,
                end_byte: span.end,
                tokens: tally.tokens,
                contrast: Text(&c.id),
                left_hits: sc.left.hits,
                right_hits: sc.right.hits,
                left_weight: W(sc.left.weight),
                right_weight: W(sc.right.weight),
                balance: Num(balance(sc.left.weight, sc.right.weight)),
                tension_sentences: sc.tension_sentences,
            })
            .unwrap();
        }
        let mut themes = writer(Vec::new());
        for (theme, &count) in lexicon.themes.iter().zip(&tally.themes) {
            if count > 0 {
                themes
                    .serialize(SegmentThemeRow {
                        document: Text(id),
                        segment: k,
                        theme: Text(&theme.id),
                        count,
                    })
                    .unwrap();
            }
        }
        let mut traj = writer(Vec::new());
        traj.serialize(TrajectoryRow {
            document: Text(id),
            contrast: Text(&lexicon.contrasts[0].id),
            segment: k,
            position: Num(point.position),
            balance: Num(point.balance),
            smoothed: Num(point.smoothed),
        })
        .unwrap();
        let text = |w: csv::Writer<Vec<u8>>| String::from_utf8(w.into_inner().unwrap()).unwrap();
        (text(seg), text(themes), text(traj))
    }

    proptest::proptest! {
        #[test]
        fn direct_rows_equal_the_csv_writer_rows(
            id in r#"[=+@a-z ,"\n\t-]{0,8}|doc\.txt"#,
            k in 0usize..100_000,
            start in 0usize..1_000_000,
            tokens in 0u64..5000,
            counts in proptest::collection::vec(0u64..4, 2),
            weights in proptest::collection::vec(0u64..200_000, 2),
            tension in 0u64..3,
            position in proptest::option::of(0.0f64..=1.0),
        ) {
            let lexicon = crate::lexicon::parse_toml(
                "[[themes]]\nid=\"a\"\nterms=[\"x\"]\n[[themes]]\nid=\"b_\"\nterms=[\"y\"]\n[[contrasts]]\nleft=\"a\"\nright=\"b_\"\n",
                "t",
            )
            .unwrap();
            let mut tally = SegmentTally {
                tokens,
                themes: counts.clone(),
                contrasts: vec![crate::count::SegmentContrast::default()],
            };
            let c = &mut tally.contrasts[0];
            (c.left.hits, c.right.hits) = (counts[0], counts[1]);
            (c.left.weight, c.right.weight) = (weights[0], weights[1]);
            c.tension_sentences = tension;
            let point = TrajectoryPoint {
                segment: k,
                position,
                balance: balance(weights[0], weights[1]),
                smoothed: balance(weights[1], weights[0] / 3),
                window: ContrastTally::default(),
            };
            let (seg, themes, traj) = reference_rows(&id, &lexicon, k, start..start + 7, &tally, &point);
            let cells = RowCells::new(&id, &lexicon).unwrap();
            let (mut s, mut t) = (Vec::new(), Vec::new());
            segment_rows(&mut s, &mut t, &cells, k, &(start..start + 7), &tally);
            proptest::prop_assert_eq!(String::from_utf8(s).unwrap(), seg);
            proptest::prop_assert_eq!(String::from_utf8(t).unwrap(), themes);
            let mut row = Vec::new();
            push_trajectory_row(&mut row, &cells, 0, &point);
            proptest::prop_assert_eq!(String::from_utf8(row).unwrap(), traj);
        }
    }

    /// A document's summary rows as the csv writer renders the row structs: the reference for
    /// the direct [`summary_rows`].
    fn reference_summary_rows(
        name: crate::assemble::Name<'_>,
        counts: &Counts,
        lexicon: &Lexicon,
    ) -> (String, String, String) {
        let scores: Vec<ContrastScore> = counts.contrasts.iter().map(score_contrast).collect();
        let mut w = writer(Vec::new());
        let mut record: Vec<String> = vec![safe_text(name.id).into_owned()];
        record.extend(name.meta.iter().map(|m| safe_text(m).into_owned()));
        record.extend([counts.tokens, counts.sentences, counts.paragraphs].map(|n| n.to_string()));
        for t in &counts.themes {
            record.push(t.count.to_string());
            record.push(format4(pct(t.count, counts.tokens)));
        }
        record.extend(scores.iter().map(|s| format4(s.balance)));
        w.write_record(&record).unwrap();
        let mut themes = writer(Vec::new());
        for (theme, tally) in lexicon.themes.iter().zip(&counts.themes) {
            if !(name.drop_zeros && tally.count == 0) {
                themes
                    .serialize(theme_row(name.id, &theme.id, tally, counts.tokens))
                    .unwrap();
            }
        }
        let mut contrasts = writer(Vec::new());
        for (i, (tally, score)) in counts.contrasts.iter().zip(&scores).enumerate() {
            contrasts
                .serialize(contrast_row(name.id, lexicon, i, tally, score))
                .unwrap();
        }
        let text = |w: csv::Writer<Vec<u8>>| String::from_utf8(w.into_inner().unwrap()).unwrap();
        (text(w), text(themes), text(contrasts))
    }

    /// `format!("{v:.4}")` without negative zero: the standard library's rendering.
    fn format4(v: Option<f64>) -> String {
        v.map_or(String::new(), |v| match format!("{v:.4}") {
            s if s == "-0.0000" => "0.0000".to_string(),
            s => s,
        })
    }

    proptest::proptest! {
        /// A theme's or contrast's id is its own cell: what the text cell would be.
        #[test]
        fn an_id_cell_is_the_text_cell(id in "[a-z0-9_]{1,24}") {
            let (mut cell, mut text) = (Vec::new(), Vec::new());
            push_id_cell(&mut cell, &id);
            push_text_cell(&mut text, &id);
            proptest::prop_assert_eq!(cell, text);
        }

        #[test]
        fn summary_rows_equal_the_csv_writer_rows(
            id in r#"[=+@a-z ,"\n\r\t-]{0,8}|1:Genesis:1"#,
            meta in proptest::collection::vec(r#"[=+@a-z0-9 ,"\n-]{0,6}"#, 0..3),
            tokens in 0u64..5000,
            // Zeros half the time: most tallies of a short document are zero.
            numbers in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0u64), 0u64..40], 8),
            weights in proptest::collection::vec(proptest::prop_oneof![proptest::strategy::Just(0u64), 0u64..200_000], 4),
            drop_zeros in proptest::bool::ANY,
        ) {
            let lexicon = crate::lexicon::parse_toml(
                "[[themes]]\nid=\"a\"\nterms=[\"x\"]\n[[themes]]\nid=\"b_\"\nterms=[\"y\"]\n[[contrasts]]\nleft=\"a\"\nright=\"b_\"\n",
                "t",
            )
            .unwrap();
            let theme = |k: usize| crate::count::ThemeTally {
                count: numbers[k],
                negated: numbers[k] / 3,
                weight: weights[k],
                distinct_terms: numbers[k + 2] % 3,
            };
            let pole = |k: usize| PoleTally {
                hits: numbers[k + 4],
                weight: weights[k + 2],
                weight_sq: u128::from(weights[k + 2]) * u128::from(weights[k + 2] % 7 + 1),
            };
            let counts = Counts {
                tokens,
                sentences: numbers[6],
                paragraphs: numbers[7],
                themes: vec![theme(0), theme(1)],
                contrasts: vec![ContrastTally {
                    left: pole(0),
                    right: pole(1),
                    tension_sentences: numbers[6] / 2,
                    pole_sentences: numbers[6],
                }],
            };
            let name = crate::assemble::Name { id: &id, meta: &meta, drop_zeros };
            let mut rows = DocumentRows::default();
            summary_rows(name, &counts, &lexicon, &mut rows).unwrap();
            let (documents, themes, contrasts) = reference_summary_rows(name, &counts, &lexicon);
            proptest::prop_assert_eq!(String::from_utf8(rows.documents).unwrap(), documents);
            proptest::prop_assert_eq!(String::from_utf8(rows.themes).unwrap(), themes);
            proptest::prop_assert_eq!(String::from_utf8(rows.contrasts).unwrap(), contrasts);
        }
    }

    /// The trajectory rows and chart points of a one-contrast document, as its writer makes
    /// them: `poles(0)` gives the segments.
    fn write_trajectory<I: Iterator<Item = crate::score::TrajectorySegment>>(
        out: impl Write,
        cells: &RowCells,
        segments: usize,
        tokens: u64,
        poles: impl Fn(usize) -> I,
    ) -> csv::Result<Vec<Vec<SeriesPoint>>> {
        let mut kept = Sampler::new(segments);
        let points = crate::score::trajectory(segments, tokens, || poles(0));
        write_trajectory_rows(out, cells, 0, points, |p| kept.see(p))?;
        Ok(vec![kept.points])
    }

    #[test]
    fn trajectory_smooths_over_a_window_that_shrinks_at_the_edges() {
        let lex = crate::lexicon::parse_toml(
            "[[themes]]\nid=\"a\"\nterms=[\"x\"]\n[[themes]]\nid=\"b\"\nterms=[\"y\"]\n[[contrasts]]\nleft=\"a\"\nright=\"b\"\n",
            "t",
        )
        .unwrap();
        // Width 3: [0,1] at the left edge, then centred, then [3,4] at the right edge.
        let poles = [(1, 0), (0, 1), (0, 0), (2, 0), (0, 2)];
        let segments = |_| {
            poles
                .iter()
                .enumerate()
                .map(|(k, &(l, r))| (2 * k as u64..2 * k as u64 + 2, hits(l), hits(r)))
        };
        let mut out = Vec::new();
        let cells = RowCells::new("d", &lex).unwrap();
        let series = write_trajectory(&mut out, &cells, 5, 10, segments).unwrap();
        let smoothed: Vec<Option<f64>> = series[0].iter().map(|p| p.smoothed).collect();
        assert_eq!(
            smoothed,
            vec![Some(0.0), Some(0.0), Some(-1.0 / 3.0), Some(0.0), Some(0.0)]
        );
        let window_hits: Vec<u64> = series[0].iter().map(|p| p.window_hits).collect();
        assert_eq!(window_hits, [2, 2, 3, 4, 4]);
        // Segment 2's window holds L = 2, R = 1: Wilson for p = 1/3, n = 3, z = 1.96: centre
        // (1/3 + z²/6) / (1 + z²/3) = 0.42692, half-width z / (1 + z²/3) · √((2/9)/3 + z²/36)
        // = 0.36544 → [0.06149, 0.79234] on p, [-0.87702, 0.58468] on the balance scale.
        let (lo, hi) = series[0][2].interval.unwrap();
        assert!(
            (lo - -0.87702).abs() < 1e-4 && (hi - 0.58468).abs() < 1e-4,
            "{lo} {hi}"
        );
        assert_eq!(series[0][1].position, Some(0.3));
        assert_eq!(
            String::from_utf8(out).unwrap().lines().nth(2),
            Some("d,a_vs_b,2,0.5000,,-0.3333")
        );
        let empty = write_trajectory(Vec::new(), &cells, 1, 0, |_| {
            std::iter::once((0..0, PoleTally::default(), PoleTally::default()))
        })
        .unwrap();
        assert_eq!(empty[0][0].smoothed, None);
        assert_eq!((empty[0][0].interval, empty[0][0].window_hits), (None, 0));
    }

    /// `n` hits of weight 1.
    fn hits(n: u64) -> PoleTally {
        PoleTally {
            hits: n,
            weight: n * Weight::SCALE,
            weight_sq: u128::from(n) * u128::from(Weight::SCALE).pow(2),
        }
    }

    #[test]
    fn trajectory_intervals_count_weighted_hits_by_their_effective_number() {
        let lex = crate::lexicon::parse_toml(
            "[[themes]]\nid=\"a\"\nterms=[\"x\"]\n[[themes]]\nid=\"b\"\nterms=[\"y\"]\n[[contrasts]]\nleft=\"a\"\nright=\"b\"\n",
            "t",
        )
        .unwrap();
        // One segment: a left hit of weight 3, a right hit of weight 1. L = 3, R = 1, so
        // p = 0.25 over n = (3 + 1)² / (3² + 1²) = 1.6 effective hits, not 2 and not 4.
        let w = |units: u64| PoleTally {
            hits: 1,
            weight: units,
            weight_sq: u128::from(units).pow(2),
        };
        let cells = RowCells::new("d", &lex).unwrap();
        let series = write_trajectory(Vec::new(), &cells, 1, 4, |_| {
            std::iter::once((0..4, w(3 * Weight::SCALE), w(Weight::SCALE)))
        })
        .unwrap();
        let p = &series[0][0];
        assert_eq!((p.smoothed, p.window_hits), (Some(-0.5), 2));
        // Wilson for p = 0.25, n = 1.6 (computed by hand as in score.rs): [-0.95576, 0.66172].
        let (lo, hi) = p.interval.unwrap();
        assert!(
            (lo - -0.95576).abs() < 1e-4 && (hi - 0.66172).abs() < 1e-4,
            "{lo} {hi}"
        );
    }

    proptest::proptest! {
        /// The sliding sums give each point the interval and hits of its whole window, summed
        /// afresh; the interval holds the smoothed balance.
        #[test]
        fn trajectory_windows_agree_with_sums_made_afresh(
            poles in proptest::collection::vec((0u64..4, 0u64..4, 1u64..30_000), 1..80),
        ) {
            let lex = crate::lexicon::parse_toml(
                "[[themes]]\nid=\"a\"\nterms=[\"x\"]\n[[themes]]\nid=\"b\"\nterms=[\"y\"]\n[[contrasts]]\nleft=\"a\"\nright=\"b\"\n",
                "t",
            )
            .unwrap();
            // Every hit of a segment has the segment's weight (in fixed-point units).
            let pole = |n: u64, w: u64| PoleTally {
                hits: n,
                weight: n * w,
                weight_sq: u128::from(n) * u128::from(w).pow(2),
            };
            let n = poles.len();
            let segments = |_| {
                poles.iter().enumerate().map(move |(k, &(l, r, w))| {
                    (k as u64..k as u64 + 1, pole(l, w), pole(r, w))
                })
            };
            let cells = RowCells::new("d", &lex).unwrap();
            let series = write_trajectory(Vec::new(), &cells, n, n as u64, segments).unwrap();
            proptest::prop_assert_eq!(series[0].len(), n);
            for (k, point) in series[0].iter().enumerate() {
                let mut window = ContrastTally::default();
                for &(l, r, w) in &poles[smoothing_window(k, n)] {
                    window.left += &pole(l, w);
                    window.right += &pole(r, w);
                }
                let score = score_contrast(&window);
                proptest::prop_assert_eq!(point.window_hits, window.left.hits + window.right.hits);
                proptest::prop_assert_eq!(point.smoothed, score.balance);
                proptest::prop_assert_eq!(point.interval, score.ci_low.zip(score.ci_high));
                if let (Some(s), Some((lo, hi))) = (point.smoothed, point.interval) {
                    proptest::prop_assert!(lo <= s + 1e-12 && s <= hi + 1e-12, "{} {} {}", lo, s, hi);
                }
            }
        }
    }

    #[test]
    fn row_structs_match_declared_columns() {
        let t = crate::count::ThemeTally::default();
        assert_eq!(derived_header(theme_row("d", "t", &t, 0)), THEMES.join(","));
        let lex = crate::lexicon::parse_toml(
            "[[themes]]\nid=\"a\"\nterms=[\"x\"]\n[[themes]]\nid=\"b\"\nterms=[\"y\"]\n[[contrasts]]\nleft=\"a\"\nright=\"b\"\n",
            "t",
        )
        .unwrap();
        let tally = ContrastTally::default();
        assert_eq!(
            derived_header(contrast_row("d", &lex, 0, &tally, &score_contrast(&tally))),
            CONTRASTS.join(",")
        );
        assert_eq!(
            derived_header(CoverageRow {
                theme: Text(""),
                terms: 0,
                terms_matched: 0,
                hits: 0,
                pct_of_tokens: Num(None)
            }),
            COVERAGE.join(",")
        );
        assert_eq!(
            derived_header(TermRow {
                theme: Text(""),
                term: Text(""),
                count: 0,
                documents: 0
            }),
            TERMS.join(",")
        );
        let hit = HitRow {
            document: Text(""),
            sentence: 0,
            start_byte: 0,
            end_byte: 0,
            theme: Text(""),
            term: Text(""),
            matched: Text(""),
            weight: W(0),
            negated: false,
            negator: Text(""),
            left_context: Text(""),
            right_context: Text(""),
        };
        assert_eq!(derived_header(hit), HITS.join(","));
    }

    #[test]
    fn formula_cells_are_defused() {
        for (raw, safe) in [
            ("=1+1", "'=1+1"),
            ("+x", "'+x"),
            ("-x", "'-x"),
            ("@x", "'@x"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("x=1", "x=1"),
        ] {
            assert_eq!(safe_text(raw), safe);
        }
    }

    #[test]
    fn numbers_have_four_decimals_and_no_negative_zero() {
        assert_eq!(fixed4(Some(0.5)), "0.5000");
        assert_eq!(fixed4(Some(-0.00001)), "0.0000");
        assert_eq!(fixed4(Some(-1.0)), "-1.0000");
        assert_eq!(fixed4(None), "");
        assert_eq!(fixed4(Some(f64::NAN)), "");
    }

    /// [`context`] as first written: the characters collected, then joined.
    fn context_reference(text: &str, before: bool) -> String {
        let piece: String = if before {
            let mut chars: Vec<char> = text.chars().rev().take(CONTEXT_CHARS).collect();
            chars.reverse();
            chars.into_iter().collect()
        } else {
            text.chars().take(CONTEXT_CHARS).collect()
        };
        let mut out = String::new();
        let mut in_space = false;
        for c in piece.chars() {
            let space = c.is_whitespace() || c.is_control();
            if !space || !in_space {
                out.push(if space { ' ' } else { c });
            }
            in_space = space;
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn contexts_take_the_nearest_characters(
            text in "(\\PC|[a-z]{1,5}|[ \n\r\t\x0b\x00\x1f\x7f\u{85}\u{a0}]){0,90}",
            // ASCII only (collapsed on the stack), its white space and control characters among
            // its punctuation.
            ascii in "([a-z]{1,5}|[ \n\r\t\x0b\x0c\x00\x1f\x7f!-/~]){0,90}",
        ) {
            for before in [true, false] {
                proptest::prop_assert_eq!(context(&text, before), context_reference(&text, before));
                proptest::prop_assert_eq!(context(&ascii, before), context_reference(&ascii, before));
            }
        }

        #[test]
        fn hit_rows_equal_the_csv_writer_rows(
            cells in proptest::collection::vec(r#"[=+@a-z \-,"\n\r\t']{0,8}|\PC{0,4}"#, 6),
            theme in "[a-z0-9_]{1,12}",
            numbers in proptest::collection::vec(0usize..1_000_000_000, 3),
            weight in proptest::prop_oneof![proptest::strategy::Just(0u64), 0u64..200_000],
            negated in proptest::bool::ANY,
        ) {
            let row = HitRow {
                document: Text(&cells[0]),
                sentence: numbers[0],
                start_byte: numbers[1],
                end_byte: numbers[2],
                theme: Text(&theme),
                term: Text(&cells[1]),
                matched: Text(&cells[2]),
                weight: W(weight),
                negated,
                negator: Text(&cells[3]),
                left_context: Text(&cells[4]),
                right_context: Text(&cells[5]),
            };
            let mut w = writer(Vec::new());
            w.serialize(&row).unwrap();
            let want = String::from_utf8(w.into_inner().unwrap()).unwrap();
            let mut got = Vec::new();
            push_hit_row(&mut got, &row);
            proptest::prop_assert_eq!(String::from_utf8(got).unwrap(), want);
        }

        #[test]
        fn weight_cells_read_as_the_weight(units in 0u64..=u64::MAX) {
            let mut w = writer(Vec::new());
            w.serialize((W(units),)).unwrap();
            let cell = String::from_utf8(w.into_inner().unwrap()).unwrap();
            proptest::prop_assert_eq!(cell.trim_end(), Weight(units).to_string());
        }
    }

    #[test]
    fn one_line_is_split_whitespace_joined() {
        for text in [
            "",
            "  ",
            " a  b\t\x0b c\r\n",
            "x\u{85}y\u{a0} z",
            "\x1c\x1fword\x0c",
        ] {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(one_line(text), expected, "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn one_line_agrees_with_split_whitespace(text in "[a\t\n\x0b\x0c\r \x1c\u{85}\u{a0}é]{0,30}") {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(one_line(&text), expected);
        }

        /// ASCII text, often already on one line (copied whole) and often not.
        #[test]
        fn ascii_one_line_agrees_with_split_whitespace(
            text in "[ab\t\n\r\x0b\x0c\x1c ]{0,30}|( ?[ab,.]{1,3}){0,8} ?|([ab]{1,3} ){0,8}[ab]",
        ) {
            let expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(one_line(&text), expected);
        }
    }

    proptest::proptest! {
        /// `render_tension` writes what the csv writer writes of the serde rows: sentences
        /// with commas, quotes, a formula's first character, line breaks and runs of spaces,
        /// after a lead of context and with the offsets of a later block.
        #[test]
        fn tension_rows_equal_the_csv_writer_rows(
            id in r#"[=+@a-z ,"\n\t-]{0,8}"#,
            words in proptest::collection::vec(
                r#"(good|bad|x|"q"|a,b|=s|-m|\n|  |\.|!)"#, 0..40),
            lead in 0usize..3,
            bytes in 0usize..1000,
            sentences in 0usize..50,
        ) {
            let lexicon = crate::lexicon::parse_toml(
                "[[themes]]\nid=\"a\"\nterms=[\"good\"]\n[[themes]]\nid=\"b_\"\nterms=[\"bad\"]\n[[contrasts]]\nleft=\"a\"\nright=\"b_\"\n[[contrasts]]\nleft=\"b_\"\nright=\"a\"\n",
                "t",
            )
            .unwrap();
            let matcher = Matcher::new(&lexicon);
            let body = words.join(" ");
            let text = format!("{}{body}", "ctx ".repeat(lead));
            let lead = 4 * lead;
            let analysis = crate::count::analyse(&text[lead..], &matcher, &lexicon.contrasts);
            let base = Base { lead, bytes, sentences };
            let mut direct = Vec::new();
            render_tension(&id, &text, &analysis, &lexicon, &base, &mut direct).unwrap();
            let mut pairs: Vec<(usize, usize)> = (analysis.tension.iter().enumerate())
                .flat_map(|(c, sentences)| sentences.iter().map(move |&s| (s, c)))
                .collect();
            pairs.sort_unstable();
            let mut w = writer(Vec::new());
            for (s, c) in pairs {
                let span = analysis.structure.sentences[s].span.clone();
                w.serialize(TensionRow {
                    document: Text(&id),
                    sentence: sentences + s,
                    contrast: Text(&lexicon.contrasts[c].id),
                    start_byte: bytes + span.start,
                    end_byte: bytes + span.end,
                    text: Text(&one_line(&text[lead + span.start..lead + span.end])),
                })
                .unwrap();
            }
            let reference = String::from_utf8(w.into_inner().unwrap()).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(direct).unwrap(), reference);
        }
    }

    #[test]
    fn contexts_are_short_and_on_one_line() {
        assert_eq!(
            context("a long\n\nway  before ", true),
            "a long way before "
        );
        assert_eq!(context(" and\r\nafter", false), " and after");
        assert_eq!(context(&"x".repeat(100), false).len(), CONTEXT_CHARS);
    }
}
