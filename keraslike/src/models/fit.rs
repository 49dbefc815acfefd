//! The training loop: [`Model::fit`] and its [`FitOptions`].
//!
//! The data moves to the model's device once per `fit`. Each epoch shuffles
//! an index vector (not the data) with a seeded [`Generator`], uploads it,
//! and gathers each batch's rows from it. The running loss stays a tensor;
//! the host reads it only when the progress bar redraws, when a callback
//! asks for batch logs, and at the end of the epoch.
//!
//! With `initial_epoch = k` (resuming), the generator first replays the
//! shuffles of epochs `0..k`, so with the same seed the resumed run sees
//! exactly the batches an uninterrupted run would have.
//!
//! ```
//! use keraslike::FitOptions;
//! let opts = FitOptions::default().epochs(100).batch_size(10).verbose(0).seed(1);
//! assert!(opts.shuffle && opts.epochs == 100);
//! // The struct form works too.
//! let same = FitOptions { epochs: 100, batch_size: 10, verbose: 0, seed: Some(1), ..FitOptions::default() };
//! assert_eq!(same.batch_size, opts.batch_size);
//! ```

use super::data::{self, check_xy, class_weight_tensor, sample_weight_tensor, Data, DataSet, IntoData};
use super::history::History;
use super::progress::Progbar;
use super::step::to_device;
use super::Model;
use crate::callbacks::{Callback, Logs};
use crate::{Error, Result};
use tensorlow::random::{op_generator, Generator};
use tensorlow::Tensor;

/// Options of [`Model::fit`], with Keras' defaults. Set them with the
/// chained methods (`FitOptions::default().epochs(10).batch_size(16)`) or
/// as a struct literal with `..FitOptions::default()`.
pub struct FitOptions<'a> {
    /// Passes over the training data (default 1). With `initial_epoch`,
    /// the index of the epoch to stop before.
    pub epochs: usize,
    /// Samples per gradient step (default 32); the last batch may be smaller.
    pub batch_size: usize,
    /// 0 = silent, 1 = progress bar, 2 = one line per epoch (default 1).
    pub verbose: u8,
    /// Fraction in `[0, 1)` of the data, taken from the end before
    /// shuffling, held out for validation (default 0).
    pub validation_split: f64,
    /// Explicit validation data `(x, y)`; takes precedence over `validation_split`.
    pub validation_data: Option<(Data, Data)>,
    /// Shuffle the training data before each epoch (default true).
    pub shuffle: bool,
    /// Hooks called during training (History is recorded by `fit` itself).
    /// A callback can be owned (`Box::new(EarlyStopping::new())`) or
    /// borrowed (`Box::new(&mut es)`, or [`callback(&mut es)`](Self::callback))
    /// to read it after `fit`.
    pub callbacks: Vec<Box<dyn Callback + 'a>>,
    /// Per-class loss weights, indexed by class (classes past the end weigh 1).
    /// Cannot be combined with `sample_weight`.
    pub class_weight: Option<Vec<f64>>,
    /// Per-sample loss weights, shape `(n,)`.
    pub sample_weight: Option<Tensor>,
    /// Epoch to start from (to resume training; default 0).
    pub initial_epoch: usize,
    /// Seed of the shuffling. Default: drawn by tensorlow's seed rules, so
    /// `tensorlow::random::set_seed` makes `fit` reproducible too.
    pub seed: Option<u64>,
}

impl<'a> FitOptions<'a> {
    /// Passes over the data (default 1).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }
    /// Samples per gradient step (default 32).
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
    /// 0 = silent, 1 = progress bar, 2 = one line per epoch (default 1).
    pub fn verbose(mut self, verbose: u8) -> Self {
        self.verbose = verbose;
        self
    }
    /// Hold out the last `fraction` of the data for validation.
    pub fn validation_split(mut self, fraction: f64) -> Self {
        self.validation_split = fraction;
        self
    }
    /// Validate on `(x, y)` after each epoch.
    pub fn validation_data(mut self, x: impl IntoData, y: impl IntoData) -> Self {
        self.validation_data = Some((x.into_data(), y.into_data()));
        self
    }
    /// Shuffle before each epoch (default true).
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }
    /// Adds a callback, owned or borrowed (`&mut es`).
    pub fn callback(mut self, callback: impl Callback + 'a) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }
    /// Per-class loss weights, indexed by class.
    pub fn class_weight(mut self, class_weight: &[f64]) -> Self {
        self.class_weight = Some(class_weight.to_vec());
        self
    }
    /// Per-sample loss weights, shape `(n,)`.
    pub fn sample_weight(mut self, sample_weight: &Tensor) -> Self {
        self.sample_weight = Some(sample_weight.clone());
        self
    }
    /// The epoch to start from (to resume training).
    pub fn initial_epoch(mut self, epoch: usize) -> Self {
        self.initial_epoch = epoch;
        self
    }
    /// Seed of the shuffling.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }
}

impl Default for FitOptions<'_> {
    fn default() -> Self {
        FitOptions {
            epochs: 1,
            batch_size: 32,
            verbose: 1,
            validation_split: 0.0,
            validation_data: None,
            shuffle: true,
            callbacks: Vec::new(),
            class_weight: None,
            sample_weight: None,
            initial_epoch: 0,
            seed: None,
        }
    }
}

impl Model {
    /// Trains the model (`model.fit`) and returns the per-epoch [`History`].
    /// `x` and `y` are a tensor each for a single-input, single-output model,
    /// or lists / tensors by name (see [`IntoData`]).
    ///
    /// Errors when the model is not compiled, when inputs and targets differ
    /// in sample count or are empty, or when an option is out of range.
    pub fn fit(&mut self, x: impl IntoData, y: impl IntoData, options: FitOptions) -> Result<History> {
        let FitOptions {
            epochs,
            batch_size,
            verbose,
            validation_split,
            validation_data,
            shuffle,
            mut callbacks,
            class_weight,
            sample_weight,
            initial_epoch,
            seed,
        } = options;
        let c = self.compiled_ref("fit")?;
        let xs = data::resolve("fit", "x", x.into_data(), &self.input_names())?;
        let ys = data::targets("fit", y.into_data(), c)?;
        let n = check_xy("fit", &xs, &ys)?;
        if batch_size == 0 {
            return Err(Error::arg("fit: batch_size must be at least 1"));
        }
        if !(0.0..1.0).contains(&validation_split) {
            return Err(Error::arg(format!(
                "fit: validation_split must be in [0, 1), got {validation_split}"
            )));
        }
        if verbose > 2 {
            return Err(Error::arg(format!("fit: verbose must be 0, 1 or 2, got {verbose}")));
        }
        if class_weight.is_some() && sample_weight.is_some() {
            return Err(Error::arg(
                "fit: give class_weight or sample_weight, not both (as in Keras)",
            ));
        }
        self.ensure_built(&xs, "fit")?;
        let dev = self.device.clone();
        let sample_weight = match &class_weight {
            Some(cw) => {
                let y0 = ys.iter().find(|y| y.rank() > 0).expect("a trained output");
                Some(class_weight_tensor(cw, y0, &xs[0], &dev)?)
            }
            None => sample_weight_tensor("fit", sample_weight.as_ref(), n, &xs[0], &dev)?,
        };
        let all = DataSet {
            x: to_device(&xs, &dev)?,
            y: to_device(&ys, &dev)?,
            sample_weight,
        };
        let (train, val) = match validation_data {
            Some((vx, vy)) => {
                let c = self.compiled_ref("fit")?;
                let vx = data::resolve("fit (validation_data)", "x", vx, &self.input_names())?;
                let vy = data::targets("fit (validation_data)", vy, c)?;
                check_xy("fit (validation_data)", &vx, &vy)?;
                self.ensure_built(&vx, "fit (validation_data)")?;
                let v = DataSet {
                    x: to_device(&vx, &dev)?,
                    y: to_device(&vy, &dev)?,
                    sample_weight: None,
                };
                (all, Some(v))
            }
            None if validation_split > 0.0 => {
                let (t, v) = all.split_validation(validation_split)?;
                (t, Some(v))
            }
            None => (all, None),
        };

        let n_train = train.len();
        let steps = n_train.div_ceil(batch_size);
        let vars = self.trainable_weights();
        self.build_optimizer(&vars)?;
        let mut generator = match seed {
            Some(s) => Generator::from_seed(s),
            None => op_generator(None),
        };
        let batch_logs = callbacks.iter().any(|c| c.uses_batch_hooks());
        let mut history = History::default();
        let mut logs = Logs::new();
        self.stop_training = false;
        self.resume_epoch = None;

        for cb in callbacks.iter_mut() {
            cb.on_train_begin(self, &logs)?;
        }
        // A callback (BackupAndRestore) may have restored a later epoch.
        let initial_epoch = self.resume_epoch.take().unwrap_or(initial_epoch);
        // Replaying the shuffles of the skipped epochs makes a resumed run
        // see the batches an uninterrupted one would (same seed).
        let mut order: Vec<u32> = (0..n_train as u32).collect();
        if shuffle {
            for _ in 0..initial_epoch.min(epochs) {
                generator.shuffle(&mut order);
            }
        }
        for epoch in initial_epoch..epochs {
            for cb in callbacks.iter_mut() {
                cb.on_epoch_begin(epoch, self, &Logs::new())?;
            }
            self.reset_metrics();
            if verbose > 0 && epochs > 1 {
                println!("Epoch {}/{epochs}", epoch + 1);
            }
            let mut bar = Progbar::new(steps, verbose);
            let shuffled = if shuffle {
                generator.shuffle(&mut order);
                Some(Tensor::from_slice(&order, &[n_train], &dev)?)
            } else {
                None
            };
            for step in 0..steps {
                let start = step * batch_size;
                let len = batch_size.min(n_train - start);
                if batch_logs {
                    for cb in callbacks.iter_mut() {
                        cb.on_train_batch_begin(step, self, &Logs::new())?;
                    }
                }
                let batch = match &shuffled {
                    Some(idx) => train.gather(&idx.narrow(0, start, len)?)?,
                    None => train.narrow(start, len)?,
                };
                self.train_step(&batch.x, &batch.y, batch.sample_weight.as_ref(), &vars)?;
                if batch_logs {
                    let logs = self.current_logs()?;
                    for cb in callbacks.iter_mut() {
                        cb.on_train_batch_end(step, self, &logs)?;
                    }
                }
                if bar.step_done(step + 1) {
                    bar.update(step + 1, &self.current_logs()?);
                }
            }
            logs = self.current_logs()?;
            if let Some(v) = &val {
                for (k, value) in self.evaluate_dataset(v, batch_size, 0)? {
                    logs.insert(format!("val_{k}"), value);
                }
            }
            bar.finish(&logs);
            history.record(epoch, &logs);
            for cb in callbacks.iter_mut() {
                cb.on_epoch_end(epoch, self, &logs)?;
            }
            if self.stop_training {
                break;
            }
        }
        for cb in callbacks.iter_mut() {
            cb.on_train_end(self, &logs)?;
        }
        Ok(history)
    }
}
