//! Typed n-dimensional arrays: the values of datasets and numeric attributes.
//!
//! An [`Array`] holds its elements as little-endian bytes with a [`Dtype`] and a shape (rank 0
//! is a scalar). The dtypes are the ones Keras variables and h5py attributes use, named as
//! numpy names them.
//!
//! ```
//! use kerasfile::{Array, Dtype};
//! # fn main() -> kerasfile::Result<()> {
//! let kernel = Array::from_slice(&[2, 3], &[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0])?;
//! assert_eq!(kernel.dtype(), Dtype::F32);
//! assert_eq!(kernel.shape(), &[2, 3]);
//! assert_eq!(kernel.to_vec::<f32>()?[4], 5.0);
//! assert_eq!(Array::scalar(7i64).to_f64()?, vec![7.0]);
//! # Ok(()) }
//! ```

use crate::{Error, Result};

/// The element type of an [`Array`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// numpy `bool` (h5py stores it as an HDF5 enum of int8 `FALSE`/`TRUE`).
    Bool,
    /// `int8`.
    I8,
    /// `int16`.
    I16,
    /// `int32`.
    I32,
    /// `int64`.
    I64,
    /// `uint8`.
    U8,
    /// `uint16`.
    U16,
    /// `uint32`.
    U32,
    /// `uint64`.
    U64,
    /// IEEE half precision, `float16`.
    F16,
    /// `bfloat16` (Keras stores it as 2-byte HDF5 opaque data with a `dtype="bfloat16"`
    /// attribute on the dataset).
    BF16,
    /// `float32`.
    F32,
    /// `float64`.
    F64,
}

impl Dtype {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Dtype::Bool | Dtype::I8 | Dtype::U8 => 1,
            Dtype::I16 | Dtype::U16 | Dtype::F16 | Dtype::BF16 => 2,
            Dtype::I32 | Dtype::U32 | Dtype::F32 => 4,
            Dtype::I64 | Dtype::U64 | Dtype::F64 => 8,
        }
    }

    /// numpy's name of the dtype (`"float32"`, `"int64"`, `"bool"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Dtype::Bool => "bool",
            Dtype::I8 => "int8",
            Dtype::I16 => "int16",
            Dtype::I32 => "int32",
            Dtype::I64 => "int64",
            Dtype::U8 => "uint8",
            Dtype::U16 => "uint16",
            Dtype::U32 => "uint32",
            Dtype::U64 => "uint64",
            Dtype::F16 => "float16",
            Dtype::BF16 => "bfloat16",
            Dtype::F32 => "float32",
            Dtype::F64 => "float64",
        }
    }

    /// True for the floating-point dtypes.
    pub fn is_float(self) -> bool {
        matches!(self, Dtype::F16 | Dtype::BF16 | Dtype::F32 | Dtype::F64)
    }
}

impl std::fmt::Display for Dtype {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A Rust element type with a matching [`Dtype`] (bool, the integers, f32, f64).
pub trait Element: Copy + sealed::Sealed {
    /// The dtype this type stores as.
    const DTYPE: Dtype;
    /// Appends the little-endian bytes of `self`.
    fn put(self, out: &mut Vec<u8>);
    /// Reads one element from exactly `Self::DTYPE.size()` little-endian bytes.
    fn get(bytes: &[u8]) -> Self;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! element {
    ($t:ty, $d:expr) => {
        impl sealed::Sealed for $t {}
        impl Element for $t {
            const DTYPE: Dtype = $d;
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8]) -> Self {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                b.copy_from_slice(bytes);
                <$t>::from_le_bytes(b)
            }
        }
    };
}
element!(i8, Dtype::I8);
element!(i16, Dtype::I16);
element!(i32, Dtype::I32);
element!(i64, Dtype::I64);
element!(u8, Dtype::U8);
element!(u16, Dtype::U16);
element!(u32, Dtype::U32);
element!(u64, Dtype::U64);
element!(f32, Dtype::F32);
element!(f64, Dtype::F64);

impl sealed::Sealed for bool {}
impl Element for bool {
    const DTYPE: Dtype = Dtype::Bool;
    fn put(self, out: &mut Vec<u8>) {
        out.push(self as u8);
    }
    fn get(bytes: &[u8]) -> Self {
        bytes[0] != 0
    }
}

/// An n-dimensional array of one dtype, stored as little-endian bytes in row-major order.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    dtype: Dtype,
    shape: Vec<usize>,
    data: Vec<u8>,
}

/// Number of elements of `shape`, or an error naming the shape if the product overflows.
pub(crate) fn element_count(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .ok_or_else(|| Error::Invalid(format!("shape {shape:?} has more elements than fit in memory")))
}

impl Array {
    /// An array from raw little-endian bytes; `data` must hold exactly the shape's elements.
    pub fn from_bytes(dtype: Dtype, shape: &[usize], data: Vec<u8>) -> Result<Array> {
        let need = element_count(shape)?
            .checked_mul(dtype.size())
            .ok_or_else(|| Error::Invalid(format!("shape {shape:?} of {dtype} is too large")))?;
        if data.len() != need {
            return Err(Error::Invalid(format!(
                "{} bytes given for a {dtype} array of shape {shape:?}, which needs {need}",
                data.len()
            )));
        }
        Ok(Array {
            dtype,
            shape: shape.to_vec(),
            data,
        })
    }

    /// An array of `values` with the given shape (row-major).
    pub fn from_slice<T: Element>(shape: &[usize], values: &[T]) -> Result<Array> {
        let n = element_count(shape)?;
        if values.len() != n {
            return Err(Error::Invalid(format!(
                "{} values given for shape {shape:?}, which holds {n}",
                values.len()
            )));
        }
        let mut data = Vec::with_capacity(n * T::DTYPE.size());
        for &v in values {
            v.put(&mut data);
        }
        Ok(Array {
            dtype: T::DTYPE,
            shape: shape.to_vec(),
            data,
        })
    }

    /// A rank-0 (scalar) array.
    pub fn scalar<T: Element>(value: T) -> Array {
        let mut data = Vec::with_capacity(T::DTYPE.size());
        value.put(&mut data);
        Array {
            dtype: T::DTYPE,
            shape: Vec::new(),
            data,
        }
    }

    /// The element type.
    pub fn dtype(&self) -> Dtype {
        self.dtype
    }

    /// The shape (empty for a scalar).
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of elements (1 for a scalar).
    pub fn len(&self) -> usize {
        self.data.len() / self.dtype.size()
    }

    /// True when the array has no elements (a zero in its shape).
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements as little-endian bytes, row-major.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// The elements as `T`, which must be exactly the stored dtype (no conversion).
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        if T::DTYPE != self.dtype {
            return Err(Error::Invalid(format!(
                "array holds {}, not {}; use to_f32/to_f64/to_i64 to convert",
                self.dtype,
                T::DTYPE
            )));
        }
        Ok(self.data.chunks_exact(self.dtype.size()).map(T::get).collect())
    }

    /// The elements converted to `f64` (exact for every dtype but 64-bit integers above 2^53).
    pub fn to_f64(&self) -> Result<Vec<f64>> {
        let s = self.dtype.size();
        let conv: fn(&[u8]) -> f64 = match self.dtype {
            Dtype::Bool => |b| (b[0] != 0) as u8 as f64,
            Dtype::I8 => |b| i8::get(b) as f64,
            Dtype::I16 => |b| i16::get(b) as f64,
            Dtype::I32 => |b| i32::get(b) as f64,
            Dtype::I64 => |b| i64::get(b) as f64,
            Dtype::U8 => |b| b[0] as f64,
            Dtype::U16 => |b| u16::get(b) as f64,
            Dtype::U32 => |b| u32::get(b) as f64,
            Dtype::U64 => |b| u64::get(b) as f64,
            Dtype::F16 => |b| f16_to_f32(u16::get(b)) as f64,
            Dtype::BF16 => |b| f32::from_bits((u16::get(b) as u32) << 16) as f64,
            Dtype::F32 => |b| f32::get(b) as f64,
            Dtype::F64 => f64::get,
        };
        Ok(self.data.chunks_exact(s).map(conv).collect())
    }

    /// The elements converted to `f32` (what Keras does when it assigns a saved value to a
    /// float32 variable): exact for f16, bf16 and f32, rounded for f64 and large integers.
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        match self.dtype {
            Dtype::F32 => self.to_vec::<f32>(),
            _ => Ok(self.to_f64()?.into_iter().map(|v| v as f32).collect()),
        }
    }

    /// The elements converted to `i64`; an error for float dtypes and for `uint64` values
    /// above `i64::MAX`.
    pub fn to_i64(&self) -> Result<Vec<i64>> {
        if self.dtype.is_float() {
            return Err(Error::Invalid(format!("array holds {}, not integers", self.dtype)));
        }
        let s = self.dtype.size();
        self.data
            .chunks_exact(s)
            .map(|b| match self.dtype {
                Dtype::Bool => Ok((b[0] != 0) as i64),
                Dtype::I8 => Ok(i8::get(b) as i64),
                Dtype::I16 => Ok(i16::get(b) as i64),
                Dtype::I32 => Ok(i32::get(b) as i64),
                Dtype::I64 => Ok(i64::get(b)),
                Dtype::U8 => Ok(b[0] as i64),
                Dtype::U16 => Ok(u16::get(b) as i64),
                Dtype::U32 => Ok(u32::get(b) as i64),
                _ => i64::try_from(u64::get(b))
                    .map_err(|_| Error::Invalid(format!("uint64 value {} does not fit in i64", u64::get(b)))),
            })
            .collect()
    }
}

/// IEEE binary16 to binary32, exact (subnormals, infinities and NaN payloads included).
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) as u32) << 31;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: normalise the mantissa.
            let shift = man.leading_zeros() - 21;
            let man = (man << shift) & 0x3ff;
            sign | ((113 - shift) << 23) | (man << 13)
        }
        (0x1f, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 112) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_conversion_matches_ieee() {
        // Values from the IEEE 754 binary16 definition.
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x0200), 2f32.powi(-15));
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn wrong_sizes_are_errors() {
        assert!(Array::from_slice(&[2, 2], &[1.0f32]).is_err());
        assert!(Array::from_bytes(Dtype::F32, &[3], vec![0; 8]).is_err());
        assert!(Array::from_bytes(Dtype::F64, &[usize::MAX, 2], vec![]).is_err());
        let a = Array::from_slice(&[2], &[1i32, 2]).unwrap();
        assert!(a.to_vec::<f32>().is_err());
        assert_eq!(a.to_i64().unwrap(), vec![1, 2]);
        assert!(Array::scalar(u64::MAX).to_i64().is_err());
    }
}
