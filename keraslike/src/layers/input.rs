//! `Input`: declares the per-sample input shape of a model
//! (`keras.Input(shape=...)`, shown as an `InputLayer`).
//!
//! It computes nothing: a `Sequential` reads the shape through
//! [`Layer::declared_input_shape`] to build itself, and `call` checks that
//! data has that shape.
//!
//! ```
//! use keraslike::layers::{Input, Layer};
//! use tensorlow::Tensor;
//! let input = Input::new(&[4]);
//! assert_eq!(input.declared_input_shape(), Some(vec![4]));
//! let err = input.call(&Tensor::new(&[0.0f32; 6], &[2, 3]).unwrap(), false).unwrap_err();
//! assert!(err.to_string().contains("expects input of shape (batch, 4), got (2, 3)"));
//! ```

use super::{check_input, shape_str, unique_name, BuildContext, Layer};
use crate::{Error, Result};
use serde_json::json;
use tensorlow::Tensor;

/// The input of a model: a shape without the batch axis.
#[derive(Debug, Clone)]
pub struct Input {
    name: String,
    shape: Vec<usize>,
    built: bool,
}

impl Input {
    /// Inputs of shape `(batch, shape...)`. Named `input_layer`,
    /// `input_layer_1`, ... as in Keras 3.
    pub fn new(shape: &[usize]) -> Self {
        Input {
            name: unique_name("input_layer"),
            shape: shape.to_vec(),
            built: false,
        }
    }

    /// Replaces the automatic name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The per-sample shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }
}

impl Layer for Input {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        "InputLayer"
    }

    fn build(&mut self, input_shape: &[usize], _ctx: &BuildContext) -> Result<()> {
        if input_shape != self.shape.as_slice() {
            return Err(Error::shape(format!(
                "InputLayer {:?} declares shape {} but the model is built for {}",
                self.name,
                shape_str(&self.shape),
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
        check_input(&self.name, "InputLayer", &self.shape, x)?;
        Ok(x.clone())
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        Ok(input_shape.to_vec())
    }

    fn get_config(&self) -> serde_json::Value {
        json!({ "name": self.name, "batch_shape": std::iter::once(None).chain(self.shape.iter().map(|&d| Some(d))).collect::<Vec<_>>() })
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        Some(self.shape.clone())
    }
}

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
}
