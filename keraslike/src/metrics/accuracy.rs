//! `"accuracy"` decided by the shapes of the data, as Keras 3's `compile`
//! does when it resolves the string.
//!
//! ```
//! use keraslike::metrics::{Accuracy, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = Accuracy::new();
//! // (batch,) labels against (batch, 3) scores: sparse categorical accuracy.
//! let y_true = Tensor::new(&[2.0f32, 0.0], &[2])?;
//! let y_pred = Tensor::new(&[0.1f32, 0.2, 0.7, 0.3, 0.6, 0.1], &[2, 3])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert_eq!(m.result(), 0.5);
//! # Ok(()) }
//! ```

use super::config::{metric_common, metric_type};
use super::{binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, Mean};
use crate::Result;
use tensorlow::Tensor;

/// Which accuracy the shapes called for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Binary,
    Sparse,
    Categorical,
}

/// Keras 3's `is_binary_or_sparse_categorical`: binary when `y_pred`'s last
/// dimension is 1 (or `y_pred` is rank 1: one score per sample); sparse when
/// `y_true` has lower rank than `y_pred`, or ends in 1 while `y_pred` ends in
/// more; categorical otherwise.
pub(crate) fn kind_for(y_true: &Tensor, y_pred: &Tensor) -> Kind {
    let p_last = y_pred.shape().last().copied().unwrap_or(1);
    let t_last = y_true.shape().last().copied().unwrap_or(1);
    if y_pred.rank() <= 1 || p_last == 1 {
        Kind::Binary
    } else if y_true.rank() < y_pred.rank() || (t_last == 1 && p_last > 1) {
        Kind::Sparse
    } else {
        Kind::Categorical
    }
}

metric_type! {
    /// Accuracy that picks binary (threshold 0.5), sparse categorical or
    /// categorical accuracy from the shapes of the first batch it sees, and
    /// keeps that choice (Keras builds its metric once, on the first batch).
    ///
    /// This is what `metrics::get("accuracy", loss)` returns for losses other
    /// than the three cross-entropies; it is *not* `keras.metrics.Accuracy`
    /// (exact equality), which Keras' `compile` never picks for `"accuracy"`.
    /// So it serializes as the string `"accuracy"` (what Keras' compile
    /// config holds) when named `accuracy`/`acc`, and otherwise as the
    /// keraslike class `"keraslike>Accuracy"`, which Keras refuses rather
    /// than loading a different metric.
    #[derive(Clone, Debug)]
    Accuracy,
    /// The config of [`Accuracy`].
    AccuracyConfig {
        class: "Accuracy",
        name: "accuracy",
        fields: {},
        state: { kind: Option<Kind> = None, mean: Mean = Mean::new() }
    }
}

impl Accuracy {
    fn check(&self) -> Result<()> {
        Ok(())
    }

    /// The matches of this batch, fixing the kind on the first call.
    fn matches(&mut self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        let kind = *self.kind.get_or_insert_with(|| kind_for(y_true, y_pred));
        tensorlow::no_grad(|| match kind {
            Kind::Binary => binary_accuracy(y_true, y_pred, 0.5),
            Kind::Sparse => sparse_categorical_accuracy(y_true, y_pred),
            Kind::Categorical => categorical_accuracy(y_true, y_pred),
        })
    }
}

impl super::Metric for Accuracy {
    metric_common!();
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let values = self.matches(y_true, y_pred)?;
        self.mean.update(&values, sample_weight)
    }
    fn result(&self) -> f64 {
        self.mean.result()
    }
    /// Clears the running mean; the kind chosen by the first batch stays.
    fn reset_state(&mut self) {
        self.mean.reset()
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn kind_by_shape() {
        let k = |yt: &[usize], yp: &[usize]| {
            kind_for(
                &t(&vec![0.0; yt.iter().product()], yt),
                &t(&vec![0.0; yp.iter().product()], yp),
            )
        };
        assert_eq!(k(&[4, 1], &[4, 1]), Kind::Binary);
        assert_eq!(k(&[4], &[4, 1]), Kind::Binary);
        assert_eq!(k(&[4], &[4]), Kind::Binary);
        assert_eq!(k(&[4], &[4, 3]), Kind::Sparse);
        assert_eq!(k(&[4, 1], &[4, 3]), Kind::Sparse);
        assert_eq!(k(&[4, 3], &[4, 3]), Kind::Categorical);
        assert_eq!(k(&[4, 5], &[4, 5, 3]), Kind::Sparse);
    }
}
