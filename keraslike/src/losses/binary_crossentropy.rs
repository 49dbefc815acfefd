//! Binary cross-entropy for 0/1 labels (`keras.losses.BinaryCrossentropy`).
//!
//! ```
//! use keraslike::losses::{BinaryCrossentropy, Loss};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y_true = Tensor::new(&[0.0f32, 1.0, 0.0, 0.0], &[2, 2])?;
//! let y_pred = Tensor::new(&[0.6f32, 0.4, 0.4, 0.6], &[2, 2])?;
//! let l = BinaryCrossentropy::new().per_sample(&y_true, &y_pred)?.to_vec::<f32>()?;
//! assert!((l[0] - 0.9163).abs() < 1e-4 && (l[1] - 0.7136).abs() < 1e-4);
//! # Ok(()) }
//! ```

use super::categorical_crossentropy::check_smoothing;
use super::config::{loss_common, loss_type};
use super::{align, mean_per_sample, non_batch_axis, Loss, EPSILON};
use crate::Result;
use tensorlow::{nn, Tensor};

const NAME: &str = "binary_crossentropy";

loss_type! {
/// `-(y ln p + (1 - y) ln(1 - p))`, averaged over the last axis (and any
/// other non-batch axes), for labels in `[0, 1]` and probabilities `p`
/// (or logits with `from_logits`).
///
/// Probabilities are clipped to `[EPSILON, 1 - EPSILON]` (Keras' TensorFlow
/// backend), so `p = 0` or `1` gives a finite loss and gradient; with
/// `from_logits` the stable `max(x, 0) - x y + ln(1 + e^-|x|)` is used.
/// `y_true` of shape `(batch,)` against a `(batch, 1)` sigmoid output is
/// fine (Keras expands it).
BinaryCrossentropy,
/// The config of [`BinaryCrossentropy`].
BinaryCrossentropyConfig {
    class: "BinaryCrossentropy",
    name: "binary_crossentropy",
    fields: {
        /// Whether `y_pred` holds logits rather than probabilities (default `false`).
        from_logits: bool = false,
        /// Squeezes the labels towards 0.5: `y * (1 - s) + 0.5 s` (default 0,
        /// must lie in `[0, 1]`).
        label_smoothing: f64 = 0.0,
        /// The axis averaged over (default -1). Every non-batch axis is averaged
        /// in the end, so it only has to name a non-batch axis.
        axis: isize = -1,
    }
}
}

impl BinaryCrossentropy {
    fn check(&self) -> Result<()> {
        check_smoothing(Self::CLASS, self.config.label_smoothing)
    }
}

impl Loss for BinaryCrossentropy {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        let c = &self.config;
        let (mut yt, yp) = align(NAME, y_true, y_pred)?;
        non_batch_axis(NAME, c.axis, &yp)?;
        if c.label_smoothing > 0.0 {
            yt = yt.affine(1.0 - c.label_smoothing, 0.5 * c.label_smoothing)?;
        }
        let elementwise = if c.from_logits {
            nn::sigmoid_cross_entropy_with_logits(&yt, &yp)?
        } else {
            let p = yp.clip_by_value(EPSILON, 1.0 - EPSILON)?;
            // y ln p + (1 - y) ln(1 - p), negated.
            let pos = yt.mul(&p.log()?)?;
            let neg = (1.0 - &yt)?.mul(&(1.0 - &p)?.log()?)?;
            pos.add(&neg)?.neg()?
        };
        mean_per_sample(&elementwise)
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (TensorFlow backend, eager, float64):
    //   import numpy as np, keras; keras.backend.set_floatx("float64")
    //   L = keras.losses
    //   ps = lambda l, yt, yp: l(np.array(yt, "float64"), np.array(yp, "float64"))
    //   yt = [[0,1],[0,0]]; yp = [[0.6,0.4],[0.4,0.6]]; blg = [[-18.6,0.51],[2.94,-12.8]]
    //   ps(L.BinaryCrossentropy(reduction=None), yt, yp)                                   # bce
    //   ps(L.BinaryCrossentropy(label_smoothing=0.2, reduction=None), yt, yp)              # bce_ls
    //   ps(L.BinaryCrossentropy(reduction=None), [[1],[0],[1]], [[1.0],[1.0],[0.3]])       # bce_clip
    //   ps(L.BinaryCrossentropy(from_logits=True, reduction=None), yt, blg)                # bce_logits
    //   ps(L.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, reduction=None), yt, blg)
    use super::super::testutil::*;
    use super::*;
    use tensorlow::GradientTape;

    const YT: [f64; 4] = [0.0, 1.0, 0.0, 0.0];
    const YP: [f64; 4] = [0.6, 0.4, 0.4, 0.6];
    const LOGITS: [f64; 4] = [-18.6, 0.51, 2.94, -12.8];

    #[test]
    fn matches_keras() {
        let yt = t(&YT, &[2, 2]);
        let bce = BinaryCrossentropy::new();
        assert_close(
            &per_sample(&bce, &yt, &t(&YP, &[2, 2])),
            &[0.916290731874155, 0.7135581778200728],
            1e-12,
        );
        assert_close(
            &per_sample(&BinaryCrossentropy::new().label_smoothing(0.2), &yt, &t(&YP, &[2, 2])),
            &[0.8757442210633385, 0.7135581778200728],
            1e-12,
        );
        assert_close(
            &per_sample(&bce, &t(&[1.0, 0.0, 1.0], &[3, 1]), &t(&[1.0, 1.0, 0.3], &[3, 1])),
            &[1.0000000494736474e-07, 16.118095651484676, 1.2039728043259361],
            1e-9,
        );
        assert_close(
            &per_sample(&BinaryCrossentropy::new().from_logits(true), &yt, &t(&LOGITS, &[2, 2])),
            &[0.23515666320163253, 1.495759236360562],
            1e-12,
        );
        assert_close(
            &per_sample(
                &BinaryCrossentropy::new().from_logits(true).label_smoothing(0.2),
                &yt,
                &t(&LOGITS, &[2, 2]),
            ),
            &[1.1906566632016327, 1.9887592363605622],
            1e-12,
        );
    }

    #[test]
    fn label_smoothing_formula() {
        // By hand: y' = y (1 - s) + s / 2.
        let (s, y, p) = (0.1f64, 1.0f64, 0.7f64);
        let ys = y * (1.0 - s) + 0.5 * s;
        let want = -(ys * p.ln() + (1.0 - ys) * (1.0 - p).ln());
        let l = per_sample(
            &BinaryCrossentropy::new().label_smoothing(s),
            &t(&[y], &[1]),
            &t(&[p], &[1, 1]),
        );
        assert_close(&l, &[want], 1e-12);
    }

    #[test]
    fn from_logits_equals_probabilities_and_label_shapes() {
        let lg = t(&[-1.5, 0.3, 2.0], &[3, 1]);
        let yt = t(&[0.0, 1.0, 1.0], &[3]);
        let a = per_sample(&BinaryCrossentropy::new().from_logits(true), &yt, &lg);
        let b = per_sample(&BinaryCrossentropy::new(), &yt, &lg.sigmoid().unwrap());
        assert_close(&a, &b, 1e-12);
        // Integer labels of shape (batch, 1) give the same.
        let yi = Tensor::new(&[0u8, 1, 1], &[3, 1]).unwrap();
        assert_close(
            &per_sample(&BinaryCrossentropy::new().from_logits(true), &yi, &lg),
            &a,
            1e-12,
        );
    }

    #[test]
    fn confident_sigmoid_is_finite_f32() {
        let logits = Tensor::new(&[100.0f32, -100.0, 100.0], &[3, 1]).unwrap();
        let yt = Tensor::new(&[1.0f32, 1.0, 0.0], &[3, 1]).unwrap();
        let tape = GradientTape::new();
        tape.watch(&logits);
        let l = BinaryCrossentropy::new()
            .per_sample(&yt, &logits.sigmoid().unwrap())
            .unwrap();
        let v = l.to_vec::<f32>().unwrap();
        assert!(
            v[0] < 1e-6 && (v[1] - 16.118).abs() < 1e-2 && (v[2] - 15.942).abs() < 1e-2,
            "{v:?}"
        );
        let g = tape.gradient(&l.sum_all().unwrap(), &[&logits]).unwrap()[0]
            .clone()
            .unwrap();
        assert!(g.to_vec::<f32>().unwrap().iter().all(|x| x.is_finite()));
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let yt = t(&[0.0, 1.0, 0.3, 1.0], &[2, 2]);
        check_grad(&BinaryCrossentropy::new(), &yt, &[0.2, 0.7, 0.5, 0.9], &[2, 2]);
        check_grad(
            &BinaryCrossentropy::new().label_smoothing(0.2),
            &yt,
            &[0.2, 0.7, 0.5, 0.9],
            &[2, 2],
        );
        check_grad(
            &BinaryCrossentropy::new().from_logits(true),
            &yt,
            &[-1.0, 2.0, 0.1, 4.0],
            &[2, 2],
        );
    }
}
