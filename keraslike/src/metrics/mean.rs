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
/// Totals are kept in f64 (exact over long epochs). For CPU tensors each
/// [`update`](Mean::update) adds them up on the host (reading a CPU tensor
/// is a copy). For tensors on a GPU the batch sums stay on the device and
/// are added there; they are read only when the result is asked for
/// (Keras' progress bar: a few times per second), so a training step never
/// waits for the device.
#[derive(Clone, Debug, Default)]
pub struct Mean {
    total: f64,
    count: f64,
    /// `[sum(w v), sum(w)]` in f64 on a GPU, not yet read.
    pending: Option<Tensor>,
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
        if !values.device().is_cpu() {
            let sums = tensorlow::no_grad(|| device_sums(values, sample_weight))?;
            self.pending = Some(match self.pending.take() {
                Some(p) => p.add(&sums)?,
                None => sums,
            });
            return Ok(());
        }
        let (total, count) = tensorlow::no_grad(|| batch_sums(values, sample_weight))?;
        self.total += total;
        self.count += count;
        Ok(())
    }

    /// `total / count`, or 0 before any sample (Keras' `divide_no_nan`).
    /// NaN if sums kept on a GPU cannot be read back.
    pub fn result(&self) -> f64 {
        let (total, count) = self.sums();
        if count == 0.0 {
            0.0
        } else {
            total / count
        }
    }

    /// Forgets everything.
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// The weighted sum of the values so far.
    pub fn total(&self) -> f64 {
        self.sums().0
    }

    /// The sum of the weights so far (the sample count when unweighted).
    pub fn count(&self) -> f64 {
        self.sums().1
    }

    /// Host totals plus the sums still on the device (one read).
    fn sums(&self) -> (f64, f64) {
        match &self.pending {
            None => (self.total, self.count),
            Some(p) => match p.to_vec::<f64>() {
                Ok(v) => (self.total + v[0], self.count + v[1]),
                Err(_) => (f64::NAN, f64::NAN),
            },
        }
    }
}

/// `[sum(w v), sum(w)]` of one batch as an f64 tensor on the values' device
/// (the same arithmetic as [`batch_sums`], without reading it back).
fn device_sums(values: &Tensor, sample_weight: Option<&Tensor>) -> Result<Tensor> {
    let dev = values.device();
    let mut v = values.cast(DType::F64)?;
    if v.rank() == 0 {
        v = v.reshape(&[1])?;
    }
    let (weighted, w) = match sample_weight {
        None => {
            let per_sample = mean_from(&v, 1)?;
            let n = per_sample.elem_count() as f64;
            (per_sample.sum_all()?, Tensor::full_scalar(n, DType::F64, &dev)?)
        }
        Some(w) => {
            let (v, w) = weighted_values(&v, w, values)?;
            (mean_from(&v.mul(&w)?, 1)?.sum_all()?, mean_from(&w, 1)?.sum_all()?)
        }
    };
    Ok(Tensor::stack(&[&weighted, &w], 0)?)
}

/// Per-sample values and their weights broadcast to them, after Keras'
/// reduction of the values to the weights' rank.
fn weighted_values(v: &Tensor, w: &Tensor, values: &Tensor) -> Result<(Tensor, Tensor)> {
    if w.rank() == 0 || w.shape()[0] != v.shape()[0] {
        return Err(Error::shape(format!(
            "sample_weight of shape {:?} must have the batch size {} as its first dimension",
            w.shape(),
            v.shape()[0]
        )));
    }
    let (v, w) = squeeze_or_expand(v, &w.cast(v.dtype())?, true)?;
    let w_rank = w.rank();
    let v = mean_from(&v, w_rank)?;
    let w = w.broadcast_to(v.shape()).map_err(|_| {
        Error::shape(format!(
            "sample_weight of shape {:?} does not broadcast to the values' shape {:?}",
            w.shape(),
            values.shape()
        ))
    })?;
    Ok((v, w))
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
    let (v, w) = weighted_values(&v, w, values)?;
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
    fn device_sums_match_the_host_sums() {
        // The GPU path's arithmetic, checked on the CPU against the host path.
        let v = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]).unwrap();
        let w = Tensor::new(&[1.0f32, 0.5, 2.0], &[3]).unwrap();
        for sw in [None, Some(&w)] {
            let d = device_sums(&v, sw).unwrap().to_vec::<f64>().unwrap();
            let (t, c) = batch_sums(&v, sw).unwrap();
            assert!((d[0] - t).abs() < 1e-6 && (d[1] - c).abs() < 1e-12, "{d:?} vs {t} {c}");
        }
        let mut m = Mean::new();
        m.pending = Some(device_sums(&v, Some(&w)).unwrap());
        // (1.5 * 1 + 3.5 * 0.5 + 5.5 * 2) / 3.5
        assert!((m.result() - 14.25 / 3.5).abs() < 1e-12);
    }

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
