//! `TensorBoard`: write training logs for `tensorboard --logdir`
//! (`keras.callbacks.TensorBoard`).
//!
//! What it writes follows Keras 3's callback. Under `log_dir/train`, after
//! every epoch: `epoch_<name>` for each training log (`epoch_loss`,
//! `epoch_accuracy`, ...) and `epoch_learning_rate`, at step = epoch.
//! Under `log_dir/validation`: `epoch_<name>` for each `val_<name>` log at
//! step = epoch, and `evaluation_<name>_vs_iterations` at step = the
//! optimizer's iteration count (Keras writes these at the end of the
//! validation pass). With `update_freq` set to batches, `batch_<name>` for
//! the running logs at the global batch number (1-based, counted over all
//! epochs) when it is a multiple of the frequency. With `histogram_freq`
//! = N > 0, a histogram of every weight (`<model>/<layer>/<weight>/histogram`,
//! Keras' weight paths) every N epochs, from epoch 0. With
//! `write_steps_per_second`, `epoch_steps_per_second` (and
//! `batch_steps_per_second` per recorded batch).
//!
//! Scalars are float32 tensors of the `scalars` plugin and histograms
//! float64 `[30, 3]` tensors of the `histograms` plugin, as
//! `tf.summary` stores them (see [`tensorlow::summary`]). Events are
//! buffered (10 events or 2 minutes, TensorFlow's defaults) and flushed at
//! the end of training. The default is epoch-level logging:
//! [`uses_batch_hooks`](Callback::uses_batch_hooks) is false, so `fit`
//! reads nothing from the device per batch for it. Not written (Keras
//! options without a counterpart here): the graph, weight images,
//! profiles and embeddings.
//!
//! ```
//! use keraslike::callbacks::{Callback, TensorBoard, TensorBoardOptions, UpdateFreq};
//! let tb = TensorBoard::new("logs", TensorBoardOptions { histogram_freq: 1, ..Default::default() });
//! assert!(!tb.uses_batch_hooks());
//! let per_batch = TensorBoard::new("logs", TensorBoardOptions { update_freq: UpdateFreq::Batch, ..Default::default() });
//! assert!(per_batch.uses_batch_hooks());
//! ```

use super::{Callback, Logs};
use crate::models::Model;
use crate::{Error, Result};
use std::path::PathBuf;
use std::time::Instant;
use tensorlow::summary::{create_file_writer, SummaryWriter};

/// When batch-level scalars are written (`update_freq` in Keras).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UpdateFreq {
    /// Only at the end of each epoch (`"epoch"`, the default).
    #[default]
    Epoch,
    /// After every batch (`"batch"`, the same as `Every(1)`).
    Batch,
    /// After every N-th batch (an integer in Keras).
    Every(usize),
}

impl UpdateFreq {
    /// Every how many batches batch scalars are written, `None` for epoch-level.
    fn batches(self) -> Option<usize> {
        match self {
            UpdateFreq::Epoch => None,
            UpdateFreq::Batch => Some(1),
            UpdateFreq::Every(n) => Some(n),
        }
    }
}

impl std::str::FromStr for UpdateFreq {
    type Err = Error;
    /// `"epoch"`, `"batch"` or a positive integer, as Keras accepts them.
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "epoch" => Ok(UpdateFreq::Epoch),
            "batch" => Ok(UpdateFreq::Batch),
            _ => match s.parse::<usize>() {
                Ok(n) if n > 0 => Ok(UpdateFreq::Every(n)),
                _ => Err(Error::arg(format!(
                    "TensorBoard: update_freq must be \"epoch\", \"batch\" or a positive integer, got {s:?}"
                ))),
            },
        }
    }
}

/// Options of [`TensorBoard`], with Keras' defaults.
#[derive(Clone, Debug, Default)]
pub struct TensorBoardOptions {
    /// Every how many epochs to write weight histograms; 0 (default) never.
    pub histogram_freq: usize,
    /// When to write batch-level scalars (default: epoch-level only).
    pub update_freq: UpdateFreq,
    /// Also write the training speed in steps per second (default false).
    pub write_steps_per_second: bool,
}

/// Writes TensorBoard event files during `fit`.
pub struct TensorBoard {
    log_dir: PathBuf,
    o: TensorBoardOptions,
    train: Option<SummaryWriter>,
    val: Option<SummaryWriter>,
    global_batch: i64,
    epoch_start: Option<(Instant, u64)>,
    batch_start: Option<Instant>,
}

impl TensorBoard {
    /// A callback logging under `log_dir` with Keras' defaults.
    pub fn to(path: impl Into<PathBuf>) -> Self {
        Self::new(path, TensorBoardOptions::default())
    }

    fn options_changed(&mut self) {}

    /// A callback logging under `log_dir` (Keras' default is `"logs"`).
    pub fn new(log_dir: impl Into<PathBuf>, options: TensorBoardOptions) -> Self {
        TensorBoard {
            log_dir: log_dir.into(),
            o: options,
            train: None,
            val: None,
            global_batch: 0,
            epoch_start: None,
            batch_start: None,
        }
    }

    /// The event file of the training run (of the last `fit`), once it has begun.
    pub fn train_file(&self) -> Option<PathBuf> {
        self.train.as_ref().map(SummaryWriter::path)
    }

    /// The event file of the validation run, once a validation log was written.
    pub fn validation_file(&self) -> Option<PathBuf> {
        self.val.as_ref().map(SummaryWriter::path)
    }

    /// The writer of `log_dir/train`, created on first use (a cheap handle).
    fn train_writer(&mut self) -> Result<SummaryWriter> {
        let dir = self.log_dir.join("train");
        Ok(match &self.train {
            Some(w) => w.clone(),
            None => self.train.insert(create_file_writer(dir)?).clone(),
        })
    }

    /// The writer of `log_dir/validation`, created on first use.
    fn val_writer(&mut self) -> Result<SummaryWriter> {
        let dir = self.log_dir.join("validation");
        Ok(match &self.val {
            Some(w) => w.clone(),
            None => self.val.insert(create_file_writer(dir)?).clone(),
        })
    }

    fn records_batch(&self) -> bool {
        matches!(self.o.update_freq.batches(), Some(n) if self.global_batch % n as i64 == 0)
    }
}

fn iterations(model: &Model) -> u64 {
    model.optimizer().map(|o| o.iterations()).unwrap_or(0)
}

option_setters!(TensorBoard.o {
    /// Weight histograms every N epochs (default 0 = none).
    histogram_freq: usize,
    /// When scalars are written: each epoch (default), each batch or every N batches.
    update_freq: UpdateFreq,
    /// Also log the training speed (default false).
    write_steps_per_second: bool,
});

impl Callback for TensorBoard {
    fn uses_batch_hooks(&self) -> bool {
        self.o.update_freq != UpdateFreq::Epoch
    }

    fn on_train_begin(&mut self, _model: &mut Model, _logs: &Logs) -> Result<()> {
        if self.o.update_freq == UpdateFreq::Every(0) {
            return Err(Error::arg(
                "TensorBoard: update_freq Every(0) is not a frequency; use a positive count, UpdateFreq::Batch or UpdateFreq::Epoch",
            ));
        }
        // A new pair of event files per fit, as Keras' set_model resets its writers.
        self.train = None;
        self.val = None;
        self.global_batch = 0;
        self.train_writer()?;
        Ok(())
    }

    fn on_epoch_begin(&mut self, _epoch: usize, model: &mut Model, _logs: &Logs) -> Result<()> {
        if self.o.write_steps_per_second {
            self.epoch_start = Some((Instant::now(), iterations(model)));
        }
        Ok(())
    }

    fn on_train_batch_begin(&mut self, _batch: usize, _model: &mut Model, _logs: &Logs) -> Result<()> {
        self.global_batch += 1;
        if self.o.write_steps_per_second {
            self.batch_start = Some(Instant::now());
        }
        Ok(())
    }

    fn on_train_batch_end(&mut self, _batch: usize, _model: &mut Model, logs: &Logs) -> Result<()> {
        if !self.records_batch() {
            return Ok(());
        }
        let step = self.global_batch;
        let per_second = self.batch_start.map(|t| 1.0 / t.elapsed().as_secs_f64());
        let w = self.train_writer()?;
        if let Some(sps) = per_second {
            w.scalar("batch_steps_per_second", sps, step)?;
        }
        for (name, value) in logs {
            w.scalar(&format!("batch_{name}"), *value, step)?;
        }
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        let step = epoch as i64;
        let iterations = iterations(model);
        let steps_per_second = self
            .epoch_start
            .map(|(t, it0)| (iterations - it0) as f64 / t.elapsed().as_secs_f64());
        let w = self.train_writer()?;
        for (name, value) in logs.iter().filter(|(k, _)| !k.starts_with("val_")) {
            w.scalar(&format!("epoch_{name}"), *value, step)?;
        }
        if let Some(opt) = model.optimizer() {
            w.scalar("epoch_learning_rate", opt.learning_rate(), step)?;
        }
        if let Some(sps) = steps_per_second {
            w.scalar("epoch_steps_per_second", sps, step)?;
        }
        if epoch.checked_rem(self.o.histogram_freq) == Some(0) {
            let prefix = model.name().to_string();
            for var in model.weights() {
                let tag = format!("{prefix}/{}/histogram", var.name().replace(':', "_"));
                w.histogram(&tag, var.value(), step)?;
            }
            w.flush()?;
        }
        let val: Vec<(&str, f64)> = logs
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("val_").map(|k| (k, *v)))
            .collect();
        if !val.is_empty() {
            let w = self.val_writer()?;
            for (name, value) in &val {
                w.scalar(&format!("epoch_{name}"), *value, step)?;
            }
            for (name, value) in &val {
                w.scalar(&format!("evaluation_{name}_vs_iterations"), *value, iterations as i64)?;
            }
        }
        Ok(())
    }

    fn on_train_end(&mut self, _model: &mut Model, _logs: &Logs) -> Result<()> {
        for w in self.train.iter().chain(self.val.iter()) {
            w.close()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_freq_parses_like_keras() {
        assert_eq!("epoch".parse::<UpdateFreq>().unwrap(), UpdateFreq::Epoch);
        assert_eq!("batch".parse::<UpdateFreq>().unwrap(), UpdateFreq::Batch);
        assert_eq!("5".parse::<UpdateFreq>().unwrap(), UpdateFreq::Every(5));
        for bad in ["0", "-1", "epochs", ""] {
            let e = bad.parse::<UpdateFreq>().unwrap_err().to_string();
            assert!(e.contains("update_freq"), "{e}");
        }
    }

    #[test]
    fn batch_recording_follows_the_frequency() {
        let mut tb = TensorBoard::new(
            "unused",
            TensorBoardOptions {
                update_freq: UpdateFreq::Every(3),
                ..Default::default()
            },
        );
        let recorded: Vec<i64> = (1..=7)
            .filter(|&b| {
                tb.global_batch = b;
                tb.records_batch()
            })
            .collect();
        assert_eq!(recorded, vec![3, 6]);
        tb.o.update_freq = UpdateFreq::Epoch;
        assert!(!tb.records_batch());
    }
}
