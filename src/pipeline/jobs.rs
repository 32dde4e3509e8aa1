//! The jobs of a run, in order: whole documents, the blocks of large ones, the rows of tables.
//!
//! In: the ordered documents (all of the input's, or a shard's [`Share`] with its windows of
//! tables split by rows) and the config. Out: an iterator of [`Job`]s, pulled on the reader
//! thread of [`parallel::for_each_ordered`]. A document up to `--block-size` is one job (read by
//! the worker); a larger one is prescanned here, then read block by block, a few blocks ahead of
//! the workers, each block a job that relays its running offsets to the next; a table's rows are
//! read here, [`ROWS_PER_JOB`] to a job.
//! Guarantees: jobs come in document order, blocks in file order; a document that cannot be
//! read becomes [`Job::Unreadable`], saying whether part of it was already handed out; a row's
//! id is made unique against every file's id and the ids of its table's rows before it, also
//! those before a shard's window (read for their ids only), so that it is the id one run gives.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::assemble;
use crate::corpus::{self, DocumentSource, SkipReason};
use crate::faults::Faults;
use crate::output::manifest;
use crate::parallel;
use crate::partial::TableRead;
use crate::segment::{self, SegmentMode};
use crate::table::TableReader;
use crate::tokenize;
use crate::Config;

use super::idset::IdSet;
use super::returns::Returns;

/// Who a document is, as every output names it, and where it came from: carried by each of its
/// jobs and outcomes, so that no later stage looks a document up by number.
#[derive(Debug)]
pub struct Origin {
    /// The id used in every output.
    pub id: String,
    /// The file it is read from.
    pub path: PathBuf,
    /// Where it is, as messages and the manifest show it (a table row: `table.csv:12`).
    pub location: String,
    /// Its metadata cells, one per metadata column of the run (empty for a plain file).
    pub meta: Vec<String>,
}

impl Origin {
    /// The origin of the document (or table) `source`, with its metadata cells `meta`.
    pub fn of(source: &DocumentSource, meta: Vec<String>) -> Arc<Origin> {
        Arc::new(Origin {
            id: source.id.clone(),
            path: source.path.clone(),
            location: corpus::text_of(source.path.as_os_str()).into_owned(),
            meta,
        })
    }
}

/// An id as a 128-bit hash, for telling whether it was given before: SipHash-1-3 of the id
/// after a byte 0, and after a byte 1, under one key. The set of ids given keeps its first 96
/// bits ([`IdSet`]): two different ids share them with a probability of about 2⁻⁹⁷ per pair —
/// for a billion ids, about 10⁻¹¹ in all: that an id would wrongly get a `~2` is astronomically
/// unlikely, and the set holds about 14 bytes per id however long the ids are.
pub fn id_key(id: &str) -> u128 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::OnceLock;
    // A key drawn once per process: the set is neither kept nor compared across runs, and a
    // key no one knows keeps a table from being made to collide on purpose.
    static KEY: OnceLock<std::hash::RandomState> = OnceLock::new();
    let key = KEY.get_or_init(Default::default);
    let half = |domain: u8| {
        let mut h = key.build_hasher();
        h.write_u8(domain);
        h.write(id.as_bytes());
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

/// The largest text of a table row: a row's text is analysed whole, in memory (a file is read
/// in blocks); a larger one is skipped with a message saying to make it a file of its own.
pub const MAX_ROW_TEXT: usize = 64 << 20;

/// A row of a table: a document whose text is at hand, or why the row is no document.
pub struct Row {
    /// The document's number.
    pub doc: usize,
    /// Which document.
    pub origin: Arc<Origin>,
    /// Its text, or why the row was skipped.
    pub text: std::result::Result<String, SkipReason>,
}

/// Rows of a table handed to a worker at once: a row is a small job, and one at a time the
/// threads would spend more time handing rows over than analysing them.
pub const ROWS_PER_JOB: usize = 64;

/// The most origins handed back that wait to be filled anew (more than the rows in flight).
const SPARE_ORIGINS: usize = 4096;

/// A unit of work: a whole document, or one block of a large one.
pub enum Job<'r> {
    /// Rows of a table, in order.
    Rows(Vec<Row>),
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

/// The metadata columns of a run: as the tables name them, as `documents.csv` heads them, and
/// the `--metadata` table's cells by document id.
#[derive(Debug, Default)]
pub struct Metadata {
    /// The columns as the tables name them, in order.
    pub names: Vec<String>,
    /// The columns as `documents.csv` heads them.
    pub header: Vec<String>,
    /// The `--metadata` table, if any.
    pub sidecar: Option<Sidecar>,
}

/// The `--metadata` table, ready to fill documents' cells.
#[derive(Debug)]
pub struct Sidecar {
    /// Its path, for messages.
    pub shown: String,
    /// Where each of its columns goes among the run's.
    pub places: Vec<usize>,
    /// Each document id's cells, in the order of its columns.
    pub rows: std::collections::HashMap<String, Vec<String>>,
}

/// What reading the tables found, gathered on the reader thread: the tables read, with what
/// their warnings say.
#[derive(Debug, Default)]
pub struct TablesFound {
    /// One record per table read (or the piece of it that the shard reads).
    pub tables: Arc<Mutex<Vec<TableRead>>>,
    /// How the documents used the `--metadata` table, and the rows made unique: set when the
    /// jobs are done.
    pub whole_input: Arc<Mutex<(Option<crate::partial::SidecarUse>, u64)>>,
}

/// The documents a run analyses: all of the input's, or a shard's.
#[derive(Clone, Copy, Debug)]
pub struct Share<'a> {
    /// The documents, in order.
    pub documents: &'a [DocumentSource],
    /// For each, the rows it takes of a table split between shards (`None`: all of it).
    pub windows: &'a [Option<Range<u64>>],
    /// The whole input's documents (a shard's are a range of them).
    pub listing: &'a [DocumentSource],
    /// The place of the first document in the listing.
    pub first: usize,
}

impl<'a> Share<'a> {
    /// All the documents of `listing`.
    pub fn whole(listing: &'a [DocumentSource]) -> Share<'a> {
        Share {
            documents: listing,
            windows: &[],
            listing,
            first: 0,
        }
    }
}

/// A table being read, row by row.
struct OpenTable {
    reader: TableReader,
    /// Its place in the whole input's listing.
    listed: u64,
    /// The rows it takes, when the table is split between shards.
    window: Option<Range<u64>>,
    /// The table's id (its rows' ids start with it) and where it is.
    source: Arc<Origin>,
    /// Where each of the table's metadata columns goes among the run's.
    places: Vec<usize>,
    /// Whether row ids from the id column are prefixed with the table's id (the run reads
    /// more than one INPUT, or the table is inside a folder).
    prefixed: bool,
    /// Rows read as documents, and rows skipped.
    rows: u64,
    skipped: u64,
}

/// The jobs of a run, in order: documents up to `--block-size` whole (read by the worker), larger
/// ones block by block, and tables row by row (read here, on the reader thread of
/// [`parallel::for_each_ordered`], a few blocks or rows ahead of the workers).
pub struct Jobs<'a, 'r> {
    share: Share<'a>,
    config: &'a Config,
    faults: &'a Faults,
    relay: &'r parallel::Relay<segment::BlockStart>,
    /// The metadata columns of the run, in order.
    meta_columns: &'a [String],
    /// The `--metadata` table, if any.
    sidecar: Option<&'a Sidecar>,
    /// Ids of the `--metadata` table that named a document, and documents it had no row for.
    sidecar_used: HashSet<&'a str>,
    sidecar_missing: usize,
    next_source: usize,
    next_doc: usize,
    open: Option<OpenDocument>,
    table: Option<OpenTable>,
    /// Every id given so far (file documents' included), to keep row ids unique: as hashes
    /// ([`id_key`]) in a compact set, not as text, so that a table of millions of rows does not
    /// keep its ids in memory to the end.
    ids: IdSet,
    /// Row ids made unique with `~2`…
    renamed: usize,
    /// The tables read.
    tables: Arc<Mutex<Vec<TableRead>>>,
    whole_input: Arc<Mutex<(Option<crate::partial::SidecarUse>, u64)>>,
    key: u64,
    /// Where the writer hands back the origins it is done with, and those taken back, to fill
    /// anew: a row's origin costs no allocation of its own then.
    returns: Option<&'r Returns>,
    spare: Vec<Arc<Origin>>,
}

impl<'a, 'r> Jobs<'a, 'r> {
    /// The jobs of the documents of `share`; rows of tables get cells for `meta_columns`, and
    /// what reading the tables finds goes to `found`.
    pub fn new(
        share: Share<'a>,
        meta: &'a Metadata,
        config: &'a Config,
        faults: &'a Faults,
        relay: &'r parallel::Relay<segment::BlockStart>,
        found: &TablesFound,
    ) -> Self {
        Jobs {
            share,
            config,
            faults,
            relay,
            meta_columns: &meta.names,
            sidecar: meta.sidecar.as_ref(),
            sidecar_used: HashSet::new(),
            sidecar_missing: 0,
            next_source: 0,
            next_doc: 0,
            open: None,
            table: None,
            // Every file's id, those of other shards too: a row's id is made unique against
            // them as in one run.
            ids: (share.listing.iter())
                .filter(|d| !d.table)
                .map(|d| id_key(&d.id))
                .collect(),
            renamed: 0,
            tables: Arc::clone(&found.tables),
            whole_input: Arc::clone(&found.whole_input),
            key: 0,
            returns: None,
            spare: Vec::new(),
        }
    }

    /// Takes back the origins the writer hands to `returns`, to fill them anew.
    pub fn returning(mut self, returns: &'r Returns) -> Self {
        self.returns = Some(returns);
        self
    }

    /// Takes back the origins the writer handed back; those beyond [`SPARE_ORIGINS`] (a run of
    /// files, whose origins are not filled anew) are dropped here, where they were made.
    fn take_back(&mut self) {
        if let Some(returns) = self.returns {
            returns.origins(&mut self.spare);
        }
        self.spare.truncate(SPARE_ORIGINS);
    }

    /// An origin to fill: one handed back by the writer when there is one (its buffers kept),
    /// else a new one.
    fn spare_origin(&mut self) -> Arc<Origin> {
        while let Some(mut origin) = self.spare.pop() {
            if Arc::get_mut(&mut origin).is_some() {
                return origin;
            }
        }
        Arc::new(Origin {
            id: String::new(),
            path: PathBuf::new(),
            location: String::new(),
            meta: Vec::new(),
        })
    }

    /// The origin of the plain file `source`, its metadata from the `--metadata` table.
    fn origin_of(&mut self, source: &DocumentSource) -> Arc<Origin> {
        let mut cells = vec![String::new(); self.meta_columns.len()];
        self.fill(&source.id, &mut cells);
        Origin::of(source, cells)
    }

    /// Fills the empty `cells` of document `id` from the `--metadata` table, counting a document
    /// it has no row for.
    fn fill(&mut self, id: &str, cells: &mut [String]) {
        let Some(sidecar) = self.sidecar else {
            return;
        };
        let Some((key, row)) = sidecar.rows.get_key_value(id) else {
            self.sidecar_missing += 1;
            return;
        };
        self.sidecar_used.insert(key.as_str());
        for (cell, &place) in row.iter().zip(&sidecar.places) {
            if cells[place].is_empty() {
                cells[place].clone_from(cell);
            }
        }
    }

    /// Opens the table `source`, the `index`-th document of the share, for the rows it takes
    /// (its columns were checked when the run started).
    fn open_table(&self, source: &DocumentSource, index: usize) -> crate::Result<OpenTable> {
        let window = self.share.windows.get(index).cloned().flatten();
        let reader = TableReader::open_window(&source.path, &self.config.table, window.clone())?;
        let places = reader
            .meta_columns()
            .iter()
            .map(|c| self.meta_columns.iter().position(|m| m == c).unwrap_or(0))
            .collect();
        let direct = self.config.inputs.iter().any(|i| i == &source.path);
        Ok(OpenTable {
            reader,
            listed: (self.share.first + index) as u64,
            window,
            source: Origin::of(source, Vec::new()),
            places,
            prefixed: !direct || self.config.inputs.len() > 1,
            rows: 0,
            skipped: 0,
        })
    }

    /// The record of a table read to its end (or its window's): its manifest entry and notes.
    fn close_table(&self, table: OpenTable) {
        // The piece of a split table that holds its first byte checksums it.
        let first = holds_first_byte(&table.window);
        let size = std::fs::metadata(&table.source.path).map_or(0, |m| m.len());
        let (bytes, sha256) = match (first, table.reader.read_so_far()) {
            // Read to its end: its bytes were hashed as they were read.
            (true, Some((read, sha256))) if read == size => (read, sha256),
            (true, _) => crate::checksum::sha256_file(&table.source.path).unwrap_or_default(),
            (false, _) => (size, String::new()),
        };
        let info = manifest::TableInfo {
            path: table.source.location.clone(),
            bytes,
            sha256,
            rows: table.rows,
            skipped_rows: table.skipped,
            text_columns: match self.config.table.text_columns.is_empty() {
                true => vec!["text".to_string()],
                false => self.config.table.text_columns.clone(),
            },
            id_column: self.config.table.id_column.clone(),
            meta_columns: table.reader.meta_columns().to_vec(),
        };
        if let Ok(mut t) = self.tables.lock() {
            t.push(TableRead {
                listed: table.listed,
                continues: !first,
                info,
                notes: table.reader.notes(),
            });
        }
    }

    /// The next job of the open table, if it has rows left.
    fn next_row(&mut self) -> Option<Row> {
        loop {
            let table = self.table.as_mut()?;
            let Some(item) = table.reader.next() else {
                let table = self.table.take()?;
                self.close_table(table);
                return None;
            };
            if let Some(row) = self.row(item) {
                return Some(row);
            }
        }
    }

    /// The document of a row of the open table; `None` for a row before the table's window,
    /// which only takes its id (so that the ids after it are made unique as in one run).
    fn row(&mut self, item: crate::table::Item) -> Option<Row> {
        let table = self.table.as_mut()?;
        let byte = match &item {
            Ok(row) => row.byte,
            Err(bad) => bad.byte,
        };
        let before = table.window.as_ref().is_some_and(|w| byte < w.start);
        let read = item.is_ok();
        // A bad row's id is by its line (its cells, the id among them, are not to be trusted).
        let (line, number, id_cell, text, meta) = match item {
            Ok(row) if row.text.len() > MAX_ROW_TEXT => {
                let reason = format!(
                    "its text is {:.1} MB, more than the {} MB a table cell may hold: save it as a file of its own (files are read in blocks)",
                    row.text.len() as f64 / f64::from(1 << 20),
                    MAX_ROW_TEXT >> 20
                );
                (row.line, row.number, row.id, Err(reason), row.meta)
            }
            Ok(row) => (row.line, row.number, row.id, Ok(row.text), row.meta),
            Err(bad) => (bad.line, bad.line, None, Err(bad.reason), Vec::new()),
        };
        let base = match id_cell.filter(|c| !c.is_empty()) {
            Some(cell) if table.prefixed => format!("{}/{cell}", table.source.id),
            Some(cell) => cell,
            None => format!("{}#{number}", table.source.id),
        };
        let (id, k) = self.unique(base);
        if before {
            return None;
        }
        let mut origin = self.spare_origin();
        let table = self.table.as_mut()?;
        match read {
            true => table.rows += 1,
            false => table.skipped += 1,
        }
        let doc = self.next_doc;
        self.next_doc += 1;
        self.renamed += usize::from(k > 2);
        // Every field of the origin filled anew, in the buffers it has.
        let o = Arc::get_mut(&mut origin)?;
        match o.meta.len() == self.meta_columns.len() {
            true => o.meta.iter_mut().for_each(String::clear),
            false => {
                o.meta.clear();
                o.meta.resize(self.meta_columns.len(), String::new());
            }
        }
        for (cell, &place) in meta.into_iter().zip(&table.places) {
            o.meta[place] = cell;
        }
        o.location.clear();
        let _ = write!(o.location, "{}:{line}", table.source.location);
        o.path.clone_from(&table.source.path);
        o.id = id;
        if text.is_ok() {
            self.fill(&o.id, &mut o.meta);
        }
        Some(Row {
            doc,
            origin,
            text: text.map_err(SkipReason::BadRow),
        })
    }

    /// `base`, or the first of `base~2`, `base~3`… not given before, now given; and the number
    /// after the last one tried (2 when `base` was free).
    fn unique(&mut self, base: String) -> (String, usize) {
        if self.ids.insert(id_key(&base)) {
            return (base, 2);
        }
        let mut k = 2;
        loop {
            let id = format!("{base}~{k}");
            k += 1;
            if self.ids.insert(id_key(&id)) {
                return (id, k);
            }
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
        self.take_back();
        loop {
            if self.table.is_some() {
                let mut rows = Vec::with_capacity(ROWS_PER_JOB);
                while rows.len() < ROWS_PER_JOB {
                    match self.next_row() {
                        Some(job) => rows.push(job),
                        None => break,
                    }
                }
                if rows.is_empty() {
                    continue;
                }
                return Some(Job::Rows(rows));
            }
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
            let index = self.next_source;
            let source = self.share.documents.get(index)?;
            self.next_source += 1;
            if source.table {
                match self.open_table(source, index) {
                    Ok(table) => self.table = Some(table),
                    // A table split between shards is skipped by the one holding its start.
                    Err(_)
                        if !holds_first_byte(&self.share.windows.get(index).cloned().flatten()) => {
                    }
                    Err(e) => {
                        let doc = self.next_doc;
                        self.next_doc += 1;
                        return Some(Job::Unreadable {
                            doc,
                            origin: self.origin_of(source),
                            reason: SkipReason::Unreadable(e.to_string()),
                            part_way: false,
                        });
                    }
                }
                continue;
            }
            let doc = self.next_doc;
            self.next_doc += 1;
            let origin = self.origin_of(source);
            // A compressed document is read whole, decompressed, by the worker.
            let large = !corpus::is_compressed(&source.path)
                && std::fs::metadata(&source.path)
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

/// Whether the piece `window` of a table holds its first byte (all of it does).
fn holds_first_byte(window: &Option<Range<u64>>) -> bool {
    window.as_ref().is_none_or(|w| w.start == 0)
}

impl Drop for Jobs<'_, '_> {
    /// How the `--metadata` table was used and how many row ids were made unique, for the
    /// warnings about the whole input (made once the parts of a corpus are together).
    fn drop(&mut self) {
        let sidecar = self.sidecar.map(|sidecar| {
            let mut used: Vec<String> = self.sidecar_used.iter().map(|s| s.to_string()).collect();
            used.sort_unstable();
            crate::partial::SidecarUse {
                shown: sidecar.shown.clone(),
                rows: sidecar.rows.len() as u64,
                missing: self.sidecar_missing as u64,
                used,
            }
        });
        if let Ok(mut w) = self.whole_input.lock() {
            *w = (sidecar, self.renamed as u64);
        }
    }
}
