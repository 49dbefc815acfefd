//! # tensorlow — the low-level tier
//!
//! TensorFlow's core API in idiomatic Rust, on [candle](https://github.com/huggingface/candle):
//! [`Tensor`]s, [`Variable`]s, differentiable ops, [`GradientTape`] (watch,
//! persistent, nested tapes for higher-order gradients, jacobian), devices,
//! seeded [`random`] numbers and safetensors [`Checkpoint`]s.
//!
//! ## Design
//! - **Errors, not panics.** Every op returns [`Result`]. Arithmetic
//!   operators are implemented on `Tensor`, `&Tensor`, `Result<Tensor>` and
//!   `f64`, and yield `Result<Tensor>`, so `((&x * 2.0) + &b)?` chains and a
//!   shape error surfaces once, at the `?`.
//! - **Own autodiff.** candle's backprop detaches gradients (no second
//!   order) and has no recording scope, so tensorlow keeps its own tape; each
//!   op's backward rule is written next to its forward pass with tensorlow
//!   ops, which makes gradients differentiable again.
//! - **Axes** are `isize` (negative counts from the end); an empty axis list
//!   in a reduction means all axes (TensorFlow's `axis=None`).
//! - **Threads.** candle's CPU matmul looks up its thread count by parsing
//!   `/proc/cpuinfo` on every call unless `RAYON_NUM_THREADS` is set; on
//!   first use tensorlow sets it to the available parallelism when it is not
//!   already set.
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
//!     let logits = (x.matmul(&w)? + &*b)?;
//!     let loss = nn::softmax_cross_entropy_with_logits(&y, &logits, -1)?.mean_all()?;
//!     let g = tape.gradient(&loss, &[&w, &b])?;
//!     w.assign_sub(&(g[0].as_ref().unwrap() * 0.5)?)?;
//!     b.assign_sub(&(g[1].as_ref().unwrap() * 0.5)?)?;
//! }
//! let pred = x.matmul(&w)?.argmax(-1)?.to_vec::<i64>()?;
//! assert_eq!(pred, vec![0, 1]);
//! # Ok(()) }
//! ```

mod checkpoint;
mod device;
mod dtype;
mod error;
pub mod nn;
pub mod ops;
pub mod random;
mod tape;
mod tensor;
pub mod train;
mod variable;

pub use checkpoint::{
    load_tensors, load_tensors_with_metadata, save_tensors, save_tensors_with_metadata, write_atomic, Checkpoint,
};
pub use device::Device;
pub use dtype::{DType, Element};
pub use error::{Error, Result};
pub use tape::{no_grad, GradientTape, TapeOptions, UnconnectedGradients};
pub use tensor::Tensor;
pub use variable::Variable;

/// Sets `RAYON_NUM_THREADS` once, before candle's first matmul reads it.
pub(crate) fn init_threads() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("RAYON_NUM_THREADS").is_none() {
            let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
            std::env::set_var("RAYON_NUM_THREADS", n.to_string());
        }
    });
}
