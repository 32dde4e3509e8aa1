//! Shards and merge (issue "past one machine"): `run --shard K/N` into partial results, then
//! `merge`, writes byte for byte what one run writes; a merge refuses parts that are missing,
//! repeated, of another run, or no parts at all.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::{kjv_books, themescope};

/// A corpus folder in `dir`: the first `books` KJV books, and `extra` files (name, bytes).
fn corpus(dir: &Path, books: usize, extra: &[(&str, &[u8])]) -> PathBuf {
    let corpus = dir.join("corpus");
    fs::create_dir_all(&corpus).unwrap();
    for book in kjv_books(books) {
        fs::copy(&book, corpus.join(book.file_name().unwrap())).unwrap();
    }
    for (name, bytes) in extra {
        fs::write(corpus.join(name), bytes).unwrap();
    }
    corpus
}

/// Runs `themescope ARGS` in `dir`; its exit code and standard error.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let output = themescope().current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code().unwrap_or(-1), stderr)
}

/// Every file under `dir` but the manifest, as (relative path, bytes), sorted.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let name = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                stack.push(path);
            } else if name != "manifest.json" && !name.starts_with('.') {
                out.push((name, fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Runs `options` over `corpus` whole into `whole`, and as `n` shards merged into `merged`;
/// asserts every file but the manifest is byte for byte the same, and that the merged
/// manifest lists the same files, inputs, skipped documents and warnings (returned).
fn same_as_one_run(dir: &Path, corpus: &Path, n: u32, options: &[&str]) -> serde_json::Value {
    same_as_one_run_of(dir, &[corpus], n, options)
}

/// [`same_as_one_run`] with several INPUTs.
fn same_as_one_run_of(dir: &Path, inputs: &[&Path], n: u32, options: &[&str]) -> serde_json::Value {
    let inputs: Vec<&str> = inputs.iter().map(|p| p.to_str().unwrap()).collect();
    let mut whole = vec!["run"];
    whole.extend(&inputs);
    whole.extend(["-o", "whole", "--quiet"]);
    whole.extend(options);
    let (code, stderr) = run(dir, &whole);
    assert!(code == 0 || code == 2, "{stderr}");
    let mut parts = Vec::new();
    for k in 0..n {
        let (shard, out) = (format!("{k}/{n}"), format!("part{k}"));
        let mut args = vec!["run"];
        args.extend(&inputs);
        args.extend(["--shard", &shard, "-o", &out, "--quiet"]);
        args.extend(options);
        let (code, stderr) = run(dir, &args);
        assert_eq!(code, 0, "shard {shard}: {stderr}");
        parts.push(out);
    }
    // Parts in any order.
    parts.reverse();
    let mut merge = vec!["merge", "-o", "merged", "--quiet"];
    merge.extend(parts.iter().map(String::as_str));
    if let Some(i) = options.iter().position(|o| *o == "--charts") {
        merge.extend(&options[i..i + 2]);
    }
    let (merged_code, stderr) = run(dir, &merge);
    assert_eq!(merged_code, code, "{stderr}");
    let (a, b) = (files(&dir.join("whole")), files(&dir.join("merged")));
    let names = |f: &[(String, Vec<u8>)]| f.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "N = {n} {options:?}");
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "N = {n} {options:?}: {name} differs");
    }
    let manifest = |d: &str| -> serde_json::Value {
        serde_json::from_slice(&fs::read(dir.join(d).join("manifest.json")).unwrap()).unwrap()
    };
    assert_eq!(manifest("whole")["files"], manifest("merged")["files"]);
    assert_eq!(manifest("whole")["inputs"], manifest("merged")["inputs"]);
    assert_eq!(manifest("whole")["skipped"], manifest("merged")["skipped"]);
    assert_eq!(manifest("whole")["tables"], manifest("merged")["tables"]);
    assert_eq!(manifest("whole")["counts"], manifest("merged")["counts"]);
    let warnings = manifest("merged")["warnings"].clone();
    assert_eq!(manifest("whole")["warnings"], warnings);
    for d in ["whole", "merged"] {
        fs::remove_dir_all(dir.join(d)).unwrap();
    }
    for p in parts {
        fs::remove_dir_all(dir.join(p)).unwrap();
    }
    warnings
}

#[test]
fn shards_merged_are_one_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 8, &[]);
    for n in [1, 2, 3, 7] {
        same_as_one_run(dir.path(), &corpus, n, &["--charts", "none"]);
    }
    for segment in ["none", "sentence", "words:200"] {
        same_as_one_run(
            dir.path(),
            &corpus,
            3,
            &["--charts", "none", "--segment", segment],
        );
    }
    same_as_one_run(
        dir.path(),
        &corpus,
        2,
        &["--charts", "svg", "--hits", "none", "--tension", "none"],
    );
    // Groups (each book its own folder group here): the group files, their charts and the
    // report's section, with every bootstrap replicate merged.
    same_as_one_run(
        dir.path(),
        &corpus,
        3,
        &["--charts", "svg", "--group-by", "folder"],
    );
}

#[test]
fn metadata_groups_and_clusters_merge_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 9, &[]);
    // The books' metadata for six of the nine, and a row that names no document: the
    // whole-input warnings count over every shard (3 documents without a row, 1 row unused).
    let books = fs::read_to_string(common::root().join("tests/data/kjv_books.csv")).unwrap();
    let mut meta: Vec<&str> = books.lines().take(7).collect();
    meta.push("99_none.txt,99,None,old,law");
    fs::write(dir.path().join("meta.csv"), meta.join("\n") + "\n").unwrap();
    let options = [
        "--charts",
        "svg",
        "--metadata",
        "meta.csv",
        "--group-by",
        "testament",
        "--group-by",
        "genre+testament",
        "--cluster-by",
        "genre",
    ];
    for n in [2, 4] {
        let warnings = same_as_one_run(dir.path(), &corpus, n, &options);
        let warnings = warnings.to_string();
        assert!(
            warnings.contains("meta.csv: 3 documents have no row there"),
            "{warnings}"
        );
        assert!(
            warnings.contains("meta.csv: 1 rows name no document"),
            "{warnings}"
        );
    }
}

#[test]
fn tables_split_by_rows_merge_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    // The inaugural addresses as three tables in a folder of text files: a table split
    // between the shards its bytes reach, its rows numbered as in one run.
    let corpus = corpus(dir.path(), 2, &[]);
    inaugural_tables(&corpus, 3);
    let options = [
        "--charts",
        "svg",
        "--text-column",
        "text",
        "--group-by",
        "party",
    ];
    for n in [2, 3, 7] {
        same_as_one_run(dir.path(), &corpus, n, &options);
    }
    // One table with its id column, split in up to 9 pieces; and given twice, each row's id
    // prefixed with its table's.
    let table = common::root().join("tests/data/inaugural/inaugural.csv");
    let options = [
        "--charts",
        "none",
        "--id-column",
        "id",
        "--group-by",
        "date:decade",
    ];
    for n in [2, 9] {
        same_as_one_run(dir.path(), &table, n, &options);
    }
    same_as_one_run_of(dir.path(), &[&table, &table], 3, &options);
}

#[test]
fn short_rows_without_hits_merge_as_one_run() {
    // Most rows of a large table have no hit, and add only their size to their groups (a path
    // of their own, kept apart until the end): a table of short rows, two in three without a
    // hit, in groups that take turns row by row, split between shards.
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = inaugural_rows();
    let text = header.iter().position(|h| h == "text").unwrap();
    let mut w = csv::Writer::from_path(dir.path().join("rows.csv")).unwrap();
    w.write_record(["id", "group", "date", "text"]).unwrap();
    for i in 0..240 {
        let cell = match i % 3 {
            0 => rows[i % rows.len()][text].chars().take(400).collect(),
            1 => format!("The cat sat on the mat {i} times."),
            _ => String::from("Then they walked home."),
        };
        let date = format!("1900-{:02}-01", 1 + i % 12);
        w.write_record([format!("r{i}"), format!("g{}", i % 7), date, cell])
            .unwrap();
    }
    w.flush().unwrap();
    let table = dir.path().join("rows.csv");
    let options = [
        "--charts",
        "none",
        "--id-column",
        "id",
        "--group-by",
        "group",
        "--group-by",
        "date:month",
    ];
    for n in [2, 5] {
        same_as_one_run(dir.path(), &table, n, &options);
    }
    // The groups count every row, those without a hit too: documents and tokens add up.
    let (code, stderr) = run(
        dir.path(),
        &[&["run", "rows.csv", "-o", "one"], &options[..]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    let mut per_group = std::collections::BTreeMap::new();
    let mut without = 0;
    let mut documents = csv::Reader::from_path(dir.path().join("one/documents.csv")).unwrap();
    // The themes' counts: the columns followed by their `_pct`.
    let names = documents.headers().unwrap().clone();
    let counts: Vec<usize> = (1..names.len())
        .filter(|&k| names[k] == format!("{}_pct", &names[k - 1]))
        .map(|k| k - 1)
        .collect();
    assert_eq!(counts.len(), 12);
    for row in documents.records() {
        let row = row.unwrap();
        let sum = per_group.entry(row[1].to_string()).or_insert((0u64, 0u64));
        sum.0 += 1;
        sum.1 += row[3].parse::<u64>().unwrap();
        without += usize::from(counts.iter().all(|&k| &row[k] == "0"));
    }
    assert!(without >= 150, "{without} rows without a hit");
    let mut groups = csv::Reader::from_path(dir.path().join("one/groups.csv")).unwrap();
    let mut seen = 0;
    for row in groups.records() {
        let row = row.unwrap();
        if &row[0] == "group" && &row[5] == "hardship" {
            let (documents, tokens) = (row[2].parse().unwrap(), row[4].parse().unwrap());
            assert_eq!(per_group[&row[1]], (documents, tokens), "{}", &row[1]);
            seen += 1;
        }
    }
    assert_eq!(seen, 7);
}

/// The inaugural addresses as `count` tables `t0.csv`, `t1.csv`… in `dir`, in order.
fn inaugural_tables(dir: &Path, count: usize) {
    let (header, rows) = inaugural_rows();
    for (i, chunk) in rows.chunks(rows.len().div_ceil(count)).enumerate() {
        let mut w = csv::Writer::from_path(dir.join(format!("t{i}.csv"))).unwrap();
        w.write_record(&header).unwrap();
        for row in chunk {
            w.write_record(row).unwrap();
        }
        w.flush().unwrap();
    }
}

/// The rows of `tests/data/inaugural/inaugural.csv` as (header, rows).
fn inaugural_rows() -> (Vec<String>, Vec<Vec<String>>) {
    let path = common::root().join("tests/data/inaugural/inaugural.csv");
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = (reader.records())
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn rows_split_between_shards_keep_their_global_ids_and_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (header, rows) = inaugural_rows();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (id, party, text) = (col("id"), col("party"), col("text"));
    // A CSV whose ids are the party (so most rows get ~2, ~3… across every shard), with CRLF
    // line ends, a row with a field too few, and a quoted cell over a thousand lines.
    let mut csv = String::from("id,party,text\r\n");
    for (i, row) in rows.iter().enumerate() {
        let cell = row[text].replace('"', "\"\"");
        csv.push_str(&format!("{},{},\"{cell}\"\r\n", row[party], row[party]));
        if i == 20 {
            csv.push_str("Whig,no text here\r\n");
        }
        if i == 40 {
            let long = "and again\r\n".repeat(1_100);
            csv.push_str(&format!("Whig,Whig,\"{long}\"\r\n"));
        }
    }
    // The same as JSON Lines with the row number as id: blank lines, a line that is no JSON, a
    // field the first object does not have (a late field, warned with its count).
    let mut jsonl = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut object = serde_json::json!({"id": row[id], "party": row[party], "text": row[text]});
        if i % 7 == 3 {
            object["mood"] = serde_json::json!("late");
        }
        jsonl.push_str(&format!("{object}\n"));
        if i % 25 == 10 {
            jsonl.push_str("\n{not json\n");
        }
    }
    let tables = dir.path().join("tables");
    fs::create_dir_all(&tables).unwrap();
    fs::write(tables.join("parties.csv"), &csv).unwrap();
    fs::write(tables.join("rows.jsonl"), &jsonl).unwrap();
    let csv_options = [
        "--charts",
        "none",
        "--id-column",
        "id",
        "--group-by",
        "party",
    ];
    let csv_path = tables.join("parties.csv");
    for n in [2, 5] {
        let warnings = same_as_one_run(dir.path(), &csv_path, n, &csv_options).to_string();
        assert!(
            warnings.contains("a quoted cell runs over 1101 lines"),
            "{warnings}"
        );
        assert!(
            warnings.contains("table rows had an id given before"),
            "{warnings}"
        );
    }
    // Both tables in a folder, the JSON Lines rows named by their line.
    let options = [
        "--charts",
        "none",
        "--text-column",
        "text",
        "--segment",
        "none",
    ];
    for n in [3, 8] {
        let warnings = same_as_one_run(dir.path(), &tables, n, &options).to_string();
        assert!(warnings.contains("\\\"mood\\\" (9 rows)"), "{warnings}");
    }
}

#[test]
fn a_skipped_document_and_empty_shards_merge_too() {
    let dir = tempfile::tempdir().unwrap();
    // A binary file is skipped (exit 2 for the run and for the merge); more shards than
    // documents leave some shards empty.
    let corpus = corpus(dir.path(), 3, &[("zz-binary.txt", b"abc\0def")]);
    same_as_one_run(dir.path(), &corpus, 2, &["--charts", "none"]);
    same_as_one_run(dir.path(), &corpus, 7, &["--charts", "none"]);
}

#[test]
fn a_merge_refuses_parts_that_do_not_make_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 3, &[]);
    let corpus = corpus.to_str().unwrap();
    let shard = |k: &str, out: &str, more: &[&str]| {
        let mut args = vec!["run", corpus, "--shard", k, "-o", out, "--quiet"];
        args.extend(more);
        let (code, stderr) = run(dir.path(), &args);
        assert_eq!(code, 0, "{stderr}");
    };
    shard("0/3", "a0", &[]);
    shard("1/3", "a1", &[]);
    shard("2/3", "a2", &[]);
    shard("2/3", "b2", &["--negation", "off"]);
    let refused = |parts: &[&str], says: &str| {
        let mut args = vec!["merge", "-o", "out", "--quiet"];
        args.extend(parts);
        let (code, stderr) = run(dir.path(), &args);
        assert_eq!(code, 1, "{parts:?}: {stderr}");
        assert!(stderr.contains(says), "{parts:?}: {stderr}");
        assert!(
            !dir.path().join("out").exists(),
            "{parts:?}: nothing is written"
        );
    };
    refused(&["a0", "a1"], "shard 2/3 missing");
    refused(&["a0", "a1", "a1", "a2"], "are both shard 1/3");
    refused(
        &["a0", "a1", "b2"],
        "b2 is of a run with other options or lexicon",
    );
    refused(&["a0", "a1", "corpus"], "corpus is not a partial result");
    // A part's per-document file changed since the shard wrote it: refused, naming it; one
    // changed to the same size is caught by its header; a folder in the middle of a switch
    // (a run into it killed) is refused too.
    let documents = dir.path().join("a1/documents.csv");
    let text = fs::read_to_string(&documents).unwrap();
    fs::write(&documents, text.replacen("document,", "doc,", 1)).unwrap();
    refused(
        &["a0", "a1", "a2"],
        "documents.csv is not the file its state.json describes",
    );
    fs::write(&documents, text.replacen("document,", "dokument,", 1)).unwrap();
    refused(
        &["a0", "a1", "a2"],
        "documents.csv does not start with the header",
    );
    fs::write(&documents, &text).unwrap();
    fs::write(dir.path().join("a1/.themescope-commit.json"), "{}").unwrap();
    refused(
        &["a0", "a1", "a2"],
        "stopped in the middle of replacing its files",
    );
    fs::remove_file(dir.path().join("a1/.themescope-commit.json")).unwrap();
    let (code, stderr) = run(
        dir.path(),
        &["merge", "a0", "a1", "a2", "-o", "out", "--quiet"],
    );
    assert_eq!(code, 0, "{stderr}");
    // A bad --shard; --part without a list; a table (not split by rows yet): refused before
    // anything is written.
    let (code, stderr) = run(dir.path(), &["run", corpus, "--shard", "3/3", "-o", "x"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("expected K/N"), "{stderr}");
    let (code, stderr) = run(dir.path(), &["run", corpus, "--part", "0", "-o", "x"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("--files-from"), "{stderr}");
    assert!(!dir.path().join("x").exists());
}

#[test]
fn parts_of_tables_merge_as_the_run_over_their_lists() {
    // Each part a table of its own, both tables first in their lists: they stay two tables.
    let dir = tempfile::tempdir().unwrap();
    inaugural_tables(dir.path(), 2);
    fs::write(dir.path().join("all.txt"), "t0.csv\nt1.csv\n").unwrap();
    for (i, table) in ["t0.csv", "t1.csv"].iter().enumerate() {
        fs::write(
            dir.path().join(format!("list{i}.txt")),
            format!("{table}\n"),
        )
        .unwrap();
    }
    let options = ["--quiet", "--charts", "none"];
    let runs: [&[&str]; 4] = [
        &[
            "run",
            "--files-from",
            "all.txt",
            "-o",
            "whole",
            "--text-column",
            "text",
        ],
        &[
            "run",
            "--files-from",
            "list0.txt",
            "--part",
            "0",
            "-o",
            "p0",
            "--text-column",
            "text",
        ],
        &[
            "run",
            "--files-from",
            "list1.txt",
            "--part",
            "1",
            "-o",
            "p1",
            "--text-column",
            "text",
        ],
        &["merge", "p1", "p0", "-o", "merged"],
    ];
    for args in runs {
        let args = [args, &options[..]].concat();
        let (code, stderr) = run(dir.path(), &args);
        assert_eq!(code, 0, "{args:?}: {stderr}");
    }
    assert!(files(&dir.path().join("whole")) == files(&dir.path().join("merged")));
    let tables = |d: &str| {
        let m: serde_json::Value =
            serde_json::from_slice(&fs::read(dir.path().join(d).join("manifest.json")).unwrap())
                .unwrap();
        m["tables"].clone()
    };
    assert_eq!(tables("whole"), tables("merged"));
    assert_eq!(tables("merged")[1]["rows"], 30, "{}", tables("merged"));
}

#[test]
fn parts_of_lists_merge_into_the_run_over_the_lists_concatenated() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 6, &[]);
    let mut books: Vec<String> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    books.sort();
    // A list is what an engine pipes to a process: paths, one a line (CRLF too).
    let list = |lines: &[String]| lines.iter().map(|l| format!("{l}\r\n")).collect::<String>();
    fs::write(dir.path().join("all.txt"), list(&books)).unwrap();
    fs::write(dir.path().join("list0.txt"), list(&books[..2])).unwrap();
    let (code, stderr) = run(
        dir.path(),
        &[
            "run",
            "--files-from",
            "all.txt",
            "-o",
            "whole",
            "--quiet",
            "--charts",
            "none",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr) = run(
        dir.path(),
        &[
            "run",
            "--files-from",
            "list0.txt",
            "--part",
            "0",
            "-o",
            "p0",
            "--quiet",
            "--charts",
            "none",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // Part 1 reads its list from standard input.
    let output = themescope()
        .current_dir(dir.path())
        .args([
            "run",
            "--files-from",
            "-",
            "--part",
            "1",
            "-o",
            "p1",
            "--quiet",
            "--charts",
            "none",
        ])
        .write_stdin(list(&books[2..]))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (code, stderr) = run(
        dir.path(),
        &[
            "merge", "p1", "p0", "-o", "merged", "--quiet", "--charts", "none",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        files(&dir.path().join("whole")),
        files(&dir.path().join("merged"))
    );
    // Ids are the paths as listed.
    let documents = fs::read_to_string(dir.path().join("merged/documents.csv")).unwrap();
    assert!(
        documents.contains(&format!("\n{},", books[0])),
        "{documents}"
    );
    // Refused: a part twice, a part missing, two parts listing one document.
    fs::write(dir.path().join("list2.txt"), list(&books[1..3])).unwrap();
    let (code, stderr) = run(
        dir.path(),
        &[
            "run",
            "--files-from",
            "list2.txt",
            "--part",
            "2",
            "-o",
            "p2",
            "--quiet",
            "--charts",
            "none",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    for (parts, says) in [
        (&["p0", "p0"][..], "are both part 0"),
        (&["p1"][..], "part 0 missing"),
        (&["p0", "p1", "p2"][..], "both hold the document"),
    ] {
        let mut args = vec!["merge", "-o", "refused", "--quiet"];
        args.extend(parts);
        let (code, stderr) = run(dir.path(), &args);
        assert_eq!(code, 1, "{parts:?}");
        assert!(stderr.contains(says), "{parts:?}: {stderr}");
    }
}

/// Copies the folder `from` to `to` (files and sub-folders).
fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn a_shard_killed_while_replacing_its_part_never_merges_half_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus(dir.path(), 3, &[]);
    let corpus = corpus.to_str().unwrap();
    for k in 0..3 {
        let (shard, out) = (format!("{k}/3"), format!("p{k}"));
        let (code, stderr) = run(
            dir.path(),
            &[
                "run", corpus, "--shard", &shard, "-o", &out, "--quiet", "--charts", "none",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
    }
    let merge = |out: &str| {
        run(
            dir.path(),
            &[
                "merge", "p0", "p1", "p2", "-o", out, "--quiet", "--charts", "none",
            ],
        )
    };
    assert_eq!(merge("reference").0, 0);
    copy_dir(&dir.path().join("p1"), &dir.path().join("p1-kept"));
    // Shard 1 run again with other options (no hits.csv, so the sets differ) and killed
    // (SIGKILL, by the debug binary's seam) after each step of replacing its files: the merge
    // then refuses the part, or merges the complete old one; never a mix.
    let (mut refused, mut merged) = (0, 0);
    for step in (1..=40).step_by(3) {
        fs::remove_dir_all(dir.path().join("p1")).unwrap();
        copy_dir(&dir.path().join("p1-kept"), &dir.path().join("p1"));
        let status = themescope()
            .current_dir(dir.path())
            .args([
                "run", corpus, "--shard", "1/3", "-o", "p1", "--quiet", "--charts", "none",
                "--hits", "none",
            ])
            .env("THEMESCOPE_TEST_CRASH_AT", step.to_string())
            .output()
            .unwrap()
            .status;
        let _ = fs::remove_dir_all(dir.path().join("out"));
        let (code, stderr) = merge("out");
        match code {
            0 => {
                merged += 1;
                assert_eq!(
                    files(&dir.path().join("out")),
                    files(&dir.path().join("reference")),
                    "step {step}"
                );
            }
            1 => {
                refused += 1;
                assert!(!dir.path().join("out").exists(), "step {step}: {stderr}");
            }
            _ => panic!("step {step} (run {status}): merge exited {code}: {stderr}"),
        }
    }
    // Both happen: kills before the switch leave the old part, later ones a part in the
    // middle of its switch or the new part of other options.
    assert!(
        refused > 0 && merged > 0,
        "refused {refused}, merged {merged}"
    );
}
