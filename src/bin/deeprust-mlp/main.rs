//! `deeprust-mlp`: scikit-learn's `MLPClassifier` / `MLPRegressor` on any
//! CSV file, from the command line.
//!
//! ```sh
//! cargo install --path .        # or: cargo run --release --bin deeprust-mlp -- ...
//! deeprust-mlp train data/iris.csv --hidden-layer-sizes 20 --solver lbfgs --cv 5
//! deeprust-mlp train data/iris.csv --target species --save iris.model
//! deeprust-mlp predict iris.model new_flowers.csv --proba --output predictions.csv
//! deeprust-mlp train --help     # every estimator parameter, with its default
//! ```
//!
//! `train` reads a CSV file with a header row (separator detected, gzip
//! read), takes the target column by name (`--target`, default the last),
//! one-hot encodes text columns (or rejects them with `--no-categorical`),
//! z-scores the features, and either cross-validates (`--cv K`: each fold's
//! score, then mean ± std) or holds out `--test-size` of the rows and
//! reports the test score. `--plot FILE` draws the loss curve (SVG or
//! PNG). `--save PATH` writes the model and its
//! preprocessing to ONE file, atomically; `predict` reads it and a CSV file
//! (columns found by name; the target may be absent) and writes the
//! predictions as CSV. The last line of `train` is `test_<scoring>=<float>`
//! or `cv_<scoring>=<float>`.

mod table;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use deeprust::sklearn::base::{IntoTargets, Label, Predictor, TargetData};
use deeprust::sklearn::metrics::Scoring;
use deeprust::sklearn::model_selection::{cross_val_score, train_test_split_indices};
use deeprust::sklearn::neural_network::{MlpClassifier, MlpOptions, MlpRegressor};
use deeprust::sklearn::pipeline::make_pipeline;
use deeprust::sklearn::preprocessing::StandardScaler;
use deeprust::sklearn::{Classifier, Features, Param};
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use table::{Csv, Schema};

/// scikit-learn's MLPClassifier and MLPRegressor on CSV files.
#[derive(Parser, Debug)]
#[command(name = "deeprust-mlp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train on a CSV file: cross-validate or hold out a test part, optionally save
    Train(Box<Train>),
    /// Predict a CSV file with a saved model; writes CSV
    Predict(Predict),
}

#[derive(Args, Debug)]
struct Train {
    /// The CSV file (header row; `.gz` is read too)
    data: PathBuf,
    /// The target column's name [default: the last column]
    #[arg(long)]
    target: Option<String>,
    /// Train an MLPRegressor (numeric target) instead of an MLPClassifier
    #[arg(long)]
    regression: bool,
    /// MLPRegressor's loss: squared_error or poisson (needs y >= 0)
    #[arg(long, default_value = "squared_error")]
    loss: String,
    /// Share of the rows held out for the test score; 0 trains on every row
    #[arg(long, default_value_t = 0.2)]
    test_size: f64,
    /// Seed of the split and folds, and the estimator's random_state unless --random-state is given
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Cross-validate with K folds (stratified for classifiers) instead of one split
    #[arg(long, value_name = "K")]
    cv: Option<usize>,
    /// How to score: accuracy, f1_macro, neg_log_loss, r2, neg_mean_squared_error, ... [default: accuracy for classifiers, r2 for regressors]
    #[arg(long)]
    scoring: Option<String>,
    /// Save the trained model (with its preprocessing) to this file
    #[arg(long, value_name = "PATH")]
    save: Option<PathBuf>,
    /// Plot the training curve (loss_curve_, and validation_scores_ with --early-stopping) to FILE, .svg or .png; with --cv, of the model fitted on every row
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    /// Do not z-score the features
    #[arg(long)]
    no_scale: bool,
    /// Reject text columns instead of one-hot encoding them
    #[arg(long)]
    no_categorical: bool,
    /// The CSV separator [default: detected from the header: ',', ';' or tab]
    #[arg(long)]
    delimiter: Option<char>,
    /// Print only the final score line
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    mlp: MlpArgs,
}

/// Every estimator parameter, named as in scikit-learn (dashes for underscores).
#[derive(Args, Debug)]
struct MlpArgs {
    /// Units of each hidden layer, comma-separated ("" for none)
    #[arg(long, default_value = "100", help_heading = "Estimator parameters")]
    hidden_layer_sizes: String,
    /// Hidden activation: identity, logistic, tanh, relu
    #[arg(long, default_value = "relu", help_heading = "Estimator parameters")]
    activation: String,
    /// Weight optimizer: lbfgs, sgd, adam
    #[arg(long, default_value = "adam", help_heading = "Estimator parameters")]
    solver: String,
    /// L2 penalty strength
    #[arg(long, default_value = "0.0001", help_heading = "Estimator parameters")]
    alpha: String,
    /// Minibatch size, or auto (min(200, n_samples))
    #[arg(long, default_value = "auto", help_heading = "Estimator parameters")]
    batch_size: String,
    /// Step-size schedule of sgd: constant, invscaling, adaptive
    #[arg(long, default_value = "constant", help_heading = "Estimator parameters")]
    learning_rate: String,
    /// Initial step size (sgd, adam)
    #[arg(long, default_value = "0.001", help_heading = "Estimator parameters")]
    learning_rate_init: String,
    /// Exponent of the invscaling schedule
    #[arg(long, default_value = "0.5", help_heading = "Estimator parameters")]
    power_t: String,
    /// Epochs (sgd, adam) or iterations (lbfgs)
    #[arg(long, default_value = "200", help_heading = "Estimator parameters")]
    max_iter: String,
    /// Shuffle the samples each epoch
    #[arg(long, default_value = "true", help_heading = "Estimator parameters")]
    shuffle: String,
    /// Seed of the weights, shuffling and early-stopping split, or none [default: the --seed value]
    #[arg(long, help_heading = "Estimator parameters")]
    random_state: Option<String>,
    /// Improvement threshold of the convergence rule (lbfgs: gtol)
    #[arg(long, default_value = "0.0001", help_heading = "Estimator parameters")]
    tol: String,
    /// Print the loss of each epoch
    #[arg(long, default_value = "false", num_args = 0..=1, default_missing_value = "true", help_heading = "Estimator parameters")]
    verbose: String,
    /// SGD momentum
    #[arg(long, default_value = "0.9", help_heading = "Estimator parameters")]
    momentum: String,
    /// Nesterov momentum for sgd
    #[arg(long, default_value = "true", help_heading = "Estimator parameters")]
    nesterovs_momentum: String,
    /// Hold out validation_fraction and stop on its score
    #[arg(long, default_value = "false", num_args = 0..=1, default_missing_value = "true", help_heading = "Estimator parameters")]
    early_stopping: String,
    /// Held-out share for early stopping
    #[arg(long, default_value = "0.1", help_heading = "Estimator parameters")]
    validation_fraction: String,
    /// Adam's first-moment decay
    #[arg(long, default_value = "0.9", help_heading = "Estimator parameters")]
    beta_1: String,
    /// Adam's second-moment decay
    #[arg(long, default_value = "0.999", help_heading = "Estimator parameters")]
    beta_2: String,
    /// Adam's epsilon
    #[arg(long, default_value = "1e-8", help_heading = "Estimator parameters")]
    epsilon: String,
    /// Epochs without improvement before stopping
    #[arg(long, default_value = "10", help_heading = "Estimator parameters")]
    n_iter_no_change: String,
    /// lbfgs's maximum number of loss evaluations
    #[arg(long, default_value = "15000", help_heading = "Estimator parameters")]
    max_fun: String,
    /// The network's float type: float32 or float64, or none (float32 for sgd/adam, float64 for lbfgs)
    #[arg(long, default_value = "none", help_heading = "Estimator parameters")]
    dtype: String,
}

impl MlpArgs {
    /// The options, each flag set through scikit-learn's parameter name (so
    /// a bad value gets the estimator's own message).
    fn options(&self, seed: u64) -> Result<MlpOptions> {
        let mut o = MlpOptions::default();
        let random_state = self.random_state.clone().unwrap_or_else(|| seed.to_string());
        let pairs: [(&str, &str); 24] = [
            ("hidden_layer_sizes", &self.hidden_layer_sizes),
            ("activation", &self.activation),
            ("solver", &self.solver),
            ("alpha", &self.alpha),
            ("batch_size", &self.batch_size),
            ("learning_rate", &self.learning_rate),
            ("learning_rate_init", &self.learning_rate_init),
            ("power_t", &self.power_t),
            ("max_iter", &self.max_iter),
            ("shuffle", &self.shuffle),
            ("random_state", &random_state),
            ("tol", &self.tol),
            ("verbose", &self.verbose),
            ("momentum", &self.momentum),
            ("nesterovs_momentum", &self.nesterovs_momentum),
            ("early_stopping", &self.early_stopping),
            ("validation_fraction", &self.validation_fraction),
            ("beta_1", &self.beta_1),
            ("beta_2", &self.beta_2),
            ("epsilon", &self.epsilon),
            ("n_iter_no_change", &self.n_iter_no_change),
            ("max_fun", &self.max_fun),
            ("dtype", &self.dtype),
            ("warm_start", "false"),
        ];
        for (name, value) in pairs {
            o.set(name, Param::Str(value.to_string()), "MLP")
                .map_err(|e| anyhow!("--{}: {e}", name.replace('_', "-")))?;
        }
        o.validate()?;
        Ok(o)
    }
}

#[derive(Args, Debug)]
struct Predict {
    /// A model saved by `train --save`
    model: PathBuf,
    /// The CSV file to predict (the model's feature columns, found by name)
    data: PathBuf,
    /// Write the predictions here (atomically) [default: standard output]
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Also write each class's probability (classifiers)
    #[arg(long)]
    proba: bool,
    /// The CSV separator [default: detected from the header]
    #[arg(long)]
    delimiter: Option<char>,
}

/// What `--save` stores beside the network, in the same file.
#[derive(Serialize, Deserialize)]
struct Saved {
    tool: String,
    /// "int" or "text" labels, or "regression".
    labels: String,
    schema: Schema,
    scaler: Option<StandardScaler>,
}

const TOOL: &str = "deeprust-mlp 1";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(t) => train(*t),
        Command::Predict(p) => predict(p),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn train(a: Train) -> Result<()> {
    let options = a.mlp.options(a.seed)?;
    let csv = Csv::read(&a.data, a.delimiter)?;
    let data = table::training(&csv, a.target.as_deref(), !a.no_categorical)?;
    if !a.quiet {
        let n_cat = data
            .schema
            .features
            .iter()
            .filter(|f| f.1 == table::Kind::Categorical)
            .count();
        println!(
            "{}: {} rows, {} feature columns ({n_cat} categorical, {} inputs after encoding), target {:?}",
            a.data.display(),
            data.x.nrows(),
            data.schema.features.len(),
            data.x.ncols(),
            data.schema.target
        );
    }
    if a.regression {
        let y = data
            .target
            .iter()
            .zip(&data.lines)
            .map(|(t, line)| {
                t.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| {
                    anyhow!("line {line}: target {t:?} is not a finite number (--regression needs numbers)")
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        let reg = MlpRegressor::new(options).with_loss(a.loss.parse()?);
        let y = Array2::from_shape_vec((y.len(), 1), y)?;
        return run(&a, data, reg, y, "regression");
    }
    if a.loss != "squared_error" {
        bail!("--loss is MLPRegressor's parameter; add --regression");
    }
    // Integer labels keep their numeric order (9 before 10), as in scikit-learn.
    match data
        .target
        .iter()
        .map(|t| t.parse::<i64>())
        .collect::<std::result::Result<Vec<i64>, _>>()
    {
        Ok(y) => run(&a, data, MlpClassifier::<i64>::new(options), Array1::from(y), "int"),
        Err(_) => {
            let y = Array1::from(data.target.clone());
            run(&a, data, MlpClassifier::<String>::new(options), y, "text")
        }
    }
}

/// What `run` needs of an estimator beyond `Predictor`: saving with the
/// preprocessing, and the default scoring's name.
trait Model: Predictor {
    fn save_with(&self, path: &Path, user: serde_json::Value) -> deeprust::sklearn::Result<()>;
    fn plot(&self, path: &Path) -> deeprust::sklearn::Result<()>;
    fn default_scoring(&self) -> &'static str;
}

impl<L: Label> Model for MlpClassifier<L> {
    fn save_with(&self, path: &Path, user: serde_json::Value) -> deeprust::sklearn::Result<()> {
        MlpClassifier::save_with(self, path, user)
    }
    fn plot(&self, path: &Path) -> deeprust::sklearn::Result<()> {
        self.state().plot(path, false)
    }
    fn default_scoring(&self) -> &'static str {
        "accuracy"
    }
}

impl Model for MlpRegressor {
    fn save_with(&self, path: &Path, user: serde_json::Value) -> deeprust::sklearn::Result<()> {
        MlpRegressor::save_with(self, path, user)
    }
    fn plot(&self, path: &Path) -> deeprust::sklearn::Result<()> {
        self.state().plot(path, false)
    }
    fn default_scoring(&self) -> &'static str {
        "r2"
    }
}

fn run<M: Model>(a: &Train, data: table::Training, model: M, y: M::Y, labels: &str) -> Result<()>
where
    for<'b> &'b M::Y: IntoTargets<M::Y>,
{
    let scoring_name = a.scoring.clone().unwrap_or_else(|| model.default_scoring().to_string());
    let scoring: Scoring = scoring_name.parse()?;
    let x = data.x;
    if let Some(k) = a.cv {
        // The scaler is refitted inside each fold.
        let scores = if a.no_scale {
            cross_val_score(&model, &x, &y, k, Some(&scoring_name))?
        } else {
            let pipe = make_pipeline(vec![Box::new(StandardScaler::new())], model.clone_unfitted());
            cross_val_score(&pipe, &x, &y, k, Some(&scoring_name))?
        };
        if !a.quiet {
            for (i, s) in scores.iter().enumerate() {
                println!("fold {}: {scoring_name} = {s:.4}", i + 1);
            }
            println!(
                "{scoring_name}: {:.4} ± {:.4} over {k} folds",
                scores.mean().unwrap_or(f64::NAN),
                scores.std(0.0)
            );
        }
        if a.save.is_some() || a.plot.is_some() {
            fit_and_save(a, model, &x, &y, data.schema, labels)?;
        }
        println!("cv_{scoring_name}={:.4}", scores.mean().unwrap_or(f64::NAN));
        return Ok(());
    }
    let n = x.nrows();
    let (train, test) = if a.test_size > 0.0 {
        let codes: Option<Vec<u32>> = TargetData::class_codes(&y).map(|c| c.into_iter().map(|v| v as u32).collect());
        train_test_split_indices(n, a.test_size, codes.as_deref(), a.seed)?
    } else {
        ((0..n).collect(), Vec::new())
    };
    let (x_train, y_train) = (TargetData::select(&x, &train), TargetData::select(&y, &train));
    let t0 = std::time::Instant::now();
    let (model, scaler) = fit(a, model, &x_train, &y_train)?;
    let scale = |m: &Array2<f64>| -> Result<Array2<f64>> {
        Ok(match &scaler {
            Some(s) => s.transform(m)?,
            None => m.clone(),
        })
    };
    let train_score = model.score_with(Features::from(&scale(&x_train)?), &y_train, &scoring)?;
    if !a.quiet {
        println!(
            "fit on {} rows: {:.3} s; train {scoring_name} = {train_score:.4}",
            train.len(),
            t0.elapsed().as_secs_f64()
        );
    }
    if let Some(path) = &a.plot {
        model.plot(path)?;
    }
    if let Some(path) = &a.save {
        save(&model, scaler.clone(), data.schema.clone(), labels, path)?;
        if !a.quiet {
            println!(
                "saved the model (trained on {} rows) to {}",
                train.len(),
                path.display()
            );
        }
    }
    if test.is_empty() {
        println!("train_{scoring_name}={train_score:.4}");
    } else {
        let (x_test, y_test) = (TargetData::select(&x, &test), TargetData::select(&y, &test));
        let s = model.score_with(Features::from(&scale(&x_test)?), &y_test, &scoring)?;
        println!("test_{scoring_name}={s:.4}");
    }
    Ok(())
}

/// Fits the scaler (unless --no-scale) and the estimator on `x`, `y`.
fn fit<M: Model>(a: &Train, mut model: M, x: &Array2<f64>, y: &M::Y) -> Result<(M, Option<StandardScaler>)> {
    if a.no_scale {
        model.fit(Features::from(x), y)?;
        return Ok((model, None));
    }
    let mut s = StandardScaler::new();
    let xs = s.fit_transform(x)?;
    model.fit(Features::from(&xs), y)?;
    Ok((model, Some(s)))
}

fn fit_and_save<M: Model>(a: &Train, model: M, x: &Array2<f64>, y: &M::Y, schema: Schema, labels: &str) -> Result<()> {
    let (model, scaler) = fit(a, model, x, y)?;
    if let Some(path) = &a.plot {
        model.plot(path)?;
    }
    if let Some(path) = &a.save {
        save(&model, scaler, schema, labels, path)?;
        if !a.quiet {
            println!(
                "saved the model (trained on all {} rows) to {}",
                x.nrows(),
                path.display()
            );
        }
    }
    Ok(())
}

fn save<M: Model>(model: &M, scaler: Option<StandardScaler>, schema: Schema, labels: &str, path: &Path) -> Result<()> {
    let saved = Saved {
        tool: TOOL.into(),
        labels: labels.into(),
        schema,
        scaler,
    };
    model.save_with(path, serde_json::to_value(saved)?)?;
    Ok(())
}

fn predict(p: Predict) -> Result<()> {
    // The classifier's label type is in the file; a regressor answers to neither.
    let user = match MlpClassifier::<String>::load_with(&p.model) {
        Ok((_, u)) => u,
        Err(deeprust::sklearn::Error::InvalidModelFile { msg, .. }) if msg.contains("MLPRegressor") => {
            MlpRegressor::load_with(&p.model)?.1
        }
        Err(deeprust::sklearn::Error::InvalidModelFile { msg, .. }) if msg.contains("label type") => {
            MlpClassifier::<i64>::load_with(&p.model)?.1
        }
        Err(e) => return Err(e.into()),
    };
    let saved: Saved = serde_json::from_value(user).map_err(|e| {
        anyhow!(
            "{}: not a model saved by deeprust-mlp train --save ({e})",
            p.model.display()
        )
    })?;
    if saved.tool != TOOL {
        bail!("{}: written by {:?}, this is {TOOL}", p.model.display(), saved.tool);
    }
    let csv = Csv::read(&p.data, p.delimiter)?;
    let mut x = table::features(&csv, &saved.schema)?;
    if let Some(s) = &saved.scaler {
        x = s.transform(&x)?;
    }
    let target = &saved.schema.target;
    let mut out = String::new();
    match saved.labels.as_str() {
        "regression" => {
            let m = MlpRegressor::load(&p.model)?;
            if p.proba {
                bail!(
                    "--proba needs a classifier; {} holds an MLPRegressor",
                    p.model.display()
                );
            }
            let pred = m.predict(&x)?;
            let k = pred.ncols();
            out.push_str(&if k == 1 {
                target.clone()
            } else {
                (0..k).map(|j| format!("{target}_{j}")).collect::<Vec<_>>().join(",")
            });
            out.push('\n');
            for row in pred.rows() {
                out.push_str(&row.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","));
                out.push('\n');
            }
        }
        "int" => write_classes(&MlpClassifier::<i64>::load(&p.model)?, &x, target, p.proba, &mut out)?,
        "text" => write_classes(&MlpClassifier::<String>::load(&p.model)?, &x, target, p.proba, &mut out)?,
        other => bail!("{}: unknown label kind {other:?}", p.model.display()),
    }
    match &p.output {
        Some(path) => deeprust::tf::write_atomic(path, out.as_bytes()).with_context(|| "writing the predictions")?,
        None => print!("{out}"),
    }
    Ok(())
}

fn write_classes<L: Label + std::fmt::Display>(
    m: &MlpClassifier<L>,
    x: &Array2<f64>,
    target: &str,
    proba: bool,
    out: &mut String,
) -> Result<()> {
    let pred = MlpClassifier::predict(m, x)?;
    let p = if proba {
        Some(Classifier::predict_proba(m, Features::from(x))?)
    } else {
        None
    };
    out.push_str(target);
    if proba {
        for c in m.classes() {
            out.push_str(&format!(",proba_{c}"));
        }
    }
    out.push('\n');
    for (r, l) in pred.iter().enumerate() {
        out.push_str(&l.to_string());
        if let Some(p) = &p {
            for v in p.row(r) {
                out.push_str(&format!(",{v}"));
            }
        }
        out.push('\n');
    }
    Ok(())
}
