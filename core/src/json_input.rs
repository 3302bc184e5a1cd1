//! The JSON shapes bindings pass in for inbound messages, reply-time exchanges,
//! triages, audience labels, consent records and import options, read with the
//! same field-naming errors as [`OwnedMessage`](crate::OwnedMessage). The C ABI
//! passes these as JSON because structs of strings and optional times would be
//! awkward in C; the parsing lives here so every binding reads them alike.

use jiff::Timestamp;
use serde::Deserialize;

use crate::audience::{Audience, AudienceError, Consent, ImportOptions};
use crate::error::Error;
use crate::inbound::{Exchange, Inbound, Triage};

/// An inbound message that owns its fields, as bindings receive it;
/// [`OwnedInbound::inbound`] lends it to [`Engine::triage`](crate::Engine::triage).
///
/// Its JSON shape is that of one line of `sendlint inbound`'s input: an object
/// with `text` (required) and, optionally, `id`, `at` (RFC 3339, when it was
/// received), `sender` and `account`. `null` is the same as leaving a field out;
/// any other field is an error.
///
/// # Examples
/// ```
/// use sendlint::{Engine, OwnedInbound};
/// let line = r#"{"text": "STOP", "at": "2026-11-25T09:00:00Z", "sender": "+4917012345678"}"#;
/// let owned = OwnedInbound::from_json(line)?;
/// let triage = Engine::default().triage(&owned.inbound())?;
/// assert!(triage.is_opt_out());
/// assert_eq!(triage.sender.as_deref(), Some("+4917012345678"));
/// # Ok::<(), sendlint::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OwnedInbound {
    /// The caller's id for the message (not used by triage; echoed by callers).
    #[serde(default)]
    pub id: Option<String>,
    /// The text the customer wrote.
    pub text: String,
    /// When it was received; now when `None`.
    #[serde(default)]
    pub at: Option<Timestamp>,
    /// Who wrote it (phone number or contact id).
    #[serde(default)]
    pub sender: Option<String>,
    /// The business account that received it.
    #[serde(default)]
    pub account: Option<String>,
}

impl OwnedInbound {
    /// Reads an inbound message from one JSON object (see the type's docs).
    ///
    /// # Errors
    /// [`Error::Json`] naming the line, column and field when `json` is not JSON,
    /// not an object, lacks `text`, has an unknown field or a field of the wrong
    /// type or value (an `at` that is not RFC 3339).
    pub fn from_json(json: &str) -> Result<OwnedInbound, Error> {
        Error::parse_json("inbound message", json)
    }

    /// The message borrowing these fields, to triage.
    pub fn inbound(&self) -> Inbound<'_> {
        let mut inbound = Inbound::new(&self.text);
        inbound.at = self.at;
        inbound.sender = self.sender.as_deref();
        inbound.account = self.account.as_deref();
        inbound
    }
}

/// One exchange as JSON: strict, so a misspelt `replied` is an error rather
/// than an unanswered message.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExchangeJson {
    received: Timestamp,
    #[serde(default)]
    replied: Option<Timestamp>,
    #[serde(default)]
    reply_due: Option<Timestamp>,
}

impl Exchange {
    /// Reads exchanges from a JSON array of objects with `received` (RFC 3339,
    /// required), `replied` (absent or `null`: not answered yet) and `reply_due`
    /// (optional, [`Triage::reply_due`]).
    ///
    /// # Errors
    /// [`Error::Json`] naming the line, column and field (`[2].replied`).
    ///
    /// # Examples
    /// ```
    /// let json = r#"[{"received": "2026-11-25T09:00:00Z", "replied": "2026-11-25T09:04:00Z",
    ///                 "reply_due": "2026-11-25T09:05:00Z"},
    ///                {"received": "2026-11-25T10:00:00Z", "replied": null}]"#;
    /// let exchanges = sendlint::Exchange::list_from_json(json)?;
    /// assert_eq!(exchanges.len(), 2);
    /// assert!(exchanges[1].replied.is_none());
    /// let err = sendlint::Exchange::list_from_json(r#"[{"received": "noon"}]"#).unwrap_err();
    /// assert!(err.to_string().contains("(field [0].received)"), "{err}");
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn list_from_json(json: &str) -> Result<Vec<Exchange>, Error> {
        let list: Vec<ExchangeJson> = Error::parse_json("exchanges", json)?;
        Ok(list
            .into_iter()
            .map(|e| Exchange {
                received: e.received,
                replied: e.replied,
                reply_due: e.reply_due,
            })
            .collect())
    }
}

impl Triage {
    /// Reads a triage written by [`Triage::to_json`].
    ///
    /// # Errors
    /// [`Error::Json`] naming the line, column and field.
    ///
    /// # Examples
    /// ```
    /// let triage = sendlint::Engine::default().triage(&sendlint::Inbound::new("Abmelden bitte"))?;
    /// assert_eq!(sendlint::Triage::from_json(&triage.to_json())?, triage);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Triage, Error> {
        Error::parse_json("triage", json)
    }
}

/// Import options as JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportOptionsJson {
    #[serde(default)]
    default_region: Option<String>,
    #[serde(default)]
    threads: Option<usize>,
}

impl ImportOptions {
    /// Reads import options from a JSON object with the optional fields
    /// `default_region` (ISO 3166 alpha-2, `"DE"`) and `threads` (at least 1).
    ///
    /// # Errors
    /// [`Error::Json`] naming the field; an unknown region is reported by the
    /// import itself.
    ///
    /// # Examples
    /// ```
    /// let options = sendlint::audience::ImportOptions::from_json(r#"{"default_region": "DE"}"#)?;
    /// assert_eq!(options.default_region.as_deref(), Some("DE"));
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<ImportOptions, Error> {
        let read: ImportOptionsJson = Error::parse_json("import options", json)?;
        let mut options = ImportOptions::new();
        options.default_region = read.default_region;
        if let Some(threads) = read.threads {
            options = options.threads(threads);
        }
        Ok(options)
    }
}

impl Consent {
    /// Reads a consent record from a JSON object with `at` (RFC 3339) and
    /// `method` (`web_form`, `in_store`, `api` or `chat`), and optionally
    /// `source` and `policy_version`.
    ///
    /// # Errors
    /// [`Error::Json`] naming the field.
    ///
    /// # Examples
    /// ```
    /// let consent = sendlint::audience::Consent::from_json(
    ///     r#"{"at": "2026-03-14T10:00:00Z", "method": "web_form", "source": "checkout"}"#)?;
    /// assert_eq!(consent.method.as_str(), "web_form");
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Consent, Error> {
        Error::parse_json("consent", json)
    }
}

impl Audience {
    /// An empty audience with the labels of a JSON array of strings
    /// (`["VIP", "Interesse-Make-up"]`).
    ///
    /// # Errors
    /// [`Error::Json`] naming the element that is not a string;
    /// [`Error::Audience`] for an invalid or repeated label name.
    ///
    /// # Examples
    /// ```
    /// let audience = sendlint::audience::Audience::from_labels_json(r#"["VIP", "Neukunde"]"#)?;
    /// assert_eq!(audience.labels().len(), 2);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_labels_json(json: &str) -> Result<Audience, Error> {
        Ok(Audience::new(Audience::label_list_from_json(json)?)?)
    }

    /// Reads label names from a JSON array of strings, for calls that take
    /// labels (adding a contact); whether they exist is checked where they are used.
    ///
    /// # Errors
    /// [`Error::Json`] naming the element that is not a string.
    ///
    /// # Examples
    /// ```
    /// let labels = sendlint::audience::Audience::label_list_from_json(r#"["VIP", "Neukunde"]"#)?;
    /// assert_eq!(labels, ["VIP", "Neukunde"]);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn label_list_from_json(json: &str) -> Result<Vec<String>, Error> {
        Error::parse_json("labels", json)
    }

    /// Applies an inbound message's opt-out to its sender: when the triage
    /// found an opt-out, the sender is opted out at the time they asked (added
    /// as an opted-out contact when unknown, so a later import cannot make
    /// them a recipient). Returns whether the triage had an opt-out to apply.
    ///
    /// # Errors
    /// [`AudienceError::Input`] when the triage has an opt-out but no sender
    /// (nobody to apply it to); [`AudienceError::Phone`] when the sender is not
    /// a valid phone number. Nothing changes on error.
    ///
    /// # Examples
    /// ```
    /// use sendlint::{audience::Audience, Engine, Inbound};
    /// let mut audience = Audience::new(["VIP"])?;
    /// let triage = Engine::default().triage(&Inbound::new("Abmelden bitte").sender("+4917012345678"))?;
    /// assert!(audience.apply_triage(&triage)?);
    /// assert!(audience.contact("+4917012345678").unwrap().opted_out_at.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply_triage(&mut self, triage: &Triage) -> Result<bool, AudienceError> {
        let Some(opt_out) = &triage.opt_out else {
            return Ok(false);
        };
        let sender = triage.sender.as_deref().ok_or_else(|| {
            AudienceError::Input(format!(
                "the message asks to opt out ({:?}) but has no sender to apply it to",
                opt_out.matched
            ))
        })?;
        self.opt_out(sender, opt_out.at)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Engine;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn field(err: Error) -> Option<String> {
        match err {
            Error::Json { field, .. } => field,
            other => panic!("expected a JSON error, got {other:?}"),
        }
    }

    #[test]
    fn inbound_json_reads_the_command_line_shape() {
        let owned = OwnedInbound::from_json(
            r#"{"id": "in-4", "text": "Wo bleibt meine Bestellung?", "at": "2026-11-25T10:00:00+01:00", "sender": "+4917012345678", "account": "shop"}"#,
        )
        .unwrap();
        let inbound = owned.inbound();
        assert_eq!(inbound.at, Some(at("2026-11-25T09:00:00Z")));
        assert_eq!(inbound.sender, Some("+4917012345678"));
        assert_eq!(inbound.account, Some("shop"));
        assert_eq!(owned.id.as_deref(), Some("in-4"));
        assert_eq!(
            field(OwnedInbound::from_json(r#"{"text": "x", "at": "gestern"}"#).unwrap_err())
                .as_deref(),
            Some("at")
        );
        let err = OwnedInbound::from_json(r#"{"text": "x", "recipients": []}"#).unwrap_err();
        assert!(err.to_string().contains("recipients"), "{err}");
        assert!(OwnedInbound::from_json(r#"{"sender": "+49"}"#).is_err());
    }

    #[test]
    fn exchanges_are_strict() {
        let err = Exchange::list_from_json(
            r#"[{"received": "2026-11-25T09:00:00Z", "reply": "2026-11-25T09:01:00Z"}]"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("reply"), "{err}");
        assert_eq!(
            field(
                Exchange::list_from_json(
                    r#"[{"received": "2026-11-25T09:00:00Z"}, {"received": 5}]"#
                )
                .unwrap_err()
            )
            .as_deref(),
            Some("[1].received")
        );
        assert!(Exchange::list_from_json(r#"{"received": "2026-11-25T09:00:00Z"}"#).is_err());
    }

    #[test]
    fn options_consent_and_labels_name_the_field() {
        assert_eq!(
            ImportOptions::from_json(r#"{"threads": 0}"#)
                .unwrap()
                .threads,
            Some(1)
        );
        assert_eq!(
            field(ImportOptions::from_json(r#"{"default_region": 49}"#).unwrap_err()).as_deref(),
            Some("default_region")
        );
        assert!(ImportOptions::from_json(r#"{"region": "DE"}"#).is_err());
        assert_eq!(
            field(
                Consent::from_json(r#"{"at": "2026-03-14T10:00:00Z", "method": "fax"}"#)
                    .unwrap_err()
            )
            .as_deref(),
            Some("method")
        );
        assert_eq!(
            field(Audience::from_labels_json(r#"["VIP", 3]"#).unwrap_err()).as_deref(),
            Some("[1]")
        );
        assert!(matches!(
            Audience::from_labels_json(r#"["VIP", "VIP"]"#),
            Err(Error::Audience(AudienceError::InvalidLabel { .. }))
        ));
    }

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn a_triaged_opt_out_reaches_the_contact() {
        let engine = Engine::default();
        let mut audience = Audience::new(["VIP"]).unwrap();
        let consent = Consent::new(
            at("2026-03-01T00:00:00Z"),
            crate::audience::ConsentMethod::WebForm,
        );
        audience.set_consent("+4917012345678", consent).unwrap();
        // A question opts nobody out.
        let question = engine
            .triage(&Inbound::new("Habt ihr das auch in Blau?").sender("+4917012345678"))
            .unwrap();
        assert!(!audience.apply_triage(&question).unwrap());
        assert!(audience.contact("+4917012345678").unwrap().is_sendable());
        // A German opt-out, read back from its JSON as the C ABI does.
        let asked = at("2026-11-25T09:00:00Z");
        let stop = engine
            .triage(
                &Inbound::new("Abmelden bitte")
                    .sender("+49 170 1234 5678")
                    .at(asked),
            )
            .unwrap();
        let stop = Triage::from_json(&stop.to_json()).unwrap();
        assert!(audience.apply_triage(&stop).unwrap());
        let contact = audience.contact("+4917012345678").unwrap();
        assert_eq!(contact.opted_out_at, Some(asked));
        assert!(!contact.is_sendable());
        // An opt-out without a sender cannot be applied, and says so.
        let anonymous = engine.triage(&Inbound::new("STOP")).unwrap();
        let err = audience.apply_triage(&anonymous).unwrap_err();
        assert!(err.to_string().contains("no sender"), "{err}");
    }
}
