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
