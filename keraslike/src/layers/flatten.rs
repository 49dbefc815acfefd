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
use super::registry::str_of;
use super::{shape_str, unique_name, BuildContext, FromConfig, Layer};
use serde_json::Value;
use crate::{Error, Result};
use serde_json::json;
use tensorlow::Tensor;

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
        json!({ "name": self.name, "data_format": "channels_last" })
    }
}

impl FromConfig for Flatten {
    const CLASS_NAME: &'static str = "Flatten";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        if let Some(f) = str_of(c, "data_format").filter(|f| *f != "channels_last") {
            return Err(Error::arg(format!(
                "Flatten: data_format {f:?} is not supported; keraslike is channels_last"
            )));
        }
        let mut l = Flatten::new();
        if let Some(n) = str_of(c, "name") {
            l = l.name(n);
        }
        Ok(l)
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
