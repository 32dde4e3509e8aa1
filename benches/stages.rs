//! Criterion benchmarks of the pipeline stages on real text (the first five KJV books, 0.8 MB):
//! tokenize, segment, match, count (tokenize + segment + match + count) and document (all of a
//! document's work: count, then rendering its CSV rows and assembling them, as a worker does). `cargo bench` prints each stage's throughput in MB/s; `scripts/bench.sh` measures
//! the binary end to end against `wc -w`. With the built-in lexicon, or the lexicon file that
//! `THEMESCOPE_BENCH_LEXICON` names (`scripts/gen-lexicon.sh` writes one of the real shape).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use themescope::assemble::analyse_document;
use themescope::count::analyse;
use themescope::lexicon::Lexicon;
use themescope::matcher::Matcher;
use themescope::segment::{segment, SegmentMode};
use themescope::tokenize::tokenize;

/// The first five books of the KJV (`tests/data/kjv`), or the bundled essay repeated.
fn corpus() -> String {
    let kjv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kjv");
    let mut books: Vec<_> = std::fs::read_dir(&kjv)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    books.sort();
    let text: String = books
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .take(5)
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    if text.is_empty() {
        let essay = Path::new(env!("CARGO_MANIFEST_DIR")).join("input/hamhung.txt");
        std::fs::read_to_string(essay)
            .unwrap_or_default()
            .repeat(200)
    } else {
        text
    }
}

fn stages(c: &mut Criterion) {
    let text = corpus();
    // THEMESCOPE_BENCH_LEXICON=FILE times another lexicon (scripts/gen-lexicon.sh writes one).
    let lexicon = match std::env::var_os("THEMESCOPE_BENCH_LEXICON") {
        Some(path) => Lexicon::load(Path::new(&path), None).expect("the lexicon loads"),
        None => Lexicon::builtin().expect("the built-in lexicon loads"),
    };
    let matcher = Matcher::new(&lexicon);
    let tokens = tokenize(&text);
    let structure = segment(&text, &tokens);

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.sample_size(20);
    group.bench_function("tokenize", |b| b.iter(|| tokenize(black_box(&text)).len()));
    group.bench_function("segment", |b| {
        b.iter(|| segment(black_box(&text), &tokens).sentences.len())
    });
    group.bench_function("match", |b| {
        b.iter(|| {
            matcher
                .find_hits(black_box(&text), &tokens, &structure)
                .len()
        })
    });
    group.bench_function("count", |b| {
        b.iter(|| {
            analyse(black_box(&text), &matcher, &lexicon.contrasts)
                .counts
                .tokens
        })
    });
    group.bench_function("document", |b| {
        b.iter(|| {
            analyse_document(
                0,
                black_box(&text).clone(),
                themescope::assemble::Name {
                    id: "kjv.txt",
                    meta: &[],
                    drop_zeros: false,
                },
                themescope::assemble::Setup {
                    matcher: &matcher,
                    lexicon: &lexicon,
                    wanted: themescope::output::registry::Wanted::ALL,
                    room: &themescope::output::digest::ExampleRoom::new(true),
                },
                SegmentMode::Paragraph,
            )
            .map(|d| d.rows.hits.len())
            .unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
