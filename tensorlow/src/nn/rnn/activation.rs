//! The activations of the recurrent ops: Keras' built-in ones the fused
//! kernels evaluate themselves, and any other function as a closure (run
//! by the composite ops).
//!
//! ```
//! use tensorlow::{nn::Activation, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[-4.0f32, 0.0, 1.5], &[3])?;
//! assert_eq!(Activation::HardSigmoid.apply(&x)?.to_vec::<f32>()?, vec![0.0, 0.5, 0.75]);
//! let softsign = Activation::custom("softsign", |x| x.softsign());
//! assert_eq!(softsign.apply(&x)?.to_vec::<f32>()?[2], 0.6);
//! # Ok(()) }
//! ```

use crate::cpu::rnn::act::Act;
use crate::{Result, Tensor};
use std::rc::Rc;

/// The function a custom activation runs.
type ActivationFn = dyn Fn(&Tensor) -> Result<Tensor>;

/// An activation of a recurrent cell.
#[derive(Clone)]
pub enum Activation {
    /// `tanh` (Keras' default `activation`).
    Tanh,
    /// `1 / (1 + e^-x)` (Keras' default `recurrent_activation`).
    Sigmoid,
    /// Keras 3's `hard_sigmoid`: `relu6(x + 3) / 6`.
    HardSigmoid,
    /// `max(x, 0)`.
    Relu,
    /// The identity (Keras' `None` or `"linear"`).
    Linear,
    /// Any other function, by name (for messages) and closure; runs the
    /// composite ops.
    Custom(&'static str, Rc<ActivationFn>),
}

impl Activation {
    /// A custom activation.
    pub fn custom(name: &'static str, f: impl Fn(&Tensor) -> Result<Tensor> + 'static) -> Self {
        Activation::Custom(name, Rc::new(f))
    }

    /// The activation applied with tensorlow ops (differentiable).
    pub fn apply(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::HardSigmoid => (x + 3.0)?.relu6()? / 6.0,
            Activation::Relu => x.relu(),
            Activation::Linear => Ok(x.clone()),
            Activation::Custom(_, f) => f(x),
        }
    }

    /// Keras' name of the activation.
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::HardSigmoid => "hard_sigmoid",
            Activation::Relu => "relu",
            Activation::Linear => "linear",
            Activation::Custom(name, _) => name,
        }
    }

    /// The fused kernels' form, when they have one.
    pub(crate) fn fused(&self) -> Option<Act> {
        Some(match self {
            Activation::Tanh => Act::Tanh,
            Activation::Sigmoid => Act::Sigmoid,
            Activation::HardSigmoid => Act::HardSigmoid,
            Activation::Relu => Act::Relu,
            Activation::Linear => Act::Linear,
            Activation::Custom(..) => return None,
        })
    }
}

impl std::fmt::Debug for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
