//! Shards and merge: a run over one shard of the input writes a partial result; `merge` joins
//! the partial results of every shard into what one run over the whole input writes.
//!
//! In (shard): the run's documents, listed as every run lists them, and `--shard K/N` (or a
//! list of its own with `--part I`). Out: a partial result set — the per-document files with the shard's rows (headers included, no
//! corpus rows), [`crate::partial::STATE_FILE`] (fingerprint, the run's command line and the
//! shard's [`State`]), [`crate::partial::INPUTS_FILE`] and a manifest.
//! In (merge): the N partial results' folders. Out: the result set of one run.
//!
//! Guarantees: a plain run and a merge reach the corpus-level outputs through the same code
//! ([`super::complete`] from a [`State`]), and a merge's per-document files are the shards'
//! rows in shard order under the header one run writes, so that the result is byte for byte
//! that of one run. A merge refuses, before writing anything, parts that are missing,
//! duplicated, of another run (options, lexicon or input listing), not partial results, or not
//! the files their state lists (changed since, or in the middle of being replaced).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::cli::{Cli, Command, MergeArgs};
use crate::corpus::DocumentSource;
use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::matcher::Matcher;
use crate::output::file::OutFile;
use crate::output::manifest::InputsSpool;
use crate::output::registry::CSV_FILES;
use crate::output::OutputDir;
use crate::partial::{self, Fingerprint, Part, Piece, State, INPUTS_FILE, STATE_FILE};
use crate::shard::{Portion, Shard};
use crate::{Config, RunSummary};

use super::writer::{header_of, DocumentFiles};
use super::Found;

/// The documents of one shard and what identifies the run it is part of.
pub struct Selected {
    /// The shard's documents, a range of the whole listing, and the rows it takes of tables
    /// split by rows.
    pub portion: Portion,
    /// The fingerprint its partial result carries.
    pub fingerprint: Fingerprint,
}

/// The piece of the corpus a partial run analyses (none for a plain run): its shard of the
/// whole listing `documents`, or with `--part` every document of its list.
///
/// An uncompressed CSV, TSV or JSON Lines table is split by rows: each shard it reaches reads
/// it from its start (numbering its rows and making their ids unique as one run does) and
/// analyses the rows that start in its share of the bytes. Other tables go whole to the shard
/// their first byte falls in. A row's id can clash only with the files' ids (which every shard
/// lists) or the ids of its own table's rows before it (which the shard reads): another
/// table's row ids start with that table's own id.
pub fn select(config: &Config, documents: &[DocumentSource]) -> Result<Option<Selected>> {
    let piece = match (config.shard, config.part) {
        (Some(shard), _) => Piece::Shard(shard),
        (None, Some(part)) => Piece::Part(part),
        (None, None) => return Ok(None),
    };
    let sizes: Vec<u64> = (documents.iter())
        .map(|d| std::fs::metadata(&d.path).map_or(0, |m| m.len()))
        .collect();
    let listing = partial::listing_digest(
        (documents.iter().zip(&sizes)).map(|(d, &size)| (d.id.as_str(), size)),
    );
    let split: Vec<bool> = (documents.iter())
        .map(|d| d.table && crate::table::splittable(&d.path))
        .collect();
    let portion = match piece {
        Piece::Shard(shard) => shard.portion(&sizes, &split),
        Piece::Part(_) => Portion {
            documents: 0..documents.len(),
            windows: vec![None; documents.len()],
        },
    };
    Ok(Some(Selected {
        portion,
        fingerprint: Fingerprint {
            options: partial::options_digest(config, metadata_sha256(config)?.as_deref()),
            listing,
            piece,
        },
    }))
}

/// The SHA-256 of the `--metadata` table, if any.
fn metadata_sha256(config: &Config) -> Result<Option<String>> {
    let Some(path) = &config.metadata else {
        return Ok(None);
    };
    let (_, sha) = crate::checksum::sha256_file(path).map_err(|e| Error::Input {
        path: path.clone(),
        source: e,
    })?;
    Ok(Some(sha))
}

/// What a shard's run leaves to write.
pub struct Written<'a, 'm> {
    /// Which shard, and its documents.
    pub shard: Selected,
    /// The per-document files, rows written.
    pub files: DocumentFiles<'a>,
    /// The shard's state.
    pub state: State,
    /// Its documents' manifest entries.
    pub inputs: InputsSpool,
    /// The run's metadata columns.
    pub meta: &'m super::jobs::Metadata,
    /// What discovery found.
    pub found: Found,
}

/// Writes a shard's partial result and commits it.
pub fn write(
    mut out: OutputDir,
    config: &Config,
    mut part: Written<'_, '_>,
    started: Instant,
) -> Result<RunSummary> {
    let documents = part.state.totals.documents;
    let found = documents + part.state.skipped.len() as u64;
    // Printed now, with those about the shard's pieces of tables; those about the whole input
    // come with the merge.
    let tables = part.state.tables.iter().flat_map(|t| t.warnings());
    let warnings = (config.lexicon.warnings.iter())
        .chain(&config.warnings)
        .chain(&part.state.warnings)
        .cloned()
        .chain(tables)
        .collect();
    let (tokens, bytes) = (part.state.totals.counts.tokens, part.state.bytes);
    for file in part.files.close()? {
        file.wait()?;
    }
    let mut inputs = OutFile::open(&mut out, INPUTS_FILE)?;
    (part.inputs)
        .copy_to(&mut inputs.writer)
        .map_err(|e| Error::output(&inputs.path, e))?;
    inputs.finish()?;
    let mut files = Vec::new();
    for name in out.files().to_vec() {
        let path = out.path_for(&name)?;
        let size = std::fs::metadata(&path)
            .map_err(|e| Error::output(&path, e))?
            .len();
        files.push((name, size));
    }
    let state = Part {
        tool: partial::TOOL.to_string(),
        format: partial::FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: part.shard.fingerprint.clone(),
        arguments: config.arguments.clone(),
        unreadable_folders: part.found.unreadable_folders.clone(),
        metadata_sha256: metadata_sha256(config)?,
        meta_names: part.meta.names.clone(),
        meta_header: part.meta.header.clone(),
        inputs: part.inputs.len(),
        files,
        state: part.state,
    };
    let mut file = OutFile::open(&mut out, STATE_FILE)?;
    serde_json::to_writer(&mut file.writer, &state)
        .map_err(|e| Error::output(&file.path, e.into()))?;
    file.finish()?;
    let mut files = out.files().to_vec();
    files.push(crate::output::MANIFEST.to_string());
    let manifest = serde_json::json!({
        "tool": "themescope",
        "format": crate::output::manifest::FORMAT,
        "version": env!("CARGO_PKG_VERSION"),
        "arguments": config.arguments,
        "partial": {"piece": part.shard.fingerprint.piece.to_string(), "documents": documents},
        "files": files,
        "timings": {"total_seconds": (config.lexicon_load + started.elapsed()).as_secs_f64()},
    });
    let mut file = OutFile::open(&mut out, crate::output::MANIFEST)?;
    serde_json::to_writer_pretty(&mut file.writer, &manifest)
        .map_err(|e| Error::output(&file.path, e.into()))?;
    file.finish()?;
    out.commit()?;
    Ok(RunSummary {
        documents: found as usize,
        analysed: documents,
        // A shard's skipped documents were warned about as they came; they make the merge's
        // exit code 2, not the shard's (a scheduler would take a shard that exits 2 for a
        // failed task).
        skipped: Vec::new(),
        unreadable_folders: Vec::new(),
        warnings,
        output: config.output.clone(),
        files,
        failed_charts: Vec::new(),
        charts: Default::default(),
        tokens,
        bytes,
        elapsed: config.lexicon_load + started.elapsed(),
        contrasts: Vec::new(),
        report: None,
    })
}

/// Reads the state file of the partial result in `dir`.
fn read_part(dir: &Path) -> Result<Part> {
    let path = dir.join(STATE_FILE);
    let not_a_part = |why: String| {
        Error::Usage(format!(
            "{} is not a partial result of `themescope run --shard K/N`: {why}",
            dir.display()
        ))
    };
    let file = File::open(&path).map_err(|e| not_a_part(format!("{STATE_FILE}: {e}")))?;
    let part: Part = serde_json::from_reader(BufReader::new(file))
        .map_err(|e| not_a_part(format!("{STATE_FILE}: {e}")))?;
    if part.tool != partial::TOOL || part.format != partial::FORMAT {
        return Err(not_a_part(format!("{STATE_FILE} is of another format")));
    }
    if dir.join(crate::output::transaction::RECORD).exists() {
        return Err(not_a_part(
            "a run into it was stopped in the middle of replacing its files: run that shard again \
             (or any themescope command into the folder, which completes the switch)"
                .to_string(),
        ));
    }
    for (name, size) in &part.files {
        let found = std::fs::metadata(dir.join(name)).map(|m| m.len()).ok();
        if found != Some(*size) {
            return Err(not_a_part(format!(
                "{name} is not the file its {STATE_FILE} describes ({size} bytes; found {}): \
                 it was changed or replaced since; run that shard again",
                found.map_or_else(|| "none".to_string(), |n| format!("{n} bytes"))
            )));
        }
    }
    if part.version != env!("CARGO_PKG_VERSION") {
        return Err(not_a_part(format!(
            "it was written by themescope {}, this is {}: run every shard and the merge with one version",
            part.version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(part)
}

/// The parts in corpus order; an error naming a part that is foreign, given twice or missing.
/// Shards must be all N of one listing; parts (`--part`), 0 to M−1 with lists of their own.
fn check_parts(mut parts: Vec<(PathBuf, Part)>) -> Result<Vec<(PathBuf, Part)>> {
    let refuse = |dir: &Path, why: &str, first: &Path| {
        Err(Error::Usage(format!(
            "{} is {why} than {}: give the pieces of one run",
            dir.display(),
            first.display()
        )))
    };
    let (first_dir, first) = (parts[0].0.clone(), parts[0].1.fingerprint.clone());
    for (dir, part) in &parts {
        let f = &part.fingerprint;
        match (f.piece, first.piece) {
            (Piece::Shard(a), Piece::Shard(b)) if a.count != b.count => {
                return refuse(dir, "of another number of shards", &first_dir)
            }
            (Piece::Shard(_), Piece::Shard(_)) if f.listing != first.listing => {
                return refuse(dir, "of a run over other input", &first_dir)
            }
            (Piece::Shard(_), Piece::Part(_)) | (Piece::Part(_), Piece::Shard(_)) => {
                return refuse(dir, "a piece of another kind (--shard, --part)", &first_dir)
            }
            _ if f.options != first.options => {
                return refuse(dir, "of a run with other options or lexicon", &first_dir)
            }
            _ => {}
        }
    }
    parts.sort_by_key(|(_, p)| p.fingerprint.piece);
    for pair in parts.windows(2) {
        if pair[0].1.fingerprint.piece == pair[1].1.fingerprint.piece {
            return Err(Error::Usage(format!(
                "{} and {} are both {}: give each once",
                pair[0].0.display(),
                pair[1].0.display(),
                pair[0].1.fingerprint.piece
            )));
        }
    }
    let expected: Vec<Piece> = match first.piece {
        Piece::Shard(s) => (0..s.count)
            .map(|index| {
                Piece::Shard(Shard {
                    index,
                    count: s.count,
                })
            })
            .collect(),
        Piece::Part(_) => (0..parts.len() as u32).map(Piece::Part).collect(),
    };
    let missing: Vec<String> = (expected.iter())
        .filter(|piece| !parts.iter().any(|(_, p)| p.fingerprint.piece == **piece))
        .map(Piece::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "{} missing: give every piece of the run",
            missing.join(", ")
        )));
    }
    if let Piece::Part(_) = first.piece {
        disjoint(&parts)?;
    }
    Ok(parts)
}

/// An error when two parts hold a document of the same id (or the same list).
fn disjoint(parts: &[(PathBuf, Part)]) -> Result<()> {
    let mut seen: std::collections::HashMap<String, &Path> = std::collections::HashMap::new();
    for (dir, part) in parts {
        let path = dir.join(INPUTS_FILE);
        let file = File::open(&path).map_err(|e| Error::Input {
            path: path.clone(),
            source: e,
        })?;
        // The entries, a list without its brackets, read for their ids only: a part of a
        // million documents holds 170 MB of entries.
        let list = std::io::Cursor::new("[")
            .chain(BufReader::new(file))
            .chain(std::io::Cursor::new("]"));
        let entries: Vec<IdOf> = serde_json::from_reader(list)
            .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
        let ids = (entries.into_iter())
            .filter_map(|e| e.id.as_str().map(str::to_string))
            .chain(part.state.skipped.iter().map(|s| s.id.clone()));
        for id in ids {
            if let Some(other) = seen.insert(id.clone(), dir) {
                if other != dir.as_path() {
                    return Err(Error::Usage(format!(
                        "{} and {} both hold the document {id:?}: parts must list different documents",
                        other.display(),
                        dir.display()
                    )));
                }
            }
        }
    }
    Ok(())
}

/// What [`disjoint`] reads of an entry of [`INPUTS_FILE`]: its id (a string, or not an id).
#[derive(serde::Deserialize)]
struct IdOf {
    #[serde(default)]
    id: serde_json::Value,
}

/// The configuration of the shards' run, from its command line, writing into the merge's output folder.
fn config_of(part: &Part, args: &MergeArgs) -> Result<Config> {
    use clap::Parser;
    let cli = Cli::try_parse_from(&part.arguments)
        .map_err(|e| Error::Usage(format!("reading the shards' command line: {e}")))?;
    let Command::Run(mut run) = cli.command else {
        return Err(Error::Usage("the shards' command line is not a run".into()));
    };
    // The merge reads no input: not the list of a part either (it may have been standard
    // input).
    (run.files_from, run.part, run.shard) = (None, None, None);
    let mut config = Config::from_run_args(*run, part.arguments.clone())?;
    let (jobs, warning) =
        crate::config::worker_threads(args.common.jobs.map(usize::from), crate::config::cores());
    config.output = args.common.output.clone();
    config.jobs = jobs;
    config.warnings = warning.into_iter().collect();
    config.charts = args.common.charts;
    config.quiet = args.common.quiet;
    config.shard = None;
    config.part = None;
    if partial::options_digest(&config, part.metadata_sha256.as_deref()) != part.fingerprint.options
    {
        return Err(Error::Usage(
            "the options or the lexicon differ from the shards' (a lexicon file changed since \
             they ran?): merge with the lexicon the shards used"
                .to_string(),
        ));
    }
    Ok(config)
}

/// `themescope merge`: checks the parts, then writes what one run over the whole input writes.
pub fn merge(args: &MergeArgs, arguments: Vec<String>) -> Result<RunSummary> {
    let started = Instant::now();
    let mut parts = Vec::with_capacity(args.parts.len());
    for dir in &args.parts {
        parts.push((dir.clone(), read_part(dir)?));
    }
    let mut parts = check_parts(parts)?;
    let mut config = config_of(&parts[0].1, args)?;
    config.arguments = arguments;
    let matcher = Matcher::new(&config.lexicon);
    let meta_header = parts[0].1.meta_header.clone();
    let mut out = OutputDir::create(&config.output)?;
    let mut files = DocumentFiles::open(&mut out, &config, &matcher, &meta_header)?;
    let mut inputs =
        InputsSpool::create(out.scratch_dir()).map_err(|e| Error::output(out.scratch_dir(), e))?;
    let lexicon = &config.lexicon;
    // Each per-document file's header as one run writes it: every part's must be the same.
    let mut headers = Vec::new();
    for entry in CSV_FILES
        .iter()
        .filter(|f| files.names().any(|n| n == f.name))
    {
        let mut header = Vec::new();
        if config.excel {
            header.extend_from_slice("\u{FEFF}".as_bytes());
        }
        crate::output::csv::header(&mut header, &header_of(entry, lexicon, &meta_header))
            .map_err(|e| Error::from_csv(config.output.join(entry.name), e))?;
        headers.push((entry.name, header));
    }
    let mut state = State::new(matcher.terms().len(), &meta_header);
    for (dir, part) in parts.iter_mut() {
        if super::interrupted() {
            return Err(Error::Interrupted);
        }
        append_part(dir, part, &headers, &mut files, &mut inputs)?;
        state.append(std::mem::take(&mut part.state));
    }
    let warnings = (lexicon.warnings.iter())
        .chain(&config.warnings)
        .cloned()
        .collect();
    let groups = super::group_sums(&config, &parts[0].1.meta_names)?;
    let written = files.finish(state, groups, inputs, warnings)?;
    let found = Found {
        documents: 0,
        unreadable_folders: parts[0].1.unreadable_folders.clone(),
    };
    super::complete(
        out,
        &config,
        &matcher,
        written,
        found,
        &Faults::default(),
        started,
    )
}

/// Appends the part in `dir` to the merged result: its rows of each per-document file (after
/// the header in `headers`) and its manifest entries.
fn append_part(
    dir: &Path,
    part: &Part,
    headers: &[(&'static str, Vec<u8>)],
    files: &mut DocumentFiles<'_>,
    inputs: &mut InputsSpool,
) -> Result<()> {
    for (name, header) in headers {
        let mut rows = part_rows(dir, name, header)?;
        files.append(name, &mut rows)?;
    }
    let path = dir.join(INPUTS_FILE);
    let file = File::open(&path).map_err(|e| Error::Input {
        path: path.clone(),
        source: e,
    })?;
    (inputs.append_raw(BufReader::new(file), part.inputs))
        .map_err(|e| Error::Input { path, source: e })
}

/// The rows of the part's file `name` in `dir`: its bytes after `header`, which it must start
/// with.
fn part_rows(dir: &Path, name: &str, header: &[u8]) -> Result<impl Read> {
    let path = dir.join(name);
    let file = File::open(&path).map_err(|e| Error::Input {
        path: path.clone(),
        source: e,
    })?;
    let mut reader = BufReader::new(file);
    let mut start = vec![0u8; header.len()];
    let read = reader.read_exact(&mut start);
    if read.is_err() || start != header {
        return Err(Error::Usage(format!(
            "{} does not start with the header this merge writes: the part is damaged or of \
             another run",
            path.display()
        )));
    }
    Ok(reader)
}
