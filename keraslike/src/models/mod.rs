//! Models: [`Sequential`], its training loop ([`Sequential::fit`]),
//! evaluation and prediction, [`History`], `summary()`, saving and the
//! layer registry used to load saved models ([`load_model`]).
//!
//! ```
//! use keraslike::models::{FitOptions, History, Sequential};
//! let opts = FitOptions { epochs: 10, batch_size: 16, verbose: 0, ..FitOptions::default() };
//! assert_eq!(opts.validation_split, 0.0);
//! assert!(History::default().history.is_empty());
//! let model = Sequential::new(vec![]);
//! assert!(model.name().starts_with("sequential"));
//! ```

mod data;
mod device;
mod evaluate;
mod fit;
mod history;
mod loss_tracker;
mod progress;
pub mod registry;
mod saving;
mod sequential;
mod step;
mod summary;

pub use evaluate::{EvaluateOptions, PredictOptions};
pub use fit::FitOptions;
pub use history::History;
pub use registry::{layer_from_config, register_layer, LayerFactory};
pub use saving::load_model;
pub use sequential::Sequential;
