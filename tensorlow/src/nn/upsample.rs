//! Nearest-neighbour upsampling (Keras' `UpSampling1D` and
//! `UpSampling2D(interpolation="nearest")`): each element repeated `size`
//! times along each spatial axis of a channels-last input.
//!
//! Written as a reshape, a broadcast and a reshape, so the gradient (the
//! sum over each block of copies) and its own gradients come from those
//! ops.
//!
//! ```
//! use tensorlow::{nn, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[1, 2, 2, 1])?;
//! let y = nn::upsample2d(&x, (2, 1))?;
//! assert_eq!(y.shape(), &[1, 4, 2, 1]);
//! assert_eq!(y.to_vec::<f32>()?, vec![1.0, 2.0, 1.0, 2.0, 3.0, 4.0, 3.0, 4.0]);
//! # Ok(()) }
//! ```

use crate::{Error, Result, Tensor};

/// Checks the rank and that the upsampled shape can be allocated.
fn check(op: &'static str, x: &Tensor, rank: usize, layout: &str, size: &[usize]) -> Result<Vec<usize>> {
    if x.rank() != rank {
        return Err(Error::shape(
            op,
            format!("input must have rank {rank} {layout}, got shape {:?}", x.shape()),
        ));
    }
    if size.contains(&0) {
        return Err(Error::arg(format!(
            "{op}: the size must be at least 1 along each axis, got {size:?}"
        )));
    }
    let s = x.shape();
    let mut out = s.to_vec();
    for (a, &k) in size.iter().enumerate() {
        out[1 + a] = s[1 + a]
            .checked_mul(k)
            .ok_or_else(|| Error::arg(format!("{op}: input {s:?} upsampled by {size:?} overflows")))?;
    }
    crate::limits::check_alloc_on(op, &out, x.dtype(), x.as_candle().device())?;
    Ok(out)
}

/// Nearest-neighbour upsampling of an `NHWC` input: `(batch, height *
/// size.0, width * size.1, channels)`, `y[n, i, j, c] = x[n, i / size.0, j
/// / size.1, c]`. Differentiable to any order.
pub fn upsample2d(input: &Tensor, size: (usize, usize)) -> Result<Tensor> {
    let out = check(
        "upsample2d",
        input,
        4,
        "(batch, height, width, channels)",
        &[size.0, size.1],
    )?;
    let s = input.shape();
    input
        .reshape(&[s[0], s[1], 1, s[2], 1, s[3]])?
        .broadcast_to(&[s[0], s[1], size.0, s[2], size.1, s[3]])?
        .reshape(&out)
}

/// Nearest-neighbour upsampling of an `NWC` input: `(batch, width * size,
/// channels)`, each step repeated `size` times. Differentiable to any
/// order.
///
/// ```
/// use tensorlow::{nn, Tensor};
/// # fn main() -> tensorlow::Result<()> {
/// let x = Tensor::new(&[1.0f64, 2.0], &[1, 2, 1])?;
/// assert_eq!(nn::upsample1d(&x, 3)?.to_vec::<f64>()?, vec![1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
/// # Ok(()) }
/// ```
pub fn upsample1d(input: &Tensor, size: usize) -> Result<Tensor> {
    let out = check("upsample1d", input, 3, "(batch, width, channels)", &[size])?;
    let s = input.shape();
    input
        .reshape(&[s[0], s[1], 1, s[2]])?
        .broadcast_to(&[s[0], s[1], size, s[2]])?
        .reshape(&out)
}
