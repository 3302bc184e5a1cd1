//! One automaton for every phrase list: a single pass over the folded text finds
//! bait phrases, labels, promotional cues, opt-out instructions and PII cues.

use std::collections::HashMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::automaton::StateID;
use aho_corasick::{dfa, nfa, Anchored, MatchKind};

use crate::error::Error;
use crate::lexicon::{Phrase, PhraseList};
use crate::text::{Folded, Folder};

/// A phrase as the automaton knows it.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) list: PhraseList,
    pub(crate) category: String,
    pub(crate) lang: String,
    /// The phrase as written in the lexicon or policy.
    pub(crate) phrase: String,
    /// Punctuation the phrase starts with (`#` of `#ad`), required in the original
    /// text right before the match.
    prefix: Vec<char>,
    /// Punctuation the phrase ends with (`]` of `[Ad]`), required right after.
    suffix: Vec<char>,
}

/// A phrase found in a message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit<'m> {
    pub(crate) entry: &'m Entry,
    /// Original byte range, anchors included.
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The compiled phrase lists.
#[derive(Debug)]
pub(crate) struct Matcher {
    /// The patterns that are ASCII. Folded text that is ASCII (most messages)
    /// can hold no other, so most scans walk this automaton alone: a quarter of
    /// the size of one automaton of every pattern, its scan misses the cache
    /// less.
    ascii: Option<Part>,
    /// The other patterns (Hangul, Han, Cyrillic, …), scanned beside the ASCII
    /// ones in text that is not ASCII.
    other: Option<Part>,
    /// Per pattern, the entries that fold to it.
    patterns: Vec<Vec<Entry>>,
}

/// An automaton of some of the matcher's patterns.
#[derive(Debug)]
struct Part {
    automaton: Phrases,
    /// The matcher's index of each of its patterns.
    indices: Vec<usize>,
}

impl Part {
    /// The part of `patterns` that `keep` keeps, `None` when that is none.
    fn new(patterns: &[String], keep: impl Fn(&str) -> bool) -> Result<Option<Part>, Error> {
        let (indices, kept): (Vec<usize>, Vec<&String>) = patterns
            .iter()
            .enumerate()
            .filter(|(_, pattern)| keep(pattern))
            .unzip();
        if kept.is_empty() {
            return Ok(None);
        }
        let automaton = Phrases::new(&kept).map_err(|err| {
            Error::invalid_key(
                "rules",
                format!("the policy's phrases are too many to compile: {err}"),
            )
        })?;
        Ok(Some(Part { automaton, indices }))
    }

    /// [`Phrases::overlapping`] with the matcher's pattern indices.
    fn overlapping(&self, haystack: &[u8], mut found: impl FnMut(usize, usize, usize)) {
        self.automaton.overlapping(haystack, |pattern, start, end| {
            found(self.indices[pattern], start, end);
        });
    }
}

impl Matcher {
    /// Compiles phrases; phrases that fold to nothing (only punctuation) are skipped.
    ///
    /// A DFA is fastest; a phrase set too large for one (far past the policy's
    /// phrase limits) falls back to the NFAs, and one too large for any is a
    /// policy error rather than a panic.
    pub(crate) fn new(folder: &Folder, phrases: &[Phrase]) -> Result<Matcher, Error> {
        let mut by_folded: HashMap<String, usize> = HashMap::new();
        let mut folded_patterns: Vec<String> = Vec::new();
        let mut patterns: Vec<Vec<Entry>> = Vec::new();
        for phrase in phrases {
            let folded = folder.fold_phrase(&phrase.text);
            if folded.is_empty() {
                continue;
            }
            let index = *by_folded.entry(folded.clone()).or_insert_with(|| {
                folded_patterns.push(folded);
                patterns.push(Vec::new());
                patterns.len() - 1
            });
            let trimmed = phrase.text.trim();
            let prefix = trimmed.chars().take_while(|c| is_anchor(*c)).collect();
            let mut suffix: Vec<char> = trimmed
                .chars()
                .rev()
                .take_while(|c| is_anchor(*c))
                .collect();
            suffix.reverse();
            patterns[index].push(Entry {
                list: phrase.list,
                category: phrase.category.clone(),
                lang: phrase.lang.clone(),
                phrase: phrase.text.clone(),
                prefix,
                suffix,
            });
        }
        Ok(Matcher {
            ascii: Part::new(&folded_patterns, str::is_ascii)?,
            other: Part::new(&folded_patterns, |pattern| !pattern.is_ascii())?,
            patterns,
        })
    }

    /// Every occurrence of every pattern in `folded`, as `found(pattern, start,
    /// end)`, in the order one automaton of every pattern reports them: by end,
    /// and at one end the longer first (a state lists its own match before the
    /// shorter ones it inherits).
    fn overlapping(&self, folded: &Folded, mut found: impl FnMut(usize, usize, usize)) {
        let text = &folded.text;
        match (&self.ascii, &self.other) {
            // ASCII text (most messages, and most Latin-script text once
            // accents are folded away) can hold no other pattern.
            (Some(ascii), _) if folded.is_ascii() || text.is_ascii() => {
                ascii.overlapping(text, found);
            }
            (Some(part), None) | (None, Some(part)) => part.overlapping(text, found),
            (Some(ascii), Some(other)) => {
                // Patterns are distinct, so no two matches share end and length.
                let mut matches = Vec::new();
                let mut keep = |pattern, start, end| {
                    matches.push((end, std::cmp::Reverse(end - start), pattern));
                };
                ascii.overlapping(text, &mut keep);
                other.overlapping(text, &mut keep);
                matches.sort_unstable();
                for (end, std::cmp::Reverse(len), pattern) in matches {
                    found(pattern, end - len, end);
                }
            }
            (None, None) => {}
        }
    }

    /// Every phrase occurrence that sits on word boundaries and has its anchors.
    pub(crate) fn find<'m>(
        &'m self,
        folder: &Folder,
        original: &str,
        folded: &Folded,
        hits: &mut Vec<Hit<'m>>,
    ) {
        // Matches come in text order, so mapping them back stays linear.
        let mut origins = folded.origins(original);
        self.overlapping(folded, |pattern, start, end| {
            if !folded.is_word(start, end) {
                return;
            }
            let (start, end) = origins.original(start, end);
            for entry in &self.patterns[pattern] {
                let Some(start) = anchored_before(folder, original, start, &entry.prefix) else {
                    continue;
                };
                let Some(end) = anchored_after(folder, original, end, &entry.suffix) else {
                    continue;
                };
                hits.push(Hit { entry, start, end });
            }
        });
    }
}

/// The phrase automaton, one of Aho-Corasick's three kinds (a DFA unless the
/// phrases are too many for one), searched by [`overlapping`] rather than through
/// `AhoCorasick::find_overlapping_iter`, whose iterator keeps its position in
/// memory and goes through a trait object: the plain loop costs about a third
/// per byte. It reports the same matches in the same order (a property test
/// compares them).
#[derive(Debug)]
enum Phrases {
    Dfa(dfa::DFA),
    Contiguous(nfa::contiguous::NFA),
    Noncontiguous(nfa::noncontiguous::NFA),
}

impl Phrases {
    /// The automaton of `patterns` (none empty), standard match semantics.
    fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Result<Phrases, aho_corasick::BuildError> {
        let noncontiguous = nfa::noncontiguous::Builder::new()
            .match_kind(MatchKind::Standard)
            .build(patterns)?;
        // Built once and turned into the faster kinds (match semantics are set
        // by the first build).
        if let Ok(dfa) = dfa::Builder::new().build_from_noncontiguous(&noncontiguous) {
            return Ok(Phrases::Dfa(dfa));
        }
        if let Ok(contiguous) =
            nfa::contiguous::Builder::new().build_from_noncontiguous(&noncontiguous)
        {
            return Ok(Phrases::Contiguous(contiguous));
        }
        Ok(Phrases::Noncontiguous(noncontiguous))
    }

    /// Calls `found(pattern, start, end)` for every occurrence in `haystack`.
    fn overlapping(&self, haystack: &[u8], found: impl FnMut(usize, usize, usize)) {
        match self {
            Phrases::Dfa(dfa) => overlapping(dfa, haystack, found),
            Phrases::Contiguous(nfa) => overlapping(nfa, haystack, found),
            Phrases::Noncontiguous(nfa) => overlapping(nfa, haystack, found),
        }
    }
}

/// Every occurrence of every pattern of `automaton` (standard semantics, no
/// empty pattern) in `haystack`, as `found(pattern, start, end)`: by end, and at
/// one end in the automaton's match order, as `find_overlapping_iter` reports them.
fn overlapping<A: Automaton>(
    automaton: &A,
    haystack: &[u8],
    mut found: impl FnMut(usize, usize, usize),
) {
    // An unanchored start state always exists (the builders' default start kind).
    let Ok(mut state) = automaton.start_state(Anchored::No) else {
        return;
    };
    let mut at = 0;
    while at < haystack.len() {
        (state, at) = plain_run(automaton, haystack, state, at);
        // Special states are match, dead and (with a prefilter) start states; a
        // start state needs nothing here, the prefilter only skips ahead.
        if !automaton.is_special(state) {
            return;
        }
        if automaton.is_dead(state) {
            return;
        }
        if automaton.is_match(state) {
            for index in 0..automaton.match_len(state) {
                let pattern = automaton.match_pattern(state, index);
                let len = automaton.pattern_len(pattern);
                found(pattern.as_usize(), at - len, at);
            }
        }
    }
}

/// Steps `automaton` from `state` over `haystack[at..]` until it enters a
/// special state (match, dead or, with a prefilter, start) or the text ends:
/// the state it stopped in and where.
///
/// A loop of its own that only reads, so the automaton's tables stay in
/// registers instead of being reloaded after every report; eight bytes per
/// round while eight are left, which saves the end test of seven of them
/// (instructions per check of the SMS corpus with one byte per round: 6.95k;
/// four: 6.80k; eight: 6.71k; sixteen: 6.76k).
#[inline(always)]
fn plain_run<A: Automaton>(
    automaton: &A,
    haystack: &[u8],
    mut state: StateID,
    mut at: usize,
) -> (StateID, usize) {
    while let Some(&[a, b, c, d, e, f, g, h]) = haystack.get(at..at + 8) {
        for byte in [a, b, c, d, e, f, g, h] {
            state = automaton.next_state(Anchored::No, state, byte);
            at += 1;
            if automaton.is_special(state) {
                return (state, at);
            }
        }
    }
    while let Some(&byte) = haystack.get(at) {
        state = automaton.next_state(Anchored::No, state, byte);
        at += 1;
        if automaton.is_special(state) {
            break;
        }
    }
    (state, at)
}

/// The matches of a leftmost-first or leftmost-longest `automaton` (no empty
/// pattern) in `haystack`, as `found(start, end)`: what `AhoCorasick::find_iter`
/// reports, one after another without overlap, searched by a loop like
/// [`overlapping`]'s (a property test compares the two).
pub(crate) fn leftmost<A: Automaton>(
    automaton: &A,
    haystack: &[u8],
    mut found: impl FnMut(usize, usize),
) {
    let Ok(start) = automaton.start_state(Anchored::No) else {
        return;
    };
    let mut from = 0;
    while from < haystack.len() {
        // The longest (or first) match at the leftmost position: match states
        // update it until the automaton dies or the text ends.
        let mut state = start;
        let mut last = None;
        let mut at = from;
        while at < haystack.len() {
            (state, at) = plain_run(automaton, haystack, state, at);
            if !automaton.is_special(state) || automaton.is_dead(state) {
                break;
            }
            if automaton.is_match(state) {
                last = Some((state, at));
            }
        }
        let Some((state, end)) = last else {
            return;
        };
        let len = automaton.pattern_len(automaton.match_pattern(state, 0));
        found(end - len, end);
        from = end;
    }
}

/// Punctuation that can anchor a phrase (letters, digits and spaces cannot).
fn is_anchor(c: char) -> bool {
    !c.is_alphanumeric() && !c.is_whitespace()
}

/// Where the match starts once `prefix` is found right before `start` in the
/// original text (compared after folding, so `＃` counts as `#`).
fn anchored_before(folder: &Folder, text: &str, start: usize, prefix: &[char]) -> Option<usize> {
    let mut at = start;
    for &want in prefix.iter().rev() {
        let c = text[..at].chars().next_back()?;
        if fold_one(folder, c) != fold_one(folder, want) {
            return None;
        }
        at -= c.len_utf8();
    }
    Some(at)
}

/// Where the match ends once `suffix` is found right after `end`.
fn anchored_after(folder: &Folder, text: &str, end: usize, suffix: &[char]) -> Option<usize> {
    let mut at = end;
    for &want in suffix {
        let c = text[at..].chars().next()?;
        if fold_one(folder, c) != fold_one(folder, want) {
            return None;
        }
        at += c.len_utf8();
    }
    Some(at)
}

fn fold_one(folder: &Folder, c: char) -> Option<char> {
    let mut first = None;
    folder.fold_char(c, |f| {
        first.get_or_insert(f);
    });
    first
}

#[cfg(test)]
mod tests {
    use aho_corasick::{AhoCorasick, AhoCorasickKind};

    use super::*;

    /// What `AhoCorasick::find_overlapping_iter` reports, as (pattern, start, end).
    fn reference(kind: AhoCorasickKind, patterns: &[String], haystack: &str) -> Vec<[usize; 3]> {
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(patterns)
            .unwrap();
        automaton
            .find_overlapping_iter(haystack)
            .map(|m| [m.pattern().as_usize(), m.start(), m.end()])
            .collect()
    }

    fn scanned(automaton: &Phrases, haystack: &str) -> Vec<[usize; 3]> {
        let mut found = Vec::new();
        automaton.overlapping(haystack.as_bytes(), |p, s, e| found.push([p, s, e]));
        found
    }

    proptest::proptest! {
        /// On few letters, patterns overlap, nest and share ends and prefixes:
        /// every kind of automaton reports what `find_overlapping_iter` does.
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri")]
        fn the_scan_equals_find_overlapping_iter(
            patterns in proptest::collection::vec("[abc]{1,4}", 1..12),
            haystack in "[abcd]{0,40}",
        ) {
            let expected = reference(AhoCorasickKind::DFA, &patterns, &haystack);
            let nnfa = nfa::noncontiguous::Builder::new()
                .match_kind(MatchKind::Standard)
                .build(&patterns)
                .unwrap();
            let kinds = [
                Phrases::new(&patterns).unwrap(),
                Phrases::Contiguous(
                    nfa::contiguous::Builder::new().build_from_noncontiguous(&nnfa).unwrap(),
                ),
                Phrases::Noncontiguous(nnfa.clone()),
            ];
            proptest::prop_assert!(matches!(kinds[0], Phrases::Dfa(_)));
            for automaton in &kinds {
                proptest::prop_assert_eq!(&scanned(automaton, &haystack), &expected);
            }
            for kind in [AhoCorasickKind::ContiguousNFA, AhoCorasickKind::NoncontiguousNFA] {
                proptest::prop_assert_eq!(&reference(kind, &patterns, &haystack), &expected);
            }
        }
    }

    proptest::proptest! {
        /// Leftmost-longest and leftmost-first, case-insensitive or not: the
        /// loop reports what `find_iter` does.
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri")]
        fn the_leftmost_scan_equals_find_iter(
            patterns in proptest::collection::vec("[abcAB/ ]{1,4}", 1..12),
            haystack in "[abcdAB/ ]{0,40}",
            longest in proptest::bool::ANY,
            insensitive in proptest::bool::ANY,
        ) {
            let kind = if longest { MatchKind::LeftmostLongest } else { MatchKind::LeftmostFirst };
            let reference = AhoCorasick::builder()
                .match_kind(kind)
                .ascii_case_insensitive(insensitive)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&patterns)
                .unwrap();
            let expected: Vec<(usize, usize)> =
                reference.find_iter(&haystack).map(|m| (m.start(), m.end())).collect();
            let dfa = dfa::Builder::new()
                .match_kind(kind)
                .ascii_case_insensitive(insensitive)
                .build(&patterns)
                .unwrap();
            let mut found = Vec::new();
            leftmost(&dfa, haystack.as_bytes(), |s, e| found.push((s, e)));
            proptest::prop_assert_eq!(found, expected);
        }
    }

    /// The built-in phrases over the folded SMS corpus: the same occurrences as
    /// `find_overlapping_iter`.
    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the phrase automaton twice (thousands of phrases): hours under Miri"
    )]
    fn the_builtin_scan_equals_find_overlapping_iter() {
        let lexicons = crate::lexicon::Lexicons::builtin();
        let folder = Folder::new(lexicons.homoglyphs.clone());
        let phrases = crate::engine::phrases(&lexicons, &crate::Policy::default());
        let matcher = Matcher::new(&folder, &phrases).unwrap();
        // The automaton's patterns: each folded phrase once, in first-seen order.
        let mut folded_patterns: Vec<String> = Vec::new();
        for phrase in &phrases {
            let folded = folder.fold_phrase(&phrase.text);
            if !folded.is_empty() && !folded_patterns.contains(&folded) {
                folded_patterns.push(folded);
            }
        }
        let reference = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&folded_patterns)
            .unwrap();
        // The SMS (ASCII text scans the ASCII patterns alone), the multilingual
        // campaign and texts that mix scripts (both parts, merged).
        let corpus = include_str!("../../data/sms_spam_collection.tsv");
        let campaign = include_str!("../../examples/campaign.jsonl");
        let mixed = [
            "FREE gift 무료 선물 бесплатно 免费 gratis café",
            "광고 Anzeige: Jetzt kaufen! 지금 구매하세요 sale 50% off",
            "werbung реклама 广告 iklan #ad",
        ];
        let texts = corpus
            .lines()
            .skip(1)
            .map(|line| line.split_once('\t').map_or(line, |p| p.1))
            .chain(campaign.lines())
            .chain(mixed);
        let (mut total, mut merged) = (0, 0);
        for text in texts {
            let folded = folder.fold(text);
            let expected: Vec<[usize; 3]> = reference
                .find_overlapping_iter(folded.as_str())
                .map(|m| [m.pattern().as_usize(), m.start(), m.end()])
                .collect();
            total += expected.len();
            let mut found = Vec::new();
            matcher.overlapping(&folded, |p, s, e| found.push([p, s, e]));
            assert_eq!(found, expected, "{text}");
            let scripts = expected
                .iter()
                .map(|&[p, ..]| folded_patterns[p].is_ascii());
            merged += usize::from(scripts.clone().any(|a| a) && scripts.clone().any(|a| !a));
        }
        assert!(total > 1000, "{total} occurrences");
        // Texts whose matches came from both parts, merged in order.
        assert!(merged >= 3, "{merged} texts with both kinds of pattern");
    }
}
