//! Checks a Keras 3 model config (`config.json` of a `.keras` archive) against what keraslike
//! can build, option by option, before anything is built: every option of every layer is either
//! used, known to be harmless, or required to have the value keraslike implements. Anything else
//! is an error naming the layer, its class and the option, so a file never loads as a silently
//! different model.
//!
//! The checked config is then built by keraslike's own loader
//! ([`model_from_config`](crate::models::model_from_config)), which reads Keras' format.

use crate::layers::KerasOptions;
use crate::{Error, Result};
use serde_json::Value;

use crate::layers::KerasOption as Rule;
use Rule::*;

const INITIALIZERS: &[&str] = &[
    "Zeros",
    "Ones",
    "Constant",
    "RandomUniform",
    "RandomNormal",
    "TruncatedNormal",
    "Orthogonal",
    "VarianceScaling",
    "GlorotUniform",
    "GlorotNormal",
    "HeUniform",
    "HeNormal",
    "LecunUniform",
    "LecunNormal",
];

/// The Keras options of layer class `class`: those its type declares
/// ([`FromConfig::KERAS_OPTIONS`](crate::layers::FromConfig::KERAS_OPTIONS),
/// found through the layer registry, so a class registered with
/// [`register`](crate::layers::register) loads too), or `StackedRNNCells`'
/// (not a layer of its own).
fn options(class: &str) -> Option<KerasOptions> {
    match class {
        "StackedRNNCells" => Some(crate::layers::STACKED_KERAS_OPTIONS),
        _ => crate::layers::keras_options(class),
    }
}

/// The layer classes [`check_model`] translates (every registered class
/// with Keras options, `StackedRNNCells`, and the `Sequential` and
/// `Functional` models), sorted, for the docs and error messages.
pub fn layer_classes() -> Vec<String> {
    let mut v = crate::layers::keras_classes();
    v.extend(["StackedRNNCells", "Sequential", "Functional"].map(String::from));
    v.sort();
    v
}

/// Checks a whole serialized model (`{"class_name": "Sequential" | "Functional", "config"}`).
pub fn check_model(model: &Value) -> Result<()> {
    let class = model
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::arg("the model config has no \"class_name\""))?;
    let name = model["config"].get("name").and_then(Value::as_str).unwrap_or("?");
    check_model_config(class, name, &model["config"])
}

fn check_model_config(class: &str, name: &str, cfg: &Value) -> Result<()> {
    let what = format!("model {name:?} ({class})");
    match class {
        "Sequential" | "Functional" | "Model" => {}
        other => {
            return Err(Error::arg(format!(
                "{what}: keraslike builds Sequential and Functional models from a config; a subclassed \
                 model ({other}) needs its Python code: rebuild it in Rust and load the weights with \
                 load_weights"
            )))
        }
    }
    let obj = cfg
        .as_object()
        .ok_or_else(|| Error::arg(format!("{what}: the config is not an object")))?;
    for (k, v) in obj {
        match k.as_str() {
            "name" | "layers" | "build_input_shape" | "input_layers" | "output_layers" => {}
            "trainable" => check_trainable(&what, v)?,
            "dtype" => check_dtype(&what, v)?,
            other => {
                return Err(Error::arg(format!(
                    "{what}: the model option {other:?} (= {v}) is not supported by keraslike"
                )))
            }
        }
    }
    let layers = cfg["layers"]
        .as_array()
        .ok_or_else(|| Error::arg(format!("{what}: the config has no \"layers\" list")))?;
    for (i, l) in layers.iter().enumerate() {
        check_layer(&what, i, l)?;
    }
    Ok(())
}

/// Checks one entry of a model's `layers`.
fn check_layer(model: &str, i: usize, entry: &Value) -> Result<()> {
    let class = entry
        .get("class_name")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::arg(format!("{model}: layer {i} has no \"class_name\"")))?;
    let cfg = &entry["config"];
    let name = cfg
        .get("name")
        .or_else(|| entry.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("?");
    let what = format!("layer {name:?} ({class}) of {model}");
    if let Some(nodes) = entry.get("inbound_nodes").and_then(Value::as_array) {
        for node in nodes {
            for (k, v) in node.get("kwargs").and_then(Value::as_object).into_iter().flatten() {
                // Keras records `training=False` for dropout layers applied symbolically, and
                // a model's own `training` flag overrides it when the graph is replayed
                // (checked with keras 3.15.1: a functional SpatialDropout2D(0.9) drops with
                // `model(x, training=True)`), so it has no effect; keraslike does the same.
                let harmless = v.is_null() || (k == "training" && v.is_boolean());
                if !harmless {
                    return Err(Error::arg(format!(
                        "{what}: it is called with {k}={v}; keraslike replays calls only with their inputs"
                    )));
                }
            }
        }
    }
    if matches!(class, "Sequential" | "Functional" | "Model") {
        return check_model_config(class, name, cfg);
    }
    let Some(specific) = options(class) else {
        return Err(Error::arg(format!(
            "{what}: keraslike cannot load this layer class from a Keras file; it translates {}",
            layer_classes().join(", ")
        )));
    };
    let obj = cfg
        .as_object()
        .ok_or_else(|| Error::arg(format!("{what}: the layer's config is not an object")))?;
    for (k, v) in obj {
        let rule = specific.get(k).ok_or_else(|| {
            Error::arg(format!(
                "{what}: the option {k:?} (= {v}) is not supported by keraslike's {class}"
            ))
        })?;
        check_option(&what, class, k, v, rule)?;
    }
    if class == "Bidirectional" {
        check_backward_layer(&what, cfg)?;
    }
    Ok(())
}

/// keraslike builds `Bidirectional`'s backward layer as Keras does by default: a copy of the
/// forward layer with `go_backwards` flipped. A file whose `backward_layer` differs in anything
/// else (a custom backward layer) is an error, not a silently different model.
fn check_backward_layer(what: &str, cfg: &Value) -> Result<()> {
    let (Some(fw), Some(bw)) = (cfg.get("layer"), cfg.get("backward_layer")) else {
        return Ok(());
    };
    let strip = |l: &Value| -> Value {
        let mut c = l.get("config").cloned().unwrap_or(Value::Null);
        if let Value::Object(o) = &mut c {
            // Initializers do not matter (the weights come from the file) and carry
            // per-object ids in Keras' serialization.
            o.retain(|k, _| k != "name" && k != "go_backwards" && !k.ends_with("_initializer"));
        }
        serde_json::json!([l.get("class_name"), c])
    };
    let flipped = fw["config"]["go_backwards"].as_bool().unwrap_or(false)
        != bw["config"]["go_backwards"].as_bool().unwrap_or(false);
    if strip(fw) != strip(bw) || !flipped {
        return Err(Error::arg(format!(
            "{what}: its backward_layer is not the forward layer with go_backwards flipped; keraslike \
             builds only that (Keras' default when no backward_layer is given)"
        )));
    }
    Ok(())
}

fn check_option(what: &str, class: &str, key: &str, v: &Value, rule: Rule) -> Result<()> {
    let unsupported = |wanted: &str| {
        Err(Error::arg(format!(
            "{what}: {key} = {v} is not supported; keraslike's {class} implements only {wanted}"
        )))
    };
    match (key, rule) {
        ("trainable", _) => check_trainable(what, v),
        ("dtype", _) if class == "InputLayer" => match v.as_str() {
            Some("float32" | "float64" | "int32" | "int64") | None if !v.is_object() => Ok(()),
            _ => unsupported("the input dtypes float32, float64, int32 and int64"),
        },
        ("dtype", _) => check_dtype(what, v),
        (_, Used) => Ok(()),
        (_, Null) if v.is_null() => Ok(()),
        (_, Null) => unsupported("null"),
        (_, Is(expected)) => {
            let expected: Value = serde_json::from_str(expected).expect("the rules' values are JSON");
            if v.is_null() || *v == expected {
                Ok(())
            } else {
                unsupported(&expected.to_string())
            }
        }
        (_, Init) => {
            let class_name = match v {
                Value::Object(o) => o.get("class_name").and_then(Value::as_str),
                _ => None,
            };
            match (v, class_name) {
                (Value::Object(_), Some(c)) if !INITIALIZERS.contains(&c) && key.ends_with("initializer") => {
                    unsupported(&format!("the initializers {}", INITIALIZERS.join(", ")))
                }
                _ => Ok(()),
            }
        }
        (_, Wrapped) => {
            if !matches!(
                v.get("class_name").and_then(Value::as_str),
                Some("LSTM" | "GRU" | "SimpleRNN")
            ) {
                return unsupported("a wrapped LSTM, GRU or SimpleRNN");
            }
            check_layer(what, 0, v)
        }
        (_, AnyLayer) => check_layer(what, 0, v),
        (_, Cell) => match v.get("class_name").and_then(Value::as_str) {
            Some("SimpleRNNCell" | "LSTMCell" | "GRUCell" | "StackedRNNCells") => check_layer(what, 0, v),
            Some(c) if crate::layers::is_registered_cell(c) => check_layer(what, 0, v),
            _ => unsupported(
                "the cells SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells and those registered with register_cell",
            ),
        },
        (_, Cells) => {
            let Some(cells) = v.as_array().filter(|c| !c.is_empty()) else {
                return unsupported("a non-empty list of cells");
            };
            for (i, c) in cells.iter().enumerate() {
                let known = match c.get("class_name").and_then(Value::as_str) {
                    Some("SimpleRNNCell" | "LSTMCell" | "GRUCell") => true,
                    Some(c) => crate::layers::is_registered_cell(c),
                    None => false,
                };
                if !known {
                    return unsupported("lists of SimpleRNNCell, LSTMCell, GRUCell and registered cells");
                }
                check_layer(what, i, c)?;
            }
            Ok(())
        }
        (_, Regularizer) => match v {
            Value::Null => Ok(()),
            Value::Object(o) => match o.get("class_name").and_then(Value::as_str) {
                Some("L1" | "L2" | "L1L2") => Ok(()),
                _ => unsupported("the regularizers L1, L2 and L1L2"),
            },
            _ => unsupported("null or a serialized L1, L2 or L1L2"),
        },
        (_, Activation) => match v.as_str() {
            Some(name) if crate::activations::get(name).is_ok() => Ok(()),
            _ => {
                let hint = match v.as_str() {
                    Some(name) => crate::activations::get(name).err().map(|e| format!(" ({e})")),
                    None => None,
                };
                unsupported(&format!(
                    "activations given by a keraslike name{}",
                    hint.unwrap_or_default()
                ))
            }
        },
    }
}

fn check_trainable(what: &str, v: &Value) -> Result<()> {
    match v {
        Value::Bool(_) | Value::Null => Ok(()),
        _ => Err(Error::arg(format!("{what}: trainable = {v} is not a boolean"))),
    }
}

/// A layer's dtype policy: `"float32"` or `{"class_name": "DTypePolicy", "config": {"name":
/// "float32"}}`; keraslike's layers compute in float32 only.
fn check_dtype(what: &str, v: &Value) -> Result<()> {
    let name = match v {
        Value::Null => return Ok(()),
        Value::String(s) => Some(s.as_str()),
        Value::Object(o) => match o.get("class_name").and_then(Value::as_str) {
            Some("DTypePolicy" | "Policy") => o.get("config").and_then(|c| c.get("name")).and_then(Value::as_str),
            _ => None,
        },
        _ => None,
    };
    match name {
        Some("float32") => Ok(()),
        _ => Err(Error::arg(format!(
            "{what}: the dtype policy {v} is not supported; keraslike's layers compute in float32 \
             (mixed precision and quantized policies are not implemented)"
        ))),
    }
}

/// The names of the layers whose config says `trainable: false`, at every nesting level.
pub fn frozen_layers(model: &Value, out: &mut Vec<String>) {
    for l in model["config"]["layers"].as_array().into_iter().flatten() {
        if l["config"]["trainable"] == Value::Bool(false) {
            if let Some(n) = l["config"]["name"].as_str() {
                out.push(n.to_string());
            }
        }
        if l["config"]["layers"].is_array() {
            frozen_layers(l, out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seq(layer: Value) -> Value {
        json!({"class_name": "Sequential", "config": {"name": "s", "layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}},
            layer,
        ]}})
    }

    #[test]
    fn unsupported_options_name_the_layer_and_the_option() {
        let ok = seq(json!({"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_constraint": null}}));
        check_model(&ok).unwrap();
        // The recurrent layers and the cells share the cell options.
        let lstm =
            json!({"class_name": "LSTM", "config": {"name": "l", "units": 2, "seed": 1, "return_sequences": true}});
        check_model(&seq(lstm)).unwrap();
        let rnn = json!({"class_name": "RNN", "config": {"name": "r", "cell":
            {"class_name": "GRUCell", "config": {"name": "c", "units": 2, "reset_after": false}}}});
        check_model(&seq(rnn)).unwrap();
        let cases = [
            (
                json!({"class_name": "Dense", "config": {"name": "d", "units": 2,
                "kernel_constraint": {"class_name": "NonNeg", "config": {}}}}),
                "kernel_constraint",
            ),
            (
                json!({"class_name": "GRU", "config": {"name": "d", "units": 2,
                "recurrent_constraint": {"class_name": "NonNeg", "config": {}}}}),
                "recurrent_constraint",
            ),
            (
                json!({"class_name": "RNN", "config": {"name": "d", "cell": {"class_name": "LSTMCell",
                "config": {"name": "c", "units": 2, "return_sequences": true}}}}),
                "return_sequences",
            ),
            (
                json!({"class_name": "Dense", "config": {"name": "d", "units": 2, "dtype": "mixed_float16"}}),
                "mixed",
            ),
            (
                json!({"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "rellu"}}),
                "rellu",
            ),
            (
                json!({"class_name": "Dense", "config": {"name": "d", "units": 2, "wobble": 1}}),
                "\"wobble\"",
            ),
            (
                json!({"class_name": "BatchNormalization", "config": {"name": "d", "renorm": true}}),
                "renorm",
            ),
            (
                json!({"class_name": "Conv3D", "config": {"name": "d", "filters": 2}}),
                "cannot load this layer class",
            ),
            (
                json!({"class_name": "UpSampling2D", "config": {"name": "d", "interpolation": "bilinear"}}),
                "interpolation",
            ),
        ];
        for (layer, needle) in cases {
            let e = check_model(&seq(layer)).unwrap_err().to_string();
            assert!(e.contains("layer \"d\"") && e.contains(needle), "{e}");
        }
        let e = check_model(&json!({"class_name": "MyModel", "config": {"name": "m"}})).unwrap_err();
        assert!(e.to_string().contains("subclassed"), "{e}");
    }
}
