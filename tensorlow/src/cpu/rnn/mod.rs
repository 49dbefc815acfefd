//! CPU kernels of the fused recurrent ops ([`crate::nn::lstm`],
//! [`crate::nn::gru`], [`crate::nn::simple_rnn`]): whole sequences, forward
//! and backward through time, for `f32` and `f64`.
//!
//! The ops hand these kernels the input projection of every time step
//! (`x @ kernel + bias`, one matmul done by ordinary ops), the initial
//! states and the recurrent kernel. Batch rows never meet in a recurrence,
//! so a kernel cuts the batch into fixed blocks of [`BLOCK_ROWS`] rows and
//! the thread team runs whole blocks ([`for_blocks`]): for its rows, a
//! block runs every time step's `h @ recurrent_kernel` product
//! ([`gemm_serial`]) and pass over the gates (activations and state
//! update), writing into buffers allocated once per call. One split per
//! call instead of two per step (W5's main thread waited 7.6% of its time
//! in those splits), and each step's rows stay in the cache of the core
//! that computed them. The blocks do not depend on the thread count, so
//! neither do the bits. The backward pass does the same in reverse, then
//! one large product over all rows and steps for the recurrent kernel's
//! gradient ([`gemm_into`], split over the team). Nothing is read back
//! from a device and nothing is allocated per step.
//!
//! Layouts (row-major, *time first*, so that each step reads and writes
//! contiguous blocks): the projection `xp` is `(time, batch, gates *
//! units)` in time order; the states a kernel returns are `(states, time,
//! batch, units)` in *processing* order (step `k` is time `k`, or `time -
//! 1 - k` with `go_backwards`); what a kernel keeps for its backward pass
//! is `(time, batch, ...)` in time order; the per-step mask is `(batch,
//! time)` (the user's layout); recurrent dropout masks are `(1 or gates,
//! batch, units)`. Time first halved the time of the per-step passes at
//! W5's shapes against batch first, where each step touched one row in
//! every 28 of several large buffers.
//!
//! ```ignore
//! // (crate-private) one LSTM over a sequence, then its gradients.
//! let fwd = lstm::Lstm { batch, time, units, act, ract, go_backwards }.forward(&inputs);
//! let grads = kernel.backward(&inputs, &fwd, &d_states);
//! ```

pub(crate) mod act;
pub(crate) mod gru;
pub(crate) mod lstm;
pub(crate) mod simple;

use super::parallel::{self, SendPtr};

/// The element types of the fused kernels.
pub(crate) trait Float:
    candle_core::WithDType
    + Copy
    + Send
    + Sync
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Sub<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::AddAssign
{
    fn of(v: f64) -> Self;
    fn tanh_slice(xs: &mut [Self]);
    fn sigmoid_slice(xs: &mut [Self]);
}

impl Float for f32 {
    fn of(v: f64) -> Self {
        v as f32
    }
    fn tanh_slice(xs: &mut [Self]) {
        act::tanh_f32(xs)
    }
    fn sigmoid_slice(xs: &mut [Self]) {
        act::sigmoid_f32(xs)
    }
}

impl Float for f64 {
    fn of(v: f64) -> Self {
        v
    }
    fn tanh_slice(xs: &mut [Self]) {
        for x in xs {
            *x = x.tanh();
        }
    }
    fn sigmoid_slice(xs: &mut [Self]) {
        for x in xs {
            *x = 1.0 / (1.0 + (-*x).exp());
        }
    }
}

/// A strided matrix view into a slice: element `(i, j)` is
/// `data[off + i * rs + j * cs]`.
#[derive(Clone, Copy)]
pub(crate) struct View<'a, T> {
    pub data: &'a [T],
    pub off: usize,
    pub rows: usize,
    pub cols: usize,
    pub rs: usize,
    pub cs: usize,
}

impl<'a, T> View<'a, T> {
    /// A contiguous `rows x cols` matrix starting at `off`.
    pub fn dense(data: &'a [T], off: usize, rows: usize, cols: usize) -> Self {
        View {
            data,
            off,
            rows,
            cols,
            rs: cols,
            cs: 1,
        }
    }
    /// The transpose (a view too).
    pub fn t(self) -> Self {
        View {
            rows: self.cols,
            cols: self.rows,
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }
    /// Rows `start..start + n`.
    pub fn rows(self, start: usize, n: usize) -> Self {
        View {
            off: self.off + start * self.rs,
            rows: n,
            ..self
        }
    }
    /// Columns `start..start + n`.
    pub fn cols(self, start: usize, n: usize) -> Self {
        View {
            off: self.off + start * self.cs,
            cols: n,
            ..self
        }
    }
    fn in_bounds(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || self.off + (self.rows - 1) * self.rs + (self.cols - 1) * self.cs < self.data.len()
    }
}

/// The checks of [`gemm_into`] and [`gemm_serial`], and their trivial
/// cases: whether the product is already done (an empty output, or an
/// empty inner dimension: zeros, or nothing to add).
///
/// Panics if a view reaches outside its slice (a bug in the caller).
fn done_without_gemm<T: Float>(
    dst: &mut [T],
    dst_off: usize,
    dst_rs: usize,
    accumulate: bool,
    a: View<T>,
    b: View<T>,
) -> bool {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(b.rows, k, "gemm_into: inner dimensions differ");
    assert!(a.in_bounds() && b.in_bounds(), "gemm_into: operand view out of bounds");
    if m == 0 || n == 0 {
        return true;
    }
    assert!(
        dst_off + (m - 1) * dst_rs + n <= dst.len(),
        "gemm_into: output out of bounds"
    );
    if k == 0 && !accumulate {
        for i in 0..m {
            dst[dst_off + i * dst_rs..dst_off + i * dst_rs + n].fill(T::of(0.0));
        }
    }
    k == 0
}

/// [`gemm_into`] on the calling thread, for the per-step products inside
/// a block of batch rows ([`for_blocks`], which the team already splits).
///
/// It hands `gemm` the transposed problem `dst^T = b^T @ a^T`: the
/// recurrent kernel (or its transpose, see [`transposed`]) becomes gemm's
/// column-major left operand and the block's rows its right-hand columns,
/// so neither operand is repacked per step (packing a row-major `h` or
/// `rk^T` is a scalar gather: with 64-row blocks, gemm's code outside its
/// microkernels took 10% of W5's samples the direct way and 6% this way).
/// Each value is the same chain of multiply-adds over `k`, so the bits
/// are those of the direct call (compared on every shape of the
/// recurrent tests and W5's).
pub(crate) fn gemm_serial<T: Float>(
    dst: &mut [T],
    dst_off: usize,
    dst_rs: usize,
    accumulate: bool,
    a: View<T>,
    b: View<T>,
) {
    if done_without_gemm(dst, dst_off, dst_rs, accumulate, a, b) {
        return;
    }
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let (dp, ap, bp) = (dst.as_mut_ptr(), a.data.as_ptr(), b.data.as_ptr());
    // SAFETY: both views are in bounds and the m x n output view lies in
    // `dst` (checked above); gemm reads the operands only.
    unsafe {
        gemm::gemm(
            n,
            m,
            k,
            dp.add(dst_off),
            dst_rs as isize,
            1,
            accumulate,
            bp.add(b.off),
            b.rs as isize,
            b.cs as isize,
            ap.add(a.off),
            a.rs as isize,
            a.cs as isize,
            T::of(1.0),
            T::of(1.0),
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    }
}

/// The transpose of a row-major `rows x cols` matrix (row-major `cols x
/// rows`): the recurrent kernel as the backward pass's products read it.
pub(crate) fn transposed<T: Float>(m: &[T], rows: usize, cols: usize) -> Vec<T> {
    let mut t = vec![T::of(0.0); rows * cols];
    for (i, row) in m.chunks_exact(cols).take(rows).enumerate() {
        for (j, &v) in row.iter().enumerate() {
            t[j * rows + i] = v;
        }
    }
    t
}

/// `dst = a @ b` (or `dst += a @ b` when `accumulate`), `dst` being
/// `a.rows x b.cols` with row stride `dst_rs` from `dst_off`. Large
/// products are split into column (or row) blocks over the thread team,
/// each block one single-threaded `gemm` call, as `Tensor::matmul` does
/// (`cpu::gemm::Split`); [`gemm_serial`] is the same product on the
/// calling thread.
///
/// Panics if a view reaches outside its slice (a bug in the caller, not a
/// user error: the ops check every shape first).
pub(crate) fn gemm_into<T: Float>(
    dst: &mut [T],
    dst_off: usize,
    dst_rs: usize,
    accumulate: bool,
    a: View<T>,
    b: View<T>,
) {
    if done_without_gemm(dst, dst_off, dst_rs, accumulate, a, b) {
        return;
    }
    let (m, k, n) = (a.rows, a.cols, b.cols);
    let dp = SendPtr(dst.as_mut_ptr());
    // Read-only through these: gemm takes `*const` operands.
    let (ap, bp) = (SendPtr(a.data.as_ptr() as *mut T), SendPtr(b.data.as_ptr() as *mut T));
    // SAFETY (for callers): the ranges are in `0..m` and `0..n`, the views
    // are in bounds (checked above) and blocks write disjoint parts of dst.
    let block = |r: std::ops::Range<usize>, c: std::ops::Range<usize>| unsafe {
        gemm::gemm(
            r.len(),
            c.len(),
            k,
            dp.get().add(dst_off + r.start * dst_rs + c.start),
            1,
            dst_rs as isize,
            accumulate,
            ap.get().add(a.off + r.start * a.rs),
            a.cs as isize,
            a.rs as isize,
            bp.get().add(b.off + c.start * b.cs),
            b.cs as isize,
            b.rs as isize,
            T::of(1.0),
            T::of(1.0),
            false,
            false,
            false,
            gemm::Parallelism::None,
        )
    };
    crate::cpu::gemm::Split::plan(m, n, k, parallel::threads()).run(m, n, block);
}

/// Batch rows per block of [`for_blocks`]. A fixed number, never derived
/// from the thread count, so every product and pass sees the same rows
/// whatever the team's size: the same bits on 1 or 16 threads.
pub(crate) const BLOCK_ROWS: usize = 32;

/// Below this many multiply-adds in a call's per-step products, the
/// blocks of [`for_blocks`] run one after another on the calling thread.
const BLOCKS_PAR_MIN_MACS: usize = 1 << 21;

/// Calls `f` on each block of [`BLOCK_ROWS`] batch rows (the last one
/// shorter), over the thread team when the call's per-step products come
/// to `macs` multiply-adds or more. Rows of a recurrent layer never meet
/// (row `b` of `h_t` depends on row `b` of `h_{t-1}` only), so each block
/// runs the whole sequence on its own: one split per kernel call instead
/// of two per time step, and each step's products and gate passes stay in
/// the cache of the core that runs the block.
pub(crate) fn for_blocks(batch: usize, macs: usize, f: impl Fn(std::ops::Range<usize>) + Sync) {
    let blocks = batch.div_ceil(BLOCK_ROWS);
    let block = |i: usize| i * BLOCK_ROWS..((i + 1) * BLOCK_ROWS).min(batch);
    if blocks > 1 && parallel::threads() > 1 && macs >= BLOCKS_PAR_MIN_MACS {
        parallel::for_each(blocks, |i| f(block(i)));
    } else {
        (0..blocks).for_each(|i| f(block(i)));
    }
}

/// Runs one gate pass ([`act::RowPass`]: step `k` of `rows`) on the
/// calling thread, denormals flushed (as TensorFlow's CPU kernels do) and
/// its loop compiled for the CPU's widest vectors (AVX-512 where there is
/// one).
///
/// # Safety
/// As `P::run`.
pub(crate) unsafe fn row_pass<P: act::RowPass>(p: &P, rows: std::ops::Range<usize>, k: usize) {
    let _ftz = super::update::FlushDenormals::new();
    act::run_pass(p, rows, k)
}

/// Recurrent dropout masks: `(groups, batch, units)` with `groups` 1 (one
/// mask for every gate) or the number of gates (one per gate, Keras'
/// `implementation=1`); [`rows`](Self::rows) narrows them to a block of
/// batch rows.
#[derive(Clone, Copy)]
pub(crate) struct DropMasks<'a, T> {
    data: &'a [T],
    groups: usize,
    /// Values of one group's mask (`batch * units`).
    stride: usize,
    /// Where the rows seen start in each group's mask.
    off: usize,
}

impl<'a, T> DropMasks<'a, T> {
    /// The masks in `data`, `groups` of them side by side.
    pub fn new(data: &'a [T], groups: usize) -> Self {
        let groups = groups.max(1);
        DropMasks {
            data,
            groups,
            stride: data.len() / groups,
            off: 0,
        }
    }

    /// The masks from value `start` of each group on (row `r` of a block
    /// whose first row is `b0`: `start = b0 * units`).
    pub fn rows(self, start: usize) -> Self {
        DropMasks {
            off: self.off + start,
            ..self
        }
    }

    /// `len` values of the mask of gate `g` from the first row seen.
    fn of_gate(&self, g: usize, len: usize) -> &'a [T] {
        let g = if self.groups == 1 { 0 } else { g };
        &self.data[g * self.stride + self.off..][..len]
    }
}

/// Which gates of a recurrent kernel a product covers (`range`, side by
/// side), each `units` wide, and the recurrent dropout masks.
#[derive(Clone)]
pub(crate) struct Gates<'a, T> {
    pub range: std::ops::Range<usize>,
    pub units: usize,
    pub drop: Option<DropMasks<'a, T>>,
}

impl<'a, T: Float> Gates<'a, T> {
    pub fn new(range: std::ops::Range<usize>, units: usize, drop: Option<DropMasks<'a, T>>) -> Self {
        Gates { range, units, drop }
    }

    /// `(first gate, gate count)` of each product: one for all the gates
    /// unless there is one mask per gate.
    fn groups(&self, m: &DropMasks<T>) -> Vec<(usize, usize)> {
        if m.groups == 1 {
            vec![(self.range.start, self.range.len())]
        } else {
            self.range.clone().map(|g| (g, 1)).collect()
        }
    }
}

/// `dst[:, gates]` = `(h ∘ m_g) @ rk[:, gate g]` for each gate of `gates`
/// (`rk` is `units x (all gates * units)`), `dst` contiguous rows of
/// stride `dst_rs`. Without masks, one product for all the gates. On the
/// calling thread (inside a block of [`for_blocks`]).
pub(crate) fn project<T: Float>(
    h: View<T>,
    rk: View<T>,
    gs: &Gates<T>,
    scratch: &mut Vec<T>,
    dst: &mut [T],
    dst_rs: usize,
) {
    let (batch, units, gates) = (h.rows, gs.units, &gs.range);
    let Some(m) = gs.drop else {
        let n = gates.len() * units;
        return gemm_serial(dst, 0, dst_rs, false, h, rk.cols(gates.start * units, n));
    };
    scratch.resize(batch * units, T::of(0.0));
    let groups = gs.groups(&m);
    for (g, len) in groups {
        let mask = m.of_gate(g, batch * units);
        for i in 0..batch {
            for j in 0..units {
                scratch[i * units + j] = h.data[h.off + i * h.rs + j * h.cs] * mask[i * units + j];
            }
        }
        let hm = View::dense(&scratch[..], 0, batch, units);
        let off = (g - gates.start) * units;
        gemm_serial(dst, off, dst_rs, false, hm, rk.cols(g * units, len * units));
    }
}

/// The adjoint of [`project`]: `dh (+)= Σ_g (dz_g @ rk_g^T) ∘ m_g`, with
/// `dz` holding the gates of `gates` side by side and `rkt` the recurrent
/// kernel's [`transposed`] copy, `(all gates * units) x units` (on the
/// calling thread).
pub(crate) fn project_back<T: Float>(
    dz: View<T>,
    rkt: View<T>,
    gs: &Gates<T>,
    scratch: &mut Vec<T>,
    dh: &mut [T],
    accumulate: bool,
) {
    let (batch, units, gates) = (dz.rows, gs.units, &gs.range);
    let Some(m) = gs.drop else {
        let n = gates.len() * units;
        return gemm_serial(dh, 0, units, accumulate, dz, rkt.rows(gates.start * units, n));
    };
    if !accumulate {
        dh[..batch * units].fill(T::of(0.0));
    }
    scratch.resize(batch * units, T::of(0.0));
    let groups = gs.groups(&m);
    for (g, len) in groups {
        let off = (g - gates.start) * units;
        gemm_serial(
            scratch,
            0,
            units,
            false,
            dz.cols(off, len * units),
            rkt.rows(g * units, len * units),
        );
        let mask = m.of_gate(g, batch * units);
        for i in 0..batch * units {
            dh[i] += scratch[i] * mask[i];
        }
    }
}

/// The recurrent kernel's gradient `Σ_t (h_prev,t ∘ m_g)^T dz_t` for the
/// gates of `gates` as one product over all `time * batch` rows: `hp` is
/// `(time * batch, units)` and `dz` `(time * batch, gates...)`, both in
/// time order; writes columns `gates` of `drk` (`units x all`).
pub(crate) fn kernel_grad<T: Float>(hp: &[T], dz: View<T>, gs: &Gates<T>, time: usize, drk: &mut [T], drk_rs: usize) {
    let (rows, units, gates) = (dz.rows, gs.units, &gs.range);
    let Some(m) = gs.drop else {
        let hpv = View::dense(hp, 0, rows, units).t();
        return gemm_into(drk, gates.start * units, drk_rs, false, hpv, dz);
    };
    let bu = rows / time.max(1) * units;
    let groups = gs.groups(&m);
    let mut hm = vec![T::of(0.0); rows * units];
    for (g, len) in groups {
        // The same (batch, units) mask at every step.
        let mask = m.of_gate(g, bu);
        for (dst, src) in hm.chunks_exact_mut(bu).zip(hp.chunks_exact(bu)) {
            for ((d, &s), &mk) in dst.iter_mut().zip(src).zip(mask) {
                *d = s * mk;
            }
        }
        let hpv = View::dense(&hm[..], 0, rows, units).t();
        let off = (g - gates.start) * units;
        gemm_into(drk, g * units, drk_rs, false, hpv, dz.cols(off, len * units));
    }
}

/// What every recurrent kernel needs to know about the sequence.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Seq {
    pub batch: usize,
    pub time: usize,
    pub units: usize,
    pub go_backwards: bool,
}

impl Seq {
    /// The time index of processing step `k`.
    #[inline]
    pub fn t_of(&self, k: usize) -> usize {
        if self.go_backwards {
            self.time - 1 - k
        } else {
            k
        }
    }

    /// Whether row `b` takes part in step `k` (no mask: always).
    #[inline]
    pub fn active(&self, mask: Option<&[u8]>, b: usize, k: usize) -> bool {
        mask.is_none_or(|m| m[b * self.time + self.t_of(k)] != 0)
    }

    /// The previous hidden state at step `k`, `(batch, units)`: `h0` at
    /// step 0, else block `k - 1` of `states` (`(time, batch, units)` in
    /// processing order).
    pub fn prev<'a, T>(&self, h0: &'a [T], states: &'a [T], k: usize) -> &'a [T] {
        let bu = self.batch * self.units;
        if k == 0 {
            &h0[..bu]
        } else {
            &states[(k - 1) * bu..k * bu]
        }
    }

    /// Rows `rows` of the previous hidden state at step `k` (`h0`'s at
    /// step 0, else step `k - 1`'s of the states behind `sh`, `(time, batch,
    /// units)` in processing order).
    ///
    /// # Safety
    /// Those rows of step `k - 1` were written, and nothing writes them
    /// while the slice lives.
    #[inline(always)]
    pub unsafe fn prev_rows<'a, T>(&self, h0: &'a [T], sh: Rows<T>, k: usize, rows: std::ops::Range<usize>) -> &'a [T] {
        let u = self.units;
        if k == 0 {
            &h0[rows.start * u..rows.end * u]
        } else {
            sh.read((k - 1) * self.batch * u + rows.start * u, rows.len() * u)
        }
    }

    /// The previous states of every step in *time* order, `(time * batch,
    /// units)`: the left operand of the recurrent kernel's gradient.
    pub fn prev_in_time_order<T: Float>(&self, h0: &[T], states: &[T]) -> Vec<T> {
        let bu = self.batch * self.units;
        let mut hp = Vec::with_capacity(self.time * bu);
        for t in 0..self.time {
            // `t_of` is its own inverse: step `t_of(t)` ran at time t.
            hp.extend_from_slice(self.prev(h0, states, self.t_of(t)));
        }
        hp
    }
}

/// The sums of the columns of a row-major matrix `cols` wide (a bias's
/// gradient from its pre-activations' gradient).
pub(crate) fn column_sums<T: Float>(m: &[T], cols: usize) -> Vec<T> {
    let mut s = vec![T::of(0.0); cols];
    act::simd(|| {
        for row in m.chunks_exact(cols) {
            for (sj, &v) in s.iter_mut().zip(row) {
                *sj += v;
            }
        }
    });
    s
}

/// A bias as a slice of `n` values (zeros when there is none).
pub(crate) fn bias_or_zeros<T: Float>(b: Option<&[T]>, n: usize) -> Vec<T> {
    b.map_or_else(|| vec![T::of(0.0); n], |b| b[..n].to_vec())
}

/// A raw pointer to a buffer whose rows the parts of a pass write, each
/// part its own rows.
#[derive(Clone, Copy)]
pub(crate) struct Rows<T>(pub SendPtr<T>);

impl<T> Rows<T> {
    pub fn of(v: &mut [T]) -> Self {
        Rows(SendPtr(v.as_mut_ptr()))
    }
    /// `len` elements from `start`.
    ///
    /// # Safety
    /// In bounds of the buffer, and no other live reference overlaps it
    /// (each part of a pass touches only the rows of its own range).
    #[inline]
    pub unsafe fn at<'a>(self, start: usize, len: usize) -> &'a mut [T] {
        self.0.slice(start..start + len)
    }
    /// `len` elements from `start`, read only.
    ///
    /// # Safety
    /// In bounds of the buffer, and no live `&mut` overlaps it.
    #[inline]
    pub unsafe fn read<'a>(self, start: usize, len: usize) -> &'a [T] {
        std::slice::from_raw_parts(self.0.get().add(start), len)
    }
}
