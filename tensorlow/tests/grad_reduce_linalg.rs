//! Finite-difference gradient checks of the reductions (over each axis and
//! all axes, with and without keepdims) and of matmul (2-D, batched,
//! broadcast batch, transpose flags), plus their forward values.

mod common;

use common::*;
use tensorlow::{Result, Tensor};

type Reduce = fn(&Tensor, &[isize], bool) -> Result<Tensor>;

fn reductions() -> Vec<(&'static str, Reduce)> {
    vec![
        ("sum", |x, a, k| x.sum(a, k)),
        ("mean", |x, a, k| x.mean(a, k)),
        ("max", |x, a, k| x.max(a, k)),
        ("min", |x, a, k| x.min(a, k)),
        ("prod", |x, a, k| x.prod(a, k)),
        ("logsumexp", |x, a, k| x.logsumexp(a, k)),
        ("variance", |x, a, k| x.variance(a, k)),
        ("std", |x, a, k| x.std(a, k)),
    ]
}

/// Every axis set of a rank-3 tensor worth checking: each single axis
/// (positive and negative), pairs, and all axes (`[]`).
const AXES: &[&[isize]] = &[&[0], &[1], &[2], &[-1], &[0, 2], &[1, 2], &[], &[0, 1, 2]];

/// Distinct values (a shuffled grid) so max/min have no ties, and magnitudes
/// in [0.5, 1.7] so prod has no zero.
fn distinct(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut v: Vec<f64> = (0..n)
        .map(|i| {
            let m = 0.5 + 1.2 * i as f64 / n as f64;
            if i % 3 == 1 {
                -m
            } else {
                m
            }
        })
        .collect();
    tensorlow::random::Generator::from_seed(seed).shuffle(&mut v);
    Tensor::from_vec(v, shape, &device()).unwrap()
}

#[test]
fn reduction_gradients_every_axis() {
    let x = distinct(&[2, 3, 4], 7);
    for (name, f) in reductions() {
        for &axes in AXES {
            for keep in [false, true] {
                let label = format!("{name} axes={axes:?} keepdims={keep}");
                // Smooth reductions are checked to second order too.
                if matches!(name, "max" | "min") {
                    check_grad(&label, |x| f(&x[0], axes, keep), std::slice::from_ref(&x));
                } else {
                    check_grad2(&label, |x| f(&x[0], axes, keep), std::slice::from_ref(&x));
                }
            }
        }
    }
}

#[test]
fn reduction_shapes() {
    let x = distinct(&[2, 3, 4], 1);
    for (name, f) in reductions() {
        assert_eq!(f(&x, &[1], false).unwrap().shape(), &[2, 4], "{name}");
        assert_eq!(f(&x, &[1], true).unwrap().shape(), &[2, 1, 4], "{name}");
        assert_eq!(f(&x, &[0, -1], false).unwrap().shape(), &[3], "{name}");
        assert_eq!(f(&x, &[], false).unwrap().shape(), &[] as &[usize], "{name}");
        assert_eq!(f(&x, &[], true).unwrap().shape(), &[1, 1, 1], "{name}");
    }
}

/// The forward values against sums written out by hand.
#[test]
fn reduction_forward_values() {
    let d = [1.0, -2.0, 3.0, 0.5, 4.0, -1.0];
    let x = t64(&d, &[2, 3]);
    let rows = [&d[0..3], &d[3..6]];
    let cols: Vec<[f64; 2]> = (0..3).map(|j| [d[j], d[3 + j]]).collect();
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
    let var = |s: &[f64]| {
        let m = mean(s);
        s.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / s.len() as f64
    };
    let lse = |s: &[f64]| s.iter().map(|v| v.exp()).sum::<f64>().ln();
    let r = |f: &dyn Fn(&[f64]) -> f64| rows.iter().map(|s| f(s)).collect::<Vec<_>>();
    let c = |f: &dyn Fn(&[f64]) -> f64| cols.iter().map(|s| f(s)).collect::<Vec<_>>();
    assert_close(
        "sum axis 1",
        &vals(&x.sum(&[1], false).unwrap()),
        &r(&|s| s.iter().sum()),
        1e-12,
    );
    assert_close(
        "sum axis 0",
        &vals(&x.sum(&[0], false).unwrap()),
        &c(&|s| s.iter().sum()),
        1e-12,
    );
    assert_close("mean axis 1", &vals(&x.mean(&[1], false).unwrap()), &r(&mean), 1e-12);
    assert_close(
        "max axis 0",
        &vals(&x.max(&[0], false).unwrap()),
        &c(&|s| s.iter().cloned().fold(f64::MIN, f64::max)),
        0.0,
    );
    assert_close(
        "min axis 1",
        &vals(&x.min(&[1], false).unwrap()),
        &r(&|s| s.iter().cloned().fold(f64::MAX, f64::min)),
        0.0,
    );
    assert_close(
        "prod axis 0",
        &vals(&x.prod(&[0], false).unwrap()),
        &c(&|s| s.iter().product()),
        1e-12,
    );
    assert_close("prod all", &vals(&x.prod(&[], false).unwrap()), &[12.0], 1e-12);
    assert_close(
        "logsumexp axis 1",
        &vals(&x.logsumexp(&[1], false).unwrap()),
        &r(&lse),
        1e-12,
    );
    assert_close(
        "variance axis 0",
        &vals(&x.variance(&[0], false).unwrap()),
        &c(&var),
        1e-12,
    );
    assert_close(
        "std axis 1",
        &vals(&x.std(&[1], false).unwrap()),
        &r(&|s| var(s).sqrt()),
        1e-12,
    );
    // logsumexp does not overflow.
    let big = t64(&[1000.0, 1000.0], &[2]);
    assert_close(
        "logsumexp large",
        &vals(&big.logsumexp(&[], false).unwrap()),
        &[1000.0 + 2f64.ln()],
        1e-12,
    );
    // argmax / argmin
    assert_eq!(x.argmax(1).unwrap().to_vec::<i64>().unwrap(), vec![2, 1]);
    assert_eq!(x.argmin(0).unwrap().to_vec::<i64>().unwrap(), vec![1, 0, 1]);
}

#[test]
fn max_gradient_is_shared_among_ties() {
    // TensorFlow splits the gradient equally among tied maxima.
    let x = t64(&[1.0, 3.0, 3.0, 0.0], &[4]);
    let tape = tensorlow::GradientTape::new();
    tape.watch(&x);
    let y = x.max(&[], false).unwrap();
    let g = tape.gradient(&y, &[&x]).unwrap()[0].clone().unwrap();
    assert_eq!(vals(&g), vec![0.0, 0.5, 0.5, 0.0]);
}

/// `(a_shape, b_shape, transpose_a, transpose_b)`.
const MATMULS: &[(&[usize], &[usize], bool, bool)] = &[
    (&[2, 3], &[3, 4], false, false),
    (&[1, 3], &[3, 1], false, false),
    (&[3, 2], &[3, 4], true, false),
    (&[2, 3], &[4, 3], false, true),
    (&[3, 2], &[4, 3], true, true),
    (&[2, 2, 3], &[2, 3, 4], false, false),
    (&[2, 3, 2], &[2, 4, 3], true, true),
    (&[2, 2, 3], &[3, 4], false, false),
    (&[2, 3], &[2, 3, 4], false, false),
    (&[2, 1, 2, 3], &[3, 4, 3], false, true),
    (&[1, 2, 3], &[2, 3, 2], false, false),
    (&[2, 3, 2], &[3, 4], true, false),
];

#[test]
fn matmul_gradients() {
    for (k, &(sa, sb, ta, tb)) in MATMULS.iter().enumerate() {
        let a = uniform(sa, -1.0, 1.0, 200 + k as u64);
        let b = uniform(sb, -1.0, 1.0, 300 + k as u64);
        check_grad2(
            &format!("matmul {sa:?} {sb:?} ta={ta} tb={tb}"),
            |x| x[0].matmul_t(&x[1], ta, tb),
            &[a, b],
        );
    }
}

/// Naive reference matmul of the last two dimensions with batch broadcasting.
fn reference_matmul(a: &Tensor, b: &Tensor, ta: bool, tb: bool) -> (Vec<usize>, Vec<f64>) {
    let (sa, sb) = (a.shape().to_vec(), b.shape().to_vec());
    let (va, vb) = (vals(a), vals(b));
    let (ra, rb) = (sa.len(), sb.len());
    let (am, ak) = if ta {
        (sa[ra - 1], sa[ra - 2])
    } else {
        (sa[ra - 2], sa[ra - 1])
    };
    let (bk, bn) = if tb {
        (sb[rb - 1], sb[rb - 2])
    } else {
        (sb[rb - 2], sb[rb - 1])
    };
    assert_eq!(ak, bk);
    let (ba, bb) = (&sa[..ra - 2], &sb[..rb - 2]);
    let nb = ba.len().max(bb.len());
    let dim = |s: &[usize], i: usize| if i + s.len() >= nb { s[i + s.len() - nb] } else { 1 };
    let batch: Vec<usize> = (0..nb).map(|i| dim(ba, i).max(dim(bb, i))).collect();
    let nbatch: usize = batch.iter().product();
    let offset = |s: &[usize], mut flat: usize| {
        // Index into a broadcast batch shape `s` from a flat output batch index.
        let mut off = 0;
        let mut stride = 1;
        for i in (0..nb).rev() {
            let idx = flat % batch[i];
            flat /= batch[i];
            let d = dim(s, i);
            off += if d == 1 { 0 } else { idx * stride };
            stride *= d;
        }
        off
    };
    let mut out = vec![0.0; nbatch * am * bn];
    for bi in 0..nbatch {
        let (oa, ob) = (offset(ba, bi) * am * ak, offset(bb, bi) * bk * bn);
        for i in 0..am {
            for j in 0..bn {
                let mut s = 0.0;
                for k in 0..ak {
                    let x = if ta { va[oa + k * am + i] } else { va[oa + i * ak + k] };
                    let y = if tb { vb[ob + j * bk + k] } else { vb[ob + k * bn + j] };
                    s += x * y;
                }
                out[bi * am * bn + i * bn + j] = s;
            }
        }
    }
    let mut shape = batch;
    shape.extend([am, bn]);
    (shape, out)
}

#[test]
fn matmul_forward_matches_reference() {
    for (k, &(sa, sb, ta, tb)) in MATMULS.iter().enumerate() {
        let a = uniform(sa, -1.0, 1.0, 400 + k as u64);
        let b = uniform(sb, -1.0, 1.0, 500 + k as u64);
        let got = a.matmul_t(&b, ta, tb).unwrap();
        let (shape, want) = reference_matmul(&a, &b, ta, tb);
        assert_eq!(got.shape(), shape.as_slice(), "matmul {sa:?} {sb:?} {ta} {tb}");
        assert_close(&format!("matmul {sa:?} {sb:?}"), &vals(&got), &want, 1e-12);
    }
}

#[test]
fn matmul_f32() {
    let a = t32(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = t32(&[1.0, 0.0, 0.0, 1.0, 1.0, 1.0], &[3, 2]);
    let y = a.matmul(&b).unwrap();
    assert_eq!(y.to_vec::<f32>().unwrap(), vec![4.0, 5.0, 10.0, 11.0]);
}

/// Operands that are views (a transposed lhs, a broadcast rhs, permuted batch
/// dimensions) give the same product as their contiguous copies.
#[test]
fn matmul_of_views() {
    let g = uniform(&[2, 2, 4], -1.0, 1.0, 600);
    let v = uniform(&[2, 3], -1.0, 1.0, 601);
    let lhs = g.matrix_transpose().unwrap(); // (2, 4, 2), a view
    let rhs = v.broadcast_to(&[2, 2, 3]).unwrap(); // batch stride 0
    let got = lhs.matmul(&rhs).unwrap();
    let (shape, want) = reference_matmul(&g, &v.expand_dims(0).unwrap(), true, false);
    assert_eq!(got.shape(), shape.as_slice());
    assert_close("transposed lhs @ broadcast rhs", &vals(&got), &want, 1e-12);

    let a = uniform(&[3, 2, 2, 4], -1.0, 1.0, 602);
    let b = uniform(&[2, 3, 4, 2], -1.0, 1.0, 603);
    let ap = a.permute(&[1, 0, 2, 3]).unwrap(); // batch dims out of order
    let got = ap.matmul(&b).unwrap();
    let apc = Tensor::from_vec(vals(&ap), ap.shape(), &device()).unwrap();
    let (shape, want) = reference_matmul(&apc, &b, false, false);
    assert_eq!(got.shape(), shape.as_slice());
    assert_close("permuted batch", &vals(&got), &want, 1e-12);
}
