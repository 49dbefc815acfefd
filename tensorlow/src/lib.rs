//! # tensorlow — the low-level tier
//!
//! TensorFlow's core API in idiomatic Rust, on [candle](https://github.com/huggingface/candle):
//! [`Tensor`]s, [`Variable`]s, differentiable ops, [`GradientTape`] (watch,
//! persistent, nested tapes for higher-order gradients, jacobian), devices,
//! seeded [`random`] numbers and safetensors [`Checkpoint`]s.
//!
//! ## Training a softmax regression by hand
//! ```
//! use tensorlow::{nn, random, DType, GradientTape, Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[0.0f32, 1.0, 1.0, 0.0], &[2, 2])?;
//! let y = Tensor::new(&[1.0f32, 0.0, 0.0, 1.0], &[2, 2])?;
//! let w = Variable::new("w", random::normal(&[2, 2], 0.0, 0.1, DType::F32, Some(1))?);
//! let b = Variable::new("b", Tensor::zeros(&[2], DType::F32, &tensorlow::Device::cpu())?);
//! for _ in 0..100 {
//!     let tape = GradientTape::new();
//!     let logits = (x.matmul(&w)? + &b)?; // tf.matmul(x, w) + b
//!     let loss = nn::softmax_cross_entropy_with_logits(&y, &logits, -1)?.mean_all()?;
//!     let grads = tape.gradient(&loss, &[&w, &b])?;
//!     w.assign_sub(&(grads.of(&w)? * 0.5)?)?;
//!     b.assign_sub(&(grads.of(&b)? * 0.5)?)?;
//! }
//! let pred = x.matmul(&w)?.argmax(-1)?.to_vec::<i64>()?;
//! assert_eq!(pred, vec![0, 1]);
//! # Ok(()) }
//! ```
//!
//! ## Design
//! - **Errors, not panics.** Every op returns [`Result`]. Arithmetic
//!   operators are implemented on `Tensor`, `&Tensor`, `&Variable`,
//!   `Result<Tensor>` and `f64`, and yield `Result<Tensor>`, so `((&x * 2.0) + &b)?` chains and a
//!   shape error surfaces once, at the `?`.
//! - **Own autodiff.** candle's backprop detaches gradients (no second
//!   order) and has no recording scope, so tensorlow keeps its own tape; each
//!   op's backward rule is written next to its forward pass with tensorlow
//!   ops, which makes gradients differentiable again.
//! - **Axes** are `isize` (negative counts from the end); an empty axis list
//!   in a reduction means all axes (TensorFlow's `axis=None`).
//! - **Threads.** Large matmuls (>= 1M multiply-adds) and optimizer
//!   updates (>= 32K elements) are split over a team of threads: the
//!   calling thread and `n - 1` helpers, `n` being `RAYON_NUM_THREADS` or
//!   else the available parallelism. The helpers spin for 2 ms after each
//!   split, so the splits of one training step start on warm threads (a
//!   rayon worker had to be woken through a futex each time, 12% of W3's
//!   CPU samples on a 2-vCPU VM), and park when work stops. On first use
//!   tensorlow also sets two environment variables that are not already
//!   set: `RAYON_NUM_THREADS` to the available parallelism (without it
//!   candle parses `/proc/cpuinfo` on every matmul it runs itself), and
//!   `CANDLE_NUM_THREADS=1`, which keeps candle's element-wise ops on the
//!   calling thread instead of a second pool whose workers spin for ~1 ms
//!   after each op and take cores from the matmul that follows (W3's
//!   step: 8.3 -> 7.6 ms on 2 cores). Set either variable yourself to
//!   override; `RAYON_NUM_THREADS=1` runs everything on the calling thread.
//!   Splits never change the bits: an optimizer update, a split matmul
//!   (cut only into blocks that gemm rounds as the whole product) and the
//!   fused recurrent ops (whose blocks of batch rows are fixed, not one
//!   per thread) give the same results with any number of threads
//!   (`tests/threads.rs` compares 1, 2 and 3).

#![warn(missing_docs)]

mod checkpoint;
mod cpu;
mod device;
mod dtype;
mod error;
mod gradients;
pub mod limits;
pub mod names;
#[cfg(feature = "ndarray")]
mod ndarray_conv;
pub mod nn;
pub mod ops;
pub mod optimize;
#[cfg(feature = "plot")]
pub mod plot;
pub mod random;
pub mod summary;
mod tape;
mod tensor;
pub mod testing;
pub mod train;
mod variable;

pub use checkpoint::{
    load_tensors, load_tensors_with_metadata, save_tensors, save_tensors_with_metadata, write_atomic, Checkpoint,
};
pub use device::Device;
pub use dtype::{DType, Element};
pub use error::{Error, Result};
pub use gradients::{GradientSource, Gradients};
pub use ops::slicing::{Ellipsis, IntoIndex, NewAxis, SliceItem, Step};
pub use tape::{no_grad, GradientTape, TapeOptions, UnconnectedGradients};
pub use tensor::Tensor;
pub use variable::Variable;

/// Sets `RAYON_NUM_THREADS` and `CANDLE_NUM_THREADS` once (when unset),
/// before candle's first op reads them (see "Threads" above), and returns
/// the number of threads the CPU kernels' splits use.
pub(crate) fn init_threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        let threads = match std::env::var("RAYON_NUM_THREADS")
            .ok()
            .and_then(|v| v.parse::<usize>().ok())
        {
            Some(n) if n > 0 => n,
            _ => {
                let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
                std::env::set_var("RAYON_NUM_THREADS", n.to_string());
                n
            }
        };
        if std::env::var_os("CANDLE_NUM_THREADS").is_none() {
            std::env::set_var("CANDLE_NUM_THREADS", "1");
        }
        if threads >= 2 {
            // candle's own parallel ops (the matmuls it still runs itself,
            // batched ones) use rayon's global pool. The thread that first
            // uses tensorlow (normally `main`) joins it as worker 0 instead
            // of blocking while `threads` other workers run: it computes
            // its own share and `threads - 1` workers are left. Threads
            // outside the pool still hand their jobs to the spawned
            // workers (hence at least 2). Fails harmlessly when the program
            // built the global pool itself.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .use_current_thread()
                .build_global();
        }
        threads
    })
}
