//! The GRU's passes over batch rows, run by [`row_pass`](super::super::row_pass)
//! in the CPU's widest vector build: per forward step the gates and then
//! the state mix, per backward step the gradients of the gates and (with
//! `reset_after = false`) those of `r` and `h` through `r * h`.

use super::super::act::{ActFn, RowPass};
use super::super::{Float, Rows};
use super::{gates_row, Biases, Gru, Inputs, G};
use std::ops::Range;

/// What the forward passes read and write (`a` holds each block's
/// products from `a[b0 * 3u..]`, rows `width` apart).
#[derive(Clone, Copy)]
pub(super) struct Fwd<'a, 'b, T, A, R> {
    pub gru: &'a Gru,
    pub x: &'a Inputs<'b, T>,
    pub act: A,
    pub ract: R,
    pub sh: Rows<T>,
    pub sv: Rows<T>,
    pub pa: Rows<T>,
    pub bs: &'a Biases<T>,
    pub width: usize,
}

/// The gates of step `k` ([`gates_row`]).
pub(super) struct FwdGates<'p, 'a, 'b, T, A, R>(pub &'p Fwd<'a, 'b, T, A, R>);
/// `h_t` from the gates of step `k`.
pub(super) struct FwdMix<'p, 'a, 'b, T, A, R>(pub &'p Fwd<'a, 'b, T, A, R>);

impl<T: Float, A, R> Fwd<'_, '_, T, A, R> {
    /// Row `b`'s previous state.
    ///
    /// # Safety
    /// Step k - 1 of row `b` was written (and nothing writes it now).
    #[inline(always)]
    unsafe fn prev(&self, b: usize, k: usize) -> &[T] {
        self.gru.seq.prev_rows(self.x.h0, self.sh, k, b..b + 1)
    }
}

impl<T: Float, A: ActFn, R: ActFn> RowPass for FwdGates<'_, '_, '_, T, A, R> {
    /// # Safety
    /// The rows (one block) belong to the caller alone, which wrote their
    /// step k - 1 and their products in `a`.
    #[inline(always)]
    unsafe fn run(&self, rows: Range<usize>, k: usize) {
        let p = self.0;
        let (x, seq, width) = (p.x, &p.gru.seq, p.width);
        let (u, batch, b0) = (seq.units, seq.batch, rows.start);
        let (bu, t, reset_after) = (batch * u, seq.t_of(k), p.gru.reset_after);
        for b in rows {
            if !seq.active(x.mask, b, k) {
                continue;
            }
            let hp = p.prev(b, k);
            let m = x.drop.map(|m| &m.of_gate(2, bu)[b * u..(b + 1) * u]);
            let hm: Vec<T>;
            let hm = match (m, reset_after) {
                (Some(m), false) => {
                    hm = hp.iter().zip(m).map(|(&h, &m)| h * m).collect();
                    &hm[..]
                }
                _ => hp,
            };
            let s = p.sv.at((t * batch + b) * 4 * u, 4 * u);
            let xr = &x.xp[(t * batch + b) * G * u..(t * batch + b + 1) * G * u];
            let ar = p.pa.read(b0 * G * u + (b - b0) * width, width);
            gates_row(p.act, p.ract, reset_after, s, xr, ar, p.bs, hm);
        }
    }
}

impl<T: Float, A: ActFn, R: ActFn> RowPass for FwdMix<'_, '_, '_, T, A, R> {
    /// # Safety
    /// As [`FwdGates`], which ran on these rows for step `k` first.
    #[inline(always)]
    unsafe fn run(&self, rows: Range<usize>, k: usize) {
        let p = self.0;
        let (x, seq, one) = (p.x, &p.gru.seq, T::of(1.0));
        let (u, batch, b0) = (seq.units, seq.batch, rows.start);
        let (bu, t) = (batch * u, seq.t_of(k));
        for b in rows {
            let hp = p.prev(b, k);
            let h = p.sh.at(k * bu + b * u, u);
            if !seq.active(x.mask, b, k) {
                h.copy_from_slice(hp);
                continue;
            }
            let s = p.sv.at((t * batch + b) * 4 * u, 4 * u);
            if !p.gru.reset_after {
                let (xh, bx) = (&x.xp[(t * batch + b) * G * u + 2 * u..][..u], &p.bs.bx[2 * u..3 * u]);
                let ah = p.pa.read(b0 * G * u + (b - b0) * u, u);
                let pre = &mut s[2 * u..3 * u];
                for j in 0..u {
                    pre[j] = (xh[j] + bx[j]) + ah[j];
                }
                p.act.apply(pre);
            }
            let (z, hh) = (&s[..u], &s[2 * u..3 * u]);
            for j in 0..u {
                h[j] = z[j] * hp[j] + (one - z[j]) * hh[j];
            }
        }
    }
}

/// What the backward passes read and write.
#[derive(Clone, Copy)]
pub(super) struct Bwd<'a, 'b, T, A, R> {
    pub gru: &'a Gru,
    pub x: &'a Inputs<'b, T>,
    pub act: A,
    pub ract: R,
    pub pdx: Rows<T>,
    pub pda: Rows<T>,
    pub pdh: Rows<T>,
    pub pdrh: Rows<T>,
    pub states: &'a [T],
    pub saved: &'a [T],
    pub dstates: &'a [T],
}

/// The gates' gradients of step `k` from the carried `dh`.
pub(super) struct BwdGates<'p, 'a, 'b, T, A, R>(pub &'p Bwd<'a, 'b, T, A, R>);
/// reset_before: `dr` and `dh` from `d(r * h)`.
pub(super) struct BwdReset<'p, 'a, 'b, T, A, R>(pub &'p Bwd<'a, 'b, T, A, R>);

impl<T: Float, A: ActFn, R: ActFn> RowPass for BwdGates<'_, '_, '_, T, A, R> {
    /// # Safety
    /// The rows belong to the caller alone.
    #[inline(always)]
    unsafe fn run(&self, rows: Range<usize>, k: usize) {
        let p = self.0;
        let (x, seq, one) = (p.x, &p.gru.seq, T::of(1.0));
        let (u, batch) = (seq.units, seq.batch);
        let (bu, t, reset_after) = (batch * u, seq.t_of(k), p.gru.reset_after);
        let (act, ract) = (p.act, p.ract);
        for b in rows {
            let dh = p.pdh.at(b * u, u);
            let gh = &p.dstates[k * bu + b * u..][..u];
            if !seq.active(x.mask, b, k) {
                for j in 0..u {
                    dh[j] += gh[j];
                }
                continue;
            }
            let dz = p.pdx.at((t * batch + b) * G * u, G * u);
            let hp = &seq.prev(x.h0, p.states, k)[b * u..(b + 1) * u];
            let sv = &p.saved[(t * batch + b) * 4 * u..][..4 * u];
            let (z, r, hh, keep) = (&sv[..u], &sv[u..2 * u], &sv[2 * u..3 * u], &sv[3 * u..]);
            let (dzz, rest) = dz.split_at_mut(u);
            let (dzr, dzh) = rest.split_at_mut(u);
            for j in 0..u {
                let dhj = dh[j] + gh[j];
                dzh[j] = dhj * (one - z[j]) * act.deriv(hh[j]);
                dzz[j] = dhj * (hp[j] - hh[j]) * ract.deriv(z[j]);
                dh[j] = dhj * z[j];
            }
            if reset_after {
                let da = p.pda.at((t * batch + b) * G * u, G * u);
                for j in 0..u {
                    dzr[j] = dzh[j] * keep[j] * ract.deriv(r[j]);
                    da[j] = dzz[j];
                    da[u + j] = dzr[j];
                    da[2 * u + j] = dzh[j] * r[j];
                }
            }
        }
    }
}

impl<T: Float, A: ActFn, R: ActFn> RowPass for BwdReset<'_, '_, '_, T, A, R> {
    /// # Safety
    /// The rows belong to the caller alone, whose `d(r * h)` rows are in
    /// `pdrh`.
    #[inline(always)]
    unsafe fn run(&self, rows: Range<usize>, k: usize) {
        let p = self.0;
        let (x, seq) = (p.x, &p.gru.seq);
        let (u, batch) = (seq.units, seq.batch);
        let (bu, t) = (batch * u, seq.t_of(k));
        for b in rows {
            if !seq.active(x.mask, b, k) {
                continue;
            }
            let (dz, dh) = (p.pdx.at((t * batch + b) * G * u, G * u), p.pdh.at(b * u, u));
            let hp = &seq.prev(x.h0, p.states, k)[b * u..(b + 1) * u];
            let m = x.drop.map(|m| &m.of_gate(2, bu)[b * u..(b + 1) * u]);
            let r = &p.saved[(t * batch + b) * 4 * u + u..][..u];
            let d = p.pdrh.read(b * u, u);
            let dzr = &mut dz[u..2 * u];
            for j in 0..u {
                let (h, dhm) = match m {
                    Some(m) => (hp[j] * m[j], d[j] * r[j] * m[j]),
                    None => (hp[j], d[j] * r[j]),
                };
                dzr[j] = d[j] * h * p.ract.deriv(r[j]);
                dh[j] += dhm;
            }
        }
    }
}
