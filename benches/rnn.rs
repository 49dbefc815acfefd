//! The recurrent ops at W5's shapes (batch 128, 28 steps of 28 features,
//! 128 units): one LSTM and one GRU (reset_after) forward + backward
//! through time, gradients of the kernels, the recurrent kernel and the
//! bias, as in one W5 training step without the dense head; and the LSTM's
//! forward alone.
//!
//! `cargo bench -p deeprust-benches --bench rnn`

use criterion::{criterion_group, criterion_main, Criterion};
use deeprust::tf::{nn, random, DType, Device, GradientTape, Tensor, Variable};

const BATCH: usize = 128;
const STEPS: usize = 28;
const FEATURES: usize = 28;
const UNITS: usize = 128;

fn uniform(shape: &[usize], scale: f64, seed: u64) -> Tensor {
    random::Generator::from_seed(seed)
        .uniform(shape, -scale, scale, DType::F32, &Device::cpu())
        .unwrap()
}

/// Input, kernel, recurrent kernel and bias of a cell with `gates` gates.
fn weights(gates: usize, bias: &[usize]) -> (Tensor, Variable, Variable, Variable) {
    (
        uniform(&[BATCH, STEPS, FEATURES], 1.0, 1),
        Variable::new("kernel", uniform(&[FEATURES, gates * UNITS], 0.1, 2)),
        Variable::new("recurrent_kernel", uniform(&[UNITS, gates * UNITS], 0.1, 3)),
        Variable::new("bias", uniform(bias, 0.1, 4)),
    )
}

fn lstm(c: &mut Criterion) {
    let (x, k, rk, b) = weights(4, &[4 * UNITS]);
    let opts = nn::RnnOptions::default();
    let head = uniform(&[BATCH, UNITS], 1.0, 5);
    c.bench_function("lstm_w5_forward_128x28x28_units128", |bench| {
        bench.iter(|| nn::lstm(&x, &k, &rk, Some(&b), &opts).unwrap())
    });
    c.bench_function("lstm_w5_forward_backward_128x28x28_units128", |bench| {
        bench.iter(|| {
            let tape = GradientTape::new();
            let h = nn::lstm(&x, &k, &rk, Some(&b), &opts).unwrap().output;
            let loss = h.mul(&head).unwrap().sum_all().unwrap();
            tape.gradient_of(&loss, &[&k, &rk, &b]).unwrap()
        })
    });
}

fn gru(c: &mut Criterion) {
    let (x, k, rk, b) = weights(3, &[2, 3 * UNITS]);
    let opts = nn::RnnOptions::default();
    let head = uniform(&[BATCH, UNITS], 1.0, 5);
    c.bench_function("gru_w5_forward_backward_128x28x28_units128", |bench| {
        bench.iter(|| {
            let tape = GradientTape::new();
            let h = nn::gru(&x, &k, &rk, Some(&b), true, &opts).unwrap().output;
            let loss = h.mul(&head).unwrap().sum_all().unwrap();
            tape.gradient_of(&loss, &[&k, &rk, &b]).unwrap()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = lstm, gru
}
criterion_main!(benches);
