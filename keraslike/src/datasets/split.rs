//! Stratified train/test splits and z-score scaling for the Keras tier:
//! thin row-major wrappers over `sklearnlike` (the logic lives there once).

use crate::{Error, Result};
use sklearnlike::data::Features;

/// A scikit-learn-tier error as a keraslike one, keeping its kind.
pub(crate) fn from_sklearn(e: sklearnlike::Error) -> Error {
    match e {
        sklearnlike::Error::Tensor(t) => Error::Tensor(t),
        sklearnlike::Error::Shape(m) => Error::Shape(m),
        sklearnlike::Error::InvalidParameter(m) => Error::InvalidArgument(m),
        sklearnlike::Error::NotFitted(m) => Error::NotReady(m),
        sklearnlike::Error::Data(m) => Error::Data(m),
        sklearnlike::Error::File { path, msg } => Error::File { path, msg },
        sklearnlike::Error::InvalidModelFile { path, msg } => Error::File { path, msg },
    }
}

/// Splits `0..n` into shuffled (train, test) row indices with
/// `round(test_size * n)` test rows. With `stratify` (one class index per
/// row), each class is split in proportion, like scikit-learn's
/// `train_test_split(stratify=y)`; the same `seed` gives the same split.
/// (`sklearnlike::model_selection::train_test_split_indices`.)
pub fn train_test_split(
    n: usize,
    test_size: f64,
    stratify: Option<&[u32]>,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    sklearnlike::model_selection::train_test_split_indices(n, test_size, stratify, seed).map_err(from_sklearn)
}

/// Z-score scaling with the training set's mean and standard deviation on
/// row-major data (`sklearnlike::preprocessing::StandardScaler`:
/// scikit-learn's semantics, constant columns left unscaled).
#[derive(Clone, Debug, PartialEq)]
pub struct StandardScaler(sklearnlike::preprocessing::StandardScaler);

impl StandardScaler {
    /// Learns mean and standard deviation from row-major `x`.
    pub fn fit(x: &[f64], n_features: usize) -> Result<Self> {
        let mut s = sklearnlike::preprocessing::StandardScaler::new();
        s.fit(Features::from_flat(x, n_features)).map_err(from_sklearn)?;
        Ok(StandardScaler(s))
    }

    /// `(x - mean) / scale`, row-major.
    pub fn transform(&self, x: &[f64]) -> Result<Vec<f64>> {
        let t = self
            .0
            .transform(Features::from_flat(x, self.0.n_features_in()))
            .map_err(from_sklearn)?;
        Ok(t.into_raw_vec_and_offset().0)
    }

    /// Per-feature mean.
    pub fn mean(&self) -> &[f64] {
        self.0.mean()
    }

    /// Per-feature population standard deviation (1 for constant columns).
    pub fn scale(&self) -> &[f64] {
        self.0.scale()
    }

    /// The scikit-learn-tier scaler inside.
    pub fn inner(&self) -> &sklearnlike::preprocessing::StandardScaler {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaler_gives_zero_mean_unit_variance() {
        let x = [1.0, 10.0, 3.0, 10.0];
        let s = StandardScaler::fit(&x, 2).unwrap();
        assert_eq!(s.mean(), &[2.0, 10.0]);
        assert_eq!(s.scale(), &[1.0, 1.0]);
        assert_eq!(s.transform(&x).unwrap(), vec![-1.0, 0.0, 1.0, 0.0]);
        assert!(matches!(s.transform(&[1.0]), Err(Error::Shape(_))));
    }

    #[test]
    fn split_errors_keep_their_kind() {
        assert!(matches!(
            train_test_split(10, 1.5, None, 0),
            Err(Error::InvalidArgument(_))
        ));
    }
}
