//! `manifest.json`: what a run read, with what, and what it wrote.
//!
//! In: the run's arguments, lexicon, documents, totals and timings. Out: pretty-printed JSON.
//! Unlike the CSV files, the manifest records timings and may differ between identical runs.

use std::io::Write;

use serde::Serialize;

/// The format of the manifest this version writes: `files` lists exactly the files of the
/// result set, which a later run may replace or remove.
pub const FORMAT: u32 = 1;

/// The manifest of one run.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// Always `themescope`.
    pub tool: &'static str,
    /// The manifest's format ([`FORMAT`]); a themescope manifest without it is of format 0.
    pub format: u32,
    /// The crate version.
    pub version: &'static str,
    /// The command line, as given.
    pub arguments: Vec<String>,
    /// Resolved settings.
    pub settings: Settings,
    /// The lexicon used.
    pub lexicon: LexiconInfo,
    /// Each analysed document.
    pub inputs: Vec<InputInfo>,
    /// Each table read, in order.
    pub tables: Vec<TableInfo>,
    /// Totals.
    pub counts: CountsInfo,
    /// Files of this result set, relative to the output folder (this manifest included).
    pub files: Vec<String>,
    /// Documents that were skipped, with the reason.
    pub skipped: Vec<SkippedInfo>,
    /// Folders inside an INPUT that could not be read: not documents, and not counted as
    /// any; documents in them, if any, were not analysed.
    pub unreadable_folders: Vec<FolderInfo>,
    /// Warnings (lexicon and run).
    pub warnings: Vec<String>,
    /// Wall-clock timings.
    pub timings: Timings,
}

/// Resolved settings of a run.
#[derive(Debug, Serialize)]
pub struct Settings {
    /// Worker threads used (`--jobs` as given is in `arguments`; more than a few per core are
    /// not used).
    pub jobs: usize,
    /// Whether hits.csv was written.
    pub hits: bool,
    /// Whether negation was applied.
    pub negation: bool,
    /// How hyphen-joined words were read: `split` or `keep`.
    pub hyphens: crate::tokenize::Hyphens,
    /// Whether `themes.csv` left out rows with a zero count (`--zeros drop`).
    pub drop_zeros: bool,
}

/// The lexicon of a run.
#[derive(Debug, Serialize)]
pub struct LexiconInfo {
    /// Its name.
    pub name: String,
    /// The files it was loaded from: path, format, SHA-256, matching rule.
    pub sources: Vec<crate::lexicon::Source>,
    /// Theme ids in order.
    pub themes: Vec<String>,
    /// Contrast ids in order.
    pub contrasts: Vec<String>,
    /// Number of terms.
    pub terms: usize,
    /// Per theme, the terms that matched nowhere in the corpus (themes where all matched are
    /// left out).
    pub unmatched_terms: Vec<UnmatchedTerms>,
}

/// The terms of one theme that never matched.
#[derive(Debug, Serialize)]
pub struct UnmatchedTerms {
    /// The theme id.
    pub theme: String,
    /// Its terms that matched nowhere, as written in the lexicon.
    pub terms: Vec<String>,
}

/// One analysed document.
#[derive(Debug, Serialize)]
pub struct InputInfo {
    /// Its id.
    pub id: String,
    /// File size.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// How it was decoded: `utf-8` or `windows-1252`.
    pub encoding: &'static str,
}

/// One skipped document.
#[derive(Debug, Serialize)]
pub struct SkippedInfo {
    /// Its id.
    pub id: String,
    /// Its path.
    pub path: String,
    /// Why it was skipped.
    pub reason: String,
}

/// A table read: each row a document.
#[derive(Clone, Debug, Serialize)]
pub struct TableInfo {
    /// Its path.
    pub path: String,
    /// Its size in bytes (as stored, compressed or not).
    pub bytes: u64,
    /// SHA-256 of the file as stored.
    pub sha256: String,
    /// Rows read as documents.
    pub rows: u64,
    /// Rows skipped (each listed under `skipped`, by line).
    pub skipped_rows: u64,
    /// The text column(s).
    pub text_columns: Vec<String>,
    /// The id column, if any.
    pub id_column: Option<String>,
    /// Its metadata columns kept.
    pub meta_columns: Vec<String>,
}

/// A folder inside an INPUT that could not be read.
#[derive(Clone, Debug, Serialize)]
pub struct FolderInfo {
    /// Its path relative to its INPUT, as an id.
    pub id: String,
    /// Its path.
    pub path: String,
    /// What the file system said.
    pub reason: String,
}

/// Run totals.
#[derive(Debug, Serialize)]
pub struct CountsInfo {
    /// Documents found (files: an unreadable folder is none).
    pub documents: u64,
    /// Documents analysed.
    pub analysed: u64,
    /// Documents skipped.
    pub skipped: u64,
    /// Folders that could not be read.
    pub unreadable_folders: u64,
    /// Tokens.
    pub tokens: u64,
    /// Sentences.
    pub sentences: u64,
    /// Paragraphs.
    pub paragraphs: u64,
    /// Lexicon hits.
    pub hits: u64,
}

/// Timings in seconds.
#[derive(Debug, Serialize)]
pub struct Timings {
    /// Loading the lexicon (reading, parsing and checking its files).
    pub load_seconds: f64,
    /// From the start of the load to the manifest.
    pub total_seconds: f64,
}

/// Writes `manifest` as pretty JSON with a final newline.
pub fn write_manifest<W: Write>(mut out: W, manifest: &Manifest) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, manifest)?;
    out.write_all(b"\n")?;
    out.flush()
}
