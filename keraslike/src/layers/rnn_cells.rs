//! The recurrent cells `SimpleRNNCell`, `LSTMCell`, `GRUCell` and
//! `StackedRNNCells` (`keras.layers.*Cell`): one time step of a recurrent
//! network, run over a sequence by [`RNN`](super::RNN).
//!
//! A cell has the options and the weights of its layer (`LSTMCell` those of
//! `LSTM`: `kernel (features, 4 units)`, `recurrent_kernel (units, 4
//! units)`, `bias (4 units)`, Keras' gate order) and none of the sequence
//! options (`return_sequences`, `go_backwards`, ... belong to `RNN`). Used
//! as a layer on its own, a cell takes `[x_t, states...]` — `x_t` of shape
//! `(batch, features)` — and returns `[output, new states...]` (Keras'
//! `output, new_states = cell(x_t, states)` flattened); the states default
//! to zeros.
//!
//! ```
//! use keraslike::layers::{BuildContext, CallArgs, Layer, LSTMCell};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut cell = LSTMCell::new(3);
//! cell.build(&[2], &BuildContext::default())?;
//! let x = Tensor::ones(&[4, 2], DType::F32, &Device::cpu())?;
//! let out = cell.call_multi(&[x], &CallArgs::new(false))?;
//! assert_eq!(out.len(), 3); // [output, h, c]; output is h
//! assert_eq!(out[0].to_vec::<f32>()?, out[1].to_vec::<f32>()?);
//! assert_eq!(out[2].shape(), &[4, 3]);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::recurrent::CELL_KERAS_OPTIONS;
use super::custom_cell::{cell_from_registry, Cell, UserCell};
use super::recurrent::{cell_options, Kind, Recurrent, RecurrentCellConfig};
use super::registry::parse_config;
use super::{shape_str, unique_name, BuildContext, CallArgs, FromConfig, Layer};
use crate::activations::IntoActivation;
use crate::initializers::IntoInitializer;
use crate::regularizers::IntoRegularizer;
use crate::{Error, Result};
use serde_json::Value;
use tensorlow::{Tensor, Variable};

/// A cell's `Recurrent` core: always returning its states, never sequences.
fn cell_core(kind: Kind, name: String, units: usize) -> Recurrent {
    let mut r = Recurrent::new(kind, name, units);
    r.cell = true;
    r.return_state = true;
    r
}

fn cell_from_config(kind: Kind, c: RecurrentCellConfig) -> Result<Recurrent> {
    let mut r = Recurrent::from_cell_config(kind, c)?;
    r.cell = true;
    r.return_state = true;
    (r.return_sequences, r.go_backwards, r.stateful) = (false, false, false);
    Ok(r)
}

/// The `(features,)` of a cell's per-sample input shape.
fn cell_features(r: &Recurrent, input_shape: &[usize]) -> Result<usize> {
    match input_shape {
        [f] if *f > 0 => Ok(*f),
        _ => Err(Error::shape(format!(
            "{} {:?} is one time step: it expects input of shape (batch, features), got per-sample \
             shape {}; run it over sequences with RNN(cell)",
            r.class_name(),
            r.name,
            shape_str(input_shape)
        ))),
    }
}

/// The [`Layer`] impl of a cell (one step: `[x_t, states...]` ->
/// `[output, states...]`) and its [`FromConfig`].
macro_rules! cell_layer {
    ($ty:ident, $kind:expr, $base:literal) => {
        cell_options!($ty);

        impl $ty {
            /// `units` units with Keras' defaults. Named
            #[doc = concat!("`", $base, "`, `", $base, "_1`, ...")]
            pub fn new(units: usize) -> Self {
                $ty {
                    inner: cell_core($kind, unique_name($base), units),
                }
            }
            pub(crate) fn into_core(self) -> Recurrent {
                self.inner
            }
        }

        impl Layer for $ty {
            fn name(&self) -> &str {
                &self.inner.name
            }
            fn class_name(&self) -> &'static str {
                self.inner.class_name()
            }
            fn built(&self) -> bool {
                self.inner.kernel.is_some()
            }
            fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
                let f = cell_features(&self.inner, input_shape)?;
                self.inner.build(&[vec![1, f]], ctx)
            }
            fn build_multi(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
                self.build(input_shapes.first().map_or(&[][..], Vec::as_slice), ctx)
            }
            fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
                let mut outs = self.call_multi(std::slice::from_ref(x), &CallArgs::new(training))?;
                Ok(outs.swap_remove(0))
            }
            fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
                let Some(x) = inputs.first() else {
                    return Err(Error::arg(format!("{} {:?} needs an input", self.class_name(), self.name())));
                };
                if x.rank() != 2 {
                    cell_features(&self.inner, x.shape().get(1..).unwrap_or(&[]))?;
                }
                if let Some(k) = &self.inner.kernel {
                    if x.shape()[1] != k.shape()[0] {
                        return Err(Error::shape(format!(
                            "{} {:?} was built for {} features, got input of shape {}",
                            self.class_name(),
                            self.name(),
                            k.shape()[0],
                            shape_str(x.shape())
                        )));
                    }
                }
                // One step: a sequence of length one, then the step's output.
                let seq = x.reshape(&[x.shape()[0], 1, x.shape()[1]])?;
                let with_seq: Vec<Tensor> = std::iter::once(seq).chain(inputs[1..].iter().cloned()).collect();
                let step_args = CallArgs {
                    training: args.training,
                    masks: &[],
                };
                self.inner.call(&with_seq, &step_args)
            }
            fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
                cell_features(&self.inner, input_shape)?;
                Ok(vec![self.inner.units])
            }
            fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
                let first = input_shapes.first().map_or(&[][..], Vec::as_slice);
                cell_features(&self.inner, first)?;
                Ok(vec![vec![self.inner.units]; 1 + self.inner.kind.states()])
            }
            fn compute_masks(&self, _inputs: &[Tensor], _masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
                Ok(vec![None; 1 + self.inner.kind.states()])
            }
            fn trainable_weights(&self) -> Vec<Variable> {
                self.inner.trainable_weights()
            }
            fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
                self.inner.visit_weights_mut(f)
            }
            /// Keras 3 saves a cell's weights as `vars/0..2`.
            fn saved_weights(&self) -> Vec<(String, Variable)> {
                self.inner
                    .trainable_weights()
                    .into_iter()
                    .enumerate()
                    .map(|(j, w)| (format!("vars/{j}"), w))
                    .collect()
            }
            fn regularization_loss(&self) -> Result<Option<Tensor>> {
                self.inner.regularization_loss()
            }
            fn get_config(&self) -> Value {
                serde_json::to_value(self.config()).unwrap_or(Value::Null)
            }
            fn config_error(&self) -> Option<String> {
                self.inner.config_error.clone()
            }
        }

        impl FromConfig for $ty {
            const CLASS_NAME: &'static str = stringify!($ty);
            const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(CELL_KERAS_OPTIONS));

            fn from_config(c: &Value) -> Result<Self> {
                Self::from_cell_config(parse_config(stringify!($ty), c)?)
            }
        }

        impl $ty {
            /// The cell's configuration (what `get_config` writes).
            pub fn config(&self) -> RecurrentCellConfig {
                self.inner.cell_config()
            }

            /// A cell from its configuration: `units` is required; bad
            /// values are reported by `build`.
            pub fn from_cell_config(c: RecurrentCellConfig) -> Result<Self> {
                Ok($ty {
                    inner: cell_from_config($kind, c)?,
                })
            }
        }
    };
}

/// One step of a fully-connected RNN (`keras.layers.SimpleRNNCell`).
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone)]
pub struct SimpleRNNCell {
    inner: Recurrent,
}
cell_layer!(SimpleRNNCell, Kind::SimpleRnn, "simple_rnn_cell");

/// One step of an LSTM (`keras.layers.LSTMCell`); states `[h, c]`.
#[derive(Debug, Clone)]
pub struct LSTMCell {
    inner: Recurrent,
}
cell_layer!(LSTMCell, Kind::Lstm, "lstm_cell");

impl LSTMCell {
    /// The gates' activation (default `sigmoid`).
    pub fn recurrent_activation(self, a: impl IntoActivation) -> Self {
        self.set(|r| r.set_recurrent_activation(a))
    }
    /// Start the forget gate's bias at one (default true), as Keras.
    pub fn unit_forget_bias(self, yes: bool) -> Self {
        self.set(|r| r.unit_forget_bias = yes)
    }
}

/// One step of a GRU (`keras.layers.GRUCell`).
#[derive(Debug, Clone)]
pub struct GRUCell {
    inner: Recurrent,
}
cell_layer!(GRUCell, Kind::Gru { reset_after: true }, "gru_cell");

impl GRUCell {
    /// The gates' activation (default `sigmoid`).
    pub fn recurrent_activation(self, a: impl IntoActivation) -> Self {
        self.set(|r| r.set_recurrent_activation(a))
    }
    /// Apply the reset gate after the recurrent product (default true;
    /// bias `(2, 3 units)`), or before it.
    pub fn reset_after(self, yes: bool) -> Self {
        self.set(|r| r.kind = Kind::Gru { reset_after: yes })
    }
}

/// One cell of an `RNN` or a stack: a built-in cell (fused kernels) or a
/// user's [`Cell`] (run step by step).
// A few per RNN layer, and the built-in variant is the common one: not
// worth boxing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub(crate) enum CellCore {
    Builtin(Recurrent),
    User(UserCell),
}

impl CellCore {
    pub(crate) fn name(&self) -> &str {
        match self {
            CellCore::Builtin(r) => &r.name,
            CellCore::User(u) => &u.name,
        }
    }
    pub(crate) fn class_name(&self) -> &'static str {
        match self {
            CellCore::Builtin(r) => r.class_name(),
            CellCore::User(u) => u.class_name(),
        }
    }
    /// The number of states.
    pub(crate) fn states(&self) -> usize {
        match self {
            CellCore::Builtin(r) => r.kind.states(),
            CellCore::User(u) => u.state_size().len(),
        }
    }
    /// The size of each state.
    pub(crate) fn state_sizes(&self) -> Vec<usize> {
        match self {
            CellCore::Builtin(r) => vec![r.units; r.kind.states()],
            CellCore::User(u) => u.state_size(),
        }
    }
    /// The size of the output of one step.
    pub(crate) fn units(&self) -> usize {
        match self {
            CellCore::Builtin(r) => r.units,
            CellCore::User(u) => u.output_size(),
        }
    }
    pub(crate) fn built(&self) -> bool {
        match self {
            CellCore::Builtin(r) => r.kernel.is_some(),
            CellCore::User(u) => u.built(),
        }
    }
    /// Builds for sequences of `(timesteps, features)`.
    pub(crate) fn build(&mut self, timesteps: usize, features: usize, ctx: &BuildContext) -> Result<()> {
        match self {
            CellCore::Builtin(r) => r.build(&[vec![timesteps, features]], ctx),
            CellCore::User(u) => u.build(features, ctx),
        }
    }
    /// Sets the sequence options the RNN gives this cell (every cell
    /// returns its states).
    pub(crate) fn set_sequence(
        &mut self,
        return_sequences: bool,
        go_backwards: bool,
        zero_output_for_mask: bool,
        stateful: bool,
        weight_path: String,
    ) {
        match self {
            CellCore::Builtin(c) => {
                c.return_state = true;
                c.return_sequences = return_sequences;
                c.go_backwards = go_backwards;
                c.zero_output_for_mask = zero_output_for_mask;
                c.stateful = stateful;
                c.weight_path = Some(weight_path);
            }
            CellCore::User(u) => {
                u.return_sequences = return_sequences;
                u.go_backwards = go_backwards;
                u.zero_output_for_mask = zero_output_for_mask;
                u.stateful = stateful;
            }
        }
    }
    /// Runs the cell over a sequence: `[outputs, final states...]`.
    pub(crate) fn call(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        match self {
            CellCore::Builtin(r) => r.call(inputs, args),
            CellCore::User(u) => u.call(inputs, args),
        }
    }
    pub(crate) fn trainable_weights(&self) -> Vec<Variable> {
        match self {
            CellCore::Builtin(r) => r.trainable_weights(),
            CellCore::User(u) => u.trainable_weights(),
        }
    }
    pub(crate) fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        match self {
            CellCore::Builtin(r) => r.visit_weights_mut(f),
            CellCore::User(u) => u.visit_weights_mut(f),
        }
    }
    pub(crate) fn regularization_loss(&self) -> Result<Option<Tensor>> {
        match self {
            CellCore::Builtin(r) => r.regularization_loss(),
            CellCore::User(u) => u.regularization_loss(),
        }
    }
    pub(crate) fn config_error(&self) -> Option<String> {
        match self {
            CellCore::Builtin(r) => r.config_error.clone(),
            CellCore::User(u) => u.config_error(),
        }
    }
    /// `{"class_name", "config"}`, as Keras serializes a cell.
    pub(crate) fn serialized(&self) -> Value {
        match self {
            CellCore::Builtin(r) => serde_json::json!({"class_name": r.class_name(), "config": r.cell_config()}),
            CellCore::User(u) => u.serialized(),
        }
    }
    pub(crate) fn reset_states(&self) {
        match self {
            CellCore::Builtin(r) => r.reset_states(),
            CellCore::User(u) => u.reset_states(),
        }
    }
}

/// Cells applied one after the other at each time step
/// (`keras.layers.StackedRNNCells`): `RNN(StackedRNNCells([a, b]))`
/// computes what `RNN(a, return_sequences=True)` then `RNN(b)` compute,
/// in one layer. Its states are the cells' states in order.
#[derive(Debug, Clone)]
pub struct StackedRNNCells {
    pub(crate) name: String,
    pub(crate) cells: Vec<CellCore>,
}

impl StackedRNNCells {
    /// The stack of `cells` (first cell first). Named `stacked_rnn_cells`, ...
    pub fn new(cells: impl IntoIterator<Item = RnnCell>) -> Self {
        let mut s = StackedRNNCells {
            name: unique_name("stacked_rnn_cells"),
            cells: Vec::new(),
        };
        for c in cells {
            s = s.push(c);
        }
        s
    }
    /// Adds a cell (a stack's cells are added flat).
    pub fn push(mut self, cell: impl Into<RnnCell>) -> Self {
        self.cells.extend(cell.into().cells);
        self
    }
    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }
}

/// What [`RNN::new`](super::RNN::new) runs: one cell or a stack of cells.
/// Every cell type converts into it with `.into()`.
#[derive(Debug, Clone)]
pub struct RnnCell {
    pub(crate) cells: Vec<CellCore>,
    /// The name of the `StackedRNNCells`, when the cell is one.
    pub(crate) stack: Option<String>,
}

macro_rules! into_rnn_cell {
    ($($ty:ident),*) => {$(
        impl From<$ty> for RnnCell {
            fn from(c: $ty) -> Self {
                RnnCell { cells: vec![CellCore::Builtin(c.into_core())], stack: None }
            }
        }
    )*};
}
into_rnn_cell!(SimpleRNNCell, LSTMCell, GRUCell);

impl From<StackedRNNCells> for RnnCell {
    fn from(s: StackedRNNCells) -> Self {
        RnnCell {
            cells: s.cells,
            stack: Some(s.name),
        }
    }
}

/// A user's [`Cell`] runs step by step (`RNN::new(MyCell::new(32))`).
impl<C: Cell + 'static> From<C> for RnnCell {
    fn from(c: C) -> Self {
        RnnCell::from_boxed(Box::new(c))
    }
}

impl RnnCell {
    /// A user's boxed [`Cell`].
    pub fn from_boxed(cell: Box<dyn Cell>) -> Self {
        RnnCell {
            cells: vec![CellCore::User(UserCell::new(cell))],
            stack: None,
        }
    }
}

/// A list of cells is a stack, as in Keras (`RNN([cell_a, cell_b])`).
impl From<Vec<RnnCell>> for RnnCell {
    fn from(cells: Vec<RnnCell>) -> Self {
        StackedRNNCells::new(cells).into()
    }
}

impl RnnCell {
    /// A cell (or stack) from its serialized form
    /// `{"class_name": "LSTMCell", "config": {...}}`.
    pub(crate) fn from_serialized(v: &Value, owner: &str) -> Result<RnnCell> {
        let class = v.get("class_name").and_then(Value::as_str).unwrap_or("");
        let c = v.get("config").unwrap_or(&Value::Null);
        Ok(match class {
            "SimpleRNNCell" => SimpleRNNCell::from_config(c)?.into(),
            "LSTMCell" => LSTMCell::from_config(c)?.into(),
            "GRUCell" => GRUCell::from_config(c)?.into(),
            "StackedRNNCells" => {
                let cells = c.get("cells").and_then(Value::as_array).ok_or_else(|| {
                    Error::arg(format!("{owner}: StackedRNNCells config needs \"cells\" (a list of cells)"))
                })?;
                let cells = cells
                    .iter()
                    .map(|cell| RnnCell::from_serialized(cell, owner))
                    .collect::<Result<Vec<_>>>()?;
                let mut s = StackedRNNCells::new(cells);
                if let Some(n) = c.get("name").and_then(Value::as_str) {
                    s.name = n.to_string();
                }
                s.into()
            }
            other => match cell_from_registry(other, c) {
                Some(cell) => RnnCell::from_boxed(cell?),
                None => {
                    return Err(Error::arg(format!(
                        "{owner}: the cell class {other:?} is not known; keraslike's RNN runs \
                         SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells and the cells registered \
                         with keraslike::layers::register_cell"
                    )))
                }
            },
        })
    }
}

/// `StackedRNNCells`' Keras options (it is not a layer of its own: `RNN` reads it).
pub(crate) const STACKED_KERAS_OPTIONS: KerasOptions = KerasOptions::new(&[("cells", Opt::Cells)]);
