//! The fused simple RNN over a whole sequence, forward and backward:
//! `h_t = act(xp_t + (h_{t-1} ∘ m) @ recurrent_kernel)` (`m` the optional
//! recurrent dropout mask), a masked step carrying `h` over. The states
//! are all the backward pass needs (`act'` is written through `act`'s
//! output).
//!
//! ```ignore
//! // (crate-private)
//! let fwd = Simple { seq, act: Act::Tanh }.forward(&inputs);
//! ```

use super::act::Act;
use super::{for_rows, kernel_grad, project, project_back, DropMasks, Float, Gates, Rows, Seq, View};

/// One simple-RNN configuration.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Simple {
    pub seq: Seq,
    pub act: Act,
}

/// The kernel's inputs.
pub(crate) struct Inputs<'a, T> {
    pub xp: &'a [T],
    pub h0: &'a [T],
    pub rk: &'a [T],
    pub mask: Option<&'a [u8]>,
    pub drop: Option<DropMasks<'a, T>>,
}

/// The gradients with respect to the kernel's inputs.
pub(crate) struct Grads<T> {
    pub dxp: Vec<T>,
    pub dh0: Vec<T>,
    pub drk: Vec<T>,
}

impl Simple {
    /// The states, `(1, batch, time, units)` in processing order.
    pub fn forward<T: Float>(&self, x: &Inputs<T>) -> Vec<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let mut states = vec![zero; batch * time * u];
        let mut z = vec![zero; batch * u];
        let mut scratch = Vec::new();
        let rk = View::dense(x.rk, 0, u, u);
        for k in 0..time {
            let t = self.seq.t_of(k);
            let hprev = self.seq.prev(x.h0, &states, k);
            project(hprev, rk, &Gates::new(0..1, u, x.drop), &mut scratch, &mut z, u);
            let sh = Rows::of(&mut states);
            let z = &z;
            for_rows(batch, 2 * u, |rows| {
                for b in rows {
                    // SAFETY: row `b` belongs to this part only.
                    let h = unsafe { sh.at((b * time + k) * u, u) };
                    if !self.seq.active(x.mask, b, k) {
                        let hp = if k == 0 {
                            &x.h0[b * u..(b + 1) * u]
                        } else {
                            // SAFETY: step k - 1 of row b, written earlier by this row's part.
                            unsafe { &*sh.at((b * time + k - 1) * u, u) }
                        };
                        h.copy_from_slice(hp);
                        continue;
                    }
                    let xr = &x.xp[(b * time + t) * u..(b * time + t + 1) * u];
                    for j in 0..u {
                        h[j] = z[b * u + j] + xr[j];
                    }
                    self.act.apply(h);
                }
            });
        }
        states
    }

    /// Back-propagation through time: `dstates` is the gradient of the
    /// states [`forward`](Self::forward) returned.
    pub fn backward<T: Float>(&self, x: &Inputs<T>, states: &[T], dstates: &[T]) -> Grads<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let mut dxp = vec![zero; batch * time * u];
        let mut dh = vec![zero; batch * u];
        let mut scratch = Vec::new();
        let rk = View::dense(x.rk, 0, u, u);
        for k in (0..time).rev() {
            let t = self.seq.t_of(k);
            let (pdx, pdh) = (Rows::of(&mut dxp), Rows::of(&mut dh));
            for_rows(batch, 2 * u, |rows| {
                for b in rows {
                    // SAFETY: row `b` of each buffer belongs to this part only.
                    let (dz, dh) = unsafe { (pdx.at((b * time + t) * u, u), pdh.at(b * u, u)) };
                    let o = (b * time + k) * u;
                    let gh = &dstates[o..o + u];
                    if !self.seq.active(x.mask, b, k) {
                        for j in 0..u {
                            dh[j] += gh[j];
                        }
                        continue;
                    }
                    let h = &states[o..o + u];
                    for j in 0..u {
                        dz[j] = (dh[j] + gh[j]) * self.act.deriv(h[j]);
                        dh[j] = zero;
                    }
                }
            });
            let dzv = View {
                data: &dxp[..],
                off: t * u,
                rows: batch,
                cols: u,
                rs: time * u,
                cs: 1,
            };
            project_back(dzv, rk, &Gates::new(0..1, u, x.drop), &mut scratch, &mut dh, true);
        }
        let hp = self.seq.prev_in_time_order(x.h0, states);
        let mut drk = vec![zero; u * u];
        let dzv = View::dense(&dxp[..], 0, batch * time, u);
        kernel_grad(&hp, dzv, &Gates::new(0..1, u, x.drop), time, &mut drk, u);
        Grads { dxp, dh0: dh, drk }
    }
}
