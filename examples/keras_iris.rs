//! The course slide's Keras example, line for line: an MLP (4-5-3, sigmoid
//! hidden layer, softmax output) on the standardized iris data with an
//! 80/20 stratified split, trained with Adam.
//!
//! ```sh
//! cargo run --release --example keras_iris -- [--epochs 1000] [--seed 0] [--device cpu|cuda]
//! ```
//!
//! The Keras original:
//! ```python
//! model = Sequential([
//!     Dense(5, activation="sigmoid", input_shape=(4,)),
//!     Dense(3, activation="softmax"),
//! ])
//! model.compile(optimizer=Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
//! model.fit(X_train, y_train, epochs=1000, batch_size=10, verbose=1)
//! loss, accuracy = model.evaluate(X_test, y_test)
//! ```

use deeprust::keras::datasets::{read_csv, train_test_split, StandardScaler};
use deeprust::keras::layers::Dense;
use deeprust::keras::models::EvaluateOptions;
use deeprust::keras::optimizers::{Adam, AdamOptions};
use deeprust::keras::{FitOptions, Sequential};
use deeprust::tf::{random, DType, Device, Tensor};

struct Args {
    epochs: usize,
    seed: u64,
    device: Device,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        epochs: 1000,
        seed: 0,
        device: Device::cuda_if_available(0),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| anyhow::anyhow!("{flag} needs a value"));
        match flag.as_str() {
            "--epochs" => a.epochs = val()?.parse()?,
            "--seed" => a.seed = val()?.parse()?,
            "--device" => a.device = Device::parse(&val()?)?,
            other => anyhow::bail!("unknown flag {other}; expected --epochs, --seed or --device"),
        }
    }
    Ok(a)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    println!("device: {}", args.device);
    random::set_seed(args.seed);

    // Data: iris, 80/20 stratified split, standardized on the training rows.
    let table = read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?;
    let (labels, classes) = table.class_labels();
    let (train, test) = train_test_split(table.n_rows, 0.2, Some(&labels), args.seed)?;
    let scaler = StandardScaler::fit(&table.rows(&train), table.n_features)?;
    let to_x = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<f32> = scaler.transform(&table.rows(idx))?.iter().map(|&v| v as f32).collect();
        Ok(Tensor::from_vec(v, &[idx.len(), table.n_features], &Device::cpu())?)
    };
    let to_y = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<u32> = idx.iter().map(|&i| labels[i]).collect();
        Ok(Tensor::from_vec(v, &[idx.len()], &Device::cpu())?.one_hot(classes.len(), DType::F32)?)
    };
    let (x_train, y_train) = (to_x(&train)?, to_y(&train)?);
    let (x_test, y_test) = (to_x(&test)?, to_y(&test)?);

    let mut model = Sequential::new(vec![
        Box::new(Dense::new(5).activation("sigmoid").input_shape(&[4])),
        Box::new(Dense::new(3).activation("softmax")),
    ])
    .with_device(args.device.clone())?;
    model.compile(
        Adam::new(AdamOptions {
            learning_rate: 0.01.into(),
            ..AdamOptions::default()
        }),
        "categorical_crossentropy",
        &["accuracy"],
    )?;
    model.print_summary();
    model.fit(
        &x_train,
        &y_train,
        FitOptions {
            epochs: args.epochs,
            batch_size: 10,
            verbose: 1,
            ..FitOptions::default()
        },
    )?;
    let logs = model.evaluate(&x_test, &y_test, EvaluateOptions::default())?;
    println!("test_loss={:.4}", logs["loss"]);
    println!("test_accuracy={:.4}", logs["accuracy"]);
    Ok(())
}
