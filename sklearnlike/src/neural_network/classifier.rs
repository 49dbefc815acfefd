//! `MLPClassifier`: a multi-layer perceptron trained on log-loss.
//!
//! Labels may be any ordered type (integers, `String`s); `classes()` holds
//! them sorted, like sklearn's `classes_`. Two classes train one logistic
//! output, more train a softmax; [`MlpClassifier::fit_multilabel`] takes a
//! 0/1 indicator matrix (one logistic output per label).
//!
//! ```
//! use ndarray::array;
//! use sklearnlike::neural_network::{Activation, MlpClassifier, MlpOptions, Solver};
//! # fn main() -> sklearnlike::Result<()> {
//! // XOR-like labels as strings.
//! let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
//! let y = ["off", "on", "on", "off"].map(String::from);
//! let mut clf = MlpClassifier::new(
//!     MlpOptions::default().hidden_layer_sizes(&[8]).activation(Activation::Tanh)
//!         .solver(Solver::Lbfgs).random_state(1),
//! );
//! clf.fit(&x, &y)?;
//! assert_eq!(clf.classes(), &["off".to_string(), "on".to_string()]);
//! assert_eq!(clf.predict(&x)?.to_vec(), y.to_vec());
//! assert_eq!(clf.score(&x, &y)?, 1.0);
//! assert_eq!(clf.predict_proba(&x)?.shape(), &[4, 2]);
//! # Ok(()) }
//! ```

use super::core::{encoded_accuracy, Core, Encoded, FitState, Scoring};
use super::io::{check_classes, take};
use super::params::{MlpOptions, OutActivation};
use crate::base::{Classifier, Estimator, Label, Predictor};
use crate::data::{row_major, Column, Features, Targets};
use crate::metrics::{self, Scoring as Scorer};
use crate::param::{Param, Params};
use crate::{Error, Result};
use ndarray::{Array1, Array2};
use std::path::Path;
use tensorlow::Tensor;

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

/// The samples of `x` and the row-major data.
fn features<'a>(x: &'a Features<'_>) -> Result<(ndarray::ArrayView2<'a, f64>, usize)> {
    let v = x.view()?;
    let n = v.ncols();
    Ok((v, n))
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

    /// The parameters (see also [`Estimator::get_params`]).
    pub fn options(&self) -> &MlpOptions {
        &self.core.options
    }

    /// The parameters, to change between fits (see also
    /// [`Estimator::set_param`]).
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

    fn fit_labels(
        &mut self,
        x: Features<'_>,
        y: Column<'_, L>,
        sample_weight: Option<Column<'_, f64>>,
        incremental: bool,
    ) -> Result<()> {
        let what = if incremental { "partial_fit" } else { "fit" };
        let (xv, f) = features(&x)?;
        let y = y.as_slice();
        if y.len() != xv.nrows() {
            return Err(Error::shape(format!(
                "{what}: X has {} samples but y has {} labels; give one label per row",
                xv.nrows(),
                y.len()
            )));
        }
        let mut uniq = y.to_vec();
        uniq.sort();
        uniq.dedup();
        if uniq.is_empty() {
            return Err(Error::data(format!(
                "{what}: found an array with 0 samples; at least 1 is required"
            )));
        }
        let previous = (self.classes.clone(), self.multilabel);
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
        let result = (|| {
            let (enc, k, out, idx) = self.encode(&y[..])?;
            let xs = row_major(&xv);
            let w = sample_weight.as_ref().map(|w| w.as_slice());
            let d = Encoded {
                x: &xs,
                n_features: f,
                y: &enc,
                n_outputs: k,
                sample_weight: w.as_deref(),
                out_activation: out,
                scoring: Scoring::Accuracy,
                stratify: Some(&idx),
            };
            self.core.fit(d, incremental)
        })();
        if result.is_err() && self.core.net.is_none() {
            // Nothing was trained: keep the estimator as it was.
            (self.classes, self.multilabel) = previous;
        }
        result
    }

    /// Trains on `x` (`n_samples` rows) and one label per row.
    pub fn fit<'a>(&mut self, x: impl Into<Features<'a>>, y: impl Into<Column<'a, L>>) -> Result<&mut Self> {
        self.fit_labels(x.into(), y.into(), None, false)?;
        Ok(self)
    }

    /// Trains with one weight per sample (`fit(X, y, sample_weight=w)`,
    /// scikit-learn 1.7): each sample's loss term is multiplied by its
    /// weight and every average (including the L2 penalty's divisor) is
    /// over the total weight of the batch, so a weight of 2 counts a row
    /// twice and a weight of 0 ignores it.
    pub fn fit_weighted<'a>(
        &mut self,
        x: impl Into<Features<'a>>,
        y: impl Into<Column<'a, L>>,
        sample_weight: impl Into<Column<'a, f64>>,
    ) -> Result<&mut Self> {
        self.fit_labels(x.into(), y.into(), Some(sample_weight.into()), false)?;
        Ok(self)
    }

    fn set_partial_classes(&mut self, classes: Option<&[L]>) -> Result<()> {
        if self.core.net.is_none() || self.classes.is_empty() {
            let c = classes.ok_or_else(|| {
                Error::param(
                    "classes must be passed on the first call to partial_fit (all labels that will ever occur)",
                )
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
                return Err(Error::param(format!(
                    "classes={c:?} is not the same as on the first call to partial_fit ({:?})",
                    self.classes
                )));
            }
        }
        Ok(())
    }

    /// One epoch over `x, y` keeping the optimizer's state (sgd and adam
    /// only). The first call must give all `classes`.
    pub fn partial_fit<'a>(
        &mut self,
        x: impl Into<Features<'a>>,
        y: impl Into<Column<'a, L>>,
        classes: Option<&[L]>,
    ) -> Result<&mut Self> {
        self.set_partial_classes(classes)?;
        self.fit_labels(x.into(), y.into(), None, true)?;
        Ok(self)
    }

    /// [`partial_fit`](Self::partial_fit) with one weight per sample.
    pub fn partial_fit_weighted<'a>(
        &mut self,
        x: impl Into<Features<'a>>,
        y: impl Into<Column<'a, L>>,
        classes: Option<&[L]>,
        sample_weight: impl Into<Column<'a, f64>>,
    ) -> Result<&mut Self> {
        self.set_partial_classes(classes)?;
        self.fit_labels(x.into(), y.into(), Some(sample_weight.into()), true)?;
        Ok(self)
    }

    /// Trains on a 0/1 indicator matrix `y` (`(n_samples, n_labels)`):
    /// multilabel classification with one logistic output per label.
    pub fn fit_multilabel<'a>(&mut self, x: impl Into<Features<'a>>, y: impl Into<Targets<'a>>) -> Result<&mut Self> {
        let x = x.into();
        let y = y.into();
        let (xv, f) = features(&x)?;
        let yv = y.view()?;
        let n_labels = yv.ncols();
        if n_labels < 2 {
            return Err(Error::param("fit_multilabel needs at least 2 label columns"));
        }
        if yv.nrows() != xv.nrows() {
            return Err(Error::shape(format!(
                "fit_multilabel: X has {} samples but y has {} rows",
                xv.nrows(),
                yv.nrows()
            )));
        }
        if let Some(v) = yv.iter().find(|&&v| v != 0.0 && v != 1.0) {
            return Err(Error::data(format!("multilabel targets must be 0 or 1, got {v}")));
        }
        self.classes.clear();
        self.multilabel = Some(n_labels);
        let (xs, ys) = (row_major(&xv), row_major(&yv));
        let d = Encoded {
            x: &xs,
            n_features: f,
            y: &ys,
            n_outputs: n_labels,
            sample_weight: None,
            out_activation: OutActivation::Logistic,
            scoring: Scoring::Accuracy,
            stratify: None,
        };
        self.core.fit(d, false)?;
        Ok(self)
    }

    /// The sorted class labels (`classes_`); empty for a multilabel fit.
    pub fn classes(&self) -> &[L] {
        &self.classes
    }

    /// The network's outputs, `(n, n_outputs)`.
    fn outputs(&self, x: Features<'_>) -> Result<Array2<f64>> {
        let (xv, f) = features(&x)?;
        let out = self.core.forward(&row_major(&xv), f, WHAT)?;
        let k = self.core.state.n_outputs;
        Ok(Array2::from_shape_vec((out.len() / k, k), out).expect("n * k outputs"))
    }

    /// Class probabilities, `(n_samples, n_classes)` in `classes()` order
    /// (two columns for a binary problem; one per label for multilabel).
    pub fn predict_proba<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        let out = self.outputs(x.into())?;
        if self.core.state.n_outputs == 1 && self.multilabel.is_none() {
            let n = out.nrows();
            let two: Vec<f64> = out.iter().flat_map(|&p| [1.0 - p, p]).collect();
            return Ok(Array2::from_shape_vec((n, 2), two).expect("2 columns"));
        }
        Ok(out)
    }

    /// `ln(predict_proba)`.
    pub fn predict_log_proba<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        Ok(self.predict_proba(x)?.mapv(f64::ln))
    }

    /// Predicted labels (argmax of the softmax, or logistic output > 0.5).
    pub fn predict<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array1<L>> {
        if self.multilabel.is_some() {
            return Err(Error::param(
                "this classifier was fitted on multilabel targets; use predict_multilabel",
            ));
        }
        let out = self.outputs(x.into())?;
        if out.ncols() == 1 {
            let pick = |p: f64| usize::from(p > 0.5 && self.classes.len() > 1);
            return Ok(out.iter().map(|&p| self.classes[pick(p)].clone()).collect());
        }
        Ok(out
            .rows()
            .into_iter()
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

    /// Multilabel predictions: 0/1, `(n_samples, n_labels)`.
    pub fn predict_multilabel<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<u8>> {
        if self.multilabel.is_none() {
            return Err(Error::param(
                "predict_multilabel needs a classifier fitted with fit_multilabel",
            ));
        }
        Ok(self.outputs(x.into())?.mapv(|p| u8::from(p > 0.5)))
    }

    /// Mean accuracy of `predict(x)` against `y`.
    pub fn score<'a>(&self, x: impl Into<Features<'a>>, y: impl Into<Column<'a, L>>) -> Result<f64> {
        let p = self.predict(x)?;
        let y = y.into();
        if y.len() != p.len() {
            return Err(Error::shape(format!(
                "score: X has {} samples but y has {} labels",
                p.len(),
                y.len()
            )));
        }
        metrics::accuracy_score(y.view(), &p)
    }

    /// Subset accuracy for multilabel targets (every label of a row right).
    pub fn score_multilabel<'a>(&self, x: impl Into<Features<'a>>, y: impl Into<Targets<'a>>) -> Result<f64> {
        let y = y.into();
        let yv = y.view()?;
        let k = self.multilabel.unwrap_or(0);
        let out = self.outputs(x.into())?;
        if self.multilabel.is_none() || out.dim() != yv.dim() {
            return Err(Error::shape(
                "score_multilabel: needs a multilabel fit and y of shape (n_samples, n_labels)",
            ));
        }
        Ok(encoded_accuracy(
            &row_major(&yv),
            out.as_slice().expect("a new array"),
            k,
            false,
            None,
        ))
    }

    fitted_attribute_getters!("classifier");

    /// Saves the fitted classifier to ONE file at `path` (safetensors: the
    /// weights, plus the parameters, fitted attributes and classes in its
    /// metadata), atomically: an interrupted save leaves the previous file
    /// or the new one. The optimizer's moments are not saved: `partial_fit`
    /// after `load` starts a fresh optimizer.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_with(path, serde_json::Value::Null)
    }

    /// [`save`](Self::save) with a caller's JSON in the same file (e.g. the
    /// preprocessing a tool applies before the network), read back by
    /// [`load_with`](Self::load_with): one atomic file for both.
    pub fn save_with(&self, path: impl AsRef<Path>, user: serde_json::Value) -> Result<()> {
        let extra = serde_json::json!({ "classes": self.classes, "multilabel": self.multilabel });
        self.core.save(path.as_ref(), WHAT, extra, user)
    }

    /// Loads a classifier written by [`MlpClassifier::save`]. The file is
    /// untrusted: the classes (sorted, distinct, as many as the outputs
    /// need), the multilabel flag, the layer sizes, `n_outputs` and every
    /// tensor are checked against each other first; a mismatch is an
    /// [`Error::InvalidModelFile`] naming it.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::load_with(path)?.0)
    }

    /// Loads a classifier and the caller's JSON saved with
    /// [`save_with`](Self::save_with) (`Null` when there is none; checking
    /// it is the caller's job).
    pub fn load_with(path: impl AsRef<Path>) -> Result<(Self, serde_json::Value)> {
        let path = path.as_ref();
        let (core, mut extra, user) = Core::load(path, WHAT)?;
        let classes: Vec<L> = serde_json::from_value(take(&mut extra, "classes"))
            .map_err(|e| Error::model_file(path, format!("classes do not fit the label type: {e}")))?;
        let multilabel = match take(&mut extra, "multilabel") {
            serde_json::Value::Null => None,
            v => Some(
                v.as_u64()
                    .and_then(|k| usize::try_from(k).ok())
                    .ok_or_else(|| Error::model_file(path, format!("multilabel must be null or a count, got {v}")))?,
            ),
        };
        check_classes(path, &classes, multilabel, &core.state)?;
        let clf = MlpClassifier {
            core,
            classes,
            multilabel,
        };
        Ok((clf, user))
    }
}

impl<L: Label> Estimator for MlpClassifier<L> {
    fn class_name(&self) -> &'static str {
        WHAT
    }
    fn get_params(&self) -> Params {
        self.core.options.get_params()
    }
    fn set_param(&mut self, name: &str, value: Param) -> Result<()> {
        self.core.options.set(name, value, WHAT)
    }
    fn clone_unfitted(&self) -> Self {
        MlpClassifier::new(self.core.options.clone())
    }
}

impl<L: Label> Predictor for MlpClassifier<L> {
    type Y = Array1<L>;
    fn fit(&mut self, x: Features<'_>, y: &Array1<L>) -> Result<()> {
        self.fit_labels(x, y.into(), None, false)
    }
    fn fit_weighted(&mut self, x: Features<'_>, y: &Array1<L>, sample_weight: &[f64]) -> Result<()> {
        self.fit_labels(x, y.into(), Some(sample_weight.into()), false)
    }
    fn predict(&self, x: Features<'_>) -> Result<Array1<L>> {
        MlpClassifier::predict(self, x)
    }
    fn score_with(&self, x: Features<'_>, y: &Array1<L>, scoring: &Scorer) -> Result<f64> {
        metrics::score_classifier(self, x, y, scoring)
    }
}

impl<L: Label> Classifier<L> for MlpClassifier<L> {
    fn classes(&self) -> &[L] {
        &self.classes
    }
    fn predict_proba(&self, x: Features<'_>) -> Result<Array2<f64>> {
        MlpClassifier::predict_proba(self, x)
    }
}
