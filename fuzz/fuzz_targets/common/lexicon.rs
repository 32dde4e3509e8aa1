//! Shared body of the lexicon_* targets: parse, compile, match a fixed text, export.

use themescope::count;
use themescope::lexicon::{export, Format, Lexicon};
use themescope::matcher::Matcher;

/// A short text with words, prefixes, phrases, negation, abbreviations and odd white space.
const TEXT: &str = "Hardship and pride: the city's shortages, not only power outages.\r\n\
Dr. Kim was proud — never ashamed_ of the badge of honor; it can't be helped!\n\n\
Workers rebuilt the U.S. factory in 1950. Industry, industrial, self-reliance.";

pub fn run(data: &[u8], format: Format) {
    let Ok(lexicon) = Lexicon::parse(data, "fuzz", format) else {
        return;
    };
    let matcher = Matcher::new(&lexicon);
    let analysis = count::analyse(TEXT, &matcher, &lexicon.contrasts);
    for (t, tally) in analysis.counts.themes.iter().enumerate() {
        let hits = analysis.hits.iter().filter(|(h, _)| h.theme == t).count() as u64;
        assert_eq!(tally.count, hits, "theme {t}: count differs from its hits");
    }
    let mut out = Vec::new();
    let _ = export(&lexicon, Format::Toml, &mut out);
    out.clear();
    let _ = export(&lexicon, Format::Csv, &mut out);
}
