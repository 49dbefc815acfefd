//! The weighted running mean behind every averaging metric
//! (`keras.metrics.Mean`).
//!
//! ```
//! use keraslike::metrics::Mean;
//! use keraslike::tensorlow::Tensor;
//! # fn main() -> keraslike::Result<()> {
//! let mut m = Mean::new();
//! m.update(&Tensor::new(&[1.0f32, 3.0], &[2])?, None)?;
//! m.update(&Tensor::new(&[8.0f32], &[1])?, Some(&Tensor::new(&[2.0f32], &[1])?))?;
//! assert_eq!(m.result(), (1.0 + 3.0 + 2.0 * 8.0) / 4.0);
//! # Ok(()) }
//! ```

use crate::losses::squeeze_or_expand;
use crate::{Error, Result};
use tensorlow::{DType, Tensor};

/// A running mean of per-sample values, weighted by `sample_weight`:
/// `sum(w_i v_i) / sum(w_i)` over every sample seen since the last reset.
///
/// Totals are kept on the host in f64 (exact over long epochs); each
/// [`update`](Mean::update) reads back one scalar, or two packed in one
/// tensor when weighted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mean {
    total: f64,
    count: f64,
}

impl Mean {
    /// An empty mean (its result is 0 until something is added, like Keras).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a batch of `values` of shape `(batch, ...)`: values with more
    /// axes than the weights are first averaged down to them (Keras'
    /// `reduce_to_samplewise_values`), so each sample counts once, with
    /// weight `sample_weight[i]` (shape `(batch,)`, `(batch, 1)` or
    /// `values`' shape; default 1).
    pub fn update(&mut self, values: &Tensor, sample_weight: Option<&Tensor>) -> Result<()> {
        let (total, count) = tensorlow::no_grad(|| batch_sums(values, sample_weight))?;
        self.total += total;
        self.count += count;
        Ok(())
    }

    /// `total / count`, or 0 before any sample (Keras' `divide_no_nan`).
    pub fn result(&self) -> f64 {
        if self.count == 0.0 {
            0.0
        } else {
            self.total / self.count
        }
    }

    /// Forgets everything.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The weighted sum of the values so far.
    pub fn total(&self) -> f64 {
        self.total
    }

    /// The sum of the weights so far (the sample count when unweighted).
    pub fn count(&self) -> f64 {
        self.count
    }
}

/// Mean over the axes `from..rank` (nothing when there are none).
fn mean_from(t: &Tensor, from: usize) -> Result<Tensor> {
    if t.rank() <= from {
        return Ok(t.clone());
    }
    let axes: Vec<isize> = (from as isize..t.rank() as isize).collect();
    Ok(t.mean(&axes, false)?)
}

/// `(sum of weighted per-sample values, sum of weights)` for one batch.
fn batch_sums(values: &Tensor, sample_weight: Option<&Tensor>) -> Result<(f64, f64)> {
    let dtype = if values.dtype().is_float() {
        values.dtype()
    } else {
        DType::F32
    };
    let mut v = values.cast(dtype)?;
    if v.rank() == 0 {
        v = v.reshape(&[1])?;
    }
    let Some(w) = sample_weight else {
        let per_sample = mean_from(&v, 1)?;
        let n = per_sample.elem_count() as f64;
        return Ok((per_sample.sum_all()?.to_scalar::<f64>()?, n));
    };
    if w.rank() == 0 || w.shape()[0] != v.shape()[0] {
        return Err(Error::shape(format!(
            "sample_weight of shape {:?} must have the batch size {} as its first dimension",
            w.shape(),
            v.shape()[0]
        )));
    }
    let (v, w) = squeeze_or_expand(&v, &w.cast(dtype)?, true)?;
    let w_rank = w.rank();
    let v = mean_from(&v, w_rank)?;
    let w = w.broadcast_to(v.shape()).map_err(|_| {
        Error::shape(format!(
            "sample_weight of shape {:?} does not broadcast to the values' shape {:?}",
            w.shape(),
            values.shape()
        ))
    })?;
    let weighted = mean_from(&v.mul(&w)?, 1)?;
    let w = mean_from(&w, 1)?;
    // One read for both sums.
    let sums = Tensor::stack(&[&weighted.sum_all()?, &w.sum_all()?], 0)?.to_vec::<f64>()?;
    Ok((sums[0], sums[1]))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn weighted_running_mean() {
        let mut m = Mean::new();
        assert_eq!(m.result(), 0.0);
        // Per-sample means of a (2, 2) batch: 1.5 and 3.5, weights 1 and 3.
        m.update(&t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]), Some(&t(&[1.0, 3.0], &[2])))
            .unwrap();
        close(m.result(), (1.5 + 3.0 * 3.5) / 4.0, 1e-12);
        // An unweighted batch counts each sample once.
        m.update(&t(&[10.0], &[1]), None).unwrap();
        close(m.result(), (1.5 + 10.5 + 10.0) / 5.0, 1e-12);
        assert_eq!((m.total(), m.count()), (22.0, 5.0));
        // (batch, 1) weights and zero weights mask samples.
        m.reset();
        m.update(&t(&[5.0, 7.0], &[2]), Some(&t(&[0.0, 2.0], &[2, 1]))).unwrap();
        close(m.result(), 7.0, 1e-12);
        // Per-element weights: the weights are averaged per sample too (Keras).
        m.reset();
        m.update(&t(&[1.0, 3.0], &[1, 2]), Some(&t(&[1.0, 3.0], &[1, 2])))
            .unwrap();
        close(m.result(), (1.0 + 9.0) / 2.0 / 2.0, 1e-12);
        assert!(m.update(&t(&[1.0, 3.0], &[2]), Some(&t(&[1.0; 3], &[3]))).is_err());
    }
}
