//! Orchestration: a validated [`Config`] → a committed result set and a [`RunSummary`].
//!
//! ```text
//! discover ─► jobs ─► worker (on --jobs threads) ─► writer ─► corpus files ─► charts ─► report
//! (corpus)   (whole    (read, tokenize, segment,     (rows in     (terms,        (PNG,     ─► manifest
//!             documents, match, count, render rows)   document     co-occurrence, SVG)      ─► commit
//!             blocks)                                 order;       coverage)
//!                                                     totals +=)
//! ```
//!
//! In: a [`Config`]. Out: every file of the result set, written into a temporary folder inside
//! the output folder and moved into place at the end ([`OutputDir::commit`]), and what the run
//! did. Guarantees: the corpus is streamed (a document is read, analysed, written and dropped;
//! a large one block by block); rows come in document order whatever the thread count; nothing
//! of the previous output changes unless the run succeeds; charts come after every CSV file, so
//! a chart that fails costs nothing else (exit 3).

mod idset;
mod jobs;
mod partial;
mod returns;
mod worker;
mod writer;

pub use partial::merge;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::corpus::{self, DocumentSource};
use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::group::sums::Sums;
use crate::group::Grouping;
use crate::matcher::Matcher;
use crate::output::digest::ExampleRoom;
use crate::output::file::{OutFile, Syncing};
use crate::output::manifest::{self, Manifest};
use crate::output::registry::{self, Corpus, Rows, CSV_FILES};
use crate::output::{chart, report, summary, OutputDir, MANIFEST};
use crate::parallel;
use crate::{Config, RunSummary};

use jobs::{Job, Jobs, Metadata, Share, TablesFound};
use worker::Worker;
use writer::{CorpusWriter, Written};

/// Whether the run is to stop (Ctrl-C).
fn interrupted() -> bool {
    crate::INTERRUPTED.load(Ordering::Relaxed)
}

/// Runs the analysis `config` describes, with the failures the environment injects in a debug
/// build ([`Faults::from_env`]).
pub fn run(config: &Config) -> Result<RunSummary> {
    run_with(config, &Faults::from_env())
}

/// Runs the analysis `config` describes: discovers the documents, analyses them in parallel,
/// writes every file into a fresh result set, then replaces the previous one.
pub fn run_with(config: &Config, faults: &Faults) -> Result<RunSummary> {
    let started = Instant::now();
    // Checked when the command line is read too; a library caller's lexicon is checked here.
    crate::config::check_columns(&config.lexicon)?;
    // A large lexicon's matcher takes tens of milliseconds to build, a large folder about as
    // long to list: the two at once.
    let (matcher, discovered) = std::thread::scope(|scope| {
        match parallel::spawn_in(scope, "matcher", || Matcher::new(&config.lexicon)) {
            Ok(matcher) => {
                let discovered = discover(config);
                let matcher = matcher
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (matcher, discovered)
            }
            // No thread to spare: one after the other.
            Err(_) => (Matcher::new(&config.lexicon), discover(config)),
        }
    });
    let (documents, unreadable_folders) = discovered?;
    let meta = meta_columns(config, &documents)?;
    let shard = partial::select(config, &documents)?;
    let share = match &shard {
        Some(s) => Share {
            documents: &documents[s.portion.documents.clone()],
            windows: &s.portion.windows,
            listing: &documents,
            first: s.portion.documents.start,
        },
        None => Share::whole(&documents),
    };
    let mut out = OutputDir::create_with(&config.output, faults)?;
    out.set_fail_write(faults.write.clone());

    let groups = group_sums(config, &meta.names)?;
    let mut writer = CorpusWriter::open(
        &mut out,
        config,
        &matcher,
        share.documents.len(),
        &meta.header,
        groups,
    )?
    .ordered_from(
        shard
            .as_ref()
            .map_or(0, |s| s.fingerprint.piece.first_position()),
    );
    analyse(config, &matcher, share, &meta, faults, &mut writer)?;
    let found = Found {
        documents: 0,
        unreadable_folders,
    };
    if let Some(shard) = shard {
        let (files, state, _groups, inputs) = writer.finish_part();
        let part = partial::Written {
            shard,
            files,
            state,
            inputs,
            meta: &meta,
            found,
        };
        return partial::write(out, config, part, started);
    }
    let written = writer.finish()?;
    complete(out, config, &matcher, written, found, faults, started)
}

/// The corpus-level outputs of a corpus whose per-document files are `written`: the corpus
/// files, the charts, the report and the manifest; then the new result set replaces the old.
fn complete(
    mut out: OutputDir,
    config: &Config,
    matcher: &Matcher,
    mut written: Written,
    mut found: Found,
    faults: &Faults,
    started: Instant,
) -> Result<RunSummary> {
    // Tables count as their rows.
    found.documents = written.state.totals.documents as usize + written.state.skipped.len();
    let corpus = Corpus {
        lexicon: &config.lexicon,
        matcher,
        totals: &written.state.totals,
        scores: &written.scores,
        grouped: &written.grouped,
    };
    let (corpus_files, too_long) = write_corpus_files(&mut out, config, &corpus)?;

    let chart_set = chart::chart_data(&corpus, &written.state.digest);
    let (charts, failed_charts) = draw_charts(config, faults, &mut out, &chart_set)?;
    write_report(&mut out, &corpus, &written, &charts, &failed_charts, &found)?;
    written.warnings.extend(too_long);

    // The manifest is written once everything it lists is on disk.
    written.wait_on_disk()?;
    for file in corpus_files {
        file.wait()?;
    }
    if interrupted() {
        return Err(Error::Interrupted);
    }
    let manifest = manifest_of(
        config,
        matcher,
        &mut written,
        &failed_charts,
        &out,
        &found,
        started,
    );
    let mut manifest_file = OutFile::open(&mut out, MANIFEST)?;
    manifest::write_manifest_with(&mut manifest_file.writer, &manifest, &mut written.inputs)
        .map_err(|e| Error::output(&manifest_file.path, e))?;
    manifest_file.finish()?;
    out.commit()?;
    Ok(summary_of(
        config,
        manifest,
        written,
        failed_charts,
        chart_set,
        started,
    ))
}

/// What discovery found besides the documents to read: how many there are, and the folders
/// that could not be read (for the report, the manifest and the summary).
pub struct Found {
    documents: usize,
    unreadable_folders: Vec<manifest::FolderInfo>,
}

/// Stage corpus: the documents to read, and the folders inside an INPUT that could not be read
/// (reported here, as a warning each: they are no documents).
fn discover(config: &Config) -> Result<(Vec<DocumentSource>, Vec<manifest::FolderInfo>)> {
    let tables_in_folders = !config.table.text_columns.is_empty();
    let mut discovery =
        corpus::discover_with(&config.inputs, Some(&config.output), tables_in_folders)?;
    if let Some((_, paths)) = &config.files_from {
        discovery =
            corpus::discover_listed(discovery, paths, Some(&config.output), tables_in_folders)?;
    }
    let folders: Vec<manifest::FolderInfo> = discovery
        .unreadable_folders
        .into_iter()
        .map(|folder| {
            let path = corpus::text_of(folder.path.as_os_str()).into_owned();
            crate::messages::warning(format!(
                "cannot read folder {path}: {}; documents in it, if any, are not analysed",
                folder.reason
            ));
            manifest::FolderInfo {
                id: folder.id,
                path,
                reason: folder.reason,
            }
        })
        .collect();
    if discovery.documents.is_empty() {
        let inputs: Vec<String> = config
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(Error::NoDocuments {
            inputs: inputs.join(", "),
            unreadable_folders: folders.len(),
        });
    }
    Ok((discovery.documents, folders))
}

/// Opens every table once to check its columns (a missing text or id column stops the run
/// before anything is written) and gathers the run's metadata columns: the union, in INPUT
/// order, of the tables' own, then those of the `--metadata` table. One that clashes with a
/// column of `documents.csv` is headed `meta_NAME`, with a warning.
fn meta_columns(config: &Config, documents: &[DocumentSource]) -> Result<Metadata> {
    let mut names: Vec<String> = Vec::new();
    for source in documents.iter().filter(|d| d.table) {
        let table = crate::table::TableReader::open(&source.path, &config.table)?;
        for column in table.meta_columns() {
            if !names.contains(column) {
                names.push(column.clone());
            }
        }
    }
    let sidecar = match &config.metadata {
        None => None,
        Some(path) => {
            let table = crate::table::read_sidecar(
                path,
                config.table.id_column.as_deref(),
                config.table.meta_columns.as_deref(),
                config.table.delimiter,
            )?;
            for warning in &table.warnings {
                crate::messages::warning(warning);
            }
            let places = table
                .columns
                .iter()
                .map(|c| match names.iter().position(|n| n == c) {
                    Some(i) => i,
                    None => {
                        names.push(c.clone());
                        names.len() - 1
                    }
                })
                .collect();
            Some(jobs::Sidecar {
                shown: corpus::text_of(path.as_os_str()).into_owned(),
                places,
                rows: table.rows,
            })
        }
    };
    let ours = crate::output::csv::documents_header(&config.lexicon);
    let header = names
        .iter()
        .map(|name| match ours.contains(name) {
            true => {
                crate::messages::warning(format!(
                    "the metadata column {name:?} has the name of a column of documents.csv: it is written as \"meta_{name}\""
                ));
                format!("meta_{name}")
            }
            false => name.clone(),
        })
        .collect();
    Ok(Metadata {
        names,
        header,
        sidecar,
    })
}

/// The `--group-by` groupings resolved against the run's metadata columns, and the
/// `--cluster-by` column: a column that is not there stops the run before anything is written.
fn group_sums(config: &Config, names: &[String]) -> Result<Sums> {
    let groupings = (config.group_by.iter())
        .map(|spec| Grouping::new(spec, names))
        .collect::<std::result::Result<Vec<_>, String>>()
        .map_err(Error::Usage)?;
    let cluster_by = match &config.cluster_by {
        None => None,
        Some(column) => Some(names.iter().position(|n| n == column).ok_or_else(|| {
            let problem = crate::group::no_such_column(column, names);
            Error::Usage(format!("--cluster-by {column:?}: {problem}"))
        })?),
    };
    let lexicon = &config.lexicon;
    Ok(Sums::new(
        groupings,
        cluster_by,
        lexicon.themes.len(),
        lexicon.contrasts.len(),
    ))
}

/// Stages read to count: every document through the workers, in parallel, and into the writer
/// in document order; each document gets cells for the metadata columns.
fn analyse(
    config: &Config,
    matcher: &Matcher,
    share: Share<'_>,
    meta: &Metadata,
    faults: &Faults,
    writer: &mut CorpusWriter<'_>,
) -> Result<()> {
    let found = TablesFound::default();
    let relay = parallel::Relay::default();
    let room = ExampleRoom::new(config.wanted().groups);
    let worker = Worker {
        config,
        matcher,
        relay: &relay,
        faults,
        room: &room,
    };
    // What the writer is done with goes back to the thread that made it (see `returns`).
    let returns = returns::Returns::new(config.jobs);
    let jobs = Jobs::new(share, meta, config, faults, &relay, &found).returning(&returns);
    let (mut done, mut origins) = (Vec::new(), Vec::new());
    parallel::for_each_ordered(
        jobs,
        config.jobs,
        config.jobs * 4,
        |_, job| {
            let home = returns.home();
            // A table's rows come back to this thread; a file's outcome (its rows may take
            // megabytes) is dropped by the writer at once, not kept until this thread's next job.
            let rows = matches!(job, Job::Rows(_));
            // Dropped one before each document: the next finds their memory in the thread's
            // cache, and its summary rows are written in the buffers of the one dropped.
            let mut own = returns.take_own(home);
            let outcomes = worker.work(job, || own.pop().map_or((), returns::Returns::drop_own));
            own.into_iter().for_each(returns::Returns::drop_own);
            (home.filter(|_| rows), outcomes)
        },
        |_, (home, outcomes)| {
            for (doc, origin, mut outcome) in outcomes {
                let accepted = writer.accept(doc, &origin, &mut outcome);
                done.push(outcome);
                origins.push(origin);
                accepted?;
            }
            writer.note_examples(&room);
            returns.give_back(home, &mut done, &mut origins);
            Ok(())
        },
        |message| Error::Threads {
            jobs: config.jobs,
            message,
        },
    )?;
    fn take<T>(m: &std::sync::Mutex<Vec<T>>) -> Vec<T> {
        std::mem::take(&mut *m.lock().unwrap_or_else(|e| e.into_inner()))
    }
    writer.add_tables(take(&found.tables));
    let (sidecar, renamed) =
        std::mem::take(&mut *found.whole_input.lock().unwrap_or_else(|e| e.into_inner()));
    writer.add_whole_input(sidecar, renamed);
    Ok(())
}

/// Writes the corpus-level CSV files of the registry: each file opened in registry order, then
/// its rows rendered straight into it on `--jobs` threads (the group files of a thousand groups
/// take a while; those of a million groups are never held in memory), and each sent on its way
/// to the disk once written (waited for before the manifest is written). Also returns the
/// warnings for those longer than a spreadsheet opens (the group files of many groups).
fn write_corpus_files(
    out: &mut OutputDir,
    config: &Config,
    corpus: &Corpus<'_>,
) -> Result<(Vec<Syncing>, Vec<String>)> {
    let mut files = Vec::new();
    for entry in CSV_FILES.iter().filter(|f| f.written(config.wanted())) {
        if let Rows::Corpus(rows) = entry.rows {
            let mut file = OutFile::open(out, entry.name)?;
            file.header(&entry.columns.header(corpus.lexicon), config.excel)?;
            files.push((entry.name, rows, file));
        }
    }
    let (mut syncing, mut too_long) = (Vec::new(), Vec::new());
    parallel::for_each_ordered(
        files.into_iter(),
        config.jobs,
        2 * config.jobs,
        |_, (name, rows, mut file)| {
            let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut file);
            let written = rows(&mut buffered, corpus)
                .and_then(|()| std::io::Write::flush(&mut buffered).map_err(csv::Error::from));
            drop(buffered);
            (name, file, written)
        },
        |_, (name, file, written)| {
            written.map_err(|e| Error::from_csv(&file.path, e))?;
            too_long.extend(crate::output::file::too_many_rows(name, file.lines()));
            syncing.push(file.finish_in_background()?);
            Ok(())
        },
        |message| Error::Threads {
            jobs: config.jobs,
            message,
        },
    )?;
    Ok((syncing, too_long))
}

/// The charts for the report, and the charts that failed: (file stem, reason).
type DrawnCharts = (Vec<report::ReportChart>, Vec<(String, String)>);

/// Draws every chart (in parallel, each as SVG for the report and as the files `--charts` asks
/// for); returns the report's charts and the charts that failed, with the reason.
fn draw_charts(
    config: &Config,
    faults: &Faults,
    out: &mut OutputDir,
    set: &chart::ChartSet,
) -> Result<DrawnCharts> {
    use rayon::prelude::*;
    if !config.charts.png && !config.charts.svg {
        return Ok((Vec::new(), Vec::new()));
    }
    let planned = chart::plan(set);
    let charts_dir = out.path_for(&format!("{}/x", registry::CHARTS))?;
    let charts_dir = charts_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .build()
        .map_err(|e| Error::Threads {
            jobs: config.jobs,
            message: e.to_string(),
        })?;
    // A file that cannot be written is named as the result set will hold it, not by its
    // place in the temporary folder: "cannot write out/charts/themes.png: No space left on
    // device".
    let write = |file: &str, bytes: &[u8]| {
        std::fs::write(charts_dir.join(file), bytes).map_err(|e| {
            let shown = config.output.join(registry::CHARTS).join(file);
            match crate::error::out_of_files(&e) {
                true => ChartFailed::Run(Error::TooManyOpenFiles { path: shown }),
                false => ChartFailed::Chart(format!("cannot write {}: {e}", shown.display())),
            }
        })
    };
    let results: Vec<std::result::Result<String, ChartFailed>> = pool.install(|| {
        planned
            .par_iter()
            .map(|p| {
                if faults.fails_chart(&p.file) {
                    return Err(ChartFailed::Chart(
                        "failure injected for testing".to_string(),
                    ));
                }
                let mut svg = String::new();
                let mut png = config.charts.png.then(Vec::new);
                chart::render(p, &mut svg, png.as_mut()).map_err(ChartFailed::Chart)?;
                if let Some(png) = png {
                    write(&format!("{}.png", p.file), &png)?;
                }
                if config.charts.svg {
                    write(&format!("{}.svg", p.file), svg.as_bytes())?;
                }
                Ok(svg)
            })
            .collect()
    });
    let mut shown = Vec::new();
    let mut failed = Vec::new();
    for (p, result) in planned.iter().zip(results) {
        match result {
            Ok(svg) => {
                let mut written = Vec::new();
                for (ext, wanted) in [("png", config.charts.png), ("svg", config.charts.svg)] {
                    if wanted {
                        let file = format!("{}/{}.{ext}", registry::CHARTS, p.file);
                        out.adopt(&file)?;
                        written.push(file);
                    }
                }
                shown.push(report::ReportChart {
                    caption: p.caption.clone(),
                    document: p.document().map(str::to_string),
                    file: p.file.clone(),
                    svg,
                    written,
                });
            }
            Err(ChartFailed::Chart(reason)) => failed.push((p.file.clone(), reason)),
            Err(ChartFailed::Run(e)) => return Err(e),
        }
    }
    Ok((shown, failed))
}

/// Why a chart is missing: it could not be drawn or written (the run goes on, exit 3), or the
/// run cannot go on (no more files can be opened).
enum ChartFailed {
    Chart(String),
    Run(Error),
}

/// Writes `report.html`.
fn write_report(
    out: &mut OutputDir,
    corpus: &Corpus<'_>,
    written: &Written,
    charts: &[report::ReportChart],
    failed_charts: &[(String, String)],
    found: &Found,
) -> Result<()> {
    let mut file = OutFile::open(out, registry::REPORT)?;
    let facts = report::RunFacts {
        found: found.documents as u64,
        unreadable_folders: (found.unreadable_folders.iter())
            .map(|f| (f.path.clone(), f.reason.clone()))
            .collect(),
        skipped: (written.state.skipped.iter())
            .map(|s| (s.id.clone(), s.reason.clone()))
            .collect(),
        files: out
            .files()
            .iter()
            .cloned()
            .chain([MANIFEST.to_string()])
            .collect(),
        failed_charts: failed_charts.to_vec(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        metadata: written.state.metadata.clone(),
    };
    let input = report::ReportInput {
        corpus: *corpus,
        digest: &written.state.digest,
        charts,
        facts: &facts,
    };
    report::write_report(&mut file.writer, &input).map_err(|e| Error::output(&file.path, e))?;
    file.finish()
}

/// The manifest of a finished run (the inputs and skipped documents move into it).
fn manifest_of(
    config: &Config,
    matcher: &Matcher,
    written: &mut Written,
    failed_charts: &[(String, String)],
    out: &OutputDir,
    found: &Found,
    started: Instant,
) -> Manifest {
    let lexicon = &config.lexicon;
    let totals = &written.state.totals;
    let c = &totals.counts;
    let mut files = out.files().to_vec();
    files.push(MANIFEST.to_string());
    Manifest {
        tool: "themescope",
        format: manifest::FORMAT,
        version: env!("CARGO_PKG_VERSION"),
        arguments: config.arguments.clone(),
        settings: manifest::Settings {
            jobs: config.jobs,
            hits: config.hits,
            tension: config.tension,
            negation: lexicon.negation.enabled,
            hyphens: lexicon.hyphens(),
            drop_zeros: config.drop_zeros,
        },
        lexicon: manifest::LexiconInfo {
            name: lexicon.name.clone(),
            sources: lexicon.sources.clone(),
            themes: lexicon.themes.iter().map(|t| t.id.clone()).collect(),
            contrasts: lexicon.contrasts.iter().map(|c| c.id.clone()).collect(),
            terms: lexicon.term_count(),
            unmatched_terms: lexicon
                .themes
                .iter()
                .enumerate()
                .map(|(t, theme)| manifest::UnmatchedTerms {
                    theme: theme.id.clone(),
                    terms: (totals.unmatched_terms(matcher, t))
                        .map(|id| matcher.term(id).text.clone())
                        .collect(),
                })
                .filter(|u| !u.terms.is_empty())
                .collect(),
        },
        // Copied in from their scratch file as the manifest is written.
        inputs: Vec::new(),
        tables: (written.state.tables.iter())
            .map(|t| t.info.clone())
            .collect(),
        counts: manifest::CountsInfo {
            documents: found.documents as u64,
            unreadable_folders: found.unreadable_folders.len() as u64,
            analysed: totals.documents,
            skipped: written.state.skipped.len() as u64,
            tokens: c.tokens,
            sentences: c.sentences,
            paragraphs: c.paragraphs,
            hits: totals.hits(),
        },
        files,
        skipped: std::mem::take(&mut written.state.skipped),
        unreadable_folders: found.unreadable_folders.clone(),
        warnings: written
            .warnings
            .iter()
            .cloned()
            .chain(
                failed_charts
                    .iter()
                    .map(|(file, reason)| format!("chart {file} could not be drawn: {reason}")),
            )
            .collect(),
        timings: manifest::Timings {
            load_seconds: config.lexicon_load.as_secs_f64(),
            total_seconds: (config.lexicon_load + started.elapsed()).as_secs_f64(),
        },
    }
}

/// What the run reports to its caller.
fn summary_of(
    config: &Config,
    manifest: Manifest,
    written: Written,
    failed_charts: Vec<(String, String)>,
    charts: chart::ChartSet,
    started: Instant,
) -> RunSummary {
    let lexicon = &config.lexicon;
    RunSummary {
        documents: manifest.counts.documents as usize,
        analysed: manifest.counts.analysed,
        skipped: manifest
            .skipped
            .iter()
            .map(|s| (s.id.clone(), s.reason.clone()))
            .collect(),
        unreadable_folders: manifest
            .unreadable_folders
            .iter()
            .map(|f| (f.path.clone(), f.reason.clone()))
            .collect(),
        warnings: written.warnings,
        output: config.output.clone(),
        files: manifest.files,
        failed_charts,
        charts,
        tokens: manifest.counts.tokens,
        bytes: written.state.bytes,
        elapsed: config.lexicon_load + started.elapsed(),
        contrasts: lexicon
            .contrasts
            .iter()
            .zip(written.scores)
            .map(|(contrast, score)| summary::ContrastLine {
                left: lexicon.themes[contrast.left].label.clone(),
                right: lexicon.themes[contrast.right].label.clone(),
                score,
            })
            .collect(),
        report: Some(config.output.join(registry::REPORT)),
    }
}
