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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::initializers::Initializer;
    use crate::layers::{self, *};
    use crate::regularizers::Regularizer;
    use serde::de::DeserializeOwned;
    use std::collections::BTreeSet;

    /// `config` read into the class' config struct and written back.
    fn via<T: DeserializeOwned + serde::Serialize>(config: &Value) -> Value {
        let parsed: T = serde_json::from_value(config.clone()).expect("the config parses into its struct");
        serde_json::to_value(parsed).unwrap()
    }

    type Case = (Box<dyn Layer>, fn(&Value) -> Value);

    /// One layer of every built-in class, with options other than the
    /// defaults where it has them, and its config struct.
    fn one_of_each() -> Vec<Case> {
        let init = Initializer::random_normal(0.5, 0.25).with_seed(7);
        let reg = Regularizer::l1_l2(0.1, 0.2);
        let leaky = crate::activations::Activation::LeakyRelu { negative_slope: 0.5 };
        let lstm = || {
            LSTM::new(3)
                .recurrent_activation("hard_sigmoid")
                .unit_forget_bias(false)
                .kernel_initializer(init)
                .recurrent_regularizer(reg)
                .dropout(0.25)
                .seed(5)
                .return_sequences(true)
                .name("lstm_fw")
        };
        vec![
            (Box::new(Input::new(&[2, 3]).name("in")), via::<InputLayerConfig>),
            (Box::new(Reshape::new(&[3, -1]).name("rs")), via::<ReshapeConfig>),
            (Box::new(Flatten::new().name("fl")), via::<FlattenConfig>),
            (
                Box::new(
                    Dense::new(4)
                        .activation("relu")
                        .use_bias(false)
                        .kernel_regularizer(reg)
                        .input_shape(&[6])
                        .name("d"),
                ),
                via::<DenseConfig>,
            ),
            (Box::new(Dropout::new(0.25).seed(3).name("dr")), via::<DropoutConfig>),
            (
                Box::new(layers::Activation::new(leaky).name("act")),
                via::<ActivationConfig>,
            ),
            (
                Box::new(
                    BatchNormalization::new()
                        .axis(2)
                        .momentum(0.9)
                        .epsilon(0.01)
                        .center(false)
                        .gamma_initializer(init)
                        .name("bn"),
                ),
                via::<BatchNormalizationConfig>,
            ),
            (
                Box::new(
                    LayerNormalization::new()
                        .axes(&[-2, -1])
                        .epsilon(0.02)
                        .scale(false)
                        .name("ln"),
                ),
                via::<LayerNormalizationConfig>,
            ),
            (
                Box::new(Concatenate::new().axis(1).name("cat")),
                via::<ConcatenateConfig>,
            ),
            (
                Box::new(Dot::new(&[1, 2]).normalize(true).name("dot")),
                via::<DotConfig>,
            ),
            (Box::new(Dot::new(&[1]).name("dot1")), via::<DotConfig>),
            (Box::new(Add::new().name("add")), via::<MergeConfig>),
            (Box::new(Subtract::new().name("sub")), via::<MergeConfig>),
            (Box::new(Multiply::new().name("mul")), via::<MergeConfig>),
            (Box::new(Average::new().name("avg")), via::<MergeConfig>),
            (Box::new(Maximum::new().name("max")), via::<MergeConfig>),
            (Box::new(Minimum::new().name("min")), via::<MergeConfig>),
            (
                Box::new(
                    Conv1D::new(4, 3)
                        .padding("causal")
                        .dilation_rate(2)
                        .groups(2)
                        .activation(leaky)
                        .kernel_initializer(init)
                        .bias_regularizer(reg)
                        .input_shape(&[10, 2])
                        .name("c1"),
                ),
                via::<ConvConfig>,
            ),
            (
                Box::new(
                    Conv2D::new(2, (3, 1))
                        .strides((2, 1))
                        .padding("same")
                        .use_bias(false)
                        .name("c2"),
                ),
                via::<ConvConfig>,
            ),
            (
                Box::new(
                    Conv2DTranspose::new(3, 2)
                        .strides(2)
                        .output_padding(1)
                        .bias_initializer(init)
                        .kernel_regularizer(reg)
                        .name("ct"),
                ),
                via::<Conv2DTransposeConfig>,
            ),
            (
                Box::new(
                    DepthwiseConv2D::new(3)
                        .depth_multiplier(2)
                        .kernel_initializer(init)
                        .name("dw"),
                ),
                via::<DepthwiseConv2DConfig>,
            ),
            (
                Box::new(
                    SeparableConv2D::new(4, (3, 2))
                        .depth_multiplier(2)
                        .strides(2)
                        .pointwise_initializer(init)
                        .pointwise_regularizer(reg)
                        .name("sep"),
                ),
                via::<SeparableConv2DConfig>,
            ),
            (
                Box::new(MaxPooling1D::new(3).strides(2).padding("same").name("mp1")),
                via::<PoolingConfig>,
            ),
            (Box::new(MaxPooling2D::new((2, 3)).name("mp2")), via::<PoolingConfig>),
            (Box::new(AveragePooling1D::new(2).name("ap1")), via::<PoolingConfig>),
            (
                Box::new(AveragePooling2D::new(2).strides(1).name("ap2")),
                via::<PoolingConfig>,
            ),
            (
                Box::new(GlobalMaxPooling1D::new().keepdims(true).name("gmp1")),
                via::<GlobalPoolingConfig>,
            ),
            (
                Box::new(GlobalMaxPooling2D::new().name("gmp2")),
                via::<GlobalPoolingConfig>,
            ),
            (
                Box::new(GlobalAveragePooling1D::new().name("gap1")),
                via::<GlobalPoolingConfig>,
            ),
            (
                Box::new(GlobalAveragePooling2D::new().keepdims(true).name("gap2")),
                via::<GlobalPoolingConfig>,
            ),
            (
                Box::new(ZeroPadding1D::new((1, 2)).name("zp1")),
                via::<ZeroPaddingConfig>,
            ),
            (
                Box::new(ZeroPadding2D::new([(1, 2), (0, 3)]).name("zp2")),
                via::<ZeroPaddingConfig>,
            ),
            (Box::new(Cropping1D::new(2).name("cr1")), via::<CroppingConfig>),
            (Box::new(Cropping2D::new([1, 2]).name("cr2")), via::<CroppingConfig>),
            (Box::new(UpSampling1D::new(3).name("up1")), via::<UpSampling1DConfig>),
            (
                Box::new(UpSampling2D::new((2, 3)).name("up2")),
                via::<UpSampling2DConfig>,
            ),
            (
                Box::new(SpatialDropout1D::new(0.5).seed(1).name("sd1")),
                via::<SpatialDropoutConfig>,
            ),
            (
                Box::new(SpatialDropout2D::new(0.25).name("sd2")),
                via::<SpatialDropoutConfig>,
            ),
            (
                Box::new(
                    Embedding::new(10, 4)
                        .embeddings_initializer(init)
                        .embeddings_regularizer(reg)
                        .mask_zero(true)
                        .input_shape(&[5])
                        .name("emb"),
                ),
                via::<EmbeddingConfig>,
            ),
            (Box::new(Masking::new(-1.5).name("mask")), via::<MaskingConfig>),
            (
                Box::new(TimeDistributed::new(Dense::new(2).name("inner")).name("td")),
                via::<TimeDistributedConfig>,
            ),
            (Box::new(lstm()), via::<RecurrentConfig>),
            (
                Box::new(
                    GRU::new(2)
                        .reset_after(false)
                        .activation("relu")
                        .recurrent_dropout(0.5)
                        .bias_initializer(init)
                        .go_backwards(true)
                        .return_state(true)
                        .input_shape(&[4, 3])
                        .name("gru"),
                ),
                via::<RecurrentConfig>,
            ),
            (
                Box::new(
                    SimpleRNN::new(2)
                        .use_bias(false)
                        .stateful(true)
                        .zero_output_for_mask(true)
                        .name("srnn"),
                ),
                via::<RecurrentConfig>,
            ),
            (
                Box::new(Bidirectional::new(lstm()).merge_mode(MergeMode::Sum).name("bi")),
                via::<BidirectionalConfig>,
            ),
            (
                Box::new(Bidirectional::new(GRU::new(2)).no_merge().name("bi2")),
                via::<BidirectionalConfig>,
            ),
            (
                Box::new(
                    RNN::new(vec![
                        RnnCell::from(LSTMCell::new(3).kernel_regularizer(reg).name("c0")),
                        RnnCell::from(GRUCell::new(2).reset_after(false).name("c1")),
                    ])
                    .return_sequences(true)
                    .name("rnn"),
                ),
                via::<RNNConfig>,
            ),
            (
                Box::new(
                    RNN::new(SimpleRNNCell::new(2).name("c"))
                        .go_backwards(true)
                        .name("rnn1"),
                ),
                via::<RNNConfig>,
            ),
            (
                Box::new(SimpleRNNCell::new(2).activation("relu").seed(3).name("sc")),
                via::<RecurrentCellConfig>,
            ),
            (
                Box::new(
                    LSTMCell::new(2)
                        .unit_forget_bias(false)
                        .recurrent_initializer(init)
                        .name("lc"),
                ),
                via::<RecurrentCellConfig>,
            ),
            (
                Box::new(GRUCell::new(2).recurrent_activation("relu").name("gc")),
                via::<RecurrentCellConfig>,
            ),
        ]
    }

    /// Every built-in layer class comes back from its own config with the
    /// same class, name and config, and its config reads into its config
    /// struct and writes back unchanged (nothing lost or added by either).
    #[test]
    fn builtins_round_trip_their_config() {
        let cases = one_of_each();
        for (l, through_struct) in &cases {
            let c = l.get_config();
            let back = layer_from_config(l.class_name(), &c).unwrap_or_else(|e| panic!("{}: {e}", l.class_name()));
            assert_eq!(back.class_name(), l.class_name());
            assert_eq!(back.name(), l.name());
            assert_eq!(back.get_config(), c, "{}", l.class_name());
            assert_eq!(through_struct(&c), c, "{} through its config struct", l.class_name());
        }
        let tested: BTreeSet<&str> = cases.iter().map(|(l, _)| l.class_name()).collect();
        let builtin: BTreeSet<&str> = layers::builtin_factories().into_iter().map(|(c, _, _)| c).collect();
        assert_eq!(tested, builtin, "every built-in class has a case here");
    }

    /// The config structs fill in Keras' defaults for what a config leaves
    /// out, so a minimal Keras-style config builds the layer Keras would.
    #[test]
    fn missing_fields_take_keras_defaults() {
        let conv =
            Conv2D::from_config(&serde_json::json!({"filters": 2, "kernel_size": 3, "trainable": false})).unwrap();
        let c = conv.config();
        assert_eq!(
            (c.strides, c.dilation_rate, c.padding.as_str(), c.use_bias),
            (vec![1, 1], vec![1, 1], "valid", true)
        );
        let gru = GRU::from_config(&serde_json::json!({"units": 2})).unwrap().config();
        assert_eq!(gru.cell.reset_after, Some(true));
        assert_eq!(
            gru.cell.recurrent_activation,
            Some(crate::activations::Activation::Sigmoid)
        );
        let bi =
            Bidirectional::from_config(&serde_json::json!({"layer": {"class_name": "LSTM", "config": {"units": 2}}}));
        assert_eq!(bi.unwrap().config().merge_mode.as_deref(), Some("concat"));
        let e = Dropout::from_config(&serde_json::json!({"name": "d"}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs \"rate\""), "{e}");
        let e = Conv1D::from_config(&serde_json::json!({"filters": 2, "kernel_size": [3, 3]}))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("\"kernel_size\" must be an integer or a list of 1 integers"),
            "{e}"
        );
        let crop = Cropping2D::from_config(&serde_json::json!({"name": "c"}))
            .unwrap()
            .config();
        assert_eq!(
            crop.cropping,
            Some(MarginAmounts::PerAxis(vec![AxisAmounts::Pair((0, 0)); 2]))
        );
        let pad = ZeroPadding2D::from_config(&serde_json::json!({"padding": [1, [2, 3]]})).unwrap();
        assert_eq!(pad.get_config()["padding"], serde_json::json!([[1, 1], [2, 3]]));
        let e = ZeroPadding1D::from_config(&serde_json::json!({"padding": [[1, 2], [3, 4]]}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("\"padding\" has an unsupported form: [[1,2],[3,4]]"), "{e}");
        let e = Dense::from_config(&serde_json::json!({"units": "four"}))
            .unwrap_err()
            .to_string();
        assert!(e.contains("Dense") && e.contains("bad config"), "{e}");
    }
}
