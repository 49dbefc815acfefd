//! Categorical cross-entropy for integer class labels
//! (`keras.losses.SparseCategoricalCrossentropy`).
//!
//! ```
//! use keraslike::losses::{Loss, SparseCategoricalCrossentropy};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let labels = Tensor::new(&[1u32, 2], &[2])?;
//! let logits = Tensor::new(&[1.0f32, 2.0, 3.0, 0.5, -1.0, 2.0], &[2, 3])?;
//! let loss = SparseCategoricalCrossentropy::new().from_logits(true);
//! let l = loss.per_sample(&labels, &logits)?.to_vec::<f32>()?;
//! assert!((l[0] - 1.4076).abs() < 1e-4 && (l[1] - 0.2413).abs() < 1e-4);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{check_pred, mean_per_sample, non_batch_axis, Loss, EPSILON};
use crate::{Error, Result};
use tensorlow::{nn, DType, Tensor};

const NAME: &str = "sparse_categorical_crossentropy";

loss_type! {
/// Cross-entropy between integer class labels and predicted class
/// probabilities (or logits with `from_logits`).
///
/// Labels may be integer or float tensors (floats must be finite whole
/// numbers: NaN or 2.5 is an error, where Keras' `tf.cast` would truncate
/// NaN to an arbitrary class) of shape `(batch,)` or `(batch, 1)`
/// (generally: `y_pred`'s shape without the class axis, optionally with a
/// trailing 1). A label outside `0..num_classes` is an error naming it.
///
/// Probabilities are clipped to `[EPSILON, 1 - EPSILON]` and their logs fed
/// to the stable sparse softmax cross-entropy, which is Keras' TensorFlow
/// backend formula (the clipped values are renormalized by that softmax).
///
/// Keras 3's class has no `label_smoothing` (smooth one-hot labels with
/// [`CategoricalCrossentropy`](super::CategoricalCrossentropy) instead) and
/// its `ignore_class` is not implemented here (accepted only as `None`).
SparseCategoricalCrossentropy,
/// The config of [`SparseCategoricalCrossentropy`].
SparseCategoricalCrossentropyConfig {
    class: "SparseCategoricalCrossentropy",
    name: "sparse_categorical_crossentropy",
    fields: {
        /// Whether `y_pred` holds logits rather than probabilities (default `false`).
        from_logits: bool = false,
        /// The class axis of `y_pred` (default -1).
        axis: isize = -1,
    },
    keras_only: {
        /// Keras: a label value whose samples are left out of the loss. Not
        /// implemented: must be `None`.
        ignore_class: Option<i64> = None,
    }
}
}

impl SparseCategoricalCrossentropy {
    fn check(&self) -> Result<()> {
        if let Some(c) = self.config.ignore_class {
            return Err(Error::arg(format!(
                "SparseCategoricalCrossentropy: ignore_class={c} is not supported by keraslike; remove it \
                 (or give those samples a sample_weight of 0)"
            )));
        }
        Ok(())
    }
}

/// Integer labels of shape `y_pred.shape` without `class_axis`, from integer
/// or float labels that may carry a trailing size-1 axis. Shared with the
/// sparse accuracy metrics.
pub(crate) fn sparse_labels(op: &str, y_true: &Tensor, y_pred: &Tensor, class_axis: usize) -> Result<Tensor> {
    let mut want = y_pred.shape().to_vec();
    want.remove(class_axis);
    let labels =
        if y_true.shape() != want.as_slice() && y_true.rank() == y_pred.rank() && y_true.shape().last() == Some(&1) {
            y_true.squeeze(&[-1])?
        } else {
            y_true.clone()
        };
    if labels.shape() != want.as_slice() {
        return Err(Error::shape(format!(
            "{op}: labels of shape {:?} must have the shape of y_pred {:?} without its class axis, i.e. {want:?} \
             (or with a trailing 1); for one-hot labels use categorical_crossentropy",
            y_true.shape(),
            y_pred.shape()
        )));
    }
    if labels.dtype().is_float() {
        return float_labels_to_indices(op, &labels);
    }
    Ok(labels.cast(DType::I64)?)
}

/// Float labels as int64 class indices. They must be finite whole numbers:
/// on the CPU another value (NaN, 2.5, inf) is an error naming it (before,
/// NaN became class 0 and 2.5 class 2); off the CPU it becomes -1, which the
/// sparse cross-entropy's device rule turns into a NaN loss (checking there
/// would copy the labels to the host every step).
fn float_labels_to_indices(op: &str, labels: &Tensor) -> Result<Tensor> {
    if labels.device().is_cpu() {
        let v = labels.to_vec::<f64>()?;
        if let Some((i, bad)) = v.iter().enumerate().find(|(_, x)| !(x.is_finite() && x.fract() == 0.0)) {
            return Err(Error::data(format!(
                "{op}: label {bad} (position {i} of the labels, shape {:?}) is not a class index; float labels \
                 must be finite whole numbers (check the data for NaN or fractional labels)",
                labels.shape()
            )));
        }
        return Ok(labels.cast(DType::I64)?);
    }
    let idx = labels.cast(DType::I64)?;
    let whole = idx.cast(labels.dtype())?.equal(labels)?;
    let minus_one = Tensor::full_scalar(-1.0, DType::I64, &labels.device())?;
    Ok(whole.select(&idx, &minus_one)?)
}

impl Loss for SparseCategoricalCrossentropy {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        check_pred(NAME, y_pred)?;
        if y_pred.rank() < 2 {
            return Err(Error::shape(format!(
                "{NAME}: y_pred must have shape (batch, num_classes), got {:?}",
                y_pred.shape()
            )));
        }
        let axis = non_batch_axis(NAME, self.config.axis, y_pred)?;
        let labels = sparse_labels(NAME, y_true, y_pred, axis)?;
        // The tensorlow op wants classes last.
        let y_pred = if axis + 1 == y_pred.rank() {
            y_pred.clone()
        } else {
            let mut perm: Vec<usize> = (0..y_pred.rank()).filter(|&a| a != axis).collect();
            perm.push(axis);
            y_pred.permute(&perm)?
        };
        let logits = if self.config.from_logits {
            y_pred
        } else {
            y_pred.clip_by_value(EPSILON, 1.0 - EPSILON)?.log()?
        };
        let per_position = nn::sparse_softmax_cross_entropy_with_logits(&labels, &logits)
            .map_err(|e| Error::data(format!("{NAME}: {e}")))?;
        mean_per_sample(&per_position)
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (TensorFlow backend, eager, float64):
    //   import numpy as np, keras; keras.backend.set_floatx("float64")
    //   L = keras.losses
    //   ps = lambda l, yt, yp: l(np.array(yt, "float64"), np.array(yp, "float64"))
    //   yp = [[0.05,0.95,0],[0.1,0.8,0.1]]; lg = [[1.,2.,3.],[0.5,-1.,2.]]
    //   ps(L.SparseCategoricalCrossentropy(reduction=None), [1,2], yp)
    //   ps(L.SparseCategoricalCrossentropy(from_logits=True, reduction=None), [[1],[2]], lg)
    // (The first differs from categorical_crossentropy's 0.05129329438755058 in the
    // 7th digit: TF's sparse path renormalizes after clipping.)
    use super::super::testutil::*;
    use super::*;
    use crate::losses::CategoricalCrossentropy;
    use tensorlow::GradientTape;

    const YP: [f64; 6] = [0.05, 0.95, 0.0, 0.1, 0.8, 0.1];
    const LOGITS: [f64; 6] = [1.0, 2.0, 3.0, 0.5, -1.0, 2.0];

    #[test]
    fn matches_keras_for_every_label_form() {
        let scce = SparseCategoricalCrossentropy::new();
        let want = [0.05129339438754555, 2.3025850929940455];
        for labels in [
            t(&[1.0, 2.0], &[2]),
            t(&[1.0, 2.0], &[2, 1]),
            Tensor::new(&[1u32, 2], &[2]).unwrap(),
            Tensor::new(&[1i64, 2], &[2, 1]).unwrap(),
            Tensor::new(&[1.0f32, 2.0], &[2]).unwrap(),
        ] {
            assert_close(&per_sample(&scce, &labels, &t(&YP, &[2, 3])), &want, 1e-12);
        }
        let logits = SparseCategoricalCrossentropy::new().from_logits(true);
        assert_close(
            &per_sample(&logits, &t(&[1.0, 2.0], &[2, 1]), &t(&LOGITS, &[2, 3])),
            &[1.4076059644443804, 0.24131129665715703],
            1e-12,
        );
    }

    #[test]
    fn agrees_with_categorical_on_one_hot_and_from_logits() {
        let lg = t(&LOGITS, &[2, 3]);
        let labels = t(&[0.0, 2.0], &[2]);
        let one_hot = t(&[1.0, 0.0, 0.0, 0.0, 0.0, 1.0], &[2, 3]);
        let a = per_sample(&SparseCategoricalCrossentropy::new().from_logits(true), &labels, &lg);
        let b = per_sample(&CategoricalCrossentropy::new().from_logits(true), &one_hot, &lg);
        let c = per_sample(
            &SparseCategoricalCrossentropy::new(),
            &labels,
            &nn::softmax(&lg, -1).unwrap(),
        );
        assert_close(&a, &b, 1e-12);
        assert_close(&a, &c, 1e-12);
    }

    #[test]
    fn class_axis_one() {
        // (batch=1, classes=3, time=2): the per-time losses are averaged.
        let p = [0.3, 0.5, 0.2, 0.4, 0.5, 0.1];
        let l = per_sample(
            &SparseCategoricalCrossentropy::new().axis(1),
            &t(&[0.0, 2.0], &[1, 2]),
            &t(&p, &[1, 3, 2]),
        );
        // time 0 takes class 0 (p=0.3), time 1 class 2 (p=0.1); columns sum to 1.
        assert_close(&l, &[-(0.3f64.ln() + 0.1f64.ln()) / 2.0], 1e-12);
    }

    #[test]
    fn confident_softmax_is_finite_f32() {
        let logits = Tensor::new(&[100.0f32, 0.0, 100.0, 0.0], &[2, 2]).unwrap();
        let labels = Tensor::new(&[0u32, 1], &[2]).unwrap();
        let tape = GradientTape::new();
        tape.watch(&logits);
        let l = SparseCategoricalCrossentropy::new()
            .per_sample(&labels, &nn::softmax(&logits, -1).unwrap())
            .unwrap();
        let v = l.to_vec::<f32>().unwrap();
        assert!(v[0] < 1e-6 && (v[1] - 16.118).abs() < 1e-2, "{v:?}");
        let g = tape.gradient(&l.sum_all().unwrap(), &[&logits]).unwrap()[0]
            .clone()
            .unwrap();
        assert!(g.to_vec::<f32>().unwrap().iter().all(|x| x.is_finite()));
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let labels = t(&[1.0, 0.0], &[2]);
        check_grad(
            &SparseCategoricalCrossentropy::new(),
            &labels,
            &[0.3, 0.5, 0.2, 0.4, 0.9, 0.35],
            &[2, 3],
        );
        check_grad(
            &SparseCategoricalCrossentropy::new().from_logits(true),
            &labels,
            &LOGITS,
            &[2, 3],
        );
    }

    #[test]
    fn bad_labels_are_errors() {
        let scce = SparseCategoricalCrossentropy::new();
        let err = scce
            .per_sample(&t(&[1.0, 3.0], &[2]), &t(&YP, &[2, 3]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("label 3") && err.contains(NAME), "{err}");
        let err = scce
            .per_sample(&t(&YP, &[2, 3]), &t(&YP, &[2, 3]))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("categorical_crossentropy") && err.contains("[2, 3]"),
            "{err}"
        );
        assert!(scce.per_sample(&t(&[1.0, 2.0, 0.0], &[3]), &t(&YP, &[2, 3])).is_err());
    }

    #[test]
    fn float_labels_must_be_finite_whole_numbers() {
        // NaN used to become class 0 (a finite loss), 1.5 class 1.
        let scce = SparseCategoricalCrossentropy::new();
        for (bad, shown) in [(f64::NAN, "NaN"), (1.5, "1.5"), (f64::INFINITY, "inf"), (-0.5, "-0.5")] {
            let e = scce.per_sample(&t(&[0.0, bad], &[2]), &t(&YP, &[2, 3])).unwrap_err();
            assert!(matches!(e, Error::Data(_)), "{e:?}");
            let m = e.to_string();
            assert!(
                m.contains(&format!("label {shown} (position 1")) && m.contains(NAME) && m.contains("[2]"),
                "{m}"
            );
        }
        // Whole floats are class indices, with a trailing 1 too.
        let l = scce.per_sample(&t(&[1.0, 2.0], &[2, 1]), &t(&YP, &[2, 3])).unwrap();
        assert_eq!(l.shape(), &[2]);
    }
}
