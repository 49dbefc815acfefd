//! The fully connected recurrence over a whole sequence (Keras 3's
//! `SimpleRNN` math and layout).
//!
//! ```
//! use tensorlow::{nn, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! // h_t = relu(x_t + 2 h_{t-1}): 1, 2 + 1 = 3, 6 + 1 = 7.
//! let x = Tensor::new(&[1.0f32, 1.0, 1.0], &[1, 3, 1])?;
//! let one = Tensor::new(&[1.0f32], &[1, 1])?;
//! let two = Tensor::new(&[2.0f32], &[1, 1])?;
//! let opts = nn::RnnOptions { activation: nn::Activation::Relu, return_sequences: true, ..Default::default() };
//! let out = nn::simple_rnn(&x, &one, &two, None, &opts)?;
//! assert_eq!(out.output.to_vec::<f32>()?, vec![1.0, 3.0, 7.0]);
//! # Ok(()) }
//! ```

use super::common::{composite_vjp, drop_masks, host_mask, tensor, with_bias, with_hosts, Dims};
use super::composite::{self, project};
use super::{RnnOptions, RnnOutput};
use crate::cpu::rnn::simple::{Inputs, Simple};
use crate::cpu::rnn::Float;
use crate::ops::out;
use crate::{tape, DType, Element, Error, Result, Tensor};

/// `h_t = activation(x_t @ kernel + (h_{t-1} ∘ m) @ recurrent_kernel +
/// bias)` over `x` `(batch, timesteps, features)`, with `kernel`
/// `(features, units)`, `recurrent_kernel` `(units, units)`, `bias`
/// `(units)` and `m` the optional recurrent dropout mask. Returns the last
/// output (or all of them with `return_sequences`) and the final state
/// `[h]`; `recurrent_activation` is not used.
pub fn simple_rnn(
    x: &Tensor,
    kernel: &Tensor,
    recurrent_kernel: &Tensor,
    bias: Option<&Tensor>,
    opts: &RnnOptions,
) -> Result<RnnOutput> {
    let d = Dims::check("simple_rnn", x, kernel, recurrent_kernel, 1, opts, 1)?;
    if let Some(b) = bias {
        d.expect("bias", b, &[d.units], "(units)")?;
    }
    let init = d.initial(x, opts, 1)?;
    let mut named = vec![
        ("kernel", kernel),
        ("recurrent_kernel", recurrent_kernel),
        ("initial_state", &init[0]),
    ];
    named.extend(bias.map(|b| ("bias", b)));
    d.same_kinds(x, &named)?;
    let packed = if d.fused(x, opts, false) {
        // The fused kernel adds the bias itself.
        let xp = d.project_inputs(x, kernel, None, opts)?;
        match x.dtype() {
            DType::F32 => fused::<f32>(&d, opts, &xp, &init[0], recurrent_kernel, bias)?,
            _ => fused::<f64>(&d, opts, &xp, &init[0], recurrent_kernel, bias)?,
        }
    } else {
        let xp = d.project_inputs(x, kernel, bias, opts)?;
        composite_states(&d, opts, &xp, &init[0], recurrent_kernel)?
    };
    d.finish(&packed, opts, 1)
}

/// The packed states `(1, batch, time, units)` by ordinary ops.
fn composite_states(d: &Dims, opts: &RnnOptions, xp: &Tensor, h0: &Tensor, rk: &Tensor) -> Result<Tensor> {
    let drop = opts.recurrent_dropout_mask.as_ref();
    composite::run(d, opts, xp, vec![h0.clone()], |xt, s| {
        let z = (xt + project(&s[0], rk, 0..1, d.units, drop)?)?;
        Ok(vec![opts.activation.apply(&z)?])
    })
}

/// The packed states by the fused CPU kernel, recorded as one op over
/// `[xp, h0, recurrent_kernel]` and the bias when there is one (`xp`
/// without it).
fn fused<T: Float + Element>(
    d: &Dims,
    opts: &RnnOptions,
    xp: &Tensor,
    h0: &Tensor,
    rk: &Tensor,
    bias: Option<&Tensor>,
) -> Result<Tensor> {
    let kernel = Simple {
        seq: d.seq(opts),
        act: opts
            .activation
            .fused()
            .ok_or_else(|| Error::arg("simple_rnn: no fused activation"))?,
    };
    let mask = host_mask(&opts.mask)?;
    let rdm = opts.recurrent_dropout_mask.clone();
    let states = with_hosts::<T, _>(&[Some(xp), Some(h0), Some(rk), rdm.as_ref(), bias], |s| {
        kernel.forward(&Inputs {
            xp: s[0],
            h0: s[1],
            rk: s[2],
            bias: bias.map(|_| s[4]),
            mask: mask.as_deref(),
            drop: drop_masks(s[3], &rdm),
        })
    })?;
    let (b, t, u) = (d.batch, d.time, d.units);
    let states = tensor(states, &[1, t, b, u], xp)?;
    let (dims, opts) = (*d, opts.clone());
    let mut inputs = vec![xp, h0, rk];
    inputs.extend(bias);
    Ok(out(states.value.clone(), &inputs, move |c| {
        let i = c.inputs;
        if tape::is_recording() {
            return composite_vjp(c, |i| {
                let xp = with_bias(&i[0], i.get(3))?;
                composite_states(&dims, &opts, &xp, &i[1], &i[2])
            });
        }
        let hosts = [
            Some(&i[0]),
            Some(&i[1]),
            Some(&i[2]),
            rdm.as_ref(),
            i.get(3),
            Some(c.output),
            Some(c.grad),
        ];
        let g = with_hosts::<T, _>(&hosts, |s| {
            let x = Inputs {
                xp: s[0],
                h0: s[1],
                rk: s[2],
                bias: (i.len() == 4).then_some(s[4]),
                mask: mask.as_deref(),
                drop: drop_masks(s[3], &rdm),
            };
            kernel.backward(&x, s[5], s[6])
        })?;
        let like = &i[0];
        let mut grads = vec![
            Some(tensor(g.dxp, &[t, b, u], like)?),
            Some(tensor(g.dh0, &[b, u], like)?),
            Some(tensor(g.drk, &[u, u], like)?),
        ];
        if let Some(db) = g.dbias {
            grads.push(Some(tensor(db, &[u], like)?));
        }
        Ok(grads)
    }))
}
