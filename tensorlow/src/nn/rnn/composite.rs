//! The op-by-op formulation of the recurrences: a loop over time steps
//! of ordinary tensorlow ops, each recorded on the tape. It runs on every
//! device and for any activation, is the reference the fused kernels are
//! tested against, and gives the fused ops their higher-order gradients.
//!
//! ```ignore
//! // (crate-private) a recurrence h_t = tanh(xp_t + h_{t-1} @ rk).
//! let packed = run(&d, &opts, &xp, vec![h0], |xt, s| Ok(vec![(xt + project(&s[0], &rk, 0..1, u, None)?)?.tanh()?]))?;
//! ```

use super::common::Dims;
use super::RnnOptions;
use crate::{Result, Tensor};

/// Runs `step(xp_t, states) -> new states` over the sequence (`xp` is
/// `(time, batch, width)`) and packs the states of every step as
/// `(states, time, batch, units)` in processing order. Masked rows keep
/// their previous states.
pub(crate) fn run(
    d: &Dims,
    opts: &RnnOptions,
    xp: &Tensor,
    init: Vec<Tensor>,
    step: impl Fn(&Tensor, &[Tensor]) -> Result<Vec<Tensor>>,
) -> Result<Tensor> {
    let (b, time, width) = (d.batch, d.time, xp.shape()[2]);
    let mask = match &opts.mask {
        Some(m) => Some(m.not_equal(&m.scalar_like(0.0)?)?),
        None => None,
    };
    let mut states = init;
    let mut seqs: Vec<Vec<Tensor>> = vec![Vec::with_capacity(time); states.len()];
    for k in 0..time {
        let t = if opts.go_backwards { time - 1 - k } else { k };
        let xt = xp.narrow(0, t, 1)?.reshape(&[b, width])?;
        let mut new = step(&xt, &states)?;
        if let Some(m) = &mask {
            let mt = m.narrow(1, t, 1)?;
            for (n, s) in new.iter_mut().zip(&states) {
                *n = mt.select(n, s)?;
            }
        }
        for (seq, s) in seqs.iter_mut().zip(&new) {
            seq.push(s.clone());
        }
        states = new;
    }
    let packed = seqs
        .iter()
        .map(|s| Tensor::stack(&s.iter().collect::<Vec<_>>(), 0))
        .collect::<Result<Vec<_>>>()?;
    Tensor::stack(&packed.iter().collect::<Vec<_>>(), 0)
}

/// `(h ∘ m_g) @ rk[:, gate g]` for the gates of `gates` side by side
/// (`drop`: the recurrent dropout masks, `(batch, units)` or one per gate).
pub(crate) fn project(
    h: &Tensor,
    rk: &Tensor,
    gates: std::ops::Range<usize>,
    units: usize,
    drop: Option<&Tensor>,
) -> Result<Tensor> {
    let cols = |g0: usize, n: usize| rk.narrow(1, g0 * units, n * units);
    match drop {
        None => h.matmul(&cols(gates.start, gates.len())?),
        Some(m) if m.rank() == 2 => h.mul(m)?.matmul(&cols(gates.start, gates.len())?),
        Some(m) => {
            let parts = gates
                .map(|g| h.mul(&gate_mask(m, g)?)?.matmul(&cols(g, 1)?))
                .collect::<Result<Vec<_>>>()?;
            Tensor::concat(&parts.iter().collect::<Vec<_>>(), 1)
        }
    }
}

/// The recurrent dropout mask of gate `g` (the shared one when there is
/// one mask for all gates).
pub(crate) fn gate_mask(m: &Tensor, g: usize) -> Result<Tensor> {
    if m.rank() == 2 {
        return Ok(m.clone());
    }
    let s = m.shape();
    m.narrow(0, g, 1)?.reshape(&[s[1], s[2]])
}

/// Splits `(batch, n * units)` into `n` gate blocks.
pub(crate) fn gates(z: &Tensor, n: usize) -> Result<Vec<Tensor>> {
    z.split_even(n, 1)
}
