//! A running mean of any per-sample function, e.g. a loss used as a metric
//! (`keras.metrics.MeanMetricWrapper`).
//!
//! Keras' config holds the function (`"fn"`): a wrapper made from a
//! built-in loss with its default options writes Keras' function form
//! (`{"class_name": "function", "config": "mean_absolute_percentage_error", ..}`),
//! one from another loss writes that loss's serialized object, so both come
//! back from the config. A wrapper around a Rust closure has no config for
//! its function (`"fn": null`) and cannot be rebuilt from it.
//!
//! ```
//! use keraslike::losses::MeanAbsolutePercentageError;
//! use keraslike::metrics::{self, MeanMetricWrapper, Metric};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = MeanMetricWrapper::from_loss("mape", Box::new(MeanAbsolutePercentageError::new()));
//! m.update_state(&Tensor::new(&[2.0f32, 4.0], &[2])?, &Tensor::new(&[1.0f32, 5.0], &[2])?, None)?;
//! assert_eq!(m.result(), 37.5);
//! assert_eq!(m.get_config()["fn"]["config"], "mean_absolute_percentage_error");
//! let back = metrics::deserialize(&metrics::serialize(&m), None)?;
//! assert_eq!(back.name(), "mape");
//! # Ok(()) }
//! ```

use super::Mean;
use crate::losses::{self, Loss};
use crate::{Error, Result};
use serde_json::{json, Value};
use tensorlow::Tensor;

type ValuesFn = dyn Fn(&Tensor, &Tensor) -> Result<Tensor> + Send + Sync;

/// The weighted running mean of `f(y_true, y_pred)`, a tensor of per-sample
/// (or per-element) values.
pub struct MeanMetricWrapper {
    name: String,
    f: Box<ValuesFn>,
    /// Keras' serialized function, `Null` for a closure.
    function: Value,
    mean: Mean,
}

impl MeanMetricWrapper {
    /// The Keras class name.
    pub const CLASS: &'static str = "MeanMetricWrapper";

    /// Averages `f(y_true, y_pred)` under `name`.
    pub fn new(
        name: impl Into<String>,
        f: impl Fn(&Tensor, &Tensor) -> Result<Tensor> + Send + Sync + 'static,
    ) -> Self {
        MeanMetricWrapper {
            name: name.into(),
            f: Box::new(f),
            function: Value::Null,
            mean: Mean::new(),
        }
    }

    /// Averages a loss's per-sample values under `name` (Keras' metric
    /// versions of its losses: `"mse"`, `"binary_crossentropy"`, ...).
    pub fn from_loss(name: impl Into<String>, loss: Box<dyn Loss>) -> Self {
        let function = function_config(loss.as_ref());
        MeanMetricWrapper {
            function,
            ..Self::new(name, move |y_true, y_pred| loss.per_sample(y_true, y_pred))
        }
    }

    /// Renames the metric.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// Keras' `"fn"` for a loss: the function form for a built-in loss with its
/// default options (what Keras writes for `metrics=["mape"]`), else the
/// loss's serialized object.
fn function_config(loss: &dyn Loss) -> Value {
    let strip = |mut v: Value| {
        if let Some(m) = v.as_object_mut() {
            m.remove("name");
        }
        v
    };
    if let Some(canonical) = losses::canonical_name(loss.class_name()) {
        if let Ok(default) = losses::get(loss.class_name()) {
            if strip(default.get_config()) == strip(loss.get_config()) {
                return json!({"module": "builtins", "class_name": "function", "config": canonical,
                    "registered_name": "function"});
            }
        }
    }
    losses::serialize(loss)
}

/// Rebuilds a wrapper from Keras' config `{"name", "dtype", "fn"}`.
pub(crate) fn from_config(config: &Value) -> Result<Box<dyn super::Metric>> {
    let name = config
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("mean_metric_wrapper");
    for key in config.as_object().into_iter().flat_map(|m| m.keys()) {
        if !["name", "dtype", "fn"].contains(&key.as_str()) {
            return Err(Error::arg(format!(
                "MeanMetricWrapper: unknown option {key:?}; MeanMetricWrapper accepts name, dtype, fn"
            )));
        }
    }
    let dtype = config.get("dtype").and_then(Value::as_str).map(str::to_string);
    super::config::check_dtype(MeanMetricWrapper::CLASS, &dtype)?;
    let function = config.get("fn").cloned().unwrap_or(Value::Null);
    if function.is_null() {
        return Err(Error::arg(format!(
            "MeanMetricWrapper {name:?}: its function was not saved (a Rust closure); register a metric class \
             with metrics::register_metric and use it instead"
        )));
    }
    let f = crate::saving::read_object("metric function", &function)?;
    if f.from_name {
        // A loss function's name, or a metric function's (Keras' `fn=categorical_accuracy`).
        if losses::canonical_name(&f.class_name).is_some() {
            return Ok(Box::new(MeanMetricWrapper::from_loss(
                name,
                losses::get(&f.class_name)?,
            )));
        }
        return super::from_name(&f.class_name, name, None);
    }
    Ok(Box::new(MeanMetricWrapper::from_loss(
        name,
        losses::deserialize(&function)?,
    )))
}

impl std::fmt::Debug for MeanMetricWrapper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeanMetricWrapper")
            .field("name", &self.name)
            .field("fn", &self.function)
            .field("mean", &self.mean)
            .finish()
    }
}

impl super::Metric for MeanMetricWrapper {
    fn name(&self) -> &str {
        &self.name
    }
    fn class_name(&self) -> &str {
        Self::CLASS
    }
    fn get_config(&self) -> Value {
        json!({"name": self.name, "dtype": "float32", "fn": self.function})
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
