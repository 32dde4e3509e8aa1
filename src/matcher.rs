//! Stage match: tokens → lexicon hits.
//!
//! In: a [`Lexicon`] (compiled once into a [`Matcher`]), then per document its text, tokens and
//! sentence structure. Out: [`Hit`]s ordered by first token, then theme.
//!
//! Entries are normalised by the text tokenizer. A term is a sequence of elements — a word or a
//! prefix wildcard (`industr*`) — joined as in the entry: white space in the entry matches any
//! white space (line breaks included), a hyphen matches any one hyphen character, anything else
//! must match exactly; no phrase runs across a blank line (a paragraph break). Rules:
//! - `per-theme`: each theme matches on its own; within a theme, leftmost-longest matches do
//!   not overlap; a token may count for several themes.
//! - `best-entry` (LIWC): at each position the single best entry wins, and the tokens it covers
//!   take all of its themes; matches do not overlap at all.
//!
//! "Best" is: more tokens, then more exact (non-wildcard) words, then a longer literal text,
//! then the entry that comes first in the lexicon.
//!
//! Negation: a hit is negated when a negator stands 1 to `window` tokens before its first token,
//! in the same sentence, with no clause break (a break character between two tokens, or a break
//! word) in between; a negator followed by its exception word (`not only`) is no negator.

use std::collections::{HashMap, HashSet};

// Every token is looked up once per document: FxHash is several times faster than SipHash on
// short words, and the maps hold only lexicon entries, so hash flooding is no concern.
use rustc_hash::FxHashMap;
use std::ops::Range;

use crate::lexicon::{Lexicon, MatchMode, Weight};
use crate::segment::Structure;
use crate::tokenize::{tokenize_with, Hyphens, Token};

/// One lexicon hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Theme index in the lexicon.
    pub theme: usize,
    /// Global term index (see [`Matcher::term`]).
    pub term: u32,
    /// The tokens matched.
    pub tokens: Range<usize>,
    /// The term's weight for this theme.
    pub weight: Weight,
    /// The token that negates this hit, if any.
    pub negator: Option<usize>,
}

/// A lexicon term, as the matcher refers to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermRef {
    /// Theme index.
    pub theme: usize,
    /// The entry as written in the lexicon.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Element {
    Word(u32),
    Prefix(u32),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Joiner {
    Space,
    Hyphen,
    Exact(String),
}

#[derive(Clone, Copy, Debug)]
struct Target {
    theme: usize,
    term: u32,
    weight: Weight,
}

#[derive(Debug)]
struct Pattern {
    elements: Vec<Element>,
    joiners: Vec<Joiner>,
    targets: Vec<Target>,
    rank: Rank,
    /// The lexicon file it comes from.
    source: usize,
    /// Whether its file matches with the best-entry rule.
    best_entry: bool,
}

#[derive(Debug)]
struct NegationRules {
    enabled: bool,
    window: usize,
    negators: HashSet<String>,
    suffix: Option<String>,
    exceptions: HashSet<(String, String)>,
    breaks: Vec<char>,
    break_words: HashSet<String>,
}

/// A quick test run before a hash lookup: whether any of a set of strings starts with the first
/// bytes of a token. A bitmap over (a hash of) the first `k` bytes: no false negatives, so a
/// token it rules out cannot be in the set (nor start with one of a set of prefixes); most
/// tokens of a text are ruled out without hashing them.
#[derive(Debug)]
struct StartFilter {
    /// Bytes looked at: 3, or the length of the set's shortest string if less.
    k: usize,
    bits: Vec<u64>,
}

impl StartFilter {
    const BITS: usize = 1 << 16;

    fn new<'s>(set: impl Iterator<Item = &'s str> + Clone) -> Self {
        let k = set.clone().map(str::len).min().unwrap_or(0).min(3);
        let mut filter = StartFilter {
            k,
            bits: vec![0; Self::BITS / 64],
        };
        for s in set {
            let slot = filter.slot(s.as_bytes());
            filter.bits[slot / 64] |= 1 << (slot % 64);
        }
        filter
    }

    fn slot(&self, bytes: &[u8]) -> usize {
        let h = bytes[..self.k]
            .iter()
            .fold(0u32, |h, &b| (h << 8) | u32::from(b));
        (h.wrapping_mul(0x9E37_79B1) >> 16) as usize
    }

    /// `false` only when no string of the set starts like `s` (is `s`, or a prefix of it).
    fn may_start(&self, s: &str) -> bool {
        if s.len() < self.k || self.bits.is_empty() {
            return false;
        }
        let slot = self.slot(s.as_bytes());
        self.bits[slot / 64] & (1 << (slot % 64)) != 0
    }
}

/// A quick test run before a hash lookup of a whole word: a bitmap over (a hash of) a word's
/// length, its first three bytes and its last byte. No false negatives, so a token it rules out
/// is no lexicon word; unlike a [`StartFilter`], short lexicon words ("of", "to") do not make it
/// pass every token that starts like them.
#[derive(Debug)]
struct WordFilter {
    bits: Vec<u64>,
}

impl WordFilter {
    const BITS: usize = 1 << 16;

    fn new<'s>(set: impl Iterator<Item = &'s str>) -> Self {
        let mut filter = WordFilter {
            bits: vec![0; Self::BITS / 64],
        };
        for s in set {
            let slot = Self::slot(s.as_bytes());
            filter.bits[slot / 64] |= 1 << (slot % 64);
        }
        filter
    }

    fn slot(b: &[u8]) -> usize {
        let first = b.iter().take(3).fold(0u64, |h, &c| (h << 8) | u64::from(c));
        let last = b.last().map_or(0, |&c| u64::from(c));
        let key = first | last << 24 | (b.len() as u64) << 32;
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as usize
    }

    /// `false` only when `s` is no string of the set.
    fn may_be(&self, s: &str) -> bool {
        let slot = Self::slot(s.as_bytes());
        self.bits[slot / 64] & (1 << (slot % 64)) != 0
    }
}

/// A lexicon compiled for matching. Shared read-only between threads.
#[derive(Debug)]
pub struct Matcher {
    words: FxHashMap<String, u32>,
    /// Rules out tokens that are no lexicon word before `words` is hashed.
    word_filter: WordFilter,
    prefixes: Vec<String>,
    prefix_ids: FxHashMap<String, u32>,
    /// Rules out tokens that start with no lexicon prefix.
    prefix_filter: StartFilter,
    /// Rules out the lengths at which a token's start is no lexicon prefix.
    prefix_words: WordFilter,
    prefix_lens: Vec<usize>,
    first_word: Vec<Vec<u32>>,
    first_prefix: Vec<Vec<u32>>,
    patterns: Vec<Pattern>,
    terms: Vec<TermRef>,
    theme_terms: Vec<Range<u32>>,
    themes: usize,
    sources: usize,
    negation: NegationRules,
    /// How hyphen-joined words are read, in entries and in text alike.
    hyphens: Hyphens,
}

const HYPHENS: &[char] = &['-', '\u{2010}', '\u{2011}', '\u{FE63}', '\u{FF0D}'];

/// `’` and `ʼ` read as `'`, in gaps as in words.
const APOSTROPHES: &[char] = &['\u{2019}', '\u{02BC}'];

fn classify_gap(gap: &str) -> Joiner {
    if !gap.is_empty() && gap.chars().all(char::is_whitespace) {
        Joiner::Space
    } else if gap.chars().count() == 1 && gap.starts_with(HYPHENS) {
        Joiner::Hyphen
    } else {
        Joiner::Exact(gap.replace(APOSTROPHES, "'"))
    }
}

/// Whether white space holds a blank line (two line ends: LF, CRLF or a lone CR), that is, a
/// paragraph break, which no phrase crosses.
fn holds_blank_line(gap: &str) -> bool {
    crate::lines::breaks(gap.as_bytes()).nth(1).is_some()
}

fn joiner_matches(joiner: &Joiner, gap: &str) -> bool {
    match joiner {
        Joiner::Space => {
            !gap.is_empty() && gap.chars().all(char::is_whitespace) && !holds_blank_line(gap)
        }
        Joiner::Hyphen => gap.chars().count() == 1 && gap.starts_with(HYPHENS),
        Joiner::Exact(s) if gap.contains(APOSTROPHES) => gap.replace(APOSTROPHES, "'") == *s,
        Joiner::Exact(s) => gap == s,
    }
}

/// An entry's elements as (normalised word, is wildcard) and the gaps between them.
type ParsedEntry = (Vec<(String, bool)>, Vec<Joiner>);

/// Ranks patterns: (tokens, exact words, literal bytes); larger is better.
type Rank = (usize, usize, usize);

/// Splits an entry into elements and joiners; `None` when it holds no word.
fn parse_entry(entry: &str, hyphens: Hyphens) -> Option<ParsedEntry> {
    let tokens = tokenize_with(entry, hyphens);
    if tokens.is_empty() {
        return None;
    }
    let mut elements = Vec::with_capacity(tokens.len());
    let mut joiners = Vec::with_capacity(tokens.len() - 1);
    for (k, tok) in tokens.iter().enumerate() {
        let wildcard = entry[tok.span.end..].starts_with('*');
        elements.push((tok.text.to_string(), wildcard));
        if let Some(next) = tokens.get(k + 1) {
            let gap_start = tok.span.end + usize::from(wildcard);
            joiners.push(classify_gap(
                &entry[gap_start.min(next.span.start)..next.span.start],
            ));
        }
    }
    Some((elements, joiners))
}

impl Matcher {
    /// How the text is to be tokenized for this matcher: hyphen-joined words as the lexicon
    /// (or `--hyphens`) says.
    pub fn hyphens(&self) -> Hyphens {
        self.hyphens
    }

    /// Compiles `lexicon`. Entries that can never match are left out (and reported by
    /// [`crate::lexicon::lint`]).
    pub fn new(lexicon: &Lexicon) -> Matcher {
        let mut m = Matcher {
            words: FxHashMap::default(),
            word_filter: WordFilter::new(std::iter::empty()),
            prefixes: Vec::new(),
            prefix_ids: FxHashMap::default(),
            prefix_filter: StartFilter::new(std::iter::empty()),
            prefix_words: WordFilter::new(std::iter::empty()),
            prefix_lens: Vec::new(),
            first_word: Vec::new(),
            first_prefix: Vec::new(),
            patterns: Vec::new(),
            terms: Vec::new(),
            theme_terms: Vec::new(),
            themes: lexicon.themes.len(),
            sources: lexicon.sources.len(),
            hyphens: lexicon.hyphens(),
            negation: NegationRules {
                enabled: lexicon.negation.enabled,
                window: lexicon.negation.window,
                negators: lexicon.negation.negators.iter().cloned().collect(),
                suffix: lexicon.negation.contraction_suffix.clone(),
                exceptions: lexicon.negation.exceptions.iter().cloned().collect(),
                breaks: lexicon.negation.breaks.clone(),
                break_words: lexicon.negation.break_words.iter().cloned().collect(),
            },
        };
        // Patterns are shared by the themes of one file that list the same entry; files stay
        // apart, since each may match by its own rule.
        let mut pattern_ids: HashMap<(usize, Vec<Element>, Vec<Joiner>), u32> = HashMap::new();
        for (theme_index, theme) in lexicon.themes.iter().enumerate() {
            let first_term = m.terms.len() as u32;
            for term in &theme.terms {
                let id = m.terms.len() as u32;
                m.terms.push(TermRef {
                    theme: theme_index,
                    text: term.text.clone(),
                });
                let Some((parts, joiners)) = parse_entry(&term.text, m.hyphens) else {
                    continue;
                };
                let literal: usize = parts.iter().map(|(w, _)| w.len()).sum();
                let exact = parts.iter().filter(|(_, wild)| !wild).count();
                let elements: Vec<Element> = parts
                    .into_iter()
                    .map(|(word, wild)| {
                        if wild {
                            Element::Prefix(m.prefix_id(word))
                        } else {
                            Element::Word(m.word_id(word))
                        }
                    })
                    .collect();
                let target = Target {
                    theme: theme_index,
                    term: id,
                    weight: term.weight,
                };
                let key = (theme.source, elements.clone(), joiners.clone());
                if let Some(&pid) = pattern_ids.get(&key) {
                    // The first entry of a theme that matches these tokens is the one counted.
                    let pattern = &mut m.patterns[pid as usize];
                    if !pattern.targets.iter().any(|t| t.theme == theme_index) {
                        pattern.targets.push(target);
                    }
                    continue;
                }
                let pid = m.patterns.len() as u32;
                match elements[0] {
                    Element::Word(w) => m.first_word[w as usize].push(pid),
                    Element::Prefix(p) => m.first_prefix[p as usize].push(pid),
                }
                m.patterns.push(Pattern {
                    rank: (elements.len(), exact, literal),
                    elements,
                    joiners,
                    targets: vec![target],
                    source: theme.source,
                    best_entry: lexicon.sources[theme.source].matching == MatchMode::BestEntry,
                });
                pattern_ids.insert(key, pid);
            }
            m.theme_terms.push(first_term..m.terms.len() as u32);
        }
        let mut lens: Vec<usize> = m.prefixes.iter().map(String::len).collect();
        lens.sort_unstable();
        lens.dedup();
        m.prefix_lens = lens;
        m.word_filter = WordFilter::new(m.words.keys().map(String::as_str));
        m.prefix_filter = StartFilter::new(m.prefixes.iter().map(String::as_str));
        m.prefix_words = WordFilter::new(m.prefixes.iter().map(String::as_str));
        m
    }

    fn word_id(&mut self, word: String) -> u32 {
        let next = self.words.len() as u32;
        let id = *self.words.entry(word).or_insert(next);
        if id == next {
            self.first_word.push(Vec::new());
        }
        id
    }

    fn prefix_id(&mut self, prefix: String) -> u32 {
        if let Some(&id) = self.prefix_ids.get(&prefix) {
            return id;
        }
        let id = self.prefixes.len() as u32;
        self.prefixes.push(prefix.clone());
        self.prefix_ids.insert(prefix, id);
        self.first_prefix.push(Vec::new());
        id
    }

    /// All terms, indexed by global term id.
    pub fn terms(&self) -> &[TermRef] {
        &self.terms
    }

    /// The term with global id `id`.
    pub fn term(&self, id: u32) -> &TermRef {
        &self.terms[id as usize]
    }

    /// The global term ids of theme `theme`.
    pub fn theme_terms(&self, theme: usize) -> Range<u32> {
        self.theme_terms[theme].clone()
    }

    /// Number of themes.
    pub fn theme_count(&self) -> usize {
        self.themes
    }

    fn element_matches(&self, element: &Element, token: &Token<'_>, word: Option<u32>) -> bool {
        match element {
            Element::Word(w) => word == Some(*w),
            Element::Prefix(p) => token.text.starts_with(self.prefixes[*p as usize].as_str()),
        }
    }

    /// Patterns whose first element matches `token` (with exact word id `word`) into `out`.
    fn first_candidates(&self, token: &Token<'_>, word: Option<u32>, out: &mut Vec<u32>) {
        out.clear();
        if let Some(w) = word {
            out.extend_from_slice(&self.first_word[w as usize]);
        }
        let text = token.text.as_ref();
        if !self.prefix_filter.may_start(text) {
            return;
        }
        for &len in &self.prefix_lens {
            if len > text.len() {
                break;
            }
            if !text.is_char_boundary(len) || !self.prefix_words.may_be(&text[..len]) {
                continue;
            }
            if let Some(&p) = self.prefix_ids.get(&text[..len]) {
                out.extend_from_slice(&self.first_prefix[p as usize]);
            }
        }
    }

    /// Whether pattern `pid` matches the tokens from `start`; returns its length in tokens.
    fn match_at(
        &self,
        pid: u32,
        text: &str,
        tokens: &[Token<'_>],
        words: &[Option<u32>],
        start: usize,
    ) -> Option<usize> {
        let pattern = &self.patterns[pid as usize];
        let len = pattern.elements.len();
        if start + len > tokens.len() {
            return None;
        }
        for k in 1..len {
            let (prev, tok) = (&tokens[start + k - 1], &tokens[start + k]);
            if !joiner_matches(
                &pattern.joiners[k - 1],
                &text[prev.span.end..tok.span.start],
            ) || !self.element_matches(&pattern.elements[k], tok, words[start + k])
            {
                return None;
            }
        }
        Some(len)
    }

    /// Finds the hits in a document: its `text`, `tokens` and `structure` (for negation).
    pub fn find_hits(&self, text: &str, tokens: &[Token<'_>], structure: &Structure) -> Vec<Hit> {
        // Each token's lexicon word, and the tokens where a pattern may start.
        let mut words: Vec<Option<u32>> = Vec::with_capacity(tokens.len());
        let mut starts: Vec<usize> = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let text = t.text.as_ref();
            let word = if self.word_filter.may_be(text) {
                self.words.get(text).copied()
            } else {
                None
            };
            words.push(word);
            if word.is_some_and(|w| !self.first_word[w as usize].is_empty())
                || self.prefix_filter.may_start(text)
            {
                starts.push(i);
            }
        }
        let mut hits = Vec::new();
        let mut candidates = Vec::new();
        // The token after the last match, per theme (per-theme) and per file (best-entry).
        let mut theme_free = vec![0usize; self.themes];
        let mut source_free = vec![0usize; self.sources];
        // The best (rank, pattern, target index) at the current position, per theme and per file.
        let mut theme_best: Vec<Option<(Rank, u32, usize)>> = vec![None; self.themes];
        let mut source_best: Vec<Option<(Rank, u32)>> = vec![None; self.sources];
        let mut touched_themes: Vec<usize> = Vec::new();
        let mut touched_sources: Vec<usize> = Vec::new();
        let mut found: Vec<(usize, &Target, usize)> = Vec::new();
        let better = |rank: Rank, pid: u32, other: Rank, other_pid: u32| {
            rank > other || (rank == other && pid < other_pid)
        };
        for i in starts {
            self.first_candidates(&tokens[i], words[i], &mut candidates);
            if candidates.is_empty() {
                continue;
            }
            for &pid in &candidates {
                let pattern = &self.patterns[pid as usize];
                if (pattern.best_entry && i < source_free[pattern.source])
                    || self.match_at(pid, text, tokens, &words, i).is_none()
                {
                    continue;
                }
                if pattern.best_entry {
                    let slot = &mut source_best[pattern.source];
                    match slot {
                        Some((rank, other)) if !better(pattern.rank, pid, *rank, *other) => {}
                        _ => {
                            if slot.is_none() {
                                touched_sources.push(pattern.source);
                            }
                            *slot = Some((pattern.rank, pid));
                        }
                    }
                    continue;
                }
                for (ti, target) in pattern.targets.iter().enumerate() {
                    let slot = &mut theme_best[target.theme];
                    match slot {
                        Some((rank, other, _)) if !better(pattern.rank, pid, *rank, *other) => {}
                        _ => {
                            if slot.is_none() {
                                touched_themes.push(target.theme);
                            }
                            *slot = Some((pattern.rank, pid, ti));
                        }
                    }
                }
            }
            for theme in touched_themes.drain(..) {
                if let Some((_, pid, ti)) = theme_best[theme].take() {
                    if i >= theme_free[theme] {
                        let pattern = &self.patterns[pid as usize];
                        theme_free[theme] = i + pattern.elements.len();
                        found.push((theme, &pattern.targets[ti], pattern.elements.len()));
                    }
                }
            }
            for source in touched_sources.drain(..) {
                if let Some((_, pid)) = source_best[source].take() {
                    let pattern = &self.patterns[pid as usize];
                    source_free[source] = i + pattern.elements.len();
                    for target in &pattern.targets {
                        found.push((target.theme, target, pattern.elements.len()));
                    }
                }
            }
            found.sort_by_key(|(theme, _, _)| *theme);
            for (_, target, len) in found.drain(..) {
                hits.push(self.hit(target, i..i + len, text, tokens, structure));
            }
        }
        hits
    }

    fn hit(
        &self,
        target: &Target,
        span: Range<usize>,
        text: &str,
        tokens: &[Token<'_>],
        structure: &Structure,
    ) -> Hit {
        Hit {
            theme: target.theme,
            term: target.term,
            negator: self.negator_before(span.start, text, tokens, structure),
            tokens: span,
            weight: target.weight,
        }
    }

    /// The negator of a hit starting at token `i`, if any.
    fn negator_before(
        &self,
        i: usize,
        text: &str,
        tokens: &[Token<'_>],
        structure: &Structure,
    ) -> Option<usize> {
        let rules = &self.negation;
        if !rules.enabled {
            return None;
        }
        let sentence = structure.sentence_of_token(i);
        for j in (i.saturating_sub(rules.window)..i).rev() {
            let gap = &text[tokens[j].span.end..tokens[j + 1].span.start];
            if gap.contains(rules.breaks.as_slice()) {
                return None;
            }
            if j + 1 < i && rules.break_words.contains(tokens[j + 1].text.as_ref()) {
                return None;
            }
            if structure.sentence_of_token(j) != sentence {
                return None;
            }
            let word = tokens[j].text.as_ref();
            let negator = rules.negators.contains(word)
                || rules
                    .suffix
                    .as_deref()
                    .is_some_and(|s| word.len() > s.len() && word.ends_with(s));
            if negator {
                let exception = tokens.get(j + 1).is_some_and(|next| {
                    rules
                        .exceptions
                        .contains(&(word.to_string(), next.text.to_string()))
                });
                if !exception {
                    return Some(j);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::parse_toml;
    use crate::segment::segment;

    fn lexicon(body: &str) -> Lexicon {
        parse_toml(body, "test.toml").unwrap()
    }

    /// (theme id, term, matched text, negator) of each hit of `text`.
    fn hits(lex: &Lexicon, text: &str) -> Vec<(String, String, String, Option<String>)> {
        let m = Matcher::new(lex);
        let tokens = tokenize_with(text, m.hyphens());
        let structure = segment(text, &tokens);
        m.find_hits(text, &tokens, &structure)
            .into_iter()
            .map(|h| {
                let span = tokens[h.tokens.start].span.start..tokens[h.tokens.end - 1].span.end;
                (
                    lex.themes[h.theme].id.clone(),
                    m.term(h.term).text.clone(),
                    text[span].to_string(),
                    h.negator.map(|n| text[tokens[n].span.clone()].to_string()),
                )
            })
            .collect()
    }

    fn h(theme: &str, term: &str, matched: &str) -> (String, String, String, Option<String>) {
        (theme.into(), term.into(), matched.into(), None)
    }

    const TWO: &str = r#"
[[themes]]
id = "hardship"
terms = ["hardship*", "power outage*", "self-reliance", "set-up", "shortage", "shortages of raw material*"]
[[themes]]
id = "pride"
terms = ["pride", "proud*", "badge of honor", "self-reliance", "honor"]
"#;

    proptest::proptest! {
        #[test]
        fn the_word_filter_never_rules_out_a_word(
            set in proptest::collection::vec("[a-cé']{0,5}", 0..6),
            tokens in proptest::collection::vec("[a-cé']{0,6}", 1..20),
        ) {
            let filter = WordFilter::new(set.iter().map(String::as_str));
            for t in tokens.iter().chain(&set) {
                if set.contains(t) {
                    proptest::prop_assert!(filter.may_be(t), "{:?} {:?}", set, t);
                }
            }
        }

        #[test]
        fn the_start_filter_never_rules_out_a_match(
            set in proptest::collection::vec("[a-cé]{0,5}", 0..6),
            tokens in proptest::collection::vec("[a-cé]{0,6}", 1..20),
        ) {
            let filter = StartFilter::new(set.iter().map(String::as_str));
            for t in &tokens {
                if set.iter().any(|w| t.starts_with(w.as_str())) {
                    proptest::prop_assert!(filter.may_start(t), "{:?} {:?}", set, t);
                }
            }
        }
    }

    #[test]
    fn words_wildcards_and_phrases() {
        let lex = lexicon(TWO);
        assert_eq!(
            hits(
                &lex,
                "Hardships, POWER\n   outages and pride’s badge of honor."
            ),
            vec![
                h("hardship", "hardship*", "Hardships"),
                h("hardship", "power outage*", "POWER\n   outages"),
                h("pride", "pride", "pride’s"),
                h("pride", "badge of honor", "badge of honor"),
            ]
        );
    }

    #[test]
    fn phrases_join_as_in_the_entry() {
        let lex = lexicon(TWO);
        assert_eq!(
            hits(
                &lex,
                "self-reliance, self‐reliance, self reliance; they set up a set-up"
            ),
            vec![
                h("hardship", "self-reliance", "self-reliance"),
                h("pride", "self-reliance", "self-reliance"),
                h("hardship", "self-reliance", "self‐reliance"),
                h("pride", "self-reliance", "self‐reliance"),
                h("hardship", "set-up", "set-up"),
            ]
        );
        assert_eq!(hits(&lex, "power. Outage"), vec![]);
        // A line break joins a phrase; a blank line (a paragraph break) does not.
        assert_eq!(
            hits(&lex, "power\r\noutage"),
            vec![h("hardship", "power outage*", "power\r\noutage")]
        );
        assert_eq!(hits(&lex, "power\n\noutage"), vec![]);
        assert_eq!(hits(&lex, "power\r\n \t\routage"), vec![]);
        let lex =
            lexicon("[[themes]]\nid = \"music\"\nterms = [\"rock 'n' roll\", \"country's\"]\n");
        assert_eq!(
            hits(&lex, "Rock ’n’ roll in the country’s south"),
            vec![
                h("music", "rock 'n' roll", "Rock ’n’ roll"),
                h("music", "country's", "country’s")
            ]
        );
    }

    #[test]
    fn leftmost_longest_without_overlap_within_a_theme() {
        let lex = lexicon(TWO);
        // "shortages of raw materials" is one hit, not also "shortage"; "shortage" alone is one.
        assert_eq!(
            hits(&lex, "shortages of raw materials; a shortage"),
            vec![
                h(
                    "hardship",
                    "shortages of raw material*",
                    "shortages of raw materials"
                ),
                h("hardship", "shortage", "shortage"),
            ]
        );
        // "badge of honor": pride takes the phrase, so "honor" inside it is not a second hit.
        assert_eq!(
            hits(&lex, "badge of honor"),
            vec![h("pride", "badge of honor", "badge of honor")]
        );
    }

    #[test]
    fn exact_entry_beats_wildcard_of_the_same_length() {
        let lex = lexicon("[[themes]]\nid = \"a\"\nterms = [\"proud*\", \"proudly\"]\n");
        assert_eq!(
            hits(&lex, "proudly proud"),
            vec![h("a", "proudly", "proudly"), h("a", "proud*", "proud")]
        );
    }

    #[test]
    fn best_entry_gives_the_token_one_entry() {
        let body = "matching = \"best-entry\"\n[[themes]]\nid = \"a\"\nterms = [\"work*\"]\n[[themes]]\nid = \"b\"\nterms = [\"worker*\"]\n[[themes]]\nid = \"c\"\nterms = [\"workers\", \"work*\"]\n";
        let lex = lexicon(body);
        // "workers": the exact entry of c wins alone; "working": work* (a and c) beats nothing longer.
        assert_eq!(
            hits(&lex, "workers working workerly"),
            vec![
                h("c", "workers", "workers"),
                h("a", "work*", "working"),
                h("c", "work*", "working"),
                h("b", "worker*", "workerly"),
            ]
        );
    }

    #[test]
    fn negation_cases() {
        let lex = lexicon(TWO);
        let neg = |text: &str| -> Vec<Option<String>> {
            hits(&lex, text).into_iter().map(|x| x.3).collect()
        };
        assert_eq!(neg("not proud"), vec![Some("not".into())]);
        assert_eq!(neg("It wasn't a hardship"), vec![Some("wasn't".into())]);
        assert_eq!(neg("It wasn’t a hardship"), vec![Some("wasn’t".into())]);
        assert_eq!(neg("no hardship"), vec![Some("no".into())]);
        assert_eq!(neg("not only hardship but pride"), vec![None, None]);
        assert_eq!(neg("not, in the end, proud"), vec![None]);
        assert_eq!(neg("never did the city seem so proud"), vec![None]);
        assert_eq!(neg("Not. Proud."), vec![None]);
        assert_eq!(neg("not but proud"), vec![None]);
    }
}
