//! [`MinMaxScaler`]: scaling each feature to a range
//! (`sklearn.preprocessing.MinMaxScaler`).
//!
//! `x * scale_ + min_` maps the training minimum to `feature_range.0` and
//! the training maximum to `feature_range.1`. A constant column has no
//! range; as in scikit-learn its range is taken as 1, so its training value
//! maps to `feature_range.0` and other values shift by their distance to
//! it. Values outside the training range map outside `feature_range`
//! unless `clip` is set. NaN is treated as missing (ignored by `fit`, kept
//! by `transform`).
//!
//! ```
//! use ndarray::array;
//! use sklearnlike::preprocessing::MinMaxScaler;
//! # fn main() -> sklearnlike::Result<()> {
//! // Two rows of two features; the second feature is constant.
//! let x = array![[0.0, 7.0], [10.0, 7.0]];
//! let mut scaler = MinMaxScaler::new();
//! assert_eq!(scaler.fit_transform(&x)?, array![[0.0, 0.0], [1.0, 0.0]]);
//! assert_eq!(scaler.transform(&[[5.0, 8.0]][..])?, array![[0.5, 1.0]]);
//! let mut clipped = MinMaxScaler::new().feature_range(-1.0, 1.0).clip(true);
//! clipped.fit(&x)?;
//! assert_eq!(clipped.transform(&[[20.0, 7.0]][..])?, array![[1.0, -1.0]]);
//! # Ok(()) }
//! ```

use super::{check_columns, check_no_inf, fitted};
use crate::base::{Estimator, Transformer};
use crate::data::Features;
use crate::param::{unknown_param, Param, Params};
use crate::{Error, Result};
use ndarray::Array2;

/// Per-feature affine scaling to `feature_range` (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct MinMaxScaler {
    /// The target range `(min, max)`; default `(0, 1)`.
    pub feature_range: (f64, f64),
    /// Clip transformed values to `feature_range` (default false).
    pub clip: bool,
    fit: Option<Fit>,
}

#[derive(Clone, Debug, PartialEq)]
struct Fit {
    data_min: Vec<f64>,
    data_max: Vec<f64>,
    data_range: Vec<f64>,
    scale: Vec<f64>,
    min: Vec<f64>,
}

impl Default for MinMaxScaler {
    fn default() -> Self {
        MinMaxScaler {
            feature_range: (0.0, 1.0),
            clip: false,
            fit: None,
        }
    }
}

const WHAT: &str = "MinMaxScaler";

impl MinMaxScaler {
    /// A scaler to `(0, 1)` without clipping.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `feature_range` (builder style).
    pub fn feature_range(mut self, min: f64, max: f64) -> Self {
        self.feature_range = (min, max);
        self
    }

    /// Sets `clip` (builder style).
    pub fn clip(mut self, clip: bool) -> Self {
        self.clip = clip;
        self
    }

    /// Learns each column's minimum and maximum (NaN ignored).
    pub fn fit<'a>(&mut self, x: impl Into<Features<'a>>) -> Result<&mut Self> {
        let (lo, hi) = self.feature_range;
        // Also refuses NaN bounds, which compare as neither.
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Err(Error::param(format!(
                "MinMaxScaler: minimum of desired feature range must be smaller than maximum, got ({lo}, {hi})"
            )));
        }
        let x = x.into();
        let x = x.view()?;
        check_no_inf(&x, "MinMaxScaler.fit")?;
        if x.nrows() == 0 || x.ncols() == 0 {
            return Err(Error::data(format!(
                "MinMaxScaler.fit: found an array of shape {:?}; at least 1 sample and 1 feature are required",
                x.shape()
            )));
        }
        let f = x.ncols();
        let mut data_min = vec![f64::NAN; f];
        let mut data_max = vec![f64::NAN; f];
        for row in x.rows() {
            for (c, &v) in row.iter().enumerate() {
                // f64::min/max ignore a NaN operand: nanmin / nanmax.
                data_min[c] = data_min[c].min(v);
                data_max[c] = data_max[c].max(v);
            }
        }
        let data_range: Vec<f64> = data_min.iter().zip(&data_max).map(|(mn, mx)| mx - mn).collect();
        let scale: Vec<f64> = data_range
            .iter()
            .map(|&range| {
                // `_handle_zeros_in_scale`: ranges below 10 eps count as 0 -> 1.
                (hi - lo) / if range < 10.0 * f64::EPSILON { 1.0 } else { range }
            })
            .collect();
        let min = data_min.iter().zip(&scale).map(|(mn, s)| lo - mn * s).collect();
        self.fit = Some(Fit {
            data_min,
            data_max,
            data_range,
            scale,
            min,
        });
        Ok(self)
    }

    fn state(&self) -> Result<&Fit> {
        fitted(self.fit.as_ref(), WHAT)
    }

    /// `x * scale_ + min_` (clipped to `feature_range` with `clip`).
    pub fn transform<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        let x = x.into();
        let x = x.view()?;
        let s = self.state()?;
        check_columns(x.ncols(), s.scale.len(), WHAT)?;
        check_no_inf(&x, "MinMaxScaler.transform")?;
        let (lo, hi) = self.feature_range;
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = *v * s.scale[c] + s.min[c];
                if self.clip {
                    *v = v.clamp(lo, hi);
                }
            }
        }
        Ok(out)
    }

    /// `fit(x)` then `transform(x)`.
    pub fn fit_transform<'a>(&mut self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        let x = x.into();
        self.fit(&x)?;
        self.transform(x)
    }

    /// `(x - min_) / scale_`: undoes [`transform`](Self::transform).
    pub fn inverse_transform<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        let x = x.into();
        let x = x.view()?;
        let s = self.state()?;
        check_columns(x.ncols(), s.scale.len(), WHAT)?;
        check_no_inf(&x, "MinMaxScaler.inverse_transform")?;
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for (c, v) in row.iter_mut().enumerate() {
                *v = (*v - s.min[c]) / s.scale[c];
            }
        }
        Ok(out)
    }

    /// `data_min_` (empty before `fit`).
    pub fn data_min(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.data_min)
    }
    /// `data_max_`.
    pub fn data_max(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.data_max)
    }
    /// `data_range_` (`data_max_ - data_min_`).
    pub fn data_range(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.data_range)
    }
    /// `scale_`: `(max - min of the range) / data_range_` (range 1 for
    /// constant columns).
    pub fn scale(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.scale)
    }
    /// `min_`: `feature_range.0 - data_min_ * scale_`.
    pub fn min(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.min)
    }
}

impl Estimator for MinMaxScaler {
    fn class_name(&self) -> &'static str {
        WHAT
    }
    fn get_params(&self) -> Params {
        Params::new()
            .with("clip", self.clip)
            .with("copy", true)
            .with("feature_range", self.feature_range)
    }
    fn set_param(&mut self, name: &str, value: Param) -> Result<()> {
        match name {
            "feature_range" => self.feature_range = value.to_pair(name)?,
            "clip" => self.clip = value.to_bool(name)?,
            "copy" => {
                if !value.to_bool(name)? {
                    return Err(Error::param(
                        "MinMaxScaler: copy=False is not supported (transform returns a new array)",
                    ));
                }
            }
            _ => return Err(unknown_param(WHAT, name, &["clip", "copy", "feature_range"])),
        }
        Ok(())
    }
    fn clone_unfitted(&self) -> Self {
        MinMaxScaler {
            fit: None,
            ..self.clone()
        }
    }
}

impl Transformer for MinMaxScaler {
    fn fit(&mut self, x: Features<'_>) -> Result<()> {
        MinMaxScaler::fit(self, x).map(|_| ())
    }
    fn transform(&self, x: Features<'_>) -> Result<Array2<f64>> {
        MinMaxScaler::transform(self, x)
    }
    fn inverse_transform(&self, x: Features<'_>) -> Result<Array2<f64>> {
        MinMaxScaler::inverse_transform(self, x)
    }
    fn clone_transformer(&self) -> Box<dyn Transformer> {
        Box::new(self.clone_unfitted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn constant_columns_nan_and_errors() {
        // Three rows of (x0, x1, x2): x0 spans 1..3, x1 is constant 5, x2 spans 2..6 with a NaN.
        let x = array![[1.0, 5.0, 2.0], [3.0, 5.0, f64::NAN], [2.0, 5.0, 6.0]];
        let mut s = MinMaxScaler::new();
        s.fit(&x).unwrap();
        assert_eq!(
            (s.data_min(), s.data_max()),
            (&[1.0, 5.0, 2.0][..], &[3.0, 5.0, 6.0][..])
        );
        let t = s.transform(&x).unwrap();
        // By hand: (x - min) / (max - min); the constant column becomes 0; NaN stays NaN.
        assert_eq!(t.row(0).to_vec(), vec![0.0, 0.0, 0.0]);
        assert_eq!((t[[1, 0]], t[[1, 1]]), (1.0, 0.0));
        assert!(t[[1, 2]].is_nan());
        let e = MinMaxScaler::new()
            .feature_range(1.0, 1.0)
            .fit(&x)
            .unwrap_err()
            .to_string();
        assert!(e.contains("feature range"), "{e}");
        let e = s.transform(&array![[1.0, 2.0]]).unwrap_err().to_string();
        assert!(e.contains("X has 2 features") && e.contains("expecting 3"), "{e}");
        let e = MinMaxScaler::new().transform(&x).unwrap_err();
        assert!(matches!(e, Error::NotFitted(_)), "{e}");
        let e = s.transform(&array![[f64::INFINITY, 1.0, 1.0]]).unwrap_err().to_string();
        assert!(e.contains("row 0, column 0"), "{e}");
    }
}
