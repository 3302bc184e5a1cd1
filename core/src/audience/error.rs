//! The errors of audiences.

use std::path::PathBuf;

use super::contact::PhoneError;
use super::expression::ExpressionError;
use super::import::ImportReport;
use crate::error::Operation;

/// What can go wrong with an audience. Messages are lowercase and name what is
/// wrong and where.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudienceError {
    /// A phone number that is not valid (the reason says why).
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// A label expression that does not parse, or names a label the audience
    /// does not have (the column says where).
    #[error(transparent)]
    Expression(#[from] ExpressionError),
    /// A label the audience does not have.
    #[error("unknown label {0:?} (create it first)")]
    UnknownLabel(String),
    /// A label name that is empty, too long or already taken.
    #[error("invalid label name {name:?}: {reason}")]
    InvalidLabel {
        /// The name as given.
        name: String,
        /// Why.
        reason: String,
    },
    /// No contact with this number.
    #[error("no contact {0} in the audience")]
    UnknownContact(String),
    /// A contact file that cannot be read at all (no phone column, UTF-16, …).
    #[error("cannot import{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    Import {
        /// The file, when importing from one.
        path: Option<PathBuf>,
        /// What is wrong.
        message: String,
    },
    /// More than the allowed share of rows in a batch failed: nothing was
    /// imported. The report says which rows and why.
    #[error("import stopped, nothing was imported: {}", .0.stop_reason.as_deref().unwrap_or("too many rows failed"))]
    ImportStopped(Box<ImportReport>),
    /// An audience file that cannot be read or written, or is corrupt, foreign
    /// or of another version.
    #[error("cannot {operation} audience{}: {message}", path.as_ref().map(|p| format!(" {}", p.display())).unwrap_or_default())]
    File {
        /// The file, when there is one.
        path: Option<PathBuf>,
        /// Reading or writing.
        operation: Operation,
        /// The operating system's kind of failure, when the file itself failed.
        kind: Option<std::io::ErrorKind>,
        /// What is wrong.
        message: String,
    },
    /// An argument out of range (an empty key, a setting out of bounds).
    #[error("invalid input: {0}")]
    Input(String),
}
