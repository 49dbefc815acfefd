//! `Input`: the input of a model (`keras.Input(shape=...)`, an `InputLayer`).
//!
//! In a functional model an `Input` is the symbolic tensor layers are
//! applied to (`Dense::new(8).apply(&inputs)`); in a `Sequential` it
//! declares the per-sample input shape, so the model builds itself, and
//! checks that data has that shape. Inputs are float32 unless given
//! another dtype (integer ids for an `Embedding`: `.dtype(DType::I64)`).
//!
//! ```
//! use keraslike::layers::{Input, Layer};
//! use tensorlow::Tensor;
//! let input = Input::new(&[4]);
//! assert_eq!(input.declared_input_shape(), Some(vec![4]));
//! assert_eq!(input.tensor().shape(), &[4]);
//! let err = input.call(&Tensor::new(&[0.0f32; 6], &[2, 3]).unwrap(), false).unwrap_err();
//! assert!(err.to_string().contains("expects input of shape (batch, 4), got (2, 3)"));
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::keras_tensor::{InputSpec, KerasTensor};
use super::{check_input, shape_str, unique_name, BuildContext, FromConfig, Layer};
use super::dtype_from_name as dtype_name_to_dtype;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{DType, Tensor};

/// Keras 3's `InputLayer` config.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputLayerConfig {
    /// `[null, d1, d2, ...]`: the batch axis is unknown.
    pub batch_shape: Vec<Option<usize>>,
    /// The dtype name, `"float32"` by default.
    #[serde(default = "float32")]
    pub dtype: String,
    /// Sparse inputs are not supported (must be false).
    #[serde(default)]
    pub sparse: bool,
    /// Ragged inputs are not supported (must be false).
    #[serde(default)]
    pub ragged: bool,
    /// The layer's name.
    #[serde(default)]
    pub name: Option<String>,
}

fn float32() -> String {
    "float32".into()
}

/// The input of a model: a per-sample shape, a dtype and a name.
#[derive(Clone, Debug)]
pub struct Input {
    tensor: KerasTensor,
    built: bool,
}

impl Input {
    /// Inputs of shape `(batch, shape...)`, float32. Named `input_layer`,
    /// `input_layer_1`, ... as in Keras 3.
    pub fn new(shape: &[usize]) -> Self {
        Self::from_spec(InputSpec {
            name: unique_name("input_layer"),
            shape: shape.to_vec(),
            dtype: DType::F32,
        })
    }

    pub(crate) fn from_spec_public(spec: InputSpec) -> Self {
        Self::from_spec(spec)
    }

    fn from_spec(spec: InputSpec) -> Self {
        Input {
            tensor: KerasTensor::input(spec),
            built: false,
        }
    }

    fn spec(&self) -> InputSpec {
        InputSpec {
            name: self.tensor.producer_name(),
            shape: self.tensor.shape().to_vec(),
            dtype: self.tensor.dtype(),
        }
    }

    /// Replaces the automatic name (the name `fit` and `predict` accept
    /// data under).
    pub fn name(self, name: impl Into<String>) -> Self {
        Self::from_spec(InputSpec {
            name: name.into(),
            ..self.spec()
        })
    }

    /// The dtype of the data (default float32).
    pub fn dtype(self, dtype: DType) -> Self {
        Self::from_spec(InputSpec { dtype, ..self.spec() })
    }

    /// The per-sample shape.
    pub fn shape(&self) -> &[usize] {
        self.tensor.shape()
    }

    /// The symbolic tensor layers are applied to in a functional model
    /// (the same one every time).
    pub fn tensor(&self) -> KerasTensor {
        self.tensor.clone()
    }

    /// An `Input` from Keras' `InputLayer` config.
    pub fn from_layer_config(c: InputLayerConfig) -> Result<Self> {
        if c.sparse || c.ragged {
            return Err(Error::arg(format!(
                "InputLayer {:?}: sparse and ragged inputs are not supported",
                c.name.as_deref().unwrap_or("")
            )));
        }
        let shape = input_shape_from_batch_shape(&c.batch_shape, c.name.as_deref().unwrap_or("input_layer"))?;
        // Keras' integer inputs are int32 by default (ids for an Embedding); tensorlow has no
        // int32, so they become int64, which holds every int32 value.
        let dtype = match c.dtype.as_str() {
            "int32" => DType::I64,
            other => dtype_name_to_dtype(other)?,
        };
        let mut i = Input::new(&shape).dtype(dtype);
        if let Some(n) = c.name {
            i = i.name(n);
        }
        Ok(i)
    }

    /// The layer's config in Keras' form.
    pub fn config(&self) -> InputLayerConfig {
        InputLayerConfig {
            batch_shape: std::iter::once(None)
                .chain(self.shape().iter().map(|&d| Some(d)))
                .collect(),
            dtype: self.tensor.dtype().name().to_string(),
            sparse: false,
            ragged: false,
            name: Some(self.tensor.producer_name()),
        }
    }
}

/// The per-sample shape of Keras' `batch_shape` (`[null, 4]` -> `[4]`);
/// unknown non-batch dimensions are an error naming the input.
pub(crate) fn input_shape_from_batch_shape(batch_shape: &[Option<usize>], name: &str) -> Result<Vec<usize>> {
    let Some((_, rest)) = batch_shape.split_first() else {
        return Err(Error::arg(format!(
            "InputLayer {name:?}: batch_shape must include the batch axis, got []"
        )));
    };
    rest.iter()
        .enumerate()
        .map(|(i, d)| {
            d.ok_or_else(|| {
                Error::arg(format!(
                    "InputLayer {name:?}: dimension {} of batch_shape {batch_shape:?} is None; keraslike \
                     needs known per-sample shapes (only the batch axis may be None)",
                    i + 1
                ))
            })
        })
        .collect()
}

impl Layer for Input {
    fn name(&self) -> &str {
        match self.tensor.source() {
            super::keras_tensor::Source::Input(s) => &s.name,
            super::keras_tensor::Source::Node(..) => unreachable!("an Input's tensor is an input"),
        }
    }

    fn class_name(&self) -> &'static str {
        "InputLayer"
    }

    fn build(&mut self, input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        if input_shape != self.shape() {
            return Err(Error::shape(format!(
                "InputLayer {:?} declares shape {} but the model is built for {}",
                Layer::name(self),
                shape_str(self.shape()),
                shape_str(input_shape)
            )));
        }
        self.built = true;
        Ok(())
    }

    fn built(&self) -> bool {
        self.built
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        check_input(Layer::name(self), "InputLayer", self.shape(), x)?;
        Ok(x.clone())
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        Some(self.shape().to_vec())
    }
}

impl FromConfig for Input {
    const CLASS_NAME: &'static str = "InputLayer";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Input::from_layer_config(super::registry::parse_config("InputLayer", c)?)
    }
}

/// Keras 3.15's `InputLayer.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("batch_shape", Opt::Used),
    ("batch_size", Opt::Init),
    ("sparse", Opt::Is("false")),
    ("ragged", Opt::Is("false")),
    ("optional", Opt::Is("false")),
    ("input_tensor", Opt::Null),
]);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_matching_data_and_rejects_other_shapes() {
        let mut i = Input::new(&[2, 3]).name("in");
        assert!(i.build(&[3, 2], &BuildContext::default()).is_err());
        i.build(&[2, 3], &BuildContext::default()).unwrap();
        let x = Tensor::new(&[1.0f32; 12], &[2, 2, 3]).unwrap();
        assert_eq!(i.call(&x, false).unwrap().to_vec::<f32>().unwrap(), vec![1.0; 12]);
        let err = i.call(&Tensor::new(&[1.0f32; 6], &[1, 6]).unwrap(), false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "InputLayer \"in\" expects input of shape (batch, 2, 3), got (1, 6)"
        );
        assert_eq!(i.get_config()["batch_shape"], serde_json::json!([null, 2, 3]));
    }

    #[test]
    fn config_round_trips_and_rejects_unknown_dims() {
        let i = Input::new(&[5]).name("x").dtype(DType::I64);
        let back = <Input as FromConfig>::from_config(&i.get_config()).unwrap();
        assert_eq!(back.get_config(), i.get_config());
        let c = InputLayerConfig {
            batch_shape: vec![None, None, Some(8)],
            dtype: "float32".into(),
            sparse: false,
            ragged: false,
            name: Some("seq".into()),
        };
        let err = Input::from_layer_config(c).unwrap_err().to_string();
        assert!(err.contains("\"seq\"") && err.contains("dimension 1"), "{err}");
    }
}
