//! Crash safety of keraslike's saves: a child process saving in a loop is
//! killed with SIGKILL at random moments; after each kill the file loads and
//! is one complete version, and temporary files do not pile up (see
//! `tensorlow::testing::CrashTest`).

use keraslike::callbacks::{ModelCheckpoint, ModelCheckpointOptions};
use keraslike::initializers::Initializer;
use keraslike::layers::Dense;
use keraslike::{FitOptions, Sequential};
use std::path::Path;
use tensorlow::testing::CrashTest;
use tensorlow::{DType, Device, Tensor};

/// A 512-512 model (1 MiB of weights, so kills often land inside a write).
fn model(v: u64) -> Sequential {
    Sequential::new(vec![Box::new(
        Dense::new(512)
            .kernel_initializer(Initializer::constant(0.001 * (v % 1000) as f64))
            .input_shape(&[512]),
    )])
    .with_name(format!("v{v}"))
}

/// Every weight of `m` as f32 bits.
fn weights(m: &keraslike::Model) -> Vec<u32> {
    m.get_weights()
        .unwrap()
        .iter()
        .flat_map(|t| t.to_vec::<f32>().unwrap())
        .map(f32::to_bits)
        .collect()
}

#[test]
fn save_weights_survives_kill_9() {
    CrashTest::new("save_weights").kills(8).run(
        |path, v| {
            let m = model(0);
            for w in m.weights() {
                w.assign(&Tensor::fill(w.shape(), v as f64, DType::F32, &Device::cpu())?)?;
            }
            m.save_weights(path)
        },
        |path| {
            let mut m = model(0);
            m.load_weights(path)?;
            let w = weights(&m);
            assert!(w.iter().all(|&b| b == w[0]), "a mix of two versions");
            Ok::<_, keraslike::Error>(f32::from_bits(w[0]))
        },
    );
}

/// One epoch of SGD on data made from `v`, the model saved by a
/// `ModelCheckpoint` at `path` (when given): the weights after it depend
/// on `v` only.
fn train(v: u64, path: Option<&Path>) -> keraslike::Result<Sequential> {
    let mut m = model(v);
    m.compile("sgd", "mse", &[])?;
    let x = Tensor::fill(&[8, 512], 0.01 * (v % 89) as f64, DType::F32, &Device::cpu())?;
    let y = Tensor::fill(&[8, 512], 1.0, DType::F32, &Device::cpu())?;
    let callbacks: Vec<Box<dyn keraslike::callbacks::Callback>> = match path {
        Some(p) => vec![Box::new(ModelCheckpoint::new(
            p.to_string_lossy(),
            ModelCheckpointOptions::default(),
        ))],
        None => vec![],
    };
    m.fit(
        &x,
        &y,
        FitOptions {
            epochs: 1,
            batch_size: 8,
            verbose: 0,
            shuffle: false,
            seed: Some(0),
            callbacks,
            ..FitOptions::default()
        },
    )?;
    Ok(m)
}

#[test]
fn model_checkpoint_survives_kill_9() {
    CrashTest::new("ModelCheckpoint").kills(8).run(
        |path, v| train(v, Some(path)).map(|_| ()),
        |path| {
            let m = keraslike::models::load_model(path)?;
            // The model's name says which version it is; retraining that
            // version gives the same weights, bit for bit.
            let v: u64 = m.name().trim_start_matches('v').parse().expect("a versioned name");
            let fresh = train(v, None)?;
            assert_eq!(weights(&m), weights(&fresh), "version {v} is not complete");
            Ok::<_, keraslike::Error>(v)
        },
    );
}
