//! Softmax and log-softmax with hand-written, differentiable backward rules.

use crate::ops::out;
use crate::{Result, Tensor};
use candle_core::{CpuStorage, DType, Layout, Shape};

/// Below this many elements a softmax runs on the calling thread: candle-nn's
/// kernel always splits rows across rayon's pool, and waking the pool costs
/// more than the arithmetic of a small batch (a third of a W1 step).
const PAR_MIN: usize = 16 * 1024;

/// Last-axis softmax of a small contiguous CPU tensor, single-threaded.
struct SmallSoftmax;

impl SmallSoftmax {
    fn rows<T: candle_core::WithDType + num_traits_lite::Exp>(src: &[T], dim: usize) -> Vec<T> {
        let mut dst = vec![T::zero_value(); src.len()];
        for (s, d) in src.chunks(dim).zip(dst.chunks_mut(dim)) {
            let m = s
                .iter()
                .copied()
                .fold(T::neg_infinity(), |a, b| if b > a { b } else { a });
            let mut sum = T::zero_value();
            for (o, &v) in d.iter_mut().zip(s) {
                *o = (v - m).exp();
                sum += *o;
            }
            for o in d.iter_mut() {
                *o /= sum;
            }
        }
        dst
    }
}

/// The float operations the small softmax needs.
mod num_traits_lite {
    pub trait Exp:
        Copy + PartialOrd + std::ops::Sub<Output = Self> + std::ops::AddAssign + std::ops::DivAssign
    {
        fn exp(self) -> Self;
        fn zero_value() -> Self;
        fn neg_infinity() -> Self;
    }
    impl Exp for f32 {
        fn exp(self) -> Self {
            f32::exp(self)
        }
        fn zero_value() -> Self {
            0.0
        }
        fn neg_infinity() -> Self {
            f32::NEG_INFINITY
        }
    }
    impl Exp for f64 {
        fn exp(self) -> Self {
            f64::exp(self)
        }
        fn zero_value() -> Self {
            0.0
        }
        fn neg_infinity() -> Self {
            f64::NEG_INFINITY
        }
    }
}

impl candle_core::CustomOp1 for SmallSoftmax {
    fn name(&self) -> &'static str {
        "tensorlow-small-softmax"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (a, b) = layout
            .contiguous_offsets()
            .ok_or_else(|| candle_core::Error::Msg("small softmax needs a contiguous input".into()))?;
        let dim = layout.dims().last().copied().unwrap_or(1).max(1);
        let out = match storage {
            CpuStorage::F32(v) => CpuStorage::F32(Self::rows(&v[a..b], dim)),
            CpuStorage::F64(v) => CpuStorage::F64(Self::rows(&v[a..b], dim)),
            _ => candle_core::bail!("small softmax supports f32 and f64"),
        };
        Ok((out, layout.shape().clone()))
    }
}

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
        let xc = x.value.contiguous()?;
        if xc.device().is_cpu() && xc.elem_count() < PAR_MIN && matches!(xc.dtype(), DType::F32 | DType::F64) {
            xc.apply_op1_no_bwd(&SmallSoftmax)?
        } else {
            candle_nn::ops::softmax_last_dim(&xc)?
        }
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
