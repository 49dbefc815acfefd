//! GradientTape semantics: what is watched, unconnected gradients,
//! persistence, pausing, nested tapes (higher-order gradients), jacobians.

mod common;

use common::*;
use tensorlow::{nn, no_grad, DType, Error, GradientTape, TapeOptions, Tensor, UnconnectedGradients, Variable};

fn grad1(tape: &GradientTape, y: &Tensor, x: &Tensor) -> Option<Tensor> {
    tape.gradient(y, &[x]).unwrap().into_iter().next().unwrap()
}

#[test]
fn unwatched_tensor_gives_none() {
    let x = t64(&[1.0, 2.0], &[2]);
    let tape = GradientTape::new();
    let y = x.square().unwrap().sum_all().unwrap();
    assert!(grad1(&tape, &y, &x).is_none());
}

#[test]
fn unconnected_gradients_zero() {
    let x = t64(&[1.0, 2.0], &[2]);
    let z = t64(&[3.0, 4.0, 5.0], &[3]);
    let tape = GradientTape::new();
    tape.watch(&x);
    tape.watch(&z);
    let y = x.square().unwrap().sum_all().unwrap();
    let g = tape
        .gradient_with(&y, &[&x, &z], None, UnconnectedGradients::Zero)
        .unwrap();
    assert_eq!(vals(g[0].as_ref().unwrap()), vec![2.0, 4.0]);
    let gz = g[1].as_ref().unwrap();
    assert_eq!(gz.shape(), &[3]);
    assert_eq!(gz.dtype(), DType::F64);
    assert_eq!(vals(gz), vec![0.0; 3]);
    // The default gives None for the unconnected source.
    let tape = GradientTape::new();
    tape.watch(&x);
    tape.watch(&z);
    let y = x.square().unwrap().sum_all().unwrap();
    let g = tape.gradient(&y, &[&x, &z]).unwrap();
    assert!(g[0].is_some() && g[1].is_none());
}

#[test]
fn variables_trainable_watched_non_trainable_not() {
    let w = Variable::new("w", t64(&[1.0, -2.0], &[2]));
    let n = Variable::non_trainable("n", t64(&[3.0, 4.0], &[2]));
    let tape = GradientTape::persistent();
    let y = w.mul(&n).unwrap().sum_all().unwrap();
    let g = tape.gradient(&y, &[&w, &n]).unwrap();
    assert_eq!(vals(g[0].as_ref().unwrap()), vec![3.0, 4.0]);
    assert!(g[1].is_none(), "a non-trainable variable is not watched automatically");
    // ...unless watched explicitly, before use.
    let tape = GradientTape::new();
    tape.watch(&n);
    let y = w.mul(&n).unwrap().sum_all().unwrap();
    let g = tape.gradient(&y, &[&w, &n]).unwrap();
    assert_eq!(vals(g[0].as_ref().unwrap()), vec![3.0, 4.0]);
    assert_eq!(vals(g[1].as_ref().unwrap()), vec![1.0, -2.0]);
    assert!(w.trainable() && !n.trainable());
}

#[test]
fn watch_accessed_variables_false() {
    let w = Variable::new("w", t64(&[2.0], &[1]));
    let v = Variable::new("v", t64(&[5.0], &[1]));
    let tape = GradientTape::with_options(TapeOptions {
        persistent: false,
        watch_accessed_variables: false,
    });
    tape.watch(&v);
    let y = w.mul(&v).unwrap().sum_all().unwrap();
    let g = tape.gradient(&y, &[&w, &v]).unwrap();
    assert!(g[0].is_none(), "trainable but not watched");
    assert_eq!(vals(g[1].as_ref().unwrap()), vec![2.0]);
}

#[test]
fn variable_read_value_and_assign() {
    let w = Variable::new("w", t64(&[1.0, 2.0], &[2]));
    let tape = GradientTape::new();
    let r = w.read_value().unwrap();
    let y = r.powf(3.0).unwrap().sum_all().unwrap();
    // read_value is a snapshot: assigning later does not change it.
    w.assign(&t64(&[10.0, 20.0], &[2])).unwrap();
    assert_eq!(vals(&r), vec![1.0, 2.0]);
    let g = grad1(&tape, &y, &w).unwrap();
    assert_eq!(vals(&g), vec![3.0, 12.0]);
    // value() is live.
    assert_eq!(vals(w.value()), vec![10.0, 20.0]);
    w.assign_add(&t64(&[1.0, 1.0], &[2])).unwrap();
    w.assign_sub(&t64(&[0.5, 0.25], &[2])).unwrap();
    assert_eq!(vals(&w), vec![10.5, 20.75]);
    // A clone shares storage; the initial tensor is never written.
    let init = t64(&[0.0, 0.0], &[2]);
    let a = Variable::new("a", init.clone());
    let b = a.clone();
    b.assign(&t64(&[7.0, 8.0], &[2])).unwrap();
    assert_eq!(vals(&a), vec![7.0, 8.0]);
    assert_eq!(vals(&init), vec![0.0, 0.0]);
    // Assigning a view of the variable's own storage works.
    let c = Variable::new("c", t64(&[1.0, 2.0, 3.0, 4.0], &[2, 2]));
    c.assign(&c.transpose().unwrap()).unwrap();
    assert_eq!(vals(&c), vec![1.0, 3.0, 2.0, 4.0]);
}

#[test]
fn persistent_and_non_persistent() {
    let x = t64(&[3.0], &[1]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.square().unwrap();
    assert_eq!(vals(&grad1(&tape, &y, &x).unwrap()), vec![6.0]);
    match tape.gradient(&y, &[&x]) {
        Err(Error::Tape(msg)) => assert!(msg.contains("persistent"), "{msg}"),
        other => panic!("expected a tape error, got {other:?}"),
    }
    assert!(tape.jacobian(&y, &x).is_err());

    let tape = GradientTape::persistent();
    tape.watch(&x);
    let y = x.square().unwrap();
    let z = x.powf(3.0).unwrap();
    assert_eq!(vals(&grad1(&tape, &y, &x).unwrap()), vec![6.0]);
    assert_eq!(vals(&grad1(&tape, &z, &x).unwrap()), vec![27.0]);
    assert_eq!(vals(&grad1(&tape, &y, &x).unwrap()), vec![6.0]);
    assert_eq!(vals(&tape.jacobian(&z, &x).unwrap()), vec![27.0]);
}

#[test]
fn stop_recording_and_stop() {
    let x = t64(&[2.0], &[1]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let a = x.square().unwrap();
    let b = tape.stop_recording(|| {
        assert!(!tape.is_recording());
        x.powf(3.0).unwrap()
    });
    assert!(tape.is_recording());
    let y = a.add(&b).unwrap();
    // Only x² was recorded: dy/dx = 2x = 4.
    assert_eq!(vals(&grad1(&tape, &y, &x).unwrap()), vec![4.0]);

    let tape = GradientTape::persistent();
    tape.watch(&x);
    let a = x.square().unwrap();
    tape.stop();
    let b = a.mul(&x).unwrap();
    assert_eq!(vals(&grad1(&tape, &a, &x).unwrap()), vec![4.0]);
    assert!(grad1(&tape, &b, &x).is_none(), "recorded nothing after stop()");
}

#[test]
fn no_grad_pauses_every_tape() {
    let x = t64(&[2.0], &[1]);
    let t1 = GradientTape::new();
    let t2 = GradientTape::new();
    t1.watch(&x);
    t2.watch(&x);
    let y = no_grad(|| x.square()).unwrap();
    assert!(grad1(&t1, &y, &x).is_none());
    assert!(grad1(&t2, &y, &x).is_none());
}

#[test]
fn no_grad_holds_while_tapes_are_created_or_used_inside() {
    let x = t64(&[2.0], &[1]);
    let outer = GradientTape::persistent();
    outer.watch(&x);
    let (inner_grad, y) = no_grad(|| {
        // Computing a gradient inside no_grad must not make the outer tape record it.
        let inner = GradientTape::new();
        inner.watch(&x);
        let z = x.powf(3.0).unwrap();
        let g = grad1(&inner, &z, &x).unwrap();
        // A tape created inside no_grad must not un-pause the outer one either.
        let _another = GradientTape::new();
        (g, x.square().unwrap())
    });
    assert_eq!(vals(&inner_grad), vec![12.0]);
    assert!(grad1(&outer, &inner_grad, &x).is_none());
    assert!(grad1(&outer, &y, &x).is_none());
    // Recording resumes after no_grad.
    let w = x.square().unwrap();
    assert_eq!(vals(&grad1(&outer, &w, &x).unwrap()), vec![4.0]);
}

#[test]
fn second_derivative_of_cube() {
    let xs = [-1.5, 0.5, 2.0];
    let x = t64(&xs, &[3]);
    let outer = GradientTape::new();
    outer.watch(&x);
    let inner = GradientTape::new();
    inner.watch(&x);
    let y = x.powf(3.0).unwrap();
    let dy = grad1(&inner, &y, &x).unwrap();
    let d2y = grad1(&outer, &dy, &x).unwrap();
    assert_close("3x²", &vals(&dy), &xs.map(|v| 3.0 * v * v), 1e-12);
    assert_close("6x", &vals(&d2y), &xs.map(|v| 6.0 * v), 1e-12);
    // The same with x * x * x (through mul) and a third derivative.
    let t3 = GradientTape::new();
    t3.watch(&x);
    let t2 = GradientTape::new();
    t2.watch(&x);
    let t1 = GradientTape::new();
    t1.watch(&x);
    let y = x.mul(&x).unwrap().mul(&x).unwrap();
    let d1 = grad1(&t1, &y, &x).unwrap();
    let d2 = grad1(&t2, &d1, &x).unwrap();
    let d3 = grad1(&t3, &d2, &x).unwrap();
    assert_close("d²(x·x·x)", &vals(&d2), &xs.map(|v| 6.0 * v), 1e-12);
    assert_close("d³(x·x·x)", &vals(&d3), &[6.0; 3], 1e-12);
}

/// A 2-layer tanh MLP with softmax cross-entropy, as a function of its
/// parameters (and input) for the gradient checks.
fn mlp_loss(p: &[Tensor], labels: &Tensor) -> tensorlow::Result<Tensor> {
    let (x, w1, b1, w2, b2) = (&p[0], &p[1], &p[2], &p[3], &p[4]);
    let h = x.matmul(w1)?.add(b1)?.tanh()?;
    let logits = h.matmul(w2)?.add(b2)?;
    nn::softmax_cross_entropy_with_logits(labels, &logits, -1)?.mean_all()
}

fn mlp_params() -> Vec<Tensor> {
    vec![
        uniform(&[4, 3], -1.0, 1.0, 1),
        uniform(&[3, 5], -1.0, 1.0, 2),
        uniform(&[5], -0.5, 0.5, 3),
        uniform(&[5, 2], -1.0, 1.0, 4),
        uniform(&[2], -0.5, 0.5, 5),
    ]
}

#[test]
fn mlp_gradient_and_hessian_vector_product() {
    let labels = t64(&[1.0, 0.0, 0.0, 1.0, 0.3, 0.7, 1.0, 0.0], &[4, 2]);
    // First gradient vs finite differences, then the Hessian-vector product
    // (nested tapes) vs finite differences of the first gradient.
    check_grad2("mlp loss", |p| mlp_loss(p, &labels), &mlp_params());
}

#[test]
fn mlp_full_hessian_is_symmetric_and_matches_finite_differences() {
    // Full Hessian of the loss in the second-layer weights: jacobian of the gradient.
    let labels = t64(&[1.0, 0.0, 0.0, 1.0, 0.3, 0.7, 1.0, 0.0], &[4, 2]);
    let p = mlp_params();
    let grad_w2 = |w2: &Tensor| {
        let tape = GradientTape::new();
        tape.watch(w2);
        let mut q = p.clone();
        q[3] = w2.clone();
        let l = mlp_loss(&q, &labels).unwrap();
        grad1(&tape, &l, w2).unwrap()
    };
    let outer = GradientTape::new();
    outer.watch(&p[3]);
    let g = grad_w2(&p[3]);
    let hess = outer.jacobian(&g, &p[3]).unwrap();
    assert_eq!(hess.shape(), &[5, 2, 5, 2]);
    let h = vals(&hess);
    let base = vals(&p[3]);
    let step = 1e-5;
    for j in 0..10 {
        let at = |d: f64| {
            let mut v = base.clone();
            v[j] += d;
            vals(&grad_w2(&t64(&v, &[5, 2])))
        };
        let (plus, minus) = (at(step), at(-step));
        for i in 0..10 {
            let num = (plus[i] - minus[i]) / (2.0 * step);
            assert!(
                (h[i * 10 + j] - num).abs() < 1e-7,
                "H[{i},{j}] = {} vs {num}",
                h[i * 10 + j]
            );
            assert!(
                (h[i * 10 + j] - h[j * 10 + i]).abs() < 1e-12,
                "Hessian not symmetric at {i},{j}"
            );
        }
    }
}

#[test]
fn output_gradients_and_target_as_source() {
    let x = t64(&[1.0, 2.0, 3.0], &[3]);
    let tape = GradientTape::persistent();
    tape.watch(&x);
    let y = x.square().unwrap();
    let v = t64(&[1.0, 0.0, -2.0], &[3]);
    let g = tape
        .gradient_with(&y, &[&x], Some(&v), UnconnectedGradients::None)
        .unwrap();
    assert_eq!(vals(g[0].as_ref().unwrap()), vec![2.0, 0.0, -12.0]);
    // A wrongly shaped vector is an error.
    let bad = t64(&[1.0, 2.0], &[2]);
    assert!(tape
        .gradient_with(&y, &[&x], Some(&bad), UnconnectedGradients::None)
        .is_err());
    // d y / d y = 1.
    assert_eq!(vals(&grad1(&tape, &y, &y).unwrap()), vec![1.0; 3]);
    // A tensor used twice in one op: d(x*x)/dx = 2x.
    let z = x.mul(&x).unwrap().sum_all().unwrap();
    assert_eq!(vals(&grad1(&tape, &z, &x).unwrap()), vec![2.0, 4.0, 6.0]);
    // Gradient with respect to an intermediate.
    let h = x.affine(2.0, 0.0).unwrap();
    let k = h.square().unwrap().sum_all().unwrap();
    let g = tape.gradient(&k, &[&h, &x]).unwrap();
    assert_eq!(vals(g[0].as_ref().unwrap()), vec![4.0, 8.0, 12.0]);
    assert_eq!(vals(g[1].as_ref().unwrap()), vec![8.0, 16.0, 24.0]);
}

#[test]
fn jacobian_of_vector_function() {
    let (a, b) = (0.7, -1.3);
    let x = t64(&[a, b], &[2]);
    let tape = GradientTape::new();
    tape.watch(&x);
    // y = [x0 x1, sin x0, x1², exp(x0 + x1)]
    let x0 = x.narrow(0, 0, 1).unwrap();
    let x1 = x.narrow(0, 1, 1).unwrap();
    let y = Tensor::concat(
        &[
            &x0.mul(&x1).unwrap(),
            &x0.sin().unwrap(),
            &x1.square().unwrap(),
            &x0.add(&x1).unwrap().exp().unwrap(),
        ],
        0,
    )
    .unwrap();
    let j = tape.jacobian(&y, &x).unwrap();
    assert_eq!(j.shape(), &[4, 2]);
    let e = (a + b).exp();
    let want = [b, a, a.cos(), 0.0, 0.0, 2.0 * b, e, e];
    assert_close("jacobian", &vals(&j), &want, 1e-14);
}

#[test]
fn jacobian_of_matrix_function() {
    // y = W x for W (3, 2) has dy/dW[i, (k, l)] = delta_ik x_l.
    let w = uniform(&[3, 2], -1.0, 1.0, 8);
    let x = t64(&[0.5, -2.0], &[2, 1]);
    let tape = GradientTape::new();
    tape.watch(&w);
    let y = w.matmul(&x).unwrap();
    let j = tape.jacobian(&y, &w).unwrap();
    assert_eq!(j.shape(), &[3, 1, 3, 2]);
    let mut want = vec![0.0; 18];
    for i in 0..3 {
        for l in 0..2 {
            want[i * 6 + i * 2 + l] = [0.5, -2.0][l];
        }
    }
    assert_close("jacobian of W x", &vals(&j), &want, 1e-15);
}

#[test]
fn batch_jacobian_per_example() {
    // y_b = tanh(x_b W) for x (4, 3), W (3, 2): J[b] = diag(1 - y_b²) W^T, shape (4, 2, 3).
    let x = uniform(&[4, 3], -1.0, 1.0, 9);
    let wv = [0.3, -0.7, 1.1, 0.2, -0.4, 0.9];
    let w = t64(&wv, &[3, 2]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.matmul(&w).unwrap().tanh().unwrap();
    let j = tape.batch_jacobian(&y, &x).unwrap();
    assert_eq!(j.shape(), &[4, 2, 3]);
    let yv = vals(&y);
    let mut want = vec![0.0; 24];
    for b in 0..4 {
        for m in 0..2 {
            for n in 0..3 {
                want[b * 6 + m * 3 + n] = (1.0 - yv[b * 2 + m].powi(2)) * wv[n * 2 + m];
            }
        }
    }
    assert_close("batch_jacobian", &vals(&j), &want, 1e-14);
    // Mismatched batch dimensions are an error.
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.sum(&[0], false).unwrap();
    assert!(tape.batch_jacobian(&y, &x).is_err());
}

#[test]
fn tapes_are_independent_of_each_other() {
    let x = t64(&[1.5], &[1]);
    let a = GradientTape::new();
    a.watch(&x);
    let y = x.square().unwrap();
    // A tape started later does not see what happened before it.
    let b = GradientTape::new();
    b.watch(&x);
    let z = y.mul(&x).unwrap();
    assert!(grad1(&b, &z, &x).is_some());
    // b recorded only z = y x with y constant to it: dz/dx = y = 2.25.
    let b2 = GradientTape::new();
    b2.watch(&x);
    let z2 = y.mul(&x).unwrap();
    assert_eq!(vals(&grad1(&b2, &z2, &x).unwrap()), vec![2.25]);
    // a saw both: d(x³)/dx = 3x² = 6.75.
    assert_eq!(vals(&grad1(&a, &z2, &x).unwrap()), vec![6.75]);
}

#[test]
fn reset_forgets_records() {
    let x = t64(&[2.0], &[1]);
    let tape = GradientTape::persistent();
    tape.watch(&x);
    let y = x.square().unwrap();
    tape.reset();
    tape.watch(&x);
    let z = x.powf(3.0).unwrap();
    assert!(grad1(&tape, &y, &x).is_none());
    assert_eq!(vals(&grad1(&tape, &z, &x).unwrap()), vec![12.0]);
}

#[test]
fn f32_gradients() {
    let w = Variable::new("w", t32(&[1.0, 2.0], &[2]));
    let tape = GradientTape::new();
    let y = w.square().unwrap().sum_all().unwrap();
    let g = grad1(&tape, &y, &w).unwrap();
    assert_eq!(g.dtype(), DType::F32);
    assert_eq!(g.to_vec::<f32>().unwrap(), vec![2.0, 4.0]);
}
