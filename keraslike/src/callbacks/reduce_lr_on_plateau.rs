//! `ReduceLROnPlateau`: multiply the learning rate by `factor` when the
//! monitored quantity has not improved for `patience` epochs
//! (`keras.callbacks.ReduceLROnPlateau`).
//!
//! An improvement is a value better than the best so far by more than
//! `min_delta`. After a reduction the callback waits `cooldown` epochs
//! before counting again; the rate never goes below `min_lr`.
//!
//! ```
//! use keraslike::callbacks::{ReduceLROnPlateau, ReduceLROnPlateauOptions};
//! let cb = ReduceLROnPlateau::new(ReduceLROnPlateauOptions { factor: 0.5, patience: 2, ..Default::default() });
//! # let _ = cb;
//! ```

use super::{Callback, Logs, Mode};
use crate::models::Model;
use crate::{Error, Result};

/// Options of [`ReduceLROnPlateau`], with Keras' defaults.
#[derive(Clone, Debug)]
pub struct ReduceLROnPlateauOptions {
    /// The quantity to watch (default `"val_loss"`).
    pub monitor: String,
    /// The factor applied to the rate, < 1 (default 0.1).
    pub factor: f64,
    /// Epochs without improvement before reducing (default 10).
    pub patience: usize,
    /// Print a line on each reduction (default 0).
    pub verbose: u8,
    /// Whether lower or higher is better (default auto, from the name).
    pub mode: Mode,
    /// The smallest change that counts as an improvement (default 1e-4).
    pub min_delta: f64,
    /// Epochs to wait after a reduction before counting again (default 0).
    pub cooldown: usize,
    /// The lowest rate (default 0).
    pub min_lr: f64,
}

impl Default for ReduceLROnPlateauOptions {
    fn default() -> Self {
        ReduceLROnPlateauOptions {
            monitor: "val_loss".into(),
            factor: 0.1,
            patience: 10,
            verbose: 0,
            mode: Mode::Auto,
            min_delta: 1e-4,
            cooldown: 0,
            min_lr: 0.0,
        }
    }
}

/// Lowers the learning rate when training plateaus.
pub struct ReduceLROnPlateau {
    o: ReduceLROnPlateauOptions,
    maximize: bool,
    best: f64,
    wait: usize,
    cooldown_counter: usize,
}

impl ReduceLROnPlateau {
    /// The callback (an error at `fit` time if `factor >= 1`).
    pub fn new(options: ReduceLROnPlateauOptions) -> Self {
        ReduceLROnPlateau {
            o: options,
            maximize: false,
            best: f64::INFINITY,
            wait: 0,
            cooldown_counter: 0,
        }
    }

    fn options_changed(&mut self) {
        *self = Self::new(self.o.clone());
    }

    fn improves(&self, current: f64) -> bool {
        if self.maximize {
            current > self.best + self.o.min_delta
        } else {
            current < self.best - self.o.min_delta
        }
    }
}

option_setters!(ReduceLROnPlateau.o {
    /// The quantity to watch (default `"val_loss"`).
    monitor: impl Into<String>,
    /// The factor the learning rate is multiplied by (default 0.1).
    factor: f64,
    /// Epochs without improvement before reducing (default 10).
    patience: usize,
    /// Print a line on each reduction (default 0).
    verbose: u8,
    /// Whether lower or higher is better (default auto).
    mode: Mode,
    /// The smallest change that counts as an improvement (default 1e-4).
    min_delta: f64,
    /// Epochs to wait after a reduction before watching again (default 0).
    cooldown: usize,
    /// The learning rate never goes below this (default 0).
    min_lr: f64,
});

impl Default for ReduceLROnPlateau {
    fn default() -> Self {
        Self::new(ReduceLROnPlateauOptions::default())
    }
}

impl Callback for ReduceLROnPlateau {
    fn uses_batch_hooks(&self) -> bool {
        false
    }
    fn on_train_begin(&mut self, _model: &mut Model, _logs: &Logs) -> Result<()> {
        if self.o.factor >= 1.0 || self.o.factor.is_nan() {
            return Err(Error::arg(format!(
                "ReduceLROnPlateau does not support a factor >= 1.0, got {}",
                self.o.factor
            )));
        }
        // Keras' rule: in auto mode only names containing "acc" are maximised.
        self.maximize = match self.o.mode {
            Mode::Auto => self.o.monitor.contains("acc"),
            m => m == Mode::Max,
        };
        self.best = if self.maximize {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
        self.wait = 0;
        self.cooldown_counter = 0;
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        let Some(&current) = logs.get(&self.o.monitor) else {
            eprintln!(
                "ReduceLROnPlateau: the monitored {:?} is not in the logs (available: {:?})",
                self.o.monitor,
                logs.keys().collect::<Vec<_>>()
            );
            return Ok(());
        };
        let in_cooldown = self.cooldown_counter > 0;
        if in_cooldown {
            self.cooldown_counter -= 1;
            self.wait = 0;
        }
        if self.improves(current) {
            self.best = current;
            self.wait = 0;
        } else if self.cooldown_counter == 0 {
            self.wait += 1;
            if self.wait >= self.o.patience {
                let opt = model
                    .optimizer_mut()
                    .ok_or_else(|| Error::NotReady("ReduceLROnPlateau: the model is not compiled".into()))?;
                let old = opt.learning_rate();
                // Compared in f32 as Keras does, so a rate at min_lr stays put.
                if (old as f32) > (self.o.min_lr as f32) {
                    let new = (old * self.o.factor).max(self.o.min_lr);
                    opt.set_learning_rate(new);
                    if self.o.verbose > 0 {
                        println!(
                            "Epoch {}: ReduceLROnPlateau reducing learning rate to {new}.",
                            epoch + 1
                        );
                    }
                    self.cooldown_counter = self.o.cooldown;
                    self.wait = 0;
                }
            }
        }
        Ok(())
    }
}
