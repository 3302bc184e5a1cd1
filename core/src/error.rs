//! The one error type of the crate.

use std::fmt;
use std::path::PathBuf;

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
    /// A history file is corrupt, foreign or of an unsupported version.
    #[error("cannot load history{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    History {
        /// The file, when the history came from one.
        path: Option<PathBuf>,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("cannot read {path}: {detail}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The kind of failure (not found, permission denied, …).
        kind: std::io::ErrorKind,
        /// What the operating system said. (A string rather than the
        /// `std::io::Error`, which would make this type unwind-unsafe.)
        detail: String,
    },
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
    pub(crate) fn invalid_key(key: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Policy(PolicyError {
            origin: None,
            line: None,
            column: None,
            key: Some(key.into()),
            message: message.into(),
        })
    }

    pub(crate) fn io(path: &std::path::Path, err: &std::io::Error) -> Error {
        Error::Io {
            path: path.to_owned(),
            kind: err.kind(),
            detail: err.to_string().to_lowercase(),
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
