//! One training step of the 4-5-3 iris MLP (batch 10, sigmoid hidden layer,
//! softmax cross-entropy) through tensorlow's GradientTape and plain
//! gradient descent — the unit of work of workload W1 — next to the same
//! step written directly on candle with candle's own backprop.
//!
//! `cargo bench --bench iris_step`

use candle_core::{DType as CDType, Device as CDevice, Var};
use criterion::{criterion_group, criterion_main, Criterion};
use deeprust::tf::{nn, random, DType, Device, GradientTape, Tensor, Variable};

fn batch() -> (Vec<f32>, Vec<u32>) {
    let mut g = random::Generator::from_seed(0);
    let x: Vec<f32> = (0..40).map(|_| g.next_normal() as f32).collect();
    let y: Vec<u32> = (0..10).map(|i| (i % 3) as u32).collect();
    (x, y)
}

fn tape_step(c: &mut Criterion) {
    let (xv, yv) = batch();
    let dev = Device::cpu();
    let x = Tensor::from_vec(xv, &[10, 4], &dev).unwrap();
    let y = Tensor::from_vec(yv, &[10], &dev).unwrap();
    random::set_seed(0);
    let w1 = Variable::new("w1", random::normal(&[4, 5], 0.0, 0.5, DType::F32, None).unwrap());
    let b1 = Variable::new("b1", Tensor::zeros(&[5], DType::F32, &dev).unwrap());
    let w2 = Variable::new("w2", random::normal(&[5, 3], 0.0, 0.5, DType::F32, None).unwrap());
    let b2 = Variable::new("b2", Tensor::zeros(&[3], DType::F32, &dev).unwrap());
    let vars = [&w1, &b1, &w2, &b2];
    c.bench_function("tape_step_iris_4_5_3_batch10_gd", |bch| {
        bch.iter(|| {
            let tape = GradientTape::new();
            let h = x.matmul(&w1).unwrap().add(&b1).unwrap().sigmoid().unwrap();
            let logits = h.matmul(&w2).unwrap().add(&b2).unwrap();
            let loss = nn::sparse_softmax_cross_entropy_with_logits(&y, &logits)
                .unwrap()
                .mean_all()
                .unwrap();
            let grads = tape.gradient(&loss, &vars.map(|v| &**v)).unwrap();
            for (v, g) in vars.iter().zip(grads) {
                v.assign_sub(&(g.unwrap() * 0.1).unwrap()).unwrap();
            }
        })
    });
}

fn candle_step(c: &mut Criterion) {
    let (xv, yv) = batch();
    let dev = CDevice::Cpu;
    let x = candle_core::Tensor::from_vec(xv, (10, 4), &dev).unwrap();
    let y = candle_core::Tensor::from_vec(yv, 10, &dev).unwrap();
    let w1 = Var::randn(0f32, 0.5, (4, 5), &dev).unwrap();
    let b1 = Var::zeros(5, CDType::F32, &dev).unwrap();
    let w2 = Var::randn(0f32, 0.5, (5, 3), &dev).unwrap();
    let b2 = Var::zeros(3, CDType::F32, &dev).unwrap();
    c.bench_function("raw_candle_step_iris_4_5_3_batch10_gd", |bch| {
        bch.iter(|| {
            let h = candle_nn::ops::sigmoid(&x.matmul(&w1).unwrap().broadcast_add(&b1).unwrap()).unwrap();
            let logits = h.matmul(&w2).unwrap().broadcast_add(&b2).unwrap();
            let lsm = candle_nn::ops::log_softmax(&logits, 1).unwrap();
            let loss = candle_nn::loss::nll(&lsm, &y).unwrap();
            let grads = loss.backward().unwrap();
            for v in [&w1, &b1, &w2, &b2] {
                let g = grads.get(v).unwrap();
                v.set(&(v.as_tensor() - (g * 0.1).unwrap()).unwrap()).unwrap();
            }
        })
    });
}

criterion_group!(benches, tape_step, candle_step);
criterion_main!(benches);
