//! themescope: count themes (lexicon categories) and score two-pole contrasts across a corpus.
//!
//! ```text
//! inputs ─► corpus ─► tokenize ─► segment ─► matcher ─► count ─► score ─► output
//!           (discover,  (UAX #29    (paragraphs, (words, prefix*, (integers (rates,   (CSV,
//!            validate,   words,      sentences)   phrases;         that      contrasts, manifest)
//!            decode)     normalise)               negation)        add)      intervals)
//! ```
//!
//! Documents are analysed in parallel and streamed: each is read, analysed and rendered to CSV
//! rows on a worker thread, then written in document order and dropped, so the corpus is never
//! held in memory at once ([`parallel`]). Counts are integers; every float is computed from them
//! per document or, for corpus rows, once at the end in a fixed order, so the CSV files are
//! byte-identical whatever the number of threads.
//!
//! [`run`] ([`pipeline`]) reads as the stage list.
//!
//! # Example
//!
//! ```
//! use themescope::count::analyse;
//! use themescope::lexicon::Lexicon;
//! use themescope::matcher::Matcher;
//!
//! let lexicon = Lexicon::builtin()?;
//! let matcher = Matcher::new(&lexicon);
//! let analysis = analyse("It’s a city of both hardship and pride.", &matcher, &lexicon.contrasts);
//! let hardship_vs_pride = &analysis.counts.contrasts[0];
//! assert_eq!((hardship_vs_pride.left.hits, hardship_vs_pride.right.hits), (1, 1));
//! assert_eq!(hardship_vs_pride.tension_sentences, 1);
//! # Ok::<(), themescope::Error>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod assemble;
pub mod checksum;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod count;
pub mod csv_format;
pub mod error;
pub mod faults;
pub mod group;
pub mod lexicon;
pub mod lines;
pub mod matcher;
pub mod messages;
pub mod output;
pub mod parallel;
pub mod partial;
pub mod pipeline;
pub mod score;
pub mod segment;
pub mod shard;
pub mod table;
pub mod tokenize;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

pub use config::Config;
pub use error::{Error, Result};
pub use pipeline::run;

/// Set (by the binary's Ctrl-C handler) to stop a run: it ends with [`Error::Interrupted`]
/// after the documents in progress, leaving the previous output as it was.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// What a finished run reports.
#[derive(Debug)]
pub struct RunSummary {
    /// Documents found (files; an unreadable folder is none).
    pub documents: usize,
    /// Documents analysed and written.
    pub analysed: u64,
    /// Skipped documents: (id, reason).
    pub skipped: Vec<(String, String)>,
    /// Folders inside an INPUT that could not be read: (path, reason). They are no documents
    /// and are not counted as any.
    pub unreadable_folders: Vec<(String, String)>,
    /// Lexicon and run warnings.
    pub warnings: Vec<String>,
    /// The output folder.
    pub output: PathBuf,
    /// The files written, relative to the output folder.
    pub files: Vec<String>,
    /// Charts that could not be drawn: (file stem, reason).
    pub failed_charts: Vec<(String, String)>,
    /// The data behind the charts.
    pub charts: output::chart::ChartSet,
    /// Tokens in the analysed documents.
    pub tokens: u64,
    /// Bytes of the analysed documents, as read.
    pub bytes: u64,
    /// Wall time of the run, from loading the lexicon to the committed output.
    pub elapsed: Duration,
    /// Each contrast's corpus score, in lexicon order.
    pub contrasts: Vec<output::summary::ContrastLine>,
    /// The report's path, when one was written.
    pub report: Option<PathBuf>,
}
