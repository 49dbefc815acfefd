//! The error type of kerasfile.
//!
//! Everything a file can get wrong is an [`Error`], never a panic: corrupt or truncated
//! structures ([`Error::Corrupt`]), valid HDF5 or zip features outside the supported subset
//! ([`Error::Unsupported`], naming the feature), bad `.keras` archives ([`Error::Archive`]) and
//! caller mistakes when building a tree ([`Error::Invalid`]). Errors from reading or writing a
//! file are wrapped in [`Error::InFile`] with the file's path.

/// Every failure kerasfile reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An operating-system error on a file.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The HDF5 bytes are damaged: truncated, out-of-range addresses, bad signatures or sizes.
    /// The message names the structure, its byte offset and the object path when known.
    #[error("corrupt HDF5 data: {0}")]
    Corrupt(String),
    /// Valid HDF5 that uses a feature outside the subset kerasfile reads (named in the message).
    #[error("unsupported HDF5 feature: {0}")]
    Unsupported(String),
    /// A `.keras` archive that is damaged, hostile (entry names escaping the archive,
    /// decompression bombs) or lacks a required entry.
    #[error("bad .keras archive: {0}")]
    Archive(String),
    /// A caller mistake: an invalid name, a path through a dataset, data that does not fill the
    /// shape, a value HDF5 cannot store.
    #[error("{0}")]
    Invalid(String),
    /// An error while reading or writing the named file.
    #[error("{path}: {source}")]
    InFile {
        /// The file involved.
        path: String,
        /// What went wrong.
        source: Box<Error>,
    },
}

/// kerasfile's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// Wraps `self` with the path of the file being read or written.
    pub(crate) fn in_file(self, path: &std::path::Path) -> Error {
        match self {
            Error::Io { .. } | Error::InFile { .. } => self,
            e => Error::InFile {
                path: path.display().to_string(),
                source: Box::new(e),
            },
        }
    }
}
