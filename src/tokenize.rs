//! Stage tokenize: text → tokens.
//!
//! In: a document's text (`&str`). Out: [`Token`]s in text order. A token is a UAX #29 word
//! segment holding a letter or a digit (`unicode_word_indices`), so "can’t", "3.5", "1,000" and
//! "U.S" are one token each and a hyphen or an em dash separates two.
//!
//! Guarantees: `span` is a byte range of the original text on char boundaries (never changed by
//! normalisation), spans are strictly increasing and never overlap, and
//! `normalize(&text[tok.span.clone()]) == tok.text`. The normalised text is what the matcher
//! compares: Unicode lowercase, `’` and `ʼ` read as `'`, underscores around a word stripped (and
//! left out of the span), a possessive `'s` removed.

use std::fmt;
use std::ops::{Deref, Range};

use compact_str::CompactString;
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
    let mut tokens = Vec::with_capacity(text.len() / 5);
    for (start, word) in text.unicode_word_indices() {
        let b = word.as_bytes();
        // A word that starts and ends with an ASCII letter or digit (most do) needs no trimming.
        let (start, trimmed) =
            if b[0].is_ascii_alphanumeric() && b[b.len() - 1].is_ascii_alphanumeric() {
                (start, word)
            } else {
                // Underscores around a word are markup (`_she_`); white space can only be part of
                // a segment when a combining mark follows it (" \u{DCF}"): neither belongs to it.
                let edge = |c: char| c == '_' || c.is_whitespace();
                let trimmed = word.trim_start_matches(edge);
                let start = start + (word.len() - trimmed.len());
                let trimmed = trimmed.trim_end_matches(edge);
                if trimmed.is_empty() {
                    continue;
                }
                (start, trimmed)
            };
        tokens.push(Token {
            text: normalize_word(trimmed),
            span: start..start + trimmed.len(),
        });
    }
    tokens
}

/// Normalises one word as the matcher sees it: underscores around it stripped, Unicode
/// lowercase, `’`/`ʼ` as `'`, a final possessive `'s` removed (unless nothing else is left).
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
        let lower = word.to_lowercase();
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
