//! Stage read, for tables: a CSV, TSV, JSON Lines or Excel file → rows, each a document with its
//! metadata.
//!
//! In: a table file — `.csv`, `.tsv`, `.jsonl`/`.ndjson`, each maybe compressed (`.gz`, `.zst`),
//! or `.xlsx` — and [`TableOptions`] (the text, id and metadata columns). Out: a [`TableReader`]
//! that knows its metadata columns before the first row, then yields rows one by one: a
//! [`TableRow`] (the line where its record starts, its number among the data rows, its id cell,
//! its text, its metadata cells) or a [`BadRow`] naming that line and what is wrong.
//!
//! Guarantees: a table is read as a stream — decompressed as it is read, never held whole
//! (except an Excel sheet, which its format holds whole); a malformed row (the wrong number of
//! fields, a quoted cell still open at the end of the file, a line that is no JSON object, a
//! missing text, a text that is not a string) is a [`BadRow`] and the rest is still read; a
//! damaged compressed file keeps the rows before the damage and ends with a [`BadRow`] naming
//! the compressed byte where it broke; a missing text or id column is an error listing the
//! columns there are. CSV follows RFC 4180 (quoted cells spanning lines, a UTF-8 BOM, CRLF, LF
//! or CR line ends); every line end in a CSV or TSV cell reads as LF. Opened on a window of
//! bytes (a shard's share of a table split by rows, [`splittable`]), a reader yields the rows
//! before the window with the line, number and id cell a whole read gives them (and whether
//! they are bad), but no text, metadata or notes, then the window's rows as a whole read gives
//! them, and stops; the windows' [`Notes`] add up to a whole read's.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A table's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values (RFC 4180), or another delimiter given.
    Csv,
    /// Tab-separated values.
    Tsv,
    /// One JSON object per line.
    JsonLines,
    /// An Excel workbook (one sheet).
    Xlsx,
}

/// How a file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Not at all.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`).
    Zstd,
}

/// The compression a file name says (`.gz`, `.zst`), and the name without it.
pub fn compression_of(name: &str) -> (Compression, &str) {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".gz") {
        (Compression::Gzip, &name[..name.len() - 3])
    } else if lower.ends_with(".zst") {
        (Compression::Zstd, &name[..name.len() - 4])
    } else {
        (Compression::None, name)
    }
}

/// The table format and compression a file name says, if it names a table.
pub fn table_kind(path: &Path) -> Option<(Format, Compression)> {
    let name = path.file_name()?.to_str()?;
    let (compression, inner) = compression_of(name);
    let extension = inner.rsplit_once('.')?.1.to_ascii_lowercase();
    let format = match extension.as_str() {
        "csv" => Format::Csv,
        "tsv" => Format::Tsv,
        "jsonl" | "ndjson" => Format::JsonLines,
        "xlsx" if compression == Compression::None => Format::Xlsx,
        _ => return None,
    };
    Some((format, compression))
}

/// Whether the table at `path` can be split by rows between shards: an uncompressed CSV, TSV
/// or JSON Lines file (a compressed stream cannot be entered in the middle, nor an Excel
/// workbook).
pub fn splittable(path: &Path) -> bool {
    matches!(
        table_kind(path),
        Some((
            Format::Csv | Format::Tsv | Format::JsonLines,
            Compression::None
        ))
    )
}

/// The whole of the compressed file at `path` (`.gz` or `.zst`), decompressed: a plain
/// document stored compressed (`.txt.gz`). A file that is damaged is an error naming the
/// compressed byte where it broke.
pub fn decompress(path: &Path) -> io::Result<Vec<u8>> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut stream = Stream::new(File::open(path)?, compression_of(name).0);
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => Ok(bytes),
        Err(e) => Err(io::Error::new(e.kind(), stream.damage.describe(&e))),
    }
}

/// A table of metadata for documents (`--metadata`): its columns and, by document id, its cells.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sidecar {
    /// The metadata columns, in order.
    pub columns: Vec<String>,
    /// Each document id's cells, in the order of `columns`.
    pub rows: std::collections::HashMap<String, Vec<String>>,
    /// Problems met (rows with the wrong number of fields, ids given twice), as warnings.
    pub warnings: Vec<String>,
}

/// Reads the metadata table at `path` (CSV, or TSV by its name): the id column is `id_column`
/// if it has one, else `document`, else its first; the metadata is every other column, or those
/// `meta_columns` names. A column asked for that is not there is an error listing the columns.
pub fn read_sidecar(
    path: &Path,
    id_column: Option<&str>,
    meta_columns: Option<&[String]>,
    delimiter: Option<u8>,
) -> Result<Sidecar> {
    let fail = |message: String| Error::Table {
        path: path.to_path_buf(),
        message,
    };
    let tsv = table_kind(path).is_some_and(|(f, _)| f == Format::Tsv);
    let file = File::open(path).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter.unwrap_or(if tsv { b'\t' } else { b',' }))
        .flexible(true)
        .from_reader(delimited::LineEnds::new(Stream::new(
            file,
            Compression::None,
        )));
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| fail(format!("cannot read the header row: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let id = match id_column.filter(|c| header.iter().any(|h| h == c)) {
        Some(c) => header.iter().position(|h| h == c),
        None => header.iter().position(|h| h == "document").or(Some(0)),
    }
    .filter(|_| !header.is_empty())
    .ok_or_else(|| fail("the table has no columns".to_string()))?;
    let meta: Vec<usize> = match meta_columns {
        Some(names) => names
            .iter()
            .filter_map(|n| header.iter().position(|h| h == n))
            .filter(|&i| i != id)
            .collect(),
        None => (0..header.len()).filter(|&i| i != id).collect(),
    };
    if meta.is_empty() {
        return Err(fail(format!(
            "no metadata column besides the id column {:?}: the columns are {}",
            header[id],
            quoted(&header)
        )));
    }
    let mut sidecar = Sidecar {
        columns: meta.iter().map(|&i| header[i].clone()).collect(),
        ..Sidecar::default()
    };
    let (mut malformed, mut repeated) = (0, 0);
    for record in reader.records() {
        let Ok(record) = record else {
            malformed += 1;
            continue;
        };
        if record.len() != header.len() {
            malformed += 1;
            continue;
        }
        let cells = meta.iter().map(|&i| record[i].to_string()).collect();
        if sidecar.rows.insert(record[id].to_string(), cells).is_some() {
            repeated += 1;
        }
    }
    let shown = path.display();
    if malformed > 0 {
        sidecar.warnings.push(format!(
            "{shown}: {malformed} rows with the wrong number of fields (or not UTF-8) are left out"
        ));
    }
    if repeated > 0 {
        sidecar.warnings.push(format!(
            "{shown}: {repeated} rows repeat a document id given before; the last one counts"
        ));
    }
    Ok(sidecar)
}

/// Column names as messages list them: quoted, comma-separated.
pub(crate) fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which columns of a table are read, and how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TableOptions {
    /// The text column(s) (`--text-column`); several are joined by a blank line. Empty: `text`.
    pub text_columns: Vec<String>,
    /// The id column (`--id-column`), if any.
    pub id_column: Option<String>,
    /// The metadata columns to keep (`--meta-columns`); `None`: every other column.
    pub meta_columns: Option<Vec<String>>,
    /// The CSV delimiter (`--delimiter`); `None`: `,` (tab for TSV).
    pub delimiter: Option<u8>,
    /// The Excel sheet (`--sheet`); `None`: the first.
    pub sheet: Option<String>,
}

/// One row of a table: a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRow {
    /// The 1-based line where the record starts (a quoted cell may span lines).
    pub line: u64,
    /// The 1-based number of the row among the data rows (the header not counted; for JSON
    /// Lines, the line number).
    pub number: u64,
    /// Where its record starts, in bytes from the start of the table (for CSV and TSV, of the
    /// text with every line end one LF); 0 in an Excel sheet.
    pub byte: u64,
    /// The id cell's text, with `--id-column`.
    pub id: Option<String>,
    /// The text: the text cells, joined by a blank line.
    pub text: String,
    /// The metadata cells, in the order of [`TableReader::meta_columns`] (empty when absent).
    pub meta: Vec<String>,
}

/// A row that is not read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// The 1-based line where the record starts.
    pub line: u64,
    /// Where it starts, as [`TableRow::byte`] counts.
    pub byte: u64,
    /// What is wrong.
    pub reason: String,
}

/// What reading a table gives, row by row.
pub type Item = std::result::Result<TableRow, BadRow>;

/// A quoted cell running over more lines than this gets a warning naming its start line: an
/// unbalanced quote in the middle of a file silently swallows the rows after it.
pub const LONG_CELL_LINES: u64 = 1_000;

/// What reading a table found that its warnings say: kept as counts and lists, so that the
/// pieces of a table read by several shards add up to the warnings of one read.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Notes {
    /// Warnings about single rows (a very long quoted cell), in row order.
    pub rows: Vec<String>,
    /// Fields that the first object does not have, with the rows that have them (JSON Lines).
    pub late_fields: BTreeMap<String, u64>,
}

impl Notes {
    /// Adds the notes of the rows that follow.
    pub fn append(&mut self, other: Notes) {
        self.rows.extend(other.rows);
        for (field, rows) in other.late_fields {
            *self.late_fields.entry(field).or_default() += rows;
        }
    }

    /// The warnings they make, in order.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = self.rows.clone();
        if !self.late_fields.is_empty() {
            let fields: Vec<String> = (self.late_fields.iter())
                .map(|(k, n)| format!("{k:?} ({n} rows)"))
                .collect();
            warnings.push(format!(
                "fields that the first object does not have are not kept: {} (name them with --meta-columns to keep them)",
                fields.join(", ")
            ));
        }
        warnings
    }
}

/// Notes shared between a reader and its rows.
type SharedNotes = Arc<std::sync::Mutex<Notes>>;

/// An open table.
pub struct TableReader {
    meta_columns: Vec<String>,
    rows: Box<dyn Iterator<Item = Item> + Send>,
    notes: SharedNotes,
    /// The file's bytes read so far and their SHA-256 (none for an Excel workbook).
    read: Option<ReadSoFar>,
}

impl std::fmt::Debug for TableReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableReader")
            .field("meta_columns", &self.meta_columns)
            .finish_non_exhaustive()
    }
}

impl TableReader {
    /// Opens the table at `path` (format and compression from its name) and reads its header.
    pub fn open(path: &Path, options: &TableOptions) -> Result<TableReader> {
        TableReader::open_window(path, options, None)
    }

    /// Opens the table at `path` for the rows whose first byte ([`TableRow::byte`]) is in
    /// `window` (every row when `None`): a shard's share of a table split by rows. The rows
    /// before the window are still read — numbered, judged, their ids given — but come without
    /// text or metadata and add no notes; reading stops at the first row past the window. An
    /// Excel sheet is read whole.
    pub fn open_window(
        path: &Path,
        options: &TableOptions,
        window: Option<Range<u64>>,
    ) -> Result<TableReader> {
        let window = window.unwrap_or(0..u64::MAX);
        let (format, compression) = table_kind(path).ok_or_else(|| Error::Table {
            path: path.to_path_buf(),
            message: "not a table: themescope reads .csv, .tsv, .jsonl, .ndjson (each maybe .gz or .zst) and .xlsx".to_string(),
        })?;
        if format == Format::Xlsx {
            return xlsx::open(path, options);
        }
        let file = File::open(path).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            source: e,
        })?;
        let stream = Stream::new(file, compression);
        let read = stream.read.clone();
        let mut reader = match format {
            Format::JsonLines => jsonl::open(path, stream, options, window),
            _ => {
                let delimiter = options.delimiter.unwrap_or(match format {
                    Format::Tsv => b'\t',
                    _ => b',',
                });
                delimited::open(path, stream, delimiter, options, window)
            }
        }?;
        reader.read = Some(read);
        Ok(reader)
    }

    /// The number of bytes of the file read so far and their SHA-256 in hexadecimal: the
    /// file's checksum once its rows are read to the end (compare the number with the file's
    /// size); `None` for an Excel workbook.
    pub fn read_so_far(&self) -> Option<(u64, String)> {
        let read = self.read.as_ref()?;
        let sha256 = (read.sha256.lock()).unwrap_or_else(PoisonError::into_inner);
        let sha256 = sha256.clone().finalize();
        Some((
            read.bytes.load(Ordering::Relaxed),
            crate::checksum::hex(&sha256),
        ))
    }

    /// The metadata columns kept, in order.
    pub fn meta_columns(&self) -> &[String] {
        &self.meta_columns
    }

    /// What the rows read so far (of the window) found for the warnings.
    pub fn notes(&self) -> Notes {
        self.notes.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// Warnings about the table so far (a very long quoted cell; fields first seen late).
    pub fn warnings(&self) -> Vec<String> {
        self.notes().warnings()
    }
}

impl Iterator for TableReader {
    type Item = Item;

    fn next(&mut self) -> Option<Item> {
        self.rows.next()
    }
}

/// The file's bytes, decompressed as they are read.
struct Stream {
    inner: Box<dyn Read + Send>,
    damage: Damage,
    read: ReadSoFar,
}

/// The bytes of a file read so far: how many, and their SHA-256 (the manifest's checksum of a
/// table read to its end, without reading the file a second time).
#[derive(Clone, Default)]
struct ReadSoFar {
    bytes: Arc<AtomicU64>,
    sha256: Arc<Mutex<Sha256>>,
}

/// Where a stream broke: the compressed bytes read so far, counted as they are read.
#[derive(Clone)]
struct Damage {
    compressed: Arc<AtomicU64>,
    compression: Compression,
}

/// How [`Damage::describe`] ends for a compressed file: what happens to the rows read.
const ROWS_KEPT: &str = "; the rows before are kept";

impl Damage {
    /// What a read error means for the rows: the rest of the file cannot be read.
    fn describe(&self, e: &dyn std::fmt::Display) -> String {
        let at = self.compressed.load(Ordering::Relaxed);
        match self.compression {
            Compression::None => format!("cannot be read further (near byte {at}): {e}"),
            _ => format!(
                "the compressed file is damaged or cut short near compressed byte {at} ({e}){ROWS_KEPT}"
            ),
        }
    }
}

impl Stream {
    fn new(file: File, compression: Compression) -> Stream {
        let read = ReadSoFar::default();
        let compressed = Arc::clone(&read.bytes);
        let counted = BufReader::with_capacity(
            1 << 16,
            Counted {
                inner: file,
                read: read.clone(),
            },
        );
        let inner: Box<dyn Read + Send> = match compression {
            Compression::None => Box::new(counted),
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(counted)),
            Compression::Zstd => Box::new(Zstd::new(counted)),
        };
        Stream {
            inner,
            damage: Damage {
                compressed,
                compression,
            },
            read,
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

/// A reader that counts and hashes the bytes read through it.
struct Counted<R> {
    inner: R,
    read: ReadSoFar,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut sha256 = (self.read.sha256.lock()).unwrap_or_else(PoisonError::into_inner);
        sha256.update(&buf[..n]);
        drop(sha256);
        self.read.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A Zstandard stream; a frame header that cannot be read is an error at the first read.
struct Zstd<R: Read> {
    state: ZstdState<R>,
}

enum ZstdState<R: Read> {
    Start(Option<R>),
    Open(Box<ruzstd::decoding::StreamingDecoder<R, ruzstd::decoding::FrameDecoder>>),
}

impl<R: Read> Zstd<R> {
    fn new(inner: R) -> Self {
        Zstd {
            state: ZstdState::Start(Some(inner)),
        }
    }
}

impl<R: Read> Read for Zstd<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let ZstdState::Start(inner) = &mut self.state {
            let Some(inner) = inner.take() else {
                return Err(io::Error::other("not a zstd stream"));
            };
            let decoder = ruzstd::decoding::StreamingDecoder::new(inner)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
            self.state = ZstdState::Open(Box::new(decoder));
        }
        match &mut self.state {
            ZstdState::Open(decoder) => decoder.read(buf),
            ZstdState::Start(_) => Ok(0),
        }
    }
}

/// The columns of a table, resolved against its header: which give the text, the id and the
/// metadata.
#[derive(Debug)]
struct Columns {
    text: Vec<usize>,
    id: Option<usize>,
    meta: Vec<usize>,
    names: Vec<String>,
}

impl Columns {
    /// Resolves `options` against `header`; a column asked for that is not there is an error
    /// listing the columns there are.
    fn resolve(path: &Path, header: &[String], options: &TableOptions) -> Result<Columns> {
        let missing = |what: &str, name: &str| Error::Table {
            path: path.to_path_buf(),
            message: format!(
                "no {what} column {name:?}: the columns are {}",
                quoted(header)
            ),
        };
        let find = |what: &str, name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| missing(what, name))
        };
        let text = match options.text_columns.is_empty() {
            true => vec![find("text", "text").map_err(|_| Error::Table {
                path: path.to_path_buf(),
                message: format!(
                    "no column \"text\": name the text column with --text-column NAME (the columns are {})",
                    quoted(header)
                ),
            })?],
            false => options
                .text_columns
                .iter()
                .map(|c| find("text", c))
                .collect::<Result<Vec<_>>>()?,
        };
        let id = options
            .id_column
            .as_deref()
            .map(|c| find("id", c))
            .transpose()?;
        let meta = match &options.meta_columns {
            Some(names) => names
                .iter()
                .map(|c| find("metadata", c))
                .collect::<Result<Vec<_>>>()?,
            None => (0..header.len())
                .filter(|i| !text.contains(i) && id != Some(*i))
                .collect(),
        };
        let names = meta.iter().map(|&i| header[i].clone()).collect();
        Ok(Columns {
            text,
            id,
            meta,
            names,
        })
    }

    /// The row of `cells` (`None` where a cell is missing) that starts at `line` and `byte`;
    /// only its id when it is before the window read (`whole` false).
    fn row<'c>(
        &self,
        (line, number, byte): (u64, u64, u64),
        whole: bool,
        cell: impl Fn(usize) -> Option<&'c str>,
    ) -> TableRow {
        let id = self.id.map(|i| cell(i).unwrap_or("").to_string());
        if !whole {
            return TableRow {
                line,
                number,
                byte,
                id,
                text: String::new(),
                meta: Vec::new(),
            };
        }
        let text = match self.text[..] {
            // One text column (most tables): its cell, without a list to join.
            [i] => cell(i).unwrap_or("").to_string(),
            _ => (self.text.iter())
                .map(|&i| cell(i).unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n\n"),
        };
        TableRow {
            line,
            number,
            byte,
            id,
            text,
            meta: self
                .meta
                .iter()
                .map(|&i| cell(i).unwrap_or("").to_string())
                .collect(),
        }
    }
}

/// CSV and TSV.
mod delimited {
    use super::*;

    pub(super) fn open(
        path: &Path,
        stream: Stream,
        delimiter: u8,
        options: &TableOptions,
        window: Range<u64>,
    ) -> Result<TableReader> {
        let quotes = Arc::new(AtomicU64::new(0));
        let damage = stream.damage.clone();
        let counted = LineEnds {
            inner: stream,
            quotes: Arc::clone(&quotes),
            after_cr: false,
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(counted);
        let header: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(str::to_string).collect(),
            Err(e) => {
                return Err(Error::Table {
                    path: path.to_path_buf(),
                    message: format!("cannot read the header row: {e}"),
                })
            }
        };
        let columns = Columns::resolve(path, &header, options)?;
        let notes = SharedNotes::default();
        let rows = Rows {
            reader,
            columns,
            width: header.len(),
            number: 0,
            pending: None,
            done: false,
            quotes,
            damage,
            notes: Arc::clone(&notes),
            window,
            spare: csv::ByteRecord::new(),
        };
        Ok(TableReader {
            meta_columns: rows.columns.names.clone(),
            rows: Box::new(rows),
            notes,
            read: None,
        })
    }

    /// The table's bytes with every line end read as LF (CRLF and a lone CR alike, inside
    /// quoted cells too, so that a cell's text holds LF line breaks and the csv reader counts
    /// lines right), counting the `"` bytes, so that a quote still open at the end of the file
    /// shows.
    pub(super) struct LineEnds {
        inner: Stream,
        quotes: Arc<AtomicU64>,
        /// The last byte given was a CR made LF: an LF right after it is dropped.
        after_cr: bool,
    }

    impl LineEnds {
        pub(super) fn new(inner: Stream) -> LineEnds {
            LineEnds {
                inner,
                quotes: Arc::default(),
                after_cr: false,
            }
        }
    }

    impl Read for LineEnds {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            loop {
                let n = self.inner.read(buf)?;
                let kept = line_ends_as_lf(&mut buf[..n], &mut self.after_cr);
                let q = memchr::memchr_iter(b'"', &buf[..kept]).count();
                self.quotes.fetch_add(q as u64, Ordering::Relaxed);
                // A read of one dropped LF gives nothing: read on, or the reader sees the end.
                if kept > 0 || n == 0 {
                    return Ok(kept);
                }
            }
        }
    }

    /// Rewrites `buf` in place with CRLF and lone CR as LF; returns the bytes kept.
    /// `after_cr` carries a CR at the end of one piece over to the next.
    pub(super) fn line_ends_as_lf(buf: &mut [u8], after_cr: &mut bool) -> usize {
        let mut from = 0;
        if *after_cr && buf.first() == Some(&b'\n') {
            from = 1;
        }
        if !buf.is_empty() {
            *after_cr = false;
        }
        if memchr::memchr(b'\r', &buf[from..]).is_none() {
            buf.copy_within(from.., 0);
            return buf.len() - from;
        }
        let mut out = 0;
        let mut i = from;
        while i < buf.len() {
            let b = buf[i];
            if b == b'\r' {
                buf[out] = b'\n';
                out += 1;
                match buf.get(i + 1) {
                    Some(b'\n') => i += 2,
                    Some(_) => i += 1,
                    None => {
                        *after_cr = true;
                        i += 1;
                    }
                }
                continue;
            }
            buf[out] = b;
            out += 1;
            i += 1;
        }
        out
    }

    struct Rows {
        reader: csv::Reader<LineEnds>,
        columns: Columns,
        width: usize,
        number: u64,
        /// The record read ahead: a record is judged once the next one's start line is known.
        pending: Option<(u64, csv::ByteRecord)>,
        done: bool,
        quotes: Arc<AtomicU64>,
        damage: Damage,
        notes: SharedNotes,
        /// The rows wanted, by their first byte.
        window: Range<u64>,
        /// A record judged, whose buffers the next read reuses.
        spare: csv::ByteRecord,
    }

    impl Rows {
        /// Reads the next record: `Ok(None)` at the end.
        fn read(&mut self) -> std::result::Result<Option<(u64, csv::ByteRecord)>, String> {
            // The record judged last lends its buffers (a record a row would allocate them).
            let mut record = std::mem::take(&mut self.spare);
            match self.reader.read_byte_record(&mut record) {
                Ok(false) => Ok(None),
                Ok(true) => {
                    let line = record.position().map_or(0, |p| p.line());
                    Ok(Some((line, record)))
                }
                Err(e) => Err(match e.kind() {
                    csv::ErrorKind::Io(io) => self.damage.describe(io),
                    _ => self.damage.describe(&e),
                }),
            }
        }

        /// Judges the record that starts at `line` and ends before `next_line`.
        fn judge(
            &mut self,
            line: u64,
            record: &csv::ByteRecord,
            next_line: u64,
            last: bool,
        ) -> Item {
            self.number += 1;
            let byte = record.position().map_or(0, |p| p.byte());
            let whole = byte >= self.window.start;
            if whole && next_line.saturating_sub(line) > LONG_CELL_LINES {
                if let Ok(mut n) = self.notes.lock() {
                    n.rows.push(format!(
                        "line {line}: a quoted cell runs over {} lines; if that is not meant, a quote is missing there",
                        next_line - line
                    ));
                }
            }
            if last && self.quotes.load(Ordering::Relaxed) % 2 == 1 {
                return Err(BadRow {
                    line,
                    byte,
                    reason:
                        "a quoted cell is still open at the end of the file (a quote is missing)"
                            .to_string(),
                });
            }
            if record.len() != self.width {
                return Err(BadRow {
                    line,
                    byte,
                    reason: format!(
                        "{} fields where the header has {}",
                        record.len(),
                        self.width
                    ),
                });
            }
            let mut cells = Vec::with_capacity(record.len());
            for field in record.iter() {
                match std::str::from_utf8(field) {
                    Ok(s) => cells.push(s),
                    Err(e) => {
                        return Err(BadRow {
                            line,
                            byte,
                            reason: format!(
                            "not valid UTF-8 (a cell, at its byte {}): convert the file to UTF-8",
                            e.valid_up_to()
                        ),
                        })
                    }
                }
            }
            Ok(self
                .columns
                .row((line, self.number, byte), whole, |i| cells.get(i).copied()))
        }
    }

    impl Iterator for Rows {
        type Item = Item;

        fn next(&mut self) -> Option<Item> {
            if self.done {
                return None;
            }
            let current = match self.pending.take() {
                Some(p) => Some(p),
                None => match self.read() {
                    Ok(r) => r,
                    Err(reason) => {
                        self.done = true;
                        let at = self.reader.position();
                        let (line, byte) = (at.line(), at.byte());
                        return (byte < self.window.end).then_some(Err(BadRow {
                            line,
                            byte,
                            reason,
                        }));
                    }
                },
            };
            let (line, record) = current?;
            let byte = record.position().map_or(0, |p| p.byte());
            if byte >= self.window.end {
                self.done = true;
                return None;
            }
            let item = match self.read() {
                Ok(Some((next_line, next))) => {
                    self.pending = Some((next_line, next));
                    self.judge(line, &record, next_line, false)
                }
                Ok(None) => {
                    self.done = true;
                    let end = self.reader.position().line();
                    self.judge(line, &record, end, true)
                }
                Err(reason) => {
                    // The record before the damage may be cut short: it goes with the damage.
                    self.done = true;
                    Err(BadRow { line, byte, reason })
                }
            };
            self.spare = record;
            Some(item)
        }
    }
}

/// JSON Lines.
mod jsonl {
    use super::*;
    use serde_json::Value;

    pub(super) fn open(
        path: &Path,
        stream: Stream,
        options: &TableOptions,
        window: Range<u64>,
    ) -> Result<TableReader> {
        let mut lines = Lines {
            reader: BufReader::with_capacity(1 << 16, stream),
            line: 0,
            byte: 0,
            unparsed_before: 0,
            broken: false,
            buf: Vec::new(),
        };
        // The columns come from the first object.
        let mut ahead = Vec::new();
        let mut keys: Option<Vec<String>> = None;
        while keys.is_none() {
            let Some(next) = lines.next_line() else {
                break;
            };
            if let Ok((_, _, Some(Value::Object(map)))) = &next {
                keys = Some(
                    map.iter()
                        .filter(|(_, v)| is_scalar(v))
                        .map(|(k, _)| k.clone())
                        .collect(),
                );
            }
            ahead.push(next);
        }
        // A file damaged before its first object has no columns to name: the damage is the
        // error (as a CSV file's damaged header row is).
        if let (None, true, Some(Err(bad))) = (&keys, lines.broken, ahead.last()) {
            return Err(Error::Table {
                path: path.to_path_buf(),
                message: format!(
                    "cannot read the first object: {}",
                    bad.reason.strip_suffix(ROWS_KEPT).unwrap_or(&bad.reason)
                ),
            });
        }
        let keys = keys.unwrap_or_default();
        let text_paths: Vec<String> = match options.text_columns.is_empty() {
            true => vec!["text".to_string()],
            false => options.text_columns.clone(),
        };
        let mut header = keys.clone();
        for p in &text_paths {
            if !header.contains(p) {
                header.push(p.clone());
            }
        }
        // Dotted paths need not be top-level fields; the metadata is top-level scalars.
        let meta: Vec<String> = match &options.meta_columns {
            Some(names) => names.clone(),
            None => keys
                .iter()
                .filter(|k| !text_paths.contains(k) && options.id_column.as_deref() != Some(k))
                .cloned()
                .collect(),
        };
        if let Some(id) = &options.id_column {
            if !keys.contains(id) && !ahead.is_empty() {
                return Err(missing(path, "id", id, &keys));
            }
        }
        // Without an id column a row's id is its line number whatever the line holds: the
        // lines before the window need not be parsed.
        if options.id_column.is_none() {
            lines.unparsed_before = window.start;
        }
        let notes = SharedNotes::default();
        let rows = Rows {
            lines,
            ahead: ahead.into_iter(),
            text_paths,
            id: options.id_column.clone(),
            meta: meta.clone(),
            known: keys,
            late_fields: Default::default(),
            notes: Arc::clone(&notes),
            done: false,
            window,
        };
        Ok(TableReader {
            meta_columns: meta,
            rows: Box::new(rows),
            notes,
            read: None,
        })
    }

    fn missing(path: &Path, what: &str, name: &str, keys: &[String]) -> Error {
        Error::Table {
            path: path.to_path_buf(),
            message: format!(
                "no {what} field {name:?} in the first object: its fields are {}",
                quoted(keys)
            ),
        }
    }

    fn is_scalar(v: &Value) -> bool {
        !matches!(v, Value::Object(_) | Value::Array(_))
    }

    /// A scalar as a cell: strings as they are, numbers and booleans as JSON writes them,
    /// null empty.
    fn cell(v: &Value) -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    /// The value at a dotted path (`data.body`).
    fn at<'v>(object: &'v Value, path: &str) -> Option<&'v Value> {
        if let Some(v) = object.get(path) {
            return Some(v);
        }
        path.split('.').try_fold(object, |v, key| v.get(key))
    }

    /// Reads lines, parsing each non-blank one as JSON.
    struct Lines {
        reader: BufReader<Stream>,
        /// The lines read.
        line: u64,
        /// The bytes read: where the next line starts.
        byte: u64,
        /// Lines starting before this byte are not parsed.
        unparsed_before: u64,
        /// Whether a read failed: the file is read no further (a damaged stream fails again at
        /// every read, and the first object is looked for until the lines end).
        broken: bool,
        /// The line being read, its room kept from line to line.
        buf: Vec<u8>,
    }

    /// A non-blank line: its number, where it starts, and its value (`None`: not parsed).
    type Parsed = std::result::Result<(u64, u64, Option<Value>), BadRow>;

    impl Lines {
        /// The next non-blank line, parsed unless it starts before `unparsed_before`, or a bad
        /// row (a line that is no JSON, or the file unreadable from there: then the last);
        /// `None` at the end.
        fn next_line(&mut self) -> Option<Parsed> {
            if self.broken {
                return None;
            }
            let buf = &mut self.buf;
            loop {
                buf.clear();
                let byte = self.byte;
                match self.reader.read_until(b'\n', buf) {
                    Ok(0) => return None,
                    Ok(n) => self.byte += n as u64,
                    Err(e) => {
                        let reason = self.reader.get_ref().damage.describe(&e);
                        self.broken = true;
                        self.line += 1;
                        return Some(Err(BadRow {
                            line: self.line,
                            byte,
                            reason,
                        }));
                    }
                }
                self.line += 1;
                let trimmed = buf.trim_ascii();
                if trimmed.is_empty() {
                    continue;
                }
                let line = self.line;
                if byte < self.unparsed_before {
                    return Some(Ok((line, byte, None)));
                }
                return Some(match serde_json::from_slice::<Value>(trimmed) {
                    Ok(v) => Ok((line, byte, Some(v))),
                    Err(e) => Err(BadRow {
                        line,
                        byte,
                        reason: format!("not a JSON value: {e}"),
                    }),
                });
            }
        }
    }

    struct Rows {
        lines: Lines,
        ahead: std::vec::IntoIter<Parsed>,
        text_paths: Vec<String>,
        id: Option<String>,
        meta: Vec<String>,
        known: Vec<String>,
        late_fields: BTreeMap<String, u64>,
        notes: SharedNotes,
        done: bool,
        /// The rows wanted, by their first byte.
        window: Range<u64>,
    }

    impl Rows {
        /// The row of the line `line` starting at `byte`, holding `value`.
        fn row(&mut self, line: u64, byte: u64, value: Value) -> Item {
            let bad = |reason: String| Err(BadRow { line, byte, reason });
            let Value::Object(map) = &value else {
                return bad("not a JSON object".to_string());
            };
            let whole = byte >= self.window.start;
            for (k, v) in map.iter().filter(|_| whole) {
                if is_scalar(v) && !self.known.contains(k) && !self.meta.contains(k) {
                    *self.late_fields.entry(k.clone()).or_default() += 1;
                }
            }
            let mut texts = Vec::with_capacity(self.text_paths.len());
            for p in &self.text_paths {
                match at(&value, p) {
                    Some(Value::String(s)) => texts.push(s.as_str()),
                    Some(Value::Null) | None => {
                        return bad(format!("no text: the field {p:?} is missing"))
                    }
                    Some(other) => {
                        return bad(format!(
                            "the text field {p:?} is not a string (it is {})",
                            kind(other)
                        ))
                    }
                }
            }
            let id = (self.id.as_ref()).map(|k| map.get(k).map(cell).unwrap_or_default());
            if !whole {
                return Ok(TableRow {
                    line,
                    number: line,
                    byte,
                    id,
                    text: String::new(),
                    meta: Vec::new(),
                });
            }
            Ok(TableRow {
                line,
                number: line,
                byte,
                id,
                text: texts.join("\n\n"),
                meta: self
                    .meta
                    .iter()
                    .map(|k| {
                        map.get(k)
                            .filter(|v| is_scalar(v))
                            .map(cell)
                            .unwrap_or_default()
                    })
                    .collect(),
            })
        }

        /// The table is read (to its end, its damage or its window's end): the fields seen late
        /// go to the notes.
        fn finish(&mut self) -> Option<Item> {
            self.done = true;
            let late = std::mem::take(&mut self.late_fields);
            if let (false, Ok(mut n)) = (late.is_empty(), self.notes.lock()) {
                n.late_fields = late;
            }
            None
        }
    }

    fn kind(v: &Value) -> &'static str {
        match v {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    impl Iterator for Rows {
        type Item = Item;

        fn next(&mut self) -> Option<Item> {
            if self.done {
                return None;
            }
            let next = match self.ahead.next() {
                Some(p) => Some(p),
                None => self.lines.next_line(),
            };
            match next {
                None => self.finish(),
                Some(Err(bad)) if bad.byte >= self.window.end => self.finish(),
                Some(Err(bad)) => Some(Err(bad)),
                Some(Ok((_, byte, _))) if byte >= self.window.end => self.finish(),
                // Not parsed: before the window, where only its id (by line) is wanted.
                Some(Ok((line, byte, None))) => Some(Ok(TableRow {
                    line,
                    number: line,
                    byte,
                    id: None,
                    text: String::new(),
                    meta: Vec::new(),
                })),
                Some(Ok((line, byte, Some(value)))) => Some(self.row(line, byte, value)),
            }
        }
    }
}

/// Excel workbooks.
mod xlsx {
    use super::*;
    use calamine::{Data, Reader};

    pub(super) fn open(path: &Path, options: &TableOptions) -> Result<TableReader> {
        let fail = |message: String| Error::Table {
            path: path.to_path_buf(),
            message,
        };
        let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(path)
            .map_err(|e| fail(format!("cannot read the workbook: {e}")))?;
        let names = workbook.sheet_names();
        let sheet = match &options.sheet {
            Some(name) if names.contains(name) => name.clone(),
            Some(name) => {
                return Err(fail(format!(
                    "no sheet {name:?}: the sheets are {}",
                    quoted(&names)
                )))
            }
            None => names
                .first()
                .cloned()
                .ok_or_else(|| fail("the workbook has no sheet".to_string()))?,
        };
        let range = workbook
            .worksheet_range(&sheet)
            .map_err(|e| fail(format!("cannot read sheet {sheet:?}: {e}")))?;
        let first_row = range.start().map_or(0, |(r, _)| u64::from(r));
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .map(|r| r.iter().map(cell).collect())
            .unwrap_or_default();
        let columns = Columns::resolve(path, &header, options)?;
        let items: Vec<Item> = rows
            .enumerate()
            .map(|(i, r)| {
                let cells: Vec<String> = r.iter().map(cell).collect();
                // Spreadsheet rows count from 1, the header in the first.
                let line = first_row + 2 + i as u64;
                let at = (line, i as u64 + 1, 0);
                Ok(columns.row(at, true, |c| cells.get(c).map(String::as_str)))
            })
            .collect();
        Ok(TableReader {
            meta_columns: columns.names.clone(),
            rows: Box::new(items.into_iter()),
            notes: Arc::default(),
            read: None,
        })
    }

    /// A cell as text: numbers as written (`1789`, not `1789.0`), dates as ISO 8601.
    fn cell(data: &Data) -> String {
        match data {
            Data::DateTime(d) if d.is_datetime() => {
                let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
                match (h, mi, s) {
                    (0, 0, 0) => format!("{y:04}-{mo:02}-{day:02}"),
                    _ => format!("{y:04}-{mo:02}-{day:02}T{h:02}:{mi:02}:{s:02}"),
                }
            }
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writes `bytes` as `name` in a new folder and reads it with `options`.
    fn read(
        name: &str,
        bytes: &[u8],
        options: &TableOptions,
    ) -> (Vec<String>, Vec<Item>, Vec<String>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let mut table = TableReader::open(&path, options).unwrap();
        let meta = table.meta_columns().to_vec();
        // Where rows start is tested on its own.
        let items: Vec<Item> = (table.by_ref())
            .map(|item| match item {
                Ok(row) => Ok(TableRow { byte: 0, ..row }),
                Err(bad) => Err(BadRow { byte: 0, ..bad }),
            })
            .collect();
        (meta, items, table.warnings())
    }

    fn row(line: u64, number: u64, id: Option<&str>, text: &str, meta: &[&str]) -> Item {
        Ok(TableRow {
            line,
            number,
            byte: 0,
            id: id.map(str::to_string),
            text: text.to_string(),
            meta: meta.iter().map(|m| m.to_string()).collect(),
        })
    }

    fn bad(line: u64, reason: &str) -> Item {
        Err(BadRow {
            line,
            byte: 0,
            reason: reason.to_string(),
        })
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    fn zstd(bytes: &[u8]) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
    }

    const CSV: &str = "\u{feff}id,year,text,party\r\n\
                       1789-Washington,1789,\"Fellow citizens,\r\nwe \"\"begin\"\".\",none\r\n\
                       1793-Washington,1793,Again.,none\r\n";

    #[test]
    fn names_say_format_and_compression() {
        let kind = |n: &str| table_kind(Path::new(n));
        assert_eq!(kind("a.csv"), Some((Format::Csv, Compression::None)));
        assert_eq!(kind("a.TSV.gz"), Some((Format::Tsv, Compression::Gzip)));
        assert_eq!(
            kind("a.ndjson.zst"),
            Some((Format::JsonLines, Compression::Zstd))
        );
        assert_eq!(
            kind("a.jsonl"),
            Some((Format::JsonLines, Compression::None))
        );
        assert_eq!(kind("a.xlsx"), Some((Format::Xlsx, Compression::None)));
        assert_eq!(kind("a.xlsx.gz"), None);
        assert_eq!(kind("a.txt.gz"), None);
        assert_eq!(kind("csv"), None);
        assert_eq!(compression_of("b.txt.gz"), (Compression::Gzip, "b.txt"));
    }

    #[test]
    fn csv_rows_with_quotes_across_lines_a_bom_and_crlf() {
        let options = TableOptions {
            id_column: Some("id".to_string()),
            ..Default::default()
        };
        let want = vec![
            row(
                2,
                1,
                Some("1789-Washington"),
                "Fellow citizens,\nwe \"begin\".",
                &["1789", "none"],
            ),
            row(4, 2, Some("1793-Washington"), "Again.", &["1793", "none"]),
        ];
        let lf = CSV.replace("\r\n", "\n");
        let cr = CSV.replace("\r\n", "\r");
        for (name, bytes) in [
            ("t.csv", CSV.as_bytes().to_vec()),
            ("t.csv", lf.as_bytes().to_vec()),
            ("t.csv", cr.as_bytes().to_vec()),
            ("t.csv.gz", gzip(CSV.as_bytes())),
            ("t.csv.zst", zstd(CSV.as_bytes())),
        ] {
            let (meta, items, warnings) = read(name, &bytes, &options);
            assert_eq!(meta, ["year", "party"], "{name}");
            assert_eq!(items, want, "{name}");
            assert!(warnings.is_empty());
        }
    }

    /// A table read to its end has its file's size and SHA-256 from the one read; one read
    /// only in part (a window) has fewer bytes, so the manifest reads the file again.
    #[test]
    fn a_table_read_to_its_end_is_hashed_as_it_is_read() {
        let jsonl = "{\"text\": \"a\"}\n{\"text\": \"b\"}\n";
        let long: String = (0..20_000).map(|i| format!("{i},{i} times\n")).collect();
        let long = format!("id,text\n{long}");
        let cut = gzip(long.as_bytes());
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("t.csv", CSV.as_bytes().to_vec()),
            ("t.csv.gz", gzip(CSV.as_bytes())),
            ("t.csv.zst", zstd(CSV.as_bytes())),
            ("t.jsonl", jsonl.as_bytes().to_vec()),
            ("t.jsonl.zst", zstd(jsonl.as_bytes())),
            // Cut short: the rows before the damage, every byte of the file read.
            ("cut.csv.gz", cut[..cut.len() / 2].to_vec()),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let mut table = TableReader::open(&path, &TableOptions::default()).unwrap();
            let (rows, bad) = (table.by_ref()).fold((0, 0), |(r, b), i| match i {
                Ok(_) => (r + 1, b),
                Err(_) => (r, b + 1),
            });
            assert!(
                rows > 0 && bad == usize::from(name.starts_with("cut")),
                "{name}"
            );
            let whole = (bytes.len() as u64, crate::checksum::sha256_hex(&bytes));
            assert_eq!(table.read_so_far(), Some(whole), "{name}");
        }
        let path = dir.path().join("long.csv");
        std::fs::write(&path, &long).unwrap();
        let window = TableReader::open_window(&path, &TableOptions::default(), Some(0..10));
        let mut window = window.unwrap();
        assert_eq!(window.by_ref().count(), 1);
        let (read, _) = window.read_so_far().unwrap();
        assert!(read < long.len() as u64, "{read} of {}", long.len());
    }

    #[test]
    fn line_ends_become_lf_across_pieces() {
        let text = b"a\r\nb\rc\r\r\nd\r";
        for cut in 0..=text.len() {
            let (mut one, mut two) = (text[..cut].to_vec(), text[cut..].to_vec());
            let mut after_cr = false;
            let n = delimited::line_ends_as_lf(&mut one, &mut after_cr);
            let m = delimited::line_ends_as_lf(&mut two, &mut after_cr);
            let got = [&one[..n], &two[..m]].concat();
            assert_eq!(got, b"a\nb\nc\n\nd\n", "cut at {cut}");
        }
    }

    #[test]
    fn tsv_semicolons_several_text_columns_and_chosen_metadata() {
        let tsv = "title\tbody\tauthor\tyear\nOn pride\tWe are proud.\tKim\t2001\n";
        let options = TableOptions {
            text_columns: vec!["title".to_string(), "body".to_string()],
            meta_columns: Some(vec!["year".to_string()]),
            ..Default::default()
        };
        let (meta, items, _) = read("t.tsv", tsv.as_bytes(), &options);
        assert_eq!(meta, ["year"]);
        assert_eq!(
            items,
            vec![row(2, 1, None, "On pride\n\nWe are proud.", &["2001"])]
        );
        let semicolons = "text;n\nHardship, then pride.;1\n";
        let options = TableOptions {
            delimiter: Some(b';'),
            ..Default::default()
        };
        let (_, items, _) = read("t.csv", semicolons.as_bytes(), &options);
        assert_eq!(
            items,
            vec![row(2, 1, None, "Hardship, then pride.", &["1"])]
        );
    }

    #[test]
    fn malformed_csv_rows_are_named_and_the_rest_is_read() {
        let csv = "text,n\nfine,1\ntoo,many,fields\n\"open quote,2\nstill open\n";
        let (_, items, _) = read("t.csv", csv.as_bytes(), &TableOptions::default());
        assert_eq!(
            items,
            vec![
                row(2, 1, None, "fine", &["1"]),
                bad(3, "3 fields where the header has 2"),
                bad(
                    4,
                    "a quoted cell is still open at the end of the file (a quote is missing)"
                ),
            ]
        );
        let bytes = b"text,n\nok,1\nbad \xff,2\n";
        let (_, items, _) = read("t.csv", bytes, &TableOptions::default());
        assert_eq!(
            items[1],
            bad(
                3,
                "not valid UTF-8 (a cell, at its byte 4): convert the file to UTF-8"
            )
        );
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn a_quoted_cell_over_a_thousand_lines_is_warned() {
        let long = "line\n".repeat(1_500);
        let csv = format!("text\n\"{long}\"\nnext\n");
        let (_, items, warnings) = read("t.csv", csv.as_bytes(), &TableOptions::default());
        assert_eq!(items.len(), 2);
        assert_eq!(
            warnings,
            ["line 2: a quoted cell runs over 1501 lines; if that is not meant, a quote is missing there"]
        );
    }

    #[test]
    fn missing_columns_are_errors_listing_the_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "body,year\nx,1\n").unwrap();
        let err = TableReader::open(&path, &TableOptions::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{}: no column \"text\": name the text column with --text-column NAME (the columns are \"body\", \"year\")", path.display())
        );
        let options = TableOptions {
            text_columns: vec!["body".to_string()],
            id_column: Some("id".to_string()),
            ..Default::default()
        };
        let err = TableReader::open(&path, &options).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("no id column \"id\": the columns are \"body\", \"year\""),
            "{err}"
        );
    }

    #[test]
    fn json_lines_with_dotted_paths_bad_lines_and_late_fields() {
        let jsonl = "{\"id\": 7, \"score\": 1.5, \"data\": {\"body\": \"Proud.\"}, \"tags\": [1]}\n\
                     \n\
                     not json\n\
                     [1, 2]\n\
                     {\"id\": 8, \"data\": {}}\n\
                     {\"id\": 9, \"data\": {\"body\": 3}}\n\
                     {\"id\": 10, \"data\": {\"body\": \"Hard.\"}, \"extra\": \"x\", \"score\": null}\n";
        let options = TableOptions {
            text_columns: vec!["data.body".to_string()],
            id_column: Some("id".to_string()),
            ..Default::default()
        };
        let (meta, items, warnings) = read("t.jsonl", jsonl.as_bytes(), &options);
        assert_eq!(meta, ["score"]);
        let parse_error = serde_json::from_str::<serde_json::Value>("not json").unwrap_err();
        assert_eq!(
            items,
            vec![
                row(1, 1, Some("7"), "Proud.", &["1.5"]),
                bad(3, &format!("not a JSON value: {parse_error}")),
                bad(4, "not a JSON object"),
                bad(5, "no text: the field \"data.body\" is missing"),
                bad(
                    6,
                    "the text field \"data.body\" is not a string (it is a number)"
                ),
                row(7, 7, Some("10"), "Hard.", &[""]),
            ]
        );
        assert_eq!(
            warnings,
            ["fields that the first object does not have are not kept: \"extra\" (1 rows) (name them with --meta-columns to keep them)"]
        );
    }

    /// Reads `path` with the rows of `window`: the rows before it (their line, number and
    /// id, as a row's id is made) and the rows of it, whole; and the notes.
    fn read_window(
        path: &Path,
        options: &TableOptions,
        window: Range<u64>,
    ) -> (Vec<(u64, u64, String)>, Vec<Item>, Notes) {
        let mut table = TableReader::open_window(path, options, Some(window.clone())).unwrap();
        let (mut before, mut rows) = (Vec::new(), Vec::new());
        for item in table.by_ref() {
            let (line, number, byte, id) = match &item {
                Ok(r) => (r.line, r.number, r.byte, r.id.clone()),
                Err(b) => (b.line, b.line, b.byte, None),
            };
            assert!(byte < window.end, "{byte} past {window:?}");
            match byte < window.start {
                true => before.push((line, number, id.unwrap_or_else(|| format!("#{number}")))),
                false => rows.push(item),
            }
        }
        (before, rows, table.notes())
    }

    /// Every way to cut a table in three windows gives its rows once each, in order, as one
    /// read gives them, with the rows before each window numbered as one read numbers them; the
    /// windows' notes add up to one read's.
    #[test]
    fn windows_of_a_table_add_up_to_the_whole_table() {
        let long_cell = "x\n".repeat(LONG_CELL_LINES as usize + 1);
        let csv = format!(
            "id,text,k\r\na,\"one\r\ntwo\",1\r\nb,three\r\nbad\r\nc,\"{long_cell}\",3\r\na,four,4\r\n\r\nd,five,5"
        );
        let jsonl = "{\"id\":\"a\",\"text\":\"one\"}\n\n{\"id\":\"b\",\"text\":\"two\",\"late\":1}\nnot json\n{\"id\":\"a\",\"text\":\"three\",\"late\":2}\n{\"text\":4}\n  \n{\"id\":\"c\",\"text\":\"five\",\"later\":true}\n";
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [("t.csv", csv.as_str()), ("t.jsonl", jsonl)] {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            for id_column in [None, Some("id".to_string())] {
                let options = TableOptions {
                    id_column,
                    ..TableOptions::default()
                };
                let (none, all, notes) = read_window(&path, &options, 0..u64::MAX);
                assert!(none.is_empty());
                assert!(all.len() >= 6, "{name}: {all:?}");
                let len = bytes.len() as u64;
                // Every cut in two; cuts in three on a grid.
                let cuts = (0..=len).map(|a| (a, u64::MAX));
                let grid = (0..=len)
                    .step_by(37)
                    .flat_map(|a| (a..=len).step_by(41).map(move |b| (a, b)));
                for (a, b) in cuts.chain(grid) {
                    let mut rows = Vec::new();
                    let mut sum = Notes::default();
                    for window in [0..a, a..b, b..u64::MAX] {
                        let (before, mine, notes) = read_window(&path, &options, window);
                        // The rows before are numbered and named as one read does.
                        for (i, (line, number, id)) in before.iter().enumerate() {
                            let (l, n, whole_id) = match &all[i] {
                                Ok(r) => (r.line, r.number, r.id.clone()),
                                Err(b) => (b.line, b.line, None),
                            };
                            assert_eq!((line, number), (&l, &n), "{name} {a} {b}");
                            let whole_id = whole_id.unwrap_or_else(|| format!("#{n}"));
                            // Unparsed (no id column), a bad line reads as a row by line.
                            assert_eq!(id, &whole_id, "{name} {a} {b}");
                        }
                        rows.extend(mine);
                        sum.append(notes);
                    }
                    assert_eq!(rows, all, "{name} cut at {a} and {b}");
                    assert_eq!(sum, notes, "{name} cut at {a} and {b}");
                }
                assert_eq!(notes.warnings().len(), 1, "{name}: {:?}", notes.warnings());
            }
        }
    }

    #[test]
    fn a_damaged_compressed_file_keeps_the_rows_before_the_damage() {
        let mut body = String::from("text,n\n");
        for i in 0..20_000 {
            body.push_str(&format!("row number {i} of the table,{i}\n"));
        }
        for (name, packed) in [
            ("t.csv.gz", gzip(body.as_bytes())),
            ("t.csv.zst", zstd(body.as_bytes())),
        ] {
            let cut = &packed[..packed.len() * 2 / 3];
            let (_, items, _) = read(name, cut, &TableOptions::default());
            let (last, rows) = items.split_last().unwrap();
            assert!(rows.len() > 1_000, "{name}: {} rows kept", rows.len());
            assert!(rows.iter().all(Result::is_ok), "{name}");
            let Err(damage) = last else {
                panic!("{name}: the damage is named")
            };
            assert!(
                damage.reason.starts_with(
                    "the compressed file is damaged or cut short near compressed byte"
                ),
                "{name}: {damage:?}"
            );
        }
        let jsonl = "{\"text\": \"a\"}\n".repeat(20_000);
        let cut = gzip(jsonl.as_bytes());
        let (_, items, _) = read(
            "t.jsonl.gz",
            &cut[..cut.len() / 2],
            &TableOptions::default(),
        );
        assert!(items.last().unwrap().is_err());
        assert!(items.len() > 1_000);
    }

    #[test]
    fn json_lines_damaged_before_their_first_object_are_an_error_naming_the_damage() {
        // A damaged stream fails again at every read: the first object, which names the
        // columns, was looked for until the lines ended, which they never did (an empty
        // `.jsonl.zst` grew to gigabytes of error rows). Each case runs on a thread of its own,
        // so that a regression fails here instead of filling the memory.
        let jsonl = "{\"id\": \"x\", \"text\": \"hardship and pride\"}\n".repeat(50);
        let cases = [
            ("empty.jsonl.zst", Vec::new()),
            ("cut.jsonl.zst", zstd(jsonl.as_bytes())[..20].to_vec()),
            ("cut.jsonl.gz", gzip(jsonl.as_bytes())[..20].to_vec()),
            ("garbage.jsonl.gz", b"\x1f\x8b not gzip at all".to_vec()),
        ];
        for (name, bytes) in cases {
            let (sent, got) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join(name);
                std::fs::write(&path, bytes).unwrap();
                for id_column in [None, Some("id".to_string())] {
                    let options = TableOptions {
                        id_column,
                        ..TableOptions::default()
                    };
                    let opened = TableReader::open(&path, &options).map(|t| t.count());
                    let _ = sent.send(opened.map_err(|e| e.to_string()));
                }
            });
            for _ in 0..2 {
                let opened = got
                    .recv_timeout(std::time::Duration::from_secs(60))
                    .unwrap_or_else(|_| panic!("{name}: still reading after 60 s"));
                let Err(message) = opened else {
                    panic!("{name}: read as a table: {opened:?}")
                };
                assert!(
                    message.contains("cannot read the first object: the compressed file is"),
                    "{name}: {message}"
                );
                assert!(!message.contains("rows before"), "{name}: {message}");
            }
        }
    }

    #[test]
    fn excel_first_sheet_or_a_named_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("survey.xlsx");
        let mut book = rust_xlsxwriter::Workbook::new();
        let cover = book.add_worksheet().set_name("Cover").unwrap();
        cover.write(0, 0, "text").unwrap();
        cover.write(1, 0, "not this one").unwrap();
        let answers = book.add_worksheet().set_name("Answers").unwrap();
        for (c, h) in ["respondent", "answer", "age"].iter().enumerate() {
            answers.write(0, c as u16, *h).unwrap();
        }
        answers.write(1, 0, "r1").unwrap();
        answers.write(1, 1, "We were proud,\nthen hungry.").unwrap();
        answers.write(1, 2, 34).unwrap();
        answers.write(2, 0, "r2").unwrap();
        answers.write(2, 2, 51.5).unwrap();
        book.save(&path).unwrap();
        let options = TableOptions {
            text_columns: vec!["answer".to_string()],
            id_column: Some("respondent".to_string()),
            sheet: Some("Answers".to_string()),
            ..Default::default()
        };
        let mut table = TableReader::open(&path, &options).unwrap();
        assert_eq!(table.meta_columns(), ["age"]);
        let items: Vec<Item> = table.by_ref().collect();
        assert_eq!(
            items,
            vec![
                row(2, 1, Some("r1"), "We were proud,\nthen hungry.", &["34"]),
                row(3, 2, Some("r2"), "", &["51.5"]),
            ]
        );
        let first = TableReader::open(&path, &TableOptions::default()).unwrap();
        assert_eq!(first.count(), 1);
        let options = TableOptions {
            sheet: Some("Nope".to_string()),
            ..Default::default()
        };
        let err = TableReader::open(&path, &options).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("no sheet \"Nope\": the sheets are \"Cover\", \"Answers\""),
            "{err}"
        );
    }

    #[test]
    fn the_inaugural_addresses_read_as_sixty_rows_with_their_metadata() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/inaugural/inaugural.csv");
        let options = TableOptions {
            id_column: Some("id".to_string()),
            ..Default::default()
        };
        let mut table = TableReader::open(&path, &options).unwrap();
        assert_eq!(
            table.meta_columns(),
            ["year", "president", "first_name", "party", "date"]
        );
        let rows: Vec<TableRow> = table.by_ref().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 60);
        assert_eq!(rows[0].id.as_deref(), Some("1789-Washington"));
        assert_eq!(
            rows[0].meta,
            ["1789", "Washington", "George", "none", "1789-04-30"]
        );
        assert!(rows[0].text.starts_with("Fellow-Citizens of the Senate"));
        assert_eq!(rows[59].id.as_deref(), Some("2025-Trump"));
        assert_eq!(
            (rows[1].line, rows[1].number),
            (
                rows[0].line + rows[0].text.matches('\n').count() as u64 + 1,
                2
            )
        );
        assert!(table.warnings().is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_table_the_csv_crate_writes_reads_back(
            cells in proptest::collection::vec(("(\\PC|[\",\r\n;'\t ])*", "(\\PC|[\",\r\n])*"), 1..20)
        ) {
            let mut writer = csv::Writer::from_writer(Vec::new());
            writer.write_record(["text", "meta"]).unwrap();
            for (text, meta) in &cells {
                writer.write_record([text, meta]).unwrap();
            }
            let bytes = writer.into_inner().unwrap();
            let (_, items, _) = read("t.csv", &bytes, &TableOptions::default());
            let got: Vec<(String, String)> = items
                .into_iter()
                .map(|i| {
                    let r = i.unwrap();
                    (r.text, r.meta[0].clone())
                })
                .collect();
            // Line ends come back as LF (the rule for every cell).
            let lf = |c: &str| c.replace("\r\n", "\n").replace('\r', "\n");
            let want: Vec<(String, String)> = cells.iter().map(|(t, m)| (lf(t), lf(m))).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }
}
