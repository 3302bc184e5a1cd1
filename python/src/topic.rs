//! `Topic`: what a group talks about, for `off_topic`.

use std::sync::Arc;

use pyo3::prelude::*;

/// What a group talks about, for `off_topic`.
#[pyclass(frozen, module = "sendlint._sendlint")]
pub(crate) struct Topic(pub(crate) Arc<sendlint::Topic>);

#[pymethods]
impl Topic {
    /// The topic of a group, from its recent messages (at most 4 MiB of text).
    ///
    /// The texts are copied with the GIL held, then the topic is built with
    /// it released: a large corpus takes seconds, and other threads must run.
    #[staticmethod]
    fn from_texts(py: Python<'_>, texts: Vec<String>) -> PyResult<Topic> {
        let topic = py.detach(|| sendlint::Topic::from_texts(texts));
        Ok(Topic(Arc::new(topic.map_err(crate::errors::to_py)?)))
    }

    /// The topic given by a few keywords.
    #[staticmethod]
    fn from_keywords(py: Python<'_>, keywords: Vec<String>) -> PyResult<Topic> {
        let topic = py.detach(|| sendlint::Topic::from_keywords(keywords));
        Ok(Topic(Arc::new(topic.map_err(crate::errors::to_py)?)))
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

    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let json = self.0.to_json();
        let rebuild = py
            .import("sendlint._sendlint")?
            .getattr("_topic_from_json")?;
        Ok((rebuild.unbind(), (json,)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let keywords = crate::report::py_repr(py, self.0.keywords(5))?;
        Ok(format!("Topic(keywords={keywords})"))
    }
}

/// Rebuilds a pickled `Topic` (see `Topic.__reduce__`).
#[pyfunction]
pub(crate) fn _topic_from_json(json: &str) -> PyResult<Topic> {
    let topic = sendlint::Topic::from_json(json).map_err(|e| {
        crate::errors::InputError::new_err(format!("not a pickled sendlint topic: {e}"))
    })?;
    Ok(Topic(Arc::new(topic)))
}
