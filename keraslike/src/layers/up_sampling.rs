//! `UpSampling1D/2D`: each value repeated `size` times along each spatial
//! axis (`keras.layers.UpSampling2D(interpolation="nearest")`), on
//! [`tensorlow::nn::upsample2d`] / [`tensorlow::nn::upsample1d`].
//! `channels_last` only; `interpolation="bilinear"` (and Keras' other
//! resizing modes) are an error that says only `"nearest"` exists.
//!
//! ```
//! use keraslike::layers::{Layer, UpSampling2D};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let up = UpSampling2D::new(2);
//! let x = Tensor::new(&[1.0f32, 2.0], &[1, 1, 2, 1])?;
//! assert_eq!(up.call(&x, false)?.to_vec::<f32>()?, vec![1.0, 1.0, 2.0, 2.0, 1.0, 1.0, 2.0, 2.0]);
//! assert_eq!(up.compute_output_shape(&[7, 7, 3])?, vec![14, 14, 3]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::{de, parse_config};
use super::spatial::{check_data_format, check_positive, check_rank, sizes, Size};
use super::{shape_str, unique_name, BuildContext, DataFormat, FromConfig, Layer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{nn, Tensor};

/// Nearest-neighbour upsampling over `R` spatial axes; use [`UpSampling1D`]
/// or [`UpSampling2D`].
#[derive(Debug, Clone)]
pub struct UpSampling<const R: usize> {
    name: String,
    size: [usize; R],
    config_error: Option<String>,
    built: bool,
}

/// `keras.layers.UpSampling1D`.
pub type UpSampling1D = UpSampling<1>;
/// `keras.layers.UpSampling2D`.
pub type UpSampling2D = UpSampling<2>;

impl<const R: usize> UpSampling<R> {
    const CLASS: &'static str = if R == 1 { "UpSampling1D" } else { "UpSampling2D" };

    /// Repeats each value `size` times along each axis (Keras' default is
    /// 2). Named `up_sampling2d`, ...
    pub fn new(size: impl Into<Size<R>>) -> Self {
        let size = size.into().0;
        UpSampling {
            name: unique_name(if R == 1 { "up_sampling1d" } else { "up_sampling2d" }),
            size,
            config_error: check_positive("size", &size).err(),
            built: false,
        }
    }

    /// `"nearest"` (the default) is the only interpolation supported.
    pub fn interpolation(mut self, interpolation: &str) -> Self {
        if interpolation != "nearest" {
            self.config_error.get_or_insert(format!(
                "interpolation {interpolation:?} is not supported: only \"nearest\" is"
            ));
        }
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

impl<const R: usize> Layer for UpSampling<R> {
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
        let s = &self.size[..];
        Ok(if R == 1 {
            nn::upsample1d(x, s[0])?
        } else {
            nn::upsample2d(x, (s[0], s[1]))?
        })
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        check_rank(Self::CLASS, &self.name, R, input_shape)?;
        let mut out = input_shape.to_vec();
        for (d, k) in out.iter_mut().zip(self.size.iter()).take(R) {
            *d = d.checked_mul(*k).ok_or_else(|| {
                Error::arg(format!(
                    "{} {:?}: {} upsampled by {:?} overflows",
                    Self::CLASS,
                    self.name,
                    shape_str(input_shape),
                    self.size
                ))
            })?;
        }
        Ok(out)
    }

    fn get_config(&self) -> Value {
        let c = if R == 1 {
            serde_json::to_value(UpSampling::<1>::config_of(self))
        } else {
            serde_json::to_value(UpSampling::<2>::config_of(self))
        };
        c.unwrap_or(Value::Null)
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

/// [`UpSampling1D`]'s configuration with Keras' field names and defaults
/// (`UpSampling1D.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpSampling1DConfig {
    /// The layer's name (a fresh `up_sampling1d_N` when empty).
    pub name: String,
    /// How many times each step is repeated (default 2; `[2]` reads too).
    #[serde(deserialize_with = "de::one_of_list")]
    pub size: usize,
}

impl Default for UpSampling1DConfig {
    fn default() -> Self {
        UpSampling1DConfig { name: String::new(), size: 2 }
    }
}

/// [`UpSampling2D`]'s configuration with Keras' field names and defaults
/// (`UpSampling2D.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it.
///
/// ```
/// use keraslike::layers::{FromConfig, Layer, UpSampling2D, UpSampling2DConfig};
/// let cfg: UpSampling2DConfig = serde_json::from_value(serde_json::json!({"name": "up", "size": 3})).unwrap();
/// assert_eq!((cfg.size.as_slice(), cfg.interpolation.as_str()), (&[3][..], "nearest"));
/// let up = UpSampling2D::from_up_sampling2d_config(cfg).unwrap();
/// assert_eq!(up.get_config()["size"], serde_json::json!([3, 3]));
/// assert_eq!(UpSampling2D::from_config(&up.get_config()).unwrap().config(), up.config());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UpSampling2DConfig {
    /// The layer's name (a fresh `up_sampling2d_N` when empty).
    pub name: String,
    /// How many times each row and column is repeated: one integer or two
    /// (default 2).
    #[serde(deserialize_with = "de::one_or_many")]
    pub size: Vec<usize>,
    /// The layout, only `channels_last` (the default).
    pub data_format: DataFormat,
    /// Only `"nearest"` (the default; `null` reads as it).
    #[serde(deserialize_with = "nearest_if_null")]
    pub interpolation: String,
}

impl Default for UpSampling2DConfig {
    fn default() -> Self {
        UpSampling2DConfig {
            name: String::new(),
            size: vec![2],
            data_format: DataFormat::default(),
            interpolation: "nearest".into(),
        }
    }
}

fn nearest_if_null<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_else(|| "nearest".into()))
}

impl<const R: usize> UpSampling<R> {
    fn named(mut self, name: String) -> Self {
        if !name.is_empty() {
            self.name = name;
        }
        self
    }
}

impl UpSampling<1> {
    fn config_of<const Q: usize>(l: &UpSampling<Q>) -> UpSampling1DConfig {
        UpSampling1DConfig {
            name: l.name.clone(),
            size: l.size[0],
        }
    }

    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> UpSampling1DConfig {
        Self::config_of(self)
    }

    /// A layer from its configuration (a zero size is reported by `build`).
    pub fn from_up_sampling1d_config(c: UpSampling1DConfig) -> Result<Self> {
        Ok(Self::new(c.size).named(c.name))
    }
}

impl UpSampling<2> {
    fn config_of<const Q: usize>(l: &UpSampling<Q>) -> UpSampling2DConfig {
        UpSampling2DConfig {
            name: l.name.clone(),
            size: l.size.to_vec(),
            ..UpSampling2DConfig::default()
        }
    }

    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> UpSampling2DConfig {
        Self::config_of(self)
    }

    /// A layer from its configuration; a size of the wrong length is an
    /// error, bad values are reported by `build`.
    pub fn from_up_sampling2d_config(c: UpSampling2DConfig) -> Result<Self> {
        let size = sizes::<2>(Self::CLASS, "size", &c.size)?;
        Ok(Self::new(size)
            .interpolation(&c.interpolation)
            .data_format(&c.data_format.0)
            .named(c.name))
    }
}

impl FromConfig for UpSampling<1> {
    const CLASS_NAME: &'static str = "UpSampling1D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_1D);
    fn from_config(c: &Value) -> Result<Self> {
        Self::from_up_sampling1d_config(parse_config(Self::CLASS, c)?)
    }
}

impl FromConfig for UpSampling<2> {
    const CLASS_NAME: &'static str = "UpSampling2D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_2D);
    fn from_config(c: &Value) -> Result<Self> {
        Self::from_up_sampling2d_config(parse_config(Self::CLASS, c)?)
    }
}

/// Keras 3.15's `UpSampling1D.get_config()` keys.
const KERAS_OPTIONS_1D: KerasOptions = KerasOptions::new(&[
    ("size", Opt::Used),
]);

/// Keras 3.15's `UpSampling2D.get_config()` keys (only nearest-neighbour interpolation).
const KERAS_OPTIONS_2D: KerasOptions = KerasOptions::new(&[
    ("size", Opt::Used),
    ("data_format", Opt::Used),
    ("interpolation", Opt::Is("\"nearest\"")),
]);
