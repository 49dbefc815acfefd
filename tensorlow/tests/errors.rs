//! Misuse comes back as an `Error` whose message names what was wrong,
//! never as a panic. Each case checks the error's kind and that its message
//! names the shapes, dtypes, axes or values involved, so a regression to a
//! vague message fails.

mod common;

use common::*;
use tensorlow::{nn, DType, Error, GradientTape, Tensor, Variable};

/// The variant of `e`, by name.
fn kind(e: &Error) -> &'static str {
    match e {
        Error::Shape { .. } => "Shape",
        Error::DType { .. } => "DType",
        Error::Device(_) => "Device",
        Error::InvalidArgument(_) => "InvalidArgument",
        Error::Tape(_) => "Tape",
        Error::Checkpoint { .. } => "Checkpoint",
        Error::Io { .. } => "Io",
        Error::ResourceExhausted { .. } => "ResourceExhausted",
        Error::Backend(_) => "Backend",
    }
}

/// Expected errors of one test: every mismatch is collected, and
/// [`Checks::done`] lists them all.
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    /// `r` must be an error of kind `want` whose message contains each of
    /// `needles`.
    #[track_caller]
    fn err<T: std::fmt::Debug>(&mut self, r: tensorlow::Result<T>, want: &str, needles: &[&str]) {
        let line = std::panic::Location::caller().line();
        match r {
            Ok(v) => self
                .0
                .push(format!("line {line}: expected a {want} error, got Ok({v:?})")),
            Err(e) => {
                let m = e.to_string();
                let missing: Vec<&&str> = needles.iter().filter(|n| !m.contains(**n)).collect();
                if kind(&e) != want || !missing.is_empty() {
                    self.0.push(format!(
                        "line {line}: expected a {want} error naming {needles:?}, got {} ({m:?}), missing {missing:?}",
                        kind(&e)
                    ));
                }
            }
        }
    }
    fn done(self) {
        assert!(self.0.is_empty(), "{}", self.0.join("\n"));
    }
}

#[test]
fn matmul_mismatch_names_both_shapes() {
    let mut c = Checks::default();
    let a = t64(&[0.0; 6], &[2, 3]);
    let b = t64(&[0.0; 8], &[2, 4]);
    c.err(a.matmul(&b), "Shape", &["matmul", "[2, 3]", "[2, 4]"]);
    c.err(a.matmul_t(&b, false, true), "Shape", &["matmul", "[2, 3]", "[2, 4]"]);
    let v = t64(&[0.0; 3], &[3]);
    c.err(a.matmul(&v), "Shape", &["[3]", "rank"]);
    let m = t64(&[0.0; 12], &[2, 2, 3]).matmul(&t64(&[0.0; 18], &[3, 3, 2]));
    c.err(m, "Shape", &["[2, 2, 3]", "[3, 3, 2]"]);
    c.done();
}

#[test]
fn broadcast_mismatch_names_both_shapes() {
    let mut c = Checks::default();
    let a = t64(&[0.0; 6], &[2, 3]);
    let b = t64(&[0.0; 4], &[4]);
    for r in [
        a.add(&b),
        a.sub(&b),
        &a * &b,
        a.div(&b),
        a.maximum(&b),
        a.pow(&b),
        a.greater(&b),
    ] {
        c.err(r, "Shape", &["[2, 3]", "[4]"]);
    }
    c.err(a.broadcast_to(&[3, 3]), "Shape", &["[2, 3]", "[3, 3]"]);
    let mask = Tensor::from_slice(&[1u8, 0, 1, 0], &[4], &device()).unwrap();
    c.err(mask.select(&a, &a), "Shape", &["[4]", "[2, 3]"]);
    c.done();
}

#[test]
fn dtype_mismatch_is_an_error() {
    let mut c = Checks::default();
    let a = t64(&[1.0, 2.0], &[2]);
    let b = t32(&[1.0, 2.0], &[2]);
    c.err(a.add(&b), "DType", &["float64", "float32"]);
    let row = a.reshape(&[1, 2]).unwrap();
    c.err(
        row.matmul(&b.reshape(&[2, 1]).unwrap()),
        "DType",
        &["float64", "float32"],
    );
    c.err(a.pow(&b), "DType", &["float64", "float32"]);
    c.done();
}

#[test]
fn shape_op_errors() {
    let mut c = Checks::default();
    let x = t64(&[0.0; 6], &[2, 3]);
    c.err(x.reshape(&[4, 2]), "Shape", &["[2, 3]", "[4, 2]"]);
    c.err(x.reshape_infer(&[-1, 4]), "Shape", &["[2, 3]", "[-1, 4]"]);
    c.err(x.reshape_infer(&[-1, -1]), "Shape", &["[-1, -1]"]);
    c.err(x.permute(&[0, 0]), "Shape", &["[0, 0]"]);
    c.err(x.permute(&[0]), "Shape", &["[0]", "[2, 3]"]);
    c.err(x.narrow(1, 2, 2), "Shape", &["[2, 3]"]);
    c.err(x.slice(&[0, 0], &[3, 1]), "Shape", &["[2, 3]"]);
    c.err(x.sum(&[2], false), "InvalidArgument", &["axis 2", "[2, 3]"]);
    c.err(x.sum(&[-3], false), "InvalidArgument", &["axis -3", "[2, 3]"]);
    c.err(x.split(&[1, 1], 1), "Shape", &["[1, 1]", "[2, 3]"]);
    c.err(x.split_even(2, 1), "Shape", &["2", "[2, 3]"]);
    let y = t64(&[0.0; 4], &[2, 2]);
    c.err(Tensor::concat(&[&x, &y], 0), "Shape", &["[2, 3]", "[2, 2]"]);
    c.err(Tensor::concat(&[], 0), "InvalidArgument", &["concat"]);
    let xt = x.transpose().unwrap();
    c.err(Tensor::stack(&[&x, &xt], 0), "Shape", &["[2, 3]", "[3, 2]"]);
    c.err(x.clip_by_value(1.0, -1.0), "InvalidArgument", &["1", "-1"]);
    c.err(Tensor::new(&[1.0f32, 2.0, 3.0], &[2, 2]), "Shape", &["3", "[2, 2]"]);
    c.err(x.to_scalar::<f64>(), "Shape", &["[2, 3]"]);
    c.err(x.expand_dims(3), "InvalidArgument", &["axis 3", "[2, 3]"]);
    c.done();
}

#[test]
fn index_errors() {
    let mut c = Checks::default();
    let x = t64(&[0.0; 6], &[2, 3]);
    c.err(x.gather(&idx(&[0, 3], &[2]), 1), "InvalidArgument", &["index 3"]);
    // Negative indices are out of range too (TensorFlow does not wrap them).
    c.err(x.gather(&idx(&[-1], &[1]), 1), "InvalidArgument", &["index -1"]);
    c.err(x.gather(&t64(&[0.0], &[1]), 1), "DType", &["float64"]);
    c.err(x.take_along_axis(&idx(&[0, 5], &[2, 1]), 1), "InvalidArgument", &["5"]);
    c.err(
        x.take_along_axis(&idx(&[-1, 0], &[2, 1]), 1),
        "InvalidArgument",
        &["-1"],
    );
    c.err(x.take_along_axis(&idx(&[0, 1], &[2]), 1), "Shape", &["[2]", "[2, 3]"]);
    c.err(x.one_hot(3, DType::F32), "DType", &["float64"]);
    c.done();
}

#[test]
fn sparse_label_out_of_range() {
    let mut c = Checks::default();
    let logits = t64(&[0.0; 6], &[2, 3]);
    let sparse = nn::sparse_softmax_cross_entropy_with_logits;
    c.err(
        sparse(&idx(&[0, 3], &[2]), &logits),
        "InvalidArgument",
        &["label 3", "3 classes"],
    );
    c.err(sparse(&idx(&[-1, 0], &[2]), &logits), "InvalidArgument", &["label -1"]);
    // Shape and dtype mistakes.
    c.err(sparse(&idx(&[0, 1, 2], &[3]), &logits), "Shape", &["[3]", "[2, 3]"]);
    c.err(sparse(&t64(&[0.0, 1.0], &[2]), &logits), "DType", &["float64"]);
    let dense = nn::softmax_cross_entropy_with_logits(&t64(&[0.0; 3], &[3]), &logits, -1);
    c.err(dense, "Shape", &["[3]", "[2, 3]"]);
    let sigmoid = nn::sigmoid_cross_entropy_with_logits(&t64(&[0.0; 3], &[3]), &logits);
    c.err(sigmoid, "Shape", &["[3]", "[2, 3]"]);
    c.done();
}

#[test]
fn non_persistent_tape_reuse() {
    let mut c = Checks::default();
    let x = t64(&[1.0], &[1]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.square().unwrap();
    tape.gradient(&y, &[&x]).unwrap();
    c.err(tape.gradient(&y, &[&x]), "Tape", &["persistent"]);
    let tape = GradientTape::new();
    tape.watch(&x);
    let y = x.square().unwrap();
    tape.jacobian(&y, &x).unwrap();
    c.err(tape.batch_jacobian(&y, &x), "Tape", &["persistent"]);
    c.done();
}

#[test]
fn assign_errors() {
    let mut c = Checks::default();
    let v = Variable::new("weights", t64(&[1.0, 2.0], &[2]));
    c.err(
        v.assign(&t64(&[1.0, 2.0, 3.0], &[3])),
        "Shape",
        &["weights", "[2]", "[3]"],
    );
    c.err(v.assign(&t32(&[1.0, 2.0], &[2])), "DType", &["weights", "float32"]);
    c.err(v.assign_add(&t64(&[1.0], &[1])), "Shape", &["weights", "[2]", "[1]"]);
    c.err(
        v.assign_sub(&t64(&[1.0; 4], &[2, 2])),
        "Shape",
        &["weights", "[2]", "[2, 2]"],
    );
    c.done();
    // Nothing was written by the failed assignments.
    assert_eq!(vals(&v), vec![1.0, 2.0]);
}

#[test]
fn random_and_device_argument_errors() {
    let mut c = Checks::default();
    let r = tensorlow::random::uniform(&[2], 1.0, 0.0, DType::F32, Some(1));
    c.err(r, "InvalidArgument", &["1", "0"]);
    let r = tensorlow::random::normal(&[2], 0.0, 1.0, DType::U8, Some(1));
    c.err(r, "DType", &["uint8"]);
    c.err(tensorlow::Device::parse("tpu"), "InvalidArgument", &["tpu", "cuda:N"]);
    let r = Tensor::range(0.0, 1.0, 0.0, DType::F32, &tensorlow::Device::cpu());
    c.err(r, "InvalidArgument", &["0"]);
    c.done();
}
