//! Validated configuration: the parsed command line resolved into what a run needs.
//!
//! In: [`crate::cli::RunArgs`] and the raw arguments. Out: a [`Config`] holding resolved
//! paths, the loaded lexicon and checked options. Nothing past this module sees clap types.

use std::path::PathBuf;

use crate::cli::{FormatArg, HitsArg, NegationArg, RunArgs};
use crate::corpus::Encoding;
use crate::error::Result;
use crate::lexicon::{Format, Lexicon};
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

/// Which chart files to write (`--charts png,svg|png|svg|none`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChartFormats {
    /// PNG files.
    pub png: bool,
    /// SVG files.
    pub svg: bool,
}

impl std::str::FromStr for ChartFormats {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let mut formats = ChartFormats {
            png: false,
            svg: false,
        };
        if s == "none" {
            return Ok(formats);
        }
        for part in s.split(',') {
            match part.trim() {
                "png" => formats.png = true,
                "svg" => formats.svg = true,
                other => {
                    return Err(format!(
                        "{other:?} is not a chart format: use png,svg, png, svg or none"
                    ))
                }
            }
        }
        Ok(formats)
    }
}

/// Documents larger than this many bytes are analysed in blocks (`--block-size`).
/// 256 KiB: a block's tokens (about 2 MB) stay near the core's cache.
pub const DEFAULT_BLOCK_SIZE: usize = 1 << 18;

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
    /// Test seam: the chart with this file stem fails (to test exit code 3).
    pub fail_chart: Option<String>,
    /// Test seam: reading the document with this id fails.
    pub fail_read: Option<String>,
    /// Test seam: writing the output file with this name fails part way.
    pub fail_write: Option<String>,
    /// Whether to hide the progress bar.
    pub quiet: bool,
    /// The lexicon.
    pub lexicon: Lexicon,
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
        let mut lexicon = load_lexicon(&args.lexicons, args.lexicon_format)?;
        for spec in &args.contrasts {
            lexicon.add_contrast(spec)?;
        }
        match args.negation {
            Some(NegationArg::On) => lexicon.negation.enabled = true,
            Some(NegationArg::Off) => lexicon.negation.enabled = false,
            None => {}
        }
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
            fail_chart: std::env::var("THEMESCOPE_TEST_FAIL_CHART").ok(),
            fail_read: std::env::var("THEMESCOPE_TEST_FAIL_READ").ok(),
            fail_write: std::env::var("THEMESCOPE_TEST_FAIL_WRITE").ok(),
            quiet: args.quiet,
            lexicon,
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
            fail_chart: None,
            fail_read: None,
            fail_write: None,
            quiet: true,
            lexicon,
            arguments: Vec::new(),
        }
    }
}
