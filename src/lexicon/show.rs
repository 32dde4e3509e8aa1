//! Human-readable reports on lexicons: `themescope lexicon show` and `lexicon check`.
//!
//! In: a loaded [`Lexicon`] (or the paths to check). Out: text on an `impl Write`.

use std::io::{self, Write};
use std::path::PathBuf;

use super::{Format, Lexicon, MatchMode};

fn mode_name(mode: MatchMode) -> &'static str {
    match mode {
        MatchMode::PerTheme => "per-theme",
        MatchMode::BestEntry => "best-entry",
    }
}

/// Prints themes (id, label, term count, description), contrasts, sources and negation settings.
pub fn describe<W: Write>(lexicon: &Lexicon, mut out: W) -> io::Result<()> {
    writeln!(out, "Lexicon: {}", lexicon.name)?;
    for s in &lexicon.sources {
        writeln!(
            out,
            "  from {} ({}, {} matching, sha256 {})",
            s.path,
            s.format.name(),
            mode_name(s.matching),
            s.sha256
        )?;
    }
    writeln!(
        out,
        "\nThemes ({}, {} terms):",
        lexicon.themes.len(),
        lexicon.term_count()
    )?;
    let width = lexicon.themes.iter().map(|t| t.id.len()).max().unwrap_or(0);
    for t in &lexicon.themes {
        writeln!(
            out,
            "  {:width$}  {:>4} terms  {}",
            t.id,
            t.terms.len(),
            t.label
        )?;
        if !t.description.is_empty() {
            writeln!(out, "  {:width$}              {}", "", t.description)?;
        }
    }
    writeln!(out, "\nContrasts ({}):", lexicon.contrasts.len())?;
    if lexicon.contrasts.is_empty() {
        writeln!(out, "  none (add one with --contrast LEFT:RIGHT)")?;
    }
    for c in &lexicon.contrasts {
        writeln!(
            out,
            "  {}  {} (left, balance < 0) vs {} (right, balance > 0)",
            c.id, lexicon.themes[c.left].label, lexicon.themes[c.right].label
        )?;
    }
    writeln!(
        out,
        "\nHyphens: {}",
        match lexicon.hyphens() {
            crate::tokenize::Hyphens::Split => "split (sister-in-law is three words)",
            crate::tokenize::Hyphens::Keep => "keep (sister-in-law is one word)",
        }
    )?;
    let n = &lexicon.negation;
    writeln!(out, "\nNegation: {}", if n.enabled { "on" } else { "off" })?;
    if n.enabled {
        writeln!(out, "  window: 1 to {} tokens before a hit", n.window)?;
        let mut negators = n.negators.join(", ");
        if let Some(s) = &n.contraction_suffix {
            negators.push_str(&format!(", and any word ending in {s}"));
        }
        writeln!(out, "  negators: {negators}")?;
        let exceptions: Vec<String> = n
            .exceptions
            .iter()
            .map(|(a, b)| format!("{a} {b}"))
            .collect();
        writeln!(out, "  not negators: {}", exceptions.join(", "))?;
        let breaks: Vec<String> = n.breaks.iter().map(char::to_string).collect();
        writeln!(
            out,
            "  clause breaks: {}  and the words: {}",
            breaks.join(" "),
            n.break_words.join(", ")
        )?;
    }
    if !lexicon.warnings.is_empty() {
        writeln!(out, "\nWarnings ({}):", lexicon.warnings.len())?;
        for w in &lexicon.warnings {
            writeln!(out, "  {w}")?;
        }
    }
    Ok(())
}

/// Loads each file on its own, then all together (as a run would), and reports every error and
/// warning. Returns whether the lexicon is usable.
pub fn check<W: Write>(paths: &[PathBuf], format: Option<Format>, mut out: W) -> io::Result<bool> {
    let mut usable = true;
    let mut loaded = Vec::new();
    for path in paths {
        match Lexicon::load(path, format) {
            Ok(lex) => {
                let source = &lex.sources[0];
                writeln!(
                    out,
                    "{}: {} themes, {} terms, {} contrasts, {} matching, {} warning{}",
                    path.display(),
                    lex.themes.len(),
                    lex.term_count(),
                    lex.contrasts.len(),
                    mode_name(source.matching),
                    lex.warnings.len(),
                    if lex.warnings.len() == 1 { "" } else { "s" }
                )?;
                for w in &lex.warnings {
                    writeln!(out, "warning: {w}")?;
                }
                loaded.push(lex);
            }
            Err(e) => {
                usable = false;
                writeln!(out, "error: {e}")?;
            }
        }
    }
    if usable && loaded.len() > 1 {
        if let Err(e) = Lexicon::merge(loaded) {
            usable = false;
            writeln!(out, "error: {e}")?;
        }
    }
    writeln!(out, "{}", if usable { "usable" } else { "not usable" })?;
    Ok(usable)
}
