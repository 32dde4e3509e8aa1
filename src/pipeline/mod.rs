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

mod jobs;
mod worker;
mod writer;

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Instant;

use crate::corpus::{self, DocumentSource};
use crate::error::{Error, Result};
use crate::faults::Faults;
use crate::matcher::Matcher;
use crate::output::file::OutFile;
use crate::output::manifest::{self, Manifest};
use crate::output::registry::{self, Corpus, Rows, CSV_FILES};
use crate::output::{chart, report, summary, OutputDir, MANIFEST};
use crate::parallel;
use crate::{Config, RunSummary};

use jobs::Jobs;
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
    let matcher = Matcher::new(&config.lexicon);
    let (documents, skipped) = discover(config)?;
    let found = documents.len() + skipped.len();
    let mut out = OutputDir::create_with(&config.output, faults.lock_refused)?;
    out.set_fail_write(faults.write.clone());

    let mut writer = CorpusWriter::open(&mut out, config, &matcher, &documents, skipped)?;
    analyse(config, &matcher, &documents, faults, &mut writer)?;
    let mut written = writer.finish()?;
    let corpus = Corpus {
        lexicon: &config.lexicon,
        matcher: &matcher,
        totals: &written.totals,
        scores: &written.scores,
    };
    write_corpus_files(&mut out, config, &corpus)?;

    let chart_set = chart::chart_data(&corpus, &written.digest);
    let (charts, failed_charts) = draw_charts(config, faults, &mut out, &chart_set)?;
    write_report(&mut out, &corpus, &written, &charts, &failed_charts, found)?;

    // The manifest is written once everything it lists is on disk.
    written.wait_on_disk()?;
    if interrupted() {
        return Err(Error::Interrupted);
    }
    let manifest = manifest_of(
        config,
        &matcher,
        &mut written,
        &failed_charts,
        &out,
        found,
        started,
    );
    let mut manifest_file = OutFile::open(&mut out, MANIFEST)?;
    manifest::write_manifest(&mut manifest_file.writer, &manifest)
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

/// Stage corpus: the documents to read, and those found but not readable (already reported).
fn discover(config: &Config) -> Result<(Vec<DocumentSource>, Vec<manifest::SkippedInfo>)> {
    let discovery = corpus::discover_documents(&config.inputs, Some(&config.output))?;
    let skipped: Vec<manifest::SkippedInfo> = discovery
        .problems
        .into_iter()
        .map(|problem| {
            crate::messages::warning(format!(
                "skipped {}: {}",
                problem.path.display(),
                problem.reason
            ));
            manifest::SkippedInfo {
                id: problem.id,
                path: problem.path.display().to_string(),
                reason: problem.reason.to_string(),
            }
        })
        .collect();
    if discovery.documents.is_empty() && !skipped.is_empty() {
        return Err(Error::NoReadableDocument {
            skipped: skipped.len(),
        });
    }
    if discovery.documents.is_empty() {
        let inputs: Vec<String> = config
            .inputs
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        return Err(Error::NoDocuments {
            inputs: inputs.join(", "),
        });
    }
    Ok((discovery.documents, skipped))
}

/// Stages read to count: every document through the workers, in parallel, and into the writer
/// in document order.
fn analyse(
    config: &Config,
    matcher: &Matcher,
    documents: &[DocumentSource],
    faults: &Faults,
    writer: &mut CorpusWriter<'_>,
) -> Result<()> {
    let relay = parallel::Relay::default();
    let worker = Worker {
        documents,
        config,
        matcher,
        relay: &relay,
        faults,
    };
    parallel::for_each_ordered(
        Jobs::new(documents, config, faults, &relay),
        config.jobs,
        config.jobs * 4,
        |_, job| worker.work(job),
        |_, (doc, outcome)| writer.accept(doc, outcome),
        |e| Error::Threads {
            jobs: config.jobs,
            message: e.to_string(),
        },
    )
}

/// Writes the corpus-level CSV files of the registry.
fn write_corpus_files(out: &mut OutputDir, config: &Config, corpus: &Corpus<'_>) -> Result<()> {
    for entry in CSV_FILES.iter().filter(|f| f.written(config.wanted())) {
        let Rows::Corpus(rows) = entry.rows else {
            continue;
        };
        let mut file = OutFile::open(out, entry.name)?;
        file.header(&entry.columns.header(corpus.lexicon), config.excel)?;
        let mut bytes = Vec::new();
        rows(&mut bytes, corpus).map_err(|e| Error::from_csv(&file.path, e))?;
        file.write(&bytes)?;
        file.finish()?;
    }
    Ok(())
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
    let results: Vec<std::result::Result<String, String>> = pool.install(|| {
        planned
            .par_iter()
            .map(|p| {
                if faults.fails_chart(&p.file) {
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
                        let file = format!("{}/{}.{ext}", registry::CHARTS, p.file);
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
            Err(reason) => failed.push((p.file.clone(), reason)),
        }
    }
    Ok((shown, failed))
}

/// Writes `report.html`.
fn write_report(
    out: &mut OutputDir,
    corpus: &Corpus<'_>,
    written: &Written,
    charts: &[report::ReportChart],
    failed_charts: &[(String, String)],
    found: usize,
) -> Result<()> {
    let mut file = OutFile::open(out, registry::REPORT)?;
    let facts = report::RunFacts {
        found: found as u64,
        skipped: written
            .skipped
            .iter()
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
    };
    let input = report::ReportInput {
        corpus: *corpus,
        digest: &written.digest,
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
    found: usize,
    started: Instant,
) -> Manifest {
    let lexicon = &config.lexicon;
    let totals = &written.totals;
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
                    terms: (totals.unmatched_terms(matcher, t))
                        .map(|id| matcher.term(id).text.clone())
                        .collect(),
                })
                .filter(|u| !u.terms.is_empty())
                .collect(),
        },
        inputs: std::mem::take(&mut written.inputs),
        counts: manifest::CountsInfo {
            documents: found as u64,
            analysed: totals.documents,
            skipped: written.skipped.len() as u64,
            tokens: c.tokens,
            sentences: c.sentences,
            paragraphs: c.paragraphs,
            hits: totals.hits(),
        },
        files,
        skipped: std::mem::take(&mut written.skipped),
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
        warnings: written.warnings,
        output: config.output.clone(),
        files: manifest.files,
        failed_charts,
        charts,
        tokens: manifest.counts.tokens,
        bytes: manifest.inputs.iter().map(|i| i.bytes).sum(),
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
