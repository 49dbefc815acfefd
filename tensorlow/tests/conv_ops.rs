//! The convolution family beyond plain conv1d/conv2d (see `conv.rs` for
//! those): grouped, depthwise, separable and transposed convolutions, 1-D
//! pooling, upsampling, padding and the size arithmetic.
//!
//! - values against Keras 3 (`tests/fixtures/keras_conv.py` writes
//!   `keras_conv.rs`: keras 3.15.1 on jax 0.10.2, float64);
//! - first- and second-order gradients against central differences;
//! - the errors, naming both shapes.

mod common;

use common::{assert_close, check_grad, check_grad2, uniform, vals};
use tensorlow::nn::{self, Padding};
use tensorlow::{Device, Result, Tensor};

/// One Keras reference computation (see `fixtures/keras_conv.py`).
pub struct KerasCase {
    name: &'static str,
    op: &'static str,
    x: &'static [usize],
    w: &'static [usize],
    w2: &'static [usize],
    strides: &'static [usize],
    dilation: &'static [usize],
    padding: &'static str,
    extra: &'static [usize],
    out_shape: &'static [usize],
    out: &'static [f64],
}

include!("fixtures/keras_conv.rs");

/// `f(i)` over the flat index, as the script builds its inputs.
fn seq(shape: &[usize], f: impl Fn(f64) -> f64) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n).map(|i| f(i as f64)).collect();
    Tensor::from_vec(v, shape, &Device::cpu()).unwrap()
}

fn pair(v: &[usize]) -> (usize, usize) {
    (v[0], v[1])
}

fn run_keras_case(c: &KerasCase) -> Result<Tensor> {
    let x = seq(c.x, |i| (0.37 * i + 0.1).sin());
    let w = seq(c.w, |i| 0.5 * (0.23 * i + 0.2).cos());
    let w2 = seq(c.w2, |i| 0.5 * (0.31 * i + 0.7).cos());
    let p = if c.padding == "same" {
        Padding::Same
    } else {
        Padding::Valid
    };
    match c.op {
        "conv2d" => nn::conv2d(&x, &w, pair(c.strides), p, pair(c.dilation)),
        "conv1d" if c.padding == "causal" => {
            let left = nn::causal_padding(c.w[0], c.dilation[0]);
            let xc = x.pad(&[(0, 0), (left, 0), (0, 0)], 0.0)?;
            nn::conv1d(&xc, &w, c.strides[0], Padding::Valid, c.dilation[0])
        }
        "conv1d" => nn::conv1d(&x, &w, c.strides[0], p, c.dilation[0]),
        "depthwise2d" => nn::depthwise_conv2d(&x, &w, pair(c.strides), p, pair(c.dilation)),
        "separable2d" => nn::separable_conv2d(&x, &w, &w2, pair(c.strides), p, pair(c.dilation)),
        "depthwise1d" => nn::depthwise_conv1d(&x, &w, c.strides[0], p, c.dilation[0]),
        "separable1d" => nn::separable_conv1d(&x, &w, &w2, c.strides[0], p, c.dilation[0]),
        "conv2d_transpose" => {
            let mut out = vec![c.x[0]];
            for a in 0..2 {
                let op = c.extra.get(a).copied();
                out.push(nn::conv_transpose_output_size(
                    c.x[1 + a],
                    c.w[a],
                    c.strides[a],
                    c.dilation[a],
                    p,
                    op,
                )?);
            }
            out.push(c.w[2]);
            nn::conv2d_transpose(&x, &w, &out, pair(c.strides), p, pair(c.dilation))
        }
        "conv1d_transpose" => {
            let op = c.extra.first().copied();
            let len = nn::conv_transpose_output_size(c.x[1], c.w[0], c.strides[0], 1, p, op)?;
            nn::conv1d_transpose(&x, &w, &[c.x[0], len, c.w[1]], c.strides[0], p, 1)
        }
        "max_pool2d" => nn::max_pool2d(&x, pair(c.extra), pair(c.strides), p),
        "avg_pool2d" => nn::avg_pool2d(&x, pair(c.extra), pair(c.strides), p),
        "max_pool1d" => nn::max_pool1d(&x, c.extra[0], c.strides[0], p),
        "avg_pool1d" => nn::avg_pool1d(&x, c.extra[0], c.strides[0], p),
        "upsample2d" => nn::upsample2d(&x, pair(c.extra)),
        "upsample1d" => nn::upsample1d(&x, c.extra[0]),
        "pad" => {
            let pads: Vec<(usize, usize)> = c.extra.chunks(2).map(|p| (p[0], p[1])).collect();
            x.pad(&pads, 0.0)
        }
        other => panic!("unknown op {other} in the Keras fixture"),
    }
}

#[test]
fn values_match_keras() {
    assert!(KERAS_CASES.len() > 60);
    for c in KERAS_CASES {
        let y = run_keras_case(c).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(y.shape(), c.out_shape, "{}", c.name);
        assert_close(c.name, &vals(&y), c.out, 1e-12);
    }
}

// ------------------------------------------------------ size arithmetic

#[test]
fn output_sizes_follow_tensorflow_and_keras() {
    // Valid: floor((in - ek) / s) + 1; Same: ceil(in / s).
    assert_eq!(nn::conv_output_size(10, 3, 1, 1, Padding::Valid).unwrap(), 8);
    assert_eq!(nn::conv_output_size(10, 3, 3, 1, Padding::Valid).unwrap(), 3);
    assert_eq!(nn::conv_output_size(10, 3, 1, 4, Padding::Valid).unwrap(), 2); // ek = 9
    assert_eq!(nn::conv_output_size(10, 3, 3, 2, Padding::Same).unwrap(), 4);
    assert!(nn::conv_output_size(8, 3, 1, 4, Padding::Valid).is_err()); // ek = 9 > 8
    assert!(nn::conv_output_size(8, 3, 0, 1, Padding::Same).is_err());
    // Same: total = (out - 1) * s + ek - in, the odd one after.
    assert_eq!(nn::same_padding(10, 3, 1, 1), (1, 1));
    assert_eq!(nn::same_padding(10, 4, 1, 1), (1, 2));
    assert_eq!(nn::same_padding(10, 3, 3, 2), (2, 2)); // out 4: 9 + 5 - 10 = 4
    assert_eq!(nn::same_padding(10, 1, 3, 1), (0, 0));
    assert_eq!(nn::causal_padding(3, 2), 4);
    // Keras' conv transpose lengths (backend_utils._get_output_shape_given_tf_padding).
    let t = |i, k, s, d, p, op| nn::conv_transpose_output_size(i, k, s, d, p, op).unwrap();
    assert_eq!(t(5, 3, 2, 1, Padding::Valid, None), 11); // 4*2 + 3 + max(3,2)-3
    assert_eq!(t(5, 2, 3, 1, Padding::Valid, None), 15); // 12 + 2 + 1
    assert_eq!(t(5, 3, 2, 1, Padding::Valid, Some(1)), 12);
    assert_eq!(t(5, 3, 2, 1, Padding::Same, None), 10);
    assert_eq!(t(5, 3, 2, 1, Padding::Same, Some(0)), 9); // 8 + 3 % 2 + 0
    assert_eq!(t(5, 2, 2, 2, Padding::Same, Some(1)), 10); // ek 3: 8 + 1 + 1
    let e = nn::conv_transpose_output_size(5, 3, 2, 1, Padding::Same, Some(2)).unwrap_err();
    assert!(
        e.to_string().contains("output_padding 2") && e.to_string().contains("stride 2"),
        "{e}"
    );
}

// ------------------------------------------------------------ gradients

#[test]
fn grouped_conv_gradients_match_finite_differences() {
    // (input, filters, strides, dilations): 2 and 3 groups, 1x1 grouped.
    type Case = ([usize; 4], [usize; 4], (usize, usize), (usize, usize));
    let cases: &[Case] = &[
        ([2, 5, 5, 4], [3, 3, 2, 4], (1, 1), (1, 1)),
        ([1, 6, 5, 6], [2, 2, 2, 3], (2, 1), (1, 2)),
        ([1, 4, 4, 4], [1, 1, 2, 2], (1, 1), (1, 1)),
    ];
    for (i, &(xs, fs, s, d)) in cases.iter().enumerate() {
        for p in [Padding::Valid, Padding::Same] {
            let ins = [
                uniform(&xs, -1.0, 1.0, i as u64),
                uniform(&fs, -1.0, 1.0, 10 + i as u64),
            ];
            check_grad(
                &format!("grouped conv2d {xs:?} {fs:?} {p:?}"),
                |v| nn::conv2d(&v[0], &v[1], s, p, d),
                &ins,
            );
        }
    }
    let ins = [
        uniform(&[1, 5, 4, 2], -1.0, 1.0, 3),
        uniform(&[2, 2, 2, 2], -1.0, 1.0, 4),
    ];
    check_grad2(
        "grouped conv2d, second order",
        |v| nn::conv2d(&v[0], &v[1], (2, 1), Padding::Same, (1, 1)),
        &ins,
    );
    let ins = [uniform(&[2, 7, 4], -1.0, 1.0, 5), uniform(&[3, 2, 4], -1.0, 1.0, 6)];
    check_grad2(
        "grouped conv1d",
        |v| nn::conv1d(&v[0], &v[1], 2, Padding::Same, 1),
        &ins,
    );
}

#[test]
fn depthwise_and_separable_gradients_match_finite_differences() {
    for p in [Padding::Valid, Padding::Same] {
        let ins = [
            uniform(&[2, 5, 4, 3], -1.0, 1.0, 20),
            uniform(&[3, 2, 3, 2], -1.0, 1.0, 21),
        ];
        check_grad(
            &format!("depthwise_conv2d {p:?}"),
            |v| nn::depthwise_conv2d(&v[0], &v[1], (2, 1), p, (1, 1)),
            &ins,
        );
        let ins = [
            uniform(&[1, 6, 5, 2], -1.0, 1.0, 22),
            uniform(&[2, 2, 2, 1], -1.0, 1.0, 23),
        ];
        check_grad(
            &format!("depthwise_conv2d dilated {p:?}"),
            |v| nn::depthwise_conv2d(&v[0], &v[1], (1, 1), p, (2, 2)),
            &ins,
        );
    }
    let ins = [
        uniform(&[1, 5, 5, 2], -1.0, 1.0, 24),
        uniform(&[3, 3, 2, 2], -1.0, 1.0, 25),
        uniform(&[1, 1, 4, 3], -1.0, 1.0, 26),
    ];
    check_grad2(
        "separable_conv2d",
        |v| nn::separable_conv2d(&v[0], &v[1], &v[2], (1, 1), Padding::Same, (1, 1)),
        &ins,
    );
    let ins = [uniform(&[2, 7, 2], -1.0, 1.0, 27), uniform(&[3, 2, 2], -1.0, 1.0, 28)];
    check_grad2(
        "depthwise_conv1d",
        |v| nn::depthwise_conv1d(&v[0], &v[1], 2, Padding::Same, 1),
        &ins,
    );
    let ins = [
        uniform(&[1, 8, 2], -1.0, 1.0, 29),
        uniform(&[2, 2, 1], -1.0, 1.0, 30),
        uniform(&[1, 2, 3], -1.0, 1.0, 31),
    ];
    check_grad(
        "separable_conv1d",
        |v| nn::separable_conv1d(&v[0], &v[1], &v[2], 1, Padding::Valid, 2),
        &ins,
    );
}

#[test]
fn transposed_conv_gradients_match_finite_differences() {
    for p in [Padding::Valid, Padding::Same] {
        // Stride 2 with output_padding: the output's last row/column gets no input.
        let h = nn::conv_transpose_output_size(3, 3, 2, 1, p, Some(1)).unwrap();
        let w_ = nn::conv_transpose_output_size(2, 2, 2, 1, p, Some(1)).unwrap();
        let ins = [
            uniform(&[2, 3, 2, 2], -1.0, 1.0, 40),
            uniform(&[3, 2, 3, 2], -1.0, 1.0, 41),
        ];
        check_grad2(
            &format!("conv2d_transpose {p:?}"),
            |v| nn::conv2d_transpose(&v[0], &v[1], &[2, h, w_, 3], (2, 2), p, (1, 1)),
            &ins,
        );
        let len = nn::conv_transpose_output_size(4, 3, 3, 1, p, None).unwrap();
        let ins = [uniform(&[1, 4, 2], -1.0, 1.0, 42), uniform(&[3, 3, 2], -1.0, 1.0, 43)];
        check_grad(
            &format!("conv1d_transpose {p:?}"),
            |v| nn::conv1d_transpose(&v[0], &v[1], &[1, len, 3], 3, p, 1),
            &ins,
        );
    }
}

/// Distinct values 0.1 apart (shuffled): no ties, so a perturbation of 1e-6
/// never moves a window's maximum.
fn distinct(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let r = vals(&uniform(&[n], 0.0, 1.0, seed));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| r[a].partial_cmp(&r[b]).unwrap());
    let mut v = vec![0.0; n];
    for (rank, &i) in order.iter().enumerate() {
        v[i] = rank as f64 * 0.1 - n as f64 * 0.05;
    }
    Tensor::from_vec(v, shape, &Device::cpu()).unwrap()
}

#[test]
fn pool1d_upsample_and_pad_gradients_match_finite_differences() {
    for p in [Padding::Valid, Padding::Same] {
        for (k, s) in [(2, 2), (3, 1), (3, 2)] {
            let x = [distinct(&[2, 7, 2], 50)];
            check_grad2(
                &format!("max_pool1d {k} {s} {p:?}"),
                |v| nn::max_pool1d(&v[0], k, s, p),
                &x,
            );
            let x = [uniform(&[2, 7, 2], -1.0, 1.0, 51)];
            check_grad2(
                &format!("avg_pool1d {k} {s} {p:?}"),
                |v| nn::avg_pool1d(&v[0], k, s, p),
                &x,
            );
        }
    }
    let x = [uniform(&[2, 2, 3, 2], -1.0, 1.0, 52)];
    check_grad2("upsample2d", |v| nn::upsample2d(&v[0], (2, 3)), &x);
    let x = [uniform(&[2, 3, 2], -1.0, 1.0, 53)];
    check_grad2("upsample1d", |v| nn::upsample1d(&v[0], 2), &x);
    let x = [uniform(&[2, 3, 2], -1.0, 1.0, 54)];
    check_grad2("pad", |v| v[0].pad(&[(1, 0), (2, 1), (0, 1)], 0.5), &x);
}

#[test]
fn pad_and_upsampling_by_hand() {
    let x = Tensor::new(&[1.0f64, 2.0], &[1, 2, 1]).unwrap();
    assert_eq!(
        vals(&x.pad(&[(0, 0), (1, 2), (0, 0)], -1.0).unwrap()),
        vec![-1., 1., 2., -1., -1.]
    );
    assert_eq!(vals(&nn::upsample1d(&x, 2).unwrap()), vec![1., 1., 2., 2.]);
    // Cropping is narrow.
    assert_eq!(vals(&x.narrow(1, 1, 1).unwrap()), vec![2.]);
}

// ------------------------------------------------------------------ errors

fn err(r: Result<Tensor>) -> String {
    match r {
        Ok(t) => panic!("expected an error, got shape {:?}", t.shape()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_name_both_shapes() {
    let x = uniform(&[2, 6, 6, 4], -1.0, 1.0, 1);
    // Groups: in_channels not a multiple of the filters' in_channels.
    let e = err(nn::conv2d(
        &x,
        &uniform(&[3, 3, 3, 6], -1.0, 1.0, 2),
        (1, 1),
        Padding::Valid,
        (1, 1),
    ));
    assert!(
        e.contains("[2, 6, 6, 4]") && e.contains("[3, 3, 3, 6]") && e.contains("divisor of 4"),
        "{e}"
    );
    // Groups: out_channels not dividing into the groups.
    let e = err(nn::conv2d(
        &x,
        &uniform(&[3, 3, 2, 5], -1.0, 1.0, 2),
        (1, 1),
        Padding::Valid,
        (1, 1),
    ));
    assert!(
        e.contains("2 groups") && e.contains("5 output channels") && e.contains("[3, 3, 2, 5]"),
        "{e}"
    );
    // A kernel larger than a VALID input.
    let e = err(nn::conv2d(
        &x,
        &uniform(&[7, 3, 4, 2], -1.0, 1.0, 2),
        (1, 1),
        Padding::Valid,
        (1, 1),
    ));
    assert!(e.contains("window spans 7 along height") && e.contains("only 6"), "{e}");
    let e = err(nn::depthwise_conv2d(
        &x,
        &uniform(&[3, 9, 4, 1], -1.0, 1.0, 2),
        (1, 1),
        Padding::Valid,
        (1, 1),
    ));
    assert!(e.contains("depthwise_conv2d") && e.contains("width"), "{e}");
    // Depthwise channel mismatch, and wrong ranks.
    let e = err(nn::depthwise_conv2d(
        &x,
        &uniform(&[3, 3, 3, 1], -1.0, 1.0, 2),
        (1, 1),
        Padding::Same,
        (1, 1),
    ));
    assert!(e.contains("[2, 6, 6, 4]") && e.contains("[3, 3, 3, 1]"), "{e}");
    let e = err(nn::depthwise_conv2d(
        &uniform(&[6, 6, 4], -1.0, 1.0, 1),
        &uniform(&[3, 3, 4, 1], -1.0, 1.0, 2),
        (1, 1),
        Padding::Same,
        (1, 1),
    ));
    assert!(e.contains("rank 4") && e.contains("[6, 6, 4]"), "{e}");
    let e = err(nn::depthwise_conv1d(
        &uniform(&[2, 6, 4], -1.0, 1.0, 1),
        &uniform(&[3, 2, 1], -1.0, 1.0, 2),
        1,
        Padding::Same,
        1,
    ));
    assert!(
        e.contains("depthwise_conv1d") && e.contains("[2, 6, 4]") && e.contains("[3, 2, 1]"),
        "{e}"
    );
    // Separable: the pointwise filter must take in_channels * depth_multiplier.
    let e = err(nn::separable_conv2d(
        &x,
        &uniform(&[3, 3, 4, 2], -1.0, 1.0, 2),
        &uniform(&[1, 1, 4, 3], -1.0, 1.0, 3),
        (1, 1),
        Padding::Same,
        (1, 1),
    ));
    assert!(
        e.contains("= 8") && e.contains("[1, 1, 4, 3]") && e.contains("[3, 3, 4, 2]"),
        "{e}"
    );
    // Transposed: channels, and an output shape the strides cannot give.
    let g = uniform(&[1, 3, 3, 2], -1.0, 1.0, 4);
    let e = err(nn::conv2d_transpose(
        &g,
        &uniform(&[3, 3, 5, 3], -1.0, 1.0, 5),
        &[1, 6, 6, 5],
        (2, 2),
        Padding::Same,
        (1, 1),
    ));
    assert!(e.contains("[1, 3, 3, 2]") && e.contains("[3, 3, 5, 3]"), "{e}");
    let e = err(nn::conv2d_transpose(
        &g,
        &uniform(&[3, 3, 5, 2], -1.0, 1.0, 5),
        &[1, 9, 6, 5],
        (2, 2),
        Padding::Same,
        (1, 1),
    ));
    assert!(e.contains("5x3 positions") && e.contains("3x3"), "{e}");
    let e = err(nn::conv1d_transpose(
        &uniform(&[1, 3, 2], -1.0, 1.0, 4),
        &uniform(&[3, 5, 3], -1.0, 1.0, 5),
        &[1, 6, 5],
        2,
        Padding::Same,
        1,
    ));
    assert!(e.contains("[1, 3, 2]") && e.contains("[3, 5, 3]"), "{e}");
    // 1-D pooling and upsampling.
    let e = err(nn::max_pool1d(&x, 2, 2, Padding::Valid));
    assert!(
        e.contains("max_pool1d") && e.contains("rank 3") && e.contains("[2, 6, 6, 4]"),
        "{e}"
    );
    let e = err(nn::avg_pool1d(&uniform(&[1, 3, 2], -1.0, 1.0, 1), 4, 1, Padding::Valid));
    assert!(
        e.contains("avg_pool1d") && e.contains("window spans 4 along width"),
        "{e}"
    );
    let e = err(nn::upsample2d(&x, (2, 0)));
    assert!(e.contains("at least 1"), "{e}");
    let e = err(nn::upsample1d(&x, 2));
    assert!(e.contains("rank 3") && e.contains("[2, 6, 6, 4]"), "{e}");
    let e = err(x.pad(&[(1, 1)], 0.0));
    assert!(
        e.contains("[2, 6, 6, 4]") && e.contains("one (before, after) pair"),
        "{e}"
    );
    let e = err(x.pad(&[(0, 0), (usize::MAX, 0), (0, 0), (0, 0)], 0.0));
    assert!(e.contains("overflows"), "{e}");
    let e = x.pad(&[(0, 0), (1 << 40, 0), (0, 0), (0, 0)], 0.0).unwrap_err();
    assert!(matches!(e, tensorlow::Error::ResourceExhausted { .. }), "{e}");
    let e = nn::upsample2d(&x, (1 << 20, 1 << 20)).unwrap_err();
    assert!(matches!(e, tensorlow::Error::ResourceExhausted { .. }), "{e}");
}
