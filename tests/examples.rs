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
