//! The CPU kernels of the fused in-place variable updates
//! (`Variable::assign_axpby`, `assign_adam`, ... in `ops::fused`): single
//! loops over f32/f64 storage, split over the thread team for large
//! tensors, under flush-to-zero.
//!
//! ```ignore
//! // (crate-private) d = 0.9 d + 0.1 x, in place on a CPU storage.
//! d.inplace_op2(&x, &cpu::update::Axpby { a: 0.9, b: 0.1, square: false })?;
//! ```

use super::parallel::{self, SendPtr};
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
pub(crate) struct Axpby {
    pub(crate) a: f64,
    pub(crate) b: f64,
    pub(crate) square: bool,
}

/// Sets the CPU's flush-to-zero and denormals-are-zero modes while alive,
/// as TensorFlow does around its CPU kernels. Optimizer moments decay
/// geometrically (`m *= beta_1` wherever a gradient is zero, e.g. behind a
/// dead ReLU) through the subnormal range, where each operation costs ~100
/// cycles: before this guard W2's Adam update ran ten times slower.
pub(crate) struct FlushDenormals {
    #[cfg(target_arch = "x86_64")]
    saved: u32,
}

impl FlushDenormals {
    #[allow(deprecated)] // _mm_getcsr/_mm_setcsr are deprecated in favour of inline asm, and correct
    pub(crate) fn new() -> Self {
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
pub(crate) struct Ratio {
    pub(crate) keep: f64,
    pub(crate) c: f64,
    pub(crate) den_add: f64,
    pub(crate) eps: f64,
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
pub(crate) struct AdamKernel {
    pub(crate) b1: f64,
    pub(crate) c1: f64,
    pub(crate) b2: f64,
    pub(crate) c2: f64,
    pub(crate) keep: f64,
    pub(crate) alpha: f64,
    pub(crate) eps: f64,
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

pub(crate) struct AdamOnW<'a> {
    pub(crate) k: &'a AdamKernel,
    pub(crate) m: &'a candle_core::Tensor,
    pub(crate) v: &'a candle_core::Tensor,
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
pub(crate) fn cpu_buffer(t: &candle_core::Tensor) -> Option<usize> {
    let (s, _) = t.storage_and_layout();
    match &*s {
        candle_core::Storage::Cpu(CpuStorage::F32(v)) => Some(v.as_ptr() as usize),
        candle_core::Storage::Cpu(CpuStorage::F64(v)) => Some(v.as_ptr() as usize),
        _ => None,
    }
}
