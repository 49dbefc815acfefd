//! `Flatten`: `(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)`
//! (`keras.layers.Flatten`).
//!
//! ```
//! use keraslike::layers::{Flatten, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let f = Flatten::new();
//! let y = f.call(&Tensor::new(&[0.0f32; 24], &[2, 3, 4])?, false)?;
//! assert_eq!(y.shape(), &[2, 12]);
//! assert_eq!(f.compute_output_shape(&[3, 4])?, vec![12]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::DataFormat;
use super::{shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::Tensor;

/// Flatten's configuration with Keras' field names and defaults
/// (`Flatten.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct FlattenConfig {
    /// The layer's name (a fresh `flatten_N` when empty).
    pub name: String,
    /// The layout: only `channels_last` (the default).
    pub data_format: DataFormat,
}

/// Flattens every axis but the batch axis (a reshape: no copy).
#[derive(Debug, Clone)]
pub struct Flatten {
    name: String,
    built: bool,
}

impl Flatten {
    /// A flatten layer named `flatten`, `flatten_1`, ...
    pub fn new() -> Self {
        Flatten {
            name: unique_name("flatten"),
            built: false,
        }
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

impl Default for Flatten {
    fn default() -> Self {
        Self::new()
    }
}

impl Layer for Flatten {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Flatten"
    }

    fn build(&mut self, _input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        if x.rank() == 0 {
            return Err(Error::shape(format!(
                "Flatten {:?} expects input of shape (batch, ...), got {}",
                self.name,
                shape_str(x.shape())
            )));
        }
        // A (batch,) input becomes (batch, 1), as in Keras.
        Ok(x.flatten_batch()?)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(vec![input_shape.iter().product()])
    }

    fn get_config(&self) -> serde_json::Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl Flatten {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> FlattenConfig {
        FlattenConfig {
            name: self.name.clone(),
            ..FlattenConfig::default()
        }
    }

    /// A layer from its configuration; a layout other than `channels_last`
    /// is an error.
    pub fn from_flatten_config(c: FlattenConfig) -> Result<Self> {
        if c.data_format.0 != "channels_last" {
            return Err(Error::arg(format!(
                "Flatten: data_format {:?} is not supported; keraslike is channels_last",
                c.data_format.0
            )));
        }
        let mut l = Flatten::new();
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Flatten {
    const CLASS_NAME: &'static str = "Flatten";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Flatten::from_flatten_config(parse_config("Flatten", c)?)
    }
}

/// Keras 3.15's `Flatten.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("data_format", Opt::Is("\"channels_last\"")),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_all_but_batch_in_row_major_order() {
        let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[2, 2, 2]).unwrap();
        let y = Flatten::new().call(&x, false).unwrap();
        assert_eq!(
            y.to_vec2::<f32>().unwrap(),
            vec![vec![1.0, 2.0, 3.0, 4.0], vec![5.0, 6.0, 7.0, 8.0]]
        );
        let v = Tensor::new(&[1.0f32, 2.0], &[2]).unwrap();
        assert_eq!(Flatten::new().call(&v, false).unwrap().shape(), &[2, 1]);
        assert_eq!(Flatten::new().compute_output_shape(&[]).unwrap(), vec![1]);
        let err = Flatten::new()
            .name("f")
            .call(&Tensor::scalar(1.0f32), false)
            .unwrap_err();
        assert!(err.to_string().contains("Flatten \"f\""));
    }
}
