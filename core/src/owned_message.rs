//! A message that owns its fields, read from JSON: the shape of one line of the
//! command line's JSON Lines input, shared by the C ABI and other bindings.

use jiff::Timestamp;
use serde::Deserialize;

use crate::error::Error;
use crate::message::Message;
use crate::report::Kind;

/// A message that owns its fields, as bindings receive it; [`OwnedMessage::message`]
/// lends it to [`Engine::check`](crate::Engine::check) and
/// [`Engine::record`](crate::Engine::record).
///
/// Its JSON shape is that of one line of the command line's input: an object with
/// `text` (required) and, optionally, `id`, `account`, `group`, `recipients`
/// (strings), `at` (RFC 3339), `kind` (`"useful"`, `"offer"` or `"ad"`) and
/// `dead_links` (strings). `null` is the same as leaving a field out; any other
/// field is an error.
///
/// # Examples
/// ```
/// use sendlint::{Engine, OwnedMessage, RuleId};
/// let line = r#"{"id": "m-17", "text": "@all Jetzt kostenlos erhalten!",
///                "account": "bakery", "recipients": ["+4917012345678"],
///                "at": "2026-11-02T09:00:00Z", "kind": "ad"}"#;
/// let owned = OwnedMessage::from_json(line)?;
/// assert_eq!(owned.id.as_deref(), Some("m-17"));
/// let report = Engine::default().check(&owned.message())?;
/// assert!(report.has(RuleId::MassMention));
///
/// let err = OwnedMessage::from_json(r#"{"text": "Hallo", "recipients": ["+49170", 5]}"#).unwrap_err();
/// assert!(err.to_string().contains("(field recipients[1])"), "{err}");
/// # Ok::<(), sendlint::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct OwnedMessage {
    /// The caller's id for the message (not used by the rules; echoed by callers).
    #[serde(default)]
    pub id: Option<String>,
    /// The text as the recipients will see it.
    pub text: String,
    /// The sending account.
    #[serde(default)]
    pub account: Option<String>,
    /// The group it goes to, if any.
    #[serde(default)]
    pub group: Option<String>,
    /// The recipients (phone numbers or contact ids).
    #[serde(default, deserialize_with = "null_is_empty")]
    pub recipients: Vec<String>,
    /// When it will be sent.
    #[serde(default)]
    pub at: Option<Timestamp>,
    /// The sender's own 7-2-1 class; classified from the text when `None`.
    #[serde(default)]
    pub kind: Option<Kind>,
    /// Links in the text that the host application found dead.
    #[serde(default, deserialize_with = "null_is_empty")]
    pub dead_links: Vec<String>,
}

/// A list that may be `null`, which means empty (as in the command line's input).
fn null_is_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

impl OwnedMessage {
    /// A message with only its text.
    pub fn new(text: impl Into<String>) -> OwnedMessage {
        OwnedMessage {
            text: text.into(),
            ..OwnedMessage::default()
        }
    }

    /// Reads a message from one JSON object (see the type's docs for its shape).
    ///
    /// # Errors
    /// [`Error::Json`] naming the line, column and field when `json` is not JSON,
    /// is not an object, lacks `text`, has an unknown field, or a field of the
    /// wrong type or value (an `at` that is not RFC 3339, an unknown `kind`, a lone
    /// surrogate in a string).
    pub fn from_json(json: &str) -> Result<OwnedMessage, Error> {
        Error::parse_json("message", json)
    }

    /// The message borrowing these fields, to check or record (add a history or
    /// a topic with [`Message::history`] and [`Message::topic`]).
    pub fn message(&self) -> Message<'_> {
        let mut message = Message::new(&self.text)
            .recipients(&self.recipients)
            .dead_links(&self.dead_links);
        message.account = self.account.as_deref();
        message.group = self.group.as_deref();
        message.at = self.at;
        message.kind = self.kind;
        message
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn error(json: &str) -> (Option<String>, String) {
        match OwnedMessage::from_json(json).unwrap_err() {
            Error::Json { field, message, .. } => (field, message),
            other => panic!("expected a JSON error, got {other:?}"),
        }
    }

    #[test]
    fn reads_a_full_command_line_line() {
        let line = r#"{"id": "7", "text": "Anzeige: 20 % Rabatt – Abmelden mit STOP", "account": "bakery", "group": "kiez", "recipients": ["+4917012345678", "0170 9876543"], "at": "2026-11-02T09:00:00+01:00", "kind": "offer", "dead_links": ["https://example.com/x"]}"#;
        let owned = OwnedMessage::from_json(line).unwrap();
        assert_eq!(owned.recipients.len(), 2);
        assert_eq!(owned.at.unwrap().to_string(), "2026-11-02T08:00:00Z");
        let message = owned.message();
        assert_eq!(message.account, Some("bakery"));
        assert_eq!(message.group, Some("kiez"));
        assert_eq!(message.kind, Some(Kind::Offer));
        assert_eq!(message.dead_links, ["https://example.com/x"]);
    }

    #[test]
    fn null_fields_are_absent() {
        let owned = OwnedMessage::from_json(
            r#"{"text": "Hallo", "account": null, "recipients": null, "at": null, "dead_links": null}"#,
        )
        .unwrap();
        assert_eq!(owned, OwnedMessage::new("Hallo"));
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(error(r#"{"text": 5}"#).0.as_deref(), Some("text"));
        assert_eq!(
            error(r#"{"text": "x", "recipients": ["a", 5]}"#)
                .0
                .as_deref(),
            Some("recipients[1]")
        );
        let (field, message) = error(r#"{"text": "x", "at": "yesterday"}"#);
        assert_eq!(field.as_deref(), Some("at"));
        assert!(!message.is_empty());
        let (field, message) = error(r#"{"text": "x", "kind": "spam"}"#);
        assert_eq!(field.as_deref(), Some("kind"));
        assert!(message.contains("useful"), "{message}");
        let (_, message) = error(r#"{"text": "x", "colour": "red"}"#);
        assert!(message.contains("colour"), "{message}");
        let (_, message) = error(r#"{"account": "bakery"}"#);
        assert!(message.contains("missing field `text`"), "{message}");
        let (field, _) = error(r#"{"text": "\ud800"}"#);
        assert_eq!(field.as_deref(), Some("text"));
    }

    #[test]
    fn broken_json_says_where() {
        let err = OwnedMessage::from_json("{\"text\": \"Hallo\"").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Json);
        assert!(
            err.to_string()
                .starts_with("invalid message JSON at line 1, column 16"),
            "{err}"
        );
        let err = OwnedMessage::from_json(r#"{"text": "a"} {"text": "b"}"#).unwrap_err();
        assert!(err.to_string().contains("trailing characters"), "{err}");
        assert!(OwnedMessage::from_json("[\"Hallo\"]").is_err());
    }
}
