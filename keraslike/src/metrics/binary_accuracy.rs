//! How often thresholded predictions match binary labels
//! (`keras.metrics.BinaryAccuracy`).
//!
//! ```
//! use keraslike::metrics::{BinaryAccuracy, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = BinaryAccuracy::new();
//! let y_true = Tensor::new(&[1.0f32, 1.0, 0.0, 0.0], &[4, 1])?;
//! let y_pred = Tensor::new(&[0.98f32, 1.0, 0.0, 0.6], &[4, 1])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert_eq!(m.result(), 0.75);
//! # Ok(()) }
//! ```

use super::config::metric_type;
use super::{align_pair, impl_mean_metric, Mean};
use crate::Result;
use tensorlow::Tensor;

/// Per-element matches (1.0 or 0.0) of `y_pred > threshold` against 0/1
/// labels (`keras.metrics.binary_accuracy`). `y_true` of shape `(batch,)`
/// against `y_pred` of shape `(batch, 1)` is fine.
pub fn binary_accuracy(y_true: &Tensor, y_pred: &Tensor, threshold: f64) -> Result<Tensor> {
    let (yt, yp) = align_pair("binary_accuracy", y_true, y_pred)?;
    let predicted = yp.greater(&yp.scalar_like(threshold)?)?.cast(yp.dtype())?;
    Ok(predicted.equal(&yt)?.cast(yp.dtype())?)
}

metric_type! {
    /// The weighted fraction of elements where `y_pred > threshold` equals the
    /// label; a sample's elements are averaged first, so each sample counts once.
    #[derive(Clone, Debug)]
    BinaryAccuracy,
    /// The config of [`BinaryAccuracy`].
    BinaryAccuracyConfig {
        class: "BinaryAccuracy",
        name: "binary_accuracy",
        fields: {
            /// Predictions above it count as 1 (default 0.5).
            threshold: f64 = 0.5,
        },
        state: { mean: Mean = Mean::new() }
    }
}

impl BinaryAccuracy {
    fn check(&self) -> Result<()> {
        let t = self.config.threshold;
        if !t.is_finite() {
            return Err(crate::Error::arg(format!(
                "BinaryAccuracy: threshold must be a finite number, got {t}"
            )));
        }
        Ok(())
    }
}

impl_mean_metric!(BinaryAccuracy, |m, y_true, y_pred| binary_accuracy(
    y_true,
    y_pred,
    m.config.threshold
));

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (see metrics_ref.py in metrics/auc.rs):
    //   m = keras.metrics.BinaryAccuracy()
    //   m.update_state([[1,0],[1,1],[0,0]], [[0.7,0.2],[0.4,0.9],[0.5,0.6]], sample_weight=[1,2,0.5])
    //   m.update_state([1,0], [[0.2],[0.1]]); float(m.result())   # 0.5909091
    // By hand: per-sample 1, 0.5, 0.5 (0.5 is not > 0.5), then 0, 1:
    //   (1 + 2 * 0.5 + 0.5 * 0.5 + 0 + 1) / (1 + 2 + 0.5 + 1 + 1) = 3.25 / 5.5
    use super::super::testutil::*;
    use super::*;
    use crate::metrics::Metric;

    #[test]
    fn weighted_binary_accuracy() {
        let mut m = BinaryAccuracy::new();
        m.update_state(
            &t(&[1.0, 0.0, 1.0, 1.0, 0.0, 0.0], &[3, 2]),
            &t(&[0.7, 0.2, 0.4, 0.9, 0.5, 0.6], &[3, 2]),
            Some(&t(&[1.0, 2.0, 0.5], &[3])),
        )
        .unwrap();
        m.update_state(&t(&[1.0, 0.0], &[2]), &t(&[0.2, 0.1], &[2, 1]), None)
            .unwrap();
        close(m.result(), 3.25 / 5.5, 1e-9);
        let mut m = BinaryAccuracy::new().threshold(0.15);
        m.update_state(&t(&[1.0, 0.0], &[2]), &t(&[0.2, 0.1], &[2, 1]), None)
            .unwrap();
        close(m.result(), 1.0, 1e-12);
    }
}
