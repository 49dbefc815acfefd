//! Weight initializers (`keras.initializers`), with Keras 3's formulas and
//! defaults.
//!
//! An [`Initializer`] is a value: build one with a constructor
//! ([`Initializer::glorot_uniform`], [`Initializer::constant`], ...) or by its
//! Keras name with [`get`], and draw a tensor with [`Initializer::init`].
//! [`serialize`] and [`deserialize`] go to and from Keras' serialized form
//! (each class's config is a serde struct with Keras' field names, see
//! [`RandomUniformConfig`] and its neighbours); `Initializer` implements
//! `Serialize`/`Deserialize` in that form.
//!
//! Randomness follows Keras 3 on top of [`tensorlow::random`]:
//! - with a `seed`, an initializer is deterministic: every call returns the
//!   same values (Keras' "a seeded initializer produces the same values
//!   across calls");
//! - without one, each call draws from [`tensorlow::random::op_generator`],
//!   so after `tensorlow::random::set_seed(s)` a model's weights are the same
//!   on every run, and without a global seed they are fresh.
//!
//! ```
//! use keraslike::initializers::{self, Initializer};
//! use tensorlow::{DType, Device};
//! # fn main() -> keraslike::Result<()> {
//! let init = initializers::get("he_normal")?.with_seed(7);
//! let w = init.init(&[4, 3], DType::F32, &Device::cpu())?;
//! assert_eq!(w.shape(), &[4, 3]);
//! // Same seed, same values.
//! assert_eq!(w.to_vec::<f32>()?, init.init(&[4, 3], DType::F32, &Device::cpu())?.to_vec::<f32>()?);
//! assert_eq!(Initializer::ones().init(&[2], DType::F32, &Device::cpu())?.to_vec::<f32>()?, vec![1.0, 1.0]);
//! # Ok(()) }
//! ```

mod config;
mod orthogonal;

pub use config::{
    deserialize, get, register_initializer, serialize, ConstantConfig, NoConfig, NormalConfig, OrthogonalConfig,
    PresetConfig, RandomUniformConfig, VarianceScalingConfig,
};

use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use tensorlow::random::{op_generator, Generator};
use tensorlow::{DType, Device, Tensor};

/// The standard deviation of a standard normal truncated to `[-2, 2]`:
/// dividing by it makes a truncated normal have the intended variance
/// (Keras' `VarianceScaling` constant).
const TRUNCATED_STDDEV: f64 = 0.879_625_661_034_239_8;

/// Which fan [`Initializer::VarianceScaling`] divides its scale by (in a
/// config: `"fan_in"`, `"fan_out"`, `"fan_avg"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FanMode {
    /// Inputs of a unit (`"fan_in"`; He, LeCun).
    FanIn,
    /// Outputs of a unit (`"fan_out"`).
    FanOut,
    /// The mean of both (`"fan_avg"`; Glorot).
    FanAvg,
}

/// The distribution [`Initializer::VarianceScaling`] draws from (in a
/// config: `"truncated_normal"` (or Keras' alias `"normal"`),
/// `"untruncated_normal"`, `"uniform"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Normal truncated at two standard deviations, rescaled to keep the
    /// variance (`"truncated_normal"`).
    #[serde(alias = "normal")]
    TruncatedNormal,
    /// Plain normal (`"untruncated_normal"`).
    UntruncatedNormal,
    /// Uniform on `[-limit, limit]` with `limit = sqrt(3 * scale / fan)`.
    Uniform,
}

/// A weight initializer. The Glorot, He and LeCun families are
/// [`Initializer::VarianceScaling`] presets, exactly as in Keras.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Initializer {
    /// All zeros (`"zeros"`).
    Zeros,
    /// All ones (`"ones"`).
    Ones,
    /// Every element `value` (`"constant"`, Keras default 0).
    Constant(f64),
    /// Uniform on `[minval, maxval)` (`"random_uniform"`, default ±0.05).
    RandomUniform {
        /// Lower bound (default -0.05).
        minval: f64,
        /// Upper bound (default 0.05).
        maxval: f64,
        /// Makes the values fixed (see the module docs).
        seed: Option<u64>,
    },
    /// Normal (`"random_normal"`, default mean 0, stddev 0.05).
    RandomNormal {
        /// Mean (default 0).
        mean: f64,
        /// Standard deviation (default 0.05).
        stddev: f64,
        /// Makes the values fixed.
        seed: Option<u64>,
    },
    /// Normal redrawn beyond two standard deviations (`"truncated_normal"`,
    /// default mean 0, stddev 0.05).
    TruncatedNormal {
        /// Mean (default 0).
        mean: f64,
        /// Standard deviation before truncation (default 0.05).
        stddev: f64,
        /// Makes the values fixed.
        seed: Option<u64>,
    },
    /// Variance `scale / fan` (`"variance_scaling"`, default scale 1,
    /// fan_in, truncated normal).
    VarianceScaling {
        /// Numerator of the variance.
        scale: f64,
        /// The fan the scale is divided by.
        mode: FanMode,
        /// The distribution drawn from.
        distribution: Distribution,
        /// Makes the values fixed.
        seed: Option<u64>,
    },
    /// A (semi-)orthogonal matrix from the QR decomposition of a normal
    /// matrix, times `gain` (`"orthogonal"`, default gain 1). Tensors of
    /// rank > 2 are orthogonal as `(prod(shape[..-1]), shape[-1])`.
    Orthogonal {
        /// Multiplier of the orthogonal matrix (default 1).
        gain: f64,
        /// Makes the values fixed.
        seed: Option<u64>,
    },
}

impl Initializer {
    /// All zeros.
    pub fn zeros() -> Self {
        Initializer::Zeros
    }
    /// All ones.
    pub fn ones() -> Self {
        Initializer::Ones
    }
    /// Every element `value`.
    pub fn constant(value: f64) -> Self {
        Initializer::Constant(value)
    }
    /// Uniform on `[minval, maxval)`; Keras' defaults are `(-0.05, 0.05)`.
    pub fn random_uniform(minval: f64, maxval: f64) -> Self {
        Initializer::RandomUniform {
            minval,
            maxval,
            seed: None,
        }
    }
    /// Normal; Keras' defaults are mean 0, stddev 0.05.
    pub fn random_normal(mean: f64, stddev: f64) -> Self {
        Initializer::RandomNormal {
            mean,
            stddev,
            seed: None,
        }
    }
    /// Truncated normal; Keras' defaults are mean 0, stddev 0.05.
    pub fn truncated_normal(mean: f64, stddev: f64) -> Self {
        Initializer::TruncatedNormal {
            mean,
            stddev,
            seed: None,
        }
    }
    /// Variance `scale / fan` in the given mode and distribution.
    pub fn variance_scaling(scale: f64, mode: FanMode, distribution: Distribution) -> Self {
        Initializer::VarianceScaling {
            scale,
            mode,
            distribution,
            seed: None,
        }
    }
    /// Glorot (Xavier) uniform: limit `sqrt(6 / (fan_in + fan_out))`.
    /// Keras' default kernel initializer.
    pub fn glorot_uniform() -> Self {
        Self::variance_scaling(1.0, FanMode::FanAvg, Distribution::Uniform)
    }
    /// Glorot normal: truncated normal with variance `2 / (fan_in + fan_out)`.
    pub fn glorot_normal() -> Self {
        Self::variance_scaling(1.0, FanMode::FanAvg, Distribution::TruncatedNormal)
    }
    /// He uniform: limit `sqrt(6 / fan_in)`.
    pub fn he_uniform() -> Self {
        Self::variance_scaling(2.0, FanMode::FanIn, Distribution::Uniform)
    }
    /// He normal: truncated normal with variance `2 / fan_in`.
    pub fn he_normal() -> Self {
        Self::variance_scaling(2.0, FanMode::FanIn, Distribution::TruncatedNormal)
    }
    /// LeCun uniform: limit `sqrt(3 / fan_in)`.
    pub fn lecun_uniform() -> Self {
        Self::variance_scaling(1.0, FanMode::FanIn, Distribution::Uniform)
    }
    /// LeCun normal: truncated normal with variance `1 / fan_in`.
    pub fn lecun_normal() -> Self {
        Self::variance_scaling(1.0, FanMode::FanIn, Distribution::TruncatedNormal)
    }
    /// Orthogonal times `gain` (Keras' default gain is 1).
    pub fn orthogonal(gain: f64) -> Self {
        Initializer::Orthogonal { gain, seed: None }
    }

    /// The same initializer with a fixed `seed` (no effect on the
    /// deterministic ones).
    pub fn with_seed(mut self, s: u64) -> Self {
        match &mut self {
            Initializer::RandomUniform { seed, .. }
            | Initializer::RandomNormal { seed, .. }
            | Initializer::TruncatedNormal { seed, .. }
            | Initializer::VarianceScaling { seed, .. }
            | Initializer::Orthogonal { seed, .. } => *seed = Some(s),
            Initializer::Zeros | Initializer::Ones | Initializer::Constant(_) => {}
        }
        self
    }

    /// A tensor of `shape` drawn from this initializer.
    pub fn init(&self, shape: &[usize], dtype: DType, device: &Device) -> Result<Tensor> {
        let t = match *self {
            Initializer::Zeros => Tensor::zeros(shape, dtype, device)?,
            Initializer::Ones => Tensor::ones(shape, dtype, device)?,
            Initializer::Constant(v) => Tensor::fill(shape, v, dtype, device)?,
            Initializer::RandomUniform { minval, maxval, seed } => {
                generator(seed).uniform(shape, minval, maxval, dtype, device)?
            }
            Initializer::RandomNormal { mean, stddev, seed } => {
                generator(seed).normal(shape, mean, stddev, dtype, device)?
            }
            Initializer::TruncatedNormal { mean, stddev, seed } => {
                generator(seed).truncated_normal(shape, mean, stddev, dtype, device)?
            }
            Initializer::VarianceScaling {
                scale,
                mode,
                distribution,
                seed,
            } => {
                if scale <= 0.0 {
                    return Err(Error::arg(format!(
                        "VarianceScaling: scale must be positive, got {scale}"
                    )));
                }
                let (fan_in, fan_out) = compute_fans(shape);
                let fan = match mode {
                    FanMode::FanIn => fan_in,
                    FanMode::FanOut => fan_out,
                    FanMode::FanAvg => (fan_in + fan_out) / 2.0,
                };
                let var = scale / fan.max(1.0);
                let mut g = generator(seed);
                match distribution {
                    Distribution::TruncatedNormal => {
                        g.truncated_normal(shape, 0.0, var.sqrt() / TRUNCATED_STDDEV, dtype, device)?
                    }
                    Distribution::UntruncatedNormal => g.normal(shape, 0.0, var.sqrt(), dtype, device)?,
                    Distribution::Uniform => {
                        let limit = (3.0 * var).sqrt();
                        g.uniform(shape, -limit, limit, dtype, device)?
                    }
                }
            }
            Initializer::Orthogonal { gain, seed } => {
                orthogonal::orthogonal(shape, gain, &mut generator(seed), dtype, device)?
            }
        };
        Ok(t)
    }
}

/// The generator for one draw: fixed by `seed`, else by tensorlow's global
/// seed rules.
fn generator(seed: Option<u64>) -> Generator {
    match seed {
        Some(s) => Generator::from_seed(s),
        None => op_generator(None),
    }
}

/// `(fan_in, fan_out)` of a weight shape, as Keras computes them: a vector
/// counts its length for both, a matrix is `(in, out)`, and a convolution
/// kernel `(..., in, out)` multiplies both by its receptive field.
pub fn compute_fans(shape: &[usize]) -> (f64, f64) {
    match shape.len() {
        0 => (1.0, 1.0),
        1 => (shape[0] as f64, shape[0] as f64),
        n => {
            let receptive: usize = shape[..n - 2].iter().product();
            ((shape[n - 2] * receptive) as f64, (shape[n - 1] * receptive) as f64)
        }
    }
}

/// Anything a layer accepts as an initializer: an [`Initializer`] or a
/// Keras name.
pub trait IntoInitializer {
    /// Resolves to an initializer (a name may be unknown).
    fn into_initializer(self) -> Result<Initializer>;
}

impl IntoInitializer for Initializer {
    fn into_initializer(self) -> Result<Initializer> {
        Ok(self)
    }
}

impl IntoInitializer for &str {
    fn into_initializer(self) -> Result<Initializer> {
        get(self)
    }
}

impl IntoInitializer for String {
    fn into_initializer(self) -> Result<Initializer> {
        get(&self)
    }
}

#[cfg(test)]
mod tests;
