//! Validated configuration: the parsed command line resolved into what a run needs.
//!
//! In: [`crate::cli::RunArgs`] and the raw arguments. Out: a [`Config`] holding resolved
//! paths, the loaded lexicon and checked options. Nothing past this module sees clap types.

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use crate::cli::{ChartFormats, DEFAULT_BLOCK_SIZE};
use crate::cli::{FormatArg, HyphensArg, NegationArg, RowsArg, RunArgs, ZerosArg};
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
    /// Worker threads (at least 1; see [`worker_threads`]).
    pub jobs: usize,
    /// Whether to write hits.csv.
    pub hits: bool,
    /// Whether to write tension.csv.
    pub tension: bool,
    /// Whether `themes.csv` leaves out rows with a zero count (`--zeros drop`).
    pub drop_zeros: bool,
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
    /// How tables are read: their text, id and metadata columns.
    pub table: crate::table::TableOptions,
    /// A table of metadata for documents, by id (`--metadata`).
    pub metadata: Option<PathBuf>,
    /// The `--group-by` groupings, in the order given.
    pub group_by: Vec<crate::group::GroupSpec>,
    /// The `--cluster-by` column, if any.
    pub cluster_by: Option<String>,
    /// How long loading the lexicon took (zero for a lexicon handed over already loaded); the
    /// manifest's timings count it.
    pub lexicon_load: Duration,
    /// The command line as given, for the manifest.
    pub arguments: Vec<String>,
    /// Warnings about the options (a `--jobs` larger than the machine can use), reported with
    /// the run's other warnings.
    pub warnings: Vec<String>,
    /// `--shard K/N`: analyse that shard into a partial result.
    pub shard: Option<crate::shard::Shard>,
    /// `--files-from LIST`: the list as shown in messages, and its paths.
    pub files_from: Option<(String, Vec<String>)>,
    /// `--part I`: the list is part I of a corpus; write a partial result.
    pub part: Option<u32>,
}

/// Worker threads per core at most. A few more threads than cores keep the cores busy while
/// some wait for a slow disk; far more only wait for one another: `--jobs 1024` on 2 cores took
/// 5–8 s and twice the memory for what 2 threads did in 0.2 s.
pub const MAX_JOBS_PER_CORE: usize = 4;

/// The worker threads for `--jobs requested` (`None`: one per core) on a machine with `cores`
/// cores: at most [`MAX_JOBS_PER_CORE`] per core, with a warning saying so when more were asked
/// for.
pub fn worker_threads(requested: Option<usize>, cores: usize) -> (usize, Option<String>) {
    let cores = cores.max(1);
    let Some(requested) = requested else {
        return (cores, None);
    };
    let most = cores.saturating_mul(MAX_JOBS_PER_CORE);
    if requested <= most {
        return (requested.max(1), None);
    }
    let warning = format!(
        "--jobs {requested} is more than {} can use: running {most} worker threads ({MAX_JOBS_PER_CORE} per core)",
        match cores {
            1 => "this machine's 1 core".to_string(),
            n => format!("this machine's {n} cores"),
        }
    );
    (most, Some(warning))
}

/// The cores this process may run on (1 if the system does not say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Config {
    /// Resolves `args` (the command line was `arguments`).
    pub fn from_run_args(args: RunArgs, arguments: Vec<String>) -> Result<Config> {
        let (jobs, jobs_warning) = worker_threads(args.common.jobs.map(usize::from), cores());
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
        if let Some(hyphens) = args.hyphens {
            lexicon.hyphens_setting = Some(match hyphens {
                HyphensArg::Split => crate::tokenize::Hyphens::Split,
                HyphensArg::Keep => crate::tokenize::Hyphens::Keep,
            });
        }
        check_columns(&lexicon)?;
        let files_from = args.files_from.as_deref().map(read_list).transpose()?;
        // The INPUT left at its default is no INPUT when a list names them.
        let default_input = args.inputs == [PathBuf::from("input")];
        let inputs = match (&files_from, default_input) {
            (Some(_), true) => Vec::new(),
            _ => args.inputs,
        };
        Ok(Config {
            inputs,
            output: args.common.output,
            jobs,
            hits: args.hits == RowsArg::All,
            tension: args.tension == RowsArg::All,
            drop_zeros: args.zeros == ZerosArg::Drop,
            block_size: usize::try_from(args.block_size).unwrap_or(usize::MAX),
            segment: args.segment,
            charts: args.common.charts,
            excel: args.excel,
            encoding: args.encoding,
            quiet: args.common.quiet,
            lexicon,
            table: crate::table::TableOptions {
                text_columns: args.text_column,
                id_column: args.id_column,
                meta_columns: args.meta_columns,
                delimiter: args.delimiter,
                sheet: args.sheet,
            },
            metadata: args.metadata,
            group_by: (args.group_by.iter())
                .map(|spec| crate::group::GroupSpec::parse(spec))
                .collect::<std::result::Result<_, _>>()
                .map_err(Error::Usage)?,
            cluster_by: args.cluster_by,
            lexicon_load,
            arguments,
            warnings: jobs_warning.into_iter().collect(),
            shard: args.shard,
            files_from,
            part: args.part,
        })
    }

    /// A configuration with defaults for `inputs` → `output` (for tests and library users).
    pub fn new(inputs: Vec<PathBuf>, output: PathBuf, lexicon: Lexicon) -> Config {
        Config {
            inputs,
            output,
            jobs: cores(),
            hits: true,
            tension: true,
            drop_zeros: false,
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
            table: crate::table::TableOptions::default(),
            metadata: None,
            group_by: Vec::new(),
            cluster_by: None,
            lexicon_load: Duration::ZERO,
            arguments: Vec::new(),
            warnings: Vec::new(),
            shard: None,
            files_from: None,
            part: None,
        }
    }

    /// Which optional files this run writes.
    pub fn wanted(&self) -> Wanted {
        Wanted {
            hits: self.hits,
            tension: self.tension,
            segments: self.segment != SegmentMode::None,
            groups: !self.group_by.is_empty(),
        }
    }
}

/// The paths of a `--files-from` list (`-`: standard input): one a line, empty lines and a
/// line end's CR left out; the list as messages show it.
fn read_list(path: &std::path::Path) -> Result<(String, Vec<String>)> {
    use std::io::Read;
    let shown = path.display().to_string();
    let mut text = String::new();
    let read = match shown.as_str() {
        "-" => std::io::stdin().read_to_string(&mut text),
        _ => std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text)),
    };
    read.map_err(|e| {
        Error::Usage(format!(
            "--files-from {shown}: {e} (a list of paths, one a line, in UTF-8)"
        ))
    })?;
    let paths = (text.lines())
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    Ok((shown, paths))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_are_capped_at_a_few_per_core_with_a_warning() {
        assert_eq!(worker_threads(None, 2), (2, None));
        assert_eq!(worker_threads(Some(8), 2), (8, None));
        assert_eq!(worker_threads(Some(1), 16), (1, None));
        assert_eq!(
            worker_threads(Some(1024), 2),
            (
                8,
                Some("--jobs 1024 is more than this machine's 2 cores can use: running 8 worker threads (4 per core)".to_string())
            )
        );
        let (jobs, warning) = worker_threads(Some(5), 1);
        assert_eq!(jobs, 4);
        assert!(warning.unwrap().contains("this machine's 1 core can use"));
    }
}
