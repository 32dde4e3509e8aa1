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

/// `terms.csv` of the text below with a lexicon of two themes — `parts` (words that occur
/// inside compounds, and a wildcard) and `whole` (entries with hyphens) — its TOML `header` and
/// `args`.
fn hyphen_terms(header: &str, args: &[&str]) -> String {
    let text = "Her sister-in-law was cold\u{2011}hearted, good-humoured and cold.\n";
    let lexicon = format!(
        "name = \"t\"\n{header}\
         [[themes]]\nid = \"parts\"\nlabel = \"P\"\nterms = [\"law\", \"good\", \"cold*\"]\n\
         [[themes]]\nid = \"whole\"\nlabel = \"W\"\nterms = [\"sister-in-law\", \"cold-hearted\"]\n"
    );
    let (dir, stderr) = run_text(text, "lex.toml", lexicon.as_bytes(), args);
    assert_eq!(stderr, "");
    terms(dir.path())
}

#[test]
fn hyphens_split_or_keep() {
    // split (the default): the parts of a compound match on their own, and an entry with
    // hyphens matches the compound word by word (any one hyphen character between them).
    let split = "theme,term,count,documents\n\
                 parts,cold*,2,1\nparts,law,1,1\nparts,good,1,1\n\
                 whole,sister-in-law,1,1\nwhole,cold-hearted,1,1\n";
    assert_eq!(hyphen_terms("", &[]), split);
    assert_eq!(hyphen_terms("", &["--hyphens", "split"]), split);
    // keep: a compound is one token; `law` and `good` no longer match inside it, `cold*`
    // matches the compound and the word, the entries with hyphens match the compounds.
    let keep = "theme,term,count,documents\n\
                parts,cold*,2,1\n\
                whole,sister-in-law,1,1\nwhole,cold-hearted,1,1\n";
    assert_eq!(hyphen_terms("", &["--hyphens", "keep"]), keep);
    assert_eq!(hyphen_terms("hyphens = \"keep\"\n", &[]), keep);
    // The command line wins over the lexicon.
    assert_eq!(
        hyphen_terms("hyphens = \"keep\"\n", &["--hyphens", "split"]),
        split
    );
}

#[test]
fn hyphens_change_the_token_count_and_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("doc.txt"), "A well-known mother-in-law.\n").unwrap();
    let mut tokens = Vec::new();
    for mode in ["split", "keep"] {
        themescope()
            .current_dir(dir.path())
            .args(["run", "doc.txt", "-o", mode, "--charts", "none", "--quiet"])
            .args(["--hyphens", mode])
            .assert()
            .success();
        let out = dir.path().join(mode);
        let documents = common::rows(&out, "documents.csv");
        tokens.push(documents[0]["tokens"].clone());
        let manifest: serde_json::Value =
            serde_json::from_str(&read(&out, "manifest.json")).unwrap();
        assert_eq!(manifest["settings"]["hyphens"], mode);
    }
    assert_eq!(tokens, ["6", "3"]);
}

#[test]
fn underscores_around_a_word_belong_to_neither_word_nor_gap() {
    // Gutenberg's italics: `_Not_ blinded`. Each entry in a theme of its own, so that each is
    // counted.
    let lexicon = "name = \"t\"\n\
                   [[themes]]\nid = \"plain\"\nlabel = \"P\"\nterms = [\"not blinded\"]\n\
                   [[themes]]\nid = \"marked\"\nlabel = \"M\"\nterms = [\"_not_ blinded\"]\n";
    let text = "He was _Not_ blinded. She was not blinded.\n";
    let (dir, stderr) = run_text(text, "lex.toml", lexicon.as_bytes(), &["--negation", "off"]);
    assert_eq!(stderr, "");
    assert_eq!(
        terms(dir.path()),
        "theme,term,count,documents\nplain,not blinded,2,1\nmarked,_not_ blinded,2,1\n"
    );
}

#[test]
fn a_flood_of_lexicon_warnings_is_shown_in_part_and_kept_whole() {
    // 25 wildcards of one category, each shadowed by an exact entry of the other: 25 warnings.
    let mut dic = String::from("%\n1\tone\n2\ttwo\n%\n");
    for i in 0..25 {
        dic.push_str(&format!("word{i}*\t1\nword{i}x\t2\n"));
    }
    let (dir, stderr) = run_text("word1x and word2.\n", "lex.dic", dic.as_bytes(), &[]);
    let shown = stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .count();
    assert_eq!(shown, 20, "{stderr}");
    assert!(
        stderr.contains("themescope: 5 more warnings; every one is listed in out/manifest.json"),
        "{stderr}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("out"), "manifest.json")).unwrap();
    let warnings = manifest["warnings"].as_array().unwrap();
    assert_eq!(
        warnings
            .iter()
            .filter(|w| w.as_str().unwrap().contains("never counts"))
            .count(),
        25
    );
}
