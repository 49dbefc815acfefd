//! keraslike's model config in the exact form Keras 3 deserializes: each layer gets its
//! `trainable` flag and dtype policy, serialized initializers and regularizers get their
//! `module`, and options Keras does not take (an unset `input_shape`) are left out.

use super::weights::all_layers;
use crate::models::Model;
use crate::{Error, Result};
use serde_json::{json, Value};
use std::collections::HashMap;

/// Keras' float32 policy object.
fn float32_policy() -> Value {
    json!({"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null})
}

/// `{"class_name", "config"}` -> Keras' `{"module", "class_name", "config", "registered_name"}`.
fn with_module(v: &mut Value, module: &str) {
    if let Value::Object(o) = v {
        if o.contains_key("class_name") {
            o.entry("module").or_insert_with(|| json!(module));
            o.entry("registered_name").or_insert(Value::Null);
        }
    }
}

/// Rewrites one serialized layer (and, for a nested model, its layers).
fn layer(entry: &mut Value, trainable: &HashMap<String, bool>) -> Result<()> {
    let class = entry["class_name"].as_str().unwrap_or_default().to_string();
    if matches!(class.as_str(), "Sequential" | "Functional") {
        return model_config(entry, trainable);
    }
    let Some(cfg) = entry.get_mut("config").and_then(Value::as_object_mut) else {
        return Err(Error::arg(format!("layer of class {class} has no config object")));
    };
    let name = cfg.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    if cfg.get("input_shape").is_some_and(Value::is_null) {
        cfg.remove("input_shape");
    }
    if class != "InputLayer" {
        // Keras 3.15's SpatialDropout1D/2D take no `trainable` argument (their get_config
        // has none, and from_config fails on it); they have no weights either.
        if !class.starts_with("SpatialDropout") {
            cfg.insert("trainable".into(), json!(trainable.get(&name).copied().unwrap_or(true)));
        }
        cfg.insert("dtype".into(), float32_policy());
    }
    for (k, v) in cfg.iter_mut() {
        if matches!(k.as_str(), "layer" | "backward_layer")
            && matches!(class.as_str(), "Bidirectional" | "TimeDistributed")
        {
            // The wrapped layers are serialized layers of their own.
            with_module(v, "keras.layers");
            layer(v, trainable)?;
            continue;
        }
        if (k == "cell" && class == "RNN") || (k == "cells" && class == "StackedRNNCells") {
            // An RNN's cell (or a stack's cells): serialized layers of their own.
            let cells = match v {
                Value::Array(a) => a.iter_mut().collect::<Vec<_>>(),
                other => vec![other],
            };
            for c in cells {
                with_module(c, "keras.layers");
                layer(c, trainable)?;
            }
            continue;
        }
        if k.ends_with("_initializer") {
            with_module(v, "keras.initializers");
        } else if k.ends_with("_regularizer") {
            with_module(v, "keras.regularizers");
        }
    }
    Ok(())
}

/// Rewrites a serialized model in place (`{"class_name", "config": {"layers": [...]}}`).
fn model_config(model: &mut Value, trainable: &HashMap<String, bool>) -> Result<()> {
    let cfg = model
        .get_mut("config")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| Error::arg("the model config has no config object"))?;
    cfg.entry("dtype").or_insert_with(float32_policy);
    let layers = cfg.get_mut("layers").and_then(Value::as_array_mut);
    for l in layers.into_iter().flatten() {
        layer(l, trainable)?;
    }
    Ok(())
}

/// `model`'s architecture as Keras 3's `config.json` holds it (without `compile_config`,
/// which [`save_keras`](super::save_keras) adds for a compiled model).
pub fn keras_model_config(model: &Model) -> Result<Value> {
    if !model.built() {
        return Err(Error::NotReady(format!(
            "model {:?} is not built: build it (or fit it) before saving it for Keras",
            model.name()
        )));
    }
    let mut v = model.model_config();
    if v["class_name"] != "Sequential" && v["class_name"] != "Functional" {
        return Err(Error::arg(format!(
            "model {:?} is a subclassed model ({}), which Keras can only load with its Python code; \
             save its weights with save_weights(\"x.weights.h5\") instead",
            model.name(),
            v["class_name"]
        )));
    }
    let trainable: HashMap<String, bool> = all_layers(model).iter().map(|l| (l.name(), l.trainable())).collect();
    model_config(&mut v, &trainable)?;
    if let Value::Object(o) = &mut v {
        o.entry("build_config").or_insert_with(|| json!({"input_shape": null}));
    }
    Ok(v)
}
