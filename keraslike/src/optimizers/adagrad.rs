//! Adagrad (`keras.optimizers.Adagrad`): per-element rates that shrink with
//! the accumulated squared gradients. Keras 3's form:
//!
//! ```text
//! acc += g²                                   (acc starts at initial_accumulator_value)
//! w -= lr * g / sqrt(acc + epsilon)
//! ```
//!
//! ```
//! use keraslike::optimizers::{Adagrad, Optimizer};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f64], &[1])?);
//! let mut opt = Adagrad::new(0.1);
//! opt.apply_gradients(&[Tensor::new(&[0.3f64], &[1])?], &[w.clone()])?;
//! // acc = 0.1 + 0.09, w = 1 - 0.1 * 0.3 / sqrt(0.19 + 1e-7)
//! assert!((w.to_vec::<f64>()?[0] - (1.0 - 0.03 / (0.19f64 + 1e-7).sqrt())).abs() < 1e-12);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, optimizer_type, Grad, SlotGroups};
use crate::{Error, Result};
use tensorlow::Variable;

optimizer_type! {
    /// The Adagrad optimizer (`keras.optimizers.Adagrad`).
    Adagrad,
    /// The config of [`Adagrad`] (`keras.optimizers.Adagrad(...).get_config()`).
    AdagradConfig {
        class: "Adagrad",
        name: "adagrad",
        learning_rate: 0.001,
        weight_decay: None,
        fields: {
            /// The accumulators' starting value, >= 0 (default 0.1).
            initial_accumulator_value: f64 = 0.1,
            /// Added under the square root (default 1e-7).
            epsilon: f64 = 1e-7,
        }
    }
}

impl Adagrad {
    fn validate_hyper(&self) -> Result<()> {
        let c = &self.config;
        if !(c.initial_accumulator_value >= 0.0 && c.initial_accumulator_value.is_finite()) {
            return Err(Error::arg(format!(
                "Adagrad: initial_accumulator_value must be >= 0, got {}",
                c.initial_accumulator_value
            )));
        }
        if !(c.epsilon >= 0.0 && c.epsilon.is_finite()) {
            return Err(Error::arg(format!("Adagrad: epsilon must be >= 0, got {}", c.epsilon)));
        }
        Ok(())
    }

    fn slot_groups(&self) -> SlotGroups {
        vec![vec![("accumulator", self.config.initial_accumulator_value)]]
    }

    fn extras(&self) -> &'static [(&'static str, f64)] {
        &[]
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], pos: &[usize], lr: f64) -> Result<()> {
        let keep = 1.0 - lr * self.config.base.weight_decay.unwrap_or(0.0);
        let eps = self.config.epsilon;
        for ((g, w), &i) in grads.iter().zip(vars).zip(pos) {
            let acc = &self.core.slots(i)[0];
            acc.assign_axpby_square(1.0, g.scale * g.scale, &g.g)?;
            w.assign_add_ratio(keep, -lr * g.scale, &g.g, acc, eps, 0.0)?;
        }
        Ok(())
    }
}

impl_optimizer!(Adagrad);

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
mod tests {
    use super::*;
    use crate::optimizers::Optimizer;
    use tensorlow::Tensor;

    #[test]
    fn three_steps_by_hand() -> Result<()> {
        let w = Variable::new("w", Tensor::new(&[1.0f64, 2.0], &[2])?);
        let mut opt = Adagrad::default();
        let (mut wh, mut acc) = ([1.0f64, 2.0], [0.1f64; 2]);
        for gs in [[0.5f64, -1.0], [0.2, 3.0], [-0.4, 0.0]] {
            opt.apply_gradients(&[Tensor::new(&gs, &[2])?], &[w.clone()])?;
            for i in 0..2 {
                acc[i] += gs[i] * gs[i];
                wh[i] -= 0.001 * gs[i] / (acc[i] + 1e-7).sqrt();
            }
            let got = w.to_vec::<f64>()?;
            assert!((got[0] - wh[0]).abs() < 1e-12 && (got[1] - wh[1]).abs() < 1e-12);
        }
        Ok(())
    }
}
