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
    // The empty charts say so, inside the chart (the drivers note once sat above it, at y < 0,
    // and showed only because plotters clamped it to the edge).
    for (chart, notes) in [("drivers-hardship_vs_pride", 1), ("trajectory-a.txt", 1)] {
        let svg = fs::read_to_string(out.path().join(format!("charts/{chart}.svg"))).unwrap();
        let inside: Vec<SvgText> = svg_texts(&svg)
            .into_iter()
            .filter(|t| t.text == "no hits of either pole")
            .collect();
        assert_eq!(inside.len(), notes, "{chart}");
        assert!(
            inside
                .iter()
                .all(|t| t.y > 100 && t.y < 900 && t.x > 300 && t.x < 1300),
            "{chart}: {inside:?}"
        );
    }
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

/// Whether every U+202E (right-to-left override) in `text` lies inside a `<bdi>` element or
/// between FSI and PDI (an isolate): it reorders nothing outside. Returns how many there are.
fn overrides_isolated(text: &str) -> usize {
    let mut found = 0;
    for (i, _) in text.match_indices('\u{202E}') {
        let before = &text[..i];
        let in_bdi = before.rfind("<bdi>") > before.rfind("</bdi>");
        let in_isolate = before.rfind('\u{2068}') > before.rfind('\u{2069}');
        assert!(
            in_bdi || in_isolate,
            "not isolated: …{}",
            &before[before.len().saturating_sub(200)..]
        );
        found += 1;
    }
    found
}

/// Issue 15: a right-to-left override (U+202E) in a document's text or name turns only that
/// text: in the report every sentence, id and term is a `<bdi>`, and in the charts every label
/// made of an id is an isolate.
#[test]
fn right_to_left_overrides_stay_inside_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    let evil = "evil\u{202E}gnp.txt";
    fs::write(
        docs.join(evil),
        "The city of pride \u{202E}and hardship was turned.\n\nPride, not hardship.\n",
    )
    .unwrap();
    fs::write(docs.join("plain.txt"), "pride and hardship\n").unwrap();
    let (out, _) = run(vec![docs], fixture_lexicon());
    let report = fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(
        report.contains("<blockquote><bdi>The city of <mark class=\"\">pride</mark> \u{202E}and"),
        "the sentence is isolated"
    );
    assert!(report.contains(&format!(
        "<span class=\"src\"><bdi>{evil}</bdi>, sentence 1</span>"
    )));
    assert!(report.contains(&format!("<figcaption>Trajectory of <bdi>{evil}</bdi>")));
    // Sentences (examples and tension), their sources, the caption, and the inline charts.
    assert!(overrides_isolated(&report) >= 6, "{report}");
    // Each chart label made of the id is an isolate: the contrast panels' document labels and
    // the trajectory's title.
    let mut labels = 0;
    for entry in fs::read_dir(out.path().join("charts")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "svg") {
            let svg = fs::read_to_string(&path).unwrap();
            for text in svg_texts(&svg)
                .iter()
                .filter(|t| t.text.contains('\u{202E}'))
            {
                assert!(
                    text.text.ends_with(&format!("\u{2068}{evil}\u{2069}")),
                    "{}: {:?}",
                    path.display(),
                    text.text
                );
                labels += 1;
            }
        }
    }
    assert_eq!(
        labels, 2,
        "the label in the one contrast panel, and the trajectory's title"
    );
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
    let assert = assert_cmd::Command::new(env!("CARGO_BIN_EXE_themescope"))
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

/// A chart failing in a run that also skipped a document: the data is short, and that outranks
/// the chart (exit 2, not 3); both are said.
#[test]
fn a_failed_chart_beside_a_skipped_document_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    for entry in fs::read_dir(fixture("small/docs")).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, docs.join(path.file_name().unwrap())).unwrap();
    }
    fs::write(docs.join("binary.txt"), b"pride\0hardship").unwrap();
    let documents = fs::read_dir(&docs).unwrap().count();
    let out = dir.path().join("out");
    let assert = assert_cmd::Command::new(env!("CARGO_BIN_EXE_themescope"))
        .env("THEMESCOPE_TEST_FAIL_CHART", "cooccurrence")
        .args(["run", "--quiet", "-o"])
        .arg(&out)
        .arg(&docs)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("error: chart cooccurrence failed: failure injected for testing")
            && stderr.contains("but 1 chart(s) could not be drawn")
            && stderr.contains(&format!(
                "1 of {documents} documents skipped; results for the other {} are in",
                documents - 1
            )),
        "{stderr}"
    );
    assert!(out.join("themes.csv").exists() && !out.join("charts/cooccurrence.png").exists());
}

/// Issue 15: a chart file the disk refuses is named in a sentence, not in plotters' debug
/// text. A file-size limit as `ulimit -f` sets it stands in for a full disk: the CSV files,
/// the manifest and the report fit under 40,000 bytes, no PNG chart of this corpus does (60 kB
/// and more).
#[cfg(unix)]
#[test]
fn a_chart_the_disk_refuses_is_named_in_a_sentence() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.txt"), "pride and hardship").unwrap();
    let out = dir.path().join("out");
    let mut run = std::process::Command::new(env!("CARGO_BIN_EXE_themescope"));
    run.args(["run", "--quiet", "-o"])
        .arg(&out)
        .arg(dir.path().join("a.txt"));
    // SAFETY: only async-signal-safe calls (setrlimit) between fork and exec.
    unsafe {
        run.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: 40_000,
                rlim_max: 40_000,
            };
            match libc::setrlimit(libc::RLIMIT_FSIZE, &limit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let output = run.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let failed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: chart "))
        .collect();
    let stems = [
        "themes",
        "contrasts",
        "drivers-hardship_vs_pride",
        "drivers-isolation_vs_openness",
        "drivers-state_ideology_vs_everyday_life",
        "cooccurrence",
        "trajectory-a.txt",
    ];
    let want: Vec<String> = stems
        .iter()
        .map(|stem| {
            format!(
                "error: chart {stem} failed: cannot write {}: File too large (os error 27)",
                out.join("charts").join(format!("{stem}.png")).display()
            )
        })
        .collect();
    assert_eq!(failed, want, "{stderr}");
    for debug in ["{", "Kind", "Error(", "backend error"] {
        assert!(!stderr.contains(debug), "{debug:?} in {stderr}");
    }
    // The data and the report are there; no chart file is.
    assert!(out.join("themes.csv").exists() && out.join("report.html").exists());
    assert!(!out.join("charts").exists());
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest.contains("chart themes could not be drawn: cannot write "),
        "{manifest}"
    );
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
        assert_cmd::Command::new(env!("CARGO_BIN_EXE_themescope"))
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

/// Where a text sits along one direction of an SVG.
type Coordinate = fn(&SvgText) -> i32;

/// A `<text>` element of an SVG: where it is anchored, how, and what it says.
#[derive(Debug)]
struct SvgText {
    x: i32,
    y: i32,
    anchor: String,
    text: String,
}

/// Every `<text>` element of an SVG written by plotters (attributes on one line, the text on
/// the next).
fn svg_texts(svg: &str) -> Vec<SvgText> {
    let attr = |tag: &str, name: &str| -> String {
        let from = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[from..from + tag[from..].find('"').unwrap()].to_string()
    };
    svg.split("<text ")
        .skip(1)
        .map(|part| {
            let (tag, rest) = part.split_once('>').unwrap();
            let tag = &format!(" {tag}");
            let text = rest.split("</text>").next().unwrap().trim();
            let text = text
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
            SvgText {
                x: attr(tag, "x").parse().unwrap(),
                y: attr(tag, "y").parse().unwrap(),
                anchor: attr(tag, "text-anchor"),
                text,
            }
        })
        .collect()
}

/// Checks the tick labels of every chart of `set`: each numeric axis has at least two ticks,
/// its labels are distinct (on each side of zero for an axis that counts both ways) and read
/// as their tick values, and the SVG shows exactly those labels along the axis (once per panel
/// of a trajectory), each at the place of its value. Returns the labels, for the caller's own
/// checks.
fn check_tick_labels(set: &themescope::output::chart::ChartSet) -> Vec<(String, Vec<String>)> {
    use themescope::output::chart::{self, ChartKind, LabelStyle, Side};
    let mut seen = Vec::new();
    for planned in chart::plan(set) {
        let mut svg = String::new();
        chart::render(&planned, &mut svg, None).unwrap();
        let texts = svg_texts(&svg);
        let panels = match planned.kind {
            ChartKind::Trajectory(t) => t.panels.len(),
            ChartKind::Contrasts(set) => set.contrasts.len(),
            _ => 1,
        };
        for (side, axis) in planned.kind.axes() {
            let name = format!("{} {side:?}", planned.file);
            let ticks = axis.labels();
            assert!(ticks.len() >= 2, "{name}: {ticks:?}");
            let labels: Vec<String> = ticks.iter().map(|t| t.1.clone()).collect();
            // Distinct, and true: each label reads as its tick (as its size, both ways).
            for half in [
                ticks.iter().filter(|t| t.0 <= 0.0).collect::<Vec<_>>(),
                ticks.iter().filter(|t| t.0 >= 0.0).collect::<Vec<_>>(),
            ] {
                let mut distinct: Vec<&String> = half.iter().map(|t| &t.1).collect();
                distinct.sort();
                distinct.dedup();
                assert_eq!(distinct.len(), half.len(), "{name}: {labels:?}");
            }
            if axis.style != LabelStyle::Magnitude {
                let mut distinct = labels.clone();
                distinct.dedup();
                assert_eq!(distinct.len(), labels.len(), "{name}: {labels:?}");
            }
            for (v, label) in &ticks {
                let want = if axis.style == LabelStyle::Magnitude {
                    v.abs()
                } else {
                    *v
                };
                assert_eq!(axis.read(label), Some(want), "{name}: {label} at {v}");
            }
            // The drawn labels: rows (x) or columns (y) of texts that say exactly these labels,
            // in axis order, and nothing else.
            let (anchor, line, along): (&str, Coordinate, Coordinate) = match side {
                Side::X => ("middle", |t| t.y, |t| t.x),
                Side::Y => ("end", |t| t.x, |t| -t.y),
            };
            let mut lines: Vec<i32> = texts
                .iter()
                .filter(|t| t.anchor == anchor && t.text == labels[0])
                .map(line)
                .collect();
            lines.sort();
            lines.dedup();
            let mut drawn = 0;
            for at in lines {
                let mut row: Vec<&SvgText> = texts
                    .iter()
                    .filter(|t| t.anchor == anchor && line(t) == at)
                    .collect();
                row.sort_by_key(|t| along(t));
                // Side by side panels (contrasts) share the line: one run of labels each.
                let runs: Vec<&[&SvgText]> = row.chunks(labels.len()).collect();
                if !runs
                    .iter()
                    .all(|run| run.iter().map(|t| t.text.as_str()).collect::<Vec<_>>() == labels)
                {
                    continue;
                }
                for run in runs {
                    drawn += 1;
                    // Each label at its value: pixels are an affine function of the values.
                    let (p0, v0) = (along(run[0]) as f64, ticks[0].0);
                    let (p1, v1) = (along(run[run.len() - 1]) as f64, ticks[ticks.len() - 1].0);
                    for (t, (v, _)) in run.iter().zip(&ticks) {
                        let expect = p0 + (v - v0) / (v1 - v0) * (p1 - p0);
                        assert!(
                            (along(t) as f64 - expect).abs() <= 1.5,
                            "{name}: {} drawn at {}, not {expect}",
                            t.text,
                            along(t)
                        );
                    }
                }
            }
            assert_eq!(drawn, panels, "{name}: {labels:?} not drawn as an axis");
            seen.push((name, labels));
        }
    }
    seen
}

/// The labels of one axis among those [`check_tick_labels`] returned.
fn axis_labels(seen: &[(String, Vec<String>)], name: &str) -> Vec<String> {
    seen.iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no axis {name} in {seen:?}"))
        .1
        .clone()
}

#[test]
fn tick_labels_are_distinct_and_true_on_every_chart() {
    // Small ranges: the essay (at most 2 hits a driver term).
    let essay = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/hamhung.txt");
    let (_, summary) = run(vec![essay], Lexicon::builtin().unwrap());
    let seen = check_tick_labels(&summary.charts);
    // Every chart kind with a numeric axis is checked.
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "themes X",
            "contrasts X",
            "drivers-hardship_vs_pride X",
            "drivers-isolation_vs_openness X",
            "drivers-state_ideology_vs_everyday_life X",
            "trajectory-hamhung.txt X",
            "trajectory-hamhung.txt Y",
        ]
    );
    // The review finding: ticks at half steps printed as "2 2 2 1 0 0 0 1 2 2 2".
    assert_eq!(
        axis_labels(&seen, "drivers-isolation_vs_openness X"),
        ["2", "1", "0", "1", "2"]
    );
    assert_eq!(
        axis_labels(&seen, "themes X"),
        ["0", "5", "10", "15", "20", "25", "30", "35"]
    );
    assert_eq!(
        axis_labels(&seen, "contrasts X"),
        ["-1.0", "-0.5", "0.0", "0.5", "1.0"]
    );
    assert_eq!(
        axis_labels(&seen, "trajectory-hamhung.txt Y"),
        ["-1.0", "-0.5", "0", "+0.5", "+1.0"]
    );
    assert_eq!(
        axis_labels(&seen, "trajectory-hamhung.txt X"),
        ["0 %", "10 %", "20 %", "30 %", "40 %", "50 %", "60 %", "70 %", "80 %", "90 %", "100 %"]
    );

    // Large ranges: thousands of hits; fractional weights; one contrast (a wide panel).
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("big.txt");
    fs::write(
        &doc,
        "Pride and hardship, hardship, hardship.\n\n".repeat(2500) + "A shortage of pride.\n",
    )
    .unwrap();
    let (_, summary) = run(vec![doc.clone()], fixture_lexicon());
    let seen = check_tick_labels(&summary.charts);
    assert_eq!(
        axis_labels(&seen, "drivers-hardship_vs_pride X"),
        ["8000", "6000", "4000", "2000", "0", "2000", "4000", "6000", "8000"]
    );
    assert_eq!(
        axis_labels(&seen, "themes X"),
        ["0", "100", "200", "300", "400", "500", "600"]
    );
    assert_eq!(
        axis_labels(&seen, "contrasts X"),
        ["-1.0", "-0.8", "-0.6", "-0.4", "-0.2", "0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    );
    let weighted = parse_toml(
        "[[themes]]\nid = \"hardship\"\nterms = [{ term = \"hardship\", weight = 0.75 }, \"shortage\"]\n\
         [[themes]]\nid = \"pride\"\nterms = [{ term = \"pride\", weight = 0.5 }]\n\
         [[contrasts]]\nleft = \"hardship\"\nright = \"pride\"\n",
        "weighted.toml",
    )
    .unwrap();
    let small = dir.path().join("small.txt");
    fs::write(&small, "Pride, hardship and hardship. Hardship!").unwrap();
    let (_, summary) = run(vec![small], weighted);
    let seen = check_tick_labels(&summary.charts);
    // 2.25 and 0.5 weighted hits: not whole, so half steps, written as such.
    assert_eq!(
        axis_labels(&seen, "drivers-hardship_vs_pride X"),
        ["2.5", "2.0", "1.5", "1.0", "0.5", "0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]
    );
}

#[test]
fn trajectories_show_how_many_hits_the_smoothed_balance_rests_on() {
    // One hardship hit, nine paragraphs without a hit, then fifty paragraphs of two pride hits
    // and one hardship hit: 60 segments, a smoothing window of 7.
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("doc.txt");
    let text = "Hardship here.\n\n".to_string()
        + &"Nothing to see.\n\n".repeat(9)
        + &"Pride and hardship and pride.\n\n".repeat(50);
    fs::write(&doc, &text).unwrap();
    let (_, whole) = run(vec![doc.clone()], fixture_lexicon());
    let points = &whole.charts.trajectories[0].panels[0].points;
    assert_eq!(points.len(), 60);
    let close = |a: Option<(f64, f64)>, b: (f64, f64)| {
        let a = a.unwrap();
        (a.0 - b.0).abs() < 1e-4 && (a.1 - b.1).abs() < 1e-4
    };
    // The start rests on one hit: smoothed -1, but its interval reaches well past 0 (Wilson for
    // p = 0, n = 1: [0, 0.79345] on p, [-1, 0.58690] on the balance scale).
    assert_eq!((points[0].smoothed, points[0].window_hits), (Some(-1.0), 1));
    assert!(close(points[0].interval, (-1.0, 0.58690)), "{points:?}");
    // No hit in the window: no line and no band.
    assert_eq!(
        (
            points[5].smoothed,
            points[5].interval,
            points[5].window_hits
        ),
        (None, None, 0)
    );
    // Mid-text, seven paragraphs of three hits: p = 14/21, n = 21 → [-0.09253, 0.65610].
    assert_eq!(points[30].window_hits, 21);
    assert!((points[30].smoothed.unwrap() - 1.0 / 3.0).abs() < 1e-12);
    assert!(
        close(points[30].interval, (-0.09253, 0.65610)),
        "{points:?}"
    );

    // The same chart data when the document is read in blocks (the trajectory's numbers then
    // wait in a temporary file).
    let out = tempfile::tempdir().unwrap();
    let mut config = Config::new(vec![doc], out.path().to_path_buf(), fixture_lexicon());
    config.jobs = 2;
    config.block_size = 200;
    let blocks = themescope::run(&config).unwrap();
    assert_eq!(blocks.charts, whole.charts);
}

#[test]
fn the_trajectory_chart_shades_the_interval_and_greys_a_line_on_few_hits() {
    use themescope::output::chart::{self, ChartKind, PlannedChart, TrajectoryChart};
    use themescope::output::chart::{TrajectoryPanel, TrajectoryPoint};
    // Nine points; windows of 6 to 10 hits from the fourth to the seventh.
    let hits = [1, 2, 3, 6, 8, 10, 10, 4, 2];
    let points: Vec<TrajectoryPoint> = hits
        .iter()
        .enumerate()
        .map(|(i, &h)| {
            let s = -0.5 + 0.1 * i as f64;
            TrajectoryPoint {
                position: 10.0 * (i + 1) as f64,
                balance: Some(s),
                smoothed: Some(s),
                interval: Some((s - 0.4, s + 0.3)),
                window_hits: h,
            }
        })
        .collect();
    let t = TrajectoryChart {
        document: "d.txt".to_string(),
        file: "trajectory-d.txt".to_string(),
        panels: vec![TrajectoryPanel {
            left: "Hardship".to_string(),
            right: "Pride".to_string(),
            points,
        }],
    };
    let planned = PlannedChart {
        file: t.file.clone(),
        height: 1000,
        caption: String::new(),
        kind: ChartKind::Trajectory(&t),
    };
    let mut svg = String::new();
    chart::render(&planned, &mut svg, None).unwrap();
    assert!(svg.contains("shaded: 95 % interval of the smoothed balance"));
    assert!(svg.contains("grey: fewer than 5 hits in the window"));
    // (stroke, width, points) of each line of three points or more (the legend's are two).
    type Line = (String, String, Vec<(f64, f64)>);
    let lines: Vec<Line> = svg
        .split("<polyline ")
        .skip(1)
        .map(|tag| {
            let tag = &tag[..tag.find("/>").unwrap()];
            let attr = |name: &str| {
                let from = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                tag[from..from + tag[from..].find('"').unwrap()].to_string()
            };
            (attr("stroke"), attr("stroke-width"), xy(&attr("points")))
        })
        .filter(|l| l.2.len() >= 3)
        .collect();
    let kinds: Vec<(&str, &str, usize)> = lines
        .iter()
        .map(|l| (l.0.as_str(), l.1.as_str(), l.2.len()))
        .collect();
    // Grey and thin over the first four points (window hits 1, 2, 3, 6: a step touching a point
    // under 5 hits), ink from the fourth to the seventh, grey again to the end.
    assert_eq!(
        kinds,
        [
            ("#999999", "2", 4),
            ("#222222", "3", 4),
            ("#999999", "2", 3)
        ]
    );
    // The band: one polygon, its upper edge over the points and back along its lower edge,
    // holding the line everywhere.
    let bands: Vec<Vec<(f64, f64)>> = svg
        .split("<polygon ")
        .skip(1)
        .filter(|tag| tag[..tag.find("/>").unwrap()].contains("fill=\"#DDDDDD\""))
        .map(|tag| {
            let from = tag.find("points=\"").unwrap() + 8;
            xy(&tag[from..from + tag[from..].find('"').unwrap()])
        })
        .collect();
    assert_eq!(bands.len(), 1);
    let band = &bands[0];
    assert_eq!(band.len(), 18);
    let line: Vec<(f64, f64)> = lines.iter().flat_map(|l| l.2.clone()).collect();
    for (x, y) in line {
        let upper = band[..9].iter().find(|p| p.0 == x).unwrap();
        let lower = band[9..].iter().find(|p| p.0 == x).unwrap();
        // Pixels grow downwards.
        assert!(
            upper.1 < y && y < lower.1,
            "{x}: {} {y} {}",
            upper.1,
            lower.1
        );
    }
}

/// The points of an SVG `points` attribute.
fn xy(points: &str) -> Vec<(f64, f64)> {
    points
        .split_whitespace()
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap();
            (x.parse().unwrap(), y.parse().unwrap())
        })
        .collect()
}
