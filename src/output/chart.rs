//! Charts: corpus totals and the digest → chart data → PNG and SVG.
//!
//! In: the [`Corpus`] (lexicon, totals, scores) and the [`CorpusDigest`]. Out: a [`ChartSet`]
//! (plain data, which the tests snapshot), then each chart drawn with plotters as PNG (1600 px wide, at least 1000 high)
//! and as SVG. Text comes from a font compiled into the binary (Ubuntu Light, via
//! `epaint_default_fonts`) through plotters' `ab_glyph` backend, so charts look the same on a
//! machine without any font installed; every string is placed by the `text` module (glyph by
//! glyph in PNG, where plotters alone would drop each glyph's side bearing), and every numeric
//! axis has the ticks and labels of an [`Axis`]. Colours are the Okabe–Ito palette, safe for
//! colour-blind readers: the left pole of a contrast vermillion, the right pole blue.
//! [`render`] draws into memory (SVG text, and PNG bytes encoded as plotters would write
//! them); the caller writes the files, so that a file the disk refuses is named in a sentence.
//!
//! Guarantees: labels are theme and contrast labels (not ids); tick labels are distinct and
//! read as their ticks; a trajectory shows how many hits its smoothed line rests on (the 95 %
//! interval as a band, the line grey under [`MIN_WINDOW_HITS`] hits); file names derived from
//! document ids are sanitised ([`file_stem`]): no path separators, no `..`, no control
//! characters, at most 60 bytes, unique.

use std::collections::HashSet;
use std::ops::Range;

use plotters::backend::RGBPixel;
use plotters::coord::cartesian::Cartesian2d;
use plotters::coord::ranged1d::{SegmentValue, SegmentedCoord};
use plotters::coord::types::RangedCoordusize;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

use super::digest::{CorpusDigest, CONTRAST_DOCS};
use super::{thousands, Corpus};
use crate::count::{weight_value, ContrastTally};
use crate::lexicon::Contrast;
use crate::score::groups::FEW_CLUSTERS;
use crate::score::{npmi, per_thousand, score_contrast};

mod axis;
mod text;
mod timeline;

pub use axis::{Axis, LabelStyle, TickedRange, Ticks};
use text::{draw_text, hidden, isolate, titled, AxisLabels, PlotBox, TextMode, TICK};

/// Width of every PNG chart.
pub const WIDTH: u32 = 1600;
/// Least height of a PNG chart.
pub const MIN_HEIGHT: u32 = 1000;

const FONT: &str = "sans-serif";
/// Okabe–Ito vermillion: the left pole.
const LEFT: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito blue: the right pole.
const RIGHT: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Okabe–Ito bluish green: theme bars.
const THEME: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GREY: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);
/// An interval from few clusters: darker than [`GREY`], so that it still shows on a bar.
const UNCERTAIN: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// A trajectory's smoothed line where its window holds few hits.
const WEAK: RGBColor = RGBColor(0x99, 0x99, 0x99);
/// A trajectory's 95 % interval band.
const BAND: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Height of the legend row under a trajectory chart's title.
const TRAJECTORY_LEGEND: u32 = 64;
const LIGHT: RGBColor = RGBColor(0xEE, 0xEE, 0xEE);

/// A trajectory's smoothed line is drawn grey where its window holds fewer hits than this.
pub const MIN_WINDOW_HITS: u64 = 5;
/// Pairs seen in fewer sentences than this are greyed in the co-occurrence heatmap.
pub const MIN_PAIR_SENTENCES: u64 = 3;
/// Terms per pole in a drivers chart.
pub const DRIVER_TERMS: usize = 15;

/// One theme's bar: its rate per 1,000 tokens over the corpus.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThemeBar {
    /// The theme's label.
    pub label: String,
    /// Hits.
    pub hits: u64,
    /// Hits per 1,000 tokens.
    pub per_1k: f64,
}

/// One bar of a contrast panel: a document (or the corpus, or the pooled rest).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContrastBar {
    /// What the bar is.
    pub label: String,
    /// Its balance.
    pub balance: Option<f64>,
    /// Its 95 % interval.
    pub interval: Option<(f64, f64)>,
    /// Pole hits (L + R).
    pub hits: u64,
    /// Whether its interval comes from fewer than [`FEW_CLUSTERS`] clusters with hits (drawn
    /// grey).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub few_clusters: bool,
}

/// One contrast: a diverging bar per document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContrastPanel {
    /// The left pole's label.
    pub left: String,
    /// The right pole's label.
    pub right: String,
    /// The corpus first, then documents by size, then the pooled rest.
    pub bars: Vec<ContrastBar>,
}

/// A point of a trajectory.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrajectoryPoint {
    /// Position in the text, 0–100 %.
    pub position: f64,
    /// The segment's balance.
    pub balance: Option<f64>,
    /// The smoothed balance.
    pub smoothed: Option<f64>,
    /// The smoothed balance's 95 % interval (Wilson, over the smoothing window's hits).
    pub interval: Option<(f64, f64)>,
    /// Hits of either pole in the smoothing window.
    pub window_hits: u64,
}

/// A trajectory panel: one contrast through one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrajectoryPanel {
    /// The left pole's label.
    pub left: String,
    /// The right pole's label.
    pub right: String,
    /// One point per segment.
    pub points: Vec<TrajectoryPoint>,
}

/// The trajectory chart of one document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TrajectoryChart {
    /// The document's id.
    pub document: String,
    /// The chart's file name without extension.
    pub file: String,
    /// One panel per contrast.
    pub panels: Vec<TrajectoryPanel>,
}

/// A cell of the co-occurrence heatmap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeatCell {
    /// Normalised PMI (undefined when a theme has no hit).
    pub npmi: Option<f64>,
    /// Sentences with both themes.
    pub both: u64,
}

/// The co-occurrence heatmap.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Heatmap {
    /// Theme labels, in lexicon order.
    pub labels: Vec<String>,
    /// `cells[a][b]` for a ≠ b; `None` on the diagonal.
    pub cells: Vec<Vec<Option<HeatCell>>>,
}

/// The terms behind one contrast's poles.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DriversChart {
    /// The contrast's id (the file is `drivers-<id>`).
    pub contrast: String,
    /// The left pole's label.
    pub left: String,
    /// The right pole's label.
    pub right: String,
    /// The terms, largest weight first.
    pub terms: Vec<DriverTerm>,
}

/// A term behind a pole of a contrast.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DriverTerm {
    /// The lexicon term.
    pub term: String,
    /// Its weighted non-negated hits.
    pub weight: f64,
    /// Whether it belongs to the right pole.
    pub right: bool,
}

/// Everything the charts show.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ChartSet {
    /// Documents analysed.
    pub documents: u64,
    /// Tokens over the corpus.
    pub tokens: u64,
    /// Theme rates, largest first.
    pub themes: Vec<ThemeBar>,
    /// One panel per contrast.
    pub contrasts: Vec<ContrastPanel>,
    /// Documents pooled into the last bar of each contrast panel.
    pub pooled_documents: u64,
    /// Trajectory charts (the largest documents).
    pub trajectories: Vec<TrajectoryChart>,
    /// Co-occurrence.
    pub heatmap: Heatmap,
    /// One drivers chart per contrast.
    pub drivers: Vec<DriversChart>,
    /// One chart per `--group-by`: each contrast's balance per group.
    pub groups: Vec<GroupChart>,
    /// One chart per `--group-by`: each theme's keyness in each group.
    pub keyness: Vec<KeynessChart>,
    /// One chart per `--group-by`: each theme's rate in each group.
    pub rates: Vec<RatesChart>,
}

/// The rates of one grouping: a panel per theme, a bar per group (at most [`KEYNESS_GROUPS`],
/// the largest): hits per 1,000 tokens with the rate's interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RatesChart {
    /// The SPEC as given.
    pub spec: String,
    /// File stem (`groups-<spec>`).
    pub file: String,
    /// (theme, its bars: `balance` holds the rate per 1,000 tokens).
    pub panels: Vec<(String, Vec<ContrastBar>)>,
    /// Groups left out (beyond the largest [`KEYNESS_GROUPS`]).
    pub left_out: usize,
    /// The axis runs from 0 to `top`.
    pub top: f64,
}

/// The keyness of one grouping: a panel per group (at most [`KEYNESS_GROUPS`], the largest),
/// a bar per theme: its log ratio against the rest of the corpus, with its interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeynessChart {
    /// The SPEC as given.
    pub spec: String,
    /// File stem (`keyness-<spec>`).
    pub file: String,
    /// (group, its bars: `balance` holds the log ratio).
    pub panels: Vec<(String, Vec<ContrastBar>)>,
    /// Groups with tokens left out (beyond the largest [`KEYNESS_GROUPS`]).
    pub left_out: usize,
    /// The axis runs from −range to range (log₂).
    pub range: f64,
}

/// The most groups a keyness chart shows.
pub const KEYNESS_GROUPS: usize = 40;

/// Panels in a row of a keyness chart.
const KEYNESS_COLUMNS: usize = 4;

/// The contrasts of one grouping: a panel per contrast, a bar per group.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupChart {
    /// The SPEC as given.
    pub spec: String,
    /// File stem (`contrast-by-<spec>`).
    pub file: String,
    /// One panel per contrast, its bars the groups in file order: for a time line every
    /// period, otherwise the [`KEYNESS_GROUPS`] largest groups.
    pub panels: Vec<ContrastPanel>,
    /// Whether the groups are the periods of one date column, drawn as a line over time.
    pub timeline: bool,
    /// Groups left out: beyond the largest [`KEYNESS_GROUPS`], or a time line's `(missing)`.
    pub left_out: usize,
    /// Documents in `(missing)`.
    pub missing_documents: u64,
}

/// A file-name stem for `name` that is safe on every file system: letters, digits, `.`, `-` and
/// `_` only (others become `_`), no leading dot, at most 60 bytes, unique among `used`.
pub fn file_stem(prefix: &str, name: &str, used: &mut HashSet<String>) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    clean = clean.trim_start_matches('.').to_string();
    clean.truncate(60 - prefix.len().min(30));
    if clean.is_empty() {
        clean.push('_');
    }
    let base = format!("{prefix}{clean}");
    let mut stem = base.clone();
    let mut k = 2;
    while !used.insert(stem.clone()) {
        stem = format!("{base}-{k}");
        k += 1;
    }
    stem
}

fn contrast_bar(label: String, tally: &ContrastTally, interval: Option<(f64, f64)>) -> ContrastBar {
    let score = score_contrast(tally);
    ContrastBar {
        label,
        balance: score.balance,
        interval: interval.or(score.ci_low.zip(score.ci_high)),
        hits: tally.left.hits + tally.right.hits,
        few_clusters: false,
    }
}

/// Gathers the data of every chart.
pub fn chart_data(corpus: &Corpus<'_>, digest: &CorpusDigest) -> ChartSet {
    let totals = corpus.totals;
    ChartSet {
        documents: totals.documents,
        tokens: totals.counts.tokens,
        themes: theme_bars(corpus),
        contrasts: contrast_panels(corpus, digest),
        pooled_documents: digest.rest_documents,
        trajectories: trajectory_charts(corpus, digest),
        heatmap: heatmap(corpus),
        drivers: corpus
            .lexicon
            .contrasts
            .iter()
            .map(|c| drivers(corpus, c))
            .collect(),
        groups: group_charts(corpus),
        keyness: keyness_charts(corpus),
        rates: rates_charts(corpus),
    }
}

/// The groups a chart of `g` shows: of those whose sums pass `shown`, the [`KEYNESS_GROUPS`]
/// with most tokens, in the files' order; and how many of those are left out.
pub fn shown_groups(
    g: &crate::group::sums::Grouped,
    shown: impl Fn(&crate::group::sums::GroupSums) -> bool,
) -> (Vec<usize>, usize) {
    let mut kept: Vec<usize> = (0..g.groups.len())
        .filter(|&k| shown(&g.groups[k].1))
        .collect();
    let candidates = kept.len();
    kept.sort_by_key(|&k| (std::cmp::Reverse(g.groups[k].1.tokens()), k));
    kept.truncate(KEYNESS_GROUPS);
    kept.sort_unstable();
    (kept, candidates - KEYNESS_GROUPS.min(candidates))
}

/// Per grouping, each theme's rate per 1,000 tokens in each group, with its interval.
fn rates_charts(corpus: &Corpus<'_>) -> Vec<RatesChart> {
    let mut used = HashSet::new();
    (corpus.grouped.iter())
        .map(|g| {
            let (shown, left_out) = shown_groups(g, |_| true);
            let (mut top_rate, mut top_end): (f64, f64) = (0.0, 0.0);
            let panels = (corpus.lexicon.themes.iter().enumerate())
                .map(|(t, theme)| {
                    let bars = (shown.iter())
                        .map(|&k| {
                            let (group, sums) = &g.groups[k];
                            let tally = &sums.counts.themes[t];
                            let clusters = sums.theme_clusters(t);
                            let rate = per_thousand(tally.count, sums.tokens());
                            let interval = crate::score::groups::rate_interval(&clusters)
                                .map(|(l, h)| (l * 1000.0, h * 1000.0));
                            top_rate = top_rate.max(rate.unwrap_or(0.0));
                            top_end = top_end.max(interval.map_or(0.0, |i| i.1));
                            ContrastBar {
                                label: group.label.clone(),
                                balance: rate,
                                interval,
                                hits: tally.count,
                                few_clusters: clusters.n < FEW_CLUSTERS,
                            }
                        })
                        .collect();
                    (theme.label.clone(), bars)
                })
                .collect();
            RatesChart {
                spec: g.spec.clone(),
                file: file_stem("groups-", &g.spec, &mut used),
                panels,
                left_out,
                top: rate_top(top_rate, top_end),
            }
        })
        .collect()
}

/// The top of a rate axis whose largest rate is `rate` and whose intervals' largest end is
/// `end`: [`nice_top`] of the largest rate, or of the largest end up to twice that rate. An
/// interval from two or three clusters can end a million times above its rate (a t quantile
/// with one degree of freedom is 12.7, on the log scale); scaled to it, every bar of the chart
/// would be a sliver. Whiskers that run past the top end in an arrow there
/// ([`Whisker`]).
fn rate_top(rate: f64, end: f64) -> f64 {
    nice_top(rate.max(end.min(2.0 * rate)))
}

/// The top of a rate axis (at least 1): `v` rounded up to a multiple of the finest step of 1, 2
/// or 5 × 10^k that it spans at most five times, so that the bars fill two thirds of the axis
/// or more (20.2 → 25, 12.9 → 15, 41 → 50; rounding up to 1, 2 or 5 × 10^k itself took 20.2 to
/// 50, and the bars filled two fifths).
fn nice_top(v: f64) -> f64 {
    if v.is_nan() || v <= 1.0 {
        return 1.0;
    }
    // (Past here the search for a step would not end.)
    if !v.is_finite() {
        return f64::MAX;
    }
    let mut exp = (v / 5.0).log10().floor() as i32 - 1;
    loop {
        for mantissa in [1.0, 2.0, 5.0] {
            // The step, and the top as k steps, made from integers and a power of ten, so
            // that 15 × 0.1 reads 1.5, not 1.5000000000000002.
            let scale = |x: f64| match exp {
                0.. => x * 10f64.powi(exp),
                _ => x / 10f64.powi(-exp),
            };
            let steps = (v / scale(mantissa) - 1e-9).ceil();
            if steps <= 5.0 {
                return scale(steps * mantissa);
            }
        }
        exp += 1;
    }
}

/// Per grouping, each theme's log ratio (group against the rest of the corpus) with its
/// interval, for the largest groups.
fn keyness_charts(corpus: &Corpus<'_>) -> Vec<KeynessChart> {
    let lexicon = corpus.lexicon;
    let mut used = HashSet::new();
    (corpus.grouped.iter())
        .map(|g| {
            let (shown, left_out) = shown_groups(g, |s| s.tokens() > 0);
            let mut widest: f64 = 1.0;
            let panels = (shown.iter())
                .map(|&k| {
                    let (group, sums) = &g.groups[k];
                    let bars = (lexicon.themes.iter().enumerate())
                        .map(|(t, theme)| {
                            let k = super::groups::theme_keyness(sums, &g.corpus, t);
                            let ends = k.interval.into_iter().flat_map(|(l, h)| [l, h]);
                            for v in k.ratio.into_iter().chain(ends) {
                                widest = widest.max(v.abs());
                            }
                            ContrastBar {
                                label: theme.label.clone(),
                                balance: k.ratio,
                                interval: k.interval,
                                hits: k.counts.0,
                                few_clusters: k.here.n < FEW_CLUSTERS,
                            }
                        })
                        .collect();
                    (group.label.clone(), bars)
                })
                .collect();
            KeynessChart {
                spec: g.spec.clone(),
                file: file_stem("keyness-", &g.spec, &mut used),
                panels,
                left_out,
                range: widest.ceil().min(10.0),
            }
        })
        .collect()
}

/// Per grouping, each contrast's balance per group with its interval (as
/// `group_contrasts.csv` gives them): every period of a time line, otherwise the largest
/// groups.
fn group_charts(corpus: &Corpus<'_>) -> Vec<GroupChart> {
    let lexicon = corpus.lexicon;
    let label = |t: usize| lexicon.themes[t].label.clone();
    let mut used = HashSet::new();
    (corpus.grouped.iter())
        .map(|g| {
            let (shown, left_out) = match g.timeline {
                true => {
                    let periods: Vec<usize> = (0..g.groups.len())
                        .filter(|&k| !g.groups[k].0.missing)
                        .collect();
                    let left_out = g.groups.len() - periods.len();
                    (periods, left_out)
                }
                false => shown_groups(g, |_| true),
            };
            GroupChart {
                spec: g.spec.clone(),
                file: file_stem("contrast-by-", &g.spec, &mut used),
                panels: (lexicon.contrasts.iter().enumerate())
                    .map(|(c, contrast)| ContrastPanel {
                        left: label(contrast.left),
                        right: label(contrast.right),
                        bars: (shown.iter())
                            .map(|&k| {
                                let (group, sums) = &g.groups[k];
                                let interval = g.intervals[k].get(c).copied().flatten();
                                let tally = &sums.counts.contrasts[c];
                                let mut bar = contrast_bar(group.label.clone(), tally, interval);
                                let clusters = sums.bootstrap.clusters_with_hits(c);
                                bar.few_clusters = clusters > 0 && clusters < FEW_CLUSTERS;
                                bar
                            })
                            .collect(),
                    })
                    .collect(),
                timeline: g.timeline,
                left_out,
                missing_documents: g.missing_documents,
            }
        })
        .collect()
}

/// Each theme's hits and rate, largest rate first (ties in lexicon order).
fn theme_bars(corpus: &Corpus<'_>) -> Vec<ThemeBar> {
    let (lexicon, totals) = (corpus.lexicon, corpus.totals);
    let tokens = totals.counts.tokens;
    let mut themes: Vec<ThemeBar> = lexicon
        .themes
        .iter()
        .enumerate()
        .map(|(t, theme)| {
            let hits = totals.counts.themes.get(t).map_or(0, |x| x.count);
            ThemeBar {
                label: theme.label.clone(),
                hits,
                per_1k: per_thousand(hits, tokens).unwrap_or(0.0),
            }
        })
        .collect();
    // A stable sort: ties keep lexicon order.
    themes.sort_by(|a, b| b.per_1k.total_cmp(&a.per_1k));
    themes
}

/// Per contrast, the corpus bar (with its interval), the largest documents' bars and the rest
/// pooled.
fn contrast_panels(corpus: &Corpus<'_>, digest: &CorpusDigest) -> Vec<ContrastPanel> {
    let lexicon = corpus.lexicon;
    let label = |t: usize| lexicon.themes[t].label.clone();
    (lexicon.contrasts.iter().enumerate())
        .map(|(c, contrast)| {
            let score = &corpus.scores[c];
            let tally = &corpus.totals.counts.contrasts[c];
            let interval = score.ci_low.zip(score.ci_high);
            let mut bars = vec![contrast_bar("Corpus".to_string(), tally, interval)];
            bars.extend(
                (digest.contrast_docs.iter()).map(|d| contrast_bar(d.id.clone(), &d.data[c], None)),
            );
            if digest.rest_documents > 0 {
                bars.push(contrast_bar(
                    format!("{} other documents (pooled)", digest.rest_documents),
                    &digest.rest[c],
                    None,
                ));
            }
            ContrastPanel {
                left: label(contrast.left),
                right: label(contrast.right),
                bars,
            }
        })
        .collect()
}

/// The trajectories of the documents the digest kept, a panel per contrast.
fn trajectory_charts(corpus: &Corpus<'_>, digest: &CorpusDigest) -> Vec<TrajectoryChart> {
    let lexicon = corpus.lexicon;
    let mut used = HashSet::new();
    (digest.series.iter())
        .map(|kept| TrajectoryChart {
            document: kept.id.clone(),
            file: file_stem("trajectory-", &kept.id, &mut used),
            panels: (lexicon.contrasts.iter().enumerate())
                .map(|(c, contrast)| TrajectoryPanel {
                    left: lexicon.themes[contrast.left].label.clone(),
                    right: lexicon.themes[contrast.right].label.clone(),
                    points: (kept.data[c].iter())
                        .map(|p| TrajectoryPoint {
                            position: p.position.unwrap_or(0.0) * 100.0,
                            balance: p.balance,
                            smoothed: p.smoothed,
                            interval: p.interval,
                            window_hits: p.window_hits,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

/// NPMI of every pair of themes (none on the diagonal).
fn heatmap(corpus: &Corpus<'_>) -> Heatmap {
    let lexicon = corpus.lexicon;
    let n = lexicon.themes.len();
    let co = &corpus.totals.cooccurrence;
    let cell = |a: usize, b: usize| {
        (a != b).then(|| {
            let (both, sa, sb) = co.pair(a, b, n);
            HeatCell {
                npmi: npmi(both, sa, sb, co.sentences),
                both,
            }
        })
    };
    Heatmap {
        labels: lexicon.themes.iter().map(|t| t.label.clone()).collect(),
        cells: (0..n)
            .map(|a| (0..n).map(|b| cell(a, b)).collect())
            .collect(),
    }
}

/// The terms behind each pole of `contrast`: the [`DRIVER_TERMS`] with the most non-negated
/// weight on each side, largest first.
fn drivers(corpus: &Corpus<'_>, contrast: &Contrast) -> DriversChart {
    let (lexicon, matcher, totals) = (corpus.lexicon, corpus.matcher, corpus.totals);
    let pole = |theme: usize, right: bool| -> Vec<DriverTerm> {
        let weight = |id: u32| totals.terms.get(id as usize).map_or(0, |t| t.live_weight);
        let mut terms: Vec<DriverTerm> = matcher
            .theme_terms(theme)
            .filter(|&id| weight(id) > 0)
            .map(|id| DriverTerm {
                term: matcher.term(id).text.clone(),
                weight: weight_value(weight(id)),
                right,
            })
            .collect();
        terms.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        terms.truncate(DRIVER_TERMS);
        terms
    };
    let mut terms = pole(contrast.left, false);
    terms.extend(pole(contrast.right, true));
    terms.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    DriversChart {
        contrast: contrast.id.clone(),
        left: lexicon.themes[contrast.left].label.clone(),
        right: lexicon.themes[contrast.right].label.clone(),
        terms,
    }
}

/// A chart that failed to draw, with the reason.
pub type ChartError = String;

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    e.to_string()
}

/// Registers the embedded font with plotters (once).
pub fn register_font() -> Result<(), ChartError> {
    static ONCE: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            plotters::style::register_font(FONT, style, epaint_default_fonts::UBUNTU_LIGHT)
                .map_err(|_| "the embedded font could not be loaded".to_string())?;
        }
        Ok(())
    })
    .clone()
}

/// What a chart shows.
#[derive(Clone, Copy, Debug)]
pub enum ChartKind<'a> {
    /// Theme rates.
    Themes(&'a ChartSet),
    /// Contrast balances per document.
    Contrasts(&'a ChartSet),
    /// One document's trajectory.
    Trajectory(&'a TrajectoryChart),
    /// Theme co-occurrence.
    Heatmap(&'a Heatmap),
    /// The terms behind a contrast.
    Drivers(&'a DriversChart),
    /// Contrast balances per group.
    Groups(&'a GroupChart),
    /// Theme keyness per group.
    Keyness(&'a KeynessChart),
    /// Theme rates per group.
    Rates(&'a RatesChart),
}

impl ChartKind<'_> {
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        mode: TextMode,
    ) -> Result<(), ChartError> {
        match *self {
            ChartKind::Themes(set) => draw_themes(area, set, mode),
            ChartKind::Contrasts(set) => draw_contrasts(area, set, mode),
            ChartKind::Trajectory(t) => draw_trajectory(area, t, mode),
            ChartKind::Heatmap(h) => draw_heatmap(area, h, mode),
            ChartKind::Drivers(d) => draw_drivers(area, d, mode),
            ChartKind::Groups(g) if g.timeline => timeline::draw(area, g, mode),
            ChartKind::Groups(g) => {
                let mut title = format!(
                    "Contrasts by {}: balance per group with its 95 % interval (grey: from fewer than {FEW_CLUSTERS} clusters with hits)",
                    g.spec
                );
                if g.left_out > 0 {
                    title = format!(
                        "Contrasts by {}: the {} largest groups ({} more in group_contrasts.csv), balance with its 95 % interval",
                        g.spec,
                        g.panels.first().map_or(0, |p| p.bars.len()),
                        g.left_out
                    );
                }
                draw_balance_panels(area, &title, &g.panels, mode)
            }
            ChartKind::Keyness(k) => {
                let mut title = format!(
                    "Keyness by {}: each theme's log2 ratio, group against the rest, 95 % intervals (grey: fewer than {FEW_CLUSTERS} clusters)",
                    k.spec
                );
                if k.left_out > 0 {
                    title = format!(
                        "Keyness by {}: the {} largest groups ({} more in keyness.csv), log2 ratio against the rest with its 95 % interval",
                        k.spec,
                        k.panels.len(),
                        k.left_out
                    );
                }
                let panels: Vec<(String, &[ContrastBar])> = (k.panels.iter())
                    .map(|(g, bars)| (g.clone(), &bars[..]))
                    .collect();
                let layout = PanelLayout {
                    columns: KEYNESS_COLUMNS.min(panels.len()),
                    range: (-k.range, k.range),
                    x_desc: "log2 ratio to the rest",
                };
                let title = with_cut_note(title, &panels, layout.range);
                draw_interval_panels(area, &title, &panels, &layout, mode)
            }
            ChartKind::Rates(r) => {
                let mut title = format!(
                    "Rates by {}: each theme's hits per 1,000 tokens per group, 95 % intervals (grey: fewer than {FEW_CLUSTERS} clusters)",
                    r.spec
                );
                if r.left_out > 0 {
                    title = format!(
                        "Rates by {}: the {} largest groups ({} more in groups.csv), hits per 1,000 tokens with 95 % intervals",
                        r.spec,
                        r.panels.first().map_or(0, |p| p.1.len()),
                        r.left_out
                    );
                }
                let panels: Vec<(String, &[ContrastBar])> = (r.panels.iter())
                    .map(|(t, bars)| (t.clone(), &bars[..]))
                    .collect();
                let layout = PanelLayout {
                    columns: KEYNESS_COLUMNS.min(panels.len()),
                    range: (0.0, r.top),
                    x_desc: "hits per 1,000 tokens",
                };
                let title = with_cut_note(title, &panels, layout.range);
                draw_interval_panels(area, &title, &panels, &layout, mode)
            }
        }
    }
}

/// A chart to draw: file name, size, a caption for the report, and what it shows.
#[derive(Clone, Debug)]
pub struct PlannedChart<'a> {
    /// File name without extension, inside `charts/`.
    pub file: String,
    /// Height in pixels (the width is [`WIDTH`]).
    pub height: u32,
    /// A one-line caption for the report; a trajectory's document follows it
    /// ([`PlannedChart::document`]), so that the report can isolate the id.
    pub caption: String,
    /// What it shows.
    pub kind: ChartKind<'a>,
}

impl PlannedChart<'_> {
    /// The document the chart is about: a trajectory's.
    pub fn document(&self) -> Option<&str> {
        match self.kind {
            ChartKind::Trajectory(t) => Some(&t.document),
            _ => None,
        }
    }
}

/// Every chart of `set`, in the order the report shows them. Charts that would be empty by
/// construction (contrasts and drivers without contrasts) are left out.
pub fn plan(set: &ChartSet) -> Vec<PlannedChart<'_>> {
    let mut out = vec![PlannedChart {
        file: "themes".to_string(),
        height: MIN_HEIGHT.max(220 + 44 * set.themes.len() as u32),
        caption: "Theme rates over the corpus".to_string(),
        kind: ChartKind::Themes(set),
    }];
    if let Some(first) = set.contrasts.first() {
        out.push(PlannedChart {
            file: "contrasts".to_string(),
            height: MIN_HEIGHT.max(260 + 26 * first.bars.len() as u32),
            caption: "Contrast balances per document".to_string(),
            kind: ChartKind::Contrasts(set),
        });
    }
    out.extend(set.drivers.iter().map(|d| PlannedChart {
        file: format!("drivers-{}", d.contrast),
        height: MIN_HEIGHT.max(240 + 34 * d.terms.len() as u32),
        caption: format!("The terms behind {} vs {}", d.left, d.right),
        kind: ChartKind::Drivers(d),
    }));
    out.push(PlannedChart {
        file: "cooccurrence".to_string(),
        height: MIN_HEIGHT.max(420 + 56 * set.heatmap.labels.len() as u32),
        caption: "Theme co-occurrence within sentences".to_string(),
        kind: ChartKind::Heatmap(&set.heatmap),
    });
    out.extend(set.groups.iter().map(|g| PlannedChart {
        file: g.file.clone(),
        height: match g.timeline {
            true => {
                MIN_HEIGHT.max(120 + timeline::LEGEND + timeline::PANEL * g.panels.len() as u32)
            }
            false => MIN_HEIGHT.max(260 + 26 * g.panels.first().map_or(0, |p| p.bars.len()) as u32),
        },
        caption: format!("Contrasts by {}", g.spec),
        kind: ChartKind::Groups(g),
    }));
    out.extend(set.rates.iter().filter(|r| !r.panels.is_empty()).map(|r| {
        let columns = KEYNESS_COLUMNS.min(r.panels.len());
        let grid_rows = r.panels.len().div_ceil(columns) as u32;
        let groups = r.panels.first().map_or(0, |p| p.1.len()) as u32;
        PlannedChart {
            file: r.file.clone(),
            height: MIN_HEIGHT.max(120 + grid_rows * (170 + 26 * groups)),
            caption: format!("Rates by {}", r.spec),
            kind: ChartKind::Rates(r),
        }
    }));
    out.extend(
        set.keyness
            .iter()
            .filter(|k| !k.panels.is_empty())
            .map(|k| {
                let columns = KEYNESS_COLUMNS.min(k.panels.len());
                let grid_rows = k.panels.len().div_ceil(columns) as u32;
                let themes = k.panels.first().map_or(0, |p| p.1.len()) as u32;
                PlannedChart {
                    file: k.file.clone(),
                    height: MIN_HEIGHT.max(120 + grid_rows * (170 + 26 * themes)),
                    caption: format!("Keyness by {}", k.spec),
                    kind: ChartKind::Keyness(k),
                }
            }),
    );
    out.extend(set.trajectories.iter().map(|t| PlannedChart {
        file: t.file.clone(),
        height: MIN_HEIGHT.max(180 + TRAJECTORY_LEGEND + 320 * t.panels.len() as u32),
        caption: "Trajectory of".to_string(),
        kind: ChartKind::Trajectory(t),
    }));
    out
}

/// Draws `chart` into an SVG string and, when `png` is given, as a PNG image into it (the
/// file's bytes). Nothing here writes a file: the caller does, and names the file when the
/// disk refuses it.
pub fn render(
    chart: &PlannedChart<'_>,
    svg: &mut String,
    png: Option<&mut Vec<u8>>,
) -> Result<(), ChartError> {
    register_font()?;
    {
        let area = SVGBackend::with_string(svg, (WIDTH, chart.height)).into_drawing_area();
        area.fill(&WHITE).map_err(err)?;
        chart.kind.draw(&area, TextMode::Strings)?;
        area.present().map_err(err)?;
    }
    if let Some(png) = png {
        let mut pixels = vec![0u8; WIDTH as usize * chart.height as usize * 3];
        {
            let area = BitMapBackend::<RGBPixel>::with_buffer_and_format(
                &mut pixels,
                (WIDTH, chart.height),
            )
            .map_err(err)?
            .into_drawing_area();
            area.fill(&WHITE).map_err(err)?;
            chart.kind.draw(&area, TextMode::Glyphs)?;
            area.present().map_err(err)?;
        }
        encode_png(&pixels, chart.height, png).map_err(|e| format!("encoding the PNG: {e}"))?;
    }
    Ok(())
}

/// Encodes RGB `pixels` ([`WIDTH`] × `height`) as PNG into `out`, as plotters' own PNG files
/// are (the `image` crate's defaults: fast compression, adaptive filters), byte for byte.
fn encode_png(pixels: &[u8], height: u32, out: &mut Vec<u8>) -> Result<(), png::EncodingError> {
    let mut encoder = png::Encoder::new(out, WIDTH, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    encoder.set_filter(png::FilterType::Sub);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()
}

/// Which way a numeric axis runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Side {
    /// Horizontal, labels below the plot.
    X,
    /// Vertical, labels left of the plot.
    Y,
}

impl ChartKind<'_> {
    /// The chart's numeric axes with the ticks they are drawn with (a trajectory's axes are
    /// those of each of its panels). Category axes (themes, documents, terms, the heatmap's
    /// rows and columns) are left out: their labels are the names themselves.
    pub fn axes(&self) -> Vec<(Side, Axis)> {
        match *self {
            ChartKind::Themes(set) => vec![(Side::X, themes_axis(set).1)],
            ChartKind::Contrasts(set) => vec![(Side::X, contrasts_axis(set.contrasts.len()))],
            ChartKind::Trajectory(_) => {
                let [x, y] = trajectory_axes();
                vec![(Side::X, x), (Side::Y, y)]
            }
            ChartKind::Heatmap(_) => Vec::new(),
            ChartKind::Drivers(d) => vec![(Side::X, drivers_axis(d).1)],
            ChartKind::Groups(g) if g.timeline => vec![(Side::Y, timeline::balance_axis())],
            ChartKind::Groups(g) => vec![(Side::X, contrasts_axis(g.panels.len()))],
            ChartKind::Rates(r) => vec![(
                Side::X,
                interval_axis(KEYNESS_COLUMNS.min(r.panels.len()), (0.0, r.top)),
            )],
            ChartKind::Keyness(k) => vec![(
                Side::X,
                interval_axis(KEYNESS_COLUMNS.min(k.panels.len()), (-k.range, k.range)),
            )],
        }
    }
}

/// Labels a horizontal axis has room for: one per `px` pixels of its plot width.
fn labels_that_fit(plot_width: u32, px: u32) -> usize {
    ((plot_width / px) as usize).clamp(3, 11)
}

/// The themes chart's rate axis: from 0 to a little past the largest rate.
fn themes_axis(set: &ChartSet) -> (Range<f64>, Axis) {
    let max = set
        .themes
        .iter()
        .map(|b| b.per_1k)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.15;
    // 1600 px less the margins and the 320 px of theme names.
    let axis = Axis::new(
        0.0,
        max,
        labels_that_fit(1220, 90),
        false,
        LabelStyle::Plain,
    );
    (0.0..max, axis)
}

/// Width of the document names left of each contrast panel.
fn contrast_label_area(contrasts: usize) -> u32 {
    if contrasts > 2 {
        200
    } else {
        280
    }
}

/// The balance axis of each contrast panel, with as many labels as the panel's width holds.
fn contrasts_axis(contrasts: usize) -> Axis {
    interval_axis(contrasts, (-1.0, 1.0))
}

/// The axis of each panel of a grid of `columns`, over `range`.
fn interval_axis(columns: usize, range: (f64, f64)) -> Axis {
    let panel = WIDTH / columns.max(1) as u32;
    let plot = panel.saturating_sub(contrast_label_area(columns) + 28);
    Axis::new(
        range.0,
        range.1,
        labels_that_fit(plot, 55),
        false,
        LabelStyle::Plain,
    )
}

/// A trajectory panel's axes: position (0–100 %) and balance (−1 to +1).
fn trajectory_axes() -> [Axis; 2] {
    [
        Axis::new(0.0, 100.0, 11, true, LabelStyle::Percent),
        Axis::new(-1.0, 1.0, 5, false, LabelStyle::Signed),
    ]
}

/// The drivers chart's axis: weighted hits both ways from 0, whole numbers unless some term's
/// weighted hits are not.
fn drivers_axis(d: &DriversChart) -> (Range<f64>, Axis) {
    let max = d
        .terms
        .iter()
        .map(|t| t.weight)
        .fold(0.0, f64::max)
        .max(1.0)
        * 1.25;
    let whole = d.terms.iter().all(|t| t.weight.fract() == 0.0);
    let axis = Axis::new(
        -max,
        max,
        labels_that_fit(1250, 80),
        whole,
        LabelStyle::Magnitude,
    );
    (-max..max, axis)
}

/// A weighted hit count as it reads: whole numbers bare, otherwise the fixed-point weight's
/// decimals that are not zero (`2.5`, not `2` or `2.5000`).
fn weight_label(w: f64) -> String {
    let text = format!("{w:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

/// A rate per 1,000 tokens with two significant decimals below 10 (0.06 and 0.11 read
/// apart, where one decimal showed both as 0.1), one from 10 up.
fn rate_label(v: f64) -> String {
    // 9.995 and up would print as 10.00.
    if v < 9.995 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

fn title_style(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&INK)
}

/// Text of `size` in `colour`, anchored as `h` and `v`.
fn note(size: u32, colour: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FONT, size).into_font().color(colour).pos(Pos::new(h, v))
}

/// A category axis of rows.
type Rows = SegmentedCoord<RangedCoordusize>;

/// The pixel of `area` at chart coordinates `at`.
fn pixel<DB: DrawingBackend, X: Ranged, Y: Ranged>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>,
    at: &(X::ValueType, Y::ValueType),
) -> (i32, i32) {
    let (bx, by) = area.get_base_pixel();
    let (x, y) = chart.backend_coord(at);
    (x - bx, y - by)
}

/// Labels of rows, the first at the top: each at its row's centre.
fn row_labels<DB: DrawingBackend, X: Ranged>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<X, Rows>>,
    x: X::ValueType,
    labels: &[String],
) -> Vec<(i32, String)>
where
    X::ValueType: Clone,
{
    let n = labels.len();
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let at = (x.clone(), SegmentValue::CenterOf(n - 1 - i));
            (pixel(area, chart, &at).1, label.clone())
        })
        .collect()
}

/// The labels of a numeric x axis, each at its tick.
fn x_tick_labels<DB: DrawingBackend, Y: Ranged>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<TickedRange, Y>>,
    axis: &Axis,
    y: Y::ValueType,
) -> Vec<(i32, String)>
where
    Y::ValueType: Clone,
{
    (axis.labels().into_iter())
        .map(|(v, label)| (pixel(area, chart, &(v, y.clone())).0, label))
        .collect()
}

fn draw_themes<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    set: &ChartSet,
    mode: TextMode,
) -> Result<(), ChartError> {
    let n = set.themes.len().max(1);
    let (range, axis) = themes_axis(set);
    let max = range.end;
    let title = format!(
        "Themes across the corpus: hits per 1,000 tokens ({} {}, {} tokens)",
        thousands(set.documents),
        if set.documents == 1 {
            "document"
        } else {
            "documents"
        },
        thousands(set.tokens)
    );
    let labels: Vec<String> = set.themes.iter().map(|b| b.label.clone()).collect();
    let area = titled(&area.margin(30, 30, 30, 30), mode, &title, &title_style(34))?;
    let (x_area, y_area) = (70, 320);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(axis.range(range), rows(n))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .label_style(hidden(22))
        .set_all_tick_mark_size(TICK)
        .draw()
        .map_err(err)?;
    AxisLabels {
        x: x_tick_labels(&area, &chart, &axis, SegmentValue::Exact(0)),
        y: row_labels(&area, &chart, 0.0, &labels),
        x_desc: Some("Hits per 1,000 tokens".to_string()),
        y_desc: None,
        style: title_style(22),
        desc_style: title_style(24),
    }
    .draw(&area, mode, PlotBox::of(&area, &chart), x_area, y_area)?;
    // The largest bar at the top: row i from the top sits at segment n - 1 - i.
    chart
        .draw_series(set.themes.iter().enumerate().map(|(i, b)| {
            let y = n - 1 - i;
            let mut r = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(y)),
                    (b.per_1k, SegmentValue::Exact(y + 1)),
                ],
                THEME.filled(),
            );
            r.set_margin(6, 6, 0, 0);
            r
        }))
        .map_err(err)?;
    let value_style = note(20, &INK, HPos::Left, VPos::Center);
    for (i, b) in set.themes.iter().enumerate() {
        let at = (b.per_1k + max * 0.01, SegmentValue::CenterOf(n - 1 - i));
        draw_text(
            &area,
            mode,
            &format!("{}  ({} hits)", rate_label(b.per_1k), thousands(b.hits)),
            pixel(&area, &chart, &at),
            &value_style,
        )?;
    }
    Ok(())
}

fn draw_contrasts<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    set: &ChartSet,
    mode: TextMode,
) -> Result<(), ChartError> {
    let mut title =
        "Contrasts: balance per document with its 95 % interval (corpus first)".to_string();
    if set.pooled_documents > 0 {
        title = format!(
            "Contrasts: the {CONTRAST_DOCS} largest documents with 95 % intervals; {} smaller documents pooled in the last bar",
            set.pooled_documents
        );
    }
    draw_balance_panels(area, &title, &set.contrasts, mode)
}

/// Draws `panels` side by side under `title`: per contrast, a diverging bar per row with its
/// 95 % interval.
fn draw_balance_panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    contrasts: &[ContrastPanel],
    mode: TextMode,
) -> Result<(), ChartError> {
    let panels: Vec<(String, &[ContrastBar])> = (contrasts.iter())
        .map(|p| {
            (
                format!("{} (left) vs {} (right)", p.left, p.right),
                &p.bars[..],
            )
        })
        .collect();
    let layout = PanelLayout {
        columns: contrasts.len(),
        range: (-1.0, 1.0),
        x_desc: "Balance (-1 all left, +1 all right)",
    };
    draw_interval_panels(area, title, &panels, &layout, mode)
}

/// A panel's bars.
struct PanelBars<'b> {
    bars: &'b [ContrastBar],
}

/// How [`draw_interval_panels`] lays its panels out: in rows of `columns`, each over
/// `range`, its axis described by `x_desc`.
struct PanelLayout {
    columns: usize,
    range: (f64, f64),
    x_desc: &'static str,
}

/// An interval's whisker on an axis over `range`: the part of the interval on the axis, and
/// which ends run past it (drawn as arrows at the axis end, not as caps).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Whisker {
    from: f64,
    to: f64,
    cut_low: bool,
    cut_high: bool,
}

impl Whisker {
    fn of((lo, hi): (f64, f64), (min, max): (f64, f64)) -> Whisker {
        Whisker {
            from: lo.clamp(min, max),
            to: hi.clamp(min, max),
            cut_low: lo < min,
            cut_high: hi > max,
        }
    }
}

/// Whether some bar's interval runs past an axis over `range` (the chart's title then says what
/// its arrows mean).
fn any_cut<'a>(bars: impl IntoIterator<Item = &'a ContrastBar>, range: (f64, f64)) -> bool {
    (bars.into_iter().filter_map(|b| b.interval)).any(|i| {
        let w = Whisker::of(i, range);
        w.cut_low || w.cut_high
    })
}

/// `title`, saying what the arrows mean when some interval of `panels` runs past an axis over
/// `range`: inside its closing parenthesis, or in one of its own.
fn with_cut_note(title: String, panels: &[(String, &[ContrastBar])], range: (f64, f64)) -> String {
    const NOTE: &str = "arrows: past the axis";
    if !any_cut(panels.iter().flat_map(|p| p.1.iter()), range) {
        return title;
    }
    match title.strip_suffix(')') {
        Some(open) => format!("{open}; {NOTE})"),
        None => format!("{title} ({NOTE})"),
    }
}

/// Draws `panels` (each a title and its bars) in a grid under `title`: a diverging bar per row
/// with its 95 % interval (grey when from few clusters; an arrow at the axis end where it runs
/// past it).
fn draw_interval_panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    panels_data: &[(String, &[ContrastBar])],
    layout: &PanelLayout,
    mode: TextMode,
) -> Result<(), ChartError> {
    let area = titled(&area.margin(16, 0, 0, 0), mode, title, &title_style(28))?;
    let columns = layout.columns.max(1);
    let grid_rows = panels_data.len().div_ceil(columns).max(1);
    let panels = area.split_evenly((grid_rows, columns));
    let axis = interval_axis(columns, layout.range);
    let (lo, hi) = layout.range;
    for (panel, (panel_title, bars)) in panels.iter().zip(panels_data) {
        let data = PanelBars { bars };
        let n = data.bars.len();
        // Document ids: each isolated, so that one right-to-left id cannot turn another.
        let labels: Vec<String> = (data.bars.iter())
            .map(|b| isolate(&shorten(&b.label, 34)))
            .collect();
        let panel = titled(
            &panel.margin(14, 14, 14, 14),
            mode,
            panel_title,
            &title_style(22),
        )?;
        let (x_area, y_area) = (70, contrast_label_area(columns));
        let mut chart = ChartBuilder::on(&panel)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(axis.range(lo..hi), rows(n))
            .map_err(err)?;
        let label_size = if n > 30 { 15 } else { 18 };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .label_style(hidden(label_size))
            .set_all_tick_mark_size(TICK)
            .draw()
            .map_err(err)?;
        AxisLabels {
            x: x_tick_labels(&panel, &chart, &axis, SegmentValue::Exact(0)),
            y: row_labels(&panel, &chart, 0.0, &labels),
            x_desc: Some(layout.x_desc.to_string()),
            y_desc: None,
            style: title_style(label_size),
            desc_style: title_style(18),
        }
        .draw(
            &panel,
            mode,
            PlotBox::of(&panel, &chart),
            x_area,
            y_area as i32,
        )?;
        // Bars at most 34 px thick, however few the documents.
        let row_px = chart.plotting_area().dim_in_pixel().1 / n.max(1) as u32;
        let pad = (row_px.saturating_sub(34) / 2).max(3);
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(n))],
                INK.stroke_width(2),
            )))
            .map_err(err)?;
        chart
            .draw_series(data.bars.iter().enumerate().filter_map(|(i, b)| {
                let y = n - 1 - i;
                let v = b.balance?;
                let colour = if v < 0.0 { LEFT } else { RIGHT };
                let mut r = Rectangle::new(
                    [
                        (0.0, SegmentValue::Exact(y)),
                        (v, SegmentValue::Exact(y + 1)),
                    ],
                    colour.filled(),
                );
                r.set_margin(pad, pad, 0, 0);
                Some(r)
            }))
            .map_err(err)?;
        let whiskers = (data.bars.iter().enumerate())
            .filter_map(|(i, b)| Some((n - 1 - i, b, Whisker::of(b.interval?, layout.range))));
        for (y, b, w) in whiskers {
            let ink = if b.few_clusters { UNCERTAIN } else { INK };
            let centre = SegmentValue::CenterOf(y);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(w.from, centre.clone()), (w.to, centre.clone())],
                    ink.stroke_width(2),
                )))
                .map_err(err)?;
            for (x, cut, direction) in [(w.from, w.cut_low, -1), (w.to, w.cut_high, 1)] {
                if cut {
                    // An arrowhead, its tip at the axis end (the plot's edge: past it the
                    // panel ends), pointing on: the interval runs past the axis.
                    let (px, py) = pixel(&panel, &chart, &(x, centre.clone()));
                    let back = px - 10 * direction;
                    let tip = [(back, py - 7), (px, py), (back, py + 7)];
                    (panel.draw(&Polygon::new(tip.to_vec(), ink.filled()))).map_err(err)?;
                    continue;
                }
                let mut cap = Rectangle::new(
                    [(x, SegmentValue::Exact(y)), (x, SegmentValue::Exact(y + 1))],
                    ink.stroke_width(2),
                );
                cap.set_margin(pad + 4, pad + 4, 0, 0);
                chart.draw_series(std::iter::once(cap)).map_err(err)?;
            }
        }
        let none_style = note(15, &GREY, HPos::Left, VPos::Center);
        for (i, _) in data
            .bars
            .iter()
            .enumerate()
            .filter(|(_, b)| b.balance.is_none())
        {
            let at = (0.02, SegmentValue::CenterOf(n - 1 - i));
            draw_text(
                &panel,
                mode,
                "no hits",
                pixel(&panel, &chart, &at),
                &none_style,
            )?;
        }
    }
    Ok(())
}

/// The smoothed line's stretches in a run of points that all have a smoothed balance, each
/// drawn alike: (firm, its points). A step between two points is firm when both windows hold
/// at least [`MIN_WINDOW_HITS`] hits; consecutive stretches share their end point, so the line
/// stays whole. A run of one point is one stretch of one point.
fn line_stretches(run: &[TrajectoryPoint]) -> Vec<(bool, Vec<(f64, f64)>)> {
    let at = |p: &TrajectoryPoint| (p.position, p.smoothed.unwrap_or(0.0));
    let firm = |p: &TrajectoryPoint| p.window_hits >= MIN_WINDOW_HITS;
    let mut stretches: Vec<(bool, Vec<(f64, f64)>)> = Vec::new();
    if let [only] = run {
        stretches.push((firm(only), vec![at(only)]));
    }
    for step in run.windows(2) {
        let kind = firm(&step[0]) && firm(&step[1]);
        match stretches.last_mut() {
            Some((k, points)) if *k == kind => points.push(at(&step[1])),
            _ => stretches.push((kind, vec![at(&step[0]), at(&step[1])])),
        }
    }
    stretches
}

/// A legend entry's mark.
#[derive(Clone, Copy)]
enum Swatch {
    /// Two small bars, one each side of 0.
    Bars,
    /// A line in `colour`, `width` pixels thick.
    Line(RGBColor, u32),
    /// A shaded band.
    Band,
    /// A dot in `colour`.
    Dot(RGBColor),
}

/// What a chart's marks mean: columns of at most two entries, centred on `area`. Columns
/// leave room for an SVG viewer's font to run wider than the embedded one.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mode: TextMode,
    columns: &[&[(Swatch, &str)]],
) -> Result<(), ChartError> {
    let style = note(18, &INK, HPos::Left, VPos::Center);
    let (swatch, gap, between, row) = (34, 10, 90, 26);
    let width = |text: &str| {
        area.estimate_text_size(text, &style)
            .map(|(w, _)| w as i32)
            .map_err(err)
    };
    let mut widths = Vec::new();
    for column in columns {
        let mut widest = 0;
        for (_, text) in column.iter() {
            widest = widest.max(width(text)?);
        }
        widths.push(widest + swatch + gap);
    }
    let total = widths.iter().sum::<i32>() + between * (columns.len() as i32 - 1).max(0);
    let (w, h) = area.dim_in_pixel();
    let top = (h as i32 - row) / 2;
    let mut x = (w as i32 - total).max(0) / 2;
    for (c, column) in columns.iter().enumerate() {
        for (r, (mark, text)) in column.iter().enumerate() {
            let y = top + r as i32 * row;
            let element: DynElement<'_, DB, (i32, i32)> = match *mark {
                Swatch::Bars => {
                    area.draw(&Rectangle::new(
                        [(x + 4, y - 10), (x + 15, y)],
                        RIGHT.mix(0.55).filled(),
                    ))
                    .map_err(err)?;
                    Rectangle::new([(x + 19, y), (x + 30, y + 8)], LEFT.mix(0.55).filled())
                        .into_dyn()
                }
                Swatch::Line(colour, width) => {
                    PathElement::new(vec![(x, y), (x + swatch, y)], colour.stroke_width(width))
                        .into_dyn()
                }
                Swatch::Band => {
                    Rectangle::new([(x, y - 9), (x + swatch, y + 9)], BAND.filled()).into_dyn()
                }
                Swatch::Dot(colour) => {
                    Circle::new((x + swatch / 2, y), 5, colour.filled()).into_dyn()
                }
            };
            area.draw(&element).map_err(err)?;
            draw_text(area, mode, text, (x + swatch + gap, y), &style)?;
        }
        x += widths[c] + between;
    }
    Ok(())
}

/// What a trajectory's marks mean.
fn draw_trajectory_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mode: TextMode,
) -> Result<(), ChartError> {
    let few = format!("grey: fewer than {MIN_WINDOW_HITS} hits in the window");
    draw_legend(
        area,
        mode,
        &[
            &[
                (Swatch::Bars, "segment balance (bars)"),
                (
                    Swatch::Line(INK, 3),
                    "smoothed: balance over a centred window of segments",
                ),
            ],
            &[
                (
                    Swatch::Band,
                    "shaded: 95 % interval of the smoothed balance",
                ),
                (Swatch::Line(WEAK, 2), few.as_str()),
            ],
        ],
    )
}

/// A panel of a chart of stacked contrasts, titled with the contrast's poles (the left one
/// below 0, the right one above).
fn poles_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    mode: TextMode,
    left: &str,
    right: &str,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let title = format!("{left} (below 0) vs {right} (above 0)");
    titled(
        &panel.margin(12, 12, 12, 40),
        mode,
        &title,
        &title_style(22),
    )
}

fn draw_trajectory<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &TrajectoryChart,
    mode: TextMode,
) -> Result<(), ChartError> {
    let title = format!(
        "How the balance moves through {}",
        isolate(&shorten(&t.document, 70))
    );
    let area = titled(&area.margin(16, 0, 0, 0), mode, &title, &title_style(28))?;
    let (legend, area) = area.split_vertically(TRAJECTORY_LEGEND);
    draw_trajectory_legend(&legend, mode)?;
    let panels = area.split_evenly((t.panels.len().max(1), 1));
    let [x_axis, y_axis] = trajectory_axes();
    for (panel, data) in panels.iter().zip(&t.panels) {
        let panel = poles_panel(panel, mode, &data.left, &data.right)?;
        let (x_area, y_area) = (60, 80);
        let mut chart = ChartBuilder::on(&panel)
            .x_label_area_size(x_area)
            .y_label_area_size(y_area)
            .build_cartesian_2d(x_axis.range(0.0..100.0), y_axis.range(-1.05..1.05))
            .map_err(err)?;
        chart
            .configure_mesh()
            .label_style(hidden(18))
            .set_all_tick_mark_size(TICK)
            .light_line_style(LIGHT)
            .draw()
            .map_err(err)?;
        AxisLabels {
            x: x_tick_labels(&panel, &chart, &x_axis, 0.0),
            y: (y_axis.labels().into_iter())
                .map(|(v, label)| (pixel(&panel, &chart, &(0.0, v)).1, label))
                .collect(),
            x_desc: Some("Position in the text (% of tokens)".to_string()),
            y_desc: Some("Balance".to_string()),
            style: title_style(18),
            desc_style: title_style(18),
        }
        .draw(&panel, mode, PlotBox::of(&panel, &chart), x_area, y_area)?;
        // The interval first, under everything; it breaks where the window holds no hit.
        for run in data
            .points
            .split(|p| p.interval.is_none())
            .filter(|r| !r.is_empty())
        {
            let band: Vec<(f64, f64)> = (run.iter())
                .filter_map(|p| p.interval.map(|i| (p.position, i.1)))
                .chain((run.iter().rev()).filter_map(|p| p.interval.map(|i| (p.position, i.0))))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, BAND.filled())))
                .map_err(err)?;
        }
        let n = data.points.len().max(1) as f64;
        let half = (100.0 / n * 0.4).max(0.05);
        chart
            .draw_series(data.points.iter().filter_map(|p| {
                let b = p.balance?;
                let colour = if b < 0.0 { LEFT } else { RIGHT };
                Some(Rectangle::new(
                    [(p.position - half, 0.0), (p.position + half, b)],
                    colour.mix(0.55).filled(),
                ))
            }))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), (100.0, 0.0)],
                GREY.stroke_width(1),
            )))
            .map_err(err)?;
        // The smoothed line breaks where the window holds no hit, rather than bridging the
        // gap; it is grey where the window holds few hits.
        for run in data
            .points
            .split(|p| p.smoothed.is_none())
            .filter(|r| !r.is_empty())
        {
            for (firm, points) in line_stretches(run) {
                let (colour, width) = if firm { (INK, 3) } else { (WEAK, 2) };
                if let [only] = points[..] {
                    chart
                        .draw_series(std::iter::once(Circle::new(only, 3, colour.filled())))
                        .map_err(err)?;
                } else {
                    chart
                        .draw_series(LineSeries::new(points, colour.stroke_width(width)))
                        .map_err(err)?;
                }
            }
        }
        if data.points.iter().all(|p| p.balance.is_none()) {
            draw_text(
                &panel,
                mode,
                "no hits of either pole",
                pixel(&panel, &chart, &(50.0, 0.5)),
                &note(22, &GREY, HPos::Center, VPos::Center),
            )?;
        }
    }
    Ok(())
}

/// A diverging colour for a value in [−1, 1]: vermillion below 0, white at 0, blue above.
fn diverging(v: f64) -> RGBColor {
    let v = v.clamp(-1.0, 1.0);
    let (end, t) = if v < 0.0 { (LEFT, -v) } else { (RIGHT, v) };
    let mix = |c: u8| (255.0 + (f64::from(c) - 255.0) * t).round() as u8;
    RGBColor(mix(end.0), mix(end.1), mix(end.2))
}

fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    h: &Heatmap,
    mode: TextMode,
) -> Result<(), ChartError> {
    let area = titled(
        &area.margin(16, 0, 0, 0),
        mode,
        "Which themes meet in the same sentences: normalised PMI (-1 never together, 0 independent, +1 always together)",
        &title_style(26),
    )?;
    let (main, legend) = area.split_horizontally(WIDTH as i32 - 300);
    let main = main.margin(20, 20, 20, 20);
    let n = h.labels.len().max(1);
    // Rows carry numbered labels; columns the numbers alone, so nothing needs rotating.
    let labels: Vec<String> = h
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{} {}", shorten(l, 26), i + 1))
        .collect();
    let (x_area, y_area) = (60, 300);
    let mut chart = ChartBuilder::on(&main)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(rows(n), rows(n))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(n)
        .y_labels(n)
        .label_style(hidden(20))
        .set_all_tick_mark_size(TICK)
        .draw()
        .map_err(err)?;
    AxisLabels {
        x: (0..h.labels.len())
            .map(|b| {
                let at = (SegmentValue::CenterOf(b), SegmentValue::CenterOf(0));
                (pixel(&main, &chart, &at).0, (b + 1).to_string())
            })
            .collect(),
        y: row_labels(&main, &chart, SegmentValue::CenterOf(0), &labels),
        x_desc: None,
        y_desc: None,
        style: title_style(20),
        desc_style: title_style(20),
    }
    .draw(&main, mode, PlotBox::of(&main, &chart), x_area, y_area)?;
    let cells = h.cells.iter().enumerate().flat_map(|(a, row)| {
        row.iter().enumerate().map(move |(b, cell)| {
            let y = n - 1 - a;
            let colour = match cell {
                None => WHITE,
                Some(HeatCell { npmi: None, .. }) => LIGHT,
                Some(HeatCell { both, .. }) if *both < MIN_PAIR_SENTENCES => GREY,
                Some(HeatCell { npmi: Some(v), .. }) => diverging(*v),
            };
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(b), SegmentValue::Exact(y)),
                    (SegmentValue::Exact(b + 1), SegmentValue::Exact(y + 1)),
                ],
                colour.filled(),
            );
            r.set_margin(1, 1, 1, 1);
            r
        })
    });
    chart.draw_series(cells).map_err(err)?;
    if n <= 20 {
        for (a, row) in h.cells.iter().enumerate() {
            for (b, cell) in row.iter().enumerate() {
                let Some(HeatCell {
                    npmi: Some(v),
                    both,
                }) = cell
                else {
                    continue;
                };
                if *both < MIN_PAIR_SENTENCES {
                    continue;
                }
                let colour = if v.abs() > 0.6 { WHITE } else { INK };
                let at = (SegmentValue::CenterOf(b), SegmentValue::CenterOf(n - 1 - a));
                draw_text(
                    &main,
                    mode,
                    &format!("{v:+.2}"),
                    pixel(&main, &chart, &at),
                    &note(16, &colour, HPos::Center, VPos::Center),
                )?;
            }
        }
    }

    // The colour scale, with the greyed and the undefined cells explained.
    let steps = 40;
    let (top, bottom) = (120, 620);
    let step_h = (bottom - top) / steps;
    for s in 0..steps {
        let v = 1.0 - 2.0 * (s as f64 + 0.5) / steps as f64;
        let y0 = top + s * step_h;
        legend
            .draw(&Rectangle::new(
                [(40, y0), (80, y0 + step_h)],
                diverging(v).filled(),
            ))
            .map_err(err)?;
    }
    let label = note(18, &INK, HPos::Left, VPos::Center);
    for (v, text) in [
        (1.0, "+1 always together"),
        (0.0, "0 independent"),
        (-1.0, "-1 never together"),
    ] {
        let y = top + ((1.0 - v) / 2.0 * f64::from(bottom - top)) as i32;
        draw_text(&legend, mode, text, (88, y), &label)?;
    }
    draw_text(
        &legend,
        mode,
        "NPMI",
        (40, top - 40),
        &note(20, &INK, HPos::Left, VPos::Top),
    )?;
    legend
        .draw(&Rectangle::new(
            [(40, bottom + 40), (80, bottom + 70)],
            GREY.filled(),
        ))
        .map_err(err)?;
    draw_text(
        &legend,
        mode,
        &format!("< {MIN_PAIR_SENTENCES} sentences"),
        (88, bottom + 55),
        &label,
    )?;
    legend
        .draw(&Rectangle::new(
            [(40, bottom + 90), (80, bottom + 120)],
            LIGHT.filled(),
        ))
        .map_err(err)?;
    draw_text(&legend, mode, "no hits", (88, bottom + 105), &label)?;
    Ok(())
}

fn draw_drivers<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    d: &DriversChart,
    mode: TextMode,
) -> Result<(), ChartError> {
    let title = format!(
        "Why {} vs {} is where it is: the terms behind each pole (weighted hits, negated ones left out)",
        d.left, d.right
    );
    let n = d.terms.len().max(1);
    let (range, axis) = drivers_axis(d);
    let max = range.end;
    let labels: Vec<String> = d.terms.iter().map(|t| shorten(&t.term, 30)).collect();
    let area = titled(&area.margin(30, 30, 30, 30), mode, &title, &title_style(26))?;
    let (x_area, y_area) = (70, 260);
    let mut chart = ChartBuilder::on(&area)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(axis.range(range), rows(n))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .label_style(hidden(20))
        .set_all_tick_mark_size(TICK)
        .draw()
        .map_err(err)?;
    AxisLabels {
        x: x_tick_labels(&area, &chart, &axis, SegmentValue::Exact(0)),
        y: row_labels(&area, &chart, 0.0, &labels),
        x_desc: Some(format!(
            "weighted hits: {} to the left, {} to the right",
            d.left, d.right
        )),
        y_desc: None,
        style: title_style(20),
        desc_style: title_style(22),
    }
    .draw(&area, mode, PlotBox::of(&area, &chart), x_area, y_area)?;
    chart
        .draw_series(d.terms.iter().enumerate().map(|(i, t)| {
            let (w, right) = (&t.weight, &t.right);
            let y = n - 1 - i;
            let (x, colour) = if *right { (*w, RIGHT) } else { (-*w, LEFT) };
            let mut r = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(y)),
                    (x, SegmentValue::Exact(y + 1)),
                ],
                colour.filled(),
            );
            r.set_margin(5, 5, 0, 0);
            r
        }))
        .map_err(err)?;
    for (i, t) in d.terms.iter().enumerate() {
        let (w, right) = (&t.weight, &t.right);
        let (x, pos) = if *right {
            (*w + max * 0.01, HPos::Left)
        } else {
            (-*w - max * 0.01, HPos::Right)
        };
        let at = (x, SegmentValue::CenterOf(n - 1 - i));
        draw_text(
            &area,
            mode,
            &weight_label(*w),
            pixel(&area, &chart, &at),
            &note(18, &INK, pos, VPos::Center),
        )?;
    }
    if d.terms.is_empty() {
        // In the middle of the plot (a row axis of no rows has no row centre to aim at).
        let plot = PlotBox::of(&area, &chart);
        draw_text(
            &area,
            mode,
            "no hits of either pole",
            ((plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2),
            &note(24, &GREY, HPos::Center, VPos::Center),
        )?;
    }
    Ok(())
}

/// A category axis of `n` rows (plotters' discrete ranges include their end).
fn rows(n: usize) -> Rows {
    (0..n.saturating_sub(1)).into_segmented()
}

/// `text` cut to `max` characters with `…`.
fn shorten(text: &str, max: usize) -> String {
    // Control characters would garble a label (and are not valid in SVG text).
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if clean.chars().count() <= max {
        clean
    } else {
        let cut: String = clean.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_bounded_and_unique() {
        let mut used = HashSet::new();
        let stems: Vec<String> = [
            "../../etc/passwd",
            "a/b.txt",
            "a_b.txt",
            "<script>alert(1)</script>&.txt",
            "line\nbreak\u{7}.md",
            "..",
            "",
            "함흥.txt",
            &"x".repeat(500),
        ]
        .iter()
        .map(|id| file_stem("trajectory-", id, &mut used))
        .collect();
        assert_eq!(
            &stems[..8],
            [
                "trajectory-_.._etc_passwd",
                "trajectory-a_b.txt",
                "trajectory-a_b.txt-2",
                "trajectory-_script_alert_1___script__.txt",
                "trajectory-line_break_.md",
                "trajectory-_",
                "trajectory-_-2",
                "trajectory-__.txt",
            ]
        );
        for s in &stems {
            assert!(
                s.len() <= 70
                    && !s.contains('/')
                    && !s.contains("/..")
                    && s.chars().all(|c| c.is_ascii_graphic()),
                "{s}"
            );
        }
    }

    #[test]
    fn weight_labels_show_the_decimals_they_have() {
        let labels: Vec<String> = [2.0, 2.25, 0.5, 7500.0, 0.0001, 10.1]
            .into_iter()
            .map(weight_label)
            .collect();
        assert_eq!(labels, ["2", "2.25", "0.5", "7500", "0.0001", "10.1"]);
    }

    #[test]
    fn the_smoothed_line_is_grey_where_a_step_touches_a_thin_window() {
        let point = |i: usize, window_hits: u64| TrajectoryPoint {
            position: i as f64,
            balance: None,
            smoothed: Some(i as f64 / 10.0),
            interval: None,
            window_hits,
        };
        let run: Vec<TrajectoryPoint> = [1, 5, 9, 4, 5, 6]
            .iter()
            .enumerate()
            .map(|(i, &h)| point(i, h))
            .collect();
        let stretches: Vec<(bool, Vec<f64>)> = line_stretches(&run)
            .into_iter()
            .map(|(firm, points)| (firm, points.iter().map(|p| p.0).collect()))
            .collect();
        assert_eq!(
            stretches,
            [
                (false, vec![0.0, 1.0]),
                (true, vec![1.0, 2.0]),
                (false, vec![2.0, 3.0, 4.0]),
                (true, vec![4.0, 5.0]),
            ]
        );
        assert_eq!(line_stretches(&run[2..3]), [(true, vec![(2.0, 0.2)])]);
        assert_eq!(line_stretches(&run[3..4]), [(false, vec![(3.0, 0.3)])]);
        assert!(line_stretches(&[]).is_empty());
    }

    /// The blank runs (start, length) between ink along rows `rows` of a drawing of `kind`.
    fn blank_runs(kind: ChartKind<'_>, mode: TextMode, rows: Range<usize>) -> Vec<(usize, usize)> {
        register_font().expect("the embedded font");
        let (w, h) = (WIDTH as usize, MIN_HEIGHT as usize);
        let mut buf = vec![255u8; w * h * 3];
        {
            let area =
                BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
            kind.draw(&area, mode).expect("drawn");
            area.present().expect("presented");
        }
        let ink: Vec<bool> = (0..w)
            .map(|x| rows.clone().any(|y| buf[(y * w + x) * 3] < 160))
            .collect();
        let mut runs = Vec::new();
        let first = ink.iter().position(|&i| i).unwrap_or(w);
        let mut x = first;
        while x < w {
            if ink[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < w && !ink[x] {
                x += 1;
            }
            if x < w {
                runs.push((start, x - start));
            }
        }
        runs
    }

    #[test]
    fn chart_titles_in_png_keep_their_spaces() {
        // See the review: "WhyIsolation" in the drivers chart's title.
        let d = DriversChart {
            contrast: "isolation_vs_openness".to_string(),
            left: "Isolation".to_string(),
            right: "Openness".to_string(),
            terms: vec![DriverTerm {
                term: "isolat*".to_string(),
                weight: 2.0,
                right: false,
            }],
        };
        // The title's line: 30 px of margin, 5 of padding, 21 of text.
        let ours = blank_runs(ChartKind::Drivers(&d), TextMode::Glyphs, 35..58);
        let theirs = blank_runs(ChartKind::Drivers(&d), TextMode::Strings, 35..58);
        // The word space after "Why": the widest of the blanks after W, h and y. The space
        // (5.3 px at this size) and I's bearing (2.1 px) are blank, and y's faint edge.
        let space = |runs: &[(usize, usize)]| runs.iter().take(3).map(|r| r.1).max();
        assert_eq!(space(&ours), Some(8), "{ours:?}");
        // Plotters' own bitmap text loses the bearing there (the old charts).
        assert_eq!(space(&theirs), Some(6), "{theirs:?}");
    }

    #[test]
    fn a_rate_axis_ends_a_little_above_its_largest_value() {
        let tops: Vec<f64> = [
            0.0, 0.4, 1.0, 1.3, 2.6, 9.0, 10.0, 10.1, 12.9, 20.0, 20.24, 41.0,
        ]
        .into_iter()
        .chain([99.9, 100.0, 1234.5, f64::NAN])
        .map(nice_top)
        .collect();
        let expected = [
            1.0, 1.0, 1.0, 1.5, 3.0, 10.0, 10.0, 15.0, 15.0, 20.0, 25.0, 50.0,
        ];
        assert_eq!(tops, [&expected[..], &[100.0, 100.0, 1500.0, 1.0]].concat());
        // No axis fits an infinite value; the search for a step must still end.
        assert_eq!(nice_top(f64::INFINITY), f64::MAX);
        // The bars fill at least two thirds of the axis (10.1 of 15 is the least), and the top
        // is a whole number of a step the axis labels (1, 2 or 5 × 10^k) can land on.
        for v in (1..2000).map(|k| 1.0 + f64::from(k) * 0.37) {
            let top = nice_top(v);
            assert!(top >= v && v / top > 0.66, "{v} → {top}");
        }
    }

    #[test]
    fn intervals_from_few_clusters_do_not_set_the_rate_axis() {
        // The inaugural addresses by decade: a rate of 0.2 per 1,000 tokens whose interval, from
        // two presidents, ends at 59 million; the largest rate 11.
        assert_eq!(rate_top(11.0, 58_966_351.0), 25.0);
        // Interval ends up to twice the largest rate count.
        assert_eq!(rate_top(10.09, 20.24), 25.0);
        assert_eq!(rate_top(10.0, 14.0), 15.0);
        // No hits anywhere: the axis of 0 to 1.
        assert_eq!(rate_top(0.0, 3.7), 1.0);
        // The whiskers past the axis end in arrows, and the title says what they mean.
        let range = (0.0, 25.0);
        let cut = Whisker::of((0.0, 58_966_351.0), range);
        assert_eq!(
            (cut.from, cut.to, cut.cut_low, cut.cut_high),
            (0.0, 25.0, false, true)
        );
        let whole = Whisker::of((4.0, 20.24), range);
        assert_eq!(
            (whole.from, whole.to, whole.cut_low, whole.cut_high),
            (4.0, 20.24, false, false)
        );
        let both = Whisker::of((-12.0, 11.0), (-10.0, 10.0));
        assert_eq!(
            (both.from, both.to, both.cut_low, both.cut_high),
            (-10.0, 10.0, true, true)
        );
        let bar = |interval| ContrastBar {
            label: "1800s".to_string(),
            balance: Some(0.2),
            interval: Some(interval),
            hits: 1,
            few_clusters: true,
        };
        let (short, long) = (
            [bar((0.0, 3.0))],
            [bar((0.0, 3.0)), bar((0.0, 58_966_351.0))],
        );
        let title = || "Rates by date:decade (grey: fewer than 10 clusters)".to_string();
        let panels = [("Hardship".to_string(), &short[..])];
        assert_eq!(with_cut_note(title(), &panels, range), title());
        let panels = [("Hardship".to_string(), &long[..])];
        assert_eq!(
            with_cut_note(title(), &panels, range),
            "Rates by date:decade (grey: fewer than 10 clusters; arrows: past the axis)"
        );
        assert_eq!(
            with_cut_note("Rates by party".to_string(), &panels, range),
            "Rates by party (arrows: past the axis)"
        );
    }

    #[test]
    fn rates_and_counts_read_apart() {
        let rates: Vec<String> = [0.062, 0.107, 3.333, 9.999, 10.0, 34.42]
            .into_iter()
            .map(rate_label)
            .collect();
        assert_eq!(rates, ["0.06", "0.11", "3.33", "10.0", "10.0", "34.4"]);
        let counts: Vec<String> = [0, 7, 999, 1000, 789_822, 12_345_678]
            .into_iter()
            .map(thousands)
            .collect();
        assert_eq!(counts, ["0", "7", "999", "1,000", "789,822", "12,345,678"]);
    }

    #[test]
    fn diverging_colours_meet_at_white() {
        assert_eq!(diverging(0.0), RGBColor(255, 255, 255));
        assert_eq!(diverging(-1.0), LEFT);
        assert_eq!(diverging(1.0), RIGHT);
        assert_eq!(diverging(5.0), RIGHT);
    }
}
