//! `Engine`: checks messages against a policy.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use pyo3::types::PyList;

use crate::audience::Audience;
use crate::batch::{batch_error, skips, thread_count, Arguments, Batch, Shared};
use crate::errors::{to_py, InputError};
use crate::frame::Columns;
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

    /// Checks many messages in one call, in Rust with the GIL released, on
    /// `threads` cores (all by default); returns reports in input order.
    ///
    /// `texts` is a list, tuple, pandas/polars Series or any Arrow string array
    /// (read in place through the Arrow PyCapsule interface). The per-message
    /// keywords take one value for all or a sequence of the same length. With a
    /// `history` the batch is replayed in order (check, then record), as the
    /// command line does; messages that share no account and no group replay
    /// in parallel, which gives the same reports. A bad row (a non-`str` text, a text over the limit, a
    /// bad kind or time) is an `InputError` naming its index; `errors="skip"`
    /// returns `None` for it instead. With an `audience` every row runs the
    /// audience rules (`targets`: one label expression for all or one per
    /// text); the audience is read-locked for the batch.
    #[pyo3(signature = (texts, *, accounts=None, groups=None, at=None, kinds=None, recipients=None, dead_links=None, history=None, topic=None, audience=None, targets=None, threads=None, errors="raise"))]
    #[allow(clippy::too_many_arguments)]
    fn check_many<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        accounts: Option<&Bound<'py, PyAny>>,
        groups: Option<&Bound<'py, PyAny>>,
        at: Option<&Bound<'py, PyAny>>,
        kinds: Option<&Bound<'py, PyAny>>,
        recipients: Option<&Bound<'py, PyAny>>,
        dead_links: Option<&Bound<'py, PyAny>>,
        history: Option<&Bound<'py, History>>,
        topic: Option<&Bound<'py, Topic>>,
        audience: Option<&Bound<'py, Audience>>,
        targets: Option<&Bound<'py, PyAny>>,
        threads: Option<usize>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyList>> {
        let skip = skips(errors)?;
        let threads = thread_count(threads)?;
        let batch = Batch::convert(&Arguments {
            texts,
            accounts,
            groups,
            at,
            kinds,
            recipients,
            dead_links,
            targets,
        })?;
        let history = history.map(|h| h.get().0.clone());
        let topic = topic.map(|t| t.get().0.clone());
        // The audience stays read-locked for the batch (changes wait for it).
        let guard = audience.map(|a| a.get().read());
        let shared = Shared {
            history: history.as_ref(),
            topic: topic.as_ref(),
            audience: guard.as_deref(),
        };
        let results = py
            .detach(|| batch.run(&self.engine, &shared, threads))
            .map_err(InputError::new_err)?;
        drop(guard);
        let mut bad = Vec::new();
        let reports = results
            .into_iter()
            .zip(batch.into_texts())
            .enumerate()
            .map(|(index, (result, text))| match result {
                Ok(report) => Some(Report::new(report, text)),
                Err(what) => {
                    bad.push((index, what));
                    None
                }
            })
            .collect::<Vec<_>>();
        let reports = PyList::new(py, reports)?;
        if bad.is_empty() || skip {
            return Ok(reports);
        }
        Err(batch_error(py, &bad, Some(reports)))
    }

    /// Checks the text column of a pandas or polars frame and returns a frame
    /// of the same library, aligned with it (the same index for pandas), with
    /// the columns `risk`, `verdict`, `kind`, `rules` (rule ids) and
    /// `n_findings`, built from columns (no Python object per finding).
    /// `account`, `group`, `at` and `kind` name optional columns.
    #[pyo3(signature = (df, text="text", account=None, group=None, at=None, kind=None, *, history=None, topic=None, threads=None, errors="raise"))]
    #[allow(clippy::too_many_arguments)]
    fn check_frame<'py>(
        &self,
        py: Python<'py>,
        df: &Bound<'py, PyAny>,
        text: &str,
        account: Option<&str>,
        group: Option<&str>,
        at: Option<&str>,
        kind: Option<&str>,
        history: Option<&Bound<'py, History>>,
        topic: Option<&Bound<'py, Topic>>,
        threads: Option<usize>,
        errors: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let skip = skips(errors)?;
        let threads = thread_count(threads)?;
        let column = |name: Option<&str>| -> PyResult<Option<Bound<'py, PyAny>>> {
            name.map(|name| {
                df.get_item(name)
                    .map_err(|_| InputError::new_err(format!("the frame has no column {name:?}")))
            })
            .transpose()
        };
        let texts = column(Some(text))?.expect("a name was given");
        let (accounts, groups, times, kinds) =
            (column(account)?, column(group)?, column(at)?, column(kind)?);
        let batch = Batch::convert(&Arguments {
            texts: &texts,
            accounts: accounts.as_ref(),
            groups: groups.as_ref(),
            at: times.as_ref(),
            kinds: kinds.as_ref(),
            recipients: None,
            dead_links: None,
            targets: None,
        })?;
        let history = history.map(|h| h.get().0.clone());
        let topic = topic.map(|t| t.get().0.clone());
        let shared = Shared {
            history: history.as_ref(),
            topic: topic.as_ref(),
            audience: None,
        };
        let results = py
            .detach(|| batch.run(&self.engine, &shared, threads))
            .map_err(InputError::new_err)?;
        if !skip {
            let bad: Vec<(usize, String)> = results
                .iter()
                .enumerate()
                .filter_map(|(index, r)| r.as_ref().err().map(|what| (index, what.clone())))
                .collect();
            if !bad.is_empty() {
                return Err(batch_error(py, &bad, None));
            }
        }
        let columns = Columns::new(py, &results)?;
        let frames = py.import("sendlint._frames")?;
        let library: String = frames.call_method1("library_of", (df,))?.extract()?;
        let columns = if library == "polars" {
            columns.into_arrow(py)?
        } else {
            columns.into_dict(py)?.into_any()
        };
        frames.call_method1("assemble", (df, columns))
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
