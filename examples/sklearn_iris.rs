//! The course slide's scikit-learn example on deeprust:
//!
//! ```python
//! clf = MLPClassifier(hidden_layer_sizes=(5,), activation='logistic', solver='adam',
//!                     learning_rate_init=0.01, batch_size=10, max_iter=1000)
//! clf.fit(X_train, y_train); clf.score(X_test, y_test)
//! ```
//!
//! on `data/iris.csv`, standardized, with a stratified 80/20 split. Prints
//! the fit time (training only) and µs per optimizer step; the last line is
//! `test_accuracy=<float>`.
//!
//! ```sh
//! cargo run --release --example sklearn_iris -- --help   # --seed, --max-iter, --n-iter-no-change, --quiet, --verbose
//! ```
//!
//! With the defaults training stops when the loss stalls (sklearn's rule);
//! `--n-iter-no-change 1000` runs all 1000 epochs (12,000 steps, workload W1).

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::datasets::{read_csv, train_test_split, StandardScaler};
use deeprust::sklearn::neural_network::{Activation, MlpClassifier, MlpOptions, Solver};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// scikit-learn's MLPClassifier((5,), activation='logistic', solver='adam')
/// on iris; the last line is test_accuracy=<float>.
#[derive(Parser, Debug)]
#[command(name = "sklearn_iris")]
struct Args {
    /// Seed of the split and of the estimator (random_state)
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Most epochs (max_iter)
    #[arg(long, default_value_t = 1000)]
    max_iter: usize,
    /// Stop after this many epochs without improvement (n_iter_no_change)
    #[arg(long, default_value_t = 10)]
    n_iter_no_change: usize,
    /// Write loss_curve_ to FILE, .svg or .png [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

fn main() -> ExitCode {
    cli::exit(run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<()> {
    let (seed, max_iter, n_iter_no_change) = (args.seed, args.max_iter, args.n_iter_no_change);
    let level = args.verbosity.level();
    let table = read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?;
    let (labels, _) = table.class_labels();
    let (train, test) = train_test_split(table.n_rows, 0.2, Some(&labels), seed)?;
    let f = table.n_features;
    let scaler = StandardScaler::fit(&table.rows(&train), f)?;
    let (x_train, x_test) = (
        scaler.transform(&table.rows(&train))?,
        scaler.transform(&table.rows(&test))?,
    );
    let y_train: Vec<String> = train.iter().map(|&i| table.target[i].clone()).collect();
    let y_test: Vec<String> = test.iter().map(|&i| table.target[i].clone()).collect();

    let mut clf = MlpClassifier::<String>::new(
        MlpOptions::default()
            .hidden_layer_sizes(&[5])
            .activation(Activation::Logistic)
            .solver(Solver::Adam)
            .learning_rate_init(0.01)
            .batch_size(10)
            .max_iter(max_iter)
            .n_iter_no_change(n_iter_no_change)
            .random_state(seed)
            .verbose(level > 1),
    );
    let t0 = Instant::now();
    clf.fit((&x_train, f), &y_train)?;
    let secs = t0.elapsed().as_secs_f64();
    if let Some(path) = &args.plot {
        clf.state().plot(path, false)?;
    }
    let steps = clf.n_iter() * y_train.len().div_ceil(10);
    if level > 0 {
        println!(
            "fit: {} epochs, {steps} steps in {secs:.3} s = {:.1} us/step; loss_ = {:.6}",
            clf.n_iter(),
            secs * 1e6 / steps as f64,
            clf.loss()
        );
    }
    println!("train_accuracy={:.4}", clf.score((&x_train, f), &y_train)?);
    println!("test_accuracy={:.4}", clf.score((&x_test, f), &y_test)?);
    Ok(())
}
