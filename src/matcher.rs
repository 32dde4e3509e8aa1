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
//! of a text before the walk). The entries form a trie of steps
//! (joiner, element) (`EntryTrie`), so every entry that matches from a token is found in one
//! walk down it, however many entries share their first words ("not …"); a walk goes on only
//! while the text still follows some entry. The rules above then pick among the entries found,
//! as the reference matcher (`matcher/reference.rs`, built only for the tests, which compare
//! the two on random lexicons and texts) does by trying every entry.

use std::collections::HashMap;

// Steps of the entry trie (a key of three integers) and negators are looked up for many tokens:
// FxHash is several times faster than SipHash, and the maps hold only lexicon entries and
// settings, so hash flooding is no concern.
use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;

use crate::lexicon::{Lexicon, MatchMode, Weight};
use crate::segment::Structure;
use crate::tokenize::{is_one_hyphen, tokenize_with, Hyphens, Token};

#[cfg(test)]
mod reference;

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

/// Negation settings, compiled: negators and break words are words of the [`WordTrie`],
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

/// Flags of a word id: a negator, a break word, the first word of an entry.
const NEGATOR: u8 = 1;
const BREAK_WORD: u8 = 2;
const STARTS: u8 = 4;

/// "No such thing" in the tables below (no word, no prefix, no node).
const NONE: u32 = u32::MAX;

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

/// The lexicon's words and wildcard prefixes as a byte trie: one walk over a token's bytes gives
/// the token's exact word and the longest prefix it starts with; every shorter prefix it starts
/// with is reached from there through [`WordTrie::shorter`].
///
/// Laid out for the walk: a node is a run of `u32`s in `data` — its word, its longest prefix,
/// its number of edges, then for up to [`WordTrie::NARROW`] edges their bytes packed in one
/// `u32`, for more a bitmap of them with the number of members below each quarter (the rank of
/// a byte without a search or a branch the processor cannot predict), then the children's
/// offsets in byte order. A step reads one node, mostly one cache line.
#[derive(Debug)]
struct WordTrie {
    /// The offset of the node after each first byte.
    root: Vec<u32>,
    data: Vec<u32>,
    /// For each prefix, the longest shorter prefix that it starts with.
    shorter: Vec<u32>,
}

impl WordTrie {
    /// Nodes with up to this many edges list their bytes; wider ones (near the root) hold a
    /// bitmap.
    const NARROW: usize = 4;
    /// A node's header: word, prefix, number of edges.
    const HEADER: usize = 3;
    /// A wide node's bitmap: eight words of bits, one of members below each quarter.
    const BITMAP: usize = 9;

    /// A trie of `words` and `prefixes` (each a list of distinct strings, indexed by id).
    fn new(words: &[String], prefixes: &[String]) -> WordTrie {
        // Built as a tree of sorted child lists, then laid out flat; node 0 is the root.
        let mut children: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let insert = |s: &str, children: &mut Vec<Vec<(u8, u32)>>| -> usize {
            let mut node = 0usize;
            for &b in s.as_bytes() {
                node = match children[node].binary_search_by_key(&b, |&(c, _)| c) {
                    Ok(k) => children[node][k].1 as usize,
                    Err(k) => {
                        let next = children.len();
                        children[node].insert(k, (b, next as u32));
                        children.push(Vec::new());
                        next
                    }
                };
            }
            node
        };
        let word_nodes: Vec<usize> = words.iter().map(|w| insert(w, &mut children)).collect();
        let prefix_nodes: Vec<usize> = prefixes.iter().map(|p| insert(p, &mut children)).collect();
        let mut word = vec![NONE; children.len()];
        for (id, &node) in word_nodes.iter().enumerate() {
            word[node] = id as u32;
        }
        let mut own = vec![NONE; children.len()];
        for (id, &node) in prefix_nodes.iter().enumerate() {
            own[node] = id as u32;
        }
        // The longest prefix on the path to each node, itself included, and before it (nodes
        // are created after their parents, so one pass in order sees every parent first).
        let mut longest = vec![NONE; children.len()];
        let mut before = vec![NONE; children.len()];
        for node in 0..children.len() {
            if own[node] != NONE {
                longest[node] = own[node];
            }
            for &(_, child) in &children[node] {
                before[child as usize] = longest[node];
                longest[child as usize] = longest[node];
            }
        }
        let shorter = prefix_nodes.iter().map(|&node| before[node]).collect();
        // Offsets: a node's size is known from its number of edges.
        let size =
            |len: usize| Self::HEADER + if len <= Self::NARROW { 1 } else { Self::BITMAP } + len;
        // Laid out breadth first: the nodes near the root, which most tokens pass, lie together.
        let mut order = Vec::with_capacity(children.len());
        order.push(0usize);
        let mut next = 0;
        while next < order.len() {
            order.extend(children[order[next]].iter().map(|&(_, c)| c as usize));
            next += 1;
        }
        let mut offset = vec![0u32; children.len()];
        let mut total = 0usize;
        for &node in &order {
            offset[node] = total as u32;
            total += size(children[node].len());
        }
        let mut data = Vec::with_capacity(total);
        for &node in &order {
            let list = &children[node];
            data.extend([word[node], longest[node], list.len() as u32]);
            if list.len() <= Self::NARROW {
                let packed = list
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (k, &(b, _))| acc | u32::from(b) << (8 * k));
                data.push(packed);
            } else {
                let mut bits = [0u64; 4];
                for &(b, _) in list {
                    bits[usize::from(b >> 6)] |= 1 << (b & 63);
                }
                let mut below = 0u32;
                let mut counts = 0u32;
                for (q, quarter) in bits.iter().enumerate() {
                    counts |= below << (8 * q);
                    below += quarter.count_ones();
                }
                for quarter in bits {
                    data.extend([quarter as u32, (quarter >> 32) as u32]);
                }
                data.push(counts);
            }
            data.extend(list.iter().map(|&(_, child)| offset[child as usize]));
        }
        let mut root = vec![NONE; 256];
        for &(b, child) in &children[0] {
            root[usize::from(b)] = offset[child as usize];
        }
        WordTrie {
            root,
            data,
            shorter,
        }
    }

    /// The offset of the child of the node at `node` through byte `b`, if there is one.
    #[inline]
    fn child(&self, node: usize, b: u8) -> Option<u32> {
        let d = &self.data;
        let len = d[node + 2] as usize;
        let edges = node + Self::HEADER;
        let k = if len <= Self::NARROW {
            // The index of the first byte of `packed` equal to `b`, among the first `len`.
            let packed = d[edges];
            (0..len).find(|&k| (packed >> (8 * k)) as u8 == b)?
        } else {
            let (quarter, bit) = (usize::from(b >> 6), b & 63);
            let bits =
                u64::from(d[edges + 2 * quarter]) | u64::from(d[edges + 2 * quarter + 1]) << 32;
            if bits >> bit & 1 == 0 {
                return None;
            }
            let below = (d[edges + 8] >> (8 * quarter)) & 0xFF;
            below as usize + (bits & ((1u64 << bit) - 1)).count_ones() as usize
        };
        let first_child = edges + if len <= Self::NARROW { 1 } else { Self::BITMAP };
        Some(d[first_child + k])
    }

    /// The exact word of `token` and the longest prefix it starts with ([`NONE`] for none).
    #[inline]
    fn lookup(&self, token: &[u8]) -> (u32, u32) {
        let Some((&first, rest)) = token.split_first() else {
            return (NONE, NONE);
        };
        let mut node = self.root[usize::from(first)];
        if node == NONE {
            return (NONE, NONE);
        }
        for &b in rest {
            match self.child(node as usize, b) {
                Some(next) => node = next,
                None => return (NONE, self.data[node as usize + 1]),
            }
        }
        (self.data[node as usize], self.data[node as usize + 1])
    }

    /// Prefix `longest` and the shorter prefixes it starts with, longest first.
    fn chain(&self, longest: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors((longest != NONE).then_some(longest), |&p| {
            let s = self.shorter[p as usize];
            (s != NONE).then_some(s)
        })
    }
}

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
        let mut trie = EntryTrie {
            nodes: Vec::with_capacity(nodes.len()),
            pids: Vec::new(),
            first_word,
            first_prefix,
            next: FxHashMap::default(),
            exact_joiners,
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
        let gap = between_words(gap);
        if gap == " " {
            return JOIN_SPACE;
        }
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
    words: WordTrie,
    /// Rule out most tokens of a text before the trie is walked: those that are no lexicon
    /// word (nor negator, nor break word) and start with no lexicon prefix.
    word_filter: WordFilter,
    prefix_filter: StartFilter,
    entries: EntryTrie,
    /// Flags by word id: [`STARTS`] (an entry starts with the word), [`NEGATOR`],
    /// [`BREAK_WORD`].
    word_flags: Vec<u8>,
    /// Whether an entry starts with the prefix, or with a shorter one that it starts with.
    prefix_starts: Vec<bool>,
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

    /// Whether the text between two tokens holds a clause break.
    fn breaks_in(&self, gap: &str) -> bool {
        if gap.is_ascii() {
            gap.bytes().any(|b| self.ascii_breaks >> b & 1 == 1)
        } else {
            gap.contains(self.breaks.as_slice())
        }
    }
}

/// The ids of distinct strings, in order of first appearance.
#[derive(Default)]
struct Ids {
    ids: FxHashMap<String, u32>,
    list: Vec<String>,
}

impl Ids {
    fn id(&mut self, s: String) -> u32 {
        if let Some(&id) = self.ids.get(&s) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(s.clone());
        self.ids.insert(s, id);
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
        // Each pattern's targets, laid out flat once every entry is read.
        let mut pattern_targets: Vec<Vec<Target>> = Vec::new();
        let mut steps: Vec<(Vec<Element>, Vec<Joiner>)> = Vec::new();
        let mut terms: Vec<TermRef> = Vec::new();
        let mut theme_terms = Vec::with_capacity(lexicon.themes.len());
        // Patterns are shared by the themes of one file that list the same entry; files stay
        // apart, since each may match by its own rule.
        let mut pattern_ids: HashMap<(usize, Vec<Element>, Vec<Joiner>), u32> = HashMap::new();
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
                let elements: Vec<Element> = parts
                    .into_iter()
                    .map(|(word, wild)| {
                        if wild {
                            Element::Prefix(prefixes.id(word))
                        } else {
                            Element::Word(words.id(word))
                        }
                    })
                    .collect();
                let target = Target {
                    theme: theme_index,
                    term: id,
                    weight: term.weight,
                };
                let key = (theme.source, elements, joiners);
                if let Some(&pid) = pattern_ids.get(&key) {
                    // The first entry of a theme that matches these tokens is the one counted.
                    let targets = &mut pattern_targets[pid as usize];
                    if !targets.iter().any(|t| t.theme == theme_index) {
                        targets.push(target);
                    }
                    continue;
                }
                let pid = patterns.len() as u32;
                pattern_targets.push(vec![target]);
                patterns.push(Pattern {
                    pid,
                    len: key.1.len(),
                    rank: (key.1.len(), exact, literal),
                    targets: 0..0,
                    source: theme.source,
                    best_entry: lexicon.sources[theme.source].matching == MatchMode::BestEntry,
                });
                steps.push((key.1.clone(), key.2.clone()));
                pattern_ids.insert(key, pid);
            }
            theme_terms.push(first_term..terms.len() as u32);
        }
        // Negators and break words are words too: a token's lookup tells what it is.
        let negation = &lexicon.negation;
        let negators: Vec<u32> = negation
            .negators
            .iter()
            .map(|w| words.id(w.clone()))
            .collect();
        let break_words: Vec<u32> = (negation.break_words.iter())
            .map(|w| words.id(w.clone()))
            .collect();
        let word_trie = WordTrie::new(&words.list, &prefixes.list);
        let entries = EntryTrie::new(&steps, words.list.len(), prefixes.list.len());
        // The patterns, and their targets, in the order the trie's nodes list them: what a
        // walk finds lies together, and a node leads straight to its patterns.
        let mut targets = Vec::new();
        let slots: Vec<Pattern> = (entries.pids.iter())
            .map(|&pid| {
                let mut pattern = patterns[pid as usize].clone();
                let start = targets.len() as u32;
                targets.extend_from_slice(&pattern_targets[pid as usize]);
                pattern.targets = start..targets.len() as u32;
                pattern
            })
            .collect();
        let mut word_flags: Vec<u8> = (entries.first_word.iter())
            .map(|&n| if n != NONE { STARTS } else { 0 })
            .collect();
        for w in negators {
            word_flags[w as usize] |= NEGATOR;
        }
        for w in break_words {
            word_flags[w as usize] |= BREAK_WORD;
        }
        let mut prefix_starts: Vec<bool> =
            entries.first_prefix.iter().map(|&n| n != NONE).collect();
        for (p, starts) in prefix_starts.iter_mut().enumerate() {
            *starts = word_trie
                .chain(p as u32)
                .any(|q| entries.first_prefix[q as usize] != NONE);
        }
        Matcher {
            word_filter: WordFilter::new(words.list.iter().map(String::as_str)),
            prefix_filter: StartFilter::new(prefixes.list.iter().map(String::as_str)),
            words: word_trie,
            entries,
            word_flags,
            prefix_starts,
            slots,
            targets,
            terms,
            theme_terms,
            themes: lexicon.themes.len(),
            sources: lexicon.sources.len(),
            hyphens: lexicon.hyphens(),
            negation: NegationRules::new(lexicon),
        }
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

    /// Every pattern that matches the tokens from `start`, as (pattern, tokens matched), into
    /// `out`: one walk down the entry trie. `looked_up` holds each token's (word, longest
    /// prefix); `stack` is scratch space.
    fn matches_at(
        &self,
        start: usize,
        text: &str,
        tokens: &[Token<'_>],
        looked_up: &[(u32, u32)],
        stack: &mut Vec<(u32, usize)>,
        out: &mut Vec<(u32, usize)>,
    ) {
        let trie = &self.entries;
        out.clear();
        stack.clear();
        let (word, prefix) = looked_up[start];
        if word != NONE && trie.first_word[word as usize] != NONE {
            stack.push((trie.first_word[word as usize], start + 1));
        }
        for p in self.words.chain(prefix) {
            if trie.first_prefix[p as usize] != NONE {
                stack.push((trie.first_prefix[p as usize], start + 1));
            }
        }
        while let Some((node, end)) = stack.pop() {
            let n = &trie.nodes[node as usize];
            for slot in n.pids.clone() {
                out.push((slot, end - start));
            }
            if matches!(n.next, Next::None) || end >= tokens.len() {
                continue;
            }
            let joiner = trie.joiner_of(&text[tokens[end - 1].span.end..tokens[end].span.start]);
            if joiner == NONE {
                continue;
            }
            let (word, prefix) = looked_up[end];
            if word != NONE {
                let to = trie.step(node, joiner, Element::Word(word).key());
                if to != NONE {
                    stack.push((to, end + 1));
                }
            }
            for p in self.words.chain(prefix) {
                let to = trie.step(node, joiner, Element::Prefix(p).key());
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
        looked_up: &[(u32, u32)],
    ) -> Option<usize> {
        let rules = &self.negation;
        if !rules.enabled {
            return None;
        }
        let flags = |j: usize| match looked_up[j].0 {
            NONE => 0,
            w => self.word_flags[w as usize],
        };
        for j in (i.saturating_sub(rules.window)..i).rev() {
            if rules.breaks_in(&text[tokens[j].span.end..tokens[j + 1].span.start]) {
                return None;
            }
            if j + 1 < i && flags(j + 1) & BREAK_WORD != 0 {
                return None;
            }
            if j < first {
                return None;
            }
            let word = tokens[j].text.as_ref();
            let negator = flags(j) & NEGATOR != 0
                || (rules.suffix.as_deref())
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

    /// Finds the hits in a document: its `text`, `tokens` and `structure` (for negation).
    pub fn find_hits(&self, text: &str, tokens: &[Token<'_>], structure: &Structure) -> Vec<Hit> {
        // Each token's lexicon word and longest prefix, and the tokens where an entry may start.
        let mut looked_up: Vec<(u32, u32)> = Vec::with_capacity(tokens.len());
        let mut starts: Vec<usize> = Vec::new();
        for (i, t) in tokens.iter().enumerate() {
            let text = t.text.as_ref();
            let (word, prefix) =
                if self.word_filter.may_be(text) || self.prefix_filter.may_start(text) {
                    self.words.lookup(text.as_bytes())
                } else {
                    (NONE, NONE)
                };
            looked_up.push((word, prefix));
            if (word != NONE && self.word_flags[word as usize] & STARTS != 0)
                || (prefix != NONE && self.prefix_starts[prefix as usize])
            {
                starts.push(i);
            }
        }
        let mut hits = Vec::new();
        let mut candidates = Vec::new();
        let mut stack = Vec::new();
        // The token after the last match, per theme (per-theme) and per file (best-entry).
        let mut theme_free = vec![0usize; self.themes];
        let mut source_free = vec![0usize; self.sources];
        // The best (rank, pattern id, slot, target) at the current position, per theme, and
        // (rank, pattern id, slot) per file.
        let mut theme_best: Vec<Option<(Rank, u32, u32, u32)>> = vec![None; self.themes];
        let mut source_best: Vec<Option<(Rank, u32, u32)>> = vec![None; self.sources];
        let mut touched_themes: Vec<usize> = Vec::new();
        let mut touched_sources: Vec<usize> = Vec::new();
        let mut found: Vec<(usize, &Target, usize)> = Vec::new();
        // The sentence of the current position: sentences before it end at or before it.
        let mut sentence = 0;
        let better = |rank: Rank, pid: u32, other: Rank, other_pid: u32| {
            rank > other || (rank == other && pid < other_pid)
        };
        for i in starts {
            self.matches_at(i, text, tokens, &looked_up, &mut stack, &mut candidates);
            for &(slot_id, _) in &candidates {
                let pattern = &self.slots[slot_id as usize];
                let pid = pattern.pid;
                if pattern.best_entry {
                    if i < source_free[pattern.source] {
                        continue;
                    }
                    let slot = &mut source_best[pattern.source];
                    match slot {
                        Some((rank, other, _)) if !better(pattern.rank, pid, *rank, *other) => {}
                        _ => {
                            if slot.is_none() {
                                touched_sources.push(pattern.source);
                            }
                            *slot = Some((pattern.rank, pid, slot_id));
                        }
                    }
                    continue;
                }
                for ti in pattern.targets.clone() {
                    let target = &self.targets[ti as usize];
                    let slot = &mut theme_best[target.theme];
                    match slot {
                        Some((rank, other, _, _)) if !better(pattern.rank, pid, *rank, *other) => {}
                        _ => {
                            if slot.is_none() {
                                touched_themes.push(target.theme);
                            }
                            *slot = Some((pattern.rank, pid, slot_id, ti));
                        }
                    }
                }
            }
            for theme in touched_themes.drain(..) {
                if let Some((_, _, slot_id, ti)) = theme_best[theme].take() {
                    if i >= theme_free[theme] {
                        let pattern = &self.slots[slot_id as usize];
                        theme_free[theme] = i + pattern.len;
                        found.push((theme, &self.targets[ti as usize], pattern.len));
                    }
                }
            }
            for source in touched_sources.drain(..) {
                if let Some((_, _, slot_id)) = source_best[source].take() {
                    let pattern = &self.slots[slot_id as usize];
                    source_free[source] = i + pattern.len;
                    for target in
                        &self.targets[pattern.targets.start as usize..pattern.targets.end as usize]
                    {
                        found.push((target.theme, target, pattern.len));
                    }
                }
            }
            if found.is_empty() {
                continue;
            }
            found.sort_by_key(|(theme, _, _)| *theme);
            let sentences = &structure.sentences;
            while sentence < sentences.len() && sentences[sentence].tokens.end <= i {
                sentence += 1;
            }
            // Tokens before `first` lie in an earlier sentence than token i (the sentence of a
            // token past the last sentence is the last one).
            let first = match sentence
                .min(sentences.len().saturating_sub(1))
                .checked_sub(1)
            {
                Some(before) => sentences[before].tokens.end,
                None => 0,
            };
            let negator = self.negator_before(i, first, text, tokens, &looked_up);
            for (_, target, len) in found.drain(..) {
                hits.push(Hit {
                    theme: target.theme,
                    term: target.term,
                    negator,
                    tokens: i..i + len,
                    weight: target.weight,
                });
            }
        }
        hits
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
