//! `Activation`: applies an activation function as a layer
//! (`keras.layers.Activation`).
//!
//! The function itself is [`crate::activations::Activation`]; this layer
//! wraps one so it can sit in a `Sequential`.
//!
//! ```
//! use keraslike::layers::{Activation, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let a = Activation::new("relu");
//! let y = a.call(&Tensor::new(&[-1.0f32, 2.0], &[1, 2])?, false)?;
//! assert_eq!(y.to_vec::<f32>()?, vec![0.0, 2.0]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::{unique_name, BuildContext, FromConfig, Layer};
use crate::activations::{self, IntoActivation};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tensorlow::Tensor;

/// The Activation layer's configuration with Keras' field names
/// (`Activation.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivationConfig {
    /// The layer's name (a fresh `activation_N` when empty).
    pub name: String,
    /// The function (Keras' name or serialized form; `null` or missing:
    /// `linear`, as Keras' `activation=None`).
    pub activation: activations::Activation,
}

impl Default for ActivationConfig {
    fn default() -> Self {
        ActivationConfig {
            name: String::new(),
            activation: activations::Activation::Linear,
        }
    }
}

/// A layer applying an activation function element-wise.
#[derive(Debug, Clone)]
pub struct Activation {
    name: String,
    activation: std::result::Result<activations::Activation, String>,
    built: bool,
}

impl Activation {
    /// A layer applying `activation` (a name like `"relu"` or an
    /// [`activations::Activation`]); an unknown name is reported by `build`
    /// and `call`. Named `activation`, `activation_1`, ...
    pub fn new(activation: impl IntoActivation) -> Self {
        Activation {
            name: unique_name("activation"),
            activation: activation.into_activation().map_err(|e| e.to_string()),
            built: false,
        }
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn function(&self) -> Result<activations::Activation> {
        self.activation
            .clone()
            .map_err(|e| Error::arg(format!("Activation {:?}: {e}", self.name)))
    }
}

impl Layer for Activation {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Activation"
    }

    fn build(&mut self, _input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        self.function()?;
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        self.function()?.apply(x)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn supports_masking(&self) -> bool {
        true
    }

    fn get_config(&self) -> serde_json::Value {
        match &self.activation {
            Ok(_) => serde_json::to_value(self.config()).unwrap_or(Value::Null),
            // An unknown activation name has no config: "invalid", which
            // from_config refuses, rather than a different function.
            Err(_) => json!({ "name": self.name, "activation": "invalid" }),
        }
    }
}

impl Activation {
    /// The layer's configuration (what `get_config` writes; an activation
    /// given by an unknown name, which `build` reports, reads as `linear`
    /// here and is written as `"invalid"` by `get_config`).
    pub fn config(&self) -> ActivationConfig {
        ActivationConfig {
            name: self.name.clone(),
            activation: self.activation.clone().unwrap_or(activations::Activation::Linear),
        }
    }

    /// A layer from its configuration.
    pub fn from_activation_config(c: ActivationConfig) -> Result<Self> {
        let mut l = Activation::new(c.activation);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Activation {
    const CLASS_NAME: &'static str = "Activation";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Activation::from_activation_config(parse_config("Activation", c)?)
    }
}

/// Keras 3.15's `Activation.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("activation", Opt::Activation),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_the_function_and_reports_unknown_names() {
        let x = Tensor::new(&[0.0f64, 1.0], &[1, 2]).unwrap();
        let y = Activation::new(activations::Activation::Sigmoid)
            .call(&x, false)
            .unwrap();
        let want = [0.5, 1.0 / (1.0 + (-1.0f64).exp())];
        assert!(y
            .to_vec::<f64>()
            .unwrap()
            .iter()
            .zip(want)
            .all(|(a, b)| (a - b).abs() < 1e-12));
        let mut bad = Activation::new("rellu").name("act");
        let err = bad.build(&[2], &BuildContext::default()).unwrap_err().to_string();
        assert!(err.contains("Activation \"act\"") && err.contains("rellu"), "{err}");
        assert_eq!(Activation::new("tanh").get_config()["activation"], "tanh");
    }
}
