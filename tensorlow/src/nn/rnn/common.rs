//! What the three recurrent ops share: checking shapes (errors name the
//! op, the argument and the expected shape), the input projection, the
//! outputs taken from the packed states, reading CPU tensors for the
//! fused kernels, and the composite vector-Jacobian product used for
//! higher-order gradients.
//!
//! ```ignore
//! // (crate-private)
//! let d = Dims::check("lstm", x, kernel, recurrent_kernel, 4)?;
//! ```

use super::pick::pick;
use super::{RnnImplementation, RnnOptions, RnnOutput};
use crate::cpu::rnn::{DropMasks, Float, Seq};
use crate::tape::{Ctx, Grads};
use crate::{DType, Error, GradientTape, Result, Tensor, UnconnectedGradients};

/// The sizes of one recurrent op.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dims {
    pub op: &'static str,
    pub batch: usize,
    pub time: usize,
    pub features: usize,
    pub units: usize,
    pub gates: usize,
}

impl Dims {
    /// Checks the input, the kernels and the options against each other.
    pub fn check(
        op: &'static str,
        x: &Tensor,
        kernel: &Tensor,
        recurrent_kernel: &Tensor,
        gates: usize,
        opts: &RnnOptions,
        states: usize,
    ) -> Result<Dims> {
        let s = x.shape();
        if s.len() != 3 {
            return Err(Error::shape(
                op,
                format!(
                    "expects inputs of shape (batch, timesteps, features), got shape {s:?} (rank {}); \
                     add a time axis with expand_dims(1) for single steps",
                    s.len()
                ),
            ));
        }
        if !x.dtype().is_float() {
            return Err(Error::DType {
                op,
                msg: format!("inputs must be floating point, got {}; cast them first", x.dtype()),
            });
        }
        if s[1] == 0 {
            return Err(Error::shape(
                op,
                format!("inputs of shape {s:?} have no time steps; at least one is needed"),
            ));
        }
        let rs = recurrent_kernel.shape();
        let u = rs.first().copied().unwrap_or(0);
        let d = Dims {
            op,
            batch: s[0],
            time: s[1],
            features: s[2],
            units: u,
            gates,
        };
        let g = if gates == 1 {
            String::new()
        } else {
            format!("{gates} * ")
        };
        if rs.len() != 2 || u == 0 || rs[1] != gates * u {
            return Err(Error::shape(
                op,
                format!("recurrent_kernel must have shape (units, {g}units), got {rs:?}"),
            ));
        }
        d.expect("kernel", kernel, &[s[2], gates * u], &format!("(features, {g}units)"))?;
        for (i, st) in opts.initial_state.iter().enumerate() {
            d.expect(
                "initial_state",
                st,
                &[s[0], u],
                &format!("(batch, units) for state {i}"),
            )?;
        }
        if !opts.initial_state.is_empty() && opts.initial_state.len() != states {
            return Err(Error::arg(format!(
                "{op}: initial_state has {} tensors, expected {states} ({})",
                opts.initial_state.len(),
                if states == 2 { "[h, c]" } else { "[h]" }
            )));
        }
        if let Some(m) = &opts.mask {
            if m.shape() != [s[0], s[1]] {
                return Err(Error::shape(
                    op,
                    format!(
                        "mask must have shape (batch, timesteps) = {:?}, got {:?}",
                        [s[0], s[1]],
                        m.shape()
                    ),
                ));
            }
            x.same_device(m, op)?;
        }
        for (name, m, inner) in [
            ("dropout_mask", &opts.dropout_mask, s[2]),
            ("recurrent_dropout_mask", &opts.recurrent_dropout_mask, u),
        ] {
            if let Some(m) = m {
                let ok = m.shape() == [s[0], inner] || m.shape() == [gates, s[0], inner];
                if !ok {
                    return Err(Error::shape(
                        op,
                        format!(
                            "{name} must have shape {:?} or, one per gate, {:?}; got {:?}",
                            [s[0], inner],
                            [gates, s[0], inner],
                            m.shape()
                        ),
                    ));
                }
                d.same_kind(name, m, x)?;
            }
        }
        Ok(d)
    }

    /// Errors unless `t` has `shape` and the input's dtype and device.
    pub fn expect(&self, name: &str, t: &Tensor, shape: &[usize], what: &str) -> Result<()> {
        if t.shape() != shape {
            return Err(Error::shape(
                self.op,
                format!("{name} must have shape {what} = {shape:?}, got {:?}", t.shape()),
            ));
        }
        Ok(())
    }

    fn same_kind(&self, name: &str, t: &Tensor, x: &Tensor) -> Result<()> {
        if t.dtype() != x.dtype() {
            return Err(Error::DType {
                op: self.op,
                msg: format!(
                    "{name} has dtype {}, the inputs {}; cast it first",
                    t.dtype(),
                    x.dtype()
                ),
            });
        }
        x.same_device(t, self.op)
    }

    /// Checks dtype and device of the weights and states against `x`.
    pub fn same_kinds(&self, x: &Tensor, named: &[(&str, &Tensor)]) -> Result<()> {
        for (name, t) in named {
            self.same_kind(name, t, x)?;
        }
        Ok(())
    }

    pub fn seq(&self, opts: &RnnOptions) -> Seq {
        Seq {
            batch: self.batch,
            time: self.time,
            units: self.units,
            go_backwards: opts.go_backwards,
        }
    }

    /// The initial states (given, or zeros).
    pub fn initial(&self, x: &Tensor, opts: &RnnOptions, states: usize) -> Result<Vec<Tensor>> {
        if !opts.initial_state.is_empty() {
            return Ok(opts.initial_state.clone());
        }
        let z = Tensor::zeros(&[self.batch, self.units], x.dtype(), &x.device())?;
        Ok(vec![z; states])
    }

    /// `x @ kernel + bias` for every step, *time first*: `(time, batch,
    /// gates * units)`, with the input dropout masks applied to `x` (per
    /// gate when given one per gate: then one matmul per gate).
    pub fn project_inputs(
        &self,
        x: &Tensor,
        kernel: &Tensor,
        bias: Option<&Tensor>,
        opts: &RnnOptions,
    ) -> Result<Tensor> {
        let (bt, f, n) = (self.batch * self.time, self.features, self.gates * self.units);
        // (batch, time, f) -> (time * batch, f): a copy of the (small) input.
        let flat = |x: &Tensor| x.permute(&[1, 0, 2])?.reshape(&[bt, f]);
        let xp = match &opts.dropout_mask {
            None => flat(x)?.matmul(kernel)?,
            Some(m) if m.rank() == 2 => flat(&x.mul(&m.expand_dims(1)?)?)?.matmul(kernel)?,
            Some(m) => {
                let u = self.units;
                let parts = (0..self.gates)
                    .map(|g| {
                        let mg = m.narrow(0, g, 1)?.reshape(&[self.batch, 1, f])?;
                        flat(&x.mul(&mg)?)?.matmul(&kernel.narrow(1, g * u, u)?)
                    })
                    .collect::<Result<Vec<_>>>()?;
                Tensor::concat(&parts.iter().collect::<Vec<_>>(), 1)?
            }
        };
        let xp = match bias {
            Some(b) => xp.add(b)?,
            None => xp,
        };
        xp.reshape(&[self.time, self.batch, n])
    }

    /// Whether the fused kernels run.
    pub fn fused(&self, x: &Tensor, opts: &RnnOptions, uses_ract: bool) -> bool {
        opts.implementation == RnnImplementation::Fused
            && x.device().is_cpu()
            && matches!(x.dtype(), DType::F32 | DType::F64)
            && opts.activation.fused().is_some()
            && (!uses_ract || opts.recurrent_activation.fused().is_some())
    }

    /// The mask as 0/1 values of `dtype`, `(batch, time)`, in processing
    /// order (reversed along time with `go_backwards`).
    fn mask_in_processing_order(&self, mask: &Tensor, dtype: DType, opts: &RnnOptions) -> Result<Tensor> {
        let m = mask.not_equal(&mask.scalar_like(0.0)?)?.cast(dtype)?;
        if !opts.go_backwards {
            return Ok(m);
        }
        let rev: Vec<i64> = (0..self.time as i64).rev().collect();
        m.gather(&Tensor::from_vec(rev, &[self.time], &m.device())?, 1)
    }

    /// The op's outputs from the packed states `(states, time, batch,
    /// units)` (processing order).
    pub fn finish(&self, packed: &Tensor, opts: &RnnOptions, states: usize) -> Result<RnnOutput> {
        let t = self.time;
        let h = pick(packed, 0, Some(t - 1))?;
        let mut finals = vec![h.clone()];
        for s in 1..states {
            finals.push(pick(packed, s, Some(t - 1))?);
        }
        let zero_mask = match &opts.mask {
            Some(m) if opts.zero_output_for_mask => Some(self.mask_in_processing_order(m, packed.dtype(), opts)?),
            _ => None,
        };
        let output = match (opts.return_sequences, zero_mask) {
            (true, None) => pick(packed, 0, None)?.permute(&[1, 0, 2])?,
            (true, Some(m)) => pick(packed, 0, None)?.permute(&[1, 0, 2])?.mul(&m.expand_dims(2)?)?,
            (false, None) => h,
            (false, Some(m)) => h.mul(&m.narrow(1, t - 1, 1)?)?,
        };
        Ok(RnnOutput { output, states: finals })
    }
}

/// The mask as one byte per `(batch, time)` entry (1 = step used), read
/// from a CPU tensor.
pub(crate) fn host_mask(mask: &Option<Tensor>) -> Result<Option<Vec<u8>>> {
    mask.as_ref()
        .map(|m| m.not_equal(&m.scalar_like(0.0)?)?.to_vec::<u8>())
        .transpose()
}

/// Runs `f` on the values of CPU tensors, all at once (`None` entries
/// give empty slices).
pub(crate) fn with_hosts<T: Float, R>(ts: &[Option<&Tensor>], f: impl FnOnce(&[&[T]]) -> R) -> Result<R> {
    // Contiguous copies only where needed; the guards borrow from these.
    let hosts = ts
        .iter()
        .map(|t| t.map(|t| t.value.contiguous()).transpose())
        .collect::<candle_core::Result<Vec<_>>>()?;
    let guards: Vec<_> = hosts
        .iter()
        .map(|h| h.as_ref().map(|h| h.storage_and_layout()))
        .collect();
    let mut slices: Vec<&[T]> = Vec::with_capacity(ts.len());
    for g in &guards {
        slices.push(match g {
            None => &[],
            Some((s, l)) => {
                let (lo, hi) = l
                    .contiguous_offsets()
                    .ok_or_else(|| Error::arg("recurrent kernel: operand is not contiguous"))?;
                match &**s {
                    candle_core::Storage::Cpu(c) => &c.as_slice::<T>()?[lo..hi],
                    _ => return Err(Error::Device("recurrent kernel: operand is not on the CPU".into())),
                }
            }
        });
    }
    Ok(f(&slices))
}

/// Recurrent dropout masks for a kernel from their slice.
pub(crate) fn drop_masks<'a, T>(data: &'a [T], mask: &Option<Tensor>) -> Option<DropMasks<'a, T>> {
    mask.as_ref()
        .map(|m| DropMasks::new(data, if m.rank() == 3 { m.shape()[0] } else { 1 }))
}

/// `xp + bias` (or `xp`), by ops.
pub(crate) fn with_bias(xp: &Tensor, bias: Option<&Tensor>) -> Result<Tensor> {
    match bias {
        Some(b) => xp.add(b),
        None => Ok(xp.clone()),
    }
}

/// A tensor from a kernel's output.
pub(crate) fn tensor<T: Float + crate::Element>(v: Vec<T>, shape: &[usize], like: &Tensor) -> Result<Tensor> {
    Tensor::from_vec(v, shape, &like.device())
}

/// The vector-Jacobian product of `f` at the recorded op's inputs, by
/// recording `f` (the composite formulation) under a fresh tape: what the
/// fused ops' backward rules return while an outer tape records, so that
/// the outer tape sees differentiable ops.
pub(crate) fn composite_vjp(c: &Ctx, f: impl FnOnce(&[Tensor]) -> Result<Tensor>) -> Result<Grads> {
    let tape = GradientTape::new();
    for x in c.inputs {
        tape.watch(x);
    }
    let packed = f(c.inputs)?;
    let sources: Vec<&Tensor> = c.inputs.iter().collect();
    let grads = tape.gradient_with(&packed, &sources, Some(c.grad), UnconnectedGradients::None)?;
    Ok(grads
        .into_iter()
        .enumerate()
        .map(|(i, g)| g.filter(|_| c.need(i)))
        .collect())
}
