//! Runs the examples that `cargo test` has just built, as a user would, and
//! checks their last line.

use std::path::PathBuf;
use std::process::Command;

/// `target/<profile>/examples/<name>`, next to this test's own binary.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target/<profile>");
    dir.join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs an example and returns the float after `key=` on its last line.
fn last_metric(name: &str, args: &[&str], key: &str) -> f64 {
    let out = Command::new(example(name))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run example {name}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    last.strip_prefix(&format!("{key}="))
        .unwrap_or_else(|| panic!("{name}: last line {last:?} is not {key}=<float>"))
        .parse()
        .expect("a float")
}

#[test]
fn tf_lowlevel_reaches_90_percent_on_iris() {
    let acc = last_metric("tf_lowlevel", &["--steps", "300", "--device", "cpu"], "test_accuracy");
    assert!(acc >= 0.9, "test_accuracy={acc}");
}

#[test]
fn keras_iris_reaches_90_percent() {
    let acc = last_metric("keras_iris", &["--epochs", "100", "--device", "cpu"], "test_accuracy");
    assert!(acc >= 0.9, "test_accuracy={acc}");
}

#[test]
fn keras_mnist_learns_a_subset() {
    // The full run (8,000 training images, 30 epochs) takes ~15 s of training
    // in the dev profile and reaches ~0.957; here a stratified 3,000-image
    // subset and 5 epochs (~2 s) must clearly beat chance (0.1).
    let acc = last_metric(
        "keras_mnist",
        &["--epochs", "5", "--limit", "3000", "--device", "cpu"],
        "test_accuracy",
    );
    assert!(acc >= 0.85, "test_accuracy={acc}");
}

#[test]
fn keras_regression_beats_the_mean_baseline() {
    // Predicting the training mean gives test_mse=0.54 cm² on this split;
    // petal width is nearly linear in petal length, so a fitted MLP is far below.
    let mse = last_metric("keras_regression", &["--epochs", "50", "--device", "cpu"], "test_mse");
    assert!(mse < 0.1, "test_mse={mse}");
}

#[test]
fn custom_training_loop_reaches_90_percent_on_iris() {
    let acc = last_metric(
        "custom_training_loop",
        &["--epochs", "50", "--device", "cpu"],
        "test_accuracy",
    );
    assert!(acc >= 0.9, "test_accuracy={acc}");
}
