//! `manifest.json`: what a run read, with what, and what it wrote.
//!
//! In: the run's arguments, lexicon, documents, totals and timings. Out: pretty-printed JSON.
//! Unlike the CSV files, the manifest records timings and may differ between identical runs.
//!
//! Its `inputs` list has an entry per analysed document, millions for a large table: the entries
//! are rendered as they come ([`input_entry`], on the worker threads) and wait in an
//! [`InputsSpool`], a scratch file, until [`write_manifest_with`] copies them into their place;
//! nothing per document stays in memory to the end. The result is byte for byte what
//! serde_json writes for the whole [`Manifest`] with its list in memory.

use std::io::{BufWriter, Seek, Write};

use serde::{Deserialize, Serialize};

/// The format of the manifest this version writes: `files` lists exactly the files of the
/// result set, which a later run may replace or remove.
pub const FORMAT: u32 = 1;

/// The manifest of one run.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// Always `themescope`.
    pub tool: &'static str,
    /// The manifest's format ([`FORMAT`]); a themescope manifest without it is of format 0.
    pub format: u32,
    /// The crate version.
    pub version: &'static str,
    /// The command line, as given.
    pub arguments: Vec<String>,
    /// Resolved settings.
    pub settings: Settings,
    /// The lexicon used.
    pub lexicon: LexiconInfo,
    /// Each analysed document.
    pub inputs: Vec<InputInfo>,
    /// Each table read, in order.
    pub tables: Vec<TableInfo>,
    /// Totals.
    pub counts: CountsInfo,
    /// Files of this result set, relative to the output folder (this manifest included).
    pub files: Vec<String>,
    /// Documents that were skipped, with the reason.
    pub skipped: Vec<SkippedInfo>,
    /// Folders inside an INPUT that could not be read: not documents, and not counted as
    /// any; documents in them, if any, were not analysed.
    pub unreadable_folders: Vec<FolderInfo>,
    /// Warnings (lexicon and run).
    pub warnings: Vec<String>,
    /// Wall-clock timings.
    pub timings: Timings,
}

/// Resolved settings of a run.
#[derive(Debug, Serialize)]
pub struct Settings {
    /// Worker threads used (`--jobs` as given is in `arguments`; more than a few per core are
    /// not used).
    pub jobs: usize,
    /// Whether hits.csv was written.
    pub hits: bool,
    /// Whether tension.csv was written.
    pub tension: bool,
    /// Whether negation was applied.
    pub negation: bool,
    /// How hyphen-joined words were read: `split` or `keep`.
    pub hyphens: crate::tokenize::Hyphens,
    /// Whether `themes.csv` left out rows with a zero count (`--zeros drop`).
    pub drop_zeros: bool,
}

/// The lexicon of a run.
#[derive(Debug, Serialize)]
pub struct LexiconInfo {
    /// Its name.
    pub name: String,
    /// The files it was loaded from: path, format, SHA-256, matching rule.
    pub sources: Vec<crate::lexicon::Source>,
    /// Theme ids in order.
    pub themes: Vec<String>,
    /// Contrast ids in order.
    pub contrasts: Vec<String>,
    /// Number of terms.
    pub terms: usize,
    /// Per theme, the terms that matched nowhere in the corpus (themes where all matched are
    /// left out).
    pub unmatched_terms: Vec<UnmatchedTerms>,
}

/// The terms of one theme that never matched.
#[derive(Debug, Serialize)]
pub struct UnmatchedTerms {
    /// The theme id.
    pub theme: String,
    /// Its terms that matched nowhere, as written in the lexicon.
    pub terms: Vec<String>,
}

/// One analysed document.
#[derive(Debug, Serialize)]
pub struct InputInfo {
    /// Its id.
    pub id: String,
    /// File size.
    pub bytes: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// How it was decoded: `utf-8` or `windows-1252`.
    pub encoding: &'static str,
}

/// One skipped document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SkippedInfo {
    /// Its id.
    pub id: String,
    /// Its path.
    pub path: String,
    /// Why it was skipped.
    pub reason: String,
}

/// A table read: each row a document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    /// Its path.
    pub path: String,
    /// Its size in bytes (as stored, compressed or not).
    pub bytes: u64,
    /// SHA-256 of the file as stored.
    pub sha256: String,
    /// Rows read as documents.
    pub rows: u64,
    /// Rows skipped (each listed under `skipped`, by line).
    pub skipped_rows: u64,
    /// The text column(s).
    pub text_columns: Vec<String>,
    /// The id column, if any.
    pub id_column: Option<String>,
    /// Its metadata columns kept.
    pub meta_columns: Vec<String>,
}

/// A folder inside an INPUT that could not be read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FolderInfo {
    /// Its path relative to its INPUT, as an id.
    pub id: String,
    /// Its path.
    pub path: String,
    /// What the file system said.
    pub reason: String,
}

/// Run totals.
#[derive(Debug, Serialize)]
pub struct CountsInfo {
    /// Documents found (files: an unreadable folder is none).
    pub documents: u64,
    /// Documents analysed.
    pub analysed: u64,
    /// Documents skipped.
    pub skipped: u64,
    /// Folders that could not be read.
    pub unreadable_folders: u64,
    /// Tokens.
    pub tokens: u64,
    /// Sentences.
    pub sentences: u64,
    /// Paragraphs.
    pub paragraphs: u64,
    /// Lexicon hits.
    pub hits: u64,
}

/// Timings in seconds.
#[derive(Debug, Serialize)]
pub struct Timings {
    /// Loading the lexicon (reading, parsing and checking its files).
    pub load_seconds: f64,
    /// From the start of the load to the manifest.
    pub total_seconds: f64,
}

/// Writes `manifest` as pretty JSON with a final newline.
pub fn write_manifest<W: Write>(mut out: W, manifest: &Manifest) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, manifest)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// One document's entry of the manifest's `inputs`, rendered.
#[derive(Debug)]
pub struct InputEntry {
    /// The entry as [`write_manifest`] writes it inside the list: the object pretty-printed at
    /// the list's depth, without the separator before it.
    pub json: Vec<u8>,
    /// The document's bytes.
    pub bytes: u64,
    /// Its SHA-256 (the seed of its bootstrap weights when it is its own cluster).
    pub sha256: [u8; 32],
}

/// The entry of `info` in the manifest's `inputs`.
pub fn input_entry(info: &InputInfo) -> InputEntry {
    InputEntry {
        json: entry_json(info),
        bytes: info.bytes,
        sha256: crate::checksum::bytes_of_hex(&info.sha256).unwrap_or_default(),
    }
}

/// `info` pretty-printed at the depth of the manifest's `inputs` list (its lines indented by
/// four spaces more), as serde_json pretty-prints an [`InputInfo`] there: written here field
/// by field (a table run writes one per row), each string as serde_json writes strings.
fn entry_json(info: &InputInfo) -> Vec<u8> {
    let mut entry = Vec::with_capacity(144 + info.id.len() + info.sha256.len());
    entry.extend_from_slice(b"    {\n      \"id\": ");
    json_string(&mut entry, &info.id);
    entry.extend_from_slice(b",\n      \"bytes\": ");
    entry.extend_from_slice(itoa::Buffer::new().format(info.bytes).as_bytes());
    entry.extend_from_slice(b",\n      \"sha256\": ");
    json_string(&mut entry, &info.sha256);
    entry.extend_from_slice(b",\n      \"encoding\": ");
    json_string(&mut entry, info.encoding);
    entry.extend_from_slice(b"\n    }");
    entry
}

/// Appends `s` as a JSON string, as serde_json writes it: a string with nothing to escape (no
/// `"`, `\` or control character below U+0020) in quotes as it is, any other by serde_json.
fn json_string(out: &mut Vec<u8>, s: &str) {
    // Every byte looked at (no early end), which the processor does many at a time.
    let plain = (s.bytes()).fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        // Writing to a Vec cannot fail, and serde_json writes any string.
        out.extend_from_slice(b"\"\"");
    }
}

/// The entries of the manifest's `inputs`, in document order, in an anonymous scratch file
/// (removed by the system when it is dropped, whatever happens to the run).
pub struct InputsSpool {
    file: BufWriter<std::fs::File>,
    entries: u64,
}

impl InputsSpool {
    /// A spool in a scratch file in `dir`.
    pub fn create(dir: &std::path::Path) -> std::io::Result<Self> {
        Ok(InputsSpool {
            file: BufWriter::with_capacity(1 << 16, tempfile::tempfile_in(dir)?),
            entries: 0,
        })
    }

    /// Adds the next document's entry.
    pub fn push(&mut self, entry: &InputEntry) -> std::io::Result<()> {
        // The separator pretty JSON puts before each element of a list.
        let separator: &[u8] = if self.entries == 0 { b"\n" } else { b",\n" };
        self.file.write_all(separator)?;
        self.file.write_all(&entry.json)?;
        self.entries += 1;
        Ok(())
    }

    /// Copies the entries, as [`InputsSpool::append_raw`] takes them, into `out`.
    pub fn copy_to(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        self.file.flush()?;
        let file = self.file.get_mut();
        file.rewind()?;
        std::io::copy(file, out)?;
        file.seek(std::io::SeekFrom::End(0))?;
        Ok(())
    }

    /// Appends `entries` entries copied from another spool ([`InputsSpool::copy_to`]).
    pub fn append_raw(
        &mut self,
        mut from: impl std::io::Read,
        entries: u64,
    ) -> std::io::Result<()> {
        if entries == 0 {
            return Ok(());
        }
        // Each copy starts with the line break before its first entry; a comma joins it to the
        // entries before, as `push` would have.
        if self.entries > 0 {
            self.file.write_all(b",")?;
        }
        std::io::copy(&mut from, &mut self.file)?;
        self.entries += entries;
        Ok(())
    }

    /// How many entries there are.
    pub fn len(&self) -> u64 {
        self.entries
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }
}

/// Writes `manifest` as [`write_manifest`] does, its `inputs` list (empty in `manifest`) taken
/// from `spool`: the manifest is rendered without them, and the spooled entries copied in where
/// serde_json writes the empty list.
pub fn write_manifest_with<W: Write>(
    mut out: W,
    manifest: &Manifest,
    spool: &mut InputsSpool,
) -> std::io::Result<()> {
    let mut text = serde_json::to_vec_pretty(manifest)?;
    text.push(b'\n');
    // The top-level key, the only line at this depth that starts so (a line break in pretty
    // JSON is never inside a string).
    const EMPTY: &[u8] = b"\n  \"inputs\": []";
    let at = match (spool.is_empty(), manifest.inputs.is_empty()) {
        (false, true) => memchr::memmem::find(&text, EMPTY),
        _ => None,
    };
    let Some(at) = at else {
        out.write_all(&text)?;
        return out.flush();
    };
    spool.file.flush()?;
    let file = spool.file.get_mut();
    file.rewind()?;
    let (before, after) = text.split_at(at + EMPTY.len() - 1);
    out.write_all(before)?;
    std::io::copy(file, &mut out)?;
    out.write_all(b"\n  ")?;
    out.write_all(after)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(inputs: Vec<InputInfo>) -> Manifest {
        Manifest {
            tool: "themescope",
            format: FORMAT,
            version: "0",
            arguments: vec!["run".into(), "a \"quoted\"\n  \"inputs\": [] line".into()],
            settings: Settings {
                jobs: 2,
                hits: true,
                tension: true,
                negation: true,
                hyphens: crate::tokenize::Hyphens::Split,
                drop_zeros: false,
            },
            lexicon: LexiconInfo {
                name: "built-in".into(),
                sources: Vec::new(),
                themes: vec!["a".into()],
                contrasts: Vec::new(),
                terms: 1,
                unmatched_terms: Vec::new(),
            },
            inputs,
            tables: Vec::new(),
            counts: CountsInfo {
                documents: 3,
                analysed: 3,
                skipped: 0,
                unreadable_folders: 0,
                tokens: 7,
                sentences: 2,
                paragraphs: 2,
                hits: 1,
            },
            files: vec!["documents.csv".into()],
            skipped: Vec::new(),
            unreadable_folders: Vec::new(),
            warnings: vec!["w".into()],
            timings: Timings {
                load_seconds: 0.5,
                total_seconds: 1.25,
            },
        }
    }

    #[test]
    fn spooled_inputs_give_the_manifest_serde_json_writes() {
        let inputs = |n: usize| -> Vec<InputInfo> {
            (0..n)
                .map(|i| InputInfo {
                    // Ids with what JSON escapes, each on its own, and one with nothing to
                    // escape (DEL is not escaped).
                    id: match i {
                        0 => format!("t.csv#{i} \"é\"\n\t"),
                        1 => "plain/ünïcode 1:1 ~2 \u{7f}".to_string(),
                        2 => "back\\slash".to_string(),
                        3 => "quo\"te".to_string(),
                        4 => "control\u{1}".to_string(),
                        _ => "unit separator\u{1f}".to_string(),
                    },
                    bytes: [100, 0, u64::MAX][i % 3],
                    sha256: crate::checksum::sha256_hex(&[i as u8]),
                    encoding: ["utf-8", "windows-1252"][i % 2],
                })
                .collect()
        };
        let dir = tempfile::tempdir().unwrap();
        for n in [0, 1, 6] {
            let mut whole = Vec::new();
            write_manifest(&mut whole, &manifest(inputs(n))).unwrap();
            let mut spool = InputsSpool::create(dir.path()).unwrap();
            for info in inputs(n) {
                spool.push(&input_entry(&info)).unwrap();
            }
            assert_eq!(spool.len(), n as u64);
            let mut spliced = Vec::new();
            write_manifest_with(&mut spliced, &manifest(Vec::new()), &mut spool).unwrap();
            assert_eq!(
                String::from_utf8(spliced).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        }
    }
}
