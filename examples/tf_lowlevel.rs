//! The course slide's low-level TensorFlow example, made complete:
//! softmax regression on iris with Variables, a GradientTape and plain
//! gradient descent.
//!
//! ```sh
//! cargo run --release --example tf_lowlevel -- --help   # --steps, --lr, --seed, --device, --quiet, --verbose
//! ```
//!
//! The TensorFlow original:
//! ```python
//! W = tf.Variable(tf.random.normal([4, 3], seed=seed))
//! b = tf.Variable(tf.random.normal([3], seed=seed))
//! def model(X): return tf.nn.softmax(tf.matmul(X, W) + b)
//! for step in range(steps):
//!     with tf.GradientTape() as tape:
//!         loss = tf.reduce_mean(-tf.reduce_sum(Y * tf.math.log(model(X)), axis=1))
//!     dW, db = tape.gradient(loss, [W, b])
//!     W.assign_sub(lr * dW); b.assign_sub(lr * db)
//! ```
//! Here the loss is computed from logits (`softmax_cross_entropy_with_logits`),
//! which equals the slide's formula but cannot produce `log(0)`.

#[path = "common/cli.rs"]
mod cli;

use clap::Parser;
use deeprust::keras::datasets::{load_csv, StandardScaler};
use deeprust::tf::plot::{Curve, Figure, Panel};
use deeprust::tf::{nn, random, DType, Device, GradientTape, Tensor, Variable};
use std::path::PathBuf;
use std::process::ExitCode;

/// Softmax regression on iris written by hand: Variables, a GradientTape
/// and gradient descent; the last line is test_accuracy=<float>.
#[derive(Parser, Debug)]
#[command(name = "tf_lowlevel")]
struct Args {
    /// Gradient-descent steps (full batch)
    #[arg(long, default_value_t = 1000)]
    steps: usize,
    /// Learning rate
    #[arg(long, default_value_t = 0.1)]
    lr: f64,
    /// Seed of the split and the initial weights
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = "auto", value_parser = cli::device, help = cli::DEVICE_HELP)]
    device: Device,
    /// Write the loss of every step to FILE, .svg or .png [default: no plot]
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
    let dev = &args.device;
    if level > 0 {
        println!("device: {dev}");
    }
    let data = load_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?.target("label")?;
    let (train, test) = data.to_device(dev)?.train_test_split(0.2, args.seed)?;
    let scaler = StandardScaler::fit_tensor(&train.x)?;
    let (x_train, x_test) = (scaler.transform_tensor(&train.x)?, scaler.transform_tensor(&test.x)?);
    let (y_train, y_test) = (train.y_one_hot()?, test.y);

    // W = tf.Variable(tf.random.normal([4, 3])); b = tf.Variable(tf.random.normal([3]))
    random::set_seed(args.seed);
    let w = Variable::new(
        "W",
        random::normal(&[4, 3], 0.0, 1.0, DType::F32, None)?.to_device(dev)?,
    );
    let b = Variable::new("b", random::normal(&[3], 0.0, 1.0, DType::F32, None)?.to_device(dev)?);
    // model = lambda X: tf.nn.softmax(tf.matmul(X, W) + b), before its softmax
    let logits = |x: &Tensor| x.matmul(&w)? + &b;

    // The loss of each step, read from the device only when it is plotted.
    let mut losses: Vec<f64> = Vec::new();
    for step in 0..=args.steps {
        let tape = GradientTape::new();
        let loss = nn::softmax_cross_entropy_with_logits(&y_train, &logits(&x_train)?, -1)?.mean_all()?;
        // dW, db = tape.gradient(loss, [W, b])
        let [dw, db]: [Tensor; 2] = tape.gradient(&loss, &[&w, &b])?.try_into()?;
        if args.plot.is_some() {
            losses.push(loss.to_scalar::<f32>()? as f64);
        }
        let every = if level > 1 { 10 } else { 100 };
        if level > 0 && step % every == 0 {
            println!("step {step:5}  loss {:.4}", loss.to_scalar::<f32>()?);
        }
        if step < args.steps {
            w.assign_sub(&(args.lr * &dw)?)?;
            b.assign_sub(&(args.lr * &db)?)?;
        }
    }
    if let Some(path) = &args.plot {
        let steps: Vec<f64> = (0..losses.len()).map(|s| s as f64).collect();
        let panel = Panel::new("softmax regression on iris", "step", "loss").curve(Curve::new("loss", steps, losses));
        Figure::new("").panel(panel).save(path)?;
    }
    let model = |x: &Tensor| nn::softmax(&logits(x)?, -1);
    let pred = model(&x_test)?.argmax(-1)?.to_vec::<i64>()?;
    let truth = y_test.to_vec::<u32>()?;
    let correct = pred.iter().zip(&truth).filter(|(p, t)| **p == **t as i64).count();
    println!("test_accuracy={:.4}", correct as f64 / truth.len() as f64);
    Ok(())
}
