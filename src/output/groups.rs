//! The group files: `groups.csv`, `group_contrasts.csv`, `keyness.csv` and `keyness_terms.csv`,
//! rendered from the group sums once the last document is in.
//!
//! In: the [`Grouped`] sums of every `--group-by`, the lexicon and the matcher. Out: CSV rows
//! (no header) in grouping order (as given), then group order ([`crate::group::Grouping::order`]),
//! then lexicon order. Guarantees: every float is computed here from integers, in that fixed
//! order; groups without tokens are left out of the keyness files; a rate, balance or ratio that
//! is not defined is an empty cell.

use std::io::{self, Write};

use super::csv::Row;
use crate::group::sums::{GroupSums, Grouped};
use crate::lexicon::Lexicon;
use crate::matcher::Matcher;
use crate::score::groups::{chi2_upper, g2, log_ratio, log_ratio_interval, rate_interval};
use crate::score::score_contrast;

/// The columns of `groups.csv`.
pub const GROUPS: &[&str] = &[
    "grouping",
    "group",
    "documents",
    "documents_with_hits",
    "tokens",
    "theme",
    "count",
    "weight",
    "per_1k",
    "ci_low",
    "ci_high",
];

/// The columns of `group_contrasts.csv`.
pub const GROUP_CONTRASTS: &[&str] = &[
    "grouping",
    "group",
    "contrast",
    "documents",
    "documents_with_hits",
    "left_hits",
    "right_hits",
    "left_weight",
    "right_weight",
    "balance",
    "ci_low",
    "ci_high",
    "log_odds",
    "tension_sentences",
];

/// The columns of `keyness.csv`.
pub const KEYNESS: &[&str] = &[
    "grouping",
    "group",
    "theme",
    "count",
    "count_rest",
    "tokens",
    "tokens_rest",
    "g2",
    "p_value",
    "log_ratio",
    "log_ratio_low",
    "log_ratio_high",
    "direction",
];

/// The columns of `keyness_terms.csv`: those of `keyness.csv` with `term` after `theme`.
pub const KEYNESS_TERMS: &[&str] = &[
    "grouping",
    "group",
    "theme",
    "term",
    "count",
    "count_rest",
    "tokens",
    "tokens_rest",
    "g2",
    "p_value",
    "log_ratio",
    "log_ratio_low",
    "log_ratio_high",
    "direction",
];

/// Terms are listed in `keyness_terms.csv` from this many hits in the group, or this many
/// expected.
pub const MIN_TERM_HITS: f64 = 5.0;

/// Rows built in a buffer and written to `out` about 64 KiB at a time.
struct Rows<O: Write> {
    out: O,
    buf: Vec<u8>,
}

impl<O: Write> Rows<O> {
    fn new(out: O) -> Rows<O> {
        Rows {
            out,
            buf: Vec::with_capacity(1 << 16),
        }
    }

    /// The next row (what the buffer holds written out first when it is full).
    fn row(&mut self) -> io::Result<Row<'_>> {
        if self.buf.len() >= 1 << 16 {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(Row::new(&mut self.buf))
    }

    /// Writes out the last rows.
    fn finish(mut self) -> csv::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        Ok(())
    }
}

/// Writes `groups.csv` rows: per group and theme, its count, rate per 1,000 tokens and the
/// rate's 95 % interval.
pub fn write_groups<O: Write>(out: O, lexicon: &Lexicon, grouped: &[Grouped]) -> csv::Result<()> {
    let mut rows = Rows::new(out);
    for g in grouped {
        for (group, sums) in &g.groups {
            for (t, theme) in lexicon.themes.iter().enumerate() {
                let tally = &sums.counts.themes[t];
                let tokens = sums.tokens();
                let interval = rate_interval(&sums.theme_clusters(t));
                (rows.row()?)
                    .text(&g.spec)
                    .text(&group.label)
                    .int(sums.documents)
                    .int(sums.theme_documents[t])
                    .int(tokens)
                    .text(&theme.id)
                    .int(tally.count)
                    .weight(tally.weight)
                    .num((tokens > 0).then(|| tally.count as f64 * 1000.0 / tokens as f64))
                    .num(interval.map(|i| i.0 * 1000.0))
                    .num(interval.map(|i| i.1 * 1000.0))
                    .end();
            }
        }
    }
    rows.finish()
}

/// Writes `group_contrasts.csv` rows: per group and contrast, its poles' sums, balance,
/// interval, log odds and tension sentences.
pub fn write_group_contrasts<O: Write>(
    out: O,
    lexicon: &Lexicon,
    grouped: &[Grouped],
) -> csv::Result<()> {
    let mut rows = Rows::new(out);
    for g in grouped {
        for ((group, sums), intervals) in g.groups.iter().zip(&g.intervals) {
            for (c, contrast) in lexicon.contrasts.iter().enumerate() {
                let tally = &sums.counts.contrasts[c];
                let score = score_contrast(tally);
                let interval = intervals.get(c).copied().flatten();
                (rows.row()?)
                    .text(&g.spec)
                    .text(&group.label)
                    .text(&contrast.id)
                    .int(sums.documents)
                    .int(sums.contrast_documents[c])
                    .int(tally.left.hits)
                    .int(tally.right.hits)
                    .weight(tally.left.weight)
                    .weight(tally.right.weight)
                    .num(score.balance)
                    .num(interval.map(|i| i.0))
                    .num(interval.map(|i| i.1))
                    .num(Some(score.log_odds))
                    .int(tally.tension_sentences)
                    .end();
            }
        }
    }
    rows.finish()
}

/// Appends one keyness row: a count `a` in `c` tokens against `b` in `d` (`counts`), with the
/// log ratio's interval `interval`; with `term` in `keyness_terms.csv`.
fn keyness_row(
    row: Row<'_>,
    (g, label, theme): (&Grouped, &str, &str),
    term: Option<&str>,
    counts: (u64, u64, u64, u64),
    interval: Option<(f64, f64)>,
) {
    let (a, b, c, d) = counts;
    let g2 = g2(a, b, c, d);
    let ratio = log_ratio(a, b, c, d);
    let interval = ratio.and(interval);
    let direction = match ratio {
        None => "",
        // Over when the group's rate is above the rest's: a/c > b/d.
        Some(_) if u128::from(a) * u128::from(d) > u128::from(b) * u128::from(c) => "over",
        Some(_) => "under",
    };
    let row = row.text(&g.spec).text(label).text(theme);
    let row = match term {
        Some(term) => row.text(term),
        None => row,
    };
    row.int(a)
        .int(b)
        .int(c)
        .int(d)
        .num(Some(g2))
        .num(Some(chi2_upper(g2)))
        .num(ratio)
        .num(interval.map(|i| i.0))
        .num(interval.map(|i| i.1))
        .text(direction)
        .end();
}

/// A theme's keyness in a group: its counts (a in c tokens against b in d in the rest of the
/// corpus), its log ratio and the ratio's interval, and its clusters in the group.
pub(crate) struct ThemeKeyness {
    /// (a, b, c, d).
    pub counts: (u64, u64, u64, u64),
    /// [`log_ratio`] of the counts.
    pub ratio: Option<f64>,
    /// [`log_ratio_interval`] (none when the ratio is none).
    pub interval: Option<(f64, f64)>,
    /// The theme's cluster sums in the group.
    pub here: crate::score::groups::ClusterSums,
}

/// The keyness of theme `t` in the group of `sums`, against the rest of `corpus`.
pub(crate) fn theme_keyness(sums: &GroupSums, corpus: &GroupSums, t: usize) -> ThemeKeyness {
    let (c, d) = (sums.tokens(), corpus.tokens() - sums.tokens());
    let a = sums.counts.themes[t].count;
    let b = corpus.counts.themes[t].count - a;
    let here = sums.theme_clusters(t);
    let ratio = log_ratio(a, b, c, d);
    let interval = ratio.and(log_ratio_interval(
        &here,
        &sums.theme_clusters_rest(corpus, t),
    ));
    ThemeKeyness {
        counts: (a, b, c, d),
        ratio,
        interval,
        here,
    }
}

/// Writes `keyness.csv` rows: each group with tokens against the rest of the corpus, per
/// theme.
pub fn write_keyness<O: Write>(out: O, lexicon: &Lexicon, grouped: &[Grouped]) -> csv::Result<()> {
    let mut rows = Rows::new(out);
    for g in grouped {
        let corpus = &g.corpus;
        for (group, sums) in g.groups.iter().filter(|(_, s)| s.tokens() > 0) {
            for (t, theme) in lexicon.themes.iter().enumerate() {
                let k = theme_keyness(sums, corpus, t);
                let names = (g, group.label.as_str(), theme.id.as_str());
                keyness_row(rows.row()?, names, None, k.counts, k.interval);
            }
        }
    }
    rows.finish()
}

/// Writes `keyness_terms.csv` rows: as [`write_keyness`], per lexicon term of each theme, for
/// the terms with at least [`MIN_TERM_HITS`] hits in the group or expected there.
pub fn write_keyness_terms<O: Write>(
    out: O,
    lexicon: &Lexicon,
    matcher: &Matcher,
    grouped: &[Grouped],
) -> csv::Result<()> {
    let mut rows = Rows::new(out);
    // Each term's theme, by global term id (a theme's terms are numbered together, themes in
    // order, so that term order is the order of the rows within a group).
    let themes: Vec<usize> = (0..lexicon.themes.len())
        .flat_map(|t| matcher.theme_terms(t).map(move |_| t))
        .collect();
    let mut candidates = Vec::new();
    for g in grouped {
        let corpus = &g.corpus;
        // The corpus's terms with hits, most hits first: a group's terms expected often enough
        // there are a prefix of this list (the expected count grows with the corpus count).
        let mut by_hits: Vec<(u32, u64)> = corpus.terms_with_hits().collect();
        by_hits.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (group, sums) in g.groups.iter().filter(|(_, s)| s.tokens() > 0) {
            let (c, d) = (sums.tokens(), corpus.tokens() - sums.tokens());
            let expected = |all: u64| c as f64 * all as f64 / (c + d) as f64;
            // The terms the rule keeps: expected at least MIN_TERM_HITS times, or with at least
            // that many hits here (a term without corpus hits has neither).
            candidates.clear();
            candidates.extend(
                (by_hits.iter())
                    .take_while(|&&(_, all)| expected(all) >= MIN_TERM_HITS)
                    .map(|&(term, _)| term),
            );
            candidates.extend(
                (sums.terms_with_hits())
                    .filter(|&(_, a)| a as f64 >= MIN_TERM_HITS)
                    .map(|(term, _)| term),
            );
            candidates.sort_unstable();
            candidates.dedup();
            for &term in &candidates {
                let Some(theme) = themes.get(term as usize).map(|&t| &lexicon.themes[t]) else {
                    continue;
                };
                let a = sums.term_hits(term).unwrap_or(0);
                let all = corpus.term_hits(term).unwrap_or(0);
                let (here, rest) = sums.term_clusters(corpus, term);
                let interval = log_ratio_interval(&here, &rest);
                let text = matcher.term(term).text.as_str();
                let counts = (a, all - a, c, d);
                let names = (g, group.label.as_str(), theme.id.as_str());
                keyness_row(rows.row()?, names, Some(text), counts, interval);
            }
        }
    }
    rows.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::count::analyse;
    use crate::group::sums::Sums;
    use crate::group::{GroupSpec, Grouping};
    use crate::lexicon::parse_toml;
    use sha2::{Digest, Sha256};

    const LEXICON: &str = r#"
[[themes]]
id = "hardship"
terms = ["hard"]
[[themes]]
id = "pride"
terms = ["proud"]
[[contrasts]]
left = "hardship"
right = "pride"
"#;

    /// Three documents by party: D "hard times. proud people. hard work." and "nothing here.",
    /// R "proud proud proud proud proud.".
    fn grouped() -> (Lexicon, Matcher, Vec<Grouped>) {
        grouped_by_party(&[
            ("a", "D", "hard times. proud people. hard work."),
            ("b", "R", "proud proud proud proud proud."),
            ("c", "D", "nothing here."),
        ])
    }

    /// `docs` (id, party, text) grouped by party.
    fn grouped_by_party(docs: &[(&str, &str, &str)]) -> (Lexicon, Matcher, Vec<Grouped>) {
        let lexicon = parse_toml(LEXICON, "t.toml").unwrap();
        let matcher = Matcher::new(&lexicon);
        let columns = ["party".to_string()];
        let party = Grouping::new(&GroupSpec::parse("party").unwrap(), &columns).unwrap();
        let mut sums = Sums::new(vec![party], None, 2, 1);
        for &(id, party, text) in docs {
            let analysis = analyse(text, &matcher, &lexicon.contrasts);
            let sha: [u8; 32] = Sha256::digest(text.as_bytes()).into();
            let meta = [party.to_string()];
            let (counts, terms) = (&analysis.counts, &analysis.term_counts);
            let offered = crate::group::sums::Offered::default();
            sums.add(id, &meta, &sha, counts, terms, &offered);
        }
        (lexicon, matcher, sums.finish(2).unwrap().1)
    }

    fn text(write: impl FnOnce(&mut Vec<u8>) -> csv::Result<()>) -> String {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn group_rows_by_hand() {
        let (lexicon, matcher, grouped) = grouped();
        let groups = text(|o| write_groups(o, &lexicon, &grouped));
        let rows: Vec<&str> = groups.lines().collect();
        assert_eq!(rows.len(), 4);
        // D: 2 documents, 8 tokens, 2 hits of hardship in one of them: 250 per 1,000.
        assert!(
            rows[0].starts_with("party,D,2,1,8,hardship,2,2.0000,250.0000,"),
            "{}",
            rows[0]
        );
        assert!(
            rows[3].starts_with("party,R,1,1,5,pride,5,5.0000,1000.0000,"),
            "{}",
            rows[3]
        );
        // R's pride is one cluster: the Garwood interval of 5 over 5 tokens, per 1,000.
        // (χ²(0.025; 10) / 2 = 1.623486 and χ²(0.975; 12) / 2 = 11.668332, over 5 tokens.)
        assert!(rows[3].ends_with(",324.6973,2333.6664"), "{}", rows[3]);

        let contrasts = text(|o| write_group_contrasts(o, &lexicon, &grouped));
        let rows: Vec<&str> = contrasts.lines().collect();
        // D: L 2, R 1, balance −1/3; its hits lie in one document: the Wilson interval.
        assert!(
            rows[0].starts_with("party,D,hardship_vs_pride,2,1,2,1,2.0000,1.0000,-0.3333,"),
            "{}",
            rows[0]
        );
        // log odds ln(1.5 / 2.5); one sentence (lower-case after each full stop) holds both.
        assert!(rows[0].ends_with(",-0.5108,1"), "{}", rows[0]);
        assert!(rows[1].starts_with("party,R,hardship_vs_pride,1,1,0,5,0.0000,5.0000,1.0000,"));

        let keyness = text(|o| write_keyness(o, &lexicon, &grouped));
        let rows: Vec<&str> = keyness.lines().collect();
        // D hardship: a = 2, b = 0, c = 8, d = 5: G² 1.9420, p 0.1634, log2(2.5) = 1.3219.
        assert!(
            rows[0].starts_with("party,D,hardship,2,0,8,5,1.9420,0.1634,1.3219,"),
            "{}",
            rows[0]
        );
        assert!(rows[0].ends_with(",over"));
        assert!(rows[2].starts_with("party,R,hardship,0,2,5,8,1.9420,0.1634,-1.3219,"));
        assert!(rows[2].ends_with(",under"));

        // Only R's "proud" has 5 hits (or 5 expected): a = 5, b = 1, c = 5, d = 8.
        let terms = text(|o| write_keyness_terms(o, &lexicon, &matcher, &grouped));
        let rows: Vec<&str> = terms.lines().collect();
        assert_eq!(rows.len(), 1, "{terms}");
        assert!(
            rows[0].starts_with("party,R,pride,proud,5,1,5,8,5.1194,0.0237,3.0000,"),
            "{}",
            rows[0]
        );
    }

    #[test]
    fn group_labels_are_written_as_the_csv_writer_writes_them() {
        // A label that looks like a formula, with a comma, quotes and a line break.
        let label = "=1+1, \"a\"\nb";
        let (lexicon, matcher, grouped) = grouped_by_party(&[("a", label, "hard proud.")]);
        let mut cell = Vec::new();
        crate::csv_format::writer(&mut cell)
            .write_record([crate::output::csv::safe_text(label).as_ref(), "x"])
            .unwrap();
        let cell = String::from_utf8(cell).unwrap();
        let cell = cell.strip_suffix(",x\n").unwrap();
        assert_eq!(cell, "\"'=1+1, \"\"a\"\"\nb\"");
        let files = [
            text(|o| write_groups(o, &lexicon, &grouped)),
            text(|o| write_group_contrasts(o, &lexicon, &grouped)),
            text(|o| write_keyness(o, &lexicon, &grouped)),
            text(|o| write_keyness_terms(o, &lexicon, &matcher, &grouped)),
        ];
        for rows in &files[..3] {
            assert!(rows.starts_with(&format!("party,{cell},")), "{rows}");
        }
        // Every row of every file ends in a line end, the files hold no more than their rows.
        assert_eq!(files[0].matches(&format!("party,{cell},")).count(), 2);
        assert!(files.iter().all(|f| f.is_empty() || f.ends_with('\n')));
    }

    #[test]
    fn a_term_is_listed_for_a_group_where_it_is_expected_though_absent() {
        // D: "hard" ten times in 10 tokens. R: 11 tokens without it, then "proud" five times:
        // c = 16, d = 10, so R expects 16 · 10 / 26 = 6.15 "hard" and lists it with a = 0; R's
        // "proud" has 5 hits; D expects 10 · 5 / 26 = 1.92 "proud" and has none: not listed.
        let (lexicon, matcher, grouped) = grouped_by_party(&[
            (
                "x",
                "D",
                "hard hard hard hard hard hard hard hard hard hard.",
            ),
            (
                "y",
                "R",
                "nothing here at all to see in this text of words.",
            ),
            ("z", "R", "proud proud proud proud proud."),
        ]);
        let terms = text(|o| write_keyness_terms(o, &lexicon, &matcher, &grouped));
        let rows: Vec<&str> = terms.lines().collect();
        assert_eq!(rows.len(), 3, "{terms}");
        assert!(
            rows[0].starts_with("party,D,hardship,hard,10,0,10,16,"),
            "{}",
            rows[0]
        );
        assert!(
            rows[1].starts_with("party,R,hardship,hard,0,10,16,10,"),
            "{}",
            rows[1]
        );
        assert!(rows[1].ends_with(",under"), "{}", rows[1]);
        assert!(
            rows[2].starts_with("party,R,pride,proud,5,0,16,10,"),
            "{}",
            rows[2]
        );
    }
}
