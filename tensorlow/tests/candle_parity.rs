//! The gradients of a small MLP (2 layers, tanh, softmax cross-entropy, f64)
//! equal candle's own `Var::backward` on the same expression written
//! directly in candle.

mod common;

use candle_core::{Var, D};
use common::*;
use tensorlow::{nn, GradientTape, Tensor, Variable};

#[test]
fn mlp_gradients_match_candle_backward() {
    let x = uniform(&[6, 4], -1.0, 1.0, 1);
    let labels = nn::softmax(&uniform(&[6, 3], -2.0, 2.0, 2), -1).unwrap();
    let init = [
        uniform(&[4, 5], -0.8, 0.8, 3),
        uniform(&[5], -0.3, 0.3, 4),
        uniform(&[5, 3], -0.8, 0.8, 5),
        uniform(&[3], -0.3, 0.3, 6),
    ];

    // tensorlow: variables, a tape, ops.
    let names = ["w1", "b1", "w2", "b2"];
    let vars: Vec<Variable> = names
        .iter()
        .zip(&init)
        .map(|(n, t)| Variable::new(*n, t.clone()))
        .collect();
    let tape = GradientTape::new();
    let h = x.matmul(&vars[0]).unwrap().add(&vars[1]).unwrap().tanh().unwrap();
    let logits = h.matmul(&vars[2]).unwrap().add(&vars[3]).unwrap();
    let loss = nn::softmax_cross_entropy_with_logits(&labels, &logits, -1)
        .unwrap()
        .mean_all()
        .unwrap();
    let refs: Vec<&Tensor> = vars.iter().map(|v| &**v).collect();
    let grads = tape.gradient(&loss, &refs).unwrap();

    // candle: the same expression on candle Vars, differentiated by candle.
    let cv: Vec<Var> = init.iter().map(|t| Var::from_tensor(t.as_candle()).unwrap()).collect();
    let cx = x.as_candle();
    let cy = labels.as_candle();
    let ch = cx
        .matmul(cv[0].as_tensor())
        .unwrap()
        .broadcast_add(cv[1].as_tensor())
        .unwrap()
        .tanh()
        .unwrap();
    let clogits = ch
        .matmul(cv[2].as_tensor())
        .unwrap()
        .broadcast_add(cv[3].as_tensor())
        .unwrap();
    let lsm = candle_nn::ops::log_softmax(&clogits, D::Minus1).unwrap();
    let closs = (cy * lsm)
        .unwrap()
        .sum(D::Minus1)
        .unwrap()
        .neg()
        .unwrap()
        .mean_all()
        .unwrap();
    let store = closs.backward().unwrap();

    assert_close(
        "loss",
        &[loss.to_scalar::<f64>().unwrap()],
        &[closs.to_scalar::<f64>().unwrap()],
        1e-14,
    );
    for (i, name) in names.iter().enumerate() {
        let ours = grads[i].as_ref().unwrap_or_else(|| panic!("no gradient for {name}"));
        let theirs = store
            .get(cv[i].as_tensor())
            .unwrap_or_else(|| panic!("candle has no gradient for {name}"));
        assert_eq!(ours.shape(), theirs.dims(), "{name}");
        let theirs: Vec<f64> = theirs.flatten_all().unwrap().to_vec1().unwrap();
        assert_close(name, &vals(ours), &theirs, 1e-12);
    }
}

/// Large element-wise ops (tensorlow's CPU kernels split them over the
/// thread team from 256K elements) give candle's own maps' values bit for
/// bit: the arithmetic with a bias over the last axis, with a `(1, n)`
/// operand and with one of the same shape, and ReLU with its gradient.
#[test]
fn large_elementwise_ops_equal_candles_maps_bit_for_bit() {
    let a64 = uniform(&[400, 700], -3.0, 3.0, 11);
    let operands = [
        uniform(&[700], 0.5, 2.0, 12),
        uniform(&[1, 700], 0.5, 2.0, 13),
        uniform(&[400, 700], 0.5, 2.0, 14),
    ];
    for dtype in [tensorlow::DType::F32, tensorlow::DType::F64] {
        let a = a64.cast(dtype).unwrap();
        let bits = |t: &candle_core::Tensor| -> Vec<u64> {
            let t = t.to_dtype(candle_core::DType::F64).unwrap().flatten_all().unwrap();
            t.to_vec1::<f64>().unwrap().iter().map(|v| v.to_bits()).collect()
        };
        for b in &operands {
            let b = b.cast(dtype).unwrap();
            let (ca, cb) = (a.as_candle(), b.as_candle());
            let pairs = [
                (a.add(&b).unwrap(), ca.broadcast_add(cb).unwrap()),
                (a.sub(&b).unwrap(), ca.broadcast_sub(cb).unwrap()),
                (a.mul(&b).unwrap(), ca.broadcast_mul(cb).unwrap()),
                (a.div(&b).unwrap(), ca.broadcast_div(cb).unwrap()),
            ];
            for (i, (ours, theirs)) in pairs.iter().enumerate() {
                assert_eq!(ours.shape(), theirs.dims(), "op {i}, operand {:?}", b.shape());
                assert!(
                    bits(ours.as_candle()) == bits(theirs),
                    "op {i}, operand {:?}, {dtype:?}",
                    b.shape()
                );
            }
        }
        // ReLU and its gradient (`g * (x > 0)`) against candle's relu and a mask.
        let tape = GradientTape::new();
        tape.watch(&a);
        let y = a.relu().unwrap();
        let g = operands[2].cast(dtype).unwrap();
        let dx = tape.gradient_with(&y, &[&a], Some(&g), Default::default()).unwrap()[0]
            .clone()
            .unwrap();
        assert!(
            bits(y.as_candle()) == bits(&a.as_candle().relu().unwrap()),
            "relu {dtype:?}"
        );
        let mask = a.as_candle().gt(0.0).unwrap().to_dtype(a.as_candle().dtype()).unwrap();
        assert!(
            bits(dx.as_candle()) == bits(&g.as_candle().mul(&mask).unwrap()),
            "relu gradient {dtype:?}"
        );
    }
}
