//! Preparing `fit`/`evaluate` data: inputs and targets as tensors, lists
//! or by name ([`IntoData`]), checks, sample and class weights, the
//! validation split and batch slicing without copying the data set.

use super::compile::Compiled;
use crate::{Error, Result};
use std::collections::{BTreeMap, HashMap};
use tensorlow::{DType, Device, Tensor};

/// Model inputs or targets: one tensor, one per input/output in order, or
/// by name.
#[derive(Clone, Debug)]
pub enum Data {
    /// Tensors in the order of the model's inputs (or outputs).
    List(Vec<Tensor>),
    /// Tensors by input (or output) name.
    ByName(Vec<(String, Tensor)>),
}

/// What `fit`, `evaluate` and `predict` accept as `x` and `y`: a tensor
/// (`&x`), a list (`[&a, &b]`, `vec![a, b]`) or tensors by name
/// (`[("a", &a), ("b", &b)]`, a `HashMap<String, Tensor>`).
pub trait IntoData {
    /// The tensors.
    fn into_data(self) -> Data;
}
impl IntoData for Data {
    fn into_data(self) -> Data {
        self
    }
}
impl IntoData for &Tensor {
    fn into_data(self) -> Data {
        Data::List(vec![self.clone()])
    }
}
impl IntoData for Tensor {
    fn into_data(self) -> Data {
        Data::List(vec![self])
    }
}
impl IntoData for &[Tensor] {
    fn into_data(self) -> Data {
        Data::List(self.to_vec())
    }
}
impl IntoData for Vec<Tensor> {
    fn into_data(self) -> Data {
        Data::List(self)
    }
}
impl IntoData for &Vec<Tensor> {
    fn into_data(self) -> Data {
        Data::List(self.clone())
    }
}
impl IntoData for &[&Tensor] {
    fn into_data(self) -> Data {
        Data::List(self.iter().map(|t| (*t).clone()).collect())
    }
}
impl<const N: usize> IntoData for [&Tensor; N] {
    fn into_data(self) -> Data {
        Data::List(self.iter().map(|t| (*t).clone()).collect())
    }
}
impl<const N: usize> IntoData for [(&str, &Tensor); N] {
    fn into_data(self) -> Data {
        Data::ByName(self.iter().map(|(k, t)| (k.to_string(), (*t).clone())).collect())
    }
}
impl IntoData for &[(&str, &Tensor)] {
    fn into_data(self) -> Data {
        Data::ByName(self.iter().map(|(k, t)| (k.to_string(), (*t).clone())).collect())
    }
}
impl IntoData for HashMap<String, Tensor> {
    fn into_data(self) -> Data {
        let mut v: Vec<(String, Tensor)> = self.into_iter().collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        Data::ByName(v)
    }
}
impl IntoData for BTreeMap<String, Tensor> {
    fn into_data(self) -> Data {
        Data::ByName(self.into_iter().collect())
    }
}

/// The tensors of `data` in the order of `names` (the model's inputs or
/// outputs); `what`/`arg` name the call and argument in errors.
pub(crate) fn resolve(what: &str, arg: &str, data: Data, names: &[String]) -> Result<Vec<Tensor>> {
    match data {
        Data::List(v) => {
            if v.len() != names.len() {
                return Err(Error::arg(format!(
                    "{what}: {arg} has {} tensor(s) but the model has {} ({names:?}); give one per {}",
                    v.len(),
                    names.len(),
                    if arg == "x" { "input" } else { "output" }
                )));
            }
            Ok(v)
        }
        Data::ByName(mut v) => {
            let mut out = Vec::with_capacity(names.len());
            for n in names {
                let i = v.iter().position(|(k, _)| k == n).ok_or_else(|| {
                    Error::arg(format!(
                        "{what}: {arg} has no tensor for {n:?} (got {:?}; the model's are {names:?})",
                        v.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>()
                    ))
                })?;
                out.push(v.remove(i).1);
            }
            if let Some((k, _)) = v.first() {
                return Err(Error::arg(format!(
                    "{what}: {arg} has a tensor for {k:?}, which is not one of the model's {names:?}"
                )));
            }
            Ok(out)
        }
    }
}

/// The targets of the outputs that have a loss, in output order: given for
/// every output, or only for those with a loss. Outputs without a loss get
/// an empty placeholder that nothing reads.
pub(crate) fn targets(what: &str, data: Data, c: &Compiled) -> Result<Vec<Tensor>> {
    let trained: Vec<String> = c
        .outputs
        .iter()
        .zip(&c.output_names)
        .filter(|(o, _)| o.loss.is_some())
        .map(|(_, n)| n.clone())
        .collect();
    let all = &c.output_names;
    let by_position = match &data {
        Data::List(v) => v.len() == all.len(),
        Data::ByName(v) => v.len() == all.len() && all.iter().all(|n| v.iter().any(|(k, _)| k == n)),
    };
    if by_position {
        return resolve(what, "y", data, all);
    }
    let given = resolve(what, "y", data, &trained)?;
    let mut it = given.into_iter();
    Ok(c.outputs
        .iter()
        .map(|o| match o.loss {
            Some(_) => it.next().expect("one target per trained output"),
            None => Tensor::scalar(0.0f32),
        })
        .collect())
}

/// The number of samples, after checking that every input and target
/// agrees and is non-empty.
pub(crate) fn check_xy(what: &str, xs: &[Tensor], ys: &[Tensor]) -> Result<usize> {
    let n = check_x(what, xs)?;
    for y in ys.iter().filter(|y| y.rank() > 0) {
        if y.shape()[0] != n {
            // A lone sample without its batch axis is a common slip: say so.
            let hint = if xs.len() == 1 && xs[0].rank() == 1 {
                format!("; if x is one sample of {n} features, add the batch axis: reshape it to (1, {n})")
            } else {
                String::new()
            };
            return Err(Error::data(format!(
                "{what}: x has {n} samples but y has {} (shapes {:?} and {:?}); give one target per sample{hint}",
                y.shape()[0],
                xs[0].shape(),
                y.shape()
            )));
        }
    }
    if ys.iter().all(|y| y.rank() == 0) && !ys.is_empty() {
        return Err(Error::shape(format!(
            "{what}: y needs a batch axis, got shape {:?}",
            ys[0].shape()
        )));
    }
    Ok(n)
}

/// The number of samples of the inputs (all the same, non-empty).
pub(crate) fn check_x(what: &str, xs: &[Tensor]) -> Result<usize> {
    let Some(first) = xs.first() else {
        return Err(Error::arg(format!("{what}: x is empty (no input tensors)")));
    };
    if xs.iter().any(|x| x.rank() == 0) {
        return Err(Error::shape(format!(
            "{what}: x and y need a batch axis, got shapes {:?}",
            xs.iter().map(|x| x.shape().to_vec()).collect::<Vec<_>>()
        )));
    }
    let n = first.shape()[0];
    if let Some(x) = xs.iter().find(|x| x.shape()[0] != n) {
        return Err(Error::data(format!(
            "{what}: the inputs have different numbers of samples ({n} and {})",
            x.shape()[0]
        )));
    }
    if n == 0 {
        return Err(Error::data(format!(
            "{what}: the data is empty (x has shape {:?})",
            first.shape()
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
    pub x: Vec<Tensor>,
    pub y: Vec<Tensor>,
    pub sample_weight: Option<Tensor>,
}

/// `f` applied to every tensor with a batch axis (targets of untrained
/// outputs are placeholders without one).
fn each(ts: &[Tensor], f: impl Fn(&Tensor) -> tensorlow::Result<Tensor>) -> Result<Vec<Tensor>> {
    ts.iter()
        .map(|t| if t.rank() == 0 { Ok(t.clone()) } else { Ok(f(t)?) })
        .collect()
}

impl DataSet {
    pub fn len(&self) -> usize {
        self.x[0].shape()[0]
    }

    /// Samples `start..start+len` (views, no copy).
    pub fn narrow(&self, start: usize, len: usize) -> Result<DataSet> {
        Ok(DataSet {
            x: each(&self.x, |t| t.narrow(0, start, len))?,
            y: each(&self.y, |t| t.narrow(0, start, len))?,
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
            x: each(&self.x, |t| t.gather(idx, 0))?,
            y: each(&self.y, |t| t.gather(idx, 0))?,
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
