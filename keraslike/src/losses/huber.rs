//! Huber loss (`keras.losses.Huber`).
//!
//! ```
//! use keraslike::losses::{Huber, Loss};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y_true = Tensor::new(&[0.0f32, 0.0], &[1, 2])?;
//! let y_pred = Tensor::new(&[0.5f32, 3.0], &[1, 2])?;
//! // (0.5 * 0.5² + (3 - 0.5)) / 2
//! assert_eq!(Huber::new().per_sample(&y_true, &y_pred)?.to_vec::<f32>()?, vec![1.3125]);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{align, mean_per_sample, Loss};
use crate::{Error, Result};
use tensorlow::Tensor;

const NAME: &str = "huber_loss";

loss_type! {
/// With `e = y_pred - y_true`: `0.5 e²` where `|e| <= delta`, else
/// `delta |e| - 0.5 delta²`; averaged over the last axis (and any other
/// non-batch axes).
///
/// Its name is `"huber_loss"` (Keras' class default); [`get`](super::get)
/// also knows it as `"huber"`.
///
/// Its config has `delta` (Keras 3.15's `Huber.get_config()` leaves it
/// out, losing a non-default delta; Keras' constructor accepts it).
Huber,
/// The config of [`Huber`].
HuberConfig {
    class: "Huber",
    name: "huber_loss",
    fields: {
        /// Where the loss turns from quadratic to linear (default 1.0, must be > 0).
        delta: f64 = 1.0,
    }
}
}

impl Huber {
    fn check(&self) -> Result<()> {
        let d = self.config.delta;
        if !(d > 0.0 && d.is_finite()) {
            return Err(Error::arg(format!("Huber: delta must be positive, got {d}")));
        }
        Ok(())
    }
}

impl Loss for Huber {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        let (yt, yp) = align(NAME, y_true, y_pred)?;
        let d = self.config.delta;
        let err = yp.sub(&yt)?;
        let abs = err.abs()?;
        let quadratic = err.square()?.affine(0.5, 0.0)?;
        let linear = abs.affine(d, -0.5 * d * d)?;
        let inside = abs.less_equal(&abs.scalar_like(d)?)?;
        mean_per_sample(&inside.select(&quadratic, &linear)?)
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (float64), with
    //   yt = [[0.5,1.0,-2.0],[3.0,0.0,1.5]]; yp = [[1.0,1.0,0.5],[2.0,0.25,-1.0]]
    //   keras.losses.Huber(reduction=None)(np.array(yt), np.array(yp))            # huber
    //   keras.losses.Huber(delta=2.0, reduction=None)(np.array(yt), np.array(yp)) # huber_d2
    use super::super::testutil::*;
    use super::*;

    const YT: [f64; 6] = [0.5, 1.0, -2.0, 3.0, 0.0, 1.5];
    const YP: [f64; 6] = [1.0, 1.0, 0.5, 2.0, 0.25, -1.0];

    #[test]
    fn matches_keras() {
        let (yt, yp) = (t(&YT, &[2, 3]), t(&YP, &[2, 3]));
        assert_close(
            &per_sample(&Huber::new(), &yt, &yp),
            &[0.7083333333333334, 0.84375],
            1e-12,
        );
        assert_close(
            &per_sample(&Huber::new().delta(2.0), &yt, &yp),
            &[1.0416666666666667, 1.1770833333333333],
            1e-12,
        );
        assert!(Huber::new().delta(0.0).validate().is_err());
    }

    #[test]
    fn gradient_matches_finite_differences() {
        // Both branches, away from |e| = delta and e = 0.
        check_grad(
            &Huber::new(),
            &t(&YT, &[2, 3]),
            &[1.0, 1.5, 0.5, 2.0, 0.25, -1.0],
            &[2, 3],
        );
        check_grad(
            &Huber::new().delta(2.0),
            &t(&YT, &[2, 3]),
            &[1.0, 1.5, 0.5, 2.0, 0.25, -1.0],
            &[2, 3],
        );
    }
}
