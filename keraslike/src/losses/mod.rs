//! Losses with Keras 3's names, defaults and formulas.
//!
//! A [`Loss`] maps `(y_true, y_pred)` to one value per sample, shape
//! `(batch,)`; the model averages them over the batch (Keras'
//! `sum_over_batch_size`), applying sample weights when given
//! ([`Loss::call`] does exactly that).
//!
//! | name (aliases) | type | per sample |
//! |---|---|---|
//! | `categorical_crossentropy` | [`CategoricalCrossentropy`] | `-sum(y * log(clip(p)))` over classes |
//! | `sparse_categorical_crossentropy` | [`SparseCategoricalCrossentropy`] | same, integer labels |
//! | `binary_crossentropy` (`bce`) | [`BinaryCrossentropy`] | mean over the last axis |
//! | `mean_squared_error` (`mse`) | [`MeanSquaredError`] | `mean((y - p)²)` |
//! | `mean_absolute_error` (`mae`) | [`MeanAbsoluteError`] | `mean(|y - p|)` |
//! | `mean_absolute_percentage_error` (`mape`) | [`MeanAbsolutePercentageError`] | `100 mean(|y - p| / max(|y|, ε))` |
//! | `huber` | [`Huber`] | quadratic within `delta`, linear outside |
//! | `kl_divergence` (`kld`) | [`KLDivergence`] | `sum(y log(y / p))`, both clipped to `[ε, 1]` |
//! | `hinge` | [`Hinge`] | `mean(max(1 - y p, 0))`, 0/1 labels mapped to -1/1 |
//!
//! Keras' class names (`"MeanSquaredError"`, ...) are accepted by [`get`] too.
//! `ε` is Keras' `backend.epsilon()`, [`EPSILON`] = 1e-7.
//!
//! **Configuration.** Each loss has chained setters on `new()`
//! (`CategoricalCrossentropy::new().from_logits(true).label_smoothing(0.1)`)
//! and a config struct with Keras' field names ([`CategoricalCrossentropyConfig`],
//! ...), which is both its `get_config()` and its `from_config()`;
//! [`serialize`] and [`deserialize`] go to and from Keras' serialized form,
//! and [`register_loss`] adds a user class. Options are validated once
//! ([`Loss::validate`]: by `from_config` and `compile`), not per batch.
//!
//! **Shapes.** As in Keras' `LossFunctionWrapper`, `y_true` of shape
//! `(batch,)` against `y_pred` of shape `(batch, 1)` (or the reverse) is
//! expanded to match; a rank-1 `y_pred` is one value per sample. Inputs with
//! more than two axes give per-sample means over all non-batch axes (the same
//! batch average as Keras' mean over the last axis followed by its
//! `sum_over_batch_size`).
//!
//! ```
//! use keraslike::losses::{self, Loss};
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y_true = Tensor::new(&[0.0f32, 1.0, 0.0, 0.0], &[2, 2])?;
//! let y_pred = Tensor::new(&[1.0f32, 1.0, 1.0, 0.0], &[2, 2])?;
//! let mse = losses::get("mse")?;
//! assert_eq!(mse.per_sample(&y_true, &y_pred)?.to_vec::<f32>()?, vec![0.5, 0.5]);
//! assert_eq!(mse.call(&y_true, &y_pred, None)?.to_scalar::<f32>()?, 0.5);
//! # Ok(()) }
//! ```

mod binary_crossentropy;
mod categorical_crossentropy;
pub(crate) mod config;
mod hinge;
mod huber;
mod kl_divergence;
pub(crate) mod mean_absolute_error;
mod mean_absolute_percentage_error;
pub(crate) mod mean_squared_error;
mod sparse_categorical_crossentropy;

pub use binary_crossentropy::{BinaryCrossentropy, BinaryCrossentropyConfig};
pub use categorical_crossentropy::{CategoricalCrossentropy, CategoricalCrossentropyConfig};
pub use config::SUM_OVER_BATCH_SIZE;
pub use hinge::{Hinge, HingeConfig};
pub use huber::{Huber, HuberConfig};
pub use kl_divergence::{KLDivergence, KLDivergenceConfig};
pub use mean_absolute_error::{MeanAbsoluteError, MeanAbsoluteErrorConfig};
pub use mean_absolute_percentage_error::{MeanAbsolutePercentageError, MeanAbsolutePercentageErrorConfig};
pub use mean_squared_error::{MeanSquaredError, MeanSquaredErrorConfig};
pub use sparse_categorical_crossentropy::{SparseCategoricalCrossentropy, SparseCategoricalCrossentropyConfig};

use crate::saving::registry::{exact, Entry, Registry};
use crate::saving::{config_from_value, read_object};
use crate::{Error, Result};
use serde_json::Value;
use std::sync::Arc;
use tensorlow::Tensor;

/// Keras' fuzz factor `backend.epsilon()`: probabilities are clipped to
/// `[EPSILON, 1 - EPSILON]` before their log.
pub const EPSILON: f64 = 1e-7;

/// A loss function (`keras.losses.Loss`). Losses are `Send + Sync`, so a
/// compiled model can move to another thread.
pub trait Loss: Send + Sync {
    /// The loss's name (Keras' `name`, e.g. `"categorical_crossentropy"`).
    fn name(&self) -> &str;
    /// The Keras class name, e.g. `"CategoricalCrossentropy"` (what
    /// [`serialize`] writes and [`register_loss`] registers). Defaults to
    /// the Rust type's name.
    fn class_name(&self) -> &str {
        crate::saving::object::short_type_name(std::any::type_name::<Self>())
    }
    /// Per-sample losses of shape `(batch,)`.
    fn per_sample(&self, y_true: &Tensor, y_pred: &Tensor) -> Result<Tensor>;
    /// The loss's config (Keras' `get_config()`); [`serialize`] wraps it
    /// with the class name.
    fn get_config(&self) -> Value {
        serde_json::json!({ "name": self.name(), "reduction": SUM_OVER_BATCH_SIZE })
    }
    /// Checks the options once (run by `from_config` and `compile`; the
    /// per-batch code assumes valid options).
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    /// The batch loss, a scalar: Keras' `loss(y_true, y_pred, sample_weight)`
    /// with its default `sum_over_batch_size` reduction, i.e.
    /// `sum(per_sample * sample_weight) / batch` (divided by the batch size,
    /// not by the sum of the weights, as in Keras).
    ///
    /// `sample_weight` has shape `(batch,)` or `(batch, 1)`.
    fn call(&self, y_true: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<Tensor> {
        let per_sample = self.per_sample(y_true, y_pred)?;
        match sample_weight {
            None => Ok(per_sample.mean_all()?),
            Some(w) => {
                let n = per_sample.elem_count();
                if w.elem_count() != n || w.rank() > 2 {
                    return Err(Error::shape(format!(
                        "{}: sample_weight must have shape ({n},) to match the batch, got {:?}",
                        self.name(),
                        w.shape()
                    )));
                }
                let w = w.reshape(&[n])?.cast(per_sample.dtype())?;
                Ok(per_sample.mul(&w)?.sum_all()?.affine(1.0 / n as f64, 0.0)?)
            }
        }
    }
}

/// Anything `compile` accepts as a loss: a Keras name, a serialized loss or
/// a loss object. Resolving validates the options, so a bad one fails at
/// `compile`.
pub trait IntoLoss {
    /// Resolves to a boxed, validated loss (an unknown name is an error
    /// suggesting the closest known one).
    fn into_loss(self) -> Result<Box<dyn Loss>>;
}
impl IntoLoss for &str {
    fn into_loss(self) -> Result<Box<dyn Loss>> {
        get(self)
    }
}
impl IntoLoss for &Value {
    fn into_loss(self) -> Result<Box<dyn Loss>> {
        deserialize(self)
    }
}
impl IntoLoss for Box<dyn Loss> {
    fn into_loss(self) -> Result<Box<dyn Loss>> {
        self.validate()?;
        Ok(self)
    }
}
impl<L: Loss + 'static> IntoLoss for L {
    fn into_loss(self) -> Result<Box<dyn Loss>> {
        self.validate()?;
        Ok(Box::new(self))
    }
}

/// The built-in losses: Keras class name, then the names Keras 3's
/// `losses.get` also resolves to it (its function name first, then short
/// aliases; case-sensitive, like Keras).
const CLASSES: &[(&str, &[&str])] = &[
    ("CategoricalCrossentropy", &["categorical_crossentropy"]),
    ("SparseCategoricalCrossentropy", &["sparse_categorical_crossentropy"]),
    ("BinaryCrossentropy", &["binary_crossentropy", "bce", "BCE"]),
    ("MeanSquaredError", &["mean_squared_error", "mse", "MSE"]),
    ("MeanAbsoluteError", &["mean_absolute_error", "mae", "MAE"]),
    (
        "MeanAbsolutePercentageError",
        &["mean_absolute_percentage_error", "mape", "MAPE"],
    ),
    ("Huber", &["huber", "huber_loss"]),
    (
        "KLDivergence",
        &["kl_divergence", "kld", "KLD", "kullback_leibler_divergence"],
    ),
    ("Hinge", &["hinge"]),
];

/// The canonical Keras function name for a loss name, alias or class name
/// (`"mse"` -> `"mean_squared_error"`, `"huber_loss"` -> `"huber"`,
/// `"CategoricalCrossentropy"` -> `"categorical_crossentropy"`), or `None`
/// for an unknown name. Metrics use it to resolve `"accuracy"`.
pub fn canonical_name(name: &str) -> Option<&'static str> {
    CLASSES
        .iter()
        .find(|(class, aliases)| *class == name || aliases.contains(&name))
        .map(|(_, aliases)| aliases[0])
}

/// Every built-in loss name: class names and aliases.
pub(crate) fn known_names() -> Vec<&'static str> {
    CLASSES
        .iter()
        .flat_map(|(class, aliases)| std::iter::once(*class).chain(aliases.iter().copied()))
        .collect()
}

/// A registry entry for a built-in loss.
macro_rules! builtin {
    ($t:ident) => {
        Entry::builtin(
            $t::CLASS,
            CLASSES
                .iter()
                .find(|(c, _)| *c == $t::CLASS)
                .map_or(&[][..], |(_, a)| *a),
            |c: &Value| -> Result<Box<dyn Loss>> { Ok(Box::new($t::from_config(config_from_value($t::CLASS, c)?)?)) },
        )
    };
}

fn builtins() -> Vec<Entry<Box<dyn Loss>>> {
    vec![
        builtin!(CategoricalCrossentropy),
        builtin!(SparseCategoricalCrossentropy),
        builtin!(BinaryCrossentropy),
        builtin!(MeanSquaredError),
        builtin!(MeanAbsoluteError),
        builtin!(MeanAbsolutePercentageError),
        builtin!(Huber),
        builtin!(KLDivergence),
        builtin!(Hinge),
    ]
}

/// Class names and aliases (case-sensitive, as Keras') to constructors.
static REGISTRY: Registry<Box<dyn Loss>> = Registry::new("loss", "keras.losses", exact, builtins);

/// Registers a user loss class, so [`deserialize`] (and so `load_model`)
/// finds it by `class_name`; `factory` builds it from its config (the JSON
/// its [`Loss::get_config`] wrote).
pub fn register_loss(class_name: &str, factory: impl Fn(&Value) -> Result<Box<dyn Loss>> + Send + Sync + 'static) {
    REGISTRY.register(class_name, Arc::new(factory));
}

/// Keras' serialized form of a loss:
/// `{"module": "keras.losses", "class_name": ..., "config": {...}, "registered_name": null}`
/// (a user class gets `"registered_name": "Custom>Name"`).
pub fn serialize(loss: &dyn Loss) -> Value {
    REGISTRY.serialize(loss.class_name(), loss.get_config())
}

/// The loss a Keras object, a Keras 2 `{"class_name", "config"}`, Keras'
/// function form or a name describes, validated. Options missing from the
/// config take Keras' defaults; unknown ones are an error.
///
/// ```
/// use keraslike::losses::{self, Loss};
/// let v = serde_json::json!({"module": "keras.losses", "class_name": "CategoricalCrossentropy",
///     "config": {"from_logits": true, "label_smoothing": 0.1}, "registered_name": null});
/// let l = losses::deserialize(&v).unwrap();
/// assert_eq!(l.get_config()["from_logits"], true);
/// assert_eq!(losses::serialize(l.as_ref())["config"]["label_smoothing"], 0.1);
/// ```
pub fn deserialize(v: &Value) -> Result<Box<dyn Loss>> {
    REGISTRY.resolve(&read_object("loss", v)?)
}

/// The loss named `name` with Keras' defaults (`"mse"` and other aliases,
/// and class names, too); an unknown name suggests the closest known one.
///
/// ```
/// let l = keraslike::losses::get("kld").unwrap();
/// assert_eq!(l.name(), "kl_divergence");
/// let err = keraslike::losses::get("categorical_crossentropi").err().unwrap().to_string();
/// assert!(err.contains("did you mean \"categorical_crossentropy\"?"), "{err}");
/// ```
pub fn get(name: &str) -> Result<Box<dyn Loss>> {
    deserialize(&Value::String(name.to_string()))
}

/// Keras' `squeeze_or_expand_to_same_rank`: when the ranks differ by one
/// and the longer tensor ends in a size-1 axis, that axis is squeezed, or,
/// when the shorter one has rank 1 and `expand_rank_1`, the shorter one is
/// expanded instead.
pub(crate) fn squeeze_or_expand(x1: &Tensor, x2: &Tensor, expand_rank_1: bool) -> Result<(Tensor, Tensor)> {
    let (r1, r2) = (x1.rank(), x2.rank());
    let (mut a, mut b) = (x1.clone(), x2.clone());
    if r1 == r2 + 1 && x1.shape()[r1 - 1] == 1 {
        if r2 == 1 && expand_rank_1 {
            b = b.expand_dims(-1)?;
        } else {
            a = a.squeeze(&[-1])?;
        }
    } else if r2 == r1 + 1 && x2.shape()[r2 - 1] == 1 {
        if r1 == 1 && expand_rank_1 {
            a = a.expand_dims(-1)?;
        } else {
            b = b.squeeze(&[-1])?;
        }
    }
    Ok((a, b))
}

/// Errors unless `y_pred` is a floating-point tensor with a batch axis.
pub(crate) fn check_pred(loss: &str, y_pred: &Tensor) -> Result<()> {
    if !y_pred.dtype().is_float() {
        return Err(Error::arg(format!(
            "{loss}: y_pred must be a float tensor (the model's output), got {}",
            y_pred.dtype()
        )));
    }
    if y_pred.rank() == 0 {
        return Err(Error::shape(format!(
            "{loss}: y_pred must have a batch axis, got a scalar"
        )));
    }
    Ok(())
}

/// The `(y_true, y_pred)` pair of an element-wise loss: `y_true` cast to
/// `y_pred`'s dtype, ranks matched like Keras, a rank-1 pair viewed as
/// `(batch, 1)`, and equal shapes required (a silent broadcast of
/// `(batch,)` against `(batch, n)` is the classic bug this catches).
pub(crate) fn align(loss: &str, y_true: &Tensor, y_pred: &Tensor) -> Result<(Tensor, Tensor)> {
    check_pred(loss, y_pred)?;
    let yt = y_true.cast(y_pred.dtype())?;
    let (mut yt, mut yp) = squeeze_or_expand(&yt, y_pred, true)?;
    if yt.shape() != yp.shape() {
        return Err(Error::shape(format!(
            "{loss}: y_true of shape {:?} does not match y_pred of shape {:?}; they must have the same shape",
            y_true.shape(),
            y_pred.shape()
        )));
    }
    if yp.rank() == 1 {
        yt = yt.expand_dims(-1)?;
        yp = yp.expand_dims(-1)?;
    }
    Ok((yt, yp))
}

/// Mean over every axis but the first: `(batch, ...)` -> `(batch,)`.
pub(crate) fn mean_per_sample(t: &Tensor) -> Result<Tensor> {
    if t.rank() <= 1 {
        return Ok(t.clone());
    }
    let axes: Vec<isize> = (1..t.rank() as isize).collect();
    Ok(t.mean(&axes, false)?)
}

/// Resolves a class/reduction `axis` and refuses the batch axis.
pub(crate) fn non_batch_axis(loss: &str, axis: isize, t: &Tensor) -> Result<usize> {
    let a = t.axis(axis).map_err(|e| Error::arg(format!("{loss}: {e}")))?;
    if a == 0 {
        return Err(Error::arg(format!(
            "{loss}: axis={axis} is the batch axis of y_pred {:?}; use the class axis (default -1)",
            t.shape()
        )));
    }
    Ok(a)
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Helpers for the loss tests: f64 tensors, closeness, and a central
    //! finite-difference check of the gradient with respect to `y_pred`.
    use super::Loss;
    use tensorlow::{Device, GradientTape, Tensor};

    pub fn t(v: &[f64], shape: &[usize]) -> Tensor {
        Tensor::from_vec(v.to_vec(), shape, &Device::cpu()).unwrap()
    }

    pub fn assert_close(got: &[f64], want: &[f64], tol: f64) {
        assert_eq!(got.len(), want.len(), "got {got:?}, want {want:?}");
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() <= tol * (1.0 + w.abs()), "got {got:?}, want {want:?}");
        }
    }

    pub fn per_sample(loss: &dyn Loss, y_true: &Tensor, y_pred: &Tensor) -> Vec<f64> {
        let l = loss.per_sample(y_true, y_pred).unwrap();
        assert_eq!(l.shape(), &[y_pred.shape()[0]], "per_sample must return (batch,)");
        l.to_vec::<f64>().unwrap()
    }

    /// The tape's gradient of `sum(per_sample)` with respect to `y_pred`.
    pub fn tape_grad(loss: &dyn Loss, y_true: &Tensor, y_pred: &Tensor) -> Vec<f64> {
        let x = y_pred.stop_gradient();
        let tape = GradientTape::new();
        tape.watch(&x);
        let l = loss.per_sample(y_true, &x).unwrap().sum_all().unwrap();
        let g = tape.gradient(&l, &[&x]).unwrap()[0]
            .clone()
            .expect("loss depends on y_pred");
        g.to_vec::<f64>().unwrap()
    }

    /// Compares the tape's gradient with central differences (step 1e-6, f64).
    pub fn check_grad(loss: &dyn Loss, y_true: &Tensor, y_pred: &[f64], shape: &[usize]) {
        let g = tape_grad(loss, y_true, &t(y_pred, shape));
        let h = 1e-6;
        let f = |v: &[f64]| -> f64 { per_sample(loss, y_true, &t(v, shape)).iter().sum() };
        for i in 0..y_pred.len() {
            let (mut up, mut dn) = (y_pred.to_vec(), y_pred.to_vec());
            up[i] += h;
            dn[i] -= h;
            let fd = (f(&up) - f(&dn)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() <= 1e-5 * (1.0 + fd.abs()),
                "{}: d/dy_pred[{i}] tape {} vs finite difference {fd} (all: {g:?})",
                loss.name(),
                g[i]
            );
        }
    }
}

#[cfg(test)]
mod tests {
    // Every loss test's expected numbers come from this script (Keras 3.15.1 with the
    // TensorFlow backend, eager, float64; tensorflow-cpu from PyPI), or by hand:
    //   import os; os.environ["TF_CPP_MIN_LOG_LEVEL"]="3"
    //   import numpy as np, keras
    //   np.set_printoptions(precision=17)
    //   def show(name, v): print(name, repr([float(x) for x in np.asarray(v).ravel()]))
    //   L = keras.losses
    //   def ps(loss, yt, yp): return loss(np.array(yt, "float64"), np.array(yp, "float64"))
    //   keras.backend.set_floatx("float64")
    //   # categorical
    //   yt=[[0,1,0],[0,0,1]]; yp=[[0.05,0.95,0],[0.1,0.8,0.1]]
    //   show("cce", ps(L.CategoricalCrossentropy(reduction=None), yt, yp))
    //   show("cce_ls", ps(L.CategoricalCrossentropy(label_smoothing=0.1, reduction=None), yt, yp))
    //   lg=[[1.0,2.0,3.0],[0.5,-1.0,2.0]]
    //   show("cce_logits", ps(L.CategoricalCrossentropy(from_logits=True, reduction=None), yt, lg))
    //   show("cce_logits_ls", ps(L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2, reduction=None), yt, lg))
    //   # unnormalized probabilities are renormalized
    //   show("cce_unnorm", ps(L.CategoricalCrossentropy(reduction=None), yt, [[0.1,0.5,0.4],[1.0,2.0,1.0]]))
    //   # sparse
    //   show("scce", ps(L.SparseCategoricalCrossentropy(reduction=None), [1,2], yp))
    //   show("scce_logits", ps(L.SparseCategoricalCrossentropy(from_logits=True, reduction=None), [[1],[2]], lg))
    //   # binary
    //   yt=[[0,1],[0,0]]; yp=[[0.6,0.4],[0.4,0.6]]
    //   show("bce", ps(L.BinaryCrossentropy(reduction=None), yt, yp))
    //   show("bce_ls", ps(L.BinaryCrossentropy(label_smoothing=0.2, reduction=None), yt, yp))
    //   show("bce_clip", ps(L.BinaryCrossentropy(reduction=None), [[1],[0],[1]], [[1.0],[1.0],[0.3]]))
    //   blg=[[-18.6,0.51],[2.94,-12.8]]
    //   show("bce_logits", ps(L.BinaryCrossentropy(from_logits=True, reduction=None), yt, blg))
    //   show("bce_logits_ls", ps(L.BinaryCrossentropy(from_logits=True, label_smoothing=0.2, reduction=None), yt, blg))
    //   # regression
    //   yt=[[0.5,1.0,-2.0],[3.0,0.0,1.5]]; yp=[[1.0,1.0,0.5],[2.0,0.25,-1.0]]
    //   show("mse", ps(L.MeanSquaredError(reduction=None), yt, yp))
    //   show("mae", ps(L.MeanAbsoluteError(reduction=None), yt, yp))
    //   show("mape", ps(L.MeanAbsolutePercentageError(reduction=None), yt, yp))
    //   show("huber", ps(L.Huber(reduction=None), yt, yp))
    //   show("huber_d2", ps(L.Huber(delta=2.0, reduction=None), yt, yp))
    //   # kld
    //   yt=[[0.2,0.8,0.0],[0.5,0.25,0.25]]; yp=[[0.3,0.6,0.1],[0.0,0.5,0.5]]
    //   show("kld", ps(L.KLDivergence(reduction=None), yt, yp))
    //   # hinge
    //   yp=[[0.6,-0.4,1.5],[0.2,0.9,-2.0]]
    //   show("hinge01", ps(L.Hinge(reduction=None), [[0,1,1],[1,0,0]], yp))
    //   show("hinge_pm", ps(L.Hinge(reduction=None), [[-1,1,1],[1,-1,-1]], yp))
    //   show("hinge_nonbin", ps(L.Hinge(reduction=None), [[0,1,2],[1,0,0]], yp))

    use super::testutil::*;
    use super::*;

    #[test]
    fn get_knows_every_name_and_alias() {
        for (class, aliases) in CLASSES {
            for name in std::iter::once(class).chain(aliases.iter()) {
                let l = get(name).unwrap();
                assert_eq!(l.class_name(), *class, "{name}");
                // Huber's own name is Keras' class default "huber_loss", an alias of "huber".
                assert_eq!(canonical_name(l.name()), Some(aliases[0]), "{name}");
                assert_eq!(canonical_name(class), Some(aliases[0]));
            }
        }
        let err = get("mean_square_error").err().unwrap().to_string();
        assert!(
            err.contains("unknown loss \"mean_square_error\"; did you mean \"mean_squared_error\"? Known losses:")
                && err.contains("hinge"),
            "{err}"
        );
    }

    #[test]
    fn call_reduces_like_sum_over_batch_size() {
        // per-sample mse = [0.5, 2.0]; weights [2, 0] -> (1.0 + 0) / 2 = 0.5.
        let mse = MeanSquaredError::new();
        let yt = t(&[0.0, 1.0, 0.0, 0.0], &[2, 2]);
        let yp = t(&[1.0, 1.0, 2.0, 0.0], &[2, 2]);
        assert_close(
            &[mse.call(&yt, &yp, None).unwrap().to_scalar::<f64>().unwrap()],
            &[1.25],
            1e-12,
        );
        let w = t(&[2.0, 0.0], &[2, 1]);
        let l = mse.call(&yt, &yp, Some(&w)).unwrap().to_scalar::<f64>().unwrap();
        assert_close(&[l], &[0.5], 1e-12);
        assert!(mse.call(&yt, &yp, Some(&t(&[1.0; 3], &[3]))).is_err());
    }

    #[test]
    fn shapes_are_matched_like_keras() {
        // (batch,) against (batch, 1): one value per sample.
        let l = per_sample(
            &MeanSquaredError::new(),
            &t(&[1.0, 2.0], &[2]),
            &t(&[0.0, 0.0], &[2, 1]),
        );
        assert_close(&l, &[1.0, 4.0], 1e-12);
        // A rank-1 pair: one value per sample too.
        let l = per_sample(&MeanSquaredError::new(), &t(&[1.0, 2.0], &[2]), &t(&[0.0, 0.0], &[2]));
        assert_close(&l, &[1.0, 4.0], 1e-12);
        // (batch,) against (batch, 3) is refused, not broadcast.
        let err = MeanSquaredError::new()
            .per_sample(&t(&[1.0, 2.0], &[2]), &t(&[0.0; 6], &[2, 3]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("[2]") && err.contains("[2, 3]"), "{err}");
        // Integer y_pred is refused.
        let yp = Tensor::new(&[1u32, 2], &[2]).unwrap();
        assert!(MeanSquaredError::new().per_sample(&t(&[1.0, 2.0], &[2]), &yp).is_err());
    }
}
