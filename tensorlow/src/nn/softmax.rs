//! Softmax and log-softmax with hand-written, differentiable backward rules.

use crate::ops::out;
use crate::{Result, Tensor};

/// `exp(x) / sum(exp(x))` along `axis`, computed after subtracting the max.
///
/// ```
/// # use tensorlow::{nn, Tensor};
/// let p = nn::softmax(&Tensor::new(&[0.0f64, 0.0], &[2]).unwrap(), -1).unwrap();
/// assert_eq!(p.to_vec::<f64>().unwrap(), vec![0.5, 0.5]);
/// ```
pub fn softmax(x: &Tensor, axis: isize) -> Result<Tensor> {
    let a = x.axis(axis)?;
    let v = if a + 1 == x.rank() {
        candle_nn::ops::softmax_last_dim(&x.value.contiguous()?)?
    } else {
        let m = x.value.max_keepdim(a)?;
        let e = x.value.broadcast_sub(&m)?.exp()?;
        e.broadcast_div(&e.sum_keepdim(a)?)?
    };
    Ok(out(v, &[x], move |c| {
        // dx = y * (g - sum(g * y))
        let y = c.output;
        let s = c.grad.mul(y)?.sum(&[a as isize], true)?;
        Ok(vec![Some(y.mul(&c.grad.sub(&s)?)?)])
    }))
}

/// `x - logsumexp(x)` along `axis` (stable log of softmax).
pub fn log_softmax(x: &Tensor, axis: isize) -> Result<Tensor> {
    let a = x.axis(axis)?;
    let m = x.value.max_keepdim(a)?;
    let shifted = x.value.broadcast_sub(&m)?;
    let v = shifted.broadcast_sub(&shifted.exp()?.sum_keepdim(a)?.log()?)?;
    Ok(out(v, &[x], move |c| {
        // dx = g - softmax * sum(g)
        let s = c.grad.sum(&[a as isize], true)?;
        Ok(vec![Some(c.grad.sub(&c.output.exp()?.mul(&s)?)?)])
    }))
}
