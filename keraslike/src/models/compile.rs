//! `compile`: an optimizer, one loss per output (or one for all), metrics
//! per output and loss weights — and the running state `fit`/`evaluate`
//! report (Keras' `CompileLoss` and `CompileMetrics`).
//!
//! Log names follow Keras 3: `loss` is the total; with several outputs
//! each output's unweighted loss is `<output>_loss` and its metrics
//! `<output>_<metric>` (the output's name is the name of the layer that
//! produces it).
//!
//! ```
//! use keraslike::layers::{Dense, Input, Layer};
//! use keraslike::models::CompileOptions;
//! use keraslike::Model;
//! # fn main() -> keraslike::Result<()> {
//! let x = Input::new(&[4]);
//! let cls = Dense::new(3).activation("softmax").name("cls").apply(&x)?;
//! let reg = Dense::new(1).name("reg").apply(&x)?;
//! let mut model = Model::functional(&x, [&cls, &reg])?;
//! model.compile_with(
//!     "adam",
//!     [("cls", "categorical_crossentropy"), ("reg", "mse")],
//!     [("cls", &["accuracy"][..]), ("reg", &["mae"][..])],
//!     CompileOptions::default().loss_weights([1.0, 0.5]),
//! )?;
//! let logs = model.metrics_names();
//! assert_eq!(logs, ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]);
//! # Ok(()) }
//! ```

use super::loss_tracker::LossTracker;
use super::Model;
use crate::callbacks::Logs;
use crate::losses::{IntoLoss, Loss};
use crate::metrics::{IntoMetrics, Metric};
use crate::optimizers::{IntoOptimizer, Optimizer};
use crate::{Error, Result};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use tensorlow::Tensor;

/// The options of [`Model::compile_with`] beyond the optimizer, losses and metrics.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// How much each output's loss counts in the total (default 1 each).
    pub loss_weights: Option<LossWeights>,
}

impl CompileOptions {
    /// Sets the loss weights: a list (one per output) or `[(name, weight)]`.
    pub fn loss_weights(mut self, w: impl Into<LossWeights>) -> Self {
        self.loss_weights = Some(w.into());
        self
    }
}

/// Loss weights, by output position or by output name.
#[derive(Clone, Debug, PartialEq)]
pub enum LossWeights {
    /// One weight per output, in order.
    List(Vec<f64>),
    /// Weights by output name (outputs not named weigh 1).
    ByName(Vec<(String, f64)>),
}

impl From<Vec<f64>> for LossWeights {
    fn from(v: Vec<f64>) -> Self {
        LossWeights::List(v)
    }
}
impl<const N: usize> From<[f64; N]> for LossWeights {
    fn from(v: [f64; N]) -> Self {
        LossWeights::List(v.to_vec())
    }
}
impl From<&[f64]> for LossWeights {
    fn from(v: &[f64]) -> Self {
        LossWeights::List(v.to_vec())
    }
}
impl<const N: usize> From<[(&str, f64); N]> for LossWeights {
    fn from(v: [(&str, f64); N]) -> Self {
        LossWeights::ByName(v.iter().map(|(k, w)| (k.to_string(), *w)).collect())
    }
}

/// Losses of a model's outputs.
pub enum Losses {
    /// The same loss for every output.
    All(Box<dyn Loss>),
    /// One per output, in order (`None`: the output is not trained).
    List(Vec<Option<Box<dyn Loss>>>),
    /// By output name (outputs not named are not trained).
    ByName(Vec<(String, Box<dyn Loss>)>),
}

/// What `compile` accepts as losses: one loss (name or object) for every
/// output, a list with one per output, or `[(output name, loss)]`.
pub trait IntoLosses {
    /// Resolves the losses.
    fn into_losses(self) -> Result<Losses>;
}
impl IntoLosses for Losses {
    fn into_losses(self) -> Result<Losses> {
        Ok(self)
    }
}
impl<L: IntoLoss> IntoLosses for L {
    fn into_losses(self) -> Result<Losses> {
        Ok(Losses::All(self.into_loss()?))
    }
}
impl<L: IntoLoss> IntoLosses for Vec<L> {
    fn into_losses(self) -> Result<Losses> {
        Ok(Losses::List(
            self.into_iter()
                .map(|l| l.into_loss().map(Some))
                .collect::<Result<_>>()?,
        ))
    }
}
impl<L: IntoLoss, const N: usize> IntoLosses for [L; N] {
    fn into_losses(self) -> Result<Losses> {
        Vec::from(self).into_losses()
    }
}
impl<L: IntoLoss, const N: usize> IntoLosses for [(&str, L); N] {
    fn into_losses(self) -> Result<Losses> {
        Ok(Losses::ByName(
            self.into_iter()
                .map(|(k, l)| Ok((k.to_string(), l.into_loss()?)))
                .collect::<Result<_>>()?,
        ))
    }
}
impl<L: IntoLoss> IntoLosses for Vec<(&str, L)> {
    fn into_losses(self) -> Result<Losses> {
        Ok(Losses::ByName(
            self.into_iter()
                .map(|(k, l)| Ok((k.to_string(), l.into_loss()?)))
                .collect::<Result<_>>()?,
        ))
    }
}

/// Resolves a flat metric list given the output's loss name.
pub type ResolveMetrics<'a> = Box<dyn FnOnce(&str) -> Result<Vec<Box<dyn Metric>>> + 'a>;

/// Metrics of a model's outputs.
pub enum OutputMetrics<'a> {
    /// Metrics of a single-output model (a flat list).
    Flat(ResolveMetrics<'a>),
    /// One list per output, in order.
    List(Vec<Vec<String>>),
    /// Lists by output name.
    ByName(Vec<(String, Vec<String>)>),
    /// Metric objects, one list per output (what `load_model` restores).
    Resolved(Vec<Vec<Box<dyn Metric>>>),
}

/// What `compile` accepts as metrics: a flat list (`&["accuracy"]`) for a
/// single-output model, one list per output (`[&["accuracy"][..], &["mae"]]`),
/// or lists by output name (`[("cls", &["accuracy"][..])]`).
pub trait IntoOutputMetrics<'a> {
    /// Resolves the metric lists.
    fn into_output_metrics(self) -> OutputMetrics<'a>;
}
impl<'a, M: IntoMetrics + 'a> IntoOutputMetrics<'a> for M {
    fn into_output_metrics(self) -> OutputMetrics<'a> {
        OutputMetrics::Flat(Box::new(move |loss: &str| self.into_metrics(loss)))
    }
}
impl<'a, const N: usize> IntoOutputMetrics<'a> for [&[&str]; N] {
    fn into_output_metrics(self) -> OutputMetrics<'a> {
        OutputMetrics::List(self.iter().map(|l| l.iter().map(|s| s.to_string()).collect()).collect())
    }
}
impl<'a> IntoOutputMetrics<'a> for OutputMetrics<'a> {
    fn into_output_metrics(self) -> OutputMetrics<'a> {
        self
    }
}
impl<'a> IntoOutputMetrics<'a> for &[&[&str]] {
    fn into_output_metrics(self) -> OutputMetrics<'a> {
        OutputMetrics::List(self.iter().map(|l| l.iter().map(|s| s.to_string()).collect()).collect())
    }
}
impl<'a, const N: usize> IntoOutputMetrics<'a> for [(&str, &[&str]); N] {
    fn into_output_metrics(self) -> OutputMetrics<'a> {
        OutputMetrics::ByName(
            self.iter()
                .map(|(k, l)| (k.to_string(), l.iter().map(|s| s.to_string()).collect()))
                .collect(),
        )
    }
}

/// One output's loss, weight and metrics.
pub(crate) struct OutputSpec {
    pub loss: Option<Arc<dyn Loss>>,
    pub weight: f64,
}

/// The running values `fit`/`evaluate` report.
pub(crate) struct CompileState {
    pub loss: LossTracker,
    /// Per-output unweighted losses (only with several outputs with losses).
    pub output_losses: Vec<Option<LossTracker>>,
    pub metrics: Vec<Vec<Box<dyn Metric>>>,
}

impl CompileState {
    pub fn reset(&mut self) {
        self.loss.reset();
        for t in self.output_losses.iter_mut().flatten() {
            t.reset();
        }
        for m in self.metrics.iter_mut().flatten() {
            m.reset_state();
        }
    }
}

/// What `compile` sets up.
pub(crate) struct Compiled {
    pub optimizer: Box<dyn Optimizer>,
    /// The ids of the variables the optimizer was built for, in its order.
    pub built_for: Vec<u64>,
    pub outputs: Vec<OutputSpec>,
    pub output_names: Vec<String>,
    state: Mutex<CompileState>,
}

impl Compiled {
    /// The running values (a lock: `evaluate(&self)` may run on several threads).
    pub fn state(&self) -> MutexGuard<'_, CompileState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The running values, without locking (`fit` holds `&mut self`).
    pub fn state_mut(&mut self) -> &mut CompileState {
        self.state.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether log names carry the output name (several outputs).
    fn multi(&self) -> bool {
        self.outputs.len() > 1
    }

    /// The names of everything the logs report, in Keras' order.
    pub fn log_names(&self) -> Vec<String> {
        let st = self.state();
        let mut names = vec!["loss".to_string()];
        for (i, t) in st.output_losses.iter().enumerate() {
            if t.is_some() {
                names.push(format!("{}_loss", self.output_names[i]));
            }
        }
        for (i, ms) in st.metrics.iter().enumerate() {
            for m in ms {
                names.push(self.metric_name(i, m.name()));
            }
        }
        names
    }

    fn metric_name(&self, output: usize, metric: &str) -> String {
        if self.multi() {
            format!("{}_{metric}", self.output_names[output])
        } else {
            metric.to_string()
        }
    }

    /// The current logs (a host read for each value).
    pub fn logs(&self, st: &CompileState) -> Result<Logs> {
        let mut logs = BTreeMap::new();
        logs.insert("loss".to_string(), st.loss.result()?);
        for (i, t) in st.output_losses.iter().enumerate() {
            if let Some(t) = t {
                logs.insert(format!("{}_loss", self.output_names[i]), t.result()?);
            }
        }
        for (i, ms) in st.metrics.iter().enumerate() {
            for m in ms {
                logs.insert(self.metric_name(i, m.name()), m.result());
            }
        }
        Ok(logs)
    }

    /// The scalar objective and the unweighted loss of each output with a
    /// loss: `Σ wᵢ·lossᵢ` (each loss Keras' `sum_over_batch_size` of its
    /// per-sample values), before regularization.
    pub fn loss(
        &self,
        ys: &[Tensor],
        preds: &[Tensor],
        sample_weight: Option<&Tensor>,
    ) -> Result<(Tensor, Vec<Option<Tensor>>)> {
        let mut total: Option<Tensor> = None;
        let mut per = Vec::with_capacity(self.outputs.len());
        for (i, o) in self.outputs.iter().enumerate() {
            let Some(loss) = &o.loss else {
                per.push(None);
                continue;
            };
            let y = ys
                .get(i)
                .ok_or_else(|| Error::arg(format!("no target for output {:?}", self.output_names[i])))?;
            let v = batch_loss(loss.as_ref(), y, &preds[i], sample_weight)?;
            let weighted = if o.weight == 1.0 {
                v.clone()
            } else {
                v.affine(o.weight, 0.0)?
            };
            total = Some(match total {
                None => weighted,
                Some(t) => t.add(&weighted)?,
            });
            per.push(Some(v));
        }
        let total = total.ok_or_else(|| Error::arg("compile: no output has a loss"))?;
        Ok((total, per))
    }

    /// Updates the trackers and metrics after a batch of `n` samples.
    pub fn update(
        st: &mut CompileState,
        total: &Tensor,
        per: &[Option<Tensor>],
        ys: &[Tensor],
        preds: &[Tensor],
        sample_weight: Option<&Tensor>,
        n: usize,
    ) -> Result<()> {
        st.loss.update(total, n)?;
        for (t, v) in st.output_losses.iter_mut().zip(per) {
            if let (Some(t), Some(v)) = (t, v) {
                t.update(v, n)?;
            }
        }
        for (i, ms) in st.metrics.iter_mut().enumerate() {
            for m in ms {
                m.update_state(&ys[i], &preds[i], sample_weight)?;
            }
        }
        Ok(())
    }
}

/// Keras' `sum_over_batch_size`: the weighted sum of the per-sample losses
/// divided by the batch size (not by the sum of weights).
fn batch_loss(loss: &dyn Loss, y: &Tensor, y_pred: &Tensor, sample_weight: Option<&Tensor>) -> Result<Tensor> {
    let per = loss.per_sample(y, y_pred)?;
    Ok(match sample_weight {
        Some(w) => per
            .mul(w)?
            .sum_all()?
            .affine(1.0 / per.elem_count().max(1) as f64, 0.0)?,
        None => per.mean_all()?,
    })
}

impl Model {
    /// Configures training (`model.compile`): an optimizer (name or object),
    /// losses (see [`IntoLosses`]: one for all outputs, a list, or by
    /// output name) and metrics (see [`IntoOutputMetrics`]). Configuration
    /// mistakes of the layers (an unknown activation name, say) are
    /// reported here.
    pub fn compile<'a>(
        &mut self,
        optimizer: impl IntoOptimizer,
        loss: impl IntoLosses,
        metrics: impl IntoOutputMetrics<'a>,
    ) -> Result<()> {
        self.compile_with(optimizer, loss, metrics, CompileOptions::default())
    }

    /// [`compile`](Self::compile) with options (loss weights).
    pub fn compile_with<'a>(
        &mut self,
        optimizer: impl IntoOptimizer,
        loss: impl IntoLosses,
        metrics: impl IntoOutputMetrics<'a>,
        options: CompileOptions,
    ) -> Result<()> {
        for l in self.layers() {
            let guard = l.read();
            if let Some(e) = guard.config_error() {
                return Err(Error::arg(format!("{} {:?}: {e}", guard.class_name(), guard.name())));
            }
        }
        let names = self.output_names();
        let n = names.len();
        let list_err = |what: &str, got: usize| {
            Error::arg(format!(
                "compile: got {got} {what} for {n} output(s) {names:?}; give one per output, or name them \
                 with [(\"output\", ...)]"
            ))
        };
        let unknown = |what: &str, k: &str| {
            Error::arg(format!(
                "compile: {what} for {k:?}, which is not an output of model {:?} (outputs: {names:?})",
                self.name
            ))
        };
        let losses: Vec<Option<Arc<dyn Loss>>> = match loss.into_losses()? {
            Losses::All(l) => {
                let l: Arc<dyn Loss> = Arc::from(l);
                vec![Some(l); n]
            }
            Losses::List(v) => {
                if v.len() != n {
                    return Err(list_err("losses", v.len()));
                }
                v.into_iter().map(|l| l.map(Arc::from)).collect()
            }
            Losses::ByName(v) => {
                let mut out: Vec<Option<Arc<dyn Loss>>> = vec![None; n];
                for (k, l) in v {
                    let i = names
                        .iter()
                        .position(|o| *o == k)
                        .ok_or_else(|| unknown("a loss", &k))?;
                    out[i] = Some(Arc::from(l));
                }
                out
            }
        };
        if losses.iter().all(Option::is_none) {
            return Err(Error::arg("compile: no output has a loss"));
        }
        let weights = match options.loss_weights {
            None => vec![1.0; n],
            Some(LossWeights::List(w)) => {
                if w.len() != n {
                    return Err(list_err("loss weights", w.len()));
                }
                w
            }
            Some(LossWeights::ByName(v)) => {
                let mut w = vec![1.0; n];
                for (k, x) in v {
                    let i = names
                        .iter()
                        .position(|o| *o == k)
                        .ok_or_else(|| unknown("a loss weight", &k))?;
                    w[i] = x;
                }
                w
            }
        };
        // `"accuracy"` resolves from the loss's class (its name may be the user's).
        let loss_name = |i: usize| {
            losses[i]
                .as_ref()
                .map(|l| l.class_name().to_string())
                .unwrap_or_default()
        };
        let resolve = |i: usize, list: &[String]| -> Result<Vec<Box<dyn Metric>>> {
            list.iter().map(|m| crate::metrics::get(m, &loss_name(i))).collect()
        };
        let metrics: Vec<Vec<Box<dyn Metric>>> = match metrics.into_output_metrics() {
            OutputMetrics::Flat(f) => {
                if n == 1 {
                    vec![f(&loss_name(0))?]
                } else {
                    let m = f(&loss_name(0))?;
                    if !m.is_empty() {
                        return Err(Error::arg(format!(
                            "compile: model {:?} has {n} outputs {names:?}; give its metrics per output, \
                             as [(\"{}\", &[\"accuracy\"][..]), ...] or one list per output",
                            self.name, names[0]
                        )));
                    }
                    (0..n).map(|_| Vec::new()).collect()
                }
            }
            OutputMetrics::List(v) => {
                if v.len() != n {
                    return Err(list_err("metric lists", v.len()));
                }
                v.iter()
                    .enumerate()
                    .map(|(i, l)| resolve(i, l))
                    .collect::<Result<_>>()?
            }
            OutputMetrics::ByName(v) => {
                let mut out: Vec<Vec<Box<dyn Metric>>> = (0..n).map(|_| Vec::new()).collect();
                for (k, l) in v {
                    let i = names
                        .iter()
                        .position(|o| *o == k)
                        .ok_or_else(|| unknown("metrics", &k))?;
                    out[i] = resolve(i, &l)?;
                }
                out
            }
            OutputMetrics::Resolved(v) => {
                if v.len() != n {
                    return Err(list_err("metric lists", v.len()));
                }
                v
            }
        };
        let with_loss = losses.iter().filter(|l| l.is_some()).count();
        let output_losses = losses
            .iter()
            .map(|l| (with_loss > 1 && l.is_some()).then(LossTracker::default))
            .collect();
        let outputs = losses
            .into_iter()
            .zip(weights)
            .map(|(loss, weight)| OutputSpec { loss, weight })
            .collect();
        self.compiled = Some(Compiled {
            optimizer: optimizer.into_optimizer()?,
            built_for: Vec::new(),
            outputs,
            output_names: names,
            state: Mutex::new(CompileState {
                loss: LossTracker::default(),
                output_losses,
                metrics,
            }),
        });
        Ok(())
    }

    /// The names the logs report after `compile` (`loss`, per-output
    /// losses, metrics), in Keras' order.
    pub fn metrics_names(&self) -> Vec<String> {
        self.compiled.as_ref().map(Compiled::log_names).unwrap_or_default()
    }

    /// The compiled loss of a single-output model (the first output's otherwise).
    pub fn loss(&self) -> Option<&dyn Loss> {
        self.compiled
            .as_ref()
            .and_then(|c| c.outputs.iter().find_map(|o| o.loss.as_deref()))
    }
}
