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
    /// Letters and digits only, folded.
    pub(crate) text: String,
    /// For every byte of `text`, the original byte range of the character it
    /// came from (general path; empty when `ascii_runs` maps the view).
    origin: Vec<(u32, u32)>,
    /// Pure-ASCII text: one `(folded start, original start)` pair per run of ASCII
    /// letters and digits, each folded byte of a run coming from one original
    /// byte. Mapping per run instead of per byte is what makes the ASCII fold cheap.
    ascii_runs: Vec<(u32, u32)>,
    /// Whether `ascii_runs` (not `origin`) maps the view.
    ascii: bool,
    /// Bit `i` is set when a word starts or ends at byte `i` of `text` (bits for
    /// `0..=text.len()`). Inside Chinese, Japanese and Korean text every character
    /// position is a boundary, so phrases match before particles.
    boundary: Vec<u64>,
}

/// The buffers of a dropped [`Folded`].
#[derive(Default)]
struct Buffers {
    text: String,
    origin: Vec<(u32, u32)>,
    ascii_runs: Vec<(u32, u32)>,
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
            ascii_runs: std::mem::take(&mut self.ascii_runs),
            boundary: std::mem::take(&mut self.boundary),
        };
        // Fails only while the thread is being torn down; the buffers are then freed.
        let _ = SPARE.try_with(|spare| spare.set(Some(buffers)));
    }
}

impl Folded {
    /// An empty view with room for `bytes` folded bytes, on the buffers of the last
    /// view dropped on this thread when there is one.
    /// `ascii`: the view is mapped per run of ASCII letters and digits.
    fn with_capacity(bytes: usize, ascii: bool) -> Folded {
        let Buffers {
            mut text,
            mut origin,
            mut ascii_runs,
            mut boundary,
        } = SPARE
            .try_with(std::cell::Cell::take)
            .ok()
            .flatten()
            .unwrap_or_default();
        text.clear();
        text.reserve(bytes);
        origin.clear();
        ascii_runs.clear();
        if !ascii {
            origin.reserve(bytes);
        }
        boundary.clear();
        // One bit per folded byte and one for the end.
        boundary.resize(bytes / 64 + 1, 0);
        Folded {
            text,
            origin,
            ascii_runs,
            ascii,
            boundary,
        }
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

    fn clear_boundary(&mut self, at: usize) {
        if let Some(word) = self.boundary.get_mut(at / 64) {
            *word &= !(1 << (at % 64));
        }
    }

    /// The original byte range of folded range `start..end` (non-empty).
    pub(crate) fn original(&self, start: usize, end: usize) -> (usize, usize) {
        if self.ascii {
            (self.ascii_origin(start), self.ascii_origin(end - 1) + 1)
        } else {
            (
                self.origin[start].0 as usize,
                self.origin[end - 1].1 as usize,
            )
        }
    }

    /// The original byte of folded byte `at` of a pure-ASCII view: the run that
    /// holds it, offset within the run.
    fn ascii_origin(&self, at: usize) -> usize {
        let at = at as u32;
        // Runs are sorted by folded start and the first starts at 0.
        let run = self.ascii_runs.partition_point(|&(folded, _)| folded <= at) - 1;
        let (folded, original) = self.ascii_runs[run];
        (original + (at - folded)) as usize
    }

    /// The original byte range of every folded byte, whichever way the view is
    /// mapped (for tests comparing the two paths).
    #[cfg(test)]
    pub(crate) fn origin_map(&self) -> Vec<(u32, u32)> {
        if self.ascii {
            (0..self.text.len())
                .map(|at| {
                    let start = self.ascii_origin(at) as u32;
                    (start, start + 1)
                })
                .collect()
        } else {
            self.origin.clone()
        }
    }
}
