//! Reductions over any set of axes, with `keepdims`.
//!
//! `axes` are possibly negative; an **empty slice reduces over all axes**
//! (TensorFlow's `axis=None`).
//!
//! ```
//! use tensorlow::Tensor;
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
//! assert_eq!(x.sum(&[0], false)?.to_vec::<f32>()?, vec![4.0, 6.0]);
//! assert_eq!(x.mean(&[1], true)?.shape(), &[2, 1]);
//! assert_eq!(x.max(&[], false)?.to_scalar::<f32>()?, 4.0);
//! # Ok(()) }
//! ```

use super::out;
use crate::{DType, Error, Result, Tensor};

/// candle's sum with keepdims over sorted `axes`. A sum over leading axes
/// of a contiguous tensor (the bias gradient, a batch mean) is done as a
/// `ones @ x` matmul: candle's strided reduction over a non-last axis is
/// several times slower than its GEMM on the CPU.
pub(crate) fn sum_axes(x: &candle_core::Tensor, axes: &[usize]) -> Result<candle_core::Tensor> {
    let k = axes.len();
    let leading = k > 0 && k < x.rank() && axes.iter().enumerate().all(|(i, &a)| i == a);
    // Below a few thousand elements a GEMM call costs more than it saves.
    if leading && x.elem_count() >= 4096 && x.is_contiguous() && x.device().is_cpu() && x.dtype().is_float() {
        let b: usize = x.dims()[..k].iter().product();
        let n = x.elem_count() / b.max(1);
        if b > 1 && n > 0 {
            let ones = candle_core::Tensor::ones((1, b), x.dtype(), x.device())?;
            let mut kept = x.dims().to_vec();
            for d in kept.iter_mut().take(k) {
                *d = 1;
            }
            return Ok(ones.matmul(&x.reshape((b, n))?)?.reshape(kept)?);
        }
    }
    Ok(x.sum_keepdim(axes.to_vec())?)
}

impl Tensor {
    /// Resolves `axes` (empty = all), sorted and deduplicated.
    pub(crate) fn axes(&self, axes: &[isize]) -> Result<Vec<usize>> {
        if axes.is_empty() {
            return Ok((0..self.rank()).collect());
        }
        let mut v = axes.iter().map(|&a| self.axis(a)).collect::<Result<Vec<_>>>()?;
        v.sort_unstable();
        v.dedup();
        Ok(v)
    }

    /// The shape after reducing `axes` with keepdims.
    fn kept_shape(&self, axes: &[usize]) -> Vec<usize> {
        let mut s = self.shape().to_vec();
        for &a in axes {
            s[a] = 1;
        }
        s
    }

    /// The final shape of a reduction.
    fn reduced_shape(&self, axes: &[usize], keepdims: bool) -> Vec<usize> {
        let kept = self.kept_shape(axes);
        if keepdims {
            kept
        } else {
            kept.iter()
                .enumerate()
                .filter(|(i, _)| !axes.contains(i))
                .map(|(_, &d)| d)
                .collect()
        }
    }

    /// Reshapes a reduced gradient back to keepdims form and broadcasts it
    /// over the input's shape.
    fn unreduce(&self, g: &Tensor, axes: &[usize]) -> Result<Tensor> {
        g.reshape(&self.kept_shape(axes))?.broadcast_to(self.shape())
    }

    /// Sum over `axes` (`tf.reduce_sum`).
    pub fn sum(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let ax = self.axes(axes)?;
        let v = sum_axes(&self.value, &ax)?.reshape(self.reduced_shape(&ax, keepdims))?;
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.x().unreduce(c.grad, &ax)?)])))
    }

    /// Sum of all elements, as a scalar.
    pub fn sum_all(&self) -> Result<Tensor> {
        self.sum(&[], false)
    }

    /// Mean over `axes` (`tf.reduce_mean`).
    pub fn mean(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let ax = self.axes(axes)?;
        let n: usize = ax.iter().map(|&a| self.shape()[a]).product();
        if n == 0 {
            return Err(Error::shape(
                "mean",
                format!("cannot average over an empty axis of shape {:?}", self.shape()),
            ));
        }
        self.sum(axes, keepdims)?.affine(1.0 / n as f64, 0.0)
    }

    /// Mean of all elements, as a scalar.
    pub fn mean_all(&self) -> Result<Tensor> {
        self.mean(&[], false)
    }

    fn extremum(&self, axes: &[isize], keepdims: bool, is_max: bool) -> Result<Tensor> {
        let ax = self.axes(axes)?;
        if self.elem_count() == 0 {
            return Err(Error::shape("max/min", "cannot reduce an empty tensor"));
        }
        let mut v = self.value.clone();
        for &a in &ax {
            v = if is_max { v.max_keepdim(a)? } else { v.min_keepdim(a)? };
        }
        if self.dtype().is_float() {
            // NaN wherever the reduced slice holds one, as TensorFlow's
            // reducers (`MaxReducer<PropagateNaN>`); candle's keep the
            // first element's NaN and skip the others.
            let x = &self.value;
            let mut any_nan = x.ne(x)?;
            for &a in &ax {
                any_nan = any_nan.max_keepdim(a)?;
            }
            let nan = candle_core::Tensor::full(f64::NAN, v.shape(), v.device())?.to_dtype(v.dtype())?;
            v = any_nan.where_cond(&nan, &v)?;
        }
        let v = v.reshape(self.reduced_shape(&ax, keepdims))?;
        Ok(out(v, &[self], move |c| {
            // The gradient is shared equally among tied extrema, as in TensorFlow.
            let x = c.x();
            let m = x.unreduce(&c.output.stop_gradient(), &ax)?;
            let mask = Tensor::from_candle(x.value.eq(&m.value)?.to_dtype(x.value.dtype())?);
            let count = mask.sum(&ax.iter().map(|&a| a as isize).collect::<Vec<_>>(), true)?;
            let g = x.unreduce(c.grad, &ax)?;
            Ok(vec![Some(g.mul(&mask)?.div(&count)?)])
        }))
    }

    /// Maximum over `axes` (`tf.reduce_max`); NaN where a reduced slice
    /// holds a NaN, as in TensorFlow.
    pub fn max(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        self.extremum(axes, keepdims, true)
    }

    /// Minimum over `axes` (`tf.reduce_min`); NaN where a reduced slice
    /// holds a NaN.
    pub fn min(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        self.extremum(axes, keepdims, false)
    }

    /// Product over `axes` (`tf.reduce_prod`). Its gradient `prod / x`
    /// assumes no element is exactly zero.
    pub fn prod(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let ax = self.axes(axes)?;
        // Product as exp(sum(log|x|)) with the sign tracked separately would
        // lose exactness on integers; multiply slices instead.
        let mut v = self.value.clone();
        for &a in ax.iter().rev() {
            let n = v.dim(a)?;
            let mut acc = v.narrow(a, 0, 1.min(n))?;
            if n == 0 {
                acc = v.sum_keepdim(a)?.ones_like()?;
            }
            for i in 1..n {
                acc = acc.mul(&v.narrow(a, i, 1)?)?;
            }
            v = acc;
        }
        let v = v.reshape(self.reduced_shape(&ax, keepdims))?;
        Ok(out(v, &[self], move |c| {
            let x = c.x();
            let p = x.unreduce(c.output, &ax)?;
            let g = x.unreduce(c.grad, &ax)?;
            Ok(vec![Some(g.mul(&p)?.div(x)?)])
        }))
    }

    /// `log(sum(exp(x)))` over `axes`, computed stably by subtracting the max.
    pub fn logsumexp(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let ax = self.axes(axes)?;
        let mut m = self.value.clone();
        for &a in &ax {
            m = m.max_keepdim(a)?;
        }
        // An all -inf slice would give inf - inf; TensorFlow returns -inf there.
        let m = m.abs()?.lt(f64::INFINITY)?.where_cond(&m, &m.zeros_like()?)?;
        let s = self
            .value
            .broadcast_sub(&m)?
            .exp()?
            .sum_keepdim(ax.clone())?
            .log()?
            .add(&m)?;
        let v = s.reshape(self.reduced_shape(&ax, keepdims))?;
        Ok(out(v, &[self], move |c| {
            let x = c.x();
            let lse = x.unreduce(c.output, &ax)?;
            let g = x.unreduce(c.grad, &ax)?;
            Ok(vec![Some(g.mul(&x.sub(&lse)?.exp()?)?)])
        }))
    }

    /// Population variance over `axes` (`tf.math.reduce_variance`).
    pub fn variance(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        let mu = self.mean(axes, true)?;
        self.sub(&mu)?.square()?.mean(axes, keepdims)
    }

    /// Population standard deviation over `axes`.
    pub fn std(&self, axes: &[isize], keepdims: bool) -> Result<Tensor> {
        self.variance(axes, keepdims)?.sqrt()
    }

    /// Index of the largest value along `axis`, as int64 (`tf.argmax`).
    pub fn argmax(&self, axis: isize) -> Result<Tensor> {
        let a = self.axis(axis)?;
        Ok(Tensor::from_candle(
            self.value.argmax(a)?.to_dtype(DType::I64.to_candle())?,
        ))
    }

    /// Index of the smallest value along `axis`, as int64 (`tf.argmin`).
    pub fn argmin(&self, axis: isize) -> Result<Tensor> {
        let a = self.axis(axis)?;
        Ok(Tensor::from_candle(
            self.value.argmin(a)?.to_dtype(DType::I64.to_candle())?,
        ))
    }
}
