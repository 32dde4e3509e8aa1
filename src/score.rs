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
//!   of hits (Σw)² / Σw², mapped to the balance scale as 2p − 1; for a corpus, a percentile
//!   bootstrap over documents ([`bootstrap_balance`]);
//! - `log_odds = ln((R + 0.5) / (L + 0.5))`;
//! - `tension` = sentences with both poles / sentences with either pole;
//! - co-occurrence: normalised PMI over sentences ([`npmi`]);
//! - trajectory: each segment's balance at its token midpoint, smoothed over a centred window
//!   of segments ([`smoothing_window`]).

pub mod groups;

use crate::count::{weight_value, ContrastTally, CorpusTotals, PoleTally};

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Resamples of the corpus bootstrap.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// The bootstrap's fixed seed, so intervals are reproducible.
pub const BOOTSTRAP_SEED: u64 = 0x7468_656d_6573_636f; // "themesco"

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

/// The corpus score of each contrast, in lexicon order. The interval is a bootstrap over
/// documents (hits cluster by document), unless hits come from one document only (a bootstrap
/// would then claim certainty): then that pooled Wilson interval. The bootstrap's resamples
/// are drawn by up to `jobs` threads (the result does not depend on how many).
pub fn corpus_scores(totals: &CorpusTotals, jobs: usize) -> Vec<ContrastScore> {
    (totals.counts.contrasts.iter())
        .zip(&totals.contrast_docs)
        .map(|(tally, docs)| {
            let mut score = score_contrast(tally);
            if docs.iter().filter(|(l, r)| l + r > 0).count() > 1 {
                let interval = bootstrap_balance(docs, totals.documents, jobs);
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

/// SplitMix64 (a tiny, fully specified generator, so that the bootstrap gives the same numbers
/// on every platform and with every dependency version): its state goes up by this constant
/// with each draw, and a draw is [`mix`] of the state.
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output for the state `z`.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Percentile bootstrap of the corpus balance over `n` documents, of which `with_hits` holds
/// the (L, R) weighted sums of those with a hit, in document order (a document without one
/// adds nothing to a resample). Draws [`BOOTSTRAP_RESAMPLES`] resamples of `n` documents with
/// replacement from SplitMix64 seeded with [`BOOTSTRAP_SEED`] — draw `d` picks document
/// `⌊x·n / 2⁶⁴⌋` for the generator's `d`-th output `x`, the documents with hits listed first —,
/// computes the pooled balance of each (resamples with no hit are left out) and returns the
/// 2.5th and 97.5th percentiles (nearest rank). `None` when no resample has a hit. Up to
/// `jobs` threads draw the resamples.
pub fn bootstrap_balance(with_hits: &[(u64, u64)], n: u64, jobs: usize) -> Option<(f64, f64)> {
    if with_hits.is_empty() || n == 0 {
        return None;
    }
    let sums = |r: std::ops::Range<usize>| -> Vec<f64> {
        r.filter_map(|r| {
            let (l, right) = resample_sums(with_hits, n, r as u64);
            balance(l, right)
        })
        .collect()
    };
    let jobs = jobs.clamp(1, 16);
    let chunk = BOOTSTRAP_RESAMPLES.div_ceil(jobs);
    let mut values: Vec<f64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..jobs)
            .map(|t| {
                let range = (t * chunk).min(BOOTSTRAP_RESAMPLES)
                    ..((t + 1) * chunk).min(BOOTSTRAP_RESAMPLES);
                let spawned = std::thread::Builder::new().spawn_scoped(scope, {
                    let range = range.clone();
                    move || sums(range)
                });
                (range, spawned)
            })
            .collect();
        let mut values = sums(0..chunk.min(BOOTSTRAP_RESAMPLES));
        for (range, handle) in handles {
            // A thread that could not be started, or failed, leaves its resamples to this one.
            match handle.ok().map(|h| h.join()) {
                Some(Ok(more)) => values.extend(more),
                _ => values.extend(sums(range)),
            }
        }
        values
    });
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank =
        |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
    Some((rank(0.025), rank(0.975)))
}

/// The pooled (L, R) of resample `r` (from 0) of [`bootstrap_balance`]: the generator's draws
/// `r·n + 1` to `r·n + n`, reached directly (its state after `d` draws is `seed + d·GAMMA`).
/// A draw `x` picks a document with hits exactly when `x·n < k·2⁶⁴`, that is when `x` is below
/// `⌈k·2⁶⁴ / n⌉`, so most draws cost a comparison and no index. This is most of a run over
/// many short documents (a thousand draws per document and contrast): on a processor with
/// AVX-512 or AVX2 the comparisons are made 64 draws at a time in vector registers (the same
/// integer arithmetic, so the same sums).
fn resample_sums(with_hits: &[(u64, u64)], n: u64, r: u64) -> (u64, u64) {
    let k = with_hits.len() as u128;
    let threshold = (k << 64).div_ceil(u128::from(n));
    let state = BOOTSTRAP_SEED.wrapping_add(r.wrapping_mul(n).wrapping_mul(GAMMA));
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
        {
            // SAFETY: the processor has the features the function is compiled for.
            return unsafe { draws_avx512(with_hits, n, state, threshold) };
        }
        if is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { draws_avx2(with_hits, n, state, threshold) };
        }
    }
    draws_one_by_one(with_hits, n, state, threshold)
}

/// [`draws_in_masks`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq,avx512vl")]
unsafe fn draws_avx512(
    with_hits: &[(u64, u64)],
    n: u64,
    state: u64,
    threshold: u128,
) -> (u64, u64) {
    draws_in_masks(with_hits, n, state, threshold)
}

/// [`draws_in_masks`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn draws_avx2(with_hits: &[(u64, u64)], n: u64, state: u64, threshold: u128) -> (u64, u64) {
    draws_in_masks(with_hits, n, state, threshold)
}

/// The `n` draws after `state`: each below `threshold` adds its document's (L, R).
fn draws_one_by_one(
    with_hits: &[(u64, u64)],
    n: u64,
    mut state: u64,
    threshold: u128,
) -> (u64, u64) {
    let (mut l, mut right) = (0u64, 0u64);
    for _ in 0..n {
        state = state.wrapping_add(GAMMA);
        let x = u128::from(mix(state));
        if x < threshold {
            let i = ((x * u128::from(n)) >> 64) as usize;
            if let Some(&(dl, dr)) = with_hits.get(i) {
                l += dl;
                right += dr;
            }
        }
    }
    (l, right)
}

/// [`draws_one_by_one`] 64 draws at a time: a bit mask of the draws below `threshold`, made
/// without a branch (the compiler makes it in vector registers), then those draws alone.
#[inline(always)]
fn draws_in_masks(with_hits: &[(u64, u64)], n: u64, mut state: u64, threshold: u128) -> (u64, u64) {
    // Below `threshold` as a u64 comparison; every draw is when it is 2⁶⁴ (every document
    // has hits).
    let all = threshold > u128::from(u64::MAX);
    let below = u64::try_from(threshold).unwrap_or(u64::MAX);
    let (mut l, mut right) = (0u64, 0u64);
    let mut done = 0;
    while done < n {
        let m = (n - done).min(64);
        let mut mask = 0u64;
        for q in 0..m {
            let x = mix(state.wrapping_add((q + 1).wrapping_mul(GAMMA)));
            mask |= u64::from(x < below || all) << q;
        }
        while mask != 0 {
            let q = u64::from(mask.trailing_zeros());
            mask &= mask - 1;
            let x = u128::from(mix(state.wrapping_add((q + 1).wrapping_mul(GAMMA))));
            let i = ((x * u128::from(n)) >> 64) as usize;
            if let Some(&(dl, dr)) = with_hits.get(i) {
                l += dl;
                right += dr;
            }
        }
        state = state.wrapping_add(m.wrapping_mul(GAMMA));
        done += m;
    }
    (l, right)
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

    /// SplitMix64 drawn one by one, as the bootstrap was first written.
    struct SplitMix64(u64);

    impl SplitMix64 {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(GAMMA);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }

        /// Uniform in `0..n` (multiply-shift).
        fn below(&mut self, n: usize) -> usize {
            ((u128::from(self.next()) * n as u128) >> 64) as usize
        }
    }

    /// The bootstrap as first written, over every document's (L, R), one draw after the other:
    /// the reference for [`bootstrap_balance`].
    fn reference_bootstrap(docs: &[(u64, u64)]) -> Option<(f64, f64)> {
        let n = docs.len();
        let with_hits: Vec<(u64, u64)> = docs.iter().copied().filter(|&(l, r)| l + r > 0).collect();
        if with_hits.is_empty() {
            return None;
        }
        let mut rng = SplitMix64(BOOTSTRAP_SEED);
        let mut values = Vec::with_capacity(BOOTSTRAP_RESAMPLES);
        for _ in 0..BOOTSTRAP_RESAMPLES {
            let (mut l, mut r) = (0u64, 0u64);
            for _ in 0..n {
                let i = rng.below(n);
                if let Some(&(dl, dr)) = with_hits.get(i) {
                    l += dl;
                    r += dr;
                }
            }
            if let Some(b) = balance(l, r) {
                values.push(b);
            }
        }
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let rank =
            |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
        Some((rank(0.025), rank(0.975)))
    }

    /// [`bootstrap_balance`] over every document's (L, R), with `jobs` threads.
    fn bootstrap(docs: &[(u64, u64)], jobs: usize) -> Option<(f64, f64)> {
        let with_hits: Vec<(u64, u64)> = docs.iter().copied().filter(|&(l, r)| l + r > 0).collect();
        bootstrap_balance(&with_hits, docs.len() as u64, jobs)
    }

    #[test]
    fn bootstrap_is_reproducible_and_brackets_the_balance() {
        let docs: Vec<(u64, u64)> = (0..50).map(|i| (i % 3, (i % 5) + 1)).collect();
        let a = bootstrap(&docs, 1).unwrap();
        assert_eq!(Some(a), bootstrap(&docs, 3));
        assert_eq!(Some(a), reference_bootstrap(&docs));
        let (l, r) = docs
            .iter()
            .fold((0, 0), |acc, d| (acc.0 + d.0, acc.1 + d.1));
        let b = balance(l, r).unwrap();
        assert!(a.0 < b && b < a.1, "{a:?} around {b}");
        assert_eq!(bootstrap(&[(0, 0), (0, 0)], 2), None);
        // A single document always resamples to itself.
        assert_eq!(bootstrap(&[(1, 3)], 2), Some((0.5, 0.5)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Drawing each resample's documents directly, skipping the index of a draw that lands
        /// on a document without hits, and on several threads, gives the draws of the generator
        /// drawn one by one: the same interval, bit for bit.
        #[test]
        fn bootstrap_equals_the_draws_one_by_one(
            docs in proptest::collection::vec((0u64..4, 0u64..4), 1..300),
            zeros in 0usize..400,
            jobs in 1usize..4,
        ) {
            let mut docs = docs;
            docs.extend(std::iter::repeat_n((0, 0), zeros));
            docs.rotate_left(zeros / 2);
            proptest::prop_assert_eq!(bootstrap(&docs, jobs), reference_bootstrap(&docs));
            // Both ways of drawing, whichever the processor takes.
            let with_hits: Vec<(u64, u64)> =
                docs.iter().copied().filter(|&(l, r)| l + r > 0).collect();
            let n = docs.len() as u64;
            let threshold = ((with_hits.len() as u128) << 64).div_ceil(u128::from(n));
            for r in [0, 1, 999] {
                let state = BOOTSTRAP_SEED.wrapping_add((r * n).wrapping_mul(GAMMA));
                proptest::prop_assert_eq!(
                    draws_in_masks(&with_hits, n, state, threshold),
                    draws_one_by_one(&with_hits, n, state, threshold)
                );
            }
        }
    }
}
