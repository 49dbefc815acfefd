//! # keraslike — the high-level tier
//!
//! Keras 3 in idiomatic Rust, built only from [`tensorlow`]'s public API.

#![warn(missing_docs)]

pub mod activations;
pub mod callbacks;
pub mod datasets;
mod error;
pub mod initializers;
pub mod layers;
pub mod losses;
pub mod metrics;
pub mod models;
pub mod optimizers;
pub mod regularizers;
pub mod saving;
pub mod utils;

pub use error::{Error, Result};
// The layers at the root, as `keras.layers.*`; the `Activation` layer stays at
// `layers::Activation` so it is not confused with `activations::Activation`.
pub use layers::{BatchNormalization, Dense, Dropout, Flatten, Input, Layer, LayerNormalization, Reshape};
pub use models::{EvaluateOptions, FitOptions, History, Model, PredictOptions, Sequential};
pub use tensorlow;

/// What most programs import: `use keraslike::prelude::*;` — the models,
/// the built-in layers, the optimizers, the callbacks, and tensorlow's
/// `Tensor` and `Device`.
pub mod prelude {
    pub use crate::callbacks::{
        BackupAndRestore, CSVLogger, Callback, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, TensorBoard,
    };
    pub use crate::layers::{
        Add, Average, BatchNormalization, Concatenate, Dense, Dot, Dropout, Flatten, Input, KerasTensor, Layer,
        LayerNormalization, LayerRef, Maximum, Minimum, Multiply, Reshape, Subtract,
    };
    pub use crate::models::{EvaluateOptions, FitOptions, Model, PredictOptions, Sequential};
    pub use crate::optimizers::{Adagrad, Adam, AdamW, Adamax, Nadam, Optimizer, RMSprop, SGD};
    pub use crate::sequential;
    pub use tensorlow::{Device, Tensor};
}
