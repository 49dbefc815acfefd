//! `Dropout`: randomly zeroes inputs while training (`keras.layers.Dropout`).
//!
//! In training each element is zeroed with probability `rate` and the rest
//! are scaled by `1 / (1 - rate)`, so the expected output equals the input;
//! at inference the layer is the identity. The mask comes from
//! [`tensorlow::nn::dropout`]: with a `seed` the sequence of masks is fixed
//! (successive calls still differ), without one it follows the global seed.
//!
//! ```
//! use keraslike::layers::{Dropout, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let d = Dropout::new(0.5).seed(1);
//! let x = Tensor::new(&[1.0f32; 8], &[2, 4])?;
//! assert_eq!(d.call(&x, false)?.to_vec::<f32>()?, vec![1.0; 8]); // inference: identity
//! assert!(d.call(&x, true)?.to_vec::<f32>()?.iter().all(|&v| v == 0.0 || v == 2.0));
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::{unique_name, BuildContext, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{nn, Tensor};

/// Dropout's configuration with Keras' field names (`Dropout.get_config()`):
/// [`Layer::get_config`] writes it and [`FromConfig::from_config`] reads
/// it. Keras' other fields (`noise_shape`, `trainable`, ...) are ignored
/// when read.
///
/// ```
/// use keraslike::layers::{Dropout, DropoutConfig, Layer};
/// let cfg: DropoutConfig = serde_json::from_value(serde_json::json!({"name": "d", "rate": 0.25})).unwrap();
/// assert_eq!((cfg.rate, cfg.seed), (Some(0.25), None));
/// let d = Dropout::from_dropout_config(cfg.clone()).unwrap();
/// assert_eq!(d.config(), cfg);
/// assert!(Dropout::from_dropout_config(Default::default()).is_err()); // no rate
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct DropoutConfig {
    /// The layer's name (a fresh `dropout_N` when empty).
    pub name: String,
    /// The fraction of inputs dropped in training, in `[0, 1)` (required:
    /// Keras has no default).
    pub rate: Option<f64>,
    /// Fixes the sequence of masks (default none: the global seed).
    pub seed: Option<u64>,
}

/// Dropout with rate `rate` (the fraction of inputs dropped).
#[derive(Debug, Clone)]
pub struct Dropout {
    name: String,
    rate: f64,
    seed: Option<u64>,
    built: bool,
}

impl Dropout {
    /// Drops a fraction `rate` (in `[0, 1)`) of the inputs while training.
    /// Named `dropout`, `dropout_1`, ...
    pub fn new(rate: f64) -> Self {
        Dropout {
            name: unique_name("dropout"),
            rate,
            seed: None,
            built: false,
        }
    }

    /// Fixes the sequence of masks.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The fraction of inputs dropped in training.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    fn check_rate(&self) -> Result<()> {
        if !(0.0..1.0).contains(&self.rate) {
            return Err(Error::arg(format!(
                "Dropout {:?}: rate must be in [0, 1), got {}",
                self.name, self.rate
            )));
        }
        Ok(())
    }
}

impl Layer for Dropout {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Dropout"
    }

    fn build(&mut self, _input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        self.check_rate()?;
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        if !training || self.rate == 0.0 {
            return Ok(x.clone());
        }
        self.check_rate()?;
        Ok(nn::dropout(x, self.rate, self.seed)?)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn supports_masking(&self) -> bool {
        true
    }

    fn get_config(&self) -> serde_json::Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl Dropout {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> DropoutConfig {
        DropoutConfig {
            name: self.name.clone(),
            rate: Some(self.rate),
            seed: self.seed,
        }
    }

    /// A layer from its configuration (a bad `rate` is reported by `build`).
    pub fn from_dropout_config(c: DropoutConfig) -> Result<Self> {
        let rate = c.rate.ok_or_else(|| Error::arg("Dropout config needs \"rate\""))?;
        let mut l = Dropout::new(rate);
        l.seed = c.seed;
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Dropout {
    const CLASS_NAME: &'static str = "Dropout";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Dropout::from_dropout_config(parse_config("Dropout", c)?)
    }
}

/// Keras 3.15's `Dropout.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("rate", Opt::Used),
    ("seed", Opt::Used),
    ("noise_shape", Opt::Null),
]);

#[cfg(test)]
mod tests {
    use super::*;

    fn ones(n: usize) -> Tensor {
        Tensor::new(&vec![1.0f64; n], &[n / 10, 10]).unwrap()
    }

    #[test]
    fn inference_is_the_identity() {
        let d = Dropout::new(0.9);
        let x = ones(100);
        assert_eq!(d.call(&x, false).unwrap().to_vec::<f64>().unwrap(), vec![1.0; 100]);
    }

    #[test]
    fn training_drops_about_rate_and_scales_the_rest() {
        let d = Dropout::new(0.25).seed(5);
        let y = d.call(&ones(20_000), true).unwrap().to_vec::<f64>().unwrap();
        let kept = y.iter().filter(|&&v| v != 0.0).count() as f64 / y.len() as f64;
        // Binomial(20000, 0.75): standard deviation of the fraction ~0.003.
        assert!((kept - 0.75).abs() < 0.015, "kept {kept}");
        assert!(y.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.75).abs() < 1e-12));
        // Successive calls draw different masks.
        assert_ne!(y, d.call(&ones(20_000), true).unwrap().to_vec::<f64>().unwrap());
    }

    #[test]
    fn bad_rate_is_an_error_naming_the_layer() {
        let mut d = Dropout::new(1.0).name("drop");
        let err = d.build(&[3], &BuildContext::default()).unwrap_err().to_string();
        assert!(err.contains("Dropout \"drop\"") && err.contains("[0, 1)"), "{err}");
        assert!(d.call(&ones(10), true).is_err());
    }
}
