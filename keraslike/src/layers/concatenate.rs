//! `Concatenate`: joins a list of inputs along one axis
//! (`keras.layers.Concatenate`).
//!
//! Every input must have the same shape except along `axis` (default -1,
//! the features). Masked inputs are not supported yet: they are an error
//! rather than a silently dropped mask.
//!
//! ```
//! use keraslike::layers::{Concatenate, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let a = Tensor::new(&[1.0f32, 2.0], &[1, 2])?;
//! let b = Tensor::new(&[3.0f32], &[1, 1])?;
//! let y = Concatenate::new().call_multi(&[a, b], &Default::default())?;
//! assert_eq!(y[0].to_vec::<f32>()?, vec![1.0, 2.0, 3.0]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::{shape_str, unique_name, BuildContext, CallArgs, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::Tensor;

/// Concatenate's configuration with Keras' field names and defaults
/// (`Concatenate.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConcatenateConfig {
    /// The layer's name (a fresh `concatenate_N` when empty).
    pub name: String,
    /// The axis of the batched inputs to join along (default -1).
    pub axis: isize,
}

impl Default for ConcatenateConfig {
    fn default() -> Self {
        ConcatenateConfig { name: String::new(), axis: -1 }
    }
}

/// Concatenation of its inputs along `axis`.
#[derive(Debug, Clone)]
pub struct Concatenate {
    name: String,
    axis: isize,
    built: bool,
}

impl Concatenate {
    /// Concatenates along the last axis. Named `concatenate`, `concatenate_1`, ...
    pub fn new() -> Self {
        Concatenate {
            name: unique_name("concatenate"),
            axis: -1,
            built: false,
        }
    }

    /// The axis of the batched inputs to join along (default -1; 0 is the batch).
    pub fn axis(mut self, axis: isize) -> Self {
        self.axis = axis;
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// `axis` as an index into per-sample shapes of rank `rank`.
    fn sample_axis(&self, rank: usize) -> Result<usize> {
        let full = rank as isize + 1;
        let a = if self.axis < 0 { self.axis + full } else { self.axis };
        if a < 1 || a >= full {
            return Err(Error::arg(format!(
                "Concatenate {:?}: axis {} is out of range for inputs of rank {full} (axis 0 is the batch)",
                self.name, self.axis
            )));
        }
        Ok(a as usize - 1)
    }
}

impl Default for Concatenate {
    fn default() -> Self {
        Self::new()
    }
}

impl Layer for Concatenate {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Concatenate"
    }

    fn built(&self) -> bool {
        self.built
    }

    fn build_multi(&mut self, input_shapes: &[Vec<usize>], _ctx: &BuildContext) -> Result<()> {
        self.compute_output_shapes(input_shapes)?;
        self.built = true;
        Ok(())
    }

    fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        let Some(first) = input_shapes.first() else {
            return Err(Error::arg(format!(
                "Concatenate {:?} needs at least one input",
                self.name
            )));
        };
        let axis = self.sample_axis(first.len())?;
        let mut out = first.clone();
        for s in &input_shapes[1..] {
            let fits = s.len() == first.len() && s.iter().zip(first).enumerate().all(|(i, (a, b))| i == axis || a == b);
            if !fits {
                let shapes: Vec<String> = input_shapes.iter().map(|s| shape_str(s)).collect();
                return Err(Error::shape(format!(
                    "Concatenate {:?} needs inputs with matching shapes except along axis {}, got per-sample shapes [{}]",
                    self.name,
                    self.axis,
                    shapes.join(", ")
                )));
            }
            out[axis] += s[axis];
        }
        Ok(vec![out])
    }

    fn call_multi(&self, inputs: &[Tensor], _args: &CallArgs) -> Result<Vec<Tensor>> {
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|x| x.shape().get(1..).unwrap_or(&[]).to_vec()).collect();
        self.compute_output_shapes(&shapes)?;
        let refs: Vec<&Tensor> = inputs.iter().collect();
        Ok(vec![Tensor::concat(&refs, self.axis)?])
    }

    fn compute_masks(&self, _inputs: &[Tensor], masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        if masks.iter().any(Option::is_some) {
            return Err(Error::arg(format!(
                "Concatenate {:?}: masked inputs are not supported yet",
                self.name
            )));
        }
        Ok(vec![None])
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl Concatenate {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> ConcatenateConfig {
        ConcatenateConfig {
            name: self.name.clone(),
            axis: self.axis,
        }
    }

    /// A layer from its configuration (a bad axis is reported by `build`).
    pub fn from_concatenate_config(c: ConcatenateConfig) -> Result<Self> {
        let mut l = Concatenate::new().axis(c.axis);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Concatenate {
    const CLASS_NAME: &'static str = "Concatenate";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Concatenate::from_concatenate_config(parse_config("Concatenate", c)?)
    }
}

/// Keras 3.15's `Concatenate.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("axis", Opt::Used),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_along_the_axis_and_names_bad_shapes() {
        let c = Concatenate::new().axis(1).name("cat");
        let a = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 1, 2]).unwrap();
        let b = Tensor::new(&[5.0f32, 6.0, 7.0, 8.0], &[2, 1, 2]).unwrap();
        let y = c.call_multi(&[a.clone(), b], &CallArgs::new(false)).unwrap();
        assert_eq!(y[0].shape(), &[2, 2, 2]);
        assert_eq!(y[0].to_vec::<f32>().unwrap(), vec![1.0, 2.0, 5.0, 6.0, 3.0, 4.0, 7.0, 8.0]);
        assert_eq!(c.compute_output_shapes(&[vec![1, 2], vec![3, 2]]).unwrap(), vec![vec![4, 2]]);
        let err = c.compute_output_shapes(&[vec![1, 2], vec![1, 3]]).unwrap_err().to_string();
        assert!(err.contains("Concatenate \"cat\"") && err.contains("(1, 2), (1, 3)"), "{err}");
        let err = c.call(&a, false).unwrap_err().to_string();
        assert!(err.contains("takes a list"), "{err}");
    }
}
