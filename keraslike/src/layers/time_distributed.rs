//! `TimeDistributed`: applies a layer to every time step
//! (`keras.layers.TimeDistributed`).
//!
//! The input `(batch, timesteps, ...)` is seen as `batch * timesteps`
//! samples of shape `(...)`, the wrapped layer runs on them once (one set of
//! weights for every step), and the output is reshaped back to
//! `(batch, timesteps, ...)`. The wrapped layer's weights are saved under
//! `layer/` (`layers/time_distributed/layer/vars/0`), as Keras 3 does, and a
//! mask on the input passes through unchanged.
//!
//! ```
//! use keraslike::layers::{BuildContext, Dense, Layer, TimeDistributed};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut td = TimeDistributed::new(Dense::new(2));
//! td.build(&[5, 3], &BuildContext::default())?;
//! let x = Tensor::ones(&[4, 5, 3], DType::F32, &Device::cpu())?;
//! assert_eq!(td.call(&x, false)?.shape(), &[4, 5, 2]);
//! assert_eq!(td.weights()[0].shape(), &[3, 2]); // one Dense for every step
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::{layer_from_config, parse_config};
use super::{shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// TimeDistributed's configuration with Keras' field names
/// (`TimeDistributed.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct TimeDistributedConfig {
    /// The layer's name (a fresh `time_distributed_N` when empty).
    pub name: String,
    /// The wrapped layer as Keras serializes it, `{"module", "class_name",
    /// "config", "registered_name"}` (required; any registered class).
    pub layer: Value,
}
use tensorlow::{Tensor, Variable};

/// Applies one layer to every time step of its input.
pub struct TimeDistributed {
    name: String,
    layer: Box<dyn Layer>,
}

impl std::fmt::Debug for TimeDistributed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimeDistributed")
            .field("name", &self.name)
            .field("layer", &self.layer.name())
            .finish()
    }
}

impl TimeDistributed {
    /// Wraps `layer` (any one-input, one-output layer).
    pub fn new(layer: impl Layer + 'static) -> Self {
        Self::wrap(Box::new(layer))
    }

    /// Wraps an already boxed layer.
    pub fn wrap(layer: Box<dyn Layer>) -> Self {
        TimeDistributed {
            name: unique_name("time_distributed"),
            layer,
        }
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The wrapped layer.
    pub fn layer(&self) -> &dyn Layer {
        self.layer.as_ref()
    }

    /// `(batch, timesteps, rest...)` -> the per-step shape `rest`, or an error.
    fn steps<'a>(&self, shape: &'a [usize], what: &str) -> Result<&'a [usize]> {
        if shape.len() < 2 {
            return Err(Error::shape(format!(
                "TimeDistributed {:?} expects {what} of shape (batch, timesteps, ...), got {}",
                self.name,
                shape_str(shape)
            )));
        }
        Ok(&shape[2..])
    }
}

impl Layer for TimeDistributed {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "TimeDistributed"
    }

    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        if input_shape.is_empty() {
            return Err(Error::shape(format!(
                "TimeDistributed {:?} needs a time axis: per-sample shape (timesteps, ...), got {}",
                self.name,
                shape_str(input_shape)
            )));
        }
        self.layer.build(&input_shape[1..], ctx)
    }

    fn built(&self) -> bool {
        self.layer.built()
    }

    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let rest = self.steps(x.shape(), "inputs")?;
        let (b, t) = (x.shape()[0], x.shape()[1]);
        let mut flat = vec![b * t];
        flat.extend_from_slice(rest);
        let y = self.layer.call(&x.reshape(&flat)?, training)?;
        let mut out = vec![b, t];
        out.extend_from_slice(&y.shape()[1..]);
        Ok(y.reshape(&out)?)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let Some((&t, rest)) = input_shape.split_first() else {
            return Err(Error::shape(format!(
                "TimeDistributed {:?} needs a time axis, got per-sample shape {}",
                self.name,
                shape_str(input_shape)
            )));
        };
        let mut out = vec![t];
        out.extend(self.layer.compute_output_shape(rest)?);
        Ok(out)
    }

    fn supports_masking(&self) -> bool {
        true
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        self.layer.trainable_weights()
    }

    fn non_trainable_weights(&self) -> Vec<Variable> {
        self.layer.non_trainable_weights()
    }

    fn saved_weights(&self) -> Vec<(String, Variable)> {
        self.layer
            .saved_weights()
            .into_iter()
            .map(|(p, w)| (format!("layer/{p}"), w))
            .collect()
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        self.layer.visit_weights_mut(f)
    }

    fn set_trainable(&mut self, trainable: bool) {
        self.layer.set_trainable(trainable);
    }

    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        self.layer.regularization_loss()
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn config_error(&self) -> Option<String> {
        self.layer.config_error()
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        None
    }
}

impl FromConfig for TimeDistributed {
    const CLASS_NAME: &'static str = "TimeDistributed";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        TimeDistributed::from_time_distributed_config(parse_config("TimeDistributed", c)?)
    }
}

impl TimeDistributed {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> TimeDistributedConfig {
        TimeDistributedConfig {
            name: self.name.clone(),
            layer: json!({"module": "keras.layers", "class_name": self.layer.class_name(),
                          "config": self.layer.get_config(), "registered_name": null}),
        }
    }

    /// A layer from its configuration: the wrapped layer is required.
    pub fn from_time_distributed_config(c: TimeDistributedConfig) -> Result<Self> {
        if c.layer.is_null() {
            return Err(Error::arg("TimeDistributed config needs \"layer\" (the wrapped layer)"));
        }
        let class = c
            .layer
            .get("class_name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::arg("TimeDistributed config: \"layer\" has no \"class_name\""))?;
        let layer = layer_from_config(class, c.layer.get("config").unwrap_or(&Value::Null))?;
        let mut l = TimeDistributed::wrap(layer);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

/// Keras 3.15's `TimeDistributed.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("layer", Opt::AnyLayer),
]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::Dense;

    #[test]
    fn every_step_goes_through_the_same_layer() {
        // TimeDistributed(Dense) on (b, t, f) == Dense on each (b, f) step.
        let mut td = TimeDistributed::new(Dense::new(3).activation("tanh")).name("td");
        td.build(&[4, 2], &BuildContext::default()).unwrap();
        let data: Vec<f32> = (0..16).map(|i| (i as f32 - 8.0) / 5.0).collect();
        let x = Tensor::new(&data, &[2, 4, 2]).unwrap();
        let y = td.call(&x, false).unwrap().to_vec::<f32>().unwrap();
        for b in 0..2 {
            for t in 0..4 {
                let start = (b * 4 + t) * 2;
                let step = Tensor::new(&data[start..start + 2], &[1, 2]).unwrap();
                let want = td.layer().call(&step, false).unwrap().to_vec::<f32>().unwrap();
                assert_eq!(&y[(b * 4 + t) * 3..(b * 4 + t) * 3 + 3], &want[..]);
            }
        }
        assert_eq!(td.compute_output_shape(&[4, 2]).unwrap(), vec![4, 3]);
        let paths: Vec<String> = td.saved_weights().into_iter().map(|(p, _)| p).collect();
        assert_eq!(paths, ["layer/vars/0", "layer/vars/1"]);
        let e = td.call(&Tensor::new(&[1.0f32, 2.0], &[2]).unwrap(), false).unwrap_err().to_string();
        assert!(e.contains("TimeDistributed \"td\"") && e.contains("(batch, timesteps, ...)"), "{e}");
    }

    #[test]
    fn config_round_trip() {
        let td = TimeDistributed::new(Dense::new(2).name("inner")).name("td");
        let c = td.get_config();
        assert_eq!(c["layer"]["class_name"], "Dense");
        let back = TimeDistributed::from_config(&c).unwrap();
        assert_eq!(back.get_config(), c);
    }
}
