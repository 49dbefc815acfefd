//! Adamax (`keras.optimizers.Adamax`): Adam with the infinity norm. Keras 3:
//!
//! ```text
//! m += (g - m) * (1 - beta_1)
//! u = max(beta_2 * u, |g|)
//! w -= lr * m / ((1 - beta_1^t) * (u + epsilon))
//! ```
//!
//! ```
//! use keraslike::optimizers::{Adamax, Optimizer};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f64], &[1])?);
//! let mut opt = Adamax::default();
//! opt.apply_gradients(&[Tensor::new(&[2.0f64], &[1])?], &[w.clone()])?;
//! // m = 0.2, u = 2: w = 1 - 0.001 * 0.2 / (0.1 * (2 + 1e-7))
//! assert!((w.to_vec::<f64>()?[0] - (1.0 - 0.0002 / (0.1 * (2.0 + 1e-7)))).abs() < 1e-12);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, optimizer_type, Grad, SlotGroups};
use crate::{Error, Result};
use tensorlow::Variable;

optimizer_type! {
    /// The Adamax optimizer (`keras.optimizers.Adamax`).
    Adamax,
    /// The config of [`Adamax`] (`keras.optimizers.Adamax(...).get_config()`).
    AdamaxConfig {
        class: "Adamax",
        name: "adamax",
        learning_rate: 0.001,
        weight_decay: None,
        fields: {
            /// Decay of the first-moment estimate, in `[0, 1)` (default 0.9).
            beta_1: f64 = 0.9,
            /// Decay of the infinity norm, in `[0, 1]` (default 0.999).
            beta_2: f64 = 0.999,
            /// Added to the norm for stability (default 1e-7).
            epsilon: f64 = 1e-7,
        }
    }
}

impl Adamax {
    fn validate_hyper(&self) -> Result<()> {
        let c = &self.config;
        if !(0.0..1.0).contains(&c.beta_1) {
            return Err(Error::arg(format!(
                "Adamax: beta_1 must be in [0, 1), got {}",
                c.beta_1
            )));
        }
        if !(0.0..=1.0).contains(&c.beta_2) {
            return Err(Error::arg(format!(
                "Adamax: beta_2 must be in [0, 1], got {}",
                c.beta_2
            )));
        }
        if !(c.epsilon >= 0.0 && c.epsilon.is_finite()) {
            return Err(Error::arg(format!("Adamax: epsilon must be >= 0, got {}", c.epsilon)));
        }
        Ok(())
    }

    /// Keras' order: momentum and norm per variable.
    fn slot_groups(&self) -> SlotGroups {
        vec![vec![("momentum", 0.0), ("norm", 0.0)]]
    }

    fn extras(&self) -> &'static [(&'static str, f64)] {
        &[]
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], pos: &[usize], lr: f64) -> Result<()> {
        let t = (self.core.iterations + 1) as f64;
        let keep = 1.0 - lr * self.config.base.weight_decay.unwrap_or(0.0);
        let (b1, b2, eps) = (self.config.beta_1, self.config.beta_2, self.config.epsilon);
        let c = -lr / (1.0 - b1.powf(t));
        for ((g, w), &i) in grads.iter().zip(vars).zip(pos) {
            let s = self.core.slots(i);
            let (m, u) = (&s[0], &s[1]);
            m.assign_axpby(b1, (1.0 - b1) * g.scale, &g.g)?;
            let gs = g.scaled()?;
            u.assign(&u.affine(b2, 0.0)?.maximum(&gs.abs()?)?)?;
            // w = keep w + c m / (u + eps): the ratio kernel with sqrt(u²) = u (u >= 0).
            let step = m.div(&u.affine(1.0, eps)?)?;
            w.assign_axpby(keep, c, &step)?;
        }
        Ok(())
    }
}

impl_optimizer!(Adamax);

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
mod tests {
    use super::*;
    use crate::optimizers::Optimizer;
    use tensorlow::Tensor;

    #[test]
    fn three_steps_by_hand() -> Result<()> {
        let w = Variable::new("w", Tensor::new(&[0.5f64], &[1])?);
        let mut opt = Adamax::default();
        let (mut wh, mut m, mut u) = (0.5f64, 0.0, 0.0f64);
        for (t, g) in [3.0f64, -1.0, 0.5].into_iter().enumerate() {
            opt.apply_gradients(&[Tensor::new(&[g], &[1])?], &[w.clone()])?;
            m += (g - m) * 0.1;
            u = (0.999 * u).max(g.abs());
            wh -= 0.001 * m / ((1.0 - 0.9f64.powi(t as i32 + 1)) * (u + 1e-7));
            assert!((w.to_vec::<f64>()?[0] - wh).abs() < 1e-12);
        }
        Ok(())
    }
}
