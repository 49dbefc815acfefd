//! Keras' own serialized objects read back and written out unchanged.
//!
//! `testdata/keras_objects.jsonl` is what Keras 3.15.1 writes
//! (`keras.saving.serialize_keras_object`) for optimizers (with schedules),
//! losses, metrics, initializers and regularizers with non-default options;
//! `testdata/keras_objects.py` is the script that wrote it.

use serde_json::Value;

const KERAS: &str = include_str!("testdata/keras_objects.jsonl");

/// Options keraslike writes that Keras 3.15.1 leaves out of the config
/// (Keras' constructors accept them): Huber's `delta` (Keras drops it, a
/// bug), SparseCategoricalCrossentropy's `axis`, AUC's `thresholds`.
const EXTRA: &[(&str, &str)] = &[
    ("Huber", "delta"),
    ("SparseCategoricalCrossentropy", "axis"),
    ("AUC", "thresholds"),
];

fn round_trip(v: &Value) -> Value {
    match v["module"].as_str().unwrap() {
        "keras.optimizers" => crate::optimizers::serialize(crate::optimizers::deserialize(v).unwrap().as_ref()),
        "keras.losses" => crate::losses::serialize(crate::losses::deserialize(v).unwrap().as_ref()),
        "keras.metrics" => crate::metrics::serialize(crate::metrics::deserialize(v, None).unwrap().as_ref()),
        "keras.initializers" => crate::initializers::serialize(&crate::initializers::deserialize(v).unwrap()),
        "keras.regularizers" => crate::regularizers::serialize(&crate::regularizers::deserialize(v).unwrap()),
        other => panic!("unexpected module {other}"),
    }
}

/// `ours` has every member of `keras` with the same value (recursively),
/// and nothing else but the allowed extras of `class`.
fn same(class: &str, keras: &Value, ours: &Value, path: &str) {
    match (keras, ours) {
        (Value::Object(k), Value::Object(o)) => {
            for (key, kv) in k {
                let ov = o.get(key).unwrap_or_else(|| panic!("{path}.{key} missing in {ours}"));
                let class = k.get("class_name").and_then(Value::as_str).unwrap_or(class);
                same(class, kv, ov, &format!("{path}.{key}"));
            }
            let inner = k.get("class_name").and_then(Value::as_str);
            for key in o.keys().filter(|key| !k.contains_key(*key)) {
                assert!(
                    inner.is_none() && EXTRA.contains(&(class, key.as_str())),
                    "{path}: extra option {key:?} in {ours}"
                );
            }
        }
        (Value::Number(a), Value::Number(b)) => assert_eq!(a.as_f64(), b.as_f64(), "{path}"),
        (a, b) => assert_eq!(a, b, "{path}"),
    }
}

#[test]
fn keras_objects_round_trip() {
    let mut n = 0;
    for line in KERAS.lines().filter(|l| !l.trim().is_empty()) {
        let keras: Value = serde_json::from_str(line).unwrap();
        let ours = round_trip(&keras);
        let class = keras["class_name"].as_str().unwrap();
        same(class, &keras, &ours, class);
        // And our output reads back to itself.
        assert_eq!(round_trip(&ours), ours, "{class}");
        n += 1;
    }
    assert_eq!(n, 47);
}

#[test]
fn keras_values_reach_the_objects() {
    let lines: Vec<Value> = KERAS.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Adam(learning_rate=0.01, beta_1=0.8, clipnorm=1.0): Keras stores the rate as float32.
    let adam = crate::optimizers::deserialize(&lines[0]).unwrap();
    assert_eq!(adam.learning_rate(), 0.01f32 as f64);
    assert_eq!(adam.get_config()["beta_1"], 0.8);
    // SGD with ExponentialDecay(0.1, 10, 0.5, staircase=True).
    let mut sgd = crate::optimizers::deserialize(&lines[7]).unwrap();
    sgd.set_iterations(25);
    assert_eq!(sgd.learning_rate(), 0.1 * 0.25);
    // CategoricalCrossentropy(from_logits=True, label_smoothing=0.1).
    let cce = crate::losses::deserialize(&lines[11]).unwrap();
    assert_eq!(
        (
            cce.get_config()["from_logits"].as_bool(),
            cce.get_config()["label_smoothing"].as_f64()
        ),
        (Some(true), Some(0.1))
    );
    // Precision(thresholds=0.6): 0.55 is below the threshold.
    let mut p = crate::metrics::deserialize(&lines[27], None).unwrap();
    let t = |v: &[f32]| tensorlow::Tensor::new(v, &[v.len()]).unwrap();
    p.update_state(&t(&[1.0, 1.0]), &t(&[0.55, 0.9]), None).unwrap();
    assert_eq!(p.result(), 1.0);
    let mut r = crate::metrics::get("recall", "mse").unwrap();
    r.update_state(&t(&[1.0, 1.0]), &t(&[0.55, 0.9]), None).unwrap();
    assert_eq!(r.result(), 1.0);
}
