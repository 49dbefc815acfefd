//! A model is a layer: it can be applied inside another model (Keras'
//! nested models), frozen as a whole for transfer learning, and its weights
//! are those of its layers.
//!
//! ```
//! use keraslike::layers::{Dense, Input, Layer};
//! use keraslike::{sequential, Model};
//! # fn main() -> keraslike::Result<()> {
//! let encoder = sequential![Dense::new(4).input_shape(&[8]), Dense::new(2)].into_model().shared();
//! let x = Input::new(&[8]);
//! let y = Dense::new(1).apply(&encoder.apply(&x)?)?;
//! let model = Model::functional(&x, &y)?;
//! assert_eq!(model.count_params(), (8 * 4 + 4) + (4 * 2 + 2) + (2 + 1));
//! encoder.set_trainable(false); // freeze the encoder, as in Keras' fine-tuning recipe
//! assert_eq!(model.trainable_weights().len(), 2);
//! # Ok(()) }
//! ```

use super::network::Network;
use super::Model;
use crate::layers::{BuildContext, CallArgs, Layer, LayerRef};
use crate::{Error, Result};
use tensorlow::{Tensor, Variable};

impl Model {
    /// The per-sample output shapes for per-sample input shapes.
    pub(crate) fn output_shapes_for(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        match &self.net {
            Network::Graph(g) => {
                g.check_input_shapes(input_shapes)?;
                Ok(g.outputs.iter().map(|t| t.shape().to_vec()).collect())
            }
            Network::Stack(s) => {
                let [shape] = input_shapes else {
                    return Err(Error::arg("a Sequential takes one input"));
                };
                let mut sh = shape.clone();
                for l in &s.layers {
                    sh = super::network::output_shape_of(l, &sh)?;
                }
                Ok(vec![sh])
            }
            Network::Custom(..) => Err(Error::arg(format!(
                "model {:?}: a subclassed model's output shapes are known only by running it",
                self.name
            ))),
        }
    }

    /// The per-sample output shape of a built single-output model.
    pub fn output_shape(&self) -> Result<Vec<usize>> {
        let shapes = self.input_shapes().ok_or_else(|| self.not_built("output_shape"))?;
        let mut out = self.output_shapes_for(&shapes)?;
        self.single_output_shape(&mut out)
    }

    fn single_output_shape(&self, out: &mut Vec<Vec<usize>>) -> Result<Vec<usize>> {
        if out.len() != 1 {
            return Err(Error::arg(format!("model {:?} has {} outputs", self.name, out.len())));
        }
        Ok(out.remove(0))
    }
}

impl Layer for Model {
    fn name(&self) -> &str {
        &self.name
    }

    fn class_name(&self) -> &'static str {
        Model::class_name(self)
    }

    fn built(&self) -> bool {
        Model::built(self)
    }

    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> Result<()> {
        self.build_multi(&[input_shape.to_vec()], ctx)
    }

    fn build_multi(&mut self, input_shapes: &[Vec<usize>], ctx: &BuildContext) -> Result<()> {
        self.net.build(input_shapes, ctx)
    }

    fn call(&self, x: &Tensor, training: bool) -> Result<Tensor> {
        let mut out = self.net.forward(std::slice::from_ref(x), training)?;
        self.single_output(&mut out, "call")
    }

    fn call_multi(&self, inputs: &[Tensor], args: &CallArgs) -> Result<Vec<Tensor>> {
        self.net.forward(inputs, args.training)
    }

    fn compute_output_shapes(&self, input_shapes: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
        self.output_shapes_for(input_shapes)
    }

    fn compute_output_shape(&self, input_shape: &[usize]) -> Result<Vec<usize>> {
        let mut s = self.output_shapes_for(&[input_shape.to_vec()])?;
        if s.len() != 1 {
            return Err(Error::arg(format!("model {:?} has {} outputs", self.name, s.len())));
        }
        Ok(s.remove(0))
    }

    fn trainable_weights(&self) -> Vec<Variable> {
        Model::trainable_weights(self)
    }

    fn non_trainable_weights(&self) -> Vec<Variable> {
        Model::non_trainable_weights(self)
    }

    fn weights(&self) -> Vec<Variable> {
        Model::weights(self)
    }

    fn visit_weights_mut(&mut self, f: &mut dyn FnMut(&mut Variable) -> Result<()>) -> Result<()> {
        for l in self.net.weight_layers() {
            l.write().visit_weights_mut(f)?;
        }
        Ok(())
    }

    fn set_trainable(&mut self, trainable: bool) {
        Model::set_trainable(self, trainable)
    }

    fn saved_weights(&self) -> Vec<(String, Variable)> {
        super::saving::model_saved_weights(self)
    }

    fn sublayers(&self) -> Vec<LayerRef> {
        self.layers()
    }

    fn regularization_loss(&self) -> Result<Option<Tensor>> {
        Model::regularization_loss(self)
    }

    fn get_config(&self) -> serde_json::Value {
        Model::get_config(self)
    }

    fn reset_states(&self) -> Result<()> {
        Model::reset_states(self)
    }

    fn declared_input_shape(&self) -> Option<Vec<usize>> {
        self.input_shape()
    }
}
