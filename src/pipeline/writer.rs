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
use crate::error::{Error, Result};
use crate::group::sums::{Grouped, Offered, Sums};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::messages::Progress;
use crate::output::csv::DocumentRows;
use crate::output::digest::ExampleRoom;
use crate::output::file::{OutFile, Syncing};
use crate::output::manifest;
use crate::output::registry::{self, Corpus, Rows, CSV_FILES};
use crate::output::OutputDir;
use crate::partial::State;
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
    /// The corpus's state: totals, digest, metadata summaries, tables, skipped documents.
    pub state: State,
    /// Each contrast's corpus score, computed once from the totals.
    pub scores: Vec<ContrastScore>,
    /// Each analysed document's size and checksum, in document order, for the manifest
    /// (waiting in a scratch file).
    pub inputs: manifest::InputsSpool,
    /// Warnings of the lexicon and the run, then those of the documents and tables.
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
    /// What the documents add up to.
    state: State,
    /// Each analysed document's entry of the manifest.
    inputs: manifest::InputsSpool,
    /// Added to a document's number in this part to give its position in the whole corpus
    /// (an order only, for what is kept first or breaks ties: 0 for a plain run).
    first: usize,
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
        let files = DocumentFiles::open(out, config, matcher, meta_header)?;
        Ok(CorpusWriter {
            config,
            lexicon: &config.lexicon,
            matcher,
            files: files.files,
            scratch: (config.segment != SegmentMode::None).then(|| out.scratch_dir().to_path_buf()),
            assembly: None,
            progress: Progress::new(documents, config.quiet),
            groups,
            state: State::new(matcher.terms().len(), meta_header),
            inputs: manifest::InputsSpool::create(out.scratch_dir())
                .map_err(|e| Error::output(out.scratch_dir(), e))?,
            first: 0,
        })
    }

    /// Orders this part's documents from position `first` in the whole corpus (a piece's
    /// [`crate::partial::Piece::first_position`]).
    pub fn ordered_from(mut self, first: usize) -> Self {
        self.first = first;
        self
    }

    /// Takes the outcome of document (or block of document) `doc`, which is `source`; a whole
    /// document's outcome is left with what the writer did not keep, to be dropped where it was
    /// made.
    pub fn accept(&mut self, doc: usize, source: &Origin, outcome: &mut Outcome) -> Result<()> {
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
                let AnalysedDocument { finished, input } = &mut **d;
                self.add_document(doc, source, finished, input)?
            }
            // A block is joined to the blocks before it: taken out of the outcome.
            Outcome::Block(_) => {
                if let Outcome::Block(block) = std::mem::replace(outcome, Outcome::Abandoned) {
                    self.add_block(doc, source, *block)?
                }
            }
            Outcome::Skipped(reason) => self.skip(source, reason),
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

    /// Adds the tables read: the manifest's records and what their warnings say (printed with
    /// the warnings about the whole input at the end).
    pub fn add_tables(&mut self, tables: Vec<crate::partial::TableRead>) {
        self.state.tables.extend(tables);
    }

    /// Adds how the documents used the `--metadata` table and how many row ids were made
    /// unique.
    pub fn add_whole_input(&mut self, sidecar: Option<crate::partial::SidecarUse>, renamed: u64) {
        self.state.sidecar = sidecar;
        self.state.renamed = renamed;
    }

    /// Appends `rows` to every per-document file.
    fn append(&mut self, rows: &DocumentRows) -> Result<()> {
        for f in self.files.iter_mut() {
            f.file.write((f.select)(rows))?;
        }
        Ok(())
    }

    /// Marks full in `room` the lists of example sentences the corpus holds all of (after the
    /// documents accepted so far).
    pub fn note_examples(&self, room: &ExampleRoom) {
        room.note(&self.state.digest);
    }

    /// A document is complete: its rows and totals go in.
    fn add_document(
        &mut self,
        doc: usize,
        source: &Origin,
        finished: &mut assemble::Finished,
        input: &manifest::InputEntry,
    ) -> Result<()> {
        self.append(&finished.rows)?;
        let w = &mut self.state;
        w.totals.add(
            &finished.counts,
            &finished.term_counts,
            &finished.cooccurrence,
            finished.hitless,
        );
        for (column, value) in w.metadata.iter_mut().zip(&source.meta) {
            column.add(value);
        }
        let (counts, terms) = (&finished.counts, &finished.term_counts);
        let offered = Offered {
            order: self.first + doc,
            examples: &finished.digest.examples,
            tension: &finished.digest.tension,
            hitless: finished.hitless,
        };
        (self.groups).add(
            &source.id,
            &source.meta,
            &input.sha256,
            counts,
            terms,
            &offered,
        );
        w.digest.add(
            self.first + doc,
            &source.id,
            &mut finished.digest,
            finished.hitless,
        );
        w.bytes += input.bytes;
        self.inputs
            .push(input)
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
            self.state.warnings.push(format!(
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
        let mut finished = asm
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
        self.add_document(doc, source, &mut finished, &manifest::input_entry(&input))
    }

    fn skip(&mut self, source: &Origin, reason: &SkipReason) {
        let path = source.location.clone();
        self.progress.warning(format!("skipped {path}: {reason}"));
        self.state.skipped.push(manifest::SkippedInfo {
            id: source.id.clone(),
            path,
            reason: reason.to_string(),
        });
        self.progress.inc();
    }

    /// Closes the per-document files, each with its corpus rows, and hands back what was
    /// gathered. The files reach the disk in the background ([`Written::wait_on_disk`]).
    pub fn finish(self) -> Result<Written> {
        let warnings = (self.lexicon.warnings.iter())
            .chain(&self.config.warnings)
            .cloned()
            .collect();
        let (files, state, groups, inputs) = self.finish_part();
        files.finish(state, groups, inputs, warnings)
    }

    /// The part of the corpus this writer saw: its per-document files (rows written, corpus
    /// rows not yet), its state, its group sums and its manifest entries.
    /// The group sums go into the state; the sums handed back are empty, of the same groupings.
    pub fn finish_part(mut self) -> (DocumentFiles<'a>, State, Sums, manifest::InputsSpool) {
        self.progress.finish();
        let files = DocumentFiles {
            files: self.files,
            lexicon: self.lexicon,
            matcher: self.matcher,
            jobs: self.config.jobs,
        };
        let shell = self.groups.shell();
        self.state.groups = self.groups.into_state();
        (files, self.state, shell, self.inputs)
    }
}

/// The header of the per-document file `entry`: `documents.csv` gets the metadata columns
/// right after the id.
pub fn header_of(
    entry: &registry::CsvFile,
    lexicon: &Lexicon,
    meta_header: &[String],
) -> Vec<String> {
    let mut header = entry.columns.header(lexicon);
    if entry.name == "documents.csv" {
        header.splice(1..1, meta_header.iter().cloned());
    }
    header
}

/// The per-document files, their rows written, waiting for their corpus rows.
pub struct DocumentFiles<'a> {
    files: Vec<DocumentFile>,
    lexicon: &'a Lexicon,
    matcher: &'a Matcher,
    /// Threads for the work done once the documents are in (`--jobs`).
    jobs: usize,
}

impl<'a> DocumentFiles<'a> {
    /// Creates the per-document files the config asks for, each with its header.
    pub fn open(
        out: &mut OutputDir,
        config: &'a Config,
        matcher: &'a Matcher,
        meta_header: &[String],
    ) -> Result<DocumentFiles<'a>> {
        let lexicon = &config.lexicon;
        let mut files = Vec::new();
        for entry in CSV_FILES.iter().filter(|f| f.written(config.wanted())) {
            let Rows::PerDocument { select, corpus } = entry.rows else {
                continue;
            };
            let mut file = OutFile::open(out, entry.name)?;
            file.header(&header_of(entry, lexicon, meta_header), config.excel)?;
            files.push(DocumentFile {
                file,
                select,
                corpus,
            });
        }
        Ok(DocumentFiles {
            files,
            lexicon,
            matcher,
            jobs: config.jobs,
        })
    }

    /// The files' names, in the order they are written.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.files.iter().map(|f| f.file.name)
    }

    /// Appends to the file `name` the rows of a part (its bytes after the header).
    pub fn append(&mut self, name: &str, rows: &mut impl std::io::Read) -> Result<()> {
        let Some(f) = self.files.iter_mut().find(|f| f.file.name == name) else {
            return Ok(());
        };
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = match rows.read(&mut buffer) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(Error::Input {
                        path: f.file.path.clone(),
                        source: e,
                    })
                }
            };
            f.file.write(&buffer[..n])?;
        }
    }

    /// Closes the files as they are, without corpus rows (a partial result's).
    pub fn close(self) -> Result<Vec<Syncing>> {
        (self.files.into_iter())
            .map(|f| f.file.finish_in_background())
            .collect()
    }

    /// The corpus's results from its `state` and `groups` (the run's `warnings` first): the
    /// scores, the groups, and each file closed with its corpus rows.
    pub fn finish(
        mut self,
        mut state: State,
        groups: Sums,
        inputs: manifest::InputsSpool,
        mut warnings: Vec<String>,
    ) -> Result<Written> {
        if state.totals.documents == 0 {
            return Err(Error::NoReadableDocument {
                skipped: state.skipped.len(),
            });
        }
        warnings.extend(state.warnings.iter().cloned());
        warnings.extend(state.whole_input_warnings());
        let groups =
            (groups.with_state(std::mem::take(&mut state.groups))).map_err(Error::Internal)?;
        let (bootstrap, grouped) = groups.finish(self.jobs).map_err(Error::Usage)?;
        let scores = score::corpus_scores(&state.totals, &bootstrap);
        for g in &grouped {
            if g.missing_documents > 0 {
                let (n, spec) = (g.missing_documents, &g.spec);
                let (documents, have) = if n == 1 {
                    ("document", "has")
                } else {
                    ("documents", "have")
                };
                warnings.push(format!(
                    "--group-by {spec:?}: {n} {documents} {have} no value that groups them (empty, not a date, or no metadata): they are the group \"(missing)\", listed last"
                ));
            }
        }
        let corpus = Corpus {
            lexicon: self.lexicon,
            matcher: self.matcher,
            totals: &state.totals,
            scores: &scores,
            grouped: &grouped,
        };
        for f in self.files.iter_mut() {
            if let Some(rows) = f.corpus {
                let mut bytes = Vec::new();
                rows(&mut bytes, &corpus).map_err(|e| Error::from_csv(&f.file.path, e))?;
                f.file.write(&bytes)?;
            }
        }
        for f in &self.files {
            warnings.extend(crate::output::file::too_many_rows(
                f.file.name,
                f.file.lines(),
            ));
        }
        let mut syncing = Vec::with_capacity(self.files.len());
        for f in self.files {
            syncing.push(f.file.finish_in_background()?);
        }
        Ok(Written {
            state,
            scores,
            inputs,
            warnings,
            grouped,
            syncing,
        })
    }
}
