//! The layer registry: class name -> constructor from `get_config()`, used
//! by [`Sequential::load`](super::Sequential::load) and
//! [`Sequential::to_device`](super::Sequential::to_device) (Keras'
//! `serialization_lib` / `custom_objects`).
//!
//! Built in: `Dense`, `Activation`, `Dropout`, `Flatten`, `Reshape`,
//! `InputLayer`, `BatchNormalization` and `LayerNormalization` (read from
//! their `get_config()`; initializers are not restored, as loading
//! overwrites the weights). Register other layer
//! classes with [`register_layer`] before loading a model that uses them.
//!
//! ```
//! use keraslike::models::{layer_from_config, register_layer};
//! let err = layer_from_config("NoSuchLayer", &serde_json::json!({})).err().unwrap();
//! assert!(err.to_string().contains("register_layer"));
//! ```

use crate::layers::{self, Layer};
use crate::regularizers::Regularizer;
use crate::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// Creates an unbuilt layer from its `get_config()` output.
pub type LayerFactory = fn(&Value) -> Result<Box<dyn Layer>>;

static REGISTRY: Mutex<Option<HashMap<String, LayerFactory>>> = Mutex::new(None);

fn name_of(config: &Value) -> Option<String> {
    config.get("name").and_then(Value::as_str).map(str::to_string)
}

fn shape_of(config: &Value, key: &str) -> Option<Vec<usize>> {
    config
        .get(key)
        .and_then(|v| serde_json::from_value::<Vec<usize>>(v.clone()).ok())
}

fn regularizer_of(config: &Value, key: &str) -> Option<Regularizer> {
    let r = config.get(key)?;
    let c = &r["config"];
    let f = |k: &str| c.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    match r.get("class_name")?.as_str()? {
        "L1" => Some(Regularizer::l1(f("l1"))),
        "L2" => Some(Regularizer::l2(f("l2"))),
        "L1L2" => Some(Regularizer::l1_l2(f("l1"), f("l2"))),
        _ => None,
    }
}

fn dense(c: &Value) -> Result<Box<dyn Layer>> {
    let units = c
        .get("units")
        .and_then(Value::as_u64)
        .ok_or_else(|| Error::arg("Dense config needs \"units\""))?;
    let mut l = layers::Dense::new(units as usize)
        .activation(c.get("activation").and_then(Value::as_str).unwrap_or("linear"))
        .use_bias(c.get("use_bias").and_then(Value::as_bool).unwrap_or(true));
    if let Some(r) = regularizer_of(c, "kernel_regularizer") {
        l = l.kernel_regularizer(r);
    }
    if let Some(r) = regularizer_of(c, "bias_regularizer") {
        l = l.bias_regularizer(r);
    }
    if let Some(s) = shape_of(c, "input_shape") {
        l = l.input_shape(&s);
    }
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

fn activation(c: &Value) -> Result<Box<dyn Layer>> {
    let mut l = layers::Activation::new(c.get("activation").and_then(Value::as_str).unwrap_or("linear"));
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

fn dropout(c: &Value) -> Result<Box<dyn Layer>> {
    let rate = c
        .get("rate")
        .and_then(Value::as_f64)
        .ok_or_else(|| Error::arg("Dropout config needs \"rate\""))?;
    let mut l = layers::Dropout::new(rate);
    if let Some(seed) = c.get("seed").and_then(Value::as_u64) {
        l = l.seed(seed);
    }
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

fn flatten(c: &Value) -> Result<Box<dyn Layer>> {
    let mut l = layers::Flatten::new();
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

fn reshape(c: &Value) -> Result<Box<dyn Layer>> {
    let target: Vec<isize> = c
        .get("target_shape")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .ok_or_else(|| Error::arg("Reshape config needs \"target_shape\""))?;
    let mut l = layers::Reshape::new(&target);
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

fn input(c: &Value) -> Result<Box<dyn Layer>> {
    // Keras' batch_shape: [null, d1, d2, ...].
    let shape: Vec<usize> = c
        .get("batch_shape")
        .and_then(Value::as_array)
        .map(|a| a.iter().skip(1).filter_map(Value::as_u64).map(|d| d as usize).collect())
        .ok_or_else(|| Error::arg("InputLayer config needs \"batch_shape\""))?;
    let mut l = layers::Input::new(&shape);
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

fn f64_of(c: &Value, key: &str) -> Option<f64> {
    c.get(key).and_then(Value::as_f64)
}

fn bool_of(c: &Value, key: &str) -> Option<bool> {
    c.get(key).and_then(Value::as_bool)
}

fn batch_normalization(c: &Value) -> Result<Box<dyn Layer>> {
    let mut l = layers::BatchNormalization::new();
    if let Some(a) = c.get("axis").and_then(Value::as_i64) {
        l = l.axis(a as isize);
    }
    if let Some(m) = f64_of(c, "momentum") {
        l = l.momentum(m);
    }
    if let Some(e) = f64_of(c, "epsilon") {
        l = l.epsilon(e);
    }
    if let Some(b) = bool_of(c, "center") {
        l = l.center(b);
    }
    if let Some(b) = bool_of(c, "scale") {
        l = l.scale(b);
    }
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

fn layer_normalization(c: &Value) -> Result<Box<dyn Layer>> {
    let mut l = layers::LayerNormalization::new();
    match c.get("axis") {
        Some(Value::Array(a)) => {
            let axes: Vec<isize> = a.iter().filter_map(Value::as_i64).map(|v| v as isize).collect();
            l = l.axes(&axes);
        }
        Some(v) => {
            if let Some(a) = v.as_i64() {
                l = l.axis(a as isize);
            }
        }
        None => {}
    }
    if let Some(e) = f64_of(c, "epsilon") {
        l = l.epsilon(e);
    }
    if let Some(b) = bool_of(c, "center") {
        l = l.center(b);
    }
    if let Some(b) = bool_of(c, "scale") {
        l = l.scale(b);
    }
    if let Some(n) = name_of(c) {
        l = l.name(n);
    }
    Ok(Box::new(l))
}

/// The layer classes keraslike knows out of the box.
fn builtins() -> HashMap<String, LayerFactory> {
    let mut m: HashMap<String, LayerFactory> = HashMap::new();
    m.insert("Dense".into(), dense);
    m.insert("Activation".into(), activation);
    m.insert("Dropout".into(), dropout);
    m.insert("Flatten".into(), flatten);
    m.insert("Reshape".into(), reshape);
    m.insert("InputLayer".into(), input);
    m.insert("BatchNormalization".into(), batch_normalization);
    m.insert("LayerNormalization".into(), layer_normalization);
    m
}

/// Registers (or replaces) the constructor of layer class `class_name`.
pub fn register_layer(class_name: &str, factory: LayerFactory) {
    let mut guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    guard
        .get_or_insert_with(builtins)
        .insert(class_name.to_string(), factory);
}

/// An unbuilt layer of class `class_name` from its config (the layer's name
/// comes from the config's `"name"`). Unknown classes are an error that
/// lists the known ones.
pub fn layer_from_config(class_name: &str, config: &Value) -> Result<Box<dyn Layer>> {
    let factory = {
        let mut guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
        let reg = guard.get_or_insert_with(builtins);
        match reg.get(class_name) {
            Some(f) => *f,
            None => {
                let mut known: Vec<&String> = reg.keys().collect();
                known.sort();
                return Err(Error::arg(format!(
                    "unknown layer class {class_name:?} (known: {known:?}); \
                     register it with keraslike::models::register_layer"
                )));
            }
        }
    };
    factory(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every built-in layer comes back from its own config with the same
    /// class, name and config.
    #[test]
    fn builtins_round_trip_their_config() {
        use crate::regularizers::Regularizer;
        let layers: Vec<Box<dyn Layer>> = vec![
            Box::new(layers::Input::new(&[2, 3]).name("in")),
            Box::new(layers::Reshape::new(&[3, -1]).name("rs")),
            Box::new(layers::Flatten::new().name("fl")),
            Box::new(
                layers::Dense::new(4)
                    .activation("relu")
                    .use_bias(false)
                    .kernel_regularizer(Regularizer::l1_l2(0.1, 0.2))
                    .input_shape(&[6])
                    .name("d"),
            ),
            Box::new(layers::Dropout::new(0.25).seed(3).name("dr")),
            Box::new(layers::Activation::new("tanh").name("act")),
            Box::new(
                layers::BatchNormalization::new()
                    .momentum(0.9)
                    .epsilon(0.01)
                    .center(false)
                    .name("bn"),
            ),
            Box::new(layers::LayerNormalization::new().epsilon(0.02).scale(false).name("ln")),
        ];
        for l in &layers {
            let back = layer_from_config(l.class_name(), &l.get_config()).unwrap();
            assert_eq!(back.class_name(), l.class_name());
            assert_eq!(back.get_config(), l.get_config(), "{}", l.class_name());
        }
    }
}
