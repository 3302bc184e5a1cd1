//! The Python exception classes and the one place where core errors become them.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

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
pub(crate) fn to_py(err: sendlint::Error) -> PyErr {
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

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SendlintError", py.get_type::<SendlintError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("HistoryError", py.get_type::<HistoryError>())?;
    Ok(())
}
