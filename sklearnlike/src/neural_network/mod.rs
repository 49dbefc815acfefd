//! scikit-learn's `MLPClassifier` and `MLPRegressor` on tensorlow
//! (`sklearn.neural_network`).
//!
//! Same parameters, defaults and training semantics as scikit-learn 1.9
//! (`sklearn/neural_network/_multilayer_perceptron.py`): Glorot-uniform
//! init, log-loss, squared error or (regressor, `loss="poisson"`) half the
//! Poisson deviance with an exp output, plus `alpha * ||W||² / (2 * batch)`,
//! `sample_weight` in `fit` / `partial_fit` (1.7: weighted terms, divided by
//! the batch's total weight), sklearn's Adam and SGD (momentum, Nesterov,
//! constant / invscaling / adaptive schedules), full-batch L-BFGS
//! ([`tensorlow::optimize::lbfgs`]), the `n_iter_no_change` / `tol`
//! convergence rule on the training loss or (with `early_stopping`) on a
//! held-out score keeping the best weights, `loss_` as the size-weighted
//! mean of the epoch's minibatch losses, `warm_start` and `partial_fit`,
//! and a `ConvergenceWarning` on stderr when `max_iter` runs out.
//!
//! Rust shape of the API:
//! - parameters: [`MlpOptions`] (`Default` + builders), or by scikit-learn
//!   name through [`Estimator`](crate::base::Estimator) (`get_params`,
//!   `set_param`);
//! - data: `X` as anything [`Features`](crate::data::Features) converts
//!   from (`ndarray` arrays, `&[[f64; N]]` rows, `(&flat, n_features)`);
//!   labels as slices, `Vec`s or `Array1`; results as `ndarray` arrays;
//! - fitted attributes: getters named like sklearn's without the trailing
//!   underscore (`loss()`, `loss_curve()`, `n_iter()`, `coefs()`, ...), all
//!   also in one [`FitState`];
//! - `save(path)` / `load(path)`: one safetensors file, written atomically,
//!   checked field by field when loaded.
//!
//! Differences from sklearn (documented choices): the random streams are
//! tensorlow's (the same `random_state` gives the same model here, not
//! sklearn's numbers); the network trains in float32 for sgd/adam and
//! float64 for lbfgs unless [`MlpOptions::dtype`] says otherwise; the
//! early-stopping split is stratified for every single-label classifier
//! (sklearn stratifies only binary ones) and uses `round` for its size;
//! `loss="poisson"` rejects negative targets up front (sklearn documents
//! `y >= 0` and returns NaN losses otherwise).
//!
//! ```
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions};
//! # fn main() -> sklearnlike::Result<()> {
//! let x: Vec<[f64; 2]> = (0..20).map(|i| [(i % 7) as f64 / 7.0, (i % 3) as f64 / 3.0]).collect();
//! let y: Vec<i64> = (0..20).map(|i| (i % 2) as i64).collect();
//! let mut clf = MlpClassifier::new(MlpOptions::default().hidden_layer_sizes(&[4]).max_iter(5).random_state(0));
//! clf.fit(&x, &y)?;   // warns on stderr: 5 epochs do not converge
//! assert_eq!(clf.loss_curve().len(), 5);
//! assert_eq!(clf.predict_proba(&x[..2])?.shape(), &[2, 2]);
//! # Ok(()) }
//! ```

/// The getters of scikit-learn's fitted attributes (`loss_`, `coefs_`,
/// ...), shared by both estimators: each reads the estimator's `core`.
/// `$noun` ("classifier" / "regressor") goes into the docs.
macro_rules! fitted_attribute_getters {
    ($noun:literal) => {
        /// The fitted attributes (`loss_`, `loss_curve_`, `n_iter_`, ...).
        pub fn state(&self) -> &FitState {
            &self.core.state
        }
        /// `loss_`.
        pub fn loss(&self) -> f64 {
            self.core.state.loss
        }
        /// `best_loss_`.
        pub fn best_loss(&self) -> Option<f64> {
            self.core.state.best_loss
        }
        /// `loss_curve_`.
        pub fn loss_curve(&self) -> &[f64] {
            &self.core.state.loss_curve
        }
        /// `validation_scores_`.
        pub fn validation_scores(&self) -> Option<&[f64]> {
            self.core.state.validation_scores.as_deref()
        }
        /// `best_validation_score_`.
        pub fn best_validation_score(&self) -> Option<f64> {
            self.core.state.best_validation_score
        }
        /// `n_iter_`.
        pub fn n_iter(&self) -> usize {
            self.core.state.n_iter
        }
        /// `t_`.
        pub fn t(&self) -> usize {
            self.core.state.t
        }
        /// `n_features_in_`.
        pub fn n_features_in(&self) -> usize {
            self.core.state.n_features_in
        }
        /// `n_layers_`.
        pub fn n_layers(&self) -> usize {
            self.core.state.n_layers
        }
        /// `n_outputs_`.
        pub fn n_outputs(&self) -> usize {
            self.core.state.n_outputs
        }
        /// `out_activation_` (identity for the regressor).
        pub fn out_activation(&self) -> Option<OutActivation> {
            self.core.state.out_activation
        }
        /// Copies of `coefs_`, each `(fan_in, fan_out)`.
        pub fn coefs(&self) -> Result<Vec<Tensor>> {
            self.core.coefs(WHAT)
        }
        /// Copies of `intercepts_`.
        pub fn intercepts(&self) -> Result<Vec<Tensor>> {
            self.core.intercepts(WHAT)
        }
        #[doc = concat!("Overwrites `coefs_` of a fitted ", $noun, " (shapes must match).")]
        pub fn set_coefs(&mut self, coefs: &[Tensor]) -> Result<()> {
            self.core.set_weights(coefs, true, WHAT)
        }
        #[doc = concat!("Overwrites `intercepts_` of a fitted ", $noun, ".")]
        pub fn set_intercepts(&mut self, intercepts: &[Tensor]) -> Result<()> {
            self.core.set_weights(intercepts, false, WHAT)
        }
    };
}

mod classifier;
mod core;
mod io;
mod net;
mod params;
#[cfg(feature = "plot")]
mod plot;
mod regressor;

pub use self::core::FitState;
pub use classifier::{MLPClassifier, MlpClassifier};
pub use params::{Activation, LearningRate, Loss, MlpOptions, OutActivation, Solver};
pub use regressor::{MLPRegressor, MlpRegressor};
