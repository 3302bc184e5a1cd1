//! `pii_exposure`: the outgoing text exposes personal data: a phone number, an
//! e-mail address, a payment card number, or a named person next to a sensitive
//! attribute. The sender's own numbers, addresses and domains never count.
//! Seed 000: a brand wrote skin type and purchases into contact names and was
//! fined 1.8 % of its revenue.
//!
//! Phone numbers are recognised and validated by libphonenumber's metadata (see
//! [`crate::phone`]): international forms everywhere, national forms of the
//! policy's regions. Digits of every script count (`０１７０ １２３４５６７`,
//! `٠١٧٠…`). Dates, prices, and numbers after "order", "invoice", "#" … are not
//! phone numbers.
//!
//! The rule is linear in the length of the text: everything a candidate number or
//! a sensitive word is compared with (prices, links, order words, lines, names,
//! contacts) is prepared once per message and looked up by binary search, and a
//! name is never looked for further than a name can be long. A hostile 64 KiB
//! message costs milliseconds (see the `adversarial` bench group).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use icu_properties::props::GeneralCategory;
use icu_properties::CodePointMapData;
use serde_json::json;

use super::{evidence, Context};
use crate::lexicon::PhraseList;
use crate::links::{self, FoundKind};
use crate::report::{Finding, RuleId};
use crate::text::is_spaceless_script;

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let settings = &context.engine.policy.rules.pii_exposure;
    let first = findings.len();
    if settings.email {
        emails(context, findings);
    }
    let first_number = findings.len();
    if settings.phone || settings.payment_card {
        // Phone and card numbers have at least 7 digits; most messages have fewer.
        if let Some(view) = NumberView::new(context.text) {
            numbers(context, &view, findings);
        }
    }
    // The contact lists are built only for a message with a sensitive word.
    if settings.sensitive && context.hits(PhraseList::Sensitive).next().is_some() {
        let spans = |found: &[Finding]| -> Vec<(usize, usize)> {
            found
                .iter()
                .filter_map(|f| f.span.map(|s| (s.start, s.end)))
                .collect()
        };
        let contacts = [
            spans(&findings[first..first_number]),
            spans(&findings[first_number..]),
        ];
        sensitive(context, &contacts, findings);
    }
}

fn emails(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let engine = context.engine;
    for link in &context.links {
        if !matches!(link.kind, FoundKind::Email) {
            continue;
        }
        let domain = link.text.rsplit('@').next().unwrap_or("");
        let own = links::is_within(domain, &engine.allowed_domains)
            || engine.own_emails.contains(&links::email_key(link.text));
        if own {
            continue;
        }
        findings.push(context.finding(
            RuleId::PiiExposure,
            Some((link.start, link.end)),
            format!("e-mail address {:?} of someone other than the sender", link.text),
            evidence([("type", json!("email"))]),
            "Never post a customer's address; answer them privately. List the business's own addresses under [sender] in the policy."
                .to_owned(),
        ));
    }
}

/// The text as the number scanner reads it: one ASCII byte per character. Digits
/// of every script become ASCII digits, full-width forms (`＋`, `－`, `（`, `ｋｇ`)
/// their ASCII counterparts and spaces such as U+00A0 and U+3000 a space: what
/// NFKC folding does, plus the decimal digits it leaves alone (Arabic-Indic,
/// Devanagari, Thai …). Any other character becomes a byte that is neither a
/// digit, a letter nor a separator, as its UTF-8 bytes are in the text itself.
struct NumberView<'t> {
    bytes: Cow<'t, [u8]>,
    /// The original byte offset of every view byte, and the text's length at the
    /// end; `None` when the view is the text itself.
    offsets: Option<Vec<usize>>,
}

/// What the view holds for a character that plays no part in a number.
const OTHER: u8 = 0x80;

impl<'t> NumberView<'t> {
    /// The view of `text`, `None` when it has fewer than 7 digits (phone and card
    /// numbers have more; most messages have fewer).
    fn new(text: &'t str) -> Option<NumberView<'t>> {
        let ascii_digits = count_ascii_digits(text.as_bytes());
        if text.is_ascii() {
            return (ascii_digits >= 7).then_some(NumberView {
                bytes: Cow::Borrowed(text.as_bytes()),
                offsets: None,
            });
        }
        let mut digits = ascii_digits;
        let mut mapped = false;
        let decimals = decimals();
        for c in text.chars().filter(|c| !c.is_ascii()) {
            match number_byte(decimals, c) {
                OTHER => {}
                byte => {
                    mapped = true;
                    digits += usize::from(byte.is_ascii_digit());
                }
            }
        }
        if digits < 7 {
            return None;
        }
        if !mapped {
            // No character turns into part of a number: the UTF-8 bytes of other
            // characters already read as "not part of a number".
            return Some(NumberView {
                bytes: Cow::Borrowed(text.as_bytes()),
                offsets: None,
            });
        }
        let mut bytes = Vec::with_capacity(text.len());
        let mut offsets = Vec::with_capacity(text.len() + 1);
        for (offset, c) in text.char_indices() {
            bytes.push(if c.is_ascii() {
                c as u8
            } else {
                number_byte(decimals, c)
            });
            offsets.push(offset);
        }
        offsets.push(text.len());
        Some(NumberView {
            bytes: Cow::Owned(bytes),
            offsets: Some(offsets),
        })
    }

    /// The original byte range of view range `start..end`.
    fn original(&self, start: usize, end: usize) -> (usize, usize) {
        match &self.offsets {
            Some(offsets) => (offsets[start], offsets[end]),
            None => (start, end),
        }
    }
}

/// The view byte of a non-ASCII character (see [`NumberView`]).
fn number_byte(decimals: &Decimals, c: char) -> u8 {
    if let Some(digit) = decimals.value(c) {
        return b'0' + digit;
    }
    match c {
        // Full-width ASCII forms; NFKC maps them to ASCII.
        '\u{FF01}'..='\u{FF5E}' => (u32::from(c) - 0xFEE0) as u8,
        // Spaces NFKC maps to a space.
        '\u{A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => b' ',
        _ => OTHER,
    }
}

/// The decimal digits of Unicode (from ICU's data), as ranges and as a bitmap of
/// the 256-character blocks that hold any, so that text of other scripts costs one
/// bit test per character.
struct Decimals {
    blocks: Vec<u64>,
    ranges: Vec<(u32, u32)>,
}

impl Decimals {
    /// The value of a decimal digit of any script (general category Nd).
    fn value(&self, c: char) -> Option<u8> {
        if c.is_ascii_digit() {
            return Some(c as u8 - b'0');
        }
        let code = u32::from(c);
        let block = (code >> 8) as usize;
        if self.blocks[block / 64] & (1 << (block % 64)) == 0 {
            return None;
        }
        let i = self.ranges.partition_point(|&(_, last)| last < code);
        let &(first, _) = self.ranges.get(i)?;
        // Unicode's stability policy: decimal digits come in contiguous runs of
        // ten, from 0 to 9, so a digit's value is its distance from the run's start.
        (first <= code).then(|| ((code - first) % 10) as u8)
    }
}

fn decimals() -> &'static Decimals {
    static DECIMALS: OnceLock<Decimals> = OnceLock::new();
    DECIMALS.get_or_init(|| {
        let ranges: Vec<(u32, u32)> = CodePointMapData::<GeneralCategory>::new()
            .iter_ranges_for_value(GeneralCategory::DecimalNumber)
            .map(|range| (*range.start(), *range.end()))
            .collect();
        let mut blocks = vec![0u64; (0x10_FFFF >> 8) / 64 + 1];
        for &(first, last) in &ranges {
            for block in (first >> 8)..=(last >> 8) {
                blocks[block as usize / 64] |= 1 << (block % 64);
            }
        }
        Decimals { blocks, ranges }
    })
}

/// The ASCII digits of `bytes`, counted without a branch per byte: per block of
/// 32 in a byte-wide counter, which the compiler turns into vector code (a
/// `usize` per byte, as before, ran on two lanes at a time).
fn count_ascii_digits(bytes: &[u8]) -> usize {
    let mut blocks = bytes.chunks_exact(32);
    let mut count = 0;
    for block in blocks.by_ref() {
        let in_block = block
            .iter()
            .fold(0u8, |n, &b| n + u8::from(b.wrapping_sub(b'0') < 10));
        count += usize::from(in_block);
    }
    count
        + blocks
            .remainder()
            .iter()
            .filter(|b| b.is_ascii_digit())
            .count()
}

/// Runs of digits that may be phone or card numbers, as byte ranges of the view.
///
/// A number starts at a digit, or at a `+` or `(` right before one, so the scan
/// jumps from digit to digit and tests only those two positions (the same
/// positions, in the same order, as testing every byte; a property test compares
/// the two).
fn candidates(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(offset) = bytes[i..].iter().position(u8::is_ascii_digit) {
        let digit = i + offset;
        let start = if digit > i
            && matches!(bytes[digit - 1], b'+' | b'(')
            && !glued_before(bytes, digit - 1)
        {
            digit - 1
        } else if !glued_before(bytes, digit) {
            digit
        } else {
            i = digit + 1;
            continue;
        };
        let (end, next) = number_end(bytes, start);
        if let Some(end) = end {
            found.push((start, end));
        }
        i = next;
    }
    found
}

/// Whether a number starting at `i` is glued to what comes before it.
fn glued_before(bytes: &[u8], i: usize) -> bool {
    i > 0
        && (bytes[i - 1].is_ascii_alphanumeric()
            || matches!(bytes[i - 1], b'.' | b',' | b'/' | b'-' | b'_' | b'=' | b'&'))
}

/// The end of the number starting at `start` (`None` when letters are glued to
/// it), and where the scan goes on.
fn number_end(bytes: &[u8], start: usize) -> (Option<usize>, usize) {
    let mut i = start;
    let mut end = start;
    let mut gap = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'0'..=b'9' => {
                gap = 0;
                end = i + 1;
            }
            b' ' | b'-' | b'.' | b'/' | b'(' | b')' | b'+' if gap < 2 => gap += 1,
            _ => break,
        }
        i += 1;
    }
    // A number glued to letters after it ("12kg", "3x") is no phone number.
    let kept = !bytes.get(end).is_some_and(u8::is_ascii_alphabetic);
    (kept.then_some(end), end.max(start + 1))
}

/// At most this many distinct phone-like numbers of one message are validated
/// (repeats of one are free: they are remembered). Thousands of distinct
/// numbers from many countries once took seconds in libphonenumber's 100-entry
/// regex cache, which unusual forms still reach (see [`crate::phone`]); a real
/// message holds a handful, and one valid number is enough to flag it.
const MAX_PHONE_LOOKUPS: usize = 50;

fn numbers(context: &Context<'_, '_>, view: &NumberView<'_>, findings: &mut Vec<Finding>) {
    let settings = &context.engine.policy.rules.pii_exposure;
    // Built at the first candidate of a plausible length: most numbers are not.
    let mut exclusions = None;
    let mut looked_up: Vec<&str> = Vec::new();
    for (view_start, view_end) in candidates(&view.bytes) {
        // Candidates hold ASCII digits and separators only.
        let Ok(written) = std::str::from_utf8(&view.bytes[view_start..view_end]) else {
            continue;
        };
        let (start, end) = view.original(view_start, view_end);
        // The digits on the stack: a phone or card number has at most 19, and most
        // candidates are too short or too long to need them at all.
        let mut buffer = [0u8; 19];
        let mut count = 0;
        for digit in written.bytes().filter(u8::is_ascii_digit) {
            if let Some(slot) = buffer.get_mut(count) {
                *slot = digit;
            }
            count += 1;
        }
        if !(7..=19).contains(&count) {
            continue;
        }
        let Ok(digits) = std::str::from_utf8(&buffer[..count]) else {
            continue;
        };
        if exclusions
            .get_or_insert_with(|| Exclusions::new(context))
            .excludes(context.text, start, end)
        {
            continue;
        }
        if settings.payment_card && is_card(digits) {
            findings.push(context.finding(
                RuleId::PiiExposure,
                Some((start, end)),
                format!("payment card number ending {}", &digits[digits.len() - 4..]),
                evidence([
                    ("type", json!("payment_card")),
                    ("digits", json!(digits.len())),
                ]),
                "Remove the card number; never send payment data in a chat.".to_owned(),
            ));
        } else if settings.phone && !looks_like_date(written) {
            if !looked_up.contains(&written) {
                if looked_up.len() == MAX_PHONE_LOOKUPS {
                    continue;
                }
                looked_up.push(written);
            }
            let Some(number) = context.engine.phones.e164(written) else {
                continue;
            };
            if context.engine.own_phones.contains(&number) {
                continue;
            }
            findings.push(context.finding(
                RuleId::PiiExposure,
                Some((start, end)),
                format!("phone number {number} of someone other than the sender"),
                evidence([("type", json!("phone")), ("e164", json!(number))]),
                "Do not post a person's number to a group; list the business's own numbers under [sender] in the policy."
                    .to_owned(),
            ));
        }
    }
}

/// What makes a number neither a phone nor a card number: a price, a link, or an
/// order/invoice/tracking word or `#` before it. Prepared once per message, so a
/// candidate costs a binary search, not a pass over every price, link and hit.
struct Exclusions {
    /// Prices and links as sorted, disjoint byte ranges.
    covered: Vec<(usize, usize)>,
    /// Where order/invoice/tracking words end, sorted, without duplicates.
    order_words: Vec<usize>,
}

/// An order number's word may be at most this many bytes before it ("Bestellung
/// Nr. 123…"), so only words ending that close are looked at.
const ORDER_GAP: usize = 12;

impl Exclusions {
    fn new(context: &Context<'_, '_>) -> Exclusions {
        let mut covered: Vec<(usize, usize)> = context
            .cues
            .prices()
            .chain(context.links.iter().map(|l| (l.start, l.end)))
            .collect();
        covered.sort_unstable();
        // Merge overlapping ranges, so that their ends are sorted too.
        covered.dedup_by(|next, kept| {
            let overlaps = next.0 <= kept.1;
            if overlaps {
                kept.1 = kept.1.max(next.1);
            }
            overlaps
        });
        let mut order_words: Vec<usize> = context
            .hits(PhraseList::NumberContext)
            .map(|hit| hit.end)
            .collect();
        order_words.sort_unstable();
        order_words.dedup();
        Exclusions {
            covered,
            order_words,
        }
    }

    /// Whether the number at `start..end` of `text` is excluded.
    fn excludes(&self, text: &str, start: usize, end: usize) -> bool {
        let i = self.covered.partition_point(|&(_, e)| e <= start);
        if self.covered.get(i).is_some_and(|&(s, _)| s < end) {
            return true;
        }
        if text[..start].trim_end().ends_with(['#', '＃', '№']) {
            return true;
        }
        let from = self
            .order_words
            .partition_point(|&e| e < start.saturating_sub(ORDER_GAP));
        self.order_words[from..]
            .iter()
            .take_while(|&&e| e <= start)
            .any(|&e| {
                let words: String = text[e..start]
                    .chars()
                    .filter(|c| c.is_alphanumeric())
                    .collect();
                matches!(
                    words.to_lowercase().as_str(),
                    "" | "nr" | "no" | "n" | "num"
                )
            })
    }
}

/// `d.m.yyyy`, `yyyy-mm-dd`, `m/d/yy`: three short groups with one separator kind.
fn looks_like_date(written: &str) -> bool {
    // The group lengths on the stack: asked of every phone candidate, this
    // collected two vectors per number.
    let mut lens = [0; 3];
    let mut groups = 0;
    for group in written.split(['.', '-', '/']) {
        let Some(len) = lens.get_mut(groups) else {
            return false;
        };
        if group.is_empty() || !group.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        *len = group.len();
        groups += 1;
    }
    groups == 3 && matches!(lens, [1 | 2, 1 | 2, 2 | 4] | [4, 1 | 2, 1 | 2])
}

/// A payment card: 13–19 digits, a known issuer prefix and a valid Luhn check digit.
fn is_card(digits: &str) -> bool {
    let known_issuer = [
        "4", "34", "37", "35", "36", "30", "38", "51", "52", "53", "54", "55", "6011", "65", "62",
    ]
    .iter()
    .any(|prefix| digits.starts_with(prefix))
        || digits
            .get(..4)
            .and_then(|p| p.parse::<u32>().ok())
            .is_some_and(|p| (2221..=2720).contains(&p));
    known_issuer && (13..=19).contains(&digits.len()) && luhn(digits)
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum % 10 == 0
}

/// A sensitive attribute (skin type, health, religion …) on the same line as a
/// named person: an honorific with a name, an @mention, or contact data.
/// `contacts`: the e-mail addresses, then the phone and card numbers found, each
/// in text order.
fn sensitive(
    context: &Context<'_, '_>,
    contacts: &[Vec<(usize, usize)>; 2],
    findings: &mut Vec<Finding>,
) {
    let text = context.text;
    let mut hits = context.hits(PhraseList::Sensitive).peekable();
    if hits.peek().is_none() {
        return;
    }
    let mut people = People::new(context, contacts);
    for hit in hits {
        let Some((person_start, person_end)) = people.on_line(hit.start, hit.end) else {
            continue;
        };
        findings.push(context.finding(
            RuleId::PiiExposure,
            Some((hit.start, hit.end)),
            format!(
                "sensitive attribute {:?} next to a person ({:?})",
                &text[hit.start..hit.end],
                &text[person_start..person_end]
            ),
            evidence([
                ("type", json!("sensitive_attribute")),
                ("attribute", json!(hit.entry.phrase)),
                ("person", json!(&text[person_start..person_end])),
            ]),
            "Never join a person's name to personal attributes in a message; keep such data in the CRM, pseudonymised."
                .to_owned(),
        ));
    }
}

/// The people of a message, prepared once so that finding the person on a
/// sensitive word's line costs a few binary searches, however long the text.
struct People<'c> {
    text: &'c str,
    /// Byte offsets of the line feeds.
    newlines: Vec<usize>,
    /// Honorific hits that have a name: (hit start, hit end, person), text order.
    named: Vec<(usize, usize, (usize, usize))>,
    contacts: &'c [Vec<(usize, usize)>; 2],
    /// Byte offsets of the `@` signs.
    at_signs: Vec<usize>,
    /// The person of each line range asked for.
    memo: HashMap<(usize, usize), Option<(usize, usize)>>,
}

impl<'c> People<'c> {
    fn new(context: &Context<'_, 'c>, contacts: &'c [Vec<(usize, usize)>; 2]) -> People<'c> {
        let text = context.text;
        let positions = |byte: u8| -> Vec<usize> {
            text.bytes()
                .enumerate()
                .filter_map(|(i, b)| (b == byte).then_some(i))
                .collect()
        };
        let mut named: Vec<(usize, usize, (usize, usize))> = context
            .hits(PhraseList::Honorific)
            .filter_map(|h| Some((h.start, h.end, named(text, h.start, h.end)?)))
            .collect();
        // Hits are in text order already; a stable sort keeps ties in hit order.
        named.sort_by_key(|n| n.0);
        People {
            text,
            newlines: positions(b'\n'),
            named,
            contacts,
            at_signs: positions(b'@'),
            memo: HashMap::new(),
        }
    }

    /// The person on the line(s) of `start..end`: the first honorific with a name
    /// that lies on them, else the first e-mail address, else the first number,
    /// else an @mention.
    fn on_line(&mut self, start: usize, end: usize) -> Option<(usize, usize)> {
        let line_start = match self.newlines.partition_point(|&n| n < start) {
            0 => 0,
            i => self.newlines[i - 1] + 1,
        };
        let line_end = self
            .newlines
            .get(self.newlines.partition_point(|&n| n < end))
            .copied()
            .unwrap_or(self.text.len());
        if let Some(&known) = self.memo.get(&(line_start, line_end)) {
            return known;
        }
        let within = |spans: &mut dyn Iterator<Item = (usize, usize, (usize, usize))>| {
            spans
                .take_while(|&(s, _, _)| s <= line_end)
                .find(|&(s, e, _)| line_start <= s && e <= line_end)
                .map(|(_, _, person)| person)
        };
        let first_named = self.named.partition_point(|n| n.0 < line_start);
        let person = within(&mut self.named[first_named..].iter().copied())
            .or_else(|| {
                self.contacts.iter().find_map(|list| {
                    let first = list.partition_point(|c| c.0 < line_start);
                    within(&mut list[first..].iter().map(|&(s, e)| (s, e, (s, e))))
                })
            })
            .or_else(|| self.mention(line_start, line_end));
        self.memo.insert((line_start, line_end), person);
        person
    }

    /// An @mention of a person: the first `@` on the line, when a name follows it
    /// and it is not glued to a word before it.
    fn mention(&self, line_start: usize, line_end: usize) -> Option<(usize, usize)> {
        let text = self.text;
        let at = *self
            .at_signs
            .get(self.at_signs.partition_point(|&a| a < line_start))?;
        if at >= line_end {
            return None;
        }
        let len = name_len(&text[at + 1..line_end], |c| c.is_alphanumeric() || c == '_')?;
        let glued = text[line_start..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        (len > 0 && !glued).then_some((at, at + 1 + len))
    }
}

/// The longest a name (a word of one, a user name) can be, in characters; longer
/// runs of letters are no name. Bounds the text a finding quotes.
const MAX_NAME_CHARS: usize = 64;

/// The byte length of the run of `is_name` characters `s` starts with; `None`
/// when it is longer than [`MAX_NAME_CHARS`].
fn name_len(s: &str, is_name: impl Fn(char) -> bool) -> Option<usize> {
    let mut len = 0;
    for (count, c) in s.chars().enumerate() {
        if !is_name(c) {
            return Some(len);
        }
        if count == MAX_NAME_CHARS {
            return None;
        }
        len += c.len_utf8();
    }
    Some(len)
}

/// The honorific and the name it belongs to: "Frau Keller", "김민지님", "王先生".
fn named(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let honorific = &text[start..end];
    if honorific.chars().next().is_some_and(is_spaceless_script) {
        // Suffix honorifics follow a 1–3 character name; Korean full names are three
        // syllables (김민지님), which keeps 고객님 ("dear customer") out. Looking
        // back one character further than a name is long is enough to tell.
        let name: Vec<(usize, char)> = text[..start]
            .char_indices()
            .rev()
            .take(4)
            .take_while(|&(_, c)| is_spaceless_script(c))
            .collect();
        let is_hangul = honorific
            .chars()
            .next()
            .is_some_and(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c));
        let fits = if is_hangul {
            name.len() == 3
        } else {
            (1..=3).contains(&name.len())
        };
        return fits.then(|| (name[name.len() - 1].0, end));
    }
    let rest = &text[end..];
    let after = rest.trim_start_matches([' ', '.', '\u{a0}']);
    let name_start = end + (rest.len() - after.len());
    if !after.starts_with(char::is_uppercase) || name_start == end && !honorific.ends_with('.') {
        return None;
    }
    // A name is one or two capitalised words: "Frau Keller", "Frau Anna Keller".
    let word_len = |s: &str| name_len(s, |c| c.is_alphabetic() || c == '-');
    let mut len = word_len(after)?;
    if let Some(second) = after[len..].strip_prefix(' ') {
        if second.starts_with(char::is_uppercase) {
            if let Some(second_len) = word_len(second) {
                len += 1 + second_len;
            }
        }
    }
    Some((start, name_start + len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_issuers() {
        assert!(is_card("4111111111111111"));
        assert!(is_card("5500005555555559"));
        assert!(!is_card("4111111111111112"));
        assert!(!is_card("9111111111111116"));
    }

    #[test]
    fn dates_are_recognised() {
        assert!(looks_like_date("12.11.2026"));
        assert!(looks_like_date("2026-11-12"));
        assert!(looks_like_date("1/2/26"));
        assert!(!looks_like_date("030 1234567"));
        // Exactly three groups of digits, none empty, of date lengths.
        assert!(!looks_like_date("1.2.3.2026"));
        assert!(!looks_like_date("12.2026"));
        assert!(!looks_like_date("12..2026"));
        assert!(!looks_like_date("12.11.2026."));
        assert!(!looks_like_date("123.11.2026"));
        assert!(!looks_like_date("12.11.20261"));
        assert!(!looks_like_date("12.1a.2026"));
    }

    #[test]
    fn decimal_digits_of_every_script() {
        for (zero, script) in [
            ('0', "ASCII"),
            ('\u{FF10}', "full-width"),
            ('\u{0660}', "Arabic-Indic"),
            ('\u{06F0}', "Extended Arabic-Indic"),
            ('\u{0966}', "Devanagari"),
            ('\u{0E50}', "Thai"),
            ('\u{1D7CE}', "mathematical bold"),
            ('\u{1D7F6}', "mathematical monospace"),
        ] {
            for value in 0..10u8 {
                let c = char::from_u32(u32::from(zero) + u32::from(value)).unwrap();
                assert_eq!(decimals().value(c), Some(value), "{script} {c:?}");
            }
        }
        for c in ['a', '½', '²', 'Ⅻ', '一', '김', '\u{FF21}'] {
            assert_eq!(decimals().value(c), None, "{c:?}");
        }
    }

    #[test]
    fn the_view_maps_back_to_the_original_text() {
        let text = "Tel. ０１７０　１２３４５６７!";
        let view = NumberView::new(text).unwrap();
        assert_eq!(&*view.bytes, b"Tel. 0170 1234567!".as_slice());
        let found = candidates(&view.bytes);
        assert_eq!(found, [(5, 17)]);
        let (start, end) = view.original(found[0].0, found[0].1);
        assert_eq!(&text[start..end], "０１７０　１２３４５６７");
        // Six digits are no phone or card number: no view at all.
        assert!(NumberView::new("Nur ６ Ziffern: 12345").is_none());
    }

    /// The byte-by-byte scan `candidates` replaced: every position tested.
    fn candidates_per_byte(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let starts = bytes[i].is_ascii_digit()
                || (matches!(bytes[i], b'+' | b'(')
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_digit));
            let glued = i > 0
                && (bytes[i - 1].is_ascii_alphanumeric()
                    || matches!(bytes[i - 1], b'.' | b',' | b'/' | b'-' | b'_' | b'=' | b'&'));
            if !starts || glued {
                i += 1;
                continue;
            }
            let start = i;
            let mut end = i;
            let mut gap = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'0'..=b'9' => {
                        gap = 0;
                        end = i + 1;
                    }
                    b' ' | b'-' | b'.' | b'/' | b'(' | b')' | b'+' if gap < 2 => gap += 1,
                    _ => break,
                }
                i += 1;
            }
            if !bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
                found.push((start, end));
            }
            i = end.max(start + 1);
        }
        found
    }

    proptest::proptest! {
        /// Jumping from digit to digit finds what testing every byte finds, on
        /// text dense with digits, signs, separators and glue characters.
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri")]
        fn candidates_equal_the_per_byte_scan(
            text in "([0-9]{1,4}|[-+() ./,_=&#a-zA-Z]{1,3}|\\+49 170|\\(030\\) 12|[\\x00-\\x7f\\u{80}-\\u{ff}])*",
        ) {
            proptest::prop_assert_eq!(candidates(text.as_bytes()), candidates_per_byte(text.as_bytes()));
        }

        /// The blockwise count equals a plain count, across block edges.
        #[test]
        #[cfg_attr(miri, ignore = "256 proptest cases: hours under Miri")]
        fn digits_are_counted_in_blocks(text in "[0-9a /]{0,200}") {
            let plain = text.bytes().filter(u8::is_ascii_digit).count();
            proptest::prop_assert_eq!(count_ascii_digits(text.as_bytes()), plain);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "scans the SMS corpus twice: minutes under Miri")]
    fn candidates_of_the_corpus_equal_the_per_byte_scan() {
        let corpus = include_str!("../../../data/sms_spam_collection.tsv");
        for line in corpus.lines() {
            assert_eq!(
                candidates(line.as_bytes()),
                candidates_per_byte(line.as_bytes()),
                "{line}"
            );
        }
    }

    #[test]
    fn names_are_bounded() {
        let text = "Frau Keller";
        assert_eq!(named(text, 0, 4), Some((0, 11)));
        let long = format!("Frau K{}", "e".repeat(MAX_NAME_CHARS));
        assert_eq!(named(&long, 0, 4), None);
        let text = "김민지님";
        assert_eq!(named(text, 9, 12), Some((0, 12)));
        let text = "박김민지님";
        assert_eq!(named(text, 12, 15), None);
    }
}
