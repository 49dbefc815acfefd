//! The fused LSTM over a whole sequence, forward and backward, with Keras'
//! gate order `i, f, c, o`:
//!
//! ```text
//! z = xp_t + h_{t-1} @ recurrent_kernel        (xp_t = x_t @ kernel + bias)
//! i = ract(z_i)  f = ract(z_f)  g = act(z_c)  o = ract(z_o)
//! c_t = f * c_{t-1} + i * g      h_t = o * act(c_t)
//! ```
//!
//! A masked step (mask 0 for a row) carries `h` and `c` over. The forward
//! pass keeps the activated gates and `act(c_t)` for the backward pass
//! (`(batch, time, 5 units)`, processing order).
//!
//! ```ignore
//! // (crate-private)
//! let fwd = Lstm { seq, act: Act::Tanh, ract: Act::Sigmoid }.forward(&inputs);
//! ```

use super::act::Act;
use super::{for_rows, kernel_grad, project, project_back, DropMasks, Float, Gates, Rows, Seq, View};

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
    pub mask: Option<&'a [u8]>,
    pub drop: Option<DropMasks<'a, T>>,
}

/// What the forward pass returns.
pub(crate) struct Forward<T> {
    /// `(2, batch, time, units)`: the `h` then the `c` states.
    pub states: Vec<T>,
    /// `(batch, time, 5 units)`: `i, f, g, o, act(c)`.
    pub saved: Vec<T>,
}

/// The gradients with respect to the kernel's inputs.
pub(crate) struct Grads<T> {
    pub dxp: Vec<T>,
    pub dh0: Vec<T>,
    pub dc0: Vec<T>,
    pub drk: Vec<T>,
}

const G: usize = 4;

impl Lstm {
    pub fn forward<T: Float>(&self, x: &Inputs<T>) -> Forward<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let plane = batch * time * u;
        let mut states = vec![zero; 2 * plane];
        let mut saved = vec![zero; batch * time * 5 * u];
        let mut z = vec![zero; batch * G * u];
        let mut scratch = Vec::new();
        let rk = View::dense(x.rk, 0, u, G * u);
        for k in 0..time {
            let t = self.seq.t_of(k);
            {
                let hprev = self.seq.prev(x.h0, &states[..plane], k);
                project(hprev, rk, &Gates::new(0..G, u, x.drop), &mut scratch, &mut z, G * u);
            }
            let (sh, sc) = states.split_at_mut(plane);
            let (sh, sc, sv) = (Rows::of(sh), Rows::of(sc), Rows::of(&mut saved));
            let z = &z;
            for_rows(batch, 5 * G * u, |rows| {
                for b in rows {
                    // SAFETY: row `b` of each buffer belongs to this part only.
                    let (h, c, gates) = unsafe {
                        (
                            sh.at((b * time + k) * u, u),
                            sc.at((b * time + k) * u, u),
                            sv.at((b * time + k) * 5 * u, 5 * u),
                        )
                    };
                    let (hp, cp) = if k == 0 {
                        (&x.h0[b * u..(b + 1) * u], &x.c0[b * u..(b + 1) * u])
                    } else {
                        let o = (b * time + k - 1) * u;
                        // SAFETY: step k - 1 of row b, written by this row's part earlier.
                        unsafe { (&*sh.at(o, u), &*sc.at(o, u)) }
                    };
                    if !self.seq.active(x.mask, b, k) {
                        h.copy_from_slice(hp);
                        c.copy_from_slice(cp);
                        continue;
                    }
                    let zr = &z[b * G * u..(b + 1) * G * u];
                    let xr = &x.xp[(b * time + t) * G * u..(b * time + t + 1) * G * u];
                    for j in 0..G * u {
                        gates[j] = zr[j] + xr[j];
                    }
                    self.ract.apply(&mut gates[..2 * u]);
                    self.act.apply(&mut gates[2 * u..3 * u]);
                    self.ract.apply(&mut gates[3 * u..4 * u]);
                    let (ifgo, tc) = gates.split_at_mut(4 * u);
                    let (i, f, g) = (&ifgo[..u], &ifgo[u..2 * u], &ifgo[2 * u..3 * u]);
                    for j in 0..u {
                        let cj = f[j] * cp[j] + i[j] * g[j];
                        c[j] = cj;
                        tc[j] = cj;
                    }
                    self.act.apply(tc);
                    let o = &ifgo[3 * u..];
                    for j in 0..u {
                        h[j] = o[j] * tc[j];
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
        let zero = T::of(0.0);
        let plane = batch * time * u;
        let (hs, cs) = states.split_at(plane);
        let (dhs, dcs) = dstates.split_at(plane);
        let mut dxp = vec![zero; batch * time * G * u];
        let mut dh = vec![zero; batch * u];
        let mut dc = vec![zero; batch * u];
        let mut scratch = Vec::new();
        let rk = View::dense(x.rk, 0, u, G * u);
        for k in (0..time).rev() {
            let t = self.seq.t_of(k);
            {
                let (pdx, pdh, pdc) = (Rows::of(&mut dxp), Rows::of(&mut dh), Rows::of(&mut dc));
                for_rows(batch, 6 * u, |rows| {
                    for b in rows {
                        // SAFETY: row `b` of each buffer belongs to this part only.
                        let (dz, dh, dc) = unsafe {
                            (
                                pdx.at((b * time + t) * G * u, G * u),
                                pdh.at(b * u, u),
                                pdc.at(b * u, u),
                            )
                        };
                        let o = (b * time + k) * u;
                        let (gh, gc) = (&dhs[o..o + u], &dcs[o..o + u]);
                        if !self.seq.active(x.mask, b, k) {
                            // Carried over: the gradients pass to step k - 1.
                            for j in 0..u {
                                dh[j] += gh[j];
                                dc[j] += gc[j];
                            }
                            continue;
                        }
                        let gates = &saved[o * 5..o * 5 + 5 * u];
                        let (i, f, g, og, tc) = (
                            &gates[..u],
                            &gates[u..2 * u],
                            &gates[2 * u..3 * u],
                            &gates[3 * u..4 * u],
                            &gates[4 * u..],
                        );
                        let cp = if k == 0 {
                            &x.c0[b * u..(b + 1) * u]
                        } else {
                            &cs[o - u..o]
                        };
                        for j in 0..u {
                            let dhj = dh[j] + gh[j];
                            let dcj = dc[j] + gc[j] + dhj * og[j] * self.act.deriv(tc[j]);
                            dz[j] = dcj * g[j] * self.ract.deriv(i[j]);
                            dz[u + j] = dcj * cp[j] * self.ract.deriv(f[j]);
                            dz[2 * u + j] = dcj * i[j] * self.act.deriv(g[j]);
                            dz[3 * u + j] = dhj * tc[j] * self.ract.deriv(og[j]);
                            dc[j] = dcj * f[j];
                            // Filled by the product below.
                            dh[j] = zero;
                        }
                    }
                });
            }
            let dzv = View {
                data: &dxp[..],
                off: t * G * u,
                rows: batch,
                cols: G * u,
                rs: time * G * u,
                cs: 1,
            };
            project_back(dzv, rk, &Gates::new(0..G, u, x.drop), &mut scratch, &mut dh, true);
        }
        let hp = self.seq.prev_in_time_order(x.h0, hs);
        let mut drk = vec![zero; u * G * u];
        let dzv = View::dense(&dxp[..], 0, batch * time, G * u);
        kernel_grad(&hp, dzv, &Gates::new(0..G, u, x.drop), time, &mut drk, G * u);
        Grads {
            dxp,
            dh0: dh,
            dc0: dc,
            drk,
        }
    }
}
