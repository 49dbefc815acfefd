//! The error type of sklearnlike.
//!
//! Everything a caller or a file can get wrong comes back as an [`Error`],
//! never as a panic. Messages say what was received, what was expected and
//! how to fix it, naming the parameter, row, column, feature count or file.
//!
//! ```
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions};
//! use sklearnlike::Error;
//! let clf = MlpClassifier::<i64>::new(MlpOptions::default());
//! // Predicting before fitting is an `Error::NotFitted`.
//! assert!(matches!(clf.predict(&[[0.0, 1.0]][..]), Err(Error::NotFitted(_))));
//! ```

/// Every failure sklearnlike reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error from the tensor engine.
    #[error(transparent)]
    Tensor(#[from] tensorlow::Error),
    /// Input of the wrong shape: feature counts, ragged rows, lengths of `y`
    /// or `sample_weight` that do not match `X`.
    #[error("{0}")]
    Shape(String),
    /// A bad parameter: an unknown name (the message lists the valid ones) or
    /// an out-of-range value (scikit-learn's `InvalidParameterError`).
    #[error("{0}")]
    InvalidParameter(String),
    /// The estimator is used before `fit` (scikit-learn's `NotFittedError`).
    #[error("{0}")]
    NotFitted(String),
    /// Bad data: empty input, NaN or infinity (with its row and column),
    /// unknown labels or categories.
    #[error("{0}")]
    Data(String),
    /// A file could not be read or written (I/O).
    #[error("{path}: {msg}")]
    File {
        /// The file involved.
        path: String,
        /// What went wrong.
        msg: String,
    },
    /// A saved estimator whose contents are inconsistent or corrupt: the
    /// parameters do not fit the network, the class list does not match the
    /// outputs, a tensor is missing or has the wrong shape.
    #[error("{path}: not a valid saved estimator: {msg}")]
    InvalidModelFile {
        /// The file involved.
        path: String,
        /// What is inconsistent, naming the field.
        msg: String,
    },
}

/// sklearnlike's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn param(msg: impl Into<String>) -> Self {
        Error::InvalidParameter(msg.into())
    }
    /// Shorthand for [`Error::Shape`].
    pub fn shape(msg: impl Into<String>) -> Self {
        Error::Shape(msg.into())
    }
    /// Shorthand for [`Error::Data`].
    pub fn data(msg: impl Into<String>) -> Self {
        Error::Data(msg.into())
    }
    /// A file error naming the path.
    pub fn file(path: impl AsRef<std::path::Path>, msg: impl Into<String>) -> Self {
        Error::File {
            path: path.as_ref().display().to_string(),
            msg: msg.into(),
        }
    }
    /// An invalid-model-file error naming the path.
    pub fn model_file(path: impl AsRef<std::path::Path>, msg: impl Into<String>) -> Self {
        Error::InvalidModelFile {
            path: path.as_ref().display().to_string(),
            msg: msg.into(),
        }
    }
}
