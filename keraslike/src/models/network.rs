//! What a [`Model`](super::Model) computes: a stack of layers
//! ([`Sequential`](super::Sequential)), a graph of layer nodes (the
//! functional API) or a user's own struct ([`CustomModel`]).
//!
//! The three share one interface — inputs and outputs by name, lazy
//! building from the first batch, the forward pass, the layer list — so
//! training, saving and summaries are written once, in `Model`.

use super::functional::Graph;
use super::subclass::CustomModel;
use crate::layers::{in_layer, BuildContext, CallArgs, Input, Layer, LayerRef};
use crate::{Error, Result};
use std::sync::RwLock;
use tensorlow::Tensor;

/// A linear stack of layers, the network of a `Sequential`.
pub(crate) struct Stack {
    pub layers: Vec<LayerRef>,
    /// An `Input` given as the first layer (Keras keeps it out of `layers`).
    pub input: Option<Input>,
    /// The per-sample input shape, once known (set by the first build).
    pub input_shape: RwLock<Option<Vec<usize>>>,
}

impl Stack {
    pub fn new(layers: Vec<LayerRef>) -> Stack {
        let mut layers = layers;
        let mut input = None;
        if layers.first().is_some_and(|l| l.class_name() == "InputLayer") {
            let first = layers.remove(0);
            let guard = first.read();
            if let Some(i) = guard.as_any().downcast_ref::<Input>() {
                input = Some(i.clone());
            } else if let Some(b) = guard.as_any().downcast_ref::<Box<dyn Layer>>() {
                input = b.as_any().downcast_ref::<Input>().cloned();
            }
        }
        Stack {
            layers,
            input,
            input_shape: RwLock::new(None),
        }
    }

    pub fn input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The input shape the stack declares (its `Input`, or its first
    /// layer's `input_shape`).
    pub fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input
            .as_ref()
            .map(|i| i.shape().to_vec())
            .or_else(|| self.layers.first().and_then(|l| l.read().declared_input_shape()))
    }

    /// Builds every layer in turn for per-sample inputs of `shape`.
    pub fn build(&self, shape: &[usize], ctx: &BuildContext) -> Result<()> {
        if let Some(known) = self.input_shape() {
            if known != shape {
                return Err(Error::shape(format!(
                    "this Sequential is built for inputs of shape {}, got {}",
                    crate::layers::batch_shape_str(&known),
                    crate::layers::batch_shape_str(shape)
                )));
            }
            return Ok(());
        }
        if let Some(declared) = self.input.as_ref().map(|i| i.shape().to_vec()) {
            if declared != shape {
                return Err(Error::shape(format!(
                    "the Input declares shape {} but the model is built for {}",
                    crate::layers::batch_shape_str(&declared),
                    crate::layers::batch_shape_str(shape)
                )));
            }
        }
        let mut s = shape.to_vec();
        for l in &self.layers {
            l.build(&s, ctx)?;
            s = output_shape_of(l, &s)?;
        }
        *self.input_shape.write().unwrap_or_else(|e| e.into_inner()) = Some(shape.to_vec());
        Ok(())
    }

    /// The forward pass: a plain loop, masks carried only when a layer makes one.
    pub fn forward(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let mut h = x.clone();
        let mut mask: Option<Tensor> = None;
        for l in &self.layers {
            match mask.take() {
                None => {
                    let layer = l.read();
                    let y = layer
                        .call(&h, training)
                        .map_err(|e| in_layer(e, layer.class_name(), layer.name()))?;
                    mask = layer.compute_mask(&h, None)?;
                    h = y;
                }
                Some(m) => {
                    let masks = [Some(m)];
                    let args = CallArgs {
                        training,
                        masks: &masks,
                    };
                    let mut y = l.call_multi(std::slice::from_ref(&h), &args)?;
                    if y.len() != 1 {
                        return Err(Error::arg(format!(
                            "{} returns {} tensors; a Sequential needs layers with one output",
                            l.label(),
                            y.len()
                        )));
                    }
                    let layer = l.read();
                    mask = layer.compute_mask(&h, masks[0].as_ref())?;
                    h = y.remove(0);
                }
            }
        }
        Ok(h)
    }
}

/// A layer's output shape for a per-sample input shape: its
/// `compute_output_shape`, else (a layer that does not implement it) a run
/// on one zero sample.
pub(crate) fn output_shape_of(l: &LayerRef, shape: &[usize]) -> Result<Vec<usize>> {
    let guard = l.read();
    match guard.compute_output_shapes(&[shape.to_vec()]) {
        Ok(mut s) if s.len() == 1 => Ok(s.remove(0)),
        Ok(s) => Err(Error::arg(format!(
            "{} has {} outputs; a Sequential needs layers with one output",
            l.label(),
            s.len()
        ))),
        Err(_) => {
            drop(guard);
            let mut full = vec![1];
            full.extend(shape);
            let z = Tensor::zeros(&full, tensorlow::DType::F32, &tensorlow::Device::cpu())?;
            let y = tensorlow::no_grad(|| l.call(&z, false))?;
            Ok(y.shape()[1..].to_vec())
        }
    }
}

/// The network of a model.
pub(crate) enum Network {
    Stack(Stack),
    Graph(Graph),
    /// A subclassed model and the input shapes its first build saw.
    Custom(Box<dyn CustomModel>, RwLock<Option<Vec<Vec<usize>>>>),
}

impl Network {
    /// The layers as `model.layers` lists them.
    pub fn layers(&self) -> Vec<LayerRef> {
        match self {
            Network::Stack(s) => s.layers.clone(),
            Network::Graph(g) => g.layers(),
            Network::Custom(c, _) => c.layers(),
        }
    }

    /// The layers holding weights, in the order of `model.weights`.
    pub fn weight_layers(&self) -> Vec<LayerRef> {
        self.layers()
    }

    pub fn input_names(&self) -> Vec<String> {
        match self {
            Network::Stack(s) => vec![s
                .input
                .as_ref()
                .map(|i| i.name().to_string())
                .unwrap_or_else(|| "input".to_string())],
            Network::Graph(g) => g.input_names(),
            Network::Custom(c, _) => c.input_names(),
        }
    }

    pub fn output_names(&self) -> Vec<String> {
        match self {
            Network::Stack(s) => vec![s
                .layers
                .last()
                .map(|l| l.name())
                .unwrap_or_else(|| "output".to_string())],
            Network::Graph(g) => g.output_names(),
            Network::Custom(c, _) => c.output_names(),
        }
    }

    /// The per-sample input shapes, when known.
    pub fn input_shapes(&self) -> Option<Vec<Vec<usize>>> {
        match self {
            Network::Stack(s) => s.input_shape().map(|s| vec![s]),
            Network::Graph(g) => Some(g.input_shapes()),
            Network::Custom(c, seen) => c
                .input_shapes()
                .or_else(|| seen.read().unwrap_or_else(|e| e.into_inner()).clone()),
        }
    }

    /// Whether every layer is built.
    pub fn built(&self) -> bool {
        match self {
            Network::Stack(s) => s.input_shape().is_some(),
            Network::Graph(_) => true,
            Network::Custom(c, seen) => {
                seen.read().unwrap_or_else(|e| e.into_inner()).is_some() && c.layers().iter().all(LayerRef::built)
            }
        }
    }

    /// Builds for per-sample input shapes (lazily: only what is unbuilt).
    pub fn build(&self, shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        match self {
            Network::Stack(s) => {
                let [shape] = shapes else {
                    return Err(Error::arg(format!(
                        "a Sequential takes one input, got {} input shapes",
                        shapes.len()
                    )));
                };
                s.build(shape, ctx)
            }
            Network::Graph(g) => g.check_input_shapes(shapes),
            Network::Custom(_, seen) => {
                if let Some(known) = seen.read().unwrap_or_else(|e| e.into_inner()).as_ref() {
                    if known.as_slice() != shapes {
                        return Err(Error::shape(format!(
                            "the model is built for inputs of per-sample shapes {known:?}, got {shapes:?}"
                        )));
                    }
                    return Ok(());
                }
                // A subclassed model builds its layers on their first call:
                // run it once on zero samples.
                let zeros = shapes
                    .iter()
                    .map(|s| {
                        let mut full = vec![1];
                        full.extend(s);
                        Tensor::zeros(&full, ctx.dtype, &ctx.device)
                    })
                    .collect::<tensorlow::Result<Vec<_>>>()?;
                tensorlow::no_grad(|| self.forward(&zeros, false))?;
                *seen.write().unwrap_or_else(|e| e.into_inner()) = Some(shapes.to_vec());
                Ok(())
            }
        }
    }

    /// The forward pass on a batch of each input.
    pub fn forward(&self, inputs: &[Tensor], training: bool) -> Result<Vec<Tensor>> {
        match self {
            Network::Stack(s) => {
                let [x] = inputs else {
                    return Err(Error::arg(format!(
                        "a Sequential takes one input, got {}",
                        inputs.len()
                    )));
                };
                Ok(vec![s.forward(x, training)?])
            }
            Network::Graph(g) => g.forward(inputs, training),
            Network::Custom(c, _) => c.call(inputs, training),
        }
    }
}
