//! Indexing, selection, comparison and type ops: gather, one_hot, where,
//! comparisons, clip_by_value, cast, stop_gradient.
//!
//! Comparisons return `uint8` masks (1 = true), TensorFlow's `bool`.
//!
//! ```
//! use tensorlow::{DType, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let labels = Tensor::new(&[2u32, 0], &[2])?;
//! let oh = labels.one_hot(3, DType::F32)?;
//! assert_eq!(oh.to_vec::<f32>()?, vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
//! let x = Tensor::new(&[-2.0f32, 0.5, 3.0], &[3])?;
//! assert_eq!(x.clip_by_value(-1.0, 1.0)?.to_vec::<f32>()?, vec![-1.0, 0.5, 1.0]);
//! # Ok(()) }
//! ```

use super::{arith::broadcast_shape, out};
use crate::{DType, Error, Result, Tensor};

fn check_index_dtype(op: &'static str, t: &Tensor) -> Result<()> {
    match t.dtype() {
        DType::U8 | DType::U32 | DType::I32 | DType::I64 => Ok(()),
        d => Err(Error::DType {
            op,
            msg: format!("indices must be an integer tensor (uint8, uint32, int32 or int64), got {d}; cast them first"),
        }),
    }
}

/// The first index of `idx` outside `0..n`, read where a CPU tensor lies
/// (no copy for contiguous indices); `None` when all are in range. Only for
/// CPU tensors: on a GPU this would be a host round-trip per call.
pub(crate) fn first_out_of_range(idx: &candle_core::Tensor, n: usize) -> Result<Option<i64>> {
    use candle_core::{CpuStorage, Storage};
    let idx = idx.flatten_all()?.contiguous()?;
    let (storage, layout) = idx.storage_and_layout();
    let Some((lo, hi)) = layout.contiguous_offsets() else {
        return Ok(None);
    };
    let n = n as i64;
    let bad = |v: i64| v < 0 || v >= n;
    Ok(match &*storage {
        Storage::Cpu(CpuStorage::U8(v)) => v[lo..hi].iter().map(|&i| i as i64).find(|&i| bad(i)),
        Storage::Cpu(CpuStorage::U32(v)) => v[lo..hi].iter().map(|&i| i as i64).find(|&i| bad(i)),
        Storage::Cpu(CpuStorage::I32(v)) => v[lo..hi].iter().map(|&i| i as i64).find(|&i| bad(i)),
        Storage::Cpu(CpuStorage::I64(v)) => v[lo..hi].iter().copied().find(|&i| bad(i)),
        _ => None,
    })
}

/// Indices in a type candle's index kernels take: int32 becomes int64
/// (candle 0.11 selects by uint8, uint32 and int64 only).
fn candle_indices(idx: &candle_core::Tensor) -> Result<candle_core::Tensor> {
    Ok(match idx.dtype() {
        candle_core::DType::I32 => idx.to_dtype(candle_core::DType::I64)?,
        _ => idx.clone(),
    })
}

/// A uint8 mask of the indices inside `0..n`, computed on the indices'
/// device, and the indices as int64.
pub(crate) fn in_range_mask(idx: &candle_core::Tensor, n: usize) -> Result<(candle_core::Tensor, candle_core::Tensor)> {
    let i = idx.to_dtype(candle_core::DType::I64)?;
    let ok = i.ge(0i64)?.mul(&i.lt(n as i64)?)?;
    Ok((ok, i))
}

/// Off the CPU, TensorFlow's GPU rule for gather: an out-of-range index
/// gives a zero row instead of an error, decided on the device (no host
/// round-trip in a training step). candle's kernels write zeros for the
/// index type's maximum value (and skip it in the gradient's index_add),
/// so out-of-range indices become `i64::MAX`.
fn out_of_range_to_zero_rows(flat: &candle_core::Tensor, n: usize) -> Result<candle_core::Tensor> {
    let (ok, i) = in_range_mask(flat, n)?;
    let sentinel = candle_core::Tensor::full(i64::MAX, i.shape(), i.device())?;
    Ok(ok.where_cond(&i, &sentinel)?)
}

macro_rules! comparison {
    ($(#[$doc:meta])* $name:ident, $cmp:ident) => {
        $(#[$doc])*
        pub fn $name(&self, other: &Tensor) -> Result<Tensor> {
            self.same_dtype(other, stringify!($name))?;
            self.same_device(other, stringify!($name))?;
            let s = broadcast_shape(stringify!($name), self.shape(), other.shape())?;
            crate::limits::check_alloc_on(stringify!($name), &s, DType::U8, self.value.device())?;
            let v = self.value.broadcast_as(s.as_slice())?.$cmp(&other.value.broadcast_as(s.as_slice())?)?;
            Ok(Tensor::from_candle(v))
        }
    };
}

impl Tensor {
    comparison!(
        /// `self == other` element-wise, broadcasting (a `uint8` mask).
        equal, eq
    );
    comparison!(
        /// `self != other` element-wise, broadcasting.
        not_equal, ne
    );
    comparison!(
        /// `self > other` element-wise, broadcasting.
        greater, gt
    );
    comparison!(
        /// `self >= other` element-wise, broadcasting.
        greater_equal, ge
    );
    comparison!(
        /// `self < other` element-wise, broadcasting.
        less, lt
    );
    comparison!(
        /// `self <= other` element-wise, broadcasting.
        less_equal, le
    );

    /// The same values, never differentiated through (`tf.stop_gradient`).
    pub fn stop_gradient(&self) -> Tensor {
        Tensor::from_candle(self.value.clone())
    }

    /// Converts to `dtype` (`tf.cast`); differentiable between float types.
    pub fn cast(&self, dtype: DType) -> Result<Tensor> {
        if self.dtype() == dtype {
            return Ok(self.clone());
        }
        let from = self.dtype();
        let v = self.value.to_dtype(dtype.to_candle())?;
        if !from.is_float() {
            return Ok(Tensor::from_candle(v));
        }
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.grad.cast(from)?)])))
    }

    /// `where(self, on_true, on_false)` with `self` a mask (non-zero = true),
    /// all three broadcast together (`tf.where`).
    pub fn select(&self, on_true: &Tensor, on_false: &Tensor) -> Result<Tensor> {
        on_true.same_dtype(on_false, "where")?;
        let s = broadcast_shape("where", self.shape(), on_true.shape())?;
        let s = broadcast_shape("where", &s, on_false.shape())?;
        crate::limits::check_alloc_on("where", &s, on_true.dtype(), on_true.value.device())?;
        let mask = self.value.broadcast_as(s.as_slice())?;
        let v = mask.where_cond(
            &on_true.value.broadcast_as(s.as_slice())?,
            &on_false.value.broadcast_as(s.as_slice())?,
        )?;
        let m = Tensor::from_candle(mask.ne(0f64)?.to_dtype(on_true.value.dtype())?);
        Ok(out(v, &[on_true, on_false], move |c| {
            let gt = c.grad.mul(&m)?;
            let gf = c.grad.sub(&gt)?;
            Ok(vec![Some(gt.sum_to(c.x().shape())?), Some(gf.sum_to(c.y().shape())?)])
        }))
    }

    /// Clamps to `[lo, hi]` (`tf.clip_by_value`); the gradient passes where
    /// the value was not clipped. NaN stays NaN.
    pub fn clip_by_value(&self, lo: f64, hi: f64) -> Result<Tensor> {
        if lo > hi {
            return Err(Error::arg(format!(
                "clip_by_value: lo ({lo}) must not exceed hi ({hi})"
            )));
        }
        let x = &self.value;
        let mut v = x.clamp(lo, hi)?;
        // NaN stays NaN (TensorFlow clips with NaN-propagating minimum and
        // maximum). candle's CPU clamp keeps it; its CUDA one does not.
        if !x.device().is_cpu() && x.dtype().is_float() {
            v = x.ne(x)?.where_cond(x, &v)?;
        }
        Ok(out(v, &[self], move |c| {
            let x = &c.x().value;
            let m = x.ge(lo)?.mul(&x.le(hi)?)?.to_dtype(x.dtype())?;
            Ok(vec![Some(c.grad.mul(&Tensor::from_candle(m))?)])
        }))
    }

    /// One-hot encoding of integer indices along a new last axis of size
    /// `depth` (`tf.one_hot`); out-of-range indices give all-zero rows.
    pub fn one_hot(&self, depth: usize, dtype: DType) -> Result<Tensor> {
        check_index_dtype("one_hot", self)?;
        let mut shape = self.shape().to_vec();
        shape.push(depth);
        // The i64 range, the broadcast comparison's mask and the result.
        let dev = self.value.device();
        crate::limits::check_alloc_on("one_hot", &[depth], DType::I64, dev)?;
        crate::limits::check_alloc_on("one_hot", &shape, DType::U8, dev)?;
        crate::limits::check_alloc_on("one_hot", &shape, dtype, dev)?;
        let idx = self.value.to_dtype(candle_core::DType::I64)?.unsqueeze(self.rank())?;
        let range = candle_core::Tensor::arange(0i64, depth as i64, self.value.device())?;
        let v = idx
            .broadcast_as(shape.as_slice())?
            .eq(&range.broadcast_as(shape.as_slice())?)?;
        Ok(Tensor::from_candle(v.to_dtype(dtype.to_candle())?))
    }

    /// Rows (slices along `axis`) picked by `indices` (`tf.gather`): the
    /// result's shape is `shape[..axis] ++ indices.shape ++ shape[axis+1..]`.
    ///
    /// As in TensorFlow, an index outside `0..shape[axis]` is an error on
    /// the CPU and gives a row of zeros on a GPU (checking there would cost
    /// a device-to-host copy on every call).
    pub fn gather(&self, indices: &Tensor, axis: isize) -> Result<Tensor> {
        check_index_dtype("gather", indices)?;
        let a = self.axis(axis)?;
        let n = self.shape()[a];
        let mut flat = candle_indices(&indices.value.flatten_all()?)?;
        if flat.device().is_cpu() {
            // TensorFlow's CPU rule: an error. Negative indices are out of
            // range too (no wrapping).
            if let Some(bad) = first_out_of_range(&flat, n)? {
                return Err(Error::arg(format!(
                    "gather: index {bad} is out of range for axis {a} of size {n} (shape {:?})",
                    self.shape()
                )));
            }
        } else {
            flat = out_of_range_to_zero_rows(&flat, n)?;
        }
        let mut shape = self.shape()[..a].to_vec();
        shape.extend_from_slice(indices.shape());
        shape.extend_from_slice(&self.shape()[a + 1..]);
        crate::limits::check_alloc_on("gather", &shape, self.dtype(), self.value.device())?;
        // candle's index_select needs a contiguous source; a transposed or
        // permuted view is made contiguous first.
        let v = if self.value.is_contiguous() {
            self.value.index_select(&flat, a)?
        } else {
            self.value.contiguous()?.index_select(&flat, a)?
        };
        let v = v.reshape(shape)?;
        let idx = Tensor::from_candle(flat);
        Ok(out(v, &[self], move |c| {
            let mut gs = c.x().shape().to_vec();
            gs[a] = idx.elem_count();
            let g = c.grad.reshape(&gs)?;
            Ok(vec![Some(g.index_add_into(&idx, a, n)?)])
        }))
    }

    /// Adds the slices of `self` along `axis` into a zero tensor whose
    /// `axis` has size `size`, at positions `idx` (the adjoint of gather).
    fn index_add_into(&self, idx: &Tensor, axis: usize, size: usize) -> Result<Tensor> {
        let mut shape = self.shape().to_vec();
        shape[axis] = size;
        let z = candle_core::Tensor::zeros(shape, self.value.dtype(), self.value.device())?;
        // candle's index_add needs a contiguous source; a gradient arriving
        // from a reduction is a broadcast view.
        let src = if self.value.is_contiguous() {
            self.value.clone()
        } else {
            self.value.contiguous()?
        };
        let v = z.index_add(&idx.value, &src, axis)?;
        let idx = idx.clone();
        Ok(out(v, &[self], move |c| {
            Ok(vec![Some(c.grad.gather(&idx, axis as isize)?)])
        }))
    }

    /// Values picked along `axis` by an index tensor of the same rank
    /// (NumPy's `take_along_axis`).
    pub fn take_along_axis(&self, indices: &Tensor, axis: isize) -> Result<Tensor> {
        check_index_dtype("take_along_axis", indices)?;
        let a = self.axis(axis)?;
        if indices.rank() != self.rank() {
            return Err(Error::shape(
                "take_along_axis",
                format!(
                    "indices of shape {:?} must have the rank of the tensor {:?}",
                    indices.shape(),
                    self.shape()
                ),
            ));
        }
        let idx = candle_indices(&indices.value)?.contiguous()?;
        if idx.device().is_cpu() {
            // As gather: an index outside the axis is an error on the CPU,
            // named as given (negative ones are not wrapped).
            let n = self.shape()[a];
            if let Some(bad) = first_out_of_range(&idx, n)? {
                return Err(Error::arg(format!(
                    "take_along_axis: index {bad} is out of range for axis {a} of size {n} (shape {:?})",
                    self.shape()
                )));
            }
        }
        let v = self.value.contiguous()?.gather(&idx, a)?;
        let idx = Tensor::from_candle(idx);
        Ok(out(v, &[self], move |c| {
            let z = candle_core::Tensor::zeros(c.x().shape(), c.grad.value.dtype(), c.grad.value.device())?;
            let v = z.scatter_add(&idx.value, &c.grad.value.contiguous()?, a)?;
            let idx2 = idx.clone();
            let g = c.grad;
            // Differentiable scatter: its own adjoint is take_along_axis again.
            Ok(vec![Some(out(v, &[g], move |c2| {
                Ok(vec![Some(c2.grad.take_along_axis(&idx2, a as isize)?)])
            }))])
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_scan_finds_the_first_bad_index_of_each_index_dtype() -> Result<()> {
        let dev = candle_core::Device::Cpu;
        let u = candle_core::Tensor::new(&[0u32, 3, 5, 9], &dev)?;
        assert_eq!(first_out_of_range(&u, 5)?, Some(5));
        assert_eq!(first_out_of_range(&u, 10)?, None);
        let i = candle_core::Tensor::new(&[[1i64, -1], [7, 2]], &dev)?;
        assert_eq!(first_out_of_range(&i, 3)?, Some(-1));
        // A strided view is scanned in its logical order.
        assert_eq!(first_out_of_range(&i.t()?, 3)?, Some(7));
        let b = candle_core::Tensor::new(&[255u8], &dev)?;
        assert_eq!(first_out_of_range(&b, 255)?, Some(255));
        Ok(())
    }

    #[test]
    fn the_gpu_rule_gives_zero_rows_for_out_of_range_indices() -> Result<()> {
        // The device-side path, exercised on the CPU (candle's CPU kernel
        // honours the same sentinel): rows for -1 and 3 are zeros.
        let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2])?;
        let idx = candle_core::Tensor::new(&[2i64, -1, 3, 0], &candle_core::Device::Cpu)?;
        let safe = out_of_range_to_zero_rows(&idx, 3)?;
        let rows = x.value.index_select(&safe, 0)?.flatten_all()?.to_vec1::<f32>()?;
        assert_eq!(rows, vec![5.0, 6.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0]);
        Ok(())
    }

    #[test]
    fn gather_reads_a_transposed_view_in_its_logical_order() -> Result<()> {
        // x = [[1, 2, 3], [4, 5, 6]]; x^T = [[1, 4], [2, 5], [3, 6]] is a
        // strided view, which candle's index_select refuses.
        let xt = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?.transpose()?;
        let idx = Tensor::new(&[2i64, 0], &[2])?;
        assert_eq!(xt.gather(&idx, 0)?.to_vec::<f32>()?, vec![3.0, 6.0, 1.0, 4.0]);
        let swap = Tensor::new(&[1i64, 0], &[2])?;
        assert_eq!(
            xt.gather(&swap, 1)?.to_vec::<f32>()?,
            vec![4.0, 1.0, 5.0, 2.0, 6.0, 3.0]
        );
        Ok(())
    }
}
