//! `ZeroPadding1D/2D`: zeros around the spatial axes
//! (`keras.layers.ZeroPadding2D`), on [`tensorlow::Tensor::pad`], and
//! `Cropping1D/2D`, its inverse: values cut off each end
//! (`keras.layers.Cropping2D`), on [`tensorlow::Tensor::narrow`].
//!
//! The amounts follow Keras: one integer (every side), one per axis
//! (both ends of it), or `(before, after)` per axis. `channels_last` only.
//!
//! ```
//! use keraslike::layers::{Cropping2D, Layer, ZeroPadding2D};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let pad = ZeroPadding2D::new(1);
//! let x = Tensor::new(&[1.0f32; 4], &[1, 2, 2, 1])?;
//! let y = pad.call(&x, false)?;
//! assert_eq!(y.shape(), &[1, 4, 4, 1]);
//! let crop = Cropping2D::new([(1, 1), (1, 1)]);
//! assert_eq!(crop.call(&y, false)?.to_vec::<f32>()?, vec![1.0; 4]);
//! assert_eq!(crop.compute_output_shape(&[4, 4, 1])?, vec![2, 2, 1]);
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

/// `(before, after)` amounts along `R` spatial axes: from one `usize`
/// (every side), `[usize; R]` (both ends of each axis), or `[(before,
/// after); R]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Margins<const R: usize>(pub [(usize, usize); R]);

impl<const R: usize> From<usize> for Margins<R> {
    fn from(v: usize) -> Self {
        Margins([(v, v); R])
    }
}

impl<const R: usize> From<[usize; R]> for Margins<R> {
    fn from(v: [usize; R]) -> Self {
        Margins(v.map(|v| (v, v)))
    }
}

impl<const R: usize> From<[(usize, usize); R]> for Margins<R> {
    fn from(v: [(usize, usize); R]) -> Self {
        Margins(v)
    }
}

impl From<(usize, usize)> for Margins<1> {
    fn from(v: (usize, usize)) -> Self {
        Margins([v])
    }
}

/// Padding or cropping amounts as a config holds them, in any of Keras'
/// forms: one integer, `[b, a]` (1-D), `[h, w]` or `[[t, b], [l, r]]` (2-D).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MarginAmounts {
    /// The same amount on every side.
    All(usize),
    /// One entry per axis (in 1-D, the two ends of the one axis).
    PerAxis(Vec<AxisAmounts>),
}

/// One entry of [`MarginAmounts::PerAxis`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AxisAmounts {
    /// One amount (both ends of an axis in 2-D; one end in 1-D).
    Both(usize),
    /// `(before, after)`.
    Pair((usize, usize)),
}

impl<const R: usize> Margins<R> {
    /// Keras' config form: `[b, a]` in 1-D, `[[b, a], [b, a]]` in 2-D.
    fn to_amounts(self) -> MarginAmounts {
        if R == 1 {
            let (b, a) = self.0[0];
            MarginAmounts::PerAxis(vec![AxisAmounts::Both(b), AxisAmounts::Both(a)])
        } else {
            MarginAmounts::PerAxis(self.0.iter().map(|&p| AxisAmounts::Pair(p)).collect())
        }
    }

    /// Reads any of Keras' forms (see [`MarginAmounts`]).
    fn from_amounts(class: &str, key: &str, v: &MarginAmounts) -> Result<Self> {
        let bad = || {
            let form = serde_json::to_string(v).unwrap_or_default();
            Error::arg(format!("{class} config: {key:?} has an unsupported form: {form}"))
        };
        let items = match v {
            MarginAmounts::All(n) => return Ok(Margins::from(*n)),
            MarginAmounts::PerAxis(items) => items,
        };
        let mut out = [(0, 0); R];
        if R == 1 {
            match items.as_slice() {
                [AxisAmounts::Both(b), AxisAmounts::Both(a)] => out[0] = (*b, *a),
                _ => return Err(bad()),
            }
        } else {
            if items.len() != R {
                return Err(bad());
            }
            for (o, it) in out.iter_mut().zip(items) {
                *o = match *it {
                    AxisAmounts::Both(n) => (n, n),
                    AxisAmounts::Pair(p) => p,
                };
            }
        }
        Ok(Margins(out))
    }
}

macro_rules! margin_layer {
    ($ty:ident, $config:ident, $from:ident, $alias1:ident, $alias2:ident, $doc:literal, $base1:literal, $base2:literal, $class1:literal, $class2:literal, $key:ident, $default2:expr) => {
        #[doc = concat!("The configuration of [`", stringify!($alias1), "`] and [`", stringify!($alias2), "`] with Keras' field names \
            (their `get_config()`): [`Layer::get_config`] writes it and [`FromConfig::from_config`] reads it.")]
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
        #[serde(default)]
        pub struct $config {
            /// The layer's name (a fresh one when empty).
            pub name: String,
            #[doc = concat!("The amounts in any of Keras' forms: an integer, `[b, a]` (1-D), `[h, w]` or \
                `[[t, b], [l, r]]` (2-D); none: Keras' default (`", stringify!($default2), "` in 2-D, 1 else).")]
            pub $key: Option<MarginAmounts>,
            /// The layout, only `channels_last` (written by the layers that
            /// have it; missing: `channels_last`).
            #[serde(skip_serializing_if = "Option::is_none")]
            pub data_format: Option<DataFormat>,
        }

        #[doc = $doc]
        #[derive(Debug, Clone)]
        pub struct $ty<const R: usize> {
            name: String,
            margins: Margins<R>,
            config_error: Option<String>,
            built: bool,
        }

        impl<const R: usize> $ty<R> {
            const CLASS: &'static str = if R == 1 { $class1 } else { $class2 };

            /// The amounts (see [`Margins`]). Named after the Keras class
            /// in snake case, with a counter.
            pub fn new(amounts: impl Into<Margins<R>>) -> Self {
                $ty {
                    name: unique_name(if R == 1 { $base1 } else { $base2 }),
                    margins: amounts.into(),
                    config_error: None,
                    built: false,
                }
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

            fn check_input(&self, x: &Tensor) -> Result<()> {
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
                self.compute_output_shape(&x.shape()[1..]).map(|_| ())
            }
        }

        impl<const R: usize> Layer for $ty<R> {
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
                self.check_input(x)?;
                self.apply_to(x)
            }

            fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
                check_rank(Self::CLASS, &self.name, R, input_shape)?;
                let mut out = input_shape.to_vec();
                for (a, &(b, e)) in self.margins.0.iter().enumerate() {
                    out[a] = self.size(input_shape, a, b, e)?;
                }
                Ok(out)
            }

            fn get_config(&self) -> Value {
                serde_json::to_value(self.config()).unwrap_or(Value::Null)
            }

            fn config_error(&self) -> Option<String> {
                self.config_error.clone()
            }
        }

        #[doc = concat!("`keras.layers.", $class1, "`.")]
        pub type $alias1 = $ty<1>;
        #[doc = concat!("`keras.layers.", $class2, "`.")]
        pub type $alias2 = $ty<2>;

        impl<const R: usize> $ty<R> {
            /// The layer's configuration (what `get_config` writes).
            pub fn config(&self) -> $config {
                $config {
                    name: self.name.clone(),
                    $key: Some(self.margins.to_amounts()),
                    data_format: (R == 2 || stringify!($key) == "padding").then(DataFormat::default),
                }
            }

            /// A layer from its configuration; amounts in a form Keras does
            /// not have are an error, a bad layout is reported by `build`.
            pub fn $from(c: $config) -> Result<Self> {
                let margins = match &c.$key {
                    None if R == 2 => Margins::from($default2),
                    None => Margins::from(1),
                    Some(v) => Margins::from_amounts(Self::CLASS, stringify!($key), v)?,
                };
                let mut l = Self::new(margins).data_format(&c.data_format.unwrap_or_default().0);
                if !c.name.is_empty() {
                    l.name = c.name;
                }
                Ok(l)
            }

            fn from_keras_config(c: &Value) -> Result<Self> {
                Self::$from(parse_config(Self::CLASS, c)?)
            }
        }

        impl FromConfig for $ty<1> {
            const CLASS_NAME: &'static str = $class1;
            const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(&[(stringify!($key), Opt::Used), ("data_format", Opt::Used)]));
            fn from_config(c: &Value) -> Result<Self> {
                Self::from_keras_config(c)
            }
        }

        impl FromConfig for $ty<2> {
            const CLASS_NAME: &'static str = $class2;
            const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(&[(stringify!($key), Opt::Used), ("data_format", Opt::Used)]));
            fn from_config(c: &Value) -> Result<Self> {
                Self::from_keras_config(c)
            }
        }
    };
}

margin_layer!(
    ZeroPadding,
    ZeroPaddingConfig,
    from_zero_padding_config,
    ZeroPadding1D,
    ZeroPadding2D,
    "Zeros before and after each spatial axis; use [`ZeroPadding1D`] / [`ZeroPadding2D`].",
    "zero_padding1d",
    "zero_padding2d",
    "ZeroPadding1D",
    "ZeroPadding2D",
    padding,
    1
);

margin_layer!(
    Cropping,
    CroppingConfig,
    from_cropping_config,
    Cropping1D,
    Cropping2D,
    "Values cut off both ends of each spatial axis; use [`Cropping1D`] / [`Cropping2D`].",
    "cropping1d",
    "cropping2d",
    "Cropping1D",
    "Cropping2D",
    cropping,
    0
);

impl<const R: usize> ZeroPadding<R> {
    fn size(&self, input: &[usize], a: usize, before: usize, after: usize) -> Result<usize> {
        input[a]
            .checked_add(before)
            .and_then(|n| n.checked_add(after))
            .ok_or_else(|| Error::arg(format!("{} {:?}: padded size overflows", Self::CLASS, self.name)))
    }

    fn apply_to(&self, x: &Tensor) -> Result<Tensor> {
        let mut pads = vec![(0, 0); R + 2];
        pads[1..=R].copy_from_slice(&self.margins.0);
        Ok(x.pad(&pads, 0.0)?)
    }
}

impl<const R: usize> Cropping<R> {
    fn size(&self, input: &[usize], a: usize, before: usize, after: usize) -> Result<usize> {
        match input[a].checked_sub(before).and_then(|n| n.checked_sub(after)) {
            Some(n) if n > 0 => Ok(n),
            _ => Err(Error::shape(format!(
                "{} {:?}: cropping ({before}, {after}) leaves nothing of an axis of size {} (per-sample shape {})",
                Self::CLASS,
                self.name,
                input[a],
                shape_str(input)
            ))),
        }
    }

    fn apply_to(&self, x: &Tensor) -> Result<Tensor> {
        let mut y = x.clone();
        for (a, &(b, e)) in self.margins.0.iter().enumerate() {
            let n = x.shape()[a + 1];
            y = y.narrow(a as isize + 1, b, n - b - e)?;
        }
        Ok(y)
    }
}
