//! Feature scaling and encoding (`sklearn.preprocessing`):
//! [`StandardScaler`], [`MinMaxScaler`], [`OneHotEncoder`] (with unknown-
//! category handling) and [`LabelEncoder`], each with scikit-learn's
//! `fit` / `transform` / `fit_transform` / `inverse_transform` and
//! semantics (population standard deviation, constant columns, NaN as
//! missing in the scalers). The scalers and the `f64` one-hot encoder are
//! [`Transformer`](crate::base::Transformer)s, usable in a
//! [`Pipeline`](crate::pipeline::Pipeline).
//!
//! ```
//! use ndarray::array;
//! use sklearnlike::preprocessing::{MinMaxScaler, StandardScaler};
//! # fn main() -> sklearnlike::Result<()> {
//! let x = array![[0.0, 7.0], [10.0, 7.0]];
//! assert_eq!(MinMaxScaler::new().fit_transform(&x)?, array![[0.0, 0.0], [1.0, 0.0]]);
//! assert_eq!(StandardScaler::new().fit_transform(&x)?, array![[-1.0, 0.0], [1.0, 0.0]]);
//! # Ok(()) }
//! ```

mod label_encoder;
mod min_max_scaler;
mod one_hot_encoder;
mod standard_scaler;

pub use label_encoder::LabelEncoder;
pub use min_max_scaler::MinMaxScaler;
pub use one_hot_encoder::{Category, HandleUnknown, OneHotDrop, OneHotEncoder};
pub use standard_scaler::StandardScaler;

use crate::{Error, Result};
use ndarray::ArrayView2;

/// The fitted state, or scikit-learn's `NotFittedError`.
pub(crate) fn fitted<'a, T>(state: Option<&'a T>, what: &str) -> Result<&'a T> {
    state.ok_or_else(|| {
        Error::NotFitted(format!(
            "This {what} instance is not fitted yet. Call 'fit' with appropriate arguments before using this estimator."
        ))
    })
}

/// `X` must have as many columns as `fit` saw.
pub(crate) fn check_columns(got: usize, want: usize, what: &str) -> Result<()> {
    if got != want {
        return Err(Error::shape(format!(
            "X has {got} features, but {what} is expecting {want} features as input"
        )));
    }
    Ok(())
}

/// Infinity is an error (NaN is allowed: missing values), naming the cell.
pub(crate) fn check_no_inf(x: &ArrayView2<'_, f64>, what: &str) -> Result<()> {
    if let Some(((r, c), v)) = x.indexed_iter().find(|(_, v)| v.is_infinite()) {
        return Err(Error::data(format!(
            "{what}: X contains an infinite value ({v}) at row {r}, column {c}"
        )));
    }
    Ok(())
}
