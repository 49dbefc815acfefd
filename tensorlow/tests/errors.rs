//! Misuse comes back as an `Error` whose message names what was wrong,
//! never as a panic.

mod common;

use common::*;
use tensorlow::{nn, DType, Error, GradientTape, Tensor, Variable};

fn msg<T: std::fmt::Debug>(r: tensorlow::Result<T>) -> String {
    r.expect_err("expected an error").to_string()
}

#[test]
fn matmul_mismatch_names_both_shapes() {
    let a = t64(&[0.0; 6], &[2, 3]);
    let b = t64(&[0.0; 8], &[2, 4]);
    let m = msg(a.matmul(&b));
    assert!(m.contains("[2, 3]") && m.contains("[2, 4]"), "{m}");
    let m = msg(a.matmul_t(&b, false, true));
    assert!(m.contains("matmul"), "{m}");
    let v = t64(&[0.0; 3], &[3]);
    let m = msg(a.matmul(&v));
    assert!(m.contains("[3]") && m.contains("rank"), "{m}");
    let m = msg(t64(&[0.0; 12], &[2, 2, 3]).matmul(&t64(&[0.0; 18], &[3, 3, 2])));
    assert!(m.contains("[2, 2, 3]") && m.contains("[3, 3, 2]"), "{m}");
}

#[test]
fn broadcast_mismatch_names_both_shapes() {
    let a = t64(&[0.0; 6], &[2, 3]);
    let b = t64(&[0.0; 4], &[4]);
    for (op, r) in [
        ("add", a.add(&b)),
        ("sub", a.sub(&b)),
        ("mul", &a * &b),
        ("div", a.div(&b)),
        ("maximum", a.maximum(&b)),
        ("pow", a.pow(&b)),
    ] {
        let m = msg(r);
        assert!(m.contains("[2, 3]") && m.contains("[4]"), "{op}: {m}");
    }
    let m = msg(a.broadcast_to(&[3, 3]));
    assert!(m.contains("[2, 3]") && m.contains("[3, 3]"), "{m}");
    assert!(a.greater(&b).is_err());
    let mask = Tensor::from_slice(&[1u8, 0, 1, 0], &[4], &device()).unwrap();
    assert!(mask.select(&a, &a).is_err());
}

#[test]
fn dtype_mismatch_is_an_error() {
    let a = t64(&[1.0, 2.0], &[2]);
    let b = t32(&[1.0, 2.0], &[2]);
    let m = msg(a.add(&b));
    assert!(m.contains("float64") && m.contains("float32"), "{m}");
    assert!(a.matmul(&b.reshape(&[2, 1]).unwrap()).is_err());
    assert!(a.pow(&b).is_err());
}

#[test]
fn shape_op_errors() {
    let x = t64(&[0.0; 6], &[2, 3]);
    let m = msg(x.reshape(&[4, 2]));
    assert!(m.contains("[2, 3]") && m.contains("[4, 2]"), "{m}");
    assert!(x.reshape_infer(&[-1, 4]).is_err());
    assert!(x.reshape_infer(&[-1, -1]).is_err());
    assert!(x.permute(&[0, 0]).is_err());
    assert!(x.permute(&[0]).is_err());
    assert!(x.narrow(1, 2, 2).is_err());
    assert!(x.slice(&[0, 0], &[3, 1]).is_err());
    assert!(x.sum(&[2], false).is_err());
    assert!(x.sum(&[-3], false).is_err());
    assert!(x.split(&[1, 1], 1).is_err());
    assert!(x.split_even(2, 1).is_err());
    assert!(Tensor::concat(&[&x, &t64(&[0.0; 4], &[2, 2])], 0).is_err());
    assert!(Tensor::concat(&[], 0).is_err());
    assert!(Tensor::stack(&[&x, &x.transpose().unwrap()], 0).is_err());
    assert!(x.clip_by_value(1.0, -1.0).is_err());
    assert!(Tensor::new(&[1.0f32, 2.0, 3.0], &[2, 2]).is_err());
    assert!(x.to_scalar::<f64>().is_err());
    assert!(x.expand_dims(3).is_err());
}

#[test]
fn index_errors() {
    let x = t64(&[0.0; 6], &[2, 3]);
    let m = msg(x.gather(&idx(&[0, 3], &[2]), 1));
    assert!(m.contains('3'), "{m}");
    // Negative indices are out of range too (TensorFlow does not wrap them).
    let m = msg(x.gather(&idx(&[-1], &[1]), 1));
    assert!(m.contains("index -1"), "{m}");
    assert!(x.gather(&t64(&[0.0], &[1]), 1).is_err(), "float indices");
    assert!(x.take_along_axis(&idx(&[0, 5], &[2, 1]), 1).is_err());
    assert!(x.take_along_axis(&idx(&[-1, 0], &[2, 1]), 1).is_err());
    assert!(x.take_along_axis(&idx(&[0, 1], &[2]), 1).is_err(), "rank mismatch");
    assert!(x.one_hot(3, DType::F32).is_err(), "float indices");
}

#[test]
fn sparse_label_out_of_range() {
    let logits = t64(&[0.0; 6], &[2, 3]);
    let m = msg(nn::sparse_softmax_cross_entropy_with_logits(
        &idx(&[0, 3], &[2]),
        &logits,
    ));
    assert!(m.contains("label 3") && m.contains("3 classes"), "{m}");
    let m = msg(nn::sparse_softmax_cross_entropy_with_logits(
        &idx(&[-1, 0], &[2]),
        &logits,
    ));
    assert!(m.contains("label -1"), "{m}");
    // Shape and dtype mistakes.
    assert!(nn::sparse_softmax_cross_entropy_with_logits(&idx(&[0, 1, 2], &[3]), &logits).is_err());
    assert!(nn::sparse_softmax_cross_entropy_with_logits(&t64(&[0.0, 1.0], &[2]), &logits).is_err());
    assert!(nn::softmax_cross_entropy_with_logits(&t64(&[0.0; 3], &[3]), &logits, -1).is_err());
    assert!(nn::sigmoid_cross_entropy_with_logits(&t64(&[0.0; 3], &[3]), &logits).is_err());
}

#[test]
fn non_persistent_tape_reuse() {
    let x = t64(&[1.0], &[1]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.square().unwrap();
    tape.gradient(&y, &[&x]).unwrap();
    let e = tape.gradient(&y, &[&x]).unwrap_err();
    assert!(matches!(e, Error::Tape(_)), "{e:?}");
    assert!(e.to_string().contains("persistent"), "{e}");
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.square().unwrap();
    tape.jacobian(&y, &x).unwrap();
    assert!(tape.batch_jacobian(&y, &x).is_err());
}

#[test]
fn assign_errors() {
    let v = Variable::new("weights", t64(&[1.0, 2.0], &[2]));
    let m = msg(v.assign(&t64(&[1.0, 2.0, 3.0], &[3])));
    assert!(m.contains("weights") && m.contains("[2]") && m.contains("[3]"), "{m}");
    let m = msg(v.assign(&t32(&[1.0, 2.0], &[2])));
    assert!(m.contains("weights") && m.contains("float32"), "{m}");
    assert!(v.assign_add(&t64(&[1.0], &[1])).is_err());
    assert!(v.assign_sub(&t64(&[1.0; 4], &[2, 2])).is_err());
    // Nothing was written by the failed assignments.
    assert_eq!(vals(&v), vec![1.0, 2.0]);
}

#[test]
fn random_and_device_argument_errors() {
    assert!(tensorlow::random::uniform(&[2], 1.0, 0.0, DType::F32, Some(1)).is_err());
    assert!(tensorlow::random::normal(&[2], 0.0, 1.0, DType::U8, Some(1)).is_err());
    assert!(tensorlow::Device::parse("tpu").is_err());
    assert!(Tensor::range(0.0, 1.0, 0.0, DType::F32, &tensorlow::Device::cpu()).is_err());
}
