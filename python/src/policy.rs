//! `Policy`: which rules run, their weights and thresholds.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::to_py;

/// A policy: which rules run, their weights and thresholds.
#[pyclass(frozen, module = "sendlint._sendlint")]
#[derive(Clone)]
pub(crate) struct Policy(pub(crate) Arc<sendlint::Policy>);

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
    pub(crate) fn from_path(path: PathBuf) -> PyResult<Policy> {
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
