//! The message to check and its optional context.

use jiff::Timestamp;

use crate::audience::Audience;
use crate::error::Error;
use crate::history::History;
use crate::report::Kind;
use crate::topic::Topic;

/// A message about to be sent. Only `text` is required; rules that need context
/// the message does not carry skip quietly.
///
/// # Examples
/// ```
/// use sendlint::{Kind, Message};
/// let recipients = vec!["+4917012345678".to_string()];
/// let message = Message::new("Anzeige: 20 % Rabatt")
///     .account("bakery")
///     .recipients(&recipients)
///     .kind(Kind::Offer);
/// assert_eq!(message.text, "Anzeige: 20 % Rabatt");
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Message<'a> {
    /// The text as the recipients will see it.
    pub text: &'a str,
    /// The sending account.
    pub account: Option<&'a str>,
    /// The group it goes to, if any.
    pub group: Option<&'a str>,
    /// The recipients (phone numbers or contact ids), when given as `String`s
    /// ([`Message::recipients`]).
    pub recipients: &'a [String],
    /// The recipients, when given as `&str`s ([`Message::recipient_strs`]); the
    /// message's recipients are those of `recipients` followed by these.
    pub recipient_strs: &'a [&'a str],
    /// When it will be sent.
    pub at: Option<Timestamp>,
    /// The sender's own 7-2-1 class; classified from the text when `None`.
    pub kind: Option<Kind>,
    /// Links in the text that the host application found dead (`invalid_link`).
    pub dead_links: &'a [String],
    /// What the account sent before: enables the history rules.
    pub history: Option<&'a History>,
    /// What the group talks about: enables `off_topic`.
    pub topic: Option<&'a Topic>,
    /// The contacts the recipients are looked up in: enables `no_consent` and
    /// `opted_out` (and `untargeted` with a target).
    pub audience: Option<&'a Audience>,
    /// The campaign's label expression (`"Interesse-Make-up AND NOT VIP"`):
    /// enables `untargeted`. Without recipients, the send goes to the contacts it
    /// selects.
    pub target: Option<&'a str>,
}

impl<'a> Message<'a> {
    /// A message with only its text.
    pub fn new(text: &'a str) -> Message<'a> {
        Message {
            text,
            ..Message::default()
        }
    }

    /// Sets the sending account.
    pub fn account(mut self, account: &'a str) -> Message<'a> {
        self.account = Some(account);
        self
    }

    /// Sets the group.
    pub fn group(mut self, group: &'a str) -> Message<'a> {
        self.group = Some(group);
        self
    }

    /// Sets the recipients (replacing any set before, in either form).
    pub fn recipients(mut self, recipients: &'a [String]) -> Message<'a> {
        self.recipients = recipients;
        self.recipient_strs = &[];
        self
    }

    /// Sets the recipients from borrowed strings, for callers that hold `&str`s
    /// (a C or Python buffer, a split line) and should not copy them into
    /// `String`s; replaces any set before, in either form.
    ///
    /// A second setter rather than a generic [`Message::recipients`]: the public
    /// `recipients` field stays `&[String]`, so code that reads it or passes
    /// `&Vec<String>` keeps compiling.
    ///
    /// # Examples
    /// ```
    /// let line = "+4917012345678,+4917098765432";
    /// let recipients: Vec<&str> = line.split(',').collect();
    /// let message = sendlint::Message::new("Frische Brezeln!").recipient_strs(&recipients);
    /// assert_eq!(message.recipient_strs.len(), 2);
    /// ```
    pub fn recipient_strs(mut self, recipients: &'a [&'a str]) -> Message<'a> {
        self.recipients = &[];
        self.recipient_strs = recipients;
        self
    }

    /// Sets the send time.
    pub fn at(mut self, at: Timestamp) -> Message<'a> {
        self.at = Some(at);
        self
    }

    /// Sets the send time in Unix seconds (UTC).
    ///
    /// # Errors
    /// [`Error::Input`] when `seconds` is outside the times sendlint can
    /// represent (years -9999 to 9999).
    ///
    /// # Examples
    /// ```
    /// let message = sendlint::Message::new("Frische Brezeln!").at_unix(1_794_042_000)?;
    /// assert_eq!(message.at.unwrap().to_string(), "2026-11-07T09:00:00Z");
    /// assert!(sendlint::Message::new("Brezeln").at_unix(i64::MAX).is_err());
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn at_unix(self, seconds: i64) -> Result<Message<'a>, Error> {
        let at = Timestamp::from_second(seconds).map_err(|_| {
            Error::Input(format!(
                "unix time {seconds} is out of range ({} to {})",
                Timestamp::MIN.as_second(),
                Timestamp::MAX.as_second()
            ))
        })?;
        Ok(self.at(at))
    }

    /// Sets the kind, overriding classification.
    pub fn kind(mut self, kind: Kind) -> Message<'a> {
        self.kind = Some(kind);
        self
    }

    /// Sets the links the host application found dead.
    pub fn dead_links(mut self, dead_links: &'a [String]) -> Message<'a> {
        self.dead_links = dead_links;
        self
    }

    /// Checks against what the account sent before (`near_duplicate`, `fatigue`, …).
    pub fn history(mut self, history: &'a History) -> Message<'a> {
        self.history = Some(history);
        self
    }

    /// Checks relevance to the group's topic (`off_topic`).
    pub fn topic(mut self, topic: &'a Topic) -> Message<'a> {
        self.topic = Some(topic);
        self
    }

    /// Checks the recipients against an audience (`no_consent`, `opted_out`);
    /// without recipients, the send goes to the whole audience, or to the
    /// target's contacts.
    ///
    /// # Examples
    /// ```
    /// use sendlint::audience::Audience;
    /// use sendlint::{Engine, Message, RuleId};
    /// let mut audience = Audience::new(["VIP"])?;
    /// audience.add_contact("+85291234567", &["VIP"], "2026-01-01T00:00:00Z".parse().unwrap())?;
    /// let report = Engine::default().check(&Message::new("Neue Farben!").audience(&audience).target("VIP"))?;
    /// assert!(report.has(RuleId::NoConsent)); // no consent recorded
    /// assert_eq!(report.recipients_remaining, Some(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn audience(mut self, audience: &'a Audience) -> Message<'a> {
        self.audience = Some(audience);
        self
    }

    /// Sets the campaign's target label expression (`untargeted`).
    pub fn target(mut self, target: &'a str) -> Message<'a> {
        self.target = Some(target);
        self
    }

    /// The send time in Unix seconds; now when the message does not say.
    pub(crate) fn unix_time(&self) -> i64 {
        self.at.unwrap_or_else(Timestamp::now).as_second()
    }

    /// Whether this goes to more than one person (a group or several recipients).
    pub(crate) fn is_broadcast(&self) -> bool {
        self.group.is_some() || self.recipients.len() + self.recipient_strs.len() != 1
    }

    /// Every recipient, in either form.
    pub(crate) fn all_recipients(&self) -> impl Iterator<Item = &'a str> + 'a {
        let strs: &'a [&'a str] = self.recipient_strs;
        self.recipients
            .iter()
            .map(String::as_str)
            .chain(strs.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(miri, ignore = "parsing phone numbers is too slow under Miri")]
    fn recipients_as_str_and_as_string_are_the_same_people() {
        let history = History::with_key(b"0123456789abcdef").unwrap();
        let regions = ["DE".to_owned()];
        let owned = vec!["+4917012345678".to_owned(), "0170 9876543".to_owned()];
        let borrowed = ["+4917012345678", "0170 9876543"];
        let as_strings = Message::new("Frische Brezeln!").recipients(&owned);
        let as_strs = Message::new("Frische Brezeln!").recipient_strs(&borrowed);
        let ids = history.recipient_ids(as_strings.all_recipients(), &regions);
        assert_eq!(ids.len(), 2);
        assert_eq!(
            ids,
            history.recipient_ids(as_strs.all_recipients(), &regions)
        );
        assert!(as_strings.is_broadcast() && as_strs.is_broadcast());
        let one = Message::new("Frische Brezeln!").recipient_strs(&borrowed[..1]);
        assert!(!one.is_broadcast());
        // Each setter replaces what the other set.
        assert_eq!(one.recipients(&owned).all_recipients().count(), 2);
    }
}
