//! `Sequential`: a plain stack of layers (`keras.Sequential`).
//!
//! This file holds the model's state and its small accessors; training
//! ([`fit`](Sequential::fit)), evaluation, summary and saving live in the
//! neighbouring files of `models/`.
//!
//! ```
//! use keraslike::Sequential;
//! let model = Sequential::new(vec![]);
//! assert!(model.layers().is_empty());
//! assert!(!model.built());
//! ```

use super::loss_tracker::LossTracker;
use crate::layers::{BuildContext, Layer};
use crate::losses::{IntoLoss, Loss};
use crate::metrics::{IntoMetrics, Metric};
use crate::optimizers::{IntoOptimizer, Optimizer};
use crate::{Error, Result};
use tensorlow::{Device, Tensor, Variable};

/// What `compile` sets up.
pub(crate) struct Compiled {
    pub optimizer: Box<dyn Optimizer>,
    pub loss: Box<dyn Loss>,
    pub metrics: Vec<Box<dyn Metric>>,
    pub loss_tracker: LossTracker,
}

/// A linear stack of layers (`keras.Sequential`).
///
/// Build it from layers, `compile` it with an optimizer, a loss and
/// metrics, then [`fit`](Sequential::fit), [`evaluate`](Sequential::evaluate)
/// and [`predict`](Sequential::predict). The model builds itself on the
/// first `fit`/`predict` from the input's shape (without the batch axis).
pub struct Sequential {
    pub(crate) layers: Vec<Box<dyn Layer>>,
    pub(crate) input_shape: Option<Vec<usize>>,
    pub(crate) name: String,
    pub(crate) device: Device,
    pub(crate) compiled: Option<Compiled>,
    /// Set by a callback to end `fit` after the current epoch.
    pub stop_training: bool,
}

impl Sequential {
    /// A model from a list of layers (`keras.Sequential([...])`), named
    /// `sequential`, `sequential_1`, ... and placed on the CPU. When the
    /// first layer declares its input shape (`Dense::new(5).input_shape(&[4])`,
    /// `Input`), the model is built right away, as in Keras, so `summary()`
    /// shows shapes and parameter counts before training.
    pub fn new(layers: Vec<Box<dyn Layer>>) -> Self {
        let mut model = Sequential {
            layers,
            input_shape: None,
            name: crate::layers::unique_name("sequential"),
            device: Device::cpu(),
            compiled: None,
            stop_training: false,
        };
        model.build_if_declared();
        model
    }

    /// Builds from the first layer's declared input shape, if it has one.
    /// A failure is left for `fit`/`predict` to report (they build again).
    fn build_if_declared(&mut self) {
        if self.input_shape.is_none() {
            if let Some(shape) = self.layers.first().and_then(|l| l.declared_input_shape()) {
                let _ = self.build(&shape);
            }
        }
    }

    /// Renames the model (builder style), e.g. for `summary()`.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Appends a layer (`model.add`); a built model builds it right away.
    pub fn add(&mut self, layer: impl Layer + 'static) {
        self.add_boxed(Box::new(layer));
    }

    /// Appends a boxed layer.
    pub fn add_boxed(&mut self, layer: Box<dyn Layer>) {
        self.layers.push(layer);
        match self.input_shape.clone() {
            Some(shape) => {
                // Errors (an incompatible layer) surface again at fit/predict.
                let _ = self.build(&shape);
            }
            None => self.build_if_declared(),
        }
    }

    /// Builds every layer for inputs of shape `(batch, input_shape...)`,
    /// creating the weights on the model's device.
    pub fn build(&mut self, input_shape: &[usize]) -> Result<()> {
        let ctx = BuildContext {
            device: self.device.clone(),
            ..BuildContext::default()
        };
        let mut shape = input_shape.to_vec();
        for l in &mut self.layers {
            if !l.built() {
                l.build(&shape, &ctx)?;
            }
            shape = l.compute_output_shape(&shape)?;
        }
        self.input_shape = Some(input_shape.to_vec());
        Ok(())
    }

    /// Whether the model knows its input shape and every layer is built.
    pub fn built(&self) -> bool {
        self.input_shape.is_some() && self.layers.iter().all(|l| l.built())
    }

    /// The input shape without the batch axis, once known.
    pub fn input_shape(&self) -> Option<&[usize]> {
        self.input_shape.as_deref()
    }

    /// The output shape without the batch axis, once built.
    pub fn output_shape(&self) -> Result<Vec<usize>> {
        let mut shape = self.input_shape.clone().ok_or_else(|| self.not_built("output_shape"))?;
        for l in &self.layers {
            shape = l.compute_output_shape(&shape)?;
        }
        Ok(shape)
    }

    /// Builds the model from a batch `x` unless already built, and checks
    /// that `x` has the input shape the model was built for.
    pub(crate) fn ensure_built(&mut self, x: &Tensor, what: &str) -> Result<()> {
        if x.rank() == 0 {
            return Err(Error::shape(format!("{what}: x must have a batch axis, got a scalar")));
        }
        let features = &x.shape()[1..];
        if !self.built() {
            let declared = self.layers.first().and_then(|l| l.declared_input_shape());
            let shape = self
                .input_shape
                .clone()
                .or(declared)
                .unwrap_or_else(|| features.to_vec());
            self.build(&shape)?;
        }
        let want = self.input_shape.as_deref().unwrap_or_default();
        if want != features {
            return Err(Error::shape(format!(
                "{what}: model {:?} expects input of shape (batch, {}), got {:?}",
                self.name,
                want.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
                x.shape()
            )));
        }
        Ok(())
    }

    pub(crate) fn not_built(&self, what: &str) -> Error {
        Error::NotReady(format!(
            "{what}: model {:?} is not built yet; call build(input_shape), fit or predict first",
            self.name
        ))
    }

    /// Configures training (`model.compile`): an optimizer (name or object),
    /// a loss (name or object) and metrics (names or objects).
    pub fn compile(
        &mut self,
        optimizer: impl IntoOptimizer,
        loss: impl IntoLoss,
        metrics: impl IntoMetrics,
    ) -> Result<()> {
        let loss = loss.into_loss()?;
        let metrics = metrics.into_metrics(loss.class_name())?;
        self.compiled = Some(Compiled {
            optimizer: optimizer.into_optimizer()?,
            loss,
            metrics,
            loss_tracker: LossTracker::default(),
        });
        Ok(())
    }

    /// Whether `compile` has been called.
    pub fn compiled(&self) -> bool {
        self.compiled.is_some()
    }

    pub(crate) fn compiled_mut(&mut self, what: &str) -> Result<&mut Compiled> {
        let name = self.name.clone();
        self.compiled.as_mut().ok_or_else(|| {
            Error::NotReady(format!(
                "{what}: model {name:?} is not compiled; call model.compile(optimizer, loss, metrics) first"
            ))
        })
    }

    /// The layers, in order.
    pub fn layers(&self) -> &[Box<dyn Layer>] {
        &self.layers
    }

    /// The model's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The device the weights live on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// All trainable weights, layer by layer.
    pub fn trainable_weights(&self) -> Vec<Variable> {
        self.layers.iter().flat_map(|l| l.trainable_weights()).collect()
    }

    /// All non-trainable weights, layer by layer.
    pub fn non_trainable_weights(&self) -> Vec<Variable> {
        self.layers.iter().flat_map(|l| l.non_trainable_weights()).collect()
    }

    /// All weights (trainable then non-trainable, per layer).
    pub fn weights(&self) -> Vec<Variable> {
        self.layers.iter().flat_map(|l| l.weights()).collect()
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
    pub fn set_weights(&self, values: &[Tensor]) -> Result<()> {
        let w = self.weights();
        if w.len() != values.len() {
            return Err(Error::arg(format!(
                "set_weights: the model has {} weights, got {} values",
                w.len(),
                values.len()
            )));
        }
        for (v, t) in w.iter().zip(values) {
            v.assign(&t.to_device(&v.device())?)?;
        }
        Ok(())
    }

    /// The compiled optimizer, e.g. for a callback to change its learning rate.
    pub fn optimizer_mut(&mut self) -> Option<&mut (dyn Optimizer + 'static)> {
        self.compiled.as_mut().map(|c| c.optimizer.as_mut())
    }

    /// The compiled optimizer.
    pub fn optimizer(&self) -> Option<&dyn Optimizer> {
        self.compiled.as_ref().map(|c| c.optimizer.as_ref())
    }

    /// The compiled loss.
    pub fn loss(&self) -> Option<&dyn Loss> {
        self.compiled.as_ref().map(|c| c.loss.as_ref())
    }

    /// Resets the loss tracker and every metric (`model.reset_metrics()`).
    pub fn reset_metrics(&mut self) {
        if let Some(c) = self.compiled.as_mut() {
            c.loss_tracker.reset();
            for m in &mut c.metrics {
                m.reset_state();
            }
        }
    }
}
