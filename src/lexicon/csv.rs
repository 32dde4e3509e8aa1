//! Two-column CSV lexicons: `term,category[,weight]` with a header row, whatever its names
//! (tidytext's `word,sentiment` loads as it is).
//!
//! In: the file's text. Out: a [`Lexicon`] with one theme per category, in order of first
//! appearance, matched `per-theme`. A term listed under two categories counts in both.

use std::collections::HashMap;

use super::{flat_lexicon, lexicon_csv_records, Format, Lexicon, MatchMode, Weight};
use crate::error::{Error, Result};

/// Parses a CSV lexicon; `bytes` are the file's bytes (for its checksum).
pub fn parse_csv(text: &str, path: &str, bytes: &[u8]) -> Result<Lexicon> {
    let (headers, rows) = lexicon_csv_records(text, path)?;
    if headers.len() < 2 {
        return Err(Error::lexicon(
            path,
            Some(1),
            "a CSV lexicon needs a header row and at least two columns: term,category[,weight]",
        ));
    }
    let mut categories: Vec<String> = Vec::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    let mut entries = Vec::new();
    let warnings = Vec::new();
    for (line, record) in rows {
        if record.iter().all(str::is_empty) {
            continue;
        }
        let term = record.get(0).unwrap_or_default();
        let category = record.get(1).unwrap_or_default();
        if term.is_empty() || category.is_empty() {
            return Err(Error::lexicon(
                path,
                Some(line),
                "each row needs a term in the first column and a category in the second",
            ));
        }
        let weight = match record.get(2).filter(|w| !w.is_empty()) {
            None => Weight::ONE,
            Some(w) => w
                .parse::<f64>()
                .ok()
                .and_then(Weight::from_f64)
                .ok_or_else(|| {
                    Error::lexicon(
                        path,
                        Some(line),
                        format!("weight {w:?} of {term:?} is not a positive number from 0.0001 to 10000"),
                    )
                })?,
        };
        let index = match index_of.get(category) {
            Some(&i) => i,
            None => {
                categories.push(category.to_string());
                index_of.insert(category.to_string(), categories.len() - 1);
                categories.len() - 1
            }
        };
        entries.push((index, term.to_string(), weight, line));
    }
    flat_lexicon(
        path,
        bytes,
        Format::Csv,
        MatchMode::PerTheme,
        &categories,
        entries,
        warnings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Lexicon> {
        parse_csv(text, "lex.csv", text.as_bytes())
    }

    #[test]
    fn tidytext_word_sentiment_loads_as_it_is() {
        let lex =
            parse("word,sentiment\nabandon,negative\nable,positive\nabandon,fear\n\n").unwrap();
        let ids: Vec<&str> = lex.themes.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["negative", "positive", "fear"]);
        assert_eq!(lex.themes[2].terms[0].text, "abandon");
        assert_eq!(lex.themes[2].terms[0].line, Some(4));
        assert_eq!(lex.name, "lex");
    }

    #[test]
    fn weights_labels_and_errors() {
        let lex =
            parse("term,category,weight\nproud,Positive Emotion,2.5\nsad,Negative-Emotion,\n")
                .unwrap();
        assert_eq!(
            (lex.themes[0].id.as_str(), lex.themes[0].label.as_str()),
            ("positive_emotion", "Positive Emotion")
        );
        assert_eq!(lex.themes[0].terms[0].weight, Weight(25_000));
        assert_eq!(lex.themes[1].terms[0].weight, Weight::ONE);
        assert_eq!(
            parse("t,c,w\nx,a,0\n").unwrap_err().to_string(),
            "lex.csv:2: weight \"0\" of \"x\" is not a positive number from 0.0001 to 10000"
        );
        assert_eq!(
            parse("t,c\nx,a\ny\n").unwrap_err().to_string(),
            "lex.csv:3: each row needs a term in the first column and a category in the second"
        );
        assert_eq!(
            parse("onlyone\nx\n").unwrap_err().to_string(),
            "lex.csv:1: a CSV lexicon needs a header row and at least two columns: term,category[,weight]"
        );
    }

    #[test]
    fn duplicates_warn_with_both_lines() {
        let lex = parse("t,c\nx,a\nx,a\n").unwrap();
        assert_eq!(lex.warnings, ["lex.csv:3: duplicate entry \"x\" in category \"a\" (first on line 2; counted once)"]);
    }
}
