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
    let lsm = super::log_softmax(logits, -1)?;
    if labels.device().is_cpu() {
        if let Some(bad) = crate::ops::index::first_out_of_range(&labels.value, classes)? {
            return Err(Error::arg(format!(
                "{op}: label {bad} is out of range for {classes} classes (valid: 0 to {})",
                classes.saturating_sub(1)
            )));
        }
        return neg_picked(&lsm, &labels.cast(DType::I64)?);
    }
    nan_for_out_of_range_labels(labels, &lsm, classes)
}

/// The sparse cross-entropy off the CPU, with TensorFlow's GPU rule: NaN
/// for an out-of-range label (and no gradient from it), decided on the
/// device: an error would need the labels on the host at every step.
fn nan_for_out_of_range_labels(labels: &Tensor, log_softmax: &Tensor, classes: usize) -> Result<Tensor> {
    let (ok, idx) = crate::ops::index::in_range_mask(&labels.value, classes)?;
    let ok = Tensor::from_candle(ok);
    let idx = ok.select(
        &Tensor::from_candle(idx),
        &Tensor::full_scalar(0.0, DType::I64, &labels.device())?,
    )?;
    let nan = Tensor::full_scalar(f64::NAN, log_softmax.dtype(), &log_softmax.device())?;
    ok.select(&neg_picked(log_softmax, &idx)?, &nan)
}

/// `-log_softmax[i, labels[i]]` for int64 labels in range.
fn neg_picked(log_softmax: &Tensor, labels: &Tensor) -> Result<Tensor> {
    log_softmax
        .take_along_axis(&labels.expand_dims(-1)?, -1)?
        .squeeze(&[-1])?
        .neg()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GradientTape;

    #[test]
    fn the_gpu_rule_gives_nan_and_no_gradient_for_a_bad_label() -> Result<()> {
        // Exercised on the CPU: the device-side path is device-generic.
        let logits = Tensor::new(&[0.0f64, 0.0, 0.0, 1.0, 2.0, 3.0], &[2, 3])?;
        let labels = Tensor::new(&[1u32, 7], &[2])?;
        let tape = GradientTape::new();
        tape.watch(&logits);
        let l = nan_for_out_of_range_labels(&labels, &crate::nn::log_softmax(&logits, -1)?, 3)?;
        let v = l.to_vec::<f64>()?;
        assert!((v[0] - 3f64.ln()).abs() < 1e-12 && v[1].is_nan(), "{v:?}");
        let g = tape.gradient(&l.sum_all()?, &[&logits])?[0]
            .clone()
            .unwrap()
            .to_vec::<f64>()?;
        // Row 0: softmax - one_hot(1) = [1/3, -2/3, 1/3]; row 1: nothing.
        let third = 1.0 / 3.0;
        for (got, want) in g.iter().zip([third, -2.0 * third, third, 0.0, 0.0, 0.0]) {
            assert!((got - want).abs() < 1e-12, "{g:?}");
        }
        Ok(())
    }
}
