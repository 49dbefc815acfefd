//! The fused LSTM over a whole sequence, forward and backward, with Keras'
//! gate order `i, f, c, o`:
//!
//! ```text
//! z = xp_t + h_{t-1} @ recurrent_kernel + bias     (xp_t = x_t @ kernel)
//! i = ract(z_i)  f = ract(z_f)  g = act(z_c)  o = ract(z_o)
//! c_t = f * c_{t-1} + i * g      h_t = o * act(c_t)
//! ```
//!
//! A masked step (mask 0 for a row) carries `h` and `c` over. The forward
//! pass keeps the activated gates and `act(c_t)` for the backward pass,
//! `(time, batch, 5 units)`.
//!
//! ```ignore
//! // (crate-private)
//! let fwd = Lstm { seq, act: Act::Tanh, ract: Act::Sigmoid }.forward(&inputs);
//! ```

use super::act::{with_acts, Act, ActFn, RowPass};
use super::{for_blocks, kernel_grad, project, project_back, row_pass, DropMasks, Float, Gates, Rows, Seq, View};
use crate::cpu::elementwise::filled;

/// One LSTM configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lstm {
    pub seq: Seq,
    pub act: Act,
    pub ract: Act,
}

/// The kernel's inputs (shapes in the module docs of `cpu::rnn`).
pub(crate) struct Inputs<'a, T> {
    pub xp: &'a [T],
    pub h0: &'a [T],
    pub c0: &'a [T],
    pub rk: &'a [T],
    /// `(4 units)`, added to every step's pre-activations.
    pub bias: Option<&'a [T]>,
    pub mask: Option<&'a [u8]>,
    pub drop: Option<DropMasks<'a, T>>,
}

/// What the forward pass returns.
pub(crate) struct Forward<T> {
    /// `(2, time, batch, units)`: the `h` then the `c` states.
    pub states: Vec<T>,
    /// `(time, batch, 5 units)`: `i, f, g, o, act(c)`.
    pub saved: Vec<T>,
}

/// The gradients with respect to the kernel's inputs.
pub(crate) struct Grads<T> {
    pub dxp: Vec<T>,
    pub dh0: Vec<T>,
    pub dc0: Vec<T>,
    pub drk: Vec<T>,
    pub dbias: Option<Vec<T>>,
}

const G: usize = 4;

/// One row of one forward step; every slice is exactly as long as its
/// name says (`gates` 5u, `z`, `xp`, `bias` 4u, the rest u).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn forward_row<T: Float, A: ActFn, R: ActFn>(
    act: A,
    ract: R,
    gates: &mut [T],
    h: &mut [T],
    c: &mut [T],
    z: &[T],
    xp: &[T],
    bias: &[T],
    cp: &[T],
) {
    let u = h.len();
    for (((g, &a), &b), &d) in gates[..4 * u].iter_mut().zip(z).zip(xp).zip(bias) {
        *g = a + b + d;
    }
    ract.apply(&mut gates[..2 * u]);
    act.apply(&mut gates[2 * u..3 * u]);
    ract.apply(&mut gates[3 * u..4 * u]);
    let (ifgo, tc) = gates.split_at_mut(4 * u);
    let (i, f, g, o) = (&ifgo[..u], &ifgo[u..2 * u], &ifgo[2 * u..3 * u], &ifgo[3 * u..]);
    let (tc, c, cp) = (&mut tc[..u], &mut c[..u], &cp[..u]);
    for j in 0..u {
        let cj = f[j] * cp[j] + i[j] * g[j];
        c[j] = cj;
        tc[j] = cj;
    }
    act.apply(tc);
    for ((h, &o), &t) in h.iter_mut().zip(o).zip(tc.iter()) {
        *h = o * t;
    }
}

/// One row of one backward step: `dz` (4u) from the carried `dh`, `dc`
/// and this step's own gradients `gh`, `gc`; `dc` becomes the carry of
/// the previous step and `dh` is cleared for the product that follows.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn backward_row<T: Float, A: ActFn, R: ActFn>(
    act: A,
    ract: R,
    dz: &mut [T],
    dh: &mut [T],
    dc: &mut [T],
    gh: &[T],
    gc: &[T],
    gates: &[T],
    cp: &[T],
) {
    let u = dh.len();
    let (dc, gh, gc, cp) = (&mut dc[..u], &gh[..u], &gc[..u], &cp[..u]);
    let (i, f, g, og, tc) = (
        &gates[..u],
        &gates[u..2 * u],
        &gates[2 * u..3 * u],
        &gates[3 * u..4 * u],
        &gates[4 * u..5 * u],
    );
    let (dzi, rest) = dz.split_at_mut(u);
    let (dzf, rest) = rest.split_at_mut(u);
    let (dzg, dzo) = rest.split_at_mut(u);
    let dzo = &mut dzo[..u];
    for j in 0..u {
        let dhj = dh[j] + gh[j];
        let dcj = dc[j] + gc[j] + dhj * og[j] * act.deriv(tc[j]);
        dzi[j] = dcj * g[j] * ract.deriv(i[j]);
        dzf[j] = dcj * cp[j] * ract.deriv(f[j]);
        dzg[j] = dcj * i[j] * act.deriv(g[j]);
        dzo[j] = dhj * tc[j] * ract.deriv(og[j]);
        dc[j] = dcj * f[j];
        dh[j] = T::of(0.0);
    }
}

/// One forward gate pass's inputs and row buffers, run by [`row_pass`] in
/// the CPU's widest vector build.
#[derive(Clone, Copy)]
struct FwdPass<'a, 'b, T, A, R> {
    lstm: &'a Lstm,
    x: &'a Inputs<'b, T>,
    act: A,
    ract: R,
    sh: Rows<T>,
    sc: Rows<T>,
    sv: Rows<T>,
    pz: Rows<T>,
    bias: &'a [T],
}

impl<T: Float, A: ActFn, R: ActFn> RowPass for FwdPass<'_, '_, T, A, R> {
    /// # Safety
    /// The rows belong to the caller alone, which wrote their step k - 1.
    #[inline(always)]
    unsafe fn run(&self, rows: std::ops::Range<usize>, k: usize) {
        let (x, u, batch) = (self.x, self.lstm.seq.units, self.lstm.seq.batch);
        let (bu, t) = (batch * u, self.lstm.seq.t_of(k));
        let (sh, sc, sv, pz) = (self.sh, self.sc, self.sv, self.pz);
        for b in rows {
            let o = k * bu + b * u;
            let seq = &self.lstm.seq;
            let (hp, cp) = (
                seq.prev_rows(x.h0, sh, k, b..b + 1),
                seq.prev_rows(x.c0, sc, k, b..b + 1),
            );
            let (h, c) = (sh.at(o, u), sc.at(o, u));
            if !self.lstm.seq.active(x.mask, b, k) {
                h.copy_from_slice(hp);
                c.copy_from_slice(cp);
                continue;
            }
            let (gates, zr) = (sv.at((t * batch + b) * 5 * u, 5 * u), pz.read(b * G * u, G * u));
            let xr = &x.xp[(t * batch + b) * G * u..(t * batch + b + 1) * G * u];
            forward_row(self.act, self.ract, gates, h, c, zr, xr, self.bias, cp);
        }
    }
}

/// One backward gate pass's inputs and row buffers (see [`FwdPass`]).
#[derive(Clone, Copy)]
struct BwdPass<'a, 'b, T, A, R> {
    lstm: &'a Lstm,
    x: &'a Inputs<'b, T>,
    act: A,
    ract: R,
    pdx: Rows<T>,
    pdh: Rows<T>,
    pdc: Rows<T>,
    dhs: &'a [T],
    dcs: &'a [T],
    cs: &'a [T],
    saved: &'a [T],
}

impl<T: Float, A: ActFn, R: ActFn> RowPass for BwdPass<'_, '_, T, A, R> {
    /// `dz` from the carried gradients.
    ///
    /// # Safety
    /// The rows belong to the caller alone.
    #[inline(always)]
    unsafe fn run(&self, rows: std::ops::Range<usize>, k: usize) {
        let (x, u, batch) = (self.x, self.lstm.seq.units, self.lstm.seq.batch);
        let (bu, t) = (batch * u, self.lstm.seq.t_of(k));
        for b in rows {
            let (dh, dc) = (self.pdh.at(b * u, u), self.pdc.at(b * u, u));
            let o = k * bu + b * u;
            let (gh, gc) = (&self.dhs[o..o + u], &self.dcs[o..o + u]);
            if !self.lstm.seq.active(x.mask, b, k) {
                // Carried over: the gradients pass to step k - 1.
                for j in 0..u {
                    dh[j] += gh[j];
                    dc[j] += gc[j];
                }
                continue;
            }
            let dz = self.pdx.at((t * batch + b) * G * u, G * u);
            let gates = &self.saved[(t * batch + b) * 5 * u..(t * batch + b + 1) * 5 * u];
            let cp = if k == 0 {
                &x.c0[b * u..(b + 1) * u]
            } else {
                &self.cs[o - bu..o - bu + u]
            };
            backward_row(self.act, self.ract, dz, dh, dc, gh, gc, gates, cp);
        }
    }
}

impl Lstm {
    pub fn forward<T: Float>(&self, x: &Inputs<T>) -> Forward<T> {
        with_acts!(self.act, self.ract, |a, r| self.forward_with(x, a, r))
    }

    fn forward_with<T: Float, A: ActFn, R: ActFn>(&self, x: &Inputs<T>, act: A, ract: R) -> Forward<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let plane = batch * time * u;
        let mut states = filled(2 * plane, zero);
        let mut saved = filled(time * batch * 5 * u, zero);
        let mut z = vec![zero; batch * G * u];
        let rk = View::dense(x.rk, 0, u, G * u);
        let bias = super::bias_or_zeros(x.bias, G * u);
        let bias = &bias[..];
        let (sh, sc) = states.split_at_mut(plane);
        let (sh, sc, sv, pz) = (Rows::of(sh), Rows::of(sc), Rows::of(&mut saved), Rows::of(&mut z));
        let pass = FwdPass {
            lstm: self,
            x,
            act,
            ract,
            sh,
            sc,
            sv,
            pz,
            bias,
        };
        for_blocks(batch, time * batch * G * u * u, |rows| {
            let (b0, nb) = (rows.start, rows.len());
            let drop = x.drop.map(|m| m.rows(b0 * u));
            let mut scratch = Vec::new();
            for k in 0..time {
                {
                    // SAFETY: this block's rows of every buffer belong to
                    // it alone, and it wrote step k - 1's rows already.
                    let hprev = unsafe { self.seq.prev_rows(x.h0, sh, k, rows.clone()) };
                    let zb = unsafe { pz.at(b0 * G * u, nb * G * u) };
                    let hprev = View::dense(hprev, 0, nb, u);
                    project(hprev, rk, &Gates::new(0..G, u, drop), &mut scratch, zb, G * u);
                }
                // SAFETY: as above (the row slices above are gone).
                unsafe { row_pass(&pass, rows.clone(), k) };
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
        let (bu, plane) = (batch * u, batch * time * u);
        let (hs, cs) = states.split_at(plane);
        let (dhs, dcs) = dstates.split_at(plane);
        let mut dxp = filled(time * batch * G * u, zero);
        let mut dh = vec![zero; bu];
        let mut dc = vec![zero; bu];
        let rkt = super::transposed(x.rk, u, G * u);
        let rkt = View::dense(&rkt, 0, G * u, u);
        let (pdx, pdh, pdc) = (Rows::of(&mut dxp), Rows::of(&mut dh), Rows::of(&mut dc));
        let pass = BwdPass {
            lstm: self,
            x,
            act,
            ract,
            pdx,
            pdh,
            pdc,
            dhs,
            dcs,
            cs,
            saved,
        };
        for_blocks(batch, time * batch * G * u * u, |rows| {
            let (b0, nb) = (rows.start, rows.len());
            let drop = x.drop.map(|m| m.rows(b0 * u));
            let mut scratch = Vec::new();
            for k in (0..time).rev() {
                let t = self.seq.t_of(k);
                // SAFETY: this block's rows of every buffer belong to it
                // alone.
                unsafe { row_pass(&pass, rows.clone(), k) };
                // SAFETY: as above; the row slices of the pass are gone.
                let (dz, dhb) = unsafe { (pdx.read((t * batch + b0) * G * u, nb * G * u), pdh.at(b0 * u, nb * u)) };
                let dzv = View::dense(dz, 0, nb, G * u);
                project_back(dzv, rkt, &Gates::new(0..G, u, drop), &mut scratch, dhb, true);
            }
        });
        let hp = self.seq.prev_in_time_order(x.h0, hs);
        let mut drk = vec![zero; u * G * u];
        let dzv = View::dense(&dxp[..], 0, batch * time, G * u);
        kernel_grad(&hp, dzv, &Gates::new(0..G, u, x.drop), time, &mut drk, G * u);
        let dbias = x.bias.map(|_| super::column_sums(&dxp, G * u));
        Grads {
            dxp,
            dh0: dh,
            dc0: dc,
            drk,
            dbias,
        }
    }
}
