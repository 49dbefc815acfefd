//! `GridSearchCV` over a [`ParamGrid`] given by scikit-learn names
//! (`step__param` inside a pipeline): every candidate is cross-validated,
//! ranked by its mean test score, and the best is refitted on all the data.
//!
//! The grid's order is scikit-learn's `ParameterGrid`: names sorted, the
//! last name varying fastest; each `.or()` starts another sub-grid (a list
//! of dicts). Ties in the mean score go to the first candidate
//! (`rank_test_score` uses the minimum rank, `best_index_` the first rank 1).
//!
//! ```
//! use sklearnlike::model_selection::{GridSearchCV, ParamGrid};
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions, Solver};
//! # fn main() -> sklearnlike::Result<()> {
//! // {"hidden_layer_sizes": [(4,), (8,)], "alpha": [1e-4, 1e-2]}
//! let grid = ParamGrid::new().add("hidden_layer_sizes", [vec![4], vec![8]]).add("alpha", [1e-4, 1e-2]);
//! assert_eq!(grid.candidates().len(), 4);
//! let x: Vec<[f64; 2]> = (0..30).map(|i| [(i % 2) as f64, 0.1 * (i % 7) as f64]).collect();
//! let y: Vec<i64> = (0..30).map(|i| (i % 2) as i64).collect();
//! let clf = MlpClassifier::<i64>::new(MlpOptions::default().solver(Solver::Lbfgs).random_state(0));
//! let mut search = GridSearchCV::new(clf, grid).cv(3);
//! search.fit(&x, &y)?;
//! println!("best {} with {:.3}", search.best_params()?, search.best_score()?);
//! assert_eq!(search.cv_results()?.params.len(), 4);
//! assert_eq!(search.predict(&x)?.len(), 30);
//! # Ok(()) }
//! ```

use super::cross_val::run_folds;
use super::kfold::Cv;
use crate::base::{Classifier, Estimator, IntoTargets, Label, Predictor, Regressor};
use crate::data::Features;
use crate::metrics::Scoring;
use crate::param::{Param, Params};
use crate::{Error, Result};
use ndarray::{Array1, Array2};
use std::collections::BTreeMap;
use std::fmt;

/// Candidate values per parameter name (`param_grid`); several sub-grids
/// form a list of grids.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParamGrid {
    grids: Vec<BTreeMap<String, Vec<Param>>>,
}

impl ParamGrid {
    /// An empty grid (one candidate: the estimator's own parameters).
    pub fn new() -> Self {
        ParamGrid {
            grids: vec![BTreeMap::new()],
        }
    }

    /// Adds `name` with its candidate `values` to the current sub-grid.
    pub fn add<V: Into<Param>>(mut self, name: impl Into<String>, values: impl IntoIterator<Item = V>) -> Self {
        let values = values.into_iter().map(Into::into).collect();
        self.grids
            .last_mut()
            .expect("at least one sub-grid")
            .insert(name.into(), values);
        self
    }

    /// Starts another sub-grid (scikit-learn's list of dicts).
    pub fn or(mut self) -> Self {
        self.grids.push(BTreeMap::new());
        self
    }

    /// Every candidate, in scikit-learn's `ParameterGrid` order.
    pub fn candidates(&self) -> Vec<Params> {
        let mut out = Vec::new();
        for g in &self.grids {
            let lists: Vec<(&String, &Vec<Param>)> = g.iter().collect();
            let total: usize = lists.iter().map(|(_, v)| v.len()).product();
            for t in 0..total {
                // Mixed-radix digits of t, the last name varying fastest.
                let mut rest = t;
                let mut p = Params::new();
                for (name, values) in lists.iter().rev() {
                    p.insert(name.as_str(), values[rest % values.len()].clone());
                    rest /= values.len();
                }
                out.push(p);
            }
        }
        out
    }
}

/// `cv_results_`: one entry per candidate.
#[derive(Clone, Debug, PartialEq)]
pub struct CvResults {
    /// `params`.
    pub params: Vec<Params>,
    /// `mean_test_score`.
    pub mean_test_score: Array1<f64>,
    /// `std_test_score` (population standard deviation over the folds).
    pub std_test_score: Array1<f64>,
    /// `rank_test_score` (1 = best; ties share the lowest rank).
    pub rank_test_score: Array1<usize>,
    /// `split{k}_test_score` as `(n_candidates, n_splits)`.
    pub split_test_scores: Array2<f64>,
    /// `mean_train_score` (with `return_train_score`).
    pub mean_train_score: Option<Array1<f64>>,
    /// `mean_fit_time` in seconds.
    pub mean_fit_time: Array1<f64>,
    /// `mean_score_time` in seconds.
    pub mean_score_time: Array1<f64>,
}

impl fmt::Display for CvResults {
    /// One line per candidate: rank, mean ± std, parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for i in 0..self.params.len() {
            writeln!(
                f,
                "rank {:>2}  {:.4} ± {:.4}  {}",
                self.rank_test_score[i], self.mean_test_score[i], self.std_test_score[i], self.params[i]
            )?;
        }
        Ok(())
    }
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let m = v.iter().sum::<f64>() / v.len() as f64;
    (
        m,
        (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt(),
    )
}

/// Exhaustive search over a [`ParamGrid`] (see the module docs).
pub struct GridSearchCV<E: Predictor> {
    estimator: E,
    grid: ParamGrid,
    cv: Cv,
    scoring: Option<String>,
    refit: bool,
    return_train_score: bool,
    results: Option<CvResults>,
    best_index: Option<usize>,
    best: Option<E>,
}

impl<E: Predictor> fmt::Debug for GridSearchCV<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GridSearchCV")
            .field("estimator", &self.estimator.class_name())
            .field("candidates", &self.grid.candidates().len())
            .field("cv", &self.cv)
            .field("scoring", &self.scoring)
            .field("refit", &self.refit)
            .field("best_index", &self.best_index)
            .finish()
    }
}

impl<E: Predictor> GridSearchCV<E> {
    /// A search over `grid` around `estimator`, with scikit-learn's
    /// defaults: `cv=5`, the estimator's own score, `refit=True`.
    pub fn new(estimator: E, grid: ParamGrid) -> Self {
        GridSearchCV {
            estimator,
            grid,
            cv: Cv::Folds(5),
            scoring: None,
            refit: true,
            return_train_score: false,
            results: None,
            best_index: None,
            best: None,
        }
    }

    /// Sets `cv` (a fold count, a splitter or explicit folds).
    pub fn cv(mut self, cv: impl Into<Cv>) -> Self {
        self.cv = cv.into();
        self
    }

    /// Sets `scoring` by scikit-learn name.
    pub fn scoring(mut self, name: &str) -> Self {
        self.scoring = Some(name.to_string());
        self
    }

    /// Sets `refit` (default true: refit the best candidate on all data).
    pub fn refit(mut self, refit: bool) -> Self {
        self.refit = refit;
        self
    }

    /// Sets `return_train_score`.
    pub fn return_train_score(mut self, v: bool) -> Self {
        self.return_train_score = v;
        self
    }

    /// Runs the search on `x`, `y`.
    pub fn fit<'a>(&mut self, x: impl Into<Features<'a>>, y: impl IntoTargets<E::Y>) -> Result<&mut Self> {
        let x = x.into();
        let y = y.into_targets()?;
        self.fit_data(x, &y)?;
        Ok(self)
    }

    fn fit_data(&mut self, x: Features<'_>, y: &E::Y) -> Result<()> {
        let xv = x.view()?;
        let scoring = Scoring::from_option(self.scoring.as_deref())?;
        let candidates = self.grid.candidates();
        if candidates.is_empty() {
            return Err(Error::param("GridSearchCV: the parameter grid has no candidate"));
        }
        // Unknown names fail before any training, listing the valid ones.
        for c in &candidates {
            self.estimator.clone_unfitted().set_params(c)?;
        }
        let mut splits: Vec<Vec<f64>> = Vec::new();
        let (mut means, mut stds, mut train_means, mut fit_t, mut score_t) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for c in &candidates {
            let s = run_folds(
                &self.estimator,
                xv,
                y,
                &self.cv,
                &scoring,
                self.return_train_score,
                &mut |e: &mut E| e.set_params(c),
            )?;
            let (m, sd) = mean_std(s.test_score.as_slice().expect("contiguous"));
            means.push(m);
            stds.push(sd);
            if let Some(t) = &s.train_score {
                train_means.push(mean_std(t.as_slice().expect("contiguous")).0);
            }
            fit_t.push(s.fit_time.mean().unwrap_or(0.0));
            score_t.push(s.score_time.mean().unwrap_or(0.0));
            splits.push(s.test_score.to_vec());
        }
        // rankdata(-mean, method="min"); NaN ranks last.
        let key = |m: f64| if m.is_nan() { f64::NEG_INFINITY } else { m };
        let ranks: Vec<usize> = means
            .iter()
            .map(|&m| 1 + means.iter().filter(|&&o| key(o) > key(m)).count())
            .collect();
        let best = ranks.iter().position(|&r| r == 1).expect("some candidate ranks first");
        let n_splits = splits[0].len();
        let flat: Vec<f64> = splits.into_iter().flatten().collect();
        self.results = Some(CvResults {
            params: candidates.clone(),
            mean_test_score: Array1::from(means),
            std_test_score: Array1::from(stds),
            rank_test_score: Array1::from(ranks),
            split_test_scores: Array2::from_shape_vec((candidates.len(), n_splits), flat).expect("n x k scores"),
            mean_train_score: self.return_train_score.then(|| Array1::from(train_means)),
            mean_fit_time: Array1::from(fit_t),
            mean_score_time: Array1::from(score_t),
        });
        self.best_index = Some(best);
        self.best = None;
        if self.refit {
            let mut e = self.estimator.clone_unfitted();
            e.set_params(&candidates[best])?;
            e.fit(x, y)?;
            self.best = Some(e);
        }
        Ok(())
    }

    fn searched(&self) -> Result<&CvResults> {
        self.results
            .as_ref()
            .ok_or_else(|| Error::NotFitted("This GridSearchCV instance is not fitted yet. Call 'fit' first.".into()))
    }

    /// `cv_results_`.
    pub fn cv_results(&self) -> Result<&CvResults> {
        self.searched()
    }

    /// `best_index_`.
    pub fn best_index(&self) -> Result<usize> {
        self.searched()?;
        Ok(self.best_index.expect("set with the results"))
    }

    /// `best_params_`.
    pub fn best_params(&self) -> Result<&Params> {
        let i = self.best_index()?;
        Ok(&self.searched()?.params[i])
    }

    /// `best_score_`: the best candidate's mean test score.
    pub fn best_score(&self) -> Result<f64> {
        let i = self.best_index()?;
        Ok(self.searched()?.mean_test_score[i])
    }

    /// `best_estimator_`: the best candidate refitted on all the data.
    pub fn best_estimator(&self) -> Result<&E> {
        self.searched()?;
        self.best
            .as_ref()
            .ok_or_else(|| Error::NotFitted("GridSearchCV was run with refit=false: no best_estimator_".into()))
    }

    /// The best estimator's predictions.
    pub fn predict<'a>(&self, x: impl Into<Features<'a>>) -> Result<E::Y> {
        self.best_estimator()?.predict(x.into())
    }

    /// The best estimator's score (the search's `scoring`).
    pub fn score<'a>(&self, x: impl Into<Features<'a>>, y: impl IntoTargets<E::Y>) -> Result<f64> {
        let y = y.into_targets()?;
        Predictor::score_with(self, x.into(), &y, &Scoring::from_option(self.scoring.as_deref())?)
    }
}

impl<E: Predictor> Estimator for GridSearchCV<E> {
    fn class_name(&self) -> &'static str {
        "GridSearchCV"
    }
    /// The wrapped estimator's parameters as `estimator__name`, and `refit`,
    /// `return_train_score`, `scoring`.
    fn get_params(&self) -> Params {
        let mut p: Params = self
            .estimator
            .get_params()
            .iter()
            .map(|(k, v)| (format!("estimator__{k}"), v.clone()))
            .collect();
        p.insert("refit", self.refit);
        p.insert("return_train_score", self.return_train_score);
        p.insert("scoring", self.scoring.clone());
        p
    }
    fn set_param(&mut self, name: &str, value: Param) -> Result<()> {
        match name.strip_prefix("estimator__") {
            Some(inner) => self.estimator.set_param(inner, value),
            None => match name {
                "refit" => {
                    self.refit = value.to_bool(name)?;
                    Ok(())
                }
                "return_train_score" => {
                    self.return_train_score = value.to_bool(name)?;
                    Ok(())
                }
                "scoring" => {
                    self.scoring = match value {
                        Param::None => None,
                        v => {
                            let s = v.to_text(name)?;
                            s.parse::<Scoring>()?;
                            Some(s)
                        }
                    };
                    Ok(())
                }
                _ => Err(crate::param::unknown_param(
                    "GridSearchCV",
                    name,
                    &["estimator__<param>", "refit", "return_train_score", "scoring"],
                )),
            },
        }
    }
    fn clone_unfitted(&self) -> Self {
        GridSearchCV {
            estimator: self.estimator.clone_unfitted(),
            grid: self.grid.clone(),
            cv: self.cv.clone(),
            scoring: self.scoring.clone(),
            refit: self.refit,
            return_train_score: self.return_train_score,
            results: None,
            best_index: None,
            best: None,
        }
    }
}

impl<E: Predictor> Predictor for GridSearchCV<E> {
    type Y = E::Y;
    fn fit(&mut self, x: Features<'_>, y: &E::Y) -> Result<()> {
        self.fit_data(x, y)
    }
    fn fit_weighted(&mut self, _x: Features<'_>, _y: &E::Y, _w: &[f64]) -> Result<()> {
        Err(Error::param("GridSearchCV.fit does not take sample_weight here"))
    }
    fn predict(&self, x: Features<'_>) -> Result<E::Y> {
        self.best_estimator()?.predict(x)
    }
    fn score_with(&self, x: Features<'_>, y: &E::Y, scoring: &Scoring) -> Result<f64> {
        let own = Scoring::from_option(self.scoring.as_deref())?;
        let s = if *scoring == Scoring::Default { &own } else { scoring };
        self.best_estimator()?.score_with(x, y, s)
    }
}

impl<L: Label, E: Classifier<L>> Classifier<L> for GridSearchCV<E> {
    fn classes(&self) -> &[L] {
        self.best.as_ref().map_or(&[], |b| b.classes())
    }
    fn predict_proba(&self, x: Features<'_>) -> Result<Array2<f64>> {
        self.best_estimator()?.predict_proba(x)
    }
}

impl<E: Regressor> Regressor for GridSearchCV<E> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_follow_parameter_grid_order() {
        // list(ParameterGrid([{"b": [1, 2], "a": ["x", "y"]}, {"c": [True]}])) in scikit-learn 1.9.1:
        // [{'a': 'x', 'b': 1}, {'a': 'x', 'b': 2}, {'a': 'y', 'b': 1}, {'a': 'y', 'b': 2}, {'c': True}]
        let g = ParamGrid::new()
            .add("b", [1, 2])
            .add("a", ["x", "y"])
            .or()
            .add("c", [true]);
        let got: Vec<String> = g.candidates().iter().map(|p| p.to_string()).collect();
        assert_eq!(
            got,
            [
                "{'a': 'x', 'b': 1}",
                "{'a': 'x', 'b': 2}",
                "{'a': 'y', 'b': 1}",
                "{'a': 'y', 'b': 2}",
                "{'c': True}"
            ]
        );
        assert_eq!(ParamGrid::new().candidates(), vec![Params::new()]);
    }
}
