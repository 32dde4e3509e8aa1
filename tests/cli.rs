//! End-to-end tests of the `themescope` binary: the bundled example, exit codes, messages and
//! the output folder's all-or-nothing replacement.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn themescope() -> Command {
    Command::cargo_bin("themescope").unwrap()
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn cell<'a>(csv_text: &'a str, row_starts: &str, column: &str) -> &'a str {
    let mut lines = csv_text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == column).unwrap();
    let row = lines.find(|l| l.starts_with(row_starts)).unwrap();
    row.split(',').nth(i).unwrap()
}

/// A working folder laid out like the repository: input/hamhung.txt and output/.gitkeep.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("input")).unwrap();
    fs::create_dir_all(dir.path().join("output")).unwrap();
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("input/hamhung.txt"),
        dir.path().join("input/hamhung.txt"),
    )
    .unwrap();
    fs::write(dir.path().join("output/.gitkeep"), "").unwrap();
    dir
}

#[test]
fn no_arguments_analyses_input_into_output() {
    let dir = workdir();
    themescope().current_dir(dir.path()).assert().success();
    let out = dir.path().join("output");
    assert_eq!(
        listing(&out),
        [
            ".gitkeep",
            "charts",
            "contrasts.csv",
            "cooccurrence.csv",
            "documents.csv",
            "hits.csv",
            "lexicon_coverage.csv",
            "manifest.json",
            "report.html",
            "segment_themes.csv",
            "segments.csv",
            "tension.csv",
            "terms.csv",
            "themes.csv",
            "trajectory.csv",
        ]
    );
    let contrasts = fs::read_to_string(out.join("contrasts.csv")).unwrap();
    let row = "hamhung.txt,hardship_vs_pride,";
    assert!(
        cell(&contrasts, row, "left_hits").parse::<u32>().unwrap() > 0,
        "hardship found"
    );
    assert!(
        cell(&contrasts, row, "right_hits").parse::<u32>().unwrap() > 0,
        "pride found"
    );
    assert!(
        cell(&contrasts, row, "tension_sentences")
            .parse::<u32>()
            .unwrap()
            > 0,
        "tension found"
    );
    // The essay's own words: "It’s a city of both hardship and pride" is a tension sentence.
    let hits = fs::read_to_string(out.join("hits.csv")).unwrap();
    assert!(hits
        .lines()
        .any(|l| l.contains(",hardship,") && l.contains("both ")));
    insta::assert_snapshot!("essay_contrasts.csv", contrasts);
    insta::assert_snapshot!(
        "essay_documents.csv",
        fs::read_to_string(out.join("documents.csv")).unwrap()
    );

    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"][0]["id"], "hamhung.txt");
    assert_eq!(manifest["inputs"][0]["bytes"], 3758);
    assert_eq!(manifest["counts"]["analysed"], 1);
    assert_eq!(manifest["files"].as_array().unwrap().len(), 27);
}

#[test]
fn a_second_run_replaces_only_its_own_files() {
    let dir = workdir();
    let out = dir.path().join("output");
    fs::write(out.join("notes.md"), "mine").unwrap();
    themescope().current_dir(dir.path()).assert().success();
    themescope()
        .current_dir(dir.path())
        .args(["run", "input", "-o", "output", "--hits", "none"])
        .assert()
        .success();
    assert_eq!(
        listing(&out),
        [
            ".gitkeep",
            "charts",
            "contrasts.csv",
            "cooccurrence.csv",
            "documents.csv",
            "lexicon_coverage.csv",
            "manifest.json",
            "notes.md",
            "report.html",
            "segment_themes.csv",
            "segments.csv",
            "tension.csv",
            "terms.csv",
            "themes.csv",
            "trajectory.csv",
        ]
    );
}

#[test]
fn skipped_documents_are_named_and_exit_2() {
    let dir = workdir();
    fs::write(dir.path().join("input/latin1.txt"), b"caf\xe9 pride").unwrap();
    fs::write(dir.path().join("input/binary.md"), b"PK\x03\x04\x00\x00").unwrap();
    let assert = themescope().current_dir(dir.path()).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("latin1.txt: not valid UTF-8 at byte 3"),
        "{stderr}"
    );
    assert!(
        stderr.contains("binary.md: holds a NUL byte at byte 4"),
        "{stderr}"
    );
    let docs = fs::read_to_string(dir.path().join("output/documents.csv")).unwrap();
    assert_eq!(docs.lines().count(), 2, "header and the essay");
    let manifest = fs::read_to_string(dir.path().join("output/manifest.json")).unwrap();
    assert!(manifest.contains("not valid UTF-8 at byte 3"));
}

#[test]
fn nothing_readable_exits_1_and_keeps_previous_output() {
    let dir = workdir();
    themescope().current_dir(dir.path()).assert().success();
    let before = fs::read(dir.path().join("output/contrasts.csv")).unwrap();
    let bad = dir.path().join("bad");
    fs::create_dir_all(&bad).unwrap();
    fs::write(bad.join("x.txt"), b"\xff\xfe").unwrap();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "bad"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("error: no readable document"), "{stderr}");
    assert_eq!(
        fs::read(dir.path().join("output/contrasts.csv")).unwrap(),
        before
    );
    assert!(!listing(&dir.path().join("output"))
        .iter()
        .any(|n| n.starts_with(".themescope-tmp")));
    // A failed run into a new folder does not leave the folder behind either.
    themescope()
        .current_dir(dir.path())
        .args(["run", "bad", "-o", "fresh"])
        .assert()
        .code(1);
    assert!(!dir.path().join("fresh").exists());
}

#[test]
fn missing_or_empty_input_exits_1() {
    let dir = workdir();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "nowhere"])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("error: input nowhere: "));
    fs::create_dir_all(dir.path().join("empty")).unwrap();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "empty"])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr)
        .contains("error: no document found in empty"));
    assert_eq!(listing(&dir.path().join("output")), [".gitkeep"]);
}

#[test]
fn output_that_is_a_file_exits_1() {
    let dir = workdir();
    fs::write(dir.path().join("taken"), "x").unwrap();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "input", "-o", "taken/out"])
        .assert()
        .code(1);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr)
        .contains("error: cannot write taken/out"));
}

#[test]
fn usage_errors_exit_1_and_help_exits_0() {
    themescope().args(["run", "--jobs", "0"]).assert().code(1);
    themescope()
        .args(["run", "--hits", "some"])
        .assert()
        .code(1);
    themescope().args(["frobnicate"]).assert().code(1);
    let assert = themescope().args(["run", "--help"]).assert().success();
    let help = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        help.contains("Examples:") && help.contains("themescope run articles/"),
        "{help}"
    );
}

#[test]
fn several_inputs_get_prefixed_unique_ids() {
    let dir = workdir();
    for sub in ["a/docs", "b/docs"] {
        fs::create_dir_all(dir.path().join(sub)).unwrap();
        fs::write(dir.path().join(sub).join("x.txt"), "pride").unwrap();
    }
    themescope()
        .current_dir(dir.path())
        .args([
            "run",
            "a/docs",
            "b/docs",
            "input/hamhung.txt",
            "-o",
            "out",
            "--quiet",
        ])
        .assert()
        .success();
    let docs = fs::read_to_string(dir.path().join("out/documents.csv")).unwrap();
    let ids: Vec<&str> = docs
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["docs/x.txt", "docs~2/x.txt", "hamhung.txt"]);
}

/// See issue 7: Ctrl-C during a run leaves the previous output intact, no temporary folder, 130.
#[cfg(unix)]
#[test]
fn interrupt_keeps_previous_output_and_exits_130() {
    let dir = workdir();
    themescope().current_dir(dir.path()).assert().success();
    let before = fs::read(dir.path().join("output/documents.csv")).unwrap();
    // A corpus big enough to be caught mid-run: the essay, many times over.
    let big = dir.path().join("big");
    fs::create_dir_all(&big).unwrap();
    let essay = fs::read_to_string(dir.path().join("input/hamhung.txt")).unwrap();
    let body = essay.repeat(200);
    for i in 0..300 {
        fs::write(big.join(format!("{i:03}.txt")), &body).unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("themescope");
    let child = std::process::Command::new(bin)
        .current_dir(dir.path())
        .args(["run", "big", "-o", "output", "--jobs", "1", "--quiet"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the run has started writing its temporary folder, then interrupt it.
    let out = dir.path().join("output");
    let started = std::time::Instant::now();
    while !listing(&out)
        .iter()
        .any(|n| n.starts_with(".themescope-tmp"))
    {
        assert!(started.elapsed().as_secs() < 60, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted: nothing was written"));
    assert_eq!(fs::read(out.join("documents.csv")).unwrap(), before);
    assert!(
        !listing(&out)
            .iter()
            .any(|n| n.starts_with(".themescope-tmp")),
        "{:?}",
        listing(&out)
    );
}
