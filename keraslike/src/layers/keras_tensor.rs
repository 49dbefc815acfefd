//! Symbolic tensors for the functional API (`keras.KerasTensor`).
//!
//! A [`KerasTensor`] stands for a batch that does not exist yet: it has a
//! per-sample shape and a dtype, and remembers which layer made it from
//! which other symbolic tensors. [`Input`](super::Input) starts a graph;
//! [`Layer::apply`](super::Layer::apply) (or [`LayerRef::apply`]) applies a
//! layer to symbolic tensors, which builds the layer, checks the shapes by
//! running it once on a zero batch of one sample (as Keras traces `call`
//! symbolically), and records a node. [`Model::functional`] then turns the
//! recorded graph into a model.
//!
//! [`Model::functional`]: crate::models::Model::functional
//!
//! ```
//! use keraslike::layers::{Concatenate, Dense, Input, Layer};
//! # fn main() -> keraslike::Result<()> {
//! let a = Input::new(&[4]).name("a");
//! let b = Input::new(&[2]).name("b");
//! let shared = Dense::new(3).shared();
//! let h = shared.apply(&a)?;
//! assert_eq!(h.shape(), &[3]);
//! let j = Concatenate::new().apply([&h, &b.tensor()])?;
//! assert_eq!(j.shape(), &[5]);
//! // A shape mismatch is reported when the graph is built, naming the layer.
//! let err = shared.apply(&b).unwrap_err().to_string();
//! assert!(err.contains("\"dense"), "{err}");
//! # Ok(()) }
//! ```

use super::layer::{BuildContext, CallArgs, Layer};
use super::layer_ref::{in_layer, LayerRef};
use crate::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tensorlow::{DType, Device, Tensor};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// An input of a functional model: the data behind an `InputLayer`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InputSpec {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: DType,
}

/// One application of a layer to symbolic tensors (Keras' `Node`).
pub(crate) struct Node {
    pub id: u64,
    pub layer: LayerRef,
    pub inputs: Vec<KerasTensor>,
    /// Which application of the layer this is (0 for the first).
    pub node_index: usize,
    /// How many tensors the layer returned.
    pub n_outputs: usize,
    /// Their per-sample shapes.
    pub output_shapes: Vec<Vec<usize>>,
}

/// Where a symbolic tensor comes from.
#[derive(Clone)]
pub(crate) enum Source {
    /// A model input.
    Input(Arc<InputSpec>),
    /// Output `index` of a node.
    Node(Arc<Node>, usize),
}

struct Inner {
    id: u64,
    shape: Vec<usize>,
    dtype: DType,
    has_mask: bool,
    source: Source,
}

/// A symbolic batch in a functional graph (see the [module docs](self)).
/// Cloning is cheap and keeps the identity.
#[derive(Clone)]
pub struct KerasTensor(Arc<Inner>);

impl std::fmt::Debug for KerasTensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "<KerasTensor shape={}, dtype={}, name={}>",
            super::batch_shape_str(&self.0.shape).replace("batch", "None"),
            self.0.dtype,
            self.producer_name()
        )
    }
}

impl KerasTensor {
    pub(crate) fn input(spec: InputSpec) -> KerasTensor {
        KerasTensor(Arc::new(Inner {
            id: next_id(),
            shape: spec.shape.clone(),
            dtype: spec.dtype,
            has_mask: false,
            source: Source::Input(Arc::new(spec)),
        }))
    }

    /// The per-sample shape (without the batch axis).
    pub fn shape(&self) -> &[usize] {
        &self.0.shape
    }

    /// The dtype of the batches it stands for.
    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// Whether a mask travels with it (after `Embedding(mask_zero)` or `Masking`).
    pub fn has_mask(&self) -> bool {
        self.0.has_mask
    }

    /// The name of the layer (or input) that produced it.
    pub fn producer_name(&self) -> String {
        match &self.0.source {
            Source::Input(s) => s.name.clone(),
            Source::Node(n, _) => n.layer.name(),
        }
    }

    pub(crate) fn id(&self) -> u64 {
        self.0.id
    }

    pub(crate) fn source(&self) -> &Source {
        &self.0.source
    }

    /// Keras' `keras_history`: (layer name, node index, tensor index).
    pub(crate) fn history(&self) -> (String, usize, usize) {
        match &self.0.source {
            Source::Input(s) => (s.name.clone(), 0, 0),
            Source::Node(n, i) => (n.layer.name(), n.node_index, *i),
        }
    }

    /// A zero batch of one sample of this tensor's shape and dtype.
    fn zeros(&self) -> Result<Tensor> {
        let mut shape = vec![1];
        shape.extend(&self.0.shape);
        Ok(Tensor::zeros(&shape, self.0.dtype, &Device::cpu())?)
    }
}

/// Anything a layer can be applied to: one symbolic tensor (or
/// [`Input`](super::Input)), or a list of them.
pub trait SymbolicInputs {
    /// The symbolic tensors, in order.
    fn tensors(self) -> Vec<KerasTensor>;
}

impl SymbolicInputs for &KerasTensor {
    fn tensors(self) -> Vec<KerasTensor> {
        vec![self.clone()]
    }
}
impl SymbolicInputs for &super::Input {
    fn tensors(self) -> Vec<KerasTensor> {
        vec![self.tensor()]
    }
}
impl SymbolicInputs for &[KerasTensor] {
    fn tensors(self) -> Vec<KerasTensor> {
        self.to_vec()
    }
}
impl SymbolicInputs for &Vec<KerasTensor> {
    fn tensors(self) -> Vec<KerasTensor> {
        self.clone()
    }
}
impl SymbolicInputs for Vec<KerasTensor> {
    fn tensors(self) -> Vec<KerasTensor> {
        self
    }
}
impl SymbolicInputs for &[&KerasTensor] {
    fn tensors(self) -> Vec<KerasTensor> {
        self.iter().map(|t| (*t).clone()).collect()
    }
}
impl<const N: usize> SymbolicInputs for [&KerasTensor; N] {
    fn tensors(self) -> Vec<KerasTensor> {
        self.iter().map(|t| (*t).clone()).collect()
    }
}
impl<const N: usize> SymbolicInputs for [KerasTensor; N] {
    fn tensors(self) -> Vec<KerasTensor> {
        self.to_vec()
    }
}

impl<L: Layer> LayerRef<L> {
    /// Applies the layer to symbolic inputs and returns its one output
    /// (Keras' `y = layer(x)`); see [`LayerRef::apply`](LayerRef#method.apply-1).
    pub fn apply(&self, inputs: impl SymbolicInputs) -> Result<KerasTensor> {
        self.clone().erased().apply(inputs)
    }

    /// Applies the layer to symbolic inputs and returns every output.
    pub fn apply_multi(&self, inputs: impl SymbolicInputs) -> Result<Vec<KerasTensor>> {
        self.clone().erased().apply_multi(inputs)
    }
}

impl LayerRef {
    /// Applies the layer to symbolic inputs and returns its one output
    /// (Keras' `y = layer(x)` in a functional model). Errors when the layer
    /// has several outputs (use [`apply_multi`](Self::apply_multi)).
    pub fn apply(&self, inputs: impl SymbolicInputs) -> Result<KerasTensor> {
        let mut outs = self.apply_multi(inputs)?;
        if outs.len() != 1 {
            return Err(Error::arg(format!(
                "{} returns {} tensors; use apply_multi to get them all",
                self.label(),
                outs.len()
            )));
        }
        Ok(outs.remove(0))
    }

    /// Applies the layer to symbolic inputs and returns every output (a
    /// recurrent layer with `return_state` gives `[output, h, c]`).
    pub fn apply_multi(&self, inputs: impl SymbolicInputs) -> Result<Vec<KerasTensor>> {
        let inputs = inputs.tensors();
        if inputs.is_empty() {
            return Err(Error::arg(format!("{}: apply needs at least one input", self.label())));
        }
        let shapes: Vec<Vec<usize>> = inputs.iter().map(|t| t.shape().to_vec()).collect();
        self.build_multi(&shapes, &BuildContext::default())?;
        // Shape inference: run the layer once on a zero sample in inference
        // mode (no tape, no state change), as Keras traces `call`.
        let (outputs, masks) = tensorlow::no_grad(|| -> Result<_> {
            let zeros = inputs.iter().map(KerasTensor::zeros).collect::<Result<Vec<_>>>()?;
            let masks: Vec<Option<Tensor>> = inputs
                .iter()
                .zip(&zeros)
                .map(|(t, z)| t.has_mask().then(|| mask_like(z)).transpose())
                .collect::<Result<_>>()?;
            let any_mask = masks.iter().any(Option::is_some);
            let args = CallArgs {
                training: false,
                masks: if any_mask { &masks } else { &[] },
            };
            let l = self.read();
            let wrap = |e| in_layer(e, l.class_name(), l.name());
            let outs = l.call_multi(&zeros, &args).map_err(wrap)?;
            let out_masks = l.compute_masks(&zeros, &masks).map_err(wrap)?;
            l.reset_states().map_err(wrap)?;
            Ok((outs, out_masks))
        })?;
        let node = Arc::new(Node {
            id: next_id(),
            layer: self.clone(),
            inputs,
            node_index: self.next_node_index(),
            n_outputs: outputs.len(),
            output_shapes: outputs
                .iter()
                .map(|y| y.shape().get(1..).unwrap_or(&[]).to_vec())
                .collect(),
        });
        outputs
            .iter()
            .enumerate()
            .map(|(i, y)| {
                if y.rank() == 0 || y.shape()[0] != 1 {
                    return Err(Error::shape(format!(
                        "{} returned shape {:?} for a batch of 1: a layer's outputs must keep the batch axis",
                        self.label(),
                        y.shape()
                    )));
                }
                Ok(KerasTensor(Arc::new(Inner {
                    id: next_id(),
                    shape: y.shape()[1..].to_vec(),
                    dtype: y.dtype(),
                    has_mask: masks.get(i).is_some_and(Option::is_some),
                    source: Source::Node(node.clone(), i),
                })))
            })
            .collect()
    }
}

/// An all-ones mask `(1, timesteps)` for a dry-run input `(1, timesteps, ...)`.
fn mask_like(z: &Tensor) -> Result<Tensor> {
    let steps = z.shape().get(1).copied().unwrap_or(1);
    Ok(Tensor::ones(&[1, steps], DType::U8, &z.device())?)
}
