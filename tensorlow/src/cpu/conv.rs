//! `NHWC` convolution kernels: im2col + `gemm` for the forward pass and the
//! filter gradient, `gemm` + col2im for the input gradient (the transposed
//! convolution), with groups, strides, dilations and TensorFlow's padding
//! (implicit: taps outside the input read zeros and write nothing).
//!
//! ## Layout
//! A convolution's output rows are its `batch * out_h * out_w` positions
//! and its columns the output channels, so an `NHWC` output *is* the
//! product `cols @ w` of the im2col matrix `cols` (`rows x kh*kw*cg`,
//! columns in `(ky, kx, channel)` order) and the `HWIO` filters seen as a
//! `(kh*kw*cg) x out_channels` matrix. Group `g` uses input channels
//! `g*cg..(g+1)*cg` and output columns `g*og..(g+1)*og`. No permutes: the
//! data stays `NHWC` / `HWIO` throughout.
//!
//! - forward: `y[rows, g] = im2col(x, g) @ w[:, g]`;
//! - filter gradient: `dw[:, g] = Σ_blocks im2col(x, g)ᵀ @ gy[rows, g]`;
//! - input gradient: `dx = col2im(gy[rows, g] @ w[:, g]ᵀ)`.
//!
//! A 1x1 kernel with stride 1 and no padding (a pointwise convolution)
//! skips im2col: `x` itself is the matrix.
//!
//! ## Splitting and reproducibility
//! Rows go in blocks of about [`BLOCK_ELEMS`] im2col values (an L2-sized
//! buffer per thread), block boundaries fixed by the shapes alone. The
//! forward pass splits blocks over the team; the filter gradient sums
//! [`FILTER_PARTS`] partial products (each over a fixed run of blocks) in a
//! fixed order; the input gradient gives each part whole images, whose
//! col2im additions run in row order. So results are the same bits for any
//! number of threads.
//!
//! ```ignore
//! // (crate-private) a 3x3 valid convolution of a (2, 5, 5, 3) input into 4 channels.
//! let d = ConvDims { batch: 2, input: [5, 5], in_channels: 3, kernel: [3, 3], out_channels: 4, groups: 1,
//!     stride: [1, 1], dilation: [1, 1], pad: [0, 0], output: [3, 3] };
//! let y = cpu::run(&Forward(d), &[&x, &w], &d.y_shape())?;
//! ```

use super::gemm::{gemm_into, gemm_raw, Mat};
use super::parallel::{self, SendPtr};
use super::Kernel;
use candle_core::WithDType;
use std::ops::Range;

/// About this many im2col values per block: 256 KiB of f32, which stays in
/// a core's L2 between im2col and the `gemm` that reads it.
const BLOCK_ELEMS: usize = 64 * 1024;

/// The filter gradient sums this many partial products (fewer when there
/// are fewer blocks): a fixed number, so the sum's rounding does not
/// depend on the thread count.
const FILTER_PARTS: usize = 16;

/// At most this many parts per split (each runs a run of blocks).
const MAX_SPLIT: usize = 1024;

/// The shape of one grouped 2-D convolution over `NHWC` data with `HWIO`
/// filters `(kh, kw, in_channels / groups, out_channels)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ConvDims {
    pub batch: usize,
    /// Input `[height, width]`.
    pub input: [usize; 2],
    /// Input channels, all groups together.
    pub in_channels: usize,
    pub kernel: [usize; 2],
    /// Output channels, all groups together.
    pub out_channels: usize,
    pub groups: usize,
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    /// Zeros before the input along `[height, width]` (those after are
    /// implied by the output size).
    pub pad: [usize; 2],
    /// Output `[height, width]`.
    pub output: [usize; 2],
}

impl ConvDims {
    /// Input channels per group.
    fn cg(&self) -> usize {
        self.in_channels / self.groups
    }

    /// Output channels per group.
    fn og(&self) -> usize {
        self.out_channels / self.groups
    }

    /// The length of an im2col row (one group).
    fn kg(&self) -> usize {
        self.kernel[0] * self.kernel[1] * self.cg()
    }

    /// Output positions per image.
    fn per_image(&self) -> usize {
        self.output[0] * self.output[1]
    }

    /// Output positions in all.
    fn rows(&self) -> usize {
        self.batch * self.per_image()
    }

    /// A 1x1 kernel, stride 1, no padding, one group: the input is the
    /// im2col matrix.
    fn pointwise(&self) -> bool {
        self.kernel == [1, 1]
            && self.stride == [1, 1]
            && self.pad == [0, 0]
            && self.output == self.input
            && self.groups == 1
    }

    /// Rows per block.
    fn block_rows(&self) -> usize {
        (BLOCK_ELEMS / self.kg().max(1)).max(8)
    }

    pub(crate) fn x_shape(&self) -> [usize; 4] {
        [self.batch, self.input[0], self.input[1], self.in_channels]
    }

    pub(crate) fn y_shape(&self) -> [usize; 4] {
        [self.batch, self.output[0], self.output[1], self.out_channels]
    }

    pub(crate) fn w_shape(&self) -> [usize; 4] {
        [self.kernel[0], self.kernel[1], self.cg(), self.out_channels]
    }

    /// The input pixel `(iy, ix)` that tap `(ky, kx)` of output `(oy, ox)`
    /// reads along one axis, or `None` in the padding.
    #[inline(always)]
    fn tap(&self, a: usize, o: usize, k: usize) -> Option<usize> {
        let i = (o * self.stride[a] + k * self.dilation[a]).checked_sub(self.pad[a])?;
        (i < self.input[a]).then_some(i)
    }
}

/// Visits the taps of output rows `rows` for one group: `f(row_in_block,
/// offset_in_row, Some(x_offset), len)` for each run of `len` values that
/// im2col row `row_in_block` takes from `x[x_offset..]` at
/// `offset_in_row`, and `f(row_in_block, offset_in_row, None, len)` for
/// runs in the padding. Visits one output row `(n, oy)` at a time, kernel
/// row by kernel row.
#[inline(always)]
fn taps(d: &ConvDims, group: usize, rows: Range<usize>, mut f: impl FnMut(usize, usize, Option<usize>, usize)) {
    let ([_, w], c, cg) = (d.input, d.in_channels, d.cg());
    let [kh, kw] = d.kernel;
    let (per, wo) = (d.per_image(), d.output[1]);
    let c0 = group * cg;
    // The kw taps of a kernel row are kw * c consecutive input values.
    let runs = d.dilation[1] == 1 && cg == c;
    // The output columns whose taps all lie inside the input.
    let inner = (0..wo).filter(|&ox| d.tap(1, ox, 0).is_some() && d.tap(1, ox, kw - 1).is_some());
    let (lo, hi) = inner.fold((wo, 0), |(lo, hi), ox| (lo.min(ox), hi.max(ox + 1)));
    let (sw, pw) = (d.stride[1], d.pad[1]);
    let (mut r, mut i) = (rows.start, 0);
    while r < rows.end {
        let (n, p) = (r / per, r % per);
        let (oy, ox0) = (p / wo, p % wo);
        let ox1 = (ox0 + (rows.end - r)).min(wo);
        for ky in 0..kh {
            let at = ky * kw * cg;
            let Some(iy) = d.tap(0, oy, ky) else {
                for ox in ox0..ox1 {
                    f(i + ox - ox0, at, None, kw * cg);
                }
                continue;
            };
            let base = (n * d.input[0] + iy) * w;
            for ox in ox0..ox1 {
                let row = i + ox - ox0;
                if runs && ox >= lo && ox < hi {
                    f(row, at, Some((base + ox * sw - pw) * c), kw * c);
                    continue;
                }
                for kx in 0..kw {
                    let xo = d.tap(1, ox, kx).map(|ix| (base + ix) * c + c0);
                    f(row, at + kx * cg, xo, cg);
                }
            }
        }
        i += ox1 - ox0;
        r += ox1 - ox0;
    }
}

/// Fills `cols` (`rows.len() x kg`) with the im2col rows of `rows` for `group`.
fn im2col<T: WithDType>(d: &ConvDims, x: &[T], group: usize, rows: Range<usize>, cols: &mut [T]) {
    let kg = d.kg();
    taps(d, group, rows, |i, at, xo, len| {
        let dst = &mut cols[i * kg + at..i * kg + at + len];
        match xo {
            Some(xo) => copy_run(dst, &x[xo..xo + len]),
            None => dst.fill(T::zero()),
        }
    });
}

/// `dst.copy_from_slice(src)`, with the short runs of a convolution over
/// few channels (a 3-wide kernel row of a 1-channel image is 3 values)
/// copied inline rather than by a `memcpy` call each.
#[inline(always)]
fn copy_run<T: Copy>(dst: &mut [T], src: &[T]) {
    #[inline(always)]
    fn fixed<T: Copy, const N: usize>(dst: &mut [T], src: &[T]) {
        if let (Ok(d), Ok(s)) = (<&mut [T; N]>::try_from(&mut *dst), <&[T; N]>::try_from(src)) {
            *d = *s;
        } else {
            dst.copy_from_slice(src);
        }
    }
    match dst.len() {
        1 => fixed::<T, 1>(dst, src),
        2 => fixed::<T, 2>(dst, src),
        3 => fixed::<T, 3>(dst, src),
        4 => fixed::<T, 4>(dst, src),
        5 => fixed::<T, 5>(dst, src),
        6 => fixed::<T, 6>(dst, src),
        7 => fixed::<T, 7>(dst, src),
        8 => fixed::<T, 8>(dst, src),
        _ => dst.copy_from_slice(src),
    }
}

/// Adds the im2col rows `dcols` of `rows` (one group) back onto `dx`, the
/// images from `first_image` on.
fn col2im<T: WithDType>(d: &ConvDims, dcols: &[T], group: usize, rows: Range<usize>, dx: &mut [T], first_image: usize) {
    let kg = d.kg();
    let skip = first_image * d.input[0] * d.input[1] * d.in_channels;
    taps(d, group, rows, |i, at, xo, len| {
        if let Some(xo) = xo {
            let src = &dcols[i * kg + at..i * kg + at + len];
            for (o, &v) in dx[xo - skip..xo - skip + len].iter_mut().zip(src) {
                *o += v;
            }
        }
    });
}

/// The convolution: inputs `[x (NHWC), w (HWIO)]`, output `NHWC`.
pub(crate) struct Forward(pub ConvDims);

impl Kernel for Forward {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        forward(&self.0, inputs[0], inputs[1], None)
    }
}

/// `relu(conv + bias)`: inputs `[x (NHWC), w (HWIO), bias (out_channels)]`,
/// output `NHWC`. The bias and the ReLU are applied to each block of rows
/// right after its product, while it is in cache: the same values as the
/// three passes (`z = y + b`, then `z <= 0 ? 0 : z`, NaN passed on), without
/// two more trips through memory.
pub(crate) struct ForwardBiasRelu(pub ConvDims);

impl Kernel for ForwardBiasRelu {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        forward(&self.0, inputs[0], inputs[1], Some(inputs[2]))
    }
}

/// The convolution of [`Forward`], and with a `bias` that of
/// [`ForwardBiasRelu`].
fn forward<T: WithDType>(d: &ConvDims, x: &[T], w: &[T], bias: Option<&[T]>) -> Vec<T> {
    let (rows, o, og, kg) = (d.rows(), d.out_channels, d.og(), d.kg());
    if rows == 0 || o == 0 {
        return vec![T::zero(); rows * o];
    }
    // Not zeroed: the gemms below write every value (a zeroing pass over
    // the output was 4% of W4's step).
    let mut y: Vec<T> = Vec::with_capacity(rows * o);
    let br = d.block_rows();
    let blocks = rows.div_ceil(br);
    let parts = blocks.min(MAX_SPLIT);
    let yp = SendPtr(y.as_mut_ptr());
    parallel::for_each(parts, |p| {
        let mut cols = Vec::new();
        for b in p * blocks / parts..(p + 1) * blocks / parts {
            let r = b * br..((b + 1) * br).min(rows);
            for g in 0..d.groups {
                let a = if d.pointwise() {
                    Mat {
                        data: &x[r.start * kg..r.end * kg],
                        rows: r.len(),
                        cols: kg,
                        rs: kg,
                        cs: 1,
                    }
                } else {
                    cols.resize(r.len() * kg, T::zero());
                    im2col(d, x, g, r.clone(), &mut cols);
                    Mat {
                        data: &cols,
                        rows: r.len(),
                        cols: kg,
                        rs: kg,
                        cs: 1,
                    }
                };
                let wg = Mat {
                    data: &w[g * og..],
                    rows: kg,
                    cols: og,
                    rs: o,
                    cs: 1,
                };
                // SAFETY: blocks are disjoint row ranges of `y`'s
                // buffer (`rows * o` long), which nothing else touches
                // until the split returns; the view written is the
                // block's rows, columns `g * og..(g + 1) * og`.
                unsafe {
                    let start = r.start * o + g * og;
                    gemm_raw(yp.get().add(start), rows * o - start, o, false, a, wg);
                }
            }
            if let Some(bias) = bias {
                // SAFETY: this block's rows, written just above by this
                // part only.
                let ys = unsafe { yp.slice(r.start * o..r.end * o) };
                for row in ys.chunks_exact_mut(o) {
                    for (v, &b) in row.iter_mut().zip(bias) {
                        let z = *v + b;
                        *v = if z <= T::zero() { T::zero() } else { z };
                    }
                }
            }
        }
    });
    // SAFETY: the blocks cover all rows and the groups all columns, and
    // `gemm_into` without `accumulate` writes every value of its m x n
    // output (with k = 0 too).
    unsafe { y.set_len(rows * o) };
    y
}

/// The filter gradient: inputs `[x (NHWC), gy (NHWC, the output's
/// gradient)]`, output `HWIO`.
pub(crate) struct FilterGrad(pub ConvDims);

impl Kernel for FilterGrad {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        let d = &self.0;
        let (x, gy) = (inputs[0], inputs[1]);
        let (rows, o, og, kg) = (d.rows(), d.out_channels, d.og(), d.kg());
        let size = kg * o;
        let mut dw = vec![T::zero(); size];
        if rows == 0 || size == 0 {
            return dw;
        }
        let br = d.block_rows();
        let blocks = rows.div_ceil(br);
        let parts = blocks.min(FILTER_PARTS);
        let mut partials = vec![T::zero(); parts * size];
        let pp = SendPtr(partials.as_mut_ptr());
        parallel::for_each(parts, |p| {
            // SAFETY: each part owns its own partial.
            let acc = unsafe { pp.slice(p * size..(p + 1) * size) };
            let mut cols = Vec::new();
            for b in p * blocks / parts..(p + 1) * blocks / parts {
                let r = b * br..((b + 1) * br).min(rows);
                for g in 0..d.groups {
                    // The im2col block, transposed: kg x rows.
                    let a = if d.pointwise() {
                        Mat {
                            data: &x[r.start * kg..r.end * kg],
                            rows: kg,
                            cols: r.len(),
                            rs: 1,
                            cs: kg,
                        }
                    } else {
                        cols.resize(r.len() * kg, T::zero());
                        im2col(d, x, g, r.clone(), &mut cols);
                        Mat {
                            data: &cols,
                            rows: kg,
                            cols: r.len(),
                            rs: 1,
                            cs: kg,
                        }
                    };
                    let gg = Mat {
                        data: &gy[r.start * o + g * og..],
                        rows: r.len(),
                        cols: og,
                        rs: o,
                        cs: 1,
                    };
                    gemm_into(&mut acc[g * og..], o, true, a, gg);
                }
            }
        });
        for part in partials.chunks_exact(size) {
            for (o, &v) in dw.iter_mut().zip(part) {
                *o += v;
            }
        }
        dw
    }
}

/// The input gradient (a transposed convolution): inputs `[gy (NHWC), w
/// (HWIO)]`, output `NHWC` shaped like the convolution's input.
pub(crate) struct InputGrad(pub ConvDims);

impl Kernel for InputGrad {
    fn run<T: WithDType>(&self, inputs: &[&[T]]) -> Vec<T> {
        let d = &self.0;
        let (gy, w) = (inputs[0], inputs[1]);
        let (o, og, kg, c) = (d.out_channels, d.og(), d.kg(), d.in_channels);
        let image = d.input[0] * d.input[1] * c;
        let mut dx = super::elementwise::filled(d.batch * image, T::zero());
        if dx.is_empty() || d.rows() == 0 || o == 0 {
            return dx;
        }
        let br = d.block_rows();
        let dp = SendPtr(dx.as_mut_ptr());
        // wᵀ for group g: og x kg.
        let wt = |g: usize| Mat {
            data: &w[g * og..],
            rows: og,
            cols: kg,
            rs: 1,
            cs: o,
        };
        let gyg = |r: &Range<usize>, g: usize| Mat {
            data: &gy[r.start * o + g * og..],
            rows: r.len(),
            cols: og,
            rs: o,
            cs: 1,
        };
        if d.pointwise() {
            let rows = d.rows();
            let blocks = rows.div_ceil(br);
            let parts = blocks.min(MAX_SPLIT);
            parallel::for_each(parts, |p| {
                for b in p * blocks / parts..(p + 1) * blocks / parts {
                    let r = b * br..((b + 1) * br).min(rows);
                    // SAFETY: disjoint row ranges of `dx`.
                    let dxs = unsafe { dp.slice(r.start * c..r.end * c) };
                    gemm_into(dxs, c, false, gyg(&r, 0), wt(0));
                }
            });
            return dx;
        }
        // Whole images per chunk, so chunks write disjoint parts of dx.
        let per = d.per_image();
        let per_chunk = (br / per.max(1)).max(1);
        let chunks = d.batch.div_ceil(per_chunk);
        let parts = chunks.min(MAX_SPLIT);
        parallel::for_each(parts, |p| {
            let mut dcols = Vec::new();
            for ch in p * chunks / parts..(p + 1) * chunks / parts {
                let images = ch * per_chunk..((ch + 1) * per_chunk).min(d.batch);
                // SAFETY: disjoint image ranges of `dx`.
                let dxs = unsafe { dp.slice(images.start * image..images.end * image) };
                let all = images.start * per..images.end * per;
                let mut start = all.start;
                while start < all.end {
                    let r = start..(start + br).min(all.end);
                    for g in 0..d.groups {
                        dcols.resize(r.len() * kg, T::zero());
                        gemm_into(&mut dcols, kg, false, gyg(&r, g), wt(g));
                        col2im(d, &dcols, g, r.clone(), dxs, images.start);
                    }
                    start = r.end;
                }
            }
        });
        dx
    }
}
