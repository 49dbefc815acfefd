//! Inputs the fuzz targets of `fuzz/` (cargo-fuzz) found to panic, abort or
//! hang a loader, minimized (`cargo fuzz tmin`) and kept here so they stay
//! errors: each must load as an `Err` of the right kind whose message names
//! what was wrong in the file. The files are in `tests/data/fuzz/`
//! (docs/RELIABILITY.md, §1).

use keraslike::Error;
use std::path::PathBuf;

fn fuzz_input(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(name)
}

/// Asserts `e` is a one-line file error naming `path` and holding every word of `words`.
#[track_caller]
fn file_error(e: Error, path: &std::path::Path, words: &[&str]) {
    let m = e.to_string();
    match &e {
        Error::File { path: p, .. } => assert_eq!(p, &path.display().to_string(), "{m}"),
        other => panic!("expected Error::File, got {other:?}"),
    }
    assert!(!m.contains('\n'), "{m}");
    for w in words {
        assert!(m.contains(w), "{w:?} not in {m}");
    }
}

#[test]
fn a_keras_tensor_argument_without_config_is_an_error() {
    // fuzz target load_keras: a Functional config whose node argument is a
    // `__keras_tensor__` object with no "config" key panicked ("no entry
    // found for key") in the functional graph builder.
    let path = fuzz_input("keras_history_without_config.keras");
    let e = keraslike::models::load_model(&path).map(|_| ()).unwrap_err();
    file_error(e, &path, &["keras_history", "__keras_tensor__", "expected"]);
}

#[test]
fn class_labels_of_a_target_mixing_numbers_and_text_do_not_panic() {
    // fuzz target read_csv: targets such as "1", "22", "2" and "1[" made the
    // class sort's comparison (numbers by value, other pairs as text) no total
    // order, and `sort_by` panicked. The file is a valid table: its classes
    // now sort as text, and every row's label names its own target.
    let path = fuzz_input("class_labels_mixed_numbers_and_text.csv");
    let table = keraslike::datasets::read_csv(&path).unwrap();
    let (labels, classes) = table.class_labels();
    assert!(classes.iter().any(|c| c.parse::<f64>().is_err()), "{classes:?}");
    assert!(classes.windows(2).all(|w| w[0] < w[1]), "{classes:?}");
    assert_eq!(labels.len(), table.n_rows);
    for (l, t) in labels.iter().zip(&table.target) {
        assert_eq!(&classes[*l as usize], t);
    }
    // A regression target of such a column is an error naming the row.
    let e = table.target_values().unwrap_err();
    assert!(matches!(e, Error::Data(_)), "{e:?}");
    assert!(e.to_string().contains("is not a number"), "{e}");
}
