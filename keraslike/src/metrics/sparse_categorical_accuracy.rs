//! How often the most likely class matches an integer label
//! (`keras.metrics.SparseCategoricalAccuracy`).
//!
//! ```
//! use keraslike::metrics::{Metric, SparseCategoricalAccuracy};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = SparseCategoricalAccuracy::new();
//! let y_true = Tensor::new(&[2u32, 1], &[2])?;
//! let y_pred = Tensor::new(&[0.1f32, 0.6, 0.3, 0.05, 0.95, 0.0], &[2, 3])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert_eq!(m.result(), 0.5);
//! # Ok(()) }
//! ```

use super::config::metric_type;
use super::{impl_mean_metric, value_dtype, Mean};
use crate::{Error, Result};
use tensorlow::Tensor;

/// Per-sample matches (1.0 or 0.0) of `argmax(y_pred)` against integer
/// labels of shape `(batch,)` or `(batch, 1)`, integer or float
/// (`keras.metrics.sparse_categorical_accuracy`). Labels are compared as
/// floats, like Keras, so a label outside the classes simply never matches.
pub fn sparse_categorical_accuracy(y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
    let labels = sparse_label_values("sparse_categorical_accuracy", y_true, y_pred)?;
    let dtype = value_dtype(y_pred);
    let predicted = y_pred.argmax(-1)?.cast(dtype)?;
    Ok(predicted.equal(&labels.cast(dtype)?)?.cast(dtype)?)
}

/// Labels of shape `y_pred.shape[..-1]` (a trailing size-1 axis squeezed),
/// with their own dtype.
pub(crate) fn sparse_label_values(metric: &str, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
    let r = y_pred.rank();
    let labels = if r >= 2 && y_true.rank() == r && y_true.shape()[r - 1] == 1 {
        y_true.squeeze(&[-1])?
    } else {
        y_true.clone()
    };
    if r < 2 || labels.shape() != &y_pred.shape()[..r - 1] {
        return Err(Error::shape(format!(
            "{metric}: labels of shape {:?} must have the shape of y_pred {:?} without its last (class) axis \
             (or with a trailing 1); for one-hot labels use the non-sparse metric",
            y_true.shape(),
            y_pred.shape()
        )));
    }
    Ok(labels)
}

metric_type! {
    /// The weighted fraction of samples whose most likely class is the label.
    #[derive(Clone, Debug)]
    SparseCategoricalAccuracy,
    /// The config of [`SparseCategoricalAccuracy`].
    SparseCategoricalAccuracyConfig {
        class: "SparseCategoricalAccuracy",
        name: "sparse_categorical_accuracy",
        fields: {},
        state: { mean: Mean = Mean::new() }
    }
}

impl SparseCategoricalAccuracy {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl_mean_metric!(SparseCategoricalAccuracy, |_m, y_true, y_pred| {
    sparse_categorical_accuracy(y_true, y_pred)
});

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (see metrics_ref.py in metrics/auc.rs):
    //   m = keras.metrics.SparseCategoricalAccuracy()
    //   m.update_state([[2],[0],[0]], [[0.1,0.2,0.7],[0.5,0.3,0.2],[0.4,0.4,0.2]], sample_weight=[0.5,1,2])
    //   m.update_state([1, 2], [[0.1,0.8,0.1],[0.9,0.05,0.05]]); float(m.result())  # 0.8181818
    // By hand: matches 1, 1, 1 then 1, 0: (0.5 + 1 + 2 + 1 + 0) / 5.5.
    use super::super::testutil::*;
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn weighted_over_label_forms() {
        let mut m = SparseCategoricalAccuracy::new();
        m.update_state(
            &t(&[2.0, 0.0, 0.0], &[3, 1]),
            &t(&[0.1, 0.2, 0.7, 0.5, 0.3, 0.2, 0.4, 0.4, 0.2], &[3, 3]),
            Some(&t(&[0.5, 1.0, 2.0], &[3])),
        )
        .unwrap();
        let labels = Tensor::new(&[1u32, 2], &[2]).unwrap();
        m.update_state(&labels, &t(&[0.1, 0.8, 0.1, 0.9, 0.05, 0.05], &[2, 3]), None)
            .unwrap();
        close(m.result(), 4.5 / 5.5, 1e-9);
        assert!(m
            .update_state(&t(&[1.0, 2.0], &[1, 2]), &t(&[0.1, 0.8, 0.1], &[1, 3]), None)
            .is_err());
    }
}
