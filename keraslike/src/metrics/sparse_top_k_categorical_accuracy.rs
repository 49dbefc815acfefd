//! How often the integer label is among the `k` most likely classes
//! (`keras.metrics.SparseTopKCategoricalAccuracy`).
//!
//! ```
//! use keraslike::metrics::{Metric, SparseTopKCategoricalAccuracy};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = SparseTopKCategoricalAccuracy::new().k(1);
//! let y_true = Tensor::new(&[2u32, 1], &[2])?;
//! let y_pred = Tensor::new(&[0.1f32, 0.9, 0.8, 0.05, 0.95, 0.0], &[2, 3])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert_eq!(m.result(), 0.5);
//! # Ok(()) }
//! ```

use super::config::metric_type;
use super::sparse_categorical_accuracy::sparse_label_values;
use super::top_k_categorical_accuracy::in_top_k;
use super::{impl_mean_metric, Mean};
use crate::Result;
use tensorlow::{DType, Tensor};

/// Per-sample matches (1.0 or 0.0): whether the integer label (shape
/// `(batch,)` or `(batch, 1)`, integer or float) is among the `k` highest
/// scores of `y_pred`, with TensorFlow's `in_top_k` tie rule
/// (`keras.metrics.sparse_top_k_categorical_accuracy`).
pub fn sparse_top_k_categorical_accuracy(y_true: &Tensor, y_pred: &Tensor, k: usize) -> Result<Tensor> {
    let labels = sparse_label_values("sparse_top_k_categorical_accuracy", y_true, y_pred)?;
    in_top_k(&labels.cast(DType::I64)?, y_pred, k)
}

metric_type! {
    /// The weighted fraction of samples whose label is among the `k` most likely classes.
    #[derive(Clone, Debug)]
    SparseTopKCategoricalAccuracy,
    /// The config of [`SparseTopKCategoricalAccuracy`].
    SparseTopKCategoricalAccuracyConfig {
        class: "SparseTopKCategoricalAccuracy",
        name: "sparse_top_k_categorical_accuracy",
        fields: {
            /// How many of the top classes count (default 5, must be >= 1).
            k: usize = 5,
        },
        state: { mean: Mean = Mean::new() }
    }
}

impl SparseTopKCategoricalAccuracy {
    fn check(&self) -> Result<()> {
        if self.config.k == 0 {
            return Err(crate::Error::arg(
                "SparseTopKCategoricalAccuracy: k must be >= 1, got 0",
            ));
        }
        Ok(())
    }
}

impl_mean_metric!(SparseTopKCategoricalAccuracy, |m, y_true, y_pred| {
    sparse_top_k_categorical_accuracy(y_true, y_pred, m.config.k)
});

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (see metrics_ref.py in metrics/auc.rs):
    //   m = keras.metrics.SparseTopKCategoricalAccuracy(k=2)
    //   m.update_state([2, 1, 0], [[0.1,0.2,0.3,0.4],[0.5,0.1,0.3,0.1],[0.4,0.4,0.4,0.1]],
    //                  sample_weight=[1,2,3]); float(m.result())   # 0.6666667
    use super::super::testutil::*;
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn weighted_with_ties_and_label_forms() {
        let preds = t(&[0.1, 0.2, 0.3, 0.4, 0.5, 0.1, 0.3, 0.1, 0.4, 0.4, 0.4, 0.1], &[3, 4]);
        let w = t(&[1.0, 2.0, 3.0], &[3]);
        for labels in [t(&[2.0, 1.0, 0.0], &[3]), Tensor::new(&[2i64, 1, 0], &[3, 1]).unwrap()] {
            let mut m = SparseTopKCategoricalAccuracy::new().k(2);
            m.update_state(&labels, &preds, Some(&w)).unwrap();
            close(m.result(), 4.0 / 6.0, 1e-9);
        }
        // A label outside the classes is never in the top k.
        let mut m = SparseTopKCategoricalAccuracy::new();
        m.update_state(&t(&[7.0], &[1]), &t(&[0.4, 0.6], &[1, 2]), None)
            .unwrap();
        assert_eq!(m.result(), 0.0);
    }
}
