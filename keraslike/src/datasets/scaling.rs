//! The scalers on tensors: [`StandardScaler`] and [`MinMaxScaler`] fitted
//! on and applied to `(n, n_features)` float tensors, for the Keras tier's
//! data (see [`Dataset`](super::Dataset)). The arithmetic is
//! scikit-learn's, in float64 (`sklearnlike::preprocessing`); the result
//! has the input's dtype and device.
//!
//! ```
//! use keraslike::datasets::{MinMaxScaler, StandardScaler};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let x = Tensor::new(&[1.0f32, 10.0, 3.0, 10.0], &[2, 2])?; // the second feature is constant
//! let z = StandardScaler::fit_tensor(&x)?;
//! assert_eq!(z.transform_tensor(&x)?.to_vec::<f32>()?, vec![-1.0, 0.0, 1.0, 0.0]);
//! let m = MinMaxScaler::fit_tensor(&x)?;
//! assert_eq!(m.transform_tensor(&Tensor::new(&[2.0f32, 10.0], &[1, 2])?)?.to_vec::<f32>()?, vec![0.5, 0.0]);
//! assert!(z.transform_tensor(&Tensor::new(&[1.0f32, 2.0, 3.0], &[1, 3])?).is_err()); // 3 features, not 2
//! # Ok(()) }
//! ```

use super::{MinMaxScaler, StandardScaler};
use crate::{Error, Result};
use tensorlow::Tensor;

/// The values of a rank-2 float tensor, row-major, and its width.
fn rows(what: &str, x: &Tensor) -> Result<(Vec<f64>, usize)> {
    if x.rank() != 2 || !x.dtype().is_float() {
        return Err(Error::Shape(format!(
            "{what}: expects a (samples, features) float tensor, got shape {:?} of {}",
            x.shape(),
            x.dtype()
        )));
    }
    Ok((x.to_vec::<f64>()?, x.shape()[1]))
}

/// Row-major `v` back to a tensor shaped, typed and placed like `like`.
fn like(v: Vec<f64>, like: &Tensor) -> Result<Tensor> {
    Ok(Tensor::from_vec(v, like.shape(), &like.device())?.cast(like.dtype())?)
}

impl StandardScaler {
    /// Learns each feature's mean and standard deviation from the rows of
    /// `x`, a `(samples, features)` float tensor.
    pub fn fit_tensor(x: &Tensor) -> Result<Self> {
        let (v, f) = rows("StandardScaler::fit_tensor", x)?;
        Self::fit(&v, f)
    }

    /// `(x - mean) / scale` on a `(samples, features)` float tensor.
    pub fn transform_tensor(&self, x: &Tensor) -> Result<Tensor> {
        let (v, _) = rows("StandardScaler::transform_tensor", x)?;
        like(self.transform(&v)?, x)
    }
}

impl MinMaxScaler {
    /// Learns each feature's range from the rows of `x`, a `(samples,
    /// features)` float tensor, to scale it to `(0, 1)`.
    pub fn fit_tensor(x: &Tensor) -> Result<Self> {
        let (v, f) = rows("MinMaxScaler::fit_tensor", x)?;
        Self::fit(&v, f)
    }

    /// `x * scale + min` on a `(samples, features)` float tensor.
    pub fn transform_tensor(&self, x: &Tensor) -> Result<Tensor> {
        let (v, _) = rows("MinMaxScaler::transform_tensor", x)?;
        like(self.transform(&v)?, x)
    }
}
