//! Groups and time (issue "compare groups and time"): `--group-by` and `--cluster-by` end to
//! end on the inaugural addresses (tests/data/inaugural).

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{read, rows, themescope};

fn inaugural() -> PathBuf {
    common::root().join("tests/data/inaugural/inaugural.csv")
}

/// Runs the binary with `args` into `out` (inside `dir`); returns stderr.
fn run(dir: &Path, args: &[&str]) -> String {
    let assert = themescope()
        .current_dir(dir)
        .args(["run", "-o", "out", "--charts", "none", "--quiet"])
        .args(args)
        .assert()
        .success();
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

const GROUP_FILES: [&str; 4] = [
    "groups.csv",
    "group_contrasts.csv",
    "keyness.csv",
    "keyness_terms.csv",
];

#[test]
fn groups_add_up_and_decades_make_a_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let table = inaugural();
    let table = table.to_str().unwrap();
    let args = [
        table,
        "--id-column",
        "id",
        "--group-by",
        "party",
        "--group-by",
        "date:decade",
        "--cluster-by",
        "president",
    ];
    assert_eq!(run(dir.path(), &args), "");
    let out = dir.path().join("out");
    let documents = rows(&out, "documents.csv");
    let tokens: u64 = documents
        .iter()
        .map(|r| r["tokens"].parse::<u64>().unwrap())
        .sum();
    let groups = rows(&out, "groups.csv");
    for grouping in ["party", "date:decade"] {
        // One row per group and theme; the first theme's rows carry each group once.
        let theme = &groups[0]["theme"];
        let of: Vec<_> = (groups.iter())
            .filter(|r| r["grouping"] == grouping && &r["theme"] == theme)
            .collect();
        let sum =
            |column: &str| -> u64 { of.iter().map(|r| r[column].parse::<u64>().unwrap()).sum() };
        assert_eq!(
            (sum("documents"), sum("tokens")),
            (60, tokens),
            "{grouping}"
        );
        if grouping == "date:decade" {
            let labels: Vec<&str> = of.iter().map(|r| r["group"].as_str()).collect();
            assert_eq!(labels.len(), 25, "1780s to 2020s: {labels:?}");
            assert_eq!((labels[0], labels[24]), ("1780s", "2020s"));
        }
    }
    // Each theme's counts over the party groups add up to the corpus's (themes.csv).
    let themes = rows(&out, "themes.csv");
    for theme in ["hardship", "pride"] {
        let corpus: u64 = (themes.iter())
            .filter(|r| r["theme"] == theme)
            .map(|r| r["count"].parse::<u64>().unwrap())
            .sum();
        let grouped: u64 = (groups.iter())
            .filter(|r| r["grouping"] == "party" && r["theme"] == theme)
            .map(|r| r["count"].parse::<u64>().unwrap())
            .sum();
        assert_eq!(grouped, corpus, "{theme}");
    }
    // Keyness: G² and log ratio on every group with tokens, direction as the rates say.
    for r in rows(&out, "keyness.csv") {
        let (a, b, c, d) = (
            r["count"].parse::<f64>().unwrap(),
            r["count_rest"].parse::<f64>().unwrap(),
            r["tokens"].parse::<f64>().unwrap(),
            r["tokens_rest"].parse::<f64>().unwrap(),
        );
        match r["direction"].as_str() {
            "over" => assert!(a / c > b / d),
            "under" => assert!(a / c <= b / d),
            _ => assert!(a + b == 0.0 && r["log_ratio"].is_empty()),
        }
    }
    let manifest = read(&out, "manifest.json");
    for name in GROUP_FILES {
        assert!(manifest.contains(&format!("\"{name}\"")), "{name}");
    }
}

#[test]
fn the_same_groups_whatever_the_threads_and_whether_files_or_rows() {
    let dir = tempfile::tempdir().unwrap();
    let table = inaugural();
    // The addresses as files, with their party in a --metadata table.
    let folder = dir.path().join("speeches");
    fs::create_dir(&folder).unwrap();
    let mut sidecar = String::from("document,party\n");
    let mut reader = csv::Reader::from_path(&table).unwrap();
    for record in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let r = record.unwrap();
        let name = format!("{}.txt", r["id"]);
        fs::write(folder.join(&name), &r["text"]).unwrap();
        sidecar.push_str(&format!("{name},{}\n", r["party"]));
    }
    fs::write(dir.path().join("parties.csv"), sidecar).unwrap();
    let table = table.to_str().unwrap();
    let outputs: Vec<Vec<String>> = [
        vec![table, "--jobs", "1"],
        vec![table, "--jobs", "2"],
        vec!["speeches", "--metadata", "parties.csv", "--jobs", "2"],
    ]
    .iter()
    .map(|args| {
        let mut args = args.clone();
        args.extend(["--group-by", "party"]);
        run(dir.path(), &args);
        let out = dir.path().join("out");
        GROUP_FILES.iter().map(|f| read(&out, f)).collect()
    })
    .collect();
    assert_eq!(outputs[0], outputs[1], "--jobs 1 and --jobs 2");
    // Files are listed by name (the id's order), rows in table order: the groups come in
    // order of first appearance, so compare each group's rows whatever their order.
    let sorted = |files: &[String]| -> Vec<Vec<String>> {
        files
            .iter()
            .map(|f| {
                let mut lines: Vec<String> = f.lines().map(str::to_string).collect();
                lines.sort();
                lines
            })
            .collect()
    };
    assert_eq!(
        sorted(&outputs[0]),
        sorted(&outputs[2]),
        "table rows and files"
    );
}

#[test]
fn a_missing_column_names_those_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let table = inaugural();
    for (option, value) in [("--group-by", "outlet:year"), ("--cluster-by", "outlet")] {
        let assert = themescope()
            .current_dir(dir.path())
            .args(["run", "-o", "out", "--charts", "none", "--quiet"])
            .arg(&table)
            .args([option, value])
            .assert()
            .code(1);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            stderr.contains("no metadata column \"outlet\"") && stderr.contains("\"party\""),
            "{stderr}"
        );
        assert!(!dir.path().join("out").exists());
    }
    let assert = themescope()
        .args(["run", "--group-by", "date:fortnight"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("unknown period \"fortnight\""), "{stderr}");
}

#[test]
fn documents_without_a_value_are_missing_last_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("t.csv"),
        "id,when,text\na,2020-01-05,hard times\nb,,proud people\nc,2020-03-01,hard and proud\n",
    )
    .unwrap();
    let stderr = run(
        dir.path(),
        &["t.csv", "--id-column", "id", "--group-by", "when:month"],
    );
    assert!(
        stderr.contains("--group-by \"when:month\": 1 document has no value"),
        "{stderr}"
    );
    let out = dir.path().join("out");
    let groups = rows(&out, "groups.csv");
    let labels: Vec<&str> = (groups.iter())
        .filter(|r| r["theme"] == "hardship")
        .map(|r| r["group"].as_str())
        .collect();
    assert_eq!(labels, ["2020-01", "2020-02", "2020-03", "(missing)"]);
    // The empty month: no documents, no tokens, empty rate and interval.
    let empty = groups.iter().find(|r| r["group"] == "2020-02").unwrap();
    assert_eq!(
        (
            &empty["documents"][..],
            &empty["tokens"][..],
            &empty["per_1k"][..],
            &empty["ci_low"][..]
        ),
        ("0", "0", "", "")
    );
    // Groups without tokens are left out of keyness.
    assert!(!read(&out, "keyness.csv").contains(",2020-02,"));
}

#[test]
fn block_reading_gives_the_same_groups_as_whole_reading() {
    // The KJV's books by testament, read whole and in blocks of 100 kB (most books are larger).
    let dir = tempfile::tempdir().unwrap();
    let root = common::root();
    let kjv = root.join("tests/data/kjv");
    let books = root.join("tests/data/kjv_books.csv");
    let base = [
        kjv.to_str().unwrap(),
        "--metadata",
        books.to_str().unwrap(),
        "--group-by",
        "testament",
        "--hits",
        "none",
        "--segment",
        "none",
    ];
    let files = |extra: &[&str]| -> Vec<String> {
        let mut args = base.to_vec();
        args.extend(extra);
        run(dir.path(), &args);
        let out = dir.path().join("out");
        let mut files: Vec<String> = GROUP_FILES.iter().map(|f| read(&out, f)).collect();
        files.push(read(&out, "contrasts.csv"));
        files
    };
    let whole = files(&[]);
    let blocks = files(&["--block-size", "100000"]);
    assert_eq!(whole, blocks);
    assert!(
        whole[1].contains("testament,old,hardship_vs_pride,39,"),
        "{}",
        whole[1]
    );
}

#[test]
fn each_grouping_gets_a_chart_and_a_report_section() {
    let dir = tempfile::tempdir().unwrap();
    let table = inaugural();
    themescope()
        .current_dir(dir.path())
        .args([
            "run", "-o", "out", "--charts", "svg", "--quiet", "--hits", "none",
        ])
        .arg(&table)
        .args([
            "--id-column",
            "id",
            "--group-by",
            "party",
            "--group-by",
            "date:decade",
        ])
        .assert()
        .success();
    let out = dir.path().join("out");
    assert!(read(&out.join("charts"), "contrast-by-party.svg").contains("balance per group"));
    // A date grouping is a line over time: every period one step, labels at even steps (24
    // decades from the 1780s: every fifth), what the marks mean in a legend.
    let decades = read(&out.join("charts"), "contrast-by-date_decade.svg");
    assert!(decades.contains("over time: balance per period"));
    assert!(decades.contains("a gap: no hits in the period"));
    for label in ["1780s", "1830s", "1880s", "1930s", "1980s"] {
        assert!(decades.contains(&format!("\n{label}\n")), "{label}");
    }
    assert!(!decades.contains("\n1790s\n"));
    assert!(read(&out.join("charts"), "contrast-by-party.svg").contains("Republican"));
    // Keyness: a panel per group, a bar per theme.
    let keyness = read(&out.join("charts"), "keyness-party.svg");
    assert!(keyness.contains("Keyness by party") && keyness.contains("Whig"));
    assert!(keyness.contains("log2 ratio to the rest"));
    assert!(read(&out.join("charts"), "keyness-date_decade.svg").contains("1780s"));
    // Rates: a panel per theme, a bar per group.
    let rates = read(&out.join("charts"), "groups-party.svg");
    assert!(rates.contains("Rates by party") && rates.contains("hits per 1,000 tokens"));
    assert!(rates.contains("Hardship") && rates.contains("Whig"));
    let report = read(&out, "report.html");
    assert!(report.contains("<h2>Groups</h2>"));
    assert!(report.contains("<h3>By party</h3>") && report.contains("<h3>By date:decade</h3>"));
    assert!(report.contains("href=\"keyness.csv\""));
    assert!(report.contains("Keyness by party") && report.contains("Rates by party"));
    // Key themes: a table, or a sentence saying that there are none.
    assert!(report.contains("<th>Than the rest</th>") || report.contains("No theme is key"));
    // ... each key theme with its three terms with most hits in the group (ties in lexicon
    // order); a theme of one such term lists one.
    assert!(report.contains(
        "<tr><td><bdi>Federalist</bdi></td><td>Pride</td><td>more</td><td class=\"n\">1.20</td>\
         <td class=\"n\">0.49 to 1.90</td><td>honor* (7), esteem* (3), glory (2)</td></tr>"
    ));
    assert!(report.contains("<td class=\"n\">-4.17 to -0.61</td><td>abroad (3)</td></tr>"));
    // Example sentences per group: the group's first sentence of a theme that is key for it
    // and its first tension sentence (Adams's 1797 address is the only Federalist one).
    assert!(report.contains("<h4>Example sentences</h4>"));
    let federalist = report
        .split("<details><summary><bdi>Federalist</bdi> (1 document)</summary>")
        .nth(1)
        .and_then(|rest| rest.split("</details>").next())
        .expect("a fold for the Federalist group");
    assert!(federalist.contains("Pride: key, more than in the rest"));
    assert!(federalist.contains("most <mark class=\"\">esteemed</mark>"));
    assert!(federalist.contains("<bdi>1797-Adams</bdi>, sentence 11"));
    assert!(federalist.contains("Where State &amp; ideology meets Everyday life"));
    assert!(federalist.contains("<bdi>1797-Adams</bdi>, sentence 34"));
    // Six parties, some of one or two presidents: grey intervals, with their footnote.
    assert!(report.contains("Grey intervals come from fewer than 10 clusters"));
    assert!(
        read(&out.join("charts"), "contrast-by-party.svg").contains("fill=\"#999999\"")
            || read(&out.join("charts"), "contrast-by-party.svg").contains("stroke=\"#999999\"")
    );
    // No grouping, no section.
    themescope()
        .current_dir(dir.path())
        .args(["run", "-o", "out2", "--charts", "none", "--quiet"])
        .arg(&table)
        .assert()
        .success();
    assert!(!read(&dir.path().join("out2"), "report.html").contains("<h2>Groups</h2>"));
}

/// With more groups than the charts show, the report's table of key themes holds the largest
/// only (a grouping by author can have tens of thousands: the table made a report of 25 MB for
/// 20,000 groups) and says where the rest are; `keyness.csv` has every group.
#[test]
fn the_reports_key_themes_are_those_of_the_largest_groups() {
    let dir = tempfile::tempdir().unwrap();
    let mut table = String::from("id,g,text\n");
    for i in 0..50 {
        // Group i has 20 + i hits of one pole: the larger the group, the later it comes.
        let word = if i % 2 == 0 { "hardship " } else { "pride " };
        let text = format!(
            "{}the people of the city went to work.",
            word.repeat(20 + i)
        );
        table.push_str(&format!("d{i},group {i:02},{text}\n"));
    }
    fs::write(dir.path().join("t.csv"), table).unwrap();
    let args = ["t.csv", "--id-column", "id", "--group-by", "g"];
    assert_eq!(run(dir.path(), &args), "");
    let out = dir.path().join("out");
    let report = read(&out, "report.html");
    let start = report
        .find("Key themes of the 40 largest groups (10 more in ")
        .unwrap();
    let table = &report[start..start + report[start..].find("</table>").unwrap()];
    let mut groups: Vec<&str> = table
        .split("<tr><td><bdi>")
        .skip(1)
        .map(|row| &row[..row.find("</bdi>").unwrap()])
        .collect();
    groups.dedup();
    let largest: Vec<String> = (10..50).map(|i| format!("group {i:02}")).collect();
    assert_eq!(groups, largest);
    let keyness = rows(&out, "keyness.csv");
    let mut all: Vec<&str> = keyness.iter().map(|r| r["group"].as_str()).collect();
    all.dedup();
    assert_eq!(all.len(), 50);
}
