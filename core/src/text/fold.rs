//! The folding pipeline behind [`Folded`].

use std::collections::HashMap;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

use super::{Folded, Signs};

/// What a folded character is, for tokenising.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// A letter of a script that separates words with spaces.
    Letter,
    /// A decimal digit.
    Digit,
    /// A letter of a script written without spaces between words (Han, kana,
    /// Hangul, Thai): every position around it is a word boundary.
    Spaceless,
    /// A combining mark that belongs to the letter before it (Hangul jamo, Indic
    /// vowel signs); Latin diacritics are removed before this point.
    Mark,
    /// Anything else: space, punctuation, symbol, emoji.
    Separator,
    /// A line break, which spaced-out letters never cross.
    LineBreak,
}

/// Folds text for matching. Holds the homoglyph table (a lexicon data file).
#[derive(Debug, Clone, Default)]
pub(crate) struct Folder {
    homoglyphs: crate::FastMap<char, char>,
    /// For each character from U+0080 to U+07FF and of U+2000 to U+206F (Latin-1
    /// symbols such as `£`, typographic quotes, dashes, `…`): how many separators
    /// it folds to, 0 when it folds to anything else (letters, digits), is
    /// invisible or may attach to its neighbours. Computed from the general
    /// path itself, so text whose only non-ASCII characters have an entry here
    /// takes the ASCII path (see [`fold_ascii`]).
    separators: Vec<u8>,
}

/// The ranges [`Folder::separators`] covers, one after the other.
const SEPARATOR_RANGES: [(u32, u32); 2] = [(0x80, 0x800), (0x2000, 0x2070)];

impl Folder {
    /// A folder with the given homoglyph table (lookalike → Latin letter).
    pub(crate) fn new(homoglyphs: HashMap<char, char>) -> Folder {
        let mut folder = Folder {
            homoglyphs: homoglyphs.into_iter().collect(),
            separators: Vec::new(),
        };
        let separators = SEPARATOR_RANGES
            .iter()
            .flat_map(|&(first, end)| first..end)
            .map(|code| char::from_u32(code).map_or(0, |c| folder.separator_count(c)))
            .collect();
        folder.separators = separators;
        folder
    }

    /// How many separators `c` folds to on the general path, when that is all it
    /// does (it neither attaches to the character before it nor hides), else 0.
    fn separator_count(&self, c: char) -> u8 {
        if c.is_ascii() || attaches(c) || is_invisible(c) {
            return 0;
        }
        let (mut count, mut all_separators) = (0u8, true);
        self.fold_char(c, |ch| {
            count = count.saturating_add(1);
            all_separators &= classify(ch) == Class::Separator;
        });
        if all_separators && count < u8::MAX {
            count
        } else {
            0
        }
    }

    /// [`Folder::separator_count`] of a non-ASCII character, 0 outside the
    /// ranges it is kept for.
    fn separators_of(&self, c: char) -> u8 {
        let code = u32::from(c);
        let mut offset = 0;
        for &(first, end) in &SEPARATOR_RANGES {
            if (first..end).contains(&code) {
                return self
                    .separators
                    .get((offset + code - first) as usize)
                    .copied()
                    .unwrap_or(0);
            }
            offset += end - first;
        }
        0
    }

    /// Folds one character, calling `emit` for every character it becomes (none for
    /// invisible characters, two for `ß`, several for ligatures). A character that
    /// composes with the one before it (`ﾞ`, a Hangul vowel) is folded alone here;
    /// [`Folder::fold`] folds such runs together.
    pub(crate) fn fold_char(&self, c: char, mut emit: impl FnMut(char)) {
        if c.is_ascii() {
            emit(c.to_ascii_lowercase());
            return;
        }
        if is_invisible(c) {
            return;
        }
        for compat in std::iter::once(c).nfkc() {
            self.fold_normalized(compat, &mut emit);
        }
    }

    /// Folds a run of characters that compose (a letter and its marks, Hangul jamo,
    /// half-width katakana and voicing marks): NFKC of the whole run, so `ﾀﾞ`
    /// becomes `ダ` and `ᄆ` `ᅮ` become `무`.
    fn fold_run(&self, run: &str, mut emit: impl FnMut(char)) {
        for compat in run.chars().filter(|&c| !is_invisible(c)).nfkc() {
            self.fold_normalized(compat, &mut emit);
        }
    }

    /// Folds one NFKC-normalised character: case, homoglyphs, `ß`, accents.
    fn fold_normalized(&self, c: char, emit: &mut impl FnMut(char)) {
        for lower in c.to_lowercase() {
            let ch = self.homoglyphs.get(&lower).copied().unwrap_or(lower);
            if ch == 'ß' {
                emit('s');
                emit('s');
            } else if is_latin_with_diacritics(ch) {
                decompose_canonical(ch, |part| {
                    if !is_combining_mark(part) {
                        emit(part);
                    }
                });
            } else if !is_generic_diacritic(ch) {
                emit(ch);
            }
        }
    }

    /// Folds `text` in one pass. The result borrows nothing; once it is dropped,
    /// its buffers serve the next fold on this thread.
    pub(crate) fn fold(&self, text: &str) -> Folded {
        // Most messages are pure ASCII, where no character composes, hides or
        // looks like another: only case, separators, leetspeak and spaced letters
        // remain, and each folded byte comes from one original byte.
        // So is text whose only other characters fold to separators (`£`,
        // `…`, typographic quotes): the ASCII path counts them as separators.
        if text.is_ascii() {
            fold_ascii(text, |_| 0).unwrap_or_default()
        } else {
            fold_ascii(text, |c| self.separators_of(c)).unwrap_or_else(|| self.fold_general(text))
        }
    }

    /// Folds any text, mapping every folded byte to its original character.
    fn fold_general(&self, text: &str) -> Folded {
        let mut out = Folded::with_capacity(text.len());
        let mut view = Assembler::new(&mut out);
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let byte = bytes[i];
            // The general path below handles what may start a run: any non-ASCII
            // character, and an ASCII one right before a non-ASCII one ("e" + U+0301).
            if byte.is_ascii_alphanumeric() {
                // A run of ASCII letters and digits, copied in bulk up to (without)
                // a last character that non-ASCII follows.
                let start = i;
                let (mut kinds, mut before_last) = (0, 0);
                while i < bytes.len() {
                    let kind = ASCII_KIND[usize::from(bytes[i])];
                    if kind == 0 {
                        break;
                    }
                    before_last = kinds;
                    kinds |= kind;
                    i += 1;
                }
                if !bytes.get(i).is_none_or(u8::is_ascii) {
                    i -= 1;
                    kinds = before_last;
                }
                if i > start {
                    view.ascii_word(&bytes[start..i], start, kinds);
                    continue;
                }
            } else if byte.is_ascii() && bytes.get(i + 1).is_none_or(u8::is_ascii) {
                view.separator(byte == b'\n' || byte == b'\r');
                i += 1;
                continue;
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let char_end = i + c.len_utf8();
            let run_end = run_end(text, char_end);
            let (start, end) = (i as u32, run_end as u32);
            let unit = |ch| view.unit(ch, classify(ch), start, end);
            if run_end == char_end {
                self.fold_char(c, unit);
            } else {
                // Every character of the run maps to the whole run, so a span never
                // cuts a letter from its accent or a syllable from its vowel.
                self.fold_run(&text[i..run_end], unit);
            }
            i = run_end;
        }
        view.finish();
        out
    }

    /// Folds a lexicon phrase to the string the automaton looks for.
    pub(crate) fn fold_phrase(&self, phrase: &str) -> String {
        self.fold(phrase).as_str().to_owned()
    }
}

/// [`Folder::fold`] of ASCII text, and of text whose other characters only
/// fold to separators: the same view as the general path (property tests
/// compare them), mapped per run of letters and digits instead of per byte.
///
/// In ASCII text a token is exactly a maximal run of letters and digits, so the
/// [`Assembler`]'s bookkeeping reduces to a few locals per run: kept in
/// registers here instead of the assembler's fields, which every call reloaded
/// and stored (its token bookkeeping was a fifth of a check).
///
/// A non-ASCII character counts as `separators(c)` separators, as the general
/// path folds it; `None` (the general path must fold the text) when that is 0.
fn fold_ascii(original: &str, separators: impl Fn(char) -> u8) -> Option<Folded> {
    let bytes = original.as_bytes();
    let mut out = Folded::with_capacity(bytes.len());
    // Room for every byte, written through a slice by `copy_ascii_run` (a
    // byte store through the vector could alias its length, reloaded per byte).
    let mut text = std::mem::take(&mut out.text);
    text.resize(bytes.len(), 0);
    // `with_capacity` sized it for every offset up to `bytes.len()`, and a
    // folded offset never passes the original one here.
    let mut boundary = std::mem::take(&mut out.boundary);
    set_bit(&mut boundary, 0);
    let mut written = 0;
    // Separators since the last token, and whether all were on one line.
    let mut gap = 0usize;
    let mut gap_plain = true;
    // The last token was a single letter or digit.
    let mut last_single = false;
    let mut chain = Chain::default();
    // `SEPARATOR_BITS` of the separators passed, and `MAY_LINK` when a token
    // follows a `.` (a host may): enough to rule out `@` and links for most texts
    // without a scan of their own.
    let mut seen = 0;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if ASCII_KIND[usize::from(byte)] == 0 {
            if byte.is_ascii() {
                gap += 1;
                let bits = SEPARATOR_BITS[usize::from(byte)];
                gap_plain &= bits & LINE_BREAK == 0;
                seen |= bits;
                i += 1;
            } else {
                let (count, len) = symbol(original, i, &separators)?;
                // A non-ASCII byte after a `.` may start a host.
                if i > 0 && bytes[i - 1] == b'.' {
                    seen |= MAY_LINK;
                }
                gap += count;
                i += len;
            }
            continue;
        }
        if i > 0 && bytes[i - 1] == b'.' {
            seen |= MAY_LINK;
        }
        let start = written;
        let linked = last_single && (1..=2).contains(&gap) && gap_plain;
        let (len, kinds) = copy_ascii_run(&bytes[i..], &mut text[start..]);
        i += len;
        written += len;
        // Only the end: a token starts where the last one ended (or at 0), a
        // bit already set, which only this token's own chain step may clear.
        set_bit(&mut boundary, written);
        if kinds == LETTER | DIGIT {
            leet_digits(&mut text[start..written]);
        }
        last_single = len == 1;
        if last_single {
            chain.join(linked, start, written, kinds, &mut text, &mut boundary);
        } else {
            chain.len = 0;
        }
        gap = 0;
        gap_plain = true;
    }
    text.truncate(written);
    // Folded byte `k` is the `k`-th ASCII letter or digit: no spans needed.
    out.ascii_origin = true;
    out.boundary = boundary;
    // A link needs an `@`, a `.` before a host or `://` (see
    // `links::may_hold_links`, which settles the texts this leaves open).
    let at_sign = seen & AT != 0;
    out.signs = Some(Signs {
        at_sign,
        link: at_sign
            || (seen & (MAY_LINK | SLASH_OR_BRACKET) != 0 && crate::links::may_hold_links(bytes)),
    });
    // ASCII letters and digits only.
    out.text = text;
    Some(out)
}

/// The separators the non-ASCII character at byte `at` folds to, and its
/// length; `None` when it is not only separators. Out of line and cold: it
/// keeps the ASCII loop's registers free for the common case.
#[cold]
#[inline(never)]
fn symbol(original: &str, at: usize, separators: &impl Fn(char) -> u8) -> Option<(usize, usize)> {
    // `at` is on a character boundary: only whole characters are stepped over.
    let c = original.get(at..)?.chars().next()?;
    match separators(c) {
        0 => None,
        count => Some((usize::from(count), c.len_utf8())),
    }
}

/// Sets bit `at` of a boundary bitmap that has room for it.
fn set_bit(boundary: &mut [u64], at: usize) {
    if let Some(word) = boundary.get_mut(at / 64) {
        *word |= 1 << (at % 64);
    }
}

/// Clears bit `at` of a boundary bitmap.
fn clear_bit(boundary: &mut [u64], at: usize) {
    if let Some(word) = boundary.get_mut(at / 64) {
        *word &= !(1 << (at % 64));
    }
}

/// The run of linked one-character tokens that ends with the last token: its
/// length, where it starts and where its second token starts, whether it has a
/// letter.
#[derive(Default)]
struct Chain {
    len: usize,
    start: usize,
    second: usize,
    letter: bool,
}

impl Chain {
    /// Adds the one-character token just ended (`start..end` of `text`, with
    /// `LETTER | DIGIT` bits `kinds`; `linked` when it follows the last token one
    /// or two separators later on one line) to the chain of spaced letters.
    fn join(
        &mut self,
        linked: bool,
        start: usize,
        end: usize,
        kinds: u8,
        text: &mut [u8],
        boundary: &mut [u64],
    ) {
        if linked {
            self.len += 1;
        } else {
            self.len = 1;
            self.start = start;
            self.letter = false;
        }
        if self.len == 2 {
            self.second = start;
        }
        let had_letter = self.letter;
        self.letter |= kinds & LETTER != 0;
        match self.len {
            0..=2 => {}
            3 => {
                // Three in a row: one word from the first on.
                clear_bit(boundary, self.second);
                clear_bit(boundary, start);
                if self.letter {
                    leet_digits(&mut text[self.start..end]);
                }
            }
            _ => {
                clear_bit(boundary, start);
                // Each digit is rewritten once: the whole word when its first letter
                // arrives, later only the new character.
                if had_letter {
                    leet_digits(&mut text[start..end]);
                } else if self.letter {
                    leet_digits(&mut text[self.start..end]);
                }
            }
        }
    }
}

/// Copies the ASCII letters and digits `bytes` starts with into `into`,
/// lowercased; returns how many, and their `LETTER | DIGIT` bits. `into` is at
/// least as long as `bytes`.
fn copy_ascii_run(bytes: &[u8], into: &mut [u8]) -> (usize, u8) {
    let mut kinds = 0;
    for (count, (&byte, slot)) in bytes.iter().zip(into.iter_mut()).enumerate() {
        let kind = ASCII_KIND[usize::from(byte)];
        if kind == 0 {
            return (count, kinds);
        }
        kinds |= kind;
        // The lower case of an ASCII letter or digit: bit 5 set (digits have
        // it already), cheaper than `to_ascii_lowercase`'s range test.
        *slot = byte | 0x20;
    }
    (bytes.len().min(into.len()), kinds)
}

/// Characters that may follow one character in a run folded together, so that
/// runs stay short (UAX #15 stream-safe text has at most 30 marks in a row).
const MAX_RUN_CHARS: usize = 32;

/// The end of the run that starts with the character ending at `at`: the
/// characters after it that attach to it ([`attaches`]), with invisible characters
/// between them (an evader can hide a zero-width space between jamo).
fn run_end(text: &str, at: usize) -> usize {
    let mut end = at;
    let mut scan = at;
    for c in text[at..].chars().take(MAX_RUN_CHARS) {
        if c.is_ascii() {
            break;
        }
        scan += c.len_utf8();
        if attaches(c) {
            end = scan;
        } else if !is_invisible(c) {
            break;
        }
    }
    end
}

/// Whether `c` may compose with or belong to the character before it: its
/// compatibility decomposition starts with a combining mark (`é`'s accent, `ﾞ`) or
/// with a Hangul vowel or final consonant. A unit test checks this against the
/// Unicode data for every character.
fn attaches(c: char) -> bool {
    c >= '\u{300}'
        && (matches!(c,
            // Hangul vowel and final consonant jamo (modern)
            '\u{1161}'..='\u{1175}' | '\u{11A8}'..='\u{11C2}'
            // Hangul compatibility letters that are finals, and the vowels
            | '\u{3133}' | '\u{3135}' | '\u{3136}' | '\u{313A}'..='\u{313F}'
            | '\u{314F}'..='\u{3163}'
            // half-width katakana voicing marks
            | '\u{FF9E}' | '\u{FF9F}'
            // half-width Hangul finals and vowels
            | '\u{FFA3}' | '\u{FFA5}' | '\u{FFA6}' | '\u{FFAA}'..='\u{FFAF}'
            | '\u{FFC2}'..='\u{FFDC}'
            // Kirat Rai vowel signs that compose
            | '\u{16D67}' | '\u{16D68}'
        ) || is_combining_mark(c))
}

/// `ASCII_KIND[byte]`: 1 for an ASCII letter, 2 for an ASCII digit, else 0.
const ASCII_KIND: [u8; 256] = {
    let mut kinds = [0; 256];
    let mut byte: u8 = 0;
    while byte < 128 {
        kinds[byte as usize] = if byte.is_ascii_alphabetic() {
            LETTER
        } else if byte.is_ascii_digit() {
            DIGIT
        } else {
            0
        };
        byte += 1;
    }
    kinds
};
/// `SEPARATOR_BITS[byte]`: `LINE_BREAK` for `\n` and `\r`, `AT` for `@`,
/// `SLASH_OR_BRACKET` for `/` and `[` (of `://` and `[::1]`). A table lookup
/// costs less per separator than the compares.
const SEPARATOR_BITS: [u8; 256] = {
    let mut bits = [0; 256];
    bits[b'\n' as usize] = LINE_BREAK;
    bits[b'\r' as usize] = LINE_BREAK;
    bits[b'@' as usize] = AT;
    bits[b'/' as usize] = SLASH_OR_BRACKET;
    bits[b'[' as usize] = SLASH_OR_BRACKET;
    bits
};
const LINE_BREAK: u8 = 1;
const AT: u8 = 2;
const SLASH_OR_BRACKET: u8 = 4;
/// Not a separator's bit: a token or a non-ASCII character follows a `.`.
const MAY_LINK: u8 = 8;
const LETTER: u8 = 1;
const DIGIT: u8 = 2;

/// Builds the folded view from the stream of folded characters in one pass: drops
/// separators, undoes leetspeak inside words, records word boundaries and merges
/// letters spaced apart ("f r e e") into one word once three are seen in a row.
///
/// A *token* is a maximal run of letters, digits, spaceless-script characters and
/// the marks inside them. Three or more one-letter tokens, each one or two
/// separators apart on one line, form one word; their digits are read as letters
/// when the word has a letter.
struct Assembler<'o> {
    out: &'o mut Folded,
    /// The folded text being built (UTF-8; becomes `out.text` at the end).
    text: Vec<u8>,
    /// How much of `text` is assembled (all of it).
    written: usize,
    /// Inside a token; where it starts in `text`.
    in_token: bool,
    token_start: usize,
    /// Characters in the token, and whether the first is a letter or digit.
    token_chars: usize,
    token_starts_alphanumeric: bool,
    /// `LETTER | DIGIT` bits of the token (ASCII digits only: leetspeak).
    token_kinds: u8,
    /// The token follows a one-character token one or two separators before it.
    token_linked: bool,
    /// Characters between the last token and now, and whether all were separators
    /// on one line.
    gap: usize,
    gap_plain: bool,
    /// The last token was a single letter or digit.
    last_single: bool,
    /// The run of linked one-character tokens that ends with the last token.
    chain: Chain,
}

impl<'o> Assembler<'o> {
    fn new(out: &'o mut Folded) -> Assembler<'o> {
        let text = std::mem::take(&mut out.text);
        out.set_boundary(0);
        Assembler {
            out,
            text,
            written: 0,
            in_token: false,
            token_start: 0,
            token_chars: 0,
            token_starts_alphanumeric: false,
            token_kinds: 0,
            token_linked: false,
            gap: 0,
            gap_plain: true,
            last_single: false,
            chain: Chain::default(),
        }
    }

    fn begin_token(&mut self) {
        if self.in_token {
            return;
        }
        self.in_token = true;
        self.token_start = self.written;
        self.out.set_boundary(self.token_start);
        self.token_chars = 0;
        self.token_kinds = 0;
        self.token_linked = self.last_single && (1..=2).contains(&self.gap) && self.gap_plain;
    }

    fn end_token(&mut self) {
        if !self.in_token {
            return;
        }
        self.in_token = false;
        let end = self.written;
        self.out.set_boundary(end);
        if self.token_kinds == LETTER | DIGIT {
            leet_digits(&mut self.text[self.token_start..end]);
        }
        let single = self.token_chars == 1 && self.token_starts_alphanumeric;
        if single {
            self.chain.join(
                self.token_linked,
                self.token_start,
                end,
                self.token_kinds,
                &mut self.text,
                &mut self.out.boundary,
            );
        } else {
            self.chain.len = 0;
        }
        self.last_single = single;
        self.gap = 0;
        self.gap_plain = true;
    }

    /// A separator character (a line break when `line_break`).
    #[inline]
    fn separator(&mut self, line_break: bool) {
        // Runs of separators are common (", ", "... "): only the first ends a token,
        // and the others need no call.
        if self.in_token {
            self.end_token();
        }
        self.gap += 1;
        self.gap_plain &= !line_break;
    }

    /// ASCII letters and digits (`kinds`: their `LETTER | DIGIT` bits) at byte
    /// `at` of the original text.
    fn ascii_word(&mut self, word: &[u8], at: usize, kinds: u8) {
        self.begin_token();
        if self.token_chars == 0 {
            self.token_starts_alphanumeric = true;
        }
        self.token_chars += word.len();
        self.token_kinds |= kinds;
        self.out.map_linear(self.written, at);
        self.text.extend(word.iter().map(u8::to_ascii_lowercase));
        self.written = self.text.len();
    }

    /// One folded character that came from original bytes `start..end`.
    fn unit(&mut self, ch: char, class: Class, start: u32, end: u32) {
        match class {
            Class::Separator => self.separator(false),
            Class::LineBreak => self.separator(true),
            // A mark with no letter before it separates like punctuation, but
            // spaced letters do not continue across it.
            Class::Mark if !self.in_token => {
                self.gap += 1;
                self.gap_plain = false;
            }
            Class::Letter | Class::Digit | Class::Spaceless | Class::Mark => {
                self.begin_token();
                if self.token_chars == 0 {
                    self.token_starts_alphanumeric = matches!(class, Class::Letter | Class::Digit);
                }
                self.token_chars += 1;
                match class {
                    Class::Letter => self.token_kinds |= LETTER,
                    Class::Digit if ch.is_ascii_digit() => self.token_kinds |= DIGIT,
                    _ => {}
                }
                let spaceless = class == Class::Spaceless;
                if spaceless {
                    self.out.set_boundary(self.written);
                }
                let mut buffer = [0; 4];
                let encoded = ch.encode_utf8(&mut buffer).as_bytes();
                self.out.map_to(self.written, start, end);
                self.text.extend_from_slice(encoded);
                self.written = self.text.len();
                if spaceless {
                    self.out.set_boundary(self.written);
                }
            }
        }
    }

    fn finish(mut self) {
        self.end_token();
        let mut text = std::mem::take(&mut self.text);
        text.truncate(self.written);
        // Only whole characters are written, and leetspeak swaps ASCII for ASCII.
        debug_assert!(
            std::str::from_utf8(&text).is_ok(),
            "folded text is not UTF-8"
        );
        self.out.text = text;
    }
}

/// Reads the ASCII digits of a word that has letters as the letters they imitate.
fn leet_digits(word: &mut [u8]) {
    for byte in word {
        if byte.is_ascii_digit() {
            *byte = leet(char::from(*byte)) as u8;
        }
    }
}

fn classify(ch: char) -> Class {
    if ch.is_ascii_alphabetic() {
        Class::Letter
    } else if ch.is_ascii_digit() {
        Class::Digit
    } else if ch == '\n' || ch == '\r' {
        Class::LineBreak
    } else if ch.is_ascii() {
        Class::Separator
    } else if is_spaceless_script(ch) {
        Class::Spaceless
    } else if ch.is_alphabetic() {
        Class::Letter
    } else if ch.is_numeric() {
        Class::Digit
    } else if is_combining_mark(ch) {
        Class::Mark
    } else {
        Class::Separator
    }
}

/// Digits used as letters inside a word that has letters: `fr3e`, `g1ft`.
fn leet(digit: char) -> char {
    match digit {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        other => other,
    }
}

/// Characters that render as nothing and are used to split words invisibly.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{034F}'                // combining grapheme joiner
        | '\u{061C}'                // Arabic letter mark
        | '\u{115F}' | '\u{1160}'   // Hangul fillers
        | '\u{180E}'                // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space, (non-)joiner, direction marks
        | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'   // bidi isolates, deprecated format characters
        | '\u{3164}'                // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
        | '\u{FEFF}'                // zero-width no-break space
        | '\u{FFA0}'                // half-width Hangul filler
        | '\u{E0000}'..='\u{E007F}' // tag characters
    )
}

/// Latin letters with accents, which fold to their base letter (é → e).
fn is_latin_with_diacritics(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

/// Combining diacritics shared by Latin, Greek and Cyrillic, dropped when written
/// as separate characters (`e` + U+0301).
fn is_generic_diacritic(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}')
}

/// Scripts written without spaces between words, or (Korean) with particles glued
/// to the word before them.
pub(crate) fn is_spaceless_script(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0E7F}'     // Thai
        | '\u{1100}'..='\u{11FF}'   // Hangul jamo
        | '\u{3040}'..='\u{30FF}'   // Hiragana, Katakana
        | '\u{3130}'..='\u{318F}'   // Hangul compatibility jamo
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'   // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FFFF}' // CJK extensions B–F
    )
}

#[cfg(test)]
mod tests {
    use unicode_normalization::char::{canonical_combining_class, decompose_compatible};
    use unicode_normalization::{is_nfc_quick, IsNormalized};

    use super::*;

    fn folder() -> Folder {
        Folder::new(HashMap::from([('а', 'a'), ('е', 'e'), ('о', 'o')]))
    }

    fn view(text: &str) -> (String, Vec<usize>) {
        let folded = folder().fold(text);
        let boundaries = (0..=folded.text.len())
            .filter(|&i| folded.is_word(i, i))
            .collect();
        (folded.as_str().to_owned(), boundaries)
    }

    #[test]
    fn separators_are_dropped_and_words_bounded() {
        assert_eq!(view("Free gift!"), ("freegift".into(), vec![0, 4, 8]));
        assert_eq!(view("sugar-free"), ("sugarfree".into(), vec![0, 5, 9]));
    }

    #[test]
    fn evasions_fold_to_the_plain_word() {
        for evasion in [
            "FREE",
            "ｆｒｅｅ",
            "fr\u{200B}ee",
            "frее",
            "fr3e",
            "f r e e",
            "f.r.e.e",
            "fr\u{AD}ee",
            "𝐟𝐫𝐞𝐞",
        ] {
            assert_eq!(view(evasion), ("free".into(), vec![0, 4]), "{evasion:?}");
        }
    }

    #[test]
    fn accents_and_eszett_fold() {
        assert_eq!(view("Publicité").0, "publicite");
        assert_eq!(view("Publicite\u{301}").0, "publicite");
        assert_eq!(view("Straße").0, "strasse");
    }

    #[test]
    fn digits_alone_stay_digits() {
        assert_eq!(view("100% sicher").0, "100sicher");
        assert_eq!(view("fr33 gift").0, "freegift");
    }

    #[test]
    fn spaceless_scripts_have_boundaries_everywhere() {
        let (text, boundaries) = view("免 费领取");
        assert_eq!(text, "免费领取");
        assert_eq!(boundaries, vec![0, 3, 6, 9, 12]);
        let (text, _) = view("무료 증정을");
        assert_eq!(text, "무료증정을");
    }

    #[test]
    fn spans_map_back_to_original_bytes() {
        let text = "Get ｆｒｅｅ gift";
        let folded = folder().fold(text);
        let start = folded.as_str().find("free").unwrap();
        let (a, b) = folded.original(text, start, start + 4);
        assert_eq!(&text[a..b], "ｆｒｅｅ");
    }

    #[test]
    fn half_width_katakana_composes_with_its_voicing_marks() {
        assert_eq!(view("ﾀﾀﾞ").0, "タダ");
        assert_eq!(view("ﾌﾟﾚｾﾞﾝﾄ").0, "プレゼント");
    }

    #[test]
    fn decomposed_hangul_composes() {
        // Conjoining jamo (NFD), compatibility jamo typed one by one, and jamo with
        // a zero-width space between them all fold to the syllables.
        let nfd: String = "무료 증정".nfd().collect();
        assert_eq!(nfd.chars().count(), 11);
        assert_eq!(view(&nfd).0, "무료증정");
        assert_eq!(view("ㅁㅜㄹㅛ").0, "무료");
        assert_eq!(view("\u{1106}\u{200B}\u{116E}료").0, "무료");
    }

    #[test]
    fn a_run_maps_to_all_of_its_characters() {
        let text: String = "Publicité!".nfd().collect();
        let folded = folder().fold(&text);
        assert_eq!(folded.as_str(), "publicite");
        let (a, b) = folded.original(&text, 0, folded.text.len());
        assert_eq!(&text[a..b], "Publicite\u{301}");
        let text = "ﾌﾟﾚｾﾞﾝﾄ";
        let folded = folder().fold(text);
        let end = "プレ".len();
        assert_eq!(folded.original(text, 0, end), (0, "ﾌﾟﾚ".len()));
    }

    #[test]
    fn runs_stay_short() {
        // Zalgo text: a letter under hundreds of marks still folds to the letter,
        // and no run spans more than the stream-safe limit.
        let zalgo: String = "free"
            .chars()
            .flat_map(|c| std::iter::once(c).chain(std::iter::repeat_n('\u{336}', 300)))
            .collect();
        assert_eq!(view(&zalgo).0, "free");
        let folded = folder().fold(&zalgo);
        let (a, b) = folded.original(&zalgo, 0, 1);
        assert_eq!((a, b), (0, 1 + MAX_RUN_CHARS * '\u{336}'.len_utf8()));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "decomposes all 1.1 million code points: hours under Miri"
    )]
    fn attaches_covers_every_character_that_composes_with_the_one_before() {
        // A character can change the one before it under NFKC exactly when its
        // compatibility decomposition starts with a non-starter or with a character
        // that NFC may compose (NFC_Quick_Check = Maybe).
        let missing: Vec<String> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| {
                let mut first = None;
                decompose_compatible(c, |d| {
                    first.get_or_insert(d);
                });
                let first = first.unwrap_or(c);
                canonical_combining_class(first) != 0
                    || is_nfc_quick(std::iter::once(first)) == IsNormalized::Maybe
            })
            .filter(|&c| !attaches(c))
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        assert!(missing.is_empty(), "compose but do not attach: {missing:?}");
    }

    /// One folded character and the original range it came from.
    #[derive(Clone, Copy, Debug)]
    struct Unit {
        ch: char,
        class: Class,
        start: u32,
        end: u32,
    }

    /// The folding pipeline written the obvious way, in three passes (characters,
    /// tokens, words), as the one-pass [`Folder::fold`] must behave.
    fn reference_fold(text: &str) -> (String, Vec<(u32, u32)>, Vec<bool>) {
        let folder = folder();
        let mut units = Vec::new();
        let mut offset = 0;
        while let Some(c) = text[offset..].chars().next() {
            let char_end = offset + c.len_utf8();
            let run_end = run_end(text, char_end);
            let (start, end) = (offset as u32, run_end as u32);
            let push = |ch| {
                units.push(Unit {
                    ch,
                    class: classify(ch),
                    start,
                    end,
                })
            };
            if run_end == char_end {
                folder.fold_char(c, push);
            } else {
                folder.fold_run(&text[offset..run_end], push);
            }
            offset = run_end;
        }
        // Tokens: maximal runs of non-separators; a mark cannot start one.
        let mut tokens = Vec::new();
        let mut start = None;
        for (i, unit) in units.iter().enumerate() {
            let is_sep = matches!(unit.class, Class::Separator | Class::LineBreak)
                || (unit.class == Class::Mark && start.is_none());
            match (is_sep, start) {
                (true, Some(s)) => {
                    tokens.push((s, i));
                    start = None;
                }
                (false, None) => start = Some(i),
                _ => {}
            }
        }
        if let Some(s) = start {
            tokens.push((s, units.len()));
        }
        let is_single = |(a, b): (usize, usize)| {
            b - a == 1 && matches!(units[a].class, Class::Letter | Class::Digit)
        };
        let is_short_gap = |from: usize, to: usize| {
            (1..=2).contains(&(to - from))
                && units[from..to].iter().all(|u| u.class == Class::Separator)
        };
        let mut text = String::new();
        let mut origin = Vec::new();
        let mut boundaries = vec![true];
        let mark = |boundaries: &mut Vec<bool>, at: usize| {
            boundaries.resize(boundaries.len().max(at + 1), false);
            boundaries[at] = true;
        };
        let mut t = 0;
        while t < tokens.len() {
            let mut last = t;
            while last + 1 < tokens.len()
                && is_single(tokens[last])
                && is_single(tokens[last + 1])
                && is_short_gap(tokens[last].1, tokens[last + 1].0)
            {
                last += 1;
            }
            if last - t < 2 {
                last = t;
            }
            let group = &tokens[t..=last];
            let has_letter = group
                .iter()
                .any(|&(a, b)| units[a..b].iter().any(|u| u.class == Class::Letter));
            mark(&mut boundaries, text.len());
            for &(a, b) in group {
                for unit in &units[a..b] {
                    let ch = if has_letter && unit.class == Class::Digit {
                        leet(unit.ch)
                    } else {
                        unit.ch
                    };
                    let spaceless = unit.class == Class::Spaceless;
                    if spaceless {
                        mark(&mut boundaries, text.len());
                    }
                    text.push(ch);
                    origin.extend(std::iter::repeat_n((unit.start, unit.end), ch.len_utf8()));
                    if spaceless {
                        mark(&mut boundaries, text.len());
                    }
                }
            }
            mark(&mut boundaries, text.len());
            t = last + 1;
        }
        boundaries.resize(text.len() + 1, false);
        (text, origin, boundaries)
    }

    /// Text full of what folding treats specially.
    fn foldable_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop_oneof![
                "[a-cA-C0-9 .\n-]{0,6}",
                Just("f r 3 e".to_owned()),
                Just("1 2 3".to_owned()),
                Just("x\u{301} y z".to_owned()),
                Just("ｆｒｅｅ".to_owned()),
                Just("ﾌﾟﾚｾﾞﾝﾄ".to_owned()),
                Just("무료 증정".to_owned()),
                Just("\u{1106}\u{116E}".to_owned()),
                Just("\u{301}".to_owned()),
                Just("\u{200B}".to_owned()),
                Just("…".to_owned()),
                Just("ß".to_owned()),
                Just("é".to_owned()),
                Just("٣".to_owned()),
                Just("а".to_owned()),
                any::<char>().prop_map(String::from),
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri (the other fold tests cover the same paths)")]
        fn one_pass_fold_equals_the_reference(text in foldable_text()) {
            let folded = folder().fold(&text);
            let (expected, origin, boundaries) = reference_fold(&text);
            proptest::prop_assert_eq!(folded.as_str(), &expected);
            proptest::prop_assert_eq!(folded.origin_map(&text), origin);
            let got: Vec<bool> = (0..=folded.text.len()).map(|i| folded.is_boundary(i)).collect();
            proptest::prop_assert_eq!(got, boundaries);
        }
    }

    /// ASCII text with what the ASCII fold must get right: case, leetspeak,
    /// spaced and dotted letters, line breaks, runs of punctuation.
    fn ascii_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9]{1,8}",
                "[ .,!\n\r\t-]{1,3}",
                Just("f r 3 e".to_owned()),
                Just("F.R.E.E".to_owned()),
                Just("1 2 3 4".to_owned()),
                Just("g1ft 4 u".to_owned()),
                Just("a\nb c d".to_owned()),
                "[\\x00-\\x7f]{0,4}",
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri (the other fold tests cover the same paths)")]
        fn ascii_fold_equals_the_general_fold(text in ascii_text()) {
            let fast = fold_ascii(&text, |_| 0).unwrap();
            let general = folder().fold_general(&text);
            proptest::prop_assert_eq!(&fast.text, &general.text);
            proptest::prop_assert_eq!(fast.origin_map(&text), general.origin_map(&text));
            let bounds = |f: &Folded| (0..=f.text.len() + 1).map(|i| f.is_boundary(i)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bounds(&fast), bounds(&general));
            for start in 0..fast.text.len() {
                for end in start + 1..=fast.text.len() {
                    proptest::prop_assert_eq!(fast.original(&text, start, end), general.original(&text, start, end));
                }
            }
        }
    }

    /// ASCII text with symbols and punctuation the ASCII path counts as
    /// separators, and characters it must leave to the general path (letters
    /// with accents, a combining accent, a zero-width space, a homoglyph).
    fn text_with_symbols() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop_oneof![
                ascii_text(),
                "[£…’‘–—“”»¡¿©°\u{a0}\u{92}\u{96}]{1,3}",
                Just("f£r£e£e".to_owned()),
                Just("f … r e".to_owned()),
                "[üÜé\u{301}\u{200B}е]",
            ],
            0..8,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri (the other fold tests cover the same paths)")]
        fn symbols_as_separators_equal_the_general_fold(text in text_with_symbols()) {
            let folder = folder();
            let fast = folder.fold(&text);
            let general = folder.fold_general(&text);
            proptest::prop_assert_eq!(&fast.text, &general.text);
            proptest::prop_assert_eq!(fast.origin_map(&text), general.origin_map(&text));
            let bounds = |f: &Folded| (0..=f.text.len() + 1).map(|i| f.is_boundary(i)).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bounds(&fast), bounds(&general));
            for start in 0..fast.text.len() {
                for end in start + 1..=fast.text.len() {
                    proptest::prop_assert_eq!(fast.original(&text, start, end), general.original(&text, start, end));
                }
            }
            // The ASCII path takes exactly the texts without the other characters.
            let simple = !text.chars().any(|c| "üÜé\u{301}\u{200B}е".contains(c));
            let taken = fold_ascii(&text, |c| folder.separators_of(c)).is_some();
            proptest::prop_assert_eq!(taken, simple);
        }
    }

    /// Text with the signs of mentions and links among words and separators,
    /// and characters that send it to the general path.
    fn text_with_signs() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop_oneof![
                "[a-zA-Z0-9]{1,6}",
                "[ .:@/\n-]{1,3}",
                Just("www.".to_owned()),
                Just("https://".to_owned()),
                Just("…".to_owned()),
                Just("é.".to_owned()),
                Just("＠".to_owned()),
                Just(".[".to_owned()),
            ],
            0..16,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri")]
        fn signs_are_what_the_pre_filters_find(text in text_with_signs()) {
            let folded = folder().fold(&text);
            if let Some(signs) = folded.signs {
                proptest::prop_assert_eq!(signs.at_sign, text.contains(['@', '＠']));
                proptest::prop_assert_eq!(signs.link, crate::links::may_hold_links(text.as_bytes()));
            } else {
                // Only the general path leaves them unknown.
                proptest::prop_assert!(text.contains(['é', '＠']));
            }
        }
    }

    #[test]
    fn signs_of_common_texts() {
        let signs = |text: &str| folder().fold(text).signs;
        let both = Signs {
            at_sign: true,
            link: true,
        };
        assert_eq!(signs("Mail me: ann@example.com."), Some(both));
        assert_eq!(signs("Hi @all, see you."), Some(both));
        let link = Signs {
            at_sign: false,
            link: true,
        };
        assert_eq!(signs("See www.example.com now"), Some(link));
        assert_eq!(signs("See https://x"), Some(link));
        assert_eq!(signs("Ok. See you: at 5."), Some(Signs::default()));
        assert_eq!(signs("Café at 5"), None);
    }

    #[test]
    fn symbols_fold_to_as_many_separators_as_the_general_path_emits() {
        let folder = folder();
        assert_eq!(folder.separators_of('£'), 1);
        assert_eq!(folder.separators_of('’'), 1);
        assert_eq!(folder.separators_of('\u{a0}'), 1);
        assert_eq!(folder.separators_of('…'), 3);
        for other in [
            'ü', 'é', 'е', '\u{301}', '\u{200B}', '\u{AD}', 'ª', '²', '中', '€',
        ] {
            assert_eq!(folder.separators_of(other), 0, "{other:?}");
        }
        // Spaced letters across symbols: "f£r£e£e" is one word, as on the general path.
        assert_eq!(folder.fold("f£r£e£e gift").as_str(), "freegift");
        assert!(folder.fold("f£r£e£e gift").is_word(0, 4));
    }

    #[test]
    fn ascii_spans_map_back_through_dropped_separators() {
        let text = "Win a FR3E g-i-f-t now!!";
        let folded = folder().fold(text);
        assert_eq!(folded.as_str(), "winafreegiftnow");
        let gift = folded.as_str().find("gift").unwrap();
        assert_eq!(folded.original(text, gift, gift + 4), (11, 18));
        let free = folded.as_str().find("free").unwrap();
        assert_eq!(folded.original(text, free, free + 4), (6, 10));
    }

    #[test]
    fn mapping_the_matches_of_a_long_text_back_stays_linear() {
        // 64 KiB of short words, every 4-letter range mapped back in text
        // order, as a scan's matches are: one pass over the text in all plus a
        // step or two per match, not a pass per match (which took hostile
        // texts from milliseconds to a tenth of a second).
        let text = "ab cd ".repeat(64 * 1024 / 6);
        let folded = folder().fold(&text);
        let mut origins = folded.origins(&text);
        let mut calls = 0;
        for end in (4..=folded.text.len()).step_by(2) {
            let (a, b) = origins.original(end - 4, end);
            assert_eq!(text[a..b].replace(' ', ""), folded.as_str()[end - 4..end]);
            calls += 1;
        }
        let steps = origins.letters.as_ref().map_or(0, |letters| letters.steps);
        assert!(steps > 0, "the ASCII path maps by counting letters");
        assert!(
            steps <= text.len() / 8 + 4 * calls,
            "{steps} words counted for {calls} matches in {} bytes",
            text.len()
        );
    }

    #[test]
    fn buffers_are_reused_and_never_leak_old_content() {
        let long = folder().fold("a much longer message with many words in it");
        drop(long);
        let folded = folder().fold("Hi");
        assert_eq!(folded.as_str(), "hi");
        assert_eq!(folded.origin_map("Hi"), [(0, 1), (1, 2)]);
        assert!(folded.is_boundary(2) && !folded.is_boundary(3) && !folded.is_boundary(5));
    }

    #[test]
    fn spaced_letters_need_three_and_stay_on_one_line() {
        assert_eq!(view("a b").1, vec![0, 1, 2]);
        assert_eq!(view("f\nr\ne\ne").1, vec![0, 1, 2, 3, 4]);
    }
}
