//! [`Sequential::evaluate`] and [`Sequential::predict`], batched like Keras.
//!
//! ```
//! use keraslike::models::{EvaluateOptions, PredictOptions};
//! assert_eq!(EvaluateOptions::default().batch_size, 32);
//! assert_eq!(PredictOptions { verbose: 0, ..Default::default() }.batch_size, 32);
//! ```

use super::data::{check_xy, sample_weight_tensor, DataSet};
use super::progress::Progbar;
use super::sequential::Sequential;
use crate::callbacks::Logs;
use crate::{Error, Result};
use tensorlow::Tensor;

/// Options of [`Sequential::evaluate`], with Keras' defaults.
#[derive(Clone, Debug)]
pub struct EvaluateOptions {
    /// Samples per batch (default 32).
    pub batch_size: usize,
    /// 0 = silent, 1 = progress bar, 2 = one line (default 1).
    pub verbose: u8,
    /// Per-sample weights of the loss and metrics, shape `(n,)`.
    pub sample_weight: Option<Tensor>,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions {
            batch_size: 32,
            verbose: 1,
            sample_weight: None,
        }
    }
}

/// Options of [`Sequential::predict`], with Keras' defaults.
#[derive(Clone, Debug)]
pub struct PredictOptions {
    /// Samples per batch (default 32).
    pub batch_size: usize,
    /// 0 = silent, 1 = progress bar, 2 = one line (default 1).
    pub verbose: u8,
}

impl Default for PredictOptions {
    fn default() -> Self {
        PredictOptions {
            batch_size: 32,
            verbose: 1,
        }
    }
}

fn check_batch(what: &str, batch_size: usize, verbose: u8) -> Result<()> {
    if batch_size == 0 {
        return Err(Error::arg(format!("{what}: batch_size must be at least 1")));
    }
    if verbose > 2 {
        return Err(Error::arg(format!("{what}: verbose must be 0, 1 or 2, got {verbose}")));
    }
    Ok(())
}

impl Sequential {
    /// The loss and metrics on `(x, y)` in inference mode (`model.evaluate`),
    /// e.g. `{"accuracy": 0.97, "loss": 0.08}`. The loss is the mean over all
    /// samples (batch means weighted by batch size), as Keras reports it.
    pub fn evaluate(&mut self, x: &Tensor, y: &Tensor, options: EvaluateOptions) -> Result<Logs> {
        check_batch("evaluate", options.batch_size, options.verbose)?;
        self.compiled_mut("evaluate")?;
        let n = check_xy("evaluate", x, y)?;
        self.ensure_built(x, "evaluate")?;
        let dev = self.device.clone();
        let data = DataSet {
            x: x.to_device(&dev)?,
            y: y.to_device(&dev)?,
            sample_weight: sample_weight_tensor("evaluate", options.sample_weight.as_ref(), n, x, &dev)?,
        };
        self.evaluate_dataset(&data, options.batch_size, options.verbose)
    }

    /// Evaluation of data already on the model's device (also `fit`'s validation).
    pub(crate) fn evaluate_dataset(&mut self, data: &DataSet, batch_size: usize, verbose: u8) -> Result<Logs> {
        self.reset_metrics();
        let n = data.len();
        let steps = n.div_ceil(batch_size);
        let mut bar = Progbar::new(steps, verbose);
        for step in 0..steps {
            let start = step * batch_size;
            let b = data.narrow(start, batch_size.min(n - start))?;
            self.test_step(&b.x, &b.y, b.sample_weight.as_ref())?;
            if bar.step_done(step + 1) {
                bar.update(step + 1, &self.current_logs()?);
            }
        }
        let logs = self.current_logs()?;
        bar.finish(&logs);
        Ok(logs)
    }

    /// The model's outputs for `x` in inference mode (`model.predict`),
    /// computed `batch_size` samples at a time and concatenated. Builds the
    /// model from `x` if needed.
    pub fn predict(&mut self, x: &Tensor, options: PredictOptions) -> Result<Tensor> {
        check_batch("predict", options.batch_size, options.verbose)?;
        if x.rank() == 0 || x.shape()[0] == 0 {
            return Err(Error::data(format!(
                "predict: x must hold at least one sample, got shape {:?}",
                x.shape()
            )));
        }
        self.ensure_built(x, "predict")?;
        let x = x.to_device(&self.device)?;
        let n = x.shape()[0];
        let steps = n.div_ceil(options.batch_size);
        let mut bar = Progbar::new(steps, options.verbose);
        let mut outputs = Vec::with_capacity(steps);
        tensorlow::no_grad(|| -> Result<()> {
            for step in 0..steps {
                let start = step * options.batch_size;
                let xb = x.narrow(0, start, options.batch_size.min(n - start))?;
                outputs.push(self.forward(&xb, false)?.stop_gradient());
                if bar.step_done(step + 1) {
                    bar.update(step + 1, &Logs::new());
                }
            }
            Ok(())
        })?;
        bar.finish(&Logs::new());
        Ok(Tensor::concat(&outputs.iter().collect::<Vec<_>>(), 0)?)
    }
}
