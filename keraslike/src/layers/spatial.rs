//! What the convolution, pooling, padding and resampling layers share:
//! the [`Size`] argument (an int or a tuple, as Keras takes
//! `kernel_size=3` or `kernel_size=(3, 3)`), Keras' `padding` names, the
//! `channels_last` check, and reading those from configs.
//!
//! ```
//! use keraslike::layers::Size;
//! assert_eq!(Size::<2>::from(3).0, [3, 3]);
//! assert_eq!(Size::<2>::from((2, 3)).0, [2, 3]);
//! assert_eq!(Size::<1>::from([5]).0, [5]);
//! ```

use super::shape_str;
use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize};
use tensorlow::nn::Padding;

/// Keras' `data_format` option of a config: keraslike's layers are
/// `channels_last` only, the default (a config's `null` reads as it too);
/// another value is an error naming the layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct DataFormat(pub String);

impl Default for DataFormat {
    fn default() -> Self {
        DataFormat("channels_last".to_string())
    }
}

impl<'de> Deserialize<'de> for DataFormat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(Option::<String>::deserialize(d)?.map_or_else(DataFormat::default, DataFormat))
    }
}

/// A window, stride, dilation or resampling size along `R` spatial axes:
/// from one `usize` (the same along every axis), an array, or for two axes
/// a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size<const R: usize>(pub [usize; R]);

impl<const R: usize> From<usize> for Size<R> {
    fn from(v: usize) -> Self {
        Size([v; R])
    }
}

impl<const R: usize> From<[usize; R]> for Size<R> {
    fn from(v: [usize; R]) -> Self {
        Size(v)
    }
}

impl From<(usize, usize)> for Size<2> {
    fn from(v: (usize, usize)) -> Self {
        Size([v.0, v.1])
    }
}

/// Keras' `padding` argument of convolutions and pooling windows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum PadMode {
    #[default]
    Valid,
    Same,
    /// `Conv1D` only: zeros before the sequence, then valid.
    Causal,
}

impl PadMode {
    /// Parses `"valid"`, `"same"` and, where `causal_ok`, `"causal"`
    /// (case-insensitive, as Keras).
    pub(crate) fn parse(s: &str, causal_ok: bool) -> std::result::Result<PadMode, String> {
        match s.to_ascii_lowercase().as_str() {
            "valid" => Ok(PadMode::Valid),
            "same" => Ok(PadMode::Same),
            "causal" if causal_ok => Ok(PadMode::Causal),
            _ => Err(format!(
                "padding must be {}, got {s:?}",
                if causal_ok {
                    "\"valid\", \"same\" or \"causal\""
                } else {
                    "\"valid\" or \"same\""
                }
            )),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            PadMode::Valid => "valid",
            PadMode::Same => "same",
            PadMode::Causal => "causal",
        }
    }

    /// The tensorlow padding (causal convolutions pad first, then use valid).
    pub(crate) fn op(self) -> Padding {
        match self {
            PadMode::Same => Padding::Same,
            PadMode::Valid | PadMode::Causal => Padding::Valid,
        }
    }
}

/// Errors unless `data_format` is Keras' `channels_last` (the only layout
/// these layers support: tensorlow's convolutions are `NHWC`).
pub(crate) fn check_data_format(data_format: &str) -> std::result::Result<(), String> {
    if data_format == "channels_last" {
        Ok(())
    } else {
        Err(format!(
            "data_format {data_format:?} is not supported: keraslike's convolution and pooling layers are channels_last \
             only; transpose the input to (batch, ..., channels)"
        ))
    }
}

/// Errors unless a per-sample shape has `R` spatial axes and a channel axis.
pub(crate) fn check_rank(class: &str, name: &str, rank: usize, input_shape: &[usize]) -> Result<()> {
    if input_shape.len() != rank + 1 {
        let want = match rank {
            1 => "(batch, steps, channels)",
            2 => "(batch, height, width, channels)",
            _ => "(batch, ..., channels)",
        };
        return Err(Error::shape(format!(
            "{class} {name:?} expects inputs of shape {want}, got per-sample shape {} (rank {})",
            shape_str(input_shape),
            input_shape.len() + 1
        )));
    }
    Ok(())
}

/// Errors unless `sizes` (a config's integer or list) has `R` sizes or one
/// (repeated along every axis), naming the class and the field.
pub(crate) fn sizes<const R: usize>(class: &str, key: &str, sizes: &[usize]) -> Result<[usize; R]> {
    match sizes {
        [one] => Ok([*one; R]),
        _ => <[usize; R]>::try_from(sizes).map_err(|_| {
            Error::arg(format!(
                "{class} config: {key:?} must be an integer or a list of {R} integers"
            ))
        }),
    }
}

/// Every size at least 1, or an error naming the argument.
pub(crate) fn check_positive(what: &str, v: &[usize]) -> std::result::Result<(), String> {
    if v.contains(&0) {
        return Err(format!("{what} must be positive, got {v:?}"));
    }
    Ok(())
}

/// The builder methods every convolution layer shares (`Conv1D`/`Conv2D`
/// and the transposed, depthwise and separable ones): the struct must have
/// the fields `strides`, `dilation_rate` (`[usize; R]`), `activation`,
/// `use_bias`, `kernel_initializer`, `bias_initializer`,
/// `kernel_regularizer`, `bias_regularizer`, `input_shape`, `name` and
/// `config_error`. Written once here, expanded in each layer's `impl`.
macro_rules! conv_builder_methods {
    ($r:expr) => {
        fn note(&mut self, r: std::result::Result<(), String>) {
            if let Err(e) = r {
                self.config_error.get_or_insert(e);
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

        /// The step between windows (default 1).
        pub fn strides(mut self, strides: impl Into<Size<{ $r }>>) -> Self {
            self.strides = strides.into().0;
            let s = self.strides;
            self.note(check_positive("strides", &s));
            self
        }

        /// The spacing of the kernel's taps (default 1).
        pub fn dilation_rate(mut self, dilation_rate: impl Into<Size<{ $r }>>) -> Self {
            self.dilation_rate = dilation_rate.into().0;
            let d = self.dilation_rate;
            self.note(check_positive("dilation_rate", &d));
            self
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

        /// The kernel's initializer (`depthwise_initializer` for the
        /// depthwise and separable layers; default `glorot_uniform`).
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

        /// A penalty on the kernel (`depthwise_regularizer` for the
        /// depthwise and separable layers; default none).
        pub fn kernel_regularizer(mut self, reg: impl IntoRegularizer) -> Self {
            self.kernel_regularizer = self.record(reg.into_regularizer());
            self
        }

        /// A penalty on the bias (default none).
        pub fn bias_regularizer(mut self, reg: impl IntoRegularizer) -> Self {
            self.bias_regularizer = self.record(reg.into_regularizer());
            self
        }

        /// `"channels_last"` (the default) is the only layout supported; any
        /// other value is reported by `build`.
        pub fn data_format(mut self, data_format: &str) -> Self {
            self.note(check_data_format(data_format));
            self
        }

        /// Declares the input shape without batch, e.g. `&[28, 28, 1]`.
        pub fn input_shape(mut self, shape: &[usize]) -> Self {
            self.input_shape = Some(shape.to_vec());
            self
        }

        /// Replaces the automatic name.
        pub fn name(mut self, name: impl Into<String>) -> Self {
            self.name = name.into();
            self
        }
    };
}
pub(crate) use conv_builder_methods;
