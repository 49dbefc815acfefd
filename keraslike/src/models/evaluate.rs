//! [`Model::evaluate`] and [`Model::predict`], batched like Keras.
//!
//! ```
//! use keraslike::models::{EvaluateOptions, PredictOptions};
//! assert_eq!(EvaluateOptions::default().batch_size, 32);
//! assert_eq!(PredictOptions { verbose: 0, ..Default::default() }.batch_size, 32);
//! ```

use super::data::{self, check_x, check_xy, sample_weight_tensor, DataSet, IntoData};
use super::progress::Progbar;
use super::step::to_device;
use super::Model;
use crate::callbacks::Logs;
use crate::{Error, Result};
use tensorlow::Tensor;

/// Options of [`Model::evaluate`], with Keras' defaults.
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

/// Options of [`Model::predict`], with Keras' defaults.
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

impl EvaluateOptions {
    /// Samples per batch (default 32).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
    /// 0 = silent, 1 = progress bar, 2 = one line (default 1).
    pub fn verbose(mut self, verbose: u8) -> Self {
        self.verbose = verbose;
        self
    }
    /// Per-sample weights of the loss and metrics, shape `(n,)`.
    pub fn sample_weight(mut self, w: &Tensor) -> Self {
        self.sample_weight = Some(w.clone());
        self
    }
}

impl PredictOptions {
    /// Samples per batch (default 32).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
    /// 0 = silent, 1 = progress bar, 2 = one line (default 1).
    pub fn verbose(mut self, verbose: u8) -> Self {
        self.verbose = verbose;
        self
    }
}

impl Model {
    /// The loss and metrics on `(x, y)` in inference mode (`model.evaluate`),
    /// e.g. `{"accuracy": 0.97, "loss": 0.08}`. The loss is the mean over all
    /// samples (batch means weighted by batch size), as Keras reports it.
    /// Takes `&self`: evaluations from several threads take turns on the
    /// model's metric state.
    pub fn evaluate(&self, x: impl IntoData, y: impl IntoData, options: EvaluateOptions) -> Result<Logs> {
        check_batch("evaluate", options.batch_size, options.verbose)?;
        let c = self.compiled_ref("evaluate")?;
        let xs = data::resolve("evaluate", "x", x.into_data(), &self.input_names())?;
        let ys = data::targets("evaluate", y.into_data(), c)?;
        let n = check_xy("evaluate", &xs, &ys)?;
        self.ensure_built(&xs, "evaluate")?;
        let dev = self.device.clone();
        let data = DataSet {
            x: to_device(&xs, &dev)?,
            y: to_device(&ys, &dev)?,
            sample_weight: sample_weight_tensor("evaluate", options.sample_weight.as_ref(), n, &xs[0], &dev)?,
        };
        self.evaluate_dataset(&data, options.batch_size, options.verbose)
    }

    /// Evaluation of data already on the model's device (also `fit`'s validation).
    pub(crate) fn evaluate_dataset(&self, data: &DataSet, batch_size: usize, verbose: u8) -> Result<Logs> {
        let c = self.compiled_ref("evaluate")?;
        // One evaluation at a time per model: hold the metric state throughout.
        let mut st = c.state();
        st.reset();
        let n = data.len();
        let steps = n.div_ceil(batch_size);
        let mut bar = Progbar::new(steps, verbose);
        for step in 0..steps {
            let start = step * batch_size;
            let b = data.narrow(start, batch_size.min(n - start))?;
            let (loss, per, preds) = tensorlow::no_grad(|| -> Result<_> {
                let preds = self.net.forward(&b.x, false)?;
                let (mut loss, per) = c.loss(&b.y, &preds, b.sample_weight.as_ref())?;
                if let Some(r) = self.regularization_loss()? {
                    loss = loss.add(&r)?;
                }
                Ok((loss, per, preds))
            })?;
            super::compile::Compiled::update(
                &mut st,
                &loss,
                &per,
                &b.y,
                &preds,
                b.sample_weight.as_ref(),
                b.x[0].shape()[0],
            )?;
            if bar.step_done(step + 1) {
                bar.update(step + 1, &c.logs(&st)?);
            }
        }
        let logs = c.logs(&st)?;
        bar.finish(&logs);
        Ok(logs)
    }

    /// The model's outputs for `x` in inference mode (`model.predict`),
    /// computed `batch_size` samples at a time and concatenated. Builds the
    /// model from `x` if needed. For a model with one output; see
    /// [`predict_multi`](Self::predict_multi).
    pub fn predict(&self, x: impl IntoData, options: PredictOptions) -> Result<Tensor> {
        let mut out = self.predict_multi(x, options)?;
        self.single_output(&mut out, "predict")
    }

    /// [`predict`](Self::predict) returning one tensor per output.
    pub fn predict_multi(&self, x: impl IntoData, options: PredictOptions) -> Result<Vec<Tensor>> {
        check_batch("predict", options.batch_size, options.verbose)?;
        let xs = data::resolve("predict", "x", x.into_data(), &self.input_names())?;
        if xs.iter().any(|x| x.rank() == 0 || x.shape()[0] == 0) {
            return Err(Error::data(format!(
                "predict: x must hold at least one sample, got shape {:?}",
                xs[0].shape()
            )));
        }
        let n = check_x("predict", &xs)?;
        self.ensure_built(&xs, "predict")?;
        let xs = to_device(&xs, &self.device)?;
        let steps = n.div_ceil(options.batch_size);
        let mut bar = Progbar::new(steps, options.verbose);
        let mut outputs: Vec<Vec<Tensor>> = Vec::with_capacity(steps);
        tensorlow::no_grad(|| -> Result<()> {
            for step in 0..steps {
                let start = step * options.batch_size;
                let len = options.batch_size.min(n - start);
                let xb = xs
                    .iter()
                    .map(|x| x.narrow(0, start, len))
                    .collect::<tensorlow::Result<Vec<_>>>()?;
                outputs.push(
                    self.net
                        .forward(&xb, false)?
                        .iter()
                        .map(Tensor::stop_gradient)
                        .collect(),
                );
                if bar.step_done(step + 1) {
                    bar.update(step + 1, &Logs::new());
                }
            }
            Ok(())
        })?;
        bar.finish(&Logs::new());
        let n_out = outputs.first().map(Vec::len).unwrap_or(0);
        (0..n_out)
            .map(|k| {
                let parts: Vec<&Tensor> = outputs.iter().map(|o| &o[k]).collect();
                Ok(Tensor::concat(&parts, 0)?)
            })
            .collect()
    }
}
