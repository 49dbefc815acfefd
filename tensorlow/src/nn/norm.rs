//! Moments, batch normalization and dropout.

use crate::cpu::elementwise::dropout_mask;
use crate::{random, Error, Result, Tensor};

/// Mean and (population) variance over `axes` (`tf.nn.moments`).
///
/// ```
/// # use tensorlow::{nn, Tensor};
/// let x = Tensor::new(&[1.0f64, 3.0], &[2]).unwrap();
/// let (m, v) = nn::moments(&x, &[0], false).unwrap();
/// assert_eq!((m.to_scalar::<f64>().unwrap(), v.to_scalar::<f64>().unwrap()), (2.0, 1.0));
/// ```
pub fn moments(x: &Tensor, axes: &[isize], keepdims: bool) -> Result<(Tensor, Tensor)> {
    let mean = x.mean(axes, true)?;
    // The mean inside the variance must stay differentiable: its first-order
    // contribution sums to zero, but stopping it makes every second-order
    // gradient (Hessians, gradient penalties through batch norm) wrong.
    let var = x.sub(&mean)?.square()?.mean(axes, keepdims)?;
    let mean = if keepdims { mean } else { mean.reshape(var.shape())? };
    Ok((mean, var))
}

/// `(x - mean) / sqrt(variance + epsilon) * scale + offset`, broadcasting
/// (`tf.nn.batch_normalization`).
pub fn batch_normalization(
    x: &Tensor,
    mean: &Tensor,
    variance: &Tensor,
    offset: Option<&Tensor>,
    scale: Option<&Tensor>,
    epsilon: f64,
) -> Result<Tensor> {
    let inv = (variance + epsilon)?.rsqrt()?;
    let inv = match scale {
        Some(s) => inv.mul(s)?,
        None => inv,
    };
    let y = x.sub(mean)?.mul(&inv)?;
    match offset {
        Some(o) => y.add(o),
        None => Ok(y),
    }
}

/// Zeroes each element with probability `rate` and scales the rest by
/// `1 / (1 - rate)` (`tf.nn.dropout`). `seed` follows [`random`]'s rules.
///
/// ```
/// # use tensorlow::{nn, Tensor};
/// let x = Tensor::new(&[1.0f32; 1000], &[1000]).unwrap();
/// let y = nn::dropout(&x, 0.5, Some(3)).unwrap().to_vec::<f32>().unwrap();
/// assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
/// ```
pub fn dropout(x: &Tensor, rate: f64, seed: Option<u64>) -> Result<Tensor> {
    if !(0.0..1.0).contains(&rate) {
        return Err(Error::arg(format!("dropout: rate must be in [0, 1), got {rate}")));
    }
    if rate == 0.0 {
        return Ok(x.clone());
    }
    let mut g = random::op_generator(seed);
    let keep = 1.0 / (1.0 - rate);
    let mask = if crate::cpu::handles(x.as_candle()) {
        // Drawn in parts over the thread team (each part skips ahead in
        // the one stream: the same mask for any number of threads), in
        // x's dtype: `keep as f32` is what the cast below gives.
        let (n, dev) = (x.elem_count(), x.device());
        match x.dtype() {
            crate::DType::F32 => Tensor::from_vec(dropout_mask(&g, n, rate, keep as f32), x.shape(), &dev)?,
            _ => Tensor::from_vec(dropout_mask(&g, n, rate, keep), x.shape(), &dev)?,
        }
    } else {
        // Built in f64 and cast once: an f32 mask would round 1 / (1 - rate) for f64 inputs.
        let mask: Vec<f64> = (0..x.elem_count())
            .map(|_| if g.next_f64() < rate { 0.0 } else { keep })
            .collect();
        Tensor::from_vec(mask, x.shape(), &x.device())?.cast(x.dtype())?
    };
    x.mul(&mask)
}
