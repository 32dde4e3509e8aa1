//! Charts and the report: valid files of the stated size, edge corpora that must still draw,
//! hostile document ids, escaping in report.html, exit code 3, and the data behind each chart.

use std::fs;
use std::path::{Path, PathBuf};

use themescope::lexicon::{parse_toml, Lexicon};
use themescope::Config;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

fn fixture_lexicon() -> Lexicon {
    parse_toml(
        &fs::read_to_string(fixture("small/lexicon.toml")).unwrap(),
        "lexicon.toml",
    )
    .unwrap()
}

/// Runs with charts on; returns the output folder and the summary.
fn run(inputs: Vec<PathBuf>, lexicon: Lexicon) -> (tempfile::TempDir, themescope::RunSummary) {
    let out = tempfile::tempdir().unwrap();
    let mut config = Config::new(inputs, out.path().to_path_buf(), lexicon);
    config.jobs = 2;
    let summary = themescope::run(&config).unwrap();
    assert!(
        summary.failed_charts.is_empty(),
        "{:?}",
        summary.failed_charts
    );
    (out, summary)
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Checks every chart file: PNG at least 1600×1000, SVG a complete document; returns the stems.
fn check_chart_files(out: &Path) -> Vec<String> {
    let dir = out.join("charts");
    let mut stems = Vec::new();
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = fs::read(&path).unwrap();
        if let Some(stem) = name.strip_suffix(".png") {
            let (w, h) = png_size(&bytes);
            assert!(w >= 1600 && h >= 1000, "{name}: {w}×{h}");
            assert!(dir.join(format!("{stem}.svg")).exists(), "{stem}.svg");
            stems.push(stem.to_string());
        } else {
            let text = String::from_utf8(bytes).unwrap();
            assert!(
                text.starts_with("<svg") && text.trim_end().ends_with("</svg>"),
                "{name}"
            );
            assert_eq!(
                text.matches("<svg").count(),
                text.matches("</svg>").count(),
                "{name}"
            );
        }
    }
    stems.sort();
    stems
}

#[test]
fn the_essay_gets_every_chart_and_a_report() {
    let essay = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/hamhung.txt");
    let (out, _) = run(vec![essay], Lexicon::builtin().unwrap());
    let stems = check_chart_files(out.path());
    assert_eq!(
        stems,
        [
            "contrasts",
            "cooccurrence",
            "drivers-hardship_vs_pride",
            "drivers-isolation_vs_openness",
            "drivers-state_ideology_vs_everyday_life",
            "themes",
            "trajectory-hamhung.txt",
        ]
    );
    let report = fs::read_to_string(out.path().join("report.html")).unwrap();
    for stem in &stems {
        assert!(
            report.contains(&format!("href=\"charts/{stem}.png\"")),
            "{stem}"
        );
    }
    assert_eq!(report.matches("<svg").count(), stems.len());
    // Self-contained: nothing to load (the only URLs are SVG's XML namespaces).
    assert!(!report.contains("<script") && !report.contains("<link") && !report.contains("<img"));
    assert!(!report.contains("src=") && !report.contains("url(") && !report.contains("@import"));
    assert!(report.contains(
        "It’s a city of both <mark class=\"l\">hardship</mark> and <mark class=\"r\">pride</mark>"
    ));
}

#[test]
fn edge_corpora_still_draw() {
    let dir = tempfile::tempdir().unwrap();
    // No hit at all.
    let none = dir.path().join("none");
    fs::create_dir_all(&none).unwrap();
    fs::write(none.join("a.txt"), "Nothing here matches anything.").unwrap();
    let (out, summary) = run(vec![none], fixture_lexicon());
    check_chart_files(out.path());
    assert!(summary.charts.drivers[0].terms.is_empty());
    // One token.
    let one = dir.path().join("one.txt");
    fs::write(&one, "pride").unwrap();
    let (out, summary) = run(vec![one], fixture_lexicon());
    check_chart_files(out.path());
    assert_eq!(summary.charts.trajectories[0].panels[0].points.len(), 1);
    // 300 documents: 40 drawn, the rest pooled; 20 trajectories.
    let many = dir.path().join("many");
    fs::create_dir_all(&many).unwrap();
    for i in 0..300 {
        fs::write(
            many.join(format!("{i:03}.txt")),
            "pride and hardship. ".repeat(1 + i % 7),
        )
        .unwrap();
    }
    let (out, summary) = run(vec![many], fixture_lexicon());
    let stems = check_chart_files(out.path());
    assert_eq!(
        stems
            .iter()
            .filter(|s| s.starts_with("trajectory-"))
            .count(),
        20
    );
    assert_eq!(summary.charts.contrasts[0].bars.len(), 1 + 40 + 1);
    assert_eq!(summary.charts.pooled_documents, 260);
}

#[test]
fn hostile_ids_get_safe_file_names_and_escaped_text() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    let names = [
        "<script>alert(1)</script>&.txt",
        "line\nbreak.txt",
        "..txt",
        &format!("{}.txt", "long".repeat(60)),
    ];
    for name in names {
        // "<script>alert(1)</script>&.txt" is a folder and a file: the id holds a '/'.
        let path = docs.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(
            path,
            "<script>alert('x')</script> & pride, not hardship; \"hardship\" & pride.",
        )
        .unwrap();
    }
    let (out, _) = run(vec![docs], fixture_lexicon());
    let stems = check_chart_files(out.path());
    for stem in stems.iter().filter(|s| s.starts_with("trajectory-")) {
        assert!(stem.len() <= 70, "{stem}");
        assert!(
            stem.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "{stem}"
        );
        assert!(!stem.contains(".."), "{stem}");
    }
    assert_eq!(
        stems
            .iter()
            .filter(|s| s.starts_with("trajectory-"))
            .count(),
        names.len()
    );
    let report = fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(!report.contains("<script"), "a script tag got through");
    assert!(report.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;.txt"));
    assert!(report.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;"));
    for entry in fs::read_dir(out.path().join("charts")).unwrap() {
        let text = fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !text.windows(7).any(|w| w == b"<script"),
            "a chart holds a script tag"
        );
    }
}

#[test]
fn chart_data_for_the_fixture() {
    let (_, summary) = run(vec![fixture("small/docs")], fixture_lexicon());
    insta::assert_snapshot!(
        "small_chart_data",
        serde_json::to_string_pretty(&summary.charts).unwrap()
    );
}

#[test]
fn a_failed_chart_keeps_the_data_and_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let assert = assert_cmd::Command::cargo_bin("themescope")
        .unwrap()
        .env("THEMESCOPE_TEST_FAIL_CHART", "cooccurrence")
        .args(["run", "--quiet", "-o"])
        .arg(&out)
        .arg(fixture("small/docs"))
        .assert()
        .code(3);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("error: chart cooccurrence failed: failure injected for testing"),
        "{stderr}"
    );
    assert!(out.join("themes.csv").exists() && out.join("report.html").exists());
    assert!(
        out.join("charts/themes.png").exists() && !out.join("charts/cooccurrence.png").exists()
    );
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("chart cooccurrence could not be drawn"));
}

#[test]
fn charts_flag_chooses_the_files() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, png, svg) in [
        ("png", true, false),
        ("svg", false, true),
        ("none", false, false),
    ] {
        let out = dir.path().join(flag);
        assert_cmd::Command::cargo_bin("themescope")
            .unwrap()
            .args(["run", "--quiet", "--charts", flag, "-o"])
            .arg(&out)
            .arg(fixture("small/docs"))
            .assert()
            .success();
        assert_eq!(out.join("charts/themes.png").exists(), png, "{flag}");
        assert_eq!(out.join("charts/themes.svg").exists(), svg, "{flag}");
        assert!(out.join("report.html").exists());
    }
}
