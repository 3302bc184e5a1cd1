//! `Report` and `Finding`: the results of a check, as Python objects.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::InputError;

/// One problem found in a message.
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct Finding {
    finding: sendlint::Finding,
}

/// Python's `repr` of a value, so reprs read as Python (`'x'`, `None`, `(1, 2)`).
pub(crate) fn py_repr<'py, T: IntoPyObject<'py>>(py: Python<'py>, value: T) -> PyResult<String> {
    use pyo3::IntoPyObjectExt;
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
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
        let json = serde_json::to_string(&self.finding.evidence)
            .map_err(|e| InputError::new_err(e.to_string()))?;
        json_loads(py, &json)
    }

    /// How to fix it.
    #[getter]
    fn advice(&self) -> &str {
        &self.finding.advice
    }

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let json =
            serde_json::to_string(&self.finding).map_err(|e| InputError::new_err(e.to_string()))?;
        let rebuild = py
            .import("sendlint._sendlint")?
            .getattr("_finding_from_json")?;
        Ok((rebuild.unbind(), (json,)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Finding(rule={}, span={}, matched={})",
            py_repr(py, self.finding.rule.as_str())?,
            py_repr(py, self.span())?,
            py_repr(py, self.finding.matched.as_deref())?
        ))
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

    /// `"given"` when the caller gave the kind, `"classified"` from the text.
    #[getter]
    fn kind_source(&self) -> &'static str {
        match self.report.kind_source {
            sendlint::KindSource::Given => "given",
            _ => "classified",
        }
    }

    /// The cues that made it an offer or an ad, as dicts with `cue`, `matched`
    /// and `span` (Python string indices).
    #[getter]
    fn cues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let cues = self.report.cues.iter().map(|cue| {
            let dict = PyDict::new(py);
            dict.set_item("cue", &cue.cue)?;
            dict.set_item("matched", &cue.matched)?;
            dict.set_item("span", (cue.span.char_start, cue.span.char_end))?;
            Ok(dict)
        });
        PyList::new(py, cues.collect::<PyResult<Vec<_>>>()?)
    }

    /// The rule ids of the findings, in text order.
    #[getter]
    fn rules(&self) -> Vec<&'static str> {
        self.report
            .findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect()
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

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String, String))> {
        let rebuild = py
            .import("sendlint._sendlint")?
            .getattr("_report_from_json")?;
        Ok((rebuild.unbind(), (self.report.to_json(), self.text.clone())))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Report(risk={}, verdict={}, kind={}, rules={})",
            self.report.risk,
            py_repr(py, self.report.verdict.as_str())?,
            py_repr(py, self.report.kind.as_str())?,
            py_repr(py, self.rules())?
        ))
    }

    /// The report in a notebook: the message with each finding's span marked,
    /// then a table of rule, severity, points and advice. Everything from the
    /// message or the policy is HTML-escaped.
    fn _repr_html_(&self) -> String {
        let mut html = format!(
            "<div class=\"sendlint-report\"><p><b>{}</b> &middot; risk {} &middot; {}</p>\n\
             <p style=\"white-space: pre-wrap\">",
            escape(self.report.verdict.as_str()),
            self.report.risk,
            escape(self.report.kind.as_str()),
        );
        let mut at = 0;
        for (start, end, rules) in marked(&self.report.findings) {
            html.push_str(&escape(&self.text[at..start]));
            html.push_str(&format!(
                "<mark title=\"{}\">{}</mark>",
                escape(&rules.join(", ")),
                escape(&self.text[start..end])
            ));
            at = end;
        }
        html.push_str(&escape(&self.text[at..]));
        html.push_str("</p>\n");
        if !self.report.findings.is_empty() {
            html.push_str(
                "<table><thead><tr><th>rule</th><th>severity</th><th>points</th>\
                 <th>advice</th></tr></thead><tbody>\n",
            );
            for finding in &self.report.findings {
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                    escape(finding.rule.as_str()),
                    escape(finding.severity.as_str()),
                    finding.points,
                    escape(&finding.advice)
                ));
            }
            html.push_str("</tbody></table>");
        }
        html.push_str("</div>");
        html
    }
}

/// The findings' byte spans, overlapping ones merged, in text order, with the
/// rules of each; spans that are not on character boundaries of the text are
/// left out rather than cut a character.
fn marked(findings: &[sendlint::Finding]) -> Vec<(usize, usize, Vec<&'static str>)> {
    let mut spans: Vec<_> = findings
        .iter()
        .filter_map(|f| f.span.map(|s| (s.start, s.end, f.rule.as_str())))
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize, Vec<&'static str>)> = Vec::new();
    for (start, end, rule) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => {
                last.1 = last.1.max(end);
                if !last.2.contains(&rule) {
                    last.2.push(rule);
                }
            }
            _ => merged.push((start, end, vec![rule])),
        }
    }
    merged
}

/// Text as HTML: `&`, `<`, `>`, `"` and `'` escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Rebuilds a pickled `Report` (see `Report.__reduce__`).
#[pyfunction]
pub(crate) fn _report_from_json(json: &str, text: String) -> PyResult<Report> {
    let report = serde_json::from_str(json)
        .map_err(|e| InputError::new_err(format!("not a pickled sendlint report: {e}")))?;
    Ok(Report::new(report, text))
}

/// Rebuilds a pickled `Finding` (see `Finding.__reduce__`).
#[pyfunction]
pub(crate) fn _finding_from_json(json: &str) -> PyResult<Finding> {
    let finding = serde_json::from_str(json)
        .map_err(|e| InputError::new_err(format!("not a pickled sendlint finding: {e}")))?;
    Ok(Finding { finding })
}
