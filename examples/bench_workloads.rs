//! The workload runner of the speed comparison (`BENCHMARKS.md`): trains
//! W1/W2/W3 exactly as the peers' scripts do and prints one JSON line per run.
//!
//! ```sh
//! cargo run --release --example bench_workloads -- --workload w1|w2|w3 --api tape|keras|sklearn [--seed N] [--repeat N]
//!     [--device cpu|cuda] [--batch N] [--epochs N]   # overrides, e.g. for the GPU check
//!     [--tensorboard DIR [--tensorboard-update-freq epoch|batch|N]]   # keras tier: logging's cost
//! cargo run --release --example bench_workloads -- --help
//! ```
//!
//! Output: one JSON line per run on stdout (the last line is the last run's),
//! and a readable summary of each run on stderr (not with `--quiet`).
//!
//! | id | data | model | optimizer | batch | epochs |
//! |---|---|---|---|---|---|
//! | W1 | iris, z-scored with train mean/std, scikit-learn's stratified 120/30 split | 4-5(sigmoid)-3(softmax) | Adam 0.01 | 10 | 1000 |
//! | W2 | digits / 16, 1437/360 split | 64-128(relu)-10 | Adam 1e-3 | 32 | 50 |
//! | W3 | synthetic 60,000 x 784 N(0,1), labels argmax(X T) for a N(0,1) teacher T | 784-512-512-10 relu | Adam 1e-3 | 128 | 2 |
//!
//! The splits are the peers' own (`data/splits/`, dumped by their
//! `common.py`). W3's numbers come from our seeded generator rather than
//! numpy's (same distribution and rule; timing does not depend on the draw).
//! Only training is timed. Tiers: `tape` is a hand-written tensorlow loop
//! (GradientTape + Adam written with tensorlow ops, Keras' form, epsilon
//! 1e-7), `keras` is `Sequential::fit(verbose=0)` with `Adam`, `sklearn` is
//! `MLPClassifier(solver="adam")` with the peers' settings (epsilon 1e-8,
//! `alpha=0`, `tol=0`, `n_iter_no_change` huge so every epoch runs).

#[path = "common/cli.rs"]
mod cli;
#[path = "bench_workloads/tiers.rs"]
mod tiers;

use clap::Parser;
use deeprust::tf::random::Generator;
use deeprust::tf::Device;
use std::process::ExitCode;
use std::time::Instant;

/// The workload runner of the speed comparison (BENCHMARKS.md): trains one
/// workload with one tier and prints one JSON line per run.
#[derive(Parser, Debug)]
#[command(name = "bench_workloads")]
struct Args {
    /// Workload: w1 (iris), w2 (digits) or w3 (synthetic 60,000 x 784)
    #[arg(long, default_value = "w1", value_parser = ["w1", "w2", "w3"])]
    workload: String,
    /// Tier: tape (hand-written GradientTape loop), keras (Sequential::fit) or sklearn (MLPClassifier)
    #[arg(long, default_value = "tape", value_parser = ["tape", "keras", "sklearn"])]
    api: String,
    /// Seed of the first run (run r uses seed + r)
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Runs, each with its own seed
    #[arg(long, default_value_t = 1)]
    repeat: usize,
    /// Device (default: the workload's, the CPU); cpu, cuda, cuda:N or auto
    #[arg(long, value_parser = cli::device)]
    device: Option<Device>,
    /// Batch size (default: the workload's)
    #[arg(long)]
    batch: Option<usize>,
    /// Epochs (default: the workload's)
    #[arg(long)]
    epochs: Option<usize>,
    /// Keras tier only: add the TensorBoard callback, writing its event files under DIR,
    /// to measure what logging costs a run [default: no callback]
    #[arg(long, value_name = "DIR")]
    tensorboard: Option<std::path::PathBuf>,
    /// With --tensorboard: its update_freq, epoch (Keras' default), batch or N (every N-th batch)
    #[arg(long, default_value = "epoch", value_name = "FREQ", requires = "tensorboard",
          value_parser = |s: &str| s.parse::<deeprust::keras::callbacks::UpdateFreq>().map_err(|e| e.to_string()))]
    tensorboard_update_freq: deeprust::keras::callbacks::UpdateFreq,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

/// One workload's data and settings.
pub struct Workload {
    pub name: &'static str,
    pub x_train: Vec<f32>,
    pub y_train: Vec<u32>,
    pub x_test: Option<Vec<f32>>,
    pub y_test: Option<Vec<u32>>,
    pub n_features: usize,
    pub n_classes: usize,
    pub hidden: Vec<usize>,
    pub activation: &'static str,
    pub lr: f64,
    pub batch: usize,
    pub epochs: usize,
    pub device: Device,
    /// The keras tier's TensorBoard callback: its log folder and update_freq.
    pub tensorboard: Option<(std::path::PathBuf, deeprust::keras::callbacks::UpdateFreq)>,
}

impl Workload {
    pub fn n_train(&self) -> usize {
        self.y_train.len()
    }
    pub fn steps(&self) -> usize {
        self.epochs * self.n_train().div_ceil(self.batch)
    }
}

/// What a tier reports after training.
pub struct Outcome {
    pub final_loss: f64,
    pub test_accuracy: Option<f64>,
}

fn read_idx(name: &str) -> anyhow::Result<Vec<usize>> {
    let p = format!("{}/data/splits/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&p).map_err(|e| anyhow::anyhow!("{p}: {e}"))?;
    Ok(text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.trim().parse())
        .collect::<Result<_, _>>()?)
}

fn csv_split(stem: &str) -> anyhow::Result<(deeprust::keras::datasets::Table, Vec<usize>, Vec<usize>)> {
    let t = deeprust::keras::datasets::read_csv(format!("{}/data/{stem}.csv", env!("CARGO_MANIFEST_DIR")))?;
    Ok((
        t,
        read_idx(&format!("{stem}_train_idx.txt"))?,
        read_idx(&format!("{stem}_test_idx.txt"))?,
    ))
}

fn labels(t: &deeprust::keras::datasets::Table, idx: &[usize]) -> anyhow::Result<Vec<u32>> {
    idx.iter().map(|&i| Ok(t.target[i].parse::<u32>()?)).collect()
}

fn load(name: &str) -> anyhow::Result<Workload> {
    let f32s = |v: Vec<f64>| v.into_iter().map(|x| x as f32).collect::<Vec<f32>>();
    match name {
        "w1" => {
            let (t, tr, te) = csv_split("iris")?;
            let scaler = deeprust::keras::datasets::StandardScaler::fit(&t.rows(&tr), t.n_features)?;
            Ok(Workload {
                name: "w1",
                x_train: f32s(scaler.transform(&t.rows(&tr))?),
                y_train: labels(&t, &tr)?,
                x_test: Some(f32s(scaler.transform(&t.rows(&te))?)),
                y_test: Some(labels(&t, &te)?),
                n_features: 4,
                n_classes: 3,
                hidden: vec![5],
                activation: "sigmoid",
                lr: 0.01,
                batch: 10,
                epochs: 1000,
                device: Device::cpu(),
                tensorboard: None,
            })
        }
        "w2" => {
            let (t, tr, te) = csv_split("digits")?;
            let scale = |v: Vec<f64>| v.into_iter().map(|x| (x / 16.0) as f32).collect::<Vec<f32>>();
            Ok(Workload {
                name: "w2",
                x_train: scale(t.rows(&tr)),
                y_train: labels(&t, &tr)?,
                x_test: Some(scale(t.rows(&te))),
                y_test: Some(labels(&t, &te)?),
                n_features: 64,
                n_classes: 10,
                hidden: vec![128],
                activation: "relu",
                lr: 1e-3,
                batch: 32,
                epochs: 50,
                device: Device::cpu(),
                tensorboard: None,
            })
        }
        "w3" => {
            let (n, d, c) = (60_000, 784, 10);
            let mut g = Generator::from_seed(12345);
            let x: Vec<f32> = (0..n * d).map(|_| g.next_normal() as f32).collect();
            let teacher: Vec<f32> = (0..d * c).map(|_| g.next_normal() as f32).collect();
            let y = (0..n)
                .map(|r| {
                    let row = &x[r * d..(r + 1) * d];
                    let score = |k: usize| row.iter().enumerate().map(|(i, v)| v * teacher[i * c + k]).sum::<f32>();
                    (0..c)
                        .map(|k| (k, score(k)))
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map_or(0, |(k, _)| k as u32)
                })
                .collect();
            Ok(Workload {
                name: "w3",
                x_train: x,
                y_train: y,
                x_test: None,
                y_test: None,
                n_features: d,
                n_classes: c,
                hidden: vec![512, 512],
                activation: "relu",
                lr: 1e-3,
                batch: 128,
                epochs: 2,
                device: Device::cpu(),
                tensorboard: None,
            })
        }
        other => anyhow::bail!("unknown workload {other:?}: expected w1, w2 or w3"),
    }
}

fn main() -> ExitCode {
    cli::exit(run(Args::parse()))
}

fn run(args: Args) -> anyhow::Result<()> {
    let level = args.verbosity.level();
    let Args {
        workload,
        api,
        seed,
        repeat,
        device,
        batch,
        epochs,
        tensorboard,
        tensorboard_update_freq,
        ..
    } = args;
    if tensorboard.is_some() && api != "keras" {
        anyhow::bail!(
            "--tensorboard adds Keras' TensorBoard callback, so it needs --api keras (got --api {api}); \
             drop it or use --api keras"
        );
    }
    let start = Instant::now();
    let mut w = load(&workload)?;
    if let Some(d) = device {
        w.device = d;
    }
    if let Some(b) = batch {
        w.batch = b;
    }
    if let Some(e) = epochs {
        w.epochs = e;
    }
    w.tensorboard = tensorboard.map(|dir| (dir, tensorboard_update_freq));
    if level > 1 {
        eprintln!(
            "{}: {} training rows x {} features, {} classes, hidden {:?}, batch {}, {} epochs, on {}; loaded in {:.2} s",
            w.name,
            w.n_train(),
            w.n_features,
            w.n_classes,
            w.hidden,
            w.batch,
            w.epochs,
            w.device,
            start.elapsed().as_secs_f64()
        );
    }
    for r in 0..repeat {
        let run_seed = seed + r as u64;
        let out = match api.as_str() {
            "tape" => tiers::tape(&w, run_seed)?,
            "keras" => tiers::keras(&w, run_seed)?,
            "sklearn" => tiers::sklearn(&w, run_seed)?,
            other => anyhow::bail!("unknown api {other:?}: expected tape, keras or sklearn"),
        };
        let (secs, steps) = (out.0, w.steps());
        let o = out.1;
        println!(
            "{{\"workload\":\"{}\",\"api\":\"{api}\",\"device\":\"{}\",\"batch\":{},\"seed\":{run_seed},\"seconds\":{secs:.4},\"steps\":{steps},\"us_per_step\":{:.2},\"final_loss\":{:.6},\"test_accuracy\":{}}}",
            w.name,
            w.device,
            w.batch,
            secs * 1e6 / steps as f64,
            o.final_loss,
            o.test_accuracy.map_or("null".to_string(), |a| format!("{a:.4}"))
        );
        if level > 0 {
            eprintln!(
                "{} {api} run {}/{repeat} (seed {run_seed}): {steps} steps in {secs:.3} s = {:.1} us/step, final loss {:.4}{}",
                w.name,
                r + 1,
                secs * 1e6 / steps as f64,
                o.final_loss,
                o.test_accuracy.map_or(String::new(), |a| format!(", test accuracy {a:.4}"))
            );
        }
    }
    Ok(())
}
