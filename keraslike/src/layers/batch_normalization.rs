//! `BatchNormalization`: normalizes each feature with batch statistics while
//! training and moving averages of them at inference
//! (`keras.layers.BatchNormalization`).
//!
//! Training: `y = gamma * (x - mean_B) / sqrt(var_B + epsilon) + beta` with
//! the batch mean and (population) variance over every axis but `axis`, and
//! `moving = moving * momentum + batch * (1 - momentum)` for both moving
//! statistics (Keras 3 uses the biased batch variance here too). Inference
//! uses the moving statistics. The moving statistics are non-trainable
//! [`Variable`]s updated in place.
//!
//! ```
//! use keraslike::layers::{BatchNormalization, BuildContext, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut bn = BatchNormalization::new();
//! bn.build(&[2], &BuildContext::default())?;
//! let x = Tensor::new(&[1.0f32, 10.0, 3.0, 30.0], &[2, 2])?;
//! let y = bn.call(&x, true)?.to_vec::<f32>()?;
//! assert!((y[0] + 1.0).abs() < 1e-3 && (y[2] - 1.0).abs() < 1e-3);
//! // moving_mean = 0.99 * 0 + 0.01 * [2, 20]
//! assert!((bn.weights()[2].to_vec::<f32>()?[1] - 0.2).abs() < 1e-6);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::{de, parse_config};
use super::{batch_shape_str, shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::initializers::{Initializer, IntoInitializer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// BatchNormalization's configuration with Keras' field names and
/// defaults (`BatchNormalization.get_config()`): [`Layer::get_config`]
/// writes it and [`FromConfig::from_config`] reads it. Keras' other fields
/// (regularizers and constraints, which must be null, `renorm`, ...) are
/// ignored when read.
///
/// ```
/// use keraslike::layers::{BatchNormalization, BatchNormalizationConfig, FromConfig, Layer};
/// let cfg: BatchNormalizationConfig = serde_json::from_value(serde_json::json!({"name": "bn", "axis": [3]})).unwrap();
/// assert_eq!((cfg.axis, cfg.momentum, cfg.epsilon), (3, 0.99, 1e-3));
/// let bn = BatchNormalization::from_batch_normalization_config(cfg).unwrap();
/// assert_eq!(bn.get_config()["axis"], 3);
/// let err = BatchNormalization::from_config(&serde_json::json!({"axis": [1, 2]})).unwrap_err();
/// assert!(err.to_string().contains("only one feature axis"), "{err}");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BatchNormalizationConfig {
    /// The layer's name (a fresh `batch_normalization_N` when empty).
    pub name: String,
    /// The feature axis of the batched input (default -1; `[a]` reads too).
    #[serde(deserialize_with = "one_axis")]
    pub axis: isize,
    /// Weight of the old value in the moving averages (default 0.99).
    pub momentum: f64,
    /// Added to the variance before the square root (default 1e-3).
    pub epsilon: f64,
    /// Whether to add the learned offset `beta` (default true).
    pub center: bool,
    /// Whether to multiply by the learned `gamma` (default true).
    pub scale: bool,
    /// Initializer of `beta` (default zeros).
    pub beta_initializer: Initializer,
    /// Initializer of `gamma` (default ones).
    pub gamma_initializer: Initializer,
    /// Initializer of the moving mean (default zeros).
    pub moving_mean_initializer: Initializer,
    /// Initializer of the moving variance (default ones).
    pub moving_variance_initializer: Initializer,
}

impl Default for BatchNormalizationConfig {
    fn default() -> Self {
        BatchNormalizationConfig {
            name: String::new(),
            axis: -1,
            momentum: 0.99,
            epsilon: 1e-3,
            center: true,
            scale: true,
            beta_initializer: Initializer::zeros(),
            gamma_initializer: Initializer::ones(),
            moving_mean_initializer: Initializer::zeros(),
            moving_variance_initializer: Initializer::ones(),
        }
    }
}

/// One axis, also as a list of one (Keras writes either).
fn one_axis<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<isize, D::Error> {
    match de::one_or_many::<D, isize>(d)?.as_slice() {
        [a] => Ok(*a),
        a => Err(serde::de::Error::custom(format!(
            "only one feature axis is supported, got axis {a:?}"
        ))),
    }
}
use tensorlow::{nn, Tensor, Variable};

/// Batch normalization over one feature axis.
#[derive(Debug)]
pub struct BatchNormalization {
    name: String,
    axis: isize,
    momentum: f64,
    epsilon: f64,
    center: bool,
    scale: bool,
    beta_initializer: Initializer,
    gamma_initializer: Initializer,
    moving_mean_initializer: Initializer,
    moving_variance_initializer: Initializer,
    config_error: Option<String>,
    /// Frozen (`trainable = false`): inference mode even in training, as in Keras.
    frozen: bool,
    state: Option<State>,
}

/// What `build` creates.
#[derive(Debug)]
struct State {
    /// The per-sample input shape it was built for.
    input_shape: Vec<usize>,
    /// `axis` resolved against the full (batched) rank.
    axis: usize,
    /// Full-rank shape with 1 everywhere but `axis`, when the parameters do
    /// not broadcast by themselves (`axis` not last).
    bshape: Option<Vec<usize>>,
    gamma: Option<Variable>,
    beta: Option<Variable>,
    moving_mean: Variable,
    moving_variance: Variable,
}

impl BatchNormalization {
    /// Keras' defaults: `axis = -1`, `momentum = 0.99`, `epsilon = 1e-3`,
    /// `center` and `scale` on. Named `batch_normalization`, `..._1`, ...
    pub fn new() -> Self {
        BatchNormalization {
            name: unique_name("batch_normalization"),
            axis: -1,
            momentum: 0.99,
            epsilon: 1e-3,
            center: true,
            scale: true,
            beta_initializer: Initializer::zeros(),
            gamma_initializer: Initializer::ones(),
            moving_mean_initializer: Initializer::zeros(),
            moving_variance_initializer: Initializer::ones(),
            config_error: None,
            frozen: false,
            state: None,
        }
    }

    /// The feature axis of the batched input (default -1; 0 is the batch).
    pub fn axis(mut self, axis: isize) -> Self {
        self.axis = axis;
        self
    }
    /// Weight of the old value in the moving averages (default 0.99).
    pub fn momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }
    /// Added to the variance before the square root (default 1e-3).
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }
    /// Whether to add the learned offset `beta` (default true).
    pub fn center(mut self, center: bool) -> Self {
        self.center = center;
        self
    }
    /// Whether to multiply by the learned `gamma` (default true).
    pub fn scale(mut self, scale: bool) -> Self {
        self.scale = scale;
        self
    }
    /// Initializer of `beta` (default zeros).
    pub fn beta_initializer(mut self, init: impl IntoInitializer) -> Self {
        match init.into_initializer() {
            Ok(i) => self.beta_initializer = i,
            Err(e) => self.config_error = self.config_error.or(Some(e.to_string())),
        }
        self
    }
    /// Initializer of `gamma` (default ones).
    pub fn gamma_initializer(mut self, init: impl IntoInitializer) -> Self {
        match init.into_initializer() {
            Ok(i) => self.gamma_initializer = i,
            Err(e) => self.config_error = self.config_error.or(Some(e.to_string())),
        }
        self
    }
    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn state(&self) -> Result<&State> {
        self.state.as_ref().ok_or_else(|| {
            Error::NotReady(format!(
                "BatchNormalization {:?} is not built: call build(input_shape) or build the model",
                self.name
            ))
        })
    }

    /// `v` shaped to broadcast against the input.
    fn bcast(st: &State, v: &Tensor) -> Result<Tensor> {
        Ok(match &st.bshape {
            Some(s) => v.reshape(s)?,
            None => v.clone(),
        })
    }
}

impl Default for BatchNormalization {
    fn default() -> Self {
        Self::new()
    }
}

impl Layer for BatchNormalization {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "BatchNormalization"
    }

    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        let name = &self.name;
        if let Some(e) = &self.config_error {
            return Err(Error::arg(format!("BatchNormalization {name:?}: {e}")));
        }
        if !(0.0..=1.0).contains(&self.momentum) || self.epsilon <= 0.0 {
            return Err(Error::arg(format!(
                "BatchNormalization {name:?}: momentum must be in [0, 1] and epsilon positive, got {} and {}",
                self.momentum, self.epsilon
            )));
        }
        let rank = input_shape.len() + 1;
        let axis = if self.axis < 0 {
            self.axis + rank as isize
        } else {
            self.axis
        };
        if axis < 1 || axis >= rank as isize {
            return Err(Error::arg(format!(
                "BatchNormalization {name:?}: axis {} is out of range for inputs of shape {} (axis 0 is the batch)",
                self.axis,
                batch_shape_str(input_shape)
            )));
        }
        let axis = axis as usize;
        let c = input_shape[axis - 1];
        let (dt, dev) = (ctx.dtype, &ctx.device);
        let var = |n: &str, init: &Initializer, trainable: bool| -> Result<Variable> {
            let t = init.init(&[c], dt, dev)?;
            Ok(Variable::with_trainable(format!("{name}/{n}"), t, trainable))
        };
        let gamma = if self.scale {
            Some(var("gamma", &self.gamma_initializer, true)?)
        } else {
            None
        };
        let beta = if self.center {
            Some(var("beta", &self.beta_initializer, true)?)
        } else {
            None
        };
        let moving_mean = var("moving_mean", &self.moving_mean_initializer, false)?;
        let moving_variance = var("moving_variance", &self.moving_variance_initializer, false)?;
        let bshape = (axis != rank - 1).then(|| (0..rank).map(|i| if i == axis { c } else { 1 }).collect());
        self.state = Some(State {
            input_shape: input_shape.to_vec(),
            axis,
            bshape,
            gamma,
            beta,
            moving_mean,
            moving_variance,
        });
        Ok(())
    }

    fn built(&self) -> bool {
        self.state.is_some()
    }

    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let st = self.state()?;
        let c = st.moving_mean.shape()[0];
        if x.rank() != st.input_shape.len() + 1 || x.shape()[st.axis] != c {
            return Err(Error::shape(format!(
                "BatchNormalization {:?} expects input of shape {}, got {}",
                self.name,
                batch_shape_str(&st.input_shape),
                shape_str(x.shape())
            )));
        }
        let cast;
        let x = if x.dtype() != st.moving_mean.dtype() {
            cast = x.cast(st.moving_mean.dtype())?;
            &cast
        } else {
            x
        };
        let gamma = st.gamma.as_ref().map(|g| Self::bcast(st, g)).transpose()?;
        let beta = st.beta.as_ref().map(|b| Self::bcast(st, b)).transpose()?;
        if training && !self.frozen {
            let axes: Vec<isize> = (0..x.rank()).filter(|&i| i != st.axis).map(|i| i as isize).collect();
            let (mean, var) = nn::moments(x, &axes, st.bshape.is_some())?;
            let y = nn::batch_normalization(x, &mean, &var, beta.as_ref(), gamma.as_ref(), self.epsilon)?;
            // moving = moving * momentum + batch * (1 - momentum); not recorded.
            let m = self.momentum;
            tensorlow::no_grad(|| -> Result<()> {
                for (moving, batch) in [(&st.moving_mean, &mean), (&st.moving_variance, &var)] {
                    let batch = batch.reshape(&[c])?;
                    moving.assign(&moving.affine(m, 0.0)?.add(&batch.affine(1.0 - m, 0.0)?)?)?;
                }
                Ok(())
            })?;
            Ok(y)
        } else {
            let mean = Self::bcast(st, &st.moving_mean)?;
            let var = Self::bcast(st, &st.moving_variance)?;
            Ok(nn::batch_normalization(
                x,
                &mean,
                &var,
                beta.as_ref(),
                gamma.as_ref(),
                self.epsilon,
            )?)
        }
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        self.state
            .iter()
            .flat_map(|s| s.gamma.iter().chain(s.beta.iter()).cloned())
            .collect()
    }

    fn non_trainable_weights(&self) -> Vec<Variable> {
        self.state
            .iter()
            .flat_map(|s| [s.moving_mean.clone(), s.moving_variance.clone()])
            .collect()
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        if let Some(s) = self.state.as_mut() {
            for v in s.gamma.iter_mut().chain(s.beta.iter_mut()) {
                f(v)?;
            }
            f(&mut s.moving_mean)?;
            f(&mut s.moving_variance)?;
        }
        Ok(())
    }

    fn set_trainable(&mut self, trainable: bool) {
        self.frozen = !trainable;
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }

    fn supports_masking(&self) -> bool {
        true
    }

    fn get_config(&self) -> serde_json::Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
}

impl BatchNormalization {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> BatchNormalizationConfig {
        BatchNormalizationConfig {
            name: self.name.clone(),
            axis: self.axis,
            momentum: self.momentum,
            epsilon: self.epsilon,
            center: self.center,
            scale: self.scale,
            beta_initializer: self.beta_initializer,
            gamma_initializer: self.gamma_initializer,
            moving_mean_initializer: self.moving_mean_initializer,
            moving_variance_initializer: self.moving_variance_initializer,
        }
    }

    /// A layer from its configuration (bad values are reported by `build`).
    pub fn from_batch_normalization_config(c: BatchNormalizationConfig) -> Result<Self> {
        let mut l = BatchNormalization::new()
            .axis(c.axis)
            .momentum(c.momentum)
            .epsilon(c.epsilon)
            .center(c.center)
            .scale(c.scale)
            .beta_initializer(c.beta_initializer)
            .gamma_initializer(c.gamma_initializer);
        l.moving_mean_initializer = c.moving_mean_initializer;
        l.moving_variance_initializer = c.moving_variance_initializer;
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for BatchNormalization {
    const CLASS_NAME: &'static str = "BatchNormalization";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        BatchNormalization::from_batch_normalization_config(parse_config("BatchNormalization", c)?)
    }
}

/// Keras 3.15's `BatchNormalization.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("axis", Opt::Used),
    ("momentum", Opt::Used),
    ("epsilon", Opt::Used),
    ("center", Opt::Used),
    ("scale", Opt::Used),
    ("beta_initializer", Opt::Init),
    ("gamma_initializer", Opt::Init),
    ("moving_mean_initializer", Opt::Init),
    ("moving_variance_initializer", Opt::Init),
    ("beta_regularizer", Opt::Null),
    ("gamma_regularizer", Opt::Null),
    ("beta_constraint", Opt::Null),
    ("gamma_constraint", Opt::Null),
    ("synchronized", Opt::Is("false")),
    ("renorm", Opt::Is("false")),
    ("renorm_clipping", Opt::Null),
    ("renorm_momentum", Opt::Init),
]);

#[cfg(test)]
mod tests;
