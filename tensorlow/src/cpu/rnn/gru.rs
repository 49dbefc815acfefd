//! The fused GRU over a whole sequence, forward and backward, with Keras'
//! gate order `z, r, h` and both of Keras' formulations:
//!
//! ```text
//! reset_after (Keras 3's default; bias (2, 3u): input and recurrent rows):
//!   a = h_{t-1} @ rk + rb
//!   z = ract(xp_z + a_z)  r = ract(xp_r + a_r)  hh = act(xp_h + r * a_h)
//! reset_after = false (bias (3u), inside xp):
//!   z = ract(xp_z + h_{t-1} @ rk_z)  r = ract(xp_r + h_{t-1} @ rk_r)
//!   hh = act(xp_h + (r * h_{t-1}) @ rk_h)
//! both: h_t = z * h_{t-1} + (1 - z) * hh
//! ```
//!
//! With recurrent dropout, `h_{t-1}` inside each product is multiplied by
//! its gate's mask (in `r * h_{t-1}` too), never in the final mix, as in
//! Keras. A masked step carries `h` over. The forward pass keeps
//! `z, r, hh` and `a_h` (reset_after) or `r * h_{t-1}` (reset_before) per
//! row and *time* index, `(batch, time, 4 units)`.
//!
//! ```ignore
//! // (crate-private)
//! let fwd = Gru { seq, act: Act::Tanh, ract: Act::Sigmoid, reset_after: true }.forward(&inputs);
//! ```

use super::act::Act;
use super::{for_rows, gemm_into, kernel_grad, project, project_back, DropMasks, Float, Gates, Rows, Seq, View};

/// One GRU configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Gru {
    pub seq: Seq,
    pub act: Act,
    pub ract: Act,
    pub reset_after: bool,
}

/// The kernel's inputs; `rb` is the recurrent bias row (reset_after only).
pub(crate) struct Inputs<'a, T> {
    pub xp: &'a [T],
    pub h0: &'a [T],
    pub rk: &'a [T],
    pub rb: Option<&'a [T]>,
    pub mask: Option<&'a [u8]>,
    pub drop: Option<DropMasks<'a, T>>,
}

/// What the forward pass returns.
pub(crate) struct Forward<T> {
    /// `(1, batch, time, units)`.
    pub states: Vec<T>,
    /// `(batch, time, 4 units)` in time order.
    pub saved: Vec<T>,
}

/// The gradients with respect to the kernel's inputs.
pub(crate) struct Grads<T> {
    pub dxp: Vec<T>,
    pub dh0: Vec<T>,
    pub drk: Vec<T>,
    /// Of the recurrent bias (reset_after with a bias).
    pub drb: Option<Vec<T>>,
}

const G: usize = 3;

impl Gru {
    fn hprev<'a, T>(&self, h0: &'a [T], states: Rows<T>, b: usize, k: usize) -> &'a [T] {
        let Seq { time, units: u, .. } = self.seq;
        if k == 0 {
            &h0[b * u..(b + 1) * u]
        } else {
            // SAFETY: step k - 1 of row b, written by this row's part earlier.
            unsafe { &*states.at((b * time + k - 1) * u, u) }
        }
    }

    pub fn forward<T: Float>(&self, x: &Inputs<T>) -> Forward<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let (zero, one) = (T::of(0.0), T::of(1.0));
        let mut states = vec![zero; batch * time * u];
        let mut saved = vec![zero; batch * time * 4 * u];
        let mut a = vec![zero; batch * G * u];
        let mut scratch = Vec::new();
        let rk = View::dense(x.rk, 0, u, G * u);
        let bu = batch * u;
        for k in 0..time {
            let t = self.seq.t_of(k);
            let gates = if self.reset_after { 0..3 } else { 0..2 };
            let width = gates.len() * u;
            let hprev = self.seq.prev(x.h0, &states, k);
            project(hprev, rk, &Gates::new(gates, u, x.drop), &mut scratch, &mut a, width);
            let (sh, sv) = (Rows::of(&mut states), Rows::of(&mut saved));
            let a_ref = &a;
            // z and r (and, reset_after, hh and h); reset_before keeps r * h.
            for_rows(batch, 8 * u, |rows| {
                for b in rows {
                    if !self.seq.active(x.mask, b, k) {
                        continue;
                    }
                    let hp = self.hprev(x.h0, sh, b, k);
                    // SAFETY: row `b` belongs to this part only.
                    let sv = unsafe { sv.at((b * time + t) * 4 * u, 4 * u) };
                    let ar = &a_ref[b * width..(b + 1) * width];
                    let xr = &x.xp[(b * time + t) * G * u..(b * time + t + 1) * G * u];
                    for j in 0..2 * u {
                        let rb = x.rb.map_or(zero, |rb| rb[j]);
                        sv[j] = xr[j] + ar[j] + rb;
                    }
                    self.ract.apply(&mut sv[..2 * u]);
                    if self.reset_after {
                        for j in 0..u {
                            let ah = ar[2 * u + j] + x.rb.map_or(zero, |rb| rb[2 * u + j]);
                            sv[3 * u + j] = ah;
                            sv[2 * u + j] = xr[2 * u + j] + sv[u + j] * ah;
                        }
                        self.act.apply(&mut sv[2 * u..3 * u]);
                    } else {
                        let m = x.drop.map(|m| &m.of_gate(2, bu)[b * u..(b + 1) * u]);
                        for j in 0..u {
                            let h = m.map_or(hp[j], |m| hp[j] * m[j]);
                            sv[3 * u + j] = sv[u + j] * h;
                        }
                    }
                }
            });
            if !self.reset_after {
                // a_h = (r * h) @ rk_h, from the rows kept just above.
                let rh = View {
                    data: &saved[..],
                    off: t * 4 * u + 3 * u,
                    rows: batch,
                    cols: u,
                    rs: time * 4 * u,
                    cs: 1,
                };
                gemm_into(&mut a, 0, u, false, rh, rk.cols(2 * u, u));
            }
            let (sh, sv) = (Rows::of(&mut states), Rows::of(&mut saved));
            let a_ref = &a;
            for_rows(batch, 4 * u, |rows| {
                for b in rows {
                    let hp = self.hprev(x.h0, sh, b, k);
                    // SAFETY: row `b` belongs to this part only.
                    let h = unsafe { sh.at((b * time + k) * u, u) };
                    if !self.seq.active(x.mask, b, k) {
                        h.copy_from_slice(hp);
                        continue;
                    }
                    // SAFETY: as above.
                    let sv = unsafe { sv.at((b * time + t) * 4 * u, 4 * u) };
                    if !self.reset_after {
                        let xr = &x.xp[(b * time + t) * G * u..(b * time + t + 1) * G * u];
                        for j in 0..u {
                            sv[2 * u + j] = xr[2 * u + j] + a_ref[b * u + j];
                        }
                        self.act.apply(&mut sv[2 * u..3 * u]);
                    }
                    for j in 0..u {
                        let z = sv[j];
                        h[j] = z * hp[j] + (one - z) * sv[2 * u + j];
                    }
                }
            });
        }
        Forward { states, saved }
    }

    /// Back-propagation through time from the forward pass's `states` and
    /// `saved` buffers; `dstates` is the gradient of `states`.
    pub fn backward<T: Float>(&self, x: &Inputs<T>, states: &[T], saved: &[T], dstates: &[T]) -> Grads<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let (zero, one) = (T::of(0.0), T::of(1.0));
        let bu = batch * u;
        let mut dxp = vec![zero; batch * time * G * u];
        // reset_after: the gradient of `a` (what multiplies rk), time order.
        let mut da = if self.reset_after {
            vec![zero; batch * time * G * u]
        } else {
            Vec::new()
        };
        let mut dh = vec![zero; bu];
        let mut drh = vec![zero; bu];
        let mut scratch = Vec::new();
        let rk = View::dense(x.rk, 0, u, G * u);
        let hprev = |b: usize, k: usize| -> &[T] {
            if k == 0 {
                &x.h0[b * u..(b + 1) * u]
            } else {
                let o = (b * time + k - 1) * u;
                &states[o..o + u]
            }
        };
        for k in (0..time).rev() {
            let t = self.seq.t_of(k);
            let (pdx, pda, pdh) = (Rows::of(&mut dxp), Rows::of(&mut da), Rows::of(&mut dh));
            for_rows(batch, 6 * u, |rows| {
                for b in rows {
                    // SAFETY: row `b` of each buffer belongs to this part only.
                    let (dz, dh) = unsafe { (pdx.at((b * time + t) * G * u, G * u), pdh.at(b * u, u)) };
                    let gh = &dstates[(b * time + k) * u..(b * time + k + 1) * u];
                    if !self.seq.active(x.mask, b, k) {
                        for j in 0..u {
                            dh[j] += gh[j];
                        }
                        continue;
                    }
                    let hp = hprev(b, k);
                    let sv = &saved[(b * time + t) * 4 * u..(b * time + t + 1) * 4 * u];
                    for j in 0..u {
                        let dhj = dh[j] + gh[j];
                        let (z, hh) = (sv[j], sv[2 * u + j]);
                        let dpre_h = dhj * (one - z) * self.act.deriv(hh);
                        dz[j] = dhj * (hp[j] - hh) * self.ract.deriv(z);
                        dz[2 * u + j] = dpre_h;
                        dh[j] = dhj * z;
                    }
                    if self.reset_after {
                        // SAFETY: as above.
                        let da = unsafe { pda.at((b * time + t) * G * u, G * u) };
                        for j in 0..u {
                            let (r, ah, dpre_h) = (sv[u + j], sv[3 * u + j], dz[2 * u + j]);
                            dz[u + j] = dpre_h * ah * self.ract.deriv(r);
                            da[j] = dz[j];
                            da[u + j] = dz[u + j];
                            da[2 * u + j] = dpre_h * r;
                        }
                    }
                }
            });
            if self.reset_after {
                let dav = View {
                    data: &da[..],
                    off: t * G * u,
                    rows: batch,
                    cols: G * u,
                    rs: time * G * u,
                    cs: 1,
                };
                project_back(dav, rk, &Gates::new(0..3, u, x.drop), &mut scratch, &mut dh, true);
                continue;
            }
            // reset_before: d(r * h) = dpre_h @ rk_h^T, then dr and dh.
            let dpre_h = View {
                data: &dxp[..],
                off: t * G * u + 2 * u,
                rows: batch,
                cols: u,
                rs: time * G * u,
                cs: 1,
            };
            gemm_into(&mut drh, 0, u, false, dpre_h, rk.cols(2 * u, u).t());
            let (pdx, pdh) = (Rows::of(&mut dxp), Rows::of(&mut dh));
            let drh_ref = &drh;
            for_rows(batch, 4 * u, |rows| {
                for b in rows {
                    if !self.seq.active(x.mask, b, k) {
                        continue;
                    }
                    // SAFETY: row `b` of each buffer belongs to this part only.
                    let (dz, dh) = unsafe { (pdx.at((b * time + t) * G * u, G * u), pdh.at(b * u, u)) };
                    let hp = hprev(b, k);
                    let m = x.drop.map(|m| &m.of_gate(2, bu)[b * u..(b + 1) * u]);
                    let sv = &saved[(b * time + t) * 4 * u..(b * time + t + 1) * 4 * u];
                    for j in 0..u {
                        let (r, d) = (sv[u + j], drh_ref[b * u + j]);
                        let (h, dhm) = match m {
                            Some(m) => (hp[j] * m[j], d * r * m[j]),
                            None => (hp[j], d * r),
                        };
                        dz[u + j] = d * h * self.ract.deriv(r);
                        dh[j] += dhm;
                    }
                }
            });
            let dzr = View {
                data: &dxp[..],
                off: t * G * u,
                rows: batch,
                cols: 2 * u,
                rs: time * G * u,
                cs: 1,
            };
            project_back(dzr, rk, &Gates::new(0..2, u, x.drop), &mut scratch, &mut dh, true);
        }
        let hp = self.seq.prev_in_time_order(x.h0, states);
        let mut drk = vec![zero; u * G * u];
        let rows = batch * time;
        let mut drb = None;
        if self.reset_after {
            let dav = View::dense(&da[..], 0, rows, G * u);
            kernel_grad(&hp, dav, &Gates::new(0..3, u, x.drop), time, &mut drk, G * u);
            if x.rb.is_some() {
                let mut s = vec![zero; G * u];
                for r in 0..rows {
                    for (sj, &v) in s.iter_mut().zip(&da[r * G * u..(r + 1) * G * u]) {
                        *sj += v;
                    }
                }
                drb = Some(s);
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
        Grads { dxp, dh0: dh, drk, drb }
    }
}
