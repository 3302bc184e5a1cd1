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
    /// An audience operation failed: a phone number, a label expression, an
    /// import or an audience file (see [`AudienceError`](crate::audience::AudienceError)).
    #[error(transparent)]
    Audience(#[from] crate::audience::AudienceError),
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
