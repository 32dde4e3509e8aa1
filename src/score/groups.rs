//! Statistics of groups (the `--group-by` files): keyness of a group against the rest of the
//! corpus, cluster-robust intervals of rates, and the Poisson bootstrap of contrasts.
//!
//! In: integer sums that add (per cluster, per group, per replicate). Out: floats, computed once
//! at the end in a fixed order. Guarantees: nothing here depends on the order in which documents
//! or clusters were added; the bootstrap's weights depend only on a cluster's seed (see
//! [`poisson_weight`]), so its replicate sums are the same however a corpus is split, read or
//! threaded, and two partial sums merge by addition.
//!
//! Definitions (with a = count in the group, b = count in the rest, c and d their tokens):
//! - G² = 2 (a ln(a/E1) + b ln(b/E2)), E1 = c(a+b)/(c+d), E2 = d(a+b)/(c+d), a zero count adding
//!   0, no Yates or Williams correction (Rayson & Garside 2000); its p-value is the upper tail of
//!   χ² with one degree of freedom ([`g2`], [`chi2_upper`]).
//! - log ratio = log2((a′/c) / (b′/d)), a′ = 0.5 when a = 0, b′ likewise (Hardie 2014)
//!   ([`log_ratio`]).
//! - A rate's interval ([`rate_interval`]): the ratio estimator Σcount / Σtokens over clusters,
//!   its linearised (cluster-robust) variance n/(n−1) · Σ(yᵢ − R xᵢ)² / (Σx)², and a 95 %
//!   interval on the log scale with a t(n−1) quantile; with one cluster, or no hit, the exact
//!   Poisson (Garwood) interval of the count over the tokens.

use statrs::distribution::{ChiSquared, ContinuousCDF, StudentsT};
use statrs::function::erf::erfc;
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::AddAssign;

/// G² of a count `a` in `c` tokens against `b` in `d` tokens (see the module documentation).
pub fn g2(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (a, b, c, d) = (a as f64, b as f64, c as f64, d as f64);
    if c + d == 0.0 {
        return 0.0;
    }
    let e1 = c * (a + b) / (c + d);
    let e2 = d * (a + b) / (c + d);
    let term = |o: f64, e: f64| if o > 0.0 { o * (o / e).ln() } else { 0.0 };
    (2.0 * (term(a, e1) + term(b, e2))).max(0.0)
}

/// The upper tail of χ² with one degree of freedom at `x`: P(X ≥ x) = erfc(√(x/2)).
pub fn chi2_upper(x: f64) -> f64 {
    erfc((x.max(0.0) / 2.0).sqrt())
}

/// log2 of the ratio of the rates a/c and b/d, zero counts taken as 0.5; `None` when both
/// counts are zero or a side has no tokens.
pub fn log_ratio(a: u64, b: u64, c: u64, d: u64) -> Option<f64> {
    if (a == 0 && b == 0) || c == 0 || d == 0 {
        return None;
    }
    let half = |x: u64| if x == 0 { 0.5 } else { x as f64 };
    Some(((half(a) / c as f64) / (half(b) / d as f64)).log2())
}

/// Sums over the clusters of a group, for the interval of a rate: the number of clusters and
/// the sums of count, tokens, their squares and their product. Integers: they add exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClusterSums {
    /// Clusters.
    pub n: u64,
    /// Σ count.
    pub count: u64,
    /// Σ tokens.
    pub tokens: u64,
    /// Σ count².
    pub count2: u128,
    /// Σ tokens².
    pub tokens2: u128,
    /// Σ count · tokens.
    pub count_tokens: u128,
}

impl ClusterSums {
    /// Adds one cluster with `count` hits in `tokens` tokens.
    pub fn add_cluster(&mut self, count: u64, tokens: u64) {
        self.n += 1;
        self.count += count;
        self.tokens += tokens;
        self.count2 += u128::from(count) * u128::from(count);
        self.tokens2 += u128::from(tokens) * u128::from(tokens);
        self.count_tokens += u128::from(count) * u128::from(tokens);
    }

    /// The variance of ln(Σcount / Σtokens) by linearisation, `None` with fewer than two
    /// clusters or no count.
    fn log_variance(&self) -> Option<f64> {
        if self.n < 2 || self.count == 0 || self.tokens == 0 {
            return None;
        }
        let (y, x) = (self.count as f64, self.tokens as f64);
        let r = y / x;
        let residuals = (self.count2 as f64 - 2.0 * r * self.count_tokens as f64
            + r * r * self.tokens2 as f64)
            .max(0.0);
        let n = self.n as f64;
        let var_r = n / (n - 1.0) * residuals / (x * x);
        Some(var_r / (r * r))
    }
}

impl AddAssign<&ClusterSums> for ClusterSums {
    fn add_assign(&mut self, o: &ClusterSums) {
        self.n += o.n;
        self.count += o.count;
        self.tokens += o.tokens;
        self.count2 += o.count2;
        self.tokens2 += o.tokens2;
        self.count_tokens += o.count_tokens;
    }
}

/// The 97.5 % quantile of t with `df` degrees of freedom (kept per thread: a run with a
/// thousand groups asks for the same few values thousands of times, and each costs an
/// iterative inversion).
fn t975(df: f64) -> f64 {
    thread_local! {
        static KNOWN: RefCell<HashMap<u64, f64>> = RefCell::new(HashMap::new());
    }
    KNOWN.with_borrow_mut(|known| {
        *known.entry(df.to_bits()).or_insert_with(|| {
            StudentsT::new(0.0, 1.0, df)
                .map(|t| t.inverse_cdf(0.975))
                .unwrap_or(1.959_963_984_540_054)
        })
    })
}

/// The exact Poisson (Garwood) 95 % interval of a count: χ²(0.025; 2k)/2 to χ²(0.975; 2k+2)/2
/// (kept per thread, as the t quantiles are: the groups of a run ask for the intervals of the same small
/// counts, zero most of all, again and again).
pub fn garwood(count: u64) -> (f64, f64) {
    thread_local! {
        static KNOWN: RefCell<HashMap<u64, (f64, f64)>> = RefCell::new(HashMap::new());
    }
    KNOWN.with_borrow_mut(|known| *known.entry(count).or_insert_with(|| garwood_of(count)))
}

/// [`garwood`], computed.
fn garwood_of(count: u64) -> (f64, f64) {
    let k = count as f64;
    let quantile = |df: f64, p: f64| ChiSquared::new(df).map_or(0.0, |c| c.inverse_cdf(p));
    let low = if count == 0 {
        0.0
    } else {
        quantile(2.0 * k, 0.025) / 2.0
    };
    (low, quantile(2.0 * k + 2.0, 0.975) / 2.0)
}

/// A 95 % interval of the rate Σcount / Σtokens of `sums` (see the module documentation);
/// `None` without tokens.
pub fn rate_interval(sums: &ClusterSums) -> Option<(f64, f64)> {
    if sums.tokens == 0 {
        return None;
    }
    let tokens = sums.tokens as f64;
    let rate = sums.count as f64 / tokens;
    match sums.log_variance() {
        Some(var) => {
            let half = t975((sums.n - 1) as f64) * var.sqrt();
            Some((rate * (-half).exp(), rate * half.exp()))
        }
        None => {
            let (low, high) = garwood(sums.count);
            Some((low / tokens, high / tokens))
        }
    }
}

/// A 95 % interval of [`log_ratio`] of a group (`group`) against the rest (`rest`): the two
/// log-scale variances added (cluster-robust where a side has two clusters or more, else the
/// Poisson 1/count, with 0.5 for a zero count), a t quantile with the fewer clusters' degrees
/// of freedom (the normal one when a side has a single cluster). `None` as for [`log_ratio`].
pub fn log_ratio_interval(group: &ClusterSums, rest: &ClusterSums) -> Option<(f64, f64)> {
    let point = log_ratio(group.count, rest.count, group.tokens, rest.tokens)?;
    let var = |s: &ClusterSums| {
        s.log_variance()
            .unwrap_or(1.0 / if s.count == 0 { 0.5 } else { s.count as f64 })
    };
    let df = group.n.min(rest.n).saturating_sub(1);
    let q = if df >= 1 {
        t975(df as f64)
    } else {
        1.959_963_984_540_054
    };
    let half = q * (var(group) + var(rest)).sqrt() / std::f64::consts::LN_2;
    Some((point - half, point + half))
}

/// Intervals from fewer clusters with hits than this are drawn grey, with a footnote: with so
/// few, a bootstrap interval is too narrow more often than 5 % of the time.
pub const FEW_CLUSTERS: u64 = 10;

/// Replicates of the Poisson bootstrap.
pub const REPLICATES: usize = 1000;

/// ⌊P(K ≤ k) · 2⁶⁴⌋ for K ~ Poisson(1), k = 0 … 19 (computed with 80 significant digits; P(K ≤
/// 20) rounds to 2⁶⁴).
const POISSON_1: [u64; 20] = [
    0x5E2D_58D8_B3BC_DF1A,
    0xBC5A_B1B1_6779_BE35,
    0xEB71_5E1D_C158_2DC2,
    0xFB23_9797_34A2_52F1,
    0xFF10_25F5_9174_DC3D,
    0xFFD9_0F3B_A405_5E19,
    0xFFFA_8B71_FC72_C913,
    0xFFFF_540C_0914_B3C9,
    0xFFFF_ED1F_4AA8_F120,
    0xFFFF_FE21_6E64_1462,
    0xFFFF_FFD4_D85D_3183,
    0xFFFF_FFFC_6DA2_62B4,
    0xFFFF_FFFF_BA12_D178,
    0xFFFF_FFFF_FB07_C64C,
    0xFFFF_FFFF_FFAB_8EA5,
    0xFFFF_FFFF_FFFA_BE22,
    0xFFFF_FFFF_FFFF_B11A,
    0xFFFF_FFFF_FFFF_FBA1,
    0xFFFF_FFFF_FFFF_FFC5,
    0xFFFF_FFFF_FFFF_FFFD,
];

/// SplitMix64's output for state `x`: the generator's step from `x` (add the golden gamma,
/// mix).
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The Poisson(1) weight of a cluster with seed `seed` in replicate `r`: u = SplitMix64's
/// output for state seed + r · 0x9E3779B97F4A7C15, and the weight is the number of thresholds
/// ⌊P(K ≤ k) · 2⁶⁴⌋ at or below u. Integers only: the same weights on every platform.
pub fn poisson_weight(seed: u64, r: u64) -> u64 {
    poisson_of(splitmix64(
        seed.wrapping_add(r.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    ))
}

/// The Poisson(1) draw of a uniform `u`: the number of thresholds of [`POISSON_1`] at or below
/// it.
fn poisson_of(u: u64) -> u64 {
    // The thresholds rise, so those at or below u come first. The first four are compared
    // without a branch (a weight of 0, 1 or 2 is a coin toss a branch would mispredict); u
    // passes all four in 1.9 % of draws, and then the rest are scanned.
    let head = u64::from(POISSON_1[0] <= u)
        + u64::from(POISSON_1[1] <= u)
        + u64::from(POISSON_1[2] <= u)
        + u64::from(POISSON_1[3] <= u);
    match head {
        4 => 4 + POISSON_1[4..].iter().take_while(|&&t| t <= u).count() as u64,
        _ => head,
    }
}

/// A cluster's seed: the first eight bytes, little-endian, of the SHA-256 of its text (the
/// document's text as analysed, or its `--cluster-by` value).
pub fn seed_of(sha256: &[u8; 32]) -> u64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&sha256[..8]);
    u64::from_le_bytes(first)
}

/// The largest Poisson(1) weight ([`poisson_weight`] counts at most every threshold).
pub const MAX_WEIGHT: u64 = POISSON_1.len() as u64;

/// The Poisson bootstrap's replicate sums of a contrast's two poles: for each replicate, Σ
/// weight · L and Σ weight · R over clusters, 16 bytes a replicate once summed. In `u64`: weights
/// are at most [`MAX_WEIGHT`] and pole sums fixed-point (10,000 units a hit of weight 1), so a
/// sum reaches 2⁶⁴ only past 9 × 10¹³ hits (a corpus of petabytes); the sums are added as plain
/// integers (wrapping), each pole's in an array of its own, which the processor adds several at
/// a time.
///
/// Clusters are added first into narrower lanes (`Lanes`), an eighth to a half of the memory a
/// group's sums take while documents stream by (a run with many groups touches one group's
/// arrays per document: the memory, not the arithmetic, is what costs): a cluster whose pole
/// sums are whole hits of weight 1 (multiples of `HIT`, most clusters) into `u8` lanes of hits
/// while they hold it (emptied into `u16` lanes of hits when full), else into those `u16`
/// lanes, any other into `u32` lanes; a cluster too large for either goes straight into the
/// `u64` sums. A lane's bound counts each cluster at its own largest weight (5 or 6 for most
/// clusters of 1,000 replicates, at most [`MAX_WEIGHT`]), so the `u8` lanes hold about forty
/// clusters of one hit before they are emptied.
/// Every array is allocated when first needed. The sums are the `u64` sums plus the lanes
/// ([`Replicates::pairs`]): the same integers whichever way they were added. Serialised, and
/// compared, as the two `u64` arrays of those sums.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "Summed", into = "Summed")]
pub struct Replicates {
    /// Σ w·L and Σ w·R per replicate of the clusters flushed from the lanes (empty: zeros).
    left: Vec<u64>,
    right: Vec<u64>,
    /// The clusters since, of whole hits (in hits: the latest in `small`, the others in
    /// `hits`) and of any other pole sums.
    small: Lanes<u8>,
    hits: Lanes<u16>,
    lanes: Lanes<u32>,
}

/// The pole sums of a hit of weight 1 ([`crate::lexicon::Weight::SCALE`]).
const HIT: u64 = crate::lexicon::Weight::SCALE;

/// A lane's integer type: `u8`, `u16` or `u32`, and `u64` for the sums lanes are emptied into.
trait Lane: Copy + Default + PartialEq + 'static {
    /// The largest value.
    const MAX: u64;
    /// The value as a `u64`.
    fn wide(self) -> u64;
    /// `x` if it is at most [`Lane::MAX`].
    fn narrow(x: u64) -> Option<Self>;
    /// `self + w · x`, wrapping (the caller keeps lanes from overflowing).
    fn mul_add(self, w: u8, x: Self) -> Self;
    /// A lane of zeros for every replicate (what an array not yet allocated holds).
    const ZEROS: &'static [Self; REPLICATES];
}

/// [`Lane`] for an unsigned integer type.
macro_rules! lane {
    ($($t:ty),*) => {$(
        impl Lane for $t {
            const MAX: u64 = <$t>::MAX as u64;
            const ZEROS: &'static [$t; REPLICATES] = &[0; REPLICATES];
            fn wide(self) -> u64 {
                u64::from(self)
            }
            fn narrow(x: u64) -> Option<$t> {
                <$t>::try_from(x).ok()
            }
            fn mul_add(self, w: u8, x: $t) -> $t {
                self.wrapping_add(<$t>::from(w).wrapping_mul(x))
            }
        }
    )*};
}

// The lanes' types, and the `u64` sums themselves (added to as lanes are, `add_scaled`).
lane!(u8, u16, u32, u64);

/// Σ w·L and Σ w·R per replicate of the clusters added since the lanes were last emptied, in
/// units of `scale` (set by the owner): `bound` is an upper bound of every lane (Σ top ·
/// max(L, R) of the clusters in them, top being a cluster's largest weight), and before a
/// cluster would take it past the lane type's largest value the lanes are emptied (into the
/// `u64` sums, or the `u8` lanes into the `u16` ones).
#[derive(Clone, Debug, Default)]
struct Lanes<T> {
    left: Vec<T>,
    right: Vec<T>,
    bound: u64,
}

impl<T: Lane> Lanes<T> {
    /// Adds a cluster's pole sums `l` and `r` (in the lanes' unit) with its `weights`, the
    /// largest of which is `top`, first emptying the lanes times `scale` into `wide` if they
    /// could overflow; `false` (nothing added) when the cluster is too large for the lanes even
    /// empty.
    fn add(
        &mut self,
        weights: &[u8],
        (l, r): (u64, u64),
        top: u64,
        wide: Wide<'_>,
        scale: u64,
    ) -> bool {
        let Some(most) = self.room_for((l, r), top) else {
            return false;
        };
        if self.bound + most > T::MAX {
            self.empty_into(wide, scale);
        }
        self.put(weights, (l, r), most);
        true
    }

    /// What a cluster of pole sums `l` and `r` whose largest weight is `top` adds to the
    /// bound; `None` when it is too large for the lanes even empty.
    fn room_for(&self, (l, r): (u64, u64), top: u64) -> Option<u64> {
        let most = l.max(r).saturating_mul(top);
        (l.max(r) <= T::MAX && most <= T::MAX).then_some(most)
    }

    /// Adds `weights` · (l, r) to the lanes (allocated first if empty) and `most` to the bound;
    /// the caller has made room ([`Lanes::room_for`]).
    fn put(&mut self, weights: &[u8], (l, r): (u64, u64), most: u64) {
        let (Some(l), Some(r)) = (T::narrow(l), T::narrow(r)) else {
            return;
        };
        self.allocate();
        // A pole without a hit adds nothing: its lanes are not read (most clusters with a hit
        // have hits of one pole only).
        for (lanes, x) in [(&mut self.left, l), (&mut self.right, r)] {
            if x != T::default() {
                for (a, &w) in lanes.iter_mut().zip(weights) {
                    *a = a.mul_add(w, x);
                }
            }
        }
        self.bound += most;
    }

    /// Allocates the lanes (zeros) if they are not yet.
    fn allocate(&mut self) {
        if self.left.is_empty() {
            self.left = vec![T::default(); REPLICATES];
            self.right = vec![T::default(); REPLICATES];
        }
    }

    /// Adds the lanes times `scale` into the `u64` sums `wide` and empties them.
    fn empty_into(&mut self, (left, right): Wide<'_>, scale: u64) {
        if self.bound == 0 {
            return;
        }
        for (wide, lanes) in [(left, &mut self.left), (right, &mut self.right)] {
            add_scaled(wide, lanes, scale);
            lanes.fill(T::default());
        }
        self.bound = 0;
    }
}

impl Lanes<u8> {
    /// Adds the lanes into the `u16` lanes `hits` (the same unit) and empties them, first
    /// emptying `hits` times `scale` into `wide` if they could overflow.
    fn empty_into_hits(&mut self, hits: &mut Lanes<u16>, wide: Wide<'_>, scale: u64) {
        if self.bound == 0 {
            return;
        }
        if hits.bound + self.bound > u16::MAX.into() {
            hits.empty_into(wide, scale);
        }
        hits.allocate();
        for (to, from) in [
            (&mut hits.left, &mut self.left),
            (&mut hits.right, &mut self.right),
        ] {
            for (a, &b) in to.iter_mut().zip(from.iter()) {
                *a = a.wrapping_add(b.into());
            }
            from.fill(0);
        }
        hits.bound += self.bound;
        self.bound = 0;
    }
}

/// The `u64` sums of the left and right pole, allocated (zeros) when empty by what adds to them.
type Wide<'a> = (&'a mut Vec<u64>, &'a mut Vec<u64>);

/// `wide[r] += scale · lanes[r]` for every replicate (wrapping, as all replicate sums), `wide`
/// allocated (zeros) first if it is empty.
fn add_scaled<T: Lane>(wide: &mut Vec<u64>, lanes: &[T], scale: u64) {
    if lanes.is_empty() {
        return;
    }
    if wide.is_empty() {
        *wide = vec![0; REPLICATES];
    }
    for (s, &n) in wide.iter_mut().zip(lanes) {
        *s = s.wrapping_add(n.wide().wrapping_mul(scale));
    }
}

/// A [`Replicates`]'s sums as it is serialised: Σ w·L and Σ w·R per replicate.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Summed {
    left: Vec<u64>,
    right: Vec<u64>,
}

impl TryFrom<Summed> for Replicates {
    type Error = String;

    /// The sums as read back: one per replicate, or none (zeros); any other number is not a
    /// state this version wrote.
    fn try_from(s: Summed) -> Result<Replicates, String> {
        for sums in [&s.left, &s.right] {
            if !sums.is_empty() && sums.len() != REPLICATES {
                let n = sums.len();
                return Err(format!("replicate sums of {n} values, not {REPLICATES}"));
            }
        }
        Ok(Replicates {
            left: s.left,
            right: s.right,
            ..Default::default()
        })
    }
}

impl From<Replicates> for Summed {
    fn from(r: Replicates) -> Summed {
        let (left, right) = r.pairs().unzip();
        Summed { left, right }
    }
}

impl PartialEq for Replicates {
    fn eq(&self, o: &Replicates) -> bool {
        self.pairs().eq(o.pairs())
    }
}

impl Eq for Replicates {}

/// `sums[r] += weights[r] · x` for every replicate r (wrapping, as all replicate sums).
fn add_weighted(sums: &mut [u64], weights: &[u8], x: u64) {
    for (s, &w) in sums.iter_mut().zip(weights) {
        *s = s.mul_add(w, x);
    }
}

impl Replicates {
    /// Adds a cluster's pole sums `left` and `right` with its `weights` (one per replicate,
    /// [`poisson_weight`]).
    pub fn add(&mut self, weights: &[u8], left: u64, right: u64) {
        let top = largest(weights);
        self.add_topped(weights, top, left, right);
    }

    /// [`Replicates::add`] of `weights` whose largest is `top` (or more: a bound).
    pub fn add_topped(&mut self, weights: &[u8], top: u8, left: u64, right: u64) {
        debug_assert!(weights.iter().all(|&w| w <= top));
        let top = u64::from(top);
        if left % HIT == 0 && right % HIT == 0 {
            let hits = (left / HIT, right / HIT);
            if let Some(most) = self.small.room_for(hits, top) {
                if self.small.bound + most > u8::MAX.into() {
                    let wide = (&mut self.left, &mut self.right);
                    self.small.empty_into_hits(&mut self.hits, wide, HIT);
                }
                self.small.put(weights, hits, most);
                return;
            }
            let wide = (&mut self.left, &mut self.right);
            if self.hits.add(weights, hits, top, wide, HIT) {
                return;
            }
        }
        let wide = (&mut self.left, &mut self.right);
        if self.lanes.add(weights, (left, right), top, wide, 1) {
            return;
        }
        for (sums, x) in [(&mut self.left, left), (&mut self.right, right)] {
            if x == 0 {
                continue;
            }
            if sums.is_empty() {
                *sums = vec![0; REPLICATES];
            }
            add_weighted(sums, weights, x);
        }
    }

    /// Σ w·L and Σ w·R of each replicate as whole arrays (`wide` plus `lanes` plus `hits`, as
    /// [`Replicates::pairs`]), arrays not yet allocated read as zeros: replicate `k`'s sums
    /// are `column(k)`, a loop over every `k` the processor makes several at a time.
    fn columns(&self) -> impl Fn(usize) -> (u64, u64) + '_ {
        let (wl, wr) = (full(&self.left), full(&self.right));
        let (ll, lr) = (full(&self.lanes.left), full(&self.lanes.right));
        let (hl, hr) = (full(&self.hits.left), full(&self.hits.right));
        let (sl, sr) = (full(&self.small.left), full(&self.small.right));
        move |k| {
            let (hl, hr) = (
                u64::from(hl[k]) + u64::from(sl[k]),
                u64::from(hr[k]) + u64::from(sr[k]),
            );
            let l = (wl[k].wrapping_add(u64::from(ll[k]))).wrapping_add(hl * HIT);
            let r = (wr[k].wrapping_add(u64::from(lr[k]))).wrapping_add(hr * HIT);
            (l, r)
        }
    }

    /// (Σ w·L, Σ w·R) of each replicate.
    pub fn pairs(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        (0..REPLICATES).map(self.columns())
    }

    /// The 2.5th and 97.5th percentiles (nearest rank) of the replicates' balances (R − L) /
    /// (R + L), replicates without a hit left out; `None` when none has one.
    pub fn interval(&self) -> Option<(f64, f64)> {
        let column = self.columns();
        // Every replicate's balance, NaN (0 / 0) for one without a hit, and how many have one,
        // in one pass over the arrays. Sums below 2⁵² (all but astronomically large ones) are
        // converted by their bits, the same values as `as f64` (both exact) at a fraction of
        // its cost; when a sum is not, the balances are made again with `as f64`. On the stack
        // (a run computes thousands of intervals), written once (not zeroed first).
        let (mut n, mut every) = (0, 0);
        let mut values: [f64; REPLICATES] = std::array::from_fn(|k| {
            let (l, r) = column(k);
            let by_bits = |x: u64| f64::from_bits(x | EXACT_BITS) - EXACT as f64;
            let (l_f, r_f) = (by_bits(l), by_bits(r));
            n += usize::from(l | r != 0);
            every |= l | r;
            (r_f - l_f) / (r_f + l_f)
        });
        if every >= EXACT {
            for (k, v) in values.iter_mut().enumerate() {
                let (l, r) = column(k);
                *v = (r as f64 - l as f64) / (r as f64 + l as f64);
            }
        }
        if n == 0 {
            return None;
        }
        let rank = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
        let (low, high) = (rank(0.025), rank(0.975));
        // The two ranks are selected, not the whole list sorted (the same values: a rank's value
        // in the total order does not depend on how it is found). A balance is finite and never
        // -0 (R - L is +0 when R = L), so `<` orders the values as `f64::total_cmp` does, at
        // less cost. The low rank is among the few smallest values, the high among the few
        // largest: one pass keeps those, in order.
        if let Some(interval) = ranks_from_ends(&values, low, n - 1 - high) {
            return Some(interval);
        }
        // The balances of replicates with a hit (not NaN) moved to the front, and selected.
        let mut kept = 0;
        for k in 0..REPLICATES {
            if !values[k].is_nan() {
                values.swap(kept, k);
                kept += 1;
            }
        }
        let values = &mut values[..kept];
        let by_value = |a: &f64, b: &f64| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
        let (_, &mut high_value, _) = values.select_nth_unstable_by(high, by_value);
        let (_, &mut low_value, _) = values[..=high].select_nth_unstable_by(low, by_value);
        Some((low_value, high_value))
    }
}

/// 2⁵², and the bits of the `f64` 2⁵²: `f64::from_bits(x | EXACT_BITS) - 2⁵²` is `x as f64` for
/// `x` below 2⁵².
const EXACT: u64 = 1 << 52;
const EXACT_BITS: u64 = 0x4330_0000_0000_0000;

/// `lanes` as an array of [`REPLICATES`], or zeros when it is not allocated (empty).
fn full<T: Lane>(lanes: &[T]) -> &[T; REPLICATES] {
    debug_assert!(lanes.is_empty() || lanes.len() == REPLICATES);
    lanes.try_into().unwrap_or(T::ZEROS)
}

/// How many values from either end [`ranks_from_ends`] keeps: the 2.5th and 97.5th
/// percentiles of 1,000 replicates are the 25th value from either end.
const FEW: usize = 32;

/// The `low`-th smallest and the `high`-th largest (0-based) of the values of `values` that are
/// not NaN, from one pass that keeps the few smallest and the few largest in order in two small
/// buffers; `None` when either rank is [`FEW`] or more from its end, or past the values.
fn ranks_from_ends(values: &[f64], low: usize, high: usize) -> Option<(f64, f64)> {
    let mut smallest = Ends::new(low + 1, |a, b| a < b)?;
    let mut largest = Ends::new(high + 1, |a, b| a > b)?;
    // Eight values at a time: once both ends are full, a block none of whose values comes
    // before the last kept at either end (NaN never does) offers nothing, and most blocks are
    // such — one pass of comparisons the processor makes several at a time.
    for block in values.chunks(8) {
        if let (Some(lo), Some(hi)) = (smallest.last(), largest.last()) {
            if !(block.iter()).fold(false, |any, &v| any | (v < lo) | (v > hi)) {
                continue;
            }
        }
        for &v in block.iter().filter(|v| !v.is_nan()) {
            smallest.offer(v);
            largest.offer(v);
        }
    }
    Some((smallest.last()?, largest.last()?))
}

/// The first `keep` values offered in the order `before` (a strict order), kept in that order.
struct Ends<F> {
    first: [f64; FEW],
    keep: usize,
    held: usize,
    before: F,
}

impl<F: Fn(f64, f64) -> bool> Ends<F> {
    fn new(keep: usize, before: F) -> Option<Ends<F>> {
        (keep <= FEW).then_some(Ends {
            first: [0.0; FEW],
            keep,
            held: 0,
            before,
        })
    }

    fn offer(&mut self, v: f64) {
        if self.held == self.keep {
            // Most values come after the last one kept: one comparison.
            if !(self.before)(v, self.first[self.keep - 1]) {
                return;
            }
            self.held -= 1;
        }
        // Insertion in order: the kept values after `v` move up by one.
        let mut at = self.held;
        while at > 0 && (self.before)(v, self.first[at - 1]) {
            self.first[at] = self.first[at - 1];
            at -= 1;
        }
        self.first[at] = v;
        self.held += 1;
    }

    /// The `keep`-th value, if as many were offered.
    fn last(&self) -> Option<f64> {
        (self.held == self.keep).then(|| self.first[self.keep - 1])
    }
}

impl AddAssign<&Replicates> for Replicates {
    fn add_assign(&mut self, o: &Replicates) {
        for (wide, o_wide, o_lanes, o_hits, o_small) in [
            (
                &mut self.left,
                &o.left,
                &o.lanes.left,
                &o.hits.left,
                &o.small.left,
            ),
            (
                &mut self.right,
                &o.right,
                &o.lanes.right,
                &o.hits.right,
                &o.small.right,
            ),
        ] {
            add_scaled(wide, o_wide, 1);
            add_scaled(wide, o_lanes, 1);
            add_scaled(wide, o_hits, HIT);
            add_scaled(wide, o_small, HIT);
        }
    }
}

/// The weights of a cluster with seed `seed` in every replicate (each at most 20).
pub fn weights(seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(REPLICATES);
    fill_weights(seed, &mut out);
    out
}

/// [`weights`] into `out`, replacing what it held: four replicates at a time where the
/// processor has AVX2 (checked at run time), else one by one; the same weights either way.
fn fill_weights(seed: u64, out: &mut Vec<u8>) {
    out.clear();
    out.resize(REPLICATES, 0);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the processor has AVX2 (checked just above).
        unsafe { fill_weights_avx2(seed, out) };
        return;
    }
    fill_weights_one_by_one(seed, out);
}

/// [`fill_weights`] one replicate at a time: the reference the fast version is tested against.
fn fill_weights_one_by_one(seed: u64, out: &mut [u8]) {
    for (r, w) in out.iter_mut().enumerate() {
        *w = poisson_weight(seed, r as u64) as u8;
    }
}

/// [`fill_weights`] four replicates at a time: SplitMix64 in the four 64-bit lanes of an AVX2
/// register (a 64-bit product made of three 32-bit ones, as AVX2 has no 64-bit multiply), and
/// the four thresholds of [`poisson_of`] compared without a branch; the rare lane that passes
/// all four (1.9 % of draws) is finished one by one: about 12.5 instructions a weight, 36 one
/// by one.
///
/// # Safety
/// The processor must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn fill_weights_avx2(seed: u64, out: &mut [u8]) {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi64, _mm256_castsi256_pd, _mm256_cmpeq_epi64, _mm256_cmpgt_epi64,
        _mm256_movemask_pd, _mm256_mul_epu32, _mm256_set1_epi64x, _mm256_set_epi64x,
        _mm256_slli_epi64, _mm256_srli_epi64, _mm256_storeu_si256, _mm256_xor_si256,
    };
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;
    const SIGN: u64 = 1 << 63;
    // a · b mod 2⁶⁴ per lane: lo(a)·lo(b) + (hi(a)·lo(b) + lo(a)·hi(b)) · 2³².
    let times = |a: __m256i, b: u64| {
        let (low, high) = (
            _mm256_set1_epi64x(i64::from(b as u32)),
            _mm256_set1_epi64x((b >> 32) as i64),
        );
        let cross = _mm256_add_epi64(
            _mm256_mul_epu32(_mm256_srli_epi64::<32>(a), low),
            _mm256_mul_epu32(a, high),
        );
        _mm256_add_epi64(_mm256_mul_epu32(a, low), _mm256_slli_epi64::<32>(cross))
    };
    // Unsigned order as signed order once the top bit is flipped.
    let thresholds = [0, 1, 2, 3].map(|k| _mm256_set1_epi64x((POISSON_1[k] ^ SIGN) as i64));
    let sign = _mm256_set1_epi64x(SIGN as i64);
    let four = _mm256_set1_epi64x(4);
    // SplitMix64's state after its step, for replicate r: seed + r·γ + γ.
    let state = |r: u64| seed.wrapping_add(r.wrapping_mul(GAMMA)).wrapping_add(GAMMA) as i64;
    let mut z0 = _mm256_set_epi64x(state(3), state(2), state(1), state(0));
    let step = _mm256_set1_epi64x(GAMMA.wrapping_mul(4) as i64);
    let first = out.len() - out.len() % 4;
    let mut quads = out.chunks_exact_mut(4);
    for (quad, w) in quads.by_ref().enumerate() {
        let mut z = z0;
        z0 = _mm256_add_epi64(z0, step);
        z = times(
            _mm256_xor_si256(z, _mm256_srli_epi64::<30>(z)),
            0xBF58_476D_1CE4_E5B9,
        );
        z = times(
            _mm256_xor_si256(z, _mm256_srli_epi64::<27>(z)),
            0x94D0_49BB_1331_11EB,
        );
        z = _mm256_xor_si256(z, _mm256_srli_epi64::<31>(z));
        let u = _mm256_xor_si256(z, sign);
        // 4 less one for each threshold above u (a compare that holds is −1).
        let mut head = four;
        for t in &thresholds {
            head = _mm256_add_epi64(head, _mm256_cmpgt_epi64(*t, u));
        }
        let mut lanes = [0u64; 4];
        _mm256_storeu_si256(lanes.as_mut_ptr().cast(), head);
        for (w, &h) in w.iter_mut().zip(&lanes) {
            *w = h as u8;
        }
        if _mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpeq_epi64(head, four))) != 0 {
            for (j, w) in w.iter_mut().enumerate() {
                if *w == 4 {
                    *w = poisson_weight(seed, (4 * quad + j) as u64) as u8;
                }
            }
        }
    }
    // (None with REPLICATES, a multiple of four.)
    for (r, w) in (first..).zip(quads.into_remainder()) {
        *w = poisson_weight(seed, r as u64) as u8;
    }
}

/// The largest of `weights` (0 for none), in a fold the processor makes many bytes at a time.
fn largest(weights: &[u8]) -> u8 {
    weights.iter().fold(0, |top, &w| top.max(w))
}

/// The weights of the last cluster seen, kept for its other contrasts and groupings (in one
/// buffer, filled again for the next cluster).
#[derive(Clone, Debug, Default)]
pub struct Weights {
    seed: Option<u64>,
    weights: Vec<u8>,
    /// The largest of them.
    top: u8,
}

impl Weights {
    /// The weights of the cluster with seed `seed` ([`weights`]), computed once in a row, and
    /// the largest of them.
    pub fn of(&mut self, seed: u64) -> (&[u8], u8) {
        if self.seed != Some(seed) {
            fill_weights(seed, &mut self.weights);
            self.top = largest(&self.weights);
            self.seed = Some(seed);
        }
        (&self.weights, self.top)
    }
}

/// The Poisson bootstrap of every contrast over a set of clusters: the replicate sums, and how
/// many clusters have a pole hit (one cluster gets the Wilson interval; fewer than
/// [`FEW_CLUSTERS`] make an interval that charts and the report show as uncertain).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Bootstrap {
    /// Per contrast, the replicate sums.
    pub replicates: Vec<Replicates>,
    clusters: Vec<u64>,
}

impl Bootstrap {
    /// An empty bootstrap of `contrasts` contrasts.
    pub fn new(contrasts: usize) -> Bootstrap {
        Bootstrap {
            replicates: vec![Replicates::default(); contrasts],
            clusters: vec![0; contrasts],
        }
    }

    /// Adds a complete cluster with seed `seed` and, per contrast, its pole sums (L, R).
    pub fn add_cluster(&mut self, weights: &mut Weights, seed: u64, poles: &[(u64, u64)]) {
        for (c, &(left, right)) in poles.iter().enumerate() {
            if left + right == 0 {
                continue;
            }
            self.clusters[c] += 1;
            let (weights, top) = weights.of(seed);
            self.replicates[c].add_topped(weights, top, left, right);
        }
    }

    /// Counts a complete cluster with, per contrast, its pole sums (L, R), among the clusters
    /// with a pole hit, without adding its replicate sums (which come from elsewhere: the sums
    /// of groups that hold every cluster once).
    pub fn count_cluster(&mut self, poles: &[(u64, u64)]) {
        for (n, &(left, right)) in self.clusters.iter_mut().zip(poles) {
            if left + right > 0 {
                *n += 1;
            }
        }
    }

    /// The clusters with a pole hit of contrast `c`.
    pub fn clusters_with_hits(&self, c: usize) -> u64 {
        self.clusters.get(c).copied().unwrap_or(0)
    }
}

impl AddAssign<&Bootstrap> for Bootstrap {
    fn add_assign(&mut self, o: &Bootstrap) {
        for (r, q) in self.replicates.iter_mut().zip(&o.replicates) {
            *r += q;
        }
        for (n, &m) in self.clusters.iter_mut().zip(&o.clusters) {
            *n += m;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn g2_and_log_ratio_by_hand() {
        // a = 30 in c = 1,000 tokens against b = 70 in d = 9,000:
        // E1 = 1000·100/10000 = 10, E2 = 90;
        // G² = 2(30 ln 3 + 70 ln(70/90)) = 2(32.958369 − 17.592010) = 30.732717.
        let g = g2(30, 70, 1_000, 9_000);
        assert!(close(g, 30.732_717, 1e-5), "{g}");
        assert!(chi2_upper(g) < 1e-7);
        // p of G² = 3.841459 is 0.05 (the 95th percentile of χ²₁).
        assert!(close(chi2_upper(3.841_459), 0.05, 1e-6));
        assert_eq!(chi2_upper(0.0), 1.0);
        // log2((30/1000) / (70/9000)) = log2(3.857143) = 1.947533.
        let lr = log_ratio(30, 70, 1_000, 9_000).unwrap();
        assert!(close(lr, 1.947_533, 1e-6), "{lr}");
        // A zero count is 0.5: log2((0.5/1000) / (10/1000)) = log2(0.05) = −4.321928.
        assert!(close(
            log_ratio(0, 10, 1_000, 1_000).unwrap(),
            -4.321_928,
            1e-6
        ));
        assert_eq!(log_ratio(0, 0, 10, 10), None);
        // A zero count adds 0 to G².
        let e1 = 1_000.0 * 10.0 / 2_000.0;
        let expected = 2.0 * 10.0 * (10.0f64 / e1).ln();
        assert!(close(g2(0, 10, 1_000, 1_000), expected, 1e-9));
        assert_eq!(g2(0, 0, 10, 10), 0.0);
    }

    #[test]
    fn garwood_by_table() {
        // Garwood's 95 % limits: 0 → (0, 3.689), 1 → (0.0253, 5.572), 10 → (4.795, 18.390).
        let (l, h) = garwood(0);
        assert!(l == 0.0 && close(h, 3.688_879, 1e-5), "{h}");
        let (l, h) = garwood(1);
        assert!(
            close(l, 0.025_318, 1e-5) && close(h, 5.571_643, 1e-5),
            "{l} {h}"
        );
        let (l, h) = garwood(10);
        assert!(
            close(l, 4.795_389, 1e-5) && close(h, 18.390_356, 1e-5),
            "{l} {h}"
        );
    }

    #[test]
    fn cluster_robust_rate_by_hand() {
        // Three clusters (count, tokens): (2, 100), (4, 100), (6, 200). R = 12/400 = 0.03;
        // residuals 2−3 = −1, 4−3 = 1, 6−6 = 0 → Σ = 2; var(R) = 3/2 · 2 / 400² = 1.875e-5;
        // var(ln R) = 1.875e-5 / 0.0009 = 0.0208333; t(2) = 4.302653.
        let mut s = ClusterSums::default();
        for (c, t) in [(2, 100), (4, 100), (6, 200)] {
            s.add_cluster(c, t);
        }
        let (low, high) = rate_interval(&s).unwrap();
        let half = 4.302_653 * 0.020_833_333f64.sqrt();
        assert!(close(low, 0.03 * (-half).exp(), 1e-6), "{low}");
        assert!(close(high, 0.03 * half.exp(), 1e-6), "{high}");
        // One cluster: Garwood over its tokens.
        let mut one = ClusterSums::default();
        one.add_cluster(10, 1_000);
        let (low, high) = rate_interval(&one).unwrap();
        assert!(close(low, 0.004_795_389, 1e-8) && close(high, 0.018_390_356, 1e-8));
        assert_eq!(rate_interval(&ClusterSums::default()), None);
        // Sums merge by addition, whatever the order.
        let mut a = ClusterSums::default();
        a.add_cluster(6, 200);
        let mut b = ClusterSums::default();
        b.add_cluster(2, 100);
        b.add_cluster(4, 100);
        a += &b;
        assert_eq!(a, s);
    }

    #[test]
    fn weights_drawn_four_at_a_time_are_those_drawn_one_by_one() {
        let seeds = (0..300u64).map(|s| s.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ s);
        for seed in seeds.chain([0, 1, u64::MAX, 1 << 63]) {
            let mut one_by_one = vec![0; REPLICATES];
            fill_weights_one_by_one(seed, &mut one_by_one);
            assert_eq!(weights(seed), one_by_one, "seed {seed:#x}");
            #[cfg(target_arch = "x86_64")]
            if std::arch::is_x86_feature_detected!("avx2") {
                // Any length, the last replicates one by one.
                for len in [0, 1, 3, 4, 5, 7, 9] {
                    let mut fast = vec![9; len];
                    // SAFETY: the processor has AVX2 (checked above).
                    unsafe { fill_weights_avx2(seed, &mut fast) };
                    assert_eq!(fast, one_by_one[..len], "seed {seed:#x}, {len} replicates");
                }
            }
        }
    }

    #[test]
    fn poisson_weights_have_mean_and_variance_one() {
        let mut n = 0u64;
        let (mut sum, mut sum2) = (0u64, 0u64);
        let mut zeros = 0u64;
        for seed in 0..200u64 {
            for w in weights(seed.wrapping_mul(0x1234_5678_9ABC_DEF1))
                .into_iter()
                .map(u64::from)
            {
                n += 1;
                sum += w;
                sum2 += w * w;
                zeros += u64::from(w == 0);
            }
        }
        let mean = sum as f64 / n as f64;
        let var = sum2 as f64 / n as f64 - mean * mean;
        assert!(close(mean, 1.0, 0.01), "{mean}");
        assert!(close(var, 1.0, 0.02), "{var}");
        // P(K = 0) = e⁻¹ = 0.367879.
        assert!(close(zeros as f64 / n as f64, 0.367_879, 0.005));
        // Fixed: the same seed and replicate give the same weight on every platform (these
        // were computed apart, in Python, from the definition).
        let w = weights(42);
        assert_eq!(w[..16], [2, 0, 0, 0, 0, 2, 0, 2, 0, 1, 0, 1, 1, 1, 1, 0]);
        assert_eq!((w[66], w[238]), (4, 5));
        assert_eq!(
            (0..16)
                .map(|r| poisson_weight(42, r) as u8)
                .collect::<Vec<_>>(),
            w[..16]
        );
        assert_eq!(seed_of(&[1; 32]), 0x0101_0101_0101_0101);
        assert_eq!(poisson_of(u64::MAX), MAX_WEIGHT);
    }

    /// The largest pole sum the `u32` lanes take.
    const LANE_LIMIT: u64 = u32::MAX as u64 / MAX_WEIGHT;

    /// Pole sums of whole hits of weight 1: few, and about as many as fill the `u16` lanes of
    /// hits (so that they are emptied into the `u64` sums, or the cluster goes to the `u32`
    /// lanes).
    fn whole_hits() -> impl proptest::strategy::Strategy<Value = u64> {
        let limit = u16::MAX as u64 / MAX_WEIGHT;
        use proptest::strategy::Strategy;
        proptest::prop_oneof![0u64..4, limit / 3..limit / 3 + 2, limit - 2..limit + 2]
            .prop_map(|hits| hits * HIT)
    }

    /// The draw as first written: a scan of the thresholds from the start.
    fn poisson_by_scan(u: u64) -> u64 {
        POISSON_1.iter().take_while(|&&t| t <= u).count() as u64
    }

    #[test]
    fn the_draw_is_the_scan_at_every_threshold() {
        for &t in &POISSON_1 {
            for u in [t.wrapping_sub(1), t, t.wrapping_add(1)] {
                assert_eq!(poisson_of(u), poisson_by_scan(u), "{u:#x}");
            }
        }
        for u in [0, u64::MAX, u64::MAX - 1] {
            assert_eq!(poisson_of(u), poisson_by_scan(u));
        }
        assert_eq!(poisson_of(u64::MAX), 20);
    }

    /// The interval as first written: the balances sorted, then the two ranks read.
    fn interval_by_sort(r: &Replicates) -> Option<(f64, f64)> {
        let mut values: Vec<f64> = (r.pairs())
            .filter(|&(l, r)| l > 0 || r > 0)
            .map(|(l, r)| (r as f64 - l as f64) / (r as f64 + l as f64))
            .collect();
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let rank =
            |q: f64| values[((q * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
        Some((rank(0.025), rank(0.975)))
    }

    proptest::proptest! {
        #[test]
        fn the_draw_is_the_scan(u: u64) {
            proptest::prop_assert_eq!(poisson_of(u), poisson_by_scan(u));
        }

        /// The sums of the arrays per pole are those of (L, R) pairs, on either side of 2³²,
        /// and of the `u32` lanes' limit (a cluster that only just fits, lanes flushed), a pole
        /// without a hit among them.
        #[test]
        fn pole_arrays_are_pairs_of_sums(
            weights in proptest::collection::vec(0u8..=20, REPLICATES),
            poles in proptest::collection::vec(
                (proptest::prop_oneof![0u64..100_000, (1u64 << 32) - 3..(1u64 << 32) + 3, proptest::num::u64::ANY, LANE_LIMIT - 3..LANE_LIMIT + 3, whole_hits(), proptest::strategy::Just(0)],
                 proptest::prop_oneof![0u64..100_000, (1u64 << 32) - 3..(1u64 << 32) + 3, LANE_LIMIT / 2..LANE_LIMIT + 3, whole_hits(), proptest::strategy::Just(0)]),
                1..8,
            ),
        ) {
            let mut r = Replicates::default();
            let mut wide = vec![(0u64, 0u64); REPLICATES];
            for &(left, right) in &poles {
                r.add(&weights, left, right);
                for (s, &w) in wide.iter_mut().zip(&weights) {
                    s.0 = s.0.wrapping_add(u64::from(w).wrapping_mul(left));
                    s.1 = s.1.wrapping_add(u64::from(w).wrapping_mul(right));
                }
            }
            proptest::prop_assert_eq!(r.pairs().collect::<Vec<_>>(), wide.clone());
            // The interval reads the same sums from the lanes and the wide arrays.
            proptest::prop_assert_eq!(r.interval(), interval_by_sort(&r));
            // As serialised: the sums.
            let summed = Summed::from(r.clone());
            let sums: Vec<_> = summed.left.iter().copied().zip(summed.right.iter().copied()).collect();
            proptest::prop_assert_eq!(sums, wide);
            proptest::prop_assert_eq!(Replicates::try_from(summed), Ok(r));
        }

        /// Many clusters, each with its own weights (their largest mostly 5 or 6): the `u8`
        /// lanes fill and are emptied into the `u16` ones, which fill and are emptied into the
        /// `u64` sums; clusters of more hits, and of sums that are not whole hits, go past them.
        #[test]
        fn lanes_emptied_into_lanes_keep_the_sums(
            clusters in proptest::collection::vec(
                (
                    proptest::num::u64::ANY,
                    proptest::prop_oneof![0u64..3, 0u64..60, 4000u64..4100, proptest::strategy::Just(13_000u64)],
                    0u64..3,
                    proptest::bool::weighted(0.05),
                ),
                1..300,
            ),
        ) {
            let mut r = Replicates::default();
            let mut wide = vec![(0u64, 0u64); REPLICATES];
            for &(seed, left, right, part) in &clusters {
                let (left, right) = (left * HIT + u64::from(part), right * HIT);
                let weights = weights(seed);
                r.add(&weights, left, right);
                for (s, &w) in wide.iter_mut().zip(&weights) {
                    s.0 = s.0.wrapping_add(u64::from(w).wrapping_mul(left));
                    s.1 = s.1.wrapping_add(u64::from(w).wrapping_mul(right));
                }
                proptest::prop_assert!(r.small.bound <= u8::MAX.into());
                proptest::prop_assert!(r.hits.bound <= u16::MAX.into());
            }
            proptest::prop_assert_eq!(r.pairs().collect::<Vec<_>>(), wide);
            proptest::prop_assert_eq!(r.interval(), interval_by_sort(&r));
        }

        /// Ranks from either end of the values that are not NaN are the sorted list's, with
        /// ties; a rank [`FEW`] or more from its end, or past the values, is left to the caller.
        #[test]
        fn ranks_from_the_ends_are_the_sorted_ones(
            values in proptest::collection::vec(
                proptest::prop_oneof![proptest::strategy::Strategy::prop_map(-4i32..4, f64::from), proptest::num::f64::NORMAL, proptest::strategy::Just(f64::NAN)],
                0..120,
            ),
            low in 0usize..40,
            high in 0usize..40,
        ) {
            let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len();
            let expected = (low < FEW && high < FEW && low < n && high < n)
                .then(|| (sorted[low], sorted[n - 1 - high]));
            proptest::prop_assert_eq!(ranks_from_ends(&values, low, high), expected);
        }

        /// Selected ranks are the sorted list's, with few replicates with hits (the ranks
        /// coincide) and with many, with ties.
        #[test]
        fn the_selected_interval_is_the_sorted_one(
            sums in proptest::collection::vec((0u64..6, 0u64..6), REPLICATES),
            keep in 0usize..=REPLICATES,
        ) {
            let mut summed = Summed { left: vec![0; REPLICATES], right: vec![0; REPLICATES] };
            for (k, (l, right)) in sums.into_iter().enumerate().take(keep) {
                summed.left[k] = l;
                summed.right[k] = right;
            }
            let r = Replicates::try_from(summed).unwrap();
            proptest::prop_assert_eq!(r.interval(), interval_by_sort(&r));
        }
    }

    #[test]
    fn sums_of_another_length_are_not_read_back() {
        let read = |left: Vec<u64>, right: Vec<u64>| Replicates::try_from(Summed { left, right });
        assert!(read(Vec::new(), vec![3; REPLICATES]).is_ok());
        assert_eq!(
            read(vec![1; 7], Vec::new()),
            Err(format!("replicate sums of 7 values, not {REPLICATES}"))
        );
        assert!(read(vec![1; REPLICATES], vec![1; REPLICATES + 1]).is_err());
        let json = serde_json::json!({"left": [1, 2], "right": []}).to_string();
        let err = serde_json::from_str::<Replicates>(&json).unwrap_err();
        assert!(
            err.to_string().contains("replicate sums of 2 values"),
            "{err}"
        );
    }

    #[test]
    fn clusters_of_a_hit_fill_the_small_lanes_then_the_hits_lanes() {
        // 255 / (largest weight 5–7) clusters of one hit fit the `u8` lanes; 200 fill them
        // several times, and each time they are emptied into the `u16` lanes.
        let mut r = Replicates::default();
        let mut sums = vec![0u64; REPLICATES];
        let mut emptied = 0;
        for seed in 0..200 {
            let before = r.small.bound;
            let weights = weights(seed);
            r.add(&weights, HIT, 0);
            emptied += usize::from(r.small.bound < before);
            for (s, &w) in sums.iter_mut().zip(&weights) {
                *s += u64::from(w) * HIT;
            }
        }
        assert!(emptied >= 4, "{emptied}");
        assert!(r.hits.bound > 0 && r.left.is_empty());
        assert_eq!(r.pairs().map(|(l, _)| l).collect::<Vec<_>>(), sums);
        assert!(r.pairs().all(|(_, right)| right == 0));
    }

    #[test]
    fn replicates_merge_in_any_order() {
        let clusters = [(11u64, 3u64, 5u64), (22, 0, 4), (33, 7, 1), (44, 2, 2)];
        let mut one = Replicates::default();
        for &(seed, l, r) in &clusters {
            one.add(&weights(seed), l, r);
        }
        let mut first = Replicates::default();
        let mut second = Replicates::default();
        for &(seed, l, r) in clusters.iter().rev() {
            let half = if seed < 30 { &mut first } else { &mut second };
            half.add(&weights(seed), l, r);
        }
        second += &first;
        assert_eq!(second, one);
        let (low, high) = one.interval().unwrap();
        assert!(-1.0 <= low && low <= high && high <= 1.0);
        assert_eq!(Replicates::default().interval(), None);
    }

    /// A stream of uniform numbers in (0, 1) for the simulation.
    struct Uniform(u64);

    impl Uniform {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(1);
            ((splitmix64(self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)) >> 11) as f64 + 0.5)
                / (1u64 << 53) as f64
        }

        /// Gamma with an integer shape: a sum of exponentials.
        fn gamma(&mut self, shape: u32, scale: f64) -> f64 {
            -(0..shape).map(|_| self.next().ln()).sum::<f64>() * scale
        }
    }

    /// Coverage by simulation (fixed seeds): 1,000 corpora of 100 documents, Gamma(2, 50)
    /// hits per document, each document's pole share p ~ Beta(6, 4) (mean 0.6: a true balance
    /// of 0.2, hits clustered in documents), R ~ Binomial(hits, p). The Poisson bootstrap
    /// covers 0.2 in 92.5–97.0 % of the corpora; the pooled Wilson interval, which takes the
    /// hits as independent, in less than 80 %.
    #[test]
    fn the_bootstrap_covers_and_pooled_wilson_does_not() {
        let mut u = Uniform(0x7468_656D_6573_636F);
        let (mut bootstrap, mut wilson) = (0, 0);
        let corpora = 1_000;
        for corpus in 0..corpora {
            let mut replicates = Replicates::default();
            let (mut left, mut right) = (0u64, 0u64);
            for doc in 0..100u64 {
                let hits = u.gamma(2, 50.0).round() as u64;
                let (a, b) = (u.gamma(6, 1.0), u.gamma(4, 1.0));
                let p = a / (a + b);
                let r = (0..hits).filter(|_| u.next() < p).count() as u64;
                let l = hits - r;
                let seed = splitmix64(corpus << 32 | doc);
                replicates.add(&weights(seed), l, r);
                left += l;
                right += r;
            }
            let covers = |(low, high): (f64, f64)| low <= 0.2 && 0.2 <= high;
            bootstrap += usize::from(replicates.interval().is_some_and(covers));
            let n = (left + right) as f64;
            let pooled = crate::score::wilson_balance(right as f64 / n, n);
            wilson += usize::from(pooled.is_some_and(covers));
        }
        let share = |k: usize| k as f64 / corpora as f64;
        assert!(
            (0.925..=0.970).contains(&share(bootstrap)),
            "bootstrap coverage {}",
            share(bootstrap)
        );
        assert!(
            share(wilson) < 0.80,
            "pooled Wilson coverage {}",
            share(wilson)
        );
    }
}
