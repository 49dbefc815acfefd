//! Regression metrics (`sklearn.metrics`): R², mean squared error, its
//! root and the mean absolute error. Targets are 1-D or
//! `(n_samples, n_outputs)`; several outputs are averaged uniformly
//! (`multioutput="uniform_average"`).
//!
//! ```
//! use sklearnlike::metrics::{mean_absolute_error, mean_squared_error, r2_score};
//! # fn main() -> sklearnlike::Result<()> {
//! let y_true = [3.0, -0.5, 2.0, 7.0];
//! let y_pred = [2.5, 0.0, 2.0, 8.0];
//! assert!((r2_score(&y_true, &y_pred)? - 0.9486081370449679).abs() < 1e-15);
//! assert_eq!(mean_squared_error(&y_true, &y_pred)?, 0.375);
//! assert_eq!(mean_absolute_error(&y_true, &y_pred)?, 0.5);
//! # Ok(()) }
//! ```

use crate::data::Targets;
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};

fn pair<'a>(y_true: Targets<'a>, y_pred: Targets<'a>, what: &str) -> Result<(Array2<f64>, Array2<f64>)> {
    let (t, p) = (y_true.view()?, y_pred.view()?);
    if t.dim() != p.dim() {
        return Err(Error::shape(format!(
            "{what}: y_true has shape {:?} but y_pred has {:?}; they must match",
            t.shape(),
            p.shape()
        )));
    }
    if t.nrows() == 0 {
        return Err(Error::data(format!(
            "{what}: found empty input; at least 1 sample is required"
        )));
    }
    Ok((t.to_owned(), p.to_owned()))
}

fn per_output(t: ArrayView2<'_, f64>, p: ArrayView2<'_, f64>, f: impl Fn(&[f64], &[f64]) -> f64) -> f64 {
    let k = t.ncols();
    (0..k)
        .map(|j| {
            let a: Vec<f64> = t.column(j).to_vec();
            let b: Vec<f64> = p.column(j).to_vec();
            f(&a, &b)
        })
        .sum::<f64>()
        / k as f64
}

/// The coefficient of determination `1 - SS_res / SS_tot`, averaged over
/// outputs; a constant `y_true` gives 1 for a perfect prediction and 0
/// otherwise (`force_finite=True`), fewer than two samples give NaN.
pub fn r2_score<'a>(y_true: impl Into<Targets<'a>>, y_pred: impl Into<Targets<'a>>) -> Result<f64> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "r2_score")?;
    if t.nrows() < 2 {
        return Ok(f64::NAN);
    }
    Ok(per_output(t.view(), p.view(), |a, b| {
        let mean = a.iter().sum::<f64>() / a.len() as f64;
        let ss_tot: f64 = a.iter().map(|v| (v - mean).powi(2)).sum();
        let ss_res: f64 = a.iter().zip(b).map(|(v, w)| (v - w).powi(2)).sum();
        if ss_tot == 0.0 {
            if ss_res == 0.0 {
                1.0
            } else {
                0.0
            }
        } else {
            1.0 - ss_res / ss_tot
        }
    }))
}

/// The mean of `(y_true - y_pred)²`, averaged over outputs.
pub fn mean_squared_error<'a>(y_true: impl Into<Targets<'a>>, y_pred: impl Into<Targets<'a>>) -> Result<f64> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "mean_squared_error")?;
    Ok(per_output(t.view(), p.view(), mse))
}

fn mse(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(v, w)| (v - w).powi(2)).sum::<f64>() / a.len() as f64
}

/// The square root of each output's mean squared error, averaged over
/// outputs (`root_mean_squared_error`).
pub fn root_mean_squared_error<'a>(y_true: impl Into<Targets<'a>>, y_pred: impl Into<Targets<'a>>) -> Result<f64> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "root_mean_squared_error")?;
    Ok(per_output(t.view(), p.view(), |a, b| mse(a, b).sqrt()))
}

/// The mean of `|y_true - y_pred|`, averaged over outputs.
pub fn mean_absolute_error<'a>(y_true: impl Into<Targets<'a>>, y_pred: impl Into<Targets<'a>>) -> Result<f64> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "mean_absolute_error")?;
    Ok(per_output(t.view(), p.view(), |a, b| {
        a.iter().zip(b).map(|(v, w)| (v - w).abs()).sum::<f64>() / a.len() as f64
    }))
}
