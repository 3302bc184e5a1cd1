//! Recipients as compact keyed ids: what a [`History`](crate::History) stores
//! instead of phone numbers.
//!
//! A recipient is first normalised, so that one person written three ways is one
//! id: a phone number becomes its E.164 form (`+49 170 1234567`, `+491701234567`,
//! `0049 170 1234567`, and `0170 1234567` when the home region is Germany), and
//! anything else (a contact id) is only trimmed. The normalised text is then
//! hashed with HMAC-SHA-256 under a secret key and truncated to 64 bits.
//!
//! The key is never written to a history file; the file holds only a
//! fingerprint of it (another HMAC, of a fixed label), so a history loaded with a
//! different key is refused instead of silently never matching. Without the key,
//! the ids cannot be reversed by trying every phone number.

use std::borrow::Cow;
use std::fmt;

use hmac::{KeyInit, Mac};

use crate::error::Error;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The environment variable a [`History`](crate::History) takes its key from when
/// none is given.
pub(crate) const KEY_VARIABLE: &str = "SENDLINT_HISTORY_KEY";

/// What the key fingerprint is the HMAC of. Changing it orphans every saved history.
const FINGERPRINT_LABEL: &[u8] = b"sendlint history recipient key fingerprint v1";

/// A secret key for recipient ids, with the HMAC state already keyed.
#[derive(Clone)]
pub(crate) struct RecipientKey {
    mac: HmacSha256,
    /// Hex of the first 128 bits of HMAC(key, [`FINGERPRINT_LABEL`]).
    fingerprint: String,
    /// Made up for this process: ids do not match in another process.
    ephemeral: bool,
}

impl fmt::Debug for RecipientKey {
    /// Shows the fingerprint only, never the key.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecipientKey")
            .field("fingerprint", &self.fingerprint)
            .field("ephemeral", &self.ephemeral)
            .finish()
    }
}

impl RecipientKey {
    /// A key given by the caller; it must not be empty.
    pub(crate) fn new(key: &[u8]) -> Result<RecipientKey, Error> {
        if key.is_empty() {
            return Err(Error::Input(
                "the history key is empty; use at least 16 random bytes".to_owned(),
            ));
        }
        Ok(RecipientKey::build(key, false))
    }

    /// The key in [`KEY_VARIABLE`], if it is set and not empty.
    pub(crate) fn from_env() -> Option<RecipientKey> {
        let value = std::env::var_os(KEY_VARIABLE)?;
        let bytes = value.as_encoded_bytes();
        (!bytes.is_empty()).then(|| RecipientKey::build(bytes, false))
    }

    /// The caller's key if given, else [`KEY_VARIABLE`], else a random key that
    /// lives only as long as this process.
    pub(crate) fn given_env_or_random(key: Option<&[u8]>) -> Result<RecipientKey, Error> {
        match key {
            Some(key) => RecipientKey::new(key),
            None => Ok(RecipientKey::from_env().unwrap_or_else(RecipientKey::random)),
        }
    }

    /// A random key for this process only.
    pub(crate) fn random() -> RecipientKey {
        let mut key = [0u8; 32];
        if getrandom::fill(&mut key).is_err() {
            // No OS randomness (very rare): fall back on the standard library's
            // per-process random SipHash keys, which come from the same source when
            // it works, and from time and addresses when it does not.
            use std::hash::{BuildHasher, Hasher};
            for (i, chunk) in key.chunks_mut(8).enumerate() {
                let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
                hasher.write_usize(i);
                chunk.copy_from_slice(&hasher.finish().to_le_bytes());
            }
        }
        RecipientKey::build(&key, true)
    }

    fn build(key: &[u8], ephemeral: bool) -> RecipientKey {
        let mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        let mut label = mac.clone();
        label.update(FINGERPRINT_LABEL);
        let digest = label.finalize().into_bytes();
        let fingerprint = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        RecipientKey {
            mac,
            fingerprint,
            ephemeral,
        }
    }

    /// The fingerprint a history file stores (hex, 32 digits).
    pub(crate) fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether the key was made up for this process.
    pub(crate) fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }

    /// The compact ids of a send's recipients: normalised, keyed, sorted, and
    /// each person once. `home` is the region national numbers are read in.
    pub(crate) fn ids<S: AsRef<str>>(
        &self,
        recipients: impl IntoIterator<Item = S>,
        home: Option<phonenumber::country::Id>,
    ) -> Vec<u64> {
        let mut ids: Vec<u64> = recipients
            .into_iter()
            .map(|r| self.id(&normalise(r.as_ref(), home)))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The first 64 bits of HMAC-SHA-256(key, recipient).
    fn id(&self, normalised: &str) -> u64 {
        let mut mac = self.mac.clone();
        mac.update(normalised.as_bytes());
        let digest = mac.finalize().into_bytes();
        u64::from_le_bytes(digest[..8].try_into().expect("SHA-256 has 32 bytes"))
    }
}

/// The region whose national format recipients are read in: the first of the
/// policy's `rules.pii_exposure.regions` (the business's home market).
pub(crate) fn home_region(regions: &[String]) -> Option<phonenumber::country::Id> {
    regions.first().and_then(|code| code.parse().ok())
}

/// One spelling per person: a phone number in E.164, anything else trimmed.
pub(crate) fn normalise(recipient: &str, home: Option<phonenumber::country::Id>) -> Cow<'_, str> {
    let trimmed = recipient.trim();
    if is_e164(trimmed) || !looks_like_phone(trimmed) {
        return Cow::Borrowed(trimmed);
    }
    memoised(home, trimmed).map_or(Cow::Borrowed(trimmed), Cow::Owned)
}

/// Already written as E.164 (`+` and digits only). The parser gives such a
/// valid number back unchanged (a test checks every region's example numbers),
/// and an invalid one stays as written either way, so it is not parsed: that
/// costs 10–25 µs a number, more than the rest of a check.
fn is_e164(text: &str) -> bool {
    text.strip_prefix('+')
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The E.164 form of a phone number written any other way, if it is a valid one.
fn parse(written: &str, home: Option<phonenumber::country::Id>) -> Option<String> {
    let international = if written.starts_with('+') {
        Some(Cow::Borrowed(written))
    } else {
        written
            .strip_prefix("00")
            .map(|rest| Cow::Owned(format!("+{rest}")))
    };
    match international {
        Some(number) => crate::phone::e164(&number),
        None => home.and_then(|region| crate::phone::validate(Some(region), written)),
    }
}

/// [`parse`], remembered per thread (bounded, cleared when full): a broadcast's
/// audience repeats from send to send.
fn memoised(home: Option<phonenumber::country::Id>, written: &str) -> Option<String> {
    use std::cell::RefCell;
    use std::collections::HashMap;
    type Memo = HashMap<Option<phonenumber::country::Id>, HashMap<String, Option<String>>>;
    const CAPACITY: usize = 4096;
    thread_local! {
        static MEMO: RefCell<Memo> = RefCell::new(HashMap::new());
    }
    let known = MEMO.with(|memo| {
        memo.borrow()
            .get(&home)
            .and_then(|numbers| numbers.get(written).cloned())
    });
    if let Some(known) = known {
        return known;
    }
    let result = parse(written, home);
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let numbers = memo.entry(home).or_default();
        if numbers.len() >= CAPACITY {
            numbers.clear();
        }
        numbers.insert(written.to_owned(), result.clone());
    });
    result
}

/// Digits with the usual separators, and enough digits to be a number: contact
/// ids such as `customer-17` or `a1b2` never go near the phone parser.
fn looks_like_phone(text: &str) -> bool {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && text
            .trim_start_matches('+')
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn one_person_written_many_ways_is_one_id() {
        let key = RecipientKey::new(b"0123456789abcdef").unwrap();
        let de = home_region(&["DE".to_owned()]);
        let spellings = [
            "+49 170 1234567",
            "+491701234567",
            "0049 170 1234567",
            " 0170 1234567 ",
            "0170/1234567",
            "+49 (170) 123-4567",
        ]
        .map(String::from);
        assert_eq!(key.ids(&spellings, de).len(), 1);
        // Without a home region a national number is kept as written.
        assert_eq!(key.ids(&spellings, None).len(), 3);
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn e164_input_is_what_the_parser_would_make_of_it() {
        // The shortcut in `is_e164` relies on this for every region's example numbers.
        let written: Vec<String> = phonenumber::metadata::DATABASE
            .iter()
            .flat_map(|meta| {
                let types = meta.descriptors();
                [types.fixed_line(), types.mobile()]
                    .into_iter()
                    .flatten()
                    .filter_map(|d| d.example())
                    .map(move |example| format!("+{}{example}", meta.country_code()))
            })
            .collect();
        let parsed: Vec<(&String, String)> = written
            .iter()
            .filter_map(|w| Some((w, parse(w, None)?)))
            .collect();
        assert!(parsed.len() > 400, "{}", parsed.len());
        let changed: Vec<_> = parsed.iter().filter(|(w, p)| w != &p).collect();
        assert!(changed.is_empty(), "{changed:?}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn contact_ids_are_trimmed_not_parsed() {
        let key = RecipientKey::new(b"0123456789abcdef").unwrap();
        let de = home_region(&["DE".to_owned()]);
        assert_eq!(normalise("  customer-17\t", de), "customer-17");
        assert_eq!(normalise("12345", de), "12345");
        let ids = key.ids(&["customer-17".to_owned(), " customer-17 ".to_owned()], de);
        assert_eq!(ids.len(), 1);
    }

    #[test]
    fn ids_depend_on_the_key() {
        let one = RecipientKey::new(b"0123456789abcdef").unwrap();
        let two = RecipientKey::new(b"0123456789abcdeg").unwrap();
        let number = ["+491701234567".to_owned()];
        assert_ne!(one.ids(&number, None), two.ids(&number, None));
        assert_ne!(one.fingerprint(), two.fingerprint());
        assert_eq!(one.fingerprint().len(), 32);
        // HMAC-SHA-256 of RFC 4231 test case 2, truncated: the ids are the
        // standard construction, not a home-made hash.
        let jefe = RecipientKey::new(b"Jefe").unwrap();
        assert_eq!(
            jefe.id("what do ya want for nothing?"),
            0x4e75_60bf_46c1_dc5b
        );
        assert!(RecipientKey::new(b"").is_err());
        assert!(!format!("{one:?}").contains("0123456789abcdef"));
    }
}
