//! [`StandardScaler`]: z-scores with the training data's mean and
//! population standard deviation (`sklearn.preprocessing.StandardScaler`).
//!
//! As in scikit-learn: NaN is treated as missing (ignored by `fit`, kept by
//! `transform`), infinity is an error, and a constant (or numerically
//! constant) column gets `scale_ = 1`, so it is only centred.
//!
//! ```
//! use ndarray::array;
//! use sklearnlike::preprocessing::StandardScaler;
//! # fn main() -> sklearnlike::Result<()> {
//! let x = array![[1.0, 10.0], [3.0, 10.0]];
//! let mut s = StandardScaler::new();
//! let z = s.fit_transform(&x)?;
//! assert_eq!(z, array![[-1.0, 0.0], [1.0, 0.0]]);
//! assert_eq!((s.mean(), s.scale()), (&[2.0, 10.0][..], &[1.0, 1.0][..]));
//! assert_eq!(s.inverse_transform(&z)?, x);
//! # Ok(()) }
//! ```

use super::{check_columns, check_no_inf, fitted};
use crate::base::{Estimator, Transformer};
use crate::data::Features;
use crate::param::{unknown_param, Param, Params};
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Per-feature `(x - mean_) / scale_` (see the module docs). Serde saves
/// the parameters and the fitted statistics; loading checks them (one
/// value per feature, positive scales), so a scaler read from a file
/// cannot index out of bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Repr")]
pub struct StandardScaler {
    /// Subtract the mean (default true).
    pub with_mean: bool,
    /// Divide by the standard deviation (default true).
    pub with_std: bool,
    fit: Option<Fit>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Fit {
    mean: Vec<f64>,
    var: Vec<f64>,
    scale: Vec<f64>,
    n_samples_seen: Vec<usize>,
}

/// What a saved scaler holds, before it is checked.
#[derive(Deserialize)]
struct Repr {
    with_mean: bool,
    with_std: bool,
    fit: Option<Fit>,
}

impl TryFrom<Repr> for StandardScaler {
    type Error = String;
    fn try_from(r: Repr) -> std::result::Result<Self, String> {
        if let Some(f) = &r.fit {
            let n = f.mean.len();
            if n == 0 || f.var.len() != n || f.scale.len() != n || f.n_samples_seen.len() != n {
                return Err(format!(
                    "StandardScaler: mean, var, scale and n_samples_seen need one value per feature, got {}, {}, {}, {}",
                    n,
                    f.var.len(),
                    f.scale.len(),
                    f.n_samples_seen.len()
                ));
            }
            if let Some(c) = (0..n).find(|&c| !(f.scale[c] > 0.0 || (f.scale[c].is_nan() && f.mean[c].is_nan()))) {
                return Err(format!(
                    "StandardScaler: scale[{c}] = {} is not a positive number",
                    f.scale[c]
                ));
            }
        }
        Ok(StandardScaler {
            with_mean: r.with_mean,
            with_std: r.with_std,
            fit: r.fit,
        })
    }
}

impl Default for StandardScaler {
    fn default() -> Self {
        StandardScaler {
            with_mean: true,
            with_std: true,
            fit: None,
        }
    }
}

const WHAT: &str = "StandardScaler";

impl StandardScaler {
    /// A scaler with scikit-learn's defaults (`with_mean=True, with_std=True`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `with_mean` (builder style).
    pub fn with_mean(mut self, v: bool) -> Self {
        self.with_mean = v;
        self
    }

    /// Sets `with_std` (builder style).
    pub fn with_std(mut self, v: bool) -> Self {
        self.with_std = v;
        self
    }

    /// Learns each column's mean and variance (NaN ignored).
    pub fn fit<'a>(&mut self, x: impl Into<Features<'a>>) -> Result<&mut Self> {
        let x = x.into();
        let x = x.view()?;
        check_no_inf(&x, "StandardScaler.fit")?;
        if x.nrows() == 0 || x.ncols() == 0 {
            return Err(Error::data(format!(
                "StandardScaler.fit: found an array of shape {:?}; at least 1 sample and 1 feature are required",
                x.shape()
            )));
        }
        let f = x.ncols();
        let mut count = vec![0usize; f];
        for row in x.rows() {
            for (c, v) in row.iter().enumerate() {
                count[c] += usize::from(!v.is_nan());
            }
        }
        let n: Vec<f64> = count.iter().map(|&c| c as f64).collect();
        let mut mean = vec![0.0; f];
        for row in x.rows() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_nan() {
                    mean[c] += v / n[c];
                }
            }
        }
        let mut var = vec![0.0; f];
        for row in x.rows() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_nan() {
                    var[c] += (v - mean[c]) * (v - mean[c]) / n[c];
                }
            }
        }
        // A column with no value at all has NaN statistics, as in scikit-learn.
        for c in 0..f {
            if count[c] == 0 {
                mean[c] = f64::NAN;
                var[c] = f64::NAN;
            }
        }
        let eps = f64::EPSILON;
        let scale = (0..f)
            .map(|c| {
                // scikit-learn's `_is_constant_feature`: the variance is within
                // the rounding error bound of the two-pass algorithm.
                let bound = n[c] * eps * var[c] + (n[c] * mean[c] * eps).powi(2);
                if !self.with_std || var[c] <= bound {
                    1.0
                } else {
                    var[c].sqrt()
                }
            })
            .collect();
        self.fit = Some(Fit {
            mean,
            var,
            scale,
            n_samples_seen: count,
        });
        Ok(self)
    }

    fn state(&self) -> Result<&Fit> {
        fitted(self.fit.as_ref(), WHAT)
    }

    /// `(x - mean_) / scale_` (each part only when enabled).
    pub fn transform<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        let x = x.into();
        let x = x.view()?;
        let s = self.state()?;
        self.check(&x, s, "transform")?;
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for (c, v) in row.iter_mut().enumerate() {
                if self.with_mean {
                    *v -= s.mean[c];
                }
                if self.with_std {
                    *v /= s.scale[c];
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

    /// `x * scale_ + mean_`: undoes [`transform`](Self::transform).
    pub fn inverse_transform<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        let x = x.into();
        let x = x.view()?;
        let s = self.state()?;
        self.check(&x, s, "inverse_transform")?;
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for (c, v) in row.iter_mut().enumerate() {
                if self.with_std {
                    *v *= s.scale[c];
                }
                if self.with_mean {
                    *v += s.mean[c];
                }
            }
        }
        Ok(out)
    }

    fn check(&self, x: &ArrayView2<'_, f64>, s: &Fit, what: &str) -> Result<()> {
        check_columns(x.ncols(), s.mean.len(), WHAT)?;
        check_no_inf(x, &format!("StandardScaler.{what}"))
    }

    /// `mean_` (empty before `fit`).
    pub fn mean(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.mean)
    }
    /// `var_`: the population variance of each column.
    pub fn var(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.var)
    }
    /// `scale_`: the standard deviation, 1 for constant columns (and all
    /// ones when `with_std=False`, where scikit-learn has `None`).
    pub fn scale(&self) -> &[f64] {
        self.fit.as_ref().map_or(&[], |f| &f.scale)
    }
    /// `n_samples_seen_` per column (the non-NaN values).
    pub fn n_samples_seen(&self) -> &[usize] {
        self.fit.as_ref().map_or(&[], |f| &f.n_samples_seen)
    }
    /// `n_features_in_` (0 before `fit`).
    pub fn n_features_in(&self) -> usize {
        self.mean().len()
    }
}

impl Estimator for StandardScaler {
    fn class_name(&self) -> &'static str {
        WHAT
    }
    fn get_params(&self) -> Params {
        Params::new()
            .with("copy", true)
            .with("with_mean", self.with_mean)
            .with("with_std", self.with_std)
    }
    fn set_param(&mut self, name: &str, value: Param) -> Result<()> {
        match name {
            "with_mean" => self.with_mean = value.to_bool(name)?,
            "with_std" => self.with_std = value.to_bool(name)?,
            "copy" => {
                if !value.to_bool(name)? {
                    return Err(Error::param(
                        "StandardScaler: copy=False is not supported (transform returns a new array)",
                    ));
                }
            }
            _ => return Err(unknown_param(WHAT, name, &["copy", "with_mean", "with_std"])),
        }
        Ok(())
    }
    fn clone_unfitted(&self) -> Self {
        StandardScaler {
            fit: None,
            ..self.clone()
        }
    }
}

impl Transformer for StandardScaler {
    fn fit(&mut self, x: Features<'_>) -> Result<()> {
        StandardScaler::fit(self, x).map(|_| ())
    }
    fn transform(&self, x: Features<'_>) -> Result<Array2<f64>> {
        StandardScaler::transform(self, x)
    }
    fn inverse_transform(&self, x: Features<'_>) -> Result<Array2<f64>> {
        StandardScaler::inverse_transform(self, x)
    }
    fn clone_transformer(&self) -> Box<dyn Transformer> {
        Box::new(self.clone_unfitted())
    }
}
