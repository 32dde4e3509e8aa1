//! The switch from one result set to the next: a commit, as a database makes it, for a folder of
//! files.
//!
//! In: the output folder, a temporary folder inside it holding the complete new set, and the
//! previous set (the files its `manifest.json` lists). Out: the new set in place and the previous
//! set's files that it lacks gone. The steps, in this order:
//!
//! 1. every new file and the temporary folder reach the disk (fsync);
//! 2. the commit record [`RECORD`] (the temporary folder, the files to move in, the previous
//!    set) is written whole (a rename) and synced with the output folder: from here on the
//!    switch completes, now or in the next run;
//! 3. each file of the previous set that is replaced or dropped moves aside into the temporary
//!    folder's `.previous/`, each new file moves into place, and `manifest.json` last replaces
//!    the previous one in one rename; the folders are synced;
//! 4. the record is deleted, then the temporary folder.
//!
//! Guarantees: a step of 3 that fails is undone in reverse order (the previous set back in
//! place as it was, the record deleted), and the error says so; if undoing fails too the
//! record stays and the error says that the folder holds part of each set. After a crash at any
//! instant there is either no record (the previous set as it was) or a record, which the next
//! run into the folder finds under the lock and completes ([`recover`]) — steps 3–4 again,
//! idempotently, under the same rules — before anything else. Only regular files of the
//! previous set, reached without following a symbolic link, are moved aside or replaced
//! ([`super::ownership`]). `manifest.json` is in place at every instant after the first run.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ownership::{is_own_file, is_plain_name};
use super::{manifest, MANIFEST, TEMP_PREFIX};
use crate::error::{Error, Result};

/// The commit record: present in the output folder only while a switch is under way, or after
/// one was cut short.
pub const RECORD: &str = ".themescope-commit.json";

/// Inside the temporary folder: the previous set's files, moved aside during the switch.
const ASIDE: &str = ".previous";

/// The commit record's contents.
#[derive(Debug, Serialize, Deserialize)]
struct Record {
    /// Always `themescope`.
    tool: String,
    /// [`manifest::FORMAT`].
    format: u32,
    /// The temporary folder holding the new set (a top-level name in the output folder).
    temporary: String,
    /// The files of the new set, `manifest.json` last.
    files: Vec<String>,
    /// The files of the previous set (its manifest's list).
    previous: Vec<String>,
}

/// Test seams of the switch: a crash after a given step, a move that fails.
#[derive(Debug, Default)]
pub struct Steps {
    taken: u64,
    crash_at: Option<u64>,
    fail_move: Option<String>,
}

impl Steps {
    /// Steps that kill the process (SIGKILL, as `kill -9` does) when the `crash_at`-th step is
    /// taken, and make moving the new file `fail_move` into place fail.
    pub fn new(crash_at: Option<u64>, fail_move: Option<String>) -> Steps {
        Steps {
            taken: 0,
            crash_at,
            fail_move,
        }
    }

    /// One step of a switch or a recovery is done.
    fn done(&mut self) {
        self.taken += 1;
        if self.crash_at == Some(self.taken) {
            crash();
        }
    }

    /// The injected failure of moving `name` into place, if any.
    fn check_move(&self, name: &str) -> io::Result<()> {
        match self.fail_move.as_deref() == Some(name) {
            true => Err(io::Error::other(
                "move failed on purpose (test seam), as across file systems",
            )),
            false => Ok(()),
        }
    }
}

/// Dies as `kill -9` kills: no unwinding, no destructors, nothing flushed.
fn crash() -> ! {
    #[cfg(unix)]
    // SAFETY: sending a signal to this very process.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    std::process::abort()
}

/// Replaces the previous set (`previous`, under `root`) by the new set `files` in `temp`
/// (steps 1–4 above). The caller holds the lock and has checked that every new file's place is
/// free or holds a file of the previous set.
pub fn commit(
    root: &Path,
    temp: &Path,
    files: &[String],
    previous: &[String],
    steps: &mut Steps,
) -> Result<()> {
    let temporary = temp
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::Internal(format!("temporary folder {}", temp.display())))?;
    // The manifest moves last, so a manifest in place always describes complete files.
    let mut order: Vec<String> = files.iter().filter(|f| *f != MANIFEST).cloned().collect();
    order.extend(files.iter().filter(|f| *f == MANIFEST).cloned());
    let record = Record {
        tool: "themescope".to_string(),
        format: manifest::FORMAT,
        temporary,
        files: order,
        previous: previous.to_vec(),
    };
    // 1.
    for name in &record.files {
        sync(&temp.join(name)).map_err(|e| Error::output(root.join(name), e))?;
    }
    sync_folders(temp, &record.files).map_err(|e| Error::output(root, e))?;
    steps.done();
    // 2.
    write_record(root, temp, &record)?;
    steps.done();
    // 3.
    let mut switch = Switch::new(root, &record);
    if let Err(cause) = switch.forward(steps) {
        return Err(match switch.undo() {
            Ok(()) => match remove_record(root) {
                Ok(()) => Error::SwitchUndone {
                    cause: Box::new(cause),
                },
                Err(e) => Error::SwitchHalfway {
                    cause: Box::new(cause),
                    undo: e.to_string(),
                    record: root.join(RECORD),
                },
            },
            Err(e) => Error::SwitchHalfway {
                cause: Box::new(cause),
                undo: e.to_string(),
                record: root.join(RECORD),
            },
        });
    }
    // 4.
    finish(root, &record, steps)
}

/// Completes the switch that a run cut short left in `root`, if its [`RECORD`] is there;
/// `Ok(true)` when there was one. The caller holds the lock.
pub fn recover(root: &Path, steps: &mut Steps) -> Result<bool> {
    let path = root.join(RECORD);
    let record = match read_record(&path)? {
        Some(record) => record,
        None => return Ok(false),
    };
    let failed = |cause: Error| Error::Recovery {
        record: path.clone(),
        cause: Box::new(cause),
    };
    Switch::new(root, &record).forward(steps).map_err(failed)?;
    finish(root, &record, steps).map_err(failed)?;
    crate::messages::note(format!(
        "{}: completed the switch to the results of an earlier run that stopped part way",
        root.display()
    ));
    Ok(true)
}

/// What step 3 did, so that it can be undone.
#[derive(Debug)]
enum Done {
    /// A file of the previous set moved aside into the temporary folder.
    MovedAside(String),
    /// A new file moved into place.
    Placed(String),
    /// A folder created in the output folder for new files.
    MadeFolder(PathBuf),
}

/// Step 3 under way.
struct Switch<'a> {
    root: &'a Path,
    temp: PathBuf,
    record: &'a Record,
    log: Vec<Done>,
}

impl<'a> Switch<'a> {
    fn new(root: &'a Path, record: &'a Record) -> Switch<'a> {
        Switch {
            root,
            temp: root.join(&record.temporary),
            record,
            log: Vec::new(),
        }
    }

    /// Moves the previous set's files aside and the new files into place, `manifest.json`
    /// last; a file already moved (by a run that stopped part way) is passed over. The previous
    /// set's files that the new one lacks move aside just before the manifest is replaced, so
    /// that once it is, nothing is left to undo.
    fn forward(&mut self, steps: &mut Steps) -> Result<()> {
        let mut dropped = false;
        for name in &self.record.files {
            if name == MANIFEST {
                self.move_aside_dropped(steps)?;
                dropped = true;
            }
            self.place(name, steps)?;
        }
        if !dropped {
            self.move_aside_dropped(steps)?;
        }
        Ok(())
    }

    /// Moves the new file `name` into place (unless it is there already), the previous set's
    /// file of that name aside first — except `manifest.json`, replaced in one rename so that
    /// it is never missing.
    fn place(&mut self, name: &str, steps: &mut Steps) -> Result<()> {
        let staged = self.temp.join(name);
        if !exists(&staged).map_err(|e| Error::output(&staged, e))? {
            return Ok(());
        }
        let target = self.root.join(name);
        let occupied = exists(&target).map_err(|e| Error::output(&target, e))?;
        if occupied {
            self.check_ours(name)?;
            if name != MANIFEST {
                self.move_aside(name)?;
                steps.done();
            }
        }
        self.make_folders(name)?;
        steps
            .check_move(name)
            .and_then(|()| fs::rename(&staged, &target))
            .map_err(|e| Error::output(&target, moving("into place", e)))?;
        self.log.push(Done::Placed(name.to_string()));
        steps.done();
        Ok(())
    }

    /// Moves aside the previous set's files that the new set lacks (those that are ours: a
    /// link or a folder now at such a name is left alone).
    fn move_aside_dropped(&mut self, steps: &mut Steps) -> Result<()> {
        for name in dropped(self.record) {
            if is_own_file(self.root, name) {
                self.move_aside(name)?;
                steps.done();
            }
        }
        Ok(())
    }

    /// Refuses to replace `name` unless it is a file of the previous set.
    fn check_ours(&self, name: &str) -> Result<()> {
        if self.record.previous.iter().any(|p| p == name) && is_own_file(self.root, name) {
            return Ok(());
        }
        Err(Error::NotOurs {
            path: self.root.join(name),
            why: "was not written by themescope (its manifest does not list it)".to_string(),
        })
    }

    /// Moves the previous set's file `name` into the temporary folder.
    fn move_aside(&mut self, name: &str) -> Result<()> {
        let aside = self.temp.join(ASIDE).join(name);
        if let Some(parent) = aside.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::output(parent, e))?;
        }
        let from = self.root.join(name);
        fs::rename(&from, &aside).map_err(|e| Error::output(&from, moving("aside", e)))?;
        self.log.push(Done::MovedAside(name.to_string()));
        Ok(())
    }

    /// Creates the folders on the way to the new file `name`, noting each one made.
    fn make_folders(&mut self, name: &str) -> Result<()> {
        let mut path = self.root.to_path_buf();
        let parts: Vec<&str> = name.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            path.push(part);
            match fs::create_dir(&path) {
                Ok(()) => self.log.push(Done::MadeFolder(path.clone())),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(Error::output(&path, e)),
            }
        }
        Ok(())
    }

    /// Undoes what [`Switch::forward`] did, last step first: the previous set is back in place.
    fn undo(&mut self) -> io::Result<()> {
        while let Some(done) = self.log.pop() {
            match &done {
                Done::Placed(name) => fs::rename(self.root.join(name), self.temp.join(name)),
                Done::MovedAside(name) => {
                    fs::rename(self.temp.join(ASIDE).join(name), self.root.join(name))
                }
                Done::MadeFolder(path) => fs::remove_dir(path),
            }
            .map_err(|e| {
                let path = match &done {
                    Done::Placed(name) | Done::MovedAside(name) => self.root.join(name),
                    Done::MadeFolder(path) => path.clone(),
                };
                io::Error::new(e.kind(), format!("{}: {e}", path.display()))
            })?;
        }
        sync(self.root)
    }
}

/// The previous set's files that the new set lacks.
fn dropped(record: &Record) -> impl Iterator<Item = &String> {
    record.previous.iter().filter(|p| !record.files.contains(p))
}

/// Step 4: folders of ours that the dropped files left empty (`charts/`) go, the folders are
/// synced, then the record is deleted, then the temporary folder (with the previous set's
/// files moved aside into it).
fn finish(root: &Path, record: &Record, steps: &mut Steps) -> Result<()> {
    for name in dropped(record) {
        let path = root.join(name);
        if let Some(parent) = path.parent().filter(|p| *p != root) {
            // Only an empty folder goes; one holding anything (yours) stays.
            let _ = fs::remove_dir(parent);
        }
    }
    let touched: Vec<String> = record
        .files
        .iter()
        .chain(&record.previous)
        .cloned()
        .collect();
    sync_folders(root, &touched).map_err(|e| Error::output(root, e))?;
    remove_record(root)?;
    steps.done();
    let temp = root.join(&record.temporary);
    match fs::remove_dir_all(&temp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::output(&temp, e)),
        _ => Ok(()),
    }
}

/// Writes `record` whole: into the temporary folder, synced, then renamed into the output
/// folder, which is synced.
fn write_record(root: &Path, temp: &Path, record: &Record) -> Result<()> {
    let staged = temp.join(RECORD);
    let path = root.join(RECORD);
    let written = (|| {
        let mut file = File::create(&staged)?;
        serde_json::to_writer_pretty(&mut file, record)?;
        file.write_all(b"\n")?;
        file.sync_all()?;
        fs::rename(&staged, &path)?;
        sync(root)
    })();
    written.map_err(|e| Error::output(&path, e))
}

/// Deletes the record and syncs the output folder.
fn remove_record(root: &Path) -> Result<()> {
    let path = root.join(RECORD);
    match fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(Error::output(&path, e)),
        _ => {}
    }
    sync(root).map_err(|e| Error::output(root, e))
}

/// Reads the record at `path`; `None` when there is none. A record that is not themescope's,
/// or names anything outside the folder, is an [`Error::NotOurs`].
fn read_record(path: &Path) -> Result<Option<Record>> {
    let not_ours = |why: &str| Error::NotOurs {
        path: path.to_path_buf(),
        why: why.to_string(),
    };
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::output(path, e)),
        Ok(meta) if !meta.file_type().is_file() => return Err(not_ours("is not a regular file")),
        Ok(_) => {}
    }
    let bytes = fs::read(path).map_err(|e| Error::output(path, e))?;
    let record: Record = serde_json::from_slice(&bytes)
        .map_err(|_| not_ours("is not a themescope commit record"))?;
    let plain = record.temporary.starts_with(TEMP_PREFIX)
        && !record.temporary.contains('/')
        && is_plain_name(&record.temporary)
        && record
            .files
            .iter()
            .chain(&record.previous)
            .all(|f| is_plain_name(f));
    if record.tool != "themescope" || record.format > manifest::FORMAT || !plain {
        return Err(not_ours(
            "is not a commit record this themescope can complete",
        ));
    }
    Ok(Some(record))
}

/// The error `e` of moving a file `whither` ("into place", "aside"), saying so.
fn moving(whither: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("moving it {whither}: {e}"))
}

/// Whether something is at `path` (a symbolic link counts; it is not followed).
fn exists(path: &Path) -> io::Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Flushes the file or folder at `path` to the disk.
fn sync(path: &Path) -> io::Result<()> {
    if cfg!(unix) || path.is_file() {
        File::open(path)?.sync_all()?;
    }
    Ok(())
}

/// Syncs `base` and every folder under it that holds one of `names` (and still exists).
fn sync_folders(base: &Path, names: &[String]) -> io::Result<()> {
    let mut folders: Vec<PathBuf> = vec![base.to_path_buf()];
    for name in names {
        let mut path = base.to_path_buf();
        let parts: Vec<&str> = name.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            path.push(part);
            if !folders.contains(&path) {
                folders.push(path.clone());
            }
        }
    }
    for folder in folders.iter().rev() {
        match sync(folder) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}
