//! Forecasting a real time series with a recurrent network: next year's
//! sunspot number from the last `W` years (default 12, about one solar
//! cycle), `GRU(32) -> Dense(1)`, Adam(0.01), batch 16.
//!
//! Data: `data/sunspots.csv`, the yearly sunspot numbers 1700..2008 bundled
//! in statsmodels (public domain; see `data/README.md`). The split is
//! chronological: the windows whose target is one of the last 20% of the
//! years (1947..2008, 62 windows) are the test set, those with an earlier
//! target (1712..1946, 235 windows) the training set; only the training
//! windows are shuffled. A test window's inputs are the observed years
//! before its target, so the first ones reach back into the training years.
//! The values are standardized with the training years' mean and deviation;
//! both MSEs are in the original units (sunspots²). For honesty the example
//! prints, before the model's, the MSE of the naive forecast "next year =
//! this year" on the same test windows.
//!
//! ```sh
//! cargo run --release --example keras_timeseries -- --help   # --epochs, --window, --units, --seed, --device, --plot, --quiet, --verbose
//! ```
//!
//! The Keras original, complete (`KERAS_BACKEND=jax python keras_timeseries.py SEED`,
//! from the repository root):
//! ```python
//! import sys; import numpy as np; import keras; from keras import layers
//! keras.utils.set_random_seed(int(sys.argv[1]))
//! s = np.loadtxt("data/sunspots.csv", delimiter=",", skiprows=1)[:, 1]
//! split, w = len(s) - round(0.2 * len(s)), 12          # 247 training years, 62 test years
//! mean, std = s[:split].mean(), s[:split].std()
//! z = (s - mean) / std
//! t = np.arange(w, len(s))                              # index of each window's target year
//! x, y = np.stack([z[i - w:i] for i in t])[..., None], z[t]
//! model = keras.Sequential([keras.Input((w, 1)), layers.GRU(32), layers.Dense(1)])
//! model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
//! model.fit(x[t < split], y[t < split], epochs=30, batch_size=16, verbose=0)
//! pred = model.predict(x[t >= split], verbose=0)[:, 0] * std + mean
//! truth = s[t[t >= split]]
//! print(f"naive_mse={np.mean((s[t[t >= split] - 1] - truth) ** 2):.4f}")
//! print(f"test_mse={np.mean((pred - truth) ** 2):.4f}")
//! ```
//! Keras 3.15.1 (jax backend, CPU) prints naive_mse=1107.2892 and, for
//! seeds 0..5, test_mse=307.4, 319.4, 402.3, 382.4, 268.1, 259.3 (about
//! 6 s a run, mostly jax compiling). This example, seeds 0..5:
//! test_mse=443.3, 432.6, 293.8, 241.0, 387.1, 331.8 — the same range; the
//! whole run takes about 0.13 s in release on 2 cores (training 0.12 s).
//!
//! The last line is `test_mse=<float>`, the line before it `naive_mse=<float>`.

#[path = "common/cli.rs"]
mod cli;

use anyhow::{bail, Context};
use clap::Parser;
use deeprust::keras::datasets::{parse_number, read_text, CsvOptions, Records, StandardScaler};
use deeprust::keras::layers::{Dense, GRU};
use deeprust::keras::models::PredictOptions;
use deeprust::keras::optimizers::Adam;
use deeprust::keras::{sequential, FitOptions};
use deeprust::tf::{random, Device, Tensor};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Next year's sunspot number from the last W years: GRU -> Dense(1), tested on the
/// last 20% of the years against the naive forecast; the last line is test_mse=<float>.
#[derive(Parser, Debug)]
#[command(name = "keras_timeseries")]
struct Args {
    /// Passes over the training windows
    #[arg(long, default_value_t = 30)]
    epochs: usize,
    /// Years of history in each input window (W)
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u16).range(1..=100))]
    window: u16,
    /// GRU units
    #[arg(long, default_value_t = 32)]
    units: usize,
    /// Seed of the initial weights and the shuffling
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, default_value = "auto", value_parser = cli::device, help = cli::DEVICE_HELP)]
    device: Device,
    /// Write the training curve (loss) to FILE, .svg or .png [default: no plot]
    #[arg(long, value_name = "FILE")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    verbosity: cli::Verbosity,
}

fn main() -> ExitCode {
    cli::exit(run(Args::parse()))
}

/// The `year,sunspots` file: one row per year, consecutive, values >= 0.
fn load_series(path: &Path) -> anyhow::Result<(Vec<f64>, Vec<f64>)> {
    let text = read_text(path).context(
        "reading the sunspot series (it ships as data/sunspots.csv; `python data/make_sunspots.py` rewrites it)",
    )?;
    let options = CsvOptions::default();
    let rec = Records::parse(&text, path, &options, 2)?;
    if rec.columns != ["year", "sunspots"] {
        bail!(
            "{}: the header is {:?}; expected year,sunspots",
            path.display(),
            rec.columns
        );
    }
    let (mut years, mut values) = (Vec::new(), Vec::new());
    for (line, cells) in &rec.rows {
        let year = parse_number(path, cells[0], *line, 0, "year", &options)?;
        let value = parse_number(path, cells[1], *line, 1, "sunspots", &options)?;
        if let Some(&prev) = years.last() {
            if year != prev + 1.0 {
                bail!(
                    "{}: line {line}: year {year} follows {prev}; expected consecutive years",
                    path.display()
                );
            }
        }
        if value < 0.0 {
            bail!(
                "{}: line {line}: sunspot number {value} is negative; expected >= 0",
                path.display()
            );
        }
        years.push(year);
        values.push(value);
    }
    Ok((years, values))
}

/// Mean squared error of `pred` against `truth`.
fn mse(pred: &[f64], truth: &[f64]) -> f64 {
    pred.iter().zip(truth).map(|(p, t)| (p - t) * (p - t)).sum::<f64>() / truth.len() as f64
}

fn run(args: Args) -> anyhow::Result<()> {
    let level = args.verbosity.level();
    if level > 0 {
        println!("device: {}", args.device);
    }
    random::set_seed(args.seed);

    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/sunspots.csv"));
    let (years, s) = load_series(path)?;
    let w = usize::from(args.window);
    // Chronological split: the last 20% of the years are the test set.
    let split = s.len() - (s.len() as f64 * 0.2).round() as usize;
    if split <= w + 1 || split >= s.len() {
        bail!(
            "{}: {} years are too few for --window {w}: the training part (the first 80%, {split} years) \
             must hold at least two windows; pass a smaller --window",
            path.display(),
            s.len()
        );
    }
    // Scaling fitted on the training years only.
    let scaler = StandardScaler::fit(&s[..split], 1)?;
    let (mean, std) = (scaler.mean()[0], scaler.scale()[0]);
    let z = scaler.transform(&s)?;

    // Window t: the values of years t-w..t (scaled) -> the value of year t.
    let windows = |targets: std::ops::Range<usize>| -> anyhow::Result<(Tensor, Tensor)> {
        let n = targets.len();
        let x: Vec<f32> = targets
            .clone()
            .flat_map(|t| z[t - w..t].iter().map(|&v| v as f32))
            .collect();
        let y: Vec<f32> = targets.map(|t| z[t] as f32).collect();
        Ok((
            Tensor::from_vec(x, &[n, w, 1], &Device::cpu())?,
            Tensor::from_vec(y, &[n, 1], &Device::cpu())?,
        ))
    };
    let (x_train, y_train) = windows(w..split)?;
    let (x_test, _) = windows(split..s.len())?;
    let truth = &s[split..];
    if level > 1 {
        println!(
            "data: {} training windows (targets {}..{}), {} test windows (targets {}..{}), mean {mean:.2}, std {std:.2}",
            split - w,
            years[w],
            years[split - 1],
            truth.len(),
            years[split],
            years[s.len() - 1]
        );
    }

    let mut model =
        sequential![GRU::new(args.units).input_shape(&[w, 1]), Dense::new(1),].with_device(args.device.clone())?;
    model.compile(Adam::new(0.01), "mse", &[])?;
    if level > 0 {
        model.print_summary();
    }
    let start = Instant::now();
    let history = model.fit(
        &x_train,
        &y_train,
        FitOptions {
            epochs: args.epochs,
            batch_size: 16,
            verbose: if level == 0 { 0 } else { 2 },
            seed: Some(args.seed),
            ..FitOptions::default()
        },
    )?;
    if level > 0 {
        println!("training: {:.2}s", start.elapsed().as_secs_f64());
    }
    if let Some(plot) = &args.plot {
        history.plot(plot)?;
    }
    let pred = model.predict(
        &x_test,
        PredictOptions {
            verbose: 0,
            ..PredictOptions::default()
        },
    )?;
    let pred: Vec<f64> = pred
        .to_vec::<f32>()
        .context("reading the predictions")?
        .iter()
        .map(|&p| f64::from(p) * std + mean)
        .collect();
    // The naive forecast: next year = this year.
    let naive = &s[split - 1..s.len() - 1];
    println!("naive_mse={:.4}", mse(naive, truth));
    println!("test_mse={:.4}", mse(&pred, truth));
    Ok(())
}
