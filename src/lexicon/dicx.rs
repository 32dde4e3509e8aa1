//! LIWC-22 `.dicx` lexicons: CSV with the term in the first column and one column per category.
//!
//! In: the file's text. Out: a [`Lexicon`] matched with LIWC's `best-entry` rule. A cell that is
//! blank means no; `X` or `1` means yes; any other positive number is the weight; anything else
//! (zero, negative, text) is an error naming the line and the column.

use super::{flat_lexicon, lexicon_csv_records, Format, Lexicon, MatchMode, Weight};
use crate::error::{Error, Result};

/// Parses a `.dicx` lexicon; `bytes` are the file's bytes (for its checksum).
pub fn parse_dicx(text: &str, path: &str, bytes: &[u8]) -> Result<Lexicon> {
    let (headers, rows) = lexicon_csv_records(text, path)?;
    let categories: Vec<String> = headers.iter().skip(1).map(str::to_string).collect();
    if categories.is_empty() || categories.iter().any(String::is_empty) {
        return Err(Error::lexicon(
            path,
            Some(1),
            "a .dicx header names the term column, then one column per category (none may be blank)",
        ));
    }
    let mut entries = Vec::new();
    let warnings = Vec::new();
    for (line, record) in rows {
        let term = record.get(0).unwrap_or_default();
        if term.is_empty() {
            if record.iter().any(|c| !c.is_empty()) {
                return Err(Error::lexicon(
                    path,
                    Some(line),
                    "a row has marks but no term in the first column",
                ));
            }
            continue;
        }
        if record.len() > categories.len() + 1
            && record
                .iter()
                .skip(categories.len() + 1)
                .any(|c| !c.is_empty())
        {
            return Err(Error::lexicon(
                path,
                Some(line),
                "the row has more cells than the header has categories",
            ));
        }
        for (i, cell) in record.iter().skip(1).enumerate() {
            let weight = match cell {
                "" => continue,
                "X" | "x" | "1" => Weight::ONE,
                other => other.parse::<f64>().ok().and_then(Weight::from_f64).ok_or_else(|| {
                    Error::lexicon(
                        path,
                        Some(line),
                        format!(
                            "column {:?}: {other:?} is not a mark: leave the cell blank, put X or 1, or a positive weight",
                            categories[i]
                        ),
                    )
                })?,
            };
            entries.push((i, term.to_string(), weight, line));
        }
    }
    flat_lexicon(
        path,
        bytes,
        Format::Dicx,
        MatchMode::BestEntry,
        &categories,
        entries,
        warnings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Lexicon> {
        parse_dicx(text, "lex.dicx", text.as_bytes())
    }

    #[test]
    fn marks_and_weights() {
        let lex =
            parse("DicTerm,Hardship,Pride\nhardship*,X,\nproud*,,1\nhonor,,2.5\nstruggl*,0.5,\n")
                .unwrap();
        assert_eq!(lex.sources[0].matching, MatchMode::BestEntry);
        let terms: Vec<(String, u64)> = lex.themes[0]
            .terms
            .iter()
            .map(|t| (t.text.clone(), t.weight.0))
            .collect();
        assert_eq!(
            terms,
            [
                ("hardship*".to_string(), 10_000),
                ("struggl*".to_string(), 5_000)
            ]
        );
        assert_eq!(lex.themes[1].terms[1].weight, Weight(25_000));
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        assert_eq!(
            parse("DicTerm,A,B\nx,X,\ny,,-1\n").unwrap_err().to_string(),
            "lex.dicx:3: column \"B\": \"-1\" is not a mark: leave the cell blank, put X or 1, or a positive weight"
        );
        assert_eq!(
            parse("DicTerm,A\nx,0\n").unwrap_err().to_string(),
            "lex.dicx:2: column \"A\": \"0\" is not a mark: leave the cell blank, put X or 1, or a positive weight"
        );
        assert!(parse("DicTerm\nx\n")
            .unwrap_err()
            .to_string()
            .starts_with("lex.dicx:1: "));
    }
}
