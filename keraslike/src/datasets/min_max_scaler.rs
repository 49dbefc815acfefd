//! [`MinMaxScaler`]: scaling each feature to a range on row-major data, a
//! thin wrapper over `sklearnlike::preprocessing::MinMaxScaler`
//! (scikit-learn's `MinMaxScaler`).
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

use super::split::from_sklearn;
use crate::Result;
use sklearnlike::data::Features;

/// Per-feature affine scaling of the training range to `feature_range`
/// (see `sklearnlike::preprocessing::MinMaxScaler` for constant columns).
#[derive(Clone, Debug, PartialEq)]
pub struct MinMaxScaler(sklearnlike::preprocessing::MinMaxScaler);

impl MinMaxScaler {
    /// Learns each feature's minimum and maximum from row-major `x` and
    /// scales to `(0, 1)`.
    pub fn fit(x: &[f64], n_features: usize) -> Result<Self> {
        Self::fit_with_range(x, n_features, (0.0, 1.0))
    }

    /// Like [`fit`](Self::fit), scaling to `feature_range` (`min < max`).
    pub fn fit_with_range(x: &[f64], n_features: usize, feature_range: (f64, f64)) -> Result<Self> {
        let mut s = sklearnlike::preprocessing::MinMaxScaler::new().feature_range(feature_range.0, feature_range.1);
        s.fit(Features::from_flat(x, n_features)).map_err(from_sklearn)?;
        Ok(MinMaxScaler(s))
    }

    /// `x * scale + min`, row-major.
    pub fn transform(&self, x: &[f64]) -> Result<Vec<f64>> {
        let f = self.0.scale().len();
        let t = self.0.transform(Features::from_flat(x, f)).map_err(from_sklearn)?;
        Ok(t.into_raw_vec_and_offset().0)
    }

    /// Undoes [`transform`](Self::transform): `(x - min) / scale`.
    pub fn inverse_transform(&self, x: &[f64]) -> Result<Vec<f64>> {
        let f = self.0.scale().len();
        let t = self
            .0
            .inverse_transform(Features::from_flat(x, f))
            .map_err(from_sklearn)?;
        Ok(t.into_raw_vec_and_offset().0)
    }

    /// The scikit-learn-tier scaler inside (`data_min_`, `scale_`, ...).
    pub fn inner(&self) -> &sklearnlike::preprocessing::MinMaxScaler {
        &self.0
    }
}
