//! # sklearnlike — the scikit-learn tier
//!
//! scikit-learn's estimators and their common interface in idiomatic Rust,
//! built only from [`tensorlow`]'s public API:
//!
//! - [`neural_network`]: `MLPClassifier` / `MLPRegressor` with every
//!   parameter and default of scikit-learn 1.9, `sample_weight`,
//!   `loss="poisson"`, `partial_fit`, `warm_start`, save/load;
//! - [`base`]: the traits every estimator implements ([`Estimator`]:
//!   `get_params` / `set_params` by name and `clone`; [`Predictor`],
//!   [`Classifier`], [`Regressor`], [`Transformer`]);
//! - [`preprocessing`]: `StandardScaler`, `MinMaxScaler`, `OneHotEncoder`,
//!   `LabelEncoder`;
//! - [`model_selection`]: `train_test_split`, `KFold`, `StratifiedKFold`,
//!   `cross_val_score`, `cross_validate`, `GridSearchCV`;
//! - [`pipeline`]: `Pipeline`, `make_pipeline`;
//! - [`metrics`]: accuracy, precision / recall / F1, confusion matrix,
//!   `classification_report`, log loss, R², MSE, MAE, scorers by name.
//!
//! Data comes in the shapes Rust users hold ([`data`]): `ndarray` arrays
//! (`ArrayView2<f64>` without a copy, `f32` converted), slices of rows or a
//! flat slice with its width; results are `ndarray` arrays.
//!
//! ```
//! use ndarray::Array2;
//! use sklearnlike::model_selection::cross_val_score;
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions, Solver};
//! use sklearnlike::pipeline::make_pipeline;
//! use sklearnlike::preprocessing::StandardScaler;
//! # fn main() -> sklearnlike::Result<()> {
//! let x = Array2::from_shape_fn((60, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64 + 10.0 * (i % 2) as f64);
//! let y: Vec<i64> = (0..60).map(|i| (i % 2) as i64).collect();
//! let mlp = MlpClassifier::new(MlpOptions::default().hidden_layer_sizes(&[5]).solver(Solver::Lbfgs).random_state(0));
//! let pipe = make_pipeline(vec![Box::new(StandardScaler::new())], mlp);
//! let scores = cross_val_score(&pipe, &x, &y, 5, Some("accuracy"))?;
//! assert!(scores.mean().unwrap() > 0.9);
//! # Ok(()) }
//! ```

pub mod base;
pub mod data;
mod error;
pub mod metrics;
pub mod model_selection;
pub mod neural_network;
pub mod param;
pub mod pipeline;
pub mod preprocessing;

pub use base::{clone, Classifier, Estimator, Label, Predictor, Regressor, Transformer};
pub use data::{Column, Features, Targets};
pub use error::{Error, Result};
pub use ndarray;
pub use neural_network::{MLPClassifier, MLPRegressor, MlpClassifier, MlpOptions, MlpRegressor};
pub use param::{Param, Params};
pub use tensorlow;
