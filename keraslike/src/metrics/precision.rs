//! The fraction of predicted positives that are positive
//! (`keras.metrics.Precision`).
//!
//! ```
//! use keraslike::metrics::{Metric, Precision};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = Precision::new();
//! let y_true = Tensor::new(&[0.0f32, 1.0, 1.0, 1.0], &[4])?;
//! let y_pred = Tensor::new(&[1.0f32, 0.0, 1.0, 1.0], &[4])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert!((m.result() - 2.0 / 3.0).abs() < 1e-12);
//! # Ok(()) }
//! ```

use super::config::{metric_common, metric_type};
use super::{align_pair, weight_like, Metric};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use tensorlow::{DType, Tensor};

/// Keras' `thresholds` argument of [`Precision`] and
/// [`Recall`](super::Recall): one number or a list (only a list of one is
/// supported).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Thresholds {
    /// One threshold.
    One(f64),
    /// Keras' list form.
    Many(Vec<f64>),
}

impl Thresholds {
    /// The (first) threshold.
    pub fn first(&self) -> f64 {
        match self {
            Thresholds::One(t) => *t,
            Thresholds::Many(v) => v.first().copied().unwrap_or(0.5),
        }
    }
}

/// Checks the options of a confusion metric (one finite threshold; no
/// `top_k` or `class_id`).
pub(crate) fn check_confusion_options(
    class: &str,
    thresholds: &Option<Thresholds>,
    top_k: Option<u64>,
    class_id: Option<u64>,
) -> Result<()> {
    match thresholds {
        Some(Thresholds::Many(v)) if v.len() != 1 => {
            return Err(Error::arg(format!(
                "{class}: thresholds={v:?}: only a single threshold is supported; make one metric per threshold"
            )))
        }
        Some(t) if !t.first().is_finite() => {
            return Err(Error::arg(format!(
                "{class}: the threshold must be a finite number, got {}",
                t.first()
            )))
        }
        _ => {}
    }
    if let Some(k) = top_k {
        return Err(Error::arg(format!(
            "{class}: top_k={k} is not supported by keraslike; remove it"
        )));
    }
    if let Some(c) = class_id {
        return Err(Error::arg(format!(
            "{class}: class_id={c} is not supported by keraslike; slice y_pred to that class instead"
        )));
    }
    Ok(())
}

metric_type! {
    /// `tp / (tp + fp)` over every element seen (binary or multi-label data is
    /// flattened), where an element is predicted positive when
    /// `y_pred > threshold` and is positive when `y_true != 0`; each element
    /// counts with its sample's weight. 0 when nothing was predicted positive
    /// (Keras' `divide_no_nan`).
    ///
    /// Keras' single-threshold semantics; its lists of thresholds, `top_k` and
    /// `class_id` are not implemented.
    #[derive(Clone, Debug)]
    Precision,
    /// The config of [`Precision`]. Keras' `thresholds` may be one number (or a
    /// list of one); `None` means 0.5.
    PrecisionConfig {
        class: "Precision",
        name: "precision",
        fields: {},
        keras_only: {
            /// The threshold above which a prediction counts as positive
            /// (Keras' `thresholds`; `None` = 0.5). Set it with [`Precision::threshold`].
            thresholds: Option<Thresholds> = None,
            /// Keras: only the top-k predictions count. Not implemented: must be `None`.
            top_k: Option<u64> = None,
            /// Keras: only this class counts. Not implemented: must be `None`.
            class_id: Option<u64> = None,
        },
        state: { counts: ConfusionCounts = ConfusionCounts::default() }
    }
}

impl Precision {
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
    /// The weighted false positives so far.
    pub fn false_positives(&self) -> f64 {
        let (tp, predicted) = self.counts.read();
        predicted - tp
    }
}

/// The running `[weighted true positives, weighted count of the selected
/// elements]` of a confusion metric: `selected` is the predicted positives
/// for precision, the actual positives for recall. Shared with
/// [`Recall`](super::Recall). The sums stay on the data's device (f64) and
/// are read only when a result is asked for, so `fit` on a GPU never waits
/// for them inside a training step.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConfusionCounts(Option<Tensor>);

impl ConfusionCounts {
    /// Adds one batch.
    pub fn add(
        &mut self,
        metric: &str,
        (y_true, y_pred, sample_weight): (&Tensor, &Tensor, Option<&Tensor>),
        threshold: f64,
        select_predicted: bool,
    ) -> Result<()> {
        let batch = tensorlow::no_grad(|| -> Result<Tensor> {
            let (yt, yp) = align_pair(metric, y_true, y_pred)?;
            let predicted = yp.greater(&yp.scalar_like(threshold)?)?.cast(yp.dtype())?;
            let actual = yt.not_equal(&yt.scalar_like(0.0)?)?.cast(yp.dtype())?;
            let (mut selected, other) = if select_predicted {
                (predicted, actual)
            } else {
                (actual, predicted)
            };
            if let Some(w) = sample_weight {
                selected = selected.mul(&weight_like(metric, w, &yp)?)?;
            }
            let tp = selected.mul(&other)?.sum_all()?;
            Ok(Tensor::stack(&[&tp, &selected.sum_all()?], 0)?.cast(DType::F64)?)
        })?;
        self.0 = Some(match self.0.take() {
            Some(c) => c.add(&batch)?,
            None => batch,
        });
        Ok(())
    }

    /// `(true positives, selected)`: zeros before any data, NaN if the
    /// device read fails.
    pub fn read(&self) -> (f64, f64) {
        match &self.0 {
            None => (0.0, 0.0),
            Some(c) => match c.to_vec::<f64>() {
                Ok(v) => (v[0], v[1]),
                Err(_) => (f64::NAN, f64::NAN),
            },
        }
    }

    /// `tp / selected`, 0 when nothing was selected (Keras' `divide_no_nan`).
    pub fn ratio(&self) -> f64 {
        let (tp, selected) = self.read();
        if selected == 0.0 {
            0.0
        } else {
            tp / selected
        }
    }

    /// Forgets every batch.
    pub fn reset(&mut self) {
        self.0 = None;
    }
}

impl Metric for Precision {
    metric_common!();
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let data = (y_true, y_pred, sample_weight);
        self.counts.add(&self.config.name, data, self.threshold_value(), true)
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
    //   m = keras.metrics.Precision()
    //   m.update_state([[0,1],[1,1],[1,0]], [[0.7,0.6],[0.5,0.9],[0.8,0.2]], sample_weight=[1,2,0.5])
    //   m.update_state([1,0,0], [[0.3],[0.9],[0.4]]); float(m.result())   # 0.6363636
    // By hand: predicted positive (> 0.5): (0,0) no-label w1, (0,1) label w1, (1,1) label w2,
    //   (2,0) label w0.5, then (1) no-label w1: tp = 1 + 2 + 0.5 = 3.5, fp = 1 + 1 = 2 -> 3.5 / 5.5
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn weighted_precision() {
        let mut m = Precision::new();
        assert_eq!(m.result(), 0.0);
        m.update_state(
            &t(&[0.0, 1.0, 1.0, 1.0, 1.0, 0.0], &[3, 2]),
            &t(&[0.7, 0.6, 0.5, 0.9, 0.8, 0.2], &[3, 2]),
            Some(&t(&[1.0, 2.0, 0.5], &[3])),
        )
        .unwrap();
        m.update_state(&t(&[1.0, 0.0, 0.0], &[3]), &t(&[0.3, 0.9, 0.4], &[3, 1]), None)
            .unwrap();
        assert_eq!((m.true_positives(), m.false_positives()), (3.5, 2.0));
        close(m.result(), 3.5 / 5.5, 1e-12);
        m.reset_state();
        assert_eq!(m.result(), 0.0);
    }
}
