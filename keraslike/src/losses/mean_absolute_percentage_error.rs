//! Mean absolute percentage error (`keras.losses.MeanAbsolutePercentageError`,
//! `"mape"`).
//!
//! ```
//! use keraslike::losses::{Loss, MeanAbsolutePercentageError};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y_true = Tensor::new(&[2.0f32, -4.0], &[1, 2])?;
//! let y_pred = Tensor::new(&[1.0f32, -5.0], &[1, 2])?;
//! // 100 * (1/2 + 1/4) / 2
//! assert_eq!(MeanAbsolutePercentageError::new().per_sample(&y_true, &y_pred)?.to_vec::<f32>()?, vec![37.5]);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{align, mean_per_sample, Loss, EPSILON};
use crate::Result;
use tensorlow::Tensor;

const NAME: &str = "mean_absolute_percentage_error";

loss_type! {
/// `100 * mean(|y_true - y_pred| / max(|y_true|, EPSILON))` over the last
/// axis (and any other non-batch axes). A zero target divides by
/// `EPSILON = 1e-7`, giving huge values, exactly as in Keras.
MeanAbsolutePercentageError,
/// The config of [`MeanAbsolutePercentageError`].
MeanAbsolutePercentageErrorConfig {
    class: "MeanAbsolutePercentageError",
    name: "mean_absolute_percentage_error",
    fields: {}
}
}

impl MeanAbsolutePercentageError {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl Loss for MeanAbsolutePercentageError {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        let (yt, yp) = align(NAME, y_true, y_pred)?;
        let denom = yt.abs()?.maximum(&yt.scalar_like(EPSILON)?)?;
        let pct = yt.sub(&yp)?.abs()?.div(&denom)?.affine(100.0, 0.0)?;
        mean_per_sample(&pct)
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (float64), with
    //   yt = [[0.5,1.0,-2.0],[3.0,0.0,1.5]]; yp = [[1.0,1.0,0.5],[2.0,0.25,-1.0]]
    //   keras.losses.MeanAbsolutePercentageError(reduction=None)(np.array(yt), np.array(yp))
    // By hand: 100 * (1 + 0 + 1.25) / 3 = 75; 100 * (1/3 + 0.25/1e-7 + 2.5/1.5) / 3 = 83333400.
    use super::super::testutil::*;
    use super::*;

    const YT: [f64; 6] = [0.5, 1.0, -2.0, 3.0, 0.0, 1.5];
    const YP: [f64; 6] = [1.0, 1.0, 0.5, 2.0, 0.25, -1.0];

    #[test]
    fn matches_keras() {
        let l = per_sample(&MeanAbsolutePercentageError::new(), &t(&YT, &[2, 3]), &t(&YP, &[2, 3]));
        assert_close(&l, &[75.0, 83333400.0], 1e-12);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        // Nonzero targets, away from the kink at y_pred = y_true.
        let yt = [0.5, 1.0, -2.0, 3.0, 0.4, 1.5];
        check_grad(
            &MeanAbsolutePercentageError::new(),
            &t(&yt, &[2, 3]),
            &[1.0, 1.5, 0.5, 2.0, 0.25, -1.0],
            &[2, 3],
        );
    }
}
