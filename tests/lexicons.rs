//! Bring-your-own lexicons end to end: the same lexicon in four formats, weights, matching
//! rules, `--contrast`, coverage, and the `lexicon check|show|export` commands.

use std::fs;

mod common;
use common::{fixture, read, themescope};

/// Runs the binary on the small fixture corpus with `args`; returns the output folder.
fn run_small(args: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    themescope()
        .arg("run")
        .arg(fixture("small/docs"))
        .arg("-o")
        .arg(out.path())
        .arg("--quiet")
        .args(args)
        .assert()
        .success();
    out
}

fn output(assert: &assert_cmd::assert::Assert) -> (String, String) {
    let o = assert.get_output();
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn one_lexicon_in_four_formats_gives_identical_themes_csv() {
    let expected = "\
document,theme,count,negated,weight,pct,distinct_terms
a.txt,hardship,2,0,2.0000,13.3333,2
a.txt,pride,2,0,2.0000,13.3333,2
b.md,hardship,3,0,3.0000,27.2727,1
b.md,pride,2,1,2.0000,18.1818,2
empty.txt,hardship,0,0,0.0000,,0
empty.txt,pride,0,0,0.0000,,0
";
    for name in ["themes.toml", "themes.csv", "themes.dic", "themes.dicx"] {
        let lexicon = fixture(&format!("lexicons/{name}"));
        let out = run_small(&["--lexicon", lexicon.to_str().unwrap()]);
        assert_eq!(read(out.path(), "themes.csv"), expected, "with {name}");
    }
}

/// See issue 16: the manifest's timings count the lexicon's load.
#[test]
fn the_manifest_times_the_lexicon_load() {
    let lexicon = fixture("lexicons/themes.toml");
    let out = run_small(&["--lexicon", lexicon.to_str().unwrap()]);
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path(), "manifest.json")).unwrap();
    let timings = &manifest["timings"];
    let load = timings["load_seconds"].as_f64().unwrap();
    let total = timings["total_seconds"].as_f64().unwrap();
    assert!(load > 0.0, "{timings}");
    assert!(total >= load, "{timings}");
}

#[test]
fn weights_are_summed_exactly_and_drive_the_contrast() {
    let lexicon = fixture("lexicons/weighted.csv");
    let out = run_small(&[
        "--lexicon",
        lexicon.to_str().unwrap(),
        "--contrast",
        "hardship:pride",
    ]);
    // a.txt: hardship 1 + power outage 3; pride 1 + proud 2. b.md: three shortages at 0.5;
    // proud (2, negated) + badge of honor 1.25.
    let themes = read(out.path(), "themes.csv");
    assert!(themes.contains("\na.txt,hardship,2,0,4.0000,"), "{themes}");
    assert!(themes.contains("\na.txt,pride,2,0,3.0000,"), "{themes}");
    assert!(themes.contains("\nb.md,hardship,3,0,1.5000,"), "{themes}");
    assert!(themes.contains("\nb.md,pride,2,1,3.2500,"), "{themes}");
    let contrasts = read(out.path(), "contrasts.csv");
    // b.md without the negated hit: L = 1.5, R = 1.25 → balance -0.25/2.75, log-odds ln(1.75/2).
    assert!(
        contrasts.contains("\nb.md,hardship_vs_pride,hardship,pride,3,1,1.5000,1.2500,-0.0909,"),
        "{contrasts}"
    );
    assert!(contrasts.contains(",-0.1335,1,0.5000\n"), "{contrasts}");
    // Corpus: L = 5.5, R = 4.25 → balance -0.1282, log-odds ln(4.75/6) = -0.2336.
    assert!(
        contrasts
            .contains("\n(corpus),hardship_vs_pride,hardship,pride,5,3,5.5000,4.2500,-0.1282,"),
        "{contrasts}"
    );
    assert!(contrasts.contains(",-0.2336,2,0.4000\n"), "{contrasts}");
    let hits = read(out.path(), "hits.csv");
    assert!(
        hits.contains(",hardship,power outage*,Power outages,3.0000,false,"),
        "{hits}"
    );
}

#[test]
fn per_theme_and_best_entry_differ_on_overlapping_entries() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("doc.txt"), "The workers work.").unwrap();
    let body = "[[themes]]\nid = \"labour\"\nterms = [\"work*\"]\n[[themes]]\nid = \"people\"\nterms = [\"workers\"]\n";
    fs::write(dir.path().join("per.toml"), body).unwrap();
    fs::write(
        dir.path().join("best.toml"),
        format!("matching = \"best-entry\"\n{body}"),
    )
    .unwrap();
    let count = |lexicon: &str| -> String {
        let out = tempfile::tempdir().unwrap();
        themescope()
            .args(["run", "--quiet", "-o"])
            .arg(out.path())
            .arg(dir.path().join("doc.txt"))
            .arg("--lexicon")
            .arg(dir.path().join(lexicon))
            .assert()
            .success();
        read(out.path(), "documents.csv")
            .lines()
            .nth(1)
            .unwrap()
            .to_string()
    };
    // per-theme: "workers" counts for labour (work*) and people (workers); "work" for labour.
    assert_eq!(count("per.toml"), "doc.txt,3,1,1,2,66.6667,1,33.3333");
    // best-entry: "workers" takes only its exact entry (people); "work" is labour's.
    assert_eq!(count("best.toml"), "doc.txt,3,1,1,1,33.3333,1,33.3333");
}

#[test]
fn coverage_and_unmatched_terms() {
    let dir = tempfile::tempdir().unwrap();
    let lexicon = dir.path().join("lex.toml");
    fs::write(
        &lexicon,
        "[[themes]]\nid = \"hardship\"\nterms = [\"hardship*\", \"shortage*\", \"famine\"]\n[[themes]]\nid = \"pride\"\nterms = [\"pride\", \"proud*\", \"glory\", \"honour\"]\n",
    )
    .unwrap();
    let out = run_small(&["--lexicon", lexicon.to_str().unwrap()]);
    // 26 tokens; hardship: hardship, shortages ×3 = 4 hits; pride: pride, proud ×2 = 3 hits.
    assert_eq!(
        read(out.path(), "lexicon_coverage.csv"),
        "theme,terms,terms_matched,hits,pct_of_tokens\nhardship,3,2,4,15.3846\npride,4,2,3,11.5385\n"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&read(out.path(), "manifest.json")).unwrap();
    assert_eq!(
        manifest["lexicon"]["unmatched_terms"],
        serde_json::json!([{"theme": "hardship", "terms": ["famine"]}, {"theme": "pride", "terms": ["glory", "honour"]}])
    );
    assert_eq!(manifest["lexicon"]["sources"][0]["format"], "toml");
}

#[test]
fn contrast_flag_and_its_errors() {
    let lexicon = fixture("lexicons/themes.csv");
    let out = run_small(&[
        "--lexicon",
        lexicon.to_str().unwrap(),
        "--contrast",
        "pride:hardship",
    ]);
    assert!(read(out.path(), "contrasts.csv")
        .contains("\n(corpus),pride_vs_hardship,pride,hardship,3,5,"));
    let assert = themescope()
        .args(["run", "--quiet"])
        .arg(fixture("small/docs"))
        .arg("--lexicon")
        .arg(&lexicon)
        .args(["--contrast", "negative:positive"])
        .assert()
        .code(1);
    let (_, stderr) = output(&assert);
    assert!(
        stderr.contains("error: --contrast negative:positive: \"negative\" is not a theme of the lexicon; themes: hardship, pride"),
        "{stderr}"
    );
}

#[test]
fn theme_ids_never_duplicate_a_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("cols.csv");
    fs::write(&csv, "word,sentiment\nx,tokens\ny,document\n").unwrap();
    let out = run_small(&["--lexicon", csv.to_str().unwrap()]);
    let header = read(out.path(), "documents.csv")
        .lines()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        header,
        "document,tokens,sentences,paragraphs,tokens_2,tokens_2_pct,document_2,document_2_pct"
    );
    let toml = dir.path().join("cols.toml");
    fs::write(
        &toml,
        "[[themes]]\nid = \"x\"\nterms = [\"a\"]\n[[themes]]\nid = \"x_pct\"\nterms = [\"b\"]\n",
    )
    .unwrap();
    let assert = themescope()
        .args(["run", "--quiet"])
        .arg(fixture("small/docs"))
        .arg("--lexicon")
        .arg(&toml)
        .assert()
        .code(1);
    let (_, stderr) = output(&assert);
    assert!(
        stderr.contains("the theme ids give documents.csv two columns named \"x_pct\""),
        "{stderr}"
    );
}

#[test]
fn a_theme_in_two_files_is_an_error_naming_both() {
    let a = fixture("lexicons/themes.csv");
    let b = fixture("lexicons/themes.dic");
    let assert = themescope()
        .args(["lexicon", "check"])
        .arg(&a)
        .arg(&b)
        .assert()
        .code(1);
    let (stdout, _) = output(&assert);
    assert!(
        stdout.contains(&format!(
            "themes.dic:5: theme \"hardship\" is also defined in {}",
            a.display()
        )),
        "{stdout}"
    );
    assert!(stdout.ends_with("not usable\n"), "{stdout}");
}

#[test]
fn check_reports_warnings_by_line_and_exits_0_when_usable() {
    let assert = themescope()
        .args(["lexicon", "check"])
        .arg(fixture("lexicons/broken.dic"))
        .assert()
        .success();
    let (stdout, _) = output(&assert);
    let path = fixture("lexicons/broken.dic").display().to_string();
    let expected = [
        format!("{path}: 2 themes, 5 terms, 0 contrasts, best-entry matching, 6 warnings"),
        format!("warning: {path}:8: conditional entry \"kind <of>\\t2\" skipped (themescope has no conditional entries)"),
        format!("warning: {path}:9: category \"7\" of \"proud*\" is not defined in the % block; ignored"),
        format!("warning: {path}:10: entry \"bad entry\" has no category; skipped"),
        format!("warning: {path}:11: a line without a term; skipped"),
        format!("warning: {path}:7: duplicate entry \"shortage*\" in category \"hardship\" (first on line 6; counted once)"),
        format!("warning: {path}:9: wildcard \"proud*\" of theme \"pride\" never counts proudly: another category lists them as exact entries, and best-entry matching gives a word only its exact entry's categories"),
        "usable".to_string(),
    ];
    assert_eq!(stdout.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn check_names_file_and_line_of_errors_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "bad.toml",
            "[[themes]]\nid = \"a\"\nterms = [\"x\"\n",
            "bad.toml:4: invalid array",
        ),
        (
            "weight.toml",
            "[[themes]]\nid = \"a\"\nterms = [\n{ term = \"x\", weight = 0 }]\n",
            "weight.toml:4: term \"x\" of theme \"a\" has weight 0",
        ),
        (
            "pole.toml",
            "[[themes]]\nid = \"a\"\nterms = [\"x\"]\n[[contrasts]]\nleft = \"a\"\nright = \"b\"\n",
            "pole.toml:6: contrast pole \"b\" is not a theme of this lexicon; themes: a",
        ),
        (
            "empty.toml",
            "[[themes]]\nid = \"a\"\nterms = []\n",
            "empty.toml:2: theme \"a\" has no terms",
        ),
        (
            "weight.csv",
            "term,category,weight\nx,a,1\ny,a,-2\n",
            "weight.csv:3: weight \"-2\" of \"y\" is not a positive number from 0.0001 to 10000",
        ),
        (
            "cell.dicx",
            "DicTerm,A,B\nx,X,\ny,,no\n",
            "cell.dicx:3: column \"B\": \"no\" is not a mark",
        ),
        (
            "nocat.dic",
            "%\n1\thardship\n2\t\n%\nhardship*\t1\n",
            "nocat.dic:3: expected `id<TAB>category` in the % block",
        ),
        (
            "latin1.toml",
            "[[themes]]\nid = \"a\"\nterms = [\"caf\u{e9}\"]\n",
            "",
        ),
    ];
    for (name, body, expected) in cases {
        let path = dir.path().join(name);
        fs::write(&path, body).unwrap();
        let assert = themescope().args(["lexicon", "check"]).arg(&path).assert();
        let (stdout, _) = output(&assert);
        if expected.is_empty() {
            assert.success();
            continue;
        }
        assert.code(1);
        assert!(
            stdout.contains(&format!("error: {}", dir.path().join(expected).display())),
            "{name}: {stdout}"
        );
    }
    // Not UTF-8 in a format that must be UTF-8: the line is named.
    let path = dir.path().join("bytes.csv");
    fs::write(&path, b"t,c\nok,a\ncaf\xe9,a\n").unwrap();
    let assert = themescope()
        .args(["lexicon", "check"])
        .arg(&path)
        .assert()
        .code(1);
    assert!(output(&assert).0.contains("bytes.csv:3: not valid UTF-8"));
}

#[test]
fn show_prints_the_builtin_lexicon() {
    let assert = themescope().args(["lexicon", "show"]).assert().success();
    let (stdout, _) = output(&assert);
    assert!(
        stdout.starts_with("Lexicon: themescope built-in\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Themes (12, "), "{stdout}");
    assert!(
        stdout.contains(
            "  hardship_vs_pride  Hardship (left, balance < 0) vs Pride (right, balance > 0)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("negators: not, no, never"), "{stdout}");
}

#[test]
fn export_then_load_gives_the_same_analysis() {
    let dir = tempfile::tempdir().unwrap();
    let original = run_small(&[]);
    for format in ["toml", "csv", "dic"] {
        let path = dir.path().join(format!("builtin.{format}"));
        let assert = themescope()
            .args(["lexicon", "export", "--format", format, "-o"])
            .arg(&path)
            .assert()
            .success();
        let (_, stderr) = output(&assert);
        if format == "toml" {
            assert!(stderr.is_empty(), "{stderr}");
        } else {
            assert!(
                stderr.contains(&format!(
                    "warning: a {format} lexicon cannot hold theme labels, descriptions, contrasts"
                )),
                "{stderr}"
            );
        }
        let out = run_small(&["--lexicon", path.to_str().unwrap()]);
        if format == "toml" {
            for name in ["themes.csv", "contrasts.csv", "hits.csv", "terms.csv"] {
                assert_eq!(
                    read(out.path(), name),
                    read(original.path(), name),
                    "{name} via {format}"
                );
            }
        } else {
            // Same themes and terms: theme counts agree (no contrasts in a flat format).
            let strip = |s: String| {
                s.lines()
                    .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                strip(read(out.path(), "themes.csv")),
                strip(read(original.path(), "themes.csv")),
                "via {format}"
            );
        }
    }
}
