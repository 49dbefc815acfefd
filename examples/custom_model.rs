//! A subclassed model — the Rust counterpart of subclassing `keras.Model` —
//! trained by the same `compile`/`fit`/`evaluate` as every other model, on
//! the standardized iris data (80/20 stratified split).
//!
//! ```sh
//! cargo run --release --example custom_model -- --help   # --epochs, --seed, --device, --quiet, --verbose
//! ```
//!
//! The Keras original:
//! ```python
//! class ResidualMLP(keras.Model):
//!     def __init__(self):
//!         super().__init__()
//!         self.inp = layers.Dense(16, activation="relu")
//!         self.block = layers.Dense(16, activation="relu")
//!         self.out = layers.Dense(3, activation="softmax")
//!     def call(self, x, training=False):
//!         h = self.inp(x)
//!         return self.out(h + self.block(h))
//! ```
//!
//! The last line is `test_accuracy=<float>`.

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::datasets::{load_csv, StandardScaler};
use deeprust::keras::layers::{Dense, Layer, LayerRef};
use deeprust::keras::models::{CustomModel, EvaluateOptions};
use deeprust::keras::{FitOptions, Model};
use deeprust::tf::{random, Device, Tensor};
use std::path::PathBuf;
use std::process::ExitCode;

/// A subclassed residual MLP (keras.Model subclass) on iris; the last line
/// is test_accuracy=<float>.
#[derive(Parser, Debug)]
#[command(name = "custom_model")]
struct Args {
    /// Passes over the training data
    #[arg(long, default_value_t = 200)]
    epochs: usize,
    /// Seed of the split, the initial weights and the shuffling
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = "auto", value_parser = cli::device, help = cli::DEVICE_HELP)]
    device: Device,
    /// Write the training curves (loss, accuracy) to FILE, .svg or .png [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

/// `out(h + block(h))` with `h = inp(x)`: a residual MLP.
struct ResidualMlp {
    inp: LayerRef<Dense>,
    block: LayerRef<Dense>,
    out: LayerRef<Dense>,
}

impl CustomModel for ResidualMlp {
    fn call(&self, inputs: &[Tensor], training: bool) -> deeprust::keras::Result<Vec<Tensor>> {
        let h = self.inp.call(&inputs[0], training)?;
        let skip = (&h + self.block.call(&h, training)?)?;
        Ok(vec![self.out.call(&skip, training)?])
    }

    fn layers(&self) -> Vec<LayerRef> {
        vec![
            self.inp.clone().erased(),
            self.block.clone().erased(),
            self.out.clone().erased(),
        ]
    }

    fn class_name(&self) -> &'static str {
        "ResidualMLP"
    }
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

    let mut model = Model::custom(ResidualMlp {
        inp: Dense::new(16).activation("relu").shared(),
        block: Dense::new(16).activation("relu").shared(),
        out: Dense::new(3).activation("softmax").shared(),
    })
    .with_device(args.device.clone())?;
    model.compile("adam", "categorical_crossentropy", &["accuracy"])?;
    let history = model.fit(
        &x_train,
        &y_train,
        FitOptions::default()
            .epochs(args.epochs)
            .batch_size(16)
            .verbose(level.min(1)),
    )?;
    if let Some(path) = &args.plot {
        history.plot(path)?;
    }
    if level > 0 {
        model.print_summary();
    }
    let logs = model.evaluate(&x_test, &y_test, EvaluateOptions::default().verbose(level.min(1)))?;
    println!("test_loss={:.4}", logs["loss"]);
    println!("test_accuracy={:.4}", logs["accuracy"]);
    Ok(())
}
