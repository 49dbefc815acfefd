//! A custom training loop, the way TensorFlow users write one: a keraslike
//! `Sequential` model trained step by step with a tensorlow
//! [`GradientTape`], a keraslike loss, optimizer and metrics — what
//! `model.fit` does for you, spelled out.
//!
//! ```sh
//! cargo run --release --example custom_training_loop -- --help   # --epochs, --seed, --device, --quiet, --verbose
//! ```
//!
//! The TensorFlow original:
//! ```python
//! loss_fn = keras.losses.SparseCategoricalCrossentropy()
//! optimizer = keras.optimizers.Adam(0.01)
//! train_acc = keras.metrics.SparseCategoricalAccuracy()
//! for epoch in range(epochs):
//!     for x, y in train_dataset:                 # shuffled batches of 16
//!         with tf.GradientTape() as tape:
//!             pred = model(x, training=True)
//!             loss = loss_fn(y, pred)
//!         grads = tape.gradient(loss, model.trainable_weights)
//!         optimizer.apply_gradients(zip(grads, model.trainable_weights))
//!         train_acc.update_state(y, pred)
//!     print(epoch, train_acc.result()); train_acc.reset_state()
//! ```
//!
//! Data: iris (standardized, 80/20 stratified split). The last line is
//! `test_accuracy=<float>`.

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::callbacks::Logs;
use deeprust::keras::datasets::{load_csv, StandardScaler};
use deeprust::keras::layers::Dense;
use deeprust::keras::losses::{Loss, SparseCategoricalCrossentropy};
use deeprust::keras::metrics::{Mean, Metric, SparseCategoricalAccuracy};
use deeprust::keras::optimizers::{Adam, Optimizer};
use deeprust::keras::{sequential, History};
use deeprust::tf::random::{self, Generator};
use deeprust::tf::{no_grad, Device, GradientTape, Tensor};
use std::path::PathBuf;
use std::process::ExitCode;

/// A custom training loop (GradientTape, a Keras loss, optimizer and
/// metrics) on iris; the last line is test_accuracy=<float>.
#[derive(Parser, Debug)]
#[command(name = "custom_training_loop")]
struct Args {
    /// Passes over the training data
    #[arg(long, default_value_t = 100)]
    epochs: usize,
    /// Seed of the split, the initial weights and the shuffling
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = "auto", value_parser = cli::device, help = cli::DEVICE_HELP)]
    device: Device,
    /// Write each epoch's loss and accuracy to FILE, .svg or .png [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

fn main() -> ExitCode {
    cli::exit(run(Args::parse()))
}

const BATCH_SIZE: usize = 16;

fn run(args: Args) -> anyhow::Result<()> {
    let level = args.verbosity.level();
    let dev = args.device.clone();
    if level > 0 {
        println!("device: {dev}");
    }
    random::set_seed(args.seed);

    // Data on the model's device once, with u32 class labels.
    let data = load_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?.target("label")?;
    let (train, test) = data.to_device(&dev)?.train_test_split(0.2, args.seed)?;
    let scaler = StandardScaler::fit_tensor(&train.x)?;
    let (x_train, y_train) = (scaler.transform_tensor(&train.x)?, train.y.clone());
    let (x_test, y_test) = (scaler.transform_tensor(&test.x)?, test.y.clone());

    let model = sequential![
        Dense::new(16)
            .activation("relu")
            .input_shape(&[data.feature_names.len()]),
        Dense::new(data.n_classes()).activation("softmax"),
    ]
    .with_device(dev.clone())?;
    let loss_fn = SparseCategoricalCrossentropy::new();
    let mut optimizer = Adam::new(0.01);
    let mut train_loss = Mean::new();
    let mut train_acc = SparseCategoricalAccuracy::new();
    // The weights do not change identity during training: collect them once.
    let vars = model.trainable_weights();

    let mut shuffle = Generator::from_seed(args.seed);
    let mut order: Vec<u32> = (0..train.len() as u32).collect();
    // What fit would return, one row of logs per epoch (kept for --plot).
    let mut history = History::default();
    for epoch in 0..args.epochs {
        shuffle.shuffle(&mut order);
        for batch in order.chunks(BATCH_SIZE) {
            let idx = Tensor::from_slice(batch, &[batch.len()], &dev)?;
            let (x, y) = (x_train.gather(&idx, 0)?, y_train.gather(&idx, 0)?);

            let tape = GradientTape::new();
            let pred = model.call(&x, true)?;
            let loss = loss_fn.call(&y, &pred, None)?;
            let grads = tape.gradient_of(&loss, &vars)?;
            let grads: Vec<Tensor> = grads
                .into_iter()
                .map(|g| g.ok_or_else(|| anyhow::anyhow!("the loss does not depend on a weight")))
                .collect::<anyhow::Result<_>>()?;
            optimizer.apply_gradients(&grads, &vars)?;

            train_loss.update(&loss.stop_gradient(), None)?;
            train_acc.update_state(&y, &pred.stop_gradient(), None)?;
        }
        let every = if level > 1 { 1 } else { 10 };
        if level > 0 && ((epoch + 1) % every == 0 || epoch + 1 == args.epochs) {
            println!(
                "epoch {:>4}: loss={:.4} accuracy={:.4}",
                epoch + 1,
                train_loss.result(),
                train_acc.result()
            );
        }
        if args.plot.is_some() {
            let logs = [("loss", train_loss.result()), ("accuracy", train_acc.result())];
            history.record(epoch, &Logs::from(logs.map(|(k, v)| (k.to_string(), v))));
        }
        train_loss.reset();
        train_acc.reset_state();
    }
    if let Some(path) = &args.plot {
        history.plot(path)?;
    }

    // Inference mode, nothing recorded.
    let pred = no_grad(|| model.call(&x_test, false))?;
    let mut test_acc = SparseCategoricalAccuracy::new();
    test_acc.update_state(&y_test, &pred, None)?;
    println!(
        "test_loss={:.4}",
        loss_fn.call(&y_test, &pred, None)?.to_scalar::<f32>()?
    );
    println!("test_accuracy={:.4}", test_acc.result());
    Ok(())
}
