//! Adagrad (`keras.optimizers.Adagrad`): per-element rates that shrink with
//! the accumulated squared gradients. Keras 3's form:
//!
//! ```text
//! acc += g²                                   (acc starts at initial_accumulator_value)
//! w -= lr * g / sqrt(acc + epsilon)
//! ```
//!
//! ```
//! use keraslike::optimizers::{Adagrad, AdagradOptions, Optimizer};
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f64], &[1])?);
//! let mut opt = Adagrad::new(AdagradOptions { learning_rate: 0.1.into(), ..Default::default() });
//! opt.apply_gradients(&[Tensor::new(&[0.3f64], &[1])?], &[w.clone()])?;
//! // acc = 0.1 + 0.09, w = 1 - 0.1 * 0.3 / sqrt(0.19 + 1e-7)
//! assert!((w.to_vec::<f64>()?[0] - (1.0 - 0.03 / (0.19f64 + 1e-7).sqrt())).abs() < 1e-12);
//! # Ok(()) }
//! ```

use super::base::{impl_optimizer, Core, Grad, LearningRate, OptimizerOptions};
use crate::Result;
use serde_json::json;
use tensorlow::Variable;

/// Options of [`Adagrad`], with Keras' defaults.
#[derive(Debug)]
pub struct AdagradOptions {
    /// The step size (default 0.001).
    pub learning_rate: LearningRate,
    /// The accumulators' starting value, >= 0 (default 0.1).
    pub initial_accumulator_value: f64,
    /// Added under the square root (default 1e-7).
    pub epsilon: f64,
    /// Weight decay and gradient clipping.
    pub base: OptimizerOptions,
}

impl Default for AdagradOptions {
    fn default() -> Self {
        AdagradOptions {
            learning_rate: 0.001.into(),
            initial_accumulator_value: 0.1,
            epsilon: 1e-7,
            base: OptimizerOptions::default(),
        }
    }
}

/// The Adagrad optimizer (`keras.optimizers.Adagrad`).
pub struct Adagrad {
    core: Core,
    initial_accumulator_value: f64,
    epsilon: f64,
}

impl Adagrad {
    /// An Adagrad optimizer.
    pub fn new(o: AdagradOptions) -> Self {
        Adagrad {
            core: Core::new("adagrad", o.learning_rate, o.base),
            initial_accumulator_value: o.initial_accumulator_value,
            epsilon: o.epsilon,
        }
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], lr: f64) -> Result<()> {
        let keep = self.core.keep(lr);
        let (init, eps) = (self.initial_accumulator_value, self.epsilon);
        for (g, w) in grads.iter().zip(vars) {
            let acc = &self.core.slots(w, &[("accumulator", init)])?[0];
            acc.assign_axpby_square(1.0, g.scale * g.scale, &g.g)?;
            w.assign_add_ratio(keep, -lr * g.scale, &g.g, acc, eps, 0.0)?;
        }
        Ok(())
    }

    fn hyper(&self) -> serde_json::Value {
        json!({"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon})
    }
}

impl Default for Adagrad {
    fn default() -> Self {
        Self::new(AdagradOptions::default())
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
