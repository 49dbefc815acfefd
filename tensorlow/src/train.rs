//! Optimizer steps as single calls (TensorFlow's `ApplyAdam`,
//! `ApplyMomentum`, `ApplyGradientDescent` raw ops), for people who write
//! their own training loop with a [`GradientTape`](crate::GradientTape).
//!
//! Each step updates the variable and its slots in place with the fused
//! one-pass kernels of [`Variable::assign_axpby`] and friends: no
//! allocation, nothing recorded, the same formula on every device.
//!
//! ```
//! use tensorlow::{train, Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f32, 2.0], &[2])?);
//! let g = Tensor::new(&[0.5f32, -1.0], &[2])?;
//! train::apply_gradient_descent(&w, 0.1, &g)?;
//! assert_eq!(w.to_vec::<f32>()?, vec![0.95, 2.1]);
//! # Ok(()) }
//! ```

use crate::{Result, Tensor, Variable};

/// `var -= lr * grad`, in place.
pub fn apply_gradient_descent(var: &Variable, lr: f64, grad: &Tensor) -> Result<()> {
    var.assign_axpby(1.0, -lr, grad)
}

/// The scalars of one fused Adam step ([`apply_adam_step`],
/// [`Variable::assign_adam`]):
///
/// ```text
/// m = beta_1 m + (1 - beta_1) s g
/// v = beta_2 v + (1 - beta_2) s² g²
/// var = keep var - lr_t m / (sqrt(v) + epsilon)
/// ```
///
/// where `s` is `grad_scale` (a clipping factor, 1 without clipping) and
/// `keep = 1 - lr * weight_decay` folds AdamW's decoupled decay in (1 for
/// Adam). `lr_t` carries the bias corrections:
/// `lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)` at step `t`.
/// The defaults are Keras' (`beta_1` 0.9, `beta_2` 0.999, `epsilon` 1e-7)
/// with `lr_t` 0.001.
///
/// ```
/// use tensorlow::train::AdamStep;
/// let step = AdamStep { lr_t: 0.01, ..AdamStep::default() };
/// assert_eq!((step.beta_1, step.grad_scale), (0.9, 1.0));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AdamStep {
    /// Step size with the bias corrections folded in.
    pub lr_t: f64,
    /// Decay of the first moment.
    pub beta_1: f64,
    /// Decay of the second moment.
    pub beta_2: f64,
    /// Added to `sqrt(v)` in the denominator.
    pub epsilon: f64,
    /// Factor applied to the gradient (gradient clipping).
    pub grad_scale: f64,
    /// Factor applied to the variable first (decoupled weight decay).
    pub keep: f64,
}

impl Default for AdamStep {
    fn default() -> Self {
        AdamStep {
            lr_t: 0.001,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
            grad_scale: 1.0,
            keep: 1.0,
        }
    }
}

/// One Adam step with every option of [`AdamStep`], in place and in one
/// pass over the variable, its slots and the gradient.
///
/// ```
/// use tensorlow::{train::{apply_adam_step, AdamStep}, Tensor, Variable};
/// # fn main() -> tensorlow::Result<()> {
/// let w = Variable::new("w", Tensor::new(&[1.0f64], &[1])?);
/// let (m, v) = (Variable::non_trainable("m", w.zeros_like()?), Variable::non_trainable("v", w.zeros_like()?));
/// // AdamW's decay: keep = 1 - lr * weight_decay = 0.5 halves w before the step.
/// let step = AdamStep { lr_t: 0.1, keep: 0.5, ..AdamStep::default() };
/// apply_adam_step(&w, &m, &v, &Tensor::new(&[3.0f64], &[1])?, &step)?;
/// // m = 0.3, v = 0.009: w = 0.5 - 0.1 * 0.3 / (sqrt(0.009) + 1e-7) = 0.5 - 0.1 * sqrt(10)
/// assert!((w.to_vec::<f64>()?[0] - (0.5 - 0.1 * 10f64.sqrt())).abs() < 1e-6);
/// # Ok(()) }
/// ```
pub fn apply_adam_step(var: &Variable, m: &Variable, v: &Variable, grad: &Tensor, step: &AdamStep) -> Result<()> {
    var.assign_adam(m, v, grad, step)
}

/// Adam's step in TensorFlow's `ApplyAdam` form, in place:
/// `m = beta1*m + (1-beta1)*g; v = beta2*v + (1-beta2)*g²;
/// var -= lr_t * m / (sqrt(v) + epsilon)`, where the caller folds the bias
/// corrections into `lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)` (the
/// form of Keras 3 and of scikit-learn).
#[allow(clippy::too_many_arguments)]
pub fn apply_adam(
    var: &Variable,
    m: &Variable,
    v: &Variable,
    grad: &Tensor,
    lr_t: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
) -> Result<()> {
    let step = AdamStep {
        lr_t,
        beta_1: beta1,
        beta_2: beta2,
        epsilon,
        ..AdamStep::default()
    };
    var.assign_adam(m, v, grad, &step)
}

/// SGD with momentum in Keras' (and scikit-learn's) form, in place:
/// `accum = momentum*accum - lr*g`, then `var += accum`, or with Nesterov
/// `var += momentum*accum - lr*g`.
pub fn apply_momentum(
    var: &Variable,
    accum: &Variable,
    grad: &Tensor,
    lr: f64,
    momentum: f64,
    nesterov: bool,
) -> Result<()> {
    accum.assign_axpby(momentum, -lr, grad)?;
    if nesterov {
        let step = crate::no_grad(|| (&**accum * momentum)? + (grad * -lr)?)?;
        var.assign_axpby(1.0, 1.0, &step)
    } else {
        var.assign_axpby(1.0, 1.0, accum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(v: &[f64]) -> Variable {
        Variable::new("w", Tensor::new(v, &[v.len()]).unwrap())
    }

    #[test]
    fn adam_matches_the_formula() {
        // One step from m = v = 0: m = 0.1 g, v = 0.001 g², w -= lr_t m / (sqrt(v) + eps).
        let (b1, b2, eps, lr_t) = (0.9, 0.999, 1e-7, 0.01);
        let g = [0.5f64, -2.0];
        let (w, m, v) = (var(&[1.0, 2.0]), var(&[0.0, 0.0]), var(&[0.0, 0.0]));
        apply_adam(&w, &m, &v, &Tensor::new(&g, &[2]).unwrap(), lr_t, b1, b2, eps).unwrap();
        for ((got, g), w0) in w.to_vec::<f64>().unwrap().iter().zip(g).zip([1.0, 2.0]) {
            let want = w0 - lr_t * (0.1 * g) / ((0.001 * g * g).sqrt() + eps);
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }

    #[test]
    fn momentum_and_nesterov_follow_keras() {
        for nesterov in [false, true] {
            let (w, a) = (var(&[1.0]), var(&[0.2]));
            apply_momentum(&w, &a, &Tensor::new(&[0.5f64], &[1]).unwrap(), 0.1, 0.9, nesterov).unwrap();
            let m = 0.9 * 0.2 - 0.1 * 0.5;
            let want = if nesterov { 1.0 + 0.9 * m - 0.1 * 0.5 } else { 1.0 + m };
            assert!((a.to_vec::<f64>().unwrap()[0] - m).abs() < 1e-15);
            assert!((w.to_vec::<f64>().unwrap()[0] - want).abs() < 1e-15);
        }
    }

    #[test]
    fn shape_mismatch_names_the_variable() {
        let e = apply_gradient_descent(&var(&[1.0]), 0.1, &Tensor::new(&[1.0f64, 2.0], &[2]).unwrap()).unwrap_err();
        assert!(e.to_string().contains("\"w\""), "{e}");
    }
}
