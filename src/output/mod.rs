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
pub mod groups;
pub mod lock;
pub mod manifest;
pub mod ownership;
pub mod registry;
pub mod report;
pub mod summary;
pub mod transaction;

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::faults::Faults;
pub use lock::LOCK;
use ownership::{check_the_way, previous_set};
use transaction::Steps;
pub use transaction::RECORD;

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
    /// The groups of each `--group-by`, with their sums.
    pub grouped: &'a [crate::group::sums::Grouped],
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
    /// Test seams of the switch (a crash after step N, a move that fails).
    steps: Steps,
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
    /// Creates `root` if needed, locks it, completes the switch an earlier run left part way
    /// (if any), removes the temporary folders of runs that died, and makes a temporary folder
    /// inside it.
    pub fn create(root: &Path) -> Result<OutputDir> {
        Self::create_with(root, &Faults::default())
    }

    /// [`OutputDir::create`], with the failures `faults` injects: a lock call that fails as on
    /// a file system without locks, a move that fails, a crash after the N-th step of a switch.
    pub fn create_with(root: &Path, faults: &Faults) -> Result<OutputDir> {
        let created_root = !root.exists();
        fs::create_dir_all(root).map_err(|e| Error::output(root, e))?;
        let undo_created = || {
            if created_root {
                let _ = fs::remove_file(root.join(LOCK));
                let _ = fs::remove_dir(root);
            }
        };
        // Another tool's manifest stops the run before any work and before a lock file is
        // made beside it (commit checks again, under the lock).
        previous_set(root)?;
        let lock = lock::lock_folder(root, faults.lock_refused)?;
        let mut steps = Steps::new(faults.crash_at, faults.fail_move.clone());
        transaction::recover(root, &mut steps)?;
        // Without the lock, another run may be writing into its temporary folder right now.
        if lock.is_some() {
            remove_stale_temporary_folders(root);
        }
        let temp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempdir_in(root)
            .map_err(|e| {
                undo_created();
                Error::output(root, e)
            })?;
        Ok(OutputDir {
            root: root.to_path_buf(),
            temp: Some(temp),
            files: Vec::new(),
            created_root,
            fail_write: None,
            steps,
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

    /// Moves the new set into place and removes the previous set's files it does not replace
    /// ([`transaction::commit`]). Only files of themescope's own previous set are replaced or
    /// removed: a `manifest.json` of another tool, or anything in the way of a new file that
    /// the previous manifest does not list, stops the commit before anything is moved
    /// ([`Error::NotOurs`]).
    pub fn commit(mut self) -> Result<()> {
        let old = previous_set(&self.root)?;
        for name in &self.files {
            check_the_way(&self.root, name, &old)?;
        }
        let temp = self.temp_path().to_path_buf();
        let committed = transaction::commit(&self.root, &temp, &self.files, &old, &mut self.steps);
        // Once committed, the temporary folder is gone; after a switch half done, the commit
        // record names it, and the next run needs it. Otherwise it goes with `self`.
        if matches!(committed, Ok(()) | Err(Error::SwitchHalfway { .. })) {
            if let Some(temp) = self.temp.take() {
                let _ = temp.keep();
            }
        }
        committed
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
