//! LIWC `.dic` lexicons: a `%` block of `id<TAB>category` lines, a second `%`, then
//! `term<TAB>id…` lines; `*` at the end of a term is a prefix wildcard.
//!
//! In: the file's bytes. Out: a [`Lexicon`] matched with LIWC's `best-entry` rule.
//!
//! Tolerant of what real files contain: a BOM, CRLF, blank lines, repeated tabs, spaces instead
//! of or before tabs, multi-word terms, and lines that are not UTF-8 (read as Latin-1, with a
//! warning naming the line). Conditional entries (`kind <of>`, `like (02 134)125/464`) are
//! skipped with a warning naming the line, as are codes that are not numbers and entries without
//! a category. A missing `%` block or a malformed category line is an error naming the line.

use std::collections::HashMap;

use super::{check_interrupt, flat_lexicon, Format, Lexicon, MatchMode, Weight};
use crate::error::{Error, Result};

/// Parses a `.dic` lexicon.
pub fn parse_dic(bytes: &[u8], path: &str) -> Result<Lexicon> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut warnings = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    // Each category code's index in `categories`.
    let mut codes: HashMap<u64, usize> = HashMap::new();
    let mut entries = Vec::new();
    // 0: before the first %, 1: in the category block, 2: in the entries.
    let mut part = 0;
    for (i, raw) in body.split(|&b| b == b'\n').enumerate() {
        check_interrupt(i)?;
        let line_no = i + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line: std::borrow::Cow<'_, str> = match std::str::from_utf8(raw) {
            Ok(s) => s.into(),
            Err(_) => {
                warnings.push(format!("{path}:{line_no}: not UTF-8; read as Latin-1"));
                raw.iter()
                    .map(|&b| char::from(b))
                    .collect::<String>()
                    .into()
            }
        };
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed == "%" {
            part += 1;
            if part > 2 {
                return Err(Error::lexicon(
                    path,
                    Some(line_no),
                    "a third % line: a .dic file has one % block of categories",
                ));
            }
            continue;
        }
        match part {
            0 => return Err(Error::lexicon(
                path,
                Some(line_no),
                "a .dic file starts with a % line, then `id<TAB>category` lines, then another %",
            )),
            1 => {
                let mut fields = trimmed.split_whitespace();
                let code = fields.next().and_then(|c| c.parse::<u64>().ok());
                let (Some(code), Some(name)) = (code, fields.next()) else {
                    return Err(Error::lexicon(
                        path,
                        Some(line_no),
                        format!("expected `id<TAB>category` in the % block, found {trimmed:?}"),
                    ));
                };
                if codes.contains_key(&code) {
                    return Err(Error::lexicon(
                        path,
                        Some(line_no),
                        format!("category id {code} is defined twice"),
                    ));
                }
                codes.insert(code, categories.len());
                categories.push(name.to_string());
            }
            _ => {
                // Split before trimming the start: a line that opens with a tab has no term.
                let split = line.trim_end().split_once('\t');
                // LIWC's conditional entries: `kind <of>` in the term, or codes like
                // `(02 134)125/464`. A term such as "24/7" or ":(" is an ordinary entry.
                let conditional = match split {
                    Some((term, codes)) => {
                        (term.contains('<') && term.contains('>'))
                            || codes.contains(['(', ')', '/', '<', '>'])
                    }
                    None => trimmed.contains('<') && trimmed.contains('>'),
                };
                if conditional {
                    warnings.push(format!(
                        "{path}:{line_no}: conditional entry {trimmed:?} skipped (themescope has no conditional entries)"
                    ));
                    continue;
                }
                let (term, ids): (String, Vec<&str>) = match split {
                    Some((term, rest)) => {
                        (term.trim().to_string(), rest.split_whitespace().collect())
                    }
                    None => {
                        let fields: Vec<&str> = trimmed.split_whitespace().collect();
                        let first_code = fields
                            .iter()
                            .rposition(|f| f.parse::<u64>().is_err())
                            .map_or(0, |p| p + 1)
                            .max(1);
                        (
                            fields[..first_code].join(" "),
                            fields[first_code..].to_vec(),
                        )
                    }
                };
                if term.is_empty() {
                    warnings.push(format!("{path}:{line_no}: a line without a term; skipped"));
                    continue;
                }
                if ids.is_empty() {
                    warnings.push(format!(
                        "{path}:{line_no}: entry {term:?} has no category; skipped"
                    ));
                    continue;
                }
                let mut targets = Vec::new();
                for id in &ids {
                    match id.parse::<u64>().ok().and_then(|c| codes.get(&c)) {
                        Some(&index) => targets.push(index),
                        None => warnings.push(format!(
                            "{path}:{line_no}: category {id:?} of {term:?} is not defined in the % block; ignored"
                        )),
                    }
                }
                for index in targets {
                    entries.push((index, term.clone(), Weight::ONE, line_no));
                }
            }
        }
    }
    if part < 2 {
        return Err(Error::lexicon(
            path,
            None,
            "no complete % block: a .dic file starts with %, then `id<TAB>category` lines, then %",
        ));
    }
    flat_lexicon(
        path,
        bytes,
        Format::Dic,
        MatchMode::BestEntry,
        &categories,
        entries,
        warnings,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(lex: &Lexicon, theme: usize) -> Vec<&str> {
        lex.themes[theme]
            .terms
            .iter()
            .map(|t| t.text.as_str())
            .collect()
    }

    #[test]
    fn reads_what_real_files_contain() {
        let text = b"\xEF\xBB\xBF%\r\n1\tposemo\r\n2 \t negemo\t(Negative emotion)\r\n%\r\n\r\nhapp*\t1\r\nsad\t\t2\r\nbitter sweet\t1 2\r\nbad  2\r\ncaf\xe9\t1\r\nkind <of>\t1\r\nlike\t(02 134)125/464\r\nlonely\r\nodd\t9\r\n";
        let lex = parse_dic(text, "lex.dic").unwrap();
        assert_eq!(lex.sources[0].matching, MatchMode::BestEntry);
        assert_eq!(lex.themes[0].label, "posemo");
        assert_eq!(terms(&lex, 0), ["happ*", "bitter sweet", "café"]);
        assert_eq!(terms(&lex, 1), ["sad", "bitter sweet", "bad"]);
        assert_eq!(lex.themes[0].terms[2].line, Some(10));
        assert_eq!(
            lex.warnings,
            [
                "lex.dic:10: not UTF-8; read as Latin-1",
                "lex.dic:11: conditional entry \"kind <of>\\t1\" skipped (themescope has no conditional entries)",
                "lex.dic:12: conditional entry \"like\\t(02 134)125/464\" skipped (themescope has no conditional entries)",
                "lex.dic:13: entry \"lonely\" has no category; skipped",
                "lex.dic:14: category \"9\" of \"odd\" is not defined in the % block; ignored",
            ]
        );
    }

    #[test]
    fn slashes_and_parentheses_in_terms_are_ordinary() {
        let lex = parse_dic(b"%\n1\ta\n%\n24/7\t1\n:(\t1\n", "x.dic").unwrap();
        assert_eq!(terms(&lex, 0), ["24/7", ":("]);
        assert!(lex.warnings.is_empty(), "{:?}", lex.warnings);
    }

    #[test]
    fn malformed_files_name_the_line() {
        assert_eq!(
            parse_dic(b"happy\t1\n", "x.dic").unwrap_err().to_string(),
            "x.dic:1: a .dic file starts with a % line, then `id<TAB>category` lines, then another %"
        );
        assert_eq!(
            parse_dic(b"%\n1\tposemo\nnegemo\n%\n", "x.dic")
                .unwrap_err()
                .to_string(),
            "x.dic:3: expected `id<TAB>category` in the % block, found \"negemo\""
        );
        assert_eq!(
            parse_dic(b"%\n1\ta\n1\tb\n%\n", "x.dic")
                .unwrap_err()
                .to_string(),
            "x.dic:3: category id 1 is defined twice"
        );
        assert!(parse_dic(b"%\n1\ta\n", "x.dic")
            .unwrap_err()
            .to_string()
            .starts_with("x.dic: no complete % block"));
    }
}
