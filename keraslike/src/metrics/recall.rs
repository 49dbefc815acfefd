//! The fraction of positives that are predicted positive
//! (`keras.metrics.Recall`).
//!
//! ```
//! use keraslike::metrics::{Metric, Recall};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = Recall::new();
//! let y_true = Tensor::new(&[0.0f32, 1.0, 1.0, 1.0], &[4])?;
//! let y_pred = Tensor::new(&[1.0f32, 0.0, 1.0, 1.0], &[4])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert!((m.result() - 2.0 / 3.0).abs() < 1e-12);
//! # Ok(()) }
//! ```

use super::config::{metric_common, metric_type};
use super::precision::{check_confusion_options, ConfusionCounts, Thresholds};
use super::Metric;
use crate::Result;
use tensorlow::Tensor;

metric_type! {
    /// `tp / (tp + fn)` over every element seen (binary or multi-label data is
    /// flattened), where an element is predicted positive when
    /// `y_pred > threshold` and is positive when `y_true != 0`; each element
    /// counts with its sample's weight. 0 when there were no positives.
    ///
    /// Keras' single-threshold semantics; its lists of thresholds, `top_k` and
    /// `class_id` are not implemented.
    #[derive(Clone, Debug)]
    Recall,
    /// The config of [`Recall`]. Keras' `thresholds` may be one number (or a
    /// list of one); `None` means 0.5.
    RecallConfig {
        class: "Recall",
        name: "recall",
        fields: {},
        keras_only: {
            /// The threshold above which a prediction counts as positive
            /// (Keras' `thresholds`; `None` = 0.5). Set it with [`Recall::threshold`].
            thresholds: Option<Thresholds> = None,
            /// Keras: only the top-k predictions count. Not implemented: must be `None`.
            top_k: Option<u64> = None,
            /// Keras: only this class counts. Not implemented: must be `None`.
            class_id: Option<u64> = None,
        },
        state: { counts: ConfusionCounts = ConfusionCounts::default() }
    }
}

impl Recall {
    fn check(&self) -> Result<()> {
        check_confusion_options(
            Self::CLASS,
            &self.config.thresholds,
            self.config.top_k,
            self.config.class_id,
        )
    }
    /// Predictions above it count as positive (default 0.5).
    pub fn threshold_value(&self) -> f64 {
        self.config.thresholds.as_ref().map_or(0.5, Thresholds::first)
    }
    /// Sets the threshold (Keras' `thresholds=t`).
    pub fn threshold(mut self, threshold: f64) -> Self {
        self.config.thresholds = Some(Thresholds::One(threshold));
        self
    }
    /// The weighted true positives so far.
    pub fn true_positives(&self) -> f64 {
        self.counts.read().0
    }
    /// The weighted false negatives so far.
    pub fn false_negatives(&self) -> f64 {
        let (tp, positives) = self.counts.read();
        positives - tp
    }
}

impl Metric for Recall {
    metric_common!();
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let data = (y_true, y_pred, sample_weight);
        self.counts.add(&self.config.name, data, self.threshold_value(), false)
    }
    fn result(&self) -> f64 {
        self.counts.ratio()
    }
    fn reset_state(&mut self) {
        self.counts.reset();
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (see metrics_ref.py in metrics/auc.rs):
    //   m = keras.metrics.Recall()
    //   m.update_state([[0,1],[1,1],[1,0]], [[0.7,0.6],[0.5,0.9],[0.8,0.2]], sample_weight=[1,2,0.5])
    //   m.update_state([1,0,0], [[0.3],[0.9],[0.4]]); float(m.result())   # 0.5384616
    // By hand: positives (0,1) w1 caught, (1,0) w2 missed (0.5 is not > 0.5), (1,1) w2 caught,
    //   (2,0) w0.5 caught, then (0) w1 missed: tp = 3.5, fn = 3 -> 3.5 / 6.5
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn weighted_recall() {
        let mut m = Recall::new();
        m.update_state(
            &t(&[0.0, 1.0, 1.0, 1.0, 1.0, 0.0], &[3, 2]),
            &t(&[0.7, 0.6, 0.5, 0.9, 0.8, 0.2], &[3, 2]),
            Some(&t(&[1.0, 2.0, 0.5], &[3])),
        )
        .unwrap();
        m.update_state(&t(&[1.0, 0.0, 0.0], &[3]), &t(&[0.3, 0.9, 0.4], &[3, 1]), None)
            .unwrap();
        assert_eq!((m.true_positives(), m.false_negatives()), (3.5, 3.0));
        close(m.result(), 3.5 / 6.5, 1e-12);
    }
}
