//! Partial state: what a part of the corpus leaves for the corpus-level outputs.
//!
//! In: the documents of one part of a corpus (a shard, or the whole corpus in a plain run), as
//! the corpus writer sums them up. Out: a [`State`]: integer totals, the report's digest, the
//! metadata summaries, the tables read, the skipped documents and the part's warnings.
//!
//! Guarantees: [`State::append`] of the states of consecutive parts, in corpus order, is the
//! state of all of them — the same totals, digest and lists as if one writer had seen every
//! document — so a plain run (one part, appended to nothing) and a merge of shards reach the
//! corpus-level outputs through the same state and the same code.

use serde::{Deserialize, Serialize};

use crate::count::CorpusTotals;
use crate::group::sums::SumsState;
use crate::output::digest::{CorpusDigest, MetaColumn};
use crate::output::manifest::{FolderInfo, SkippedInfo, TableInfo};
use crate::shard::Shard;
use crate::table::Notes;
use crate::Config;

/// The state file of a partial result.
pub const STATE_FILE: &str = "state.json";

/// The manifest entries of a partial result's documents, as the manifest's `inputs` list
/// holds them.
pub const INPUTS_FILE: &str = "inputs.json";

/// What a state file says it is.
pub const TOOL: &str = "themescope partial result";

/// The format of the state files this version writes and reads.
pub const FORMAT: u32 = 3;

/// What makes partial results parts of one run: the same options and lexicon, the same input
/// listing, and which shard of how many.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// SHA-256 of every option that changes a byte of the results, the lexicon's checksums
    /// and the `--metadata` table's among them (hex).
    pub options: String,
    /// SHA-256 of the whole input's listing: every document's id and size (hex); for a part,
    /// of its own list's.
    pub listing: String,
    /// Which piece of the corpus.
    pub piece: Piece,
}

/// A piece of a corpus: a shard of one listing, or a part with a list of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Piece {
    /// `--shard K/N`.
    Shard(Shard),
    /// `--files-from LIST --part I`.
    Part(u32),
}

impl Piece {
    /// A position before every document of this piece and after every document of the pieces
    /// before it: pieces are contiguous in corpus order, so a document's position in its piece
    /// plus this orders the documents of all pieces as one run orders them (a shard's tables
    /// may hold any number of rows, so the count of documents before it is not known).
    pub fn first_position(&self) -> usize {
        let index = match self {
            Piece::Shard(s) => s.index,
            Piece::Part(i) => *i,
        };
        (index as usize) << 40
    }
}

impl std::fmt::Display for Piece {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Piece::Shard(s) => write!(f, "shard {s}"),
            Piece::Part(i) => write!(f, "part {i}"),
        }
    }
}

/// A partial result's state file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Part {
    /// Always [`TOOL`].
    pub tool: String,
    /// [`FORMAT`].
    pub format: u32,
    /// The version that wrote it.
    pub version: String,
    /// Whose part it is.
    pub fingerprint: Fingerprint,
    /// The command line of the shard's run (the merge reads its options from it).
    pub arguments: Vec<String>,
    /// Folders of the whole input that could not be read.
    pub unreadable_folders: Vec<FolderInfo>,
    /// The SHA-256 of the `--metadata` table, if any.
    pub metadata_sha256: Option<String>,
    /// The metadata columns as the tables name them.
    pub meta_names: Vec<String>,
    /// The metadata columns as `documents.csv` heads them.
    pub meta_header: Vec<String>,
    /// Entries in [`INPUTS_FILE`].
    pub inputs: u64,
    /// The part's other files (per-document files and [`INPUTS_FILE`]) with their sizes in
    /// bytes: a merge checks that the folder still holds these very files.
    pub files: Vec<(String, u64)>,
    /// What the shard's documents add up to.
    pub state: State,
}

/// The options digest of `config` (see [`Fingerprint::options`]): every setting that changes
/// the bytes of a result, and not those that do not (output folder, threads, charts, quiet).
pub fn options_digest(config: &Config, metadata_sha256: Option<&str>) -> String {
    let lexicon = &config.lexicon;
    let sources: Vec<(&str, &str)> = (lexicon.sources.iter())
        .map(|s| (s.path.as_str(), s.sha256.as_str()))
        .collect();
    let described = format!(
        "version {}\nhits {}\ntension {}\nzeros {}\nsegment {:?}\nexcel {}\nencoding {:?}\ntable {:?}\n\
         metadata {:?}\ngroup-by {:?}\ncluster-by {:?}\nlexicon {sources:?}\ncontrasts {:?}\n\
         negation {:?}\nhyphens {:?}\n",
        env!("CARGO_PKG_VERSION"),
        config.hits,
        config.tension,
        config.drop_zeros,
        config.segment,
        config.excel,
        config.encoding,
        config.table,
        metadata_sha256,
        (config.group_by.iter())
            .map(|g| g.text.as_str())
            .collect::<Vec<_>>(),
        config.cluster_by,
        lexicon.contrasts,
        lexicon.negation,
        lexicon.hyphens(),
    );
    crate::checksum::sha256_hex(described.as_bytes())
}

/// The listing digest of the whole input (see [`Fingerprint::listing`]).
pub fn listing_digest<'a>(documents: impl Iterator<Item = (&'a str, u64)>) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for (id, bytes) in documents {
        hash.update((id.len() as u64).to_le_bytes());
        hash.update(id.as_bytes());
        hash.update(bytes.to_le_bytes());
    }
    crate::checksum::hex(&hash.finalize())
}

/// The corpus-level state of a part of the corpus.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Totals of the part's analysed documents.
    pub totals: CorpusTotals,
    /// What the charts and the report show of them.
    pub digest: CorpusDigest,
    /// What each metadata column holds.
    pub metadata: Vec<MetaColumn>,
    /// Each table read, in corpus order (a table split between parts: once).
    pub tables: Vec<TableRead>,
    /// Documents skipped, in corpus order.
    pub skipped: Vec<SkippedInfo>,
    /// Warnings about the part's documents and tables, in the order they arose.
    pub warnings: Vec<String>,
    /// The bytes of the part's analysed documents.
    pub bytes: u64,
    /// The sums of every `--group-by`, and the corpus's bootstrap.
    pub groups: SumsState,
    /// How the documents used the `--metadata` table.
    pub sidecar: Option<SidecarUse>,
    /// Table rows whose id was given before, made unique with `~2`, `~3`…
    pub renamed: u64,
}

/// A table read, or the piece of it a part read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableRead {
    /// Its place in the whole input's listing (the same file given twice is two tables).
    pub listed: u64,
    /// Whether this is a later piece of a table split between shards (its window starts after
    /// the table's first byte): it joins the piece before it, of the same table. A `--part`'s
    /// tables, never split, each start a table of their own.
    pub continues: bool,
    /// The manifest's record: the rows of the piece; the checksum from the piece that holds
    /// the table's first byte.
    pub info: TableInfo,
    /// What its warnings say.
    pub notes: Notes,
}

impl TableRead {
    /// The warnings about the table (or its piece), each naming it.
    pub fn warnings(&self) -> impl Iterator<Item = String> + '_ {
        (self.notes.warnings().into_iter()).map(|w| format!("{}: {w}", self.info.path))
    }

    /// Adds the piece of the same table that follows this one.
    fn append(&mut self, other: TableRead) {
        self.info.rows += other.info.rows;
        self.info.skipped_rows += other.info.skipped_rows;
        if self.info.sha256.is_empty() {
            self.info.sha256 = other.info.sha256;
        }
        self.notes.append(other.notes);
    }
}

/// How documents used the `--metadata` table: what its warnings about the whole input say.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SidecarUse {
    /// The table, as messages show it.
    pub shown: String,
    /// Its rows.
    pub rows: u64,
    /// Documents it has no row for.
    pub missing: u64,
    /// The ids of its rows that named a document, sorted.
    pub used: Vec<String>,
}

impl State {
    /// An empty state for `terms` lexicon terms and the metadata columns `meta_header`.
    pub fn new(terms: usize, meta_header: &[String]) -> State {
        State {
            totals: CorpusTotals::new(terms),
            metadata: meta_header.iter().map(|c| MetaColumn::new(c)).collect(),
            ..State::default()
        }
    }

    /// Adds the state of the part that follows this one in the corpus.
    pub fn append(&mut self, other: State) {
        self.totals += &other.totals;
        self.digest.append(other.digest);
        if self.metadata.len() < other.metadata.len() {
            self.metadata
                .resize(other.metadata.len(), MetaColumn::default());
        }
        for (mine, theirs) in self.metadata.iter_mut().zip(&other.metadata) {
            if mine.name.is_empty() {
                mine.name.clone_from(&theirs.name);
            }
            mine.merge(theirs);
        }
        for table in other.tables {
            match self.tables.last_mut() {
                Some(last) if table.continues && last.listed == table.listed => last.append(table),
                _ => self.tables.push(table),
            }
        }
        self.skipped.extend(other.skipped);
        self.warnings.extend(other.warnings);
        self.bytes += other.bytes;
        self.groups.append(other.groups);
        self.sidecar = match (self.sidecar.take(), other.sidecar) {
            (Some(mut mine), Some(theirs)) => {
                mine.missing += theirs.missing;
                mine.used.extend(theirs.used);
                mine.used.sort_unstable();
                mine.used.dedup();
                Some(mine)
            }
            (mine, theirs) => mine.or(theirs),
        };
        self.renamed += other.renamed;
    }

    /// The warnings about the whole input: what the tables' rows found, documents the
    /// `--metadata` table has no row for, its rows that name no document, table rows whose id
    /// was given before.
    pub fn whole_input_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        for table in &self.tables {
            warnings.extend(table.warnings());
        }
        if let Some(s) = &self.sidecar {
            if s.missing > 0 {
                warnings.push(format!(
                    "{}: {} documents have no row there; their metadata cells are empty",
                    s.shown, s.missing
                ));
            }
            let unused = s.rows.saturating_sub(s.used.len() as u64);
            if unused > 0 {
                warnings.push(format!(
                    "{}: {unused} rows name no document of the run",
                    s.shown
                ));
            }
        }
        if self.renamed > 0 {
            warnings.push(format!(
                "{} table rows had an id given before; each got ~2, ~3… appended",
                self.renamed
            ));
        }
        warnings
    }
}
