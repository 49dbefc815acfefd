//! Weight regularizers (`keras.regularizers`): penalties added to the loss.
//!
//! Keras' formulas, without a `1/2`: `L1` adds `l1 * sum(|w|)`, `L2` adds
//! `l2 * sum(w²)`, `L1L2` both. `L1` and `L2` default to `0.01`; `L1L2`
//! defaults to zero for both (Keras 3).
//!
//! Each class has a config struct with Keras' field names ([`L1Config`],
//! [`L2Config`], [`L1L2Config`]); [`serialize`] and [`deserialize`] give and
//! read Keras' serialized form, and `Regularizer` implements
//! `Serialize`/`Deserialize` in that form.
//!
//! ```
//! use keraslike::regularizers::{self, Regularizer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let w = Tensor::new(&[1.0f32, -2.0], &[2])?;
//! let p = Regularizer::l2(0.01).penalty(&w)?.to_scalar::<f32>()?;
//! assert!((p - 0.05).abs() < 1e-7); // 0.01 * (1 + 4)
//! let v = regularizers::serialize(&Regularizer::l1_l2(0.1, 0.2));
//! assert_eq!((v["class_name"].as_str(), v["config"]["l2"].as_f64()), (Some("L1L2"), Some(0.2)));
//! assert_eq!(regularizers::deserialize(&v)?, Regularizer::l1_l2(0.1, 0.2));
//! # Ok(()) }
//! ```

use crate::saving::registry::{squashed, Entry, Registry};
use crate::saving::{config_from_value, config_to_value, read_object};
use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::sync::Arc;
use tensorlow::Tensor;

/// A weight penalty.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Regularizer {
    /// `l1 * sum(|w|)` (`"l1"`, Keras default 0.01).
    L1(f64),
    /// `l2 * sum(w²)` (`"l2"`, Keras default 0.01).
    L2(f64),
    /// `l1 * sum(|w|) + l2 * sum(w²)` (`"l1_l2"`).
    L1L2 {
        /// L1 factor.
        l1: f64,
        /// L2 factor.
        l2: f64,
    },
}

/// The config of `L1`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct L1Config {
    /// The L1 factor (default 0.01).
    pub l1: f64,
}

impl Default for L1Config {
    fn default() -> Self {
        L1Config { l1: 0.01 }
    }
}

/// The config of `L2`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct L2Config {
    /// The L2 factor (default 0.01).
    pub l2: f64,
}

impl Default for L2Config {
    fn default() -> Self {
        L2Config { l2: 0.01 }
    }
}

/// The config of `L1L2` (both factors default to 0, as in Keras 3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct L1L2Config {
    /// The L1 factor.
    pub l1: f64,
    /// The L2 factor.
    pub l2: f64,
}

impl Regularizer {
    /// `l1 * sum(|w|)`.
    pub fn l1(l1: f64) -> Self {
        Regularizer::L1(l1)
    }
    /// `l2 * sum(w²)`.
    pub fn l2(l2: f64) -> Self {
        Regularizer::L2(l2)
    }
    /// `l1 * sum(|w|) + l2 * sum(w²)`.
    pub fn l1_l2(l1: f64, l2: f64) -> Self {
        Regularizer::L1L2 { l1, l2 }
    }

    fn factors(&self) -> (f64, f64) {
        match *self {
            Regularizer::L1(l1) => (l1, 0.0),
            Regularizer::L2(l2) => (0.0, l2),
            Regularizer::L1L2 { l1, l2 } => (l1, l2),
        }
    }

    /// The penalty for weight `w`, a differentiable scalar.
    pub fn penalty(&self, w: &Tensor) -> Result<Tensor> {
        let (l1, l2) = self.factors();
        let mut total: Option<Tensor> = None;
        if l1 != 0.0 {
            total = Some(w.abs()?.sum_all()?.affine(l1, 0.0)?);
        }
        if l2 != 0.0 {
            let p = w.square()?.sum_all()?.affine(l2, 0.0)?;
            total = Some(match total {
                Some(t) => t.add(&p)?,
                None => p,
            });
        }
        match total {
            Some(t) => Ok(t),
            // Zero factors: a zero that still has the weight's dtype and device.
            None => Ok(Tensor::full_scalar(0.0, w.dtype(), &w.device())?),
        }
    }

    /// The Keras class name: `"L1"`, `"L2"` or `"L1L2"`.
    pub fn class_name(&self) -> &'static str {
        match self {
            Regularizer::L1(_) => "L1",
            Regularizer::L2(_) => "L2",
            Regularizer::L1L2 { .. } => "L1L2",
        }
    }

    /// Keras' serialized form, the same as [`serialize`]:
    /// `{"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null}`.
    /// (Layers store this in their configs; the bare config is [`Regularizer::config`].)
    pub fn get_config(&self) -> Value {
        serialize(self)
    }

    /// The config alone (what Keras' `get_config()` returns), e.g. `{"l2": 0.01}`.
    pub fn config(&self) -> Value {
        match *self {
            Regularizer::L1(l1) => config_to_value(&L1Config { l1 }),
            Regularizer::L2(l2) => config_to_value(&L2Config { l2 }),
            Regularizer::L1L2 { l1, l2 } => config_to_value(&L1L2Config { l1, l2 }),
        }
    }

    /// Checks the factors (finite and >= 0, as Keras requires).
    pub fn validate(&self) -> Result<()> {
        let (l1, l2) = self.factors();
        for (what, v) in [("l1", l1), ("l2", l2)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(Error::arg(format!(
                    "{}: {what} must be a number >= 0, got {v}",
                    self.class_name()
                )));
            }
        }
        Ok(())
    }
}

fn builtins() -> Vec<Entry<Regularizer>> {
    vec![
        Entry::builtin("L1", &["l1"], |c: &Value| {
            Ok(Regularizer::L1(config_from_value::<L1Config>("L1", c)?.l1))
        }),
        Entry::builtin("L2", &["l2"], |c: &Value| {
            Ok(Regularizer::L2(config_from_value::<L2Config>("L2", c)?.l2))
        }),
        Entry::builtin("L1L2", &["l1_l2"], |c: &Value| {
            let c: L1L2Config = config_from_value("L1L2", c)?;
            Ok(Regularizer::L1L2 { l1: c.l1, l2: c.l2 })
        }),
    ]
}

/// Class names and aliases, compared ignoring case and underscores.
static REGISTRY: Registry<Regularizer> = Registry::new("regularizer", "keras.regularizers", squashed, builtins);

/// Registers another name for a regularizer: `factory` builds it from the
/// config under that class name (a [`Regularizer`] is one of Keras' three
/// kinds, so a registered class maps onto one of them).
pub fn register_regularizer(class_name: &str, factory: impl Fn(&Value) -> Result<Regularizer> + Send + Sync + 'static) {
    REGISTRY.register(class_name, Arc::new(factory));
}

/// Keras' serialized form, e.g.
/// `{"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null}`.
pub fn serialize(r: &Regularizer) -> Value {
    crate::saving::serialize("keras.regularizers", r.class_name(), r.config())
}

/// The regularizer a Keras object, a Keras 2 `{"class_name", "config"}` or a
/// name describes, validated.
pub fn deserialize(v: &Value) -> Result<Regularizer> {
    let r = REGISTRY.resolve(&read_object("regularizer", v)?)?;
    r.validate()?;
    Ok(r)
}

/// The regularizer with Keras name `name` (`"l1"`, `"l2"`, `"l1_l2"`, or a
/// class name), with Keras 3's defaults; an unknown name suggests the
/// closest known one.
pub fn get(name: &str) -> Result<Regularizer> {
    deserialize(&Value::String(name.to_string()))
}

impl Serialize for Regularizer {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serialize(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Regularizer {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        deserialize(&v).map_err(serde::de::Error::custom)
    }
}

/// Anything a layer accepts as a regularizer: a [`Regularizer`] or a name.
pub trait IntoRegularizer {
    /// Resolves to a regularizer (a name may be unknown).
    fn into_regularizer(self) -> Result<Regularizer>;
}

impl IntoRegularizer for Regularizer {
    fn into_regularizer(self) -> Result<Regularizer> {
        Ok(self)
    }
}

impl IntoRegularizer for &str {
    fn into_regularizer(self) -> Result<Regularizer> {
        get(self)
    }
}

/// The sum of a layer's penalties, `None` when no weight has a regularizer:
/// each `(regularizer, weight)` pair adds `regularizer.penalty(weight)` where
/// both exist, in the order given (the layers' weight order).
pub(crate) fn total_penalty<'a>(
    pairs: impl IntoIterator<Item = (&'a Option<Regularizer>, Option<&'a tensorlow::Variable>)>,
) -> Result<Option<Tensor>> {
    let mut total: Option<Tensor> = None;
    for (reg, w) in pairs {
        if let (Some(r), Some(w)) = (reg, w) {
            let p = r.penalty(w)?;
            total = Some(match total {
                Some(t) => t.add(&p)?,
                None => p,
            });
        }
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn penalties_follow_keras_formulas() {
        let w = Tensor::new(&[1.0f64, -2.0, 0.5], &[3]).unwrap();
        let p = |r: Regularizer| r.penalty(&w).unwrap().to_scalar::<f64>().unwrap();
        // sum|w| = 3.5, sum w² = 5.25
        assert!((p(get("l1").unwrap()) - 0.035).abs() < 1e-15);
        assert!((p(get("l2").unwrap()) - 0.0525).abs() < 1e-15);
        assert!((p(Regularizer::l1_l2(0.1, 0.2)) - (0.35 + 1.05)).abs() < 1e-12);
        assert_eq!(p(get("l1_l2").unwrap()), 0.0);
    }

    #[test]
    fn l2_gradient_is_two_l2_w() {
        let w = tensorlow::Variable::new("w", Tensor::new(&[1.0f64, -3.0], &[2]).unwrap());
        let tape = tensorlow::GradientTape::new();
        let p = Regularizer::l2(0.5).penalty(&w).unwrap();
        let g = tape.gradient(&p, &[&w]).unwrap()[0].clone().unwrap();
        assert_eq!(g.to_vec::<f64>().unwrap(), vec![1.0, -3.0]);
    }

    #[test]
    fn config_and_unknown_names() {
        assert_eq!(serialize(&Regularizer::l2(0.01))["class_name"], "L2");
        assert_eq!(Regularizer::l1(0.3).config(), serde_json::json!({"l1": 0.3}));
        assert_eq!(
            Regularizer::l1(0.3).get_config()["config"],
            serde_json::json!({"l1": 0.3})
        );
        let err = get("l3").unwrap_err().to_string();
        assert!(err.contains("\"l3\"") && err.contains("did you mean"), "{err}");
        assert_eq!(get("L1L2").unwrap(), Regularizer::l1_l2(0.0, 0.0));
        // Keras 2 form and a negative factor.
        let v = serde_json::json!({"class_name": "L1", "config": {"l1": -1.0}});
        assert!(deserialize(&v).unwrap_err().to_string().contains("l1 must be"));
        let v = serde_json::json!({"class_name": "L2", "config": {"l1": 0.1}});
        assert!(deserialize(&v)
            .unwrap_err()
            .to_string()
            .contains("unknown option \"l1\""));
    }
}
