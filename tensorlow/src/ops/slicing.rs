//! Indexing and slicing with NumPy's and TensorFlow's rules: `x[i]`,
//! `x[:, 1:3]`, `x[::-1]`, `x[..., tf.newaxis]`, differentiable.
//!
//! [`Tensor::i`] takes one index or a tuple of them; [`s!`](crate::s)
//! writes strided slices (`a..b;step`) and builds the same list:
//!
//! | TensorFlow / NumPy | tensorlow |
//! |---|---|
//! | `x[1]`, `x[-1]` | `x.i(1)?`, `x.i(-1)?` |
//! | `x[1:3]`, `x[:2]`, `x[1:]`, `x[:]` | `x.i(1..3)?`, `x.i(..2)?`, `x.i(1..)?`, `x.i(..)?` |
//! | `x[:, 1:3]`, `x[0, :]` | `x.i((.., 1..3))?`, `x.i((0, ..))?` |
//! | `x[::2]`, `x[::-1]`, `x[1:5:2, 0]` | `x.i(s![..;2])?`, `x.i(s![..;-1])?`, `x.i(s![1..5;2, 0])?` |
//! | `x[..., 0]`, `x[:, tf.newaxis]` | `x.i((Ellipsis, 0))?`, `x.i((.., NewAxis))?` |
//!
//! An integer removes its axis; negative values count from the end. As in
//! Python, slice bounds past the end are clipped (an empty result is
//! fine) while an integer index out of range is an error, and so is a
//! step of 0. Unit steps are views ([`Tensor::narrow`]); other steps
//! gather rows ([`Tensor::gather`]). The gradient scatters back into
//! zeros shaped like the input.
//!
//! ```
//! use tensorlow::{s, GradientTape, NewAxis, Tensor};
//! # fn main() -> tensorlow::Result<()> {
//! let x = Tensor::new(&[0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0], &[2, 3])?;
//! assert_eq!(x.i(1)?.to_vec::<f32>()?, vec![3.0, 4.0, 5.0]);          // x[1]
//! assert_eq!(x.i((.., 1..3))?.to_vec2::<f32>()?, vec![vec![1.0, 2.0], vec![4.0, 5.0]]); // x[:, 1:3]
//! assert_eq!(x.i((.., -1))?.to_vec::<f32>()?, vec![2.0, 5.0]);        // x[:, -1]
//! assert_eq!(x.i(s![.., ..;-2])?.to_vec::<f32>()?, vec![2.0, 0.0, 5.0, 3.0]); // x[:, ::-2]
//! assert_eq!(x.i((0, NewAxis))?.shape(), &[1, 3]);                     // x[0, tf.newaxis]
//! assert!(x.i(2).is_err());                                            // axis 0 has size 2
//!
//! let tape = GradientTape::new();
//! tape.watch(&x);
//! let y = x.i(s![.., 0..3;2])?.sum_all()?;                            // x[:, 0:3:2]
//! let g = tape.gradient(&y, &[&x])?;
//! assert_eq!(g.of(&x)?.to_vec::<f32>()?, vec![1.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
//! # Ok(()) }
//! ```

use crate::{Error, Result, Tensor};
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// One entry of an index (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SliceItem {
    /// `x[i]`: picks one entry and removes the axis.
    Index(isize),
    /// `x[start:stop:step]`; `None` is Python's omitted bound.
    Range {
        /// First entry (default: 0, or the last entry for a negative step).
        start: Option<isize>,
        /// One past the last entry (default: the end of the axis).
        stop: Option<isize>,
        /// Distance between entries; negative walks backwards; never 0.
        step: isize,
    },
    /// `tf.newaxis`: inserts an axis of size 1.
    NewAxis,
    /// `...`: as many full slices as the remaining axes need.
    Ellipsis,
}

/// `tf.newaxis` / `np.newaxis`, for [`Tensor::i`] and [`s!`](crate::s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewAxis;

/// Python's `...`, for [`Tensor::i`] and [`s!`](crate::s).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ellipsis;

impl From<NewAxis> for SliceItem {
    fn from(_: NewAxis) -> Self {
        SliceItem::NewAxis
    }
}
impl From<Ellipsis> for SliceItem {
    fn from(_: Ellipsis) -> Self {
        SliceItem::Ellipsis
    }
}
impl From<RangeFull> for SliceItem {
    fn from(_: RangeFull) -> Self {
        SliceItem::Range {
            start: None,
            stop: None,
            step: 1,
        }
    }
}

/// A range with a step, the `a..b;step` of [`s!`](crate::s).
pub trait Step {
    /// This range taking every `step`-th entry (negative: backwards).
    fn step(self, step: isize) -> SliceItem;
}

impl Step for RangeFull {
    fn step(self, step: isize) -> SliceItem {
        SliceItem::Range {
            start: None,
            stop: None,
            step,
        }
    }
}

macro_rules! int_items {
    ($($t:ty),*) => {$(
        impl From<$t> for SliceItem {
            fn from(i: $t) -> Self {
                SliceItem::Index(i as isize)
            }
        }
        impl From<Range<$t>> for SliceItem {
            fn from(r: Range<$t>) -> Self {
                r.step(1)
            }
        }
        impl From<RangeFrom<$t>> for SliceItem {
            fn from(r: RangeFrom<$t>) -> Self {
                r.step(1)
            }
        }
        impl From<RangeTo<$t>> for SliceItem {
            fn from(r: RangeTo<$t>) -> Self {
                r.step(1)
            }
        }
        impl From<RangeInclusive<$t>> for SliceItem {
            fn from(r: RangeInclusive<$t>) -> Self {
                r.step(1)
            }
        }
        impl From<RangeToInclusive<$t>> for SliceItem {
            fn from(r: RangeToInclusive<$t>) -> Self {
                r.step(1)
            }
        }
        impl Step for Range<$t> {
            fn step(self, step: isize) -> SliceItem {
                SliceItem::Range { start: Some(self.start as isize), stop: Some(self.end as isize), step }
            }
        }
        impl Step for RangeFrom<$t> {
            fn step(self, step: isize) -> SliceItem {
                SliceItem::Range { start: Some(self.start as isize), stop: None, step }
            }
        }
        impl Step for RangeTo<$t> {
            fn step(self, step: isize) -> SliceItem {
                SliceItem::Range { start: None, stop: Some(self.end as isize), step }
            }
        }
        impl Step for RangeInclusive<$t> {
            fn step(self, step: isize) -> SliceItem {
                inclusive(Some(*self.start() as isize), *self.end() as isize, step)
            }
        }
        impl Step for RangeToInclusive<$t> {
            fn step(self, step: isize) -> SliceItem {
                inclusive(None, self.end as isize, step)
            }
        }
    )*};
}
int_items!(i32, i64, isize, u32, usize);

/// `start..=end`: the stop is one past `end` in the step's direction; an
/// `end` of -1 walking forwards means "to the end of the axis".
fn inclusive(start: Option<isize>, end: isize, step: isize) -> SliceItem {
    let stop = if step < 0 {
        (end != 0).then_some(end - 1)
    } else {
        (end != -1).then_some(end + 1)
    };
    SliceItem::Range { start, stop, step }
}

/// What [`Tensor::i`] accepts: one index, a tuple of up to 6, or a list
/// (as [`s!`](crate::s) builds).
pub trait IntoIndex {
    /// The index as a list of entries, one per axis it addresses.
    fn into_items(self) -> Vec<SliceItem>;
}

impl<T: Into<SliceItem>> IntoIndex for T {
    fn into_items(self) -> Vec<SliceItem> {
        vec![self.into()]
    }
}
impl IntoIndex for Vec<SliceItem> {
    fn into_items(self) -> Vec<SliceItem> {
        self
    }
}
impl IntoIndex for &[SliceItem] {
    fn into_items(self) -> Vec<SliceItem> {
        self.to_vec()
    }
}
impl<const N: usize> IntoIndex for [SliceItem; N] {
    fn into_items(self) -> Vec<SliceItem> {
        self.to_vec()
    }
}

macro_rules! tuple_index {
    ($($name:ident),+) => {
        impl<$($name: Into<SliceItem>),+> IntoIndex for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_items(self) -> Vec<SliceItem> {
                let ($($name,)+) = self;
                vec![$($name.into()),+]
            }
        }
    };
}
tuple_index!(A);
tuple_index!(A, B);
tuple_index!(A, B, C);
tuple_index!(A, B, C, D);
tuple_index!(A, B, C, D, E);
tuple_index!(A, B, C, D, E, F);

/// Builds a strided index for [`Tensor::i`], like ndarray's `s!`: entries
/// separated by commas, each an integer, a range, `..`, [`NewAxis`] or
/// [`Ellipsis`], and a range may take a step after a semicolon
/// (`a..b;step`, TensorFlow's `a:b:step`).
///
/// ```
/// use tensorlow::{s, Tensor};
/// let x = Tensor::new(&[0.0f32, 1.0, 2.0, 3.0, 4.0, 5.0], &[6]).unwrap();
/// assert_eq!(x.i(s![1..;2]).unwrap().to_vec::<f32>().unwrap(), vec![1.0, 3.0, 5.0]); // x[1::2]
/// assert_eq!(x.i(s![..;-3]).unwrap().to_vec::<f32>().unwrap(), vec![5.0, 2.0]);     // x[::-3]
/// ```
#[macro_export]
macro_rules! s {
    ($($item:expr $(; $step:expr)?),* $(,)?) => {
        ::std::vec![$( $crate::s!(@item $item $(; $step)?) ),*]
    };
    (@item $item:expr ; $step:expr) => {
        $crate::ops::slicing::Step::step($item, $step)
    };
    (@item $item:expr) => {
        $crate::ops::slicing::SliceItem::from($item)
    };
}

impl Tensor {
    /// Indexing and slicing with TensorFlow's rules (`x[...]`): integers,
    /// ranges, `..`, [`NewAxis`], [`Ellipsis`], or a strided [`s!`](crate::s)
    /// list; see the [module docs](crate::ops::slicing). Differentiable.
    pub fn i(&self, index: impl IntoIndex) -> Result<Tensor> {
        self.index_items(&index.into_items())
    }

    fn index_items(&self, items: &[SliceItem]) -> Result<Tensor> {
        let addressed = items
            .iter()
            .filter(|it| matches!(it, SliceItem::Index(_) | SliceItem::Range { .. }))
            .count();
        let ellipses = items.iter().filter(|it| **it == SliceItem::Ellipsis).count();
        if ellipses > 1 {
            return Err(Error::arg(format!(
                "index {items:?}: at most one Ellipsis (`...`) is allowed"
            )));
        }
        if addressed > self.rank() {
            return Err(Error::shape(
                "index",
                format!(
                    "{addressed} indices for a tensor of rank {} (shape {:?}); index at most {} axes",
                    self.rank(),
                    self.shape(),
                    self.rank()
                ),
            ));
        }
        let mut t = self.clone();
        // The axis of `t` the next entry applies to.
        let mut ax = 0usize;
        for item in items {
            match *item {
                SliceItem::NewAxis => {
                    t = t.expand_dims(ax as isize)?;
                    ax += 1;
                }
                SliceItem::Ellipsis => ax += self.rank() - addressed,
                SliceItem::Index(i) => {
                    let d = t.shape()[ax];
                    let j = if i < 0 { i + d as isize } else { i };
                    if j < 0 || j >= d as isize {
                        return Err(Error::arg(format!(
                            "index {i} is out of bounds for axis {ax} of size {d} (shape {:?}); valid: {} to {}",
                            t.shape(),
                            -(d as isize),
                            d as isize - 1
                        )));
                    }
                    t = t.narrow(ax as isize, j as usize, 1)?.squeeze(&[ax as isize])?;
                }
                SliceItem::Range { start, stop, step } => {
                    t = t.strided_axis(ax, start, stop, step)?;
                    ax += 1;
                }
            }
        }
        Ok(t)
    }

    /// `t[start:stop:step]` along `axis`, with Python's clipping rules.
    fn strided_axis(&self, axis: usize, start: Option<isize>, stop: Option<isize>, step: isize) -> Result<Tensor> {
        let d = self.shape()[axis] as isize;
        let (first, len) = python_slice(d, start, stop, step).ok_or_else(|| {
            Error::arg(format!(
                "slice step must not be 0 (axis {axis} of shape {:?})",
                self.shape()
            ))
        })?;
        if step == 1 || len <= 1 {
            return self.narrow(axis as isize, if len == 0 { 0 } else { first }, len);
        }
        let idx: Vec<u32> = (0..len).map(|k| (first as isize + k as isize * step) as u32).collect();
        let idx = Tensor::from_vec(idx, &[len], &self.device())?;
        self.gather(&idx, axis as isize)
    }
}

/// Python's slice of an axis of size `d`: the first entry and the count,
/// or `None` for a step of 0.
fn python_slice(d: isize, start: Option<isize>, stop: Option<isize>, step: isize) -> Option<(usize, usize)> {
    if step == 0 {
        return None;
    }
    let resolve = |v: isize, lo: isize, hi: isize| (if v < 0 { v + d } else { v }).clamp(lo, hi);
    let (first, count) = if step > 0 {
        let a = start.map_or(0, |v| resolve(v, 0, d));
        let b = stop.map_or(d, |v| resolve(v, 0, d));
        (a, if b > a { (b - a + step - 1) / step } else { 0 })
    } else {
        let a = start.map_or(d - 1, |v| resolve(v, -1, d - 1));
        let b = stop.map_or(-1, |v| resolve(v, -1, d - 1));
        (a, if a > b { (a - b + (-step) - 1) / (-step) } else { 0 })
    };
    Some((first.max(0) as usize, count as usize))
}

#[cfg(test)]
mod tests {
    use super::python_slice;

    /// Expected counts and first entries are Python's own:
    /// `len(range(10)[a:b:s])` and `range(10)[a:b:s][0]`.
    #[test]
    fn python_slice_rules() {
        // (start, stop, step) -> (first, count); from python3: r = range(10)[a:b:s]
        type Case = (Option<isize>, Option<isize>, isize, (usize, usize));
        let cases: [Case; 10] = [
            (None, None, 1, (0, 10)),
            (Some(2), Some(5), 1, (2, 3)),
            (Some(-3), None, 1, (7, 3)),
            (Some(1), Some(100), 3, (1, 3)), // 1, 4, 7
            (Some(5), Some(2), 1, (5, 0)),
            (None, None, -1, (9, 10)),
            (None, None, -3, (9, 4)),         // 9, 6, 3, 0
            (Some(-2), Some(-8), -2, (8, 3)), // 8, 6, 4
            (Some(100), None, -4, (9, 3)),    // 9, 5, 1
            (Some(-100), Some(3), 1, (0, 3)),
        ];
        for (a, b, s, want) in cases {
            let got = python_slice(10, a, b, s).unwrap();
            assert_eq!(got.1, want.1, "count of [{a:?}:{b:?}:{s}]");
            if want.1 > 0 {
                assert_eq!(got.0, want.0, "first of [{a:?}:{b:?}:{s}]");
            }
        }
        assert!(python_slice(10, None, None, 0).is_none());
    }
}
