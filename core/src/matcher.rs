//! One automaton for every phrase list: a single pass over the folded text finds
//! bait phrases, labels, promotional cues, opt-out instructions and PII cues.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

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
    automaton: AhoCorasick,
    /// Per automaton pattern, the entries that fold to it.
    patterns: Vec<Vec<Entry>>,
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
        let build = |kind| {
            AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .kind(Some(kind))
                .build(&folded_patterns)
        };
        let automaton = build(AhoCorasickKind::DFA)
            .or_else(|_| build(AhoCorasickKind::ContiguousNFA))
            .or_else(|_| build(AhoCorasickKind::NoncontiguousNFA))
            .map_err(|err| {
                Error::invalid_key(
                    "rules",
                    format!("the policy's phrases are too many to compile: {err}"),
                )
            })?;
        Ok(Matcher {
            automaton,
            patterns,
        })
    }

    /// Every phrase occurrence that sits on word boundaries and has its anchors.
    pub(crate) fn find<'m>(
        &'m self,
        folder: &Folder,
        original: &str,
        folded: &Folded,
        hits: &mut Vec<Hit<'m>>,
    ) {
        for found in self.automaton.find_overlapping_iter(folded.text.as_str()) {
            if !folded.is_word(found.start(), found.end()) {
                continue;
            }
            let (start, end) = folded.original(found.start(), found.end());
            for entry in &self.patterns[found.pattern().as_usize()] {
                let Some(start) = anchored_before(folder, original, start, &entry.prefix) else {
                    continue;
                };
                let Some(end) = anchored_after(folder, original, end, &entry.suffix) else {
                    continue;
                };
                hits.push(Hit { entry, start, end });
            }
        }
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
