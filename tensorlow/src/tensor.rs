//! The `Tensor` type: an immutable n-dimensional array on a device.
//!
//! A `Tensor` is a candle tensor plus a unique id the gradient tapes use to
//! recognise it. Cloning is cheap (the data is reference-counted, never
//! copied). Ops live in [`crate::ops`] and [`crate::nn`] as methods and
//! functions; every one returns a [`Result`].
//!
//! ```
//! use tensorlow::Tensor;
//! # fn main() -> tensorlow::Result<()> {
//! let a = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
//! let b = (&a * 2.0)?;
//! assert_eq!(b.to_vec2::<f32>()?, vec![vec![2.0, 4.0], vec![6.0, 8.0]]);
//! # Ok(()) }
//! ```

use crate::limits::{check_alloc, check_alloc_on};
use crate::{DType, Device, Element, Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub(crate) fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// An n-dimensional array of one [`DType`] on one [`Device`].
#[derive(Clone)]
pub struct Tensor {
    pub(crate) value: candle_core::Tensor,
    pub(crate) id: u64,
    /// Set on a trainable variable's tensor: tapes watch it when read.
    pub(crate) auto_watch: bool,
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tensor(shape={:?}, dtype={}, device={})",
            self.shape(),
            self.dtype(),
            self.device()
        )?;
        if self.elem_count() <= 64 {
            write!(f, "\n{}", self.value)?;
        }
        Ok(())
    }
}

impl AsRef<Tensor> for Tensor {
    fn as_ref(&self) -> &Tensor {
        self
    }
}

impl std::fmt::Display for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value)
    }
}

pub(crate) fn check_len(len: usize, shape: &[usize]) -> Result<()> {
    let n = crate::limits::checked_elem_count("tensor", shape)?;
    if n != len {
        return Err(Error::shape(
            "tensor",
            format!("{len} values cannot fill shape {shape:?} ({n} elements); pass a shape whose product is {len}"),
        ));
    }
    Ok(())
}

impl Tensor {
    /// Wraps a candle tensor (interop escape hatch; the result is a new,
    /// untracked tensor).
    pub fn from_candle(value: candle_core::Tensor) -> Self {
        crate::init_threads();
        Tensor {
            value,
            id: next_id(),
            auto_watch: false,
        }
    }

    /// The underlying candle tensor (interop escape hatch: ops done on it are
    /// not recorded by any tape).
    pub fn as_candle(&self) -> &candle_core::Tensor {
        &self.value
    }

    /// A tensor on the CPU from a slice and a shape (`tf.constant`).
    pub fn new<T: Element>(data: &[T], shape: &[usize]) -> Result<Self> {
        Self::from_slice(data, shape, &Device::cpu())
    }

    /// A tensor from a slice, a shape and a device.
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize], device: &Device) -> Result<Self> {
        check_len(data.len(), shape)?;
        Ok(Self::from_candle(candle_core::Tensor::from_slice(
            data, shape, &device.0,
        )?))
    }

    /// A tensor that takes ownership of `data`.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize], device: &Device) -> Result<Self> {
        check_len(data.len(), shape)?;
        Ok(Self::from_candle(candle_core::Tensor::from_vec(
            data, shape, &device.0,
        )?))
    }

    /// A rank-0 tensor on the CPU.
    pub fn scalar<T: Element>(v: T) -> Self {
        Self::from_candle(candle_core::Tensor::new(v, &candle_core::Device::Cpu).expect("a scalar always fits"))
    }

    /// A rank-0 tensor of `dtype` on `device`.
    pub fn full_scalar(v: f64, dtype: DType, device: &Device) -> Result<Self> {
        Self::fill(&[], v, dtype, device)
    }

    /// All zeros.
    pub fn zeros(shape: &[usize], dtype: DType, device: &Device) -> Result<Self> {
        check_alloc_on("zeros", shape, dtype, &device.0)?;
        Ok(Self::from_candle(candle_core::Tensor::zeros(
            shape,
            dtype.to_candle(),
            &device.0,
        )?))
    }

    /// All ones.
    pub fn ones(shape: &[usize], dtype: DType, device: &Device) -> Result<Self> {
        check_alloc_on("ones", shape, dtype, &device.0)?;
        Ok(Self::from_candle(candle_core::Tensor::ones(
            shape,
            dtype.to_candle(),
            &device.0,
        )?))
    }

    /// Every element equal to `value` (`tf.fill`).
    pub fn fill(shape: &[usize], value: f64, dtype: DType, device: &Device) -> Result<Self> {
        // Made as float64, then cast.
        check_alloc_on("fill", shape, dtype, &device.0)?;
        check_alloc_on("fill", shape, DType::F64, &device.0)?;
        let t = candle_core::Tensor::full(value, shape, &device.0)?.to_dtype(dtype.to_candle())?;
        Ok(Self::from_candle(t))
    }

    /// The `n x n` identity matrix (`tf.eye`).
    pub fn eye(n: usize, dtype: DType, device: &Device) -> Result<Self> {
        check_alloc_on("eye", &[n, n], dtype, &device.0)?;
        Ok(Self::from_candle(candle_core::Tensor::eye(
            n,
            dtype.to_candle(),
            &device.0,
        )?))
    }

    /// `start, start+delta, ...` up to but excluding `limit` (`tf.range`).
    pub fn range(start: f64, limit: f64, delta: f64, dtype: DType, device: &Device) -> Result<Self> {
        if delta == 0.0 || !delta.is_finite() {
            return Err(Error::arg(format!(
                "range: delta must be finite and non-zero, got {delta}"
            )));
        }
        // NaN bounds give no elements; an infinite or huge count saturates
        // and is refused by the size check.
        let n = ((limit - start) / delta).ceil().max(0.0) as usize;
        check_alloc("range", &[n], DType::F64)?;
        check_alloc_on("range", &[n], dtype, &device.0)?;
        let v: Vec<f64> = (0..n).map(|i| start + i as f64 * delta).collect();
        Self::from_vec(v, &[n], device)?.cast(dtype)
    }

    /// `num` evenly spaced values from `start` to `stop` inclusive (`tf.linspace`).
    pub fn linspace(start: f64, stop: f64, num: usize, dtype: DType, device: &Device) -> Result<Self> {
        check_alloc("linspace", &[num], DType::F64)?;
        check_alloc_on("linspace", &[num], dtype, &device.0)?;
        let v: Vec<f64> = match num {
            0 => vec![],
            1 => vec![start],
            _ => (0..num)
                .map(|i| start + (stop - start) * i as f64 / (num - 1) as f64)
                .collect(),
        };
        Self::from_vec(v, &[num], device)?.cast(dtype)
    }

    /// Zeros with this tensor's shape, dtype and device.
    pub fn zeros_like(&self) -> Result<Self> {
        Ok(Self::from_candle(self.value.zeros_like()?))
    }

    /// Ones with this tensor's shape, dtype and device.
    pub fn ones_like(&self) -> Result<Self> {
        Ok(Self::from_candle(self.value.ones_like()?))
    }

    /// A scalar `v` with this tensor's dtype and device.
    pub fn scalar_like(&self, v: f64) -> Result<Self> {
        Self::fill(&[], v, self.dtype(), &self.device())
    }

    /// A flat one-hot seed shaped like `like`, 1 at flat position `i`.
    pub(crate) fn one_hot_flat(i: usize, like: &Tensor) -> Result<Self> {
        let mut v = vec![0f64; like.elem_count()];
        v[i] = 1.0;
        Self::from_vec(v, like.shape(), &like.device())?.cast(like.dtype())
    }

    /// The dimensions.
    pub fn shape(&self) -> &[usize] {
        self.value.dims()
    }

    /// The number of dimensions.
    pub fn rank(&self) -> usize {
        self.value.rank()
    }

    /// The total number of elements.
    pub fn elem_count(&self) -> usize {
        self.value.elem_count()
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        DType::from_candle(self.value.dtype())
    }

    /// The device holding the data.
    pub fn device(&self) -> Device {
        Device(self.value.device().clone())
    }

    /// The id tapes know this tensor by.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Size of dimension `axis` (negative counts from the end).
    pub fn dim(&self, axis: isize) -> Result<usize> {
        Ok(self.shape()[self.axis(axis)?])
    }

    /// Resolves a possibly negative axis against this tensor's rank.
    pub fn axis(&self, axis: isize) -> Result<usize> {
        resolve_axis(axis, self.rank())
    }

    /// All elements, flattened in row-major order, converted to `T`.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let v = self.value.flatten_all()?.to_dtype(T::DTYPE)?;
        Ok(v.to_vec1::<T>()?)
    }

    /// A rank-2 tensor as rows.
    pub fn to_vec2<T: Element>(&self) -> Result<Vec<Vec<T>>> {
        if self.rank() != 2 {
            return Err(Error::shape(
                "to_vec2",
                format!("expects a rank-2 tensor, got shape {:?}", self.shape()),
            ));
        }
        Ok(self.value.to_dtype(T::DTYPE)?.to_vec2::<T>()?)
    }

    /// The single value of a tensor with one element.
    pub fn to_scalar<T: Element>(&self) -> Result<T> {
        if self.elem_count() != 1 {
            return Err(Error::shape(
                "to_scalar",
                format!("expects a tensor with one element, got shape {:?}", self.shape()),
            ));
        }
        let v = self.value.flatten_all()?.to_dtype(T::DTYPE)?;
        Ok(v.to_vec1::<T>()?[0])
    }

    /// Copies the tensor to `device` (a cheap clone when already there).
    pub fn to_device(&self, device: &Device) -> Result<Self> {
        if self.value.device().same_device(&device.0) {
            return Ok(self.clone());
        }
        Ok(Self::from_candle(self.value.to_device(&device.0)?))
    }

    /// Errors unless `other` lives on the same device.
    pub(crate) fn same_device(&self, other: &Tensor, op: &'static str) -> Result<()> {
        if self.value.device().same_device(other.value.device()) {
            Ok(())
        } else {
            Err(Error::Device(format!(
                "{op}: operands live on different devices ({} and {}); move one with to_device",
                self.device(),
                other.device()
            )))
        }
    }

    /// Errors unless both operands have the same dtype.
    pub(crate) fn same_dtype(&self, other: &Tensor, op: &'static str) -> Result<()> {
        if self.value.dtype() == other.value.dtype() {
            Ok(())
        } else {
            Err(Error::DType {
                op,
                msg: format!(
                    "operands have different dtypes ({} and {}); cast one with .cast()",
                    self.dtype(),
                    other.dtype()
                ),
            })
        }
    }
}

/// Resolves a possibly negative axis for a given rank.
pub(crate) fn resolve_axis(axis: isize, rank: usize) -> Result<usize> {
    let a = if axis < 0 { axis + rank as isize } else { axis };
    if a < 0 || a as usize >= rank.max(1) && !(rank == 0 && a == 0) {
        return Err(Error::arg(format!(
            "axis {axis} is out of range for a tensor of rank {rank} (valid: {} to {})",
            -(rank as isize),
            rank as isize - 1
        )));
    }
    Ok(a as usize)
}
