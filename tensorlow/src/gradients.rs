//! `Gradients`: what [`GradientTape::gradient`](crate::GradientTape::gradient)
//! returns — TensorFlow's list of optional gradients, one per source, plus
//! a typed accessor.
//!
//! It dereferences to `Vec<Option<Tensor>>`, so TensorFlow-shaped code works
//! as is (`grads[0]`, `grads.iter()`, `for g in grads`, `zip`), and
//! [`Gradients::of`] looks a gradient up by its source, with an error that
//! names the variable when the target does not depend on it:
//!
//! ```
//! use tensorlow::{GradientTape, Tensor, Variable};
//! # fn main() -> tensorlow::Result<()> {
//! let w = Variable::new("w", Tensor::new(&[1.0f32, 2.0], &[2])?);
//! let unused = Variable::new("unused", Tensor::new(&[0.0f32], &[1])?);
//! let tape = GradientTape::new();
//! let loss = w.square()?.sum_all()?;
//! let grads = tape.gradient(&loss, &[&w, &unused])?;
//! assert_eq!(grads.of(&w)?.to_vec::<f32>()?, vec![2.0, 4.0]); // 2w
//! assert!(grads[1].is_none()); // TensorFlow's None for an unconnected source
//! let err = grads.of(&unused).unwrap_err().to_string();
//! assert!(err.contains("does not depend on variable \"unused\""), "{err}");
//! # Ok(()) }
//! ```

use crate::{Error, Result, Tensor, Variable};

/// The gradients of one [`GradientTape::gradient`](crate::GradientTape::gradient)
/// call, in the order of its sources; `None` where the target does not
/// depend on a source.
#[derive(Clone, Debug)]
pub struct Gradients {
    grads: Vec<Option<Tensor>>,
    ids: Vec<u64>,
}

/// A gradient source [`Gradients::of`] can look up: a [`Tensor`] or a
/// [`Variable`] (whose name error messages give).
pub trait GradientSource {
    /// The tensor the tape knows the source by.
    fn source_tensor(&self) -> &Tensor;
    /// How error messages name the source.
    fn describe(&self) -> String;
}

impl GradientSource for Tensor {
    fn source_tensor(&self) -> &Tensor {
        self
    }
    fn describe(&self) -> String {
        format!("the tensor of shape {:?} (id {})", self.shape(), self.id())
    }
}

impl GradientSource for Variable {
    fn source_tensor(&self) -> &Tensor {
        self
    }
    fn describe(&self) -> String {
        format!("variable {:?}", self.name())
    }
}

impl<T: GradientSource + ?Sized> GradientSource for &T {
    fn source_tensor(&self) -> &Tensor {
        (**self).source_tensor()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

impl Gradients {
    pub(crate) fn new(grads: Vec<Option<Tensor>>, sources: &[&Tensor]) -> Self {
        Gradients {
            grads,
            ids: sources.iter().map(|s| s.id()).collect(),
        }
    }

    /// The gradient with respect to `source`, which must be one of the
    /// sources passed to `gradient`. An error, naming the source, when the
    /// target does not depend on it or when it was not among the sources.
    ///
    /// ```
    /// # use tensorlow::{GradientTape, Tensor, Variable};
    /// # fn main() -> tensorlow::Result<()> {
    /// let w = Variable::new("w", Tensor::new(&[3.0f64], &[1])?);
    /// let tape = GradientTape::new();
    /// let loss = w.square()?.sum_all()?; // w², gradient 2w = 6
    /// let grads = tape.gradient(&loss, &[&w])?;
    /// w.assign_sub(&(grads.of(&w)? * 0.5)?)?; // one step of gradient descent
    /// assert_eq!(w.to_vec::<f64>()?, vec![0.0]);
    /// # Ok(()) }
    /// ```
    pub fn of(&self, source: &impl GradientSource) -> Result<&Tensor> {
        let id = source.source_tensor().id();
        let Some(i) = self.ids.iter().position(|&s| s == id) else {
            return Err(Error::Tape(format!(
                "{} is not one of the {} sources passed to gradient; pass it in the sources to get its gradient",
                source.describe(),
                self.ids.len()
            )));
        };
        self.grads[i].as_ref().ok_or_else(|| {
            Error::Tape(format!(
                "the target does not depend on {} (source {i} of {}), so it has no gradient; \
                 check that it is used in the computation the tape recorded (trainable variables \
                 are watched automatically, tensors need tape.watch), or ask \
                 gradient_with(.., UnconnectedGradients::Zero) for zeros",
                source.describe(),
                self.ids.len()
            ))
        })
    }

    /// The gradients in source order, TensorFlow's `list` of optional tensors.
    pub fn into_vec(self) -> Vec<Option<Tensor>> {
        self.grads
    }

    /// Every gradient, or an error naming the first source (by position)
    /// the target does not depend on: for optimizers that need them all.
    pub fn all(self) -> Result<Vec<Tensor>> {
        let n = self.grads.len();
        self.grads
            .into_iter()
            .enumerate()
            .map(|(i, g)| {
                g.ok_or_else(|| {
                    Error::Tape(format!(
                        "the target does not depend on source {i} of {n}, so it has no gradient; \
                         use Gradients::of(&source) for an error naming it"
                    ))
                })
            })
            .collect()
    }
}

impl std::ops::Deref for Gradients {
    type Target = Vec<Option<Tensor>>;
    fn deref(&self) -> &Vec<Option<Tensor>> {
        &self.grads
    }
}

impl std::ops::DerefMut for Gradients {
    fn deref_mut(&mut self) -> &mut Vec<Option<Tensor>> {
        &mut self.grads
    }
}

impl From<Gradients> for Vec<Option<Tensor>> {
    fn from(g: Gradients) -> Self {
        g.grads
    }
}

/// TensorFlow's `dW, db = tape.gradient(loss, [W, b])`:
/// `let [dw, db]: [Tensor; 2] = tape.gradient(&loss, &[&w, &b])?.try_into()?;`
/// An error when the count differs or a source has no gradient.
///
/// ```
/// # use tensorlow::{GradientTape, Tensor, Variable};
/// # fn main() -> tensorlow::Result<()> {
/// let w = Variable::new("w", Tensor::new(&[2.0f32], &[1])?);
/// let b = Variable::new("b", Tensor::new(&[1.0f32], &[1])?);
/// let tape = GradientTape::new();
/// let y = ((&w * 3.0)? + &b)?.sum_all()?; // 3w + b
/// let [dw, db]: [Tensor; 2] = tape.gradient(&y, &[&w, &b])?.try_into()?;
/// assert_eq!((dw.to_vec::<f32>()?, db.to_vec::<f32>()?), (vec![3.0], vec![1.0]));
/// # Ok(()) }
/// ```
impl<const N: usize> TryFrom<Gradients> for [Tensor; N] {
    type Error = Error;
    fn try_from(g: Gradients) -> Result<[Tensor; N]> {
        let n = g.len();
        g.all()?.try_into().map_err(|_| {
            Error::Tape(format!(
                "{n} gradients cannot fill an array of {N}; destructure as many as the sources"
            ))
        })
    }
}

impl IntoIterator for Gradients {
    type Item = Option<Tensor>;
    type IntoIter = std::vec::IntoIter<Option<Tensor>>;
    fn into_iter(self) -> Self::IntoIter {
        self.grads.into_iter()
    }
}

impl<'a> IntoIterator for &'a Gradients {
    type Item = &'a Option<Tensor>;
    type IntoIter = std::slice::Iter<'a, Option<Tensor>>;
    fn into_iter(self) -> Self::IntoIter {
        self.grads.iter()
    }
}
