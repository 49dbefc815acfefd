//! `mean_absolute_error` as a metric: the weighted running mean of the per-sample loss
//! (`keras.metrics.MeanAbsoluteError`, `"mae"`).
//!
//! ```
//! use keraslike::metrics::{MeanAbsoluteError, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = MeanAbsoluteError::new();
//! m.update_state(&Tensor::new(&[0.0f32, 2.0], &[2])?, &Tensor::new(&[1.0f32, 0.0], &[2, 1])?, None)?;
//! assert_eq!(m.result(), 1.5); // (|0 - 1| + |2 - 0|) / 2
//! # Ok(()) }
//! ```

use super::config::{metric_common, metric_type};
use super::{Mean, Metric};
use crate::losses;
use crate::Result;
use tensorlow::Tensor;

metric_type! {
    /// The running mean of [`losses::MeanAbsoluteError`]'s per-sample values, weighted by
    /// `sample_weight`.
    #[derive(Clone, Debug)]
    MeanAbsoluteError,
    /// The config of [`MeanAbsoluteError`].
    MeanAbsoluteErrorConfig {
        class: "MeanAbsoluteError",
        name: "mean_absolute_error",
        fields: {},
        state: { mean: Mean = Mean::new() }
    }
}

impl MeanAbsoluteError {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl Metric for MeanAbsoluteError {
    metric_common!();
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let values = tensorlow::no_grad(|| losses::mean_absolute_error::values(y_true, y_pred))?;
        self.mean.update(&values, sample_weight)
    }
    fn result(&self) -> f64 {
        self.mean.result()
    }
    fn reset_state(&mut self) {
        self.mean.reset()
    }
}

#[cfg(test)]
mod tests {
    // Expected numbers: Keras 3.15.1 (see metrics_ref.py in metrics/auc.rs):
    //   m = keras.metrics.MeanAbsoluteError()
    //   m.update_state([[0.5,1.0],[3.0,0.0]], [[1.0,1.0],[2.0,0.25]], sample_weight=[[1.0],[3.0]])
    //   float(m.result())   # 0.53125
    // By hand: per sample (0.5 + 0) / 2 = 0.25 and (1 + 0.25) / 2 = 0.625; weights 1 and 3:
    // (0.25 + 3 * 0.625) / 4 = 0.53125.
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn weighted_mean_of_per_sample_errors() {
        let mut m = MeanAbsoluteError::new().with_name("mae");
        let w = t(&[1.0, 3.0], &[2, 1]);
        m.update_state(
            &t(&[0.5, 1.0, 3.0, 0.0], &[2, 2]),
            &t(&[1.0, 1.0, 2.0, 0.25], &[2, 2]),
            Some(&w),
        )
        .unwrap();
        close(m.result(), 0.53125, 1e-12);
        assert_eq!(m.name(), "mae");
    }
}
