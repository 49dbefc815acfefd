//! [`to_categorical`]: class indices to one-hot rows
//! (`keras.utils.to_categorical`).
//!
//! ```
//! use keraslike::datasets::to_categorical;
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let y = to_categorical(&Tensor::new(&[2u32, 0], &[2])?, 3)?;
//! assert_eq!(y.to_vec2::<f32>()?, vec![vec![0.0, 0.0, 1.0], vec![1.0, 0.0, 0.0]]);
//! # Ok(()) }
//! ```

use crate::{Error, Result};
use tensorlow::{DType, Tensor};

/// One-hot encodes integer class labels into an f32 tensor with a new last
/// axis of size `num_classes` (Keras' `to_categorical(y, num_classes)`).
///
/// `labels` may have any integer or float dtype (floats must hold whole
/// numbers). Like Keras, a trailing axis of size 1 is dropped first, so
/// `(n,)` and `(n, 1)` labels both give `(n, num_classes)`. The result lives
/// on the labels' device.
///
/// Unlike `tf.one_hot`, which silently writes an all-zero row, a label
/// outside `0..num_classes` is an error naming it and its position.
pub fn to_categorical(labels: &Tensor, num_classes: usize) -> Result<Tensor> {
    if num_classes == 0 {
        return Err(Error::arg("to_categorical: num_classes must be at least 1"));
    }
    let mut shape = labels.shape().to_vec();
    if shape.len() > 1 && shape.last() == Some(&1) {
        shape.pop();
    }
    // A host read: this is a one-off data preparation step, not a training step.
    let values = labels.to_vec::<f64>()?;
    let mut idx = Vec::with_capacity(values.len());
    for (i, &v) in values.iter().enumerate() {
        if v.fract() != 0.0 || v < 0.0 || v >= num_classes as f64 {
            return Err(Error::data(format!(
                "to_categorical: label {v} at position {i} is not a class index in 0..{num_classes}; \
                 pass a larger num_classes or fix the label"
            )));
        }
        idx.push(v as u32);
    }
    let idx = Tensor::from_vec(idx, &shape, &labels.device())?;
    Ok(idx.one_hot(num_classes, DType::F32)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_any_label_dtype_and_column_shape() {
        // By hand: row i has a 1 at column labels[i].
        let want = vec![0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        for labels in [
            Tensor::new(&[1u32, 3, 0], &[3]).unwrap(),
            Tensor::new(&[1i64, 3, 0], &[3, 1]).unwrap(),
            Tensor::new(&[1.0f32, 3.0, 0.0], &[3]).unwrap(),
        ] {
            let y = to_categorical(&labels, 4).unwrap();
            assert_eq!((y.shape(), y.dtype()), (&[3, 4][..], DType::F32));
            assert_eq!(y.to_vec::<f32>().unwrap(), want);
        }
        // Higher rank: (2, 2) labels -> (2, 2, 2).
        let y = to_categorical(&Tensor::new(&[0u32, 1, 1, 0], &[2, 2]).unwrap(), 2).unwrap();
        assert_eq!(y.shape(), &[2, 2, 2]);
        assert_eq!(y.to_vec::<f32>().unwrap(), vec![1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]);
    }

    #[test]
    fn bad_labels_are_named() {
        let e = to_categorical(&Tensor::new(&[0u32, 5, 1], &[3]).unwrap(), 3)
            .unwrap_err()
            .to_string();
        assert!(e.contains("label 5 at position 1") && e.contains("0..3"), "{e}");
        let e = to_categorical(&Tensor::new(&[0.5f32], &[1]).unwrap(), 3)
            .unwrap_err()
            .to_string();
        assert!(e.contains("label 0.5"), "{e}");
        let e = to_categorical(&Tensor::new(&[-1.0f32], &[1]).unwrap(), 3)
            .unwrap_err()
            .to_string();
        assert!(e.contains("label -1"), "{e}");
        assert!(to_categorical(&Tensor::new(&[0u32], &[1]).unwrap(), 0).is_err());
    }
}
