//! The lexicon's words and wildcard prefixes, for the matcher: a token in, its exact word and
//! the longest prefix it starts with out (ids, or [`NONE`]).
//!
//! Two bitmaps rule out most tokens before the trie is walked (checked only while they do: with
//! a large lexicon they pass nearly every token); a cache per thread remembers the answer for
//! the short tokens seen last, so the common words of a text are looked up once.
//! Guarantee: [`WordTrie::lookup`] and [`Words::lookup`] answer alike for every token (property
//! tests in the parent module).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Info, NONE};

/// A quick test run before a hash lookup: whether any of a set of strings starts with the first
/// bytes of a token. A bitmap over (a hash of) the first `k` bytes: no false negatives, so a
/// token it rules out cannot be in the set (nor start with one of a set of prefixes); most
/// tokens of a text are ruled out without hashing them.
#[derive(Debug)]
pub(super) struct StartFilter {
    /// Bytes looked at: 3, or the length of the set's shortest string if less.
    k: usize,
    bits: Vec<u64>,
}

impl StartFilter {
    const BITS: usize = 1 << 16;

    pub(super) fn new<'s>(set: impl Iterator<Item = &'s str> + Clone) -> Self {
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
    pub(super) fn may_start(&self, s: &str) -> bool {
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
pub(super) struct WordFilter {
    bits: Vec<u64>,
}

impl WordFilter {
    const BITS: usize = 1 << 16;

    pub(super) fn new<'s>(set: impl Iterator<Item = &'s str>) -> Self {
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
    pub(super) fn may_be(&self, s: &str) -> bool {
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

/// The lexicon's words and prefixes as the matcher looks tokens up in them: the bitmaps (where
/// they rule out enough tokens), the trie, and a per-thread cache of recent short tokens.
#[derive(Debug)]
pub(super) struct Words {
    trie: WordTrie,
    word_filter: WordFilter,
    prefix_filter: StartFilter,
    /// Tells this set's answers apart from another's in a thread's cache.
    id: u64,
}

/// Ids of [`Words`] sets, for the caches (0: none).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A cache of lookups: a token and what the matcher makes of its answer (its [`Info`], so that
/// the matcher need not look up the token's class either). Natural text repeats a few thousand
/// short words; each is then looked up with one load and a few comparisons instead of a walk
/// through a trie that does not fit the core's nearest caches. Tokens of up to seven bytes (93 %
/// of the KJV's) sit four to a cache line, in 16-byte slots (the token's bytes and length in one
/// `u64`, its info in eight bytes): 4,096 lines, 256 KiB, and four ways, so that the few words of
/// a line take turns without a walk of the trie (with two ways to a line, as all tokens had
/// before, rare words pushed common ones out: 0.8 % of the KJV's tokens went to the trie, a third
/// of the matcher's time with a large lexicon). A slot that is hit moves one place up the line,
/// and a new token takes the last place, so a word seen once does not push out one seen often.
/// Tokens of 8 to 16 bytes sit two to a line, in 32-byte slots, the one used last first (4,096
/// lines, 256 KiB, touched far less often); longer ones go to the trie.
struct Cache {
    owner: u64,
    short: Vec<Line>,
    long: Vec<Set>,
    gate: Gate,
}

/// Four slots of tokens of up to seven bytes, in one cache line.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Line([Short; 4]);

#[derive(Clone, Copy)]
struct Short {
    /// The token ([`Cache::short_key`]; 0: an empty slot, since tokens are never empty).
    key: u64,
    info: Info,
}

// Four slots fill one cache line.
const _: () = assert!(std::mem::size_of::<Line>() == 64);

/// Two slots of tokens of 8 to 16 bytes, the one used last first, in one cache line.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Set([Slot; 2]);

#[derive(Clone, Copy)]
struct Slot {
    /// The token's length (0: an empty slot, since tokens are never empty).
    len: u32,
    key: u128,
    info: Info,
}

// A slot stays within one cache line.
const _: () = assert!(std::mem::size_of::<Slot>() == 32);

impl Cache {
    /// log2 of the number of lines of short tokens and of sets of long ones.
    const SHORT_BITS: u32 = 12;
    const LONG_BITS: u32 = 12;
    const EMPTY_SHORT: Short = Short {
        key: 0,
        info: Info::NOTHING,
    };
    const EMPTY: Slot = Slot {
        len: 0,
        key: 0,
        info: Info::NOTHING,
    };

    /// Empties the cache for the set of words `owner`.
    fn reset(&mut self, owner: u64) {
        self.owner = owner;
        self.short.clear();
        (self.short).resize(1 << Cache::SHORT_BITS, Line([Cache::EMPTY_SHORT; 4]));
        self.long.clear();
        (self.long).resize(1 << Cache::LONG_BITS, Set([Cache::EMPTY; 2]));
        self.gate = Gate::NEW;
    }

    /// A token of 1 to 7 bytes as an integer that tells it from every other token: its bytes
    /// (of a token of three or fewer, its first, middle and last), its length in the top byte;
    /// `None` for other lengths.
    #[inline]
    fn short_key(token: &[u8]) -> Option<u64> {
        let n = token.len();
        let four = |at: usize| -> u64 {
            let mut four = [0u8; 4];
            four.copy_from_slice(&token[at..at + 4]);
            u64::from(u32::from_le_bytes(four))
        };
        let bytes = match n {
            8.. | 0 => return None,
            // The first four bytes and the last four cover the token (where they overlap,
            // they agree).
            4.. => four(0) | four(n - 4) << (8 * (n - 4)),
            1.. => {
                u64::from(token[0]) | u64::from(token[n / 2]) << 8 | u64::from(token[n - 1]) << 16
            }
        };
        Some(bytes | (n as u64) << 56)
    }

    #[inline]
    fn line(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::SHORT_BITS)) as usize
    }

    /// A token of 8 to 16 bytes packed into an integer that, with its length, tells it from
    /// every other token: its first and its last eight bytes, which together cover it; `None`
    /// for other lengths.
    #[inline]
    fn key(token: &[u8]) -> Option<u128> {
        let n = token.len();
        if !(8..=16).contains(&n) {
            return None;
        }
        let word = |at: usize| -> u64 {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(&token[at..at + 8]);
            u64::from_le_bytes(eight)
        };
        Some(u128::from(word(0)) | u128::from(word(n - 8)) << 64)
    }

    #[inline]
    fn slot(key: u128, len: usize) -> usize {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29) ^ len as u64;
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - Self::LONG_BITS)) as usize
    }
}

/// Whether the bitmaps are checked before the cache. They rule most tokens of a text out at
/// the cost of two bits, but a large lexicon's words and prefixes start like most words of a
/// text, and then they pass nearly every token and only cost (the generated lexicon of the
/// benchmark: 11 % of the matcher's instructions). Decided per thread, over stretches of
/// [`Gate::STRETCH`] tokens: one stretch in [`Gate::PERIOD`], the sample, checks them and counts
/// the tokens they pass; the stretches after it check them only if more than one token in
/// eight was ruled out. Answers do not depend on it (the bitmaps have no false negatives).
#[derive(Clone, Copy)]
struct Gate {
    /// Tokens left in the current stretch.
    left: u32,
    /// The current stretch's place in the period (0: the sample).
    stretch: u32,
    /// Whether the bitmaps are checked in the current stretch.
    check: bool,
    /// Tokens the bitmaps passed in the current stretch (while they are checked).
    passed: u32,
}

impl Gate {
    const STRETCH: u32 = 4096;
    const PERIOD: u32 = 16;
    /// A new thread's gate: a sample first.
    const NEW: Gate = Gate {
        left: Gate::STRETCH,
        stretch: 0,
        check: true,
        passed: 0,
    };

    /// Counts `tokens` into the current stretch (at most what is left of it), `passed` of them
    /// passed by the bitmaps.
    fn count(&mut self, tokens: u32, passed: u32) {
        self.left -= tokens;
        self.passed += passed;
        if self.left == 0 {
            self.next_stretch();
        }
    }

    /// Ends a stretch: after the sample, its verdict; at the end of the period, a new sample.
    fn next_stretch(&mut self) {
        if self.stretch == 0 {
            self.check = self.passed < Gate::STRETCH - Gate::STRETCH / 8;
        }
        self.stretch = (self.stretch + 1) % Gate::PERIOD;
        if self.stretch == 0 {
            self.check = true;
        }
        self.passed = 0;
        self.left = Gate::STRETCH;
    }
}

thread_local! {
    static CACHE: RefCell<Cache> = const {
        RefCell::new(Cache { owner: 0, short: Vec::new(), long: Vec::new(), gate: Gate::NEW })
    };
}

impl Words {
    /// The set of `words` and `prefixes` (each a list of distinct strings, indexed by id).
    pub(super) fn new(words: &[String], prefixes: &[String]) -> Words {
        Words {
            trie: WordTrie::new(words, prefixes),
            word_filter: WordFilter::new(words.iter().map(String::as_str)),
            prefix_filter: StartFilter::new(prefixes.iter().map(String::as_str)),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The exact word of `token` and the longest prefix it starts with ([`NONE`] for none):
    /// the bitmaps, then the trie.
    pub(super) fn lookup(&self, token: &str) -> (u32, u32) {
        if self.word_filter.may_be(token) || self.prefix_filter.may_start(token) {
            self.trie.lookup(token.as_bytes())
        } else {
            (NONE, NONE)
        }
    }

    /// `info` of each of `tokens`' text and its [`Words::lookup`], appended to `out`, through
    /// this thread's cache. `info` must be the same function of (text, word, prefix) at every
    /// call on this set (the cache keeps its answers).
    pub(super) fn lookup_all<T>(
        &self,
        tokens: &[T],
        text: impl Fn(&T) -> &str,
        info: impl Fn(&str, u32, u32) -> Info,
        out: &mut Vec<Info>,
    ) {
        CACHE.with_borrow_mut(|cache| {
            if cache.owner != self.id {
                cache.reset(self.id);
            }
            let mut rest = tokens;
            // Stretch by stretch, each with the bitmaps or without.
            while !rest.is_empty() {
                let (stretch, after) = rest.split_at(rest.len().min(cache.gate.left as usize));
                rest = after;
                let mut passed = 0;
                if cache.gate.check {
                    for token in stretch.iter().map(&text) {
                        if self.word_filter.may_be(token) || self.prefix_filter.may_start(token) {
                            passed += 1;
                            out.push(self.cached(cache, token, &info));
                        } else {
                            out.push(info(token, NONE, NONE));
                        }
                    }
                } else {
                    for token in stretch.iter().map(&text) {
                        out.push(self.cached(cache, token, &info));
                    }
                }
                cache.gate.count(stretch.len() as u32, passed);
            }
        });
    }

    /// `info` of [`Words::lookup`] of `token`, through `cache`. (Inlined into both loops of
    /// [`Words::lookup_all`]: a call per token costs more than the probe.)
    #[inline(always)]
    fn cached(
        &self,
        cache: &mut Cache,
        token: &str,
        info: impl Fn(&str, u32, u32) -> Info,
    ) -> Info {
        let bytes = token.as_bytes();
        let lookup = || {
            let (word, prefix) = self.trie.lookup(bytes);
            info(token, word, prefix)
        };
        if let Some(key) = Cache::short_key(bytes) {
            let Line(line) = &mut cache.short[Cache::line(key)];
            return match line.iter().position(|slot| slot.key == key) {
                Some(0) => line[0].info,
                Some(k) => {
                    line.swap(k - 1, k);
                    line[k - 1].info
                }
                None => {
                    line[3] = Short {
                        key,
                        info: lookup(),
                    };
                    line[3].info
                }
            };
        }
        let Some(key) = Cache::key(bytes) else {
            return lookup();
        };
        let len = token.len() as u32;
        let Set(set) = &mut cache.long[Cache::slot(key, token.len())];
        let holds = |slot: &Slot| slot.key == key && slot.len == len;
        if !holds(&set[0]) {
            if holds(&set[1]) {
                set.swap(0, 1);
            } else {
                set[1] = set[0];
                set[0] = Slot {
                    len,
                    key,
                    info: lookup(),
                };
            }
        }
        set[0].info
    }

    /// Prefix `longest` and the shorter prefixes it starts with, longest first.
    pub(super) fn chain(&self, longest: u32) -> impl Iterator<Item = u32> + '_ {
        self.trie.chain(longest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (word, prefix) as an [`Info`] and back, for the tests of the lookups themselves.
    fn info(_token: &str, word: u32, prefix: u32) -> Info {
        Info {
            class: word,
            packed: prefix,
        }
    }

    fn pairs(infos: &[Info]) -> Vec<(u32, u32)> {
        infos.iter().map(|i| (i.class, i.packed)).collect()
    }

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

    proptest::proptest! {
        /// The cache answers as the trie does, whatever the order of the tokens and however
        /// often one is seen, in a thread whose cache another set of words used before.
        #[test]
        fn the_cache_answers_as_the_trie(
            words in proptest::collection::vec("[a-cé]{1,9}", 0..8),
            prefixes in proptest::collection::vec("[a-cé]{1,4}", 0..5),
            tokens in proptest::collection::vec("[a-cé]{1,10}", 1..60),
        ) {
            let dedup = |v: &Vec<String>| {
                let mut v = v.clone();
                v.sort();
                v.dedup();
                v
            };
            let (words, prefixes) = (dedup(&words), dedup(&prefixes));
            let other = Words::new(&["a".to_string()], &[]);
            other.lookup_all(&tokens, String::as_str, info, &mut Vec::new());
            let set = Words::new(&words, &prefixes);
            let mut cached = Vec::new();
            let twice = [tokens.clone(), tokens.clone()].concat();
            set.lookup_all(&twice, String::as_str, info, &mut cached);
            let direct: Vec<(u32, u32)> = tokens
                .iter()
                .chain(&tokens)
                .map(|t| set.trie.lookup(t.as_bytes()))
                .collect();
            proptest::prop_assert_eq!(pairs(&cached), direct);
        }
    }

    /// More distinct tokens than the cache holds, of every length it keeps and longer, each
    /// seen several times in a scrambled order: slots are taken over and moved again and again,
    /// and the answers stay the trie's.
    #[test]
    fn the_cache_answers_as_the_trie_when_full() {
        // Token k: its number in base 5 over "abcde", repeated to 1 to 20 letters.
        let token = |k: u32| -> String {
            let digits: String = std::iter::successors(Some(k), |&n| (n >= 5).then_some(n / 5))
                .map(|n| char::from(b'a' + (n % 5) as u8))
                .collect();
            digits
                .repeat(20)
                .chars()
                .take(1 + (k % 20) as usize)
                .collect()
        };
        let words: Vec<String> = (0..3000).map(|k| token(k * 7)).collect();
        let prefixes: Vec<String> = (0..200).map(|k| token(k * 13)).collect();
        let dedup = |mut v: Vec<String>| {
            v.sort();
            v.dedup();
            v
        };
        let set = Words::new(&dedup(words), &dedup(prefixes));
        let tokens: Vec<String> = (0..120_000u32)
            .map(|k| token(k.wrapping_mul(2_654_435_761) % 40_000 % (1 + k % 40_000)))
            .collect();
        let mut out = Vec::new();
        set.lookup_all(&tokens, String::as_str, info, &mut out);
        let direct: Vec<(u32, u32)> = tokens
            .iter()
            .map(|t| set.trie.lookup(t.as_bytes()))
            .collect();
        assert_eq!(pairs(&out), direct);
        assert!(direct.iter().filter(|&&(w, _)| w != NONE).count() > 1000);
    }

    /// The gate stops checking bitmaps that pass nearly every token and checks them again
    /// after the next sample when they rule tokens out; the answers are the trie's throughout.
    #[test]
    fn the_bitmaps_are_checked_only_where_they_rule_tokens_out() {
        let words = ["the", "and", "of", "lord"].map(String::from);
        let prefixes = ["t", "a", "o", "l"].map(String::from);
        let set = Words::new(&words, &prefixes);
        let passing = ["the", "and", "of", "lord", "thee", "ox", "lo", "abc"];
        let failing = ["xyz", "q", "www", "bread", "me", "zz"];
        let gate = || CACHE.with_borrow(|cache| (cache.gate.check, cache.gate.stretch));
        let mut all: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        let mut run = |tokens: Vec<&'static str>, all: &mut Vec<&str>| {
            set.lookup_all(&tokens, |t| t, info, &mut out);
            all.extend(tokens);
        };
        let stretch = Gate::STRETCH as usize;
        let period = Gate::PERIOD as usize;
        // The sample stretch, all passed, and one token more: the rest of the period skips.
        run(
            passing.iter().copied().cycle().take(stretch + 1).collect(),
            &mut all,
        );
        assert_eq!(gate(), (false, 1));
        // Tokens the bitmaps rule out, into the next sample and past it: checked again.
        let rest = (period - 1) * stretch + stretch + 1;
        run(
            failing.iter().copied().cycle().take(rest).collect(),
            &mut all,
        );
        assert_eq!(gate(), (true, 1));
        let direct: Vec<(u32, u32)> = all.iter().map(|t| set.lookup(t)).collect();
        assert_eq!(pairs(&out), direct);
        assert!(
            direct
                .iter()
                .filter(|&&(w, p)| (w, p) == (NONE, NONE))
                .count()
                > stretch
        );
    }

    #[test]
    fn a_token_is_its_word_and_longest_prefix() {
        let words = ["the".to_string(), "thee".to_string()];
        let prefixes = ["th".to_string(), "thee".to_string()];
        let set = Words::new(&words, &prefixes);
        let mut out = Vec::new();
        let tokens = [
            "the",
            "thee",
            "theeing",
            "t",
            "other",
            "the",
            "thereafterwards",
        ];
        set.lookup_all(&tokens, |t| t, info, &mut out);
        assert_eq!(
            pairs(&out),
            [
                (0, 0),
                (1, 1),
                (NONE, 1),
                (NONE, NONE),
                (NONE, NONE),
                (0, 0),
                (NONE, 0)
            ]
        );
        assert_eq!(set.chain(1).collect::<Vec<_>>(), [1, 0]);
    }
}
