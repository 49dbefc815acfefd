//! Conversions between [`Tensor`] and [`ndarray`] arrays, what Rust data
//! code holds (feature `ndarray`, off by default; the `deeprust` crate
//! turns it on). Like `tf.constant(np_array)` and `tensor.numpy()`:
//! values are copied, in row-major (logical) order whatever the array's
//! memory layout, and the element type is kept.
//!
//! ```
//! use ndarray::{array, Array2, Ix2};
//! use tensorlow::{DType, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let a = array![[1.0f64, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! let t = Tensor::from_ndarray(&a)?; // tf.constant(a): (2, 3) float64, on the CPU
//! assert_eq!((t.shape(), t.dtype()), (&[2, 3][..], DType::F64));
//! let t = Tensor::from_ndarray(&a.t())?; // a transposed view: (3, 2)
//! assert_eq!(t.to_vec::<f64>()?, vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
//! let back: Array2<f32> = t.to_ndarray::<f32>()?.into_dimensionality::<Ix2>().unwrap(); // t.numpy()
//! assert_eq!(back, array![[1.0f32, 4.0], [2.0, 5.0], [3.0, 6.0]]);
//! # Ok(()) }
//! ```

use crate::{Device, Element, Error, Result, Tensor};
use ndarray::{ArrayBase, ArrayD, Data, Dimension, IxDyn};

impl Tensor {
    /// A CPU tensor with `a`'s shape, element type and values (copied in
    /// row-major order; views and transposed arrays are fine).
    pub fn from_ndarray<T: Element, S: Data<Elem = T>, D: Dimension>(a: &ArrayBase<S, D>) -> Result<Tensor> {
        Tensor::from_vec(a.iter().copied().collect(), a.shape(), &Device::cpu())
    }

    /// This tensor's values as an `ndarray` array of `T` (converted like
    /// [`Tensor::to_vec`]), with its shape; copied to the host if it lives
    /// on a GPU. `.into_dimensionality::<Ix2>()` gives a fixed rank.
    pub fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        ArrayD::from_shape_vec(IxDyn(self.shape()), self.to_vec::<T>()?)
            .map_err(|e| Error::shape("to_ndarray", format!("shape {:?}: {e}", self.shape())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr0, Array, Array3};

    #[test]
    fn round_trips_keep_shape_type_and_order() {
        let a = Array::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 100 + j * 10 + k) as u32);
        let t = Tensor::from_ndarray(&a).unwrap();
        assert_eq!((t.shape(), t.dtype()), (&[2, 3, 4][..], crate::DType::U32));
        assert_eq!(t.i((1, 2, 3)).unwrap().to_scalar::<u32>().unwrap(), 123);
        let back: Array3<u32> = t.to_ndarray().unwrap().into_dimensionality().unwrap();
        assert_eq!(back, a);
        // A permuted, strided view is read in its logical order.
        let v = a.view().permuted_axes([2, 0, 1]);
        let t = Tensor::from_ndarray(&v.slice(ndarray::s![..;2, .., 1])).unwrap();
        assert_eq!(t.shape(), &[2, 2]);
        assert_eq!(t.to_vec::<u32>().unwrap(), vec![10, 110, 12, 112]);
        // Rank 0 and empty arrays.
        let s = Tensor::from_ndarray(&arr0(2.5f32)).unwrap();
        assert_eq!(
            (s.rank(), s.to_ndarray::<f64>().unwrap().into_raw_vec_and_offset().0),
            (0, vec![2.5])
        );
        let e = Tensor::from_ndarray(&Array::<f32, _>::zeros((0, 3))).unwrap();
        assert_eq!(e.to_ndarray::<f32>().unwrap().shape(), &[0, 3]);
    }
}
