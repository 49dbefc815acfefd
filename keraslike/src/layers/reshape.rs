//! `Reshape`: gives each sample a new shape (`keras.layers.Reshape`).
//!
//! The target shape excludes the batch axis; one dimension may be `-1`, to
//! be inferred from the others.
//!
//! ```
//! use keraslike::layers::{Layer, Reshape};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let r = Reshape::new(&[3, -1]);
//! assert_eq!(r.compute_output_shape(&[12])?, vec![3, 4]);
//! let y = r.call(&Tensor::new(&[0.0f32; 24], &[2, 12])?, false)?;
//! assert_eq!(y.shape(), &[2, 3, 4]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::{batch_shape_str, shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::Tensor;

/// Reshape's configuration with Keras' field names (`Reshape.get_config()`):
/// [`Layer::get_config`] writes it and [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ReshapeConfig {
    /// The layer's name (a fresh `reshape_N` when empty).
    pub name: String,
    /// The per-sample target shape, one entry may be `-1` (required).
    pub target_shape: Option<Vec<isize>>,
}

/// Reshapes `(batch, ...)` to `(batch, target_shape...)`.
#[derive(Debug, Clone)]
pub struct Reshape {
    name: String,
    target_shape: Vec<isize>,
    built: bool,
}

impl Reshape {
    /// Reshapes each sample to `target_shape` (one entry may be `-1`).
    /// Named `reshape`, `reshape_1`, ...
    pub fn new(target_shape: &[isize]) -> Self {
        Reshape {
            name: unique_name("reshape"),
            target_shape: target_shape.to_vec(),
            built: false,
        }
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The target shape for per-sample inputs of shape `input_shape`, with
    /// `-1` resolved, or an error naming the layer.
    fn resolve(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        // Sizes may come from a file: products are checked (an overflow is
        // a shape error naming the layer, not a panic).
        let overflow = |what: String| {
            Error::shape(format!(
                "Reshape {:?}: {what} has more elements than can be counted",
                self.name
            ))
        };
        let n = tensorlow::limits::checked_elem_count("Reshape", input_shape)
            .map_err(|_| overflow(format!("input shape {}", batch_shape_str(input_shape))))?;
        let holes = self.target_shape.iter().filter(|&&d| d == -1).count();
        let bad = || {
            Error::shape(format!(
                "Reshape {:?} cannot reshape input of shape {} ({n} values per sample) to {}",
                self.name,
                batch_shape_str(input_shape),
                target_str(&self.target_shape)
            ))
        };
        if holes > 1 || self.target_shape.iter().any(|&d| d < -1) {
            return Err(Error::arg(format!(
                "Reshape {:?}: target_shape {} may contain at most one -1 and no other negative size",
                self.name,
                target_str(&self.target_shape)
            )));
        }
        let given: Vec<usize> = self
            .target_shape
            .iter()
            .filter(|&&d| d >= 0)
            .map(|&d| d as usize)
            .collect();
        let known = tensorlow::limits::checked_elem_count("Reshape", &given)
            .map_err(|_| overflow(format!("target_shape {}", target_str(&self.target_shape))))?;
        let fill = if holes == 1 {
            if known == 0 || !n.is_multiple_of(known) {
                return Err(bad());
            }
            n / known
        } else if known != n {
            return Err(bad());
        } else {
            0
        };
        Ok(self
            .target_shape
            .iter()
            .map(|&d| if d < 0 { fill } else { d as usize })
            .collect())
    }
}

fn target_str(t: &[isize]) -> String {
    let dims: Vec<String> = std::iter::once("batch".to_string())
        .chain(t.iter().map(|d| d.to_string()))
        .collect();
    format!("({})", dims.join(", "))
}

impl Layer for Reshape {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Reshape"
    }

    fn build(&mut self, input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        self.resolve(input_shape)?;
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        if x.rank() == 0 {
            return Err(Error::shape(format!(
                "Reshape {:?} expects input of shape (batch, ...), got {}",
                self.name,
                shape_str(x.shape())
            )));
        }
        let mut shape = vec![x.shape()[0]];
        shape.extend(self.resolve(&x.shape()[1..])?);
        Ok(x.reshape(&shape)?)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        self.resolve(input_shape)
    }

    fn get_config(&self) -> serde_json::Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl Reshape {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> ReshapeConfig {
        ReshapeConfig {
            name: self.name.clone(),
            target_shape: Some(self.target_shape.clone()),
        }
    }

    /// A layer from its configuration (a bad target shape is reported by `build`).
    pub fn from_reshape_config(c: ReshapeConfig) -> Result<Self> {
        let target = c
            .target_shape
            .ok_or_else(|| Error::arg("Reshape config needs \"target_shape\" (a list of integers)"))?;
        let mut l = Reshape::new(&target);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Reshape {
    const CLASS_NAME: &'static str = "Reshape";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Reshape::from_reshape_config(parse_config("Reshape", c)?)
    }
}

/// Keras 3.15's `Reshape.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("target_shape", Opt::Used),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reshapes_samples_and_infers_one_dimension() {
        let x = Tensor::new(&(0..12).map(|v| v as f32).collect::<Vec<_>>(), &[2, 6]).unwrap();
        let y = Reshape::new(&[-1, 2]).call(&x, false).unwrap();
        assert_eq!(y.shape(), &[2, 3, 2]);
        assert_eq!(y.to_vec::<f32>().unwrap(), x.to_vec::<f32>().unwrap());
        assert_eq!(Reshape::new(&[2, 3]).compute_output_shape(&[3, 2]).unwrap(), vec![2, 3]);
    }

    #[test]
    fn incompatible_shapes_are_errors_naming_the_layer() {
        let mut r = Reshape::new(&[4, -1]).name("r");
        let err = r.build(&[6], &BuildContext::default()).unwrap_err().to_string();
        assert_eq!(
            err,
            "Reshape \"r\" cannot reshape input of shape (batch, 6) (6 values per sample) to (batch, 4, -1)"
        );
        assert!(Reshape::new(&[-1, -1]).compute_output_shape(&[4]).is_err());
        assert!(Reshape::new(&[5]).compute_output_shape(&[4]).is_err());
        let x = Tensor::new(&[0.0f32; 6], &[1, 6]).unwrap();
        assert!(Reshape::new(&[4]).call(&x, false).is_err());
    }
}
