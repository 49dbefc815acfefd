//! Element-wise kernels for large buffers, split over the team: ReLU that
//! keeps NaN, ReLU's gradient `g * (x > 0)`, dropout's random mask, and
//! `x op y` where `y` repeats
//! along `x`'s leading axes (a bias over the channels, or an operand of the
//! same shape). A single loop over 11 MB of a convnet's activations is
//! bound by one core's memory bandwidth; two threads move more.
//! Each element is the same expression as in a single loop, so results are
//! the same bits for any number of threads. Outputs are written once, into
//! fresh (uninitialised) memory, not zeroed first.
//!
//! ```ignore
//! // (crate-private) a bias added to every row.
//! let y = elementwise::binary_suffix(Arith::Add, &[1.0f32, 2.0, 3.0, 4.0], &[10.0, 20.0]);
//! assert_eq!(y, vec![11.0, 22.0, 13.0, 24.0]);
//! ```

use super::parallel::{self, SendPtr};
use crate::random::Generator;
use candle_core::WithDType;
use std::mem::MaybeUninit;
use std::ops::Range;

/// Below this many elements a map runs on the calling thread: a smaller
/// buffer sits in the cache of the core that wrote it, and splitting it
/// cost W3's keras tier (its 128 x 512 activations, 64K values) 8%.
pub(crate) const PAR_MIN: usize = 256 * 1024;

/// Below this many elements dropout's mask is drawn on the calling thread
/// (drawing is arithmetic, not memory traffic: it pays to split sooner).
const DRAW_PAR_MIN: usize = 32 * 1024;

/// A new `Vec` of `len` values: `fill(range, out)` must write every
/// element of `out`, the values of indices `range`. Ranges are multiples
/// of `align` long (but the last), split over the team from `min_len`
/// elements.
fn collect<U: Copy + Send>(
    len: usize,
    min_len: usize,
    align: usize,
    fill: impl Fn(Range<usize>, &mut [MaybeUninit<U>]) + Sync,
) -> Vec<U> {
    let mut v: Vec<U> = Vec::with_capacity(len);
    let p = SendPtr(v.as_mut_ptr().cast::<MaybeUninit<U>>());
    parallel::for_each_range(len, min_len, align, |r| {
        // SAFETY: the ranges are disjoint and inside the allocation of
        // `len` elements; `MaybeUninit` needs no initialised memory.
        let out = unsafe { p.slice(r.clone()) };
        fill(r, out);
    });
    // SAFETY: every range of `0..len` was filled (each `fill` writes all
    // of its `out`); a panic in one is re-raised above, before this.
    unsafe { v.set_len(len) };
    v
}

/// `vec![value; len]` written over the team for a large buffer (the
/// zeroed buffers of the kernels): a zeroed allocation that reuses freed
/// memory is one `memset` on the calling thread (6% of W5's samples, its
/// helper idle meanwhile).
pub(crate) fn filled<T: Copy + Send + Sync>(len: usize, value: T) -> Vec<T> {
    if len < PAR_MIN {
        return vec![value; len];
    }
    collect(len, PAR_MIN, 1, |_, out| out.fill(MaybeUninit::new(value)))
}

/// `max(x, 0)`, NaN passed on (`x <= 0` is false for NaN).
pub(crate) fn relu<T: WithDType>(x: &[T]) -> Vec<T> {
    collect(x.len(), PAR_MIN, 1, |r, out| {
        for (o, &x) in out.iter_mut().zip(&x[r]) {
            o.write(if x <= T::zero() { T::zero() } else { x });
        }
    })
}

/// `g` where `x > 0`, else `g * 0` (NaN for a NaN or infinite `g`, as
/// TensorFlow's `ReluGrad`). `g` and `x` have one length.
pub(crate) fn where_positive<T: WithDType>(g: &[T], x: &[T]) -> Vec<T> {
    collect(g.len(), PAR_MIN, 1, |r, out| {
        for ((o, &g), &x) in out.iter_mut().zip(&g[r.clone()]).zip(&x[r]) {
            o.write(if x > T::zero() { g } else { g * T::zero() });
        }
    })
}

/// Dropout's mask of `len` values: `0` where the next draw of `g` (one
/// [`Generator::next_f64`] per element, in order) is below `rate`, else
/// `keep`. Each part draws its own range of the stream from a copy of `g`
/// skipped ahead to it, so the mask is the one a single loop draws.
pub(crate) fn dropout_mask<T: WithDType>(g: &Generator, len: usize, rate: f64, keep: T) -> Vec<T> {
    collect(len, DRAW_PAR_MIN, 1, |r, out| {
        let mut g = g.clone();
        g.skip_u64s(r.start as u64);
        for o in out.iter_mut() {
            o.write(if g.next_f64() < rate { T::zero() } else { keep });
        }
    })
}

/// An arithmetic operator of [`binary_suffix`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

/// `x op y`, `y` repeated along `x` (`x.len()` a multiple of `y.len()`,
/// which is not 0): NumPy broadcasting of a trailing-axes operand.
pub(crate) fn binary_suffix<T: WithDType>(op: Arith, x: &[T], y: &[T]) -> Vec<T> {
    fn rows<T: WithDType>(x: &[T], y: &[T], out: &mut [MaybeUninit<T>], f: impl Fn(T, T) -> T) {
        for (o, x) in out.chunks_mut(y.len()).zip(x.chunks(y.len())) {
            for ((o, &a), &b) in o.iter_mut().zip(x).zip(y) {
                o.write(f(a, b));
            }
        }
    }
    let n = y.len();
    collect(x.len(), PAR_MIN, n, |r, out| {
        let x = &x[r];
        match op {
            Arith::Add => rows(x, y, out, |a, b| a + b),
            Arith::Sub => rows(x, y, out, |a, b| a - b),
            Arith::Mul => rows(x, y, out, |a, b| a * b),
            Arith::Div => rows(x, y, out, |a, b| a / b),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_buffers_split_over_the_team_give_the_single_loop_values() {
        let n = 3 * PAR_MIN + 7;
        let x: Vec<f32> = (0..n).map(|i| ((i * 37 % 101) as f32 - 50.0) / 7.0).collect();
        let mut with_nan = x.clone();
        with_nan[5] = f32::NAN;
        let r = relu(&with_nan);
        assert!(r[5].is_nan());
        assert!(r
            .iter()
            .zip(&with_nan)
            .enumerate()
            .all(|(i, (&r, &x))| i == 5 || r == x.max(0.0)));
        let mut g = vec![1.5f32; n];
        g[0] = f32::INFINITY;
        let w = where_positive(&g, &x);
        assert_eq!(w[0].is_nan(), x[0] <= 0.0);
        assert!((1..n).all(|i| w[i] == if x[i] > 0.0 { 1.5 } else { 0.0 }));
        let y: Vec<f32> = (0..96).map(|j| j as f32 + 0.25).collect();
        let rows = n / 96 * 96;
        for (op, f) in [
            (Arith::Add, (|a, b| a + b) as fn(f32, f32) -> f32),
            (Arith::Sub, |a, b| a - b),
            (Arith::Mul, |a, b| a * b),
            (Arith::Div, |a, b| a / b),
        ] {
            let z = binary_suffix(op, &x[..rows], &y);
            assert!(
                (0..rows).all(|i| z[i].to_bits() == f(x[i], y[i % 96]).to_bits()),
                "{op:?}"
            );
        }
    }
}
