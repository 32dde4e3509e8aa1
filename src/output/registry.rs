//! The list of CSV files a run writes: one entry per file, with its columns, where its rows
//! come from and which options make it.
//!
//! In: nothing (a static table). Out: [`CSV_FILES`], read by the corpus writer (which files to
//! open, which rows go where), by the report and the manifest (through the files written) and
//! by the tests. Adding a CSV file means adding an entry here and its renderer.
//!
//! Guarantees: the table's order is the order in which the files are created, so the order of
//! `manifest.json`'s `files` and of the report's links; per-document files come first (their
//! rows are appended as documents are analysed), corpus files after (written once at the end).

use std::io::Write;

use super::csv::{self as csv_out, DocumentRows};
use super::groups as group_out;
pub use super::Corpus;
use crate::lexicon::Lexicon;

/// A file's columns.
#[derive(Clone, Copy)]
pub enum Columns {
    /// Always the same.
    Fixed(&'static [&'static str]),
    /// Named after the lexicon's themes and contrasts.
    Lexicon(fn(&Lexicon) -> Vec<String>),
}

impl Columns {
    /// The header row for `lexicon`.
    pub fn header(&self, lexicon: &Lexicon) -> Vec<String> {
        match self {
            Columns::Fixed(columns) => columns.iter().map(|c| c.to_string()).collect(),
            Columns::Lexicon(columns) => columns(lexicon),
        }
    }
}

/// Renders corpus-level rows (no header).
pub type CorpusRows = fn(&mut dyn Write, &Corpus<'_>) -> csv::Result<()>;

/// Where a file's rows come from.
#[derive(Clone, Copy)]
pub enum Rows {
    /// Each document's rows, in document order, then (optionally) rows for the whole corpus.
    PerDocument {
        /// A document's rows for this file.
        select: fn(&DocumentRows) -> &[u8],
        /// The corpus rows that close the file.
        corpus: Option<CorpusRows>,
    },
    /// Rows for the whole corpus only, written after the last document.
    Corpus(CorpusRows),
}

/// Which runs write a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Every run.
    Always,
    /// Unless `--hits none`.
    Hits,
    /// Unless `--tension none`.
    Tension,
    /// Unless `--segment none`.
    Segments,
    /// With `--group-by`.
    Groups,
}

/// What decides which files a run writes.
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    /// `--hits all`.
    pub hits: bool,
    /// `--tension all`.
    pub tension: bool,
    /// `--segment` other than `none`.
    pub segments: bool,
    /// Any `--group-by`.
    pub groups: bool,
}

impl Wanted {
    /// Every file (the defaults, and a `--group-by`).
    pub const ALL: Wanted = Wanted {
        hits: true,
        tension: true,
        segments: true,
        groups: true,
    };
}

/// One CSV file of a result set.
#[derive(Clone, Copy)]
pub struct CsvFile {
    /// File name in the output folder.
    pub name: &'static str,
    /// Its header.
    pub columns: Columns,
    /// Its rows.
    pub rows: Rows,
    /// Which runs write it.
    pub when: When,
}

impl CsvFile {
    /// Whether a run with `wanted` writes this file.
    pub fn written(&self, wanted: Wanted) -> bool {
        match self.when {
            When::Always => true,
            When::Hits => wanted.hits,
            When::Tension => wanted.tension,
            When::Segments => wanted.segments,
            When::Groups => wanted.groups,
        }
    }
}

impl std::fmt::Debug for CsvFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvFile")
            .field("name", &self.name)
            .field("when", &self.when)
            .finish_non_exhaustive()
    }
}

/// Every CSV file, in the order written.
pub const CSV_FILES: &[CsvFile] = &[
    CsvFile {
        name: "documents.csv",
        columns: Columns::Lexicon(csv_out::documents_header),
        rows: Rows::PerDocument {
            select: |r| &r.documents,
            corpus: None,
        },
        when: When::Always,
    },
    CsvFile {
        name: "themes.csv",
        columns: Columns::Fixed(csv_out::THEMES),
        rows: Rows::PerDocument {
            select: |r| &r.themes,
            corpus: None,
        },
        when: When::Always,
    },
    CsvFile {
        name: "contrasts.csv",
        columns: Columns::Fixed(csv_out::CONTRASTS),
        rows: Rows::PerDocument {
            select: |r| &r.contrasts,
            corpus: Some(|w, c| csv_out::write_corpus_contrasts(w, c.lexicon, c.totals, c.scores)),
        },
        when: When::Always,
    },
    CsvFile {
        name: "tension.csv",
        columns: Columns::Fixed(csv_out::TENSION),
        rows: Rows::PerDocument {
            select: |r| &r.tension,
            corpus: None,
        },
        when: When::Tension,
    },
    CsvFile {
        name: "hits.csv",
        columns: Columns::Fixed(csv_out::HITS),
        rows: Rows::PerDocument {
            select: |r| &r.hits,
            corpus: None,
        },
        when: When::Hits,
    },
    CsvFile {
        name: "segments.csv",
        columns: Columns::Fixed(csv_out::SEGMENTS),
        rows: Rows::PerDocument {
            select: |r| &r.segments,
            corpus: None,
        },
        when: When::Segments,
    },
    CsvFile {
        name: "segment_themes.csv",
        columns: Columns::Fixed(csv_out::SEGMENT_THEMES),
        rows: Rows::PerDocument {
            select: |r| &r.segment_themes,
            corpus: None,
        },
        when: When::Segments,
    },
    CsvFile {
        name: "trajectory.csv",
        columns: Columns::Fixed(csv_out::TRAJECTORY),
        rows: Rows::PerDocument {
            select: |r| &r.trajectory,
            corpus: None,
        },
        when: When::Segments,
    },
    CsvFile {
        name: "terms.csv",
        columns: Columns::Fixed(csv_out::TERMS),
        rows: Rows::Corpus(|w, c| csv_out::write_terms(w, c.lexicon, c.matcher, c.totals)),
        when: When::Always,
    },
    CsvFile {
        name: "cooccurrence.csv",
        columns: Columns::Fixed(csv_out::COOCCURRENCE),
        rows: Rows::Corpus(|w, c| csv_out::write_cooccurrence(w, c.lexicon, c.totals)),
        when: When::Always,
    },
    CsvFile {
        name: "lexicon_coverage.csv",
        columns: Columns::Fixed(csv_out::COVERAGE),
        rows: Rows::Corpus(|w, c| csv_out::write_coverage(w, c.lexicon, c.matcher, c.totals)),
        when: When::Always,
    },
    CsvFile {
        name: "groups.csv",
        columns: Columns::Fixed(group_out::GROUPS),
        rows: Rows::Corpus(|w, c| group_out::write_groups(w, c.lexicon, c.grouped)),
        when: When::Groups,
    },
    CsvFile {
        name: "group_contrasts.csv",
        columns: Columns::Fixed(group_out::GROUP_CONTRASTS),
        rows: Rows::Corpus(|w, c| group_out::write_group_contrasts(w, c.lexicon, c.grouped)),
        when: When::Groups,
    },
    CsvFile {
        name: "keyness.csv",
        columns: Columns::Fixed(group_out::KEYNESS),
        rows: Rows::Corpus(|w, c| group_out::write_keyness(w, c.lexicon, c.grouped)),
        when: When::Groups,
    },
    CsvFile {
        name: "keyness_terms.csv",
        columns: Columns::Fixed(group_out::KEYNESS_TERMS),
        rows: Rows::Corpus(|w, c| {
            group_out::write_keyness_terms(w, c.lexicon, c.matcher, c.grouped)
        }),
        when: When::Groups,
    },
];

/// The file written as `name`, if any.
pub fn csv_file(name: &str) -> Option<&'static CsvFile> {
    CSV_FILES.iter().find(|f| f.name == name)
}

/// The report's file name.
pub const REPORT: &str = "report.html";

/// The folder of the charts.
pub const CHARTS: &str = "charts";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_created_in_the_manifests_order() {
        let names: Vec<&str> = CSV_FILES.iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "documents.csv",
                "themes.csv",
                "contrasts.csv",
                "tension.csv",
                "hits.csv",
                "segments.csv",
                "segment_themes.csv",
                "trajectory.csv",
                "terms.csv",
                "cooccurrence.csv",
                "lexicon_coverage.csv",
                "groups.csv",
                "group_contrasts.csv",
                "keyness.csv",
                "keyness_terms.csv",
            ]
        );
        let per_document = |f: &&CsvFile| matches!(f.rows, Rows::PerDocument { .. });
        let first_corpus = CSV_FILES.iter().position(|f| !per_document(&f)).unwrap();
        assert!(
            CSV_FILES[first_corpus..].iter().all(|f| !per_document(&f)),
            "per-document files first"
        );
    }

    #[test]
    fn options_choose_the_files() {
        let count = |hits, tension, segments, groups| {
            CSV_FILES
                .iter()
                .filter(|f| {
                    f.written(Wanted {
                        hits,
                        tension,
                        segments,
                        groups,
                    })
                })
                .count()
        };
        assert_eq!(count(true, true, true, false), 11);
        assert_eq!(count(false, true, true, false), 10);
        assert_eq!(count(true, false, true, false), 10);
        assert_eq!(count(true, true, false, false), 8);
        assert_eq!(count(false, true, false, false), 7);
        assert_eq!(count(false, false, false, false), 6);
        assert_eq!(count(true, true, true, true), 15);
        assert_eq!(csv_file("hits.csv").unwrap().when, When::Hits);
        assert_eq!(csv_file("tension.csv").unwrap().when, When::Tension);
        assert!(csv_file("report.html").is_none());
    }
}
