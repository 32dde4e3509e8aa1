//! What the integration tests share.

/// The CSV files of a run, in the order the design lists them.
pub const CSV_FILES: &[&str] = &[
    "documents.csv",
    "themes.csv",
    "contrasts.csv",
    "hits.csv",
    "terms.csv",
    "segments.csv",
    "segment_themes.csv",
    "trajectory.csv",
    "tension.csv",
    "cooccurrence.csv",
    "lexicon_coverage.csv",
];
