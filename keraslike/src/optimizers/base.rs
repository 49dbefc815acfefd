//! What every optimizer shares (Keras' base `Optimizer`): the learning rate
//! (a constant or a schedule), the common options (`weight_decay`,
//! `clipnorm`, `clipvalue`, `global_clipnorm`, and Keras' options keraslike
//! accepts only at their defaults), gradient clipping, and the positional
//! state ([`Core`]: the step counter and the per-variable slots, created by
//! `build` in Keras' order).
//!
//! ```
//! use keraslike::optimizers::{Adam, Optimizer};
//! let opt = Adam::new(0.001).clipnorm(1.0);
//! assert_eq!(opt.get_config()["clipnorm"], 1.0);
//! assert_eq!(opt.get_config()["use_ema"], false);
//! ```

use super::schedules::{self, LearningRateSchedule};
use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use tensorlow::{DType, Device, Tensor, Variable};

/// A learning rate: a constant, or a schedule evaluated at the optimizer's
/// `iterations` before each step. `0.01.into()` and `schedule.into()` build
/// one. In a config it is a number or a serialized schedule, as in Keras.
#[derive(Clone)]
pub enum LearningRate {
    /// The same rate at every step.
    Constant(f64),
    /// A rate that depends on the step.
    Schedule(Arc<dyn LearningRateSchedule>),
}

impl LearningRate {
    /// The rate at optimizer step `step`.
    pub fn at(&self, step: u64) -> f64 {
        match self {
            LearningRate::Constant(v) => *v,
            LearningRate::Schedule(s) => s.call(step),
        }
    }

    /// The config value: the number, or the schedule's Keras object.
    pub fn to_value(&self) -> Value {
        match self {
            LearningRate::Constant(v) => Value::from(*v),
            LearningRate::Schedule(s) => schedules::serialize(s.as_ref()),
        }
    }
}

impl std::fmt::Debug for LearningRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LearningRate({})", self.to_value())
    }
}

impl PartialEq for LearningRate {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (LearningRate::Constant(a), LearningRate::Constant(b)) => a == b,
            (LearningRate::Schedule(_), LearningRate::Schedule(_)) => self.to_value() == other.to_value(),
            _ => false,
        }
    }
}

impl From<f64> for LearningRate {
    fn from(v: f64) -> Self {
        LearningRate::Constant(v)
    }
}

impl<S: LearningRateSchedule + 'static> From<S> for LearningRate {
    fn from(s: S) -> Self {
        LearningRate::Schedule(Arc::new(s))
    }
}

impl From<Box<dyn LearningRateSchedule>> for LearningRate {
    fn from(s: Box<dyn LearningRateSchedule>) -> Self {
        LearningRate::Schedule(Arc::from(s))
    }
}

impl Serialize for LearningRate {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for LearningRate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        match &v {
            Value::Number(n) => Ok(LearningRate::Constant(n.as_f64().unwrap_or(f64::NAN))),
            _ => schedules::deserialize(&v)
                .map(LearningRate::Schedule)
                .map_err(|e| serde::de::Error::custom(format!("learning_rate: {e}"))),
        }
    }
}

/// Options every optimizer accepts, as in Keras' base `Optimizer` (they
/// appear flat in the config). At most one of `clipnorm`, `clipvalue` and
/// `global_clipnorm` may be set.
///
/// The last five are Keras options keraslike does not implement; they are
/// here so that Keras configs read and write unchanged, and are accepted
/// only at their defaults (building an optimizer with `use_ema = true`,
/// a `loss_scale_factor` or `gradient_accumulation_steps` is an error, as
/// a silently different optimizer would be worse). `ema_momentum` and
/// `ema_overwrite_frequency` only matter with `use_ema` and are kept as given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OptimizerOptions {
    /// Decoupled weight decay: before each update `w -= w * weight_decay * lr`.
    pub weight_decay: Option<f64>,
    /// Scale each variable's gradient so that its L2 norm is at most this.
    pub clipnorm: Option<f64>,
    /// Scale all gradients together so that their joint L2 norm is at most this.
    pub global_clipnorm: Option<f64>,
    /// Clip each gradient element to `[-clipvalue, clipvalue]`.
    pub clipvalue: Option<f64>,
    /// Keras: keep an exponential moving average of the weights. Not
    /// implemented: must be `false`.
    pub use_ema: bool,
    /// Keras: the EMA's momentum (default 0.99); unused without `use_ema`.
    pub ema_momentum: f64,
    /// Keras: how often the EMA overwrites the weights; unused without `use_ema`.
    pub ema_overwrite_frequency: Option<u64>,
    /// Keras: loss scaling for mixed precision. Not implemented: must be `None`.
    pub loss_scale_factor: Option<f64>,
    /// Keras: apply the gradients every n steps. Not implemented: must be `None`.
    pub gradient_accumulation_steps: Option<u64>,
}

impl Default for OptimizerOptions {
    fn default() -> Self {
        OptimizerOptions {
            weight_decay: None,
            clipnorm: None,
            global_clipnorm: None,
            clipvalue: None,
            use_ema: false,
            ema_momentum: 0.99,
            ema_overwrite_frequency: None,
            loss_scale_factor: None,
            gradient_accumulation_steps: None,
        }
    }
}

impl OptimizerOptions {
    /// Checks the options for optimizer class `class`.
    pub(crate) fn validate(&self, class: &str) -> Result<()> {
        let set: Vec<&str> = [
            ("clipnorm", self.clipnorm),
            ("clipvalue", self.clipvalue),
            ("global_clipnorm", self.global_clipnorm),
        ]
        .iter()
        .filter(|(_, c)| c.is_some())
        .map(|(n, _)| *n)
        .collect();
        if set.len() > 1 {
            return Err(Error::arg(format!(
                "{class}: only one of clipnorm, clipvalue and global_clipnorm can be set, got {}",
                set.join(" and ")
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
                    return Err(Error::arg(format!("{class}: {what} must be >= 0, got {v}")));
                }
            }
        }
        let unsupported = |option: &str, value: String, why: &str| {
            Err(Error::arg(format!(
                "{class}: {option}={value} is not supported by keraslike ({why}); remove the option"
            )))
        };
        if self.use_ema {
            return unsupported("use_ema", "true".into(), "no moving average of the weights is kept");
        }
        if let Some(f) = self.loss_scale_factor {
            return unsupported("loss_scale_factor", f.to_string(), "losses are not scaled");
        }
        if let Some(n) = self.gradient_accumulation_steps {
            return unsupported(
                "gradient_accumulation_steps",
                n.to_string(),
                "gradients are applied at every step",
            );
        }
        Ok(())
    }
}

/// Checks a learning rate once (a constant must be finite).
pub(crate) fn validate_learning_rate(class: &str, lr: &LearningRate) -> Result<()> {
    match lr {
        LearningRate::Constant(v) if !v.is_finite() => Err(Error::arg(format!(
            "{class}: learning_rate must be a finite number, got {v}"
        ))),
        LearningRate::Constant(_) => Ok(()),
        LearningRate::Schedule(s) => s.validate(),
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

/// Checks the gradients against the variables and applies clipping (the
/// options were validated when the optimizer was built).
pub(crate) fn prepare<'a>(
    class: &str,
    o: &OptimizerOptions,
    grads: &'a [Tensor],
    vars: &[Variable],
) -> Result<Vec<Grad<'a>>> {
    if grads.len() != vars.len() {
        return Err(Error::arg(format!(
            "{class}: got {} gradients for {} variables; pass one gradient per variable",
            grads.len(),
            vars.len()
        )));
    }
    for (g, v) in grads.iter().zip(vars) {
        if g.shape() != v.shape() || g.dtype() != v.dtype() {
            return Err(Error::shape(format!(
                "{class}: the gradient of variable {:?} has shape {:?} ({}), the variable {:?} ({})",
                v.name(),
                g.shape(),
                g.dtype(),
                v.shape(),
                v.dtype()
            )));
        }
    }
    let sq_norm = |g: &Tensor| -> Result<f64> { Ok(g.square()?.sum_all()?.to_scalar::<f64>()?) };
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

/// The slots of one optimizer, in Keras' layout: groups of slot kinds, each
/// group created for every variable in turn (Keras'
/// `add_optimizer_variables(var_list, ["momentum", "velocity"])` gives
/// `k_momentum, k_velocity, b_momentum, b_velocity`; a second call appends
/// its own kinds for every variable after that).
pub(crate) type SlotGroups = Vec<Vec<(&'static str, f64)>>;

/// A copy of a variable's current value that later updates do not change.
fn snapshot(v: &Variable) -> Tensor {
    Variable::non_trainable(v.name(), v.value().clone())
        .value()
        .stop_gradient()
}

/// The positional state of an optimizer: the step counter, the variables it
/// was built for (by identity), their slots, and scalar extras such as
/// Nadam's momentum-cache product.
pub(crate) struct Core {
    pub iterations: u64,
    built: bool,
    /// Variable id -> position in the built list.
    index: HashMap<u64, usize>,
    /// `slots[i][k]`: slot `k` (flattened over the groups) of variable `i`.
    slots: Vec<Vec<Variable>>,
    /// Slots per group, in group order.
    group_sizes: Vec<usize>,
    /// Scalar state after the slots, with their names and initial values.
    pub extras: Vec<f64>,
    extra_specs: Vec<(&'static str, f64)>,
}

impl Core {
    pub fn new() -> Self {
        Core {
            iterations: 0,
            built: false,
            index: HashMap::new(),
            slots: Vec::new(),
            group_sizes: Vec::new(),
            extras: Vec::new(),
            extra_specs: Vec::new(),
        }
    }

    pub fn built(&self) -> bool {
        self.built
    }

    /// Creates every slot for `vars` (zeros or the given initial value, on
    /// each variable's device and in its dtype), replacing any earlier ones;
    /// the step counter is kept.
    pub fn build(
        &mut self,
        name: &str,
        vars: &[Variable],
        groups: &[Vec<(&'static str, f64)>],
        extras: &[(&'static str, f64)],
    ) -> Result<()> {
        let mut index = HashMap::with_capacity(vars.len());
        for (i, v) in vars.iter().enumerate() {
            if index.insert(v.id(), i).is_some() {
                return Err(Error::arg(format!(
                    "optimizer {name:?}: variable {:?} is listed twice in build(); list each variable once",
                    v.name()
                )));
            }
        }
        let mut slots = Vec::with_capacity(vars.len());
        for v in vars {
            let mut vs = Vec::new();
            for (slot, init) in groups.iter().flatten() {
                let t = Tensor::fill(v.shape(), *init, v.dtype(), &v.device())?;
                vs.push(Variable::non_trainable(format!("{name}/{}_{slot}", v.name()), t));
            }
            slots.push(vs);
        }
        self.index = index;
        self.slots = slots;
        self.group_sizes = groups.iter().map(Vec::len).collect();
        self.extra_specs = extras.to_vec();
        self.extras = extras.iter().map(|(_, init)| *init).collect();
        self.built = true;
        Ok(())
    }

    /// The built positions of `vars` (any subset of the built list, in any order).
    pub fn positions(&self, name: &str, vars: &[Variable]) -> Result<Vec<usize>> {
        vars.iter()
            .map(|v| {
                self.index.get(&v.id()).copied().ok_or_else(|| {
                    Error::arg(format!(
                        "optimizer {name:?} was built for {} other variables and not for {:?}; build it \
                         (optimizer.build(vars)) with every variable it will update",
                        self.index.len(),
                        v.name()
                    ))
                })
            })
            .collect()
    }

    /// The slots of the variable at built position `i`, flattened over the groups.
    pub fn slots(&self, i: usize) -> &[Variable] {
        &self.slots[i]
    }

    /// Every slot variable in Keras' order: group by group, variable by
    /// variable, slot by slot.
    pub fn variables(&self) -> Vec<Variable> {
        let mut out = Vec::with_capacity(self.slots.iter().map(Vec::len).sum());
        let mut offset = 0;
        for &n in &self.group_sizes {
            for vs in &self.slots {
                out.extend(vs[offset..offset + n].iter().cloned());
            }
            offset += n;
        }
        out
    }

    /// Keras' `optimizer.variables`, as values: the step counter (an `I64`
    /// scalar), the learning rate (an `F64` scalar, only when it is a
    /// constant), every slot, then the extras (`F64` scalars).
    pub fn state(&self, lr: &LearningRate) -> Result<Vec<Tensor>> {
        let cpu = Device::cpu();
        let mut out = vec![Tensor::from_vec(vec![self.iterations as i64], &[], &cpu)?];
        if let LearningRate::Constant(v) = lr {
            out.push(Tensor::full_scalar(*v, DType::F64, &cpu)?);
        }
        out.extend(self.variables().iter().map(snapshot));
        for v in &self.extras {
            out.push(Tensor::full_scalar(*v, DType::F64, &cpu)?);
        }
        Ok(out)
    }

    /// Names of the entries of [`state`](Self::state), for errors.
    fn state_names(&self, name: &str, lr: &LearningRate) -> Vec<String> {
        let mut names = vec![format!("{name}/iteration")];
        if matches!(lr, LearningRate::Constant(_)) {
            names.push(format!("{name}/learning_rate"));
        }
        names.extend(self.variables().iter().map(|v| v.name().to_string()));
        names.extend(self.extra_specs.iter().map(|(n, _)| format!("{name}/{n}")));
        names
    }

    /// Loads what [`state`](Self::state) gave (or Keras' saved
    /// `optimizer/vars/*`): checks the count, then each entry's shape and
    /// dtype, before changing anything. Scalars (step counter, learning
    /// rate, extras) may have any numeric dtype (Keras saves `int32` and
    /// `float32`); slots must match their variable's dtype exactly.
    pub fn load_state(&mut self, name: &str, lr: &mut LearningRate, state: &[Tensor]) -> Result<()> {
        if !self.built {
            return Err(Error::NotReady(format!(
                "optimizer {name:?}: load_state needs the slots: call optimizer.build(vars) first"
            )));
        }
        let names = self.state_names(name, lr);
        if state.len() != names.len() {
            let hint = match lr {
                LearningRate::Schedule(_) => " (its learning rate is a schedule, so no learning_rate entry)",
                LearningRate::Constant(_) => " (iteration, learning_rate, then the slots)",
            };
            return Err(Error::arg(format!(
                "optimizer {name:?}: the state has {} entries, this optimizer needs {}{hint}: {}",
                state.len(),
                names.len(),
                names.join(", ")
            )));
        }
        let scalar = |i: usize| -> Result<f64> {
            let t = &state[i];
            if t.elem_count() != 1 {
                return Err(Error::shape(format!(
                    "optimizer {name:?}: state entry {i} ({}) must be a scalar, got shape {:?}",
                    names[i],
                    t.shape()
                )));
            }
            Ok(t.to_scalar::<f64>()?)
        };
        let iterations = if state[0].dtype() == DType::I64 && state[0].elem_count() == 1 {
            let n = state[0].to_scalar::<i64>()?;
            u64::try_from(n).map_err(|_| Error::arg(format!("optimizer {name:?}: negative iteration count {n}")))?
        } else {
            let n = scalar(0)?;
            if !(n >= 0.0 && n.fract() == 0.0 && n < 2f64.powi(53)) {
                return Err(Error::arg(format!(
                    "optimizer {name:?}: the iteration count must be a non-negative integer, got {n}"
                )));
            }
            n as u64
        };
        let mut at = 1;
        let new_lr = match lr {
            LearningRate::Constant(_) => {
                let v = scalar(1)?;
                if !v.is_finite() {
                    return Err(Error::arg(format!(
                        "optimizer {name:?}: the saved learning rate is {v}; it must be finite"
                    )));
                }
                at = 2;
                Some(v)
            }
            LearningRate::Schedule(_) => None,
        };
        let vars = self.variables();
        for (k, v) in vars.iter().enumerate() {
            let t = &state[at + k];
            if t.shape() != v.shape() || t.dtype() != v.dtype() {
                return Err(Error::shape(format!(
                    "optimizer {name:?}: state entry {} ({}) has shape {:?} and dtype {}, the slot needs shape {:?} \
                     and dtype {}",
                    at + k,
                    names[at + k],
                    t.shape(),
                    t.dtype(),
                    v.shape(),
                    v.dtype()
                )));
            }
        }
        let first_extra = at + vars.len();
        let extras = (first_extra..state.len()).map(scalar).collect::<Result<Vec<f64>>>()?;
        // Everything checked: now change the state.
        for (k, v) in vars.iter().enumerate() {
            v.assign(&state[at + k].to_device(&v.device())?)?;
        }
        self.iterations = iterations;
        if let Some(v) = new_lr {
            *lr = LearningRate::Constant(v);
        }
        self.extras = extras;
        Ok(())
    }
}

/// Implements [`Optimizer`](super::Optimizer) for a type with fields
/// `config` (with `name`, `learning_rate` and `base`) and `core: Core`, a
/// constant `CLASS`, and methods `validate_hyper(&self) -> Result<()>`,
/// `slot_groups(&self) -> SlotGroups`, `extras(&self) -> &'static [(&str, f64)]`
/// and `update(&mut self, grads, vars, positions, lr) -> Result<()>`.
macro_rules! impl_optimizer {
    ($t:ty) => {
        impl $crate::optimizers::Optimizer for $t {
            fn name(&self) -> &str {
                &self.config.name
            }
            fn class_name(&self) -> &str {
                Self::CLASS
            }
            fn validate(&self) -> $crate::Result<()> {
                $crate::optimizers::base::validate_learning_rate(Self::CLASS, &self.config.learning_rate)?;
                self.config.base.validate(Self::CLASS)?;
                self.validate_hyper()
            }
            fn build(&mut self, vars: &[tensorlow::Variable]) -> $crate::Result<()> {
                $crate::optimizers::Optimizer::validate(self)?;
                let groups = self.slot_groups();
                let extras = self.extras();
                self.core.build(&self.config.name, vars, &groups, extras)
            }
            fn built(&self) -> bool {
                self.core.built()
            }
            fn apply_gradients(
                &mut self,
                grads: &[tensorlow::Tensor],
                vars: &[tensorlow::Variable],
            ) -> $crate::Result<()> {
                if !self.core.built() {
                    $crate::optimizers::Optimizer::build(self, vars)?;
                }
                let positions = self.core.positions(&self.config.name, vars)?;
                let lr = self.config.learning_rate.at(self.core.iterations);
                let grads = $crate::optimizers::base::prepare(Self::CLASS, &self.config.base, grads, vars)?;
                tensorlow::no_grad(|| self.update(&grads, vars, &positions, lr))?;
                self.core.iterations += 1;
                Ok(())
            }
            fn learning_rate(&self) -> f64 {
                self.config.learning_rate.at(self.core.iterations)
            }
            fn set_learning_rate(&mut self, lr: f64) {
                self.config.learning_rate = $crate::optimizers::LearningRate::Constant(lr);
            }
            fn iterations(&self) -> u64 {
                self.core.iterations
            }
            fn set_iterations(&mut self, iterations: u64) {
                self.core.iterations = iterations;
            }
            fn get_config(&self) -> serde_json::Value {
                $crate::saving::config_to_value(&self.config)
            }
            fn variables(&self) -> Vec<tensorlow::Variable> {
                self.core.variables()
            }
            fn state(&self) -> $crate::Result<Vec<tensorlow::Tensor>> {
                self.core.state(&self.config.learning_rate)
            }
            fn load_state(&mut self, state: &[tensorlow::Tensor]) -> $crate::Result<()> {
                self.core
                    .load_state(&self.config.name, &mut self.config.learning_rate, state)
            }
        }
    };
}
pub(crate) use impl_optimizer;

/// Defines an optimizer's config struct (Keras' fields and defaults, the
/// shared ones flattened from [`OptimizerOptions`]), the optimizer struct
/// holding it, and the chained setters, `new`, `from_config`, `config` and
/// `Default` every optimizer has.
macro_rules! optimizer_type {
    (
        $(#[$tmeta:meta])*
        $opt:ident, $(#[$cmeta:meta])* $cfg:ident {
            class: $class:literal,
            name: $default_name:literal,
            learning_rate: $lr:expr,
            weight_decay: $wd:expr,
            fields: { $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr ),* $(,)? }
        }
    ) => {
        $(#[$cmeta])*
        ///
        /// Field names, defaults and JSON form are Keras' `get_config()`;
        /// the options all optimizers share are in `base` (flat in JSON).
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        pub struct $cfg {
            #[doc = concat!("The optimizer's name, prefix of its slot variables' names (default `\"", $default_name, "\"`).")]
            pub name: String,
            /// The step size: a constant or a schedule.
            pub learning_rate: $crate::optimizers::LearningRate,
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Weight decay, clipping and the other options every optimizer shares.
            #[serde(flatten)]
            pub base: $crate::optimizers::OptimizerOptions,
        }

        impl Default for $cfg {
            fn default() -> Self {
                $cfg {
                    name: $default_name.to_string(),
                    learning_rate: $crate::optimizers::LearningRate::Constant($lr),
                    $( $field: $default, )*
                    base: $crate::optimizers::OptimizerOptions {
                        weight_decay: $wd,
                        ..Default::default()
                    },
                }
            }
        }

        $(#[$tmeta])*
        pub struct $opt {
            config: $cfg,
            core: $crate::optimizers::base::Core,
        }

        impl $opt {
            /// The Keras class name.
            pub const CLASS: &'static str = $class;

            #[doc = concat!("A ", $class, " optimizer with this learning rate (a number or a schedule) and Keras' other defaults; chain the setters for the rest.")]
            pub fn new(learning_rate: impl Into<$crate::optimizers::LearningRate>) -> Self {
                let mut config = $cfg::default();
                config.learning_rate = learning_rate.into();
                $opt { config, core: $crate::optimizers::base::Core::new() }
            }

            #[doc = concat!("A ", $class, " optimizer from its config (what `get_config` gives, e.g. read with `saving::config_from_value`); errors on an invalid option.")]
            pub fn from_config(config: $cfg) -> $crate::Result<Self> {
                let opt = $opt { config, core: $crate::optimizers::base::Core::new() };
                $crate::optimizers::Optimizer::validate(&opt)?;
                Ok(opt)
            }

            /// The configuration.
            pub fn config(&self) -> &$cfg {
                &self.config
            }

            /// Sets the name (the prefix of the slot variables' names).
            pub fn with_name(mut self, name: impl Into<String>) -> Self {
                self.config.name = name.into();
                self
            }
            /// Sets the decoupled weight decay: before each update `w -= w * weight_decay * lr`.
            pub fn weight_decay(mut self, weight_decay: f64) -> Self {
                self.config.base.weight_decay = Some(weight_decay);
                self
            }
            /// Clips each variable's gradient to this L2 norm.
            pub fn clipnorm(mut self, clipnorm: f64) -> Self {
                self.config.base.clipnorm = Some(clipnorm);
                self
            }
            /// Clips each gradient element to `[-clipvalue, clipvalue]`.
            pub fn clipvalue(mut self, clipvalue: f64) -> Self {
                self.config.base.clipvalue = Some(clipvalue);
                self
            }
            /// Clips all gradients together to this joint L2 norm.
            pub fn global_clipnorm(mut self, global_clipnorm: f64) -> Self {
                self.config.base.global_clipnorm = Some(global_clipnorm);
                self
            }
            $(
                #[doc = concat!("Sets [`", stringify!($cfg), "::", stringify!($field), "`].")]
                pub fn $field(mut self, $field: $ty) -> Self {
                    self.config.$field = $field;
                    self
                }
            )*
        }

        impl Default for $opt {
            fn default() -> Self {
                $opt { config: $cfg::default(), core: $crate::optimizers::base::Core::new() }
            }
        }

        impl std::fmt::Debug for $opt {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($opt))
                    .field("config", &self.config)
                    .field("iterations", &self.core.iterations)
                    .field("built", &self.core.built())
                    .finish()
            }
        }
    };
}
pub(crate) use optimizer_type;
