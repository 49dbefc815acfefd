//! Finite-difference gradient checks of the shape, indexing and type ops:
//! reshape, transpose/permute, expand_dims/squeeze, broadcast_to, narrow,
//! slice, concat, stack, split, gather, take_along_axis, select (where),
//! clip_by_value and cast; plus their forward values.

mod common;

use common::*;
use tensorlow::{DType, GradientTape, Tensor};

fn x234(seed: u64) -> Tensor {
    uniform(&[2, 3, 4], -1.0, 1.0, seed)
}

#[test]
fn reshape_transpose_permute() {
    let x = x234(1);
    let ins = std::slice::from_ref(&x);
    check_grad2("reshape", |x| x[0].reshape(&[4, 6]), ins);
    check_grad2("reshape_infer", |x| x[0].reshape_infer(&[-1, 2]), ins);
    check_grad2("transpose", |x| x[0].transpose(), ins);
    check_grad2("matrix_transpose", |x| x[0].matrix_transpose(), ins);
    check_grad2("permute", |x| x[0].permute(&[1, 2, 0]), ins);
    check_grad2(
        "permute then reshape",
        |x| x[0].permute(&[2, 0, 1])?.reshape(&[4, 6]),
        ins,
    );
    check_grad2("expand_dims", |x| x[0].expand_dims(1)?.mul(&x[0].expand_dims(0)?), ins);
    check_grad2("flatten_batch", |x| x[0].flatten_batch(), ins);
    let y = uniform(&[2, 1, 4, 1], -1.0, 1.0, 2);
    check_grad2("squeeze all", |x| x[0].squeeze(&[]), std::slice::from_ref(&y));
    check_grad2("squeeze axis", |x| x[0].squeeze(&[-1]), std::slice::from_ref(&y));
}

#[test]
fn reshape_transpose_forward() {
    let x = t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    assert_eq!(vals(&x.transpose().unwrap()), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let y = t64(&(0..24).map(|v| v as f64).collect::<Vec<_>>(), &[2, 3, 4]);
    let p = y.permute(&[2, 0, 1]).unwrap();
    assert_eq!(p.shape(), &[4, 2, 3]);
    // p[k, i, j] = y[i, j, k] = 12 i + 4 j + k
    let pv = vals(&p);
    for k in 0..4 {
        for i in 0..2 {
            for j in 0..3 {
                assert_eq!(pv[k * 6 + i * 3 + j], (12 * i + 4 * j + k) as f64);
            }
        }
    }
    assert_eq!(y.expand_dims(0).unwrap().shape(), &[1, 2, 3, 4]);
    assert_eq!(y.expand_dims(-1).unwrap().shape(), &[2, 3, 4, 1]);
    assert_eq!(y.expand_dims(3).unwrap().shape(), &[2, 3, 4, 1]);
    assert_eq!(y.reshape(&[6, 4]).unwrap().squeeze(&[]).unwrap().shape(), &[6, 4]);
    assert!(y.squeeze(&[0]).is_err());
}

#[test]
fn broadcast_to() {
    let x = uniform(&[3, 1], -1.0, 1.0, 3);
    check_grad2(
        "broadcast_to",
        |x| x[0].broadcast_to(&[2, 3, 4]),
        std::slice::from_ref(&x),
    );
    let v = uniform(&[4], -1.0, 1.0, 4);
    check_grad2(
        "broadcast_to rank+1",
        |x| x[0].broadcast_to(&[3, 4]),
        std::slice::from_ref(&v),
    );
    let s = uniform(&[], -1.0, 1.0, 5);
    check_grad2(
        "broadcast scalar",
        |x| x[0].broadcast_to(&[2, 2]),
        std::slice::from_ref(&s),
    );
    check_grad2(
        "sum_to",
        |x| x[0].broadcast_to(&[2, 3, 4])?.square()?.sum_to(&[3, 1]),
        std::slice::from_ref(&x),
    );
}

#[test]
fn narrow_slice() {
    let x = x234(6);
    let ins = std::slice::from_ref(&x);
    check_grad2("narrow axis 0", |x| x[0].narrow(0, 1, 1), ins);
    check_grad2("narrow axis 1 middle", |x| x[0].narrow(1, 1, 1), ins);
    check_grad2("narrow axis -1", |x| x[0].narrow(-1, 0, 3), ins);
    check_grad2("slice", |x| x[0].slice(&[0, 1, 1], &[2, -1, 2]), ins);
    let s = x.slice(&[1, 0, 2], &[1, 2, -1]).unwrap();
    assert_eq!(s.shape(), &[1, 2, 2]);
    let xv = vals(&x);
    assert_eq!(vals(&s), vec![xv[12 + 2], xv[12 + 3], xv[12 + 4 + 2], xv[12 + 4 + 3]]);
}

#[test]
fn concat_stack_split() {
    let a = uniform(&[2, 3], -1.0, 1.0, 7);
    let b = uniform(&[2, 1], -1.0, 1.0, 8);
    let c = uniform(&[2, 2], -1.0, 1.0, 9);
    check_grad2(
        "concat axis 1",
        |x| Tensor::concat(&[&x[0], &x[1], &x[2]], 1),
        &[a.clone(), b, c],
    );
    let d = uniform(&[1, 3], -1.0, 1.0, 10);
    check_grad2("concat axis 0", |x| Tensor::concat(&[&x[0], &x[1]], 0), &[a.clone(), d]);
    // The same tensor twice: both gradients add up.
    check_grad2(
        "concat self",
        |x| Tensor::concat(&[&x[0], &x[0]], -1),
        std::slice::from_ref(&a),
    );
    let e = uniform(&[2, 3], -1.0, 1.0, 11);
    for axis in [0, 1, 2, -1] {
        check_grad2(
            &format!("stack axis {axis}"),
            move |x| Tensor::stack(&[&x[0], &x[1]], axis),
            &[a.clone(), e.clone()],
        );
    }
    let x = x234(12);
    check_grad2(
        "split",
        |x| {
            let p = x[0].split(&[1, 3], 2)?;
            p[0].mul(&p[1].sum(&[2], true)?)
        },
        std::slice::from_ref(&x),
    );
    check_grad2(
        "split_even",
        |x| {
            let p = x[0].split_even(3, 1)?;
            p[0].mul(&p[2])?.add(&p[1])
        },
        std::slice::from_ref(&x),
    );
}

#[test]
fn concat_stack_forward() {
    let a = t64(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
    let b = t64(&[5.0, 6.0], &[2, 1]);
    assert_eq!(
        vals(&Tensor::concat(&[&a, &b], 1).unwrap()),
        vec![1.0, 2.0, 5.0, 3.0, 4.0, 6.0]
    );
    let s = Tensor::stack(&[&a, &a.affine(10.0, 0.0).unwrap()], 1).unwrap();
    assert_eq!(s.shape(), &[2, 2, 2]);
    assert_eq!(vals(&s), vec![1.0, 2.0, 10.0, 20.0, 3.0, 4.0, 30.0, 40.0]);
    let parts = a.split(&[1, 1], 0).unwrap();
    assert_eq!(vals(&parts[1]), vec![3.0, 4.0]);
}

#[test]
fn gather() {
    let x = x234(13);
    let ins = std::slice::from_ref(&x);
    let i1 = idx(&[2, 0, 2, 1], &[4]);
    check_grad2("gather axis 1 (repeats)", |x| x[0].gather(&i1, 1), ins);
    let i0 = idx(&[1, 1, 0], &[3]);
    check_grad2("gather axis 0", |x| x[0].gather(&i0, 0), ins);
    let i2 = idx(&[3, 0, 3, 1], &[2, 2]);
    check_grad2("gather axis -1, 2-D indices", |x| x[0].gather(&i2, -1), ins);
    // u32 indices work too.
    let iu = Tensor::from_slice(&[1u32, 0], &[2], &device()).unwrap();
    check_grad2("gather u32", |x| x[0].gather(&iu, 0), ins);

    let g = x.gather(&i2, 2).unwrap();
    assert_eq!(g.shape(), &[2, 3, 2, 2]);
    let (xv, gv) = (vals(&x), vals(&g));
    for a in 0..2 {
        for b in 0..3 {
            for (k, &j) in [3usize, 0, 3, 1].iter().enumerate() {
                assert_eq!(gv[(a * 3 + b) * 4 + k], xv[(a * 3 + b) * 4 + j]);
            }
        }
    }
}

#[test]
fn take_along_axis() {
    let x = uniform(&[3, 4], -1.0, 1.0, 14);
    let ins = std::slice::from_ref(&x);
    let i = idx(&[3, 3, 0, 1, 2, 0], &[3, 2]);
    check_grad2("take_along_axis -1", |x| x[0].take_along_axis(&i, -1), ins);
    let j = idx(&[2, 0, 1, 1], &[1, 4]);
    check_grad2("take_along_axis 0", |x| x[0].take_along_axis(&j, 0), ins);
    let xv = vals(&x);
    assert_eq!(
        vals(&x.take_along_axis(&i, 1).unwrap()),
        vec![xv[3], xv[3], xv[4], xv[5], xv[10], xv[8]]
    );
}

#[test]
fn select_where() {
    let a = uniform(&[2, 3], -1.0, 1.0, 15);
    let b = uniform(&[2, 3], -1.0, 1.0, 16);
    let m = Tensor::from_slice(&[1u8, 0, 1, 0, 0, 1], &[2, 3], &device()).unwrap();
    check_grad2("where", |x| m.select(&x[0], &x[1]), &[a.clone(), b.clone()]);
    // Broadcasting: a row mask, a column of values and a scalar.
    let row = Tensor::from_slice(&[0u8, 1, 1], &[3], &device()).unwrap();
    let col = uniform(&[2, 1], -1.0, 1.0, 17);
    let s = uniform(&[], -1.0, 1.0, 18);
    check_grad2(
        "where broadcast",
        |x| row.select(&x[0], &x[1]),
        &[col.clone(), s.clone()],
    );
    let y = row.select(&col, &s).unwrap();
    let (cv, sv) = (vals(&col), vals(&s)[0]);
    assert_eq!(vals(&y), vec![sv, cv[0], cv[0], sv, cv[1], cv[1]]);
    // A mask made by a comparison.
    let mask = a.greater(&b).unwrap();
    check_grad2("where(a > b, a, b)", |x| mask.select(&x[0], &x[1]), &[a, b]);
}

#[test]
fn clip_by_value() {
    let x = t64(&[-2.0, -0.5, 0.3, 0.9, 1.7, 3.0], &[2, 3]);
    check_grad2(
        "clip_by_value",
        |x| x[0].clip_by_value(-1.0, 1.0),
        std::slice::from_ref(&x),
    );
    assert_eq!(
        vals(&x.clip_by_value(-1.0, 1.0).unwrap()),
        vec![-1.0, -0.5, 0.3, 0.9, 1.0, 1.0]
    );
}

#[test]
fn cast_gradients() {
    // f64 -> f32: the gradient comes back as f64 and equals the weights.
    let x = t64(&[1.0, 2.0, 3.0], &[3]);
    let w32 = t32(&[0.5, -1.0, 2.0], &[3]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.cast(DType::F32).unwrap().mul(&w32).unwrap().sum_all().unwrap();
    let g = tape.gradient(&y, &[&x]).unwrap()[0].clone().unwrap();
    assert_eq!(g.dtype(), DType::F64);
    assert_eq!(vals(&g), vec![0.5, -1.0, 2.0]);

    // f32 -> f64: the gradient comes back as f32.
    let x32 = t32(&[1.0, 2.0, 3.0], &[3]);
    let w64 = t64(&[0.25, 4.0, -3.0], &[3]);
    let tape = GradientTape::new();
    tape.watch(&x32);
    let y = x32
        .cast(DType::F64)
        .unwrap()
        .square()
        .unwrap()
        .mul(&w64)
        .unwrap()
        .sum_all()
        .unwrap();
    let g = tape.gradient(&y, &[&x32]).unwrap()[0].clone().unwrap();
    assert_eq!(g.dtype(), DType::F32);
    // d/dx w x² = 2 w x
    assert_eq!(g.to_vec::<f32>().unwrap(), vec![0.5, 16.0, -18.0]);

    // A round trip through f32 with a step large enough for f32.
    check_grad_opts(
        "cast f64 -> f32 -> f64",
        &|x: &[Tensor]| x[0].cast(DType::F32)?.tanh()?.cast(DType::F64),
        &[t64(&[0.25, -0.5, 1.0], &[3])],
        1e-2,
        1e-3,
        false,
    );
    // Integer casts carry no gradient.
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.cast(DType::I64).unwrap().cast(DType::F64).unwrap().sum_all().unwrap();
    assert!(tape.gradient(&y, &[&x]).unwrap()[0].is_none());
}

#[test]
fn one_hot_and_comparisons() {
    let l = idx(&[2, 0, 5], &[3]);
    let oh = l.one_hot(3, DType::F64).unwrap();
    assert_eq!(vals(&oh), vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let a = t64(&[1.0, 2.0, 3.0], &[3]);
    let b = t64(&[2.0], &[1]);
    let u8s = |t: Tensor| t.to_vec::<u8>().unwrap();
    assert_eq!(u8s(a.greater(&b).unwrap()), vec![0, 0, 1]);
    assert_eq!(u8s(a.greater_equal(&b).unwrap()), vec![0, 1, 1]);
    assert_eq!(u8s(a.less(&b).unwrap()), vec![1, 0, 0]);
    assert_eq!(u8s(a.less_equal(&b).unwrap()), vec![1, 1, 0]);
    assert_eq!(u8s(a.equal(&b).unwrap()), vec![0, 1, 0]);
    assert_eq!(u8s(a.not_equal(&b).unwrap()), vec![1, 0, 1]);
}

#[test]
fn stop_gradient_blocks() {
    let x = t64(&[1.0, 2.0], &[2]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.mul(&x.stop_gradient()).unwrap().sum_all().unwrap();
    // d/dx (x * c) with c = x held constant is c = x, not 2x.
    assert_eq!(
        vals(tape.gradient(&y, &[&x]).unwrap()[0].as_ref().unwrap()),
        vec![1.0, 2.0]
    );
}

/// `x.i(..)` / `s!`: values are NumPy's for the same index (numpy 2.4.6:
/// `a = np.arange(24.).reshape(2, 3, 4); print(a[1, :, ::-3].shape, a[1, :, ::-3].ravel())`
/// and so on for each case), and first and second derivatives match finite
/// differences.
#[test]
fn indexing_and_strided_slices() {
    use tensorlow::{s, Ellipsis, NewAxis};
    let a = Tensor::new(&(0..24).map(f64::from).collect::<Vec<_>>(), &[2, 3, 4]).unwrap();
    let cases: Vec<(&str, Tensor, Vec<usize>, Vec<f64>)> = vec![
        ("a[1, 2]", a.i((1, 2)).unwrap(), vec![4], vec![20.0, 21.0, 22.0, 23.0]),
        ("a[-1, -1, -1]", a.i((-1, -1, -1)).unwrap(), vec![], vec![23.0]),
        (
            "a[:, 1:3, 0]",
            a.i((.., 1..3, 0)).unwrap(),
            vec![2, 2],
            vec![4.0, 8.0, 16.0, 20.0],
        ),
        (
            "a[0, ::-1, 3]",
            a.i(s![0, ..;-1, 3]).unwrap(),
            vec![3],
            vec![11.0, 7.0, 3.0],
        ),
        (
            "a[..., 1::2]",
            a.i(s![Ellipsis, 1..;2]).unwrap(),
            vec![2, 3, 2],
            (0..12).map(|k| (2 * k + 1) as f64).collect(),
        ),
        (
            "a[0, 0, 1:100]",
            a.i((0, 0, 1..100)).unwrap(),
            vec![3],
            vec![1.0, 2.0, 3.0],
        ),
        #[allow(clippy::reversed_empty_ranges)] // an empty slice, as in Python
        ("a[0, 0, 3:1]", a.i((0, 0, 3..1)).unwrap(), vec![0], vec![]),
        (
            "a[1, 0, 1:3] (1..=2)",
            a.i((1, 0, 1..=2)).unwrap(),
            vec![2],
            vec![13.0, 14.0],
        ),
        (
            "a[0, np.newaxis, 2, :2]",
            a.i((0, NewAxis, 2, ..2)).unwrap(),
            vec![1, 2],
            vec![8.0, 9.0],
        ),
        (
            "a[1, :, ::-3]",
            a.i(s![1, .., ..;-3]).unwrap(),
            vec![3, 2],
            vec![15.0, 12.0, 19.0, 16.0, 23.0, 20.0],
        ),
    ];
    for (name, got, shape, want) in cases {
        assert_eq!(got.shape(), shape.as_slice(), "{name}");
        assert_eq!(vals(&got), want, "{name}");
    }
    let err = |r: tensorlow::Result<Tensor>| r.unwrap_err().to_string();
    assert!(err(a.i(2)).contains("index 2 is out of bounds for axis 0 of size 2"));
    assert!(err(a.i((0, 0, 0, 0))).contains("4 indices for a tensor of rank 3"));
    assert!(err(a.i(s![..;0])).contains("step must not be 0"));
    assert!(err(a.i((Ellipsis, 0, Ellipsis))).contains("at most one Ellipsis"));

    let x = x234(21);
    let ins = std::slice::from_ref(&x);
    check_grad2("x[1, :, 2]", |x| x[0].i((1, .., 2)), ins);
    check_grad2("x[:, ::-2, 1:]", |x| x[0].i(s![.., ..;-2, 1..]), ins);
    check_grad2(
        "x[..., 0:4:3, tf.newaxis]",
        |x| x[0].i(s![Ellipsis, 0..4;3, NewAxis]),
        ins,
    );
}
