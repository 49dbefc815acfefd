//! Weight regularizers (`keras.regularizers`): penalties added to the loss.
//!
//! Keras' formulas, without a `1/2`: `L1` adds `l1 * sum(|w|)`, `L2` adds
//! `l2 * sum(w²)`, `L1L2` both. `L1` and `L2` default to `0.01`; `L1L2`
//! defaults to zero for both (Keras 3).
//!
//! ```
//! use keraslike::regularizers::Regularizer;
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let w = Tensor::new(&[1.0f32, -2.0], &[2])?;
//! let p = Regularizer::l2(0.01).penalty(&w)?.to_scalar::<f32>()?;
//! assert!((p - 0.05).abs() < 1e-7); // 0.01 * (1 + 4)
//! # Ok(()) }
//! ```

use crate::{Error, Result};
use serde_json::json;
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

    /// Keras' serialized form, e.g. `{"class_name": "L2", "config": {"l2": 0.01}}`.
    pub fn get_config(&self) -> serde_json::Value {
        match *self {
            Regularizer::L1(l1) => json!({ "class_name": "L1", "config": { "l1": l1 } }),
            Regularizer::L2(l2) => json!({ "class_name": "L2", "config": { "l2": l2 } }),
            Regularizer::L1L2 { l1, l2 } => json!({ "class_name": "L1L2", "config": { "l1": l1, "l2": l2 } }),
        }
    }
}

/// The regularizer with Keras name `name` (`"l1"`, `"l2"`, `"l1_l2"`), with
/// Keras 3's defaults.
pub fn get(name: &str) -> Result<Regularizer> {
    match name.to_ascii_lowercase().replace('_', "").as_str() {
        "l1" => Ok(Regularizer::L1(0.01)),
        "l2" => Ok(Regularizer::L2(0.01)),
        "l1l2" => Ok(Regularizer::L1L2 { l1: 0.0, l2: 0.0 }),
        _ => Err(Error::arg(format!("unknown regularizer {name:?}; use l1, l2 or l1_l2"))),
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
        assert_eq!(Regularizer::l2(0.01).get_config()["class_name"], "L2");
        assert!(get("l3").unwrap_err().to_string().contains("l3"));
    }
}
