//! The folding pipeline behind [`Folded`].

use std::collections::HashMap;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

use super::Folded;

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

/// One folded character and the original character it came from.
#[derive(Clone, Copy, Debug)]
struct Unit {
    ch: char,
    class: Class,
    start: u32,
    end: u32,
}

/// Reusable buffers of one fold: the units and the token ranges.
type Scratch = (Vec<Unit>, Vec<(usize, usize)>);

/// Folds text for matching. Holds the homoglyph table (a lexicon data file).
#[derive(Debug, Clone, Default)]
pub(crate) struct Folder {
    homoglyphs: HashMap<char, char>,
}

impl Folder {
    /// A folder with the given homoglyph table (lookalike → Latin letter).
    pub(crate) fn new(homoglyphs: HashMap<char, char>) -> Folder {
        Folder { homoglyphs }
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

    /// Folds `text` into a fresh [`Folded`].
    pub(crate) fn fold(&self, text: &str) -> Folded {
        // The intermediate buffers are reused per thread: folding runs once per
        // message on the hot path, and these two allocations were a tenth of it.
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                let (units, tokens) = &mut *scratch;
                self.fold_with(text, units, tokens)
            }
            Err(_) => self.fold_with(text, &mut Vec::new(), &mut Vec::new()),
        })
    }

    fn fold_with(
        &self,
        text: &str,
        units: &mut Vec<Unit>,
        tokens: &mut Vec<(usize, usize)>,
    ) -> Folded {
        units.clear();
        if units.capacity() > 1 << 16 && text.len() < 1 << 12 {
            // Do not keep a huge buffer alive after one huge message.
            units.shrink_to(1 << 12);
        }
        if text.is_ascii() {
            units.extend(text.bytes().enumerate().map(|(offset, byte)| {
                let ch = char::from(byte.to_ascii_lowercase());
                Unit {
                    ch,
                    class: classify(ch),
                    start: offset as u32,
                    end: offset as u32 + 1,
                }
            }));
            find_tokens(units, tokens);
            return assemble(units, tokens);
        }
        let mut offset = 0;
        while let Some(c) = text[offset..].chars().next() {
            let char_end = offset + c.len_utf8();
            let run_end = run_end(text, char_end);
            let start = offset as u32;
            let end = run_end as u32;
            let push = |ch| {
                units.push(Unit {
                    ch,
                    class: classify(ch),
                    start,
                    end,
                })
            };
            if run_end == char_end {
                self.fold_char(c, push);
            } else {
                // Every character of the run maps to the whole run, so a span never
                // cuts a letter from its accent or a syllable from its vowel.
                self.fold_run(&text[offset..run_end], push);
            }
            offset = run_end;
        }
        find_tokens(units, tokens);
        assemble(units, tokens)
    }

    /// Folds a lexicon phrase to the string the automaton looks for.
    pub(crate) fn fold_phrase(&self, phrase: &str) -> String {
        self.fold(phrase).text
    }
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

/// Builds the folded view from units: drops separators, merges letters spaced
/// apart into one word, undoes leetspeak inside words, records boundaries.
fn assemble(units: &[Unit], tokens: &[(usize, usize)]) -> Folded {
    let mut out = Folded {
        text: String::with_capacity(units.len()),
        origin: Vec::with_capacity(units.len()),
        // One bit per folded byte; ASCII folds one byte per unit.
        boundary: vec![0; units.len() / 64 + 1],
    };
    out.set_boundary(0);
    let mut t = 0;
    while t < tokens.len() {
        // A run of three or more one-character tokens, each separated by one or two
        // separators on the same line, is one word written spaced apart: "f r e e".
        let mut last = t;
        while last + 1 < tokens.len()
            && is_single(units, tokens[last])
            && is_single(units, tokens[last + 1])
            && is_short_gap(units, tokens[last].1, tokens[last + 1].0)
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
        out.set_boundary(out.text.len());
        for &(a, b) in group {
            for unit in &units[a..b] {
                let ch = if has_letter && unit.class == Class::Digit {
                    leet(unit.ch)
                } else {
                    unit.ch
                };
                let spaceless = unit.class == Class::Spaceless;
                if spaceless {
                    out.set_boundary(out.text.len());
                }
                out.text.push(ch);
                for _ in 0..ch.len_utf8() {
                    out.origin.push((unit.start, unit.end));
                }
                if spaceless {
                    out.set_boundary(out.text.len());
                }
            }
        }
        out.set_boundary(out.text.len());
        t = last + 1;
    }
    out
}

/// Maximal runs of non-separator units, as `start..end` unit indices.
fn find_tokens(units: &[Unit], tokens: &mut Vec<(usize, usize)>) {
    tokens.clear();
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
}

fn is_single(units: &[Unit], (a, b): (usize, usize)) -> bool {
    b - a == 1 && matches!(units[a].class, Class::Letter | Class::Digit)
}

fn is_short_gap(units: &[Unit], from: usize, to: usize) -> bool {
    let gap = to - from;
    (1..=2).contains(&gap) && units[from..to].iter().all(|u| u.class == Class::Separator)
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
        (folded.text.clone(), boundaries)
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
        let start = folded.text.find("free").unwrap();
        let (a, b) = folded.original(start, start + 4);
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
        assert_eq!(folded.text, "publicite");
        let (a, b) = folded.original(0, folded.text.len());
        assert_eq!(&text[a..b], "Publicite\u{301}");
        let text = "ﾌﾟﾚｾﾞﾝﾄ";
        let folded = folder().fold(text);
        let end = "プレ".len();
        assert_eq!(folded.original(0, end), (0, "ﾌﾟﾚ".len()));
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
        let (a, b) = folded.original(0, 1);
        assert_eq!((a, b), (0, 1 + MAX_RUN_CHARS * '\u{336}'.len_utf8()));
    }

    #[test]
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

    #[test]
    fn spaced_letters_need_three_and_stay_on_one_line() {
        assert_eq!(view("a b").1, vec![0, 1, 2]);
        assert_eq!(view("f\nr\ne\ne").1, vec![0, 1, 2, 3, 4]);
    }
}
