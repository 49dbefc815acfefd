//! scikit-learn's `MLPClassifier` / `MLPRegressor` on any numeric CSV file
//! (header row, feature columns, target last), from the command line.
//!
//! ```sh
//! cargo run --release --example mlp_csv -- data/iris.csv --hidden 100 --solver lbfgs --max-iter 500 --seed 0
//! cargo run --release --example mlp_csv -- data/digits.csv --hidden 50,20 --activation tanh --early-stopping
//! cargo run --release --example mlp_csv -- data.csv --regression --solver sgd --learning-rate adaptive
//! ```
//!
//! Every estimator parameter is a flag named like sklearn's with dashes:
//! `--hidden` (or `--hidden-layer-sizes`) `50,20`, `--activation`, `--solver`,
//! `--alpha`, `--batch-size N|auto`, `--learning-rate`, `--learning-rate-init`,
//! `--power-t`, `--max-iter`, `--shuffle true|false`, `--random-state`, `--tol`,
//! `--verbose`, `--warm-start`, `--momentum`, `--nesterovs-momentum true|false`,
//! `--early-stopping`, `--validation-fraction`, `--beta-1`, `--beta-2`,
//! `--epsilon`, `--n-iter-no-change`, `--max-fun`, `--dtype float32|float64`.
//! Also `--regression` (MLPRegressor), `--test-size 0.2` and `--seed S` (the
//! split's seed and, unless `--random-state` is given, the estimator's).
//!
//! Features are z-scored with the training part's statistics; the split is
//! stratified for classification. The last line is `test_accuracy=<float>`
//! (or `test_r2=<float>`).

use deeprust::keras::datasets::{read_csv, train_test_split, StandardScaler};
use deeprust::sklearn::neural_network::{MlpClassifier, MlpOptions, MlpRegressor};
use std::time::Instant;

const BOOL_PARAMS: [&str; 5] = [
    "shuffle",
    "verbose",
    "warm_start",
    "nesterovs_momentum",
    "early_stopping",
];

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1).peekable();
    let (mut path, mut regression, mut test_size, mut seed) = (None, false, 0.2, 0u64);
    let mut opts = MlpOptions::default();
    let mut random_state_set = false;
    while let Some(a) = args.next() {
        let Some(flag) = a.strip_prefix("--") else {
            anyhow::ensure!(
                path.is_none(),
                "unexpected argument {a:?}: only one CSV path is allowed"
            );
            path = Some(a);
            continue;
        };
        let name = match flag {
            "hidden" => "hidden_layer_sizes".to_string(),
            f => f.replace('-', "_"),
        };
        match name.as_str() {
            "regression" => regression = true,
            "help" => {
                println!(
                    "usage: mlp_csv FILE.csv [--regression] [--test-size F] [--seed S] [--<sklearn-param> VALUE]..."
                );
                return Ok(());
            }
            _ if BOOL_PARAMS.contains(&name.as_str()) => {
                // A bare boolean flag means true.
                let v = match args.peek() {
                    Some(v) if !v.starts_with("--") => args.next().expect("peeked"),
                    _ => "true".to_string(),
                };
                opts.set_param(&name, &v)?;
            }
            _ => {
                let v = args.next().ok_or_else(|| anyhow::anyhow!("--{flag} needs a value"))?;
                match name.as_str() {
                    "test_size" => {
                        test_size = v
                            .parse()
                            .map_err(|_| anyhow::anyhow!("--test-size: {v:?} is not a number"))?
                    }
                    "seed" => {
                        seed = v
                            .parse()
                            .map_err(|_| anyhow::anyhow!("--seed: {v:?} is not an integer"))?
                    }
                    _ => {
                        random_state_set |= name == "random_state";
                        opts.set_param(&name, &v)
                            .map_err(|e| anyhow::anyhow!("--{flag}: {e}"))?;
                    }
                }
            }
        }
    }
    if !random_state_set {
        opts.random_state = Some(seed);
    }
    let path = path.ok_or_else(|| anyhow::anyhow!("usage: mlp_csv FILE.csv [flags]; see --help"))?;
    let table = read_csv(&path)?;
    let f = table.n_features;
    let (labels, classes) = table.class_labels();
    let stratify = (!regression).then_some(labels.as_slice());
    let (train, test) = train_test_split(table.n_rows, test_size, stratify, seed)?;
    let scaler = StandardScaler::fit(&table.rows(&train), f)?;
    let (x_train, x_test) = (
        scaler.transform(&table.rows(&train))?,
        scaler.transform(&table.rows(&test))?,
    );
    println!(
        "{path}: {} rows x {f} features; train {}, test {}; {}",
        table.n_rows,
        train.len(),
        test.len(),
        if regression {
            "regression".to_string()
        } else {
            format!("{} classes", classes.len())
        }
    );
    let t0 = Instant::now();
    if regression {
        let y = table.target_values()?;
        let pick = |idx: &[usize]| idx.iter().map(|&i| y[i]).collect::<Vec<f64>>();
        let mut reg = MlpRegressor::new(opts);
        reg.fit((&x_train, f), &pick(&train))?;
        println!(
            "fit: {:.3} s, n_iter_ = {}, loss_ = {:.6}",
            t0.elapsed().as_secs_f64(),
            reg.n_iter(),
            reg.loss()
        );
        println!("train_r2={:.4}", reg.score((&x_train, f), &pick(&train))?);
        println!("test_r2={:.4}", reg.score((&x_test, f), &pick(&test))?);
    } else {
        // Labels as indices into `classes`, which read_csv sorts numerically
        // when the labels are numbers ("9" before "10"), as sklearn would.
        let pick = |idx: &[usize]| idx.iter().map(|&i| labels[i]).collect::<Vec<u32>>();
        let mut clf = MlpClassifier::<u32>::new(opts);
        clf.fit((&x_train, f), pick(&train))?;
        println!(
            "fit: {:.3} s, n_iter_ = {}, loss_ = {:.6}",
            t0.elapsed().as_secs_f64(),
            clf.n_iter(),
            clf.loss()
        );
        println!("train_accuracy={:.4}", clf.score((&x_train, f), pick(&train))?);
        println!("test_accuracy={:.4}", clf.score((&x_test, f), pick(&test))?);
    }
    Ok(())
}
