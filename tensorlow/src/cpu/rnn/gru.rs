//! The fused GRU over a whole sequence, forward and backward, with Keras'
//! gate order `z, r, h` and both of Keras' formulations:
//!
//! ```text
//! reset_after (Keras 3's default; bias (2, 3u): input and recurrent rows):
//!   a = h_{t-1} @ rk + rb
//!   z = ract(xp_z + a_z)  r = ract(xp_r + a_r)  hh = act(xp_h + r * a_h)
//! reset_after = false (bias (3u)):
//!   z = ract(xp_z + h_{t-1} @ rk_z)  r = ract(xp_r + h_{t-1} @ rk_r)
//!   hh = act(xp_h + (r * h_{t-1}) @ rk_h)
//! both: h_t = z * h_{t-1} + (1 - z) * hh      (xp = x @ kernel + input bias)
//! ```
//!
//! With recurrent dropout, `h_{t-1}` inside each product is multiplied by
//! its gate's mask (in `r * h_{t-1}` too), never in the final mix, as in
//! Keras. A masked step carries `h` over. The forward pass keeps `z, r,
//! hh` and `a_h` (reset_after) or `r * h_{t-1}` (reset_before),
//! `(time, batch, 4 units)`.
//!
//! ```ignore
//! // (crate-private)
//! let fwd = Gru { seq, act: Act::Tanh, ract: Act::Sigmoid, reset_after: true }.forward(&inputs);
//! ```

use super::act::{with_acts, Act, ActFn};
use super::{
    for_blocks, gemm_into, gemm_serial, kernel_grad, project, project_back, row_pass, DropMasks, Float, Gates, Rows,
    Seq, View,
};
use crate::cpu::elementwise::filled;

mod passes;

/// One GRU configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Gru {
    pub seq: Seq,
    pub act: Act,
    pub ract: Act,
    pub reset_after: bool,
}

/// The kernel's inputs; `bias` is the input bias (`(3 units)`, added to
/// `xp`), `rb` the recurrent bias row (reset_after only).
pub(crate) struct Inputs<'a, T> {
    pub xp: &'a [T],
    pub h0: &'a [T],
    pub rk: &'a [T],
    pub bias: Option<&'a [T]>,
    pub rb: Option<&'a [T]>,
    pub mask: Option<&'a [u8]>,
    pub drop: Option<DropMasks<'a, T>>,
}

/// What the forward pass returns.
pub(crate) struct Forward<T> {
    /// `(1, time, batch, units)`.
    pub states: Vec<T>,
    /// `(time, batch, 4 units)` in time order.
    pub saved: Vec<T>,
}

/// The gradients with respect to the kernel's inputs.
pub(crate) struct Grads<T> {
    pub dxp: Vec<T>,
    pub dh0: Vec<T>,
    pub drk: Vec<T>,
    /// Of the input bias.
    pub dbias: Option<Vec<T>>,
    /// Of the recurrent bias (reset_after with a bias).
    pub drb: Option<Vec<T>>,
}

const G: usize = 3;

/// The biases one step adds, each `3u`: `bzr` (input + recurrent, for z
/// and r; the rest unused), `bx` (input) and `br` (recurrent).
struct Biases<T> {
    bzr: Vec<T>,
    bx: Vec<T>,
    br: Vec<T>,
}

/// The gates of one row: `sv[..2u] = ract(xp + a + bias)` (z, r), then
/// with reset_after `sv[3u..] = a_h + rb_h` and `sv[2u..3u] = act(xp_h +
/// bx_h + r * sv[3u..])`, else `sv[3u..] = r * hm` (`hm` the previous
/// state under the h gate's dropout mask).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gates_row<T: Float, A: ActFn, R: ActFn>(
    act: A,
    ract: R,
    reset_after: bool,
    sv: &mut [T],
    xr: &[T],
    ar: &[T],
    bs: &Biases<T>,
    hm: &[T],
) {
    let u = sv.len() / 4;
    for (((s, &x), &a), &b) in sv[..2 * u].iter_mut().zip(xr).zip(ar).zip(&bs.bzr) {
        *s = x + a + b;
    }
    ract.apply(&mut sv[..2 * u]);
    let (zr, rest) = sv.split_at_mut(2 * u);
    let (pre, keep) = rest.split_at_mut(u);
    let (r, keep) = (&zr[u..2 * u], &mut keep[..u]);
    if reset_after {
        let (ah, br, xh, bx) = (
            &ar[2 * u..3 * u],
            &bs.br[2 * u..3 * u],
            &xr[2 * u..3 * u],
            &bs.bx[2 * u..3 * u],
        );
        for j in 0..u {
            let a = ah[j] + br[j];
            keep[j] = a;
            pre[j] = (xh[j] + bx[j]) + r[j] * a;
        }
        act.apply(pre);
    } else {
        for ((k, &r), &h) in keep.iter_mut().zip(r).zip(&hm[..u]) {
            *k = r * h;
        }
    }
}

impl Gru {
    pub fn forward<T: Float>(&self, x: &Inputs<T>) -> Forward<T> {
        with_acts!(self.act, self.ract, |a, r| self.forward_with(x, a, r))
    }

    fn forward_with<T: Float, A: ActFn, R: ActFn>(&self, x: &Inputs<T>, act: A, ract: R) -> Forward<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let bu = batch * u;
        let mut states = filled(time * bu, zero);
        let mut saved = filled(time * batch * 4 * u, zero);
        // Each block's rows own `a[b0 * 3u..(b0 + nb) * 3u]`.
        let mut a = vec![zero; batch * G * u];
        let rk = View::dense(x.rk, 0, u, G * u);
        let (bx, br) = (super::bias_or_zeros(x.bias, G * u), super::bias_or_zeros(x.rb, G * u));
        let bzr = (0..G * u).map(|j| bx[j] + br[j]).collect();
        let bs = Biases { bzr, bx, br };
        let (bs, reset_after) = (&bs, self.reset_after);
        let (sh, sv, pa) = (Rows::of(&mut states), Rows::of(&mut saved), Rows::of(&mut a));
        let gates = if reset_after { 0..3 } else { 0..2 };
        let width = gates.len() * u;
        let pass = passes::Fwd {
            gru: self,
            x,
            act,
            ract,
            sh,
            sv,
            pa,
            bs,
            width,
        };
        for_blocks(batch, time * batch * G * u * u, |rows| {
            let (b0, nb) = (rows.start, rows.len());
            let drop = x.drop.map(|m| m.rows(b0 * u));
            let mut scratch = Vec::new();
            // SAFETY (every access below): this block's rows of each buffer
            // belong to it alone, and it wrote step k - 1's rows already.
            for k in 0..time {
                let t = self.seq.t_of(k);
                {
                    let hprev = unsafe { self.seq.prev_rows(x.h0, sh, k, rows.clone()) };
                    let ab = unsafe { pa.at(b0 * G * u, nb * width) };
                    let hprev = View::dense(hprev, 0, nb, u);
                    project(hprev, rk, &Gates::new(gates.clone(), u, drop), &mut scratch, ab, width);
                }
                unsafe { row_pass(&passes::FwdGates(&pass), rows.clone(), k) };
                if !reset_after {
                    // a_h = (r * h) @ rk_h, from the rows kept just above.
                    let rh = View {
                        data: unsafe { sv.read((t * batch + b0) * 4 * u, nb * 4 * u) },
                        off: 3 * u,
                        rows: nb,
                        cols: u,
                        rs: 4 * u,
                        cs: 1,
                    };
                    let ab = unsafe { pa.at(b0 * G * u, nb * u) };
                    gemm_serial(ab, 0, u, false, rh, rk.cols(2 * u, u));
                }
                unsafe { row_pass(&passes::FwdMix(&pass), rows.clone(), k) };
            }
        });
        Forward { states, saved }
    }

    /// Back-propagation through time from the forward pass's `states` and
    /// `saved` buffers; `dstates` is the gradient of `states`.
    pub fn backward<T: Float>(&self, x: &Inputs<T>, states: &[T], saved: &[T], dstates: &[T]) -> Grads<T> {
        with_acts!(self.act, self.ract, |a, r| self
            .backward_with(x, states, saved, dstates, a, r))
    }

    #[allow(clippy::too_many_arguments)]
    fn backward_with<T: Float, A: ActFn, R: ActFn>(
        &self,
        x: &Inputs<T>,
        states: &[T],
        saved: &[T],
        dstates: &[T],
        act: A,
        ract: R,
    ) -> Grads<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let bu = batch * u;
        let reset_after = self.reset_after;
        let mut dxp = filled(time * batch * G * u, zero);
        // reset_after: the gradient of `a` (what multiplies rk), time order.
        let mut da = if reset_after {
            filled(time * batch * G * u, zero)
        } else {
            Vec::new()
        };
        let mut dh = vec![zero; bu];
        let mut drh = vec![zero; bu];
        let rkt = super::transposed(x.rk, u, G * u);
        let rkt = View::dense(&rkt, 0, G * u, u);
        let (pdx, pda, pdh, pdrh) = (
            Rows::of(&mut dxp),
            Rows::of(&mut da),
            Rows::of(&mut dh),
            Rows::of(&mut drh),
        );
        let pass = passes::Bwd {
            gru: self,
            x,
            act,
            ract,
            pdx,
            pda,
            pdh,
            pdrh,
            states,
            saved,
            dstates,
        };
        for_blocks(batch, time * batch * G * u * u, |rows| {
            let (b0, nb) = (rows.start, rows.len());
            let drop = x.drop.map(|m| m.rows(b0 * u));
            let mut scratch = Vec::new();
            // SAFETY (every access below): this block's rows of each buffer
            // belong to it alone; the row slices of a pass are gone before
            // the product that follows it reads the block.
            for k in (0..time).rev() {
                let t = self.seq.t_of(k);
                unsafe { row_pass(&passes::BwdGates(&pass), rows.clone(), k) };
                let block = (t * batch + b0) * G * u;
                if reset_after {
                    let dav = View::dense(unsafe { pda.read(block, nb * G * u) }, 0, nb, G * u);
                    let dhb = unsafe { pdh.at(b0 * u, nb * u) };
                    project_back(dav, rkt, &Gates::new(0..3, u, drop), &mut scratch, dhb, true);
                    continue;
                }
                // reset_before: d(r * h) = dpre_h @ rk_h^T, then dr and dh.
                {
                    let dpre_h = View::dense(unsafe { pdx.read(block, nb * G * u) }, 0, nb, G * u).cols(2 * u, u);
                    let drh = unsafe { pdrh.at(b0 * u, nb * u) };
                    gemm_serial(drh, 0, u, false, dpre_h, rkt.rows(2 * u, u));
                }
                unsafe { row_pass(&passes::BwdReset(&pass), rows.clone(), k) };
                let dzr = View::dense(unsafe { pdx.read(block, nb * G * u) }, 0, nb, G * u).cols(0, 2 * u);
                let dhb = unsafe { pdh.at(b0 * u, nb * u) };
                project_back(dzr, rkt, &Gates::new(0..2, u, drop), &mut scratch, dhb, true);
            }
        });
        let hp = self.seq.prev_in_time_order(x.h0, states);
        let mut drk = vec![zero; u * G * u];
        let rows = batch * time;
        let mut drb = None;
        if reset_after {
            let dav = View::dense(&da[..], 0, rows, G * u);
            kernel_grad(&hp, dav, &Gates::new(0..3, u, x.drop), time, &mut drk, G * u);
            if x.rb.is_some() {
                drb = Some(super::column_sums(&da, G * u));
            }
        } else {
            let dzr = View::dense(&dxp[..], 0, rows, G * u).cols(0, 2 * u);
            kernel_grad(&hp, dzr, &Gates::new(0..2, u, x.drop), time, &mut drk, G * u);
            let rh = View {
                data: saved,
                off: 3 * u,
                rows,
                cols: u,
                rs: 4 * u,
                cs: 1,
            };
            let dh_pre = View::dense(&dxp[..], 0, rows, G * u).cols(2 * u, u);
            gemm_into(&mut drk, 2 * u, G * u, false, rh.t(), dh_pre);
        }
        let dbias = x.bias.map(|_| super::column_sums(&dxp, G * u));
        Grads {
            dxp,
            dh0: dh,
            drk,
            dbias,
            drb,
        }
    }
}
