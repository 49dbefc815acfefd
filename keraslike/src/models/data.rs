//! Preparing `fit`/`evaluate` data: checks, sample and class weights, the
//! validation split and batch slicing without copying the data set.

use crate::{Error, Result};
use tensorlow::{DType, Device, Tensor};

/// The number of samples, after checking that `x` and `y` agree and are non-empty.
pub(crate) fn check_xy(what: &str, x: &Tensor, y: &Tensor) -> Result<usize> {
    if x.rank() == 0 || y.rank() == 0 {
        return Err(Error::shape(format!(
            "{what}: x and y need a batch axis, got shapes {:?} and {:?}",
            x.shape(),
            y.shape()
        )));
    }
    let n = x.shape()[0];
    if y.shape()[0] != n {
        // A lone sample without its batch axis is a common slip: say so.
        let hint = if x.rank() == 1 {
            format!("; if x is one sample of {n} features, add the batch axis: reshape it to (1, {n})")
        } else {
            String::new()
        };
        return Err(Error::data(format!(
            "{what}: x has {n} samples but y has {} (shapes {:?} and {:?}); give one target per sample{hint}",
            y.shape()[0],
            x.shape(),
            y.shape()
        )));
    }
    if n == 0 {
        return Err(Error::data(format!(
            "{what}: the data is empty (x has shape {:?})",
            x.shape()
        )));
    }
    Ok(n)
}

/// The float dtype weights are computed in: x's when it is a float, else f32.
fn weight_dtype(x: &Tensor) -> DType {
    if x.dtype().is_float() {
        x.dtype()
    } else {
        DType::F32
    }
}

/// Checks a per-sample weight vector (`(n,)` or `(n, 1)`) and moves it to
/// `device` as a flat float tensor.
pub(crate) fn sample_weight_tensor(
    what: &str,
    sample_weight: Option<&Tensor>,
    n: usize,
    x: &Tensor,
    device: &Device,
) -> Result<Option<Tensor>> {
    let Some(w) = sample_weight else { return Ok(None) };
    if w.elem_count() != n || w.rank() == 0 || w.shape()[0] != n {
        return Err(Error::data(format!(
            "{what}: sample_weight must have shape ({n},) — one weight per sample — got {:?}",
            w.shape()
        )));
    }
    Ok(Some(w.reshape(&[n])?.cast(weight_dtype(x))?.to_device(device)?))
}

/// Per-sample weights from per-class weights (Keras'
/// `class_weight_to_sample_weights`): the class is the argmax of a one-hot
/// `y`, else `round(y)`; classes without an entry weigh 1.
pub(crate) fn class_weight_tensor(class_weight: &[f64], y: &Tensor, x: &Tensor, device: &Device) -> Result<Tensor> {
    let n = y.shape()[0];
    let classes: Vec<i64> = if y.rank() > 1 && y.shape()[y.rank() - 1] > 1 {
        y.argmax(-1)?.to_vec::<i64>()?
    } else {
        y.to_vec::<f64>()?.iter().map(|v| v.round() as i64).collect()
    };
    if classes.len() != n {
        return Err(Error::data(format!(
            "class_weight: cannot read one class per sample from y of shape {:?}",
            y.shape()
        )));
    }
    let w: Vec<f64> = classes
        .iter()
        .map(|&c| {
            usize::try_from(c)
                .ok()
                .and_then(|c| class_weight.get(c))
                .copied()
                .unwrap_or(1.0)
        })
        .collect();
    Ok(Tensor::from_vec(w, &[n], device)?.cast(weight_dtype(x))?)
}

/// A data set on the model's device: inputs, targets, optional weights.
#[derive(Clone)]
pub(crate) struct DataSet {
    pub x: Tensor,
    pub y: Tensor,
    pub sample_weight: Option<Tensor>,
}

impl DataSet {
    pub fn len(&self) -> usize {
        self.x.shape()[0]
    }

    /// Samples `start..start+len` (views, no copy).
    pub fn narrow(&self, start: usize, len: usize) -> Result<DataSet> {
        Ok(DataSet {
            x: self.x.narrow(0, start, len)?,
            y: self.y.narrow(0, start, len)?,
            sample_weight: self
                .sample_weight
                .as_ref()
                .map(|w| w.narrow(0, start, len))
                .transpose()?,
        })
    }

    /// Samples at `idx` (a `(len,)` u32 tensor on the same device).
    pub fn gather(&self, idx: &Tensor) -> Result<DataSet> {
        Ok(DataSet {
            x: self.x.gather(idx, 0)?,
            y: self.y.gather(idx, 0)?,
            sample_weight: self.sample_weight.as_ref().map(|w| w.gather(idx, 0)).transpose()?,
        })
    }

    /// Splits off the last `fraction` of the samples, as Keras'
    /// `validation_split` does (before any shuffling): the first
    /// `floor(n * (1 - fraction))` samples train.
    pub fn split_validation(&self, fraction: f64) -> Result<(DataSet, DataSet)> {
        let n = self.len();
        let split_at = (n as f64 * (1.0 - fraction)).floor() as usize;
        if split_at == 0 || split_at == n {
            return Err(Error::data(format!(
                "validation_split={fraction} leaves {split_at} of {n} samples for training and {} for \
                 validation; both need at least one",
                n - split_at
            )));
        }
        Ok((self.narrow(0, split_at)?, self.narrow(split_at, n - split_at)?))
    }
}
