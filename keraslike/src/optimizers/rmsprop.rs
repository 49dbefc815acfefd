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
//! use keraslike::optimizers::{Optimizer, RMSprop};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! // Keras' docstring example: lr 0.1, var 10, loss var²/2 (gradient = var).
//! let w = Variable::new("w", Tensor::new(&[10.0f32], &[1])?);
//! let mut opt = RMSprop::new(0.1);
//! opt.apply_gradients(&[w.read_value()?], &[w.clone()])?;
//! assert!((w.to_vec::<f32>()?[0] - 9.683772).abs() < 1e-5);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, optimizer_type, Grad, SlotGroups};
use crate::{Error, Result};
use tensorlow::Variable;

optimizer_type! {
    /// The RMSprop optimizer (`keras.optimizers.RMSprop`).
    RMSprop,
    /// The config of [`RMSprop`] (`keras.optimizers.RMSprop(...).get_config()`).
    RMSpropConfig {
        class: "RMSprop",
        name: "rm_sprop",
        learning_rate: 0.001,
        weight_decay: None,
        fields: {
            /// Decay of the squared-gradient average, in `[0, 1]` (default 0.9).
            rho: f64 = 0.9,
            /// Momentum of the increments, >= 0 (default 0).
            momentum: f64 = 0.0,
            /// Added under the square root (default 1e-7).
            epsilon: f64 = 1e-7,
            /// Normalise by the estimated variance instead of the second moment (default false).
            centered: bool = false,
        }
    }
}

impl RMSprop {
    fn validate_hyper(&self) -> Result<()> {
        let c = &self.config;
        if !(0.0..=1.0).contains(&c.rho) {
            return Err(Error::arg(format!("RMSprop: rho must be in [0, 1], got {}", c.rho)));
        }
        if !(c.momentum >= 0.0 && c.momentum.is_finite()) {
            return Err(Error::arg(format!(
                "RMSprop: momentum must be >= 0, got {}",
                c.momentum
            )));
        }
        if !(c.epsilon >= 0.0 && c.epsilon.is_finite()) {
            return Err(Error::arg(format!("RMSprop: epsilon must be >= 0, got {}", c.epsilon)));
        }
        Ok(())
    }

    /// Keras' order: every velocity, then every momentum (momentum > 0),
    /// then every average gradient (centered).
    fn slot_groups(&self) -> SlotGroups {
        let mut groups = vec![vec![("velocity", 0.0)]];
        if self.config.momentum > 0.0 {
            groups.push(vec![("momentum", 0.0)]);
        }
        if self.config.centered {
            groups.push(vec![("average_gradient", 0.0)]);
        }
        groups
    }

    fn extras(&self) -> &'static [(&'static str, f64)] {
        &[]
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], pos: &[usize], lr: f64) -> Result<()> {
        let keep = 1.0 - lr * self.config.base.weight_decay.unwrap_or(0.0);
        let c = &self.config;
        let (rho, mom, eps, centered) = (c.rho, c.momentum, c.epsilon, c.centered);
        for ((g, w), &i) in grads.iter().zip(vars).zip(pos) {
            let s = self.core.slots(i);
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
        let mut opt = RMSprop::new(0.01).momentum(0.5).centered(true);
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
