//! Saving and loading a fitted MLP: ONE safetensors file holding the
//! weights (`coef_i`, `intercept_i`) and, in its metadata, the parameters,
//! the fitted attributes and the estimator's own extras (classes, loss).
//!
//! One file written atomically (a temporary file renamed over the target)
//! makes the save all-or-nothing: a kill during a save leaves the previous
//! file or the new one, never weights of one version beside parameters of
//! another. Loading treats the file as untrusted: every field is checked
//! against the others and against the tensors actually stored (layer sizes,
//! `n_outputs`, output activation, dtypes, finite values) before anything
//! is built, and each inconsistency is an [`Error::InvalidModelFile`]
//! naming the field.

use super::core::{Core, FitState};
use super::net::Network;
use super::params::{dtype_name, parse_dtype, MlpOptions, OutActivation};
use crate::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

/// The metadata key holding the JSON.
const KEY: &str = "sklearnlike";
/// The current layout of that JSON.
const FORMAT_VERSION: u64 = 2;

impl Core {
    /// Saves the fitted network, `extra` (the estimator's own fields) and
    /// `user` (a caller's JSON, e.g. a tool's preprocessing) to one file at
    /// `path`, atomically.
    pub fn save(&self, path: &Path, estimator: &str, extra: Value, user: Value) -> Result<()> {
        let net = self.fitted(estimator)?;
        let json = serde_json::json!({
            "estimator": estimator,
            "format_version": FORMAT_VERSION,
            "options": self.options,
            "state": self.state,
            "layer_units": net.layer_units,
            "dtype": dtype_name(net.dtype),
            "extra": extra,
            "user": user,
        });
        let mut tensors = Vec::new();
        for (i, (c, b)) in net.coefs.iter().zip(&net.intercepts).enumerate() {
            tensors.push((format!("coef_{i}"), c.affine(1.0, 0.0)?));
            tensors.push((format!("intercept_{i}"), b.affine(1.0, 0.0)?));
        }
        let text = serde_json::to_string(&json).map_err(|e| Error::file(path, e.to_string()))?;
        let meta = HashMap::from([(KEY.to_string(), text)]);
        tensorlow::save_tensors_with_metadata(path, &tensors, meta)?;
        Ok(())
    }

    /// Loads what [`Core::save`] wrote, checking every field; returns the
    /// core, the `extra` JSON (checked by the estimator) and the `user` JSON.
    pub fn load(path: &Path, estimator: &str) -> Result<(Core, Value, Value)> {
        if path.is_dir() {
            return Err(Error::file(
                path,
                "is a folder; an estimator is saved as one file (the path given to save)",
            ));
        }
        let (weights, meta) = tensorlow::load_tensors_with_metadata(path)?;
        let bad = |m: String| Error::model_file(path, m);
        let text = meta.get(KEY).ok_or_else(|| {
            bad(format!(
                "the file has no {KEY:?} metadata; it was not written by an estimator's save"
            ))
        })?;
        let mut v: Value =
            serde_json::from_str(text).map_err(|e| bad(format!("the metadata is not valid JSON: {e}")))?;
        if v["estimator"] != estimator {
            return Err(bad(format!(
                "it holds a {} but a {estimator} was asked for",
                v["estimator"]
            )));
        }
        if v["format_version"].as_u64() != Some(FORMAT_VERSION) {
            return Err(bad(format!(
                "format_version is {}, this version reads {FORMAT_VERSION}",
                v["format_version"]
            )));
        }
        let options: MlpOptions =
            serde_json::from_value(take(&mut v, "options")).map_err(|e| bad(format!("bad options: {e}")))?;
        options.validate().map_err(|e| bad(format!("bad options: {e}")))?;
        let state: FitState =
            serde_json::from_value(take(&mut v, "state")).map_err(|e| bad(format!("bad state: {e}")))?;
        let units: Vec<usize> =
            serde_json::from_value(take(&mut v, "layer_units")).map_err(|e| bad(format!("bad layer_units: {e}")))?;
        let dtype = parse_dtype(v["dtype"].as_str().unwrap_or("")).map_err(|e| bad(e.to_string()))?;
        check_layout(&units, &options, &state).map_err(bad)?;
        // Every tensor must be there with the layout's shape and dtype (so the
        // sizes are those of data the file really holds), and finite.
        let expected = 2 * (units.len() - 1);
        if weights.len() != expected {
            let mut names: Vec<&String> = weights.keys().collect();
            names.sort();
            return Err(bad(format!(
                "layer_units {units:?} need {expected} tensors (coef_i, intercept_i), the file holds {names:?}"
            )));
        }
        let mut coefs = Vec::new();
        let mut inters = Vec::new();
        for (i, w) in units.windows(2).enumerate() {
            for (name, shape, out) in [
                (format!("coef_{i}"), vec![w[0], w[1]], &mut coefs),
                (format!("intercept_{i}"), vec![w[1]], &mut inters),
            ] {
                let t = weights
                    .get(&name)
                    .ok_or_else(|| bad(format!("tensor {name:?} is missing")))?;
                if t.shape() != shape.as_slice() {
                    return Err(bad(format!(
                        "tensor {name:?} has shape {:?}, layer_units {units:?} give {shape:?}",
                        t.shape()
                    )));
                }
                if t.dtype() != dtype {
                    return Err(bad(format!(
                        "tensor {name:?} is {}, the metadata says {}",
                        t.dtype(),
                        dtype_name(dtype)
                    )));
                }
                let vals = t.to_vec::<f64>()?;
                if let Some(j) = vals.iter().position(|x| !x.is_finite()) {
                    return Err(bad(format!(
                        "tensor {name:?} holds a non-finite value ({}) at {j}",
                        vals[j]
                    )));
                }
                out.extend(vals);
            }
        }
        coefs.extend(inters);
        let out = state.out_activation.expect("checked by check_layout");
        let net = Network::from_packed(&units, options.activation, out, dtype, &coefs)?;
        let mut core = Core::new(options);
        core.best_packed = Some(net.flat.read_value()?);
        core.net = Some(net);
        core.state = state;
        let extra = take(&mut v, "extra");
        Ok((core, extra, take(&mut v, "user")))
    }
}

/// Moves `v[key]` out (`Null` when `v` is not an object or has no `key`:
/// indexing a non-object mutably would panic, and the file is untrusted).
pub(crate) fn take(v: &mut Value, key: &str) -> Value {
    v.get_mut(key).map(Value::take).unwrap_or(Value::Null)
}

/// The layer sizes against the parameters and the fitted attributes.
fn check_layout(units: &[usize], o: &MlpOptions, st: &FitState) -> std::result::Result<(), String> {
    if units.len() < 2 || units.contains(&0) {
        return Err(format!(
            "layer_units {units:?} must list at least 2 layers, each of at least 1 unit"
        ));
    }
    let hidden = &units[1..units.len() - 1];
    if hidden != o.hidden_layer_sizes.as_slice() {
        return Err(format!(
            "layer_units {units:?} do not match hidden_layer_sizes {:?}",
            o.hidden_layer_sizes
        ));
    }
    if st.n_features_in != units[0] {
        return Err(format!(
            "n_features_in = {} but the first layer has {} units",
            st.n_features_in, units[0]
        ));
    }
    let last = units[units.len() - 1];
    if st.n_outputs != last {
        return Err(format!(
            "n_outputs = {} but the output layer has {last} units",
            st.n_outputs
        ));
    }
    if st.n_layers != units.len() {
        return Err(format!(
            "n_layers = {} but layer_units has {}",
            st.n_layers,
            units.len()
        ));
    }
    if st.out_activation.is_none() {
        return Err("the state has no out_activation".into());
    }
    Ok(())
}

/// Checks a classifier's saved classes and multilabel flag against the
/// network (`n_outputs`, output activation).
pub(crate) fn check_classes<L: crate::base::Label>(
    path: &Path,
    classes: &[L],
    multilabel: Option<usize>,
    state: &FitState,
) -> Result<()> {
    let bad = |m: String| Error::model_file(path, m);
    let (k, out) = (state.n_outputs, state.out_activation);
    match multilabel {
        Some(n_labels) => {
            if n_labels < 2 || n_labels != k || out != Some(OutActivation::Logistic) || !classes.is_empty() {
                return Err(bad(format!(
                    "multilabel = {n_labels} needs {n_labels} (>= 2) logistic outputs and no classes; \
                     the network has {k} {} outputs and {} classes",
                    out.map_or("?", |o| o.as_str()),
                    classes.len()
                )));
            }
        }
        None => {
            if classes.is_empty() {
                return Err(bad("the class list is empty".into()));
            }
            if let Some(i) = classes.windows(2).position(|w| w[0] >= w[1]) {
                return Err(bad(format!(
                    "classes must be sorted and distinct (classes_ order), but {:?} comes before {:?}",
                    classes[i],
                    classes[i + 1]
                )));
            }
            let (want_k, want_out) = if classes.len() <= 2 {
                (1, OutActivation::Logistic)
            } else {
                (classes.len(), OutActivation::Softmax)
            };
            if k != want_k || out != Some(want_out) {
                return Err(bad(format!(
                    "{} classes need {want_k} {want_out} output(s), the network has {k} {} output(s)",
                    classes.len(),
                    out.map_or("?", |o| o.as_str())
                )));
            }
        }
    }
    Ok(())
}
