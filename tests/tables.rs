//! Tables in: CSV, TSV, JSON Lines and Excel corpora with their metadata, compressed or not,
//! run end to end through the binary.

use std::fs;
use std::io::Write;
use std::path::Path;

mod common;
use common::{read, rows, themescope};

/// Three texts with what tables make hard: commas, quotes, line breaks, a blank line, Unicode.
const TEXTS: [(&str, &str); 3] = [
    (
        "d1.txt",
        "It's a city of both hardship and pride.\n\nThey said \"we are proud\", then went hungry.\n",
    ),
    ("d2.txt", "Sanctions, scarcity; the port stood idle.\n"),
    ("d3.txt", "Pride in the factory — and no hardship, they said.\n"),
];

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The texts as a delimited table `id,group,text`.
fn delimited(delimiter: u8) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    w.write_record(["id", "group", "text"]).unwrap();
    for (i, (id, text)) in TEXTS.iter().enumerate() {
        w.write_record([*id, if i == 1 { "b" } else { "a" }, *text])
            .unwrap();
    }
    w.into_inner().unwrap()
}

fn json_lines() -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (id, text)) in TEXTS.iter().enumerate() {
        let group = if i == 1 { "b" } else { "a" };
        let line = serde_json::json!({ "id": id, "group": group, "text": text });
        writeln!(out, "{line}").unwrap();
    }
    out
}

fn excel(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["id", "group", "text"].iter().enumerate() {
        sheet.write(0, c as u16, *h).unwrap();
    }
    for (i, (id, text)) in TEXTS.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write(r, 0, *id).unwrap();
        sheet.write(r, 1, if i == 1 { "b" } else { "a" }).unwrap();
        sheet.write(r, 2, *text).unwrap();
    }
    book.save(path).unwrap();
}

/// Runs `themescope run INPUT... -o out` in `dir` with `args`; returns (exit code, stderr).
fn run(dir: &Path, inputs: &[&str], args: &[&str]) -> (i32, String) {
    let output = themescope()
        .current_dir(dir)
        .arg("run")
        .args(inputs)
        .args(["-o", "out", "--charts", "none", "--quiet"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_same_texts_as_files_and_as_every_kind_of_table_give_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    for (id, text) in TEXTS {
        fs::write(docs.join(id), text).unwrap();
    }
    assert_eq!(run(dir.path(), &["docs"], &[]), (0, String::new()));
    let out = dir.path().join("out");
    let want: Vec<String> = ["themes.csv", "contrasts.csv", "hits.csv", "segments.csv"]
        .iter()
        .map(|f| read(&out, f))
        .collect();
    assert!(
        want[0].contains("d1.txt,hardship,2,0,2.0000,12.5000,2"),
        "{}",
        want[0]
    );

    let csv = delimited(b',');
    let tsv = delimited(b'\t');
    let jsonl = json_lines();
    let mut tables: Vec<(String, Vec<u8>)> = Vec::new();
    for (ext, bytes) in [("csv", &csv), ("tsv", &tsv), ("jsonl", &jsonl)] {
        tables.push((format!("t.{ext}"), bytes.clone()));
        tables.push((format!("t.{ext}.gz"), gzip(bytes)));
        tables.push((format!("t.{ext}.zst"), zstd(bytes)));
    }
    tables.push(("t.ndjson".to_string(), jsonl.clone()));
    excel(&dir.path().join("t.xlsx"));
    for (name, bytes) in &tables {
        fs::write(dir.path().join(name), bytes).unwrap();
    }
    let names: Vec<String> = tables
        .iter()
        .map(|(n, _)| n.clone())
        .chain(["t.xlsx".to_string()])
        .collect();
    for name in names {
        let (code, stderr) = run(dir.path(), &[&name], &["--id-column", "id"]);
        assert_eq!((code, stderr.as_str()), (0, ""), "{name}");
        for (file, want) in ["themes.csv", "contrasts.csv", "hits.csv", "segments.csv"]
            .iter()
            .zip(&want)
        {
            assert_eq!(&read(&out, file), want, "{name}: {file}");
        }
        // The metadata column, right after the id.
        let documents = rows(&out, "documents.csv");
        let groups: Vec<&str> = documents.iter().map(|r| r["group"].as_str()).collect();
        assert_eq!(groups, ["a", "b", "a"], "{name}");
        assert!(read(&out, "documents.csv").starts_with("document,group,tokens,"));
    }
}

#[test]
fn the_inaugural_addresses_as_a_csv_with_their_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let csv = common::root().join("tests/data/inaugural/inaugural.csv");
    let (code, stderr) = run(
        dir.path(),
        &[csv.to_str().unwrap()],
        &["--id-column", "id", "--meta-columns", "year,party"],
    );
    assert_eq!((code, stderr.as_str()), (0, ""));
    let out = dir.path().join("out");
    let documents = rows(&out, "documents.csv");
    assert_eq!(documents.len(), 60);
    assert_eq!(documents[0]["document"], "1789-Washington");
    assert_eq!(
        (
            documents[0]["year"].as_str(),
            documents[0]["party"].as_str()
        ),
        ("1789", "none")
    );
    assert_eq!(documents[59]["document"], "2025-Trump");
    assert!(read(&out, "documents.csv").starts_with("document,year,party,tokens,"));
    // The long files keep only the id.
    assert!(read(&out, "themes.csv").starts_with("document,theme,count,"));
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["counts"]["documents"], 60);
    assert_eq!(manifest["counts"]["analysed"], 60);
    let table = &manifest["tables"][0];
    assert_eq!(table["rows"], 60);
    assert_eq!(table["skipped_rows"], 0);
    assert_eq!(table["bytes"], fs::metadata(&csv).unwrap().len());
    assert_eq!(
        table["sha256"].as_str().unwrap(),
        themescope::checksum::sha256_hex(&fs::read(&csv).unwrap())
    );
    assert_eq!(table["text_columns"], serde_json::json!(["text"]));
    assert_eq!(table["id_column"], "id");
    assert_eq!(table["meta_columns"], serde_json::json!(["year", "party"]));
    // The report sums the metadata up: values while few, ranges of numbers.
    let report = read(&out, "report.html");
    assert!(
        report.contains("<tr><td><bdi>year</bdi></td><td class=\"n\">60</td><td><bdi>1789 to 2025</bdi></td></tr>"),
        "{report}"
    );
    assert!(report.contains("<tr><td><bdi>party</bdi></td><td class=\"n\">60</td><td><bdi>Republican (25), Democratic (22), Democratic-Republican (7), Whig (3), none (2), Federalist (1)</bdi></td></tr>"));
}

#[test]
fn rows_without_an_id_column_are_file_and_row_number() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.csv"), delimited(b',')).unwrap();
    fs::write(dir.path().join("u.jsonl"), json_lines()).unwrap();
    fs::write(dir.path().join("plain.txt"), "Pride.\n").unwrap();
    // Several INPUTs, files and tables mixed, in the order given.
    let (code, stderr) = run(dir.path(), &["t.csv", "plain.txt", "u.jsonl"], &[]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    let documents = rows(&dir.path().join("out"), "documents.csv");
    let ids: Vec<&str> = documents.iter().map(|r| r["document"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "t.csv#1",
            "t.csv#2",
            "t.csv#3",
            "plain.txt",
            "u.jsonl#1",
            "u.jsonl#2",
            "u.jsonl#3"
        ]
    );
    // Without --id-column, id is metadata like any other column; the plain file has none.
    let cells: Vec<(&str, &str)> = documents
        .iter()
        .map(|r| (r["id"].as_str(), r["group"].as_str()))
        .collect();
    assert_eq!(cells[3], ("", ""));
    assert_eq!(cells[0], ("d1.txt", "a"));
    // With it, the rows of several INPUTs are prefixed with their table's name.
    let (code, _) = run(dir.path(), &["t.csv", "u.jsonl"], &["--id-column", "id"]);
    assert_eq!(code, 0);
    let documents = rows(&dir.path().join("out"), "documents.csv");
    assert_eq!(documents[0]["document"], "t.csv/d1.txt");
    assert_eq!(documents[3]["document"], "u.jsonl/d1.txt");
}

#[test]
fn repeated_ids_get_a_suffix_and_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("t.csv"),
        "id,text\nx,Pride.\nx,Hardship.\ny,Pride.\nx,Again.\nx~2,Twice.\n",
    )
    .unwrap();
    let (code, stderr) = run(dir.path(), &["t.csv"], &["--id-column", "id"]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning: 3 table rows had an id given before; each got ~2, ~3… appended\n"
    );
    let out = dir.path().join("out");
    let documents = rows(&out, "documents.csv");
    let ids: Vec<&str> = documents.iter().map(|r| r["document"].as_str()).collect();
    // An id made unique is given like any other: the row named `x~2` finds it taken.
    assert_eq!(ids, ["x", "x~2", "y", "x~3", "x~2~2"]);
    // The manifest's inputs (streamed through a scratch file): each row's id, size and
    // checksum, in order.
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    let inputs: Vec<(&str, u64, &str)> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let field = |k: &str| i[k].as_str().unwrap();
            (field("id"), i["bytes"].as_u64().unwrap(), field("sha256"))
        })
        .collect();
    let texts = ["Pride.", "Hardship.", "Pride.", "Again.", "Twice."];
    let sums: Vec<String> = texts
        .iter()
        .map(|t| themescope::checksum::sha256_hex(t.as_bytes()))
        .collect();
    let expected: Vec<(&str, u64, &str)> = (ids.iter().zip(texts).zip(&sums))
        .map(|((id, text), sum)| (*id, text.len() as u64, sum.as_str()))
        .collect();
    assert_eq!(inputs, expected);
}

#[test]
fn malformed_rows_are_skipped_and_named_by_line() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("t.csv"),
        "id,text\na,\"Pride,\nacross lines.\"\nb,too,many\nc,Hardship.\nd,\"never closed\n",
    )
    .unwrap();
    let (code, stderr) = run(dir.path(), &["t.csv"], &["--id-column", "id"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("skipped t.csv:4: 3 fields where the header has 2")
            && stderr.contains(
                "skipped t.csv:6: a quoted cell is still open at the end of the file (a quote is missing)"
            ),
        "{stderr}"
    );
    let out = dir.path().join("out");
    let ids: Vec<String> = rows(&out, "documents.csv")
        .iter()
        .map(|r| r["document"].clone())
        .collect();
    assert_eq!(ids, ["a", "c"]);
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["skipped"][0]["path"], "t.csv:4");
    assert_eq!(manifest["skipped"][0]["id"], "t.csv#4");
    assert_eq!(manifest["counts"]["documents"], 4);
    assert_eq!(manifest["tables"][0]["rows"], 2);
    assert_eq!(manifest["tables"][0]["skipped_rows"], 2);
    // JSON Lines: a line that is no JSON, a text that is not a string.
    fs::write(
        dir.path().join("t.jsonl"),
        "{\"text\": \"Pride.\"}\n{oops\n{\"text\": 7}\n",
    )
    .unwrap();
    let (code, stderr) = run(dir.path(), &["t.jsonl"], &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("skipped t.jsonl:2: not a JSON value"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "skipped t.jsonl:3: the text field \"text\" is not a string (it is a number)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_missing_column_stops_the_run_listing_the_columns() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.csv"), "id,body\n1,Pride.\n").unwrap();
    let (code, stderr) = run(dir.path(), &["t.csv"], &[]);
    assert_eq!(code, 1);
    assert_eq!(
        stderr,
        "error: t.csv: no column \"text\": name the text column with --text-column NAME (the columns are \"id\", \"body\")\n"
    );
    assert!(!dir.path().join("out").exists(), "nothing written");
    let (code, stderr) = run(
        dir.path(),
        &["t.csv"],
        &["--text-column", "body", "--id-column", "key"],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.ends_with("no id column \"key\": the columns are \"id\", \"body\"\n"),
        "{stderr}"
    );
}

#[test]
fn a_folder_reads_its_tables_only_with_a_text_column() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    fs::write(docs.join("a.txt"), "Pride.\n").unwrap();
    fs::write(docs.join("budget.csv"), "item,text\nfood,Hardship.\n").unwrap();
    assert_eq!(run(dir.path(), &["docs"], &[]).0, 0);
    let ids = |dir: &Path| -> Vec<String> {
        rows(&dir.join("out"), "documents.csv")
            .iter()
            .map(|r| r["document"].clone())
            .collect()
    };
    assert_eq!(
        ids(dir.path()),
        ["a.txt"],
        "a stray spreadsheet is no document"
    );
    assert_eq!(run(dir.path(), &["docs"], &["--text-column", "text"]).0, 0);
    assert_eq!(ids(dir.path()), ["a.txt", "budget.csv#1"]);
    assert_eq!(
        rows(&dir.path().join("out"), "documents.csv")[1]["item"],
        "food"
    );
}

#[test]
fn titles_and_bodies_are_one_document_and_clashing_names_get_a_prefix() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("t.tsv"),
        "title\tbody\ttokens\nOn pride\tWe are proud.\t=1+1\n",
    )
    .unwrap();
    let (code, stderr) = run(dir.path(), &["t.tsv"], &["--text-column", "title,body"]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning: the metadata column \"tokens\" has the name of a column of documents.csv: it is written as \"meta_tokens\"\n"
    );
    let out = dir.path().join("out");
    let documents = rows(&out, "documents.csv");
    // Two paragraphs; a formula-like cell is defused as text cells are.
    assert_eq!(documents[0]["paragraphs"], "2");
    assert_eq!(documents[0]["meta_tokens"], "'=1+1");
    assert_eq!(documents[0]["tokens"], "5");
}

#[test]
fn compressed_plain_documents_read_as_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    let packed = dir.path().join("packed");
    fs::create_dir_all(&plain).unwrap();
    fs::create_dir_all(&packed).unwrap();
    for (i, (id, text)) in TEXTS.iter().enumerate() {
        fs::write(plain.join(id), text).unwrap();
        let (name, bytes) = match i {
            0 => (format!("{id}.gz"), gzip(text.as_bytes())),
            1 => (format!("{id}.zst"), zstd(text.as_bytes())),
            _ => (format!("{id}.GZ"), gzip(text.as_bytes())),
        };
        fs::write(packed.join(name), bytes).unwrap();
    }
    assert_eq!(run(dir.path(), &["plain"], &[]).0, 0);
    let want = read(&dir.path().join("out"), "themes.csv");
    assert_eq!(run(dir.path(), &["packed"], &[]).0, 0);
    let got = read(&dir.path().join("out"), "themes.csv")
        .replace(".gz,", ",")
        .replace(".zst,", ",")
        .replace(".GZ,", ",");
    assert_eq!(got, want);
    // A damaged one is skipped, the place of the damage named.
    let cut = gzip(&TEXTS[0].1.repeat(200).into_bytes());
    fs::write(packed.join("d1.txt.gz"), &cut[..cut.len() / 2]).unwrap();
    let (code, stderr) = run(dir.path(), &["packed"], &[]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("d1.txt.gz: cannot be read: the compressed file is damaged or cut short near compressed byte"),
        "{stderr}"
    );
}

#[test]
fn a_metadata_table_gives_folders_of_files_their_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(&docs).unwrap();
    for book in common::kjv_books(3) {
        fs::copy(&book, docs.join(book.file_name().unwrap())).unwrap();
    }
    fs::write(docs.join("zz.txt"), "Other.\n").unwrap();
    let books = common::root().join("tests/data/kjv_books.csv");
    let (code, stderr) = run(
        dir.path(),
        &["docs"],
        &[
            "--metadata",
            books.to_str().unwrap(),
            "--meta-columns",
            "testament,genre",
        ],
    );
    assert_eq!(code, 0);
    let shown = books.display();
    assert_eq!(
        stderr,
        format!(
            "warning: {shown}: 1 documents have no row there; their metadata cells are empty\n\
             warning: {shown}: 63 rows name no document of the run\n"
        )
    );
    let out = dir.path().join("out");
    assert!(read(&out, "documents.csv").starts_with("document,testament,genre,tokens,"));
    let cells: Vec<(String, String, String)> = rows(&out, "documents.csv")
        .iter()
        .map(|r| {
            (
                r["document"].clone(),
                r["testament"].clone(),
                r["genre"].clone(),
            )
        })
        .collect();
    let want = [
        ("01_genesis.txt", "old", "law"),
        ("02_exodus.txt", "old", "law"),
        ("03_leviticus.txt", "old", "law"),
        ("zz.txt", "", ""),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(cells, want);
    // An id column that the table lacks: the default rule (document, else the first column).
    fs::write(
        dir.path().join("meta.csv"),
        "file,era\n01_genesis.txt,early\n",
    )
    .unwrap();
    let (code, _) = run(dir.path(), &["docs"], &["--metadata", "meta.csv"]);
    assert_eq!(code, 0);
    assert_eq!(rows(&out, "documents.csv")[0]["era"], "early");
}

#[test]
fn zeros_drop_leaves_themes_csv_without_zero_rows() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.csv"), delimited(b',')).unwrap();
    assert_eq!(run(dir.path(), &["t.csv"], &["--id-column", "id"]).0, 0);
    let out = dir.path().join("out");
    let (kept, documents) = (read(&out, "themes.csv"), read(&out, "documents.csv"));
    assert_eq!(
        run(
            dir.path(),
            &["t.csv"],
            &["--id-column", "id", "--zeros", "drop"]
        )
        .0,
        0
    );
    let dropped = read(&out, "themes.csv");
    // Exactly the rows with a count of zero are gone; documents.csv is as wide as before.
    let nonzero: Vec<&str> = kept
        .lines()
        .filter(|l| l.split(',').nth(2) != Some("0"))
        .collect();
    assert_eq!(dropped.lines().collect::<Vec<_>>(), nonzero);
    assert!(nonzero.len() > 1 && nonzero.len() < kept.lines().count());
    assert_eq!(read(&out, "documents.csv"), documents);
    let manifest: serde_json::Value = serde_json::from_str(&read(&out, "manifest.json")).unwrap();
    assert_eq!(manifest["settings"]["drop_zeros"], true);
}

#[test]
fn a_csv_file_longer_than_a_spreadsheet_is_warned() {
    // 1,048,576 hits: with the header, one row more than a spreadsheet opens.
    let dir = tempfile::tempdir().unwrap();
    let paragraph = "pride ".repeat(16) + "\n\n";
    fs::write(dir.path().join("doc.txt"), paragraph.repeat(65_536)).unwrap();
    let (code, stderr) = run(dir.path(), &["doc.txt"], &["--segment", "none"]);
    assert_eq!(code, 0);
    assert_eq!(
        stderr,
        "warning: hits.csv has 1,048,577 rows, more than a spreadsheet opens (1,048,576): open documents.csv (one row per document) instead; --hits none leaves it out\n"
    );
    assert_eq!(
        read(&dir.path().join("out"), "hits.csv").lines().count(),
        1_048_577
    );
    // One hit fewer: no warning.
    let fewer = paragraph.repeat(65_535) + &"pride ".repeat(15);
    fs::write(dir.path().join("doc.txt"), fewer).unwrap();
    assert_eq!(
        run(dir.path(), &["doc.txt"], &["--segment", "none"]),
        (0, String::new())
    );
}

#[test]
fn a_corpus_file_longer_than_a_spreadsheet_is_warned_too() {
    // 1,449 themes make 1,049,076 pairs of themes: cooccurrence.csv, written once at the run's
    // end as the group files are, is counted as the per-document files are.
    let dir = tempfile::tempdir().unwrap();
    let lexicon: String = (0..1449)
        .map(|i| format!("[[themes]]\nid = \"t{i}\"\nterms = [\"w{i}\"]\n"))
        .collect();
    fs::write(dir.path().join("lex.toml"), lexicon).unwrap();
    fs::write(dir.path().join("doc.txt"), "w0 w1.\n").unwrap();
    let (code, stderr) = run(dir.path(), &["doc.txt"], &["--lexicon", "lex.toml"]);
    assert_eq!(code, 0);
    let warning =
        "cooccurrence.csv has 1,049,077 rows, more than a spreadsheet opens (1,048,576): \
                   a spreadsheet shows its first rows only; R, pandas or DuckDB read it whole";
    assert_eq!(stderr, format!("warning: {warning}\n"));
    let manifest: serde_json::Value =
        serde_json::from_str(&read(&dir.path().join("out"), "manifest.json")).unwrap();
    assert_eq!(manifest["warnings"], serde_json::json!([warning]));
}

#[test]
fn a_cell_too_large_to_hold_is_skipped_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let big = "pride ".repeat((65 << 20) / 6);
    fs::write(
        dir.path().join("t.csv"),
        format!("id,text\nsmall,Pride.\nbig,{big}\nafter,Hardship.\n"),
    )
    .unwrap();
    let (code, stderr) = run(
        dir.path(),
        &["t.csv"],
        &["--id-column", "id", "--hits", "none", "--segment", "none"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("skipped t.csv:3: its text is 65.0 MB, more than the 64 MB a table cell may hold: save it as a file of its own (files are read in blocks)"),
        "{stderr}"
    );
    let ids: Vec<String> = rows(&dir.path().join("out"), "documents.csv")
        .iter()
        .map(|r| r["document"].clone())
        .collect();
    assert_eq!(ids, ["small", "after"]);
}
