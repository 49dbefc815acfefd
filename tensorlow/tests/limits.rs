//! Sizes given by a user never abort the process or overflow: a tensor
//! too large for the machine is `Error::ResourceExhausted` naming the shape
//! and the bytes, a shape whose element count overflows is `Error::Shape`
//! (see `tensorlow::limits`). Every size here is far above the memory of
//! any machine these tests run on (the smallest asks for 1 TiB).

mod common;

use common::*;
use tensorlow::{random, DType, Device, Error, Tensor};

/// Asserts `r` is a `ResourceExhausted` error naming `op`, the shape and
/// the bytes asked for.
#[track_caller]
fn exhausted<T: std::fmt::Debug>(r: tensorlow::Result<T>, op: &str, shape: &str, bytes: u128) {
    let e = r.expect_err("expected an error");
    let m = e.to_string();
    assert!(matches!(e, Error::ResourceExhausted { .. }), "{e:?}");
    assert!(m.starts_with(op), "{m}");
    assert!(m.contains(shape), "names the shape {shape}: {m}");
    assert!(m.contains(&format!("{bytes} bytes")), "names {bytes} bytes: {m}");
    assert!(!m.contains('\n'), "one line: {m}");
}

/// Asserts `r` is a shape error naming `op` and the shape.
#[track_caller]
fn overflow<T: std::fmt::Debug>(r: tensorlow::Result<T>, op: &str, shape: &str) {
    let e = r.expect_err("expected an error");
    let m = e.to_string();
    assert!(matches!(e, Error::Shape { .. }), "{e:?}");
    assert!(m.starts_with(op) && m.contains(shape), "{m}");
}

fn cpu() -> Device {
    Device::cpu()
}

#[test]
fn creating_huge_tensors_is_an_error_naming_shape_and_bytes() {
    let n = 1usize << 38;
    exhausted(
        Tensor::zeros(&[n], DType::F32, &cpu()),
        "zeros",
        "[274877906944]",
        1 << 40,
    );
    exhausted(
        Tensor::ones(&[n, 2], DType::F64, &cpu()),
        "ones",
        "[274877906944, 2]",
        1 << 42,
    );
    exhausted(
        Tensor::fill(&[n], 1.5, DType::U8, &cpu()),
        "fill",
        "[274877906944]",
        1 << 38,
    );
    exhausted(
        Tensor::eye(1 << 20, DType::F32, &cpu()),
        "eye",
        "[1048576, 1048576]",
        1 << 42,
    );
    exhausted(
        Tensor::linspace(0.0, 1.0, n, DType::F32, &cpu()),
        "linspace",
        "[274877906944]",
        1 << 41,
    );
}

#[test]
fn range_with_a_huge_count_is_an_error() {
    // 1e18 float64 values.
    exhausted(
        Tensor::range(0.0, 1e18, 1.0, DType::F32, &cpu()),
        "range",
        "[1000000000000000000]",
        8_000_000_000_000_000_000,
    );
    // An infinite limit saturates the count, which is refused too.
    let e = Tensor::range(0.0, f64::INFINITY, 1.0, DType::F32, &cpu()).unwrap_err();
    assert!(matches!(e, Error::ResourceExhausted { .. }), "{e}");
    // NaN bounds give an empty range, as in NumPy.
    let t = Tensor::range(f64::NAN, 3.0, 1.0, DType::F32, &cpu()).unwrap();
    assert_eq!(t.shape(), &[0]);
}

#[test]
fn shapes_whose_product_overflows_are_shape_errors() {
    // In release builds this used to be a zero-element tensor (the product
    // wrapped around to 0).
    let huge = [1usize << 32, 1 << 32];
    overflow(
        Tensor::zeros(&huge, DType::F32, &cpu()),
        "zeros",
        "[4294967296, 4294967296]",
    );
    overflow(
        Tensor::ones(&huge, DType::F32, &cpu()),
        "ones",
        "[4294967296, 4294967296]",
    );
    overflow(
        random::normal(&huge, 0.0, 1.0, DType::F32, Some(1)),
        "random",
        "[4294967296, 4294967296]",
    );
    // A zero-element shape with overflowing partial products (its strides).
    overflow(
        Tensor::zeros(&[0, 1 << 40, 1 << 40], DType::F32, &cpu()),
        "zeros",
        "[0, 1099511627776, 1099511627776]",
    );
    // Building from data checks the shape's product too.
    overflow(
        Tensor::new(&[1.0f32], &[1 << 32, 1 << 32, 1]),
        "tensor",
        "[4294967296, 4294967296, 1]",
    );
    // A zero-element tensor with a harmless shape still works.
    assert_eq!(
        Tensor::zeros(&[0, 1 << 40], DType::F32, &cpu()).unwrap().elem_count(),
        0
    );
}

#[test]
fn random_tensors_on_huge_shapes_are_errors() {
    let shape = [1usize << 20, 1 << 20];
    exhausted(
        random::normal(&shape, 0.0, 1.0, DType::F32, Some(1)),
        "random",
        "[1048576, 1048576]",
        1 << 42,
    );
    exhausted(
        random::uniform(&shape, 0.0, 1.0, DType::F64, Some(1)),
        "random",
        "[1048576, 1048576]",
        1 << 43,
    );
    exhausted(
        random::truncated_normal(&shape, 0.0, 1.0, DType::F32, None),
        "random",
        "[1048576, 1048576]",
        1 << 42,
    );
    let mut g = random::Generator::from_seed(3);
    exhausted(
        g.normal(&shape, 0.0, 1.0, DType::BF16, &cpu()),
        "random",
        "[1048576, 1048576]",
        1 << 41,
    );
}

#[test]
fn one_hot_with_a_huge_depth_is_an_error() {
    let labels = Tensor::new(&[0u32, 1], &[2]).unwrap();
    // The int64 range of 2^40 classes alone is 8 TiB.
    exhausted(
        labels.one_hot(1 << 40, DType::F32),
        "one_hot",
        "[1099511627776]",
        1 << 43,
    );
    assert_eq!(labels.one_hot(3, DType::F32).unwrap().shape(), &[2, 3]);
}

#[test]
fn narrow_slice_and_reshape_with_huge_sizes_are_errors() {
    let x = t32(&[1.0; 6], &[2, 3]);
    for (start, len) in [(usize::MAX, 2), (1, usize::MAX), (usize::MAX, usize::MAX)] {
        let e = x.narrow(1, start, len).unwrap_err();
        assert!(matches!(e, Error::Shape { .. }), "{e:?}");
        let m = e.to_string();
        assert!(m.contains(&start.to_string()) && m.contains("[2, 3]"), "{m}");
    }
    let e = x.slice(&[0, usize::MAX], &[1, 2]).unwrap_err();
    assert!(e.to_string().contains("[2, 3]"), "{e}");
    let e = x.slice(&[0, 1], &[1, isize::MAX]).unwrap_err();
    assert!(e.to_string().contains(&isize::MAX.to_string()), "{e}");
    // Reshape to a shape whose product overflows (and wraps to 6 in release
    // arithmetic: 2^63 * 2 + 6 overflows to 6).
    overflow(x.reshape(&[1 << 63, 2, 3]), "reshape", "[9223372036854775808, 2, 3]");
    overflow(
        x.reshape(&[1 << 62, 1 << 62]),
        "reshape",
        "[4611686018427387904, 4611686018427387904]",
    );
    overflow(
        x.reshape_infer(&[1 << 62, 1 << 62, -1]),
        "reshape",
        "[4611686018427387904, 4611686018427387904]",
    );
    let e = x.reshape(&[4, 2]).unwrap_err();
    assert!(e.to_string().contains("[4, 2]"), "{e}");
}

#[test]
fn broadcasts_and_matmuls_with_huge_outputs_are_errors() {
    // Each operand is small; the broadcast result would be 2^40 floats.
    let col = Tensor::zeros(&[1 << 20, 1], DType::F32, &cpu()).unwrap();
    let row = Tensor::zeros(&[1, 1 << 20], DType::F32, &cpu()).unwrap();
    exhausted(col.add(&row), "add", "[1048576, 1048576]", 1 << 42);
    exhausted(&col * &row, "mul", "[1048576, 1048576]", 1 << 42);
    exhausted(col.maximum(&row), "maximum", "[1048576, 1048576]", 1 << 42);
    exhausted(col.greater(&row), "greater", "[1048576, 1048576]", 1 << 40);
    exhausted(
        col.broadcast_to(&[1 << 20, 1 << 20]),
        "broadcast_to",
        "[1048576, 1048576]",
        1 << 42,
    );
    // An outer product by matmul.
    exhausted(col.matmul(&row), "matmul", "[1048576, 1048576]", 1 << 42);
    // Gathering one row 2^40 times.
    let idx = Tensor::zeros(&[1 << 20], DType::U32, &cpu()).unwrap();
    exhausted(row.gather(&idx, 0), "gather", "[1048576, 1048576]", 1 << 42);
}

#[test]
fn the_bound_is_reported_and_fits_ordinary_tensors() {
    let bound = tensorlow::limits::max_alloc_bytes();
    assert!(bound >= 1 << 26, "a bound of {bound} bytes is too small to be right");
    assert!(bound <= isize::MAX as u64);
    // A tensor that fits is made as before.
    let t = Tensor::zeros(&[1 << 10, 1 << 10], DType::F32, &cpu()).unwrap();
    assert_eq!(t.elem_count(), 1 << 20);
    assert_eq!(tensorlow::limits::check_alloc("mine", &[3, 4], DType::F64).unwrap(), 12);
}
