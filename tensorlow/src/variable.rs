//! `Variable`: a named, mutable tensor (`tf.Variable`).
//!
//! A variable owns its storage. `assign`, `assign_add` and `assign_sub`
//! write into that storage in place (no new allocation, nothing recorded),
//! so an optimizer step costs no more than the arithmetic. A variable
//! dereferences to its [`Tensor`], so it can be used wherever a tensor is:
//! `x.matmul(&w)`, `&w + &b`. Trainable variables read while a
//! [`GradientTape`](crate::GradientTape) records are watched automatically.
//!
//! Cloning a `Variable` gives another handle to the same storage, like a
//! Python reference to a `tf.Variable`.
//!
//! ```
//! use tensorlow::{Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let v = Variable::new("v", Tensor::new(&[1.0f32, 2.0], &[2])?);
//! v.assign_add(&Tensor::new(&[0.5f32, 0.5], &[2])?)?;
//! assert_eq!(v.to_vec::<f32>()?, vec![1.5, 2.5]);
//! assert!(v.assign(&Tensor::new(&[1.0f32], &[1])?).is_err()); // wrong shape: an error
//! # Ok(()) }
//! ```

use crate::{Device, Error, Result, Tensor};
use std::sync::Arc;

/// A named, mutable tensor that optimizers update in place (`tf.Variable`).
///
/// A variable is used wherever a tensor is: as a method's argument
/// (`x.matmul(&w)`), in operators (`(&h + &b)?`), as a gradient source
/// (`tape.gradient(&loss, &[&w, &b])`). Trainable variables are watched by
/// every recording tape automatically; [`Variable::non_trainable`] ones
/// only when [`watch`](crate::GradientTape::watch)ed.
///
/// ```
/// use tensorlow::{random, DType, GradientTape, Tensor, Variable};
/// # fn main() -> tensorlow::Result<()> {
/// // w = tf.Variable(tf.random.normal([3, 1], seed=0), name="w")
/// let w = Variable::new("w", random::normal(&[3, 1], 0.0, 1.0, DType::F32, Some(0))?);
/// let b = Variable::new("b", Tensor::zeros(&[1], DType::F32, &tensorlow::Device::cpu())?);
/// let steps = Variable::non_trainable("steps", Tensor::scalar(0.0f32));
/// assert_eq!((w.name(), w.shape(), w.trainable(), steps.trainable()), ("w", &[3, 1][..], true, false));
///
/// let x = Tensor::new(&[1.0f32, 2.0, 3.0], &[1, 3])?;
/// let target = Tensor::new(&[1.0f32], &[1, 1])?;
/// for _ in 0..50 {
///     let tape = GradientTape::new();
///     let loss = ((x.matmul(&w)? + &b)? - &target)?.square()?.mean_all()?;
///     let grads = tape.gradient(&loss, &[&w, &b])?;
///     w.assign_sub(&(grads.of(&w)? * 0.05)?)?; // in place: w.assign_sub(0.05 * dw)
///     b.assign_sub(&(grads.of(&b)? * 0.05)?)?;
///     steps.assign_add(&Tensor::scalar(1.0f32))?;
/// }
/// let pred = (x.matmul(&w)? + &b)?.to_scalar::<f32>()?;
/// assert!((pred - 1.0).abs() < 1e-3, "{pred}");
/// assert_eq!(steps.to_scalar::<f32>()?, 50.0);
/// let before = w.read_value()?; // a snapshot; `w.value()` is the live tensor
/// w.assign(&w.zeros_like()?)?;
/// assert_ne!(before.to_vec::<f32>()?, w.to_vec::<f32>()?);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Variable {
    tensor: Tensor,
    name: Arc<str>,
    trainable: bool,
}

impl std::fmt::Debug for Variable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Variable({:?}, shape={:?}, dtype={}, trainable={})",
            self.name,
            self.shape(),
            self.dtype(),
            self.trainable
        )
    }
}

impl std::ops::Deref for Variable {
    type Target = Tensor;
    fn deref(&self) -> &Tensor {
        &self.tensor
    }
}

impl AsRef<Tensor> for Variable {
    fn as_ref(&self) -> &Tensor {
        &self.tensor
    }
}

impl Variable {
    /// A trainable variable holding a copy of `initial`.
    pub fn new(name: impl Into<String>, initial: Tensor) -> Self {
        Self::with_trainable(name, initial, true)
    }

    /// A variable optimizers leave alone (e.g. batch-norm statistics).
    pub fn non_trainable(name: impl Into<String>, initial: Tensor) -> Self {
        Self::with_trainable(name, initial, false)
    }

    /// A variable with an explicit `trainable` flag.
    pub fn with_trainable(name: impl Into<String>, initial: Tensor, trainable: bool) -> Self {
        // A private, contiguous copy: assignments must never write into the
        // caller's tensor.
        let value = initial.value.copy().expect("copying a tensor on its own device");
        let value = if value.is_contiguous() {
            value
        } else {
            value.contiguous().expect("making a copy contiguous")
        };
        Variable {
            tensor: Tensor {
                value,
                id: crate::tensor::next_id(),
                auto_watch: trainable,
            },
            name: name.into().into(),
            trainable,
        }
    }

    /// The variable's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether optimizers update it and tapes watch it automatically.
    pub fn trainable(&self) -> bool {
        self.trainable
    }

    /// The live value: later assignments show through it.
    pub fn value(&self) -> &Tensor {
        &self.tensor
    }

    /// A snapshot of the current value that later assignments do not change
    /// (`read_value`); gradients flow through it to the variable.
    pub fn read_value(&self) -> Result<Tensor> {
        self.tensor.affine(1.0, 0.0)
    }

    fn check(&self, op: &'static str, v: &Tensor) -> Result<()> {
        if v.shape() != self.shape() {
            return Err(Error::shape(
                op,
                format!(
                    "variable {:?} has shape {:?}, the value has shape {:?}",
                    self.name,
                    self.shape(),
                    v.shape()
                ),
            ));
        }
        if v.dtype() != self.dtype() {
            return Err(Error::DType {
                op,
                msg: format!(
                    "variable {:?} has dtype {}, the value has dtype {}; cast it first",
                    self.name,
                    self.dtype(),
                    v.dtype()
                ),
            });
        }
        self.tensor.same_device(v, op)
    }

    /// Replaces the value in place (`assign`).
    pub fn assign(&self, value: &Tensor) -> Result<()> {
        self.check("assign", value)?;
        let n = self.elem_count();
        let dst = self.tensor.value.reshape(n)?;
        let mut src = value.value.reshape(n)?;
        if !src.is_contiguous() {
            src = src.contiguous()?;
        }
        if dst.slice_set(&src, 0, 0).is_err() {
            // The value is a view of this variable's own storage: copy first.
            dst.slice_set(&src.copy()?, 0, 0)?;
        }
        Ok(())
    }

    /// `self += delta` in place.
    pub fn assign_add(&self, delta: &Tensor) -> Result<()> {
        self.check("assign_add", delta)?;
        let v = crate::no_grad(|| self.tensor.add(delta))?;
        self.assign(&v)
    }

    /// `self -= delta` in place.
    pub fn assign_sub(&self, delta: &Tensor) -> Result<()> {
        self.check("assign_sub", delta)?;
        let v = crate::no_grad(|| self.tensor.sub(delta))?;
        self.assign(&v)
    }

    /// A new variable with the same name and flag, on `device`.
    pub fn to_device(&self, device: &Device) -> Result<Variable> {
        Ok(Self::with_trainable(
            self.name.to_string(),
            self.tensor.to_device(device)?,
            self.trainable,
        ))
    }
}
