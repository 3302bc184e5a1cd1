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
#[derive(Debug, Default)]
pub(crate) struct Folded {
    /// Letters and digits only, folded.
    pub(crate) text: String,
    /// For every byte of `text`, the original byte range of the character it
    /// came from.
    origin: Vec<(u32, u32)>,
    /// Bit `i` is set when a word starts or ends at byte `i` of `text` (bits for
    /// `0..=text.len()`). Inside Chinese, Japanese and Korean text every character
    /// position is a boundary, so phrases match before particles.
    boundary: Vec<u64>,
}

impl Folded {
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

    /// The original byte range of folded range `start..end` (non-empty).
    pub(crate) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (
            self.origin[start].0 as usize,
            self.origin[end - 1].1 as usize,
        )
    }
}
