//! Runs the scikit-learn example that `cargo test` has just built, as a
//! user would, and checks its last line (the command-line tool's tests are
//! in `deeprust_mlp.rs`).

use std::path::PathBuf;
use std::process::{Command, Output};

fn run(name: &str, args: &[&str]) -> Output {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(|d| d.parent()).expect("target/<profile>");
    let path: PathBuf = dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    Command::new(&path)
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()))
}

fn last_metric(out: &Output, key: &str) -> f64 {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    last.strip_prefix(&format!("{key}="))
        .unwrap_or_else(|| panic!("last line {last:?} is not {key}=<float>"))
        .parse()
        .expect("a float")
}

#[test]
fn sklearn_iris_reaches_90_percent() {
    let acc = last_metric(&run("sklearn_iris", &[]), "test_accuracy");
    assert!(acc >= 0.9, "test_accuracy={acc}");
}
