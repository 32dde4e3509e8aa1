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
//!
//! How: the cost per token does not grow with the lexicon. Each token is looked up once, in a
//! byte trie of the lexicon's words and wildcard prefixes (`WordTrie`): one walk over its
//! bytes gives its exact word and every prefix it starts with (two bitmaps rule out most tokens
//! of a text before the walk, where they do; a per-thread cache answers for the words seen
//! last). The entries form a trie of steps
//! (joiner, element) (`EntryTrie`), so every entry that matches from a token is found in one
//! walk down it, however many entries share their first words ("not …"); a walk goes on only
//! while the text still follows some entry, and a bitmap of every step (a `KeyFilter`, small
//! enough to stay in the nearest caches) rules out most steps before a node is read. A walk
//! starts only where a bitmap of the pairs of tokens' classes that some entry joins lets the
//! next token through: most tokens that start an entry are followed by none of its second
//! words, and are passed over with one look at that bitmap. Where no
//! entry of several tokens matches from a token, the choice among its entries of one token is
//! known beforehand; otherwise the rules above pick among the entries found,
//! as the reference matcher (`matcher/reference.rs`, built only for the tests, which compare
//! the two on random lexicons and texts) does by trying every entry.

// Steps of the entry trie (a key of three integers) and negators are looked up for many tokens:
// FxHash is several times faster than SipHash, and the maps hold only lexicon entries and
// settings, so hash flooding is no concern.
use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;

use crate::lexicon::{Lexicon, MatchMode, Weight};
use crate::segment::Structure;
use crate::tokenize::{is_one_hyphen, tokenize_with, Hyphens, Token, Word};

#[cfg(test)]
mod reference;
mod words;

use words::Words;
#[cfg(test)]
use words::{StartFilter, WordFilter};

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

impl Element {
    /// The element as one integer: a word id or a prefix id, told apart by the lowest bit.
    fn key(&self) -> u32 {
        match *self {
            Element::Word(w) => w << 1,
            Element::Prefix(p) => p << 1 | 1,
        }
    }
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

#[derive(Clone, Debug)]
struct Pattern {
    /// Its id: its place in the lexicon's order (ties between equal ranks go to the first).
    pid: u32,
    /// Number of elements (tokens matched).
    len: usize,
    /// Its themes, `Matcher::targets[targets]`.
    targets: Range<u32>,
    rank: Rank,
    /// The lexicon file it comes from.
    source: usize,
    /// Whether its file matches with the best-entry rule.
    best_entry: bool,
}

/// Negation settings, compiled: negators and break words are words of the [`Words`] set,
/// flagged, so that a token's lookup tells whether it is one.
#[derive(Debug)]
struct NegationRules {
    enabled: bool,
    window: usize,
    suffix: Option<String>,
    exceptions: FxHashSet<(String, String)>,
    breaks: Vec<char>,
    /// The ASCII break characters, as bits.
    ascii_breaks: u128,
}

/// Flags of a word id: a negator, a break word.
const NEGATOR: u8 = 1;
const BREAK_WORD: u8 = 2;

/// "No such thing" in the tables below (no word, no prefix, no node).
const NONE: u32 = u32::MAX;

/// The entries as a trie of steps: from the root, an element; from then on, a joiner and an
/// element. A node lists the patterns whose steps lead to it.
#[derive(Debug)]
struct EntryTrie {
    nodes: Vec<EntryNode>,
    /// The patterns of each node, `pids[node.pids]`.
    pids: Vec<u32>,
    /// The node after a first element, by word id and by prefix id.
    first_word: Vec<u32>,
    first_prefix: Vec<u32>,
    /// (node, joiner, element key) → the next node, for nodes with more than one next step.
    next: FxHashMap<(u32, u32, u32), u32>,
    /// Exact joiners by id (after [`JOIN_SPACE`] and [`JOIN_HYPHEN`]).
    exact_joiners: FxHashMap<String, u32>,
    /// Every step (node, joiner, element key), as [`step_key`]s.
    step_filter: KeyFilter,
}

/// A set of 64-bit keys as a bitmap over a hash of each, with about 16 bits per key (a false
/// positive in 16). No false negatives, so a key it rules out is not in the set; it is small
/// enough to stay in the core's nearer caches, unlike what it stands before.
#[derive(Debug)]
struct KeyFilter {
    /// `64 - log2(bits)`: the shift that takes a hash to a bit.
    shift: u32,
    bits: Vec<u64>,
}

impl KeyFilter {
    /// A filter of `keys`.
    fn new(keys: &[u64]) -> KeyFilter {
        let log = (keys.len().max(64) * 16)
            .next_power_of_two()
            .trailing_zeros();
        let mut filter = KeyFilter {
            shift: 64 - log,
            bits: vec![0; (1usize << log) / 64],
        };
        for &key in keys {
            let bit = filter.bit(key);
            filter.bits[bit / 64] |= 1 << (bit % 64);
        }
        filter
    }

    #[inline]
    fn bit(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    /// `false` only when `key` is not in the set.
    #[inline]
    fn may_hold(&self, key: u64) -> bool {
        let bit = self.bit(key);
        self.bits[bit / 64] >> (bit % 64) & 1 != 0
    }
}

/// A step of the entry trie (node, joiner, element key) as one key of a [`KeyFilter`]: the
/// quick test run before a step (most tokens that start an entry continue none).
#[inline]
fn step_key(node: u32, joiner: u32, key: u32) -> u64 {
    (u64::from(node) << 32 | u64::from(key)) ^ u64::from(joiner) << 29
}

/// A pair of classes as one key of a [`KeyFilter`].
#[inline]
fn follow_key(from: u32, to: u32) -> u64 {
    u64::from(from) << 32 | u64::from(to)
}

/// Joiner ids of white space and of a hyphen; exact joiners follow.
const JOIN_SPACE: u32 = 0;
const JOIN_HYPHEN: u32 = 1;

#[derive(Clone, Debug)]
struct EntryNode {
    pids: Range<u32>,
    next: Next,
}

/// The steps out of a node: most nodes of a large lexicon have none or one.
#[derive(Clone, Copy, Debug)]
enum Next {
    None,
    /// (joiner, element key, node).
    One(u32, u32, u32),
    /// Several, in [`EntryTrie::next`].
    Many,
}

impl EntryTrie {
    /// A trie of `patterns`, each its (elements, joiners); ids are the patterns' indexes.
    fn new(patterns: &[(Vec<Element>, Vec<Joiner>)], words: usize, prefixes: usize) -> EntryTrie {
        let mut nodes: Vec<Vec<u32>> = Vec::new();
        let mut first_word = vec![NONE; words];
        let mut first_prefix = vec![NONE; prefixes];
        let mut steps: FxHashMap<(u32, u32, u32), u32> = FxHashMap::default();
        let mut exact_joiners: FxHashMap<String, u32> = FxHashMap::default();
        for (pid, (elements, joiners)) in patterns.iter().enumerate() {
            let slot = match elements[0] {
                Element::Word(w) => &mut first_word[w as usize],
                Element::Prefix(p) => &mut first_prefix[p as usize],
            };
            if *slot == NONE {
                *slot = nodes.len() as u32;
                nodes.push(Vec::new());
            }
            let mut node = *slot;
            for (element, joiner) in elements[1..].iter().zip(joiners) {
                let joiner = match joiner {
                    Joiner::Space => JOIN_SPACE,
                    Joiner::Hyphen => JOIN_HYPHEN,
                    Joiner::Exact(s) => {
                        let next = exact_joiners.len() as u32 + 2;
                        *exact_joiners.entry(s.clone()).or_insert(next)
                    }
                };
                let next = nodes.len() as u32;
                node = *steps.entry((node, joiner, element.key())).or_insert(next);
                if node == next {
                    nodes.push(Vec::new());
                }
            }
            nodes[node as usize].push(pid as u32);
        }
        let mut outs: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); nodes.len()];
        for (&(from, joiner, element), &to) in &steps {
            outs[from as usize].push((joiner, element, to));
        }
        let all: Vec<u64> = (steps.keys()).map(|&(n, j, k)| step_key(n, j, k)).collect();
        let mut trie = EntryTrie {
            nodes: Vec::with_capacity(nodes.len()),
            pids: Vec::new(),
            first_word,
            first_prefix,
            next: FxHashMap::default(),
            exact_joiners,
            step_filter: KeyFilter::new(&all),
        };
        for (node, pids) in nodes.into_iter().enumerate() {
            let start = trie.pids.len() as u32;
            trie.pids.extend(pids);
            let next = match outs[node].as_slice() {
                [] => Next::None,
                &[(joiner, element, to)] => Next::One(joiner, element, to),
                many => {
                    for &(joiner, element, to) in many {
                        trie.next.insert((node as u32, joiner, element), to);
                    }
                    Next::Many
                }
            };
            trie.nodes.push(EntryNode {
                pids: start..trie.pids.len() as u32,
                next,
            });
        }
        trie
    }

    /// The node after `node` through `joiner` and the element `element`, or [`NONE`].
    #[inline]
    fn step(&self, node: u32, joiner: u32, element: u32) -> u32 {
        if !self.step_filter.may_hold(step_key(node, joiner, element)) {
            return NONE;
        }
        match self.nodes[node as usize].next {
            Next::None => NONE,
            Next::One(j, e, to) => {
                if j == joiner && e == element {
                    to
                } else {
                    NONE
                }
            }
            Next::Many => self
                .next
                .get(&(node, joiner, element))
                .copied()
                .unwrap_or(NONE),
        }
    }

    /// The joiner id that the text between two tokens matches, or [`NONE`]. (Entries' gaps
    /// are classified so that no text matches two joiners: white space is `Space` and a lone
    /// hyphen `Hyphen`, never `Exact`.)
    fn joiner_of(&self, gap: &str) -> u32 {
        if gap == " " {
            return JOIN_SPACE;
        }
        let gap = between_words(gap);
        if !gap.is_empty() && gap.chars().all(char::is_whitespace) {
            return if holds_blank_line(gap) {
                NONE
            } else {
                JOIN_SPACE
            };
        }
        if is_one_hyphen(gap) {
            return JOIN_HYPHEN;
        }
        if self.exact_joiners.is_empty() {
            return NONE;
        }
        let found = if gap.contains(APOSTROPHES) {
            self.exact_joiners
                .get(gap.replace(APOSTROPHES, "'").as_str())
                .copied()
        } else {
            self.exact_joiners.get(gap).copied()
        };
        found.unwrap_or(NONE)
    }
}

/// A lexicon compiled for matching. Shared read-only between threads.
#[derive(Debug)]
pub struct Matcher {
    /// The lexicon's words (negators and break words included) and wildcard prefixes.
    words: Words,
    entries: EntryTrie,
    /// Flags by word id: [`NEGATOR`], [`BREAK_WORD`].
    word_flags: Vec<u8>,
    /// What a token starts, by its word, and by its longest prefix when it is no word.
    word_classes: Vec<Class>,
    prefix_classes: Vec<Class>,
    /// The lists that [`Class`]es index.
    singles: Vec<Found>,
    first_nodes: Vec<u32>,
    element_keys: Vec<u32>,
    /// Every pair of classes (see [`Matcher::class_id`]) where an entry of several tokens can
    /// go on from a token of the first class to one of the second: most tokens that start such
    /// an entry are followed by a token that continues none, and this rules them out without
    /// reading the next token's class or the trie.
    follow_filter: KeyFilter,
    /// The patterns in the order of [`EntryTrie::pids`].
    slots: Vec<Pattern>,
    targets: Vec<Target>,
    terms: Vec<TermRef>,
    theme_terms: Vec<Range<u32>>,
    themes: usize,
    sources: usize,
    negation: NegationRules,
    /// How hyphen-joined words are read, in entries and in text alike.
    hyphens: Hyphens,
}

/// `’` and `ʼ` read as `'`, in gaps as in words.
const APOSTROPHES: &[char] = &['\u{2019}', '\u{02BC}'];

/// The text between two words, as phrases see it: underscores around a word (Gutenberg's
/// italics, `_Not_ blinded`) belong neither to the word nor to the gap.
pub(crate) fn between_words(gap: &str) -> &str {
    gap.trim_matches('_')
}

/// The joiner an entry's gap asks for (see [`between_words`]).
fn classify_gap(gap: &str) -> Joiner {
    let gap = between_words(gap);
    if !gap.is_empty() && gap.chars().all(char::is_whitespace) {
        Joiner::Space
    } else if is_one_hyphen(gap) {
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

/// An entry's elements as (normalised word, is wildcard) and the gaps between them.
type ParsedEntry<'a> = (Vec<(Word<'a>, bool)>, Vec<Joiner>);

/// Ranks patterns: (tokens, exact words, literal bytes); larger is better.
type Rank = (usize, usize, usize);

/// Splits an entry into elements and joiners; `None` when it holds no word.
fn parse_entry(entry: &str, hyphens: Hyphens) -> Option<ParsedEntry<'_>> {
    let tokens = tokenize_with(entry, hyphens);
    if tokens.is_empty() {
        return None;
    }
    let wildcard = |tok: &Token<'_>| entry[tok.span.end..].starts_with('*');
    let joiners = (tokens.windows(2))
        .map(|pair| {
            let gap_start = pair[0].span.end + usize::from(wildcard(&pair[0]));
            classify_gap(&entry[gap_start.min(pair[1].span.start)..pair[1].span.start])
        })
        .collect();
    // The words moved out of their tokens (a lower-cased one is no new allocation).
    let elements = (tokens.into_iter())
        .map(|tok| {
            let wild = wildcard(&tok);
            (tok.text, wild)
        })
        .collect();
    Some((elements, joiners))
}

impl NegationRules {
    fn new(lexicon: &Lexicon) -> NegationRules {
        let breaks = lexicon.negation.breaks.clone();
        let ascii_breaks = breaks
            .iter()
            .filter(|c| c.is_ascii())
            .fold(0u128, |bits, &c| bits | 1 << (c as u32));
        NegationRules {
            enabled: lexicon.negation.enabled,
            window: lexicon.negation.window,
            suffix: lexicon.negation.contraction_suffix.clone(),
            exceptions: lexicon.negation.exceptions.iter().cloned().collect(),
            breaks,
            ascii_breaks,
        }
    }

    /// Whether the text between two tokens, as bytes (from the end of one token's span to the
    /// start of the next one's, both on character boundaries), holds a clause break. Bytes, not
    /// a `str`: most gaps are one space, and slicing a `str` checks both ends for a boundary.
    /// One pass over the bytes while they are ASCII (a call to test a one-byte gap for ASCII
    /// first cost more than the test of its break bit).
    #[inline]
    fn breaks_in(&self, gap: &[u8]) -> bool {
        let mut found = false;
        for &b in gap {
            if !b.is_ascii() {
                let gap = std::str::from_utf8(gap);
                return gap.is_ok_and(|gap| gap.contains(self.breaks.as_slice()));
            }
            found |= self.ascii_breaks >> b & 1 == 1;
        }
        found
    }

    /// Whether `word` is longer than the contraction suffix and ends with it. Every token is
    /// asked (see [`Matcher::info`]); byte by byte from the end, since most words differ in
    /// their last byte and a call to compare them cost more.
    #[inline]
    fn has_suffix(&self, word: &str) -> bool {
        self.suffix.as_deref().is_some_and(|s| {
            let (word, s) = (word.as_bytes(), s.as_bytes());
            word.len() > s.len() && word.iter().rev().zip(s.iter().rev()).all(|(a, b)| a == b)
        })
    }
}

/// The ids of distinct strings, in order of first appearance.
#[derive(Default)]
struct Ids {
    ids: FxHashMap<String, u32>,
    list: Vec<String>,
}

impl Ids {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(s.to_string());
        self.ids.insert(s.to_string(), id);
        id
    }
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
        let mut words = Ids::default();
        let mut prefixes = Ids::default();
        let mut patterns: Vec<Pattern> = Vec::new();
        // Each pattern's targets as (pattern, target) in entry order, laid out by pattern once
        // every entry is read; and the theme of each pattern's last target.
        let mut pattern_targets: Vec<(u32, Target)> = Vec::new();
        let mut last_theme: Vec<usize> = Vec::new();
        let mut terms: Vec<TermRef> = Vec::new();
        let mut theme_terms = Vec::with_capacity(lexicon.themes.len());
        // Patterns are shared by the themes of one file that list the same entry; files stay
        // apart, since each may match by its own rule.
        let mut pattern_ids: FxHashMap<(usize, Vec<Element>, Vec<Joiner>), u32> =
            FxHashMap::default();
        for (theme_index, theme) in lexicon.themes.iter().enumerate() {
            let first_term = terms.len() as u32;
            for term in &theme.terms {
                let id = terms.len() as u32;
                terms.push(TermRef {
                    theme: theme_index,
                    text: term.text.clone(),
                });
                let Some((parts, joiners)) = parse_entry(&term.text, lexicon.hyphens()) else {
                    continue;
                };
                let literal: usize = parts.iter().map(|(w, _)| w.len()).sum();
                let exact = parts.iter().filter(|(_, wild)| !wild).count();
                let elements: Vec<Element> = (parts.iter())
                    .map(|(word, wild)| match wild {
                        true => Element::Prefix(prefixes.id(word)),
                        false => Element::Word(words.id(word)),
                    })
                    .collect();
                let target = Target {
                    theme: theme_index,
                    term: id,
                    weight: term.weight,
                };
                let key = (theme.source, elements, joiners);
                if let Some(&pid) = pattern_ids.get(&key) {
                    // The first entry of a theme that matches these tokens is the one counted
                    // (themes come in order: a pattern has one of this theme if its last has).
                    if last_theme[pid as usize] != theme_index {
                        last_theme[pid as usize] = theme_index;
                        pattern_targets.push((pid, target));
                    }
                    continue;
                }
                let pid = patterns.len() as u32;
                pattern_targets.push((pid, target));
                last_theme.push(theme_index);
                patterns.push(Pattern {
                    pid,
                    len: key.1.len(),
                    rank: (key.1.len(), exact, literal),
                    targets: 0..0,
                    source: theme.source,
                    best_entry: lexicon.sources[theme.source].matching == MatchMode::BestEntry,
                });
                pattern_ids.insert(key, pid);
            }
            theme_terms.push(first_term..terms.len() as u32);
        }
        // Negators and break words are words too: a token's lookup tells what it is.
        let negation = &lexicon.negation;
        let negators: Vec<u32> = negation.negators.iter().map(|w| words.id(w)).collect();
        let break_words: Vec<u32> = (negation.break_words.iter()).map(|w| words.id(w)).collect();
        // Each pattern's elements and joiners, moved out of the map, and its targets.
        let mut steps = vec![(Vec::new(), Vec::new()); patterns.len()];
        for ((_, elements, joiners), pid) in pattern_ids {
            steps[pid as usize] = (elements, joiners);
        }
        pattern_targets.sort_by_key(|&(pid, _)| pid);
        let of_pattern: Vec<&[(u32, Target)]> =
            pattern_targets.chunk_by(|a, b| a.0 == b.0).collect();
        // Every pattern has a target (its first entry's), so the runs are the patterns'.
        debug_assert_eq!(of_pattern.len(), patterns.len());
        let word_set = Words::new(&words.list, &prefixes.list);
        let entries = EntryTrie::new(&steps, words.list.len(), prefixes.list.len());
        // The patterns, and their targets, in the order the trie's nodes list them: what a
        // walk finds lies together, and a node leads straight to its patterns.
        let mut targets = Vec::new();
        let slots: Vec<Pattern> = (entries.pids.iter())
            .map(|&pid| {
                let mut pattern = patterns[pid as usize].clone();
                let start = targets.len() as u32;
                targets.extend(of_pattern[pid as usize].iter().map(|&(_, t)| t));
                pattern.targets = start..targets.len() as u32;
                pattern
            })
            .collect();
        let mut word_flags = vec![0u8; words.list.len()];
        for w in negators {
            word_flags[w as usize] |= NEGATOR;
        }
        for w in break_words {
            word_flags[w as usize] |= BREAK_WORD;
        }
        let mut matcher = Matcher {
            words: word_set,
            entries,
            word_flags,
            word_classes: Vec::new(),
            prefix_classes: Vec::new(),
            singles: Vec::new(),
            first_nodes: Vec::new(),
            element_keys: Vec::new(),
            follow_filter: KeyFilter::new(&[]),
            slots,
            targets,
            terms,
            theme_terms,
            themes: lexicon.themes.len(),
            sources: lexicon.sources.len(),
            hyphens: lexicon.hyphens(),
            negation: NegationRules::new(lexicon),
        };
        matcher.classes(&words.list);
        matcher
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

    /// Every pattern of more than one token that matches the tokens from `start` and, when
    /// there is one, every pattern of one token that does too, as (pattern, tokens matched),
    /// into `out` (left empty when no pattern of more than one token matches): one walk down
    /// the entry trie. `class` is token `start`'s; `stack` is scratch space.
    fn matches_at(
        &self,
        start: usize,
        class: &Class,
        doc: &Doc<'_, '_>,
        stack: &mut Vec<(u32, usize)>,
        out: &mut Vec<(u32, usize)>,
    ) {
        let trie = &self.entries;
        out.clear();
        stack.clear();
        let firsts = &self.first_nodes[class.firsts.start as usize..class.firsts.end as usize];
        // The first nodes' own patterns are of one token: no node is read unless a step leads
        // on from it.
        self.steps_from(firsts, start + 1, doc, stack);
        while let Some((node, end)) = stack.pop() {
            let n = &trie.nodes[node as usize];
            out.extend(n.pids.clone().map(|slot| (slot, end - start)));
            if !matches!(n.next, Next::None) {
                self.steps_from(&[node], end, doc, stack);
            }
        }
        if !out.is_empty() {
            for &node in firsts {
                out.extend(trie.nodes[node as usize].pids.clone().map(|slot| (slot, 1)));
            }
        }
    }

    /// Pushes onto `stack` each node that one of `nodes` leads to through the gap before token
    /// `end` and that token, with the token after it.
    #[inline]
    fn steps_from(
        &self,
        nodes: &[u32],
        end: usize,
        doc: &Doc<'_, '_>,
        stack: &mut Vec<(u32, usize)>,
    ) {
        let (text, tokens) = (doc.text, doc.tokens);
        if end >= tokens.len() {
            return;
        }
        let trie = &self.entries;
        let joiner = trie.joiner_of(&text[tokens[end - 1].span.end..tokens[end].span.start]);
        if joiner == NONE {
            return;
        }
        let class = doc.infos[end].class;
        if class == NONE {
            return;
        }
        let next = self.class(class);
        let keys = &self.element_keys[next.keys.start as usize..next.keys.end as usize];
        for &node in nodes {
            for &key in keys {
                let to = trie.step(node, joiner, key);
                if to != NONE {
                    stack.push((to, end + 1));
                }
            }
        }
    }

    /// The negator of a hit starting at token `i`, if any; tokens before `first` are in an
    /// earlier sentence.
    fn negator_before(
        &self,
        i: usize,
        first: usize,
        text: &str,
        tokens: &[Token<'_>],
        infos: &[Info],
    ) -> Option<usize> {
        let rules = &self.negation;
        if !rules.enabled {
            return None;
        }
        let flags = |j: usize| infos[j].flags();
        let window = i.saturating_sub(rules.window)..i;
        // Only a negator makes one, and most hits have none within the window: then neither
        // the gaps nor the tokens are read.
        if !window.clone().any(|j| flags(j) & NEGATOR != 0) {
            return None;
        }
        let bytes = text.as_bytes();
        for j in window.rev() {
            if rules.breaks_in(&bytes[tokens[j].span.end..tokens[j + 1].span.start]) {
                return None;
            }
            if j + 1 < i && flags(j + 1) & BREAK_WORD != 0 {
                return None;
            }
            if j < first {
                return None;
            }
            if flags(j) & NEGATOR != 0 {
                let word = tokens[j].text.as_ref();
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

    /// Finds the hits in a document: its `text`, `tokens` and `structure` (for negation).
    pub fn find_hits(&self, text: &str, tokens: &[Token<'_>], structure: &Structure) -> Vec<Hit> {
        (self.find_sentence_hits(text, tokens, structure).into_iter())
            .map(|(hit, _)| hit)
            .collect()
    }

    /// [`Matcher::find_hits`], each hit with its sentence: the first sentence that ends after
    /// its first token, or the last one (as [`Structure::sentence_of_token`] finds it).
    pub fn find_sentence_hits(
        &self,
        text: &str,
        tokens: &[Token<'_>],
        structure: &Structure,
    ) -> Vec<(Hit, usize)> {
        let mut scratch = HitScratch::take(self);
        let last_rate = scratch.hit_rate;
        let HitScratch {
            infos,
            picker,
            candidates,
            stack,
            found,
            kept,
            ..
        } = &mut scratch;
        // What each token is to the entries.
        infos.reserve(tokens.len());
        let info = |token: &str, word, prefix| self.info(token, word, prefix);
        (self.words).lookup_all(tokens, |t| t.text.as_ref(), info, infos);
        let infos = &infos[..];
        let doc = Doc {
            text,
            tokens,
            infos,
        };
        // As many hits per token as the thread's last document had, so that a document's hits
        // are not copied from buffer to buffer as they grow.
        let mut hits = Vec::with_capacity(scratch_hits_for(last_rate, tokens.len()));
        // The sentence of the current position: sentences before it end at or before it.
        let mut sentence = 0;
        for (i, info) in infos.iter().enumerate() {
            if !info.starts_any() {
                continue;
            }
            // Where no entry of several tokens matches, what the entries of one token give is
            // known beforehand.
            if info.longer() && self.may_go_on(i, infos) {
                self.matches_at(i, self.class(info.class), &doc, stack, candidates);
            }
            let chosen = if !candidates.is_empty() {
                found.clear();
                picker.choose(self, candidates, found);
                candidates.clear();
                &found[..]
            } else {
                self.singles_of(info)
            };
            picker.claim(i, chosen, kept);
            if kept.is_empty() {
                continue;
            }
            let sentences = &structure.sentences;
            while sentence < sentences.len() && sentences[sentence].tokens.end <= i {
                sentence += 1;
            }
            // Tokens before `first` lie in an earlier sentence than token i (the sentence of a
            // token past the last sentence is the last one).
            let sentence_of_i = sentence.min(sentences.len().saturating_sub(1));
            let first = match sentence_of_i.checked_sub(1) {
                Some(before) => sentences[before].tokens.end,
                None => 0,
            };
            let negator = self.negator_before(i, first, text, tokens, infos);
            for f in kept.iter() {
                let target = &f.target;
                let hit = Hit {
                    theme: target.theme,
                    term: target.term,
                    negator,
                    tokens: i..i + f.len as usize,
                    weight: target.weight,
                };
                hits.push((hit, sentence_of_i));
            }
        }
        scratch.hit_rate = (hits.len(), tokens.len());
        scratch.put();
        hits
    }

    /// What a token starts: its word's class, else its longest prefix's, else nothing.
    #[inline]
    fn class_of(&self, word: u32, prefix: u32) -> &Class {
        const NOTHING: Class = Class {
            single: 0..0,
            firsts: 0..0,
            keys: 0..0,
            longer: false,
        };
        match self.class_id(word, prefix) {
            NONE => &NOTHING,
            id => self.class(id),
        }
    }

    /// The classes of every word (with the longest prefix it starts with) and of every prefix
    /// (a token that is no word): the choices their entries of one token make, the nodes
    /// their entries start at and their element keys, each laid out in one list.
    fn classes(&mut self, words: &[String]) {
        let mut picker = Picker::default();
        picker.reset(self);
        let (mut singles, mut firsts, mut keys) = (Vec::new(), Vec::new(), Vec::new());
        let mut candidates = Vec::new();
        let mut class = |this: &Matcher, word: u32, prefix: u32| {
            let trie = &this.entries;
            let first_start = firsts.len() as u32;
            let key_start = keys.len() as u32;
            let word = (word != NONE).then_some((Element::Word(word), &trie.first_word[..]));
            let prefixes =
                (this.words.chain(prefix)).map(|p| (Element::Prefix(p), &trie.first_prefix[..]));
            for (element, first) in word.into_iter().chain(prefixes) {
                let (Element::Word(id) | Element::Prefix(id)) = element;
                keys.push(element.key());
                if first[id as usize] != NONE {
                    firsts.push(first[id as usize]);
                }
            }
            let firsts = &firsts[first_start as usize..];
            candidates.clear();
            for &node in firsts {
                let pids = &trie.nodes[node as usize].pids;
                candidates.extend(pids.clone().map(|slot| (slot, 1)));
            }
            let start = singles.len() as u32;
            picker.choose(this, &candidates, &mut singles);
            Class {
                single: start..singles.len() as u32,
                firsts: first_start..first_start + firsts.len() as u32,
                keys: key_start..keys.len() as u32,
                longer: (firsts.iter())
                    .any(|&node| !matches!(trie.nodes[node as usize].next, Next::None)),
            }
        };
        let word_classes = (words.iter().enumerate())
            .map(|(w, text)| {
                let (_, prefix) = self.words.lookup(text);
                class(self, w as u32, prefix)
            })
            .collect();
        let prefix_classes = (0..self.entries.first_prefix.len() as u32)
            .map(|p| class(self, NONE, p))
            .collect();
        self.word_classes = word_classes;
        self.prefix_classes = prefix_classes;
        self.singles = singles;
        self.first_nodes = firsts;
        self.element_keys = keys;
        self.follow_filter = self.follow_pairs();
    }

    /// The [`Matcher::follow_filter`] of the classes: a pair for each class with a first node
    /// that has a step through an element key of the other.
    fn follow_pairs(&self) -> KeyFilter {
        let trie = &self.entries;
        let classes = self.word_classes.iter().chain(&self.prefix_classes);
        // The classes with each element key.
        let mut with_key: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
        for (id, class) in classes.clone().enumerate() {
            for &key in &self.element_keys[class.keys.start as usize..class.keys.end as usize] {
                with_key.entry(key).or_default().push(id as u32);
            }
        }
        // The element keys of each node's steps.
        let mut step_keys: Vec<Vec<u32>> = vec![Vec::new(); trie.nodes.len()];
        for (node, n) in trie.nodes.iter().enumerate() {
            if let Next::One(_, key, _) = n.next {
                step_keys[node].push(key);
            }
        }
        for &(node, _, key) in trie.next.keys() {
            step_keys[node as usize].push(key);
        }
        let mut pairs = Vec::new();
        for (id, class) in classes.enumerate() {
            let firsts = &self.first_nodes[class.firsts.start as usize..class.firsts.end as usize];
            let keys = firsts.iter().flat_map(|&node| &step_keys[node as usize]);
            let mut next: Vec<u32> = (keys.filter_map(|key| with_key.get(key)))
                .flatten()
                .copied()
                .collect();
            next.sort_unstable();
            next.dedup();
            pairs.extend(next.into_iter().map(|to| follow_key(id as u32, to)));
        }
        KeyFilter::new(&pairs)
    }

    /// The class of a token of (word, longest prefix) as one id: its word's, else its longest
    /// prefix's (after the words'), else [`NONE`].
    #[inline]
    fn class_id(&self, word: u32, prefix: u32) -> u32 {
        if word != NONE {
            word
        } else if prefix != NONE {
            self.word_classes.len() as u32 + prefix
        } else {
            NONE
        }
    }

    /// `false` only when no entry of several tokens goes on from token `i` to the next token
    /// (see [`Matcher::follow_filter`]).
    #[inline]
    fn may_go_on(&self, i: usize, infos: &[Info]) -> bool {
        let Some(next) = infos.get(i + 1) else {
            return false;
        };
        next.class != NONE && (self.follow_filter).may_hold(follow_key(infos[i].class, next.class))
    }

    /// The class of id `id` (not [`NONE`]; see [`Matcher::class_id`]).
    #[inline]
    fn class(&self, id: u32) -> &Class {
        let words = self.word_classes.len();
        match (id as usize).checked_sub(words) {
            None => &self.word_classes[id as usize],
            Some(prefix) => &self.prefix_classes[prefix],
        }
    }

    /// What the main loop needs of a token `token` of (word, longest prefix). A token that
    /// ends with the contraction suffix is flagged a negator as a negator word is.
    #[inline]
    fn info(&self, token: &str, word: u32, prefix: u32) -> Info {
        let class = self.class_of(word, prefix);
        let mut flags = match word {
            NONE => 0,
            word => self.word_flags[word as usize],
        };
        if self.negation.has_suffix(token) {
            flags |= NEGATOR;
        }
        Info::new(
            self.class_id(word, prefix),
            &class.single,
            flags,
            class.longer,
        )
    }

    /// The choices of the entries of one token of a token.
    #[inline]
    fn singles_of(&self, info: &Info) -> &[Found] {
        let count = info.count();
        if count == Info::MANY {
            let range = &self.class(info.class).single;
            return &self.singles[range.start as usize..range.end as usize];
        }
        let start = info.single() as usize;
        &self.singles[start..start + count as usize]
    }
}

/// A document as the entry trie's walks read it: its text, its tokens, and each token's
/// [`Info`].
struct Doc<'t, 'a> {
    text: &'t str,
    tokens: &'t [Token<'a>],
    infos: &'t [Info],
}

/// What a token is to the entries, by its word (or its longest prefix when it is no word).
#[derive(Clone, Debug, Default)]
struct Class {
    /// The choices of its entries of one token, `Matcher::singles[single]`.
    single: Range<u32>,
    /// The entry trie's nodes after it as a first element, `Matcher::first_nodes[firsts]`.
    firsts: Range<u32>,
    /// Its element keys (its word's, then its prefixes', longest first),
    /// `Matcher::element_keys[keys]`.
    keys: Range<u32>,
    /// Whether an entry of more than one token starts with it.
    longer: bool,
}

/// What the main loop needs of a token, worked out once per distinct token from its (word,
/// longest prefix) by [`Matcher::info`] and kept with the token in the per-thread cache of
/// [`Words`]: a token of the cache is matched without reading its class. Eight bytes, so that
/// a cache line of the cache holds four tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Info {
    /// Its class ([`Matcher::class_id`]), or [`NONE`].
    class: u32,
    /// The rest, from the lowest bit: its flags ([`NEGATOR`]: a negator word or a token with
    /// the contraction suffix; [`BREAK_WORD`]; 2 bits); whether an entry of more than one
    /// token starts with it (1 bit); the number of the choices of its entries of one token (5
    /// bits) and where they start in `Matcher::singles` (24 bits). When the choices do not
    /// fit, the number is [`Info::MANY`] and the class tells them.
    packed: u32,
}

// A token's flags fit in their two bits.
const _: () = assert!(NEGATOR < 4 && BREAK_WORD < 4);

impl Info {
    /// A token that is no lexicon word and starts with no prefix.
    const NOTHING: Info = Info {
        class: NONE,
        packed: 0,
    };
    /// The number of choices that means "as the class says".
    const MANY: u32 = 31;

    /// The info of a token of class `class` whose entries of one token make the choices
    /// `Matcher::singles[single]`.
    fn new(class: u32, single: &Range<u32>, flags: u8, longer: bool) -> Info {
        let count = single.end - single.start;
        let (start, count) = if count < Info::MANY && single.start < 1 << 24 {
            (single.start, count)
        } else {
            (0, Info::MANY)
        };
        let packed = start << 8 | count << 3 | u32::from(longer) << 2 | u32::from(flags);
        Info { class, packed }
    }

    /// Its word's flags.
    #[inline]
    fn flags(self) -> u8 {
        (self.packed & 3) as u8
    }

    /// Whether an entry of more than one token starts with it.
    #[inline]
    fn longer(self) -> bool {
        self.packed & 4 != 0
    }

    /// Whether any entry starts with it (of one token or more).
    #[inline]
    fn starts_any(self) -> bool {
        self.packed & 0xFC != 0
    }

    /// The number of its choices (or [`Info::MANY`]).
    #[inline]
    fn count(self) -> u32 {
        self.packed >> 3 & 31
    }

    /// Where its choices start in `Matcher::singles` (unless [`Info::count`] is
    /// [`Info::MANY`]).
    #[inline]
    fn single(self) -> u32 {
        self.packed >> 8
    }
}

/// A target chosen at a position, matching `len` tokens (the target itself, not its index:
/// the hit is made from it without another look-up); it is taken unless the position lies
/// within an earlier match of its `block` (its theme, for per-theme matching, or its file, for
/// best-entry).
#[derive(Clone, Copy, Debug)]
struct Found {
    block: u32,
    len: u32,
    target: Target,
}

/// The buffers [`Matcher::find_sentence_hits`] works in, kept per thread: a document takes
/// them as the one before left them (emptied, the picker reset for its matcher), so that a
/// short document allocates none of them.
#[derive(Default)]
struct HitScratch {
    infos: Vec<Info>,
    picker: Picker,
    candidates: Vec<(u32, usize)>,
    stack: Vec<(u32, usize)>,
    found: Vec<Found>,
    kept: Vec<Found>,
    /// (hits, tokens) of the thread's last document.
    hit_rate: (usize, usize),
}

/// Room for the hits of a document of `tokens` tokens, at the rate of (hits, tokens) of the one
/// before (a little more, so that a document like it fills the buffer once), and at most one
/// hit a token (a short document before a long one does not make it reserve a lot).
fn scratch_hits_for((hits, of): (usize, usize), tokens: usize) -> usize {
    match of {
        0 => 0,
        of => {
            let like = (hits.saturating_mul(tokens) / of).saturating_add(16);
            like.saturating_add(like / 16).min(tokens)
        }
    }
}

thread_local! {
    static HIT_SCRATCH: std::cell::Cell<Option<HitScratch>> = const { std::cell::Cell::new(None) };
}

impl HitScratch {
    /// This thread's buffers (new ones the first time), empty, the picker set for `matcher`.
    fn take(matcher: &Matcher) -> HitScratch {
        let mut s = HIT_SCRATCH.take().unwrap_or_default();
        s.infos.clear();
        s.candidates.clear();
        s.stack.clear();
        s.found.clear();
        s.kept.clear();
        s.picker.reset(matcher);
        s
    }

    /// Gives the buffers back to this thread for the next document.
    fn put(self) {
        HIT_SCRATCH.set(Some(self));
    }
}

/// The rules, applied at one position at a time: the best entry per theme (per-theme files)
/// and per file (best-entry files) among those that match there, then what earlier matches
/// leave free.
#[derive(Default)]
struct Picker {
    /// The token after the last match, per theme, then per file.
    free: Vec<usize>,
    /// The best (rank, pattern id, slot, target) at the current position, per theme, and
    /// (rank, pattern id, slot) per file.
    theme_best: Vec<Option<(Rank, u32, u32, u32)>>,
    source_best: Vec<Option<(Rank, u32, u32)>>,
    touched_themes: Vec<usize>,
    touched_sources: Vec<usize>,
}

impl Picker {
    /// Sets the picker for a new document of `matcher` (as new, in the buffers it has).
    fn reset(&mut self, matcher: &Matcher) {
        self.free.clear();
        self.free.resize(matcher.themes + matcher.sources, 0);
        self.theme_best.clear();
        self.theme_best.resize(matcher.themes, None);
        self.source_best.clear();
        self.source_best.resize(matcher.sources, None);
        self.touched_themes.clear();
        self.touched_sources.clear();
    }

    /// Appends to `found` the best of `candidates` (slot, tokens matched) per theme and per
    /// file, ordered by theme (each theme comes at most once).
    fn choose(&mut self, matcher: &Matcher, candidates: &[(u32, usize)], found: &mut Vec<Found>) {
        let better = |rank: Rank, pid: u32, other: Rank, other_pid: u32| {
            rank > other || (rank == other && pid < other_pid)
        };
        for &(slot_id, _) in candidates {
            let pattern = &matcher.slots[slot_id as usize];
            let pid = pattern.pid;
            if pattern.best_entry {
                let slot = &mut self.source_best[pattern.source];
                match slot {
                    Some((rank, other, _)) if !better(pattern.rank, pid, *rank, *other) => {}
                    _ => {
                        if slot.is_none() {
                            self.touched_sources.push(pattern.source);
                        }
                        *slot = Some((pattern.rank, pid, slot_id));
                    }
                }
                continue;
            }
            for ti in pattern.targets.clone() {
                let theme = matcher.targets[ti as usize].theme;
                let slot = &mut self.theme_best[theme];
                match slot {
                    Some((rank, other, _, _)) if !better(pattern.rank, pid, *rank, *other) => {}
                    _ => {
                        if slot.is_none() {
                            self.touched_themes.push(theme);
                        }
                        *slot = Some((pattern.rank, pid, slot_id, ti));
                    }
                }
            }
        }
        let start = found.len();
        for theme in self.touched_themes.drain(..) {
            if let Some((_, _, slot_id, ti)) = self.theme_best[theme].take() {
                found.push(Found {
                    block: theme as u32,
                    target: matcher.targets[ti as usize],
                    len: matcher.slots[slot_id as usize].len as u32,
                });
            }
        }
        for source in self.touched_sources.drain(..) {
            if let Some((_, _, slot_id)) = self.source_best[source].take() {
                let pattern = &matcher.slots[slot_id as usize];
                found.extend(pattern.targets.clone().map(|ti| Found {
                    block: (matcher.themes + source) as u32,
                    target: matcher.targets[ti as usize],
                    len: pattern.len as u32,
                }));
            }
        }
        found[start..].sort_unstable_by_key(|f| f.target.theme);
    }

    /// Puts into `kept` what of `chosen` earlier matches leave free at position `i`, and marks
    /// the tokens it covers as taken for its theme or file.
    fn claim(&mut self, i: usize, chosen: &[Found], kept: &mut Vec<Found>) {
        kept.clear();
        // One by one: most positions choose one or two targets, too few for a call to copy.
        for f in chosen {
            if i >= self.free[f.block as usize] {
                kept.push(*f);
            }
        }
        for f in kept.iter() {
            self.free[f.block as usize] = i + f.len as usize;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::parse_toml;
    use crate::segment::segment;
    use crate::tokenize::tokenize;

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

    /// The lexicon of `themes`, each (file index, entries); file k matches by `best_entry[k]`.
    /// Negation takes a window of `window` tokens and, unless `breaks`, no clause breaks (so
    /// that only sentence ends stop it).
    fn random_lexicon(
        best_entry: &[bool],
        themes: &[(usize, Vec<String>)],
        window: usize,
        breaks: bool,
    ) -> Lexicon {
        use crate::lexicon::{Format, Negation, Source, Term, Theme};
        let mut negation = Negation {
            window,
            ..Negation::default()
        };
        if !breaks {
            negation.breaks.clear();
            negation.break_words.clear();
        }
        Lexicon {
            name: "random".into(),
            sources: best_entry
                .iter()
                .enumerate()
                .map(|(k, &best)| Source {
                    path: format!("{k}.toml"),
                    format: Format::Toml,
                    sha256: String::new(),
                    matching: if best {
                        MatchMode::BestEntry
                    } else {
                        MatchMode::PerTheme
                    },
                })
                .collect(),
            themes: themes
                .iter()
                .enumerate()
                .map(|(t, (source, terms))| Theme {
                    source: source % best_entry.len(),
                    id: format!("t{t}"),
                    label: format!("t{t}"),
                    description: String::new(),
                    terms: terms
                        .iter()
                        .enumerate()
                        .map(|(k, text)| Term {
                            text: text.clone(),
                            weight: Weight(k as u64 + 1),
                            line: None,
                        })
                        .collect(),
                })
                .collect(),
            contrasts: Vec::new(),
            hyphens_setting: None,
            negation,
            warnings: Vec::new(),
        }
    }

    /// Words over a small alphabet, so that entries share prefixes and first words.
    const WORD: &str = "(a|b|ab|ba|aa|abc|abd|bab|not|é|aé|Ab)";

    /// An entry: one to four words, each maybe a wildcard, joined by space, hyphen or others.
    fn entry() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        (
            proptest::collection::vec((WORD, any::<bool>()), 1..5),
            proptest::collection::vec(
                prop_oneof![
                    4 => Just(" "),
                    1 => Just("-"),
                    1 => Just("'"),
                    1 => Just(" / "),
                    1 => Just("’"),
                    1 => Just("  "),
                ],
                4,
            ),
        )
            .prop_map(|(words, joins)| {
                let mut s = String::new();
                for (k, (w, wild)) in words.iter().enumerate() {
                    if k > 0 {
                        s.push_str(joins[k - 1]);
                    }
                    s.push_str(w);
                    if *wild {
                        s.push('*');
                    }
                }
                s
            })
    }

    /// A text of the lexicon's words, longer words that its wildcards catch, negators, breaks
    /// and noise, joined by every kind of gap.
    fn text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        proptest::collection::vec(
            (
                prop_oneof![
                    6 => WORD.prop_map(String::from),
                    3 => (WORD, "[abcé]{1,3}").prop_map(|(w, tail)| format!("{w}{tail}")),
                    1 => "(but|no|never|don't|not only|zz|q)".prop_map(String::from),
                ],
                prop_oneof![
                    8 => Just(" "),
                    2 => Just("-"),
                    1 => Just("‐"),
                    1 => Just("'"),
                    1 => Just("’"),
                    1 => Just(" / "),
                    1 => Just("\n"),
                    1 => Just("\n\n"),
                    1 => Just(", "),
                    1 => Just(". "),
                    1 => Just("  "),
                    1 => Just(" -- "),
                    1 => Just(".\n\n"),
                    1 => Just("! "),
                ],
            ),
            0..60,
        )
        .prop_map(|parts| parts.into_iter().map(|(w, gap)| w + gap).collect())
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(400))]

        /// The tries find exactly what the reference matcher (every entry tried at every
        /// token) finds: words, wildcards of every length, shared prefixes and first words,
        /// overlapping phrases, both rules, one file or two.
        #[test]
        fn the_tries_find_what_trying_every_entry_finds(
            best_entry in proptest::collection::vec(proptest::arbitrary::any::<bool>(), 1..3),
            themes in proptest::collection::vec(
                (0usize..2, proptest::collection::vec(entry(), 1..12)),
                1..5,
            ),
            texts in proptest::collection::vec(text(), 1..4),
            window in 1usize..6,
            breaks in proptest::arbitrary::any::<bool>(),
        ) {
            let lex = random_lexicon(&best_entry, &themes, window, breaks);
            let new = Matcher::new(&lex);
            let old = reference::Reference::new(&lex);
            for text in &texts {
                let tokens = tokenize(text);
                let structure = segment(text, &tokens);
                proptest::prop_assert_eq!(
                    new.find_hits(text, &tokens, &structure),
                    old.find_hits(text, &tokens, &structure),
                    "text {:?}", text
                );
            }
        }
    }

    #[test]
    fn the_tries_find_what_trying_every_entry_finds_on_the_kjv_and_the_builtin_lexicon() {
        let book = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kjv/08_ruth.txt"),
        )
        .unwrap();
        let essay = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("input/hamhung.txt"),
        )
        .unwrap();
        let lex = Lexicon::builtin().unwrap();
        let (new, old) = (Matcher::new(&lex), reference::Reference::new(&lex));
        for text in [book.as_str(), essay.as_str()] {
            let tokens = tokenize(text);
            let structure = segment(text, &tokens);
            let hits = new.find_hits(text, &tokens, &structure);
            assert!(hits.len() > 20, "{}", hits.len());
            assert_eq!(hits, old.find_hits(text, &tokens, &structure));
        }
    }

    /// 200 phrases of 300 words that share their first 299: the reference tries all 200 at
    /// every token of the text (each up to 300 tokens), the trie walks the shared words once.
    /// On a text of the shared words over and over, a walk starts at every token.
    #[test]
    fn phrases_sharing_a_long_prefix_are_walked_once() {
        let shared: Vec<String> = (0..299).map(|k| format!("w{}", k % 7)).collect();
        let shared = shared.join(" ");
        let terms: Vec<String> = (0..200).map(|k| format!("\"{shared} end{k}\"")).collect();
        let lex = lexicon(&format!(
            "[[themes]]\nid = \"long\"\nterms = [{}]\n",
            terms.join(", ")
        ));
        // The shared words 40 times, each time followed by another phrase's last word.
        let text: String = (0..40).map(|k| format!("{shared} end{} ", k * 5)).collect();
        let found = hits(&lex, &text);
        assert_eq!(found.len(), 40);
        for (k, (theme, term, matched, negator)) in found.iter().enumerate() {
            assert_eq!(theme, "long");
            assert_eq!(*term, format!("{shared} end{}", k * 5));
            assert_eq!(*matched, format!("{shared} end{}", k * 5));
            assert_eq!(*negator, None);
        }
    }

    /// What a token's info packs comes back out; choices that do not fit are left to the class.
    #[test]
    fn an_info_packs_what_fits() {
        let info = Info::new(7, &(5..9), NEGATOR | BREAK_WORD, true);
        let out = (
            info.class,
            info.single(),
            info.count(),
            info.flags(),
            info.longer(),
        );
        assert_eq!(out, (7, 5, 4, NEGATOR | BREAK_WORD, true));
        assert!(info.starts_any());
        let last = (1 << 24) - 1;
        let info = Info::new(NONE, &(last..last + 30), 0, false);
        assert_eq!((info.single(), info.count()), (last, 30));
        assert_eq!(Info::new(1, &(0..31), 0, false).count(), Info::MANY);
        assert_eq!(
            Info::new(1, &(1 << 24..1 << 24), 0, false).count(),
            Info::MANY
        );
        let none = Info::new(NONE, &(3..3), BREAK_WORD, false);
        assert!(!none.starts_any() && none.flags() == BREAK_WORD && !none.longer());
        assert_eq!(Info::new(NONE, &(0..0), 0, false), Info::NOTHING);
    }

    /// A word that 40 themes list has more choices than a token's info holds: they are read
    /// from its class, and the hits are the reference matcher's.
    #[test]
    fn a_word_of_many_themes_counts_for_each() {
        let themes: Vec<(usize, Vec<String>)> = (0..40)
            .map(|k| {
                (
                    0,
                    vec!["not".to_string(), format!("ab{k}*"), "ab".to_string()],
                )
            })
            .collect();
        let lex = random_lexicon(&[false], &themes, 3, true);
        let (new, old) = (Matcher::new(&lex), reference::Reference::new(&lex));
        let text = "ab, not ab abc ab1 ab ab39x. Ab";
        let tokens = tokenize(text);
        let structure = segment(text, &tokens);
        let hits = new.find_hits(text, &tokens, &structure);
        assert!(hits.len() > 160, "{}", hits.len());
        assert_eq!(hits, old.find_hits(text, &tokens, &structure));
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

    /// The contraction suffix is a token's flag, told once per distinct token: suffixes of
    /// one byte and more, and an empty one (a library caller's: every word ends with it), are
    /// still the reference matcher's.
    #[test]
    fn contraction_suffixes_of_any_length() {
        let text = "It wasn't a hardship; so proud, ist proud. I xn proud";
        let negators = |suffix: Option<&str>| {
            let mut lex = lexicon(TWO);
            lex.negation.contraction_suffix = suffix.map(String::from);
            let tokens = tokenize(text);
            let structure = segment(text, &tokens);
            let new = Matcher::new(&lex).find_hits(text, &tokens, &structure);
            let old = reference::Reference::new(&lex).find_hits(text, &tokens, &structure);
            assert_eq!(new, old, "suffix {suffix:?}");
            let word = |j: usize| tokens[j].text.to_string();
            new.iter().map(|h| h.negator.map(word)).collect::<Vec<_>>()
        };
        let some = |w: &str| Some(w.to_string());
        assert_eq!(negators(Some("n't")), [some("wasn't"), None, None, None]);
        assert_eq!(negators(None), [None, None, None, None]);
        assert_eq!(
            negators(Some("t")),
            [some("wasn't"), None, some("ist"), None]
        );
        assert_eq!(negators(Some("xn")), [None, None, None, None]);
        assert_eq!(
            negators(Some("")),
            [some("a"), some("so"), some("ist"), some("xn")]
        );
    }
}
