//! The command line as typed: raw flags only (clap derive). Doc comments are the `--help` text.
//! Nothing past the validated configuration sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::corpus::Encoding;
use crate::segment::SegmentMode;

const EXAMPLES: &str = "\
Examples:
  themescope                                   analyse input/ into output/ (same as: themescope run input -o output)
  themescope run articles/ -o results/         every .txt and .md file under articles/, recursively
  themescope run a.txt b.txt notes/ --jobs 4   several inputs; ids get the input's name as prefix
  themescope run corpus/ --hits none --quiet   no hits.csv, no progress bar
  themescope run news/ --lexicon nrc.csv --contrast negative:positive
                                               your own lexicon (TOML, CSV, LIWC .dic or .dicx)
  themescope lexicon check my.dic              is a lexicon usable? errors and warnings by line

Exit codes: 0 success; 1 nothing written (bad arguments, missing or empty input, no readable
document, output not writable); 2 results written but some documents skipped; 3 results
written but a chart could not be drawn; 130 interrupted.";

/// themescope: count themes and score two-pole contrasts (hardship vs. pride…) across a corpus,
/// with CSV output for spreadsheets and an audit trail from every number to its sentences.
#[derive(Debug, Parser)]
#[command(name = "themescope", version, after_help = EXAMPLES, arg_required_else_help = false)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse documents into CSV files (the main job).
    #[command(after_help = EXAMPLES)]
    Run(Box<RunArgs>),
    /// Join the partial results of `run --shard K/N` into what one run over the whole input
    /// writes.
    #[command(
        after_help = "Example:\n  for k in 0 1 2 3; do themescope run corpus/ --shard $k/4 -o parts/$k; done\n  themescope merge parts/0 parts/1 parts/2 parts/3 -o output"
    )]
    Merge(MergeArgs),
    /// Check, show or convert lexicons.
    #[command(subcommand)]
    Lexicon(LexiconCommand),
}

/// The options `run` and `merge` share: where the results go, the chart files, threads, quiet.
#[derive(Debug, Args)]
pub struct Common {
    /// Output folder (created if needed). Only themescope's own files in it are replaced.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "output"
    )]
    pub output: PathBuf,

    /// Chart files to draw into DIR/charts/ (report.html shows the charts either way, unless
    /// none).
    #[arg(long, value_name = "png,svg|png|svg|none", default_value = "png,svg", value_parser = clap::value_parser!(ChartFormats))]
    pub charts: ChartFormats,

    /// Worker threads [default: all cores; at most 4 per core are used].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,

    /// Print nothing on success: no progress bar, no summary (warnings and errors still go to
    /// standard error).
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `themescope merge …`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The partial results' folders, every shard of one run once, in any order.
    #[arg(value_name = "PART_DIR", required = true)]
    pub parts: Vec<PathBuf>,

    /// Where the results go, which chart files, threads, quiet.
    #[command(flatten)]
    pub common: Common,
}

/// `themescope lexicon …`.
#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Load lexicons and report every error and warning by file and line; exit 0 when usable, 1 when not.
    #[command(after_help = "Example:\n  themescope lexicon check LIWC2015.dic my-themes.toml")]
    Check {
        /// Lexicon files (.toml, .csv, .dic, .dicx).
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Read every FILE in this format, whatever its extension.
        #[arg(long, value_enum, value_name = "FORMAT")]
        lexicon_format: Option<FormatArg>,
    },
    /// Print themes, descriptions, term counts, contrasts and negation settings.
    #[command(
        after_help = "Examples:\n  themescope lexicon show            the built-in lexicon\n  themescope lexicon show my.dic"
    )]
    Show {
        /// Lexicon files; the built-in lexicon when none is given.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Read every FILE in this format, whatever its extension.
        #[arg(long, value_enum, value_name = "FORMAT")]
        lexicon_format: Option<FormatArg>,
    },
    /// Write the loaded lexicon (files merged) in another format, to standard output or -o FILE.
    #[command(
        after_help = "Examples:\n  themescope lexicon export --format toml LIWC2015.dic -o liwc.toml\n  themescope lexicon export --format csv             the built-in lexicon as CSV"
    )]
    Export {
        /// Target format.
        #[arg(long, value_enum, value_name = "toml|csv|dic")]
        format: ExportFormatArg,
        /// Lexicon files; the built-in lexicon when none is given.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Read every FILE in this format, whatever its extension.
        #[arg(long, value_enum, value_name = "FORMAT")]
        lexicon_format: Option<FormatArg>,
        /// Write to this file instead of standard output.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Values of `--lexicon-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Native TOML.
    Toml,
    /// `term,category[,weight]` with a header row.
    Csv,
    /// LIWC .dic.
    Dic,
    /// LIWC-22 .dicx.
    Dicx,
}

/// Values of `lexicon export --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// Native TOML (keeps everything).
    Toml,
    /// `term,category[,weight]`.
    Csv,
    /// LIWC .dic.
    Dic,
}

/// Flags of `themescope run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files or folders to analyse; folders are searched recursively for .txt and .md files.
    /// A .csv, .tsv, .jsonl or .ndjson file (each maybe .gz or .zst) or an .xlsx file is a
    /// table: each row is a document (inside a folder, only with --text-column).
    #[arg(value_name = "INPUT", default_value = "input")]
    pub inputs: Vec<PathBuf>,

    /// The column of a table that holds the text [default: text]; several, comma-separated,
    /// are joined by a blank line (title,body). In JSON Lines, a dotted path (data.body).
    #[arg(long, value_name = "NAME[,NAME…]", value_delimiter = ',')]
    pub text_column: Vec<String>,

    /// The column of a table whose cell is each row's document id [default: FILE#ROW].
    #[arg(long, value_name = "NAME")]
    pub id_column: Option<String>,

    /// The metadata columns of a table to keep, comma-separated [default: every other column].
    #[arg(long, value_name = "NAME,…", value_delimiter = ',')]
    pub meta_columns: Option<Vec<String>>,

    /// The field delimiter of CSV tables (one ASCII character, e.g. ';') [default: ,].
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,

    /// A CSV table of metadata for the documents of folders: one row per document, its id
    /// column (--id-column, else "document", else the first) holding document ids as themescope
    /// makes them (01_genesis.txt); every other column is metadata.
    #[arg(long, value_name = "FILE.csv")]
    pub metadata: Option<PathBuf>,

    /// Group the documents (groups.csv, group_contrasts.csv, keyness.csv, keyness_terms.csv): a
    /// metadata column (party), folder (the first folder of each id), a date column with a
    /// period (date:year, quarter, month, week, day, decade or years:N), or several crossed with
    /// + (party+date:decade). Repeat for several groupings.
    #[arg(long = "group-by", value_name = "SPEC")]
    pub group_by: Vec<String>,

    /// The metadata column whose value is the unit that group intervals resample (a president,
    /// an author, an outlet: their documents are not independent) [default: the document].
    #[arg(long, value_name = "COLUMN")]
    pub cluster_by: Option<String>,

    /// The sheet of an Excel table [default: the first].
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,

    /// Where the results go, which chart files, threads, quiet.
    #[command(flatten)]
    pub common: Common,

    /// A lexicon file to use instead of the built-in one (.toml, .csv, .dic or .dicx); repeat to
    /// merge several.
    #[arg(short = 'l', long = "lexicon", value_name = "FILE")]
    pub lexicons: Vec<PathBuf>,

    /// Read every --lexicon file in this format, whatever its extension.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub lexicon_format: Option<FormatArg>,

    /// Add a contrast between two themes of the lexicon, by id (repeatable).
    #[arg(short = 'c', long = "contrast", value_name = "LEFT:RIGHT")]
    pub contrasts: Vec<String>,

    /// How to cut documents into segments for segments.csv, segment_themes.csv and
    /// trajectory.csv: paragraph, sentence, lines:N (runs of N lines), words:N (about N tokens,
    /// cut at the nearest sentence end), parts:N (N parts of equal token count), or none (no
    /// segment files).
    #[arg(long, value_name = "MODE", default_value = "paragraph", value_parser = clap::value_parser!(SegmentMode))]
    pub segment: SegmentMode,

    /// Mark hits preceded by a negator ("not proud") as negated, and leave them out of
    /// contrasts, tension and co-occurrence [default: as the lexicon says; on for the built-in].
    #[arg(long, value_enum, value_name = "on|off")]
    pub negation: Option<NegationArg>,

    /// How words joined by a hyphen are read: split (sister-in-law is three tokens, each can
    /// match) or keep (one token, matched by entries with hyphens or a wildcard over the whole)
    /// [default: as the lexicon says; split for the built-in].
    #[arg(long, value_enum, value_name = "split|keep")]
    pub hyphens: Option<HyphensArg>,

    /// How to read documents that are not valid UTF-8: utf-8 skips them (exit 2);
    /// windows-1252 reads them as Windows-1252 (Latin-1 and its Western European extensions).
    #[arg(long, value_name = "utf-8|windows-1252", default_value = "utf-8", value_parser = clap::value_parser!(Encoding))]
    pub encoding: Encoding,

    /// Start every CSV file with a UTF-8 byte-order mark, so that Excel shows non-ASCII text
    /// right when the file is opened by double-click.
    #[arg(long)]
    pub excel: bool,

    /// Documents larger than this many bytes are read and analysed in blocks of about this
    /// size, cut at paragraph breaks, in parallel (results are the same as read whole).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_BLOCK_SIZE as u64, value_parser = clap::value_parser!(u64).range(1..=(1 << 40)))]
    pub block_size: u64,

    /// Write hits.csv (one row per lexicon hit) or not.
    #[arg(long, value_enum, value_name = "all|none", default_value_t = RowsArg::All)]
    pub hits: RowsArg,

    /// Write tension.csv (one row per sentence holding hits of both poles of a contrast, with
    /// its text) or not; the counts of such sentences stay in contrasts.csv.
    #[arg(long, value_enum, value_name = "all|none", default_value_t = RowsArg::All)]
    pub tension: RowsArg,

    /// Keep the rows of themes.csv whose count is zero, or drop them (documents.csv stays wide
    /// and complete): with many short documents, most rows are zeros.
    #[arg(long, value_enum, value_name = "keep|drop", default_value_t = ZerosArg::Keep)]
    pub zeros: ZerosArg,

    /// Analyse only the K-th of N shards of the input (K from 0, as SLURM_ARRAY_TASK_ID) into
    /// a partial result in DIR; `themescope merge` joins the N partials into what one run
    /// writes.
    #[arg(long, value_name = "K/N", value_parser = clap::value_parser!(crate::shard::Shard), conflicts_with = "part")]
    pub shard: Option<crate::shard::Shard>,

    /// Read the INPUTs from LIST, one path a line (`-`: standard input); each document's id is
    /// its path as listed.
    #[arg(long, value_name = "LIST")]
    pub files_from: Option<PathBuf>,

    /// With --files-from: this list is part I (from 0) of a corpus split into lists; writes a
    /// partial result that `themescope merge` joins with the other parts in part order.
    #[arg(long, value_name = "I", requires = "files_from")]
    pub part: Option<u32>,
}

/// Values of `--negation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NegationArg {
    /// Apply negation.
    On,
    /// No negation: every hit counts.
    Off,
}

/// A `--delimiter`: one ASCII character other than a quote or a line end.
fn parse_delimiter(s: &str) -> std::result::Result<u8, String> {
    let value = match s {
        "\\t" | "tab" => "\t",
        other => other,
    };
    match value.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
        _ => Err(format!(
            "{s:?} is no delimiter: give one ASCII character such as ';' or '|' (or tab)"
        )),
    }
}

/// Values of `--hyphens`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HyphensArg {
    /// Each word of a compound is a token.
    Split,
    /// A hyphen-joined compound is one token.
    Keep,
}

/// Values of `--zeros`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ZerosArg {
    /// Every document × theme row.
    Keep,
    /// No row with a zero count.
    Drop,
}

/// Values of `--hits` and `--tension`: whether their file is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RowsArg {
    /// Every row.
    All,
    /// Not the file.
    None,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults() {
        let cli = Cli::try_parse_from(["themescope", "run"]).unwrap();
        let Command::Run(args) = cli.command else {
            panic!("not a run");
        };
        assert_eq!(args.inputs, vec![PathBuf::from("input")]);
        assert_eq!(args.common.output, PathBuf::from("output"));
        assert_eq!(args.hits, RowsArg::All);
        assert_eq!(args.tension, RowsArg::All);
        assert!(Cli::try_parse_from(["themescope", "run", "--jobs", "0"]).is_err());
    }
}

/// Documents larger than this many bytes are analysed in blocks (`--block-size`).
/// 256 KiB: a block's tokens (about 2 MB) stay near the core's cache.
pub const DEFAULT_BLOCK_SIZE: usize = 1 << 18;

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
