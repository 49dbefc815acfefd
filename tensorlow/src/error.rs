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
    /// A tensor too large to allocate (TensorFlow's
    /// `ResourceExhaustedError`); see [`crate::limits`].
    #[error("{op}: {msg}")]
    ResourceExhausted {
        /// The operation that would have allocated, e.g. `zeros`.
        op: &'static str,
        /// The shape, dtype and bytes asked for, and the bound.
        msg: String,
    },
    /// An error reported by the candle backend. Its message is one line:
    /// the backtrace candle attaches when `RUST_BACKTRACE` is set is
    /// dropped on conversion (as are line breaks of nested contexts).
    #[error("{}", one_line(.0))]
    Backend(candle_core::Error),
}

impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::Backend(strip_backtrace(e))
    }
}

/// candle's error without the backtraces it wraps around its errors.
fn strip_backtrace(e: candle_core::Error) -> candle_core::Error {
    use candle_core::Error as C;
    match e {
        C::WithBacktrace { inner, .. } => strip_backtrace(*inner),
        C::Context { inner, context } => C::Context {
            inner: Box::new(strip_backtrace(*inner)),
            context,
        },
        C::WithPath { inner, path } => C::WithPath {
            inner: Box::new(strip_backtrace(*inner)),
            path,
        },
        e => e,
    }
}

/// A message on one line: line breaks become `": "`.
fn one_line(e: &candle_core::Error) -> String {
    let s = e.to_string();
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(": ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candle_backtraces_are_dropped_and_messages_are_one_line() {
        let inner = candle_core::Error::Msg("boom".into());
        let with_bt = candle_core::Error::WithBacktrace {
            inner: Box::new(inner),
            backtrace: Box::new(std::backtrace::Backtrace::force_capture()),
        };
        // candle's own message carries the backtrace on further lines.
        assert!(with_bt.to_string().lines().count() > 1);
        let e = Error::from(with_bt.context("while adding"));
        assert_eq!(e.to_string(), "while adding: boom");
    }
}
