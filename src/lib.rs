#![doc = include_str!("../README.md")]

/// The low-level tier (TensorFlow core): see [`tensorlow`].
pub use tensorlow as tf;

/// The high-level tier (Keras) and the scikit-learn estimators: see [`keraslike`].
pub use keraslike as keras;
