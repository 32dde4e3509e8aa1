//! Lexicons as their authors write them: Unicode in either normal form, wildcards written
//! twice, and the other habits of published dictionaries (issue "real lexicons").

use std::fs;
use std::path::Path;

mod common;
use common::{read, themescope};

/// Runs the binary on `text` (one document, `doc.txt`) with the lexicon file `name` holding
/// `lexicon`; returns the folder (`out/` inside) and stderr.
fn run_text(text: &str, name: &str, lexicon: &[u8], args: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("doc.txt"), text).unwrap();
    fs::write(dir.path().join(name), lexicon).unwrap();
    let assert = themescope()
        .current_dir(dir.path())
        .args(["run", "doc.txt", "-o", "out", "--charts", "none", "--quiet"])
        .args(["--lexicon", name])
        .args(args)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    (dir, stderr)
}

/// `terms.csv` of the run in `dir`.
fn terms(dir: &Path) -> String {
    read(&dir.join("out"), "terms.csv")
}

#[test]
fn composed_and_decomposed_unicode_match_each_other() {
    // The entries composed (é as U+00E9) and decomposed (e + U+0301); the text holds each
    // form of each word once.
    let lexicon = "name = \"t\"\n[[themes]]\nid = \"a\"\nlabel = \"A\"\nterms = [\"caf\u{e9}\", \"nai\u{308}ve*\"]\n";
    let text = "caf\u{e9} cafe\u{301} CAFE\u{301}. na\u{ef}vet\u{e9} nai\u{308}ve.\n";
    let (dir, stderr) = run_text(text, "lex.toml", lexicon.as_bytes(), &[]);
    assert_eq!(stderr, "");
    assert_eq!(
        terms(dir.path()),
        "theme,term,count,documents\na,caf\u{e9},3,1\na,nai\u{308}ve*,2,1\n"
    );
    // `lexicon check` has nothing to say about a wildcard after a combining mark: it works.
    let check = themescope()
        .current_dir(dir.path())
        .args(["lexicon", "check", "lex.toml"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
    assert!(stdout.contains("0 warnings"), "{stdout}");
}

#[test]
fn a_doubled_wildcard_works_as_one_and_the_warning_says_so() {
    let lexicon = "name = \"t\"\n[[themes]]\nid = \"a\"\nlabel = \"A\"\nterms = [\"heckl**\"]\n";
    let (dir, stderr) = run_text(
        "They heckled the hecklers.\n",
        "lex.toml",
        lexicon.as_bytes(),
        &[],
    );
    assert_eq!(
        stderr,
        "warning: lex.toml:5: entry \"heckl**\" of theme \"a\": two or more * at the end of a word work as one\n"
    );
    assert_eq!(
        terms(dir.path()),
        "theme,term,count,documents\na,heckl**,2,1\n"
    );
}

#[test]
fn every_format_reads_lf_crlf_and_old_mac_cr_line_ends_alike() {
    let docs = common::fixture("small/docs");
    for name in ["themes.toml", "themes.csv", "themes.dic", "themes.dicx"] {
        let lf = fs::read_to_string(common::fixture(&format!("lexicons/{name}")))
            .unwrap()
            .replace("\r\n", "\n");
        let mut results = Vec::new();
        for (ending, text) in [
            ("LF", lf.clone()),
            ("CRLF", lf.replace('\n', "\r\n")),
            ("CR", lf.replace('\n', "\r")),
        ] {
            let dir = tempfile::tempdir().unwrap();
            fs::write(dir.path().join(name), &text).unwrap();
            let assert = themescope()
                .current_dir(dir.path())
                .arg("run")
                .arg(&docs)
                .args([
                    "-o",
                    "out",
                    "--charts",
                    "none",
                    "--quiet",
                    "--lexicon",
                    name,
                ])
                .assert();
            let output = assert.get_output();
            assert!(
                output.status.success(),
                "{name} with {ending} line ends: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            results.push(read(&dir.path().join("out"), "themes.csv"));
        }
        assert!(
            results[0].contains("b.md,hardship,3,0"),
            "{name}: {}",
            results[0]
        );
        assert_eq!(results[1], results[0], "{name}: CRLF");
        assert_eq!(results[2], results[0], "{name}: CR");
    }
    // Line numbers in messages count CR line ends as lines.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("bad.dic"), "%\r1\tA\r%\rgood\t1\rbad\t7\r").unwrap();
    let check = themescope()
        .current_dir(dir.path())
        .args(["lexicon", "check", "bad.dic"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&check.get_output().stdout).into_owned();
    assert!(
        stdout.contains("bad.dic:5: category \"7\" of \"bad\" is not defined"),
        "{stdout}"
    );
}
