//! Area under the ROC curve, from confusion counts at fixed thresholds
//! (`keras.metrics.AUC` with its defaults).
//!
//! ```
//! use keraslike::metrics::{Metric, AUC};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = AUC::new();
//! let y_true = Tensor::new(&[0.0f32, 0.0, 1.0, 1.0], &[4])?;
//! let y_pred = Tensor::new(&[0.0f32, 0.5, 0.3, 0.9], &[4])?;
//! m.update_state(&y_true, &y_pred, None)?;
//! assert!((m.result() - 0.75).abs() < 1e-6); // Keras' documented example
//! # Ok(()) }
//! ```

use super::config::{metric_common, metric_type};
use super::{align_pair, weight_like, Metric};
use crate::losses::EPSILON;
use crate::{Error, Result};
use tensorlow::{DType, Tensor};

metric_type! {
    /// ROC AUC approximated like Keras' default `AUC()`: `curve='ROC'`,
    /// `summation_method='interpolation'`, `num_thresholds=200`,
    /// `multi_label=False`.
    ///
    /// - **Thresholds**: `-ε, 1/(n-1), 2/(n-1), ..., (n-2)/(n-1), 1+ε` with
    ///   `ε = 1e-7`; an element is predicted positive at threshold `t` when
    ///   `y_pred > t`. Predictions are expected in `[0, 1]`.
    /// - **Counts**: for each threshold the weighted true and false positives;
    ///   label `y` counts `y * w` as positive and `(1 - y) * w` as negative (soft
    ///   labels allowed, as in Keras' bucketed update). Multi-dimensional data is
    ///   flattened (each element is one example with its sample's weight).
    /// - **Result**: with `TPR = TP/P` and `FPR = FP/N` at each threshold, the
    ///   trapezoid sum `Σ (FPR[i] - FPR[i+1]) (TPR[i] + TPR[i+1]) / 2`. For ROC
    ///   this is exactly Keras' "interpolation" (Keras only interpolates
    ///   differently for the PR curve, not implemented here).
    ///
    /// Each batch costs one `(2, N) x (N, n)` matmul on the device and adds the
    /// counts into a device tensor; nothing is read back until
    /// [`result`](Metric::result).
    AUC,
    /// The config of [`AUC`]: Keras' options, of which keraslike implements
    /// `num_thresholds` and `from_logits` (the others only at their defaults).
    AUCConfig {
        class: "AUC",
        name: "auc",
        fields: {
            /// Apply a sigmoid to `y_pred` first (default false).
            from_logits: bool = false,
        },
        keras_only: {
            /// The number of thresholds, > 1 (default 200). Set it with [`AUC::num_thresholds`].
            num_thresholds: usize = 200,
            /// Keras' curve; only `"ROC"` (the default) is implemented.
            curve: String = "ROC".to_string(),
            /// Keras' summation; only `"interpolation"` (the default) is implemented.
            summation_method: String = "interpolation".to_string(),
            /// Keras: explicit thresholds. Not implemented: must be `None`.
            thresholds: Option<Vec<f64>> = None,
            /// Keras: one curve per label. Not implemented: must be false.
            multi_label: bool = false,
            /// Keras: the number of labels (multi-label only). Must be `None`.
            num_labels: Option<u64> = None,
            /// Keras: per-label weights (multi-label only). Must be `None`.
            label_weights: Option<Vec<f64>> = None,
        },
        state: {
            thresholds_t: Option<Tensor> = None,
            counts: Option<Tensor> = None,
        }
    }
}

/// Weighted true and false positives per threshold, and the total positive
/// and negative weight.
struct Counts {
    tp: Vec<f64>,
    fp: Vec<f64>,
    positives: f64,
    negatives: f64,
}

impl std::fmt::Debug for AUC {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AUC")
            .field("config", &self.config)
            .field("result", &self.result())
            .finish()
    }
}

impl AUC {
    fn check(&self) -> Result<()> {
        let c = &self.config;
        let unsupported = |what: String| {
            Err(Error::arg(format!(
                "AUC: {what} is not supported by keraslike; remove it"
            )))
        };
        if c.num_thresholds < 2 {
            return Err(Error::arg(format!(
                "AUC: num_thresholds must be > 1, got {}",
                c.num_thresholds
            )));
        }
        if c.curve != "ROC" {
            return unsupported(format!("curve={:?} (only \"ROC\")", c.curve));
        }
        if c.summation_method != "interpolation" {
            return unsupported(format!(
                "summation_method={:?} (only \"interpolation\")",
                c.summation_method
            ));
        }
        if let Some(t) = &c.thresholds {
            return unsupported(format!("thresholds={t:?} (use num_thresholds)"));
        }
        if c.multi_label {
            return unsupported("multi_label=true".into());
        }
        if let Some(n) = c.num_labels {
            return unsupported(format!("num_labels={n}"));
        }
        if let Some(w) = &c.label_weights {
            return unsupported(format!("label_weights={w:?}"));
        }
        Ok(())
    }

    /// Sets the number of thresholds (more is finer; must be > 1). Clears the state.
    pub fn num_thresholds(mut self, n: usize) -> Self {
        self.config.num_thresholds = n;
        self.thresholds_t = None;
        self.counts = None;
        self
    }

    /// Keras' threshold list.
    fn threshold_values(&self) -> Vec<f64> {
        let n = self.config.num_thresholds;
        let mut v = Vec::with_capacity(n);
        v.push(-EPSILON);
        v.extend((1..n - 1).map(|i| i as f64 / (n - 1) as f64));
        v.push(1.0 + EPSILON);
        v
    }

    /// The accumulated counts, read from the device.
    fn read_counts(&self) -> Result<Option<Counts>> {
        let Some(c) = &self.counts else { return Ok(None) };
        let v = c.to_vec::<f64>()?;
        let n = self.config.num_thresholds;
        let (tp, fp) = (v[..n].to_vec(), v[n + 1..2 * n + 1].to_vec());
        Ok(Some(Counts {
            tp,
            fp,
            positives: v[n],
            negatives: v[2 * n + 1],
        }))
    }
}

impl Metric for AUC {
    metric_common!();

    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let batch = tensorlow::no_grad(|| -> Result<Tensor> {
            let name = &self.config.name;
            let (yt, yp) = align_pair(name, y_true, y_pred)?;
            let yp = if self.config.from_logits { yp.sigmoid()? } else { yp };
            let (dtype, device) = (yp.dtype(), yp.device());
            let fresh = match &self.thresholds_t {
                Some(t) => t.dtype() != dtype || t.device().is_cuda() != device.is_cuda(),
                None => true,
            };
            if fresh {
                let t = Tensor::from_vec(self.threshold_values(), &[1, self.config.num_thresholds], &device)?;
                self.thresholds_t = Some(t.cast(dtype)?);
            }
            let thresholds = self.thresholds_t.as_ref().expect("set above");
            // (N, 1) > (1, T): which element is predicted positive at which threshold.
            let n = yp.elem_count();
            let above = yp.reshape(&[n, 1])?.greater(thresholds)?.cast(dtype)?;
            let (pos, neg) = match sample_weight {
                Some(w) => {
                    let w = weight_like(name, w, &yp)?;
                    (yt.mul(&w)?, (1.0 - &yt)?.mul(&w)?)
                }
                None => (yt.clone(), (1.0 - &yt)?),
            };
            let labels = Tensor::stack(&[&pos.reshape(&[n])?, &neg.reshape(&[n])?], 0)?;
            let tp_fp = labels.matmul(&above)?;
            let totals = labels.sum(&[1], true)?;
            Ok(Tensor::concat(&[&tp_fp, &totals], 1)?.cast(DType::F64)?)
        })?;
        self.counts = Some(match self.counts.take() {
            Some(c) => c.add(&batch.to_device(&c.device())?)?,
            None => batch,
        });
        Ok(())
    }

    /// The area; 0 before any data, and NaN if the device read fails.
    fn result(&self) -> f64 {
        let Counts {
            tp,
            fp,
            positives: p,
            negatives: n,
        } = match self.read_counts() {
            Ok(Some(c)) => c,
            Ok(None) => return 0.0,
            Err(_) => return f64::NAN,
        };
        let ratio = |a: f64, b: f64| if b == 0.0 { 0.0 } else { a / b };
        let tpr: Vec<f64> = tp.iter().map(|&t| ratio(t, p)).collect();
        let fpr: Vec<f64> = fp.iter().map(|&f| ratio(f, n)).collect();
        (0..self.config.num_thresholds - 1)
            .map(|i| (fpr[i] - fpr[i + 1]) * (tpr[i] + tpr[i + 1]) / 2.0)
            .sum()
    }

    fn reset_state(&mut self) {
        self.counts = None;
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1; the whole metrics reference script
    // (also cited by the other metric tests), run with tensorflow-cpu:
    // metrics_ref.py:
    //   import os; os.environ["TF_CPP_MIN_LOG_LEVEL"]="3"
    //   import numpy as np, keras
    //   M = keras.metrics
    //   def run(m, *batches):
    //       for b in batches: m.update_state(*b)
    //       return float(m.result())
    //   f = lambda x: np.array(x, "float32")
    //   print("binary_acc", run(M.BinaryAccuracy(), (f([[1,0],[1,1],[0,0]]), f([[0.7,0.2],[0.4,0.9],[0.5,0.6]]), f([1,2,0.5])), (f([1,0]), f([[0.2],[0.1]]))))
    //   print("cat_acc", run(M.CategoricalAccuracy(), (f([[0,0,1],[0,1,0],[1,0,0]]), f([[0.1,0.2,0.7],[0.5,0.3,0.2],[0.4,0.4,0.2]]), f([0.5,1,2]))))
    //   print("sparse_acc", run(M.SparseCategoricalAccuracy(), (f([[2],[0],[0]]), f([[0.1,0.2,0.7],[0.5,0.3,0.2],[0.4,0.4,0.2]]), f([0.5,1,2])), (f([1,2]), f([[0.1,0.8,0.1],[0.9,0.05,0.05]]))))
    //   print("topk2", run(M.TopKCategoricalAccuracy(k=2), (f([[0,0,1,0],[0,1,0,0],[1,0,0,0]]), f([[0.1,0.2,0.3,0.4],[0.5,0.1,0.3,0.1],[0.4,0.4,0.4,0.1]]), f([1,2,3]))))
    //   print("sparse_topk2", run(M.SparseTopKCategoricalAccuracy(k=2), (f([2,1,0]), f([[0.1,0.2,0.3,0.4],[0.5,0.1,0.3,0.1],[0.4,0.4,0.4,0.1]]), f([1,2,3]))))
    //   print("mse", run(M.MeanSquaredError(), (f([[0.5,1.0],[3.0,0.0]]), f([[1.0,1.0],[2.0,0.25]]), f([1.0,3.0])), (f([[1.0,1.0]]), f([[0.0,3.0]]))))
    //   print("mae", run(M.MeanAbsoluteError(), (f([[0.5,1.0],[3.0,0.0]]), f([[1.0,1.0],[2.0,0.25]]), f([[1.0],[3.0]]))))
    //   pr_b = [(f([[0,1],[1,1],[1,0]]), f([[0.7,0.6],[0.5,0.9],[0.8,0.2]]), f([1,2,0.5])), (f([1,0,0]), f([[0.3],[0.9],[0.4]]))]
    //   print("precision", run(M.Precision(), *pr_b))
    //   print("recall", run(M.Recall(), *pr_b))
    //   print("auc_doc", run(M.AUC(), (f([0,0,1,1]), f([0,0.5,0.3,0.9]))))
    //   print("auc_weighted", repr(run(M.AUC(), (f([[0,1],[1,0],[1,0]]), f([[0.1,0.8],[0.35,0.4],[0.7,0.65]]), f([1,2,0.5])), (f([1,0,1]), f([[0.2],[0.9],[0.55]])))))
    //   print("auc_n3", run(M.AUC(num_thresholds=3), (f([0,0,1,1]), f([0,0.6,0.3,0.9]))))
    //   # sklearn-free exact ROC AUC of the weighted example, for comparison (Mann-Whitney):
    //   yt=[0,1,1,0,1,0,1,0,1]; yp=[0.1,0.8,0.35,0.4,0.7,0.65,0.2,0.9,0.55]; w=[1,1,2,2,.5,.5,1,1,1]
    //   num=sum(wi*wj*((pi>pj)+0.5*(pi==pj)) for ti,pi,wi in zip(yt,yp,w) if ti for tj,pj,wj in zip(yt,yp,w) if not tj)
    //   den=sum(w[i] for i in range(9) if yt[i])*sum(w[i] for i in range(9) if not yt[i])
    //   print("exact_weighted_auc", num/den)
    // Output: binary_acc 0.5909090638160706, cat_acc 0.7142857313156128,
    // sparse_acc 0.8181818127632141, topk2 0.6666666865348816, sparse_topk2 0.6666666865348816,
    // mse 0.84375, mae 0.53125, precision 0.6363636255264282, recall 0.5384615659713745,
    // auc_doc 0.75, auc_weighted 0.4545454680919647, auc_n3 0.5, exact_weighted_auc 0.45454545454545453
    use super::super::testutil::*;
    use super::*;

    /// `auc_weighted` above; the exact (Mann-Whitney) weighted ROC AUC of the
    /// same data is 5/11 too, since no two predictions share a bucket.
    const KERAS_WEIGHTED: f64 = 0.4545454680919647;

    #[test]
    fn keras_doc_example_and_perfect_separation() {
        let mut m = AUC::new();
        m.update_state(&t(&[0.0, 0.0, 1.0, 1.0], &[4]), &t(&[0.0, 0.5, 0.3, 0.9], &[4]), None)
            .unwrap();
        close(m.result(), 0.75, 1e-9);
        m.reset_state();
        assert_eq!(m.result(), 0.0);
        m.update_state(&t(&[0.0, 1.0], &[2, 1]), &t(&[0.2, 0.8], &[2, 1]), None)
            .unwrap();
        close(m.result(), 1.0, 1e-12);
    }

    #[test]
    fn weighted_over_batches_matches_keras() {
        let mut m = AUC::new();
        m.update_state(
            &t(&[0.0, 1.0, 1.0, 0.0, 1.0, 0.0], &[3, 2]),
            &t(&[0.1, 0.8, 0.35, 0.4, 0.7, 0.65], &[3, 2]),
            Some(&t(&[1.0, 2.0, 0.5], &[3])),
        )
        .unwrap();
        m.update_state(&t(&[1.0, 0.0, 1.0], &[3]), &t(&[0.2, 0.9, 0.55], &[3, 1]), None)
            .unwrap();
        close(m.result(), KERAS_WEIGHTED, 1e-6);
        // Coarse thresholds: n = 3 -> thresholds -eps, 0.5, 1+eps.
        let mut m = AUC::new().num_thresholds(3);
        m.update_state(&t(&[0.0, 0.0, 1.0, 1.0], &[4]), &t(&[0.0, 0.6, 0.3, 0.9], &[4]), None)
            .unwrap();
        // TPR = [1, 0.5, 0], FPR = [1, 0.5, 0]: 0.5 * 0.75 + 0.5 * 0.25 = 0.5
        close(m.result(), 0.5, 1e-12);
    }

    #[test]
    fn f32_inputs_and_bad_shapes() {
        let mut m = AUC::new();
        m.update_state(
            &t32(&[0.0, 0.0, 1.0, 1.0], &[4]),
            &t32(&[0.0, 0.5, 0.3, 0.9], &[4]),
            None,
        )
        .unwrap();
        close(m.result(), 0.75, 1e-6);
        assert!(m
            .update_state(&t(&[0.0, 1.0], &[2]), &t(&[0.0, 0.5, 0.3], &[3]), None)
            .is_err());
    }
}
