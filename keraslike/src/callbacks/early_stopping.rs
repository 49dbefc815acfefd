//! `EarlyStopping`: stop training when a monitored quantity stops improving
//! (`keras.callbacks.EarlyStopping`, Keras 3 semantics).
//!
//! After each epoch (from `start_from_epoch` on) the monitored value counts
//! as an improvement when it beats the best so far by more than
//! `min_delta`. Training stops once `patience` epochs in a row brought none
//! (never after the first epoch). With `restore_best_weights`, the weights
//! of the best epoch are put back when training ends — as in Keras 3, also
//! when training ran all its epochs without stopping early. With a
//! `baseline`, the patience counter is only reset by values that also beat
//! the baseline.
//!
//! ```
//! use keraslike::callbacks::{EarlyStopping, EarlyStoppingOptions, Mode};
//! let cb = EarlyStopping::new(EarlyStoppingOptions {
//!     monitor: "val_accuracy".into(),
//!     mode: Mode::Max,
//!     patience: 5,
//!     restore_best_weights: true,
//!     ..Default::default()
//! });
//! assert_eq!(cb.stopped_epoch(), None);
//! ```

use super::{Callback, Logs, Mode};
use crate::models::Model;
use crate::Result;
use tensorlow::Tensor;

/// Options of [`EarlyStopping`], with Keras' defaults.
#[derive(Clone, Debug)]
pub struct EarlyStoppingOptions {
    /// The quantity to watch (default `"val_loss"`).
    pub monitor: String,
    /// The smallest change that counts as an improvement (default 0).
    pub min_delta: f64,
    /// Epochs without improvement before stopping (default 0).
    pub patience: usize,
    /// Print a line when stopping or restoring (default 0 = silent).
    pub verbose: u8,
    /// Whether lower or higher is better (default auto, from the name).
    pub mode: Mode,
    /// A value the monitored quantity must beat to reset the patience.
    pub baseline: Option<f64>,
    /// Put back the best epoch's weights when training ends (default false).
    pub restore_best_weights: bool,
    /// Epochs to wait before watching at all (default 0).
    pub start_from_epoch: usize,
}

impl Default for EarlyStoppingOptions {
    fn default() -> Self {
        EarlyStoppingOptions {
            monitor: "val_loss".into(),
            min_delta: 0.0,
            patience: 0,
            verbose: 0,
            mode: Mode::Auto,
            baseline: None,
            restore_best_weights: false,
            start_from_epoch: 0,
        }
    }
}

/// Stops `fit` when the monitored quantity stops improving.
pub struct EarlyStopping {
    o: EarlyStoppingOptions,
    maximize: Option<bool>,
    best: f64,
    wait: usize,
    best_epoch: usize,
    stopped_epoch: Option<usize>,
    best_weights: Option<Vec<Tensor>>,
}

impl EarlyStopping {
    /// An early-stopping callback.
    pub fn new(options: EarlyStoppingOptions) -> Self {
        EarlyStopping {
            o: options,
            maximize: None,
            best: f64::NAN,
            wait: 0,
            best_epoch: 0,
            stopped_epoch: None,
            best_weights: None,
        }
    }

    /// The epoch (0-based) at which training was stopped, if it was.
    pub fn stopped_epoch(&self) -> Option<usize> {
        self.stopped_epoch
    }

    /// The epoch (0-based) with the best monitored value so far.
    pub fn best_epoch(&self) -> usize {
        self.best_epoch
    }

    /// The best monitored value so far.
    pub fn best(&self) -> f64 {
        self.best
    }

    fn options_changed(&mut self) {}

    fn improves(&self, current: f64, reference: f64) -> bool {
        let d = self.o.min_delta.abs();
        if self.maximize == Some(true) {
            current - d > reference
        } else {
            current + d < reference
        }
    }
}

option_setters!(EarlyStopping.o {
    /// The quantity to watch (default `"val_loss"`).
    monitor: impl Into<String>,
    /// The smallest change that counts as an improvement (default 0).
    min_delta: f64,
    /// Epochs without improvement before stopping (default 0).
    patience: usize,
    /// Print a line when stopping or restoring (default 0).
    verbose: u8,
    /// Whether lower or higher is better (default auto).
    mode: Mode,
    /// A value the monitored quantity must beat to reset the patience.
    baseline: Option<f64>,
    /// Put back the best epoch's weights when training ends (default false).
    restore_best_weights: bool,
    /// Epochs to wait before watching at all (default 0).
    start_from_epoch: usize,
});

impl Default for EarlyStopping {
    fn default() -> Self {
        Self::new(EarlyStoppingOptions::default())
    }
}

impl Callback for EarlyStopping {
    fn uses_batch_hooks(&self) -> bool {
        false
    }
    fn on_train_begin(&mut self, _model: &mut Model, _logs: &Logs) -> Result<()> {
        let max = self.o.mode.maximize(&self.o.monitor, "EarlyStopping")?;
        self.maximize = Some(max);
        self.best = if max { f64::NEG_INFINITY } else { f64::INFINITY };
        self.wait = 0;
        self.best_epoch = 0;
        self.stopped_epoch = None;
        self.best_weights = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        if self.maximize.is_none() {
            self.on_train_begin(model, logs)?;
        }
        let Some(&current) = logs.get(&self.o.monitor) else {
            eprintln!(
                "EarlyStopping: the monitored {:?} is not in the logs (available: {:?})",
                self.o.monitor,
                logs.keys().collect::<Vec<_>>()
            );
            return Ok(());
        };
        if epoch < self.o.start_from_epoch {
            return Ok(());
        }
        if self.o.restore_best_weights && self.best_weights.is_none() {
            // Until something improves, the first watched epoch is the best.
            self.best_weights = Some(model.get_weights()?);
            self.best_epoch = epoch;
        }
        self.wait += 1;
        if self.improves(current, self.best) {
            self.best = current;
            self.best_epoch = epoch;
            if self.o.restore_best_weights {
                self.best_weights = Some(model.get_weights()?);
            }
            if self.o.baseline.is_none_or(|b| self.improves(current, b)) {
                self.wait = 0;
            }
            return Ok(());
        }
        if self.wait >= self.o.patience && epoch > 0 {
            self.stopped_epoch = Some(epoch);
            model.stop_training = true;
        }
        Ok(())
    }

    fn on_train_end(&mut self, model: &mut Model, _logs: &Logs) -> Result<()> {
        if let (Some(e), true) = (self.stopped_epoch, self.o.verbose > 0) {
            println!("Epoch {}: early stopping", e + 1);
        }
        if let (true, Some(w)) = (self.o.restore_best_weights, &self.best_weights) {
            if self.o.verbose > 0 {
                println!(
                    "Restoring model weights from the end of the best epoch: {}.",
                    self.best_epoch + 1
                );
            }
            model.set_weights(w)?;
        }
        Ok(())
    }
}
