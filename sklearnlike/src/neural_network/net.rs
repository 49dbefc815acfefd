//! The multi-layer perceptron shared by `MLPClassifier` and `MLPRegressor`:
//! packed parameters, forward pass, sklearn's loss and its gradient.
//!
//! All weights live in ONE flat [`Variable`] in scikit-learn's `_pack` order
//! (every `coefs_[i]` row-major, then every `intercepts_[i]`). The per-layer
//! weights are views into it made once, so an optimizer step is a handful
//! of ops on one vector (not per layer), L-BFGS gets the packed vector for
//! free, and in-place updates of the flat variable show through the views.

use super::params::{Activation, OutActivation};
use crate::{Error, Result};
use tensorlow::{nn, random::Generator, DType, Device, GradientTape, Tensor, Variable};

/// A fully connected network `layer_units[0] -> ... -> layer_units[last]`.
pub(crate) struct Network {
    pub layer_units: Vec<usize>,
    pub activation: Activation,
    pub out_activation: OutActivation,
    pub dtype: DType,
    /// All parameters, packed.
    pub flat: Variable,
    /// Views into `flat`: `coefs[i]` is `(fan_in, fan_out)`.
    pub coefs: Vec<Tensor>,
    /// Views into `flat`: `intercepts[i]` is `(fan_out,)`.
    pub intercepts: Vec<Tensor>,
    /// 1 on coefficients, 0 on intercepts (the L2 penalty's support).
    coef_mask: Tensor,
}

/// Elements of the coefficients and of all parameters.
fn counts(units: &[usize]) -> (usize, usize) {
    let nc: usize = units.windows(2).map(|w| w[0] * w[1]).sum();
    let ni: usize = units[1..].iter().sum();
    (nc, nc + ni)
}

impl Network {
    /// Glorot-uniform initialization as sklearn's `_init_coef`: for each
    /// layer, `coef` then `intercept` drawn from `U(-b, b)` with
    /// `b = sqrt(6 / (fan_in + fan_out))` (`sqrt(2 / ...)` for logistic).
    pub fn init(
        layer_units: &[usize],
        activation: Activation,
        out_activation: OutActivation,
        dtype: DType,
        rng: &mut Generator,
    ) -> Result<Self> {
        let (nc, n) = counts(layer_units);
        let mut packed = vec![0f64; n];
        let (mut c_off, mut i_off) = (0, nc);
        for w in layer_units.windows(2) {
            let (fan_in, fan_out) = (w[0], w[1]);
            let factor = if activation == Activation::Logistic { 2.0 } else { 6.0 };
            let bound = (factor / (fan_in + fan_out) as f64).sqrt();
            for v in &mut packed[c_off..c_off + fan_in * fan_out] {
                *v = -bound + 2.0 * bound * rng.next_f64();
            }
            for v in &mut packed[i_off..i_off + fan_out] {
                *v = -bound + 2.0 * bound * rng.next_f64();
            }
            c_off += fan_in * fan_out;
            i_off += fan_out;
        }
        Self::from_packed(layer_units, activation, out_activation, dtype, &packed)
    }

    /// A network holding the packed parameter values `packed`.
    pub fn from_packed(
        layer_units: &[usize],
        activation: Activation,
        out_activation: OutActivation,
        dtype: DType,
        packed: &[f64],
    ) -> Result<Self> {
        let (nc, n) = counts(layer_units);
        if packed.len() != n {
            return Err(Error::shape(format!(
                "the network {layer_units:?} has {n} parameters, got {}",
                packed.len()
            )));
        }
        let dev = Device::cpu();
        let flat = Variable::new("mlp_packed", Tensor::from_slice(packed, &[n], &dev)?.cast(dtype)?);
        let mut mask = vec![0f64; n];
        mask[..nc].iter_mut().for_each(|m| *m = 1.0);
        let coef_mask = Tensor::from_vec(mask, &[n], &dev)?.cast(dtype)?;
        // Views made without any tape: they share `flat`'s storage.
        let (coefs, intercepts) = tensorlow::no_grad(|| -> Result<_> {
            let (mut coefs, mut intercepts) = (Vec::new(), Vec::new());
            let (mut c_off, mut i_off) = (0, nc);
            for w in layer_units.windows(2) {
                coefs.push(flat.narrow(0, c_off, w[0] * w[1])?.reshape(&[w[0], w[1]])?);
                intercepts.push(flat.narrow(0, i_off, w[1])?);
                c_off += w[0] * w[1];
                i_off += w[1];
            }
            Ok((coefs, intercepts))
        })?;
        Ok(Network {
            layer_units: layer_units.to_vec(),
            activation,
            out_activation,
            dtype,
            flat,
            coefs,
            intercepts,
            coef_mask,
        })
    }

    /// The packed parameters as `f64`.
    pub fn packed(&self) -> Result<Vec<f64>> {
        Ok(self.flat.to_vec::<f64>()?)
    }

    fn hidden(&self, z: Tensor) -> Result<Tensor> {
        Ok(match self.activation {
            Activation::Identity => z,
            Activation::Logistic => z.sigmoid()?,
            Activation::Tanh => z.tanh()?,
            Activation::Relu => z.relu()?,
        })
    }

    /// The output layer's pre-activation `z` for inputs `x`.
    pub fn logits(&self, x: &Tensor) -> Result<Tensor> {
        let last = self.coefs.len() - 1;
        let mut h = x.clone();
        for (i, (w, b)) in self.coefs.iter().zip(&self.intercepts).enumerate() {
            let z = h.matmul(w)?.add(b)?;
            h = if i < last { self.hidden(z)? } else { z };
        }
        Ok(h)
    }

    /// The network's output (`_forward_pass_fast`): probabilities for
    /// classifiers, values for regressors.
    pub fn predict(&self, x: &Tensor) -> Result<Tensor> {
        tensorlow::no_grad(|| {
            let z = self.logits(x)?;
            Ok(match self.out_activation {
                OutActivation::Identity => z,
                OutActivation::Logistic => z.sigmoid()?,
                OutActivation::Softmax => nn::softmax(&z, -1)?,
                OutActivation::Exp => z.exp()?,
            })
        })
    }

    /// sklearn's minibatch loss and its gradient with respect to the packed
    /// parameters, for a batch `x (b, in)`, `y (b, out)`:
    /// `data_loss + alpha * ||W||² / (2 b)`, where the data loss is the mean
    /// log-loss (softmax), the mean over samples of the summed binary
    /// log-loss (logistic), `sum((z - y)²) / (2 b)` (identity), or the
    /// mean over samples of the summed half Poisson deviance
    /// `y ln(y / p) - y + p` with `p = exp(z)` (exp).
    ///
    /// With `weights = Some((w, sum_w))` (`w` of shape `(b, 1)`), each
    /// sample's term is multiplied by its weight and `b` becomes `sum_w`, in
    /// the data term and the penalty alike (scikit-learn 1.7's
    /// `sample_weight`, `_backprop`).
    ///
    /// The returned loss (a scalar tensor, so no host sync) is sklearn's
    /// reported value; for multi-output squared error sklearn reports the
    /// error averaged over outputs too while its gradient is not, so the
    /// reported value divides the data term by `n_outputs`.
    pub fn loss_grad(
        &self,
        x: &Tensor,
        y: &Tensor,
        weights: Option<(&Tensor, f64)>,
        alpha: f64,
    ) -> Result<(Tensor, Tensor)> {
        let b = match weights {
            None => x.dim(0)? as f64,
            Some((_, sum_w)) => sum_w,
        };
        let tape = GradientTape::new();
        let sources: Vec<&Tensor> = self.coefs.iter().chain(&self.intercepts).collect();
        for s in &sources {
            tape.watch(s);
        }
        let z = self.logits(x)?;
        let n_out = *self.layer_units.last().expect("at least 2 layers") as f64;
        // The per-element loss terms, weighted by row when there are weights.
        let weigh = |t: Tensor| -> tensorlow::Result<Tensor> {
            match weights {
                None => Ok(t),
                Some((w, _)) => t.mul(w),
            }
        };
        let (data, report_scale) = match self.out_activation {
            OutActivation::Softmax => (
                weigh(nn::log_softmax(&z, -1)?.mul(y)?)?
                    .sum_all()?
                    .affine(-1.0 / b, 0.0)?,
                1.0,
            ),
            OutActivation::Logistic => (
                weigh(nn::sigmoid_cross_entropy_with_logits(y, &z)?)?
                    .sum_all()?
                    .affine(1.0 / b, 0.0)?,
                1.0,
            ),
            OutActivation::Identity => (
                weigh(z.sub(y)?.square()?)?.sum_all()?.affine(0.5 / b, 0.0)?,
                1.0 / n_out,
            ),
            OutActivation::Exp => {
                // y ln(y / e^z) - y + e^z = (xlogy(y, y) - y) + (e^z - y z); the
                // first part is constant in the weights, its gradient is e^z - y.
                let tiny = if self.dtype == DType::F32 {
                    f32::MIN_POSITIVE as f64
                } else {
                    f64::MIN_POSITIVE
                };
                let constant = y.mul(&y.clip_by_value(tiny, f64::MAX)?.log()?)?.sub(y)?;
                let terms = z.exp()?.sub(&y.mul(&z)?)?.add(&constant)?;
                (weigh(terms)?.sum_all()?.affine(1.0 / b, 0.0)?, 1.0)
            }
        };
        let grads = tape.gradient(&data, &sources)?;
        let flat_grads = grads
            .into_iter()
            .zip(&sources)
            .map(|(g, s)| match g {
                Some(g) => g.reshape(&[s.elem_count()]),
                None => s.zeros_like()?.reshape(&[s.elem_count()]),
            })
            .collect::<tensorlow::Result<Vec<_>>>()?;
        let mut grad = Tensor::concat(&flat_grads.iter().collect::<Vec<_>>(), 0)?;
        let mut loss = if report_scale == 1.0 {
            data
        } else {
            data.affine(report_scale, 0.0)?
        };
        if alpha > 0.0 {
            let w = self.flat.mul(&self.coef_mask)?;
            grad = grad.add(&w.affine(alpha / b, 0.0)?)?;
            loss = loss.add(&w.mul(&w)?.sum_all()?.affine(0.5 * alpha / b, 0.0)?)?;
        }
        Ok((loss, grad))
    }
}

/// sklearn's stochastic optimizers (`_stochastic_optimizers.py`), with state
/// kept in variables created once and updated in place.
pub(crate) enum StochasticOptimizer {
    /// `SGDOptimizer`.
    Sgd {
        velocity: Variable,
        learning_rate: f64,
        learning_rate_init: f64,
        schedule: super::params::LearningRate,
        momentum: f64,
        nesterov: bool,
        power_t: f64,
    },
    /// `AdamOptimizer`.
    Adam {
        m: Variable,
        v: Variable,
        t: i32,
        learning_rate: f64,
        learning_rate_init: f64,
        beta_1: f64,
        beta_2: f64,
        epsilon: f64,
    },
}

impl StochasticOptimizer {
    /// Fresh state for `net` from the options.
    pub fn new(o: &super::MlpOptions, net: &Network) -> Result<Self> {
        let zeros = || -> Result<Variable> { Ok(Variable::non_trainable("mlp_state", net.flat.zeros_like()?)) };
        Ok(match o.solver {
            super::Solver::Sgd => StochasticOptimizer::Sgd {
                velocity: zeros()?,
                learning_rate: o.learning_rate_init,
                learning_rate_init: o.learning_rate_init,
                schedule: o.learning_rate,
                momentum: o.momentum,
                nesterov: o.nesterovs_momentum,
                power_t: o.power_t,
            },
            _ => StochasticOptimizer::Adam {
                m: zeros()?,
                v: zeros()?,
                t: 0,
                learning_rate: o.learning_rate_init,
                learning_rate_init: o.learning_rate_init,
                beta_1: o.beta_1,
                beta_2: o.beta_2,
                epsilon: o.epsilon,
            },
        })
    }

    /// `update_params`: `params += updates(grad)`.
    pub fn step(&mut self, params: &Variable, grad: &Tensor) -> Result<()> {
        match self {
            StochasticOptimizer::Sgd {
                velocity,
                learning_rate,
                momentum,
                nesterov,
                ..
            } => {
                // v = momentum * v - lr * g; update = v, or momentum * v - lr * g (Nesterov).
                tensorlow::train::apply_momentum(params, velocity, grad, *learning_rate, *momentum, *nesterov)?;
            }
            StochasticOptimizer::Adam {
                m,
                v,
                t,
                learning_rate,
                learning_rate_init,
                beta_1,
                beta_2,
                epsilon,
            } => {
                *t += 1;
                *learning_rate = *learning_rate_init * (1.0 - beta_2.powi(*t)).sqrt() / (1.0 - beta_1.powi(*t));
                tensorlow::train::apply_adam(params, m, v, grad, *learning_rate, *beta_1, *beta_2, *epsilon)?;
            }
        }
        Ok(())
    }

    /// `iteration_ends(time_step)`: the invscaling schedule.
    pub fn iteration_ends(&mut self, time_step: usize) {
        if let StochasticOptimizer::Sgd {
            learning_rate,
            learning_rate_init,
            schedule: super::params::LearningRate::Invscaling,
            power_t,
            ..
        } = self
        {
            *learning_rate = *learning_rate_init / ((time_step + 1) as f64).powf(*power_t);
        }
    }

    /// `trigger_stopping`: true to stop; the adaptive schedule divides the
    /// step by 5 instead while it is above 1e-6.
    pub fn trigger_stopping(&mut self, msg: &str, verbose: bool) -> bool {
        if let StochasticOptimizer::Sgd {
            learning_rate,
            schedule: super::params::LearningRate::Adaptive,
            ..
        } = self
        {
            if *learning_rate <= 1e-6 {
                if verbose {
                    println!("{msg} Learning rate too small. Stopping.");
                }
                return true;
            }
            *learning_rate /= 5.0;
            if verbose {
                println!("{msg} Setting learning rate to {:.6}", *learning_rate);
            }
            return false;
        }
        if verbose {
            println!("{msg} Stopping.");
        }
        true
    }
}
