//! What every optimizer shares (Keras' base `Optimizer`): the learning rate
//! (a constant or a schedule), the common options (`weight_decay`,
//! `clipnorm`, `clipvalue`, `global_clipnorm`), the step counter and the
//! per-variable state ("slots").
//!
//! ```
//! use keraslike::optimizers::{Adam, AdamOptions, Optimizer, OptimizerOptions};
//! let opt = Adam::new(AdamOptions {
//!     base: OptimizerOptions { clipnorm: Some(1.0), ..Default::default() },
//!     ..Default::default()
//! });
//! assert_eq!(opt.get_config()["clipnorm"], 1.0);
//! ```

use super::schedules::LearningRateSchedule;
use crate::{Error, Result};
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;
use tensorlow::{Tensor, Variable};

/// A learning rate: a constant, or a schedule evaluated at the optimizer's
/// `iterations` before each step. `0.01.into()` and `schedule.into()` build one.
pub enum LearningRate {
    /// The same rate at every step.
    Constant(f64),
    /// A rate that depends on the step.
    Schedule(Box<dyn LearningRateSchedule>),
}

impl LearningRate {
    /// The rate at optimizer step `step`.
    pub fn at(&self, step: u64) -> f64 {
        match self {
            LearningRate::Constant(v) => *v,
            LearningRate::Schedule(s) => s.call(step),
        }
    }

    fn config(&self) -> Value {
        match self {
            LearningRate::Constant(v) => json!(v),
            LearningRate::Schedule(s) => s.get_config(),
        }
    }
}

impl std::fmt::Debug for LearningRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LearningRate({})", self.config())
    }
}

impl From<f64> for LearningRate {
    fn from(v: f64) -> Self {
        LearningRate::Constant(v)
    }
}

impl<S: LearningRateSchedule + 'static> From<S> for LearningRate {
    fn from(s: S) -> Self {
        LearningRate::Schedule(Box::new(s))
    }
}

impl From<Box<dyn LearningRateSchedule>> for LearningRate {
    fn from(s: Box<dyn LearningRateSchedule>) -> Self {
        LearningRate::Schedule(s)
    }
}

/// Options every optimizer accepts, as in Keras' base `Optimizer`. At most
/// one of `clipnorm`, `clipvalue` and `global_clipnorm` may be set.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OptimizerOptions {
    /// Decoupled weight decay: before each update `w -= w * weight_decay * lr`.
    pub weight_decay: Option<f64>,
    /// Scale each variable's gradient so that its L2 norm is at most this.
    pub clipnorm: Option<f64>,
    /// Clip each gradient element to `[-clipvalue, clipvalue]`.
    pub clipvalue: Option<f64>,
    /// Scale all gradients together so that their joint L2 norm is at most this.
    pub global_clipnorm: Option<f64>,
}

impl OptimizerOptions {
    fn validate(&self, name: &str) -> Result<()> {
        let set = [self.clipnorm, self.clipvalue, self.global_clipnorm]
            .iter()
            .filter(|c| c.is_some())
            .count();
        if set > 1 {
            return Err(Error::arg(format!(
                "optimizer {name:?}: only one of clipnorm, clipvalue and global_clipnorm can be set, got {self:?}"
            )));
        }
        for (what, v) in [
            ("clipnorm", self.clipnorm),
            ("clipvalue", self.clipvalue),
            ("global_clipnorm", self.global_clipnorm),
            ("weight_decay", self.weight_decay),
        ] {
            if let Some(v) = v {
                if !(v >= 0.0 && v.is_finite()) {
                    return Err(Error::arg(format!("optimizer {name:?}: {what} must be >= 0, got {v}")));
                }
            }
        }
        Ok(())
    }
}

/// A gradient ready for the update rule: the (possibly value-clipped)
/// tensor and a scale the rule must multiply it by (norm clipping folds in
/// here, so it costs no extra pass over the gradient).
pub(crate) struct Grad<'a> {
    pub g: Cow<'a, Tensor>,
    pub scale: f64,
}

impl Grad<'_> {
    /// The scaled gradient as a tensor (for rules without a fused kernel).
    pub fn scaled(&self) -> Result<Cow<'_, Tensor>> {
        Ok(if self.scale == 1.0 {
            Cow::Borrowed(&*self.g)
        } else {
            Cow::Owned(self.g.affine(self.scale, 0.0)?)
        })
    }
}

/// The state and settings every optimizer carries.
pub(crate) struct Core {
    pub name: &'static str,
    pub learning_rate: LearningRate,
    pub options: OptimizerOptions,
    pub iterations: u64,
    index: HashMap<u64, usize>,
    slots: Vec<Vec<Variable>>,
}

impl Core {
    pub fn new(name: &'static str, learning_rate: LearningRate, options: OptimizerOptions) -> Self {
        Core {
            name,
            learning_rate,
            options,
            iterations: 0,
            index: HashMap::new(),
            slots: Vec::new(),
        }
    }

    /// The learning rate of the coming step.
    pub fn lr(&self) -> f64 {
        self.learning_rate.at(self.iterations)
    }

    /// The multiplier `1 - lr * weight_decay` applied to a variable before its update.
    pub fn keep(&self, lr: f64) -> f64 {
        1.0 - lr * self.options.weight_decay.unwrap_or(0.0)
    }

    /// The state variables of `var`, created (once, zeros or the given
    /// initial value) on its first update.
    pub fn slots(&mut self, var: &Variable, specs: &[(&str, f64)]) -> Result<&[Variable]> {
        let i = match self.index.get(&var.id()) {
            Some(&i) => i,
            None => {
                let mut vs = Vec::with_capacity(specs.len());
                for (slot, init) in specs {
                    let t = Tensor::fill(var.shape(), *init, var.dtype(), &var.device())?;
                    vs.push(Variable::non_trainable(
                        format!("{}/{}_{slot}", self.name, var.name()),
                        t,
                    ));
                }
                self.slots.push(vs);
                self.index.insert(var.id(), self.slots.len() - 1);
                self.slots.len() - 1
            }
        };
        Ok(&self.slots[i])
    }

    /// Every state variable, in creation order.
    pub fn variables(&self) -> Vec<Variable> {
        self.slots.iter().flatten().cloned().collect()
    }

    /// Checks the gradients against the variables and applies clipping.
    pub fn prepare<'a>(&self, grads: &'a [Tensor], vars: &[Variable]) -> Result<Vec<Grad<'a>>> {
        let name = self.name;
        self.options.validate(name)?;
        if grads.len() != vars.len() {
            return Err(Error::arg(format!(
                "optimizer {name:?}: got {} gradients for {} variables; pass one gradient per variable",
                grads.len(),
                vars.len()
            )));
        }
        for (g, v) in grads.iter().zip(vars) {
            if g.shape() != v.shape() || g.dtype() != v.dtype() {
                return Err(Error::shape(format!(
                    "optimizer {name:?}: the gradient of variable {:?} has shape {:?} ({}), the variable {:?} ({})",
                    v.name(),
                    g.shape(),
                    g.dtype(),
                    v.shape(),
                    v.dtype()
                )));
            }
        }
        let sq_norm = |g: &Tensor| -> Result<f64> { Ok(g.square()?.sum_all()?.to_scalar::<f64>()?) };
        let o = &self.options;
        // Keras' order of precedence: clipnorm, global_clipnorm, clipvalue.
        if let Some(c) = o.clipnorm.filter(|&c| c > 0.0) {
            grads
                .iter()
                .map(|g| {
                    Ok(Grad {
                        g: Cow::Borrowed(g),
                        scale: c / sq_norm(g)?.sqrt().max(c),
                    })
                })
                .collect()
        } else if let Some(c) = o.global_clipnorm.filter(|&c| c > 0.0) {
            let mut total = 0.0;
            for g in grads {
                total += sq_norm(g)?;
            }
            let norm = total.sqrt();
            // Keras: NaN when the norm is not finite, so the step shows the problem.
            let scale = if norm.is_finite() {
                c * (1.0 / norm).min(1.0 / c)
            } else {
                f64::NAN
            };
            Ok(grads
                .iter()
                .map(|g| Grad {
                    g: Cow::Borrowed(g),
                    scale,
                })
                .collect())
        } else if let Some(c) = o.clipvalue.filter(|&c| c > 0.0) {
            grads
                .iter()
                .map(|g| {
                    Ok(Grad {
                        g: Cow::Owned(g.clip_by_value(-c, c)?),
                        scale: 1.0,
                    })
                })
                .collect()
        } else {
            Ok(grads
                .iter()
                .map(|g| Grad {
                    g: Cow::Borrowed(g),
                    scale: 1.0,
                })
                .collect())
        }
    }

    /// The Keras config: name, learning rate, common options, then `extra`.
    pub fn config(&self, extra: Value) -> Value {
        let o = &self.options;
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        m.insert("learning_rate".into(), self.learning_rate.config());
        m.insert("weight_decay".into(), json!(o.weight_decay));
        m.insert("clipnorm".into(), json!(o.clipnorm));
        m.insert("global_clipnorm".into(), json!(o.global_clipnorm));
        m.insert("clipvalue".into(), json!(o.clipvalue));
        if let Value::Object(e) = extra {
            m.extend(e);
        }
        Value::Object(m)
    }
}

/// Implements [`Optimizer`](super::Optimizer) for a type with a `core: Core`
/// field and an `update(&mut self, grads, vars, lr)` method and a
/// `hyper(&self) -> Value` method.
macro_rules! impl_optimizer {
    ($t:ty) => {
        impl $crate::optimizers::Optimizer for $t {
            fn name(&self) -> &str {
                self.core.name
            }
            fn apply_gradients(
                &mut self,
                grads: &[tensorlow::Tensor],
                vars: &[tensorlow::Variable],
            ) -> $crate::Result<()> {
                let lr = self.core.lr();
                let grads = self.core.prepare(grads, vars)?;
                tensorlow::no_grad(|| self.update(&grads, vars, lr))?;
                self.core.iterations += 1;
                Ok(())
            }
            fn learning_rate(&self) -> f64 {
                self.core.lr()
            }
            fn set_learning_rate(&mut self, lr: f64) {
                self.core.learning_rate = $crate::optimizers::LearningRate::Constant(lr);
            }
            fn iterations(&self) -> u64 {
                self.core.iterations
            }
            fn get_config(&self) -> serde_json::Value {
                self.core.config(self.hyper())
            }
            fn variables(&self) -> Vec<tensorlow::Variable> {
                self.core.variables()
            }
        }
    };
}
pub(crate) use impl_optimizer;
