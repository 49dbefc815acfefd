//! Neural-network ops (`tf.nn`): softmax, losses on logits, dropout,
//! normalization, convolutions (plain, grouped, depthwise, separable,
//! transposed), pooling, upsampling, and the size arithmetic of windows.
//!
//! ```
//! use tensorlow::{nn, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let logits = Tensor::new(&[1.0f32, 2.0, 3.0], &[1, 3])?;
//! let p = nn::softmax(&logits, -1)?;
//! let s: f32 = p.to_vec::<f32>()?.iter().sum();
//! assert!((s - 1.0).abs() < 1e-6);
//! # Ok(()) }
//! ```

mod conv;
mod conv_transpose;
mod depthwise;
mod embedding;
mod geometry;
mod losses;
mod norm;
mod pool;
mod rnn;
mod softmax;
mod upsample;

pub use conv::*;
pub use conv_transpose::*;
pub use depthwise::*;
pub use embedding::*;
pub use geometry::{causal_padding, conv_output_size, conv_transpose_output_size, same_padding, Padding};
pub use losses::*;
pub use norm::*;
pub use pool::*;
pub use rnn::*;
pub use softmax::*;
pub use upsample::*;
