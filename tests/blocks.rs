//! Large documents are analysed in blocks: every output file must be byte for byte what
//! analysing each document whole gives, in every segment mode, for texts with and without blank
//! lines, whatever the block size and thread count.

use std::fs;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use themescope::config::ChartFormats;
use themescope::lexicon::{parse_toml, Lexicon};
use themescope::segment::SegmentMode;
use themescope::Config;

mod common;
use common::root;

/// Runs `inputs` with `--block-size block_size`; returns the text of every CSV file and the
/// report (everything but the manifest, which records the run's arguments and time).
fn outputs(
    inputs: &[PathBuf],
    lexicon: &Lexicon,
    mode: SegmentMode,
    block_size: usize,
    jobs: usize,
) -> Vec<(String, String)> {
    let out = tempfile::tempdir().unwrap();
    let mut config = Config::new(inputs.to_vec(), out.path().to_path_buf(), lexicon.clone());
    config.jobs = jobs;
    config.segment = mode;
    config.block_size = block_size;
    config.charts = ChartFormats {
        png: false,
        svg: false,
    };
    themescope::run(&config).unwrap();
    common::csv_files()
        .into_iter()
        .chain(["report.html"])
        .filter(|f| out.path().join(f).exists())
        .map(|f| {
            (
                f.to_string(),
                fs::read_to_string(out.path().join(f)).unwrap(),
            )
        })
        .collect()
}

fn assert_blocks_match_whole(
    inputs: &[PathBuf],
    lexicon: &Lexicon,
    modes: &[&str],
    sizes: &[usize],
) {
    for mode in modes {
        let mode: SegmentMode = mode.parse().unwrap();
        let whole = outputs(inputs, lexicon, mode, usize::MAX, 2);
        for &size in sizes {
            for jobs in [1, 2] {
                let blocks = outputs(inputs, lexicon, mode, size, jobs);
                assert_eq!(whole.len(), blocks.len());
                for ((name, a), (_, b)) in whole.iter().zip(&blocks) {
                    assert!(
                        a == b,
                        "{name} differs with --segment {mode:?} --block-size {size} --jobs {jobs}"
                    );
                }
            }
        }
    }
}

const MODES: &[&str] = &[
    "paragraph",
    "sentence",
    "lines:1",
    "lines:4",
    "words:40",
    "parts:6",
    "none",
];

#[test]
fn the_essay_in_blocks_gives_the_same_files() {
    // Blank lines separate its paragraphs; block size 1 makes every paragraph a block.
    let inputs = vec![root().join("input")];
    assert_blocks_match_whole(&inputs, &Lexicon::builtin().unwrap(), MODES, &[1, 700]);
}

#[test]
fn a_kjv_book_in_blocks_gives_the_same_files() {
    // No blank lines: each verse line is a paragraph, and blocks end after punctuation.
    let book = root().join("tests/data/kjv/08_ruth.txt");
    assert!(
        book.exists(),
        "the KJV corpus is expected at {}",
        book.display()
    );
    assert_blocks_match_whole(&[book], &Lexicon::builtin().unwrap(), MODES, &[1, 2000]);
}

#[test]
fn a_document_read_in_blocks_is_recorded_like_one_read_whole() {
    let out = tempfile::tempdir().unwrap();
    let mut config = Config::new(
        vec![root().join("input")],
        out.path().to_path_buf(),
        Lexicon::builtin().unwrap(),
    );
    config.block_size = 100;
    config.charts = ChartFormats {
        png: false,
        svg: false,
    };
    let summary = themescope::run(&config).unwrap();
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let manifest = fs::read_to_string(out.path().join("manifest.json")).unwrap();
    let text = fs::read(root().join("input/hamhung.txt")).unwrap();
    let sha = themescope::checksum::sha256_hex(&text);
    assert!(
        manifest.contains(&format!("\"sha256\": \"{sha}\"")),
        "{manifest}"
    );
    assert!(manifest.contains(&format!("\"bytes\": {}", text.len())));
    // The trajectory's scratch file is gone with the temporary folder.
    let left: Vec<String> = fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n != themescope::output::LOCK)
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

const LEXICON: &str = r#"
[[themes]]
id = "hardship"
terms = ["hardship*", "power outage*", "short of"]
[[themes]]
id = "pride"
terms = ["pride", "proud*", "badge of honor"]
[[contrasts]]
left = "hardship"
right = "pride"
"#;

fn write_docs(dir: &Path, texts: &[String]) -> Vec<PathBuf> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let path = dir.join(format!("d{i}.txt"));
            fs::write(&path, t).unwrap();
            path
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_texts_in_blocks_give_the_same_files(
        texts in prop::collection::vec(
            r"((pride|hardship|proud|not|power|outage|badge of honor|short of|Dr\.|the|é|’s)[ .,;:!?]{0,2}|\n|\r\n|\r|\n\n| \n \n|[ \t])*",
            1..4,
        ),
        size in 1usize..120,
        mode in prop::sample::select(MODES.to_vec()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let inputs = write_docs(dir.path(), &texts);
        let lexicon = parse_toml(LEXICON, "lexicon.toml").unwrap();
        let mode: SegmentMode = mode.parse().unwrap();
        let whole = outputs(&inputs, &lexicon, mode, usize::MAX, 2);
        let blocks = outputs(&inputs, &lexicon, mode, size, 2);
        for ((name, a), (_, b)) in whole.iter().zip(&blocks) {
            prop_assert!(a == b, "{} differs:\n{}\n---\n{}", name, a, b);
        }
    }
}
