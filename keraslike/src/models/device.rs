//! Placing a model on a device: [`Model::to_device`] and
//! [`Model::with_device`].
//!
//! Weights live on the model's device; `fit`, `evaluate` and `predict` move
//! their data there once per call (never per step). Moving walks every
//! layer's weights ([`Layer::visit_weights_mut`](crate::layers::Layer::visit_weights_mut))
//! and replaces each variable by a copy on the new device with the same
//! name and value; the optimizer's state moves with them.
//!
//! ```
//! use keraslike::{layers::Dense, sequential};
//! use tensorlow::Device;
//! # fn main() -> keraslike::Result<()> {
//! let model = sequential![Dense::new(2).input_shape(&[3])].with_device(Device::cuda_if_available(0))?;
//! println!("model on {}", model.device());
//! # Ok(()) }
//! ```

use super::sequential::Sequential;
use super::Model;
use crate::Result;
use std::collections::HashMap;
use tensorlow::{Device, Tensor, Variable};

impl Sequential {
    /// Places the model on `device` (builder style); see [`Model::to_device`].
    pub fn with_device(mut self, device: Device) -> Result<Self> {
        self.to_device(device)?;
        Ok(self)
    }
}

impl Model {
    /// Places the model on `device` (builder style); see [`to_device`](Self::to_device).
    pub fn with_device(mut self, device: Device) -> Result<Self> {
        self.to_device(device)?;
        Ok(self)
    }

    /// Moves the model to `device`: every weight (and the optimizer's
    /// state) is copied there, and `fit`/`evaluate`/`predict` move their
    /// data there once per call.
    pub fn to_device(&mut self, device: Device) -> Result<()> {
        if device.same(&self.device) {
            return Ok(());
        }
        self.move_to(device)
    }

    /// Copies every weight to `device` and rebuilds the optimizer's state for
    /// the copies (also when `device` is the current one).
    fn move_to(&mut self, device: Device) -> Result<()> {
        // The optimizer's state is positional: read it before the weights
        // are replaced, rebuild for the moved weights, load it back.
        let saved = match &self.compiled {
            Some(c) if c.optimizer.built() => Some((
                c.optimizer
                    .state()?
                    .iter()
                    .map(|t| Ok(t.to_device(&device)?))
                    .collect::<Result<Vec<Tensor>>>()?,
                c.built_for.clone(),
            )),
            _ => None,
        };
        let mut moved_ids: HashMap<u64, Variable> = HashMap::new();
        for l in self.net.weight_layers() {
            l.write().visit_weights_mut(&mut |v: &mut Variable| {
                let moved = v.read_value()?.stop_gradient().to_device(&device)?;
                let new = Variable::with_trainable(v.name().to_string(), moved, v.trainable());
                moved_ids.insert(v.id(), new.clone());
                *v = new;
                Ok(())
            })?;
        }
        if let (Some((state, built_for)), Some(c)) = (saved, self.compiled.as_mut()) {
            let vars = built_for
                .iter()
                .map(|id| {
                    moved_ids.get(id).cloned().ok_or_else(|| {
                        crate::Error::NotReady(format!(
                            "to_device: the optimizer of model {:?} holds state for a weight that is no \
                             longer in the model; re-compile before moving it",
                            self.name
                        ))
                    })
                })
                .collect::<Result<Vec<Variable>>>()?;
            c.optimizer.build(&vars)?;
            c.optimizer.load_state(&state)?;
            c.built_for = vars.iter().map(|v| v.id()).collect();
        }
        self.device = device;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::optimizers::Adam;
    use crate::{sequential, Dense, FitOptions};
    use tensorlow::{Device, Tensor};

    /// Moving rebuilds the positional optimizer state for the new variables
    /// (tested on the CPU, the only device CI has): training then continues
    /// exactly as without the move.
    #[test]
    fn optimizer_state_moves_with_the_weights() {
        let x = Tensor::from_slice(&[0f32, 1., 1., 0., 1., 1., 0., 0.], &[4, 2], &Device::cpu()).unwrap();
        let y = Tensor::from_slice(&[1f32, 0., 1., 0.], &[4, 1], &Device::cpu()).unwrap();
        let run = |mv: bool| {
            let mut m = sequential![Dense::new(3).input_shape(&[2]), Dense::new(1)];
            let w: Vec<Tensor> = m
                .weights()
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let n: usize = v.shape().iter().product();
                    Tensor::from_slice(&vec![0.1 * (i as f32 + 1.0); n], v.shape(), &Device::cpu()).unwrap()
                })
                .collect();
            m.set_weights(&w).unwrap();
            m.compile(Adam::new(0.05), "mse", &[]).unwrap();
            m.fit(
                &x,
                &y,
                FitOptions::default().epochs(2).batch_size(2).verbose(0).shuffle(false),
            )
            .unwrap();
            if mv {
                m.move_to(Device::cpu()).unwrap();
                assert_eq!(m.optimizer().unwrap().iterations(), 4);
            }
            m.fit(
                &x,
                &y,
                FitOptions::default()
                    .epochs(4)
                    .initial_epoch(2)
                    .batch_size(2)
                    .verbose(0)
                    .shuffle(false),
            )
            .unwrap();
            m.get_weights()
                .unwrap()
                .iter()
                .map(|t| t.to_vec::<f32>().unwrap())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(true), run(false));
    }
}
