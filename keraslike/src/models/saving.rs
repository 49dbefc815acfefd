//! Saving and loading models and weights.
//!
//! **Format.** One safetensors file (conventionally `*.safetensors`):
//! - tensors: each weight as `layers/<class>[_<n>]/vars/<index>`, Keras 3's
//!   weight paths (`layers/dense/vars/0`, `layers/dense_1/vars/1`, numbered
//!   by position, not by layer name), stored from the CPU;
//! - header metadata (`__metadata__`): `format` (`keraslike.model/1` or
//!   `keraslike.weights/1`), `model_config` (JSON: `{"class_name":
//!   "Sequential", "config": {"name", "input_shape", "layers": [{"class_name",
//!   "config"}]}}`, each layer's `get_config()`), and for a compiled model
//!   `compile_config` (JSON: the optimizer, the loss and the metrics in
//!   Keras' serialized form, every option included).
//!
//! Files are written atomically (a temporary file renamed over the
//! target), so an interrupted save never destroys the previous file. Loading
//! checks every weight's name and shape before assigning any, and errors
//! name the layer and variable that does not fit. Optimizer state is not
//! saved: a loaded model's optimizer starts fresh.
//!
//! ```no_run
//! # use keraslike::Sequential;
//! # fn main() -> keraslike::Result<()> {
//! # let model = Sequential::new(vec![]);
//! model.save("iris.safetensors")?;
//! let restored = Sequential::load("iris.safetensors")?;
//! # Ok(()) }
//! ```

use super::registry::layer_from_config;
use super::sequential::Sequential;
use crate::{Error, Result};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;
use tensorlow::{load_tensors_with_metadata, save_tensors_with_metadata, Tensor};

const MODEL_FORMAT: &str = "keraslike.model/1";
const WEIGHTS_FORMAT: &str = "keraslike.weights/1";

/// `BatchNormalization` -> `batch_normalization`.
fn snake_case(class: &str) -> String {
    let mut out = String::with_capacity(class.len() + 4);
    for (i, ch) in class.chars().enumerate() {
        if ch.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// The file key prefix of each layer, as Keras 3 names them: the snake-case
/// class name, numbered by position among layers of the same class
/// (`dense`, `dense_1`, ...), so weights load into any model of the same
/// architecture whatever its layers are called.
fn layer_keys(layers: &[Box<dyn crate::layers::Layer>]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    layers
        .iter()
        .map(|l| {
            let base = snake_case(l.class_name());
            let n = seen.entry(base.clone()).or_insert(0);
            let key = if *n == 0 {
                format!("layers/{base}")
            } else {
                format!("layers/{base}_{n}")
            };
            *n += 1;
            key
        })
        .collect()
}

fn weight_key(layer_key: &str, j: usize) -> String {
    format!("{layer_key}/vars/{j}")
}

fn parse_json(path: &Path, key: &str, text: &str) -> Result<Value> {
    serde_json::from_str(text).map_err(|e| Error::file(path, format!("metadata {key:?} is not valid JSON: {e}")))
}

impl Sequential {
    /// The model's architecture as JSON (`model.get_config()` wrapped with its class).
    pub fn get_config(&self) -> Value {
        let layers: Vec<Value> = self
            .layers
            .iter()
            .map(|l| json!({"class_name": l.class_name(), "config": l.get_config()}))
            .collect();
        json!({"class_name": "Sequential", "config": {"name": self.name, "input_shape": self.input_shape, "layers": layers}})
    }

    /// Every weight under its file key, moved to the CPU.
    fn named_weights(&self) -> Result<Vec<(String, Tensor)>> {
        let mut out = Vec::new();
        for (l, key) in self.layers.iter().zip(layer_keys(&self.layers)) {
            for (j, w) in l.weights().iter().enumerate() {
                out.push((
                    weight_key(&key, j),
                    w.read_value()?.stop_gradient().to_device(&tensorlow::Device::cpu())?,
                ));
            }
        }
        Ok(out)
    }

    fn write(&self, path: &Path, format: &str, with_compile: bool) -> Result<()> {
        let mut meta = HashMap::from([
            ("format".to_string(), format.to_string()),
            ("model_config".to_string(), self.get_config().to_string()),
        ]);
        if let (true, Some(c)) = (with_compile, &self.compiled) {
            let cfg = json!({
                "optimizer": crate::optimizers::serialize(c.optimizer.as_ref()),
                "loss": crate::losses::serialize(c.loss.as_ref()),
                "metrics": c.metrics.iter().map(|m| crate::metrics::serialize(m.as_ref())).collect::<Vec<_>>(),
            });
            meta.insert("compile_config".to_string(), cfg.to_string());
        }
        save_tensors_with_metadata(path, &self.named_weights()?, meta).map_err(|e| Error::file(path, e.to_string()))
    }

    /// Saves the whole model — architecture, weights and compile config — to
    /// one safetensors file at `path` (see the module docs for the format).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        if !self.built() {
            return Err(self.not_built("save"));
        }
        self.write(path.as_ref(), MODEL_FORMAT, true)
    }

    /// Saves only the weights (`model.save_weights`).
    pub fn save_weights(&self, path: impl AsRef<Path>) -> Result<()> {
        if !self.built() {
            return Err(self.not_built("save_weights"));
        }
        self.write(path.as_ref(), WEIGHTS_FORMAT, false)
    }

    /// Loads weights saved by [`save_weights`](Self::save_weights) or
    /// [`save`](Self::save) into this model (`model.load_weights`), building
    /// it first from the file's input shape if needed. Names and shapes are
    /// checked for every weight before any is assigned.
    pub fn load_weights(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let (tensors, meta) = load_tensors_with_metadata(path).map_err(|e| Error::file(path, e.to_string()))?;
        if !self.built() {
            let shape = meta
                .get("model_config")
                .map(|t| parse_json(path, "model_config", t))
                .transpose()?
                .and_then(|c| serde_json::from_value::<Vec<usize>>(c["config"]["input_shape"].clone()).ok());
            match shape {
                Some(s) => self.build(&s)?,
                None => return Err(self.not_built("load_weights")),
            }
        }
        self.assign_from(path, &tensors)
    }

    fn assign_from(&self, path: &Path, tensors: &HashMap<String, Tensor>) -> Result<()> {
        let mut pending = Vec::new();
        for (l, lkey) in self.layers.iter().zip(layer_keys(&self.layers)) {
            for (j, w) in l.weights().iter().enumerate() {
                let key = weight_key(&lkey, j);
                let t = tensors.get(&key).ok_or_else(|| {
                    Error::file(
                        path,
                        format!(
                            "no value for weight {:?} of layer {:?} (key {key:?}) in the file",
                            w.name(),
                            l.name()
                        ),
                    )
                })?;
                if t.shape() != w.shape() {
                    return Err(Error::file(
                        path,
                        format!(
                            "weight {:?} of layer {:?} has shape {:?} in the model but {:?} in the file",
                            w.name(),
                            l.name(),
                            w.shape(),
                            t.shape()
                        ),
                    ));
                }
                pending.push((w.clone(), t.cast(w.dtype())?.to_device(&w.device())?));
            }
        }
        if pending.len() != tensors.len() {
            return Err(Error::file(
                path,
                format!(
                    "the file holds {} weights but model {:?} has {}",
                    tensors.len(),
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

    /// Loads a model saved by [`save`](Self::save): rebuilds its layers from
    /// their configs (see [`register_layer`](super::register_layer) for
    /// custom layers), assigns the weights and re-compiles it when the file
    /// has a compile config. The model is placed on the CPU.
    pub fn load(path: impl AsRef<Path>) -> Result<Sequential> {
        let path = path.as_ref();
        let (tensors, meta) = load_tensors_with_metadata(path).map_err(|e| Error::file(path, e.to_string()))?;
        if meta.get("format").map(String::as_str) != Some(MODEL_FORMAT) {
            return Err(Error::file(
                path,
                format!(
                    "not a keraslike model file (format {:?}); use load_weights for weight files",
                    meta.get("format")
                ),
            ));
        }
        let cfg = parse_json(
            path,
            "model_config",
            meta.get("model_config").map(String::as_str).unwrap_or(""),
        )?;
        let cfg = &cfg["config"];
        let mut layers = Vec::new();
        for l in cfg["layers"].as_array().into_iter().flatten() {
            let class = l["class_name"]
                .as_str()
                .ok_or_else(|| Error::file(path, "a layer has no class_name"))?;
            layers.push(layer_from_config(class, &l["config"])?);
        }
        let mut model = Sequential::new(layers);
        if let Some(name) = cfg["name"].as_str() {
            model.name = name.to_string();
        }
        if let Ok(shape) = serde_json::from_value::<Vec<usize>>(cfg["input_shape"].clone()) {
            model.build(&shape)?;
        }
        model.assign_from(path, &tensors)?;
        if let Some(text) = meta.get("compile_config") {
            let c = parse_json(path, "compile_config", text)?;
            let in_file = |e: Error| Error::file(path, format!("compile_config: {e}"));
            let optimizer = crate::optimizers::deserialize(&c["optimizer"]).map_err(in_file)?;
            let loss = crate::losses::deserialize(&c["loss"]).map_err(in_file)?;
            let metrics: Vec<Value> = c["metrics"].as_array().cloned().unwrap_or_default();
            model.compile(optimizer, loss, metrics.as_slice()).map_err(in_file)?;
        }
        Ok(model)
    }
}

/// Loads a model saved by [`Sequential::save`] (Keras'
/// `keras.models.load_model`); the same as [`Sequential::load`]: the layers
/// are rebuilt from their configs, the weights assigned and, when the file
/// holds a compile config, the model re-compiled (with a fresh optimizer
/// state). The model is placed on the CPU; move it with
/// [`Sequential::to_device`].
///
/// ```no_run
/// # fn main() -> keraslike::Result<()> {
/// let mut model = keraslike::models::load_model("iris.safetensors")?;
/// # Ok(()) }
/// ```
pub fn load_model(path: impl AsRef<Path>) -> Result<Sequential> {
    Sequential::load(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn keys_follow_keras_paths() {
        assert_eq!(super::snake_case("BatchNormalization"), "batch_normalization");
        let layers: Vec<Box<dyn crate::layers::Layer>> = vec![
            Box::new(crate::layers::Dense::new(2).name("a")),
            Box::new(crate::layers::Dropout::new(0.5)),
            Box::new(crate::layers::Dense::new(2).name("b")),
        ];
        assert_eq!(
            super::layer_keys(&layers),
            ["layers/dense", "layers/dropout", "layers/dense_1"]
        );
    }
}
