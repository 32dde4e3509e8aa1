//! Validated configuration: the parsed command line resolved into what a run needs.
//!
//! In: [`crate::cli::RunArgs`] and the raw arguments. Out: a [`Config`] holding resolved
//! paths, the loaded lexicon and checked options. Nothing past this module sees clap types.

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use crate::cli::{ChartFormats, DEFAULT_BLOCK_SIZE};
use crate::cli::{FormatArg, HitsArg, NegationArg, RunArgs};
use crate::corpus::Encoding;
use crate::error::{Error, Result};
use crate::lexicon::{Format, Lexicon};
use crate::output::registry::Wanted;
use crate::segment::SegmentMode;

/// The lexicon format a `--lexicon-format` value names.
pub fn format_of(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Toml => Format::Toml,
        FormatArg::Csv => Format::Csv,
        FormatArg::Dic => Format::Dic,
        FormatArg::Dicx => Format::Dicx,
    }
}

/// Loads the lexicon of `files` (merged), or the built-in one when there are none.
pub fn load_lexicon(files: &[PathBuf], format: Option<FormatArg>) -> Result<Lexicon> {
    if files.is_empty() {
        Lexicon::builtin()
    } else {
        Lexicon::load_all(files, format.map(format_of))
    }
}

/// Everything a run needs, checked.
#[derive(Debug)]
pub struct Config {
    /// Files or folders to analyse, in the order given.
    pub inputs: Vec<PathBuf>,
    /// The output folder.
    pub output: PathBuf,
    /// Worker threads (at least 1).
    pub jobs: usize,
    /// Whether to write hits.csv.
    pub hits: bool,
    /// Documents larger than this are analysed in blocks of about this many bytes.
    pub block_size: usize,
    /// How documents are cut into segments.
    pub segment: SegmentMode,
    /// Which chart files to write.
    pub charts: ChartFormats,
    /// Start every CSV file with a UTF-8 byte-order mark (for Excel).
    pub excel: bool,
    /// How documents that are not UTF-8 are read.
    pub encoding: Encoding,
    /// Whether to print nothing on success (no progress bar, no summary).
    pub quiet: bool,
    /// The lexicon.
    pub lexicon: Lexicon,
    /// How long loading the lexicon took (zero for a lexicon handed over already loaded); the
    /// manifest's timings count it.
    pub lexicon_load: Duration,
    /// The command line as given, for the manifest.
    pub arguments: Vec<String>,
}

impl Config {
    /// Resolves `args` (the command line was `arguments`).
    pub fn from_run_args(args: RunArgs, arguments: Vec<String>) -> Result<Config> {
        let jobs = match args.jobs {
            Some(n) => usize::from(n),
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let started = Instant::now();
        let mut lexicon = load_lexicon(&args.lexicons, args.lexicon_format)?;
        let lexicon_load = started.elapsed();
        for spec in &args.contrasts {
            lexicon.add_contrast(spec)?;
        }
        match args.negation {
            Some(NegationArg::On) => lexicon.negation.enabled = true,
            Some(NegationArg::Off) => lexicon.negation.enabled = false,
            None => {}
        }
        check_columns(&lexicon)?;
        Ok(Config {
            inputs: args.inputs,
            output: args.output,
            jobs,
            hits: args.hits == HitsArg::All,
            block_size: usize::try_from(args.block_size).unwrap_or(usize::MAX),
            segment: args.segment,
            charts: args.charts,
            excel: args.excel,
            encoding: args.encoding,
            quiet: args.quiet,
            lexicon,
            lexicon_load,
            arguments,
        })
    }

    /// A configuration with defaults for `inputs` → `output` (for tests and library users).
    pub fn new(inputs: Vec<PathBuf>, output: PathBuf, lexicon: Lexicon) -> Config {
        Config {
            inputs,
            output,
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            hits: true,
            block_size: DEFAULT_BLOCK_SIZE,
            segment: SegmentMode::Paragraph,
            charts: ChartFormats {
                png: true,
                svg: true,
            },
            excel: false,
            encoding: Encoding::Utf8,
            quiet: true,
            lexicon,
            lexicon_load: Duration::ZERO,
            arguments: Vec::new(),
        }
    }

    /// Which optional files this run writes.
    pub fn wanted(&self) -> Wanted {
        Wanted {
            hits: self.hits,
            segments: self.segment != SegmentMode::None,
        }
    }
}

/// Theme and contrast ids become `documents.csv` column names: no two may coincide.
pub fn check_columns(lexicon: &Lexicon) -> Result<()> {
    let header = crate::output::csv::documents_header(lexicon);
    for (i, column) in header.iter().enumerate() {
        if header[..i].contains(column) {
            return Err(Error::lexicon(
                lexicon.sources.first().map_or("lexicon", |s| s.path.as_str()),
                None,
                format!(
                    "the theme ids give documents.csv two columns named {column:?}: rename a theme (ids must differ from document, tokens, sentences and paragraphs, and from another id plus _pct or _balance)"
                ),
            ));
        }
    }
    Ok(())
}
