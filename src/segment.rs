//! Stage segment: text + tokens → paragraphs and sentences.
//!
//! In: a document's text and its tokens. Out: a [`Structure`]: paragraphs and sentences, each
//! with its byte span and the range of tokens it holds.
//!
//! Rules (README, "Method"):
//! - Lines end at LF, CRLF or a lone CR. Paragraphs are separated by blank (white-space only)
//!   lines; in a text with no blank line between two non-blank lines, each non-blank line is a
//!   paragraph.
//! - Sentences are found within a paragraph by UAX #29 sentence boundaries, with single line
//!   breaks read as spaces, so hard-wrapped text is not cut at every line. A boundary after a
//!   title (`Dr.`, `Mr.`, `St.` …), a single capital initial (`J.`) or an upper-case dotted
//!   abbreviation (`U.S.`, `U.K.`) is not taken.
//!
//! Guarantees: spans are trimmed of white space, in text order and disjoint; only paragraphs and
//! sentences holding at least one token are kept, so every token lies in exactly one sentence
//! and one paragraph, and the token ranges of the sentences tile `0..tokens.len()`.
//!
//! Segments ([`segments`]) are the units of `segments.csv` and the trajectory: paragraphs,
//! sentences, runs of N lines, runs of about N tokens cut at the nearest sentence end, or N parts
//! of nearly equal token count. Their token ranges tile `0..tokens.len()` in every mode, so
//! segment counts add up to the document's; a sentence belongs to the segment holding its first
//! token.

use std::borrow::Cow;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

use crate::tokenize::Token;

/// A sentence: byte span and the tokens it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sentence {
    /// Byte range in the document, trimmed of white space.
    pub span: Range<usize>,
    /// Indices into the document's tokens.
    pub tokens: Range<usize>,
}

/// A paragraph: byte span, its sentences and its tokens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Paragraph {
    /// Byte range in the document, trimmed of white space.
    pub span: Range<usize>,
    /// Indices into [`Structure::sentences`].
    pub sentences: Range<usize>,
    /// Indices into the document's tokens.
    pub tokens: Range<usize>,
}

/// The paragraphs and sentences of one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Structure {
    /// Paragraphs holding at least one token, in text order.
    pub paragraphs: Vec<Paragraph>,
    /// Sentences holding at least one token, in text order, numbered from 0.
    pub sentences: Vec<Sentence>,
}

impl Structure {
    /// The sentence holding token `index` (sentences tile the tokens, so this is a search).
    pub fn sentence_of_token(&self, index: usize) -> usize {
        self.sentences
            .partition_point(|s| s.tokens.end <= index)
            .min(self.sentences.len().saturating_sub(1))
    }
}

/// How a document is cut into segments (`--segment`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentMode {
    /// One segment per paragraph (the default).
    Paragraph,
    /// One segment per sentence.
    Sentence,
    /// Runs of N lines from the first line of the file.
    Lines(usize),
    /// Runs of about N tokens, cut at the nearest sentence end.
    Words(usize),
    /// N parts of nearly equal token count (one per token when there are fewer).
    Parts(usize),
    /// No segments (no segment-level files).
    None,
}

impl std::str::FromStr for SegmentMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let sized = |n: &str, make: fn(usize) -> SegmentMode| {
            n.parse::<usize>()
                .ok()
                .filter(|&n| n >= 1)
                .map(make)
                .ok_or_else(|| format!("{s:?}: N must be a whole number of at least 1"))
        };
        match s.split_once(':') {
            None => match s {
                "paragraph" => Ok(SegmentMode::Paragraph),
                "sentence" => Ok(SegmentMode::Sentence),
                "none" => Ok(SegmentMode::None),
                _ => Err(format!(
                    "{s:?} is not a segment mode: use paragraph, sentence, lines:N, words:N, parts:N or none"
                )),
            },
            Some(("lines", n)) => sized(n, SegmentMode::Lines),
            Some(("words", n)) => sized(n, SegmentMode::Words),
            Some(("parts", n)) => sized(n, SegmentMode::Parts),
            Some(_) => Err(format!(
                "{s:?} is not a segment mode: use paragraph, sentence, lines:N, words:N, parts:N or none"
            )),
        }
    }
}

/// A segment: a byte span and the tokens it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Byte range in the document.
    pub span: Range<usize>,
    /// Indices into the document's tokens (empty for a run of blank lines).
    pub tokens: Range<usize>,
}

/// Cuts a document into segments (see the module documentation).
pub fn segments(
    text: &str,
    tokens: &[Token<'_>],
    structure: &Structure,
    mode: SegmentMode,
) -> Vec<Segment> {
    let plan = SegmentPlan::whole(mode, structure, tokens.len());
    segments_in_block(text, tokens, structure, &plan, &BlockStart::default())
        .into_iter()
        .map(|(_, segment)| segment)
        .collect()
}

/// The starts (token indices) of `--segment words:N` segments, computed from the sentence ends
/// as they come, so that a large document need not be held: the same cuts as [`segments`].
#[derive(Clone, Debug)]
pub struct WordCuts {
    n: usize,
    start: usize,
    /// The last sentence end before the current target.
    before: Option<usize>,
    cuts: Vec<usize>,
}

impl WordCuts {
    /// Cuts of about `n` tokens.
    pub fn new(n: usize) -> Self {
        WordCuts {
            n: n.max(1),
            start: 0,
            before: None,
            cuts: vec![0],
        }
    }

    /// The next sentence end (a token index; ends come in ascending order).
    pub fn sentence_end(&mut self, end: usize) {
        loop {
            let target = self.start + self.n;
            if end < target {
                self.before = Some(end);
                return;
            }
            // The sentence ends before and after the target; the nearer (the earlier on a
            // tie), but never an empty segment.
            let pick = match self.before {
                Some(b) if b > self.start && target - b <= end - target => b,
                _ => end,
            };
            self.before = None;
            self.start = pick;
            self.cuts.push(pick);
            if pick == end {
                return;
            }
        }
    }

    /// The segment starts, given the text's `tokens`.
    pub fn finish(mut self, tokens: usize) -> Vec<usize> {
        if self.cuts.last() == Some(&tokens) {
            self.cuts.pop();
        }
        if tokens == 0 {
            self.cuts.clear();
        }
        self.cuts
    }
}

/// The starts (token indices) of `--segment parts:N` segments of a text of `tokens` tokens.
pub fn part_cuts(n: usize, tokens: usize) -> Vec<usize> {
    let parts = n.min(tokens);
    (0..parts).map(|i| i * tokens / parts).collect()
}

/// Where a block lies in its document, for [`segments_in_block`]: the tokens, sentences,
/// paragraphs and lines before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockStart {
    /// Tokens before the block.
    pub tokens: usize,
    /// Sentences before the block.
    pub sentences: usize,
    /// Paragraphs before the block.
    pub paragraphs: usize,
    /// Lines before the block (a line cut by a forced block end counts in the next block).
    pub lines: usize,
}

/// How the segments of a large document fall into its blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SegmentPlan {
    /// Segments made of whole structures or lines: no document-wide pass needed.
    Local(SegmentMode),
    /// `words:N` or `parts:N`: the segment starts, as token indices of the whole document.
    Cuts {
        /// `true` for words (sentence spans), `false` for parts (token spans).
        sentences: bool,
        /// Segment starts, ascending, the first 0.
        starts: Vec<usize>,
    },
}

impl SegmentPlan {
    /// The plan for a whole text analysed at once.
    pub fn whole(mode: SegmentMode, structure: &Structure, tokens: usize) -> Self {
        let mut plan = PlanBuilder::new(mode);
        plan.add(tokens, Some(structure));
        plan.finish()
    }
}

/// Builds a [`SegmentPlan`] from a text given block by block (for `words:N` and `parts:N`, whose
/// segment starts depend on the whole text).
#[derive(Clone, Debug)]
pub struct PlanBuilder {
    mode: SegmentMode,
    tokens: usize,
    words: WordCuts,
}

impl PlanBuilder {
    /// A builder for `mode`.
    pub fn new(mode: SegmentMode) -> Self {
        let n = match mode {
            SegmentMode::Words(n) => n,
            _ => 1,
        };
        PlanBuilder {
            mode,
            tokens: 0,
            words: WordCuts::new(n),
        }
    }

    /// Whether the plan depends on the whole text (then every block must be [`Self::add`]ed).
    pub fn needs_whole_text(&self) -> bool {
        matches!(self.mode, SegmentMode::Words(_) | SegmentMode::Parts(_))
    }

    /// Whether [`Self::add`] needs the blocks' sentences.
    pub fn needs_sentences(&self) -> bool {
        matches!(self.mode, SegmentMode::Words(_))
    }

    /// Adds the next block: its token count and, when [`Self::needs_sentences`], its structure.
    pub fn add(&mut self, tokens: usize, structure: Option<&Structure>) {
        if let (SegmentMode::Words(_), Some(structure)) = (self.mode, structure) {
            for s in &structure.sentences {
                self.words.sentence_end(self.tokens + s.tokens.end);
            }
        }
        self.tokens += tokens;
    }

    /// The plan.
    pub fn finish(self) -> SegmentPlan {
        match self.mode {
            SegmentMode::Words(_) => SegmentPlan::Cuts {
                sentences: true,
                starts: self.words.finish(self.tokens),
            },
            SegmentMode::Parts(n) => SegmentPlan::Cuts {
                sentences: false,
                starts: part_cuts(n, self.tokens),
            },
            mode => SegmentPlan::Local(mode),
        }
    }
}

/// The segments, or parts of segments, that lie in one block of a document: each with its
/// number in the whole document and its span and tokens local to the block. A segment that
/// runs across blocks appears in each, under the same number; the parts' spans and token
/// ranges join up into the whole segment's.
pub fn segments_in_block(
    text: &str,
    tokens: &[Token<'_>],
    structure: &Structure,
    plan: &SegmentPlan,
    start: &BlockStart,
) -> Vec<(usize, Segment)> {
    let numbered = |first: usize, segments: Vec<Segment>| -> Vec<(usize, Segment)> {
        segments
            .into_iter()
            .enumerate()
            .map(|(i, s)| (first + i, s))
            .collect()
    };
    match plan {
        SegmentPlan::Local(SegmentMode::Paragraph) => numbered(
            start.paragraphs,
            structure
                .paragraphs
                .iter()
                .map(|p| Segment {
                    span: p.span.clone(),
                    tokens: p.tokens.clone(),
                })
                .collect(),
        ),
        SegmentPlan::Local(SegmentMode::Sentence) => numbered(
            start.sentences,
            structure
                .sentences
                .iter()
                .map(|s| Segment {
                    span: s.span.clone(),
                    tokens: s.tokens.clone(),
                })
                .collect(),
        ),
        SegmentPlan::Local(SegmentMode::Lines(n)) => {
            let lines = line_spans(text);
            let mut out: Vec<(usize, Segment)> = Vec::new();
            let mut next = 0;
            let mut i = 0;
            while i < lines.len() {
                let number = (start.lines + i) / n;
                let run = (lines.len() - i).min(n - (start.lines + i) % n);
                let span = lines[i].start..lines[i + run - 1].end;
                let end = next + tokens[next..].partition_point(|t| t.span.start < span.end);
                out.push((
                    number,
                    Segment {
                        span,
                        tokens: next..end,
                    },
                ));
                next = end;
                i += run;
            }
            out
        }
        SegmentPlan::Local(_) => Vec::new(),
        SegmentPlan::Cuts { sentences, starts } => {
            let (first, n) = (start.tokens, tokens.len());
            let mut out = Vec::new();
            if n == 0 {
                return out;
            }
            // The segment holding the block's first token, then each start within the block.
            let mut k = starts.partition_point(|&c| c <= first).saturating_sub(1);
            while k < starts.len() && starts[k] < first + n {
                let from = starts[k].max(first) - first;
                let to = starts.get(k + 1).map_or(n, |&c| c.min(first + n) - first);
                let span = if *sentences {
                    let a = structure.sentence_of_token(from);
                    let b = structure.sentence_of_token(to - 1);
                    structure.sentences[a].span.start..structure.sentences[b].span.end
                } else {
                    tokens[from].span.start..tokens[to - 1].span.end
                };
                out.push((
                    k,
                    Segment {
                        span,
                        tokens: from..to,
                    },
                ));
                k += 1;
            }
            out
        }
    }
}

/// The segment holding token `token`, for segments that tile the tokens.
pub fn segment_of_token(segments: &[Segment], token: usize) -> usize {
    segments.partition_point(|s| s.tokens.end <= token)
}

/// Titles after which a full stop does not end a sentence.
const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "rev", "gen", "col", "lt", "sgt", "capt",
    "gov", "sen", "rep", "mt", "ft", "vs", "messrs", "mme", "mlle",
];

/// Finds the paragraphs and sentences of `text`, whose tokens are `tokens`.
pub fn segment(text: &str, tokens: &[Token<'_>]) -> Structure {
    segment_with(text, tokens, None)
}

/// [`segment`] for a block of a larger text: `blank_lines` says whether blank lines separate
/// the paragraphs of the whole text (`None`: decide from `text` itself).
pub fn segment_with(text: &str, tokens: &[Token<'_>], blank_lines: Option<bool>) -> Structure {
    let mut structure = Structure::default();
    let mut next_token = 0;
    // Kept from paragraph to paragraph and, per thread, from document to document: neither a
    // document of many short paragraphs (a verse a line) nor a table of one-line rows
    // allocates them for each.
    let mut scratch = SENTENCE_SCRATCH.take();
    for para in paragraph_spans_with(text, blank_lines) {
        let first_sentence = structure.sentences.len();
        let first_token = next_token;
        let mut covered = para.start;
        // The paragraph's tokens: searches below stay within them (small, cache-warm slices
        // rather than binary searches over the whole document).
        let para_end = next_token
            + tokens[next_token..]
                .iter()
                .take_while(|t| t.span.start < para.end)
                .count();
        let para_tokens = &tokens[..para_end];
        sentence_spans(text, para.clone(), para_tokens, next_token, &mut scratch);
        for mut span in scratch.spans.iter().cloned() {
            let end_token =
                next_token + para_tokens[next_token..].partition_point(|t| t.span.start < span.end);
            // A word may run across a sentence boundary ("Dr.ￊ" is one UAX #29 word but two
            // sentences): it belongs to the sentence where it starts, which then ends with it.
            span.start = span.start.max(covered);
            if end_token > next_token {
                span.start = span.start.min(tokens[next_token].span.start);
                span.end = span.end.max(tokens[end_token - 1].span.end);
                covered = span.end;
                structure.sentences.push(Sentence {
                    span,
                    tokens: next_token..end_token,
                });
                next_token = end_token;
            }
        }
        if next_token > first_token {
            structure.paragraphs.push(Paragraph {
                span: para,
                sentences: first_sentence..structure.sentences.len(),
                tokens: first_token..next_token,
            });
        }
    }
    // A paragraph of thousands of sentences leaves no large buffers behind.
    scratch.pieces.shrink_to(4096);
    scratch.spans.shrink_to(4096);
    SENTENCE_SCRATCH.set(scratch);
    structure
}

/// Byte spans of the lines of `text` (without their line ends), for LF, CRLF and lone CR.
pub fn line_spans(text: &str) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    for line_end in crate::lines::breaks(text.as_bytes()) {
        lines.push(start..line_end.start);
        start = line_end.end;
    }
    if start < text.len() {
        lines.push(start..text.len());
    }
    lines
}

/// Byte spans of the paragraphs of `text`, trimmed of white space.
pub fn paragraph_spans(text: &str) -> Vec<Range<usize>> {
    paragraph_spans_with(text, None)
}

/// [`paragraph_spans`], with the paragraph rule given (see [`segment_with`]).
fn paragraph_spans_with(text: &str, blank_lines: Option<bool>) -> Vec<Range<usize>> {
    // One line (a table's cell, most often): its paragraph, whatever the rule, unless blank;
    // without the lists of lines below.
    if memchr::memchr2(b'\n', b'\r', text.as_bytes()).is_none() {
        let span = trim_span(text, 0..text.len());
        return match span.is_empty() {
            true => Vec::new(),
            false => vec![span],
        };
    }
    paragraph_spans_of_lines(text, blank_lines)
}

/// [`paragraph_spans_with`], line by line.
fn paragraph_spans_of_lines(text: &str, blank_lines: Option<bool>) -> Vec<Range<usize>> {
    let lines = line_spans(text);
    let blank: Vec<bool> = lines
        .iter()
        .map(|l| text[l.clone()].trim().is_empty())
        .collect();
    let has_blank_line = blank_lines.unwrap_or_else(|| {
        let first = blank.iter().position(|b| !b);
        let last = blank.iter().rposition(|b| !b);
        match (first, last) {
            (Some(f), Some(l)) => blank[f..l].iter().any(|b| *b),
            _ => false,
        }
    });
    let mut spans = Vec::new();
    let mut open: Option<Range<usize>> = None;
    for (line, is_blank) in lines.into_iter().zip(blank) {
        if is_blank {
            spans.extend(open.take());
        } else if !has_blank_line {
            spans.push(line);
        } else {
            open = Some(match open {
                Some(p) => p.start..line.end,
                None => line,
            });
        }
    }
    spans.extend(open);
    spans
        .into_iter()
        .map(|span| trim_span(text, span))
        .filter(|span| !span.is_empty())
        .collect()
}

fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let s = &text[span.clone()];
    let start = span.start + (s.len() - s.trim_start().len());
    let end = span.start + s.trim_end().len();
    start..end.max(start)
}

/// Sentence spans within paragraph `para`, into `scratch.spans` (in the buffers `scratch` has);
/// `tokens[first_token..]` are the tokens from the paragraph on, used to look at the word
/// before a full stop.
fn sentence_spans(
    text: &str,
    para: Range<usize>,
    tokens: &[Token<'_>],
    first_token: usize,
    scratch: &mut SentenceScratch,
) {
    let SentenceScratch { pieces, spans } = scratch;
    pieces.clear();
    spans.clear();
    let raw = &text[para.clone()];
    // Line breaks read as spaces, so that UAX #29 does not end a sentence at each line of
    // hard-wrapped text: the ASCII scanner classes them as spaces already; for the general
    // path they become spaces (same byte length, so offsets hold).
    if raw.is_ascii() {
        ascii_sentence_pieces(raw, pieces);
    } else {
        let flat = if raw.contains(['\n', '\r']) {
            Cow::Owned(raw.replace(['\n', '\r'], " "))
        } else {
            Cow::Borrowed(raw)
        };
        let found = flat.split_sentence_bound_indices();
        pieces.extend(found.map(|(off, piece)| (off, piece.len())));
    }
    let mut glue = false;
    for &(off, len) in pieces.iter() {
        let span = trim_span(text, para.start + off..para.start + off + len);
        if span.is_empty() {
            continue;
        }
        match spans.last_mut() {
            Some(last) if glue => last.end = span.end,
            _ => spans.push(span),
        }
        let last = spans.last().map(|s| s.end).unwrap_or(para.start);
        glue = ends_with_abbreviation(text, last, tokens, first_token);
    }
}

/// The buffers of [`sentence_spans`]: a paragraph's pieces (offset, length) between UAX #29
/// sentence boundaries, and its sentences' byte spans, the output.
#[derive(Default)]
struct SentenceScratch {
    pieces: Vec<(usize, usize)>,
    spans: Vec<Range<usize>>,
}

thread_local! {
    static SENTENCE_SCRATCH: std::cell::Cell<SentenceScratch> =
        std::cell::Cell::new(SentenceScratch::default());
}

/// UAX #29 sentence classes of the ASCII characters (after line breaks became spaces).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SentenceClass {
    Sp,
    Lower,
    Upper,
    Numeric,
    ATerm,
    STerm,
    Close,
    SContinue,
    Other,
}

fn ascii_class(b: u8) -> SentenceClass {
    use SentenceClass::*;
    match b {
        b'\t' | 0x0B | 0x0C | b' ' | b'\n' | b'\r' => Sp,
        b'a'..=b'z' => Lower,
        b'A'..=b'Z' => Upper,
        b'0'..=b'9' => Numeric,
        b'.' => ATerm,
        b'!' | b'?' => STerm,
        b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Close,
        b',' | b'-' | b':' | b';' => SContinue,
        _ => Other,
    }
}

/// UAX #29 sentence boundaries for ASCII text without line breaks, appended to `pieces` as
/// (offset, length) — the same pieces as `split_sentence_bound_indices` (a property test and
/// the whole KJV check this), several
/// times faster. Rules SB6–SB11 over the ASCII classes. A boundary can only come inside the
/// `SATerm Close* Sp*` context after a full stop, `!` or `?` (elsewhere SB998 keeps the text
/// together), so the scan jumps from one terminator to the next and looks at each byte only
/// while such a context lasts; SB8's look-ahead is computed once per context.
fn ascii_sentence_pieces(text: &str, pieces: &mut Vec<(usize, usize)>) {
    use SentenceClass::*;
    let bytes = text.as_bytes();
    let class = |i: usize| ascii_class(bytes[i]);
    let mut start = 0;
    let mut p = 0;
    while let Some(off) = memchr::memchr3(b'.', b'!', b'?', &bytes[p..]) {
        // Everything before the terminator is kept together and leaves no context.
        let at = p + off;
        // The terminator of the current context, whether a space followed it, and SB8's
        // answer for it once computed.
        let mut term = Some(class(at));
        let mut seen_sp = false;
        let mut lower_follows: Option<bool> = None;
        p = at + 1;
        while let (Some(t), true) = (term, p < bytes.len()) {
            let c = class(p);
            let prev = class(p - 1);
            // SB6: ATerm × Numeric; SB7: (Upper | Lower) ATerm × Upper.
            let sb6 = prev == ATerm && c == Numeric;
            let sb7 =
                p >= 2 && matches!(class(p - 2), Upper | Lower) && prev == ATerm && c == Upper;
            // SB8: ATerm Close* Sp* × (¬(OLetter | Upper | Lower | SATerm))* Lower
            let mut sb8 = || {
                t == ATerm
                    && *lower_follows.get_or_insert_with(|| {
                        bytes[p..]
                            .iter()
                            .map(|&b| ascii_class(b))
                            .find(|k| matches!(k, Upper | Lower | ATerm | STerm))
                            .is_some_and(|k| k == Lower)
                    })
            };
            let keep = sb6
                || sb7
                || sb8()
                || matches!(c, SContinue | ATerm | STerm) // SB8a
                || (!seen_sp && matches!(c, Close | Sp)) // SB9
                || c == Sp; // SB10; otherwise SB11 breaks
            if !keep {
                pieces.push((start, p - start));
                start = p;
            }
            // Update the context with the character at p.
            match c {
                ATerm | STerm => {
                    term = Some(c);
                    seen_sp = false;
                    lower_follows = None;
                }
                Close if !seen_sp => {}
                Sp => seen_sp = true,
                _ => term = None,
            }
            p += 1;
        }
    }
    if start < bytes.len() {
        pieces.push((start, bytes.len() - start));
    }
}

/// Whether the text just before byte `end` is an abbreviation followed by its full stop.
fn ends_with_abbreviation(text: &str, end: usize, tokens: &[Token<'_>], from: usize) -> bool {
    if !text[..end].ends_with('.') {
        return false;
    }
    let dot = end - 1;
    let after = &tokens[from..];
    let i = after.partition_point(|t| t.span.end <= dot);
    let Some(word) = i.checked_sub(1).map(|i| &after[i]) else {
        return false;
    };
    if word.span.end != dot {
        return false;
    }
    let original = &text[word.span.clone()];
    let mut chars = original.chars();
    // "J. Smith", but not "World War I. Then" or "Plan A. Then".
    let single_initial = matches!((chars.next(), chars.next()), (Some(c), None) if c.is_uppercase() && c != 'I' && c != 'A');
    let dotted = original.contains('.')
        && original
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_uppercase));
    single_initial || dotted || TITLES.contains(&word.text.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn sentences(text: &str) -> Vec<&str> {
        let tokens = tokenize(text);
        segment(text, &tokens)
            .sentences
            .into_iter()
            .map(|s| &text[s.span])
            .collect()
    }

    fn paragraphs(text: &str) -> Vec<&str> {
        let tokens = tokenize(text);
        segment(text, &tokens)
            .paragraphs
            .into_iter()
            .map(|p| &text[p.span])
            .collect()
    }

    #[test]
    fn a_text_of_one_line_is_one_paragraph_as_line_by_line() {
        for text in [
            "",
            " ",
            "\u{a0}\t",
            "In the beginning.",
            "  Two. Sentences!  ",
            "\u{2028}x",
        ] {
            for rule in [None, Some(true), Some(false)] {
                assert_eq!(
                    paragraph_spans_with(text, rule),
                    paragraph_spans_of_lines(text, rule),
                    "{text:?} {rule:?}"
                );
            }
        }
        let spans = paragraph_spans_with("  Two. Sentences!  ", None);
        assert_eq!((spans.len(), spans.first()), (1, Some(&(2..17))));
        assert!(paragraph_spans_with(" \t ", Some(true)).is_empty());
    }

    #[test]
    fn blank_lines_separate_paragraphs() {
        assert_eq!(
            paragraphs("One line\nwrapped.\n\n  \nTwo.\r\n\r\nThree.\n"),
            vec!["One line\nwrapped.", "Two.", "Three."]
        );
    }

    #[test]
    fn without_blank_lines_each_line_is_a_paragraph() {
        assert_eq!(
            paragraphs("First line.\nSecond\rThird\r\n\n"),
            vec!["First line.", "Second", "Third"]
        );
        // A trailing blank line does not turn a line-per-paragraph text into one paragraph.
        assert_eq!(paragraphs("a\nb\n\n\n"), vec!["a", "b"]);
    }

    #[test]
    fn hard_wrapped_sentence_is_one_sentence() {
        assert_eq!(
            sentences("The city of Hamhung\nstands on the coast. It is\r\nindustrial.\n\nNew one."),
            vec![
                "The city of Hamhung\nstands on the coast.",
                "It is\r\nindustrial.",
                "New one."
            ]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            sentences("Dr. Kim met Mr. Ri in the U.S. Army camp. J. Smith wrote it. Then we left."),
            vec![
                "Dr. Kim met Mr. Ri in the U.S. Army camp.",
                "J. Smith wrote it.",
                "Then we left."
            ]
        );
        assert_eq!(
            sentences("U.S. officials came. They left!"),
            vec!["U.S. officials came.", "They left!"]
        );
    }

    #[test]
    fn sentences_without_tokens_are_dropped_and_tokens_tile() {
        let text = "... Yes! — ? No.";
        let tokens = tokenize(text);
        let s = segment(text, &tokens);
        assert_eq!(
            s.sentences
                .iter()
                .map(|x| &text[x.span.clone()])
                .collect::<Vec<_>>(),
            vec!["Yes! — ?", "No."]
        );
        assert_eq!(s.sentences[0].tokens, 0..1);
        assert_eq!(s.sentences[1].tokens, 1..2);
        assert_eq!(s.sentence_of_token(1), 1);
    }

    /// (text of each segment, its token range) for `mode`.
    fn cut<'a>(text: &'a str, mode: &str) -> Vec<(&'a str, Range<usize>)> {
        let tokens = tokenize(text);
        let structure = segment(text, &tokens);
        segments(text, &tokens, &structure, mode.parse().unwrap())
            .into_iter()
            .map(|s| (&text[s.span], s.tokens))
            .collect()
    }

    const TEXT: &str =
        "One two three. Four five.\nSix seven eight nine ten.\n\nEleven. Twelve\nthirteen.\n";

    #[test]
    fn paragraph_and_sentence_segments() {
        assert_eq!(
            cut(TEXT, "paragraph"),
            vec![
                (
                    "One two three. Four five.\nSix seven eight nine ten.",
                    0..10
                ),
                ("Eleven. Twelve\nthirteen.", 10..13)
            ]
        );
        assert_eq!(
            cut(TEXT, "sentence"),
            vec![
                ("One two three.", 0..3),
                ("Four five.", 3..5),
                ("Six seven eight nine ten.", 5..10),
                ("Eleven.", 10..11),
                ("Twelve\nthirteen.", 11..13),
            ]
        );
    }

    #[test]
    fn line_segments_include_blank_lines_and_a_short_last_run() {
        assert_eq!(
            cut(TEXT, "lines:2"),
            vec![
                (
                    "One two three. Four five.\nSix seven eight nine ten.",
                    0..10
                ),
                ("\nEleven. Twelve", 10..12),
                ("thirteen.", 12..13),
            ]
        );
        assert_eq!(
            cut("a\n\n\nb", "lines:1"),
            vec![("a", 0..1), ("", 1..1), ("", 1..1), ("b", 1..2)]
        );
    }

    #[test]
    fn word_segments_cut_at_the_nearest_sentence_end() {
        // Sentence ends after tokens 3, 5, 10, 11, 13. Target 4 from 0: 3 and 5 are as near,
        // take 3; from 3, target 7: 5 is nearer than 10; from 5, target 9: 10; from 10, target
        // 14: past the end, so the rest (a short last segment).
        assert_eq!(
            cut(TEXT, "words:4"),
            vec![
                ("One two three.", 0..3),
                ("Four five.", 3..5),
                ("Six seven eight nine ten.", 5..10),
                ("Eleven. Twelve\nthirteen.", 10..13),
            ]
        );
        // A sentence longer than N is never cut.
        assert_eq!(
            cut("a b c d e f. Go.", "words:2"),
            vec![("a b c d e f.", 0..6), ("Go.", 6..7)]
        );
    }

    #[test]
    fn part_segments_have_nearly_equal_token_counts() {
        let ranges: Vec<Range<usize>> = cut(TEXT, "parts:4").into_iter().map(|x| x.1).collect();
        assert_eq!(ranges, vec![0..3, 3..6, 6..9, 9..13]);
        assert_eq!(cut("a b", "parts:5"), vec![("a", 0..1), ("b", 1..2)]);
    }

    #[test]
    fn empty_document_has_no_segments() {
        for mode in [
            "paragraph",
            "sentence",
            "lines:3",
            "words:5",
            "parts:4",
            "none",
        ] {
            assert_eq!(cut("", mode), vec![], "{mode}");
        }
        assert_eq!(cut("\n\n", "lines:1"), vec![("", 0..0), ("", 0..0)]);
    }

    #[test]
    fn segment_modes_parse() {
        assert_eq!("lines:20".parse(), Ok(SegmentMode::Lines(20)));
        assert_eq!("parts:10".parse(), Ok(SegmentMode::Parts(10)));
        assert!("words:0".parse::<SegmentMode>().is_err());
        assert!("chapter".parse::<SegmentMode>().is_err());
    }

    #[test]
    fn empty_text_has_no_structure() {
        assert_eq!(segment("", &[]), Structure::default());
        assert_eq!(segment("\n\n \r\n", &[]), Structure::default());
    }

    /// The UAX #29 pieces of `text`, from unicode-segmentation.
    fn uax29_pieces(text: &str) -> Vec<(usize, &str)> {
        text.split_sentence_bound_indices().collect()
    }

    /// Pieces as (offset, length).
    type Spans = Vec<(usize, usize)>;

    /// The ASCII scanner's pieces and UAX #29's: the scanner reads line breaks as spaces, so
    /// UAX #29 runs on the text with line breaks made spaces.
    fn same_pieces(text: &str) -> (Spans, Spans) {
        let flat = text.replace(['\n', '\r'], " ");
        let spans = |pieces: Vec<(usize, &str)>| -> Spans {
            pieces.into_iter().map(|(o, p)| (o, p.len())).collect()
        };
        let mut ascii = Vec::new();
        ascii_sentence_pieces(text, &mut ascii);
        (ascii, spans(uax29_pieces(&flat)))
    }

    #[test]
    fn ascii_sentence_pieces_agree_with_uax29_on_the_kjv() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kjv");
        let mut books: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        books.sort();
        let mut compared = 0;
        for book in books
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        {
            let text = std::fs::read_to_string(book).unwrap();
            // Each line of the KJV is a verse; whole books as one paragraph test long
            // paragraphs and line breaks too.
            let (ascii, uax29) = same_pieces(&text);
            assert_eq!(ascii, uax29, "{}", book.display());
            compared += text.len();
        }
        assert!(compared > 4_000_000, "the whole KJV is compared");
    }

    use proptest::prelude::*;
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn ascii_sentence_pieces_agree_with_uax29(text in r#"([a-zA-Z]{1,3}|[0-9]|[ .!?"'()\[\]{},:;\t\n\r#*-]|Dr\. |e\.g\. |U\.S\. ){0,40}"#) {
            let (ascii, uax29) = same_pieces(&text);
            prop_assert_eq!(ascii, uax29);
        }
    }

    proptest! {
        #[test]
        fn sentences_and_paragraphs_tile_the_tokens(text in r"([a-zA-Z]{1,6}|[ .!?\n\r,]|\PC|Dr\.|U\.S\.){0,80}") {
            let tokens = tokenize(&text);
            let s = segment(&text, &tokens);
            let mut next = 0;
            for sentence in &s.sentences {
                prop_assert_eq!(sentence.tokens.start, next);
                prop_assert!(sentence.tokens.end > sentence.tokens.start);
                for t in &tokens[sentence.tokens.clone()] {
                    prop_assert!(sentence.span.start <= t.span.start && t.span.end <= sentence.span.end);
                }
                next = sentence.tokens.end;
            }
            prop_assert_eq!(next, tokens.len());
            let mut next = 0;
            for p in &s.paragraphs {
                prop_assert_eq!(p.tokens.start, next);
                prop_assert_eq!(s.sentences[p.sentences.start].tokens.start, p.tokens.start);
                prop_assert_eq!(s.sentences[p.sentences.end - 1].tokens.end, p.tokens.end);
                next = p.tokens.end;
            }
            prop_assert_eq!(next, tokens.len());
        }
    }
}
