//! `cross_val_score` and `cross_validate`: fit a fresh copy of an
//! estimator ([`clone`](crate::base::clone)) on each training fold and
//! score it on the test fold.
//!
//! Scoring is by scikit-learn's name (`Some("f1_macro")`) or `None` for the
//! estimator's own score (accuracy, R²). A fit that fails is an error (not
//! scikit-learn's `error_score=nan`), so a bad parameter is not hidden.
//! Folds run one after the other (the estimators already use every core).
//!
//! ```
//! use sklearnlike::model_selection::cross_val_score;
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions, Solver};
//! # fn main() -> sklearnlike::Result<()> {
//! let x: Vec<[f64; 2]> = (0..40).map(|i| [(i % 2) as f64 + 0.1 * (i % 5) as f64, (i % 3) as f64]).collect();
//! let y: Vec<i64> = (0..40).map(|i| (i % 2) as i64).collect();
//! let clf = MlpClassifier::<i64>::new(MlpOptions::default().hidden_layer_sizes(&[4]).solver(Solver::Lbfgs).random_state(0));
//! let scores = cross_val_score(&clf, &x, &y, 4, Some("accuracy"))?;
//! assert_eq!(scores.len(), 4);
//! assert!(scores.mean().unwrap() > 0.9);
//! # Ok(()) }
//! ```

use super::kfold::Cv;
use crate::base::{IntoTargets, Predictor, TargetData};
use crate::data::Features;
use crate::metrics::Scoring;
use crate::Result;
use ndarray::{Array1, ArrayView2, Axis};
use std::time::Instant;

/// What `cross_validate` measured, one value per fold.
#[derive(Clone, Debug, PartialEq)]
pub struct CvScores {
    /// `test_score`.
    pub test_score: Array1<f64>,
    /// `train_score` (with `return_train_score`).
    pub train_score: Option<Array1<f64>>,
    /// `fit_time` in seconds.
    pub fit_time: Array1<f64>,
    /// `score_time` in seconds.
    pub score_time: Array1<f64>,
}

/// Fits and scores `estimator` on every fold of `cv` (`cross_validate`).
pub fn cross_validate<'a, E: Predictor>(
    estimator: &E,
    x: impl Into<Features<'a>>,
    y: impl IntoTargets<E::Y>,
    cv: impl Into<Cv>,
    scoring: Option<&str>,
    return_train_score: bool,
) -> Result<CvScores> {
    let x = x.into();
    let x = x.view()?;
    let y = y.into_targets()?;
    let scoring = Scoring::from_option(scoring)?;
    run_folds(estimator, x, &y, &cv.into(), &scoring, return_train_score, &mut |_| {
        Ok(())
    })
}

/// The test score of `estimator` on every fold of `cv` (`cross_val_score`).
pub fn cross_val_score<'a, E: Predictor>(
    estimator: &E,
    x: impl Into<Features<'a>>,
    y: impl IntoTargets<E::Y>,
    cv: impl Into<Cv>,
    scoring: Option<&str>,
) -> Result<Array1<f64>> {
    Ok(cross_validate(estimator, x, y, cv, scoring, false)?.test_score)
}

/// The fold loop shared with `GridSearchCV`; `prepare` sets parameters on
/// each fresh clone before it is fitted.
pub(crate) fn run_folds<E: Predictor>(
    estimator: &E,
    x: ArrayView2<'_, f64>,
    y: &E::Y,
    cv: &Cv,
    scoring: &Scoring,
    return_train_score: bool,
    prepare: &mut dyn FnMut(&mut E) -> Result<()>,
) -> Result<CvScores> {
    let n = x.nrows();
    if y.n_samples() != n {
        return Err(crate::Error::shape(format!(
            "X has {n} samples but y has {}; they must match",
            y.n_samples()
        )));
    }
    let folds = cv.folds(n, y.class_codes().as_deref())?;
    let (mut test, mut train, mut fit_t, mut score_t) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (tr, te) in &folds {
        let mut est = estimator.clone_unfitted();
        prepare(&mut est)?;
        let (x_tr, y_tr) = (x.select(Axis(0), tr), y.select(tr));
        let (x_te, y_te) = (x.select(Axis(0), te), y.select(te));
        let t0 = Instant::now();
        est.fit(Features::from(&x_tr), &y_tr)?;
        fit_t.push(t0.elapsed().as_secs_f64());
        let t1 = Instant::now();
        test.push(est.score_with(Features::from(&x_te), &y_te, scoring)?);
        score_t.push(t1.elapsed().as_secs_f64());
        if return_train_score {
            train.push(est.score_with(Features::from(&x_tr), &y_tr, scoring)?);
        }
    }
    Ok(CvScores {
        test_score: Array1::from(test),
        train_score: return_train_score.then(|| Array1::from(train)),
        fit_time: Array1::from(fit_t),
        score_time: Array1::from(score_t),
    })
}
