//! Text preparation: normalise once, remember where every byte came from.
//!
//! Rules match phrases against a *folded* view of the message in which the usual
//! evasions are undone: case, Unicode compatibility forms (full-width letters,
//! mathematical bold), zero-width and joiner characters, accents, homoglyphs
//! (Cyrillic `а` for Latin `a`), leetspeak inside words (`fr3e`) and letters spaced
//! or dotted apart (`f r e e`, `f.r.e.e`). Separators are dropped from the folded
//! view, so a phrase is matched regardless of the spacing inside it; word
//! boundaries are kept aside so that `free` never matches inside `freelance`.
//!
//! Every folded byte maps back to the byte range of the original character that
//! produced it, so every finding points into the text the user wrote.

mod fold;

pub(crate) use fold::{is_spaceless_script, Folder};

/// A message prepared for matching: the folded view, its map back to the original
/// text and the word boundaries of the folded view.
///
/// Folding runs once per checked message, so the three buffers are recycled: a
/// dropped `Folded` leaves them to the next fold on the same thread, and the common
/// path allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Folded {
    /// Letters and digits only, folded: UTF-8 by construction (whole
    /// characters are written, leetspeak swaps ASCII for ASCII), kept as bytes
    /// because the automaton reads bytes and checking costs a pass
    /// ([`Folded::as_str`] checks, for the few readers of characters).
    pub(crate) text: Vec<u8>,
    /// Where every byte of `text` came from: spans sorted by folded offset, each
    /// covering the folded bytes up to the next. Mapping per span instead of per
    /// byte keeps the common case (runs of ASCII letters) cheap. Empty when
    /// `ascii_origin`.
    origin: Vec<OriginSpan>,
    /// The ASCII path folded the text: folded byte `k` came from the `k`-th
    /// ASCII letter or digit of the original text alone, which
    /// [`Folded::original`] finds by counting them when a match asks. Keeping
    /// a span per word instead cost a tenth of a check, for the few words a
    /// phrase matches.
    ascii_origin: bool,
    /// Bit `i` is set when a word starts or ends at byte `i` of `text` (bits for
    /// `0..=text.len()`). Inside Chinese, Japanese and Korean text every character
    /// position is a boundary, so phrases match before particles.
    boundary: Vec<u64>,
    /// What the separators of the text say about `@` mentions and links, when
    /// the ASCII path folded it: one pass over the bytes answers for the fold
    /// and for both pre-filters. `None` after the general path.
    pub(crate) signs: Option<Signs>,
}

/// Whether a text holds an `@`, and whether it may hold a link or an address
/// ([`crate::links::signals_link`] at some `@`, `.` or `:`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Signs {
    pub(crate) at_sign: bool,
    pub(crate) link: bool,
}

/// Folded bytes from `folded` up to the next span's start came from the
/// original text as `start..end`; when `end` is [`LINEAR`], folded byte
/// `folded + k` came from original byte `start + k` alone (ASCII letters and digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OriginSpan {
    folded: u32,
    start: u32,
    end: u32,
}

impl OriginSpan {
    /// Folded bytes from `folded` on are original bytes from `start` on, one to one.
    fn linear(folded: usize, start: usize) -> OriginSpan {
        OriginSpan {
            folded: folded as u32,
            start: start as u32,
            end: LINEAR,
        }
    }
}

/// The `end` of a span whose folded bytes map one to one to original bytes (a
/// real span never ends at byte 0).
const LINEAR: u32 = 0;

/// The buffers of a dropped [`Folded`].
#[derive(Default)]
struct Buffers {
    text: Vec<u8>,
    origin: Vec<OriginSpan>,
    boundary: Vec<u64>,
}

/// Buffers above this many folded bytes are freed rather than kept, so one huge
/// message does not pin its memory to the thread.
const MAX_KEPT_BYTES: usize = 1 << 16;

thread_local! {
    static SPARE: std::cell::Cell<Option<Buffers>> = const { std::cell::Cell::new(None) };
}

impl Drop for Folded {
    fn drop(&mut self) {
        if self.text.capacity() > MAX_KEPT_BYTES {
            return;
        }
        let buffers = Buffers {
            text: std::mem::take(&mut self.text),
            origin: std::mem::take(&mut self.origin),
            boundary: std::mem::take(&mut self.boundary),
        };
        // Fails only while the thread is being torn down; the buffers are then freed.
        let _ = SPARE.try_with(|spare| spare.set(Some(buffers)));
    }
}

impl Folded {
    /// An empty view with room for `bytes` folded bytes, on the buffers of the last
    /// view dropped on this thread when there is one.
    fn with_capacity(bytes: usize) -> Folded {
        let Buffers {
            mut text,
            mut origin,
            mut boundary,
        } = SPARE
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        text.clear();
        text.reserve(bytes);
        origin.clear();
        boundary.clear();
        // One bit per folded byte and one for the end.
        boundary.resize(bytes / 64 + 1, 0);
        Folded {
            text,
            origin,
            ascii_origin: false,
            boundary,
            signs: None,
        }
    }

    /// Whether the ASCII path folded the text, so that every folded byte is an
    /// ASCII letter or digit.
    pub(crate) fn is_ascii(&self) -> bool {
        self.ascii_origin
    }

    /// The folded view as text.
    pub(crate) fn as_str(&self) -> &str {
        // Never empty for want of UTF-8 (see `text`); should it be, the view is
        // empty, not wrong.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// Whether `start..end` of the folded view starts and ends on word boundaries.
    pub(crate) fn is_word(&self, start: usize, end: usize) -> bool {
        self.is_boundary(start) && self.is_boundary(end)
    }

    /// Whether a word starts or ends at byte `at`.
    pub(crate) fn is_boundary(&self, at: usize) -> bool {
        self.boundary
            .get(at / 64)
            .is_some_and(|word| word & (1 << (at % 64)) != 0)
    }

    fn set_boundary(&mut self, at: usize) {
        if at / 64 >= self.boundary.len() {
            self.boundary.resize(at / 64 + 1, 0);
        }
        self.boundary[at / 64] |= 1 << (at % 64);
    }

    /// Records that the folded bytes from `folded` on came from original bytes
    /// `start..end` (all of them, for a character or a composed run).
    fn map_to(&mut self, folded: usize, start: u32, end: u32) {
        // Several folded characters of one run (a ligature, `ß`) share one span.
        if self
            .origin
            .last()
            .is_some_and(|last| last.end == end && last.start == start)
        {
            return;
        }
        self.origin.push(OriginSpan {
            folded: folded as u32,
            start,
            end,
        });
    }

    /// Records that the folded bytes from `folded` on are original bytes from
    /// `start` on, one to one.
    fn map_linear(&mut self, folded: usize, start: usize) {
        self.origin.push(OriginSpan::linear(folded, start));
    }

    /// The original byte range of folded range `start..end` (non-empty) of
    /// `text`, the text this view was folded from. To map many ranges, use one
    /// [`Folded::origins`].
    #[cfg(test)]
    pub(crate) fn original(&self, text: &str, start: usize, end: usize) -> (usize, usize) {
        self.origins(text).original(start, end)
    }

    /// Maps folded ranges of this view, folded from `text`, back to `text`.
    pub(crate) fn origins<'f>(&'f self, text: &'f str) -> Origins<'f> {
        Origins {
            folded: self,
            letters: self
                .ascii_origin
                .then(|| AlphanumericCursor::new(text.as_bytes())),
        }
    }

    /// The original byte range folded byte `at` came from (through the spans).
    fn origin_of(&self, at: usize) -> (usize, usize) {
        let at = at as u32;
        // The first span starts at folded byte 0, so a byte of the view has one.
        let index = self.origin.partition_point(|span| span.folded <= at);
        let span = self.origin[index.saturating_sub(1)];
        if span.end == LINEAR {
            let byte = span.start + (at - span.folded);
            (byte as usize, byte as usize + 1)
        } else {
            (span.start as usize, span.end as usize)
        }
    }

    /// The original byte range of every folded byte of `text`'s view (for tests).
    #[cfg(test)]
    pub(crate) fn origin_map(&self, text: &str) -> Vec<(u32, u32)> {
        (0..self.text.len())
            .map(|at| {
                let (start, end) = self.original(text, at, at + 1);
                (start as u32, end as u32)
            })
            .collect()
    }
}

/// Maps folded ranges of one view back to its original text ([`Folded::origins`]).
/// It keeps its place in the text between calls: mapping the matches of one
/// scan, which come in text order, costs one pass over the text in all, not
/// one per match (a hostile text has thousands).
pub(crate) struct Origins<'f> {
    folded: &'f Folded,
    /// For a view the ASCII path folded.
    letters: Option<AlphanumericCursor<'f>>,
}

impl Origins<'_> {
    /// The original byte range of folded range `start..end` (non-empty).
    pub(crate) fn original(&mut self, start: usize, end: usize) -> (usize, usize) {
        match &mut self.letters {
            Some(letters) => {
                let first = letters.position(start);
                (first, letters.position(end - 1) + 1)
            }
            None => (
                self.folded.origin_of(start).0,
                self.folded.origin_of(end - 1).1,
            ),
        }
    }
}

/// Finds the `n`-th ASCII letter or digit of a text, 8 bytes at a time: where
/// folded byte `n` of a view the ASCII path folded came from. Each search
/// starts from the word the last one ended in, forward or back, so searches
/// for nearby letters cost little however long the text is.
struct AlphanumericCursor<'t> {
    bytes: &'t [u8],
    /// The 8-byte word the search is at, and how many letters and digits lie
    /// before it.
    word_start: usize,
    before: usize,
    /// Words counted, for the test that mapping stays linear.
    #[cfg(test)]
    steps: usize,
}

impl<'t> AlphanumericCursor<'t> {
    fn new(bytes: &'t [u8]) -> AlphanumericCursor<'t> {
        AlphanumericCursor {
            bytes,
            word_start: 0,
            before: 0,
            #[cfg(test)]
            steps: 0,
        }
    }

    /// The number of letters and digits in the word at `at`.
    fn count(&mut self, at: usize) -> usize {
        #[cfg(test)]
        {
            self.steps += 1;
        }
        alphanumeric_bytes(word_at(self.bytes, at)).count_ones() as usize
    }

    /// The byte offset of the `n`-th letter or digit; the text's length when it
    /// has fewer.
    fn position(&mut self, n: usize) -> usize {
        // Back to the word that holds it, when that lies before this one.
        while n < self.before && self.word_start > 0 {
            self.word_start -= 8;
            self.before -= self.count(self.word_start);
        }
        while self.word_start < self.bytes.len() {
            #[cfg(test)]
            {
                self.steps += 1;
            }
            let mut found = alphanumeric_bytes(word_at(self.bytes, self.word_start));
            let count = found.count_ones() as usize;
            if self.before + count > n {
                // Drop the lower set bits up to the one wanted.
                for _ in 0..n - self.before {
                    found &= found - 1;
                }
                return self.word_start + (found.trailing_zeros() / 8) as usize;
            }
            self.before += count;
            self.word_start += 8;
        }
        self.bytes.len()
    }
}

/// Bytes `at..at + 8` of `bytes` as a little-endian word, zeros past the end.
fn word_at(bytes: &[u8], at: usize) -> u64 {
    let rest = bytes.get(at..).unwrap_or_default();
    match rest.first_chunk::<8>() {
        Some(word) => u64::from_le_bytes(*word),
        None => {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(word)
        }
    }
}

/// The high bit of each byte of `word` that is an ASCII letter or digit. Per
/// byte `x` below 0x80, `x + (0x80 - lo)` has its high bit set exactly when
/// `x >= lo`, and no sum carries into the next byte; bytes of non-ASCII
/// characters (high bit set) are neither.
fn alphanumeric_bytes(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let at_least = |x: u64, lo: u8| x + ONES * u64::from(0x80 - lo);
    let above = |x: u64, hi: u8| x + ONES * u64::from(0x7f - hi);
    let low = word & !HIGH;
    // Bit 5 set maps `A..=Z` onto `a..=z` and nothing else onto them.
    let folded = low | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !above(folded, b'z');
    let digit = at_least(low, b'0') & !above(low, b'9');
    (letter | digit) & !word & HIGH
}
