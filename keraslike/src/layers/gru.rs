//! `GRU`: gated recurrent unit over a sequence (`keras.layers.GRU`),
//! Keras 3's math and weights: `kernel (features, 3 units)`,
//! `recurrent_kernel (units, 3 units)`, gates in the order z, r, h, and
//! with `reset_after` (Keras 3's default) the reset gate applied after the
//! recurrent product and `bias (2, 3 units)` (input and recurrent biases);
//! without it `bias (3 units)`. Runs [`tensorlow::nn::gru`].
//!
//! ```
//! use keraslike::layers::{BuildContext, Layer, GRU};
//! use tensorlow::{DType, Device, Tensor};
//! # fn main() -> keraslike::Result<()> {
//! let mut gru = GRU::new(4);
//! gru.build(&[6, 3], &BuildContext::default())?;
//! assert_eq!(gru.weights()[2].shape(), &[2, 12]); // bias with reset_after
//! let y = gru.call(&Tensor::zeros(&[2, 6, 3], DType::F32, &Device::cpu())?, false)?;
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

/// A GRU layer; configure it with the builder methods (Keras' names and
/// defaults).
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone)]
pub struct GRU {
    inner: Recurrent,
}

impl GRU {
    /// `units` units, tanh / sigmoid, `reset_after`, Keras' initializers.
    /// Named `gru`, `gru_1`, ...
    pub fn new(units: usize) -> Self {
        let kind = Kind::Gru { reset_after: true };
        GRU {
            inner: Recurrent::new(kind, unique_name(&default_base(kind)), units),
        }
    }

    /// The gates' activation (default `sigmoid`).
    pub fn recurrent_activation(self, a: impl IntoActivation) -> Self {
        self.set(|r| r.set_recurrent_activation(a))
    }

    /// Apply the reset gate after the recurrent product (default true,
    /// Keras 3's and cuDNN's form; bias `(2, 3 units)`), or before it.
    pub fn reset_after(self, yes: bool) -> Self {
        self.set(|r| r.kind = Kind::Gru { reset_after: yes })
    }
}

recurrent_layer!(GRU);

impl FromConfig for GRU {
    const CLASS_NAME: &'static str = "GRU";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KerasOptions::new(SEQUENCE_KERAS_OPTIONS).with(CELL_KERAS_OPTIONS));

    fn from_config(c: &Value) -> Result<Self> {
        Self::from_recurrent_config(parse_config("GRU", c)?)
    }
}

impl GRU {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> RecurrentConfig {
        self.inner.config()
    }

    /// A layer from its configuration: `units` is required and `unroll`
    /// must be false; bad values are reported by `build`.
    pub fn from_recurrent_config(c: RecurrentConfig) -> Result<Self> {
        Ok(GRU {
            inner: Recurrent::from_recurrent_config(Kind::Gru { reset_after: true }, c)?,
        })
    }
}
