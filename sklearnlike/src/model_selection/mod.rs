//! Model selection (`sklearn.model_selection`): [`train_test_split`],
//! [`KFold`] / [`StratifiedKFold`], [`cross_val_score`] /
//! [`cross_validate`] with scoring by name, and [`GridSearchCV`] over a
//! [`ParamGrid`] of scikit-learn parameter names.
//!
//! ```
//! use sklearnlike::model_selection::{cross_val_score, StratifiedKFold};
//! use sklearnlike::neural_network::{MlpClassifier, MlpOptions, Solver};
//! # fn main() -> sklearnlike::Result<()> {
//! let x: Vec<[f64; 1]> = (0..20).map(|i| [i as f64 / 10.0]).collect();
//! let y: Vec<u8> = (0..20).map(|i| u8::from(i >= 10)).collect();
//! let clf = MlpClassifier::<u8>::new(MlpOptions::default().hidden_layer_sizes(&[3]).solver(Solver::Lbfgs).random_state(0));
//! let s = cross_val_score(&clf, &x, &y, StratifiedKFold::new(4), Some("f1"))?;
//! println!("{:.3} ± {:.3}", s.mean().unwrap(), s.std(0.0));
//! # Ok(()) }
//! ```

mod cross_val;
mod grid_search;
mod kfold;
mod split;

pub use cross_val::{cross_val_score, cross_validate, CvScores};
pub use grid_search::{CvResults, GridSearchCV, ParamGrid};
pub use kfold::{Cv, Fold, KFold, StratifiedKFold};
pub use split::{train_test_split, train_test_split_indices, Split, SplitOptions};
