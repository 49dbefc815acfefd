//! Placing a model on a device: [`Sequential::to_device`] and
//! [`Sequential::with_device`].
//!
//! Weights live on the model's device; `fit`, `evaluate` and `predict` move
//! their data there once per call (never per step).
//!
//! ```
//! use keraslike::Sequential;
//! use tensorlow::Device;
//! # fn main() -> keraslike::Result<()> {
//! let model = Sequential::new(vec![]).with_device(Device::cuda_if_available(0))?;
//! println!("model on {}", model.device());
//! # Ok(()) }
//! ```

use super::sequential::Sequential;
use crate::{Error, Result};
use tensorlow::Device;

impl Sequential {
    /// Places the model on `device` (builder style); see [`to_device`](Self::to_device).
    pub fn with_device(mut self, device: Device) -> Result<Self> {
        self.to_device(device)?;
        Ok(self)
    }

    /// Moves the model to `device`: weights are created there (or, for a
    /// built model, recreated there from the layers' configs with the same
    /// values) and `fit`/`evaluate`/`predict` move their data there once per
    /// call. Move a model before training it: optimizer state cannot move.
    pub fn to_device(&mut self, device: Device) -> Result<()> {
        if device.same(&self.device) {
            return Ok(());
        }
        if self.layers.iter().any(|l| l.built()) {
            if self.compiled.as_ref().is_some_and(|c| c.optimizer.iterations() > 0) {
                return Err(Error::NotReady(format!(
                    "to_device: model {:?} has already been trained and its optimizer state cannot move; \
                     call to_device (or with_device) before fit",
                    self.name
                )));
            }
            let values = self.get_weights()?;
            let mut fresh = Vec::with_capacity(self.layers.len());
            for l in &self.layers {
                fresh.push(super::registry::layer_from_config(l.class_name(), &l.get_config())?);
            }
            self.layers = fresh;
            self.device = device;
            let shape = self.input_shape.clone().ok_or_else(|| {
                Error::NotReady("to_device: layers are built but the model's input shape is unknown".into())
            })?;
            self.build(&shape)?;
            let values = values
                .iter()
                .map(|v| v.to_device(&self.device))
                .collect::<tensorlow::Result<Vec<_>>>()?;
            self.set_weights(&values)
        } else {
            self.device = device;
            Ok(())
        }
    }
}
