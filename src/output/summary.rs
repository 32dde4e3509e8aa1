//! Stage write, last step: what a finished run says on standard output.
//!
//! In: a [`RunSummary`]. Out: a few aligned lines of plain text, as `cargo`
//! and `hyperfine` print them: documents analysed and skipped (and folders that could not be
//! read, on a line of their own: they are no documents), tokens, time and throughput, the
//! output folder and the report, each contrast's corpus balance with its 95 % interval in words,
//! and how many warnings there were and where to read them.
//!
//! Guarantees: the text depends only on the summary (tests need no run and no terminal); numbers
//! are rounded for reading, never for computing — the CSV files hold the exact figures. The
//! wording of a contrast follows its interval: a pole "outweighs" the other only when the
//! interval excludes 0; otherwise the balance merely "leans", and the line says the interval
//! includes 0.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use super::thousands;
use crate::score::ContrastScore;
use crate::RunSummary;

/// One contrast as the summary shows it.
#[derive(Clone, Debug)]
pub struct ContrastLine {
    /// The left pole's label (balance −1).
    pub left: String,
    /// The right pole's label (balance +1).
    pub right: String,
    /// The corpus score: balance and its 95 % interval.
    pub score: ContrastScore,
}

/// Width of the label column.
const LABEL: usize = 11;

/// Writes the summary of a finished run.
pub fn write_summary<W: Write>(mut out: W, s: &RunSummary) -> io::Result<()> {
    let row = |out: &mut W, label: &str, text: &str| writeln!(out, "  {label:<LABEL$} {text}");
    let skipped = s.skipped.len();
    writeln!(
        out,
        "themescope {} analysed {} in {}",
        env!("CARGO_PKG_VERSION"),
        plural(s.analysed, "document", "documents"),
        seconds(s.elapsed)
    )?;
    let documents = match skipped {
        0 => format!("{} analysed", thousands(s.analysed)),
        n => format!(
            "{} analysed, {} skipped (named above and in {})",
            thousands(s.analysed),
            thousands(n as u64),
            shown(&s.output.join(crate::output::MANIFEST))
        ),
    };
    row(&mut out, "documents", &documents)?;
    if !s.unreadable_folders.is_empty() {
        let n = s.unreadable_folders.len() as u64;
        let folders = format!(
            "{} could not be read: documents in {} are not analysed (named above and in {})",
            thousands(n),
            if n == 1 { "it" } else { "them" },
            shown(&s.output.join(crate::output::MANIFEST))
        );
        row(&mut out, "folders", &folders)?;
    }
    row(
        &mut out,
        "tokens",
        &format!(
            "{} in {} of text, {}",
            thousands(s.tokens),
            size(s.bytes),
            rate(s.bytes, s.elapsed)
        ),
    )?;
    row(
        &mut out,
        "output",
        &format!("{} ({} files)", folder(&s.output), s.files.len()),
    )?;
    if let Some(report) = &s.report {
        row(&mut out, "report", &shown(report))?;
    }
    if !s.contrasts.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "  corpus balance of each contrast, 95 % interval (−1: all left pole, +1: all right):"
        )?;
        let width = s
            .contrasts
            .iter()
            .map(|c| pair(c).chars().count())
            .max()
            .unwrap_or(0);
        for c in &s.contrasts {
            let name = pair(c);
            let pad = width - name.chars().count();
            writeln!(out, "  {name}{:pad$}  {}", "", verdict(c))?;
        }
    }
    writeln!(out)?;
    let warnings = match s.warnings.len() {
        0 => "none".to_string(),
        n => format!(
            "{} (printed above and listed in {})",
            thousands(n as u64),
            shown(&s.output.join(crate::output::MANIFEST))
        ),
    };
    row(&mut out, "warnings", &warnings)?;
    if !s.failed_charts.is_empty() {
        let failed = format!(
            "{} could not be drawn (named above and in {})",
            plural(s.failed_charts.len() as u64, "chart", "charts"),
            shown(&s.output.join(crate::output::MANIFEST))
        );
        row(&mut out, "charts", &failed)?;
    }
    Ok(())
}

/// "Hardship vs pride".
fn pair(c: &ContrastLine) -> String {
    format!("{} vs {}", c.left, in_sentence(&c.right))
}

/// The contrast's corpus balance in words: which pole outweighs the other, or which way it
/// leans when the interval includes 0.
pub fn verdict(c: &ContrastLine) -> String {
    let (left, right) = (in_sentence(&c.left), in_sentence(&c.right));
    let Some(balance) = c.score.balance else {
        return format!("no hits of {left} or {right}");
    };
    let interval = match (c.score.ci_low, c.score.ci_high) {
        (Some(low), Some(high)) => Some((low, high)),
        _ => None,
    };
    let figures = match interval {
        Some((low, high)) => format!("{} [{}, {}]", signed(balance), signed(low), signed(high)),
        None => signed(balance),
    };
    match interval {
        Some((low, _)) if low > 0.0 => format!("{right} outweighs {left}: {figures}"),
        Some((_, high)) if high < 0.0 => format!("{left} outweighs {right}: {figures}"),
        _ => {
            let lean = if balance == 0.0 {
                "even".to_string()
            } else if balance > 0.0 {
                format!("leans to {right}")
            } else {
                format!("leans to {left}")
            };
            match interval {
                Some(_) => format!("{lean}: {figures}, the interval includes 0"),
                None => format!("{lean}: {figures}"),
            }
        }
    }
}

/// A label inside a sentence: a capital that only starts the label is lowered ("Pride" →
/// "pride", "State & ideology" → "state & ideology"); an acronym stays ("LIWC", "NRC").
fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label.to_string(),
    }
}

/// A balance to two decimals with its sign, minus as U+2212: "+0.11", "−0.46", "0.00" (only
/// for 0 itself: a small positive number is "+0.00").
fn signed(x: f64) -> String {
    let text = format!("{:.2}", x.abs());
    if x == 0.0 {
        text
    } else if x < 0.0 {
        format!("−{text}")
    } else {
        format!("+{text}")
    }
}

/// "1 document", "3 documents".
fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// A byte count in decimal units: "812 bytes", "31.2 kB", "4.14 MB", "1.20 GB".
fn size(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => plural(bytes, "byte", "bytes"),
        1_000..1_000_000 => format!("{:.1} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.2} MB", b / 1e6),
        _ => format!("{:.2} GB", b / 1e9),
    }
}

/// Seconds to a precision that reads well: "0.042 s", "3.18 s", "74.2 s".
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        format!("{s:.3} s")
    } else if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// Throughput: "51.0 MB/s"; below 1 MB/s (a short text, where starting up dominates) in kB/s.
fn rate(bytes: u64, d: Duration) -> String {
    let s = d.as_secs_f64();
    if s <= 0.0 {
        return "too fast to time".to_string();
    }
    let per_second = bytes as f64 / s;
    if per_second < 1e6 {
        format!("{:.1} kB/s", per_second / 1e3)
    } else {
        format!("{:.1} MB/s", per_second / 1e6)
    }
}

/// A folder as the user gave it, ending in `/`.
fn folder(path: &Path) -> String {
    let text = shown(path);
    if text.ends_with(std::path::MAIN_SEPARATOR) || text.ends_with('/') {
        text
    } else {
        format!("{text}/")
    }
}

/// A path as the user gave it.
fn shown(path: &Path) -> String {
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(left: &str, right: &str, balance: Option<f64>, ci: Option<(f64, f64)>) -> ContrastLine {
        ContrastLine {
            left: left.to_string(),
            right: right.to_string(),
            score: ContrastScore {
                balance,
                ci_low: ci.map(|c| c.0),
                ci_high: ci.map(|c| c.1),
                log_odds: 0.0,
                tension: None,
            },
        }
    }

    #[test]
    fn an_interval_across_0_only_leans() {
        let c = line("Hardship", "Pride", Some(0.1111), Some((-0.3257, 0.5088)));
        assert_eq!(
            verdict(&c),
            "leans to pride: +0.11 [−0.33, +0.51], the interval includes 0"
        );
        let c = line("Hardship", "Pride", Some(-0.2), Some((-0.5, 0.1)));
        assert_eq!(
            verdict(&c),
            "leans to hardship: −0.20 [−0.50, +0.10], the interval includes 0"
        );
    }

    #[test]
    fn an_interval_clear_of_0_outweighs() {
        let c = line(
            "State & ideology",
            "Everyday life",
            Some(-0.4615),
            Some((-0.7301, -0.0769)),
        );
        assert_eq!(
            verdict(&c),
            "state & ideology outweighs everyday life: −0.46 [−0.73, −0.08]"
        );
        let c = line("negative", "positive", Some(0.5), Some((0.0001, 0.8)));
        assert_eq!(
            verdict(&c),
            "positive outweighs negative: +0.50 [+0.00, +0.80]"
        );
    }

    #[test]
    fn no_hits_even_and_no_interval() {
        let c = line("Isolation", "Openness", None, None);
        assert_eq!(verdict(&c), "no hits of isolation or openness");
        let c = line("Isolation", "Openness", Some(0.0), Some((-0.4, 0.4)));
        assert_eq!(
            verdict(&c),
            "even: 0.00 [−0.40, +0.40], the interval includes 0"
        );
        let c = line("Isolation", "Openness", Some(-0.001), Some((-0.4, 0.4)));
        assert!(verdict(&c).starts_with("leans to isolation: −0.00 ["));
        let c = line("Isolation", "Openness", Some(1.0), None);
        assert_eq!(verdict(&c), "leans to openness: +1.00");
    }

    #[test]
    fn labels_read_inside_a_sentence() {
        assert_eq!(in_sentence("Pride"), "pride");
        assert_eq!(in_sentence("State & ideology"), "state & ideology");
        assert_eq!(in_sentence("LIWC posemo"), "LIWC posemo");
        assert_eq!(in_sentence("Ég"), "ég");
        assert_eq!(in_sentence("x"), "x");
        assert_eq!(in_sentence(""), "");
    }

    #[test]
    fn numbers_read_at_a_glance() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(22_812_345), "22,812,345");
        assert_eq!(size(1), "1 byte");
        assert_eq!(size(812), "812 bytes");
        assert_eq!(size(31_234), "31.2 kB");
        assert_eq!(size(4_137_850), "4.14 MB");
        assert_eq!(size(1_200_000_000), "1.20 GB");
        assert_eq!(seconds(Duration::from_millis(42)), "0.042 s");
        assert_eq!(seconds(Duration::from_millis(3180)), "3.18 s");
        assert_eq!(seconds(Duration::from_millis(74_200)), "74.2 s");
        assert_eq!(rate(51_000_000, Duration::from_secs(1)), "51.0 MB/s");
        assert_eq!(rate(3_800, Duration::from_millis(94)), "40.4 kB/s");
        assert_eq!(rate(5, Duration::ZERO), "too fast to time");
        assert_eq!(signed(0.0), "0.00");
        assert_eq!(signed(-0.004), "−0.00");
        assert_eq!(signed(0.005001), "+0.01");
        assert_eq!(signed(-1.0), "−1.00");
        assert_eq!(folder(Path::new("output")), "output/");
        assert_eq!(folder(Path::new("out/")), "out/");
    }
}
