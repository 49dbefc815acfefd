//! Convolution and pooling at W4's shapes (Keras' MNIST convnet, batch 128:
//! 28x28x1 -> Conv2D(32, 3) -> MaxPool 2 -> Conv2D(64, 3) -> MaxPool 2 ->
//! Dense(10)), forward and forward + backward, and the whole tape-level
//! step (gradients of all six weights, no optimizer).
//!
//! `cargo bench --bench conv`

use criterion::{criterion_group, criterion_main, Criterion};
use deeprust::tf::nn::{self, Padding};
use deeprust::tf::{random, DType, Device, GradientTape, Gradients, Tensor};

fn normal(shape: &[usize], std: f64, seed: u64) -> Tensor {
    random::Generator::from_seed(seed)
        .normal(shape, 0.0, std, DType::F32, &Device::cpu())
        .unwrap()
}

/// `sum(conv2d(x, w) * g)`'s gradients: the input gradient (when `need_x`)
/// and the filter gradient, as a training step computes them.
fn conv_fwd_bwd(x: &Tensor, w: &Tensor, g: &Tensor, need_x: bool) -> Gradients {
    let tape = GradientTape::new();
    tape.watch(x);
    tape.watch(w);
    let y = nn::conv2d(x, w, (1, 1), Padding::Valid, (1, 1)).unwrap();
    let sources: Vec<&Tensor> = if need_x { vec![x, w] } else { vec![w] };
    tape.gradient_with(&y, &sources, Some(g), Default::default()).unwrap()
}

fn convs(c: &mut Criterion) {
    let x1 = normal(&[128, 28, 28, 1], 1.0, 1);
    let w1 = normal(&[3, 3, 1, 32], 0.3, 2);
    let g1 = normal(&[128, 26, 26, 32], 1.0, 3);
    let x2 = normal(&[128, 13, 13, 32], 1.0, 4);
    let w2 = normal(&[3, 3, 32, 64], 0.1, 5);
    let g2 = normal(&[128, 11, 11, 64], 1.0, 6);
    c.bench_function("conv2d_w4_conv1_fwd_128x28x28x1_3x3x32", |b| {
        b.iter(|| nn::conv2d(&x1, &w1, (1, 1), Padding::Valid, (1, 1)).unwrap())
    });
    c.bench_function("conv2d_w4_conv1_fwd_bwd_filter_only", |b| {
        b.iter(|| conv_fwd_bwd(&x1, &w1, &g1, false))
    });
    c.bench_function("conv2d_w4_conv2_fwd_128x13x13x32_3x3x64", |b| {
        b.iter(|| nn::conv2d(&x2, &w2, (1, 1), Padding::Valid, (1, 1)).unwrap())
    });
    c.bench_function("conv2d_w4_conv2_fwd_bwd_input_and_filter", |b| {
        b.iter(|| conv_fwd_bwd(&x2, &w2, &g2, true))
    });
}

fn pools(c: &mut Criterion) {
    let x = normal(&[128, 26, 26, 32], 1.0, 7);
    let g = normal(&[128, 13, 13, 32], 1.0, 8);
    c.bench_function("max_pool2d_w4_fwd_128x26x26x32_2x2", |b| {
        b.iter(|| nn::max_pool2d(&x, (2, 2), (2, 2), Padding::Valid).unwrap())
    });
    let fwd_bwd = |max: bool| {
        let tape = GradientTape::new();
        tape.watch(&x);
        let y = if max {
            nn::max_pool2d(&x, (2, 2), (2, 2), Padding::Valid)
        } else {
            nn::avg_pool2d(&x, (2, 2), (2, 2), Padding::Valid)
        }
        .unwrap();
        tape.gradient_with(&y, &[&x], Some(&g), Default::default()).unwrap()
    };
    c.bench_function("max_pool2d_w4_fwd_bwd", |b| b.iter(|| fwd_bwd(true)));
    c.bench_function("avg_pool2d_w4_fwd_bwd", |b| b.iter(|| fwd_bwd(false)));
}

fn w4_step(c: &mut Criterion) {
    let x = random::Generator::from_seed(9)
        .uniform(&[128, 28, 28, 1], 0.0, 1.0, DType::F32, &Device::cpu())
        .unwrap();
    let labels: Vec<u32> = (0..128).map(|i| i % 10).collect();
    let y = Tensor::from_vec(labels, &[128], &Device::cpu()).unwrap();
    let w = [
        normal(&[3, 3, 1, 32], 0.47, 10),
        normal(&[32], 0.1, 11),
        normal(&[3, 3, 32, 64], 0.08, 12),
        normal(&[64], 0.1, 13),
        normal(&[1600, 10], 0.035, 14),
        normal(&[10], 0.1, 15),
    ];
    c.bench_function("w4_tape_step_fwd_bwd_batch128", |b| {
        b.iter(|| {
            let tape = GradientTape::new();
            for v in &w {
                tape.watch(v);
            }
            let h = (nn::conv2d(&x, &w[0], (1, 1), Padding::Valid, (1, 1)).unwrap() + &w[1])
                .unwrap()
                .relu()
                .unwrap();
            let h = nn::max_pool2d(&h, (2, 2), (2, 2), Padding::Valid).unwrap();
            let h = (nn::conv2d(&h, &w[2], (1, 1), Padding::Valid, (1, 1)).unwrap() + &w[3])
                .unwrap()
                .relu()
                .unwrap();
            let h = nn::max_pool2d(&h, (2, 2), (2, 2), Padding::Valid).unwrap();
            let logits = (h.reshape(&[128, 1600]).unwrap().matmul(&w[4]).unwrap() + &w[5]).unwrap();
            let loss = nn::sparse_softmax_cross_entropy_with_logits(&y, &logits)
                .unwrap()
                .mean_all()
                .unwrap();
            tape.gradient(&loss, &w.iter().collect::<Vec<_>>()).unwrap()
        })
    });
}

criterion_group!(benches, convs, pools, w4_step);
criterion_main!(benches);
