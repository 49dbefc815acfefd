//! Convolutions with TensorFlow's layouts and padding rules: [`conv1d`]
//! (`NWC` input, `WIO` filters), [`conv2d`] (`NHWC` input, `HWIO` filters)
//! and its adjoint [`conv2d_transpose`].
//!
//! ## Design
//! - **Layouts** are TensorFlow's defaults. candle's kernels work on `NCHW`
//!   inputs and `OIHW` kernels, so each op permutes at its boundary, inside
//!   the op (the tape sees one record per convolution, not the permutes).
//! - **Padding** is [`Padding::Valid`] or [`Padding::Same`] with TensorFlow's
//!   rule: `out = ceil(in / stride)`, total padding
//!   `max((out - 1) * stride + (k - 1) * dilation + 1 - in, 0)`, the odd
//!   element at the bottom/right. The input is padded explicitly with zeros
//!   and then convolved without padding, which handles the asymmetry.
//! - **Strides and dilations** are `(height, width)` tuples: TensorFlow's
//!   four-element lists keep a batch and a channel entry that must be 1, so
//!   they are left out. `conv1d` takes plain `usize`s. Unlike TensorFlow's
//!   CPU kernel, strides and dilations above 1 may be combined.
//! - **Gradients of any order.** A convolution, its gradient with respect to
//!   the input (a transposed convolution) and its gradient with respect to
//!   the filters (a correlation of the input with the output gradient) are
//!   three recorded ops. All three are bilinear, and each one's backward
//!   rule is written with the other two, so a tape can differentiate a
//!   gradient again, as often as needed.
//!
//! ```
//! use tensorlow::{nn, nn::Padding, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! // A 1-channel 3x3 image (NHWC) and a 2x2 kernel (HWIO) computing x[i, j] - x[i+1, j+1].
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0], &[1, 3, 3, 1])?;
//! let k = Tensor::new(&[1.0f32, 0.0, 0.0, -1.0], &[2, 2, 1, 1])?;
//! let y = nn::conv2d(&x, &k, (1, 1), Padding::Valid, (1, 1))?;
//! assert_eq!(y.shape(), &[1, 2, 2, 1]);
//! assert_eq!(y.to_vec::<f32>()?, vec![-4.0; 4]);
//! // SAME keeps the spatial size (ceil(3 / 1) = 3), padding one zero row and column at the bottom/right.
//! let y = nn::conv2d(&x, &k, (1, 1), Padding::Same, (1, 1))?;
//! assert_eq!(y.to_vec::<f32>()?, vec![-4.0, -4.0, 3.0, -4.0, -4.0, 6.0, 7.0, 8.0, 9.0]);
//! # Ok(()) }
//! ```

use crate::ops::out;
use crate::{Error, Result, Tensor};
use candle_core::Tensor as Ct;

type CResult<T> = candle_core::Result<T>;

/// How a convolution or pooling window treats the borders of its input
/// (TensorFlow's `padding="VALID"` / `"SAME"`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Padding {
    /// No padding: only windows that lie entirely inside the input, so the
    /// output has `ceil((in - (k - 1) * dilation) / stride)` positions. A
    /// window larger than the input is an error.
    #[default]
    Valid,
    /// Pads so that the output has `ceil(in / stride)` positions: zeros for
    /// convolutions, nothing counted for average pooling and `-inf` for max
    /// pooling. The total padding `max((out - 1) * stride + (k - 1) *
    /// dilation + 1 - in, 0)` is split evenly, the odd element going to the
    /// bottom/right, as in TensorFlow.
    Same,
}

/// The geometry of a 2-D window op over (height, width): sizes, strides,
/// dilations, TensorFlow padding and output size, validated.
#[derive(Clone, Copy, Debug)]
pub(super) struct Geom {
    pub input: [usize; 2],
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub dilation: [usize; 2],
    /// `[before, after]` per axis.
    pub pad: [[usize; 2]; 2],
    pub output: [usize; 2],
}

impl Geom {
    /// Validates the arguments of `op` and applies TensorFlow's padding rule.
    /// `axes` names the two spatial axes in error messages.
    pub(super) fn new(
        op: &'static str,
        axes: [&str; 2],
        input: [usize; 2],
        kernel: [usize; 2],
        stride: [usize; 2],
        dilation: [usize; 2],
        padding: Padding,
    ) -> Result<Geom> {
        let mut g = Geom {
            input,
            kernel,
            stride,
            dilation,
            pad: [[0; 2]; 2],
            output: [0; 2],
        };
        for a in 0..2 {
            let name = axes[a];
            if stride[a] == 0 {
                return Err(Error::arg(format!("{op}: the {name} stride must be at least 1, got 0")));
            }
            if dilation[a] == 0 {
                return Err(Error::arg(format!(
                    "{op}: the {name} dilation must be at least 1, got 0"
                )));
            }
            if kernel[a] == 0 {
                return Err(Error::shape(op, format!("the window has size 0 along {name}")));
            }
            if input[a] == 0 {
                return Err(Error::shape(op, format!("the input has size 0 along {name}")));
            }
            let ek = (kernel[a] - 1) * dilation[a] + 1;
            match padding {
                Padding::Valid => {
                    if ek > input[a] {
                        let what = if dilation[a] > 1 {
                            format!("{ek} (size {} dilated by {})", kernel[a], dilation[a])
                        } else {
                            ek.to_string()
                        };
                        return Err(Error::shape(
                            op,
                            format!(
                                "the window spans {what} along {name} but the input has only {} with \
                                 Padding::Valid; use Padding::Same or a smaller window",
                                input[a]
                            ),
                        ));
                    }
                    g.output[a] = (input[a] - ek) / stride[a] + 1;
                }
                Padding::Same => {
                    g.output[a] = input[a].div_ceil(stride[a]);
                    let total = ((g.output[a] - 1) * stride[a] + ek).saturating_sub(input[a]);
                    g.pad[a] = [total / 2, total - total / 2];
                }
            }
        }
        Ok(g)
    }

    /// The padded input size along axis `a`.
    pub(super) fn padded(&self, a: usize) -> usize {
        self.input[a] + self.pad[a][0] + self.pad[a][1]
    }

    /// How much of the padded input the windows reach along axis `a`.
    pub(super) fn used(&self, a: usize) -> usize {
        (self.output[a] - 1) * self.stride[a] + (self.kernel[a] - 1) * self.dilation[a] + 1
    }

    /// Pads an `NCHW` tensor with `value` and keeps the part the windows reach.
    pub(super) fn pad_input(&self, x: &Ct, value: f64) -> CResult<Ct> {
        pad_nchw(x, self.pad, value)?
            .narrow(2, 0, self.used(0))?
            .narrow(3, 0, self.used(1))
    }

    /// Inverse of [`Geom::pad_input`] for gradients: takes an `NCHW` tensor
    /// over the reached part of the padded input, restores the unreached
    /// rows/columns as zeros and drops the padding.
    pub(super) fn crop(&self, full: &Ct) -> CResult<Ct> {
        full.pad_with_zeros(2, 0, self.padded(0) - self.used(0))?
            .pad_with_zeros(3, 0, self.padded(1) - self.used(1))?
            .narrow(2, self.pad[0][0], self.input[0])?
            .narrow(3, self.pad[1][0], self.input[1])
    }
}

/// Pads dims 2 and 3 of an `NCHW` tensor, `pad[a] = [before, after]`, with `value`.
pub(super) fn pad_nchw(x: &Ct, pad: [[usize; 2]; 2], value: f64) -> CResult<Ct> {
    let mut x = x.clone();
    for (a, &[before, after]) in pad.iter().enumerate() {
        let dim = 2 + a;
        if before + after == 0 {
            continue;
        }
        if value == 0.0 {
            x = x.pad_with_zeros(dim, before, after)?;
            continue;
        }
        let mut dims = x.dims().to_vec();
        let mut parts = Vec::with_capacity(3);
        if before > 0 {
            dims[dim] = before;
            parts.push(Ct::full(value, dims.as_slice(), x.device())?.to_dtype(x.dtype())?);
        }
        parts.push(x.clone());
        if after > 0 {
            dims[dim] = after;
            parts.push(Ct::full(value, dims.as_slice(), x.device())?.to_dtype(x.dtype())?);
        }
        x = Ct::cat(&parts, dim)?;
    }
    Ok(x)
}

/// Inserts `s - 1` zeros between neighbours along `dim`: a length `l`
/// becomes `(l - 1) * s + 1` (dilating a kernel, or spreading a gradient
/// back over a strided grid).
fn spread(x: &Ct, dim: usize, s: usize) -> CResult<Ct> {
    let l = x.dim(dim)?;
    if s == 1 || l == 0 {
        return Ok(x.clone());
    }
    let mut dims = x.dims().to_vec();
    dims[dim] = l * s;
    x.unsqueeze(dim + 1)?
        .pad_with_zeros(dim + 1, 0, s - 1)?
        .reshape(dims.as_slice())?
        .narrow(dim, 0, (l - 1) * s + 1)
}

/// Every `s`-th entry along `dim`, `n` of them, starting at the first.
fn every(x: &Ct, dim: usize, s: usize, n: usize) -> CResult<Ct> {
    if s == 1 {
        return x.narrow(dim, 0, n);
    }
    let ids: Vec<u32> = (0..n).map(|i| (i * s) as u32).collect();
    x.index_select(&Ct::from_vec(ids, n, x.device())?, dim)
}

/// Unpadded correlation of an `NCHW` input with an `OIHW` kernel, with
/// per-axis strides and dilations (candle's kernel takes one of each: other
/// cases dilate the kernel explicitly and/or subsample a stride-1 result).
fn raw_conv(x: &Ct, w: &Ct, stride: [usize; 2], dilation: [usize; 2]) -> CResult<Ct> {
    let x = x.contiguous()?;
    let (w, d) = if dilation[0] == dilation[1] {
        (w.contiguous()?, dilation[0])
    } else {
        (spread(&spread(w, 2, dilation[0])?, 3, dilation[1])?.contiguous()?, 1)
    };
    if stride[0] == stride[1] {
        return x.conv2d(&w, 0, stride[0], d, 1);
    }
    let y = x.conv2d(&w, 0, 1, d, 1)?;
    let n = [(y.dim(2)? - 1) / stride[0] + 1, (y.dim(3)? - 1) / stride[1] + 1];
    every(&every(&y, 2, stride[0], n[0])?, 3, stride[1], n[1])
}

/// The adjoint of [`raw_conv`] with respect to its input: a transposed
/// convolution of `NCHW` `g` with the same `OIHW` kernel, giving
/// `(g - 1) * stride + (k - 1) * dilation + 1` positions per axis.
pub(super) fn raw_conv_t(g: &Ct, w: &Ct, stride: [usize; 2], dilation: [usize; 2]) -> CResult<Ct> {
    let (w, d) = if dilation[0] == dilation[1] {
        (w.contiguous()?, dilation[0])
    } else {
        (spread(&spread(w, 2, dilation[0])?, 3, dilation[1])?.contiguous()?, 1)
    };
    let (g, s) = if stride[0] == stride[1] {
        (g.contiguous()?, stride[0])
    } else {
        (spread(&spread(g, 2, stride[0])?, 3, stride[1])?.contiguous()?, 1)
    };
    g.conv_transpose2d(&w, 0, 0, s, d)
}

/// `NHWC` → `NCHW`.
pub(super) fn nchw(x: &Ct) -> CResult<Ct> {
    x.permute((0, 3, 1, 2))
}

/// `NCHW` → `NHWC`.
pub(super) fn nhwc(x: &Ct) -> CResult<Ct> {
    x.permute((0, 2, 3, 1))
}

/// `HWIO` → `OIHW`.
fn oihw(w: &Ct) -> CResult<Ct> {
    w.permute((3, 2, 0, 1))
}

/// The convolution: `NHWC` input, `HWIO` filters, `NHWC` output.
fn conv_op(x: &Tensor, w: &Tensor, geo: Geom) -> Result<Tensor> {
    let xp = geo.pad_input(&nchw(&x.value)?, 0.0)?;
    let y = raw_conv(&xp, &oihw(&w.value)?, geo.stride, geo.dilation)?;
    Ok(out(nhwc(&y)?, &[x, w], move |c| {
        let gx = c.need(0).then(|| conv_input_grad(c.grad, c.y(), geo)).transpose()?;
        let gw = c.need(1).then(|| conv_filter_grad(c.x(), c.grad, geo)).transpose()?;
        Ok(vec![gx, gw])
    }))
}

/// The gradient of [`conv_op`] with respect to its input (TensorFlow's
/// `Conv2DBackpropInput`, a transposed convolution): `NHWC` output gradient
/// `g` and `HWIO` filters give an `NHWC` tensor shaped like the input.
fn conv_input_grad(g: &Tensor, w: &Tensor, geo: Geom) -> Result<Tensor> {
    let full = raw_conv_t(&nchw(&g.value)?, &oihw(&w.value)?, geo.stride, geo.dilation)?;
    let dx = geo.crop(&full)?;
    Ok(out(nhwc(&dx)?, &[g, w], move |c| {
        // <u, conv_t(g, w)> = <conv(u, w), g>: linear in g with the
        // convolution as adjoint, and a filter gradient in w.
        let gg = c.need(0).then(|| conv_op(c.grad, c.y(), geo)).transpose()?;
        let gw = c.need(1).then(|| conv_filter_grad(c.grad, c.x(), geo)).transpose()?;
        Ok(vec![gg, gw])
    }))
}

/// The gradient of [`conv_op`] with respect to its filters (TensorFlow's
/// `Conv2DBackpropFilter`): `NHWC` input `x` and output gradient `g` give
/// `HWIO` filters.
fn conv_filter_grad(x: &Tensor, g: &Tensor, geo: Geom) -> Result<Tensor> {
    // dw[o, i, ky, kx] = Σ_{n, oy, ox} g[n, o, oy, ox] · xp[n, i, oy·s + ky·d, ox·s + kx·d]:
    // a correlation of xp with g over the batch, i.e. a convolution whose
    // "batch" is the input channels and "channels" the batch, with stride and
    // dilation swapped.
    let xp = geo.pad_input(&nchw(&x.value)?, 0.0)?.transpose(0, 1)?; // (I, N, Hu, Wu)
    let gt = nchw(&g.value)?.transpose(0, 1)?; // (O, N, Ho, Wo)
    let dw = raw_conv(&xp, &gt, geo.dilation, geo.stride)?; // (I, O, kh, kw)
    Ok(out(dw.permute((2, 3, 0, 1))?, &[x, g], move |c| {
        // <v, dw(x, g)> = <conv(x, v), g>.
        let gx = c.need(0).then(|| conv_input_grad(c.y(), c.grad, geo)).transpose()?;
        let gg = c.need(1).then(|| conv_op(c.x(), c.grad, geo)).transpose()?;
        Ok(vec![gx, gg])
    }))
}

/// Dtype, device and rank checks shared by the convolutions.
fn check_operands(op: &'static str, input: &Tensor, filters: &Tensor, rank: usize, layouts: [&str; 2]) -> Result<()> {
    input.same_device(filters, op)?;
    input.same_dtype(filters, op)?;
    if !input.dtype().is_float() {
        return Err(Error::DType {
            op,
            msg: format!("convolutions need a floating-point dtype, got {}", input.dtype()),
        });
    }
    if input.rank() != rank {
        return Err(Error::shape(
            op,
            format!(
                "input must have rank {rank} {}, got shape {:?}",
                layouts[0],
                input.shape()
            ),
        ));
    }
    if filters.rank() != rank {
        return Err(Error::shape(
            op,
            format!(
                "filters must have rank {rank} {}, got shape {:?}",
                layouts[1],
                filters.shape()
            ),
        ));
    }
    Ok(())
}

fn channel_mismatch(op: &'static str, input: &Tensor, filters: &Tensor, what: &str) -> Error {
    let c = input.shape()[input.rank() - 1];
    let ci = filters.shape()[filters.rank() - 2];
    Error::shape(
        op,
        format!(
            "{what} has {c} channels (shape {:?}) but filters expect {ci} (shape {:?})",
            input.shape(),
            filters.shape()
        ),
    )
}

/// 2-D convolution (`tf.nn.conv2d`, strictly a cross-correlation, as in
/// TensorFlow).
///
/// - `input`: `(batch, height, width, in_channels)` (`NHWC`).
/// - `filters`: `(filter_height, filter_width, in_channels, out_channels)` (`HWIO`).
/// - `strides`, `dilations`: `(height, width)`, each at least 1.
/// - Returns `(batch, out_height, out_width, out_channels)`, the output sizes
///   given by [`Padding`].
///
/// Differentiable to any order in both `input` and `filters`. Errors on
/// wrong ranks, mismatched channels, dtypes or devices, a zero stride or
/// dilation, and a window larger than the input with [`Padding::Valid`].
///
/// ```
/// use tensorlow::{nn, nn::Padding, DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::ones(&[2, 5, 5, 3], DType::F32, &Device::cpu())?;
/// let w = Tensor::ones(&[3, 3, 3, 8], DType::F32, &Device::cpu())?;
/// let y = nn::conv2d(&x, &w, (2, 2), Padding::Same, (1, 1))?;
/// assert_eq!(y.shape(), &[2, 3, 3, 8]);
/// let bad = Tensor::ones(&[3, 3, 4, 8], DType::F32, &Device::cpu())?;
/// let e = nn::conv2d(&x, &bad, (1, 1), Padding::Valid, (1, 1)).unwrap_err();
/// assert_eq!(
///     e.to_string(),
///     "conv2d: input has 3 channels (shape [2, 5, 5, 3]) but filters expect 4 (shape [3, 3, 4, 8])"
/// );
/// # Ok(()) }
/// ```
pub fn conv2d(
    input: &Tensor,
    filters: &Tensor,
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    const OP: &str = "conv2d";
    check_operands(
        OP,
        input,
        filters,
        4,
        [
            "(batch, height, width, channels)",
            "(filter_height, filter_width, in_channels, out_channels)",
        ],
    )?;
    let (s, f) = (input.shape(), filters.shape());
    if s[3] != f[2] {
        return Err(channel_mismatch(OP, input, filters, "input"));
    }
    let geo = Geom::new(
        OP,
        ["height", "width"],
        [s[1], s[2]],
        [f[0], f[1]],
        [strides.0, strides.1],
        [dilations.0, dilations.1],
        padding,
    )?;
    conv_op(input, filters, geo)
}

/// 1-D convolution (`tf.nn.conv1d`).
///
/// - `input`: `(batch, width, in_channels)` (`NWC`).
/// - `filters`: `(filter_width, in_channels, out_channels)` (`WIO`).
/// - Returns `(batch, out_width, out_channels)`.
///
/// Computed as a [`conv2d`] over a height of 1, so it is differentiable to
/// any order too, and errors the same way.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f64, 2.0, 3.0, 4.0], &[1, 4, 1])?;
/// let w = Tensor::new(&[1.0f64, 1.0], &[2, 1, 1])?; // sums of neighbours
/// let y = nn::conv1d(&x, &w, 1, Padding::Valid, 1)?;
/// assert_eq!(y.to_vec::<f64>()?, vec![3.0, 5.0, 7.0]);
/// let y = nn::conv1d(&x, &w, 2, Padding::Valid, 1)?;
/// assert_eq!(y.to_vec::<f64>()?, vec![3.0, 7.0]);
/// # Ok(()) }
/// ```
pub fn conv1d(input: &Tensor, filters: &Tensor, stride: usize, padding: Padding, dilation: usize) -> Result<Tensor> {
    const OP: &str = "conv1d";
    check_operands(
        OP,
        input,
        filters,
        3,
        ["(batch, width, channels)", "(filter_width, in_channels, out_channels)"],
    )?;
    let (s, f) = (input.shape().to_vec(), filters.shape().to_vec());
    if s[2] != f[1] {
        return Err(channel_mismatch(OP, input, filters, "input"));
    }
    let geo = Geom::new(
        OP,
        ["height", "width"],
        [1, s[1]],
        [1, f[0]],
        [1, stride],
        [1, dilation],
        padding,
    )?;
    let x = input.reshape(&[s[0], 1, s[1], s[2]])?;
    let w = filters.reshape(&[1, f[0], f[1], f[2]])?;
    conv_op(&x, &w, geo)?.reshape(&[s[0], geo.output[1], f[2]])
}

/// Transposed 2-D convolution (`tf.nn.conv2d_transpose`): the gradient of
/// [`conv2d`] with respect to its input, seen as an op of its own (sometimes
/// called a "deconvolution").
///
/// - `input`: `(batch, height, width, in_channels)`, shaped like the output
///   of the corresponding [`conv2d`].
/// - `filters`: `(filter_height, filter_width, out_channels, in_channels)`
///   (the `HWIO` filters of that [`conv2d`]).
/// - `output_shape`: `[batch, out_height, out_width, out_channels]`, the
///   input shape of that [`conv2d`]; several sizes can give the same
///   convolution output when a stride exceeds 1, so it must be given.
///
/// Differentiable to any order.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// // Stride 2 with a 1x1 kernel spreads the values onto a grid, zeros between.
/// let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[1, 2, 2, 1])?;
/// let w = Tensor::new(&[10.0f32], &[1, 1, 1, 1])?;
/// let y = nn::conv2d_transpose(&x, &w, &[1, 3, 3, 1], (2, 2), Padding::Valid, (1, 1))?;
/// assert_eq!(y.to_vec::<f32>()?, vec![10.0, 0.0, 20.0, 0.0, 0.0, 0.0, 30.0, 0.0, 40.0]);
/// # Ok(()) }
/// ```
pub fn conv2d_transpose(
    input: &Tensor,
    filters: &Tensor,
    output_shape: &[usize],
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    const OP: &str = "conv2d_transpose";
    check_operands(
        OP,
        input,
        filters,
        4,
        [
            "(batch, height, width, channels)",
            "(filter_height, filter_width, out_channels, in_channels)",
        ],
    )?;
    let (s, f) = (input.shape(), filters.shape());
    if s[3] != f[3] {
        return Err(Error::shape(
            OP,
            format!(
                "input has {} channels (shape {s:?}) but filters expect {} (shape {f:?}, the last dimension)",
                s[3], f[3]
            ),
        ));
    }
    let ok = output_shape.len() == 4 && output_shape[0] == s[0] && output_shape[3] == f[2];
    if !ok {
        return Err(Error::shape(
            OP,
            format!(
                "output_shape {output_shape:?} must be [batch, height, width, channels] with batch {} (from \
                 input {s:?}) and channels {} (from filters {f:?})",
                s[0], f[2]
            ),
        ));
    }
    let geo = Geom::new(
        OP,
        ["height", "width"],
        [output_shape[1], output_shape[2]],
        [f[0], f[1]],
        [strides.0, strides.1],
        [dilations.0, dilations.1],
        padding,
    )?;
    if geo.output != [s[1], s[2]] {
        return Err(Error::shape(
            OP,
            format!(
                "a conv2d of output_shape {output_shape:?} with these filters, strides and padding gives \
                 {}x{} positions, but the input {s:?} has {}x{}",
                geo.output[0], geo.output[1], s[1], s[2]
            ),
        ));
    }
    conv_input_grad(input, filters, geo)
}
