//! What `MLPClassifier` and `MLPRegressor` share (sklearn's
//! `BaseMultilayerPerceptron`): input checks, `_fit`, `_fit_stochastic`,
//! `_fit_lbfgs`, the convergence rule and the fitted attributes.

use super::net::{Network, StochasticOptimizer};
use super::params::{MlpOptions, OutActivation, Solver};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use tensorlow::optimize::lbfgs::{Lbfgs, LbfgsOptions};
use tensorlow::{random::Generator, DType, Device, Tensor};

/// The fitted attributes of an MLP estimator, named as in scikit-learn
/// without the trailing underscore (`loss_` is `loss`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FitState {
    /// The current loss (`loss_`): the last epoch's mean minibatch loss, or
    /// lbfgs's final objective.
    pub loss: f64,
    /// The lowest epoch loss (`best_loss_`); `None` with early stopping or lbfgs.
    pub best_loss: Option<f64>,
    /// One loss per epoch (`loss_curve_`); empty for lbfgs.
    pub loss_curve: Vec<f64>,
    /// Validation score per epoch with early stopping (`validation_scores_`).
    pub validation_scores: Option<Vec<f64>>,
    /// The best validation score (`best_validation_score_`).
    pub best_validation_score: Option<f64>,
    /// Epochs (sgd/adam) or iterations (lbfgs) of the last fit (`n_iter_`).
    pub n_iter: usize,
    /// Training samples seen by the optimizer (`t_`).
    pub t: usize,
    /// Features seen during fit (`n_features_in_`).
    pub n_features_in: usize,
    /// Layers including input and output (`n_layers_`).
    pub n_layers: usize,
    /// Outputs (`n_outputs_`).
    pub n_outputs: usize,
    /// The output activation (`out_activation_`).
    pub out_activation: Option<OutActivation>,
    #[serde(default)]
    no_improvement_count: usize,
}

/// How early stopping scores the held-out part.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scoring {
    /// Accuracy of the encoded targets (all outputs of a row must match).
    Accuracy,
    /// R² averaged over outputs.
    R2,
}

pub(crate) struct Core {
    pub options: MlpOptions,
    pub net: Option<Network>,
    pub state: FitState,
    optimizer: Option<StochasticOptimizer>,
    pub(crate) best_packed: Option<Tensor>,
}

/// Training data after label encoding: what `Core::fit` trains on.
pub(crate) struct Encoded<'a> {
    /// Row-major features.
    pub x: &'a [f64],
    pub n_features: usize,
    /// Row-major encoded targets (one-hot, 0/1 columns or values).
    pub y: &'a [f64],
    pub n_outputs: usize,
    /// One weight per sample (`sample_weight`).
    pub sample_weight: Option<&'a [f64]>,
    pub out_activation: OutActivation,
    pub scoring: Scoring,
    /// Class indices for the early-stopping split.
    pub stratify: Option<&'a [u32]>,
}

/// The training rows of a stochastic fit, as tensors, and the batch size.
struct Batches<'a> {
    x: &'a Tensor,
    y: &'a Tensor,
    weights: Option<&'a [f64]>,
    size: usize,
}

/// The held-out part of an early-stopping fit.
struct Validation {
    x: Tensor,
    /// Encoded targets, row-major.
    y: Vec<f64>,
    weights: Option<Vec<f64>>,
}

/// Checks `sample_weight` against `n` samples: one finite value each, with
/// a positive total (scikit-learn's `_check_sample_weight`; negative
/// weights are allowed as there).
pub(crate) fn check_sample_weight(w: &[f64], n: usize, what: &str) -> Result<()> {
    if w.len() != n {
        return Err(Error::shape(format!(
            "{what}: sample_weight has {} values for {n} samples; give one weight per sample",
            w.len()
        )));
    }
    if let Some(i) = w.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(format!(
            "{what}: sample_weight[{i}] is {}; weights must be finite",
            w[i]
        )));
    }
    if w.iter().sum::<f64>() <= 0.0 {
        return Err(Error::data(format!(
            "{what}: the sample weights sum to {}; at least one weight must be positive",
            w.iter().sum::<f64>()
        )));
    }
    Ok(())
}

/// Checks row-major input and returns the number of rows.
pub(crate) fn check_x(x: &[f64], n_features: usize, what: &str) -> Result<usize> {
    if x.is_empty() {
        return Err(Error::data(format!(
            "{what}: found an array with 0 samples; at least 1 is required"
        )));
    }
    if n_features == 0 {
        return Err(Error::shape(format!("{what}: n_features must be at least 1")));
    }
    if !x.len().is_multiple_of(n_features) {
        return Err(Error::shape(format!(
            "{what}: {} values do not form rows of {n_features} features",
            x.len()
        )));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(format!(
            "{what}: X contains {}{} at row {}, column {}; remove or impute it first",
            if x[i].is_nan() { "" } else { "an infinite value " },
            x[i],
            i / n_features,
            i % n_features
        )));
    }
    Ok(x.len() / n_features)
}

/// R² of row-major `pred` against `y` with `k` outputs, averaged over
/// outputs (sklearn's `r2_score`, `force_finite=True`), each sample weighted
/// by `w` when given.
pub(crate) fn r2_score(y: &[f64], pred: &[f64], k: usize, w: Option<&[f64]>) -> f64 {
    let n = y.len() / k;
    let wt = |i: usize| w.map_or(1.0, |w| w[i]);
    let sw: f64 = (0..n).map(wt).sum();
    let mut total = 0.0;
    for j in 0..k {
        let mean = (0..n).map(|i| wt(i) * y[i * k + j]).sum::<f64>() / sw;
        let ss_tot: f64 = (0..n).map(|i| wt(i) * (y[i * k + j] - mean).powi(2)).sum();
        let ss_res: f64 = (0..n).map(|i| wt(i) * (y[i * k + j] - pred[i * k + j]).powi(2)).sum();
        total += if ss_tot == 0.0 {
            if ss_res == 0.0 {
                1.0
            } else {
                0.0
            }
        } else {
            1.0 - ss_res / ss_tot
        };
    }
    total / k as f64
}

/// Accuracy of network outputs against encoded targets (one-hot, or 0/1
/// columns thresholded at 0.5), each sample weighted by `w` when given.
pub(crate) fn encoded_accuracy(y: &[f64], out: &[f64], k: usize, softmax: bool, w: Option<&[f64]>) -> f64 {
    let n = y.len() / k;
    let argmax = |r: &[f64]| {
        r.iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |b, (i, &v)| if v > b.1 { (i, v) } else { b })
            .0
    };
    let hit = |i: usize| {
        let (yr, pr) = (&y[i * k..(i + 1) * k], &out[i * k..(i + 1) * k]);
        if softmax {
            argmax(yr) == argmax(pr)
        } else {
            yr.iter().zip(pr).all(|(a, b)| (*a > 0.5) == (*b > 0.5))
        }
    };
    match w {
        None => (0..n).filter(|&i| hit(i)).count() as f64 / n as f64,
        Some(w) => (0..n).filter(|&i| hit(i)).map(|i| w[i]).sum::<f64>() / w.iter().sum::<f64>(),
    }
}

pub(crate) fn to_tensor(v: &[f64], shape: &[usize], dtype: DType) -> Result<Tensor> {
    let dev = Device::cpu();
    Ok(match dtype {
        DType::F32 => Tensor::from_vec(v.iter().map(|&a| a as f32).collect::<Vec<f32>>(), shape, &dev)?,
        _ => Tensor::from_slice(v, shape, &dev)?.cast(dtype)?,
    })
}

impl Core {
    pub fn new(options: MlpOptions) -> Self {
        Core {
            options,
            net: None,
            state: FitState::default(),
            optimizer: None,
            best_packed: None,
        }
    }

    pub fn fitted(&self, what: &str) -> Result<&Network> {
        self.net.as_ref().ok_or_else(|| {
            Error::NotFitted(format!(
                "This {what} instance is not fitted yet. Call 'fit' (or 'partial_fit') with appropriate \
                 arguments before using this estimator."
            ))
        })
    }

    /// Whether the next `fit` starts from fresh weights (`first_pass`).
    pub fn first_pass(&self, incremental: bool) -> bool {
        self.net.is_none() || (!self.options.warm_start && !incremental)
    }

    /// Checks prediction input against the fitted network and makes a tensor.
    pub fn input(&self, x: &[f64], n_features: usize, what: &str) -> Result<Tensor> {
        let net = self.fitted(what)?;
        let n = check_x(x, n_features, what)?;
        if n_features != self.state.n_features_in {
            return Err(Error::shape(format!(
                "{what}: X has {n_features} features, but the estimator was fitted with {} features",
                self.state.n_features_in
            )));
        }
        to_tensor(x, &[n, n_features], net.dtype)
    }

    /// The network's outputs for row-major `x`, row-major `f64`.
    pub fn forward(&self, x: &[f64], n_features: usize, what: &str) -> Result<Vec<f64>> {
        let t = self.input(x, n_features, what)?;
        Ok(self.fitted(what)?.predict(&t)?.to_vec::<f64>()?)
    }

    fn rng(&self) -> Generator {
        match self.options.random_state {
            Some(s) => Generator::from_seed(s),
            None => Generator::from_entropy(),
        }
    }

    /// sklearn's `_fit` on encoded targets (see [`Encoded`]).
    pub fn fit(&mut self, d: Encoded<'_>, incremental: bool) -> Result<()> {
        let Encoded {
            x,
            n_features,
            y,
            n_outputs,
            sample_weight,
            out_activation,
            scoring,
            stratify,
        } = d;
        let o = self.options.clone();
        o.validate()?;
        let what = if incremental { "partial_fit" } else { "fit" };
        let n = check_x(x, n_features, what)?;
        if y.len() != n * n_outputs {
            return Err(Error::shape(format!(
                "{what}: X has {n} samples but y has {} values for {n_outputs} output(s); they must match",
                y.len()
            )));
        }
        if let Some(w) = sample_weight {
            check_sample_weight(w, n, what)?;
        }
        if incremental && o.solver == Solver::Lbfgs {
            return Err(Error::param(
                "partial_fit is only available for stochastic optimizers; lbfgs is not stochastic",
            ));
        }
        if incremental && o.early_stopping {
            return Err(Error::param("partial_fit does not support early_stopping=true"));
        }
        let first_pass = self.first_pass(incremental);
        let mut layer_units = vec![n_features];
        layer_units.extend_from_slice(&o.hidden_layer_sizes);
        layer_units.push(n_outputs);
        if !first_pass {
            let net = self.net.as_ref().expect("not first pass");
            if net.layer_units != layer_units {
                return Err(Error::shape(format!(
                    "{what}: the data gives layers {layer_units:?} but the fitted network has {:?} \
                     (n_features or hidden_layer_sizes changed); fit without warm_start to start over",
                    net.layer_units
                )));
            }
            if net.out_activation != out_activation {
                return Err(Error::param(format!(
                    "{what}: the fitted network has a {} output but this fit needs {} (the loss or the \
                     kind of targets changed); fit without warm_start to start over",
                    net.out_activation, out_activation
                )));
            }
        }
        let mut rng = self.rng();
        let dtype = o.effective_dtype();
        if first_pass {
            self.net = Some(Network::init(
                &layer_units,
                o.activation,
                out_activation,
                dtype,
                &mut rng,
            )?);
            let stochastic = o.solver != Solver::Lbfgs;
            self.state = FitState {
                n_features_in: n_features,
                n_layers: layer_units.len(),
                n_outputs,
                out_activation: Some(out_activation),
                best_loss: (stochastic && !o.early_stopping).then_some(f64::INFINITY),
                validation_scores: (stochastic && o.early_stopping).then(Vec::new),
                best_validation_score: (stochastic && o.early_stopping).then_some(f64::NEG_INFINITY),
                ..FitState::default()
            };
            self.optimizer = None;
            self.best_packed = Some(self.net.as_ref().expect("set").flat.read_value()?);
        }
        let net_dtype = self.net.as_ref().expect("set").dtype;
        if o.solver == Solver::Lbfgs {
            return self.fit_lbfgs(x, n_features, y, n_outputs, sample_weight);
        }
        if !incremental || self.optimizer.is_none() {
            self.optimizer = Some(StochasticOptimizer::new(&o, self.net.as_ref().expect("set"))?);
        }
        // Early stopping: hold out a (stratified) validation part.
        let (train, val) = if o.early_stopping {
            let (tr, va) =
                crate::model_selection::train_test_split_indices(n, o.validation_fraction, stratify, rng.next_u64())?;
            if va.len() < 2 {
                return Err(Error::data(
                    "the validation set is too small; increase validation_fraction or the size of your data set",
                ));
            }
            (tr, Some(va))
        } else {
            ((0..n).collect::<Vec<_>>(), None)
        };
        let rows = |idx: &[usize], v: &[f64], w: usize| -> Vec<f64> {
            idx.iter()
                .flat_map(|&r| v[r * w..(r + 1) * w].iter().copied())
                .collect()
        };
        let n_train = train.len();
        let (xt, yt) = if val.is_some() {
            (rows(&train, x, n_features), rows(&train, y, n_outputs))
        } else {
            (x.to_vec(), y.to_vec())
        };
        let x_train = to_tensor(&xt, &[n_train, n_features], net_dtype)?;
        let y_train = to_tensor(&yt, &[n_train, n_outputs], net_dtype)?;
        let weights = sample_weight.map(|w| match &val {
            Some(_) => rows(&train, w, 1),
            None => w.to_vec(),
        });
        let validation = match &val {
            Some(va) => Some(Validation {
                x: to_tensor(&rows(va, x, n_features), &[va.len(), n_features], net_dtype)?,
                y: rows(va, y, n_outputs),
                weights: sample_weight.map(|w| rows(va, w, 1)),
            }),
            None => None,
        };
        let batch_size = match o.batch_size {
            None => n_train.min(200),
            Some(b) => {
                if b > n_train {
                    eprintln!("UserWarning: Got `batch_size` less than 1 or larger than sample size. It is going to be clipped");
                }
                b.clamp(1, n_train)
            }
        };
        self.fit_stochastic(
            &o,
            Batches {
                x: &x_train,
                y: &y_train,
                weights: weights.as_deref(),
                size: batch_size,
            },
            validation,
            scoring,
            incremental,
            &mut rng,
        )
    }

    fn fit_stochastic(
        &mut self,
        o: &MlpOptions,
        data: Batches<'_>,
        validation: Option<Validation>,
        scoring: Scoring,
        incremental: bool,
        rng: &mut Generator,
    ) -> Result<()> {
        let net = self.net.as_ref().expect("initialized");
        let opt = self.optimizer.as_mut().expect("initialized");
        let st = &mut self.state;
        let (x, y, batch_size) = (data.x, data.y, data.size);
        let n = x.dim(0)?;
        let mut idx: Vec<u32> = (0..n as u32).collect();
        // Sample weights: a (n, 1) column in the network's dtype, shuffled
        // with the rows; each batch's sum is taken on the host in f64.
        let weights = match data.weights {
            Some(w) => Some((w, to_tensor(w, &[n, 1], net.dtype)?)),
            None => None,
        };
        st.n_iter = 0;
        for _ in 0..o.max_iter {
            // One gather per epoch; the batches are then zero-copy views.
            let (xe, ye, we) = if o.shuffle {
                rng.shuffle(&mut idx);
                let it = Tensor::from_slice(&idx, &[n], &Device::cpu())?;
                let we = match &weights {
                    Some((_, wt)) => Some(wt.gather(&it, 0)?),
                    None => None,
                };
                (x.gather(&it, 0)?, y.gather(&it, 0)?, we)
            } else {
                (x.clone(), y.clone(), weights.as_ref().map(|(_, wt)| wt.clone()))
            };
            let mut acc: Option<Tensor> = None;
            let mut start = 0;
            while start < n {
                let len = batch_size.min(n - start);
                let (xb, yb) = (xe.narrow(0, start, len)?, ye.narrow(0, start, len)?);
                let (loss, grad) = match (&weights, &we) {
                    (Some((w, _)), Some(we)) => {
                        let rows = &idx[start..start + len];
                        let sum: f64 = if o.shuffle {
                            rows.iter().map(|&r| w[r as usize]).sum()
                        } else {
                            w[start..start + len].iter().sum()
                        };
                        net.loss_grad(&xb, &yb, Some((&we.narrow(0, start, len)?, sum)), o.alpha)?
                    }
                    _ => net.loss_grad(&xb, &yb, None, o.alpha)?,
                };
                let weighted = loss.affine(len as f64, 0.0)?;
                acc = Some(match acc {
                    Some(a) => a.add(&weighted)?,
                    None => weighted,
                });
                opt.step(&net.flat, &grad)?;
                start += len;
            }
            st.n_iter += 1;
            // The epoch's only host sync.
            st.loss = acc.expect("n >= 1").to_scalar::<f64>()? / n as f64;
            st.t += n;
            st.loss_curve.push(st.loss);
            if o.verbose {
                println!("Iteration {}, loss = {:.8}", st.n_iter, st.loss);
            }
            // _update_no_improvement_count
            if let Some(v) = &validation {
                let out = net.predict(&v.x)?.to_vec::<f64>()?;
                let k = st.n_outputs;
                let wv = v.weights.as_deref();
                let score = match scoring {
                    Scoring::Accuracy => {
                        encoded_accuracy(&v.y, &out, k, net.out_activation == OutActivation::Softmax, wv)
                    }
                    Scoring::R2 => r2_score(&v.y, &out, k, wv),
                };
                let scores = st.validation_scores.get_or_insert_with(Vec::new);
                scores.push(score);
                if o.verbose {
                    println!("Validation score: {score:.6}");
                }
                let best = st.best_validation_score.unwrap_or(f64::NEG_INFINITY);
                if score < best + o.tol {
                    st.no_improvement_count += 1;
                } else {
                    st.no_improvement_count = 0;
                }
                if score > best {
                    st.best_validation_score = Some(score);
                    self.best_packed = Some(net.flat.read_value()?);
                }
            } else {
                let best = st.best_loss.unwrap_or(f64::INFINITY);
                if st.loss > best - o.tol {
                    st.no_improvement_count += 1;
                } else {
                    st.no_improvement_count = 0;
                }
                if st.loss < best {
                    st.best_loss = Some(st.loss);
                }
            }
            opt.iteration_ends(st.t);
            if st.no_improvement_count > o.n_iter_no_change {
                let msg = if validation.is_some() {
                    format!(
                        "Validation score did not improve more than tol={:.6} for {} consecutive epochs.",
                        o.tol, o.n_iter_no_change
                    )
                } else {
                    format!(
                        "Training loss did not improve more than tol={:.6} for {} consecutive epochs.",
                        o.tol, o.n_iter_no_change
                    )
                };
                if opt.trigger_stopping(&msg, o.verbose) {
                    break;
                }
                st.no_improvement_count = 0;
            }
            if incremental {
                break;
            }
            if st.n_iter == o.max_iter {
                eprintln!(
                    "ConvergenceWarning: Stochastic Optimizer: Maximum iterations ({}) reached and the \
                     optimization hasn't converged yet.",
                    o.max_iter
                );
            }
        }
        if !st.loss.is_finite() {
            return Err(Error::data(
                "the solver produced a non-finite loss; scale the input data (e.g. StandardScaler) \
                 or lower learning_rate_init",
            ));
        }
        if validation.is_some() {
            if let Some(best) = &self.best_packed {
                net.flat.assign(best)?;
            }
        }
        Ok(())
    }

    /// sklearn's `_fit_lbfgs`: full-batch loss and gradient of the packed
    /// parameters, minimized by [`Lbfgs`] with `max_iter`, `max_fun` and
    /// `gtol = tol`.
    fn fit_lbfgs(
        &mut self,
        x: &[f64],
        n_features: usize,
        y: &[f64],
        n_outputs: usize,
        sample_weight: Option<&[f64]>,
    ) -> Result<()> {
        let o = &self.options;
        let net = self.net.as_ref().expect("initialized");
        let n = x.len() / n_features;
        let xt = to_tensor(x, &[n, n_features], net.dtype)?;
        let yt = to_tensor(y, &[n, n_outputs], net.dtype)?;
        let wt = match sample_weight {
            Some(w) => Some((to_tensor(w, &[n, 1], net.dtype)?, w.iter().sum::<f64>())),
            None => None,
        };
        let weights = wt.as_ref().map(|(t, s)| (t, *s));
        // The penalty's divisor: the number of samples, or their total weight.
        let b = weights.map_or(n as f64, |(_, s)| s);
        // For multi-output regression sklearn hands scipy a loss averaged over
        // outputs with a gradient that is not; the line search here needs a
        // consistent pair, so it minimizes the sum over outputs (the same
        // minimizer) and `loss_` is reported in sklearn's scale at the end.
        let scale = if net.out_activation == OutActivation::Identity {
            n_outputs as f64
        } else {
            1.0
        };
        let alpha = o.alpha;
        let objective = |p: &Tensor| -> Result<(f64, Tensor)> {
            net.flat.assign(&p.cast(net.dtype)?)?;
            let (loss, grad) = net.loss_grad(&xt, &yt, weights, alpha)?;
            let mut l = loss.to_scalar::<f64>()?;
            if scale != 1.0 {
                // loss = data / k + reg  ->  data + reg
                let reg = if alpha > 0.0 {
                    let w = p.to_vec::<f64>()?;
                    let nc: usize = net.coefs.iter().map(|c| c.elem_count()).sum();
                    0.5 * alpha * w[..nc].iter().map(|v| v * v).sum::<f64>() / b
                } else {
                    0.0
                };
                l = (l - reg) * scale + reg;
            }
            Ok((l, grad.cast(DType::F64)?))
        };
        let lo = LbfgsOptions {
            max_iter: o.max_iter,
            max_fun: o.max_fun,
            gtol: o.tol,
            verbose: o.verbose,
            ..LbfgsOptions::default()
        };
        let x0 = net.flat.cast(DType::F64)?;
        let res: tensorlow::optimize::LbfgsResult = Lbfgs::new(lo).minimize(objective, &x0)?;
        net.flat.assign(&res.x.cast(net.dtype)?)?;
        let (loss, _) = net.loss_grad(&xt, &yt, weights, alpha)?;
        self.state.loss = loss.to_scalar::<f64>()?;
        self.state.n_iter = res.n_iter.min(o.max_iter);
        if res.status != 0 {
            eprintln!(
                "ConvergenceWarning: lbfgs failed to converge after {} iteration(s) (status={}):\n{}\n\n\
                 Increase the number of iterations to improve the convergence (max_iter={}).",
                self.state.n_iter, res.status, res.message, o.max_iter
            );
        }
        if !self.state.loss.is_finite() {
            return Err(Error::data("lbfgs produced non-finite weights; scale the input data"));
        }
        Ok(())
    }

    /// Copies of `coefs_` (`(fan_in, fan_out)` each).
    pub fn coefs(&self, what: &str) -> Result<Vec<Tensor>> {
        let net = self.fitted(what)?;
        net.coefs.iter().map(|c| Ok(c.affine(1.0, 0.0)?)).collect()
    }

    /// Copies of `intercepts_`.
    pub fn intercepts(&self, what: &str) -> Result<Vec<Tensor>> {
        let net = self.fitted(what)?;
        net.intercepts.iter().map(|c| Ok(c.affine(1.0, 0.0)?)).collect()
    }

    /// Overwrites `coefs_` (`is_coef`) or `intercepts_` with `values`.
    pub fn set_weights(&mut self, values: &[Tensor], is_coef: bool, what: &str) -> Result<()> {
        let net = self.fitted(what)?;
        let targets = if is_coef { &net.coefs } else { &net.intercepts };
        let name = if is_coef { "coefs_" } else { "intercepts_" };
        if values.len() != targets.len() {
            return Err(Error::shape(format!(
                "{name}: the network has {} layers of weights, got {}",
                targets.len(),
                values.len()
            )));
        }
        for (i, (t, v)) in targets.iter().zip(values).enumerate() {
            if t.shape() != v.shape() {
                return Err(Error::shape(format!(
                    "{name}[{i}] has shape {:?}, got {:?}",
                    t.shape(),
                    v.shape()
                )));
            }
        }
        // Write through the packed vector: rebuild it on the host.
        let mut packed = net.packed()?;
        let nc: usize = net.coefs.iter().map(|c| c.elem_count()).sum();
        let mut off = if is_coef { 0 } else { nc };
        for v in values {
            let vals = v.to_vec::<f64>()?;
            packed[off..off + vals.len()].copy_from_slice(&vals);
            off += vals.len();
        }
        net.flat.assign(&to_tensor(&packed, &[packed.len()], net.dtype)?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Early stopping ends with the weights of the best validation epoch.
    #[test]
    fn early_stopping_restores_the_best_weights() {
        // Noisy labels on 60 points: validation accuracy peaks, then wanders.
        let mut g = Generator::from_seed(3);
        let x: Vec<f64> = (0..120).map(|_| g.next_normal()).collect();
        let y: Vec<f64> = x
            .chunks(2)
            .map(|r| f64::from(r[0] + 0.3 * g.next_normal() > 0.0))
            .collect();
        let o = MlpOptions::default()
            .hidden_layer_sizes(&[16])
            .early_stopping(true)
            .validation_fraction(0.2)
            .learning_rate_init(0.05)
            .n_iter_no_change(5)
            .max_iter(60)
            .random_state(0);
        let mut core = Core::new(o);
        let strat: Vec<u32> = y.iter().map(|&v| v as u32).collect();
        let d = Encoded {
            x: &x,
            n_features: 2,
            y: &y,
            n_outputs: 1,
            sample_weight: None,
            out_activation: OutActivation::Logistic,
            scoring: Scoring::Accuracy,
            stratify: Some(&strat),
        };
        core.fit(d, false).unwrap();
        let scores = core.state.validation_scores.clone().unwrap();
        let best = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(core.state.best_validation_score, Some(best));
        assert_eq!(scores.len(), core.state.n_iter);
        assert!(core.state.best_loss.is_none());
        // Stopped after n_iter_no_change + 1 epochs without improving on the best...
        let first_best = scores.iter().position(|&s| s == best).unwrap();
        assert!(scores.len() > first_best + 1, "{scores:?}");
        // ...and the network holds the snapshot taken at the best epoch.
        let net = core.net.as_ref().unwrap();
        let snap = core.best_packed.as_ref().unwrap().to_vec::<f64>().unwrap();
        assert_eq!(net.packed().unwrap(), snap);
    }
}
