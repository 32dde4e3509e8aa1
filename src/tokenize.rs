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
    // No word runs across a line feed (UAX #29 breaks on both sides of one), so each line is
    // split on its own: ASCII lines by a byte scanner, the others by `unicode_word_indices`.
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.is_ascii() {
            ascii_words(line, offset, &mut tokens);
        } else {
            for (start, word) in line.unicode_word_indices() {
                push_word(&mut tokens, offset + start, word);
            }
        }
        offset += line.len();
    }
    tokens
}

/// Adds the word segment `word` found at byte `start` of the text as a token.
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

/// [`push_word`] for an ASCII word: the same token, without decoding characters.
fn push_ascii_word<'a>(tokens: &mut Vec<Token<'a>>, start: usize, word: &'a str) {
    let trimmed = word.trim_start_matches('_');
    let start = start + (word.len() - trimmed.len());
    let trimmed = trimmed.trim_end_matches('_');
    if trimmed.is_empty() {
        return;
    }
    let mut text = ascii_lowercase(trimmed);
    strip_possessive(&mut text);
    tokens.push(Token {
        text,
        span: start..start + trimmed.len(),
    });
}

/// UAX #29 word classes of the ASCII characters that can be part of a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WordClass {
    /// ALetter: A–Z, a–z.
    Letter,
    /// Numeric: 0–9.
    Digit,
    /// MidLetter `:`.
    MidLetter,
    /// MidNumLet `.` and Single_Quote `'` (which joins as MidNumLet does).
    MidNumLet,
    /// MidNum `,` and `;`.
    MidNum,
    /// ExtendNumLet `_`.
    ExtendNumLet,
    /// Anything else: never part of a word.
    Other,
}

fn word_class(b: u8) -> WordClass {
    match b {
        b'a'..=b'z' | b'A'..=b'Z' => WordClass::Letter,
        b'0'..=b'9' => WordClass::Digit,
        b':' => WordClass::MidLetter,
        b'.' | b'\'' => WordClass::MidNumLet,
        b',' | b';' => WordClass::MidNum,
        b'_' => WordClass::ExtendNumLet,
        _ => WordClass::Other,
    }
}

/// The words of an ASCII line at byte `offset` of the text: the same tokens as
/// `unicode_word_indices` gives (a property test and the whole KJV check this), several times
/// faster. Rules WB5–WB13b over the ASCII classes: letters, digits and `_` join; `:`, `.` and
/// `'` join two letters; `,`, `;`, `.` and `'` join two digits; everything else breaks; a
/// segment is a word when it holds a letter or a digit.
fn ascii_words<'a>(line: &'a str, offset: usize, tokens: &mut Vec<Token<'a>>) {
    use WordClass::*;
    let b = line.as_bytes();
    let class = |i: usize| b.get(i).map_or(Other, |&c| word_class(c));
    let mut i = 0;
    while i < b.len() {
        let first = class(i);
        if !matches!(first, Letter | Digit | ExtendNumLet) {
            i += 1;
            continue;
        }
        let start = i;
        let mut alphanumeric = first != ExtendNumLet;
        loop {
            let (c, d) = (class(i), class(i + 1));
            i += match (c, d) {
                // WB5, WB8, WB9, WB10, WB13a, WB13b.
                (Letter | Digit | ExtendNumLet, Letter | Digit | ExtendNumLet) => 1,
                // WB6, WB7: a letter, a mid letter, a letter; WB11, WB12: the same for digits.
                (Letter, MidLetter | MidNumLet) | (Digit, MidNum | MidNumLet)
                    if class(i + 2) == c =>
                {
                    2
                }
                _ => break,
            };
            alphanumeric |= matches!(class(i), Letter | Digit);
        }
        i += 1;
        if alphanumeric {
            push_ascii_word(tokens, offset + start, &line[start..i]);
        }
    }
}

/// Normalises one word as the matcher sees it: underscores around it stripped, Unicode
/// lowercase, `’`/`ʼ` as `'`, a final possessive `'s` removed (unless nothing else is left).
pub fn normalize(word: &str) -> Cow<'_, str> {
    normalize_word(word.trim_matches(|c: char| c == '_' || c.is_whitespace()))
}

fn normalize_word(word: &str) -> Cow<'_, str> {
    let mut out: Cow<'_, str> = if word.is_ascii() {
        ascii_lowercase(word)
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
    strip_possessive(&mut out);
    out
}

/// An ASCII word in lower case, borrowed when it is already.
fn ascii_lowercase(word: &str) -> Cow<'_, str> {
    if word.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(word.to_ascii_lowercase())
    } else {
        Cow::Borrowed(word)
    }
}

/// Removes a final possessive `'s` (unless nothing else is left).
fn strip_possessive(word: &mut Cow<'_, str>) {
    if word.len() > 2 && word.ends_with("'s") {
        match word {
            Cow::Borrowed(s) => *s = &s[..s.len() - 2],
            Cow::Owned(s) => s.truncate(s.len() - 2),
        }
    }
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

    /// The tokens `unicode_word_indices` gives over the whole text, without the ASCII scanner.
    fn general_tokens(text: &str) -> Vec<Token<'_>> {
        let mut tokens = Vec::new();
        for (start, word) in text.unicode_word_indices() {
            push_word(&mut tokens, start, word);
        }
        tokens
    }

    #[test]
    fn ascii_scanner_agrees_with_uax29_on_the_kjv_and_the_essay() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<_> = std::fs::read_dir(root.join("../shared/corpora/kjv"))
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
            compared += text.len();
        }
        assert!(compared > 4_000_000, "the whole KJV is compared");
    }

    #[test]
    fn ascii_scanner_cases() {
        for text in [
            "a.b a:b 1:2 1.5 1,000 1;2 a,b a;b a'b 'tis rock 'n' roll",
            "_she_ __ a_1 1_a a__b _ 3.5. U.S. e.g. x.. .x a..b 1..2",
            "end. a:1 1:a a.1 1.a can't don't A.B.C: 'x' \"quoted\"",
            "tab\tsep\rcr\r\nlf\x0bvt\x0cff x\x00y ~!@#$%^&*()-+=[]{}|<>/?`",
        ] {
            assert!(tokenize(text) == general_tokens(text), "{text:?}");
        }
    }

    use proptest::prelude::*;
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_ascii_scanner_gives_the_tokens_of_uax29(text in r#"([a-zA-Z]{1,3}|[0-9]{1,2}|[ .:,;'_\t\r\n"!?()-]|\PC|’|é|\u{301}){0,60}"#) {
            prop_assert_eq!(tokenize(&text), general_tokens(&text));
        }
    }

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
