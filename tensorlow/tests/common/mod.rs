//! Shared helpers of tensorlow's integration tests: the test device and the
//! finite-difference gradient checks.
//!
//! Every expected number in the tests comes from mathematics or from central
//! differences, never from the code under test.
#![allow(dead_code)]

use tensorlow::random::Generator;
use tensorlow::{DType, Device, GradientTape, Result, Tensor, UnconnectedGradients};

/// The device the op and gradient tests run on: `TENSORLOW_TEST_DEVICE`
/// (`cpu` by default, `cuda` or `cuda:N` for a GPU).
pub fn device() -> Device {
    match std::env::var("TENSORLOW_TEST_DEVICE") {
        Ok(s) if !s.is_empty() && s != "cpu" => match s.as_str() {
            "cuda" | "gpu" => Device::cuda(0).expect("TENSORLOW_TEST_DEVICE=cuda but no usable CUDA device"),
            other => Device::parse(other).expect("TENSORLOW_TEST_DEVICE names a usable device"),
        },
        _ => Device::cpu(),
    }
}

/// An f64 tensor on the test device.
pub fn t64(data: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_slice(data, shape, &device()).unwrap()
}

/// An f32 tensor on the test device.
pub fn t32(data: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(data, shape, &device()).unwrap()
}

/// An integer (int64) index tensor on the test device.
pub fn idx(data: &[i64], shape: &[usize]) -> Tensor {
    Tensor::from_slice(data, shape, &device()).unwrap()
}

/// Uniform f64 values in `[lo, hi)` on the test device, fixed by `seed`.
pub fn uniform(shape: &[usize], lo: f64, hi: f64, seed: u64) -> Tensor {
    Generator::from_seed(seed)
        .uniform(shape, lo, hi, DType::F64, &device())
        .unwrap()
}

/// f64 values with magnitude in `[lo, hi)` and random signs: points kept
/// away from the kink at 0 of abs, relu and friends.
pub fn away_from_zero(shape: &[usize], lo: f64, hi: f64, seed: u64) -> Tensor {
    let mut g = Generator::from_seed(seed);
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            let m = lo + (hi - lo) * g.next_f64();
            if g.next_f64() < 0.5 {
                -m
            } else {
                m
            }
        })
        .collect();
    Tensor::from_vec(v, shape, &device()).unwrap()
}

/// Reads a tensor's values as f64.
pub fn vals(t: &Tensor) -> Vec<f64> {
    t.to_vec::<f64>().unwrap()
}

/// Asserts `|a - b| <= tol * max(1, |b|)` element-wise.
#[track_caller]
pub fn assert_close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ ({} vs {})", a.len(), b.len());
    for (i, (&x, &y)) in a.iter().zip(b).enumerate() {
        let err = (x - y).abs();
        assert!(
            err <= tol * y.abs().max(1.0) && x.is_finite() == y.is_finite(),
            "{what}: element {i}: got {x}, expected {y} (|diff| = {err:e}, tol = {tol:e})\n got: {a:?}\nwant: {b:?}"
        );
    }
}

/// Asserts two tensors have the same shape and values within `tol`.
#[track_caller]
pub fn assert_tensor_close(what: &str, a: &Tensor, b: &Tensor, tol: f64) {
    assert_eq!(a.shape(), b.shape(), "{what}: shapes differ");
    assert_close(what, &vals(a), &vals(b), tol);
}

/// The step of the central differences.
pub const H: f64 = 1e-6;
/// The relative tolerance of the gradient checks.
pub const TOL: f64 = 1e-6;

fn with_value(like: &Tensor, v: Vec<f64>) -> Tensor {
    Tensor::from_vec(v, like.shape(), &like.device()).unwrap()
}

/// Fixed pseudo-random weights in `[0.5, 1.5)` (with random signs) shaped
/// like `like`: `sum(f(x) * w)` makes every output element count with a
/// different weight, so a gradient routed to the wrong element shows.
fn weights(like: &Tensor, seed: u64) -> Tensor {
    let mut g = Generator::from_seed(seed);
    let v: Vec<f64> = (0..like.elem_count())
        .map(|_| {
            let m = 0.5 + g.next_f64();
            if g.next_f64() < 0.5 {
                -m
            } else {
                m
            }
        })
        .collect();
    Tensor::from_vec(v, like.shape(), &like.device()).unwrap()
}

/// `sum(f(xs) * w)` as a scalar tensor.
fn weighted<F: Fn(&[Tensor]) -> Result<Tensor>>(f: &F, xs: &[Tensor], w: &Tensor) -> Result<Tensor> {
    f(xs)?.mul(w)?.sum_all()
}

fn scalar(t: &Tensor) -> f64 {
    t.to_scalar::<f64>().unwrap()
}

/// First-order gradient check: the tape's gradient of `sum(f(x) * w)` (`w`
/// fixed random weights) against central differences with step [`H`], for
/// every element of every input. Inputs must be f64.
#[track_caller]
pub fn check_grad<F: Fn(&[Tensor]) -> Result<Tensor>>(name: &str, f: F, inputs: &[Tensor]) {
    check_grad_opts(name, &f, inputs, H, TOL, false);
}

/// [`check_grad`] plus a second-order check: the gradient computed by a tape
/// nested in another is differentiated again (a Hessian-vector product with
/// a random vector), against central differences of the first gradient.
#[track_caller]
pub fn check_grad2<F: Fn(&[Tensor]) -> Result<Tensor>>(name: &str, f: F, inputs: &[Tensor]) {
    check_grad_opts(name, &f, inputs, H, TOL, true);
}

/// The gradient check with an explicit step, tolerance and order.
#[track_caller]
pub fn check_grad_opts<F: Fn(&[Tensor]) -> Result<Tensor>>(
    name: &str,
    f: &F,
    inputs: &[Tensor],
    h: f64,
    tol: f64,
    second_order: bool,
) {
    for x in inputs {
        assert_eq!(x.dtype(), DType::F64, "{name}: gradient checks need f64 inputs");
    }
    let y = f(inputs).unwrap_or_else(|e| panic!("{name}: forward failed: {e}"));
    let w = weights(&y, 0x5EED ^ y.elem_count() as u64);

    // Analytic gradient from the tape.
    let tape = GradientTape::new();
    for x in inputs {
        tape.watch(x);
    }
    let loss = weighted(f, inputs, &w).unwrap();
    let refs: Vec<&Tensor> = inputs.iter().collect();
    let grads = tape
        .gradient(&loss, &refs)
        .unwrap_or_else(|e| panic!("{name}: gradient failed: {e}"));

    // Numerical gradient by central differences.
    for (i, x) in inputs.iter().enumerate() {
        let g = grads[i]
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no gradient for input {i}"));
        assert_eq!(g.shape(), x.shape(), "{name}: gradient {i} has the wrong shape");
        assert_eq!(g.dtype(), x.dtype(), "{name}: gradient {i} has the wrong dtype");
        let base = vals(x);
        let mut num = vec![0.0; base.len()];
        for j in 0..base.len() {
            let eval = |d: f64| {
                let mut v = base.clone();
                v[j] += d;
                let mut xs = inputs.to_vec();
                xs[i] = with_value(x, v);
                scalar(&weighted(f, &xs, &w).unwrap())
            };
            num[j] = (eval(h) - eval(-h)) / (2.0 * h);
        }
        assert_close(&format!("{name}: d/dx{i}"), &vals(g), &num, tol);
    }

    if second_order {
        check_hvp(name, f, inputs, &w, tol);
    }
}

/// `sum_i sum(grad_i(x) * v_i)` where `grad = d sum(f(x) * w) / dx`,
/// computed with a tape; `outer` (when given) records the computation.
fn grad_dot<F: Fn(&[Tensor]) -> Result<Tensor>>(f: &F, xs: &[Tensor], w: &Tensor, v: &[Tensor]) -> Result<Tensor> {
    let tape = GradientTape::new();
    for x in xs {
        tape.watch(x);
    }
    let loss = weighted(f, xs, w)?;
    let refs: Vec<&Tensor> = xs.iter().collect();
    let gs = tape.gradient_with(&loss, &refs, None, UnconnectedGradients::Zero)?;
    let mut total = Tensor::zeros(&[], DType::F64, &xs[0].device())?;
    for (g, vi) in gs.iter().zip(v) {
        total = total.add(&g.as_ref().expect("zeros requested").mul(vi)?.sum_all()?)?;
    }
    Ok(total)
}

/// Hessian-vector check: d/dx of `<grad(x), v>` through nested tapes against
/// central differences of `<grad(x), v>`.
#[track_caller]
fn check_hvp<F: Fn(&[Tensor]) -> Result<Tensor>>(name: &str, f: &F, inputs: &[Tensor], w: &Tensor, tol: f64) {
    let v: Vec<Tensor> = inputs
        .iter()
        .enumerate()
        .map(|(i, x)| weights(x, 0xF00D + i as u64))
        .collect();
    let outer = GradientTape::new();
    for x in inputs {
        outer.watch(x);
    }
    let s = grad_dot(f, inputs, w, &v).unwrap();
    let refs: Vec<&Tensor> = inputs.iter().collect();
    let hv = outer
        .gradient_with(&s, &refs, None, UnconnectedGradients::Zero)
        .unwrap_or_else(|e| panic!("{name}: second-order gradient failed: {e}"));
    let h = 1e-5;
    for (i, x) in inputs.iter().enumerate() {
        let base = vals(x);
        let mut num = vec![0.0; base.len()];
        for j in 0..base.len() {
            let eval = |d: f64| {
                let mut vv = base.clone();
                vv[j] += d;
                let mut xs = inputs.to_vec();
                xs[i] = with_value(x, vv);
                scalar(&grad_dot(f, &xs, w, &v).unwrap())
            };
            num[j] = (eval(h) - eval(-h)) / (2.0 * h);
        }
        let got = hv[i].as_ref().expect("zeros requested");
        assert_eq!(
            got.shape(),
            x.shape(),
            "{name}: second-order gradient {i} has the wrong shape"
        );
        assert_close(
            &format!("{name}: Hessian-vector product, input {i}"),
            &vals(got),
            &num,
            tol,
        );
    }
}
