//! A subclassed model — the Rust counterpart of subclassing `keras.Model` —
//! trained by the same `compile`/`fit`/`evaluate` as every other model, on
//! the standardized iris data (80/20 stratified split).
//!
//! ```sh
//! cargo run --release --example custom_model -- [--epochs 200] [--seed 0]
//! ```
//!
//! The Keras original:
//! ```python
//! class ResidualMLP(keras.Model):
//!     def __init__(self):
//!         super().__init__()
//!         self.inp = layers.Dense(16, activation="relu")
//!         self.block = layers.Dense(16, activation="relu")
//!         self.out = layers.Dense(3, activation="softmax")
//!     def call(self, x, training=False):
//!         h = self.inp(x)
//!         return self.out(h + self.block(h))
//! ```

use deeprust::keras::datasets::{read_csv, train_test_split, StandardScaler};
use deeprust::keras::layers::{Dense, Layer, LayerRef};
use deeprust::keras::models::{CustomModel, EvaluateOptions};
use deeprust::keras::{FitOptions, Model};
use deeprust::tf::{random, DType, Device, Tensor};

/// `out(h + block(h))` with `h = inp(x)`: a residual MLP.
struct ResidualMlp {
    inp: LayerRef<Dense>,
    block: LayerRef<Dense>,
    out: LayerRef<Dense>,
}

impl CustomModel for ResidualMlp {
    fn call(&self, inputs: &[Tensor], training: bool) -> deeprust::keras::Result<Vec<Tensor>> {
        let h = self.inp.call(&inputs[0], training)?;
        let skip = (&h + self.block.call(&h, training)?)?;
        Ok(vec![self.out.call(&skip, training)?])
    }

    fn layers(&self) -> Vec<LayerRef> {
        vec![
            self.inp.clone().erased(),
            self.block.clone().erased(),
            self.out.clone().erased(),
        ]
    }

    fn class_name(&self) -> &'static str {
        "ResidualMLP"
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("Error: {e}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let (mut epochs, mut seed) = (200usize, 0u64);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--epochs" => epochs = args.next().unwrap_or_default().parse()?,
            "--seed" => seed = args.next().unwrap_or_default().parse()?,
            "-h" | "--help" => {
                println!("custom_model: a subclassed residual MLP on iris\n\nOptions:\n  --epochs N   passes over the data [default: 200]\n  --seed N     seed of the weights and shuffling [default: 0]\n  -h, --help   print this help");
                return Ok(());
            }
            other => anyhow::bail!("unknown argument {other:?}; see --help"),
        }
    }
    random::set_seed(seed);
    let table = read_csv(concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv"))?;
    let (labels, classes) = table.class_labels();
    let (train, test) = train_test_split(table.n_rows, 0.2, Some(&labels), seed)?;
    let scaler = StandardScaler::fit(&table.rows(&train), table.n_features)?;
    let to_x = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<f32> = scaler.transform(&table.rows(idx))?.iter().map(|&v| v as f32).collect();
        Ok(Tensor::from_vec(v, &[idx.len(), table.n_features], &Device::cpu())?)
    };
    let to_y = |idx: &[usize]| -> anyhow::Result<Tensor> {
        let v: Vec<u32> = idx.iter().map(|&i| labels[i]).collect();
        Ok(Tensor::from_vec(v, &[idx.len()], &Device::cpu())?.one_hot(classes.len(), DType::F32)?)
    };

    let mut model = Model::custom(ResidualMlp {
        inp: Dense::new(16).activation("relu").shared(),
        block: Dense::new(16).activation("relu").shared(),
        out: Dense::new(3).activation("softmax").shared(),
    });
    model.compile("adam", "categorical_crossentropy", &["accuracy"])?;
    model.fit(
        &to_x(&train)?,
        &to_y(&train)?,
        FitOptions::default().epochs(epochs).batch_size(16).verbose(0),
    )?;
    model.print_summary();
    let logs = model.evaluate(&to_x(&test)?, &to_y(&test)?, EvaluateOptions::default().verbose(0))?;
    println!("test_loss={:.4}", logs["loss"]);
    println!("test_accuracy={:.4}", logs["accuracy"]);
    Ok(())
}
