//! Python bindings for sendlint. Thin on purpose: convert Python values to core
//! types, release the GIL, call core, convert the result back. No rule logic here.
//!
//! One module per Python class (as tokenizers and pydantic-core do); `errors`
//! is the one place where core errors become Python exceptions.

mod audience;
mod batch;
mod engine;
mod errors;
mod frame;
mod history;
mod inbound;
mod message;
mod policy;
mod report;
mod topic;

use pyo3::prelude::*;

/// The compiled core of the `sendlint` package.
#[pymodule(gil_used = false)]
fn _sendlint(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", sendlint::VERSION)?;
    errors::register(m)?;
    m.add_class::<history::History>()?;
    m.add_class::<topic::Topic>()?;
    m.add_class::<policy::Policy>()?;
    m.add_class::<engine::Engine>()?;
    m.add_class::<report::Report>()?;
    m.add_class::<report::Finding>()?;
    // What pickles call to rebuild values (`__reduce__`); private.
    m.add_function(wrap_pyfunction!(report::_report_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(report::_finding_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(topic::_topic_from_json, m)?)?;
    m.add_class::<audience::Audience>()?;
    m.add_class::<audience::ImportReport>()?;
    m.add_function(wrap_pyfunction!(audience::pseudonymize, m)?)?;
    m.add_class::<inbound::Triage>()?;
    m.add_class::<inbound::ReplyHealth>()?;
    m.add_function(wrap_pyfunction!(inbound::classify_inbound, m)?)?;
    Ok(())
}
