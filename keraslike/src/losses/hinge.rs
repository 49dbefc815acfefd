//! Hinge loss (`keras.losses.Hinge`).
//!
//! ```
//! use keraslike::losses::{Hinge, Loss};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! // 0/1 labels are read as -1/1: max(1 - 1 * 0.5, 0) and max(1 + 1 * 0.5, 0).
//! let y_true = Tensor::new(&[1.0f32, 0.0], &[2, 1])?;
//! let y_pred = Tensor::new(&[0.5f32, 0.5], &[2, 1])?;
//! assert_eq!(Hinge::new().per_sample(&y_true, &y_pred)?.to_vec::<f32>()?, vec![0.5, 1.5]);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{align, mean_per_sample, Loss};
use crate::Result;
use tensorlow::Tensor;

const NAME: &str = "hinge";

loss_type! {
/// `mean(max(1 - y_true * y_pred, 0))` over the last axis (and any other
/// non-batch axes), for labels in {-1, 1}.
///
/// As in Keras, when **every** label of the batch is 0 or 1 they are mapped
/// to -1/1 (`2y - 1`); otherwise they are used as given. The check runs on
/// the device (no host round trip).
Hinge,
/// The config of [`Hinge`].
HingeConfig {
    class: "Hinge",
    name: "hinge",
    fields: {}
}
}

impl Hinge {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

/// Keras' `convert_binary_labels_to_hinge`, branch-free:
/// `y * (1 + all) - all` with `all` = 1 when every label is 0 or 1, else 0.
pub(crate) fn binary_labels_to_hinge(y: &Tensor) -> Result<Tensor> {
    let zero = y.equal(&y.scalar_like(0.0)?)?.cast(y.dtype())?;
    let one = y.equal(&y.scalar_like(1.0)?)?.cast(y.dtype())?;
    let all = zero.add(&one)?.min(&[], false)?;
    Ok(y.mul(&(&all + 1.0)?)?.sub(&all)?)
}

impl Loss for Hinge {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        let (yt, yp) = align(NAME, y_true, y_pred)?;
        let yt = binary_labels_to_hinge(&yt)?;
        let margin = (1.0 - yt.mul(&yp)?)?;
        // maximum, not relu: ties pass the gradient like TensorFlow's maximum.
        mean_per_sample(&margin.maximum(&margin.scalar_like(0.0)?)?)
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (float64), with yp = [[0.6,-0.4,1.5],[0.2,0.9,-2.0]] and
    //   keras.losses.Hinge(reduction=None)(np.array(yt, "float64"), np.array(yp)) for
    //   yt = [[0,1,1],[1,0,0]] (hinge01), [[-1,1,1],[1,-1,-1]] (hinge_pm), [[0,1,2],[1,0,0]] (hinge_nonbin)
    use super::super::testutil::*;
    use super::*;

    const YP: [f64; 6] = [0.6, -0.4, 1.5, 0.2, 0.9, -2.0];

    #[test]
    fn matches_keras() {
        let yp = t(&YP, &[2, 3]);
        let bin = per_sample(&Hinge::new(), &t(&[0.0, 1.0, 1.0, 1.0, 0.0, 0.0], &[2, 3]), &yp);
        assert_close(&bin, &[1.0, 0.9], 1e-12);
        let pm = per_sample(&Hinge::new(), &t(&[-1.0, 1.0, 1.0, 1.0, -1.0, -1.0], &[2, 3]), &yp);
        assert_close(&pm, &[1.0, 0.9], 1e-12);
        // A label 2 turns the conversion off for the whole batch.
        let raw = per_sample(&Hinge::new(), &t(&[0.0, 1.0, 2.0, 1.0, 0.0, 0.0], &[2, 3]), &yp);
        assert_close(&raw, &[0.7999999999999999, 0.9333333333333332], 1e-12);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        check_grad(
            &Hinge::new(),
            &t(&[0.0, 1.0, 1.0, 1.0, 0.0, 0.0], &[2, 3]),
            &YP,
            &[2, 3],
        );
    }
}
