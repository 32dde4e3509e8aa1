//! Arbitrary bytes → decode_document → analyse with the built-in lexicon → segments and the
//! whole per-document path (analyse_document) in every segment mode (hits on), checking the
//! documented invariants of the pipeline.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use themescope::assemble::analyse_document;
use themescope::count;
use themescope::lexicon::Lexicon;
use themescope::matcher::Matcher;
use themescope::output::registry::Wanted;
use themescope::segment::{segments, SegmentMode};
use themescope::tokenize::normalize;

static BUILTIN: OnceLock<(Lexicon, Matcher)> = OnceLock::new();

fn builtin() -> &'static (Lexicon, Matcher) {
    BUILTIN.get_or_init(|| {
        let lexicon = Lexicon::builtin().expect("the built-in lexicon loads");
        let matcher = Matcher::new(&lexicon);
        (lexicon, matcher)
    })
}

const MODES: [SegmentMode; 5] = [
    SegmentMode::Paragraph,
    SegmentMode::Sentence,
    SegmentMode::Lines(3),
    SegmentMode::Words(5),
    SegmentMode::Parts(4),
];

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = themescope::corpus::decode_document(data.to_vec()) else {
        return;
    };
    let text = doc.text.as_str();
    let (lexicon, matcher) = builtin();
    let analysis = count::analyse(text, matcher, &lexicon.contrasts);

    // Tokens: spans on char boundaries, non-empty, strictly increasing and disjoint, and the
    // token text is the normalised slice.
    let mut last_end = 0usize;
    for (i, tok) in analysis.tokens.iter().enumerate() {
        let span = tok.span.clone();
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "token {i} span {span:?} is not on char boundaries"
        );
        assert!(span.start < span.end, "token {i} span {span:?} is empty");
        assert!(
            i == 0 || span.start >= last_end,
            "token {i} span {span:?} overlaps or precedes the previous token (ending at {last_end})"
        );
        last_end = span.end;
        assert_eq!(
            normalize(&text[span.clone()]),
            tok.text,
            "token {i}: normalize(text[{span:?}]) differs from the token text"
        );
    }

    // Sentences tile 0..tokens.len(), each non-empty.
    let n_tokens = analysis.tokens.len();
    let mut next = 0usize;
    for (s, sentence) in analysis.structure.sentences.iter().enumerate() {
        assert_eq!(
            sentence.tokens.start, next,
            "sentence {s} tokens {:?} do not start where the previous ended ({next})",
            sentence.tokens
        );
        assert!(
            sentence.tokens.end > sentence.tokens.start,
            "sentence {s} holds no token"
        );
        next = sentence.tokens.end;
    }
    assert_eq!(
        next, n_tokens,
        "sentences do not cover all {n_tokens} tokens"
    );

    // Each theme's count is the number of its hits.
    for (t, tally) in analysis.counts.themes.iter().enumerate() {
        let hits = analysis.hits.iter().filter(|(h, _)| h.theme == t).count() as u64;
        assert_eq!(tally.count, hits, "theme {t}: count differs from its hits");
    }

    // Segments tile the tokens in every mode and their theme counts add up to the document's
    // (documented in segment.rs / count.rs); every mode renders, hits on.
    for mode in MODES {
        let segments = segments(text, &analysis.tokens, &analysis.structure, mode);
        let tallies = count::count_segments(
            &analysis,
            &segments,
            &lexicon.contrasts,
            lexicon.themes.len(),
        );
        let mut next = 0usize;
        for (k, seg) in segments.iter().enumerate() {
            assert_eq!(
                seg.tokens.start, next,
                "{mode:?}: segment {k} tokens {:?} do not start at {next}",
                seg.tokens
            );
            next = seg.tokens.end;
        }
        assert_eq!(next, n_tokens, "{mode:?}: segments do not cover all tokens");
        for (t, tally) in analysis.counts.themes.iter().enumerate() {
            let sum: u64 = tallies.iter().map(|s| s.themes[t]).sum();
            assert_eq!(
                sum, tally.count,
                "{mode:?}: theme {t} segment counts do not add up"
            );
        }

        let name = themescope::assemble::Name {
            id: "fuzz",
            meta: &[],
            drop_zeros: false,
        };
        let setup = themescope::assemble::Setup {
            matcher,
            lexicon,
            wanted: Wanted::ALL,
            room: &themescope::output::digest::ExampleRoom::new(true),
        };
        let _ = analyse_document(0, text.to_string(), name, setup, mode);
    }
});
