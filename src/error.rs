//! Error types of the library.
//!
//! In: failures from every stage. Out: one [`Error`] enum whose messages name the file (and the
//! line, for lexicons) and say what to do. Per-document problems that do not stop a run are not
//! errors: they are [`crate::corpus::SkipReason`]s, reported and counted.

use std::path::PathBuf;

/// Every way a run can fail as a whole.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An INPUT given on the command line does not exist or cannot be read.
    #[error("input {path}: {source} (check the path; INPUT is a file or a folder)")]
    Input {
        /// The INPUT as given.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A table INPUT cannot be read as a table: no text or id column, no header, a bad sheet.
    #[error("{}: {message}", path.display())]
    Table {
        /// The table file.
        path: PathBuf,
        /// What is wrong and what to do.
        message: String,
    },
    /// The inputs hold no `.txt` or `.md` document at all (that could be listed).
    #[error("no document found in {inputs}: themescope reads .txt and .md files (folders are searched recursively){}", unreadable_note(*unreadable_folders))]
    NoDocuments {
        /// The inputs, comma-separated.
        inputs: String,
        /// Folders inside them that could not be read (each named in a warning).
        unreadable_folders: usize,
    },
    /// Every document was skipped, so there is nothing to write.
    #[error("no readable document: all {skipped} documents were skipped (see the messages above); nothing was written")]
    NoReadableDocument {
        /// How many were skipped.
        skipped: usize,
    },
    /// A lexicon is malformed.
    #[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Lexicon {
        /// The lexicon file (or `built-in`).
        path: String,
        /// The 1-based line, where known.
        line: Option<usize>,
        /// What is wrong and what to do.
        message: String,
    },
    /// The output folder (or a file in it) cannot be created or written.
    #[error("cannot write {path}: {source} (choose another folder with -o DIR)")]
    Output {
        /// The file or folder.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// Something in the output folder that themescope did not write is where it would write
    /// or delete: another tool's `manifest.json`, a folder or link in the way of a new file.
    #[error("{path} {why}: themescope replaces only files its own runs wrote, so nothing was changed (move it away, or choose another folder with -o DIR)")]
    NotOurs {
        /// What is in the way.
        path: PathBuf,
        /// What it is.
        why: String,
    },
    /// Moving the new result set into place failed part way, and was undone: the previous set
    /// is in place as it was.
    #[error("{cause}; the previous results were put back as they were, so nothing was changed")]
    SwitchUndone {
        /// The failed step.
        cause: Box<Error>,
    },
    /// Moving the new result set into place failed part way, and undoing it failed too: the
    /// folder holds part of each set until the next run completes the switch.
    #[error("{cause}; putting the previous results back failed too ({undo}), so the folder holds part of each set: {} lists them, and the next themescope run into this folder completes the switch once the cause is fixed", record.display())]
    SwitchHalfway {
        /// The failed step.
        cause: Box<Error>,
        /// Why undoing it failed.
        undo: String,
        /// The commit record left in the folder.
        record: PathBuf,
    },
    /// An earlier run stopped part way through moving its results into place, and completing
    /// that switch failed.
    #[error("{}: an earlier run stopped while moving its results into place, and completing that failed: {cause}; nothing else was changed (fix the cause and run again)", record.display())]
    Recovery {
        /// The commit record.
        record: PathBuf,
        /// What failed.
        cause: Box<Error>,
    },
    /// The run was interrupted (Ctrl-C); nothing was written.
    #[error("interrupted: nothing was written, the previous output is unchanged")]
    Interrupted,
    /// A bad combination of options.
    #[error("{0}")]
    Usage(String),
    /// The process (or the system) would not open another file (EMFILE, ENFILE): nothing is
    /// wrong with the file, and no document is skipped for it; the run stops.
    #[error("cannot open {path}: too many open files{}: raise the limit (`ulimit -n 4096`) or use fewer threads (--jobs N); nothing was written", open_files_limit().map_or_else(String::new, |n| format!(" (this process may have {n} open at once, `ulimit -n`)")))]
    TooManyOpenFiles {
        /// The file that could not be opened.
        path: PathBuf,
    },
    /// The worker threads could not be started.
    #[error("cannot start {jobs} worker threads: {message} (try fewer with --jobs N)")]
    Threads {
        /// How many were asked for.
        jobs: usize,
        /// What the system said.
        message: String,
    },
    /// A failure inside themescope, caused neither by the input nor by the system.
    #[error("internal error: {0} (a bug in themescope: please report it with the command line)")]
    Internal(String),
}

/// What [`Error::NoDocuments`] adds about folders that could not be read.
fn unreadable_note(folders: usize) -> String {
    match folders {
        0 => String::new(),
        1 => "; 1 folder could not be read (named above)".to_string(),
        n => format!("; {n} folders could not be read (named above)"),
    }
}

/// Whether `e` says that no more files can be opened (EMFILE: this process's limit,
/// `ulimit -n`; ENFILE: the system's).
pub fn out_of_files(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(e.raw_os_error(), Some(libc::EMFILE | libc::ENFILE))
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// How many files this process may have open at once (`ulimit -n`), where the system says.
fn open_files_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct it is given, nothing else.
        let got = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
        // `rlim_t` is 32 bits wide on some systems.
        #[allow(clippy::unnecessary_cast)]
        (got == 0 && limit.rlim_cur != libc::RLIM_INFINITY).then_some(limit.rlim_cur as u64)
    }
    #[cfg(not(unix))]
    {
        None
    }
}

impl Error {
    /// An [`Error::Output`] for `path`; an [`Error::TooManyOpenFiles`] when the file could not
    /// be opened for want of file descriptors (no other folder would help).
    pub fn output(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        if out_of_files(&source) {
            return Error::TooManyOpenFiles { path: path.into() };
        }
        Error::Output {
            path: path.into(),
            source,
        }
    }

    /// The error of writing CSV rows to `path`: an [`Error::Output`] when the file system
    /// failed, an [`Error::Internal`] otherwise (a row themescope could not render).
    pub fn from_csv(path: impl Into<PathBuf>, e: csv::Error) -> Self {
        let path = path.into();
        if !e.is_io_error() {
            return Error::Internal(format!("writing {}: {e}", path.display()));
        }
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Error::output(path, io),
            other => Error::Internal(format!("writing {}: {other:?}", path.display())),
        }
    }

    /// An [`Error::Lexicon`] for `path` at `line`.
    pub fn lexicon(path: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        Error::Lexicon {
            path: path.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
