//! `SpatialDropout1D/2D`: dropout of whole channels
//! (`keras.layers.SpatialDropout2D`): in training each channel of each
//! sample is zeroed with probability `rate` across all its positions and
//! the rest scaled by `1 / (1 - rate)` (Keras' `noise_shape=(batch, 1, [1,]
//! channels)`); at inference the identity. The mask comes from
//! [`tensorlow::nn::dropout`] on a `(batch, 1, [1,] channels)` tensor of
//! ones, so `seed` behaves as in [`Dropout`](super::Dropout).
//!
//! ```
//! use keraslike::layers::{Layer, SpatialDropout1D};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let d = SpatialDropout1D::new(0.5).seed(3);
//! let x = Tensor::new(&[1.0f32; 40], &[2, 5, 4])?;
//! let y = d.call(&x, true)?.to_vec::<f32>()?;
//! // Each channel of each sample is all zeros or all twos.
//! for n in 0..2 {
//!     for c in 0..4 {
//!         let col: Vec<f32> = (0..5).map(|t| y[n * 20 + t * 4 + c]).collect();
//!         assert!(col.iter().all(|&v| v == col[0]) && (col[0] == 0.0 || col[0] == 2.0));
//!     }
//! }
//! assert_eq!(d.call(&x, false)?.to_vec::<f32>()?, vec![1.0; 40]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::spatial::{check_data_format, check_rank};
use super::{shape_str, unique_name, BuildContext, DataFormat, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{nn, Tensor};

/// Channel dropout over `R` spatial axes; use [`SpatialDropout1D`] or
/// [`SpatialDropout2D`].
#[derive(Debug, Clone)]
pub struct SpatialDropout<const R: usize> {
    name: String,
    rate: f64,
    seed: Option<u64>,
    config_error: Option<String>,
    built: bool,
}

/// `keras.layers.SpatialDropout1D`.
pub type SpatialDropout1D = SpatialDropout<1>;
/// `keras.layers.SpatialDropout2D`.
pub type SpatialDropout2D = SpatialDropout<2>;

impl<const R: usize> SpatialDropout<R> {
    const CLASS: &'static str = if R == 1 { "SpatialDropout1D" } else { "SpatialDropout2D" };

    /// Drops a fraction `rate` (in `[0, 1)`) of the channels while training.
    pub fn new(rate: f64) -> Self {
        SpatialDropout {
            name: unique_name(if R == 1 { "spatial_dropout1d" } else { "spatial_dropout2d" }),
            rate,
            seed: None,
            config_error: (!(0.0..1.0).contains(&rate)).then(|| format!("rate must be in [0, 1), got {rate}")),
            built: false,
        }
    }

    /// Fixes the sequence of masks.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// `"channels_last"` (the default) is the only layout supported.
    pub fn data_format(mut self, data_format: &str) -> Self {
        if let Err(e) = check_data_format(data_format) {
            self.config_error.get_or_insert(e);
        }
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn check_config(&self) -> Result<()> {
        match &self.config_error {
            Some(e) => Err(Error::arg(format!("{} {:?}: {e}", Self::CLASS, self.name))),
            None => Ok(()),
        }
    }
}

impl<const R: usize> Layer for SpatialDropout<R> {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        Self::CLASS
    }

    fn build(&mut self, input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        self.check_config()?;
        check_rank(Self::CLASS, &self.name, R, input_shape)?;
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        self.check_config()?;
        if x.rank() != R + 2 {
            return Err(Error::shape(format!(
                "{} {:?} expects input of rank {}, got shape {}",
                Self::CLASS,
                self.name,
                R + 2,
                shape_str(x.shape())
            )));
        }
        if !training || self.rate == 0.0 {
            return Ok(x.clone());
        }
        let mut noise = vec![1; R + 2];
        noise[0] = x.shape()[0];
        noise[R + 1] = x.shape()[R + 1];
        let ones = Tensor::ones(&noise, x.dtype(), &x.device())?;
        Ok(x.mul(&nn::dropout(&ones, self.rate, self.seed)?)?)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

/// The configuration of [`SpatialDropout1D`] and [`SpatialDropout2D`] with
/// Keras' field names (their `get_config()`): [`Layer::get_config`] writes
/// it and [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SpatialDropoutConfig {
    /// The layer's name (a fresh `spatial_dropout2d_N`, ... when empty).
    pub name: String,
    /// The fraction of channels dropped in training, in `[0, 1)` (required).
    pub rate: Option<f64>,
    /// Fixes the sequence of masks (default none: the global seed).
    pub seed: Option<u64>,
    /// The layout, only `channels_last` (`SpatialDropout2D` writes it,
    /// `SpatialDropout1D` has none; missing: `channels_last`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_format: Option<DataFormat>,
}

impl<const R: usize> SpatialDropout<R> {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> SpatialDropoutConfig {
        SpatialDropoutConfig {
            name: self.name.clone(),
            rate: Some(self.rate),
            seed: self.seed,
            data_format: (R == 2).then(DataFormat::default),
        }
    }

    /// A layer from its configuration (a bad rate or layout is reported by `build`).
    pub fn from_spatial_dropout_config(c: SpatialDropoutConfig) -> Result<Self> {
        let rate = c.rate.ok_or_else(|| Error::arg(format!("{} config needs \"rate\"", Self::CLASS)))?;
        let mut l = Self::new(rate).data_format(&c.data_format.unwrap_or_default().0);
        l.seed = c.seed;
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }

    fn from_keras_config(c: &Value) -> Result<Self> {
        Self::from_spatial_dropout_config(parse_config(Self::CLASS, c)?)
    }
}

impl FromConfig for SpatialDropout<1> {
    const CLASS_NAME: &'static str = "SpatialDropout1D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);
    fn from_config(c: &Value) -> Result<Self> {
        Self::from_keras_config(c)
    }
}

impl FromConfig for SpatialDropout<2> {
    const CLASS_NAME: &'static str = "SpatialDropout2D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);
    fn from_config(c: &Value) -> Result<Self> {
        Self::from_keras_config(c)
    }
}

/// Keras 3.15's `SpatialDropout1D/2D` `get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("rate", Opt::Used),
    ("seed", Opt::Used),
    ("data_format", Opt::Used),
]);
