//! The line rule, in one place: a line ends at LF, at CRLF (one line end, not two) or at a lone
//! CR — so files from Unix, Windows and classic Mac OS read alike.
//!
//! In: bytes of UTF-8 text. Out: where line ends are. Guarantees: every stage that counts lines,
//! finds blank lines or cuts at a line end (segments by `lines:N`, paragraphs in blocks,
//! phrases across white space) applies this same rule.

use std::ops::Range;

/// The end of the line break that starts at `at` (where `b[at]` is LF or CR): one past LF, one
/// past a lone CR, two past CRLF. `None` for a CR that is the last byte of `b`: whether it is a
/// lone CR or the first half of a CRLF depends on the byte after it.
pub fn break_end(b: &[u8], at: usize) -> Option<usize> {
    match (b[at], b.get(at + 1)) {
        (b'\r', Some(b'\n')) => Some(at + 2),
        (b'\r', None) => None,
        _ => Some(at + 1),
    }
}

/// The line breaks of `b`, in order, as byte ranges (a CR at the end of `b` is a lone CR).
pub fn breaks(b: &[u8]) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        let at = from + memchr::memchr2(b'\n', b'\r', &b[from..])?;
        from = break_end(b, at).unwrap_or(at + 1);
        Some(at..from)
    })
}

/// `b` with every lone CR (a classic Mac OS line end) made an LF, so that a parser that knows
/// only LF and CRLF (TOML, a line splitter) sees the same lines; borrowed when there is none.
pub fn lone_cr_as_lf(b: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let lone = |r: &Range<usize>| b[r.start] == b'\r' && r.len() == 1;
    if !breaks(b).any(|r| lone(&r)) {
        return std::borrow::Cow::Borrowed(b);
    }
    let mut out = b.to_vec();
    for r in breaks(b).filter(|r| lone(r)) {
        out[r.start] = b'\n';
    }
    std::borrow::Cow::Owned(out)
}

/// How many line ends `b` holds.
pub fn count(b: &[u8]) -> usize {
    breaks(b).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_crs_become_lfs_and_nothing_else_changes() {
        assert_eq!(&*lone_cr_as_lf(b"a\rb\r\nc\nd\r"), b"a\nb\r\nc\nd\n");
        assert!(matches!(
            lone_cr_as_lf(b"a\r\nb\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(count(&lone_cr_as_lf(b"x\r\ry\r\n")), count(b"x\r\ry\r\n"));
    }

    #[test]
    fn lf_crlf_and_lone_cr_end_one_line_each() {
        let text = b"a\nb\r\nc\rd\n\ne\r";
        let found: Vec<Range<usize>> = breaks(text).collect();
        assert_eq!(found, [1..2, 3..5, 6..7, 8..9, 9..10, 11..12]);
        assert_eq!(count(text), 6);
        assert_eq!(count(b"no line end"), 0);
        assert_eq!(count(b"\r\n\r\n"), 2);
        assert_eq!(count(b"\n\r"), 2, "LF then CR: two line ends");
    }

    #[test]
    fn a_final_cr_waits_for_the_next_byte() {
        assert_eq!(break_end(b"a\r", 1), None);
        assert_eq!(break_end(b"a\r\n", 1), Some(3));
        assert_eq!(break_end(b"a\rb", 1), Some(2));
        assert_eq!(break_end(b"a\n", 1), Some(2));
    }
}
