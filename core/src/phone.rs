//! Phone numbers, by libphonenumber's metadata (through `phonenumber`):
//! international forms everywhere and national forms of the policy's regions.
//! Used by `pii_exposure` to find numbers in a text and by the engine to
//! normalise the sender's own numbers. Numbers as texts write them are parsed by
//! `phone::parse` and validated by `phone::validator`, both on DFAs compiled once per
//! process and compared with `phonenumber` by tests; the rare rest (other
//! characters, Brazil's carrier-code prefixes) is parsed by `phonenumber` itself.
//!
//! `phonenumber` has panicked on malformed input in the past (upstream issues
//! whisperfish/rust-phonenumber#32, #43; #36 "make sure there are no unnecessary
//! panics" is open), and a check must never panic: every call into it runs under
//! [`std::panic::catch_unwind`], and a panic counts as "not a phone number".

use std::panic::{catch_unwind, AssertUnwindSafe};

use phonenumber::country;

mod parse;
mod validator;

use parse::Parsed;
pub(crate) use validator::is_valid;

/// The E.164 form of an international number (`+49 30 1234567` → `+49301234567`).
pub(crate) fn e164(number: &str) -> Option<String> {
    validate(None, number)
}

/// Parses `written` (national numbers read as `region`'s), the E.164 form when it
/// is a valid number.
pub(crate) fn validate(region: Option<country::Id>, written: &str) -> Option<String> {
    finish(region, parse::parse(region, written), written)
}

/// [`validate`]'s answer for `written` once [`parse`] has read it as `parsed`.
fn finish(region: Option<country::Id>, parsed: Parsed, written: &str) -> Option<String> {
    match parsed {
        Parsed::Number { code, national } => {
            validator::is_valid_national(code, &national).then(|| e164_of(code, &national))
        }
        Parsed::NoNumber => None,
        Parsed::Unsure => guarded(|| {
            let number = phonenumber::parse(region, written).ok()?;
            validator::is_valid(&number).then(|| to_e164(&number))
        }),
    }
}

/// `+`, `code` and `national`: what `format!("+{code}{national}")` writes, at a
/// tenth of the cost (the formatting machinery dominated a number's validation).
fn e164_of(code: u16, national: &str) -> String {
    let code = parse::decimal(code);
    let code = code.as_str();
    let mut e164 = String::with_capacity(1 + code.len() + national.len());
    e164.push('+');
    e164.push_str(code);
    e164.push_str(national);
    e164
}

/// The E.164 form of a valid number: `+`, country code, national number (with its
/// leading zeros). This is what `number.format().mode(Mode::E164)` writes, without
/// the formatter first matching the country's format patterns (regexes it then
/// ignores in E.164 mode), which cost more than the validation itself.
fn to_e164(number: &phonenumber::PhoneNumber) -> String {
    format!("+{}{}", number.country().code(), number.national())
}

/// Runs a call into `phonenumber`; a panic in it means "no phone number".
///
/// The default panic hook still reports a caught panic on stderr. That is kept on
/// purpose: the hook is process-wide, so replacing it from a library would also
/// silence the host's own panics (and race with other threads), and the report
/// is how an upstream bug gets noticed. (A host built with `panic = "abort"`
/// cannot catch anything.)
fn guarded<T>(call: impl FnOnce() -> Option<T>) -> Option<T> {
    catch_unwind(AssertUnwindSafe(call)).ok().flatten()
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
    id: country::Id,
    national_prefix: Option<String>,
    /// The lengths a valid number of the region can have.
    lengths: validator::Lengths,
    /// Its compiled patterns, looked up on first use.
    compiled: std::sync::OnceLock<Option<&'static validator::Region>>,
}

impl Region {
    /// Whether `digits` (ASCII digits only) has a length a number of the region
    /// can have, with or without the national prefix.
    fn may_hold(&self, digits: &[u8]) -> bool {
        self.lengths.contains(digits.len())
            || self
                .national_prefix
                .as_deref()
                .and_then(|prefix| digits.strip_prefix(prefix.as_bytes()))
                .is_some_and(|national| self.lengths.contains(national.len()))
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
                let lengths: Vec<u16> = validator::descriptors(meta)
                    .flat_map(|d| d.possible_length().iter().copied())
                    .collect();
                Some(Region {
                    id,
                    national_prefix: meta.national_prefix().map(str::to_owned),
                    lengths: validator::Lengths::of(&lengths),
                    compiled: std::sync::OnceLock::new(),
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

    /// The E.164 form of a written phone number (ASCII digits and separators), if
    /// it is a valid one: international (`+…`, `00…`) in any country, national in
    /// one of the regions.
    pub(crate) fn e164(&self, written: &str) -> Option<String> {
        let trimmed = written.trim_start_matches('(');
        if trimmed.starts_with('+') {
            return memoised(0, written, || e164(written));
        }
        if let Some(rest) = trimmed.strip_prefix("00") {
            return memoised(0, written, || e164(&format!("+{rest}")));
        }
        memoised(self.fingerprint, written, || {
            // The digits on the stack: no region's number has more than 17, so
            // a longer number needs no list (and fits no region).
            let mut digits = [0u8; 24];
            let mut count = 0;
            for digit in written.bytes().filter(u8::is_ascii_digit) {
                if let Some(slot) = digits.get_mut(count) {
                    *slot = digit;
                }
                count += 1;
            }
            let digits = digits.get(..count).unwrap_or_default();
            self.regions
                .iter()
                .filter(|region| region.may_hold(digits))
                .find_map(|region| {
                    let compiled = *region
                        .compiled
                        .get_or_init(|| validator::region(region.id.as_ref()));
                    let parsed = match compiled {
                        Some(compiled) => parse::parse_in(Some(compiled), written),
                        None => Parsed::Unsure,
                    };
                    finish(Some(region.id), parsed, written)
                })
        })
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

    use crate::FastMap;
    const CAPACITY: usize = 4096;
    /// Results by engine fingerprint (a thread serves one or two engines, so a
    /// list), then by the number as written: looked up by `&str`, so a repeat
    /// costs no allocation for the key.
    #[derive(Default)]
    struct Memo {
        by_engine: Vec<(u64, FastMap<String, Option<String>>)>,
        len: usize,
    }
    thread_local! {
        static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
    }
    let known = MEMO.with(|memo| {
        memo.borrow()
            .by_engine
            .iter()
            .find(|(engine, _)| *engine == fingerprint)
            .and_then(|(_, numbers)| numbers.get(written))
            .cloned()
    });
    if let Some(known) = known {
        return known;
    }
    let result = validate();
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len >= CAPACITY {
            memo.by_engine.clear();
            memo.len = 0;
        }
        let index = match memo
            .by_engine
            .iter()
            .position(|(engine, _)| *engine == fingerprint)
        {
            Some(index) => index,
            None => {
                // Sized for a campaign's numbers: growing from empty rehashed on
                // the first numbers a thread sees.
                let numbers = FastMap::with_capacity_and_hasher(256, Default::default());
                memo.by_engine.push((fingerprint, numbers));
                memo.by_engine.len() - 1
            }
        };
        memo.by_engine[index]
            .1
            .insert(written.to_owned(), result.clone());
        memo.len += 1;
    });
    result
}

#[cfg(test)]
mod tests {
    use phonenumber::Mode;

    use super::*;

    #[test]
    fn e164_of_writes_what_format_writes() {
        for code in [0, 1, 7, 9, 10, 44, 99, 100, 352, 999, 1000, 65535] {
            assert_eq!(e164_of(code, "0301234"), format!("+{code}0301234"));
        }
    }

    #[test]
    fn a_panic_in_phonenumber_is_no_number() {
        // No input is known to panic in phonenumber 0.3.10 (1.2 million random
        // inputs over every region found none); this stands in for one.
        let upstream_bug = || -> Option<String> { panic!("index out of bounds") };
        assert_eq!(guarded(upstream_bug), None);
        assert_eq!(guarded(|| Some(1)), Some(1));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "loads libphonenumber's metadata and compiles its regexes: too slow under Miri"
    )]
    fn e164_is_what_the_formatter_writes() {
        // Numbers of every default region, with national prefixes, Italian leading
        // zeros and numbers of shared country codes (+1, +7).
        for (region, written) in [
            (None, "+49 30 1234567"),
            (None, "+39 06 6988 1234"),
            (None, "+1 212 555 0123"),
            (None, "+1 416 555 0123"),
            (None, "+7 495 123 4567"),
            (None, "+44 20 7946 0958"),
            (Some(country::Id::GB), "09061701461"),
            (Some(country::Id::GB), "07911 123456"),
            (Some(country::Id::DE), "0170 1234567"),
            (Some(country::Id::FR), "01 23 45 67 89"),
            (Some(country::Id::KR), "010-1234-5678"),
            (Some(country::Id::CN), "138 0013 8000"),
            (Some(country::Id::ES), "612 34 56 78"),
            (Some(country::Id::BR), "(11) 91234-5678"),
            (Some(country::Id::ID), "0812-3456-7890"),
            (Some(country::Id::US), "(212) 555-0123"),
        ] {
            let number = phonenumber::parse(region, written).unwrap();
            assert!(phonenumber::is_valid(&number), "{written}");
            assert_eq!(
                to_e164(&number),
                number.format().mode(Mode::E164).to_string(),
                "{written}"
            );
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "loads libphonenumber's metadata and compiles its regexes: too slow under Miri"
    )]
    fn e164_of_international_numbers() {
        assert_eq!(e164("+49 30 1234567").as_deref(), Some("+49301234567"));
        assert_eq!(e164("12"), None);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "loads libphonenumber's metadata and compiles its regexes: too slow under Miri"
    )]
    fn a_national_number_is_read_in_the_first_region_where_it_is_valid() {
        // A UK mobile that is also a valid German number (area code 7732): the
        // policy's region order decides, as its documentation says.
        let regions = |codes: [&str; 2]| Regions::new(&codes.map(String::from));
        let written = "07732 584351";
        assert_eq!(
            regions(["DE", "GB"]).e164(written).as_deref(),
            Some("+497732584351")
        );
        assert_eq!(
            regions(["GB", "DE"]).e164(written).as_deref(),
            Some("+447732584351")
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "loads libphonenumber's metadata and compiles its regexes: too slow under Miri"
    )]
    fn national_numbers_of_the_regions() {
        let regions = Regions::new(&["DE".to_owned(), "KR".to_owned()]);
        assert_eq!(
            regions.e164("0170 1234567").as_deref(),
            Some("+491701234567")
        );
        assert_eq!(
            regions.e164("010-1234-5678").as_deref(),
            Some("+821012345678")
        );
        assert_eq!(
            regions.e164("0049 170 1234567").as_deref(),
            Some("+491701234567")
        );
        assert_eq!(regions.e164("1234567"), None);
        // A Korean national number is not read without KR among the regions.
        let german = Regions::new(&["DE".to_owned()]);
        assert_eq!(german.e164("010-1234-5678"), None);
    }
}
