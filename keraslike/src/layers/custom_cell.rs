//! Recurrent cells written in Rust by users, run over sequences by
//! [`RNN`](super::RNN) — Keras' custom cells: a layer with a `state_size`
//! whose call is one time step (`keras.layers.RNN(MinimalRNNCell(32))`).
//!
//! A cell is a [`Layer`] that also implements [`Cell`]: it is built with
//! the per-sample input shape `[features]`, and its
//! [`call_multi`](Layer::call_multi) takes `[x_t, states...]` (`x_t` of
//! shape `(batch, features)`, state `i` of shape `(batch, state_size[i])`)
//! and returns `[output, new states...]`. `RNN` runs it step by step with
//! everything an RNN layer has: `return_sequences`, `return_state`,
//! `go_backwards`, masks (a masked step keeps the states and outputs the
//! first state, as Keras 3 does), initial states, `stateful`, stacking with
//! other cells. Its ops are tensorlow's, so gradients (of any order) flow
//! through the loop; the built-in cells run fused kernels instead.
//!
//! ```
//! use keraslike::layers::{BuildContext, CallArgs, Cell, Layer, RNN};
//! use keraslike::Result;
//! use tensorlow::{Tensor, Variable};
//!
//! /// Keras' guide's `MinimalRNNCell`: h = tanh(x W + h_prev U).
//! struct MinimalRNNCell { name: String, units: usize, w: Option<(Variable, Variable)> }
//!
//! impl Layer for MinimalRNNCell {
//!     fn name(&self) -> &str { &self.name }
//!     fn class_name(&self) -> &'static str { "MinimalRNNCell" }
//!     fn built(&self) -> bool { self.w.is_some() }
//!     fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
//!         let f = input_shape[0];
//!         let k = Tensor::fill(&[f, self.units], 0.1, ctx.dtype, &ctx.device)?;
//!         let u = Tensor::fill(&[self.units, self.units], -0.2, ctx.dtype, &ctx.device)?;
//!         self.w = Some((Variable::new("kernel", k), Variable::new("recurrent_kernel", u)));
//!         Ok(())
//!     }
//!     fn call_multi(&self, inputs: &[Tensor], _args: &CallArgs) -> Result<Vec<Tensor>> {
//!         let (w, u) = self.w.as_ref().expect("built");
//!         let h = inputs[0].matmul(w)?.add(&inputs[1].matmul(u)?)?.tanh()?;
//!         Ok(vec![h.clone(), h])
//!     }
//!     fn compute_output_shape(&self, _input_shape: &[usize]) -> Result<Vec<usize>> {
//!         Ok(vec![self.units])
//!     }
//!     fn trainable_weights(&self) -> Vec<Variable> {
//!         self.w.iter().flat_map(|(w, u)| [w.clone(), u.clone()]).collect()
//!     }
//!     fn get_config(&self) -> serde_json::Value {
//!         serde_json::json!({"name": self.name, "units": self.units})
//!     }
//! }
//!
//! impl Cell for MinimalRNNCell {
//!     fn state_size(&self) -> Vec<usize> { vec![self.units] }
//! }
//!
//! # fn main() -> Result<()> {
//! let mut rnn = RNN::new(MinimalRNNCell { name: "minimal".into(), units: 2, w: None })
//!     .return_sequences(true);
//! rnn.build(&[3, 1], &BuildContext::default())?;
//! let x = Tensor::new(&[1.0f32, 0.0, -1.0], &[1, 3, 1])?;
//! let y = rnn.call(&x, false)?;
//! assert_eq!(y.shape(), &[1, 3, 2]);
//! let first = (0.1f32).tanh();
//! assert!((y.to_vec::<f32>()?[0] - first).abs() < 1e-6);
//! # Ok(()) }
//! ```
//!
//! To save and load a model with a custom cell, implement
//! [`FromConfig`] for it and register it with [`register_cell`].

use super::recurrent::Carried;
use super::registry::{register, FromConfig};
use super::{shape_str, BuildContext, CallArgs, Layer};
use crate::{Error, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use tensorlow::{Tensor, Variable};

/// A recurrent cell: a [`Layer`] whose `call_multi([x_t, states...])`
/// computes one time step (see the [module documentation](self)).
pub trait Cell: Layer {
    /// Keras' `state_size`: the size of each state (at least one).
    fn state_size(&self) -> Vec<usize>;
    /// Keras' `output_size` (default: the first state's size).
    fn output_size(&self) -> usize {
        self.state_size().first().copied().unwrap_or(0)
    }
}

/// Creates an unbuilt cell from its `get_config()` output.
pub type CellFactory = fn(&Value) -> Result<Box<dyn Cell>>;

static CELLS: Mutex<Option<HashMap<String, CellFactory>>> = Mutex::new(None);

/// Registers cell type `C` under its
/// [`CLASS_NAME`](FromConfig::CLASS_NAME), so that `load_model` rebuilds
/// an `RNN` running it (from keraslike's files, and from `.keras` files
/// when `C` declares its [`KERAS_OPTIONS`](FromConfig::KERAS_OPTIONS)).
pub fn register_cell<C: Cell + FromConfig>() {
    register::<C>();
    let factory: CellFactory = |c| Ok(Box::new(C::from_config(c)?));
    CELLS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_or_insert_with(HashMap::new)
        .insert(C::CLASS_NAME.to_string(), factory);
}

/// The registered cell class `class`, built from `config`.
pub(crate) fn cell_from_registry(class: &str, config: &Value) -> Option<Result<Box<dyn Cell>>> {
    let factory = *CELLS.lock().unwrap_or_else(|e| e.into_inner()).as_ref()?.get(class)?;
    Some(factory(config))
}

/// Whether `class` was registered with [`register_cell`].
pub(crate) fn is_registered_cell(class: &str) -> bool {
    CELLS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|m| m.contains_key(class))
}

/// A user's cell inside an `RNN`, with the sequence options the layer
/// sets. Clones share the cell (and so its weights).
#[derive(Clone)]
pub(crate) struct UserCell {
    cell: Arc<RwLock<Box<dyn Cell>>>,
    pub name: String,
    pub return_sequences: bool,
    pub go_backwards: bool,
    pub zero_output_for_mask: bool,
    pub stateful: bool,
    carried: Carried,
}

impl std::fmt::Debug for UserCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserCell({} {:?})", self.class_name(), self.name)
    }
}

impl UserCell {
    pub(crate) fn new(cell: Box<dyn Cell>) -> Self {
        UserCell {
            name: cell.name().to_string(),
            cell: Arc::new(RwLock::new(cell)),
            return_sequences: false,
            go_backwards: false,
            zero_output_for_mask: false,
            stateful: false,
            carried: Carried::default(),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Box<dyn Cell>> {
        self.cell.read().unwrap_or_else(|e| e.into_inner())
    }

    fn label(&self) -> String {
        format!("{} {:?}", self.class_name(), self.name)
    }

    pub(crate) fn class_name(&self) -> &'static str {
        self.read().class_name()
    }
    pub(crate) fn state_size(&self) -> Vec<usize> {
        self.read().state_size()
    }
    pub(crate) fn output_size(&self) -> usize {
        self.read().output_size()
    }
    pub(crate) fn built(&self) -> bool {
        self.read().built()
    }
    pub(crate) fn build(&mut self, features: usize, ctx: &BuildContext) -> Result<()> {
        if self.state_size().is_empty() {
            return Err(Error::arg(format!(
                "{}: state_size() is empty; a cell has at least one state",
                self.label()
            )));
        }
        let mut cell = self.cell.write().unwrap_or_else(|e| e.into_inner());
        if !cell.built() {
            cell.build(&[features], ctx)?;
        }
        Ok(())
    }
    pub(crate) fn trainable_weights(&self) -> Vec<Variable> {
        self.read().trainable_weights()
    }
    pub(crate) fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        self.cell
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .visit_weights_mut(f)
    }
    pub(crate) fn regularization_loss(&self) -> Result<Option<Tensor>> {
        self.read().regularization_loss()
    }
    pub(crate) fn config_error(&self) -> Option<String> {
        self.read().config_error()
    }
    /// `{"class_name", "config"}`, as Keras serializes a cell.
    pub(crate) fn serialized(&self) -> Value {
        let c = self.read();
        json!({"class_name": c.class_name(), "config": c.get_config()})
    }
    pub(crate) fn reset_states(&self) {
        self.carried.set(None);
    }

    /// Runs the cell over `inputs[0]` `(batch, timesteps, features)` from
    /// the initial states `inputs[1..]` (else the carried ones, else zeros):
    /// `[output sequence or last output, final states...]`.
    pub(crate) fn call(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let sizes = self.state_size();
        let out_size = self.output_size();
        let [batch, steps, _] = *x.shape() else {
            return Err(Error::shape(format!(
                "{} expects input of shape (batch, timesteps, features), got {}",
                self.label(),
                shape_str(x.shape())
            )));
        };
        if steps == 0 {
            return Err(Error::shape(format!(
                "{} needs at least one time step, got input of shape {}",
                self.label(),
                shape_str(x.shape())
            )));
        }
        let given = &inputs[1..];
        let mut states: Vec<Tensor> = if !given.is_empty() {
            if given.len() != sizes.len() {
                return Err(Error::arg(format!(
                    "{} has {} state(s), got {} initial state(s)",
                    self.label(),
                    sizes.len(),
                    given.len()
                )));
            }
            given.to_vec()
        } else {
            match self.carried.get().filter(|_| self.stateful) {
                Some(c) if c[0].shape()[0] != batch => {
                    return Err(Error::shape(format!(
                    "{} is stateful and carries states for batches of {}, got a batch of {batch}; call reset_states()",
                    self.label(),
                    c[0].shape()[0]
                )))
                }
                Some(c) => c,
                None => sizes
                    .iter()
                    .map(|&s| Tensor::zeros(&[batch, s], x.dtype(), &x.device()))
                    .collect::<tensorlow::Result<_>>()?,
            }
        };
        for (i, (s, &want)) in states.iter().zip(&sizes).enumerate() {
            if s.shape() != [batch, want] {
                return Err(Error::shape(format!(
                    "{}: initial state {i} must have shape (batch, {want}) = ({batch}, {want}), got {}",
                    self.label(),
                    shape_str(s.shape())
                )));
            }
        }
        let xs = x.split_even(steps, 1)?;
        let mask = args.mask(0);
        let order: Vec<usize> = if self.go_backwards {
            (0..steps).rev().collect()
        } else {
            (0..steps).collect()
        };
        let cell = self.read();
        let mut prev = Tensor::zeros(&[batch, out_size], x.dtype(), &x.device())?;
        let mut outputs = Vec::with_capacity(if self.return_sequences { steps } else { 0 });
        let step_args = CallArgs::new(args.training);
        for &t in &order {
            let x_t = xs[t].squeeze(&[1])?;
            let step_inputs: Vec<Tensor> = std::iter::once(x_t).chain(states.iter().cloned()).collect();
            let mut outs = cell.call_multi(&step_inputs, &step_args)?;
            if outs.len() != 1 + sizes.len() {
                return Err(Error::arg(format!(
                    "{}: one step must return [output, {} new state(s)], got {} tensor(s)",
                    self.label(),
                    sizes.len(),
                    outs.len()
                )));
            }
            let new_states = outs.split_off(1);
            let mut out = outs.swap_remove(0);
            if out.shape() != [batch, out_size] {
                return Err(Error::shape(format!(
                    "{}: a step's output must have shape (batch, output_size) = ({batch}, {out_size}), got {}",
                    self.label(),
                    shape_str(out.shape())
                )));
            }
            for (i, (s, &want)) in new_states.iter().zip(&sizes).enumerate() {
                if s.shape() != [batch, want] {
                    return Err(Error::shape(format!(
                        "{}: a step's new state {i} must have shape (batch, {want}) = ({batch}, {want}), got {}",
                        self.label(),
                        shape_str(s.shape())
                    )));
                }
            }
            match mask {
                Some(m) => {
                    // A masked step keeps the states and outputs the first
                    // state, "the previous output" (zeros with
                    // zero_output_for_mask), as Keras 3's jax and numpy rnn
                    // (and the built-in cells here); a cell whose first state
                    // is not output-sized repeats its previous output, as
                    // Keras' unrolled loop.
                    let m_t = m.narrow(1, t, 1)?;
                    let held = if self.zero_output_for_mask {
                        out.zeros_like()?
                    } else if states[0].shape() == out.shape() {
                        states[0].clone()
                    } else {
                        prev.clone()
                    };
                    out = m_t.select(&out, &held)?;
                    states = new_states
                        .iter()
                        .zip(&states)
                        .map(|(n, o)| m_t.select(n, o))
                        .collect::<tensorlow::Result<_>>()?;
                }
                None => states = new_states,
            }
            if self.return_sequences {
                outputs.push(out.clone());
            }
            prev = out;
        }
        if self.stateful {
            // Values only: no gradient flows across batches, as in Keras.
            self.carried
                .set(Some(states.iter().map(Tensor::stop_gradient).collect()));
        }
        let first = if self.return_sequences {
            let refs: Vec<&Tensor> = outputs.iter().collect();
            Tensor::stack(&refs, 1)?
        } else {
            prev
        };
        Ok(std::iter::once(first).chain(states).collect())
    }
}
