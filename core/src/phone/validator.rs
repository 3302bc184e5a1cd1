//! `phonenumber::is_valid` on compiled DFAs.
//!
//! libphonenumber decides validity with one regex per number type (fixed line,
//! mobile, toll free, …) of the number's region. `phonenumber` runs them through
//! `regex`'s lazy DFA, whose states are built per thread: every new worker
//! thread rebuilt them for each number, about 30k instructions, three times a
//! whole check. Here each region's patterns are compiled once per process into
//! fully built DFAs, which need no per-thread state, and validity is decided
//! exactly as `phonenumber::validator::is_valid` does (same metadata, same
//! order, same "match at the start" semantics); a unit test compares the two on
//! numbers of many regions. A pattern whose DFA cannot be built falls back to
//! `phonenumber`'s own regex.

use std::sync::{LazyLock, OnceLock};

use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::PhoneNumber;
use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::Anchored;

/// Whether `number` is valid: what `phonenumber::is_valid(number)` answers.
pub(crate) fn is_valid(number: &PhoneNumber) -> bool {
    is_valid_national(number.country().code(), &number.national().to_string())
}

/// Whether the number with country code `code` and national significant number
/// `national` (ASCII digits) is valid.
pub(super) fn is_valid_national(code: u16, national: &str) -> bool {
    region_for(code, national).is_some_and(|region| region.is_valid(national))
}

/// The compiled region of ISO code `id`.
pub(super) fn region(id: &str) -> Option<&'static Region> {
    let meta = DATABASE.by_id(id)?;
    calling_code(meta.country_code())?
        .regions
        .iter()
        .find(|slot| slot.id == id)
        .map(Slot::compiled)
}

/// Whether `code` is a country calling code of the metadata (what
/// `DATABASE.by_code(&code).is_some()` answers, without collecting a vector).
pub(super) fn is_country_code(code: u16) -> bool {
    calling_code(code).is_some_and(|code| code.known)
}

/// The region whose metadata decides, as `phonenumber::validator::source_for`
/// picks it: the only region of the country code, or the first of several whose
/// leading digits (or, without those, whose number types) match.
pub(super) fn region_for(code: u16, national: &str) -> Option<&'static Region> {
    match &calling_code(code)?.regions[..] {
        [] => None,
        [only] => only.decides_alone.then(|| only.compiled()),
        several => several
            .iter()
            .map(Slot::compiled)
            .find(|region| match &region.leading_digits {
                Some(leading) => leading.matches_start(national),
                None => region.is_valid(national),
            }),
    }
}

/// What the metadata holds for one country calling code.
struct CallingCode {
    /// `DATABASE.by_code` knows it.
    known: bool,
    /// Its regions in the metadata's order (`DATABASE.region`).
    regions: Vec<Slot>,
}

/// One region of a calling code, compiled on first use and kept for the life of
/// the process (at most one per region of the metadata).
struct Slot {
    id: &'static str,
    meta: &'static Metadata,
    /// As the only region of its code, it decides: a known ISO code, or `001`
    /// (a non-geographic code such as +800 or +979, whose metadata is the
    /// code's). Worked out once: parsing the ISO code cost as much as a search.
    decides_alone: bool,
    compiled: OnceLock<Region>,
}

impl Slot {
    fn new(id: &'static str, meta: &'static Metadata) -> Slot {
        Slot {
            id,
            meta,
            decides_alone: id == "001" || id.parse::<phonenumber::country::Id>().is_ok(),
            compiled: OnceLock::new(),
        }
    }
}

impl Slot {
    fn compiled(&self) -> &Region {
        self.compiled.get_or_init(|| Region::new(self.meta))
    }
}

/// Country calling codes have at most three digits.
const CALLING_CODES: u16 = 1000;

/// The metadata of `code`, looked up by index: `DATABASE`'s own lookups hash and
/// collect a vector per call.
fn calling_code(code: u16) -> Option<&'static CallingCode> {
    static CODES: LazyLock<Vec<CallingCode>> = LazyLock::new(|| {
        (0..CALLING_CODES)
            .map(|code| {
                let by_code = DATABASE.by_code(&code);
                let ids = DATABASE.region(&code).unwrap_or_default();
                let regions = if ids == ["001"] {
                    by_code
                        .iter()
                        .flatten()
                        .take(1)
                        .map(|&meta| Slot::new("001", meta))
                        .collect()
                } else {
                    ids.into_iter()
                        .filter_map(|id| Some(Slot::new(id, DATABASE.by_id(id)?)))
                        .collect()
                };
                CallingCode {
                    known: by_code.is_some(),
                    regions,
                }
            })
            .collect()
    });
    CODES.get(usize::from(code))
}

impl std::fmt::Debug for Region {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Region")
            .field("id", &self.meta.id())
            .finish_non_exhaustive()
    }
}

/// One region's patterns, compiled.
pub(super) struct Region {
    pub(super) meta: &'static Metadata,
    pub(super) general: Pattern,
    /// Every number type `number_type` tries (in another order); a number is
    /// valid when the general pattern and any of these match.
    types: Vec<Pattern>,
    leading_digits: Option<Pattern>,
    /// The international dialling prefix (`00`, `011`).
    pub(super) international_prefix: Option<Prefix>,
    /// A national prefix, with a carrier code, as it is stripped when parsing.
    pub(super) national_prefix_for_parsing: Option<Prefix>,
}

impl Region {
    fn new(meta: &'static Metadata) -> Region {
        let types = meta.descriptors();
        Region {
            meta,
            international_prefix: meta
                .international_prefix()
                .map(|regex| Prefix(AnchoredDfa::new(regex.as_str()))),
            national_prefix_for_parsing: meta
                .national_prefix_for_parsing()
                .map(|regex| Prefix(AnchoredDfa::new(regex.as_str()))),
            general: Pattern::of(types.general()),
            // `number_type`'s types, the commonest first: validity asks
            // whether any matches, so the order changes no answer, and most
            // numbers texts hold are fixed-line or mobile ones, decided on
            // the first or second DFA instead of the ninth.
            types: [
                types.fixed_line(),
                types.mobile(),
                types.toll_free(),
                types.premium_rate(),
                types.shared_cost(),
                types.voip(),
                types.personal_number(),
                types.pager(),
                types.uan(),
                types.voicemail(),
            ]
            .into_iter()
            .flatten()
            .map(Pattern::of)
            .collect(),
            leading_digits: meta.leading_digits().map(|regex| Pattern {
                lengths: Lengths::ANY,
                matcher: Matcher::new(
                    regex.as_str(),
                    Box::new(move |text| regex.find(text).is_some_and(|m| m.start() == 0)),
                ),
            }),
        }
    }

    /// `phonenumber::validator::number_type(meta, national) != Type::Unknown`.
    fn is_valid(&self, national: &str) -> bool {
        self.general.matches(national) && self.types.iter().any(|t| t.matches(national))
    }
}

/// A number descriptor: its possible lengths and national-number pattern.
pub(super) struct Pattern {
    lengths: Lengths,
    matcher: Matcher,
}

impl Pattern {
    fn of(descriptor: &'static Descriptor) -> Pattern {
        let regex = descriptor.national_number();
        Pattern {
            // `Descriptor::is_match` reads an empty list as every length.
            lengths: match descriptor.possible_length() {
                [] => Lengths::ANY,
                lengths => Lengths::of(lengths),
            },
            matcher: Matcher::new(
                regex.as_str(),
                Box::new(move |text| regex.find(text).is_some_and(|m| m.start() == 0)),
            ),
        }
    }

    /// `Descriptor::is_match`: a possible length (when the metadata lists any)
    /// and the pattern matching at the start.
    pub(super) fn matches(&self, national: &str) -> bool {
        self.lengths.contains(national.len()) && self.matcher.matches_start(national)
    }

    fn matches_start(&self, national: &str) -> bool {
        self.matcher.matches_start(national)
    }
}

/// A set of number lengths, one bit each: a pattern is tried on most numbers
/// of a region, and a bit test is cheaper than a search of the metadata's list.
#[derive(Clone, Copy, Debug)]
pub(super) struct Lengths(u64);

impl Lengths {
    /// Every length: a descriptor that lists none.
    const ANY: Lengths = Lengths(u64::MAX);

    /// The lengths of a list. libphonenumber's lengths are at most 17
    /// (`MAX_LENGTH_FOR_NSN`), far below the 64 a set holds.
    pub(super) fn of(lengths: &[u16]) -> Lengths {
        Lengths(lengths.iter().fold(0, |set, &len| {
            set | 1u64.checked_shl(u32::from(len)).unwrap_or(0)
        }))
    }

    /// Whether the set holds `len`.
    pub(super) fn contains(self, len: usize) -> bool {
        match u32::try_from(len)
            .ok()
            .and_then(|len| self.0.checked_shr(len))
        {
            Some(bits) => bits & 1 == 1,
            None => self.0 == Lengths::ANY.0,
        }
    }
}

/// Whether a pattern matches at the start of a text.
/// (Unwind-safe: engines keep compiled regions, and an engine is.)
type MatchesStart = Box<dyn Fn(&str) -> bool + Send + Sync + std::panic::RefUnwindSafe>;

enum Matcher {
    Dfa(Box<AnchoredDfa>),
    /// The DFA would have been too large: `phonenumber`'s own cached regex.
    Upstream(MatchesStart),
}

/// Bigger DFAs fall back to the upstream regex (a unit test checks that no
/// pattern of the default regions does).
const MAX_DFA_BYTES: usize = 1 << 20;

impl Matcher {
    /// The DFA of `pattern`, or `upstream` (the same pattern in `phonenumber`)
    /// when it would be too large.
    fn new(pattern: &str, upstream: MatchesStart) -> Matcher {
        match AnchoredDfa::new(pattern) {
            Some(dfa) => Matcher::Dfa(dfa),
            None => Matcher::Upstream(upstream),
        }
    }

    /// Whether the pattern matches some prefix of `text`: what upstream's
    /// `find(text).map(|m| m.start() == 0)` answers, since the leftmost match
    /// starts at 0 exactly when any match does.
    fn matches_start(&self, text: &str) -> bool {
        match self {
            Matcher::Dfa(dfa) => dfa.match_end(text.as_bytes(), true).is_some(),
            Matcher::Upstream(matches_start) => matches_start(text),
        }
    }
}

/// A metadata pattern's DFA, searched anchored at the start of a text.
///
/// The search is this crate's own loop: `try_search_fwd`'s general setup (an
/// `Input`, the start-state lookup, prefilter and acceleration checks) cost
/// more than stepping through the dozen digits of a national number, and a
/// number is tried against up to a dozen patterns.
pub(super) struct AnchoredDfa {
    dfa: dense::DFA<Vec<u32>>,
    /// The anchored start state at the start of a text, looked up once.
    start: StateID,
}

impl AnchoredDfa {
    /// The DFA of a metadata pattern, `None` when it would be too large.
    fn new(pattern: &str) -> Option<Box<AnchoredDfa>> {
        // As `phonenumber` compiles them (`ignore_whitespace`), but byte-wise:
        // national numbers are ASCII digits, on which Unicode `\d` and ASCII `\d`
        // agree, and ASCII classes keep the DFA small.
        let dfa = dense::Builder::new()
            .syntax(
                regex_automata::util::syntax::Config::new()
                    .ignore_whitespace(true)
                    .unicode(false)
                    .utf8(false),
            )
            .configure(
                dense::Config::new()
                    .start_kind(StartKind::Anchored)
                    .dfa_size_limit(Some(MAX_DFA_BYTES))
                    .determinize_size_limit(Some(4 * MAX_DFA_BYTES)),
            )
            .build(pattern)
            .ok()?;
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .ok()?;
        Some(Box::new(AnchoredDfa { dfa, start }))
    }

    /// Where the match at the start of `text` ends: the leftmost-first match,
    /// or with `earliest` the first match end the DFA sees. This is what
    /// `try_search_fwd` answers for an anchored `Input` of the whole text (a
    /// unit test compares the two): a DFA reports a match one byte late, so a
    /// match state entered on byte `at` ends the match at `at`, and the end of
    /// the text is one more transition.
    fn match_end(&self, text: &[u8], earliest: bool) -> Option<usize> {
        let dfa = &self.dfa;
        let mut state = self.start;
        let mut end = None;
        for (at, &byte) in text.iter().enumerate() {
            state = dfa.next_state(state, byte);
            if dfa.is_special_state(state) {
                if dfa.is_match_state(state) {
                    end = Some(at);
                    if earliest {
                        return end;
                    }
                } else if dfa.is_dead_state(state) {
                    return end;
                }
                // Start and accelerated states are ordinary ones here, and
                // these DFAs have no quit bytes (no Unicode word boundaries).
            }
        }
        state = dfa.next_eoi_state(state);
        if dfa.is_match_state(state) {
            end = Some(text.len());
        }
        end
    }
}

/// A prefix pattern of the parser (international or national prefix); no DFA
/// when it would be too large.
pub(super) struct Prefix(Option<Box<AnchoredDfa>>);

impl Prefix {
    /// Where the match at the start of `text` ends: what upstream's `find(text)`
    /// answers when its match starts at 0 (the leftmost match, with the
    /// leftmost-first end that this DFA's anchored search finds). `Err` when
    /// the pattern has no DFA.
    pub(super) fn match_end(&self, text: &str) -> Result<Option<usize>, NoDfa> {
        let dfa = self.0.as_ref().ok_or(NoDfa)?;
        Ok(dfa.match_end(text.as_bytes(), false))
    }
}

/// A pattern too large for a DFA: only `phonenumber` can answer.
#[derive(Debug)]
pub(super) struct NoDfa;

/// The general descriptor of a region's metadata, then every number type's.
pub(super) fn descriptors(meta: &Metadata) -> impl Iterator<Item = &Descriptor> {
    let types = meta.descriptors();
    [
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
}

/// Numbers derived from every example number of a region's metadata: the
/// example, one digit changed, one added, one removed.
#[cfg(test)]
pub(super) fn variants(meta: &Metadata) -> Vec<String> {
    let examples = descriptors(meta).filter_map(Descriptor::example);
    let mut numbers = Vec::new();
    for example in examples {
        numbers.push(example.to_owned());
        for i in 0..example.len() {
            let mut changed = example.as_bytes().to_vec();
            changed[i] = b'0' + (changed[i] - b'0' + 3) % 10;
            numbers.push(String::from_utf8(changed).unwrap());
            numbers.push(format!("{}{}", &example[..i], &example[i + 1..]));
        }
        numbers.push(format!("{example}7"));
    }
    numbers
}

#[cfg(test)]
mod tests {
    use phonenumber::country;

    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "builds DFAs of hundreds of patterns: hours under Miri")]
    fn agrees_with_phonenumber() {
        // The default regions, regions that share a country code (+1, +7, +44,
        // +262, +599) and non-geographic codes.
        let regions = [
            "DE", "FR", "KR", "CN", "GB", "ES", "BR", "ID", "US", "CA", "JM", "RU", "KZ", "GG",
            "IM", "RE", "YT", "CW", "BQ", "IT", "JP", "IN", "AR", "MX",
        ];
        let mut checked = 0;
        let mut valid = 0;
        for id in regions {
            let meta = DATABASE.by_id(id).unwrap();
            let code = meta.country_code();
            for national in variants(meta) {
                for written in [format!("+{code} {national}"), national.clone()] {
                    let region = if written.starts_with('+') {
                        None
                    } else {
                        Some(id.parse::<country::Id>().unwrap())
                    };
                    let Ok(number) = phonenumber::parse(region, &written) else {
                        continue;
                    };
                    let expected = phonenumber::is_valid(&number);
                    assert_eq!(is_valid(&number), expected, "{id} {written}");
                    checked += 1;
                    valid += usize::from(expected);
                }
            }
        }
        // Both answers are well represented.
        assert!(
            checked > 2000 && valid > 300 && checked - valid > 300,
            "{checked} {valid}"
        );
        for code in [800, 808, 870, 979] {
            for national in variants(DATABASE.by_code(&code).unwrap()[0]) {
                let number = phonenumber::parse(None, format!("+{code} {national}")).unwrap();
                assert_eq!(
                    is_valid(&number),
                    phonenumber::is_valid(&number),
                    "+{code} {national}"
                );
            }
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "builds DFAs of hundreds of patterns: hours under Miri")]
    fn the_own_search_ends_where_try_search_fwd_ends() {
        use regex_automata::Input;
        let (mut ended, mut missed) = (0, 0);
        for id in [
            "DE", "FR", "KR", "CN", "GB", "ES", "BR", "ID", "US", "IT", "RU",
        ] {
            let meta = DATABASE.by_id(id).unwrap();
            let region = Region::new(meta);
            let patterns = [&region.general]
                .into_iter()
                .chain(&region.types)
                .chain(&region.leading_digits)
                .map(|pattern| match &pattern.matcher {
                    Matcher::Dfa(dfa) => dfa,
                    Matcher::Upstream(_) => panic!("{id}: no DFA"),
                });
            let prefixes = [
                &region.international_prefix,
                &region.national_prefix_for_parsing,
            ]
            .into_iter()
            .flatten()
            .map(|prefix| prefix.0.as_ref().unwrap());
            let mut texts = variants(meta);
            let prefixed: Vec<String> = texts
                .iter()
                .flat_map(|national| [format!("00{national}"), format!("0{national}")])
                .collect();
            texts.extend(prefixed);
            texts.extend(["", "0", "00", "011", "x1"].map(String::from));
            for dfa in patterns.chain(prefixes) {
                for text in &texts {
                    for earliest in [false, true] {
                        let input = Input::new(text).anchored(Anchored::Yes).earliest(earliest);
                        let expected = dfa.dfa.try_search_fwd(&input).unwrap().map(|m| m.offset());
                        assert_eq!(
                            dfa.match_end(text.as_bytes(), earliest),
                            expected,
                            "{id} {text:?} earliest: {earliest}"
                        );
                        ended += usize::from(expected.is_some());
                        missed += usize::from(expected.is_none());
                    }
                }
            }
        }
        // Both answers are well represented.
        assert!(ended > 10_000 && missed > 10_000, "{ended} {missed}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "builds DFAs of hundreds of patterns: hours under Miri")]
    fn every_pattern_of_the_default_regions_is_a_dfa() {
        let is_dfa = |p: &Pattern| matches!(p.matcher, Matcher::Dfa(_));
        for id in ["DE", "FR", "KR", "CN", "GB", "ES", "BR", "ID", "US"] {
            let region = Region::new(DATABASE.by_id(id).unwrap());
            assert!(is_dfa(&region.general), "{id}");
            assert!(region.types.iter().all(is_dfa), "{id}");
            assert!(region.leading_digits.iter().all(is_dfa), "{id}");
        }
    }
}
