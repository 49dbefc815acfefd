//! Kullback-Leibler divergence (`keras.losses.KLDivergence`, `"kld"`).
//!
//! ```
//! use keraslike::losses::{KLDivergence, Loss};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let p = Tensor::new(&[0.5f64, 0.5], &[1, 2])?;
//! assert_eq!(KLDivergence::new().per_sample(&p, &p)?.to_vec::<f64>()?, vec![0.0]);
//! # Ok(()) }
//! ```

use super::config::{loss_common, loss_type};
use super::{align, mean_per_sample, Loss, EPSILON};
use crate::Result;
use tensorlow::Tensor;

const NAME: &str = "kl_divergence";

loss_type! {
/// `sum(y_true * ln(y_true / y_pred))` over the last axis, with both
/// clipped to `[EPSILON, 1]` first (as in Keras, so zeros give finite
/// values); other non-batch axes are averaged.
KLDivergence,
/// The config of [`KLDivergence`].
KLDivergenceConfig {
    class: "KLDivergence",
    name: "kl_divergence",
    fields: {}
}
}

impl KLDivergence {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl Loss for KLDivergence {
    loss_common!();

    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor> {
        let (yt, yp) = align(NAME, y_true, y_pred)?;
        let yt = yt.clip_by_value(EPSILON, 1.0)?;
        let yp = yp.clip_by_value(EPSILON, 1.0)?;
        let per_position = yt.mul(&yt.div(&yp)?.log()?)?.sum(&[-1], false)?;
        mean_per_sample(&per_position)
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (float64), with
    //   yt = [[0.2,0.8,0.0],[0.5,0.25,0.25]]; yp = [[0.3,0.6,0.1],[0.0,0.5,0.5]]
    //   keras.losses.KLDivergence(reduction=None)(np.array(yt), np.array(yp))
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn matches_keras_and_hand() {
        let yt = t(&[0.2, 0.8, 0.0, 0.5, 0.25, 0.25], &[2, 3]);
        let yp = t(&[0.3, 0.6, 0.1, 0.0, 0.5, 0.5], &[2, 3]);
        let l = per_sample(&KLDivergence::new(), &yt, &yp);
        assert_close(&l, &[0.14905125478873618, 7.365900644919216], 1e-12);
        // By hand, first row: 0.2 ln(2/3) + 0.8 ln(4/3) + 1e-7 ln(1e-7 / 0.1).
        let hand = 0.2 * (0.2f64 / 0.3).ln() + 0.8 * (0.8f64 / 0.6).ln() + 1e-7 * (1e-7f64 / 0.1).ln();
        assert_close(&l[..1], &[hand], 1e-12);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let yt = t(&[0.2, 0.8, 0.0, 0.5, 0.25, 0.25], &[2, 3]);
        check_grad(&KLDivergence::new(), &yt, &[0.3, 0.6, 0.1, 0.2, 0.5, 0.5], &[2, 3]);
    }
}
