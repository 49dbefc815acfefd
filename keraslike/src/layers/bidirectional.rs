//! `Bidirectional`: a recurrent layer run forwards and backwards over the
//! same sequence, the two outputs merged (`keras.layers.Bidirectional`).
//!
//! As in Keras, the wrapped layer's configuration is copied into
//! `forward_<name>` and `backward_<name>` (`go_backwards=True`), each with
//! its own weights (forward's first), and layers that return sequences
//! output zeros at masked steps. With `return_sequences` the backward
//! output is flipped back to time order before merging. `merge_mode` is
//! `"concat"` (default), `"sum"`, `"mul"`, `"ave"` or `None`
//! ([`Bidirectional::no_merge`], two outputs). With `return_state` the
//! outputs are followed by the forward then the backward states.
//!
//! ```
//! use keraslike::layers::{Bidirectional, BuildContext, Layer, LSTM};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut bi = Bidirectional::new(LSTM::new(3).return_sequences(true));
//! bi.build(&[5, 2], &BuildContext::default())?;
//! let y = bi.call(&Tensor::ones(&[4, 5, 2], DType::F32, &Device::cpu())?, false)?;
//! assert_eq!(y.shape(), &[4, 5, 6]); // concat of the two directions
//! assert_eq!(bi.weights().len(), 6);
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::recurrent::{Kind, Recurrent};
use super::registry::parse_config;
use super::{unique_name, BuildContext, CallArgs, FromConfig, Layer, SimpleRNN, GRU, LSTM};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Bidirectional's configuration with Keras' field names and defaults
/// (`Bidirectional.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it. The wrapped layers are kept as
/// Keras serializes them.
///
/// ```
/// use keraslike::layers::{Bidirectional, BidirectionalConfig, FromConfig, Layer, LSTM};
/// let bi = Bidirectional::new(LSTM::new(4).name("l")).name("bi");
/// let cfg: BidirectionalConfig = serde_json::from_value(bi.get_config()).unwrap();
/// assert_eq!((cfg.merge_mode.as_deref(), cfg.layer["class_name"].as_str()), (Some("concat"), Some("LSTM")));
/// let no_merge = BidirectionalConfig { merge_mode: None, ..cfg };
/// assert!(Bidirectional::from_bidirectional_config(no_merge).unwrap().get_config()["merge_mode"].is_null());
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BidirectionalConfig {
    /// The layer's name (a fresh `bidirectional_N` when empty).
    pub name: String,
    /// Written as true; ignored when read (the model keeps the flag).
    pub trainable: bool,
    /// `"concat"` (the default when missing), `"sum"`, `"mul"`, `"ave"`, or
    /// `null`: two outputs.
    pub merge_mode: Option<String>,
    /// The wrapped `LSTM`, `GRU` or `SimpleRNN`, `{"class_name", "config"}` (required).
    pub layer: Value,
    /// The backward copy, as written (keraslike builds it from `layer`
    /// with `go_backwards` flipped; ignored when read).
    pub backward_layer: Value,
}

impl Default for BidirectionalConfig {
    fn default() -> Self {
        BidirectionalConfig {
            name: String::new(),
            trainable: true,
            merge_mode: Some("concat".into()),
            layer: Value::Null,
            backward_layer: Value::Null,
        }
    }
}
use tensorlow::{Tensor, Variable};

/// How the two directions' outputs are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MergeMode {
    /// Concatenated along the last axis (Keras' default).
    Concat,
    /// Added.
    Sum,
    /// Multiplied.
    Mul,
    /// Averaged.
    Ave,
    /// Not merged: two outputs.
    None,
}

impl MergeMode {
    fn name(self) -> Option<&'static str> {
        match self {
            MergeMode::Concat => Some("concat"),
            MergeMode::Sum => Some("sum"),
            MergeMode::Mul => Some("mul"),
            MergeMode::Ave => Some("ave"),
            MergeMode::None => None,
        }
    }
}

/// A recurrent layer `Bidirectional` can wrap: an [`LSTM`], [`GRU`] or
/// [`SimpleRNN`] (`From` each).
#[derive(Debug, Clone)]
pub struct Wrapped(Recurrent);

impl From<LSTM> for Wrapped {
    fn from(l: LSTM) -> Self {
        Wrapped(l.recurrent().clone())
    }
}
impl From<GRU> for Wrapped {
    fn from(l: GRU) -> Self {
        Wrapped(l.recurrent().clone())
    }
}
impl From<SimpleRNN> for Wrapped {
    fn from(l: SimpleRNN) -> Self {
        Wrapped(l.recurrent().clone())
    }
}

/// A bidirectional wrapper of an `LSTM`, `GRU` or `SimpleRNN`.
#[derive(Debug, Clone)]
pub struct Bidirectional {
    name: String,
    merge_mode: MergeMode,
    forward: Recurrent,
    backward: Recurrent,
}

impl Bidirectional {
    /// Both directions of `layer`, concatenated. Named `bidirectional`, ...
    pub fn new(layer: impl Into<Wrapped>) -> Self {
        Self::of(layer.into().0, unique_name("bidirectional"))
    }

    fn of(layer: Recurrent, name: String) -> Self {
        let base = layer.name.trim_start_matches("forward_").to_string();
        let mut forward = layer.clone();
        forward.name = format!("forward_{base}");
        let mut backward = layer;
        backward.name = format!("backward_{}", base.trim_start_matches("backward_"));
        backward.go_backwards = true;
        for l in [&mut forward, &mut backward] {
            l.zero_output_for_mask = l.return_sequences;
            l.kernel = None;
            l.recurrent_kernel = None;
            l.bias = None;
        }
        Bidirectional {
            name,
            merge_mode: MergeMode::Concat,
            forward,
            backward,
        }
    }

    /// How the outputs are merged (default [`MergeMode::Concat`]).
    pub fn merge_mode(mut self, mode: MergeMode) -> Self {
        self.merge_mode = mode;
        self
    }

    /// Two outputs instead of one merged (Keras' `merge_mode=None`).
    pub fn no_merge(self) -> Self {
        self.merge_mode(MergeMode::None)
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    fn merged_shape(&self, mut s: Vec<usize>) -> Vec<usize> {
        if self.merge_mode == MergeMode::Concat {
            if let Some(d) = s.last_mut() {
                *d *= 2;
            }
        }
        s
    }
}

impl Layer for Bidirectional {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Bidirectional"
    }

    fn built(&self) -> bool {
        self.forward.kernel.is_some()
    }

    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        self.build_multi(&[input_shape.to_vec()], ctx)
    }

    fn build_multi(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        let seq = input_shapes.first().cloned().into_iter().collect::<Vec<_>>();
        self.forward.build(&seq, ctx)?;
        self.backward.build(&seq, ctx)
    }

    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let mut outs = self.call_multi(std::slice::from_ref(x), &CallArgs::new(training))?;
        if outs.len() != 1 {
            return Err(Error::arg(format!(
                "Bidirectional {:?} returns {} tensors; use call_multi",
                self.name,
                outs.len()
            )));
        }
        Ok(outs.remove(0))
    }

    fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        let Some(x) = inputs.first() else {
            return Err(Error::arg(format!(
                "Bidirectional {:?} needs an input sequence",
                self.name
            )));
        };
        let states = &inputs[1..];
        let n = self.forward.kind.states();
        if !states.is_empty() && states.len() != 2 * n {
            return Err(Error::arg(format!(
                "Bidirectional {:?} takes the sequences and {} initial states (forward's, then backward's), got {}",
                self.name,
                2 * n,
                states.len()
            )));
        }
        let with = |s: &[Tensor]| -> Vec<Tensor> { std::iter::once(x.clone()).chain(s.iter().cloned()).collect() };
        let (fs, bs) = if states.is_empty() {
            (&states[..0], &states[..0])
        } else {
            states.split_at(n)
        };
        let mut y = self.forward.call(&with(fs), args)?;
        let mut y_rev = self.backward.call(&with(bs), args)?;
        let (yf, yb) = (y.remove(0), y_rev.remove(0));
        let yb = if self.forward.return_sequences {
            let t = yb.shape()[1];
            let rev: Vec<i64> = (0..t as i64).rev().collect();
            yb.gather(&Tensor::from_vec(rev, &[t], &yb.device())?, 1)?
        } else {
            yb
        };
        let mut outs = match self.merge_mode {
            MergeMode::Concat => vec![Tensor::concat(&[&yf, &yb], -1)?],
            MergeMode::Sum => vec![yf.add(&yb)?],
            MergeMode::Mul => vec![yf.mul(&yb)?],
            MergeMode::Ave => vec![yf.add(&yb)?.affine(0.5, 0.0)?],
            MergeMode::None => vec![yf, yb],
        };
        outs.extend(y);
        outs.extend(y_rev);
        Ok(outs)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(self.compute_output_shapes(&[input_shape.to_vec()])?.remove(0))
    }

    fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        let mut f = self.forward.output_shapes(&input_shapes[..input_shapes.len().min(1)])?;
        let out = f.remove(0);
        let mut shapes = match self.merge_mode {
            MergeMode::None => vec![out.clone(), out],
            _ => vec![self.merged_shape(out)],
        };
        shapes.extend(f.iter().cloned());
        shapes.extend(f);
        Ok(shapes)
    }

    fn compute_mask(&self, _x: &Tensor, mask: Option<&Tensor>) -> Result<Option<Tensor>> {
        Ok(if self.forward.return_sequences {
            mask.cloned()
        } else {
            None
        })
    }

    fn compute_masks(&self, _inputs: &[Tensor], masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        let m = if self.forward.return_sequences {
            masks.first().cloned().flatten()
        } else {
            None
        };
        let outputs = if self.merge_mode == MergeMode::None { 2 } else { 1 };
        let mut out = vec![m; outputs];
        if self.forward.return_state {
            out.extend(std::iter::repeat_n(None, 2 * self.forward.kind.states()));
        }
        Ok(out)
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        let mut w = self.forward.trainable_weights();
        w.extend(self.backward.trainable_weights());
        w
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        self.forward.visit_weights_mut(f)?;
        self.backward.visit_weights_mut(f)
    }

    /// Keras 3's layout: `forward_layer/cell/vars/j`, then `backward_layer/...`.
    fn saved_weights(&self) -> Vec<(String, Variable)> {
        let nest = |dir: &str, r: &Recurrent| {
            r.saved_weights()
                .into_iter()
                .map(|(p, v)| (format!("{dir}/{p}"), v))
                .collect::<Vec<_>>()
        };
        let mut w = nest("forward_layer", &self.forward);
        w.extend(nest("backward_layer", &self.backward));
        w
    }

    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        match (
            self.forward.regularization_loss()?,
            self.backward.regularization_loss()?,
        ) {
            (Some(a), Some(b)) => Ok(Some(a.add(&b)?)),
            (a, b) => Ok(a.or(b)),
        }
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn config_error(&self) -> Option<String> {
        self.forward.config_error.clone()
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.forward.input_shape.clone()
    }
}

impl FromConfig for Bidirectional {
    const CLASS_NAME: &'static str = "Bidirectional";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Bidirectional::from_bidirectional_config(parse_config("Bidirectional", c)?)
    }
}

impl Bidirectional {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> BidirectionalConfig {
        let inner = |r: &Recurrent| json!({"class_name": r.kind.class_name(), "config": r.get_config()});
        BidirectionalConfig {
            name: self.name.clone(),
            trainable: true,
            merge_mode: self.merge_mode.name().map(str::to_string),
            layer: inner(&self.forward),
            backward_layer: inner(&self.backward),
        }
    }

    /// A layer from its configuration: the wrapped layer is required (an
    /// `LSTM`, `GRU` or `SimpleRNN`, not stateful).
    pub fn from_bidirectional_config(c: BidirectionalConfig) -> Result<Self> {
        if c.layer.is_null() {
            return Err(Error::arg("Bidirectional config needs \"layer\" (the wrapped recurrent layer)"));
        }
        let class = c.layer.get("class_name").and_then(Value::as_str).unwrap_or("");
        let kind = match class {
            "LSTM" => Kind::Lstm,
            "GRU" => Kind::Gru { reset_after: true },
            "SimpleRNN" => Kind::SimpleRnn,
            other => {
                return Err(Error::arg(format!(
                    "Bidirectional wraps LSTM, GRU or SimpleRNN, got {other:?}"
                )))
            }
        };
        let merge_mode = match c.merge_mode.as_deref() {
            None => MergeMode::None,
            Some("concat") => MergeMode::Concat,
            Some("sum") => MergeMode::Sum,
            Some("mul") => MergeMode::Mul,
            Some("ave") => MergeMode::Ave,
            Some(other) => {
                return Err(Error::arg(format!(
                    "Bidirectional: merge_mode must be \"concat\", \"sum\", \"mul\", \"ave\" or null, got {other:?}"
                )))
            }
        };
        let lc = parse_config(class, c.layer.get("config").unwrap_or(&Value::Null))?;
        let lc: super::RecurrentConfig = lc;
        if lc.sequence.stateful {
            return Err(Error::arg(
                "Bidirectional: a stateful wrapped layer (stateful=True) is not supported; use stateful=False",
            ));
        }
        let name = if c.name.is_empty() { unique_name("bidirectional") } else { c.name };
        Ok(Bidirectional::of(Recurrent::from_recurrent_config(kind, lc)?, name).merge_mode(merge_mode))
    }
}

/// Keras 3.15's `Bidirectional.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("merge_mode", Opt::Used),
    ("layer", Opt::Wrapped),
    ("backward_layer", Opt::Wrapped),
]);
