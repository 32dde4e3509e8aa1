//! The per-document worker: one job in, one [`Outcome`] out, on a worker thread.
//!
//! In: a [`Job`] (a whole document, or a block of a large one). Out: its rendered CSV rows and
//! integer totals, or why it was skipped. Guarantees: nothing here writes a file or prints; the
//! worker is built once per run from the config and shared by the threads (`Sync`).

use crate::assemble;
use std::sync::Arc;

use crate::corpus::{self, SkipReason};
use crate::faults::Faults;
use crate::matcher::Matcher;
use crate::output::digest::ExampleRoom;
use crate::output::manifest;
use crate::parallel::Relay;
use crate::segment::BlockStart;
use crate::Config;

use super::interrupted;
use super::jobs::{Job, Origin, Row};

/// A whole document, analysed: its rows and totals, and what the manifest records of it.
pub struct AnalysedDocument {
    /// Its rows and totals.
    pub finished: assemble::Finished,
    /// Its entry in the manifest's `inputs` (size, checksum, encoding), rendered here.
    pub input: manifest::InputEntry,
}

/// One document's result, or one block's, made on a worker thread.
pub enum Outcome {
    /// A whole document (a document of one block, assembled on the worker).
    Document(Box<AnalysedDocument>),
    /// A block of a large document.
    Block(Box<assemble::BlockResult>),
    /// A document skipped (not read, or not UTF-8…).
    Skipped(SkipReason),
    /// A large document that could not be read after some of it was (the run stops).
    BrokenPartWay(SkipReason),
    /// The block before this one gave up (the run is stopping).
    Abandoned,
    /// Rendering failed.
    Failed(csv::Error),
}

/// Analyses jobs: built once per run, shared by the worker threads.
pub struct Worker<'a, 'r> {
    /// The run's configuration.
    pub config: &'a Config,
    /// The compiled lexicon.
    pub matcher: &'a Matcher,
    /// Passes the running offsets of a large document from block to block.
    pub relay: &'r Relay<BlockStart>,
    /// Failures to inject (tests).
    pub faults: &'a Faults,
    /// The example sentences the corpus still wants (the writer marks the full lists).
    pub room: &'r ExampleRoom,
}

impl Worker<'_, '_> {
    /// Works on one job: returns, for each document in it, its number, which it is, and the
    /// outcome; `before_row` is called before each row of a table.
    pub fn work(
        &self,
        job: Job<'_>,
        mut before_row: impl FnMut(),
    ) -> Vec<(usize, Arc<Origin>, Outcome)> {
        match job {
            Job::Rows(rows) => (rows.into_iter())
                .map(|row| {
                    before_row();
                    self.work_row(row)
                })
                .collect(),
            Job::Whole { doc, origin } => {
                vec![self.work_one(doc, origin, |w, doc, origin| w.read_whole(doc, origin))]
            }
            Job::Block { origin, job } => vec![self.work_one(job.doc, origin, |w, _, origin| {
                w.analyse_block(*job, origin)
            })],
            Job::Unreadable {
                doc,
                origin,
                reason,
                part_way,
            } => {
                let outcome = match part_way {
                    true => Outcome::BrokenPartWay(reason),
                    false => Outcome::Skipped(reason),
                };
                vec![(doc, origin, outcome)]
            }
        }
    }

    /// Works on a job of one document (or one block of it) with `work`, unless the run is
    /// stopping.
    fn work_one(
        &self,
        doc: usize,
        origin: Arc<Origin>,
        work: impl FnOnce(&Self, usize, &Origin) -> Outcome,
    ) -> (usize, Arc<Origin>, Outcome) {
        let outcome = match interrupted() {
            true => Outcome::Abandoned,
            false => work(self, doc, &origin),
        };
        (doc, origin, outcome)
    }

    /// Works on a row of a table.
    fn work_row(&self, row: Row) -> (usize, Arc<Origin>, Outcome) {
        match row.text {
            Err(reason) => (row.doc, row.origin, Outcome::Skipped(reason)),
            Ok(text) => self.work_one(row.doc, row.origin, |w, doc, origin| {
                let input = manifest::InputInfo {
                    id: origin.id.clone(),
                    bytes: text.len() as u64,
                    sha256: crate::checksum::sha256_hex(text.as_bytes()),
                    encoding: "utf-8",
                };
                w.analyse(doc, origin, text, input)
            }),
        }
    }

    /// What every document is analysed with.
    fn setup(&self) -> assemble::Setup<'_> {
        assemble::Setup {
            matcher: self.matcher,
            lexicon: &self.config.lexicon,
            wanted: self.config.wanted(),
            room: self.room,
        }
    }

    /// Analyses one block of a large document.
    fn analyse_block(&self, job: assemble::BlockJob<'_>, origin: &Origin) -> Outcome {
        match assemble::analyse_block(job, &origin.id, self.relay, self.setup()) {
            None => Outcome::Abandoned,
            Some(Ok(block)) => Outcome::Block(Box::new(block)),
            Some(Err(e)) => Outcome::Failed(e),
        }
    }

    /// Reads a whole document and takes it through the one path of [`assemble`] at once.
    fn read_whole(&self, doc: usize, source: &Origin) -> Outcome {
        let config = self.config;
        if self.faults.fails_read(&source.id) {
            return Outcome::Skipped(SkipReason::Unreadable(
                "read error injected for testing".to_string(),
            ));
        }
        let document = match corpus::read_document(&source.path, config.encoding) {
            Ok(d) => d,
            Err(reason) => return Outcome::Skipped(reason),
        };
        let input = manifest::InputInfo {
            id: source.id.clone(),
            bytes: document.bytes,
            sha256: document.sha256,
            encoding: document.encoding,
        };
        self.analyse(doc, source, document.text, input)
    }

    /// Takes the text of a document through the one path of [`assemble`] at once.
    fn analyse(
        &self,
        doc: usize,
        source: &Origin,
        text: String,
        input: manifest::InputInfo,
    ) -> Outcome {
        let config = self.config;
        match assemble::analyse_document(
            doc,
            text,
            assemble::Name {
                id: &source.id,
                meta: &source.meta,
                drop_zeros: config.drop_zeros,
            },
            self.setup(),
            config.segment,
        ) {
            Ok(finished) => Outcome::Document(Box::new(AnalysedDocument {
                finished,
                input: manifest::input_entry(&input),
            })),
            Err(e) => Outcome::Failed(e),
        }
    }
}
