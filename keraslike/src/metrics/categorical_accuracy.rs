//! How often the most likely class matches a one-hot label
//! (`keras.metrics.CategoricalAccuracy`).
//!
//! ```
//! use keraslike::metrics::{CategoricalAccuracy, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = CategoricalAccuracy::new();
//! let y_true = Tensor::new(&[0.0f32, 0.0, 1.0, 0.0, 1.0, 0.0], &[2, 3])?;
//! let y_pred = Tensor::new(&[0.1f32, 0.9, 0.8, 0.05, 0.95, 0.0], &[2, 3])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert_eq!(m.result(), 0.5);
//! # Ok(()) }
//! ```

use super::config::metric_type;
use super::{impl_mean_metric, value_dtype, Mean};
use crate::{Error, Result};
use tensorlow::Tensor;

/// Per-sample matches (1.0 or 0.0) of `argmax(y_pred)` against
/// `argmax(y_true)` over the last axis (`keras.metrics.categorical_accuracy`).
/// Ties pick the first index, as `argmax` does in Keras.
pub fn categorical_accuracy(y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
    if y_true.shape() != y_pred.shape() || y_pred.rank() < 2 {
        return Err(Error::shape(format!(
            "categorical_accuracy: y_true of shape {:?} must be one-hot with the shape of y_pred {:?} \
             (batch, num_classes); for integer labels use sparse_categorical_accuracy",
            y_true.shape(),
            y_pred.shape()
        )));
    }
    let matches = y_true.argmax(-1)?.equal(&y_pred.argmax(-1)?)?;
    Ok(matches.cast(value_dtype(y_pred))?)
}

metric_type! {
    /// The weighted fraction of samples whose most likely class is the labelled one.
    #[derive(Clone, Debug)]
    CategoricalAccuracy,
    /// The config of [`CategoricalAccuracy`].
    CategoricalAccuracyConfig {
        class: "CategoricalAccuracy",
        name: "categorical_accuracy",
        fields: {},
        state: { mean: Mean = Mean::new() }
    }
}

impl CategoricalAccuracy {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl_mean_metric!(CategoricalAccuracy, |_m, y_true, y_pred| categorical_accuracy(
    y_true, y_pred
));

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (see metrics_ref.py in metrics/auc.rs):
    //   m = keras.metrics.CategoricalAccuracy()
    //   m.update_state([[0,0,1],[0,1,0],[1,0,0]], [[0.1,0.2,0.7],[0.5,0.3,0.2],[0.4,0.4,0.2]],
    //                  sample_weight=[0.5,1.0,2.0]); float(m.result())   # 0.7142857
    // By hand: matches 1, 0, 1 (the tie 0.4/0.4 picks index 0): (0.5 + 2) / 3.5.
    use super::super::testutil::*;
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn weighted_with_a_tie() {
        let mut m = CategoricalAccuracy::new();
        m.update_state(
            &t(&[0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0], &[3, 3]),
            &t(&[0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.4, 0.4, 0.2], &[3, 3]),
            Some(&t(&[0.5, 1.0, 2.0], &[3])),
        )
        .unwrap();
        close(m.result(), 2.5 / 3.5, 1e-9);
        assert!(m
            .update_state(&t(&[2.0], &[1]), &t(&[0.1, 0.2, 0.7], &[1, 3]), None)
            .is_err());
    }
}
