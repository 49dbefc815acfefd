//! The functional API's graph (`keras.Model(inputs, outputs)`):
//! [`Model::functional`] walks back from the outputs through the nodes the
//! symbolic calls recorded, checks the graph and orders it topologically;
//! the forward pass then runs the nodes in that order.
//!
//! ```
//! use keraslike::layers::{Add, Concatenate, Dense, Input, Layer};
//! use keraslike::Model;
//! # fn main() -> keraslike::Result<()> {
//! let a = Input::new(&[4]).name("a");
//! let b = Input::new(&[3]).name("b");
//! let h = Concatenate::new().apply([&Dense::new(8).apply(&a)?, &Dense::new(8).apply(&b)?])?;
//! let cls = Dense::new(3).activation("softmax").name("cls").apply(&h)?;
//! let skip = Dense::new(16).apply(&a)?;
//! let reg = Dense::new(1).name("reg").apply(&Add::new().apply([&h, &skip])?)?;
//! let model = Model::functional([&a.tensor(), &b.tensor()], [&cls, &reg])?;
//! assert_eq!(model.input_names(), ["a", "b"]);
//! assert_eq!(model.output_names(), ["cls", "reg"]);
//! // An output that needs an input the model was not given:
//! let err = Model::functional(&a, &reg).unwrap_err().to_string();
//! assert!(err.contains("\"b\""), "{err}");
//! # Ok(()) }
//! ```

use super::Model;
use crate::layers::keras_tensor::{InputSpec, Node, Source};
use crate::layers::{in_layer, CallArgs, Input, KerasTensor, LayerRef, SymbolicInputs};
use crate::{Error, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tensorlow::Tensor;

/// One step of the forward pass: a node's layer applied to value slots.
pub(crate) struct Step {
    pub node: Arc<Node>,
    pub inputs: Vec<usize>,
    pub outputs: Vec<usize>,
}

/// A checked, topologically ordered graph of layer nodes.
pub(crate) struct Graph {
    /// The model's inputs and the `InputLayer` standing for each.
    pub inputs: Vec<(Arc<InputSpec>, LayerRef)>,
    /// The value slot of each input.
    input_slots: Vec<usize>,
    /// The model's outputs (symbolic) and their slots.
    pub outputs: Vec<KerasTensor>,
    output_slots: Vec<usize>,
    pub steps: Vec<Step>,
    n_slots: usize,
    /// Distinct layers in the order they first run (Keras' `model.layers`,
    /// the input layers first).
    layers: Vec<LayerRef>,
}

impl Graph {
    /// Builds the graph from the tensors `Model::functional` was given.
    pub fn new(inputs: Vec<KerasTensor>, outputs: Vec<KerasTensor>) -> Result<Graph> {
        if inputs.is_empty() || outputs.is_empty() {
            return Err(Error::arg(format!(
                "Model::functional needs at least one input and one output, got {} and {}",
                inputs.len(),
                outputs.len()
            )));
        }
        // Model inputs take the first slots.
        let mut input_slot: HashMap<u64, usize> = HashMap::new();
        let mut graph_inputs = Vec::new();
        for t in &inputs {
            let Source::Input(spec) = t.source() else {
                return Err(Error::arg(format!(
                    "Model::functional: inputs must be Input tensors, but one is the output of layer {:?}",
                    t.producer_name()
                )));
            };
            if input_slot.contains_key(&t.id()) {
                return Err(Error::arg(format!(
                    "Model::functional: input {:?} is given twice",
                    spec.name
                )));
            }
            input_slot.insert(t.id(), input_slot.len());
            let layer = LayerRef::new(Input::from_spec_public(spec.as_ref().clone())).erased();
            layer.build(&spec.shape, &crate::layers::BuildContext::default())?;
            graph_inputs.push((spec.clone(), layer));
        }
        let input_names = graph_inputs
            .iter()
            .map(|(s, _)| format!("{:?}", s.name))
            .collect::<Vec<_>>()
            .join(", ");
        let check_input = |t: &KerasTensor, spec: &InputSpec, user: &str| -> Result<()> {
            if input_slot.contains_key(&t.id()) {
                return Ok(());
            }
            Err(Error::arg(format!(
                "Model::functional: the graph is disconnected: {user} depends on input {:?}, which is not \
                 among the model's inputs [{input_names}]; pass it in the inputs",
                spec.name
            )))
        };
        // Keras 3's `map_graph`: a depth-first walk back from the outputs
        // (post-order = a topological order), each node's depth the longest
        // path to an output, layers ordered by decreasing depth and then by
        // when the walk first met them. Following it exactly gives the same
        // `model.layers` order as Keras, which saved files rely on.
        let mut walk = Walk::default();
        for out in &outputs {
            walk.visit(out, &check_input)?;
        }
        let order = walk.ordered_nodes();
        // Each node's outputs take consecutive slots after the inputs.
        let mut base: HashMap<u64, usize> = HashMap::new();
        let mut n_slots = input_slot.len();
        for node in &order {
            base.insert(node.id, n_slots);
            n_slots += node.n_outputs;
        }
        let slot = |t: &KerasTensor| -> usize {
            match t.source() {
                Source::Input(_) => input_slot[&t.id()],
                Source::Node(n, i) => base[&n.id] + i,
            }
        };
        let steps: Vec<Step> = order
            .iter()
            .map(|node| Step {
                node: node.clone(),
                inputs: node.inputs.iter().map(slot).collect(),
                outputs: (0..node.n_outputs).map(|i| base[&node.id] + i).collect(),
            })
            .collect();
        let input_slots = (0..graph_inputs.len()).collect();
        let output_slots = outputs.iter().map(slot).collect();
        let layers = walk.ordered_layers(&graph_inputs);
        let mut names: HashMap<String, usize> = HashMap::new();
        for l in &layers {
            *names.entry(l.name()).or_insert(0) += 1;
        }
        if let Some((dup, _)) = names.iter().find(|(_, &n)| n > 1) {
            return Err(Error::arg(format!(
                "Model::functional: all layer names must be unique, but {dup:?} is used by several layers; \
                 rename one with .name(...)"
            )));
        }
        Ok(Graph {
            inputs: graph_inputs,
            input_slots,
            outputs,
            output_slots,
            steps,
            n_slots,
            layers,
        })
    }

    pub fn layers(&self) -> Vec<LayerRef> {
        self.layers.clone()
    }

    /// Whether the graph is a plain chain (one input, one output, each layer
    /// used once and fed by the previous one): Keras shows it like a stack.
    pub fn is_chain(&self) -> bool {
        let mut prev = match self.input_slots.as_slice() {
            [s] => *s,
            _ => return false,
        };
        for st in &self.steps {
            if st.inputs != [prev] || st.outputs.len() != 1 {
                return false;
            }
            prev = st.outputs[0];
        }
        self.output_slots == [prev] && self.layers.len() == self.steps.len() + 1
    }

    pub fn input_names(&self) -> Vec<String> {
        self.inputs.iter().map(|(s, _)| s.name.clone()).collect()
    }

    pub fn output_names(&self) -> Vec<String> {
        self.outputs.iter().map(KerasTensor::producer_name).collect()
    }

    pub fn input_shapes(&self) -> Vec<Vec<usize>> {
        self.inputs.iter().map(|(s, _)| s.shape.clone()).collect()
    }

    /// Errors unless `shapes` are the model's per-sample input shapes.
    pub fn check_input_shapes(&self, shapes: &[Vec<usize>]) -> Result<()> {
        let want = self.input_shapes();
        if shapes != want.as_slice() {
            return Err(Error::shape(format!(
                "the model's inputs {:?} have per-sample shapes {want:?}, got {shapes:?}",
                self.input_names()
            )));
        }
        Ok(())
    }

    /// The forward pass: each node in topological order.
    pub fn forward(&self, inputs: &[Tensor], training: bool) -> Result<Vec<Tensor>> {
        if inputs.len() != self.inputs.len() {
            return Err(Error::arg(format!(
                "the model takes {} inputs {:?}, got {}",
                self.inputs.len(),
                self.input_names(),
                inputs.len()
            )));
        }
        let mut values: Vec<Option<Tensor>> = vec![None; self.n_slots];
        let mut masks: Vec<Option<Tensor>> = vec![None; self.n_slots];
        for ((x, &slot), (spec, _)) in inputs.iter().zip(&self.input_slots).zip(&self.inputs) {
            if x.rank() == 0 || x.shape()[1..] != spec.shape[..] {
                return Err(Error::shape(format!(
                    "input {:?} expects batches of shape {}, got {}",
                    spec.name,
                    crate::layers::batch_shape_str(&spec.shape),
                    crate::layers::shape_str(x.shape())
                )));
            }
            values[slot] = Some(x.clone());
        }
        for step in &self.steps {
            let xs: Vec<Tensor> = step
                .inputs
                .iter()
                .map(|&i| values[i].clone().expect("topological order"))
                .collect();
            let ms: Vec<Option<Tensor>> = step.inputs.iter().map(|&i| masks[i].clone()).collect();
            let layer = step.node.layer.read();
            let wrap = |e| in_layer(e, layer.class_name(), layer.name());
            let any_mask = ms.iter().any(Option::is_some);
            let (ys, out_masks) = if xs.len() == 1 && step.outputs.len() == 1 && !any_mask {
                let y = layer.call(&xs[0], training).map_err(wrap)?;
                let m = layer.compute_mask(&xs[0], None).map_err(wrap)?;
                (vec![y], vec![m])
            } else {
                let args = CallArgs {
                    training,
                    masks: if any_mask { &ms } else { &[] },
                };
                let ys = layer.call_multi(&xs, &args).map_err(wrap)?;
                let m = layer.compute_masks(&xs, &ms).map_err(wrap)?;
                (ys, m)
            };
            for (k, &slot) in step.outputs.iter().enumerate() {
                values[slot] = Some(ys.get(k).cloned().ok_or_else(|| {
                    Error::arg(format!(
                        "{} returned {} tensors, fewer than when the graph was built",
                        step.node.layer.label(),
                        ys.len()
                    ))
                })?);
                masks[slot] = out_masks.get(k).cloned().flatten();
            }
        }
        Ok(self
            .output_slots
            .iter()
            .map(|&s| values[s].clone().expect("outputs are computed"))
            .collect())
    }

    /// Keras 3's functional config: `layers` with `inbound_nodes`,
    /// `input_layers`, `output_layers`.
    pub fn config(&self, name: &str) -> Value {
        let mut layers = Vec::new();
        for l in &self.layers {
            let nodes: Vec<Value> = self
                .steps
                .iter()
                .filter(|s| s.node.layer.same(l))
                .map(|s| {
                    let args: Vec<Value> = s
                        .node
                        .inputs
                        .iter()
                        .map(|t| {
                            let (layer, node, index) = t.history();
                            json!({"class_name": "__keras_tensor__", "config": {
                                "shape": std::iter::once(Value::Null).chain(t.shape().iter().map(|&d| json!(d))).collect::<Vec<_>>(),
                                "dtype": t.dtype().name(),
                                "keras_history": [layer, node, index]}})
                        })
                        .collect();
                    let args = if args.len() == 1 { args } else { vec![Value::Array(args)] };
                    json!({"args": args, "kwargs": {}})
                })
                .collect();
            let (module, registered) = super::saving::keras_module(l.class_name());
            layers.push(json!({
                "module": module,
                "class_name": l.class_name(),
                "config": l.get_config(),
                "registered_name": registered,
                "name": l.name(),
                "inbound_nodes": nodes,
            }));
        }
        let refs = |ts: &[KerasTensor]| -> Vec<Value> {
            ts.iter()
                .map(|t| {
                    let (l, n, i) = t.history();
                    json!([l, n, i])
                })
                .collect()
        };
        let inputs: Vec<KerasTensor> = self
            .inputs
            .iter()
            .map(|(s, _)| KerasTensor::input((**s).clone()))
            .collect();
        json!({
            "name": name,
            "trainable": true,
            "layers": layers,
            "input_layers": refs(&inputs),
            "output_layers": refs(&self.outputs),
        })
    }
}

/// The state of Keras' `_build_map` walk.
#[derive(Default)]
struct Walk {
    finished: std::collections::HashSet<u64>,
    /// Nodes in post-order.
    post: Vec<Arc<Node>>,
    /// Layers (by handle) and inputs (by spec) in the order the walk first
    /// met them (Keras' `operation_indices`).
    first_seen: HashMap<OpKey, usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum OpKey {
    Layer(usize),
    Input(usize),
}

impl Walk {
    fn visit(
        &mut self,
        t: &KerasTensor,
        check_input: &dyn Fn(&KerasTensor, &InputSpec, &str) -> Result<()>,
    ) -> Result<()> {
        match t.source() {
            Source::Input(spec) => {
                check_input(t, spec, "an output")?;
                let n = self.first_seen.len();
                self.first_seen
                    .entry(OpKey::Input(Arc::as_ptr(spec) as usize))
                    .or_insert(n);
                Ok(())
            }
            Source::Node(node, _) => {
                if self.finished.contains(&node.id) {
                    return Ok(());
                }
                let n = self.first_seen.len();
                self.first_seen.entry(OpKey::Layer(node.layer.key())).or_insert(n);
                for x in &node.inputs {
                    if let Source::Input(spec) = x.source() {
                        check_input(x, spec, &format!("layer {:?}", node.layer.name()))?;
                    }
                    self.visit(x, check_input)?;
                }
                self.finished.insert(node.id);
                self.post.push(node.clone());
                Ok(())
            }
        }
    }

    /// Each node's depth: 0 for the outputs' nodes, parents deeper.
    fn depths(&self) -> HashMap<u64, usize> {
        let mut node_depth: HashMap<u64, usize> = HashMap::new();
        let mut op_depth: HashMap<usize, usize> = HashMap::new();
        for node in self.post.iter().rev() {
            let d = *node_depth.entry(node.id).or_insert(0);
            let prev = op_depth.get(&node.layer.key()).copied().unwrap_or(0);
            let d = d.max(prev);
            op_depth.insert(node.layer.key(), d);
            node_depth.insert(node.id, d);
            for x in &node.inputs {
                if let Source::Node(p, _) = x.source() {
                    let e = node_depth.entry(p.id).or_insert(0);
                    *e = (*e).max(d + 1);
                }
            }
        }
        // A shared layer's depth is its deepest node's (Keras' operation depth).
        for node in &self.post {
            let od = op_depth[&node.layer.key()];
            let nd = node_depth[&node.id];
            op_depth.insert(node.layer.key(), od.max(nd));
        }
        node_depth
    }

    /// The nodes by decreasing depth (parents before children), ties in
    /// post-order.
    fn ordered_nodes(&self) -> Vec<Arc<Node>> {
        let depth = self.depths();
        let mut nodes: Vec<(usize, usize, Arc<Node>)> = self
            .post
            .iter()
            .enumerate()
            .map(|(i, n)| (depth[&n.id], i, n.clone()))
            .collect();
        nodes.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        nodes.into_iter().map(|(_, _, n)| n).collect()
    }

    /// Keras' `model.layers`: input layers and layers by decreasing depth,
    /// ties by first traversal.
    fn ordered_layers(&self, inputs: &[(Arc<InputSpec>, LayerRef)]) -> Vec<LayerRef> {
        let node_depth = self.depths();
        // An input's depth is one more than its deepest consumer's.
        let mut entries: Vec<(usize, i64, LayerRef)> = Vec::new();
        let mut seen_layers: HashMap<usize, usize> = HashMap::new();
        for node in &self.post {
            let d = node_depth[&node.id];
            let k = node.layer.key();
            match seen_layers.get(&k) {
                Some(&i) => entries[i].0 = entries[i].0.max(d),
                None => {
                    seen_layers.insert(k, entries.len());
                    let idx = self.first_seen.get(&OpKey::Layer(k)).copied().unwrap_or(0) as i64;
                    entries.push((d, idx, node.layer.clone()));
                }
            }
        }
        for (spec, layer) in inputs {
            let mut d = 0;
            for node in &self.post {
                for x in &node.inputs {
                    if let Source::Input(s) = x.source() {
                        if Arc::ptr_eq(s, spec) {
                            d = d.max(node_depth[&node.id] + 1);
                        }
                    }
                }
            }
            let idx = self
                .first_seen
                .get(&OpKey::Input(Arc::as_ptr(spec) as usize))
                .map(|&i| i as i64)
                .unwrap_or(-1);
            entries.push((d, idx, layer.clone()));
        }
        entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        entries.into_iter().map(|(_, _, l)| l).collect()
    }
}

/// The symbolic tensors a node's `args` name (`__keras_tensor__` objects
/// with `keras_history`), flattened.
fn history_refs(args: &Value, out: &mut Vec<(String, usize, usize)>) -> Result<()> {
    match args {
        Value::Array(a) => {
            for v in a {
                history_refs(v, out)?;
            }
            Ok(())
        }
        Value::Object(o) if o.get("class_name").and_then(Value::as_str) == Some("__keras_tensor__") => {
            // `o` is a map, whose indexing panics on a missing key: `get` it.
            let h = o
                .get("config")
                .and_then(|c| c.get("keras_history"))
                .unwrap_or(&Value::Null);
            let bad = || {
                Error::arg(format!(
                    "bad keras_history {h} of a __keras_tensor__ node argument: expected \
                     config.keras_history = [layer name, node index, tensor index]"
                ))
            };
            let name = h[0].as_str().ok_or_else(bad)?;
            let ni = h[1].as_u64().ok_or_else(bad)? as usize;
            let ti = h[2].as_u64().ok_or_else(bad)? as usize;
            out.push((name.to_string(), ni, ti));
            Ok(())
        }
        Value::Null => Ok(()),
        other => Err(Error::arg(format!(
            "unsupported node argument {other} (keraslike reads tensors and lists of tensors)"
        ))),
    }
}

/// A functional model from Keras 3's config: the layers re-created from
/// their configs, then their nodes re-applied in an order where every
/// node's inputs exist (as Keras' `functional_from_config`).
pub(crate) fn graph_from_config(cfg: &Value) -> Result<Model> {
    use crate::layers::layer_from_config;
    let entries = cfg["layers"]
        .as_array()
        .ok_or_else(|| Error::arg("a Functional config needs \"layers\""))?;
    // name -> (layer, its nodes' args), in config order.
    let mut layers: Vec<(String, LayerRef, Vec<Value>)> = Vec::new();
    let mut inputs_by_name: HashMap<String, KerasTensor> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        let class = e["class_name"]
            .as_str()
            .ok_or_else(|| Error::arg(format!("layer {i} of the Functional config has no class_name")))?;
        let lcfg = &e["config"];
        let name = e
            .get("name")
            .and_then(Value::as_str)
            .or_else(|| lcfg.get("name").and_then(Value::as_str))
            .ok_or_else(|| Error::arg(format!("layer {i} ({class}) of the Functional config has no name")))?
            .to_string();
        if class == "InputLayer" {
            let input = <Input as crate::layers::FromConfig>::from_config(lcfg)?;
            inputs_by_name.insert(name, input.tensor());
            continue;
        }
        let layer = LayerRef::from_box(layer_from_config(class, lcfg)?);
        let nodes: Vec<Value> = e["inbound_nodes"].as_array().cloned().unwrap_or_default();
        for n in &nodes {
            if let Some(k) = n.get("kwargs").and_then(Value::as_object) {
                if let Some(key) = k.keys().find(|k| !matches!(k.as_str(), "training" | "mask")) {
                    return Err(Error::arg(format!(
                        "{class} {name:?}: the node argument {key:?} is not supported"
                    )));
                }
            }
        }
        layers.push((name, layer, nodes));
    }
    // (layer name, node index) -> output tensors.
    let mut made: HashMap<(String, usize), Vec<KerasTensor>> = HashMap::new();
    let tensor_of = |made: &HashMap<(String, usize), Vec<KerasTensor>>,
                     (n, ni, ti): &(String, usize, usize)|
     -> Option<KerasTensor> {
        if let Some(t) = inputs_by_name.get(n) {
            return Some(t.clone());
        }
        made.get(&(n.clone(), *ni)).and_then(|v| v.get(*ti)).cloned()
    };
    let total: usize = layers.iter().map(|(_, _, n)| n.len()).sum();
    let mut done_nodes = 0;
    let mut next: Vec<usize> = vec![0; layers.len()];
    while done_nodes < total {
        let mut progressed = false;
        for (li, (name, layer, nodes)) in layers.iter().enumerate() {
            // A layer's nodes run in order.
            while next[li] < nodes.len() {
                let mut refs = Vec::new();
                history_refs(&nodes[next[li]]["args"], &mut refs)?;
                let Some(ins) = refs.iter().map(|r| tensor_of(&made, r)).collect::<Option<Vec<_>>>() else {
                    break;
                };
                let outs = layer.apply_multi(ins)?;
                made.insert((name.clone(), next[li]), outs);
                next[li] += 1;
                done_nodes += 1;
                progressed = true;
            }
        }
        if !progressed {
            let (name, _, _) = layers
                .iter()
                .enumerate()
                .find(|(i, l)| next[*i] < l.2.len())
                .map(|(_, l)| l)
                .expect("an unfinished layer");
            return Err(Error::arg(format!(
                "the Functional config is inconsistent: the inputs of layer {name:?} are never produced"
            )));
        }
    }
    let pick = |key: &str| -> Result<Vec<KerasTensor>> {
        let mut refs = Vec::new();
        let v = &cfg[key];
        // [[name, ni, ti], ...] or a single [name, ni, ti].
        let items: Vec<&Value> = match v.as_array() {
            Some(a) if a.first().is_some_and(Value::is_string) => vec![v],
            Some(a) => a.iter().collect(),
            None => return Err(Error::arg(format!("a Functional config needs {key:?}"))),
        };
        for it in items {
            let a = it
                .as_array()
                .ok_or_else(|| Error::arg(format!("bad entry {it} in {key:?}")))?;
            let name = a.first().and_then(Value::as_str).unwrap_or_default().to_string();
            let ni = a.get(1).and_then(Value::as_u64).unwrap_or(0) as usize;
            let ti = a.get(2).and_then(Value::as_u64).unwrap_or(0) as usize;
            refs.push((name, ni, ti));
        }
        refs.iter()
            .map(|r| {
                tensor_of(&made, r)
                    .ok_or_else(|| Error::arg(format!("{key} names {:?}, which the config does not produce", r.0)))
            })
            .collect()
    };
    let model = Model::functional(pick("input_layers")?, pick("output_layers")?)?;
    Ok(model)
}

impl Model {
    /// A model from symbolic inputs to symbolic outputs (Keras'
    /// `keras.Model(inputs, outputs)`): the graph of layers the outputs
    /// were computed with. Errors name the layer or input at fault: an
    /// output depending on an input not in `inputs` (a disconnected graph),
    /// inputs that are not `Input` tensors, duplicate layer names.
    pub fn functional(inputs: impl SymbolicInputs, outputs: impl SymbolicInputs) -> Result<Model> {
        let graph = Graph::new(inputs.tensors(), outputs.tensors())?;
        Ok(Model::from_network(
            super::network::Network::Graph(graph),
            crate::layers::unique_name("functional"),
        ))
    }
}
