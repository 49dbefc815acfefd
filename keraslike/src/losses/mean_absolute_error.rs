//! Mean absolute error (`keras.losses.MeanAbsoluteError`, `"mae"`).
//!
//! ```
//! use keraslike::losses::{Loss, MeanAbsoluteError};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y_true = Tensor::new(&[0.0f32, 1.0, 0.0, 0.0], &[2, 2])?;
//! let y_pred = Tensor::new(&[1.0f32, 1.0, 3.0, 0.0], &[2, 2])?;
//! assert_eq!(MeanAbsoluteError::new().per_sample(&y_true, &y_pred)?.to_vec::<f32>()?, vec![0.5, 1.5]);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{align, mean_per_sample, Loss};
use crate::Result;
use tensorlow::Tensor;

const NAME: &str = "mean_absolute_error";

loss_type! {
/// `mean(|y_true - y_pred|)` over the last axis (and any other non-batch axes).
MeanAbsoluteError,
/// The config of [`MeanAbsoluteError`].
MeanAbsoluteErrorConfig {
    class: "MeanAbsoluteError",
    name: "mean_absolute_error",
    fields: {}
}
}

impl MeanAbsoluteError {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl Loss for MeanAbsoluteError {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        values(y_true, y_pred)
    }
}

/// The per-sample values (shared with the `mean_absolute_error` metric).
pub(crate) fn values(y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
    let (yt, yp) = align(NAME, y_true, y_pred)?;
    mean_per_sample(&yp.sub(&yt)?.abs()?)
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (float64), with
    //   yt = [[0.5,1.0,-2.0],[3.0,0.0,1.5]]; yp = [[1.0,1.0,0.5],[2.0,0.25,-1.0]]
    //   keras.losses.MeanAbsoluteError(reduction=None)(np.array(yt), np.array(yp))
    // By hand: (0.5 + 0 + 2.5) / 3 = 1, (1 + 0.25 + 2.5) / 3 = 1.25.
    use super::super::testutil::*;
    use super::*;

    const YT: [f64; 6] = [0.5, 1.0, -2.0, 3.0, 0.0, 1.5];
    const YP: [f64; 6] = [1.0, 1.0, 0.5, 2.0, 0.25, -1.0];

    #[test]
    fn matches_keras() {
        let l = per_sample(&MeanAbsoluteError::new(), &t(&YT, &[2, 3]), &t(&YP, &[2, 3]));
        assert_close(&l, &[1.0, 1.25], 1e-12);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        // Away from the kink at y_pred = y_true.
        check_grad(
            &MeanAbsoluteError::new(),
            &t(&YT, &[2, 3]),
            &[1.0, 1.5, 0.5, 2.0, 0.25, -1.0],
            &[2, 3],
        );
    }
}
