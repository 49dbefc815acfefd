//! AdamW (`keras.optimizers.AdamW`): Adam with decoupled weight decay.
//! Before each Adam step every variable shrinks, `w -= w * weight_decay * lr`
//! (Keras' base-optimizer weight decay, default `weight_decay = 0.004`); the
//! shrink is folded into Adam's parameter pass, so it costs nothing extra.
//!
//! ```
//! use keraslike::optimizers::{AdamW, Optimizer};
//! let opt = AdamW::new(0.001).weight_decay(0.01);
//! assert_eq!((opt.class_name(), opt.name()), ("AdamW", "adam_w"));
//! assert_eq!(opt.get_config()["weight_decay"], 0.01);
//! ```

use super::adam::AdamRule;
use super::base::{impl_optimizer, optimizer_type, Grad, SlotGroups};
use crate::{Error, Result};
use tensorlow::Variable;

optimizer_type! {
    /// The AdamW optimizer (`keras.optimizers.AdamW`).
    AdamW,
    /// The config of [`AdamW`] (`keras.optimizers.AdamW(...).get_config()`):
    /// Adam's, with `weight_decay` required (default 0.004).
    AdamWConfig {
        class: "AdamW",
        name: "adam_w",
        learning_rate: 0.001,
        weight_decay: Some(0.004),
        fields: {
            /// Decay of the first-moment estimate, in `[0, 1)` (default 0.9).
            beta_1: f64 = 0.9,
            /// Decay of the second-moment estimate, in `[0, 1)` (default 0.999).
            beta_2: f64 = 0.999,
            /// Added to `sqrt(v)` for stability (default 1e-7).
            epsilon: f64 = 1e-7,
            /// Use the AMSGrad variant (default false).
            amsgrad: bool = false,
        }
    }
}

// Everything is Adam's: Keras' AdamW is Adam with a required weight decay.
impl AdamW {
    fn rule(&self) -> AdamRule {
        let c = &self.config;
        AdamRule {
            beta_1: c.beta_1,
            beta_2: c.beta_2,
            epsilon: c.epsilon,
            amsgrad: c.amsgrad,
        }
    }

    fn validate_hyper(&self) -> Result<()> {
        if self.config.base.weight_decay.is_none() {
            // Keras: "Argument `weight_decay` must be a float. Received: weight_decay=None".
            return Err(Error::arg(
                "AdamW: weight_decay must be a number (Keras' default is 0.004), got null",
            ));
        }
        self.rule().validate(Self::CLASS)
    }

    fn slot_groups(&self) -> SlotGroups {
        self.rule().slot_groups()
    }

    fn extras(&self) -> &'static [(&'static str, f64)] {
        &[]
    }

    fn update(&mut self, grads: &[Grad], vars: &[Variable], pos: &[usize], lr: f64) -> Result<()> {
        // The shrink is folded into Adam's parameter pass.
        let keep = 1.0 - lr * self.config.base.weight_decay.unwrap_or(0.0);
        self.rule().update(&self.core, grads, vars, pos, lr, keep)
    }
}

impl_optimizer!(AdamW);

#[cfg(test)]
#[allow(clippy::cloned_ref_to_slice_refs)] // `&[w.clone()]` reads like Keras' lists
mod tests {
    use super::*;
    use crate::optimizers::Optimizer;
    use tensorlow::Tensor;

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
