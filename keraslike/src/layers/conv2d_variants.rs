//! The other 2-D convolutions of Keras: `Conv2DTranspose` (a learned
//! upsampling, the gradient of a convolution as a layer), `DepthwiseConv2D`
//! (each channel filtered on its own with `depth_multiplier` kernels) and
//! `SeparableConv2D` (depthwise, then a 1x1 convolution), on
//! [`tensorlow::nn::conv2d_transpose`], [`tensorlow::nn::depthwise_conv2d`]
//! and [`tensorlow::nn::separable_conv2d`].
//!
//! Keras' arguments, defaults and weight layouts (`channels_last`):
//! - `Conv2DTranspose(filters, kernel_size, strides=1, padding="valid",
//!   output_padding=None, dilation_rate=1)`: kernel `(kh, kw, filters,
//!   in_channels)`, bias `(filters)`; output sizes from
//!   [`tensorlow::nn::conv_transpose_output_size`] (Keras'
//!   `deconv_output_length`).
//! - `DepthwiseConv2D(kernel_size, strides=1, padding="valid",
//!   depth_multiplier=1, dilation_rate=1)`: kernel `(kh, kw, in_channels,
//!   depth_multiplier)`, bias `(in_channels * depth_multiplier)`.
//! - `SeparableConv2D(filters, kernel_size, ..., depth_multiplier=1)`:
//!   `depthwise_kernel (kh, kw, in_channels, depth_multiplier)`,
//!   `pointwise_kernel (1, 1, in_channels * depth_multiplier, filters)`,
//!   bias `(filters)`.
//!
//! All three take `activation` (linear), `use_bias` (true), Glorot-uniform
//! kernels, zero bias and L1/L2 regularizers, like [`Conv2D`](super::Conv2D).
//!
//! ```
//! use keraslike::layers::{BuildContext, Conv2DTranspose, DepthwiseConv2D, Layer, SeparableConv2D};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let x = Tensor::ones(&[2, 7, 7, 3], DType::F32, &Device::cpu())?;
//! let mut up = Conv2DTranspose::new(4, 3).strides(2).padding("same");
//! up.build(&[7, 7, 3], &BuildContext::default())?;
//! assert_eq!(up.weights()[0].shape(), &[3, 3, 4, 3]); // Keras' (kh, kw, filters, in)
//! assert_eq!(up.call(&x, false)?.shape(), &[2, 14, 14, 4]);
//! let mut dw = DepthwiseConv2D::new(3).depth_multiplier(2);
//! dw.build(&[7, 7, 3], &BuildContext::default())?;
//! assert_eq!(dw.call(&x, false)?.shape(), &[2, 5, 5, 6]);
//! let mut sep = SeparableConv2D::new(8, 3).padding("same");
//! sep.build(&[7, 7, 3], &BuildContext::default())?;
//! assert_eq!(sep.compute_output_shape(&[7, 7, 3])?, vec![7, 7, 8]);
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
use std::marker::PhantomData;
use tensorlow::{nn, Tensor, Variable};

/// [`Conv2DTranspose`]'s configuration with Keras' field names and
/// defaults (`Conv2DTranspose.get_config()`): [`Layer::get_config`] writes
/// it and [`FromConfig::from_config`] reads it. Sizes are one integer (the
/// same along both axes) or two.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Conv2DTransposeConfig {
    /// The layer's name (a fresh `conv2d_transpose_N` when empty).
    pub name: String,
    /// The number of output channels (required, positive).
    pub filters: usize,
    /// The window (required).
    #[serde(deserialize_with = "de::one_or_many")]
    pub kernel_size: Vec<usize>,
    /// The step between windows (default 1).
    #[serde(deserialize_with = "de::one_or_many")]
    pub strides: Vec<usize>,
    /// `"valid"` (default) or `"same"`.
    pub padding: String,
    /// The extra rows/columns at the bottom/right of the output (default
    /// `null`: none).
    #[serde(deserialize_with = "de::opt_one_or_many")]
    pub output_padding: Option<Vec<usize>>,
    /// The layout, only `channels_last` (the default).
    pub data_format: DataFormat,
    /// The spacing of the kernel's taps (default 1).
    #[serde(deserialize_with = "de::one_or_many")]
    pub dilation_rate: Vec<usize>,
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

impl Default for Conv2DTransposeConfig {
    fn default() -> Self {
        Conv2DTransposeConfig {
            name: String::new(),
            filters: 0,
            kernel_size: Vec::new(),
            strides: vec![1],
            padding: "valid".into(),
            output_padding: None,
            data_format: DataFormat::default(),
            dilation_rate: vec![1],
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

/// [`DepthwiseConv2D`]'s configuration with Keras' field names and
/// defaults (`DepthwiseConv2D.get_config()`), and the depthwise part of
/// [`SeparableConv2DConfig`]: [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it. Sizes are one integer (the same
/// along both axes) or two.
///
/// ```
/// use keraslike::layers::{DepthwiseConv2D, FromConfig, Layer, SeparableConv2D, SeparableConv2DConfig};
/// let json = serde_json::json!({"name": "s", "filters": 4, "kernel_size": 3, "depth_multiplier": 2});
/// let cfg: SeparableConv2DConfig = serde_json::from_value(json).unwrap();
/// assert_eq!((cfg.filters, cfg.depthwise.depth_multiplier, cfg.depthwise.kernel_size.as_slice()), (4, 2, &[3][..]));
/// let sep = SeparableConv2D::from_separable_conv2d_config(cfg).unwrap();
/// assert_eq!(sep.get_config()["kernel_size"], serde_json::json!([3, 3]));
/// assert_eq!(SeparableConv2D::from_config(&sep.get_config()).unwrap().config(), sep.config());
/// let dw = DepthwiseConv2D::from_depthwise_conv2d_config(sep.config().depthwise).unwrap();
/// assert!(dw.get_config().get("filters").is_none()); // Keras' DepthwiseConv2D has none
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DepthwiseConv2DConfig {
    /// The layer's name (a fresh `depthwise_conv2d_N`, ... when empty).
    pub name: String,
    /// The window (required).
    #[serde(deserialize_with = "de::one_or_many")]
    pub kernel_size: Vec<usize>,
    /// The step between windows (default 1).
    #[serde(deserialize_with = "de::one_or_many")]
    pub strides: Vec<usize>,
    /// `"valid"` (default) or `"same"`.
    pub padding: String,
    /// Kernels per input channel (default 1).
    pub depth_multiplier: usize,
    /// The layout, only `channels_last` (the default).
    pub data_format: DataFormat,
    /// The spacing of the kernel's taps (default 1).
    #[serde(deserialize_with = "de::one_or_many")]
    pub dilation_rate: Vec<usize>,
    /// The activation (default `linear`).
    pub activation: Activation,
    /// Whether to add a bias (default true).
    pub use_bias: bool,
    /// The depthwise kernel's initializer (default `glorot_uniform`).
    pub depthwise_initializer: Initializer,
    /// The bias' initializer (default `zeros`).
    pub bias_initializer: Initializer,
    /// A penalty on the depthwise kernel (default none).
    pub depthwise_regularizer: Option<Regularizer>,
    /// A penalty on the bias (default none).
    pub bias_regularizer: Option<Regularizer>,
    /// The declared input shape without batch (keraslike's; `null` when none).
    pub input_shape: Option<Vec<usize>>,
}

impl Default for DepthwiseConv2DConfig {
    fn default() -> Self {
        DepthwiseConv2DConfig {
            name: String::new(),
            kernel_size: Vec::new(),
            strides: vec![1],
            padding: "valid".into(),
            depth_multiplier: 1,
            data_format: DataFormat::default(),
            dilation_rate: vec![1],
            activation: Activation::Linear,
            use_bias: true,
            depthwise_initializer: Initializer::glorot_uniform(),
            bias_initializer: Initializer::zeros(),
            depthwise_regularizer: None,
            bias_regularizer: None,
            input_shape: None,
        }
    }
}

/// [`SeparableConv2D`]'s configuration with Keras' field names and
/// defaults (`SeparableConv2D.get_config()`): the depthwise step's fields
/// ([`DepthwiseConv2DConfig`], flattened into the same JSON object), the
/// number of filters and the pointwise kernel's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SeparableConv2DConfig {
    /// The number of output channels (required, positive).
    pub filters: usize,
    /// The depthwise step's fields (and the layer's name).
    #[serde(flatten)]
    pub depthwise: DepthwiseConv2DConfig,
    /// The pointwise kernel's initializer (default `glorot_uniform`).
    pub pointwise_initializer: Initializer,
    /// A penalty on the pointwise kernel (default none).
    pub pointwise_regularizer: Option<Regularizer>,
}

impl Default for SeparableConv2DConfig {
    fn default() -> Self {
        SeparableConv2DConfig {
            filters: 0,
            depthwise: DepthwiseConv2DConfig::default(),
            pointwise_initializer: Initializer::glorot_uniform(),
            pointwise_regularizer: None,
        }
    }
}

/// Which of the three convolutions a [`Conv2DVariant`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VariantKind {
    /// `Conv2DTranspose`.
    Transpose,
    /// `DepthwiseConv2D`.
    Depthwise,
    /// `SeparableConv2D`.
    Separable,
}

/// The marker types of the three layers.
pub trait Variant: Send + Sync + std::fmt::Debug + 'static {
    /// Which convolution.
    const KIND: VariantKind;
    /// Keras' class name.
    const CLASS: &'static str;
    /// The base of the automatic names (`conv2d_transpose`, ...).
    const BASE: &'static str;
}

/// Marker of [`Conv2DTranspose`].
#[derive(Debug)]
pub struct TransposeKind;
/// Marker of [`DepthwiseConv2D`].
#[derive(Debug)]
pub struct DepthwiseKind;
/// Marker of [`SeparableConv2D`].
#[derive(Debug)]
pub struct SeparableKind;

impl Variant for TransposeKind {
    const KIND: VariantKind = VariantKind::Transpose;
    const CLASS: &'static str = "Conv2DTranspose";
    const BASE: &'static str = "conv2d_transpose";
}
impl Variant for DepthwiseKind {
    const KIND: VariantKind = VariantKind::Depthwise;
    const CLASS: &'static str = "DepthwiseConv2D";
    const BASE: &'static str = "depthwise_conv2d";
}
impl Variant for SeparableKind {
    const KIND: VariantKind = VariantKind::Separable;
    const CLASS: &'static str = "SeparableConv2D";
    const BASE: &'static str = "separable_conv2d";
}

/// A transposed, depthwise or separable 2-D convolution; use
/// [`Conv2DTranspose`], [`DepthwiseConv2D`] or [`SeparableConv2D`].
#[derive(Debug)]
pub struct Conv2DVariant<K: Variant> {
    name: String,
    /// Output channels (`Conv2DTranspose`, `SeparableConv2D`); 0 for `DepthwiseConv2D`.
    filters: usize,
    kernel_size: [usize; 2],
    strides: [usize; 2],
    padding: PadMode,
    dilation_rate: [usize; 2],
    depth_multiplier: usize,
    output_padding: Option<[usize; 2]>,
    activation: Activation,
    use_bias: bool,
    /// The kernel's (`Conv2DTranspose`) or the depthwise kernel's initializer.
    kernel_initializer: Initializer,
    pointwise_initializer: Initializer,
    bias_initializer: Initializer,
    kernel_regularizer: Option<Regularizer>,
    pointwise_regularizer: Option<Regularizer>,
    bias_regularizer: Option<Regularizer>,
    input_shape: Option<Vec<usize>>,
    config_error: Option<String>,
    /// The kernel (depthwise kernel), the pointwise kernel (separable only).
    kernels: Vec<Variable>,
    bias: Option<Variable>,
    kind: PhantomData<K>,
}

/// A transposed 2-D convolution (`keras.layers.Conv2DTranspose`).
pub type Conv2DTranspose = Conv2DVariant<TransposeKind>;
/// A depthwise 2-D convolution (`keras.layers.DepthwiseConv2D`).
pub type DepthwiseConv2D = Conv2DVariant<DepthwiseKind>;
/// A depthwise-separable 2-D convolution (`keras.layers.SeparableConv2D`).
pub type SeparableConv2D = Conv2DVariant<SeparableKind>;

impl Conv2DTranspose {
    /// `filters` output channels from `kernel_size` windows; stride 1, valid padding.
    pub fn new(filters: usize, kernel_size: impl Into<Size<2>>) -> Self {
        Self::make(filters, kernel_size.into().0)
    }

    /// The extra rows/columns at the bottom/right of the output (Keras'
    /// `output_padding`; each smaller than its stride). Default: none,
    /// the output size then follows from `padding` alone.
    pub fn output_padding(mut self, output_padding: impl Into<Size<2>>) -> Self {
        self.output_padding = Some(output_padding.into().0);
        self
    }
}

impl DepthwiseConv2D {
    /// `depth_multiplier` (default 1) kernels of `kernel_size` per input channel.
    pub fn new(kernel_size: impl Into<Size<2>>) -> Self {
        Self::make(0, kernel_size.into().0)
    }
}

impl SeparableConv2D {
    /// A depthwise convolution of `kernel_size`, then `filters` 1x1 filters.
    pub fn new(filters: usize, kernel_size: impl Into<Size<2>>) -> Self {
        Self::make(filters, kernel_size.into().0)
    }

    /// The pointwise kernel's initializer (default `glorot_uniform`).
    pub fn pointwise_initializer(mut self, init: impl IntoInitializer) -> Self {
        if let Some(i) = self.record(init.into_initializer()) {
            self.pointwise_initializer = i;
        }
        self
    }

    /// A penalty on the pointwise kernel (default none).
    pub fn pointwise_regularizer(mut self, reg: impl IntoRegularizer) -> Self {
        self.pointwise_regularizer = self.record(reg.into_regularizer());
        self
    }
}

impl<K: Variant> Conv2DVariant<K> {
    fn make(filters: usize, kernel_size: [usize; 2]) -> Self {
        let mut l = Conv2DVariant {
            name: unique_name(K::BASE),
            filters,
            kernel_size,
            strides: [1; 2],
            padding: PadMode::Valid,
            dilation_rate: [1; 2],
            depth_multiplier: 1,
            output_padding: None,
            activation: Activation::Linear,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            pointwise_initializer: Initializer::glorot_uniform(),
            bias_initializer: Initializer::zeros(),
            kernel_regularizer: None,
            pointwise_regularizer: None,
            bias_regularizer: None,
            input_shape: None,
            config_error: None,
            kernels: Vec::new(),
            bias: None,
            kind: PhantomData,
        };
        if K::KIND != VariantKind::Depthwise && filters == 0 {
            l.config_error = Some("filters must be positive, got 0".into());
        }
        l.note(check_positive("kernel_size", &kernel_size));
        l
    }

    conv_builder_methods!(2);

    /// `"valid"` (default) or `"same"`.
    pub fn padding(mut self, padding: &str) -> Self {
        match PadMode::parse(padding, false) {
            Ok(p) => self.padding = p,
            Err(e) => self.note(Err(e)),
        }
        self
    }

    /// Kernels per input channel of the depthwise step (default 1;
    /// `DepthwiseConv2D` and `SeparableConv2D`).
    pub fn depth_multiplier(mut self, depth_multiplier: usize) -> Self {
        if K::KIND == VariantKind::Transpose {
            self.note(Err("Conv2DTranspose has no depth_multiplier".into()));
        }
        self.depth_multiplier = depth_multiplier;
        self.note(check_positive("depth_multiplier", &[depth_multiplier]));
        self
    }

    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::shape(format!("{} {:?}: {msg}", K::CLASS, self.name))
    }

    /// Output channels for `channels` input channels.
    fn out_channels(&self, channels: usize) -> usize {
        match K::KIND {
            VariantKind::Depthwise => channels * self.depth_multiplier,
            _ => self.filters,
        }
    }

    /// The output height and width for an input of `(height, width, channels)`.
    fn output_sizes(&self, input: &[usize]) -> Result<[usize; 2]> {
        let mut out = [0; 2];
        for a in 0..2 {
            let (n, k, s, d) = (input[a], self.kernel_size[a], self.strides[a], self.dilation_rate[a]);
            let pad = self.padding.op();
            out[a] = match K::KIND {
                VariantKind::Transpose => {
                    nn::conv_transpose_output_size(n, k, s, d, pad, self.output_padding.map(|p| p[a]))
                }
                _ => {
                    let span = (k - 1) * d + 1;
                    if self.padding == PadMode::Valid && span > n {
                        return Err(self.err(format_args!(
                            "the kernel spans {span} (kernel_size {k}, dilation_rate {d}) but the input (per-sample \
                             shape {}) has only {n} with padding=\"valid\"; use padding=\"same\" or a smaller kernel",
                            shape_str(input)
                        )));
                    }
                    nn::conv_output_size(n, k, s, d, pad)
                }
            }
            .map_err(|e| self.err(e))?;
        }
        Ok(out)
    }

    fn check_config(&self) -> Result<()> {
        if let Some(e) = &self.config_error {
            return Err(Error::arg(format!("{} {:?}: {e}", K::CLASS, self.name)));
        }
        if self.strides.iter().any(|&s| s > 1) && self.dilation_rate.iter().any(|&d| d > 1) {
            return Err(Error::arg(format!(
                "{} {:?}: strides > 1 cannot be combined with dilation_rate > 1 (as in Keras), got strides {:?} \
                 and dilation_rate {:?}",
                K::CLASS,
                self.name,
                self.strides,
                self.dilation_rate
            )));
        }
        Ok(())
    }
}

impl<K: Variant> Layer for Conv2DVariant<K> {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        K::CLASS
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
        check_rank(K::CLASS, &self.name, 2, input_shape)?;
        let channels = input_shape[2];
        if channels == 0 {
            return Err(self.err("the input has 0 channels"));
        }
        self.output_sizes(input_shape)?;
        let [kh, kw] = self.kernel_size;
        let (dm, f) = (self.depth_multiplier, self.filters);
        let (kernel_shape, kernel_name) = match K::KIND {
            VariantKind::Transpose => (vec![kh, kw, f, channels], "kernel"),
            VariantKind::Depthwise => (vec![kh, kw, channels, dm], "kernel"),
            VariantKind::Separable => (vec![kh, kw, channels, dm], "depthwise_kernel"),
        };
        let k = self.kernel_initializer.init(&kernel_shape, ctx.dtype, &ctx.device)?;
        let mut kernels = vec![Variable::new(format!("{}/{kernel_name}", self.name), k)];
        if K::KIND == VariantKind::Separable {
            let p = self.pointwise_initializer.init(&[1, 1, channels * dm, f], ctx.dtype, &ctx.device)?;
            kernels.push(Variable::new(format!("{}/pointwise_kernel", self.name), p));
        }
        self.kernels = kernels;
        if self.use_bias {
            let b = self.bias_initializer.init(&[self.out_channels(channels)], ctx.dtype, &ctx.device)?;
            self.bias = Some(Variable::new(format!("{}/bias", self.name), b));
        }
        Ok(())
    }

    fn built(&self) -> bool {
        !self.kernels.is_empty()
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        let Some(kernel) = self.kernels.first() else {
            return Err(Error::NotReady(format!(
                "{} {:?} is not built: call build(input_shape) or build the model",
                K::CLASS,
                self.name
            )));
        };
        let channels = match K::KIND {
            VariantKind::Transpose => kernel.shape()[3],
            _ => kernel.shape()[2],
        };
        if x.rank() != 4 || x.shape()[3] != channels {
            return Err(self.err(format_args!(
                "expects input of shape (batch, height, width, {channels}), got {} (the kernel is {})",
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
        let (s, d, pad) = (self.strides, self.dilation_rate, self.padding.op());
        let (s, d) = ((s[0], s[1]), (d[0], d[1]));
        let y = match K::KIND {
            VariantKind::Transpose => {
                let [h, w] = self.output_sizes(&x.shape()[1..])?;
                nn::conv2d_transpose(x, kernel, &[x.shape()[0], h, w, self.filters], s, pad, d)
            }
            VariantKind::Depthwise => nn::depthwise_conv2d(x, kernel, s, pad, d),
            VariantKind::Separable => nn::separable_conv2d(x, kernel, &self.kernels[1], s, pad, d),
        }
        .map_err(|e| self.err(e))?;
        let y = match &self.bias {
            Some(b) => y.add(b)?,
            None => y,
        };
        self.activation.apply(&y)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        check_rank(K::CLASS, &self.name, 2, input_shape)?;
        let [h, w] = self.output_sizes(input_shape)?;
        Ok(vec![h, w, self.out_channels(input_shape[2])])
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        self.kernels.iter().chain(self.bias.iter()).cloned().collect()
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        for v in self.kernels.iter_mut().chain(self.bias.iter_mut()) {
            f(v)?;
        }
        Ok(())
    }

    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        crate::regularizers::total_penalty([
            (&self.kernel_regularizer, self.kernels.first()),
            (&self.pointwise_regularizer, self.kernels.get(1)),
            (&self.bias_regularizer, self.bias.as_ref()),
        ])
    }

    fn get_config(&self) -> Value {
        match K::KIND {
            VariantKind::Transpose => serde_json::to_value(self.transpose_config()),
            VariantKind::Depthwise => serde_json::to_value(self.depthwise_config()),
            VariantKind::Separable => serde_json::to_value(self.separable_config()),
        }
        .unwrap_or(Value::Null)
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

impl<K: Variant> FromConfig for Conv2DVariant<K> {
    const CLASS_NAME: &'static str = K::CLASS;
    const KERAS_OPTIONS: Option<KerasOptions> = Some(match K::KIND {
            VariantKind::Transpose => TRANSPOSE_KERAS_OPTIONS,
            VariantKind::Depthwise | VariantKind::Separable => DEPTHWISE_KERAS_OPTIONS,
        });

    fn from_config(c: &Value) -> Result<Self> {
        match K::KIND {
            VariantKind::Transpose => Self::from_transpose(parse_config(K::CLASS, c)?),
            VariantKind::Depthwise => Self::from_depthwise(parse_config(K::CLASS, c)?, 0),
            VariantKind::Separable => Self::from_separable(parse_config(K::CLASS, c)?),
        }
    }
}

impl<K: Variant> Conv2DVariant<K> {
    fn transpose_config(&self) -> Conv2DTransposeConfig {
        Conv2DTransposeConfig {
            name: self.name.clone(),
            filters: self.filters,
            kernel_size: self.kernel_size.to_vec(),
            strides: self.strides.to_vec(),
            padding: self.padding.name().into(),
            output_padding: self.output_padding.map(|p| p.to_vec()),
            data_format: DataFormat::default(),
            dilation_rate: self.dilation_rate.to_vec(),
            activation: self.activation,
            use_bias: self.use_bias,
            kernel_initializer: self.kernel_initializer,
            bias_initializer: self.bias_initializer,
            kernel_regularizer: self.kernel_regularizer,
            bias_regularizer: self.bias_regularizer,
            input_shape: self.input_shape.clone(),
        }
    }

    fn depthwise_config(&self) -> DepthwiseConv2DConfig {
        DepthwiseConv2DConfig {
            name: self.name.clone(),
            kernel_size: self.kernel_size.to_vec(),
            strides: self.strides.to_vec(),
            padding: self.padding.name().into(),
            depth_multiplier: self.depth_multiplier,
            data_format: DataFormat::default(),
            dilation_rate: self.dilation_rate.to_vec(),
            activation: self.activation,
            use_bias: self.use_bias,
            depthwise_initializer: self.kernel_initializer,
            bias_initializer: self.bias_initializer,
            depthwise_regularizer: self.kernel_regularizer,
            bias_regularizer: self.bias_regularizer,
            input_shape: self.input_shape.clone(),
        }
    }

    fn separable_config(&self) -> SeparableConv2DConfig {
        SeparableConv2DConfig {
            filters: self.filters,
            depthwise: self.depthwise_config(),
            pointwise_initializer: self.pointwise_initializer,
            pointwise_regularizer: self.pointwise_regularizer,
        }
    }

    /// The fields every variant has; `filters` 0 for `DepthwiseConv2D`.
    #[allow(clippy::too_many_arguments)]
    fn from_common(
        filters: usize,
        kernel_size: &[usize],
        strides: &[usize],
        padding: &str,
        data_format: &DataFormat,
        dilation_rate: &[usize],
        activation: Activation,
        use_bias: bool,
    ) -> Result<Self> {
        let class = K::CLASS;
        if kernel_size.is_empty() {
            return Err(Error::arg(format!("{class} config needs \"kernel_size\"")));
        }
        let kernel_size = sizes::<2>(class, "kernel_size", kernel_size)?;
        if K::KIND != VariantKind::Depthwise && filters == 0 {
            return Err(Error::arg(format!("{class} config needs \"filters\" (a positive integer)")));
        }
        Ok(Self::make(filters, kernel_size)
            .padding(padding)
            .data_format(&data_format.0)
            .activation(activation)
            .use_bias(use_bias)
            .strides(sizes::<2>(class, "strides", strides)?)
            .dilation_rate(sizes::<2>(class, "dilation_rate", dilation_rate)?))
    }

    fn named(mut self, name: String) -> Self {
        if !name.is_empty() {
            self.name = name;
        }
        self
    }

    fn from_transpose(c: Conv2DTransposeConfig) -> Result<Self> {
        let mut l = Self::from_common(
            c.filters,
            &c.kernel_size,
            &c.strides,
            &c.padding,
            &c.data_format,
            &c.dilation_rate,
            c.activation,
            c.use_bias,
        )?;
        if let Some(p) = &c.output_padding {
            l.output_padding = Some(sizes::<2>(K::CLASS, "output_padding", p)?);
        }
        let mut l = l.kernel_initializer(c.kernel_initializer).bias_initializer(c.bias_initializer);
        l.kernel_regularizer = c.kernel_regularizer;
        l.bias_regularizer = c.bias_regularizer;
        l.input_shape = c.input_shape;
        Ok(l.named(c.name))
    }

    fn from_depthwise(c: DepthwiseConv2DConfig, filters: usize) -> Result<Self> {
        let l = Self::from_common(
            filters,
            &c.kernel_size,
            &c.strides,
            &c.padding,
            &c.data_format,
            &c.dilation_rate,
            c.activation,
            c.use_bias,
        )?;
        let mut l = l
            .depth_multiplier(c.depth_multiplier)
            .kernel_initializer(c.depthwise_initializer)
            .bias_initializer(c.bias_initializer);
        l.kernel_regularizer = c.depthwise_regularizer;
        l.bias_regularizer = c.bias_regularizer;
        l.input_shape = c.input_shape;
        Ok(l.named(c.name))
    }

    fn from_separable(c: SeparableConv2DConfig) -> Result<Self> {
        let mut l = Self::from_depthwise(c.depthwise, c.filters)?;
        l.pointwise_initializer = c.pointwise_initializer;
        l.pointwise_regularizer = c.pointwise_regularizer;
        Ok(l)
    }
}

impl Conv2DTranspose {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> Conv2DTransposeConfig {
        self.transpose_config()
    }

    /// A layer from its configuration: `filters` and `kernel_size` are
    /// required and sizes of the wrong length are an error; bad values are
    /// reported by `build`.
    pub fn from_conv2d_transpose_config(c: Conv2DTransposeConfig) -> Result<Self> {
        Self::from_transpose(c)
    }
}

impl DepthwiseConv2D {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> DepthwiseConv2DConfig {
        self.depthwise_config()
    }

    /// A layer from its configuration: `kernel_size` is required and sizes
    /// of the wrong length are an error; bad values are reported by `build`.
    pub fn from_depthwise_conv2d_config(c: DepthwiseConv2DConfig) -> Result<Self> {
        Self::from_depthwise(c, 0)
    }
}

impl SeparableConv2D {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> SeparableConv2DConfig {
        self.separable_config()
    }

    /// A layer from its configuration: `filters` and `kernel_size` are
    /// required and sizes of the wrong length are an error; bad values are
    /// reported by `build`.
    pub fn from_separable_conv2d_config(c: SeparableConv2DConfig) -> Result<Self> {
        Self::from_separable(c)
    }
}

/// Keras 3.15's `Conv2DTranspose.get_config()` keys.
const TRANSPOSE_KERAS_OPTIONS: KerasOptions = KerasOptions::new(&[
    ("filters", Opt::Used),
    ("kernel_size", Opt::Used),
    ("strides", Opt::Used),
    ("padding", Opt::Used),
    ("output_padding", Opt::Used),
    ("data_format", Opt::Used),
    ("dilation_rate", Opt::Used),
    ("activation", Opt::Activation),
    ("use_bias", Opt::Used),
]).with(KERNEL_BIAS_KERAS_OPTIONS);

/// Keras 3.15's `DepthwiseConv2D` and `SeparableConv2D` `get_config()` keys,
/// one table for both (`DepthwiseConv2D`'s config has no `filters` nor
/// `pointwise_*` keys).
const DEPTHWISE_KERAS_OPTIONS: KerasOptions = KerasOptions::new(&[
    ("filters", Opt::Used),
    ("kernel_size", Opt::Used),
    ("strides", Opt::Used),
    ("padding", Opt::Used),
    ("depth_multiplier", Opt::Used),
    ("data_format", Opt::Used),
    ("dilation_rate", Opt::Used),
    ("activation", Opt::Activation),
    ("use_bias", Opt::Used),
    ("depthwise_initializer", Opt::Init),
    ("pointwise_initializer", Opt::Init),
    ("bias_initializer", Opt::Init),
    ("depthwise_regularizer", Opt::Regularizer),
    ("pointwise_regularizer", Opt::Regularizer),
    ("bias_regularizer", Opt::Regularizer),
    ("depthwise_constraint", Opt::Null),
    ("pointwise_constraint", Opt::Null),
    ("bias_constraint", Opt::Null),
]);

#[cfg(test)]
mod tests {
    use super::*;
    use tensorlow::{DType, Device};

    #[test]
    fn errors_name_the_layer_and_the_shapes() {
        let mut dw = DepthwiseConv2D::new(3).name("dw");
        dw.build(&[6, 6, 2], &BuildContext::default()).unwrap();
        let x = Tensor::ones(&[1, 6, 6, 3], DType::F32, &Device::cpu()).unwrap();
        let e = dw.call(&x, false).unwrap_err().to_string();
        assert!(e.contains("DepthwiseConv2D \"dw\"") && e.contains("(1, 6, 6, 3)") && e.contains("2)"), "{e}");
        let e = DepthwiseConv2D::new(5)
            .name("big")
            .build(&[3, 3, 1], &BuildContext::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"big\"") && e.contains("padding=\"same\""), "{e}");
        // Keras: output_padding must be smaller than the stride.
        let e = Conv2DTranspose::new(2, 3)
            .strides(2)
            .output_padding(2)
            .name("up")
            .build(&[4, 4, 1], &BuildContext::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"up\"") && e.contains("output_padding 2"), "{e}");
        let e = Conv2DTranspose::new(2, 3)
            .depth_multiplier(2)
            .build(&[4, 4, 1], &BuildContext::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no depth_multiplier"), "{e}");
    }

    #[test]
    fn configs_round_trip_with_keras_keys() {
        let sep = SeparableConv2D::new(4, (3, 2)).depth_multiplier(2).strides(2).name("s");
        let c = sep.get_config();
        assert_eq!(c["depth_multiplier"], 2);
        assert!(c.get("depthwise_initializer").is_some() && c.get("pointwise_initializer").is_some());
        let back = SeparableConv2D::from_config(&c).unwrap();
        assert_eq!(back.get_config(), c);
        let up = Conv2DTranspose::new(3, 2).strides(2).output_padding(1).name("u");
        let back = Conv2DTranspose::from_config(&up.get_config()).unwrap();
        assert_eq!(back.get_config(), up.get_config());
    }
}
