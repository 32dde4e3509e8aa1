//! The one place CSV writers are configured: RFC 4180, comma, `\n` line ends, quotes only
//! where needed (DESIGN.md, "CSV conventions").
//!
//! In: any `impl Write`. Out: a [`csv::Writer`] over it that writes no header of its own.
//! Guarantees: every CSV file themescope writes (results and exported lexicons) is written
//! through it, or, for files of many rows, cell by cell as it writes them
//! ([`crate::output::csv::push_text_cell`], tested against it), so they are all written alike.

use std::io::Write;

/// A CSV writer over `out`, with the project's conventions.
pub fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out)
}
