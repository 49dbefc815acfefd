#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

/// The low-level tier (TensorFlow core): see [`tensorlow`].
pub use tensorlow as tf;

/// The high-level tier (Keras): see [`keraslike`].
pub use keraslike as keras;

/// The scikit-learn tier (estimators, model selection, preprocessing,
/// metrics, pipelines): see [`sklearnlike`].
pub use sklearnlike as sklearn;
