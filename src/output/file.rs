//! Output files written in place: buffered, synced to disk early and at the end, failing with
//! the file's path.
//!
//! In: a file name in the result set ([`OutputDir::create_file`]) and bytes (rendered rows).
//! Out: a complete file on disk. Guarantees: every error names the file; a large file starts
//! reaching the disk while the run goes on (early syncs on a thread of their own), and
//! [`OutFile::finish_in_background`] hands back a [`Syncing`] to wait on before the manifest is
//! written; the test seam `fail_write` makes one file's second write fail.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use super::csv as csv_out;
use super::OutputDir;
use crate::error::{Error, Result};

/// An open output file with its name, for messages.
pub struct OutFile {
    /// The file's name in the result set.
    pub name: &'static str,
    /// Where it is being written.
    pub path: PathBuf,
    /// The buffered file.
    pub writer: BufWriter<File>,
    /// Test seam: writes left before an injected write error.
    fail_in: Option<usize>,
    /// Bytes written since the last early sync began.
    unsynced: u64,
    /// Line ends written: the rows of a CSV file (a cell holding a line break counts twice).
    lines: u64,
    /// Bytes to write between early syncs ([`EARLY_SYNC_BYTES`]; less in tests).
    sync_every: u64,
    /// An early sync under way (see [`OutFile::start_early_sync`]).
    early_sync: EarlySync,
}

/// The rows a spreadsheet opens (Excel, LibreOffice Calc): a longer CSV file is cut off there.
pub const SPREADSHEET_ROWS: u64 = 1_048_576;

/// The warning for the CSV file `name` of `rows` rows (its header included), when a spreadsheet
/// cannot open it whole: what to open instead, or how to make it shorter.
pub fn too_many_rows(name: &str, rows: u64) -> Option<String> {
    const INSTEAD: &str = "open documents.csv (one row per document) instead";
    const WHOLE: &str =
        "a spreadsheet shows its first rows only; R, pandas or DuckDB read it whole";
    let what_to_do = match name {
        "documents.csv" | "terms.csv" | "cooccurrence.csv" | "lexicon_coverage.csv" => {
            WHOLE.to_string()
        }
        "themes.csv" => format!("{INSTEAD}, or leave out its zero rows with --zeros drop"),
        "hits.csv" => format!("{INSTEAD}; --hits none leaves it out"),
        "tension.csv" => format!("{INSTEAD}; --tension none leaves it out"),
        "groups.csv" | "group_contrasts.csv" | "keyness.csv" | "keyness_terms.csv" => {
            "a row per group and theme (or term); a --group-by of fewer groups (a column of fewer \
             values, a coarser period) makes it shorter"
                .to_string()
        }
        _ => INSTEAD.to_string(),
    };
    (rows > SPREADSHEET_ROWS).then(|| {
        format!(
            "{name} has {} rows, more than a spreadsheet opens ({}): {what_to_do}",
            super::thousands(rows),
            super::thousands(SPREADSHEET_ROWS)
        )
    })
}

/// Bytes written to a file between early syncs: small enough that the disk writes while the
/// run goes on and the final sync finds little left to write (with 64 MiB, the 147 MB that
/// documents-only results of 124,000 table rows take waited about 0.14 s for the disk at the
/// end; now 0.02 s), large enough that a sync is not started for every few rows.
const EARLY_SYNC_BYTES: u64 = 8 << 20;

impl OutFile {
    /// Creates `name` in the result set.
    pub fn open(out: &mut OutputDir, name: &'static str) -> Result<OutFile> {
        Ok(OutFile {
            name,
            path: out.root().join(name),
            writer: out.create_file(name)?,
            // The first write after the header fails (the byte-order mark's, with `--excel`):
            // part way through the file, whether it gets rows per document or once at the end.
            fail_in: (out.fail_write() == Some(name)).then_some(1),
            unsynced: 0,
            lines: 0,
            sync_every: EARLY_SYNC_BYTES,
            early_sync: None,
        })
    }

    /// Appends `bytes`.
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.write_io(bytes)
            .map_err(|e| Error::output(&self.path, e))
    }

    /// [`OutFile::write`] with the I/O error as it came (the [`Write`] impl passes it on, and
    /// the caller names the file once).
    fn write_io(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(left) = self.fail_in.as_mut() {
            // Once failed, every later write fails too, as on a disk that is full.
            *left = left.saturating_sub(1);
            if *left == 0 {
                return Err(std::io::Error::other("write error injected for testing"));
            }
        }
        self.writer.write_all(bytes)?;
        self.unsynced += bytes.len() as u64;
        self.lines += memchr::memchr_iter(b'\n', bytes).count() as u64;
        if self.unsynced >= self.sync_every {
            self.start_early_sync()?;
        }
        Ok(())
    }

    /// Starts the disk writing what the file holds so far, on a thread of its own (unless the
    /// previous early sync is still at work): a file of hundreds of megabytes then reaches the
    /// disk while the run goes on, and its final sync has only the last part left to write.
    fn start_early_sync(&mut self) -> std::io::Result<()> {
        self.start_early_sync_with(File::try_clone)
    }

    /// [`OutFile::start_early_sync`], the sync thread's handle to the file made by `clone`. An
    /// early sync is only a head start: when no second handle can be made or no thread
    /// started (no file descriptor or thread left: `ulimit -n`, `ulimit -u`), it is left out,
    /// and the final sync writes what it would have.
    fn start_early_sync_with(
        &mut self,
        clone: impl FnOnce(&File) -> std::io::Result<File>,
    ) -> std::io::Result<()> {
        if self.early_sync.as_ref().is_some_and(|h| !h.is_finished()) {
            return Ok(());
        }
        if let Some(handle) = self.early_sync.take() {
            joined(handle)?;
        }
        self.writer.flush()?;
        self.unsynced = 0;
        if let Ok(file) = clone(self.writer.get_ref()) {
            let thread = std::thread::Builder::new().spawn(move || file.sync_data());
            self.early_sync = thread.ok();
        }
        Ok(())
    }

    /// The rows written so far (line ends, the header's included).
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Writes the header row, after a UTF-8 byte-order mark when `excel` (so that Excel reads
    /// the file as UTF-8).
    pub fn header<S: AsRef<[u8]>>(&mut self, columns: &[S], excel: bool) -> Result<()> {
        if excel {
            self.write("\u{FEFF}".as_bytes())?;
        }
        let path = self.path.clone();
        self.lines += 1;
        csv_out::header(&mut self.writer, columns).map_err(|e| Error::from_csv(path, e))
    }

    /// Flushes the file and waits until it is on disk.
    pub fn finish(self) -> Result<()> {
        self.finish_in_background()?.wait()
    }

    /// Flushes the file now and makes it durable (`sync_all`) on a thread of its own: the large
    /// per-document files take seconds to reach the disk, and the run goes on meanwhile.
    pub fn finish_in_background(self) -> Result<Syncing> {
        self.finish_with(|sync| std::thread::Builder::new().spawn(sync))
    }

    /// [`OutFile::finish_in_background`], the thread started by `spawn`; when it cannot start
    /// one (no thread left: `ulimit -u`), the file is synced here and now.
    fn finish_with(
        self,
        spawn: impl FnOnce(
            Box<dyn FnOnce() -> std::io::Result<()> + Send>,
        ) -> std::io::Result<SyncThread>,
    ) -> Result<Syncing> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::output(&path, e.into_error()))?;
        // The work is taken by whoever runs it: the thread, or this one when there is none
        // (a thread that fails to start drops what it was given).
        let work = Arc::new(Mutex::new(Some((file, self.early_sync))));
        let theirs = Arc::clone(&work);
        let state = match spawn(Box::new(move || sync_whole(&theirs))) {
            Ok(handle) => SyncState::Thread(handle),
            Err(_) => SyncState::Done(sync_whole(&work)),
        };
        Ok(Syncing { path, state })
    }
}

/// Makes the file in `work` durable, after its early sync, if any (whose error is reported: a
/// later sync may not see it again); nothing when the work was taken.
fn sync_whole(work: &Mutex<Option<(File, EarlySync)>>) -> std::io::Result<()> {
    let taken = work.lock().unwrap_or_else(PoisonError::into_inner).take();
    let Some((file, early)) = taken else {
        return Ok(());
    };
    if let Some(early) = early {
        joined(early)?;
    }
    file.sync_all()
}

/// A thread syncing a file to disk.
type SyncThread = std::thread::JoinHandle<std::io::Result<()>>;

/// An early sync under way, if any.
type EarlySync = Option<SyncThread>;

/// A complete output file on its way to the disk (see [`OutFile::finish_in_background`]).
pub struct Syncing {
    path: PathBuf,
    state: SyncState,
}

/// Where a file's final sync is: on a thread, or done.
enum SyncState {
    Thread(SyncThread),
    Done(std::io::Result<()>),
}

impl Syncing {
    /// Waits until the file is on disk.
    pub fn wait(self) -> Result<()> {
        let synced = match self.state {
            SyncState::Thread(handle) => joined(handle),
            SyncState::Done(result) => result,
        };
        synced.map_err(|e| Error::output(&self.path, e))
    }
}

/// Waits for a thread syncing a file and passes on its error (a thread that panicked as one).
fn joined(handle: SyncThread) -> std::io::Result<()> {
    handle
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("syncing the file to disk failed")))
}

/// Lets a streaming writer (a large document's trajectory rows, the files written at the end)
/// write through an [`OutFile`]; its errors are the I/O errors themselves, for the caller to
/// name the file ([`Error::output`]).
impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_io(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_file_longer_than_a_spreadsheet_is_warned() {
        assert_eq!(too_many_rows("themes.csv", SPREADSHEET_ROWS), None);
        assert_eq!(
            too_many_rows("themes.csv", 1_234_567).as_deref(),
            Some("themes.csv has 1,234,567 rows, more than a spreadsheet opens (1,048,576): open documents.csv (one row per document) instead, or leave out its zero rows with --zeros drop")
        );
        assert_eq!(
            too_many_rows("segments.csv", SPREADSHEET_ROWS + 1).as_deref(),
            Some("segments.csv has 1,048,577 rows, more than a spreadsheet opens (1,048,576): open documents.csv (one row per document) instead")
        );
        // documents.csv cannot send the reader to itself; the group files have rows per group.
        assert_eq!(
            too_many_rows("documents.csv", SPREADSHEET_ROWS + 1).as_deref(),
            Some("documents.csv has 1,048,577 rows, more than a spreadsheet opens (1,048,576): a spreadsheet shows its first rows only; R, pandas or DuckDB read it whole")
        );
        assert_eq!(
            too_many_rows("keyness.csv", 1_200_001).as_deref(),
            Some("keyness.csv has 1,200,001 rows, more than a spreadsheet opens (1,048,576): a row per group and theme (or term); a --group-by of fewer groups (a column of fewer values, a coarser period) makes it shorter")
        );
    }

    /// A file at `path` failing at write `fail_in` and syncing every `sync_every` bytes.
    fn test_file(path: &Path, fail_in: Option<usize>, sync_every: u64) -> OutFile {
        OutFile {
            name: "test.csv",
            path: path.to_path_buf(),
            writer: BufWriter::new(File::create(path).unwrap()),
            fail_in,
            unsynced: 0,
            lines: 0,
            sync_every,
            early_sync: None,
        }
    }

    /// An injected write error is the I/O error itself through `Write` (the caller names the
    /// file), and every later write fails too, as on a full disk, without a panic.
    #[test]
    fn a_failed_write_fails_again_and_is_named_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("groups.csv");
        let mut file = test_file(&path, Some(2), EARLY_SYNC_BYTES);
        file.write(b"a,b\n").unwrap();
        let e = Write::write_all(&mut file, b"1,2\n").unwrap_err();
        assert_eq!(e.to_string(), "write error injected for testing");
        assert!(Write::write_all(&mut file, b"3,4\n").is_err());
        let e = file.write(b"5,6\n").unwrap_err().to_string();
        assert_eq!(e.matches("groups.csv").count(), 1, "{e}");
        assert_eq!(file.lines(), 1);
    }

    #[test]
    fn a_large_output_file_is_synced_early_and_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("segments.csv");
        let mut file = test_file(&path, None, 10);
        file.write(b"a,b\n").unwrap();
        assert!(file.early_sync.is_none(), "4 bytes: no sync yet");
        file.write(b"1,2\n3,4\n").unwrap();
        assert!(file.early_sync.is_some(), "12 bytes: an early sync began");
        assert_eq!(file.unsynced, 0);
        // What the early sync saw was flushed to the file first.
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n3,4\n");
        for _ in 0..100 {
            file.write(b"5,6\n").unwrap();
        }
        file.finish().unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert_eq!(written.len(), 12 + 400);
        assert!(written.ends_with("5,6\n5,6\n"));
    }

    /// An early sync that cannot start (no file descriptor left for its handle) is left out:
    /// the write goes on, and the file is still written whole and synced at the end.
    #[test]
    fn an_early_sync_without_a_file_descriptor_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hits.csv");
        let mut file = test_file(&path, None, 1 << 20);
        file.write(b"a,b\n1,2\n").unwrap();
        let no_descriptor = |_: &File| Err(std::io::Error::other("Too many open files"));
        file.start_early_sync_with(no_descriptor).unwrap();
        assert!(file.early_sync.is_none());
        assert_eq!(
            file.unsynced, 0,
            "the next try comes after as many bytes again"
        );
        // What the sync would have seen was flushed all the same.
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n");
        file.write(b"3,4\n").unwrap();
        file.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n3,4\n");
    }

    /// The final sync runs on a thread of its own, or, when no thread can be started, at
    /// once on the caller's; either way it waits for the early sync and reports its error,
    /// naming the file.
    #[test]
    fn a_final_sync_without_a_thread_is_done_at_once() {
        type Spawn =
            fn(Box<dyn FnOnce() -> std::io::Result<()> + Send>) -> std::io::Result<SyncThread>;
        let on_a_thread: Spawn = |sync| std::thread::Builder::new().spawn(sync);
        let no_thread: Spawn = |_| Err(std::io::Error::other("Resource temporarily unavailable"));
        for (spawn, at_once) in [(on_a_thread, false), (no_thread, true)] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("themes.csv");
            let mut file = test_file(&path, None, 1 << 20);
            file.write(b"a,b\n1,2\n").unwrap();
            let syncing = file.finish_with(spawn).unwrap();
            assert_eq!(matches!(syncing.state, SyncState::Done(_)), at_once);
            syncing.wait().unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), b"a,b\n1,2\n");

            // An early sync that failed fails the final one.
            let mut file = test_file(&path, None, 1 << 20);
            file.early_sync = Some(std::thread::spawn(|| {
                Err(std::io::Error::other("disk gone"))
            }));
            let e = file
                .finish_with(spawn)
                .unwrap()
                .wait()
                .unwrap_err()
                .to_string();
            assert!(e.contains("themes.csv") && e.contains("disk gone"), "{e}");
        }
    }
}
