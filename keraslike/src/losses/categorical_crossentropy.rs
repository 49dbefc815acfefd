//! Categorical cross-entropy for one-hot (or soft) labels
//! (`keras.losses.CategoricalCrossentropy`).
//!
//! ```
//! use keraslike::losses::{CategoricalCrossentropy, Loss};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y_true = Tensor::new(&[0.0f32, 1.0, 0.0, 0.0, 0.0, 1.0], &[2, 3])?;
//! let y_pred = Tensor::new(&[0.05f32, 0.95, 0.0, 0.1, 0.8, 0.1], &[2, 3])?;
//! let l = CategoricalCrossentropy::new().per_sample(&y_true, &y_pred)?.to_vec::<f32>()?;
//! assert!((l[0] - 0.0513).abs() < 1e-4 && (l[1] - 2.3026).abs() < 1e-4);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{check_pred, mean_per_sample, non_batch_axis, Loss, EPSILON};
use crate::{Error, Result};
use tensorlow::{nn, Tensor};

const NAME: &str = "categorical_crossentropy";

loss_type! {
/// Cross-entropy between one-hot `y_true` and predicted class probabilities
/// (or logits with `from_logits`), summed over the class `axis`.
///
/// Probabilities are first renormalized to sum to one along `axis`, then
/// clipped to `[EPSILON, 1 - EPSILON]` before the log, exactly as Keras'
/// TensorFlow backend does: a confident softmax output (`p = 1` and
/// `p = 0`) gives a finite loss (at most `-ln 1e-7 ≈ 16.1`) and a finite
/// gradient (zero through the clipped entries). With `from_logits` the
/// stable `softmax_cross_entropy_with_logits` is used instead, which also
/// keeps a useful gradient for confidently wrong predictions; prefer a
/// linear last layer with `from_logits(true)` when you can.
CategoricalCrossentropy,
/// The config of [`CategoricalCrossentropy`].
CategoricalCrossentropyConfig {
    class: "CategoricalCrossentropy",
    name: "categorical_crossentropy",
    fields: {
        /// Whether `y_pred` holds logits rather than probabilities (default `false`).
        from_logits: bool = false,
        /// Smooths the labels towards uniform: `y * (1 - s) + s / num_classes`
        /// (default 0, must lie in `[0, 1]`).
        label_smoothing: f64 = 0.0,
        /// The class axis (default -1).
        axis: isize = -1,
    }
}
}

impl CategoricalCrossentropy {
    fn check(&self) -> Result<()> {
        check_smoothing(Self::CLASS, self.config.label_smoothing)
    }
}

/// Checks `label_smoothing` for the cross-entropies.
pub(crate) fn check_smoothing(loss: &str, s: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&s) {
        return Err(Error::arg(format!(
            "{loss}: label_smoothing must lie in [0, 1], got {s}"
        )));
    }
    Ok(())
}

impl Loss for CategoricalCrossentropy {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        check_pred(NAME, y_pred)?;
        let c = &self.config;
        if y_true.shape() != y_pred.shape() || y_pred.rank() < 2 {
            let hint = if y_true.rank() + 1 == y_pred.rank() || y_true.shape().last() == Some(&1) {
                "; for integer class labels use sparse_categorical_crossentropy"
            } else {
                ""
            };
            return Err(Error::shape(format!(
                "{NAME}: y_true of shape {:?} must have the shape of y_pred {:?} (batch, num_classes){hint}",
                y_true.shape(),
                y_pred.shape()
            )));
        }
        let axis = non_batch_axis(NAME, c.axis, y_pred)? as isize;
        let classes = y_pred.shape()[axis as usize];
        if classes < 2 {
            // Keras only warns; with one class the loss is identically 0 and
            // nothing trains, so say so.
            return Err(Error::shape(format!(
                "{NAME}: y_pred of shape {:?} has a single class; use binary_crossentropy for two classes \
                 with one sigmoid output",
                y_pred.shape()
            )));
        }
        let mut yt = y_true.cast(y_pred.dtype())?;
        if c.label_smoothing > 0.0 {
            // Keras divides by shape[-1] whatever the axis; so do we.
            let n = y_pred.shape()[y_pred.rank() - 1] as f64;
            yt = yt.affine(1.0 - c.label_smoothing, c.label_smoothing / n)?;
        }
        let per_position = if c.from_logits {
            nn::softmax_cross_entropy_with_logits(&yt, y_pred, axis)?
        } else {
            let p = y_pred.div(&y_pred.sum(&[axis], true)?)?;
            let p = p.clip_by_value(EPSILON, 1.0 - EPSILON)?;
            yt.mul(&p.log()?)?.sum(&[axis], false)?.neg()?
        };
        mean_per_sample(&per_position)
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (TensorFlow backend, eager, float64):
    //   import numpy as np, keras; keras.backend.set_floatx("float64")
    //   L = keras.losses
    //   ps = lambda l, yt, yp: l(np.array(yt, "float64"), np.array(yp, "float64"))
    //   yt = [[0,1,0],[0,0,1]]; yp = [[0.05,0.95,0],[0.1,0.8,0.1]]
    //   ps(L.CategoricalCrossentropy(reduction=None), yt, yp)                      # cce
    //   ps(L.CategoricalCrossentropy(label_smoothing=0.1, reduction=None), yt, yp) # cce_ls
    //   lg = [[1.,2.,3.],[0.5,-1.,2.]]
    //   ps(L.CategoricalCrossentropy(from_logits=True, reduction=None), yt, lg)    # cce_logits
    //   ps(L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, reduction=None), yt, lg)
    //   ps(L.CategoricalCrossentropy(reduction=None), yt, [[0.1,0.5,0.4],[1.,2.,1.]])  # cce_unnorm
    use super::super::testutil::*;
    use super::*;
    use tensorlow::{DType, GradientTape};

    const YT: [f64; 6] = [0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    const YP: [f64; 6] = [0.05, 0.95, 0.0, 0.1, 0.8, 0.1];
    const LOGITS: [f64; 6] = [1.0, 2.0, 3.0, 0.5, -1.0, 2.0];

    #[test]
    fn matches_keras() {
        let yt = t(&YT, &[2, 3]);
        let cce = CategoricalCrossentropy::new();
        assert_close(
            &per_sample(&cce, &yt, &t(&YP, &[2, 3])),
            &[0.05129329438755058, 2.3025850929940455],
            1e-12,
        );
        let ls = CategoricalCrossentropy::new().label_smoothing(0.1);
        assert_close(
            &per_sample(&ls, &yt, &t(&YP, &[2, 3])),
            &[0.6850013389121242, 2.233270374938051],
            1e-12,
        );
        let logits = CategoricalCrossentropy::new().from_logits(true);
        assert_close(
            &per_sample(&logits, &yt, &t(&LOGITS, &[2, 3])),
            &[1.4076059644443804, 0.24131129665715703],
            1e-12,
        );
        let both = CategoricalCrossentropy::new().from_logits(true).label_smoothing(0.2);
        assert_close(
            &per_sample(&both, &yt, &t(&LOGITS, &[2, 3])),
            &[1.4076059644443804, 0.541311296657157],
            1e-12,
        );
        let unnorm = t(&[0.1, 0.5, 0.4, 1.0, 2.0, 1.0], &[2, 3]);
        assert_close(
            &per_sample(&cce, &yt, &unnorm),
            // Keras: [0.6931471805599453, 1.3862943611198906], i.e. ln 2 and 2 ln 2.
            &[std::f64::consts::LN_2, 2.0 * std::f64::consts::LN_2],
            1e-12,
        );
    }

    #[test]
    fn label_smoothing_formula() {
        // By hand: y' = y (1 - s) + s / 3, loss = -sum(y' ln p).
        let s = 0.3;
        let p = [0.2, 0.5, 0.3];
        let want: f64 = [0.0, 1.0, 0.0]
            .iter()
            .zip(p)
            .map(|(y, p)| -(y * (1.0 - s) + s / 3.0) * f64::ln(p))
            .sum();
        let l = per_sample(
            &CategoricalCrossentropy::new().label_smoothing(s),
            &t(&[0.0, 1.0, 0.0], &[1, 3]),
            &t(&p, &[1, 3]),
        );
        assert_close(&l, &[want], 1e-12);
        // Checked once, when the loss is validated (compile, from_config).
        let err = CategoricalCrossentropy::new()
            .label_smoothing(1.5)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("label_smoothing"), "{err}");
    }

    #[test]
    fn from_logits_equals_probabilities() {
        let yt = t(&[0.2, 0.7, 0.1, 0.0, 0.0, 1.0], &[2, 3]);
        let lg = t(&LOGITS, &[2, 3]);
        let a = per_sample(&CategoricalCrossentropy::new().from_logits(true), &yt, &lg);
        let b = per_sample(&CategoricalCrossentropy::new(), &yt, &nn::softmax(&lg, -1).unwrap());
        assert_close(&a, &b, 1e-12);
    }

    #[test]
    fn confident_softmax_is_finite_f32() {
        // softmax([100, 0]) = [1, 3.7e-44] in f32: right and wrong targets.
        let logits = Tensor::new(&[100.0f32, 0.0, 100.0, 0.0], &[2, 2]).unwrap();
        let yt = Tensor::new(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2]).unwrap();
        for from_logits in [false, true] {
            let tape = GradientTape::new();
            tape.watch(&logits);
            let out = if from_logits {
                logits.clone()
            } else {
                nn::softmax(&logits, -1).unwrap()
            };
            let l = CategoricalCrossentropy::new()
                .from_logits(from_logits)
                .per_sample(&yt, &out)
                .unwrap();
            let v = l.to_vec::<f32>().unwrap();
            assert!(v.iter().all(|x| x.is_finite()), "{v:?}");
            // Right: ~0; wrong: -ln(1e-7) = 16.1 clipped, or 100 from logits.
            assert!(v[0] < 1e-6, "{v:?}");
            let want = if from_logits { 100.0 } else { 16.118 };
            assert!((v[1] - want).abs() < 1e-2, "{v:?}");
            let g = tape.gradient(&l.sum_all().unwrap(), &[&logits]).unwrap()[0]
                .clone()
                .unwrap();
            let g = g.to_vec::<f32>().unwrap();
            assert!(g.iter().all(|x| x.is_finite()), "{g:?}");
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let yt = t(&[0.2, 0.7, 0.1, 0.0, 0.0, 1.0], &[2, 3]);
        // Unnormalized positive probabilities exercise the renormalization.
        check_grad(
            &CategoricalCrossentropy::new(),
            &yt,
            &[0.3, 0.5, 0.2, 0.4, 0.9, 0.35],
            &[2, 3],
        );
        check_grad(
            &CategoricalCrossentropy::new().label_smoothing(0.1),
            &yt,
            &[0.3, 0.5, 0.2, 0.4, 0.9, 0.35],
            &[2, 3],
        );
        check_grad(&CategoricalCrossentropy::new().from_logits(true), &yt, &LOGITS, &[2, 3]);
        // Class axis 1 of a (batch, classes, time) tensor.
        let yt3 = t(&[1.0, 0.0, 0.0, 1.0, 0.0, 0.0], &[1, 3, 2]);
        check_grad(
            &CategoricalCrossentropy::new().axis(1),
            &yt3,
            &[0.3, 0.5, 0.2, 0.4, 0.5, 0.1],
            &[1, 3, 2],
        );
    }

    #[test]
    fn wrong_shapes_say_what_to_do() {
        let yt = Tensor::new(&[1u32, 2], &[2]).unwrap();
        let err = CategoricalCrossentropy::new()
            .per_sample(&yt, &t(&YP, &[2, 3]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("sparse_categorical_crossentropy"), "{err}");
        let err = CategoricalCrossentropy::new()
            .per_sample(&t(&[1.0, 0.0], &[2, 1]), &t(&[0.5, 0.5], &[2, 1]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("binary_crossentropy"), "{err}");
        assert!(CategoricalCrossentropy::new()
            .axis(0)
            .per_sample(&t(&YT, &[2, 3]), &t(&YP, &[2, 3]))
            .is_err());
        // Integer one-hot labels are fine (cast to y_pred's dtype).
        let oh = Tensor::new(&[1u32, 2], &[2]).unwrap().one_hot(3, DType::U8).unwrap();
        assert_close(
            &per_sample(&CategoricalCrossentropy::new(), &oh, &t(&YP, &[2, 3])),
            &[0.05129329438755058, 2.3025850929940455],
            1e-12,
        );
    }
}
