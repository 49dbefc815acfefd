//! `MLPClassifier`: a multi-layer perceptron trained on log-loss.
//!
//! Labels may be any ordered type (integers, `String`s); `classes()` holds
//! them sorted, like sklearn's `classes_`. Two classes train one logistic
//! output, more train a softmax; [`MlpClassifier::fit_multilabel`] takes a
//! 0/1 indicator matrix (one logistic output per label).
//!
//! ```
//! use keraslike::sklearn::{Activation, MlpClassifier, MlpOptions, Solver};
//! # fn main() -> keraslike::Result<()> {
//! // XOR-like labels as strings.
//! let x = [0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
//! let y = ["off", "on", "on", "off"].map(String::from);
//! let mut clf = MlpClassifier::new(
//!     MlpOptions::default().hidden_layer_sizes(&[8]).activation(Activation::Tanh)
//!         .solver(Solver::Lbfgs).random_state(1),
//! );
//! clf.fit(&x, 2, &y)?;
//! assert_eq!(clf.classes(), &["off".to_string(), "on".to_string()]);
//! assert_eq!(clf.predict(&x, 2)?, y.to_vec());
//! assert_eq!(clf.score(&x, 2, &y)?, 1.0);
//! # Ok(()) }
//! ```

use super::core::{encoded_accuracy, Core, FitState, Scoring};
use super::params::{MlpOptions, OutActivation};
use crate::{Error, Result};
use serde::{de::DeserializeOwned, Serialize};
use std::path::Path;
use tensorlow::Tensor;

/// What a class label must support: ordering (for `classes_`), cloning,
/// printing and (de)serialization (for save/load). Implemented for every
/// such type, e.g. `i64`, `u32`, `String`.
pub trait Label: Clone + Ord + std::fmt::Debug + Serialize + DeserializeOwned {}
impl<T: Clone + Ord + std::fmt::Debug + Serialize + DeserializeOwned> Label for T {}

/// scikit-learn's `MLPClassifier` (see the module docs).
pub struct MlpClassifier<L: Label = i64> {
    core: Core,
    classes: Vec<L>,
    /// Number of labels when fitted on a multilabel indicator matrix.
    multilabel: Option<usize>,
}

/// sklearn's spelling.
pub type MLPClassifier<L = i64> = MlpClassifier<L>;

const WHAT: &str = "MLPClassifier";

impl<L: Label> std::fmt::Debug for MlpClassifier<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MLPClassifier")
            .field("options", &self.core.options)
            .field("fitted", &self.core.net.is_some())
            .field("classes", &self.classes)
            .field("n_iter", &self.core.state.n_iter)
            .field("loss", &self.core.state.loss)
            .finish()
    }
}

impl<L: Label> MlpClassifier<L> {
    /// An unfitted classifier with these parameters.
    pub fn new(options: MlpOptions) -> Self {
        MlpClassifier {
            core: Core::new(options),
            classes: Vec::new(),
            multilabel: None,
        }
    }

    /// The parameters (`get_params`).
    pub fn options(&self) -> &MlpOptions {
        &self.core.options
    }

    /// The parameters, to change between fits (`set_params`).
    pub fn options_mut(&mut self) -> &mut MlpOptions {
        &mut self.core.options
    }

    /// Encodes labels against `classes` like `LabelBinarizer`.
    fn encode(&self, y: &[L]) -> Result<(Vec<f64>, usize, OutActivation, Vec<u32>)> {
        let k = self.classes.len();
        let mut idx = Vec::with_capacity(y.len());
        for l in y {
            let i = self
                .classes
                .binary_search(l)
                .map_err(|_| Error::data(format!("y has label {l:?}, which is not in classes {:?}", self.classes)))?;
            idx.push(i as u32);
        }
        if k <= 2 {
            let enc = idx.iter().map(|&i| if i == 1 { 1.0 } else { 0.0 }).collect();
            Ok((enc, 1, OutActivation::Logistic, idx))
        } else {
            let mut enc = vec![0.0; y.len() * k];
            for (r, &i) in idx.iter().enumerate() {
                enc[r * k + i as usize] = 1.0;
            }
            Ok((enc, k, OutActivation::Softmax, idx))
        }
    }

    fn fit_labels(&mut self, x: &[f64], n_features: usize, y: &[L], incremental: bool) -> Result<()> {
        let mut uniq = y.to_vec();
        uniq.sort();
        uniq.dedup();
        if uniq.is_empty() {
            return Err(Error::data(
                "fit: found an array with 0 samples; at least 1 is required",
            ));
        }
        if self.classes.is_empty() || self.multilabel.is_some() || (!self.core.options.warm_start && !incremental) {
            self.classes = uniq;
            self.multilabel = None;
        } else if self.core.options.warm_start && !incremental && uniq != self.classes {
            return Err(Error::data(format!(
                "warm_start can only be used where y has the same classes as in the previous call to fit. \
                 Previously got {:?}, y has {uniq:?}",
                self.classes
            )));
        }
        let (enc, k, out, idx) = self.encode(y)?;
        self.core
            .fit(x, n_features, &enc, k, out, Scoring::Accuracy, Some(&idx), incremental)
    }

    /// Trains on row-major `x` (`n_features` per row) and labels `y`.
    pub fn fit(&mut self, x: &[f64], n_features: usize, y: &[L]) -> Result<&mut Self> {
        self.fit_labels(x, n_features, y, false)?;
        Ok(self)
    }

    /// One epoch over `x, y` keeping the optimizer's state (sgd and adam
    /// only). The first call must give all `classes`.
    pub fn partial_fit(&mut self, x: &[f64], n_features: usize, y: &[L], classes: Option<&[L]>) -> Result<&mut Self> {
        if self.core.net.is_none() || self.classes.is_empty() {
            let c = classes.ok_or_else(|| {
                Error::arg("classes must be passed on the first call to partial_fit (all labels that will ever occur)")
            })?;
            let mut c = c.to_vec();
            c.sort();
            c.dedup();
            self.classes = c;
            self.multilabel = None;
        } else if let Some(c) = classes {
            let mut c = c.to_vec();
            c.sort();
            c.dedup();
            if c != self.classes {
                return Err(Error::arg(format!(
                    "classes={c:?} is not the same as on the first call to partial_fit ({:?})",
                    self.classes
                )));
            }
        }
        self.fit_labels(x, n_features, y, true)?;
        Ok(self)
    }

    /// Trains on a 0/1 indicator matrix `y` (row-major, `n_labels` columns):
    /// multilabel classification with one logistic output per label.
    pub fn fit_multilabel(&mut self, x: &[f64], n_features: usize, y: &[f64], n_labels: usize) -> Result<&mut Self> {
        if n_labels < 2 {
            return Err(Error::arg("fit_multilabel needs at least 2 label columns"));
        }
        if let Some(v) = y.iter().find(|&&v| v != 0.0 && v != 1.0) {
            return Err(Error::data(format!("multilabel targets must be 0 or 1, got {v}")));
        }
        self.classes.clear();
        self.multilabel = Some(n_labels);
        self.core.fit(
            x,
            n_features,
            y,
            n_labels,
            OutActivation::Logistic,
            Scoring::Accuracy,
            None,
            false,
        )?;
        Ok(self)
    }

    /// The sorted class labels (`classes_`); empty for a multilabel fit.
    pub fn classes(&self) -> &[L] {
        &self.classes
    }

    /// Class probabilities, row-major `(n, n_classes)` (two columns for a
    /// binary problem; one per label for multilabel).
    pub fn predict_proba(&self, x: &[f64], n_features: usize) -> Result<Vec<f64>> {
        let out = self.core.forward(x, n_features, WHAT)?;
        if self.core.state.n_outputs == 1 {
            return Ok(out.iter().flat_map(|&p| [1.0 - p, p]).collect());
        }
        Ok(out)
    }

    /// `ln(predict_proba)`.
    pub fn predict_log_proba(&self, x: &[f64], n_features: usize) -> Result<Vec<f64>> {
        Ok(self.predict_proba(x, n_features)?.into_iter().map(f64::ln).collect())
    }

    /// Predicted labels (argmax of the softmax, or logistic output > 0.5).
    pub fn predict(&self, x: &[f64], n_features: usize) -> Result<Vec<L>> {
        if self.multilabel.is_some() {
            return Err(Error::arg(
                "this classifier was fitted on multilabel targets; use predict_multilabel",
            ));
        }
        let out = self.core.forward(x, n_features, WHAT)?;
        let k = self.core.state.n_outputs;
        if k == 1 {
            let pick = |p: f64| {
                if p > 0.5 && self.classes.len() > 1 {
                    1
                } else {
                    0
                }
            };
            return Ok(out.iter().map(|&p| self.classes[pick(p)].clone()).collect());
        }
        Ok(out
            .chunks(k)
            .map(|r| {
                let i = r
                    .iter()
                    .enumerate()
                    .fold((0, f64::NEG_INFINITY), |b, (i, &v)| if v > b.1 { (i, v) } else { b })
                    .0;
                self.classes[i].clone()
            })
            .collect())
    }

    /// Multilabel predictions: row-major 0/1 `(n, n_labels)`.
    pub fn predict_multilabel(&self, x: &[f64], n_features: usize) -> Result<Vec<u8>> {
        if self.multilabel.is_none() {
            return Err(Error::arg(
                "predict_multilabel needs a classifier fitted with fit_multilabel",
            ));
        }
        Ok(self
            .core
            .forward(x, n_features, WHAT)?
            .into_iter()
            .map(|p| u8::from(p > 0.5))
            .collect())
    }

    /// Mean accuracy of `predict(x)` against `y`.
    pub fn score(&self, x: &[f64], n_features: usize, y: &[L]) -> Result<f64> {
        let p = self.predict(x, n_features)?;
        if p.len() != y.len() {
            return Err(Error::data(format!(
                "score: X has {} samples, y has {}",
                p.len(),
                y.len()
            )));
        }
        Ok(p.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64)
    }

    /// Subset accuracy for multilabel targets (every label of a row right).
    pub fn score_multilabel(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<f64> {
        let k = self.multilabel.unwrap_or(0);
        let out = self.core.forward(x, n_features, WHAT)?;
        if self.multilabel.is_none() || out.len() != y.len() {
            return Err(Error::data(
                "score_multilabel: needs a multilabel fit and y of shape (n, n_labels)",
            ));
        }
        Ok(encoded_accuracy(y, &out, k, false))
    }

    fitted_attribute_getters!("classifier");

    /// Saves the fitted classifier into folder `dir` (`params.json` with the
    /// parameters, fitted attributes and classes; `weights.safetensors`).
    /// The optimizer's moments are not saved: `partial_fit` after `load`
    /// starts a fresh optimizer.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let extra = serde_json::json!({ "classes": self.classes, "multilabel": self.multilabel });
        self.core.save(dir.as_ref(), WHAT, extra)
    }

    /// Loads a classifier written by [`MlpClassifier::save`].
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        let (core, mut extra) = Core::load(dir.as_ref(), WHAT)?;
        let classes: Vec<L> = serde_json::from_value(extra["classes"].take())
            .map_err(|e| Error::file(dir.as_ref(), format!("classes do not fit the label type: {e}")))?;
        let multilabel = extra["multilabel"].as_u64().map(|v| v as usize);
        Ok(MlpClassifier {
            core,
            classes,
            multilabel,
        })
    }
}
