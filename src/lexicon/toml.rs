//! The native TOML lexicon format (schema in README, "Lexicons").
//!
//! In: TOML text and a display path. Out: a validated [`Lexicon`], or an error naming the path
//! and the line of the offending entry.

use serde::Deserialize;
use toml::Spanned;

use std::collections::HashSet;

use super::{
    check_interrupt, is_valid_id, Contrast, Format, Lexicon, MatchMode, Negation, Source, Term,
    Theme, Weight,
};
use crate::error::{Error, Result};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileToml {
    name: Option<String>,
    #[allow(dead_code)]
    description: Option<String>,
    matching: Option<MatchMode>,
    hyphens: Option<crate::tokenize::Hyphens>,
    negation: Option<NegationToml>,
    #[serde(default)]
    themes: Vec<ThemeToml>,
    #[serde(default)]
    contrasts: Vec<ContrastToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NegationToml {
    enabled: Option<bool>,
    window: Option<usize>,
    negators: Option<Vec<String>>,
    contraction_suffix: Option<String>,
    exceptions: Option<Vec<String>>,
    breaks: Option<Vec<String>>,
    break_words: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeToml {
    id: Spanned<String>,
    label: Option<String>,
    description: Option<String>,
    #[serde(default)]
    terms: Vec<Spanned<::toml::Value>>,
}

/// Reads one entry of a `terms` list: `"text"` or `{ term = "text", weight = 2 }`.
fn term_from_value(
    value: ::toml::Value,
    theme: &str,
) -> std::result::Result<(String, Weight), String> {
    use ::toml::Value;
    const SHAPE: &str = "a term is \"text\" or { term = \"text\", weight = 2 }";
    match value {
        Value::String(text) => Ok((text, Weight::ONE)),
        Value::Table(table) => {
            if let Some(key) = table.keys().find(|k| *k != "term" && *k != "weight") {
                return Err(format!(
                    "unknown key {key:?} in a term of theme {theme:?}: {SHAPE}"
                ));
            }
            let Some(Value::String(text)) = table.get("term") else {
                return Err(format!(
                    "a term of theme {theme:?} has no term = \"text\": {SHAPE}"
                ));
            };
            let weight = match table.get("weight") {
                None => return Ok((text.clone(), Weight::ONE)),
                Some(Value::Integer(i)) => *i as f64,
                Some(Value::Float(f)) => *f,
                Some(other) => {
                    return Err(format!(
                        "the weight of {text:?} in theme {theme:?} must be a number, not {other}"
                    ))
                }
            };
            let w = Weight::from_f64(weight).ok_or_else(|| {
                format!(
                    "term {text:?} of theme {theme:?} has weight {weight}: a weight must be a positive number from 0.0001 to 10000"
                )
            })?;
            Ok((text.clone(), w))
        }
        other => Err(format!("{SHAPE}, not {other}")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContrastToml {
    left: Spanned<String>,
    right: Spanned<String>,
}

/// The 1-based line of a byte offset: the line starts are found once, then each offset is a
/// binary search (counting lines from the start for every term made loading quadratic).
struct LineIndex {
    /// Where each line starts: 0, then one past each `\n`.
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(source: &str) -> LineIndex {
        let ends = memchr::memchr_iter(b'\n', source.as_bytes()).map(|at| at + 1);
        LineIndex {
            starts: std::iter::once(0).chain(ends).collect(),
        }
    }

    /// The line holding byte `offset` (the last line for an offset past the end).
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset)
    }
}

/// Parses and validates a TOML lexicon; `path` names it in messages.
pub fn parse_toml(source: &str, path: &str) -> Result<Lexicon> {
    let lines = LineIndex::new(source);
    let line_of = |offset: usize| lines.line_of(offset);
    check_interrupt(0)?;
    let file: FileToml = ::toml::from_str(source).map_err(|e| {
        let line = e.span().map(|s| line_of(s.start));
        Error::lexicon(path, line, e.message().trim().to_string())
    })?;
    let mut warnings = Vec::new();

    if file.themes.is_empty() {
        return Err(Error::lexicon(
            path,
            None,
            "the lexicon defines no theme: add at least one [[themes]] table with an id and terms",
        ));
    }
    let mut themes: Vec<Theme> = Vec::with_capacity(file.themes.len());
    let mut read = 0usize;
    for t in file.themes {
        let id_line = line_of(t.id.span().start);
        let id = t.id.into_inner();
        if !is_valid_id(&id) {
            return Err(Error::lexicon(
                path,
                Some(id_line),
                format!("theme id {id:?} is not valid: use lowercase letters, digits and _ only"),
            ));
        }
        if themes.iter().any(|other| other.id == id) {
            return Err(Error::lexicon(
                path,
                Some(id_line),
                format!("theme {id:?} is defined twice"),
            ));
        }
        let mut terms: Vec<Term> = Vec::with_capacity(t.terms.len());
        let mut seen: HashSet<String> = HashSet::with_capacity(t.terms.len());
        for spanned in t.terms {
            check_interrupt(read)?;
            read += 1;
            let line = line_of(spanned.span().start);
            let (text, weight) = term_from_value(spanned.into_inner(), &id)
                .map_err(|message| Error::lexicon(path, Some(line), message))?;
            let text = text.trim().to_string();
            if text.is_empty() {
                return Err(Error::lexicon(
                    path,
                    Some(line),
                    format!("theme {id:?} has an empty term"),
                ));
            }
            if !seen.insert(text.clone()) {
                warnings.push(format!(
                    "{path}:{line}: duplicate entry {text:?} in theme {id:?} (counted once)"
                ));
                continue;
            }
            terms.push(Term {
                text,
                weight,
                line: Some(line),
            });
        }
        if terms.is_empty() {
            return Err(Error::lexicon(
                path,
                Some(id_line),
                format!("theme {id:?} has no terms: give it a terms = [...] list"),
            ));
        }
        themes.push(Theme {
            source: 0,
            label: t.label.unwrap_or_else(|| id.clone()),
            description: t.description.unwrap_or_default(),
            id,
            terms,
        });
    }

    let mut contrasts: Vec<Contrast> = Vec::new();
    for c in file.contrasts {
        let line = line_of(c.left.span().start);
        let pole = |name: &Spanned<String>| {
            themes
                .iter()
                .position(|t| &t.id == name.get_ref())
                .ok_or_else(|| {
                    Error::lexicon(
                        path,
                        Some(line_of(name.span().start)),
                        format!(
                            "contrast pole {:?} is not a theme of this lexicon; themes: {}",
                            name.get_ref(),
                            themes
                                .iter()
                                .map(|t| t.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
        };
        let (left, right) = (pole(&c.left)?, pole(&c.right)?);
        if left == right {
            return Err(Error::lexicon(
                path,
                Some(line),
                format!(
                    "a contrast needs two different themes, not {:?} twice",
                    themes[left].id
                ),
            ));
        }
        let id = format!("{}_vs_{}", themes[left].id, themes[right].id);
        if contrasts.iter().any(|other| other.id == id) {
            warnings.push(format!(
                "{path}:{line}: contrast {id} is defined twice (kept once)"
            ));
            continue;
        }
        contrasts.push(Contrast { id, left, right });
    }

    let negation = match file.negation {
        None => Negation::default(),
        Some(n) => negation_from_toml(n, path)?,
    };

    Ok(Lexicon {
        name: file.name.unwrap_or_else(|| path.to_string()),
        sources: vec![Source {
            path: path.to_string(),
            format: Format::Toml,
            sha256: crate::checksum::sha256_hex(source.as_bytes()),
            matching: file.matching.unwrap_or(MatchMode::PerTheme),
        }],
        themes,
        contrasts,
        negation,
        hyphens_setting: file.hyphens,
        warnings,
    })
}

fn negation_from_toml(n: NegationToml, path: &str) -> Result<Negation> {
    let defaults = Negation::default();
    let norm = |words: Vec<String>| -> Vec<String> {
        words
            .iter()
            .map(|w| crate::tokenize::normalize(w.trim()).to_string())
            .filter(|w| !w.is_empty())
            .collect()
    };
    let window = n.window.unwrap_or(defaults.window);
    if window == 0 || window > 50 {
        return Err(Error::lexicon(
            path,
            None,
            format!(
                "negation window {window} is out of range: use 1 to 50 tokens (or enabled = false)"
            ),
        ));
    }
    let mut exceptions = Vec::new();
    for phrase in n.exceptions.unwrap_or_else(|| vec!["not only".to_string()]) {
        let words: Vec<String> = crate::tokenize::tokenize(&phrase)
            .into_iter()
            .map(|t| t.text.to_string())
            .collect();
        match <[String; 2]>::try_from(words) {
            Ok([a, b]) => exceptions.push((a, b)),
            Err(_) => {
                return Err(Error::lexicon(
                    path,
                    None,
                    format!("negation exception {phrase:?} must be two words, a negator and the word after it (like \"not only\")"),
                ))
            }
        }
    }
    let mut breaks = Vec::new();
    for b in n
        .breaks
        .unwrap_or_else(|| defaults.breaks.iter().map(|c| c.to_string()).collect())
    {
        let mut chars = b.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => breaks.push(c),
            _ => {
                return Err(Error::lexicon(
                    path,
                    None,
                    format!("negation break {b:?} must be a single character (list words under break_words)"),
                ))
            }
        }
    }
    Ok(Negation {
        enabled: n.enabled.unwrap_or(true),
        window,
        negators: n.negators.map(norm).unwrap_or(defaults.negators),
        contraction_suffix: match n.contraction_suffix {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(
                s.trim()
                    .replace(['\u{2019}', '\u{02BC}'], "'")
                    .to_lowercase(),
            ),
            None => defaults.contraction_suffix,
        },
        exceptions,
        breaks,
        break_words: n.break_words.map(norm).unwrap_or(defaults.break_words),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(source: &str) -> String {
        parse_toml(source, "lex.toml").unwrap_err().to_string()
    }

    #[test]
    fn parses_terms_weights_and_contrasts() {
        let lex = parse_toml(
            "name = \"t\"\n[[themes]]\nid = \"a\"\nterms = [\"x\", { term = \"y z\", weight = 2.5 }, \"x\"]\n[[themes]]\nid = \"b\"\nlabel = \"B b\"\nterms = [\"w*\"]\n[[contrasts]]\nleft = \"a\"\nright = \"b\"\n",
            "lex.toml",
        )
        .unwrap();
        assert_eq!(lex.name, "t");
        assert_eq!(lex.themes[0].label, "a");
        assert_eq!(lex.themes[1].label, "B b");
        assert_eq!(lex.themes[0].terms.len(), 2);
        assert_eq!(lex.themes[0].terms[1].weight, Weight(25_000));
        assert_eq!(lex.themes[0].terms[1].line, Some(4));
        assert_eq!(lex.contrasts[0].id, "a_vs_b");
        assert_eq!(
            lex.warnings,
            vec!["lex.toml:4: duplicate entry \"x\" in theme \"a\" (counted once)"]
        );
        assert_eq!(lex.sources[0].matching, MatchMode::PerTheme);
    }

    #[test]
    fn errors_name_file_and_line() {
        assert_eq!(
            err("[[themes]]\nid = \"a\"\nterms = [\"x\"]\n[[contrasts]]\nleft = \"a\"\nright = \"zz\"\n"),
            "lex.toml:6: contrast pole \"zz\" is not a theme of this lexicon; themes: a"
        );
        assert_eq!(
            err("[[themes]]\nid = \"a\"\nterms = [\n \"x\",\n { term = \"y\", weight = -1 }]\n"),
            "lex.toml:5: term \"y\" of theme \"a\" has weight -1: a weight must be a positive number from 0.0001 to 10000"
        );
        assert_eq!(
            err("[[themes]]\nid = \"a\"\nterms = [\n \"x\",\n { term = \"z\", weight = \"heavy\" }]\n"),
            "lex.toml:5: the weight of \"z\" in theme \"a\" must be a number, not \"heavy\""
        );
        assert_eq!(
            err("[[themes]]\nid = \"a\"\nterms = [\n \"x\",\n { term = \"y\", wieght = 2 }]\n"),
            "lex.toml:5: unknown key \"wieght\" in a term of theme \"a\": a term is \"text\" or { term = \"text\", weight = 2 }"
        );
        assert_eq!(
            err("[[themes]]\nid = \"a\"\nterms = [\"x\", 3]\n"),
            "lex.toml:3: a term is \"text\" or { term = \"text\", weight = 2 }, not 3"
        );
        assert_eq!(
            err("[[themes]]\nid = \"Bad Id\"\nterms = [\"x\"]\n"),
            "lex.toml:2: theme id \"Bad Id\" is not valid: use lowercase letters, digits and _ only"
        );
        assert_eq!(
            err("[[themes]]\nid = \"a\"\nterms = []\n"),
            "lex.toml:2: theme \"a\" has no terms: give it a terms = [...] list"
        );
        assert!(err("[[themes]\nid = 1").starts_with("lex.toml:1: "));
    }
}
