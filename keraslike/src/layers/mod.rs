//! Layers: the `Layer` trait and Keras' built-in layers.
//!
//! A layer is created unbuilt (its weights need the input shape), gets a
//! unique Keras-style name at creation (`dense`, `dense_1`, ...), and is
//! built by the model once the input shape is known. Shapes passed to
//! `build` and `compute_output_shape` exclude the batch dimension.

mod activation;
mod batch_normalization;
mod dense;
mod dropout;
mod flatten;
mod input;
mod layer_normalization;
mod reshape;

pub use activation::Activation;
pub use batch_normalization::BatchNormalization;
pub use dense::Dense;
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use input::Input;
pub use layer_normalization::LayerNormalization;
pub use reshape::Reshape;

use crate::{Error, Result};
use std::collections::HashMap;
use std::sync::Mutex;
use tensorlow::{DType, Device, Tensor, Variable};

/// What a layer needs to create its weights.
#[derive(Clone, Debug)]
pub struct BuildContext {
    /// Where the weights live.
    pub device: Device,
    /// The weights' dtype (`float32` by default, as in Keras).
    pub dtype: DType,
}

impl Default for BuildContext {
    fn default() -> Self {
        BuildContext {
            device: Device::cpu(),
            dtype: DType::F32,
        }
    }
}

/// A building block of a model (`keras.layers.Layer`). Implement it for a
/// custom layer: create weights in `build`, compute in `call`.
pub trait Layer {
    /// The unique name, e.g. `"dense_1"`.
    fn name(&self) -> &str;
    /// The class name shown by `summary()`, e.g. `"Dense"`.
    fn class_name(&self) -> &'static str;
    /// Creates the weights for inputs of shape `(batch, input_shape...)`.
    /// Errors name the layer and the shape it expected.
    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()>;
    /// Whether `build` has run.
    fn built(&self) -> bool;
    /// The forward pass; `training` switches dropout and batch statistics.
    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor>;
    /// Output shape (without batch) for an input shape (without batch).
    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>>;
    /// Weights the optimizer updates.
    fn trainable_weights(&self) -> Vec<Variable> {
        Vec::new()
    }
    /// Weights updated otherwise (e.g. batch-norm moving statistics).
    fn non_trainable_weights(&self) -> Vec<Variable> {
        Vec::new()
    }
    /// All weights: trainable first, then non-trainable (Keras' order).
    fn weights(&self) -> Vec<Variable> {
        let mut w = self.trainable_weights();
        w.extend(self.non_trainable_weights());
        w
    }
    /// The sum of this layer's regularization penalties, if it has any.
    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        Ok(None)
    }
    /// The layer's configuration, for saving and `summary`.
    fn get_config(&self) -> serde_json::Value;
    /// The input shape (without batch) the layer was declared with, as
    /// Keras' `Input(shape=(4,))` or `Dense(5, input_shape=(4,))`; a
    /// `Sequential` whose first layer declares one can build itself.
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        None
    }
}

static NAME_COUNTS: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

/// A unique layer name for `base` (`dense`, then `dense_1`, `dense_2`, ...),
/// as Keras assigns them.
pub fn unique_name(base: &str) -> String {
    let mut guard = NAME_COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let counts = guard.get_or_insert_with(HashMap::new);
    let n = counts.entry(base.to_string()).or_insert(0);
    let name = if *n == 0 {
        base.to_string()
    } else {
        format!("{base}_{n}")
    };
    *n += 1;
    name
}

/// Resets the automatic layer-name counters (`keras.backend.clear_session`).
pub fn clear_session() {
    *NAME_COUNTS.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Errors unless `x` is `(batch, expected...)`, naming the layer.
pub fn check_input(layer: &str, class: &str, expected: &[usize], x: &Tensor) -> Result<()> {
    if x.rank() != expected.len() + 1 || &x.shape()[1..] != expected {
        return Err(Error::shape(format!(
            "{class} {layer:?} expects input of shape {}, got {}",
            batch_shape_str(expected),
            shape_str(x.shape())
        )));
    }
    Ok(())
}

/// A shape as Keras prints it: `(10, 3)`, `(5,)`, `()`.
pub fn shape_str(shape: &[usize]) -> String {
    match shape {
        [d] => format!("({d},)"),
        _ => format!(
            "({})",
            shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A per-sample shape with the batch dimension in front: `(batch, 4)`.
pub fn batch_shape_str(shape: &[usize]) -> String {
    let dims: Vec<String> = std::iter::once("batch".to_string())
        .chain(shape.iter().map(|d| d.to_string()))
        .collect();
    format!("({})", dims.join(", "))
}
