//! `Dense`: a fully connected layer, `activation(x @ kernel + bias)`
//! (`keras.layers.Dense`).
//!
//! The kernel has shape `(input_dim, units)` as in Keras, so weights load
//! from Keras unchanged. Inputs of rank > 2 are transformed along their last
//! axis: `(batch, t, input_dim) -> (batch, t, units)`.
//!
//! ```
//! use keraslike::layers::{BuildContext, Dense, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut d = Dense::new(2).activation("relu").kernel_initializer("ones").name("hidden");
//! d.build(&[3], &BuildContext::default())?;
//! let y = d.call(&Tensor::new(&[1.0f32, 2.0, -4.0], &[1, 3])?, false)?;
//! assert_eq!(y.to_vec::<f32>()?, vec![0.0, 0.0]); // relu(1 + 2 - 4)
//! assert_eq!(d.weights()[0].name(), "hidden/kernel");
//! # Ok(()) }
//! ```

use super::keras_options::KERNEL_BIAS_KERAS_OPTIONS;
use super::{KerasOption as Opt, KerasOptions};
use super::{batch_shape_str, shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::activations::{Activation, IntoActivation};
use crate::initializers::{Initializer, IntoInitializer};
use crate::regularizers::{IntoRegularizer, Regularizer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{Tensor, Variable};

/// Dense's configuration with Keras' field names and defaults
/// (`Dense.get_config()`): [`Layer::get_config`] writes this struct and
/// [`FromConfig::from_config`] reads it, so the two cannot drift apart.
/// Keras' other fields (`trainable`, `dtype`, `lora_rank`, ...) are
/// ignored when read; constraints and an activity regularizer other than
/// `null` are an error (keraslike has none).
///
/// ```
/// use keraslike::layers::{Dense, DenseConfig, FromConfig, Layer};
/// let cfg: DenseConfig = serde_json::from_value(serde_json::json!({"name": "d", "units": 4, "activation": "relu"})).unwrap();
/// assert_eq!((cfg.units, cfg.use_bias), (4, true)); // Keras' default for what is missing
/// let d = Dense::from_config(&serde_json::to_value(&cfg).unwrap()).unwrap();
/// assert_eq!(d.get_config()["activation"], "relu");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DenseConfig {
    /// The layer's name (a fresh `dense_N` when empty).
    pub name: String,
    /// The number of outputs (required, positive).
    pub units: usize,
    /// The activation (default `linear`).
    pub activation: Activation,
    /// Whether to add a bias (default true).
    pub use_bias: bool,
    /// The kernel's initializer (default `glorot_uniform`).
    pub kernel_initializer: Initializer,
    /// The bias' initializer (default `zeros`).
    pub bias_initializer: Initializer,
    /// A penalty on the kernel (default none).
    pub kernel_regularizer: Option<Regularizer>,
    /// A penalty on the bias (default none).
    pub bias_regularizer: Option<Regularizer>,
    /// The declared input shape without batch (keraslike's; Keras 3 puts it
    /// on an `InputLayer`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_shape: Option<Vec<usize>>,
    /// Keras' `activity_regularizer`: only `null` is supported.
    #[serde(skip_serializing)]
    pub activity_regularizer: Option<Value>,
    /// Keras' `kernel_constraint`: only `null` is supported.
    #[serde(skip_serializing)]
    pub kernel_constraint: Option<Value>,
    /// Keras' `bias_constraint`: only `null` is supported.
    #[serde(skip_serializing)]
    pub bias_constraint: Option<Value>,
}

impl Default for DenseConfig {
    fn default() -> Self {
        DenseConfig {
            name: String::new(),
            units: 0,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            bias_initializer: Initializer::zeros(),
            kernel_regularizer: None,
            bias_regularizer: None,
            input_shape: None,
            activity_regularizer: None,
            kernel_constraint: None,
            bias_constraint: None,
        }
    }
}

/// A fully connected layer. Configure it with the builder methods, which
/// keep Keras' names and defaults; a bad name (an unknown activation, say)
/// is reported by `build`.
#[derive(Debug)]
pub struct Dense {
    name: String,
    units: usize,
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Initializer,
    bias_initializer: Initializer,
    kernel_regularizer: Option<Regularizer>,
    bias_regularizer: Option<Regularizer>,
    input_shape: Option<Vec<usize>>,
    /// The first configuration error, reported by `build`: builder methods
    /// chain without `?`, like Keras' keyword arguments.
    config_error: Option<String>,
    kernel: Option<Variable>,
    bias: Option<Variable>,
}

impl Dense {
    /// `units` outputs, no activation, a bias, Glorot-uniform kernel and zero
    /// bias (Keras' defaults). Named `dense`, `dense_1`, ...
    pub fn new(units: usize) -> Self {
        Dense {
            name: unique_name("dense"),
            units,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            bias_initializer: Initializer::zeros(),
            kernel_regularizer: None,
            bias_regularizer: None,
            input_shape: None,
            config_error: (units == 0).then(|| "units must be positive, got 0".to_string()),
            kernel: None,
            bias: None,
        }
    }

    fn record<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.config_error.get_or_insert(e.to_string());
                None
            }
        }
    }

    /// The activation, by name (`"relu"`) or value (default `linear`).
    pub fn activation(mut self, activation: impl IntoActivation) -> Self {
        if let Some(a) = self.record(activation.into_activation()) {
            self.activation = a;
        }
        self
    }

    /// Whether to add a bias (default true).
    pub fn use_bias(mut self, use_bias: bool) -> Self {
        self.use_bias = use_bias;
        self
    }

    /// The kernel's initializer (default `glorot_uniform`).
    pub fn kernel_initializer(mut self, init: impl IntoInitializer) -> Self {
        if let Some(i) = self.record(init.into_initializer()) {
            self.kernel_initializer = i;
        }
        self
    }

    /// The bias' initializer (default `zeros`).
    pub fn bias_initializer(mut self, init: impl IntoInitializer) -> Self {
        if let Some(i) = self.record(init.into_initializer()) {
            self.bias_initializer = i;
        }
        self
    }

    /// A penalty on the kernel (default none), e.g. `Regularizer::l2(0.01)` or `"l2"`.
    pub fn kernel_regularizer(mut self, reg: impl IntoRegularizer) -> Self {
        self.kernel_regularizer = self.record(reg.into_regularizer());
        self
    }

    /// A penalty on the bias (default none).
    pub fn bias_regularizer(mut self, reg: impl IntoRegularizer) -> Self {
        self.bias_regularizer = self.record(reg.into_regularizer());
        self
    }

    /// Declares the input shape without batch, as Keras'
    /// `Dense(5, input_shape=(4,))`: a `Sequential` starting with this layer
    /// can build itself.
    pub fn input_shape(mut self, shape: &[usize]) -> Self {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The number of outputs.
    pub fn units(&self) -> usize {
        self.units
    }

    /// The kernel `(input_dim, units)`, once built.
    pub fn kernel(&self) -> Option<&Variable> {
        self.kernel.as_ref()
    }

    /// The bias `(units,)`, once built (and if `use_bias`).
    pub fn bias(&self) -> Option<&Variable> {
        self.bias.as_ref()
    }
}

impl Layer for Dense {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Dense"
    }

    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        if let Some(e) = &self.config_error {
            return Err(Error::arg(format!("Dense {:?}: {e}", self.name)));
        }
        if let Some(declared) = &self.input_shape {
            if declared.as_slice() != input_shape {
                return Err(Error::shape(format!(
                    "Dense {:?} was declared with input_shape {} but is built for {}",
                    self.name,
                    shape_str(declared),
                    shape_str(input_shape)
                )));
            }
        }
        let input_dim = match input_shape.last() {
            Some(&d) if d > 0 => d,
            _ => {
                return Err(Error::shape(format!(
                    "Dense {:?} needs inputs of shape (batch, ..., features), got per-sample shape {}; \
                     add a Flatten or Reshape layer before it",
                    self.name,
                    shape_str(input_shape)
                )))
            }
        };
        let kernel = self
            .kernel_initializer
            .init(&[input_dim, self.units], ctx.dtype, &ctx.device)?;
        self.kernel = Some(Variable::new(format!("{}/kernel", self.name), kernel));
        if self.use_bias {
            let bias = self.bias_initializer.init(&[self.units], ctx.dtype, &ctx.device)?;
            self.bias = Some(Variable::new(format!("{}/bias", self.name), bias));
        }
        Ok(())
    }

    fn built(&self) -> bool {
        self.kernel.is_some()
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        let kernel = self.kernel.as_ref().ok_or_else(|| {
            Error::NotReady(format!(
                "Dense {:?} is not built: call build(input_shape) or build the model",
                self.name
            ))
        })?;
        let input_dim = kernel.shape()[0];
        if x.rank() < 2 || x.shape()[x.rank() - 1] != input_dim {
            let want = if x.rank() > 2 {
                format!("(batch, ..., {input_dim})")
            } else {
                batch_shape_str(&[input_dim])
            };
            return Err(Error::shape(format!(
                "Dense {:?} expects input of shape {want}, got {}",
                self.name,
                shape_str(x.shape())
            )));
        }
        // Keras casts inputs to the layer's dtype (f64 data into an f32 model).
        let cast;
        let x = if x.dtype() != kernel.dtype() {
            cast = x.cast(kernel.dtype())?;
            &cast
        } else {
            x
        };
        let y = if x.rank() == 2 {
            x.matmul(kernel)?
        } else {
            // (..., in) -> (n, in) @ (in, units) -> (..., units): one matmul,
            // no kernel broadcast over the leading axes.
            let mut out_shape = x.shape().to_vec();
            *out_shape.last_mut().expect("rank > 2") = self.units;
            x.reshape(&[x.elem_count() / input_dim, input_dim])?
                .matmul(kernel)?
                .reshape(&out_shape)?
        };
        let y = match &self.bias {
            Some(b) => y.add(b)?,
            None => y,
        };
        self.activation.apply(&y)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let mut s = input_shape.to_vec();
        match s.last_mut() {
            Some(d) => *d = self.units,
            None => {
                return Err(Error::shape(format!(
                    "Dense {:?} needs inputs of shape (batch, ..., features), got per-sample shape ()",
                    self.name
                )))
            }
        }
        Ok(s)
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        self.kernel.iter().chain(self.bias.iter()).cloned().collect()
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        for v in self.kernel.iter_mut().chain(self.bias.iter_mut()) {
            f(v)?;
        }
        Ok(())
    }

    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        crate::regularizers::total_penalty([
            (&self.kernel_regularizer, self.kernel.as_ref()),
            (&self.bias_regularizer, self.bias.as_ref()),
        ])
    }

    fn get_config(&self) -> serde_json::Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }

    fn supports_masking(&self) -> bool {
        true
    }
}

impl Dense {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> DenseConfig {
        DenseConfig {
            name: self.name.clone(),
            units: self.units,
            activation: self.activation,
            use_bias: self.use_bias,
            kernel_initializer: self.kernel_initializer,
            bias_initializer: self.bias_initializer,
            kernel_regularizer: self.kernel_regularizer,
            bias_regularizer: self.bias_regularizer,
            input_shape: self.input_shape.clone(),
            ..DenseConfig::default()
        }
    }

    /// A layer from its configuration; options keraslike does not have are
    /// an error naming them.
    pub fn from_dense_config(c: DenseConfig) -> Result<Self> {
        for (field, v) in [
            ("activity_regularizer", &c.activity_regularizer),
            ("kernel_constraint", &c.kernel_constraint),
            ("bias_constraint", &c.bias_constraint),
        ] {
            if v.as_ref().is_some_and(|v| !v.is_null()) {
                return Err(Error::arg(format!(
                    "Dense {:?}: {field} is not supported by keraslike (got {}); remove it from the config",
                    c.name,
                    v.as_ref().map(Value::to_string).unwrap_or_default()
                )));
            }
        }
        if c.units == 0 {
            return Err(Error::arg(format!(
                "Dense {:?}: the config needs \"units\", a positive integer",
                c.name
            )));
        }
        let mut l = Dense::new(c.units)
            .activation(c.activation)
            .use_bias(c.use_bias)
            .kernel_initializer(c.kernel_initializer)
            .bias_initializer(c.bias_initializer);
        l.kernel_regularizer = c.kernel_regularizer;
        l.bias_regularizer = c.bias_regularizer;
        l.input_shape = c.input_shape;
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

impl FromConfig for Dense {
    const CLASS_NAME: &'static str = "Dense";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        let cfg: DenseConfig = serde_json::from_value(c.clone())
            .map_err(|e| Error::arg(format!("Dense: bad config: {e}; expected Keras' Dense config (units, activation, ...)")))?;
        Dense::from_dense_config(cfg)
    }
}

/// Keras 3.15's `Dense.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("units", Opt::Used),
    ("activation", Opt::Activation),
    ("use_bias", Opt::Used),
    ("quantization_config", Opt::Null),
    ("lora_rank", Opt::Null),
    ("lora_alpha", Opt::Init),
]).with(KERNEL_BIAS_KERAS_OPTIONS);

#[cfg(test)]
mod tests;
