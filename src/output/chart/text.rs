//! Chart text: every title, caption, label and note a chart shows goes through [`draw_text`].
//!
//! In: a string, where it is anchored on a drawing area, its style, and a [`TextMode`]. Out:
//! the string drawn — whole for SVG (the viewer lays it out with its own font), glyph by glyph
//! for PNG, each glyph at the pen position plus its left side bearing, from the embedded
//! font's metrics (read by `ab_glyph`, the crate plotters rasterises glyphs with). Plotters'
//! own bitmap text places each glyph's ink at the pen position, dropping its left side bearing,
//! and cuts the pen to whole pixels: a word after a space whose first glyph has a wide bearing
//! ("I", "l") slides into the space ("WhyIsolation"), and glyphs within a word drift ("f
//! oreigners"). Its captions and axis labels are therefore not used:
//! plotters draws axes, tick marks and grid lines, and [`AxisLabels`] and [`titled`] put the
//! text where plotters would.
//!
//! Guarantees: anchoring (left, centre, right; top, centre, bottom) and rotation are those of
//! plotters' `TextStyle`; a string is as wide drawn glyph by glyph as plotters measures it (the
//! same glyphs, advances and scale; no kerning, as plotters has none and the font no `kern`
//! table).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontTransform;

use ab_glyph::{Font, FontRef};

use super::{err, ChartError};

/// The embedded font (parsed once); `None` if it cannot be read, and then text is drawn by
/// plotters alone.
fn embedded() -> Option<&'static FontRef<'static>> {
    static FONT: std::sync::OnceLock<Option<FontRef<'static>>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(epaint_default_fonts::UBUNTU_LIGHT).ok())
        .as_ref()
}

/// How text reaches the drawing backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextMode {
    /// Whole strings: SVG, where the viewer lays text out.
    Strings,
    /// Glyph by glyph at positions from the embedded font's metrics: PNG.
    Glyphs,
}

/// A glyph of a laid-out string, in pixels from the string's start along its baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placed {
    /// The character.
    pub c: char,
    /// The pen position: where the glyph's origin is.
    pub pen: f64,
    /// The glyph's left side bearing: where its ink starts, from its origin.
    pub bearing: f64,
}

/// A string laid out at one font size.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Its glyphs, in order.
    pub glyphs: Vec<Placed>,
    /// Its width: the sum of the advances.
    pub width: f64,
}

/// First strong isolate (U+2068): the text up to the next [`PDI`] takes its direction from
/// itself and does not turn the text around it.
pub const FSI: char = '\u{2068}';
/// Pop directional isolate (U+2069): ends an isolate.
pub const PDI: char = '\u{2069}';

/// `text` as an isolate (between [`FSI`] and [`PDI`], the plain-text `<bdi>`): a label made of
/// a document id or text, so that a right-to-left override (U+202E) or right-to-left script in
/// it cannot reorder the text around it in an SVG viewer. Isolate controls inside `text` are
/// removed, so that none ends the isolate early; the overrides and embeddings it opens end
/// with it. Nothing of this is drawn in PNG ([`invisible`]).
pub fn isolate(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 6);
    out.push(FSI);
    out.extend(
        text.chars()
            .filter(|c| !matches!(c, '\u{2066}'..='\u{2069}')),
    );
    out.push(PDI);
    out
}

/// Characters that show nothing and take no room: directional marks, embeddings, overrides
/// and isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), zero-width spaces and
/// joiners (U+200B–U+200D, U+2060–U+2064, U+FEFF), the soft hyphen and variation selectors.
/// The embedded font has no glyph for them, so drawn glyph by glyph each would be a box: PNG
/// text leaves them out (there is no bidi reordering in PNG text: they would change nothing).
pub fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

/// Where each glyph of `text` goes at font size `size` ([`invisible`] characters left out);
/// `None` without font metrics.
pub fn layout(text: &str, size: f64) -> Option<Line> {
    let font = embedded()?;
    // Pixels per font unit: ab_glyph scales the ascender-to-descender height to the size.
    let scale = size / f64::from(font.height_unscaled());
    let mut pen = 0.0;
    let glyphs = text
        .chars()
        .filter(|&c| !invisible(c))
        .map(|c| {
            let id = font.glyph_id(c);
            let advance = f64::from(font.h_advance_unscaled(id));
            let bearing = f64::from(font.h_side_bearing_unscaled(id));
            let at = Placed {
                c,
                pen,
                bearing: bearing * scale,
            };
            pen += advance * scale;
            at
        })
        .collect();
    Some(Line { glyphs, width: pen })
}

/// Draws `text` on `area`, anchored at `pos` (pixels of `area`) as `style` says.
pub fn draw_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mode: TextMode,
    text: &str,
    pos: (i32, i32),
    style: &TextStyle<'_>,
) -> Result<(), ChartError> {
    let size = style.font.get_size();
    let placed = match mode {
        TextMode::Glyphs => layout(text, size),
        TextMode::Strings => None,
    };
    // `DrawingArea::draw_text`, not a `Text` element: an element's position is clamped to the
    // area, which would pile up the glyphs of a label running past its edge.
    let Some(Line { glyphs, width }) = placed else {
        if mode == TextMode::Glyphs {
            // Without the font's metrics plotters draws the string, as a PNG: nothing to
            // isolate it from, and a box for each invisible character.
            let visible: String = text.chars().filter(|&c| !invisible(c)).collect();
            return area.draw_text(&visible, style, pos).map_err(err);
        }
        return area.draw_text(text, style, pos).map_err(err);
    };
    let start = match style.pos.h_pos {
        HPos::Left => 0.0,
        HPos::Center => -width / 2.0,
        HPos::Right => -width,
    };
    // Along the baseline, which a rotation turns.
    let (dx, dy) = match style.font.get_transform() {
        FontTransform::None => (1, 0),
        FontTransform::Rotate90 => (0, 1),
        FontTransform::Rotate180 => (-1, 0),
        FontTransform::Rotate270 => (0, -1),
    };
    let glyph_style = style.pos(Pos::new(HPos::Left, style.pos.v_pos));
    let mut buf = [0u8; 4];
    for Placed { c, pen, bearing } in glyphs {
        if c.is_whitespace() {
            continue;
        }
        // Plotters draws a glyph's pixel box from its left edge, which lies `floor(bearing)`
        // from the glyph's origin (the rasteriser keeps the fraction inside the box).
        let along = (start + pen).round() as i32 + bearing.floor() as i32;
        area.draw_text(
            c.encode_utf8(&mut buf),
            &glyph_style,
            (pos.0 + dx * along, pos.1 + dy * along),
        )
        .map_err(err)?;
    }
    Ok(())
}

/// Height of a line of text at font size `size`, as plotters measures it.
fn line_height(size: f64) -> i32 {
    (size / 1.24) as i32
}

/// Draws `title` centred at the top of `area`; returns the area below it (spaced as plotters'
/// `DrawingArea::titled`). A title wider than the area is drawn smaller, to fit
/// ([`fitting_size`]); the space it takes stays that of its own size.
pub fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    mode: TextMode,
    title: &str,
    style: &TextStyle<'_>,
) -> Result<DrawingArea<DB, Shift>, ChartError> {
    let size = style.font.get_size();
    let height = line_height(size);
    let padding = (height / 2).min(5);
    let (width, _) = area.dim_in_pixel();
    let fitted = TextStyle {
        font: style.font.resize(fitting_size(title, size, width)),
        ..style.clone()
    };
    draw_text(
        area,
        mode,
        title,
        (width as i32 / 2, padding),
        &fitted.pos(Pos::new(HPos::Center, VPos::Top)),
    )?;
    Ok(area.margin(padding * 2 + height, 0, 0, 0))
}

/// The font size at which `text` fits in `width` pixels less 8 on either side: `size` when it
/// fits at `size`, else smaller, but at least two thirds of `size` (a title longer still runs
/// past the edges rather than shrink past reading). Measured with the embedded font, for SVG
/// files too (a viewer's own font is about as wide).
fn fitting_size(text: &str, size: f64, width: u32) -> f64 {
    let room = f64::from(width.saturating_sub(16));
    match layout(text, size) {
        Some(line) if line.width > room => (size * room / line.width).max(size * 2.0 / 3.0),
        _ => size,
    }
}

/// A chart's plotting area in pixels of the area the chart was built on.
#[derive(Clone, Copy, Debug)]
pub struct PlotBox {
    /// Left edge.
    pub left: i32,
    /// Top edge.
    pub top: i32,
    /// Right edge.
    pub right: i32,
    /// Bottom edge.
    pub bottom: i32,
}

impl PlotBox {
    /// The plotting area of `chart`, built on `area`.
    pub fn of<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
        area: &DrawingArea<DB, Shift>,
        chart: &ChartContext<'_, DB, CT>,
    ) -> PlotBox {
        let (bx, by) = area.get_base_pixel();
        let plot = chart.plotting_area();
        let (x, y) = plot.get_base_pixel();
        let (w, h) = plot.dim_in_pixel();
        PlotBox {
            left: x - bx,
            top: y - by,
            right: x - bx + w as i32,
            bottom: y - by + h as i32,
        }
    }
}

/// Tick marks are this long; labels stand twice as far from the axis (plotters' spacing).
pub const TICK: i32 = 5;

/// The text around a chart's plot: labels below it (x) and left of it (y), each at its pixel
/// along the axis, and the axes' descriptions beyond them.
pub struct AxisLabels<'a> {
    /// (x pixel in the area, label).
    pub x: Vec<(i32, String)>,
    /// (y pixel in the area, label).
    pub y: Vec<(i32, String)>,
    /// Under the x labels, at the bottom of the x label area.
    pub x_desc: Option<String>,
    /// Left of the y labels, turned to read upwards.
    pub y_desc: Option<String>,
    /// Style of the labels.
    pub style: TextStyle<'a>,
    /// Style of the descriptions.
    pub desc_style: TextStyle<'a>,
}

impl AxisLabels<'_> {
    /// Draws the labels around `plot`, whose x labels have `x_area` pixels below it and y
    /// labels `y_area` pixels left of it.
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        mode: TextMode,
        plot: PlotBox,
        x_area: i32,
        y_area: i32,
    ) -> Result<(), ChartError> {
        let x_style = self.style.pos(Pos::new(HPos::Center, VPos::Top));
        for (x, label) in &self.x {
            draw_text(area, mode, label, (*x, plot.bottom + 2 * TICK), &x_style)?;
        }
        let y_style = self.style.pos(Pos::new(HPos::Right, VPos::Center));
        for (y, label) in &self.y {
            draw_text(area, mode, label, (plot.left - 2 * TICK, *y), &y_style)?;
        }
        if let Some(desc) = &self.x_desc {
            draw_text(
                area,
                mode,
                desc,
                ((plot.left + plot.right) / 2, plot.bottom + x_area),
                &self.desc_style.pos(Pos::new(HPos::Center, VPos::Bottom)),
            )?;
        }
        if let Some(desc) = &self.y_desc {
            let style = self
                .desc_style
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top));
            draw_text(
                area,
                mode,
                desc,
                (plot.left - y_area, (plot.top + plot.bottom) / 2),
                &style,
            )?;
        }
        Ok(())
    }
}

/// A style that plotters' own labels are given, so that they take their room but do not show.
pub fn hidden(size: u32) -> TextStyle<'static> {
    (super::FONT, size).into_font().color(&TRANSPARENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders `text` at font size `size` into a white 800 × 160 bitmap, left-anchored at
    /// (20, 40); returns per column whether it holds ink.
    fn ink_columns(text: &str, size: f64, mode: TextMode) -> Vec<bool> {
        super::super::register_font().expect("the embedded font");
        let (w, h) = (800usize, 160usize);
        let mut buf = vec![255u8; w * h * 3];
        {
            let area =
                BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
            let style = (super::super::FONT, size)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Top));
            match mode {
                TextMode::Glyphs => draw_text(&area, mode, text, (20, 40), &style),
                // What plotters draws by itself.
                TextMode::Strings => area
                    .draw(&Text::new(text.to_string(), (20, 40), style))
                    .map_err(err),
            }
            .expect("drawn");
            area.present().expect("presented");
        }
        (0..w)
            .map(|x| (0..h).any(|y| buf[(y * w + x) * 3] < 128))
            .collect()
    }

    /// The first column with ink at or after `from`, and the first blank one after that.
    fn next_ink(columns: &[bool], from: usize) -> (usize, usize) {
        let start = (from..columns.len()).find(|&x| columns[x]).expect("ink");
        let end = (start..columns.len())
            .find(|&x| !columns[x])
            .expect("a blank");
        (start, end)
    }

    #[test]
    fn a_title_too_wide_for_its_chart_is_drawn_smaller_to_fit() {
        super::super::register_font().expect("the embedded font");
        let short = "Rates by party";
        assert_eq!(fitting_size(short, 28.0, 1600), 28.0);
        // A SPEC of three crossed columns with the arrows' note: wider than 1,600 px at 28 px.
        let long = "Keyness by party+outlet+date:decade: each theme's log2 ratio, group against \
                    the rest, 95 % intervals (grey: fewer than 10 clusters; arrows: past the axis)";
        let wide = layout(long, 28.0).expect("metrics").width;
        assert!(wide > 1600.0, "{wide}");
        let size = fitting_size(long, 28.0, 1600);
        let fitted = layout(long, size).expect("metrics").width;
        assert!(
            size < 28.0 && (fitted - 1584.0).abs() < 0.01,
            "{size}: {fitted}"
        );
        // Never below two thirds of the size: past that a title runs over the edges.
        assert_eq!(fitting_size(&long.repeat(3), 28.0, 1600), 28.0 * 2.0 / 3.0);
    }

    #[test]
    fn a_space_before_a_wide_bearing_keeps_its_width() {
        // "y I" at 100 px: y (advance 474 units, ink to its advance), a space (228), then I,
        // whose ink starts 90 units into its box. 1121 units make 100 px.
        let px = |units: f64| units * 100.0 / 1121.0;
        let columns = ink_columns("y I", 100.0, TextMode::Glyphs);
        let (_, y_end) = next_ink(&columns, 0);
        let (i_start, _) = next_ink(&columns, y_end);
        // I's ink starts where the pen puts I plus its bearing: 20 + 70.6 px.
        let want = 20.0 + px(474.0 + 228.0 + 90.0);
        assert!(
            (i_start as f64 - want).abs() <= 1.0,
            "I at {i_start}, want {want}"
        );
        // A blank the width of the space and I's bearing (28.4 px) between y's ink (which
        // may reach a pixel past its advance) and I's.
        let gap = (i_start - y_end) as f64;
        assert!(gap >= px(228.0 + 90.0) - 2.0, "gap {gap}");
        // Plotters' own drawing of the same string loses the bearing and truncates the pen:
        // I lands 8 px early, so the checks above are ones it fails.
        let theirs = ink_columns("y I", 100.0, TextMode::Strings);
        let (_, y_end) = next_ink(&theirs, 0);
        let (i_start, _) = next_ink(&theirs, y_end);
        assert!((i_start as f64) < want - 5.0, "{i_start}");
        assert!(((i_start - y_end) as f64) < px(228.0 + 90.0) - 5.0);
    }

    #[test]
    fn glyphs_stay_where_the_font_puts_them_within_a_word() {
        // "foreigners" at 60 px: each glyph's ink starts at its pen position plus its bearing,
        // to the pixel.
        let text = "foreigners";
        let columns = ink_columns(text, 60.0, TextMode::Glyphs);
        let line = layout(text, 60.0).expect("metrics");
        let first = columns.iter().position(|&c| c).expect("ink");
        assert!((first as f64 - (20.0 + line.glyphs[0].bearing)).abs() <= 1.0);
        // The last glyph's ink ends within its advance of the string's width.
        let last = columns.iter().rposition(|&c| c).expect("ink");
        assert!(
            (last as f64) < 20.0 + line.width + 1.0,
            "{last} vs {}",
            line.width
        );
    }

    #[test]
    fn invisible_characters_take_no_room_and_draw_no_box() {
        let plain = "Hamhung.txt";
        let marked = "\u{2068}Ham\u{202E}hung\u{200F}.\u{200B}txt\u{2069}\u{FEFF}";
        let (a, b) = (
            layout(plain, 40.0).expect("metrics"),
            layout(marked, 40.0).expect("metrics"),
        );
        assert_eq!(a, b);
        // Drawn, the same ink to the pixel: no box for any of them.
        assert_eq!(
            ink_columns(plain, 40.0, TextMode::Glyphs),
            ink_columns(marked, 40.0, TextMode::Glyphs)
        );
        // Isolated: between FSI and PDI, with isolate controls of its own removed.
        assert_eq!(
            isolate("a\u{2069}b\u{202E}c"),
            "\u{2068}ab\u{202E}c\u{2069}"
        );
    }

    #[test]
    fn anchors_and_turns_place_the_string_as_plotters_would() {
        let width = layout("Balance", 18.0).expect("metrics").width;
        let style: TextStyle = (super::super::FONT, 18.0).into_font().into();
        let (theirs, _) = style.font.box_size("Balance").expect("a layout");
        assert!((width.floor() - f64::from(theirs)).abs() <= 1.0);
        // Centred: ink on both sides of the anchor, evenly.
        super::super::register_font().expect("the embedded font");
        let (w, h) = (200usize, 200usize);
        let mut buf = vec![255u8; w * h * 3];
        {
            let area =
                BitMapBackend::with_buffer(&mut buf, (w as u32, h as u32)).into_drawing_area();
            let turned = style
                .color(&BLACK)
                .transform(FontTransform::Rotate270)
                .pos(Pos::new(HPos::Center, VPos::Top));
            draw_text(&area, TextMode::Glyphs, "Balance", (100, 100), &turned).expect("drawn");
            area.present().expect("presented");
        }
        let ink = |x: usize, y: usize| buf[(y * w + x) * 3] < 128;
        let rows: Vec<usize> = (0..h).filter(|&y| (0..w).any(|x| ink(x, y))).collect();
        let cols: Vec<usize> = (0..w).filter(|&x| (0..h).any(|y| ink(x, y))).collect();
        // Read upwards: the string runs along y, centred on 100, and sits right of x = 100.
        let (top, bottom) = (rows[0] as f64, rows[rows.len() - 1] as f64);
        assert!(
            (bottom - top - width).abs() <= 3.0,
            "{top}..{bottom} vs {width}"
        );
        assert!(
            ((top + bottom) / 2.0 - 100.0).abs() <= 2.0,
            "{top}..{bottom}"
        );
        assert!(cols[0] >= 90 && cols[cols.len() - 1] < 125, "{cols:?}");
    }
}
