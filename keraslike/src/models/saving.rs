//! Saving and loading models and weights.
//!
//! **Format.** One safetensors file (conventionally `*.safetensors`):
//! - tensors: each weight under Keras 3's weight path
//!   (`layers/dense/vars/0`, `layers/dense_1/vars/1`; numbered by position
//!   among layers of the same class, not by layer name; a nested model's
//!   as `layers/sequential/layers/dense/vars/0`), stored from the CPU; for
//!   a compiled model, the optimizer's whole state as `optimizer/vars/N`
//!   (Keras' paths and order: the step count, the learning rate, then the
//!   slots), so training resumes exactly where it stopped;
//! - header metadata (`__metadata__`): `format` (`keraslike.model/2` or
//!   `keraslike.weights/2`), `model_config` (Keras 3's serialized model:
//!   `{"module", "class_name": "Sequential" | "Functional", "config": {...}}`
//!   with each layer's config and, for a functional model, its
//!   `inbound_nodes`), and for a compiled model `compile_config`.
//!
//! Files are written atomically (a temporary file renamed over the
//! target), so an interrupted save never destroys the previous file.
//! Loading checks every weight's name, shape and dtype before assigning
//! any, and errors name the layer and variable that does not fit.
//!
//! ```no_run
//! # use keraslike::Sequential;
//! # fn main() -> keraslike::Result<()> {
//! # let model = Sequential::new(vec![]);
//! model.save("iris.safetensors")?;
//! let restored = keraslike::models::load_model("iris.safetensors")?;
//! # Ok(()) }
//! ```

use super::network::Network;
use super::Model;
use crate::layers::{layer_from_config, Layer, LayerRef};
use crate::saving::keras_file;
use crate::{Error, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use tensorlow::{load_tensors_with_metadata, save_tensors_with_metadata, DType, Tensor, Variable};

const MODEL_FORMAT: &str = "keraslike.model/2";
const WEIGHTS_FORMAT: &str = "keraslike.weights/2";
/// The first format (Sequential only, same weight paths): still read.
const OLD_MODEL_FORMAT: &str = "keraslike.model/1";
const OLD_WEIGHTS_FORMAT: &str = "keraslike.weights/1";

/// Keras' `to_snake_case` (`keras.src.utils.naming`): `BatchNormalization` ->
/// `batch_normalization`, `Conv2D` -> `conv2d`, `LSTM` -> `lstm`, `SimpleRNN` ->
/// `simple_rnn`, `GlobalAveragePooling2D` -> `global_average_pooling2d`; the layers' keys in
/// saved files, so they must match Keras' exactly.
pub(crate) fn snake_case(class: &str) -> String {
    let c: Vec<char> = class.chars().filter(|c| c.is_alphanumeric() || *c == '_').collect();
    // re.sub("(.)([A-Z][a-z]+)", r"\1_\2"): an underscore before each capitalized word.
    let mut a: Vec<char> = Vec::with_capacity(c.len() + 4);
    let mut i = 0;
    while i < c.len() {
        if i > 0 && c[i].is_ascii_uppercase() && c.get(i + 1).is_some_and(|n| n.is_ascii_lowercase()) {
            a.push('_');
            a.push(c[i]);
            i += 1;
            while i < c.len() && c[i].is_ascii_lowercase() {
                a.push(c[i]);
                i += 1;
            }
            continue;
        }
        a.push(c[i]);
        i += 1;
    }
    // re.sub("([a-z])([A-Z])", r"\1_\2") on the result, then lower-case.
    let mut out = String::with_capacity(a.len() + 4);
    for (j, ch) in a.iter().enumerate() {
        if j > 0 && ch.is_ascii_uppercase() && a[j - 1].is_ascii_lowercase() {
            out.push('_');
        }
        out.extend(ch.to_lowercase());
    }
    out
}

/// The path of each layer in saved files, as Keras 3 names them: the
/// snake-case class name, numbered by position among layers of the same
/// class (`dense`, `dense_1`, ...), so weights load into any model of the
/// same architecture whatever its layers are called.
pub(crate) fn layer_keys(classes: &[&str]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    classes
        .iter()
        .map(|c| {
            let base = snake_case(c);
            let n = seen.entry(base.clone()).or_insert(0);
            let key = if *n == 0 { base } else { format!("{base}_{n}") };
            *n += 1;
            key
        })
        .collect()
}

/// Every weight of `model` under its path (`layers/<key>/vars/<j>`).
pub(crate) fn model_saved_weights(model: &Model) -> Vec<(String, Variable)> {
    let layers = model.layers();
    let classes: Vec<&str> = layers.iter().map(|l| l.class_name()).collect();
    let mut out = Vec::new();
    for (l, key) in layers.iter().zip(layer_keys(&classes)) {
        for (p, w) in l.read().saved_weights() {
            out.push((format!("layers/{key}/{p}"), w));
        }
    }
    out
}

/// Keras' `module` and `registered_name` of a serialized layer of `class`:
/// a nested model is not in `keras.layers` (Keras refuses to deserialize
/// `keras.layers.Sequential`).
pub(crate) fn keras_module(class: &str) -> (&'static str, Value) {
    match class {
        "Sequential" => ("keras", Value::Null),
        "Functional" => ("keras.src.models.functional", json!("Functional")),
        _ => ("keras.layers", Value::Null),
    }
}

/// A layer in Keras' serialized form (`{"module", "class_name", "config", ...}`).
fn serialize_layer(l: &LayerRef, input_shape: Option<&[usize]>) -> Value {
    let (module, registered) = keras_module(l.class_name());
    let mut v = json!({
        "module": module,
        "class_name": l.class_name(),
        "config": l.get_config(),
        "registered_name": registered,
    });
    if let Some(s) = input_shape {
        v["build_config"] = json!({ "input_shape": batch_shape(s) });
    }
    v
}

/// `[null, d1, d2, ...]`.
fn batch_shape(s: &[usize]) -> Value {
    Value::Array(
        std::iter::once(Value::Null)
            .chain(s.iter().map(|&d| json!(d)))
            .collect(),
    )
}

fn parse_json(path: &Path, key: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::file(path, format!("metadata {key:?} is not valid JSON: {e}")))
}

/// Wraps an error from deep inside a load with the file's path (once).
fn in_file(path: &Path, e: Error) -> Error {
    match e {
        Error::File { .. } => e,
        e => Error::file(path, e.to_string()),
    }
}

/// The class and config of a serialized object (Keras 3 or keraslike/1 form).
fn class_and_config<'a>(v: &'a Value, what: &str) -> Result<(&'a str, &'a Value)> {
    let class = v
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::arg(format!("{what} has no \"class_name\"")))?;
    Ok((class, v.get("config").unwrap_or(&Value::Null)))
}

impl Model {
    /// The model's architecture in Keras 3's serialized form
    /// (`keras.saving.serialize_keras_object(model)`): `class_name`
    /// `"Sequential"` or `"Functional"` and the `config` with every layer.
    pub fn model_config(&self) -> Value {
        match &self.net {
            Network::Stack(s) => {
                let input = s.input_shape();
                let mut layers = Vec::new();
                if let Some(shape) = &input {
                    let input_layer = s
                        .input
                        .clone()
                        .unwrap_or_else(|| crate::layers::Input::new(shape).name("input_layer"));
                    layers.push(json!({
                        "module": "keras.layers",
                        "class_name": "InputLayer",
                        "config": input_layer.get_config(),
                        "registered_name": null,
                    }));
                }
                let mut shape = input.clone();
                for l in &s.layers {
                    layers.push(serialize_layer(l, shape.as_deref()));
                    shape = shape.and_then(|sh| super::network::output_shape_of(l, &sh).ok());
                }
                let mut v = json!({
                    "module": "keras",
                    "class_name": "Sequential",
                    "config": {"name": self.name, "trainable": true, "layers": layers},
                    "registered_name": null,
                });
                if let Some(shape) = &input {
                    v["config"]["build_input_shape"] = batch_shape(shape);
                    v["build_config"] = json!({ "input_shape": batch_shape(shape) });
                }
                v
            }
            Network::Graph(g) => json!({
                "module": "keras.src.models.functional",
                "class_name": "Functional",
                "config": g.config(&self.name),
                "registered_name": "Functional",
            }),
            Network::Custom(c, _) => json!({
                "module": null,
                "class_name": c.class_name(),
                "config": {"name": self.name},
                "registered_name": c.class_name(),
            }),
        }
    }

    /// The model's config (`model.get_config()`): the `config` part of
    /// [`model_config`](Self::model_config).
    pub fn get_config(&self) -> Value {
        self.model_config()["config"].clone()
    }

    /// The compile configuration in Keras' form (`model.get_compile_config()`):
    /// the serialized optimizer (every option, schedules included), one
    /// serialized loss per output (`null` for an output without one), the
    /// loss weights and the metrics of each output.
    pub fn get_compile_config(&self) -> Option<Value> {
        let c = self.compiled.as_ref()?;
        let losses: Vec<Value> = c
            .outputs
            .iter()
            .map(|o| match &o.loss {
                Some(l) => crate::losses::serialize(l.as_ref()),
                None => Value::Null,
            })
            .collect();
        let st = c.state();
        let metrics: Vec<Vec<Value>> = st
            .metrics
            .iter()
            .map(|ms| ms.iter().map(|m| crate::metrics::serialize(m.as_ref())).collect())
            .collect();
        Some(json!({
            "optimizer": crate::optimizers::serialize(c.optimizer.as_ref()),
            "loss": losses,
            "loss_weights": c.outputs.iter().map(|o| o.weight).collect::<Vec<_>>(),
            "metrics": metrics,
        }))
    }

    /// The optimizer's state under Keras' paths `optimizer/vars/N`, moved to
    /// the CPU (nothing when the optimizer has not been built).
    fn optimizer_tensors(&self) -> Result<Vec<(String, Tensor)>> {
        let Some(c) = self.compiled.as_ref() else {
            return Ok(Vec::new());
        };
        if !c.optimizer.built() {
            return Ok(Vec::new());
        }
        let cpu = tensorlow::Device::cpu();
        c.optimizer
            .state()?
            .into_iter()
            .enumerate()
            .map(|(i, t)| Ok((format!("optimizer/vars/{i}"), t.to_device(&cpu)?)))
            .collect()
    }

    /// Every weight under its file key, moved to the CPU.
    fn named_weights(&self) -> Result<Vec<(String, Tensor)>> {
        model_saved_weights(self)
            .into_iter()
            .map(|(k, w)| Ok((k, w.read_value()?.stop_gradient().to_device(&tensorlow::Device::cpu())?)))
            .collect()
    }

    fn write(&self, path: &Path, format: &str, with_compile: bool) -> Result<()> {
        self.write_with(path, format, with_compile, &[])
    }

    fn write_with(&self, path: &Path, format: &str, with_compile: bool, extra: &[(&str, String)]) -> Result<()> {
        let mut meta = HashMap::from([
            ("format".to_string(), format.to_string()),
            ("model_config".to_string(), self.model_config().to_string()),
        ]);
        for (k, v) in extra {
            meta.insert(k.to_string(), v.clone());
        }
        let mut tensors = self.named_weights()?;
        if with_compile {
            if let Some(cfg) = self.get_compile_config() {
                meta.insert("compile_config".to_string(), cfg.to_string());
                tensors.extend(self.optimizer_tensors()?);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (k, _) in &tensors {
            if !seen.insert(k.clone()) {
                return Err(Error::file(path, format!("two weights share the path {k:?}")));
            }
        }
        tensors.sort_by(|a, b| a.0.cmp(&b.0));
        save_tensors_with_metadata(path, &tensors, meta).map_err(|e| in_file(path, e.into()))
    }

    /// Saves the whole model — architecture, weights and compile config — to
    /// one safetensors file at `path` (see the module docs for the format).
    ///
    /// A path ending in `.keras` writes Keras 3's archive instead, which
    /// `keras.models.load_model` opens (see [`crate::saving::keras_file`]).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        if keras_file::format_of_name(path.as_ref()) == Some(keras_file::KerasFormat::Archive) {
            return keras_file::save_keras(self, path);
        }
        if !self.built() {
            return Err(self.not_built("save"));
        }
        if let Network::Custom(c, _) = &self.net {
            return Err(Error::arg(format!(
                "save: model {:?} is a subclassed model ({}), whose code cannot be stored in a file; \
                 save its weights with save_weights and load them into a new instance",
                self.name,
                c.class_name()
            )));
        }
        self.write(path.as_ref(), MODEL_FORMAT, true)
    }

    /// Saves only the weights (`model.save_weights`). A path ending in
    /// `.h5` (Keras' `.weights.h5`) writes Keras 3's HDF5 weights file.
    pub fn save_weights(&self, path: impl AsRef<Path>) -> Result<()> {
        if keras_file::format_of_name(path.as_ref()) == Some(keras_file::KerasFormat::Weights) {
            return keras_file::save_keras_weights(self, path);
        }
        if !self.built() {
            return Err(self.not_built("save_weights"));
        }
        self.write(path.as_ref(), WEIGHTS_FORMAT, false)
    }

    /// Loads weights saved by [`save_weights`](Self::save_weights) or
    /// [`save`](Self::save) into this model (`model.load_weights`), building
    /// it first from the file's input shape if needed. Weights are matched
    /// by Keras' path (`layers/dense/vars/0`); a file whose tensors are
    /// named by weight (`dense/kernel`, as tensorlow checkpoints and other
    /// tools write them) loads too. Names, shapes and dtypes are checked for
    /// every weight before any is assigned.
    ///
    /// Keras 3's `.weights.h5` files and `.keras` archives load too
    /// (recognized by their content).
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if keras_file::sniff(path).is_some() {
            return keras_file::load_keras_weights(self, path);
        }
        let (tensors, meta) = load_tensors_with_metadata(path).map_err(|e| in_file(path, e.into()))?;
        if !self.built() {
            let shape = meta
                .get("model_config")
                .map(|t| parse_json(path, "model_config", t))
                .transpose()?
                .and_then(|c| input_shape_of_config(&c));
            match shape {
                Some(s) => Model::build(self, &s).map_err(|e| in_file(path, e))?,
                None => return Err(self.not_built("load_weights")),
            }
        }
        self.assign_from(path, &tensors)
    }

    /// Writes what resuming needs — the weights, the optimizer's state and
    /// the last finished epoch (0-based) — atomically to `path`
    /// (`BackupAndRestore`).
    pub(crate) fn write_backup(&self, path: &Path, epoch: usize) -> Result<()> {
        if self.compiled.is_none() {
            return Err(self.not_compiled("BackupAndRestore"));
        }
        self.write_with(path, MODEL_FORMAT, true, &[("epoch", epoch.to_string())])
    }

    /// Restores a [`write_backup`](Self::write_backup) file into this
    /// (compiled, same-architecture) model: the weights, then the
    /// optimizer's state. Returns the epoch it was written after.
    pub(crate) fn read_backup(&mut self, path: &Path) -> Result<usize> {
        let (tensors, meta) = load_tensors_with_metadata(path).map_err(|e| in_file(path, e.into()))?;
        let epoch: usize = meta
            .get("epoch")
            .and_then(|e| e.parse().ok())
            .ok_or_else(|| Error::file(path, "not a BackupAndRestore file (no \"epoch\" in its metadata)"))?;
        self.assign_from(path, &tensors)?;
        restore_optimizer(self, &tensors).map_err(|e| in_file(path, e))?;
        Ok(epoch)
    }

    fn assign_from(&self, path: &Path, tensors: &HashMap<String, Tensor>) -> Result<()> {
        let named = model_saved_weights(self);
        let by_path = named.iter().all(|(k, _)| tensors.contains_key(k));
        let by_name = !by_path && named.iter().all(|(_, w)| tensors.contains_key(w.name()));
        let mut pending = Vec::with_capacity(named.len());
        for (key, w) in &named {
            let t = if by_name {
                tensors.get(w.name())
            } else {
                tensors.get(key)
            };
            let t = t.ok_or_else(|| {
                Error::file(
                    path,
                    format!(
                        "no value for weight {:?} (path {key:?}) in the file; it holds {} tensors, e.g. {:?}",
                        w.name(),
                        tensors.len(),
                        tensors.keys().take(3).collect::<Vec<_>>()
                    ),
                )
            })?;
            if t.shape() != w.shape() {
                return Err(Error::file(
                    path,
                    format!(
                        "weight {:?} has shape {:?} in the model but {:?} in the file",
                        w.name(),
                        w.shape(),
                        t.shape()
                    ),
                ));
            }
            if t.dtype() != w.dtype() && !(t.dtype().is_float() && w.dtype().is_float()) {
                return Err(Error::file(
                    path,
                    format!(
                        "weight {:?} is {} in the model but {} in the file; only float weights convert",
                        w.name(),
                        w.dtype(),
                        t.dtype()
                    ),
                ));
            }
            pending.push((w.clone(), t.cast(w.dtype())?.to_device(&w.device())?));
        }
        let weight_tensors = if by_name {
            tensors.len()
        } else {
            tensors.keys().filter(|k| k.starts_with("layers/")).count()
        };
        if pending.len() != weight_tensors {
            return Err(Error::file(
                path,
                format!(
                    "the file holds {weight_tensors} weights but model {:?} has {}",
                    self.name,
                    pending.len()
                ),
            ));
        }
        for (w, t) in pending {
            w.assign(&t)?;
        }
        Ok(())
    }

    /// Loads a model saved by [`save`](Self::save) (see [`load_model`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Model> {
        load_model(path)
    }
}

/// The per-sample input shape recorded in a model config, if any.
fn input_shape_of_config(c: &Value) -> Option<Vec<usize>> {
    let cfg = &c["config"];
    let from_batch = |v: &Value| -> Option<Vec<usize>> {
        let a = v.as_array()?;
        a.iter().skip(1).map(|d| d.as_u64().map(|d| d as usize)).collect()
    };
    from_batch(&cfg["build_input_shape"])
        .or_else(|| from_batch(&c["build_config"]["input_shape"]))
        .or_else(|| serde_json::from_value::<Vec<usize>>(cfg["input_shape"].clone()).ok())
}

/// A model from its serialized config (`{"class_name": "Sequential" |
/// "Functional", "config": {...}}`, what [`Model::model_config`] writes).
pub fn model_from_config(c: &Value) -> Result<Model> {
    let (class, cfg) = class_and_config(c, "the model config")?;
    let name = cfg.get("name").and_then(Value::as_str).map(str::to_string);
    let model = match class {
        "Sequential" => {
            let mut layers = Vec::new();
            for (i, l) in cfg["layers"].as_array().into_iter().flatten().enumerate() {
                let (lc, lcfg) = class_and_config(l, &format!("layer {i} of the config"))?;
                layers.push(LayerRef::from_box(layer_from_config(lc, lcfg)?));
            }
            let seq = super::Sequential::from_layers(layers);
            if let Some(shape) = input_shape_of_config(c) {
                seq.build(&shape)?;
            }
            seq.into_model()
        }
        "Functional" => super::functional::graph_from_config(cfg)?,
        other => {
            return Err(Error::arg(format!(
                "unknown model class {other:?}: keraslike loads Sequential and Functional models; \
                 a subclassed model loads with load_weights into a new instance"
            )))
        }
    };
    Ok(match name {
        Some(n) => model.with_name(n),
        None => model,
    })
}

/// Loads a model saved by [`Model::save`] (Keras'
/// `keras.models.load_model`): the layers are rebuilt from their configs
/// (see [`register_layer`](crate::layers::register_layer) for custom
/// layers), the weights assigned and, when the file holds a compile
/// config, the model re-compiled. The model is placed on the CPU; move it
/// with [`Model::to_device`]. A `Sequential` file loads as a `Model`
/// whose stack is a `Sequential` ([`Model::into_sequential`]).
///
/// ```no_run
/// # fn main() -> keraslike::Result<()> {
/// let model = keraslike::models::load_model("iris.safetensors")?;
/// # Ok(()) }
/// ```
///
/// Keras 3's `.keras` archives load too (recognized by their content; see
/// [`crate::saving::keras_file`]).
pub fn load_model(path: impl AsRef<Path>) -> Result<Model> {
    let path = path.as_ref();
    match keras_file::sniff(path) {
        Some(keras_file::KerasFormat::Archive) => return keras_file::load_keras(path),
        Some(keras_file::KerasFormat::Weights) => {
            return Err(Error::file(
                path,
                "this is a Keras weights file (HDF5), which holds no architecture: build the model \
                 and call load_weights",
            ))
        }
        None => {}
    }
    let (tensors, meta) = load_tensors_with_metadata(path).map_err(|e| in_file(path, e.into()))?;
    let format = meta.get("format").map(String::as_str);
    if format != Some(MODEL_FORMAT) && format != Some(OLD_MODEL_FORMAT) {
        let hint = if matches!(format, Some(WEIGHTS_FORMAT) | Some(OLD_WEIGHTS_FORMAT)) {
            "; it holds weights only: build the model and call load_weights"
        } else {
            ""
        };
        return Err(Error::file(
            path,
            format!("not a keraslike model file (format {format:?}){hint}"),
        ));
    }
    let cfg = parse_json(
        path,
        "model_config",
        meta.get("model_config").map(String::as_str).unwrap_or(""),
    )?;
    let cfg = if format == Some(OLD_MODEL_FORMAT) {
        upgrade_v1(cfg)
    } else {
        cfg
    };
    let mut model = model_from_config(&cfg).map_err(|e| in_file(path, e))?;
    model.assign_from(path, &tensors)?;
    if let Some(text) = meta.get("compile_config") {
        let c = parse_json(path, "compile_config", text)?;
        compile_from_config(&mut model, &c, &tensors).map_err(|e| in_file(path, e))?;
    }
    let _ = DType::F32;
    Ok(model)
}

/// A `keraslike.model/1` config (`{"class_name": "Sequential", "config":
/// {"name", "input_shape", "layers"}}`) in the current form.
fn upgrade_v1(mut cfg: Value) -> Value {
    if let Some(shape) = cfg["config"].get("input_shape").cloned() {
        if let Ok(s) = serde_json::from_value::<Vec<usize>>(shape) {
            cfg["config"]["build_input_shape"] = batch_shape(&s);
        }
    }
    cfg
}

/// Re-compiles a loaded model from its compile config, then restores the
/// optimizer's state when the file holds one.
fn compile_from_config(model: &mut Model, c: &Value, tensors: &HashMap<String, Tensor>) -> Result<()> {
    let opt_cfg = &c["optimizer"];
    let optimizer = if opt_cfg.get("class_name").is_some() || opt_cfg.is_string() {
        crate::optimizers::deserialize(opt_cfg)?
    } else {
        // keraslike.model/1 and early /2 files: `{"name", "config"}`; only
        // the learning rate was kept.
        let mut o = crate::optimizers::get(opt_cfg["name"].as_str().unwrap_or("rmsprop"))?;
        if let Some(lr) = opt_cfg["config"]["learning_rate"].as_f64() {
            o.set_learning_rate(lr);
        }
        o
    };
    // keraslike/1 wrote one loss object; /2 writes one per output.
    let losses: Vec<Value> = match &c["loss"] {
        Value::Array(a) => a.clone(),
        v => vec![v.clone()],
    };
    let losses: Vec<Option<Box<dyn crate::losses::Loss>>> = losses
        .iter()
        .map(|l| match l {
            Value::Null => Ok(None),
            l if l.get("class_name").is_none() && l.get("name").is_some() => {
                crate::losses::get(l["name"].as_str().unwrap_or_default()).map(Some)
            }
            l => crate::losses::deserialize(l).map(Some),
        })
        .collect::<Result<_>>()?;
    // Metrics: one list per output (a flat list in /1 files), each entry a
    // name or a serialized metric.
    let lists: Vec<Vec<Value>> = match &c["metrics"] {
        Value::Array(a) if a.iter().all(|v| !v.is_array()) => vec![a.clone()],
        Value::Array(a) => a.iter().map(|l| l.as_array().cloned().unwrap_or_default()).collect(),
        _ => vec![Vec::new(); losses.len()],
    };
    if lists.len() != losses.len() {
        return Err(Error::arg(format!(
            "compile_config: {} metric lists for {} outputs",
            lists.len(),
            losses.len()
        )));
    }
    let metrics: Vec<Vec<Box<dyn crate::metrics::Metric>>> = lists
        .iter()
        .zip(&losses)
        .map(|(l, loss)| {
            l.iter()
                .map(|m| crate::metrics::deserialize(m, loss.as_deref()))
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<_>>()?;
    let weights: Option<Vec<f64>> = serde_json::from_value(c["loss_weights"].clone()).ok();
    let mut opts = super::CompileOptions::default();
    if let Some(w) = weights {
        opts = opts.loss_weights(w);
    }
    model.compile_with(
        optimizer,
        super::compile::Losses::List(losses),
        super::compile::OutputMetrics::Resolved(metrics),
        opts,
    )?;
    restore_optimizer(model, tensors)
}

/// Loads `optimizer/vars/N` (when present) into the freshly compiled
/// model's optimizer, built for the model's trainable weights.
fn restore_optimizer(model: &mut Model, tensors: &HashMap<String, Tensor>) -> Result<()> {
    let mut state: Vec<(usize, &Tensor)> = Vec::new();
    for (k, t) in tensors {
        if let Some(n) = k.strip_prefix("optimizer/vars/") {
            let n: usize = n.parse().map_err(|_| {
                Error::arg(format!(
                    "optimizer state: bad tensor name {k:?} (expected optimizer/vars/N)"
                ))
            })?;
            state.push((n, t));
        }
    }
    if state.is_empty() {
        return Ok(());
    }
    state.sort_by_key(|(n, _)| *n);
    if let Some((i, (n, _))) = state.iter().enumerate().find(|(i, (n, _))| i != n) {
        return Err(Error::arg(format!(
            "optimizer state: entry {i} is missing (the next one is optimizer/vars/{n}); the file is incomplete"
        )));
    }
    let state: Vec<Tensor> = state.into_iter().map(|(_, t)| t.clone()).collect();
    let vars = model.trainable_weights();
    model.build_optimizer(&vars)?;
    let c = model.compiled_mut("load_model")?;
    c.optimizer.load_state(&state)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_follow_keras_paths() {
        // Expected values: keras.src.utils.naming.to_snake_case (Keras 3.15.1).
        for (class, keras) in [
            ("BatchNormalization", "batch_normalization"),
            ("Conv2D", "conv2d"),
            ("LSTM", "lstm"),
            ("SimpleRNN", "simple_rnn"),
            ("GlobalAveragePooling2D", "global_average_pooling2d"),
            ("InputLayer", "input_layer"),
            ("Conv2DTranspose", "conv2d_transpose"),
            ("GRU", "gru"),
            ("Dense", "dense"),
            ("MultiHeadAttention", "multi_head_attention"),
            ("UpSampling2D", "up_sampling2d"),
        ] {
            assert_eq!(super::snake_case(class), keras, "{class}");
        }
        assert_eq!(
            super::layer_keys(&["Dense", "Dropout", "Dense"]),
            ["dense", "dropout", "dense_1"]
        );
    }
}
