//! Keras names, configs and the serialized form of [`Initializer`]s.
//!
//! Each Keras class has a config struct with Keras' field names
//! ([`RandomUniformConfig`], [`VarianceScalingConfig`], ...; the Glorot, He
//! and LeCun presets share [`PresetConfig`]), used both ways:
//! [`Initializer::config`] writes it and [`deserialize`] reads it.
//! `Initializer` implements `Serialize`/`Deserialize` in Keras' form, so a
//! layer's config struct can hold one as a plain field.
//!
//! ```
//! use keraslike::initializers::{self, Initializer};
//! # fn main() -> keraslike::Result<()> {
//! let init = Initializer::random_uniform(-0.1, 0.2).with_seed(3);
//! let v = initializers::serialize(&init);
//! assert_eq!(v["class_name"], "RandomUniform");
//! assert_eq!(initializers::deserialize(&v)?, init);
//! assert_eq!(initializers::deserialize(&serde_json::json!("he_normal"))?, Initializer::he_normal());
//! let err = initializers::get("glorot_unifrom").unwrap_err().to_string();
//! assert!(err.contains("did you mean \"glorot_uniform\""), "{err}");
//! # Ok(()) }
//! ```

use super::{Distribution, FanMode, Initializer};
use crate::saving::registry::{squashed, Entry, Registry};
use crate::saving::{config_from_value, config_to_value, read_object};
use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::sync::Arc;

/// The config of `Zeros` and `Ones` (no options).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NoConfig {}

/// The config of `Constant`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConstantConfig {
    /// The value of every element (default 0).
    pub value: f64,
}

impl Default for ConstantConfig {
    fn default() -> Self {
        ConstantConfig { value: 0.0 }
    }
}

/// The config of `RandomUniform`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomUniformConfig {
    /// Fixes the values (see the module docs of `initializers`).
    pub seed: Option<u64>,
    /// Lower bound (default -0.05).
    pub minval: f64,
    /// Upper bound (default 0.05).
    pub maxval: f64,
}

impl Default for RandomUniformConfig {
    fn default() -> Self {
        RandomUniformConfig {
            seed: None,
            minval: -0.05,
            maxval: 0.05,
        }
    }
}

/// The config of `RandomNormal` and `TruncatedNormal`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NormalConfig {
    /// Fixes the values.
    pub seed: Option<u64>,
    /// Mean (default 0).
    pub mean: f64,
    /// Standard deviation (default 0.05).
    pub stddev: f64,
}

impl Default for NormalConfig {
    fn default() -> Self {
        NormalConfig {
            seed: None,
            mean: 0.0,
            stddev: 0.05,
        }
    }
}

/// The config of `VarianceScaling`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VarianceScalingConfig {
    /// Fixes the values.
    pub seed: Option<u64>,
    /// Numerator of the variance, > 0 (default 1).
    pub scale: f64,
    /// The fan the scale is divided by (default `"fan_in"`).
    pub mode: FanMode,
    /// The distribution drawn from (default `"truncated_normal"`).
    pub distribution: Distribution,
    /// Keras: which axes are the inputs of a kernel for the fans. Not
    /// implemented: must be `None` (the last-but-one axis, Keras' default).
    pub input_axes: Option<Vec<i64>>,
    /// Keras: which axes are the outputs. Not implemented: must be `None`.
    pub output_axes: Option<Vec<i64>>,
}

impl Default for VarianceScalingConfig {
    fn default() -> Self {
        VarianceScalingConfig {
            seed: None,
            scale: 1.0,
            mode: FanMode::FanIn,
            distribution: Distribution::TruncatedNormal,
            input_axes: None,
            output_axes: None,
        }
    }
}

/// The config of the `VarianceScaling` presets (`GlorotUniform`,
/// `GlorotNormal`, `HeUniform`, `HeNormal`, `LecunUniform`, `LecunNormal`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PresetConfig {
    /// Fixes the values.
    pub seed: Option<u64>,
    /// Keras' fan axes; must be `None` (see [`VarianceScalingConfig`]).
    pub input_axes: Option<Vec<i64>>,
    /// Keras' fan axes; must be `None`.
    pub output_axes: Option<Vec<i64>>,
}

/// The config of `Orthogonal`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrthogonalConfig {
    /// Fixes the values.
    pub seed: Option<u64>,
    /// Multiplier of the orthogonal matrix (default 1).
    pub gain: f64,
}

impl Default for OrthogonalConfig {
    fn default() -> Self {
        OrthogonalConfig { seed: None, gain: 1.0 }
    }
}

/// Errors when Keras' `input_axes`/`output_axes` are given.
fn check_axes(class: &str, input_axes: &Option<Vec<i64>>, output_axes: &Option<Vec<i64>>) -> Result<()> {
    for (what, a) in [("input_axes", input_axes), ("output_axes", output_axes)] {
        if let Some(a) = a {
            return Err(Error::arg(format!(
                "{class}: {what}={a:?} is not supported by keraslike (fans come from the last two axes); remove it"
            )));
        }
    }
    Ok(())
}

fn check_finite(class: &str, what: &str, v: f64) -> Result<()> {
    if !v.is_finite() {
        return Err(Error::arg(format!("{class}: {what} must be a finite number, got {v}")));
    }
    Ok(())
}

impl Initializer {
    /// The Keras class name, e.g. `"GlorotUniform"`.
    pub fn class_name(&self) -> &'static str {
        match self {
            Initializer::Zeros => "Zeros",
            Initializer::Ones => "Ones",
            Initializer::Constant(_) => "Constant",
            Initializer::RandomUniform { .. } => "RandomUniform",
            Initializer::RandomNormal { .. } => "RandomNormal",
            Initializer::TruncatedNormal { .. } => "TruncatedNormal",
            Initializer::Orthogonal { .. } => "Orthogonal",
            Initializer::VarianceScaling {
                scale,
                mode,
                distribution,
                ..
            } => match (*scale, *mode, *distribution) {
                (1.0, FanMode::FanAvg, Distribution::Uniform) => "GlorotUniform",
                (1.0, FanMode::FanAvg, Distribution::TruncatedNormal) => "GlorotNormal",
                (2.0, FanMode::FanIn, Distribution::Uniform) => "HeUniform",
                (2.0, FanMode::FanIn, Distribution::TruncatedNormal) => "HeNormal",
                (1.0, FanMode::FanIn, Distribution::Uniform) => "LecunUniform",
                (1.0, FanMode::FanIn, Distribution::TruncatedNormal) => "LecunNormal",
                _ => "VarianceScaling",
            },
        }
    }

    /// Keras' serialized form, the same as [`serialize`]:
    /// `{"module": "keras.initializers", "class_name": ..., "config": {...}, "registered_name": null}`.
    /// (Layers store this in their configs; the bare config is [`Initializer::config`].)
    pub fn get_config(&self) -> Value {
        serialize(self)
    }

    /// The config alone (what Keras' `get_config()` returns), by Keras'
    /// field names, e.g. `{"seed": null, "minval": -0.05, "maxval": 0.05}`.
    pub fn config(&self) -> Value {
        match *self {
            Initializer::Zeros | Initializer::Ones => config_to_value(&NoConfig {}),
            Initializer::Constant(value) => config_to_value(&ConstantConfig { value }),
            Initializer::RandomUniform { minval, maxval, seed } => {
                config_to_value(&RandomUniformConfig { seed, minval, maxval })
            }
            Initializer::RandomNormal { mean, stddev, seed } | Initializer::TruncatedNormal { mean, stddev, seed } => {
                config_to_value(&NormalConfig { seed, mean, stddev })
            }
            Initializer::Orthogonal { gain, seed } => config_to_value(&OrthogonalConfig { seed, gain }),
            Initializer::VarianceScaling {
                scale,
                mode,
                distribution,
                seed,
            } => {
                if self.class_name() == "VarianceScaling" {
                    config_to_value(&VarianceScalingConfig {
                        seed,
                        scale,
                        mode,
                        distribution,
                        ..Default::default()
                    })
                } else {
                    config_to_value(&PresetConfig {
                        seed,
                        ..Default::default()
                    })
                }
            }
        }
    }

    /// Checks the arguments (done when read from a config; the layers check
    /// again when they draw).
    pub fn validate(&self) -> Result<()> {
        let class = self.class_name();
        match *self {
            Initializer::Zeros | Initializer::Ones => Ok(()),
            Initializer::Constant(v) => check_finite(class, "value", v),
            Initializer::RandomUniform { minval, maxval, .. } => {
                check_finite(class, "minval", minval)?;
                check_finite(class, "maxval", maxval)?;
                if minval > maxval {
                    return Err(Error::arg(format!(
                        "RandomUniform: minval ({minval}) must not exceed maxval ({maxval})"
                    )));
                }
                Ok(())
            }
            Initializer::RandomNormal { mean, stddev, .. } | Initializer::TruncatedNormal { mean, stddev, .. } => {
                check_finite(class, "mean", mean)?;
                if !(stddev >= 0.0 && stddev.is_finite()) {
                    return Err(Error::arg(format!("{class}: stddev must be >= 0, got {stddev}")));
                }
                Ok(())
            }
            Initializer::VarianceScaling { scale, .. } => {
                if !(scale > 0.0 && scale.is_finite()) {
                    return Err(Error::arg(format!(
                        "VarianceScaling: scale must be positive, got {scale}"
                    )));
                }
                Ok(())
            }
            Initializer::Orthogonal { gain, .. } => check_finite(class, "gain", gain),
        }
    }
}

/// Adds `seed` to a seedless initializer.
fn seeded(init: Initializer, seed: Option<u64>) -> Initializer {
    match seed {
        Some(s) => init.with_seed(s),
        None => init,
    }
}

/// A registry entry for a `VarianceScaling` preset.
fn preset(class: &'static str, alias: &'static str, make: fn() -> Initializer) -> Entry<Initializer> {
    Entry::builtin(class, &[alias], move |c: &Value| {
        let p: PresetConfig = config_from_value(class, c)?;
        check_axes(class, &p.input_axes, &p.output_axes)?;
        Ok(seeded(make(), p.seed))
    })
}

fn builtins() -> Vec<Entry<Initializer>> {
    vec![
        Entry::builtin("Zeros", &["zeros", "zero"], |c: &Value| {
            config_from_value::<NoConfig>("Zeros", c)?;
            Ok(Initializer::Zeros)
        }),
        Entry::builtin("Ones", &["ones", "one"], |c: &Value| {
            config_from_value::<NoConfig>("Ones", c)?;
            Ok(Initializer::Ones)
        }),
        Entry::builtin("Constant", &["constant"], |c: &Value| {
            let c: ConstantConfig = config_from_value("Constant", c)?;
            Ok(Initializer::Constant(c.value))
        }),
        Entry::builtin("RandomUniform", &["random_uniform", "uniform"], |c: &Value| {
            let c: RandomUniformConfig = config_from_value("RandomUniform", c)?;
            Ok(seeded(Initializer::random_uniform(c.minval, c.maxval), c.seed))
        }),
        Entry::builtin("RandomNormal", &["random_normal", "normal"], |c: &Value| {
            let c: NormalConfig = config_from_value("RandomNormal", c)?;
            Ok(seeded(Initializer::random_normal(c.mean, c.stddev), c.seed))
        }),
        Entry::builtin("TruncatedNormal", &["truncated_normal"], |c: &Value| {
            let c: NormalConfig = config_from_value("TruncatedNormal", c)?;
            Ok(seeded(Initializer::truncated_normal(c.mean, c.stddev), c.seed))
        }),
        Entry::builtin("VarianceScaling", &["variance_scaling"], |c: &Value| {
            let c: VarianceScalingConfig = config_from_value("VarianceScaling", c)?;
            check_axes("VarianceScaling", &c.input_axes, &c.output_axes)?;
            Ok(seeded(
                Initializer::variance_scaling(c.scale, c.mode, c.distribution),
                c.seed,
            ))
        }),
        preset("GlorotUniform", "glorot_uniform", Initializer::glorot_uniform),
        preset("GlorotNormal", "glorot_normal", Initializer::glorot_normal),
        preset("HeUniform", "he_uniform", Initializer::he_uniform),
        preset("HeNormal", "he_normal", Initializer::he_normal),
        preset("LecunUniform", "lecun_uniform", Initializer::lecun_uniform),
        preset("LecunNormal", "lecun_normal", Initializer::lecun_normal),
        Entry::builtin("Orthogonal", &["orthogonal"], |c: &Value| {
            let c: OrthogonalConfig = config_from_value("Orthogonal", c)?;
            Ok(seeded(Initializer::orthogonal(c.gain), c.seed))
        }),
    ]
}

/// Class names and aliases, compared ignoring case and underscores
/// (`"he_normal"` = `"HeNormal"`), to constructors.
static REGISTRY: Registry<Initializer> = Registry::new("initializer", "keras.initializers", squashed, builtins);

/// Registers another name for an initializer: `factory` builds it from the
/// config under that class name. (An [`Initializer`] is one of Keras'
/// built-in kinds, so a registered class maps onto one of them, e.g. a
/// Keras subclass with a fixed configuration.)
pub fn register_initializer(class_name: &str, factory: impl Fn(&Value) -> Result<Initializer> + Send + Sync + 'static) {
    REGISTRY.register(class_name, Arc::new(factory));
}

/// Keras' serialized form:
/// `{"module": "keras.initializers", "class_name": ..., "config": {...}, "registered_name": null}`.
pub fn serialize(init: &Initializer) -> Value {
    crate::saving::serialize("keras.initializers", init.class_name(), init.config())
}

/// The initializer a Keras object, a Keras 2 `{"class_name", "config"}` or a
/// name describes, validated.
pub fn deserialize(v: &Value) -> Result<Initializer> {
    let init = REGISTRY.resolve(&read_object("initializer", v)?)?;
    init.validate()?;
    Ok(init)
}

/// The initializer with Keras name `name` (snake case like `"he_normal"`,
/// or the class name like `"HeNormal"`), with Keras' default arguments; an
/// unknown name suggests the closest known one.
///
/// ```
/// let init = keraslike::initializers::get("glorot_uniform").unwrap();
/// assert_eq!(init.class_name(), "GlorotUniform");
/// assert!(keraslike::initializers::get("glorot").is_err());
/// ```
pub fn get(name: &str) -> Result<Initializer> {
    deserialize(&Value::String(name.to_string()))
}

impl Serialize for Initializer {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serialize(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Initializer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        deserialize(&v).map_err(serde::de::Error::custom)
    }
}
