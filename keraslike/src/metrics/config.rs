//! What every metric's configuration shares: Keras' `name` and `dtype`
//! fields, and the macro that defines a metric type around its config
//! struct (constructor, `from_config`, chained setters, `Default`).
//!
//! ```
//! use keraslike::metrics::{BinaryAccuracy, BinaryAccuracyConfig, Metric};
//! # fn main() -> keraslike::Result<()> {
//! let m = BinaryAccuracy::from_config(BinaryAccuracyConfig { threshold: 0.7, ..Default::default() })?;
//! assert_eq!((m.get_config()["threshold"].as_f64(), m.get_config()["dtype"].as_str()), (Some(0.7), Some("float32")));
//! let bad = BinaryAccuracyConfig { dtype: Some("int32".into()), ..Default::default() };
//! assert!(BinaryAccuracy::from_config(bad).is_err());
//! # Ok(()) }
//! ```

use crate::{Error, Result};

/// Errors unless `dtype` is a float dtype name (or null). keraslike
/// accumulates every metric in f64 and reports an `f64`, so any float
/// dtype gives the same (or a more precise) result than Keras'.
pub(crate) fn check_dtype(class: &str, dtype: &Option<String>) -> Result<()> {
    match dtype.as_deref() {
        None | Some("float16" | "bfloat16" | "float32" | "float64") => Ok(()),
        Some(other) => Err(Error::arg(format!(
            "{class}: dtype={other:?} is not supported; a metric's dtype must be a float type (\"float32\", the \
             default, or \"float64\")"
        ))),
    }
}

/// Defines a metric's config struct (with `name` and `dtype`), the metric
/// struct holding it and its running state, and its `new`, `from_config`,
/// `config`, `with_name`, setters and `Default`. `keras_only` fields get no
/// setter. The metric implements `check(&self) -> Result<()>` and uses
/// `metric_common!()` in its `Metric` impl.
macro_rules! metric_type {
    (
        $(#[$tmeta:meta])*
        $metric:ident,
        $(#[$cmeta:meta])*
        $cfg:ident {
            class: $class:literal,
            name: $name:literal,
            fields: { $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr ),* $(,)? },
            $( keras_only: { $( $(#[$kmeta:meta])* $kfield:ident : $kty:ty = $kdefault:expr ),* $(,)? }, )?
            state: { $( $sfield:ident : $sty:ty = $sinit:expr ),* $(,)? }
        }
    ) => {
        $(#[$cmeta])*
        ///
        /// Field names, defaults and JSON form are Keras' `get_config()`.
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        pub struct $cfg {
            #[doc = concat!("The name shown in logs (default `\"", $name, "\"`).")]
            pub name: String,
            /// Keras' dtype of the metric's state (default `"float32"`); any
            /// float dtype is accepted (keraslike accumulates in f64).
            pub dtype: Option<String>,
            $( $(#[$fmeta])* pub $field: $ty, )*
            $($( $(#[$kmeta])* pub $kfield: $kty, )*)?
        }

        impl Default for $cfg {
            fn default() -> Self {
                $cfg {
                    name: $name.to_string(),
                    dtype: Some("float32".to_string()),
                    $( $field: $default, )*
                    $($( $kfield: $kdefault, )*)?
                }
            }
        }

        $(#[$tmeta])*
        pub struct $metric {
            config: $cfg,
            $( $sfield: $sty, )*
        }

        impl $metric {
            /// The Keras class name.
            pub const CLASS: &'static str = $class;

            /// Keras' defaults; chain the setters for the rest.
            pub fn new() -> Self {
                Self::default()
            }

            /// The metric from its config; errors on an invalid option.
            pub fn from_config(config: $cfg) -> $crate::Result<Self> {
                let m = $metric { config, $( $sfield: $sinit, )* };
                $crate::metrics::Metric::validate(&m)?;
                Ok(m)
            }

            /// The configuration.
            pub fn config(&self) -> &$cfg {
                &self.config
            }

            /// Renames the metric (the name shown in logs).
            pub fn with_name(mut self, name: impl Into<String>) -> Self {
                self.config.name = name.into();
                self
            }

            $(
                #[doc = concat!("Sets [`", stringify!($cfg), "::", stringify!($field), "`].")]
                pub fn $field(mut self, $field: $ty) -> Self {
                    self.config.$field = $field;
                    self
                }
            )*
        }

        impl Default for $metric {
            fn default() -> Self {
                $metric { config: $cfg::default(), $( $sfield: $sinit, )* }
            }
        }
    };
}
pub(crate) use metric_type;

/// The `Metric` methods every built-in metric shares (inside its `impl Metric`).
macro_rules! metric_common {
    () => {
        fn name(&self) -> &str {
            &self.config.name
        }
        fn class_name(&self) -> &str {
            Self::CLASS
        }
        fn get_config(&self) -> serde_json::Value {
            $crate::saving::config_to_value(&self.config)
        }
        fn validate(&self) -> $crate::Result<()> {
            $crate::metrics::config::check_dtype(Self::CLASS, &self.config.dtype)?;
            self.check()
        }
    };
}
pub(crate) use metric_common;
