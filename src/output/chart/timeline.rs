//! The contrasts of a date grouping drawn over time.
//!
//! In: a [`GroupChart`] whose groups are the periods of one date column, every period from the
//! first to the last in time order (`(missing)` left out). Out: a panel per contrast, the
//! periods along x, the balance up from −1 to +1: the 95 % interval as a shaded band, the
//! balance as a line through a dot per period, grey dots where the interval comes from fewer
//! than [`FEW_CLUSTERS`] clusters with hits.
//!
//! Guarantees: the time axis is true — a period is one step whatever it holds — and a period
//! without hits of either pole is a gap in the line and the band, never bridged; x labels are
//! period labels at evenly spaced periods (1, 2 or 5 × 10^k apart), as many as fit.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::text::{draw_text, hidden, titled, AxisLabels, PlotBox, TextMode, TICK};
use super::{
    draw_legend, err, note, pixel, poles_panel, title_style, Axis, ChartError, ContrastBar,
    GroupChart, LabelStyle, Swatch, Ticks, BAND, FEW_CLUSTERS, GREY, INK, LIGHT, UNCERTAIN,
};

/// Height of the legend above the panels.
pub const LEGEND: u32 = 64;

/// Height of each contrast's panel.
pub const PANEL: u32 = 320;

/// Most periods that get a whisker for their interval besides the band.
const WHISKERS: usize = 60;

/// The balance axis of every panel.
pub fn balance_axis() -> Axis {
    Axis::new(-1.0, 1.0, 5, false, LabelStyle::Signed)
}

/// The periods labelled along x (indexes into the periods): evenly spaced, at most `max`.
fn labelled_periods(periods: usize, max: usize) -> Vec<usize> {
    if periods <= 1 {
        return (0..periods).collect();
    }
    (Ticks::new(0.0, (periods - 1) as f64, max, true)
        .values
        .iter())
    .map(|&v| v as usize)
    .filter(|&i| i < periods)
    .collect()
}

/// The chart's title.
fn title(g: &GroupChart) -> String {
    let mut title = format!(
        "Contrasts by {} over time: balance per period with its 95 % interval",
        g.spec
    );
    if g.missing_documents > 0 {
        title.push_str(&format!(
            " ({} documents without a date left out)",
            super::thousands(g.missing_documents)
        ));
    }
    title
}

/// Draws `g` as lines over time, a panel per contrast.
pub fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    g: &GroupChart,
    mode: TextMode,
) -> Result<(), ChartError> {
    let area = titled(&area.margin(16, 0, 0, 0), mode, &title(g), &title_style(28))?;
    let (legend, area) = area.split_vertically(LEGEND);
    let few = format!("grey: from fewer than {FEW_CLUSTERS} clusters with hits");
    draw_legend(
        &legend,
        mode,
        &[
            &[
                (
                    Swatch::Line(INK, 2),
                    "balance per period (a gap: no hits in the period)",
                ),
                (Swatch::Dot(UNCERTAIN), few.as_str()),
            ],
            &[(Swatch::Band, "shaded: 95 % interval")],
        ],
    )?;
    let panels = area.split_evenly((g.panels.len().max(1), 1));
    for (panel, data) in panels.iter().zip(&g.panels) {
        let panel = poles_panel(panel, mode, &data.left, &data.right)?;
        draw_panel(&panel, &data.bars, mode)?;
    }
    Ok(())
}

/// One contrast's periods.
fn draw_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    periods: &[ContrastBar],
    mode: TextMode,
) -> Result<(), ChartError> {
    let y_axis = balance_axis();
    let n = periods.len().max(1);
    let (x_area, y_area) = (60, 80);
    let mut chart = ChartBuilder::on(panel)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d(-0.5..n as f64 - 0.5, y_axis.range(-1.05..1.05))
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .label_style(hidden(18))
        .set_all_tick_mark_size(TICK)
        .light_line_style(LIGHT)
        .draw()
        .map_err(err)?;
    let at = |i: usize| i as f64;
    let plot = chart.plotting_area().dim_in_pixel().0;
    let labelled = labelled_periods(periods.len(), ((plot / 130) as usize).clamp(2, 11));
    chart
        .draw_series(
            labelled.iter().map(|&i| {
                PathElement::new(vec![(at(i), -1.05), (at(i), 1.05)], LIGHT.stroke_width(1))
            }),
        )
        .map_err(err)?;
    AxisLabels {
        x: (labelled.iter())
            .map(|&i| {
                (
                    pixel(panel, &chart, &(at(i), -1.05)).0,
                    periods[i].label.clone(),
                )
            })
            .collect(),
        y: (y_axis.labels().into_iter())
            .map(|(v, label)| (pixel(panel, &chart, &(0.0, v)).1, label))
            .collect(),
        x_desc: None,
        y_desc: Some("Balance".to_string()),
        style: title_style(18),
        desc_style: title_style(18),
    }
    .draw(panel, mode, PlotBox::of(panel, &chart), x_area, y_area)?;
    // The band first, under everything; it breaks where a period has no interval.
    for run in runs(periods, |b| b.interval.is_some()) {
        let band: Vec<(f64, f64)> = (run.iter())
            .filter_map(|&i| periods[i].interval.map(|(_, hi)| (at(i), hi)))
            .chain(
                (run.iter().rev()).filter_map(|&i| periods[i].interval.map(|(lo, _)| (at(i), lo))),
            )
            .collect();
        let shape: DynElement<'_, _, _> = match band[..] {
            // One period alone: its interval as a bar a third of a step wide, 4 px at least.
            [(x, hi), (_, lo)] => {
                let width = (plot as f64 / n as f64 / 3.0).max(4.0) as u32;
                PathElement::new(vec![(x, lo), (x, hi)], BAND.stroke_width(width)).into_dyn()
            }
            _ => Polygon::new(band, BAND.filled()).into_dyn(),
        };
        chart.plotting_area().draw(&shape).map_err(err)?;
    }
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(-0.5, 0.0), (n as f64 - 0.5, 0.0)],
            GREY.stroke_width(1),
        )))
        .map_err(err)?;
    if periods.len() <= WHISKERS {
        chart
            .draw_series(periods.iter().enumerate().filter_map(|(i, b)| {
                let (lo, hi) = b.interval?;
                let ink = if b.few_clusters { UNCERTAIN } else { INK };
                Some(PathElement::new(
                    vec![(at(i), lo), (at(i), hi)],
                    ink.mix(0.6).stroke_width(1),
                ))
            }))
            .map_err(err)?;
    }
    for run in runs(periods, |b| b.balance.is_some()) {
        let line: Vec<(f64, f64)> = (run.iter())
            .filter_map(|&i| periods[i].balance.map(|v| (at(i), v)))
            .collect();
        chart
            .draw_series(std::iter::once(PathElement::new(line, INK.stroke_width(2))))
            .map_err(err)?;
    }
    let radius = if periods.len() > 200 { 2 } else { 4 };
    chart
        .draw_series(periods.iter().enumerate().filter_map(|(i, b)| {
            let colour = if b.few_clusters { UNCERTAIN } else { INK };
            Some(Circle::new((at(i), b.balance?), radius, colour.filled()))
        }))
        .map_err(err)?;
    if periods.iter().all(|b| b.balance.is_none()) {
        draw_text(
            panel,
            mode,
            "no hits of either pole",
            pixel(panel, &chart, &(n as f64 / 2.0 - 0.5, 0.5)),
            &note(22, &GREY, HPos::Center, VPos::Center),
        )?;
    }
    Ok(())
}

/// The runs of consecutive periods that `has` holds for, each as its indexes.
fn runs(periods: &[ContrastBar], has: impl Fn(&ContrastBar) -> bool) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut open = false;
    for (i, b) in periods.iter().enumerate() {
        match (has(b), open) {
            (true, true) => out.last_mut().into_iter().for_each(|r| r.push(i)),
            (true, false) => out.push(vec![i]),
            _ => {}
        }
        open = has(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(balance: Option<f64>) -> ContrastBar {
        ContrastBar {
            label: String::new(),
            balance,
            interval: balance.map(|b| (b - 0.1, b + 0.1)),
            hits: 1,
            few_clusters: false,
        }
    }

    #[test]
    fn runs_break_at_periods_without_hits() {
        let periods: Vec<ContrastBar> = [Some(0.1), Some(0.2), None, None, Some(0.3), None]
            .into_iter()
            .map(bar)
            .collect();
        assert_eq!(
            runs(&periods, |b| b.balance.is_some()),
            vec![vec![0, 1], vec![4]]
        );
        assert!(runs(&[], |b| b.balance.is_some()).is_empty());
    }

    #[test]
    fn labels_are_evenly_spaced_periods() {
        assert_eq!(labelled_periods(0, 11), Vec::<usize>::new());
        assert_eq!(labelled_periods(1, 11), vec![0]);
        assert_eq!(labelled_periods(4, 11), vec![0, 1, 2, 3]);
        // 24 decades, 11 labels at most: every 5th.
        assert_eq!(labelled_periods(24, 11), vec![0, 5, 10, 15, 20]);
        // 660 months: every 100th.
        assert_eq!(
            labelled_periods(660, 11),
            vec![0, 100, 200, 300, 400, 500, 600]
        );
    }
}
