//! Keras 3 files, both ways: models made by Keras (data/keras/, made by
//! `data/keras/make_keras_models.py`; kerasfile/tests/fixtures/, made by `make_fixtures.py`)
//! load and predict what Keras predicted, compiled ones continue training from Keras'
//! optimizer state; models made here, saved as `.keras`/`.weights.h5`, load back here, and in
//! Keras 3 when Python with keras is available (`data/keras/check_keras_loads.py`).

use keraslike::layers::{Dense, Dropout, Input};
use keraslike::models::{load_model, Model};
use keraslike::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tensorlow::{Device, Tensor};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tensor(v: &Value) -> Tensor {
    fn flat(v: &Value, shape: &mut Vec<usize>, depth: usize, out: &mut Vec<f32>) {
        match v {
            Value::Array(a) => {
                if shape.len() == depth {
                    shape.push(a.len());
                }
                for x in a {
                    flat(x, shape, depth + 1, out);
                }
            }
            x => out.push(x.as_f64().unwrap() as f32),
        }
    }
    let (mut shape, mut data) = (Vec::new(), Vec::new());
    flat(v, &mut shape, 0, &mut data);
    Tensor::from_vec(data, &shape, &Device::cpu()).unwrap()
}

/// A recorded input batch: integer ids (for an `Embedding`) stay integers, the rest is f32.
fn input(v: &Value) -> Tensor {
    fn ints(v: &Value, out: &mut Vec<i64>) -> bool {
        match v {
            Value::Array(a) => a.iter().all(|x| ints(x, out)),
            x => x.as_i64().map(|i| out.push(i)).is_some(),
        }
    }
    let mut ids = Vec::new();
    if !ints(v, &mut ids) {
        return tensor(v);
    }
    let shape = tensor(v).shape().to_vec();
    Tensor::from_vec(ids, &shape, &Device::cpu()).unwrap()
}

fn assert_close(got: &Tensor, want: &Tensor, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}");
    let (g, w) = (got.to_vec::<f32>().unwrap(), want.to_vec::<f32>().unwrap());
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        assert!((a - b).abs() <= 1e-5, "{what}[{i}]: keraslike {a}, Keras {b}");
    }
}

/// Loads `file`, predicts on the recorded inputs and compares with Keras' predictions.
fn check_predictions(file: &Path, expected: &Value) -> Model {
    let model = load_model(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let xs: Vec<Tensor> = expected["inputs"].as_array().unwrap().iter().map(input).collect();
    let want: Vec<Tensor> = expected["predictions"].as_array().unwrap().iter().map(tensor).collect();
    let got = model.predict_on_batch_multi(xs).unwrap();
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_close(g, w, &format!("{} output {i}", file.display()));
    }
    model
}

#[test]
fn keras_models_predict_what_keras_predicted() {
    let expected = json(&repo().join("data/keras/expected.json"));
    for name in ["iris_mlp", "zoo", "cnn", "rnn", "conv_variants", "td", "rnn_cells"] {
        check_predictions(
            &repo().join(format!("data/keras/{name}.keras")),
            &expected["models"][name],
        );
    }
    // kerasfile's fixtures: an uncompiled functional model with a nested Sequential, and the
    // iris MLP compiled with Adam.
    let manifest = json(&repo().join("kerasfile/tests/fixtures/manifest.json"));
    for name in ["functional.keras", "mlp.keras"] {
        let want = &manifest["files"][name];
        let inputs = want["inputs"].clone();
        let expected = serde_json::json!({"inputs": inputs, "predictions": [want["predictions"]]});
        check_predictions(&repo().join("kerasfile/tests/fixtures").join(name), &expected);
    }
}

#[test]
fn a_loaded_keras_model_keeps_its_compile_config_and_optimizer_state() {
    let mut model = load_model(repo().join("data/keras/iris_mlp.keras")).unwrap();
    let opt = model.optimizer().expect("compiled from the file's compile_config");
    assert_eq!(opt.class_name(), "Adam");
    assert!((opt.learning_rate() - 0.01).abs() < 1e-7);
    // 60 epochs of ceil(120 / 16) = 8 steps in Keras.
    assert_eq!(opt.iterations(), 480);
    assert_eq!(model.metrics_names(), ["loss", "accuracy"]);
    // The zoo model's frozen layer stays frozen, its two losses and weights come back.
    let zoo = load_model(repo().join("data/keras/zoo.keras")).unwrap();
    assert!(!zoo.get_layer("frozen").unwrap().trainable());
    assert!(zoo.get_layer("d1").unwrap().trainable());
    assert_eq!(zoo.optimizer().unwrap().iterations(), 4);
    // fit continues from Keras' state.
    let data = tensor(&json(&repo().join("data/keras/expected.json"))["models"]["iris_mlp"]["inputs"][0]);
    let n = data.shape()[0];
    let y = Tensor::from_vec((0..n).map(|i| (i % 3) as i64).collect::<Vec<_>>(), &[n], &Device::cpu()).unwrap();
    let logs = model.train_on_batch(&data, &y, None).unwrap();
    assert!(logs["loss"].is_finite());
    assert_eq!(model.optimizer().unwrap().iterations(), 481);
}

/// Integer class ids stay integers (sparse targets); anything else becomes f32.
fn target(v: &Value) -> Tensor {
    let flat = v.as_array().unwrap();
    if flat.iter().all(|x| x.is_i64()) {
        let ids: Vec<i64> = flat.iter().map(|x| x.as_i64().unwrap()).collect();
        let n = ids.len();
        return Tensor::from_vec(ids, &[n], &Device::cpu()).unwrap();
    }
    tensor(v)
}

#[test]
fn training_continues_from_keras_optimizer_state() {
    // make_keras_models.py loads each saved file in Keras, runs one train_on_batch and records
    // the loss and the predictions after it: SGD with momentum (zoo) and Adam (adam_mlp), whose
    // slots are non-zero in the files. Zero slots (or a step count from 0) would give other
    // weights after the step.
    let expected = json(&repo().join("data/keras/expected.json"));
    for name in ["zoo", "adam_mlp", "conv_variants", "td", "rnn_cells"] {
        let case = &expected["models"][name];
        let mut model = load_model(repo().join(format!("data/keras/{name}.keras"))).unwrap();
        let xs: Vec<Tensor> = case["inputs"].as_array().unwrap().iter().map(tensor).collect();
        let ys: Vec<Tensor> = case["step"]["targets"].as_array().unwrap().iter().map(target).collect();
        let logs = model.train_on_batch(xs.clone(), ys, None).unwrap();
        let want_loss = case["step"]["loss"].as_f64().unwrap();
        assert!(
            (logs["loss"] - want_loss).abs() <= 1e-5,
            "{name}: loss {} vs Keras {want_loss}",
            logs["loss"]
        );
        let got = model.predict_on_batch_multi(xs).unwrap();
        let want: Vec<Tensor> = case["step"]["predictions_after"]
            .as_array()
            .unwrap()
            .iter()
            .map(tensor)
            .collect();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_close(g, w, &format!("{name} output {i} after one step"));
        }
    }
}

#[test]
fn train_on_batch_reports_this_batch_only_as_keras_3_does() {
    // Keras 3.15's trainers call reset_metrics() at the start of train_on_batch and
    // test_on_batch: an evaluate before, or an earlier batch, is not mixed into the logs.
    let expected = json(&repo().join("data/keras/expected.json"));
    let case = &expected["models"]["adam_mlp"];
    let mut model = load_model(repo().join("data/keras/adam_mlp.keras")).unwrap();
    let x = tensor(&case["inputs"][0]);
    let y = target(&case["step"]["targets"][0]);
    let three = Tensor::from_vec(vec![0.0f32; 12], &[3, 4], &Device::cpu()).unwrap();
    let three_y = Tensor::from_vec(vec![2i64; 3], &[3], &Device::cpu()).unwrap();
    model.test_on_batch(&three, &three_y, None).unwrap();
    let logs = model.train_on_batch(&x, &y, None).unwrap();
    let want_loss = case["step"]["loss"].as_f64().unwrap();
    assert!(
        (logs["loss"] - want_loss).abs() <= 1e-5,
        "loss {} vs Keras {want_loss}",
        logs["loss"]
    );
    let a = model.test_on_batch(&three, &three_y, None).unwrap();
    let b = model.test_on_batch(&three, &three_y, None).unwrap();
    assert_eq!(a["loss"], b["loss"]);
}

#[test]
fn unsupported_layers_and_broken_files_are_errors_naming_them() {
    let e = load_model(repo().join("data/keras/unsupported.keras"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("\"conv\"") && e.contains("Conv3D") && e.contains("unsupported.keras"),
        "{e}"
    );
    let e = load_model(repo().join("kerasfile/tests/fixtures/lstm.weights.h5"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("load_weights"), "{e}");
    // A truncated archive.
    let bytes = std::fs::read(repo().join("data/keras/iris_mlp.keras")).unwrap();
    let dir = tempdir("broken");
    for cut in [10, bytes.len() / 2, bytes.len() - 30] {
        let p = dir.join(format!("cut{cut}.keras"));
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let e = load_model(&p).unwrap_err().to_string();
        assert!(e.contains(&format!("cut{cut}.keras")), "{e}");
    }
    // Weights of another architecture.
    let mut other = Sequential::new(vec![Box::new(Dense::new(5).input_shape(&[4])), Box::new(Dense::new(3))]);
    other.build(&[4]).unwrap();
    let e = other
        .load_weights(repo().join("kerasfile/tests/fixtures/mlp.weights.h5"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("shape") && e.contains("mlp.weights.h5"), "{e}");
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("keraslike_keras_files_{}_{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A small model trained here, and its predictions.
fn trained_here() -> (Sequential, Tensor) {
    tensorlow::random::set_seed(5);
    let mut model = Sequential::new(vec![
        Box::new(Input::new(&[4])),
        Box::new(Dense::new(8).activation("relu")),
        Box::new(keraslike::layers::BatchNormalization::new()),
        Box::new(Dropout::new(0.1)),
        Box::new(Dense::new(3).activation("softmax")),
    ]);
    model
        .compile("adam", "sparse_categorical_crossentropy", &["accuracy"])
        .unwrap();
    let x = tensor(&serde_json::json!([
        [5.1, 3.5, 1.4, 0.2],
        [6.2, 2.9, 4.3, 1.3],
        [7.7, 3.0, 6.1, 2.3],
        [5.0, 3.4, 1.5, 0.2]
    ]));
    let y = Tensor::from_vec(vec![0i64, 1, 2, 0], &[4], &Device::cpu()).unwrap();
    for _ in 0..3 {
        model.train_on_batch(&x, &y, None).unwrap();
    }
    (model, x)
}

#[test]
fn keras_saves_remove_temporary_files_that_killed_saves_left() {
    // A save killed between writing its temporary file and the rename leaves
    // `.<name>.<pid>.<n>.tmp`; the next save of the same path removes those
    // of processes that are gone (u32::MAX is never a live pid).
    let (model, _) = trained_here();
    let dir = tempdir("stale");
    for name in ["m.keras", "m.weights.h5"] {
        let stale = dir.join(format!(".{name}.{}.0.tmp", u32::MAX));
        std::fs::write(&stale, b"half a file").unwrap();
        if name.ends_with(".keras") {
            model.save(dir.join(name)).unwrap();
        } else {
            model.save_weights(dir.join(name)).unwrap();
        }
        assert!(!stale.exists(), "{} was left behind", stale.display());
        assert!(dir.join(name).is_file());
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn models_saved_here_as_keras_files_load_back_identically() {
    let (model, x) = trained_here();
    let want = model.predict_on_batch(&x).unwrap();
    let dir = tempdir("roundtrip");
    let archive = dir.join("here.keras");
    model.save(&archive).unwrap();
    let back = load_model(&archive).unwrap();
    assert_close(&back.predict_on_batch(&x).unwrap(), &want, "reloaded .keras");
    assert_eq!(back.optimizer().unwrap().iterations(), 3);
    let weights = dir.join("here.weights.h5");
    model.save_weights(&weights).unwrap();
    let (mut fresh, _) = trained_here();
    fresh.load_weights(&weights).unwrap();
    assert_close(&fresh.predict_on_batch(&x).unwrap(), &want, "reloaded .weights.h5");
    std::fs::remove_dir_all(&dir).ok();
}

/// The Python with keras to check files with: `$KERAS_PYTHON`, else `python3`. `None` (the
/// check is skipped, saying so) when it cannot import keras.
fn keras_python() -> Option<String> {
    let py = std::env::var("KERAS_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = std::process::Command::new(&py)
        .args(["-c", "import keras, h5py, jax"])
        .env("KERAS_BACKEND", "numpy")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(py)
}

#[test]
fn keras_loads_what_keraslike_saves() {
    let Some(py) = keras_python() else {
        eprintln!("SKIP keras_loads_what_keraslike_saves: no Python with keras (set KERAS_PYTHON)");
        return;
    };
    let dir = tempdir("to_keras");
    let mut cases = serde_json::Map::new();
    // A Sequential model trained here (compiled: optimizer state and compile config go along).
    let (model, x) = trained_here();
    model.save(dir.join("sequential.keras")).unwrap();
    model.save_weights(dir.join("sequential.weights.h5")).unwrap();
    let p = model.predict_on_batch(&x).unwrap();
    cases.insert(
        "sequential".into(),
        serde_json::json!({"inputs": [x.to_vec2::<f32>().unwrap()], "predictions": [p.to_vec2::<f32>().unwrap()],
            "weights_file": "sequential.weights.h5", "iterations": 3}),
    );
    // Keras' own zoo model, loaded here and saved back.
    let expected = json(&repo().join("data/keras/expected.json"));
    for name in ["zoo", "cnn", "rnn", "conv_variants", "td", "rnn_cells"] {
        let m = load_model(repo().join(format!("data/keras/{name}.keras"))).unwrap();
        m.save(dir.join(format!("{name}.keras"))).unwrap();
        cases.insert(name.into(), expected["models"][name].clone());
    }
    std::fs::write(dir.join("cases.json"), Value::Object(cases).to_string()).unwrap();
    let out = std::process::Command::new(&py)
        .arg(repo().join("data/keras/check_keras_loads.py"))
        .arg(&dir)
        .env("KERAS_BACKEND", "numpy")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "Keras could not load keraslike's files:\n{text}");
    assert!(
        text.contains("OK zoo")
            && text.contains("OK cnn")
            && text.contains("OK rnn")
            && text.contains("OK conv_variants")
            && text.contains("OK rnn_cells")
            && text.contains("OK sequential"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
