//! `Audience`, `ImportReport` and `pseudonymize`: contacts, consent, labels and
//! imports. Thin: arguments become core values, core decides everything.

use std::path::PathBuf;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use pyo3::prelude::*;
use sendlint::audience as core;

use crate::errors::{to_py, InputError};
use crate::history::Key;
use crate::message::timestamp;
use crate::report::json_loads;

/// Contacts keyed by E.164 number, their labels, consent records and opt-outs.
/// Thread-safe: reads share a lock, changes take it alone.
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct Audience(pub(crate) RwLock<core::Audience>);

/// What an import did, row by row.
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct ImportReport(pub(crate) core::ImportReport);

fn audience_error(err: core::AudienceError) -> PyErr {
    to_py(sendlint::Error::Audience(err))
}

/// `at` as a timestamp, now when `None`.
fn time_or_now(at: Option<&Bound<'_, PyAny>>) -> PyResult<jiff::Timestamp> {
    at.map(timestamp)
        .transpose()
        .map(|t| t.unwrap_or_else(jiff::Timestamp::now))
}

fn to_python<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<Py<PyAny>> {
    let json = serde_json::to_string(value)
        .map_err(|err| InputError::new_err(format!("cannot convert: {err}")))?;
    json_loads(py, &json)
}

impl Audience {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, core::Audience> {
        // Core changes are built fully before they are applied, so a panic
        // cannot leave a half-changed audience behind a poisoned lock.
        self.0.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, core::Audience> {
        self.0.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl Audience {
    /// `Audience(labels=[...], default_region=None)`: an empty audience with
    /// these labels; `default_region` (ISO code, "DE") reads national numbers.
    /// `policy` (a `Policy`) supplies the import, lifecycle and health settings.
    #[new]
    #[pyo3(signature = (labels=None, *, default_region=None, policy=None))]
    fn new(
        labels: Option<Vec<String>>,
        default_region: Option<&str>,
        policy: Option<&Bound<'_, crate::policy::Policy>>,
    ) -> PyResult<Audience> {
        let mut audience =
            core::Audience::new(labels.unwrap_or_default()).map_err(audience_error)?;
        if let Some(policy) = policy {
            audience = audience
                .with_settings(policy.get().0.audience.clone())
                .map_err(audience_error)?;
        }
        audience
            .set_default_region(default_region)
            .map_err(audience_error)?;
        Ok(Audience(RwLock::new(audience)))
    }

    /// Imports a CSV or TXT file; raises `ImportStoppedError` (with `.report`)
    /// and changes nothing when more than 10 % of a batch's rows fail.
    #[pyo3(signature = (path, default_region=None))]
    fn import_csv(
        &self,
        py: Python<'_>,
        path: PathBuf,
        default_region: Option<String>,
    ) -> PyResult<ImportReport> {
        let mut options = core::ImportOptions::new();
        if let Some(region) = default_region {
            options = options.default_region(&region);
        }
        let report = py
            .detach(|| self.write().import_csv_path(path, &options))
            .map_err(audience_error)?;
        Ok(ImportReport(report))
    }

    /// The E.164 numbers of the contacts a label expression selects.
    fn select(&self, py: Python<'_>, expression: &str) -> PyResult<Vec<String>> {
        py.detach(|| self.read().select(expression))
            .map_err(audience_error)
    }

    /// Like `select`, without contacts lacking consent or opted out.
    fn select_sendable(&self, py: Python<'_>, expression: &str) -> PyResult<Vec<String>> {
        py.detach(|| self.read().select_sendable(expression))
            .map_err(audience_error)
    }

    /// Adds a label (created now, or at `at`).
    #[pyo3(signature = (name, *, at=None))]
    fn add_label(&self, name: &str, at: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let at = time_or_now(at)?;
        self.write().add_label(name, at).map_err(audience_error)
    }

    /// The label names, in creation order.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.read()
            .labels()
            .iter()
            .map(|l| l.name.clone())
            .collect()
    }

    /// How many contacts carry a label (`None` for an unknown label).
    fn label_count(&self, label: &str) -> Option<usize> {
        self.read().label_count(label)
    }

    /// The labels of a contact.
    fn labels_of(&self, phone: &str) -> Vec<String> {
        self.read()
            .labels_of(phone)
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Adds a contact with labels (or the labels to an existing one); returns
    /// its E.164 number.
    #[pyo3(signature = (phone, labels=None, *, at=None))]
    fn add_contact(
        &self,
        phone: &str,
        labels: Option<Vec<String>>,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let at = time_or_now(at)?;
        let labels = labels.unwrap_or_default();
        let names: Vec<&str> = labels.iter().map(String::as_str).collect();
        self.write()
            .add_contact(phone, &names, at)
            .map_err(audience_error)
    }

    /// The contact as a dict (phone, consent, opted_out_at, dates, …), or `None`.
    fn contact(&self, py: Python<'_>, phone: &str) -> PyResult<Option<Py<PyAny>>> {
        let audience = self.read();
        audience
            .contact(phone)
            .map(|contact| to_python(py, contact))
            .transpose()
    }

    /// Records the contact's opt-in (adding the contact when new).
    #[pyo3(signature = (phone, *, at, method, source=None, policy_version=None))]
    fn set_consent(
        &self,
        phone: &str,
        at: &Bound<'_, PyAny>,
        method: &str,
        source: Option<String>,
        policy_version: Option<String>,
    ) -> PyResult<()> {
        let method: core::ConsentMethod = method.parse().map_err(InputError::new_err)?;
        let mut consent = core::Consent::new(timestamp(at)?, method);
        consent.source = source;
        consent.policy_version = policy_version;
        self.write()
            .set_consent(phone, consent)
            .map_err(audience_error)
    }

    /// Records that the contact opted out (now when `at` is `None`).
    #[pyo3(signature = (phone, at=None))]
    fn opt_out(&self, phone: &str, at: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let at = time_or_now(at)?;
        self.write().opt_out(phone, at).map_err(audience_error)
    }

    /// Applies an inbound message's opt-out (`Engine.triage` with a `sender`)
    /// to that contact; returns whether the triage asked to opt out.
    fn apply_triage(&self, triage: &crate::inbound::Triage) -> PyResult<bool> {
        self.write().apply_triage(&triage.0).map_err(audience_error)
    }

    /// Records an interaction: `"opened"`, `"replied"` or `"purchased"`.
    #[pyo3(signature = (phone, kind, *, at=None))]
    fn record_interaction(
        &self,
        phone: &str,
        kind: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let kind: core::InteractionKind = kind.parse().map_err(InputError::new_err)?;
        let at = time_or_now(at)?;
        self.write()
            .record_interaction(phone, kind, at)
            .map_err(audience_error)
    }

    /// Marks the labels of a send's target expression as used (label health).
    #[pyo3(signature = (expression, *, at=None))]
    fn record_target(&self, expression: &str, at: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let at = time_or_now(at)?;
        self.write()
            .record_target(expression, at)
            .map_err(audience_error)
    }

    /// Adds and removes labels on the contacts an expression selects; returns
    /// how many contacts changed. The change is logged (`change_log`).
    #[pyo3(signature = (expression, *, add=None, remove=None, reason="", at=None))]
    fn change_labels(
        &self,
        expression: &str,
        add: Option<Vec<String>>,
        remove: Option<Vec<String>>,
        reason: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        let at = time_or_now(at)?;
        let (add, remove) = (add.unwrap_or_default(), remove.unwrap_or_default());
        let add: Vec<&str> = add.iter().map(String::as_str).collect();
        let remove: Vec<&str> = remove.iter().map(String::as_str).collect();
        self.write()
            .change_labels(expression, &add, &remove, at, reason)
            .map(|change| change.contacts)
            .map_err(audience_error)
    }

    /// The label change log, oldest first, as dicts.
    fn change_log(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_python(py, &self.read().change_log())
    }

    /// Applies the policy's lifecycle rules at `now`; returns
    /// `{"changes": [{"rule", "contacts", "added", "removed"}], "skipped": [...]}`.
    #[pyo3(signature = (now=None))]
    fn apply_lifecycle(
        &self,
        py: Python<'_>,
        now: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let now = time_or_now(now)?;
        let report = py.detach(|| self.write().apply_lifecycle(now));
        to_python(py, &report)
    }

    /// The label health report at `now`: `labels`, `too_many`, `unused`, `overloaded`.
    #[pyo3(signature = (now=None))]
    fn label_health(&self, py: Python<'_>, now: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let now = time_or_now(now)?;
        let health = self.read().label_health(now);
        to_python(py, &health)
    }

    /// Drops interactions older than the retention period (90 days); returns how many.
    #[pyo3(signature = (now=None))]
    fn sweep(&self, now: Option<&Bound<'_, PyAny>>) -> PyResult<usize> {
        let now = time_or_now(now)?;
        Ok(self.write().sweep(now))
    }

    /// The audience as CSV with phone numbers replaced by `UID_…` pseudonyms.
    fn export_pseudonymized(&self, key: Key) -> PyResult<String> {
        self.read()
            .export_pseudonymized(key.bytes())
            .map_err(audience_error)
    }

    /// Writes the audience to `path` atomically.
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| self.read().save(path)).map_err(audience_error)
    }

    /// Reads an audience saved by `save`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Audience> {
        let audience = py
            .detach(|| core::Audience::load(path))
            .map_err(audience_error)?;
        Ok(Audience(RwLock::new(audience)))
    }

    /// The audience as JSON (what `from_json` reads).
    fn to_json(&self) -> String {
        self.read().to_json()
    }

    /// Reads an audience from its JSON.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Audience> {
        let audience = core::Audience::from_json(json).map_err(audience_error)?;
        Ok(Audience(RwLock::new(audience)))
    }

    fn __len__(&self) -> usize {
        self.read().len()
    }

    fn __repr__(&self) -> String {
        let audience = self.read();
        format!(
            "Audience(contacts={}, labels={})",
            audience.len(),
            audience.labels().len()
        )
    }
}

#[pymethods]
impl ImportReport {
    /// Rows whose contact was added or updated.
    #[getter]
    fn accepted(&self) -> usize {
        self.0.accepted
    }

    /// Contacts new to the audience.
    #[getter]
    fn added(&self) -> usize {
        self.0.added
    }

    /// Data rows read.
    #[getter]
    fn rows(&self) -> usize {
        self.0.rows
    }

    /// Rows that could not be imported.
    #[getter]
    fn failed(&self) -> usize {
        self.0.failed
    }

    /// Every issue as `(row_number, reason, message)`, in row order.
    #[getter]
    fn rejected(&self) -> Vec<(u64, &'static str, String)> {
        self.0
            .issues
            .iter()
            .map(|i| (i.row, i.reason.as_str(), i.message.clone()))
            .collect()
    }

    /// Issues per reason.
    #[getter]
    fn counts(&self) -> std::collections::BTreeMap<&'static str, usize> {
        self.0.counts()
    }

    /// The separator found: `","`, `";"` or `"\t"`.
    #[getter]
    fn delimiter(&self) -> char {
        self.0.delimiter
    }

    /// How the file was read, in words.
    #[getter]
    fn format(&self) -> &str {
        &self.0.format
    }

    /// Whether the audience was changed.
    #[getter]
    fn applied(&self) -> bool {
        self.0.applied
    }

    /// A readable summary.
    fn summary(&self) -> String {
        self.0.summary()
    }

    /// The report as a dict.
    fn to_dict(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        json_loads(py, &self.0.to_json())
    }

    fn __repr__(&self) -> String {
        format!(
            "ImportReport(rows={}, accepted={}, failed={})",
            self.0.rows, self.0.accepted, self.0.failed
        )
    }
}

/// `UID_…`: the keyed pseudonym (HMAC-SHA-256) of a value.
#[pyfunction]
#[pyo3(signature = (value, *, key))]
pub(crate) fn pseudonymize(value: &str, key: Key) -> PyResult<String> {
    core::pseudonymize(value, key.bytes()).map_err(audience_error)
}
