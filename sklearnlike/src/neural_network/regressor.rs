//! `MLPRegressor`: a multi-layer perceptron for one or several outputs,
//! trained on half the squared error (identity output) or, with
//! `loss="poisson"` (scikit-learn 1.7), on half the Poisson deviance with an
//! exponential output (counts, rates: `y >= 0`).
//!
//! ```
//! use sklearnlike::neural_network::{Loss, MlpOptions, MlpRegressor, Solver};
//! # fn main() -> sklearnlike::Result<()> {
//! // y = 2 x0 - x1 (one output), learnt by a linear network.
//! let x: Vec<[f64; 2]> = (0..20).map(|i| [i as f64 / 10.0, (i % 3) as f64]).collect();
//! let y: Vec<f64> = x.iter().map(|r| 2.0 * r[0] - r[1]).collect();
//! let mut reg = MlpRegressor::new(
//!     MlpOptions::default().hidden_layer_sizes(&[]).solver(Solver::Lbfgs).alpha(0.0).random_state(0),
//! );
//! reg.fit(&x, &y)?;
//! assert!(reg.score(&x, &y)? > 0.999);
//! assert_eq!(reg.predict(&x)?.shape(), &[20, 1]);
//! // Counts with a log link: the predictions are positive.
//! let counts: Vec<f64> = x.iter().map(|r| (0.5 * r[0]).exp().round()).collect();
//! let mut pois = MlpRegressor::new(MlpOptions::default().hidden_layer_sizes(&[4]).solver(Solver::Lbfgs).random_state(0))
//!     .with_loss(Loss::Poisson);
//! pois.fit(&x, &counts)?;
//! assert!(pois.predict(&x)?.iter().all(|&p| p > 0.0));
//! # Ok(()) }
//! ```

use super::core::{Core, Encoded, FitState, Scoring};
use super::io::take;
use super::params::{Loss, MlpOptions, OutActivation};
use crate::base::{Estimator, Predictor, Regressor};
use crate::data::{row_major, Column, Features, Targets};
use crate::metrics::{self, Scoring as Scorer};
use crate::param::{unknown_param, Param, Params};
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};
use std::path::Path;
use tensorlow::Tensor;

/// scikit-learn's `MLPRegressor` (see the module docs).
pub struct MlpRegressor {
    core: Core,
    loss: Loss,
}

/// sklearn's spelling.
pub type MLPRegressor = MlpRegressor;

const WHAT: &str = "MLPRegressor";

impl std::fmt::Debug for MlpRegressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MLPRegressor")
            .field("loss", &self.loss)
            .field("options", &self.core.options)
            .field("fitted", &self.core.net.is_some())
            .field("n_iter", &self.core.state.n_iter)
            .field("loss_", &self.core.state.loss)
            .finish()
    }
}

impl MlpRegressor {
    /// An unfitted regressor with these parameters and `loss="squared_error"`.
    pub fn new(options: MlpOptions) -> Self {
        MlpRegressor {
            core: Core::new(options),
            loss: Loss::SquaredError,
        }
    }

    /// Sets the `loss` parameter (builder style; `loss()` is the fitted
    /// `loss_`).
    pub fn with_loss(mut self, loss: Loss) -> Self {
        self.loss = loss;
        self
    }

    /// The `loss` parameter (`loss()` is the fitted `loss_`).
    pub fn loss_function(&self) -> Loss {
        self.loss
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

    fn fit_targets(
        &mut self,
        x: Features<'_>,
        y: ArrayView2<'_, f64>,
        sample_weight: Option<Column<'_, f64>>,
        incremental: bool,
    ) -> Result<()> {
        let what = if incremental { "partial_fit" } else { "fit" };
        let xv = x.view()?;
        if y.nrows() != xv.nrows() {
            return Err(Error::shape(format!(
                "{what}: X has {} samples but y has {} rows; give one target row per sample",
                xv.nrows(),
                y.nrows()
            )));
        }
        if y.ncols() == 0 {
            return Err(Error::shape(format!("{what}: y has 0 outputs")));
        }
        crate::data::check_finite(&y, what, "y")?;
        if self.loss == Loss::Poisson {
            if let Some(((r, c), v)) = y.indexed_iter().find(|(_, v)| **v < 0.0) {
                return Err(Error::data(format!(
                    "{what}: loss='poisson' requires y >= 0, but y has {v} at row {r}, column {c}"
                )));
            }
        }
        let out = match self.loss {
            Loss::SquaredError => OutActivation::Identity,
            Loss::Poisson => OutActivation::Exp,
        };
        let (xs, ys) = (row_major(&xv), row_major(&y));
        let w = sample_weight.as_ref().map(|w| w.as_slice());
        let d = Encoded {
            x: &xs,
            n_features: xv.ncols(),
            y: &ys,
            n_outputs: y.ncols(),
            sample_weight: w.as_deref(),
            out_activation: out,
            scoring: Scoring::R2,
            stratify: None,
        };
        self.core.fit(d, incremental)
    }

    /// Trains on `x` and targets `y` (1-D for one output, 2-D
    /// `(n_samples, n_outputs)` for several).
    pub fn fit<'a>(&mut self, x: impl Into<Features<'a>>, y: impl Into<Targets<'a>>) -> Result<&mut Self> {
        let y = y.into();
        self.fit_targets(x.into(), y.view()?, None, false)?;
        Ok(self)
    }

    /// Trains with one weight per sample (see
    /// [`MlpClassifier::fit_weighted`](super::MlpClassifier::fit_weighted)).
    pub fn fit_weighted<'a>(
        &mut self,
        x: impl Into<Features<'a>>,
        y: impl Into<Targets<'a>>,
        sample_weight: impl Into<Column<'a, f64>>,
    ) -> Result<&mut Self> {
        let y = y.into();
        self.fit_targets(x.into(), y.view()?, Some(sample_weight.into()), false)?;
        Ok(self)
    }

    /// One epoch keeping the optimizer's state (sgd and adam only).
    pub fn partial_fit<'a>(&mut self, x: impl Into<Features<'a>>, y: impl Into<Targets<'a>>) -> Result<&mut Self> {
        let y = y.into();
        self.fit_targets(x.into(), y.view()?, None, true)?;
        Ok(self)
    }

    /// [`partial_fit`](Self::partial_fit) with one weight per sample.
    pub fn partial_fit_weighted<'a>(
        &mut self,
        x: impl Into<Features<'a>>,
        y: impl Into<Targets<'a>>,
        sample_weight: impl Into<Column<'a, f64>>,
    ) -> Result<&mut Self> {
        let y = y.into();
        self.fit_targets(x.into(), y.view()?, Some(sample_weight.into()), true)?;
        Ok(self)
    }

    /// Predictions, `(n_samples, n_outputs)` (scikit-learn returns a 1-D
    /// array for one output: take `.column(0)`).
    pub fn predict<'a>(&self, x: impl Into<Features<'a>>) -> Result<Array2<f64>> {
        let x = x.into();
        let xv = x.view()?;
        let out = self.core.forward(&row_major(&xv), xv.ncols(), WHAT)?;
        let k = self.core.state.n_outputs;
        Ok(Array2::from_shape_vec((out.len() / k, k), out).expect("n * k outputs"))
    }

    /// R² of the predictions, averaged over outputs.
    pub fn score<'a>(&self, x: impl Into<Features<'a>>, y: impl Into<Targets<'a>>) -> Result<f64> {
        let p = self.predict(x)?;
        let y = y.into();
        metrics::r2_score(y.view()?, &p)
    }

    fitted_attribute_getters!("regressor");

    /// Saves to one file, atomically (see
    /// [`MlpClassifier::save`](super::MlpClassifier::save)).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        self.save_with(path, serde_json::Value::Null)
    }

    /// [`save`](Self::save) with a caller's JSON in the same file (see
    /// [`MlpClassifier::save_with`](super::MlpClassifier::save_with)).
    pub fn save_with(&self, path: impl AsRef<Path>, user: serde_json::Value) -> Result<()> {
        self.core
            .save(path.as_ref(), WHAT, serde_json::json!({ "loss": self.loss }), user)
    }

    /// Loads a regressor written by [`MlpRegressor::save`], checking the
    /// file as [`MlpClassifier::load`](super::MlpClassifier::load) does
    /// (and that the output activation fits `loss`).
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        Ok(Self::load_with(path)?.0)
    }

    /// Loads a regressor and the caller's JSON saved with
    /// [`save_with`](Self::save_with).
    pub fn load_with(path: impl AsRef<Path>) -> Result<(Self, serde_json::Value)> {
        let path = path.as_ref();
        let (core, mut extra, user) = Core::load(path, WHAT)?;
        let loss: Loss = serde_json::from_value(take(&mut extra, "loss"))
            .map_err(|e| Error::model_file(path, format!("bad loss: {e}")))?;
        let want = match loss {
            Loss::SquaredError => OutActivation::Identity,
            Loss::Poisson => OutActivation::Exp,
        };
        if core.state.out_activation != Some(want) {
            return Err(Error::model_file(
                path,
                format!(
                    "loss {loss} needs an {want} output, the network has {:?}",
                    core.state.out_activation
                ),
            ));
        }
        Ok((MlpRegressor { core, loss }, user))
    }
}

impl Estimator for MlpRegressor {
    fn class_name(&self) -> &'static str {
        WHAT
    }
    fn get_params(&self) -> Params {
        self.core.options.get_params().with("loss", self.loss.as_str())
    }
    fn set_param(&mut self, name: &str, value: Param) -> Result<()> {
        if name == "loss" {
            self.loss = value.to_text(name)?.parse()?;
            return Ok(());
        }
        self.core.options.set(name, value, WHAT).map_err(|e| match e {
            Error::InvalidParameter(m) if m.starts_with("Invalid parameter") => {
                let mut names = MlpOptions::PARAM_NAMES.to_vec();
                names.push("loss");
                names.sort();
                unknown_param(WHAT, name, &names)
            }
            e => e,
        })
    }
    fn clone_unfitted(&self) -> Self {
        MlpRegressor::new(self.core.options.clone()).with_loss(self.loss)
    }
}

impl Predictor for MlpRegressor {
    type Y = Array2<f64>;
    fn fit(&mut self, x: Features<'_>, y: &Array2<f64>) -> Result<()> {
        self.fit_targets(x, y.view(), None, false)
    }
    fn fit_weighted(&mut self, x: Features<'_>, y: &Array2<f64>, sample_weight: &[f64]) -> Result<()> {
        self.fit_targets(x, y.view(), Some(sample_weight.into()), false)
    }
    fn predict(&self, x: Features<'_>) -> Result<Array2<f64>> {
        MlpRegressor::predict(self, x)
    }
    fn score_with(&self, x: Features<'_>, y: &Array2<f64>, scoring: &Scorer) -> Result<f64> {
        metrics::score_regressor(self, x, y, scoring)
    }
}

impl Regressor for MlpRegressor {}
