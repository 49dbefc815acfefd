//! Regression with a Keras MLP: predict an iris flower's petal width (cm)
//! from its sepal length, sepal width and petal length.
//!
//! Real measurements from `data/iris.csv` (the class label is not used as a
//! feature; it only stratifies the 80/20 split so both parts hold every
//! species). The three features are standardized with the training rows'
//! statistics; the target stays in centimetres, so `mse` is in cm² and
//! `mae` in cm. For honesty the example first prints the baseline that
//! always predicts the training mean.
//!
//! ```sh
//! cargo run --release --example keras_regression -- --help   # --epochs, --seed, --device, --quiet, --verbose
//! ```
//!
//! The Keras original:
//! ```python
//! model = keras.Sequential([
//!     keras.Input(shape=(3,)),
//!     layers.Dense(16, activation="relu"),
//!     layers.Dense(16, activation="relu"),
//!     layers.Dense(1),
//! ])
//! model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
//! model.fit(x_train, y_train, epochs=100, batch_size=16)
//! model.evaluate(x_test, y_test)
//! ```
//!
//! The last line is `test_mse=<float>`.

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::datasets::{load_csv, StandardScaler};
use deeprust::keras::layers::Dense;
use deeprust::keras::models::EvaluateOptions;
use deeprust::keras::optimizers::Adam;
use deeprust::keras::{sequential, FitOptions};
use deeprust::tf::{random, Device};
use std::path::PathBuf;
use std::process::ExitCode;

/// A Keras MLP regression on iris: petal width from the other three
/// measurements; the last line is test_mse=<float>.
#[derive(Parser, Debug)]
#[command(name = "keras_regression")]
struct Args {
    /// Passes over the training data
    #[arg(long, default_value_t = 100)]
    epochs: usize,
    /// Seed of the split, the initial weights and the shuffling
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = "auto", value_parser = cli::device, help = cli::DEVICE_HELP)]
    device: Device,
    /// Write the training curves (loss, metrics) to FILE, .svg or .png [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

fn main() -> ExitCode {
    cli::exit(run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<()> {
    let level = args.verbosity.level();
    if level > 0 {
        println!("device: {}", args.device);
    }
    random::set_seed(args.seed);

    // Petal width from the other three measurements; the species only
    // stratifies the split.
    let file = load_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?;
    let species = file.target("label")?.y;
    let data = file.drop(&["label"])?.target_values("petal_width")?;
    let (train, test) = data.train_test_split_stratified(0.2, args.seed, &species)?;
    let scaler = StandardScaler::fit_tensor(&train.x)?;
    let (x_train, x_test) = (scaler.transform_tensor(&train.x)?, scaler.transform_tensor(&test.x)?);
    let (y_train, y_test) = (train.y, test.y);
    let n_in = data.feature_names.len();
    let (ytr, yte) = (y_train.to_vec::<f64>()?, y_test.to_vec::<f64>()?);

    let mean = ytr.iter().sum::<f64>() / ytr.len() as f64;
    let baseline = yte.iter().map(|y| (y - mean) * (y - mean)).sum::<f64>() / yte.len() as f64;
    if level > 1 {
        println!(
            "data: {} training / {} test rows, {n_in} features",
            ytr.len(),
            yte.len()
        );
    }
    println!("baseline (predict the training mean {mean:.3} cm): test_mse={baseline:.4}");

    let mut model = sequential![
        Dense::new(16).activation("relu").input_shape(&[n_in]),
        Dense::new(16).activation("relu"),
        Dense::new(1),
    ]
    .with_device(args.device.clone())?;
    model.compile(Adam::new(0.01), "mse", &["mae"])?;
    if level > 0 {
        model.print_summary();
    }
    let history = model.fit(
        &x_train,
        &y_train,
        FitOptions {
            epochs: args.epochs,
            batch_size: 16,
            verbose: if level == 0 { 0 } else { 2 },
            seed: Some(args.seed),
            ..FitOptions::default()
        },
    )?;
    if let Some(path) = &args.plot {
        history.plot(path)?;
    }
    let logs = model.evaluate(
        &x_test,
        &y_test,
        EvaluateOptions {
            verbose: level.min(1),
            ..EvaluateOptions::default()
        },
    )?;
    println!("test_mae={:.4}", logs["mae"]);
    println!("test_mse={:.4}", logs["loss"]);
    Ok(())
}
