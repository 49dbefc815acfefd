//! Keras 3's file formats in pure Rust: `.weights.h5` (HDF5) and `.keras` (a zip of
//! `config.json`, `metadata.json` and `model.weights.h5`), read and written without libhdf5 or
//! any tensor library.
//!
//! - [`h5`] reads an HDF5 file into a [`Group`] tree (groups, datasets, attributes) and writes
//!   one in the layout h5py uses for Keras; see its documentation for the supported subset.
//! - [`KerasArchive`] reads and writes `.keras` archives: the config and metadata as text, the
//!   weights as a [`Group`].
//! - [`Array`] holds dataset and attribute values (little-endian bytes, a [`Dtype`], a shape).
//!
//! Files are untrusted input: every size and address read is checked against the file's length
//! before anything is allocated, arithmetic is checked, cycles and deep nesting are refused,
//! zip entries are read into memory by name and never extracted; corrupt, truncated or hostile
//! files give an [`Error`], never a panic. Writes are atomic.
//!
//! Keras stores each layer's variables positionally: `layers/<layer>/vars/<i>` (nested models
//! and cells add levels, e.g. `layers/lstm/cell/vars/0`), the model's own under `vars`, the
//! optimizer's under `optimizer/vars/<i>` (iterations, learning rate, then the slots);
//! [`Group::keras_vars`] and [`Group::set_keras_vars`] read and write them in that order.
//!
//! ```
//! use kerasfile::{h5, Array, Group};
//! # fn main() -> kerasfile::Result<()> {
//! let mut weights = Group::new();
//! weights.insert_dataset("layers/dense/vars/0", Array::from_slice(&[3, 2], &[0.1f32, 0.2, 0.3, 0.4, 0.5, 0.6])?)?;
//! weights.insert_dataset("layers/dense/vars/1", Array::from_slice(&[2], &[0.0f32, 0.0])?)?;
//! weights.require_group("layers/dense/vars")?.set_attr("name", "dense");
//! let path = std::env::temp_dir().join(format!("kerasfile_doc_{}.weights.h5", std::process::id()));
//! h5::write(&path, &weights)?;
//! let back = h5::read(&path)?;
//! assert_eq!(back.dataset("layers/dense/vars/0").unwrap().array.to_vec::<f32>()?[5], 0.6);
//! # std::fs::remove_file(&path).ok();
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod archive;
mod array;
mod atomic;
mod error;
pub mod h5;
mod tree;
mod vars;

pub use archive::{KerasArchive, CONFIG, METADATA, WEIGHTS};
pub use array::{Array, Dtype, Element};
pub use error::{Error, Result};
pub use tree::{AttrValue, Attrs, Dataset, Group, Node};
