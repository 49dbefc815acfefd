//! `NHWC` pooling kernels: max pooling that keeps each window's argmax for
//! the backward pass, the scatter (gradient) and gather (its adjoint) at
//! those argmaxes, and average pooling over the valid elements of each
//! window, forward and backward. Padding is implicit: taps outside the
//! input are skipped, which is `-inf` padding for the maximum and "not
//! counted" for the average, TensorFlow's rules.
//!
//! Max pooling keeps the first maximum of a window in row-major order (a
//! later element must be strictly greater: TensorFlow's tie rule), except
//! that a NaN wins over any number, so NaN propagates.
//!
//! Forward passes split output rows over the team; backward passes, which
//! add into overlapping windows, split whole images, adding in a fixed
//! order: the same bits for any number of threads.
//!
//! ```ignore
//! // (crate-private) 2x2 max pooling, stride 2, of a (1, 4, 4, 1) input.
//! let d = PoolDims { batch: 1, input: [4, 4], channels: 1, kernel: [2, 2], stride: [2, 2], pad: [0, 0], output: [2, 2] };
//! let k = MaxPool::new(d, true);
//! let y = cpu::run(&k, &[&x], &d.y_shape())?;
//! let argmax = k.take_argmax();
//! ```

use super::parallel::{self, SendPtr};
use super::Kernel;
use candle_core::WithDType;
use std::sync::{Arc, Mutex};

/// Below this much work (output values times window size) a pass runs on
/// the calling thread.
const PAR_MIN_WORK: usize = 32 * 1024;

/// The shape of one 2-D pooling over `NHWC` data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PoolDims {
    pub batch: usize,
    pub input: [usize; 2],
    pub channels: usize,
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    /// Padding before the input along `[height, width]`.
    pub pad: [usize; 2],
    pub output: [usize; 2],
}

impl PoolDims {
    fn image_in(&self) -> usize {
        self.input[0] * self.input[1] * self.channels
    }

    fn image_out(&self) -> usize {
        self.output[0] * self.output[1] * self.channels
    }

    pub(crate) fn y_shape(&self) -> [usize; 4] {
        [self.batch, self.output[0], self.output[1], self.channels]
    }

    pub(crate) fn x_shape(&self) -> [usize; 4] {
        [self.batch, self.input[0], self.input[1], self.channels]
    }

    /// The input positions of window `o` along axis `a` that lie inside the
    /// input.
    fn window(&self, a: usize, o: usize) -> std::ops::Range<usize> {
        let start = o * self.stride[a];
        let lo = start.max(self.pad[a]) - self.pad[a];
        let hi = (start + self.kernel[a])
            .min(self.pad[a] + self.input[a])
            .saturating_sub(self.pad[a]);
        lo..hi.max(lo)
    }

    /// Whether within-image indices fit the `u32` argmax.
    pub(crate) fn argmax_fits(&self) -> bool {
        u32::try_from(self.image_in()).is_ok()
    }

    /// Calls `f(first_row, rows)` over ranges of the `batch * out_h` output
    /// rows, split over the team when the pass is large.
    fn split_rows(&self, f: impl Fn(std::ops::Range<usize>) + Sync) {
        let rows = self.batch * self.output[0];
        let work = self.output[1] * self.channels * self.kernel[0] * self.kernel[1];
        parallel::for_each_range(rows, (PAR_MIN_WORK / work.max(1)).max(1), 1, f);
    }

    /// Calls `f(images)` over ranges of whole images, split over the team
    /// when the pass is large.
    fn split_images(&self, f: impl Fn(std::ops::Range<usize>) + Sync) {
        let work = self.image_out() * self.kernel[0] * self.kernel[1];
        parallel::for_each_range(self.batch, (PAR_MIN_WORK / work.max(1)).max(1), 1, f);
    }
}

/// Max pooling: input `[x]`, output the window maxima; with `keep_argmax`
/// also each maximum's index within its image, taken with
/// [`MaxPool::take_argmax`].
pub(crate) struct MaxPool {
    d: PoolDims,
    keep_argmax: bool,
    argmax: Mutex<Option<Vec<u32>>>,
}

impl MaxPool {
    pub(crate) fn new(d: PoolDims, keep_argmax: bool) -> MaxPool {
        MaxPool {
            d,
            keep_argmax,
            argmax: Mutex::new(None),
        }
    }

    /// The argmax of the last run (when asked for).
    pub(crate) fn take_argmax(&self) -> Option<Arc<Vec<u32>>> {
        self.argmax.lock().ok()?.take().map(Arc::new)
    }
}

impl MaxPool {
    /// Output rows `rows` into `ys` (and their argmaxes into `args` when
    /// `KEEP`): each output pixel's channels in blocks of [`LANES`], the
    /// block's running maxima (and argmaxes) in local arrays over the
    /// window's taps, so the selects vectorize (a select written back into
    /// the output in place becomes a masked, per-lane store), then stored
    /// once.
    fn rows<T: WithDType, const KEEP: bool>(
        &self,
        x: &[T],
        rows: std::ops::Range<usize>,
        ys: &mut [T],
        args: &mut [u32],
    ) {
        let d = &self.d;
        let (c, [ho, wo], [h, w]) = (d.channels, d.output, d.input);
        for (i, row) in rows.enumerate() {
            let (n, oy) = (row / ho, row % ho);
            let image = &x[n * h * w * c..(n + 1) * h * w * c];
            let wy = d.window(0, oy);
            for ox in 0..wo {
                let wx = d.window(1, ox);
                let at = (i * wo + ox) * c;
                let mut ch = 0;
                while ch < c {
                    let at = at + ch;
                    if c - ch >= LANES {
                        let arg = if KEEP { &mut args[at..at + LANES] } else { &mut [][..] };
                        window_max::<T, KEEP, LANES>(image, c, w, ch, &wy, &wx, &mut ys[at..at + LANES], arg);
                        ch += LANES;
                    } else {
                        let arg = if KEEP { &mut args[at..at + 1] } else { &mut [][..] };
                        window_max::<T, KEEP, 1>(image, c, w, ch, &wy, &wx, &mut ys[at..at + 1], arg);
                        ch += 1;
                    }
                }
            }
        }
    }
}

/// Channels per block of [`MaxPool::rows`].
const LANES: usize = 16;

/// The maxima of channels `ch..ch + N` over the window `wy` x `wx` of
/// `image` (`w` pixels wide, `c` channels) into `out` (and, when `KEEP`,
/// their within-image indices into `arg`). Taps in row-major order; a later
/// tap wins when strictly greater, or when it is NaN and the maximum so far
/// is not (TensorFlow's tie rule, NaN propagates). An empty window leaves
/// `out` as it is.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn window_max<T: WithDType, const KEEP: bool, const N: usize>(
    image: &[T],
    c: usize,
    w: usize,
    ch: usize,
    wy: &std::ops::Range<usize>,
    wx: &std::ops::Range<usize>,
    out: &mut [T],
    arg: &mut [u32],
) {
    let mut best = [T::zero(); N];
    let mut best_at = [0u32; N];
    let mut first = true;
    for iy in wy.clone() {
        for ix in wx.clone() {
            let pix = (iy * w + ix) * c + ch;
            let Ok(src) = <&[T; N]>::try_from(&image[pix..pix + N]) else {
                return;
            };
            // u32 indices: they fit (see `argmax_fits`).
            let base = pix as u32;
            if first {
                best = *src;
                if KEEP {
                    for (l, a) in best_at.iter_mut().enumerate() {
                        *a = base + l as u32;
                    }
                }
                first = false;
                continue;
            }
            for l in 0..N {
                let (v, b) = (src[l], best[l]);
                #[allow(clippy::eq_op)] // v != v: v is NaN
                let take = (v > b) | ((v != v) & (b == b));
                best[l] = if take { v } else { b };
                if KEEP {
                    best_at[l] = if take { base + l as u32 } else { best_at[l] };
                }
            }
        }
    }
    if !first {
        out.copy_from_slice(&best);
        if KEEP {
            arg.copy_from_slice(&best_at);
        }
    }
}

impl Kernel for MaxPool {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        let d = &self.d;
        let x = inputs[0];
        let total = d.batch * d.image_out();
        let mut y = super::elementwise::filled(total, T::zero());
        let mut arg = super::elementwise::filled(if self.keep_argmax { total } else { 0 }, 0u32);
        let (yp, ap) = (SendPtr(y.as_mut_ptr()), SendPtr(arg.as_mut_ptr()));
        let keep = self.keep_argmax;
        let row_len = d.output[1] * d.channels;
        d.split_rows(|rows| {
            let r = rows.start * row_len..rows.end * row_len;
            // SAFETY: disjoint ranges of output rows.
            let ys = unsafe { yp.slice(r.clone()) };
            if keep {
                // SAFETY: as above, in the argmax buffer (as long as `y`).
                let args = unsafe { ap.slice(r) };
                self.rows::<T, true>(x, rows, ys, args);
            } else {
                self.rows::<T, false>(x, rows, ys, &mut []);
            }
        });
        if keep {
            if let Ok(mut slot) = self.argmax.lock() {
                *slot = Some(arg);
            }
        }
        y
    }
}

/// The gradient of max pooling: input `[gy]` (the output's gradient),
/// output shaped like the pooling's input, each `gy` added at its
/// window's argmax.
pub(crate) struct MaxPoolScatter {
    pub d: PoolDims,
    pub argmax: Arc<Vec<u32>>,
}

impl Kernel for MaxPoolScatter {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        let (d, g, arg) = (&self.d, inputs[0], &self.argmax[..]);
        let (ii, io) = (d.image_in(), d.image_out());
        // Each image is zeroed by the thread that scatters into it, just
        // before (in cache, and split over the team, unlike a zeroed
        // allocation).
        let mut dx: Vec<T> = Vec::with_capacity(d.batch * ii);
        let dp = SendPtr(dx.as_mut_ptr().cast::<std::mem::MaybeUninit<T>>());
        d.split_images(|images| {
            for n in images {
                // SAFETY: image `n` of the allocation, written by this part
                // only; initialised by the fill before it is viewed as `T`.
                let img = unsafe {
                    let img = dp.slice(n * ii..(n + 1) * ii);
                    img.fill(std::mem::MaybeUninit::new(T::zero()));
                    &mut *(img as *mut [std::mem::MaybeUninit<T>] as *mut [T])
                };
                for (&a, &v) in arg[n * io..(n + 1) * io].iter().zip(&g[n * io..(n + 1) * io]) {
                    img[a as usize] += v;
                }
            }
        });
        // SAFETY: every image was filled above (a panic is re-raised by the
        // split before this line).
        unsafe { dx.set_len(d.batch * ii) };
        dx
    }
}

/// The adjoint of [`MaxPoolScatter`]: input `[u]` shaped like the
/// pooling's input, output the value of `u` at each window's argmax.
pub(crate) struct MaxPoolGather {
    pub d: PoolDims,
    pub argmax: Arc<Vec<u32>>,
}

impl Kernel for MaxPoolGather {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        let (d, u, arg) = (&self.d, inputs[0], &self.argmax[..]);
        let (ii, io) = (d.image_in(), d.image_out());
        (0..d.batch * io).map(|j| u[(j / io) * ii + arg[j] as usize]).collect()
    }
}

/// Average pooling over each window's valid elements: input `[x]`.
pub(crate) struct AvgPool(pub PoolDims);

impl Kernel for AvgPool {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        let d = &self.0;
        let x = inputs[0];
        let (c, [ho, wo], [h, w]) = (d.channels, d.output, d.input);
        let mut y = super::elementwise::filled(d.batch * d.image_out(), T::zero());
        let yp = SendPtr(y.as_mut_ptr());
        d.split_rows(|rows| {
            let row_len = wo * c;
            // SAFETY: disjoint ranges of output rows.
            let ys = unsafe { yp.slice(rows.start * row_len..rows.end * row_len) };
            for (i, row) in rows.enumerate() {
                let (n, oy) = (row / ho, row % ho);
                let wy = d.window(0, oy);
                for ox in 0..wo {
                    let wx = d.window(1, ox);
                    let out = &mut ys[(i * wo + ox) * c..][..c];
                    for iy in wy.clone() {
                        for ix in wx.clone() {
                            let src = &x[((n * h + iy) * w + ix) * c..][..c];
                            for (o, &v) in out.iter_mut().zip(src) {
                                *o += v;
                            }
                        }
                    }
                    let count = T::from_f64((wy.len() * wx.len()) as f64);
                    for o in out.iter_mut() {
                        *o /= count;
                    }
                }
            }
        });
        y
    }
}

/// The gradient of average pooling: input `[gy]`, output shaped like the
/// pooling's input, each `gy` divided by its window's count and added over
/// the window.
pub(crate) struct AvgPoolGrad(pub PoolDims);

impl Kernel for AvgPoolGrad {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        let d = &self.0;
        let g = inputs[0];
        let (c, [ho, wo], w) = (d.channels, d.output, d.input[1]);
        let (ii, io) = (d.image_in(), d.image_out());
        let mut dx = super::elementwise::filled(d.batch * ii, T::zero());
        let dp = SendPtr(dx.as_mut_ptr());
        d.split_images(|images| {
            // SAFETY: disjoint image ranges of `dx`.
            let dxs = unsafe { dp.slice(images.start * ii..images.end * ii) };
            let mut share = vec![T::zero(); c];
            for (k, n) in images.enumerate() {
                let img = &mut dxs[k * ii..(k + 1) * ii];
                for oy in 0..ho {
                    let wy = d.window(0, oy);
                    for ox in 0..wo {
                        let wx = d.window(1, ox);
                        let count = T::from_f64((wy.len() * wx.len()) as f64);
                        let src = &g[n * io + (oy * wo + ox) * c..][..c];
                        for (s, &v) in share.iter_mut().zip(src) {
                            *s = v / count;
                        }
                        for iy in wy.clone() {
                            for ix in wx.clone() {
                                let dst = &mut img[(iy * w + ix) * c..][..c];
                                for (o, &s) in dst.iter_mut().zip(&share) {
                                    *o += s;
                                }
                            }
                        }
                    }
                }
            }
        });
        dx
    }
}
