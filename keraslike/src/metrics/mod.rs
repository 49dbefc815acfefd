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
//! **Configuration.** Each metric has chained setters on `new()`
//! (`BinaryAccuracy::new().threshold(0.7)`, `AUC::new().num_thresholds(50)`)
//! and a config struct with Keras' field names ([`BinaryAccuracyConfig`],
//! ...), both its `get_config()` and its `from_config()`; [`serialize`]
//! and [`deserialize`] go to and from Keras' serialized form (reading
//! Keras' loss-metric classes, `MeanAbsolutePercentageError`,
//! `BinaryCrossentropy`, ..., as [`MeanMetricWrapper`]s of the loss), and
//! [`register_metric`] adds a user class.
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
pub(crate) mod config;
mod mean;
mod mean_absolute_error;
mod mean_metric_wrapper;
mod mean_squared_error;
mod precision;
mod recall;
mod sparse_categorical_accuracy;
mod sparse_top_k_categorical_accuracy;
mod top_k_categorical_accuracy;

pub use accuracy::{Accuracy, AccuracyConfig};
pub use auc::{AUCConfig, AUC};
pub use binary_accuracy::{binary_accuracy, BinaryAccuracy, BinaryAccuracyConfig};
pub use categorical_accuracy::{categorical_accuracy, CategoricalAccuracy, CategoricalAccuracyConfig};
pub use mean::Mean;
pub use mean_absolute_error::{MeanAbsoluteError, MeanAbsoluteErrorConfig};
pub use mean_metric_wrapper::MeanMetricWrapper;
pub use mean_squared_error::{MeanSquaredError, MeanSquaredErrorConfig};
pub use precision::{Precision, PrecisionConfig, Thresholds};
pub use recall::{Recall, RecallConfig};
pub use sparse_categorical_accuracy::{
    sparse_categorical_accuracy, SparseCategoricalAccuracy, SparseCategoricalAccuracyConfig,
};
pub use sparse_top_k_categorical_accuracy::{
    sparse_top_k_categorical_accuracy, SparseTopKCategoricalAccuracy, SparseTopKCategoricalAccuracyConfig,
};
pub use top_k_categorical_accuracy::{
    top_k_categorical_accuracy, TopKCategoricalAccuracy, TopKCategoricalAccuracyConfig,
};

use crate::saving::registry::{exact, Entry, Registry};
use crate::saving::suggest::did_you_mean_or_stop;
use crate::saving::{config_from_value, read_object};
use crate::{losses, Error, Result};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use tensorlow::{DType, Tensor};

/// A metric that accumulates over batches (`keras.metrics.Metric`).
/// Metrics are `Send + Sync`, so a compiled model can move to another thread.
pub trait Metric: Send + Sync {
    /// The name shown in logs, e.g. `"accuracy"`.
    fn name(&self) -> &str;
    /// The Keras class name, e.g. `"CategoricalAccuracy"` (what
    /// [`serialize`] writes and [`register_metric`] registers). Defaults to
    /// the Rust type's name.
    fn class_name(&self) -> &str {
        crate::saving::object::short_type_name(std::any::type_name::<Self>())
    }
    /// The metric's config (Keras' `get_config()`); [`serialize`] wraps it
    /// with the class name.
    fn get_config(&self) -> Value {
        json!({"name": self.name(), "dtype": "float32"})
    }
    /// Checks the options once (run by `from_config` and `compile`).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    /// Adds one batch.
    fn update_state(&mut self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<()>;
    /// The value so far.
    fn result(&self) -> f64;
    /// Starts over (called at the start of each epoch and evaluation).
    fn reset_state(&mut self);
}

/// A registry entry for a built-in metric.
macro_rules! builtin {
    ($t:ident, $aliases:expr) => {
        Entry::builtin($t::CLASS, $aliases, |c: &Value| -> Result<Box<dyn Metric>> {
            Ok(Box::new($t::from_config(config_from_value($t::CLASS, c)?)?))
        })
    };
}

/// A Keras metric class that is a loss's running mean (`keras.metrics.
/// BinaryCrossentropy`, ...): its config is `name`, `dtype` and the loss's
/// options; it becomes a [`MeanMetricWrapper`] of that loss.
fn loss_metric(class: &'static str, default_name: &'static str) -> Entry<Box<dyn Metric>> {
    Entry::builtin(class, &[], move |c: &Value| -> Result<Box<dyn Metric>> {
        let mut loss_config: Map<String, Value> = c.as_object().cloned().unwrap_or_default();
        let name = match loss_config.remove("name") {
            Some(Value::String(n)) => n,
            _ => default_name.to_string(),
        };
        let dtype = loss_config.remove("dtype").and_then(|d| d.as_str().map(str::to_string));
        config::check_dtype(class, &dtype)?;
        let loss = losses::deserialize(&json!({"class_name": class, "config": loss_config}))?;
        Ok(Box::new(MeanMetricWrapper::from_loss(name, loss)))
    })
}

/// The class name keraslike's own (shape-resolving) [`Accuracy`] is saved under.
const KERASLIKE_ACCURACY: &str = "keraslike>Accuracy";

fn builtins() -> Vec<Entry<Box<dyn Metric>>> {
    vec![
        builtin!(CategoricalAccuracy, &["categorical_accuracy"]),
        builtin!(SparseCategoricalAccuracy, &["sparse_categorical_accuracy"]),
        builtin!(BinaryAccuracy, &["binary_accuracy"]),
        builtin!(TopKCategoricalAccuracy, &["top_k_categorical_accuracy"]),
        builtin!(SparseTopKCategoricalAccuracy, &["sparse_top_k_categorical_accuracy"]),
        builtin!(MeanSquaredError, &["mean_squared_error", "mse", "MSE"]),
        builtin!(MeanAbsoluteError, &["mean_absolute_error", "mae", "MAE"]),
        builtin!(Precision, &["precision"]),
        builtin!(Recall, &["recall"]),
        builtin!(AUC, &["auc"]),
        Entry::builtin(MeanMetricWrapper::CLASS, &[], mean_metric_wrapper::from_config),
        Entry::builtin(KERASLIKE_ACCURACY, &[], |c: &Value| -> Result<Box<dyn Metric>> {
            Ok(Box::new(Accuracy::from_config(config_from_value(Accuracy::CLASS, c)?)?))
        }),
        Entry::builtin("Accuracy", &[], |_| {
            Err(Error::arg(
                "keras.metrics.Accuracy (exact equality of y_true and y_pred) is not implemented; use the name \
                 \"accuracy\", which keraslike resolves from the loss as Keras' compile does, or BinaryAccuracy, \
                 CategoricalAccuracy or SparseCategoricalAccuracy",
            ))
        }),
        loss_metric("MeanAbsolutePercentageError", "mean_absolute_percentage_error"),
        loss_metric("KLDivergence", "kl_divergence"),
        loss_metric("Hinge", "hinge"),
        loss_metric("BinaryCrossentropy", "binary_crossentropy"),
        loss_metric("CategoricalCrossentropy", "categorical_crossentropy"),
        loss_metric("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"),
    ]
}

/// Class names and aliases (case-sensitive, as Keras') to constructors.
static REGISTRY: Registry<Box<dyn Metric>> = Registry::new("metric", "keras.metrics", exact, builtins);

/// Registers a user metric class, so [`deserialize`] (and so `load_model`)
/// finds it by `class_name`; `factory` builds it from its config (the JSON
/// its [`Metric::get_config`] wrote).
pub fn register_metric(class_name: &str, factory: impl Fn(&Value) -> Result<Box<dyn Metric>> + Send + Sync + 'static) {
    REGISTRY.register(class_name, Arc::new(factory));
}

/// Keras' serialized form of a metric:
/// `{"module": "keras.metrics", "class_name": ..., "config": {...}, "registered_name": null}`
/// (a user class gets `"registered_name": "Custom>Name"`). keraslike's
/// shape-resolving [`Accuracy`] is written as the name `"accuracy"` (or
/// `"acc"`, as it was named), which is how Keras' compile config holds it.
pub fn serialize(metric: &dyn Metric) -> Value {
    if metric.class_name() == Accuracy::CLASS {
        if ["accuracy", "acc"].contains(&metric.name().to_lowercase().as_str()) {
            return Value::String(metric.name().to_string());
        }
        return json!({"module": "keraslike.metrics", "class_name": Accuracy::CLASS,
            "config": metric.get_config(), "registered_name": KERASLIKE_ACCURACY});
    }
    REGISTRY.serialize(metric.class_name(), metric.get_config())
}

/// The metric a Keras object, a Keras 2 `{"class_name", "config"}` or a name
/// describes, validated; `loss` (the compiled loss) resolves `"accuracy"`.
/// A name gives the metric named by that string (see [`get`]).
///
/// ```
/// use keraslike::losses::BinaryCrossentropy;
/// use keraslike::metrics::{self, Metric};
/// let loss = BinaryCrossentropy::new();
/// let acc = metrics::deserialize(&serde_json::json!("acc"), Some(&loss)).unwrap();
/// assert_eq!((acc.class_name(), acc.name()), ("BinaryAccuracy", "acc"));
/// let auc = serde_json::json!({"class_name": "AUC", "config": {"num_thresholds": 50}});
/// assert_eq!(metrics::deserialize(&auc, None).unwrap().get_config()["num_thresholds"], 50);
/// ```
pub fn deserialize(v: &Value, loss: Option<&dyn losses::Loss>) -> Result<Box<dyn Metric>> {
    deserialize_with(v, loss.map(|l| l.class_name()))
}

/// [`deserialize`] with the loss given by name, alias or class name.
fn deserialize_with(v: &Value, loss_name: Option<&str>) -> Result<Box<dyn Metric>> {
    let obj = read_object("metric", v)?;
    if obj.from_name {
        return from_name(&obj.class_name, &obj.class_name, loss_name);
    }
    REGISTRY.resolve(&obj)
}

/// The metric named `name` (see [`get`]), shown in logs as `as_name`.
pub(crate) fn from_name(name: &str, as_name: &str, loss_name: Option<&str>) -> Result<Box<dyn Metric>> {
    let lower = name.to_lowercase();
    if lower == "accuracy" || lower == "acc" {
        return Ok(match loss_name.and_then(losses::canonical_name) {
            Some("binary_crossentropy") => Box::new(BinaryAccuracy::new().with_name(as_name)),
            Some("sparse_categorical_crossentropy") => Box::new(SparseCategoricalAccuracy::new().with_name(as_name)),
            Some("categorical_crossentropy") => Box::new(CategoricalAccuracy::new().with_name(as_name)),
            _ => Box::new(Accuracy::new().with_name(as_name)),
        });
    }
    if let Some((_, factory)) = REGISTRY.find(name) {
        return factory(&json!({ "name": as_name }));
    }
    if losses::canonical_name(name).is_some() {
        return Ok(Box::new(MeanMetricWrapper::from_loss(as_name, losses::get(name)?)));
    }
    let (all, shown) = REGISTRY.known_names();
    let loss_names = losses::known_names();
    let candidates = ["accuracy", "acc"]
        .into_iter()
        .chain(all.iter().map(String::as_str))
        .chain(loss_names.iter().copied());
    Err(Error::arg(format!(
        "unknown metric {name:?}{} Known metrics: accuracy, acc, {}, and the loss names (mape, \
         binary_crossentropy, categorical_crossentropy, ...), or pass a metric object",
        did_you_mean_or_stop(name, candidates),
        shown.join(", ")
    )))
}

/// The metric named `name`. `"accuracy"`/`"acc"` (any case) resolve from
/// the compiled loss (a loss name, alias or class name):
/// `binary_crossentropy` gives [`BinaryAccuracy`],
/// `sparse_categorical_crossentropy` [`SparseCategoricalAccuracy`],
/// `categorical_crossentropy` [`CategoricalAccuracy`]; any other loss gives
/// [`Accuracy`], which picks by the shapes of the first batch the way Keras 3
/// does (Keras 3 itself always decides by shapes; for these three losses the
/// two rules agree on every valid input).
///
/// Any loss name (and alias) is also a metric: the running mean of its
/// per-sample values. The metric keeps the name it was asked for. An
/// unknown name suggests the closest known one.
///
/// ```
/// use keraslike::metrics;
/// assert_eq!(metrics::get("acc", "bce").unwrap().name(), "acc");
/// assert_eq!(metrics::get("mse", "mse").unwrap().name(), "mse");
/// let err = metrics::get("accuracyy", "mse").err().unwrap().to_string();
/// assert!(err.contains("did you mean \"accuracy\"") && err.contains("sparse_categorical_accuracy"), "{err}");
/// ```
pub fn get(name: &str, loss_name: &str) -> Result<Box<dyn Metric>> {
    from_name(name, name, Some(loss_name))
}

/// Anything `compile` accepts as its metrics: names, serialized metrics or
/// metric objects. Resolving validates the options.
pub trait IntoMetrics {
    /// Resolves every metric, given the compiled loss's name, alias or class
    /// name (for `"accuracy"`).
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
impl IntoMetrics for &[Value] {
    fn into_metrics(self, loss_name: &str) -> Result<Vec<Box<dyn Metric>>> {
        self.iter().map(|v| deserialize_with(v, Some(loss_name))).collect()
    }
}
impl IntoMetrics for Vec<Box<dyn Metric>> {
    fn into_metrics(self, _: &str) -> Result<Vec<Box<dyn Metric>>> {
        for m in &self {
            m.validate()?;
        }
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

/// Implements [`Metric`] for a struct defined by `metric_type!` with a `mean: Mean`
/// state, given the expression for its per-sample (or per-element) values.
macro_rules! impl_mean_metric {
    ($ty:ty, |$s:ident, $yt:ident, $yp:ident| $values:expr) => {
        impl $crate::metrics::Metric for $ty {
            $crate::metrics::config::metric_common!();
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
        for n in [
            "categorical_accuracy",
            "sparse_categorical_accuracy",
            "binary_accuracy",
            "top_k_categorical_accuracy",
            "sparse_top_k_categorical_accuracy",
            "precision",
            "recall",
            "auc",
        ] {
            assert_eq!(get(n, "mse").unwrap().name(), n);
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
