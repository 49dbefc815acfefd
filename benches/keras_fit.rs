//! keraslike's training loop on the iris 4-5-3 MLP (sigmoid hidden layer,
//! softmax output, Adam, categorical cross-entropy + accuracy, batch 10):
//! one `fit` epoch of 12 steps (divide by 12 for µs/step), and one
//! `train_on_batch` step, for comparison with `iris_step` (the bare tape step).
//!
//! `cargo bench --bench keras_fit`

use criterion::{criterion_group, criterion_main, Criterion};
use deeprust::keras::layers::Dense;
use deeprust::keras::optimizers::Adam;
use deeprust::keras::{FitOptions, Sequential};
use deeprust::tf::{random, DType, Device, Tensor};

fn data() -> (Tensor, Tensor) {
    let mut g = random::Generator::from_seed(0);
    let x: Vec<f32> = (0..120 * 4).map(|_| g.next_normal() as f32).collect();
    let y: Vec<u32> = (0..120).map(|i| (i % 3) as u32).collect();
    let x = Tensor::from_vec(x, &[120, 4], &Device::cpu()).unwrap();
    let y = Tensor::from_vec(y, &[120], &Device::cpu())
        .unwrap()
        .one_hot(3, DType::F32)
        .unwrap();
    (x, y)
}

fn model() -> Sequential {
    random::set_seed(0);
    let mut m = Sequential::new(vec![
        Box::new(Dense::new(5).activation("sigmoid").input_shape(&[4])),
        Box::new(Dense::new(3).activation("softmax")),
    ]);
    let adam = Adam::new(0.01);
    m.compile(adam, "categorical_crossentropy", &["accuracy"]).unwrap();
    m
}

fn fit_epoch(c: &mut Criterion) {
    let (x, y) = data();
    let mut m = model();
    c.bench_function("keras_fit_epoch_iris_4_5_3_batch10_12_steps", |b| {
        b.iter(|| {
            let opts = FitOptions {
                epochs: 1,
                batch_size: 10,
                verbose: 0,
                seed: Some(1),
                ..FitOptions::default()
            };
            m.fit(&x, &y, opts).unwrap()
        })
    });
}

fn train_on_batch(c: &mut Criterion) {
    let (x, y) = data();
    let (xb, yb) = (x.narrow(0, 0, 10).unwrap(), y.narrow(0, 0, 10).unwrap());
    let mut m = model();
    c.bench_function("keras_train_on_batch_iris_4_5_3_batch10", |b| {
        b.iter(|| m.train_on_batch(&xb, &yb, None).unwrap())
    });
}

criterion_group!(benches, fit_epoch, train_on_batch);
criterion_main!(benches);
