//! Transposed convolutions (`tf.nn.conv2d_transpose`,
//! `tf.nn.conv1d_transpose`): the gradient of a convolution with respect to
//! its input, seen as an op of its own (sometimes called a
//! "deconvolution"). They are the convolutions' input-gradient op, so they
//! run on the same CPU kernels (gemm + col2im) and differentiate to any
//! order.
//!
//! Several input sizes give the same convolution output when a stride
//! exceeds 1, so the output shape is an argument, as in TensorFlow. Keras'
//! `Conv2DTranspose` derives it from `output_padding` with
//! [`conv_transpose_output_size`](super::conv_transpose_output_size).
//!
//! ```
//! use tensorlow::{nn, nn::Padding, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! // Stride 2 with a 1x1 kernel spreads the values onto a grid, zeros between.
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[1, 2, 2, 1])?;
//! let w = Tensor::new(&[10.0f32], &[1, 1, 1, 1])?;
//! let y = nn::conv2d_transpose(&x, &w, &[1, 3, 3, 1], (2, 2), Padding::Valid, (1, 1))?;
//! assert_eq!(y.to_vec::<f32>()?, vec![10.0, 0.0, 20.0, 0.0, 0.0, 0.0, 30.0, 0.0, 40.0]);
//! # Ok(()) }
//! ```

use super::conv::{check_operands, conv_input_grad, Spec};
use super::geometry::{Geom, Padding};
use crate::{Error, Result, Tensor};

/// Transposed 2-D convolution (`tf.nn.conv2d_transpose`).
///
/// - `input`: `(batch, height, width, in_channels)`, shaped like the output
///   of the corresponding [`conv2d`](super::conv2d).
/// - `filters`: `(filter_height, filter_width, out_channels, in_channels)`
///   (the `HWIO` filters of that convolution; Keras' `Conv2DTranspose`
///   kernel layout).
/// - `output_shape`: `[batch, out_height, out_width, out_channels]`, the
///   input shape of that convolution. A convolution of it with these
///   filters, strides, padding and dilations must give `input`'s spatial
///   size.
///
/// Differentiable to any order.
///
/// ```
/// use tensorlow::{nn, nn::Padding, DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// // Keras' Conv2DTranspose(4, 3, strides=2, padding="same") on a 7x7 input.
/// let x = Tensor::ones(&[1, 7, 7, 2], DType::F32, &Device::cpu())?;
/// let w = Tensor::ones(&[3, 3, 4, 2], DType::F32, &Device::cpu())?;
/// let h = nn::conv_transpose_output_size(7, 3, 2, 1, Padding::Same, None)?;
/// let y = nn::conv2d_transpose(&x, &w, &[1, h, h, 4], (2, 2), Padding::Same, (1, 1))?;
/// assert_eq!(y.shape(), &[1, 14, 14, 4]);
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
    transpose(
        "conv2d_transpose",
        input,
        filters,
        output_shape,
        strides,
        padding,
        dilations,
    )
}

fn transpose(
    op: &'static str,
    input: &Tensor,
    filters: &Tensor,
    output_shape: &[usize],
    strides: (usize, usize),
    padding: Padding,
    dilations: (usize, usize),
) -> Result<Tensor> {
    check_operands(
        op,
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
            op,
            format!(
                "input has {} channels (shape {s:?}) but filters expect {} (shape {f:?}, the last dimension)",
                s[3], f[3]
            ),
        ));
    }
    let ok = output_shape.len() == 4 && output_shape[0] == s[0] && output_shape[3] == f[2];
    if !ok {
        return Err(Error::shape(
            op,
            format!(
                "output_shape {output_shape:?} must be [batch, height, width, channels] with batch {} (from \
                 input {s:?}) and channels {} (from filters {f:?})",
                s[0], f[2]
            ),
        ));
    }
    let geo = Geom::new(
        op,
        ["height", "width"],
        [output_shape[1], output_shape[2]],
        [f[0], f[1]],
        [strides.0, strides.1],
        [dilations.0, dilations.1],
        padding,
    )?;
    if geo.output != [s[1], s[2]] {
        return Err(Error::shape(
            op,
            format!(
                "a conv2d of output_shape {output_shape:?} with these filters, strides and padding gives \
                 {}x{} positions, but the input {s:?} has {}x{}",
                geo.output[0], geo.output[1], s[1], s[2]
            ),
        ));
    }
    conv_input_grad(input, filters, Spec { geo, groups: 1 })
}

/// Transposed 1-D convolution (`tf.nn.conv1d_transpose`): `input` `(batch,
/// width, in_channels)`, `filters` `(filter_width, out_channels,
/// in_channels)`, `output_shape` `[batch, out_width, out_channels]`.
/// Computed as a [`conv2d_transpose`] over a height of 1.
///
/// ```
/// use tensorlow::{nn, nn::Padding, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// // The adjoint of conv1d with kernel [1, 1]: each input adds onto two neighbours.
/// let x = Tensor::new(&[1.0f64, 10.0], &[1, 2, 1])?;
/// let w = Tensor::new(&[1.0f64, 1.0], &[2, 1, 1])?;
/// let y = nn::conv1d_transpose(&x, &w, &[1, 3, 1], 1, Padding::Valid, 1)?;
/// assert_eq!(y.to_vec::<f64>()?, vec![1.0, 11.0, 10.0]);
/// # Ok(()) }
/// ```
pub fn conv1d_transpose(
    input: &Tensor,
    filters: &Tensor,
    output_shape: &[usize],
    stride: usize,
    padding: Padding,
    dilation: usize,
) -> Result<Tensor> {
    const OP: &str = "conv1d_transpose";
    check_operands(
        OP,
        input,
        filters,
        3,
        ["(batch, width, channels)", "(filter_width, out_channels, in_channels)"],
    )?;
    if output_shape.len() != 3 {
        return Err(Error::shape(
            OP,
            format!("output_shape {output_shape:?} must be [batch, width, channels]"),
        ));
    }
    let (s, f) = (input.shape(), filters.shape());
    if s[2] != f[2] {
        return Err(Error::shape(
            OP,
            format!(
                "input has {} channels (shape {s:?}) but filters expect {} (shape {f:?}, the last dimension)",
                s[2], f[2]
            ),
        ));
    }
    if output_shape[0] != s[0] || output_shape[2] != f[1] {
        return Err(Error::shape(
            OP,
            format!(
                "output_shape {output_shape:?} must be [batch, width, channels] with batch {} (from input \
                 {s:?}) and channels {} (from filters {f:?})",
                s[0], f[1]
            ),
        ));
    }
    let x = input.reshape(&[s[0], 1, s[1], s[2]])?;
    let w = filters.reshape(&[1, f[0], f[1], f[2]])?;
    let o = [output_shape[0], 1, output_shape[1], output_shape[2]];
    transpose(OP, &x, &w, &o, (1, stride), padding, (1, dilation))?.reshape(output_shape)
}
