//! Learning-rate schedules (`keras.optimizers.schedules`): the learning rate
//! as a function of the optimizer's step count (`iterations`, starting at 0).
//!
//! Each schedule has a constructor with Keras' required arguments
//! (`ExponentialDecay::new(0.1, 100, 0.9)`), chained setters for the
//! optional ones, and a config struct with Keras' field names for
//! `from_config`/`get_config`; [`serialize`] and [`deserialize`] give and
//! read Keras' serialized form, which is how an optimizer's config holds a
//! schedule.
//!
//! ```
//! use keraslike::optimizers::schedules::{self, ExponentialDecay, LearningRateSchedule};
//! use keraslike::optimizers::{Optimizer, SGD};
//! # fn main() -> keraslike::Result<()> {
//! let s = ExponentialDecay::new(0.1, 10, 0.5).staircase(true);
//! assert_eq!(s.call(25), 0.1 * 0.25);
//! let back = schedules::deserialize(&schedules::serialize(&s))?;
//! assert_eq!(back.call(25), s.call(25));
//! let opt = SGD::new(s);
//! assert_eq!(opt.learning_rate(), 0.1);
//! assert_eq!(opt.get_config()["learning_rate"]["class_name"], "ExponentialDecay");
//! # Ok(()) }
//! ```

use crate::saving::registry::{exact, Entry, Registry};
use crate::saving::{config_from_value, config_to_value, read_object, require_fields};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// A learning rate that depends on the step (`LearningRateSchedule`).
pub trait LearningRateSchedule: Send + Sync {
    /// The learning rate at optimizer step `step` (0 for the first update).
    fn call(&self, step: u64) -> f64;
    /// The Keras class name, e.g. `"ExponentialDecay"`. Defaults to the
    /// Rust type's name.
    fn class_name(&self) -> &str {
        crate::saving::object::short_type_name(std::any::type_name::<Self>())
    }
    /// The config (Keras' `get_config()`); [`serialize`] wraps it with the class.
    fn get_config(&self) -> Value;
    /// Checks the arguments (run by `from_config` and when an optimizer
    /// using the schedule is compiled or built).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
}

fn check_decay_steps(class: &str, decay_steps: u64) -> Result<()> {
    if decay_steps == 0 {
        return Err(Error::arg(format!("{class}: decay_steps must be > 0, got 0")));
    }
    Ok(())
}

fn check_finite(class: &str, what: &str, v: f64) -> Result<()> {
    if !v.is_finite() {
        return Err(Error::arg(format!("{class}: {what} must be a finite number, got {v}")));
    }
    Ok(())
}

/// Defines a schedule type that holds its config, with `from_config`,
/// `config`, `with_name` and the trait's `class_name`/`get_config`/`validate`.
macro_rules! schedule_type {
    ($(#[$meta:meta])* $t:ident, $cfg:ident, $class:literal) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $t {
            config: $cfg,
        }

        impl $t {
            /// The Keras class name.
            pub const CLASS: &'static str = $class;

            /// The schedule from its config; errors on an invalid argument.
            pub fn from_config(config: $cfg) -> Result<Self> {
                let s = $t { config };
                s.check()?;
                Ok(s)
            }

            /// The configuration.
            pub fn config(&self) -> &$cfg {
                &self.config
            }

            /// Renames the schedule (Keras' `name`).
            pub fn with_name(mut self, name: impl Into<String>) -> Self {
                self.config.name = name.into();
                self
            }
        }
    };
}

/// Implements [`LearningRateSchedule`] from `call` and `check` methods.
macro_rules! impl_schedule {
    ($t:ident) => {
        impl LearningRateSchedule for $t {
            fn call(&self, step: u64) -> f64 {
                $t::value(self, step)
            }
            fn class_name(&self) -> &str {
                Self::CLASS
            }
            fn get_config(&self) -> Value {
                config_to_value(&self.config)
            }
            fn validate(&self) -> Result<()> {
                self.check()
            }
        }
    };
}

/// The config of [`ExponentialDecay`] (Keras' field names; the first three
/// are required, as in Keras).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExponentialDecayConfig {
    /// The rate at step 0.
    pub initial_learning_rate: f64,
    /// Steps over which the rate is multiplied by `decay_rate` (> 0).
    pub decay_steps: u64,
    /// The factor per `decay_steps`.
    pub decay_rate: f64,
    /// Decay at discrete intervals (default false).
    #[serde(default)]
    pub staircase: bool,
    /// Keras' name (default `"ExponentialDecay"`).
    #[serde(default = "exponential_name")]
    pub name: String,
}

fn exponential_name() -> String {
    "ExponentialDecay".into()
}

/// Placeholder values for the required arguments (Keras has no defaults
/// for them); `ExponentialDecay::new` is the way to build one.
impl Default for ExponentialDecayConfig {
    fn default() -> Self {
        ExponentialDecayConfig {
            initial_learning_rate: 0.01,
            decay_steps: 1,
            decay_rate: 1.0,
            staircase: false,
            name: exponential_name(),
        }
    }
}

schedule_type!(
    /// `initial_learning_rate * decay_rate ^ (step / decay_steps)`; with
    /// `staircase` the exponent is floored, so the rate drops in steps
    /// (`keras.optimizers.schedules.ExponentialDecay`).
    ExponentialDecay,
    ExponentialDecayConfig,
    "ExponentialDecay"
);

impl ExponentialDecay {
    /// Keras' `ExponentialDecay(initial_learning_rate, decay_steps, decay_rate)`.
    pub fn new(initial_learning_rate: f64, decay_steps: u64, decay_rate: f64) -> Self {
        ExponentialDecay {
            config: ExponentialDecayConfig {
                initial_learning_rate,
                decay_steps,
                decay_rate,
                ..Default::default()
            },
        }
    }
    /// Sets [`ExponentialDecayConfig::staircase`].
    pub fn staircase(mut self, staircase: bool) -> Self {
        self.config.staircase = staircase;
        self
    }
    fn check(&self) -> Result<()> {
        let c = &self.config;
        check_decay_steps(Self::CLASS, c.decay_steps)?;
        check_finite(Self::CLASS, "initial_learning_rate", c.initial_learning_rate)?;
        check_finite(Self::CLASS, "decay_rate", c.decay_rate)
    }
    fn value(&self, step: u64) -> f64 {
        let c = &self.config;
        let mut p = step as f64 / c.decay_steps.max(1) as f64;
        if c.staircase {
            p = p.floor();
        }
        c.initial_learning_rate * c.decay_rate.powf(p)
    }
}
impl_schedule!(ExponentialDecay);

/// The config of [`PiecewiseConstantDecay`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PiecewiseConstantDecayConfig {
    /// Strictly increasing step boundaries.
    pub boundaries: Vec<u64>,
    /// One more value than boundaries.
    pub values: Vec<f64>,
    /// Keras' name (default `"PiecewiseConstant"`).
    #[serde(default = "piecewise_name")]
    pub name: String,
}

fn piecewise_name() -> String {
    "PiecewiseConstant".into()
}

/// Placeholder values (Keras has no defaults): a constant 0.01.
impl Default for PiecewiseConstantDecayConfig {
    fn default() -> Self {
        PiecewiseConstantDecayConfig {
            boundaries: Vec::new(),
            values: vec![0.01],
            name: piecewise_name(),
        }
    }
}

schedule_type!(
    /// `values[0]` while `step <= boundaries[0]`, `values[1]` while
    /// `step <= boundaries[1]`, ..., `values[n]` after the last boundary
    /// (`keras.optimizers.schedules.PiecewiseConstantDecay`).
    PiecewiseConstantDecay,
    PiecewiseConstantDecayConfig,
    "PiecewiseConstantDecay"
);

impl PiecewiseConstantDecay {
    /// A schedule from increasing `boundaries` and one more value than boundaries.
    pub fn new(boundaries: Vec<u64>, values: Vec<f64>) -> Result<Self> {
        Self::from_config(PiecewiseConstantDecayConfig {
            boundaries,
            values,
            ..Default::default()
        })
    }
    fn check(&self) -> Result<()> {
        let PiecewiseConstantDecayConfig { boundaries, values, .. } = &self.config;
        if boundaries.len() + 1 != values.len() {
            return Err(Error::arg(format!(
                "PiecewiseConstantDecay: values must have one more element than boundaries, got {} boundaries and {} values",
                boundaries.len(),
                values.len()
            )));
        }
        if boundaries.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::arg(format!(
                "PiecewiseConstantDecay: boundaries must be strictly increasing, got {boundaries:?}"
            )));
        }
        values
            .iter()
            .try_for_each(|v| check_finite(Self::CLASS, "every value", *v))
    }
    fn value(&self, step: u64) -> f64 {
        let c = &self.config;
        let i = c.boundaries.iter().take_while(|&&b| step > b).count();
        c.values[i.min(c.values.len().saturating_sub(1))]
    }
}
impl_schedule!(PiecewiseConstantDecay);

/// The config of [`CosineDecay`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CosineDecayConfig {
    /// The starting rate.
    pub initial_learning_rate: f64,
    /// Steps of the cosine phase (> 0).
    pub decay_steps: u64,
    /// The final rate as a fraction of the peak (default 0).
    #[serde(default)]
    pub alpha: f64,
    /// Keras' name (default `"CosineDecay"`).
    #[serde(default = "cosine_name")]
    pub name: String,
    /// The rate reached after the warmup; `None` (default) skips the warmup.
    #[serde(default)]
    pub warmup_target: Option<f64>,
    /// Steps of the linear warmup (default 0).
    #[serde(default)]
    pub warmup_steps: u64,
}

fn cosine_name() -> String {
    "CosineDecay".into()
}

/// Placeholder values for the required arguments (Keras has no defaults).
impl Default for CosineDecayConfig {
    fn default() -> Self {
        CosineDecayConfig {
            initial_learning_rate: 0.01,
            decay_steps: 1,
            alpha: 0.0,
            name: cosine_name(),
            warmup_target: None,
            warmup_steps: 0,
        }
    }
}

schedule_type!(
    /// Cosine decay from `initial_learning_rate` (or, with a warmup, from
    /// `warmup_target`) to `alpha` times that over `decay_steps`, then
    /// constant. With `warmup_target = Some(t)` the rate first rises
    /// linearly from `initial_learning_rate` to `t` over `warmup_steps`
    /// (`keras.optimizers.schedules.CosineDecay`).
    CosineDecay,
    CosineDecayConfig,
    "CosineDecay"
);

impl CosineDecay {
    /// Cosine decay without warmup, `alpha = 0`.
    pub fn new(initial_learning_rate: f64, decay_steps: u64) -> Self {
        CosineDecay {
            config: CosineDecayConfig {
                initial_learning_rate,
                decay_steps,
                ..Default::default()
            },
        }
    }
    /// Sets [`CosineDecayConfig::alpha`].
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.config.alpha = alpha;
        self
    }
    /// A linear warmup to `target` over `steps` before the cosine phase.
    pub fn warmup(mut self, target: f64, steps: u64) -> Self {
        self.config.warmup_target = Some(target);
        self.config.warmup_steps = steps;
        self
    }
    fn check(&self) -> Result<()> {
        let c = &self.config;
        check_decay_steps(Self::CLASS, c.decay_steps)?;
        check_finite(Self::CLASS, "initial_learning_rate", c.initial_learning_rate)?;
        check_finite(Self::CLASS, "alpha", c.alpha)?;
        if let Some(t) = c.warmup_target {
            check_finite(Self::CLASS, "warmup_target", t)?;
        }
        Ok(())
    }
    fn decay(&self, step: f64, from: f64) -> f64 {
        let c = &self.config;
        let frac = step / c.decay_steps.max(1) as f64;
        let cosine = 0.5 * (1.0 + (std::f64::consts::PI * frac).cos());
        from * ((1.0 - c.alpha) * cosine + c.alpha)
    }
    fn value(&self, step: u64) -> f64 {
        let c = &self.config;
        let d = c.decay_steps as f64;
        match c.warmup_target {
            None => self.decay((step as f64).min(d), c.initial_learning_rate),
            Some(target) => {
                let w = c.warmup_steps as f64;
                let s = (step as f64).min(d + w);
                if s < w {
                    (target - c.initial_learning_rate) * s / w + c.initial_learning_rate
                } else {
                    self.decay(s - w, target)
                }
            }
        }
    }
}
impl_schedule!(CosineDecay);

/// The config of [`InverseTimeDecay`] (the first three are required).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InverseTimeDecayConfig {
    /// The rate at step 0.
    pub initial_learning_rate: f64,
    /// The time unit of the decay (> 0).
    pub decay_steps: u64,
    /// The decay per `decay_steps`.
    pub decay_rate: f64,
    /// Decay at discrete intervals (default false).
    #[serde(default)]
    pub staircase: bool,
    /// Keras' name (default `"InverseTimeDecay"`).
    #[serde(default = "inverse_time_name")]
    pub name: String,
}

fn inverse_time_name() -> String {
    "InverseTimeDecay".into()
}

/// Placeholder values for the required arguments (Keras has no defaults).
impl Default for InverseTimeDecayConfig {
    fn default() -> Self {
        InverseTimeDecayConfig {
            initial_learning_rate: 0.01,
            decay_steps: 1,
            decay_rate: 0.0,
            staircase: false,
            name: inverse_time_name(),
        }
    }
}

schedule_type!(
    /// `initial_learning_rate / (1 + decay_rate * step / decay_steps)` (the
    /// quotient floored with `staircase`;
    /// `keras.optimizers.schedules.InverseTimeDecay`).
    InverseTimeDecay,
    InverseTimeDecayConfig,
    "InverseTimeDecay"
);

impl InverseTimeDecay {
    /// Keras' `InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate)`.
    pub fn new(initial_learning_rate: f64, decay_steps: u64, decay_rate: f64) -> Self {
        InverseTimeDecay {
            config: InverseTimeDecayConfig {
                initial_learning_rate,
                decay_steps,
                decay_rate,
                ..Default::default()
            },
        }
    }
    /// Sets [`InverseTimeDecayConfig::staircase`].
    pub fn staircase(mut self, staircase: bool) -> Self {
        self.config.staircase = staircase;
        self
    }
    fn check(&self) -> Result<()> {
        let c = &self.config;
        check_decay_steps(Self::CLASS, c.decay_steps)?;
        check_finite(Self::CLASS, "initial_learning_rate", c.initial_learning_rate)?;
        check_finite(Self::CLASS, "decay_rate", c.decay_rate)
    }
    fn value(&self, step: u64) -> f64 {
        let c = &self.config;
        let mut p = step as f64 / c.decay_steps.max(1) as f64;
        if c.staircase {
            p = p.floor();
        }
        c.initial_learning_rate / (1.0 + c.decay_rate * p)
    }
}
impl_schedule!(InverseTimeDecay);

/// A registry entry for a built-in schedule.
macro_rules! builtin {
    ($t:ident, $required:expr) => {
        Entry::builtin($t::CLASS, &[], |c: &Value| -> Result<Arc<dyn LearningRateSchedule>> {
            require_fields($t::CLASS, c, $required)?;
            Ok(Arc::new($t::from_config(config_from_value($t::CLASS, c)?)?))
        })
    };
}

fn builtins() -> Vec<Entry<Arc<dyn LearningRateSchedule>>> {
    let decay: &[&str] = &["initial_learning_rate", "decay_steps", "decay_rate"];
    vec![
        builtin!(ExponentialDecay, decay),
        builtin!(PiecewiseConstantDecay, &["boundaries", "values"]),
        builtin!(CosineDecay, &["initial_learning_rate", "decay_steps"]),
        builtin!(InverseTimeDecay, decay),
    ]
}

static REGISTRY: Registry<Arc<dyn LearningRateSchedule>> =
    Registry::new("learning-rate schedule", "keras.optimizers.schedules", exact, builtins);

/// Registers a user schedule class, so [`deserialize`] (and so an
/// optimizer's config) finds it by `class_name`.
pub fn register_schedule(
    class_name: &str,
    factory: impl Fn(&Value) -> Result<Arc<dyn LearningRateSchedule>> + Send + Sync + 'static,
) {
    REGISTRY.register(class_name, Arc::new(factory));
}

/// Keras' serialized form of a schedule:
/// `{"module": "keras.optimizers.schedules", "class_name": ..., "config": {...}, "registered_name": null}`.
pub fn serialize(schedule: &dyn LearningRateSchedule) -> Value {
    REGISTRY.serialize(schedule.class_name(), schedule.get_config())
}

/// The schedule a Keras object (or Keras 2 `{"class_name", "config"}`) describes.
pub fn deserialize(v: &Value) -> Result<Arc<dyn LearningRateSchedule>> {
    REGISTRY.resolve(&read_object("learning-rate schedule", v)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    #[test]
    fn exponential() {
        let s = ExponentialDecay::new(0.1, 100, 0.96);
        close(s.call(0), 0.1);
        close(s.call(50), 0.1 * 0.96f64.powf(0.5));
        let s = s.staircase(true);
        close(s.call(50), 0.1);
        close(s.call(250), 0.1 * 0.96 * 0.96);
    }

    #[test]
    fn piecewise() {
        // Keras' docstring example: 1.0 for steps <= 100000, 0.5 up to 110000, then 0.1.
        let s = PiecewiseConstantDecay::new(vec![100_000, 110_000], vec![1.0, 0.5, 0.1]).unwrap();
        assert_eq!((s.call(0), s.call(100_000), s.call(100_001)), (1.0, 1.0, 0.5));
        assert_eq!((s.call(110_000), s.call(110_001)), (0.5, 0.1));
        assert!(PiecewiseConstantDecay::new(vec![1], vec![1.0]).is_err());
        assert!(PiecewiseConstantDecay::new(vec![5, 2], vec![1.0, 2.0, 3.0]).is_err());
    }

    #[test]
    fn cosine_with_and_without_warmup() {
        let s = CosineDecay::new(0.1, 100);
        close(s.call(0), 0.1);
        close(s.call(50), 0.05);
        close(s.call(100), 0.0);
        close(s.call(1000), 0.0);
        let s = s.alpha(0.2);
        close(s.call(100), 0.02);
        close(s.call(50), 0.1 * (0.8 * 0.5 + 0.2));
        // Warmup 0 -> 1.0 over 10 steps, then cosine from 1.0.
        let w = CosineDecay::new(0.0, 20).warmup(1.0, 10);
        close(w.call(5), 0.5);
        close(w.call(10), 1.0);
        close(w.call(20), 0.5);
        close(w.call(30), 0.0);
    }

    #[test]
    fn inverse_time() {
        let s = InverseTimeDecay::new(0.1, 1, 0.5);
        close(s.call(2), 0.1 / 2.0);
        let s = InverseTimeDecay::new(0.1, 4, 0.5);
        close(s.call(2), 0.1 / 1.25);
        let s = s.staircase(true);
        close(s.call(2), 0.1);
        close(s.call(9), 0.1 / 2.0);
    }
}
