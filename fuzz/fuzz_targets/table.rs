//! Arbitrary bytes → a table file → `table::TableReader`, every row read to the end.
//!
//! Input: byte 0 picks the file kind and the options (`.csv`, `.tsv`, `.jsonl`, with or without
//! an id column, several text columns, chosen metadata columns, a `;` delimiter, a dotted JSON
//! path, and `.csv.gz` / `.jsonl.zst`); byte 1 picks where an uncompressed table is cut in two
//! windows; the rest is the file. Checks, from the doc comments of `src/table.rs`: no panic; an
//! open error is fine; every row has as many metadata cells as `meta_columns()`, an id exactly
//! when an id column is asked for, no CR in any cell of a CSV or TSV (every line end reads as
//! LF); lines and bytes of the items strictly increase, lines count from 1, numbers of rows
//! strictly increase; `warnings()`/`notes()` after the end; for an uncompressed file,
//! `read_so_far()` is the file's size and SHA-256; and reading the two windows
//! (`open_window`) gives the rows of a whole read, each once, in order, with the rows before a
//! window numbered and named as a whole read does, and notes that add up to a whole read's.
#![no_main]

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;
use themescope::table::{Item, Notes, TableOptions, TableReader};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A file name in the temp folder, unique to this process and call.
fn temp_path(extension: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!(
        "themescope-fuzz-table-{}-{n}.{extension}",
        std::process::id()
    ))
}

/// Removes the file when dropped (also when an assertion fails, so no files pile up).
struct Remove(PathBuf);

impl Drop for Remove {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The extension and options of mode `m`.
fn mode(m: u8) -> (&'static str, TableOptions) {
    let id = Some("id".to_string());
    match m % 11 {
        0 => ("csv", TableOptions::default()),
        1 => ("tsv", TableOptions::default()),
        2 => ("jsonl", TableOptions::default()),
        3 => (
            "csv",
            TableOptions {
                id_column: id,
                ..Default::default()
            },
        ),
        4 => (
            "jsonl",
            TableOptions {
                id_column: id,
                ..Default::default()
            },
        ),
        5 => (
            "csv",
            TableOptions {
                text_columns: strings(&["title", "text"]),
                id_column: id,
                meta_columns: Some(strings(&["year"])),
                ..Default::default()
            },
        ),
        6 => (
            "csv",
            TableOptions {
                id_column: id,
                delimiter: Some(b';'),
                ..Default::default()
            },
        ),
        7 => (
            "tsv",
            TableOptions {
                text_columns: strings(&["text", "title"]),
                id_column: id,
                ..Default::default()
            },
        ),
        8 => ("csv.gz", TableOptions::default()),
        9 => (
            "jsonl.zst",
            TableOptions {
                id_column: id,
                ..Default::default()
            },
        ),
        _ => (
            "ndjson",
            TableOptions {
                text_columns: strings(&["data.body"]),
                meta_columns: Some(strings(&["year", "id"])),
                ..Default::default()
            },
        ),
    }
}

/// (line, byte) of an item.
fn place(item: &Item) -> (u64, u64) {
    match item {
        Ok(r) => (r.line, r.byte),
        Err(b) => (b.line, b.byte),
    }
}

/// Reads the whole table, checking each item; `None` when it does not open.
fn read_whole(
    path: &Path,
    options: &TableOptions,
    delimited: bool,
    file: &[u8],
    compressed: bool,
) -> Option<(Vec<Item>, Notes)> {
    let mut table = TableReader::open(path, options).ok()?;
    let meta_columns = table.meta_columns().to_vec();
    let mut items = Vec::new();
    let mut last: Option<(u64, u64)> = None;
    let mut last_number = 0u64;
    for item in table.by_ref() {
        let (line, byte) = place(&item);
        assert!(line >= 1, "line {line} of {item:?}");
        assert!(
            compressed || byte <= file.len() as u64,
            "byte {byte} past the file ({} bytes): {item:?}",
            file.len()
        );
        if let Some((l, b)) = last {
            assert!(line > l, "line {line} after line {l}: {item:?}");
            assert!(byte > b, "byte {byte} after byte {b}: {item:?}");
        }
        last = Some((line, byte));
        match &item {
            Ok(row) => {
                assert_eq!(
                    row.meta.len(),
                    meta_columns.len(),
                    "metadata cells vs meta_columns {meta_columns:?}: {row:?}"
                );
                assert_eq!(
                    row.id.is_some(),
                    options.id_column.is_some(),
                    "id vs id column: {row:?}"
                );
                assert!(row.number > last_number, "number after {last_number}: {row:?}");
                last_number = row.number;
                if delimited {
                    let cells = std::iter::once(&row.text)
                        .chain(row.id.iter())
                        .chain(row.meta.iter());
                    for c in cells {
                        assert!(!c.contains('\r'), "a CR in a cell: {row:?}");
                    }
                }
            }
            Err(bad) => assert!(!bad.reason.is_empty(), "a bad row with no reason"),
        }
        items.push(item);
    }
    // Read to the end: more calls give nothing.
    assert!(table.next().is_none(), "an item after the end");
    let notes = table.notes();
    let warnings = table.warnings();
    assert_eq!(warnings, notes.warnings());
    if !compressed {
        let (bytes, sha256) = table.read_so_far().expect("a CSV, TSV or JSONL file counts its bytes");
        assert_eq!(bytes, file.len() as u64, "bytes read to the end vs the file's size");
        assert_eq!(sha256, themescope::checksum::sha256_hex(file), "SHA-256 read so far");
    }
    Some((items, notes))
}

/// Reads the window `window`: the rows before it (line, number, id as named), the rows of it,
/// and the notes.
fn read_window(
    path: &Path,
    options: &TableOptions,
    window: Range<u64>,
) -> (Vec<(u64, u64, String)>, Vec<Item>, Notes) {
    let mut table = TableReader::open_window(path, options, Some(window.clone()))
        .expect("a window of a table that opens whole opens too");
    let (mut before, mut rows) = (Vec::new(), Vec::new());
    for item in table.by_ref() {
        let (line, number, byte, id) = match &item {
            Ok(r) => (r.line, r.number, r.byte, r.id.clone()),
            Err(b) => (b.line, b.line, b.byte, None),
        };
        assert!(byte < window.end, "byte {byte} past the window {window:?}: {item:?}");
        if byte < window.start {
            before.push((line, number, id.unwrap_or_else(|| format!("#{number}"))));
        } else {
            rows.push(item);
        }
    }
    (before, rows, table.notes())
}

fuzz_target!(|data: &[u8]| {
    let (Some(&m), Some(&cut)) = (data.first(), data.get(1)) else {
        return;
    };
    let file = &data[2..];
    let (extension, options) = mode(m);
    let compressed = extension.ends_with(".gz") || extension.ends_with(".zst");
    let delimited = extension.starts_with("csv") || extension.starts_with("tsv");
    let path = temp_path(extension);
    let _remove = Remove(path.clone());
    std::fs::write(&path, file).expect("write the temp file");

    let Some((all, notes)) = read_whole(&path, &options, delimited, file, compressed) else {
        return;
    };
    if compressed {
        return;
    }
    // Two windows, cut at a byte picked by `cut`.
    let a = (u64::from(cut) * file.len() as u64) / 255;
    let mut rows = Vec::new();
    let mut sum = Notes::default();
    for window in [0..a, a..u64::MAX] {
        let (before, mine, window_notes) = read_window(&path, &options, window.clone());
        assert!(before.len() <= all.len(), "{window:?}: more rows before than in all");
        for (i, (line, number, id)) in before.iter().enumerate() {
            let (l, n, whole_id) = match &all[i] {
                Ok(r) => (r.line, r.number, r.id.clone()),
                Err(b) => (b.line, b.line, None),
            };
            assert_eq!((*line, *number), (l, n), "{window:?}: row {i} before the window");
            let whole_id = whole_id.unwrap_or_else(|| format!("#{n}"));
            assert_eq!(id, &whole_id, "{window:?}: id of row {i} before the window");
        }
        rows.extend(mine);
        sum.append(window_notes);
    }
    assert_eq!(rows, all, "the windows' rows (cut at {a}) vs a whole read");
    assert_eq!(sum, notes, "the windows' notes (cut at {a}) vs a whole read");
});
