//! `GlobalMaxPooling1D/2D` and `GlobalAveragePooling1D/2D`: the maximum or
//! mean over every spatial position, one value per channel
//! (`keras.layers.GlobalAveragePooling2D`, ...): `(batch, ..., channels) ->
//! (batch, channels)`, or `(batch, 1, [1,] channels)` with `keepdims`.
//!
//! ```
//! use keraslike::layers::{GlobalAveragePooling2D, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let pool = GlobalAveragePooling2D::new();
//! let x = Tensor::new(&[1.0f32, 10.0, 2.0, 20.0, 3.0, 30.0, 4.0, 40.0], &[1, 2, 2, 2])?;
//! assert_eq!(pool.call(&x, false)?.to_vec::<f32>()?, vec![2.5, 25.0]);
//! assert_eq!(pool.compute_output_shape(&[5, 5, 64])?, vec![64]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::spatial::{check_data_format, check_rank};
use super::{shape_str, unique_name, BuildContext, DataFormat, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::Tensor;

/// Global pooling over `R` spatial axes, the maximum (`MAX`) or the mean;
/// use the aliases [`GlobalMaxPooling2D`] and friends.
#[derive(Debug, Clone)]
pub struct GlobalPooling<const R: usize, const MAX: bool> {
    name: String,
    keepdims: bool,
    config_error: Option<String>,
    built: bool,
}

/// `keras.layers.GlobalMaxPooling1D`.
pub type GlobalMaxPooling1D = GlobalPooling<1, true>;
/// `keras.layers.GlobalMaxPooling2D`.
pub type GlobalMaxPooling2D = GlobalPooling<2, true>;
/// `keras.layers.GlobalAveragePooling1D`.
pub type GlobalAveragePooling1D = GlobalPooling<1, false>;
/// `keras.layers.GlobalAveragePooling2D`.
pub type GlobalAveragePooling2D = GlobalPooling<2, false>;

impl<const R: usize, const MAX: bool> GlobalPooling<R, MAX> {
    const CLASS: &'static str = match (R, MAX) {
        (1, true) => "GlobalMaxPooling1D",
        (_, true) => "GlobalMaxPooling2D",
        (1, false) => "GlobalAveragePooling1D",
        (_, false) => "GlobalAveragePooling2D",
    };

    /// Drops the spatial axes (`keepdims` false, Keras' default). Named
    /// `global_average_pooling2d`, ...
    pub fn new() -> Self {
        let base = match (R, MAX) {
            (1, true) => "global_max_pooling1d",
            (_, true) => "global_max_pooling2d",
            (1, false) => "global_average_pooling1d",
            (_, false) => "global_average_pooling2d",
        };
        GlobalPooling {
            name: unique_name(base),
            keepdims: false,
            config_error: None,
            built: false,
        }
    }

    /// Keeps the spatial axes with size 1.
    pub fn keepdims(mut self, keepdims: bool) -> Self {
        self.keepdims = keepdims;
        self
    }

    /// `"channels_last"` (the default) is the only layout supported.
    pub fn data_format(mut self, data_format: &str) -> Self {
        if let Err(e) = check_data_format(data_format) {
            self.config_error.get_or_insert(e);
        }
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn check_config(&self) -> Result<()> {
        match &self.config_error {
            Some(e) => Err(Error::arg(format!("{} {:?}: {e}", Self::CLASS, self.name))),
            None => Ok(()),
        }
    }
}

impl<const R: usize, const MAX: bool> Default for GlobalPooling<R, MAX> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const R: usize, const MAX: bool> Layer for GlobalPooling<R, MAX> {
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
            return Err(Error::shape(format!(
                "{} {:?} expects input of rank {}, got shape {}",
                Self::CLASS,
                self.name,
                R + 2,
                shape_str(x.shape())
            )));
        }
        let axes: Vec<isize> = (1..=R as isize).collect();
        Ok(if MAX {
            x.max(&axes, self.keepdims)?
        } else {
            x.mean(&axes, self.keepdims)?
        })
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        check_rank(Self::CLASS, &self.name, R, input_shape)?;
        let c = input_shape[R];
        Ok(if self.keepdims {
            let mut s = vec![1; R];
            s.push(c);
            s
        } else {
            vec![c]
        })
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

/// The configuration of the global pooling layers
/// ([`GlobalMaxPooling1D`], [`GlobalAveragePooling2D`], ...) with Keras'
/// field names and defaults (their `get_config()`): [`Layer::get_config`]
/// writes it and [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct GlobalPoolingConfig {
    /// The layer's name (a fresh `global_max_pooling2d_N`, ... when empty).
    pub name: String,
    /// The layout, only `channels_last` (the default).
    pub data_format: DataFormat,
    /// Keep the spatial axes with size 1 (default false).
    pub keepdims: bool,
}

impl<const R: usize, const MAX: bool> GlobalPooling<R, MAX> {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> GlobalPoolingConfig {
        GlobalPoolingConfig {
            name: self.name.clone(),
            data_format: DataFormat::default(),
            keepdims: self.keepdims,
        }
    }

    /// A layer from its configuration (a bad layout is reported by `build`).
    pub fn from_global_pooling_config(c: GlobalPoolingConfig) -> Result<Self> {
        let mut l = Self::new().keepdims(c.keepdims).data_format(&c.data_format.0);
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

macro_rules! from_config {
    ($($r:literal, $max:literal, $class:literal;)*) => {$(
        impl FromConfig for GlobalPooling<$r, $max> {
            const CLASS_NAME: &'static str = $class;
            const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);
            fn from_config(c: &Value) -> Result<Self> {
                Self::from_global_pooling_config(parse_config($class, c)?)
            }
        }
    )*};
}

from_config! {
    1, true, "GlobalMaxPooling1D";
    2, true, "GlobalMaxPooling2D";
    1, false, "GlobalAveragePooling1D";
    2, false, "GlobalAveragePooling2D";
}

/// Keras 3.15's global pooling `get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("data_format", Opt::Used),
    ("keepdims", Opt::Used),
]);
