//! `LearningRateScheduler`: set the learning rate at the start of each epoch
//! from a function of the epoch (0-based) and the current rate
//! (`keras.callbacks.LearningRateScheduler`).
//!
//! ```
//! use keraslike::callbacks::LearningRateScheduler;
//! // Keep the rate for 10 epochs, then decay it by e^-0.1 per epoch.
//! let cb = LearningRateScheduler::new(|epoch, lr| if epoch < 10 { lr } else { lr * (-0.1f64).exp() });
//! # let _ = cb;
//! ```

use super::{Callback, Logs};
use crate::models::Model;
use crate::{Error, Result};

/// Calls `schedule(epoch, lr)` before each epoch and sets the returned rate.
pub struct LearningRateScheduler {
    schedule: Box<dyn FnMut(usize, f64) -> f64>,
    verbose: u8,
}

impl LearningRateScheduler {
    /// A scheduler from `schedule(epoch, current_lr) -> new_lr`.
    pub fn new(schedule: impl FnMut(usize, f64) -> f64 + 'static) -> Self {
        LearningRateScheduler {
            schedule: Box::new(schedule),
            verbose: 0,
        }
    }

    /// Print the rate it sets each epoch (`verbose=1`).
    pub fn verbose(mut self, verbose: u8) -> Self {
        self.verbose = verbose;
        self
    }
}

impl Callback for LearningRateScheduler {
    fn uses_batch_hooks(&self) -> bool {
        false
    }
    fn on_epoch_begin(&mut self, epoch: usize, model: &mut Model, _logs: &Logs) -> Result<()> {
        let opt = model
            .optimizer_mut()
            .ok_or_else(|| Error::NotReady("LearningRateScheduler: the model is not compiled".into()))?;
        let lr = (self.schedule)(epoch, opt.learning_rate());
        if !lr.is_finite() {
            return Err(Error::arg(format!(
                "LearningRateScheduler: the schedule returned {lr} for epoch {epoch}; it must return a finite number"
            )));
        }
        opt.set_learning_rate(lr);
        if self.verbose > 0 {
            println!(
                "Epoch {}: LearningRateScheduler setting learning rate to {lr}.",
                epoch + 1
            );
        }
        Ok(())
    }
}
