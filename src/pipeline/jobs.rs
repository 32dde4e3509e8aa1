//! The jobs of a run, in order: whole documents, and the blocks of large ones.
//!
//! In: the ordered documents and the config. Out: an iterator of [`Job`]s, pulled on the reader
//! thread of [`parallel::for_each_ordered`]. A document up to `--block-size` is one job (read by
//! the worker); a larger one is prescanned here, then read block by block, a few blocks ahead of
//! the workers, each block a job that relays its running offsets to the next.
//! Guarantees: jobs come in document order, blocks in file order; a document that cannot be
//! read becomes [`Job::Unreadable`], saying whether part of it was already handed out.

use std::path::PathBuf;
use std::sync::Arc;

use crate::assemble;
use crate::corpus::{self, DocumentSource, SkipReason};
use crate::faults::Faults;
use crate::parallel;
use crate::segment::{self, SegmentMode};
use crate::tokenize;
use crate::Config;

/// Who a document is, as every output names it, and where it came from: carried by each of its
/// jobs and outcomes, so that no later stage looks a document up by number.
#[derive(Debug)]
pub struct Origin {
    /// The id used in every output.
    pub id: String,
    /// The file it is read from.
    pub path: PathBuf,
    /// Where it is, as messages and the manifest show it.
    pub location: String,
}

impl Origin {
    /// The origin of the document `source`.
    pub fn of(source: &DocumentSource) -> Arc<Origin> {
        Arc::new(Origin {
            id: source.id.clone(),
            path: source.path.clone(),
            location: corpus::text_of(source.path.as_os_str()).into_owned(),
        })
    }
}

/// A unit of work: a whole document, or one block of a large one.
pub enum Job<'r> {
    /// A whole document, read by the worker.
    Whole {
        /// The document's number.
        doc: usize,
        /// Which document.
        origin: Arc<Origin>,
    },
    /// One block of a large document.
    Block {
        /// Which document.
        origin: Arc<Origin>,
        /// The block and its place.
        job: Box<assemble::BlockJob<'r>>,
    },
    /// A document that could not be read.
    Unreadable {
        /// The document's number.
        doc: usize,
        /// Which document.
        origin: Arc<Origin>,
        /// Why.
        reason: SkipReason,
        /// Whether blocks of it were already handed out (the run cannot skip it then).
        part_way: bool,
    },
}

/// A large document being cut into blocks.
struct OpenDocument {
    doc: usize,
    origin: Arc<Origin>,
    reader: corpus::blocks::BlockReader,
    blank_lines: bool,
    plan: Option<Arc<segment::SegmentPlan>>,
    prescan: Option<corpus::blocks::Prescan>,
    prev: Option<u64>,
}

/// The jobs of a run, in order: documents up to `--block-size` whole (read by the worker), larger
/// ones block by block (read here, on the reader thread of [`parallel::for_each_ordered`], a few
/// blocks ahead of the workers).
pub struct Jobs<'a, 'r> {
    documents: &'a [DocumentSource],
    config: &'a Config,
    faults: &'a Faults,
    relay: &'r parallel::Relay<segment::BlockStart>,
    next_doc: usize,
    open: Option<OpenDocument>,
    key: u64,
}

impl<'a, 'r> Jobs<'a, 'r> {
    /// The jobs of `documents`.
    pub fn new(
        documents: &'a [DocumentSource],
        config: &'a Config,
        faults: &'a Faults,
        relay: &'r parallel::Relay<segment::BlockStart>,
    ) -> Self {
        Jobs {
            documents,
            config,
            faults,
            relay,
            next_doc: 0,
            open: None,
            key: 0,
        }
    }

    /// Prescans a large document and, for `words:N` and `parts:N` segments, reads it once more
    /// to place the segment starts (they depend on the whole text).
    fn open(
        &self,
        doc: usize,
        origin: &Arc<Origin>,
    ) -> std::result::Result<OpenDocument, SkipReason> {
        let path = &origin.path;
        let size = self.config.block_size;
        let prescan = corpus::blocks::prescan(path, self.config.encoding, self.config.jobs)?;
        let mut plan = segment::PlanBuilder::new(self.config.segment);
        if plan.needs_whole_text() {
            let mut reader = corpus::blocks::BlockReader::open(path, &prescan, size)?;
            while let Some(block) = reader.next_block()? {
                let found = tokenize::tokenize_with(block.body(), self.config.lexicon.hyphens());
                let structure = plan.needs_sentences().then(|| {
                    segment::segment_with(block.body(), &found, Some(prescan.blank_lines))
                });
                plan.add(found.len(), structure.as_ref());
            }
        }
        let plan = (self.config.segment != SegmentMode::None).then(|| plan.finish());
        Ok(OpenDocument {
            doc,
            origin: Arc::clone(origin),
            reader: corpus::blocks::BlockReader::open(path, &prescan, size)?,
            blank_lines: prescan.blank_lines,
            plan: plan.map(Arc::new),
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
                        let origin = Arc::clone(&open.origin);
                        if last {
                            self.open = None;
                        }
                        return Some(Job::Block {
                            origin,
                            job: Box::new(job),
                        });
                    }
                    Ok(None) => self.open = None,
                    Err(reason) => {
                        let part_way = open.prev.is_some();
                        let origin = Arc::clone(&open.origin);
                        self.open = None;
                        return Some(Job::Unreadable {
                            doc,
                            origin,
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
            let origin = Origin::of(source);
            let large = std::fs::metadata(&source.path)
                .is_ok_and(|m| m.len() > self.config.block_size as u64);
            if !large || self.faults.fails_read(&source.id) {
                return Some(Job::Whole { doc, origin });
            }
            match self.open(doc, &origin) {
                Ok(open) => self.open = Some(open),
                Err(reason) => {
                    return Some(Job::Unreadable {
                        doc,
                        origin,
                        reason,
                        part_way: false,
                    })
                }
            }
        }
    }
}
