//! Python bindings for sendlint. Thin on purpose: convert Python values to core
//! types, release the GIL, call core, convert the result back. No rule logic here.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    _sendlint,
    SendlintError,
    PyValueError,
    "Base class of every sendlint error."
);
create_exception!(
    _sendlint,
    PolicyError,
    SendlintError,
    "A policy could not be read, parsed or validated."
);
create_exception!(
    _sendlint,
    HistoryError,
    SendlintError,
    "A history file is corrupt, foreign or of an unsupported version."
);
create_exception!(
    _sendlint,
    InputError,
    SendlintError,
    "A message cannot be checked (text too large, bad kind, naive datetime, ...)."
);

/// Maps core errors to Python exceptions in one place.
fn to_py(err: sendlint::Error) -> PyErr {
    match err {
        sendlint::Error::Policy(policy) => {
            let py_err = PolicyError::new_err(policy.to_string());
            Python::attach(|py| {
                let value = py_err.value(py);
                // Structured location for tools; failures here only lose the extras.
                let _ = value.setattr("line", policy.line);
                let _ = value.setattr("column", policy.column);
                let _ = value.setattr("key", policy.key.clone());
                let _ = value.setattr("path", policy.origin.clone());
            });
            py_err
        }
        sendlint::Error::History { .. } => HistoryError::new_err(err.to_string()),
        sendlint::Error::Io { .. } => PolicyError::new_err(err.to_string()),
        sendlint::Error::Input(_) => InputError::new_err(err.to_string()),
        other => SendlintError::new_err(other.to_string()),
    }
}

/// A policy: which rules run, their weights and thresholds.
#[pyclass(frozen, module = "sendlint._sendlint")]
#[derive(Clone)]
struct Policy(Arc<sendlint::Policy>);

#[pymethods]
impl Policy {
    /// `Policy()` is the built-in policy; `Policy(json)` reads a policy from JSON.
    #[new]
    #[pyo3(signature = (json=None))]
    fn new(json: Option<&str>) -> PyResult<Policy> {
        match json {
            None => Ok(Policy(Arc::new(sendlint::Policy::default()))),
            Some(json) => sendlint::Policy::from_json(json)
                .map(|p| Policy(Arc::new(p)))
                .map_err(to_py),
        }
    }

    /// The built-in policy with `missing_opt_out` switched on.
    #[staticmethod]
    fn strict() -> Policy {
        Policy(Arc::new(sendlint::Policy::strict()))
    }

    /// Reads a TOML policy from a string.
    #[staticmethod]
    fn from_toml(text: &str) -> PyResult<Policy> {
        sendlint::Policy::from_toml(text)
            .map(|p| Policy(Arc::new(p)))
            .map_err(to_py)
    }

    /// Reads a policy file (`.json` is JSON, anything else TOML).
    #[staticmethod]
    fn from_path(path: PathBuf) -> PyResult<Policy> {
        sendlint::Policy::from_path(path)
            .map(|p| Policy(Arc::new(p)))
            .map_err(to_py)
    }

    /// The policy as JSON.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let class = py.get_type::<Policy>().into_any().unbind();
        Ok((class, (self.0.to_json(),)))
    }

    fn __eq__(&self, other: &Policy) -> bool {
        self.0 == other.0
    }

    fn __repr__(&self) -> String {
        format!("Policy(schema_version={})", self.0.schema_version)
    }
}

/// Checks messages against a policy. Build once, share freely (thread-safe).
#[pyclass(frozen, module = "sendlint._sendlint")]
struct Engine {
    engine: sendlint::Engine,
    policy: Policy,
}

/// A message converted from Python arguments, owning its strings.
struct OwnedMessage {
    text: String,
    account: Option<String>,
    group: Option<String>,
    recipients: Vec<String>,
    at: Option<jiff::Timestamp>,
    kind: Option<sendlint::Kind>,
    dead_links: Vec<String>,
    history: Option<Arc<sendlint::History>>,
    topic: Option<Arc<sendlint::Topic>>,
}

impl OwnedMessage {
    /// Converts the Python arguments every message has; the rest start empty.
    fn new(
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

    fn message(&self) -> sendlint::Message<'_> {
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
fn timestamp(at: &Bound<'_, PyAny>) -> PyResult<jiff::Timestamp> {
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

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (Policy,))> {
        let class = py.get_type::<Engine>().into_any().unbind();
        Ok((class, (self.policy.clone(),)))
    }

    fn __repr__(&self) -> String {
        "Engine(policy=...)".to_owned()
    }
}

/// The engine used by `History.record` when none is given.
fn default_engine() -> &'static sendlint::Engine {
    static ENGINE: std::sync::OnceLock<sendlint::Engine> = std::sync::OnceLock::new();
    ENGINE.get_or_init(sendlint::Engine::default)
}

/// What accounts already sent: the memory behind the context rules.
#[pyclass(frozen, module = "sendlint._sendlint")]
struct History(Arc<sendlint::History>);

#[pymethods]
impl History {
    /// `History()` is empty; `History(json)` reads a saved history's JSON.
    #[new]
    #[pyo3(signature = (json=None))]
    fn new(json: Option<&str>) -> PyResult<History> {
        match json {
            None => Ok(History(Arc::new(sendlint::History::new()))),
            Some(json) => sendlint::History::from_json(json)
                .map(|h| History(Arc::new(h)))
                .map_err(HistoryError::new_err),
        }
    }

    /// Reads a history file written by `save`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<History> {
        py.detach(|| sendlint::History::load(path))
            .map(|h| History(Arc::new(h)))
            .map_err(to_py)
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

/// What a group talks about, for `off_topic`.
#[pyclass(frozen, module = "sendlint._sendlint")]
struct Topic(Arc<sendlint::Topic>);

#[pymethods]
impl Topic {
    /// The topic of a group, from its recent messages.
    #[staticmethod]
    fn from_texts(texts: Vec<String>) -> Topic {
        Topic(Arc::new(sendlint::Topic::from_texts(texts)))
    }

    /// The topic given by a few keywords.
    #[staticmethod]
    fn from_keywords(keywords: Vec<String>) -> Topic {
        Topic(Arc::new(sendlint::Topic::from_keywords(keywords)))
    }

    /// Share of the text's content words that the topic uses, in [0, 1].
    fn relevance(&self, text: &str) -> f64 {
        self.0.relevance(text)
    }

    /// The topic's most frequent content words.
    #[pyo3(signature = (n=10))]
    fn keywords(&self, n: usize) -> Vec<String> {
        self.0.keywords(n)
    }

    fn __repr__(&self) -> String {
        format!("Topic(keywords={:?})", self.0.keywords(5))
    }
}

/// One problem found in a message.
#[pyclass(frozen, module = "sendlint._sendlint")]
struct Finding {
    finding: sendlint::Finding,
}

fn json_loads(py: Python<'_>, json: &str) -> PyResult<Py<PyAny>> {
    Ok(py.import("json")?.call_method1("loads", (json,))?.unbind())
}

#[pymethods]
impl Finding {
    /// The rule id, e.g. `"bait_word"`.
    #[getter]
    fn rule(&self) -> &'static str {
        self.finding.rule.as_str()
    }

    /// `"low"`, `"medium"` or `"high"`.
    #[getter]
    fn severity(&self) -> &'static str {
        self.finding.severity.as_str()
    }

    /// Risk points of this finding.
    #[getter]
    fn points(&self) -> u8 {
        self.finding.points
    }

    /// `(start, end)` Python string indices, so `text[start:end]` is the match.
    #[getter]
    fn span(&self) -> Option<(usize, usize)> {
        self.finding.span.map(|s| (s.char_start, s.char_end))
    }

    /// `(start, end)` UTF-8 byte offsets of the same range.
    #[getter]
    fn byte_span(&self) -> Option<(usize, usize)> {
        self.finding.span.map(|s| (s.start, s.end))
    }

    /// The original text at `span`.
    #[getter]
    fn matched(&self) -> Option<&str> {
        self.finding.matched.as_deref()
    }

    /// What is wrong, in one sentence.
    #[getter]
    fn message(&self) -> &str {
        &self.finding.message
    }

    /// The facts behind the finding, as a dict.
    #[getter]
    fn evidence(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let json = serde_json::Value::Object(self.finding.evidence.clone()).to_string();
        json_loads(py, &json)
    }

    /// How to fix it.
    #[getter]
    fn advice(&self) -> &str {
        &self.finding.advice
    }

    fn __repr__(&self) -> String {
        format!(
            "Finding(rule={:?}, span={:?}, matched={:?})",
            self.finding.rule.as_str(),
            self.span(),
            self.finding.matched
        )
    }
}

/// The result of checking one message.
#[pyclass(frozen, module = "sendlint._sendlint")]
struct Report {
    report: sendlint::Report,
    text: String,
}

impl Report {
    fn new(report: sendlint::Report, text: String) -> Report {
        Report { report, text }
    }
}

#[pymethods]
impl Report {
    /// Combined risk, 0–100.
    #[getter]
    fn risk(&self) -> u8 {
        self.report.risk
    }

    /// `"allow"`, `"review"` or `"block"`.
    #[getter]
    fn verdict(&self) -> &'static str {
        self.report.verdict.as_str()
    }

    /// `"useful"`, `"offer"` or `"ad"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.report.kind.as_str()
    }

    /// The text that was checked.
    #[getter]
    fn text(&self) -> &str {
        &self.text
    }

    /// The findings, in text order.
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let findings = self
            .report
            .findings
            .iter()
            .map(|f| Finding { finding: f.clone() });
        PyList::new(py, findings)
    }

    /// The report as a dict (the JSON shape; spans carry byte and char offsets).
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        json_loads(py, &self.report.to_json())
    }

    /// The report as one line of JSON.
    fn to_json(&self) -> String {
        self.report.to_json()
    }

    fn __repr__(&self) -> String {
        let rules: Vec<&str> = self
            .report
            .findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect();
        format!(
            "Report(risk={}, verdict={:?}, kind={:?}, findings={:?})",
            self.report.risk,
            self.report.verdict.as_str(),
            self.report.kind.as_str(),
            rules
        )
    }
}

/// The compiled core of the `sendlint` package.
#[pymodule(gil_used = false)]
fn _sendlint(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", sendlint::VERSION)?;
    m.add("SendlintError", m.py().get_type::<SendlintError>())?;
    m.add("PolicyError", m.py().get_type::<PolicyError>())?;
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add("HistoryError", m.py().get_type::<HistoryError>())?;
    m.add_class::<History>()?;
    m.add_class::<Topic>()?;
    m.add_class::<Policy>()?;
    m.add_class::<Engine>()?;
    m.add_class::<Report>()?;
    m.add_class::<Finding>()?;
    Ok(())
}
