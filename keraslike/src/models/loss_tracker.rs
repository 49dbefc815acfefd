//! The running, batch-size-weighted mean of the loss that `fit`,
//! `evaluate` and the `*_on_batch` methods report as `loss` (Keras 3's
//! loss tracker).

use crate::Result;
use tensorlow::Tensor;

/// The running mean of the loss over the batches seen since the last
/// reset, weighted by batch size (Keras' `loss` tracker). The sum stays a
/// tensor on the model's device so a training step never waits for the host.
#[derive(Default)]
pub(crate) struct LossTracker {
    sum: Option<Tensor>,
    count: f64,
}

impl LossTracker {
    /// Adds a batch's mean loss (a detached scalar) over `n` samples.
    pub(crate) fn update(&mut self, loss: &Tensor, n: usize) -> Result<()> {
        let weighted = loss.affine(n as f64, 0.0)?;
        self.sum = Some(match self.sum.take() {
            None => weighted,
            Some(s) => s.add(&weighted)?,
        });
        self.count += n as f64;
        Ok(())
    }

    /// The running mean (one host read); 0 before any batch.
    pub(crate) fn result(&self) -> Result<f64> {
        match &self.sum {
            Some(s) if self.count > 0.0 => Ok(s.to_scalar::<f64>()? / self.count),
            _ => Ok(0.0),
        }
    }

    pub(crate) fn reset(&mut self) {
        self.sum = None;
        self.count = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_batches_by_size() {
        let mut t = LossTracker::default();
        assert_eq!(t.result().unwrap(), 0.0);
        t.update(&Tensor::scalar(1.0f32), 10).unwrap();
        t.update(&Tensor::scalar(4.0f32), 5).unwrap();
        // (1 * 10 + 4 * 5) / 15 = 2
        assert!((t.result().unwrap() - 2.0).abs() < 1e-6);
        t.reset();
        assert_eq!(t.result().unwrap(), 0.0);
    }
}
