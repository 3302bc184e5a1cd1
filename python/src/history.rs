//! `History`: what accounts already sent, the memory behind the context rules.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::engine::{default_engine, Engine};
use crate::errors::to_py;
use crate::message::{timestamp, OwnedMessage};

/// A recipient key, as `bytes` or `str` (its UTF-8 bytes).
#[derive(FromPyObject)]
pub(crate) enum Key {
    Bytes(Vec<u8>),
    Text(String),
}

impl Key {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Key::Bytes(bytes) => bytes,
            Key::Text(text) => text.as_bytes(),
        }
    }
}

/// What accounts already sent: the memory behind the context rules.
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct History(pub(crate) Arc<sendlint::History>);

#[pymethods]
impl History {
    /// `History()` is empty; `History(json)` reads a saved history's JSON.
    /// `key` keys the recipient ids (else `SENDLINT_HISTORY_KEY`, else a random
    /// key for this process); it is never saved with the history.
    #[new]
    #[pyo3(signature = (json=None, *, key=None))]
    fn new(json: Option<&str>, key: Option<Key>) -> PyResult<History> {
        let history = match (json, key) {
            (None, None) => Ok(sendlint::History::new()),
            (None, Some(key)) => sendlint::History::with_key(key.bytes()),
            (Some(json), None) => sendlint::History::from_json(json),
            (Some(json), Some(key)) => sendlint::History::from_json_with_key(json, key.bytes()),
        };
        Ok(History(Arc::new(history.map_err(to_py)?)))
    }

    /// Reads a history file written by `save`, with the key it was saved with.
    #[staticmethod]
    #[pyo3(signature = (path, *, key=None))]
    fn load(py: Python<'_>, path: PathBuf, key: Option<Key>) -> PyResult<History> {
        py.detach(|| match key {
            None => sendlint::History::load(path),
            Some(key) => sendlint::History::load_with_key(path, key.bytes()),
        })
        .map(|h| History(Arc::new(h)))
        .map_err(to_py)
    }

    /// Fingerprint of the recipient key (never the key), or `None` for a random
    /// per-process key.
    #[getter]
    fn key_fingerprint(&self) -> Option<String> {
        self.0.key_fingerprint().map(str::to_owned)
    }

    /// Writes the history atomically (write, then rename).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.0.save(path)).map_err(to_py)
    }

    /// Records a send once it really went out.
    #[pyo3(signature = (text, *, account=None, group=None, recipients=None, at=None, kind=None, engine=None))]
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        py: Python<'_>,
        text: String,
        account: Option<String>,
        group: Option<String>,
        recipients: Option<Vec<String>>,
        at: Option<&Bound<'_, PyAny>>,
        kind: Option<&str>,
        engine: Option<&Bound<'_, Engine>>,
    ) -> PyResult<()> {
        let message = OwnedMessage::new(text, account, group, recipients, at, kind)?;
        let engine = engine.map_or_else(|| default_engine().clone(), |e| e.get().engine.clone());
        py.detach(|| engine.record(&self.0, &message.message()))
            .map_err(to_py)
    }

    /// Records one user report against the text's content (`reported_content`).
    #[pyo3(signature = (text, *, at=None, engine=None))]
    fn report(
        &self,
        text: String,
        at: Option<&Bound<'_, PyAny>>,
        engine: Option<&Bound<'_, Engine>>,
    ) -> PyResult<()> {
        let mut message = sendlint::Message::new(&text);
        if let Some(at) = at.map(timestamp).transpose()? {
            message = message.at(at);
        }
        let engine = engine.map_or_else(|| default_engine().clone(), |e| e.get().engine.clone());
        engine.record_report(&self.0, &message).map_err(to_py)
    }

    /// The history as JSON.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let class = py.get_type::<History>().into_any().unbind();
        Ok((class, (self.0.to_json(),)))
    }

    fn __repr__(&self) -> String {
        format!(
            "History(sends={}, reports={})",
            self.0.len(),
            self.0.reports()
        )
    }
}
