//! The three tiers of the workload runner. Each returns (training seconds, outcome).

use super::{Outcome, Workload};
use deeprust::tf::{nn, random, train, DType, GradientTape, Tensor, Variable};
use std::time::Instant;

fn accuracy(pred: &Tensor, truth: &[u32]) -> anyhow::Result<f64> {
    let p = pred.argmax(-1)?.to_vec::<i64>()?;
    Ok(p.iter().zip(truth).filter(|(a, b)| **a == **b as i64).count() as f64 / truth.len() as f64)
}

/// A hand-written tensorlow loop: GradientTape, Glorot-uniform weights,
/// sparse softmax cross-entropy on logits, fused in-place Adam (Keras' form).
pub fn tape(w: &Workload, seed: u64) -> anyhow::Result<(f64, Outcome)> {
    let dev = w.device.clone();
    random::set_seed(seed);
    let mut dims = vec![w.n_features];
    dims.extend(&w.hidden);
    dims.push(w.n_classes);
    let mut params = Vec::new();
    for (i, win) in dims.windows(2).enumerate() {
        let limit = (6.0 / (win[0] + win[1]) as f64).sqrt();
        let k = random::uniform(&[win[0], win[1]], -limit, limit, DType::F32, None)?.to_device(&dev)?;
        params.push(Variable::new(format!("dense_{i}/kernel"), k));
        params.push(Variable::new(
            format!("dense_{i}/bias"),
            Tensor::zeros(&[win[1]], DType::F32, &dev)?,
        ));
    }
    let slots: Vec<(Variable, Variable)> = params
        .iter()
        .map(|p| {
            let z = p.zeros_like()?;
            Ok((Variable::non_trainable("m", z.clone()), Variable::non_trainable("v", z)))
        })
        .collect::<anyhow::Result<_>>()?;
    let forward = |x: &Tensor| -> anyhow::Result<Tensor> {
        let mut h = x.clone();
        let last = params.len() / 2 - 1;
        for (l, pair) in params.chunks(2).enumerate() {
            h = h.matmul(&pair[0])?.add(&pair[1])?;
            if l < last {
                h = if w.activation == "sigmoid" {
                    h.sigmoid()?
                } else {
                    h.relu()?
                };
            }
        }
        Ok(h)
    };
    let n = w.n_train();
    let x = Tensor::from_slice(&w.x_train, &[n, w.n_features], &dev)?;
    let y = Tensor::from_slice(&w.y_train, &[n], &dev)?;
    let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-7);
    let mut gen = random::Generator::from_seed(seed);
    let mut order: Vec<u32> = (0..n as u32).collect();
    let mut t = 0i32;
    let mut last_loss = 0.0;
    let start = Instant::now();
    for _epoch in 0..w.epochs {
        gen.shuffle(&mut order);
        let mut epoch_loss: Option<Tensor> = None;
        let mut batches = 0;
        for chunk in order.chunks(w.batch) {
            let idx = Tensor::from_slice(chunk, &[chunk.len()], &dev)?;
            let (xb, yb) = (x.gather(&idx, 0)?, y.gather(&idx, 0)?);
            let tape = GradientTape::new();
            let logits = forward(&xb)?;
            let loss = nn::sparse_softmax_cross_entropy_with_logits(&yb, &logits)?.mean_all()?;
            let refs: Vec<&Tensor> = params.iter().map(|p| &**p).collect();
            let grads = tape.gradient(&loss, &refs)?;
            t += 1;
            let lr_t = w.lr * (1.0 - b2.powi(t)).sqrt() / (1.0 - b1.powi(t));
            for ((p, g), (m, v)) in params.iter().zip(grads).zip(&slots) {
                let g = g.ok_or_else(|| anyhow::anyhow!("no gradient for {}", p.name()))?;
                train::apply_adam(p, m, v, &g, lr_t, b1, b2, eps)?;
            }
            // The epoch's loss stays on the device; it is read once per epoch.
            epoch_loss = Some(match epoch_loss {
                None => loss.stop_gradient(),
                Some(acc) => acc.add(&loss)?,
            });
            batches += 1;
        }
        if let Some(l) = epoch_loss {
            last_loss = l.to_scalar::<f32>()? as f64 / batches as f64;
        }
    }
    dev.synchronize()?;
    let secs = start.elapsed().as_secs_f64();
    let test_accuracy = match (&w.x_test, &w.y_test) {
        (Some(xt), Some(yt)) => {
            let xt = Tensor::from_slice(xt, &[yt.len(), w.n_features], &dev)?;
            Some(accuracy(&forward(&xt)?, yt)?)
        }
        _ => None,
    };
    Ok((
        secs,
        Outcome {
            final_loss: last_loss,
            test_accuracy,
        },
    ))
}

/// `Sequential::fit(verbose=0)` with Adam, softmax output and categorical
/// cross-entropy on one-hot labels, as the peers' Keras script.
pub fn keras(w: &Workload, seed: u64) -> anyhow::Result<(f64, Outcome)> {
    use deeprust::keras::layers::{Dense, Layer};
    use deeprust::keras::optimizers::Adam;
    use deeprust::keras::{FitOptions, Sequential};
    let dev = w.device.clone();
    random::set_seed(seed);
    let mut layers: Vec<Box<dyn Layer>> = Vec::new();
    for (i, &h) in w.hidden.iter().enumerate() {
        let d = Dense::new(h).activation(w.activation);
        layers.push(Box::new(if i == 0 { d.input_shape(&[w.n_features]) } else { d }));
    }
    layers.push(Box::new(Dense::new(w.n_classes).activation("softmax")));
    let mut model = Sequential::new(layers).with_device(dev.clone())?;
    let adam = Adam::new(w.lr);
    model.compile(adam, "categorical_crossentropy", &["accuracy"])?;
    let n = w.n_train();
    let x = Tensor::from_slice(&w.x_train, &[n, w.n_features], &dev)?;
    let y = Tensor::from_slice(&w.y_train, &[n], &dev)?.one_hot(w.n_classes, DType::F32)?;
    let mut opts = FitOptions {
        epochs: w.epochs,
        batch_size: w.batch,
        verbose: 0,
        seed: Some(seed),
        ..FitOptions::default()
    };
    // --tensorboard DIR adds Keras' TensorBoard callback (by default
    // epoch-level scalars), to measure what logging costs a run.
    if let Some((dir, update_freq)) = &w.tensorboard {
        use deeprust::keras::callbacks::{TensorBoard, TensorBoardOptions};
        let options = TensorBoardOptions {
            update_freq: *update_freq,
            ..TensorBoardOptions::default()
        };
        opts.callbacks.push(Box::new(TensorBoard::new(dir.clone(), options)));
    }
    let start = Instant::now();
    let history = model.fit(&x, &y, opts)?;
    dev.synchronize()?;
    let secs = start.elapsed().as_secs_f64();
    let test_accuracy = match (&w.x_test, &w.y_test) {
        (Some(xt), Some(yt)) => {
            let xt = Tensor::from_slice(xt, &[yt.len(), w.n_features], &dev)?;
            let opts = deeprust::keras::models::PredictOptions {
                verbose: 0,
                ..Default::default()
            };
            Some(accuracy(&model.predict(&xt, opts)?, yt)?)
        }
        _ => None,
    };
    let final_loss = history.last("loss").unwrap_or(f64::NAN);
    Ok((
        secs,
        Outcome {
            final_loss,
            test_accuracy,
        },
    ))
}

/// `MLPClassifier(solver="adam")` with the peers' settings: `alpha=0`,
/// `tol=0` and a huge `n_iter_no_change`, so every epoch runs.
pub fn sklearn(w: &Workload, seed: u64) -> anyhow::Result<(f64, Outcome)> {
    use deeprust::sklearn::neural_network::{Activation, MlpClassifier, MlpOptions, Solver};
    let act = if w.activation == "sigmoid" {
        Activation::Logistic
    } else {
        Activation::Relu
    };
    let mut clf = MlpClassifier::<i64>::new(
        MlpOptions::default()
            .hidden_layer_sizes(&w.hidden)
            .activation(act)
            .solver(Solver::Adam)
            .learning_rate_init(w.lr)
            .batch_size(w.batch)
            .max_iter(w.epochs)
            .alpha(0.0)
            .tol(0.0)
            .n_iter_no_change(1_000_000)
            .random_state(seed),
    );
    let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    let x = f64s(&w.x_train);
    let y: Vec<i64> = w.y_train.iter().map(|&c| c as i64).collect();
    let start = Instant::now();
    clf.fit((&x, w.n_features), &y)?;
    let secs = start.elapsed().as_secs_f64();
    let test_accuracy = match (&w.x_test, &w.y_test) {
        (Some(xt), Some(yt)) => {
            let yt: Vec<i64> = yt.iter().map(|&c| c as i64).collect();
            Some(clf.score((&f64s(xt), w.n_features), &yt)?)
        }
        _ => None,
    };
    Ok((
        secs,
        Outcome {
            final_loss: clf.loss(),
            test_accuracy,
        },
    ))
}
