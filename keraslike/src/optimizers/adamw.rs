//! AdamW (`keras.optimizers.AdamW`): Adam with decoupled weight decay.
//! Before each Adam step every variable shrinks, `w -= w * weight_decay * lr`
//! (Keras' base-optimizer weight decay, default `weight_decay = 0.004`); the
//! shrink is folded into Adam's parameter pass, so it costs nothing extra.
//!
//! ```
//! use keraslike::optimizers::{AdamW, AdamWOptions, Optimizer};
//! let opt = AdamW::new(AdamWOptions { weight_decay: 0.01, ..Default::default() });
//! assert_eq!(opt.name(), "adamw");
//! assert_eq!(opt.get_config()["weight_decay"], 0.01);
//! ```

use super::adam::{Adam, AdamOptions};
use super::base::{LearningRate, OptimizerOptions};
use super::Optimizer;
use crate::Result;
use tensorlow::{Tensor, Variable};

/// Options of [`AdamW`], with Keras' defaults.
#[derive(Debug)]
pub struct AdamWOptions {
    /// The step size (default 0.001).
    pub learning_rate: LearningRate,
    /// The decoupled weight decay (default 0.004).
    pub weight_decay: f64,
    /// Decay of the first-moment estimate (default 0.9).
    pub beta_1: f64,
    /// Decay of the second-moment estimate (default 0.999).
    pub beta_2: f64,
    /// Added to `sqrt(v)` for stability (default 1e-7).
    pub epsilon: f64,
    /// Use the AMSGrad variant (default false).
    pub amsgrad: bool,
    /// Gradient clipping (its `weight_decay` is ignored: use the field above).
    pub base: OptimizerOptions,
}

impl Default for AdamWOptions {
    fn default() -> Self {
        AdamWOptions {
            learning_rate: 0.001.into(),
            weight_decay: 0.004,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            amsgrad: false,
            base: OptimizerOptions::default(),
        }
    }
}

/// The AdamW optimizer (`keras.optimizers.AdamW`).
pub struct AdamW {
    adam: Adam,
}

impl AdamW {
    /// An AdamW optimizer.
    pub fn new(o: AdamWOptions) -> Self {
        let base = OptimizerOptions {
            weight_decay: Some(o.weight_decay),
            ..o.base
        };
        let adam = AdamOptions {
            learning_rate: o.learning_rate,
            beta_1: o.beta_1,
            beta_2: o.beta_2,
            epsilon: o.epsilon,
            amsgrad: o.amsgrad,
            base,
        };
        AdamW {
            adam: Adam::named("adamw", adam),
        }
    }
}

impl Default for AdamW {
    fn default() -> Self {
        Self::new(AdamWOptions::default())
    }
}

// Everything is Adam's: Keras' AdamW is Adam with a weight decay default.
impl Optimizer for AdamW {
    fn name(&self) -> &str {
        self.adam.name()
    }
    fn apply_gradients(&mut self, grads: &[Tensor], vars: &[Variable]) -> Result<()> {
        self.adam.apply_gradients(grads, vars)
    }
    fn learning_rate(&self) -> f64 {
        self.adam.learning_rate()
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.adam.set_learning_rate(lr)
    }
    fn iterations(&self) -> u64 {
        self.adam.iterations()
    }
    fn get_config(&self) -> serde_json::Value {
        self.adam.get_config()
    }
    fn variables(&self) -> Vec<Variable> {
        self.adam.variables()
    }
}

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
mod tests {
    use super::*;

    #[test]
    fn decay_then_adam_step() -> Result<()> {
        let w = Variable::new("w", Tensor::new(&[2.0f64, -1.0], &[2])?);
        let mut opt = AdamW::default();
        for step in 1..=3 {
            opt.apply_gradients(&[Tensor::new(&[0.5f64, 0.0], &[2])?], &[w.clone()])?;
            let got = w.to_vec::<f64>()?;
            let want0 = crate::optimizers::adam::tests::adam_by_hand(2.0, 0.5, step, 0.004);
            assert!((got[0] - want0).abs() < 1e-12, "{got:?} vs {want0}");
            // A zero gradient leaves only the decay: w (1 - 0.004 * 0.001)^t.
            assert!((got[1] + (1.0 - 4e-6f64).powi(step as i32)).abs() < 1e-12);
        }
        assert_eq!(opt.variables().len(), 2);
        assert_eq!(opt.iterations(), 3);
        Ok(())
    }
}
