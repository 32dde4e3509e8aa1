//! The corpus writer: every worker's outcome, in document order, into the per-document files
//! and the corpus totals.
//!
//! In: `(document number, Outcome)` pairs in document order, through [`CorpusWriter::accept`].
//! Out: the per-document CSV files of the registry, appended row by row and closed by
//! [`CorpusWriter::finish`] with their corpus rows, and a [`Written`]: the summed totals, the
//! digest for charts and report, the inputs, the skipped documents and the run's warnings.
//! Guarantees: rows reach the files in document order whatever order the work finished in;
//! a large document's blocks are joined by its [`assemble::Assembly`] into exactly the rows a
//! whole reading gives; only integers are summed.

use std::path::PathBuf;

use crate::assemble;
use crate::corpus::{self, SkipReason};
use crate::count::CorpusTotals;
use crate::error::{Error, Result};
use crate::group::sums::{Grouped, Offered, Sums};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::messages::Progress;
use crate::output::csv::DocumentRows;
use crate::output::digest;
use crate::output::file::{OutFile, Syncing};
use crate::output::manifest;
use crate::output::registry::{self, Corpus, Rows, CSV_FILES};
use crate::output::OutputDir;
use crate::score::{self, ContrastScore};
use crate::segment::SegmentMode;
use crate::Config;

use super::interrupted;
use super::jobs::Origin;
use super::worker::{AnalysedDocument, Outcome};

/// An open per-document file and how to pick its rows.
struct DocumentFile {
    file: OutFile,
    select: fn(&DocumentRows) -> &[u8],
    corpus: Option<registry::CorpusRows>,
}

/// What the corpus writer has gathered once the last document is in.
pub struct Written {
    /// Totals of every analysed document.
    pub totals: CorpusTotals,
    /// Each contrast's corpus score, computed once from the totals.
    pub scores: Vec<ContrastScore>,
    /// What the charts and the report show.
    pub digest: digest::CorpusDigest,
    /// Each analysed document's size and checksum, in document order, for the manifest
    /// (waiting in a scratch file).
    pub inputs: manifest::InputsSpool,
    /// Each table read.
    pub tables: Vec<manifest::TableInfo>,
    /// What the report says of each metadata column.
    pub metadata: Vec<digest::MetaColumn>,
    /// Documents skipped, in document order.
    pub skipped: Vec<manifest::SkippedInfo>,
    /// Warnings of the lexicon and the run.
    pub warnings: Vec<String>,
    /// The groups of each `--group-by`, with their sums.
    pub grouped: Vec<Grouped>,
    /// The per-document files on their way to the disk.
    syncing: Vec<Syncing>,
}

impl Written {
    /// Waits until every per-document file is on disk.
    pub fn wait_on_disk(&mut self) -> Result<()> {
        for file in self.syncing.drain(..) {
            file.wait()?;
        }
        Ok(())
    }
}

/// Appends each document's rows, in document order, and sums its totals.
pub struct CorpusWriter<'a> {
    config: &'a Config,
    lexicon: &'a Lexicon,
    matcher: &'a Matcher,
    files: Vec<DocumentFile>,
    scratch: Option<PathBuf>,
    assembly: Option<assemble::Assembly>,
    progress: Progress,
    /// The group sums of each `--group-by`.
    groups: Sums,
    written: Written,
}

impl<'a> CorpusWriter<'a> {
    /// Opens the per-document files the config asks for (headers written); `documents` is how
    /// many are expected (for the progress bar).
    pub fn open(
        out: &mut OutputDir,
        config: &'a Config,
        matcher: &'a Matcher,
        documents: usize,
        meta_header: &[String],
        groups: Sums,
    ) -> Result<Self> {
        let lexicon = &config.lexicon;
        let mut files = Vec::new();
        for entry in CSV_FILES.iter().filter(|f| f.written(config.wanted())) {
            let Rows::PerDocument { select, corpus } = entry.rows else {
                continue;
            };
            let mut file = OutFile::open(out, entry.name)?;
            let mut header = entry.columns.header(lexicon);
            if entry.name == "documents.csv" {
                // The metadata right after the id.
                header.splice(1..1, meta_header.iter().cloned());
            }
            file.header(&header, config.excel)?;
            files.push(DocumentFile {
                file,
                select,
                corpus,
            });
        }
        Ok(CorpusWriter {
            config,
            lexicon,
            matcher,
            files,
            scratch: (config.segment != SegmentMode::None).then(|| out.scratch_dir().to_path_buf()),
            assembly: None,
            progress: Progress::new(documents, config.quiet),
            groups,
            written: Written {
                totals: CorpusTotals::new(matcher.terms().len()),
                scores: Vec::new(),
                digest: digest::CorpusDigest::default(),
                inputs: manifest::InputsSpool::create(out.scratch_dir())
                    .map_err(|e| Error::output(out.scratch_dir(), e))?,
                tables: Vec::new(),
                metadata: meta_header
                    .iter()
                    .map(|c| digest::MetaColumn::new(c))
                    .collect(),
                skipped: Vec::new(),
                warnings: (lexicon.warnings.iter())
                    .chain(&config.warnings)
                    .cloned()
                    .collect(),
                grouped: Vec::new(),
                syncing: Vec::new(),
            },
        })
    }

    /// Takes the outcome of document (or block of document) `doc`, which is `source`.
    pub fn accept(&mut self, doc: usize, source: &Origin, outcome: Outcome) -> Result<()> {
        if interrupted() {
            return Err(Error::Interrupted);
        }
        match outcome {
            // Not the document's fault: no document is skipped for it, the run stops.
            Outcome::Skipped(SkipReason::TooManyOpenFiles)
            | Outcome::BrokenPartWay(SkipReason::TooManyOpenFiles) => {
                return Err(Error::TooManyOpenFiles {
                    path: source.path.clone(),
                })
            }
            Outcome::Document(d) => {
                let AnalysedDocument { finished, input } = *d;
                self.add_document(doc, source, finished, input)?
            }
            Outcome::Block(block) => self.add_block(doc, source, *block)?,
            Outcome::Skipped(reason) => self.skip(source, &reason),
            Outcome::BrokenPartWay(reason) => {
                return Err(Error::Input {
                    path: source.path.clone(),
                    source: std::io::Error::other(format!(
                        "{reason}, part way through; nothing was written"
                    )),
                })
            }
            Outcome::Abandoned => return Err(Error::Interrupted),
            Outcome::Failed(e) => {
                return Err(Error::Internal(format!(
                    "rendering the rows of {}: {e}",
                    source.id
                )))
            }
        }
        Ok(())
    }

    /// Adds what reading the tables found: warnings (printed with the others at the end) and
    /// the manifest's records of the tables.
    pub fn add_tables(&mut self, warnings: Vec<String>, tables: Vec<manifest::TableInfo>) {
        self.written.warnings.extend(warnings);
        self.written.tables.extend(tables);
    }

    /// Appends `rows` to every per-document file.
    fn append(&mut self, rows: &DocumentRows) -> Result<()> {
        for f in self.files.iter_mut() {
            f.file.write((f.select)(rows))?;
        }
        Ok(())
    }

    /// A document is complete: its rows and totals go in.
    fn add_document(
        &mut self,
        doc: usize,
        source: &Origin,
        finished: assemble::Finished,
        input: manifest::InputEntry,
    ) -> Result<()> {
        self.append(&finished.rows)?;
        let w = &mut self.written;
        w.totals.add(
            &finished.counts,
            &finished.term_counts,
            &finished.cooccurrence,
        );
        for (column, value) in w.metadata.iter_mut().zip(&source.meta) {
            column.add(value);
        }
        let (counts, terms) = (&finished.counts, &finished.term_counts);
        let offered = Offered {
            order: doc,
            examples: &finished.digest.examples,
            tension: &finished.digest.tension,
        };
        (self.groups).add(
            &source.id,
            &source.meta,
            &input.sha256,
            counts,
            terms,
            &offered,
        );
        w.digest.add(doc, &source.id, finished.digest);
        w.inputs
            .push(&input)
            .map_err(|e| Error::output(&self.config.output, e))?;
        self.progress.inc();
        Ok(())
    }

    /// A block of a large document: joined to the blocks before it; after the last, the
    /// document is complete.
    fn add_block(
        &mut self,
        doc: usize,
        source: &Origin,
        block: assemble::BlockResult,
    ) -> Result<()> {
        let output = self.config.output.clone();
        let output_error = |e| Error::from_csv(&output, e);
        if block.number == 0 {
            let store = self.scratch.as_deref().map(assemble::Trajectory::InFile);
            let assembly = assemble::Assembly::new(&source.id, self.lexicon, store);
            self.assembly = Some(assembly.map_err(output_error)?);
        }
        let Some(asm) = self.assembly.as_mut() else {
            return Err(Error::Internal(format!(
                "{}: a block came before the document's first",
                source.id
            )));
        };
        let last = block.last;
        let rows = asm.add(block).map_err(output_error)?;
        self.append(&rows)?;
        match self.assembly.take_if(|_| last) {
            Some(asm) => self.finish_large(doc, source, asm),
            None => Ok(()),
        }
    }

    /// The last block of a large document is in: its summary rows and its trajectory.
    fn finish_large(&mut self, doc: usize, source: &Origin, asm: assemble::Assembly) -> Result<()> {
        let prescan = asm.prescan.clone();
        let sha256 = asm.sha256.clone().unwrap_or_default();
        if asm.forced {
            self.written.warnings.push(format!(
                "{}: a paragraph longer than {} bytes was cut for reading; sentences and phrases across the cut count as two",
                source.id,
                corpus::blocks::max_block(self.config.block_size)
            ));
        }
        let trajectory = self
            .files
            .iter_mut()
            .find(|f| f.file.name == "trajectory.csv")
            .map(|f| &mut f.file);
        let path = trajectory
            .as_ref()
            .map_or_else(|| self.config.output.clone(), |t| t.path.clone());
        let threads = if trajectory.is_some() {
            self.config.jobs
        } else {
            1
        };
        let finished = asm
            .finish(
                assemble::Name {
                    id: &source.id,
                    meta: &source.meta,
                    drop_zeros: self.config.drop_zeros,
                },
                self.lexicon,
                self.matcher,
                trajectory,
                threads,
            )
            .map_err(|e| Error::from_csv(&path, e))?;
        let input = manifest::InputInfo {
            id: source.id.clone(),
            bytes: prescan.as_ref().map_or(0, |p| p.bytes),
            sha256,
            encoding: prescan.as_ref().map_or("utf-8", |p| p.encoding),
        };
        self.add_document(doc, source, finished, manifest::input_entry(&input))
    }

    fn skip(&mut self, source: &Origin, reason: &SkipReason) {
        let path = source.location.clone();
        self.progress.warning(format!("skipped {path}: {reason}"));
        self.written.skipped.push(manifest::SkippedInfo {
            id: source.id.clone(),
            path,
            reason: reason.to_string(),
        });
        self.progress.inc();
    }

    /// Closes the per-document files, each with its corpus rows, and hands back what was
    /// gathered. The files reach the disk in the background ([`Written::wait_on_disk`]).
    pub fn finish(mut self) -> Result<Written> {
        self.progress.finish();
        if self.written.totals.documents == 0 {
            return Err(Error::NoReadableDocument {
                skipped: self.written.skipped.len(),
            });
        }
        let groups = std::mem::replace(&mut self.groups, Sums::new(Vec::new(), None, 0, 0));
        let (bootstrap, grouped) = groups.finish().map_err(Error::Usage)?;
        self.written.scores = score::corpus_scores(&self.written.totals, &bootstrap);
        self.written.grouped = grouped;
        for g in &self.written.grouped {
            if g.missing_documents > 0 {
                let (n, spec) = (g.missing_documents, &g.spec);
                let (documents, have) = if n == 1 {
                    ("document", "has")
                } else {
                    ("documents", "have")
                };
                self.written.warnings.push(format!(
                    "--group-by {spec:?}: {n} {documents} {have} no value that groups them (empty, not a date, or no metadata): they are the group \"(missing)\", listed last"
                ));
            }
        }
        let corpus = Corpus {
            lexicon: self.lexicon,
            matcher: self.matcher,
            totals: &self.written.totals,
            scores: &self.written.scores,
            grouped: &self.written.grouped,
        };
        for f in self.files.iter_mut() {
            if let Some(rows) = f.corpus {
                let mut bytes = Vec::new();
                rows(&mut bytes, &corpus).map_err(|e| Error::from_csv(&f.file.path, e))?;
                f.file.write(&bytes)?;
            }
        }
        for f in &self.files {
            let warning = crate::output::file::too_many_rows(f.file.name, f.file.lines());
            self.written.warnings.extend(warning);
        }
        let mut syncing = Vec::with_capacity(self.files.len());
        for f in self.files {
            syncing.push(f.file.finish_in_background()?);
        }
        self.written.syncing = syncing;
        Ok(self.written)
    }
}
