//! Keras 3's serialized-object format, both ways.
//!
//! Keras 3 writes every object a model refers to (optimizer, loss, metric,
//! schedule, initializer, regularizer) as
//! `{"module": "keras.optimizers", "class_name": "Adam", "config": {...},
//! "registered_name": null}` (`keras.saving.serialize_keras_object`); a
//! user-registered class has `"module": null` and
//! `"registered_name": "Custom>MyClass"`. [`serialize`] and
//! [`serialize_custom`] write that form. [`read_object`] reads it, and also
//! what else Keras accepts in its place: a bare name (`"adam"`, `"mse"`),
//! Keras 2's `{"class_name": .., "config": ..}`, and Keras' form of a plain
//! function (`{"class_name": "function", "config": "relu", ..}`).
//!
//! A class's `config` is a serde struct with Keras' field names;
//! [`config_from_value`] reads one strictly (an unknown field is an error
//! naming the class and the closest known field) and [`config_to_value`]
//! writes it.
//!
//! ```
//! use keraslike::saving::read_object;
//! use serde_json::json;
//! # fn main() -> keraslike::Result<()> {
//! let keras2 = json!({"class_name": "L2", "config": {"l2": 0.1}});
//! let o = read_object("regularizer", &keras2)?;
//! assert_eq!((o.class_name.as_str(), o.config["l2"].as_f64()), ("L2", Some(0.1)));
//! let f = json!({"module": "builtins", "class_name": "function", "config": "relu", "registered_name": "function"});
//! assert!(read_object("activation", &f)?.from_name);
//! assert!(read_object("loss", &json!(3)).is_err());
//! # Ok(()) }
//! ```

use super::suggest::did_you_mean_or_stop;
use crate::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// Keras' serialized form of a built-in object:
/// `{"module": module, "class_name": class_name, "config": config, "registered_name": null}`.
pub fn serialize(module: &str, class_name: &str, config: Value) -> Value {
    json!({"module": module, "class_name": class_name, "config": config, "registered_name": null})
}

/// Keras' serialized form of a user-registered class (Keras'
/// `register_keras_serializable()` with its default package `"Custom"`):
/// `{"module": null, "class_name": class_name, "config": config, "registered_name": "Custom>class_name"}`.
pub fn serialize_custom(class_name: &str, config: Value) -> Value {
    json!({
        "module": null,
        "class_name": class_name,
        "config": config,
        "registered_name": format!("Custom>{class_name}"),
    })
}

/// An object read by [`read_object`]: which class, with which config.
#[derive(Clone, Debug, PartialEq)]
pub struct KerasObject {
    /// The class name (`"Adam"`), or the name as given when the object was a
    /// bare string (`"adam"`, `"mse"`).
    pub class_name: String,
    /// The class's config: always a JSON object (`{}` when absent or when
    /// the object was a bare name).
    pub config: Value,
    /// Keras' `module` (`"keras.optimizers"`), when given.
    pub module: Option<String>,
    /// Keras' `registered_name` (`"Custom>MyOpt"`) of a user class, when given.
    pub registered_name: Option<String>,
    /// Whether the object was a name (a string, or Keras' `function` form):
    /// resolvers then accept their aliases (`"mse"`) and use the defaults.
    pub from_name: bool,
}

impl KerasObject {
    /// The names to look the class up by, most specific first: the
    /// registered name (`"pkg>Name"`), its part after `>`, then the class name.
    pub fn lookup_names(&self) -> Vec<&str> {
        let mut names = Vec::with_capacity(3);
        if let Some(r) = self.registered_name.as_deref() {
            names.push(r);
            if let Some((_, short)) = r.split_once('>') {
                names.push(short);
            }
        }
        names.push(self.class_name.as_str());
        names
    }
}

/// Reads an object in any form Keras accepts for it (see the module docs);
/// `kind` (`"optimizer"`, `"loss"`, ...) names it in errors.
pub fn read_object(kind: &str, v: &Value) -> Result<KerasObject> {
    let from_name = |name: &str| KerasObject {
        class_name: name.to_string(),
        config: Value::Object(Map::new()),
        module: None,
        registered_name: None,
        from_name: true,
    };
    let m = match v {
        Value::String(s) => return Ok(from_name(s)),
        Value::Object(m) => m,
        other => {
            return Err(Error::arg(format!(
                "a {kind} must be a name (\"...\") or a Keras object {{\"class_name\": ..., \"config\": {{...}}}}, got {other}"
            )))
        }
    };
    let class_name = match m.get("class_name") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(Error::arg(format!(
                "a serialized {kind} needs a \"class_name\" string (Keras' {{\"module\", \"class_name\", \"config\", \
                 \"registered_name\"}}), got {v}"
            )))
        }
    };
    let opt_str = |key: &str| -> Result<Option<String>> {
        match m.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(Error::arg(format!(
                "serialized {kind} {class_name:?}: \"{key}\" must be a string or null, got {other}"
            ))),
        }
    };
    let module = opt_str("module")?;
    let registered_name = opt_str("registered_name")?;
    // Keras' form of a plain function: {"class_name": "function", "config": "relu"}.
    if class_name == "function" {
        return match m.get("config") {
            Some(Value::String(name)) => Ok(KerasObject {
                module,
                ..from_name(name)
            }),
            _ => Err(Error::arg(format!(
                "serialized {kind}: a \"function\" object needs the function's name as its \"config\", got {v}"
            ))),
        };
    }
    let config = match m.get("config") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(c @ Value::Object(_)) => c.clone(),
        Some(other) => {
            return Err(Error::arg(format!(
                "serialized {kind} {class_name:?}: \"config\" must be an object, got {other}"
            )))
        }
    };
    Ok(KerasObject {
        class_name,
        config,
        module,
        registered_name,
        from_name: false,
    })
}

/// A class's config written as JSON (every field, so the output lists all
/// options as Keras' `get_config` does).
pub fn config_to_value<C: Serialize>(config: &C) -> Value {
    // Config structs hold numbers, strings, booleans, options and nested
    // serializable objects: serialization cannot fail.
    serde_json::to_value(config).expect("a config struct serializes to JSON")
}

/// Reads a config struct from JSON, strictly: a field the struct does not
/// have is an error naming `class`, the field and the closest known field
/// (Keras' `cls(**config)` raises the same way); a missing field takes its
/// value in `C::default()` (Keras' default). The known fields are those
/// `C::default()` serializes.
///
/// ```
/// use keraslike::optimizers::SGDConfig;
/// use keraslike::saving::config_from_value;
/// let c: SGDConfig = config_from_value("SGD", &serde_json::json!({"momentum": 0.9})).unwrap();
/// assert_eq!((c.momentum, c.nesterov), (0.9, false));
/// let err = config_from_value::<SGDConfig>("SGD", &serde_json::json!({"momentun": 0.9})).unwrap_err();
/// assert!(err.to_string().contains("did you mean \"momentum\""), "{err}");
/// ```
pub fn config_from_value<C: Serialize + DeserializeOwned + Default>(class: &str, config: &Value) -> Result<C> {
    let given = match config {
        Value::Null => return Ok(C::default()),
        Value::Object(m) => m,
        other => {
            return Err(Error::arg(format!(
                "{class}: a config must be a JSON object, got {other}"
            )))
        }
    };
    let known = match config_to_value(&C::default()) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for key in given.keys() {
        if !known.contains_key(key) {
            let names: Vec<&str> = known.keys().map(String::as_str).collect();
            return Err(Error::arg(format!(
                "{class}: unknown option {key:?}{} {class} accepts: {}",
                did_you_mean_or_stop(key, names.iter().copied()),
                names.join(", ")
            )));
        }
    }
    // Missing options take the values of `C::default()` (Keras' defaults),
    // including the flattened shared ones.
    let mut merged = known;
    for (k, v) in given {
        merged.insert(k.clone(), v.clone());
    }
    serde_json::from_value(Value::Object(merged))
        .map_err(|e| Error::arg(format!("{class}: bad config: {e}; got {config}")))
}

/// Errors unless `config` (a JSON object) has every key in `required`
/// (Keras' arguments without a default, e.g. a schedule's `decay_steps`).
pub fn require_fields(class: &str, config: &Value, required: &[&str]) -> Result<()> {
    let missing: Vec<&str> = required.iter().copied().filter(|k| config.get(*k).is_none()).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::arg(format!(
            "{class}: the config lacks the required option(s) {}",
            missing.join(", ")
        )))
    }
}

/// The last path segment of a Rust type's name, without generic
/// arguments: the default Keras class name of a user type
/// (`my_crate::losses::MyLoss` -> `MyLoss`).
pub(crate) fn short_type_name(full: &'static str) -> &'static str {
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_type_names() {
        assert_eq!(super::short_type_name("a::b::MyLoss"), "MyLoss");
        assert_eq!(super::short_type_name("a::Wrap<b::C>"), "Wrap");
        assert_eq!(super::short_type_name("Plain"), "Plain");
    }

    use super::*;

    #[test]
    fn keras3_objects_and_custom_classes() {
        let v = serialize_custom("MyOpt", json!({"lr": 1}));
        assert_eq!(v["module"], Value::Null);
        let o = read_object("optimizer", &v).unwrap();
        assert_eq!(o.lookup_names(), vec!["Custom>MyOpt", "MyOpt", "MyOpt"]);
        assert!(!o.from_name);
        let o = read_object("optimizer", &json!({"class_name": "Zeros"})).unwrap();
        assert_eq!(o.config, json!({}));
    }

    #[test]
    fn malformed_objects_are_errors() {
        for bad in [
            json!(null),
            json!([1]),
            json!({"config": {}}),
            json!({"class_name": 3}),
            json!({"class_name": "Adam", "config": [1]}),
            json!({"class_name": "Adam", "module": 1}),
            json!({"class_name": "function", "config": {}}),
        ] {
            let err = read_object("optimizer", &bad).unwrap_err().to_string();
            assert!(err.contains("optimizer"), "{err}");
        }
    }
}
