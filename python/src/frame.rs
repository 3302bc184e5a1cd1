//! The columns of `Engine.check_frame`, built without a Python object per
//! finding: for polars an Arrow table (handed over through the Arrow PyCapsule
//! interface, no copy into Python objects at all); for pandas, which needs
//! pyarrow to read Arrow, one Python list per column whose items are shared
//! objects (small ints, one `str` per rule id, verdict or kind).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt32Array, UInt8Array};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3_arrow::PyTable;

/// The result columns of a batch; `None` for a skipped row.
pub(crate) struct Columns {
    risk: Vec<Option<u8>>,
    verdict: Vec<Option<&'static str>>,
    kind: Vec<Option<&'static str>>,
    rules: Vec<Option<Vec<&'static str>>>,
    n_findings: Vec<Option<usize>>,
}

impl Columns {
    /// The columns of a batch's results (the caller decided what to do with errors).
    pub(crate) fn new<E>(
        _py: Python<'_>,
        results: &[Result<sendlint::Report, E>],
    ) -> PyResult<Columns> {
        let mut columns = Columns {
            risk: Vec::with_capacity(results.len()),
            verdict: Vec::with_capacity(results.len()),
            kind: Vec::with_capacity(results.len()),
            rules: Vec::with_capacity(results.len()),
            n_findings: Vec::with_capacity(results.len()),
        };
        for result in results {
            let report = result.as_ref().ok();
            columns.risk.push(report.map(|r| r.risk));
            columns.verdict.push(report.map(|r| r.verdict.as_str()));
            columns.kind.push(report.map(|r| r.kind.as_str()));
            columns
                .rules
                .push(report.map(|r| r.findings.iter().map(|f| f.rule.as_str()).collect()));
            columns.n_findings.push(report.map(|r| r.findings.len()));
        }
        Ok(columns)
    }

    /// The columns as an Arrow table (a Python object exporting
    /// `__arrow_c_stream__`), names and types as in the polars frame.
    pub(crate) fn into_arrow(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let mut rules = ListBuilder::new(StringBuilder::new());
        for row in &self.rules {
            match row {
                Some(ids) => {
                    for id in ids {
                        rules.values().append_value(id);
                    }
                    rules.append(true);
                }
                None => rules.append(false),
            }
        }
        let n_findings: Vec<Option<u32>> = self
            .n_findings
            .iter()
            .map(|n| n.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
            .collect();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("risk", Arc::new(UInt8Array::from(self.risk))),
            ("verdict", Arc::new(StringArray::from(self.verdict))),
            ("kind", Arc::new(StringArray::from(self.kind))),
            ("rules", Arc::new(rules.finish())),
            ("n_findings", Arc::new(UInt32Array::from(n_findings))),
        ];
        let batch = RecordBatch::try_from_iter(columns)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        let table = PyTable::try_new(vec![batch.clone()], batch.schema())?;
        Ok(Bound::new(py, table)?.into_any())
    }

    /// The columns as a dict of Python lists, names as in the returned frame.
    pub(crate) fn into_dict(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let mut names = Names::default();
        let dict = PyDict::new(py);
        dict.set_item("risk", PyList::new(py, self.risk)?)?;
        let verdict = self.verdict.iter().map(|v| v.map(|v| names.get(py, v)));
        dict.set_item("verdict", PyList::new(py, verdict.collect::<Vec<_>>())?)?;
        let kind = self.kind.iter().map(|k| k.map(|k| names.get(py, k)));
        dict.set_item("kind", PyList::new(py, kind.collect::<Vec<_>>())?)?;
        let mut rules = Vec::with_capacity(self.rules.len());
        for row in &self.rules {
            rules.push(match row {
                Some(ids) => {
                    let ids = ids.iter().map(|id| names.get(py, id)).collect::<Vec<_>>();
                    Some(PyList::new(py, ids)?)
                }
                None => None,
            });
        }
        dict.set_item("rules", PyList::new(py, rules)?)?;
        dict.set_item("n_findings", PyList::new(py, self.n_findings)?)?;
        Ok(dict)
    }
}

/// One Python `str` per distinct name, shared by every row.
#[derive(Default)]
struct Names<'py> {
    strings: HashMap<&'static str, Bound<'py, PyString>>,
}

impl<'py> Names<'py> {
    fn get(&mut self, py: Python<'py>, name: &'static str) -> Bound<'py, PyString> {
        self.strings
            .entry(name)
            .or_insert_with(|| PyString::intern(py, name))
            .clone()
    }
}
