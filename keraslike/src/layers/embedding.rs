//! `Embedding`: integer ids to dense vectors (`keras.layers.Embedding`),
//! a trainable table `embeddings (input_dim, output_dim)` looked up with
//! [`tensorlow::nn::embedding_lookup`]. Ids of any shape; float ids are
//! cast to integers as Keras does. An id outside `0..input_dim` is an
//! error on the CPU naming the id and `input_dim`.
//!
//! With `mask_zero`, id 0 is padding: the layer's output mask (`ids != 0`)
//! flows to the next layers, and recurrent layers skip the padded steps.
//!
//! ```
//! use keraslike::layers::{BuildContext, Embedding, Layer};
//! use tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut e = Embedding::new(10, 3).mask_zero(true);
//! e.build(&[4], &BuildContext::default())?;
//! let ids = Tensor::new(&[5i64, 2, 0, 0], &[1, 4])?;
//! assert_eq!(e.call(&ids, false)?.shape(), &[1, 4, 3]);
//! let mask = e.compute_mask(&ids, None)?.unwrap();
//! assert_eq!(mask.to_vec::<u8>()?, vec![1, 1, 0, 0]);
//! assert!(e.call(&Tensor::new(&[10i64], &[1, 1])?, false).unwrap_err().to_string().contains("input_dim 10"));
//! # Ok(()) }
//! ```

use super::{KerasOption as Opt, KerasOptions};
use super::registry::parse_config;
use super::{unique_name, BuildContext, FromConfig, Layer};
use crate::initializers::{Initializer, IntoInitializer};
use crate::regularizers::{IntoRegularizer, Regularizer};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tensorlow::{nn, DType, Tensor, Variable};

/// Embedding's configuration with Keras' field names and defaults
/// (`Embedding.get_config()`): [`Layer::get_config`] writes it and
/// [`FromConfig::from_config`] reads it. Keras' other fields
/// (`input_length`, `sparse`, ...) are ignored when read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmbeddingConfig {
    /// The layer's name (a fresh `embedding_N` when empty).
    pub name: String,
    /// Written as true; ignored when read (the model keeps the flag).
    pub trainable: bool,
    /// The number of ids (required, positive).
    pub input_dim: usize,
    /// The size of each vector (required, positive).
    pub output_dim: usize,
    /// The table's initializer (default `uniform`, ±0.05).
    pub embeddings_initializer: Initializer,
    /// A penalty on the table (default none).
    pub embeddings_regularizer: Option<Regularizer>,
    /// Treat id 0 as padding and emit the mask `ids != 0` (default false).
    pub mask_zero: bool,
    /// The declared input shape without batch (keraslike's; `null` when none).
    pub input_shape: Option<Vec<usize>>,
}

impl Default for EmbeddingConfig {
    fn default() -> Self {
        EmbeddingConfig {
            name: String::new(),
            trainable: true,
            input_dim: 0,
            output_dim: 0,
            embeddings_initializer: Initializer::random_uniform(-0.05, 0.05),
            embeddings_regularizer: None,
            mask_zero: false,
            input_shape: None,
        }
    }
}

/// A lookup table from ids to vectors.
#[derive(Debug, Clone)]
pub struct Embedding {
    name: String,
    input_dim: usize,
    output_dim: usize,
    embeddings_initializer: Initializer,
    embeddings_regularizer: Option<Regularizer>,
    mask_zero: bool,
    input_shape: Option<Vec<usize>>,
    config_error: Option<String>,
    embeddings: Option<Variable>,
}

impl Embedding {
    /// Ids in `0..input_dim` to vectors of `output_dim`; the table starts
    /// uniform in ±0.05 (Keras' `"uniform"`). Named `embedding`, ...
    pub fn new(input_dim: usize, output_dim: usize) -> Self {
        let config_error = match (input_dim, output_dim) {
            (0, _) => Some("input_dim must be positive, got 0".to_string()),
            (_, 0) => Some("output_dim must be positive, got 0".to_string()),
            _ => None,
        };
        Embedding {
            name: unique_name("embedding"),
            input_dim,
            output_dim,
            embeddings_initializer: Initializer::random_uniform(-0.05, 0.05),
            embeddings_regularizer: None,
            mask_zero: false,
            input_shape: None,
            config_error,
            embeddings: None,
        }
    }

    /// The table's initializer (default `uniform`, ±0.05).
    pub fn embeddings_initializer(mut self, init: impl IntoInitializer) -> Self {
        match init.into_initializer() {
            Ok(i) => self.embeddings_initializer = i,
            Err(e) => {
                self.config_error.get_or_insert(e.to_string());
            }
        }
        self
    }

    /// A penalty on the table (default none).
    pub fn embeddings_regularizer(mut self, reg: impl IntoRegularizer) -> Self {
        match reg.into_regularizer() {
            Ok(r) => self.embeddings_regularizer = Some(r),
            Err(e) => {
                self.config_error.get_or_insert(e.to_string());
            }
        }
        self
    }

    /// Treat id 0 as padding and emit the mask `ids != 0` (default false).
    pub fn mask_zero(mut self, yes: bool) -> Self {
        self.mask_zero = yes;
        self
    }

    /// Declares the input shape without batch (e.g. `(timesteps,)`).
    pub fn input_shape(mut self, shape: &[usize]) -> Self {
        self.input_shape = Some(shape.to_vec());
        self
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The table `(input_dim, output_dim)`, once built.
    pub fn embeddings(&self) -> Option<&Variable> {
        self.embeddings.as_ref()
    }

    /// Integer ids (float ids cast to int64, as Keras casts to int32).
    fn ids(ids: &Tensor) -> Result<Tensor> {
        Ok(if ids.dtype().is_float() {
            ids.cast(DType::I64)?
        } else {
            ids.clone()
        })
    }
}

impl Layer for Embedding {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "Embedding"
    }

    fn built(&self) -> bool {
        self.embeddings.is_some()
    }

    fn build(&mut self, _input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        if let Some(e) = &self.config_error {
            return Err(Error::arg(format!("Embedding {:?}: {e}", self.name)));
        }
        let table = self
            .embeddings_initializer
            .init(&[self.input_dim, self.output_dim], ctx.dtype, &ctx.device)?;
        self.embeddings = Some(Variable::new(format!("{}/embeddings", self.name), table));
        Ok(())
    }

    fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
        let table = self.embeddings.as_ref().ok_or_else(|| {
            Error::NotReady(format!(
                "Embedding {:?} is not built: call build(input_shape) or build the model",
                self.name
            ))
        })?;
        nn::embedding_lookup(table, &Self::ids(x)?).map_err(|e| Error::arg(format!("Embedding {:?}: {e}", self.name)))
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let mut s = input_shape.to_vec();
        s.push(self.output_dim);
        Ok(s)
    }

    fn compute_mask(&self, x: &Tensor, _mask: Option<&Tensor>) -> Result<Option<Tensor>> {
        if !self.mask_zero {
            return Ok(None);
        }
        let ids = Self::ids(x)?.cast(DType::I64)?.to_vec::<i64>()?;
        let mask: Vec<u8> = ids.iter().map(|&i| u8::from(i != 0)).collect();
        Ok(Some(Tensor::from_vec(mask, x.shape(), &x.device())?))
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        self.embeddings.iter().cloned().collect()
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        for v in self.embeddings.iter_mut() {
            f(v)?;
        }
        Ok(())
    }

    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        match (&self.embeddings_regularizer, &self.embeddings) {
            (Some(r), Some(w)) => Ok(Some(r.penalty(w)?)),
            _ => Ok(None),
        }
    }

    fn get_config(&self) -> Value {
        serde_json::to_value(self.config()).unwrap_or(Value::Null)
    }

    fn config_error(&self) -> Option<String> {
        self.config_error.clone()
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape.clone()
    }
}

impl FromConfig for Embedding {
    const CLASS_NAME: &'static str = "Embedding";
    const KERAS_OPTIONS: Option<KerasOptions> = Some(KERAS_OPTIONS_TABLE);

    fn from_config(c: &Value) -> Result<Self> {
        Embedding::from_embedding_config(parse_config("Embedding", c)?)
    }
}

impl Embedding {
    /// The layer's configuration (what `get_config` writes).
    pub fn config(&self) -> EmbeddingConfig {
        EmbeddingConfig {
            name: self.name.clone(),
            trainable: true,
            input_dim: self.input_dim,
            output_dim: self.output_dim,
            embeddings_initializer: self.embeddings_initializer,
            embeddings_regularizer: self.embeddings_regularizer,
            mask_zero: self.mask_zero,
            input_shape: self.input_shape.clone(),
        }
    }

    /// A layer from its configuration; `input_dim` and `output_dim` must
    /// be positive.
    pub fn from_embedding_config(c: EmbeddingConfig) -> Result<Self> {
        for (key, v) in [("input_dim", c.input_dim), ("output_dim", c.output_dim)] {
            if v == 0 {
                return Err(Error::arg(format!("Embedding config needs \"{key}\" (a positive integer)")));
            }
        }
        let mut l = Embedding::new(c.input_dim, c.output_dim)
            .mask_zero(c.mask_zero)
            .embeddings_initializer(c.embeddings_initializer);
        l.embeddings_regularizer = c.embeddings_regularizer;
        l.input_shape = c.input_shape;
        if !c.name.is_empty() {
            l.name = c.name;
        }
        Ok(l)
    }
}

/// Keras 3.15's `Embedding.get_config()` keys.
const KERAS_OPTIONS_TABLE: KerasOptions = KerasOptions::new(&[
    ("input_dim", Opt::Used),
    ("output_dim", Opt::Used),
    ("embeddings_initializer", Opt::Init),
    ("embeddings_regularizer", Opt::Regularizer),
    ("embeddings_constraint", Opt::Null),
    ("mask_zero", Opt::Used),
    ("input_length", Opt::Init),
    ("sparse", Opt::Is("false")),
    ("quantization_config", Opt::Null),
    ("lora_rank", Opt::Null),
    ("lora_alpha", Opt::Init),
]);
