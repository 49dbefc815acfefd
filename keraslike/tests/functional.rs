//! The functional API and multi-input/output training against Keras 3.
//!
//! Every expected number comes from Keras 3 itself: `tests/reference/functional_fit.py`
//! (keras 3.15.1, jax backend; versions in the fixture's metadata) wrote
//! `tests/data/keras_functional.safetensors` with the data, the starting
//! weights, the forward outputs, the weights after one SGD step and the
//! per-epoch logs and final weights of `fit(..., shuffle=False)` with Adam and
//! with SGD + momentum, for a two-input/two-output functional model and a
//! Sequential MLP. Tolerances are float32's.

use keraslike::layers::{Add, Concatenate, Dense, Input, Layer, LayerRef};
use keraslike::models::CompileOptions;
use keraslike::optimizers::{Adam, Optimizer, SGD};
use keraslike::{sequential, FitOptions, Model};
use std::collections::HashMap;
use tensorlow::{load_tensors, GradientTape, Tensor};

fn fixture() -> HashMap<String, Tensor> {
    load_tensors(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/keras_functional.safetensors"
    ))
    .unwrap()
}

fn vals(t: &Tensor) -> Vec<f64> {
    t.to_vec::<f64>().unwrap()
}

fn close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: got {g}, Keras {w} (tolerance {tol})"
        );
    }
}

/// The fixture's functional model, rebuilt with keraslike's API.
fn two_heads() -> Model {
    let a = Input::new(&[4]).name("a");
    let b = Input::new(&[3]).name("b");
    let ha = Dense::new(5).activation("tanh").name("ha").apply(&a).unwrap();
    let hb = Dense::new(5).activation("tanh").name("hb").apply(&b).unwrap();
    let cat = Concatenate::new().name("cat").apply([&ha, &hb]).unwrap();
    let add = Add::new().name("add").apply([&ha, &hb]).unwrap();
    let cls = Dense::new(3).activation("softmax").name("cls").apply(&cat).unwrap();
    let reg = Dense::new(1).name("reg").apply(&add).unwrap();
    Model::functional([&a.tensor(), &b.tensor()], [&cls, &reg]).unwrap()
}

/// Sets every Dense layer's kernel and bias from `{prefix}/{layer}/kernel|bias`.
fn load_weights(model: &Model, f: &HashMap<String, Tensor>, prefix: &str) {
    for l in model.layers() {
        let w = l.weights();
        if w.is_empty() {
            continue;
        }
        let name = l.name();
        w[0].assign(&f[&format!("{prefix}/{name}/kernel")]).unwrap();
        w[1].assign(&f[&format!("{prefix}/{name}/bias")]).unwrap();
    }
}

fn check_weights(model: &Model, f: &HashMap<String, Tensor>, prefix: &str, tol: f64) {
    for l in model.layers() {
        let w = l.weights();
        if w.is_empty() {
            continue;
        }
        let name = l.name();
        for (j, part) in ["kernel", "bias"].iter().enumerate() {
            let key = format!("{prefix}/{name}/{part}");
            close(&key, &vals(&w[j]), &vals(&f[&key]), tol);
        }
    }
}

fn compile_two_heads(m: &mut Model, opt: impl Optimizer + 'static) {
    m.compile_with(
        opt,
        [("cls", "categorical_crossentropy"), ("reg", "mse")],
        [("cls", &["accuracy"][..]), ("reg", &["mae"][..])],
        CompileOptions::default().loss_weights([("cls", 1.0), ("reg", 0.5)]),
    )
    .unwrap();
}

fn sgd(lr: f64, momentum: f64) -> SGD {
    SGD::new(lr).momentum(momentum)
}

fn adam(lr: f64) -> Adam {
    Adam::new(lr)
}

#[test]
fn forward_and_one_sgd_step_match_keras() {
    let f = fixture();
    let mut m = two_heads();
    assert_eq!(m.input_names(), ["a", "b"]);
    assert_eq!(m.output_names(), ["cls", "reg"]);
    load_weights(&m, &f, "func/init");
    let (xa, xb) = (&f["data/xa"], &f["data/xb"]);
    let out = m.predict_on_batch_multi([("a", xa), ("b", xb)]).unwrap();
    close("cls", &vals(&out[0]), &vals(&f["func/forward/cls"]), 1e-6);
    close("reg", &vals(&out[1]), &vals(&f["func/forward/reg"]), 1e-6);

    compile_two_heads(&mut m, sgd(0.1, 0.0));
    assert_eq!(
        m.metrics_names(),
        ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"]
    );
    let logs = m
        .train_on_batch([xa, xb], [("cls", &f["data/ycls"]), ("reg", &f["data/yreg"])], None)
        .unwrap();
    for k in ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"] {
        close(k, &[logs[k]], &vals(&f[&format!("func/sgd_step/logs/{k}")]), 1e-5);
    }
    check_weights(&m, &f, "func/sgd_step", 1e-5);
}

#[test]
fn fit_trajectories_match_keras() {
    let f = fixture();
    let x = [&f["data/xa"], &f["data/xb"]];
    for (name, opt) in [("adam", 0), ("momentum", 1)] {
        let make = || -> Box<dyn Optimizer> {
            if opt == 0 {
                Box::new(adam(0.01))
            } else {
                Box::new(sgd(0.05, 0.9))
            }
        };
        // The functional model.
        let mut m = two_heads();
        load_weights(&m, &f, "func/init");
        m.compile_with(
            make(),
            [("cls", "categorical_crossentropy"), ("reg", "mse")],
            [("cls", &["accuracy"][..]), ("reg", &["mae"][..])],
            CompileOptions::default().loss_weights([1.0, 0.5]),
        )
        .unwrap();
        let h = m
            .fit(
                x,
                [&f["data/ycls"], &f["data/yreg"]],
                FitOptions::default().epochs(3).batch_size(4).shuffle(false).verbose(0),
            )
            .unwrap();
        for k in ["loss", "cls_loss", "reg_loss", "cls_accuracy", "reg_mae"] {
            close(
                &format!("func {name} {k}"),
                h.get(k).unwrap(),
                &vals(&f[&format!("func/{name}/logs/{k}")]),
                1e-5,
            );
        }
        check_weights(&m, &f, &format!("func/{name}"), 1e-5);

        // The Sequential MLP.
        let mut s = sequential![
            Dense::new(5).activation("sigmoid").input_shape(&[4]).name("h"),
            Dense::new(3).activation("softmax").name("out"),
        ];
        load_weights(&s, &f, "seq/init");
        s.compile(make(), "categorical_crossentropy", &["accuracy"]).unwrap();
        let h = s
            .fit(
                &f["data/xa"],
                &f["data/ycls"],
                FitOptions::default().epochs(3).batch_size(4).shuffle(false).verbose(0),
            )
            .unwrap();
        for k in ["loss", "accuracy"] {
            close(
                &format!("seq {name} {k}"),
                h.get(k).unwrap(),
                &vals(&f[&format!("seq/{name}/logs/{k}")]),
                1e-5,
            );
        }
        check_weights(&s, &f, &format!("seq/{name}"), 1e-5);
    }
}

/// A Dense applied to two inputs is one layer: one set of weights, and the
/// gradient of its kernel is the sum over both uses (checked against
/// central finite differences of the model's output).
#[test]
fn shared_layer_has_one_set_of_weights_and_summed_gradients() {
    let a = Input::new(&[3]).name("a");
    let b = Input::new(&[3]).name("b");
    let shared: LayerRef<Dense> = Dense::new(2).activation("tanh").name("shared").shared();
    let ya = shared.apply(&a).unwrap();
    let yb = shared.apply(&b).unwrap();
    let out = keraslike::layers::Multiply::new().apply([&ya, &yb]).unwrap();
    let m = Model::functional([&a.tensor(), &b.tensor()], &out).unwrap();
    assert_eq!(m.weights().len(), 2, "one kernel and one bias");
    assert_eq!(m.count_params(), 3 * 2 + 2);
    assert_eq!(m.weights()[0].id(), shared.read().kernel().unwrap().id());
    let xa = Tensor::new(&[0.3f32, -0.2, 0.5, 1.0, 0.1, -0.4], &[2, 3]).unwrap();
    let xb = Tensor::new(&[-0.6f32, 0.4, 0.2, 0.3, 0.3, 0.9], &[2, 3]).unwrap();
    let kernel = m.weights()[0].clone();
    let k0 = vec![0.4f32, -0.3, 0.2, 0.5, -0.1, 0.25];
    let set = |v: &[f32]| kernel.assign(&Tensor::new(v, &[3, 2]).unwrap()).unwrap();
    let objective = || -> f64 {
        m.call([&xa, &xb], false)
            .unwrap()
            .sum_all()
            .unwrap()
            .to_scalar::<f64>()
            .unwrap()
    };
    set(&k0);
    let tape = GradientTape::new();
    let y = m.call([&xa, &xb], true).unwrap().sum_all().unwrap();
    let g = tape.gradient_of(&y, std::slice::from_ref(&kernel)).unwrap()[0]
        .clone()
        .unwrap();
    let g = g.to_vec::<f32>().unwrap();
    let h = 1e-2f32;
    for i in 0..6 {
        let mut p = k0.clone();
        p[i] += h;
        set(&p);
        let fp = objective();
        p[i] -= 2.0 * h;
        set(&p);
        let fm = objective();
        set(&k0);
        let fd = (fp - fm) / (2.0 * h as f64);
        assert!(
            (g[i] as f64 - fd).abs() < 2e-3 * (1.0 + fd.abs()),
            "kernel[{i}]: tape {} vs finite differences {fd}",
            g[i]
        );
    }
}
