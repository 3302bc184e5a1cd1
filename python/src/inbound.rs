//! `Triage` and `ReplyHealth`: inbound messages (customer to business), as
//! Python objects. Conversion only; the decisions are core's `Engine::triage`
//! and `Engine::reply_health`.

use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyList, PyTuple};

use crate::errors::{to_py, InputError};
use crate::message::timestamp;

/// An aware UTC `datetime` for a core timestamp (microsecond precision, exact).
fn datetime(py: Python<'_>, at: jiff::Timestamp) -> PyResult<Py<PyAny>> {
    let module = py.import("datetime")?;
    let utc = module.getattr("timezone")?.getattr("utc")?;
    let epoch = module
        .getattr("datetime")?
        .call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
    let delta = module.getattr("timedelta")?.call(
        (),
        Some(&[("microseconds", at.as_microsecond())].into_py_dict(py)?),
    )?;
    Ok(epoch.call_method1("__add__", (delta,))?.unbind())
}

fn optional_datetime(py: Python<'_>, at: Option<jiff::Timestamp>) -> PyResult<Py<PyAny>> {
    match at {
        Some(at) => datetime(py, at),
        None => Ok(py.None()),
    }
}

/// A JSON document as Python values.
fn json_loads(py: Python<'_>, json: &str) -> PyResult<Py<PyAny>> {
    Ok(py.import("json")?.call_method1("loads", (json,))?.unbind())
}

/// The triage of one inbound message (15-5-1) and its opt-out, if any.
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct Triage(pub(crate) sendlint::Triage);

#[pymethods]
impl Triage {
    /// `"complaint"`, `"urgent"`, `"question"` or `"other"`.
    #[getter]
    fn priority(&self) -> &'static str {
        self.0.priority.as_str()
    }

    /// Minutes to reply within (1, 5 or 15 by default); `None` for `"other"`.
    #[getter]
    fn reply_within_minutes(&self) -> Option<u32> {
        self.0.reply_within_minutes
    }

    /// When the reply is due (aware UTC datetime), or `None`.
    #[getter]
    fn reply_due(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        optional_datetime(py, self.0.reply_due)
    }

    /// When the message was received (aware UTC datetime).
    #[getter]
    fn received(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.0.received)
    }

    /// Whether the customer asks to stop receiving messages.
    #[getter]
    fn opt_out(&self) -> bool {
        self.0.is_opt_out()
    }

    /// The opt-out as a dict (`at`, `phrase`, `lang`, `matched`, `span`,
    /// `byte_span`, `whole_message`), or `None`.
    #[getter]
    fn opt_out_match(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let Some(opt_out) = &self.0.opt_out else {
            return Ok(py.None());
        };
        let dict = PyDict::new(py);
        dict.set_item("at", datetime(py, opt_out.at)?)?;
        dict.set_item("phrase", &opt_out.phrase)?;
        dict.set_item("lang", &opt_out.lang)?;
        dict.set_item("matched", &opt_out.matched)?;
        dict.set_item("span", (opt_out.span.char_start, opt_out.span.char_end))?;
        dict.set_item("byte_span", (opt_out.span.start, opt_out.span.end))?;
        dict.set_item("whole_message", opt_out.whole_message)?;
        Ok(dict.into_any().unbind())
    }

    /// Every cue, in text order: dicts with `cue` (`"opt_out"`, `"complaint"`,
    /// `"urgent"`, `"question"`), `phrase`, `lang`, `matched`, `span` (Python
    /// string indices) and `byte_span`.
    #[getter]
    fn cues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for cue in &self.0.cues {
            let dict = PyDict::new(py);
            dict.set_item("cue", cue.cue.as_str())?;
            dict.set_item("phrase", &cue.phrase)?;
            dict.set_item("lang", &cue.lang)?;
            dict.set_item("matched", &cue.matched)?;
            dict.set_item("span", (cue.span.char_start, cue.span.char_end))?;
            dict.set_item("byte_span", (cue.span.start, cue.span.end))?;
            list.append(dict)?;
        }
        Ok(list)
    }

    /// Who wrote it, as given to `triage`.
    #[getter]
    fn sender(&self) -> Option<&str> {
        self.0.sender.as_deref()
    }

    /// The receiving account, as given to `triage`.
    #[getter]
    fn account(&self) -> Option<&str> {
        self.0.account.as_deref()
    }

    /// `(received, replied, reply_due)` for `Engine.reply_health`.
    #[pyo3(signature = (replied=None))]
    fn exchange<'py>(
        &self,
        py: Python<'py>,
        replied: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let replied = match replied {
            Some(at) if !at.is_none() => Some(timestamp(at)?),
            _ => None,
        };
        let exchange = self.0.exchange(replied);
        PyTuple::new(
            py,
            [
                datetime(py, exchange.received)?,
                optional_datetime(py, exchange.replied)?,
                optional_datetime(py, exchange.reply_due)?,
            ],
        )
    }

    /// The triage as a dict (times as RFC 3339 strings; spans with byte and
    /// char offsets).
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        json_loads(py, &self.0.to_json())
    }

    /// The triage as one line of JSON.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __repr__(&self) -> String {
        format!(
            "Triage(priority={:?}, reply_within_minutes={:?}, opt_out={})",
            self.0.priority.as_str(),
            self.0.reply_within_minutes,
            if self.0.is_opt_out() { "True" } else { "False" }
        )
    }
}

/// An account's reply-time health (seed 000: mean response over 6 h lowers
/// priority 30 %, over 24 h makes ads low priority).
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct ReplyHealth(sendlint::ReplyHealth);

#[pymethods]
impl ReplyHealth {
    /// `"healthy"`, `"priority_lowered"` or `"ads_low_priority"`.
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state.as_str()
    }

    /// Mean response time in seconds, or `None` when nothing was measured.
    #[getter]
    fn mean_response_seconds(&self) -> Option<f64> {
        self.0.mean_response_seconds
    }

    /// 1.0 when healthy, 0.7 when priority is lowered by 30 % or worse.
    #[getter]
    fn priority_factor(&self) -> f64 {
        self.0.priority_factor
    }

    /// Share of measured messages with a due time answered by it, or `None`.
    #[getter]
    fn on_time_share(&self) -> Option<f64> {
        self.0.on_time_share
    }

    /// Messages counted in the mean.
    #[getter]
    fn measured(&self) -> usize {
        self.0.measured
    }

    /// Of those, answered.
    #[getter]
    fn answered(&self) -> usize {
        self.0.answered
    }

    /// Unanswered past their due time (counted with their wait so far).
    #[getter]
    fn overdue(&self) -> usize {
        self.0.overdue
    }

    /// Unanswered and not yet due, or needing no reply (not counted).
    #[getter]
    fn pending(&self) -> usize {
        self.0.pending
    }

    /// The time the health is computed for.
    #[getter]
    fn now(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.0.now)
    }

    /// Messages received after this time count.
    #[getter]
    fn window_start(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        datetime(py, self.0.window_start)
    }

    /// The health as a dict (times as RFC 3339 strings).
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        json_loads(py, &self.0.to_json())
    }

    fn __repr__(&self) -> String {
        format!(
            "ReplyHealth(state={:?}, mean_response_seconds={:?}, on_time_share={:?})",
            self.0.state.as_str(),
            self.0.mean_response_seconds,
            self.0.on_time_share
        )
    }
}

/// Triage with `engine`: converts the arguments, releases the GIL, calls core.
pub(crate) fn triage(
    py: Python<'_>,
    engine: &sendlint::Engine,
    text: String,
    at: Option<&Bound<'_, PyAny>>,
    sender: Option<String>,
    account: Option<String>,
) -> PyResult<Triage> {
    let at = at.map(timestamp).transpose()?;
    let triage = py.detach(|| {
        let mut message = sendlint::Inbound::new(&text);
        if let Some(at) = at {
            message = message.at(at);
        }
        if let Some(sender) = &sender {
            message = message.sender(sender);
        }
        if let Some(account) = &account {
            message = message.account(account);
        }
        engine.triage(&message)
    });
    Ok(Triage(triage.map_err(to_py)?))
}

/// Reply health with `engine` from `(received, replied[, reply_due])` items.
pub(crate) fn reply_health(
    engine: &sendlint::Engine,
    exchanges: &Bound<'_, PyAny>,
    now: Option<&Bound<'_, PyAny>>,
) -> PyResult<ReplyHealth> {
    let mut converted = Vec::new();
    for (index, item) in exchanges.try_iter()?.enumerate() {
        let item = item?;
        let parts: Vec<Bound<'_, PyAny>> = item
            .try_iter()
            .and_then(|parts| parts.collect::<PyResult<_>>())
            .map_err(|_| {
                InputError::new_err(format!(
                    "exchange {index}: expected a (received, replied[, reply_due]) tuple"
                ))
            })?;
        if !(2..=3).contains(&parts.len()) {
            return Err(InputError::new_err(format!(
                "exchange {index}: expected 2 or 3 items (received, replied[, reply_due]), got {}",
                parts.len()
            )));
        }
        let time = |part: &Bound<'_, PyAny>, what: &str| -> PyResult<Option<jiff::Timestamp>> {
            if part.is_none() {
                return Ok(None);
            }
            timestamp(part)
                .map(Some)
                .map_err(|err| InputError::new_err(format!("exchange {index}: {what}: {err}")))
        };
        let received = time(&parts[0], "received")?.ok_or_else(|| {
            InputError::new_err(format!("exchange {index}: received must not be None"))
        })?;
        let mut exchange = sendlint::Exchange::new(received, time(&parts[1], "replied")?);
        if let Some(due) = parts
            .get(2)
            .map(|p| time(p, "reply_due"))
            .transpose()?
            .flatten()
        {
            exchange = exchange.due(due);
        }
        converted.push(exchange);
    }
    let now = now.filter(|n| !n.is_none()).map(timestamp).transpose()?;
    let health = engine.reply_health(&converted, now).map_err(to_py)?;
    Ok(ReplyHealth(health))
}

/// `classify_inbound(text, *, at=None, sender=None, account=None)`: triage
/// with the built-in policy.
#[pyfunction]
#[pyo3(signature = (text, *, at=None, sender=None, account=None))]
pub(crate) fn classify_inbound(
    py: Python<'_>,
    text: String,
    at: Option<&Bound<'_, PyAny>>,
    sender: Option<String>,
    account: Option<String>,
) -> PyResult<Triage> {
    triage(
        py,
        crate::engine::default_engine(),
        text,
        at,
        sender,
        account,
    )
}
