//! TensorBoard logs from both tiers: a keraslike `fit` with the
//! `TensorBoard` callback (`keras.callbacks.TensorBoard`) and a
//! GradientTape loop writing with `tensorlow::summary` (`tf.summary`).
//!
//! ```sh
//! cargo run --release --example tensorboard_logs -- --help   # --logdir, --epochs, --seed, --plot, --quiet, --verbose
//! tensorboard --logdir logs
//! ```
//!
//! Writes `<logdir>/keras/{train,validation}/events.out.tfevents.*` (epoch
//! scalars, the learning rate, weight histograms every epoch, batch losses
//! every 4 batches) and `<logdir>/keras/history.json` (the History `fit`
//! returned); `<logdir>/tape/events.out.tfevents.*` (the loss of every
//! step, a histogram of the weights every 10 steps) and
//! `<logdir>/tape/values.json` (exactly what was written).
//! `scripts/check_tensorboard.py` reads the event files with TensorBoard's
//! own reader and compares them with the JSON files.
//!
//! The Python original of the two halves:
//! ```python
//! model.fit(x, y, epochs=20, batch_size=10, validation_data=(xt, yt),
//!           callbacks=[keras.callbacks.TensorBoard("logs/keras", histogram_freq=1, update_freq=4)])
//! with tf.summary.create_file_writer("logs/tape").as_default():
//!     for step in range(steps):
//!         ...; tf.summary.scalar("loss", loss, step=step)
//! ```

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::callbacks::{Logs, TensorBoard, TensorBoardOptions, UpdateFreq};
use deeprust::keras::datasets::{read_csv, train_test_split, StandardScaler};
use deeprust::keras::layers::Dense;
use deeprust::keras::models::IntoData;
use deeprust::keras::optimizers::Adam;
use deeprust::keras::{sequential, FitOptions, History};
use deeprust::tf::{nn, random, summary, DType, Device, GradientTape, Tensor, Variable};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

/// TensorBoard logs of a Keras-tier fit (the TensorBoard callback) and of a
/// GradientTape loop (tensorlow::summary); the last line is final_val_loss=<float>.
#[derive(Parser, Debug)]
#[command(name = "tensorboard_logs")]
struct Args {
    /// Folder of the logs (keras/ and tape/ below it)
    #[arg(long, default_value = "logs")]
    logdir: PathBuf,
    /// Epochs of the Keras fit (the tape loop runs 3 steps per epoch)
    #[arg(long, default_value_t = 20)]
    epochs: usize,
    /// Seed of the split, the initial weights and the shuffling
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Also write the fit's training curves to FILE (.svg or .png) [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

fn main() -> ExitCode {
    cli::exit(run(Args::parse()))
}

/// Numbers as JSON: Rust's `{:?}` of a finite f64 is its shortest
/// round-trip form, which JSON parsers read back to the same value.
fn json_list(v: &[f64]) -> String {
    let items: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
    format!("[{}]", items.join(", "))
}

fn run(args: Args) -> anyhow::Result<()> {
    let level = args.verbosity.level();
    random::set_seed(args.seed);
    let cpu = Device::cpu();

    // Data: iris, 80/20 stratified split, standardized on the training rows.
    let table = read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?;
    let (labels, classes) = table.class_labels();
    let (train, test) = train_test_split(table.n_rows, 0.2, Some(&labels), args.seed)?;
    let scaler = StandardScaler::fit(&table.rows(&train), table.n_features)?;
    let to_x = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<f32> = scaler.transform(&table.rows(idx))?.iter().map(|&v| v as f32).collect();
        Ok(Tensor::from_vec(v, &[idx.len(), table.n_features], &cpu)?)
    };
    let to_y = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<u32> = idx.iter().map(|&i| labels[i]).collect();
        Ok(Tensor::from_vec(v, &[idx.len()], &cpu)?.one_hot(classes.len(), DType::F32)?)
    };
    let (x_train, y_train) = (to_x(&train)?, to_y(&train)?);
    let (x_test, y_test) = (to_x(&test)?, to_y(&test)?);

    // 1. keraslike: fit with the TensorBoard callback.
    let keras_dir = args.logdir.join("keras");
    let mut model = sequential![
        Dense::new(5).activation("sigmoid").input_shape(&[4]),
        Dense::new(3).activation("softmax"),
    ];
    model.compile(Adam::new(0.01), "categorical_crossentropy", &["accuracy"])?;
    let tensorboard = TensorBoard::new(
        &keras_dir,
        TensorBoardOptions {
            histogram_freq: 1,
            update_freq: UpdateFreq::Every(4),
            ..Default::default()
        },
    );
    let history = model.fit(
        &x_train,
        &y_train,
        FitOptions {
            epochs: args.epochs,
            batch_size: 10,
            verbose: 0,
            validation_data: Some((x_test.clone().into_data(), y_test.clone().into_data())),
            callbacks: vec![Box::new(tensorboard)],
            ..FitOptions::default()
        },
    )?;
    history.save_json(keras_dir.join("history.json"))?;
    if level > 0 {
        println!("keras: {} epochs logged under {}", history.len(), keras_dir.display());
    }
    if let Some(path) = &args.plot {
        history.plot(path)?;
        if level > 0 {
            println!("plot: {}", path.display());
        }
    }

    // 2. tensorlow: a softmax regression trained by hand, logged with tf.summary's API.
    let tape_dir = args.logdir.join("tape");
    let writer = summary::create_file_writer(&tape_dir)?;
    let _default = writer.as_default();
    let w = Variable::new("w", random::normal(&[4, 3], 0.0, 0.1, DType::F32, Some(args.seed))?);
    let b = Variable::new("b", Tensor::zeros(&[3], DType::F32, &cpu)?);
    let mut losses = History::default();
    let mut json_hist = String::new();
    let steps = args.epochs.max(1) * 3;
    for step in 0..steps {
        let tape = GradientTape::new();
        let logits = (x_train.matmul(&w)? + &*b)?;
        let loss = nn::softmax_cross_entropy_with_logits(&y_train, &logits, -1)?.mean_all()?;
        let g = tape.gradient(&loss, &[&w, &b])?;
        let loss = loss.to_scalar::<f32>()? as f64;
        summary::scalar("loss", loss, step as i64)?;
        losses.record(step, &Logs::from([("loss".to_string(), loss)]));
        if step % 10 == 0 {
            summary::histogram("w", &w, step as i64)?;
            let sep = if json_hist.is_empty() { "" } else { ", " };
            write!(json_hist, "{sep}[{step}, {}]", json_list(&w.to_vec::<f64>()?))?;
        }
        for (v, g) in [(&w, &g[0]), (&b, &g[1])] {
            let g = g
                .as_ref()
                .ok_or_else(|| anyhow::anyhow!("no gradient for {}", v.name()))?;
            v.assign_sub(&(g * 0.5)?)?;
        }
    }
    writer.close()?;
    let values = format!(
        "{{\"loss\": {}, \"w\": [{json_hist}]}}\n",
        json_list(losses.get("loss").unwrap_or(&[]))
    );
    std::fs::write(tape_dir.join("values.json"), values)?;
    if level > 0 {
        println!("tape: {steps} steps logged under {}", tape_dir.display());
        println!("view them with: tensorboard --logdir {}", args.logdir.display());
    }
    println!("final_val_loss={:.4}", history.last("val_loss").unwrap_or(f64::NAN));
    Ok(())
}
