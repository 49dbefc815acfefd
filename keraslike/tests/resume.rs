//! Nothing of a training run is lost by saving: the compile config comes
//! back with every option, and training resumed from a file (or by
//! `BackupAndRestore` after an interruption) ends with the same weights, bit
//! for bit, as a run that never stopped. The expected values are the
//! uninterrupted run's own weights (the definition of "resumes exactly"),
//! and the options the model was compiled with.

use keraslike::callbacks::{BackupAndRestore, Callback, Logs};
use keraslike::losses::CategoricalCrossentropy;
use keraslike::metrics::{Metric, AUC};
use keraslike::optimizers::schedules::ExponentialDecay;
use keraslike::optimizers::{Adam, SGD};
use keraslike::{Dense, Error, FitOptions, Model, Result, Sequential};
use tensorlow::{random, DType, Device, Tensor};

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("keraslike-resume-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// A small classifier with weights from a private generator (tests run in
/// parallel threads, which share tensorlow's global seed).
fn mlp(seed: u64) -> Sequential {
    let m = Sequential::new(vec![
        Box::new(Dense::new(6).activation("tanh").input_shape(&[4])),
        Box::new(Dense::new(3)),
    ]);
    let mut g = random::Generator::from_seed(seed);
    let w: Vec<Tensor> = m
        .weights()
        .iter()
        .map(|v| g.normal(v.shape(), 0.0, 0.5, DType::F32, &Device::cpu()).unwrap())
        .collect();
    m.set_weights(&w).unwrap();
    m
}

/// 24 samples, 4 features, one-hot targets over 3 classes.
fn data() -> (Tensor, Tensor) {
    let mut g = random::Generator::from_seed(11);
    let x = g.normal(&[24, 4], 0.0, 1.0, DType::F32, &Device::cpu()).unwrap();
    let labels: Vec<usize> = (0..24).map(|i| (i * 7 + i / 3) % 3).collect();
    let mut y = vec![0f32; 24 * 3];
    for (i, l) in labels.iter().enumerate() {
        y[i * 3 + l] = 1.0;
    }
    (x, Tensor::from_slice(&y, &[24, 3], &Device::cpu()).unwrap())
}

fn compile(m: &mut Model) {
    let schedule = ExponentialDecay::new(0.05, 4, 0.9);
    m.compile(
        Adam::new(schedule).beta_1(0.8).clipnorm(1.0),
        CategoricalCrossentropy::new().from_logits(true).label_smoothing(0.1),
        &["accuracy"],
    )
    .unwrap();
}

fn opts(epochs: usize) -> FitOptions<'static> {
    FitOptions::default().epochs(epochs).batch_size(5).verbose(0).seed(9)
}

fn weights(m: &Model) -> Vec<Vec<f32>> {
    m.get_weights()
        .unwrap()
        .iter()
        .map(|t| t.to_vec::<f32>().unwrap())
        .collect()
}

fn uninterrupted(epochs: usize) -> Vec<Vec<f32>> {
    let (x, y) = data();
    let mut m = mlp(1);
    compile(&mut m);
    m.fit(&x, &y, opts(epochs)).unwrap();
    weights(&m)
}

#[test]
fn compile_config_survives_a_round_trip() {
    let mut m = mlp(1);
    compile(&mut m);
    let (x, y) = data();
    m.fit(&x, &y, opts(1)).unwrap();
    let path = tmp("compiled.safetensors");
    m.save(&path).unwrap();
    let back = keraslike::models::load_model(&path).unwrap();
    assert_eq!(back.get_compile_config(), m.get_compile_config());
    let c = back.get_compile_config().unwrap();
    let o = &c["optimizer"]["config"];
    assert_eq!(c["optimizer"]["class_name"], "Adam");
    assert_eq!(o["beta_1"], 0.8);
    assert_eq!(o["clipnorm"], 1.0);
    assert_eq!(o["learning_rate"]["class_name"], "ExponentialDecay");
    assert_eq!(o["learning_rate"]["config"]["decay_steps"], 4);
    let l = &c["loss"][0]["config"];
    assert_eq!(
        (l["from_logits"].as_bool(), l["label_smoothing"].as_f64()),
        (Some(true), Some(0.1))
    );
    // The restored optimizer continues the schedule: 5 steps were taken
    // (24 samples in batches of 5), so lr = 0.05 * 0.9^(5/4).
    let lr = back.optimizer().unwrap().learning_rate();
    assert!((lr - 0.05 * 0.9f64.powf(5.0 / 4.0)).abs() < 1e-12, "{lr}");
    assert_eq!(back.optimizer().unwrap().iterations(), 5);
    // The same loss and metrics on the same data.
    let a = m.evaluate(&x, &y, Default::default()).unwrap();
    let b = back.evaluate(&x, &y, Default::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn metric_objects_keep_their_options() {
    let mut m = mlp(1);
    let auc: Box<dyn Metric> = Box::new(AUC::new().num_thresholds(50));
    m.compile(SGD::new(0.1), "categorical_crossentropy", vec![auc]).unwrap();
    let path = tmp("auc.safetensors");
    m.save(&path).unwrap();
    let back = keraslike::models::load_model(&path).unwrap();
    let c = back.get_compile_config().unwrap();
    assert_eq!(c["metrics"][0][0]["class_name"], "AUC");
    assert_eq!(c["metrics"][0][0]["config"]["num_thresholds"], 50);
}

#[test]
fn training_resumed_from_a_file_matches_an_uninterrupted_run() {
    let reference = uninterrupted(6);
    let (x, y) = data();
    let mut m = mlp(1);
    compile(&mut m);
    m.fit(&x, &y, opts(3)).unwrap();
    let path = tmp("half.safetensors");
    m.save(&path).unwrap();
    drop(m);
    let mut back = keraslike::models::load_model(&path).unwrap();
    back.fit(&x, &y, opts(6).initial_epoch(3)).unwrap();
    assert_eq!(weights(&back), reference);
    // Without the optimizer state (a fresh compile) the run differs: the
    // comparison above can fail.
    let mut fresh = keraslike::models::load_model(&path).unwrap();
    compile(&mut fresh);
    fresh.fit(&x, &y, opts(6).initial_epoch(3)).unwrap();
    assert_ne!(weights(&fresh), reference);
}

/// Fails `fit` at the end of epoch `at` (after the backup of that epoch).
struct Crash {
    at: usize,
}
impl Callback for Crash {
    fn on_epoch_end(&mut self, epoch: usize, _m: &mut Model, _l: &Logs) -> Result<()> {
        if epoch == self.at {
            return Err(Error::arg("simulated interruption"));
        }
        Ok(())
    }
}

#[test]
fn backup_and_restore_resumes_after_an_interruption() {
    let reference = uninterrupted(6);
    let (x, y) = data();
    let dir = tmp("backup");
    let _ = std::fs::remove_dir_all(&dir);
    let mut m = mlp(1);
    compile(&mut m);
    let mut backup = BackupAndRestore::new(&dir);
    let err = m
        .fit(&x, &y, opts(6).callback(&mut backup).callback(Crash { at: 2 }))
        .unwrap_err();
    assert!(err.to_string().contains("simulated"), "{err}");
    assert!(backup.backup_path().exists());
    drop(m);
    // A new process would start from other weights: the backup replaces them.
    let mut m = mlp(99);
    compile(&mut m);
    let mut backup = BackupAndRestore::new(&dir);
    let history = m.fit(&x, &y, opts(6).callback(&mut backup)).unwrap();
    assert_eq!(history.epoch, vec![3, 4, 5]);
    assert_eq!(weights(&m), reference);
    assert!(
        !backup.backup_path().exists(),
        "the backup is deleted after a finished fit"
    );
}

#[test]
fn a_corrupt_backup_is_an_error_naming_the_file() {
    let dir = tmp("corrupt-backup");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("latest.safetensors"), b"not a file").unwrap();
    let (x, y) = data();
    let mut m = mlp(1);
    compile(&mut m);
    let err = m
        .fit(&x, &y, opts(2).callback(BackupAndRestore::new(&dir)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("latest.safetensors") && err.contains("delete it"), "{err}");
}
