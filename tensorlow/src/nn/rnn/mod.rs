//! Recurrent networks over whole sequences: [`lstm`], [`gru`] and
//! [`simple_rnn`], with Keras 3's math, gate orders and weight layouts, so
//! Keras' `LSTM`/`GRU`/`SimpleRNN` layers (and their weights) map onto
//! them one to one.
//!
//! Each op takes the input sequence `(batch, timesteps, features)`, the
//! `kernel` `(features, gates * units)`, the `recurrent_kernel`
//! `(units, gates * units)` and an optional bias, plus [`RnnOptions`]
//! (activations, masks, initial states, dropout masks, `go_backwards`,
//! `return_sequences`). It computes the input projection of every time
//! step as one matmul, then runs the recurrence:
//!
//! - **Fused** (CPU, `f32`/`f64`, activations among tanh, sigmoid,
//!   hard_sigmoid, relu and linear): one op for the whole recurrence,
//!   per step one `h @ recurrent_kernel` product and one pass over the
//!   gates into buffers allocated once (`crate::cpu::rnn`); its backward
//!   pass (back-propagation through time) is fused the same way.
//! - **Composite** (other devices, custom activations, or
//!   [`RnnImplementation::Composite`]): the same formulas op by op, each
//!   op recorded on the tape as usual.
//!
//! The two agree to rounding. **Higher-order gradients**: when a tape
//! records while the fused op's backward rule runs (nested tapes), the
//! rule does not use the fused backward kernel (whose result no tape could
//! differentiate) but re-runs the composite formulation on the op's inputs
//! under an inner tape and returns its vector-Jacobian product: those ops
//! are recorded by the outer tape, so the gradient differentiates again.
//! First-order gradients always take the fused backward pass.
//!
//! **Masks** follow Keras 3 (its JAX and NumPy backends): at a masked step
//! (mask 0 for a batch row) the states are carried over and the output is
//! the carried `h`, or zeros with `zero_output_for_mask` (Keras sets that
//! for the layers inside `Bidirectional` that return sequences).
//! TensorFlow's backend differs in one corner: there, masked steps before
//! the first unmasked one output zeros even when an initial state is
//! given.
//!
//! ```
//! use tensorlow::{nn, random, DType, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let (batch, time, features, units) = (2, 5, 3, 4);
//! let x = random::normal(&[batch, time, features], 0.0, 1.0, DType::F32, Some(1))?;
//! let kernel = random::normal(&[features, 4 * units], 0.0, 0.3, DType::F32, Some(2))?;
//! let recurrent = random::normal(&[units, 4 * units], 0.0, 0.3, DType::F32, Some(3))?;
//! let bias = Tensor::zeros(&[4 * units], DType::F32, &x.device())?;
//! let out = nn::lstm(&x, &kernel, &recurrent, Some(&bias), &nn::RnnOptions::default())?;
//! assert_eq!(out.output.shape(), &[batch, units]); // the last output
//! assert_eq!(out.states.len(), 2);                 // [h, c], as Keras' return_state
//! let seq = nn::RnnOptions { return_sequences: true, ..Default::default() };
//! let all = nn::lstm(&x, &kernel, &recurrent, Some(&bias), &seq)?;
//! assert_eq!(all.output.shape(), &[batch, time, units]);
//! # Ok(()) }
//! ```

mod activation;
mod common;
mod composite;
mod gru;
mod lstm;
mod pick;
mod simple_rnn;

pub use activation::Activation;
pub use gru::gru;
pub use lstm::lstm;
pub use simple_rnn::simple_rnn;

use crate::Tensor;

/// Which implementation of the recurrence to run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RnnImplementation {
    /// The fused CPU kernels where they apply (CPU, `f32`/`f64`, built-in
    /// activations), the composite ops elsewhere (the default).
    #[default]
    Fused,
    /// Always the op-by-op formulation (for comparisons and debugging).
    Composite,
}

/// Options of [`lstm`], [`gru`] and [`simple_rnn`], with Keras' names and
/// defaults. Masks are taken as given: `0` drops, anything else keeps.
#[derive(Clone, Debug)]
pub struct RnnOptions {
    /// The cell activation (Keras' `activation`, default tanh).
    pub activation: Activation,
    /// The gates' activation (Keras' `recurrent_activation`, default
    /// sigmoid; unused by [`simple_rnn`]).
    pub recurrent_activation: Activation,
    /// Return the output of every step `(batch, timesteps, units)` instead
    /// of the last one `(batch, units)`.
    pub return_sequences: bool,
    /// Process the sequence from its last step to its first; the output
    /// sequence is then in processing order (reversed), as in Keras.
    pub go_backwards: bool,
    /// Output zeros (instead of the carried state) at masked steps.
    pub zero_output_for_mask: bool,
    /// Which steps each sequence uses, `(batch, timesteps)`.
    pub mask: Option<Tensor>,
    /// Initial states, each `(batch, units)`: `[h, c]` for the LSTM, `[h]`
    /// otherwise; zeros when empty.
    pub initial_state: Vec<Tensor>,
    /// Input dropout, multiplying `x` at every step: `(batch, features)`,
    /// or `(gates, batch, features)` with one mask per gate (Keras'
    /// `implementation=1`, used when `recurrent_dropout` is set).
    pub dropout_mask: Option<Tensor>,
    /// Recurrent dropout, multiplying `h` inside the recurrent products:
    /// `(batch, units)` or `(gates, batch, units)`.
    pub recurrent_dropout_mask: Option<Tensor>,
    /// Fused kernels or composite ops.
    pub implementation: RnnImplementation,
}

impl Default for RnnOptions {
    fn default() -> Self {
        RnnOptions {
            activation: Activation::Tanh,
            recurrent_activation: Activation::Sigmoid,
            return_sequences: false,
            go_backwards: false,
            zero_output_for_mask: false,
            mask: None,
            initial_state: Vec::new(),
            dropout_mask: None,
            recurrent_dropout_mask: None,
            implementation: RnnImplementation::Fused,
        }
    }
}

/// What a recurrent op returns.
#[derive(Clone, Debug)]
pub struct RnnOutput {
    /// The last output `(batch, units)`, or every output
    /// `(batch, timesteps, units)` with `return_sequences`.
    pub output: Tensor,
    /// The final states, each `(batch, units)`: `[h, c]` for the LSTM,
    /// `[h]` otherwise (what Keras' `return_state` appends).
    pub states: Vec<Tensor>,
}
