//! Fused in-place updates of a [`Variable`], for optimizers.
//!
//! An optimizer step written with ordinary ops allocates a new tensor per
//! op and then copies the result into the variable. These methods do the
//! whole element-wise formula in one pass over the variable's own storage,
//! with every scalar folded in on the host: no allocation, no tape record.
//! On the CPU with `f32`/`f64` they run a single loop; elsewhere (CUDA,
//! half precision) they fall back to the equivalent ops plus
//! [`Variable::assign`], so results agree up to rounding.
//!
//! The operands must have the variable's shape and dtype. They are never
//! differentiated through (the update is recorded by no tape).
//!
//! Large updates (>= 32K elements) are split over tensorlow's thread team,
//! which the large matmuls share, so no thread competes with them.
//! Every element is computed by the same formula whatever the split, so
//! results do not depend on the number of threads.
//!
//! ```
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let m = Variable::non_trainable("m", Tensor::new(&[1.0f32, 2.0], &[2])?);
//! let g = Tensor::new(&[10.0f32, 20.0], &[2])?;
//! m.assign_axpby(0.9, 0.1, &g)?; // m = 0.9 m + 0.1 g
//! assert_eq!(m.to_vec::<f32>()?, vec![1.9, 3.8]);
//! # Ok(()) }
//! ```

use crate::cpu::update::{cpu_buffer, AdamKernel, AdamOnW, Axpby, Ratio};
use crate::train::AdamStep;
use crate::{DType, Error, Result, Tensor, Variable};

impl Variable {
    fn check_operand(&self, op: &'static str, x: &Tensor) -> Result<()> {
        if x.shape() != self.shape() {
            return Err(Error::shape(
                op,
                format!(
                    "variable {:?} has shape {:?}, the operand has shape {:?}",
                    self.name(),
                    self.shape(),
                    x.shape()
                ),
            ));
        }
        if x.dtype() != self.dtype() {
            return Err(Error::DType {
                op,
                msg: format!(
                    "variable {:?} has dtype {}, the operand has dtype {}; cast it first",
                    self.name(),
                    self.dtype(),
                    x.dtype()
                ),
            });
        }
        self.value().same_device(x, op)
    }

    /// Whether the single-loop CPU kernels apply.
    fn fused_cpu(&self) -> bool {
        self.device().is_cpu() && matches!(self.dtype(), DType::F32 | DType::F64)
    }

    /// `self = a * self + b * x` in place, in one pass (`x` has the
    /// variable's shape and dtype). The workhorse of momentum and moment
    /// updates: `m.assign_axpby(beta, 1.0 - beta, &g)`.
    pub fn assign_axpby(&self, a: f64, b: f64, x: &Tensor) -> Result<()> {
        self.check_operand("assign_axpby", x)?;
        if self.fused_cpu() {
            let xs = x.value.contiguous()?;
            // Fails only if `x` shares this variable's storage: use the ops below.
            if self
                .value()
                .value
                .inplace_op2(&xs, &Axpby { a, b, square: false })
                .is_ok()
            {
                return Ok(());
            }
        }
        let v = crate::no_grad(|| self.value().affine(a, 0.0)?.add(&x.affine(b, 0.0)?))?;
        self.assign(&v)
    }

    /// `self = a * self + b * x²` in place, in one pass: second-moment
    /// updates, `v.assign_axpby_square(beta_2, 1.0 - beta_2, &g)`.
    pub fn assign_axpby_square(&self, a: f64, b: f64, x: &Tensor) -> Result<()> {
        self.check_operand("assign_axpby_square", x)?;
        if self.fused_cpu() {
            let xs = x.value.contiguous()?;
            if self
                .value()
                .value
                .inplace_op2(&xs, &Axpby { a, b, square: true })
                .is_ok()
            {
                return Ok(());
            }
        }
        let v = crate::no_grad(|| self.value().affine(a, 0.0)?.add(&x.square()?.affine(b, 0.0)?))?;
        self.assign(&v)
    }

    /// One Adam step on this variable and its moment slots `m` and `v`, in
    /// place and in one pass (see [`AdamStep`] for the formula). `m`, `v`
    /// and `grad` have the variable's shape and dtype.
    ///
    /// ```
    /// use tensorlow::{train::AdamStep, Tensor, Variable};
    /// # fn main() -> tensorlow::Result<()> {
    /// let w = Variable::new("w", Tensor::new(&[1.0f32], &[1])?);
    /// let (m, v) = (Variable::non_trainable("m", w.zeros_like()?), Variable::non_trainable("v", w.zeros_like()?));
    /// w.assign_adam(&m, &v, &Tensor::new(&[2.0f32], &[1])?, &AdamStep { lr_t: 0.1, ..AdamStep::default() })?;
    /// // m = 0.2, v = 0.004: w = 1 - 0.1 * 0.2 / (sqrt(0.004) + 1e-7) = 0.6838...
    /// assert!((w.to_vec::<f32>()?[0] - 0.683772).abs() < 1e-5);
    /// # Ok(()) }
    /// ```
    pub fn assign_adam(&self, m: &Variable, v: &Variable, grad: &Tensor, step: &AdamStep) -> Result<()> {
        self.check_operand("assign_adam", m)?;
        self.check_operand("assign_adam", v)?;
        self.check_operand("assign_adam", grad)?;
        let s = step;
        if self.fused_cpu() {
            let g = grad.value.contiguous()?;
            let (wt, mt, vt) = (&self.value().value, &m.value().value, &v.value().value);
            let bufs = [cpu_buffer(wt), cpu_buffer(mt), cpu_buffer(vt), cpu_buffer(&g)];
            let distinct = bufs.iter().all(Option::is_some) && (0..4).all(|i| (i + 1..4).all(|j| bufs[i] != bufs[j]));
            if distinct {
                let k = AdamKernel {
                    b1: s.beta_1,
                    c1: (1.0 - s.beta_1) * s.grad_scale,
                    b2: s.beta_2,
                    c2: (1.0 - s.beta_2) * s.grad_scale * s.grad_scale,
                    keep: s.keep,
                    alpha: s.lr_t,
                    eps: s.epsilon,
                };
                wt.inplace_op2(&g, &AdamOnW { k: &k, m: mt, v: vt })?;
                return Ok(());
            }
        }
        m.assign_axpby(s.beta_1, (1.0 - s.beta_1) * s.grad_scale, grad)?;
        v.assign_axpby_square(s.beta_2, (1.0 - s.beta_2) * s.grad_scale * s.grad_scale, grad)?;
        self.assign_add_ratio(s.keep, -s.lr_t, m, v, 0.0, s.epsilon)
    }

    /// `self = keep * self + c * num / (sqrt(den + den_add) + eps)` in place,
    /// in one pass: the parameter step of Adam (`den` = second moment,
    /// `den_add = 0`), Adagrad and RMSprop (`den_add = epsilon`, `eps = 0`);
    /// `keep = 1 - lr * weight_decay` folds decoupled weight decay in.
    pub fn assign_add_ratio(
        &self,
        keep: f64,
        c: f64,
        num: &Tensor,
        den: &Tensor,
        den_add: f64,
        eps: f64,
    ) -> Result<()> {
        self.check_operand("assign_add_ratio", num)?;
        self.check_operand("assign_add_ratio", den)?;
        if self.fused_cpu() {
            let (n, q) = (num.value.contiguous()?, den.value.contiguous()?);
            let op = Ratio { keep, c, den_add, eps };
            if self.value().value.inplace_op3(&n, &q, &op).is_ok() {
                return Ok(());
            }
        }
        let v = crate::no_grad(|| {
            let step = num.div(&(den + den_add)?.sqrt()?.affine(1.0, eps)?)?.affine(c, 0.0)?;
            self.value().affine(keep, 0.0)?.add(&step)
        })?;
        self.assign(&v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_match_formulas() -> Result<()> {
        let d = Variable::non_trainable("d", Tensor::new(&[1.0f64, 4.0], &[2])?);
        let x = Tensor::new(&[2.0f64, -3.0], &[2])?;
        d.assign_axpby(0.5, 2.0, &x)?; // [0.5+4, 2-6]
        assert_eq!(d.to_vec::<f64>()?, vec![4.5, -4.0]);
        d.assign_axpby_square(1.0, 0.5, &x)?; // [4.5+2, -4+4.5]
        assert_eq!(d.to_vec::<f64>()?, vec![6.5, 0.5]);
        let den = Tensor::new(&[3.0f64, 8.0], &[2])?;
        // 2*6.5 + 3*2/(sqrt(4)+0.5), 2*0.5 + 3*(-3)/(sqrt(9)+0.5)
        d.assign_add_ratio(2.0, 3.0, &x, &den, 1.0, 0.5)?;
        let got = d.to_vec::<f64>()?;
        assert!((got[0] - (13.0 + 6.0 / 2.5)).abs() < 1e-12);
        assert!((got[1] - (1.0 - 9.0 / 3.5)).abs() < 1e-12);
        Ok(())
    }

    #[test]
    fn non_contiguous_and_aliased_operands() -> Result<()> {
        // A transposed operand goes through the contiguous copy; the
        // variable itself as operand takes the op fallback.
        let d = Variable::non_trainable("d", Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?);
        let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?.transpose()?;
        d.assign_axpby(1.0, 1.0, &x)?;
        assert_eq!(d.to_vec::<f32>()?, vec![2.0, 5.0, 5.0, 8.0]);
        d.assign_axpby(1.0, 1.0, d.value())?;
        assert_eq!(d.to_vec::<f32>()?, vec![4.0, 10.0, 10.0, 16.0]);
        assert!(d.assign_axpby(1.0, 1.0, &Tensor::new(&[1.0f32], &[1])?).is_err());
        Ok(())
    }

    #[test]
    fn one_pass_adam_matches_the_three_kernels_bit_for_bit() -> Result<()> {
        // Sizes on both sides of PAR_MIN; the three-kernel path is the reference.
        for n in [5usize, 100_003] {
            let mut gen = crate::random::Generator::from_seed(3);
            let mut mk = |s| gen.normal(&[n], 0.0, s, DType::F32, &crate::Device::cpu());
            let (w0, g) = (mk(1.0)?, mk(0.1)?);
            let step = AdamStep {
                lr_t: 0.01,
                grad_scale: 0.5,
                keep: 0.999,
                ..AdamStep::default()
            };
            let fused = Variable::new("w", w0.clone());
            let sep = Variable::new("w", w0);
            let slots = |w: &Variable| -> Result<(Variable, Variable)> {
                Ok((
                    Variable::non_trainable("m", w.zeros_like()?),
                    Variable::non_trainable("v", w.zeros_like()?),
                ))
            };
            let ((m1, v1), (m2, v2)) = (slots(&fused)?, slots(&sep)?);
            for _ in 0..3 {
                fused.assign_adam(&m1, &v1, &g, &step)?;
                m2.assign_axpby(0.9, 0.1 * 0.5, &g)?;
                v2.assign_axpby_square(0.999, 0.001 * 0.25, &g)?;
                sep.assign_add_ratio(0.999, -0.01, &m2, &v2, 0.0, 1e-7)?;
            }
            assert_eq!(fused.to_vec::<f32>()?, sep.to_vec::<f32>()?);
            assert_eq!(m1.to_vec::<f32>()?, m2.to_vec::<f32>()?);
            assert_eq!(v1.to_vec::<f32>()?, v2.to_vec::<f32>()?);
        }
        Ok(())
    }

    #[test]
    fn adam_with_an_aliased_gradient_takes_the_op_path() -> Result<()> {
        // The gradient is the variable itself: the nested locks would
        // deadlock, so the update must go through the separate kernels.
        let w = Variable::new("w", Tensor::new(&[1.0f64, -2.0], &[2])?);
        let (m, v) = (
            Variable::non_trainable("m", w.zeros_like()?),
            Variable::non_trainable("v", w.zeros_like()?),
        );
        let step = AdamStep {
            lr_t: 0.1,
            ..AdamStep::default()
        };
        w.assign_adam(&m, &v, w.value(), &step)?;
        // From m = v = 0 the first step is lr_t * 0.1 g / sqrt(0.001 g²)
        // = lr_t * sqrt(10) * sign(g) (up to eps), against the gradient.
        let d = 0.1 * 10f64.sqrt();
        let got = w.to_vec::<f64>()?;
        assert!(
            (got[0] - (1.0 - d)).abs() < 1e-6 && (got[1] - (-2.0 + d)).abs() < 1e-6,
            "{got:?}"
        );
        assert!(w.assign_adam(&m, &v, &Tensor::new(&[1.0f64], &[1])?, &step).is_err());
        Ok(())
    }
}
