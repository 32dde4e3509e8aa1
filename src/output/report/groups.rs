//! The report's Groups section: per `--group-by`, its charts, the themes that are key for a
//! group with the terms behind them, and example sentences from the groups.
//!
//! In: the run's grouped sums (each group's counts, intervals and first example sentences) and
//! the charts drawn. Out: HTML on an `impl Write`, escaped and isolated as the rest of the
//! report. Bounded whatever the number of groups: the table of key themes and the examples
//! come from the groups the keyness chart shows (at most [`KEYNESS_GROUPS`]), the examples one
//! sentence per key theme and per contrast; the rest are in the CSV files.

use std::io::{self, Write};

use super::{bdi, escape, example_html, figure_html, fixed, ReportInput};
use crate::group::sums::{GroupSums, Grouped};
use crate::output::chart::{shown_groups, KEYNESS_GROUPS};
use crate::output::groups::theme_keyness;
use crate::score::groups::FEW_CLUSTERS;

/// The groups of each `--group-by`: the contrasts per group, and the files that hold the rest.
pub fn write<W: Write>(out: &mut W, report: &ReportInput<'_>) -> io::Result<()> {
    let grouped = report.corpus.grouped;
    if grouped.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2>Groups</h2>")?;
    writeln!(
        out,
        "<p>Rates per group with their intervals are in <a href=\"groups.csv\">groups.csv</a>, \
         contrasts in <a href=\"group_contrasts.csv\">group_contrasts.csv</a>, each group against \
         the rest of the corpus in <a href=\"keyness.csv\">keyness.csv</a> and, term by term, \
         <a href=\"keyness_terms.csv\">keyness_terms.csv</a>. A theme is key for a group when \
         its log ratio's interval leaves out 0.</p>"
    )?;
    for g in grouped {
        writeln!(
            out,
            "<h3>By {}</h3>\n<p>{} groups.</p>",
            escape(&g.spec),
            crate::output::thousands(g.groups.len() as u64)
        )?;
        let file = report
            .charts
            .iter()
            .find(|ch| ch.caption == format!("Contrasts by {}", g.spec));
        if let Some(ch) = file {
            out.write_all(figure_html(ch).as_bytes())?;
        }
        for caption in [
            format!("Rates by {}", g.spec),
            format!("Keyness by {}", g.spec),
        ] {
            if let Some(ch) = report.charts.iter().find(|ch| ch.caption == caption) {
                out.write_all(figure_html(ch).as_bytes())?;
            }
        }
        let few = (g.groups.iter()).any(|(_, sums)| {
            (0..report.corpus.lexicon.contrasts.len()).any(|c| {
                let n = sums.bootstrap.clusters_with_hits(c);
                n > 0 && n < FEW_CLUSTERS
            })
        });
        if few {
            writeln!(
                out,
                "<p>Grey intervals come from fewer than {FEW_CLUSTERS} clusters with hits: with \
                 so few, a 95 % interval leaves out the true balance more often than one time in \
                 twenty.</p>"
            )?;
        }
        key_themes(out, report, g)?;
        examples(out, report, g)?;
    }
    Ok(())
}

/// Theme `t`'s log ratio in a group against the rest with its interval, when the interval
/// leaves out 0 (the theme is key for the group).
fn key(sums: &GroupSums, corpus: &GroupSums, t: usize) -> Option<(f64, (f64, f64))> {
    let k = theme_keyness(sums, corpus, t);
    let (ratio, (low, high)) = k.ratio.zip(k.interval)?;
    (low > 0.0 || high < 0.0).then_some((ratio, (low, high)))
}

/// "the 40 largest groups (N more in `rest_in`)" when `left_out` groups are not shown.
fn largest(left_out: usize, rest_in: &str) -> Option<String> {
    (left_out > 0).then(|| {
        format!(
            "the {KEYNESS_GROUPS} largest groups ({} more in {rest_in})",
            crate::output::thousands(left_out as u64)
        )
    })
}

/// The themes that are key for a group (their log ratio's interval leaves out 0), with the
/// group's terms of that theme that have the most hits: for the groups with tokens the keyness
/// chart shows (a grouping by author can have tens of thousands; `keyness.csv` has them all).
fn key_themes<W: Write>(out: &mut W, report: &ReportInput<'_>, g: &Grouped) -> io::Result<()> {
    let (lexicon, matcher) = (report.corpus.lexicon, report.corpus.matcher);
    let corpus = &g.corpus;
    let (shown, left_out) = shown_groups(g, |s| s.tokens() > 0);
    let largest = largest(left_out, "<a href=\"keyness.csv\">keyness.csv</a>");
    let mut rows = Vec::new();
    for (group, sums) in shown.iter().map(|&k| &g.groups[k]) {
        for (t, theme) in lexicon.themes.iter().enumerate() {
            let Some((ratio, (low, high))) = key(sums, corpus, t) else {
                continue;
            };
            // The group's terms with hits, not the theme's terms (a large lexicon has
            // thousands, most without a hit in a group).
            let ids = matcher.theme_terms(t);
            let mut terms: Vec<(u64, u32)> = (sums.terms_with_hits())
                .filter(|(id, _)| ids.contains(id))
                .map(|(id, n)| (n, id))
                .collect();
            terms.sort_by_key(|&(n, id)| (std::cmp::Reverse(n), id));
            let terms: Vec<String> = (terms.iter().take(3))
                .map(|&(n, id)| format!("{} ({n})", escape(&matcher.term(id).text)))
                .collect();
            rows.push(format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} to {}</td><td>{}</td></tr>",
                bdi(&group.label),
                escape(&theme.label),
                if ratio > 0.0 { "more" } else { "less" },
                fixed(Some(ratio), 2),
                fixed(Some(low), 2),
                fixed(Some(high), 2),
                terms.join(", ")
            ));
        }
    }
    if rows.is_empty() {
        let which = largest.map_or("any group".to_string(), |l| format!("any of {l}"));
        return writeln!(
            out,
            "<p>No theme is key for {which}: every log ratio's 95 % interval includes 0.</p>"
        );
    }
    if let Some(largest) = largest {
        writeln!(out, "<p>Key themes of {largest}:</p>")?;
    }
    writeln!(
        out,
        "<table><tr><th>Group</th><th>Theme</th><th>Than the rest</th><th class=\"n\">Log ratio (log₂)</th><th class=\"n\">95 % interval</th><th>Its terms with most hits in the group</th></tr>"
    )?;
    for row in rows {
        writeln!(out, "{row}")?;
    }
    writeln!(out, "</table>")
}

/// Sentences from the groups the charts show, each group folded: its first sentence of each
/// theme that is key for it, and its first tension sentence of each contrast.
fn examples<W: Write>(out: &mut W, report: &ReportInput<'_>, g: &Grouped) -> io::Result<()> {
    let lexicon = report.corpus.lexicon;
    let label = |t: usize| escape(&lexicon.themes[t].label);
    let (shown, left_out) = shown_groups(g, |s| s.documents > 0);
    let mut folds = Vec::new();
    for k in shown {
        let (group, sums) = &g.groups[k];
        let mut html = String::new();
        for t in 0..lexicon.themes.len() {
            let example = sums.examples.themes.get(t).and_then(Option::as_ref);
            if let (Some((ratio, _)), Some((_, e))) = (key(sums, &g.corpus, t), example) {
                let more = if ratio > 0.0 { "more" } else { "less" };
                html.push_str(&format!(
                    "<p class=\"src\">{}: key, {more} than in the rest</p>\n",
                    label(t)
                ));
                html.push_str(&example_html(e, |_| ""));
            }
        }
        for (c, contrast) in lexicon.contrasts.iter().enumerate() {
            if let Some((_, e)) = sums.examples.tension.get(c).and_then(Option::as_ref) {
                html.push_str(&format!(
                    "<p class=\"src\">Where {} meets {}: the group's first tension sentence</p>\n",
                    label(contrast.left),
                    label(contrast.right)
                ));
                let left = contrast.left;
                html.push_str(&example_html(e, |t| if t == left { "l" } else { "r" }));
            }
        }
        if !html.is_empty() {
            folds.push(format!(
                "<details><summary>{} ({} document{})</summary>\n{html}</details>\n",
                bdi(&group.label),
                crate::output::thousands(sums.documents),
                if sums.documents == 1 { "" } else { "s" }
            ));
        }
    }
    if folds.is_empty() {
        return Ok(());
    }
    let which = largest(left_out, "the CSV files").unwrap_or("each group".to_string());
    writeln!(
        out,
        "<h4>Example sentences</h4>\n<p>From {which}: its first sentence with a hit of each theme \
         that is key for it, and its first tension sentence of each contrast.</p>"
    )?;
    for fold in folds {
        out.write_all(fold.as_bytes())?;
    }
    Ok(())
}
