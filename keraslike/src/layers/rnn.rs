//! `RNN(cell)`: a recurrent layer running any cell over a sequence
//! (`keras.layers.RNN`), with the sequence options of `LSTM` and friends
//! (`return_sequences`, `return_state`, `go_backwards`, `stateful`,
//! `zero_output_for_mask`) and masks.
//!
//! The cell is a [`SimpleRNNCell`], [`LSTMCell`], [`GRUCell`] or a
//! [`StackedRNNCells`] of them (a `Vec` of cells is a stack, as a Python
//! list is in Keras). `RNN(LSTMCell(u))` computes exactly `LSTM(u)` (the
//! same fused ops of [`tensorlow::nn`]); a stack of cells computes what the
//! cells' layers chained with `return_sequences` compute, with one mask for
//! every cell. With `return_state` the outputs are `[output, states of the
//! first cell..., states of the next...]`, flat (Keras returns an LSTM
//! cell's `[h, c]` inside a stack as a nested list; keraslike's outputs are
//! a flat list of tensors). Weights as Keras 3 saves them:
//! `cell/vars/0..2`, or `cell/cells/<lstm_cell, gru_cell, ...>/vars/0..2`
//! in a stack.
//!
//! ```
//! use keraslike::layers::{BuildContext, CallArgs, GRUCell, LSTMCell, Layer, StackedRNNCells, RNN};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let stack = StackedRNNCells::new([GRUCell::new(4).into(), LSTMCell::new(3).into()]);
//! let mut rnn = RNN::new(stack).return_state(true);
//! rnn.build(&[5, 2], &BuildContext::default())?;
//! let x = Tensor::ones(&[8, 5, 2], DType::F32, &Device::cpu())?;
//! let out = rnn.call_multi(&[x], &CallArgs::new(false))?;
//! let shapes: Vec<&[usize]> = out.iter().map(|t| t.shape()).collect();
//! assert_eq!(shapes, [&[8, 3][..], &[8, 4], &[8, 3], &[8, 3]]); // output, GRU h, LSTM h and c
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::recurrent::SequenceConfig;
use super::registry::parse_config;
use super::rnn_cells::{CellCore, RnnCell};
use super::{shape_str, unique_name, BuildContext, CallArgs, FromConfig, Layer};
use crate::models::saving::layer_keys;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tensorlow::{Tensor, Variable};

#[cfg(doc)]
use super::{GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells};

/// RNN's configuration with Keras' field names and defaults
/// (`RNN.get_config()`): the sequence options and the serialized cell.
/// [`Layer::get_config`] writes it and [`FromConfig::from_config`] reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RNNConfig {
    /// The layer's name (a fresh `rnn_N` when empty).
    pub name: String,
    /// Written as true; ignored when read (the model keeps the flag).
    pub trainable: bool,
    /// The sequence options.
    #[serde(flatten)]
    pub sequence: SequenceConfig,
    /// The cell as Keras serializes it, `{"class_name": "LSTMCell", "config": {...}}`
    /// (a `StackedRNNCells` has its `cells` in its config; required).
    pub cell: Value,
}

impl Default for RNNConfig {
    fn default() -> Self {
        RNNConfig {
            name: String::new(),
            trainable: true,
            sequence: SequenceConfig::default(),
            cell: Value::Null,
        }
    }
}

/// A recurrent layer running `cell` over the time steps; configure it with
/// the builder methods (Keras' names and defaults).
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone)]
pub struct RNN {
    name: String,
    cells: Vec<CellCore>,
    /// The `StackedRNNCells`' name, when the cell is a stack.
    stack: Option<String>,
    return_sequences: bool,
    return_state: bool,
    go_backwards: bool,
    stateful: bool,
    zero_output_for_mask: bool,
    input_shape: Option<Vec<usize>>,
}

impl RNN {
    /// The layer running `cell` (a cell, a `StackedRNNCells` or a `Vec` of
    /// cells). Named `rnn`, `rnn_1`, ...
    pub fn new(cell: impl Into<RnnCell>) -> Self {
        let cell = cell.into();
        let mut rnn = RNN {
            name: unique_name("rnn"),
            cells: cell.cells,
            stack: cell.stack,
            return_sequences: false,
            return_state: false,
            go_backwards: false,
            stateful: false,
            zero_output_for_mask: false,
            input_shape: None,
        };
        rnn.sync();
        rnn
    }

    /// Sets each cell's sequence options from the layer's: the first cell
    /// reads the sequence (backwards with `go_backwards`), each next cell
    /// the previous one's output sequence, the last returns what the layer
    /// returns; every cell returns its states.
    fn sync(&mut self) {
        let n = self.cells.len();
        let prefix = self.stack.as_ref().map_or(self.name.clone(), |s| format!("{}/{s}", self.name));
        for (i, c) in self.cells.iter_mut().enumerate() {
            let last = i + 1 == n;
            let path = format!("{prefix}/{}", c.name());
            c.set_sequence(
                !last || self.return_sequences,
                i == 0 && self.go_backwards,
                last && self.zero_output_for_mask,
                self.stateful,
                path,
            );
        }
    }

    fn set(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self.sync();
        self
    }
    /// Replaces the automatic name.
    pub fn name(self, name: impl Into<String>) -> Self {
        self.set(|r| r.name = name.into())
    }

    fn label(&self) -> String {
        format!("RNN {:?}", self.name)
    }

    /// `(timesteps, features)` of the per-sample input shape.
    fn sequence_shape<'a>(&self, input_shapes: &'a [Vec<usize>]) -> Result<&'a [usize]> {
        match input_shapes.first().map(Vec::as_slice) {
            Some(s @ [_, f]) if *f > 0 => Ok(s),
            other => Err(Error::shape(format!(
                "{} expects input of shape (batch, timesteps, features), got per-sample shape {}",
                self.label(),
                other.map_or("none".to_string(), shape_str)
            ))),
        }
    }

    fn states(&self) -> usize {
        self.cells.iter().map(CellCore::states).sum()
    }
}

/// `mask` with its time axis reversed (the order `go_backwards` processed).
fn reversed(mask: &Tensor) -> Result<Tensor> {
    let t = mask.shape()[1];
    let rev: Vec<i64> = (0..t as i64).rev().collect();
    Ok(mask.gather(&Tensor::from_vec(rev, &[t], &mask.device())?, 1)?)
}

super::recurrent::sequence_options!(RNN);

impl Layer for RNN {
    fn name(&self) -> &str {
        &self.name
    }
    fn class_name(&self) -> &'static str {
        "RNN"
    }
    fn built(&self) -> bool {
        self.cells.iter().all(CellCore::built)
    }
    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        self.build_multi(&[input_shape.to_vec()], ctx)
    }
    fn build_multi(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        if self.cells.is_empty() {
            return Err(Error::arg(format!("{}: its StackedRNNCells has no cell", self.label())));
        }
        let seq = self.sequence_shape(input_shapes)?.to_vec();
        if let Some(declared) = &self.input_shape {
            if *declared != seq {
                return Err(Error::shape(format!(
                    "{} was declared with input_shape {} but is built for {}",
                    self.label(),
                    shape_str(declared),
                    shape_str(&seq)
                )));
            }
        }
        self.sync();
        let mut features = seq[1];
        for c in &mut self.cells {
            c.build(seq[0], features, ctx)?;
            features = c.units();
        }
        Ok(())
    }
    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let mut outs = self.call_multi(std::slice::from_ref(x), &CallArgs::new(training))?;
        Ok(outs.swap_remove(0))
    }
    fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        let Some(x) = inputs.first() else {
            return Err(Error::arg(format!("{} needs an input sequence", self.label())));
        };
        if x.rank() != 3 {
            self.sequence_shape(&[x.shape().get(1..).unwrap_or(&[]).to_vec()])?;
        }
        let states = self.states();
        if inputs.len() != 1 && inputs.len() != 1 + states {
            return Err(Error::arg(format!(
                "{} takes the sequences and {states} initial state(s) (its cells' states in order), got {} inputs",
                self.label(),
                inputs.len()
            )));
        }
        let mut given = &inputs[1..];
        let mut seq = x.clone();
        let mut mask = args.mask(0).cloned();
        let mut final_states = Vec::with_capacity(states);
        for (i, cell) in self.cells.iter().enumerate() {
            let k = cell.states();
            let (initial, rest) = given.split_at(if given.is_empty() { 0 } else { k });
            given = rest;
            let cell_inputs: Vec<Tensor> = std::iter::once(seq).chain(initial.iter().cloned()).collect();
            let masks = [mask.clone()];
            let cell_args = CallArgs {
                training: args.training,
                masks: if mask.is_some() { &masks } else { &[] },
            };
            let mut out = cell.call(&cell_inputs, &cell_args).map_err(|e| match e {
                Error::Shape(m) => Error::Shape(format!("{}: {m}", self.label())),
                Error::InvalidArgument(m) => Error::InvalidArgument(format!("{}: {m}", self.label())),
                other => other,
            })?;
            seq = out.remove(0);
            final_states.extend(out);
            if i == 0 && self.go_backwards && self.cells.len() > 1 {
                // The next cells read the first one's outputs in the order it
                // processed the steps; their mask follows that order.
                mask = mask.as_ref().map(reversed).transpose()?;
            }
        }
        let mut outs = vec![seq];
        if self.return_state {
            outs.extend(final_states);
        }
        Ok(outs)
    }
    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let mut s = self.compute_output_shapes(&[input_shape.to_vec()])?;
        Ok(s.swap_remove(0))
    }
    fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        let seq = self.sequence_shape(input_shapes)?;
        let Some(last) = self.cells.last() else {
            return Err(Error::arg(format!("{}: its StackedRNNCells has no cell", self.label())));
        };
        let out = if self.return_sequences {
            vec![seq[0], last.units()]
        } else {
            vec![last.units()]
        };
        let mut shapes = vec![out];
        if self.return_state {
            for c in &self.cells {
                shapes.extend(c.state_sizes().into_iter().map(|s| vec![s]));
            }
        }
        Ok(shapes)
    }
    fn compute_mask(&self, _x: &Tensor, mask: Option<&Tensor>) -> Result<Option<Tensor>> {
        Ok(if self.return_sequences { mask.cloned() } else { None })
    }
    fn compute_masks(&self, _inputs: &[Tensor], masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let seq = if self.return_sequences {
            masks.first().cloned().flatten()
        } else {
            None
        };
        let mut out = vec![seq];
        if self.return_state {
            out.extend(std::iter::repeat_n(None, self.states()));
        }
        Ok(out)
    }
    fn trainable_weights(&self) -> Vec<Variable> {
        self.cells.iter().flat_map(CellCore::trainable_weights).collect()
    }
    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        for c in &mut self.cells {
            c.visit_weights_mut(f)?;
        }
        Ok(())
    }
    /// `cell/vars/j`, or in a stack `cell/cells/<key>/vars/j` with Keras'
    /// keys (`gru_cell`, `gru_cell_1`, ... by class).
    fn saved_weights(&self) -> Vec<(String, Variable)> {
        let classes: Vec<&str> = self.cells.iter().map(CellCore::class_name).collect();
        let keys = layer_keys(&classes);
        let mut out = Vec::new();
        for (c, key) in self.cells.iter().zip(keys) {
            let owner = match self.stack {
                Some(_) => format!("cell/cells/{key}"),
                None => "cell".to_string(),
            };
            for (j, w) in c.trainable_weights().into_iter().enumerate() {
                out.push((format!("{owner}/vars/{j}"), w));
            }
        }
        out
    }
    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        let mut total: Option<Tensor> = None;
        for c in &self.cells {
            if let Some(p) = c.regularization_loss()? {
                total = Some(match total {
                    Some(t) => t.add(&p)?,
                    None => p,
                });
            }
        }
        Ok(total)
    }
    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }
    fn config_error(&self) -> Option<String> {
        if self.cells.is_empty() {
            return Some("its StackedRNNCells has no cell".to_string());
        }
        self.cells.iter().find_map(CellCore::config_error)
    }
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }
    fn reset_states(&self) -> Result<()> {
        for c in &self.cells {
            c.reset_states();
        }
        Ok(())
    }
}

impl FromConfig for RNN {
    const CLASS_NAME: &'static str = "RNN";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        RNN::from_rnn_config(parse_config("RNN", c)?)
    }
}

impl RNN {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> RNNConfig {
        let cell = CellCore::serialized;
        let cell = match &self.stack {
            Some(name) => json!({
                "class_name": "StackedRNNCells",
                "config": {
                    "name": name,
                    "trainable": true,
                    "cells": self.cells.iter().map(cell).collect::<Vec<_>>(),
                },
            }),
            None => cell(&self.cells[0]),
        };
        RNNConfig {
            name: self.name.clone(),
            trainable: true,
            sequence: SequenceConfig {
                return_sequences: self.return_sequences,
                return_state: self.return_state,
                go_backwards: self.go_backwards,
                stateful: self.stateful,
                unroll: false,
                zero_output_for_mask: self.zero_output_for_mask,
                input_shape: self.input_shape.clone(),
            },
            cell,
        }
    }

    /// A layer from its configuration: the cell is required (a built-in
    /// cell, a stack of them or one registered with
    /// [`register_cell`](super::register_cell)) and `unroll` must be false.
    pub fn from_rnn_config(c: RNNConfig) -> Result<Self> {
        let name = if c.name.is_empty() { unique_name("rnn") } else { c.name };
        let owner = format!("RNN {name:?}");
        if c.cell.is_null() {
            return Err(Error::arg(format!("{owner}: the config needs \"cell\" (the serialized cell)")));
        }
        let s = c.sequence;
        if s.unroll {
            return Err(Error::arg(format!("{owner}: unroll=True is not supported")));
        }
        let mut rnn = RNN::new(RnnCell::from_serialized(&c.cell, &owner)?);
        rnn.name = name;
        rnn.return_sequences = s.return_sequences;
        rnn.return_state = s.return_state;
        rnn.go_backwards = s.go_backwards;
        rnn.stateful = s.stateful;
        rnn.zero_output_for_mask = s.zero_output_for_mask;
        rnn.input_shape = s.input_shape;
        rnn.sync();
        Ok(rnn)
    }
}

/// Keras 3.15's `RNN.get_config()` keys (a loop that is not unrolled only).
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("cell", Opt::Cell),
    ("return_sequences", Opt::Used),
    ("return_state", Opt::Used),
    ("go_backwards", Opt::Used),
    ("zero_output_for_mask", Opt::Used),
    ("stateful", Opt::Used),
    ("unroll", Opt::Is("false")),
]);
