//! Reads the fixtures (made by Keras, and by h5py beyond Keras' defaults) and compares every
//! object (groups, attributes, dtypes, shapes, values) with what h5py saw in the same files,
//! recorded in `tests/fixtures/manifest.json` by `tests/fixtures/make_fixtures.py` (keras 3.15.1,
//! h5py 3.16.0 / HDF5 2.0.0, jax 0.10.2). Then writes each tree back and checks the rewrite
//! reads back identically. (`tests/check_with_h5py.py` checks that h5py and Keras read the
//! rewrites too.)

mod common;

use common::describe::describe;
use kerasfile::{h5, KerasArchive};
use serde_json::Value;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(fixtures().join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// JSON equality, except that two numbers are equal when within 2 ulps as f64: serde_json's
/// default float parser is not always correctly rounded (it can be 1 ulp off Python's shortest
/// repr), while a float32 value differs from its neighbours by 2^29 f64 ulps, so this still
/// checks every float32 bit.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            x == y || (x - y).abs() <= 2.0 * f64::EPSILON * x.abs().max(y.abs())
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn assert_same(file: &str, ours: &Value, h5py: &Value) {
    let (ours, h5py) = (ours.as_object().unwrap(), h5py.as_object().unwrap());
    for (path, expected) in h5py {
        let got = ours
            .get(path)
            .unwrap_or_else(|| panic!("{file}: kerasfile does not see {path}"));
        assert!(
            same(got, expected),
            "{file}: object {path} differs from h5py's view:\n{got}\n{expected}"
        );
    }
    for path in ours.keys() {
        assert!(h5py.contains_key(path), "{file}: kerasfile sees {path}, h5py does not");
    }
}

#[test]
fn every_fixture_reads_as_h5py_sees_it() {
    let manifest = manifest();
    let files = manifest["files"].as_object().unwrap();
    assert_eq!(files.len(), 8);
    for (name, info) in files {
        let path = fixtures().join(name);
        let root = if name.ends_with(".keras") {
            let archive = KerasArchive::read(&path).unwrap();
            let config: Value = serde_json::from_str(&archive.config).unwrap();
            assert_eq!(config["class_name"], info["config_class"], "{name}");
            let metadata: Value = serde_json::from_str(archive.metadata.as_deref().unwrap()).unwrap();
            assert_eq!(metadata["keras_version"], manifest["versions"]["keras"], "{name}");
            assert!(archive.assets.is_empty(), "{name}");
            archive.weights
        } else {
            h5::read(&path).unwrap()
        };
        assert_same(name, &describe(&root), &info["objects"]);
    }
}

#[test]
fn rewritten_fixtures_read_back_identically() {
    for name in [
        "mlp.weights.h5",
        "lstm.weights.h5",
        "h5py_types.h5",
        "h5py_userblock.h5",
        "h5py_latest.h5",
    ] {
        let root = h5::read(fixtures().join(name)).unwrap();
        let again = h5::from_bytes(&h5::to_bytes(&root).unwrap()).unwrap();
        assert_eq!(again, root, "{name}");
    }
    for name in ["mlp.keras", "functional.keras", "conv.keras"] {
        let archive = KerasArchive::read(fixtures().join(name)).unwrap();
        let again = KerasArchive::from_bytes(&archive.to_bytes().unwrap()).unwrap();
        assert_eq!(again, archive, "{name}");
    }
}

#[test]
fn optimizer_state_and_nested_paths_are_where_keras_puts_them() {
    let root = h5::read(fixtures().join("lstm.weights.h5")).unwrap();
    let kernel = root.dataset("layers/lstm/cell/vars/0").unwrap();
    assert_eq!(kernel.shape(), &[3, 16]);
    let iterations = root.dataset("optimizer/vars/0").unwrap();
    assert_eq!(iterations.array.dtype(), kerasfile::Dtype::I32);
    assert_eq!(iterations.array.to_i64().unwrap(), vec![1]);
    assert_eq!(
        root.group("optimizer/vars").unwrap().attr("name").unwrap().as_str(),
        Some("sgd")
    );
    // Adam's 14 variables in Keras' order (vars/10 after vars/9): iterations, learning rate,
    // then m and v per trainable variable; the shapes follow the layers' variables.
    let mlp = h5::read(fixtures().join("mlp.weights.h5")).unwrap();
    let opt = mlp.keras_vars("optimizer").unwrap();
    let shapes: Vec<&[usize]> = opt.iter().map(|a| a.shape()).collect();
    assert_eq!(
        shapes,
        [
            &[][..],
            &[],
            &[4, 8],
            &[4, 8],
            &[8],
            &[8],
            &[8],
            &[8],
            &[8],
            &[8],
            &[8, 3],
            &[8, 3],
            &[3],
            &[3]
        ]
    );
    assert_eq!(opt[0].to_i64().unwrap(), vec![15], "5 batches of 32 x 3 epochs");
    assert_eq!(mlp.keras_vars("layers/batch_normalization").unwrap().len(), 4);
    assert!(mlp.keras_vars("layers/dropout").unwrap().is_empty());
    let functional = KerasArchive::read(fixtures().join("functional.keras")).unwrap();
    assert!(functional
        .weights
        .dataset("layers/sequential/layers/dense/vars/0")
        .is_some());
    assert!(functional.weights.group("optimizer").is_none());
}
