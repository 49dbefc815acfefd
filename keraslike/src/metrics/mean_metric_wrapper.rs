//! A running mean of any per-sample function, e.g. a loss used as a metric
//! (`keras.metrics.MeanMetricWrapper`).
//!
//! ```
//! use keraslike::losses::MeanAbsolutePercentageError;
//! use keraslike::metrics::{MeanMetricWrapper, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = MeanMetricWrapper::from_loss("mape", Box::new(MeanAbsolutePercentageError));
//! m.update_state(&Tensor::new(&[2.0f32, 4.0], &[2])?, &Tensor::new(&[1.0f32, 5.0], &[2])?, None)?;
//! assert_eq!(m.result(), 37.5);
//! # Ok(()) }
//! ```

use super::Mean;
use crate::losses::Loss;
use crate::Result;
use tensorlow::Tensor;

type ValuesFn = dyn Fn(&Tensor, &Tensor) -> Result<Tensor>;

/// The weighted running mean of `f(y_true, y_pred)`, a tensor of per-sample
/// (or per-element) values.
pub struct MeanMetricWrapper {
    name: String,
    f: Box<ValuesFn>,
    mean: Mean,
}

impl MeanMetricWrapper {
    /// Averages `f(y_true, y_pred)` under `name`.
    pub fn new(name: impl Into<String>, f: impl Fn(&Tensor, &Tensor) -> Result<Tensor> + 'static) -> Self {
        MeanMetricWrapper {
            name: name.into(),
            f: Box::new(f),
            mean: Mean::new(),
        }
    }

    /// Averages a loss's per-sample values under `name` (Keras' metric
    /// versions of its losses: `"mse"`, `"binary_crossentropy"`, ...).
    pub fn from_loss(name: impl Into<String>, loss: Box<dyn Loss>) -> Self {
        Self::new(name, move |y_true, y_pred| loss.per_sample(y_true, y_pred))
    }

    /// Renames the metric.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

impl std::fmt::Debug for MeanMetricWrapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeanMetricWrapper")
            .field("name", &self.name)
            .field("mean", &self.mean)
            .finish()
    }
}

impl super::Metric for MeanMetricWrapper {
    fn name(&self) -> &str {
        &self.name
    }
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let values = tensorlow::no_grad(|| (self.f)(y_true, y_pred))?;
        self.mean.update(&values, sample_weight)
    }
    fn result(&self) -> f64 {
        self.mean.result()
    }
    fn reset_state(&mut self) {
        self.mean.reset()
    }
}
