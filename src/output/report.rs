//! `report.html`: one self-contained page tying the run together.
//!
//! In: the run summary, corpus totals, the digest and the charts' SVG. Out: HTML on an
//! `impl Write`: inline CSS and SVG, no script, nothing loaded from anywhere, links only to the
//! CSV files beside it. Every piece of document text, every id, term and label is HTML-escaped;
//! every piece of text that comes from the documents or their names (sentences, ids, paths,
//! terms) is also isolated in a `<bdi>` element, so that a right-to-left override (U+202E) or
//! right-to-left script in it cannot reorder the text around it.

use std::io::{self, Write};

use super::digest::{CorpusDigest, Example, EXAMPLES_PER_THEME};
use super::Corpus;

mod groups;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `text` escaped and isolated from the text around it (`<bdi>`): its direction is its own,
/// and its bidi controls (an unclosed U+202E override, say) end with it.
pub fn bdi(text: &str) -> String {
    format!("<bdi>{}</bdi>", escape(text))
}

/// What the report says about the run itself.
#[derive(Clone, Debug, Default)]
pub struct RunFacts {
    /// Documents found.
    pub found: u64,
    /// Skipped documents: (id, reason).
    pub skipped: Vec<(String, String)>,
    /// Folders that could not be read: (path, reason).
    pub unreadable_folders: Vec<(String, String)>,
    /// CSV files written, to link to.
    pub files: Vec<String>,
    /// Charts that failed: (file, reason).
    pub failed_charts: Vec<(String, String)>,
    /// The themescope version.
    pub version: String,
    /// What each metadata column holds.
    pub metadata: Vec<super::digest::MetaColumn>,
}

/// One chart for the report: its caption, file name, SVG text and the files written of it.
#[derive(Clone, Debug)]
pub struct ReportChart {
    /// Caption.
    pub caption: String,
    /// File stem inside `charts/`.
    pub file: String,
    /// The SVG document.
    pub svg: String,
    /// The document the chart is about (a trajectory), shown after the caption.
    pub document: Option<String>,
    /// The chart's files written into the output folder (`charts/themes.png`…): the report
    /// links these and nothing else.
    pub written: Vec<String>,
}

const STYLE: &str = "
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;max-width:1100px;margin:2em auto;padding:0 1em}
h1{font-size:1.8em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:1em 0;font-size:.95em}th,td{padding:.3em .7em;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0}figure svg{width:100%;height:auto;border:1px solid #eee}figcaption{color:#555;font-size:.9em}
mark{background:#fde6c8;padding:0 .1em}mark.l{background:#f7c9a8}mark.r{background:#bcdaf0}
blockquote{margin:.6em 0;padding:.3em .8em;border-left:4px solid #ddd;background:#fafafa}
.src{color:#666;font-size:.85em}.warn{color:#a33}
details{margin:.3em 0}summary{cursor:pointer;font-weight:600}
nav{display:flex;flex-wrap:wrap;gap:.2em 1em}dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{color:#555}dd{margin:0}
";

fn fixed(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "–".to_string(), |v| format!("{v:.decimals$}"))
}

/// An example sentence with its matches marked; `class` gives each mark's CSS class.
fn example_html(e: &Example, class: impl Fn(usize) -> &'static str) -> String {
    let mut out = String::new();
    let mut at = 0;
    let mut marks = e.marks.clone();
    marks.sort_by_key(|m| m.0.start);
    for (range, theme) in marks {
        if range.start < at
            || range.end > e.text.len()
            || !e.text.is_char_boundary(range.start)
            || !e.text.is_char_boundary(range.end)
        {
            continue;
        }
        out.push_str(&escape(&e.text[at..range.start]));
        out.push_str(&format!(
            "<mark class=\"{}\">{}</mark>",
            class(theme),
            escape(&e.text[range.clone()])
        ));
        at = range.end;
    }
    out.push_str(&escape(&e.text[at..]));
    let one_line = super::csv::one_line(&out);
    format!(
        "<blockquote><bdi>{one_line}</bdi><br><span class=\"src\">{}, sentence {}</span></blockquote>\n",
        bdi(&e.document),
        e.sentence
    )
}

/// Everything the report is made of.
#[derive(Clone, Copy)]
pub struct ReportInput<'a> {
    /// The lexicon, totals and scores.
    pub corpus: Corpus<'a>,
    /// Examples and tension sentences.
    pub digest: &'a CorpusDigest,
    /// The charts drawn.
    pub charts: &'a [ReportChart],
    /// What the run did.
    pub facts: &'a RunFacts,
}

/// Writes the report: a head, the run's facts, then a section each for themes, contrasts,
/// co-occurrence and trajectories, and examples.
pub fn write_report<W: Write>(mut out: W, report: &ReportInput<'_>) -> io::Result<()> {
    head(&mut out, report)?;
    facts(&mut out, report)?;
    themes(&mut out, report)?;
    contrasts(&mut out, report)?;
    groups::write(&mut out, report)?;
    writeln!(out, "<h2>Co-occurrence</h2>")?;
    figure(&mut out, report, "cooccurrence")?;
    let trajectories: Vec<&ReportChart> = report
        .charts
        .iter()
        .filter(|ch| ch.file.starts_with("trajectory-"))
        .collect();
    if !trajectories.is_empty() {
        writeln!(out, "<h2>Trajectories</h2>")?;
        for ch in trajectories {
            out.write_all(figure_html(ch).as_bytes())?;
        }
    }
    examples(&mut out, report)?;
    writeln!(out, "</body>\n</html>")?;
    out.flush()
}

/// A chart inline, with links to its files.
fn figure_html(ch: &ReportChart) -> String {
    let links: Vec<String> = ch
        .written
        .iter()
        .map(|path| {
            let kind = path.rsplit('.').next().unwrap_or_default().to_uppercase();
            format!("<a href=\"{}\">{}</a>", escape(path), escape(&kind))
        })
        .collect();
    let links = match links.is_empty() {
        true => String::new(),
        false => format!(" — {}", links.join(" · ")),
    };
    let document = ch
        .document
        .as_deref()
        .map_or_else(String::new, |id| format!(" {}", bdi(id)));
    format!(
        "<figure>{}<figcaption>{}{document}{links}</figcaption></figure>\n",
        ch.svg,
        escape(&ch.caption),
    )
}

/// The chart with file stem `file`, if it was drawn.
fn figure<W: Write>(out: &mut W, report: &ReportInput<'_>, file: &str) -> io::Result<()> {
    match report.charts.iter().find(|ch| ch.file == file) {
        Some(ch) => out.write_all(figure_html(ch).as_bytes()),
        None => Ok(()),
    }
}

fn head<W: Write>(out: &mut W, report: &ReportInput<'_>) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        out,
        "<title>themescope report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>",
        escape(&report.corpus.lexicon.name)
    )?;
    writeln!(out, "<h1>themescope report</h1>")
}

/// The run at a glance: documents, tokens, lexicon, negation, version; what was skipped or
/// failed; links to the data files.
fn facts<W: Write>(out: &mut W, report: &ReportInput<'_>) -> io::Result<()> {
    let (lexicon, facts, c) = (
        report.corpus.lexicon,
        report.facts,
        &report.corpus.totals.counts,
    );
    writeln!(out, "<dl>")?;
    writeln!(
        out,
        "<dt>Documents</dt><dd>{} analysed of {} found</dd>",
        report.corpus.totals.documents, facts.found
    )?;
    writeln!(
        out,
        "<dt>Tokens</dt><dd>{} in {} sentences, {} paragraphs</dd>",
        c.tokens, c.sentences, c.paragraphs
    )?;
    writeln!(
        out,
        "<dt>Lexicon</dt><dd>{} ({} themes, {} terms, {} contrasts)</dd>",
        escape(&lexicon.name),
        lexicon.themes.len(),
        lexicon.term_count(),
        lexicon.contrasts.len()
    )?;
    writeln!(
        out,
        "<dt>Negation</dt><dd>{}</dd>",
        if lexicon.negation.enabled {
            "on: negated hits count for their theme but not for contrasts, tension or co-occurrence"
        } else {
            "off"
        }
    )?;
    writeln!(
        out,
        "<dt>Made by</dt><dd>themescope {}</dd>",
        escape(&facts.version)
    )?;
    writeln!(out, "</dl>")?;
    metadata(out, &facts.metadata)?;
    let lists = [
        (
            format!("{} documents were skipped:", facts.skipped.len()),
            &facts.skipped,
        ),
        (
            "Folders that could not be read (documents in them, if any, are not analysed):"
                .to_string(),
            &facts.unreadable_folders,
        ),
        (
            "Charts that could not be drawn:".to_string(),
            &facts.failed_charts,
        ),
    ];
    for (title, items) in lists.iter().filter(|(_, items)| !items.is_empty()) {
        writeln!(out, "<p class=\"warn\">{title}</p><ul>")?;
        for (what, reason) in items.iter() {
            // A document's id, a folder's path or a chart's file name (made of an id).
            writeln!(out, "<li>{}: {}</li>", bdi(what), escape(reason))?;
        }
        writeln!(out, "</ul>")?;
    }
    write!(out, "<nav>Data: ")?;
    for f in facts
        .files
        .iter()
        .filter(|f| f.ends_with(".csv") || f.ends_with(".json"))
    {
        write!(out, "<a href=\"{}\">{}</a>", escape(f), escape(f))?;
    }
    writeln!(out, "</nav>")
}

/// The metadata columns: how many documents have a value, and the values (or their range).
fn metadata<W: Write>(out: &mut W, columns: &[super::digest::MetaColumn]) -> io::Result<()> {
    if columns.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<table><tr><th>Metadata</th><th class=\"n\">Documents with a value</th><th>Values</th></tr>"
    )?;
    for column in columns {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            bdi(&column.name),
            column.filled,
            bdi(&column.described())
        )?;
    }
    writeln!(out, "</table>")
}

/// The themes chart and table, with each theme's top terms.
fn themes<W: Write>(out: &mut W, report: &ReportInput<'_>) -> io::Result<()> {
    let (matcher, totals) = (report.corpus.matcher, report.corpus.totals);
    let c = &totals.counts;
    writeln!(out, "<h2>Themes</h2>")?;
    figure(out, report, "themes")?;
    writeln!(out, "<table><tr><th>Theme</th><th class=\"n\">Hits</th><th class=\"n\">Negated</th><th class=\"n\">Per 1,000 tokens</th><th class=\"n\">Terms matched</th><th>Top terms</th></tr>")?;
    for (t, theme) in report.corpus.lexicon.themes.iter().enumerate() {
        let tally = c.themes.get(t).cloned().unwrap_or_default();
        let ids = matcher.theme_terms(t);
        let top = totals.matched_terms(matcher, t);
        let matched = top.len();
        let top: Vec<String> = top
            .iter()
            .take(6)
            .map(|&id| {
                format!(
                    "{} ({})",
                    bdi(&matcher.term(id).text),
                    totals.terms[id as usize].hits
                )
            })
            .collect();
        let rate = crate::score::per_thousand(tally.count, c.tokens);
        writeln!(
            out,
            "<tr><td>{}<br><span class=\"src\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} / {}</td><td>{}</td></tr>",
            escape(&theme.label),
            escape(&theme.description),
            tally.count,
            tally.negated,
            fixed(rate, 2),
            matched,
            ids.len(),
            top.join(", ")
        )?;
    }
    writeln!(out, "</table>")
}

/// The contrasts table and chart, then per contrast its drivers and tension sentences.
fn contrasts<W: Write>(out: &mut W, report: &ReportInput<'_>) -> io::Result<()> {
    let (lexicon, c) = (report.corpus.lexicon, &report.corpus.totals.counts);
    if lexicon.contrasts.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2>Contrasts</h2>")?;
    writeln!(out, "<p>Balance runs from −1 (only the left pole) to +1 (only the right pole); the interval is 95 % (bootstrap over documents for the corpus).</p>")?;
    writeln!(out, "<table><tr><th>Contrast</th><th class=\"n\">Left hits</th><th class=\"n\">Right hits</th><th class=\"n\">Balance</th><th class=\"n\">95 % interval</th><th class=\"n\">Tension sentences</th></tr>")?;
    let corpus_scores = report.corpus.scores;
    for (i, contrast) in lexicon.contrasts.iter().enumerate() {
        let tally = &c.contrasts[i];
        let score = &corpus_scores[i];
        writeln!(
            out,
            "<tr><td>{} vs {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{} to {}</td><td class=\"n\">{}</td></tr>",
            escape(&lexicon.themes[contrast.left].label),
            escape(&lexicon.themes[contrast.right].label),
            tally.left.hits,
            tally.right.hits,
            fixed(score.balance, 3),
            fixed(score.ci_low, 3),
            fixed(score.ci_high, 3),
            tally.tension_sentences
        )?;
    }
    writeln!(out, "</table>")?;
    figure(out, report, "contrasts")?;
    for (i, contrast) in lexicon.contrasts.iter().enumerate() {
        figure(out, report, &format!("drivers-{}", contrast.id))?;
        let shown = report.digest.tension.get(i).map_or(&[][..], Vec::as_slice);
        let total = report.digest.tension_count.get(i).copied().unwrap_or(0);
        writeln!(
            out,
            "<h3>Where {} meets {}: tension sentences ({} in all{})</h3>",
            escape(&lexicon.themes[contrast.left].label),
            escape(&lexicon.themes[contrast.right].label),
            total,
            if total as usize > shown.len() {
                format!("; the first {}", shown.len())
            } else {
                String::new()
            }
        )?;
        for e in shown {
            let html = example_html(e, |theme| if theme == contrast.left { "l" } else { "r" });
            out.write_all(html.as_bytes())?;
        }
    }
    Ok(())
}

/// The first sentences with a hit of each theme, the hits marked.
fn examples<W: Write>(out: &mut W, report: &ReportInput<'_>) -> io::Result<()> {
    writeln!(out, "<h2>Examples</h2>")?;
    writeln!(out, "<p>The first {EXAMPLES_PER_THEME} sentences of the corpus with a hit of each theme, the hits marked.</p>")?;
    for (t, theme) in report.corpus.lexicon.themes.iter().enumerate() {
        writeln!(out, "<h3>{}</h3>", escape(&theme.label))?;
        let examples = report.digest.examples.get(t).map_or(&[][..], Vec::as_slice);
        if examples.is_empty() {
            writeln!(out, "<p class=\"src\">No hits.</p>")?;
        }
        for e in examples {
            out.write_all(example_html(e, |_| "").as_bytes())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\"\u{1}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\u{FFFD}"
        );
    }

    #[test]
    fn examples_mark_matches_and_escape_the_rest() {
        let e = Example {
            document: "a<b>.txt".to_string(),
            sentence: 2,
            text: "Pride & <hardship>\n now".to_string(),
            marks: vec![(0..5, 0), (9..17, 1)],
        };
        let html = example_html(&e, |t| if t == 0 { "l" } else { "r" });
        assert_eq!(
            html,
            "<blockquote><bdi><mark class=\"l\">Pride</mark> &amp; &lt;<mark class=\"r\">hardship</mark>&gt; now</bdi><br><span class=\"src\"><bdi>a&lt;b&gt;.txt</bdi>, sentence 2</span></blockquote>\n"
        );
    }
}
