//! Gradient descent with optional (Nesterov) momentum (`keras.optimizers.SGD`).
//!
//! Keras 3's update, with `v` the velocity (zeros at first):
//! - `momentum = 0`: `w -= lr * g`
//! - otherwise `v = momentum * v - lr * g`, then `w += v`, or with
//!   `nesterov`, `w += momentum * v - lr * g`.
//!
//! ```
//! use keraslike::optimizers::{Optimizer, SGD, SGDOptions};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f32], &[1])?);
//! let mut opt = SGD::new(SGDOptions { learning_rate: 0.1.into(), momentum: 0.9, ..Default::default() });
//! let g = Tensor::new(&[1.0f32], &[1])?;
//! opt.apply_gradients(&[g.clone()], &[w.clone()])?; // v = -0.1, w = 0.9
//! opt.apply_gradients(&[g], &[w.clone()])?; // v = -0.19, w = 0.71
//! assert!((w.to_vec::<f32>()?[0] - 0.71).abs() < 1e-6);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, Core, Grad, LearningRate, OptimizerOptions};
use crate::{Error, Result};
use serde_json::json;
use tensorlow::Variable;

/// Options of [`SGD`], with Keras' defaults.
#[derive(Debug)]
pub struct SGDOptions {
    /// The step size (default 0.01).
    pub learning_rate: LearningRate,
    /// Velocity decay in `[0, 1]`; 0 (default) is plain gradient descent.
    pub momentum: f64,
    /// Use Nesterov momentum (default false).
    pub nesterov: bool,
    /// Weight decay and gradient clipping.
    pub base: OptimizerOptions,
}

impl Default for SGDOptions {
    fn default() -> Self {
        SGDOptions {
            learning_rate: 0.01.into(),
            momentum: 0.0,
            nesterov: false,
            base: OptimizerOptions::default(),
        }
    }
}

/// Stochastic gradient descent (`keras.optimizers.SGD`).
pub struct SGD {
    core: Core,
    momentum: f64,
    nesterov: bool,
}

impl SGD {
    /// An SGD optimizer; errors if `momentum` is outside `[0, 1]`.
    pub fn try_new(o: SGDOptions) -> Result<Self> {
        if !(0.0..=1.0).contains(&o.momentum) {
            return Err(Error::arg(format!(
                "SGD: momentum must be in [0, 1], got {}",
                o.momentum
            )));
        }
        Ok(Self::new(o))
    }

    /// An SGD optimizer (an out-of-range momentum is clamped to `[0, 1]`;
    /// use [`SGD::try_new`] to get an error instead).
    pub fn new(o: SGDOptions) -> Self {
        SGD {
            core: Core::new("SGD", o.learning_rate, o.base),
            momentum: o.momentum.clamp(0.0, 1.0),
            nesterov: o.nesterov,
        }
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], lr: f64) -> Result<()> {
        let keep = self.core.keep(lr);
        for (g, w) in grads.iter().zip(vars) {
            let step = -lr * g.scale;
            if self.momentum == 0.0 {
                w.assign_axpby(keep, step, &g.g)?;
                continue;
            }
            let m = &self.core.slots(w, &[("momentum", 0.0)])?[0];
            m.assign_axpby(self.momentum, step, &g.g)?;
            if self.nesterov {
                w.assign_axpby(keep, self.momentum, m)?;
                w.assign_axpby(1.0, step, &g.g)?;
            } else {
                w.assign_axpby(keep, 1.0, m)?;
            }
        }
        Ok(())
    }

    fn hyper(&self) -> serde_json::Value {
        json!({"momentum": self.momentum, "nesterov": self.nesterov})
    }
}

impl Default for SGD {
    fn default() -> Self {
        Self::new(SGDOptions::default())
    }
}

impl_optimizer!(SGD);

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
mod tests {
    use super::*;
    use crate::optimizers::Optimizer;
    use tensorlow::Tensor;

    fn var(v: &[f64]) -> Variable {
        Variable::new("w", Tensor::new(v, &[v.len()]).unwrap())
    }

    #[test]
    fn plain_momentum_and_nesterov_by_hand() -> Result<()> {
        let g = Tensor::new(&[1.0f64, -2.0], &[2])?;
        // Plain: w -= 0.01 g (Keras' default learning rate).
        let w = var(&[1.0, 1.0]);
        let mut opt = SGD::default();
        opt.apply_gradients(&[g.clone()], &[w.clone()])?;
        assert_eq!(w.to_vec::<f64>()?, vec![0.99, 1.02]);
        assert!(opt.variables().is_empty());

        // Momentum 0.9, lr 0.1: v1 = -0.1 g, w1 = w0 + v1; v2 = 0.9 v1 - 0.1 g = -0.19 g.
        let w = var(&[1.0, 1.0]);
        let mut opt = SGD::new(SGDOptions {
            learning_rate: 0.1.into(),
            momentum: 0.9,
            ..Default::default()
        });
        for _ in 0..2 {
            opt.apply_gradients(&[g.clone()], &[w.clone()])?;
        }
        let got = w.to_vec::<f64>()?;
        let want = [1.0 - 0.29, 1.0 + 0.58];
        assert!(got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12), "{got:?}");

        // Nesterov: w += 0.9 v - 0.1 g: step 1: v=-0.1g, dw=-0.19g; step 2: v=-0.19g, dw=-0.271g.
        let w = var(&[1.0, 1.0]);
        let mut opt = SGD::new(SGDOptions {
            learning_rate: 0.1.into(),
            momentum: 0.9,
            nesterov: true,
            ..Default::default()
        });
        for _ in 0..2 {
            opt.apply_gradients(&[g.clone()], &[w.clone()])?;
        }
        let got = w.to_vec::<f64>()?;
        let want = [1.0 - 0.461, 1.0 + 0.922];
        assert!(got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12), "{got:?}");
        assert_eq!(opt.variables().len(), 1);
        assert_eq!(opt.iterations(), 2);
        Ok(())
    }

    #[test]
    fn weight_decay_is_applied_before_the_step() -> Result<()> {
        // w = 2: w - w*wd*lr = 2 - 2*0.5*0.1 = 1.9, then -= 0.1*1 -> 1.8.
        let w = var(&[2.0]);
        let mut opt = SGD::new(SGDOptions {
            learning_rate: 0.1.into(),
            base: OptimizerOptions {
                weight_decay: Some(0.5),
                ..Default::default()
            },
            ..Default::default()
        });
        opt.apply_gradients(&[Tensor::new(&[1.0f64], &[1])?], &[w.clone()])?;
        assert!((w.to_vec::<f64>()?[0] - 1.8).abs() < 1e-12);
        assert!(SGD::try_new(SGDOptions {
            momentum: 1.5,
            ..Default::default()
        })
        .is_err());
        Ok(())
    }
}
