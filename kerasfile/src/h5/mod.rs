//! Reading and writing HDF5 files (`.weights.h5`, `.h5`) as a [`Group`] tree, in pure Rust.
//!
//! # Supported subset
//! Reading (what h5py writes for Keras with its default settings, and more):
//! - superblock versions 0 to 3 (with a user block before it), 2-, 4- or 8-byte addresses;
//! - object headers version 1 (with continuation blocks) and version 2 (checksums verified);
//! - groups as symbol tables (v1 B-trees of any height, local heaps) or as link messages
//!   (compact storage); hard links only;
//! - datasets stored contiguously or compactly (or never written: the fill value), of bool
//!   (h5py's enum), 8- to 64-bit integers, IEEE float16/32/64 (little or big endian, converted
//!   to little endian) and Keras' bfloat16 (2-byte opaque with a `dtype="bfloat16"` attribute);
//! - attributes of those numbers (scalars and arrays) and of strings: variable-length (global
//!   heap) or fixed-length, scalar or one-dimensional.
//!
//! Everything else is an [`Error::Unsupported`](crate::Error::Unsupported) naming it: chunked
//! (compressed, resizable) datasets, dense link or attribute storage (fractal heaps: groups of
//! more than 8 members or many attributes written with `libver="latest"`), soft and external
//! links (which Keras refuses too), compound, reference, array and other datatypes, shared
//! messages and committed datatypes, objects linked twice.
//!
//! Writing produces h5py's default layout (see `write.rs`): superblock 0, version-1 object
//! headers, symbol-table groups, contiguous little-endian datasets, variable-length UTF-8 string
//! attributes. Strings read from fixed-length or ASCII attributes are written back as
//! variable-length UTF-8 (h5py then returns `str` rather than `bytes` for them).
//!
//! ```
//! use kerasfile::{h5, Array, Group};
//! # fn main() -> kerasfile::Result<()> {
//! let mut root = Group::new();
//! root.insert_dataset("layers/dense/vars/0", Array::from_slice(&[2], &[1.5f32, -2.0])?)?;
//! root.require_group("layers/dense/vars")?.set_attr("name", "dense");
//! let bytes = h5::to_bytes(&root)?;
//! assert_eq!(h5::from_bytes(&bytes)?, root);
//! # Ok(()) }
//! ```

mod attrs;
mod cursor;
mod datatype;
mod encode;
mod group;
mod header;
mod messages;
mod read;
mod write;

use crate::{Error, Group, Result};
use std::path::Path;

/// Parses an HDF5 file held in memory.
pub fn from_bytes(bytes: &[u8]) -> Result<Group> {
    read::read(bytes)
}

/// Reads the HDF5 file at `path`. Errors name the file.
pub fn read(path: impl AsRef<Path>) -> Result<Group> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    from_bytes(&bytes).map_err(|e| e.in_file(path))
}

/// Serialises `root` as an HDF5 file in memory.
pub fn to_bytes(root: &Group) -> Result<Vec<u8>> {
    write::write(root)
}

/// Writes `root` to `path` as an HDF5 file, atomically (a temporary file renamed over the
/// target, so an interrupted save leaves the old file intact).
pub fn write(path: impl AsRef<Path>, root: &Group) -> Result<()> {
    let path = path.as_ref();
    let bytes = to_bytes(root).map_err(|e| e.in_file(path))?;
    crate::atomic::write_atomic(path, &bytes)
}
