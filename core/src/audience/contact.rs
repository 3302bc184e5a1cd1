//! Contacts, their consent records and their phone numbers.

use std::fmt;

use jiff::Timestamp;
use phonenumber::country;
use serde::{Deserialize, Serialize};

/// How a contact opted in (seed 004: web form, in store, API integration, or
/// asked during a chat).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConsentMethod {
    /// A sign-up or checkout form on the web.
    WebForm,
    /// Signed up in a shop.
    InStore,
    /// Through an API integration (a CRM, the WhatsApp Business API opt-in).
    Api,
    /// Asked and agreed during a chat.
    Chat,
}

impl ConsentMethod {
    /// Every method.
    pub const ALL: [ConsentMethod; 4] = [
        ConsentMethod::WebForm,
        ConsentMethod::InStore,
        ConsentMethod::Api,
        ConsentMethod::Chat,
    ];

    /// The method's string: `web_form`, `in_store`, `api` or `chat`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::WebForm => "web_form",
            ConsentMethod::InStore => "in_store",
            ConsentMethod::Api => "api",
            ConsentMethod::Chat => "chat",
        }
    }
}

impl fmt::Display for ConsentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ConsentMethod {
    type Err = String;

    /// The method's string, or a spelling from `lexicons/import/method_*.txt`
    /// (`Webformular`, `im Laden`, …), in any case, with `-`, `_` and spaces alike.
    fn from_str(written: &str) -> Result<ConsentMethod, String> {
        super::import::consent_method(written).ok_or_else(|| {
            format!("consent method {written:?} is not one of web_form, in_store, api, chat")
        })
    }
}

/// A verifiable opt-in: when, how, where and under which privacy policy (seed 004).
///
/// # Examples
/// ```
/// use sendlint::audience::{Consent, ConsentMethod};
/// let consent = Consent::new("2026-03-14T10:00:00Z".parse().unwrap(), ConsentMethod::WebForm)
///     .source("checkout form, shop.example")
///     .policy_version("2026-01");
/// assert_eq!(consent.method.as_str(), "web_form");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Consent {
    /// When the contact agreed.
    pub at: Timestamp,
    /// How.
    pub method: ConsentMethod,
    /// Where (form, shop, campaign), as the business records it.
    #[serde(default)]
    pub source: Option<String>,
    /// The version of the privacy policy agreed to.
    #[serde(default)]
    pub policy_version: Option<String>,
}

impl Consent {
    /// A consent record with its time and method, the two things that make it
    /// verifiable.
    pub fn new(at: Timestamp, method: ConsentMethod) -> Consent {
        Consent {
            at,
            method,
            source: None,
            policy_version: None,
        }
    }

    /// Sets where the consent was given.
    pub fn source(mut self, source: impl Into<String>) -> Consent {
        self.source = Some(source.into());
        self
    }

    /// Sets the privacy-policy version agreed to.
    pub fn policy_version(mut self, version: impl Into<String>) -> Consent {
        self.policy_version = Some(version.into());
        self
    }
}

/// Something a contact did, for the lifecycle rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum InteractionKind {
    /// Opened (read) a message.
    Opened,
    /// Wrote to the business.
    Replied,
    /// Bought something.
    Purchased,
}

impl InteractionKind {
    /// `opened`, `replied` or `purchased`.
    pub const fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Opened => "opened",
            InteractionKind::Replied => "replied",
            InteractionKind::Purchased => "purchased",
        }
    }
}

impl std::str::FromStr for InteractionKind {
    type Err = String;

    fn from_str(written: &str) -> Result<InteractionKind, String> {
        match written {
            "opened" => Ok(InteractionKind::Opened),
            "replied" => Ok(InteractionKind::Replied),
            "purchased" => Ok(InteractionKind::Purchased),
            other => Err(format!(
                "interaction {other:?} is not one of opened, replied, purchased"
            )),
        }
    }
}

/// One recorded interaction (kept for the retention period, then swept).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Interaction {
    /// When.
    pub at: Timestamp,
    /// What.
    pub kind: InteractionKind,
}

/// One person in an audience. Labels are held by the audience (one bit set per
/// label); [`Audience::labels_of`](super::Audience::labels_of) lists a contact's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Contact {
    /// The phone number in E.164 (`+85291234567`).
    pub phone: String,
    /// When the contact entered the audience; stands in for a date the contact
    /// never had (never opened anything) in the lifecycle rules.
    pub added_at: Timestamp,
    /// The opt-in record, if any: without one the contact is never a recipient.
    #[serde(default)]
    pub consent: Option<Consent>,
    /// When the contact opted out, if they did: they are never a recipient again,
    /// whatever an import says.
    #[serde(default)]
    pub opted_out_at: Option<Timestamp>,
    /// The latest interaction of any kind.
    #[serde(default)]
    pub last_interaction: Option<Timestamp>,
    /// The latest opened (read) message.
    #[serde(default)]
    pub last_opened: Option<Timestamp>,
    /// The first purchase.
    #[serde(default)]
    pub first_purchase: Option<Timestamp>,
    /// Purchases recorded.
    #[serde(default)]
    pub purchase_count: u32,
    /// The interactions within the retention period, oldest first.
    #[serde(default)]
    pub interactions: Vec<Interaction>,
}

impl Contact {
    pub(crate) fn new(phone: String, added_at: Timestamp) -> Contact {
        Contact {
            phone,
            added_at,
            consent: None,
            opted_out_at: None,
            last_interaction: None,
            last_opened: None,
            first_purchase: None,
            purchase_count: 0,
            interactions: Vec::new(),
        }
    }

    /// Whether a message may go to this contact: a consent record and no opt-out.
    pub fn is_sendable(&self) -> bool {
        self.consent.is_some() && self.opted_out_at.is_none()
    }

    pub(crate) fn record(&mut self, interaction: Interaction) {
        let at = interaction.at;
        let later = |slot: &mut Option<Timestamp>| {
            if slot.is_none_or(|old| old < at) {
                *slot = Some(at);
            }
        };
        later(&mut self.last_interaction);
        match interaction.kind {
            InteractionKind::Opened => later(&mut self.last_opened),
            InteractionKind::Purchased => {
                self.purchase_count = self.purchase_count.saturating_add(1);
                if self.first_purchase.is_none_or(|first| first > at) {
                    self.first_purchase = Some(at);
                }
            }
            InteractionKind::Replied => {}
        }
        let position = self.interactions.partition_point(|i| i.at <= at);
        self.interactions.insert(position, interaction);
    }
}

/// Why a phone number was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{written:?} is not a valid phone number: {reason}")]
#[non_exhaustive]
pub struct PhoneError {
    /// The number as written.
    pub written: String,
    /// Why, in words.
    pub reason: String,
}

/// Parses a phone number as written in a contact list into E.164: spaces,
/// dashes, dots, slashes and brackets are ignored; `+` or `00` starts the
/// country code; a national number (`(030) 1234567`) needs `region`.
///
/// # Errors
/// [`PhoneError`] saying why: no digits, no country code and no region, an
/// unknown country code, too short, too long, or not a number in use there.
///
/// # Examples
/// ```
/// use sendlint::audience::normalize_phone;
/// assert_eq!(normalize_phone("+852 9123 4567", None)?, "+85291234567");
/// assert_eq!(normalize_phone("(030) 1234567", Some("DE"))?, "+49301234567");
/// assert_eq!(normalize_phone("0049-30-1234567", None)?, "+49301234567");
/// assert!(normalize_phone("(030) 1234567", None).unwrap_err().reason.contains("country code"));
/// # Ok::<(), sendlint::audience::PhoneError>(())
/// ```
pub fn normalize_phone(written: &str, region: Option<&str>) -> Result<String, PhoneError> {
    let region = match region {
        None => None,
        Some(code) => Some(parse_region(code).map_err(|reason| PhoneError {
            written: written.to_owned(),
            reason,
        })?),
    };
    normalise(written, region)
}

/// An ISO 3166 alpha-2 region as the phone library knows it.
pub(crate) fn parse_region(code: &str) -> Result<country::Id, String> {
    code.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("{code:?} is not an ISO 3166 alpha-2 country code (DE, HK, …)"))
}

pub(crate) fn normalise(written: &str, region: Option<country::Id>) -> Result<String, PhoneError> {
    let fail = |reason: String| PhoneError {
        written: written.to_owned(),
        reason,
    };
    let trimmed = written.trim();
    let digits = trimmed.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(fail("it has no digits".to_owned()));
    }
    if let Some(bad) = trimmed.chars().find(|c| {
        !c.is_ascii_digit() && !matches!(c, '+' | ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}')
    }) {
        return Err(fail(format!("it contains {bad:?}")));
    }
    if digits > 17 {
        return Err(fail(format!(
            "{digits} digits is too long for any phone number"
        )));
    }
    // Already E.164: a fast path for the common case of a clean list, which
    // skips the parser's formatting regexes but not its validation.
    let unbracketed = trimmed.trim_start_matches('(');
    let international = if unbracketed.starts_with('+') {
        Some(std::borrow::Cow::Borrowed(unbracketed))
    } else {
        unbracketed
            .strip_prefix("00")
            .map(|rest| std::borrow::Cow::Owned(format!("+{rest}")))
    };
    let parse_region = if international.is_some() {
        None
    } else {
        region
    };
    if international.is_none() && region.is_none() {
        return Err(fail(
            "no country code (write +852 9123 4567 or 00852…, or give a default region)".to_owned(),
        ));
    }
    let text = international.as_deref().unwrap_or(trimmed);
    let parsed = std::panic::catch_unwind(|| {
        let number = phonenumber::parse(parse_region, text)?;
        Ok::<_, phonenumber::ParseError>((crate::phone::is_valid(&number), number))
    });
    match parsed {
        Err(_) => Err(fail("the phone library failed on it".to_owned())),
        Ok(Err(err)) => Err(fail(match err {
            phonenumber::ParseError::InvalidCountryCode => "unknown country code".to_owned(),
            phonenumber::ParseError::NoNumber => "not a phone number".to_owned(),
            other => other.to_string(),
        })),
        Ok(Ok((false, number))) => Err(fail(format!(
            "not a number in use in +{} (wrong length or range){}",
            number.country().code(),
            match region {
                Some(id) if international.is_none() =>
                    format!(", read as a national number of {id:?}"),
                _ => String::new(),
            }
        ))),
        Ok(Ok((true, number))) => Ok(format!("+{}{}", number.country().code(), number.national())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn written_forms_of_one_number_agree() {
        for (written, region, e164) in [
            ("+852 9123 4567", None, "+85291234567"),
            ("+85291234567", None, "+85291234567"),
            ("00852 9123-4567", None, "+85291234567"),
            ("9123 4567", Some("HK"), "+85291234567"),
            ("(030) 1234567", Some("DE"), "+49301234567"),
            ("0049-30-1234567", None, "+49301234567"),
            ("+49 (0)30 1234567", None, "+49301234567"),
            ("030/1234567", Some("de"), "+49301234567"),
            ("010-1234-5678", Some("KR"), "+821012345678"),
        ] {
            assert_eq!(
                normalize_phone(written, region).as_deref(),
                Ok(e164),
                "{written}"
            );
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn invalid_numbers_say_why() {
        for (written, region, says) in [
            ("", None, "no digits"),
            ("n/a", None, "no digits"),
            ("(030) 1234567", None, "no country code"),
            ("+852 9123", None, "not a number in use in +852"),
            ("+999 1234 5678", None, "unknown country code"),
            ("+49 30 1234567 ext", None, "contains 'e'"),
            ("+49 301234567890123456", None, "too long"),
            ("12345", Some("DE"), "read as a national number of DE"),
            ("0301234567", Some("XX"), "ISO 3166"),
        ] {
            let err = normalize_phone(written, region).unwrap_err();
            assert!(err.reason.contains(says), "{written}: {err}");
        }
    }

    #[test]
    fn consent_methods_read_english_and_german() {
        for (written, method) in [
            ("web_form", ConsentMethod::WebForm),
            ("Web Form", ConsentMethod::WebForm),
            ("Webformular", ConsentMethod::WebForm),
            ("in-store", ConsentMethod::InStore),
            ("im Laden", ConsentMethod::InStore),
            ("API", ConsentMethod::Api),
            ("chat", ConsentMethod::Chat),
        ] {
            assert_eq!(written.parse::<ConsentMethod>(), Ok(method), "{written}");
        }
        assert!("fax".parse::<ConsentMethod>().is_err());
    }

    #[test]
    fn interactions_update_the_summary() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let mut contact = Contact::new("+85291234567".into(), t("2026-01-01T00:00:00Z"));
        contact.record(Interaction {
            at: t("2026-03-01T00:00:00Z"),
            kind: InteractionKind::Purchased,
        });
        contact.record(Interaction {
            at: t("2026-02-01T00:00:00Z"),
            kind: InteractionKind::Purchased,
        });
        contact.record(Interaction {
            at: t("2026-02-15T00:00:00Z"),
            kind: InteractionKind::Opened,
        });
        assert_eq!(contact.purchase_count, 2);
        assert_eq!(contact.first_purchase, Some(t("2026-02-01T00:00:00Z")));
        assert_eq!(contact.last_opened, Some(t("2026-02-15T00:00:00Z")));
        assert_eq!(contact.last_interaction, Some(t("2026-03-01T00:00:00Z")));
        assert!(contact.interactions.windows(2).all(|w| w[0].at <= w[1].at));
    }
}
