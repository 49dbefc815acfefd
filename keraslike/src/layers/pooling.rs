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
use super::registry::str_of;
use super::spatial::{check_data_format, check_positive, check_rank, size_of, PadMode, Size};
use super::{shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::{Error, Result};
use serde_json::{json, Value};
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
        json!({
            "name": self.name,
            "pool_size": &self.pool_size[..],
            "padding": self.padding.name(),
            "strides": &self.stride()[..],
            "data_format": "channels_last",
        })
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

impl<const R: usize, const MAX: bool> Pooling<R, MAX> {
    fn from_keras_config(c: &Value) -> Result<Self> {
        let class = Self::CLASS;
        let mut l = Self::new(size_of::<R>(class, c, "pool_size")?.unwrap_or([2; R]))
            .padding(str_of(c, "padding").unwrap_or("valid"))
            .data_format(str_of(c, "data_format").unwrap_or("channels_last"));
        if let Some(s) = size_of::<R>(class, c, "strides")? {
            l = l.strides(s);
        }
        if let Some(n) = str_of(c, "name") {
            l = l.name(n);
        }
        Ok(l)
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
