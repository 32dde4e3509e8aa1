//! The matcher as it was before the tries (kept for the tests only): for each token, the entries
//! whose first element matches it (through hash maps of words and prefixes, behind bitmaps that
//! rule most tokens out), each then tried token by token. Its cost per token grows with the
//! number of entries sharing a first word; its results are what [`super::Matcher`] must give,
//! which the property tests in `matcher.rs` check on random lexicons and texts.

use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashMap;

use super::{
    parse_entry, Element, Hit, Joiner, Rank, StartFilter, Target, WordFilter, APOSTROPHES,
};
use crate::lexicon::{Lexicon, MatchMode};
use crate::segment::Structure;
use crate::tokenize::Token;

use super::holds_blank_line;

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

/// A lexicon compiled for the reference matcher.
#[derive(Debug)]
pub struct Reference {
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
    themes: usize,
    sources: usize,
    negation: NegationRules,
}

fn joiner_matches(joiner: &Joiner, gap: &str) -> bool {
    let gap = super::between_words(gap);
    match joiner {
        Joiner::Space => {
            !gap.is_empty() && gap.chars().all(char::is_whitespace) && !holds_blank_line(gap)
        }
        Joiner::Hyphen => crate::tokenize::is_one_hyphen(gap),
        Joiner::Exact(s) if gap.contains(APOSTROPHES) => gap.replace(APOSTROPHES, "'") == *s,
        Joiner::Exact(s) => gap == s,
    }
}

impl Reference {
    /// Compiles `lexicon`. Entries that can never match are left out (and reported by
    /// [`crate::lexicon::lint`]).
    pub fn new(lexicon: &Lexicon) -> Reference {
        let mut m = Reference {
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
            themes: lexicon.themes.len(),
            sources: lexicon.sources.len(),
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
        let mut next_term = 0u32;
        for (theme_index, theme) in lexicon.themes.iter().enumerate() {
            for term in &theme.terms {
                let id = next_term;
                next_term += 1;
                let Some((parts, joiners)) = parse_entry(&term.text, lexicon.hyphens()) else {
                    continue;
                };
                let literal: usize = parts.iter().map(|(w, _)| w.len()).sum();
                let exact = parts.iter().filter(|(_, wild)| !wild).count();
                let elements: Vec<Element> = parts
                    .into_iter()
                    .map(|(word, wild)| {
                        if wild {
                            Element::Prefix(m.prefix_id(word.to_string()))
                        } else {
                            Element::Word(m.word_id(word.to_string()))
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
                hits.push(Hit {
                    theme: target.theme,
                    term: target.term,
                    negator: self.negator_before(i, text, tokens, structure),
                    tokens: i..i + len,
                    weight: target.weight,
                });
            }
        }
        hits
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
