//! `Conv1D` and `Conv2D`: convolutions over sequences and images
//! (`keras.layers.Conv1D`, `keras.layers.Conv2D`), `activation(conv(x,
//! kernel) + bias)`, on [`tensorlow::nn::conv1d`] / [`tensorlow::nn::conv2d`].
//!
//! Keras' arguments and defaults: `filters`, `kernel_size`, `strides` (1),
//! `padding` (`"valid"`, `"same"`, and `"causal"` for `Conv1D`),
//! `dilation_rate` (1), `groups` (1), `activation` (linear), `use_bias`
//! (true), Glorot-uniform kernel and zero bias. Inputs are `channels_last`:
//! `(batch, steps, channels)` and `(batch, height, width, channels)`; the
//! kernel is `(kernel_size..., channels / groups, filters)`, as Keras stores
//! it, so weights load from Keras unchanged. The output sizes come from
//! [`tensorlow::nn::conv_output_size`], the function the ops use.
//!
//! `padding="causal"` (`Conv1D`) puts `(kernel_size - 1) * dilation_rate`
//! zeros before the sequence ([`tensorlow::nn::causal_padding`]) and
//! convolves with valid padding, as Keras does: output `t` sees no input
//! after `t * stride`.
//!
//! ```
//! use keraslike::layers::{BuildContext, Conv2D, Layer};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut conv = Conv2D::new(8, 3).padding("same").strides(2).activation("relu");
//! conv.build(&[28, 28, 1], &BuildContext::default())?;
//! assert_eq!(conv.weights()[0].shape(), &[3, 3, 1, 8]); // Keras' kernel layout
//! let x = Tensor::ones(&[2, 28, 28, 1], DType::F32, &Device::cpu())?;
//! assert_eq!(conv.call(&x, false)?.shape(), &[2, 14, 14, 8]);
//! assert_eq!(conv.compute_output_shape(&[28, 28, 1])?, vec![14, 14, 8]);
//! # Ok(()) }
//! ```

use super::keras_options::KERNEL_BIAS_KERAS_OPTIONS;
use super::{KerasOption as Opt, KerasOptions};
use super::registry::{de, parse_config};
use super::spatial::{check_data_format, check_positive, check_rank, conv_builder_methods, sizes, PadMode, Size};
use super::{shape_str, unique_name, BuildContext, DataFormat, FromConfig, Layer};
use crate::activations::{Activation, IntoActivation};
use crate::initializers::{Initializer, IntoInitializer};
use crate::regularizers::{IntoRegularizer, Regularizer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{nn, Tensor, Variable};

/// The configuration of [`Conv1D`] and [`Conv2D`] with Keras' field names
/// and defaults (their `get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it. Sizes are one integer (the same
/// along every axis) or one per spatial axis; Keras' other fields
/// (`lora_rank`, constraints, ...) are ignored when read.
///
/// ```
/// use keraslike::layers::{Conv2D, ConvConfig, FromConfig, Layer};
/// let cfg: ConvConfig =
///     serde_json::from_value(serde_json::json!({"name": "c", "filters": 8, "kernel_size": 3, "padding": "same"})).unwrap();
/// assert_eq!((cfg.kernel_size.as_slice(), cfg.strides.as_slice(), cfg.groups), (&[3][..], &[1][..], 1));
/// let conv = Conv2D::from_conv_config(cfg).unwrap();
/// assert_eq!(conv.get_config()["kernel_size"], serde_json::json!([3, 3])); // written in full
/// assert_eq!(Conv2D::from_config(&conv.get_config()).unwrap().config(), conv.config());
/// assert!(Conv2D::from_conv_config(Default::default()).is_err()); // no filters
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConvConfig {
    /// The layer's name (a fresh `conv2d_N`, ... when empty).
    pub name: String,
    /// The number of output channels (required, positive).
    pub filters: usize,
    /// The window (required).
    #[serde(deserialize_with = "de::one_or_many")]
    pub kernel_size: Vec<usize>,
    /// The step between windows (default 1).
    #[serde(deserialize_with = "de::one_or_many")]
    pub strides: Vec<usize>,
    /// `"valid"` (default), `"same"` or, for `Conv1D`, `"causal"`.
    pub padding: String,
    /// The layout, only `channels_last` (the default).
    pub data_format: DataFormat,
    /// The spacing of the kernel's taps (default 1).
    #[serde(deserialize_with = "de::one_or_many")]
    pub dilation_rate: Vec<usize>,
    /// Independent convolutions the channels are split into (default 1).
    pub groups: usize,
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
    /// The declared input shape without batch (keraslike's; `null` when none).
    pub input_shape: Option<Vec<usize>>,
}

impl Default for ConvConfig {
    fn default() -> Self {
        ConvConfig {
            name: String::new(),
            filters: 0,
            kernel_size: Vec::new(),
            strides: vec![1],
            padding: "valid".into(),
            data_format: DataFormat::default(),
            dilation_rate: vec![1],
            groups: 1,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            bias_initializer: Initializer::zeros(),
            kernel_regularizer: None,
            bias_regularizer: None,
            input_shape: None,
        }
    }
}

/// A convolution over `R` spatial axes; use [`Conv1D`] or [`Conv2D`].
#[derive(Debug)]
pub struct Conv<const R: usize> {
    name: String,
    filters: usize,
    kernel_size: [usize; R],
    strides: [usize; R],
    padding: PadMode,
    dilation_rate: [usize; R],
    groups: usize,
    activation: Activation,
    use_bias: bool,
    kernel_initializer: Initializer,
    bias_initializer: Initializer,
    kernel_regularizer: Option<Regularizer>,
    bias_regularizer: Option<Regularizer>,
    input_shape: Option<Vec<usize>>,
    config_error: Option<String>,
    kernel: Option<Variable>,
    bias: Option<Variable>,
}

/// A 1-D convolution over `(batch, steps, channels)` (`keras.layers.Conv1D`).
pub type Conv1D = Conv<1>;
/// A 2-D convolution over `(batch, height, width, channels)` (`keras.layers.Conv2D`).
pub type Conv2D = Conv<2>;

impl<const R: usize> Conv<R> {
    /// Keras' class name.
    const CLASS: &'static str = if R == 1 { "Conv1D" } else { "Conv2D" };

    /// `filters` output channels from windows of `kernel_size` (an integer
    /// or one per spatial axis); stride 1, valid padding, no activation,
    /// a bias (Keras' defaults). Named `conv2d`, `conv2d_1`, ...
    pub fn new(filters: usize, kernel_size: impl Into<Size<R>>) -> Self {
        let kernel_size = kernel_size.into().0;
        let mut l = Conv {
            name: unique_name(if R == 1 { "conv1d" } else { "conv2d" }),
            filters,
            kernel_size,
            strides: [1; R],
            padding: PadMode::Valid,
            dilation_rate: [1; R],
            groups: 1,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            bias_initializer: Initializer::zeros(),
            kernel_regularizer: None,
            bias_regularizer: None,
            input_shape: None,
            config_error: None,
            kernel: None,
            bias: None,
        };
        if filters == 0 {
            l.config_error = Some("filters must be positive, got 0".into());
        }
        l.note(check_positive("kernel_size", &kernel_size));
        l
    }

    conv_builder_methods!(R);

    /// `"valid"` (default), `"same"` or, for `Conv1D`, `"causal"`.
    pub fn padding(mut self, padding: &str) -> Self {
        match PadMode::parse(padding, R == 1) {
            Ok(p) => self.padding = p,
            Err(e) => self.note(Err(e)),
        }
        self
    }

    /// Splits the channels into `groups` independent convolutions (default
    /// 1); must divide both the input channels and `filters`.
    pub fn groups(mut self, groups: usize) -> Self {
        self.groups = groups;
        self.note(check_positive("groups", &[groups]));
        self
    }

    /// The kernel `(kernel_size..., channels / groups, filters)`, once built.
    pub fn kernel(&self) -> Option<&Variable> {
        self.kernel.as_ref()
    }

    /// The bias `(filters,)`, once built (and if `use_bias`).
    pub fn bias(&self) -> Option<&Variable> {
        self.bias.as_ref()
    }

    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::shape(format!("{} {:?}: {msg}", Self::CLASS, self.name))
    }

    /// The output size along each spatial axis for input sizes `input`.
    fn output_sizes(&self, input: &[usize]) -> Result<Vec<usize>> {
        let mut out = Vec::with_capacity(R);
        for a in 0..R {
            let (k, s, d) = (self.kernel_size[a], self.strides[a], self.dilation_rate[a]);
            let mut n = input[a];
            if self.padding == PadMode::Causal {
                n += nn::causal_padding(k, d);
            }
            let span = (k - 1) * d + 1;
            if self.padding == PadMode::Valid && span > n {
                return Err(self.err(format_args!(
                    "the kernel spans {span} along {} (kernel_size {k}, dilation_rate {d}) but the input \
                     (per-sample shape {}) has only {n} with padding=\"valid\"; use padding=\"same\" or a smaller kernel",
                    axis_name(R, a),
                    shape_str(input),
                )));
            }
            out.push(nn::conv_output_size(n, k, s, d, self.padding.op()).map_err(|e| self.err(e))?);
        }
        Ok(out)
    }

    fn check_config(&self) -> Result<()> {
        if let Some(e) = &self.config_error {
            return Err(Error::arg(format!("{} {:?}: {e}", Self::CLASS, self.name)));
        }
        if self.strides.iter().any(|&s| s > 1) && self.dilation_rate.iter().any(|&d| d > 1) {
            return Err(Error::arg(format!(
                "{} {:?}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), got strides {:?} \
                 and dilation_rate {:?}",
                Self::CLASS,
                self.name,
                self.strides,
                self.dilation_rate
            )));
        }
        if !self.filters.is_multiple_of(self.groups) {
            return Err(Error::arg(format!(
                "{} {:?}: groups {} must divide filters {}",
                Self::CLASS,
                self.name,
                self.groups,
                self.filters
            )));
        }
        Ok(())
    }
}

/// `height` / `width` / `steps`, for messages.
fn axis_name(rank: usize, a: usize) -> &'static str {
    match (rank, a) {
        (1, _) => "steps",
        (_, 0) => "height",
        _ => "width",
    }
}

impl<const R: usize> Layer for Conv<R> {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        Self::CLASS
    }

    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        self.check_config()?;
        if let Some(declared) = &self.input_shape {
            if declared.as_slice() != input_shape {
                return Err(self.err(format_args!(
                    "was declared with input_shape {} but is built for {}",
                    shape_str(declared),
                    shape_str(input_shape)
                )));
            }
        }
        check_rank(Self::CLASS, &self.name, R, input_shape)?;
        let channels = input_shape[R];
        if channels == 0 || !channels.is_multiple_of(self.groups) {
            return Err(Error::arg(format!(
                "{} {:?}: groups {} must divide the input channels, got per-sample shape {} ({channels} channels)",
                Self::CLASS,
                self.name,
                self.groups,
                shape_str(input_shape)
            )));
        }
        self.output_sizes(input_shape)?;
        let mut shape = self.kernel_size.to_vec();
        shape.extend([channels / self.groups, self.filters]);
        let kernel = self.kernel_initializer.init(&shape, ctx.dtype, &ctx.device)?;
        self.kernel = Some(Variable::new(format!("{}/kernel", self.name), kernel));
        if self.use_bias {
            let bias = self.bias_initializer.init(&[self.filters], ctx.dtype, &ctx.device)?;
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
                "{} {:?} is not built: call build(input_shape) or build the model",
                Self::CLASS,
                self.name
            ))
        })?;
        let channels = kernel.shape()[R] * self.groups;
        if x.rank() != R + 2 || x.shape()[R + 1] != channels {
            let mut want = vec!["batch".to_string()];
            want.extend(["steps", "height", "width"].iter().skip(if R == 1 { 0 } else { 1 }).take(R).map(|s| s.to_string()));
            want.push(channels.to_string());
            return Err(self.err(format_args!(
                "expects input of shape ({}), got {} (the kernel is {})",
                want.join(", "),
                shape_str(x.shape()),
                shape_str(kernel.shape())
            )));
        }
        let cast;
        let x = if x.dtype() != kernel.dtype() {
            cast = x.cast(kernel.dtype())?;
            &cast
        } else {
            x
        };
        let (s, d, pad) = (&self.strides[..], &self.dilation_rate[..], self.padding.op());
        if let (2, Some(b), Activation::Relu) = (R, &self.bias, self.activation) {
            // Keras' usual Conv2D: one fused op, the same values and
            // gradients as the three below.
            return nn::conv2d_bias_relu(x, kernel, b, (s[0], s[1]), pad, (d[0], d[1])).map_err(|e| self.err(e));
        }
        let y = if R == 1 {
            let x = if self.padding == PadMode::Causal {
                x.pad(&[(0, 0), (nn::causal_padding(self.kernel_size[0], d[0]), 0), (0, 0)], 0.0)?
            } else {
                x.clone()
            };
            nn::conv1d(&x, kernel, s[0], pad, d[0])
        } else {
            nn::conv2d(x, kernel, (s[0], s[1]), pad, (d[0], d[1]))
        }
        .map_err(|e| self.err(e))?;
        let y = match &self.bias {
            Some(b) => y.add(b)?,
            None => y,
        };
        self.activation.apply(&y)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        check_rank(Self::CLASS, &self.name, R, input_shape)?;
        let mut out = self.output_sizes(input_shape)?;
        out.push(self.filters);
        Ok(out)
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

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

impl<const R: usize> Conv<R> {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> ConvConfig {
        ConvConfig {
            name: self.name.clone(),
            filters: self.filters,
            kernel_size: self.kernel_size.to_vec(),
            strides: self.strides.to_vec(),
            padding: self.padding.name().into(),
            data_format: DataFormat::default(),
            dilation_rate: self.dilation_rate.to_vec(),
            groups: self.groups,
            activation: self.activation,
            use_bias: self.use_bias,
            kernel_initializer: self.kernel_initializer,
            bias_initializer: self.bias_initializer,
            kernel_regularizer: self.kernel_regularizer,
            bias_regularizer: self.bias_regularizer,
            input_shape: self.input_shape.clone(),
        }
    }

    /// A layer from its configuration: `filters` and `kernel_size` are
    /// required and sizes of the wrong length are an error; bad values
    /// (a zero stride, an unknown padding) are reported by `build`.
    pub fn from_conv_config(c: ConvConfig) -> Result<Self> {
        let class = Self::CLASS;
        if c.filters == 0 {
            return Err(Error::arg(format!("{class} config needs \"filters\" (a positive integer)")));
        }
        if c.kernel_size.is_empty() {
            return Err(Error::arg(format!("{class} config needs \"kernel_size\"")));
        }
        let mut l = Conv::<R>::new(c.filters, sizes::<R>(class, "kernel_size", &c.kernel_size)?)
            .padding(&c.padding)
            .data_format(&c.data_format.0)
            .activation(c.activation)
            .use_bias(c.use_bias)
            .strides(sizes::<R>(class, "strides", &c.strides)?)
            .dilation_rate(sizes::<R>(class, "dilation_rate", &c.dilation_rate)?)
            .groups(c.groups)
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

    fn from_keras_config(c: &Value) -> Result<Self> {
        Self::from_conv_config(parse_config(Self::CLASS, c)?)
    }
}

impl FromConfig for Conv<1> {
    const CLASS_NAME: &'static str = "Conv1D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Self::from_keras_config(c)
    }
}

impl FromConfig for Conv<2> {
    const CLASS_NAME: &'static str = "Conv2D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Self::from_keras_config(c)
    }
}

/// Keras 3.15's `Conv1D`/`Conv2D` `get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("filters", Opt::Used),
    ("kernel_size", Opt::Used),
    ("strides", Opt::Used),
    ("padding", Opt::Used),
    ("data_format", Opt::Used),
    ("dilation_rate", Opt::Used),
    ("groups", Opt::Used),
    ("activation", Opt::Activation),
    ("use_bias", Opt::Used),
    ("lora_rank", Opt::Null),
    ("lora_alpha", Opt::Init),
]).with(KERNEL_BIAS_KERAS_OPTIONS);
