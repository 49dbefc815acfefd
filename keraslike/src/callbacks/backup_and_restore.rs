//! `BackupAndRestore`: resume an interrupted `fit` where it stopped
//! (`keras.callbacks.BackupAndRestore`).
//!
//! At the end of every epoch the callback writes the model's weights, the
//! optimizer's whole state (step count, learning rate, moments) and the
//! epoch number to one file, `backup_dir/latest.safetensors`, atomically
//! (an interruption mid-write leaves the previous backup intact). When
//! `fit` starts and a backup exists, the callback loads it and `fit`
//! continues with the next epoch, replaying the shuffles of the epochs it
//! skips: with a fixed `seed` and no other randomness (no dropout), the
//! resumed run ends with the same weights, bit for bit, as one that was
//! never interrupted. When `fit` ends normally the backup is deleted
//! (`delete_checkpoint`, default true), so the next `fit` starts afresh.
//!
//! Differences from Keras: one file instead of `latest.weights.h5` plus
//! `training_metadata.json` (so the two can never disagree), and only
//! per-epoch backups (Keras' integer `save_freq`, mid-epoch, is not
//! supported).
//!
//! ```
//! use keraslike::callbacks::BackupAndRestore;
//! use keraslike::prelude::*;
//! # fn main() -> keraslike::Result<()> {
//! let dir = std::env::temp_dir().join(format!("bar-doc-{}", std::process::id()));
//! let mut model = sequential![Dense::new(1).input_shape(&[2])];
//! model.compile(SGD::new(0.1), "mse", &[])?;
//! let x = Tensor::from_slice(&[0f32, 1., 1., 0.], &[2, 2], &Device::cpu())?;
//! let y = Tensor::from_slice(&[1f32, 0.], &[2, 1], &Device::cpu())?;
//! let mut backup = BackupAndRestore::new(&dir);
//! model.fit(&x, &y, FitOptions::default().epochs(3).verbose(0).callback(&mut backup))?;
//! assert!(!dir.join("latest.safetensors").exists()); // deleted after a finished fit
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```

use super::{Callback, Logs};
use crate::models::Model;
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Backs up the training state every epoch and restores it when `fit`
/// starts again after an interruption.
pub struct BackupAndRestore {
    backup_dir: PathBuf,
    delete_checkpoint: bool,
}

impl BackupAndRestore {
    /// Backs up into `backup_dir` (created when missing).
    pub fn new(backup_dir: impl AsRef<Path>) -> Self {
        BackupAndRestore {
            backup_dir: backup_dir.as_ref().to_path_buf(),
            delete_checkpoint: true,
        }
    }

    /// Whether to delete the backup when `fit` ends normally (default true).
    pub fn delete_checkpoint(mut self, delete: bool) -> Self {
        self.delete_checkpoint = delete;
        self
    }

    /// The backup file: `backup_dir/latest.safetensors`.
    pub fn backup_path(&self) -> PathBuf {
        self.backup_dir.join("latest.safetensors")
    }
}

impl Callback for BackupAndRestore {
    fn on_train_begin(&mut self, model: &mut Model, _logs: &Logs) -> Result<()> {
        let path = self.backup_path();
        if path.exists() {
            let epoch = model.read_backup(&path).map_err(|e| {
                Error::arg(format!(
                    "BackupAndRestore: cannot restore {}: {e}; delete it to start afresh",
                    path.display()
                ))
            })?;
            model.resume_epoch = Some(epoch + 1);
        }
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, _logs: &Logs) -> Result<()> {
        std::fs::create_dir_all(&self.backup_dir)
            .map_err(|e| Error::file(&self.backup_dir, format!("cannot create the backup directory: {e}")))?;
        model.write_backup(&self.backup_path(), epoch)
    }

    fn on_train_end(&mut self, _model: &mut Model, _logs: &Logs) -> Result<()> {
        let path = self.backup_path();
        if self.delete_checkpoint && path.exists() {
            std::fs::remove_file(&path).map_err(|e| Error::file(&path, format!("cannot delete the backup: {e}")))?;
        }
        Ok(())
    }
}
