//! `MaxPooling1D/2D` and `AveragePooling1D/2D`: the maximum or mean of each
//! window (`keras.layers.MaxPooling2D`, ...), on
//! [`tensorlow::nn::max_pool2d`] and friends.
//!
//! Keras' arguments and defaults: `pool_size` (2), `strides` (default
//! `pool_size`), `padding` (`"valid"` or `"same"`; with `"same"` the
//! average counts only the input values in the window, as Keras/TensorFlow
//! do), `channels_last` inputs `(batch, steps, channels)` /
//! `(batch, height, width, channels)`. No weights. The output sizes come
//! from [`tensorlow::nn::conv_output_size`].
//!
//! ```
//! use keraslike::layers::{Layer, MaxPooling2D};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let pool = MaxPooling2D::new(2);
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[1, 2, 2, 1])?;
//! assert_eq!(pool.call(&x, false)?.to_vec::<f32>()?, vec![4.0]);
//! assert_eq!(pool.compute_output_shape(&[26, 26, 32])?, vec![13, 13, 32]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::{de, parse_config};
use super::spatial::{check_data_format, check_positive, check_rank, sizes, PadMode, Size};
use super::{shape_str, unique_name, BuildContext, DataFormat, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{nn, Tensor};

/// A pooling layer over `R` spatial axes taking the maximum (`MAX`) or the
/// mean of each window; use the aliases [`MaxPooling2D`] and friends.
#[derive(Debug, Clone)]
pub struct Pooling<const R: usize, const MAX: bool> {
    name: String,
    pool_size: [usize; R],
    strides: Option<[usize; R]>,
    padding: PadMode,
    config_error: Option<String>,
    built: bool,
}

/// Max pooling over `(batch, steps, channels)` (`keras.layers.MaxPooling1D`).
pub type MaxPooling1D = Pooling<1, true>;
/// Max pooling over `(batch, height, width, channels)` (`keras.layers.MaxPooling2D`).
pub type MaxPooling2D = Pooling<2, true>;
/// Average pooling over `(batch, steps, channels)` (`keras.layers.AveragePooling1D`).
pub type AveragePooling1D = Pooling<1, false>;
/// Average pooling over `(batch, height, width, channels)` (`keras.layers.AveragePooling2D`).
pub type AveragePooling2D = Pooling<2, false>;

impl<const R: usize, const MAX: bool> Pooling<R, MAX> {
    const CLASS: &'static str = match (R, MAX) {
        (1, true) => "MaxPooling1D",
        (_, true) => "MaxPooling2D",
        (1, false) => "AveragePooling1D",
        (_, false) => "AveragePooling2D",
    };

    /// Windows of `pool_size` (an integer or one per axis; Keras' default is
    /// 2), strides equal to the window, valid padding. Named
    /// `max_pooling2d`, `max_pooling2d_1`, ...
    pub fn new(pool_size: impl Into<Size<R>>) -> Self {
        let base = match (R, MAX) {
            (1, true) => "max_pooling1d",
            (_, true) => "max_pooling2d",
            (1, false) => "average_pooling1d",
            (_, false) => "average_pooling2d",
        };
        let pool_size = pool_size.into().0;
        Pooling {
            name: unique_name(base),
            pool_size,
            strides: None,
            padding: PadMode::Valid,
            config_error: check_positive("pool_size", &pool_size).err(),
            built: false,
        }
    }

    fn note(&mut self, r: std::result::Result<(), String>) {
        if let Err(e) = r {
            self.config_error.get_or_insert(e);
        }
    }

    /// The step between windows (default: `pool_size`).
    pub fn strides(mut self, strides: impl Into<Size<R>>) -> Self {
        let s = strides.into().0;
        self.note(check_positive("strides", &s));
        self.strides = Some(s);
        self
    }

    /// `"valid"` (default) or `"same"`.
    pub fn padding(mut self, padding: &str) -> Self {
        match PadMode::parse(padding, false) {
            Ok(p) => self.padding = p,
            Err(e) => self.note(Err(e)),
        }
        self
    }

    /// `"channels_last"` (the default) is the only layout supported.
    pub fn data_format(mut self, data_format: &str) -> Self {
        self.note(check_data_format(data_format));
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn stride(&self) -> [usize; R] {
        self.strides.unwrap_or(self.pool_size)
    }

    fn err(&self, msg: impl std::fmt::Display) -> Error {
        Error::shape(format!("{} {:?}: {msg}", Self::CLASS, self.name))
    }

    fn check_config(&self) -> Result<()> {
        match &self.config_error {
            Some(e) => Err(Error::arg(format!("{} {:?}: {e}", Self::CLASS, self.name))),
            None => Ok(()),
        }
    }

    fn output_sizes(&self, input: &[usize]) -> Result<Vec<usize>> {
        let s = self.stride();
        (0..R)
            .map(|a| {
                let (k, n) = (self.pool_size[a], input[a]);
                if self.padding == PadMode::Valid && k > n {
                    return Err(self.err(format_args!(
                        "pool_size {k} is larger than the input (per-sample shape {}) with padding=\"valid\"; \
                         use padding=\"same\" or a smaller pool_size",
                        shape_str(input)
                    )));
                }
                nn::conv_output_size(n, k, s[a], 1, self.padding.op()).map_err(|e| self.err(e))
            })
            .collect()
    }
}

impl<const R: usize, const MAX: bool> Layer for Pooling<R, MAX> {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        Self::CLASS
    }

    fn build(&mut self, input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        self.check_config()?;
        self.compute_output_shape(input_shape)?;
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        self.check_config()?;
        if x.rank() != R + 2 {
            return Err(self.err(format_args!(
                "expects input of rank {} ({}), got shape {}",
                R + 2,
                if R == 1 {
                    "batch, steps, channels"
                } else {
                    "batch, height, width, channels"
                },
                shape_str(x.shape())
            )));
        }
        let (k, s, pad) = (&self.pool_size[..], self.stride(), self.padding.op());
        let y = match (R, MAX) {
            (1, true) => nn::max_pool1d(x, k[0], s[0], pad),
            (1, false) => nn::avg_pool1d(x, k[0], s[0], pad),
            (_, true) => nn::max_pool2d(x, (k[0], k[1]), (s[0], s[1]), pad),
            (_, false) => nn::avg_pool2d(x, (k[0], k[1]), (s[0], s[1]), pad),
        };
        y.map_err(|e| self.err(e))
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        check_rank(Self::CLASS, &self.name, R, input_shape)?;
        let mut out = self.output_sizes(input_shape)?;
        out.push(input_shape[R]);
        Ok(out)
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

/// The configuration of the pooling layers ([`MaxPooling1D`],
/// [`AveragePooling2D`], ...) with Keras' field names and defaults (their
/// `get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it. Sizes are one integer (the same
/// along every axis) or one per spatial axis.
///
/// ```
/// use keraslike::layers::{FromConfig, Layer, MaxPooling2D, PoolingConfig};
/// let cfg: PoolingConfig = serde_json::from_value(serde_json::json!({"name": "p", "pool_size": 3})).unwrap();
/// assert_eq!((cfg.pool_size.as_slice(), cfg.strides.as_ref(), cfg.padding.as_str()), (&[3][..], None, "valid"));
/// let p = MaxPooling2D::from_pooling_config(cfg).unwrap();
/// assert_eq!(p.get_config()["strides"], serde_json::json!([3, 3])); // written in full
/// assert_eq!(MaxPooling2D::from_config(&p.get_config()).unwrap().config(), p.config());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolingConfig {
    /// The layer's name (a fresh `max_pooling2d_N`, ... when empty).
    pub name: String,
    /// The window (default 2).
    #[serde(deserialize_with = "de::one_or_many")]
    pub pool_size: Vec<usize>,
    /// `"valid"` (default) or `"same"`.
    pub padding: String,
    /// The step between windows (default `null`: the window).
    #[serde(deserialize_with = "de::opt_one_or_many")]
    pub strides: Option<Vec<usize>>,
    /// The layout, only `channels_last` (the default).
    pub data_format: DataFormat,
}

impl Default for PoolingConfig {
    fn default() -> Self {
        PoolingConfig {
            name: String::new(),
            pool_size: vec![2],
            padding: "valid".into(),
            strides: None,
            data_format: DataFormat::default(),
        }
    }
}

impl<const R: usize, const MAX: bool> Pooling<R, MAX> {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> PoolingConfig {
        PoolingConfig {
            name: self.name.clone(),
            pool_size: self.pool_size.to_vec(),
            padding: self.padding.name().into(),
            strides: Some(self.stride().to_vec()),
            data_format: DataFormat::default(),
        }
    }

    /// A layer from its configuration; sizes of the wrong length are an
    /// error, bad values are reported by `build`.
    pub fn from_pooling_config(c: PoolingConfig) -> Result<Self> {
        let class = Self::CLASS;
        let mut l = Self::new(sizes::<R>(class, "pool_size", &c.pool_size)?)
            .padding(&c.padding)
            .data_format(&c.data_format.0);
        if let Some(s) = &c.strides {
            l = l.strides(sizes::<R>(class, "strides", s)?);
        }
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }

    fn from_keras_config(c: &Value) -> Result<Self> {
        Self::from_pooling_config(parse_config(Self::CLASS, c)?)
    }
}

macro_rules! from_config {
    ($($r:literal, $max:literal, $class:literal;)*) => {$(
        impl FromConfig for Pooling<$r, $max> {
            const CLASS_NAME: &'static str = $class;
            const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);
            fn from_config(c: &Value) -> Result<Self> {
                Self::from_keras_config(c)
            }
        }
    )*};
}

from_config! {
    1, true, "MaxPooling1D";
    2, true, "MaxPooling2D";
    1, false, "AveragePooling1D";
    2, false, "AveragePooling2D";
}

/// Keras 3.15's `MaxPooling1D/2D`, `AveragePooling1D/2D` `get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("pool_size", Opt::Used),
    ("strides", Opt::Used),
    ("padding", Opt::Used),
    ("data_format", Opt::Used),
]);
