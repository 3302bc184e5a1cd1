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
    /// For every byte of `text`, the start of the original character it came from.
    orig_start: Vec<u32>,
    /// For every byte of `text`, the end of the original character it came from.
    orig_end: Vec<u32>,
    /// `boundary[i]` is true when a word starts or ends at byte `i` of `text`
    /// (length `text.len() + 1`). Inside Chinese, Japanese and Korean text every
    /// character position is a boundary, so phrases match before particles.
    boundary: Vec<bool>,
}

impl Folded {
    /// Whether `start..end` of the folded view starts and ends on word boundaries.
    pub(crate) fn is_word(&self, start: usize, end: usize) -> bool {
        self.boundary[start] && self.boundary[end]
    }

    /// The original byte range of folded range `start..end` (non-empty).
    pub(crate) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        (
            self.orig_start[start] as usize,
            self.orig_end[end - 1] as usize,
        )
    }
}
