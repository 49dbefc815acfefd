//! `SimpleRNN`: `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel
//! + bias)` over a sequence (`keras.layers.SimpleRNN`), with Keras'
//! weights `kernel (features, units)`, `recurrent_kernel (units, units)`,
//! `bias (units)`. Runs [`tensorlow::nn::simple_rnn`].
//!
//! ```
//! use keraslike::layers::{BuildContext, Layer, SimpleRNN};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut rnn = SimpleRNN::new(4).activation("relu");
//! rnn.build(&[6, 3], &BuildContext::default())?;
//! let y = rnn.call(&Tensor::zeros(&[2, 6, 3], DType::F32, &Device::cpu())?, false)?;
//! assert_eq!(y.shape(), &[2, 4]);
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

/// A fully connected recurrent layer; configure it with the builder
/// methods (Keras' names and defaults).
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone)]
pub struct SimpleRNN {
    inner: Recurrent,
}

impl SimpleRNN {
    /// `units` units, tanh, Keras' initializers. Named `simple_rnn`,
    /// `simple_rnn_1`, ...
    pub fn new(units: usize) -> Self {
        SimpleRNN {
            inner: Recurrent::new(Kind::SimpleRnn, unique_name(&default_base(Kind::SimpleRnn)), units),
        }
    }
}

recurrent_layer!(SimpleRNN);

impl FromConfig for SimpleRNN {
    const CLASS_NAME: &'static str = "SimpleRNN";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(SEQUENCE_KERAS_OPTIONS).with(CELL_KERAS_OPTIONS));

    fn from_config(c: &Value) -> Result<Self> {
        Self::from_recurrent_config(parse_config("SimpleRNN", c)?)
    }
}

impl SimpleRNN {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> RecurrentConfig {
        self.inner.config()
    }

    /// A layer from its configuration: `units` is required and `unroll`
    /// must be false; bad values are reported by `build`.
    pub fn from_recurrent_config(c: RecurrentConfig) -> Result<Self> {
        Ok(SimpleRNN {
            inner: Recurrent::from_recurrent_config(Kind::SimpleRnn, c)?,
        })
    }
}
