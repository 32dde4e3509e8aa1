//! Stage write: results → files in the output folder, replaced all at once.
//!
//! In: the output folder and the files of a result set, written one by one. Out: the new set in
//! the output folder. A result set is written in full into a temporary folder inside the output
//! folder, `manifest.json` last; only [`OutputDir::commit`] moves its files into place and removes
//! the files of the previous set (named by the previous `manifest.json`) that the new set lacks.
//! Files themescope did not write (`.gitkeep`, a README) are never touched.
//!
//! Guarantees: until `commit`, the previous output is exactly as it was; if the run fails (an
//! error, a panic unwinding) the temporary folder is removed when the [`OutputDir`] is dropped.

pub mod chart;
pub mod csv;
pub mod digest;
pub mod file;
pub mod manifest;
pub mod registry;
pub mod report;
pub mod summary;

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What every corpus-level output (the corpus CSV rows, charts, report, summary) is rendered
/// from: the lexicon, the totals of every analysed document, and the scores computed from them
/// once ([`crate::score::corpus_scores`]).
#[derive(Clone, Copy, Debug)]
pub struct Corpus<'a> {
    /// The lexicon.
    pub lexicon: &'a crate::lexicon::Lexicon,
    /// Its compiled matcher (term ids).
    pub matcher: &'a crate::matcher::Matcher,
    /// The totals of every analysed document.
    pub totals: &'a crate::count::CorpusTotals,
    /// Each contrast's corpus score, in lexicon order.
    pub scores: &'a [crate::score::ContrastScore],
}

/// An integer with thousands separated by commas, as titles and the summary write it:
/// "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Prefix of the temporary folder inside the output folder.
pub const TEMP_PREFIX: &str = ".themescope-tmp-";

/// The lock file of the output folder: held for the whole of a run, so that two runs into one
/// folder take turns.
pub const LOCK: &str = ".themescope.lock";

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// An output folder receiving a new result set.
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
    /// `None` once committed.
    temp: Option<tempfile::TempDir>,
    files: Vec<String>,
    /// Whether this run created the output folder (removed again, if empty, on failure).
    created_root: bool,
    /// Test seam: the file whose writing should fail part way.
    fail_write: Option<String>,
    /// The lock file, locked while this is alive (closing it releases the lock).
    _lock: Option<File>,
}

impl Drop for OutputDir {
    /// A result set that was never committed leaves nothing behind: its temporary folder goes,
    /// and so does the output folder if this run created it.
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = temp.close();
            if self.created_root {
                let _ = fs::remove_file(self.root.join(LOCK));
                let _ = fs::remove_dir(&self.root);
            }
        }
    }
}

impl OutputDir {
    /// Creates `root` if needed, locks it and makes a temporary folder inside it.
    pub fn create(root: &Path) -> Result<OutputDir> {
        Self::create_with(root, false)
    }

    /// [`OutputDir::create`]; `lock_refused` (a test seam) makes the lock call fail as on a file
    /// system without locks.
    pub fn create_with(root: &Path, lock_refused: bool) -> Result<OutputDir> {
        let created_root = !root.exists();
        fs::create_dir_all(root).map_err(|e| Error::output(root, e))?;
        // Another tool's manifest stops the run before any work and before a lock file is
        // made beside it (commit checks again, under the lock).
        previous_set(root)?;
        let lock = lock_folder(root, lock_refused)?;
        if lock.is_some() {
            remove_stale_temporary_folders(root);
        }
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempdir_in(root)
            .map_err(|e| {
                if created_root {
                    let _ = fs::remove_file(root.join(LOCK));
                    let _ = fs::remove_dir(root);
                }
                Error::output(root, e)
            })?;
        Ok(OutputDir {
            root: root.to_path_buf(),
            temp: Some(temp),
            files: Vec::new(),
            created_root,
            fail_write: None,
            _lock: lock,
        })
    }

    /// Test seam: make writing the file `name` fail part way (see `Config::fail_write`).
    pub fn set_fail_write(&mut self, name: Option<String>) {
        self.fail_write = name;
    }

    /// The file whose writing should fail, if a test asked for it.
    pub fn fail_write(&self) -> Option<&str> {
        self.fail_write.as_deref()
    }

    fn temp_path(&self) -> &Path {
        // The temporary folder is there until `commit` consumes `self`.
        self.temp.as_ref().map_or(self.root.as_path(), |t| t.path())
    }

    /// A folder for scratch files of the run (inside the temporary folder, so they go with it).
    pub fn scratch_dir(&self) -> &Path {
        self.temp_path()
    }

    /// The output folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Creates the file `name` (relative, `/`-separated) of the new set.
    pub fn create_file(&mut self, name: &str) -> Result<BufWriter<File>> {
        let path = self.temp_path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::output(parent, e))?;
        }
        let file = File::create(&path).map_err(|e| Error::output(self.root.join(name), e))?;
        if !self.files.iter().any(|f| f == name) {
            self.files.push(name.to_string());
        }
        Ok(BufWriter::with_capacity(1 << 16, file))
    }

    /// The path in the new set for `name` (its folder created), without adding it to the set:
    /// call [`OutputDir::adopt`] once the file is complete.
    pub fn path_for(&self, name: &str) -> Result<PathBuf> {
        let path = self.temp_path().join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::output(parent, e))?;
        }
        Ok(path)
    }

    /// Adds the file `name`, written at [`OutputDir::path_for`], to the new set.
    pub fn adopt(&mut self, name: &str) -> Result<()> {
        let path = self.temp_path().join(name);
        if !path.is_file() {
            return Err(Error::output(
                self.root.join(name),
                std::io::Error::other("was not written"),
            ));
        }
        if !self.files.iter().any(|f| f == name) {
            self.files.push(name.to_string());
        }
        Ok(())
    }

    /// The files of the new set so far, in the order they were created.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Moves the new set into place and removes the previous set's files it does not replace.
    /// Only files of themescope's own previous set are replaced or removed: a `manifest.json`
    /// of another tool, or anything in the way of a new file that the previous manifest does
    /// not list, stops the commit before anything is moved ([`Error::NotOurs`]).
    pub fn commit(mut self) -> Result<()> {
        let old = previous_set(&self.root)?;
        for name in &self.files {
            check_the_way(&self.root, name, &old)?;
        }
        // The manifest moves last, so a manifest in place always describes complete files.
        let mut order: Vec<&String> = self.files.iter().filter(|f| *f != MANIFEST).collect();
        order.extend(self.files.iter().filter(|f| *f == MANIFEST));
        for name in order {
            let to = self.root.join(name);
            if let Some(parent) = to.parent() {
                fs::create_dir_all(parent).map_err(|e| Error::output(parent, e))?;
            }
            fs::rename(self.temp_path().join(name), &to).map_err(|e| Error::output(&to, e))?;
        }
        for name in old.iter().filter(|o| !self.files.contains(o)) {
            if !is_own_file(&self.root, name) {
                continue;
            }
            let path = self.root.join(name);
            fs::remove_file(&path).map_err(|e| Error::output(&path, e))?;
            // A folder of ours left empty (charts/) goes too; one holding anything stays.
            if let Some(parent) = path.parent().filter(|p| *p != self.root) {
                let _ = fs::remove_dir(parent);
            }
        }
        match self.temp.take() {
            Some(temp) => temp.close().map_err(|e| Error::output(&self.root, e)),
            None => Ok(()),
        }
    }
}

/// Removes the temporary folders of runs that died (killed, out of memory, power lost): with
/// the lock held, no live run has one. Best effort: what cannot be removed stays.
fn remove_stale_temporary_folders(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
            && entry.file_type().is_ok_and(|t| t.is_dir());
        if stale {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Takes the lock on the output folder `root` (its [`LOCK`] file), waiting for another run that
/// holds it. Where the file system refuses locks (some network and cluster file systems), a
/// warning names the folder and the run goes on without.
fn lock_folder(root: &Path, refused: bool) -> Result<Option<File>> {
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

/// Whether `name` (relative, `/`-separated) is a regular file inside `root`, reached without
/// following a symbolic link: only such a file of the previous set is removed.
fn is_own_file(root: &Path, name: &str) -> bool {
    let mut path = root.to_path_buf();
    let parts: Vec<&str> = name.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return false;
        };
        let last = i + 1 == parts.len();
        let ok = if last {
            meta.file_type().is_file()
        } else {
            meta.file_type().is_dir()
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Checks that the new file `name` can take its place: each folder on its way is a real
/// folder (or not there yet), and what is at its path now, if anything, is a regular file of
/// the previous set (`old`).
fn check_the_way(root: &Path, name: &str, old: &[String]) -> Result<()> {
    let parts: Vec<&str> = name.split('/').collect();
    let mut path = root.to_path_buf();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::output(&path, e)),
        };
        let kind = meta.file_type();
        let not_ours = |why: &str| {
            Err(Error::NotOurs {
                path: path.clone(),
                why: why.to_string(),
            })
        };
        if kind.is_symlink() {
            return not_ours("is a symbolic link");
        }
        let last = i + 1 == parts.len();
        if !last && !kind.is_dir() {
            return not_ours("is a file where themescope writes a folder");
        }
        if last && kind.is_dir() {
            return not_ours("is a folder where themescope writes a file");
        }
        if last && !old.iter().any(|o| o == name) {
            return not_ours("was not written by themescope (its manifest does not list it)");
        }
    }
    Ok(())
}

/// The files of the previous result set: those its `manifest.json` lists, as plain relative
/// names (a doctored manifest cannot name anything outside the output folder). No manifest: no
/// previous set. A `manifest.json` that is not themescope's is an error naming it.
fn previous_set(root: &Path) -> Result<Vec<String>> {
    let path = root.join(MANIFEST);
    let not_ours = |why: &str| {
        Err(Error::NotOurs {
            path: path.clone(),
            why: why.to_string(),
        })
    };
    match fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::output(&path, e)),
        Ok(meta) if !meta.file_type().is_file() => return not_ours("is not a regular file"),
        Ok(_) => {}
    }
    let bytes = fs::read(&path).map_err(|e| Error::output(&path, e))?;
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return not_ours("is not a themescope manifest (not JSON)");
    };
    if value["tool"] != "themescope" {
        return not_ours("is another tool's manifest (no \"tool\": \"themescope\")");
    }
    if value["format"]
        .as_u64()
        .is_some_and(|f| f > u64::from(manifest::FORMAT))
    {
        return not_ours("was written by a newer themescope (a later manifest format)");
    }
    Ok(value["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .filter_map(|f| f.as_str())
                .filter(|f| {
                    !f.is_empty()
                        && !f.starts_with('/')
                        && !f.contains('\\')
                        && f.split('/')
                            .all(|part| !part.is_empty() && part != "." && part != "..")
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write_set(root: &Path, files: &[(&str, &str)]) {
        let mut out = OutputDir::create(root).unwrap();
        for (name, body) in files {
            out.create_file(name)
                .unwrap()
                .write_all(body.as_bytes())
                .unwrap();
        }
        let list: Vec<&str> = files.iter().map(|f| f.0).chain([MANIFEST]).collect();
        let manifest = serde_json::json!({ "tool": "themescope", "files": list }).to_string();
        out.create_file(MANIFEST)
            .unwrap()
            .write_all(manifest.as_bytes())
            .unwrap();
        out.commit().unwrap();
    }

    fn listing(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = walkdir::WalkDir::new(root)
            .min_depth(1)
            .into_iter()
            .map(|e| {
                e.unwrap()
                    .path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn new_set_replaces_old_and_leaves_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        fs::create_dir_all(&root).unwrap();
        fs::write(root.join(".gitkeep"), "").unwrap();
        write_set(&root, &[("a.csv", "1"), ("charts/x.png", "p")]);
        write_set(&root, &[("a.csv", "2"), ("b.csv", "3")]);
        assert_eq!(
            listing(&root),
            vec![".gitkeep", LOCK, "a.csv", "b.csv", "manifest.json"]
        );
        assert_eq!(fs::read_to_string(root.join("a.csv")).unwrap(), "2");
    }

    #[test]
    fn dropped_set_leaves_previous_output_and_no_temp_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        write_set(&root, &[("a.csv", "1")]);
        {
            let mut out = OutputDir::create(&root).unwrap();
            out.create_file("a.csv")
                .unwrap()
                .write_all(b"half")
                .unwrap();
        }
        assert_eq!(listing(&root), vec![LOCK, "a.csv", "manifest.json"]);
        assert_eq!(fs::read_to_string(root.join("a.csv")).unwrap(), "1");
    }

    #[test]
    fn a_failed_run_removes_the_output_folder_it_created() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("new");
        drop(OutputDir::create(&root).unwrap());
        assert!(!root.exists());
        write_set(&root, &[("a.csv", "1")]);
        drop(OutputDir::create(&root).unwrap());
        assert_eq!(listing(&root), vec![LOCK, "a.csv", "manifest.json"]);
    }

    #[test]
    fn manifest_cannot_point_outside() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(MANIFEST),
            r#"{"tool": "themescope", "files": ["../x", "/etc/passwd", "a/../b", "ok.csv"]}"#,
        )
        .unwrap();
        assert_eq!(previous_set(dir.path()).unwrap(), vec!["ok.csv"]);
    }

    #[test]
    fn output_under_a_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), "x").unwrap();
        let err = OutputDir::create(&dir.path().join("f/out")).unwrap_err();
        assert!(err.to_string().starts_with("cannot write "), "{err}");
    }
}
