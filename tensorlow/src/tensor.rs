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

/// An n-dimensional array of one [`DType`] on one [`Device`] (`tf.Tensor`).
///
/// Tensors are immutable: every op returns a new one, and a clone shares
/// the data. Every op returns a [`Result`], so a shape, dtype or device
/// mistake is an error naming the shapes, never a panic. The examples below
/// show each group of methods with the TensorFlow call it stands for.
///
/// # Creating tensors
/// ```
/// use tensorlow::{random, DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let cpu = Device::cpu();
/// let a = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?; // tf.constant([[1., 2.], [3., 4.]])
/// let z = Tensor::zeros(&[2, 3], DType::F32, &cpu)?;        // tf.zeros([2, 3])
/// let o = Tensor::ones(&[3], DType::F64, &cpu)?;            // tf.ones([3], tf.float64)
/// let f = Tensor::fill(&[2], 7.0, DType::F32, &cpu)?;       // tf.fill([2], 7.)
/// let e = Tensor::eye(2, DType::F32, &cpu)?;                // tf.eye(2)
/// let r = Tensor::range(0.0, 5.0, 2.0, DType::I64, &cpu)?;  // tf.range(0, 5, 2)
/// let l = Tensor::linspace(0.0, 1.0, 5, DType::F32, &cpu)?; // tf.linspace(0., 1., 5)
/// let s = Tensor::scalar(3.5f64);                           // tf.constant(3.5)
/// let n = random::normal(&[2, 2], 0.0, 1.0, DType::F32, Some(7))?; // tf.random.normal([2, 2], seed=7)
/// let v = Tensor::from_vec(vec![1u32, 0, 2], &[3], &cpu)?;  // from an owned Vec (labels here)
/// assert_eq!((a.shape(), a.rank(), a.dtype()), (&[2, 2][..], 2, DType::F32));
/// assert_eq!((z.elem_count(), o.dtype(), s.rank(), n.shape()), (6, DType::F64, 0, &[2, 2][..]));
/// assert_eq!(f.to_vec::<f32>()?, vec![7.0, 7.0]);
/// assert_eq!(e.to_vec2::<f32>()?, vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
/// assert_eq!(r.to_vec::<i64>()?, vec![0, 2, 4]);
/// assert_eq!(l.to_vec::<f32>()?, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
/// assert_eq!(v.one_hot(3, DType::F32)?.shape(), &[3, 3]);  // tf.one_hot(v, 3)
/// assert!(Tensor::new(&[1.0f32, 2.0, 3.0], &[2, 2]).is_err()); // 3 values cannot fill 2 x 2
/// # Ok(()) }
/// ```
///
/// # Arithmetic
/// Operators broadcast like NumPy and take tensors, variables, `Result`s
/// and `f64` scalars; methods cover the rest of `tf.math`.
/// ```
/// use tensorlow::Tensor;
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2])?;
/// let b = Tensor::new(&[10.0f32, 20.0], &[2])?;                  // broadcasts over rows
/// assert_eq!(((&x + &b)? * 2.0)?.to_vec::<f32>()?, vec![22.0, 44.0, 26.0, 48.0]);
/// assert_eq!((1.0 - &x)?.to_vec::<f32>()?, vec![0.0, -1.0, -2.0, -3.0]);
/// assert_eq!(x.matmul(&x)?.to_vec::<f32>()?, vec![7.0, 10.0, 15.0, 22.0]); // tf.matmul
/// assert_eq!(x.square()?.sqrt()?.to_vec::<f32>()?, x.to_vec::<f32>()?);    // tf.square, tf.sqrt
/// assert_eq!(x.maximum(&b.affine(0.1, 0.0)?)?.to_vec::<f32>()?, vec![1.0, 2.0, 3.0, 4.0]);
/// assert_eq!(x.powf(2.0)?.exp()?.log()?.to_vec::<f32>()?[1], 4.0);        // tf.pow, exp, log
/// assert_eq!(x.relu()?.sigmoid()?.shape(), &[2, 2]);                      // activations
/// assert_eq!(x.greater(&b.affine(0.15, 0.0)?)?.to_vec::<u8>()?, vec![0, 0, 1, 1]); // x > [1.5, 3]
/// assert!((&x + &Tensor::new(&[1.0f32, 2.0, 3.0], &[3])?).is_err());      // (2, 2) vs (3)
/// # Ok(()) }
/// ```
///
/// # Reductions
/// Axes are `isize` (negative counts from the end); an empty list means
/// every axis, like TensorFlow's `axis=None`.
/// ```
/// use tensorlow::Tensor;
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
/// assert_eq!(x.sum_all()?.to_scalar::<f32>()?, 21.0);                        // tf.reduce_sum(x)
/// assert_eq!(x.sum(&[0], false)?.to_vec::<f32>()?, vec![5.0, 7.0, 9.0]);     // axis=0
/// assert_eq!(x.mean(&[-1], true)?.shape(), &[2, 1]);                         // keepdims=True
/// assert_eq!(x.max(&[1], false)?.to_vec::<f32>()?, vec![3.0, 6.0]);          // tf.reduce_max
/// assert_eq!(x.argmax(-1)?.to_vec::<i64>()?, vec![2, 2]);                    // tf.argmax
/// assert_eq!(x.prod(&[], false)?.to_scalar::<f32>()?, 720.0);                // tf.reduce_prod
/// assert!((x.variance(&[1], false)?.to_vec::<f32>()?[0] - 2.0 / 3.0).abs() < 1e-6);
/// assert!(x.sum(&[2], false).is_err());                                      // rank 2 has no axis 2
/// # Ok(()) }
/// ```
///
/// # Shape ops
/// ```
/// use tensorlow::Tensor;
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
/// assert_eq!(x.reshape(&[3, 2])?.shape(), &[3, 2]);                  // tf.reshape
/// assert_eq!(x.reshape_infer(&[-1])?.shape(), &[6]);                 // tf.reshape(x, [-1])
/// assert_eq!(x.transpose()?.to_vec::<f32>()?, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
/// assert_eq!(x.expand_dims(0)?.shape(), &[1, 2, 3]);                 // tf.expand_dims
/// assert_eq!(x.expand_dims(0)?.squeeze(&[0])?.shape(), &[2, 3]);     // tf.squeeze
/// assert_eq!(Tensor::concat(&[&x, &x], 0)?.shape(), &[4, 3]);        // tf.concat
/// assert_eq!(Tensor::stack(&[&x, &x], 0)?.shape(), &[2, 2, 3]);      // tf.stack
/// assert_eq!(x.split(&[1, 2], 1)?[1].shape(), &[2, 2]);              // tf.split
/// assert_eq!(x.broadcast_to(&[4, 2, 3])?.shape(), &[4, 2, 3]);       // tf.broadcast_to
/// assert!(x.reshape(&[4, 2]).is_err());                              // 6 elements are not 8
/// # Ok(()) }
/// ```
///
/// # Indexing and gathering
/// ```
/// use tensorlow::{s, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
/// assert_eq!(x.i(1)?.to_vec::<f32>()?, vec![4.0, 5.0, 6.0]);                 // x[1]
/// assert_eq!(x.i((.., 1..))?.to_vec::<f32>()?, vec![2.0, 3.0, 5.0, 6.0]);    // x[:, 1:]
/// assert_eq!(x.i(s![.., ..;-1])?.to_vec::<f32>()?, vec![3.0, 2.0, 1.0, 6.0, 5.0, 4.0]); // x[:, ::-1]
/// let idx = Tensor::new(&[2i64, 0], &[2])?;
/// assert_eq!(x.gather(&idx, 1)?.to_vec::<f32>()?, vec![3.0, 1.0, 6.0, 4.0]); // tf.gather(x, idx, axis=1)
/// let mask = x.greater(&Tensor::scalar(3.0f32))?;
/// let zeros = x.zeros_like()?;
/// assert_eq!(mask.select(&x, &zeros)?.to_vec::<f32>()?, vec![0.0, 0.0, 0.0, 4.0, 5.0, 6.0]); // tf.where
/// assert_eq!(x.clip_by_value(2.0, 5.0)?.to_vec::<f32>()?, vec![2.0, 2.0, 3.0, 4.0, 5.0, 5.0]);
/// # Ok(()) }
/// ```
///
/// # Reading values, dtypes and devices
/// ```
/// use tensorlow::{DType, Device, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.5f32, 2.5], &[2])?;
/// assert_eq!(x.to_vec::<f32>()?, vec![1.5, 2.5]);               // x.numpy()
/// assert_eq!(x.sum_all()?.to_scalar::<f32>()?, 4.0);            // float(tf.reduce_sum(x))
/// assert_eq!(x.cast(DType::F64)?.dtype(), DType::F64);          // tf.cast
/// let same = x.to_device(&Device::cpu())?;                      // a cheap clone when already there
/// assert_eq!(same.device().to_string(), "cpu");
/// assert!(x.to_scalar::<f32>().is_err());                       // two elements are not a scalar
/// # Ok(()) }
/// ```
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
        resolve_axis(axis, self.rank()).map_err(|e| match e {
            Error::InvalidArgument(m) => {
                Error::InvalidArgument(format!("{m}; the tensor's shape is {:?}", self.shape()))
            }
            e => e,
        })
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
