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
use super::registry::str_of;
use super::spatial::{check_data_format, check_positive, check_rank, size_of, Size};
use super::{shape_str, unique_name, BuildContext, FromConfig, Layer};
use crate::{Error, Result};
use serde_json::{json, Value};
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
        if R == 1 {
            json!({ "name": self.name, "size": self.size[0] })
        } else {
            json!({ "name": self.name, "size": &self.size[..], "data_format": "channels_last", "interpolation": "nearest" })
        }
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }
}

impl<const R: usize> UpSampling<R> {
    fn from_keras_config(c: &Value) -> Result<Self> {
        let mut l = Self::new(size_of::<R>(Self::CLASS, c, "size")?.unwrap_or([2; R]))
            .interpolation(str_of(c, "interpolation").unwrap_or("nearest"))
            .data_format(str_of(c, "data_format").unwrap_or("channels_last"));
        if let Some(n) = str_of(c, "name") {
            l = l.name(n);
        }
        Ok(l)
    }
}

impl FromConfig for UpSampling<1> {
    const CLASS_NAME: &'static str = "UpSampling1D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_1D);
    fn from_config(c: &Value) -> Result<Self> {
        Self::from_keras_config(c)
    }
}

impl FromConfig for UpSampling<2> {
    const CLASS_NAME: &'static str = "UpSampling2D";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_2D);
    fn from_config(c: &Value) -> Result<Self> {
        Self::from_keras_config(c)
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
