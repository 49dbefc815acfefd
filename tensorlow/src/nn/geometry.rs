//! The size arithmetic of convolutions and pooling windows, with
//! TensorFlow's padding rules: [`conv_output_size`] (`valid` / `same`),
//! [`same_padding`], [`conv_transpose_output_size`] (Keras'
//! `output_padding` rule) and [`causal_padding`]. The ops of [`crate::nn`]
//! use these functions themselves, so a layer's `compute_output_shape` can
//! call them instead of re-deriving the rules.
//!
//! ## Rules (TensorFlow's, per spatial axis)
//! - The window spans `ek = (kernel - 1) * dilation + 1` input positions.
//! - `Valid`: `out = (in - ek) / stride + 1` (floor), an error when
//!   `ek > in`.
//! - `Same`: `out = ceil(in / stride)`, total padding
//!   `max((out - 1) * stride + ek - in, 0)`, split evenly with the odd
//!   element after (bottom/right).
//! - Causal (Keras' `Conv1D(padding="causal")`): `ek - 1` zeros before the
//!   sequence, none after, then `Valid`: `out = ceil(in / stride)`, and
//!   output `t` never sees inputs after `t * stride`. tensorlow has no
//!   causal mode in its ops: pad the input on the left by
//!   [`causal_padding`] (e.g. with [`Tensor::pad`](crate::Tensor::pad))
//!   and convolve with [`Padding::Valid`], as Keras' layer does.
//!
//! ```
//! use tensorlow::nn::{self, Padding};
//! # fn main() -> tensorlow::Result<()> {
//! // Keras' MNIST convnet: 28 -> Conv2D(3) 26 -> MaxPool(2) 13 -> Conv2D(3) 11 -> MaxPool(2) 5.
//! let h = nn::conv_output_size(28, 3, 1, 1, Padding::Valid)?;
//! let h = nn::conv_output_size(h, 2, 2, 1, Padding::Valid)?;
//! let h = nn::conv_output_size(h, 3, 1, 1, Padding::Valid)?;
//! assert_eq!(nn::conv_output_size(h, 2, 2, 1, Padding::Valid)?, 5);
//! assert_eq!(nn::conv_output_size(28, 3, 2, 1, Padding::Same)?, 14);
//! assert_eq!(nn::same_padding(28, 3, 2, 1), (0, 1)); // the odd zero goes after
//! // Conv2DTranspose(kernel 3, stride 2): 14 -> 28 with SAME, 14 -> 29 with VALID.
//! assert_eq!(nn::conv_transpose_output_size(14, 3, 2, 1, Padding::Same, None)?, 28);
//! assert_eq!(nn::conv_transpose_output_size(14, 3, 2, 1, Padding::Valid, None)?, 29);
//! assert!(nn::conv_output_size(2, 3, 1, 1, Padding::Valid).is_err());
//! # Ok(()) }
//! ```

use crate::{Error, Result};
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

/// Why one axis' geometry is invalid (the caller names the op and axis).
enum AxisError {
    ZeroStride,
    ZeroDilation,
    ZeroKernel,
    ZeroInput,
    /// `(effective window, kernel, dilation, input)`.
    WindowTooLarge(usize, usize, usize, usize),
}

/// `(output, pad_before, pad_after)` along one axis.
fn axis(
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    padding: Padding,
) -> std::result::Result<[usize; 3], AxisError> {
    if stride == 0 {
        return Err(AxisError::ZeroStride);
    }
    if dilation == 0 {
        return Err(AxisError::ZeroDilation);
    }
    if kernel == 0 {
        return Err(AxisError::ZeroKernel);
    }
    if input == 0 {
        return Err(AxisError::ZeroInput);
    }
    let ek = (kernel - 1).saturating_mul(dilation).saturating_add(1);
    match padding {
        Padding::Valid => {
            if ek > input {
                return Err(AxisError::WindowTooLarge(ek, kernel, dilation, input));
            }
            Ok([(input - ek) / stride + 1, 0, 0])
        }
        Padding::Same => {
            let out = input.div_ceil(stride);
            let total = ((out - 1) * stride).saturating_add(ek).saturating_sub(input);
            Ok([out, total / 2, total - total / 2])
        }
    }
}

fn axis_error(op: &'static str, name: &str, e: AxisError) -> Error {
    match e {
        AxisError::ZeroStride => Error::arg(format!("{op}: the {name} stride must be at least 1, got 0")),
        AxisError::ZeroDilation => Error::arg(format!("{op}: the {name} dilation must be at least 1, got 0")),
        AxisError::ZeroKernel => Error::shape(op, format!("the window has size 0 along {name}")),
        AxisError::ZeroInput => Error::shape(op, format!("the input has size 0 along {name}")),
        AxisError::WindowTooLarge(ek, k, d, input) => {
            let what = if d > 1 {
                format!("{ek} (size {k} dilated by {d})")
            } else {
                ek.to_string()
            };
            Error::shape(
                op,
                format!(
                    "the window spans {what} along {name} but the input has only {input} with Padding::Valid; \
                     use Padding::Same or a smaller window"
                ),
            )
        }
    }
}

/// The number of output positions of a convolution or pooling window along
/// one axis (TensorFlow's rule, see the module docs). Errors on a zero
/// size, stride or dilation, and on a window larger than the input with
/// [`Padding::Valid`].
pub fn conv_output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    padding: Padding,
) -> Result<usize> {
    axis(input, kernel, stride, dilation, padding)
        .map(|a| a[0])
        .map_err(|e| axis_error("conv_output_size", "the axis", e))
}

/// The zeros `(before, after)` that [`Padding::Same`] adds along one axis
/// (`after` gets the odd one). All arguments at least 1.
pub fn same_padding(input: usize, kernel: usize, stride: usize, dilation: usize) -> (usize, usize) {
    match axis(input, kernel, stride, dilation, Padding::Same) {
        Ok([_, before, after]) => (before, after),
        Err(_) => (0, 0),
    }
}

/// The zeros Keras' `padding="causal"` puts before a sequence:
/// `(kernel - 1) * dilation`, none after (then convolve with
/// [`Padding::Valid`]).
pub fn causal_padding(kernel: usize, dilation: usize) -> usize {
    kernel.saturating_sub(1).saturating_mul(dilation)
}

/// The output length of a transposed convolution along one axis, with
/// Keras' rule (`compute_conv_transpose_output_shape`), `ek` being the
/// dilated window:
/// - `Valid`: `(in - 1) * stride + ek + output_padding`, `output_padding`
///   defaulting to `max(ek, stride) - ek`;
/// - `Same`: `in * stride` without `output_padding`, else
///   `(in - 1) * stride + ek % 2 + output_padding`.
///
/// `output_padding` must be smaller than the stride (Keras' own check): a
/// convolution of the result then has `in` positions again. Errors on a
/// zero size, stride or dilation, and on a too large `output_padding`.
pub fn conv_transpose_output_size(
    input: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    padding: Padding,
    output_padding: Option<usize>,
) -> Result<usize> {
    const OP: &str = "conv_transpose_output_size";
    if let Err(e) = axis(input.max(1), kernel, stride, dilation, Padding::Same) {
        return Err(axis_error(OP, "the axis", e));
    }
    if input == 0 {
        return Err(axis_error(OP, "the axis", AxisError::ZeroInput));
    }
    if let Some(p) = output_padding {
        if p >= stride {
            return Err(Error::arg(format!(
                "{OP}: output_padding {p} must be smaller than the stride {stride}"
            )));
        }
    }
    let ek = (kernel - 1).saturating_mul(dilation).saturating_add(1);
    let base = (input - 1).checked_mul(stride);
    let size = match padding {
        Padding::Valid => {
            let p = output_padding.unwrap_or(ek.max(stride) - ek);
            base.and_then(|b| b.checked_add(ek)).and_then(|b| b.checked_add(p))
        }
        Padding::Same => match output_padding {
            None => input.checked_mul(stride),
            Some(p) => base.and_then(|b| b.checked_add(ek % 2 + p)),
        },
    };
    size.ok_or_else(|| {
        Error::arg(format!(
            "{OP}: the output size of input {input} x stride {stride} overflows"
        ))
    })
}

/// The geometry of a 2-D window op over (height, width): sizes, strides,
/// dilations, TensorFlow padding and output size, validated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geom {
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
    pub(crate) fn new(
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
            let [out, before, after] =
                axis(input[a], kernel[a], stride[a], dilation[a], padding).map_err(|e| axis_error(op, axes[a], e))?;
            g.output[a] = out;
            g.pad[a] = [before, after];
        }
        Ok(g)
    }

    /// The padded input size along axis `a`.
    pub(crate) fn padded(&self, a: usize) -> usize {
        self.input[a] + self.pad[a][0] + self.pad[a][1]
    }

    /// How much of the padded input the windows reach along axis `a`.
    pub(crate) fn used(&self, a: usize) -> usize {
        (self.output[a] - 1) * self.stride[a] + (self.kernel[a] - 1) * self.dilation[a] + 1
    }

    /// Pads an `NCHW` tensor with `value` and keeps the part the windows reach.
    pub(crate) fn pad_input(&self, x: &Ct, value: f64) -> CResult<Ct> {
        pad_nchw(x, self.pad, value)?
            .narrow(2, 0, self.used(0))?
            .narrow(3, 0, self.used(1))
    }

    /// Inverse of [`Geom::pad_input`] for gradients: takes an `NCHW` tensor
    /// over the reached part of the padded input, restores the unreached
    /// rows/columns as zeros and drops the padding.
    pub(crate) fn crop(&self, full: &Ct) -> CResult<Ct> {
        full.pad_with_zeros(2, 0, self.padded(0) - self.used(0))?
            .pad_with_zeros(3, 0, self.padded(1) - self.used(1))?
            .narrow(2, self.pad[0][0], self.input[0])?
            .narrow(3, self.pad[1][0], self.input[1])
    }
}

/// Pads dims 2 and 3 of an `NCHW` tensor, `pad[a] = [before, after]`, with `value`.
pub(crate) fn pad_nchw(x: &Ct, pad: [[usize; 2]; 2], value: f64) -> CResult<Ct> {
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
