//! Mistakes a user makes with `fit` give errors that name the mismatch and
//! say how to fix it: wrong input shapes, targets in the wrong form for the
//! loss, labels out of range, empty data. Every case goes through `fit`.

use keraslike::datasets::{load_csv_xy, to_categorical, CsvXyOptions};
use keraslike::layers::Dense;
use keraslike::{Error, FitOptions, Sequential};
use tensorlow::{DType, Device, Tensor};

/// A 4-8-3 softmax classifier compiled with `loss`.
fn model(loss: &str) -> Sequential {
    let mut m = Sequential::new(vec![
        Box::new(Dense::new(8).activation("relu").input_shape(&[4])),
        Box::new(Dense::new(3).activation("softmax")),
    ]);
    m.compile("adam", loss, &["accuracy"]).unwrap();
    m
}

fn quiet() -> FitOptions<'static> {
    FitOptions {
        epochs: 1,
        batch_size: 4,
        verbose: 0,
        seed: Some(0),
        ..FitOptions::default()
    }
}

fn x(n: usize, features: usize) -> Tensor {
    Tensor::ones(&[n, features], DType::F32, &Device::cpu()).unwrap()
}

fn labels(v: &[u32]) -> Tensor {
    Tensor::new(v, &[v.len()]).unwrap()
}

fn fit_err(m: &mut Sequential, x: &Tensor, y: &Tensor) -> Error {
    m.fit(x, y, quiet()).expect_err("fit must fail")
}

#[test]
fn wrong_input_shape_names_expected_and_given_shapes() {
    let mut m = model("sparse_categorical_crossentropy");
    let e = fit_err(&mut m, &x(6, 3), &labels(&[0, 1, 2, 0, 1, 2]));
    let s = e.to_string();
    assert!(matches!(e, Error::Shape(_)), "{e:?}");
    assert!(
        s.contains("fit") && s.contains("(batch, 4)") && s.contains("got (6, 3)"),
        "{s}"
    );
    // One sample of 4 features without the batch axis: the fix is named.
    let e = fit_err(
        &mut m,
        &Tensor::ones(&[4], DType::F32, &Device::cpu()).unwrap(),
        &labels(&[0]),
    );
    let s = e.to_string();
    assert!(
        s.contains("shapes [4] and [1]") && s.contains("reshape it to (1, 4)"),
        "{s}"
    );
}

#[test]
fn one_hot_targets_with_sparse_loss_point_to_categorical() {
    let mut m = model("sparse_categorical_crossentropy");
    let y = to_categorical(&labels(&[0, 1, 2, 0, 1, 2]), 3).unwrap();
    let s = fit_err(&mut m, &x(6, 4), &y).to_string();
    assert!(s.contains("sparse_categorical_crossentropy"), "{s}");
    // Names the labels' shape, the prediction's, and the fix.
    assert!(
        s.contains("[4, 3]") && s.contains("for one-hot labels use categorical_crossentropy"),
        "{s}"
    );
}

#[test]
fn integer_labels_with_categorical_loss_point_to_sparse() {
    let mut m = model("categorical_crossentropy");
    let s = fit_err(&mut m, &x(6, 4), &labels(&[0, 1, 2, 0, 1, 2])).to_string();
    assert!(s.contains("categorical_crossentropy: y_true of shape [4]"), "{s}");
    assert!(
        s.contains("[4, 3]") && s.contains("use sparse_categorical_crossentropy"),
        "{s}"
    );
}

#[test]
fn labels_out_of_range_are_named() {
    let mut m = model("sparse_categorical_crossentropy");
    // Label 3 with 3 output units (classes 0..3).
    let s = fit_err(&mut m, &x(4, 4), &labels(&[0, 3, 1, 2])).to_string();
    assert!(s.starts_with("sparse_categorical_crossentropy"), "{s}");
    assert!(
        s.contains("label 3 is out of range for 3 classes (valid: 0 to 2)"),
        "{s}"
    );
    // One-hot encoding catches it before fit, naming label and position.
    let s = to_categorical(&labels(&[0, 3, 1, 2]), 3).unwrap_err().to_string();
    assert!(s.contains("label 3 at position 1"), "{s}");
}

#[test]
fn empty_data_set_is_a_data_error() {
    let mut m = model("sparse_categorical_crossentropy");
    let e = fit_err(&mut m, &x(0, 4), &labels(&[]));
    assert!(matches!(e, Error::Data(_)), "{e:?}");
    assert!(e.to_string().contains("fit: the data is empty"), "{e}");
    // A CSV file with a header and no rows fails when loading, naming the file.
    let path = std::env::temp_dir().join(format!("keraslike_errors_empty_{}.csv", std::process::id()));
    std::fs::write(&path, "a,b,c,d,label\n").unwrap();
    let s = load_csv_xy(&path, CsvXyOptions::default()).unwrap_err().to_string();
    std::fs::remove_file(&path).unwrap();
    assert!(
        s.contains("keraslike_errors_empty_") && s.contains("no data rows"),
        "{s}"
    );
}
