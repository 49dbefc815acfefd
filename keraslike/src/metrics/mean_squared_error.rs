//! `mean_squared_error` as a metric: the weighted running mean of the per-sample loss
//! (`keras.metrics.MeanSquaredError`, `"mse"`).
//!
//! ```
//! use keraslike::metrics::{MeanSquaredError, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = MeanSquaredError::new();
//! m.update_state(&Tensor::new(&[0.0f32, 2.0], &[2])?, &Tensor::new(&[1.0f32, 0.0], &[2, 1])?, None)?;
//! assert_eq!(m.result(), 2.5); // ((0 - 1)² + (2 - 0)²) / 2
//! # Ok(()) }
//! ```

use super::config::{metric_common, metric_type};
use super::{Mean, Metric};
use crate::losses;
use crate::Result;
use tensorlow::Tensor;

metric_type! {
    /// The running mean of [`losses::MeanSquaredError`]'s per-sample values, weighted by
    /// `sample_weight`.
    #[derive(Clone, Debug)]
    MeanSquaredError,
    /// The config of [`MeanSquaredError`].
    MeanSquaredErrorConfig {
        class: "MeanSquaredError",
        name: "mean_squared_error",
        fields: {},
        state: { mean: Mean = Mean::new() }
    }
}

impl MeanSquaredError {
    fn check(&self) -> Result<()> {
        Ok(())
    }
}

impl Metric for MeanSquaredError {
    metric_common!();
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let values = tensorlow::no_grad(|| losses::mean_squared_error::values(y_true, y_pred))?;
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
    // Expected numbers: Keras 3.15.1,
    //   m = keras.metrics.MeanSquaredError()
    //   m.update_state([[0.5,1.0],[3.0,0.0]], [[1.0,1.0],[2.0,0.25]], sample_weight=[1.0, 3.0])
    //   m.update_state([[1.0,1.0]], [[0.0,3.0]]); float(m.result())   # 0.84375
    // By hand: per sample 0.125, 0.53125, 2.5 -> (0.125 + 3 * 0.53125 + 2.5) / 5 = 0.84375.
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn weighted_over_batches() {
        let mut m = MeanSquaredError::new();
        let w = t(&[1.0, 3.0], &[2]);
        m.update_state(
            &t(&[0.5, 1.0, 3.0, 0.0], &[2, 2]),
            &t(&[1.0, 1.0, 2.0, 0.25], &[2, 2]),
            Some(&w),
        )
        .unwrap();
        m.update_state(&t(&[1.0, 1.0], &[1, 2]), &t(&[0.0, 3.0], &[1, 2]), None)
            .unwrap();
        close(m.result(), 0.84375, 1e-12);
        m.reset_state();
        assert_eq!(m.result(), 0.0);
    }
}
