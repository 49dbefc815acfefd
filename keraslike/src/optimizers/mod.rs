//! Optimizers with Keras 3's defaults and update rules
//! (`keras.optimizers`): [`SGD`], [`Adam`], [`AdamW`], [`RMSprop`],
//! [`Adagrad`], [`Adamax`], [`Nadam`], learning-rate [`schedules`], and
//! [`get`] to resolve a Keras name.
//!
//! Every optimizer takes an options struct with `Default` (Keras' defaults)
//! whose `base` field holds the options all share ([`OptimizerOptions`]:
//! `weight_decay`, `clipnorm`, `clipvalue`, `global_clipnorm`). Per-variable
//! state is created on a variable's first update, as non-trainable
//! variables, and then updated in place with fused one-pass kernels
//! (`tensorlow::Variable::assign_axpby` and friends), inside
//! `tensorlow::no_grad`.
//!
//! ```
//! use keraslike::optimizers::{self, Adam, AdamOptions, Optimizer};
//! use keraslike::optimizers::schedules::ExponentialDecay;
//! use tensorlow::{GradientTape, Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! // Minimise (w - 3)² with Adam and a decaying learning rate.
//! let lr = ExponentialDecay { initial_learning_rate: 0.1, decay_steps: 100, decay_rate: 0.9, staircase: false };
//! let mut opt = Adam::new(AdamOptions { learning_rate: lr.into(), ..Default::default() });
//! let w = Variable::new("w", Tensor::new(&[0.0f32], &[1])?);
//! for _ in 0..300 {
//!     let tape = GradientTape::new();
//!     let loss = (&*w - 3.0)?.square()?.sum_all()?;
//!     let g = tape.gradient(&loss, &[&w])?;
//!     opt.apply_gradients(&[g[0].clone().unwrap()], &[w.clone()])?;
//! }
//! assert!((w.to_vec::<f32>()?[0] - 3.0).abs() < 0.05);
//! assert_eq!(optimizers::get("rmsprop")?.name(), "rmsprop");
//! # Ok(()) }
//! ```

use crate::Result;
use tensorlow::{Tensor, Variable};

mod adagrad;
mod adam;
mod adamax;
mod adamw;
mod base;
mod nadam;
mod rmsprop;
pub mod schedules;
mod sgd;

pub use adagrad::{Adagrad, AdagradOptions};
pub use adam::{Adam, AdamOptions};
pub use adamax::{Adamax, AdamaxOptions};
pub use adamw::{AdamW, AdamWOptions};
pub use base::{LearningRate, OptimizerOptions};
pub use nadam::{Nadam, NadamOptions};
pub use rmsprop::{RMSprop, RMSpropOptions};
pub use schedules::LearningRateSchedule;
pub use sgd::{SGDOptions, SGD};

/// Updates variables from their gradients (`keras.optimizers.Optimizer`).
/// Per-variable state (moments, accumulators) is created on the first
/// update of a variable and then updated in place.
pub trait Optimizer {
    /// The Keras name, e.g. `"adam"`.
    fn name(&self) -> &str;
    /// Applies one step: `grads[i]` is the gradient of `vars[i]`.
    fn apply_gradients(&mut self, grads: &[Tensor], vars: &[Variable]) -> Result<()>;
    /// The learning rate the next step will use.
    fn learning_rate(&self) -> f64;
    /// Sets a constant learning rate (used by callbacks). On an optimizer
    /// built with a schedule this replaces the schedule by the constant
    /// (Keras raises instead).
    fn set_learning_rate(&mut self, lr: f64);
    /// Steps applied so far.
    fn iterations(&self) -> u64;
    /// The optimizer's configuration, for saving.
    fn get_config(&self) -> serde_json::Value;
    /// The optimizer's state variables (moments, accumulators), in creation
    /// order (`optimizer.variables`, less the step counter).
    fn variables(&self) -> Vec<Variable> {
        Vec::new()
    }
}

/// Anything `compile` accepts as an optimizer: a Keras name or an object.
pub trait IntoOptimizer {
    /// Resolves to a boxed optimizer.
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>>;
}
impl IntoOptimizer for &str {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        get(self)
    }
}
impl IntoOptimizer for Box<dyn Optimizer> {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        Ok(self)
    }
}
impl<O: Optimizer + 'static> IntoOptimizer for O {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        Ok(Box::new(self))
    }
}

/// The optimizer named `name` with Keras' defaults: `"sgd"`, `"adam"`,
/// `"adamw"`, `"rmsprop"`, `"adagrad"`, `"adamax"` or `"nadam"`
/// (case-insensitive, as Keras' `optimizers.get`).
pub fn get(name: &str) -> Result<Box<dyn Optimizer>> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "sgd" => Box::new(SGD::default()),
        "adam" => Box::new(Adam::default()),
        "adamw" => Box::new(AdamW::default()),
        "rmsprop" => Box::new(RMSprop::default()),
        "adagrad" => Box::new(Adagrad::default()),
        "adamax" => Box::new(Adamax::default()),
        "nadam" => Box::new(Nadam::default()),
        _ => {
            return Err(crate::Error::arg(format!(
                "unknown optimizer {name:?}; use one of \"sgd\", \"adam\", \"adamw\", \"rmsprop\", \"adagrad\", \"adamax\", \"nadam\" or pass an optimizer object"
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn get_resolves_keras_names() {
        for n in ["sgd", "adam", "adamw", "rmsprop", "adagrad", "adamax", "nadam"] {
            let o = super::get(n).unwrap();
            assert_eq!(o.name().to_ascii_lowercase(), n);
            assert_eq!(o.iterations(), 0);
        }
        assert_eq!(super::get("Adam").unwrap().learning_rate(), 0.001);
        assert_eq!(super::get("sgd").unwrap().learning_rate(), 0.01);
        assert!(super::get("adamm").is_err());
    }
}
