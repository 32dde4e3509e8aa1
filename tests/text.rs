//! Through the text: segments in every mode, trajectories, negation, tension and co-occurrence,
//! checked on hand-computed cases and by properties (segment counts add up to the document's).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use themescope::lexicon::Lexicon;
use themescope::segment::SegmentMode;

mod common;
use common::{fixture, fixture_lexicon, rows};

fn run(inputs: Vec<PathBuf>, lexicon: Lexicon, segment: SegmentMode) -> tempfile::TempDir {
    common::run_with(inputs, lexicon, |c| {
        c.segment = segment;
        c.jobs = 2;
    })
}

fn num(row: &HashMap<String, String>, col: &str) -> u64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col} in {row:?}"))
}

/// Checks that every segment file adds up to the document-level files.
fn assert_segments_add_up(dir: &Path) {
    let docs = rows(dir, "documents.csv");
    let themes = rows(dir, "themes.csv");
    let contrasts = rows(dir, "contrasts.csv");
    let segments = rows(dir, "segments.csv");
    let segment_themes = rows(dir, "segment_themes.csv");
    for doc in &docs {
        let id = &doc["document"];
        for c in contrasts.iter().filter(|c| &c["document"] == id) {
            let mine: Vec<_> = segments
                .iter()
                .filter(|s| &s["document"] == id && s["contrast"] == c["contrast"])
                .collect();
            let numbers: Vec<u64> = mine.iter().map(|s| num(s, "segment")).collect();
            assert_eq!(
                numbers,
                (0..mine.len() as u64).collect::<Vec<_>>(),
                "{id}: segments numbered from 0"
            );
            let sum = |col: &str| mine.iter().map(|s| num(s, col)).sum::<u64>();
            assert_eq!(sum("tokens"), num(doc, "tokens"), "{id}: tokens");
            for col in ["left_hits", "right_hits", "tension_sentences"] {
                assert_eq!(sum(col), num(c, col), "{id} {}: {col}", c["contrast"]);
            }
        }
        for t in themes.iter().filter(|t| &t["document"] == id) {
            let sum: u64 = segment_themes
                .iter()
                .filter(|s| &s["document"] == id && s["theme"] == t["theme"])
                .map(|s| num(s, "count"))
                .sum();
            assert_eq!(sum, num(t, "count"), "{id} {}", t["theme"]);
        }
    }
}

const MODES: &[&str] = &[
    "paragraph",
    "sentence",
    "lines:1",
    "lines:7",
    "words:25",
    "words:1",
    "parts:1",
    "parts:10",
];

#[test]
fn segment_counts_add_up_in_every_mode() {
    let essay = common::essay();
    let kjv = common::kjv_books(8).pop().unwrap();
    for mode in MODES {
        let out = run(
            vec![fixture("small/docs"), essay.clone(), kjv.clone()],
            Lexicon::builtin().unwrap(),
            mode.parse().unwrap(),
        );
        assert_segments_add_up(out.path());
    }
}

#[test]
fn segment_none_writes_no_segment_files() {
    let out = run(
        vec![fixture("small/docs")],
        fixture_lexicon(),
        SegmentMode::None,
    );
    for name in ["segments.csv", "segment_themes.csv", "trajectory.csv"] {
        assert!(!out.path().join(name).exists(), "{name}");
    }
    assert!(out.path().join("tension.csv").exists());
}

#[test]
fn trajectory_by_hand() {
    let out = run(
        vec![fixture("small/docs")],
        fixture_lexicon(),
        SegmentMode::Paragraph,
    );
    let t = fs::read_to_string(out.path().join("trajectory.csv")).unwrap();
    // b.md: paragraph 0 (tokens 0..5) holds one shortage (proud is negated): balance -1;
    // paragraph 1 (tokens 5..11) two shortages and a badge of honor: -1/3. The width-3 window
    // covers both everywhere: L = 3, R = 1, smoothed -0.5. Midpoints 2.5/11 and 8/11.
    assert!(
        t.contains("\nb.md,hardship_vs_pride,0,0.2273,-1.0000,-0.5000\n"),
        "{t}"
    );
    assert!(
        t.contains("\nb.md,hardship_vs_pride,1,0.7273,-0.3333,-0.5000\n"),
        "{t}"
    );
    assert!(
        t.contains("\na.txt,hardship_vs_pride,0,0.2667,0.0000,0.0000\n"),
        "{t}"
    );
    assert!(!t.contains("empty.txt"), "an empty document has no segment");
}

#[test]
fn negation_cases_and_tension() {
    let dir = tempfile::tempdir().unwrap();
    let text = "The workers were not proud.\n\nIt wasn't a hardship.\n\nThere was no hardship.\n\n\
                It was not only hardship but pride.\n\nHe was not, in the end, proud.\n\n\
                Never did the city seem so proud.\n\nNot. Proud.\n\nIt’s a city of both hardship and pride.\n";
    fs::write(dir.path().join("negation.txt"), text).unwrap();
    let out = run(
        vec![dir.path().to_path_buf()],
        fixture_lexicon(),
        SegmentMode::Paragraph,
    );
    let hits: Vec<(String, String, String)> = rows(out.path(), "hits.csv")
        .into_iter()
        .map(|h| {
            (
                h["matched"].clone(),
                h["negated"].clone(),
                h["negator"].clone(),
            )
        })
        .collect();
    let h = |m: &str, n: &str, by: &str| (m.to_string(), n.to_string(), by.to_string());
    assert_eq!(
        hits,
        vec![
            h("proud", "true", "not"),
            h("hardship", "true", "wasn't"),
            h("hardship", "true", "no"),
            h("hardship", "false", ""),
            h("pride", "false", ""),
            h("proud", "false", ""),
            h("proud", "false", ""),
            h("Proud", "false", ""),
            h("hardship", "false", ""),
            h("pride", "false", ""),
        ]
    );
    let tension = fs::read_to_string(out.path().join("tension.csv")).unwrap();
    assert_eq!(
        tension,
        "document,sentence,contrast,start_byte,end_byte,text\n\
         negation.txt,3,hardship_vs_pride,76,111,It was not only hardship but pride.\n\
         negation.txt,8,hardship_vs_pride,193,234,It’s a city of both hardship and pride.\n"
    );
    let c = &rows(out.path(), "contrasts.csv")[0];
    // Negated hits stay in the theme counts but not in the contrast.
    assert_eq!(
        (
            num(c, "left_hits"),
            num(c, "right_hits"),
            num(c, "tension_sentences")
        ),
        (2, 5, 2)
    );

    // --negation off: every hit counts.
    let mut lexicon = fixture_lexicon();
    lexicon.negation.enabled = false;
    let out = run(
        vec![dir.path().to_path_buf()],
        lexicon,
        SegmentMode::Paragraph,
    );
    assert!(rows(out.path(), "hits.csv")
        .iter()
        .all(|h| h["negated"] == "false"));
    let c = &rows(out.path(), "contrasts.csv")[0];
    assert_eq!((num(c, "left_hits"), num(c, "right_hits")), (4, 6));
}

#[test]
fn cooccurrence_by_hand() {
    let out = run(
        vec![fixture("small/docs")],
        fixture_lexicon(),
        SegmentMode::Paragraph,
    );
    // 5 sentences; hardship in 4, pride in 3 (b.md's "Not proud" is negated), both in 2:
    // ln(0.4 / (0.8 · 0.6)) / −ln 0.4 = −0.1990.
    assert_eq!(
        fs::read_to_string(out.path().join("cooccurrence.csv")).unwrap(),
        "theme_a,theme_b,sentences_both,sentences_a,sentences_b,npmi\nhardship,pride,2,4,3,-0.1990\n"
    );
}

#[test]
fn negation_off_from_the_command_line() {
    let out = tempfile::tempdir().unwrap();
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_themescope"))
        .args([
            "run",
            "--quiet",
            "--negation",
            "off",
            "--segment",
            "sentence",
            "-o",
        ])
        .arg(out.path())
        .arg(fixture("small/docs"))
        .arg("--lexicon")
        .arg(fixture("small/lexicon.toml"))
        .assert()
        .success();
    let themes = fs::read_to_string(out.path().join("themes.csv")).unwrap();
    assert!(themes.contains("\nb.md,pride,2,0,"), "{themes}");
    assert_eq!(
        rows(out.path(), "segments.csv").len(),
        5,
        "one row per sentence × contrast"
    );
    let bad = assert_cmd::Command::new(env!("CARGO_BIN_EXE_themescope"))
        .args(["run", "--segment", "chapters"])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&bad.get_output().stderr).contains("is not a segment mode"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Random documents and a random mode: segment files always add up.
    #[test]
    fn segments_add_up_on_random_text(
        docs in prop::collection::vec(
            prop::collection::vec(prop::sample::select(vec![
                "hardship", "pride", "proud", "not", "but", "the", "city", "shortages", ",", ".", "!", "\n", "\n\n", "\r\n", "power", "outage", "Dr.",
            ]), 0..50),
            1..5,
        ),
        mode in prop::sample::select(MODES.to_vec()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (i, words) in docs.iter().enumerate() {
            fs::write(dir.path().join(format!("d{i}.txt")), words.join(" ")).unwrap();
        }
        let out = run(vec![dir.path().to_path_buf()], fixture_lexicon(), mode.parse().unwrap());
        assert_segments_add_up(out.path());
    }
}
