//! Atomic file replacement: [`atomicfile::write_atomic`] (the same
//! implementation as `tensorlow::write_atomic`: same temporary names, same
//! cleanup, so either crate's save cleans up after the other's), with the
//! path added to an I/O error.

use crate::{Error, Result};
use std::path::Path;

/// Writes `bytes` to `path` atomically (see [`atomicfile::write_atomic`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    atomicfile::write_atomic(path, bytes).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}
