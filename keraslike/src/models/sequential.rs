//! `Sequential`: a plain stack of layers (`keras.Sequential`), a [`Model`]
//! built from a list.
//!
//! `Sequential` dereferences to [`Model`], so everything a model does —
//! `compile`, `fit`, `evaluate`, `predict`, `summary`, `save` — works on
//! it directly, and it can be passed wherever a `&mut Model` is expected
//! (callbacks receive one). Its forward pass is a plain loop over the
//! layers. The [`sequential!`](crate::sequential) macro builds one from
//! layers without boxing each:
//!
//! ```
//! use keraslike::layers::Dense;
//! use keraslike::{sequential, Sequential};
//! let model = sequential![
//!     Dense::new(5).activation("sigmoid").input_shape(&[4]),
//!     Dense::new(3).activation("softmax"),
//! ];
//! assert_eq!(model.layers().len(), 2);
//! assert!(model.built()); // the first layer declares its input shape
//! assert_eq!(model.count_params(), 4 * 5 + 5 + 5 * 3 + 3);
//! let empty = Sequential::new(vec![]);
//! assert!(!empty.built());
//! ```

use super::network::{Network, Stack};
use super::Model;
use crate::layers::{BuildContext, Layer, LayerRef};
use crate::{Error, Result};

/// A linear stack of layers (`keras.Sequential`); see the [module docs](self).
#[derive(Debug)]
pub struct Sequential {
    model: Model,
}

impl std::ops::Deref for Sequential {
    type Target = Model;
    fn deref(&self) -> &Model {
        &self.model
    }
}

impl std::ops::DerefMut for Sequential {
    fn deref_mut(&mut self) -> &mut Model {
        &mut self.model
    }
}

impl From<Sequential> for Model {
    fn from(s: Sequential) -> Model {
        s.model
    }
}

/// Builds a [`Sequential`] from layers, each any `impl Layer` (no
/// `Box::new` needed): `sequential![Dense::new(5).input_shape(&[4]),
/// Dense::new(3)]`.
#[macro_export]
macro_rules! sequential {
    ($($layer:expr),* $(,)?) => {
        $crate::Sequential::from_layers(vec![$($crate::layers::LayerRef::new($layer).erased()),*])
    };
}

impl Sequential {
    /// A model from a list of boxed layers (`keras.Sequential([...])`),
    /// named `sequential`, `sequential_1`, ... and placed on the CPU. When
    /// the first layer declares its input shape (`Dense::new(5).input_shape(&[4])`,
    /// `Input`), the model is built right away, as in Keras, so `summary()`
    /// shows shapes and parameter counts before training. An `Input` first
    /// layer declares the shape and is not listed in `layers()`.
    pub fn new(layers: Vec<Box<dyn Layer>>) -> Self {
        Self::from_layers(layers.into_iter().map(LayerRef::from_box).collect())
    }

    /// A model from layer handles (shared layers stay shared).
    pub fn from_layers(layers: Vec<LayerRef>) -> Self {
        let model = Model::from_network(
            Network::Stack(Stack::new(layers)),
            crate::layers::unique_name("sequential"),
        );
        let s = Sequential { model };
        s.build_if_declared();
        s
    }

    fn stack(&self) -> &Stack {
        match &self.model.net {
            Network::Stack(s) => s,
            _ => unreachable!("a Sequential's network is a stack"),
        }
    }

    fn stack_mut(&mut self) -> &mut Stack {
        match &mut self.model.net {
            Network::Stack(s) => s,
            _ => unreachable!("a Sequential's network is a stack"),
        }
    }

    /// Builds from the declared input shape, if there is one. A failure is
    /// left for `compile`/`fit`/`predict` to report (they build again).
    fn build_if_declared(&self) {
        if self.stack().input_shape().is_none() {
            if let Some(shape) = self.stack().declared_input_shape() {
                let _ = self.stack().build(&shape, &BuildContext::on(&self.model.device));
            }
        }
    }

    /// Renames the model (builder style), e.g. for `summary()`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.model.name = name.into();
        self
    }

    /// Appends a layer (`model.add`); a built model builds it right away
    /// (an incompatible layer is an error then).
    pub fn add(&mut self, layer: impl Layer + 'static) -> Result<()> {
        self.add_ref(LayerRef::new(layer).erased())
    }

    /// Appends a boxed layer.
    pub fn add_boxed(&mut self, layer: Box<dyn Layer>) -> Result<()> {
        self.add_ref(LayerRef::from_box(layer))
    }

    /// Appends a layer handle (the layer stays shared with its other uses).
    pub fn add_ref(&mut self, layer: LayerRef) -> Result<()> {
        if self.stack().layers.is_empty() && self.stack().input.is_none() && layer.class_name() == "InputLayer" {
            let mut layers = vec![layer];
            layers.append(&mut self.stack_mut().layers);
            *self.stack_mut() = Stack::new(layers);
            self.build_if_declared();
            return Ok(());
        }
        let known = self.stack().input_shape();
        self.stack_mut().layers.push(layer.clone());
        match known {
            Some(shape) => {
                let mut s = shape;
                let ctx = BuildContext::on(&self.model.device);
                for l in &self.stack().layers {
                    if l.same(&layer) {
                        if let Err(e) = l.build(&s, &ctx) {
                            self.stack_mut().layers.pop();
                            return Err(e);
                        }
                        break;
                    }
                    s = super::network::output_shape_of(l, &s)?;
                }
                Ok(())
            }
            None => {
                self.build_if_declared();
                Ok(())
            }
        }
    }

    /// Removes the last layer (`model.pop()`).
    pub fn pop(&mut self) -> Result<LayerRef> {
        self.stack_mut()
            .layers
            .pop()
            .ok_or_else(|| Error::arg(format!("pop: model {:?} has no layers", self.model.name)))
    }

    /// Loads a `Sequential` saved by [`Model::save`].
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Sequential> {
        super::load_model(path)?.into_sequential()
    }

    /// The model, as a [`Model`] value.
    pub fn into_model(self) -> Model {
        self.model
    }
}

impl Model {
    /// The model as a `Sequential`, if it is one (e.g. after `load_model`).
    pub fn into_sequential(self) -> Result<Sequential> {
        match self.net {
            Network::Stack(_) => Ok(Sequential { model: self }),
            _ => Err(Error::arg(format!(
                "model {:?} is a {} model, not a Sequential",
                self.name,
                self.class_name()
            ))),
        }
    }
}
