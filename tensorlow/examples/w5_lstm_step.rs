//! One W5-shaped LSTM training step at the tape level, to profile:
//! batch 128, 28 steps of 28 features, LSTM(128) with Keras' weight layout
//! (kernel (28, 512), recurrent_kernel (128, 512), bias (512), gates
//! i, f, c, o), the last hidden state into Dense(10) and softmax
//! cross-entropy, gradients of all five weights.
//!
//! ```text
//! cargo run --release -p tensorlow --example w5_lstm_step -- [composed|fused|composite] [STEPS]
//! valgrind --tool=callgrind target/release/examples/w5_lstm_step fused 3
//! ```
//!
//! `composed` builds the step from today's generic ops by hand (the
//! starting point the issue measured), `fused` calls [`nn::lstm`] (the
//! fused CPU kernels), `composite` calls it with the op-by-op
//! implementation. Prints the mean time of a step and the loss, which the
//! three must agree on.

use std::time::Instant;
use tensorlow::{nn, random, DType, Device, GradientTape, Result, Tensor, Variable};

const BATCH: usize = 128;
const STEPS: usize = 28;
const FEATURES: usize = 28;
const UNITS: usize = 128;
const CLASSES: usize = 10;

/// The LSTM by hand, as a user of today's ops would write it.
fn composed(x: &Tensor, k: &Tensor, rk: &Tensor, b: &Tensor) -> Result<Tensor> {
    let u = UNITS;
    // The input projection for all steps as one matmul.
    let xp = (x.reshape(&[BATCH * STEPS, FEATURES])?.matmul(k)? + b)?.reshape(&[BATCH, STEPS, 4 * u])?;
    let mut h = Tensor::zeros(&[BATCH, u], DType::F32, &Device::cpu())?;
    let mut c = h.clone();
    for t in 0..STEPS {
        let z = (xp.narrow(1, t, 1)?.reshape(&[BATCH, 4 * u])? + h.matmul(rk)?)?;
        let g = z.split_even(4, 1)?;
        let (i, f, cc, o) = (g[0].sigmoid()?, g[1].sigmoid()?, g[2].tanh()?, g[3].sigmoid()?);
        c = ((&f * &c)? + (&i * &cc)?)?;
        h = (&o * &c.tanh()?)?;
    }
    Ok(h)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("usage: w5_lstm_step [composed|fused|composite] [STEPS]");
        return Ok(());
    }
    let mode = args.first().map(String::as_str).unwrap_or("fused").to_string();
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let mut gen = random::Generator::from_seed(5);
    let dev = Device::cpu();
    let x = gen.uniform(&[BATCH, STEPS, FEATURES], 0.0, 1.0, DType::F32, &dev)?;
    let labels: Vec<u32> = (0..BATCH as u32).map(|i| i % CLASSES as u32).collect();
    let y = Tensor::from_vec(labels, &[BATCH], &dev)?;
    let k = Variable::new(
        "kernel",
        gen.uniform(&[FEATURES, 4 * UNITS], -0.1, 0.1, DType::F32, &dev)?,
    );
    let rk = Variable::new(
        "recurrent_kernel",
        gen.uniform(&[UNITS, 4 * UNITS], -0.1, 0.1, DType::F32, &dev)?,
    );
    let b = Variable::new("bias", Tensor::zeros(&[4 * UNITS], DType::F32, &dev)?);
    let dw = Variable::new("dense", gen.uniform(&[UNITS, CLASSES], -0.2, 0.2, DType::F32, &dev)?);
    let db = Variable::new("dense_bias", Tensor::zeros(&[CLASSES], DType::F32, &dev)?);
    let mut total = 0.0;
    let mut loss_value = 0.0;
    for step in 0..n {
        let start = Instant::now();
        let tape = GradientTape::new();
        let h = match mode.as_str() {
            "composed" => composed(&x, &k, &rk, &b)?,
            other => {
                let implementation = match other {
                    "fused" => nn::RnnImplementation::Fused,
                    "composite" => nn::RnnImplementation::Composite,
                    _ => {
                        return Err(tensorlow::Error::InvalidArgument(format!(
                            "unknown mode {other:?}: expected composed, fused or composite"
                        )))
                    }
                };
                let opts = nn::RnnOptions {
                    implementation,
                    ..Default::default()
                };
                nn::lstm(&x, &k, &rk, Some(&b), &opts)?.output
            }
        };
        let logits = (h.matmul(&dw)? + &*db)?;
        let loss = nn::sparse_softmax_cross_entropy_with_logits(&y, &logits)?.mean_all()?;
        let grads = tape.gradient_of(&loss, &[&k, &rk, &b, &dw, &db])?;
        loss_value = loss.to_scalar::<f32>()?;
        let _ = grads.iter().flatten().count();
        let took = start.elapsed().as_secs_f64();
        if step > 0 || n == 1 {
            total += took;
        }
    }
    let timed = if n > 1 { n - 1 } else { 1 };
    println!(
        "mode={mode} steps={n} mean_step_ms={:.2} loss={loss_value:.6}",
        total / timed as f64 * 1e3
    );
    Ok(())
}
