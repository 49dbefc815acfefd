//! The error type of keraslike.

/// Every failure keraslike reports. Messages name the layer, shape, file or
/// parameter that was wrong and say how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error from the tensor engine.
    #[error(transparent)]
    Tensor(#[from] tensorlow::Error),
    /// Input data of the wrong shape for a layer or model.
    #[error("{0}")]
    Shape(String),
    /// A bad argument or configuration (unknown name, out-of-range value).
    #[error("{0}")]
    InvalidArgument(String),
    /// The model or estimator is used before it is ready (not built,
    /// compiled or fitted).
    #[error("{0}")]
    NotReady(String),
    /// Bad or inconsistent data (empty, ragged, labels out of range).
    #[error("{0}")]
    Data(String),
    /// An error raised inside a layer, naming it (`Dense "dense_1": ...`),
    /// as Keras' "Exception encountered when calling Dense.call()".
    #[error("{layer}: {source}")]
    Layer {
        /// The layer, as `Class "name"`.
        layer: String,
        /// What went wrong inside it.
        source: Box<Error>,
    },
    /// A file could not be read or written.
    #[error("{path}: {msg}")]
    File {
        /// The file involved.
        path: String,
        /// What went wrong.
        msg: String,
    },
}

/// keraslike's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn arg(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
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
}
