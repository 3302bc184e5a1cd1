//! The Python exception classes and the one place where core errors become them.

use pyo3::create_exception;
use pyo3::exceptions::{PyBaseException, PyValueError};
use pyo3::prelude::*;

create_exception!(
    sendlint,
    SendlintError,
    PyValueError,
    "Base class of every sendlint error."
);
create_exception!(
    sendlint,
    PolicyError,
    SendlintError,
    "A policy could not be parsed or validated."
);
create_exception!(
    sendlint,
    HistoryError,
    SendlintError,
    "A history file cannot be read or written, or is corrupt, foreign or of an unsupported version."
);
create_exception!(
    sendlint,
    InputError,
    SendlintError,
    "A message cannot be checked (text too large, bad kind, naive datetime, ...)."
);

create_exception!(
    sendlint,
    AudienceError,
    SendlintError,
    "An audience file or contact import cannot be read or written, or is corrupt, foreign or of an unsupported version."
);
create_exception!(
    sendlint,
    ImportStoppedError,
    AudienceError,
    "More than 10 % of an import batch's rows failed; nothing was imported. `.report` says which rows and why."
);
create_exception!(
    sendlint,
    ExpressionError,
    InputError,
    "A label expression does not parse or names an unknown label; `.column` says where."
);

/// Maps a core error to its Python exception: the one place where this happens.
///
/// Each core variant has exactly one Python class:
///
/// | core                  | Python                                                  |
/// |-----------------------|---------------------------------------------------------|
/// | `Error::Policy`       | `PolicyError` with `path`, `line`, `column`, `key`      |
/// | `Error::History`      | `HistoryError` with `path`, `operation`                 |
/// | `Error::Input`        | `InputError`                                            |
/// | `Error::Audience`: file, import | `AudienceError` with `path`, `operation`      |
/// | `Error::Audience`: stopped import | `ImportStoppedError` with `report`          |
/// | `Error::Audience`: expression | `ExpressionError` with `expression`, `column`   |
/// | `Error::Audience`: other (phone, label, contact) | `InputError`                 |
/// | any later variant     | `SendlintError`                                         |
///
/// A file that cannot be read or written is the error of what it holds: a policy
/// file's is a `PolicyError` (with `.path`), a history file's a `HistoryError`.
pub(crate) fn to_py(err: sendlint::Error) -> PyErr {
    let message = err.to_string();
    match err {
        sendlint::Error::Policy(policy) => with_attributes(PolicyError::new_err(message), |e| {
            e.setattr("path", policy.origin)?;
            e.setattr("line", policy.line)?;
            e.setattr("column", policy.column)?;
            e.setattr("key", policy.key)
        }),
        sendlint::Error::History {
            path, operation, ..
        } => with_attributes(HistoryError::new_err(message), |e| {
            e.setattr("path", path)?;
            e.setattr("operation", operation.to_string())
        }),
        sendlint::Error::Input(_) => InputError::new_err(message),
        sendlint::Error::Audience(err) => audience_to_py(err, message),
        _ => SendlintError::new_err(message),
    }
}

fn audience_to_py(err: sendlint::audience::AudienceError, message: String) -> PyErr {
    use sendlint::audience::AudienceError as Core;
    match err {
        Core::File {
            path, operation, ..
        } => with_attributes(AudienceError::new_err(message), |e| {
            e.setattr("path", path)?;
            e.setattr("operation", operation.to_string())
        }),
        Core::Import { path, .. } => with_attributes(AudienceError::new_err(message), |e| {
            e.setattr("path", path)?;
            e.setattr("operation", "read")
        }),
        Core::ImportStopped(report) => with_attributes(ImportStoppedError::new_err(message), |e| {
            e.setattr("report", crate::audience::ImportReport(*report))
        }),
        Core::Expression(expression) => with_attributes(ExpressionError::new_err(message), |e| {
            e.setattr("expression", expression.expression)?;
            e.setattr("column", expression.column)
        }),
        _ => InputError::new_err(message),
    }
}

/// Sets structured attributes on an exception for tools; a failed conversion
/// only loses the attributes (the class defaults `None` stay), never the error.
fn with_attributes(
    err: PyErr,
    set: impl FnOnce(&Bound<'_, PyBaseException>) -> PyResult<()>,
) -> PyErr {
    Python::attach(|py| {
        let _ = set(err.value(py));
    });
    err
}

/// Adds the exception classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("SendlintError", py.get_type::<SendlintError>())?;
    m.add("PolicyError", py.get_type::<PolicyError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add("HistoryError", py.get_type::<HistoryError>())?;
    m.add("AudienceError", py.get_type::<AudienceError>())?;
    m.add("ImportStoppedError", py.get_type::<ImportStoppedError>())?;
    m.add("ExpressionError", py.get_type::<ExpressionError>())?;
    // Class-level defaults, so the attributes exist (as `None`) on every
    // instance, including ones raised from Python code.
    let policy_error = py.get_type::<PolicyError>();
    for name in ["path", "line", "column", "key"] {
        policy_error.setattr(name, py.None())?;
    }
    let input_error = py.get_type::<InputError>();
    for name in ["index", "errors", "reports"] {
        input_error.setattr(name, py.None())?;
    }
    let history_error = py.get_type::<HistoryError>();
    for name in ["path", "operation"] {
        history_error.setattr(name, py.None())?;
    }
    let audience_error = py.get_type::<AudienceError>();
    for name in ["path", "operation", "report"] {
        audience_error.setattr(name, py.None())?;
    }
    let expression_error = py.get_type::<ExpressionError>();
    for name in ["expression", "column"] {
        expression_error.setattr(name, py.None())?;
    }
    Ok(())
}
