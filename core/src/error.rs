//! The one error type of the crate.

use std::fmt;
use std::path::{Path, PathBuf};

/// Everything that can go wrong in sendlint. Messages are lowercase and name what
/// is wrong and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy could not be parsed or is not valid.
    #[error("{0}")]
    Policy(PolicyError),
    /// A message cannot be checked (for example its text is larger than the policy allows).
    #[error("invalid input: {0}")]
    Input(String),
    /// A history could not be read or written: its file failed (`kind` says how),
    /// or it is corrupt, foreign, of an unsupported version, or was saved with
    /// another recipient key.
    #[error("cannot {operation} history{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    History {
        /// The file, when the history came from or went to one.
        path: Option<PathBuf>,
        /// Whether it failed while reading or while writing.
        operation: Operation,
        /// The operating system's kind of failure, when the file itself failed
        /// (`None` when the file was read but its content is wrong).
        kind: Option<std::io::ErrorKind>,
        /// What is wrong.
        message: String,
    },
    /// A JSON document (a message, a topic) is not JSON, or not of the expected
    /// shape: a wrong type, an unknown or missing field, a bad value.
    #[error("invalid {document} JSON at line {line}, column {column}{}: {message}", field.as_ref().map(|f| format!(" (field {f})")).unwrap_or_default())]
    Json {
        /// What the document should have been: `"message"` or `"topic"`.
        document: &'static str,
        /// The field that is wrong, as a path such as `recipients[2]`, when the
        /// error is about one field (`None` for broken syntax or a missing field).
        field: Option<String>,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// An audience operation failed: a phone number, a label expression, an
    /// import or an audience file (see [`AudienceError`](crate::audience::AudienceError)).
    #[error(transparent)]
    Audience(#[from] crate::audience::AudienceError),
}

/// The kind of an [`Error`], one per variant, for callers that map errors to
/// codes (the C ABI's status codes, exit statuses) without matching on fields.
///
/// # Examples
/// ```
/// use sendlint::{ErrorKind, Policy};
/// let err = Policy::from_toml("schema_version = \"one\"").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Policy);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::Policy`]: a policy that cannot be parsed or is not valid.
    Policy,
    /// [`Error::Input`]: a message, key, time or topic input that cannot be used.
    Input,
    /// [`Error::History`]: a history file that failed, or a history that is
    /// corrupt, foreign, of another version or saved with another key.
    History,
    /// [`Error::Json`]: a JSON document that is not JSON or not of the expected shape.
    Json,
    /// [`Error::Audience`]: a phone number, label expression, contact import or
    /// audience file that cannot be used.
    Audience,
}

/// What was being done with a file (or a history) when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// Reading (or parsing what was read).
    Read,
    /// Writing.
    Write,
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Operation::Read => "read",
            Operation::Write => "write",
        })
    }
}

/// Where and why a policy is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file the policy came from, or `None` for a policy given as a string.
    pub origin: Option<PathBuf>,
    /// 1-based line of the error, when the parser knows it.
    pub line: Option<usize>,
    /// 1-based column of the error, when the parser knows it.
    pub column: Option<usize>,
    /// The key that is wrong, such as `rules.mass_mention.max_mentions`, for
    /// errors found after parsing.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid policy")?;
        if let Some(origin) = &self.origin {
            write!(f, " {}", origin.display())?;
        }
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, " at line {line}, column {column}")?,
            (Some(line), None) => write!(f, " at line {line}")?,
            _ => {}
        }
        if let Some(key) = &self.key {
            write!(f, " ({key})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Error {
    /// The kind of this error: which variant it is.
    ///
    /// # Examples
    /// ```
    /// use sendlint::{ErrorKind, OwnedMessage};
    /// let err = OwnedMessage::from_json("{\"text\": 5}").unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Json);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Policy(_) => ErrorKind::Policy,
            Error::Input(_) => ErrorKind::Input,
            Error::History { .. } => ErrorKind::History,
            Error::Json { .. } => ErrorKind::Json,
            Error::Audience(_) => ErrorKind::Audience,
        }
    }

    /// Deserialises one JSON document (and nothing after it), naming the field
    /// from the path serde reached when it fails.
    pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
        document: &'static str,
        json: &str,
    ) -> Result<T, Error> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
            let path = err.path().to_string();
            // `.` is serde_path_to_error's path of the document itself.
            Error::json(document, (path != ".").then_some(path), &err.into_inner())
        })?;
        deserializer
            .end()
            .map_err(|err| Error::json(document, None, &err))?;
        Ok(value)
    }

    fn json(document: &'static str, field: Option<String>, err: &serde_json::Error) -> Error {
        let (line, column) = (err.line(), err.column());
        // serde_json appends the position, which this error carries in fields.
        let text = err.to_string();
        let suffix = format!(" at line {line} column {column}");
        let message = text.strip_suffix(&suffix).unwrap_or(&text).to_owned();
        Error::Json {
            document,
            field,
            line,
            column,
            message,
        }
    }

    pub(crate) fn invalid_key(key: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Policy(PolicyError {
            origin: None,
            line: None,
            column: None,
            key: Some(key.into()),
            message: message.into(),
        })
    }

    /// A history file failed while being read or written.
    pub(crate) fn history_io(path: &Path, operation: Operation, err: &std::io::Error) -> Error {
        Error::History {
            path: Some(path.to_owned()),
            operation,
            kind: Some(err.kind()),
            message: err.to_string().to_lowercase(),
        }
    }

    /// A history (from a file, when `path` is given) that cannot be used.
    pub(crate) fn history(path: Option<&Path>, message: impl Into<String>) -> Error {
        Error::History {
            path: path.map(Path::to_owned),
            operation: Operation::Read,
            kind: None,
            message: message.into(),
        }
    }

    pub(crate) fn with_origin(self, origin: Option<PathBuf>) -> Error {
        match self {
            Error::Policy(mut err) => {
                err.origin = origin;
                Error::Policy(err)
            }
            other => other,
        }
    }
}
