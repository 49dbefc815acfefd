//! What `SimpleRNN`, `LSTM` and `GRU` share (Keras' `RNN` base layer):
//! the configuration, the weights `kernel (features, gates * units)`,
//! `recurrent_kernel (units, gates * units)` and `bias`, and the call,
//! which runs the fused sequence ops of [`tensorlow::nn`] ([`nn::lstm`],
//! [`nn::gru`], [`nn::simple_rnn`]).
//!
//! Inputs are `[sequences]` or `[sequences, initial states...]` (Keras'
//! `initial_state`), outputs `[output]` or, with `return_state`,
//! `[output, h]` (`[output, h, c]` for the LSTM). A mask on the sequences
//! (from `Embedding(mask_zero=True)`, say) makes masked steps carry the
//! state over, as in Keras; the output mask is the input's with
//! `return_sequences`, none otherwise.
//!
//! ```
//! use keraslike::layers::{BuildContext, CallArgs, Layer, LSTM};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut lstm = LSTM::new(3).return_state(true);
//! lstm.build(&[5, 2], &BuildContext::default())?;
//! let x = Tensor::ones(&[4, 5, 2], DType::F32, &Device::cpu())?;
//! let out = lstm.call_multi(&[x], &CallArgs::new(false))?;
//! assert_eq!(out.len(), 3); // [output, h, c]
//! assert_eq!(out[0].shape(), &[4, 3]);
//! # Ok(()) }
//! ```

use super::registry::de;
use super::{shape_str, BuildContext, CallArgs, KerasOption as Opt};
use crate::activations::{Activation, IntoActivation};
use crate::initializers::{Initializer, IntoInitializer};
use crate::regularizers::{IntoRegularizer, Regularizer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{nn, Tensor, Variable};

/// The configuration of a recurrent cell ([`SimpleRNNCell`](super::SimpleRNNCell),
/// [`LSTMCell`](super::LSTMCell), [`GRUCell`](super::GRUCell)) with Keras'
/// field names and defaults (their `get_config()`), and the cell part of
/// [`RecurrentConfig`]: [`Layer::get_config`](super::Layer::get_config)
/// writes it and [`FromConfig::from_config`](super::FromConfig::from_config)
/// reads it. Keras' other fields (constraints, which must be null, ...)
/// are ignored when read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecurrentCellConfig {
    /// The layer's name (a fresh `lstm_N`, ... when empty).
    pub name: String,
    /// Written as true; ignored when read (the model keeps the flag).
    pub trainable: bool,
    /// The number of units (required, positive).
    pub units: usize,
    /// The output activation (default `tanh`).
    pub activation: Activation,
    /// The gates' activation (`LSTM` and `GRU` only; none: `sigmoid`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrent_activation: Option<Activation>,
    /// Whether to add a bias (default true).
    pub use_bias: bool,
    /// The input kernel's initializer (default `glorot_uniform`).
    pub kernel_initializer: Initializer,
    /// The recurrent kernel's initializer (default `orthogonal`).
    pub recurrent_initializer: Initializer,
    /// The bias' initializer (default `zeros`).
    pub bias_initializer: Initializer,
    /// A penalty on the input kernel (default none).
    pub kernel_regularizer: Option<Regularizer>,
    /// A penalty on the recurrent kernel (default none).
    pub recurrent_regularizer: Option<Regularizer>,
    /// A penalty on the bias (default none).
    pub bias_regularizer: Option<Regularizer>,
    /// The fraction of the inputs dropped in training, in `[0, 1)` (default 0).
    pub dropout: f64,
    /// The fraction of the recurrent state dropped in training, in `[0, 1)` (default 0).
    pub recurrent_dropout: f64,
    /// Fixes the dropout masks (default none: the global seed).
    pub seed: Option<u64>,
    /// Start the forget gate's bias at one (`LSTM` only; none: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_forget_bias: Option<bool>,
    /// Apply the reset gate after the recurrent product (`GRU` only; none: true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_after: Option<bool>,
}

impl Default for RecurrentCellConfig {
    fn default() -> Self {
        RecurrentCellConfig {
            name: String::new(),
            trainable: true,
            units: 0,
            activation: Activation::Tanh,
            recurrent_activation: None,
            use_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            recurrent_initializer: Initializer::orthogonal(1.0),
            bias_initializer: Initializer::zeros(),
            kernel_regularizer: None,
            recurrent_regularizer: None,
            bias_regularizer: None,
            dropout: 0.0,
            recurrent_dropout: 0.0,
            seed: None,
            unit_forget_bias: None,
            reset_after: None,
        }
    }
}

/// The sequence options of Keras' recurrent layers (`RNN`, `LSTM`, `GRU`,
/// `SimpleRNN`), a part of [`RecurrentConfig`] and [`RNNConfig`](super::RNNConfig)
/// (flattened into the same JSON object).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SequenceConfig {
    /// Return the whole output sequence, not only the last output (default false).
    pub return_sequences: bool,
    /// Return the final states too (default false).
    pub return_state: bool,
    /// Run over the time steps in reverse (default false).
    pub go_backwards: bool,
    /// Carry the final states of a batch to the next one (default false).
    pub stateful: bool,
    /// Only false (keraslike does not unroll the loop; `null` reads as false).
    #[serde(deserialize_with = "de::null_as_default")]
    pub unroll: bool,
    /// Zeros instead of the carried state at masked steps (default false).
    pub zero_output_for_mask: bool,
    /// The declared input shape without batch (keraslike's; `null` when none).
    pub input_shape: Option<Vec<usize>>,
}

/// The configuration of the [`LSTM`](super::LSTM), [`GRU`](super::GRU) and
/// [`SimpleRNN`](super::SimpleRNN) layers with Keras' field names and
/// defaults (their `get_config()`): the cell's fields and the sequence
/// options, in one JSON object. [`Layer::get_config`](super::Layer::get_config)
/// writes it and [`FromConfig::from_config`](super::FromConfig::from_config)
/// reads it.
///
/// ```
/// use keraslike::layers::{FromConfig, Layer, LSTMCell, RecurrentConfig, LSTM};
/// let json = serde_json::json!({"name": "l", "units": 8, "return_sequences": true, "dropout": 0.1});
/// let cfg: RecurrentConfig = serde_json::from_value(json).unwrap();
/// assert_eq!((cfg.cell.units, cfg.cell.dropout, cfg.sequence.return_sequences), (8, 0.1, true));
/// let lstm = LSTM::from_recurrent_config(cfg).unwrap();
/// assert_eq!((lstm.get_config()["recurrent_activation"].as_str(), lstm.get_config()["unit_forget_bias"].as_bool()), (Some("sigmoid"), Some(true)));
/// assert_eq!(LSTM::from_config(&lstm.get_config()).unwrap().config(), lstm.config());
/// let cell = LSTMCell::from_cell_config(lstm.config().cell).unwrap();
/// assert!(cell.get_config().get("return_sequences").is_none()); // a cell has no sequence options
/// assert!(LSTM::from_config(&serde_json::json!({"units": 2, "unroll": true})).is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct RecurrentConfig {
    /// The cell's fields (and the layer's name).
    #[serde(flatten)]
    pub cell: RecurrentCellConfig,
    /// The sequence options.
    #[serde(flatten)]
    pub sequence: SequenceConfig,
}

/// Which cell a recurrent layer runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    SimpleRnn,
    Lstm,
    Gru {
        /// Keras 3's default `true`: the reset gate multiplies
        /// `h @ recurrent_kernel` (bias `(2, 3 units)`).
        reset_after: bool,
    },
}

impl Kind {
    fn gates(self) -> usize {
        match self {
            Kind::SimpleRnn => 1,
            Kind::Lstm => 4,
            Kind::Gru { .. } => 3,
        }
    }
    pub(crate) fn class_name(self) -> &'static str {
        match self {
            Kind::SimpleRnn => "SimpleRNN",
            Kind::Lstm => "LSTM",
            Kind::Gru { .. } => "GRU",
        }
    }
    /// Keras' cell name (in weight paths such as `lstm/lstm_cell/kernel`).
    pub(crate) fn cell_name(self) -> &'static str {
        match self {
            Kind::SimpleRnn => "simple_rnn_cell",
            Kind::Lstm => "lstm_cell",
            Kind::Gru { .. } => "gru_cell",
        }
    }
    /// The number of states (`[h, c]` for the LSTM).
    pub(crate) fn states(self) -> usize {
        if self == Kind::Lstm {
            2
        } else {
            1
        }
    }
}

/// The states a stateful layer carries between batches. Cloning a layer
/// (for `Bidirectional`'s two directions) starts the copy without state.
#[derive(Debug, Default)]
pub(crate) struct Carried(std::sync::Mutex<Option<Vec<Tensor>>>);

impl Clone for Carried {
    fn clone(&self) -> Self {
        Carried::default()
    }
}

impl Carried {
    pub(crate) fn get(&self) -> Option<Vec<Tensor>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub(crate) fn set(&self, states: Option<Vec<Tensor>>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = states;
    }
}

/// The configuration and weights of a recurrent layer.
#[derive(Debug, Clone)]
pub(crate) struct Recurrent {
    pub name: String,
    pub kind: Kind,
    pub units: usize,
    pub activation: Activation,
    pub recurrent_activation: Activation,
    pub use_bias: bool,
    pub unit_forget_bias: bool,
    pub kernel_initializer: Initializer,
    pub recurrent_initializer: Initializer,
    pub bias_initializer: Initializer,
    pub kernel_regularizer: Option<Regularizer>,
    pub recurrent_regularizer: Option<Regularizer>,
    pub bias_regularizer: Option<Regularizer>,
    pub dropout: f64,
    pub recurrent_dropout: f64,
    pub seed: Option<u64>,
    pub return_sequences: bool,
    pub return_state: bool,
    pub go_backwards: bool,
    /// Zeros instead of the carried state at masked steps (Keras sets it on
    /// the layers inside `Bidirectional` that return sequences).
    pub zero_output_for_mask: bool,
    /// Keras' `stateful`: the final states of a batch are the initial
    /// states of the next one, until [`reset_states`](Recurrent::reset_states).
    pub stateful: bool,
    /// The states carried to the next batch (stateful layers).
    pub carried: Carried,
    /// A cell (`LSTMCell`, ...: in messages and configs) rather than a
    /// sequence layer.
    pub cell: bool,
    /// The weights' name prefix (default `<name>/<cell name>`; an `RNN`
    /// sets `<rnn name>/<cell name>`).
    pub weight_path: Option<String>,
    pub input_shape: Option<Vec<usize>>,
    pub config_error: Option<String>,
    pub kernel: Option<Variable>,
    pub recurrent_kernel: Option<Variable>,
    pub bias: Option<Variable>,
}

impl Recurrent {
    pub(crate) fn new(kind: Kind, name: String, units: usize) -> Self {
        Recurrent {
            name,
            kind,
            units,
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            use_bias: true,
            unit_forget_bias: true,
            kernel_initializer: Initializer::glorot_uniform(),
            recurrent_initializer: Initializer::orthogonal(1.0),
            bias_initializer: Initializer::zeros(),
            kernel_regularizer: None,
            recurrent_regularizer: None,
            bias_regularizer: None,
            dropout: 0.0,
            recurrent_dropout: 0.0,
            seed: None,
            return_sequences: false,
            return_state: false,
            go_backwards: false,
            zero_output_for_mask: false,
            stateful: false,
            carried: Carried::default(),
            cell: false,
            weight_path: None,
            input_shape: None,
            config_error: (units == 0).then(|| "units must be positive, got 0".to_string()),
            kernel: None,
            recurrent_kernel: None,
            bias: None,
        }
    }

    /// Keeps the first configuration error of a builder method.
    pub(crate) fn record<T>(&mut self, r: Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.config_error.get_or_insert(e.to_string());
                None
            }
        }
    }

    pub(crate) fn set_activation(&mut self, a: impl IntoActivation) {
        if let Some(a) = self.record(a.into_activation()) {
            self.activation = a;
        }
    }
    pub(crate) fn set_recurrent_activation(&mut self, a: impl IntoActivation) {
        if let Some(a) = self.record(a.into_activation()) {
            self.recurrent_activation = a;
        }
    }
    pub(crate) fn set_initializer(&mut self, which: usize, i: impl IntoInitializer) {
        if let Some(i) = self.record(i.into_initializer()) {
            match which {
                0 => self.kernel_initializer = i,
                1 => self.recurrent_initializer = i,
                _ => self.bias_initializer = i,
            }
        }
    }
    pub(crate) fn set_regularizer(&mut self, which: usize, r: impl IntoRegularizer) {
        let r = self.record(r.into_regularizer());
        match which {
            0 => self.kernel_regularizer = r,
            1 => self.recurrent_regularizer = r,
            _ => self.bias_regularizer = r,
        }
    }
    pub(crate) fn set_dropout(&mut self, recurrent: bool, rate: f64) {
        if !(0.0..1.0).contains(&rate) {
            let which = if recurrent { "recurrent_dropout" } else { "dropout" };
            self.config_error
                .get_or_insert(format!("{which} must be in [0, 1), got {rate}"));
        }
        if recurrent {
            self.recurrent_dropout = rate;
        } else {
            self.dropout = rate;
        }
    }

    fn label(&self) -> String {
        format!("{} {:?}", self.class_name(), self.name)
    }

    /// Keras' class: `LSTM` or, for a cell, `LSTMCell`.
    pub(crate) fn class_name(&self) -> &'static str {
        match (self.kind, self.cell) {
            (k, false) => k.class_name(),
            (Kind::SimpleRnn, true) => "SimpleRNNCell",
            (Kind::Lstm, true) => "LSTMCell",
            (Kind::Gru { .. }, true) => "GRUCell",
        }
    }

    fn bias_shape(&self) -> Vec<usize> {
        let n = self.kind.gates() * self.units;
        match self.kind {
            Kind::Gru { reset_after: true } => vec![2, n],
            _ => vec![n],
        }
    }

    /// The features of a per-sample input shape `(timesteps, features)`.
    fn features(&self, input_shape: &[usize]) -> Result<usize> {
        match input_shape {
            [_, f] if *f > 0 => Ok(*f),
            _ => Err(Error::shape(format!(
                "{} expects input of shape (batch, timesteps, features), got per-sample shape {}",
                self.label(),
                shape_str(input_shape)
            ))),
        }
    }

    pub(crate) fn build(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        if let Some(e) = &self.config_error {
            return Err(Error::arg(format!("{}: {e}", self.label())));
        }
        let Some(first) = input_shapes.first() else {
            return Err(Error::arg(format!("{} needs an input sequence", self.label())));
        };
        if let Some(declared) = &self.input_shape {
            if declared != first {
                return Err(Error::shape(format!(
                    "{} was declared with input_shape {} but is built for {}",
                    self.label(),
                    shape_str(declared),
                    shape_str(first)
                )));
            }
        }
        let f = self.features(first)?;
        let (u, n) = (self.units, self.kind.gates() * self.units);
        let prefix = self
            .weight_path
            .clone()
            .unwrap_or_else(|| format!("{}/{}", self.name, self.kind.cell_name()));
        let path = |w: &str| format!("{prefix}/{w}");
        let (dt, dev) = (ctx.dtype, &ctx.device);
        let kernel = self.kernel_initializer.init(&[f, n], dt, dev)?;
        let rk = self.recurrent_initializer.init(&[u, n], dt, dev)?;
        self.kernel = Some(Variable::new(path("kernel"), kernel));
        self.recurrent_kernel = Some(Variable::new(path("recurrent_kernel"), rk));
        self.bias = None;
        if self.use_bias {
            let b = if self.kind == Kind::Lstm && self.unit_forget_bias {
                // Keras: bias_initializer(u), ones(u), bias_initializer(2u).
                let i = self.bias_initializer.init(&[u], dt, dev)?;
                let f = Tensor::ones(&[u], dt, dev)?;
                let co = self.bias_initializer.init(&[2 * u], dt, dev)?;
                Tensor::concat(&[&i, &f, &co], 0)?
            } else {
                self.bias_initializer.init(&self.bias_shape(), dt, dev)?
            };
            self.bias = Some(Variable::new(path("bias"), b));
        }
        Ok(())
    }

    fn not_built(&self) -> Error {
        Error::NotReady(format!(
            "{} is not built: call build(input_shape) or build the model",
            self.label()
        ))
    }

    /// A dropout mask of shape `shape` (scaled by `1 / (1 - rate)`), like
    /// Keras' `DropoutRNNCell`: one mask for every step of the sequence.
    fn drop_mask(&self, rate: f64, shape: &[usize], like: &Tensor) -> Result<Option<Tensor>> {
        if rate == 0.0 {
            return Ok(None);
        }
        let ones = Tensor::ones(shape, like.dtype(), &like.device())?;
        Ok(Some(nn::dropout(&ones, rate, self.seed)?))
    }

    pub(crate) fn call(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        let kernel = self.kernel.as_ref().ok_or_else(|| self.not_built())?;
        let rk = self.recurrent_kernel.as_ref().ok_or_else(|| self.not_built())?;
        let Some(x) = inputs.first() else {
            return Err(Error::arg(format!("{} needs an input sequence", self.label())));
        };
        let f = kernel.shape()[0];
        if x.rank() != 3 || x.shape()[2] != f {
            return Err(Error::shape(format!(
                "{} expects input of shape (batch, timesteps, features) = (batch, timesteps, {f}), got {}",
                self.label(),
                shape_str(x.shape())
            )));
        }
        let states = self.kind.states();
        if inputs.len() != 1 && inputs.len() != 1 + states {
            return Err(Error::arg(format!(
                "{} takes the sequences and {states} initial state(s), got {} inputs",
                self.label(),
                inputs.len()
            )));
        }
        // Keras casts inputs to the layer's dtype.
        let cast = |t: &Tensor| -> Result<Tensor> {
            Ok(if t.dtype() == kernel.dtype() {
                t.clone()
            } else {
                t.cast(kernel.dtype())?
            })
        };
        let x = cast(x)?;
        let batch = x.shape()[0];
        let (dropout_mask, recurrent_dropout_mask) = if args.training {
            (
                self.drop_mask(self.dropout, &[batch, f], &x)?,
                self.drop_mask(self.recurrent_dropout, &[batch, self.units], &x)?,
            )
        } else {
            (None, None)
        };
        let opts = nn::RnnOptions {
            activation: rnn_activation(self.activation),
            recurrent_activation: rnn_activation(self.recurrent_activation),
            return_sequences: self.return_sequences,
            go_backwards: self.go_backwards,
            zero_output_for_mask: self.zero_output_for_mask,
            mask: args.mask(0).cloned(),
            initial_state: self.initial_states(&inputs[1..], x.shape()[0], &cast)?,
            dropout_mask,
            recurrent_dropout_mask,
            ..Default::default()
        };
        let bias = self.bias.as_ref().map(|b| b.as_ref());
        let run = match self.kind {
            Kind::SimpleRnn => nn::simple_rnn(&x, kernel, rk, bias, &opts),
            Kind::Lstm => nn::lstm(&x, kernel, rk, bias, &opts),
            Kind::Gru { reset_after } => nn::gru(&x, kernel, rk, bias, reset_after, &opts),
        };
        let out = run.map_err(|e| Error::arg(format!("{}: {e}", self.label())))?;
        if self.stateful {
            // The next batch starts from these states (values only: no
            // gradient flows across batches, as in Keras).
            self.carried
                .set(Some(out.states.iter().map(Tensor::stop_gradient).collect()));
        }
        let mut outs = vec![out.output];
        if self.return_state {
            outs.extend(out.states);
        }
        Ok(outs)
    }

    /// The initial states: the ones given as inputs, else (stateful) the
    /// ones carried from the previous batch, else none (zeros).
    fn initial_states(
        &self,
        given: &[Tensor],
        batch: usize,
        cast: &dyn Fn(&Tensor) -> Result<Tensor>,
    ) -> Result<Vec<Tensor>> {
        if !given.is_empty() || !self.stateful {
            return given.iter().map(cast).collect();
        }
        match self.carried.get() {
            Some(states) if states.first().is_some_and(|h| h.shape()[0] != batch) => Err(Error::shape(format!(
                "{} is stateful and carries states for batches of {}, got a batch of {batch}; a stateful \
                 layer needs the same batch size every call (Keras' fixed batch_size), or call reset_states()",
                self.label(),
                states[0].shape()[0]
            ))),
            Some(states) => Ok(states),
            None => Ok(Vec::new()),
        }
    }

    /// Forgets the carried states (Keras' `reset_states`).
    pub(crate) fn reset_states(&self) {
        self.carried.set(None);
    }

    pub(crate) fn output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        let Some(first) = input_shapes.first() else {
            return Err(Error::arg(format!("{} needs an input sequence", self.label())));
        };
        self.features(first)?;
        let out = if self.return_sequences {
            vec![first[0], self.units]
        } else {
            vec![self.units]
        };
        let mut shapes = vec![out];
        if self.return_state {
            shapes.extend(std::iter::repeat_n(vec![self.units], self.kind.states()));
        }
        Ok(shapes)
    }

    pub(crate) fn output_masks(&self, masks: &[Option<Tensor>]) -> Vec<Option<Tensor>> {
        let seq = if self.return_sequences {
            masks.first().cloned().flatten()
        } else {
            None
        };
        let mut out = vec![seq];
        if self.return_state {
            out.extend(std::iter::repeat_n(None, self.kind.states()));
        }
        out
    }

    pub(crate) fn trainable_weights(&self) -> Vec<Variable> {
        [&self.kernel, &self.recurrent_kernel, &self.bias]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }

    pub(crate) fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        for v in [&mut self.kernel, &mut self.recurrent_kernel, &mut self.bias]
            .into_iter()
            .flatten()
        {
            f(v)?;
        }
        Ok(())
    }

    /// Keras 3 saves the weights under the layer's cell:
    /// `cell/vars/0..2` (kernel, recurrent_kernel, bias).
    pub(crate) fn saved_weights(&self) -> Vec<(String, Variable)> {
        self.trainable_weights()
            .into_iter()
            .enumerate()
            .map(|(j, w)| (format!("cell/vars/{j}"), w))
            .collect()
    }

    pub(crate) fn regularization_loss(&self) -> Result<Option<Tensor>> {
        crate::regularizers::total_penalty([
            (&self.kernel_regularizer, self.kernel.as_ref()),
            (&self.recurrent_regularizer, self.recurrent_kernel.as_ref()),
            (&self.bias_regularizer, self.bias.as_ref()),
        ])
    }

    pub(crate) fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    /// The layer's configuration (what `get_config` writes).
    pub(crate) fn config(&self) -> RecurrentConfig {
        RecurrentConfig {
            cell: self.cell_config(),
            sequence: SequenceConfig {
                return_sequences: self.return_sequences,
                return_state: self.return_state,
                go_backwards: self.go_backwards,
                stateful: self.stateful,
                unroll: false,
                zero_output_for_mask: self.zero_output_for_mask,
                input_shape: self.input_shape.clone(),
            },
        }
    }

    /// The config of a cell (`LSTMCell`, ...): the layer's without the
    /// sequence options, as Keras' cells' `get_config`.
    pub(crate) fn cell_config(&self) -> RecurrentCellConfig {
        RecurrentCellConfig {
            name: self.name.clone(),
            trainable: true,
            units: self.units,
            activation: self.activation,
            recurrent_activation: (self.kind != Kind::SimpleRnn).then_some(self.recurrent_activation),
            use_bias: self.use_bias,
            kernel_initializer: self.kernel_initializer,
            recurrent_initializer: self.recurrent_initializer,
            bias_initializer: self.bias_initializer,
            kernel_regularizer: self.kernel_regularizer,
            recurrent_regularizer: self.recurrent_regularizer,
            bias_regularizer: self.bias_regularizer,
            dropout: self.dropout,
            recurrent_dropout: self.recurrent_dropout,
            seed: self.seed,
            unit_forget_bias: (self.kind == Kind::Lstm).then_some(self.unit_forget_bias),
            reset_after: match self.kind {
                Kind::Gru { reset_after } => Some(reset_after),
                _ => None,
            },
        }
    }

    /// The layer of class `kind` a config describes (a GRU's `reset_after`
    /// comes from the config; `unroll` must be false; bad rates are
    /// reported by `build`).
    pub(crate) fn from_recurrent_config(kind: Kind, c: RecurrentConfig) -> Result<Self> {
        let s = c.sequence;
        let mut l = Recurrent::from_cell_config(kind, c.cell)?;
        if s.unroll {
            return Err(Error::arg(format!(
                "{} {:?}: unroll=True is not supported",
                kind.class_name(),
                l.name
            )));
        }
        l.return_sequences = s.return_sequences;
        l.return_state = s.return_state;
        l.go_backwards = s.go_backwards;
        l.stateful = s.stateful;
        l.zero_output_for_mask = s.zero_output_for_mask;
        l.input_shape = s.input_shape;
        Ok(l)
    }

    /// The cell options of a layer of class `kind` from a config (the
    /// sequence options keep their defaults).
    pub(crate) fn from_cell_config(kind: Kind, c: RecurrentCellConfig) -> Result<Self> {
        let class = kind.class_name();
        if c.units == 0 {
            return Err(Error::arg(format!(
                "{class} config needs \"units\" (a positive integer)"
            )));
        }
        let kind = match kind {
            Kind::Gru { .. } => Kind::Gru {
                reset_after: c.reset_after.unwrap_or(true),
            },
            k => k,
        };
        let name = if c.name.is_empty() {
            super::unique_name(&default_base(kind))
        } else {
            c.name
        };
        let mut l = Recurrent::new(kind, name, c.units);
        l.set_activation(c.activation);
        if let Some(a) = c.recurrent_activation {
            l.set_recurrent_activation(a);
        }
        l.use_bias = c.use_bias;
        l.unit_forget_bias = c.unit_forget_bias.unwrap_or(true);
        l.set_dropout(false, c.dropout);
        l.set_dropout(true, c.recurrent_dropout);
        l.seed = c.seed;
        l.kernel_initializer = c.kernel_initializer;
        l.recurrent_initializer = c.recurrent_initializer;
        l.bias_initializer = c.bias_initializer;
        l.kernel_regularizer = c.kernel_regularizer;
        l.recurrent_regularizer = c.recurrent_regularizer;
        l.bias_regularizer = c.bias_regularizer;
        Ok(l)
    }
}

/// Keras' automatic name base of each class (`lstm`, `gru`, `simple_rnn`).
pub(crate) fn default_base(kind: Kind) -> String {
    match kind {
        Kind::SimpleRnn => "simple_rnn",
        Kind::Lstm => "lstm",
        Kind::Gru { .. } => "gru",
    }
    .to_string()
}

/// The recurrent ops' form of an activation: the fused kernels' own for
/// tanh, sigmoid, hard_sigmoid, relu and linear, a closure otherwise.
fn rnn_activation(a: Activation) -> nn::Activation {
    match a {
        Activation::Tanh => nn::Activation::Tanh,
        Activation::Sigmoid => nn::Activation::Sigmoid,
        Activation::HardSigmoid => nn::Activation::HardSigmoid,
        Activation::Relu => nn::Activation::Relu,
        Activation::Linear => nn::Activation::Linear,
        other => nn::Activation::custom(other.name(), move |x| {
            other
                .apply(x)
                .map_err(|e| tensorlow::Error::InvalidArgument(e.to_string()))
        }),
    }
}

/// The builder methods a recurrent layer and its cell share (Keras' cell
/// options), delegated to `inner: Recurrent`.
macro_rules! cell_options {
    ($ty:ident) => {
        impl $ty {
            fn set(mut self, f: impl FnOnce(&mut Recurrent)) -> Self {
                f(&mut self.inner);
                self
            }
            /// The cell activation, by name or value (default `tanh`).
            pub fn activation(self, a: impl IntoActivation) -> Self {
                self.set(|r| r.set_activation(a))
            }
            /// Whether to add a bias (default true).
            pub fn use_bias(self, use_bias: bool) -> Self {
                self.set(|r| r.use_bias = use_bias)
            }
            /// The kernel's initializer (default `glorot_uniform`).
            pub fn kernel_initializer(self, i: impl IntoInitializer) -> Self {
                self.set(|r| r.set_initializer(0, i))
            }
            /// The recurrent kernel's initializer (default `orthogonal`).
            pub fn recurrent_initializer(self, i: impl IntoInitializer) -> Self {
                self.set(|r| r.set_initializer(1, i))
            }
            /// The bias' initializer (default `zeros`).
            pub fn bias_initializer(self, i: impl IntoInitializer) -> Self {
                self.set(|r| r.set_initializer(2, i))
            }
            /// A penalty on the kernel (default none).
            pub fn kernel_regularizer(self, reg: impl IntoRegularizer) -> Self {
                self.set(|r| r.set_regularizer(0, reg))
            }
            /// A penalty on the recurrent kernel (default none).
            pub fn recurrent_regularizer(self, reg: impl IntoRegularizer) -> Self {
                self.set(|r| r.set_regularizer(1, reg))
            }
            /// A penalty on the bias (default none).
            pub fn bias_regularizer(self, reg: impl IntoRegularizer) -> Self {
                self.set(|r| r.set_regularizer(2, reg))
            }
            /// The fraction of the inputs dropped in training (default 0;
            /// one mask for the whole sequence).
            pub fn dropout(self, rate: f64) -> Self {
                self.set(|r| r.set_dropout(false, rate))
            }
            /// The fraction of the recurrent state dropped in training
            /// (default 0).
            pub fn recurrent_dropout(self, rate: f64) -> Self {
                self.set(|r| r.set_dropout(true, rate))
            }
            /// Fixes the dropout masks' sequence.
            pub fn seed(self, seed: u64) -> Self {
                self.set(|r| r.seed = Some(seed))
            }
            /// Replaces the automatic name.
            pub fn name(self, name: impl Into<String>) -> Self {
                self.set(|r| r.name = name.into())
            }
            /// The number of units.
            pub fn units(&self) -> usize {
                self.inner.units
            }
            /// The kernel `(features, gates * units)`, once built.
            pub fn kernel(&self) -> Option<&Variable> {
                self.inner.kernel.as_ref()
            }
            /// The recurrent kernel `(units, gates * units)`, once built.
            pub fn recurrent_kernel(&self) -> Option<&Variable> {
                self.inner.recurrent_kernel.as_ref()
            }
            /// The bias, once built (and if `use_bias`).
            pub fn bias(&self) -> Option<&Variable> {
                self.inner.bias.as_ref()
            }
        }
    };
}
pub(crate) use cell_options;

/// The sequence builder methods of the recurrent layers and `RNN` (Keras'
/// names and defaults), on a type whose `set(f)` applies `f` to a value
/// with these fields.
macro_rules! sequence_options {
    ($ty:ident) => {
        impl $ty {
            /// Return every step's output `(batch, timesteps, units)`
            /// (default false: the last, `(batch, units)`).
            pub fn return_sequences(self, yes: bool) -> Self {
                self.set(|r| r.return_sequences = yes)
            }
            /// Also return the final states (default false).
            pub fn return_state(self, yes: bool) -> Self {
                self.set(|r| r.return_state = yes)
            }
            /// Process the sequence backwards; the output sequence is then
            /// in the order processed, last step first (default false).
            pub fn go_backwards(self, yes: bool) -> Self {
                self.set(|r| r.go_backwards = yes)
            }
            /// Carry the final states of each batch into the next one (Keras'
            /// `stateful`; every batch must then have the same size) until
            /// `reset_states` (default false).
            pub fn stateful(self, yes: bool) -> Self {
                self.set(|r| r.stateful = yes)
            }
            /// Output zeros at masked steps instead of the carried state
            /// (default false).
            pub fn zero_output_for_mask(self, yes: bool) -> Self {
                self.set(|r| r.zero_output_for_mask = yes)
            }
            /// Declares the input shape `(timesteps, features)` without batch.
            pub fn input_shape(self, shape: &[usize]) -> Self {
                self.set(|r| r.input_shape = Some(shape.to_vec()))
            }
        }
    };
}
pub(crate) use sequence_options;

/// The builder methods and the [`Layer`](super::Layer) impl every
/// recurrent layer shares, delegated to its `inner: Recurrent`.
macro_rules! recurrent_layer {
    ($ty:ident) => {
        $crate::layers::recurrent::cell_options!($ty);
        $crate::layers::recurrent::sequence_options!($ty);

        impl $ty {
            pub(crate) fn recurrent(&self) -> &Recurrent {
                &self.inner
            }
        }

        impl Layer for $ty {
            fn name(&self) -> &str {
                &self.inner.name
            }
            fn class_name(&self) -> &'static str {
                self.inner.kind.class_name()
            }
            fn built(&self) -> bool {
                self.inner.kernel.is_some()
            }
            fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
                self.inner.build(&[input_shape.to_vec()], ctx)
            }
            fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
                let mut outs = self
                    .inner
                    .call(std::slice::from_ref(x), &CallArgs::new(training))?;
                Ok(outs.swap_remove(0))
            }
            fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
                let mut s = self.inner.output_shapes(&[input_shape.to_vec()])?;
                Ok(s.swap_remove(0))
            }
            fn build_multi(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
                self.inner.build(input_shapes, ctx)
            }
            fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
                self.inner.call(inputs, args)
            }
            fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
                self.inner.output_shapes(input_shapes)
            }
            fn compute_mask(&self, _x: &Tensor, mask: Option<&Tensor>) -> Result<Option<Tensor>> {
                Ok(self.inner.output_masks(&[mask.cloned()]).swap_remove(0))
            }
            fn compute_masks(&self, _inputs: &[Tensor], masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
                Ok(self.inner.output_masks(masks))
            }
            fn trainable_weights(&self) -> Vec<Variable> {
                self.inner.trainable_weights()
            }
            fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
                self.inner.visit_weights_mut(f)
            }
            fn saved_weights(&self) -> Vec<(String, Variable)> {
                self.inner.saved_weights()
            }
            fn regularization_loss(&self) -> Result<Option<Tensor>> {
                self.inner.regularization_loss()
            }
            fn get_config(&self) -> serde_json::Value {
                self.inner.get_config()
            }
            fn config_error(&self) -> Option<String> {
                self.inner.config_error.clone()
            }
            fn declared_input_shape(&self) -> Option<Vec<usize>> {
                self.inner.input_shape.clone()
            }
            fn reset_states(&self) -> Result<()> {
                self.inner.reset_states();
                Ok(())
            }
        }
    };
}
pub(crate) use recurrent_layer;

/// The options of a recurrent cell in a Keras file (Keras 3.15's
/// `LSTMCell`/`GRUCell`/`SimpleRNNCell` `get_config()` keys), which the
/// `LSTM`, `GRU` and `SimpleRNN` layers have too.
pub(crate) const CELL_KERAS_OPTIONS: &[(&str, Opt)] = &[
    ("units", Opt::Used),
    ("activation", Opt::Activation),
    ("recurrent_activation", Opt::Activation),
    ("use_bias", Opt::Used),
    ("unit_forget_bias", Opt::Used),
    ("reset_after", Opt::Used),
    ("kernel_initializer", Opt::Init),
    ("recurrent_initializer", Opt::Init),
    ("bias_initializer", Opt::Init),
    ("kernel_regularizer", Opt::Regularizer),
    ("recurrent_regularizer", Opt::Regularizer),
    ("bias_regularizer", Opt::Regularizer),
    ("kernel_constraint", Opt::Null),
    ("recurrent_constraint", Opt::Null),
    ("bias_constraint", Opt::Null),
    ("dropout", Opt::Used),
    ("recurrent_dropout", Opt::Used),
    ("seed", Opt::Used),
];

/// The sequence options of the `LSTM`, `GRU` and `SimpleRNN` layers in a
/// Keras file (besides [`CELL_KERAS_OPTIONS`]).
pub(crate) const SEQUENCE_KERAS_OPTIONS: &[(&str, Opt)] = &[
    ("return_sequences", Opt::Used),
    ("return_state", Opt::Used),
    ("go_backwards", Opt::Used),
    ("zero_output_for_mask", Opt::Used),
    ("stateful", Opt::Used),
    // Unrolling changes how the loop is compiled, not the numbers.
    ("unroll", Opt::Init),
];
