//! [`Model`]: one type that trains every network (`keras.Model`).
//!
//! A model holds a network — a stack of layers ([`Sequential`]), a graph of
//! layer nodes ([`Model::functional`]) or a user's own struct
//! ([`Model::custom`]) — and everything training needs: `compile`, `fit`,
//! `evaluate`, `predict`, the `*_on_batch` methods, `summary`, saving and
//! loading, callbacks. This file holds the model's state and accessors;
//! the neighbouring files of `models/` hold the rest.
//!
//! A built model is `Send + Sync`: [`predict`](Model::predict),
//! [`evaluate`](Model::evaluate) and [`call`](Model::call) take `&self`, so
//! one model can serve many threads behind an `Arc`, and a model can train
//! on another thread.
//!
//! [`Sequential`]: super::Sequential
//!
//! ```
//! use keraslike::layers::{Dense, Input, Layer};
//! use keraslike::Model;
//! # fn main() -> keraslike::Result<()> {
//! let inputs = Input::new(&[4]);
//! let hidden = Dense::new(8).activation("relu").apply(&inputs)?;
//! let outputs = Dense::new(3).activation("softmax").apply(&hidden)?;
//! let model = Model::functional(&inputs, &outputs)?;
//! assert_eq!(model.count_params(), 4 * 8 + 8 + 8 * 3 + 3);
//! fn shareable<T: Send + Sync>(_: &T) {}
//! shareable(&model);
//! # Ok(()) }
//! ```

use super::compile::Compiled;
use super::network::Network;
use crate::layers::{BuildContext, LayerRef};
use crate::optimizers::Optimizer;
use crate::{Error, Result};
use tensorlow::{Device, Tensor, Variable};

/// A trainable network (`keras.Model`); see the [module docs](self).
pub struct Model {
    pub(crate) name: String,
    pub(crate) net: Network,
    pub(crate) device: Device,
    pub(crate) compiled: Option<Compiled>,
    /// Set by a callback to end `fit` after the current epoch.
    pub stop_training: bool,
    /// Set by a callback in `on_train_begin` to start `fit` at this epoch
    /// instead of `initial_epoch` (Keras' `model._initial_epoch`, what
    /// `BackupAndRestore` uses to resume).
    pub(crate) resume_epoch: Option<usize>,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("name", &self.name)
            .field("class", &self.class_name())
            .field("layers", &self.layers())
            .field("device", &self.device.to_string())
            .field("compiled", &self.compiled.is_some())
            .finish()
    }
}

impl Model {
    pub(crate) fn from_network(net: Network, name: String) -> Model {
        Model {
            name,
            net,
            device: Device::cpu(),
            compiled: None,
            stop_training: false,
            resume_epoch: None,
        }
    }

    /// Renames the model (builder style), e.g. for `summary()`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Keras' class name of the model: `"Sequential"`, `"Functional"`, or
    /// the subclassed model's.
    pub fn class_name(&self) -> &'static str {
        match &self.net {
            Network::Stack(_) => "Sequential",
            Network::Graph(_) => "Functional",
            Network::Custom(c, _) => c.class_name(),
        }
    }

    /// The device the weights live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The layers (`model.layers`): a `Sequential` leaves its `Input` out,
    /// a functional model lists its input layers first, as Keras 3 does.
    pub fn layers(&self) -> Vec<LayerRef> {
        self.net.layers()
    }

    /// The layer named `name` (`model.get_layer(name)`).
    pub fn get_layer(&self, name: &str) -> Result<LayerRef> {
        let layers = self.layers();
        layers.iter().find(|l| l.name() == name).cloned().ok_or_else(|| {
            Error::arg(format!(
                "model {:?} has no layer {name:?}; its layers are {:?}",
                self.name,
                layers.iter().map(LayerRef::name).collect::<Vec<_>>()
            ))
        })
    }

    /// The names of the model's inputs, the names `fit`/`predict` accept data under.
    pub fn input_names(&self) -> Vec<String> {
        self.net.input_names()
    }

    /// The names of the model's outputs (the layers producing them): the
    /// prefixes of per-output logs (`cls_loss`, `reg_mae`).
    pub fn output_names(&self) -> Vec<String> {
        self.net.output_names()
    }

    /// The per-sample input shape of a single-input model, once known.
    pub fn input_shape(&self) -> Option<Vec<usize>> {
        self.net
            .input_shapes()
            .and_then(|mut s| (s.len() == 1).then(|| s.remove(0)))
    }

    /// The per-sample input shapes, once known.
    pub fn input_shapes(&self) -> Option<Vec<Vec<usize>>> {
        self.net.input_shapes()
    }

    /// Whether every layer's weights exist.
    pub fn built(&self) -> bool {
        self.net.built()
    }

    /// Builds a single-input model for inputs of shape `(batch,
    /// input_shape...)`, creating the weights on the model's device. A
    /// model already built for another shape is an error naming both.
    pub fn build(&self, input_shape: &[usize]) -> Result<()> {
        self.build_multi(&[input_shape.to_vec()])
    }

    /// [`build`](Self::build) for a model with several inputs.
    pub fn build_multi(&self, input_shapes: &[Vec<usize>]) -> Result<()> {
        self.net
            .build(input_shapes, &BuildContext::on(&self.device))
            .map_err(|e| self.in_model(e))
    }

    /// Builds the model from a batch of each input unless built, and checks
    /// the batches against the input shapes.
    pub(crate) fn ensure_built(&self, xs: &[Tensor], what: &str) -> Result<()> {
        let mut shapes = Vec::with_capacity(xs.len());
        for x in xs {
            if x.rank() == 0 {
                return Err(Error::shape(format!("{what}: x must have a batch axis, got a scalar")));
            }
            shapes.push(x.shape()[1..].to_vec());
        }
        let names = self.input_names();
        if shapes.len() != names.len() {
            return Err(Error::arg(format!(
                "{what}: model {:?} takes {} input(s) {names:?}, got {}",
                self.name,
                names.len(),
                shapes.len()
            )));
        }
        let got = || {
            xs.iter()
                .map(|x| crate::layers::shape_str(x.shape()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(want) = self.net.input_shapes() {
            if want != shapes {
                let want = want
                    .iter()
                    .map(|s| crate::layers::batch_shape_str(s))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::shape(format!(
                    "{what}: model {:?} expects input of shape {want}, got {}",
                    self.name,
                    got()
                )));
            }
            if self.built() {
                return Ok(());
            }
        }
        if let super::network::Network::Stack(s) = &self.net {
            if let Some(declared) = s.declared_input_shape() {
                if s.input_shape().is_none() && shapes[0] != declared {
                    return Err(Error::shape(format!(
                        "{what}: model {:?} expects input of shape {}, got {}",
                        self.name,
                        crate::layers::batch_shape_str(&declared),
                        got()
                    )));
                }
            }
        }
        self.build_multi(&shapes).map_err(|e| match e {
            Error::Shape(m) if !m.starts_with(what) => Error::Shape(format!("{what}: {m}")),
            e => e,
        })
    }

    /// Names the model in an error from its network (e.g. a Sequential built
    /// for another shape).
    fn in_model(&self, e: Error) -> Error {
        match e {
            Error::Shape(m) if m.starts_with("this Sequential") => {
                Error::Shape(m.replacen("this Sequential", &format!("model {:?}", self.name), 1))
            }
            e => e,
        }
    }

    pub(crate) fn not_built(&self, what: &str) -> Error {
        Error::NotReady(format!(
            "{what}: model {:?} is not built yet; call build(input_shape), fit or predict first",
            self.name
        ))
    }

    /// All trainable weights, layer by layer (frozen layers' weights are not).
    pub fn trainable_weights(&self) -> Vec<Variable> {
        self.net
            .weight_layers()
            .iter()
            .flat_map(LayerRef::trainable_weights)
            .collect()
    }

    /// All non-trainable weights, layer by layer (a frozen layer's are all).
    pub fn non_trainable_weights(&self) -> Vec<Variable> {
        self.net
            .weight_layers()
            .iter()
            .flat_map(LayerRef::non_trainable_weights)
            .collect()
    }

    /// All weights, layer by layer (each layer's trainable weights, then its
    /// non-trainable ones: Keras' `model.weights` order).
    pub fn weights(&self) -> Vec<Variable> {
        self.net
            .weight_layers()
            .iter()
            .flat_map(|l| l.read().weights())
            .collect()
    }

    /// The number of scalars in all weights (`model.count_params()`).
    pub fn count_params(&self) -> usize {
        self.weights().iter().map(|w| w.elem_count()).sum()
    }

    /// Snapshots of all weights (`model.get_weights()`).
    pub fn get_weights(&self) -> Result<Vec<Tensor>> {
        self.weights()
            .iter()
            .map(|w| Ok(w.read_value()?.stop_gradient()))
            .collect()
    }

    /// Assigns all weights, in `weights()` order (`model.set_weights()`).
    /// Counts, shapes and dtypes are checked before anything is assigned.
    pub fn set_weights(&self, values: &[Tensor]) -> Result<()> {
        let w = self.weights();
        if w.len() != values.len() {
            return Err(Error::arg(format!(
                "set_weights: model {:?} has {} weights, got {} values",
                self.name,
                w.len(),
                values.len()
            )));
        }
        for (v, t) in w.iter().zip(values) {
            if v.shape() != t.shape() {
                return Err(Error::shape(format!(
                    "set_weights: weight {:?} has shape {:?}, the value {:?}",
                    v.name(),
                    v.shape(),
                    t.shape()
                )));
            }
        }
        for (v, t) in w.iter().zip(values) {
            v.assign(&t.cast(v.dtype())?.to_device(&v.device())?)?;
        }
        Ok(())
    }

    /// Freezes or unfreezes every layer (Keras' `model.trainable = False`).
    pub fn set_trainable(&self, trainable: bool) {
        for l in self.layers() {
            l.set_trainable(trainable);
        }
    }

    /// The compiled optimizer, e.g. for a callback to change its learning rate.
    pub fn optimizer_mut(&mut self) -> Option<&mut (dyn Optimizer + 'static)> {
        self.compiled.as_mut().map(|c| c.optimizer.as_mut())
    }

    /// The compiled optimizer.
    pub fn optimizer(&self) -> Option<&dyn Optimizer> {
        self.compiled.as_ref().map(|c| c.optimizer.as_ref())
    }

    /// Whether `compile` has been called.
    pub fn compiled(&self) -> bool {
        self.compiled.is_some()
    }

    pub(crate) fn compiled_ref(&self, what: &str) -> Result<&Compiled> {
        self.compiled.as_ref().ok_or_else(|| self.not_compiled(what))
    }

    pub(crate) fn compiled_mut(&mut self, what: &str) -> Result<&mut Compiled> {
        // Disjoint fields: the error (formatted only when it happens, not on
        // every train step) borrows the name while `compiled` is borrowed.
        match &mut self.compiled {
            Some(c) => Ok(c),
            None => Err(not_compiled_error(&self.name, what)),
        }
    }

    pub(crate) fn not_compiled(&self, what: &str) -> Error {
        not_compiled_error(&self.name, what)
    }

    /// Resets the loss trackers and every metric (`model.reset_metrics()`).
    pub fn reset_metrics(&self) {
        if let Some(c) = &self.compiled {
            c.state().reset();
        }
    }

    /// Clears the state of every stateful layer (`model.reset_states()`).
    pub fn reset_states(&self) -> Result<()> {
        for l in self.layers() {
            l.read().reset_states()?;
        }
        Ok(())
    }
}

/// The error of a training or evaluation call on a model that is not compiled.
fn not_compiled_error(name: &str, what: &str) -> Error {
    Error::NotReady(format!(
        "{what}: model {name:?} is not compiled; call model.compile(optimizer, loss, metrics) first"
    ))
}
