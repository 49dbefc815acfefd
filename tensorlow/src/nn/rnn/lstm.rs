//! The LSTM over a whole sequence (Keras 3's `LSTM` math and layout).
//!
//! ```
//! use tensorlow::{nn, DType, Device, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! // One unit, one feature, all weights zero but the input gate's input
//! // weight: c_1 = sigmoid(1) * tanh(0) = 0, so h stays 0.
//! let x = Tensor::new(&[1.0f32, 1.0], &[1, 2, 1])?;
//! let kernel = Tensor::new(&[1.0f32, 0.0, 0.0, 0.0], &[1, 4])?;
//! let recurrent = Tensor::zeros(&[1, 4], DType::F32, &Device::cpu())?;
//! let out = nn::lstm(&x, &kernel, &recurrent, None, &nn::RnnOptions::default())?;
//! assert_eq!(out.output.to_vec::<f32>()?, vec![0.0]);
//! # Ok(()) }
//! ```

use super::common::{composite_vjp, drop_masks, host_mask, tensor, with_bias, with_hosts, Dims};
use super::composite::{self, project};
use super::{RnnOptions, RnnOutput};
use crate::cpu::rnn::lstm::{Inputs, Lstm};
use crate::cpu::rnn::Float;
use crate::ops::out;
use crate::{tape, DType, Element, Error, Result, Tensor};

/// An LSTM over `x` `(batch, timesteps, features)` with Keras' weights:
/// `kernel` `(features, 4 units)`, `recurrent_kernel` `(units, 4 units)`
/// and `bias` `(4 units)`, gates in the order i, f, c, o:
///
/// ```text
/// z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias
/// i, f, o = recurrent_activation(z_i, z_f, z_o)   g = activation(z_c)
/// c_t = f * c_{t-1} + i * g      h_t = o * activation(c_t)
/// ```
///
/// Returns the last output (or all of them with `return_sequences`) and
/// the final states `[h, c]`. See the [module docs](super) for the fused
/// and composite implementations, masks and higher-order gradients.
pub fn lstm(
    x: &Tensor,
    kernel: &Tensor,
    recurrent_kernel: &Tensor,
    bias: Option<&Tensor>,
    opts: &RnnOptions,
) -> Result<RnnOutput> {
    let d = Dims::check("lstm", x, kernel, recurrent_kernel, 4, opts, 2)?;
    if let Some(b) = bias {
        d.expect("bias", b, &[4 * d.units], "(4 * units)")?;
    }
    let init = d.initial(x, opts, 2)?;
    let mut named = vec![("kernel", kernel), ("recurrent_kernel", recurrent_kernel)];
    named.extend(bias.map(|b| ("bias", b)));
    named.extend(init.iter().map(|s| ("initial_state", s)));
    d.same_kinds(x, &named)?;
    let packed = if d.fused(x, opts, true) {
        // The fused kernel adds the bias itself (saves a pass over every
        // step's projection, forward and backward).
        let xp = d.project_inputs(x, kernel, None, opts)?;
        let (h0, c0, rk) = (&init[0], &init[1], recurrent_kernel);
        match x.dtype() {
            DType::F32 => fused::<f32>(&d, opts, &xp, h0, c0, rk, bias)?,
            _ => fused::<f64>(&d, opts, &xp, h0, c0, rk, bias)?,
        }
    } else {
        let xp = d.project_inputs(x, kernel, bias, opts)?;
        composite_states(&d, opts, &xp, &init[0], &init[1], recurrent_kernel)?
    };
    d.finish(&packed, opts, 2)
}

/// The packed states `(2, batch, time, units)` by ordinary ops.
fn composite_states(d: &Dims, opts: &RnnOptions, xp: &Tensor, h0: &Tensor, c0: &Tensor, rk: &Tensor) -> Result<Tensor> {
    let u = d.units;
    let drop = opts.recurrent_dropout_mask.as_ref();
    composite::run(d, opts, xp, vec![h0.clone(), c0.clone()], |xt, s| {
        let z = (xt + project(&s[0], rk, 0..4, u, drop)?)?;
        let g = composite::gates(&z, 4)?;
        let ract = &opts.recurrent_activation;
        let (i, f, o) = (ract.apply(&g[0])?, ract.apply(&g[1])?, ract.apply(&g[3])?);
        let c = ((&f * &s[1])? + (&i * &opts.activation.apply(&g[2])?)?)?;
        let h = (&o * &opts.activation.apply(&c)?)?;
        Ok(vec![h, c])
    })
}

/// The packed states by the fused CPU kernel, recorded as one op over
/// `[xp, h0, c0, recurrent_kernel]` and the bias when there is one (`xp`
/// without it).
fn fused<T: Float + Element>(
    d: &Dims,
    opts: &RnnOptions,
    xp: &Tensor,
    h0: &Tensor,
    c0: &Tensor,
    rk: &Tensor,
    bias: Option<&Tensor>,
) -> Result<Tensor> {
    let kernel = Lstm {
        seq: d.seq(opts),
        act: opts
            .activation
            .fused()
            .ok_or_else(|| Error::arg("lstm: no fused activation"))?,
        ract: opts
            .recurrent_activation
            .fused()
            .ok_or_else(|| Error::arg("lstm: no fused recurrent activation"))?,
    };
    let mask = host_mask(&opts.mask)?;
    let rdm = opts.recurrent_dropout_mask.clone();
    let hosts = [Some(xp), Some(h0), Some(c0), Some(rk), rdm.as_ref(), bias];
    let fwd = with_hosts::<T, _>(&hosts, |s| {
        kernel.forward(&Inputs {
            xp: s[0],
            h0: s[1],
            c0: s[2],
            rk: s[3],
            bias: bias.map(|_| s[5]),
            mask: mask.as_deref(),
            drop: drop_masks(s[4], &rdm),
        })
    })?;
    let (b, t, u) = (d.batch, d.time, d.units);
    let states = tensor(fwd.states, &[2, t, b, u], xp)?;
    let saved = fwd.saved;
    let (dims, opts) = (*d, opts.clone());
    let mut inputs = vec![xp, h0, c0, rk];
    inputs.extend(bias);
    Ok(out(states.value.clone(), &inputs, move |c| {
        let i = c.inputs;
        if tape::is_recording() {
            return composite_vjp(c, |i| {
                let xp = with_bias(&i[0], i.get(4))?;
                composite_states(&dims, &opts, &xp, &i[1], &i[2], &i[3])
            });
        }
        let hosts = [
            Some(&i[0]),
            Some(&i[1]),
            Some(&i[2]),
            Some(&i[3]),
            rdm.as_ref(),
            i.get(4),
            Some(c.output),
            Some(c.grad),
        ];
        let g = with_hosts::<T, _>(&hosts, |s| {
            let x = Inputs {
                xp: s[0],
                h0: s[1],
                c0: s[2],
                rk: s[3],
                bias: (i.len() == 5).then_some(s[5]),
                mask: mask.as_deref(),
                drop: drop_masks(s[4], &rdm),
            };
            kernel.backward(&x, s[6], &saved, s[7])
        })?;
        let like = &i[0];
        let mut grads = vec![
            Some(tensor(g.dxp, &[t, b, 4 * u], like)?),
            Some(tensor(g.dh0, &[b, u], like)?),
            Some(tensor(g.dc0, &[b, u], like)?),
            Some(tensor(g.drk, &[u, 4 * u], like)?),
        ];
        if let Some(db) = g.dbias {
            grads.push(Some(tensor(db, &[4 * u], like)?));
        }
        Ok(grads)
    }))
}
