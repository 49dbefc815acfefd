//! Finite-difference gradient checks (first and second order) of the
//! element-wise ops: binary arithmetic with NumPy broadcasting, scalar
//! arithmetic and every unary function and activation.

mod common;

use common::*;
use tensorlow::{Result, Tensor};

/// Shape pairs exercising NumPy broadcasting (both directions, scalars).
const PAIRS: &[(&[usize], &[usize])] = &[
    (&[2, 3], &[2, 3]),
    (&[2, 3], &[3]),
    (&[3], &[2, 3]),
    (&[2, 1], &[1, 3]),
    (&[2, 3], &[]),
    (&[], &[2, 3]),
    (&[2, 1, 3], &[4, 1]),
    (&[1], &[2, 2]),
];

/// Values on a grid `k/10 + offset`, so that the two operands of maximum and
/// minimum never come within 0.05 of each other (no ties, no kink crossed).
fn grid(shape: &[usize], offset: f64, seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut g = tensorlow::random::Generator::from_seed(seed);
    let v: Vec<f64> = (0..n)
        .map(|_| (g.next_u64() % 20) as f64 / 10.0 - 1.0 + offset)
        .collect();
    Tensor::from_vec(v, shape, &device()).unwrap()
}

#[test]
fn add_sub_mul_broadcast() {
    for (k, &(sa, sb)) in PAIRS.iter().enumerate() {
        let a = uniform(sa, -1.0, 1.0, 10 + k as u64);
        let b = uniform(sb, -1.0, 1.0, 20 + k as u64);
        let ins = [a, b];
        check_grad2(&format!("add {sa:?} {sb:?}"), |x| x[0].add(&x[1]), &ins);
        check_grad2(&format!("sub {sa:?} {sb:?}"), |x| x[0].sub(&x[1]), &ins);
        check_grad2(&format!("mul {sa:?} {sb:?}"), |x| x[0].mul(&x[1]), &ins);
        // The operator forms route to the same ops.
        check_grad(&format!("operators {sa:?} {sb:?}"), |x| (&x[0] * &x[1]) - &x[0], &ins);
    }
}

#[test]
fn div_broadcast() {
    for (k, &(sa, sb)) in PAIRS.iter().enumerate() {
        let a = uniform(sa, -1.0, 1.0, 30 + k as u64);
        let b = away_from_zero(sb, 0.5, 1.5, 40 + k as u64);
        check_grad2(&format!("div {sa:?} {sb:?}"), |x| x[0].div(&x[1]), &[a, b]);
    }
}

#[test]
fn pow_broadcast() {
    for (k, &(sa, sb)) in PAIRS.iter().enumerate() {
        let base = uniform(sa, 0.5, 2.0, 50 + k as u64);
        let expo = uniform(sb, -1.5, 2.5, 60 + k as u64);
        check_grad2(&format!("pow {sa:?} {sb:?}"), |x| x[0].pow(&x[1]), &[base, expo]);
    }
}

#[test]
fn pow_forward_matches_math() {
    let x = t64(&[2.0, 9.0, 0.5], &[3]);
    let y = t64(&[3.0, 0.5, -1.0], &[3]);
    assert_close("pow", &vals(&x.pow(&y).unwrap()), &[8.0, 3.0, 2.0], 1e-12);
}

#[test]
fn maximum_minimum_broadcast() {
    for (k, &(sa, sb)) in PAIRS.iter().enumerate() {
        let a = grid(sa, 0.0, 70 + k as u64);
        let b = grid(sb, 0.05, 80 + k as u64);
        let ins = [a, b];
        check_grad2(&format!("maximum {sa:?} {sb:?}"), |x| x[0].maximum(&x[1]), &ins);
        check_grad2(&format!("minimum {sa:?} {sb:?}"), |x| x[0].minimum(&x[1]), &ins);
    }
}

#[test]
fn maximum_tie_goes_to_first_operand() {
    let a = t64(&[1.0, 2.0], &[2]);
    let b = t64(&[1.0, 3.0], &[2]);
    let tape = tensorlow::GradientTape::new();
    tape.watch(&a);
    tape.watch(&b);
    let y = a.maximum(&b).unwrap().sum_all().unwrap();
    let g = tape.gradient(&y, &[&a, &b]).unwrap();
    assert_eq!(vals(g[0].as_ref().unwrap()), vec![1.0, 0.0]);
    assert_eq!(vals(g[1].as_ref().unwrap()), vec![0.0, 1.0]);
}

#[test]
fn scalar_arithmetic() {
    let x = away_from_zero(&[2, 3], 0.5, 1.5, 1);
    let ins = [x];
    check_grad2("affine", |x| x[0].affine(-1.5, 0.25), &ins);
    check_grad2("x + 2", |x| &x[0] + 2.0, &ins);
    check_grad2("2 - x", |x| 2.0 - &x[0], &ins);
    check_grad2("x - 2", |x| &x[0] - 2.0, &ins);
    check_grad2("3 * x", |x| 3.0 * &x[0], &ins);
    check_grad2("x / 4", |x| &x[0] / 4.0, &ins);
    check_grad2("2 / x", |x| 2.0 / &x[0], &ins);
    check_grad2("neg", |x| -&x[0], &ins);
    // Integer powers work for negative bases.
    for e in [2.0, 3.0, -1.0, -2.0] {
        check_grad2(&format!("powf {e}"), move |x| x[0].powf(e), &ins);
    }
    let pos = uniform(&[2, 3], 0.5, 2.0, 2);
    for e in [0.5, 1.5, -0.5, 2.7] {
        check_grad2(
            &format!("powf {e} (positive base)"),
            move |x| x[0].powf(e),
            std::slice::from_ref(&pos),
        );
    }
}

/// The checker itself must catch a wrong gradient: `x * stop_gradient(x)`
/// has tape gradient `x` but numerical gradient `2x`.
#[test]
#[should_panic(expected = "d/dx0")]
fn gradient_check_catches_a_wrong_gradient() {
    check_grad(
        "wrong",
        |x| x[0].mul(&x[0].stop_gradient()),
        &[uniform(&[3], 0.5, 1.0, 1)],
    );
}

/// The second-order check catches a backward rule that is right but not
/// differentiable: `moments`-style stopped mean has the right first
/// derivative of the variance, but the wrong second derivative.
#[test]
#[should_panic(expected = "Hessian-vector product")]
fn second_order_check_catches_a_constant_backward() {
    check_grad2(
        "stopped mean",
        |x| x[0].sub(&x[0].mean_all()?.stop_gradient())?.square()?.mean_all(),
        &[uniform(&[4], -1.0, 1.0, 2)],
    );
}

#[test]
fn scalar_arithmetic_forward() {
    let x = t64(&[1.0, -2.0, 4.0], &[3]);
    assert_eq!(vals(&(2.0 - &x).unwrap()), vec![1.0, 4.0, -2.0]);
    assert_eq!(vals(&(8.0 / &x).unwrap()), vec![8.0, -4.0, 2.0]);
    assert_eq!(vals(&(&x / 2.0).unwrap()), vec![0.5, -1.0, 2.0]);
    assert_eq!(vals(&x.powf(3.0).unwrap()), vec![1.0, -8.0, 64.0]);
    assert_eq!(vals(&x.affine(2.0, 1.0).unwrap()), vec![3.0, -3.0, 9.0]);
}

type Unary = fn(&Tensor) -> Result<Tensor>;

/// Smooth functions checked to second order on points in `[lo, hi)` (with
/// random signs when `signed`).
fn unary_cases() -> Vec<(&'static str, Unary, f64, f64, bool)> {
    vec![
        ("exp", |x| x.exp(), -1.0, 1.0, false),
        ("log", |x| x.log(), 0.3, 2.0, false),
        ("log1p", |x| x.log1p(), -0.5, 2.0, false),
        ("sqrt", |x| x.sqrt(), 0.3, 2.0, false),
        ("rsqrt", |x| x.rsqrt(), 0.3, 2.0, false),
        ("square", |x| x.square(), -2.0, 2.0, false),
        ("abs", |x| x.abs(), 0.2, 2.0, true),
        ("tanh", |x| x.tanh(), -2.0, 2.0, false),
        ("sigmoid", |x| x.sigmoid(), -3.0, 3.0, false),
        ("relu", |x| x.relu(), 0.2, 2.0, true),
        ("relu6", |x| x.relu6(), -2.0, 8.0, false),
        ("leaky_relu", |x| x.leaky_relu(0.2), 0.2, 2.0, true),
        ("elu", |x| x.elu(1.0), 0.2, 2.0, true),
        ("elu alpha 0.5", |x| x.elu(0.5), 0.2, 2.0, true),
        ("selu", |x| x.selu(), 0.2, 2.0, true),
        ("gelu exact", |x| x.gelu(false), -3.0, 3.0, false),
        ("gelu tanh", |x| x.gelu(true), -3.0, 3.0, false),
        ("softplus", |x| x.softplus(), 0.2, 4.0, true),
        ("softsign", |x| x.softsign(), 0.2, 3.0, true),
        ("swish", |x| x.swish(), -3.0, 3.0, false),
        ("sin", |x| x.sin(), -3.0, 3.0, false),
        ("cos", |x| x.cos(), -3.0, 3.0, false),
        ("recip", |x| x.recip(), 0.3, 2.0, true),
        ("erf", |x| x.erf(), -2.0, 2.0, false),
        ("neg", |x| x.neg(), -2.0, 2.0, false),
        ("sign", |x| x.sign(), 0.2, 2.0, true),
    ]
}

#[test]
fn unary_gradients() {
    for (k, (name, f, lo, hi, signed)) in unary_cases().into_iter().enumerate() {
        let x = if signed {
            away_from_zero(&[2, 4], lo, hi, 100 + k as u64)
        } else {
            uniform(&[2, 4], lo, hi, 100 + k as u64)
        };
        // relu6 must avoid its kinks at 0 and 6.
        let x = if name == "relu6" {
            t64(&[-1.5, -0.3, 0.4, 1.0, 2.5, 5.5, 6.5, 7.0], &[2, 4])
        } else {
            x
        };
        check_grad2(name, |x| f(&x[0]), &[x]);
    }
}

/// A closed-form reference for an element-wise function.
type Reference = Box<dyn Fn(f64) -> f64>;

/// The forward values against the closed-form definitions.
#[test]
fn unary_forward_values() {
    let xs = [-2.5, -1.0, -0.3, 0.4, 1.0, 3.0, 7.0];
    let x = t64(&xs, &[7]);
    let phi = |v: f64| 0.5 * (1.0 + libm_erf(v / std::f64::consts::SQRT_2));
    let (a, s) = (1.673_263_242_354_377_3, 1.050_700_987_355_480_5);
    let cases: Vec<(&str, Tensor, Reference)> = vec![
        (
            "sigmoid",
            x.sigmoid().unwrap(),
            Box::new(|v: f64| 1.0 / (1.0 + (-v).exp())),
        ),
        ("relu6", x.relu6().unwrap(), Box::new(|v: f64| v.clamp(0.0, 6.0))),
        (
            "leaky_relu",
            x.leaky_relu(0.2).unwrap(),
            Box::new(|v: f64| if v > 0.0 { v } else { 0.2 * v }),
        ),
        (
            "elu",
            x.elu(1.0).unwrap(),
            Box::new(|v: f64| if v > 0.0 { v } else { v.exp() - 1.0 }),
        ),
        (
            "selu",
            x.selu().unwrap(),
            Box::new(move |v: f64| s * if v > 0.0 { v } else { a * (v.exp() - 1.0) }),
        ),
        ("gelu", x.gelu(false).unwrap(), Box::new(move |v: f64| v * phi(v))),
        (
            "gelu tanh",
            x.gelu(true).unwrap(),
            Box::new(|v: f64| {
                let c = (2.0 / std::f64::consts::PI).sqrt();
                0.5 * v * (1.0 + (c * (v + 0.044715 * v * v * v)).tanh())
            }),
        ),
        ("softplus", x.softplus().unwrap(), Box::new(|v: f64| v.exp().ln_1p())),
        (
            "softsign",
            x.softsign().unwrap(),
            Box::new(|v: f64| v / (1.0 + v.abs())),
        ),
        ("swish", x.swish().unwrap(), Box::new(|v: f64| v / (1.0 + (-v).exp()))),
        ("erf", x.erf().unwrap(), Box::new(libm_erf)),
        ("log1p", x.log1p().unwrap(), Box::new(|v: f64| v.ln_1p())),
    ];
    for (name, got, want) in cases {
        let want: Vec<f64> = xs.iter().map(|&v| want(v)).collect();
        let got = vals(&got);
        // log1p is undefined below -1.
        let keep = |i: usize| !(name == "log1p" && xs[i] <= -1.0);
        let (g, w): (Vec<f64>, Vec<f64>) = (0..xs.len()).filter(|&i| keep(i)).map(|i| (got[i], want[i])).unzip();
        assert_close(name, &g, &w, 1e-12);
    }
}

#[test]
fn log1p_is_accurate_for_tiny_inputs() {
    // log(1 + 1e-10) computed as log(1 + x) after rounding 1 + x loses most digits.
    let x = t64(&[1e-10, -1e-12], &[2]);
    let got = vals(&x.log1p().unwrap());
    for (g, w) in got.iter().zip([1e-10f64.ln_1p(), (-1e-12f64).ln_1p()]) {
        assert!(((g - w) / w).abs() < 1e-14, "log1p: got {g}, expected {w}");
    }
    let tape = tensorlow::GradientTape::new();
    tape.watch(&x);
    let y = x.log1p().unwrap().sum_all().unwrap();
    let g = tape.gradient(&y, &[&x]).unwrap()[0].clone().unwrap();
    assert_close(
        "log1p' tiny",
        &vals(&g),
        &[1.0 / (1.0 + 1e-10), 1.0 / (1.0 - 1e-12)],
        1e-14,
    );
}

#[test]
fn log1p_edges() {
    let x = t64(&[-1.0, f64::INFINITY, 0.0, 3.0], &[4]);
    let y = vals(&x.log1p().unwrap());
    assert_eq!(y[0], f64::NEG_INFINITY);
    assert_eq!(y[1], f64::INFINITY);
    assert_eq!(y[2], 0.0);
    assert!((y[3] - 4f64.ln()).abs() < 1e-15);
    let x = t32(&[1e-7, -0.5], &[2]);
    let y = x.log1p().unwrap().to_vec::<f32>().unwrap();
    assert!((y[0] - 1e-7f32.ln_1p()).abs() <= 1e-7 * 1e-6, "{}", y[0]);
    assert!((y[1] - 0.5f32.ln()).abs() < 1e-7);
}

#[test]
fn softplus_is_stable_for_large_inputs() {
    let x = t64(&[-800.0, 800.0], &[2]);
    assert_eq!(vals(&x.softplus().unwrap()), vec![0.0, 800.0]);
}

/// erf by its Maclaurin series (|x| small) or continued fraction: an
/// independent reference for candle's erf.
fn libm_erf(x: f64) -> f64 {
    if x.abs() < 3.0 {
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
        let mut sum = 0.0;
        let mut term = x; // (-1)^n x^(2n+1) / n!
        for n in 0..200 {
            sum += term / (2 * n + 1) as f64;
            term *= -x * x / (n + 1) as f64;
            if term.abs() < 1e-30 {
                break;
            }
        }
        sum * std::f64::consts::FRAC_2_SQRT_PI
    } else {
        // erfc(x) = exp(-x²)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
        let ax = x.abs();
        let mut f = ax;
        for k in (1..100).rev() {
            f = ax + (k as f64 / 2.0) / f;
        }
        let erfc = (-ax * ax).exp() / std::f64::consts::PI.sqrt() / f;
        x.signum() * (1.0 - erfc)
    }
}
