//! Loading a lexicon stops at Ctrl-C, in every format.
//!
//! This test binary sets `themescope::INTERRUPTED`, the flag the binary's Ctrl-C handler sets.
//! Each integration test file is a process of its own, so the flag reaches no other test; this
//! file holds only the one test, which expects it.

use std::sync::atomic::Ordering;

use themescope::lexicon::{Format, Lexicon};
use themescope::Error;

/// A lexicon of `n` terms (words, wildcards and phrases) in four themes, in `format`.
fn lexicon(n: usize, format: Format) -> String {
    let term = |k: usize| match k % 3 {
        0 => format!("word{k}"),
        1 => format!("pre{k}*"),
        _ => format!("not word{k}"),
    };
    let mut out = String::new();
    match format {
        Format::Toml => {
            for theme in 0..4 {
                out.push_str(&format!("[[themes]]\nid = \"t{theme}\"\nterms = [\n"));
                for k in (theme..n).step_by(4) {
                    out.push_str(&format!("  \"{}\",\n", term(k)));
                }
                out.push_str("]\n");
            }
        }
        Format::Csv => {
            out.push_str("term,category\n");
            for k in 0..n {
                out.push_str(&format!("{},t{}\n", term(k), k % 4));
            }
        }
        Format::Dic => {
            out.push_str("%\n1\tt0\n2\tt1\n3\tt2\n4\tt3\n%\n");
            for k in 0..n {
                out.push_str(&format!("{}\t{}\n", term(k), k % 4 + 1));
            }
        }
        Format::Dicx => {
            out.push_str("DicTerm,t0,t1,t2,t3\n");
            for k in 0..n {
                let mut cells = [""; 4];
                cells[k % 4] = "X";
                out.push_str(&format!("{},{}\n", term(k), cells.join(",")));
            }
        }
    }
    out
}

#[test]
fn ctrl_c_stops_the_load_of_every_format() {
    let formats = [Format::Toml, Format::Csv, Format::Dic, Format::Dicx];
    let texts: Vec<String> = formats.iter().map(|&f| lexicon(10_000, f)).collect();
    for (&format, text) in formats.iter().zip(&texts) {
        let lex = Lexicon::parse(text.as_bytes(), "big", format).unwrap();
        assert_eq!(lex.term_count(), 10_000, "{format:?}");
        assert_eq!(lex.themes.len(), 4, "{format:?}");
    }
    themescope::INTERRUPTED.store(true, Ordering::SeqCst);
    for (&format, text) in formats.iter().zip(&texts) {
        let result = Lexicon::parse(text.as_bytes(), "big", format);
        assert!(
            matches!(result, Err(Error::Interrupted)),
            "{format:?}: {:?}",
            result.map(|l| l.term_count())
        );
    }
    themescope::INTERRUPTED.store(false, Ordering::SeqCst);
}
