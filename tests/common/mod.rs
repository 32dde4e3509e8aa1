//! What the integration tests share: where the fixtures are, how to run themescope (as a
//! library and as the binary), and how to read what it wrote.
#![allow(dead_code)] // each test binary uses its own part of this

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use themescope::config::ChartFormats;
use themescope::lexicon::{parse_toml, Lexicon};
use themescope::Config;

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under `tests/fixtures`.
pub fn fixture(path: &str) -> PathBuf {
    root().join("tests/fixtures").join(path)
}

/// The small fixture lexicon (`tests/fixtures/small/lexicon.toml`).
pub fn fixture_lexicon() -> Lexicon {
    let path = fixture("small/lexicon.toml");
    parse_toml(&fs::read_to_string(path).unwrap(), "lexicon.toml").unwrap()
}

/// The bundled essay.
pub fn essay() -> PathBuf {
    root().join("input/hamhung.txt")
}

/// The first `count` books of the KJV (`tests/data/kjv`), in canonical order.
pub fn kjv_books(count: usize) -> Vec<PathBuf> {
    let dir = root().join("tests/data/kjv");
    let mut books: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    books.sort();
    assert!(
        books.len() >= count,
        "{} holds {} books",
        dir.display(),
        books.len()
    );
    books.truncate(count);
    books
}

/// The binary, found through `CARGO_BIN_EXE_themescope` (the target folder may be anywhere).
pub fn themescope() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_themescope"))
}

/// Runs the library on `inputs` into a new temporary folder, without charts, after `configure`
/// has adjusted the configuration.
pub fn run_with(
    inputs: Vec<PathBuf>,
    lexicon: Lexicon,
    configure: impl FnOnce(&mut Config),
) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let mut config = Config::new(inputs, out.path().to_path_buf(), lexicon);
    config.charts = ChartFormats {
        png: false,
        svg: false,
    };
    configure(&mut config);
    themescope::run(&config).unwrap();
    out
}

/// A file of a result set, as text.
pub fn read(dir: &Path, name: &str) -> String {
    fs::read_to_string(dir.join(name)).unwrap()
}

/// The rows of a CSV file, each as column → cell.
pub fn rows(dir: &Path, name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(dir.join(name)).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .map(str::to_string)
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// The names in a folder, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The CSV files a run can write, from the library's registry, in the order written.
pub fn csv_files() -> Vec<&'static str> {
    let default = themescope::output::registry::Wanted {
        hits: true,
        tension: true,
        segments: true,
        groups: false,
    };
    themescope::output::registry::CSV_FILES
        .iter()
        .filter(|f| f.written(default))
        .map(|f| f.name)
        .collect()
}

/// The files the `manifest.json` in `out` lists, sorted.
pub fn manifest_files(out: &Path) -> Vec<String> {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let mut listed: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    listed.sort();
    listed
}
