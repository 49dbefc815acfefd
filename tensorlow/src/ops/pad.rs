//! Constant padding (`tf.pad` with `mode="CONSTANT"`): the zero padding of
//! Keras' `ZeroPadding1D/2D/3D` and the left padding of a causal
//! convolution. (Cropping is [`Tensor::narrow`] / [`Tensor::slice`].)
//!
//! ```
//! use tensorlow::Tensor;
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
//! let y = x.pad(&[(1, 0), (0, 2)], 0.0)?;
//! assert_eq!(y.shape(), &[3, 4]);
//! assert_eq!(y.to_vec::<f32>()?, vec![0., 0., 0., 0., 1., 2., 0., 0., 3., 4., 0., 0.]);
//! # Ok(()) }
//! ```

use super::out;
use crate::{Error, Result, Tensor};
use candle_core::Tensor as Ct;

impl Tensor {
    /// Pads each dimension `i` with `paddings[i] = (before, after)` entries
    /// of `value` (`tf.pad(x, paddings, constant_values=value)`).
    /// `paddings` has one pair per dimension. The gradient is the slice of
    /// the incoming gradient over the original entries.
    pub fn pad(&self, paddings: &[(usize, usize)], value: f64) -> Result<Tensor> {
        if paddings.len() != self.rank() {
            return Err(Error::shape(
                "pad",
                format!(
                    "paddings {paddings:?} must have one (before, after) pair per dimension of shape {:?}",
                    self.shape()
                ),
            ));
        }
        let mut padded = Vec::with_capacity(self.rank());
        for (&d, &(b, a)) in self.shape().iter().zip(paddings) {
            let p = d.checked_add(b).and_then(|v| v.checked_add(a)).ok_or_else(|| {
                Error::shape(
                    "pad",
                    format!("padding shape {:?} by {paddings:?} overflows", self.shape()),
                )
            })?;
            padded.push(p);
        }
        crate::limits::check_alloc_on("pad", &padded, self.dtype(), self.value.device())?;
        let mut v = self.value.clone();
        for (dim, &(before, after)) in paddings.iter().enumerate() {
            if before + after == 0 {
                continue;
            }
            if value == 0.0 {
                v = v.pad_with_zeros(dim, before, after)?;
                continue;
            }
            let mut dims = v.dims().to_vec();
            let mut parts = Vec::with_capacity(3);
            if before > 0 {
                dims[dim] = before;
                parts.push(Ct::full(value, dims.as_slice(), v.device())?.to_dtype(v.dtype())?);
            }
            parts.push(v.clone());
            if after > 0 {
                dims[dim] = after;
                parts.push(Ct::full(value, dims.as_slice(), v.device())?.to_dtype(v.dtype())?);
            }
            v = Ct::cat(&parts, dim)?;
        }
        let (shape, paddings) = (self.shape().to_vec(), paddings.to_vec());
        Ok(out(v, &[self], move |c| {
            let mut g = c.grad.clone();
            for (dim, (&(before, _), &len)) in paddings.iter().zip(&shape).enumerate() {
                g = g.narrow(dim as isize, before, len)?;
            }
            Ok(vec![Some(g)])
        }))
    }
}
