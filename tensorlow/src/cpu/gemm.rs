//! 2-D CPU matrix products by our own kernels: small products as a plain
//! loop, larger ones through the `gemm` crate, split into column (or row)
//! blocks over the thread team ([`super::parallel`]). [`matmul_2d`] is
//! what `Tensor::matmul` calls for 2-D f32/f64 operands on the CPU.
//!
//! ```ignore
//! // (crate-private) a @ b for 2-D CPU tensors, or None when another path applies.
//! let c = cpu::gemm::matmul_2d(&a.value, &b.value)?.unwrap();
//! ```

use super::parallel::{self, SendPtr};
use crate::Result;
use candle_core::{CpuStorage, Layout, Shape};
use std::ops::Range;

/// `a @ b` for 2-D f32/f64 CPU operands by our own kernels, or `None`:
/// small products as a plain loop ([`SMALL_MATMUL_MACS`]), others straight
/// through `gemm` when no stride is zero. candle's own call zero-fills the
/// output before `gemm` overwrites it (`read_dst = false`): a wasted pass
/// over every output, 4% of W3's training time (1.6 MB per kernel gradient).
pub(crate) fn matmul_2d(a: &candle_core::Tensor, b: &candle_core::Tensor) -> Result<Option<candle_core::Tensor>> {
    let is_f = matches!(a.dtype(), candle_core::DType::F32 | candle_core::DType::F64);
    if a.rank() != 2 || !a.device().is_cpu() || !is_f || a.dtype() != b.dtype() {
        return Ok(None);
    }
    let (m, k, n) = (a.dims()[0], a.dims()[1], b.dims()[1]);
    let kernel = if m * k * n <= SMALL_MATMUL_MACS {
        Matmul2d::SmallLoop
    } else {
        let strides_ok = |t: &candle_core::Tensor| t.stride().iter().all(|&s| s > 0);
        if !strides_ok(a) || !strides_ok(b) {
            return Ok(None);
        }
        Matmul2d::Gemm
    };
    Ok(Some(a.apply_op2_no_bwd(b, &kernel)?))
}

/// The two CPU kernels of [`matmul_2d`].
enum Matmul2d {
    SmallLoop,
    Gemm,
}

struct Gemm;

/// Below this many multiply-adds a matmul runs on the calling thread: the
/// split costs more than it saves.
const SPLIT_MIN_MACS: usize = 1 << 20;

/// How one `m x k @ k x n` product is cut into single-threaded `gemm`
/// calls over the team: blocks of output columns (multiples of 16, so each
/// starts on a vector boundary), or of rows for a narrow output (a kernel
/// gradient `x^T @ g` into few units), or none.
///
/// Every block must round as the whole product would, or the result would
/// depend on the thread count. `gemm` computes each value as one chain of
/// multiply-adds over the depth, in order, except in two regimes chosen by
/// the output's size: up to 16 x 16 values (256) it may take dot products
/// with horizontal sums, and beyond a depth of 512 it sums in chunks, 512
/// long for outputs of at most 64 x 64 but sized by its cache model for
/// larger ones (k = 840 goes 512 + 328 in one case and 420 + 420 in the
/// other). So no block is cut into another regime than the whole product:
/// a 64 x 840 @ 840 x 128 product is not split in two 64-column halves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Split {
    Whole,
    Cols(usize),
    Rows(usize),
}

impl Split {
    pub(crate) fn plan(m: usize, n: usize, k: usize, threads: usize) -> Split {
        if threads <= 1 || m * n * k < SPLIT_MIN_MACS {
            return Split::Whole;
        }
        let regime = |r: usize, c: usize| (r * c <= 256, k > 512 && r <= 64 && c <= 64);
        let safe = |bm: usize, bn: usize| regime(bm, bn) == regime(m, n);
        if n >= 128 {
            let parts = (2..=threads.min(n / 64)).rev().find(|&p| {
                safe(
                    m,
                    (0..p)
                        .map(|t| col_bound(n, p, t + 1) - col_bound(n, p, t))
                        .min()
                        .unwrap_or(n),
                )
            });
            return parts.map_or(Split::Whole, Split::Cols);
        }
        if m >= 128 {
            let parts = (2..=threads.min(m / 64)).rev().find(|&p| safe(m / p, n));
            return parts.map_or(Split::Whole, Split::Rows);
        }
        Split::Whole
    }

    /// Calls `block(rows, cols)` for every block, over the team.
    pub(crate) fn run(self, m: usize, n: usize, block: impl Fn(Range<usize>, Range<usize>) + Sync) {
        match self {
            Split::Whole => block(0..m, 0..n),
            Split::Cols(p) => parallel::for_each(p, |t| block(0..m, col_bound(n, p, t)..col_bound(n, p, t + 1))),
            Split::Rows(p) => parallel::for_each(p, |t| block(m * t / p..m * (t + 1) / p, 0..n)),
        }
    }
}

/// Where column block `t` of `parts` starts (`n` for `t == parts`).
fn col_bound(n: usize, parts: usize, t: usize) -> usize {
    if t == parts {
        n
    } else {
        (n * t / parts) / 16 * 16
    }
}

impl Gemm {
    fn run<T: candle_core::WithDType>(a: &[T], la: &Layout, b: &[T], lb: &Layout) -> candle_core::Result<Vec<T>> {
        let (m, k, n) = (la.dims()[0], la.dims()[1], lb.dims()[1]);
        let (sa, sb) = (la.stride(), lb.stride());
        let (a, b) = (&a[la.start_offset()..], &b[lb.start_offset()..]);
        // The last element each operand's view reaches must be in bounds.
        if (m - 1) * sa[0] + (k - 1) * sa[1] >= a.len() || (k - 1) * sb[0] + (n - 1) * sb[1] >= b.len() {
            candle_core::bail!("gemm: operand view out of its storage's bounds");
        }
        let threads = parallel::threads();
        let mut out: Vec<T> = Vec::with_capacity(m * n);
        let dst = SendPtr(out.as_mut_ptr());
        // One single-threaded gemm call over output rows `r` and columns
        // `c`.
        // SAFETY (for callers): the ranges are in `0..m` and `0..n`; the
        // operand views are in bounds (checked above) and `out` has room
        // for m x n values.
        let block = |r: std::ops::Range<usize>, c: std::ops::Range<usize>| unsafe {
            gemm::gemm(
                r.len(),
                c.len(),
                k,
                dst.get().add(r.start * n + c.start),
                1,
                n as isize,
                false,
                a.as_ptr().add(r.start * sa[0]),
                sa[1] as isize,
                sa[0] as isize,
                b.as_ptr().add(c.start * sb[1]),
                sb[1] as isize,
                sb[0] as isize,
                T::zero(),
                T::one(),
                false,
                false,
                false,
                gemm::Parallelism::None,
            )
        };
        // One single-threaded gemm per block, on the team (see `parallel`
        // and `Split`). gemm's own threading scaled poorly at W3's shapes
        // on 2 cores, worst with a transposed rhs (the input gradient `g @
        // w^T` of every dense layer): 128x512 @ (512x512)^T took 1.27-1.58
        // ms with `Parallelism::Rayon(2)` and 0.61-0.95 ms split in two;
        // the forward 128x784 @ 784x512 1.41-2.64 ms against 1.14-1.44 ms.
        Split::plan(m, n, k, threads).run(m, n, block);
        // SAFETY: the calls above wrote all m x n values (gemm with
        // `read_dst = false` and k > 0 writes its whole output without
        // reading it; the blocks cover all rows and columns).
        unsafe { out.set_len(m * n) };
        Ok(out)
    }
}

/// Below this many multiply-adds a 2-D CPU matmul runs as a plain loop:
/// `gemm` allocates and zeroes packing buffers on every call, which costs
/// more than the arithmetic of a small layer (a 10x4 @ 4x5 step of W1).
const SMALL_MATMUL_MACS: usize = 8 * 1024;

struct SmallMatMul;

impl SmallMatMul {
    fn run<T: candle_core::WithDType>(a: &[T], la: &Layout, b: &[T], lb: &Layout) -> Vec<T> {
        let (m, k, n) = (la.dims()[0], la.dims()[1], lb.dims()[1]);
        let (sa, sb) = (la.stride(), lb.stride());
        let (oa, ob) = (la.start_offset(), lb.start_offset());
        let mut out = vec![T::zero(); m * n];
        for i in 0..m {
            let row = &mut out[i * n..(i + 1) * n];
            for p in 0..k {
                let av = a[oa + i * sa[0] + p * sa[1]];
                let bo = ob + p * sb[0];
                if sb[1] == 1 {
                    for (o, &bv) in row.iter_mut().zip(&b[bo..bo + n]) {
                        *o += av * bv;
                    }
                } else {
                    for (j, o) in row.iter_mut().enumerate() {
                        *o += av * b[bo + j * sb[1]];
                    }
                }
            }
        }
        out
    }
}

impl candle_core::CustomOp2 for Matmul2d {
    fn name(&self) -> &'static str {
        match self {
            Matmul2d::SmallLoop => "tensorlow-small-matmul",
            Matmul2d::Gemm => "tensorlow-gemm",
        }
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        fn run<T: candle_core::WithDType>(
            k: &Matmul2d,
            a: &[T],
            la: &Layout,
            b: &[T],
            lb: &Layout,
        ) -> candle_core::Result<Vec<T>> {
            match k {
                Matmul2d::SmallLoop => Ok(SmallMatMul::run(a, la, b, lb)),
                Matmul2d::Gemm => Gemm::run(a, la, b, lb),
            }
        }
        let shape = Shape::from((l1.dims()[0], l2.dims()[1]));
        let out = match (s1, s2) {
            (CpuStorage::F32(a), CpuStorage::F32(b)) => CpuStorage::F32(run(self, a, l1, b, l2)?),
            (CpuStorage::F64(a), CpuStorage::F64(b)) => CpuStorage::F64(run(self, a, l1, b, l2)?),
            _ => candle_core::bail!("{} supports f32 and f64 operands of one dtype", self.name()),
        };
        Ok((out, shape))
    }
}

/// A strided matrix view into a slice: element `(i, j)` is
/// `data[i * rs + j * cs]`.
#[derive(Clone, Copy)]
pub(crate) struct Mat<'a, T> {
    pub data: &'a [T],
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<T> Mat<'_, T> {
    /// Panics unless every element of the view lies in `data` (a bug in
    /// the calling kernel, never a user error).
    fn check(&self) {
        if self.rows > 0 && self.cols > 0 {
            let last = (self.rows - 1) * self.rs + (self.cols - 1) * self.cs;
            assert!(last < self.data.len(), "gemm_into: operand view out of bounds");
        }
    }
}

/// `dst = a @ b`, or `dst += a @ b` when `accumulate`, on the calling
/// thread: the building block of the convolution kernels, which split
/// their own work over the team. `dst` is row-major with row stride
/// `dst_rs` (`a.rows` rows of `b.cols` values). Small products run as a
/// plain loop ([`SMALL_MATMUL_MACS`]), where `gemm`'s packing costs more
/// than it saves.
pub(crate) fn gemm_into<T: candle_core::WithDType>(
    dst: &mut [T],
    dst_rs: usize,
    accumulate: bool,
    a: Mat<T>,
    b: Mat<T>,
) {
    // SAFETY: a `&mut` slice is valid for reads and writes of its length
    // and overlaps nothing else.
    unsafe { gemm_raw(dst.as_mut_ptr(), dst.len(), dst_rs, accumulate, a, b) }
}

/// [`gemm_into`] into a raw destination, which may be uninitialized when
/// not `accumulate` (every one of its m x n values is written).
///
/// # Safety
/// `dst` is valid for writes (and reads, with `accumulate`) of `dst_len`
/// values, initialized when `accumulate`, and no live reference overlaps
/// the m x n view written.
pub(crate) unsafe fn gemm_raw<T: candle_core::WithDType>(
    dst: *mut T,
    dst_len: usize,
    dst_rs: usize,
    accumulate: bool,
    a: Mat<T>,
    b: Mat<T>,
) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(b.rows, k, "gemm_into: inner dimensions differ");
    if m == 0 || n == 0 {
        return;
    }
    assert!((m - 1) * dst_rs + n <= dst_len, "gemm_into: destination too small");
    a.check();
    b.check();
    if k == 0 || m * n * k <= SMALL_MATMUL_MACS {
        for i in 0..m {
            for j in 0..n {
                let o = dst.add(i * dst_rs + j);
                let mut acc = if accumulate { o.read() } else { T::zero() };
                for p in 0..k {
                    acc += a.data[i * a.rs + p * a.cs] * b.data[p * b.rs + j * b.cs];
                }
                o.write(acc);
            }
        }
        return;
    }
    // SAFETY: every element of both operand views is in bounds of its
    // slice and the m x n destination view within `dst_len` (checked
    // above); the caller guarantees `dst` is valid and not aliased.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            1,
            dst_rs as isize,
            accumulate,
            a.data.as_ptr(),
            a.cs as isize,
            a.rs as isize,
            b.data.as_ptr(),
            b.cs as isize,
            b.rs as isize,
            T::one(),
            T::one(),
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Split;
    use crate::{random, DType, Device, Result, Tensor};

    #[test]
    fn splits_keep_every_block_in_the_whole_products_regime() {
        // Deeper than 512: halves of at most 64 x 64 would sum in other
        // chunks than the whole 64 x 128 output (tests/threads.rs shows the
        // bits differing); wider blocks or taller outputs may split.
        assert_eq!(Split::plan(64, 128, 840, 2), Split::Whole);
        assert_eq!(Split::plan(64, 512, 840, 2), Split::Cols(2));
        assert_eq!(Split::plan(128, 128, 840, 2), Split::Cols(2));
        assert_eq!(Split::plan(64, 128, 512, 2), Split::Cols(2));
        // Three 64-column blocks of a 192-wide output are all <= 64 x 64:
        // not on 3 threads, but two 96-wide halves are fine.
        assert_eq!(Split::plan(64, 192, 840, 3), Split::Cols(2));
        // Row blocks of a narrow output likewise.
        assert_eq!(Split::plan(128, 64, 840, 2), Split::Whole);
        assert_eq!(Split::plan(256, 64, 840, 2), Split::Rows(2));
        // At most 256 output values is gemm's dot-product regime: 3 x 128
        // is outside it, its 3 x 64 halves inside.
        assert_eq!(Split::plan(3, 128, 4096, 2), Split::Whole);
        assert_eq!(Split::plan(3, 256, 4096, 2), Split::Cols(2));
        // Small products and one thread never split.
        assert_eq!(Split::plan(128, 128, 32, 2), Split::Whole);
        assert_eq!(Split::plan(512, 512, 512, 1), Split::Whole);
    }

    /// `a @ b` by the definition, in f64.
    fn naive(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        out
    }

    fn transposed(v: &[f64], rows: usize, cols: usize) -> Vec<f64> {
        (0..rows * cols).map(|i| v[(i % rows) * cols + i / rows]).collect()
    }

    #[test]
    fn large_matmuls_are_right_for_every_transpose_layout() -> Result<()> {
        // Past the small-matmul loop and the split threshold, so gemm reads
        // the strided views directly; f32 and f64, all four layouts. Wide
        // outputs split into (ragged) column blocks, narrow ones with many
        // rows into row blocks.
        check_layouts(48, 130, 200)?;
        check_layouts(300, 160, 24)
    }

    fn check_layouts(m: usize, k: usize, n: usize) -> Result<()> {
        let mut gen = random::Generator::from_seed(7);
        let a = gen.normal(&[m, k], 0.0, 1.0, DType::F64, &Device::cpu())?;
        let b = gen.normal(&[k, n], 0.0, 1.0, DType::F64, &Device::cpu())?;
        let (av, bv) = (a.to_vec::<f64>()?, b.to_vec::<f64>()?);
        let want = naive(&av, &bv, m, k, n);
        let at = Tensor::from_vec(transposed(&av, m, k), &[k, m], &Device::cpu())?;
        let bt = Tensor::from_vec(transposed(&bv, k, n), &[n, k], &Device::cpu())?;
        for dtype in [DType::F64, DType::F32] {
            let tol = if dtype == DType::F64 { 1e-12 } else { 1e-4 };
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let lhs = if ta { &at } else { &a };
                let rhs = if tb { &bt } else { &b };
                let got = lhs.cast(dtype)?.matmul_t(&rhs.cast(dtype)?, ta, tb)?;
                let got = got.cast(DType::F64)?.to_vec::<f64>()?;
                for (g, w) in got.iter().zip(&want) {
                    assert!((g - w).abs() < tol * (1.0 + w.abs()), "{dtype:?} {ta} {tb}: {g} vs {w}");
                }
            }
        }
        // Through an offset view too: the rhs is the second half of a
        // larger tensor, transposed.
        let big = Tensor::concat(&[&bt, &bt], 0)?;
        let view = big.slice(&[n, 0], &[n as isize, -1])?.transpose()?;
        let got = a.matmul(&view)?.to_vec::<f64>()?;
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-12 * (1.0 + w.abs()));
        }
        Ok(())
    }
}
