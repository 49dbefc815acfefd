//! Subclassed models: a struct of your own with its layers and a `call`,
//! trained by the same machinery as every other model (the Rust
//! counterpart of subclassing `keras.Model`).
//!
//! Hold the layers as [`LayerRef`]s (`Dense::new(8).shared()`): they build
//! themselves on their first call from the input's shape, as Keras layers
//! do, and the model finds their weights through
//! [`CustomModel::layers`].
//!
//! ```
//! use keraslike::layers::{Dense, Layer, LayerRef};
//! use keraslike::models::CustomModel;
//! use keraslike::{FitOptions, Model, Result};
//! use tensorlow::Tensor;
//!
//! /// y = out(relu(hidden(x)) + x): a residual block.
//! struct Residual { hidden: LayerRef<Dense>, out: LayerRef<Dense> }
//!
//! impl CustomModel for Residual {
//!     fn call(&self, inputs: &[Tensor], training: bool) -> Result<Vec<Tensor>> {
//!         let x = &inputs[0];
//!         let h = (self.hidden.call(x, training)? + x)?;
//!         Ok(vec![self.out.call(&h, training)?])
//!     }
//!     fn layers(&self) -> Vec<LayerRef> {
//!         vec![self.hidden.clone().erased(), self.out.clone().erased()]
//!     }
//! }
//!
//! # fn main() -> Result<()> {
//! let mut model = Model::custom(Residual {
//!     hidden: Dense::new(3).activation("relu").shared(),
//!     out: Dense::new(1).shared(),
//! });
//! model.compile("sgd", "mse", &[] as &[&str])?;
//! let x = Tensor::new(&[1.0f32, 0.0, 2.0, 1.0, 1.0, 1.0], &[2, 3])?;
//! let y = Tensor::new(&[1.0f32, 2.0], &[2, 1])?;
//! model.fit(&x, &y, FitOptions::default().epochs(2).verbose(0))?;
//! assert_eq!(model.count_params(), 3 * 3 + 3 + 3 + 1);
//! # Ok(()) }
//! ```

use crate::layers::LayerRef;
use crate::Result;
use tensorlow::Tensor;

/// A model defined by its own `call` (see the [module docs](self)).
pub trait CustomModel: Send + Sync + 'static {
    /// The forward pass: one tensor per input in, one per output out.
    fn call(&self, inputs: &[Tensor], training: bool) -> Result<Vec<Tensor>>;
    /// Every layer the model uses, in a fixed order (their weights are the
    /// model's weights, in this order; saving uses it).
    fn layers(&self) -> Vec<LayerRef>;
    /// The class name shown by `summary()` (default `"CustomModel"`).
    fn class_name(&self) -> &'static str {
        "CustomModel"
    }
    /// Input names, for data given by name (default `["input"]`).
    fn input_names(&self) -> Vec<String> {
        vec!["input".into()]
    }
    /// Output names, the prefixes of per-output logs (default `["output"]`,
    /// or `output_0`, `output_1`, ... when overridden for several outputs).
    fn output_names(&self) -> Vec<String> {
        vec!["output".into()]
    }
    /// The per-sample input shapes, if the model knows them before its
    /// first call (default: learned from the first batch).
    fn input_shapes(&self) -> Option<Vec<Vec<usize>>> {
        None
    }
}

impl crate::models::Model {
    /// A model from your own [`CustomModel`] (subclassing `keras.Model`).
    pub fn custom(model: impl CustomModel) -> crate::models::Model {
        crate::models::Model::from_network(
            super::network::Network::Custom(Box::new(model), std::sync::RwLock::new(None)),
            crate::layers::unique_name("custom_model"),
        )
    }
}
