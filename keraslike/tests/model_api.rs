//! `Model` beyond the Keras-parity numbers (tests/functional.rs): the
//! summary's "Connected to" column, graph and data errors, save/load of
//! every kind of model, freezing, nested models, threads, borrowed
//! callbacks. Expected values come from Keras' own output (the summary) or
//! from the definitions (identical predictions after a round trip, frozen
//! weights unchanged).

use keraslike::callbacks::{EarlyStopping, EarlyStoppingOptions};
use keraslike::layers::{Add, BuildContext, Concatenate, Dense, Dropout, Input, Layer, LayerRef};
use keraslike::models::{CustomModel, PredictOptions};
use keraslike::{sequential, Error, FitOptions, Model, Result};
use std::sync::Arc;
use tensorlow::{random, DType, Device, Tensor, Variable};

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("keraslike-model-api-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn normal(shape: &[usize], seed: u64) -> Tensor {
    random::Generator::from_seed(seed)
        .normal(shape, 0.0, 1.0, DType::F32, &Device::cpu())
        .unwrap()
}

fn quiet() -> PredictOptions {
    PredictOptions::default().verbose(0)
}

/// The model of Keras' summary fixture (tests/data/keras_summary_two_heads.txt).
fn two_heads() -> Model {
    let a = Input::new(&[4]).name("a");
    let b = Input::new(&[3]).name("b");
    let h1 = Dense::new(8).name("d1").apply(&a).unwrap();
    let h2 = Dense::new(8).name("d2").apply(&b).unwrap();
    let c = Concatenate::new().name("cat").apply([&h1, &h2]).unwrap();
    let s = Add::new().name("add").apply([&h1, &h2]).unwrap();
    let cls = Dense::new(3).activation("softmax").name("cls").apply(&c).unwrap();
    let reg = Dense::new(1).name("reg").apply(&s).unwrap();
    Model::functional([&a.tensor(), &b.tensor()], [&cls, &reg])
        .unwrap()
        .with_name("two_heads")
}

#[test]
fn functional_summary_is_keras_text_with_connected_to() {
    let want = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/keras_summary_two_heads.txt"
    ))
    .unwrap();
    assert_eq!(two_heads().summary(), want);
}

#[test]
fn layers_follow_keras_order() {
    let m = two_heads();
    let names: Vec<String> = m.layers().iter().map(LayerRef::name).collect();
    assert_eq!(names, ["a", "b", "d1", "d2", "cat", "add", "cls", "reg"]);
    // A Sequential leaves its Input out of `layers`, as Keras 3 does.
    let s = sequential![Input::new(&[4]), Dense::new(2).name("only")];
    assert_eq!(s.layers().len(), 1);
    assert_eq!(s.get_layer("only").unwrap().class_name(), "Dense");
    let err = s.get_layer("nope").unwrap_err().to_string();
    assert!(err.contains("\"nope\"") && err.contains("only"), "{err}");
}

#[test]
fn graph_errors_name_the_layer_or_input() {
    let a = Input::new(&[4]).name("a");
    let b = Input::new(&[3]).name("b");
    let ha = Dense::new(2).name("ha").apply(&a).unwrap();
    let hb = Dense::new(2).name("hb").apply(&b).unwrap();
    let sum = Add::new().name("sum").apply([&ha, &hb]).unwrap();
    // Disconnected: `sum` needs input b.
    let err = Model::functional(&a, &sum).unwrap_err().to_string();
    assert!(err.contains("disconnected") && err.contains("\"b\""), "{err}");
    // Shapes that do not fit, caught when the layer is applied.
    let err = Add::new()
        .name("bad_add")
        .apply([&ha, &a.tensor()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("Add \"bad_add\"") && err.contains("(2,), (4,)"), "{err}");
    let err = Dense::new(3)
        .name("d")
        .shared()
        .apply([&ha, &hb])
        .unwrap_err()
        .to_string();
    assert!(err.contains("takes exactly one input"), "{err}");
    // A shared layer applied to an input of another width.
    let shared = Dense::new(2).name("shared").shared();
    shared.apply(&a).unwrap();
    let err = shared.apply(&b).unwrap_err().to_string();
    assert!(err.contains("Dense \"shared\"") && err.contains("(batch, 4)"), "{err}");
    // Two layers with one name.
    let x = Dense::new(2).name("twin").apply(&a).unwrap();
    let y = Dense::new(2).name("twin").apply(&x).unwrap();
    let err = Model::functional(&a, &y).unwrap_err().to_string();
    assert!(err.contains("\"twin\""), "{err}");
}

#[test]
fn data_and_compile_errors_name_both_counts() {
    let mut m = two_heads();
    let err = m
        .compile("sgd", ["mse", "mse", "mse"], &[] as &[&str])
        .unwrap_err()
        .to_string();
    assert!(err.contains("3 losses for 2 output(s)") && err.contains("cls"), "{err}");
    let err = m
        .compile("sgd", [("clss", "mse")], &[] as &[&str])
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"clss\"") && err.contains("reg"), "{err}");
    let err = m.compile("sgd", "mse", &["mae"]).unwrap_err().to_string();
    assert!(err.contains("per output"), "{err}");
    m.compile("sgd", "mse", &[] as &[&str]).unwrap();
    let xa = normal(&[5, 4], 1);
    let err = m.predict(&xa, quiet()).unwrap_err().to_string();
    assert!(
        err.contains("1 tensor(s) but the model has 2") && err.contains("\"a\", \"b\""),
        "{err}"
    );
    let err = m
        .predict([("a", &xa), ("c", &normal(&[5, 3], 2))], quiet())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no tensor for \"b\""), "{err}");
    let xb = normal(&[5, 3], 2);
    let err = m.predict([&xa, &xb], quiet()).unwrap_err().to_string();
    assert!(err.contains("predict_multi"), "{err}");
    let err = m
        .fit([&xa, &xb], [&normal(&[5, 3], 3)], FitOptions::default().verbose(0))
        .unwrap_err()
        .to_string();
    assert!(err.contains("y has 1 tensor(s)"), "{err}");
    let err = m
        .fit(
            [&xa, &normal(&[4, 3], 2)],
            [&normal(&[5, 3], 3), &normal(&[5, 1], 4)],
            FitOptions::default().verbose(0),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("different numbers of samples (5 and 4)"), "{err}");
}

#[test]
fn functional_and_sequential_round_trip_through_a_file() {
    let m = two_heads();
    let x = [&normal(&[6, 4], 5), &normal(&[6, 3], 6)];
    let before = m.predict_multi(x, quiet()).unwrap();
    let path = tmp("two_heads.safetensors");
    m.save(&path).unwrap();
    let back = keraslike::models::load_model(&path).unwrap();
    assert_eq!(back.class_name(), "Functional");
    assert_eq!(back.name(), "two_heads");
    assert_eq!(back.summary(), m.summary());
    let after = back.predict_multi(x, quiet()).unwrap();
    for (a, b) in before.iter().zip(&after) {
        assert_eq!(a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
    }

    let s = sequential![
        Dense::new(5).activation("relu").input_shape(&[4]),
        Dropout::new(0.3),
        Dense::new(2).activation("softmax"),
    ];
    let x = normal(&[3, 4], 7);
    let p = tmp("seq.safetensors");
    s.save(&p).unwrap();
    let back = keraslike::Sequential::load(&p).unwrap();
    assert_eq!(
        back.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap(),
        s.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap()
    );
    // The weights load by name as well as by Keras' path.
    let named: Vec<(String, Tensor)> = s
        .weights()
        .iter()
        .map(|w| (w.name().to_string(), w.read_value().unwrap()))
        .collect();
    let by_name = tmp("by_name.safetensors");
    tensorlow::save_tensors(&by_name, &named).unwrap();
    let mut fresh = sequential![
        Dense::new(5).activation("relu").input_shape(&[4]),
        Dropout::new(0.3),
        Dense::new(2).activation("softmax"),
    ];
    // Same architecture, other layer names: by-name loading needs the names.
    assert!(fresh.load_weights(&by_name).is_err());
    fresh.load_weights(&p).unwrap();
    assert_eq!(
        fresh.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap(),
        s.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap()
    );
}

/// y = out(hidden(x) + x).
struct Residual {
    hidden: LayerRef<Dense>,
    out: LayerRef<Dense>,
}

impl CustomModel for Residual {
    fn call(&self, inputs: &[Tensor], training: bool) -> Result<Vec<Tensor>> {
        let x = &inputs[0];
        let h = (self.hidden.call(x, training)? + x)?;
        Ok(vec![self.out.call(&h, training)?])
    }
    fn layers(&self) -> Vec<LayerRef> {
        vec![self.hidden.clone().erased(), self.out.clone().erased()]
    }
}

fn residual() -> Model {
    Model::custom(Residual {
        hidden: Dense::new(3).activation("tanh").shared(),
        out: Dense::new(1).shared(),
    })
}

#[test]
fn subclassed_model_trains_and_round_trips_its_weights() {
    let mut m = residual();
    m.compile("adam", "mse", &["mae"]).unwrap();
    let x = normal(&[16, 3], 8);
    let y = x.sum(&[1], true).unwrap();
    let h = m
        .fit(&x, &y, FitOptions::default().epochs(5).batch_size(8).verbose(0).seed(1))
        .unwrap();
    assert_eq!(h.get("loss").unwrap().len(), 5);
    assert_eq!(m.count_params(), 3 * 3 + 3 + 3 + 1);
    let p = tmp("residual.safetensors");
    assert!(m.save(&p).unwrap_err().to_string().contains("save_weights"));
    m.save_weights(&p).unwrap();
    let mut fresh = residual();
    fresh.build(&[3]).unwrap();
    fresh.load_weights(&p).unwrap();
    assert_eq!(
        fresh.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap(),
        m.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap()
    );
}

#[test]
fn frozen_layers_keep_their_weights_and_count_as_non_trainable() {
    let base = sequential![Dense::new(4).activation("relu").input_shape(&[3]), Dense::new(4)]
        .into_model()
        .shared();
    let x = Input::new(&[3]);
    let y = Dense::new(2).name("head").apply(&base.apply(&x).unwrap()).unwrap();
    let mut m = Model::functional(&x, &y).unwrap();
    base.set_trainable(false);
    assert_eq!(m.trainable_weights().len(), 2);
    assert_eq!(m.non_trainable_weights().len(), 4);
    assert!(
        m.summary().contains(" Trainable params: 10 (40.00 B)"),
        "{}",
        m.summary()
    );
    assert!(m.summary().contains(" Non-trainable params: 36 (144.00 B)"));
    let frozen_before: Vec<Vec<f32>> = base.weights().iter().map(|w| w.to_vec::<f32>().unwrap()).collect();
    let head_before = m.get_layer("head").unwrap().weights()[0].to_vec::<f32>().unwrap();
    m.compile("sgd", "mse", &[] as &[&str]).unwrap();
    let xs = normal(&[8, 3], 9);
    m.fit(&xs, normal(&[8, 2], 10), FitOptions::default().epochs(2).verbose(0))
        .unwrap();
    let frozen_after: Vec<Vec<f32>> = base.weights().iter().map(|w| w.to_vec::<f32>().unwrap()).collect();
    assert_eq!(frozen_before, frozen_after);
    assert_ne!(
        head_before,
        m.get_layer("head").unwrap().weights()[0].to_vec::<f32>().unwrap()
    );
}

#[test]
fn one_model_predicts_from_many_threads() {
    let m = Arc::new(two_heads());
    let x = (normal(&[7, 4], 11), normal(&[7, 3], 12));
    let want = m.predict_multi([&x.0, &x.1], quiet()).unwrap()[0]
        .to_vec::<f32>()
        .unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (m, x) = (m.clone(), x.clone());
            std::thread::spawn(move || {
                m.predict_multi([&x.0, &x.1], quiet()).unwrap()[0]
                    .to_vec::<f32>()
                    .unwrap()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), want);
    }
    // And a model trains on another thread.
    let mut s = sequential![Dense::new(1).input_shape(&[2])];
    s.compile("sgd", "mse", &[] as &[&str]).unwrap();
    let t = std::thread::spawn(move || {
        let x = normal(&[4, 2], 13);
        s.fit(&x, normal(&[4, 1], 14), FitOptions::default().verbose(0))
            .map(|h| h.len())
    });
    assert_eq!(t.join().unwrap().unwrap(), 1);
}

/// A layer whose computation fails inside tensorlow.
struct Broken {
    w: Option<Variable>,
}

impl Layer for Broken {
    fn name(&self) -> &str {
        "broken_1"
    }
    fn class_name(&self) -> &'static str {
        "Broken"
    }
    fn built(&self) -> bool {
        self.w.is_some()
    }
    fn build(&mut self, _s: &[usize], ctx: &BuildContext) -> Result<()> {
        self.w = Some(Variable::new("w", Tensor::ones(&[5, 2], ctx.dtype, &ctx.device)?));
        Ok(())
    }
    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        Ok(x.matmul(self.w.as_ref().unwrap())?)
    }
    fn compute_output_shape(&self, s: &[usize]) -> Result<Vec<usize>> {
        Ok(vec![s[0], 2])
    }
    fn get_config(&self) -> serde_json::Value {
        serde_json::json!({})
    }
}

#[test]
fn errors_inside_a_layer_name_it() {
    let m = sequential![Broken { w: None }];
    let err = m.predict(normal(&[2, 3], 15), quiet()).unwrap_err();
    assert!(matches!(err, Error::Layer { .. }), "{err:?}");
    let s = err.to_string();
    assert!(s.starts_with("Broken \"broken_1\": ") && s.contains("matmul"), "{s}");
}

#[test]
fn borrowed_callbacks_are_read_after_fit() {
    let mut m = sequential![Dense::new(1).input_shape(&[2])];
    m.compile("sgd", "mse", &[] as &[&str]).unwrap();
    let mut es = EarlyStopping::new(EarlyStoppingOptions {
        monitor: "loss".into(),
        patience: 0,
        min_delta: 1e9,
        ..Default::default()
    });
    let x = normal(&[8, 2], 16);
    m.fit(
        &x,
        normal(&[8, 1], 17),
        FitOptions::default().epochs(10).verbose(0).callback(&mut es),
    )
    .unwrap();
    assert_eq!(es.stopped_epoch(), Some(1));
}

#[test]
fn a_model_used_as_a_layer_trains_inside_another() {
    let inner = sequential![Dense::new(3).activation("tanh").input_shape(&[2])].into_model();
    let mut outer = sequential![inner, Dense::new(1)];
    outer.compile("adam", "mse", &[] as &[&str]).unwrap();
    assert_eq!(outer.count_params(), 2 * 3 + 3 + 3 + 1);
    let x = normal(&[10, 2], 18);
    let h = outer
        .fit(
            &x,
            normal(&[10, 1], 19),
            FitOptions::default().epochs(3).verbose(0).seed(2),
        )
        .unwrap();
    assert_eq!(h.len(), 3);
    let p = tmp("nested.safetensors");
    outer.save(&p).unwrap();
    let back = keraslike::models::load_model(&p).unwrap();
    assert_eq!(
        back.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap(),
        outer.predict(&x, quiet()).unwrap().to_vec::<f32>().unwrap()
    );
}
