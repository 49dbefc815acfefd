//! Layers: the [`Layer`] trait, the shared [`LayerRef`] handle, symbolic
//! [`KerasTensor`]s for the functional API, and Keras' built-in layers.
//!
//! A layer is created unbuilt (its weights need the input shape), gets a
//! unique Keras-style name at creation (`dense`, `dense_1`, ...), and is
//! built by the model, by [`Layer::apply`] in a functional graph, or by
//! its first call through a [`LayerRef`]. Shapes passed to `build` and
//! `compute_output_shape` exclude the batch dimension.
//!
//! **Adding a layer** is one file: a struct, its config struct (serde,
//! with Keras' field names and defaults, as [`DenseConfig`]), its `Layer`
//! impl (`get_config` writes the config struct) and its [`FromConfig`] impl
//! (which reads it), plus one line in the `builtin_layers!` list of this
//! module, which declares the module, re-exports the type and registers the
//! class for [`layer_from_config`] (loading saved models); export the config
//! struct beside [`DenseConfig`] and add a case to the registry's
//! round-trip test.
//!
//! | Keras class | type |
//! |---|---|
//! | `InputLayer` | [`Input`] |
//! | `Dense`, `Activation`, `Dropout`, `Flatten`, `Reshape` | [`Dense`], [`Activation`], [`Dropout`], [`Flatten`], [`Reshape`] |
//! | `BatchNormalization`, `LayerNormalization` | [`BatchNormalization`], [`LayerNormalization`] |
//! | `Embedding`, `Masking`, `TimeDistributed`, `LSTM`, `GRU`, `SimpleRNN`, `Bidirectional` | [`Embedding`], [`Masking`], [`TimeDistributed`], [`LSTM`], [`GRU`], [`SimpleRNN`], [`Bidirectional`] (recurrent layers on [`tensorlow::nn::lstm`] and friends; masks flow from `Embedding(mask_zero)`) |
//! | `RNN`, `SimpleRNNCell`, `LSTMCell`, `GRUCell`, `StackedRNNCells` | [`RNN`] running a [`SimpleRNNCell`], [`LSTMCell`], [`GRUCell`] or [`StackedRNNCells`] |
//! | `Concatenate`, `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`, `Dot` | merging layers |
//! | `Conv1D`, `Conv2D` | [`Conv1D`], [`Conv2D`] (`channels_last`; Keras' kernel layout) |
//! | `MaxPooling1D/2D`, `AveragePooling1D/2D` | [`MaxPooling2D`], ... ([`Pooling`]) |
//! | `GlobalMaxPooling1D/2D`, `GlobalAveragePooling1D/2D` | [`GlobalAveragePooling2D`], ... ([`GlobalPooling`]) |
//! | `ZeroPadding1D/2D`, `Cropping1D/2D` | [`ZeroPadding2D`], [`Cropping2D`], ... |
//! | `UpSampling1D/2D` (nearest), `SpatialDropout1D/2D` | [`UpSampling2D`], [`SpatialDropout2D`], ... |
//!
//! | `Conv2DTranspose`, `DepthwiseConv2D`, `SeparableConv2D` | [`Conv2DTranspose`], [`DepthwiseConv2D`], [`SeparableConv2D`] ([`Conv2DVariant`]) |
//!
//! Not yet: `Conv3D`, the 1-D depthwise/separable/transposed forms and the
//! 3-D poolings; `RNN` with a cell written in Rust (only the built-in cells
//! run).

pub(crate) mod keras_tensor;
mod layer;
mod layer_ref;
mod registry;

pub use keras_tensor::{KerasTensor, SymbolicInputs};
pub use layer::{AsAny, BuildContext, CallArgs, Layer};
pub use layer_ref::LayerRef;
mod keras_options;
pub use keras_options::{KerasOption, KerasOptions, COMMON_KERAS_OPTIONS};
pub(crate) use registry::{keras_classes, keras_options};
pub use registry::{layer_from_config, register, register_layer, FromConfig, LayerFactory};
pub(crate) use rnn_cells::STACKED_KERAS_OPTIONS;

pub(crate) use layer_ref::in_layer;

/// Declares each built-in layer's module, re-exports its type and lists it
/// for the registry: the one place a new layer is added.
macro_rules! builtin_layers {
    ($($module:ident :: { $($ty:ident),* }),* $(,)?) => {
        $(mod $module;)*
        $(pub use $module::{$($ty),*};)*
        /// `(class name, factory, Keras options)` of every built-in layer.
        pub(crate) fn builtin_factories() -> Vec<(&'static str, LayerFactory, Option<KerasOptions>)> {
            vec![$($((
                <$ty as FromConfig>::CLASS_NAME,
                registry::factory::<$ty> as LayerFactory,
                <$ty as FromConfig>::KERAS_OPTIONS,
            )),*),*]
        }
    };
}

builtin_layers! {
    activation::{Activation},
    batch_normalization::{BatchNormalization},
    dense::{Dense},
    dropout::{Dropout},
    flatten::{Flatten},
    input::{Input},
    layer_normalization::{LayerNormalization},
    reshape::{Reshape},
    concatenate::{Concatenate},
    dot::{Dot},
    elementwise_merge::{Add, Subtract, Multiply, Average, Maximum, Minimum},
    conv::{Conv1D, Conv2D},
    conv2d_variants::{Conv2DTranspose, DepthwiseConv2D, SeparableConv2D},
    pooling::{MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D},
    global_pooling::{GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D},
    zero_padding::{ZeroPadding1D, ZeroPadding2D, Cropping1D, Cropping2D},
    up_sampling::{UpSampling1D, UpSampling2D},
    spatial_dropout::{SpatialDropout1D, SpatialDropout2D},
    embedding::{Embedding},
    masking::{Masking},
    time_distributed::{TimeDistributed},
    lstm::{LSTM},
    gru::{GRU},
    simple_rnn::{SimpleRNN},
    bidirectional::{Bidirectional},
    rnn::{RNN},
    rnn_cells::{SimpleRNNCell, LSTMCell, GRUCell},
}

pub use activation::ActivationConfig;
pub use batch_normalization::BatchNormalizationConfig;
pub use concatenate::ConcatenateConfig;
pub use dense::DenseConfig;
pub use dot::DotConfig;
pub use dropout::DropoutConfig;
pub use elementwise_merge::MergeConfig;
pub use embedding::EmbeddingConfig;
pub use flatten::FlattenConfig;
pub use layer_normalization::LayerNormalizationConfig;
pub use masking::MaskingConfig;
pub use reshape::ReshapeConfig;
pub use spatial_dropout::SpatialDropoutConfig;
mod spatial;
pub use conv::{Conv, ConvConfig};
pub use conv2d_variants::{Conv2DTransposeConfig, DepthwiseConv2DConfig, SeparableConv2DConfig};
pub use conv2d_variants::{Conv2DVariant, DepthwiseKind, SeparableKind, TransposeKind, Variant, VariantKind};
pub use global_pooling::{GlobalPooling, GlobalPoolingConfig};
pub use pooling::{Pooling, PoolingConfig};
pub use spatial::{DataFormat, Size};
pub use spatial_dropout::SpatialDropout;
pub use up_sampling::{UpSampling, UpSampling1DConfig, UpSampling2DConfig};
pub use zero_padding::{AxisAmounts, Cropping, CroppingConfig, MarginAmounts, Margins, ZeroPadding, ZeroPaddingConfig};

mod custom_cell;
mod recurrent;
pub use bidirectional::{BidirectionalConfig, MergeMode, Wrapped};
pub(crate) use custom_cell::is_registered_cell;
pub use custom_cell::{register_cell, Cell, CellFactory};
pub use recurrent::{RecurrentCellConfig, RecurrentConfig, SequenceConfig};
pub use rnn::RNNConfig;
pub use rnn_cells::{RnnCell, StackedRNNCells};
pub use time_distributed::TimeDistributedConfig;

pub use input::InputLayerConfig;

use crate::{Error, Result};
use std::collections::HashMap;
use std::sync::Mutex;
use tensorlow::{DType, Tensor};

/// A dtype from its Keras/NumPy name (`"float32"`, `"int64"`, ...).
pub(crate) fn dtype_from_name(name: &str) -> Result<DType> {
    Ok(match name {
        "float32" => DType::F32,
        "float64" => DType::F64,
        "float16" => DType::F16,
        "bfloat16" => DType::BF16,
        "int64" => DType::I64,
        "uint32" => DType::U32,
        "uint8" => DType::U8,
        _ => {
            return Err(Error::arg(format!(
                "unsupported dtype {name:?}: keraslike supports float32, float64, float16, bfloat16, int64, uint32 and uint8"
            )))
        }
    })
}

static NAME_COUNTS: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

/// A unique layer name for `base` (`dense`, then `dense_1`, `dense_2`, ...),
/// as Keras assigns them.
pub fn unique_name(base: &str) -> String {
    let mut guard = NAME_COUNTS.lock().unwrap_or_else(|e| e.into_inner());
    let counts = guard.get_or_insert_with(HashMap::new);
    let n = counts.entry(base.to_string()).or_insert(0);
    let name = if *n == 0 {
        base.to_string()
    } else {
        format!("{base}_{n}")
    };
    *n += 1;
    name
}

/// Resets the automatic layer-name counters (`keras.backend.clear_session`).
pub fn clear_session() {
    *NAME_COUNTS.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Errors unless `x` is `(batch, expected...)`, naming the layer.
pub fn check_input(layer: &str, class: &str, expected: &[usize], x: &Tensor) -> Result<()> {
    if x.rank() != expected.len() + 1 || &x.shape()[1..] != expected {
        return Err(Error::shape(format!(
            "{class} {layer:?} expects input of shape {}, got {}",
            batch_shape_str(expected),
            shape_str(x.shape())
        )));
    }
    Ok(())
}

/// A shape as Keras prints it: `(10, 3)`, `(5,)`, `()`.
pub fn shape_str(shape: &[usize]) -> String {
    match shape {
        [d] => format!("({d},)"),
        _ => format!(
            "({})",
            shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A per-sample shape with the batch dimension in front: `(batch, 4)`.
pub fn batch_shape_str(shape: &[usize]) -> String {
    let dims: Vec<String> = std::iter::once("batch".to_string())
        .chain(shape.iter().map(|d| d.to_string()))
        .collect();
    format!("({})", dims.join(", "))
}
