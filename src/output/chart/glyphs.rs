//! Glyph metrics of the embedded font: where each glyph of a string goes.
//!
//! In: the bytes of a TrueType font (the one compiled in). Out: per character its glyph's
//! advance and left side bearing, in font units, and the scale plotters draws a font size at.
//!
//! Why: plotters' `ab_glyph` text drawing places each glyph's ink at the pen position, dropping
//! the glyph's left side bearing (`OutlinedGlyph::draw` counts from the glyph's pixel bounds,
//! and plotters adds only the pen position), and truncates the pen to whole pixels. A word
//! after a space whose first glyph has a wide bearing ("I", "l", "i") moves left into the
//! space ("WhyIsolation"), and glyphs within a word drift by a pixel or two ("f oreigners").
//! [`super::text`] draws each glyph at the pen position plus its bearing instead, with the
//! metrics read here. ab_glyph is not a dependency of ours (plotters uses it), so the few
//! tables needed are read directly: `cmap` (formats 4 and 12), `hhea`, `hmtx`, `maxp`, `OS/2`.
//!
//! Guarantees: the same glyph for each character, the same advances and the same scale as
//! ab_glyph (through ttf-parser) gives plotters, so glyphs land where plotters measures the
//! string to be (the tests compare the two); no kerning, as ab_glyph reads only the legacy
//! `kern` table, which the embedded font lacks. Malformed or truncated tables give `None`,
//! never a panic.

/// A font's horizontal metrics.
#[derive(Debug)]
pub struct FontMetrics<'a> {
    /// The Unicode `cmap` subtables (format 4 or 12) in table order.
    cmaps: Vec<&'a [u8]>,
    /// The `hmtx` table.
    hmtx: &'a [u8],
    /// Glyphs with an advance of their own in `hmtx`.
    long_metrics: u16,
    /// Glyphs in the font.
    glyphs: u16,
    /// Ascender minus descender, in font units: the height a font size is scaled to.
    height: f64,
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn i16_at(data: &[u8], at: usize) -> Option<i16> {
    Some(i16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The table `tag` of a font.
fn table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let count = usize::from(u16_at(font, 4)?);
    (0..count).find_map(|i| {
        let record = 12 + 16 * i;
        if font.get(record..record + 4)? != tag {
            return None;
        }
        let offset = u32_at(font, record + 8)? as usize;
        let length = u32_at(font, record + 12)? as usize;
        font.get(offset..offset.checked_add(length)?)
    })
}

impl<'a> FontMetrics<'a> {
    /// Reads the metrics of a TrueType font.
    pub fn parse(font: &'a [u8]) -> Option<FontMetrics<'a>> {
        let hhea = table(font, b"hhea")?;
        let hmtx = table(font, b"hmtx")?;
        let maxp = table(font, b"maxp")?;
        let cmap = table(font, b"cmap")?;
        // Ascender and descender as ttf-parser reads them: the typographic ones from `OS/2`
        // when its USE_TYPO_METRICS bit is set, else `hhea`'s (then `OS/2`'s when those are 0).
        let os2 = table(font, b"OS/2");
        let typo = os2.and_then(|t| Some((i16_at(t, 68)?, i16_at(t, 70)?)));
        let use_typo = os2
            .and_then(|t| u16_at(t, 62))
            .is_some_and(|f| f & (1 << 7) != 0);
        let hhea_pair = (i16_at(hhea, 4)?, i16_at(hhea, 6)?);
        let windows = os2.and_then(|t| Some((u16_at(t, 74)? as i16, -(u16_at(t, 76)? as i16))));
        let pick = |hhea: i16, typo: Option<i16>, windows: Option<i16>| {
            if hhea != 0 {
                hhea
            } else {
                match typo {
                    Some(t) if t != 0 => t,
                    _ => windows.unwrap_or(0),
                }
            }
        };
        let (ascender, descender) = match typo {
            Some(t) if use_typo => t,
            _ => (
                pick(hhea_pair.0, typo.map(|t| t.0), windows.map(|w| w.0)),
                pick(hhea_pair.1, typo.map(|t| t.1), windows.map(|w| w.1)),
            ),
        };
        let height = f64::from(ascender) - f64::from(descender);
        if height <= 0.0 {
            return None;
        }
        let cmaps = (0..usize::from(u16_at(cmap, 2)?))
            .filter_map(|i| {
                let record = 4 + 8 * i;
                let (platform, encoding) = (u16_at(cmap, record)?, u16_at(cmap, record + 2)?);
                let sub = cmap.get(u32_at(cmap, record + 4)? as usize..)?;
                let format = u16_at(sub, 0)?;
                let unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
                (unicode && (format == 4 || format == 12)).then_some(sub)
            })
            .collect();
        Some(FontMetrics {
            cmaps,
            hmtx,
            long_metrics: u16_at(hhea, 34)?,
            glyphs: u16_at(maxp, 4)?,
            height,
        })
    }

    /// The glyph of character `c`: from the first Unicode subtable that maps it, else 0 (the
    /// font's "missing glyph"), as ab_glyph does.
    pub fn glyph(&self, c: char) -> u16 {
        let c = u32::from(c);
        self.cmaps
            .iter()
            .find_map(|sub| match u16_at(sub, 0)? {
                4 => format4(sub, c),
                _ => format12(sub, c),
            })
            .unwrap_or(0)
    }

    /// A glyph's advance and left side bearing, in font units (zero for a glyph the font does
    /// not have).
    pub fn h_metrics(&self, glyph: u16) -> (f64, f64) {
        let read = || -> Option<(f64, f64)> {
            if glyph >= self.glyphs || self.long_metrics == 0 {
                return None;
            }
            let long = usize::from(self.long_metrics);
            let g = usize::from(glyph);
            if g < long {
                Some((
                    f64::from(u16_at(self.hmtx, 4 * g)?),
                    f64::from(i16_at(self.hmtx, 4 * g + 2)?),
                ))
            } else {
                // Past the long metrics, glyphs share the last advance and list a bearing.
                Some((
                    f64::from(u16_at(self.hmtx, 4 * (long - 1))?),
                    f64::from(i16_at(self.hmtx, 4 * long + 2 * (g - long))?),
                ))
            }
        };
        read().unwrap_or((0.0, 0.0))
    }

    /// Pixels per font unit at font size `size`, as plotters draws it (ab_glyph scales the
    /// ascender-to-descender height to the size).
    pub fn scale(&self, size: f64) -> f64 {
        size / self.height
    }
}

/// A `cmap` format 4 lookup (segments of the Basic Multilingual Plane).
fn format4(sub: &[u8], c: u32) -> Option<u16> {
    let c = u16::try_from(c).ok()?;
    let segments = usize::from(u16_at(sub, 6)? / 2);
    let ends = 14;
    let starts = ends + 2 * segments + 2;
    let deltas = starts + 2 * segments;
    let offsets = deltas + 2 * segments;
    // Segments are sorted by end code: the first that ends at or after `c`.
    let (mut lo, mut hi) = (0, segments);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if u16_at(sub, ends + 2 * mid)? < c {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    let s = lo;
    if s >= segments || u16_at(sub, starts + 2 * s)? > c {
        return None;
    }
    let start = u16_at(sub, starts + 2 * s)?;
    let delta = u16_at(sub, deltas + 2 * s)?;
    let range_offset = u16_at(sub, offsets + 2 * s)?;
    let glyph = if range_offset == 0 {
        c.wrapping_add(delta)
    } else {
        // An offset from the offset's own place into the glyph index array.
        let at = offsets + 2 * s + usize::from(range_offset) + 2 * usize::from(c - start);
        match u16_at(sub, at)? {
            0 => 0,
            g => g.wrapping_add(delta),
        }
    };
    (glyph != 0).then_some(glyph)
}

/// A `cmap` format 12 lookup (groups of code points over all of Unicode).
fn format12(sub: &[u8], c: u32) -> Option<u16> {
    let groups = u32_at(sub, 12)? as usize;
    (0..groups).find_map(|i| {
        let at = 16 + 12 * i;
        let (first, last) = (u32_at(sub, at)?, u32_at(sub, at + 4)?);
        if (first..=last).contains(&c) {
            u16::try_from(u32_at(sub, at + 8)? + (c - first)).ok()
        } else {
            None
        }
    })
}

/// The metrics of the embedded font (read once); `None` if they cannot be read, and then text
/// is drawn by plotters alone.
pub fn embedded() -> Option<&'static FontMetrics<'static>> {
    static METRICS: std::sync::OnceLock<Option<FontMetrics<'static>>> = std::sync::OnceLock::new();
    METRICS
        .get_or_init(|| FontMetrics::parse(epaint_default_fonts::UBUNTU_LIGHT))
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::style::{IntoFont, TextStyle};

    fn metrics() -> &'static FontMetrics<'static> {
        embedded().expect("the embedded font's metrics")
    }

    #[test]
    fn the_embedded_font_reads_as_ab_glyph_reads_it() {
        let m = metrics();
        // Values ab_glyph 0.2 gives for Ubuntu Light (units per em 1000; hhea ascender 932,
        // descender -189; `OS/2` does not ask for its typographic metrics).
        assert_eq!(m.height, 1121.0);
        let units = |c: char| m.h_metrics(m.glyph(c));
        assert_eq!((m.glyph(' '), units(' ')), (3, (228.0, 0.0)));
        assert_eq!((m.glyph('I'), units('I')), (44, (248.0, 90.0)));
        assert_eq!((m.glyph('y'), units('y')), (92, (474.0, 1.0)));
        assert_eq!(m.glyph('a'), 68);
        // Outside the font: the missing glyph, as ab_glyph.
        assert_eq!(m.glyph('함'), 0);
        assert_eq!(m.h_metrics(u16::MAX), (0.0, 0.0));
    }

    #[test]
    fn advances_add_up_to_the_width_plotters_measures() {
        super::super::register_font().expect("the embedded font");
        let m = metrics();
        for size in [15.0, 18.0, 22.0, 28.0, 34.0] {
            let style: TextStyle = (super::super::FONT, size).into_font().into();
            for text in [
                "Why Isolation vs Openness is where it is",
                "few foreigners",
                "State & ideology 2",
                "«Ünïcödé» – “quotes” … 1,000",
                "a",
            ] {
                let ours: f64 = text
                    .chars()
                    .map(|c| m.h_metrics(m.glyph(c)).0 * m.scale(size))
                    .sum();
                let (theirs, _) = style.font.box_size(text).expect("a layout");
                // Plotters truncates its sum (kept in f32) to whole pixels.
                assert!(
                    (ours.floor() - f64::from(theirs)).abs() <= 1.0,
                    "{text:?} at {size}: {ours} vs {theirs}"
                );
            }
        }
    }

    #[test]
    fn broken_fonts_give_no_metrics_and_no_panic() {
        let font = epaint_default_fonts::UBUNTU_LIGHT;
        for cut in [0, 3, 11, 12, 100, 1000, font.len() / 2] {
            // Whatever a cut font yields, looking glyphs up must not panic.
            if let Some(m) = FontMetrics::parse(&font[..cut]) {
                let g = m.glyph('x');
                let _ = m.h_metrics(g);
            }
        }
        assert!(FontMetrics::parse(b"not a font at all").is_none());
        // A table directory pointing past the end.
        let mut bad = font[..64].to_vec();
        bad[4..6].copy_from_slice(&1u16.to_be_bytes());
        bad[12..16].copy_from_slice(b"hhea");
        bad[20..24].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(FontMetrics::parse(&bad).is_none());
    }
}
