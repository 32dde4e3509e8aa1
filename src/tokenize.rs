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

use std::borrow::Cow;
use std::ops::Range;

use unicode_segmentation::UnicodeSegmentation;

/// One word of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    /// The normalised form, borrowed from the text when normalising changes nothing.
    pub text: Cow<'a, str>,
    /// Byte range in the original text.
    pub span: Range<usize>,
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
        // Underscores around a word are markup (`_she_`); white space can only be part of a
        // segment when a combining mark follows it (" \u{DCF}"): neither belongs to the word.
        let edge = |c: char| c == '_' || c.is_whitespace();
        let trimmed = word.trim_start_matches(edge);
        let start = start + (word.len() - trimmed.len());
        let trimmed = trimmed.trim_end_matches(edge);
        if trimmed.is_empty() {
            continue;
        }
        let span = start..start + trimmed.len();
        tokens.push(Token {
            text: normalize_word(trimmed),
            span,
        });
    }
    tokens
}

/// Normalises one word as the matcher sees it: underscores around it stripped, Unicode
/// lowercase, `’`/`ʼ` as `'`, a final possessive `'s` removed (unless nothing else is left).
pub fn normalize(word: &str) -> Cow<'_, str> {
    normalize_word(word.trim_matches(|c: char| c == '_' || c.is_whitespace()))
}

fn normalize_word(word: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = if word.is_ascii() {
        if word.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(word.to_ascii_lowercase())
        } else {
            Cow::Borrowed(word)
        }
    } else {
        let lower = word.to_lowercase();
        if lower.contains(['\u{2019}', '\u{02BC}']) {
            Cow::Owned(lower.replace(['\u{2019}', '\u{02BC}'], "'"))
        } else if lower == word {
            Cow::Borrowed(word)
        } else {
            Cow::Owned(lower)
        }
    };
    if out.len() > 2 && out.ends_with("'s") {
        match &mut out {
            Cow::Borrowed(s) => *s = &s[..s.len() - 2],
            Cow::Owned(s) => s.truncate(s.len() - 2),
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
            .map(|t| (t.text.into_owned(), &text[t.span]))
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
