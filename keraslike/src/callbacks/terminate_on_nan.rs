//! `TerminateOnNaN`: stop training as soon as the loss becomes NaN or
//! infinite (`keras.callbacks.TerminateOnNaN`).
//!
//! ```
//! use keraslike::callbacks::{Callback, TerminateOnNaN};
//! let cbs: Vec<Box<dyn Callback>> = vec![Box::new(TerminateOnNaN::new())];
//! # let _ = cbs;
//! ```

use super::{Callback, Logs};
use crate::models::Model;
use crate::Result;

/// Sets `stop_training` when a batch's `loss` is NaN or infinite.
#[derive(Clone, Debug, Default)]
pub struct TerminateOnNaN {
    terminated_at: Option<usize>,
}

impl TerminateOnNaN {
    /// The callback.
    pub fn new() -> Self {
        Self::default()
    }

    /// The batch whose loss was invalid, if any (within the epoch).
    pub fn terminated_at(&self) -> Option<usize> {
        self.terminated_at
    }
}

impl Callback for TerminateOnNaN {
    fn on_train_batch_end(&mut self, batch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        if let Some(&loss) = logs.get("loss") {
            if !loss.is_finite() {
                println!("Batch {batch}: Invalid loss, terminating training");
                self.terminated_at = Some(batch);
                model.stop_training = true;
            }
        }
        Ok(())
    }
}
