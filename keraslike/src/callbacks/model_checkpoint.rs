//! `ModelCheckpoint`: save the model (or its weights) after each epoch,
//! optionally only when the monitored quantity improved
//! (`keras.callbacks.ModelCheckpoint`).
//!
//! The file path may hold Python-style fields filled from the epoch
//! (1-based, as in Keras) and the logs: `"ckpt-{epoch:02d}-{val_loss:.2f}.safetensors"`.
//! Supported specs: `[0][width][.precision][d|f|e|g]`. Files are written
//! atomically (a temporary file renamed over the target) by the model's
//! `save` / `save_weights`.
//!
//! ```
//! use keraslike::callbacks::{ModelCheckpoint, ModelCheckpointOptions};
//! let cb = ModelCheckpoint::new("best.safetensors", ModelCheckpointOptions { save_best_only: true, ..Default::default() });
//! # let _ = cb;
//! let mut logs = keraslike::callbacks::Logs::new();
//! logs.insert("val_loss".into(), 0.12345);
//! let p = keraslike::callbacks::format_filepath("m-{epoch:03d}-{val_loss:.3f}.st", 4, &logs).unwrap();
//! assert_eq!(p, "m-005-0.123.st");
//! ```

use super::{Callback, Logs, Mode};
use crate::models::Model;
use crate::{Error, Result};

/// Options of [`ModelCheckpoint`], with Keras' defaults.
#[derive(Clone, Debug)]
pub struct ModelCheckpointOptions {
    /// The quantity that decides "best" (default `"val_loss"`).
    pub monitor: String,
    /// Print a line on each save (default 0).
    pub verbose: u8,
    /// Save only when the monitored quantity improved (default false).
    pub save_best_only: bool,
    /// Save only the weights (`save_weights`) instead of the whole model (default false).
    pub save_weights_only: bool,
    /// Whether lower or higher is better (default auto: names containing
    /// `"acc"` are maximised, as in Keras).
    pub mode: Mode,
    /// With `save_best_only`, a value the first save must beat (default none).
    pub initial_value_threshold: Option<f64>,
}

impl Default for ModelCheckpointOptions {
    fn default() -> Self {
        ModelCheckpointOptions {
            monitor: "val_loss".into(),
            verbose: 0,
            save_best_only: false,
            save_weights_only: false,
            mode: Mode::Auto,
            initial_value_threshold: None,
        }
    }
}

/// Saves the model at the end of epochs.
pub struct ModelCheckpoint {
    filepath: String,
    o: ModelCheckpointOptions,
    maximize: bool,
    best: f64,
    saved: Vec<String>,
}

impl ModelCheckpoint {
    /// A checkpoint callback writing to `filepath` (a template, see the module docs).
    pub fn new(filepath: impl Into<String>, options: ModelCheckpointOptions) -> Self {
        let maximize = match options.mode {
            Mode::Auto => options.monitor.contains("acc") || options.monitor.starts_with("fmeasure"),
            m => m == Mode::Max,
        };
        let best = options
            .initial_value_threshold
            .unwrap_or(if maximize { f64::NEG_INFINITY } else { f64::INFINITY });
        ModelCheckpoint {
            filepath: filepath.into(),
            o: options,
            maximize,
            best,
            saved: Vec::new(),
        }
    }

    /// A checkpoint callback writing to `filepath` with Keras' defaults;
    /// set options with the chained setters.
    pub fn to(filepath: impl Into<String>) -> Self {
        Self::new(filepath, ModelCheckpointOptions::default())
    }

    fn options_changed(&mut self) {
        *self = Self::new(std::mem::take(&mut self.filepath), self.o.clone());
    }

    /// The paths written so far, in order.
    pub fn saved_paths(&self) -> &[String] {
        &self.saved
    }

    /// The best monitored value seen (with `save_best_only`).
    pub fn best(&self) -> f64 {
        self.best
    }
}

option_setters!(ModelCheckpoint.o {
    /// The quantity that decides "best" (default `"val_loss"`).
    monitor: impl Into<String>,
    /// Print a line on each save (default 0).
    verbose: u8,
    /// Save only when the monitored quantity improved (default false).
    save_best_only: bool,
    /// Save only the weights (default false).
    save_weights_only: bool,
    /// Whether lower or higher is better (default auto).
    mode: Mode,
    /// With `save_best_only`, a value the first save must beat.
    initial_value_threshold: Option<f64>,
});

impl Callback for ModelCheckpoint {
    fn uses_batch_hooks(&self) -> bool {
        false
    }
    fn on_epoch_end(&mut self, epoch: usize, model: &mut Model, logs: &Logs) -> Result<()> {
        let path = format_filepath(&self.filepath, epoch, logs)?;
        if self.o.save_best_only {
            let Some(&current) = logs.get(&self.o.monitor) else {
                eprintln!(
                    "ModelCheckpoint: can save the best model only with {:?} available, skipping (logs: {:?})",
                    self.o.monitor,
                    logs.keys().collect::<Vec<_>>()
                );
                return Ok(());
            };
            let better = if self.maximize {
                current > self.best
            } else {
                current < self.best
            };
            if !better {
                if self.o.verbose > 0 {
                    println!(
                        "Epoch {}: {} did not improve from {:.5}",
                        epoch + 1,
                        self.o.monitor,
                        self.best
                    );
                }
                return Ok(());
            }
            if self.o.verbose > 0 {
                println!(
                    "Epoch {}: {} improved from {:.5} to {current:.5}, saving model to {path}",
                    epoch + 1,
                    self.o.monitor,
                    self.best
                );
            }
            self.best = current;
        } else if self.o.verbose > 0 {
            println!("Epoch {}: saving model to {path}", epoch + 1);
        }
        if let Some(dir) = std::path::Path::new(&path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).map_err(|e| Error::file(dir, format!("ModelCheckpoint: {e}")))?;
        }
        if self.o.save_weights_only {
            model.save_weights(&path)?;
        } else {
            model.save(&path)?;
        }
        self.saved.push(path);
        Ok(())
    }
}

/// Fills a Keras file-path template: `{epoch}` is `epoch + 1`, other
/// fields come from `logs`; `{{`/`}}` are literal braces.
pub fn format_filepath(template: &str, epoch: usize, logs: &Logs) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 8);
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let field: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let (name, spec) = field.split_once(':').unwrap_or((&field, ""));
                let (value, is_int) = if name == "epoch" {
                    ((epoch + 1) as f64, true)
                } else {
                    let v = logs.get(name).ok_or_else(|| {
                        Error::arg(format!(
                            "ModelCheckpoint: the file path {template:?} uses {{{name}}}, which is not in the logs {:?}",
                            logs.keys().collect::<Vec<_>>()
                        ))
                    })?;
                    (*v, false)
                };
                out.push_str(&format_number(value, is_int, spec).ok_or_else(|| {
                    Error::arg(format!(
                        "ModelCheckpoint: unsupported format spec {spec:?} in {template:?} \
                         (supported: [0][width][.precision][d|f|e|g], width and precision at most {MAX_FIELD})"
                    ))
                })?);
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// The largest width or precision a file-path field may ask for.
const MAX_FIELD: usize = 255;

/// Python's `format(value, spec)` for `[0][width][.precision][d|f|e|g]`.
fn format_number(v: f64, is_int: bool, spec: &str) -> Option<String> {
    let (zero, rest) = match spec.strip_prefix('0') {
        Some(r) => (true, r),
        None => (false, spec),
    };
    let ty = rest.chars().last().filter(|c| c.is_ascii_alphabetic());
    let rest = if ty.is_some() { &rest[..rest.len() - 1] } else { rest };
    let (width, prec) = match rest.split_once('.') {
        Some((w, p)) => (w, Some(p.parse::<usize>().ok()?)),
        None => (rest, None),
    };
    let width = if width.is_empty() {
        0
    } else {
        width.parse::<usize>().ok()?
    };
    // A file name has at most 255 bytes: larger widths (`{epoch:0999999999999d}`
    // asked for a terabyte of zeros) or precisions are refused.
    if width > MAX_FIELD || prec.is_some_and(|p| p > MAX_FIELD) {
        return None;
    }
    let body = match ty {
        Some('d') => format!("{}", v.round() as i64),
        Some('f') => format!("{:.*}", prec.unwrap_or(6), v),
        Some('e') => {
            // Rust writes 1.5e-3; Python 1.500000e-03.
            let s = format!("{:.*e}", prec.unwrap_or(6), v);
            let (m, e) = s.split_once('e')?;
            let e: i32 = e.parse().ok()?;
            format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs())
        }
        Some('g') | None if is_int && prec.is_none() => format!("{}", v as i64),
        Some('g') | None => match prec {
            Some(p) => format!("{}", format!("{:.*e}", p.saturating_sub(1), v).parse::<f64>().ok()?),
            None if v.fract() == 0.0 && v.is_finite() && ty.is_none() => format!("{v:.1}"),
            None => format!("{v}"),
        },
        _ => return None,
    };
    if body.len() >= width {
        return Some(body);
    }
    let pad = width - body.len();
    Some(if zero {
        let (sign, digits) = if let Some(d) = body.strip_prefix('-') {
            ("-", d)
        } else {
            ("", body.as_str())
        };
        format!("{sign}{}{digits}", "0".repeat(pad))
    } else {
        format!("{}{body}", " ".repeat(pad))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_format_specs() {
        // Expected strings are Python's: format(5, "02d"), format(0.123456, ".2f"), ...
        let mut logs = Logs::new();
        logs.insert("val_loss".into(), 0.123456);
        logs.insert("loss".into(), -1.5);
        let f = |t: &str| format_filepath(t, 4, &logs).unwrap();
        assert_eq!(f("w.{epoch:02d}-{val_loss:.2f}.st"), "w.05-0.12.st");
        assert_eq!(f("{epoch}"), "5");
        assert_eq!(f("{epoch:03}"), "005");
        assert_eq!(f("{val_loss:.3e}"), "1.235e-01");
        assert_eq!(f("{loss:07.2f}"), "-001.50");
        assert_eq!(f("{loss}"), "-1.5");
        assert_eq!(f("{{epoch}}"), "{epoch}");
        assert!(format_filepath("{nope}", 0, &logs).is_err());
        assert!(format_filepath("{loss:x}", 0, &logs).is_err());
        // Widths and precisions beyond a file name's 255 bytes are errors
        // (before, the first allocated a terabyte and aborted).
        for t in ["{epoch:0999999999999d}", "{loss:.99999999999f}", "{epoch:256d}"] {
            let e = format_filepath(t, 0, &logs).unwrap_err().to_string();
            assert!(e.contains(t) && e.contains("at most 255"), "{e}");
        }
        assert_eq!(format_filepath("{epoch:03d}", 0, &logs).unwrap().len(), 3);
    }
}
