//! Gradient descent with optional (Nesterov) momentum (`keras.optimizers.SGD`).
//!
//! Keras 3's update, with `v` the velocity (zeros at first):
//! - `momentum = 0`: `w -= lr * g`
//! - otherwise `v = momentum * v - lr * g`, then `w += v`, or with
//!   `nesterov`, `w += momentum * v - lr * g`.
//!
//! ```
//! use keraslike::optimizers::{Optimizer, SGD};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f32], &[1])?);
//! let mut opt = SGD::new(0.1).momentum(0.9);
//! let g = Tensor::new(&[1.0f32], &[1])?;
//! opt.apply_gradients(&[g.clone()], &[w.clone()])?; // v = -0.1, w = 0.9
//! opt.apply_gradients(&[g], &[w.clone()])?; // v = -0.19, w = 0.71
//! assert!((w.to_vec::<f32>()?[0] - 0.71).abs() < 1e-6);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, optimizer_type, Grad, SlotGroups};
use crate::{Error, Result};
use tensorlow::Variable;

optimizer_type! {
    /// Stochastic gradient descent (`keras.optimizers.SGD`).
    SGD,
    /// The config of [`SGD`] (`keras.optimizers.SGD(...).get_config()`).
    SGDConfig {
        class: "SGD",
        name: "sgd",
        learning_rate: 0.01,
        weight_decay: None,
        fields: {
            /// Velocity decay in `[0, 1]`; 0 (default) is plain gradient descent.
            momentum: f64 = 0.0,
            /// Use Nesterov momentum (default false).
            nesterov: bool = false,
        }
    }
}

impl SGD {
    fn validate_hyper(&self) -> Result<()> {
        let m = self.config.momentum;
        if !(0.0..=1.0).contains(&m) {
            return Err(Error::arg(format!("SGD: momentum must be in [0, 1], got {m}")));
        }
        Ok(())
    }

    /// A velocity per variable when there is momentum (Keras creates none otherwise).
    fn slot_groups(&self) -> SlotGroups {
        if self.config.momentum != 0.0 {
            vec![vec![("momentum", 0.0)]]
        } else {
            Vec::new()
        }
    }

    fn extras(&self) -> &'static [(&'static str, f64)] {
        &[]
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], pos: &[usize], lr: f64) -> Result<()> {
        let keep = 1.0 - lr * self.config.base.weight_decay.unwrap_or(0.0);
        let (momentum, nesterov) = (self.config.momentum, self.config.nesterov);
        for ((g, w), &i) in grads.iter().zip(vars).zip(pos) {
            let step = -lr * g.scale;
            if momentum == 0.0 {
                w.assign_axpby(keep, step, &g.g)?;
                continue;
            }
            let m = &self.core.slots(i)[0];
            m.assign_axpby(momentum, step, &g.g)?;
            if nesterov {
                w.assign_axpby(keep, momentum, m)?;
                w.assign_axpby(1.0, step, &g.g)?;
            } else {
                w.assign_axpby(keep, 1.0, m)?;
            }
        }
        Ok(())
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
        let mut opt = SGD::new(0.1).momentum(0.9);
        for _ in 0..2 {
            opt.apply_gradients(&[g.clone()], &[w.clone()])?;
        }
        let got = w.to_vec::<f64>()?;
        let want = [1.0 - 0.29, 1.0 + 0.58];
        assert!(got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12), "{got:?}");

        // Nesterov: w += 0.9 v - 0.1 g: step 1: v=-0.1g, dw=-0.19g; step 2: v=-0.19g, dw=-0.271g.
        let w = var(&[1.0, 1.0]);
        let mut opt = SGD::new(0.1).momentum(0.9).nesterov(true);
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
        let mut opt = SGD::new(0.1).weight_decay(0.5);
        opt.apply_gradients(&[Tensor::new(&[1.0f64], &[1])?], &[w.clone()])?;
        assert!((w.to_vec::<f64>()?[0] - 1.8).abs() < 1e-12);
        // Keras: "`momentum` must be a float between [0, 1]".
        assert!(SGD::new(0.1).momentum(1.5).validate().is_err());
        let w = var(&[2.0]);
        let err = SGD::new(0.1)
            .momentum(-0.5)
            .apply_gradients(&[Tensor::new(&[1.0f64], &[1])?], &[w.clone()])
            .unwrap_err();
        assert!(err.to_string().contains("momentum must be in [0, 1]"), "{err}");
        assert_eq!(w.to_vec::<f64>()?, vec![2.0]);
        Ok(())
    }
}
