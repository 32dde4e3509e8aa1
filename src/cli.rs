//! The command line as typed: raw flags only (clap derive). Doc comments are the `--help` text.
//! Nothing past [`crate::config`] sees these types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  themescope                                   analyse input/ into output/ (same as: themescope run input -o output)
  themescope run articles/ -o results/         every .txt and .md file under articles/, recursively
  themescope run a.txt b.txt notes/ --jobs 4   several inputs; ids get the input's name as prefix
  themescope run corpus/ --hits none --quiet   no hits.csv, no progress bar

Exit codes: 0 success; 1 nothing written (bad arguments, missing or empty input, no readable
document, output not writable); 2 results written but some documents skipped; 130 interrupted.";

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
    Run(RunArgs),
}

/// Flags of `themescope run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files or folders to analyse; folders are searched recursively for .txt and .md files.
    #[arg(value_name = "INPUT", default_value = "input")]
    pub inputs: Vec<PathBuf>,

    /// Output folder (created if needed). Only themescope's own files in it are replaced.
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "output"
    )]
    pub output: PathBuf,

    /// Worker threads [default: all cores].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: Option<u16>,

    /// Write hits.csv (one row per lexicon hit) or not.
    #[arg(long, value_enum, value_name = "all|none", default_value_t = HitsArg::All)]
    pub hits: HitsArg,

    /// No progress bar.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// Values of `--hits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HitsArg {
    /// Every hit.
    All,
    /// No hits.csv.
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
        let Command::Run(args) = cli.command;
        assert_eq!(args.inputs, vec![PathBuf::from("input")]);
        assert_eq!(args.output, PathBuf::from("output"));
        assert_eq!(args.hits, HitsArg::All);
        assert!(Cli::try_parse_from(["themescope", "run", "--jobs", "0"]).is_err());
    }
}
