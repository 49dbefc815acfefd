//! [`MinMaxScaler`]: scaling each feature to a range, scikit-learn's
//! `MinMaxScaler`.
//!
//! ```
//! use keraslike::datasets::MinMaxScaler;
//! # fn main() -> keraslike::Result<()> {
//! // Two rows of two features; the second feature is constant.
//! let x = [0.0, 7.0, 10.0, 7.0];
//! let scaler = MinMaxScaler::fit(&x, 2)?;
//! assert_eq!(scaler.transform(&x)?, vec![0.0, 0.0, 1.0, 0.0]);
//! assert_eq!(scaler.transform(&[5.0, 8.0])?, vec![0.5, 1.0]);
//! # Ok(()) }
//! ```

use crate::{Error, Result};

/// Per-feature affine scaling that maps the training minimum to
/// `feature_range.0` and the training maximum to `feature_range.1`:
/// `x * scale + min` (scikit-learn's `MinMaxScaler`).
///
/// A constant column has no range; like scikit-learn its range is taken as
/// 1, so its training value maps to `feature_range.0` and other values
/// shift by their distance to it. Values outside the training range map
/// outside `feature_range` (no clipping, scikit-learn's default `clip=False`).
#[derive(Clone, Debug, PartialEq)]
pub struct MinMaxScaler {
    /// The target range `(min, max)`; default `(0, 1)`.
    pub feature_range: (f64, f64),
    /// Per-feature training minimum (`data_min_`).
    pub data_min: Vec<f64>,
    /// Per-feature training maximum (`data_max_`).
    pub data_max: Vec<f64>,
    /// Per-feature factor (`scale_`): `(range.1 - range.0) / (max - min)`,
    /// with `max - min` taken as 1 for constant columns.
    pub scale: Vec<f64>,
    /// Per-feature offset (`min_`): `range.0 - data_min * scale`.
    pub min: Vec<f64>,
}

impl MinMaxScaler {
    /// Learns each feature's minimum and maximum from row-major `x` and
    /// scales to `(0, 1)`.
    pub fn fit(x: &[f64], n_features: usize) -> Result<Self> {
        Self::fit_with_range(x, n_features, (0.0, 1.0))
    }

    /// Like [`fit`](Self::fit), scaling to `feature_range` (which must have
    /// `min < max`, as scikit-learn requires).
    pub fn fit_with_range(x: &[f64], n_features: usize, feature_range: (f64, f64)) -> Result<Self> {
        let (lo, hi) = feature_range;
        // Also refuses NaN bounds, which compare as neither.
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Err(Error::arg(format!(
                "MinMaxScaler: the minimum of feature_range must be smaller than its maximum, got ({lo}, {hi})"
            )));
        }
        if n_features == 0 || x.is_empty() || !x.len().is_multiple_of(n_features) {
            return Err(Error::data(format!(
                "MinMaxScaler.fit: {} values do not form rows of {n_features} features",
                x.len()
            )));
        }
        let mut data_min = vec![f64::INFINITY; n_features];
        let mut data_max = vec![f64::NEG_INFINITY; n_features];
        for row in x.chunks(n_features) {
            for (c, &v) in row.iter().enumerate() {
                data_min[c] = data_min[c].min(v);
                data_max[c] = data_max[c].max(v);
            }
        }
        let scale: Vec<f64> = data_min
            .iter()
            .zip(&data_max)
            .map(|(mn, mx)| {
                let range = mx - mn;
                (hi - lo) / if range == 0.0 { 1.0 } else { range }
            })
            .collect();
        let min = data_min.iter().zip(&scale).map(|(mn, s)| lo - mn * s).collect();
        Ok(MinMaxScaler {
            feature_range,
            data_min,
            data_max,
            scale,
            min,
        })
    }

    fn check(&self, what: &str, x: &[f64]) -> Result<()> {
        let f = self.scale.len();
        if !x.len().is_multiple_of(f) {
            return Err(Error::data(format!(
                "MinMaxScaler.{what}: {} values are not rows of {f} features",
                x.len()
            )));
        }
        Ok(())
    }

    /// `x * scale + min`, row-major.
    pub fn transform(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.check("transform", x)?;
        let f = self.scale.len();
        Ok(x.iter()
            .enumerate()
            .map(|(i, v)| v * self.scale[i % f] + self.min[i % f])
            .collect())
    }

    /// Undoes [`transform`](Self::transform): `(x - min) / scale`.
    pub fn inverse_transform(&self, x: &[f64]) -> Result<Vec<f64>> {
        self.check("inverse_transform", x)?;
        let f = self.scale.len();
        Ok(x.iter()
            .enumerate()
            .map(|(i, v)| (v - self.min[i % f]) / self.scale[i % f])
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Three rows of (x0, x1, x2): x0 spans 1..3, x1 is constant 5, x2 spans 2..6.
    const X: [f64; 9] = [1.0, 5.0, 2.0, 3.0, 5.0, 6.0, 2.0, 5.0, 4.0];

    #[test]
    fn scales_to_the_unit_range_and_handles_constant_columns() {
        let s = MinMaxScaler::fit(&X, 3).unwrap();
        assert_eq!(
            (s.data_min.clone(), s.data_max.clone()),
            (vec![1.0, 5.0, 2.0], vec![3.0, 5.0, 6.0])
        );
        // By hand: (x - min) / (max - min); the constant column becomes 0.
        assert_eq!(
            s.transform(&X).unwrap(),
            vec![0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.5, 0.0, 0.5]
        );
        // Unseen values: (5-1)/2 = 2; constant column shifts, 7 - 5 = 2; (0-2)/4 = -0.5.
        assert_eq!(s.transform(&[5.0, 7.0, 0.0]).unwrap(), vec![2.0, 2.0, -0.5]);
        let back = s.inverse_transform(&s.transform(&X).unwrap()).unwrap();
        assert_eq!(back, X.to_vec());
    }

    #[test]
    fn custom_range_and_errors() {
        let s = MinMaxScaler::fit_with_range(&X, 3, (-1.0, 1.0)).unwrap();
        // By hand: 2 (x - min) / (max - min) - 1; the constant column becomes -1.
        assert_eq!(
            s.transform(&X).unwrap(),
            vec![-1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 0.0, -1.0, 0.0]
        );
        let e = MinMaxScaler::fit_with_range(&X, 3, (1.0, 1.0)).unwrap_err().to_string();
        assert!(e.contains("feature_range"), "{e}");
        assert!(MinMaxScaler::fit_with_range(&X, 3, (0.0, f64::NAN)).is_err());
        assert!(MinMaxScaler::fit(&X, 2).is_err());
        assert!(MinMaxScaler::fit(&[], 2).is_err());
        assert!(s.transform(&[1.0, 2.0]).is_err());
    }
}
