//! The `themescope` binary: parse the command line once, run, map the outcome to an exit code.
//!
//! Exit codes (DESIGN.md): 0 success; 1 nothing was written (bad arguments, clap's usage errors
//! included; bad lexicon; missing or empty input; no readable document; output not writable);
//! 2 results written but some documents skipped, or a folder inside an INPUT unreadable (also
//! when a chart failed too: incomplete data outranks a missing chart); 3 results written but a
//! chart could not be drawn; 130 interrupted.
//!
//! A finished run prints its summary on standard output (nothing with `--quiet`); warnings and
//! errors go to standard error.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use themescope::cli::{Cli, Command, ExportFormatArg, LexiconCommand};
use themescope::config::{format_of, load_lexicon};
use themescope::corpus;
use themescope::lexicon::{self, Format};
use themescope::messages;
use themescope::output::summary;
use themescope::{Config, Error, Result};

fn main() -> ExitCode {
    // A file-size limit (`ulimit -f`) kills a process that writes past it with SIGXFSZ: no
    // message, exit 153. Ignored, the write fails with "File too large" and the run ends as any
    // failed write does (exit 1, a message naming the file, the previous output as it was).
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN at start-up, before any thread exists, is sound.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    // glibc's allocator gives blocks above a threshold that grows with use (at first 128 KiB)
    // their own pages and returns them at free, and trims the heap's top above 128 KiB: a
    // document's token and hit lists, freed after every document, then cost page faults and
    // zeroed pages each time (a sixth of the CPU time with a large lexicon, all of it in the
    // kernel). Fixed thresholds of 32 MiB (the most glibc accepts) and 64 MiB keep those pages
    // for the next document; blocks larger than that still go back at once.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
    // Parsed as the system gives them: a path that is not valid UTF-8 stays the path it is.
    let mut arguments: Vec<OsString> = std::env::args_os().collect();
    // With no arguments at all, behave as `themescope run input -o output`.
    if arguments.len() == 1 {
        arguments.push("run".into());
    }
    let cli = match Cli::try_parse_from(&arguments) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // The manifest's copy of the command line, as text (bytes that are not UTF-8 as `\xFF`).
    let arguments: Vec<String> = arguments
        .iter()
        .map(|a| corpus::text_of(a).into_owned())
        .collect();
    // Ctrl-C (or SIGTERM) stops a run cleanly: the temporary folder is removed, the previous
    // output stays as it was, and the exit code is 130.
    let _ = ctrlc::set_handler(|| {
        themescope::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst)
    });
    let result = match cli.command {
        Command::Run(args) => Config::from_run_args(*args, arguments).and_then(|c| run(&c)),
        Command::Merge(args) => themescope::pipeline::merge(&args, arguments)
            .and_then(|summary| report_run(&summary, args.common.quiet)),
        Command::Lexicon(cmd) => lexicon_command(cmd),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(Error::Interrupted) => {
            messages::note(Error::Interrupted);
            ExitCode::from(130)
        }
        Err(e) => {
            messages::error(e);
            ExitCode::from(1)
        }
    }
}

/// The most warnings a run prints; the rest are counted in one note.
const MAX_WARNINGS_SHOWN: usize = 20;

fn run(config: &Config) -> Result<u8> {
    let summary = themescope::run(config)?;
    report_run(&summary, config.quiet)
}

/// Prints what a run (or merge) did, as `quiet` allows; its exit code.
fn report_run(summary: &themescope::RunSummary, quiet: bool) -> Result<u8> {
    // A large lexicon can bring hundreds of warnings; the manifest keeps them all.
    for w in summary.warnings.iter().take(MAX_WARNINGS_SHOWN) {
        messages::warning(w);
    }
    if let Some(more) = summary.warnings.len().checked_sub(MAX_WARNINGS_SHOWN + 1) {
        messages::note(format!(
            "{} more warnings; every one is listed in {} (\"warnings\")",
            more + 1,
            summary.output.join("manifest.json").display()
        ));
    }
    for (file, reason) in &summary.failed_charts {
        messages::error(format!("chart {file} failed: {reason}"));
    }
    if !quiet {
        // The results are written whatever happens to standard output (a closed pipe, say):
        // a failure to print the summary does not change the exit code.
        let _ = summary::write_summary(std::io::stdout().lock(), summary);
    }
    if !summary.failed_charts.is_empty() {
        messages::note(format!(
            "every CSV file and the report are in {}, but {} chart(s) could not be drawn",
            summary.output.display(),
            summary.failed_charts.len(),
        ));
    }
    // Results are incomplete when a document was skipped or a folder could not be read: that
    // outranks a chart missing (exit 2 before 3), since the data itself is then short.
    let chart_code = if summary.failed_charts.is_empty() {
        0
    } else {
        3
    };
    let folders = match summary.unreadable_folders.len() {
        0 => None,
        1 => Some("1 folder could not be read".to_string()),
        n => Some(format!("{n} folders could not be read")),
    };
    let output = summary.output.display();
    match (summary.skipped.len(), folders) {
        (0, None) => return Ok(chart_code),
        (0, Some(folders)) => messages::note(format!(
            "{folders}; results for the {} found are in {output}",
            match summary.analysed {
                1 => "1 document".to_string(),
                n => format!("{n} documents"),
            }
        )),
        (skipped, folders) => messages::note(format!(
            "{skipped} of {} documents skipped{}; results for the other {} are in {output}",
            summary.documents,
            folders.map_or_else(String::new, |f| format!(" and {f}")),
            summary.analysed,
        )),
    }
    Ok(2)
}

fn lexicon_command(cmd: LexiconCommand) -> Result<u8> {
    match lexicon_command_to_stdout(cmd) {
        // Standard output closed early (`… | head`): what was wanted was read.
        Err(Error::Output { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => {
            Ok(0)
        }
        other => other,
    }
}

fn lexicon_command_to_stdout(cmd: LexiconCommand) -> Result<u8> {
    let stdout = std::io::stdout();
    let io = |e: std::io::Error| Error::output("(standard output)", e);
    match cmd {
        LexiconCommand::Check {
            files,
            lexicon_format,
        } => {
            let usable =
                lexicon::check(&files, lexicon_format.map(format_of), stdout.lock()).map_err(io)?;
            Ok(if usable { 0 } else { 1 })
        }
        LexiconCommand::Show {
            files,
            lexicon_format,
        } => {
            let lex = load_lexicon(&files, lexicon_format)?;
            lexicon::describe(&lex, stdout.lock()).map_err(io)?;
            Ok(0)
        }
        LexiconCommand::Export {
            format,
            files,
            lexicon_format,
            output,
        } => {
            let lex = load_lexicon(&files, lexicon_format)?;
            let target = match format {
                ExportFormatArg::Toml => Format::Toml,
                ExportFormatArg::Csv => Format::Csv,
                ExportFormatArg::Dic => Format::Dic,
            };
            let mut bytes = Vec::new();
            let warnings = lexicon::export(&lex, target, &mut bytes)?;
            for w in lex.warnings.iter().chain(&warnings) {
                messages::warning(w);
            }
            match output {
                Some(path) => std::fs::write(&path, &bytes).map_err(|e| Error::output(&path, e))?,
                None => stdout.lock().write_all(&bytes).map_err(io)?,
            }
            Ok(0)
        }
    }
}
