//! Hostile sizes and NaN through keraslike's public API: a layer asking for
//! more memory than the machine has is an error (tensorlow's size check,
//! see `tensorlow::limits`), not an abort; a NaN in the data shows in the
//! loss, so `TerminateOnNaN` stops training.

use keraslike::callbacks::TerminateOnNaN;
use keraslike::layers::{Dense, Reshape};
use keraslike::{Error, FitOptions, Sequential};
use tensorlow::{Device, Tensor};

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("keraslike_reliability_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Asserts a keraslike error is tensorlow's ResourceExhausted naming the shape.
#[track_caller]
fn exhausted(e: Error, shape: &str) {
    let m = e.to_string();
    // Errors raised inside a layer come wrapped with the layer's name.
    let inner = match &e {
        Error::Layer { layer, source } => {
            assert!(m.contains(layer.as_str()), "{m}");
            source.as_ref()
        }
        e => e,
    };
    assert!(
        matches!(inner, Error::Tensor(tensorlow::Error::ResourceExhausted { .. })),
        "{e:?}"
    );
    assert!(m.contains(shape) && m.contains("bytes") && !m.contains('\n'), "{m}");
}

#[test]
fn a_dense_layer_too_large_for_the_machine_is_an_error() {
    // Before, building aborted the process ("memory allocation of ... failed").
    let m = Sequential::new(vec![Box::new(Dense::new(1 << 40))]);
    exhausted(m.build(&[4]).unwrap_err(), "[4, 1099511627776]");
    let m = Sequential::new(vec![Box::new(Dense::new(8)), Box::new(Dense::new(1 << 36))]);
    exhausted(m.build(&[4]).unwrap_err(), "[8, 68719476736]");
}

#[test]
fn a_model_file_whose_config_asks_for_terabytes_is_an_error() {
    let dir = scratch("huge_config");
    let path = dir.join("m.safetensors");
    let m = Sequential::new(vec![Box::new(Dense::new(2).input_shape(&[4]))]);
    m.build(&[4]).unwrap();
    m.save(&path).unwrap();
    // Rewrite the config: 2^34 units (a 3 KB file asking for 256 GiB).
    let (tensors, mut meta) = tensorlow::load_tensors_with_metadata(&path).unwrap();
    let cfg = meta["model_config"].replace("\"units\":2", "\"units\":17179869184");
    assert_ne!(cfg, meta["model_config"], "the config names the units");
    meta.insert("model_config".into(), cfg);
    let tensors: Vec<(String, Tensor)> = tensors.into_iter().collect();
    tensorlow::save_tensors_with_metadata(&path, &tensors, meta.clone()).unwrap();
    let Err(e) = keraslike::models::load_model(&path) else {
        panic!("a config asking for 256 GiB loaded")
    };
    let m = e.to_string();
    assert!(m.contains("17179869184") && m.contains("bytes"), "{m}");
    // load_weights into an unbuilt model builds it from the file's input
    // shape: a huge input shape is refused the same way.
    let cfg = meta["model_config"].replace("[null,4]", "[null,1099511627776]");
    assert_ne!(cfg, meta["model_config"], "the config holds the input shape");
    meta.insert("model_config".into(), cfg.replace("17179869184", "2"));
    tensorlow::save_tensors_with_metadata(&path, &tensors, meta).unwrap();
    let mut fresh = Sequential::new(vec![Box::new(Dense::new(2))]);
    let e = fresh.load_weights(&path).unwrap_err();
    assert!(e.to_string().contains("1099511627776"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_nan_in_the_data_makes_the_loss_nan_and_terminate_on_nan_stops() {
    // Before, relu(NaN) was 0: the loss stayed finite while the weights
    // turned NaN, and TerminateOnNaN never fired.
    let mut xv = vec![0.5f32; 32 * 4];
    xv[5 * 4 + 2] = f32::NAN;
    let x = Tensor::from_vec(xv, &[32, 4], &Device::cpu()).unwrap();
    let y = Tensor::new(&[0u32; 32], &[32]).unwrap();
    let mut m = Sequential::new(vec![
        Box::new(Dense::new(8).activation("relu").input_shape(&[4])),
        Box::new(Dense::new(2).activation("softmax")),
    ]);
    m.compile("adam", "sparse_categorical_crossentropy", &[]).unwrap();
    let h = m
        .fit(
            &x,
            &y,
            FitOptions {
                epochs: 5,
                batch_size: 32,
                verbose: 0,
                shuffle: false,
                seed: Some(0),
                callbacks: vec![Box::new(TerminateOnNaN::new())],
                ..FitOptions::default()
            },
        )
        .unwrap();
    let losses = h.get("loss").unwrap();
    assert_eq!(losses.len(), 1, "stopped after the first epoch: {losses:?}");
    assert!(losses[0].is_nan(), "{losses:?}");
}

#[test]
fn a_reshape_whose_sizes_overflow_is_an_error() {
    // Before, the product of the sizes overflow-panicked (debug builds).
    for target in [[1isize << 62, 1 << 62], [-1, 1 << 62]] {
        let m = Sequential::new(vec![Box::new(Reshape::new(&target))]);
        let e = m.build(&[4]).unwrap_err().to_string();
        assert!(e.contains("Reshape") && e.contains("4611686018427387904"), "{e}");
    }
    let m = Sequential::new(vec![Box::new(Reshape::new(&[2, 2]))]);
    let e = m.build(&[1 << 40, 1 << 40]).unwrap_err().to_string();
    assert!(e.contains("1099511627776"), "{e}");
}
