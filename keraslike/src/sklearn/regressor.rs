//! `MLPRegressor`: a multi-layer perceptron trained on squared error, with
//! an identity output; one or several outputs.
//!
//! ```
//! use keraslike::sklearn::{MlpOptions, MlpRegressor, Solver};
//! # fn main() -> keraslike::Result<()> {
//! // y = 2 x0 - x1 (one output), learnt by a linear network.
//! let x: Vec<f64> = (0..20).flat_map(|i| [i as f64 / 10.0, (i % 3) as f64]).collect();
//! let y: Vec<f64> = x.chunks(2).map(|r| 2.0 * r[0] - r[1]).collect();
//! let mut reg = MlpRegressor::new(
//!     MlpOptions::default().hidden_layer_sizes(&[]).solver(Solver::Lbfgs).alpha(0.0).random_state(0),
//! );
//! reg.fit(&x, 2, &y)?;
//! assert!(reg.score(&x, 2, &y)? > 0.999);
//! # Ok(()) }
//! ```

use super::core::{r2_score, Core, FitState, Scoring};
use super::params::{MlpOptions, OutActivation};
use crate::{Error, Result};
use std::path::Path;
use tensorlow::Tensor;

/// scikit-learn's `MLPRegressor` (see the module docs).
pub struct MlpRegressor {
    core: Core,
}

/// sklearn's spelling.
pub type MLPRegressor = MlpRegressor;

const WHAT: &str = "MLPRegressor";

impl std::fmt::Debug for MlpRegressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MLPRegressor")
            .field("options", &self.core.options)
            .field("fitted", &self.core.net.is_some())
            .field("n_iter", &self.core.state.n_iter)
            .field("loss", &self.core.state.loss)
            .finish()
    }
}

fn n_outputs(x_len: usize, n_features: usize, y: &[f64]) -> Result<usize> {
    let n = x_len / n_features.max(1);
    if n == 0 || y.is_empty() || !y.len().is_multiple_of(n) {
        return Err(Error::data(format!(
            "fit: X has {n} samples but y has {} values; y must hold n_samples * n_outputs values",
            y.len()
        )));
    }
    Ok(y.len() / n)
}

impl MlpRegressor {
    /// An unfitted regressor with these parameters.
    pub fn new(options: MlpOptions) -> Self {
        MlpRegressor {
            core: Core::new(options),
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

    /// Trains on row-major `x` and targets `y` (row-major `(n, n_outputs)`;
    /// `n_outputs = y.len() / n_samples`).
    pub fn fit(&mut self, x: &[f64], n_features: usize, y: &[f64]) -> Result<&mut Self> {
        if x.is_empty() || n_features == 0 {
            return Err(Error::data(
                "fit: found an array with 0 samples; at least 1 is required",
            ));
        }
        let k = n_outputs(x.len(), n_features, y)?;
        self.core
            .fit(x, n_features, y, k, OutActivation::Identity, Scoring::R2, None, false)?;
        Ok(self)
    }

    /// One epoch keeping the optimizer's state (sgd and adam only).
    pub fn partial_fit(&mut self, x: &[f64], n_features: usize, y: &[f64]) -> Result<&mut Self> {
        if x.is_empty() || n_features == 0 {
            return Err(Error::data("partial_fit: found an array with 0 samples"));
        }
        let k = n_outputs(x.len(), n_features, y)?;
        self.core
            .fit(x, n_features, y, k, OutActivation::Identity, Scoring::R2, None, true)?;
        Ok(self)
    }

    /// Predictions, row-major `(n, n_outputs)`.
    pub fn predict(&self, x: &[f64], n_features: usize) -> Result<Vec<f64>> {
        self.core.forward(x, n_features, WHAT)
    }

    /// R² of the predictions, averaged over outputs.
    pub fn score(&self, x: &[f64], n_features: usize, y: &[f64]) -> Result<f64> {
        let p = self.predict(x, n_features)?;
        if p.len() != y.len() {
            return Err(Error::data(format!(
                "score: predictions have {} values, y has {}",
                p.len(),
                y.len()
            )));
        }
        Ok(r2_score(y, &p, self.core.state.n_outputs))
    }

    fitted_attribute_getters!("regressor");
    /// Saves into folder `dir` (see [`super::MlpClassifier::save`]).
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        self.core.save(dir.as_ref(), WHAT, serde_json::Value::Null)
    }
    /// Loads a regressor written by [`MlpRegressor::save`].
    pub fn load(dir: impl AsRef<Path>) -> Result<Self> {
        Ok(MlpRegressor {
            core: Core::load(dir.as_ref(), WHAT)?.0,
        })
    }
}
