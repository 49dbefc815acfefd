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

use crate::parallel::{self, SendPtr};
use crate::train::AdamStep;
use crate::{DType, Error, Result, Tensor, Variable};
use candle_core::{CpuStorage, Layout};
use std::cell::RefCell;

/// The element types the CPU kernels handle.
trait Float:
    Copy + Send + Sync + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> + std::ops::Div<Output = Self>
{
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

/// Below this many elements a kernel runs on the calling thread: handing
/// chunks to the team costs more than one pass over a small tensor.
/// Chunks are multiples of 64 elements so they start on cache lines.
const PAR_MIN: usize = 32 * 1024;

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
        let x = &x[..d.len()];
        let dp = SendPtr(d.as_mut_ptr());
        // SAFETY: the ranges are disjoint and within `d`, which is not
        // otherwise touched until the split returns.
        parallel::for_each_range(d.len(), PAR_MIN, 64, |r| {
            self.pass(unsafe { dp.slice(r.clone()) }, &x[r])
        });
    }

    fn pass<T: Float>(&self, d: &mut [T], x: &[T]) {
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
        let (n, q) = (&n[..d.len()], &q[..d.len()]);
        let dp = SendPtr(d.as_mut_ptr());
        // SAFETY: the ranges are disjoint and within `d`, which is not
        // otherwise touched until the split returns.
        parallel::for_each_range(d.len(), PAR_MIN, 64, |r| {
            self.pass(unsafe { dp.slice(r.clone()) }, &n[r.clone()], &q[r])
        });
    }

    fn pass<T: Float>(&self, d: &mut [T], n: &[T], q: &[T]) {
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

/// Adam's whole step in one pass over four arrays:
/// `m = b1 m + c1 g; v = b2 v + c2 g²; w = keep w - alpha m / (sqrt(v) + eps)`,
/// with exactly the arithmetic of the three separate kernels it replaces
/// (`Axpby`, `Axpby` squared, `Ratio`), so results are bit for bit the same.
/// One pass reads 4 and writes 3 arrays instead of reading 7 and writing 3.
struct AdamKernel {
    b1: f64,
    c1: f64,
    b2: f64,
    c2: f64,
    keep: f64,
    alpha: f64,
    eps: f64,
}

impl AdamKernel {
    fn run<T: Float>(&self, w: &mut [T], m: &mut [T], v: &mut [T], g: &[T]) {
        let n = w.len();
        let (m, v, g) = (&mut m[..n], &mut v[..n], &g[..n]);
        let (wp, mp, vp) = (
            SendPtr(w.as_mut_ptr()),
            SendPtr(m.as_mut_ptr()),
            SendPtr(v.as_mut_ptr()),
        );
        // SAFETY: the ranges are disjoint and within the three buffers
        // (all `n` long), which are not otherwise touched until the split
        // returns.
        parallel::for_each_range(n, PAR_MIN, 64, |r| unsafe {
            self.pass(wp.slice(r.clone()), mp.slice(r.clone()), vp.slice(r.clone()), &g[r])
        });
    }

    fn pass<T: Float>(&self, w: &mut [T], m: &mut [T], v: &mut [T], g: &[T]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: this CPU has AVX-512F (checked just above).
            return unsafe { self.pass_avx512(w, m, v, g) };
        }
        self.pass_any(w, m, v, g)
    }

    /// [`pass_any`](Self::pass_any) compiled for AVX-512: 16 lanes of
    /// division and square root per instruction instead of SSE2's 4. The
    /// same IEEE operations (Rust never fuses a multiply and an add on its
    /// own), so the same bits.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn pass_avx512<T: Float>(&self, w: &mut [T], m: &mut [T], v: &mut [T], g: &[T]) {
        self.pass_any(w, m, v, g)
    }

    #[inline(always)]
    fn pass_any<T: Float>(&self, w: &mut [T], m: &mut [T], v: &mut [T], g: &[T]) {
        let (b1, c1, b2, c2) = (T::of(self.b1), T::of(self.c1), T::of(self.b2), T::of(self.c2));
        let (keep, c, zero, eps) = (T::of(self.keep), T::of(-self.alpha), T::of(0.0), T::of(self.eps));
        let _ftz = FlushDenormals::new();
        let n = w.len();
        let (m, v, g) = (&mut m[..n], &mut v[..n], &g[..n]);
        for i in 0..n {
            let gi = g[i];
            let mi = b1 * m[i] + c1 * gi;
            let vi = b2 * v[i] + c2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            w[i] = keep * w[i] + c * mi / ((vi + zero).sqrt() + eps);
        }
    }

    fn run_storages(
        &self,
        (w, lw): (&mut CpuStorage, &Layout),
        (m, lm): (&mut CpuStorage, &Layout),
        (v, lv): (&mut CpuStorage, &Layout),
        (g, lg): (&CpuStorage, &Layout),
    ) -> candle_core::Result<()> {
        let (ow, om, ov, og) = (offsets(lw)?, offsets(lm)?, offsets(lv)?, offsets(lg)?);
        match (w, m, v, g) {
            (CpuStorage::F32(w), CpuStorage::F32(m), CpuStorage::F32(v), CpuStorage::F32(g)) => self.run(
                &mut w[ow.0..ow.1],
                &mut m[om.0..om.1],
                &mut v[ov.0..ov.1],
                &g[og.0..og.1],
            ),
            (CpuStorage::F64(w), CpuStorage::F64(m), CpuStorage::F64(v), CpuStorage::F64(g)) => self.run(
                &mut w[ow.0..ow.1],
                &mut m[om.0..om.1],
                &mut v[ov.0..ov.1],
                &g[og.0..og.1],
            ),
            _ => candle_core::bail!("fused update: only f32/f64 on the CPU"),
        }
        Ok(())
    }
}

// candle hands an in-place op one storage to write. Adam writes three, so
// the op nests: candle write-locks `w` (reading `g`), inside that `m`,
// inside that `v`, and the innermost op sees all four. The caller checks
// first that the four storages are distinct (a second lock of one storage
// would deadlock).

type Held<'a> = RefCell<Option<(&'a mut CpuStorage, &'a Layout)>>;

struct AdamOnW<'a> {
    k: &'a AdamKernel,
    m: &'a candle_core::Tensor,
    v: &'a candle_core::Tensor,
}

struct AdamOnM<'a> {
    k: &'a AdamKernel,
    v: &'a candle_core::Tensor,
    w: Held<'a>,
    g: (&'a CpuStorage, &'a Layout),
}

struct AdamOnV<'a> {
    k: &'a AdamKernel,
    w: Held<'a>,
    m: Held<'a>,
    g: (&'a CpuStorage, &'a Layout),
}

fn taken<'a>(h: &Held<'a>) -> candle_core::Result<(&'a mut CpuStorage, &'a Layout)> {
    h.borrow_mut()
        .take()
        .ok_or_else(|| candle_core::Error::Msg("fused adam: storage already used".into()))
}

impl candle_core::InplaceOp2 for AdamOnW<'_> {
    fn name(&self) -> &'static str {
        "tensorlow-adam"
    }
    fn cpu_fwd(&self, w: &mut CpuStorage, lw: &Layout, g: &CpuStorage, lg: &Layout) -> candle_core::Result<()> {
        let op = AdamOnM {
            k: self.k,
            v: self.v,
            w: RefCell::new(Some((w, lw))),
            g: (g, lg),
        };
        self.m.inplace_op1(&op)
    }
}

impl candle_core::InplaceOp1 for AdamOnM<'_> {
    fn name(&self) -> &'static str {
        "tensorlow-adam"
    }
    fn cpu_fwd(&self, m: &mut CpuStorage, lm: &Layout) -> candle_core::Result<()> {
        let op = AdamOnV {
            k: self.k,
            w: RefCell::new(Some(taken(&self.w)?)),
            m: RefCell::new(Some((m, lm))),
            g: self.g,
        };
        self.v.inplace_op1(&op)
    }
}

impl candle_core::InplaceOp1 for AdamOnV<'_> {
    fn name(&self) -> &'static str {
        "tensorlow-adam"
    }
    fn cpu_fwd(&self, v: &mut CpuStorage, lv: &Layout) -> candle_core::Result<()> {
        self.k.run_storages(taken(&self.w)?, taken(&self.m)?, (v, lv), self.g)
    }
}

/// The address of a CPU tensor's buffer, to tell storages apart.
fn cpu_buffer(t: &candle_core::Tensor) -> Option<usize> {
    let (s, _) = t.storage_and_layout();
    match &*s {
        candle_core::Storage::Cpu(CpuStorage::F32(v)) => Some(v.as_ptr() as usize),
        candle_core::Storage::Cpu(CpuStorage::F64(v)) => Some(v.as_ptr() as usize),
        _ => None,
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
