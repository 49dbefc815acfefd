//! Element types of tensors.

/// The element type of a [`Tensor`](crate::Tensor).
///
/// Training works in `F32` (the default everywhere, as in TensorFlow) or
/// `F64`; `F16`/`BF16` are storage types where candle supports them;
/// `U8`, `U32`, `I32` and `I64` hold labels, indices and masks.
///
/// ```
/// use tensorlow::{DType, Tensor};
/// let t = Tensor::zeros(&[2], DType::F64, &tensorlow::Device::cpu()).unwrap();
/// assert_eq!(t.dtype(), DType::F64);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// 8-bit unsigned integer.
    U8,
    /// 32-bit unsigned integer.
    U32,
    /// 32-bit signed integer (Keras' default for integer inputs).
    I32,
    /// 64-bit signed integer.
    I64,
    /// IEEE half precision.
    F16,
    /// bfloat16.
    BF16,
    /// 32-bit float (the default).
    F32,
    /// 64-bit float.
    F64,
}

impl DType {
    /// Whether values of this type are floating point (and so differentiable).
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }
    /// Size of one element in bytes.
    pub fn size_in_bytes(self) -> usize {
        self.to_candle().size_in_bytes()
    }
    /// The name used in messages and files (`"float32"`, as in TensorFlow).
    pub fn name(self) -> &'static str {
        match self {
            DType::U8 => "uint8",
            DType::U32 => "uint32",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }
    pub(crate) fn to_candle(self) -> candle_core::DType {
        use candle_core::DType as C;
        match self {
            DType::U8 => C::U8,
            DType::U32 => C::U32,
            DType::I32 => C::I32,
            DType::I64 => C::I64,
            DType::F16 => C::F16,
            DType::BF16 => C::BF16,
            DType::F32 => C::F32,
            DType::F64 => C::F64,
        }
    }
    pub(crate) fn from_candle(d: candle_core::DType) -> Self {
        use candle_core::DType as C;
        match d {
            C::U8 => DType::U8,
            C::U32 => DType::U32,
            C::I32 => DType::I32,
            C::I64 => DType::I64,
            C::F16 => DType::F16,
            C::BF16 => DType::BF16,
            C::F64 => DType::F64,
            _ => DType::F32,
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Rust element types a tensor can be built from and read back into.
///
/// Implemented for `f32`, `f64`, `u8`, `u32`, `i32` and `i64`.
pub trait Element: candle_core::WithDType {}
impl Element for f32 {}
impl Element for f64 {}
impl Element for u8 {}
impl Element for u32 {}
impl Element for i32 {}
impl Element for i64 {}
