//! scikit-learn's common interface as traits (`sklearn.base`).
//!
//! - [`Estimator`]: `get_params` / `set_params` by scikit-learn name and
//!   [`clone`] (a copy with the same parameters and no fitted state).
//! - [`Predictor`]: supervised `fit` / `predict` / `score`, with `y` of type
//!   [`Predictor::Y`]: labels (`Array1<L>`) for classifiers, `(n, n_outputs)`
//!   values (`Array2<f64>`) for regressors. `cross_val_score`,
//!   `GridSearchCV` and `Pipeline` work with any predictor.
//! - [`Classifier`] adds `classes` and `predict_proba`; [`Regressor`] marks
//!   the regressors (default score R²).
//! - [`Transformer`]: `fit` / `transform` / `fit_transform` /
//!   `inverse_transform` on features, object-safe so a `Pipeline` holds
//!   `Box<dyn Transformer>` steps.
//!
//! The concrete types also have inherent methods with the same names that
//! take anything convertible (`impl Into<Features>`, label slices, ...);
//! the trait methods take [`Features`] and `&Self::Y`, for generic code.
//!
//! ```
//! use sklearnlike::base::{clone, Estimator};
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions};
//! use sklearnlike::param::Param;
//! # fn main() -> sklearnlike::Result<()> {
//! let mut clf = MlpClassifier::<i64>::new(MlpOptions::default());
//! clf.set_param("alpha", Param::from(1e-3))?;
//! clf.set_param("hidden_layer_sizes", Param::from(vec![50, 20]))?;
//! let copy = clone(&clf);
//! assert_eq!(copy.get_params().get("alpha"), Some(&Param::Float(1e-3)));
//! assert_eq!(copy.get_params().get("hidden_layer_sizes").unwrap().to_string(), "(50, 20)");
//! assert!(clf.set_param("alpah", Param::from(1.0)).unwrap_err().to_string().contains("Did you mean 'alpha'?"));
//! # Ok(()) }
//! ```

use crate::data::Features;
use crate::metrics::Scoring;
use crate::param::{Param, Params};
use crate::Result;
use ndarray::{Array1, Array2, Axis};
use serde::{de::DeserializeOwned, Serialize};

/// What a class label must support: ordering (for `classes_`), cloning,
/// printing and (de)serialization (for save/load). Implemented for every
/// such type, e.g. `i64`, `u32`, `String`, `bool`.
pub trait Label: Clone + Ord + std::fmt::Debug + Serialize + DeserializeOwned + 'static {}
impl<T: Clone + Ord + std::fmt::Debug + Serialize + DeserializeOwned + 'static> Label for T {}

/// An estimator's parameters (`BaseEstimator`).
pub trait Estimator {
    /// scikit-learn's class name (`"MLPClassifier"`), used in messages and
    /// for `make_pipeline`'s step names (lowercased).
    fn class_name(&self) -> &'static str;

    /// Every parameter by scikit-learn name (`get_params()`); a pipeline's
    /// are `step__param`.
    fn get_params(&self) -> Params;

    /// Sets one parameter by name. Unknown names are an error listing the
    /// valid ones; values are checked for type (ranges are checked by `fit`,
    /// as scikit-learn does).
    fn set_param(&mut self, name: &str, value: Param) -> Result<()>;

    /// Sets several parameters (`set_params(**params)`), in name order.
    fn set_params(&mut self, params: &Params) -> Result<()> {
        for (name, value) in params.iter() {
            self.set_param(name, value.clone())?;
        }
        Ok(())
    }

    /// A new estimator with the same parameters and no fitted state
    /// (`sklearn.base.clone`).
    fn clone_unfitted(&self) -> Self
    where
        Self: Sized;
}

/// `sklearn.base.clone`: the same parameters, not fitted.
pub fn clone<E: Estimator>(estimator: &E) -> E {
    estimator.clone_unfitted()
}

/// The `y` of a supervised estimator: rows can be selected (for splits)
/// and classification targets give class codes (for stratification).
pub trait TargetData: Clone {
    /// The number of samples.
    fn n_samples(&self) -> usize;
    /// The samples at `rows`, in that order.
    fn select(&self, rows: &[usize]) -> Self;
    /// Class codes `0..k` in sorted-label order for classification targets
    /// (so `cv=5` means `StratifiedKFold`), `None` for regression targets.
    fn class_codes(&self) -> Option<Vec<usize>>;
}

impl<L: Label> TargetData for Array1<L> {
    fn n_samples(&self) -> usize {
        self.len()
    }
    fn select(&self, rows: &[usize]) -> Self {
        rows.iter().map(|&r| self[r].clone()).collect()
    }
    fn class_codes(&self) -> Option<Vec<usize>> {
        let mut classes: Vec<&L> = self.iter().collect();
        classes.sort();
        classes.dedup();
        Some(
            self.iter()
                .map(|l| classes.binary_search(&l).expect("every label is in its own class list"))
                .collect(),
        )
    }
}

impl TargetData for Array2<f64> {
    fn n_samples(&self) -> usize {
        self.nrows()
    }
    fn select(&self, rows: &[usize]) -> Self {
        self.view().select(Axis(0), rows)
    }
    fn class_codes(&self) -> Option<Vec<usize>> {
        None
    }
}

/// What converts into a predictor's `y` (`Predictor::Y`): label slices,
/// `Vec`s and `Array1`s for classifiers (`Array1<L>`), value slices and 1-D
/// or 2-D arrays for regressors (`Array2<f64>`, one column per output).
/// Used by `cross_val_score`, `GridSearchCV`, `Pipeline` and
/// `train_test_split`.
pub trait IntoTargets<Y> {
    /// The targets as `Y` (a copy).
    fn into_targets(self) -> Result<Y>;
}

impl<L: Label> IntoTargets<Array1<L>> for &[L] {
    fn into_targets(self) -> Result<Array1<L>> {
        Ok(Array1::from(self.to_vec()))
    }
}
impl<L: Label> IntoTargets<Array1<L>> for &Vec<L> {
    fn into_targets(self) -> Result<Array1<L>> {
        Ok(Array1::from(self.clone()))
    }
}
impl<L: Label, const N: usize> IntoTargets<Array1<L>> for &[L; N] {
    fn into_targets(self) -> Result<Array1<L>> {
        Ok(Array1::from(self.to_vec()))
    }
}
impl<L: Label> IntoTargets<Array1<L>> for &Array1<L> {
    fn into_targets(self) -> Result<Array1<L>> {
        Ok(self.clone())
    }
}
impl<L: Label> IntoTargets<Array1<L>> for Array1<L> {
    fn into_targets(self) -> Result<Array1<L>> {
        Ok(self)
    }
}
impl<'a, T: Into<crate::data::Targets<'a>>> IntoTargets<Array2<f64>> for T {
    fn into_targets(self) -> Result<Array2<f64>> {
        Ok(self.into().view()?.to_owned())
    }
}

/// A supervised estimator: classifiers and regressors, and pipelines and
/// searches ending in one.
pub trait Predictor: Estimator {
    /// The targets: `Array1<L>` (labels) or `Array2<f64>` (`(n, n_outputs)`).
    type Y: TargetData;

    /// Trains on `x` and `y`, from scratch unless `warm_start` says otherwise.
    fn fit(&mut self, x: Features<'_>, y: &Self::Y) -> Result<()>;

    /// Trains with one weight per sample (`fit(X, y, sample_weight=w)`).
    fn fit_weighted(&mut self, x: Features<'_>, y: &Self::Y, sample_weight: &[f64]) -> Result<()>;

    /// Predictions for `x`.
    fn predict(&self, x: Features<'_>) -> Result<Self::Y>;

    /// The score named by `scoring` on `x`, `y` (higher is better: errors are
    /// negated, as scikit-learn's `neg_*` scorers). [`Scoring::Default`] is
    /// the estimator's own `score`.
    fn score_with(&self, x: Features<'_>, y: &Self::Y, scoring: &Scoring) -> Result<f64>;

    /// The estimator's own score: accuracy for classifiers, R² for regressors.
    fn score(&self, x: Features<'_>, y: &Self::Y) -> Result<f64> {
        self.score_with(x, y, &Scoring::Default)
    }
}

/// A classifier with labels of type `L`.
pub trait Classifier<L: Label>: Predictor<Y = Array1<L>> {
    /// The sorted class labels (`classes_`); empty before `fit`.
    fn classes(&self) -> &[L];
    /// Class probabilities, `(n_samples, n_classes)` in `classes()` order.
    fn predict_proba(&self, x: Features<'_>) -> Result<Array2<f64>>;
}

/// A regressor (targets `(n_samples, n_outputs)`).
pub trait Regressor: Predictor<Y = Array2<f64>> {}

/// A feature transformer (scalers, encoders), usable as a pipeline step.
pub trait Transformer: Estimator {
    /// Learns what `transform` needs from `x` (`fit(X)`).
    fn fit(&mut self, x: Features<'_>) -> Result<()>;
    /// The transformed features.
    fn transform(&self, x: Features<'_>) -> Result<Array2<f64>>;
    /// `fit(x)` then `transform(x)`.
    fn fit_transform(&mut self, x: Features<'_>) -> Result<Array2<f64>> {
        Transformer::fit(self, Features::from(&x))?;
        self.transform(x)
    }
    /// Maps transformed features back to the original space.
    fn inverse_transform(&self, x: Features<'_>) -> Result<Array2<f64>>;
    /// An unfitted copy with the same parameters, boxed (a pipeline's clone).
    fn clone_transformer(&self) -> Box<dyn Transformer>;
}
