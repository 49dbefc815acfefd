//! The `deeprust-mlp` command-line tool, run as a user runs it: training
//! with a held-out part and with cross-validation, a named text target,
//! text features, save then predict, and its error messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deeprust-mlp"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cannot run deeprust-mlp")
}

fn stdout(out: &Output) -> String {
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{s}\n{}", String::from_utf8_lossy(&out.stderr));
    s
}

fn last_metric(out: &Output, key: &str) -> f64 {
    let s = stdout(out);
    let last = s.lines().last().unwrap_or_default();
    last.strip_prefix(&format!("{key}="))
        .unwrap_or_else(|| panic!("last line {last:?} is not {key}=<float>"))
        .parse()
        .expect("a float")
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("deeprust_mlp_{}_{name}", std::process::id()))
}

/// iris with the label spelled out, a text column that carries the class
/// (so one-hot encoding matters) and the target in the middle.
fn iris_with_text(path: &Path) {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/iris.csv")).unwrap();
    let names = ["setosa", "versicolor", "virginica"];
    let mut out = String::from("sepal_length,species,petal_width,colour\n");
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        let k: usize = c[4].parse().unwrap();
        out.push_str(&format!(
            "{},{},{},{}\n",
            c[0],
            names[k],
            c[3],
            ["red", "green", "blue"][k]
        ));
    }
    std::fs::write(path, out).unwrap();
}

#[test]
fn train_holds_out_a_test_part_or_cross_validates() {
    let plot = temp("cv_plot.svg");
    let out = run(&[
        "train",
        "data/iris.csv",
        "--hidden-layer-sizes",
        "20",
        "--solver",
        "lbfgs",
        "--max-iter",
        "300",
    ]);
    assert!(last_metric(&out, "test_accuracy") >= 0.9);

    let out = run(&[
        "train",
        "data/iris.csv",
        "--hidden-layer-sizes",
        "10",
        "--solver",
        "lbfgs",
        "--max-iter",
        "200",
        "--cv",
        "3",
    ]);
    let s = stdout(&out);
    for fold in 1..=3 {
        assert!(s.contains(&format!("fold {fold}: accuracy = ")), "{s}");
    }
    assert!(s.contains(" ± ") && s.contains("over 3 folds"), "{s}");
    assert!(last_metric(&out, "cv_accuracy") >= 0.9, "{s}");

    let out = run(&[
        "train",
        "data/iris.csv",
        "--regression",
        "--hidden-layer-sizes",
        "10,5",
        "--solver",
        "sgd",
        "--learning-rate",
        "adaptive",
        "--max-iter",
        "100",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert!(last_metric(&out, "test_r2") > 0.5);
    // --plot: the loss curve (sgd records loss_curve_; lbfgs records none,
    // and --plot is then an error saying so, as scikit-learn has no curve).
    let svg = std::fs::read_to_string(&plot).expect("the --plot file");
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..svg.len().min(200)]
    );
    assert!(svg.contains("loss"), "the loss panel");
    std::fs::remove_file(&plot).ok();
}

#[test]
fn a_named_text_target_and_text_features_train_save_and_predict() {
    let (data, model, pred) = (temp("iris.csv"), temp("iris.model"), temp("pred.csv"));
    iris_with_text(&data);
    let d = data.to_str().unwrap();
    let out = run(&[
        "train",
        d,
        "--target",
        "species",
        "--hidden-layer-sizes",
        "8",
        "--solver",
        "lbfgs",
        "--test-size",
        "0",
        "--save",
        model.to_str().unwrap(),
    ]);
    let s = stdout(&out);
    assert!(
        s.contains("3 feature columns (1 categorical, 5 inputs after encoding)"),
        "{s}"
    );
    assert!(last_metric(&out, "train_accuracy") > 0.95, "{s}");

    // The target column may be absent from the file to predict; columns are found by name.
    let mut new = String::from("colour,petal_width,sepal_length\n");
    new.push_str("red,0.2,5.1\nblue,2.3,6.9\npurple,1.3,5.8\n");
    let new_path = temp("new.csv");
    std::fs::write(&new_path, new).unwrap();
    let out = run(&[
        "predict",
        model.to_str().unwrap(),
        new_path.to_str().unwrap(),
        "--proba",
        "--output",
        pred.to_str().unwrap(),
    ]);
    stdout(&out);
    let written = std::fs::read_to_string(&pred).unwrap();
    let rows: Vec<&str> = written.lines().collect();
    assert_eq!(rows[0], "species,proba_setosa,proba_versicolor,proba_virginica");
    assert_eq!(rows.len(), 4, "{written}");
    assert!(
        rows[1].starts_with("setosa,") && rows[2].starts_with("virginica,"),
        "{written}"
    );
    for r in &rows[1..] {
        let p: f64 = r.split(',').skip(1).map(|v| v.parse::<f64>().unwrap()).sum();
        assert!((p - 1.0).abs() < 1e-9, "{r}");
    }
    // A column the model needs is missing: named, with the trained columns.
    std::fs::write(&new_path, "colour,sepal_length\nred,5.1\n").unwrap();
    let out = run(&["predict", model.to_str().unwrap(), new_path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("no column \"petal_width\""),
        "{err}"
    );
    for p in [data, model, pred, new_path] {
        std::fs::remove_file(p).ok();
    }
}

#[test]
fn help_lists_every_estimator_parameter_with_its_default() {
    let help = stdout(&run(&["train", "--help"]));
    for (flag, default) in [
        ("--hidden-layer-sizes", "100"),
        ("--activation", "relu"),
        ("--solver", "adam"),
        ("--alpha", "0.0001"),
        ("--batch-size", "auto"),
        ("--learning-rate", "constant"),
        ("--learning-rate-init", "0.001"),
        ("--power-t", "0.5"),
        ("--max-iter", "200"),
        ("--shuffle", "true"),
        ("--random-state", "the --seed value"),
        ("--tol", "0.0001"),
        ("--verbose", "false"),
        ("--momentum", "0.9"),
        ("--nesterovs-momentum", "true"),
        ("--early-stopping", "false"),
        ("--validation-fraction", "0.1"),
        ("--beta-1", "0.9"),
        ("--beta-2", "0.999"),
        ("--epsilon", "1e-8"),
        ("--n-iter-no-change", "10"),
        ("--max-fun", "15000"),
        ("--dtype", "none"),
        ("--test-size", "0.2"),
        ("--seed", "0"),
        ("--target", "the last column"),
        ("--scoring", "accuracy for classifiers"),
    ] {
        let line = help
            .lines()
            .skip_while(|l| !l.trim_start().starts_with(&format!("{flag} ")))
            .take(3)
            .collect::<String>();
        assert!(
            line.contains(&format!("default: {default}")),
            "{flag}: {line:?}\n{help}"
        );
    }
}

#[test]
fn bad_input_is_reported_clearly() {
    let bad = temp("bad.csv");
    std::fs::write(&bad, "a,b,y\n1,2,0\n1,x,1\n").unwrap();
    let b = bad.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["train", "no/such.csv"], "no/such.csv"),
        (&["train", b, "--no-categorical"], "line 3, column 2"),
        (&["train", "data/iris.csv", "--solver", "newton"], "--solver"),
        (
            &["train", "data/iris.csv", "--target", "species"],
            "there is no column \"species\"",
        ),
        (
            &["train", "data/iris.csv", "--bogus", "1"],
            "unexpected argument '--bogus'",
        ),
        (&["predict", b, b], "bad.csv"),
    ];
    for (args, want) in cases {
        let out = run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    std::fs::remove_file(&bad).ok();
}
