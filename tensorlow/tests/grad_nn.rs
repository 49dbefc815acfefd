//! Finite-difference gradient checks and forward values of `tensorlow::nn`:
//! softmax, log_softmax, the cross-entropy losses, l2_loss, moments and
//! batch normalization.

mod common;

use common::*;
use tensorlow::{nn, Tensor};

#[test]
fn softmax_log_softmax_each_axis() {
    let x = uniform(&[2, 3, 4], -2.0, 2.0, 1);
    for axis in [0, 1, 2, -1, -2] {
        check_grad2(
            &format!("softmax axis {axis}"),
            |x| nn::softmax(&x[0], axis),
            std::slice::from_ref(&x),
        );
        check_grad2(
            &format!("log_softmax axis {axis}"),
            |x| nn::log_softmax(&x[0], axis),
            std::slice::from_ref(&x),
        );
    }
    let v = uniform(&[5], -2.0, 2.0, 2);
    check_grad2("softmax rank 1", |x| nn::softmax(&x[0], 0), std::slice::from_ref(&v));
}

#[test]
fn softmax_forward_values() {
    let d = [1.0, 2.0, 3.0, -1.0, 0.0, 5.0];
    let x = t64(&d, &[2, 3]);
    let sm = |s: &[f64]| {
        let z: f64 = s.iter().map(|v| v.exp()).sum();
        s.iter().map(|v| v.exp() / z).collect::<Vec<_>>()
    };
    let want: Vec<f64> = [sm(&d[..3]), sm(&d[3..])].concat();
    assert_close("softmax axis -1", &vals(&nn::softmax(&x, -1).unwrap()), &want, 1e-14);
    let logw: Vec<f64> = want.iter().map(|p| p.ln()).collect();
    assert_close(
        "log_softmax axis -1",
        &vals(&nn::log_softmax(&x, 1).unwrap()),
        &logw,
        1e-14,
    );
    // Axis 0: columns.
    let mut want0 = vec![0.0; 6];
    for j in 0..3 {
        let p = sm(&[d[j], d[3 + j]]);
        want0[j] = p[0];
        want0[3 + j] = p[1];
    }
    assert_close("softmax axis 0", &vals(&nn::softmax(&x, 0).unwrap()), &want0, 1e-14);
    let logw0: Vec<f64> = want0.iter().map(|p| p.ln()).collect();
    assert_close(
        "log_softmax axis 0",
        &vals(&nn::log_softmax(&x, 0).unwrap()),
        &logw0,
        1e-14,
    );
    // Large logits do not overflow.
    let big = t64(&[1000.0, 1000.0, -1000.0], &[3]);
    assert_close(
        "softmax large",
        &vals(&nn::softmax(&big, 0).unwrap()),
        &[0.5, 0.5, 0.0],
        1e-14,
    );
    let l = vals(&nn::log_softmax(&big, 0).unwrap());
    assert_close("log_softmax large", &l[..2], &[-(2f64.ln()), -(2f64.ln())], 1e-14);
}

#[test]
fn softmax_cross_entropy() {
    let logits = uniform(&[3, 4], -2.0, 2.0, 3);
    let labels = nn::softmax(&uniform(&[3, 4], -1.0, 1.0, 4), -1).unwrap();
    check_grad2(
        "softmax_cross_entropy_with_logits",
        |x| nn::softmax_cross_entropy_with_logits(&x[0], &x[1], -1),
        &[labels.clone(), logits.clone()],
    );
    let lt = logits.transpose().unwrap();
    let labt = labels.transpose().unwrap();
    check_grad2(
        "softmax_cross_entropy_with_logits axis 0",
        |x| nn::softmax_cross_entropy_with_logits(&x[0], &x[1], 0),
        &[labt, lt],
    );
    // Forward: -sum(p * log softmax(z)) per row.
    let (lv, pv) = (vals(&logits), vals(&labels));
    let want: Vec<f64> = (0..3)
        .map(|r| {
            let z = &lv[r * 4..r * 4 + 4];
            let lse = z.iter().map(|v| v.exp()).sum::<f64>().ln();
            -(0..4).map(|c| pv[r * 4 + c] * (z[c] - lse)).sum::<f64>()
        })
        .collect();
    let got = nn::softmax_cross_entropy_with_logits(&labels, &logits, -1).unwrap();
    assert_eq!(got.shape(), &[3]);
    assert_close("softmax_cross_entropy forward", &vals(&got), &want, 1e-13);
}

#[test]
fn sparse_softmax_cross_entropy() {
    let logits = uniform(&[4, 5], -2.0, 2.0, 5);
    let labels = idx(&[4, 0, 2, 2], &[4]);
    check_grad2(
        "sparse_softmax_cross_entropy_with_logits",
        |x| nn::sparse_softmax_cross_entropy_with_logits(&labels, &x[0]),
        std::slice::from_ref(&logits),
    );
    let lu = Tensor::from_slice(&[4u32, 0, 2, 2], &[4], &device()).unwrap();
    let got = nn::sparse_softmax_cross_entropy_with_logits(&lu, &logits).unwrap();
    let lv = vals(&logits);
    let want: Vec<f64> = [4usize, 0, 2, 2]
        .iter()
        .enumerate()
        .map(|(r, &c)| {
            let z = &lv[r * 5..r * 5 + 5];
            z.iter().map(|v| v.exp()).sum::<f64>().ln() - z[c]
        })
        .collect();
    assert_close("sparse forward", &vals(&got), &want, 1e-13);
    // Rank 3 logits.
    let l3 = uniform(&[2, 2, 3], -2.0, 2.0, 6);
    let lab3 = idx(&[0, 2, 1, 1], &[2, 2]);
    check_grad2(
        "sparse rank 3",
        |x| nn::sparse_softmax_cross_entropy_with_logits(&lab3, &x[0]),
        std::slice::from_ref(&l3),
    );
}

#[test]
fn sigmoid_cross_entropy() {
    let logits = away_from_zero(&[2, 3], 0.2, 3.0, 7);
    let labels = uniform(&[2, 3], 0.0, 1.0, 8);
    check_grad2(
        "sigmoid_cross_entropy_with_logits",
        |x| nn::sigmoid_cross_entropy_with_logits(&x[0], &x[1]),
        &[labels.clone(), logits.clone()],
    );
    let (zv, xv) = (vals(&labels), vals(&logits));
    let want: Vec<f64> = zv
        .iter()
        .zip(&xv)
        .map(|(&z, &x)| {
            let s = 1.0 / (1.0 + (-x).exp());
            -z * s.ln() - (1.0 - z) * (1.0 - s).ln()
        })
        .collect();
    let got = nn::sigmoid_cross_entropy_with_logits(&labels, &logits).unwrap();
    assert_close("sigmoid_ce forward", &vals(&got), &want, 1e-13);
    // Stable for large logits.
    let big = t64(&[500.0, -500.0], &[2]);
    let z = t64(&[0.0, 1.0], &[2]);
    assert_close(
        "sigmoid_ce large",
        &vals(&nn::sigmoid_cross_entropy_with_logits(&z, &big).unwrap()),
        &[500.0, 500.0],
        1e-14,
    );
}

#[test]
fn l2_loss() {
    let x = uniform(&[3, 2], -1.0, 1.0, 9);
    check_grad2("l2_loss", |x| nn::l2_loss(&x[0]), std::slice::from_ref(&x));
    let v = t64(&[1.0, -2.0, 3.0], &[3]);
    assert_eq!(vals(&nn::l2_loss(&v).unwrap()), vec![7.0]);
}

#[test]
fn moments() {
    let x = uniform(&[3, 4], -1.0, 1.0, 10);
    for axes in [&[0isize][..], &[1], &[]] {
        for keep in [false, true] {
            check_grad2(
                &format!("moments mean axes={axes:?} keepdims={keep}"),
                |x| Ok(nn::moments(&x[0], axes, keep)?.0),
                std::slice::from_ref(&x),
            );
            check_grad2(
                &format!("moments variance axes={axes:?} keepdims={keep}"),
                |x| Ok(nn::moments(&x[0], axes, keep)?.1),
                std::slice::from_ref(&x),
            );
            let (m, v) = nn::moments(&x, axes, keep).unwrap();
            assert_eq!(m.shape(), v.shape());
            assert_eq!(m.shape(), x.mean(axes, keep).unwrap().shape());
        }
    }
    let v = t64(&[1.0, 2.0, 3.0, 6.0], &[2, 2]);
    let (m, var) = nn::moments(&v, &[0], false).unwrap();
    assert_eq!(vals(&m), vec![2.0, 4.0]);
    assert_eq!(vals(&var), vec![1.0, 4.0]);
}

#[test]
fn batch_normalization() {
    let x = uniform(&[4, 3], -1.0, 1.0, 11);
    let mean = uniform(&[3], -0.5, 0.5, 12);
    let var = uniform(&[3], 0.5, 1.5, 13);
    let offset = uniform(&[3], -1.0, 1.0, 14);
    let scale = uniform(&[3], 0.5, 2.0, 15);
    check_grad2(
        "batch_normalization",
        |x| nn::batch_normalization(&x[0], &x[1], &x[2], Some(&x[3]), Some(&x[4]), 1e-3),
        &[x.clone(), mean.clone(), var.clone(), offset.clone(), scale.clone()],
    );
    check_grad2(
        "batch_normalization without offset and scale",
        |x| nn::batch_normalization(&x[0], &x[1], &x[2], None, None, 1e-3),
        &[x.clone(), mean.clone(), var.clone()],
    );
    // With the batch's own moments (the training-mode expression).
    check_grad2(
        "batch_normalization of moments",
        |x| {
            let (m, v) = nn::moments(&x[0], &[0], false)?;
            nn::batch_normalization(&x[0], &m, &v, Some(&x[1]), Some(&x[2]), 1e-3)
        },
        &[x.clone(), offset.clone(), scale.clone()],
    );
    let got = nn::batch_normalization(&x, &mean, &var, Some(&offset), Some(&scale), 1e-3).unwrap();
    let (xv, mv, vv, ov, sv) = (vals(&x), vals(&mean), vals(&var), vals(&offset), vals(&scale));
    let want: Vec<f64> = (0..12)
        .map(|i| {
            let c = i % 3;
            (xv[i] - mv[c]) / (vv[c] + 1e-3).sqrt() * sv[c] + ov[c]
        })
        .collect();
    assert_close("batch_normalization forward", &vals(&got), &want, 1e-13);
}

#[test]
fn dropout_keeps_expectation() {
    let x = Tensor::ones(&[10_000], tensorlow::DType::F64, &tensorlow::Device::cpu()).unwrap();
    let y = vals(&nn::dropout(&x, 0.3, Some(5)).unwrap());
    assert!(y.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.7).abs() < 1e-12));
    let zeros = y.iter().filter(|&&v| v == 0.0).count() as f64 / 10_000.0;
    assert!((zeros - 0.3).abs() < 0.02, "dropped fraction {zeros}");
    assert!(nn::dropout(&x, 1.0, None).is_err());
}
