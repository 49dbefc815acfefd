//! The `TensorBoard` callback during a real `fit`, read back with
//! `tensorlow::summary::read_events`. The model is one weight `w` (Dense(1),
//! no bias, w0 = 1) fitted with SGD (lr 0.25) and MSE to two samples
//! x = 1, y = 0, batch size 1, no shuffling. Each step has loss `w²` and
//! sets `w <- w (1 - 2 lr) = w / 2`, so by hand:
//!
//! | global batch | w before | batch loss | running epoch loss |
//! |---|---|---|---|
//! | 1 | 1     | 1        | 1 |
//! | 2 | 0.5   | 0.25     | (1 + 0.25) / 2 = 0.625 |
//! | 3 | 0.25  | 0.0625   | 0.0625 |
//! | 4 | 0.125 | 0.015625 | (0.0625 + 0.015625) / 2 = 0.0390625 |
//!
//! Validation on x = 1, y = 0 after each epoch: `val_loss` = w² with w =
//! 0.25 then 0.0625, i.e. 0.0625 and 0.00390625. All values are exact in
//! float32, the precision TensorBoard scalars are stored in.

use keraslike::callbacks::{Callback, TensorBoard, TensorBoardOptions, UpdateFreq};
use keraslike::layers::Dense;
use keraslike::models::IntoData;
use keraslike::optimizers::SGD;
use keraslike::{FitOptions, Sequential};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;
use tensorlow::summary::{read_events, SummaryValue};
use tensorlow::Tensor;

fn model() -> Sequential {
    let mut m = Sequential::new(vec![Box::new(Dense::new(1).use_bias(false).input_shape(&[1]))]);
    let sgd = SGD::new(0.25);
    m.compile(sgd, "mse", &[] as &[&str]).unwrap();
    m.set_weights(&[Tensor::new(&[1.0f32], &[1, 1]).unwrap()]).unwrap();
    m
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("keraslike_tb_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Trains 2 epochs with the callback; returns it (for its file paths) and
/// the weight histogram's tag, `<model>/<layer>/kernel/histogram`.
fn train(o: TensorBoardOptions, dir: &Path, validation: bool) -> (Rc<RefCell<TensorBoard>>, String) {
    let tb = Rc::new(RefCell::new(TensorBoard::new(dir, o)));
    let x = Tensor::new(&[1.0f32, 1.0], &[2, 1]).unwrap();
    let y = Tensor::new(&[0.0f32, 0.0], &[2, 1]).unwrap();
    let validation_data = validation.then(|| {
        (
            Tensor::new(&[1.0f32], &[1, 1]).unwrap().into_data(),
            Tensor::new(&[0.0f32], &[1, 1]).unwrap().into_data(),
        )
    });
    let opts = FitOptions {
        epochs: 2,
        batch_size: 1,
        verbose: 0,
        shuffle: false,
        validation_data,
        callbacks: vec![Box::new(tb.clone()) as Box<dyn Callback>],
        ..Default::default()
    };
    let mut m = model();
    m.fit(&x, &y, opts).unwrap();
    let tag = format!("{}/{}/histogram", m.name(), m.weights()[0].name());
    assert!(
        tag.ends_with("/kernel/histogram") && tag.starts_with("sequential"),
        "{tag}"
    );
    (tb, tag)
}

/// Every tag's `(step, value)` series, in file order; histograms as their
/// total count in the last row and that row's left edge.
fn series(path: &Path) -> BTreeMap<String, Vec<(i64, f64)>> {
    let events = read_events(path).unwrap();
    assert_eq!(events[0].file_version.as_deref(), Some("brain.Event:2"));
    let mut out: BTreeMap<String, Vec<(i64, f64)>> = BTreeMap::new();
    for e in &events[1..] {
        for v in &e.values {
            let x = match &v.value {
                SummaryValue::Scalar(x) => {
                    assert_eq!(v.plugin, "scalars");
                    *x
                }
                SummaryValue::Histogram(rows) => {
                    assert_eq!(v.plugin, "histograms");
                    assert_eq!(rows.len(), 30);
                    // One weight: all 30 rows have both edges at w, the count in the last.
                    assert!(rows[..29].iter().all(|r| r[2] == 0.0 && r[0] == r[1]));
                    assert_eq!(rows[29][2], 1.0);
                    rows[29][0]
                }
                SummaryValue::Other => panic!("unexpected value {v:?}"),
            };
            out.entry(v.tag.clone()).or_default().push((e.step, x));
        }
    }
    out
}

#[test]
fn epoch_scalars_validation_and_histograms() {
    let dir = tmp("epoch");
    let (tb, hist_tag) = train(
        TensorBoardOptions {
            histogram_freq: 1,
            ..Default::default()
        },
        &dir,
        true,
    );
    let tb = tb.borrow();
    let train_file = tb.train_file().unwrap();
    assert!(train_file.starts_with(dir.join("train")), "{train_file:?}");
    let logged = series(&train_file);
    let expected: BTreeMap<String, Vec<(i64, f64)>> = [
        ("epoch_loss".to_string(), vec![(0, 0.625), (1, 0.0390625)]),
        ("epoch_learning_rate".to_string(), vec![(0, 0.25), (1, 0.25)]),
        (hist_tag, vec![(0, 0.25), (1, 0.0625)]),
    ]
    .into();
    assert_eq!(logged, expected);

    let val = series(&tb.validation_file().unwrap());
    let expected: BTreeMap<String, Vec<(i64, f64)>> = [
        ("epoch_loss".to_string(), vec![(0, 0.0625), (1, 0.00390625)]),
        // Keras writes the evaluation at the optimizer's iteration count.
        (
            "evaluation_loss_vs_iterations".to_string(),
            vec![(2, 0.0625), (4, 0.00390625)],
        ),
    ]
    .into();
    assert_eq!(val, expected);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn batch_scalars_every_n_batches() {
    let dir = tmp("batch");
    let (tb, _) = train(
        TensorBoardOptions {
            update_freq: UpdateFreq::Every(2),
            ..Default::default()
        },
        &dir,
        false,
    );
    assert!(
        tb.borrow().validation_file().is_none(),
        "no validation data, no validation file"
    );
    assert!(!dir.join("validation").exists());
    let logged = series(&tb.borrow().train_file().unwrap());
    assert_eq!(logged["batch_loss"], vec![(2, 0.625), (4, 0.0390625)]);
    assert_eq!(logged["epoch_loss"], vec![(0, 0.625), (1, 0.0390625)]);

    let dir2 = tmp("everybatch");
    let (tb, _) = train(
        TensorBoardOptions {
            update_freq: UpdateFreq::Batch,
            write_steps_per_second: true,
            ..Default::default()
        },
        &dir2,
        false,
    );
    let logged = series(&tb.borrow().train_file().unwrap());
    assert_eq!(
        logged["batch_loss"],
        vec![(1, 1.0), (2, 0.625), (3, 0.0625), (4, 0.0390625)]
    );
    let steps: Vec<i64> = logged["batch_steps_per_second"].iter().map(|s| s.0).collect();
    assert_eq!(steps, vec![1, 2, 3, 4]);
    assert!(logged["epoch_steps_per_second"].iter().all(|s| s.1 > 0.0));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_dir_all(&dir2).ok();
}

#[test]
fn epoch_level_by_default_and_bad_log_dir_is_an_error() {
    let tb = TensorBoard::new("logs", TensorBoardOptions::default());
    assert!(
        !tb.uses_batch_hooks(),
        "epoch-level logging must not make fit read batch logs"
    );

    let dir = tmp("badlogdir");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("file"), b"x").unwrap();
    let tb = TensorBoard::new(dir.join("file"), TensorBoardOptions::default());
    let x = Tensor::new(&[1.0f32], &[1, 1]).unwrap();
    let opts = FitOptions {
        verbose: 0,
        callbacks: vec![Box::new(tb)],
        ..Default::default()
    };
    let e = model().fit(&x, &x, opts).unwrap_err().to_string();
    assert!(e.contains("file"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
