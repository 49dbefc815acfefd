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

use super::base::{impl_optimizer, Core, Grad, LearningRate, OptimizerOptions};
use crate::Result;
use serde_json::json;
use tensorlow::Variable;

/// Options of [`Adamax`], with Keras' defaults.
#[derive(Debug)]
pub struct AdamaxOptions {
    /// The step size (default 0.001).
    pub learning_rate: LearningRate,
    /// Decay of the first-moment estimate (default 0.9).
    pub beta_1: f64,
    /// Decay of the infinity norm (default 0.999).
    pub beta_2: f64,
    /// Added to the norm for stability (default 1e-7).
    pub epsilon: f64,
    /// Weight decay and gradient clipping.
    pub base: OptimizerOptions,
}

impl Default for AdamaxOptions {
    fn default() -> Self {
        AdamaxOptions {
            learning_rate: 0.001.into(),
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            base: Default::default(),
        }
    }
}

/// The Adamax optimizer (`keras.optimizers.Adamax`).
pub struct Adamax {
    core: Core,
    beta_1: f64,
    beta_2: f64,
    epsilon: f64,
}

impl Adamax {
    /// An Adamax optimizer.
    pub fn new(o: AdamaxOptions) -> Self {
        Adamax {
            core: Core::new("adamax", o.learning_rate, o.base),
            beta_1: o.beta_1,
            beta_2: o.beta_2,
            epsilon: o.epsilon,
        }
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], lr: f64) -> Result<()> {
        let t = (self.core.iterations + 1) as f64;
        let keep = self.core.keep(lr);
        let (b1, b2, eps) = (self.beta_1, self.beta_2, self.epsilon);
        let c = -lr / (1.0 - b1.powf(t));
        for (g, w) in grads.iter().zip(vars) {
            let s = self.core.slots(w, &[("momentum", 0.0), ("norm", 0.0)])?;
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

    fn hyper(&self) -> serde_json::Value {
        json!({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
    }
}

impl Default for Adamax {
    fn default() -> Self {
        Self::new(AdamaxOptions::default())
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
