//! Models: [`Model`] — one type that trains every network — and the ways to
//! build one: [`Sequential`] (a stack), [`Model::functional`] (a graph of
//! layers) and [`Model::custom`] (your own struct). Training
//! ([`Model::fit`]), evaluation and prediction, [`History`], `summary()`,
//! saving and [`load_model`].
//!
//! ```
//! use keraslike::layers::Dense;
//! use keraslike::models::{FitOptions, History};
//! use keraslike::sequential;
//! let opts = FitOptions::default().epochs(10).batch_size(16).verbose(0);
//! assert_eq!(opts.validation_split, 0.0);
//! assert!(History::default().history.is_empty());
//! let model = sequential![Dense::new(3).input_shape(&[4])];
//! assert!(model.name().starts_with("sequential"));
//! ```

mod compile;
mod data;
mod device;
mod evaluate;
mod fit;
pub(crate) mod functional;
mod graph_view;
mod history;
mod loss_tracker;
mod model;
mod nested;
pub(crate) mod network;
mod progress;
pub(crate) mod saving;
mod sequential;
mod step;
mod subclass;
mod summary;

pub use compile::{CompileOptions, IntoLosses, IntoOutputMetrics, LossWeights, Losses, OutputMetrics};
pub use data::{Data, IntoData};
pub use evaluate::{EvaluateOptions, PredictOptions};
pub use fit::FitOptions;
pub use graph_view::{GraphNode, GraphTensor, GraphView};
pub use history::History;
pub use model::Model;
pub use saving::{load_model, model_from_config};
pub use sequential::Sequential;
pub use subclass::CustomModel;
// Kept here for code written against the first layout.
pub use crate::layers::{layer_from_config, register_layer, LayerFactory};
