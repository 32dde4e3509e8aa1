//! The lexicon model: themes, their terms, contrasts and negation settings.
//!
//! In: lexicon sources — the built-in TOML (compiled in with `include_str!`) or users' files in
//! any of four formats, one parser per file: native TOML (`toml.rs`), two-column CSV (`csv.rs`),
//! LIWC `.dic` (`dic.rs`) and LIWC-22 `.dicx` (`dicx.rs`). Out: one validated [`Lexicon`]
//! (several files are merged), which `export.rs` can write back as TOML, CSV or `.dic`.
//!
//! Guarantees: theme ids are unique and match `[a-z0-9_]+`; every theme has at least one term;
//! every weight is a positive fixed-point number; every contrast names two different themes
//! that exist; every warning names its file (and line, where there is one).
//! Loading takes time linear in the file (no per-entry scan of what came before: duplicates,
//! lines and shadowed wildcards are found through maps) and stops with [`Error::Interrupted`]
//! within a few thousand entries of Ctrl-C ([`crate::INTERRUPTED`]).

mod csv;
mod dic;
mod dicx;
mod export;
mod show;
mod toml;

use crate::tokenize::Hyphens;
use rustc_hash::FxHashMap;
use std::fmt;
use std::path::Path;
use std::sync::atomic::Ordering;
use unicode_normalization::char::is_combining_mark;

use crate::error::{Error, Result};

pub use self::export::export;
pub use self::show::{check, describe};
pub use self::toml::parse_toml;

/// Loading checks for Ctrl-C ([`crate::INTERRUPTED`]) once every this many entries or lines.
const CHECK_EVERY: usize = 4096;

/// [`Error::Interrupted`] when Ctrl-C was pressed, looked at when `count` (entries or lines
/// read so far) is a multiple of [`CHECK_EVERY`]: a large lexicon's load stops within moments.
fn check_interrupt(count: usize) -> Result<()> {
    if count % CHECK_EVERY == 0 && crate::INTERRUPTED.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    Ok(())
}

/// The built-in lexicon's TOML source.
pub const BUILTIN_TOML: &str = include_str!("builtin.toml");

/// A weight: a positive number held as fixed-point integer ten-thousandths, so sums are exact
/// and independent of the order in which they are added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(pub u64);

impl Weight {
    /// Fixed-point units per 1.0.
    pub const SCALE: u64 = 10_000;
    /// The default weight, 1.
    pub const ONE: Weight = Weight(Self::SCALE);

    /// The largest weight: sums of up to 10¹¹ hits still fit the fixed-point integers.
    pub const MAX: f64 = 10_000.0;

    /// Converts a positive finite number up to [`Weight::MAX`], rounded to four decimals;
    /// `None` when it is not positive, not finite, too large, or rounds to zero.
    pub fn from_f64(value: f64) -> Option<Weight> {
        if !value.is_finite() || value <= 0.0 || value > Self::MAX {
            return None;
        }
        let units = (value * Self::SCALE as f64).round() as u64;
        (units > 0).then_some(Weight(units))
    }

    /// The weight as a float.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / Self::SCALE as f64
    }
}

impl fmt::Display for Weight {
    /// Four decimals, exact (the CSV convention).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:04}", self.0 / Self::SCALE, self.0 % Self::SCALE)
    }
}

/// How tokens take themes when entries overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchMode {
    /// Each theme matches on its own; within a theme, leftmost-longest matches do not overlap.
    PerTheme,
    /// LIWC's rule: a token takes the categories of its single best entry.
    BestEntry,
}

/// One lexicon entry of a theme.
#[derive(Clone, Debug, PartialEq)]
pub struct Term {
    /// The entry as written (`industr*`, `power outage*`).
    pub text: String,
    /// Its weight (1 unless the lexicon says otherwise).
    pub weight: Weight,
    /// The 1-based line in the lexicon file, where known.
    pub line: Option<usize>,
}

/// A theme (a lexicon category).
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Index of the file it comes from in [`Lexicon::sources`].
    pub source: usize,
    /// `[a-z0-9_]+`, used in CSV headers and file names.
    pub id: String,
    /// Any text, used in charts and the report.
    pub label: String,
    /// One line saying what the theme measures.
    pub description: String,
    /// The entries, in lexicon order, without duplicates.
    pub terms: Vec<Term>,
}

/// A contrast between two themes; `balance` is positive when the right pole dominates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contrast {
    /// `<left>_vs_<right>`.
    pub id: String,
    /// Index of the left pole in [`Lexicon::themes`].
    pub left: usize,
    /// Index of the right pole in [`Lexicon::themes`].
    pub right: usize,
}

/// Negation settings (DESIGN.md, "Lexicons").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negation {
    /// Whether hits are checked for negation at all.
    pub enabled: bool,
    /// A negator negates a hit 1 to `window` tokens after it.
    pub window: usize,
    /// Negator words, normalised.
    pub negators: Vec<String>,
    /// A token ending in this (normalised) is a negator too: `n't`.
    pub contraction_suffix: Option<String>,
    /// Two-word sequences starting with a negator that do not negate (`not only`), normalised.
    pub exceptions: Vec<(String, String)>,
    /// Characters that end a clause.
    pub breaks: Vec<char>,
    /// Words that end a clause (`but`), normalised.
    pub break_words: Vec<String>,
}

impl Default for Negation {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        Negation {
            enabled: true,
            window: 3,
            negators: words(&[
                "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
                "hardly", "barely", "scarcely", "cannot",
            ]),
            contraction_suffix: Some("n't".to_string()),
            exceptions: vec![("not".to_string(), "only".to_string())],
            breaks: vec![',', ';', ':', '—', '–', '(', ')', '.', '?', '!'],
            break_words: words(&["but"]),
        }
    }
}

/// A lexicon file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Native TOML.
    Toml,
    /// `term,category[,weight]` with a header row.
    Csv,
    /// LIWC `.dic`.
    Dic,
    /// LIWC-22 `.dicx`.
    Dicx,
}

impl Format {
    /// The format a file name's extension names.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::from_name(&ext)
    }

    /// `toml`, `csv`, `dic` or `dicx`.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "toml" => Some(Format::Toml),
            "csv" => Some(Format::Csv),
            "dic" => Some(Format::Dic),
            "dicx" => Some(Format::Dicx),
            _ => None,
        }
    }

    /// The format's name, as `--lexicon-format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Csv => "csv",
            Format::Dic => "dic",
            Format::Dicx => "dicx",
        }
    }
}

/// One lexicon file of a (possibly merged) lexicon.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// The path as given (or `built-in`).
    pub path: String,
    /// Its format.
    pub format: Format,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// How its themes match.
    pub matching: MatchMode,
}

/// A loaded, validated lexicon.
#[derive(Clone, Debug, PartialEq)]
pub struct Lexicon {
    /// Its name (from the file, or the file name; names of merged files joined with ` + `).
    pub name: String,
    /// The files it was loaded from, in order.
    pub sources: Vec<Source>,
    /// Themes in lexicon order.
    pub themes: Vec<Theme>,
    /// Contrasts in lexicon order.
    pub contrasts: Vec<Contrast>,
    /// Negation settings.
    pub negation: Negation,
    /// How hyphen-joined words are read, as a TOML lexicon or `--hyphens` sets it (`None`:
    /// split, the default); see [`Lexicon::hyphens`].
    pub hyphens_setting: Option<Hyphens>,
    /// Things worth knowing that do not stop the lexicon from loading, each naming its file.
    pub warnings: Vec<String>,
}

impl Lexicon {
    /// How hyphen-joined words are read for this lexicon.
    pub fn hyphens(&self) -> Hyphens {
        self.hyphens_setting.unwrap_or_default()
    }

    /// The built-in lexicon.
    pub fn builtin() -> Result<Lexicon> {
        parse_toml(BUILTIN_TOML, "built-in")
    }

    /// Loads a lexicon file; the format comes from `format` or else from the extension.
    pub fn load(path: &Path, format: Option<Format>) -> Result<Lexicon> {
        let shown = path.display().to_string();
        let format = format.or_else(|| Format::from_path(path)).ok_or_else(|| {
            Error::lexicon(
                &shown,
                None,
                "cannot tell the lexicon format from the file name: use .toml, .csv, .dic or .dicx, or give --lexicon-format",
            )
        })?;
        let bytes = std::fs::read(path)
            .map_err(|e| Error::lexicon(&shown, None, format!("cannot read the lexicon: {e}")))?;
        Lexicon::parse(&bytes, &shown, format)
    }

    /// Parses lexicon bytes in `format`; `path` names the file in messages.
    /// Lines may end in LF, CRLF or a lone CR (classic Mac OS: the Moral Foundations
    /// Dictionary 2.0 is distributed so), in every format.
    pub fn parse(original: &[u8], path: &str, format: Format) -> Result<Lexicon> {
        let bytes: &[u8] = &crate::lines::lone_cr_as_lf(original);
        let mut lexicon = match format {
            Format::Toml => parse_toml(&utf8_text(bytes, path)?, path)?,
            Format::Csv => csv::parse_csv(&utf8_text(bytes, path)?, path, bytes)?,
            Format::Dic => dic::parse_dic(bytes, path)?,
            Format::Dicx => dicx::parse_dicx(&utf8_text(bytes, path)?, path, bytes)?,
        };
        if bytes != original {
            // The checksum is of the file as it is.
            for source in &mut lexicon.sources {
                source.sha256 = crate::checksum::sha256_hex(original);
            }
        }
        let lint = lint(&lexicon);
        lexicon.warnings.extend(lint);
        Ok(lexicon)
    }

    /// Loads and merges several files (`--lexicon A --lexicon B`); a theme defined in two files
    /// is an error naming both.
    pub fn load_all(paths: &[std::path::PathBuf], format: Option<Format>) -> Result<Lexicon> {
        let parts = paths
            .iter()
            .map(|p| Lexicon::load(p, format))
            .collect::<Result<Vec<_>>>()?;
        Lexicon::merge(parts)
    }

    /// Merges lexicons: themes and contrasts in order; negation settings from the first TOML
    /// file that has them.
    pub fn merge(parts: Vec<Lexicon>) -> Result<Lexicon> {
        let mut parts = parts.into_iter();
        let Some(mut merged) = parts.next() else {
            return Lexicon::builtin();
        };
        for part in parts {
            for theme in &part.themes {
                if let Some(other) = merged.themes.iter().find(|t| t.id == theme.id) {
                    return Err(Error::lexicon(
                        &part.sources[theme.source].path,
                        theme.terms.first().and_then(|t| t.line),
                        format!(
                            "theme {:?} is also defined in {}: rename one of them (theme ids must be unique across lexicon files)",
                            theme.id, merged.sources[other.source].path
                        ),
                    ));
                }
            }
            let (theme_offset, source_offset) = (merged.themes.len(), merged.sources.len());
            let takes_negation = merged.sources.iter().all(|s| s.format != Format::Toml)
                && part.sources.iter().any(|s| s.format == Format::Toml);
            if takes_negation {
                merged.negation = part.negation.clone();
            } else if part.negation != merged.negation
                && part.sources.iter().any(|s| s.format == Format::Toml)
            {
                merged.warnings.push(format!(
                    "{}: its negation settings are ignored: those of {} apply to the whole run",
                    part.sources[0].path, merged.sources[0].path
                ));
            }
            match (merged.hyphens_setting, part.hyphens_setting) {
                (None, theirs) => merged.hyphens_setting = theirs,
                (Some(ours), Some(theirs)) if ours != theirs => {
                    merged.warnings.push(format!(
                        "{}: its hyphens setting is ignored: that of {} applies to the whole run",
                        part.sources[0].path, merged.sources[0].path
                    ));
                }
                _ => {}
            }
            merged.name = format!("{} + {}", merged.name, part.name);
            merged.sources.extend(part.sources);
            merged.themes.extend(part.themes.into_iter().map(|mut t| {
                t.source += source_offset;
                t
            }));
            merged
                .contrasts
                .extend(part.contrasts.into_iter().map(|mut c| {
                    c.left += theme_offset;
                    c.right += theme_offset;
                    c
                }));
            merged.warnings.extend(part.warnings);
        }
        Ok(merged)
    }

    /// Adds a contrast given as `LEFT:RIGHT` (theme ids); an unknown theme is an error listing
    /// the themes there are. Adding a contrast the lexicon already has changes nothing.
    pub fn add_contrast(&mut self, spec: &str) -> Result<()> {
        let Some((left, right)) = spec.split_once(':') else {
            return Err(Error::Usage(format!(
                "--contrast {spec}: give two theme ids as LEFT:RIGHT, e.g. --contrast hardship:pride"
            )));
        };
        let find = |id: &str| {
            self.themes
                .iter()
                .position(|t| t.id == id.trim())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--contrast {spec}: {:?} is not a theme of the lexicon; themes: {}",
                        id.trim(),
                        self.themes
                            .iter()
                            .map(|t| t.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
        };
        let (left, right) = (find(left)?, find(right)?);
        if left == right {
            return Err(Error::Usage(format!(
                "--contrast {spec}: a contrast needs two different themes"
            )));
        }
        let id = format!("{}_vs_{}", self.themes[left].id, self.themes[right].id);
        if !self.contrasts.iter().any(|c| c.id == id) {
            self.contrasts.push(Contrast { id, left, right });
        }
        Ok(())
    }

    /// Total number of terms over all themes.
    pub fn term_count(&self) -> usize {
        self.themes.iter().map(|t| t.terms.len()).sum()
    }

    /// `path:line` of a term of theme `theme`, for messages.
    pub fn locate(&self, theme: usize, term: &Term) -> String {
        let path = &self.sources[self.themes[theme].source].path;
        match term.line {
            Some(line) => format!("{path}:{line}"),
            None => path.clone(),
        }
    }
}

/// Decodes a lexicon file that must be UTF-8 (a BOM is removed); the error names the line.
fn utf8_text(bytes: &[u8], path: &str) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(Error::lexicon(
                path,
                Some(line),
                "not valid UTF-8: save the lexicon as UTF-8",
            ))
        }
    }
}

/// The header row and the (line, record) rows of a CSV lexicon file (rows of any length, cells
/// trimmed); a malformed row is an error naming its line.
fn lexicon_csv_records(
    text: &str,
    path: &str,
) -> Result<(::csv::StringRecord, Vec<(usize, ::csv::StringRecord)>)> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Error::lexicon(path, Some(1), format!("cannot read the header row: {e}")))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        check_interrupt(rows.len())?;
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            Error::lexicon(path, line, format!("malformed CSV: {e}"))
        })?;
        rows.push((record.position().map_or(0, |p| p.line() as usize), record));
    }
    Ok((headers, rows))
}

/// The file name without folders and extension, as a lexicon name.
fn file_stem(path: &str) -> String {
    std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// A lexicon from a flat file (CSV, `.dic`, `.dicx`): one theme per category with entries, no
/// contrasts, default negation; an error when no category has an entry.
fn flat_lexicon(
    path: &str,
    bytes: &[u8],
    format: Format,
    matching: MatchMode,
    categories: &[String],
    entries: Vec<(usize, String, Weight, usize)>,
    mut warnings: Vec<String>,
) -> Result<Lexicon> {
    let themes = themes_from_entries(path, categories, entries, &mut warnings)?;
    if themes.is_empty() {
        return Err(Error::lexicon(path, None, "the lexicon has no entries"));
    }
    Ok(Lexicon {
        name: file_stem(path),
        sources: vec![Source {
            path: path.to_string(),
            format,
            sha256: crate::checksum::sha256_hex(bytes),
            matching,
        }],
        themes,
        contrasts: Vec::new(),
        negation: Negation::default(),
        hyphens_setting: None,
        warnings,
    })
}

/// Builds themes from (category, term, weight, line) entries of a flat format (CSV, `.dic`,
/// `.dicx`): ids derived from the category names (made unique), labels keep the names,
/// duplicate entries dropped with a warning; categories without terms are left out.
fn themes_from_entries(
    path: &str,
    categories: &[String],
    entries: Vec<(usize, String, Weight, usize)>,
    warnings: &mut Vec<String>,
) -> Result<Vec<Theme>> {
    let mut themes: Vec<Theme> = Vec::with_capacity(categories.len());
    let mut ids: Vec<String> = Vec::with_capacity(categories.len());
    // These name columns of documents.csv already.
    const RESERVED: &[&str] = &["document", "tokens", "sentences", "paragraphs"];
    for name in categories {
        let base = derive_id(name);
        let mut id = base.clone();
        let mut k = 2;
        while ids.contains(&id) || RESERVED.contains(&id.as_str()) {
            id = format!("{base}_{k}");
            k += 1;
        }
        if id != base {
            warnings.push(format!(
                "{path}: category {name:?} gets the id {id} ({base} is taken by another category or a column of documents.csv)"
            ));
        }
        ids.push(id.clone());
        themes.push(Theme {
            source: 0,
            id,
            label: name.trim().to_string(),
            description: String::new(),
            terms: Vec::new(),
        });
    }
    // Each theme's entries so far, with the line of each.
    let mut seen: Vec<FxHashMap<String, usize>> = vec![FxHashMap::default(); themes.len()];
    for (k, (category, text, weight, line)) in entries.into_iter().enumerate() {
        check_interrupt(k)?;
        let theme = &mut themes[category];
        if let Some(first) = seen[category].get(&text) {
            warnings.push(format!(
                "{path}:{line}: duplicate entry {text:?} in category {:?} (first on line {first}; counted once)",
                theme.label,
            ));
            continue;
        }
        seen[category].insert(text.clone(), line);
        theme.terms.push(Term {
            text,
            weight,
            line: Some(line),
        });
    }
    themes.retain(|t| {
        if t.terms.is_empty() {
            warnings.push(format!(
                "{path}: category {:?} has no entries and is left out",
                t.label
            ));
        }
        !t.terms.is_empty()
    });
    Ok(themes)
}

/// What is wrong with the `*`s of an entry, if anything: a `*` works only at the end of a word
/// (a word may end in a combining mark: `café*` written with `e` + U+0301 works); more than one
/// there work as one.
fn misplaced_wildcard(text: &str) -> Option<&'static str> {
    let chars: Vec<char> = text.chars().collect();
    let in_word = |c: char| c.is_alphanumeric() || is_combining_mark(c);
    for (i, &c) in chars.iter().enumerate() {
        if c != '*' {
            continue;
        }
        let stars_before = chars[..i].iter().rev().take_while(|&&p| p == '*').count();
        let after_word = i > stars_before && in_word(chars[i - stars_before - 1]);
        let word_follows = chars.get(i + 1).is_some_and(|&n| in_word(n));
        if !after_word {
            return Some("a * only works at the end of a word; this one is ignored");
        }
        if word_follows {
            return Some(
                "a * only works at the end of a word; inside one, the entry can never match",
            );
        }
        if stars_before > 0 {
            return Some("two or more * at the end of a word work as one");
        }
    }
    None
}

/// Checks a lexicon for entries that can never match, entries that match exactly what another
/// entry of their theme matches, and (with `best-entry`) wildcards that never reach a word
/// because it is another category's exact entry.
pub fn lint(lexicon: &Lexicon) -> Vec<String> {
    use crate::tokenize::tokenize;
    use std::collections::BTreeMap;
    let mut warnings = Vec::new();
    // Normalised form of each entry: words (with a * marking a wildcard) and the gaps kept raw.
    let normal = |text: &str| -> Option<String> {
        let tokens = tokenize(text);
        if tokens.is_empty() {
            return None;
        }
        let mut out = String::new();
        for (k, tok) in tokens.iter().enumerate() {
            if k > 0 {
                let gap = &text[tokens[k - 1].span.end..tok.span.start];
                let gap = gap.strip_prefix('*').unwrap_or(gap);
                out.push_str(if !gap.is_empty() && gap.chars().all(char::is_whitespace) {
                    " "
                } else {
                    gap
                });
            }
            out.push_str(&tok.text);
            if text[tok.span.end..].starts_with('*') {
                out.push('*');
            }
        }
        Some(out)
    };
    // Exact single-word entries by (file, word), in order: the words a prefix starts lie
    // together, from the prefix itself on.
    let mut exact: BTreeMap<(usize, String), Vec<usize>> = BTreeMap::new();
    let mut wildcards: Vec<(usize, usize, String, &Term)> = Vec::new();
    for (ti, theme) in lexicon.themes.iter().enumerate() {
        let mut seen: FxHashMap<String, &Term> = FxHashMap::default();
        for term in &theme.terms {
            if let Some(problem) = misplaced_wildcard(&term.text) {
                warnings.push(format!(
                    "{}: entry {:?} of theme {:?}: {problem}",
                    lexicon.locate(ti, term),
                    term.text,
                    theme.id
                ));
            }
            let Some(norm) = normal(&term.text) else {
                warnings.push(format!(
                    "{}: entry {:?} of theme {:?} can never match: it holds no word",
                    lexicon.locate(ti, term),
                    term.text,
                    theme.id
                ));
                continue;
            };
            if let Some(first) = seen.get(&norm) {
                warnings.push(format!(
                    "{}: entry {:?} of theme {:?} matches exactly what {:?} matches (counted once, as {:?})",
                    lexicon.locate(ti, term),
                    term.text,
                    theme.id,
                    first.text,
                    first.text
                ));
                continue;
            }
            seen.insert(norm.clone(), term);
            let source = theme.source;
            if norm.ends_with('*') && !norm.contains(' ') {
                wildcards.push((ti, source, norm.trim_end_matches('*').to_string(), term));
            } else if !norm.contains(['*', ' ']) {
                exact.entry((source, norm)).or_default().push(ti);
            }
        }
    }
    // With best-entry, an exact entry takes its word away from every wildcard of other themes.
    for (ti, source, prefix, term) in &wildcards {
        if lexicon.sources[*source].matching != MatchMode::BestEntry {
            continue;
        }
        // The first five words named, the rest counted (a short prefix may start thousands).
        let mut shown: Vec<&str> = Vec::new();
        let mut words = 0;
        let starting = exact
            .range((*source, prefix.clone())..)
            .take_while(|((s, w), _)| s == source && w.starts_with(prefix.as_str()));
        for ((_, word), _) in starting.filter(|(_, themes)| !themes.contains(ti)) {
            if shown.len() < 5 {
                shown.push(word);
            }
            words += 1;
        }
        if words == 0 {
            continue;
        }
        let ti = *ti;
        let more = if words > 5 {
            format!(" and {} more", words - 5)
        } else {
            String::new()
        };
        warnings.push(format!(
            "{}: wildcard {:?} of theme {:?} never counts {}{more}: another category lists them as exact entries, and best-entry matching gives a word only its exact entry's categories",
            lexicon.locate(ti, term),
            term.text,
            lexicon.themes[ti].id,
            shown.join(", ")
        ));
    }
    warnings
}

/// Whether `id` is a valid theme id: `[a-z0-9_]+`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Derives a theme id from a category name: lowercase, every other character `_`.
pub fn derive_id(name: &str) -> String {
    let id: String = name
        .trim()
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if id.is_empty() {
        "_".to_string()
    } else {
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_exact_fixed_point() {
        assert_eq!(Weight::from_f64(1.0), Some(Weight::ONE));
        assert_eq!(
            Weight::from_f64(0.25).map(|w| w.to_string()).as_deref(),
            Some("0.2500")
        );
        assert_eq!(Weight::from_f64(2.5).map(|w| w.0), Some(25_000));
        assert_eq!(Weight::from_f64(0.0), None);
        assert_eq!(Weight::from_f64(-1.0), None);
        assert_eq!(Weight::from_f64(f64::NAN), None);
        assert_eq!(Weight::from_f64(0.00001), None);
        assert_eq!(Weight::from_f64(10_000.0), Some(Weight(100_000_000)));
        assert_eq!(Weight::from_f64(10_000.5), None);
    }

    #[test]
    fn misplaced_wildcards_are_reported() {
        assert_eq!(misplaced_wildcard("pride*"), None);
        assert_eq!(misplaced_wildcard("power outage*"), None);
        assert!(misplaced_wildcard("*pride").unwrap().contains("ignored"));
        assert!(misplaced_wildcard("a * b").unwrap().contains("ignored"));
        assert!(misplaced_wildcard("pri*de")
            .unwrap()
            .contains("never match"));
        assert_eq!(
            misplaced_wildcard("heckl**"),
            Some("two or more * at the end of a word work as one")
        );
        assert_eq!(misplaced_wildcard("cafe\u{301}*"), None);
    }

    #[test]
    fn ids_are_derived_from_names() {
        assert_eq!(derive_id("Positive Emotion"), "positive_emotion");
        assert_eq!(derive_id("Négatif"), "n_gatif");
        assert!(is_valid_id("state_ideology"));
        assert!(!is_valid_id("State"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn builtin_lexicon_loads() {
        let lex = Lexicon::builtin().unwrap();
        assert!(lex.themes.len() >= 12);
        assert!(lex.themes.iter().all(|t| t.terms.len() >= 25));
        let ids: Vec<&str> = lex.contrasts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            &ids[..3],
            &[
                "hardship_vs_pride",
                "isolation_vs_openness",
                "state_ideology_vs_everyday_life"
            ]
        );
        assert!(lint(&lex).is_empty(), "{:?}", lint(&lex));
    }
}
