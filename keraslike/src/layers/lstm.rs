//! `LSTM`: long short-term memory over a sequence (`keras.layers.LSTM`),
//! Keras 3's math and weights: `kernel (features, 4 units)`,
//! `recurrent_kernel (units, 4 units)`, `bias (4 units)`, gates in the
//! order i, f, c, o; with `unit_forget_bias` (the default) the forget
//! gate's bias starts at one. Runs [`tensorlow::nn::lstm`] (fused on CPU).
//!
//! ```
//! use keraslike::layers::{BuildContext, Layer, LSTM};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut lstm = LSTM::new(4).return_sequences(true);
//! lstm.build(&[6, 3], &BuildContext::default())?;
//! let y = lstm.call(&Tensor::zeros(&[2, 6, 3], DType::F32, &Device::cpu())?, false)?;
//! assert_eq!(y.shape(), &[2, 6, 4]);
//! assert_eq!(lstm.weights()[0].shape(), &[3, 16]); // kernel (features, 4 units)
//! # Ok(()) }
//! ```

use super::KerasOptions;
use super::recurrent::{CELL_KERAS_OPTIONS, SEQUENCE_KERAS_OPTIONS};
use super::recurrent::{default_base, recurrent_layer, Kind, Recurrent, RecurrentConfig};
use super::registry::parse_config;
use super::{unique_name, BuildContext, CallArgs, FromConfig, Layer};
use crate::activations::IntoActivation;
use crate::initializers::IntoInitializer;
use crate::regularizers::IntoRegularizer;
use crate::Result;
use serde_json::Value;
use tensorlow::{Tensor, Variable};

/// An LSTM layer; configure it with the builder methods (Keras' names and
/// defaults).
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone)]
pub struct LSTM {
    inner: Recurrent,
}

impl LSTM {
    /// `units` units, tanh / sigmoid, Keras' initializers. Named `lstm`,
    /// `lstm_1`, ...
    pub fn new(units: usize) -> Self {
        LSTM {
            inner: Recurrent::new(Kind::Lstm, unique_name(&default_base(Kind::Lstm)), units),
        }
    }

    /// The gates' activation (default `sigmoid`).
    pub fn recurrent_activation(self, a: impl IntoActivation) -> Self {
        self.set(|r| r.set_recurrent_activation(a))
    }

    /// Start the forget gate's bias at one (default true), as Keras.
    pub fn unit_forget_bias(self, yes: bool) -> Self {
        self.set(|r| r.unit_forget_bias = yes)
    }
}

recurrent_layer!(LSTM);

impl FromConfig for LSTM {
    const CLASS_NAME: &'static str = "LSTM";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(SEQUENCE_KERAS_OPTIONS).with(CELL_KERAS_OPTIONS));

    fn from_config(c: &Value) -> Result<Self> {
        Self::from_recurrent_config(parse_config("LSTM", c)?)
    }
}

impl LSTM {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> RecurrentConfig {
        self.inner.config()
    }

    /// A layer from its configuration: `units` is required and `unroll`
    /// must be false; bad values are reported by `build`.
    pub fn from_recurrent_config(c: RecurrentConfig) -> Result<Self> {
        Ok(LSTM {
            inner: Recurrent::from_recurrent_config(Kind::Lstm, c)?,
        })
    }
}
