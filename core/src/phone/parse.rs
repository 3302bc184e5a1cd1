//! `phonenumber::parse` for numbers as a text writes them, without its regexes.
//!
//! `phonenumber::parse` runs libphonenumber's parsing patterns (international
//! and national prefixes, the number's region) through `regex_cache`, a global
//! 100-entry LRU behind a mutex that recompiles what it evicted, and `regex`'s
//! lazy DFAs, whose states every thread builds anew: about 30k instructions per
//! number on a fresh thread, three times a whole check. The numbers a check
//! finds are ASCII digits and a few separators, and on those the parser's steps
//! reduce to byte scans and anchored searches of the same patterns, compiled
//! once per process into DFAs ([`super::validator`]).
//!
//! Each step below is the upstream step it is named after, quirks included (a
//! differential unit test compares the two on thousands of written forms over
//! many regions). Anything else is [`Parsed::Unsure`] and goes to `phonenumber`:
//! another character, a national prefix transform rule (Brazil's carrier
//! codes), a pattern too large for a DFA.

use phonenumber::country;

use super::validator::{self, NoDfa, Region};

/// What `phonenumber::parse(region, written)` answers.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Parsed {
    /// A number: its country calling code and national significant number
    /// (ASCII digits, with the leading zeros it keeps).
    Number { code: u16, national: String },
    /// `Err(_)`: no phone number.
    NoNumber,
    /// Only `phonenumber` can tell.
    Unsure,
}

/// The bytes this parser reads; anything else is left to `phonenumber`.
fn is_handled(byte: u8) -> bool {
    byte.is_ascii_digit() || matches!(byte, b' ' | b'-' | b'.' | b'/' | b'(' | b')' | b'+')
}

/// How the country code was found (`phonenumber::country::Source`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// After a `+`.
    Plus,
    /// After the region's international prefix (`00`, `011`).
    Idd,
    /// Not written with either: the region's (or written before the national
    /// number without a `+`, which the parser then strips).
    Default,
}

/// Parses `written`, national numbers read as `region`'s.
pub(super) fn parse(region: Option<country::Id>, written: &str) -> Parsed {
    let home = match region {
        Some(id) => match validator::region(id.as_ref()) {
            Some(home) => Some(home),
            None => return Parsed::Unsure,
        },
        None => None,
    };
    parse_in(home, written)
}

/// [`parse`] with the region already looked up.
pub(super) fn parse_in(home: Option<&'static Region>, written: &str) -> Parsed {
    match try_parse(home, written) {
        Ok(Some((code, national))) => Parsed::Number { code, national },
        Ok(None) => Parsed::NoNumber,
        Err(NoDfa) => Parsed::Unsure,
    }
}

/// `Ok(None)` for no number, `Err` when only `phonenumber` can tell.
fn try_parse(home: Option<&Region>, written: &str) -> Result<Option<(u16, String)>, NoDfa> {
    if !written.bytes().all(is_handled) {
        return Err(NoDfa);
    }
    let Some((written_code, text)) = read(written) else {
        return Ok(None);
    };
    let Some((code, national)) = country_code(home, written_code, text)? else {
        return Ok(None);
    };
    // The region whose national prefix is stripped: the caller's, else the
    // number's.
    let meta = match home {
        Some(home) => Some(home),
        None => validator::region_for(code, national.trim_start_matches('0')),
    };
    let national = match meta {
        Some(meta) => without_national_prefix(meta, national)?,
        None => national,
    };
    Ok(national_number(&national).then_some((code, national)))
}

/// The grammar step: RFC 3966 (`+49-30-1234567`, tried first) or natural text;
/// the country code when RFC 3966 wrote one, and the number's text. `None` when
/// neither reads a viable number.
fn read(written: &str) -> Option<(Option<&str>, &str)> {
    let (code, text) = rfc3966(written).or_else(|| Some((None, natural(written)?)))?;
    is_viable(text).then_some((code, text))
}

/// `rfc3966::phone_number` on the handled bytes: no spaces; an optional `+`
/// with the code up to the first separator; then only digits and `-.()` to the
/// end.
fn rfc3966(written: &str) -> Option<(Option<&str>, &str)> {
    let is_separator = |byte: u8| matches!(byte, b'-' | b'.' | b'(' | b')');
    let is_number = |byte: u8| byte.is_ascii_digit() || is_separator(byte);
    if written.contains(' ') {
        return None;
    }
    if let Some(rest) = written.strip_prefix('+') {
        // `take_till1(separator)`, then `take_while1(number)` to the end; a `+`
        // is no number character, so there is no reading without the code.
        let cut = rest.bytes().position(is_separator)?;
        let (code, national) = rest.split_at(cut);
        return (cut > 0 && national.bytes().all(is_number)).then_some((Some(code), national));
    }
    (!written.is_empty() && written.bytes().all(is_number)).then_some((None, written))
}

/// `natural::phone_number` on the handled bytes: from the first `+` or digit
/// to the last digit (none of them holds an extension).
fn natural(written: &str) -> Option<&str> {
    let start = written
        .bytes()
        .position(|byte| byte == b'+' || byte.is_ascii_digit())?;
    let end = written.bytes().rposition(|byte| byte.is_ascii_digit())? + 1;
    (start < end).then(|| &written[start..end])
}

/// `is_viable`: two digits alone, or `+`s, then at least three digits among
/// punctuation (which has no `+`).
fn is_viable(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 2 {
        return false;
    }
    if bytes.len() == 2 && bytes.iter().all(u8::is_ascii_digit) {
        return true;
    }
    let pluses = bytes.iter().take_while(|&&byte| byte == b'+').count();
    let rest = &bytes[pluses..];
    rest.iter().all(|&byte| byte != b'+') && rest.iter().filter(|b| b.is_ascii_digit()).count() >= 3
}

/// The digits of `text` (`helper::normalize`: every other handled byte is
/// dropped).
pub(super) fn digits(text: &str) -> String {
    // Sized once, and bytes: collecting a filter into a `String` grows it step
    // by step and encodes every digit as a `char`.
    let mut digits = Vec::with_capacity(text.len());
    digits.extend(text.bytes().filter(u8::is_ascii_digit));
    String::from_utf8(digits).unwrap_or_default()
}

/// `helper::country_code`, with `helper::international_prefix` before it: the
/// country code and the national number, `Ok(None)` for no number.
fn country_code(
    home: Option<&Region>,
    written_code: Option<&str>,
    text: &str,
) -> Result<Option<(u16, String)>, NoDfa> {
    let mut national;
    let mut source;
    if written_code.is_some() {
        source = Source::Plus;
        national = digits(text);
    } else {
        let pluses = text.bytes().take_while(|&byte| byte == b'+').count();
        source = if pluses > 0 {
            Source::Plus
        } else {
            Source::Default
        };
        national = digits(&text[pluses..]);
        // After a `+` the prefix is stripped only when it matches at the start,
        // which is also what the step itself tests.
        if let Some(idd) = home.and_then(|home| home.international_prefix.as_ref()) {
            if let Some(end) = idd.match_end(&national)? {
                if !national[end..].starts_with('0') {
                    if source != Source::Plus {
                        source = Source::Idd;
                    }
                    national.drain(..end);
                }
            }
        }
    }
    if source == Source::Default {
        let Some(home) = home else {
            return Ok(None);
        };
        let code = home.meta.country_code();
        let code_digits = decimal(code);
        let code_text = code_digits.as_str();
        if national.starts_with(code_text)
            && (!home.general.matches(&national) || !is_possible_length(home, national.len()))
        {
            national.drain(..code_text.len());
        }
        return Ok(Some((code, national)));
    }
    if national.len() <= MIN_LENGTH_FOR_NSN {
        return Ok(None);
    }
    if let Some(written_code) = written_code {
        let code = digits_value(written_code);
        return Ok(code
            .filter(|&code| validator::is_country_code(code))
            .map(|code| (code, national)));
    }
    if national.starts_with('0') {
        return Ok(None);
    }
    // The first 1-, 2- or 3-digit prefix that is a country code.
    for len in 1..=3 {
        let code = national[..len].parse::<u16>().unwrap_or(0);
        if validator::is_country_code(code) {
            national.drain(..len);
            return Ok(Some((code, national)));
        }
    }
    Ok(None)
}

/// `parse_with`'s last step: `helper::national_number` (the national prefix for
/// parsing), then the plain national prefix, kept unless the rest is too short.
fn without_national_prefix(region: &Region, mut national: String) -> Result<String, NoDfa> {
    let meta = region.meta;
    // Every step strips a prefix, so the potential number is a suffix of
    // `national`, which is cut once at the end.
    let mut potential: &str = &national;
    match &region.national_prefix_for_parsing {
        None => {
            if let Some(prefix) = meta.national_prefix() {
                potential = potential.strip_prefix(prefix).unwrap_or(potential);
            }
        }
        Some(parsing) => {
            if let Some(end) = parsing.match_end(potential)? {
                // A transform rule rewrites the number with capture groups,
                // which a DFA does not have.
                if meta.national_prefix_transform_rule().is_some() {
                    return Err(NoDfa);
                }
                potential = &potential[end..];
            }
        }
    }
    if let Some(prefix) = meta.national_prefix() {
        potential = potential.strip_prefix(prefix).unwrap_or(potential);
    }
    if length(region, potential.len()) != Length::TooShort {
        let cut = national.len() - potential.len();
        national.drain(..cut);
    }
    Ok(national)
}

/// `digits(text).parse::<u16>().ok()`, without the string.
fn digits_value(text: &str) -> Option<u16> {
    let mut digits = text.bytes().filter(u8::is_ascii_digit).peekable();
    digits.peek()?;
    digits.try_fold(0u16, |value, digit| {
        value.checked_mul(10)?.checked_add(u16::from(digit - b'0'))
    })
}

/// The decimal digits of `value`, on the stack.
pub(super) fn decimal(value: u16) -> Decimal {
    let mut digits = [0u8; 5];
    let mut start = digits.len();
    let mut rest = value;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    Decimal { digits, start }
}

/// What [`decimal`] writes: a `u16` has at most 5 digits.
pub(super) struct Decimal {
    digits: [u8; 5],
    start: usize,
}

impl Decimal {
    pub(super) fn as_str(&self) -> &str {
        // ASCII digits only.
        std::str::from_utf8(&self.digits[self.start..]).unwrap_or_default()
    }
}

/// `consts::MIN_LENGTH_FOR_NSN`.
const MIN_LENGTH_FOR_NSN: usize = 2;
/// `consts::MAX_LENGTH_FOR_NSN`.
const MAX_LENGTH_FOR_NSN: usize = 17;

/// Whether `national` makes a `NationalNumber`: a length the parser accepts, a
/// digit other than 0, and a value below 2^56.
fn national_number(national: &str) -> bool {
    // At most 17 digits, so the value fits a `u64` (the digits are ASCII, so no
    // `str::parse` is needed to read them).
    (MIN_LENGTH_FOR_NSN..=MAX_LENGTH_FOR_NSN).contains(&national.len())
        && national.bytes().any(|digit| digit != b'0')
        && national.bytes().fold(0u64, |value, digit| {
            value * 10 + u64::from(digit.wrapping_sub(b'0'))
        }) < 1 << 56
}

/// `validator::Validation`, as far as the parser asks.
#[derive(PartialEq, Eq)]
enum Length {
    Possible,
    PossibleLocalOnly,
    TooShort,
    TooLong,
    Invalid,
}

/// `validator::length(meta, number, Type::Unknown)`: the general descriptor's
/// lengths (which this metadata leaves empty, so every length is invalid).
fn length(region: &Region, len: usize) -> Length {
    let general = region.meta.descriptors().general();
    let possible = general.possible_length();
    let len = u16::try_from(len).unwrap_or(u16::MAX);
    let (Some(&minimum), Some(&maximum)) = (possible.first(), possible.last()) else {
        return Length::Invalid;
    };
    if general.possible_local_length().contains(&len) {
        Length::PossibleLocalOnly
    } else if len == minimum {
        Length::Possible
    } else if len < minimum {
        Length::TooShort
    } else if len > maximum {
        Length::TooLong
    } else if possible.contains(&len) {
        Length::Possible
    } else {
        Length::Invalid
    }
}

/// `Validation::is_possible`.
fn is_possible_length(region: &Region, len: usize) -> bool {
    matches!(
        length(region, len),
        Length::Possible | Length::PossibleLocalOnly
    )
}

#[cfg(test)]
mod tests {
    use phonenumber::metadata::DATABASE;
    use proptest::prelude::*;

    use super::*;

    /// What `phonenumber` answers, as a [`Parsed`]; `None` when it panics.
    fn upstream(region: Option<country::Id>, written: &str) -> Option<Parsed> {
        let parsed = std::panic::catch_unwind(|| phonenumber::parse(region, written)).ok()?;
        Some(match parsed {
            Ok(number) => Parsed::Number {
                code: number.code().value(),
                national: number.national().to_string(),
            },
            Err(_) => Parsed::NoNumber,
        })
    }

    /// Compares the two parsers; what this one answered.
    fn compare(region: Option<country::Id>, written: &str) -> Parsed {
        let parsed = parse(region, written);
        if parsed != Parsed::Unsure {
            if let Some(expected) = upstream(region, written) {
                assert_eq!(parsed, expected, "{region:?} {written:?}");
            }
        }
        parsed
    }

    /// How a text may write `national` (digits) of a region with country code
    /// `code`, national prefix `prefix` and international prefix `idd`.
    fn written_forms(national: &str, code: u16, prefix: &str, idd: &str) -> Vec<String> {
        let split = national.len().min(3);
        let (head, tail) = national.split_at(split);
        let middle = tail.len() / 2;
        let (tail_a, tail_b) = tail.split_at(middle);
        vec![
            national.to_owned(),
            format!("{prefix}{national}"),
            format!("{prefix}{head} {tail_a} {tail_b}"),
            format!("({prefix}{head}) {tail_a}-{tail_b}"),
            format!("({prefix}{head}){tail_a}-{tail_b}"),
            format!("{prefix}{head}/{tail}"),
            format!("{prefix}{head}.{tail_a}.{tail_b}"),
            format!("{head}-{tail_a}-{tail_b}"),
            format!("+{code} {head} {tail}"),
            format!("+{code}{national}"),
            format!("+{code}-{head}-{tail}"),
            format!("+{code}.{national}"),
            format!("+{code} ({prefix}) {national}"),
            format!("+{code}({prefix}){national}"),
            format!("(+{code}) {national}"),
            format!("++{code} {national}"),
            format!("+{code} +{national}"),
            format!("+0{code}-{national}"),
            format!("+{code}/{national}"),
            format!("00{code} {national}"),
            format!("00 {code} {head} {tail}"),
            format!("{idd}{code}{national}"),
            format!("{idd} {code} {national}"),
            format!("+{idd}{code}{national}"),
            format!("{code}{national}"),
            format!("{code} {prefix}{national}"),
            format!("{prefix}{prefix}{national}"),
        ]
    }

    const DEFAULT_REGIONS: [&str; 9] = ["DE", "FR", "KR", "CN", "GB", "ES", "BR", "ID", "US"];

    #[test]
    #[cfg_attr(
        miri,
        ignore = "runs libphonenumber's regexes thousands of times: hours under Miri"
    )]
    fn agrees_with_phonenumber_on_written_numbers() {
        // The default regions, regions with national prefix transform rules
        // (AR, MX), shared country codes (+1, +7, +44) and long international
        // prefixes (AU, JP).
        let regions = [
            "DE", "FR", "KR", "CN", "GB", "ES", "BR", "ID", "US", "CA", "RU", "KZ", "GG", "IT",
            "JP", "IN", "AR", "MX", "AU", "NZ",
        ];
        let (mut numbers, mut no_numbers, mut unsure, mut default_unsure) = (0, 0, 0, 0);
        for id in regions {
            let meta = DATABASE.by_id(id).unwrap();
            let region: country::Id = id.parse().unwrap();
            let idd = meta
                .preferred_international_prefix()
                .filter(|idd| idd.bytes().all(|b| b.is_ascii_digit()))
                .unwrap_or("00");
            let prefix = meta.national_prefix().unwrap_or("");
            let nationals = validator::variants(meta);
            for (i, national) in nationals.iter().enumerate() {
                for written in written_forms(national, meta.country_code(), prefix, idd) {
                    // Every form as the region's and international; a sample
                    // as another region's.
                    let other: country::Id = regions[i % regions.len()].parse().unwrap();
                    for region in [Some(region), None, Some(other)] {
                        let parsed = compare(region, &written);
                        let was_unsure = parsed == Parsed::Unsure;
                        match parsed {
                            Parsed::Number { .. } => numbers += 1,
                            Parsed::NoNumber => no_numbers += 1,
                            Parsed::Unsure => unsure += 1,
                        }
                        // The region whose rules apply: the given one, else the
                        // number's.
                        let applied = region.as_ref().map_or(id, AsRef::as_ref);
                        if was_unsure && DEFAULT_REGIONS.contains(&applied) && applied != "BR" {
                            default_unsure += 1;
                        }
                    }
                }
            }
        }
        // Both answers are well represented; transform rules (AR, BR, GG, MX)
        // are a small share.
        assert!(
            numbers > 100_000 && no_numbers > 50_000 && unsure * 10 < numbers + no_numbers,
            "{numbers} {no_numbers} {unsure}"
        );
        // In the default regions, only Brazil's transform rule needs upstream.
        assert_eq!(default_unsure, 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        #[cfg_attr(miri, ignore = "runs libphonenumber's regexes: hours under Miri")]
        fn agrees_with_phonenumber_on_any_digits_and_separators(
            written in "[0-9 ./()+-]{0,24}",
            region in proptest::sample::select(vec![
                None, Some("DE"), Some("FR"), Some("KR"), Some("CN"), Some("GB"),
                Some("ES"), Some("BR"), Some("ID"), Some("US"),
            ]),
        ) {
            compare(region.map(|id| id.parse().unwrap()), &written);
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "loads libphonenumber's metadata: too slow under Miri")]
    fn other_characters_are_left_to_phonenumber() {
        assert_eq!(parse(None, "+49 30 123456 ext. 7"), Parsed::Unsure);
        assert_eq!(parse(None, "+４９ 30 1234567"), Parsed::Unsure);
        assert_eq!(
            parse(None, "+49 30 1234567"),
            Parsed::Number {
                code: 49,
                national: "301234567".to_owned()
            }
        );
    }
}
