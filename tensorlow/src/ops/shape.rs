//! Shape manipulation: reshape, transpose/permute, expand/squeeze,
//! broadcast, concat/stack/split and slicing. Views are not copied.
//!
//! ```
//! use tensorlow::Tensor;
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3])?;
//! assert_eq!(x.reshape_infer(&[-1, 2])?.shape(), &[3, 2]);
//! assert_eq!(x.transpose()?.shape(), &[3, 2]);
//! let parts = x.split(&[1, 2], 1)?;
//! assert_eq!(parts[1].to_vec::<f32>()?, vec![2.0, 3.0, 5.0, 6.0]);
//! let y = Tensor::concat(&[&x, &x], 0)?;
//! assert_eq!(y.shape(), &[4, 3]);
//! # Ok(()) }
//! ```

use super::out;
use crate::{Error, Result, Tensor};

impl Tensor {
    /// Same data, new shape with the same number of elements (`tf.reshape`).
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let n = crate::limits::checked_elem_count("reshape", shape)?;
        if n != self.elem_count() {
            return Err(Error::shape(
                "reshape",
                format!(
                    "cannot reshape a tensor of shape {:?} ({} elements) to {shape:?} ({n} elements)",
                    self.shape(),
                    self.elem_count()
                ),
            ));
        }
        let v = self.value.reshape(shape)?;
        let from = self.shape().to_vec();
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.grad.reshape(&from)?)])))
    }

    /// `reshape` where one dimension may be `-1`, inferred from the others.
    pub fn reshape_infer(&self, shape: &[isize]) -> Result<Tensor> {
        let holes = shape.iter().filter(|&&d| d < 0).count();
        if holes > 1 || shape.iter().any(|&d| d < -1) {
            return Err(Error::shape(
                "reshape",
                format!("{shape:?}: at most one dimension may be -1"),
            ));
        }
        let given: Vec<usize> = shape.iter().filter(|&&d| d >= 0).map(|&d| d as usize).collect();
        let known = crate::limits::checked_elem_count("reshape", &given)?;
        let fill = if holes == 1 {
            if known == 0 || !self.elem_count().is_multiple_of(known) {
                return Err(Error::shape(
                    "reshape",
                    format!("cannot reshape shape {:?} into {shape:?}", self.shape()),
                ));
            }
            self.elem_count() / known
        } else {
            0
        };
        let s: Vec<usize> = shape.iter().map(|&d| if d < 0 { fill } else { d as usize }).collect();
        self.reshape(&s)
    }

    /// Reverses the order of the dimensions (`tf.transpose` without `perm`);
    /// for a matrix, the usual transpose.
    pub fn transpose(&self) -> Result<Tensor> {
        let perm: Vec<usize> = (0..self.rank()).rev().collect();
        self.permute(&perm)
    }

    /// Swaps the last two dimensions (`tf.linalg.matrix_transpose`).
    pub fn matrix_transpose(&self) -> Result<Tensor> {
        let r = self.rank();
        if r < 2 {
            return Err(Error::shape(
                "matrix_transpose",
                format!("needs rank >= 2, got shape {:?}", self.shape()),
            ));
        }
        let mut perm: Vec<usize> = (0..r).collect();
        perm.swap(r - 2, r - 1);
        self.permute(&perm)
    }

    /// Reorders dimensions: output dimension `i` is input dimension `perm[i]`.
    pub fn permute(&self, perm: &[usize]) -> Result<Tensor> {
        let mut seen = vec![false; self.rank()];
        if perm.len() != self.rank()
            || perm
                .iter()
                .any(|&p| p >= self.rank() || std::mem::replace(&mut seen[p], true))
        {
            return Err(Error::shape(
                "permute",
                format!(
                    "{perm:?} is not a permutation of the {} axes of shape {:?}",
                    self.rank(),
                    self.shape()
                ),
            ));
        }
        if perm.iter().enumerate().all(|(i, &p)| i == p) {
            return Ok(self.clone());
        }
        let v = self.value.permute(perm)?;
        let mut inv = vec![0; perm.len()];
        for (i, &p) in perm.iter().enumerate() {
            inv[p] = i;
        }
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.grad.permute(&inv)?)])))
    }

    /// Inserts a dimension of size 1 at `axis` (`-1` appends).
    pub fn expand_dims(&self, axis: isize) -> Result<Tensor> {
        let a = crate::tensor::resolve_axis(axis, self.rank() + 1).map_err(|e| {
            Error::arg(format!(
                "expand_dims: {e} (the result's rank; the tensor's shape is {:?})",
                self.shape()
            ))
        })?;
        let mut s = self.shape().to_vec();
        s.insert(a, 1);
        self.reshape(&s)
    }

    /// Removes the size-1 dimensions in `axes` (all size-1 dimensions when empty).
    pub fn squeeze(&self, axes: &[isize]) -> Result<Tensor> {
        let drop: Vec<usize> = if axes.is_empty() {
            (0..self.rank()).filter(|&i| self.shape()[i] == 1).collect()
        } else {
            let ax = self.axes(axes)?;
            if let Some(&a) = ax.iter().find(|&&a| self.shape()[a] != 1) {
                return Err(Error::shape(
                    "squeeze",
                    format!(
                        "axis {a} of shape {:?} has size {}, not 1",
                        self.shape(),
                        self.shape()[a]
                    ),
                ));
            }
            ax
        };
        let s: Vec<usize> = self
            .shape()
            .iter()
            .enumerate()
            .filter(|(i, _)| !drop.contains(i))
            .map(|(_, &d)| d)
            .collect();
        self.reshape(&s)
    }

    /// Flattens all but the first dimension: `(b, ...) -> (b, prod(...))`.
    pub fn flatten_batch(&self) -> Result<Tensor> {
        let b = self.shape().first().copied().unwrap_or(1);
        let rest = self.elem_count().checked_div(b).unwrap_or(0);
        self.reshape(&[b, rest])
    }

    /// Broadcasts to `shape` by NumPy rules (a view: nothing is copied).
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Tensor> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let s = super::arith::broadcast_shape("broadcast_to", self.shape(), shape)?;
        if s != shape {
            return Err(Error::shape(
                "broadcast_to",
                format!("cannot broadcast shape {:?} to {shape:?}", self.shape()),
            ));
        }
        // A view, but one the next op materializes (TensorFlow's
        // broadcast_to allocates): checked like an allocation.
        crate::limits::check_alloc_on("broadcast_to", shape, self.dtype(), self.value.device())?;
        let v = self.value.broadcast_as(shape)?;
        let from = self.shape().to_vec();
        Ok(out(v, &[self], move |c| Ok(vec![Some(c.grad.sum_to(&from)?)])))
    }

    /// `len` entries of `axis` starting at `start` (a view).
    pub fn narrow(&self, axis: isize, start: usize, len: usize) -> Result<Tensor> {
        let a = self.axis(axis)?;
        let d = self.shape()[a];
        if start.checked_add(len).is_none_or(|end| end > d) {
            return Err(Error::shape(
                "slice",
                format!(
                    "{len} entries from {start} are out of bounds for axis {a} of shape {:?} (valid: start + length <= {d})",
                    self.shape()
                ),
            ));
        }
        if start == 0 && len == d {
            return Ok(self.clone());
        }
        let v = self.value.narrow(a, start, len)?;
        Ok(out(v, &[self], move |c| {
            // Pad the gradient with zeros back to the input's extent.
            let g = c.grad;
            let mut parts = Vec::with_capacity(3);
            let mut shape = g.shape().to_vec();
            if start > 0 {
                shape[a] = start;
                parts.push(Tensor::zeros(&shape, g.dtype(), &g.device())?);
            }
            parts.push(g.clone());
            if start + len < d {
                shape[a] = d - start - len;
                parts.push(Tensor::zeros(&shape, g.dtype(), &g.device())?);
            }
            Ok(vec![Some(Tensor::concat(
                &parts.iter().collect::<Vec<_>>(),
                a as isize,
            )?)])
        }))
    }

    /// `tf.slice`: `size[i]` entries from `begin[i]` in each dimension
    /// (`size[i] = -1` takes the rest).
    pub fn slice(&self, begin: &[usize], size: &[isize]) -> Result<Tensor> {
        if begin.len() != self.rank() || size.len() != self.rank() {
            return Err(Error::shape(
                "slice",
                format!(
                    "begin {begin:?} and size {size:?} must each have one entry per dimension of shape {:?}",
                    self.shape()
                ),
            ));
        }
        let mut lens = Vec::with_capacity(size.len());
        for (i, (&b, &s)) in begin.iter().zip(size).enumerate() {
            let d = self.shape()[i];
            let len = if s < 0 { d.saturating_sub(b) } else { s as usize };
            if b.checked_add(len).is_none_or(|end| end > d) {
                return Err(Error::shape(
                    "slice",
                    format!(
                        "begin {begin:?} and size {size:?} are out of bounds for shape {:?} in dimension {i} \
                         ({len} entries from {b}, but it has {d})",
                        self.shape()
                    ),
                ));
            }
            lens.push(len);
        }
        let mut t = self.clone();
        for (i, (&b, len)) in begin.iter().zip(lens).enumerate() {
            t = t.narrow(i as isize, b, len)?;
        }
        Ok(t)
    }

    /// Joins tensors along an existing `axis` (`tf.concat`).
    pub fn concat(tensors: &[&Tensor], axis: isize) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| Error::arg("concat needs at least one tensor"))?;
        let a = first.axis(axis)?;
        for t in tensors {
            first.same_dtype(t, "concat")?;
            first.same_device(t, "concat")?;
            let ok = t.rank() == first.rank()
                && t.shape()
                    .iter()
                    .zip(first.shape())
                    .enumerate()
                    .all(|(i, (x, y))| i == a || x == y);
            if !ok {
                return Err(Error::shape(
                    "concat",
                    format!("shapes {:?} and {:?} differ outside axis {a}", first.shape(), t.shape()),
                ));
            }
        }
        if tensors.len() == 1 {
            return Ok((*first).clone());
        }
        let mut shape = first.shape().to_vec();
        shape[a] = tensors
            .iter()
            .try_fold(0usize, |n, t| n.checked_add(t.shape()[a]))
            .ok_or_else(|| Error::shape("concat", "the sizes along the axis add up to more than can be counted"))?;
        crate::limits::check_alloc_on("concat", &shape, first.dtype(), first.value.device())?;
        let vals: Vec<&candle_core::Tensor> = tensors.iter().map(|t| &t.value).collect();
        let v = candle_core::Tensor::cat(&vals, a)?;
        let sizes: Vec<usize> = tensors.iter().map(|t| t.shape()[a]).collect();
        Ok(out(v, tensors, move |c| {
            let mut grads = Vec::with_capacity(sizes.len());
            let mut start = 0;
            for (i, &n) in sizes.iter().enumerate() {
                grads.push(if c.need(i) {
                    Some(c.grad.narrow(a as isize, start, n)?)
                } else {
                    None
                });
                start += n;
            }
            Ok(grads)
        }))
    }

    /// Joins same-shaped tensors along a new `axis` (`tf.stack`).
    pub fn stack(tensors: &[&Tensor], axis: isize) -> Result<Tensor> {
        let first = tensors
            .first()
            .ok_or_else(|| Error::arg("stack needs at least one tensor"))?;
        if let Some(t) = tensors.iter().find(|t| t.shape() != first.shape()) {
            return Err(Error::shape(
                "stack",
                format!("all shapes must match: {:?} vs {:?}", first.shape(), t.shape()),
            ));
        }
        let expanded = tensors
            .iter()
            .map(|t| t.expand_dims(axis))
            .collect::<Result<Vec<_>>>()?;
        let a = crate::tensor::resolve_axis(axis, first.rank() + 1)? as isize;
        Tensor::concat(&expanded.iter().collect::<Vec<_>>(), a)
    }

    /// Splits along `axis` into pieces of the given sizes (`tf.split`).
    pub fn split(&self, sizes: &[usize], axis: isize) -> Result<Vec<Tensor>> {
        let a = self.axis(axis)?;
        if sizes.iter().sum::<usize>() != self.shape()[a] {
            return Err(Error::shape(
                "split",
                format!(
                    "sizes {sizes:?} do not add up to {} (axis {a} of shape {:?})",
                    self.shape()[a],
                    self.shape()
                ),
            ));
        }
        let mut start = 0;
        sizes
            .iter()
            .map(|&n| {
                let t = self.narrow(a as isize, start, n);
                start += n;
                t
            })
            .collect()
    }

    /// Splits along `axis` into `num` equal pieces.
    pub fn split_even(&self, num: usize, axis: isize) -> Result<Vec<Tensor>> {
        let d = self.dim(axis)?;
        if num == 0 || d % num != 0 {
            return Err(Error::shape(
                "split",
                format!(
                    "axis {axis} of shape {:?} (size {d}) cannot be split into {num} equal pieces",
                    self.shape()
                ),
            ));
        }
        self.split(&vec![d / num; num], axis)
    }
}
