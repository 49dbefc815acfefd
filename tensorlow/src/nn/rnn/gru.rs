//! The GRU over a whole sequence (Keras 3's `GRU` math and layout, both
//! `reset_after` variants).
//!
//! ```
//! use tensorlow::{nn, DType, Device, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! // All weights zero: z = 1/2 and hh = 0, so h_t = h_{t-1} / 2.
//! let x = Tensor::zeros(&[1, 3, 2], DType::F32, &Device::cpu())?;
//! let kernel = Tensor::zeros(&[2, 3], DType::F32, &Device::cpu())?;
//! let recurrent = Tensor::zeros(&[1, 3], DType::F32, &Device::cpu())?;
//! let opts = nn::RnnOptions { initial_state: vec![Tensor::new(&[8.0f32], &[1, 1])?], ..Default::default() };
//! let out = nn::gru(&x, &kernel, &recurrent, None, true, &opts)?;
//! assert_eq!(out.output.to_vec::<f32>()?, vec![1.0]);
//! # Ok(()) }
//! ```

use super::common::{composite_vjp, drop_masks, host_mask, tensor, with_bias, with_hosts, Dims};
use super::composite::{self, gate_mask, project};
use super::{RnnOptions, RnnOutput};
use crate::cpu::rnn::gru::{Gru, Inputs};
use crate::cpu::rnn::Float;
use crate::ops::out;
use crate::{tape, DType, Element, Error, Result, Tensor};

/// A GRU over `x` `(batch, timesteps, features)` with Keras' weights:
/// `kernel` `(features, 3 units)`, `recurrent_kernel` `(units, 3 units)`,
/// gates in the order z, r, h, and `bias` `(2, 3 units)` (input and
/// recurrent rows) with `reset_after` (Keras 3's default) or `(3 units)`
/// without:
///
/// ```text
/// reset_after:  a = h_{t-1} @ recurrent_kernel + bias[1]
///               z, r = recurrent_activation(xk_z + a_z, xk_r + a_r)
///               hh = activation(xk_h + r * a_h)
/// otherwise:    z, r = recurrent_activation(xk + h_{t-1} @ recurrent_kernel) (z, r parts)
///               hh = activation(xk_h + (r * h_{t-1}) @ recurrent_kernel_h)
/// h_t = z * h_{t-1} + (1 - z) * hh          (xk = x_t @ kernel + input bias)
/// ```
///
/// Returns the last output (or all of them with `return_sequences`) and
/// the final state `[h]`.
pub fn gru(
    x: &Tensor,
    kernel: &Tensor,
    recurrent_kernel: &Tensor,
    bias: Option<&Tensor>,
    reset_after: bool,
    opts: &RnnOptions,
) -> Result<RnnOutput> {
    let d = Dims::check("gru", x, kernel, recurrent_kernel, 3, opts, 1)?;
    let u = d.units;
    let (input_bias, rb) = match bias {
        None => (None, None),
        Some(b) if reset_after => {
            d.expect("bias", b, &[2, 3 * u], "(2, 3 * units) with reset_after")?;
            let row = |i: usize| b.narrow(0, i, 1)?.reshape(&[3 * u]);
            (Some(row(0)?), Some(row(1)?))
        }
        Some(b) => {
            d.expect("bias", b, &[3 * u], "(3 * units) without reset_after")?;
            (Some(b.clone()), None)
        }
    };
    let init = d.initial(x, opts, 1)?;
    let mut named = vec![
        ("kernel", kernel),
        ("recurrent_kernel", recurrent_kernel),
        ("initial_state", &init[0]),
    ];
    named.extend(bias.map(|b| ("bias", b)));
    d.same_kinds(x, &named)?;
    let packed = if d.fused(x, opts, true) {
        // The fused kernel adds the input bias itself.
        let xp = d.project_inputs(x, kernel, None, opts)?;
        let (h0, rk, bx, rb) = (&init[0], recurrent_kernel, input_bias.as_ref(), rb.as_ref());
        match x.dtype() {
            DType::F32 => fused::<f32>(&d, opts, reset_after, &xp, h0, rk, bx, rb)?,
            _ => fused::<f64>(&d, opts, reset_after, &xp, h0, rk, bx, rb)?,
        }
    } else {
        let xp = d.project_inputs(x, kernel, input_bias.as_ref(), opts)?;
        composite_states(&d, opts, reset_after, &xp, &init[0], recurrent_kernel, rb.as_ref())?
    };
    d.finish(&packed, opts, 1)
}

/// The packed states `(1, batch, time, units)` by ordinary ops.
fn composite_states(
    d: &Dims,
    opts: &RnnOptions,
    reset_after: bool,
    xp: &Tensor,
    h0: &Tensor,
    rk: &Tensor,
    rb: Option<&Tensor>,
) -> Result<Tensor> {
    let u = d.units;
    let drop = opts.recurrent_dropout_mask.as_ref();
    let (act, ract) = (&opts.activation, &opts.recurrent_activation);
    composite::run(d, opts, xp, vec![h0.clone()], |xt, s| {
        let h = &s[0];
        let xg = composite::gates(xt, 3)?;
        let hh_in = if reset_after {
            let mut a = project(h, rk, 0..3, u, drop)?;
            if let Some(rb) = rb {
                a = a.add(rb)?;
            }
            let a = composite::gates(&a, 3)?;
            let z = ract.apply(&(&xg[0] + &a[0])?)?;
            let r = ract.apply(&(&xg[1] + &a[1])?)?;
            (z, (&xg[2] + (&r * &a[2])?)?)
        } else {
            let a = composite::gates(&project(h, rk, 0..2, u, drop)?, 2)?;
            let z = ract.apply(&(&xg[0] + &a[0])?)?;
            let r = ract.apply(&(&xg[1] + &a[1])?)?;
            let hm = match drop {
                Some(m) => h.mul(&gate_mask(m, 2)?)?,
                None => h.clone(),
            };
            let inner = (&r * &hm)?.matmul(&rk.narrow(1, 2 * u, u)?)?;
            (z, (&xg[2] + &inner)?)
        };
        let (z, pre) = hh_in;
        let hh = act.apply(&pre)?;
        let new = ((&z * h)? + ((1.0 - &z)? * &hh)?)?;
        Ok(vec![new])
    })
}

/// The packed states by the fused CPU kernel, recorded as one op over
/// `[xp, h0, recurrent_kernel]` and the input and recurrent biases when
/// there are (`xp` without the input bias).
#[allow(clippy::too_many_arguments)]
fn fused<T: Float + Element>(
    d: &Dims,
    opts: &RnnOptions,
    reset_after: bool,
    xp: &Tensor,
    h0: &Tensor,
    rk: &Tensor,
    bias: Option<&Tensor>,
    rb: Option<&Tensor>,
) -> Result<Tensor> {
    let kernel = Gru {
        seq: d.seq(opts),
        act: opts
            .activation
            .fused()
            .ok_or_else(|| Error::arg("gru: no fused activation"))?,
        ract: opts
            .recurrent_activation
            .fused()
            .ok_or_else(|| Error::arg("gru: no fused recurrent activation"))?,
        reset_after,
    };
    let mask = host_mask(&opts.mask)?;
    let rdm = opts.recurrent_dropout_mask.clone();
    let fwd = with_hosts::<T, _>(&[Some(xp), Some(h0), Some(rk), rdm.as_ref(), bias, rb], |s| {
        kernel.forward(&Inputs {
            xp: s[0],
            h0: s[1],
            rk: s[2],
            bias: bias.map(|_| s[4]),
            rb: rb.map(|_| s[5]),
            mask: mask.as_deref(),
            drop: drop_masks(s[3], &rdm),
        })
    })?;
    let (b, t, u) = (d.batch, d.time, d.units);
    let states = tensor(fwd.states, &[1, t, b, u], xp)?;
    let saved = fwd.saved;
    let (dims, opts) = (*d, opts.clone());
    let (has_bias, has_rb) = (bias.is_some(), rb.is_some());
    let mut inputs = vec![xp, h0, rk];
    inputs.extend(bias);
    inputs.extend(rb);
    Ok(out(states.value.clone(), &inputs, move |c| {
        let i = c.inputs;
        let (bias, rb) = (has_bias.then(|| &i[3]), has_rb.then(|| &i[4]));
        if tape::is_recording() {
            return composite_vjp(c, |i| {
                let xp = with_bias(&i[0], has_bias.then(|| &i[3]))?;
                composite_states(&dims, &opts, reset_after, &xp, &i[1], &i[2], has_rb.then(|| &i[4]))
            });
        }
        let hosts = [
            Some(&i[0]),
            Some(&i[1]),
            Some(&i[2]),
            rdm.as_ref(),
            bias,
            rb,
            Some(c.output),
            Some(c.grad),
        ];
        let g = with_hosts::<T, _>(&hosts, |s| {
            let x = Inputs {
                xp: s[0],
                h0: s[1],
                rk: s[2],
                bias: has_bias.then_some(s[4]),
                rb: has_rb.then_some(s[5]),
                mask: mask.as_deref(),
                drop: drop_masks(s[3], &rdm),
            };
            kernel.backward(&x, s[6], &saved, s[7])
        })?;
        let like = &i[0];
        let mut grads = vec![
            Some(tensor(g.dxp, &[t, b, 3 * u], like)?),
            Some(tensor(g.dh0, &[b, u], like)?),
            Some(tensor(g.drk, &[u, 3 * u], like)?),
        ];
        if let Some(db) = g.dbias {
            grads.push(Some(tensor(db, &[3 * u], like)?));
        }
        if let Some(drb) = g.drb {
            grads.push(Some(tensor(drb, &[3 * u], like)?));
        }
        Ok(grads)
    }))
}
