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
//! ```
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let m = Variable::non_trainable("m", Tensor::new(&[1.0f32, 2.0], &[2])?);
//! let g = Tensor::new(&[10.0f32, 20.0], &[2])?;
//! m.assign_axpby(0.9, 0.1, &g)?; // m = 0.9 m + 0.1 g
//! assert_eq!(m.to_vec::<f32>()?, vec![1.9, 3.8]);
//! # Ok(()) }
//! ```

use crate::{DType, Error, Result, Tensor, Variable};
use candle_core::{CpuStorage, Layout};

/// The element types the CPU kernels handle.
trait Float: Copy + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> + std::ops::Div<Output = Self> {
    fn of(v: f64) -> Self;
    fn sqrt(self) -> Self;
}
impl Float for f32 {
    fn of(v: f64) -> Self {
        v as f32
    }
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
}
impl Float for f64 {
    fn of(v: f64) -> Self {
        v
    }
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
}

fn offsets(l: &Layout) -> candle_core::Result<(usize, usize)> {
    l.contiguous_offsets()
        .ok_or_else(|| candle_core::Error::Msg("fused update: operand is not contiguous".into()))
}

/// `d = a d + b x` (or `+ b x²` when `square`).
struct Axpby {
    a: f64,
    b: f64,
    square: bool,
}

/// Sets the CPU's flush-to-zero and denormals-are-zero modes while alive,
/// as TensorFlow does around its CPU kernels. Optimizer moments decay
/// geometrically (`m *= beta_1` wherever a gradient is zero, e.g. behind a
/// dead ReLU) through the subnormal range, where each operation costs ~100
/// cycles: before this guard W2's Adam update ran ten times slower.
struct FlushDenormals {
    #[cfg(target_arch = "x86_64")]
    saved: u32,
}

impl FlushDenormals {
    #[allow(deprecated)] // _mm_getcsr/_mm_setcsr are deprecated in favour of inline asm, and correct
    fn new() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY: MXCSR holds only this thread's floating-point modes; `drop` restores them.
            let saved = unsafe { std::arch::x86_64::_mm_getcsr() };
            unsafe { std::arch::x86_64::_mm_setcsr(saved | 0x8040) };
            FlushDenormals { saved }
        }
        #[cfg(not(target_arch = "x86_64"))]
        FlushDenormals {}
    }
}

impl Drop for FlushDenormals {
    #[allow(deprecated)]
    fn drop(&mut self) {
        // SAFETY: restores the modes saved in `new`.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            std::arch::x86_64::_mm_setcsr(self.saved)
        };
    }
}

impl Axpby {
    fn run<T: Float>(&self, d: &mut [T], x: &[T]) {
        let (a, b) = (T::of(self.a), T::of(self.b));
        let _ftz = FlushDenormals::new();
        // Equal lengths up front: no bounds checks, so the loops vectorize.
        let x = &x[..d.len()];
        if self.square {
            for i in 0..d.len() {
                d[i] = a * d[i] + b * (x[i] * x[i]);
            }
        } else {
            for i in 0..d.len() {
                d[i] = a * d[i] + b * x[i];
            }
        }
    }
}

impl candle_core::InplaceOp2 for Axpby {
    fn name(&self) -> &'static str {
        "tensorlow-axpby"
    }
    fn cpu_fwd(&self, s1: &mut CpuStorage, l1: &Layout, s2: &CpuStorage, l2: &Layout) -> candle_core::Result<()> {
        let ((o1, e1), (o2, e2)) = (offsets(l1)?, offsets(l2)?);
        match (s1, s2) {
            (CpuStorage::F32(d), CpuStorage::F32(x)) => self.run(&mut d[o1..e1], &x[o2..e2]),
            (CpuStorage::F64(d), CpuStorage::F64(x)) => self.run(&mut d[o1..e1], &x[o2..e2]),
            _ => candle_core::bail!("fused update: only f32/f64 on the CPU"),
        }
        Ok(())
    }
}

/// `d = keep d + c num / (sqrt(den + den_add) + eps)`.
struct Ratio {
    keep: f64,
    c: f64,
    den_add: f64,
    eps: f64,
}

impl Ratio {
    fn run<T: Float>(&self, d: &mut [T], n: &[T], q: &[T]) {
        let (k, c, da, e) = (T::of(self.keep), T::of(self.c), T::of(self.den_add), T::of(self.eps));
        let _ftz = FlushDenormals::new();
        let (n, q) = (&n[..d.len()], &q[..d.len()]);
        for i in 0..d.len() {
            d[i] = k * d[i] + c * n[i] / ((q[i] + da).sqrt() + e);
        }
    }
}

impl candle_core::InplaceOp3 for Ratio {
    fn name(&self) -> &'static str {
        "tensorlow-ratio-update"
    }
    fn cpu_fwd(
        &self,
        s1: &mut CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<()> {
        let ((o1, e1), (o2, e2), (o3, e3)) = (offsets(l1)?, offsets(l2)?, offsets(l3)?);
        match (s1, s2, s3) {
            (CpuStorage::F32(d), CpuStorage::F32(n), CpuStorage::F32(q)) => {
                self.run(&mut d[o1..e1], &n[o2..e2], &q[o3..e3])
            }
            (CpuStorage::F64(d), CpuStorage::F64(n), CpuStorage::F64(q)) => {
                self.run(&mut d[o1..e1], &n[o2..e2], &q[o3..e3])
            }
            _ => candle_core::bail!("fused update: only f32/f64 on the CPU"),
        }
        Ok(())
    }
}

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
}
