//! `Report` and `Finding`: the results of a check, as Python objects.

use pyo3::prelude::*;
use pyo3::types::PyList;

/// One problem found in a message.
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct Finding {
    finding: sendlint::Finding,
}

/// A JSON document as Python values (dicts, lists, ...).
pub(crate) fn json_loads(py: Python<'_>, json: &str) -> PyResult<Py<PyAny>> {
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
pub(crate) struct Report {
    report: sendlint::Report,
    text: String,
}

impl Report {
    /// Wraps a core report with the text it was made for.
    pub(crate) fn new(report: sendlint::Report, text: String) -> Report {
        Report { report, text }
    }
}

#[pymethods]
impl Report {
    /// With an audience: how many recipients remain once those without
    /// consent, opted out or unknown are left out; `None` without one.
    #[getter]
    fn recipients_remaining(&self) -> Option<usize> {
        self.report.recipients_remaining
    }

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
