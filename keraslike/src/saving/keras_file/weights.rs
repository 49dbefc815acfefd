//! A model's weights and optimizer state as Keras' HDF5 tree (`layers/<key>/vars/<i>`,
//! `optimizer/vars/<i>`), both ways.

use crate::layers::LayerRef;
use crate::models::Model;
use crate::{Error, Result};
use kerasfile::{Array, Group, Node};
use std::collections::BTreeSet;
use tensorlow::{DType, Device, Tensor, Variable};

/// Every layer of `model`, nested models' layers included.
pub(super) fn all_layers(model: &Model) -> Vec<LayerRef> {
    fn walk(layers: &[LayerRef], out: &mut Vec<LayerRef>) {
        for l in layers {
            out.push(l.clone());
            walk(&l.read().sublayers(), out);
        }
    }
    let mut out = Vec::new();
    walk(&model.layers(), &mut out);
    out
}

/// A tensor's values as an HDF5 array of the same dtype.
fn to_array(t: &Tensor) -> Result<Array> {
    let t = t.to_device(&Device::cpu())?;
    let shape = t.shape().to_vec();
    let arr = match t.dtype() {
        DType::F32 => Array::from_slice(&shape, &t.to_vec::<f32>()?),
        DType::F64 => Array::from_slice(&shape, &t.to_vec::<f64>()?),
        DType::I64 => Array::from_slice(&shape, &t.to_vec::<i64>()?),
        DType::I32 => Array::from_slice(&shape, &t.to_vec::<i32>()?),
        other => {
            let v = t.cast(DType::F32)?.to_vec::<f32>()?;
            return Array::from_slice(&shape, &v).map_err(|e| Error::arg(format!("{other} weight: {e}")));
        }
    };
    arr.map_err(|e| Error::arg(e.to_string()))
}

/// An HDF5 array as a tensor of `dtype` (float arrays convert to any float dtype, integer
/// arrays to integer dtypes, as Keras' `variable.assign` does).
fn to_tensor(what: &str, a: &Array, dtype: DType) -> Result<Tensor> {
    let cpu = Device::cpu();
    let shape = a.shape();
    let bad = |e: kerasfile::Error| Error::arg(format!("{what}: {e}"));
    Ok(match dtype {
        DType::F32 | DType::F64 | DType::F16 | DType::BF16 if a.dtype().is_float() => {
            Tensor::from_vec(a.to_f32().map_err(bad)?, shape, &cpu)?.cast(dtype)?
        }
        DType::I64 | DType::I32 if !a.dtype().is_float() => {
            Tensor::from_vec(a.to_i64().map_err(bad)?, shape, &cpu)?.cast(dtype)?
        }
        _ => {
            return Err(Error::arg(format!(
                "{what} is {} in the file but {dtype} in the model; only float to float and integer \
                 to integer convert",
                a.dtype()
            )))
        }
    })
}

/// `layers/dense/vars/0` -> (`layers/dense`, 0).
fn split_var_path(path: &str) -> Option<(&str, usize)> {
    let (owner, index) = path.rsplit_once("/vars/")?;
    Some((owner, index.parse().ok()?))
}

/// The weights tree Keras writes for `model`: each layer's variables under its path, with the
/// layer's name in the `vars` group's `name` attribute, and an empty `vars` group (with its
/// name) for layers without weights, as Keras writes them.
pub(super) fn tree(model: &Model) -> Result<Group> {
    let mut tree = Group::new();
    let named = crate::models::saving::model_saved_weights(model);
    let layers = model.layers();
    let classes: Vec<&str> = layers.iter().map(|l| l.class_name()).collect();
    for (l, key) in layers.iter().zip(crate::models::saving::layer_keys(&classes)) {
        tree.set_keras_vars(&format!("layers/{key}"), &l.name(), Vec::new())
            .map_err(|e| Error::arg(e.to_string()))?;
    }
    // Group the variables by owner, in index order.
    let mut by_owner: std::collections::BTreeMap<String, Vec<(usize, Variable)>> = Default::default();
    for (path, v) in named {
        let (owner, index) = split_var_path(&path).ok_or_else(|| {
            Error::arg(format!(
                "weight {:?} has the path {path:?}, not <layer>/vars/<i>",
                v.name()
            ))
        })?;
        by_owner.entry(owner.to_string()).or_default().push((index, v));
    }
    for (owner, mut vars) in by_owner {
        vars.sort_by_key(|(i, _)| *i);
        if vars.iter().enumerate().any(|(j, (i, _))| *i != j) {
            return Err(Error::arg(format!(
                "the variables of {owner:?} are not numbered 0 to n - 1"
            )));
        }
        let name = owner.rsplit('/').next().unwrap_or(&owner).to_string();
        let name = tree
            .group(&format!("{owner}/vars"))
            .and_then(|g| g.attr("name"))
            .and_then(|a| a.as_str())
            .map(str::to_string)
            .unwrap_or(name);
        let arrays = vars
            .iter()
            .map(|(_, v)| to_array(&v.read_value()?.stop_gradient()))
            .collect::<Result<Vec<_>>>()?;
        tree.set_keras_vars(&owner, &name, arrays)
            .map_err(|e| Error::arg(e.to_string()))?;
    }
    Ok(tree)
}

/// Assigns every weight of `model` from `tree`, by Keras' path. Every weight must be in the
/// file with the model's shape, and every variable the file holds under `layers/` must be one
/// of the model's; all are checked before any is assigned.
pub(super) fn assign(model: &Model, tree: &Group) -> Result<()> {
    let named = crate::models::saving::model_saved_weights(model);
    let mut in_file = BTreeSet::new();
    if let Some(layers) = tree.group("layers") {
        layers.walk("layers", &mut |p, n| {
            if matches!(n, Node::Dataset(_)) {
                in_file.insert(p.to_string());
            }
        });
    }
    let mut pending = Vec::with_capacity(named.len());
    for (path, w) in &named {
        let what = format!("weight {:?} ({path})", w.name());
        let d = tree.dataset(path).ok_or_else(|| {
            Error::arg(format!(
                "{what} is not in the file; it holds {} weights under layers/, e.g. {:?}",
                in_file.len(),
                in_file.iter().take(4).collect::<Vec<_>>()
            ))
        })?;
        if d.array.shape() != w.shape() {
            return Err(Error::shape(format!(
                "{what} has shape {:?} in the model but {:?} in the file",
                w.shape(),
                d.array.shape()
            )));
        }
        pending.push((
            w.clone(),
            to_tensor(&what, &d.array, w.dtype())?.to_device(&w.device())?,
        ));
        in_file.remove(path);
    }
    if !in_file.is_empty() {
        return Err(Error::arg(format!(
            "the file holds {} weights that model {:?} does not have: {:?}; the architectures differ",
            in_file.len(),
            model.name(),
            in_file.iter().take(6).collect::<Vec<_>>()
        )));
    }
    for (w, t) in pending {
        w.assign(&t)?;
    }
    Ok(())
}

/// Stores the compiled model's optimizer state under `optimizer/vars/<i>` as Keras does: the
/// iteration count as int64, the learning rate as a float32 scalar, then the slots.
pub(super) fn store_optimizer(model: &Model, tree: &mut Group) -> Result<()> {
    let Some(opt) = model.optimizer() else {
        return Ok(());
    };
    let state = opt.state()?;
    let arrays = state
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // Scalars after the iteration count are float64 in keraslike, float32 variables in Keras.
            if i > 0 && t.dtype() == DType::F64 && t.rank() == 0 {
                Ok(Array::scalar(t.to_scalar::<f64>()? as f32))
            } else {
                to_array(t)
            }
        })
        .collect::<Result<Vec<_>>>()?;
    tree.set_keras_vars("optimizer", opt.name(), arrays)
        .map_err(|e| Error::arg(e.to_string()))
}

/// Loads `optimizer/vars/*` into the compiled model's optimizer, building it for the model's
/// trainable weights first (Keras' `optimizer.build(model.trainable_variables)`). A file without
/// optimizer state leaves the fresh optimizer as it is.
pub(super) fn load_optimizer(model: &mut Model, tree: &Group) -> Result<()> {
    let vars = tree
        .keras_vars("optimizer")
        .map_err(|e| Error::arg(format!("optimizer state: {e}")))?;
    if vars.is_empty() {
        return Ok(());
    }
    let trainable = model.trainable_weights();
    if model.optimizer().is_none() {
        return Err(Error::NotReady(
            "load the optimizer state: the model is not compiled".into(),
        ));
    }
    // Through the model, which records what the slots were built for: building the optimizer
    // directly made the first train step rebuild it, with zero slots (Keras' state lost).
    model.build_optimizer(&trainable)?;
    let opt = model
        .optimizer_mut()
        .ok_or_else(|| Error::NotReady("load the optimizer state: the model is not compiled".into()))?;
    let state = vars
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let dtype = if a.dtype().is_float() { DType::F32 } else { DType::I64 };
            to_tensor(&format!("optimizer/vars/{i}"), a, dtype)
        })
        .collect::<Result<Vec<_>>>()?;
    opt.load_state(&state)
}
