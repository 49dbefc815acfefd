//! A model trained by Keras 3 in Python, opened here: loads `data/keras/iris_mlp.keras`
//! (Dense-BatchNormalization-Dropout-Dense, Adam, trained by
//! `data/keras/make_keras_models.py`), evaluates it on the iris test split, fine-tunes it for a
//! few epochs from Keras' own optimizer state, and saves it back as a `.keras` file that
//! `keras.models.load_model` opens.
//!
//! ```sh
//! cargo run --release --example keras_interop -- --help   # --model, --epochs, --out, --quiet, --verbose
//! ```
//!
//! The Keras equivalent:
//! ```python
//! model = keras.models.load_model("data/keras/iris_mlp.keras")
//! model.evaluate(x_test, y_test)
//! model.fit(x_train, y_train, epochs=5, batch_size=16)
//! model.save("iris_mlp_finetuned.keras")
//! ```

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::models::{load_model, EvaluateOptions};
use deeprust::keras::FitOptions;
use deeprust::tf::{Device, Tensor};
use std::path::PathBuf;
use std::process::ExitCode;

/// Loads a Keras 3 `.keras` iris classifier, evaluates it, fine-tunes it and saves it for Keras;
/// the last line is test_accuracy=<float>.
#[derive(Parser, Debug)]
#[command(name = "keras_interop")]
struct Args {
    /// The `.keras` file to load
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/data/keras/iris_mlp.keras"))]
    model: PathBuf,
    /// Fine-tuning epochs (0: evaluate only)
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    /// Seed of the dropout masks and the shuffling while fine-tuning
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Where to save the fine-tuned model (a `.keras` path)
    #[arg(long, default_value = "iris_mlp_finetuned.keras")]
    out: PathBuf,
    /// Write the fine-tuning curves (loss, accuracy) to FILE, .svg or .png [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

fn main() -> ExitCode {
    cli::exit(run(Args::parse()))
}

/// Rows `idx` of iris (raw centimetres, as the Keras model was trained) and their labels.
fn split(name: &str) -> anyhow::Result<(Tensor, Tensor)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let csv = std::fs::read_to_string(format!("{dir}/iris.csv"))?;
    let rows: Vec<Vec<f32>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::parse).collect::<Result<_, _>>())
        .collect::<Result<_, _>>()?;
    let idx: Vec<usize> = std::fs::read_to_string(format!("{dir}/splits/iris_{name}_idx.txt"))?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let x: Vec<f32> = idx.iter().flat_map(|&i| rows[i][..4].to_vec()).collect();
    let y: Vec<i64> = idx.iter().map(|&i| rows[i][4] as i64).collect();
    let cpu = Device::cpu();
    Ok((
        Tensor::from_vec(x, &[idx.len(), 4], &cpu)?,
        Tensor::from_vec(y, &[idx.len()], &cpu)?,
    ))
}

fn run(args: Args) -> anyhow::Result<()> {
    let level = args.verbosity.level();
    deeprust::tf::random::set_seed(args.seed);
    let (x_train, y_train) = split("train")?;
    let (x_test, y_test) = split("test")?;
    let mut model = load_model(&args.model)?;
    if level > 0 {
        model.print_summary();
        if let Some(opt) = model.optimizer() {
            println!("optimizer: {} after {} Keras steps", opt.class_name(), opt.iterations());
        }
    }
    let quiet = EvaluateOptions {
        verbose: 0,
        ..EvaluateOptions::default()
    };
    let before = model.evaluate(&x_test, &y_test, quiet.clone())?;
    println!("keras_test_accuracy={:.4}", before["accuracy"]);
    if args.epochs > 0 {
        let history = model.fit(
            &x_train,
            &y_train,
            FitOptions {
                epochs: args.epochs,
                batch_size: 16,
                verbose: level.min(1),
                seed: Some(args.seed),
                ..FitOptions::default()
            },
        )?;
        if let Some(path) = &args.plot {
            history.plot(path)?;
        }
    }
    model.save(&args.out)?;
    if level > 0 {
        println!("saved {}", args.out.display());
    }
    let after = model.evaluate(&x_test, &y_test, quiet)?;
    println!("test_accuracy={:.4}", after["accuracy"]);
    Ok(())
}
