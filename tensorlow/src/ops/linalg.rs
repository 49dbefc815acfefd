//! Matrix multiplication, 2-D and batched, with transpose flags.
//!
//! ```
//! use tensorlow::Tensor;
//! # fn main() -> tensorlow::Result<()> {
//! let a = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
//! let i = Tensor::new(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2])?;
//! assert_eq!(a.matmul(&i)?.to_vec::<f32>()?, vec![1.0, 2.0, 3.0, 4.0]);
//! let err = a.matmul(&Tensor::new(&[1.0f32; 3], &[3, 1])?).unwrap_err();
//! assert!(err.to_string().contains("[2, 2]") && err.to_string().contains("[3, 1]"));
//! # Ok(()) }
//! ```

use super::out;
use crate::cpu::gemm::matmul_2d;
use crate::{Error, Result, Tensor};

impl Tensor {
    /// `self @ other` (`tf.linalg.matmul`): rank >= 2, batch dimensions
    /// broadcast.
    pub fn matmul(&self, other: &Tensor) -> Result<Tensor> {
        matmul(self, other)
    }

    /// `op(self) @ op(other)` where `op` transposes the last two dimensions
    /// when its flag is set (`transpose_a`, `transpose_b`). Transposes are
    /// views, not copies.
    pub fn matmul_t(&self, other: &Tensor, transpose_a: bool, transpose_b: bool) -> Result<Tensor> {
        let a = if transpose_a {
            self.matrix_transpose()?
        } else {
            self.clone()
        };
        let b = if transpose_b {
            other.matrix_transpose()?
        } else {
            other.clone()
        };
        matmul(&a, &b).map_err(|e| match e {
            // Name the shapes the caller passed, with the flags, not the transposed views.
            Error::Shape { op, msg } if transpose_a || transpose_b => Error::Shape {
                op,
                msg: format!(
                    "{msg} (given shapes {:?} and {:?} with transpose_a={transpose_a}, transpose_b={transpose_b})",
                    self.shape(),
                    other.shape()
                ),
            },
            e => e,
        })
    }
}

fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (sa, sb) = (a.shape(), b.shape());
    if sa.len() < 2 || sb.len() < 2 {
        return Err(Error::shape(
            "matmul",
            format!("needs tensors of rank >= 2, got shapes {sa:?} and {sb:?}; use expand_dims on a vector"),
        ));
    }
    let (k1, k2) = (sa[sa.len() - 1], sb[sb.len() - 2]);
    if k1 != k2 {
        return Err(Error::shape(
            "matmul",
            format!("cannot multiply shapes {sa:?} and {sb:?}: inner dimensions {k1} and {k2} differ"),
        ));
    }
    let (ba, bb) = (&sa[..sa.len() - 2], &sb[..sb.len() - 2]);
    if super::arith::broadcast_shape("matmul", ba, bb).is_err() {
        return Err(Error::shape(
            "matmul",
            format!("cannot multiply shapes {sa:?} and {sb:?}: batch dimensions {ba:?} and {bb:?} do not broadcast"),
        ));
    }
    a.same_dtype(b, "matmul")?;
    a.same_device(b, "matmul")?;
    let mut out_shape = super::arith::broadcast_shape("matmul", ba, bb)?;
    out_shape.extend([sa[sa.len() - 2], sb[sb.len() - 1]]);
    crate::limits::check_alloc_on("matmul", &out_shape, a.dtype(), a.value.device())?;
    let v = if sa[..sa.len() - 2] == sb[..sb.len() - 2] {
        same_batch_matmul(&a.value, &b.value)?
    } else {
        a.value.broadcast_matmul(&b.value)?
    };
    Ok(out(v, &[a, b], |c| {
        let (x, y, g) = (c.x(), c.y(), c.grad);
        let gx = if c.need(0) {
            Some(g.matmul_t(y, false, true)?.sum_to(x.shape())?)
        } else {
            None
        };
        let gy = if c.need(1) {
            Some(x.matmul_t(g, true, false)?.sum_to(y.shape())?)
        } else {
            None
        };
        Ok(vec![gx, gy])
    }))
}

/// candle's matmul for operands with equal batch dimensions, guarded against
/// layouts candle 0.11 mishandles. Views reach here all the time (transposes
/// from `matmul_t`, broadcasts from gradients of broadcasting ops):
/// - when the rhs repeats one matrix over the batch (a zero batch stride),
///   candle's CPU kernel stacks the lhs batches into the rows of one matrix,
///   which is only right for a row-major lhs: a transposed lhs gave wrong
///   numbers (found by the second-order gradient check of a broadcast matmul);
/// - batch dimensions that are not laid out in order are refused outright.
fn same_batch_matmul(a: &candle_core::Tensor, b: &candle_core::Tensor) -> Result<candle_core::Tensor> {
    if let Some(v) = matmul_2d(a, b)? {
        return Ok(v);
    }
    let r = b.rank();
    let rhs_repeats = b.stride()[..r - 2].contains(&0);
    let a = if rhs_repeats && !a.is_contiguous() {
        a.contiguous()?
    } else {
        a.clone()
    };
    match a.matmul(b) {
        Ok(v) => Ok(v),
        Err(_) => Ok(a.contiguous()?.matmul(&b.contiguous()?)?),
    }
}
