//! Metrics: running values over an epoch, with Keras 3's names.
//!
//! Every metric accumulates batch after batch (weighted by `sample_weight`
//! when given) until [`Metric::reset_state`]. The work per batch runs on the
//! tensors' device with tensorlow ops; at most one small tensor (one or two
//! scalars) is read back per batch, and [`AUC`] reads nothing until
//! [`Metric::result`].
//!
//! | name (for [`get`]) | type |
//! |---|---|
//! | `accuracy`, `acc` | resolved from the loss, else [`Accuracy`] (by shape) |
//! | `categorical_accuracy` | [`CategoricalAccuracy`] |
//! | `sparse_categorical_accuracy` | [`SparseCategoricalAccuracy`] |
//! | `binary_accuracy` | [`BinaryAccuracy`] (threshold 0.5) |
//! | `top_k_categorical_accuracy` | [`TopKCategoricalAccuracy`] (k = 5) |
//! | `sparse_top_k_categorical_accuracy` | [`SparseTopKCategoricalAccuracy`] (k = 5) |
//! | `mse`, `mean_squared_error` | [`MeanSquaredError`] |
//! | `mae`, `mean_absolute_error` | [`MeanAbsoluteError`] |
//! | `precision`, `recall` | [`Precision`], [`Recall`] (threshold 0.5) |
//! | `auc` | [`AUC`] (200 thresholds, ROC, interpolation) |
//! | any loss name (`mape`, `binary_crossentropy`, ...) | [`MeanMetricWrapper`] of the loss |
//!
//! Keras' class names (`"CategoricalAccuracy"`, `"AUC"`, ...) work too. A
//! metric is named in the logs by the string it was asked for, as in Keras 3
//! (`"acc"` logs as `acc`, `"mse"` as `mse`).
//!
//! ```
//! use keraslike::metrics::{self, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut acc = metrics::get("accuracy", "sparse_categorical_crossentropy")?;
//! let y_true = Tensor::new(&[2u32, 1], &[2])?;
//! let y_pred = Tensor::new(&[0.1f32, 0.2, 0.7, 0.6, 0.3, 0.1], &[2, 3])?;
//! acc.update_state(&y_true, &y_pred, None)?;
//! assert_eq!((acc.name(), acc.result()), ("accuracy", 0.5));
//! # Ok(()) }
//! ```

mod accuracy;
mod auc;
mod binary_accuracy;
mod categorical_accuracy;
mod mean;
mod mean_absolute_error;
mod mean_metric_wrapper;
mod mean_squared_error;
mod precision;
mod recall;
mod sparse_categorical_accuracy;
mod sparse_top_k_categorical_accuracy;
mod top_k_categorical_accuracy;

pub use accuracy::Accuracy;
pub use auc::AUC;
pub use binary_accuracy::{binary_accuracy, BinaryAccuracy};
pub use categorical_accuracy::{categorical_accuracy, CategoricalAccuracy};
pub use mean::Mean;
pub use mean_absolute_error::MeanAbsoluteError;
pub use mean_metric_wrapper::MeanMetricWrapper;
pub use mean_squared_error::MeanSquaredError;
pub use precision::Precision;
pub use recall::Recall;
pub use sparse_categorical_accuracy::{sparse_categorical_accuracy, SparseCategoricalAccuracy};
pub use sparse_top_k_categorical_accuracy::{sparse_top_k_categorical_accuracy, SparseTopKCategoricalAccuracy};
pub use top_k_categorical_accuracy::{top_k_categorical_accuracy, TopKCategoricalAccuracy};

use crate::{losses, Error, Result};
use tensorlow::{DType, Tensor};

/// A metric that accumulates over batches (`keras.metrics.Metric`).
pub trait Metric {
    /// The name shown in logs, e.g. `"accuracy"`.
    fn name(&self) -> &str;
    /// Adds one batch.
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()>;
    /// The value so far.
    fn result(&self) -> f64;
    /// Starts over (called at the start of each epoch and evaluation).
    fn reset_state(&mut self);
}

/// The names [`get`] knows besides `accuracy`/`acc` and the loss names.
const NAMES: &[&str] = &[
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "binary_accuracy",
    "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy",
    "precision",
    "recall",
    "auc",
];

/// The metric named `name`. `"accuracy"`/`"acc"` (any case) resolve from
/// the compiled loss: `binary_crossentropy` gives [`BinaryAccuracy`],
/// `sparse_categorical_crossentropy` [`SparseCategoricalAccuracy`],
/// `categorical_crossentropy` [`CategoricalAccuracy`]; any other loss gives
/// [`Accuracy`], which picks by the shapes of the first batch the way Keras 3
/// does (Keras 3 itself always decides by shapes; for these three losses the
/// two rules agree on every valid input).
///
/// Any loss name (and alias) is also a metric: the running mean of its
/// per-sample values. The metric keeps the name it was asked for.
///
/// ```
/// use keraslike::metrics;
/// assert_eq!(metrics::get("acc", "bce").unwrap().name(), "acc");
/// assert_eq!(metrics::get("mse", "mse").unwrap().name(), "mse");
/// let err = metrics::get("accuracyy", "mse").err().unwrap().to_string();
/// assert!(err.contains("sparse_categorical_accuracy"));
/// ```
pub fn get(name: &str, loss_name: &str) -> Result<Box<dyn Metric>> {
    let lower = name.to_lowercase();
    if lower == "accuracy" || lower == "acc" {
        return Ok(match losses::canonical_name(loss_name) {
            Some("binary_crossentropy") => Box::new(BinaryAccuracy::new().with_name(name)),
            Some("sparse_categorical_crossentropy") => Box::new(SparseCategoricalAccuracy::new().with_name(name)),
            Some("categorical_crossentropy") => Box::new(CategoricalAccuracy::new().with_name(name)),
            _ => Box::new(Accuracy::new().with_name(name)),
        });
    }
    let m: Box<dyn Metric> = match name {
        "categorical_accuracy" | "CategoricalAccuracy" => Box::new(CategoricalAccuracy::new().with_name(name)),
        "sparse_categorical_accuracy" | "SparseCategoricalAccuracy" => {
            Box::new(SparseCategoricalAccuracy::new().with_name(name))
        }
        "binary_accuracy" | "BinaryAccuracy" => Box::new(BinaryAccuracy::new().with_name(name)),
        "top_k_categorical_accuracy" | "TopKCategoricalAccuracy" => {
            Box::new(TopKCategoricalAccuracy::new().with_name(name))
        }
        "sparse_top_k_categorical_accuracy" | "SparseTopKCategoricalAccuracy" => {
            Box::new(SparseTopKCategoricalAccuracy::new().with_name(name))
        }
        "precision" | "Precision" => Box::new(Precision::new().with_name(name)),
        "recall" | "Recall" => Box::new(Recall::new().with_name(name)),
        "auc" | "AUC" => Box::new(AUC::new().with_name(name)),
        _ => match losses::canonical_name(name) {
            Some("mean_squared_error") => Box::new(MeanSquaredError::new().with_name(name)),
            Some("mean_absolute_error") => Box::new(MeanAbsoluteError::new().with_name(name)),
            Some(_) => Box::new(MeanMetricWrapper::from_loss(name, losses::get(name)?)),
            None => {
                return Err(Error::arg(format!(
                    "unknown metric {name:?}; known metrics: accuracy, acc, {}, and the loss names ({})",
                    NAMES.join(", "),
                    "mse, mae, mape, binary_crossentropy, categorical_crossentropy, ..."
                )))
            }
        },
    };
    Ok(m)
}

/// Anything `compile` accepts as its metrics: names or metric objects.
pub trait IntoMetrics {
    /// Resolves every metric, given the compiled loss's name.
    fn into_metrics(self, loss_name: &str) -> Result<Vec<Box<dyn Metric>>>;
}
impl IntoMetrics for &[&str] {
    fn into_metrics(self, loss_name: &str) -> Result<Vec<Box<dyn Metric>>> {
        self.iter().map(|n| get(n, loss_name)).collect()
    }
}
impl<const N: usize> IntoMetrics for &[&str; N] {
    fn into_metrics(self, loss_name: &str) -> Result<Vec<Box<dyn Metric>>> {
        self.as_slice().into_metrics(loss_name)
    }
}
impl IntoMetrics for Vec<Box<dyn Metric>> {
    fn into_metrics(self, _: &str) -> Result<Vec<Box<dyn Metric>>> {
        Ok(self)
    }
}

/// The float dtype metric values are computed in: `y_pred`'s, or f32.
pub(crate) fn value_dtype(y_pred: &Tensor) -> DType {
    if y_pred.dtype().is_float() {
        y_pred.dtype()
    } else {
        DType::F32
    }
}

/// `(y_true, y_pred)` for element-wise comparisons: `y_true` cast to
/// `y_pred`'s dtype, ranks matched like Keras, equal shapes required.
pub(crate) fn align_pair(metric: &str, y_true: &Tensor, y_pred: &Tensor) -> Result<(Tensor, Tensor)> {
    if y_pred.rank() == 0 {
        return Err(Error::shape(format!(
            "{metric}: y_pred must have a batch axis, got a scalar"
        )));
    }
    let yp = y_pred.cast(value_dtype(y_pred))?;
    let yt = y_true.cast(yp.dtype())?;
    let (yt, yp) = losses::squeeze_or_expand(&yt, &yp, true)?;
    if yt.shape() != yp.shape() {
        return Err(Error::shape(format!(
            "{metric}: y_true of shape {:?} does not match y_pred of shape {:?}",
            y_true.shape(),
            y_pred.shape()
        )));
    }
    Ok((yt, yp))
}

/// `sample_weight` broadcast to `like`'s shape: a weight per sample
/// (`(batch,)` or `(batch, 1)`) or one per element (`like`'s shape), as
/// Keras' confusion-matrix metrics accept.
pub(crate) fn weight_like(metric: &str, w: &Tensor, like: &Tensor) -> Result<Tensor> {
    let w = w.cast(like.dtype())?;
    if w.shape() == like.shape() {
        return Ok(w);
    }
    let batch = like.shape()[0];
    if w.rank() >= 1 && w.rank() <= 2 && w.elem_count() == batch && w.shape()[0] == batch {
        let mut s = vec![1; like.rank()];
        s[0] = batch;
        return Ok(w.reshape(&s)?.broadcast_to(like.shape())?);
    }
    Err(Error::shape(format!(
        "{metric}: sample_weight of shape {:?} must have shape ({batch},) or {:?}",
        w.shape(),
        like.shape()
    )))
}

/// Implements [`Metric`] for a struct with `name: String` and `mean: Mean`
/// fields, given the expression for its per-sample (or per-element) values.
macro_rules! impl_mean_metric {
    ($ty:ty, |$s:ident, $yt:ident, $yp:ident| $values:expr) => {
        impl $crate::metrics::Metric for $ty {
            fn name(&self) -> &str {
                &self.name
            }
            fn update_state(
                &mut self,
                y_true: &tensorlow::Tensor,
                y_pred: &tensorlow::Tensor,
                sample_weight: Option<&tensorlow::Tensor>,
            ) -> $crate::Result<()> {
                let values = {
                    let ($s, $yt, $yp) = (&*self, y_true, y_pred);
                    tensorlow::no_grad(|| $values)?
                };
                self.mean.update(&values, sample_weight)
            }
            fn result(&self) -> f64 {
                self.mean.result()
            }
            fn reset_state(&mut self) {
                self.mean.reset()
            }
        }
    };
}
pub(crate) use impl_mean_metric;

#[cfg(test)]
pub(crate) mod testutil {
    use tensorlow::{Device, Tensor};

    pub fn t(v: &[f64], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v.to_vec(), shape, &Device::cpu()).unwrap()
    }
    pub fn t32(v: &[f32], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v.to_vec(), shape, &Device::cpu()).unwrap()
    }
    pub fn close(got: f64, want: f64, tol: f64) {
        assert!((got - want).abs() <= tol, "got {got}, want {want}");
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;

    /// The `accuracy` resolution table: (loss, y_true, y_pred) -> result.
    /// Each batch scores differently (or is a shape error) under the two
    /// accuracies that should not be picked, so a wrong pick fails.
    #[test]
    fn accuracy_resolution_table() {
        // Binary, y_pred (2, 1): binary 0.5; categorical 1.0 (one column);
        // sparse 0.0 (labels 1, 1 vs argmax 0, 0).
        let bin = (t(&[1.0, 1.0], &[2, 1]), t(&[0.9, 0.2], &[2, 1]));
        // Sparse labels (2,) or (2, 1): 1.0; binary and categorical are shape errors.
        let probs = t(&[0.1, 0.2, 0.7, 0.6, 0.3, 0.1], &[2, 3]);
        let sparse = (t(&[2.0, 0.0], &[2]), probs.clone());
        let sparse_col = (t(&[2.0, 0.0], &[2, 1]), probs);
        // One-hot (2, 3): categorical 1.0; binary 2/3 (no p > 0.5); sparse a shape error.
        let cat = (
            t(&[0.0, 0.0, 1.0, 1.0, 0.0, 0.0], &[2, 3]),
            t(&[0.1, 0.2, 0.4, 0.45, 0.3, 0.25], &[2, 3]),
        );
        let cases: &[(&str, &(Tensor, Tensor), f64)] = &[
            ("binary_crossentropy", &bin, 0.5),
            ("bce", &bin, 0.5),
            ("sparse_categorical_crossentropy", &sparse, 1.0),
            ("sparse_categorical_crossentropy", &sparse_col, 1.0),
            ("categorical_crossentropy", &cat, 1.0),
            // Other losses: decided by shape at runtime, like Keras 3.
            ("mse", &bin, 0.5),
            ("hinge", &sparse, 1.0),
            ("mse", &sparse_col, 1.0),
            ("kld", &cat, 1.0),
            ("no_such_loss", &cat, 1.0),
        ];
        for (loss, (yt, yp), want) in cases {
            for name in ["accuracy", "acc", "Accuracy"] {
                let mut m = get(name, loss).unwrap();
                assert_eq!(m.name(), name);
                m.update_state(yt, yp, None).unwrap();
                close(m.result(), *want, 1e-6);
            }
        }
        // The loss decides over the shapes: a sparse-shaped batch under
        // categorical_crossentropy is a shape error, not a silent switch.
        let mut m = get("accuracy", "categorical_crossentropy").unwrap();
        assert!(m.update_state(&sparse.0, &sparse.1, None).is_err());
    }

    #[test]
    fn get_names() {
        for n in NAMES {
            assert_eq!(get(n, "mse").unwrap().name(), *n);
        }
        for n in [
            "mse",
            "MSE",
            "mae",
            "mape",
            "binary_crossentropy",
            "kld",
            "CategoricalAccuracy",
            "AUC",
        ] {
            assert_eq!(get(n, "mse").unwrap().name(), n);
        }
        let err = get("f1", "mse").err().unwrap().to_string();
        assert!(err.contains("unknown metric") && err.contains("auc"), "{err}");
        let names = ["accuracy", "mae"].into_metrics("categorical_crossentropy").unwrap();
        assert_eq!(
            names.iter().map(|m| m.name()).collect::<Vec<_>>(),
            vec!["accuracy", "mae"]
        );
    }

    #[test]
    fn loss_names_are_running_means() {
        // mape per sample: 100 * |2 - 1| / 2 = 50 and 100 * |4 - 5| / 4 = 25.
        let mut m = get("mape", "mse").unwrap();
        m.update_state(&t(&[2.0, 4.0], &[2]), &t(&[1.0, 5.0], &[2, 1]), None)
            .unwrap();
        close(m.result(), 37.5, 1e-9);
        m.update_state(&t(&[1.0], &[1]), &t(&[1.0], &[1, 1]), Some(&t(&[2.0], &[1])))
            .unwrap();
        // (50 + 25 + 2 * 0) / (1 + 1 + 2)
        close(m.result(), 18.75, 1e-9);
    }
}
