//! The layer registry: class name -> constructor from config (Keras'
//! `serialization_lib` / `custom_objects`), used by `load_model` and by
//! wrappers that clone a layer from its config.
//!
//! Every built-in layer is registered (see [`builtin_factories`](super));
//! register your own classes with [`register_layer`] before loading a
//! model that uses them.
//!
//! ```
//! use keraslike::layers::{layer_from_config, register_layer, Dense, FromConfig, Layer};
//! let dense = Dense::new(3).activation("relu").name("d");
//! let back = layer_from_config("Dense", &dense.get_config()).unwrap();
//! assert_eq!(back.get_config(), dense.get_config());
//! let err = layer_from_config("NoSuchLayer", &serde_json::json!({})).err().unwrap();
//! assert!(err.to_string().contains("register_layer"));
//! // A user class: any function from a config to a boxed layer.
//! register_layer("MyDense", |c| Ok(Box::new(Dense::from_config(c)?)));
//! assert!(layer_from_config("MyDense", &dense.get_config()).is_ok());
//! ```

use super::{KerasOptions, Layer};
use crate::{Error, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;

/// Creates an unbuilt layer from its `get_config()` output.
pub type LayerFactory = fn(&Value) -> Result<Box<dyn Layer>>;

/// A layer that can be re-created from its config (Keras' `from_config`):
/// `L::from_config(&l.get_config())` gives an unbuilt layer with the same
/// configuration (and name).
pub trait FromConfig: Layer + Sized {
    /// The class name this type registers under (`"Dense"`, `"InputLayer"`).
    const CLASS_NAME: &'static str;
    /// The options of Keras 3's `get_config()` for this class and how a
    /// `.keras` file's value of each is treated (see [`KerasOptions`]);
    /// `None`: the class cannot be loaded from a Keras file.
    const KERAS_OPTIONS: Option<KerasOptions> = None;
    /// The layer described by `config`; bad or unsupported fields are
    /// errors naming the field and the class.
    fn from_config(config: &Value) -> Result<Self>;
}

/// The registry entry of a [`FromConfig`] layer.
pub(crate) fn factory<L: FromConfig>(config: &Value) -> Result<Box<dyn Layer>> {
    Ok(Box::new(L::from_config(config)?))
}

/// Parses a layer config into its serde struct, naming the class on error.
pub(crate) fn parse_config<T: serde::de::DeserializeOwned>(class: &str, config: &Value) -> Result<T> {
    serde_json::from_value(config.clone()).map_err(|e| {
        let name = config.get("name").and_then(Value::as_str).unwrap_or("?");
        Error::arg(format!("{class} {name:?}: bad config: {e}"))
    })
}

/// Serde helpers for the fields of the layers' config structs that Keras
/// writes in more than one form.
pub(crate) mod de {
    use serde::de::{DeserializeOwned, Error as _};
    use serde::{Deserialize, Deserializer, Serializer};
    use serde_json::Value;

    /// One value or a list of them (`kernel_size: 3` or `[3, 3]`) as a list.
    pub(crate) fn one_or_many<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
        match Value::deserialize(d)? {
            v @ Value::Array(_) => serde_json::from_value(v),
            v => serde_json::from_value(v).map(|x| vec![x]),
        }
        .map_err(D::Error::custom)
    }

    /// [`one_or_many`] for an optional field (`null`: none).
    pub(crate) fn opt_one_or_many<'de, D: Deserializer<'de>, T: DeserializeOwned>(
        d: D,
    ) -> Result<Option<Vec<T>>, D::Error> {
        match Value::deserialize(d)? {
            Value::Null => Ok(None),
            v => one_or_many(v).map(Some).map_err(D::Error::custom),
        }
    }

    /// One value, also as a list of one (`size: 2` or `[2]`).
    pub(crate) fn one_of_list<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
        let mut v: Vec<T> = one_or_many(d)?;
        match v.len() {
            1 => Ok(v.remove(0)),
            n => Err(D::Error::custom(format!("expected one value, got a list of {n}"))),
        }
    }

    /// A list written as its only value when it has one (`axes: 1`).
    pub(crate) fn many_or_one<S: Serializer, T: serde::Serialize>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        match v {
            [one] => serde::Serialize::serialize(one, s),
            _ => serde::Serialize::serialize(v, s),
        }
    }

    /// `null` as the type's default (Keras writes `null` for some unset options).
    pub(crate) fn null_as_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
        d: D,
    ) -> Result<T, D::Error> {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }
}

/// One registered class: its constructor and, when it can be read from a
/// Keras file, its Keras options.
#[derive(Clone, Copy)]
struct Entry {
    factory: LayerFactory,
    keras: Option<KerasOptions>,
}

static REGISTRY: Mutex<Option<HashMap<String, Entry>>> = Mutex::new(None);

fn builtins() -> HashMap<String, Entry> {
    let mut m: HashMap<String, Entry> = super::builtin_factories()
        .into_iter()
        .map(|(k, factory, keras)| (k.to_string(), Entry { factory, keras }))
        .collect();
    // Models are layers too (nested models); the Keras loader checks their
    // configs itself.
    let model = |factory: LayerFactory| Entry { factory, keras: None };
    m.insert("Sequential".into(), model(|c| nested_model("Sequential", c)));
    m.insert("Functional".into(), model(|c| nested_model("Functional", c)));
    m
}

/// Runs `f` on the registry (the built-ins on first use).
fn with_registry<R>(f: impl FnOnce(&mut HashMap<String, Entry>) -> R) -> R {
    let mut guard = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    f(guard.get_or_insert_with(builtins))
}

/// The Keras options of a registered class, `None` for a class that is
/// not registered or cannot be read from a Keras file.
pub(crate) fn keras_options(class_name: &str) -> Option<KerasOptions> {
    with_registry(|r| r.get(class_name).and_then(|e| e.keras))
}

/// The registered classes that can be read from a Keras file, sorted.
pub(crate) fn keras_classes() -> Vec<String> {
    let mut v: Vec<String> = with_registry(|r| {
        r.iter()
            .filter(|(_, e)| e.keras.is_some())
            .map(|(k, _)| k.clone())
            .collect()
    });
    v.sort();
    v
}

fn nested_model(class: &str, config: &Value) -> Result<Box<dyn Layer>> {
    let wrapped = serde_json::json!({"class_name": class, "config": config});
    Ok(Box::new(crate::models::model_from_config(&wrapped)?))
}

/// Registers (or replaces) the constructor of layer class `class_name`
/// (for `load_model` of keraslike's own files; a class registered this way
/// has no Keras options, so a `.keras` file using it is refused: register a
/// [`FromConfig`] type with [`register`] for that).
pub fn register_layer(class_name: &str, factory: LayerFactory) {
    with_registry(|r| r.insert(class_name.to_string(), Entry { factory, keras: None }));
}

/// Registers (or replaces) layer type `L` under its
/// [`CLASS_NAME`](FromConfig::CLASS_NAME), with its
/// [`KERAS_OPTIONS`](FromConfig::KERAS_OPTIONS), so that both keraslike's
/// model files and `.keras` files that use the class load.
pub fn register<L: FromConfig>() {
    with_registry(|r| {
        r.insert(
            L::CLASS_NAME.to_string(),
            Entry {
                factory: factory::<L>,
                keras: L::KERAS_OPTIONS,
            },
        )
    });
}

/// An unbuilt layer of class `class_name` from its config (the layer's name
/// comes from the config's `"name"`). Unknown classes are an error that
/// lists the known ones.
pub fn layer_from_config(class_name: &str, config: &Value) -> Result<Box<dyn Layer>> {
    let factory = with_registry(|reg| match reg.get(class_name) {
        Some(e) => Ok(e.factory),
        None => {
            let mut known: Vec<&String> = reg.keys().collect();
            known.sort();
            Err(Error::arg(format!(
                "unknown layer class {class_name:?} (known: {known:?}); \
                 register it with keraslike::layers::register_layer"
            )))
        }
    })?;
    factory(config)
}

/// `config[key]` as a string.
pub(crate) fn str_of<'a>(c: &'a Value, key: &str) -> Option<&'a str> {
    c.get(key).and_then(Value::as_str)
}
/// `config[key]` as a float.
pub(crate) fn f64_of(c: &Value, key: &str) -> Option<f64> {
    c.get(key).and_then(Value::as_f64)
}
/// `config[key]` as a bool.
pub(crate) fn bool_of(c: &Value, key: &str) -> Option<bool> {
    c.get(key).and_then(Value::as_bool)
}
/// `config[key]` as a shape (absent or null: none).
#[allow(dead_code)] // for the layers whose from_config reads shapes by hand
pub(crate) fn shape_of(c: &Value, key: &str) -> Option<Vec<usize>> {
    c.get(key)
        .and_then(|v| serde_json::from_value::<Vec<usize>>(v.clone()).ok())
}
/// A regularizer from its Keras config (`{"class_name": "L2", "config": {"l2": 0.01}}`).
#[allow(dead_code)] // for the layers whose from_config reads regularizers by hand
pub(crate) fn regularizer_of(c: &Value, key: &str) -> Result<Option<crate::regularizers::Regularizer>> {
    match c.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(r) => Ok(Some(crate::regularizers::deserialize(r)?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers;

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
            Box::new(layers::Concatenate::new().axis(1).name("cat")),
            Box::new(layers::Dot::new(&[1, 1]).normalize(true).name("dot")),
            Box::new(layers::Add::new().name("add")),
            Box::new(layers::Maximum::new().name("max")),
        ];
        for l in &layers {
            let back = layer_from_config(l.class_name(), &l.get_config()).unwrap();
            assert_eq!(back.class_name(), l.class_name());
            assert_eq!(back.get_config(), l.get_config(), "{}", l.class_name());
        }
    }
}
