//! Convolution and pooling (`nn::conv1d`, `nn::conv2d`, `nn::conv2d_transpose`,
//! `nn::max_pool2d`, `nn::avg_pool2d`): forward values against hand-computed
//! cases and naive loop implementations of TensorFlow's semantics written
//! here, first-order gradients against central finite differences (f64),
//! second-order gradients against finite differences of the first gradient,
//! and the errors.

use tensorlow::nn::{self, Padding};
use tensorlow::{Device, Error, GradientTape, Result, Tensor};

// ---------------------------------------------------------------- helpers

/// Deterministic values in [-1, 1) (splitmix64).
fn rand_vec(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
        .collect()
}

fn t(v: &[f64], shape: &[usize]) -> Tensor {
    Tensor::from_slice(v, shape, &Device::cpu()).unwrap()
}

fn rand_t(shape: &[usize], seed: u64) -> Tensor {
    t(&rand_vec(shape.iter().product(), seed), shape)
}

/// Distinct values (a shuffled grid 0.1 apart): no ties, and a perturbation
/// of 1e-6 never changes which element of a window is the maximum.
fn distinct_t(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut keys: Vec<(f64, usize)> = rand_vec(n, seed).into_iter().zip(0..n).collect();
    keys.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let mut v = vec![0.0; n];
    for (rank, &(_, i)) in keys.iter().enumerate() {
        v[i] = rank as f64 * 0.1 - n as f64 * 0.05;
    }
    t(&v, shape)
}

fn vals(x: &Tensor) -> Vec<f64> {
    x.to_vec::<f64>().unwrap()
}

fn assert_close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths differ");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}: element {i}: got {g}, want {w}\n got {got:?}\nwant {want:?}"
        );
    }
}

/// TensorFlow's output size and padding before, per axis (the spec, written
/// independently of the library).
fn tf_geometry(input: usize, k: usize, stride: usize, dilation: usize, same: bool) -> (usize, usize) {
    let ek = (k - 1) * dilation + 1;
    if same {
        let out = input.div_ceil(stride);
        let total = ((out - 1) * stride + ek).saturating_sub(input);
        (out, total / 2)
    } else {
        ((input - ek) / stride + 1, 0)
    }
}

/// Naive NHWC/HWIO convolution: out[b, oy, ox, o] = Σ x[b, iy, ix, i] · f[ky, kx, i, o]
/// with iy = oy·sh + ky·dh - pad_top (zero outside the input).
fn naive_conv2d(
    x: &[f64],
    xs: [usize; 4],
    f: &[f64],
    fs: [usize; 4],
    stride: (usize, usize),
    dil: (usize, usize),
    same: bool,
) -> (Vec<f64>, Vec<usize>) {
    let [n, h, w, c] = xs;
    let [kh, kw, ci, co] = fs;
    assert_eq!(c, ci);
    let (ho, pt) = tf_geometry(h, kh, stride.0, dil.0, same);
    let (wo, pl) = tf_geometry(w, kw, stride.1, dil.1, same);
    let mut y = vec![0.0; n * ho * wo * co];
    for b in 0..n {
        for oy in 0..ho {
            for ox in 0..wo {
                for o in 0..co {
                    let mut s = 0.0;
                    for ky in 0..kh {
                        for kx in 0..kw {
                            let iy = (oy * stride.0 + ky * dil.0) as isize - pt as isize;
                            let ix = (ox * stride.1 + kx * dil.1) as isize - pl as isize;
                            if iy < 0 || ix < 0 || iy >= h as isize || ix >= w as isize {
                                continue;
                            }
                            let (iy, ix) = (iy as usize, ix as usize);
                            for i in 0..c {
                                s += x[((b * h + iy) * w + ix) * c + i] * f[((ky * kw + kx) * ci + i) * co + o];
                            }
                        }
                    }
                    y[((b * ho + oy) * wo + ox) * co + o] = s;
                }
            }
        }
    }
    (y, vec![n, ho, wo, co])
}

/// Naive NHWC pooling over the valid elements of each window.
fn naive_pool(
    x: &[f64],
    xs: [usize; 4],
    k: (usize, usize),
    stride: (usize, usize),
    same: bool,
    max: bool,
) -> (Vec<f64>, Vec<usize>) {
    let [n, h, w, c] = xs;
    let (ho, pt) = tf_geometry(h, k.0, stride.0, 1, same);
    let (wo, pl) = tf_geometry(w, k.1, stride.1, 1, same);
    let mut y = Vec::with_capacity(n * ho * wo * c);
    for b in 0..n {
        for oy in 0..ho {
            for ox in 0..wo {
                for ch in 0..c {
                    let mut items = Vec::new();
                    for ky in 0..k.0 {
                        for kx in 0..k.1 {
                            let iy = (oy * stride.0 + ky) as isize - pt as isize;
                            let ix = (ox * stride.1 + kx) as isize - pl as isize;
                            if iy >= 0 && ix >= 0 && iy < h as isize && ix < w as isize {
                                items.push(x[((b * h + iy as usize) * w + ix as usize) * c + ch]);
                            }
                        }
                    }
                    y.push(if max {
                        items.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                    } else {
                        items.iter().sum::<f64>() / items.len() as f64
                    });
                }
            }
        }
    }
    (y, vec![n, ho, wo, c])
}

/// Checks the tape gradient of `sum(f(inputs) · r)` (r a fixed random
/// cotangent) with respect to every input against central differences.
fn check_grad(what: &str, f: impl Fn(&[Tensor]) -> Result<Tensor>, inputs: &[Tensor]) {
    let y = f(inputs).unwrap();
    let r = rand_t(y.shape(), 99);
    let loss = |ins: &[Tensor]| -> f64 { f(ins).unwrap().mul(&r).unwrap().sum_all().unwrap().to_scalar().unwrap() };
    let tape = GradientTape::new();
    for x in inputs {
        tape.watch(x);
    }
    let l = f(inputs).unwrap().mul(&r).unwrap().sum_all().unwrap();
    let grads = tape.gradient(&l, &inputs.iter().collect::<Vec<_>>()).unwrap();
    let eps = 1e-6;
    for (k, x) in inputs.iter().enumerate() {
        let g = grads[k]
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: no gradient for input {k}"));
        assert_eq!(g.shape(), x.shape(), "{what}: gradient shape of input {k}");
        let base = vals(x);
        let mut fd = Vec::with_capacity(base.len());
        for j in 0..base.len() {
            let mut ins = inputs.to_vec();
            let mut v = base.clone();
            v[j] = base[j] + eps;
            ins[k] = t(&v, x.shape());
            let lp = loss(&ins);
            v[j] = base[j] - eps;
            ins[k] = t(&v, x.shape());
            let lm = loss(&ins);
            fd.push((lp - lm) / (2.0 * eps));
        }
        assert_close(&format!("{what}: d/d input {k}"), &vals(g), &fd, 1e-6);
    }
}

/// Second order: for `L = sum(r · f(inputs)²)` and its first gradients
/// `g_k = dL/d input_k` (from a tape), `h = Σ_k |g_k|²`; checks the gradient
/// of `h` from a nested tape (the outer tape records the inner tape's
/// gradient computation) against central differences of `h`, computed from
/// first gradients only.
fn check_grad_of_grad_norm(what: &str, f: impl Fn(&[Tensor]) -> Result<Tensor>, inputs: &[Tensor]) {
    let r = rand_t(f(inputs).unwrap().shape(), 7);
    let grad_norm = |ins: &[Tensor]| -> Tensor {
        let inner = GradientTape::new();
        for x in ins {
            inner.watch(x);
        }
        let l = f(ins).unwrap().square().unwrap().mul(&r).unwrap().sum_all().unwrap();
        let gs = inner.gradient(&l, &ins.iter().collect::<Vec<_>>()).unwrap();
        let mut h = Tensor::scalar(0.0f64);
        for g in gs {
            h = h.add(&g.unwrap().square().unwrap().sum_all().unwrap()).unwrap();
        }
        h
    };
    let outer = GradientTape::new();
    for x in inputs {
        outer.watch(x);
    }
    let h = grad_norm(inputs);
    let grads = outer.gradient(&h, &inputs.iter().collect::<Vec<_>>()).unwrap();
    let eps = 1e-5;
    for (k, x) in inputs.iter().enumerate() {
        let g = grads[k]
            .as_ref()
            .unwrap_or_else(|| panic!("{what}: no second-order gradient for input {k}"));
        let base = vals(x);
        let mut fd = Vec::with_capacity(base.len());
        for j in 0..base.len() {
            let mut ins = inputs.to_vec();
            let mut v = base.clone();
            v[j] = base[j] + eps;
            ins[k] = t(&v, x.shape());
            let hp: f64 = grad_norm(&ins).to_scalar().unwrap();
            v[j] = base[j] - eps;
            ins[k] = t(&v, x.shape());
            let hm: f64 = grad_norm(&ins).to_scalar().unwrap();
            fd.push((hp - hm) / (2.0 * eps));
        }
        assert_close(&format!("{what}: d|grad|²/d input {k}"), &vals(g), &fd, 1e-5);
    }
}

fn pad_name(same: bool) -> Padding {
    if same {
        Padding::Same
    } else {
        Padding::Valid
    }
}

// ------------------------------------------------------- forward, by hand

/// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel [[1, 2], [3, 4]]:
/// out[i, j] = x[i, j] + 2 x[i, j+1] + 3 x[i+1, j] + 4 x[i+1, j+1].
#[test]
fn conv2d_one_channel_by_hand() {
    let x = t(&[1., 2., 3., 4., 5., 6., 7., 8., 9.], &[1, 3, 3, 1]);
    let k = t(&[1., 2., 3., 4.], &[2, 2, 1, 1]);
    let y = nn::conv2d(&x, &k, (1, 1), Padding::Valid, (1, 1)).unwrap();
    assert_eq!(y.shape(), &[1, 2, 2, 1]);
    // 1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36
    assert_eq!(vals(&y), vec![37., 47., 67., 77.]);
    // SAME: one zero row/column at the bottom/right (total pad 1, odd part after).
    let y = nn::conv2d(&x, &k, (1, 1), Padding::Same, (1, 1)).unwrap();
    assert_eq!(y.shape(), &[1, 3, 3, 1]);
    // row 0: 37, 47, 3+2·0+3·6+0; row 1: 67, 77, 6+3·9; row 2: 7+2·8, 8+2·9, 9
    assert_eq!(vals(&y), vec![37., 47., 21., 67., 77., 33., 23., 26., 9.]);
    // Stride 2 VALID: a single window; SAME: ceil(3/2) = 2, windows at 0 and 2.
    let y = nn::conv2d(&x, &k, (2, 2), Padding::Valid, (1, 1)).unwrap();
    assert_eq!((y.shape().to_vec(), vals(&y)), (vec![1, 1, 1, 1], vec![37.]));
    let y = nn::conv2d(&x, &k, (2, 2), Padding::Same, (1, 1)).unwrap();
    assert_eq!(vals(&y), vec![37., 21., 23., 9.]);
    // Dilation 2: the kernel taps the corners: 1·1 + 2·3 + 3·7 + 4·9.
    let y = nn::conv2d(&x, &k, (1, 1), Padding::Valid, (2, 2)).unwrap();
    assert_eq!(vals(&y), vec![64.]);
    // Unequal strides (1, 2): SAME gives 3 x 2 positions, columns 0 and 2.
    let y = nn::conv2d(&x, &k, (1, 2), Padding::Same, (1, 1)).unwrap();
    assert_eq!(y.shape(), &[1, 3, 2, 1]);
    assert_eq!(vals(&y), vec![37., 21., 67., 33., 23., 9.]);
}

/// A 1x1 kernel mixes channels: out = (c0, c1, c0 + c1) per pixel.
#[test]
fn conv2d_channels_by_hand() {
    let x = t(&[1., 2., 3., 4.], &[1, 1, 2, 2]);
    let k = t(&[1., 0., 1., 0., 1., 1.], &[1, 1, 2, 3]);
    let y = nn::conv2d(&x, &k, (1, 1), Padding::Valid, (1, 1)).unwrap();
    assert_eq!(y.shape(), &[1, 1, 2, 3]);
    assert_eq!(vals(&y), vec![1., 2., 3., 3., 4., 7.]);
}

/// x = [1, 2, 3, 4, 5], kernel [1, 0, -1]: out[i] = x[i] - x[i+2].
#[test]
fn conv1d_by_hand() {
    let x = t(&[1., 2., 3., 4., 5.], &[1, 5, 1]);
    let k = t(&[1., 0., -1.], &[3, 1, 1]);
    let y = nn::conv1d(&x, &k, 1, Padding::Valid, 1).unwrap();
    assert_eq!((y.shape().to_vec(), vals(&y)), (vec![1, 3, 1], vec![-2., -2., -2.]));
    // SAME pads one zero on each side: out[0] = 0 - 2, out[4] = 4 - 0.
    let y = nn::conv1d(&x, &k, 1, Padding::Same, 1).unwrap();
    assert_eq!(vals(&y), vec![-2., -2., -2., -2., 4.]);
    // Stride 2 SAME: positions 0, 2, 4 of the SAME result.
    let y = nn::conv1d(&x, &k, 2, Padding::Same, 1).unwrap();
    assert_eq!(vals(&y), vec![-2., -2., 4.]);
    // Dilation 2: taps 0, 2, 4 -> x0 - x4.
    let y = nn::conv1d(&x, &k, 1, Padding::Valid, 2).unwrap();
    assert_eq!(vals(&y), vec![-4.]);
}

#[test]
fn pools_by_hand() {
    let x = t(&[1., 2., 3., 4., 5., 6., 7., 8., 9.], &[1, 3, 3, 1]);
    let m = nn::max_pool2d(&x, (2, 2), (1, 1), Padding::Valid).unwrap();
    assert_eq!(vals(&m), vec![5., 6., 8., 9.]);
    let a = nn::avg_pool2d(&x, (2, 2), (1, 1), Padding::Valid).unwrap();
    assert_eq!(vals(&a), vec![3., 4., 6., 7.]);
    // SAME, stride 2: windows {1,2,4,5}, {3,6}, {7,8}, {9}; the average counts valid elements only.
    let a = nn::avg_pool2d(&x, (2, 2), (2, 2), Padding::Same).unwrap();
    assert_eq!(vals(&a), vec![3., 4.5, 7.5, 9.]);
    let m = nn::max_pool2d(&x, (2, 2), (2, 2), Padding::Same).unwrap();
    assert_eq!(vals(&m), vec![5., 6., 8., 9.]);
    // Negative values with SAME: padding is -inf, never 0.
    let neg = t(&[-1., -2., -3., -4., -5., -6., -7., -8., -9.], &[1, 3, 3, 1]);
    let m = nn::max_pool2d(&neg, (2, 2), (1, 1), Padding::Same).unwrap();
    assert_eq!(vals(&m), vec![-1., -2., -3., -4., -5., -6., -7., -8., -9.]);
}

// ------------------------------------------------- forward, naive loops

/// (input NHWC, filters HWIO, strides, dilations)
type ConvCase = ([usize; 4], [usize; 4], (usize, usize), (usize, usize));

const CONV_CASES: &[ConvCase] = &[
    ([2, 5, 6, 3], [3, 3, 3, 2], (1, 1), (1, 1)),
    ([2, 5, 6, 3], [3, 2, 3, 2], (2, 2), (1, 1)),
    ([1, 7, 6, 2], [2, 2, 2, 3], (2, 3), (1, 1)),
    ([1, 7, 7, 2], [3, 3, 2, 2], (1, 1), (2, 2)),
    ([2, 8, 7, 1], [2, 3, 1, 2], (2, 1), (2, 1)),
    ([1, 6, 6, 2], [2, 2, 2, 1], (3, 2), (1, 2)),
];

#[test]
fn conv2d_matches_naive_loops() {
    for (ci, &(xs, fs, s, d)) in CONV_CASES.iter().enumerate() {
        for same in [false, true] {
            let (x, f) = (rand_t(&xs, ci as u64), rand_t(&fs, 100 + ci as u64));
            let y = nn::conv2d(&x, &f, s, pad_name(same), d).unwrap();
            let (want, shape) = naive_conv2d(&vals(&x), xs, &vals(&f), fs, s, d, same);
            let what = format!("conv2d {xs:?} {fs:?} strides {s:?} dilations {d:?} same={same}");
            assert_eq!(y.shape(), shape.as_slice(), "{what}");
            assert_close(&what, &vals(&y), &want, 1e-12);
        }
    }
}

#[test]
fn conv1d_matches_naive_loops() {
    // (batch, width, in), (k, in, out), stride, dilation
    let cases: &[([usize; 3], [usize; 3], usize, usize)] = &[
        ([2, 9, 3], [3, 3, 2], 1, 1),
        ([2, 9, 3], [4, 3, 2], 2, 1),
        ([1, 10, 2], [3, 2, 3], 3, 2),
        ([1, 8, 1], [2, 1, 1], 1, 3),
    ];
    for (ci, &(xs, fs, s, d)) in cases.iter().enumerate() {
        for same in [false, true] {
            let (x, f) = (rand_t(&xs, 20 + ci as u64), rand_t(&fs, 30 + ci as u64));
            let y = nn::conv1d(&x, &f, s, pad_name(same), d).unwrap();
            let (want, shape) = naive_conv2d(
                &vals(&x),
                [xs[0], 1, xs[1], xs[2]],
                &vals(&f),
                [1, fs[0], fs[1], fs[2]],
                (1, s),
                (1, d),
                same,
            );
            let what = format!("conv1d {xs:?} {fs:?} stride {s} dilation {d} same={same}");
            assert_eq!(y.shape(), &[shape[0], shape[2], shape[3]], "{what}");
            assert_close(&what, &vals(&y), &want, 1e-12);
        }
    }
}

/// conv2d_transpose is the adjoint of conv2d: <conv2d(x, w), g> = <x, conv2d_transpose(g, w)>,
/// including strides whose windows leave the last rows/columns unread.
#[test]
fn conv2d_transpose_is_the_adjoint() {
    for (ci, &(xs, fs, s, d)) in CONV_CASES.iter().enumerate() {
        for same in [false, true] {
            let (x, f) = (rand_t(&xs, 40 + ci as u64), rand_t(&fs, 50 + ci as u64));
            let y = nn::conv2d(&x, &f, s, pad_name(same), d).unwrap();
            let g = rand_t(y.shape(), 60 + ci as u64);
            let xt = nn::conv2d_transpose(&g, &f, &xs, s, pad_name(same), d).unwrap();
            assert_eq!(xt.shape(), &xs);
            let lhs: f64 = vals(&y).iter().zip(vals(&g)).map(|(a, b)| a * b).sum();
            let rhs: f64 = vals(&x).iter().zip(vals(&xt)).map(|(a, b)| a * b).sum();
            assert!((lhs - rhs).abs() < 1e-10, "case {ci} same={same}: {lhs} vs {rhs}");
        }
    }
    // Inconsistent output_shape: a 4x4 conv2d output cannot come from 3x3 with stride 1 VALID 2x2.
    let g = rand_t(&[1, 4, 4, 1], 1);
    let f = rand_t(&[2, 2, 1, 1], 2);
    assert!(nn::conv2d_transpose(&g, &f, &[1, 3, 3, 1], (1, 1), Padding::Valid, (1, 1)).is_err());
}

/// (input NHWC, ksize, strides)
type PoolCase = ([usize; 4], (usize, usize), (usize, usize));

const POOL_CASES: &[PoolCase] = &[
    ([2, 4, 5, 3], (2, 2), (2, 2)),
    ([1, 5, 5, 2], (3, 3), (1, 1)),
    ([1, 7, 6, 1], (3, 2), (2, 3)),
    ([2, 5, 4, 2], (2, 3), (2, 1)),
];

#[test]
fn pools_match_naive_loops() {
    for (ci, &(xs, k, s)) in POOL_CASES.iter().enumerate() {
        for same in [false, true] {
            let x = rand_t(&xs, 70 + ci as u64);
            for max in [true, false] {
                let y = if max {
                    nn::max_pool2d(&x, k, s, pad_name(same)).unwrap()
                } else {
                    nn::avg_pool2d(&x, k, s, pad_name(same)).unwrap()
                };
                let (want, shape) = naive_pool(&vals(&x), xs, k, s, same, max);
                let what = format!("max={max} {xs:?} ksize {k:?} strides {s:?} same={same}");
                assert_eq!(y.shape(), shape.as_slice(), "{what}");
                assert_close(&what, &vals(&y), &want, 1e-12);
            }
        }
    }
}

/// Ties send the whole gradient to the first maximum (row-major) of each
/// window, as TensorFlow's MaxPoolGrad does; overlapping windows add up.
#[test]
fn max_pool_gradient_ties_go_to_the_first_maximum() {
    let x = t(&[1.; 16], &[1, 4, 4, 1]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = nn::max_pool2d(&x, (2, 2), (2, 2), Padding::Valid).unwrap();
    let g = tape.gradient(&y, &[&x]).unwrap()[0].clone().unwrap();
    #[rustfmt::skip]
    let want = vec![1., 0., 1., 0.,
                    0., 0., 0., 0.,
                    1., 0., 1., 0.,
                    0., 0., 0., 0.];
    assert_eq!(vals(&g), want);
    // 3x3 windows, stride 1, over [[0, 2, 2], [2, 0, 0], [1, 2, 0]] padded SAME: a tie of 2s
    // in each window goes to the first 2 in row-major order.
    let x = t(&[0., 2., 2., 2., 0., 0., 1., 2., 0.], &[1, 3, 3, 1]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = nn::max_pool2d(&x, (3, 3), (1, 1), Padding::Same).unwrap();
    assert_eq!(vals(&y), vec![2.; 9]);
    let g = tape.gradient(&y, &[&x]).unwrap()[0].clone().unwrap();
    // Windows centred at (r, c) cover rows r-1..=r+1, cols c-1..=c+1. First 2 in each:
    // (0,0)->(0,1) (0,1)->(0,1) (0,2)->(0,1) (1,0)->(0,1) (1,1)->(0,1) (1,2)->(0,1)
    // (2,0)->(1,0) (2,1)->(1,0) (2,2)->(2,1)
    assert_eq!(vals(&g), vec![0., 6., 0., 2., 0., 0., 0., 1., 0.]);
}

/// TensorFlow's max pooling by naive loops: each window's maximum and the
/// input index of its first maximum in row-major order (a later element
/// wins when strictly greater, or when it is NaN and the maximum so far is
/// not), and the gradient `g` added at those indices.
fn naive_max_pool_with_grad(
    x: &[f64],
    xs: [usize; 4],
    k: (usize, usize),
    stride: (usize, usize),
    same: bool,
    g: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let [n, h, w, c] = xs;
    let (ho, pt) = tf_geometry(h, k.0, stride.0, 1, same);
    let (wo, pl) = tf_geometry(w, k.1, stride.1, 1, same);
    let (mut y, mut dx) = (Vec::new(), vec![0.0; x.len()]);
    for b in 0..n {
        for oy in 0..ho {
            for ox in 0..wo {
                for ch in 0..c {
                    let mut best: Option<usize> = None;
                    for ky in 0..k.0 {
                        for kx in 0..k.1 {
                            let iy = (oy * stride.0 + ky) as isize - pt as isize;
                            let ix = (ox * stride.1 + kx) as isize - pl as isize;
                            if iy >= 0 && ix >= 0 && iy < h as isize && ix < w as isize {
                                let at = ((b * h + iy as usize) * w + ix as usize) * c + ch;
                                best = match best {
                                    Some(i) if !(x[at] > x[i] || (x[at].is_nan() && !x[i].is_nan())) => Some(i),
                                    _ => Some(at),
                                };
                            }
                        }
                    }
                    let i = best.expect("every window has an element");
                    dx[i] += g[y.len()];
                    y.push(x[i]);
                }
            }
        }
    }
    (y, dx)
}

/// Many channels (the kernel handles them in blocks of 16 and a remainder),
/// values with ties and NaNs, f32 and f64: values and gradients equal the
/// naive loops' exactly (NaN where the naive maximum is NaN).
#[test]
fn wide_max_pools_match_naive_loops_with_ties_and_nans() {
    let cases: &[PoolCase] = &[([2, 5, 4, 35], (2, 2), (2, 2)), ([1, 5, 6, 17], (3, 3), (1, 2))];
    for (ci, &(xs, k, s)) in cases.iter().enumerate() {
        let len: usize = xs.iter().product();
        // Values in {-2, ..., 2}: many ties; every 7th a NaN.
        let xv: Vec<f64> = rand_vec(len, 90 + ci as u64)
            .iter()
            .enumerate()
            .map(|(i, v)| if i % 7 == 3 { f64::NAN } else { (v * 2.0).round() })
            .collect();
        for same in [false, true] {
            for dtype in [tensorlow::DType::F64, tensorlow::DType::F32] {
                let x = t(&xv, &xs).cast(dtype).unwrap();
                let tape = GradientTape::new();
                tape.watch(&x);
                let y = nn::max_pool2d(&x, k, s, pad_name(same)).unwrap();
                let gv = rand_vec(y.shape().iter().product(), 7);
                let gy = t(&gv, y.shape()).cast(dtype).unwrap();
                let dx = tape.gradient_with(&y, &[&x], Some(&gy), Default::default()).unwrap()[0]
                    .clone()
                    .unwrap();
                let (want_y, want_dx) = naive_max_pool_with_grad(&xv, xs, k, s, same, &gv);
                let what = format!("{xs:?} ksize {k:?} strides {s:?} same={same} {dtype:?}");
                let to64 = |t: &Tensor| t.cast(tensorlow::DType::F64).unwrap().to_vec::<f64>().unwrap();
                let same_bits = |a: &[f64], b: &[f64], tol: f64| {
                    a.len() == b.len()
                        && a.iter()
                            .zip(b)
                            .all(|(p, q)| (p.is_nan() && q.is_nan()) || (p - q).abs() <= tol)
                };
                assert!(same_bits(&to64(&y), &want_y, 0.0), "{what}: values differ");
                // f32: the gradient's rounding (several windows may add at one index).
                let tol = if dtype == tensorlow::DType::F32 { 1e-6 } else { 0.0 };
                assert!(same_bits(&to64(&dx), &want_dx, tol), "{what}: gradients differ");
            }
        }
    }
}

// ------------------------------------------------- first-order gradients

#[test]
fn conv2d_gradients_match_finite_differences() {
    // (input, filters, strides, dilations): stride 1 and 2, dilation 2, mixed,
    // and sizes where (in + pads - k) % stride != 0 (output padding).
    let cases: &[ConvCase] = &[
        ([2, 5, 5, 2], [3, 3, 2, 2], (1, 1), (1, 1)),
        ([1, 6, 5, 2], [3, 2, 2, 3], (2, 2), (1, 1)),
        ([1, 7, 6, 1], [2, 2, 1, 2], (2, 2), (1, 1)),
        ([1, 7, 7, 2], [2, 3, 2, 1], (1, 1), (2, 2)),
        ([1, 7, 6, 2], [2, 2, 2, 2], (2, 1), (1, 2)),
        ([1, 8, 7, 1], [3, 2, 1, 2], (2, 3), (2, 1)),
    ];
    for (ci, &(xs, fs, s, d)) in cases.iter().enumerate() {
        for same in [false, true] {
            let ins = [rand_t(&xs, 200 + ci as u64), rand_t(&fs, 300 + ci as u64)];
            check_grad(
                &format!("conv2d {xs:?} {fs:?} strides {s:?} dilations {d:?} same={same}"),
                |v| nn::conv2d(&v[0], &v[1], s, pad_name(same), d),
                &ins,
            );
        }
    }
}

#[test]
fn conv1d_gradients_match_finite_differences() {
    let cases: &[([usize; 3], [usize; 3], usize, usize)] = &[
        ([2, 7, 2], [3, 2, 2], 1, 1),
        ([2, 8, 2], [3, 2, 3], 2, 1),
        ([1, 9, 3], [2, 3, 2], 2, 1),
        ([1, 9, 2], [3, 2, 2], 1, 2),
        ([1, 10, 1], [2, 1, 2], 2, 2),
    ];
    for (ci, &(xs, fs, s, d)) in cases.iter().enumerate() {
        for same in [false, true] {
            let ins = [rand_t(&xs, 400 + ci as u64), rand_t(&fs, 500 + ci as u64)];
            check_grad(
                &format!("conv1d {xs:?} {fs:?} stride {s} dilation {d} same={same}"),
                |v| nn::conv1d(&v[0], &v[1], s, pad_name(same), d),
                &ins,
            );
        }
    }
}

#[test]
fn pool_gradients_match_finite_differences() {
    for (ci, &(xs, k, s)) in POOL_CASES.iter().enumerate() {
        for same in [false, true] {
            let what = format!("{xs:?} ksize {k:?} strides {s:?} same={same}");
            let x = [distinct_t(&xs, 600 + ci as u64)];
            check_grad(
                &format!("max_pool2d {what}"),
                |v| nn::max_pool2d(&v[0], k, s, pad_name(same)),
                &x,
            );
            let x = [rand_t(&xs, 700 + ci as u64)];
            check_grad(
                &format!("avg_pool2d {what}"),
                |v| nn::avg_pool2d(&v[0], k, s, pad_name(same)),
                &x,
            );
        }
    }
}

/// `conv2d_bias_relu` is `relu(conv2d + bias)`: the same bits as the three
/// ops for the values and the first gradients, and their gradients of a
/// gradient norm (nested tapes) to rounding; f32 and f64, grouped, strided,
/// dilated, both paddings; NaN propagates; and its gradient matches central
/// differences.
#[test]
fn fused_conv_bias_relu_is_the_three_ops_bit_for_bit() {
    // (input, filters, strides, dilations, same)
    let cases: &[(ConvCase, bool)] = &[
        (([2, 6, 5, 3], [3, 3, 3, 4], (1, 1), (1, 1)), false),
        (([2, 7, 6, 4], [3, 2, 2, 6], (2, 1), (1, 1)), true),
        (([1, 7, 7, 2], [2, 3, 2, 3], (1, 2), (2, 1)), true),
    ];
    let bits = |t: &Tensor| -> Vec<u64> {
        vals(&t.cast(tensorlow::DType::F64).unwrap())
            .iter()
            .map(|v| v.to_bits())
            .collect()
    };
    for (ci, &((xs, fs, s, dl), same)) in cases.iter().enumerate() {
        for dtype in [tensorlow::DType::F64, tensorlow::DType::F32] {
            let mut xv = vals(&rand_t(&xs, 40 + ci as u64));
            xv[5] = f64::NAN;
            let x_nan = t(&xv, &xs).cast(dtype).unwrap();
            let x = rand_t(&xs, 40 + ci as u64).cast(dtype).unwrap();
            let w = rand_t(&fs, 50 + ci as u64).cast(dtype).unwrap();
            let b = rand_t(&[fs[3]], 60 + ci as u64).cast(dtype).unwrap();
            let fused = |x: &Tensor, w: &Tensor, b: &Tensor| nn::conv2d_bias_relu(x, w, b, s, pad_name(same), dl);
            let three = |x: &Tensor, w: &Tensor, b: &Tensor| nn::conv2d(x, w, s, pad_name(same), dl)?.add(b)?.relu();
            let what = format!("{xs:?} {fs:?} strides {s:?} dilations {dl:?} same={same} {dtype:?}");
            assert_eq!(
                bits(&fused(&x_nan, &w, &b).unwrap()),
                bits(&three(&x_nan, &w, &b).unwrap()),
                "{what}: NaN input"
            );
            // First and second order: h = |d sum(y² r)/d(x, w, b)|², and dh/d(x, w, b).
            let r = rand_t(fused(&x, &w, &b).unwrap().shape(), 9).cast(dtype).unwrap();
            let run = |f: &dyn Fn(&Tensor, &Tensor, &Tensor) -> Result<Tensor>| {
                let outer = GradientTape::new();
                let inner = GradientTape::new();
                for v in [&x, &w, &b] {
                    outer.watch(v);
                    inner.watch(v);
                }
                let y = f(&x, &w, &b).unwrap();
                let l = y.square().unwrap().mul(&r).unwrap().sum_all().unwrap();
                let g = inner.gradient(&l, &[&x, &w, &b]).unwrap();
                let mut h = g[0].as_ref().unwrap().square().unwrap().sum_all().unwrap();
                for gi in &g[1..] {
                    h = h
                        .add(&gi.as_ref().unwrap().square().unwrap().sum_all().unwrap())
                        .unwrap();
                }
                let gg = outer.gradient(&h, &[&x, &w, &b]).unwrap();
                let mut out = vec![bits(&y)];
                out.extend(g.iter().chain(&gg).map(|t| bits(t.as_ref().unwrap())));
                out
            };
            // The value and first gradients (what training uses) are the
            // same bits; second-order gradients add their paths' terms in
            // another order (the graphs differ), so agree to rounding.
            let (a, c) = (run(&fused), run(&three));
            let tol = if dtype == tensorlow::DType::F32 { 1e-5 } else { 1e-12 };
            for (k, (p, q)) in a.iter().zip(&c).enumerate() {
                let close = |u: &u64, v: &u64| {
                    let (u, v) = (f64::from_bits(*u), f64::from_bits(*v));
                    if k < 4 {
                        u.to_bits() == v.to_bits()
                    } else {
                        (u - v).abs() <= tol * (1.0 + v.abs())
                    }
                };
                let first = p.iter().zip(q).position(|(u, v)| !close(u, v));
                assert!(
                    first.is_none(),
                    "{what}: part {k} (y, dx, dw, db, then their gradients) differs at {first:?}"
                );
            }
        }
    }
    let (x, w, b) = (distinct_t(&[1, 5, 5, 2], 3), rand_t(&[3, 3, 2, 3], 4), rand_t(&[3], 5));
    check_grad(
        "conv2d_bias_relu",
        |v| nn::conv2d_bias_relu(&v[0], &v[1], &v[2], (1, 1), Padding::Same, (1, 1)),
        &[x, w, b],
    );
}

// ------------------------------------------------ second-order gradients

#[test]
fn conv2d_second_order_matches_finite_differences_of_the_gradient() {
    let cases: &[ConvCase] = &[
        ([1, 5, 5, 2], [3, 3, 2, 2], (1, 1), (1, 1)),
        ([2, 6, 5, 1], [2, 3, 1, 2], (2, 2), (1, 1)),
        ([1, 7, 6, 2], [2, 2, 2, 1], (2, 1), (2, 2)),
    ];
    for (ci, &(xs, fs, s, d)) in cases.iter().enumerate() {
        for same in [false, true] {
            let ins = [rand_t(&xs, 800 + ci as u64), rand_t(&fs, 900 + ci as u64)];
            check_grad_of_grad_norm(
                &format!("conv2d {xs:?} {fs:?} strides {s:?} dilations {d:?} same={same}"),
                |v| nn::conv2d(&v[0], &v[1], s, pad_name(same), d),
                &ins,
            );
        }
    }
}

#[test]
fn conv1d_and_pool_second_order_match_finite_differences() {
    let ins = [rand_t(&[1, 7, 2], 1000), rand_t(&[3, 2, 2], 1001)];
    check_grad_of_grad_norm(
        "conv1d stride 2 SAME",
        |v| nn::conv1d(&v[0], &v[1], 2, Padding::Same, 1),
        &ins,
    );
    for same in [false, true] {
        let x = [distinct_t(&[1, 5, 5, 2], 1002)];
        check_grad_of_grad_norm(
            &format!("max_pool2d same={same}"),
            |v| nn::max_pool2d(&v[0], (3, 3), (2, 2), pad_name(same)),
            &x,
        );
        let x = [rand_t(&[1, 5, 5, 2], 1003)];
        check_grad_of_grad_norm(
            &format!("avg_pool2d same={same}"),
            |v| nn::avg_pool2d(&v[0], (3, 2), (2, 1), pad_name(same)),
            &x,
        );
    }
}

// ------------------------------------------------------------------ errors

fn err_string(r: Result<Tensor>) -> String {
    match r {
        Ok(t) => panic!("expected an error, got a tensor of shape {:?}", t.shape()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn conv_errors_name_the_problem() {
    let x = rand_t(&[2, 5, 5, 3], 1);
    let f = rand_t(&[3, 3, 4, 8], 2);
    assert_eq!(
        err_string(nn::conv2d(&x, &f, (1, 1), Padding::Valid, (1, 1))),
        "conv2d: input has 3 channels (shape [2, 5, 5, 3]) but filters expect 4 (shape [3, 3, 4, 8]); a grouped \
         convolution needs filters taking a divisor of 3"
    );
    let f = rand_t(&[3, 3, 3, 8], 2);
    // Wrong ranks.
    let e = err_string(nn::conv2d(&rand_t(&[5, 5, 3], 3), &f, (1, 1), Padding::Valid, (1, 1)));
    assert!(e.contains("rank 4") && e.contains("[5, 5, 3]"), "{e}");
    let e = err_string(nn::conv2d(&x, &rand_t(&[3, 3, 3], 3), (1, 1), Padding::Valid, (1, 1)));
    assert!(e.contains("filters must have rank 4"), "{e}");
    // Zero stride and dilation.
    let e = nn::conv2d(&x, &f, (0, 1), Padding::Same, (1, 1)).unwrap_err();
    assert!(
        matches!(e, Error::InvalidArgument(_)) && e.to_string().contains("stride"),
        "{e}"
    );
    let e = err_string(nn::conv2d(&x, &f, (1, 1), Padding::Same, (1, 0)));
    assert!(e.contains("dilation"), "{e}");
    // A kernel larger than the input: an error with VALID, fine with SAME.
    let big = rand_t(&[6, 2, 3, 1], 4);
    let e = err_string(nn::conv2d(&x, &big, (1, 1), Padding::Valid, (1, 1)));
    assert!(e.contains("Padding::Valid") && e.contains("height"), "{e}");
    assert_eq!(
        nn::conv2d(&x, &big, (1, 1), Padding::Same, (1, 1)).unwrap().shape(),
        &[2, 5, 5, 1]
    );
    // ... including when dilation makes it larger (3 dilated by 3 spans 7 > 5).
    let e = err_string(nn::conv2d(&x, &f, (1, 1), Padding::Valid, (3, 1)));
    assert!(e.contains("dilated by 3"), "{e}");
    // Dtype mismatch.
    let f32x = x.cast(tensorlow::DType::F32).unwrap();
    assert!(nn::conv2d(&f32x, &f, (1, 1), Padding::Valid, (1, 1)).is_err());
    // conv1d names its own shapes.
    assert_eq!(
        err_string(nn::conv1d(
            &rand_t(&[2, 9, 3], 5),
            &rand_t(&[3, 2, 4], 6),
            1,
            Padding::Valid,
            1
        )),
        "conv1d: input has 3 channels (shape [2, 9, 3]) but filters expect 2 (shape [3, 2, 4]); a grouped \
         convolution needs filters taking a divisor of 3"
    );
    let e = err_string(nn::conv1d(
        &rand_t(&[2, 9, 3], 5),
        &rand_t(&[3, 3, 4], 6),
        0,
        Padding::Valid,
        1,
    ));
    assert!(e.contains("stride"), "{e}");
    let e = err_string(nn::conv1d(
        &rand_t(&[2, 2, 3], 5),
        &rand_t(&[3, 3, 4], 6),
        1,
        Padding::Valid,
        1,
    ));
    assert!(e.contains("width"), "{e}");
}

#[test]
fn pool_errors_name_the_problem() {
    let x = rand_t(&[1, 4, 4, 2], 1);
    let e = err_string(nn::max_pool2d(&rand_t(&[4, 4, 2], 1), (2, 2), (2, 2), Padding::Valid));
    assert!(e.contains("rank 4") && e.contains("[4, 4, 2]"), "{e}");
    let e = err_string(nn::avg_pool2d(&x, (2, 2), (2, 0), Padding::Same));
    assert!(e.contains("stride"), "{e}");
    let e = err_string(nn::max_pool2d(&x, (0, 2), (1, 1), Padding::Same));
    assert!(e.contains("size 0"), "{e}");
    let e = err_string(nn::avg_pool2d(&x, (2, 5), (1, 1), Padding::Valid));
    assert!(e.contains("avg_pool2d") && e.contains("width"), "{e}");
    assert_eq!(
        nn::avg_pool2d(&x, (2, 5), (1, 1), Padding::Same).unwrap().shape(),
        &[1, 4, 4, 2]
    );
}

/// Degenerate sizes give empty or all-zero results, not panics: an empty
/// batch, and zero input channels (an empty sum).
#[test]
fn empty_batch_and_zero_channels() {
    let f64z = |shape: &[usize]| Tensor::zeros(shape, tensorlow::DType::F64, &Device::cpu()).unwrap();
    let x = f64z(&[0, 5, 5, 2]);
    let y = nn::conv2d(&x, &rand_t(&[3, 3, 2, 4], 1), (2, 2), Padding::Same, (1, 1)).unwrap();
    assert_eq!(y.shape(), &[0, 3, 3, 4]);
    assert_eq!(
        nn::max_pool2d(&x, (2, 2), (2, 2), Padding::Same).unwrap().shape(),
        &[0, 3, 3, 2]
    );
    assert_eq!(
        nn::avg_pool2d(&x, (2, 2), (2, 2), Padding::Valid).unwrap().shape(),
        &[0, 2, 2, 2]
    );
    let y = nn::conv2d(
        &f64z(&[1, 5, 5, 0]),
        &f64z(&[3, 3, 0, 4]),
        (2, 2),
        Padding::Same,
        (1, 1),
    )
    .unwrap();
    assert_eq!((y.shape().to_vec(), vals(&y)), (vec![1, 3, 3, 4], vec![0.0; 36]));
}
