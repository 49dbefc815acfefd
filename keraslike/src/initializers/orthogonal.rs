//! The orthogonal initializer's host-side QR decomposition.
//!
//! Keras draws a normal matrix `A` of shape `(max(rows, cols), min(rows,
//! cols))`, takes `Q` of its reduced QR decomposition with the signs fixed
//! so that `diag(R) > 0`, transposes it when the weight is wide, and scales
//! by `gain`. Gram-Schmidt produces exactly that `Q` (its `R` has a positive
//! diagonal by construction); orthogonalizing each column twice ("twice is
//! enough", Giraud et al. 2005) keeps `QᵀQ = I` to rounding error in f64.

use crate::{Error, Result};
use tensorlow::random::Generator;
use tensorlow::{DType, Device, Tensor};

/// A `shape` tensor whose `(prod(shape[..-1]), shape[-1])` matrix has
/// orthonormal rows or columns (whichever are fewer), times `gain`.
pub(super) fn orthogonal(
    shape: &[usize],
    gain: f64,
    g: &mut Generator,
    dtype: DType,
    device: &Device,
) -> Result<Tensor> {
    if shape.len() < 2 {
        return Err(Error::arg(format!(
            "Orthogonal initializer needs a shape of rank >= 2, got {shape:?}; use another initializer for vectors"
        )));
    }
    let rows: usize = shape[..shape.len() - 1].iter().product();
    let cols = shape[shape.len() - 1];
    let (m, n) = (rows.max(cols), rows.min(cols));
    // Column-major: column j is q[j*m..(j+1)*m]. Drawn column by column; only
    // the distribution (iid normal) matters, not the order.
    let mut q: Vec<f64> = (0..m * n).map(|_| g.next_normal()).collect();
    for j in 0..n {
        let (done, rest) = q.split_at_mut(j * m);
        let col = &mut rest[..m];
        for _pass in 0..2 {
            for k in 0..j {
                let qk = &done[k * m..(k + 1) * m];
                let r: f64 = qk.iter().zip(col.iter()).map(|(a, b)| a * b).sum();
                col.iter_mut().zip(qk).for_each(|(c, a)| *c -= r * a);
            }
        }
        let norm = col.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm <= f64::EPSILON {
            // Probability zero for a normal draw; an error beats a NaN weight.
            return Err(Error::arg(
                "Orthogonal initializer: the random matrix was singular; try another seed",
            ));
        }
        col.iter_mut().for_each(|v| *v /= norm);
    }
    // The gain last: the projections above need unit columns.
    q.iter_mut().for_each(|v| *v *= gain);
    // To the row-major (rows, cols) layout: a tall weight is Q itself, a
    // wide one is Qᵀ (which, column-major Q being row-major Qᵀ, is the buffer).
    let data: Vec<f64> = if rows >= cols {
        (0..m)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| q[j * m + i])
            .collect()
    } else {
        q
    };
    Ok(Tensor::from_vec(data, &[rows, cols], device)?
        .cast(dtype)?
        .reshape(shape)?)
}
