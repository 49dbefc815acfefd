//! Optimizers with Keras 3's defaults and update rules
//! (`keras.optimizers`): [`SGD`], [`Adam`], [`AdamW`], [`RMSprop`],
//! [`Adagrad`], [`Adamax`], [`Nadam`], learning-rate [`schedules`], and
//! [`get`] / [`deserialize`] / [`serialize`] to go between optimizers and
//! their Keras names and configs.
//!
//! **Configuration.** `Adam::new(0.01)` takes the learning rate (a number or
//! a schedule); chained setters give the rest (`.beta_1(0.8).clipnorm(1.0)`);
//! `Default` is Keras' defaults. Every optimizer owns a config struct with
//! Keras' field names ([`AdamConfig`], ...), which is its `get_config()` and
//! its `from_config()`, validated once (by `from_config`, `compile` and
//! `build`), never per step.
//!
//! **State.** As in Keras, [`Optimizer::build`] creates every slot
//! (moments, accumulators) for a list of variables, in Keras' order, as
//! non-trainable variables updated in place by fused one-pass kernels
//! (`tensorlow::Variable::assign_axpby` and friends) inside
//! `tensorlow::no_grad`; an optimizer used before `build` builds itself for
//! the variables of its first step. [`Optimizer::state`] and
//! [`Optimizer::load_state`] give and take the whole state (step counter
//! included) positionally, as Keras saves it (`optimizer/vars/N`), so
//! training resumes exactly.
//!
//! ```
//! use keraslike::optimizers::{self, Adam, Optimizer};
//! use keraslike::optimizers::schedules::ExponentialDecay;
//! use tensorlow::{GradientTape, Tensor, Variable};
//! # fn main() -> keraslike::Result<()> {
//! // Minimise (w - 3)² with Adam and a decaying learning rate.
//! let mut opt = Adam::new(ExponentialDecay::new(0.1, 100, 0.9));
//! let w = Variable::new("w", Tensor::new(&[0.0f32], &[1])?);
//! for _ in 0..300 {
//!     let tape = GradientTape::new();
//!     let loss = (&*w - 3.0)?.square()?.sum_all()?;
//!     let g = tape.gradient(&loss, &[&w])?;
//!     opt.apply_gradients(&[g[0].clone().unwrap()], &[w.clone()])?;
//! }
//! assert!((w.to_vec::<f32>()?[0] - 3.0).abs() < 0.05);
//! assert_eq!(optimizers::get("rmsprop")?.class_name(), "RMSprop");
//! // Config as data, both ways.
//! let back = optimizers::deserialize(&optimizers::serialize(&opt))?;
//! assert_eq!(back.get_config(), opt.get_config());
//! # Ok(()) }
//! ```

use crate::saving::registry::{lowercase, Entry, Registry};
use crate::saving::{config_from_value, read_object};
use crate::Result;
use serde_json::Value;
use std::sync::Arc;
use tensorlow::{Tensor, Variable};

mod adagrad;
mod adam;
mod adamax;
mod adamw;
pub(crate) mod base;
mod nadam;
mod rmsprop;
pub mod schedules;
mod sgd;
#[cfg(test)]
mod state_tests;

pub use adagrad::{Adagrad, AdagradConfig};
pub use adam::{Adam, AdamConfig};
pub use adamax::{Adamax, AdamaxConfig};
pub use adamw::{AdamW, AdamWConfig};
pub use base::{LearningRate, OptimizerOptions};
pub use nadam::{Nadam, NadamConfig};
pub use rmsprop::{RMSprop, RMSpropConfig};
pub use schedules::LearningRateSchedule;
pub use sgd::{SGDConfig, SGD};

/// Updates variables from their gradients (`keras.optimizers.Optimizer`).
///
/// The state is positional: [`build`](Optimizer::build) creates the slots
/// for a list of variables; [`apply_gradients`](Optimizer::apply_gradients)
/// finds each variable in that list by identity (any subset, in any
/// order). Optimizers are `Send + Sync`, so a model can train on another
/// thread.
pub trait Optimizer: Send + Sync {
    /// The optimizer's name (Keras' `name`, e.g. `"adam"`), the prefix of
    /// its slot variables' names.
    fn name(&self) -> &str;
    /// The Keras class name, e.g. `"Adam"` (what [`serialize`] writes and
    /// [`register_optimizer`] registers). Defaults to the Rust type's name.
    fn class_name(&self) -> &str {
        crate::saving::object::short_type_name(std::any::type_name::<Self>())
    }
    /// Checks the options (done by `from_config`, `compile` and `build`).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    /// Creates the state for `vars` (Keras' `optimizer.build(var_list)`):
    /// validates the options, then creates every slot, in Keras' order,
    /// replacing any earlier ones (the step counter is kept).
    fn build(&mut self, vars: &[Variable]) -> Result<()>;
    /// Whether [`build`](Optimizer::build) has run.
    fn built(&self) -> bool;
    /// Applies one step: `grads[i]` is the gradient of `vars[i]`. Builds the
    /// optimizer for `vars` first when it is not built.
    fn apply_gradients(&mut self, grads: &[Tensor], vars: &[Variable]) -> Result<()>;
    /// The learning rate the next step will use.
    fn learning_rate(&self) -> f64;
    /// Sets a constant learning rate (used by callbacks). On an optimizer
    /// built with a schedule this replaces the schedule by the constant
    /// (Keras raises instead; keraslike keeps its documented behaviour so
    /// `ReduceLROnPlateau` works on any optimizer).
    fn set_learning_rate(&mut self, lr: f64);
    /// Steps applied so far (Keras' `iterations`).
    fn iterations(&self) -> u64;
    /// Sets the step counter (schedules and bias corrections read it).
    fn set_iterations(&mut self, iterations: u64);
    /// The optimizer's config (Keras' `get_config()`): every option, by
    /// Keras' field names; [`serialize`] wraps it with the class name.
    fn get_config(&self) -> Value;
    /// The slot variables (moments, accumulators) in Keras' order.
    fn variables(&self) -> Vec<Variable> {
        Vec::new()
    }
    /// The whole state, as Keras' `optimizer.variables` lists it and saves
    /// it in `optimizer/vars/N`: the step counter (an `I64` scalar), the
    /// learning rate (an `F64` scalar; absent when it is a schedule), the
    /// slots in [`variables`](Optimizer::variables) order, then any scalar
    /// state (Nadam's momentum-cache product, an `F64` scalar). Values are
    /// copies.
    fn state(&self) -> Result<Vec<Tensor>>;
    /// Loads a [`state`](Optimizer::state) into a built optimizer: checks
    /// the number of entries, their shapes and dtypes (errors name the
    /// slot) before changing anything; the step counter and learning rate
    /// are set from it. Scalars may come in any numeric dtype (Keras saves
    /// `int32`/`float32`).
    fn load_state(&mut self, state: &[Tensor]) -> Result<()>;
}

/// Anything `compile` accepts as an optimizer: a Keras name or an object.
/// Resolving validates the options, so a bad one fails at `compile`.
pub trait IntoOptimizer {
    /// Resolves to a boxed, validated optimizer.
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>>;
}
impl IntoOptimizer for &str {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        get(self)
    }
}
impl IntoOptimizer for &Value {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        deserialize(self)
    }
}
impl IntoOptimizer for Box<dyn Optimizer> {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        self.validate()?;
        Ok(self)
    }
}
impl<O: Optimizer + 'static> IntoOptimizer for O {
    fn into_optimizer(self) -> Result<Box<dyn Optimizer>> {
        self.validate()?;
        Ok(Box::new(self))
    }
}

/// A registry entry for a built-in optimizer.
macro_rules! builtin {
    ($opt:ident, $aliases:expr) => {
        Entry::builtin($opt::CLASS, $aliases, |c: &Value| -> Result<Box<dyn Optimizer>> {
            Ok(Box::new($opt::from_config(config_from_value($opt::CLASS, c)?)?))
        })
    };
}

fn builtins() -> Vec<Entry<Box<dyn Optimizer>>> {
    vec![
        builtin!(SGD, &["sgd"]),
        builtin!(Adam, &["adam"]),
        builtin!(AdamW, &["adamw"]),
        builtin!(RMSprop, &["rmsprop"]),
        builtin!(Adagrad, &["adagrad"]),
        builtin!(Adamax, &["adamax"]),
        builtin!(Nadam, &["nadam"]),
    ]
}

/// Class names (case-insensitive, as Keras' `optimizers.get`) to constructors.
static REGISTRY: Registry<Box<dyn Optimizer>> = Registry::new("optimizer", "keras.optimizers", lowercase, builtins);

/// Registers a user optimizer class, so [`deserialize`] (and so
/// `load_model`) finds it by `class_name`; `factory` builds it from its
/// config (the JSON its [`Optimizer::get_config`] wrote).
pub fn register_optimizer(
    class_name: &str,
    factory: impl Fn(&Value) -> Result<Box<dyn Optimizer>> + Send + Sync + 'static,
) {
    REGISTRY.register(class_name, Arc::new(factory));
}

/// Keras' serialized form of an optimizer:
/// `{"module": "keras.optimizers", "class_name": "Adam", "config": {...}, "registered_name": null}`
/// (a user class gets `"registered_name": "Custom>Name"`).
pub fn serialize(optimizer: &dyn Optimizer) -> Value {
    REGISTRY.serialize(optimizer.class_name(), optimizer.get_config())
}

/// The optimizer a Keras object, a Keras 2 `{"class_name", "config"}` or a
/// name describes, validated. Options missing from the config take Keras'
/// defaults; unknown ones are an error.
///
/// ```
/// use keraslike::optimizers::{self, Optimizer};
/// let v = serde_json::json!({"class_name": "SGD", "config": {"learning_rate": 0.1, "momentum": 0.9}});
/// let sgd = optimizers::deserialize(&v).unwrap();
/// assert_eq!((sgd.learning_rate(), sgd.get_config()["momentum"].as_f64()), (0.1, Some(0.9)));
/// let err = optimizers::get("adamm").err().unwrap().to_string();
/// assert!(err.contains("did you mean \"adam\""), "{err}");
/// ```
pub fn deserialize(v: &Value) -> Result<Box<dyn Optimizer>> {
    REGISTRY.resolve(&read_object("optimizer", v)?)
}

/// The optimizer named `name` with Keras' defaults: `"sgd"`, `"adam"`,
/// `"adamw"`, `"rmsprop"`, `"adagrad"`, `"adamax"` or `"nadam"`, or a
/// class name (case-insensitive, as Keras' `optimizers.get`).
pub fn get(name: &str) -> Result<Box<dyn Optimizer>> {
    deserialize(&Value::String(name.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn get_resolves_keras_names() {
        let cases = [
            ("sgd", "SGD", "sgd"),
            ("adam", "Adam", "adam"),
            ("adamw", "AdamW", "adam_w"),
            ("rmsprop", "RMSprop", "rm_sprop"),
            ("adagrad", "Adagrad", "adagrad"),
            ("adamax", "Adamax", "adamax"),
            ("nadam", "Nadam", "nadam"),
        ];
        for (n, class, name) in cases {
            let o = super::get(n).unwrap();
            // Keras 3.15.1: optimizers.get("rmsprop").name == "rm_sprop", etc.
            assert_eq!((o.class_name(), o.name()), (class, name));
            assert_eq!(o.iterations(), 0);
            assert!(!o.built());
        }
        assert_eq!(super::get("Adam").unwrap().learning_rate(), 0.001);
        assert_eq!(super::get("sgd").unwrap().learning_rate(), 0.01);
        assert!(super::get("adamm").is_err());
    }
}
