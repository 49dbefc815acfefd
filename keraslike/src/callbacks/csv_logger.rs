//! `CSVLogger`: write each epoch's logs as a row of a CSV file
//! (`keras.callbacks.CSVLogger`).
//!
//! The header is `epoch` followed by the log names of the first epoch, in
//! sorted order; a later epoch missing a name writes `NA`. Each row is
//! flushed as it is written, so the file is readable during training.
//! With `append`, rows go to the end of an existing file and the header is
//! only written if the file was empty.
//!
//! ```
//! use keraslike::callbacks::{CSVLogger, CSVLoggerOptions};
//! let log = CSVLogger::new("training.log", CSVLoggerOptions::default());
//! # let _ = log;
//! ```

use super::{Callback, Logs};
use crate::models::Model;
use crate::{Error, Result};
use std::io::Write;
use std::path::PathBuf;

/// Options of [`CSVLogger`], with Keras' defaults.
#[derive(Clone, Debug)]
pub struct CSVLoggerOptions {
    /// The column separator (default `','`).
    pub separator: char,
    /// Append to an existing file instead of overwriting it (default false).
    pub append: bool,
}

impl Default for CSVLoggerOptions {
    fn default() -> Self {
        CSVLoggerOptions {
            separator: ',',
            append: false,
        }
    }
}

/// Streams epoch results to a CSV file.
pub struct CSVLogger {
    path: PathBuf,
    o: CSVLoggerOptions,
    file: Option<std::io::BufWriter<std::fs::File>>,
    keys: Option<Vec<String>>,
    write_header: bool,
}

impl CSVLogger {
    /// A logger writing to `filename` with Keras' defaults.
    pub fn to(path: impl Into<PathBuf>) -> Self {
        Self::new(path, CSVLoggerOptions::default())
    }

    fn options_changed(&mut self) {}

    /// A logger writing to `filename`.
    pub fn new(filename: impl Into<PathBuf>, options: CSVLoggerOptions) -> Self {
        CSVLogger {
            path: filename.into(),
            o: options,
            file: None,
            keys: None,
            write_header: true,
        }
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error::file(&self.path, format!("CSVLogger: {e}"))
    }
}

option_setters!(CSVLogger.o {
    /// The column separator (default `,`).
    separator: char,
    /// Append to an existing file instead of overwriting it (default false).
    append: bool,
});

impl Callback for CSVLogger {
    fn uses_batch_hooks(&self) -> bool {
        false
    }
    fn on_train_begin(&mut self, _model: &mut Model, _logs: &Logs) -> Result<()> {
        let existing = std::fs::metadata(&self.path).map(|m| m.len() > 0).unwrap_or(false);
        self.write_header = !(self.o.append && existing);
        let f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(self.o.append)
            .truncate(!self.o.append)
            .open(&self.path)
            .map_err(|e| self.io(e))?;
        self.file = Some(std::io::BufWriter::new(f));
        self.keys = None;
        Ok(())
    }

    fn on_epoch_end(&mut self, epoch: usize, _model: &mut Model, logs: &Logs) -> Result<()> {
        let sep = self.o.separator.to_string();
        let keys = self.keys.get_or_insert_with(|| logs.keys().cloned().collect()).clone();
        let mut out = String::new();
        if std::mem::take(&mut self.write_header) {
            out.push_str("epoch");
            for k in &keys {
                out.push_str(&sep);
                out.push_str(k);
            }
            out.push('\n');
        }
        out.push_str(&epoch.to_string());
        for k in &keys {
            out.push_str(&sep);
            match logs.get(k) {
                Some(v) => out.push_str(&v.to_string()),
                None => out.push_str("NA"),
            }
        }
        out.push('\n');
        let Some(f) = self.file.as_mut() else {
            return Err(Error::NotReady("CSVLogger: on_epoch_end before on_train_begin".into()));
        };
        let r = f.write_all(out.as_bytes()).and_then(|_| f.flush());
        r.map_err(|e| self.io(e))
    }

    fn on_train_end(&mut self, _model: &mut Model, _logs: &Logs) -> Result<()> {
        if let Some(mut f) = self.file.take() {
            f.flush().map_err(|e| self.io(e))?;
        }
        Ok(())
    }
}
