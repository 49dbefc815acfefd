//! One step of training, testing or prediction on a single batch, the
//! model as a function ([`Model::call`]) and the `*_on_batch` methods.
//!
//! A training step is Keras 3's `train_step`: record the forward pass on a
//! [`GradientTape`], add up the outputs' losses (each Keras'
//! `sum_over_batch_size`, times its loss weight) and the layers'
//! regularization penalties, apply the gradients, update the metrics.
//!
//! ```
//! use keraslike::{sequential, Sequential};
//! let model: Sequential = sequential![];
//! // Without layers the model is the identity.
//! let x = tensorlow::Tensor::new(&[1.0f32, 2.0], &[1, 2]).unwrap();
//! assert_eq!(model.predict_on_batch(&x).unwrap().to_vec::<f32>().unwrap(), vec![1.0, 2.0]);
//! ```

use super::compile::Compiled;
use super::data::{self, IntoData};
use super::Model;
use crate::callbacks::Logs;
use crate::layers::LayerRef;
use crate::{Error, Result};
use tensorlow::{GradientTape, Tensor, Variable};

impl Model {
    /// The model applied to a batch of each input (`model(x,
    /// training=...)`): the forward pass, recorded by any active
    /// [`GradientTape`] so a custom training loop can differentiate a loss
    /// of it. Builds the model from the batch if needed, checks its shape and
    /// moves it to the model's device. For a model with one output; see
    /// [`call_multi`](Self::call_multi).
    ///
    /// ```
    /// use keraslike::{sequential, layers::Dense};
    /// use keraslike::tensorlow::{GradientTape, Tensor};
    /// # fn main() -> keraslike::Result<()> {
    /// let model = sequential![Dense::new(2).input_shape(&[3])];
    /// let x = Tensor::new(&[1.0f32, 2.0, 3.0], &[1, 3])?;
    /// let tape = GradientTape::new();
    /// let loss = model.call(&x, true)?.square()?.sum_all()?;
    /// let grads = tape.gradient_of(&loss, &model.trainable_weights())?;
    /// assert!(grads.iter().all(Option::is_some));
    /// # Ok(()) }
    /// ```
    pub fn call(&self, x: impl IntoData, training: bool) -> Result<Tensor> {
        let mut out = self.call_multi(x, training)?;
        self.single_output(&mut out, "call")
    }

    /// [`call`](Self::call) returning every output.
    pub fn call_multi(&self, x: impl IntoData, training: bool) -> Result<Vec<Tensor>> {
        let xs = data::resolve("call", "x", x.into_data(), &self.input_names())?;
        self.ensure_built(&xs, "call")?;
        let xs = to_device(&xs, &self.device)?;
        self.net.forward(&xs, training)
    }

    pub(crate) fn single_output(&self, out: &mut Vec<Tensor>, what: &str) -> Result<Tensor> {
        if out.len() != 1 {
            return Err(Error::arg(format!(
                "{what}: model {:?} has {} outputs {:?}; use {what}_multi to get them all",
                self.name,
                out.len(),
                self.output_names()
            )));
        }
        Ok(out.remove(0))
    }

    /// The sum of every layer's regularization penalty, if any.
    pub(crate) fn regularization_loss(&self) -> Result<Option<Tensor>> {
        let mut total: Option<Tensor> = None;
        for l in self.net.weight_layers() {
            if let Some(r) = l.read().regularization_loss()? {
                total = Some(match total {
                    None => r,
                    Some(t) => t.add(&r)?,
                });
            }
        }
        Ok(total)
    }

    /// The training objective of a batch and the outputs' own losses.
    fn objective(
        &self,
        c: &Compiled,
        ys: &[Tensor],
        preds: &[Tensor],
        sample_weight: Option<&Tensor>,
    ) -> Result<(Tensor, Vec<Option<Tensor>>)> {
        let (mut loss, per) = c.loss(ys, preds, sample_weight)?;
        if let Some(r) = self.regularization_loss()? {
            loss = loss.add(&r)?;
        }
        Ok((loss, per))
    }

    /// One gradient step on a batch already on the model's device; `vars`
    /// are the trainable weights, collected once per `fit`.
    pub(crate) fn train_step(
        &mut self,
        xs: &[Tensor],
        ys: &[Tensor],
        sample_weight: Option<&Tensor>,
        vars: &[Variable],
    ) -> Result<()> {
        let tape = GradientTape::new();
        let preds = self.net.forward(xs, true)?;
        let c = self.compiled_ref("train_step")?;
        let (loss, per) = self.objective(c, ys, &preds, sample_weight)?;
        let sources: Vec<&Tensor> = vars.iter().map(|v| &**v).collect();
        let grads = tape.gradient(&loss, &sources)?;
        drop(tape);
        let c = self.compiled_mut("train_step")?;
        if grads.iter().all(Option::is_some) {
            let grads: Vec<Tensor> = grads.into_iter().flatten().collect();
            c.optimizer.apply_gradients(&grads, vars)?;
        } else {
            // Weights the loss does not depend on get no update (Keras warns
            // and skips them too).
            let (g, v): (Vec<Tensor>, Vec<Variable>) = grads
                .into_iter()
                .zip(vars)
                .filter_map(|(g, v)| g.map(|g| (g, v.clone())))
                .unzip();
            if !g.is_empty() {
                c.optimizer.apply_gradients(&g, &v)?;
            }
        }
        let loss = loss.stop_gradient();
        let per: Vec<Option<Tensor>> = per.into_iter().map(|p| p.map(|p| p.stop_gradient())).collect();
        let preds: Vec<Tensor> = preds.iter().map(Tensor::stop_gradient).collect();
        Compiled::update(c.state_mut(), &loss, &per, ys, &preds, sample_weight, xs[0].shape()[0])
    }

    /// Loss and metric updates for a batch in inference mode.
    pub(crate) fn test_step(&self, xs: &[Tensor], ys: &[Tensor], sample_weight: Option<&Tensor>) -> Result<()> {
        let c = self.compiled_ref("test_step")?;
        let (loss, per, preds) = tensorlow::no_grad(|| -> Result<_> {
            let preds = self.net.forward(xs, false)?;
            let (loss, per) = self.objective(c, ys, &preds, sample_weight)?;
            Ok((loss, per, preds))
        })?;
        Compiled::update(&mut c.state(), &loss, &per, ys, &preds, sample_weight, xs[0].shape()[0])
    }

    /// The current loss and metric values (one host read each).
    pub(crate) fn current_logs(&self) -> Result<Logs> {
        match &self.compiled {
            Some(c) => c.logs(&c.state()),
            None => Ok(Logs::new()),
        }
    }

    /// Checks a batch for the `*_on_batch` methods and moves it to the model's device.
    pub(crate) fn batch_inputs(
        &self,
        what: &str,
        x: impl IntoData,
        y: impl IntoData,
        sample_weight: Option<&Tensor>,
    ) -> Result<(Vec<Tensor>, Vec<Tensor>, Option<Tensor>)> {
        let c = self.compiled_ref(what)?;
        let xs = data::resolve(what, "x", x.into_data(), &self.input_names())?;
        let ys = data::targets(what, y.into_data(), c)?;
        let n = data::check_xy(what, &xs, &ys)?;
        let sw = data::sample_weight_tensor(what, sample_weight, n, &xs[0], &self.device)?;
        self.ensure_built(&xs, what)?;
        Ok((to_device(&xs, &self.device)?, to_device(&ys, &self.device)?, sw))
    }

    /// One gradient step on one batch (`model.train_on_batch`); returns the
    /// loss and metrics of this batch. Like Keras 3 (3.15's trainers call
    /// `reset_metrics()` first), the metrics are reset before the step, so
    /// nothing from an earlier `fit`, `evaluate` or batch is mixed in.
    pub fn train_on_batch(
        &mut self,
        x: impl IntoData,
        y: impl IntoData,
        sample_weight: Option<&Tensor>,
    ) -> Result<Logs> {
        let (xs, ys, sw) = self.batch_inputs("train_on_batch", x, y, sample_weight)?;
        self.reset_metrics();
        let vars = self.trainable_weights();
        self.build_optimizer(&vars)?;
        self.train_step(&xs, &ys, sw.as_ref(), &vars)?;
        self.current_logs()
    }

    /// Loss and metrics on one batch in inference mode (`model.test_on_batch`),
    /// the metrics reset first as in Keras 3.
    pub fn test_on_batch(&self, x: impl IntoData, y: impl IntoData, sample_weight: Option<&Tensor>) -> Result<Logs> {
        let (xs, ys, sw) = self.batch_inputs("test_on_batch", x, y, sample_weight)?;
        self.reset_metrics();
        self.test_step(&xs, &ys, sw.as_ref())?;
        self.current_logs()
    }

    /// The model's output for one batch, in inference mode
    /// (`model.predict_on_batch`); builds the model from `x` if needed.
    pub fn predict_on_batch(&self, x: impl IntoData) -> Result<Tensor> {
        let mut out = self.predict_on_batch_multi(x)?;
        self.single_output(&mut out, "predict_on_batch")
    }

    /// [`predict_on_batch`](Self::predict_on_batch) returning every output.
    pub fn predict_on_batch_multi(&self, x: impl IntoData) -> Result<Vec<Tensor>> {
        let xs = data::resolve("predict_on_batch", "x", x.into_data(), &self.input_names())?;
        self.ensure_built(&xs, "predict_on_batch")?;
        let xs = to_device(&xs, &self.device)?;
        let out = tensorlow::no_grad(|| self.net.forward(&xs, false))?;
        Ok(out.iter().map(Tensor::stop_gradient).collect())
    }

    /// Builds the optimizer's state for `vars` (Keras' `optimizer.build`,
    /// once per compile). When the trainable weights changed since (a layer
    /// was frozen or unfrozen after training began), the optimizer is built
    /// again for the new list: its slots restart from zero and its step
    /// count is kept (Keras asks to re-compile in that case).
    pub(crate) fn build_optimizer(&mut self, vars: &[Variable]) -> Result<()> {
        let c = self.compiled_mut("fit")?;
        let ids: Vec<u64> = vars.iter().map(|v| v.id()).collect();
        if !c.optimizer.built() || c.built_for != ids {
            c.optimizer.build(vars)?;
            c.built_for = ids;
        }
        Ok(())
    }
}

/// Each tensor moved to `device` (no copy when already there).
pub(crate) fn to_device(ts: &[Tensor], device: &tensorlow::Device) -> Result<Vec<Tensor>> {
    ts.iter().map(|t| Ok(t.to_device(device)?)).collect()
}

/// Every layer handle of a model, nested models' layers included.
#[allow(dead_code)]
pub(crate) fn all_layers(layers: &[LayerRef]) -> Vec<LayerRef> {
    let mut out = Vec::new();
    for l in layers {
        out.push(l.clone());
        out.extend(all_layers(&l.read().sublayers()));
    }
    out
}
