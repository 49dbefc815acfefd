//! The class registries behind every `deserialize`: class names and Keras'
//! aliases mapped to constructors from a config (Keras'
//! `serialization_lib` with its `custom_objects`).
//!
//! Each kind of object has one registry (`optimizers`, `losses`, `metrics`,
//! `schedules`, `initializers`, `regularizers`, `activations`), filled with
//! the built-in classes on first use. Users add their own classes with the
//! module's `register_*` function (`optimizers::register_optimizer`, ...);
//! a registered class is found by its class name, and by the
//! `registered_name` (`"Custom>MyOpt"`) Keras writes for it. A later
//! registration under the same name wins, so a built-in class can be
//! replaced too.
//!
//! ```
//! use keraslike::optimizers::{self, Optimizer, SGD};
//! # fn main() -> keraslike::Result<()> {
//! // "FastSGD" is SGD with another default learning rate.
//! optimizers::register_optimizer("FastSGD", |config| {
//!     let mut c: optimizers::SGDConfig = keraslike::saving::config_from_value("FastSGD", config)?;
//!     if config.get("learning_rate").is_none() {
//!         c.learning_rate = 0.5.into();
//!     }
//!     Ok(Box::new(SGD::from_config(c)?))
//! });
//! let opt = optimizers::deserialize(&serde_json::json!({"class_name": "FastSGD", "config": {}}))?;
//! assert_eq!(opt.learning_rate(), 0.5);
//! # Ok(()) }
//! ```

use super::object::{serialize, serialize_custom, KerasObject};
use super::suggest::did_you_mean_or_stop;
use crate::{Error, Result};
use serde_json::Value;
use std::sync::{Arc, OnceLock, RwLock};

/// A constructor from a class's config (the `"config"` member of its
/// serialized form, always a JSON object).
pub type Factory<T> = Arc<dyn Fn(&Value) -> Result<T> + Send + Sync>;

/// One class: its Keras class name, the other names it is known by, and
/// its constructor.
pub(crate) struct Entry<T> {
    class_name: String,
    aliases: Vec<String>,
    factory: Factory<T>,
    builtin: bool,
}

impl<T> Entry<T> {
    /// A built-in class.
    pub fn builtin(
        class_name: &str,
        aliases: &[&str],
        factory: impl Fn(&Value) -> Result<T> + Send + Sync + 'static,
    ) -> Self {
        Entry {
            class_name: class_name.to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            factory: Arc::new(factory),
            builtin: true,
        }
    }
}

/// The registry of one kind of object.
pub(crate) struct Registry<T> {
    /// `"optimizer"`, `"loss"`, ...: names the kind in errors.
    kind: &'static str,
    /// Keras' module of the built-in classes, e.g. `"keras.optimizers"`.
    module: &'static str,
    /// How names are compared (case folding, underscores), per Keras' rules
    /// for the kind.
    fold: fn(&str) -> String,
    builtins: fn() -> Vec<Entry<T>>,
    entries: OnceLock<RwLock<Vec<Entry<T>>>>,
}

/// Names compared as written (Keras' losses and metrics are case-sensitive).
pub(crate) fn exact(s: &str) -> String {
    s.to_string()
}

/// Names compared ignoring ASCII case (Keras' optimizers, activations).
pub(crate) fn lowercase(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Names compared ignoring case and underscores (`"he_normal"` = `"HeNormal"`).
pub(crate) fn squashed(s: &str) -> String {
    s.chars().filter(|c| *c != '_').collect::<String>().to_ascii_lowercase()
}

impl<T> Registry<T> {
    /// A registry filled from `builtins` on first use.
    pub const fn new(
        kind: &'static str,
        module: &'static str,
        fold: fn(&str) -> String,
        builtins: fn() -> Vec<Entry<T>>,
    ) -> Self {
        Registry {
            kind,
            module,
            fold,
            builtins,
            entries: OnceLock::new(),
        }
    }

    fn entries(&self) -> &RwLock<Vec<Entry<T>>> {
        self.entries.get_or_init(|| RwLock::new((self.builtins)()))
    }

    /// Adds (or replaces) a user class.
    pub fn register(&self, class_name: &str, factory: Factory<T>) {
        let mut entries = self.entries().write().unwrap_or_else(|e| e.into_inner());
        // The newest registration is found first.
        entries.insert(
            0,
            Entry {
                class_name: class_name.to_string(),
                aliases: Vec::new(),
                factory,
                builtin: false,
            },
        );
    }

    /// The class registered under `name` (a class name or an alias):
    /// its class name and constructor.
    pub fn find(&self, name: &str) -> Option<(String, Factory<T>)> {
        let key = (self.fold)(name);
        let entries = self.entries().read().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|e| (self.fold)(&e.class_name) == key || e.aliases.iter().any(|a| (self.fold)(a) == key))
            .map(|e| (e.class_name.clone(), e.factory.clone()))
    }

    /// Whether `class_name` is a built-in class (not replaced by the user).
    pub fn is_builtin(&self, class_name: &str) -> bool {
        let entries = self.entries().read().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|e| e.class_name == class_name)
            .is_some_and(|e| e.builtin)
    }

    /// Keras' serialized form of an object of class `class_name`: with the
    /// Keras module for a built-in class, as a registered custom class otherwise.
    pub fn serialize(&self, class_name: &str, config: Value) -> Value {
        if self.is_builtin(class_name) {
            serialize(self.module, class_name, config)
        } else {
            serialize_custom(class_name, config)
        }
    }

    /// Every name a class answers to (class names and aliases), and one
    /// name per class for listing (its first alias, else its class name).
    pub fn known_names(&self) -> (Vec<String>, Vec<String>) {
        let entries = self.entries().read().unwrap_or_else(|e| e.into_inner());
        // Aliases first: a suggestion reads best in the form users type ("adam").
        let all = entries
            .iter()
            .flat_map(|e| e.aliases.iter().cloned())
            .chain(entries.iter().map(|e| e.class_name.clone()))
            .collect();
        let shown = entries
            .iter()
            .map(|e| e.aliases.first().unwrap_or(&e.class_name).clone())
            .collect();
        (all, shown)
    }

    /// The error for a name no class answers to, with the closest known name.
    pub fn unknown(&self, name: &str) -> Error {
        let (all, shown) = self.known_names();
        let kind = self.kind;
        let plural = if kind.ends_with('s') { "es" } else { "s" };
        Error::arg(format!(
            "unknown {kind} {name:?}{} Known {kind}{plural}: {}{}",
            did_you_mean_or_stop(name, all.iter().map(String::as_str)),
            shown.join(", "),
            if kind == "optimizer" || kind == "loss" || kind == "metric" {
                format!(" (or pass a {kind} object)")
            } else {
                String::new()
            }
        ))
    }

    /// Builds the object `obj` describes.
    pub fn resolve(&self, obj: &KerasObject) -> Result<T> {
        for name in obj.lookup_names() {
            if let Some((_, factory)) = self.find(name) {
                return factory(&obj.config);
            }
        }
        Err(self.unknown(&obj.class_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::saving::read_object;
    use serde_json::json;

    fn builtins() -> Vec<Entry<u32>> {
        vec![
            Entry::builtin("One", &["one", "uno"], |_| Ok(1)),
            Entry::builtin("Two", &[], |c| Ok(c["x"].as_u64().unwrap_or(2) as u32)),
        ]
    }
    static R: Registry<u32> = Registry::new("number", "test.numbers", lowercase, builtins);

    #[test]
    fn resolves_names_aliases_and_user_classes() {
        let get = |v: Value| R.resolve(&read_object("number", &v).unwrap());
        assert_eq!(get(json!("UNO")).unwrap(), 1);
        assert_eq!(get(json!({"class_name": "Two", "config": {"x": 7}})).unwrap(), 7);
        let err = get(json!("onee")).unwrap_err().to_string();
        assert!(err.contains("did you mean \"one\"? Known numbers: one, Two"), "{err}");
        R.register("Three", Arc::new(|_| Ok(3)));
        assert_eq!(
            get(json!({"class_name": "X", "registered_name": "Custom>Three"})).unwrap(),
            3
        );
        assert!(R.is_builtin("One") && !R.is_builtin("Three"));
        assert_eq!(R.serialize("Three", json!({}))["registered_name"], "Custom>Three");
        assert_eq!(R.serialize("One", json!({}))["module"], "test.numbers");
    }
}
