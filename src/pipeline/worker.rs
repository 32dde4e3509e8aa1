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
use crate::output::manifest;
use crate::parallel::Relay;
use crate::segment::BlockStart;
use crate::Config;

use super::interrupted;
use super::jobs::{Job, Origin};

/// A whole document, analysed: its rows and totals, and what the manifest records of it.
pub struct AnalysedDocument {
    /// Its rows and totals.
    pub finished: assemble::Finished,
    /// Its size, checksum and encoding.
    pub input: manifest::InputInfo,
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
}

impl Worker<'_, '_> {
    /// Works on one job: returns the document's number, which it is, and the outcome.
    pub fn work(&self, job: Job<'_>) -> (usize, Arc<Origin>, Outcome) {
        let (doc, origin) = match &job {
            Job::Whole { doc, origin } | Job::Text { doc, origin, .. } => {
                (*doc, Arc::clone(origin))
            }
            Job::Block { origin, job } => (job.doc, Arc::clone(origin)),
            Job::Unreadable { doc, origin, .. } => (*doc, Arc::clone(origin)),
        };
        if interrupted() && !matches!(job, Job::Unreadable { .. }) {
            return (doc, origin, Outcome::Abandoned);
        }
        let outcome = match job {
            Job::Whole { doc, origin } => self.read_whole(doc, &origin),
            Job::Text { doc, origin, text } => {
                let input = manifest::InputInfo {
                    id: origin.id.clone(),
                    bytes: text.len() as u64,
                    sha256: crate::checksum::sha256_hex(text.as_bytes()),
                    encoding: "utf-8",
                };
                self.analyse(doc, &origin, text, input)
            }
            Job::Block { job, origin } => {
                let lexicon = &self.config.lexicon;
                match assemble::analyse_block(
                    *job,
                    &origin.id,
                    self.relay,
                    self.matcher,
                    lexicon,
                    self.config.hits,
                ) {
                    None => Outcome::Abandoned,
                    Some(Ok(block)) => Outcome::Block(Box::new(block)),
                    Some(Err(e)) => Outcome::Failed(e),
                }
            }
            Job::Unreadable {
                reason, part_way, ..
            } => match part_way {
                true => Outcome::BrokenPartWay(reason),
                false => Outcome::Skipped(reason),
            },
        };
        (doc, origin, outcome)
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
            self.matcher,
            &config.lexicon,
            config.hits,
            config.segment,
        ) {
            Ok(finished) => Outcome::Document(Box::new(AnalysedDocument { finished, input })),
            Err(e) => Outcome::Failed(e),
        }
    }
}
