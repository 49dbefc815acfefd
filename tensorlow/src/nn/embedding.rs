//! Embedding lookup (`tf.nn.embedding_lookup`): rows of a table picked by
//! integer ids, the op under Keras' `Embedding` layer.
//!
//! ```
//! use tensorlow::{nn, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let table = Tensor::new(&[0.0f32, 0.5, 1.0, 1.5, 2.0, 2.5], &[3, 2])?; // input_dim 3
//! let ids = Tensor::new(&[2i32, 0, 2], &[1, 3])?;
//! let e = nn::embedding_lookup(&table, &ids)?;
//! assert_eq!(e.shape(), &[1, 3, 2]);
//! assert_eq!(e.to_vec::<f32>()?, vec![2.0, 2.5, 0.0, 0.5, 2.0, 2.5]);
//! let bad = nn::embedding_lookup(&table, &Tensor::new(&[3i64], &[1])?).unwrap_err();
//! assert!(bad.to_string().contains("id 3") && bad.to_string().contains("input_dim 3"));
//! # Ok(()) }
//! ```

use crate::{Error, Result, Tensor};

/// The rows of `params` `(input_dim, ...)` at `ids` (any shape; uint8,
/// uint32, int32 or int64): shape `ids.shape ++ params.shape[1..]`. The
/// gradient flows to `params` only, summed over repeated ids.
///
/// As TensorFlow does, an id outside `0..input_dim` is an error on the CPU
/// (naming the id and `input_dim`) and gives a row of zeros on a GPU,
/// where checking would read the ids back to the host at every step.
pub fn embedding_lookup(params: &Tensor, ids: &Tensor) -> Result<Tensor> {
    let op = "embedding_lookup";
    if params.rank() == 0 {
        return Err(Error::shape(
            op,
            "params must have shape (input_dim, ...), got a scalar; pass a rank >= 1 table",
        ));
    }
    if ids.dtype().is_float() {
        return Err(Error::DType {
            op,
            msg: format!(
                "ids must be integers (uint8, uint32, int32 or int64), got {}; cast them first",
                ids.dtype()
            ),
        });
    }
    let input_dim = params.shape()[0];
    if ids.device().is_cpu() {
        if let Some(bad) = crate::ops::index::first_out_of_range(&ids.value, input_dim)? {
            return Err(Error::arg(format!(
                "{op}: id {bad} is out of range for an embedding with input_dim {input_dim} \
                 (ids must be in 0..{input_dim}); raise input_dim or fix the ids"
            )));
        }
    }
    params.gather(ids, 0)
}
