//! Seeded random numbers with TensorFlow's seed rules.
//!
//! candle's CPU generator cannot be seeded, so tensorlow draws on the host
//! from its own generator (ChaCha8, stable across platforms and versions)
//! and builds tensors from the buffer.
//!
//! The seed rules follow `tf.random`:
//! - neither a global seed ([`set_seed`]) nor an op seed: fresh entropy;
//! - a global seed only: each call takes the next op seed from a counter, so
//!   a program gives the same sequence after every `set_seed(s)`;
//! - an op seed only: the global seed defaults to TensorFlow's 87654321;
//! - both: the same pair gives a fixed sequence (repeated calls differ, and
//!   `set_seed` restarts it).
//!
//! The op seeds a global seed hands out are kept apart from explicit op
//! seeds: `normal(.., None)` after `set_seed(s)` never repeats the numbers of
//! `normal(.., Some(1))`. [`clear_seed`] forgets the global seed
//! (`tf.random.set_seed(None)`).
//!
//! **Threads.** The global seed and its counters are process-wide, as
//! TensorFlow's (they live on its one eager context): `set_seed` in `main`
//! seeds the draws of every thread it starts, but draws from several
//! threads at once take turns on one counter, so which thread gets which
//! numbers depends on scheduling. A thread-local state would make the
//! interleaving deterministic only by leaving every other thread unseeded,
//! silently. For reproducible numbers per thread, give each thread its own
//! [`Generator::from_seed`] (its stream depends on its seed only), or draw
//! in one thread.
//!
//! ```
//! use tensorlow::{random, DType};
//! # fn main() -> tensorlow::Result<()> {
//! random::set_seed(42);
//! let a = random::normal(&[3], 0.0, 1.0, DType::F32, Some(7))?;
//! random::set_seed(42);
//! let b = random::normal(&[3], 0.0, 1.0, DType::F32, Some(7))?;
//! assert_eq!(a.to_vec::<f32>()?, b.to_vec::<f32>()?);
//! # Ok(()) }
//! ```

use crate::{DType, Device, Error, Result, Tensor};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::collections::HashMap;
use std::sync::Mutex;

const DEFAULT_GLOBAL_SEED: u64 = 87_654_321;

struct SeedState {
    global: Option<u64>,
    op_counter: u64,
    /// Calls so far per (global seed, op seed, op seed handed out by the counter).
    pair_counts: HashMap<(u64, u64, bool), u64>,
}

static SEEDS: Mutex<Option<SeedState>> = Mutex::new(None);

/// Sets the global seed (`tf.random.set_seed`) and restarts every sequence.
pub fn set_seed(seed: u64) {
    let mut s = SEEDS.lock().unwrap_or_else(|e| e.into_inner());
    *s = Some(SeedState {
        global: Some(seed),
        op_counter: 0,
        pair_counts: HashMap::new(),
    });
}

/// Forgets the global seed (`tf.random.set_seed(None)`): ops without an op
/// seed draw fresh entropy again, and every sequence restarts.
pub fn clear_seed() {
    let mut s = SEEDS.lock().unwrap_or_else(|e| e.into_inner());
    *s = None;
}

/// SplitMix64: turns (global, op, count) into a well-mixed generator seed.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator an op with optional seed `op_seed` draws from, by
/// TensorFlow's rules (see the module docs).
pub fn op_generator(op_seed: Option<u64>) -> Generator {
    let mut guard = SEEDS.lock().unwrap_or_else(|e| e.into_inner());
    let st = guard.get_or_insert_with(|| SeedState {
        global: None,
        op_counter: 0,
        pair_counts: HashMap::new(),
    });
    let (g, op, auto) = match (st.global, op_seed) {
        (None, None) => return Generator::from_entropy(),
        (Some(g), None) => {
            st.op_counter += 1;
            (g, st.op_counter, true)
        }
        (None, Some(o)) => (DEFAULT_GLOBAL_SEED, o, false),
        (Some(g), Some(o)) => (g, o, false),
    };
    let count = st.pair_counts.entry((g, op, auto)).or_insert(0);
    // Counter-made op seeds live in their own stream family, so that they
    // never coincide with an explicit op seed of the same value.
    let family = if auto { 0xA5A5_A5A5_A5A5_A5A5 } else { 0 };
    let seed = mix(mix(g) ^ mix(op.wrapping_add(0x5151) ^ family) ^ mix(*count));
    *count += 1;
    Generator::from_seed(seed)
}

/// A seeded random generator (`tf.random.Generator`): the same seed gives
/// the same numbers on every platform.
///
/// ```
/// let mut g = tensorlow::random::Generator::from_seed(1);
/// let mut idx: Vec<usize> = (0..5).collect();
/// g.shuffle(&mut idx);
/// let mut h = tensorlow::random::Generator::from_seed(1);
/// let mut idx2: Vec<usize> = (0..5).collect();
/// h.shuffle(&mut idx2);
/// assert_eq!(idx, idx2);
/// ```
#[derive(Clone, Debug)]
pub struct Generator(ChaCha8Rng);

impl Generator {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn from_seed(seed: u64) -> Self {
        Generator(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A generator seeded from the operating system.
    pub fn from_entropy() -> Self {
        Generator(ChaCha8Rng::seed_from_u64(rand::rng().next_u64()))
    }

    /// A uniformly distributed `u64`.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Moves the stream `n` `u64` draws ahead (what `n` calls of
    /// [`next_u64`](Self::next_u64) or [`next_f64`](Self::next_f64) would
    /// consume), in constant time: ChaCha is a counter-mode generator, so
    /// parts of one stream can be drawn by several threads.
    pub(crate) fn skip_u64s(&mut self, n: u64) {
        let at = self.0.get_word_pos();
        self.0.set_word_pos(at + 2 * u128::from(n));
    }

    /// A uniform float in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    /// A standard normal float.
    pub fn next_normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.0)
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.0.random_range(0..=i);
            v.swap(i, j);
        }
    }

    fn tensor(
        &mut self,
        shape: &[usize],
        dtype: DType,
        device: &Device,
        mut f: impl FnMut(&mut Self) -> f64,
    ) -> Result<Tensor> {
        if !dtype.is_float() {
            return Err(Error::DType {
                op: "random",
                msg: format!("random tensors must have a float dtype, got {dtype}"),
            });
        }
        let n = crate::limits::check_alloc_on("random", shape, dtype, &device.0)?;
        if dtype == DType::F32 {
            let v: Vec<f32> = (0..n).map(|_| f(self) as f32).collect();
            return Tensor::from_vec(v, shape, device);
        }
        // Drawn as float64 on the host, then cast.
        crate::limits::check_alloc("random", shape, DType::F64)?;
        let v: Vec<f64> = (0..n).map(|_| f(self)).collect();
        Tensor::from_vec(v, shape, device)?.cast(dtype)
    }

    /// Normal samples with `mean` and `stddev`.
    pub fn normal(&mut self, shape: &[usize], mean: f64, stddev: f64, dtype: DType, device: &Device) -> Result<Tensor> {
        self.tensor(shape, dtype, device, |g| mean + stddev * g.next_normal())
    }

    /// Uniform samples in `[minval, maxval)`.
    pub fn uniform(
        &mut self,
        shape: &[usize],
        minval: f64,
        maxval: f64,
        dtype: DType,
        device: &Device,
    ) -> Result<Tensor> {
        if minval >= maxval || minval.is_nan() || maxval.is_nan() {
            return Err(Error::arg(format!(
                "uniform: minval ({minval}) must be below maxval ({maxval})"
            )));
        }
        // Rounding to f32 can carry a value just below maxval up to maxval
        // itself: redraw those, so the range stays half-open. (f16 and bf16
        // are storage types; they are not guarded.)
        let fits = |v: f64| match dtype {
            DType::F32 => ((v as f32) as f64) < maxval,
            _ => v < maxval,
        };
        self.tensor(shape, dtype, device, |g| {
            let mut v = minval + (maxval - minval) * g.next_f64();
            for _ in 0..64 {
                if fits(v) {
                    break;
                }
                v = minval + (maxval - minval) * g.next_f64();
            }
            v
        })
    }

    /// Normal samples redrawn until within two standard deviations of the
    /// mean (`tf.random.truncated_normal`).
    pub fn truncated_normal(
        &mut self,
        shape: &[usize],
        mean: f64,
        stddev: f64,
        dtype: DType,
        device: &Device,
    ) -> Result<Tensor> {
        self.tensor(shape, dtype, device, |g| loop {
            let z = g.next_normal();
            if z.abs() <= 2.0 {
                break mean + stddev * z;
            }
        })
    }
}

/// Normal samples on the CPU (`tf.random.normal`); `seed` is the op seed.
pub fn normal(shape: &[usize], mean: f64, stddev: f64, dtype: DType, seed: Option<u64>) -> Result<Tensor> {
    op_generator(seed).normal(shape, mean, stddev, dtype, &Device::cpu())
}

/// Uniform samples in `[minval, maxval)` on the CPU (`tf.random.uniform`).
pub fn uniform(shape: &[usize], minval: f64, maxval: f64, dtype: DType, seed: Option<u64>) -> Result<Tensor> {
    op_generator(seed).uniform(shape, minval, maxval, dtype, &Device::cpu())
}

/// Truncated normal samples on the CPU (`tf.random.truncated_normal`).
pub fn truncated_normal(shape: &[usize], mean: f64, stddev: f64, dtype: DType, seed: Option<u64>) -> Result<Tensor> {
    op_generator(seed).truncated_normal(shape, mean, stddev, dtype, &Device::cpu())
}
