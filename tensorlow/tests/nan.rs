//! NaN propagates as in TensorFlow. The expected values are TensorFlow's
//! kernels' (tensorflow/core/kernels):
//! - `relu_op_functor.h`: `Relu` is `features.cwiseMax<PropagateNaN>(0)`,
//!   `ReluGrad` is `gradients * (features > 0)`, `Relu6` clips with
//!   `cwiseMax<PropagateNaN>` / `cwiseMin<PropagateNaN>`;
//! - `cwise_ops.h`: `maximum`/`minimum` are `scalar_max_op<T, T, PropagateNaN>`
//!   (and min); `tf.clip_by_value` is `maximum(minimum(t, hi), lo)`;
//! - `reduction_ops_max.cc` / `_min.cc`: `MaxReducer<T, PropagateNaN>`.
//!
//! Before, `relu(NaN)` was 0, `maximum(0, NaN)` was 0 and `reduce_max([1,
//! NaN])` was 1.

mod common;

use common::*;
use tensorlow::{nn, DType, GradientTape, Tensor};

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

/// Element-wise equality where NaN equals NaN.
#[track_caller]
fn same(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g.is_nan() && w.is_nan()) || g == w,
            "{what}: element {i}: got {g}, expected {w}\n got: {got:?}\nwant: {want:?}"
        );
    }
}

fn as_f64(t: &Tensor) -> Vec<f64> {
    t.cast(DType::F64).unwrap().to_vec::<f64>().unwrap()
}

#[test]
fn relu_keeps_nan_in_every_dtype_size_and_layout() {
    let x = [NAN, -1.0, 0.0, 2.0, INF, -INF];
    let want = [NAN, 0.0, 0.0, 2.0, INF, 0.0];
    for dtype in [DType::F32, DType::F64, DType::F16, DType::BF16] {
        let t = t64(&x, &[6]).cast(dtype).unwrap();
        same(&format!("relu {dtype}"), &as_f64(&t.relu().unwrap()), &want);
        same(
            &format!("relu6 {dtype}"),
            &as_f64(&t.relu6().unwrap()),
            &[NAN, 0.0, 0.0, 2.0, 6.0, 0.0],
        );
    }
    // A large tensor, and a transposed (non-contiguous) view.
    let mut big = vec![1.0; 100_000];
    big[77_777] = NAN;
    let r = t32(&big.iter().map(|&v| v as f32).collect::<Vec<_>>(), &[100_000])
        .relu()
        .unwrap();
    let r = as_f64(&r);
    assert!(r[77_777].is_nan() && r.iter().filter(|v| v.is_nan()).count() == 1);
    let m = t64(&[NAN, -1.0, 3.0, -4.0, 5.0, NAN], &[2, 3]).transpose().unwrap();
    same(
        "relu of a view",
        &vals(&m.relu().unwrap()),
        &[NAN, 0.0, 0.0, 5.0, 3.0, NAN],
    );
}

#[test]
fn relu_backward_is_tensorflows_relu_grad() {
    // d/dx sum(relu(x) * w) = w * (x > 0): a NaN weight where x <= 0 still
    // gives NaN (NaN * 0), a NaN x passes no gradient.
    let xs = [NAN, -1.0, 2.0, 0.0, 3.0];
    let ws = [1.0, NAN, 3.0, INF, -2.0];
    let want = [0.0, NAN, 3.0, NAN, -2.0];
    for dtype in [DType::F32, DType::F64, DType::F16] {
        let x = t64(&xs, &[5]).cast(dtype).unwrap();
        let w = t64(&ws, &[5]).cast(dtype).unwrap();
        let tape = GradientTape::new();
        tape.watch(&x);
        let loss = x.relu().unwrap().mul(&w).unwrap().sum_all().unwrap();
        let g = tape.gradient(&loss, &[&x]).unwrap()[0].clone().unwrap();
        same(&format!("relu grad {dtype}"), &as_f64(&g), &want);
    }
}

#[test]
fn maximum_minimum_and_clip_are_nan_where_either_operand_is() {
    let a = t64(&[NAN, 1.0, 0.0, NAN, 5.0], &[5]);
    let b = t64(&[1.0, NAN, 0.0, NAN, -5.0], &[5]);
    same("maximum", &vals(&a.maximum(&b).unwrap()), &[NAN, NAN, 0.0, NAN, 5.0]);
    same(
        "maximum swapped",
        &vals(&b.maximum(&a).unwrap()),
        &[NAN, NAN, 0.0, NAN, 5.0],
    );
    same("minimum", &vals(&a.minimum(&b).unwrap()), &[NAN, NAN, 0.0, NAN, -5.0]);
    same(
        "minimum swapped",
        &vals(&b.minimum(&a).unwrap()),
        &[NAN, NAN, 0.0, NAN, -5.0],
    );
    // Broadcasting: a NaN scalar makes every element NaN, from either side.
    let s = t32(&[f32::NAN], &[1]);
    let v = t32(&[1.0, -2.0, 3.0], &[3]);
    same("maximum(v, NaN)", &as_f64(&v.maximum(&s).unwrap()), &[NAN; 3]);
    same("minimum(NaN, v)", &as_f64(&s.minimum(&v).unwrap()), &[NAN; 3]);
    same(
        "clip_by_value",
        &vals(&t64(&[NAN, -3.0, 0.5, 3.0], &[4]).clip_by_value(-1.0, 1.0).unwrap()),
        &[NAN, -1.0, 0.5, 1.0],
    );
}

#[test]
fn reduce_max_and_min_are_nan_where_the_slice_holds_a_nan() {
    for dtype in [DType::F32, DType::F64] {
        for v in [[1.0, NAN, 3.0], [NAN, 1.0, 3.0], [1.0, 3.0, NAN]] {
            let t = t64(&v, &[3]).cast(dtype).unwrap();
            same(&format!("max {v:?}"), &as_f64(&t.max(&[], false).unwrap()), &[NAN]);
            same(&format!("min {v:?}"), &as_f64(&t.min(&[], false).unwrap()), &[NAN]);
        }
    }
    let m = t64(&[1.0, 2.0, NAN, 0.0], &[2, 2]);
    same("max axis 1", &vals(&m.max(&[1], false).unwrap()), &[2.0, NAN]);
    same("max axis 0", &vals(&m.max(&[0], false).unwrap()), &[NAN, 2.0]);
    same("min axis 0 keepdims", &vals(&m.min(&[0], true).unwrap()), &[NAN, 0.0]);
    // Without NaN nothing changes, integers included.
    same(
        "max",
        &vals(&t64(&[1.0, 3.0, -2.0], &[3]).max(&[], false).unwrap()),
        &[3.0],
    );
    let i = idx(&[4, -7, 2], &[3]);
    assert_eq!(i.min(&[], false).unwrap().to_vec::<i64>().unwrap(), vec![-7]);
}

#[test]
fn other_activations_and_softmax_keep_nan() {
    let x = t64(&[NAN, -1.0, 1.0], &[3]);
    for (name, y) in [
        ("elu", x.elu(1.0)),
        ("selu", x.selu()),
        ("leaky_relu", x.leaky_relu(0.2)),
        ("softplus", x.softplus()),
        ("gelu", x.gelu(false)),
        ("sigmoid", x.sigmoid()),
    ] {
        let y = vals(&y.unwrap());
        assert!(y[0].is_nan() && y[1].is_finite() && y[2].is_finite(), "{name}: {y:?}");
    }
    // One NaN logit makes its whole row NaN (and only that row).
    let logits = t64(&[NAN, 1.0, 0.0, 1.0], &[2, 2]);
    let p = vals(&nn::softmax(&logits, -1).unwrap());
    assert!(
        p[0].is_nan() && p[1].is_nan() && p[2].is_finite() && p[3].is_finite(),
        "{p:?}"
    );
}

#[test]
fn a_nan_input_reaches_the_output_of_a_dense_relu_layer() {
    // The path a training step takes: matmul (the small-loop kernel and the
    // gemm one), bias add, relu. One NaN feature makes its row's outputs NaN.
    for (rows, k, n) in [(4, 3, 5), (64, 128, 96)] {
        let mut xv = vec![0.5; rows * k];
        xv[k] = NAN; // row 1
        let x = t64(&xv, &[rows, k]);
        let w = t64(&vec![-0.1; k * n], &[k, n]);
        let b = t64(&vec![0.0; n], &[n]);
        let y = vals(&x.matmul(&w).unwrap().add(&b).unwrap().relu().unwrap());
        for r in 0..rows {
            let row = &y[r * n..(r + 1) * n];
            if r == 1 {
                assert!(row.iter().all(|v| v.is_nan()), "{rows}x{k}x{n} row {r}: {row:?}");
            } else {
                assert!(row.iter().all(|&v| v == 0.0), "{rows}x{k}x{n} row {r}: {row:?}");
            }
        }
    }
}
