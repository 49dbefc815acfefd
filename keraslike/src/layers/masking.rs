//! `Masking`: marks the time steps to skip (`keras.layers.Masking`).
//!
//! A step of `(batch, timesteps, features)` whose features all equal
//! `mask_value` (default 0.0) is masked: its output is zeros and the mask
//! the layer passes on is false there, so the recurrent layers after it
//! carry their state over it, as Keras does. The comparison is Keras'
//! `not_equal`, so with a NaN `mask_value` nothing is masked.
//!
//! ```
//! use keraslike::layers::{Layer, Masking};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let m = Masking::new(0.0);
//! // One sequence of three steps, two features; the last step is padding.
//! let x = Tensor::new(&[1.0f32, 2.0, 0.0, 3.0, 0.0, 0.0], &[1, 3, 2])?;
//! let mask = m.compute_mask(&x, None)?.expect("a mask");
//! assert_eq!(mask.to_vec::<u8>()?, vec![1, 1, 0]);
//! assert_eq!(m.call(&x, false)?.to_vec::<f32>()?, vec![1.0, 2.0, 0.0, 3.0, 0.0, 0.0]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::{shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{DType, Tensor};

/// Masking's configuration with Keras' field names and defaults
/// (`Masking.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MaskingConfig {
    /// The layer's name (a fresh `masking_N` when empty).
    pub name: String,
    /// The value that marks padding (default 0.0).
    pub mask_value: f64,
}

/// Masks the time steps whose features all equal `mask_value`.
#[derive(Debug, Clone)]
pub struct Masking {
    name: String,
    mask_value: f64,
    built: bool,
}

impl Masking {
    /// Masks the steps whose every feature is `mask_value` (Keras' default 0.0).
    pub fn new(mask_value: f64) -> Self {
        Masking {
            name: unique_name("masking"),
            mask_value,
            built: false,
        }
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The value that marks padding.
    pub fn mask_value(&self) -> f64 {
        self.mask_value
    }

    /// 1 for the steps to keep, 0 for the masked ones: `(batch, timesteps)`.
    fn keep(&self, x: &Tensor) -> Result<Vec<u8>> {
        if x.rank() < 3 {
            return Err(Error::shape(format!(
                "Masking {:?} expects inputs of shape (batch, timesteps, features), got {}",
                self.name,
                shape_str(x.shape())
            )));
        }
        let features = x.shape()[x.rank() - 1].max(1);
        let values = x.cast(DType::F64)?.to_vec::<f64>()?;
        // `!=` as Keras' not_equal: a NaN (value or mask_value) is never equal.
        #[allow(clippy::float_cmp)]
        let keep = values
            .chunks(features)
            .map(|step| u8::from(step.iter().any(|&v| v != self.mask_value)))
            .collect();
        Ok(keep)
    }
}

impl Default for Masking {
    fn default() -> Self {
        Masking::new(0.0)
    }
}

impl Layer for Masking {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Masking"
    }

    fn build(&mut self, _input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        let keep = self.keep(x)?;
        let mut shape = x.shape().to_vec();
        *shape.last_mut().expect("rank >= 3") = 1;
        let m = Tensor::from_vec(keep, &shape, &x.device())?.cast(x.dtype())?;
        Ok(x.mul(&m)?)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn compute_mask(&self, x: &Tensor, _mask: Option<&Tensor>) -> Result<Option<Tensor>> {
        let keep = self.keep(x)?;
        Ok(Some(Tensor::from_vec(keep, &x.shape()[..x.rank() - 1], &x.device())?))
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl Masking {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> MaskingConfig {
        MaskingConfig {
            name: self.name.clone(),
            mask_value: self.mask_value,
        }
    }

    /// A layer from its configuration.
    pub fn from_masking_config(c: MaskingConfig) -> Result<Self> {
        let mut l = Masking::new(c.mask_value);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Masking {
    const CLASS_NAME: &'static str = "Masking";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Masking::from_masking_config(parse_config("Masking", c)?)
    }
}

/// Keras 3.15's `Masking.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("mask_value", Opt::Used),
]);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{CallArgs, LSTM};

    #[test]
    fn a_masked_padded_sequence_gives_what_the_unpadded_one_gives() {
        // LSTM over [s1, s2, s3, pad, pad] after Masking == LSTM over [s1, s2, s3]:
        // masked steps carry the state over, so the last output is the third step's.
        let steps = [0.5f32, -1.0, 0.25, 2.0, -0.75, 1.5];
        let mut padded = steps.to_vec();
        padded.extend([0.0; 4]);
        let x_pad = Tensor::new(&padded, &[1, 5, 2]).unwrap();
        let x = Tensor::new(&steps, &[1, 3, 2]).unwrap();
        let mut lstm = LSTM::new(3);
        lstm.build(&[5, 2], &BuildContext::default()).unwrap();
        let m = Masking::new(0.0);
        let h = m.call(&x_pad, false).unwrap();
        let mask = m.compute_mask(&x_pad, None).unwrap();
        assert_eq!(mask.as_ref().unwrap().to_vec::<u8>().unwrap(), vec![1, 1, 1, 0, 0]);
        let masks = [mask];
        let args = CallArgs {
            training: false,
            masks: &masks,
        };
        let masked = lstm.call_multi(&[h], &args).unwrap();
        let plain = lstm.call(&x, false).unwrap();
        assert_eq!(masked[0].to_vec::<f32>().unwrap(), plain.to_vec::<f32>().unwrap());
        // Without the mask the padding changes the result.
        let unmasked = lstm.call(&x_pad, false).unwrap();
        assert_ne!(unmasked.to_vec::<f32>().unwrap(), plain.to_vec::<f32>().unwrap());
    }

    #[test]
    fn errors_and_config() {
        let e = Masking::new(0.0).name("m").call(&Tensor::new(&[1.0f32, 2.0], &[1, 2]).unwrap(), false);
        let e = e.unwrap_err().to_string();
        assert!(e.contains("Masking \"m\"") && e.contains("(batch, timesteps, features)"), "{e}");
        let c = Masking::new(-1.0).name("m").get_config();
        assert_eq!(Masking::from_config(&c).unwrap().get_config(), c);
    }
}
