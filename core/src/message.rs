//! The message to check and its optional context.

use jiff::Timestamp;

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
    /// The recipients (phone numbers or contact ids).
    pub recipients: &'a [String],
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

    /// Sets the recipients.
    pub fn recipients(mut self, recipients: &'a [String]) -> Message<'a> {
        self.recipients = recipients;
        self
    }

    /// Sets the send time.
    pub fn at(mut self, at: Timestamp) -> Message<'a> {
        self.at = Some(at);
        self
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

    /// The send time in Unix seconds; now when the message does not say.
    pub(crate) fn unix_time(&self) -> i64 {
        self.at.unwrap_or_else(Timestamp::now).as_second()
    }

    /// Whether this goes to more than one person (a group or several recipients).
    pub(crate) fn is_broadcast(&self) -> bool {
        self.group.is_some() || self.recipients.len() != 1
    }
}
