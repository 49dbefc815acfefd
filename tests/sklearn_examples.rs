//! Runs the scikit-learn examples that `cargo test` has just built, as a
//! user would, and checks their last line and their error messages.

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

#[test]
fn mlp_csv_classifies_and_regresses() {
    let out = run(
        "mlp_csv",
        &[
            "data/iris.csv",
            "--hidden",
            "20",
            "--solver",
            "lbfgs",
            "--max-iter",
            "300",
            "--seed",
            "0",
        ],
    );
    assert!(last_metric(&out, "test_accuracy") >= 0.9);
    let out = run(
        "mlp_csv",
        &[
            "data/iris.csv",
            "--regression",
            "--hidden",
            "10,5",
            "--solver",
            "sgd",
            "--learning-rate",
            "adaptive",
            "--max-iter",
            "100",
        ],
    );
    assert!(last_metric(&out, "test_r2") > 0.5);
}

#[test]
fn mlp_csv_reports_bad_input_clearly() {
    let dir = std::env::temp_dir();
    let bad = dir.join(format!("mlp_csv_bad_{}.csv", std::process::id()));
    std::fs::write(&bad, "a,b,y\n1,2,0\n1,x,1\n").unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["no/such.csv"], "cannot read"),
        (&[bad.to_str().unwrap()], "line 3, column 2"),
        (&["data/iris.csv", "--solver", "newton"], "unknown solver"),
        (&["data/iris.csv", "--bogus", "1"], "Invalid parameter 'bogus'"),
    ];
    for (args, want) in cases {
        let out = run("mlp_csv", args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(want), "{args:?}: {err}");
    }
    std::fs::remove_file(&bad).ok();
}
