//! What every loss's configuration shares: Keras' `name` and `reduction`
//! fields, and the macro that defines a loss type around its config struct
//! (constructor, `from_config`, chained setters, `Default`).
//!
//! ```
//! use keraslike::losses::{CategoricalCrossentropy, CategoricalCrossentropyConfig, Loss};
//! # fn main() -> keraslike::Result<()> {
//! let c = CategoricalCrossentropyConfig { label_smoothing: 0.1, ..Default::default() };
//! let loss = CategoricalCrossentropy::from_config(c)?;
//! assert_eq!(loss.get_config()["reduction"], "sum_over_batch_size");
//! let bad = CategoricalCrossentropyConfig { reduction: Some("sum".into()), ..Default::default() };
//! assert!(CategoricalCrossentropy::from_config(bad).is_err());
//! # Ok(()) }
//! ```

use crate::{Error, Result};

/// Keras' default reduction, the only one the model's training step uses.
pub const SUM_OVER_BATCH_SIZE: &str = "sum_over_batch_size";

/// Errors unless `reduction` is Keras' `"sum_over_batch_size"` (or Keras
/// 2's `"auto"`, which means the same): the model reduces every loss that way.
pub(crate) fn check_reduction(class: &str, reduction: &Option<String>) -> Result<()> {
    match reduction.as_deref() {
        Some(SUM_OVER_BATCH_SIZE) | Some("auto") => Ok(()),
        other => Err(Error::arg(format!(
            "{class}: reduction={} is not supported; keraslike reduces losses with \"sum_over_batch_size\" \
             (the weighted sum divided by the batch size, Keras' default)",
            match other {
                Some(r) => format!("{r:?}"),
                None => "null".to_string(),
            }
        ))),
    }
}

/// Defines a loss's config struct (with `name` and `reduction`), the loss
/// struct holding it, and its `new`, `from_config`, `config`, `with_name`,
/// setters and `Default`. `keras_only` fields (Keras options keraslike
/// accepts only at their defaults) get no setter. The loss implements `check(&self) -> Result<()>`
/// for its own options and uses `loss_common!()` in its `Loss` impl.
macro_rules! loss_type {
    (
        $(#[$tmeta:meta])*
        $loss:ident,
        $(#[$cmeta:meta])*
        $cfg:ident {
            class: $class:literal,
            name: $name:literal,
            fields: { $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $default:expr ),* $(,)? }
            $(, keras_only: { $( $(#[$kmeta:meta])* $kfield:ident : $kty:ty = $kdefault:expr ),* $(,)? } )?
        }
    ) => {
        $(#[$cmeta])*
        ///
        /// Field names, defaults and JSON form are Keras' `get_config()`.
        #[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(default)]
        pub struct $cfg {
            #[doc = concat!("The loss's name (default `\"", $name, "\"`).")]
            pub name: String,
            /// Keras' reduction; only `"sum_over_batch_size"` (the default) is supported.
            pub reduction: Option<String>,
            $( $(#[$fmeta])* pub $field: $ty, )*
            $($( $(#[$kmeta])* pub $kfield: $kty, )*)?
        }

        impl Default for $cfg {
            fn default() -> Self {
                $cfg {
                    name: $name.to_string(),
                    reduction: Some($crate::losses::config::SUM_OVER_BATCH_SIZE.to_string()),
                    $( $field: $default, )*
                    $($( $kfield: $kdefault, )*)?
                }
            }
        }

        $(#[$tmeta])*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $loss {
            config: $cfg,
        }

        impl $loss {
            /// The Keras class name.
            pub const CLASS: &'static str = $class;

            /// Keras' defaults; chain the setters for the rest.
            pub fn new() -> Self {
                Self::default()
            }

            /// The loss from its config; errors on an invalid option.
            pub fn from_config(config: $cfg) -> $crate::Result<Self> {
                let loss = $loss { config };
                $crate::losses::Loss::validate(&loss)?;
                Ok(loss)
            }

            /// The configuration.
            pub fn config(&self) -> &$cfg {
                &self.config
            }

            /// Renames the loss (Keras' `name`).
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

        impl Default for $loss {
            fn default() -> Self {
                $loss { config: $cfg::default() }
            }
        }
    };
}
pub(crate) use loss_type;

/// The `Loss` methods every built-in loss shares (inside its `impl Loss`).
macro_rules! loss_common {
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
            $crate::losses::config::check_reduction(Self::CLASS, &self.config.reduction)?;
            self.check()
        }
    };
}
pub(crate) use loss_common;
