//! Differentiable operations. Each op's backward rule sits next to its
//! forward pass (micrograd's lesson), written with tensorlow ops so that
//! gradients are themselves differentiable.
//!
//! - [`arith`] — `+ - * /`, `pow`, `maximum`, `minimum` with NumPy
//!   broadcasting, scalar arithmetic, and the operator overloads.
//! - [`unary`] — element-wise math and activations.
//! - [`reduce`] — sums, means, max/min, prod, logsumexp, variance, argmax.
//! - [`shape`] — reshape, transpose, concat, stack, split, slice, broadcast.
//! - [`index`] — gather, one_hot, where, comparisons, clip, cast.
//! - [`linalg`] — matmul.
//! - [`pad`] — constant padding.
//! - [`fused`] — one-pass in-place variable updates for optimizers.
//! - [`slicing`] — NumPy/TensorFlow indexing: `x.i((.., 1..3))`, [`s!`](crate::s).
//!
//! The operators also take [`Variable`](crate::Variable)s on either side
//! (`(x.matmul(&w)? + &b)?`).

pub mod arith;
pub mod fused;
pub mod index;
pub mod linalg;
pub mod pad;
pub mod reduce;
pub mod shape;
pub mod slicing;
pub mod unary;
mod variable_arith;

use crate::tape::{self, Ctx, Grads};
use crate::{Result, Tensor};

/// Wraps an op's forward value and records it with its backward rule when a
/// tape is recording (and the value is differentiable).
#[inline]
pub(crate) fn out(
    value: candle_core::Tensor,
    inputs: &[&Tensor],
    backward: impl Fn(&Ctx) -> Result<Grads> + 'static,
) -> Tensor {
    let t = Tensor::from_candle(value);
    if tape::is_recording() && t.value.dtype().is_float() {
        tape::record(inputs, &t, backward);
    }
    t
}
