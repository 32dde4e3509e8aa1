//! themescope: count themes (lexicon categories) and score two-pole contrasts across a corpus.
//!
//! ```text
//! inputs ─► corpus ─► tokenize ─► segment ─► matcher ─► count ─► score ─► output
//!           (discover,  (UAX #29    (paragraphs, (words, prefix*, (integers (rates,   (CSV,
//!            validate,   words,      sentences)   phrases;         that      contrasts, manifest)
//!            decode)     normalise)               negation)        add)      intervals)
//! ```
//!
//! Documents are analysed in parallel and streamed: each is read, analysed and rendered to CSV
//! rows on a worker thread, then written in document order and dropped, so the corpus is never
//! held in memory at once ([`parallel`]). Counts are integers; every float is computed from them
//! per document or, for corpus rows, once at the end in a fixed order, so the CSV files are
//! byte-identical whatever the number of threads.
//!
//! [`run`] reads as the stage list.
//!
//! # Example
//!
//! ```
//! use themescope::count::analyse;
//! use themescope::lexicon::Lexicon;
//! use themescope::matcher::Matcher;
//!
//! let lexicon = Lexicon::builtin()?;
//! let matcher = Matcher::new(&lexicon);
//! let analysis = analyse("It’s a city of both hardship and pride.", &matcher, &lexicon.contrasts);
//! let hardship_vs_pride = &analysis.counts.contrasts[0];
//! assert_eq!((hardship_vs_pride.left.hits, hardship_vs_pride.right.hits), (1, 1));
//! assert_eq!(hardship_vs_pride.tension_sentences, 1);
//! # Ok::<(), themescope::Error>(())
//! ```
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod assemble;
pub mod cli;
pub mod config;
pub mod corpus;
pub mod count;
pub mod error;
pub mod lexicon;
pub mod matcher;
pub mod output;
pub mod parallel;
pub mod score;
pub mod segment;
pub mod tokenize;

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use config::Config;
pub use error::{Error, Result};

use corpus::{DocumentSource, SkipReason};
use count::{Cooccurrence, Counts};
use matcher::Matcher;
use output::csv::{self as csv_out, CorpusTotals, DocumentRows, RenderOptions};
use output::manifest::{self, Manifest};
use output::OutputDir;
use output::{chart, digest, report};
use segment::SegmentMode;

/// Set (by the binary's Ctrl-C handler) to stop a run: it ends with [`Error::Interrupted`]
/// after the documents in progress, leaving the previous output as it was.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// What a finished run reports.
#[derive(Debug)]
pub struct RunSummary {
    /// Documents found.
    pub documents: usize,
    /// Documents analysed and written.
    pub analysed: u64,
    /// Skipped documents: (id, reason).
    pub skipped: Vec<(String, String)>,
    /// Lexicon and run warnings.
    pub warnings: Vec<String>,
    /// The output folder.
    pub output: PathBuf,
    /// The files written, relative to the output folder.
    pub files: Vec<String>,
    /// Charts that could not be drawn: (file stem, reason).
    pub failed_charts: Vec<(String, String)>,
    /// The data behind the charts.
    pub charts: chart::ChartSet,
    /// Tokens in the analysed documents.
    pub tokens: u64,
    /// Bytes of the analysed documents, as read.
    pub bytes: u64,
    /// Wall time of the run, from discovery to the committed output.
    pub elapsed: Duration,
    /// Each contrast's corpus score, in lexicon order.
    pub contrasts: Vec<output::summary::ContrastLine>,
    /// The report's path, when one was written.
    pub report: Option<PathBuf>,
}

/// What a worker hands on for an analysed document: its rendered rows and its integer totals.
struct Analysed {
    digest: digest::DocDigest,
    rows: DocumentRows,
    counts: Counts,
    term_counts: Vec<count::TermCount>,
    cooccurrence: Cooccurrence,
    bytes: u64,
    sha256: String,
    encoding: &'static str,
}

/// One document's result, or one block's, made on a worker thread.
enum Outcome {
    Analysed(Box<Analysed>),
    Block(Box<assemble::BlockResult>),
    Skipped(SkipReason),
    /// A large document that could not be read after some of it was (the run stops).
    BrokenPartWay(SkipReason),
    /// The block before this one gave up (the run is stopping).
    Abandoned,
    Failed(csv::Error),
}

/// A unit of work: a whole document, or one block of a large one.
enum Job<'r> {
    Whole(usize),
    Block(Box<assemble::BlockJob<'r>>),
    Unreadable {
        doc: usize,
        reason: SkipReason,
        part_way: bool,
    },
}

/// A large document being cut into blocks.
struct OpenDocument {
    doc: usize,
    reader: corpus::blocks::BlockReader,
    blank_lines: bool,
    plan: Option<std::sync::Arc<segment::SegmentPlan>>,
    prescan: Option<corpus::blocks::Prescan>,
    prev: Option<u64>,
}

/// The jobs of a run, in order: documents up to `--block-size` whole (read by the worker), larger
/// ones block by block (read here, on the reader thread of [`parallel::for_each_ordered`], a few
/// blocks ahead of the workers).
struct Jobs<'a, 'r> {
    documents: &'a [DocumentSource],
    config: &'a Config,
    relay: &'r parallel::Relay<segment::BlockStart>,
    next_doc: usize,
    open: Option<OpenDocument>,
    key: u64,
}

impl<'r> Jobs<'_, 'r> {
    /// Prescans a large document and, for `words:N` and `parts:N` segments, reads it once more
    /// to place the segment starts (they depend on the whole text).
    fn open(&self, doc: usize) -> std::result::Result<OpenDocument, SkipReason> {
        use segment::SegmentMode;
        let path = &self.documents[doc].path;
        let size = self.config.block_size;
        let prescan = corpus::blocks::prescan(path, self.config.encoding, self.config.jobs)?;
        let mut plan = segment::PlanBuilder::new(self.config.segment);
        if plan.needs_whole_text() {
            let mut reader = corpus::blocks::BlockReader::open(path, &prescan, size)?;
            while let Some(block) = reader.next_block()? {
                let found = tokenize::tokenize(block.body());
                let structure = plan.needs_sentences().then(|| {
                    segment::segment_with(block.body(), &found, Some(prescan.blank_lines))
                });
                plan.add(found.len(), structure.as_ref());
            }
        }
        let plan = (self.config.segment != SegmentMode::None).then(|| plan.finish());
        Ok(OpenDocument {
            doc,
            reader: corpus::blocks::BlockReader::open(path, &prescan, size)?,
            blank_lines: prescan.blank_lines,
            plan: plan.map(std::sync::Arc::new),
            prescan: Some(prescan),
            prev: None,
        })
    }
}

impl<'r> Iterator for Jobs<'_, 'r> {
    type Item = Job<'r>;

    fn next(&mut self) -> Option<Job<'r>> {
        loop {
            if let Some(open) = self.open.as_mut() {
                let doc = open.doc;
                match open.reader.next_block() {
                    Ok(Some(block)) => {
                        let key = self.key;
                        self.key += 1;
                        let last = block.last;
                        let job = assemble::BlockJob {
                            doc,
                            blank_lines: open.blank_lines,
                            plan: open.plan.clone(),
                            prev: open.prev.replace(key),
                            baton: (!last).then(|| self.relay.baton(key)),
                            prescan: open.prescan.take(),
                            block,
                        };
                        if last {
                            self.open = None;
                        }
                        return Some(Job::Block(Box::new(job)));
                    }
                    Ok(None) => self.open = None,
                    Err(reason) => {
                        let part_way = open.prev.is_some();
                        self.open = None;
                        return Some(Job::Unreadable {
                            doc,
                            reason,
                            part_way,
                        });
                    }
                }
                continue;
            }
            let doc = self.next_doc;
            let source = self.documents.get(doc)?;
            self.next_doc += 1;
            let large = std::fs::metadata(&source.path)
                .is_ok_and(|m| m.len() > self.config.block_size as u64);
            if !large || self.config.fail_read.as_deref() == Some(source.id.as_str()) {
                return Some(Job::Whole(doc));
            }
            match self.open(doc) {
                Ok(open) => self.open = Some(open),
                Err(reason) => {
                    return Some(Job::Unreadable {
                        doc,
                        reason,
                        part_way: false,
                    })
                }
            }
        }
    }
}

/// Lets a streaming writer (a large document's trajectory rows) write through an [`OutFile`].
impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        OutFile::write(self, buf).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// Reads, analyses and renders one document (runs on a worker thread).
fn process_document(source: &DocumentSource, config: &Config, matcher: &Matcher) -> Outcome {
    if config.fail_read.as_deref() == Some(source.id.as_str()) {
        return Outcome::Skipped(SkipReason::Unreadable(
            "read error injected for testing".to_string(),
        ));
    }
    let document = match corpus::read_document(source, config.encoding) {
        Ok(d) => d,
        Err(reason) => return Outcome::Skipped(reason),
    };
    let lexicon = &config.lexicon;
    let (text, id) = (&document.text, &source.id);
    let analysis = count::analyse(text, matcher, &lexicon.contrasts);
    let layout = count::segment_layout(
        text,
        &analysis,
        &lexicon.contrasts,
        lexicon.themes.len(),
        config.segment,
    );
    let options = RenderOptions {
        hits: config.hits,
        layout: layout.as_ref(),
    };
    match csv_out::render_document(id, text, &analysis, lexicon, matcher, &options) {
        Ok((rows, series)) => Outcome::Analysed(Box::new(Analysed {
            digest: digest::digest_document(
                id,
                text,
                &analysis,
                &lexicon.contrasts,
                lexicon.themes.len(),
                series,
            ),
            rows,
            counts: analysis.counts,
            term_counts: analysis.term_counts,
            cooccurrence: analysis.cooccurrence,
            bytes: document.bytes,
            sha256: document.sha256,
            encoding: document.encoding,
        })),
        Err(e) => Outcome::Failed(e),
    }
}

/// An open output file with its name, for messages.
struct OutFile {
    name: &'static str,
    path: PathBuf,
    writer: BufWriter<File>,
    /// Test seam: writes left before an injected write error.
    fail_in: Option<usize>,
    /// Bytes written since the last early sync began.
    unsynced: u64,
    /// Bytes to write between early syncs ([`EARLY_SYNC_BYTES`]; less in tests).
    sync_every: u64,
    /// An early sync under way (see [`OutFile::start_early_sync`]).
    early_sync: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

/// Bytes written to a file between early syncs.
const EARLY_SYNC_BYTES: u64 = 64 << 20;

impl OutFile {
    fn open(out: &mut OutputDir, name: &'static str) -> Result<OutFile> {
        Ok(OutFile {
            name,
            path: out.root().join(name),
            writer: out.create_file(name)?,
            // The second write fails: part way through the file, after its header.
            fail_in: (out.fail_write() == Some(name)).then_some(2),
            unsynced: 0,
            sync_every: EARLY_SYNC_BYTES,
            early_sync: None,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        if let Some(left) = self.fail_in.as_mut() {
            *left -= 1;
            if *left == 0 {
                return Err(Error::output(
                    &self.path,
                    std::io::Error::other("write error injected for testing"),
                ));
            }
        }
        self.writer
            .write_all(bytes)
            .map_err(|e| Error::output(&self.path, e))?;
        self.unsynced += bytes.len() as u64;
        if self.unsynced >= self.sync_every {
            self.start_early_sync()?;
        }
        Ok(())
    }

    /// Starts the disk writing what the file holds so far, on a thread of its own (unless the
    /// previous early sync is still at work): a file of hundreds of megabytes then reaches the
    /// disk while the run goes on, and its final sync has only the last part left to write.
    fn start_early_sync(&mut self) -> Result<()> {
        if self.early_sync.as_ref().is_some_and(|h| !h.is_finished()) {
            return Ok(());
        }
        if let Some(handle) = self.early_sync.take() {
            join_sync(handle, &self.path)?;
        }
        self.writer
            .flush()
            .map_err(|e| Error::output(&self.path, e))?;
        let file = self
            .writer
            .get_ref()
            .try_clone()
            .map_err(|e| Error::output(&self.path, e))?;
        self.early_sync = Some(std::thread::spawn(move || file.sync_data()));
        self.unsynced = 0;
        Ok(())
    }

    /// Writes the header row, after a UTF-8 byte-order mark when `excel` (so that Excel reads
    /// the file as UTF-8).
    fn header<S: AsRef<[u8]>>(&mut self, columns: &[S], excel: bool) -> Result<()> {
        if excel {
            self.write("\u{FEFF}".as_bytes())?;
        }
        let path = self.path.clone();
        csv_out::header(&mut self.writer, columns).map_err(|e| csv_error(path, e))
    }

    fn finish(self) -> Result<()> {
        self.finish_in_background()?.wait()
    }

    /// Flushes the file now and makes it durable (`sync_all`) on a thread of its own: the large
    /// per-document files take seconds to reach the disk, and the run goes on meanwhile.
    fn finish_in_background(self) -> Result<Syncing> {
        let path = self.path;
        let file = self
            .writer
            .into_inner()
            .map_err(|e| Error::output(&path, e.into_error()))?;
        let early = self.early_sync;
        Ok(Syncing {
            handle: std::thread::spawn(move || {
                // An error of the early sync is reported (a later sync may not see it again).
                if let Some(early) = early {
                    early
                        .join()
                        .map_err(|_| std::io::Error::other("syncing the file to disk failed"))??;
                }
                file.sync_all()
            }),
            path,
        })
    }
}

/// A complete output file on its way to the disk (see [`OutFile::finish_in_background`]).
struct Syncing {
    path: PathBuf,
    handle: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Syncing {
    /// Waits until the file is on disk.
    fn wait(self) -> Result<()> {
        join_sync(self.handle, &self.path)
    }
}

/// Waits for a thread syncing the file at `path` and passes on its error.
fn join_sync(handle: std::thread::JoinHandle<std::io::Result<()>>, path: &Path) -> Result<()> {
    match handle.join() {
        Ok(result) => result.map_err(|e| Error::output(path, e)),
        Err(_) => Err(Error::output(
            path,
            std::io::Error::other("syncing the file to disk failed"),
        )),
    }
}

/// Theme and contrast ids become `documents.csv` column names: no two may coincide.
fn check_columns(lexicon: &lexicon::Lexicon) -> Result<()> {
    let header = csv_out::documents_header(lexicon);
    for (i, column) in header.iter().enumerate() {
        if header[..i].contains(column) {
            return Err(Error::lexicon(
                lexicon.sources.first().map_or("lexicon", |s| s.path.as_str()),
                None,
                format!(
                    "the theme ids give documents.csv two columns named {column:?}: rename a theme (ids must differ from document, tokens, sentences and paragraphs, and from another id plus _pct or _balance)"
                ),
            ));
        }
    }
    Ok(())
}

/// The charts for the report, and the charts that failed: (file stem, reason).
type DrawnCharts = (Vec<report::ReportChart>, Vec<(String, String)>);

/// Draws every chart (in parallel, each as SVG for the report and as the files `--charts` asks
/// for); returns the report's charts and the charts that failed, with the reason.
fn draw_charts(config: &Config, out: &mut OutputDir, set: &chart::ChartSet) -> Result<DrawnCharts> {
    use rayon::prelude::*;
    if !config.charts.png && !config.charts.svg {
        return Ok((Vec::new(), Vec::new()));
    }
    let planned = chart::plan(set);
    let charts_dir = out.path_for("charts/x")?;
    let charts_dir = charts_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(config.jobs)
        .build()
        .map_err(|e| Error::Usage(format!("cannot start {} threads: {e}", config.jobs)))?;
    let results: Vec<std::result::Result<String, String>> = pool.install(|| {
        planned
            .par_iter()
            .map(|p| {
                if config.fail_chart.as_deref() == Some(p.file.as_str()) {
                    return Err("failure injected for testing".to_string());
                }
                let mut svg = String::new();
                let png = config
                    .charts
                    .png
                    .then(|| charts_dir.join(format!("{}.png", p.file)));
                chart::render(p, &mut svg, png.as_deref())?;
                if config.charts.svg {
                    std::fs::write(charts_dir.join(format!("{}.svg", p.file)), &svg)
                        .map_err(|e| e.to_string())?;
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
                        let file = format!("charts/{}.{ext}", p.file);
                        out.adopt(&file)?;
                        written.push(file);
                    }
                }
                shown.push(report::ReportChart {
                    caption: p.caption.clone(),
                    file: p.file.clone(),
                    svg,
                    written,
                });
            }
            Err(reason) => {
                eprintln!("error: chart {} failed: {reason}", p.file);
                failed.push((p.file.clone(), reason));
            }
        }
    }
    Ok((shown, failed))
}

/// Writes a corpus-level CSV file: its header, then the rows `rows` renders.
fn write_corpus_file(
    out: &mut OutputDir,
    name: &'static str,
    excel: bool,
    header: &[&str],
    rows: impl FnOnce(&mut Vec<u8>) -> csv::Result<()>,
) -> Result<()> {
    let mut file = OutFile::open(out, name)?;
    file.header(header, excel)?;
    let mut bytes = Vec::new();
    rows(&mut bytes).map_err(|e| csv_error(file.path.clone(), e))?;
    file.write(&bytes)?;
    file.finish()
}

fn csv_error(path: PathBuf, e: csv::Error) -> Error {
    let io = match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::output(path, io)
}

fn progress_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} documents ({eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Runs the analysis `config` describes: discovers the documents, analyses them in parallel,
/// writes every CSV file and the manifest into a fresh result set, then replaces the previous
/// one. On error nothing of the previous output is changed.
pub fn run(config: &Config) -> Result<RunSummary> {
    let started = Instant::now();
    let lexicon = &config.lexicon;
    check_columns(lexicon)?;
    let matcher = Matcher::new(lexicon);
    let mut warnings: Vec<String> = lexicon.warnings.clone();

    let discovery = corpus::discover_documents(&config.inputs, Some(&config.output))?;
    let documents = discovery.documents;
    let mut skipped = Vec::new();
    for problem in discovery.problems {
        eprintln!(
            "warning: skipped {}: {}",
            problem.path.display(),
            problem.reason
        );
        skipped.push(manifest::SkippedInfo {
            id: problem.id,
            path: problem.path.display().to_string(),
            reason: problem.reason.to_string(),
        });
    }
    // Everything found, readable or not.
    let found = documents.len() + skipped.len();
    if documents.is_empty() && !skipped.is_empty() {
        return Err(Error::NoReadableDocument {
            skipped: skipped.len(),
        });
    }
    if documents.is_empty() {
        let inputs: Vec<String> = config
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(Error::NoDocuments {
            inputs: inputs.join(", "),
        });
    }

    let mut out = OutputDir::create(&config.output)?;
    out.set_fail_write(config.fail_write.clone());
    // The per-document files, in the order rows are appended: name, header, rows.
    type Rows = fn(&DocumentRows) -> &[u8];
    let documents_header = csv_out::documents_header(lexicon);
    let mut per_document: Vec<(&str, Vec<&str>, Rows)> = vec![
        (
            "documents.csv",
            documents_header.iter().map(String::as_str).collect(),
            |r| &r.documents,
        ),
        ("themes.csv", csv_out::THEMES.to_vec(), |r| &r.themes),
        ("contrasts.csv", csv_out::CONTRASTS.to_vec(), |r| {
            &r.contrasts
        }),
        ("tension.csv", csv_out::TENSION.to_vec(), |r| &r.tension),
    ];
    if config.hits {
        per_document.push(("hits.csv", csv_out::HITS.to_vec(), |r| &r.hits));
    }
    if config.segment != SegmentMode::None {
        per_document.push(("segments.csv", csv_out::SEGMENTS.to_vec(), |r| &r.segments));
        per_document.push((
            "segment_themes.csv",
            csv_out::SEGMENT_THEMES.to_vec(),
            |r| &r.segment_themes,
        ));
        per_document.push(("trajectory.csv", csv_out::TRAJECTORY.to_vec(), |r| {
            &r.trajectory
        }));
    }
    let mut files: Vec<(OutFile, Rows)> = Vec::with_capacity(per_document.len());
    for (name, header, rows) in per_document {
        let mut file = OutFile::open(&mut out, name)?;
        file.header(&header, config.excel)?;
        files.push((file, rows));
    }

    let mut totals = CorpusTotals::new(matcher.terms().len(), lexicon.contrasts.len());
    let mut digest = digest::Digest::default();
    let mut inputs = Vec::new();
    let bar = progress_bar(documents.len());
    let show_bar = !config.quiet && std::io::stderr().is_terminal();

    let relay = parallel::Relay::default();
    let jobs = Jobs {
        documents: &documents,
        config,
        relay: &relay,
        next_doc: 0,
        open: None,
        key: 0,
    };
    let mut assembly: Option<assemble::Assembly> = None;
    let wanted = |name: &str| files.iter().position(|(f, _)| f.name == name);
    let trajectory_file = wanted("trajectory.csv");
    parallel::for_each_ordered(
        jobs,
        config.jobs,
        config.jobs * 4,
        |_, job| match job {
            Job::Whole(doc) => {
                if interrupted() {
                    return (doc, Outcome::Abandoned);
                }
                (doc, process_document(&documents[doc], config, &matcher))
            }
            Job::Block(job) => {
                let doc = job.doc;
                if interrupted() {
                    return (doc, Outcome::Abandoned);
                }
                let id = &documents[doc].id;
                let outcome =
                    match assemble::analyse_block(*job, id, &relay, &matcher, lexicon, config.hits)
                    {
                        None => Outcome::Abandoned,
                        Some(Ok(block)) => Outcome::Block(Box::new(block)),
                        Some(Err(e)) => Outcome::Failed(e),
                    };
                (doc, outcome)
            }
            Job::Unreadable {
                doc,
                reason,
                part_way,
            } => (
                doc,
                if part_way {
                    Outcome::BrokenPartWay(reason)
                } else {
                    Outcome::Skipped(reason)
                },
            ),
        },
        |_, (i, outcome)| {
            if interrupted() {
                return Err(Error::Interrupted);
            }
            let source = &documents[i];
            match outcome {
                Outcome::Analysed(doc) => {
                    let doc = *doc;
                    for (file, select) in files.iter_mut() {
                        file.write(select(&doc.rows))?;
                    }
                    totals.add(&doc.counts, &doc.term_counts, &doc.cooccurrence);
                    digest.add(i, &source.id, doc.digest);
                    inputs.push(manifest::InputInfo {
                        id: source.id.clone(),
                        bytes: doc.bytes,
                        sha256: doc.sha256,
                        encoding: doc.encoding,
                    });
                }
                Outcome::Block(block) => {
                    let output_error = |e| csv_error(config.output.clone(), e);
                    if block.number == 0 {
                        let scratch = (config.segment != SegmentMode::None)
                            .then(|| out.scratch_dir().to_path_buf());
                        assembly = Some(
                            assemble::Assembly::new(
                                &source.id,
                                lexicon,
                                &matcher,
                                scratch.as_deref(),
                            )
                            .map_err(output_error)?,
                        );
                    }
                    let Some(asm) = assembly.as_mut() else {
                        return Err(Error::Usage(format!(
                            "{}: a block came before the document's first",
                            source.id
                        )));
                    };
                    let last = block.last;
                    let rows = asm.add(*block).map_err(output_error)?;
                    for (file, select) in files.iter_mut() {
                        file.write(select(&rows))?;
                    }
                    if !last {
                        return Ok(());
                    }
                    let Some(asm) = assembly.take() else {
                        return Ok(());
                    };
                    let prescan = asm.prescan.clone();
                    let sha256 = asm.sha256.clone().unwrap_or_default();
                    if asm.forced {
                        let warning = format!(
                            "{}: a paragraph longer than {} bytes was cut for reading; sentences and phrases across the cut count as two",
                            source.id,
                            corpus::blocks::max_block(config.block_size)
                        );
                        warnings.push(warning);
                    }
                    let finished = match trajectory_file {
                        Some(t) => {
                            let path = files[t].0.path.clone();
                            asm.finish(
                                &source.id,
                                lexicon,
                                &matcher,
                                Some(&mut files[t].0),
                                config.jobs,
                            )
                            .map_err(|e| csv_error(path, e))?
                        }
                        None => asm
                            .finish(&source.id, lexicon, &matcher, None::<&mut OutFile>, 1)
                            .map_err(output_error)?,
                    };
                    for (file, select) in files.iter_mut() {
                        file.write(select(&finished.rows))?;
                    }
                    totals.add(
                        &finished.counts,
                        &finished.term_counts,
                        &finished.cooccurrence,
                    );
                    digest.add(i, &source.id, finished.digest);
                    if let Some(p) = prescan {
                        inputs.push(manifest::InputInfo {
                            id: source.id.clone(),
                            bytes: p.bytes,
                            sha256,
                            encoding: p.encoding,
                        });
                    }
                }
                Outcome::Skipped(reason) => {
                    bar.suspend(|| {
                        eprintln!("warning: skipped {}: {reason}", source.path.display())
                    });
                    skipped.push(manifest::SkippedInfo {
                        id: source.id.clone(),
                        path: source.path.display().to_string(),
                        reason: reason.to_string(),
                    });
                }
                Outcome::BrokenPartWay(reason) => {
                    return Err(Error::Input {
                        path: source.path.clone(),
                        source: std::io::Error::other(format!(
                            "{reason}, part way through; nothing was written"
                        )),
                    })
                }
                Outcome::Abandoned => return Err(Error::Interrupted),
                Outcome::Failed(e) => return Err(csv_error(config.output.clone(), e)),
            }
            if show_bar && bar.is_hidden() && started.elapsed() > Duration::from_secs(1) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
            }
            bar.inc(1);
            Ok(())
        },
        |e| Error::Usage(format!("cannot start {} worker threads: {e}", config.jobs)),
    )?;
    bar.finish_and_clear();

    if totals.documents == 0 {
        return Err(Error::NoReadableDocument {
            skipped: skipped.len(),
        });
    }

    // Corpus rows close contrasts.csv (the third file); then the corpus-level files.
    let mut corpus_rows = Vec::new();
    csv_out::write_corpus_contrasts(&mut corpus_rows, lexicon, &totals)
        .map_err(|e| csv_error(files[2].0.path.clone(), e))?;
    files[2].0.write(&corpus_rows)?;
    let syncing = files
        .into_iter()
        .map(|(file, _)| file.finish_in_background())
        .collect::<Result<Vec<Syncing>>>()?;
    write_corpus_file(&mut out, "terms.csv", config.excel, csv_out::TERMS, |w| {
        csv_out::write_terms(w, lexicon, &matcher, &totals)
    })?;
    write_corpus_file(
        &mut out,
        "cooccurrence.csv",
        config.excel,
        csv_out::COOCCURRENCE,
        |w| csv_out::write_cooccurrence(w, lexicon, &totals),
    )?;
    write_corpus_file(
        &mut out,
        "lexicon_coverage.csv",
        config.excel,
        csv_out::COVERAGE,
        |w| csv_out::write_coverage(w, lexicon, &matcher, &totals),
    )?;

    // Charts come after every CSV file is complete: a chart that fails is reported (exit 3)
    // and costs nothing else.
    let chart_set = chart::chart_data(lexicon, &matcher, &totals, &digest);
    let (report_charts, failed_charts) = draw_charts(config, &mut out, &chart_set)?;
    let mut report_file = OutFile::open(&mut out, "report.html")?;
    let facts = report::RunFacts {
        found: found as u64,
        skipped: skipped
            .iter()
            .map(|s| (s.id.clone(), s.reason.clone()))
            .collect(),
        files: out
            .files()
            .iter()
            .cloned()
            .chain([output::MANIFEST.to_string()])
            .collect(),
        failed_charts: failed_charts.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    report::write_report(
        &mut report_file.writer,
        lexicon,
        &matcher,
        &totals,
        &digest,
        &report_charts,
        &facts,
    )
    .map_err(|e| Error::output(&report_file.path, e))?;
    report_file.finish()?;
    warnings.extend(
        failed_charts
            .iter()
            .map(|(file, reason)| format!("chart {file} could not be drawn: {reason}")),
    );

    // The manifest is written once everything it lists is on disk.
    for file in syncing {
        file.wait()?;
    }
    if interrupted() {
        return Err(Error::Interrupted);
    }
    let mut files = out.files().to_vec();
    files.push(output::MANIFEST.to_string());
    let c = &totals.counts;
    let m = Manifest {
        tool: "themescope",
        version: env!("CARGO_PKG_VERSION"),
        arguments: config.arguments.clone(),
        settings: manifest::Settings {
            jobs: config.jobs,
            hits: config.hits,
            negation: lexicon.negation.enabled,
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
                    terms: matcher
                        .theme_terms(t)
                        .filter(|&id| totals.terms[id as usize].hits == 0)
                        .map(|id| matcher.term(id).text.clone())
                        .collect(),
                })
                .filter(|u| !u.terms.is_empty())
                .collect(),
        },
        inputs,
        counts: manifest::CountsInfo {
            documents: found as u64,
            analysed: totals.documents,
            skipped: skipped.len() as u64,
            tokens: c.tokens,
            sentences: c.sentences,
            paragraphs: c.paragraphs,
            hits: totals.hits(),
        },
        files: files.clone(),
        skipped,
        warnings: warnings.clone(),
        timings: manifest::Timings {
            total_seconds: started.elapsed().as_secs_f64(),
        },
    };
    let mut manifest_file = OutFile::open(&mut out, output::MANIFEST)?;
    manifest::write_manifest(&mut manifest_file.writer, &m)
        .map_err(|e| Error::output(&manifest_file.path, e))?;
    manifest_file.finish()?;
    out.commit()?;

    Ok(RunSummary {
        documents: found,
        analysed: totals.documents,
        skipped: m
            .skipped
            .iter()
            .map(|s| (s.id.clone(), s.reason.clone()))
            .collect(),
        warnings,
        output: config.output.clone(),
        files,
        failed_charts,
        charts: chart_set,
        tokens: c.tokens,
        bytes: m.inputs.iter().map(|i| i.bytes).sum(),
        elapsed: started.elapsed(),
        contrasts: lexicon
            .contrasts
            .iter()
            .zip(totals.corpus_scores())
            .map(|(contrast, score)| output::summary::ContrastLine {
                left: lexicon.themes[contrast.left].label.clone(),
                right: lexicon.themes[contrast.right].label.clone(),
                score,
            })
            .collect(),
        report: Some(config.output.join("report.html")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_output_file_is_synced_early_and_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("segments.csv");
        let mut file = OutFile {
            name: "segments.csv",
            path: path.clone(),
            writer: BufWriter::new(File::create(&path).unwrap()),
            fail_in: None,
            unsynced: 0,
            sync_every: 10,
            early_sync: None,
        };
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
}
