//! End-to-end tests of the `themescope` binary: the bundled example, exit codes, messages and
//! the output folder's all-or-nothing replacement.

use std::fs;
use std::path::Path;

mod common;
use common::{listing, read, themescope};

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
            ".themescope.lock",
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
        .args(["--tension", "none"])
        .assert()
        .success();
    assert_eq!(
        listing(&out),
        [
            ".gitkeep",
            ".themescope.lock",
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
            "terms.csv",
            "themes.csv",
            "trajectory.csv",
        ]
    );
}

#[test]
fn tension_none_leaves_out_only_the_sentences() {
    let dir = workdir();
    let run = |out: &str, extra: &[&str]| {
        themescope()
            .current_dir(dir.path())
            .args(["run", "input", "--quiet", "--charts", "none", "-o", out])
            .args(extra)
            .assert()
            .success();
        dir.path().join(out)
    };
    let all = run("all", &[]);
    let none = run("none", &["--tension", "none"]);
    let tension = fs::read_to_string(all.join("tension.csv")).unwrap();
    assert!(tension.starts_with("document,sentence,contrast,start_byte,end_byte,text\n"));
    assert_eq!(tension.lines().count(), 14, "{tension}");
    assert!(!none.join("tension.csv").exists());
    // The counts of tension sentences stay, and every other file is the same.
    let contrasts = fs::read_to_string(none.join("contrasts.csv")).unwrap();
    assert!(contrasts.contains(",0.2113,4,0.3636\n"), "{contrasts}");
    for file in ["contrasts.csv", "documents.csv", "segments.csv", "hits.csv"] {
        assert_eq!(
            fs::read(all.join(file)).unwrap(),
            fs::read(none.join(file)).unwrap(),
            "{file}"
        );
    }
    let settings = |dir: &Path| {
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        (
            manifest["settings"]["tension"].clone(),
            manifest["files"].clone(),
        )
    };
    let (on, files) = settings(&all);
    assert_eq!(on, true);
    assert!(files.as_array().unwrap().iter().any(|f| f == "tension.csv"));
    let (off, files) = settings(&none);
    assert_eq!(off, false);
    assert!(!files.as_array().unwrap().iter().any(|f| f == "tension.csv"));
    let report = fs::read_to_string(none.join("report.html")).unwrap();
    assert!(
        report.contains("tension sentences (4 in all)"),
        "the report keeps its examples"
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

/// Standard output of a run with its two timing figures replaced by `T`.
fn summary_of(output: &std::process::Output) -> String {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    stdout
        .lines()
        .map(|line| {
            if let Some((head, _)) = line.rsplit_once(" in ").filter(|_| line.ends_with(" s")) {
                format!("{head} in T s")
            } else if let Some((head, _)) = line.rsplit_once(", ").filter(|_| line.ends_with("B/s"))
            {
                format!("{head}, T/s")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_run_says_what_it_did_on_stdout() {
    let dir = workdir();
    // Standard output is a pipe here, not a terminal: the summary is printed all the same.
    let assert = themescope().current_dir(dir.path()).assert().success();
    assert_eq!(
        summary_of(assert.get_output()),
        "\
themescope 0.1.0 analysed 1 document in T s
  documents   1 analysed
  tokens      552 in 3.8 kB of text, T/s
  output      output/ (27 files)
  report      output/report.html

  corpus balance of each contrast, 95 % interval (−1: all left pole, +1: all right):
  Hardship vs pride                  leans to pride: +0.11 [−0.33, +0.51], the interval includes 0
  Isolation vs openness              leans to isolation: −0.16 [−0.54, +0.27], the interval includes 0
  State & ideology vs everyday life  state & ideology outweighs everyday life: −0.46 [−0.73, −0.08]

  warnings    none"
    );
    assert!(assert.get_output().stderr.is_empty(), "nothing on stderr");
    // The figures are those of contrasts.csv, rounded.
    let contrasts = fs::read_to_string(dir.path().join("output/contrasts.csv")).unwrap();
    let row = "(corpus),state_ideology_vs_everyday_life,";
    assert_eq!(cell(&contrasts, row, "balance"), "-0.4615");
    // The manifest lists as many files as the summary counts (charts included).
    let manifest = fs::read_to_string(dir.path().join("output/manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["files"].as_array().unwrap().len(), 27);
}

#[test]
fn quiet_prints_nothing_on_success() {
    let dir = workdir();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .assert()
        .success();
    assert!(assert.get_output().stdout.is_empty());
    assert!(assert.get_output().stderr.is_empty());
}

#[test]
fn the_summary_counts_skipped_documents_and_warnings() {
    let dir = workdir();
    fs::write(dir.path().join("input/latin1.txt"), b"caf\xe9 pride").unwrap();
    // A duplicate entry: a lexicon warning.
    fs::write(
        dir.path().join("lexicon.toml"),
        "[[themes]]\nid = \"hardship\"\nlabel = \"Hardship\"\nterms = [\"hunger\", \"hunger\"]\n\n\
         [[themes]]\nid = \"pride\"\nlabel = \"Pride\"\nterms = [\"pride\"]\n\n\
         [[contrasts]]\nleft = \"hardship\"\nright = \"pride\"\n",
    )
    .unwrap();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "input", "-o", "out", "--lexicon", "lexicon.toml"])
        .assert()
        .code(2);
    let summary = summary_of(assert.get_output());
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        summary.starts_with("themescope 0.1.0 analysed 1 document in T s\n"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "\n  documents   1 analysed, 1 skipped (named above and in out/manifest.json)\n"
        ),
        "{summary}"
    );
    assert!(
        summary.ends_with("\n  warnings    1 (printed above and listed in out/manifest.json)"),
        "{summary}"
    );
    assert!(stderr.contains("latin1.txt: not valid UTF-8"), "{stderr}");
    assert!(stderr.contains("warning: lexicon.toml"), "{stderr}");
    let manifest = fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["warnings"].as_array().unwrap().len(), 1);
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
    let help: String = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("2 results written but some documents skipped; 3 results written but a chart could not be drawn; 130 interrupted."),
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

/// Starts a run over `files` copies of the essay, 200 times over each, into `output` (one
/// thread, stderr piped), and returns once it has begun writing its temporary folder.
fn start_a_long_run(dir: &Path, files: usize) -> std::process::Child {
    let big = dir.join("big");
    fs::create_dir_all(&big).unwrap();
    let body = fs::read_to_string(dir.join("input/hamhung.txt"))
        .unwrap()
        .repeat(200);
    for i in 0..files {
        fs::write(big.join(format!("{i:03}.txt")), &body).unwrap();
    }
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_themescope"))
        .current_dir(dir)
        .args(["run", "big", "-o", "output", "--jobs", "1", "--quiet"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = dir.join("output");
    let started = std::time::Instant::now();
    while !listing(&out)
        .iter()
        .any(|n| n.starts_with(".themescope-tmp"))
    {
        assert!(started.elapsed().as_secs() < 60, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child
}

/// See issue 7: Ctrl-C during a run leaves the previous output intact, no temporary folder, 130.
#[cfg(unix)]
#[test]
fn interrupt_keeps_previous_output_and_exits_130() {
    let dir = workdir();
    themescope().current_dir(dir.path()).assert().success();
    let before = fs::read(dir.path().join("output/documents.csv")).unwrap();
    let child = start_a_long_run(dir.path(), 300);
    let out = dir.path().join("output");
    // SIGINT as Ctrl-C sends it (no `kill` program needed).
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
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

/// Every `href` of a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn the_report_links_only_files_that_exist() {
    let dir = workdir();
    for (charts, png, svg) in [
        ("png,svg", 7, 7),
        ("png", 7, 0),
        ("svg", 0, 7),
        ("none", 0, 0),
    ] {
        themescope()
            .current_dir(dir.path())
            .args(["run", "--quiet", "--hits", "none", "--charts", charts])
            .assert()
            .success();
        let out = dir.path().join("output");
        let report = fs::read_to_string(out.join("report.html")).unwrap();
        let links = links(&report);
        for link in &links {
            assert!(
                out.join(link).is_file(),
                "--charts {charts}: report.html links {link}, which is not there"
            );
        }
        let count = |ext: &str| {
            links
                .iter()
                .filter(|l| l.starts_with("charts/") && l.ends_with(ext))
                .count()
        };
        assert_eq!(
            (count(".png"), count(".svg")),
            (png, svg),
            "--charts {charts}"
        );
        // Every chart file written is linked once.
        let mut linked: Vec<&String> = links.iter().filter(|l| l.starts_with("charts/")).collect();
        linked.sort();
        let written: Vec<String> = match out.join("charts").is_dir() {
            true => listing(&out.join("charts"))
                .iter()
                .map(|f| format!("charts/{f}"))
                .collect(),
            false => Vec::new(),
        };
        assert_eq!(
            linked,
            written.iter().collect::<Vec<_>>(),
            "--charts {charts}"
        );
        assert!(!links.iter().any(|l| l == "hits.csv"), "--hits none");
        assert!(links.iter().any(|l| l == "documents.csv"));
    }
}

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let name = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn another_tools_manifest_is_never_followed() {
    // A web project's folder with a manifest.json of its own that lists its files.
    let dir = workdir();
    let site = dir.path().join("site");
    fs::create_dir_all(site.join("src")).unwrap();
    fs::write(site.join("index.html"), "<html></html>").unwrap();
    fs::write(site.join("app.js"), "run()").unwrap();
    fs::write(site.join("src/main.ts"), "main()").unwrap();
    fs::write(
        site.join("manifest.json"),
        r#"{"files":["index.html","app.js","src/main.ts"]}"#,
    )
    .unwrap();
    let before = snapshot(&site);
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "input", "-o", "site", "--quiet"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("manifest.json is another tool's manifest")
            && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert_eq!(snapshot(&site), before, "every file as it was");
    assert_eq!(
        listing(&site),
        ["app.js", "index.html", "manifest.json", "src"]
    );
}

#[test]
fn something_in_the_way_of_a_new_file_stops_the_run_before_anything_changes() {
    let dir = workdir();
    themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .assert()
        .success();
    let out = dir.path().join("output");
    // A folder where report.html goes, that no manifest lists.
    fs::remove_file(out.join("report.html")).unwrap();
    fs::create_dir_all(out.join("report.html/mine")).unwrap();
    fs::write(out.join("report.html/mine/notes.txt"), "keep").unwrap();
    let before = snapshot(&out);
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("report.html is a folder where themescope writes a file"),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), before, "nothing changed");
    assert!(!listing(&out)
        .iter()
        .any(|n| n.starts_with(".themescope-tmp")));

    // A file of the user's named `charts`, where themescope writes a folder.
    let plain = dir.path().join("plain");
    fs::create_dir_all(&plain).unwrap();
    fs::write(plain.join("charts"), "my own file").unwrap();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet", "-o", "plain"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("charts is a file where themescope writes a folder")
            && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert_eq!(listing(&plain), [".themescope.lock", "charts"]);
    assert_eq!(read(&plain, "charts"), "my own file");

    // A file of the user's where a new CSV goes (no manifest lists it).
    let fresh = dir.path().join("fresh");
    fs::create_dir_all(&fresh).unwrap();
    fs::write(fresh.join("themes.csv"), "my own table").unwrap();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet", "-o", "fresh"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("themes.csv was not written by themescope"),
        "{stderr}"
    );
    // Only the lock file (empty, the folder's for every later run) is new.
    assert_eq!(listing(&fresh), [".themescope.lock", "themes.csv"]);
    assert_eq!(
        fs::read_to_string(fresh.join("themes.csv")).unwrap(),
        "my own table"
    );
}

#[test]
fn a_manifest_of_an_earlier_version_still_names_our_files() {
    let dir = workdir();
    let out = dir.path().join("output");
    // A set written by a version whose manifest had no "format": its files are ours.
    fs::write(out.join("old.csv"), "stale").unwrap();
    fs::write(out.join("themes.csv"), "stale").unwrap();
    fs::write(
        out.join("manifest.json"),
        r#"{"tool":"themescope","version":"0.0.9","files":["old.csv","themes.csv","manifest.json"]}"#,
    )
    .unwrap();
    themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .assert()
        .success();
    assert!(
        !out.join("old.csv").exists(),
        "the old set's file is removed"
    );
    assert!(fs::read_to_string(out.join("themes.csv"))
        .unwrap()
        .starts_with("document,theme"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], 1);
    assert_eq!(manifest["tool"], "themescope");
}

#[cfg(unix)]
#[test]
fn a_manifest_entry_behind_a_symbolic_link_is_left_alone() {
    let dir = workdir();
    let outside = dir.path().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("important.txt"), "keep me").unwrap();
    let out = dir.path().join("output");
    std::os::unix::fs::symlink("../outside", out.join("docs")).unwrap();
    fs::write(
        out.join("manifest.json"),
        r#"{"tool":"themescope","format":1,"files":["docs/important.txt","manifest.json"]}"#,
    )
    .unwrap();
    themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(outside.join("important.txt")).unwrap(),
        "keep me",
        "nothing is removed through a link"
    );
    assert!(out
        .join("docs")
        .symlink_metadata()
        .unwrap()
        .file_type()
        .is_symlink());
}

/// The files of a result set in `out` (the lock file and `.gitkeep` aside), and the files its
/// manifest lists, both sorted.
fn present_and_listed(out: &Path) -> (Vec<String>, Vec<String>) {
    let present: Vec<String> = snapshot(out)
        .into_iter()
        .map(|(name, _)| name)
        .filter(|n| n != ".gitkeep" && n != ".themescope.lock")
        .collect();
    (present, common::manifest_files(out))
}

#[test]
fn two_runs_into_one_folder_take_turns() {
    let dir = workdir();
    let out = dir.path().join("output");
    let start = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_themescope"))
            .current_dir(dir.path())
            .args(["run", "--quiet"])
            .args(extra)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    for round in 0..10 {
        // Two different result sets, started together: whichever commits last, the folder
        // holds exactly its files.
        let a = start(&[]);
        let b = start(&["--hits", "none", "--charts", "svg", "--segment", "none"]);
        for run in [a, b] {
            let output = run.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(output.status.success(), "round {round}: {stderr}");
        }
        let (present, listed) = present_and_listed(&out);
        assert_eq!(present, listed, "round {round}: one complete set");
        assert!(!listing(&out)
            .iter()
            .any(|n| n.starts_with(".themescope-tmp")));
    }
}

#[test]
fn a_file_system_without_locks_gets_a_warning_and_the_run_goes_on() {
    let dir = workdir();
    let assert = themescope()
        .current_dir(dir.path())
        .env("THEMESCOPE_TEST_FAIL_LOCK", "1")
        .args(["run", "--quiet"])
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning: output: the file system refuses locks")
            && stderr.contains("two runs into this folder at once could mix their results"),
        "{stderr}"
    );
    let (present, listed) = present_and_listed(&dir.path().join("output"));
    assert_eq!(present, listed);
}

#[cfg(unix)]
#[test]
fn a_run_waits_while_another_holds_the_folder() {
    use std::io::Read;
    use std::os::unix::io::AsRawFd;
    let dir = workdir();
    let out = dir.path().join("output");
    // This test holds the lock, as a run in progress would.
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(out.join(".themescope.lock"))
        .unwrap();
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut run = std::process::Command::new(env!("CARGO_BIN_EXE_themescope"))
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(
        run.try_wait().unwrap().is_none(),
        "the run waits for the lock"
    );
    assert!(
        !out.join("manifest.json").exists(),
        "and has changed nothing"
    );
    drop(lock);
    let status = run.wait().unwrap();
    let mut stderr = String::new();
    run.stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{stderr}");
    assert!(
        stderr.contains("waiting for another themescope run writing to output"),
        "{stderr}"
    );
    let (present, listed) = present_and_listed(&out);
    assert_eq!(present, listed);
}

#[cfg(unix)]
#[test]
fn a_killed_run_leaves_its_temporary_folder_only_until_the_next_run() {
    let dir = workdir();
    let out = dir.path().join("output");
    themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .assert()
        .success();
    let before = fs::read(out.join("documents.csv")).unwrap();
    let mut child = start_a_long_run(dir.path(), 60);
    // kill -9: no handler runs, the temporary folder stays behind.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(listing(&out)
        .iter()
        .any(|n| n.starts_with(".themescope-tmp")));
    assert_eq!(
        fs::read(out.join("documents.csv")).unwrap(),
        before,
        "old set intact"
    );
    // The next run removes it.
    themescope()
        .current_dir(dir.path())
        .args(["run", "--quiet"])
        .assert()
        .success();
    assert!(
        !listing(&out)
            .iter()
            .any(|n| n.starts_with(".themescope-tmp")),
        "{:?}",
        listing(&out)
    );
    let (present, listed) = present_and_listed(&out);
    assert_eq!(present, listed);
}
