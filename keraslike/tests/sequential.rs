//! `Sequential`: fit/evaluate/predict semantics, reproducibility, weights,
//! saving and errors. Expected values come from math (hand-computed losses,
//! the SGD scaling identity), not from the code's own output.

use keraslike::callbacks::{Callback, Logs};
use keraslike::datasets::{read_csv, train_test_split, StandardScaler};
use keraslike::layers::Dense;
use keraslike::models::{EvaluateOptions, PredictOptions};
use keraslike::optimizers::{Adam, SGD};
use keraslike::{Error, FitOptions, Sequential};
use tensorlow::{random, DType, Device, Tensor};

/// Standardized iris, 80/20 stratified split: (x_train, y_train one-hot, x_test, y_test one-hot).
fn iris() -> (Tensor, Tensor, Tensor, Tensor) {
    let table = read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/iris.csv")).unwrap();
    let (labels, _) = table.class_labels();
    let (train, test) = train_test_split(table.n_rows, 0.2, Some(&labels), 0).unwrap();
    let scaler = StandardScaler::fit(&table.rows(&train), 4).unwrap();
    let x = |idx: &[usize]| {
        let v: Vec<f32> = scaler
            .transform(&table.rows(idx))
            .unwrap()
            .iter()
            .map(|&v| v as f32)
            .collect();
        Tensor::from_vec(v, &[idx.len(), 4], &Device::cpu()).unwrap()
    };
    let y = |idx: &[usize]| {
        let v: Vec<u32> = idx.iter().map(|&i| labels[i]).collect();
        Tensor::from_vec(v, &[idx.len()], &Device::cpu())
            .unwrap()
            .one_hot(3, DType::F32)
            .unwrap()
    };
    (x(&train), y(&train), x(&test), y(&test))
}

fn mlp(seed: u64) -> Sequential {
    let m = Sequential::new(vec![
        Box::new(Dense::new(5).activation("sigmoid").input_shape(&[4])),
        Box::new(Dense::new(3).activation("softmax")),
    ]);
    // Initial weights from a private generator: the tests run in parallel
    // threads, which share tensorlow's global seed state.
    let mut g = random::Generator::from_seed(seed);
    let w: Vec<Tensor> = m
        .weights()
        .iter()
        .map(|v| g.normal(v.shape(), 0.0, 0.5, DType::F32, &Device::cpu()).unwrap())
        .collect();
    m.set_weights(&w).unwrap();
    m
}

fn adam(lr: f64) -> Adam {
    Adam::new(lr)
}

fn quiet(epochs: usize, batch_size: usize) -> FitOptions<'static> {
    FitOptions {
        epochs,
        batch_size,
        verbose: 0,
        seed: Some(3),
        ..FitOptions::default()
    }
}

fn vals(t: &Tensor) -> Vec<f32> {
    t.to_vec::<f32>().unwrap()
}

#[test]
fn fit_learns_iris() {
    let (xt, yt, xv, yv) = iris();
    let mut m = mlp(0);
    m.compile(adam(0.05), "categorical_crossentropy", &["accuracy"])
        .unwrap();
    let h = m.fit(&xt, &yt, quiet(30, 10)).unwrap();
    let loss = h.get("loss").unwrap();
    assert_eq!(loss.len(), 30);
    assert!(loss[29] < 0.5 * loss[0], "loss did not fall: {loss:?}");
    let logs = m
        .evaluate(
            &xv,
            &yv,
            EvaluateOptions {
                verbose: 0,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(logs["accuracy"] >= 0.9, "{logs:?}");
    assert_eq!(logs.keys().collect::<Vec<_>>(), ["accuracy", "loss"]);
}

#[test]
fn seeds_make_runs_reproducible() {
    let (xt, yt, _, _) = iris();
    let run = |fit_seed: u64| {
        let mut m = mlp(1);
        m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
            .unwrap();
        m.fit(
            &xt,
            &yt,
            FitOptions {
                seed: Some(fit_seed),
                ..quiet(3, 10)
            },
        )
        .unwrap()
        .history["loss"]
            .clone()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8), "a different shuffling seed must change the losses");
}

#[test]
fn validation_split_adds_val_keys_and_uses_the_last_samples() {
    let (xt, yt, _, _) = iris();
    let mut m = mlp(2);
    m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
        .unwrap();
    let h = m
        .fit(
            &xt,
            &yt,
            FitOptions {
                validation_split: 0.25,
                ..quiet(2, 10)
            },
        )
        .unwrap();
    assert_eq!(h.keys(), ["accuracy", "loss", "val_accuracy", "val_loss"]);
    assert_eq!(h.epoch, vec![0, 1]);
    // Keras holds out the last floor-complement: the first floor(120 * 0.75) = 90 train.
    let (xv, yv) = (xt.narrow(0, 90, 30).unwrap(), yt.narrow(0, 90, 30).unwrap());
    let logs = m
        .evaluate(
            &xv,
            &yv,
            EvaluateOptions {
                verbose: 0,
                batch_size: 7,
                ..Default::default()
            },
        )
        .unwrap();
    assert!((logs["loss"] - h.last("val_loss").unwrap()).abs() < 1e-5);
    assert_eq!(logs["accuracy"], h.last("val_accuracy").unwrap());
}

/// Mean categorical cross-entropy of probabilities `p` against one-hot `y`, by hand.
fn cce(p: &[f32], y: &[f32], w: Option<&[f32]>) -> f64 {
    let n = p.len() / 3;
    (0..n)
        .map(|i| {
            let l: f64 = (0..3)
                .map(|k| -(y[3 * i + k] as f64) * (p[3 * i + k] as f64).max(1e-7).ln())
                .sum();
            l * w.map_or(1.0, |w| w[i] as f64)
        })
        .sum::<f64>()
        / n as f64
}

#[test]
fn evaluate_and_test_on_batch_reduce_like_keras() {
    let (xt, yt, _, _) = iris();
    let mut m = mlp(3);
    m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
        .unwrap();
    let p = vals(
        &m.predict(
            &xt,
            PredictOptions {
                verbose: 0,
                ..Default::default()
            },
        )
        .unwrap(),
    );
    let y = vals(&yt);
    // 120 samples in batches of 32 (the last has 24): the mean over samples.
    let logs = m
        .evaluate(
            &xt,
            &yt,
            EvaluateOptions {
                verbose: 0,
                ..Default::default()
            },
        )
        .unwrap();
    assert!(
        (logs["loss"] - cce(&p, &y, None)).abs() < 1e-4,
        "{} vs {}",
        logs["loss"],
        cce(&p, &y, None)
    );
    // Sample weights: sum(w * l) / batch (Keras' sum_over_batch_size).
    let w: Vec<f32> = (0..120).map(|i| (i % 3) as f32).collect();
    let wt = Tensor::new(&w, &[120]).unwrap();
    m.reset_metrics();
    let logs = m.test_on_batch(&xt, &yt, Some(&wt)).unwrap();
    assert!((logs["loss"] - cce(&p, &y, Some(&w))).abs() < 1e-4);
}

#[test]
fn zero_sample_weights_equal_dropping_the_samples() {
    // Full-batch SGD: with weights 1 on the first k of n samples and 0 on the
    // rest, the loss is (k/n) times the loss on the k samples alone, so
    // SGD with lr * n/k on all samples takes exactly the steps of SGD with lr
    // on the k samples.
    let (xt, yt, _, _) = iris();
    let (n, k) = (120usize, 80usize);
    let sgd = |lr: f64| SGD::new(lr);
    let opts = |bs| FitOptions {
        shuffle: false,
        ..quiet(5, bs)
    };
    let mut a = mlp(4);
    a.compile(
        sgd(0.3 * n as f64 / k as f64),
        "categorical_crossentropy",
        &[] as &[&str],
    )
    .unwrap();
    let w: Vec<f32> = (0..n).map(|i| if i < k { 1.0 } else { 0.0 }).collect();
    a.fit(
        &xt,
        &yt,
        FitOptions {
            sample_weight: Some(Tensor::new(&w, &[n]).unwrap()),
            ..opts(n)
        },
    )
    .unwrap();
    let mut b = mlp(4);
    b.compile(sgd(0.3), "categorical_crossentropy", &[] as &[&str]).unwrap();
    b.fit(xt.narrow(0, 0, k).unwrap(), yt.narrow(0, 0, k).unwrap(), opts(k))
        .unwrap();
    for (wa, wb) in a.get_weights().unwrap().iter().zip(b.get_weights().unwrap()) {
        for (u, v) in vals(wa).iter().zip(vals(&wb)) {
            assert!((u - v).abs() < 1e-5, "{u} vs {v}");
        }
    }
}

#[test]
fn class_weight_equals_the_matching_sample_weight() {
    let (xt, yt, _, _) = iris();
    let cw = [1.0, 3.0, 0.5];
    let classes = yt.argmax(-1).unwrap().to_vec::<i64>().unwrap();
    let sw: Vec<f32> = classes.iter().map(|&c| cw[c as usize] as f32).collect();
    let run = |opts: FitOptions| {
        let mut m = mlp(5);
        m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
            .unwrap();
        m.fit(&xt, &yt, opts).unwrap()
    };
    let a = run(FitOptions {
        class_weight: Some(cw.to_vec()),
        ..quiet(2, 16)
    });
    let b = run(FitOptions {
        sample_weight: Some(Tensor::new(&sw, &[120]).unwrap()),
        ..quiet(2, 16)
    });
    assert_eq!(a, b);
}

#[test]
fn predict_in_batches_equals_one_batch() {
    let (xt, _, _, _) = iris();
    let m = mlp(6);
    let batched = m
        .predict(
            &xt,
            PredictOptions {
                batch_size: 7,
                verbose: 0,
            },
        )
        .unwrap();
    let whole = m.predict_on_batch(&xt).unwrap();
    assert_eq!(batched.shape(), &[120, 3]);
    for (a, b) in vals(&batched).iter().zip(vals(&whole)) {
        assert!((a - b).abs() < 1e-6);
    }
}

#[test]
fn save_and_load_round_trip() {
    let (xt, yt, _, _) = iris();
    let mut m = mlp(7);
    m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
        .unwrap();
    m.fit(&xt, &yt, quiet(2, 10)).unwrap();
    let dir = std::env::temp_dir().join(format!("keraslike_seq_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    m.save(&path).unwrap();
    let mut r = Sequential::load(&path).unwrap();
    assert_eq!(r.name(), m.name());
    assert!(r.compiled());
    let po = PredictOptions {
        verbose: 0,
        ..Default::default()
    };
    assert_eq!(
        vals(&r.predict(&xt, po.clone()).unwrap()),
        vals(&m.predict(&xt, po).unwrap())
    );
    // The loaded model trains further.
    r.fit(&xt, &yt, quiet(1, 10)).unwrap();
    // keras.models.load_model: the same model as Sequential::load.
    let k = keraslike::models::load_model(&path).unwrap();
    assert_eq!(k.get_config(), m.get_config());
    assert_eq!(
        vals(&k.predict_on_batch(&xt).unwrap()),
        vals(&m.predict_on_batch(&xt).unwrap())
    );

    // Weights only, into a fresh model of the same architecture.
    let wpath = dir.join("w.safetensors");
    m.save_weights(&wpath).unwrap();
    let mut fresh = mlp(8);
    fresh.load_weights(&wpath).unwrap();
    assert_eq!(
        vals(&fresh.predict_on_batch(&xt).unwrap()),
        vals(&m.predict_on_batch(&xt).unwrap())
    );
    // A different architecture is refused, naming the layer and shapes.
    let mut other = Sequential::new(vec![
        Box::new(Dense::new(6).input_shape(&[4]).name("dense_a")),
        Box::new(Dense::new(3).name("dense_b")),
    ]);
    let err = other.load_weights(&wpath).unwrap_err().to_string();
    assert!(err.contains("dense_a"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn summary_counts_parameters() {
    let m = mlp(9).with_name("sequential");
    let s = m.summary();
    // (4*5 + 5) + (5*3 + 3) = 43 float32 parameters = 172 bytes.
    assert!(s.starts_with("Model: \"sequential\"\n"), "{s}");
    assert!(s.contains("┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃"));
    assert!(s.contains("│ (None, 5)                   │              25 │"), "{s}");
    assert!(s.contains("│ (None, 3)                   │              18 │"), "{s}");
    assert!(s.ends_with(
        " Total params: 43 (172.00 B)\n Trainable params: 43 (172.00 B)\n Non-trainable params: 0 (0.00 B)\n"
    ));
    assert_eq!(m.count_params(), 43);
}

#[test]
fn errors_say_what_to_fix() {
    let (xt, yt, _, _) = iris();
    let mut m = mlp(10);
    let e = m.fit(&xt, &yt, quiet(1, 10)).unwrap_err();
    assert!(
        matches!(e, Error::NotReady(_)) && e.to_string().contains("compile"),
        "{e}"
    );
    m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
        .unwrap();
    let e = m.fit(&xt, yt.narrow(0, 0, 100).unwrap(), quiet(1, 10)).unwrap_err();
    assert!(e.to_string().contains("120") && e.to_string().contains("100"), "{e}");
    let e = m
        .fit(
            &xt,
            &yt,
            FitOptions {
                validation_split: 1.0,
                ..quiet(1, 10)
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    let empty = xt.narrow(0, 0, 0).unwrap();
    assert!(matches!(
        m.fit(&empty, yt.narrow(0, 0, 0).unwrap(), quiet(1, 10)),
        Err(Error::Data(_))
    ));
    let e = m.predict(
        Tensor::zeros(&[2, 3], DType::F32, &Device::cpu()).unwrap(),
        PredictOptions::default(),
    );
    assert!(matches!(e, Err(Error::Shape(_))));
}

/// Records the calls it gets and stops training after epoch `stop_after`.
struct Recorder {
    calls: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
    stop_after: usize,
}

impl Callback for Recorder {
    fn on_train_begin(&mut self, _: &mut keraslike::Model, _: &Logs) -> keraslike::Result<()> {
        self.calls.borrow_mut().push("train_begin".into());
        Ok(())
    }
    fn on_epoch_end(&mut self, epoch: usize, model: &mut keraslike::Model, logs: &Logs) -> keraslike::Result<()> {
        let keys: Vec<&str> = logs.keys().map(String::as_str).collect();
        self.calls
            .borrow_mut()
            .push(format!("epoch_end {epoch} {}", keys.join(",")));
        model.stop_training = epoch == self.stop_after;
        Ok(())
    }
    fn on_train_batch_end(&mut self, batch: usize, _: &mut keraslike::Model, logs: &Logs) -> keraslike::Result<()> {
        assert!(logs.contains_key("loss"));
        self.calls.borrow_mut().push(format!("batch {batch}"));
        Ok(())
    }
    fn on_train_end(&mut self, _: &mut keraslike::Model, _: &Logs) -> keraslike::Result<()> {
        self.calls.borrow_mut().push("train_end".into());
        Ok(())
    }
}

#[test]
fn callbacks_are_called_and_can_stop_training() {
    let (xt, yt, _, _) = iris();
    let calls = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let mut m = mlp(11);
    m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
        .unwrap();
    let cb = Recorder {
        calls: calls.clone(),
        stop_after: 1,
    };
    let opts = FitOptions {
        validation_split: 0.5,
        callbacks: vec![Box::new(cb)],
        ..quiet(10, 30)
    };
    let h = m.fit(&xt, &yt, opts).unwrap();
    assert_eq!(h.len(), 2, "stop_training must end fit after epoch 1");
    let calls = calls.borrow();
    let expected = [
        "train_begin",
        "batch 0",
        "batch 1",
        "epoch_end 0 accuracy,loss,val_accuracy,val_loss",
        "batch 0",
        "batch 1",
        "epoch_end 1 accuracy,loss,val_accuracy,val_loss",
        "train_end",
    ];
    assert_eq!(*calls, expected);
}

#[test]
fn initial_epoch_resumes_numbering() {
    let (xt, yt, _, _) = iris();
    let mut m = mlp(12);
    m.compile(adam(0.01), "categorical_crossentropy", &["accuracy"])
        .unwrap();
    let h = m
        .fit(
            &xt,
            &yt,
            FitOptions {
                initial_epoch: 2,
                ..quiet(4, 32)
            },
        )
        .unwrap();
    assert_eq!(h.epoch, vec![2, 3]);
    // The model is a Layer stack: every layer is built with the input shape.
    assert!(m.layers().iter().all(|l| l.built()));
    assert_eq!(m.output_shape().unwrap(), vec![3]);
}

#[test]
fn regularization_losses_are_added_to_the_loss() {
    let (xt, yt, _, _) = iris();
    let mut m = Sequential::new(vec![Box::new(
        Dense::new(3)
            .activation("softmax")
            .kernel_regularizer(keraslike::regularizers::Regularizer::l2(0.1))
            .input_shape(&[4]),
    )]);
    m.compile(adam(0.01), "categorical_crossentropy", &[] as &[&str])
        .unwrap();
    let p = vals(&m.predict_on_batch(&xt).unwrap());
    let kernel = &m.trainable_weights()[0];
    assert_eq!(kernel.shape(), &[4, 3]);
    // Keras: loss = mean cross-entropy + 0.1 * Σ kernel².
    let l2: f64 = vals(kernel).iter().map(|&v| (v as f64).powi(2)).sum();
    let logs = m.test_on_batch(&xt, &yt, None).unwrap();
    let expected = cce(&p, &vals(&yt), None) + 0.1 * l2;
    assert!((logs["loss"] - expected).abs() < 1e-4, "{} vs {expected}", logs["loss"]);
}

#[test]
fn call_is_the_forward_pass_and_training_enables_dropout() {
    let (xt, _, _, _) = iris();
    let m = mlp(11);
    // Inference mode equals predict.
    assert_eq!(
        vals(&m.call(&xt, false).unwrap()),
        vals(&m.predict_on_batch(&xt).unwrap())
    );
    // With a Dropout(0.5) layer, training=true zeroes about half of the
    // units (scaling the rest by 2); training=false is the identity.
    let d = Sequential::new(vec![Box::new(keraslike::Dropout::new(0.5))]);
    let ones = Tensor::ones(&[100, 4], DType::F32, &Device::cpu()).unwrap();
    assert_eq!(vals(&d.call(&ones, false).unwrap()), vec![1.0; 400]);
    let out = vals(&d.call(&ones, true).unwrap());
    let zeros = out.iter().filter(|&&v| v == 0.0).count();
    assert!(out.iter().all(|&v| v == 0.0 || v == 2.0), "{out:?}");
    // 400 Bernoulli(0.5) draws: 200 ± 10 sd; ±60 is 6 sd.
    assert!((140..=260).contains(&zeros), "{zeros} zeros");
    // A wrong shape names the expected one.
    let e = m
        .call(Tensor::ones(&[2, 3], DType::F32, &Device::cpu()).unwrap(), false)
        .unwrap_err();
    assert!(
        e.to_string().contains("call") && e.to_string().contains("(batch, 4)"),
        "{e}"
    );
}
