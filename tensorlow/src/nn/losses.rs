//! Losses on logits, in their numerically stable forms (`tf.nn.*`).

use crate::{DType, Error, Result, Tensor};

fn same_shape(op: &'static str, labels: &Tensor, logits: &Tensor) -> Result<()> {
    if labels.shape() != logits.shape() {
        return Err(Error::shape(
            op,
            format!(
                "labels have shape {:?} but logits have shape {:?}; they must match",
                labels.shape(),
                logits.shape()
            ),
        ));
    }
    Ok(())
}

/// Cross-entropy between probability `labels` and `softmax(logits)` along
/// `axis`, one value per example (`tf.nn.softmax_cross_entropy_with_logits`):
/// `-sum(labels * log_softmax(logits))`.
///
/// ```
/// # use tensorlow::{nn, Tensor};
/// let logits = Tensor::new(&[0.0f64, 0.0], &[1, 2]).unwrap();
/// let labels = Tensor::new(&[1.0f64, 0.0], &[1, 2]).unwrap();
/// let l = nn::softmax_cross_entropy_with_logits(&labels, &logits, -1).unwrap();
/// assert!((l.to_vec::<f64>().unwrap()[0] - 2f64.ln()).abs() < 1e-12);
/// ```
pub fn softmax_cross_entropy_with_logits(labels: &Tensor, logits: &Tensor, axis: isize) -> Result<Tensor> {
    same_shape("softmax_cross_entropy_with_logits", labels, logits)?;
    labels
        .mul(&super::log_softmax(logits, axis)?)?
        .sum(&[axis], false)?
        .neg()
}

/// Cross-entropy with integer class `labels` of shape `logits.shape[..-1]`
/// (`tf.nn.sparse_softmax_cross_entropy_with_logits`). Labels outside
/// `0..classes` are an error naming the label.
pub fn sparse_softmax_cross_entropy_with_logits(labels: &Tensor, logits: &Tensor) -> Result<Tensor> {
    let op = "sparse_softmax_cross_entropy_with_logits";
    if logits.rank() == 0 || labels.shape() != &logits.shape()[..logits.rank() - 1] {
        return Err(Error::shape(
            op,
            format!(
                "labels of shape {:?} must have the shape of logits {:?} without its last (class) axis",
                labels.shape(),
                logits.shape()
            ),
        ));
    }
    if labels.dtype().is_float() {
        return Err(Error::DType {
            op,
            msg: format!(
                "labels must be integer class indices, got {}; cast them to uint32 or int64",
                labels.dtype()
            ),
        });
    }
    let classes = logits.shape()[logits.rank() - 1];
    let idx = labels.cast(DType::I64)?;
    if labels.elem_count() > 0 {
        let v = idx.to_vec::<i64>()?;
        if let Some(bad) = v.iter().find(|&&l| l < 0 || l as usize >= classes) {
            return Err(Error::arg(format!(
                "{op}: label {bad} is out of range for {classes} classes (valid: 0 to {})",
                classes - 1
            )));
        }
    }
    let lsm = super::log_softmax(logits, -1)?;
    lsm.take_along_axis(&idx.expand_dims(-1)?, -1)?.squeeze(&[-1])?.neg()
}

/// Logistic loss of `labels` in [0, 1] against `logits`, element-wise
/// (`tf.nn.sigmoid_cross_entropy_with_logits`), TensorFlow's stable formula
/// `max(x, 0) - x * z + log(1 + exp(-|x|))`.
pub fn sigmoid_cross_entropy_with_logits(labels: &Tensor, logits: &Tensor) -> Result<Tensor> {
    same_shape("sigmoid_cross_entropy_with_logits", labels, logits)?;
    let x = logits;
    x.relu()?.sub(&x.mul(labels)?)?.add(&x.abs()?.neg()?.exp()?.log1p()?)
}

/// `sum(x²) / 2` (`tf.nn.l2_loss`).
pub fn l2_loss(x: &Tensor) -> Result<Tensor> {
    x.square()?.sum_all()?.affine(0.5, 0.0)
}
