//! Stage score: integer counts → rates and contrast statistics (floats).
//!
//! In: [`crate::count::Counts`] and [`ContrastTally`]s. Out: [`ContrastScore`]s and rates. Every float of a
//! run is computed here, from integers, in one fixed order, so results do not depend on the
//! number of threads.
//!
//! Definitions (DESIGN.md, "Contrasts"), with L and R the weighted sums of the non-negated hits of
//! the left and right pole:
//! - `balance = (R − L) / (R + L)`, undefined when R + L = 0;
//! - `ci_low`, `ci_high`: the 95 % Wilson interval of p = R / (R + L) with n the effective number
//!   of hits (Σw)² / Σw², mapped to the balance scale as 2p − 1; for a corpus, the Poisson
//!   bootstrap over documents or clusters ([`groups::Bootstrap`]);
//! - `log_odds = ln((R + 0.5) / (L + 0.5))`;
//! - `tension` = sentences with both poles / sentences with either pole;
//! - co-occurrence: normalised PMI over sentences ([`npmi`]);
//! - trajectory: each segment's balance at its token midpoint, smoothed over a centred window
//!   of segments ([`smoothing_window`]).

pub mod groups;

use crate::count::{weight_value, ContrastTally, CorpusTotals, PoleTally};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// The statistics of one contrast over one span.
#[derive(Clone, Debug, PartialEq)]
pub struct ContrastScore {
    /// (R − L) / (R + L).
    pub balance: Option<f64>,
    /// Lower end of the 95 % interval of the balance.
    pub ci_low: Option<f64>,
    /// Upper end of the 95 % interval of the balance.
    pub ci_high: Option<f64>,
    /// ln((R + 0.5) / (L + 0.5)).
    pub log_odds: f64,
    /// Tension sentences / pole sentences.
    pub tension: Option<f64>,
}

/// The corpus score of each contrast, in lexicon order. The interval is the Poisson bootstrap
/// over clusters ([`groups::Replicates`]: documents, or the values of `--cluster-by`), since hits
/// cluster by document, unless the hits lie in one cluster only (a bootstrap would then claim
/// certainty): then the pooled Wilson interval.
pub fn corpus_scores(totals: &CorpusTotals, bootstrap: &groups::Bootstrap) -> Vec<ContrastScore> {
    (totals.counts.contrasts.iter())
        .enumerate()
        .map(|(c, tally)| {
            let mut score = score_contrast(tally);
            if bootstrap.clusters_with_hits(c) > 1 {
                let interval = bootstrap.replicates[c].interval();
                score.ci_low = interval.map(|x| x.0);
                score.ci_high = interval.map(|x| x.1);
            }
            score
        })
        .collect()
}

/// Hits per 1,000 tokens (the report's and the charts' rate); undefined for an empty span.
pub fn per_thousand(hits: u64, tokens: u64) -> Option<f64> {
    (tokens > 0).then(|| hits as f64 * 1000.0 / tokens as f64)
}

/// Hits per 100 tokens; undefined for an empty span.
pub fn pct(hits: u64, tokens: u64) -> Option<f64> {
    (tokens > 0).then(|| hits as f64 * 100.0 / tokens as f64)
}

/// The balance of two weighted sums.
pub fn balance(left: u64, right: u64) -> Option<f64> {
    let (l, r) = (left as f64, right as f64);
    (left + right > 0).then(|| (r - l) / (r + l))
}

/// The effective number of hits of two poles: (Σw)² / Σw².
fn effective_n(left: &PoleTally, right: &PoleTally) -> f64 {
    let sum = (left.weight + right.weight) as f64;
    let sq = (left.weight_sq + right.weight_sq) as f64;
    if sq == 0.0 {
        0.0
    } else {
        sum * sum / sq
    }
}

/// The 95 % Wilson score interval of a proportion `p` from `n` trials, on the balance scale.
pub fn wilson_balance(p: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 || !p.is_finite() {
        return None;
    }
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let low = (centre - half).max(0.0);
    let high = (centre + half).min(1.0);
    Some((2.0 * low - 1.0, 2.0 * high - 1.0))
}

/// Scores a contrast over one span with the Wilson interval.
pub fn score_contrast(tally: &ContrastTally) -> ContrastScore {
    let (l, r) = (tally.left.weight, tally.right.weight);
    let interval = balance(l, r).and_then(|_| {
        let p = r as f64 / (l + r) as f64;
        wilson_balance(p, effective_n(&tally.left, &tally.right))
    });
    ContrastScore {
        balance: balance(l, r),
        ci_low: interval.map(|i| i.0),
        ci_high: interval.map(|i| i.1),
        log_odds: ((weight_value(r) + 0.5) / (weight_value(l) + 0.5)).ln(),
        tension: (tally.pole_sentences > 0)
            .then(|| tally.tension_sentences as f64 / tally.pole_sentences as f64),
    }
}

/// Normalised pointwise mutual information of two themes over `n` sentences:
/// `ln(p(a,b) / (p(a) p(b))) / −ln p(a,b)`, in [−1, 1]. −1 when the themes never meet (`both`
/// = 0), 1 when they meet in every sentence; undefined when either theme has no hit.
pub fn npmi(both: u64, a: u64, b: u64, n: u64) -> Option<f64> {
    if a == 0 || b == 0 || n == 0 {
        return None;
    }
    if both == 0 {
        return Some(-1.0);
    }
    let n = n as f64;
    let (pab, pa, pb) = (both as f64 / n, a as f64 / n, b as f64 / n);
    if pab >= 1.0 {
        return Some(1.0);
    }
    Some(((pab / (pa * pb)).ln() / -pab.ln()).clamp(-1.0, 1.0))
}

/// One segment's numbers for one contrast in the trajectory: its tokens (in the document) and
/// its left and right poles' non-negated hits.
pub type TrajectorySegment = (std::ops::Range<u64>, PoleTally, PoleTally);

/// Sums of both poles over the segments before some point of a trajectory.
#[derive(Clone, Debug, Default)]
struct PoleSums {
    left: PoleTally,
    right: PoleTally,
}

impl PoleSums {
    fn add(&mut self, left: &PoleTally, right: &PoleTally) {
        self.left += left;
        self.right += right;
    }

    /// The poles of the segments counted in `self` but not in `before` (a window's tally).
    /// `before` counts a prefix of what `self` counts; should reading the segments fail part
    /// way (the error is reported), the difference stops at zero rather than wrapping.
    fn since(&self, before: &PoleSums) -> ContrastTally {
        let minus = |a: &PoleTally, b: &PoleTally| PoleTally {
            hits: a.hits.saturating_sub(b.hits),
            weight: a.weight.saturating_sub(b.weight),
            weight_sq: a.weight_sq.saturating_sub(b.weight_sq),
        };
        ContrastTally {
            left: minus(&self.left, &before.left),
            right: minus(&self.right, &before.right),
            ..ContrastTally::default()
        }
    }
}

/// One point of a contrast's trajectory: a segment's position, balance and smoothed balance,
/// and the tally of its smoothing window (for the smoothed balance's interval).
#[derive(Clone, Debug, PartialEq)]
pub struct TrajectoryPoint {
    /// Segment number in the document.
    pub segment: usize,
    /// Token midpoint of the segment, as a fraction of the text.
    pub position: Option<f64>,
    /// The segment's balance.
    pub balance: Option<f64>,
    /// The balance of the poles summed over the smoothing window.
    pub smoothed: Option<f64>,
    /// The poles summed over the smoothing window.
    pub window: ContrastTally,
}

/// The trajectory of one contrast over a document's `segments` segments (of `tokens` tokens in
/// all): a point per segment, smoothed over [`smoothing_window`]. `poles()` gives the segments'
/// numbers in order; it is called three times (the window is summed as it slides, a leading
/// and a lagging reader), so they may come from a file rather than memory.
pub fn trajectory<I>(
    segments: usize,
    tokens: u64,
    poles: impl Fn() -> I,
) -> impl Iterator<Item = TrajectoryPoint>
where
    I: Iterator<Item = TrajectorySegment>,
{
    let (mut lead, mut lag) = (poles(), poles());
    // Sums over the segments before `hi` and before `lo`.
    let (mut hi, mut lo) = (0usize, 0usize);
    let (mut sum_hi, mut sum_lo) = (PoleSums::default(), PoleSums::default());
    poles()
        .take(segments)
        .enumerate()
        .map(move |(k, (range, l, r))| {
            let window = smoothing_window(k, segments);
            while hi < window.end {
                if let Some((_, a, b)) = lead.next() {
                    sum_hi.add(&a, &b);
                }
                hi += 1;
            }
            while lo < window.start {
                if let Some((_, a, b)) = lag.next() {
                    sum_lo.add(&a, &b);
                }
                lo += 1;
            }
            let window = sum_hi.since(&sum_lo);
            TrajectoryPoint {
                segment: k,
                position: position(&range, tokens),
                balance: balance(l.weight, r.weight),
                smoothed: balance(window.left.weight, window.right.weight),
                window,
            }
        })
}

/// Width of the trajectory's smoothing window for `segments` segments: max(3, segments / 10),
/// made odd.
pub fn smoothing_width(segments: usize) -> usize {
    let w = (segments / 10).max(3);
    w | 1
}

/// The segments whose (L, R) sums give segment `k`'s smoothed balance, among `segments`: a
/// centred window of [`smoothing_width`] segments, shrinking at the edges.
pub fn smoothing_window(k: usize, segments: usize) -> std::ops::Range<usize> {
    let half = smoothing_width(segments) / 2;
    k.saturating_sub(half)..(k + half + 1).min(segments)
}

/// The position of a segment holding tokens `range` in a text of `tokens` tokens: its token
/// midpoint as a fraction in [0, 1]; undefined for a text without tokens.
pub fn position(range: &std::ops::Range<u64>, tokens: u64) -> Option<f64> {
    (tokens > 0).then(|| (range.start + range.end) as f64 / 2.0 / tokens as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pole(hits: u64) -> PoleTally {
        PoleTally {
            hits,
            weight: hits * 10_000,
            weight_sq: u128::from(hits) * 100_000_000,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn contrast_by_hand() {
        // L = 1, R = 3: balance 0.5; log odds ln(3.5 / 1.5); Wilson p = 0.75, n = 4.
        let tally = ContrastTally {
            left: pole(1),
            right: pole(3),
            tension_sentences: 1,
            pole_sentences: 4,
        };
        let s = score_contrast(&tally);
        assert_eq!(s.balance, Some(0.5));
        assert!(close(s.log_odds, (3.5f64 / 1.5).ln()));
        assert_eq!(s.tension, Some(0.25));
        // Wilson for p = 0.75, n = 4, z = 1.96: centre (0.75 + z²/8) / (1 + z²/4) = 0.62753,
        // half-width z / (1 + z²/4) · √(0.1875/4 + z²/64) = 0.32689 → [0.30064, 0.95441] on p,
        // so [-0.39872, 0.90883] on the balance scale.
        let (lo, hi) = (s.ci_low.unwrap(), s.ci_high.unwrap());
        assert!((lo - (-0.39872)).abs() < 1e-4, "{lo}");
        assert!((hi - 0.90883).abs() < 1e-4, "{hi}");
    }

    #[test]
    fn empty_contrast_is_undefined_not_nan() {
        let s = score_contrast(&ContrastTally::default());
        assert_eq!(
            (s.balance, s.ci_low, s.ci_high, s.tension),
            (None, None, None, None)
        );
        assert_eq!(s.log_odds, 0.0);
    }

    #[test]
    fn weights_lower_the_effective_n() {
        // One hit of weight 3 on the right, one of weight 1 on the left: n = 16 / 10 = 1.6.
        let tally = ContrastTally {
            left: PoleTally {
                hits: 1,
                weight: 10_000,
                weight_sq: 100_000_000,
            },
            right: PoleTally {
                hits: 1,
                weight: 30_000,
                weight_sq: 900_000_000,
            },
            ..Default::default()
        };
        let s = score_contrast(&tally);
        assert_eq!(s.balance, Some(0.5));
        let (lo, hi) = wilson_balance(0.75, 1.6).unwrap();
        assert_eq!((s.ci_low, s.ci_high), (Some(lo), Some(hi)));
        assert!(hi - lo > 1.0);
    }

    #[test]
    fn npmi_by_hand() {
        // 10 sentences, a in 4, b in 5, both in 2: ln(0.2 / 0.2) / -ln 0.2 = 0.
        assert_eq!(npmi(2, 4, 5, 10), Some(0.0));
        // Both in 4 of 10, a in 4, b in 4: ln(0.4 / 0.16) / -ln 0.4 = 1.0.
        assert!(close(npmi(4, 4, 4, 10).unwrap(), 1.0));
        // Both in 1, a in 5, b in 5 of 10: ln(0.1/0.25) / -ln 0.1 = -0.39794.
        assert!((npmi(1, 5, 5, 10).unwrap() - (-0.397_940)).abs() < 1e-6);
        assert_eq!(npmi(0, 3, 3, 10), Some(-1.0));
        assert_eq!(npmi(0, 0, 3, 10), None);
        assert_eq!(npmi(5, 5, 5, 5), Some(1.0));
    }

    #[test]
    fn smoothing_window_and_edges() {
        assert_eq!(
            (
                smoothing_width(1),
                smoothing_width(30),
                smoothing_width(40),
                smoothing_width(55)
            ),
            (3, 3, 5, 5)
        );
        // Width 3: [0,1] at the left edge, then centred, then [3,4] at the right edge.
        let windows: Vec<_> = (0..5).map(|k| smoothing_window(k, 5)).collect();
        assert_eq!(windows, vec![0..2, 0..3, 1..4, 2..5, 3..5]);
        assert_eq!(smoothing_window(0, 1), 0..1);
        // Width 5 from 50 segments.
        assert_eq!(smoothing_window(20, 50), 18..23);
        assert_eq!(position(&(2..4), 10), Some(0.3));
        assert_eq!(position(&(0..0), 0), None);
    }

    #[test]
    fn balance_is_antisymmetric() {
        for (l, r) in [(0u64, 5u64), (3, 7), (10, 10), (1, 0)] {
            assert_eq!(balance(l, r).map(|b| -b), balance(r, l));
        }
    }
}
