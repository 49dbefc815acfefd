//! The [`Layer`] trait: what every layer implements.
//!
//! A layer has two forms, and implements the one that fits it:
//! - **one tensor in, one out** (`Dense`, `Dropout`, `Conv2D`, ...): implement
//!   [`Layer::build`], [`Layer::call`] and [`Layer::compute_output_shape`];
//!   the list forms below default to them.
//! - **lists** (merging layers such as `Concatenate`, recurrent layers that
//!   return their states, layers that read masks): implement
//!   [`Layer::build_multi`], [`Layer::call_multi`] and
//!   [`Layer::compute_output_shapes`]. The one-tensor forms then default to
//!   an error that says the layer takes a list.
//!
//! Shapes passed to `build` and `compute_output_shape` leave out the batch
//! axis. Layers are created unbuilt (their weights need the input shape);
//! the model, a functional graph or the first call through a
//! [`LayerRef`](super::LayerRef) builds them.
//!
//! A custom layer is a struct with its weights and a `Layer` impl:
//!
//! ```
//! use keraslike::layers::{BuildContext, Layer};
//! use keraslike::Result;
//! use tensorlow::{Tensor, Variable};
//!
//! /// y = x * scale, one learned scale per feature.
//! struct Scale { name: String, scale: Option<Variable> }
//!
//! impl Layer for Scale {
//!     fn name(&self) -> &str { &self.name }
//!     fn class_name(&self) -> &'static str { "Scale" }
//!     fn built(&self) -> bool { self.scale.is_some() }
//!     fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
//!         let d = *input_shape.last().unwrap_or(&1);
//!         let ones = Tensor::ones(&[d], ctx.dtype, &ctx.device)?;
//!         self.scale = Some(Variable::new(format!("{}/scale", self.name), ones));
//!         Ok(())
//!     }
//!     fn call(&self, x: &Tensor, _training: bool) -> Result<Tensor> {
//!         Ok(x.mul(self.scale.as_ref().expect("built"))?)
//!     }
//!     fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
//!         Ok(input_shape.to_vec())
//!     }
//!     fn trainable_weights(&self) -> Vec<Variable> { self.scale.iter().cloned().collect() }
//!     fn get_config(&self) -> serde_json::Value { serde_json::json!({"name": self.name}) }
//! }
//!
//! # fn main() -> Result<()> {
//! let mut s = Scale { name: "scale".into(), scale: None };
//! s.build(&[2], &BuildContext::default())?;
//! let y = s.call(&Tensor::new(&[1.0f32, 2.0], &[1, 2])?, false)?;
//! assert_eq!(y.to_vec::<f32>()?, vec![1.0, 2.0]);
//! # Ok(()) }
//! ```

use crate::{Error, Result};
use std::any::Any;
use tensorlow::{DType, Device, Tensor, Variable};

/// What a layer needs to create its weights.
#[derive(Clone, Debug)]
pub struct BuildContext {
    /// Where the weights live.
    pub device: Device,
    /// The weights' dtype (`float32` by default, as in Keras).
    pub dtype: DType,
}

impl Default for BuildContext {
    fn default() -> Self {
        BuildContext {
            device: Device::cpu(),
            dtype: DType::F32,
        }
    }
}

impl BuildContext {
    /// Weights on `device`, in float32.
    pub fn on(device: &Device) -> Self {
        BuildContext {
            device: device.clone(),
            dtype: DType::F32,
        }
    }
}

/// The arguments of [`Layer::call_multi`] besides the inputs.
#[derive(Clone, Copy, Debug, Default)]
pub struct CallArgs<'a> {
    /// Training behaviour (dropout active, batch statistics, ...).
    pub training: bool,
    /// One mask per input (`None` where an input has none); empty when no
    /// input has a mask. A mask is a `(batch, timesteps)` boolean-valued
    /// tensor (u8 1/0), as Keras' `_keras_mask`.
    pub masks: &'a [Option<Tensor>],
}

impl<'a> CallArgs<'a> {
    /// Arguments without masks.
    pub fn new(training: bool) -> CallArgs<'static> {
        CallArgs { training, masks: &[] }
    }

    /// The mask of input `i`, if any.
    pub fn mask(&self, i: usize) -> Option<&'a Tensor> {
        self.masks.get(i).and_then(Option::as_ref)
    }
}

/// Lets a `dyn Layer` be downcast to its concrete type (implemented for
/// every `'static` type).
pub trait AsAny: Any {
    /// `self` as `&dyn Any`.
    fn as_any(&self) -> &dyn Any;
    /// `self` as `&mut dyn Any`.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A building block of a model (`keras.layers.Layer`). See the
/// [module docs](self) for the two forms a layer can implement.
///
/// Layers are `Send + Sync`: a built model can serve predictions from many
/// threads and train on another thread.
pub trait Layer: AsAny + Send + Sync {
    /// The unique name, e.g. `"dense_1"`.
    fn name(&self) -> &str;
    /// The class name shown by `summary()` and written in configs, e.g. `"Dense"`.
    fn class_name(&self) -> &'static str;
    /// Whether the weights exist (after `build`).
    fn built(&self) -> bool;

    /// Creates the weights for inputs of shape `(batch, input_shape...)`.
    /// Errors name the layer and the shape it expected.
    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        let _ = (input_shape, ctx);
        Err(takes_list(self.class_name(), self.name()))
    }
    /// The forward pass on one tensor; `training` switches dropout and batch
    /// statistics.
    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let _ = (x, training);
        Err(takes_list(self.class_name(), self.name()))
    }
    /// The output shape (without batch) for an input shape (without batch).
    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let _ = input_shape;
        Err(takes_list(self.class_name(), self.name()))
    }

    /// [`build`](Layer::build) for a list of inputs; by default the layer
    /// takes exactly one.
    fn build_multi(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        let shape = single(self.class_name(), self.name(), input_shapes)?;
        self.build(shape, ctx)
    }
    /// [`call`](Layer::call) for a list of inputs, with their masks; returns
    /// one tensor per output. By default one input, one output, masks ignored.
    fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        let x = single(self.class_name(), self.name(), inputs)?;
        Ok(vec![self.call(x, args.training)?])
    }
    /// [`compute_output_shape`](Layer::compute_output_shape) for a list of
    /// inputs: one shape per output.
    fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        let shape = single(self.class_name(), self.name(), input_shapes)?;
        Ok(vec![self.compute_output_shape(shape)?])
    }

    /// Whether the layer passes an incoming mask on unchanged (Keras'
    /// `supports_masking`): element-wise layers and `Dense` on sequences do.
    fn supports_masking(&self) -> bool {
        false
    }
    /// The mask of the output, from the input and its mask (Keras'
    /// `compute_mask`). By default the input's mask when
    /// [`supports_masking`](Layer::supports_masking), else none; `Embedding`
    /// with `mask_zero` and `Masking` make one.
    fn compute_mask(&self, x: &Tensor, mask: Option<&Tensor>) -> Result<Option<Tensor>> {
        let _ = x;
        Ok(if self.supports_masking() { mask.cloned() } else { None })
    }
    /// [`compute_mask`](Layer::compute_mask) for a list of inputs: one mask
    /// per output.
    fn compute_masks(&self, inputs: &[Tensor], masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        // A list-input layer that does not define its masks makes none
        // (Keras' default); the one-input rule below would refuse its inputs.
        if inputs.len() != 1 {
            return Ok(vec![None]);
        }
        let x = single(self.class_name(), self.name(), inputs)?;
        Ok(vec![self.compute_mask(x, masks.first().and_then(Option::as_ref))?])
    }

    /// Weights the optimizer updates, in Keras' order.
    fn trainable_weights(&self) -> Vec<Variable> {
        Vec::new()
    }
    /// Weights updated otherwise (e.g. batch-norm moving statistics).
    fn non_trainable_weights(&self) -> Vec<Variable> {
        Vec::new()
    }
    /// All weights: trainable first, then non-trainable (Keras' order, the
    /// order of the `vars/N` entries in saved files).
    fn weights(&self) -> Vec<Variable> {
        let mut w = self.trainable_weights();
        w.extend(self.non_trainable_weights());
        w
    }
    /// Every weight under its path in saved files, relative to the layer:
    /// `vars/0`, `vars/1`, ... in [`weights`](Layer::weights) order by
    /// default (Keras 3's layout); a layer with sublayers nests their paths
    /// (`layers/dense/vars/0` inside a model).
    fn saved_weights(&self) -> Vec<(String, Variable)> {
        self.weights()
            .into_iter()
            .enumerate()
            .map(|(j, w)| (format!("vars/{j}"), w))
            .collect()
    }
    /// Calls `f` on every weight, allowing it to replace the variable (to
    /// move the weights to another device, say). Layers with weights
    /// implement it; the default errors for a layer that has weights.
    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        let _ = f;
        if self.weights().is_empty() {
            Ok(())
        } else {
            Err(Error::arg(format!(
                "{} {:?} does not implement Layer::visit_weights_mut, so its weights cannot be moved or replaced",
                self.class_name(),
                self.name()
            )))
        }
    }
    /// Called when the layer is frozen or unfrozen (`layer.trainable = ...`).
    /// The weights' split is handled by the caller; override this for a
    /// layer whose computation depends on it (`BatchNormalization` runs in
    /// inference mode when frozen, as in Keras) or that holds sublayers.
    fn set_trainable(&mut self, trainable: bool) {
        let _ = trainable;
    }
    /// The layers inside this one (a nested model, `Bidirectional`'s two
    /// directions), for walking every weight; none by default.
    fn sublayers(&self) -> Vec<super::LayerRef> {
        Vec::new()
    }

    /// The sum of this layer's regularization penalties, if it has any.
    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        Ok(None)
    }
    /// The layer's configuration in Keras' form (`layer.get_config()`), used
    /// for saving, `summary` and to re-create the layer from the registry.
    fn get_config(&self) -> serde_json::Value;
    /// A configuration mistake recorded by a builder method (an unknown
    /// activation name, say), reported when the layer is compiled into a
    /// model or built. Builder methods chain without `?`, like Keras'
    /// keyword arguments, so they keep the first error here.
    fn config_error(&self) -> Option<String> {
        None
    }
    /// The input shape (without batch) the layer was declared with, as
    /// Keras' `Input(shape=(4,))` or `Dense(5, input_shape=(4,))`; a
    /// `Sequential` whose first layer declares one can build itself.
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        None
    }
    /// Clears the state a stateful layer carries between batches (Keras'
    /// `reset_states`, for `stateful` recurrent layers); nothing by default.
    fn reset_states(&self) -> Result<()> {
        Ok(())
    }

    /// The layer behind a shared handle, to apply it several times (shared
    /// weights) or keep it after adding it to a model.
    fn shared(self) -> super::LayerRef<Self>
    where
        Self: Sized,
    {
        super::LayerRef::new(self)
    }

    /// Applies the layer to symbolic tensors in a functional graph and
    /// returns its one output (Keras' `y = Dense(8)(x)`); see
    /// [`KerasTensor`](super::KerasTensor).
    fn apply(self, inputs: impl super::SymbolicInputs) -> Result<super::KerasTensor>
    where
        Self: Sized,
    {
        super::LayerRef::new(self).apply(inputs)
    }

    /// Like [`apply`](Layer::apply), returning every output (a recurrent
    /// layer with `return_state`).
    fn apply_multi(self, inputs: impl super::SymbolicInputs) -> Result<Vec<super::KerasTensor>>
    where
        Self: Sized,
    {
        super::LayerRef::new(self).apply_multi(inputs)
    }
}

/// A boxed layer is a layer (so `Vec<Box<dyn Layer>>` builds models).
impl Layer for Box<dyn Layer> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn class_name(&self) -> &'static str {
        (**self).class_name()
    }
    fn built(&self) -> bool {
        (**self).built()
    }
    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        (**self).build(input_shape, ctx)
    }
    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        (**self).call(x, training)
    }
    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        (**self).compute_output_shape(input_shape)
    }
    fn build_multi(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        (**self).build_multi(input_shapes, ctx)
    }
    fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        (**self).call_multi(inputs, args)
    }
    fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        (**self).compute_output_shapes(input_shapes)
    }
    fn supports_masking(&self) -> bool {
        (**self).supports_masking()
    }
    fn compute_mask(&self, x: &Tensor, mask: Option<&Tensor>) -> Result<Option<Tensor>> {
        (**self).compute_mask(x, mask)
    }
    fn compute_masks(&self, inputs: &[Tensor], masks: &[Option<Tensor>]) -> Result<Vec<Option<Tensor>>> {
        (**self).compute_masks(inputs, masks)
    }
    fn trainable_weights(&self) -> Vec<Variable> {
        (**self).trainable_weights()
    }
    fn non_trainable_weights(&self) -> Vec<Variable> {
        (**self).non_trainable_weights()
    }
    fn weights(&self) -> Vec<Variable> {
        (**self).weights()
    }
    fn set_trainable(&mut self, trainable: bool) {
        (**self).set_trainable(trainable)
    }
    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        (**self).visit_weights_mut(f)
    }
    fn saved_weights(&self) -> Vec<(String, Variable)> {
        (**self).saved_weights()
    }
    fn sublayers(&self) -> Vec<super::LayerRef> {
        (**self).sublayers()
    }
    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        (**self).regularization_loss()
    }
    fn get_config(&self) -> serde_json::Value {
        (**self).get_config()
    }
    fn config_error(&self) -> Option<String> {
        (**self).config_error()
    }
    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        (**self).declared_input_shape()
    }
    fn reset_states(&self) -> Result<()> {
        (**self).reset_states()
    }
}

/// The error of a list-input layer used with one tensor.
fn takes_list(class: &str, name: &str) -> Error {
    Error::arg(format!(
        "{class} {name:?} takes a list of inputs (apply it to several tensors), not one tensor"
    ))
}

/// The one element of `items`, or an error naming the layer.
pub(crate) fn single<'a, T>(class: &str, name: &str, items: &'a [T]) -> Result<&'a T> {
    match items {
        [x] => Ok(x),
        _ => Err(Error::arg(format!(
            "{class} {name:?} takes exactly one input, got {}",
            items.len()
        ))),
    }
}
