//! Nadam (`keras.optimizers.Nadam`): Adam with Nesterov momentum, in Keras 3's
//! form with the momentum cache (decay 0.96). At step `t` (1-based):
//!
//! ```text
//! u_t   = beta_1 * (1 - 0.5 * 0.96^t),  u_t1 = beta_1 * (1 - 0.5 * 0.96^(t+1))
//! P_t   = u_1 * ... * u_t  (kept across steps),  P_t1 = P_t * u_t1
//! m += (g - m) * (1 - beta_1);  v += (g² - v) * (1 - beta_2)
//! m_hat = u_t1 * m / (1 - P_t1) + (1 - u_t) * g / (1 - P_t)
//! v_hat = v / (1 - beta_2^t)
//! w -= lr * m_hat / (sqrt(v_hat) + epsilon)
//! ```
//!
//! ```
//! use keraslike::optimizers::{Nadam, Optimizer};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f32], &[1])?);
//! let mut opt = Nadam::default();
//! opt.apply_gradients(&[Tensor::new(&[1.0f32], &[1])?], &[w.clone()])?;
//! assert!(w.to_vec::<f32>()?[0] < 1.0);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, optimizer_type, Grad, SlotGroups};
use crate::{Error, Result};
use tensorlow::Variable;

optimizer_type! {
    /// The Nadam optimizer (`keras.optimizers.Nadam`).
    Nadam,
    /// The config of [`Nadam`] (`keras.optimizers.Nadam(...).get_config()`).
    NadamConfig {
        class: "Nadam",
        name: "nadam",
        learning_rate: 0.001,
        weight_decay: None,
        fields: {
            /// Decay of the first-moment estimate, in `[0, 1)` (default 0.9).
            beta_1: f64 = 0.9,
            /// Decay of the second-moment estimate, in `[0, 1)` (default 0.999).
            beta_2: f64 = 0.999,
            /// Added to `sqrt(v_hat)` for stability (default 1e-7).
            epsilon: f64 = 1e-7,
        }
    }
}

impl Nadam {
    fn validate_hyper(&self) -> Result<()> {
        let c = &self.config;
        for (what, b) in [("beta_1", c.beta_1), ("beta_2", c.beta_2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(Error::arg(format!("Nadam: {what} must be in [0, 1), got {b}")));
            }
        }
        if !(c.epsilon >= 0.0 && c.epsilon.is_finite()) {
            return Err(Error::arg(format!("Nadam: epsilon must be >= 0, got {}", c.epsilon)));
        }
        Ok(())
    }

    /// Keras' order: momentum and velocity per variable.
    fn slot_groups(&self) -> SlotGroups {
        vec![vec![("momentum", 0.0), ("velocity", 0.0)]]
    }

    /// The momentum-cache product `P_t`, shared by all variables (Keras'
    /// last optimizer variable).
    fn extras(&self) -> &'static [(&'static str, f64)] {
        &[("u_product", 1.0)]
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], pos: &[usize], lr: f64) -> Result<()> {
        let t = (self.core.iterations + 1) as f64;
        let (b1, b2, eps) = (self.config.beta_1, self.config.beta_2, self.config.epsilon);
        let u_t = b1 * (1.0 - 0.5 * 0.96f64.powf(t));
        let u_t1 = b1 * (1.0 - 0.5 * 0.96f64.powf(t + 1.0));
        self.core.extras[0] *= u_t;
        let (p_t, p_t1) = (self.core.extras[0], self.core.extras[0] * u_t1);
        // lr m_hat / (sqrt(v / c2) + eps) = lr sqrt(c2) m_hat / (sqrt(v) + eps sqrt(c2)).
        let s2 = (1.0 - b2.powf(t)).sqrt();
        let keep = 1.0 - lr * self.config.base.weight_decay.unwrap_or(0.0);
        for ((g, w), &i) in grads.iter().zip(vars).zip(pos) {
            let s = self.core.slots(i);
            let (m, v) = (&s[0], &s[1]);
            m.assign_axpby(b1, (1.0 - b1) * g.scale, &g.g)?;
            v.assign_axpby_square(b2, (1.0 - b2) * g.scale * g.scale, &g.g)?;
            let m_hat = m
                .affine(u_t1 / (1.0 - p_t1), 0.0)?
                .add(&g.g.affine((1.0 - u_t) * g.scale / (1.0 - p_t), 0.0)?)?;
            w.assign_add_ratio(keep, -lr * s2, &m_hat, v, 0.0, eps * s2)?;
        }
        Ok(())
    }
}

impl_optimizer!(Nadam);

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
mod tests {
    use super::*;
    use crate::optimizers::Optimizer;
    use tensorlow::Tensor;

    #[test]
    fn three_steps_by_hand() -> Result<()> {
        let w = Variable::new("w", Tensor::new(&[1.0f64], &[1])?);
        let mut opt = Nadam::default();
        let (mut wh, mut m, mut v, mut prod) = (1.0f64, 0.0, 0.0, 1.0f64);
        for (i, g) in [0.5f64, -2.0, 1.0].into_iter().enumerate() {
            opt.apply_gradients(&[Tensor::new(&[g], &[1])?], &[w.clone()])?;
            let t = (i + 1) as f64;
            let u_t = 0.9 * (1.0 - 0.5 * 0.96f64.powf(t));
            let u_t1 = 0.9 * (1.0 - 0.5 * 0.96f64.powf(t + 1.0));
            prod *= u_t;
            let prod1 = prod * u_t1;
            m += (g - m) * 0.1;
            v += (g * g - v) * 0.001;
            let m_hat = u_t1 * m / (1.0 - prod1) + (1.0 - u_t) * g / (1.0 - prod);
            let v_hat = v / (1.0 - 0.999f64.powf(t));
            wh -= 0.001 * m_hat / (v_hat.sqrt() + 1e-7);
            assert!((w.to_vec::<f64>()?[0] - wh).abs() < 1e-12, "step {t}");
        }
        Ok(())
    }
}
