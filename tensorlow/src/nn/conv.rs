//! Convolutions with TensorFlow's layouts and padding rules: [`conv1d`]
//! (`NWC` input, `WIO` filters) and [`conv2d`] (`NHWC` input, `HWIO`
//! filters), grouped when the filters take fewer input channels than the
//! input has (as in TensorFlow). The transposed and depthwise convolutions
//! build on the same three ops (see `conv_transpose` and `depthwise`).
//!
//! ## Design
//! - **Layouts** are TensorFlow's defaults. On the CPU (f32/f64) the ops run
//!   tensorlow's own `NHWC` kernels (`cpu::conv`: im2col + gemm, no
//!   permutes). Elsewhere (CUDA, half precision) they run candle's kernels,
//!   which work on `NCHW` inputs and `OIHW` kernels, permuting at the
//!   boundary inside the op; both paths agree to float rounding.
//! - **Padding** is [`Padding::Valid`] or [`Padding::Same`] with TensorFlow's
//!   rule (see [`conv_output_size`](super::conv_output_size)), the odd
//!   element of `Same` at the bottom/right.
//! - **Strides and dilations** are `(height, width)` tuples: TensorFlow's
//!   four-element lists keep a batch and a channel entry that must be 1, so
//!   they are left out. `conv1d` takes plain `usize`s. Unlike TensorFlow's
//!   CPU kernel, strides and dilations above 1 may be combined.
//! - **Groups** (TensorFlow's rule): filters `(kh, kw, in_channels /
//!   groups, out_channels)` split the input channels into `groups` equal
//!   slices, output channels `g * out_channels / groups ..` seeing only
//!   slice `g`. A depthwise convolution is the case `groups = in_channels`.
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

use super::geometry::{Geom, Padding};
use crate::cpu::conv::{ConvDims, FilterGrad, Forward, ForwardBiasRelu, InputGrad};
use crate::limits::check_alloc_on;
use crate::ops::out;
use crate::{cpu, Error, Result, Tensor};
use candle_core::Tensor as Ct;

type CResult<T> = candle_core::Result<T>;

#[cfg(test)]
thread_local! {
    /// Set by unit tests to run candle's path on the CPU.
    pub(super) static FORCE_CANDLE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether tensorlow's own CPU kernels handle these operands.
pub(super) fn own_kernels(ts: &[&Ct]) -> bool {
    #[cfg(test)]
    if FORCE_CANDLE.with(|f| f.get()) {
        return false;
    }
    ts.iter().all(|t| cpu::handles(t))
}

/// A convolution's geometry and group count.
#[derive(Clone, Copy, Debug)]
pub(super) struct Spec {
    pub geo: Geom,
    pub groups: usize,
}

impl Spec {
    /// The CPU kernels' view, for `batch` images of `in_channels` into
    /// `out_channels` (all groups).
    fn dims(&self, batch: usize, in_channels: usize, out_channels: usize) -> ConvDims {
        let g = &self.geo;
        ConvDims {
            batch,
            input: g.input,
            in_channels,
            kernel: g.kernel,
            out_channels,
            groups: self.groups,
            stride: g.stride,
            dilation: g.dilation,
            pad: [g.pad[0][0], g.pad[1][0]],
            output: g.output,
        }
    }
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

/// `f(g)` for each group `g`, concatenated along `dim` (one call without
/// groups).
fn per_group(groups: usize, dim: usize, f: impl Fn(usize) -> CResult<Ct>) -> CResult<Ct> {
    if groups == 1 {
        return f(0);
    }
    let parts = (0..groups).map(f).collect::<CResult<Vec<_>>>()?;
    Ct::cat(&parts, dim)
}

/// candle's path of [`conv_op`]: `NHWC` `x`, `HWIO` `w`, `NHWC` result.
fn candle_conv(x: &Ct, w: &Ct, spec: Spec) -> CResult<Ct> {
    let geo = spec.geo;
    let (cg, og) = (w.dim(2)?, w.dim(3)? / spec.groups);
    let xp = geo.pad_input(&nchw(x)?, 0.0)?;
    let w = oihw(w)?;
    let y = per_group(spec.groups, 1, |g| {
        raw_conv(
            &xp.narrow(1, g * cg, cg)?,
            &w.narrow(0, g * og, og)?,
            geo.stride,
            geo.dilation,
        )
    })?;
    nhwc(&y)
}

/// candle's path of [`conv_input_grad`].
fn candle_conv_t(g: &Ct, w: &Ct, spec: Spec) -> CResult<Ct> {
    let geo = spec.geo;
    let og = w.dim(3)? / spec.groups;
    let (gn, w) = (nchw(g)?, oihw(w)?);
    let full = per_group(spec.groups, 1, |k| {
        raw_conv_t(
            &gn.narrow(1, k * og, og)?,
            &w.narrow(0, k * og, og)?,
            geo.stride,
            geo.dilation,
        )
    })?;
    nhwc(&geo.crop(&full)?)
}

/// candle's path of [`conv_filter_grad`].
fn candle_filter_grad(x: &Ct, g: &Ct, spec: Spec) -> CResult<Ct> {
    // dw[o, i, ky, kx] = Σ_{n, oy, ox} g[n, o, oy, ox] · xp[n, i, oy·s + ky·d, ox·s + kx·d]:
    // a correlation of xp with g over the batch, i.e. a convolution whose
    // "batch" is the input channels and "channels" the batch, with stride and
    // dilation swapped.
    let geo = spec.geo;
    let cg = x.dim(3)? / spec.groups;
    let og = g.dim(3)? / spec.groups;
    let xp = geo.pad_input(&nchw(x)?, 0.0)?;
    let gn = nchw(g)?;
    let dw = per_group(spec.groups, 1, |k| {
        let xk = xp.narrow(1, k * cg, cg)?.transpose(0, 1)?; // (cg, N, Hu, Wu)
        let gk = gn.narrow(1, k * og, og)?.transpose(0, 1)?; // (og, N, Ho, Wo)
        raw_conv(&xk, &gk, geo.dilation, geo.stride) // (cg, og, kh, kw)
    })?;
    dw.permute((2, 3, 0, 1))
}

/// The convolution: `NHWC` input, `HWIO` filters, `NHWC` output.
pub(super) fn conv_op(x: &Tensor, w: &Tensor, spec: Spec) -> Result<Tensor> {
    let y = if own_kernels(&[&x.value, &w.value]) {
        let d = spec.dims(x.shape()[0], x.shape()[3], w.shape()[3]);
        check_alloc_on("conv2d", &d.y_shape(), x.dtype(), x.value.device())?;
        cpu::run(&Forward(d), &[&x.value, &w.value], &d.y_shape())?
    } else {
        candle_conv(&x.value, &w.value, spec)?
    };
    Ok(out(y, &[x, w], move |c| {
        let gx = c.need(0).then(|| conv_input_grad(c.grad, c.y(), spec)).transpose()?;
        let gw = c.need(1).then(|| conv_filter_grad(c.x(), c.grad, spec)).transpose()?;
        Ok(vec![gx, gw])
    }))
}

/// The gradient of [`conv_op`] with respect to its input (TensorFlow's
/// `Conv2DBackpropInput`, a transposed convolution): `NHWC` output gradient
/// `g` and `HWIO` filters give an `NHWC` tensor shaped like the input.
pub(super) fn conv_input_grad(g: &Tensor, w: &Tensor, spec: Spec) -> Result<Tensor> {
    let dx = if own_kernels(&[&g.value, &w.value]) {
        let d = spec.dims(g.shape()[0], w.shape()[2] * spec.groups, w.shape()[3]);
        check_alloc_on("conv2d_transpose", &d.x_shape(), g.dtype(), g.value.device())?;
        cpu::run(&InputGrad(d), &[&g.value, &w.value], &d.x_shape())?
    } else {
        candle_conv_t(&g.value, &w.value, spec)?
    };
    Ok(out(dx, &[g, w], move |c| {
        // <u, conv_t(g, w)> = <conv(u, w), g>: linear in g with the
        // convolution as adjoint, and a filter gradient in w.
        let gg = c.need(0).then(|| conv_op(c.grad, c.y(), spec)).transpose()?;
        let gw = c.need(1).then(|| conv_filter_grad(c.grad, c.x(), spec)).transpose()?;
        Ok(vec![gg, gw])
    }))
}

/// The gradient of [`conv_op`] with respect to its filters (TensorFlow's
/// `Conv2DBackpropFilter`): `NHWC` input `x` and output gradient `g` give
/// `HWIO` filters.
fn conv_filter_grad(x: &Tensor, g: &Tensor, spec: Spec) -> Result<Tensor> {
    let dw = if own_kernels(&[&x.value, &g.value]) {
        let d = spec.dims(x.shape()[0], x.shape()[3], g.shape()[3]);
        cpu::run(&FilterGrad(d), &[&x.value, &g.value], &d.w_shape())?
    } else {
        candle_filter_grad(&x.value, &g.value, spec)?
    };
    Ok(out(dw, &[x, g], move |c| {
        // <v, dw(x, g)> = <conv(x, v), g>.
        let gx = c.need(0).then(|| conv_input_grad(c.y(), c.grad, spec)).transpose()?;
        let gg = c.need(1).then(|| conv_op(c.x(), c.grad, spec)).transpose()?;
        Ok(vec![gx, gg])
    }))
}

/// Dtype, device and rank checks shared by the convolutions.
pub(super) fn check_operands(
    op: &'static str,
    input: &Tensor,
    filters: &Tensor,
    rank: usize,
    layouts: [&str; 2],
) -> Result<()> {
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

/// The group count of a convolution of `input` (channels last) with
/// `filters` (`..., in_channels / groups, out_channels`): TensorFlow's
/// rule, with errors naming both shapes.
fn groups(op: &'static str, input: &Tensor, filters: &Tensor) -> Result<usize> {
    let (s, f) = (input.shape(), filters.shape());
    let c = s[s.len() - 1];
    let (ci, co) = (f[f.len() - 2], f[f.len() - 1]);
    if ci == c {
        return Ok(1);
    }
    if ci == 0 || c % ci != 0 {
        return Err(Error::shape(
            op,
            format!(
                "input has {c} channels (shape {s:?}) but filters expect {ci} (shape {f:?}); a grouped \
                 convolution needs filters taking a divisor of {c}"
            ),
        ));
    }
    let g = c / ci;
    if co % g != 0 {
        return Err(Error::shape(
            op,
            format!(
                "input has {c} channels (shape {s:?}) and filters take {ci} each (shape {f:?}): {g} groups, \
                 but the {co} output channels do not divide into {g} groups"
            ),
        ));
    }
    Ok(g)
}

/// 2-D convolution (`tf.nn.conv2d`, strictly a cross-correlation, as in
/// TensorFlow).
///
/// - `input`: `(batch, height, width, in_channels)` (`NHWC`).
/// - `filters`: `(filter_height, filter_width, in_channels / groups,
///   out_channels)` (`HWIO`); `groups = in_channels / filters.shape[2]`
///   (1 when they match), as in TensorFlow.
/// - `strides`, `dilations`: `(height, width)`, each at least 1.
/// - Returns `(batch, out_height, out_width, out_channels)`, the output sizes
///   given by [`Padding`] (see [`conv_output_size`](super::conv_output_size)).
///
/// Differentiable to any order in both `input` and `filters`. Errors on
/// wrong ranks, channels that do not divide into groups, mismatched dtypes
/// or devices, a zero stride or dilation, and a window larger than the
/// input with [`Padding::Valid`].
///
/// ```
/// use tensorlow::{nn, nn::Padding, DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::ones(&[2, 5, 5, 4], DType::F32, &Device::cpu())?;
/// let w = Tensor::ones(&[3, 3, 4, 8], DType::F32, &Device::cpu())?;
/// let y = nn::conv2d(&x, &w, (2, 2), Padding::Same, (1, 1))?;
/// assert_eq!(y.shape(), &[2, 3, 3, 8]);
/// // Two groups: each output channel sees 2 of the 4 input channels.
/// let w = Tensor::ones(&[3, 3, 2, 8], DType::F32, &Device::cpu())?;
/// let y = nn::conv2d(&x, &w, (1, 1), Padding::Valid, (1, 1))?;
/// assert_eq!(y.to_vec::<f32>()?[0], 18.0);
/// let bad = Tensor::ones(&[3, 3, 3, 8], DType::F32, &Device::cpu())?;
/// let e = nn::conv2d(&x, &bad, (1, 1), Padding::Valid, (1, 1)).unwrap_err();
/// assert!(e.to_string().starts_with(
///     "conv2d: input has 4 channels (shape [2, 5, 5, 4]) but filters expect 3 (shape [3, 3, 3, 8])"
/// ));
/// # Ok(()) }
/// ```
pub fn conv2d(
    input: &Tensor,
    filters: &Tensor,
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    conv_op(
        input,
        filters,
        conv2d_spec("conv2d", input, filters, strides, padding, dilations)?,
    )
}

/// The checked geometry of a 2-D convolution of `input` by `filters`
/// (errors name `op`).
fn conv2d_spec(
    op: &'static str,
    input: &Tensor,
    filters: &Tensor,
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Spec> {
    check_operands(
        op,
        input,
        filters,
        4,
        [
            "(batch, height, width, channels)",
            "(filter_height, filter_width, in_channels, out_channels)",
        ],
    )?;
    let groups = groups(op, input, filters)?;
    let (s, f) = (input.shape(), filters.shape());
    let geo = Geom::new(
        op,
        ["height", "width"],
        [s[1], s[2]],
        [f[0], f[1]],
        [strides.0, strides.1],
        [dilations.0, dilations.1],
        padding,
    )?;
    Ok(Spec { geo, groups })
}

/// `relu(conv2d(input, filters) + bias)` as one op: the convolution layer
/// with a ReLU that Keras' convnets are made of, and the fusion
/// TensorFlow's graph optimizer makes of `Conv2D`, `BiasAdd` and `Relu`
/// (`_FusedConv2D`). Arguments as in [`conv2d`]; `bias` is
/// `(out_channels,)`.
///
/// The values and the gradients (of any order) are those of the three ops,
/// bit for bit on the CPU, where the bias and the ReLU are applied to each
/// block of the output right after its product, while it is in cache
/// (elsewhere it runs the three ops). NaN propagates as in `relu`.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f32, -2.0, 3.0, -4.0], &[1, 2, 2, 1])?;
/// let w = Tensor::new(&[1.0f32, -1.0], &[1, 1, 1, 2])?; // two 1x1 filters
/// let b = Tensor::new(&[0.5f32, 0.0], &[2])?;
/// let y = nn::conv2d_bias_relu(&x, &w, &b, (1, 1), Padding::Valid, (1, 1))?;
/// assert_eq!(y.to_vec::<f32>()?, vec![1.5, 0.0, 0.0, 2.0, 3.5, 0.0, 0.0, 4.0]);
/// let bad = Tensor::new(&[0.5f32], &[1])?;
/// let e = nn::conv2d_bias_relu(&x, &w, &bad, (1, 1), Padding::Valid, (1, 1)).unwrap_err();
/// assert!(e.to_string().contains("bias of shape (2,)"), "{e}");
/// # Ok(()) }
/// ```
pub fn conv2d_bias_relu(
    input: &Tensor,
    filters: &Tensor,
    bias: &Tensor,
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    const OP: &str = "conv2d_bias_relu";
    let spec = conv2d_spec(OP, input, filters, strides, padding, dilations)?;
    input.same_device(bias, OP)?;
    input.same_dtype(bias, OP)?;
    let out_channels = filters.shape()[3];
    if bias.shape() != [out_channels] {
        return Err(Error::shape(
            OP,
            format!(
                "needs a bias of shape ({out_channels},), one value per output channel of the filters {:?}, got shape {:?}",
                filters.shape(),
                bias.shape()
            ),
        ));
    }
    let s = input.shape();
    if !own_kernels(&[&input.value, &filters.value, &bias.value]) {
        return conv_op(input, filters, spec)?.add(bias)?.relu();
    }
    let d = spec.dims(s[0], s[3], out_channels);
    check_alloc_on(OP, &d.y_shape(), input.dtype(), input.value.device())?;
    let y = cpu::run(
        &ForwardBiasRelu(d),
        &[&input.value, &filters.value, &bias.value],
        &d.y_shape(),
    )?;
    Ok(out(y, &[input, filters, bias], move |c| {
        // ReLU's gradient with the output as the mask: relu(z) > 0 exactly
        // where z > 0 (NaN in neither), so these are the bits the three
        // ops' rules give.
        let gz = c.grad.where_positive(c.output)?;
        let gx = c
            .need(0)
            .then(|| conv_input_grad(&gz, &c.inputs[1], spec))
            .transpose()?;
        let gw = c
            .need(1)
            .then(|| conv_filter_grad(&c.inputs[0], &gz, spec))
            .transpose()?;
        let gb = c.need(2).then(|| gz.sum_to(c.inputs[2].shape())).transpose()?;
        Ok(vec![gx, gw, gb])
    }))
}

/// 1-D convolution (`tf.nn.conv1d`).
///
/// - `input`: `(batch, width, in_channels)` (`NWC`).
/// - `filters`: `(filter_width, in_channels / groups, out_channels)`
///   (`WIO`), groups as in [`conv2d`].
/// - Returns `(batch, out_width, out_channels)`.
///
/// Computed as a [`conv2d`] over a height of 1, so it is differentiable to
/// any order too, and errors the same way. Keras' `padding="causal"` is
/// [`Padding::Valid`] after [`causal_padding`](super::causal_padding)
/// zeros on the left.
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
/// // Causal: one zero before, so output t sees inputs t-1 and t.
/// let xc = x.pad(&[(0, 0), (nn::causal_padding(2, 1), 0), (0, 0)], 0.0)?;
/// assert_eq!(nn::conv1d(&xc, &w, 1, Padding::Valid, 1)?.to_vec::<f64>()?, vec![1.0, 3.0, 5.0, 7.0]);
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
    let groups = groups(OP, input, filters)?;
    let (s, f) = (input.shape().to_vec(), filters.shape().to_vec());
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
    conv_op(&x, &w, Spec { geo, groups })?.reshape(&[s[0], geo.output[1], f[2]])
}

#[cfg(test)]
mod tests {
    //! tensorlow's CPU kernels against candle's path (forced on the CPU),
    //! forward and both gradients, with groups, strides, dilations and
    //! both paddings.
    use super::*;
    use crate::{random, DType, GradientTape};

    /// `f` on tensorlow's kernels and on candle's, values and gradients.
    fn both_paths(f: impl Fn(&Tensor, &Tensor) -> Result<Tensor>, x: &Tensor, w: &Tensor) -> [Vec<Vec<f64>>; 2] {
        let run = |force: bool| {
            FORCE_CANDLE.with(|c| c.set(force));
            let tape = GradientTape::new();
            tape.watch(x);
            tape.watch(w);
            let y = f(x, w).unwrap();
            let r = random::Generator::from_seed(5)
                .normal(y.shape(), 0.0, 1.0, y.dtype(), &x.device())
                .unwrap();
            let l = y.mul(&r).unwrap().sum_all().unwrap();
            let g = tape.gradient(&l, &[x, w]).unwrap();
            FORCE_CANDLE.with(|c| c.set(false));
            let v = |t: &Tensor| t.cast(DType::F64).unwrap().to_vec::<f64>().unwrap();
            vec![v(&y), v(g[0].as_ref().unwrap()), v(g[1].as_ref().unwrap())]
        };
        [run(false), run(true)]
    }

    #[test]
    fn own_kernels_match_candle() {
        // (input NHWC, filters HWIO, strides, dilations)
        type Case = ([usize; 4], [usize; 4], (usize, usize), (usize, usize));
        let cases: &[Case] = &[
            ([2, 7, 6, 3], [3, 3, 3, 4], (1, 1), (1, 1)),
            ([2, 7, 6, 4], [3, 2, 2, 6], (2, 1), (1, 2)),
            ([1, 9, 8, 6], [2, 3, 1, 6], (1, 2), (2, 1)),
            ([3, 5, 5, 4], [1, 1, 4, 5], (1, 1), (1, 1)),
            ([1, 6, 7, 2], [1, 1, 2, 3], (2, 2), (1, 1)),
            ([2, 8, 8, 4], [3, 3, 4, 2], (3, 2), (2, 2)),
        ];
        for (i, &(xs, fs, s, d)) in cases.iter().enumerate() {
            for padding in [Padding::Valid, Padding::Same] {
                let x = random::normal(&xs, 0.0, 1.0, DType::F64, Some(i as u64)).unwrap();
                let w = random::normal(&fs, 0.0, 1.0, DType::F64, Some(50 + i as u64)).unwrap();
                let [ours, theirs] = both_paths(|x, w| conv2d(x, w, s, padding, d), &x, &w);
                for (k, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                    assert_eq!(a.len(), b.len());
                    for (p, q) in a.iter().zip(b) {
                        assert!(
                            (p - q).abs() < 1e-10 * (1.0 + q.abs()),
                            "case {i} {padding:?} output {k}: {p} vs {q}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn f32_kernels_match_candle() {
        let x = random::normal(&[4, 12, 11, 8], 0.0, 1.0, DType::F32, Some(1)).unwrap();
        let w = random::normal(&[3, 3, 8, 16], 0.0, 0.3, DType::F32, Some(2)).unwrap();
        let [ours, theirs] = both_paths(|x, w| conv2d(x, w, (1, 1), Padding::Same, (1, 1)), &x, &w);
        for (a, b) in ours.iter().zip(&theirs) {
            for (p, q) in a.iter().zip(b) {
                assert!((p - q).abs() < 1e-4 * (1.0 + q.abs()), "{p} vs {q}");
            }
        }
    }
}
