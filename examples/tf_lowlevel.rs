//! The course slide's low-level TensorFlow example, made complete:
//! softmax regression on iris with Variables, a GradientTape and plain
//! gradient descent.
//!
//! ```sh
//! cargo run --release --example tf_lowlevel -- [--steps 1000] [--lr 0.1] [--seed 0] [--device cpu|cuda]
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

use deeprust::keras::datasets::{read_csv, train_test_split, StandardScaler};
use deeprust::tf::{nn, random, DType, Device, GradientTape, Tensor, Variable};

struct Args {
    steps: usize,
    lr: f64,
    seed: u64,
    device: Device,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        steps: 1000,
        lr: 0.1,
        seed: 0,
        device: Device::cuda_if_available(0),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| anyhow::anyhow!("{flag} needs a value"));
        match flag.as_str() {
            "--steps" => a.steps = val()?.parse()?,
            "--lr" => a.lr = val()?.parse()?,
            "--seed" => a.seed = val()?.parse()?,
            "--device" => a.device = Device::parse(&val()?)?,
            other => anyhow::bail!("unknown flag {other}; expected --steps, --lr, --seed or --device"),
        }
    }
    Ok(a)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let dev = &args.device;
    println!("device: {dev}");
    let table = read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?;
    let (labels, classes) = table.class_labels();
    let (train, test) = train_test_split(table.n_rows, 0.2, Some(&labels), args.seed)?;
    let scaler = StandardScaler::fit(&table.rows(&train), table.n_features)?;
    let to_x = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<f32> = scaler.transform(&table.rows(idx))?.iter().map(|&v| v as f32).collect();
        Ok(Tensor::from_vec(v, &[idx.len(), table.n_features], dev)?)
    };
    let to_y = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<u32> = idx.iter().map(|&i| labels[i]).collect();
        Ok(Tensor::from_vec(v, &[idx.len()], dev)?)
    };
    let (x_train, x_test) = (to_x(&train)?, to_x(&test)?);
    let y_train = to_y(&train)?.one_hot(classes.len(), DType::F32)?;
    let y_test = to_y(&test)?;

    random::set_seed(args.seed);
    let w = Variable::new(
        "W",
        random::normal(&[4, 3], 0.0, 1.0, DType::F32, None)?.to_device(dev)?,
    );
    let b = Variable::new("b", random::normal(&[3], 0.0, 1.0, DType::F32, None)?.to_device(dev)?);

    for step in 0..=args.steps {
        let tape = GradientTape::new();
        let logits = x_train.matmul(&w)?.add(&b)?;
        let loss = nn::softmax_cross_entropy_with_logits(&y_train, &logits, -1)?.mean_all()?;
        let grads = tape.gradient(&loss, &[&w, &b])?;
        if step % 100 == 0 {
            println!("step {step:5}  loss {:.4}", loss.to_scalar::<f32>()?);
        }
        if step < args.steps {
            for (v, g) in [&w, &b].into_iter().zip(&grads) {
                let g = g.as_ref().expect("the loss depends on every variable");
                v.assign_sub(&(g * args.lr)?)?;
            }
        }
    }
    let probs = nn::softmax(&x_test.matmul(&w)?.add(&b)?, -1)?;
    let pred = probs.argmax(-1)?.to_vec::<i64>()?;
    let truth = y_test.to_vec::<u32>()?;
    let correct = pred.iter().zip(&truth).filter(|(p, t)| **p == **t as i64).count();
    println!("test_accuracy={:.4}", correct as f64 / truth.len() as f64);
    Ok(())
}
