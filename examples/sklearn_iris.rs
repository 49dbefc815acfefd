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
//! cargo run --release --example sklearn_iris -- [--seed 0] [--max-iter 1000] [--n-iter-no-change 10]
//! ```
//!
//! With the defaults training stops when the loss stalls (sklearn's rule);
//! `--n-iter-no-change 1000` runs all 1000 epochs (12,000 steps, workload W1).

use deeprust::keras::datasets::{read_csv, train_test_split, StandardScaler};
use deeprust::sklearn::neural_network::{Activation, MlpClassifier, MlpOptions, Solver};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let (mut seed, mut max_iter, mut n_iter_no_change) = (0u64, 1000usize, 10usize);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let val = it.next().ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seed" => seed = val.parse()?,
            "--max-iter" => max_iter = val.parse()?,
            "--n-iter-no-change" => n_iter_no_change = val.parse()?,
            other => anyhow::bail!("unknown flag {other}; expected --seed, --max-iter or --n-iter-no-change"),
        }
    }
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
            .random_state(seed),
    );
    let t0 = Instant::now();
    clf.fit((&x_train, f), &y_train)?;
    let secs = t0.elapsed().as_secs_f64();
    let steps = clf.n_iter() * y_train.len().div_ceil(10);
    println!(
        "fit: {} epochs, {steps} steps in {secs:.3} s = {:.1} us/step; loss_ = {:.6}",
        clf.n_iter(),
        secs * 1e6 / steps as f64,
        clf.loss()
    );
    println!("train_accuracy={:.4}", clf.score((&x_train, f), &y_train)?);
    println!("test_accuracy={:.4}", clf.score((&x_test, f), &y_test)?);
    Ok(())
}
