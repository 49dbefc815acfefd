//! The course slide's Keras example, line for line: an MLP (4-5-3, sigmoid
//! hidden layer, softmax output) on the standardized iris data with an
//! 80/20 stratified split, trained with Adam.
//!
//! ```sh
//! cargo run --release --example keras_iris -- --help   # --epochs, --seed, --device, --plot, --plot-model, --quiet, --verbose
//! cargo run --release --example keras_iris -- --plot history.svg --plot-model model.svg   # curves; diagram (needs Graphviz)
//! ```
//!
//! The Keras original:
//! ```python
//! model = Sequential([
//!     Dense(5, activation="sigmoid", input_shape=(4,)),
//!     Dense(3, activation="softmax"),
//! ])
//! model.compile(optimizer=Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
//! model.fit(X_train, y_train, epochs=1000, batch_size=10, verbose=1)
//! loss, accuracy = model.evaluate(X_test, y_test)
//! ```

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::datasets::{load_csv, StandardScaler};
use deeprust::keras::layers::Dense;
use deeprust::keras::models::EvaluateOptions;
use deeprust::keras::optimizers::Adam;
use deeprust::keras::utils::{plot_model, PlotModelOptions};
use deeprust::keras::{sequential, FitOptions};
use deeprust::tf::{random, Device};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// The course's Keras model (4-5-3 MLP, Adam 0.01, batch 10) on iris; the
/// last line is test_accuracy=<float>.
#[derive(Parser, Debug)]
#[command(name = "keras_iris")]
struct Args {
    /// Passes over the training data
    #[arg(long, default_value_t = 1000)]
    epochs: usize,
    /// Seed of the split, the initial weights and the shuffling
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = "auto", value_parser = cli::device, help = cli::DEVICE_HELP)]
    device: Device,
    /// Write the training curves (loss, accuracy) to FILE, .svg or .png [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    /// Write the model's diagram to FILE: .dot (Graphviz DOT text), or .svg, .png or .pdf
    /// (rendered by Graphviz' dot, which must be installed) [default: no diagram]
    #[arg(long, value_name = "FILE")]
    plot_model: Option<PathBuf>,
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

    // Data: iris, 80/20 stratified split, standardized on the training rows.
    let data = load_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?.target("label")?;
    let (train, test) = data.train_test_split(0.2, args.seed)?;
    let scaler = StandardScaler::fit_tensor(&train.x)?;
    let (x_train, y_train) = (scaler.transform_tensor(&train.x)?, train.y_one_hot()?);
    let (x_test, y_test) = (scaler.transform_tensor(&test.x)?, test.y_one_hot()?);

    let mut model = sequential![
        Dense::new(5).activation("sigmoid").input_shape(&[4]),
        Dense::new(3).activation("softmax"),
    ]
    .with_device(args.device.clone())?;
    model.compile(Adam::new(0.01), "categorical_crossentropy", &["accuracy"])?;
    if level > 0 {
        model.print_summary();
    }
    if let Some(path) = &args.plot_model {
        let options = PlotModelOptions {
            show_shapes: true,
            show_layer_names: true,
            show_layer_activations: true,
            ..PlotModelOptions::default()
        };
        plot_model(&model, path, &options)?;
    }
    if level > 1 {
        println!(
            "data: {} training / {} test rows",
            x_train.shape()[0],
            x_test.shape()[0]
        );
    }
    let start = Instant::now();
    let history = model.fit(
        &x_train,
        &y_train,
        FitOptions {
            epochs: args.epochs,
            batch_size: 10,
            verbose: level.min(1),
            ..FitOptions::default()
        },
    )?;
    if let Some(path) = &args.plot {
        history.plot(path)?;
    }
    if level > 1 {
        println!("training: {:.2} s", start.elapsed().as_secs_f64());
    }
    let logs = model.evaluate(
        &x_test,
        &y_test,
        EvaluateOptions {
            verbose: level.min(1),
            ..EvaluateOptions::default()
        },
    )?;
    println!("test_loss={:.4}", logs["loss"]);
    println!("test_accuracy={:.4}", logs["accuracy"]);
    Ok(())
}
