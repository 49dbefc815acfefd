//! Views of the packed states `(states, time, batch, units)` a recurrent
//! op returns: one state's whole sequence or its value at one step, with
//! a backward pass that writes the incoming gradient straight into zeros
//! of the packed shape. (`narrow` would pad it back through two
//! concatenations: at W5's shapes ~5 MB of zeros and copies per step.)
//! Time first, one step's states are one contiguous block.
//! Off the CPU, and for other dtypes, the same views are taken with
//! `narrow`.
//!
//! ```ignore
//! // (crate-private) the last h of a packed (2, time, batch, units) tensor.
//! let h = pick(&packed, 0, Some(time - 1))?;
//! ```

use super::common::with_hosts;
use crate::cpu::rnn::Float;
use crate::ops::out;
use crate::{DType, Element, Result, Tensor};

/// `packed[s]` `(time, batch, units)`, or `packed[s, k]` `(batch,
/// units)` with `k`.
pub(crate) fn pick(packed: &Tensor, s: usize, k: Option<usize>) -> Result<Tensor> {
    let sh: [usize; 4] = [
        packed.shape()[0],
        packed.shape()[1],
        packed.shape()[2],
        packed.shape()[3],
    ];
    let (t, b, u) = (sh[1], sh[2], sh[3]);
    let fast = packed.device().is_cpu() && matches!(packed.dtype(), DType::F32 | DType::F64);
    if !fast {
        let seq = packed.narrow(0, s, 1)?.reshape(&[t, b, u])?;
        return match k {
            None => Ok(seq),
            Some(k) => seq.narrow(0, k, 1)?.reshape(&[b, u]),
        };
    }
    let v = packed.value.narrow(0, s, 1)?.reshape((t, b, u))?;
    let v = match k {
        None => v,
        Some(k) => v.narrow(0, k, 1)?.reshape((b, u))?,
    };
    Ok(out(v, &[packed], move |c| Ok(vec![Some(embed(c.grad, sh, s, k)?)])))
}

/// The adjoint of [`pick`]: `g` written into zeros of shape `sh` (CPU,
/// f32/f64 only, as `pick`'s fast path).
fn embed(g: &Tensor, sh: [usize; 4], s: usize, k: Option<usize>) -> Result<Tensor> {
    let v = match g.dtype() {
        DType::F32 => embed_as::<f32>(g, sh, s, k)?,
        _ => embed_as::<f64>(g, sh, s, k)?,
    };
    Ok(out(v.value, &[g], move |c| Ok(vec![Some(pick(c.grad, s, k)?)])))
}

fn embed_as<T: Float + Element>(g: &Tensor, sh: [usize; 4], s: usize, k: Option<usize>) -> Result<Tensor> {
    let (t, b, u) = (sh[1], sh[2], sh[3]);
    let mut dst = vec![T::of(0.0); sh.iter().product()];
    with_hosts::<T, _>(&[Some(g)], |src| {
        let src = src[0];
        let o = s * t * b * u + k.map_or(0, |k| k * b * u);
        dst[o..o + src.len()].copy_from_slice(src);
    })?;
    Tensor::from_vec(dst, &sh, &g.device())
}
