//! The fused simple RNN over a whole sequence, forward and backward:
//! `h_t = act(xp_t + (h_{t-1} ∘ m) @ recurrent_kernel + bias)` (`m` the
//! optional recurrent dropout mask), a masked step carrying `h` over. The
//! states are all the backward pass needs (`act'` is written through
//! `act`'s output).
//!
//! ```ignore
//! // (crate-private)
//! let states = Simple { seq, act: Act::Tanh }.forward(&inputs);
//! ```

use super::act::{Act, ActFn, RowPass};
use super::{for_blocks, kernel_grad, project, project_back, row_pass, DropMasks, Float, Gates, Rows, Seq, View};
use crate::cpu::elementwise::filled;

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
    /// `(units)`, added to every step's pre-activations.
    pub bias: Option<&'a [T]>,
    pub mask: Option<&'a [u8]>,
    pub drop: Option<DropMasks<'a, T>>,
}

/// The gradients with respect to the kernel's inputs.
pub(crate) struct Grads<T> {
    pub dxp: Vec<T>,
    pub dh0: Vec<T>,
    pub drk: Vec<T>,
    pub dbias: Option<Vec<T>>,
}

/// One forward step's pass over batch rows, run by [`row_pass`] in the
/// CPU's widest vector build.
#[derive(Clone, Copy)]
struct FwdPass<'a, 'b, T, A> {
    simple: &'a Simple,
    x: &'a Inputs<'b, T>,
    act: A,
    sh: Rows<T>,
    pz: Rows<T>,
    bias: &'a [T],
}

impl<T: Float, A: ActFn> RowPass for FwdPass<'_, '_, T, A> {
    /// # Safety
    /// The rows belong to the caller alone, which wrote their step k - 1.
    #[inline(always)]
    unsafe fn run(&self, rows: std::ops::Range<usize>, k: usize) {
        let (x, seq) = (self.x, &self.simple.seq);
        let (u, batch) = (seq.units, seq.batch);
        let (bu, t) = (batch * u, seq.t_of(k));
        for b in rows {
            let o = k * bu + b * u;
            let hp = seq.prev_rows(x.h0, self.sh, k, b..b + 1);
            let h = self.sh.at(o, u);
            if !seq.active(x.mask, b, k) {
                h.copy_from_slice(hp);
                continue;
            }
            let xr = &x.xp[(t * batch + b) * u..][..u];
            let zr = self.pz.read(b * u, u);
            for (((h, &z), &x), &bb) in h.iter_mut().zip(zr).zip(xr).zip(self.bias) {
                *h = z + x + bb;
            }
            self.act.apply(h);
        }
    }
}

/// One backward step's pass over batch rows (see [`FwdPass`]).
#[derive(Clone, Copy)]
struct BwdPass<'a, 'b, T, A> {
    simple: &'a Simple,
    x: &'a Inputs<'b, T>,
    act: A,
    pdx: Rows<T>,
    pdh: Rows<T>,
    states: &'a [T],
    dstates: &'a [T],
}

impl<T: Float, A: ActFn> RowPass for BwdPass<'_, '_, T, A> {
    /// # Safety
    /// The rows belong to the caller alone.
    #[inline(always)]
    unsafe fn run(&self, rows: std::ops::Range<usize>, k: usize) {
        let (x, seq) = (self.x, &self.simple.seq);
        let (u, batch) = (seq.units, seq.batch);
        let (bu, t) = (batch * u, seq.t_of(k));
        for b in rows {
            let dh = self.pdh.at(b * u, u);
            let o = k * bu + b * u;
            let gh = &self.dstates[o..o + u];
            if !seq.active(x.mask, b, k) {
                for (d, &g) in dh.iter_mut().zip(gh) {
                    *d += g;
                }
                continue;
            }
            let dz = self.pdx.at((t * batch + b) * u, u);
            let h = &self.states[o..o + u];
            for j in 0..u {
                dz[j] = (dh[j] + gh[j]) * self.act.deriv(h[j]);
                dh[j] = T::of(0.0);
            }
        }
    }
}

impl Simple {
    /// The states, `(1, time, batch, units)` in processing order.
    pub fn forward<T: Float>(&self, x: &Inputs<T>) -> Vec<T> {
        match self.act {
            Act::Tanh => self.forward_with(x, super::act::Tanh),
            a => self.forward_with(x, a),
        }
    }

    fn forward_with<T: Float, A: ActFn>(&self, x: &Inputs<T>, act: A) -> Vec<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let bu = batch * u;
        let mut states = filled(time * bu, zero);
        let mut z = vec![zero; bu];
        let rk = View::dense(x.rk, 0, u, u);
        let bias = super::bias_or_zeros(x.bias, u);
        let bias = &bias[..];
        let (sh, pz) = (Rows::of(&mut states), Rows::of(&mut z));
        let pass = FwdPass {
            simple: self,
            x,
            act,
            sh,
            pz,
            bias,
        };
        for_blocks(batch, time * batch * u * u, |rows| {
            let (b0, nb) = (rows.start, rows.len());
            let drop = x.drop.map(|m| m.rows(b0 * u));
            let mut scratch = Vec::new();
            // SAFETY (every access below): this block's rows of each buffer
            // belong to it alone, and it wrote step k - 1's rows already.
            for k in 0..time {
                {
                    let hprev = unsafe { self.seq.prev_rows(x.h0, sh, k, rows.clone()) };
                    let zb = unsafe { pz.at(b0 * u, nb * u) };
                    project(
                        View::dense(hprev, 0, nb, u),
                        rk,
                        &Gates::new(0..1, u, drop),
                        &mut scratch,
                        zb,
                        u,
                    );
                }
                unsafe { row_pass(&pass, rows.clone(), k) };
            }
        });
        states
    }

    /// Back-propagation through time: `dstates` is the gradient of the
    /// states [`forward`](Self::forward) returned.
    pub fn backward<T: Float>(&self, x: &Inputs<T>, states: &[T], dstates: &[T]) -> Grads<T> {
        match self.act {
            Act::Tanh => self.backward_with(x, states, dstates, super::act::Tanh),
            a => self.backward_with(x, states, dstates, a),
        }
    }

    fn backward_with<T: Float, A: ActFn>(&self, x: &Inputs<T>, states: &[T], dstates: &[T], act: A) -> Grads<T> {
        let Seq {
            batch, time, units: u, ..
        } = self.seq;
        let zero = T::of(0.0);
        let bu = batch * u;
        let mut dxp = filled(time * bu, zero);
        let mut dh = vec![zero; bu];
        let rkt = super::transposed(x.rk, u, u);
        let rkt = View::dense(&rkt, 0, u, u);
        let (pdx, pdh) = (Rows::of(&mut dxp), Rows::of(&mut dh));
        let pass = BwdPass {
            simple: self,
            x,
            act,
            pdx,
            pdh,
            states,
            dstates,
        };
        for_blocks(batch, time * batch * u * u, |rows| {
            let (b0, nb) = (rows.start, rows.len());
            let drop = x.drop.map(|m| m.rows(b0 * u));
            let mut scratch = Vec::new();
            // SAFETY (every access below): this block's rows of each buffer
            // belong to it alone; the pass's row slices are gone before the
            // product reads the block.
            for k in (0..time).rev() {
                let t = self.seq.t_of(k);
                unsafe { row_pass(&pass, rows.clone(), k) };
                let dzv = View::dense(unsafe { pdx.read((t * batch + b0) * u, nb * u) }, 0, nb, u);
                let dhb = unsafe { pdh.at(b0 * u, nb * u) };
                project_back(dzv, rkt, &Gates::new(0..1, u, drop), &mut scratch, dhb, true);
            }
        });
        let hp = self.seq.prev_in_time_order(x.h0, states);
        let mut drk = vec![zero; u * u];
        let dzv = View::dense(&dxp[..], 0, batch * time, u);
        kernel_grad(&hp, dzv, &Gates::new(0..1, u, x.drop), time, &mut drk, u);
        let dbias = x.bias.map(|_| super::column_sums(&dxp, u));
        Grads {
            dxp,
            dh0: dh,
            drk,
            dbias,
        }
    }
}
