//! Depthwise and separable convolutions (`tf.nn.depthwise_conv2d`,
//! `tf.nn.separable_conv2d`, and their 1-D forms for Keras'
//! `DepthwiseConv1D` / `SeparableConv1D`).
//!
//! A depthwise convolution filters each input channel on its own with
//! `depth_multiplier` kernels: filters `(kh, kw, in_channels,
//! depth_multiplier)` (Keras' `DepthwiseConv2D` kernel layout) give
//! `in_channels * depth_multiplier` outputs, output `c * depth_multiplier +
//! m` from channel `c`. It is a grouped convolution with one group per
//! input channel (the same filters, seen as `(kh, kw, 1, in_channels *
//! depth_multiplier)`), so it shares the convolutions' kernels and
//! gradients of any order. A separable convolution is a depthwise one
//! followed by a pointwise (1x1) convolution.
//!
//! ```
//! use tensorlow::{nn, nn::Padding, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! // Two channels, depth multiplier 1: channel 0 doubled, channel 1 negated.
//! let x = Tensor::new(&[1.0f32, 10.0, 2.0, 20.0], &[1, 1, 2, 2])?;
//! let w = Tensor::new(&[2.0f32, -1.0], &[1, 1, 2, 1])?;
//! let y = nn::depthwise_conv2d(&x, &w, (1, 1), Padding::Valid, (1, 1))?;
//! assert_eq!(y.to_vec::<f32>()?, vec![2.0, -10.0, 4.0, -20.0]);
//! # Ok(()) }
//! ```

use super::conv::{check_operands, conv2d, conv_op, Spec};
use super::geometry::{Geom, Padding};
use crate::{Error, Result, Tensor};

/// Depthwise 2-D convolution (`tf.nn.depthwise_conv2d`).
///
/// - `input`: `(batch, height, width, in_channels)` (`NHWC`).
/// - `filter`: `(filter_height, filter_width, in_channels,
///   depth_multiplier)`.
/// - Returns `(batch, out_height, out_width, in_channels *
///   depth_multiplier)`, sizes as in [`conv2d`].
///
/// Differentiable to any order in both operands.
///
/// ```
/// use tensorlow::{nn, nn::Padding, DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::ones(&[2, 6, 6, 3], DType::F32, &Device::cpu())?;
/// let w = Tensor::ones(&[3, 3, 3, 2], DType::F32, &Device::cpu())?;
/// let y = nn::depthwise_conv2d(&x, &w, (2, 2), Padding::Same, (1, 1))?;
/// assert_eq!(y.shape(), &[2, 3, 3, 6]);
/// # Ok(()) }
/// ```
pub fn depthwise_conv2d(
    input: &Tensor,
    filter: &Tensor,
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    depthwise("depthwise_conv2d", input, filter, strides, padding, dilations)
}

fn depthwise(
    op: &'static str,
    input: &Tensor,
    filter: &Tensor,
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    check_operands(
        op,
        input,
        filter,
        4,
        [
            "(batch, height, width, channels)",
            "(filter_height, filter_width, in_channels, depth_multiplier)",
        ],
    )?;
    let (s, f) = (input.shape(), filter.shape());
    channels_match(op, s, f)?;
    let geo = Geom::new(
        op,
        ["height", "width"],
        [s[1], s[2]],
        [f[0], f[1]],
        [strides.0, strides.1],
        [dilations.0, dilations.1],
        padding,
    )?;
    let w = filter.reshape(&[f[0], f[1], 1, f[2] * f[3]])?;
    if s[3] == 0 {
        // No channels: an empty output (zero groups would not divide).
        return Tensor::zeros(&[s[0], geo.output[0], geo.output[1], 0], input.dtype(), &input.device());
    }
    conv_op(input, &w, Spec { geo, groups: s[3] })
}

/// The input's channels (last of `s`) must be the filter's third-to-last.
fn channels_match(op: &'static str, s: &[usize], f: &[usize]) -> Result<()> {
    let (c, fc) = (s[s.len() - 1], f[f.len() - 2]);
    if c != fc {
        return Err(Error::shape(
            op,
            format!("input has {c} channels (shape {s:?}) but the depthwise filter expects {fc} (shape {f:?})"),
        ));
    }
    Ok(())
}

/// Depthwise 1-D convolution (Keras' `DepthwiseConv1D`): `input` `(batch,
/// width, in_channels)`, `filter` `(filter_width, in_channels,
/// depth_multiplier)`; a [`depthwise_conv2d`] over a height of 1.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f64, 10.0, 2.0, 20.0, 3.0, 30.0], &[1, 3, 2])?;
/// let w = Tensor::new(&[1.0f64, 0.0, 1.0, 1.0], &[2, 2, 1])?; // ch 0: x[t] + x[t+1]; ch 1: x[t+1]
/// let y = nn::depthwise_conv1d(&x, &w, 1, Padding::Valid, 1)?;
/// assert_eq!(y.to_vec::<f64>()?, vec![3.0, 20.0, 5.0, 30.0]);
/// # Ok(()) }
/// ```
pub fn depthwise_conv1d(
    input: &Tensor,
    filter: &Tensor,
    stride: usize,
    padding: Padding,
    dilation: usize,
) -> Result<Tensor> {
    const OP: &str = "depthwise_conv1d";
    check_operands(
        OP,
        input,
        filter,
        3,
        [
            "(batch, width, channels)",
            "(filter_width, in_channels, depth_multiplier)",
        ],
    )?;
    let (s, f) = (input.shape(), filter.shape());
    channels_match(OP, s, f)?;
    let x = input.reshape(&[s[0], 1, s[1], s[2]])?;
    let w = filter.reshape(&[1, f[0], f[1], f[2]])?;
    let y = depthwise(OP, &x, &w, (1, stride), padding, (1, dilation))?;
    let ys = y.shape().to_vec();
    y.reshape(&[ys[0], ys[2], ys[3]])
}

/// Separable 2-D convolution (`tf.nn.separable_conv2d`): a
/// [`depthwise_conv2d`] with `depthwise_filter` `(kh, kw, in_channels,
/// depth_multiplier)`, strides, padding and dilations, then a pointwise
/// [`conv2d`] with `pointwise_filter` `(1, 1, in_channels *
/// depth_multiplier, out_channels)`.
///
/// ```
/// use tensorlow::{nn, nn::Padding, DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::ones(&[1, 5, 5, 3], DType::F32, &Device::cpu())?;
/// let dw = Tensor::ones(&[3, 3, 3, 2], DType::F32, &Device::cpu())?;
/// let pw = Tensor::ones(&[1, 1, 6, 4], DType::F32, &Device::cpu())?;
/// let y = nn::separable_conv2d(&x, &dw, &pw, (1, 1), Padding::Valid, (1, 1))?;
/// assert_eq!(y.shape(), &[1, 3, 3, 4]);
/// assert_eq!(y.to_vec::<f32>()?[0], 54.0); // 6 depthwise outputs of 9 each
/// # Ok(()) }
/// ```
pub fn separable_conv2d(
    input: &Tensor,
    depthwise_filter: &Tensor,
    pointwise_filter: &Tensor,
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    const OP: &str = "separable_conv2d";
    check_pointwise(OP, depthwise_filter, pointwise_filter, 4)?;
    let h = depthwise(OP, input, depthwise_filter, strides, padding, dilations)?;
    conv2d(&h, pointwise_filter, (1, 1), Padding::Valid, (1, 1))
}

/// The pointwise filter must be `(1, [1,] in_channels * depth_multiplier, out)`.
fn check_pointwise(op: &'static str, depthwise: &Tensor, pointwise: &Tensor, rank: usize) -> Result<()> {
    let (d, p) = (depthwise.shape(), pointwise.shape());
    let mid = if d.len() == rank { d[rank - 2] * d[rank - 1] } else { 0 };
    let ok = p.len() == rank && p[..rank - 2].iter().all(|&k| k == 1) && p[rank - 2] == mid;
    if !ok {
        let ones = vec!["1"; rank - 2].join(", ");
        return Err(Error::shape(
            op,
            format!(
                "pointwise_filter must have shape ({ones}, in_channels * depth_multiplier = {mid}, out_channels) \
                 for depthwise_filter {d:?}, got {p:?}"
            ),
        ));
    }
    Ok(())
}

/// Separable 1-D convolution (Keras' `SeparableConv1D`): a
/// [`depthwise_conv1d`] with `depthwise_filter` `(k, in_channels,
/// depth_multiplier)`, then a pointwise convolution with
/// `pointwise_filter` `(1, in_channels * depth_multiplier, out_channels)`.
///
/// ```
/// use tensorlow::{nn, nn::Padding, DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::ones(&[2, 7, 3], DType::F32, &Device::cpu())?;
/// let dw = Tensor::ones(&[3, 3, 1], DType::F32, &Device::cpu())?;
/// let pw = Tensor::ones(&[1, 3, 5], DType::F32, &Device::cpu())?;
/// assert_eq!(nn::separable_conv1d(&x, &dw, &pw, 2, Padding::Same, 1)?.shape(), &[2, 4, 5]);
/// # Ok(()) }
/// ```
pub fn separable_conv1d(
    input: &Tensor,
    depthwise_filter: &Tensor,
    pointwise_filter: &Tensor,
    stride: usize,
    padding: Padding,
    dilation: usize,
) -> Result<Tensor> {
    const OP: &str = "separable_conv1d";
    check_pointwise(OP, depthwise_filter, pointwise_filter, 3)?;
    let h = depthwise_conv1d(input, depthwise_filter, stride, padding, dilation)?;
    super::conv1d(&h, pointwise_filter, 1, Padding::Valid, 1)
}
