//! `Engine`: checks messages against a policy.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::{to_py, InputError};
use crate::history::History;
use crate::message::OwnedMessage;
use crate::policy::Policy;
use crate::report::Report;
use crate::topic::Topic;

/// Checks messages against a policy. Build once, share freely (thread-safe).
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct Engine {
    pub(crate) engine: sendlint::Engine,
    policy: Policy,
}

#[pymethods]
impl Engine {
    /// `Engine()` uses the built-in policy; `policy` may be a `Policy` or a path.
    #[new]
    #[pyo3(signature = (policy=None))]
    fn new(policy: Option<&Bound<'_, PyAny>>) -> PyResult<Engine> {
        let policy = match policy {
            None => Policy(Arc::new(sendlint::Policy::default())),
            Some(obj) => match obj.cast::<Policy>() {
                Ok(policy) => policy.get().clone(),
                Err(_) => {
                    let path: PathBuf = obj.extract().map_err(|_| {
                        InputError::new_err("policy must be a sendlint.Policy or a file path")
                    })?;
                    Policy::from_path(path)?
                }
            },
        };
        let engine = sendlint::Engine::new((*policy.0).clone()).map_err(to_py)?;
        Ok(Engine { engine, policy })
    }

    /// The policy of this engine.
    #[getter]
    fn policy(&self) -> Policy {
        self.policy.clone()
    }

    /// Checks one message and returns its report.
    #[pyo3(signature = (text, *, account=None, group=None, recipients=None, at=None, kind=None, dead_links=None, history=None, topic=None))]
    #[allow(clippy::too_many_arguments)]
    fn check(
        &self,
        py: Python<'_>,
        text: String,
        account: Option<String>,
        group: Option<String>,
        recipients: Option<Vec<String>>,
        at: Option<&Bound<'_, PyAny>>,
        kind: Option<&str>,
        dead_links: Option<Vec<String>>,
        history: Option<&Bound<'_, History>>,
        topic: Option<&Bound<'_, Topic>>,
    ) -> PyResult<Report> {
        let message = OwnedMessage {
            dead_links: dead_links.unwrap_or_default(),
            history: history.map(|h| h.get().0.clone()),
            topic: topic.map(|t| t.get().0.clone()),
            ..OwnedMessage::new(text, account, group, recipients, at, kind)?
        };
        let report = py
            .detach(|| self.engine.check(&message.message()))
            .map_err(to_py)?;
        Ok(Report::new(report, message.text))
    }

    /// Checks many texts (no context) with the GIL released; returns reports in order.
    fn check_many(&self, py: Python<'_>, texts: Vec<String>) -> PyResult<Vec<Report>> {
        let reports = py.detach(|| {
            texts
                .iter()
                .map(|text| self.engine.check(&sendlint::Message::new(text)))
                .collect::<Result<Vec<_>, _>>()
        });
        let reports = reports.map_err(to_py)?;
        Ok(reports
            .into_iter()
            .zip(texts)
            .map(|(report, text)| Report::new(report, text))
            .collect())
    }

    /// Triages an inbound message (customer to business) by the 15-5-1 rule and
    /// finds an opt-out; `sender` (phone number or contact id) is carried into
    /// the result so the opt-out can be applied to that contact.
    #[pyo3(signature = (text, *, at=None, sender=None, account=None))]
    fn triage(
        &self,
        py: Python<'_>,
        text: String,
        at: Option<&Bound<'_, PyAny>>,
        sender: Option<String>,
        account: Option<String>,
    ) -> PyResult<crate::inbound::Triage> {
        crate::inbound::triage(py, &self.engine, text, at, sender, account)
    }

    /// Reply-time health of one account from `(received, replied[, reply_due])`
    /// tuples (`Triage.exchange(replied)` makes one), as of `now`.
    #[pyo3(signature = (exchanges, *, now=None))]
    fn reply_health(
        &self,
        exchanges: &Bound<'_, PyAny>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<crate::inbound::ReplyHealth> {
        crate::inbound::reply_health(&self.engine, exchanges, now)
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (Policy,))> {
        let class = py.get_type::<Engine>().into_any().unbind();
        Ok((class, (self.policy.clone(),)))
    }

    fn __repr__(&self) -> String {
        "Engine(policy=...)".to_owned()
    }
}

/// The engine used by `History.record` when none is given.
pub(crate) fn default_engine() -> &'static sendlint::Engine {
    static ENGINE: std::sync::OnceLock<sendlint::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(sendlint::Engine::default)
}
