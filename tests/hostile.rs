//! Hostile input and failure (issue 7): clear errors, nothing lost, nothing injected. Each case
//! asserts the exit code and the message, and that a failed run leaves the previous output and
//! no temporary folder.

use std::fs;
use std::path::Path;

mod common;
use common::themescope;
use proptest::prelude::*;

fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn no_temp_folder(out: &Path) {
    let names: Vec<String> = fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(".themescope-tmp")),
        "{names:?}"
    );
}

/// Every CSV file of `out` read back through the csv crate: (header, rows).
fn read_csv(out: &Path, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(out.join(name)).unwrap();
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

#[test]
fn formula_like_cells_are_defused() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    let text = "=HYPERLINK(\"http://x\",\"pride\") and hardship\n\n+pride cmd|' /C calc'!A0 hardship\n\n-pride - hardship\n\n@SUM(1) pride, hardship\n\n\tpride hardship\n\n\rpride hardship\n";
    fs::write(docs.join("=cmd.txt"), text).unwrap();
    fs::write(docs.join("-minus.txt"), text).unwrap();
    let out = dir.path().join("out");
    themescope()
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out)
        .arg(&docs)
        .assert()
        .success();
    // Text cells only: numbers such as a balance of -0.5 are numbers, not formulas.
    const TEXT: [&str; 10] = [
        "document",
        "theme",
        "term",
        "matched",
        "negator",
        "left_context",
        "right_context",
        "text",
        "contrast",
        "left",
    ];
    let mut checked = 0;
    for name in [
        "documents.csv",
        "themes.csv",
        "contrasts.csv",
        "hits.csv",
        "tension.csv",
        "segments.csv",
        "segment_themes.csv",
        "trajectory.csv",
    ] {
        let (header, rows) = read_csv(&out, name);
        for row in rows {
            for (column, cell) in header.iter().zip(row) {
                if TEXT.contains(&column.as_str()) {
                    assert!(
                        !cell.starts_with(FORMULA_STARTS),
                        "{name} {column}: {cell:?}"
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100);
    let (_, hits) = read_csv(&out, "hits.csv");
    assert!(
        hits.iter().any(|r| r[0] == "'=cmd.txt"),
        "ids keep their text behind the quote"
    );
    let (_, tension) = read_csv(&out, "tension.csv");
    assert!(
        tension.iter().any(|r| r[5].starts_with("'=HYPERLINK")),
        "{tension:?}"
    );
}

#[test]
fn excel_flag_writes_a_bom_on_every_csv() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("é.txt"), "Ünïcödé pride").unwrap();
    let out = dir.path().join("out");
    themescope()
        .args(["run", "--quiet", "--excel", "--charts", "none", "-o"])
        .arg(&out)
        .arg(dir.path().join("é.txt"))
        .assert()
        .success();
    for entry in fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = fs::read(&path).unwrap();
        let is_csv = path.extension().is_some_and(|e| e == "csv");
        assert_eq!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            is_csv,
            "{}",
            path.display()
        );
    }
    let docs = fs::read_to_string(out.join("documents.csv")).unwrap();
    assert!(docs.contains("\né.txt,2,"), "{docs}");
}

#[test]
fn windows_1252_files_are_skipped_or_read_as_asked() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::write(
        docs.join("cp1252.txt"),
        b"\x93Pride\x94 in caf\xe9 hardship",
    )
    .unwrap();
    fs::write(docs.join("utf8.txt"), "pride in café").unwrap();
    let out = dir.path().join("out");
    let assert = themescope()
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out)
        .arg(&docs)
        .assert()
        .code(2);
    assert!(
        stderr_of(&assert).contains("cp1252.txt: not valid UTF-8 at byte 0"),
        "{}",
        stderr_of(&assert)
    );
    themescope()
        .args([
            "run",
            "--quiet",
            "--charts",
            "none",
            "--encoding",
            "windows-1252",
            "-o",
        ])
        .arg(&out)
        .arg(&docs)
        .assert()
        .success();
    let (_, hits) = read_csv(&out, "hits.csv");
    let matched: Vec<&str> = hits
        .iter()
        .filter(|r| r[0] == "cp1252.txt")
        .map(|r| r[6].as_str())
        .collect();
    assert_eq!(
        matched,
        ["Pride", "café", "hardship"],
        "decoded, so café matches as a word"
    );
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"encoding\": \"windows-1252\""));
    themescope()
        .args(["run", "--encoding", "latin-9"])
        .assert()
        .code(1);
}

#[test]
fn bom_crlf_and_lone_cr_documents() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::write(docs.join("bom.txt"), b"\xEF\xBB\xBFPride first.").unwrap();
    fs::write(
        docs.join("crlf.txt"),
        "One pride\r\nwrapped.\r\n\r\nHardship here.\r\n",
    )
    .unwrap();
    fs::write(docs.join("cr.txt"), "Pride line\rHardship line\r").unwrap();
    fs::write(docs.join("empty.txt"), "").unwrap();
    let out = dir.path().join("out");
    themescope()
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out)
        .arg(&docs)
        .assert()
        .success();
    let (_, documents) = read_csv(&out, "documents.csv");
    let row = |id: &str| documents.iter().find(|r| r[0] == id).unwrap()[1..4].to_vec();
    assert_eq!(row("bom.txt"), ["2", "1", "1"]);
    assert_eq!(
        row("crlf.txt"),
        ["5", "2", "2"],
        "a sentence across CRLF, two paragraphs"
    );
    assert_eq!(
        row("cr.txt"),
        ["4", "2", "2"],
        "lone CR ends lines: one paragraph per line"
    );
    assert_eq!(row("empty.txt"), ["0", "0", "0"]);
    let (_, hits) = read_csv(&out, "hits.csv");
    let bom = hits.iter().find(|r| r[0] == "bom.txt").unwrap();
    assert_eq!(
        (bom[2].as_str(), bom[3].as_str()),
        ("0", "5"),
        "offsets after the BOM"
    );
}

#[test]
fn a_200_mb_file_without_a_newline_is_read_in_blocks() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("long.txt");
    let unit = "hardship and pride of the city ";
    let repeats = 200_000_000 / unit.len();
    {
        let mut w = std::io::BufWriter::new(fs::File::create(&input).unwrap());
        for _ in 0..repeats {
            w.write_all(unit.as_bytes()).unwrap();
        }
        w.flush().unwrap();
    }
    let out = dir.path().join("out");
    let assert = themescope()
        .args(["run", "--quiet", "--charts", "none", "--hits", "none", "-o"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    // Read in blocks of at most 1 MiB, cut at a space (so no word is split), and said so.
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(
            "warning: long.txt: a paragraph longer than 1048576 bytes was cut for reading"
        ),
        "{stderr}"
    );
    let (header, rows) = read_csv(&out, "documents.csv");
    let cell = |name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        rows[0][i].parse::<usize>().unwrap()
    };
    assert_eq!(cell("tokens"), 6 * repeats);
    assert_eq!(cell("hardship"), repeats);
    assert_eq!(cell("pride"), repeats);
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains(&format!("\"bytes\": {}", unit.len() * repeats)));
    no_temp_folder(&out);
}

#[test]
fn a_megabyte_word_is_one_token() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("word.txt");
    fs::write(&doc, format!("pride {} hardship", "x".repeat(1 << 20))).unwrap();
    let out = dir.path().join("out");
    themescope()
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out)
        .arg(&doc)
        .assert()
        .success();
    let (_, documents) = read_csv(&out, "documents.csv");
    assert_eq!(documents[0][1], "3");
    let (_, hits) = read_csv(&out, "hits.csv");
    assert!(
        hits.iter()
            .all(|r| r[10].chars().count() <= 40 && r[11].chars().count() <= 40),
        "contexts stay short"
    );
}

#[cfg(unix)]
#[test]
fn links_fifos_and_an_output_folder_inside_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::write(docs.join("a.txt"), "pride").unwrap();
    std::os::unix::fs::symlink(&docs, docs.join("loop")).unwrap();
    let fifo = std::ffi::CString::new(docs.join("fifo.txt").into_os_string().into_encoded_bytes())
        .unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let out = docs.join("results");
    for _ in 0..2 {
        themescope()
            .args(["run", "--quiet", "-o"])
            .arg(&out)
            .arg(&docs)
            .assert()
            .success();
    }
    let (_, documents) = read_csv(&out, "documents.csv");
    let ids: Vec<&str> = documents.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["a.txt"],
        "the output folder, the link loop and the FIFO are not read"
    );
}

#[test]
fn output_path_that_is_a_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "pride").unwrap();
    let file = dir.path().join("taken.csv");
    fs::write(&file, "keep me").unwrap();
    let assert = themescope()
        .args(["run", "--quiet", "-o"])
        .arg(&file)
        .arg(dir.path().join("a.txt"))
        .assert()
        .code(1);
    assert!(
        stderr_of(&assert).contains(&format!("error: cannot write {}", file.display())),
        "{}",
        stderr_of(&assert)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
}

#[test]
fn a_read_error_part_way_skips_that_document() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    for name in ["a.txt", "b.txt", "c.txt"] {
        fs::write(docs.join(name), "pride and hardship").unwrap();
    }
    let out = dir.path().join("out");
    let assert = themescope()
        .env("THEMESCOPE_TEST_FAIL_READ", "b.txt")
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out)
        .arg(&docs)
        .assert()
        .code(2);
    assert!(
        stderr_of(&assert).contains("b.txt: cannot be read: read error injected for testing"),
        "{}",
        stderr_of(&assert)
    );
    let (_, documents) = read_csv(&out, "documents.csv");
    assert_eq!(
        documents.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        ["a.txt", "c.txt"]
    );
}

#[test]
fn a_write_error_part_way_keeps_the_previous_output() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    for name in ["a.txt", "b.txt", "c.txt"] {
        fs::write(docs.join(name), "pride and hardship").unwrap();
    }
    let out = dir.path().join("out");
    let run = [
        "run",
        "--quiet",
        "--charts",
        "none",
        "--group-by",
        "folder",
        "-o",
    ];
    themescope()
        .args(run)
        .arg(&out)
        .arg(&docs)
        .assert()
        .success();
    let before = fs::read(out.join("hits.csv")).unwrap();
    fs::write(docs.join("d.txt"), "more pride").unwrap();
    // Files that get rows per document, and ones written once at the end (rendered on the
    // worker threads straight into the file).
    for file in [
        "hits.csv",
        "themes.csv",
        "terms.csv",
        "groups.csv",
        "keyness.csv",
    ] {
        let assert = themescope()
            .env("THEMESCOPE_TEST_FAIL_WRITE", file)
            .args(run)
            .arg(&out)
            .arg(&docs)
            .assert()
            .code(1);
        let stderr = stderr_of(&assert);
        let path = out.join(file).display().to_string();
        assert!(
            stderr.contains(&format!(
                "error: cannot write {path}: write error injected for testing"
            )),
            "{stderr}"
        );
        assert_eq!(stderr.matches(&path).count(), 1, "named once: {stderr}");
        assert_eq!(
            fs::read(out.join("hits.csv")).unwrap(),
            before,
            "previous output intact"
        );
        no_temp_folder(&out);
    }
}

/// The columns DESIGN.md gives each CSV file ("Output", the table), written out here so that
/// they are checked against the contract, not against the code that writes them.
fn design_columns(name: &str, lexicon: &themescope::lexicon::Lexicon) -> Vec<String> {
    let fixed: &[&str] = match name {
        "documents.csv" => &["document", "tokens", "sentences", "paragraphs"],
        "themes.csv" => &[
            "document",
            "theme",
            "count",
            "negated",
            "weight",
            "pct",
            "distinct_terms",
        ],
        "contrasts.csv" => &[
            "document",
            "contrast",
            "left",
            "right",
            "left_hits",
            "right_hits",
            "left_weight",
            "right_weight",
            "balance",
            "ci_low",
            "ci_high",
            "log_odds",
            "tension_sentences",
            "tension",
        ],
        "hits.csv" => &[
            "document",
            "sentence",
            "start_byte",
            "end_byte",
            "theme",
            "term",
            "matched",
            "weight",
            "negated",
            "negator",
            "left_context",
            "right_context",
        ],
        "terms.csv" => &["theme", "term", "count", "documents"],
        "segments.csv" => &[
            "document",
            "segment",
            "start_byte",
            "end_byte",
            "tokens",
            "contrast",
            "left_hits",
            "right_hits",
            "left_weight",
            "right_weight",
            "balance",
            "tension_sentences",
        ],
        "segment_themes.csv" => &["document", "segment", "theme", "count"],
        "trajectory.csv" => &[
            "document", "contrast", "segment", "position", "balance", "smoothed",
        ],
        "tension.csv" => &[
            "document",
            "sentence",
            "contrast",
            "start_byte",
            "end_byte",
            "text",
        ],
        "cooccurrence.csv" => &[
            "theme_a",
            "theme_b",
            "sentences_both",
            "sentences_a",
            "sentences_b",
            "npmi",
        ],
        "lexicon_coverage.csv" => &["theme", "terms", "terms_matched", "hits", "pct_of_tokens"],
        other => panic!("{other} is not in DESIGN.md's table"),
    };
    let mut columns: Vec<String> = fixed.iter().map(|c| c.to_string()).collect();
    if name == "documents.csv" {
        for theme in &lexicon.themes {
            columns.push(theme.id.clone());
            columns.push(format!("{}_pct", theme.id));
        }
        columns.extend(
            lexicon
                .contrasts
                .iter()
                .map(|c| format!("{}_balance", c.id)),
        );
    }
    columns
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Arbitrary text (any Unicode, control characters, quotes, formula starts) never panics, and
    /// every CSV file parses back with its declared columns and the same width on every row.
    #[test]
    fn any_text_gives_csv_that_parses_back(texts in prop::collection::vec(r#"(\PC|[\n\r\t",=+@-]|pride|hardship|not ){0,80}"#, 1..4)) {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("docs");
        fs::create_dir_all(&docs).unwrap();
        for (i, t) in texts.iter().enumerate() {
            fs::write(docs.join(format!("{i}.txt")), t).unwrap();
        }
        let out = dir.path().join("out");
        let lexicon = themescope::lexicon::Lexicon::builtin().unwrap();
        let mut config = themescope::Config::new(vec![docs], out.clone(), lexicon.clone());
        config.charts = themescope::config::ChartFormats { png: false, svg: false };
        config.segment = themescope::segment::SegmentMode::Sentence;
        themescope::run(&config).unwrap();
        for entry in fs::read_dir(&out).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if !name.ends_with(".csv") {
                continue;
            }
            let mut reader = csv::ReaderBuilder::new().flexible(false).from_path(out.join(&name)).unwrap();
            let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
            prop_assert_eq!(&header, &design_columns(&name, &lexicon));
            for record in reader.records() {
                let record = record.unwrap();
                prop_assert_eq!(record.len(), header.len());
            }
        }
    }
}

#[cfg(unix)]
#[test]
fn a_file_size_limit_is_a_write_error_that_keeps_the_previous_output() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let essay = common::essay();
    themescope()
        .args(["run", "--quiet", "-o"])
        .arg(&out)
        .arg(&essay)
        .assert()
        .success();
    let before = fs::read(out.join("hits.csv")).unwrap();
    // As `ulimit -f 4` would: no file may grow past 4 KiB (hits.csv and the charts do).
    let mut run = std::process::Command::new(env!("CARGO_BIN_EXE_themescope"));
    run.args(["run", "--quiet", "-o"]).arg(&out).arg(&essay);
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        run.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 4096,
                rlim_max: 4096,
            };
            match libc::setrlimit(libc::RLIMIT_FSIZE, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let output = run.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(1),
        "not killed by SIGXFSZ: {stderr}"
    );
    assert!(
        stderr.contains("error: cannot write") && stderr.contains("too large"),
        "{stderr}"
    );
    assert_eq!(fs::read(out.join("hits.csv")).unwrap(), before);
    no_temp_folder(&out);
}

#[test]
fn a_closed_pipe_ends_lexicon_export_quietly() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_themescope"))
        .args(["lexicon", "export", "--format", "toml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before reading anything, as `| head -0` would.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Issue 15: names that are not valid UTF-8 are the files they name, and their ids stay apart.
#[cfg(unix)]
#[test]
fn paths_that_are_not_utf8_are_read_and_written_as_they_are() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let name = |bytes: &[u8]| OsStr::from_bytes(bytes).to_os_string();
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::write(docs.join(name(b"a\xff.txt")), "pride and pride").unwrap();
    fs::write(docs.join(name(b"a\xfe.txt")), "hardship").unwrap();
    // A folder, an output folder named with a byte that is not UTF-8.
    let out = dir.path().join(name(b"out\xff"));
    themescope()
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out)
        .arg(&docs)
        .assert()
        .success();
    let (header, rows) = read_csv(&out, "documents.csv");
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (pride, hardship) = (column("pride"), column("hardship"));
    let found: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|r| (r[0].as_str(), r[pride].as_str(), r[hardship].as_str()))
        .collect();
    assert_eq!(
        found,
        [("a\\xFE.txt", "0", "1"), ("a\\xFF.txt", "2", "0")],
        "each file analysed under an id of its own"
    );
    // Exactly the folder asked for (listed lossily here), and no `out�` beside it.
    assert_eq!(common::listing(dir.path()), ["docs", "out\u{FFFD}"]);
    assert!(fs::symlink_metadata(dir.path().join("out\u{FFFD}")).is_err());
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let arguments: Vec<&str> = manifest["arguments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let expected = format!("{}/out\\xFF", dir.path().display());
    assert!(arguments.contains(&expected.as_str()), "{arguments:?}");
    // A file given directly is found, not reported missing.
    let out2 = dir.path().join("out2");
    themescope()
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out2)
        .arg(docs.join(name(b"a\xff.txt")))
        .assert()
        .success();
    let (_, rows) = read_csv(&out2, "documents.csv");
    assert_eq!(rows[0][0], "a\\xFF.txt");
}

/// Issue 15: a binary file is skipped at its first NUL byte, not read whole first. Sparse files
/// of 2 GiB (zeros, made at once by `set_len`) that a whole read would take seconds and, read
/// whole, 2 GB of memory over; the skip reasons are those of a whole read.
#[test]
fn a_huge_binary_file_is_skipped_at_its_first_nul_byte() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    let sparse = |name: &str, head: &[u8]| {
        fs::write(docs.join(name), head).unwrap();
        let file = fs::OpenOptions::new()
            .write(true)
            .open(docs.join(name))
            .unwrap();
        file.set_len(2 << 30).unwrap();
    };
    sparse("zeros.txt", b"");
    sparse("late.txt", b"pride\n");
    // A character cut short by the first NUL: invalid UTF-8 comes first.
    sparse("cut.txt", b"ok caf\xc3");
    fs::copy(common::essay(), docs.join("essay.txt")).unwrap();
    let out = dir.path().join("out");
    // Read in blocks (the default: the files are larger than a block) and whole.
    for block_size in [None, Some("1099511627776")] {
        let mut run = themescope();
        run.args(["run", "--quiet", "--charts", "none", "-o"])
            .arg(&out)
            .arg(&docs);
        if let Some(size) = block_size {
            run.args(["--block-size", size]);
        }
        let assert = run.assert().code(2);
        let stderr = stderr_of(&assert);
        for line in [
            "zeros.txt: holds a NUL byte at byte 0: a binary file, not text",
            "late.txt: holds a NUL byte at byte 6: a binary file, not text",
            "cut.txt: not valid UTF-8 at byte 6 (convert it to UTF-8)",
        ] {
            assert!(stderr.contains(line), "{block_size:?}: {stderr}");
        }
        let (_, documents) = read_csv(&out, "documents.csv");
        assert_eq!(documents.len(), 1);
        assert_eq!(documents[0][0], "essay.txt");
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        let skipped: Vec<(&str, &str)> = manifest["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s["reason"].as_str().unwrap()))
            .collect();
        assert_eq!(
            skipped,
            [
                ("cut.txt", "not valid UTF-8 at byte 6 (convert it to UTF-8)"),
                (
                    "late.txt",
                    "holds a NUL byte at byte 6: a binary file, not text"
                ),
                (
                    "zeros.txt",
                    "holds a NUL byte at byte 0: a binary file, not text"
                ),
            ]
        );
    }
    // Read as Windows-1252, the cut character is text: the NUL byte after it decides.
    let assert = themescope()
        .args([
            "run",
            "--quiet",
            "--charts",
            "none",
            "--encoding",
            "windows-1252",
            "-o",
        ])
        .arg(&out)
        .arg(&docs)
        .assert()
        .code(2);
    assert!(
        stderr_of(&assert).contains("cut.txt: holds a NUL byte at byte 7"),
        "{}",
        stderr_of(&assert)
    );
}

/// Issue 15: a folder inside the INPUT that cannot be read is no document: it is named in a
/// warning, on its own summary line and in the manifest's `unreadable_folders`, and counted
/// as no document anywhere; the results are incomplete, so the exit code is 2. (Root reads
/// every folder: the test needs another user.)
#[cfg(unix)]
#[test]
fn an_unreadable_folder_is_named_and_not_counted_as_a_document() {
    use std::os::unix::fs::PermissionsExt;
    if unsafe { libc::geteuid() } == 0 {
        eprintln!("skipped: root reads a folder whatever its permissions");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    // And a folder holding nothing but an unreadable one: no document at all.
    let locked = [docs.join("private"), dir.path().join("only/private")];
    for folder in &locked {
        fs::create_dir_all(folder).unwrap();
        fs::write(folder.join("c.txt"), "pride").unwrap();
    }
    fs::write(docs.join("a.txt"), "pride").unwrap();
    fs::write(docs.join("b.txt"), "hardship").unwrap();
    let set_mode = |mode: u32| {
        for folder in &locked {
            fs::set_permissions(folder, fs::Permissions::from_mode(mode)).unwrap();
        }
    };
    set_mode(0o000);
    let run = |input: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_themescope"))
            .current_dir(dir.path())
            .args(["run", input, "-o", "out", "--charts", "none"])
            .output()
            .unwrap()
    };
    let (output, nothing) = (run("docs"), run("only"));
    set_mode(0o755);

    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "warning: cannot read folder docs/private: Permission denied (os error 13); documents in it, if any, are not analysed"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "themescope: 1 folder could not be read; results for the 2 documents found are in out"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("skipped"), "{stderr}");
    assert!(stdout.contains("\n  documents   2 analysed\n"), "{stdout}");
    assert!(
        stdout.contains("\n  folders     1 could not be read: documents in it are not analysed (named above and in out/manifest.json)\n"),
        "{stdout}"
    );
    let out = dir.path().join("out");
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let counts = &manifest["counts"];
    assert_eq!(
        (
            &counts["documents"],
            &counts["analysed"],
            &counts["skipped"],
            &counts["unreadable_folders"]
        ),
        (&2.into(), &2.into(), &0.into(), &1.into())
    );
    assert_eq!(manifest["skipped"], serde_json::json!([]));
    assert_eq!(
        manifest["unreadable_folders"],
        serde_json::json!([{
            "id": "private",
            "path": "docs/private",
            "reason": "Permission denied (os error 13)"
        }])
    );
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("<dd>2 analysed of 2 found</dd>"));
    assert!(report.contains("Folders that could not be read"));
    assert!(report.contains("<li>docs/private: Permission denied (os error 13)</li>"));

    let stderr = String::from_utf8_lossy(&nothing.stderr).into_owned();
    assert_eq!(nothing.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: no document found in only: themescope reads .txt and .md files (folders are searched recursively); 1 folder could not be read (named above)"),
        "{stderr}"
    );
    // The failed run left the first run's output as it was.
    assert!(out.join("documents.csv").exists());
}

/// Issue 15: `--jobs 1024` on a machine of a few cores runs a few threads per core, says so,
/// and the manifest records the threads used.
#[test]
fn too_many_jobs_are_capped_with_a_warning() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let most = cores * themescope::config::MAX_JOBS_PER_CORE;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let jobs_of = |out: &Path| {
        let manifest: serde_json::Value =
            serde_json::from_str(&fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        manifest["settings"]["jobs"].as_u64().unwrap() as usize
    };
    let assert = themescope()
        .args(["run", "--charts", "none", "--jobs", "1024", "-o"])
        .arg(&out)
        .arg(common::essay())
        .assert()
        .success();
    let stderr = stderr_of(&assert);
    if most < 1024 {
        let cores_text = match cores {
            1 => "1 core".to_string(),
            n => format!("{n} cores"),
        };
        assert_eq!(
            stderr,
            format!("warning: --jobs 1024 is more than this machine's {cores_text} can use: running {most} worker threads ({} per core)\n", themescope::config::MAX_JOBS_PER_CORE)
        );
        assert_eq!(jobs_of(&out), most);
        let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
        assert!(
            stdout.contains("\n  warnings    1 (printed above and listed in "),
            "{stdout}"
        );
    } else {
        assert_eq!(stderr, "");
        assert_eq!(jobs_of(&out), 1024);
    }
    // Within the limit, as asked and without a word.
    let assert = themescope()
        .args(["run", "--quiet", "--charts", "none", "--jobs", "2", "-o"])
        .arg(&out)
        .arg(common::essay())
        .assert()
        .success();
    assert_eq!(stderr_of(&assert), "");
    assert_eq!(jobs_of(&out), 2);
}

/// Issue 15: running out of file descriptors (`ulimit -n`) is a run error that says what to
/// do, not a document skipped: at every limit from too few to enough, a run either succeeds or
/// exits 1 with that message, skips nothing and leaves the previous output as it was.
#[cfg(unix)]
#[test]
fn running_out_of_file_descriptors_stops_the_run_and_skips_nothing() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    for i in 1..=6 {
        fs::copy(common::essay(), docs.join(format!("d{i}.txt"))).unwrap();
    }
    let out = dir.path().join("out");
    themescope()
        .args(["run", "--quiet", "--charts", "none", "-o"])
        .arg(&out)
        .arg(common::essay())
        .assert()
        .success();
    let before = fs::read(out.join("documents.csv")).unwrap();
    let (mut named_a_document, mut succeeded) = (false, false);
    for limit in 5..=40u64 {
        let mut run = std::process::Command::new(env!("CARGO_BIN_EXE_themescope"));
        run.args(["run", "--quiet", "--charts", "none", "--jobs", "2", "-o"])
            .arg(&out)
            .arg(&docs);
        // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
        unsafe {
            run.pre_exec(move || {
                let files = libc::rlimit {
                    rlim_cur: limit as libc::rlim_t,
                    rlim_max: limit as libc::rlim_t,
                };
                match libc::setrlimit(libc::RLIMIT_NOFILE, &files) {
                    0 => Ok(()),
                    _ => Err(std::io::Error::last_os_error()),
                }
            });
        }
        let output = run.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        match output.status.code() {
            Some(0) => {
                succeeded = true;
                break;
            }
            Some(1) => {
                let what = format!(
                    ": too many open files (this process may have {limit} open at once, `ulimit -n`): raise the limit (`ulimit -n 4096`) or use fewer threads (--jobs N); nothing was written\n"
                );
                assert!(
                    stderr.starts_with("error: cannot open ") && stderr.ends_with(&what),
                    "{limit}: {stderr}"
                );
                assert!(!stderr.contains("skipped"), "{limit}: {stderr}");
                named_a_document |= stderr.contains(&format!("{}/d", docs.display()));
                assert_eq!(fs::read(out.join("documents.csv")).unwrap(), before);
                no_temp_folder(&out);
            }
            code => panic!("exit {code:?} with {limit} file descriptors: {stderr}"),
        }
    }
    assert!(succeeded, "no limit up to 40 was enough");
    assert!(
        named_a_document,
        "no limit ran out while opening a document"
    );
}

/// A system that refuses threads (`ulimit -u`, refused here through the test seam
/// `THEMESCOPE_TEST_FAIL_THREADS`): the helpers' work is done on the threads there are, with the
/// same results; without the reader or the workers the run stops with a message and keeps the
/// previous output, never with a panic.
#[test]
fn threads_the_system_refuses_are_done_without_or_stop_the_run_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    // Over twice the prescan's 4 MiB part: prescanned by two threads, analysed in blocks, its
    // trajectory's contrasts written by a helper.
    let books: Vec<u8> = (common::kjv_books(66).iter())
        .flat_map(|book| fs::read(book).unwrap())
        .collect();
    fs::write(docs.join("big.txt"), books.repeat(3)).unwrap();
    fs::copy(common::essay(), docs.join("hamhung.txt")).unwrap();
    let run = |out: &Path, refused: &str| {
        let mut run = themescope();
        run.args(["run", "--quiet", "--jobs", "2", "--block-size", "100000"])
            .args(["--hits", "none", "--charts", "none", "-o"])
            .arg(out)
            .arg(&docs);
        if !refused.is_empty() {
            run.env("THEMESCOPE_TEST_FAIL_THREADS", refused);
        }
        run.assert()
    };
    let (with, without) = (dir.path().join("with"), dir.path().join("without"));
    run(&with, "").success();
    run(&without, "matcher,prescan,trajectory").success();
    let names = common::listing(&with);
    assert!(names.contains(&"trajectory.csv".to_string()), "{names:?}");
    for name in names.iter().filter(|n| n.ends_with(".csv")) {
        assert_eq!(
            fs::read(with.join(name)).unwrap(),
            fs::read(without.join(name)).unwrap(),
            "{name}"
        );
    }
    let before = fs::read(with.join("documents.csv")).unwrap();
    for refused in ["reader", "workers"] {
        let assert = run(&with, refused).code(1);
        assert_eq!(
            stderr_of(&assert),
            "error: cannot start 2 worker threads: Resource temporarily unavailable (refused for testing) (try fewer with --jobs N)\n",
            "{refused}"
        );
        assert_eq!(fs::read(with.join("documents.csv")).unwrap(), before);
        no_temp_folder(&with);
    }
}
