//! The output folder's lock: one run at a time per folder.
//!
//! In: the output folder. Out: its [`LOCK`] file, locked exclusively (`flock`) for as long as
//! the returned `File` lives, or `None` where the file system refuses locks (a warning names the
//! folder). Guarantees: a second run waits for the first, saying so on stderr; the lock file is
//! never removed while a run holds it.

use std::fs::{self, File};
use std::path::Path;

use crate::error::{Error, Result};

/// The lock file of the output folder: held for the whole of a run, so that two runs into one
/// folder take turns.
pub const LOCK: &str = ".themescope.lock";

/// Takes the lock on the output folder `root` (its [`LOCK`] file), waiting for another run that
/// holds it. Where the file system refuses locks (some network and cluster file systems), a
/// warning names the folder and the run goes on without.
pub fn lock_folder(root: &Path, refused: bool) -> Result<Option<File>> {
    let path = root.join(LOCK);
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| Error::output(&path, e))?;
    let locked = match refused {
        true => Err(std::io::Error::from_raw_os_error(ENOLCK)),
        false => lock_waiting(root, &file),
    };
    match locked {
        Ok(()) => Ok(Some(file)),
        Err(e) if e.raw_os_error().is_some_and(lock_unsupported) => {
            crate::messages::warning(format!(
                "{}: the file system refuses locks ({e}); two runs into this folder at once could mix their results",
                root.display()
            ));
            Ok(None)
        }
        Err(e) => Err(Error::output(&path, e)),
    }
}

/// Locks `file`, saying so when another run holds it and this one waits.
fn lock_waiting(root: &Path, file: &File) -> std::io::Result<()> {
    if try_lock(file, false)? {
        return Ok(());
    }
    crate::messages::note(format!(
        "waiting for another themescope run writing to {}",
        root.display()
    ));
    try_lock(file, true).map(|_| ())
}

/// `ENOLCK`, as a file system without locks answers.
#[cfg(unix)]
const ENOLCK: i32 = libc::ENOLCK;
#[cfg(not(unix))]
const ENOLCK: i32 = 37;

/// Whether an error code says that the file system does not do locks.
fn lock_unsupported(code: i32) -> bool {
    #[cfg(unix)]
    {
        code == libc::ENOSYS || code == libc::ENOLCK || code == libc::EOPNOTSUPP
    }
    #[cfg(not(unix))]
    {
        let _ = code;
        false
    }
}

/// Locks `file` exclusively: at once or not at all (`wait` false: `Ok(false)` when another
/// process holds it), or waiting for it.
#[cfg(unix)]
fn try_lock(file: &File, wait: bool) -> std::io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    let flags = if wait {
        libc::LOCK_EX
    } else {
        libc::LOCK_EX | libc::LOCK_NB
    };
    // SAFETY: flock on a file descriptor this `File` owns for as long as the call runs.
    if unsafe { libc::flock(file.as_raw_fd(), flags) } == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(code) if code == libc::EWOULDBLOCK && !wait => Ok(false),
        _ => Err(e),
    }
}

/// Without `flock`, no lock: one run at a time is the user's to ensure.
#[cfg(not(unix))]
fn try_lock(_file: &File, _wait: bool) -> std::io::Result<bool> {
    Ok(true)
}
