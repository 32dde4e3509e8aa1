//! Arbitrary bytes → Lexicon::parse as toml → Matcher::new, analyse a fixed text, export.
#![no_main]

use libfuzzer_sys::fuzz_target;
use themescope::lexicon::Format;

#[path = "common/lexicon.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::run(data, Format::Toml));
