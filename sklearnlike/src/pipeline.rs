//! [`Pipeline`] and [`make_pipeline`] (`sklearn.pipeline`): transformers
//! applied in order, ending in a predictor. `fit` fits each transformer on
//! the output of the previous one (`fit_transform`) and then the final
//! estimator; `predict` / `score` transform and delegate. Parameters are
//! `step__param` (`"mlpclassifier__alpha"`), so a pipeline is
//! cross-validated and grid-searched like any estimator, with the scaler
//! refitted inside each fold.
//!
//! ```
//! use sklearnlike::model_selection::cross_val_score;
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions, Solver};
//! use sklearnlike::pipeline::make_pipeline;
//! use sklearnlike::preprocessing::StandardScaler;
//! use sklearnlike::base::Estimator;
//! # fn main() -> sklearnlike::Result<()> {
//! let clf = MlpClassifier::<i64>::new(MlpOptions::default().hidden_layer_sizes(&[4]).solver(Solver::Lbfgs).random_state(0));
//! let mut pipe = make_pipeline(vec![Box::new(StandardScaler::new())], clf);
//! assert_eq!(pipe.step_names(), vec!["standardscaler", "mlpclassifier"]);
//! pipe.set_param("mlpclassifier__alpha", 1e-3.into())?;
//! let x: Vec<[f64; 2]> = (0..24).map(|i| [100.0 * (i % 2) as f64 + (i % 5) as f64, (i % 3) as f64]).collect();
//! let y: Vec<i64> = (0..24).map(|i| (i % 2) as i64).collect();
//! pipe.fit(&x, &y)?;
//! assert_eq!(pipe.score(&x, &y)?, 1.0);
//! assert_eq!(cross_val_score(&pipe, &x, &y, 3, None)?.len(), 3);
//! # Ok(()) }
//! ```

use crate::base::{Classifier, Estimator, IntoTargets, Label, Predictor, Regressor, Transformer};
use crate::data::Features;
use crate::metrics::Scoring;
use crate::param::{did_you_mean, Param, Params};
use crate::{Error, Result};
use ndarray::{Array2, CowArray, Ix2};

/// Transformers then a final estimator `E` (see the module docs).
pub struct Pipeline<E> {
    steps: Vec<(String, Box<dyn Transformer>)>,
    last: (String, E),
}

impl<E: Estimator> std::fmt::Debug for Pipeline<E> {
    /// The step names and every parameter (`step__param`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("steps", &self.step_names())
            .field("params", &self.get_params().to_string())
            .finish()
    }
}

/// `make_pipeline`: steps named after their lowercased class names
/// (`"standardscaler"`), with `-1`, `-2`, ... on repeated names.
pub fn make_pipeline<E: Estimator>(transformers: Vec<Box<dyn Transformer>>, estimator: E) -> Pipeline<E> {
    let mut names: Vec<String> = transformers.iter().map(|t| t.class_name().to_lowercase()).collect();
    names.push(estimator.class_name().to_lowercase());
    // scikit-learn's `_name_estimators`: number every occurrence of a repeated name.
    let repeated: Vec<bool> = names
        .iter()
        .map(|n| names.iter().filter(|m| *m == n).count() > 1)
        .collect();
    let mut seen = std::collections::HashMap::new();
    for (n, rep) in names.iter_mut().zip(&repeated) {
        if *rep {
            let k = seen.entry(n.clone()).or_insert(0);
            *k += 1;
            *n = format!("{n}-{k}");
        }
    }
    let last_name = names.pop().expect("the estimator's name");
    Pipeline {
        steps: names.into_iter().zip(transformers).collect(),
        last: (last_name, estimator),
    }
}

impl<E: Estimator> Pipeline<E> {
    /// A pipeline of named transformers and a named final estimator.
    /// Names must be distinct and must not contain `__`.
    pub fn new(steps: Vec<(&str, Box<dyn Transformer>)>, last: (&str, E)) -> Result<Self> {
        let mut names: Vec<&str> = steps.iter().map(|(n, _)| *n).collect();
        names.push(last.0);
        for (i, n) in names.iter().enumerate() {
            if n.contains("__") || n.is_empty() {
                return Err(Error::param(format!(
                    "Pipeline: step name {n:?} must be non-empty and must not contain '__'"
                )));
            }
            if names[..i].contains(n) {
                return Err(Error::param(format!(
                    "Pipeline: names provided are not unique: {names:?}"
                )));
            }
        }
        Ok(Pipeline {
            steps: steps.into_iter().map(|(n, t)| (n.to_string(), t)).collect(),
            last: (last.0.to_string(), last.1),
        })
    }

    /// The step names, in order (the final estimator last).
    pub fn step_names(&self) -> Vec<&str> {
        self.steps
            .iter()
            .map(|(n, _)| n.as_str())
            .chain([self.last.0.as_str()])
            .collect()
    }

    /// The transformer named `name` (`named_steps[name]`).
    pub fn transformer(&self, name: &str) -> Option<&dyn Transformer> {
        self.steps.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_ref())
    }

    /// The final estimator.
    pub fn final_estimator(&self) -> &E {
        &self.last.1
    }

    /// The final estimator, mutably.
    pub fn final_estimator_mut(&mut self) -> &mut E {
        &mut self.last.1
    }

    /// `x` through every (fitted) transformer.
    pub fn transform<'a>(&self, x: impl Into<Features<'a>>) -> Result<CowArray<'a, f64, Ix2>> {
        let mut cur = x.into().into_array()?;
        for (_, t) in &self.steps {
            cur = t.transform(Features::from(cur.view()))?.into();
        }
        Ok(cur)
    }

    fn fit_transformers(&mut self, x: Features<'_>) -> Result<Array2<f64>> {
        let mut cur = x.view()?.to_owned();
        for (_, t) in &mut self.steps {
            cur = t.fit_transform(Features::from(&cur))?;
        }
        Ok(cur)
    }
}

impl<E: Predictor> Pipeline<E> {
    /// Fits the transformers in order, then the final estimator.
    pub fn fit<'a>(&mut self, x: impl Into<Features<'a>>, y: impl IntoTargets<E::Y>) -> Result<&mut Self> {
        let y = y.into_targets()?;
        Predictor::fit(self, x.into(), &y)?;
        Ok(self)
    }

    /// The final estimator's predictions on the transformed `x`.
    pub fn predict<'a>(&self, x: impl Into<Features<'a>>) -> Result<E::Y> {
        let t = self.transform(x)?;
        self.last.1.predict(Features::from(t.view()))
    }

    /// The final estimator's own score on the transformed `x`.
    pub fn score<'a>(&self, x: impl Into<Features<'a>>, y: impl IntoTargets<E::Y>) -> Result<f64> {
        let y = y.into_targets()?;
        Predictor::score(self, x.into(), &y)
    }
}

impl<E: Estimator> Pipeline<E> {
    /// The final classifier's probabilities on the transformed `x`.
    pub fn predict_proba<'a, L: Label>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>>
    where
        E: Classifier<L>,
    {
        let t = self.transform(x)?;
        self.last.1.predict_proba(Features::from(t.view()))
    }
}

impl<E: Estimator> Estimator for Pipeline<E> {
    fn class_name(&self) -> &'static str {
        "Pipeline"
    }
    /// Every step's parameters as `step__param`.
    fn get_params(&self) -> Params {
        let mut p = Params::new();
        for (name, t) in &self.steps {
            for (k, v) in t.get_params().iter() {
                p.insert(format!("{name}__{k}"), v.clone());
            }
        }
        for (k, v) in self.last.1.get_params().iter() {
            p.insert(format!("{}__{k}", self.last.0), v.clone());
        }
        p
    }
    fn set_param(&mut self, name: &str, value: Param) -> Result<()> {
        let names: Vec<String> = self.step_names().iter().map(|s| s.to_string()).collect();
        let Some((step, inner)) = name.split_once("__") else {
            return Err(Error::param(format!(
                "Invalid parameter '{name}' for estimator Pipeline: pipeline parameters are step__param, \
                 with steps {names:?}"
            )));
        };
        if step == self.last.0 {
            return self.last.1.set_param(inner, value);
        }
        match self.steps.iter_mut().find(|(n, _)| n == step) {
            Some((_, t)) => t.set_param(inner, value),
            None => {
                let hint = did_you_mean(step, names.iter().map(String::as_str))
                    .map(|c| format!(" Did you mean '{c}'?"))
                    .unwrap_or_default();
                Err(Error::param(format!(
                    "Invalid parameter '{name}' for estimator Pipeline: no step named '{step}'.{hint} Steps: {names:?}"
                )))
            }
        }
    }
    fn clone_unfitted(&self) -> Self {
        Pipeline {
            steps: self
                .steps
                .iter()
                .map(|(n, t)| (n.clone(), t.clone_transformer()))
                .collect(),
            last: (self.last.0.clone(), self.last.1.clone_unfitted()),
        }
    }
}

impl<E: Predictor> Predictor for Pipeline<E> {
    type Y = E::Y;
    fn fit(&mut self, x: Features<'_>, y: &E::Y) -> Result<()> {
        let t = self.fit_transformers(x)?;
        self.last.1.fit(Features::from(&t), y)
    }
    fn fit_weighted(&mut self, x: Features<'_>, y: &E::Y, sample_weight: &[f64]) -> Result<()> {
        // scikit-learn routes `mlpclassifier__sample_weight` to the final step;
        // the scalers here have no sample_weight.
        let t = self.fit_transformers(x)?;
        self.last.1.fit_weighted(Features::from(&t), y, sample_weight)
    }
    fn predict(&self, x: Features<'_>) -> Result<E::Y> {
        let t = self.transform(x)?;
        self.last.1.predict(Features::from(t.view()))
    }
    fn score_with(&self, x: Features<'_>, y: &E::Y, scoring: &Scoring) -> Result<f64> {
        let t = self.transform(x)?;
        self.last.1.score_with(Features::from(t.view()), y, scoring)
    }
}

impl<L: Label, E: Classifier<L>> Classifier<L> for Pipeline<E> {
    fn classes(&self) -> &[L] {
        self.last.1.classes()
    }
    fn predict_proba(&self, x: Features<'_>) -> Result<Array2<f64>> {
        let t = self.transform(x)?;
        self.last.1.predict_proba(Features::from(t.view()))
    }
}

impl<E: Regressor> Regressor for Pipeline<E> {}
