//! The `themescope` binary: parse the command line once, run, map the outcome to an exit code.
//!
//! Exit codes (DESIGN.md): 0 success; 1 nothing was written (bad arguments, clap's usage errors
//! included; bad lexicon; missing or empty input; no readable document; output not writable);
//! 2 results written but some documents skipped.

use std::process::ExitCode;

use clap::Parser;
use themescope::cli::{Cli, Command};
use themescope::Config;

fn main() -> ExitCode {
    let mut arguments: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    // With no arguments at all, behave as `themescope run input -o output`.
    if arguments.len() == 1 {
        arguments.push("run".to_string());
    }
    let cli = match Cli::try_parse_from(&arguments) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Run(args) => {
            let result = Config::from_run_args(args, arguments).and_then(|c| themescope::run(&c));
            match result {
                Ok(summary) => {
                    for w in &summary.warnings {
                        eprintln!("warning: {w}");
                    }
                    if summary.skipped.is_empty() {
                        ExitCode::SUCCESS
                    } else {
                        eprintln!(
                            "themescope: {} of {} documents skipped; results for the other {} are in {}",
                            summary.skipped.len(),
                            summary.documents,
                            summary.analysed,
                            summary.output.display()
                        );
                        ExitCode::from(2)
                    }
                }
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::from(1)
                }
            }
        }
    }
}
