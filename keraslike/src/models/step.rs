//! One step of training, testing or prediction on a single batch, and the
//! `*_on_batch` methods built on them.
//!
//! A training step is Keras 3's `train_step`: record the forward pass on a
//! [`GradientTape`], reduce the per-sample losses with Keras'
//! `sum_over_batch_size` (`Σ wᵢ·lᵢ / batch`), add the layers'
//! regularization losses, apply the gradients, update the metrics.
//!
//! ```
//! # use keraslike::Sequential;
//! let mut model = Sequential::new(vec![]);
//! // Without layers the model is the identity.
//! let x = tensorlow::Tensor::new(&[1.0f32, 2.0], &[1, 2]).unwrap();
//! assert_eq!(model.predict_on_batch(&x).unwrap().to_vec::<f32>().unwrap(), vec![1.0, 2.0]);
//! ```

use super::sequential::Sequential;
use crate::callbacks::Logs;
use crate::{Error, Result};
use tensorlow::{GradientTape, Tensor, Variable};

impl Sequential {
    /// The forward pass through every layer.
    pub(crate) fn forward(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let mut h = x.clone();
        for l in &self.layers {
            h = l.call(&h, training)?;
        }
        Ok(h)
    }

    /// The model applied to a batch, `model(x, training=...)` in Keras: the
    /// forward pass through every layer, recorded by any active
    /// [`GradientTape`] so a custom training loop can differentiate a loss
    /// of it. `training` selects training behaviour (dropout active, batch
    /// statistics in `BatchNormalization`). Builds the model from `x` on
    /// first use, checks `x`'s shape and moves `x` to the model's device.
    ///
    /// ```
    /// use keraslike::{Dense, Sequential};
    /// use keraslike::tensorlow::{GradientTape, Tensor};
    /// # fn main() -> keraslike::Result<()> {
    /// let mut model = Sequential::new(vec![Box::new(Dense::new(2).input_shape(&[3]))]);
    /// let x = Tensor::new(&[1.0f32, 2.0, 3.0], &[1, 3])?;
    /// let tape = GradientTape::new();
    /// let loss = model.call(&x, true)?.square()?.sum_all()?;
    /// let grads = tape.gradient_of(&loss, &model.trainable_weights())?;
    /// assert!(grads.iter().all(Option::is_some));
    /// # Ok(()) }
    /// ```
    pub fn call(&mut self, x: &Tensor, training: bool) -> Result<Tensor> {
        self.ensure_built(x, "call")?;
        let x = x.to_device(&self.device)?;
        self.forward(&x, training)
    }

    /// The scalar training objective: the weighted mean per-sample loss plus
    /// the layers' regularization penalties.
    pub(crate) fn compute_loss(&self, y: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<Tensor> {
        let c = self
            .compiled
            .as_ref()
            .ok_or_else(|| Error::NotReady("compute_loss: call compile first".into()))?;
        let per = c.loss.per_sample(y, y_pred)?;
        let mut loss = match sample_weight {
            // Keras' sum_over_batch_size: weighted sum divided by the batch
            // size (not by the sum of weights).
            Some(w) => per
                .mul(w)?
                .sum_all()?
                .affine(1.0 / per.elem_count().max(1) as f64, 0.0)?,
            None => per.mean_all()?,
        };
        for l in &self.layers {
            if let Some(r) = l.regularization_loss()? {
                loss = loss.add(&r)?;
            }
        }
        Ok(loss)
    }

    /// One gradient step on a batch; returns the detached scalar loss.
    /// `vars` are the trainable weights, collected once per `fit`.
    pub(crate) fn train_step(
        &mut self,
        x: &Tensor,
        y: &Tensor,
        sample_weight: Option<&Tensor>,
        vars: &[Variable],
    ) -> Result<Tensor> {
        let tape = GradientTape::new();
        let y_pred = self.forward(x, true)?;
        let loss = self.compute_loss(y, &y_pred, sample_weight)?;
        let sources: Vec<&Tensor> = vars.iter().map(|v| &**v).collect();
        let grads = tape.gradient(&loss, &sources)?;
        drop(tape);
        let c = self
            .compiled
            .as_mut()
            .ok_or_else(|| Error::NotReady("train_step: call compile first".into()))?;
        // The optimizer's slots are for every trainable weight, even when this
        // step has no gradient for some (Keras builds it for all of them).
        if !c.optimizer.built() {
            c.optimizer.build(vars)?;
        }
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
        let y_pred = y_pred.stop_gradient();
        c.loss_tracker.update(&loss, x.shape()[0])?;
        for m in &mut c.metrics {
            m.update_state(y, &y_pred, sample_weight)?;
        }
        Ok(loss)
    }

    /// Loss and metric updates for a batch in inference mode.
    pub(crate) fn test_step(&mut self, x: &Tensor, y: &Tensor, sample_weight: Option<&Tensor>) -> Result<Tensor> {
        let (loss, y_pred) = tensorlow::no_grad(|| -> Result<(Tensor, Tensor)> {
            let y_pred = self.forward(x, false)?;
            Ok((self.compute_loss(y, &y_pred, sample_weight)?, y_pred))
        })?;
        let c = self.compiled_mut("test_step")?;
        c.loss_tracker.update(&loss, x.shape()[0])?;
        for m in &mut c.metrics {
            m.update_state(y, &y_pred, sample_weight)?;
        }
        Ok(loss)
    }

    /// The current `loss` and metric values (one host read each).
    pub(crate) fn current_logs(&self) -> Result<Logs> {
        let mut logs = Logs::new();
        if let Some(c) = &self.compiled {
            logs.insert("loss".to_string(), c.loss_tracker.result()?);
            for m in &c.metrics {
                logs.insert(m.name().to_string(), m.result());
            }
        }
        Ok(logs)
    }

    /// Checks a batch for the `*_on_batch` methods and moves it to the model's device.
    fn batch_inputs(
        &mut self,
        what: &str,
        x: &Tensor,
        y: &Tensor,
        sample_weight: Option<&Tensor>,
    ) -> Result<(Tensor, Tensor, Option<Tensor>)> {
        self.compiled_mut(what)?;
        let n = super::data::check_xy(what, x, y)?;
        let sw = super::data::sample_weight_tensor(what, sample_weight, n, x, &self.device)?;
        self.ensure_built(x, what)?;
        Ok((x.to_device(&self.device)?, y.to_device(&self.device)?, sw))
    }

    /// One gradient step on one batch (`model.train_on_batch`); returns the
    /// loss and metrics. Like Keras 3, the values accumulate over calls until
    /// [`reset_metrics`](Sequential::reset_metrics).
    pub fn train_on_batch(&mut self, x: &Tensor, y: &Tensor, sample_weight: Option<&Tensor>) -> Result<Logs> {
        let (x, y, sw) = self.batch_inputs("train_on_batch", x, y, sample_weight)?;
        let vars = self.trainable_weights();
        self.train_step(&x, &y, sw.as_ref(), &vars)?;
        self.current_logs()
    }

    /// Loss and metrics on one batch in inference mode (`model.test_on_batch`).
    pub fn test_on_batch(&mut self, x: &Tensor, y: &Tensor, sample_weight: Option<&Tensor>) -> Result<Logs> {
        let (x, y, sw) = self.batch_inputs("test_on_batch", x, y, sample_weight)?;
        self.test_step(&x, &y, sw.as_ref())?;
        self.current_logs()
    }

    /// The model's output for one batch, in inference mode
    /// (`model.predict_on_batch`); builds the model from `x` if needed.
    pub fn predict_on_batch(&mut self, x: &Tensor) -> Result<Tensor> {
        self.ensure_built(x, "predict_on_batch")?;
        let x = x.to_device(&self.device)?;
        Ok(tensorlow::no_grad(|| self.forward(&x, false))?.stop_gradient())
    }
}
