//! Writing a loaded lexicon in another format: TOML, CSV or `.dic`.
//!
//! In: a [`Lexicon`] and a target format. Out: the file's text on an `impl Write`, and warnings
//! naming what the target format cannot hold (CSV: labels, descriptions, contrasts, negation,
//! hyphens, the matching rule; `.dic`: the same, and weights). Loading the export gives back the same
//! theme ids, terms and weights (those the format can hold).

use std::io::Write;

use serde::Serialize;

use super::{derive_id, Format, Lexicon, MatchMode, Negation, Weight};
use crate::error::{Error, Result};

#[derive(Serialize)]
struct FileOut<'a> {
    name: &'a str,
    matching: MatchMode,
    #[serde(skip_serializing_if = "Option::is_none")]
    hyphens: Option<crate::tokenize::Hyphens>,
    negation: NegationOut,
    themes: Vec<ThemeOut<'a>>,
    contrasts: Vec<ContrastOut<'a>>,
}

#[derive(Serialize)]
struct NegationOut {
    enabled: bool,
    window: usize,
    negators: Vec<String>,
    contraction_suffix: String,
    exceptions: Vec<String>,
    breaks: Vec<String>,
    break_words: Vec<String>,
}

#[derive(Serialize)]
struct ThemeOut<'a> {
    id: &'a str,
    label: &'a str,
    description: &'a str,
    terms: Vec<TermOut<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum TermOut<'a> {
    Plain(&'a str),
    Weighted { term: &'a str, weight: f64 },
}

#[derive(Serialize)]
struct ContrastOut<'a> {
    left: &'a str,
    right: &'a str,
}

fn negation_out(n: &Negation) -> NegationOut {
    NegationOut {
        enabled: n.enabled,
        window: n.window,
        negators: n.negators.clone(),
        contraction_suffix: n.contraction_suffix.clone().unwrap_or_default(),
        exceptions: n
            .exceptions
            .iter()
            .map(|(a, b)| format!("{a} {b}"))
            .collect(),
        breaks: n.breaks.iter().map(char::to_string).collect(),
        break_words: n.break_words.clone(),
    }
}

/// The name a flat format writes for a theme: its label when that gives back the same id,
/// otherwise the id itself.
fn category_name(id: &str, label: &str) -> String {
    if derive_id(label) == id && !label.contains(['\t', '\n', '\r']) {
        label.to_string()
    } else {
        id.to_string()
    }
}

/// A weight as the shortest decimal that reads back the same (`1`, `2.5`, `0.1234`).
fn weight_text(w: Weight) -> String {
    let s = w.to_string();
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Writes `lexicon` as `format` to `out`; returns warnings on what the format cannot hold.
pub fn export<W: Write>(lexicon: &Lexicon, format: Format, mut out: W) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    let io = |e: std::io::Error| Error::output("(standard output)", e);
    let modes: Vec<MatchMode> = lexicon.sources.iter().map(|s| s.matching).collect();
    let first_mode = modes.first().copied().unwrap_or(MatchMode::PerTheme);
    match format {
        Format::Toml => {
            if modes.iter().any(|m| *m != first_mode) {
                warnings.push(format!(
                    "the lexicon mixes matching rules; TOML holds one, so the export uses {:?} for all themes",
                    first_mode
                ));
            }
            let file = FileOut {
                name: &lexicon.name,
                matching: first_mode,
                hyphens: lexicon.hyphens_setting,
                negation: negation_out(&lexicon.negation),
                themes: lexicon
                    .themes
                    .iter()
                    .map(|t| ThemeOut {
                        id: &t.id,
                        label: &t.label,
                        description: &t.description,
                        terms: t
                            .terms
                            .iter()
                            .map(|term| match term.weight {
                                Weight::ONE => TermOut::Plain(&term.text),
                                w => TermOut::Weighted {
                                    term: &term.text,
                                    weight: w.as_f64(),
                                },
                            })
                            .collect(),
                    })
                    .collect(),
                contrasts: lexicon
                    .contrasts
                    .iter()
                    .map(|c| ContrastOut {
                        left: &lexicon.themes[c.left].id,
                        right: &lexicon.themes[c.right].id,
                    })
                    .collect(),
            };
            let text = ::toml::to_string_pretty(&file)
                .map_err(|e| Error::Usage(format!("cannot write the lexicon as TOML: {e}")))?;
            out.write_all(text.as_bytes()).map_err(io)?;
        }
        Format::Csv | Format::Dic => {
            let target = format.name();
            let mut lost = Vec::new();
            if lexicon
                .themes
                .iter()
                .any(|t| category_name(&t.id, &t.label) != t.label)
            {
                lost.push("theme labels");
            }
            if lexicon.themes.iter().any(|t| !t.description.is_empty()) {
                lost.push("descriptions");
            }
            if !lexicon.contrasts.is_empty() {
                lost.push("contrasts (give them with --contrast LEFT:RIGHT)");
            }
            if lexicon.negation != Negation::default() {
                lost.push("negation settings (the defaults apply)");
            }
            if lexicon.hyphens() != crate::tokenize::Hyphens::Split {
                lost.push("hyphens = \"keep\" (give --hyphens keep)");
            }
            let loaded_as = if format == Format::Dic {
                MatchMode::BestEntry
            } else {
                MatchMode::PerTheme
            };
            if modes.iter().any(|m| *m != loaded_as) {
                lost.push(if loaded_as == MatchMode::BestEntry {
                    "per-theme matching (a .dic loads with best-entry)"
                } else {
                    "best-entry matching (a CSV lexicon loads with per-theme)"
                });
            }
            if format == Format::Dic
                && lexicon
                    .themes
                    .iter()
                    .any(|t| t.terms.iter().any(|x| x.weight != Weight::ONE))
            {
                lost.push("weights (every entry counts 1)");
            }
            if !lost.is_empty() {
                warnings.push(format!(
                    "a {target} lexicon cannot hold {}: they are not exported",
                    lost.join(", ")
                ));
            }
            if format == Format::Dic {
                refuse_unwritable_dic_terms(lexicon)?;
            }
            if format == Format::Csv {
                write_csv(lexicon, &mut out).map_err(io)?;
            } else {
                write_dic(lexicon, &mut out).map_err(io)?;
            }
        }
        Format::Dicx => {
            return Err(Error::Usage(
                "themescope does not write .dicx: export to toml, csv or dic".to_string(),
            ))
        }
    }
    out.flush().map_err(io)?;
    Ok(warnings)
}

/// A `.dic` line is a term and its categories separated by tabs: a term holding a tab or a line
/// break would come back as other terms, so it is refused, named.
fn refuse_unwritable_dic_terms(lexicon: &Lexicon) -> Result<()> {
    for theme in &lexicon.themes {
        if let Some(term) = theme
            .terms
            .iter()
            .find(|t| t.text.contains(['\t', '\n', '\r']))
        {
            return Err(Error::Usage(format!(
                "the entry {:?} of theme {:?} holds a tab or a line break, which a .dic file cannot hold: export to toml or csv, or change the entry",
                term.text, theme.id
            )));
        }
    }
    Ok(())
}

fn write_csv<W: Write>(lexicon: &Lexicon, out: &mut W) -> std::io::Result<()> {
    let mut w = crate::csv_format::writer(out);
    let weighted = lexicon
        .themes
        .iter()
        .any(|t| t.terms.iter().any(|x| x.weight != Weight::ONE));
    let mut header = vec!["term", "category"];
    if weighted {
        header.push("weight");
    }
    w.write_record(&header)?;
    for theme in &lexicon.themes {
        let name = category_name(&theme.id, &theme.label);
        for term in &theme.terms {
            let mut record = vec![term.text.clone(), name.clone()];
            if weighted {
                record.push(weight_text(term.weight));
            }
            w.write_record(&record)?;
        }
    }
    w.flush()
}

fn write_dic<W: Write>(lexicon: &Lexicon, out: &mut W) -> std::io::Result<()> {
    writeln!(out, "%")?;
    for (i, theme) in lexicon.themes.iter().enumerate() {
        let name = category_name(&theme.id, &theme.label);
        // A .dic category name is one word: a label with spaces goes out as the id.
        let name = if name.contains(char::is_whitespace) {
            theme.id.clone()
        } else {
            name
        };
        writeln!(out, "{}\t{}", i + 1, name)?;
    }
    writeln!(out, "%")?;
    // One line per distinct term, with every category that lists it, in order of first use.
    let mut order: Vec<&str> = Vec::new();
    let mut codes: std::collections::HashMap<&str, Vec<usize>> = std::collections::HashMap::new();
    for (i, theme) in lexicon.themes.iter().enumerate() {
        for term in &theme.terms {
            let entry = codes.entry(term.text.as_str()).or_default();
            if entry.is_empty() {
                order.push(&term.text);
            }
            entry.push(i + 1);
        }
    }
    for term in order {
        let ids: Vec<String> = codes[term].iter().map(usize::to_string).collect();
        writeln!(out, "{term}\t{}", ids.join("\t"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    /// (id, [(term, weight)]) of every theme: what a round trip must keep.
    fn content(lex: &Lexicon) -> Vec<(String, Vec<(String, u64)>)> {
        lex.themes
            .iter()
            .map(|t| {
                (
                    t.id.clone(),
                    t.terms
                        .iter()
                        .map(|x| (x.text.clone(), x.weight.0))
                        .collect(),
                )
            })
            .collect()
    }

    fn round_trip(lex: &Lexicon, format: Format) -> (Lexicon, Vec<String>) {
        let mut bytes = Vec::new();
        let warnings = export(lex, format, &mut bytes).unwrap();
        (
            Lexicon::parse(&bytes, "exported", format).unwrap(),
            warnings,
        )
    }

    const WEIGHTED: &str = "name = \"w\"\n[[themes]]\nid = \"hardship\"\nlabel = \"Hardship\"\ndescription = \"d\"\nterms = [\"hardship*\", { term = \"famine\", weight = 2.5 }, \"power outage*\", \"self-reliance\"]\n[[themes]]\nid = \"pride\"\nlabel = \"Pride & honour\"\nterms = [\"pride\", { term = \"honor\", weight = 0.1234 }, \"self-reliance\"]\n[[contrasts]]\nleft = \"hardship\"\nright = \"pride\"\n";

    #[test]
    fn every_format_round_trips_terms_categories_and_weights() {
        let lex = crate::lexicon::parse_toml(WEIGHTED, "w.toml").unwrap();
        let (toml, warnings) = round_trip(&lex, Format::Toml);
        assert!(warnings.is_empty());
        assert_eq!(content(&toml), content(&lex));
        assert_eq!(toml.contrasts, lex.contrasts);
        assert_eq!(toml.negation, lex.negation);
        assert_eq!(toml.themes[1].label, "Pride & honour");

        let (csv, warnings) = round_trip(&lex, Format::Csv);
        assert_eq!(content(&csv), content(&lex));
        assert_eq!(
            warnings,
            ["a csv lexicon cannot hold theme labels, descriptions, contrasts (give them with --contrast LEFT:RIGHT): they are not exported"]
        );
        assert_eq!(csv.themes[0].label, "Hardship");

        let (dic, warnings) = round_trip(&lex, Format::Dic);
        let unweighted: Vec<_> = content(&lex)
            .into_iter()
            .map(|(id, terms)| {
                (
                    id,
                    terms
                        .into_iter()
                        .map(|(t, _)| (t, Weight::ONE.0))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        // A .dic lists a term once with all its categories, so terms come in another order.
        let sorted = |mut c: Vec<(String, Vec<(String, u64)>)>| {
            c.iter_mut().for_each(|(_, terms)| terms.sort());
            c
        };
        assert_eq!(sorted(content(&dic)), sorted(unweighted));
        assert!(
            warnings[0].contains("weights (every entry counts 1)"),
            "{warnings:?}"
        );
        assert!(warnings[0].contains("per-theme matching"), "{warnings:?}");

        // And back: a .dic exported to TOML keeps best-entry matching.
        let (again, warnings) = round_trip(&dic, Format::Toml);
        assert!(warnings.is_empty());
        assert_eq!(content(&again), content(&dic));
        assert_eq!(again.sources[0].matching, MatchMode::BestEntry);
    }

    #[test]
    fn a_term_with_a_tab_or_line_break_is_not_written_as_dic() {
        for text in ["war\tpeace", "two\nlines", "old\rmac"] {
            let source = format!(
                "name = \"t\"\n[[themes]]\nid = \"a\"\nlabel = \"A\"\nterms = [{text:?}, \"ok\"]\n"
            );
            let lex = crate::lexicon::parse_toml(&source, "t.toml").unwrap();
            let err = export(&lex, Format::Dic, Vec::new())
                .unwrap_err()
                .to_string();
            assert_eq!(
                err,
                format!("the entry {text:?} of theme \"a\" holds a tab or a line break, which a .dic file cannot hold: export to toml or csv, or change the entry")
            );
            // CSV quotes it, and it comes back whole (a lone CR as a line end: LF).
            let (csv, _) = round_trip(&lex, Format::Csv);
            assert_eq!(csv.themes[0].terms[0].text, text.replace('\r', "\n"));
        }
    }

    #[test]
    fn dicx_is_not_an_export_target() {
        let lex = Lexicon::builtin().unwrap();
        assert!(export(&lex, Format::Dicx, Vec::new()).is_err());
    }
}
