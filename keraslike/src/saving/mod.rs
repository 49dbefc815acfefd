//! Saving and loading (`keras.saving`).
//!
//! - [`object`]: Keras 3's serialized-object format
//!   (`{"module", "class_name", "config", "registered_name"}`), written by
//!   [`serialize`] and read back by [`read_object`], which also accepts a
//!   bare name (`"adam"`) and Keras 2's `{"class_name", "config"}`.
//! - [`registry`]: the class-name -> constructor maps behind every
//!   `deserialize` (`optimizers::deserialize`, `losses::deserialize`, ...),
//!   which users extend with `register_optimizer`, `register_loss`, ...
//! - [`suggest`]: the "did you mean" helper every name resolver uses.
//!
//! ```
//! use keraslike::saving::{read_object, serialize};
//! use serde_json::json;
//! # fn main() -> keraslike::Result<()> {
//! let v = serialize("keras.optimizers", "Adam", json!({"learning_rate": 0.01}));
//! assert_eq!(v["registered_name"], serde_json::Value::Null);
//! let o = read_object("optimizer", &v)?;
//! assert_eq!((o.class_name.as_str(), &o.config["learning_rate"]), ("Adam", &json!(0.01)));
//! assert_eq!(read_object("optimizer", &json!("adam"))?.class_name, "adam");
//! # Ok(()) }
//! ```

pub mod keras_file;
pub mod object;
pub mod registry;
pub mod suggest;

#[cfg(test)]
mod keras_tests;

pub use object::{
    config_from_value, config_to_value, read_object, require_fields, serialize, serialize_custom, KerasObject,
};
pub use registry::Factory;
