//! Numeric axes: where an axis gets its tick labels, and how each label reads.
//!
//! In: an axis range, the most labels it has room for, whether it counts whole things, and how
//! its labels are written. Out: an [`Axis`] (tick values and their labels, plain data the tests
//! check) and, for plotters, a [`TickedRange`] that draws exactly those ticks with exactly those
//! labels.
//!
//! Why not plotters' own key points: plotters picks ticks by itself and leaves the caller to
//! format them without knowing the step, so a formatter with too few decimals prints neighbours
//! alike (the drivers chart read `2 2 2 1 0 0 0 1 2 2 2` with ticks at half steps). Here the
//! step is chosen first, from 1, 2 or 5 × 10^k (never below 1 for counts), and each label has
//! exactly the decimals of the step.
//!
//! Guarantees: tick values are ascending multiples of the step within the range; each is the
//! double nearest to its decimal label, so a label parses back to its tick; labels are distinct
//! (for [`LabelStyle::Magnitude`], on each side of zero).

use std::ops::Range;

use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use serde::Serialize;

/// Most decimals a tick label may need (a step of 10⁻¹²; charts use far fewer).
const MAX_DECIMALS: i32 = 12;

/// The ticks of an axis: multiples of one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ticks {
    /// Tick values, ascending.
    pub values: Vec<f64>,
    /// Decimals a label shows: those of the step.
    pub decimals: usize,
}

impl Ticks {
    /// Ticks over `lo..=hi`: the multiples of the smallest step of 1, 2 or 5 × 10^k of which at
    /// most `max` fall in the range; with `whole`, the step is at least 1 (an axis of counts).
    /// No ticks for an empty or non-finite range.
    pub fn new(lo: f64, hi: f64, max: usize, whole: bool) -> Ticks {
        let none = Ticks {
            values: Vec::new(),
            decimals: 0,
        };
        let span = hi - lo;
        if !span.is_finite() || span <= 0.0 || max == 0 {
            return none;
        }
        // One power of ten below the step that would give exactly `max` ticks: the search goes
        // up from there, so the first fit is the finest.
        let mut exp = ((span / max as f64).log10().floor() as i32 - 1).max(-MAX_DECIMALS);
        if whole {
            exp = exp.max(0);
        }
        // A power of ten is at most 10³⁰⁸; past that the range is not one to draw.
        while exp <= 308 {
            for mantissa in [1i64, 2, 5] {
                let step = mantissa as f64 * 10f64.powi(exp);
                // A hair of slack, so that a range ending on a multiple keeps it despite the
                // rounding of the division.
                let first = (lo / step - 1e-9).ceil();
                let last = (hi / step + 1e-9).floor();
                let count = last - first + 1.0;
                if count > max as f64 {
                    continue;
                }
                let values = (first as i64..=last as i64)
                    .map(|k| decimal(k * mantissa, exp))
                    .collect();
                return Ticks {
                    values,
                    decimals: (-exp).max(0) as usize,
                };
            }
            exp += 1;
        }
        none
    }
}

/// `units × 10^exp` as the double nearest to that decimal (one correctly rounded operation on
/// exact operands: `units` below 2⁵³, a power of ten up to 10²² is exact).
fn decimal(units: i64, exp: i32) -> f64 {
    if exp >= 0 {
        units as f64 * 10f64.powi(exp)
    } else {
        units as f64 / 10f64.powi(-exp)
    }
}

/// How an axis writes its labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LabelStyle {
    /// The number: `0.5`.
    Plain,
    /// The number and a per cent sign: `50 %`.
    Percent,
    /// The number with its sign, zero bare: `-0.5`, `0`, `+0.5` (a balance).
    Signed,
    /// The number without its sign: both halves of a diverging axis count up from zero.
    Magnitude,
}

/// A numeric axis: its ticks and how they are labelled.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Axis {
    /// The ticks.
    pub ticks: Ticks,
    /// How labels are written.
    pub style: LabelStyle,
    /// Whether it counts whole things (ticks at whole numbers only).
    pub whole: bool,
}

impl Axis {
    /// An axis over `lo..=hi` with at most `max` labels (see [`Ticks::new`]).
    pub fn new(lo: f64, hi: f64, max: usize, whole: bool, style: LabelStyle) -> Axis {
        Axis {
            ticks: Ticks::new(lo, hi, max, whole),
            style,
            whole,
        }
    }

    /// The label of value `v` (a tick of this axis).
    pub fn label(&self, v: f64) -> String {
        let d = self.ticks.decimals;
        // `+ 0.0` turns a negative zero into zero: no "-0" label.
        let v = v + 0.0;
        match self.style {
            LabelStyle::Plain => format!("{v:.d$}"),
            LabelStyle::Percent => format!("{v:.d$} %"),
            LabelStyle::Signed if v == 0.0 => "0".to_string(),
            LabelStyle::Signed => format!("{v:+.d$}"),
            LabelStyle::Magnitude => format!("{:.d$}", v.abs()),
        }
    }

    /// Each tick with its label, in axis order.
    pub fn labels(&self) -> Vec<(f64, String)> {
        self.ticks
            .values
            .iter()
            .map(|&v| (v, self.label(v)))
            .collect()
    }

    /// The value a label of this axis reads as (the inverse of [`Axis::label`], up to the sign
    /// for [`LabelStyle::Magnitude`]).
    pub fn read(&self, label: &str) -> Option<f64> {
        let number = match self.style {
            LabelStyle::Percent => label.strip_suffix(" %")?,
            _ => label,
        };
        number.parse().ok()
    }

    /// The range `lo..hi` drawn with these ticks (bold lines and labels) and a light line
    /// halfway between ticks (not on an axis of whole counts, where halves mean nothing).
    pub fn range(&self, range: Range<f64>) -> TickedRange {
        let light = if self.whole {
            Vec::new()
        } else {
            self.ticks
                .values
                .windows(2)
                .map(|w| (w[0] + w[1]) / 2.0)
                .collect()
        };
        TickedRange {
            inner: range.into(),
            axis: self.clone(),
            light,
        }
    }
}

/// A plotters coordinate that draws the ticks of an [`Axis`], labelled as the axis says.
pub struct TickedRange {
    inner: RangedCoordf64,
    axis: Axis,
    light: Vec<f64>,
}

impl Ranged for TickedRange {
    type ValueType = f64;
    type FormatOption = NoDefaultFormatting;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.axis.ticks.values.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

impl ValueFormatter<f64> for TickedRange {
    fn format(value: &f64) -> String {
        value.to_string()
    }

    fn format_ext(&self, value: &f64) -> String {
        self.axis.label(*value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(axis: &Axis) -> Vec<String> {
        axis.labels().into_iter().map(|(_, l)| l).collect()
    }

    #[test]
    fn half_steps_are_not_rounded_to_whole_counts() {
        // The drivers chart of the essay: at most 2 hits a term, the axis to ±2.5.
        let axis = Axis::new(-2.5, 2.5, 11, true, LabelStyle::Magnitude);
        assert_eq!(axis.ticks.values, [-2.0, -1.0, 0.0, 1.0, 2.0]);
        assert_eq!(labels(&axis), ["2", "1", "0", "1", "2"]);
        // Fractional weights: half steps, with the decimal they need.
        let axis = Axis::new(-2.5, 2.5, 11, false, LabelStyle::Magnitude);
        assert_eq!(
            labels(&axis),
            ["2.5", "2.0", "1.5", "1.0", "0.5", "0.0", "0.5", "1.0", "1.5", "2.0", "2.5"]
        );
    }

    /// The labels of `Axis::new(lo, hi, max, whole, style)`.
    fn axis_labels(lo: f64, hi: f64, max: usize, whole: bool, style: LabelStyle) -> Vec<String> {
        labels(&Axis::new(lo, hi, max, whole, style))
    }

    #[test]
    fn steps_follow_the_range() {
        use LabelStyle::*;
        // Theme rates over the essay (the largest 34.4 per 1,000, the axis 15 % further).
        assert_eq!(
            axis_labels(0.0, 39.56, 10, false, Plain),
            ["0", "5", "10", "15", "20", "25", "30", "35"]
        );
        // Small rates: two decimals, and 0.06 as typed, not 0.06000000000000001.
        assert_eq!(
            axis_labels(0.0, 0.13, 10, false, Plain),
            ["0.00", "0.02", "0.04", "0.06", "0.08", "0.10", "0.12"]
        );
        assert_eq!(Ticks::new(0.0, 0.13, 10, false).values[3], 0.06);
        assert_eq!(
            axis_labels(-1.0, 1.0, 5, false, Plain),
            ["-1.0", "-0.5", "0.0", "0.5", "1.0"]
        );
        assert_eq!(
            axis_labels(-1.0, 1.0, 5, false, Signed),
            ["-1.0", "-0.5", "0", "+0.5", "+1.0"]
        );
        assert_eq!(
            axis_labels(0.0, 100.0, 11, true, Percent),
            [
                "0 %", "10 %", "20 %", "30 %", "40 %", "50 %", "60 %", "70 %", "80 %", "90 %",
                "100 %"
            ]
        );
        // Large counts.
        assert_eq!(
            axis_labels(-1_250_000.0, 1_250_000.0, 11, true, Magnitude),
            ["1000000", "500000", "0", "500000", "1000000"]
        );
        // Whole counts on a tiny range: only the whole numbers in it.
        assert_eq!(
            axis_labels(-1.25, 1.25, 11, true, Magnitude),
            ["1", "0", "1"]
        );
        // A range away from zero.
        assert_eq!(
            axis_labels(3.7, 4.3, 4, false, Plain),
            ["3.8", "4.0", "4.2"]
        );
    }

    #[test]
    fn no_ticks_for_a_range_that_is_not_one() {
        for (lo, hi) in [
            (1.0, 1.0),
            (2.0, 1.0),
            (0.0, f64::NAN),
            (0.0, f64::INFINITY),
        ] {
            assert!(
                Ticks::new(lo, hi, 10, false).values.is_empty(),
                "{lo}..{hi}"
            );
        }
        assert!(Ticks::new(0.0, 1.0, 0, false).values.is_empty());
    }

    proptest::proptest! {
        #[test]
        fn labels_are_distinct_and_read_as_their_ticks(
            lo in -1.0e7f64..1.0e7,
            span in 1.0e-6f64..1.0e7,
            max in 2usize..16,
            whole in proptest::bool::ANY,
        ) {
            let hi = lo + span;
            for style in [LabelStyle::Plain, LabelStyle::Percent, LabelStyle::Signed] {
                let axis = Axis::new(lo, hi, max, whole, style);
                let t = &axis.ticks;
                proptest::prop_assert!(t.values.len() <= max);
                if !whole && max >= 5 {
                    // The step below gave more than `max` ticks: this one gives at least two.
                    proptest::prop_assert!(t.values.len() >= 2, "{:?}", t);
                }
                let slack = span * 1e-6;
                for w in t.values.windows(2) {
                    proptest::prop_assert!(w[0] < w[1]);
                }
                for (v, label) in axis.labels() {
                    proptest::prop_assert!(lo - slack <= v && v <= hi + slack, "{} outside {}..{}", v, lo, hi);
                    proptest::prop_assert_eq!(axis.read(&label), Some(v + 0.0), "{}", label);
                    if whole {
                        proptest::prop_assert_eq!(v.fract(), 0.0);
                    }
                }
                let mut seen: Vec<String> = labels(&axis);
                seen.dedup();
                proptest::prop_assert_eq!(seen.len(), t.values.len());
            }
        }
    }
}
