//! RMSprop (`keras.optimizers.RMSprop`), Keras 3's form (epsilon inside the
//! square root):
//!
//! ```text
//! v = rho * v + (1 - rho) * g²
//! a = rho * a + (1 - rho) * g                 (centered only)
//! increment = lr * g / sqrt(v - a² + eps)     (centered; else sqrt(v + eps))
//! m = momentum * m + increment; w -= m        (momentum > 0; else w -= increment)
//! ```
//!
//! ```
//! use keraslike::optimizers::{Optimizer, RMSprop, RMSpropOptions};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! // Keras' docstring example: lr 0.1, var 10, loss var²/2 (gradient = var).
//! let w = Variable::new("w", Tensor::new(&[10.0f32], &[1])?);
//! let mut opt = RMSprop::new(RMSpropOptions { learning_rate: 0.1.into(), ..Default::default() });
//! opt.apply_gradients(&[w.read_value()?], &[w.clone()])?;
//! assert!((w.to_vec::<f32>()?[0] - 9.683772).abs() < 1e-5);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, Core, Grad, LearningRate, OptimizerOptions};
use crate::Result;
use serde_json::json;
use tensorlow::Variable;

/// Options of [`RMSprop`], with Keras' defaults.
#[derive(Debug)]
pub struct RMSpropOptions {
    /// The step size (default 0.001).
    pub learning_rate: LearningRate,
    /// Decay of the squared-gradient average (default 0.9).
    pub rho: f64,
    /// Momentum of the increments (default 0).
    pub momentum: f64,
    /// Added under the square root (default 1e-7).
    pub epsilon: f64,
    /// Normalise by the estimated variance instead of the second moment (default false).
    pub centered: bool,
    /// Weight decay and gradient clipping.
    pub base: OptimizerOptions,
}

impl Default for RMSpropOptions {
    fn default() -> Self {
        RMSpropOptions {
            learning_rate: 0.001.into(),
            rho: 0.9,
            momentum: 0.0,
            epsilon: 1e-7,
            centered: false,
            base: OptimizerOptions::default(),
        }
    }
}

/// The RMSprop optimizer (`keras.optimizers.RMSprop`).
pub struct RMSprop {
    core: Core,
    rho: f64,
    momentum: f64,
    epsilon: f64,
    centered: bool,
}

impl RMSprop {
    /// An RMSprop optimizer.
    pub fn new(o: RMSpropOptions) -> Self {
        RMSprop {
            core: Core::new("rmsprop", o.learning_rate, o.base),
            rho: o.rho,
            momentum: o.momentum,
            epsilon: o.epsilon,
            centered: o.centered,
        }
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], lr: f64) -> Result<()> {
        let keep = self.core.keep(lr);
        let (rho, mom, eps, centered) = (self.rho, self.momentum, self.epsilon, self.centered);
        let mut specs = vec![("velocity", 0.0)];
        if mom > 0.0 {
            specs.push(("momentum", 0.0));
        }
        if centered {
            specs.push(("average_gradient", 0.0));
        }
        for (g, w) in grads.iter().zip(vars) {
            let s = self.core.slots(w, &specs)?;
            let v = &s[0];
            v.assign_axpby_square(rho, (1.0 - rho) * g.scale * g.scale, &g.g)?;
            // The denominator's base: v, or v - a² when centered (one temporary).
            let centered_den;
            let den: &tensorlow::Tensor = if centered {
                let a = s.last().expect("average_gradient slot");
                a.assign_axpby(rho, (1.0 - rho) * g.scale, &g.g)?;
                centered_den = v.sub(&a.square()?)?;
                &centered_den
            } else {
                v
            };
            if mom > 0.0 {
                let m = &s[1];
                m.assign_add_ratio(mom, lr * g.scale, &g.g, den, eps, 0.0)?;
                w.assign_axpby(keep, -1.0, m)?;
            } else {
                w.assign_add_ratio(keep, -lr * g.scale, &g.g, den, eps, 0.0)?;
            }
        }
        Ok(())
    }

    fn hyper(&self) -> serde_json::Value {
        json!({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered})
    }
}

impl Default for RMSprop {
    fn default() -> Self {
        Self::new(RMSpropOptions::default())
    }
}

impl_optimizer!(RMSprop);

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
mod tests {
    use super::*;
    use crate::optimizers::Optimizer;
    use tensorlow::Tensor;

    #[test]
    fn momentum_and_centered_by_hand() -> Result<()> {
        let gs = [0.5f64, -1.5, 2.0];
        let w = Variable::new("w", Tensor::new(&[1.0f64], &[1])?);
        let mut opt = RMSprop::new(RMSpropOptions {
            learning_rate: 0.01.into(),
            momentum: 0.5,
            centered: true,
            ..Default::default()
        });
        let (mut wh, mut v, mut a, mut m) = (1.0f64, 0.0, 0.0, 0.0);
        for g in gs {
            opt.apply_gradients(&[Tensor::new(&[g], &[1])?], &[w.clone()])?;
            v = 0.9 * v + 0.1 * g * g;
            a = 0.9 * a + 0.1 * g;
            let inc = 0.01 * g / (v - a * a + 1e-7).sqrt();
            m = 0.5 * m + inc;
            wh -= m;
            assert!((w.to_vec::<f64>()?[0] - wh).abs() < 1e-12);
        }
        assert_eq!(opt.variables().len(), 3);
        Ok(())
    }
}
