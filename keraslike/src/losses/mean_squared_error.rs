//! Mean squared error (`keras.losses.MeanSquaredError`, `"mse"`).
//!
//! ```
//! use keraslike::losses::{Loss, MeanSquaredError};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y_true = Tensor::new(&[0.0f32, 1.0, 0.0, 0.0], &[2, 2])?;
//! let y_pred = Tensor::new(&[1.0f32, 1.0, 1.0, 0.0], &[2, 2])?;
//! assert_eq!(MeanSquaredError::new().per_sample(&y_true, &y_pred)?.to_vec::<f32>()?, vec![0.5, 0.5]);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{align, mean_per_sample, Loss};
use crate::Result;
use tensorlow::Tensor;

const NAME: &str = "mean_squared_error";

loss_type! {
/// `mean((y_true - y_pred)²)` over the last axis (and any other non-batch axes).
MeanSquaredError,
/// The config of [`MeanSquaredError`].
MeanSquaredErrorConfig {
    class: "MeanSquaredError",
    name: "mean_squared_error",
    fields: {}
}
}

impl MeanSquaredError {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl Loss for MeanSquaredError {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        values(y_true, y_pred)
    }
}

/// The per-sample values (shared with the `mean_squared_error` metric).
pub(crate) fn values(y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
    let (yt, yp) = align(NAME, y_true, y_pred)?;
    mean_per_sample(&yp.sub(&yt)?.square()?)
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (float64), with
    //   yt = [[0.5,1.0,-2.0],[3.0,0.0,1.5]]; yp = [[1.0,1.0,0.5],[2.0,0.25,-1.0]]
    //   keras.losses.MeanSquaredError(reduction=None)(np.array(yt), np.array(yp))
    // By hand: (0.25 + 0 + 6.25) / 3 = 2.1666..., (1 + 0.0625 + 6.25) / 3 = 2.4375.
    use super::super::testutil::*;
    use super::*;

    pub(crate) const YT: [f64; 6] = [0.5, 1.0, -2.0, 3.0, 0.0, 1.5];
    pub(crate) const YP: [f64; 6] = [1.0, 1.0, 0.5, 2.0, 0.25, -1.0];

    #[test]
    fn matches_keras() {
        let l = per_sample(&MeanSquaredError::new(), &t(&YT, &[2, 3]), &t(&YP, &[2, 3]));
        assert_close(&l, &[2.1666666666666665, 2.4375], 1e-12);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        check_grad(&MeanSquaredError::new(), &t(&YT, &[2, 3]), &YP, &[2, 3]);
    }
}
