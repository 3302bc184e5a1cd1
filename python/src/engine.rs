//! `Engine`: checks messages against a policy.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::audience::Audience;
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
    #[pyo3(signature = (text, *, account=None, group=None, recipients=None, at=None, kind=None, dead_links=None, history=None, topic=None, audience=None, target=None))]
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
        audience: Option<&Bound<'_, Audience>>,
        target: Option<String>,
    ) -> PyResult<Report> {
        let message = OwnedMessage {
            dead_links: dead_links.unwrap_or_default(),
            history: history.map(|h| h.get().0.clone()),
            topic: topic.map(|t| t.get().0.clone()),
            ..OwnedMessage::new(text, account, group, recipients, at, kind)?
        };
        // The audience stays read-locked for the check (changes wait for it).
        let guard = audience.map(|a| a.get().read());
        let mut core_message = message.message();
        if let Some(audience) = &guard {
            core_message = core_message.audience(audience);
        }
        if let Some(target) = &target {
            core_message = core_message.target(target);
        }
        let report = py
            .detach(|| self.engine.check(&core_message))
            .map_err(to_py)?;
        drop(guard);
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
