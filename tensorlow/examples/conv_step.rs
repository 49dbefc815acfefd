//! One W4-shaped training step at the tape level, to profile the
//! convolution and pooling kernels (issue 13): batch 128 of 28x28x1 →
//! Conv2D(32, 3, relu) → MaxPool 2 → Conv2D(64, 3, relu) → MaxPool 2 →
//! Flatten → Dense(10), softmax cross-entropy, gradients of all six
//! weights. No optimizer: the weights stay fixed, so every step does the
//! same arithmetic and the printed checksums compare kernels.
//!
//! ```text
//! cargo run --release -p tensorlow --example conv_step -- [steps] [fwd]
//! valgrind --tool=callgrind target/release/examples/conv_step 2
//! ```
//! `fwd` times the forward pass alone (no tape).

use std::time::Instant;
use tensorlow::nn::{self, Padding};
use tensorlow::{random, DType, GradientTape, Result, Tensor, Variable};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let steps: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(5);
    let fwd_only = args.get(2).is_some_and(|s| s == "fwd");
    let batch = 128;
    let x = random::uniform(&[batch, 28, 28, 1], 0.0, 1.0, DType::F32, Some(1))?;
    let labels: Vec<f32> = (0..batch)
        .flat_map(|i| (0..10).map(move |c| f32::from(c == i % 10)))
        .collect();
    let y = Tensor::new(&labels, &[batch, 10])?;
    let glorot = |shape: &[usize], fan: usize, seed| {
        random::normal(shape, 0.0, (2.0 / fan as f64).sqrt(), DType::F32, Some(seed))
    };
    let w1 = Variable::new("w1", glorot(&[3, 3, 1, 32], 9, 2)?);
    let b1 = Variable::new("b1", random::normal(&[32], 0.0, 0.1, DType::F32, Some(3))?);
    let w2 = Variable::new("w2", glorot(&[3, 3, 32, 64], 288, 4)?);
    let b2 = Variable::new("b2", random::normal(&[64], 0.0, 0.1, DType::F32, Some(5))?);
    let w3 = Variable::new("w3", glorot(&[1600, 10], 1600, 6)?);
    let b3 = Variable::new("b3", random::normal(&[10], 0.0, 0.1, DType::F32, Some(7))?);
    let forward = || -> Result<Tensor> {
        let h = (nn::conv2d(&x, &w1, (1, 1), Padding::Valid, (1, 1))? + &*b1)?.relu()?;
        let h = nn::max_pool2d(&h, (2, 2), (2, 2), Padding::Valid)?;
        let h = (nn::conv2d(&h, &w2, (1, 1), Padding::Valid, (1, 1))? + &*b2)?.relu()?;
        let h = nn::max_pool2d(&h, (2, 2), (2, 2), Padding::Valid)?;
        let logits = (h.reshape(&[batch, 1600])?.matmul(&w3)? + &*b3)?;
        nn::softmax_cross_entropy_with_logits(&y, &logits, -1)?.mean_all()
    };
    let vars = [&w1, &b1, &w2, &b2, &w3, &b3];
    let mut times = Vec::new();
    for step in 0..steps {
        let t0 = Instant::now();
        if fwd_only {
            let loss = forward()?;
            let l: f32 = loss.to_scalar()?;
            times.push(t0.elapsed().as_secs_f64());
            if step == 0 {
                println!("loss {l:.6}");
            }
            continue;
        }
        let tape = GradientTape::new();
        let loss = forward()?;
        let grads = tape.gradient_of(&loss, &vars)?;
        let mut sums = Vec::new();
        for g in &grads {
            let g = g.as_ref().expect("every weight has a gradient");
            sums.push(g.abs()?.sum_all()?.to_scalar::<f32>()?);
        }
        times.push(t0.elapsed().as_secs_f64());
        if step == 0 {
            println!("loss {:.6} |grad| {sums:?}", loss.to_scalar::<f32>()?);
        }
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if let Some(m) = times.get(times.len() / 2) {
        println!(
            "{} steps, median {:.2} ms/step ({})",
            steps,
            m * 1e3,
            if fwd_only { "forward" } else { "forward+backward" }
        );
    }
    Ok(())
}
