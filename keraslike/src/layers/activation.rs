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
use super::registry::str_of;
use super::{unique_name, BuildContext, FromConfig, Layer};
use serde_json::Value;
use crate::activations::{self, IntoActivation};
use crate::{Error, Result};
use serde_json::json;
use tensorlow::Tensor;

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
        let activation = match &self.activation {
            Ok(a) => activations::serialize(a),
            Err(_) => json!("invalid"),
        };
        json!({ "name": self.name, "activation": activation })
    }
}

impl FromConfig for Activation {
    const CLASS_NAME: &'static str = "Activation";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        let mut l = Activation::new(activations::deserialize(c.get("activation").unwrap_or(&Value::Null))?);
        if let Some(n) = str_of(c, "name") {
            l = l.name(n);
        }
        Ok(l)
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
