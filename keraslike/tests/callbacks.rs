//! Callbacks driving a real `fit`. The model is one weight `w` (Dense(1),
//! no bias) fitted to the single sample x = 1, y = 0 with MSE, so one epoch
//! is one SGD step `w <- w (1 - 2 lr)` and the epoch's loss is `w²` before
//! the step: every expected number below follows from that by hand.

use keraslike::callbacks::{
    CSVLogger, CSVLoggerOptions, Callback, EarlyStopping, EarlyStoppingOptions, LearningRateScheduler, ModelCheckpoint,
    ModelCheckpointOptions, ReduceLROnPlateau, ReduceLROnPlateauOptions, TerminateOnNaN,
};
use keraslike::layers::Dense;
use keraslike::optimizers::SGD;
use keraslike::{FitOptions, Sequential};
use std::cell::RefCell;
use std::rc::Rc;
use tensorlow::Tensor;

/// The one-weight model with `w = w0`, compiled with SGD at `lr`.
fn model(w0: f32, lr: f64) -> Sequential {
    let mut m = Sequential::new(vec![Box::new(Dense::new(1).use_bias(false).input_shape(&[1]))]);
    m.compile(SGD::new(lr), "mse", &[] as &[&str]).unwrap();
    m.set_weights(&[Tensor::new(&[w0], &[1, 1]).unwrap()]).unwrap();
    m
}

fn data(y: f32) -> (Tensor, Tensor) {
    (
        Tensor::new(&[1.0f32], &[1, 1]).unwrap(),
        Tensor::new(&[y], &[1, 1]).unwrap(),
    )
}

fn fit(m: &mut keraslike::Model, epochs: usize, callbacks: Vec<Box<dyn Callback>>) -> keraslike::History {
    fit_y(m, 0.0, epochs, callbacks)
}

fn fit_y(m: &mut keraslike::Model, y: f32, epochs: usize, callbacks: Vec<Box<dyn Callback>>) -> keraslike::History {
    let (x, y) = data(y);
    m.fit(
        &x,
        &y,
        FitOptions {
            epochs,
            batch_size: 1,
            verbose: 0,
            callbacks,
            ..Default::default()
        },
    )
    .unwrap()
}

fn w(m: &Sequential) -> f32 {
    m.get_weights().unwrap()[0].to_vec::<f32>().unwrap()[0]
}

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("keraslike_cb_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn es(o: EarlyStoppingOptions) -> Rc<RefCell<EarlyStopping>> {
    Rc::new(RefCell::new(EarlyStopping::new(EarlyStoppingOptions {
        monitor: "loss".into(),
        ..o
    })))
}

#[test]
fn early_stopping_stops_after_patience_and_restores_the_best_weights() {
    // lr 1.5 diverges: w -> -2w each epoch, losses w0², 4w0², 16w0², ...
    // Epoch 0 is the best; patience 2 stops at epoch 2 (3 epochs ran).
    let cb = es(EarlyStoppingOptions {
        patience: 2,
        restore_best_weights: true,
        ..Default::default()
    });
    let mut m = model(0.5, 1.5);
    let h = fit(&mut m, 10, vec![Box::new(cb.clone())]);
    assert_eq!(h.history["loss"].len(), 3);
    assert_eq!(cb.borrow().stopped_epoch(), Some(2));
    assert_eq!(cb.borrow().best_epoch(), 0);
    // The best epoch's weights are those after its update: -2 * 0.5 (not -8 * 0.5).
    assert_eq!(w(&m), -1.0);

    // Without restoring, the last weights stay.
    let cb = es(EarlyStoppingOptions {
        patience: 2,
        ..Default::default()
    });
    let mut m = model(0.5, 1.5);
    fit(&mut m, 10, vec![Box::new(cb)]);
    assert_eq!(w(&m), -4.0);
}

#[test]
fn early_stopping_restores_best_weights_even_without_stopping() {
    // Keras 3: with restore_best_weights the best epoch's weights come back
    // at the end of training, also when patience was never exhausted.
    let cb = es(EarlyStoppingOptions {
        patience: 50,
        restore_best_weights: true,
        ..Default::default()
    });
    let mut m = model(0.5, 1.5);
    let h = fit(&mut m, 3, vec![Box::new(cb.clone())]);
    assert_eq!(h.history["loss"].len(), 3);
    assert_eq!(cb.borrow().stopped_epoch(), None);
    assert_eq!(w(&m), -1.0);
}

#[test]
fn early_stopping_keeps_going_while_improving_and_honours_start_from_epoch() {
    // lr 0.1 converges (w *= 0.8): never stops.
    let cb = es(EarlyStoppingOptions {
        patience: 0,
        ..Default::default()
    });
    let mut m = model(0.5, 0.1);
    assert_eq!(fit(&mut m, 5, vec![Box::new(cb)]).history["loss"].len(), 5);
    // Diverging, but nothing is watched before epoch 3: epoch 3 becomes the
    // first best, epoch 4 exhausts patience 1.
    let cb = es(EarlyStoppingOptions {
        patience: 1,
        start_from_epoch: 3,
        ..Default::default()
    });
    let mut m = model(0.5, 1.5);
    assert_eq!(fit(&mut m, 10, vec![Box::new(cb.clone())]).history["loss"].len(), 5);
    assert_eq!(cb.borrow().best_epoch(), 3);
}

#[test]
fn model_checkpoint_writes_only_on_improvement() {
    let dir = tmp("ckpt");
    let path = dir.join("w-{epoch:02d}.safetensors").to_string_lossy().to_string();
    let opts = ModelCheckpointOptions {
        monitor: "loss".into(),
        save_best_only: true,
        save_weights_only: true,
        ..Default::default()
    };
    // Diverging: only epoch 1 (1-based) improves.
    let mut m = model(0.5, 1.5);
    fit(
        &mut m,
        3,
        vec![Box::new(ModelCheckpoint::new(path.clone(), opts.clone()))],
    );
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    assert_eq!(files, ["w-01.safetensors"]);
    // The file holds the weights after epoch 1: w = -1.
    let saved = tensorlow::load_tensors(dir.join("w-01.safetensors")).unwrap();
    let values: Vec<Vec<f32>> = saved.values().map(|t| t.to_vec::<f32>().unwrap()).collect();
    assert_eq!(values, [vec![-1.0f32]]);

    // Converging: every epoch improves, one file each.
    let dir = tmp("ckpt2");
    let path = dir
        .join("w-{epoch:02d}-{loss:.4f}.safetensors")
        .to_string_lossy()
        .to_string();
    let mut m = model(0.5, 0.1);
    fit(&mut m, 3, vec![Box::new(ModelCheckpoint::new(path, opts))]);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    files.sort();
    // Losses: 0.25, 0.16, 0.1024.
    assert_eq!(
        files,
        [
            "w-01-0.2500.safetensors",
            "w-02-0.1600.safetensors",
            "w-03-0.1024.safetensors"
        ]
    );
}

#[test]
fn model_checkpoint_saves_every_epoch_by_default() {
    let dir = tmp("ckpt_all");
    let path = dir.join("model.safetensors");
    let mut m = model(0.5, 1.5);
    let cb = Rc::new(RefCell::new(ModelCheckpoint::new(
        path.to_string_lossy(),
        ModelCheckpointOptions::default(),
    )));
    fit(&mut m, 2, vec![Box::new(cb.clone())]);
    assert_eq!(cb.borrow().saved_paths().len(), 2);
    // The whole model was saved (loadable), with the last epoch's weights: 0.5 * 4.
    let loaded = Sequential::load(&path).unwrap();
    assert_eq!(w(&loaded), 2.0);
}

#[test]
fn reduce_lr_on_plateau_lowers_the_rate_down_to_min_lr() {
    let opts = ReduceLROnPlateauOptions {
        monitor: "loss".into(),
        factor: 0.5,
        patience: 1,
        ..Default::default()
    };
    // Diverging from epoch 0: epoch 1 is a plateau -> 1.5 * 0.5.
    let mut m = model(0.5, 1.5);
    fit(&mut m, 2, vec![Box::new(ReduceLROnPlateau::new(opts.clone()))]);
    assert_eq!(m.optimizer().unwrap().learning_rate(), 0.75);
    // Epoch 1 used lr 1.5 (w = 0.5 * 4), epoch 2's loss 4 > 0.25 again -> 0.375, floored at 0.7.
    let mut m = model(0.5, 1.5);
    fit(
        &mut m,
        3,
        vec![Box::new(ReduceLROnPlateau::new(ReduceLROnPlateauOptions {
            min_lr: 0.7,
            ..opts.clone()
        }))],
    );
    assert_eq!(m.optimizer().unwrap().learning_rate(), 0.7);
    // Improving every epoch: unchanged.
    let mut m = model(0.5, 0.1);
    fit(&mut m, 4, vec![Box::new(ReduceLROnPlateau::new(opts.clone()))]);
    assert_eq!(m.optimizer().unwrap().learning_rate(), 0.1);
    // factor >= 1 is an error.
    let mut m = model(0.5, 0.1);
    let (x, y) = data(0.0);
    let bad = ReduceLROnPlateau::new(ReduceLROnPlateauOptions { factor: 1.0, ..opts });
    let r = m.fit(
        &x,
        &y,
        FitOptions {
            epochs: 1,
            verbose: 0,
            callbacks: vec![Box::new(bad)],
            ..Default::default()
        },
    );
    assert!(r.is_err());
}

#[test]
fn learning_rate_scheduler_sets_the_rate_each_epoch() {
    // lr_e = 0.1 / (e + 1): w = 0.5 * (1 - 0.2) * (1 - 0.1) * (1 - 0.2 / 3).
    let mut m = model(0.5, 123.0);
    fit(
        &mut m,
        3,
        vec![Box::new(LearningRateScheduler::new(|epoch, _lr| {
            0.1 / (epoch + 1) as f64
        }))],
    );
    assert!((m.optimizer().unwrap().learning_rate() - 0.1 / 3.0).abs() < 1e-15);
    let want = 0.5 * 0.8 * 0.9 * (1.0 - 0.2 / 3.0);
    assert!((w(&m) as f64 - want).abs() < 1e-6, "{} vs {want}", w(&m));
}

#[test]
fn csv_logger_writes_a_header_and_one_row_per_epoch() {
    let dir = tmp("csv");
    let path = dir.join("log.csv");
    let mut m = model(0.5, 0.1);
    let h = fit(
        &mut m,
        3,
        vec![Box::new(CSVLogger::new(&path, CSVLoggerOptions::default()))],
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert_eq!(lines[0], "epoch,loss");
    // Losses by hand: 0.25, 0.16, 0.1024 (f32 arithmetic in the model).
    for (i, want) in [0.25f64, 0.16, 0.1024].iter().enumerate() {
        let (e, v) = lines[i + 1].split_once(',').unwrap();
        assert_eq!(e, i.to_string());
        assert!((v.parse::<f64>().unwrap() - want).abs() < 1e-6);
        assert_eq!(v.parse::<f64>().unwrap(), h.history["loss"][i]);
    }
    // Appending adds rows, not a second header; another separator.
    let opts = CSVLoggerOptions {
        append: true,
        separator: ';',
    };
    fit(&mut m, 2, vec![Box::new(CSVLogger::new(&path, opts))]);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 6);
    assert_eq!(text.lines().filter(|l| l.starts_with("epoch")).count(), 1);
    assert!(text.lines().last().unwrap().starts_with("1;"));
    // Without append the file is replaced.
    fit(
        &mut m,
        1,
        vec![Box::new(CSVLogger::new(&path, CSVLoggerOptions::default()))],
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap().lines().count(), 2);
}

#[test]
fn terminate_on_nan_stops_training() {
    let mut m = model(0.5, 0.1);
    let cb = Rc::new(RefCell::new(TerminateOnNaN::new()));
    let h = fit_y(&mut m, f32::NAN, 5, vec![Box::new(cb.clone())]);
    assert_eq!(h.history["loss"].len(), 1);
    assert!(h.history["loss"][0].is_nan());
    assert_eq!(cb.borrow().terminated_at(), Some(0));
    // A finite loss never stops training.
    let mut m = model(0.5, 0.1);
    assert_eq!(
        fit(&mut m, 3, vec![Box::new(TerminateOnNaN::new())]).history["loss"].len(),
        3
    );
}

/// Counts the batch hooks `fit` calls.
struct BatchCounter {
    calls: Rc<RefCell<usize>>,
    batch_hooks: bool,
}

impl Callback for BatchCounter {
    fn on_train_batch_end(
        &mut self,
        _: usize,
        _: &mut keraslike::Model,
        logs: &keraslike::callbacks::Logs,
    ) -> keraslike::Result<()> {
        assert!(logs.contains_key("loss"));
        *self.calls.borrow_mut() += 1;
        Ok(())
    }
    fn uses_batch_hooks(&self) -> bool {
        self.batch_hooks
    }
}

#[test]
fn batch_hooks_run_only_for_callbacks_that_use_them() {
    // 3 epochs of one batch: 3 calls with the default `uses_batch_hooks`,
    // none when the callback says it does not use them.
    for (batch_hooks, want) in [(true, 3), (false, 0)] {
        let calls = Rc::new(RefCell::new(0));
        let counter = BatchCounter {
            calls: calls.clone(),
            batch_hooks,
        };
        fit(&mut model(1.0, 0.1), 3, vec![Box::new(counter)]);
        assert_eq!(*calls.borrow(), want);
    }
    // The built-in epoch-level callbacks do not ask for batch logs.
    let stop = EarlyStopping::new(EarlyStoppingOptions::default());
    assert!(!stop.uses_batch_hooks());
    assert!(TerminateOnNaN::new().uses_batch_hooks());
}
