//! Callbacks: hooks into `fit` (`keras.callbacks`): [`EarlyStopping`],
//! [`ModelCheckpoint`], [`ReduceLROnPlateau`], [`LearningRateScheduler`],
//! [`CSVLogger`], [`TerminateOnNaN`], [`TensorBoard`]. (`History` is
//! returned by `fit`.)
//!
//! Configure a callback with its chained setters, then give it to `fit`
//! owned, or borrowed to read it afterwards:
//!
//! ```
//! use keraslike::callbacks::EarlyStopping;
//! use keraslike::FitOptions;
//! let mut stop = EarlyStopping::default().monitor("val_loss").patience(3).restore_best_weights(true);
//! let options = FitOptions::default().epochs(50).callback(&mut stop);
//! # drop(options);
//! assert_eq!(stop.stopped_epoch(), None);
//! ```

use crate::models::Model;
use crate::Result;
use std::collections::BTreeMap;

/// Named values of one epoch or batch (`loss`, metrics, `val_*`), sorted by
/// name as Keras prints them.
pub type Logs = BTreeMap<String, f64>;

/// A training hook (`keras.callbacks.Callback`). Every method has an empty
/// default; the model is passed in so a callback can stop training, change
/// the learning rate, or save and restore weights.
#[allow(unused_variables)]
pub trait Callback {
    /// Before the first epoch.
    fn on_train_begin(&mut self, model: &mut Model, logs: &Logs) -> Result<()> {
        Ok(())
    }
    /// After the last epoch.
    fn on_train_end(&mut self, model: &mut Model, logs: &Logs) -> Result<()> {
        Ok(())
    }
    /// Before each epoch (0-based).
    fn on_epoch_begin(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        Ok(())
    }
    /// After each epoch, with its training and validation logs.
    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        Ok(())
    }
    /// Before each training batch.
    fn on_train_batch_begin(&mut self, batch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        Ok(())
    }
    /// After each training batch, with the running logs.
    fn on_train_batch_end(&mut self, batch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        Ok(())
    }
    /// Whether `fit` calls the two batch hooks. Their logs are the running
    /// loss and metrics, read from the device after every batch (a
    /// synchronization on a GPU), so `fit` skips them when no callback
    /// needs them, as Keras does for callbacks without batch hooks. The
    /// default `true` keeps a callback that overrides them working; the
    /// epoch-level callbacks of this module return `false`.
    fn uses_batch_hooks(&self) -> bool {
        true
    }
}

/// Chained setters for the options a callback keeps in a field (`o`), so
/// every callback is configured the same way as layers and optimizers:
/// `EarlyStopping::default().monitor("val_loss").patience(3)`. The
/// options structs stay public as the data form.
macro_rules! option_setters {
    ($ty:ident . $field:ident { $($(#[$doc:meta])* $name:ident : $arg:ty),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: $arg) -> Self {
                    self.$field.$name = value.into();
                    self.options_changed();
                    self
                }
            )*
        }
    };
}

mod backup_and_restore;
mod csv_logger;
mod early_stopping;
mod learning_rate_scheduler;
mod model_checkpoint;
mod reduce_lr_on_plateau;
mod tensorboard;
mod terminate_on_nan;

pub use backup_and_restore::BackupAndRestore;
pub use csv_logger::{CSVLogger, CSVLoggerOptions};
pub use early_stopping::{EarlyStopping, EarlyStoppingOptions};
pub use learning_rate_scheduler::LearningRateScheduler;
pub use model_checkpoint::{format_filepath, ModelCheckpoint, ModelCheckpointOptions};
pub use reduce_lr_on_plateau::{ReduceLROnPlateau, ReduceLROnPlateauOptions};
pub use tensorboard::{TensorBoard, TensorBoardOptions, UpdateFreq};
pub use terminate_on_nan::TerminateOnNaN;

/// Whether a monitored quantity should go down or up (`mode` in Keras).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Decided from the monitored name (default): losses and errors go
    /// down; accuracy, AUC, precision, recall and the like go up.
    #[default]
    Auto,
    /// Lower is better.
    Min,
    /// Higher is better.
    Max,
}

impl Mode {
    /// `true` when higher is better for `monitor`, or an error when `Auto`
    /// cannot tell (pass `Mode::Min` or `Mode::Max` then).
    pub fn maximize(self, monitor: &str, who: &str) -> Result<bool> {
        match self {
            Mode::Min => Ok(false),
            Mode::Max => Ok(true),
            Mode::Auto => {
                let name = monitor.strip_prefix("val_").unwrap_or(monitor).to_ascii_lowercase();
                const UP: [&str; 7] = ["acc", "auc", "precision", "recall", "f1", "iou", "r2"];
                const DOWN: [&str; 8] = [
                    "loss",
                    "error",
                    "crossentropy",
                    "hinge",
                    "divergence",
                    "mse",
                    "mae",
                    "poisson",
                ];
                if DOWN.iter().any(|k| name.contains(k)) {
                    Ok(false)
                } else if UP.iter().any(|k| name.contains(k)) {
                    Ok(true)
                } else {
                    Err(crate::Error::arg(format!(
                        "{who}: cannot tell whether {monitor:?} should be minimized or maximized; pass mode: Mode::Min or Mode::Max"
                    )))
                }
            }
        }
    }
}

/// A borrowed callback is a callback, so a caller keeps it and reads it
/// after `fit`: `FitOptions::default().callback(&mut es)`, then
/// `es.stopped_epoch()`.
impl<C: Callback + ?Sized> Callback for &mut C {
    fn on_train_begin(&mut self, model: &mut Model, logs: &Logs) -> Result<()> {
        (**self).on_train_begin(model, logs)
    }
    fn on_train_end(&mut self, model: &mut Model, logs: &Logs) -> Result<()> {
        (**self).on_train_end(model, logs)
    }
    fn on_epoch_begin(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        (**self).on_epoch_begin(epoch, model, logs)
    }
    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        (**self).on_epoch_end(epoch, model, logs)
    }
    fn on_train_batch_begin(&mut self, batch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        (**self).on_train_batch_begin(batch, model, logs)
    }
    fn on_train_batch_end(&mut self, batch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        (**self).on_train_batch_end(batch, model, logs)
    }
    fn uses_batch_hooks(&self) -> bool {
        (**self).uses_batch_hooks()
    }
}

/// A shared handle is a callback too (`Rc<RefCell<C>>`), for code that
/// shares one callback between several owners.
impl<C: Callback> Callback for std::rc::Rc<std::cell::RefCell<C>> {
    fn on_train_begin(&mut self, model: &mut Model, logs: &Logs) -> Result<()> {
        self.borrow_mut().on_train_begin(model, logs)
    }
    fn on_train_end(&mut self, model: &mut Model, logs: &Logs) -> Result<()> {
        self.borrow_mut().on_train_end(model, logs)
    }
    fn on_epoch_begin(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        self.borrow_mut().on_epoch_begin(epoch, model, logs)
    }
    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        self.borrow_mut().on_epoch_end(epoch, model, logs)
    }
    fn on_train_batch_begin(&mut self, batch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        self.borrow_mut().on_train_batch_begin(batch, model, logs)
    }
    fn on_train_batch_end(&mut self, batch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        self.borrow_mut().on_train_batch_end(batch, model, logs)
    }
    fn uses_batch_hooks(&self) -> bool {
        self.borrow().uses_batch_hooks()
    }
}
