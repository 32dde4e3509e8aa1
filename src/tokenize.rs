//! Stage tokenize: text → tokens.
//!
//! In: a document's text (`&str`). Out: [`Token`]s in text order. A token is a UAX #29 word
//! segment holding a letter or a digit (`unicode_word_indices`), so "can’t", "3.5", "1,000" and
//! "U.S" are one token each and a hyphen or an em dash separates two. ASCII stretches are read
//! by a byte scanner over the same rules, which gives the same tokens (property test on Unicode
//! text, and the whole KJV with and without accents).
//!
//! Guarantees: `span` is a byte range of the original text on char boundaries (never changed by
//! normalisation), spans are strictly increasing and never overlap, and
//! `normalize(&text[tok.span.clone()]) == tok.text`. The normalised text is what the matcher
//! compares: Unicode lowercase in NFC (a decomposed `e` + U+0301 reads as `é`), `’` and `ʼ`
//! read as `'`, underscores around a word stripped (and
//! left out of the span), a possessive `'s` removed.

use std::cell::Cell;
use std::fmt;
use std::ops::{Deref, Range};

use compact_str::CompactString;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_segmentation::UnicodeSegmentation;

/// One word of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The normalised form.
    pub text: Word<'a>,
    /// Byte range in the original text.
    pub span: Range<usize>,
}

/// A token's normalised text: borrowed from the text when normalising changes nothing, else
/// its own copy, held inline up to 24 bytes (a capitalised word costs no allocation). Reads as
/// a `&str`; two words are equal when their texts are.
#[derive(Clone)]
pub enum Word<'a> {
    /// Part of the original text.
    Text(&'a str),
    /// Changed by normalising.
    Changed(CompactString),
}

impl Deref for Word<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Word::Text(s) => s,
            Word::Changed(s) => s,
        }
    }
}

impl AsRef<str> for Word<'_> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl PartialEq for Word<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Word<'_> {}

impl PartialEq<str> for Word<'_> {
    fn eq(&self, other: &str) -> bool {
        &**self == other
    }
}

impl PartialEq<&str> for Word<'_> {
    fn eq(&self, other: &&str) -> bool {
        &**self == *other
    }
}

impl fmt::Debug for Word<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Word<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

/// The hyphen characters that join two words: `-`, U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN,
/// U+FE63 SMALL HYPHEN-MINUS, U+FF0D FULLWIDTH HYPHEN-MINUS.
pub const HYPHENS: &[char] = &['-', '\u{2010}', '\u{2011}', '\u{FE63}', '\u{FF0D}'];

/// How words joined by a hyphen are read (`--hyphens`, or `hyphens` in a TOML lexicon).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Hyphens {
    /// Each word is a token: `sister-in-law` is `sister`, `in`, `law` (UAX #29).
    #[default]
    Split,
    /// A run of words joined by single hyphens is one token, its parts joined by `-`:
    /// `sister-in-law` (as quanteda reads it).
    Keep,
}

/// Whether `gap` is exactly one hyphen character.
pub fn is_one_hyphen(gap: &str) -> bool {
    let mut chars = gap.chars();
    chars.next().is_some_and(|c| HYPHENS.contains(&c)) && chars.next().is_none()
}

/// Splits `text` into tokens, reading hyphen-joined words as `hyphens` says. With
/// [`Hyphens::Keep`], a compound's span runs from its first word to its last, and its text is its
/// words' normalised texts joined by `-` (whatever hyphen character the text has).
///
/// ```
/// use themescope::tokenize::{tokenize_with, Hyphens};
///
/// let words = |h| -> Vec<String> {
///     tokenize_with("Her sister-in-law's cold\u{2011}hearted.", h)
///         .iter()
///         .map(|t| t.text.to_string())
///         .collect()
/// };
/// assert_eq!(words(Hyphens::Split), ["her", "sister", "in", "law", "cold", "hearted"]);
/// assert_eq!(words(Hyphens::Keep), ["her", "sister-in-law", "cold-hearted"]);
/// ```
pub fn tokenize_with(text: &str, hyphens: Hyphens) -> Vec<Token<'_>> {
    let tokens = tokenize(text);
    match hyphens {
        Hyphens::Split => tokens,
        Hyphens::Keep => join_hyphenated(text, tokens),
    }
}

/// Joins the tokens of `text` that only a single hyphen separates.
fn join_hyphenated<'a>(text: &'a str, tokens: Vec<Token<'a>>) -> Vec<Token<'a>> {
    let mut out: Vec<Token<'a>> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if let Some(last) = out.last_mut() {
            if is_one_hyphen(&text[last.span.end..token.span.start]) {
                let mut joined = CompactString::new(&*last.text);
                joined.push('-');
                joined.push_str(&token.text);
                last.text = Word::Changed(joined);
                last.span.end = token.span.end;
                continue;
            }
        }
        out.push(token);
    }
    out
}

thread_local! {
    /// A token list given back by [`recycle`], empty, for the next [`tokenize`] on this thread.
    static SPARE: Cell<Vec<Token<'static>>> = const { Cell::new(Vec::new()) };
}

/// The most tokens a list given back may have room for (a large block's list is let go).
const SPARE_TOKENS: usize = 4096;

/// Gives the memory of `tokens` (not the tokens) to the next [`tokenize`] on this thread: a
/// run of many short documents tokenizes each into the list of the one before.
pub fn recycle(mut tokens: Vec<Token<'_>>) {
    if tokens.capacity() > SPARE_TOKENS {
        return;
    }
    tokens.clear();
    // An empty list of tokens of any text is one of `'static` tokens: collected in place, in
    // the same memory (a `filter` would keep the lifetime).
    #[allow(clippy::unnecessary_filter_map)]
    let empty: Vec<Token<'static>> = tokens.into_iter().filter_map(|_| None).collect();
    SPARE.set(empty);
}

/// Splits `text` into tokens (see the module documentation).
///
/// ```
/// use themescope::tokenize::tokenize;
///
/// let text = "The country’s _pride_: self-reliance.";
/// let tokens = tokenize(text);
/// let words: Vec<&str> = tokens.iter().map(|t| t.text.as_ref()).collect();
/// assert_eq!(words, ["the", "country", "pride", "self", "reliance"]);
/// // Spans point into the original text.
/// assert_eq!(&text[tokens[1].span.clone()], "country’s");
/// ```
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens: Vec<Token<'_>> = SPARE.take();
    tokens.reserve(text.len() / 5);
    let b = text.as_bytes();
    // UAX #29 breaks before every ASCII white space character whatever surrounds it (rules
    // WB3a, WB3b, WB3d and WB999; no rule looks across one for a word), so the text is read in
    // pieces that start at one: pieces of ASCII by the byte scanner below, the others by
    // `unicode_word_indices`.
    //
    // The scanner reads 64 bytes at a time as bit masks, one bit per byte (see [`Masks`]). A
    // byte belongs to a word when it is a letter, a digit or `_` (WB5, WB8–WB10, WB13a,
    // WB13b), or a `:`, `.` or `'` between two letters (WB6, WB7), or a `,`, `;`, `.` or `'`
    // between two digits (WB11, WB12); a word is a run of such bytes holding a letter or a
    // digit. Runs are found by counting zero bits, without a branch per byte.
    let mut scan = Scan {
        piece: 0,
        open: None,
        letter_before: false,
        digit_before: false,
    };
    let mut at = 0;
    while at < b.len() {
        let masks = match b[at..].first_chunk::<64>() {
            Some(chunk) => Masks::of(chunk),
            None => {
                // The last bytes, padded with spaces (which end a word, as the end does).
                let mut chunk = [b' '; 64];
                chunk[..b.len() - at].copy_from_slice(&b[at..]);
                Masks::of(&chunk)
            }
        };
        let after = b.get(at + 64).map_or(0, |&c| CLASS[usize::from(c)]);
        // Bit j: byte j - 1 (before) or j + 1 (after) is a letter, or a digit.
        let letter_before = masks.letter << 1 | u64::from(scan.letter_before);
        let letter_after = masks.letter >> 1 | u64::from(after & LETTER != 0) << 63;
        let digit_before = masks.digit << 1 | u64::from(scan.digit_before);
        let digit_after = masks.digit >> 1 | u64::from(after & DIGIT != 0) << 63;
        let word = masks.letter
            | masks.digit
            | masks.underscore
            | (masks.mid_letter & letter_before & letter_after)
            | (masks.mid_num & digit_before & digit_after);
        // The usual chunk, all ASCII (the loop below does the same for it, a little slower).
        if masks.non_ascii == 0 {
            scan.words(word, &masks, at, text, &mut tokens);
            if masks.space != 0 {
                scan.piece = at + 63 - masks.space.leading_zeros() as usize;
            }
            scan.letter_before = masks.letter >> 63 != 0;
            scan.digit_before = masks.digit >> 63 != 0;
            at += 64;
            continue;
        }
        // Bits from `from` on are still to be read (more than 0 after a piece read by the
        // general rules that ended inside this chunk).
        let mut from = 0;
        loop {
            let ahead = u64::MAX << from;
            // A character outside ASCII: the words before it are taken, then its piece is
            // read again by the general rules, in place of the tokens already taken from it.
            let ascii_end = (masks.non_ascii & ahead).trailing_zeros();
            let ascii = if ascii_end < 64 {
                ahead & ((1u64 << ascii_end) - 1)
            } else {
                ahead
            };
            scan.words(word & ascii, &masks, at, text, &mut tokens);
            let spaces = masks.space & ascii;
            if spaces != 0 {
                scan.piece = at + 63 - spaces.leading_zeros() as usize;
            }
            if ascii_end == 64 {
                scan.letter_before = masks.letter >> 63 != 0;
                scan.digit_before = masks.digit >> 63 != 0;
                at += 64;
                break;
            }
            // The piece ends at white space (or the end of the text): nothing before it joins
            // what follows.
            let end = unicode_piece(text, scan.piece, &mut tokens);
            scan.piece = end;
            if end >= at + 64 {
                scan.letter_before = false;
                scan.digit_before = false;
                at = end;
                break;
            }
            from = end - at;
        }
    }
    if let Some(open) = scan.open.take() {
        open.push(b.len(), text, &mut tokens);
    }
    tokens
}

/// The byte scanner's state between two 64-byte chunks.
struct Scan {
    /// Where the current piece starts: the last ASCII white space character (or 0).
    piece: usize,
    /// A word running to the end of the last chunk, perhaps on into the next.
    open: Option<OpenWord>,
    /// Whether the last byte of the last chunk is a letter, and whether a digit.
    letter_before: bool,
    digit_before: bool,
}

/// The start of a word not yet ended, and what it holds so far.
#[derive(Clone, Copy)]
struct OpenWord {
    start: usize,
    upper: bool,
    alphanumeric: bool,
    /// Letters and digits only (no `_`, `'`, `.`…: nothing to strip).
    plain: bool,
}

impl OpenWord {
    /// Adds the word if it holds a letter or a digit.
    #[inline]
    fn push<'a>(self, end: usize, text: &'a str, tokens: &mut Vec<Token<'a>>) {
        if self.plain {
            push_plain_word(tokens, text, self.start, end, self.upper);
        } else if self.alphanumeric {
            push_ascii_word(tokens, text, self.start, end, self.upper);
        }
    }
}

impl Scan {
    /// Takes the words of the chunk at byte `at` whose word bytes are `word`.
    fn words<'a>(
        &mut self,
        word: u64,
        masks: &Masks,
        at: usize,
        text: &'a str,
        tokens: &mut Vec<Token<'a>>,
    ) {
        if word & 1 == 0 {
            if let Some(open) = self.open.take() {
                open.push(at, text, tokens);
            }
        }
        let mut rest = word;
        while rest != 0 {
            let start = rest.trailing_zeros();
            let len = (!(rest >> start)).trailing_zeros();
            let run = if len == 64 {
                u64::MAX
            } else {
                ((1u64 << len) - 1) << start
            };
            rest &= !run;
            let upper = masks.upper & run != 0;
            let alphanumeric = (masks.letter | masks.digit) & run != 0;
            let plain = run & !(masks.letter | masks.digit) == 0;
            let open = match self.open.take() {
                Some(open) if start == 0 => OpenWord {
                    start: open.start,
                    upper: open.upper | upper,
                    alphanumeric: open.alphanumeric | alphanumeric,
                    plain: open.plain & plain,
                },
                _ => OpenWord {
                    start: at + start as usize,
                    upper,
                    alphanumeric,
                    plain,
                },
            };
            let end = start + len;
            if end == 64 {
                self.open = Some(open);
            } else {
                open.push(at + end as usize, text, tokens);
            }
        }
    }
}

/// One 64-byte chunk of text as bit masks: bit `j` stands for byte `j`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Masks {
    /// `A`–`Z`, `a`–`z`.
    letter: u64,
    /// `0`–`9`.
    digit: u64,
    /// `_` (ExtendNumLet).
    underscore: u64,
    /// `A`–`Z`.
    upper: u64,
    /// `:`, `.` and `'`: join two letters.
    mid_letter: u64,
    /// `,`, `;`, `.` and `'`: join two digits.
    mid_num: u64,
    /// ASCII white space.
    space: u64,
    /// Bytes of characters outside ASCII.
    non_ascii: u64,
}

impl Masks {
    /// Computes the masks: sixteen bytes at a time on x86-64 (SSE2, which every x86-64
    /// processor has), else as [`Masks::of_words`] does. Both give the masks of the class
    /// table (tests: every byte value at every place, and random chunks).
    #[inline]
    fn of(chunk: &[u8; 64]) -> Masks {
        #[cfg(target_arch = "x86_64")]
        return Masks::of_sse2(chunk);
        #[cfg(not(target_arch = "x86_64"))]
        return Masks::of_words(chunk);
    }

    /// [`Masks::of`] sixteen bytes at a time: a compare per class leaves 0xFF in each byte
    /// that is in it, and `movemask` gathers the bytes' top bits. Signed compares leave the
    /// bytes of characters outside ASCII (0x80 and up, negative) out of every range that
    /// starts above 0, so no ASCII mask needs them masked out.
    #[cfg(target_arch = "x86_64")]
    // SSE2's intrinsics are safe to call from Rust 1.87 on, `unsafe` before (the promised
    // Rust is older): the block is needed there and unused here.
    #[allow(unused_unsafe)]
    fn of_sse2(chunk: &[u8; 64]) -> Masks {
        use std::arch::x86_64::{
            __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8,
            _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_set_epi64x,
        };
        let mut masks = Masks::default();
        for (k, sixteen) in chunk.chunks_exact(16).enumerate() {
            let mut bytes = [0u8; 16];
            bytes.copy_from_slice(sixteen);
            let raw = u128::from_le_bytes(bytes);
            // SAFETY: SSE2 is part of x86-64; these intrinsics read no memory.
            let bits = unsafe {
                let v = _mm_set_epi64x((raw >> 64) as i64, raw as i64);
                let is = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
                // Bytes from `low` (above 0) to `high` (below 0x80).
                let within = |x: __m128i, low: u8, high: u8| {
                    _mm_and_si128(
                        _mm_cmpgt_epi8(x, _mm_set1_epi8(low as i8 - 1)),
                        _mm_cmplt_epi8(x, _mm_set1_epi8(high as i8 + 1)),
                    )
                };
                let lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
                let (dot, apostrophe) = (is(b'.'), is(b'\''));
                let either = _mm_or_si128(dot, apostrophe);
                let gather = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16);
                [
                    gather(within(lower, b'a', b'z')),
                    gather(within(v, b'0', b'9')),
                    gather(is(b'_')),
                    gather(within(v, b'A', b'Z')),
                    gather(_mm_or_si128(is(b':'), either)),
                    gather(_mm_or_si128(_mm_or_si128(is(b','), is(b';')), either)),
                    gather(_mm_or_si128(is(b' '), within(v, 0x09, 0x0D))),
                    gather(v),
                ]
            };
            let shift = 16 * k;
            masks.letter |= bits[0] << shift;
            masks.digit |= bits[1] << shift;
            masks.underscore |= bits[2] << shift;
            masks.upper |= bits[3] << shift;
            masks.mid_letter |= bits[4] << shift;
            masks.mid_num |= bits[5] << shift;
            masks.space |= bits[6] << shift;
            masks.non_ascii |= bits[7] << shift;
        }
        masks
    }

    /// [`Masks::of`] eight bytes at a time ("SIMD within a register": each byte's test
    /// leaves its answer in the byte's top bit, which no carry crosses).
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn of_words(chunk: &[u8; 64]) -> Masks {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const TOPS: u64 = 0x8080_8080_8080_8080;
        // Top bit set in each byte of `x` (all below 0x80) that is at least `n` (at most 0x80).
        let at_least = |x: u64, n: u8| ((x | TOPS) - u64::from(n) * ONES) & TOPS;
        let within = |x: u64, low: u8, high: u8| at_least(x, low) & !at_least(x, high + 1);
        // Top bit set in each byte of `x` (all below 0x80) equal to `c`.
        let equal = |x: u64, c: u8| {
            let t = x ^ (u64::from(c) * ONES);
            !((t | TOPS) - ONES) & TOPS
        };
        // The eight top bits as the low eight bits (each lands on a bit of its own).
        let pack = |m: u64| (m >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
        let mut masks = Masks::default();
        for (k, eight) in chunk.chunks_exact(8).enumerate() {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(eight);
            let raw = u64::from_le_bytes(bytes);
            let non_ascii = raw & TOPS;
            let ascii = !non_ascii & TOPS;
            let x = raw & !TOPS;
            let lower = x | (0x20 * ONES);
            let (dot, apostrophe) = (equal(x, b'.'), equal(x, b'\''));
            let shift = 8 * k;
            masks.letter |= pack(within(lower, b'a', b'z') & ascii) << shift;
            masks.digit |= pack(within(x, b'0', b'9') & ascii) << shift;
            masks.underscore |= pack(equal(x, b'_') & ascii) << shift;
            masks.upper |= pack(within(x, b'A', b'Z') & ascii) << shift;
            masks.mid_letter |= pack((equal(x, b':') | dot | apostrophe) & ascii) << shift;
            masks.mid_num |=
                pack((equal(x, b',') | equal(x, b';') | dot | apostrophe) & ascii) << shift;
            masks.space |= pack((equal(x, b' ') | within(x, 0x09, 0x0D)) & ascii) << shift;
            masks.non_ascii |= pack(non_ascii) << shift;
        }
        masks
    }
}

/// Character classes of the byte scanner, as bits.
const LETTER: u8 = 1;
const DIGIT: u8 = 2;
/// `_` (ExtendNumLet).
const UNDERSCORE: u8 = 4;
/// `A`–`Z`.
const UPPER: u8 = 8;
/// `:`, `.` and `'`: join two letters.
const MID_LETTER: u8 = 16;
/// `,`, `;`, `.` and `'`: join two digits.
const MID_NUM: u8 = 32;
/// ASCII white space: a piece starts here.
const SPACE: u8 = 64;
/// A byte of a character outside ASCII.
const NON_ASCII: u8 = 128;

static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = match b {
            b'a'..=b'z' => LETTER,
            b'A'..=b'Z' => LETTER | UPPER,
            b'0'..=b'9' => DIGIT,
            b'_' => UNDERSCORE,
            b':' => MID_LETTER,
            b'.' | b'\'' => MID_LETTER | MID_NUM,
            b',' | b';' => MID_NUM,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C => SPACE,
            0x80..=0xFF => NON_ASCII,
            _ => 0,
        };
        c += 1;
    }
    table
};

/// Reads the piece of `text` from `start` (0 or an ASCII white space character) to the next
/// ASCII white space character by the general rules, in place of any tokens already taken
/// from it; returns where it ends.
fn unicode_piece<'a>(text: &'a str, start: usize, tokens: &mut Vec<Token<'a>>) -> usize {
    let b = text.as_bytes();
    let end = b[start + 1..]
        .iter()
        .position(|&c| CLASS[usize::from(c)] & SPACE != 0)
        .map_or(b.len(), |p| start + 1 + p);
    while tokens.last().is_some_and(|t| t.span.start >= start) {
        tokens.pop();
    }
    for (at, word) in text[start..end].unicode_word_indices() {
        push_word(tokens, start + at, word);
    }
    end
}

/// Adds the word `text[start..end]` of ASCII letters and digits only (`upper`: whether it holds
/// a capital letter).
#[inline]
fn push_plain_word<'a>(
    tokens: &mut Vec<Token<'a>>,
    text: &'a str,
    start: usize,
    end: usize,
    upper: bool,
) {
    let Some(word) = text.get(start..end) else {
        return;
    };
    // Each case pushes a token of its own: a `Word` built on the stack and then copied into the
    // vector made the copy wait on the narrower stores that built it.
    if upper {
        let mut lower = CompactString::new(word);
        lower.make_ascii_lowercase();
        tokens.push(Token {
            text: Word::Changed(lower),
            span: start..end,
        });
    } else {
        tokens.push(Token {
            text: Word::Text(word),
            span: start..end,
        });
    }
}

/// Adds the ASCII word `text[start..end]` (holding a letter or digit; `upper`: whether it
/// holds a capital letter).
fn push_ascii_word<'a>(
    tokens: &mut Vec<Token<'a>>,
    text: &'a str,
    mut start: usize,
    mut end: usize,
    upper: bool,
) {
    let b = text.as_bytes();
    // Underscores around a word are markup (`_she_`).
    while b[start] == b'_' {
        start += 1;
    }
    while b[end - 1] == b'_' {
        end -= 1;
    }
    let word = &text[start..end];
    // Before lower-casing: `'S` is a possessive too.
    let possessive = word.len() > 2 && (word.ends_with("'s") || word.ends_with("'S"));
    if !upper {
        let word = if possessive {
            &word[..word.len() - 2]
        } else {
            word
        };
        tokens.push(Token {
            text: Word::Text(word),
            span: start..end,
        });
        return;
    }
    let mut lower = CompactString::new(word);
    lower.make_ascii_lowercase();
    if possessive {
        lower.truncate(lower.len() - 2);
    }
    tokens.push(Token {
        text: Word::Changed(lower),
        span: start..end,
    });
}

/// Adds the UAX #29 word segment `word` found at byte `start` of the text as a token.
fn push_word<'a>(tokens: &mut Vec<Token<'a>>, start: usize, word: &'a str) {
    // Underscores around a word are markup (`_she_`); white space can only be part of a
    // segment when a combining mark follows it (" \u{DCF}"): neither belongs to the word.
    let edge = |c: char| c == '_' || c.is_whitespace();
    let trimmed = word.trim_start_matches(edge);
    let start = start + (word.len() - trimmed.len());
    let trimmed = trimmed.trim_end_matches(edge);
    if trimmed.is_empty() {
        return;
    }
    tokens.push(Token {
        text: normalize_word(trimmed),
        span: start..start + trimmed.len(),
    });
}

/// Normalises one word as the matcher sees it: underscores around it stripped, Unicode
/// lowercase in normalisation form C (NFC), `’`/`ʼ` as `'`, a final possessive `'s` removed (unless nothing else is left).
pub fn normalize(word: &str) -> Word<'_> {
    normalize_word(word.trim_matches(|c: char| c == '_' || c.is_whitespace()))
}

fn normalize_word(word: &str) -> Word<'_> {
    let (mut upper, mut ascii) = (false, true);
    for &b in word.as_bytes() {
        upper |= b.is_ascii_uppercase();
        ascii &= b.is_ascii();
    }
    let mut out = if ascii {
        if upper {
            let mut lower = CompactString::new(word);
            lower.make_ascii_lowercase();
            Word::Changed(lower)
        } else {
            Word::Text(word)
        }
    } else {
        let mut lower = word.to_lowercase();
        // Composed and decomposed forms (`é` as one character, or `e` and U+0301) are one word.
        if is_nfc_quick(lower.chars()) != IsNormalized::Yes {
            lower = lower.nfc().collect();
        }
        if lower.contains(['\u{2019}', '\u{02BC}']) {
            Word::Changed(lower.replace(['\u{2019}', '\u{02BC}'], "'").into())
        } else if lower == word {
            Word::Text(word)
        } else {
            Word::Changed(lower.into())
        }
    };
    if out.len() > 2 && out.ends_with("'s") {
        match &mut out {
            Word::Text(s) => *s = &s[..s.len() - 2],
            Word::Changed(s) => s.truncate(s.len() - 2),
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Asserts the normalised texts and the original slices of `text`'s tokens.
    pub(crate) fn assert_tokens(text: &str, expected: &[(&str, &str)]) {
        let got: Vec<(String, &str)> = tokenize(text)
            .into_iter()
            .map(|t| (t.text.to_string(), &text[t.span]))
            .collect();
        let want: Vec<(String, &str)> = expected.iter().map(|(n, s)| (n.to_string(), *s)).collect();
        assert_eq!(got, want, "tokens of {text:?}");
    }

    #[test]
    fn a_list_given_back_holds_the_tokens_of_the_next_text() {
        let first = tokenize("One two THREE four five six seven eight nine ten eleven.");
        let room = first.capacity();
        recycle(first);
        let text = String::from("Twelve, _Thirteen_");
        let second = tokenize(&text);
        assert!(
            second.capacity() >= room,
            "the memory of the list given back"
        );
        let words: Vec<(&str, &str)> = (second.iter())
            .map(|t| (t.text.as_ref(), &text[t.span.clone()]))
            .collect();
        assert_eq!(words, [("twelve", "Twelve"), ("thirteen", "Thirteen")]);
        // A list too large to keep is let go.
        recycle(Vec::with_capacity(SPARE_TOKENS + 1));
        assert!(tokenize("x").capacity() <= SPARE_TOKENS);
    }

    #[test]
    fn curly_apostrophes_and_possessives() {
        assert_tokens(
            "The country’s pride; Pyongyang's theatrics; can’t, don't",
            &[
                ("the", "The"),
                ("country", "country’s"),
                ("pride", "pride"),
                ("pyongyang", "Pyongyang's"),
                ("theatrics", "theatrics"),
                ("can't", "can’t"),
                ("don't", "don't"),
            ],
        );
        assert_tokens(
            "JOHN'S John'S o'S",
            &[("john", "JOHN'S"), ("john", "John'S"), ("o", "o'S")],
        );
        // A lone "'s" is a word of its own, not a possessive.
        assert_tokens("ʼs it’s", &[("'s", "ʼs"), ("it", "it’s")]);
    }

    #[test]
    fn hyphens_and_dashes_split_words() {
        assert_tokens(
            "self-reliance—a working-class city",
            &[
                ("self", "self"),
                ("reliance", "reliance"),
                ("a", "a"),
                ("working", "working"),
                ("class", "class"),
                ("city", "city"),
            ],
        );
    }

    #[test]
    fn numbers_stay_whole() {
        assert_tokens(
            "3.5 tonnes, 1,000 workers in 1950.",
            &[
                ("3.5", "3.5"),
                ("tonnes", "tonnes"),
                ("1,000", "1,000"),
                ("workers", "workers"),
                ("in", "in"),
                ("1950", "1950"),
            ],
        );
    }

    #[test]
    fn underscores_emoji_cjk_and_case() {
        assert_tokens("_She_ said __", &[("she", "She"), ("said", "said")]);
        // A combining mark after a space makes one UAX #29 segment; the space is not the word's.
        assert_tokens(" \u{DCF}", &[("\u{DCF}", "\u{DCF}")]);
        assert_tokens("proud 🎉 ÉCOLE", &[("proud", "proud"), ("école", "ÉCOLE")]);
        assert_tokens("東京 함흥", &[("東", "東"), ("京", "京"), ("함흥", "함흥")]);
    }

    #[test]
    fn kept_hyphens_join_runs_of_words() {
        let text = "A well-known, self\u{2010}made mother-in-law -- not - this; x--y 1-2 _a_-b";
        let got: Vec<(String, &str)> = tokenize_with(text, Hyphens::Keep)
            .iter()
            .map(|t| (t.text.to_string(), &text[t.span.clone()]))
            .collect();
        let want = [
            ("a", "A"),
            ("well-known", "well-known"),
            ("self-made", "self\u{2010}made"),
            ("mother-in-law", "mother-in-law"),
            ("not", "not"),
            ("this", "this"),
            ("x", "x"),
            ("y", "y"),
            ("1-2", "1-2"),
            ("a", "a"),
            ("b", "b"),
        ];
        let want: Vec<(String, &str)> = want.iter().map(|(a, b)| (a.to_string(), *b)).collect();
        assert_eq!(got, want);
        assert_eq!(tokenize_with(text, Hyphens::Split), tokenize(text));
    }

    #[test]
    fn composed_and_decomposed_forms_are_one_word() {
        // `é` as one character and as `e` + U+0301 (combining acute), upper-case too; Hangul
        // as conjoining jamo reads as the syllables. Spans stay on the original bytes.
        let decomposed = "Cafe\u{301} CAFE\u{301} caf\u{e9} \u{1112}\u{1161}\u{11B7}";
        assert_tokens(
            decomposed,
            &[
                ("caf\u{e9}", "Cafe\u{301}"),
                ("caf\u{e9}", "CAFE\u{301}"),
                ("caf\u{e9}", "caf\u{e9}"),
                ("\u{D568}", "\u{1112}\u{1161}\u{11B7}"),
            ],
        );
        assert_eq!(&*normalize("Cafe\u{301}"), "caf\u{e9}");
    }

    #[test]
    fn crlf_and_empty_text() {
        assert_tokens("a\r\nb\rc", &[("a", "a"), ("b", "b"), ("c", "c")]);
        assert_tokens("", &[]);
        assert_tokens(" \n\t—…", &[]);
    }

    #[test]
    fn normalize_matches_token_text() {
        for word in ["Country’s", "_x_", "ÀB", "s's", "'s"] {
            let toks = tokenize(word);
            for t in toks {
                assert_eq!(normalize(&word[t.span.clone()]), t.text);
            }
        }
        assert_eq!(normalize("s's"), "s");
    }

    /// The tokens of `unicode_word_indices` over the whole text, without the byte scanner.
    fn general_tokens(text: &str) -> Vec<Token<'_>> {
        let mut tokens = Vec::new();
        for (start, word) in text.unicode_word_indices() {
            push_word(&mut tokens, start, word);
        }
        tokens
    }

    #[test]
    fn the_byte_scanner_agrees_with_uax29_on_the_kjv_and_the_essay() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(root.join("tests/data/kjv"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        files.push(root.join("input/hamhung.txt"));
        let mut compared = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            assert!(
                tokenize(&text) == general_tokens(&text),
                "{}",
                file.display()
            );
            // The same text with curly apostrophes and accents: pieces read both ways.
            let text = text.replace("'s", "’s").replace("ea", "éa");
            assert!(
                tokenize(&text) == general_tokens(&text),
                "{} (with accents)",
                file.display()
            );
            compared += text.len();
        }
        assert!(compared > 4_000_000, "the whole KJV is compared");
    }

    #[test]
    fn byte_scanner_cases() {
        for text in [
            "a.b a:b 1:2 1.5 1,000 1;2 a,b a;b a'b 'tis rock 'n' roll",
            "_she_ __ a_1 1_a a__b _ 3.5. U.S. e.g. x.. .x a..b 1..2",
            "end. a:1 1:a a.1 1.a can't don't A.B.C: 'x' \"quoted\"",
            "tab\tsep\rcr\r\nlf\x0bvt\x0cff x\x00y ~!@#$%^&*()-+=[]{}|<>/?`",
            "café a.é a\u{301}b a.\u{301}b 1,\u{661} x \u{DCF}y  \u{DCF} 東京 a\u{200D}b",
            "The country’s pride; ab-é self—reliance \u{3000} x\u{a0}y 🎉a",
            "1'2 1.2.3 1,2;3 a'b'c a:b:c 1:2 a.1 1.a a1.b a_.b 1_,2 _1_ 1'a a'1 a.b. .a.",
            "א\"ב א'ב 1\"2 a\"b",
        ] {
            assert!(tokenize(text) == general_tokens(text), "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_byte_scanner_gives_the_tokens_of_uax29(text in r#"([a-zA-Z]{1,3}|[0-9]{1,2}|[.:,;'_]|[ \t\r\n\x0b\x0c"!?()-]|\PC|’|é|\u{301}|\u{200D}|\u{3000}|\u{DCF}|\u{5D0}){0,60}"#) {
            prop_assert_eq!(tokenize(&text), general_tokens(&text));
        }
    }

    /// The masks of a chunk byte by byte from the class table.
    fn masks_by_byte(chunk: &[u8; 64]) -> Masks {
        let mut m = Masks::default();
        for (j, &c) in chunk.iter().enumerate() {
            let class = CLASS[usize::from(c)];
            let bit = |flag: u8| u64::from(class & flag != 0) << j;
            m.letter |= bit(LETTER);
            m.digit |= bit(DIGIT);
            m.underscore |= bit(UNDERSCORE);
            m.upper |= bit(UPPER);
            m.mid_letter |= bit(MID_LETTER);
            m.mid_num |= bit(MID_NUM);
            m.space |= bit(SPACE);
            m.non_ascii |= bit(NON_ASCII);
        }
        m
    }

    #[test]
    fn masks_of_every_byte_value_at_every_place() {
        for value in 0..=255u8 {
            for place in 0..64 {
                let mut chunk = [b'a'; 64];
                chunk[place] = value;
                let by_byte = masks_by_byte(&chunk);
                assert_eq!(Masks::of(&chunk), by_byte, "{value:#x} at {place}");
                assert_eq!(Masks::of_words(&chunk), by_byte, "{value:#x} at {place}");
            }
        }
        // A mutation of one mask (letters without `z`) is seen.
        let chunk = [b'z'; 64];
        assert_eq!(Masks::of(&chunk).letter, u64::MAX);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]
        #[test]
        fn masks_agree_with_the_class_table(bytes in proptest::collection::vec(any::<u8>(), 64)) {
            let mut chunk = [0u8; 64];
            chunk.copy_from_slice(&bytes);
            prop_assert_eq!(Masks::of(&chunk), masks_by_byte(&chunk));
            prop_assert_eq!(Masks::of_words(&chunk), masks_by_byte(&chunk));
        }

        /// Long texts, shifted by 0–70 letters, so that words, joins (`a.b`, `1,000`), possessives
        /// and characters outside ASCII fall across the 64-byte chunks.
        #[test]
        fn words_across_chunks_are_the_tokens_of_uax29(
            shift in 0usize..70,
            text in r#"([a-zA-Z]{1,12}|[0-9]{1,4}|[.:,;'_]|'s|'S|[ \n]|\PC|’|é){0,200}"#,
        ) {
            let text = format!("{}{text}", "x".repeat(shift));
            prop_assert_eq!(tokenize(&text), general_tokens(&text));
        }
    }

    #[test]
    fn a_word_running_over_chunks_is_one_token() {
        let long = "Ab".repeat(70);
        let text = format!("{long}'s x {}", "1,0".repeat(50));
        assert_tokens(
            &text,
            &[
                (&long.to_lowercase(), &format!("{long}'s")),
                ("x", "x"),
                (&"1,0".repeat(50), &"1,0".repeat(50)),
            ],
        );
        // Ending exactly at a chunk's end, and one byte past it.
        assert_tokens(&"a".repeat(64), &[(&"a".repeat(64), &"a".repeat(64))]);
        let text = format!("{} b", "a".repeat(63));
        assert_tokens(&text, &[(&"a".repeat(63), &"a".repeat(63)), ("b", "b")]);
        let text = format!("{}_ é", "_".repeat(63));
        assert_tokens(&text, &[("é", "é")]);
    }

    use proptest::prelude::*;
    proptest! {
        #[test]
        fn spans_are_ordered_and_normalise_to_the_token(text in "(\\PC|[ \n\r_’'-]){0,120}") {
            let tokens = tokenize(&text);
            let mut last_end = 0;
            for t in &tokens {
                prop_assert!(t.span.start >= last_end && t.span.end > t.span.start);
                prop_assert_eq!(normalize(&text[t.span.clone()]), t.text.clone());
                last_end = t.span.end;
            }
        }
    }
}
