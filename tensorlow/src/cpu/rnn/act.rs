//! Activations of the fused recurrent kernels over slices, in place, and
//! their derivatives expressed through the activation's *output* (what the
//! backward pass keeps).
//!
//! For `f32`, `tanh` and `sigmoid` are branch-free polynomial forms that
//! the compiler vectorizes (compiled again for AVX2 and for AVX-512, the
//! widest the CPU has chosen at run time), instead of one libm call per
//! element: a W5 step evaluates ~2.3M of them, which as `tanhf`/`expf`
//! calls cost more than its matrix products. Both forms use only IEEE
//! additions, multiplications and divisions (Rust never fuses them), so
//! the vector builds and the baseline give the same bits (tested over a
//! sweep of arguments), whatever the CPU's vector width or thread split. Accuracy over all of
//! `f32`, measured against `f64` references: `tanh` within 7 ulp (4e-7
//! absolute, Eigen's rational approximation), `sigmoid` within 3 ulp (from
//! a Cephes-style `exp` within 1 ulp). NaN propagates. `f64` uses the
//! standard library's functions.
//!
//! ```ignore
//! // (crate-private)
//! let mut v = [0.0f32, 1.0];
//! Act::Sigmoid.apply(&mut v);           // [0.5, 0.7310586] (trait ActFn)
//! assert_eq!(Sigmoid.deriv(v[0]), 0.25);
//! ```

use super::Float;

/// The activations the fused kernels evaluate themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Act {
    Tanh,
    Sigmoid,
    /// Keras 3's `hard_sigmoid`: `relu6(x + 3) / 6`.
    HardSigmoid,
    Relu,
    Linear,
}

/// An activation the kernels' passes are generic over: [`Act`] itself
/// (chosen at run time) or one of the zero-sized [`Tanh`] and
/// [`Sigmoid`], which make the passes of Keras' default pair monomorphic
/// (no `match` per element, so the loops vectorize).
pub(crate) trait ActFn: Copy + Send + Sync {
    /// `xs = act(xs)`.
    fn apply<T: Float>(self, xs: &mut [T]);
    /// `act'(x)` written through `y = act(x)`.
    fn deriv<T: Float>(self, y: T) -> T;
}

/// `tanh`, known at compile time.
#[derive(Clone, Copy)]
pub(crate) struct Tanh;
/// `sigmoid`, known at compile time.
#[derive(Clone, Copy)]
pub(crate) struct Sigmoid;

impl ActFn for Tanh {
    #[inline(always)]
    fn apply<T: Float>(self, xs: &mut [T]) {
        T::tanh_slice(xs)
    }
    #[inline(always)]
    fn deriv<T: Float>(self, y: T) -> T {
        T::of(1.0) - y * y
    }
}

impl ActFn for Sigmoid {
    #[inline(always)]
    fn apply<T: Float>(self, xs: &mut [T]) {
        T::sigmoid_slice(xs)
    }
    #[inline(always)]
    fn deriv<T: Float>(self, y: T) -> T {
        y * (T::of(1.0) - y)
    }
}

impl ActFn for Act {
    fn apply<T: Float>(self, xs: &mut [T]) {
        match self {
            Act::Tanh => Tanh.apply(xs),
            Act::Sigmoid => Sigmoid.apply(xs),
            Act::HardSigmoid => {
                let (three, six, zero) = (T::of(3.0), T::of(6.0), T::of(0.0));
                for x in xs {
                    // Comparisons, not max/min: NaN stays NaN.
                    let y = *x + three;
                    let y = if y < zero {
                        zero
                    } else if y > six {
                        six
                    } else {
                        y
                    };
                    *x = y / six;
                }
            }
            Act::Relu => {
                let zero = T::of(0.0);
                for x in xs {
                    if *x < zero {
                        *x = zero;
                    }
                }
            }
            Act::Linear => {}
        }
    }

    #[inline(always)]
    fn deriv<T: Float>(self, y: T) -> T {
        let (zero, one) = (T::of(0.0), T::of(1.0));
        match self {
            Act::Tanh => Tanh.deriv(y),
            Act::Sigmoid => Sigmoid.deriv(y),
            Act::HardSigmoid => {
                if y > zero && y < one {
                    T::of(1.0 / 6.0)
                } else {
                    zero
                }
            }
            Act::Relu => {
                if y > zero {
                    one
                } else {
                    zero
                }
            }
            Act::Linear => one,
        }
    }
}

/// Calls `f(act, ract)` with the activations as compile-time types for
/// Keras' default pair (tanh, sigmoid), as run-time [`Act`]s otherwise.
macro_rules! with_acts {
    ($act:expr, $ract:expr, |$a:ident, $r:ident| $body:expr) => {
        match ($act, $ract) {
            (Act::Tanh, Act::Sigmoid) => {
                let ($a, $r) = (super::act::Tanh, super::act::Sigmoid);
                $body
            }
            (a, r) => {
                let ($a, $r) = (a, r);
                $body
            }
        }
    };
}
pub(crate) use with_acts;

/// Runs `f` compiled for AVX-512 or AVX2, the widest the CPU has (the
/// passes' plain arithmetic then uses 16 or 8 lanes instead of SSE2's 4;
/// the same IEEE operations, so the same bits).
#[inline(always)]
pub(crate) fn simd<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    match level() {
        // SAFETY: this CPU has the features (checked at run time).
        Level::Avx512 => return unsafe { with_avx512(f) },
        Level::Avx2 => return unsafe { with_avx2(f) },
        Level::Base => {}
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn with_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// A gate pass over batch rows whose loop is compiled into each vector
/// build: [`run_pass`] calls `run` from functions built for AVX-512, AVX2
/// and the baseline, and `run` (always inlined) is compiled into each. A
/// closure handed to [`simd`] is called from the three builds, so the
/// compiler keeps it out of line, built once for the baseline.
pub(crate) trait RowPass {
    /// Step `k` of batch rows `rows`.
    ///
    /// # Safety
    /// As the implementation says (the rows belong to the caller alone).
    unsafe fn run(&self, rows: std::ops::Range<usize>, k: usize);
}

/// `p.run(rows, k)` in the widest vector build this CPU has.
///
/// # Safety
/// As `P::run`.
#[inline(always)]
pub(crate) unsafe fn run_pass<P: RowPass>(p: &P, rows: std::ops::Range<usize>, k: usize) {
    #[cfg(target_arch = "x86_64")]
    match level() {
        // SAFETY: this CPU has the features (checked at run time).
        Level::Avx512 => return pass_avx512(p, rows, k),
        Level::Avx2 => return pass_avx2(p, rows, k),
        Level::Base => {}
    }
    p.run(rows, k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn pass_avx2<P: RowPass>(p: &P, rows: std::ops::Range<usize>, k: usize) {
    p.run(rows, k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn pass_avx512<P: RowPass>(p: &P, rows: std::ops::Range<usize>, k: usize) {
    p.run(rows, k)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn with_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// The widest vector builds this CPU runs.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Base,
    Avx2,
    Avx512,
}

/// Checked once.
#[cfg(target_arch = "x86_64")]
fn level() -> Level {
    static LEVEL: std::sync::OnceLock<Level> = std::sync::OnceLock::new();
    *LEVEL.get_or_init(|| {
        if std::arch::is_x86_feature_detected!("avx512f") {
            Level::Avx512
        } else if std::arch::is_x86_feature_detected!("avx2") {
            Level::Avx2
        } else {
            Level::Base
        }
    })
}

/// `tanh` of every element (see the module docs for the accuracy).
pub(crate) fn tanh_f32(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    match level() {
        // SAFETY: this CPU has the features (checked at run time).
        Level::Avx512 => return unsafe { tanh_f32_avx512(xs) },
        Level::Avx2 => return unsafe { tanh_f32_avx2(xs) },
        Level::Base => {}
    }
    tanh_f32_any(xs)
}

/// `sigmoid` of every element.
pub(crate) fn sigmoid_f32(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    match level() {
        // SAFETY: this CPU has the features (checked at run time).
        Level::Avx512 => return unsafe { sigmoid_f32_avx512(xs) },
        Level::Avx2 => return unsafe { sigmoid_f32_avx2(xs) },
        Level::Base => {}
    }
    sigmoid_f32_any(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tanh_f32_avx2(xs: &mut [f32]) {
    tanh_f32_any(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sigmoid_f32_avx2(xs: &mut [f32]) {
    sigmoid_f32_any(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn tanh_f32_avx512(xs: &mut [f32]) {
    tanh_f32_any(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn sigmoid_f32_avx512(xs: &mut [f32]) {
    sigmoid_f32_any(xs)
}

#[inline(always)]
fn tanh_f32_any(xs: &mut [f32]) {
    for x in xs {
        *x = tanh1(*x);
    }
}

#[inline(always)]
fn sigmoid_f32_any(xs: &mut [f32]) {
    for x in xs {
        *x = sigmoid1(*x);
    }
}

/// Eigen's `generic_fast_tanh_float`: `x P(x²) / Q(x²)` on `x` clamped to
/// ±7.905 (where `tanh` rounds to ±1 in `f32`).
#[inline(always)]
fn tanh1(x: f32) -> f32 {
    const CLAMP: f32 = 7.905_311;
    // NaN stays NaN through clamp.
    let x = x.clamp(-CLAMP, CLAMP);
    let x2 = x * x;
    let mut p = -2.760_768_5e-16_f32;
    p = p * x2 + 2.000_188e-13;
    p = p * x2 + -8.604_672e-11;
    p = p * x2 + 5.122_297e-8;
    p = p * x2 + 1.485_722_4e-5;
    p = p * x2 + 6.372_619_3e-4;
    p = p * x2 + 4.893_524_6e-3;
    let p = p * x;
    let mut q = 1.198_258_4e-6_f32;
    q = q * x2 + 1.185_347_1e-4;
    q = q * x2 + 2.268_434_6e-3;
    q = q * x2 + 4.893_525e-3;
    p / q
}

/// `exp(x)` for `x <= 0` (Cephes' `expf` polynomial), 0 below -87.3
/// (where the result would be subnormal: flushed to zero anyway).
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    let tiny = x < -87.3;
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    // Adding and subtracting 1.5 * 2^23 rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let x = if x < -87.3 { -87.3 } else { x };
    let t = x * LOG2E + ROUND;
    let n = t - ROUND;
    let r = x - n * 0.693_359_4 - n * -2.121_944_4e-4;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let y = p * (r * r) + r + 1.0;
    // 2^n for n in -126..=0: `t`'s low mantissa bits hold n (two's
    // complement) above ROUND's bit pattern; integer ops that vectorize,
    // unlike a float-to-int cast. (NaN gives some scale and stays NaN.)
    let n_bits = t.to_bits().wrapping_sub(ROUND.to_bits());
    let scale = f32::from_bits(n_bits.wrapping_add(127) << 23);
    if tiny {
        0.0
    } else {
        y * scale
    }
}

/// `1 / (1 + e^-x)` through `e = exp(-|x|)`, accurate in relative terms on
/// both sides (`e / (1 + e)` for negative `x`).
#[inline(always)]
fn sigmoid1(x: f32) -> f32 {
    let ax = if x < 0.0 { -x } else { x };
    let e = exp_nonpositive(-ax);
    let s = 1.0 / (1.0 + e);
    if x < 0.0 {
        e * s
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(got: f32, want: f64) -> f64 {
        let w = want as f32;
        let ulp = (f32::from_bits(w.abs().to_bits() + 1) - w.abs()) as f64;
        (got as f64 - want).abs() / ulp
    }

    #[test]
    fn tanh_and_sigmoid_are_within_a_few_ulp_of_f64() {
        let mut worst = (0.0f64, 0.0f64);
        let mut x = -30.0f32;
        while x < 30.0 {
            let t = tanh1(x);
            let s = sigmoid1(x);
            worst.0 = worst.0.max(ulps(t, (x as f64).tanh()));
            worst.1 = worst.1.max(ulps(s, 1.0 / (1.0 + (-(x as f64)).exp())));
            x += 1.7e-4;
        }
        assert!(worst.0 <= 8.0 && worst.1 <= 4.0, "{worst:?}");
        // Tiny arguments keep their relative accuracy.
        for x in [1e-30f32, -3e-8, 1e-4] {
            assert!(ulps(tanh1(x), (x as f64).tanh()) <= 2.0, "{x}");
        }
        assert!(ulps(sigmoid1(-80.0), 1.0 / (1.0 + 80f64.exp())) <= 4.0);
        assert_eq!(sigmoid1(-100.0), 0.0);
        assert_eq!(sigmoid1(100.0), 1.0);
        assert_eq!(tanh1(-100.0), -1.0);
    }

    #[test]
    fn nan_propagates_and_builds_agree() {
        let mut v = vec![f32::NAN, 0.3, -2.0, f32::INFINITY, f32::NEG_INFINITY];
        let mut w = v.clone();
        sigmoid_f32(&mut v);
        sigmoid_f32_any(&mut w);
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &w[1..]);
        assert_eq!((v[3], v[4]), (1.0, 0.0));
        let mut v = vec![f32::NAN, 0.3, -2.0];
        let mut w = v.clone();
        tanh_f32(&mut v);
        tanh_f32_any(&mut w);
        assert!(v[0].is_nan());
        assert_eq!(&v[1..], &w[1..]);
    }

    /// Every vector build this CPU has gives the baseline's bits, over a
    /// sweep of arguments (lengths not a multiple of 16: the loops' tails).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_vector_build_gives_the_baseline_bits() {
        let xs: Vec<f32> = (0..240_001).map(|i| -120.0 + i as f32 * 1e-3).collect();
        let (mut t0, mut s0) = (xs.clone(), xs.clone());
        tanh_f32_any(&mut t0);
        sigmoid_f32_any(&mut s0);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut builds = 0;
        if std::arch::is_x86_feature_detected!("avx2") {
            let (mut t, mut s) = (xs.clone(), xs.clone());
            // SAFETY: the CPU has AVX2 (checked just above).
            unsafe { (tanh_f32_avx2(&mut t), sigmoid_f32_avx2(&mut s)) };
            assert_eq!((bits(&t), bits(&s)), (bits(&t0), bits(&s0)), "AVX2");
            builds += 1;
        }
        if std::arch::is_x86_feature_detected!("avx512f") {
            let (mut t, mut s) = (xs.clone(), xs.clone());
            // SAFETY: the CPU has AVX-512F (checked just above).
            unsafe { (tanh_f32_avx512(&mut t), sigmoid_f32_avx512(&mut s)) };
            assert_eq!((bits(&t), bits(&s)), (bits(&t0), bits(&s0)), "AVX-512");
            builds += 1;
        }
        // The dispatch picks one of them.
        let (mut t, mut s) = (xs.clone(), xs);
        tanh_f32(&mut t);
        sigmoid_f32(&mut s);
        assert_eq!((bits(&t), bits(&s)), (bits(&t0), bits(&s0)));
        eprintln!("vector builds compared: {builds}");
    }
}
