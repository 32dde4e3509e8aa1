//! Stage assemble: a document's blocks → the rows of the whole document. Every document takes
//! this one path: a document up to `--block-size` is a document of one block.
//!
//! In: the blocks of one document ([`crate::corpus::blocks`]), each analysed and rendered on a
//! worker ([`analyse_block`]), then handed in order to an [`Assembly`] on the writing thread; or
//! a whole document, analysed, rendered and assembled on the worker at once
//! ([`analyse_document`]). Out: rows to append as each block arrives (hits, tension sentences,
//! the segments within the block), then, after the last block, the document's summary rows, its
//! last segment and its trajectory ([`Finished`]).
//!
//! Guarantees: however a document is cut into blocks, every row is byte for byte the same.
//! Blocks are cut where no paragraph, sentence, token or phrase runs across; what a block needs
//! from the blocks before it (tokens, sentences, paragraphs and lines so far) is relayed to it as
//! soon as the block before is analysed ([`crate::parallel::Relay`]), so blocks are analysed in
//! parallel; segments that run across blocks are joined here; counts are integers that add.
//! Memory stays bounded by the block size: a large document's per-segment trajectory numbers
//! wait in a temporary file, not in memory (a one-block document keeps them in memory).

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::corpus::blocks::{Block, Prescan};
use crate::count::{self, Cooccurrence, Counts, PoleTally, SegmentTally, TermCount};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::output::csv::{self as csv_out, Base, DocumentRows, RowCells};
use crate::output::digest::{self, DocDigest, ExampleRoom, Sampler, SeriesPoint};
use crate::output::registry::Wanted;
use crate::parallel::{Baton, Relay};
use crate::score::{self, TrajectorySegment};
use crate::segment::{segments_in_block, BlockStart, Segment, SegmentMode, SegmentPlan, Structure};

/// What every document of a run is analysed and rendered with, shared by the workers.
#[derive(Clone, Copy)]
pub struct Setup<'a> {
    /// The compiled lexicon.
    pub matcher: &'a Matcher,
    /// The lexicon.
    pub lexicon: &'a Lexicon,
    /// The files the run writes.
    pub wanted: Wanted,
    /// The example sentences the corpus still wants.
    pub room: &'a ExampleRoom,
}

/// One block to analyse, with what it needs to know about its document.
#[derive(Debug)]
pub struct BlockJob<'r> {
    /// The document's number in the corpus.
    pub doc: usize,
    /// The block.
    pub block: Block,
    /// The document's paragraph rule.
    pub blank_lines: bool,
    /// How the document is cut into segments (`None`: no segments).
    pub plan: Option<Arc<SegmentPlan>>,
    /// The relay key of the block before (`None` for the first block).
    pub prev: Option<u64>,
    /// This block's duty to hand its end on to the next block (`None` for the last block).
    pub baton: Option<Baton<'r, BlockStart>>,
    /// The document's prescan, with its first block.
    pub prescan: Option<Prescan>,
}

/// A segment, or the part of one that lies in a block, numbered in the whole document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentPart {
    /// Segment number in the document.
    pub number: usize,
    /// Byte span in the document.
    pub span: Range<usize>,
    /// Tokens, as indices in the document.
    pub tokens: Range<u64>,
    /// Its counts.
    pub tally: SegmentTally,
}

impl SegmentPart {
    /// Joins the next part of the same segment.
    fn join(&mut self, next: SegmentPart) {
        self.span.end = next.span.end;
        self.tokens.end = next.tokens.end;
        self.tally += &next.tally;
    }
}

/// The trajectory numbers of consecutive segments: each one's tokens (in the document) and,
/// per contrast, its (left, right) poles, `contrasts` to a segment.
#[derive(Clone, Debug, Default)]
pub struct TrajectoryNumbers {
    /// Per segment: its tokens.
    pub tokens: Vec<Range<u64>>,
    /// Per segment, per contrast: (left, right).
    pub poles: Vec<(PoleTally, PoleTally)>,
}

impl TrajectoryNumbers {
    /// Adds the numbers of segment `p`.
    fn push(&mut self, p: &SegmentPart) {
        self.tokens.push(p.tokens.clone());
        let poles = p.tally.contrasts.iter();
        self.poles
            .extend(poles.map(|c| (c.left.clone(), c.right.clone())));
    }

    /// Segment `k`'s tokens and poles.
    fn get(&self, k: usize) -> (&Range<u64>, &[(PoleTally, PoleTally)]) {
        let per = self.poles.len() / self.tokens.len().max(1);
        (&self.tokens[k], &self.poles[k * per..(k + 1) * per])
    }
}

/// An analysed block, rendered as far as it can be on its own.
#[derive(Debug)]
pub struct BlockResult {
    /// The document's number in the corpus.
    pub doc: usize,
    /// Block number in the document.
    pub number: usize,
    /// Whether it is the document's last block.
    pub last: bool,
    /// Whether the block was cut inside a paragraph.
    pub forced: bool,
    /// The document's prescan (first block only).
    pub prescan: Option<Prescan>,
    /// The file's SHA-256 (last block only).
    pub sha256: Option<String>,
    /// The block's counts (`distinct_terms` is per document: left out).
    pub counts: Counts,
    /// Hits per term.
    pub term_counts: Vec<TermCount>,
    /// Theme co-occurrence.
    pub cooccurrence: Cooccurrence,
    /// Its hits and tension rows, and the rows of the segments that lie wholly inside it.
    pub rows: DocumentRows,
    /// The block's first segment (or part of one), when it has one.
    pub first: Option<SegmentPart>,
    /// The block's last segment (or part of one), when it has two or more.
    pub final_piece: Option<SegmentPart>,
    /// Trajectory numbers of the segments rendered in `rows`, in order.
    pub middle: TrajectoryNumbers,
    /// Examples and tension sentences, numbered in the document.
    pub digest: DocDigest,
}

/// Line ends (LF, CRLF, lone CR) in `text`.
fn line_ends(text: &str) -> usize {
    crate::lines::count(text.as_bytes())
}

/// Analyses and renders one block (on a worker). `None` when the block before gave up (the
/// run is stopping).
pub fn analyse_block(
    job: BlockJob<'_>,
    id: &str,
    relay: &Relay<BlockStart>,
    setup: Setup<'_>,
) -> Option<csv::Result<BlockResult>> {
    let Setup {
        matcher, lexicon, ..
    } = setup;
    let mut job = job;
    let mut baton = job.baton.take();
    let block = &job.block;
    let body = block.body();
    // The next block needs this one's start plus its tokens, sentences, paragraphs and lines:
    // known once it is segmented. Should the block before have handed its start on by then,
    // this one's is handed on before matching; if not, after (waiting then, not earlier).
    let next = |start: &BlockStart, tokens: usize, structure: &Structure| BlockStart {
        tokens: start.tokens + tokens,
        sentences: start.sentences + structure.sentences.len(),
        paragraphs: start.paragraphs + structure.paragraphs.len(),
        lines: start.lines + line_ends(body),
    };
    let mut early: Option<Option<BlockStart>> = None;
    let analysis = count::analyse_with(
        body,
        matcher,
        &lexicon.contrasts,
        Some(job.blank_lines),
        |tokens, structure| {
            early = match job.prev {
                None => Some(Some(BlockStart::default())),
                Some(key) => relay.try_take(key),
            };
            if let Some(Some(start)) = early {
                if let Some(baton) = baton.take() {
                    baton.pass(next(&start, tokens.len(), structure));
                }
            }
        },
    );
    // Set in the callback, which always runs: a first block (no `prev`) has its start there.
    let start = match early {
        Some(start) => start?,
        // Not handed on by the time this block was segmented: wait for it now.
        None => job
            .prev
            .map_or(Some(BlockStart::default()), |key| relay.take(key))?,
    };
    if let Some(baton) = baton {
        baton.pass(next(&start, analysis.tokens.len(), &analysis.structure));
    }
    Some(render_block(&job, id, analysis, &start, setup))
}

/// What a document is called in its rows — its id, and its metadata cells (`documents.csv`) —
/// and which of its summary rows are written.
#[derive(Clone, Copy, Debug)]
pub struct Name<'a> {
    /// The id.
    pub id: &'a str,
    /// The metadata cells, one per metadata column of the run.
    pub meta: &'a [String],
    /// Whether its `themes.csv` rows with a zero count are left out (`--zeros drop`).
    pub drop_zeros: bool,
}

/// Analyses, renders and assembles a whole document as one block (on a worker): the same path
/// a large document's blocks take, all at once.
pub fn analyse_document(
    doc: usize,
    text: String,
    name: Name<'_>,
    setup: Setup<'_>,
    mode: SegmentMode,
) -> csv::Result<Finished> {
    let Setup {
        matcher, lexicon, ..
    } = setup;
    let id = name.id;
    let bytes = text.len();
    let mut job = BlockJob {
        doc,
        block: Block {
            text,
            body: 0..bytes,
            offset: 0,
            number: 0,
            last: true,
            forced: false,
            sha256: None,
        },
        blank_lines: false,
        plan: None,
        prev: None,
        baton: None,
        prescan: None,
    };
    let block = {
        let analysis = count::analyse(job.block.body(), matcher, &lexicon.contrasts);
        job.plan = (mode != SegmentMode::None).then(|| {
            let tokens = analysis.tokens.len();
            Arc::new(SegmentPlan::whole(mode, &analysis.structure, tokens))
        });
        let start = BlockStart::default();
        render_block(&job, id, analysis, &start, setup)?
    };
    let store = (mode != SegmentMode::None).then_some(Trajectory::InMemory);
    let mut assembly = Assembly::new(id, lexicon, store)?;
    let mut rows = assembly.add(block)?;
    let mut trajectory = Vec::with_capacity(assembly.trajectory_bytes());
    let mut finished = assembly.finish(name, lexicon, matcher, Some(&mut trajectory), 1)?;
    rows.append(finished.rows);
    rows.trajectory = trajectory;
    finished.rows = rows;
    Ok(finished)
}

/// Renders a block's rows and digest from its analysis; its totals move into the result.
fn render_block(
    job: &BlockJob<'_>,
    id: &str,
    owned: count::DocumentAnalysis<'_>,
    start: &BlockStart,
    setup: Setup<'_>,
) -> csv::Result<BlockResult> {
    let Setup {
        matcher,
        lexicon,
        wanted,
        room,
    } = setup;
    let analysis = &owned;
    let block = &job.block;
    let body = block.body();
    let base = Base {
        lead: block.body.start,
        bytes: block.offset,
        sentences: start.sentences,
    };
    let mut rows = DocumentRows::default();
    if wanted.tension {
        csv_out::render_tension(id, &block.text, analysis, lexicon, &base, &mut rows.tension)?;
    }
    if wanted.hits {
        csv_out::render_hits(
            id,
            &block.text,
            analysis,
            lexicon,
            matcher,
            &base,
            &mut rows.hits,
        );
    }

    let mut pieces: Vec<SegmentPart> = Vec::new();
    if let Some(plan) = &job.plan {
        let numbered = segments_in_block(body, &analysis.tokens, &analysis.structure, plan, start);
        let segments: Vec<Segment> = numbered.iter().map(|(_, s)| s.clone()).collect();
        let tallies = count::count_segments(
            analysis,
            &segments,
            &lexicon.contrasts,
            lexicon.themes.len(),
        );
        pieces = numbered
            .into_iter()
            .zip(tallies)
            .map(|((number, s), tally)| SegmentPart {
                number,
                span: block.offset + s.span.start..block.offset + s.span.end,
                tokens: (start.tokens + s.tokens.start) as u64
                    ..(start.tokens + s.tokens.end) as u64,
                tally,
            })
            .collect();
    }
    let final_piece = if pieces.len() >= 2 {
        pieces.pop()
    } else {
        None
    };
    // The first piece may continue a segment of the block before, except in the first block:
    // there it is rendered with the middle ones when a later piece shows it complete.
    let first = if pieces.is_empty() || (block.number == 0 && final_piece.is_some()) {
        None
    } else {
        Some(pieces.remove(0))
    };
    let mut middle = TrajectoryNumbers::default();
    if !pieces.is_empty() {
        let cells = RowCells::new(id, lexicon)?;
        let n = pieces.len();
        middle.tokens.reserve(n);
        middle.poles.reserve(n * lexicon.contrasts.len());
        for (k, p) in pieces.iter().enumerate() {
            csv_out::segment_rows(
                &mut rows.segments,
                &mut rows.segment_themes,
                &cells,
                p.number,
                &p.span,
                &p.tally,
            );
            if k == 0 {
                // The first segment's rows tell what the others need: one allocation instead
                // of a series of doublings, each copying the rows so far.
                rows.segments.reserve(rows.segments.len() * (n - 1));
                rows.segment_themes
                    .reserve(rows.segment_themes.len() * (n - 1));
            }
            middle.push(p);
        }
    }

    let (contrasts, themes) = (&lexicon.contrasts, lexicon.themes.len());
    let mut digest = digest::digest_document(id, body, analysis, contrasts, themes, room);
    for example in digest.examples.iter_mut().chain(digest.tension.iter_mut()) {
        for e in example {
            e.sentence += start.sentences;
        }
    }
    let count::DocumentAnalysis {
        tokens,
        counts,
        term_counts,
        cooccurrence,
        ..
    } = owned;
    crate::tokenize::recycle(tokens);
    Ok(BlockResult {
        doc: job.doc,
        number: block.number,
        last: block.last,
        forced: block.forced,
        prescan: job.prescan.clone(),
        sha256: block.sha256.clone(),
        counts,
        term_counts,
        cooccurrence,
        rows,
        first,
        final_piece,
        middle,
        digest,
    })
}

/// The trajectory numbers of a document's segments, in a temporary file: per segment its
/// tokens (two u64s) and, per contrast, its left and right poles' hits (u64), weight (u64) and
/// sum of squared weights (u128), all little-endian.
struct Spill {
    file: tempfile::NamedTempFile,
    out: BufWriter<File>,
    contrasts: usize,
    /// The folder it is in (the output's temporary folder).
    dir: std::path::PathBuf,
}

impl Spill {
    fn new(dir: &Path, contrasts: usize) -> std::io::Result<Spill> {
        let file = tempfile::Builder::new()
            .prefix(".trajectory-")
            .tempfile_in(dir)?;
        let out = BufWriter::new(file.reopen()?);
        Ok(Spill {
            file,
            out,
            contrasts,
            dir: dir.to_path_buf(),
        })
    }

    /// Bytes of one pole in a record.
    const POLE: usize = 32;

    fn push(
        &mut self,
        tokens: &Range<u64>,
        poles: &[(PoleTally, PoleTally)],
    ) -> std::io::Result<()> {
        self.out.write_all(&tokens.start.to_le_bytes())?;
        self.out.write_all(&tokens.end.to_le_bytes())?;
        for pole in poles.iter().flat_map(|(l, r)| [l, r]) {
            self.out.write_all(&pole.hits.to_le_bytes())?;
            self.out.write_all(&pole.weight.to_le_bytes())?;
            self.out.write_all(&pole.weight_sq.to_le_bytes())?;
        }
        Ok(())
    }

    /// The records for contrast `c`, read back; an I/O error ends them and is kept in `error`.
    fn read<'e>(
        &self,
        c: usize,
        error: &'e RefCell<Option<std::io::Error>>,
    ) -> impl Iterator<Item = TrajectorySegment> + 'e {
        let reader = match self.file.reopen() {
            Ok(f) => Some(BufReader::new(f)),
            Err(e) => {
                *error.borrow_mut() = Some(e);
                None
            }
        };
        let mut record = vec![0u8; 16 + 2 * Self::POLE * self.contrasts];
        let mut reader = reader;
        std::iter::from_fn(move || {
            let r = reader.as_mut()?;
            if let Err(e) = r.read_exact(&mut record) {
                *error.borrow_mut() = Some(e);
                return None;
            }
            let u64_at = |at: usize| {
                let mut b = [0u8; 8];
                b.copy_from_slice(&record[at..at + 8]);
                u64::from_le_bytes(b)
            };
            let pole = |at: usize| {
                let mut sq = [0u8; 16];
                sq.copy_from_slice(&record[at + 16..at + 32]);
                PoleTally {
                    hits: u64_at(at),
                    weight: u64_at(at + 8),
                    weight_sq: u128::from_le_bytes(sq),
                }
            };
            let left = 16 + 2 * Self::POLE * c;
            Some((u64_at(0)..u64_at(8), pole(left), pole(left + Self::POLE)))
        })
    }
}

/// Where a document's trajectory numbers wait until its last segment is known.
enum Store {
    /// A one-block document's numbers, `contrasts` to a segment.
    Memory {
        numbers: TrajectoryNumbers,
        contrasts: usize,
    },
    File(Spill),
}

impl Store {
    fn push(&mut self, p: &SegmentPart) -> std::io::Result<()> {
        match self {
            Store::Memory { numbers, .. } => {
                numbers.push(p);
                Ok(())
            }
            Store::File(spill) => {
                let poles = p.tally.contrasts.iter();
                let poles: Vec<_> = poles.map(|c| (c.left.clone(), c.right.clone())).collect();
                spill.push(&p.tokens, &poles)
            }
        }
    }

    /// Adds the numbers of consecutive segments.
    fn extend(&mut self, more: TrajectoryNumbers) -> std::io::Result<()> {
        match self {
            Store::Memory { numbers, .. } if numbers.tokens.is_empty() => {
                *numbers = more;
                Ok(())
            }
            Store::Memory { numbers, .. } => {
                numbers.tokens.extend_from_slice(&more.tokens);
                numbers.poles.extend_from_slice(&more.poles);
                Ok(())
            }
            Store::File(spill) => (0..more.tokens.len()).try_for_each(|k| {
                let (tokens, poles) = more.get(k);
                spill.push(tokens, poles)
            }),
        }
    }

    fn contrasts(&self) -> usize {
        match self {
            Store::Memory { contrasts, .. } => *contrasts,
            Store::File(spill) => spill.contrasts,
        }
    }

    /// The numbers for contrast `c`, in segment order; an I/O error ends them and is kept in
    /// `error`.
    fn read<'e>(
        &'e self,
        c: usize,
        error: &'e RefCell<Option<std::io::Error>>,
    ) -> Box<dyn Iterator<Item = TrajectorySegment> + 'e> {
        match self {
            Store::Memory { numbers, contrasts } => {
                let per = *contrasts;
                Box::new(numbers.tokens.iter().enumerate().map(move |(k, tokens)| {
                    let (left, right) = &numbers.poles[k * per + c];
                    (tokens.clone(), left.clone(), right.clone())
                }))
            }
            Store::File(spill) => Box::new(spill.read(c, error)),
        }
    }

    /// A folder for temporary files (a spill's own), where there is one.
    fn dir(&self) -> Option<&Path> {
        match self {
            Store::Memory { .. } => None,
            Store::File(spill) => Some(&spill.dir),
        }
    }

    /// Flushes what was written to a file.
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Store::Memory { .. } => Ok(()),
            Store::File(spill) => spill.out.flush(),
        }
    }
}

/// Where an [`Assembly`] keeps a document's trajectory numbers.
#[derive(Clone, Copy, Debug)]
pub enum Trajectory<'a> {
    /// In memory (a document of one block).
    InMemory,
    /// In a temporary file in this folder (a large document: memory stays bounded).
    InFile(&'a Path),
}

/// A large document being put together from its blocks, in order (see the module docs).
pub struct Assembly {
    /// The document's text cells for segment rows.
    cells: RowCells,
    counts: Counts,
    /// Hits and non-negated weight of each term with a hit, by term id.
    terms: Vec<TermCount>,
    cooccurrence: Cooccurrence,
    pending: Option<SegmentPart>,
    segments: usize,
    store: Option<Store>,
    digest: DocDigest,
    /// The document's prescan.
    pub prescan: Option<Prescan>,
    /// The file's SHA-256, with the last block.
    pub sha256: Option<String>,
    /// Whether some block was cut inside a paragraph.
    pub forced: bool,
}

/// A finished large document.
pub struct Finished {
    /// Its summary rows and last segment's rows.
    pub rows: DocumentRows,
    /// Its counts (with `distinct_terms`).
    pub counts: Counts,
    /// Its hits per term, sorted by term.
    pub term_counts: Vec<TermCount>,
    /// Theme co-occurrence.
    pub cooccurrence: Cooccurrence,
    /// What it gives the charts and the report.
    pub digest: DocDigest,
    /// Whether it has no hit ([`count::hitless`]) and no sentence for the report
    /// ([`DocDigest::offers_sentences`]): the writer's sums then read only its size.
    pub hitless: bool,
}

impl Assembly {
    /// Starts document `id`; with segments (`trajectory` given), their trajectory numbers wait
    /// where `trajectory` says.
    pub fn new(
        id: &str,
        lexicon: &Lexicon,
        trajectory: Option<Trajectory<'_>>,
    ) -> csv::Result<Self> {
        // Segment rows and the trajectory are the only rows made of these cells, and there are
        // segments exactly when there is a trajectory to keep (`--segment` other than none).
        let cells = match trajectory {
            Some(_) => RowCells::new(id, lexicon)?,
            None => RowCells::default(),
        };
        Ok(Assembly {
            cells,
            counts: Counts::default(),
            terms: Vec::new(),
            cooccurrence: Cooccurrence::default(),
            pending: None,
            segments: 0,
            store: match trajectory {
                Some(Trajectory::InFile(dir)) => {
                    Some(Store::File(Spill::new(dir, lexicon.contrasts.len())?))
                }
                Some(Trajectory::InMemory) => Some(Store::Memory {
                    numbers: TrajectoryNumbers::default(),
                    contrasts: lexicon.contrasts.len(),
                }),
                None => None,
            },
            digest: DocDigest::default(),
            prescan: None,
            sha256: None,
            forced: false,
        })
    }

    /// About how many bytes the trajectory rows take.
    fn trajectory_bytes(&self) -> usize {
        let segments = self.segments + usize::from(self.pending.is_some());
        self.cells.trajectory_row_bytes() * segments
    }

    /// Writes the pending segment's rows and trajectory numbers.
    fn flush(&mut self, rows: &mut DocumentRows) -> csv::Result<()> {
        if let Some(p) = self.pending.take() {
            csv_out::segment_rows(
                &mut rows.segments,
                &mut rows.segment_themes,
                &self.cells,
                p.number,
                &p.span,
                &p.tally,
            );
            if let Some(store) = self.store.as_mut() {
                store.push(&p)?;
            }
            self.segments += 1;
        }
        Ok(())
    }

    /// Takes the next block; returns the rows to append now.
    pub fn add(&mut self, block: BlockResult) -> csv::Result<DocumentRows> {
        if block.number == 0 {
            // The first block's totals are the document's so far (`distinct_terms` is counted
            // afresh in `finish`).
            self.counts = block.counts;
            self.terms = block.term_counts;
            self.cooccurrence = block.cooccurrence;
        } else {
            self.counts += &block.counts;
            count::merge_term_counts(&mut self.terms, &block.term_counts);
            self.cooccurrence += &block.cooccurrence;
        }
        let d = &mut self.digest;
        digest::keep_first(
            &mut d.examples,
            block.digest.examples,
            digest::EXAMPLES_PER_THEME,
        );
        digest::keep_first(
            &mut d.tension,
            block.digest.tension,
            digest::TENSION_PER_CONTRAST,
        );
        count::add_vec(&mut d.tension_count, &block.digest.tension_count);
        self.forced |= block.forced;
        if block.prescan.is_some() {
            self.prescan = block.prescan;
        }
        if block.sha256.is_some() {
            self.sha256 = block.sha256;
        }

        let mut rows = DocumentRows {
            hits: block.rows.hits,
            tension: block.rows.tension,
            ..DocumentRows::default()
        };
        if let Some(first) = block.first {
            match self.pending.as_mut() {
                Some(p) if p.number == first.number => p.join(first),
                _ => {
                    self.flush(&mut rows)?;
                    self.pending = Some(first);
                }
            }
        }
        if let Some(last) = block.final_piece {
            self.flush(&mut rows)?;
            append_rows(&mut rows.segments, block.rows.segments);
            append_rows(&mut rows.segment_themes, block.rows.segment_themes);
            self.segments += block.middle.tokens.len();
            if let Some(store) = self.store.as_mut() {
                store.extend(block.middle)?;
            }
            self.pending = Some(last);
        }
        Ok(rows)
    }

    /// After the last block: the summary rows and the last segment's rows; the trajectory rows
    /// go to `trajectory` (when there are segments).
    /// Ends the document: its summary rows in the result, its trajectory rows written to
    /// `trajectory` (by up to `jobs` threads).
    pub fn finish<W: Write>(
        mut self,
        name: Name<'_>,
        lexicon: &Lexicon,
        matcher: &Matcher,
        trajectory: Option<W>,
        jobs: usize,
    ) -> csv::Result<Finished> {
        let mut rows = DocumentRows::with_spare_summary();
        self.flush(&mut rows)?;
        let term_counts = self.terms;
        count::count_distinct_terms(&term_counts, matcher, &mut self.counts.themes);
        csv_out::summary_rows(name, &self.counts, lexicon, &mut rows)?;
        if let (Some(mut store), Some(out)) = (self.store, trajectory) {
            store.flush()?;
            let series = write_trajectory(
                out,
                &store,
                &self.cells,
                self.segments,
                self.counts.tokens,
                jobs,
            )?;
            self.digest.series = Some(series);
        }
        self.digest.tokens = self.counts.tokens;
        self.digest.contrasts = self.counts.contrasts.clone();
        let hitless = count::hitless(&self.counts, &term_counts, &self.cooccurrence)
            && !self.digest.offers_sentences();
        Ok(Finished {
            rows,
            counts: self.counts,
            term_counts,
            cooccurrence: self.cooccurrence,
            digest: self.digest,
            hitless,
        })
    }
}

/// Appends `more` to `rows`, without a copy when `rows` is empty.
fn append_rows(rows: &mut Vec<u8>, more: Vec<u8>) {
    if rows.is_empty() {
        *rows = more;
    } else {
        rows.extend_from_slice(&more);
    }
}

/// Writes the trajectory rows of a document analysed in blocks from its spilled numbers. Each
/// contrast's rows read the whole spill three times, after the last block — most of a large
/// document's last step, with the workers idle — so with `jobs` above 1 the first contrast is
/// written straight to `out` while `jobs - 1` threads write the others to temporary files in
/// the spill's folder, copied to `out` after it in contrast order.
fn write_trajectory<W: Write>(
    mut out: W,
    store: &Store,
    cells: &RowCells,
    segments: usize,
    tokens: u64,
    jobs: usize,
) -> csv::Result<Vec<Vec<SeriesPoint>>> {
    let one = |c: usize, out: &mut dyn Write| -> csv::Result<Vec<SeriesPoint>> {
        let error = RefCell::new(None);
        let points = score::trajectory(segments, tokens, || store.read(c, &error));
        let mut kept = Sampler::new(segments);
        csv_out::write_trajectory_rows(out, cells, c, points, |p| kept.see(p))?;
        match error.into_inner() {
            Some(e) => Err(e.into()),
            None => Ok(kept.points),
        }
    };
    let contrasts = store.contrasts();
    let helpers = jobs.saturating_sub(1).min(contrasts.saturating_sub(1));
    let Some(dir) = store.dir().filter(|_| helpers > 0) else {
        return (0..contrasts).map(|c| one(c, &mut out)).collect();
    };
    let next = std::sync::atomic::AtomicUsize::new(1);
    std::thread::scope(|scope| {
        // A helper the system will not start is left out; with none, this thread writes
        // every contrast in turn.
        let handles: Vec<_> = (0..helpers)
            .filter_map(|_| {
                crate::parallel::spawn_in(scope, "trajectory", || {
                    let mut done = Vec::new();
                    loop {
                        let c = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if c >= contrasts {
                            return Ok(done);
                        }
                        let mut file = tempfile::tempfile_in(dir)?;
                        let mut w = BufWriter::new(&mut file);
                        let points = one(c, &mut w)?;
                        w.flush()?;
                        drop(w);
                        file.seek(std::io::SeekFrom::Start(0))?;
                        done.push((c, file, points));
                    }
                })
                .ok()
            })
            .collect();
        let mut series = vec![one(0, &mut out)?];
        if handles.is_empty() {
            for c in 1..contrasts {
                series.push(one(c, &mut out)?);
            }
            return Ok(series);
        }
        let mut rest: Vec<(usize, File, Vec<SeriesPoint>)> = Vec::new();
        for handle in handles {
            let done: csv::Result<Vec<_>> = handle.join().map_err(|_| {
                csv::Error::from(std::io::Error::other("writing the trajectory failed"))
            })?;
            rest.extend(done?);
        }
        rest.sort_by_key(|(c, _, _)| *c);
        for (_, mut file, points) in rest {
            std::io::copy(&mut file, &mut out)?;
            series.push(points);
        }
        Ok(series)
    })
}
