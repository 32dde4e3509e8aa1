//! Reading a large document in paragraph-aligned blocks, so that it is never held whole.
//!
//! In: a document's path and `--encoding`. Out: first a [`Prescan`] (size, encoding, and whether blank lines separate its paragraphs — the rule [`crate::segment`] applies to the
//! whole text), then [`Block`]s in order from a [`BlockReader`].
//!
//! Guarantees: the prescan accepts and rejects exactly the files [`super::decode_document_as`]
//! does, with the same [`SkipReason`]. Blocks tile the document text (BOM removed) and are cut
//! only where no paragraph, sentence, token or phrase can run across the cut: after a blank line
//! when blank lines separate paragraphs; otherwise (each line a paragraph) after a line that
//! ends in punctuation, which no phrase joins across. A block holds at least `block_size` bytes
//! (the last may hold fewer); a paragraph that runs on for [`max_block`] bytes without such a
//! place is cut anyway, at a line end or a space, and the block says so
//! ([`Block::forced`]). Each block carries up to [`CONTEXT_BYTES`] of the text before and after
//! it, for the hit contexts of `hits.csv`.

use std::borrow::Cow;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::{Encoding, SkipReason};
use crate::lines;

/// Text kept on each side of a block: 40 characters of context, 4 bytes each at most.
pub const CONTEXT_BYTES: usize = 160;
/// How far past `block_size` a block may grow while looking for a place to cut: to this many
/// times `block_size`, and at least to [`MIN_MAX_BLOCK`] bytes.
pub const MAX_BLOCK_FACTOR: usize = 4;
/// See [`MAX_BLOCK_FACTOR`].
pub const MIN_MAX_BLOCK: usize = 1 << 20;

/// The largest block for a `block_size` (see [`MAX_BLOCK_FACTOR`]).
pub fn max_block(block_size: usize) -> usize {
    block_size
        .saturating_mul(MAX_BLOCK_FACTOR)
        .max(MIN_MAX_BLOCK)
}
/// Bytes read from the file at a time.
const READ_BYTES: usize = 1 << 20;

/// What a first pass over a large document found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prescan {
    /// Size of the file in bytes.
    pub bytes: u64,
    /// How it is decoded: `utf-8` or `windows-1252`.
    pub encoding: &'static str,
    /// Whether a blank line stands between two non-blank lines (then blank lines separate
    /// paragraphs; otherwise each line is one).
    pub blank_lines: bool,
}

/// Whether a blank line stands between two non-blank lines, fed a text piece by piece (lines
/// end at LF, CRLF or a lone CR, as in [`crate::segment`]).
#[derive(Debug)]
struct BlankLineScan {
    line_blank: bool,
    after_cr: bool,
    seen_text: bool,
    gap: bool,
    found: bool,
    /// A blank line came before the first non-blank one.
    blank_first: bool,
}

impl BlankLineScan {
    fn new() -> Self {
        BlankLineScan {
            line_blank: true,
            after_cr: false,
            seen_text: false,
            gap: false,
            found: false,
            blank_first: false,
        }
    }

    fn feed(&mut self, s: &str) {
        if self.found {
            return;
        }
        let b = s.as_bytes();
        let mut start = 0;
        if self.after_cr && !b.is_empty() {
            self.after_cr = false;
            if b[0] == b'\n' {
                start = 1;
            }
        }
        while let Some(off) = memchr::memchr2(b'\n', b'\r', &b[start..]) {
            let t = start + off;
            self.piece(&s[start..t]);
            self.end_line();
            // A CR at the end of the chunk: an LF opening the next one belongs to it.
            start = lines::break_end(b, t).unwrap_or_else(|| {
                self.after_cr = true;
                t + 1
            });
        }
        self.piece(&s[start..]);
    }

    fn piece(&mut self, p: &str) {
        if self.line_blank && !p.trim().is_empty() {
            self.line_blank = false;
        }
    }

    fn end_line(&mut self) {
        if self.line_blank {
            self.gap |= self.seen_text;
            self.blank_first |= !self.seen_text;
        } else {
            self.found |= self.gap;
            self.seen_text = true;
            self.gap = false;
        }
        self.line_blank = true;
    }

    fn finish(mut self) -> bool {
        self.end_line();
        self.found
    }

    /// What a part of the text that starts at a line start holds, for [`LineState::follow`];
    /// `last`: the part runs to the end of the text (else it ends at a line end).
    fn summary(mut self, last: bool) -> LineSummary {
        if last {
            self.end_line();
        }
        LineSummary {
            found: self.found,
            text: self.seen_text,
            blank_first: self.blank_first,
            gap_last: self.gap,
        }
    }
}

/// A part's lines as a [`BlankLineScan`] of it alone saw them.
struct LineSummary {
    /// A blank line between two non-blank lines of the part.
    found: bool,
    /// A non-blank line.
    text: bool,
    /// A blank line before the first non-blank line (or anywhere, without one).
    blank_first: bool,
    /// A blank line after the last non-blank line.
    gap_last: bool,
}

/// The state of a [`BlankLineScan`] at a line start, carried from part to part.
#[derive(Debug, Default)]
struct LineState {
    seen_text: bool,
    gap: bool,
    found: bool,
}

impl LineState {
    /// The state after the part that `part` sums up (a part is one or more whole lines).
    fn follow(&mut self, part: &LineSummary) {
        // The part's first non-blank line ends a gap that began before it or in it.
        self.found |= part.found || (self.seen_text && part.text && (self.gap || part.blank_first));
        if part.text {
            self.seen_text = true;
            self.gap = part.gap_last;
        } else {
            self.gap |= self.seen_text && part.blank_first;
        }
    }
}

/// Decodes a file's bytes chunk by chunk: UTF-8 (an incomplete character at a chunk's end is
/// kept for the next) or Windows-1252; removes a BOM at the start.
struct Decoder {
    utf8: bool,
    carry: Vec<u8>,
    started: bool,
}

impl Decoder {
    fn new(utf8: bool) -> Self {
        Decoder {
            utf8,
            carry: Vec::new(),
            started: false,
        }
    }

    /// The text of `chunk`: borrowed from it when it is whole on its own (the usual case), else
    /// put together in `scratch` (a character split between two chunks, or Windows-1252 text
    /// outside ASCII). `Err(offset)` at invalid UTF-8, counted from the start of the bytes
    /// carried over from the last chunk.
    fn decode<'a>(&mut self, chunk: &'a [u8], scratch: &'a mut String) -> Result<&'a str, usize> {
        let mut text: &'a str = if !self.utf8 {
            match encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(chunk)
                .0
            {
                Cow::Borrowed(text) => text,
                Cow::Owned(text) => {
                    *scratch = text;
                    scratch
                }
            }
        } else if self.carry.is_empty() {
            match std::str::from_utf8(chunk) {
                Ok(text) => text,
                Err(e) if e.error_len().is_none() => {
                    let valid = e.valid_up_to();
                    self.carry = chunk[valid..].to_vec();
                    std::str::from_utf8(&chunk[..valid]).map_err(|e| e.valid_up_to())?
                }
                Err(e) => return Err(e.valid_up_to()),
            }
        } else {
            let mut bytes = std::mem::take(&mut self.carry);
            bytes.extend_from_slice(chunk);
            let valid = match std::str::from_utf8(&bytes) {
                Ok(s) => s.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(e) => return Err(e.valid_up_to()),
            };
            scratch.clear();
            // The prefix is valid UTF-8, checked just above.
            scratch.push_str(std::str::from_utf8(&bytes[..valid]).map_err(|e| e.valid_up_to())?);
            self.carry = bytes[valid..].to_vec();
            scratch
        };
        if !self.started && !text.is_empty() {
            self.started = true;
            text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        }
        Ok(text)
    }

    /// Whether the text ended cleanly (no incomplete character left).
    fn finish(&self) -> bool {
        self.carry.is_empty()
    }
}

use super::unreadable;

/// Files at least twice this large are prescanned by up to `--jobs` threads, each over a range
/// of whole lines at least this large (the workers often wait for the prescan: nothing of the
/// document can be analysed before it is done).
pub const PRESCAN_PART_BYTES: u64 = 4 << 20;

/// Reads `path` once: size, the first NUL byte and the first invalid UTF-8 byte (which
/// decide, as for a whole document, whether it is read and how), and the paragraph rule. A
/// large file is read by up to `jobs` threads at once, with the same result. A binary file is
/// read only up to its first NUL byte.
pub fn prescan(path: &Path, encoding: Encoding, jobs: usize) -> Result<Prescan, SkipReason> {
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    let parts = usize::try_from(size / PRESCAN_PART_BYTES).unwrap_or(usize::MAX);
    prescan_in_parts(path, size, encoding, parts.clamp(1, jobs.max(1)))
}

/// [`prescan`] in up to `parts` ranges of whole lines, each read on a thread of its own. A part
/// that meets a NUL byte stops there, and so do the parts after it (the file is binary:
/// nothing after its first NUL byte can change why it is skipped).
fn prescan_in_parts(
    path: &Path,
    size: u64,
    encoding: Encoding,
    parts: usize,
) -> Result<Prescan, SkipReason> {
    let starts = part_starts(path, size, parts)?;
    // The first NUL byte found so far, by any part.
    let first_nul = AtomicU64::new(u64::MAX);
    let first_nul = &first_nul;
    let scans: Vec<Result<PartScan, SkipReason>> = std::thread::scope(|scope| {
        let later: Vec<_> = (1..starts.len())
            .map(|k| {
                let (start, end) = (starts[k], starts.get(k + 1).copied());
                // A part no thread can be started for is scanned on this one, after the first.
                crate::parallel::spawn_in(scope, "prescan", move || {
                    scan_part(path, start, end, first_nul)
                })
                .map_err(|_| (start, end))
            })
            .collect();
        let first = scan_part(path, 0, starts.get(1).copied(), first_nul);
        std::iter::once(first)
            .chain(later.into_iter().map(|part| match part {
                Ok(handle) => handle.join().unwrap_or_else(|_| {
                    Err(SkipReason::Unreadable("reading it failed".to_string()))
                }),
                Err((start, end)) => scan_part(path, start, end, first_nul),
            }))
            .collect()
    });
    let mut size = 0u64;
    let mut nul: Option<u64> = None;
    let mut bad_utf8: Option<u64> = None;
    let mut lines = LineState::default();
    let last = scans.len() - 1;
    for (k, scan) in scans.into_iter().enumerate() {
        let scan = scan?;
        size += scan.bytes;
        nul = nul.or(scan.nul);
        bad_utf8 = bad_utf8.or(scan.bad_utf8);
        if nul.is_some() {
            // Binary; the parts after this one stopped early or do not matter.
            break;
        }
        lines.follow(&scan.lines.summary(k == last));
    }
    let encoding = super::decoding(nul, bad_utf8, encoding)?;
    let blank_lines = if bad_utf8.is_some() {
        windows_1252_blank_lines(path)?
    } else {
        lines.found
    };
    Ok(Prescan {
        bytes: size,
        encoding,
        blank_lines,
    })
}

/// Where the parts of a prescan of a file of `size` bytes start: 0, then (for up to `parts`
/// parts) the start of the first line at or after each `k / parts` of the file (a line start
/// found within [`READ_BYTES`]).
fn part_starts(path: &Path, size: u64, parts: usize) -> Result<Vec<u64>, SkipReason> {
    let mut starts = vec![0u64];
    if parts <= 1 {
        return Ok(starts);
    }
    let mut file = File::open(path).map_err(unreadable)?;
    let mut buf = vec![0u8; READ_BYTES];
    for k in 1..parts as u64 {
        let target = size / parts as u64 * k;
        let last = starts.last().copied().unwrap_or(0);
        if target <= last {
            continue;
        }
        // The first line end at or after byte `target - 1`: a line starts after it.
        file.seek(SeekFrom::Start(target - 1)).map_err(unreadable)?;
        let n = read_some(&mut file, &mut buf).map_err(unreadable)?;
        if let Some(i) = memchr::memchr(b'\n', &buf[..n]) {
            let start = target + i as u64;
            if start > last && start < size {
                starts.push(start);
            }
        }
    }
    Ok(starts)
}

/// What one part of a prescan found (offsets from the start of the file).
struct PartScan {
    bytes: u64,
    nul: Option<u64>,
    bad_utf8: Option<u64>,
    lines: BlankLineScan,
}

/// Reads the file from `start` to `end` (the end of the file if `None`), up to its first NUL
/// byte: there it stops and records the byte in `first_nul`; it stops as well, its scan
/// meaningless, once another part has found a NUL byte before `start`.
fn scan_part(
    path: &Path,
    start: u64,
    end: Option<u64>,
    first_nul: &AtomicU64,
) -> Result<PartScan, SkipReason> {
    let mut file = File::open(path).map_err(unreadable)?;
    file.seek(SeekFrom::Start(start)).map_err(unreadable)?;
    let mut file = file.take(end.map_or(u64::MAX, |end| end - start));
    let mut buf = vec![0u8; READ_BYTES];
    let mut size = 0u64;
    let mut bad_utf8: Option<u64> = None;
    // A BOM is removed at the start of the file only.
    let mut decoder = Decoder::new(true);
    decoder.started = start > 0;
    let mut scan = BlankLineScan::new();
    let mut text = String::new();
    loop {
        let before = first_nul.load(Ordering::Relaxed);
        if before < start {
            return Ok(PartScan {
                bytes: size,
                nul: Some(before),
                bad_utf8,
                lines: scan,
            });
        }
        let n = read_some(&mut file, &mut buf).map_err(unreadable)?;
        if n == 0 {
            break;
        }
        let nul = memchr::memchr(0, &buf[..n]);
        // Up to and with the NUL byte (valid UTF-8 itself: a character cut short before it
        // is invalid here, as in a whole read).
        let chunk = &buf[..nul.map_or(n, |i| i + 1)];
        if bad_utf8.is_none() {
            let carried = decoder.carry.len() as u64;
            match decoder.decode(chunk, &mut text) {
                Ok(text) => scan.feed(text),
                Err(at) => bad_utf8 = Some(start + size + at as u64 - carried),
            }
        }
        if let Some(i) = nul {
            let at = start + size + i as u64;
            first_nul.fetch_min(at, Ordering::Relaxed);
            return Ok(PartScan {
                bytes: size + i as u64 + 1,
                nul: Some(at),
                bad_utf8,
                lines: scan,
            });
        }
        size += n as u64;
    }
    if end.is_some_and(|end| start + size != end) {
        return Err(BlockReader::changed());
    }
    if bad_utf8.is_none() && !decoder.finish() {
        bad_utf8 = Some(start + size - decoder.carry.len() as u64);
    }
    Ok(PartScan {
        bytes: size,
        nul: None,
        bad_utf8,
        lines: scan,
    })
}

/// The paragraph rule of a file read as Windows-1252 (a second pass: the file was found not to
/// be UTF-8 only part way through the first).
fn windows_1252_blank_lines(path: &Path) -> Result<bool, SkipReason> {
    let mut file = File::open(path).map_err(unreadable)?;
    let mut buf = vec![0u8; READ_BYTES];
    let mut decoder = Decoder::new(false);
    let mut scan = BlankLineScan::new();
    let mut text = String::new();
    loop {
        let n = read_some(&mut file, &mut buf).map_err(unreadable)?;
        if n == 0 {
            return Ok(scan.finish());
        }
        // Windows-1252 decodes every byte.
        if let Ok(text) = decoder.decode(&buf[..n], &mut text) {
            scan.feed(text);
        }
    }
}

/// Reads into `buf`, retrying on interruption; 0 at the end of the file.
fn read_some(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// One block of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// The block's text with up to [`CONTEXT_BYTES`] of the document on each side.
    pub text: String,
    /// Where the block itself lies in `text`.
    pub body: Range<usize>,
    /// Byte offset of the block in the document's text.
    pub offset: usize,
    /// Block number in the document, from 0.
    pub number: usize,
    /// Whether it is the document's last block.
    pub last: bool,
    /// Whether it was cut inside a paragraph (no better place within reach).
    pub forced: bool,
    /// With the last block: the SHA-256 of the file's bytes, lowercase hex.
    pub sha256: Option<String>,
}

impl Block {
    /// The block itself.
    pub fn body(&self) -> &str {
        &self.text[self.body.clone()]
    }
}

/// Characters after which a line break is a safe cut in a text without blank lines: a phrase
/// joins words across white space or one hyphen only, so none spans them.
const SAFE_LINE_ENDS: &[char] = &['.', ',', ';', ':', '!', '?', ')', ']', '"'];

/// Reads a document block by block (see the module documentation).
pub struct BlockReader {
    file: File,
    decoder: Decoder,
    /// Decoded text; the part from `start` is not yet handed out.
    buf: String,
    start: usize,
    /// The bytes of one read.
    chunk: Vec<u8>,
    /// Text decoded apart from `chunk` (see [`Decoder::decode`]).
    scratch: String,
    /// Up to [`CONTEXT_BYTES`] of text before `buf`.
    tail: String,
    /// Document offset of `buf`.
    offset: usize,
    eof: bool,
    /// Bytes read, checked against the prescan at the end.
    read: u64,
    hasher: Sha256,
    /// The file's SHA-256, once it is read to the end.
    sha256: Option<String>,
    expected: u64,
    block_size: usize,
    /// The largest block ([`max_block`]).
    cap: usize,
    blank_lines: bool,
    number: usize,
    done: bool,
}

impl BlockReader {
    /// Opens the document `prescan` describes, to be cut into blocks of about `block_size`.
    pub fn open(path: &Path, prescan: &Prescan, block_size: usize) -> Result<Self, SkipReason> {
        Ok(BlockReader {
            file: File::open(path).map_err(unreadable)?,
            decoder: Decoder::new(prescan.encoding != super::WINDOWS_1252),
            buf: String::new(),
            start: 0,
            chunk: vec![0u8; READ_BYTES],
            scratch: String::new(),
            tail: String::new(),
            offset: 0,
            eof: false,
            read: 0,
            hasher: Sha256::new(),
            sha256: None,
            expected: prescan.bytes,
            block_size: block_size.max(1),
            cap: max_block(block_size.max(1)),
            blank_lines: prescan.blank_lines,
            number: 0,
            done: false,
        })
    }

    fn changed() -> SkipReason {
        SkipReason::Unreadable("the file changed while it was being read".to_string())
    }

    /// The text not yet handed out.
    fn pending(&self) -> &str {
        &self.buf[self.start..]
    }

    /// Reads until [`BlockReader::pending`] holds `want` bytes or the file ends.
    fn fill(&mut self, want: usize) -> Result<(), SkipReason> {
        if self.buf.len() - self.start >= want || self.eof {
            return Ok(());
        }
        // The text handed out goes (once it is the larger part, so each byte moves at most
        // about once).
        if self.start >= self.buf.len() / 2 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let chunk = &mut self.chunk;
        while self.buf.len() - self.start < want && !self.eof {
            let n = read_some(&mut self.file, chunk).map_err(unreadable)?;
            if n == 0 {
                self.eof = true;
                if !self.decoder.finish() || self.read != self.expected {
                    return Err(Self::changed());
                }
                let hasher = std::mem::take(&mut self.hasher);
                self.sha256 = Some(crate::checksum::hex(&hasher.finalize()));
                break;
            }
            self.read += n as u64;
            self.hasher.update(&chunk[..n]);
            if memchr::memchr(0, &chunk[..n]).is_some() {
                return Err(Self::changed());
            }
            let text = self
                .decoder
                .decode(&chunk[..n], &mut self.scratch)
                .map_err(|_| Self::changed())?;
            self.buf.push_str(text);
        }
        Ok(())
    }

    /// The next block, or `None` after the last.
    pub fn next_block(&mut self) -> Result<Option<Block>, SkipReason> {
        if self.done {
            return Ok(None);
        }
        let (size, cap) = (self.block_size, self.cap);
        self.fill(size + CONTEXT_BYTES)?;
        let (cut, forced) = loop {
            let pending = self.pending();
            if let Some(cut) = find_cut(pending, size..cap, self.blank_lines, self.eof) {
                break (cut, false);
            }
            if pending.len() > cap {
                break (forced_cut(pending, cap), true);
            }
            if self.eof {
                break (pending.len(), false);
            }
            self.fill(pending.len() + size.max(CONTEXT_BYTES))?;
        };
        self.fill(cut + CONTEXT_BYTES + 1)?;
        let pending = self.pending();
        let last = self.eof && cut == pending.len();
        let mut trail_end = (cut + CONTEXT_BYTES).min(pending.len());
        while !pending.is_char_boundary(trail_end) {
            trail_end -= 1;
        }
        let mut text = String::with_capacity(self.tail.len() + trail_end);
        text.push_str(&self.tail);
        text.push_str(&pending[..trail_end]);
        let body = self.tail.len()..self.tail.len() + cut;
        let block = Block {
            body: body.clone(),
            offset: self.offset,
            number: self.number,
            last,
            forced,
            sha256: if last { self.sha256.take() } else { None },
            text,
        };
        let mut keep = body.end.saturating_sub(CONTEXT_BYTES);
        while !block.text.is_char_boundary(keep) {
            keep += 1;
        }
        self.tail = block.text[keep..body.end].to_string();
        self.start += cut;
        self.offset += cut;
        self.number += 1;
        self.done = last;
        Ok(Some(block))
    }
}

/// The first place in `range` (at most its end) where `text` may be cut (see the module
/// documentation), if `text` reaches that far; `eof`: nothing follows `text`.
fn find_cut(text: &str, range: Range<usize>, blank_lines: bool, eof: bool) -> Option<usize> {
    let (from, until) = (range.start, range.end);
    let b = text.as_bytes();
    if from >= b.len() {
        return None;
    }
    // The start of the line holding byte `from`.
    // (When `from` sits between CR and LF, the line starts after the LF.)
    let mut line_start = memchr::memrchr2(b'\n', b'\r', &b[..from])
        .map_or(0, |i| lines::break_end(b, i).unwrap_or(i + 1));
    let mut at = line_start;
    while let Some(off) = memchr::memchr2(b'\n', b'\r', &b[at..]) {
        let t = at + off;
        let end = match lines::break_end(b, t) {
            Some(end) => end,
            None if eof => t + 1,
            None => return None,
        };
        let line = text[line_start..t].trim_end();
        let ok = line.trim_start().is_empty() || (!blank_lines && line.ends_with(SAFE_LINE_ENDS));
        if end > until {
            return None;
        }
        if ok && end >= from {
            return Some(end);
        }
        line_start = end;
        at = end;
    }
    None
}

/// Where to cut `text` when no paragraph break lies within `cap` bytes: after the last line
/// break, else after the last white space, else at a character boundary.
fn forced_cut(text: &str, cap: usize) -> usize {
    let mut cap = cap.min(text.len());
    while !text.is_char_boundary(cap) {
        cap -= 1;
    }
    let head = &text[..cap];
    if let Some(i) = memchr::memrchr2(b'\n', b'\r', head.as_bytes()) {
        return lines::break_end(text.as_bytes(), i).unwrap_or(i + 1);
    }
    if let Some((i, c)) = head.char_indices().rev().find(|(_, c)| c.is_whitespace()) {
        if i > 0 {
            return i + c.len_utf8();
        }
    }
    cap.max(text.chars().next().map_or(0, char::len_utf8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Decodes `bytes` in chunks of `size` bytes.
    fn decode_in_chunks(bytes: &[u8], size: usize, utf8: bool) -> Result<String, usize> {
        let mut decoder = Decoder::new(utf8);
        let (mut out, mut scratch, mut at) = (String::new(), String::new(), 0);
        for chunk in bytes.chunks(size) {
            let carried = decoder.carry.len();
            match decoder.decode(chunk, &mut scratch) {
                Ok(text) => out.push_str(text),
                Err(e) => return Err(at + e - carried),
            }
            at += chunk.len();
        }
        if decoder.finish() {
            Ok(out)
        } else {
            Err(at - decoder.carry.len())
        }
    }

    proptest::proptest! {
        #[test]
        fn chunks_decode_to_the_whole_text(
            text in "\u{FEFF}?(\\PC|[\n\r]){0,40}",
            size in 1usize..9,
            bad in proptest::option::of((0usize..200, proptest::sample::select(vec![0xFFu8, 0x80, 0xE2]))),
        ) {
            let mut bytes = text.as_bytes().to_vec();
            let whole = super::super::decode_document_as(bytes.clone(), Encoding::Utf8)
                .map(|d| d.text);
            proptest::prop_assert_eq!(decode_in_chunks(&bytes, size, true).ok(), whole.ok());
            if let Some((at, byte)) = bad {
                let at = at.min(bytes.len());
                bytes.insert(at, byte);
                // The first invalid byte is found where a whole read finds it.
                let first_bad = std::str::from_utf8(&bytes).err().map(|e| e.valid_up_to());
                proptest::prop_assert_eq!(decode_in_chunks(&bytes, size, true).err(), first_bad);
            }
            // Windows-1252 (read when a file is not UTF-8) decodes byte by byte.
            let latin = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes).0;
            proptest::prop_assert_eq!(decode_in_chunks(&bytes, size, false), Ok(latin.into_owned()));
        }
    }

    fn scan(text: &str) -> bool {
        let mut s = BlankLineScan::new();
        // Fed in small pieces, CRLF split across two of them.
        let mut rest = text;
        while !rest.is_empty() {
            let mut n = 3.min(rest.len());
            while !rest.is_char_boundary(n) {
                n += 1;
            }
            s.feed(&rest[..n]);
            rest = &rest[n..];
        }
        s.finish()
    }

    #[test]
    fn blank_line_scan_follows_the_paragraph_rule() {
        assert!(scan("a\n\nb"));
        assert!(scan("a\r\n \r\nb\r\n"));
        assert!(scan("a\r\rb"));
        assert!(!scan("a\r\nb\r\n"));
        assert!(!scan("\n\na\nb\n\n\n"));
        assert!(!scan(""));
        assert!(scan("a\n\u{3000}\nb"));
    }

    fn blocks_of(text: &[u8], size: usize, encoding: Encoding) -> (Prescan, Vec<Block>) {
        blocks_capped(text, size, max_block(size), encoding)
    }

    fn blocks_capped(
        text: &[u8],
        size: usize,
        cap: usize,
        encoding: Encoding,
    ) -> (Prescan, Vec<Block>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.txt");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text)
            .unwrap();
        let pre = prescan(&path, encoding, 1).unwrap();
        let mut reader = BlockReader::open(&path, &pre, size).unwrap();
        reader.cap = cap;
        let mut blocks = Vec::new();
        while let Some(b) = reader.next_block().unwrap() {
            blocks.push(b);
        }
        (pre, blocks)
    }

    #[test]
    fn blocks_tile_the_text_and_end_after_blank_lines() {
        let text = "\u{FEFF}One two.\nthree\n\nFour five\n\n\nSix.\r\n\r\nSeven";
        let (pre, blocks) = blocks_of(text.as_bytes(), 4, Encoding::Utf8);
        assert!(pre.blank_lines);
        assert_eq!(pre.bytes, text.len() as u64);
        let bodies: Vec<&str> = blocks.iter().map(Block::body).collect();
        assert_eq!(
            bodies,
            [
                "One two.\nthree\n\n",
                "Four five\n\n",
                "\nSix.\r\n\r\n",
                "Seven"
            ]
        );
        assert_eq!(bodies.concat(), &text[3..]);
        assert!(blocks.last().unwrap().last && !blocks[0].last);
        let sha = crate::checksum::sha256_hex(text.as_bytes());
        assert_eq!(blocks.last().unwrap().sha256.as_deref(), Some(sha.as_str()));
        assert!(blocks[0].sha256.is_none());
        assert_eq!(blocks[1].offset, 16);
        // Context on both sides.
        assert_eq!(
            &blocks[1].text[..blocks[1].body.start],
            "One two.\nthree\n\n"
        );
        assert!(blocks[0].text[blocks[0].body.end..].starts_with("Four five"));
    }

    #[test]
    fn without_blank_lines_blocks_end_after_punctuation() {
        let text = "alpha beta\ngamma.\ndelta\nepsilon;\r\nzeta";
        let (pre, blocks) = blocks_of(text.as_bytes(), 8, Encoding::Utf8);
        assert!(!pre.blank_lines);
        let bodies: Vec<&str> = blocks.iter().map(Block::body).collect();
        assert_eq!(
            bodies,
            ["alpha beta\ngamma.\n", "delta\nepsilon;\r\n", "zeta"]
        );
        assert!(blocks.iter().all(|b| !b.forced));
    }

    #[test]
    fn a_long_line_is_cut_at_a_space_and_says_so() {
        let text = "word ".repeat(100);
        let (_, blocks) = blocks_capped(text.as_bytes(), 16, 64, Encoding::Utf8);
        assert!(blocks.len() > 5);
        assert!(blocks[0].forced && blocks[0].body().ends_with(' '));
        assert!(blocks.iter().all(|b| b.body().len() <= 64));
        let all: String = blocks.iter().map(Block::body).collect();
        assert_eq!(all, text);
    }

    #[test]
    fn prescan_rejects_what_a_whole_read_rejects() {
        for bytes in [
            &b"ab\xffcd"[..],
            b"a\0b",
            b"a\xff\0",
            b"\0\xff",
            b"abc\xe2\x82",
        ] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("doc.txt");
            std::fs::write(&path, bytes).unwrap();
            for enc in [Encoding::Utf8, Encoding::Windows1252] {
                let whole = super::super::decode_document_as(bytes.to_vec(), enc);
                let pre = prescan(&path, enc, 1);
                match (whole, pre) {
                    (Err(a), Err(b)) => assert_eq!(a, b, "{bytes:?}"),
                    (Ok(d), Ok(p)) => assert_eq!(d.encoding, p.encoding),
                    (a, b) => panic!("{bytes:?} {enc:?}: {a:?} vs {b:?}"),
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Read in parts on threads of their own, a file gives the prescan of one pass: the
        /// parts meet at line starts anywhere in lines of text, blank lines, white space, CR,
        /// CRLF, a BOM, NUL and invalid or cut UTF-8.
        #[test]
        fn a_prescan_in_parts_is_the_prescan_of_one_pass(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"word"[..], b"Two words.", b"\n", b"\n", b"\r\n", b"\r", b" ", b"\t",
                    b" \n", b"\xef\xbb\xbf", b"\0", b"\xff", b"\xe2\x82", b"\xe2\x82\xac",
                    b"\xc3\xa9",
                ]),
                0..40,
            ),
        ) {
            let bytes = pieces.concat();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("doc.txt");
            std::fs::write(&path, &bytes).unwrap();
            for enc in [Encoding::Utf8, Encoding::Windows1252] {
                let one = prescan_in_parts(&path, bytes.len() as u64, enc, 1);
                for parts in 2..=5 {
                    proptest::prop_assert_eq!(
                        &prescan_in_parts(&path, bytes.len() as u64, enc, parts),
                        &one,
                        "{} parts of {:?}",
                        parts,
                        String::from_utf8_lossy(&bytes)
                    );
                }
            }
        }
    }

    #[test]
    fn prescan_parts_meet_at_line_starts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("doc.txt");
        let size = |path: &Path| std::fs::metadata(path).unwrap().len();
        std::fs::write(&path, "aaaa\nbbbb\n\ncccc\ndddd").unwrap();
        assert_eq!(part_starts(&path, size(&path), 1).unwrap(), [0]);
        assert_eq!(part_starts(&path, size(&path), 2).unwrap(), [0, 10]);
        assert_eq!(part_starts(&path, size(&path), 4).unwrap(), [0, 5, 10, 16]);
        // The blank line is seen across the parts.
        assert!(
            prescan_in_parts(&path, size(&path), Encoding::Utf8, 4)
                .unwrap()
                .blank_lines
        );
        // A BOM is removed at the start of the file only: a line holding one is not blank.
        std::fs::write(&path, "a\n\u{FEFF}\nb").unwrap();
        assert_eq!(part_starts(&path, size(&path), 3).unwrap(), [0, 2, 6]);
        assert!(
            !prescan_in_parts(&path, size(&path), Encoding::Utf8, 3)
                .unwrap()
                .blank_lines
        );
        std::fs::write(&path, "no line end at all").unwrap();
        assert_eq!(part_starts(&path, size(&path), 3).unwrap(), [0]);
    }

    #[test]
    fn windows_1252_blocks_decode() {
        let text = b"caf\xe9 one.\n\n\xa0\nna\xefve two.\n";
        let (pre, blocks) = blocks_of(text, 2, Encoding::Windows1252);
        assert_eq!(pre.encoding, "windows-1252");
        let all: String = blocks.iter().map(Block::body).collect();
        assert_eq!(all, "café one.\n\n\u{a0}\nnaïve two.\n");
    }
}
