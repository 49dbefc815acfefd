//! How a layer class reads a Keras 3 file: the options of its Keras
//! `get_config()` and what each may hold. A layer declares them beside its
//! own code, in its [`FromConfig::KERAS_OPTIONS`](super::FromConfig::KERAS_OPTIONS),
//! and the `.keras` loader checks every option of every layer of a file
//! against them before anything is built, so a file never loads as a
//! silently different model: an option the table does not list, or a value
//! the layer does not implement, is an error naming the layer, its class
//! and the option.
//!
//! ```
//! use keraslike::layers::{KerasOption, KerasOptions};
//! // Keras' `Dropout`: `rate` and `seed` are read, `noise_shape` must be null.
//! const DROPOUT: KerasOptions = KerasOptions::new(&[
//!     ("rate", KerasOption::Used),
//!     ("seed", KerasOption::Used),
//!     ("noise_shape", KerasOption::Null),
//! ]);
//! assert_eq!(DROPOUT.get("rate"), Some(KerasOption::Used));
//! // Every layer has Keras' base-layer options.
//! assert_eq!(DROPOUT.get("name"), Some(KerasOption::Used));
//! assert_eq!(DROPOUT.get("autocast"), Some(KerasOption::Is("true")));
//! assert_eq!(DROPOUT.get("noise"), None);
//! ```

/// How a `.keras` file's value of one layer option is treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KerasOption {
    /// Read by the layer's `from_config`.
    Used,
    /// Has no effect on the loaded model (e.g. an initializer, when the
    /// weights come from the file); accepted with any value of the right
    /// kind (an initializer must be one keraslike knows).
    Init,
    /// Must be absent or `null` (a feature keraslike does not have).
    Null,
    /// Must be absent, `null` or equal to this JSON text (keraslike
    /// implements only that value), e.g. `Is("false")`, `Is("\"nearest\"")`.
    Is(&'static str),
    /// A regularizer: `null`, `L1`, `L2` or `L1L2`.
    Regularizer,
    /// An activation name keraslike knows.
    Activation,
    /// A wrapped recurrent layer (`Bidirectional`'s `layer`), checked as a
    /// layer of its own.
    Wrapped,
    /// Any wrapped layer (`TimeDistributed`'s `layer`), checked as a layer
    /// of its own.
    AnyLayer,
    /// `RNN`'s `cell`: a serialized `SimpleRNNCell`, `LSTMCell`, `GRUCell`
    /// or `StackedRNNCells`, checked as a layer of its own.
    Cell,
    /// `StackedRNNCells`' `cells`: a list of serialized cells (not stacks).
    Cells,
}

use KerasOption::*;

/// The options every Keras layer has (Keras' base `Layer`), part of every
/// [`KerasOptions`].
pub const COMMON_KERAS_OPTIONS: &[(&str, KerasOption)] = &[
    ("name", Used),
    ("trainable", Used),
    ("dtype", Used),
    ("activity_regularizer", Null),
    ("autocast", Is("true")),
    ("input_shape", Used),
    ("batch_input_shape", Null),
];

/// The kernel and bias options of Keras' `Dense`, `Conv1D`/`Conv2D` and
/// `Conv2DTranspose` (initializers, regularizers, constraints), shared by
/// their tables.
pub(crate) const KERNEL_BIAS_KERAS_OPTIONS: &[(&str, KerasOption)] = &[
    ("kernel_initializer", Init),
    ("bias_initializer", Init),
    ("kernel_regularizer", Regularizer),
    ("bias_regularizer", Regularizer),
    ("kernel_constraint", Null),
    ("bias_constraint", Null),
];

/// A layer class's Keras options: its own, options it shares with other
/// classes (e.g. the recurrent cells' options, which `LSTM` has too), and
/// [`COMMON_KERAS_OPTIONS`].
#[derive(Clone, Copy, Debug)]
pub struct KerasOptions {
    own: &'static [(&'static str, KerasOption)],
    shared: &'static [(&'static str, KerasOption)],
}

impl KerasOptions {
    /// A class with these options besides the common ones.
    pub const fn new(own: &'static [(&'static str, KerasOption)]) -> Self {
        KerasOptions { own, shared: &[] }
    }

    /// The same with a table shared with other classes added.
    pub const fn with(self, shared: &'static [(&'static str, KerasOption)]) -> Self {
        KerasOptions { own: self.own, shared }
    }

    /// How option `key` is treated; `None` when the class does not have it.
    pub fn get(&self, key: &str) -> Option<KerasOption> {
        self.own
            .iter()
            .chain(self.shared)
            .chain(COMMON_KERAS_OPTIONS)
            .find(|(o, _)| *o == key)
            .map(|(_, r)| *r)
    }
}
