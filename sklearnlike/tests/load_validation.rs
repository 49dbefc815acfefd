//! A saved estimator is untrusted input: every inconsistency between its
//! parameters, fitted attributes, classes and tensors is a typed
//! `Error::InvalidModelFile` naming the field, never a panic or silently
//! wrong predictions (issue 17, item 1). Before these checks, `n_outputs = 0`
//! panicked ("chunk size must be non-zero"), a short or empty class list
//! panicked (index out of bounds), unsorted classes permuted the predicted
//! labels silently, and a wrong multilabel flag changed what `predict` did.
//!
//! Each case saves a real model, edits one field of the file's metadata (or
//! one tensor) and loads it again.

use ndarray::Array2;
use serde_json::{json, Value};
use sklearnlike::neural_network::{Loss, MlpClassifier, MlpOptions, MlpRegressor, Solver};
use sklearnlike::Error;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tensorlow::{load_tensors_with_metadata, save_tensors_with_metadata, DType, Tensor};

fn data() -> (Array2<f64>, Vec<i64>) {
    let x = Array2::from_shape_fn((30, 2), |(i, j)| (((i * 7 + j * 3) % 11) as f64) / 11.0);
    (x, (0..30).map(|i| (i % 3) as i64).collect())
}

fn path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("sk_load_{}_{name}.safetensors", std::process::id()))
}

fn saved_classifier(name: &str, multilabel: bool) -> PathBuf {
    let (x, y) = data();
    let mut c = MlpClassifier::<i64>::new(
        MlpOptions::default()
            .hidden_layer_sizes(&[4])
            .max_iter(3)
            .random_state(0),
    );
    if multilabel {
        let ym = Array2::from_shape_fn((30, 2), |(i, j)| f64::from((i + j) % 2 == 0));
        c.fit_multilabel(&x, &ym).unwrap();
    } else {
        c.fit(&x, &y).unwrap();
    }
    let p = path(name);
    c.save(&p).unwrap();
    p
}

/// One change to a file's JSON, or to its tensors.
type JsonEdit = Box<dyn Fn(&mut Value)>;
type TensorEdit = Box<dyn Fn(&mut HashMap<String, Tensor>)>;

/// Rewrites the file at `p` after `edit` changed its JSON and/or tensors.
fn edit(p: &Path, edit: impl FnOnce(&mut Value, &mut HashMap<String, Tensor>)) {
    let (mut tensors, meta) = load_tensors_with_metadata(p).unwrap();
    let mut v: Value = serde_json::from_str(&meta["sklearnlike"]).unwrap();
    edit(&mut v, &mut tensors);
    let mut names: Vec<String> = tensors.keys().cloned().collect();
    names.sort();
    let list: Vec<(String, Tensor)> = names.into_iter().map(|n| (n.clone(), tensors[&n].clone())).collect();
    save_tensors_with_metadata(p, &list, HashMap::from([("sklearnlike".to_string(), v.to_string())])).unwrap();
}

/// Loading fails with InvalidModelFile whose message contains every `want`.
fn rejected(p: &Path, want: &[&str]) {
    let e = MlpClassifier::<i64>::load(p).unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, Error::InvalidModelFile { .. }), "{m}");
    assert!(m.contains(&p.display().to_string()), "{m}");
    for w in want {
        assert!(m.contains(w), "{m} lacks {w:?}");
    }
}

#[test]
fn inconsistent_fitted_attributes_are_rejected() {
    let p = saved_classifier("attrs", false);
    assert_eq!(MlpClassifier::<i64>::load(&p).unwrap().classes(), &[0, 1, 2]);
    let cases: Vec<(JsonEdit, &[&str])> = vec![
        (
            Box::new(|v| v["state"]["n_outputs"] = 0.into()),
            &["n_outputs = 0", "3 units"],
        ),
        (
            Box::new(|v| v["state"]["n_features_in"] = 5.into()),
            &["n_features_in = 5"],
        ),
        (Box::new(|v| v["state"]["n_layers"] = 7.into()), &["n_layers = 7"]),
        (
            Box::new(|v| v["state"]["out_activation"] = Value::Null),
            &["out_activation"],
        ),
        (
            Box::new(|v| v["state"]["out_activation"] = "logistic".into()),
            &["3 classes need 3 softmax"],
        ),
        (Box::new(|v| v["layer_units"] = json!([2, 4])), &["layer_units [2, 4]"]),
        (Box::new(|v| v["layer_units"] = json!([2, 0, 3])), &["at least 1 unit"]),
        (
            Box::new(|v| v["options"]["hidden_layer_sizes"] = json!([5])),
            &["hidden_layer_sizes [5]"],
        ),
        (
            Box::new(|v| v["options"]["alpha"] = json!(-1.0)),
            &["bad options", "alpha"],
        ),
        (Box::new(|v| v["dtype"] = "int8".into()), &["dtype"]),
        (Box::new(|v| v["format_version"] = 1.into()), &["format_version"]),
        (
            Box::new(|v| v["estimator"] = "MLPRegressor".into()),
            &["holds a \"MLPRegressor\""],
        ),
        (Box::new(|v| v["state"]["n_iter"] = "many".into()), &["bad state"]),
    ];
    for (i, (change, want)) in cases.into_iter().enumerate() {
        let q = path(&format!("attrs{i}"));
        std::fs::copy(&p, &q).unwrap();
        edit(&q, |v, _| change(v));
        rejected(&q, want);
        std::fs::remove_file(&q).ok();
    }
    std::fs::remove_file(&p).ok();
}

#[test]
fn class_lists_and_the_multilabel_flag_must_fit_the_network() {
    let p = saved_classifier("classes", false);
    let cases: Vec<(Value, Value, &[&str])> = vec![
        // short, empty, unsorted, duplicated
        (
            json!([0, 1]),
            Value::Null,
            &["2 classes need 1 logistic output", "3 softmax"],
        ),
        (json!([]), Value::Null, &["class list is empty"]),
        (
            json!([2, 0, 1]),
            Value::Null,
            &["sorted and distinct", "2 comes before 0"],
        ),
        (json!([0, 1, 1]), Value::Null, &["sorted and distinct"]),
        (json!([0, 1, 2, 3]), Value::Null, &["4 classes need 4 softmax"]),
        // multilabel flag on a single-label fit
        (json!([0, 1, 2]), json!(3), &["multilabel = 3"]),
        (json!([]), json!(3), &["multilabel = 3", "3 softmax"]),
        (json!([0, 1, 2]), json!("yes"), &["multilabel must be null or a count"]),
        (json!(["a", "b", "c"]), Value::Null, &["label type"]),
    ];
    for (i, (classes, multilabel, want)) in cases.into_iter().enumerate() {
        let q = path(&format!("classes{i}"));
        std::fs::copy(&p, &q).unwrap();
        edit(&q, |v, _| {
            v["extra"]["classes"] = classes;
            v["extra"]["multilabel"] = multilabel;
        });
        if want == ["label type"] {
            let e = MlpClassifier::<i64>::load(&q).unwrap_err();
            assert!(
                matches!(e, Error::InvalidModelFile { .. }) && e.to_string().contains("label type"),
                "{e}"
            );
            // The same list is fine for string labels.
            let ok = MlpClassifier::<String>::load(&q).unwrap();
            assert_eq!(ok.predict(&data().0).unwrap().len(), 30);
        } else {
            rejected(&q, want);
        }
        std::fs::remove_file(&q).ok();
    }
    // A multilabel fit: the flag must match its outputs, and it has no classes.
    let m = saved_classifier("multilabel", true);
    assert_eq!(
        MlpClassifier::<i64>::load(&m)
            .unwrap()
            .predict_multilabel(&data().0)
            .unwrap()
            .dim(),
        (30, 2)
    );
    for (i, (classes, multilabel, want)) in [
        (json!([]), Value::Null, &["class list is empty"][..]),
        (json!([]), json!(5), &["multilabel = 5", "2 logistic outputs"][..]),
        (json!([0, 1]), json!(2), &["no classes", "2 classes"][..]),
    ]
    .into_iter()
    .enumerate()
    {
        let q = path(&format!("ml{i}"));
        std::fs::copy(&m, &q).unwrap();
        edit(&q, |v, _| {
            v["extra"]["classes"] = classes;
            v["extra"]["multilabel"] = multilabel;
        });
        rejected(&q, want);
        std::fs::remove_file(&q).ok();
    }
    std::fs::remove_file(&p).ok();
    std::fs::remove_file(&m).ok();
}

#[test]
fn tensors_must_match_the_layout() {
    let p = saved_classifier("tensors", false);
    let cases: Vec<(TensorEdit, &[&str])> = vec![
        (Box::new(|t| drop(t.remove("coef_1"))), &["need 4 tensors"]),
        (
            Box::new(|t| {
                t.insert("extra".into(), Tensor::new(&[1.0f32], &[1]).unwrap());
            }),
            &["need 4 tensors", "\"extra\""],
        ),
        (
            Box::new(|t| {
                t.insert(
                    "coef_1".into(),
                    Tensor::zeros(&[3, 4], DType::F32, &tensorlow::Device::cpu()).unwrap(),
                );
            }),
            &["\"coef_1\" has shape [3, 4]", "[4, 3]"],
        ),
        (
            Box::new(|t| {
                let c = t["coef_0"].cast(DType::F64).unwrap();
                t.insert("coef_0".into(), c);
            }),
            &["\"coef_0\" is"],
        ),
        (
            Box::new(|t| {
                t.insert(
                    "intercept_0".into(),
                    Tensor::new(&[0.0f32, f32::NAN, 0.0, 0.0], &[4]).unwrap(),
                );
            }),
            &["\"intercept_0\" holds a non-finite value (NaN) at 1"],
        ),
    ];
    for (i, (change, want)) in cases.into_iter().enumerate() {
        let q = path(&format!("tensors{i}"));
        std::fs::copy(&p, &q).unwrap();
        edit(&q, |_, t| change(t));
        rejected(&q, want);
        std::fs::remove_file(&q).ok();
    }
    // A safetensors file that was not written by an estimator.
    let q = path("foreign");
    tensorlow::save_tensors(&q, &[("w".to_string(), Tensor::new(&[1.0f32], &[1]).unwrap())]).unwrap();
    rejected(&q, &["no \"sklearnlike\" metadata"]);
    std::fs::write(&q, b"not a safetensors file").unwrap();
    assert!(matches!(MlpClassifier::<i64>::load(&q), Err(Error::Tensor(_))));
    std::fs::remove_file(&q).ok();
    std::fs::remove_file(&p).ok();
}

#[test]
fn a_regressor_file_must_fit_its_loss() {
    let (x, _) = data();
    let y: Vec<f64> = x.rows().into_iter().map(|r| r[0] + r[1]).collect();
    let mut r = MlpRegressor::new(MlpOptions::default().solver(Solver::Lbfgs).max_iter(5).random_state(0))
        .with_loss(Loss::Poisson);
    r.fit(&x, &y).unwrap();
    let p = path("reg");
    r.save(&p).unwrap();
    edit(&p, |v, _| v["extra"]["loss"] = "squared_error".into());
    let e = MlpRegressor::load(&p).unwrap_err();
    assert!(
        matches!(e, Error::InvalidModelFile { .. }) && e.to_string().contains("needs an identity output"),
        "{e}"
    );
    edit(&p, |v, _| v["extra"]["loss"] = "huber".into());
    assert!(MlpRegressor::load(&p).unwrap_err().to_string().contains("bad loss"));
    std::fs::remove_file(&p).ok();
}

#[test]
fn sizes_from_the_file_are_checked_against_the_stored_tensors_before_allocating() {
    // A consistent-looking layout claiming 2^40 hidden units: the stored tensors
    // are small, so the load fails on their shapes instead of allocating terabytes.
    let p = saved_classifier("huge", false);
    edit(&p, |v, _| {
        v["layer_units"] = json!([2, 1u64 << 40, 3]);
        v["options"]["hidden_layer_sizes"] = json!([1u64 << 40]);
    });
    rejected(&p, &["\"coef_0\" has shape [2, 4]", "[2, 1099511627776]"]);
    std::fs::remove_file(&p).ok();
}

#[test]
fn mutated_files_load_or_fail_with_an_error_never_a_panic() {
    // A bounded mutation run (seeded): truncations, bit flips and byte
    // overwrites of a real saved file, and random values in every JSON field.
    let p = saved_classifier("mutated", false);
    let good = std::fs::read(&p).unwrap();
    let mut g = tensorlow::random::Generator::from_seed(17);
    let q = path("mutant");
    let mut outcomes = (0usize, 0usize);
    let mut try_load = |bytes: &[u8], what: &str| {
        std::fs::write(&q, bytes).unwrap();
        let r = std::panic::catch_unwind(|| MlpClassifier::<i64>::load(&q).map(|m| m.predict(&data().0).map(|_| ())));
        match r {
            Ok(Ok(Ok(()))) | Ok(Ok(Err(_))) => outcomes.0 += 1,
            Ok(Err(_)) => outcomes.1 += 1,
            Err(_) => panic!("loading a mutated file panicked ({what})"),
        }
    };
    for len in (0..good.len()).step_by(11) {
        try_load(&good[..len], &format!("truncated to {len}"));
    }
    for k in 0..250 {
        let mut b = good.clone();
        let at = (g.next_u64() % b.len() as u64) as usize;
        if k % 2 == 0 {
            b[at] ^= 1 << (g.next_u64() % 8);
        } else {
            b[at] = (g.next_u64() % 256) as u8;
        }
        try_load(&b, &format!("byte {at} changed"));
    }
    // Field-level mutations of the JSON (still a valid safetensors file).
    let (tensors, meta) = load_tensors_with_metadata(&p).unwrap();
    let v: Value = serde_json::from_str(&meta["sklearnlike"]).unwrap();
    let mut paths = Vec::new();
    fn walk(v: &Value, at: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(at.clone());
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| {
                let mut a = at.clone();
                a.push(k.clone());
                walk(x, a, out)
            }),
            Value::Array(xs) => xs.iter().enumerate().for_each(|(i, x)| {
                let mut a = at.clone();
                a.push(i.to_string());
                walk(x, a, out)
            }),
            _ => {}
        }
    }
    walk(&v, Vec::new(), &mut paths);
    let values = [
        json!(0),
        json!(-1),
        json!(1u64 << 40),
        json!(u64::MAX),
        json!(1.5),
        json!(null),
        json!("x"),
        json!([]),
        json!({}),
    ];
    let mut list: Vec<(String, Tensor)> = tensors.iter().map(|(k, t)| (k.clone(), t.clone())).collect();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    for at in paths.iter().skip(1) {
        for val in &values {
            let mut w = v.clone();
            let mut cur = &mut w;
            for k in at {
                cur = match cur {
                    Value::Object(m) => m.get_mut(k).unwrap(),
                    Value::Array(xs) => &mut xs[k.parse::<usize>().unwrap()],
                    _ => unreachable!(),
                };
            }
            *cur = val.clone();
            save_tensors_with_metadata(&q, &list, HashMap::from([("sklearnlike".to_string(), w.to_string())])).unwrap();
            let bytes = std::fs::read(&q).unwrap();
            try_load(&bytes, &format!("{at:?} = {val}"));
        }
    }
    eprintln!("{} loads succeeded, {} were errors", outcomes.0, outcomes.1);
    assert!(outcomes.1 > 0);
    std::fs::remove_file(&q).ok();
    std::fs::remove_file(&p).ok();
}
