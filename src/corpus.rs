//! Stage read: inputs → an ordered list of documents; each document read and validated when
//! its turn comes.
//!
//! In: the INPUT paths (files or folders). Out: [`DocumentSource`]s sorted by path, each with a
//! unique id; then, per document, [`read_document`] gives its text or a [`SkipReason`].
//!
//! Guarantees: folders are searched recursively for `.txt` and `.md` regular files; symbolic
//! links inside folders are not followed and FIFOs, sockets and devices are never opened, so
//! neither a link loop nor a pipe can hang a run; anything under `exclude` (the output folder)
//! is left out. Ids are paths relative to their INPUT, `/`-separated; with several INPUTs each
//! is prefixed by its INPUT's last path component, made unique with `~2`, `~3`… A name that is
//! not valid UTF-8 keeps its bytes apart in the id ([`text_of`]: each such byte as `\xFF`), so
//! two such files never share an id; an id that still collides (a file literally named so) is
//! made unique the same way. Paths themselves stay as the file system gives them. A document
//! is accepted only when it is valid UTF-8 without NUL bytes; a leading BOM is removed.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{Error, Result};

pub mod blocks;

/// A document to analyse — or a table, each of whose rows is one: where it is and what it is
/// called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSource {
    /// The id used in every output (relative, `/`-separated); for a table, what its rows' ids
    /// start with (`table.csv#12`).
    pub id: String,
    /// The file.
    pub path: PathBuf,
    /// Whether the file is a table ([`crate::table`]).
    pub table: bool,
}

/// A document's text as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The text, BOM removed; byte offsets in the outputs are into this.
    pub text: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// How it was decoded: `utf-8` or `windows-1252`.
    pub encoding: &'static str,
}

/// Why a document was skipped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// The file could not be read.
    #[error("cannot be read: {0}")]
    Unreadable(String),
    /// Not valid UTF-8.
    #[error("not valid UTF-8 at byte {0} (convert it to UTF-8)")]
    NotUtf8(u64),
    /// A row of a table that cannot be read as a document (the wrong number of fields, no text…).
    #[error("{0}")]
    BadRow(String),
    /// Holds a NUL byte, so it is binary, not text.
    #[error("holds a NUL byte at byte {0}: a binary file, not text")]
    NulByte(u64),
    /// No more files could be opened (EMFILE, ENFILE). Nothing is wrong with the document,
    /// so it is not skipped: the run stops with [`Error::TooManyOpenFiles`].
    #[error("cannot be opened: too many open files")]
    TooManyOpenFiles,
}

/// Why a document could not be read, from what the file system said: [`SkipReason::TooManyOpenFiles`]
/// when the process is out of file descriptors (the run stops), else
/// [`SkipReason::Unreadable`].
pub fn unreadable(e: std::io::Error) -> SkipReason {
    if crate::error::out_of_files(&e) {
        SkipReason::TooManyOpenFiles
    } else {
        SkipReason::Unreadable(e.to_string())
    }
}

/// Whether `path` names a plain document: `.txt` or `.md`, maybe compressed (`.txt.gz`,
/// `.md.zst`).
fn is_document(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"));
    };
    let (_, inner) = crate::table::compression_of(name);
    inner
        .rsplit_once('.')
        .is_some_and(|(_, e)| e.eq_ignore_ascii_case("txt") || e.eq_ignore_ascii_case("md"))
}

/// Whether the document at `path` is compressed (read whole, decompressed).
pub fn is_compressed(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| crate::table::compression_of(n).0 != crate::table::Compression::None)
}

/// A file name or path as text: valid UTF-8 as it is; each byte that is not part of valid UTF-8
/// written as `\xFF` (a backslash, `x` and two upper-case hex digits), so that names differing
/// only in such bytes stay apart (`to_string_lossy` makes each of them `�`). Ids, the
/// manifest's paths and its copy of the command line are written so.
pub fn text_of(name: &OsStr) -> Cow<'_, str> {
    if let Some(text) = name.to_str() {
        return Cow::Borrowed(text);
    }
    escape_bytes(name)
}

#[cfg(unix)]
fn escape_bytes(name: &OsStr) -> Cow<'_, str> {
    use std::fmt::Write;
    use std::os::unix::ffi::OsStrExt;
    let mut out = String::with_capacity(name.len() + 8);
    for chunk in name.as_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02X}");
        }
    }
    Cow::Owned(out)
}

#[cfg(not(unix))]
fn escape_bytes(name: &OsStr) -> Cow<'_, str> {
    name.to_string_lossy()
}

/// The id of `path` inside `root`: its components joined by `/`, and whether one of them had
/// to be escaped ([`text_of`]).
fn relative_id(path: &Path, root: &Path) -> (String, bool) {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut escaped = false;
    let parts: Vec<Cow<'_, str>> = rel
        .components()
        .map(|c| {
            let text = text_of(c.as_os_str());
            escaped |= matches!(text, Cow::Owned(_));
            text
        })
        .collect();
    (parts.join("/"), escaped)
}

/// A folder inside an INPUT that could not be read while listing documents (`chmod 000`): it
/// is no document, and how many documents it holds is unknown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableFolder {
    /// Its path relative to its INPUT, as an id (`/`-separated, prefixed as ids are).
    pub id: String,
    /// Its path.
    pub path: PathBuf,
    /// What the file system said.
    pub reason: String,
}

/// What [`discover_documents`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// The documents, in order.
    pub documents: Vec<DocumentSource>,
    /// Folders inside an INPUT that could not be read (reported; the documents found are
    /// analysed).
    pub unreadable_folders: Vec<UnreadableFolder>,
}

/// Lists the documents of `inputs`, sorted by path within each INPUT, INPUTs in the order given.
/// `exclude` (the output folder) is never searched. An INPUT file that is a table is one;
/// tables inside folders are not read (see [`discover_with`]).
pub fn discover_documents(inputs: &[PathBuf], exclude: Option<&Path>) -> Result<Discovery> {
    discover_with(inputs, exclude, false)
}

/// [`discover_documents`]; with `tables_in_folders`, tables inside folders are listed too (the
/// user named a text column, so a stray spreadsheet in a folder of articles is no surprise).
pub fn discover_with(
    inputs: &[PathBuf],
    exclude: Option<&Path>,
    tables_in_folders: bool,
) -> Result<Discovery> {
    let mut unreadable_folders = Vec::new();
    let exclude = exclude.and_then(|p| fs::canonicalize(p).ok());
    let mut prefixes: HashSet<String> = HashSet::new();
    // Each document with whether its id had to be escaped.
    let mut docs: Vec<(DocumentSource, bool)> = Vec::new();
    for input in inputs {
        let meta = fs::metadata(input).map_err(|source| Error::Input {
            path: input.clone(),
            source,
        })?;
        let prefix = if inputs.len() > 1 {
            // The last component as given (a symbolic link keeps its own name); `.` or `..`
            // have none, so theirs comes from the resolved path.
            let base = input
                .file_name()
                .map(|n| text_of(n).into_owned())
                .or_else(|| {
                    input
                        .canonicalize()
                        .ok()
                        .and_then(|p| p.file_name().map(|n| text_of(n).into_owned()))
                })
                .unwrap_or_else(|| "input".to_string());
            let mut name = base.clone();
            let mut k = 2;
            while !prefixes.insert(name.clone()) {
                name = format!("{base}~{k}");
                k += 1;
            }
            Some(name)
        } else {
            None
        };
        let with_prefix = |rel: String| match &prefix {
            Some(p) if rel.is_empty() => p.clone(),
            Some(p) => format!("{p}/{rel}"),
            None => rel,
        };
        if meta.is_file() {
            let name = input.file_name().map(text_of).unwrap_or_default();
            let escaped = matches!(name, Cow::Owned(_));
            let id = if prefix.is_some() {
                with_prefix(String::new())
            } else {
                name.into_owned()
            };
            docs.push((
                DocumentSource {
                    id,
                    path: input.clone(),
                    table: crate::table::table_kind(input).is_some(),
                },
                escaped,
            ));
            continue;
        }
        if !meta.is_dir() {
            return Err(Error::Input {
                path: input.clone(),
                source: std::io::Error::other("not a regular file or a folder"),
            });
        }
        let mut found = Vec::new();
        let walker = WalkDir::new(input)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                // The output folder is never read back, unless it is the INPUT itself (its own
                // files are not documents).
                !(e.depth() > 0
                    && e.file_type().is_dir()
                    && exclude
                        .as_ref()
                        .is_some_and(|x| fs::canonicalize(e.path()).is_ok_and(|p| &p == x)))
            });
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                // Out of file descriptors: the folder is fine, the run cannot go on.
                Err(e) if e.io_error().is_some_and(crate::error::out_of_files) => {
                    let path = e.path().map_or_else(|| input.clone(), Path::to_path_buf);
                    return Err(Error::TooManyOpenFiles { path });
                }
                // A folder inside the INPUT that cannot be read is reported and skipped; the
                // INPUT itself unreadable is an error.
                Err(e) if e.depth() > 0 => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| input.clone());
                    unreadable_folders.push(UnreadableFolder {
                        id: with_prefix(relative_id(&path, input).0),
                        reason: e
                            .io_error()
                            .map_or_else(|| e.to_string(), |io| io.to_string()),
                        path,
                    });
                    continue;
                }
                Err(e) => {
                    return Err(Error::Input {
                        path: input.clone(),
                        source: e
                            .into_io_error()
                            .unwrap_or_else(|| std::io::Error::other("cannot walk the folder")),
                    })
                }
            };
            let table = tables_in_folders && crate::table::table_kind(entry.path()).is_some();
            if entry.file_type().is_file() && (table || is_document(entry.path())) {
                found.push(entry.into_path());
            }
        }
        found.sort();
        docs.extend(found.into_iter().map(|path| {
            let (rel, escaped) = relative_id(&path, input);
            let table = crate::table::table_kind(&path).is_some() && !is_document(&path);
            (
                DocumentSource {
                    id: with_prefix(rel),
                    path,
                    table,
                },
                escaped,
            )
        }));
    }
    Ok(Discovery {
        documents: unique_ids(docs),
        unreadable_folders,
    })
}

/// The documents of a `--files-from` list after those of `found` (the INPUTs'): each listed
/// path is an INPUT whose id is the path as listed (a folder's documents: the listed path, `/`,
/// their path inside it); an id given before gets `~2`, `~3`…
pub fn discover_listed(
    mut found: Discovery,
    paths: &[String],
    exclude: Option<&Path>,
    tables_in_folders: bool,
) -> Result<Discovery> {
    let mut used: HashSet<String> = found.documents.iter().map(|d| d.id.clone()).collect();
    let mut unique = |id: String| {
        let mut name = id.clone();
        let mut k = 2;
        while !used.insert(name.clone()) {
            name = format!("{id}~{k}");
            k += 1;
        }
        name
    };
    for listed in paths {
        let path = PathBuf::from(listed);
        let meta = fs::metadata(&path).map_err(|source| Error::Input {
            path: path.clone(),
            source,
        })?;
        if !meta.is_dir() {
            let table = crate::table::table_kind(&path).is_some();
            let id = unique(listed.clone());
            found.documents.push(DocumentSource { id, path, table });
            continue;
        }
        let inside = discover_with(std::slice::from_ref(&path), exclude, tables_in_folders)?;
        let folder = listed.trim_end_matches('/');
        for mut doc in inside.documents {
            doc.id = unique(format!("{folder}/{}", doc.id));
            found.documents.push(doc);
        }
        for mut unreadable in inside.unreadable_folders {
            unreadable.id = format!("{folder}/{}", unreadable.id);
            found.unreadable_folders.push(unreadable);
        }
    }
    Ok(found)
}

/// The documents with unique ids: an id that had to be escaped and equals another (a file
/// literally named `a\xFF.txt` beside one whose name holds the byte 0xFF) gets `~2`, `~3`…
/// appended; ids that are the names as they are keep them.
fn unique_ids(docs: Vec<(DocumentSource, bool)>) -> Vec<DocumentSource> {
    let mut used: HashSet<String> = docs
        .iter()
        .filter(|(_, escaped)| !escaped)
        .map(|(doc, _)| doc.id.clone())
        .collect();
    docs.into_iter()
        .map(|(mut doc, escaped)| {
            if escaped {
                let base = doc.id.clone();
                let mut k = 2;
                while !used.insert(doc.id.clone()) {
                    doc.id = format!("{base}~{k}");
                    k += 1;
                }
            }
            doc
        })
        .collect()
}

/// Bytes read at a time by [`read_document`], which stops at the first NUL byte.
const READ_PIECE: u64 = 1 << 20;

/// Reads and validates one document. A binary file is given up at its first NUL byte, with the
/// reason a whole read gives, without reading the rest (a file of 5 GB of zeros costs one
/// piece of 1 MiB, not 5 GB).
pub fn read_document(path: &Path, encoding: Encoding) -> std::result::Result<Document, SkipReason> {
    if is_compressed(path) {
        let bytes = crate::table::decompress(path).map_err(unreadable)?;
        if let Some(i) = memchr::memchr(0, &bytes) {
            return Err(binary(&bytes[..=i], encoding));
        }
        return decode_document_as(bytes, encoding);
    }
    let mut file = fs::File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let mut bytes = Vec::with_capacity(usize::try_from(size.min(1 << 26)).unwrap_or(0));
    loop {
        let checked = bytes.len();
        let n = (&mut file)
            .take(READ_PIECE)
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        if n == 0 {
            break;
        }
        if let Some(i) = memchr::memchr(0, &bytes[checked..]) {
            return Err(binary(&bytes[..=checked + i], encoding));
        }
    }
    decode_document_as(bytes, encoding)
}

/// Why a file whose first NUL byte ends `head` is skipped: the NUL, or invalid UTF-8 before it
/// when only UTF-8 is read (as [`decoding`] decides for the whole file).
pub fn binary(head: &[u8], encoding: Encoding) -> SkipReason {
    let nul = head.len().saturating_sub(1) as u64;
    // The NUL itself is valid UTF-8: a character cut short before it is found here.
    let bad_utf8 = std::str::from_utf8(head)
        .err()
        .map(|e| e.valid_up_to() as u64);
    match decoding(Some(nul), bad_utf8, encoding) {
        Err(reason) => reason,
        Ok(_) => SkipReason::NulByte(nul),
    }
}

/// How documents that are not valid UTF-8 are read (`--encoding`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 only: anything else is skipped.
    #[default]
    Utf8,
    /// UTF-8 where the file is valid UTF-8, else Windows-1252 (which covers Latin-1).
    Windows1252,
}

impl std::str::FromStr for Encoding {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "windows-1252" | "cp1252" => Ok(Encoding::Windows1252),
            _ => Err(format!(
                "{s:?} is not an encoding themescope reads: use utf-8 or windows-1252"
            )),
        }
    }
}

/// The name of the Windows-1252 decoding, as the manifest records it.
const WINDOWS_1252: &str = "windows-1252";

/// How a document is read, given its first NUL byte and its first byte that is not valid UTF-8:
/// `utf-8` or `windows-1252` (when `encoding` allows it), or why it is skipped. A NUL byte makes
/// a binary file, unless invalid UTF-8 comes first and only UTF-8 is read.
pub fn decoding(
    nul: Option<u64>,
    bad_utf8: Option<u64>,
    encoding: Encoding,
) -> std::result::Result<&'static str, SkipReason> {
    match (nul, bad_utf8, encoding) {
        (Some(n), Some(u), Encoding::Utf8) if u < n => Err(SkipReason::NotUtf8(u)),
        (Some(n), _, _) => Err(SkipReason::NulByte(n)),
        (None, Some(u), Encoding::Utf8) => Err(SkipReason::NotUtf8(u)),
        (None, Some(_), Encoding::Windows1252) => Ok(WINDOWS_1252),
        (None, None, _) => Ok("utf-8"),
    }
}

/// Validates raw bytes as a UTF-8 document: no NUL byte, valid UTF-8, BOM removed.
pub fn decode_document(bytes: Vec<u8>) -> std::result::Result<Document, SkipReason> {
    decode_document_as(bytes, Encoding::Utf8)
}

/// Validates raw bytes as a document: no NUL byte (a binary file is never text); UTF-8, or with
/// [`Encoding::Windows1252`] a file that is not valid UTF-8 decoded as Windows-1252; BOM removed.
pub fn decode_document_as(
    bytes: Vec<u8>,
    encoding: Encoding,
) -> std::result::Result<Document, SkipReason> {
    let size = bytes.len() as u64;
    let sha256 = crate::checksum::sha256_hex(&bytes);
    let nul = memchr::memchr(0, &bytes);
    let bad_utf8 = std::str::from_utf8(&bytes).err().map(|e| e.valid_up_to());
    let decoded_as = decoding(nul.map(|n| n as u64), bad_utf8.map(|u| u as u64), encoding)?;
    let mut text = if decoded_as == WINDOWS_1252 {
        encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(&bytes)
            .0
            .into_owned()
    } else {
        String::from_utf8(bytes)
            .map_err(|e| SkipReason::NotUtf8(e.utf8_error().valid_up_to() as u64))?
    };
    if text.starts_with('\u{FEFF}') {
        text.drain(..3);
    }
    Ok(Document {
        text,
        bytes: size,
        sha256,
        encoding: decoded_as,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_checks_utf8_nul_and_bom() {
        assert_eq!(
            decode_document(b"\xEF\xBB\xBFhi".to_vec()).unwrap().text,
            "hi"
        );
        assert_eq!(
            decode_document(b"ab\xFFcd".to_vec()),
            Err(SkipReason::NotUtf8(2))
        );
        assert_eq!(
            decode_document(b"abc\0".to_vec()),
            Err(SkipReason::NulByte(3))
        );
        assert_eq!(
            decode_document(b"\xFF\0".to_vec()),
            Err(SkipReason::NotUtf8(0))
        );
        let empty = decode_document(Vec::new()).unwrap();
        assert_eq!((empty.text.as_str(), empty.bytes), ("", 0));
    }

    #[test]
    fn a_read_stopped_at_the_first_nul_says_what_a_whole_read_says() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.txt");
        let source = DocumentSource {
            id: "doc.txt".to_string(),
            path: path.clone(),
            table: false,
        };
        let mut long = vec![b'a'; READ_PIECE as usize + 3];
        long.extend_from_slice(b"\xe2\x82\0\xff");
        for bytes in [
            &b"ab\xffcd"[..],
            b"a\0b",
            b"a\xff\0",
            b"\0\xff",
            b"abc\xe2\x82",
            b"abc\xe2\x82\0",
            b"caf\xe9 \0",
            b"\xef\xbb\xbfok\r\n",
            &long,
        ] {
            fs::write(&path, bytes).unwrap();
            for enc in [Encoding::Utf8, Encoding::Windows1252] {
                assert_eq!(
                    read_document(&source.path, enc),
                    decode_document_as(bytes.to_vec(), enc),
                    "{bytes:?} {enc:?}"
                );
            }
        }
    }

    #[test]
    fn windows_1252_reads_what_is_not_utf8() {
        let doc =
            decode_document_as(b"caf\xe9 \x93quoted\x94".to_vec(), Encoding::Windows1252).unwrap();
        assert_eq!(
            (doc.text.as_str(), doc.encoding),
            ("café “quoted”", "windows-1252")
        );
        // Valid UTF-8 stays UTF-8.
        let doc = decode_document_as("café".as_bytes().to_vec(), Encoding::Windows1252).unwrap();
        assert_eq!((doc.text.as_str(), doc.encoding), ("café", "utf-8"));
        // A NUL byte is binary in any encoding.
        assert_eq!(
            decode_document_as(b"\xe9\0".to_vec(), Encoding::Windows1252),
            Err(SkipReason::NulByte(1))
        );
        assert_eq!("cp1252".parse(), Ok(Encoding::Windows1252));
        assert!("latin-9".parse::<Encoding>().is_err());
    }

    #[test]
    fn discovers_sorted_documents_with_ids() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("docs");
        fs::create_dir_all(root.join("b/c")).unwrap();
        fs::create_dir_all(root.join("out")).unwrap();
        for f in ["z.txt", "a.md", "b/c/d.TXT", "b/skip.csv", "out/x.txt"] {
            fs::write(root.join(f), "x").unwrap();
        }
        let docs = discover_documents(std::slice::from_ref(&root), Some(&root.join("out")))
            .unwrap()
            .documents;
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, vec!["a.md", "b/c/d.TXT", "z.txt"]);

        let other = dir.path().join("x/docs");
        fs::create_dir_all(&other).unwrap();
        fs::write(other.join("a.md"), "x").unwrap();
        let docs = discover_documents(&[root.clone(), other, root.join("z.txt")], None)
            .unwrap()
            .documents;
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "docs/a.md",
                "docs/b/c/d.TXT",
                "docs/out/x.txt",
                "docs/z.txt",
                "docs~2/a.md",
                "z.txt"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("a.txt"), dir.path().join("link.txt")).unwrap();
        let status = std::process::Command::new("mkfifo")
            .arg(dir.path().join("pipe.txt"))
            .status();
        let docs = discover_documents(&[dir.path().to_path_buf()], None)
            .unwrap()
            .documents;
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, vec!["a.txt"]);
        assert!(status.map(|s| s.success()).unwrap_or(true));
    }

    #[test]
    fn output_folder_equal_to_input_is_still_searched() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "x").unwrap();
        let docs = discover_documents(&[dir.path().to_path_buf()], Some(dir.path())).unwrap();
        assert_eq!(docs.documents.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn ids_take_the_input_name_as_given() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("real")).unwrap();
        fs::write(dir.path().join("real/a.txt"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("docs")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("real/a.txt"), dir.path().join("mine.txt"))
            .unwrap();
        let inputs = [dir.path().join("docs"), dir.path().join("mine.txt")];
        let ids: Vec<String> = discover_documents(&inputs, None)
            .unwrap()
            .documents
            .into_iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(ids, ["docs/a.txt", "mine.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_utf8_keep_their_bytes_apart() {
        use std::os::unix::ffi::OsStrExt;
        let name = |bytes: &[u8]| OsStr::from_bytes(bytes).to_os_string();
        assert_eq!(text_of(&name(b"a\xff.txt")), "a\\xFF.txt");
        assert_eq!(text_of(&name(b"\xe2\x82.md")), "\\xE2\\x82.md");
        assert_eq!(text_of(&name("é\\x.txt".as_bytes())), "é\\x.txt");
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join(name(b"d\xfe"));
        fs::create_dir_all(&sub).unwrap();
        for file in [&b"a\xff.txt"[..], b"a\xfe.txt", b"a\\xFF.txt"] {
            fs::write(dir.path().join(name(file)), "x").unwrap();
        }
        fs::write(sub.join("b.txt"), "x").unwrap();
        let ids: Vec<String> = discover_documents(&[dir.path().to_path_buf()], None)
            .unwrap()
            .documents
            .into_iter()
            .map(|d| d.id)
            .collect();
        // In path order (bytes): `\` (0x5C) before 0xFE before 0xFF. The literal name keeps
        // its id; the escaped one that equals it gets `~2`.
        assert_eq!(
            ids,
            ["a\\xFF.txt", "a\\xFE.txt", "a\\xFF.txt~2", "d\\xFE/b.txt"]
        );
    }

    #[test]
    fn missing_input_is_an_error_naming_it() {
        let err = discover_documents(&[PathBuf::from("/no/such/folder")], None).unwrap_err();
        assert!(
            err.to_string().starts_with("input /no/such/folder: "),
            "{err}"
        );
    }
}
