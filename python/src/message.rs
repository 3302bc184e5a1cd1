//! Python arguments of a message, converted to owned core values.

use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::{to_py, InputError};

/// A message converted from Python arguments, owning its strings.
pub(crate) struct OwnedMessage {
    pub(crate) text: String,
    pub(crate) account: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) recipients: Vec<String>,
    pub(crate) at: Option<jiff::Timestamp>,
    pub(crate) kind: Option<sendlint::Kind>,
    pub(crate) dead_links: Vec<String>,
    pub(crate) history: Option<Arc<sendlint::History>>,
    pub(crate) topic: Option<Arc<sendlint::Topic>>,
}

impl OwnedMessage {
    /// Converts the Python arguments every message has; the rest start empty.
    pub(crate) fn new(
        text: String,
        account: Option<String>,
        group: Option<String>,
        recipients: Option<Vec<String>>,
        at: Option<&Bound<'_, PyAny>>,
        kind: Option<&str>,
    ) -> PyResult<OwnedMessage> {
        Ok(OwnedMessage {
            text,
            account,
            group,
            recipients: recipients.unwrap_or_default(),
            at: at.map(timestamp).transpose()?,
            kind: kind.map(str::parse).transpose().map_err(to_py)?,
            dead_links: Vec::new(),
            history: None,
            topic: None,
        })
    }

    /// The core message borrowing these values.
    pub(crate) fn message(&self) -> sendlint::Message<'_> {
        let mut message = sendlint::Message::new(&self.text)
            .recipients(&self.recipients)
            .dead_links(&self.dead_links);
        if let Some(account) = &self.account {
            message = message.account(account);
        }
        if let Some(group) = &self.group {
            message = message.group(group);
        }
        if let Some(at) = self.at {
            message = message.at(at);
        }
        if let Some(kind) = self.kind {
            message = message.kind(kind);
        }
        if let Some(history) = &self.history {
            message = message.history(history);
        }
        if let Some(topic) = &self.topic {
            message = message.topic(topic);
        }
        message
    }
}

/// `at` as a timestamp: an aware `datetime` or an RFC 3339 string.
pub(crate) fn timestamp(at: &Bound<'_, PyAny>) -> PyResult<jiff::Timestamp> {
    let text: String = if let Ok(text) = at.extract::<String>() {
        text
    } else if at.hasattr("utcoffset")? && at.hasattr("isoformat")? {
        if at.call_method0("utcoffset")?.is_none() {
            return Err(InputError::new_err(
                "at must be a timezone-aware datetime (this one has no tzinfo)",
            ));
        }
        at.call_method0("isoformat")?.extract()?
    } else {
        return Err(InputError::new_err(
            "at must be a timezone-aware datetime or an RFC 3339 string",
        ));
    };
    text.parse()
        .map_err(|e| InputError::new_err(format!("at {text:?} is not an RFC 3339 time: {e}")))
}
