//! Metrics and scorers (`sklearn.metrics`): classification
//! ([`accuracy_score`], [`precision_score`], [`recall_score`], [`f1_score`]
//! with binary / micro / macro / weighted averages, [`confusion_matrix`],
//! [`classification_report`], [`log_loss`]), regression ([`r2_score`],
//! [`mean_squared_error`], [`mean_absolute_error`]), and [`Scoring`] by
//! scikit-learn's scorer names for model selection.
//!
//! ```
//! use sklearnlike::metrics::{classification_report, r2_score};
//! # fn main() -> sklearnlike::Result<()> {
//! println!("{}", classification_report(&[0, 1, 1], &[0, 1, 0], None, 2)?);
//! assert_eq!(r2_score(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0])?, 1.0);
//! # Ok(()) }
//! ```

mod classification;
mod regression;
mod report;
mod scorer;

pub use classification::{
    accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score, fbeta_score, log_loss,
    precision_recall_fscore_support, precision_score, recall_score, Average, PrfSupport,
};
pub use regression::{mean_absolute_error, mean_squared_error, r2_score, root_mean_squared_error};
pub use report::classification_report;
pub use scorer::{score_classifier, score_regressor, Scoring};
