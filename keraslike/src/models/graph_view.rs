//! A read-only view of a model's network (`model.inputs`, the nodes,
//! `model.outputs`), for tools that draw or inspect a model such as
//! [`plot_model`](crate::utils::plot_model).
//!
//! ```
//! use keraslike::layers::{Concatenate, Dense, Input, Layer};
//! use keraslike::Model;
//! # fn main() -> keraslike::Result<()> {
//! let a = Input::new(&[4]).name("a");
//! let b = Input::new(&[3]).name("b");
//! let h = Concatenate::new().name("cat").apply([&a.tensor(), &b.tensor()])?;
//! let y = Dense::new(2).name("y").apply(&h)?;
//! let model = Model::functional([&a.tensor(), &b.tensor()], &y)?;
//! let g = model.graph().expect("a functional model has a graph");
//! assert_eq!(g.nodes.len(), 2);
//! let cat = &g.nodes[0];
//! assert_eq!(cat.layer.name(), "cat");
//! let from: Vec<String> = cat.inputs.iter().map(|t| t.layer.name()).collect();
//! assert_eq!(from, ["a", "b"]);
//! assert_eq!(g.outputs[0].layer.name(), "y");
//! assert_eq!(g.outputs[0].shape, [2]);
//! # Ok(()) }
//! ```

use super::network::{output_shape_of, Network};
use super::Model;
use crate::layers::keras_tensor::Source;
use crate::layers::{Input, KerasTensor, LayerRef};
use tensorlow::DType;

/// One tensor of a model's graph and where it comes from (Keras'
/// `keras_history`: the layer, node index and tensor index).
#[derive(Clone, Debug)]
pub struct GraphTensor {
    /// The layer that made it; the `InputLayer` for a model input.
    pub layer: LayerRef,
    /// Which application of that layer made it (0 for the first).
    pub node_index: usize,
    /// Which of that application's outputs it is.
    pub tensor_index: usize,
    /// Its per-sample shape (without the batch axis).
    pub shape: Vec<usize>,
    /// Its dtype, when known: always for a functional model; for a
    /// `Sequential`, its input's and, when that is float32, every layer's
    /// (keraslike's layers compute in float32, Keras' default dtype policy).
    pub dtype: Option<DType>,
}

/// One application of a layer to tensors of the graph (Keras' `Node`).
#[derive(Clone, Debug)]
pub struct GraphNode {
    /// The layer applied.
    pub layer: LayerRef,
    /// Which application of the layer this is (0 for the first).
    pub node_index: usize,
    /// The tensors it was applied to, in order.
    pub inputs: Vec<GraphTensor>,
    /// The per-sample shapes of what it returned.
    pub output_shapes: Vec<Vec<usize>>,
}

/// A model's network as a graph: its inputs, the layer applications in the
/// order the forward pass runs them, and its outputs.
#[derive(Clone, Debug)]
pub struct GraphView {
    /// The model's inputs (each made by its `InputLayer`).
    pub inputs: Vec<GraphTensor>,
    /// Every layer application, in execution order.
    pub nodes: Vec<GraphNode>,
    /// The model's outputs.
    pub outputs: Vec<GraphTensor>,
}

impl Model {
    /// The model's graph ([`GraphView`]): for a functional model its nodes;
    /// for a `Sequential` one node per layer, each fed by the previous one
    /// (its input an `InputLayer` — the model's `Input`, or one named
    /// `"input_layer"` as Keras names it); `None` for a `Sequential` whose
    /// input shape is not known yet and for subclassed models, whose graph
    /// is only known by running them.
    pub fn graph(&self) -> Option<GraphView> {
        match &self.net {
            Network::Graph(g) => {
                let tensor = |t: &KerasTensor| -> GraphTensor {
                    let (layer, node_index, tensor_index) = match t.source() {
                        Source::Input(spec) => {
                            let layer = g
                                .inputs
                                .iter()
                                .find(|(s, _)| s.name == spec.name)
                                .map(|(_, l)| l.clone())
                                .unwrap_or_else(|| {
                                    LayerRef::new(Input::from_spec_public(spec.as_ref().clone())).erased()
                                });
                            (layer, 0, 0)
                        }
                        Source::Node(n, i) => (n.layer.clone(), n.node_index, *i),
                    };
                    GraphTensor {
                        layer,
                        node_index,
                        tensor_index,
                        shape: t.shape().to_vec(),
                        dtype: Some(t.dtype()),
                    }
                };
                Some(GraphView {
                    inputs: g
                        .inputs
                        .iter()
                        .map(|(spec, l)| GraphTensor {
                            layer: l.clone(),
                            node_index: 0,
                            tensor_index: 0,
                            shape: spec.shape.clone(),
                            dtype: Some(spec.dtype),
                        })
                        .collect(),
                    nodes: g
                        .steps
                        .iter()
                        .map(|s| GraphNode {
                            layer: s.node.layer.clone(),
                            node_index: s.node.node_index,
                            inputs: s.node.inputs.iter().map(tensor).collect(),
                            output_shapes: s.node.output_shapes.clone(),
                        })
                        .collect(),
                    outputs: g.outputs.iter().map(tensor).collect(),
                })
            }
            Network::Stack(st) => {
                let shape = st.input_shape().or_else(|| st.declared_input_shape())?;
                let input = st
                    .input
                    .clone()
                    .unwrap_or_else(|| Input::new(&shape).name("input_layer"));
                let dtype = input.tensor().dtype();
                let out_dtype = (dtype == DType::F32).then_some(dtype);
                let mut prev = GraphTensor {
                    layer: LayerRef::new(input).erased(),
                    node_index: 0,
                    tensor_index: 0,
                    shape,
                    dtype: Some(dtype),
                };
                let inputs = vec![prev.clone()];
                let mut nodes = Vec::with_capacity(st.layers.len());
                for l in &st.layers {
                    let out = output_shape_of(l, &prev.shape).ok()?;
                    nodes.push(GraphNode {
                        layer: l.clone(),
                        node_index: 0,
                        inputs: vec![prev.clone()],
                        output_shapes: vec![out.clone()],
                    });
                    prev = GraphTensor {
                        layer: l.clone(),
                        node_index: 0,
                        tensor_index: 0,
                        shape: out,
                        dtype: out_dtype,
                    };
                }
                Some(GraphView {
                    inputs,
                    nodes,
                    outputs: vec![prev],
                })
            }
            Network::Custom(..) => None,
        }
    }
}
