//! The hot pieces of a training step, one by one: matmul at W3's shapes,
//! softmax cross-entropy forward + backward, one fused Adam update of a
//! 784x512 kernel, the tape's recording overhead, and one training step per
//! workload shape (W2: 64-128-10 at batch 32; W3: 784-512-512-10 at batch
//! 128) in the tape and keras tiers.
//!
//! `cargo bench --bench hot_paths`

use criterion::{criterion_group, criterion_main, Criterion};
use deeprust::keras::layers::{Dense, Layer};
use deeprust::keras::optimizers::Adam;
use deeprust::keras::Sequential;
use deeprust::tf::{nn, random, train, DType, Device, GradientTape, Tensor, Variable};

fn normal(shape: &[usize], seed: u64) -> Tensor {
    random::Generator::from_seed(seed)
        .normal(shape, 0.0, 1.0, DType::F32, &Device::cpu())
        .unwrap()
}

fn labels(n: usize, classes: u32) -> Tensor {
    let v: Vec<u32> = (0..n as u32).map(|i| i % classes).collect();
    Tensor::from_vec(v, &[n], &Device::cpu()).unwrap()
}

fn matmul_w3(c: &mut Criterion) {
    let (x, w) = (normal(&[128, 784], 1), normal(&[784, 512], 2));
    c.bench_function("matmul_128x784_at_784x512", |b| b.iter(|| x.matmul(&w).unwrap()));
    let g = normal(&[128, 512], 3);
    c.bench_function("matmul_grad_w_784x128_at_128x512_transposed_view", |b| {
        b.iter(|| x.matmul_t(&g, true, false).unwrap())
    });
}

fn softmax_xent(c: &mut Criterion) {
    let logits = normal(&[128, 10], 4);
    let y = labels(128, 10);
    c.bench_function("sparse_softmax_xent_fwd_bwd_128x10", |b| {
        b.iter(|| {
            let tape = GradientTape::new();
            tape.watch(&logits);
            let l = nn::sparse_softmax_cross_entropy_with_logits(&y, &logits)
                .unwrap()
                .mean_all()
                .unwrap();
            tape.gradient(&l, &[&logits]).unwrap()
        })
    });
}

fn adam_update(c: &mut Criterion) {
    let w = Variable::new("w", normal(&[784, 512], 5));
    let (m, v) = (
        Variable::non_trainable("m", w.zeros_like().unwrap()),
        Variable::non_trainable("v", w.zeros_like().unwrap()),
    );
    let g = normal(&[784, 512], 6);
    c.bench_function("fused_adam_update_784x512", |b| {
        b.iter(|| train::apply_adam(&w, &m, &v, &g, 1e-3, 0.9, 0.999, 1e-7).unwrap())
    });
}

fn tape_overhead(c: &mut Criterion) {
    let x = normal(&[10, 5], 7);
    let chain = |x: &Tensor| {
        let mut h = x.clone();
        for _ in 0..10 {
            h = h.tanh().unwrap();
        }
        h
    };
    c.bench_function("ten_small_ops_no_tape", |b| b.iter(|| chain(&x)));
    c.bench_function("ten_small_ops_recorded", |b| {
        b.iter(|| {
            let tape = GradientTape::new();
            tape.watch(&x);
            chain(&x)
        })
    });
}

fn mlp(dims: &[usize]) -> (Vec<Variable>, Vec<(Variable, Variable)>) {
    random::set_seed(0);
    let mut p = Vec::new();
    for w in dims.windows(2) {
        p.push(Variable::new(
            "k",
            random::normal(&[w[0], w[1]], 0.0, 0.05, DType::F32, None).unwrap(),
        ));
        p.push(Variable::new(
            "b",
            Tensor::zeros(&[w[1]], DType::F32, &Device::cpu()).unwrap(),
        ));
    }
    let slots = p
        .iter()
        .map(|v| {
            (
                Variable::non_trainable("m", v.zeros_like().unwrap()),
                Variable::non_trainable("v", v.zeros_like().unwrap()),
            )
        })
        .collect();
    (p, slots)
}

fn tape_step(params: &[Variable], slots: &[(Variable, Variable)], x: &Tensor, y: &Tensor) {
    let tape = GradientTape::new();
    let mut h = x.clone();
    for (i, pair) in params.chunks(2).enumerate() {
        h = h.matmul(&pair[0]).unwrap().add(&pair[1]).unwrap();
        if i + 1 < params.len() / 2 {
            h = h.relu().unwrap();
        }
    }
    let loss = nn::sparse_softmax_cross_entropy_with_logits(y, &h)
        .unwrap()
        .mean_all()
        .unwrap();
    let refs: Vec<&Tensor> = params.iter().map(|p| &**p).collect();
    for ((p, g), (m, v)) in params.iter().zip(tape.gradient(&loss, &refs).unwrap()).zip(slots) {
        train::apply_adam(p, m, v, &g.unwrap(), 1e-3, 0.9, 0.999, 1e-7).unwrap();
    }
}

fn keras_model(dims: &[usize]) -> Sequential {
    random::set_seed(0);
    let mut layers: Vec<Box<dyn Layer>> = Vec::new();
    for (i, &u) in dims[1..].iter().enumerate() {
        let act = if i + 2 == dims.len() { "softmax" } else { "relu" };
        let d = Dense::new(u).activation(act);
        layers.push(Box::new(if i == 0 { d.input_shape(&[dims[0]]) } else { d }));
    }
    let mut m = Sequential::new(layers);
    m.compile(Adam::default(), "sparse_categorical_crossentropy", &["accuracy"])
        .unwrap();
    m
}

fn training_steps(c: &mut Criterion) {
    for (name, dims, batch) in [("w2", vec![64, 128, 10], 32), ("w3", vec![784, 512, 512, 10], 128)] {
        let x = normal(&[batch, dims[0]], 8);
        let y = labels(batch, 10);
        let (p, s) = mlp(&dims);
        c.bench_function(&format!("tape_step_{name}"), |b| b.iter(|| tape_step(&p, &s, &x, &y)));
        let mut m = keras_model(&dims);
        c.bench_function(&format!("keras_train_on_batch_{name}"), |b| {
            b.iter(|| m.train_on_batch(&x, &y, None).unwrap())
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = matmul_w3, softmax_xent, adam_update, tape_overhead, training_steps
}
criterion_main!(benches);
