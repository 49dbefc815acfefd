//! How often the labelled class is among the `k` most likely ones
//! (`keras.metrics.TopKCategoricalAccuracy`).
//!
//! ```
//! use keraslike::metrics::{Metric, TopKCategoricalAccuracy};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = TopKCategoricalAccuracy::new().k(1);
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

/// Per-sample 1.0/0.0: whether class `labels[i]` (int64) is among the `k`
/// largest scores of `y_pred[i]`, with TensorFlow's `in_top_k` tie rule
/// (tied scores straddling the boundary all count as in the top `k`): the
/// label is in when fewer than `k` scores are strictly larger than its own.
/// Labels outside the classes are never in. No sort is needed.
pub(crate) fn in_top_k(labels: &Tensor, y_pred: &Tensor, k: usize) -> Result<Tensor> {
    let dtype = value_dtype(y_pred);
    let y_pred = y_pred.cast(dtype)?;
    let classes = y_pred.shape()[y_pred.rank() - 1];
    let one_hot = labels.one_hot(classes, dtype)?;
    let own = y_pred.mul(&one_hot)?.sum(&[-1], true)?;
    let valid = one_hot.sum(&[-1], false)?;
    let larger = y_pred.greater(&own)?.cast(dtype)?.sum(&[-1], false)?;
    let inside = larger.less(&larger.scalar_like(k as f64)?)?.cast(dtype)?;
    Ok(inside.mul(&valid)?)
}

/// Per-sample matches (1.0 or 0.0): whether `argmax(y_true)` is among the
/// `k` highest scores of `y_pred` (`keras.metrics.top_k_categorical_accuracy`).
pub fn top_k_categorical_accuracy(y_true: &Tensor, y_pred: &Tensor, k: usize) -> Result<Tensor> {
    if y_true.shape() != y_pred.shape() || y_pred.rank() < 2 {
        return Err(Error::shape(format!(
            "top_k_categorical_accuracy: y_true of shape {:?} must be one-hot with the shape of y_pred {:?}; \
             for integer labels use sparse_top_k_categorical_accuracy",
            y_true.shape(),
            y_pred.shape()
        )));
    }
    in_top_k(&y_true.argmax(-1)?, y_pred, k)
}

metric_type! {
    /// The weighted fraction of samples whose labelled class is among the `k`
    /// most likely.
    #[derive(Clone, Debug)]
    TopKCategoricalAccuracy,
    /// The config of [`TopKCategoricalAccuracy`].
    TopKCategoricalAccuracyConfig {
        class: "TopKCategoricalAccuracy",
        name: "top_k_categorical_accuracy",
        fields: {
            /// How many of the top classes count (default 5, must be >= 1).
            k: usize = 5,
        },
        state: { mean: Mean = Mean::new() }
    }
}

impl TopKCategoricalAccuracy {
    fn check(&self) -> Result<()> {
        if self.config.k == 0 {
            return Err(crate::Error::arg("TopKCategoricalAccuracy: k must be >= 1, got 0"));
        }
        Ok(())
    }
}

impl_mean_metric!(TopKCategoricalAccuracy, |m, y_true, y_pred| top_k_categorical_accuracy(
    y_true, y_pred, m.config.k
));

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (see metrics_ref.py in metrics/auc.rs):
    //   m = keras.metrics.TopKCategoricalAccuracy(k=2)
    //   m.update_state([[0,0,1,0],[0,1,0,0],[1,0,0,0]],
    //                  [[0.1,0.2,0.3,0.4],[0.5,0.1,0.3,0.1],[0.4,0.4,0.4,0.1]], sample_weight=[1,2,3])
    //   float(m.result())   # 0.6666667
    // By hand: class 2 is 2nd (in), class 1 is tied 3rd-4th (out), class 0 tied with two
    // others at the top (in, TF's tie rule): (1 + 3) / 6.
    use super::super::testutil::*;
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn weighted_with_ties() {
        let mut m = TopKCategoricalAccuracy::new().k(2);
        m.update_state(
            &t(&[0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], &[3, 4]),
            &t(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.1, 0.3, 0.1, 0.4, 0.4, 0.4, 0.1], &[3, 4]),
            Some(&t(&[1.0, 2.0, 3.0], &[3])),
        )
        .unwrap();
        close(m.result(), 4.0 / 6.0, 1e-9);
        // k = 5 (the default) with 4 classes: always in.
        let mut m = TopKCategoricalAccuracy::new();
        m.update_state(
            &t(&[0.0, 1.0, 0.0, 0.0], &[1, 4]),
            &t(&[0.4, 0.1, 0.2, 0.3], &[1, 4]),
            None,
        )
        .unwrap();
        assert_eq!(m.result(), 1.0);
    }
}
