//! The error type of tensorlow.
//!
//! Everything a user can get wrong (shapes, dtypes, devices, files, a spent
//! tape) comes back as an [`Error`], never as a panic. Messages name what was
//! received, what was expected and how to fix it.

/// Every failure tensorlow reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Operand shapes do not fit the operation.
    #[error("{op}: {msg}")]
    Shape {
        /// The operation that failed, e.g. `matmul`.
        op: &'static str,
        /// What was wrong, naming the shapes.
        msg: String,
    },
    /// Operand dtypes do not fit the operation.
    #[error("{op}: {msg}")]
    DType {
        /// The operation that failed.
        op: &'static str,
        /// What was wrong, naming the dtypes.
        msg: String,
    },
    /// Operands live on different devices, or a device is unavailable.
    #[error("device error: {0}")]
    Device(String),
    /// An argument is out of its valid range.
    #[error("{0}")]
    InvalidArgument(String),
    /// A GradientTape was misused (e.g. a non-persistent tape asked twice).
    #[error("GradientTape: {0}")]
    Tape(String),
    /// A checkpoint could not be written or restored.
    #[error("checkpoint {path}: {msg}")]
    Checkpoint {
        /// The file involved.
        path: String,
        /// What went wrong, naming the variable where there is one.
        msg: String,
    },
    /// An I/O error, with the file it happened on.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An error reported by the candle backend.
    #[error(transparent)]
    Backend(#[from] candle_core::Error),
}

/// tensorlow's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn shape(op: &'static str, msg: impl Into<String>) -> Self {
        Error::Shape { op, msg: msg.into() }
    }
    pub(crate) fn arg(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }
}
