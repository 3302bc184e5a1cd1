//! `pii_exposure`: the outgoing text exposes personal data: a phone number, an
//! e-mail address, a payment card number, or a named person next to a sensitive
//! attribute. The sender's own numbers, addresses and domains never count.
//! Seed 000: a brand wrote skin type and purchases into contact names and was
//! fined 1.8 % of its revenue.
//!
//! Phone numbers are recognised and validated by `phonenumber` (libphonenumber's
//! metadata): international forms everywhere, national forms of the policy's
//! regions. Dates, prices, and numbers after "order", "invoice", "#" … are not
//! phone numbers.

use phonenumber::Mode;
use serde_json::json;

use super::{evidence, Context};
use crate::lexicon::PhraseList;
use crate::links::{self, FoundKind};
use crate::report::{Finding, RuleId};
use crate::text::is_spaceless_script;

/// The E.164 form of an international number (`+49 30 1234567` → `+49301234567`).
pub(crate) fn e164(number: &str) -> Option<String> {
    let number = phonenumber::parse(None, number).ok()?;
    phonenumber::is_valid(&number).then(|| number.format().mode(Mode::E164).to_string())
}

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let settings = &context.engine.policy.rules.pii_exposure;
    let first = findings.len();
    if settings.email {
        emails(context, findings);
    }
    // Phone and card numbers have at least 7 digits; most messages have fewer.
    let digits = context.text.bytes().filter(u8::is_ascii_digit).count();
    if (settings.phone || settings.payment_card) && digits >= 7 {
        numbers(context, findings);
    }
    if settings.sensitive {
        let contact_spans: Vec<(usize, usize)> = findings[first..]
            .iter()
            .filter_map(|f| f.span.map(|s| (s.start, s.end)))
            .collect();
        sensitive(context, &contact_spans, findings);
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

/// Runs of digits that may be phone or card numbers, as byte ranges.
fn candidates(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
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
        // A number glued to letters after it ("12kg", "3x") is no phone number.
        if !bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
            found.push((start, end));
        }
        i = end.max(start + 1);
    }
    found
}

fn numbers(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    let text = context.text;
    let settings = &context.engine.policy.rules.pii_exposure;
    for (start, end) in candidates(text) {
        let written = &text[start..end];
        let digits: String = written.chars().filter(char::is_ascii_digit).collect();
        if !(7..=19).contains(&digits.len()) || is_excluded(context, start, end) {
            continue;
        }
        if settings.payment_card && is_card(&digits) {
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
            let Some(number) = phone(context, written) else {
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

/// Whether the number at `start..end` is a price, part of a link, or follows an
/// order/invoice/tracking word or `#`.
fn is_excluded(context: &Context<'_, '_>, start: usize, end: usize) -> bool {
    let overlaps = |(s, e): (usize, usize)| s < end && start < e;
    if context.cues.prices().any(overlaps)
        || context.links.iter().any(|l| overlaps((l.start, l.end)))
    {
        return true;
    }
    let before = context.text[..start].trim_end();
    if before.ends_with(['#', '№']) {
        return true;
    }
    context.hits(PhraseList::NumberContext).any(|hit| {
        hit.end <= start && {
            let gap = &context.text[hit.end..start];
            let words: String = gap.chars().filter(|c| c.is_alphanumeric()).collect();
            gap.len() <= 12
                && matches!(
                    words.to_lowercase().as_str(),
                    "" | "nr" | "no" | "n" | "num"
                )
        }
    })
}

/// `d.m.yyyy`, `yyyy-mm-dd`, `m/d/yy`: three short groups with one separator kind.
fn looks_like_date(written: &str) -> bool {
    let groups: Vec<&str> = written.split(['.', '-', '/']).collect();
    if groups.len() != 3
        || groups
            .iter()
            .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    matches!(lens.as_slice(), [1 | 2, 1 | 2, 2 | 4] | [4, 1 | 2, 1 | 2])
}

/// The E.164 form of a written phone number, if it is a valid one.
fn phone(context: &Context<'_, '_>, written: &str) -> Option<String> {
    let trimmed = written.trim_start_matches('(');
    if trimmed.starts_with('+') {
        return memoised(0, written, || e164(written));
    }
    if let Some(rest) = trimmed.strip_prefix("00") {
        return memoised(0, written, || e164(&format!("+{rest}")));
    }
    let phones = &context.engine.phones;
    memoised(phones.fingerprint, written, || {
        let digits: String = written.chars().filter(char::is_ascii_digit).collect();
        phones
            .regions
            .iter()
            .filter(|region| region.may_hold(&digits))
            .find_map(|region| {
                let number = phonenumber::parse(Some(region.id), written).ok()?;
                phonenumber::is_valid(&number).then(|| number.format().mode(Mode::E164).to_string())
            })
    })
}

/// The regions whose national phone formats an engine recognises.
#[derive(Debug, Default)]
pub(crate) struct Regions {
    regions: Vec<Region>,
    /// Distinguishes engines with different region lists in the memo.
    fingerprint: u64,
}

/// What libphonenumber's metadata says a national number of a region looks like,
/// to skip regions a number cannot belong to before running any of its regexes.
#[derive(Debug)]
struct Region {
    id: phonenumber::country::Id,
    national_prefix: Option<String>,
    lengths: Vec<u16>,
}

impl Region {
    fn may_hold(&self, digits: &str) -> bool {
        let national = self
            .national_prefix
            .as_deref()
            .and_then(|prefix| digits.strip_prefix(prefix));
        [Some(digits), national]
            .into_iter()
            .flatten()
            .any(|n| self.lengths.contains(&(n.len() as u16)))
    }
}

impl Regions {
    /// Regions for ISO codes (already validated by the policy).
    pub(crate) fn new(codes: &[String]) -> Regions {
        use std::hash::{Hash, Hasher};
        let database = &*phonenumber::metadata::DATABASE;
        let regions = codes
            .iter()
            .filter_map(|code| {
                let id = code.parse().ok()?;
                let meta = database.by_id(code.as_str())?;
                // The general descriptor's lengths are empty in this metadata; the
                // union over number types is what a valid number can have.
                let types = meta.descriptors();
                let mut lengths: Vec<u16> = [
                    Some(types.general()),
                    types.fixed_line(),
                    types.mobile(),
                    types.toll_free(),
                    types.premium_rate(),
                    types.shared_cost(),
                    types.personal_number(),
                    types.voip(),
                    types.pager(),
                    types.uan(),
                    types.voicemail(),
                ]
                .into_iter()
                .flatten()
                .flat_map(|d| d.possible_length().iter().copied())
                .collect();
                lengths.sort_unstable();
                lengths.dedup();
                Some(Region {
                    id,
                    national_prefix: meta.national_prefix().map(str::to_owned),
                    lengths,
                })
            })
            .collect();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        codes.hash(&mut hasher);
        Regions {
            regions,
            fingerprint: hasher.finish() | 1,
        }
    }
}

/// Validating a phone number runs libphonenumber's regexes, the most expensive
/// step of a check, and broadcasts repeat the same numbers; so results are kept
/// per thread (bounded, cleared when full). `fingerprint` 0 is for international
/// numbers, which do not depend on the engine's regions.
fn memoised(
    fingerprint: u64,
    written: &str,
    validate: impl FnOnce() -> Option<String>,
) -> Option<String> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    const CAPACITY: usize = 4096;
    thread_local! {
        static MEMO: RefCell<HashMap<(u64, String), Option<String>>> = RefCell::new(HashMap::new());
    }
    let key = (fingerprint, written.to_owned());
    if let Some(known) = MEMO.with(|memo| memo.borrow().get(&key).cloned()) {
        return known;
    }
    let result = validate();
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len() >= CAPACITY {
            memo.clear();
        }
        memo.insert(key, result.clone());
    });
    result
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
fn sensitive(context: &Context<'_, '_>, contacts: &[(usize, usize)], findings: &mut Vec<Finding>) {
    let text = context.text;
    for hit in context.hits(PhraseList::Sensitive) {
        let line_start = text[..hit.start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[hit.end..]
            .find('\n')
            .map_or(text.len(), |i| hit.end + i);
        let on_line = |(s, e): (usize, usize)| line_start <= s && e <= line_end;
        let person = context
            .hits(PhraseList::Honorific)
            .filter(|h| on_line((h.start, h.end)))
            .find_map(|h| named(text, h.start, h.end))
            .or_else(|| contacts.iter().copied().find(|&c| on_line(c)))
            .or_else(|| mention(text, line_start, line_end));
        let Some((person_start, person_end)) = person else {
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

/// The honorific and the name it belongs to: "Frau Keller", "김민지님", "王先生".
fn named(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let honorific = &text[start..end];
    if honorific.chars().next().is_some_and(is_spaceless_script) {
        // Suffix honorifics follow a 1–3 character name; Korean full names are three
        // syllables (김민지님), which keeps 고객님 ("dear customer") out.
        let name_len = text[..start]
            .chars()
            .rev()
            .take_while(|c| is_spaceless_script(*c))
            .count();
        let is_hangul = honorific
            .chars()
            .next()
            .is_some_and(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c));
        let fits = if is_hangul {
            name_len == 3
        } else {
            (1..=3).contains(&name_len)
        };
        let name_start = text[..start]
            .char_indices()
            .rev()
            .nth(name_len.saturating_sub(1))?
            .0;
        return fits.then_some((name_start, end));
    }
    let rest = &text[end..];
    let after = rest.trim_start_matches([' ', '.', '\u{a0}']);
    let name_start = end + (rest.len() - after.len());
    if !after.starts_with(char::is_uppercase) || name_start == end && !honorific.ends_with('.') {
        return None;
    }
    // A name is one or two capitalised words: "Frau Keller", "Frau Anna Keller".
    let word_len = |s: &str| {
        s.find(|c: char| !c.is_alphabetic() && c != '-')
            .unwrap_or(s.len())
    };
    let mut name_len = word_len(after);
    if let Some(second) = after[name_len..].strip_prefix(' ') {
        if second.starts_with(char::is_uppercase) {
            name_len += 1 + word_len(second);
        }
    }
    Some((start, name_start + name_len))
}

/// An @mention of a person on the line.
fn mention(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let line = &text[start..end];
    let at = line.find('@')?;
    let name = &line[at + 1..];
    let len = name
        .find(|c: char| !c.is_alphanumeric() && c != '_')
        .unwrap_or(name.len());
    let glued = line[..at]
        .chars()
        .next_back()
        .is_some_and(char::is_alphanumeric);
    (len > 0 && !glued).then_some((start + at, start + at + 1 + len))
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
        assert!(!looks_like_date("030 1234567"));
    }

    #[test]
    fn e164_of_international_numbers() {
        assert_eq!(e164("+49 30 1234567").as_deref(), Some("+49301234567"));
        assert_eq!(e164("12"), None);
    }
}
