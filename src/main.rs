//! The `themescope` binary: parse the command line once, run, map the outcome to an exit code.
//!
//! Exit codes (DESIGN.md): 0 success; 1 nothing was written (bad arguments, clap's usage errors
//! included; bad lexicon; missing or empty input; no readable document; output not writable);
//! 2 results written but some documents skipped, or a folder inside an INPUT unreadable; 3
//! results written but a chart could not be drawn; 130 interrupted.
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

/// mimalloc instead of the system allocator: a table of millions of short rows makes and frees
/// a few dozen small buffers per row, on the worker threads, and frees many of them on the
/// writer thread; glibc's malloc spent a fifth of such a run on that (locking the arena of the
/// thread that made a buffer to free it elsewhere, coalescing), and its per-thread arenas made
/// the peak memory vary from run to run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A file-size limit (`ulimit -f`) kills a process that writes past it with SIGXFSZ: no
    // message, exit 153. Ignored, the write fails with "File too large" and the run ends as any
    // failed write does (exit 1, a message naming the file, the previous output as it was).
    #[cfg(unix)]
    // SAFETY: setting a signal to SIG_IGN at start-up, before any thread exists, is sound.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
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
        Command::Run(args) => Config::from_run_args(args, arguments).and_then(|c| run(&c)),
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

fn run(config: &Config) -> Result<u8> {
    let summary = themescope::run(config)?;
    for w in &summary.warnings {
        messages::warning(w);
    }
    for (file, reason) in &summary.failed_charts {
        messages::error(format!("chart {file} failed: {reason}"));
    }
    if !config.quiet {
        // The results are written whatever happens to standard output (a closed pipe, say):
        // a failure to print the summary does not change the exit code.
        let _ = summary::write_summary(std::io::stdout().lock(), &summary);
    }
    if !summary.failed_charts.is_empty() {
        messages::note(format!(
            "every CSV file and the report are in {}, but {} chart(s) could not be drawn",
            summary.output.display(),
            summary.failed_charts.len(),
        ));
        return Ok(3);
    }
    // Results are incomplete when a document was skipped or a folder could not be read.
    let folders = match summary.unreadable_folders.len() {
        0 => None,
        1 => Some("1 folder could not be read".to_string()),
        n => Some(format!("{n} folders could not be read")),
    };
    let output = summary.output.display();
    match (summary.skipped.len(), folders) {
        (0, None) => return Ok(0),
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
