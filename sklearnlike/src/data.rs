//! Input data in the shapes Rust users hold.
//!
//! Every `fit` / `predict` / `transform` / `score` takes its `X` as
//! `impl Into<Features>`: an `ndarray` 2-D array or view (`f64` borrowed
//! without a copy, `f32` converted), a slice of fixed-size rows
//! (`&[[f64; 4]]`, zero-copy), a slice of `Vec` rows, or a flat row-major
//! slice with its width (`(&x, n_features)`). Labels and sample weights are
//! `impl Into<Column>` (a slice, a `Vec`, an array `&[T; N]` or a 1-D
//! `ndarray`); regression targets are `impl Into<Targets>` (1-D for one
//! output, 2-D for several).
//!
//! Shape problems (ragged rows, a flat slice that is not whole rows, zero
//! width) are reported when the data is used, as an [`Error::Shape`] naming
//! the row or the counts.
//!
//! ```
//! use ndarray::array;
//! use sklearnlike::data::{Features, Targets};
//! # fn main() -> sklearnlike::Result<()> {
//! let a = array![[1.0, 2.0], [3.0, 4.0]];
//! let rows = [[1.0, 2.0], [3.0, 4.0]];
//! let flat = [1.0, 2.0, 3.0, 4.0];
//! let vecs = vec![vec![1.0, 2.0], vec![3.0, 4.0]];
//! for x in [Features::from(&a), Features::from(&rows[..]), Features::from((&flat[..], 2)), Features::from(&vecs)] {
//!     assert_eq!(x.view()?, a.view());
//! }
//! let ragged = vec![vec![1.0, 2.0], vec![3.0]];
//! assert!(Features::from(&ragged).view().unwrap_err().to_string().contains("row 1 has 1 values"));
//! assert_eq!(Targets::from(&[1.0, 2.0][..]).view()?.shape(), &[2, 1]);
//! # Ok(()) }
//! ```

use crate::{Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, CowArray, Ix1, Ix2};
use std::borrow::Cow;

/// A 2-D `f64` input (`X`): see the module docs for what converts into it.
#[derive(Clone, Debug)]
pub struct Features<'a> {
    repr: Result2<'a>,
}

/// A matrix, or why the input was not one.
type Result2<'a> = std::result::Result<CowArray<'a, f64, Ix2>, String>;

impl<'a> Features<'a> {
    /// A flat row-major slice of rows `n_features` wide.
    pub fn from_flat(data: &'a [f64], n_features: usize) -> Self {
        Features {
            repr: flat_view(data, n_features, "X", "features").map(CowArray::from),
        }
    }

    /// The data as a 2-D view, or the shape error found when converting.
    pub fn view(&self) -> Result<ArrayView2<'_, f64>> {
        match &self.repr {
            Ok(a) => Ok(a.view()),
            Err(m) => Err(Error::shape(m.clone())),
        }
    }

    /// The data as a (possibly borrowed) array.
    pub fn into_array(self) -> Result<CowArray<'a, f64, Ix2>> {
        self.repr.map_err(Error::shape)
    }
}

fn flat_view<'a, T>(
    data: &'a [T],
    width: usize,
    what: &str,
    unit: &str,
) -> std::result::Result<ArrayView2<'a, T>, String> {
    if width == 0 {
        return Err(format!("{what}: the number of {unit} must be at least 1, got 0"));
    }
    if !data.len().is_multiple_of(width) {
        return Err(format!(
            "{what}: {} values do not form rows of {width} {unit}",
            data.len()
        ));
    }
    ArrayView2::from_shape((data.len() / width, width), data).map_err(|e| format!("{what}: {e}"))
}

fn from_rows<T: Copy + Into<f64>, R: AsRef<[T]>>(rows: &[R], what: &str) -> std::result::Result<Array2<f64>, String> {
    let width = rows.first().map_or(0, |r| r.as_ref().len());
    let mut flat = Vec::with_capacity(rows.len().saturating_mul(width));
    for (i, r) in rows.iter().enumerate() {
        let r = r.as_ref();
        if r.len() != width {
            return Err(format!(
                "{what}: row {i} has {} values but row 0 has {width}; every row needs the same number of features",
                r.len()
            ));
        }
        flat.extend(r.iter().map(|&v| v.into()));
    }
    Array2::from_shape_vec((rows.len(), width), flat).map_err(|e| format!("{what}: {e}"))
}

impl<'a> From<&'a Array2<f64>> for Features<'a> {
    fn from(a: &'a Array2<f64>) -> Self {
        Features {
            repr: Ok(a.view().into()),
        }
    }
}
impl<'a> From<ArrayView2<'a, f64>> for Features<'a> {
    fn from(a: ArrayView2<'a, f64>) -> Self {
        Features { repr: Ok(a.into()) }
    }
}
impl<'a, 'b> From<&'b ArrayView2<'a, f64>> for Features<'b> {
    fn from(a: &'b ArrayView2<'a, f64>) -> Self {
        Features {
            repr: Ok(a.view().into()),
        }
    }
}
impl From<Array2<f64>> for Features<'_> {
    fn from(a: Array2<f64>) -> Self {
        Features { repr: Ok(a.into()) }
    }
}
impl<'a> From<&'a Array2<f32>> for Features<'a> {
    fn from(a: &'a Array2<f32>) -> Self {
        Features {
            repr: Ok(a.mapv(f64::from).into()),
        }
    }
}
impl<'a> From<ArrayView2<'a, f32>> for Features<'a> {
    fn from(a: ArrayView2<'a, f32>) -> Self {
        Features {
            repr: Ok(a.mapv(f64::from).into()),
        }
    }
}
impl<'a, const N: usize> From<&'a [[f64; N]]> for Features<'a> {
    fn from(rows: &'a [[f64; N]]) -> Self {
        Features {
            repr: flat_view(rows.as_flattened(), N, "X", "features").map(CowArray::from),
        }
    }
}
impl<'a, const N: usize> From<&'a Vec<[f64; N]>> for Features<'a> {
    fn from(rows: &'a Vec<[f64; N]>) -> Self {
        Features::from(rows.as_slice())
    }
}
impl<'a, const N: usize> From<&'a [[f32; N]]> for Features<'a> {
    fn from(rows: &'a [[f32; N]]) -> Self {
        Features {
            repr: from_rows(rows, "X").map(CowArray::from),
        }
    }
}
impl<'a> From<&'a [Vec<f64>]> for Features<'a> {
    fn from(rows: &'a [Vec<f64>]) -> Self {
        Features {
            repr: from_rows(rows, "X").map(CowArray::from),
        }
    }
}
impl<'a> From<&'a Vec<Vec<f64>>> for Features<'a> {
    fn from(rows: &'a Vec<Vec<f64>>) -> Self {
        Features::from(rows.as_slice())
    }
}
impl<'a> From<(&'a [f64], usize)> for Features<'a> {
    fn from((data, n_features): (&'a [f64], usize)) -> Self {
        Features::from_flat(data, n_features)
    }
}
impl<'a> From<(&'a Vec<f64>, usize)> for Features<'a> {
    fn from((data, n_features): (&'a Vec<f64>, usize)) -> Self {
        Features::from_flat(data, n_features)
    }
}
impl<'a, 'b> From<&'b Features<'a>> for Features<'b> {
    fn from(f: &'b Features<'a>) -> Self {
        Features {
            repr: match &f.repr {
                Ok(a) => Ok(a.view().into()),
                Err(m) => Err(m.clone()),
            },
        }
    }
}

/// A 1-D input: class labels, sample weights, category values. Converts
/// from a slice, a `Vec`, an array (`&[T; N]`) or a 1-D `ndarray`.
#[derive(Clone, Debug)]
pub struct Column<'a, T: Clone> {
    data: CowArray<'a, T, Ix1>,
}

impl<T: Clone> Column<'_, T> {
    /// The values as a contiguous slice (copied only when the input was a
    /// strided view).
    pub fn as_slice(&self) -> Cow<'_, [T]> {
        match self.data.as_slice() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(self.data.iter().cloned().collect()),
        }
    }
    /// The number of values.
    pub fn len(&self) -> usize {
        self.data.len()
    }
    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// The values as a 1-D view.
    pub fn view(&self) -> ArrayView1<'_, T> {
        self.data.view()
    }
}

impl<'a, T: Clone> From<&'a [T]> for Column<'a, T> {
    fn from(s: &'a [T]) -> Self {
        Column {
            data: ArrayView1::from(s).into(),
        }
    }
}
impl<'a, T: Clone> From<&'a Vec<T>> for Column<'a, T> {
    fn from(s: &'a Vec<T>) -> Self {
        Column::from(s.as_slice())
    }
}
impl<'a, T: Clone, const N: usize> From<&'a [T; N]> for Column<'a, T> {
    fn from(s: &'a [T; N]) -> Self {
        Column::from(&s[..])
    }
}
impl<T: Clone> From<Vec<T>> for Column<'_, T> {
    fn from(v: Vec<T>) -> Self {
        Column {
            data: Array1::from(v).into(),
        }
    }
}
impl<'a, T: Clone> From<&'a Array1<T>> for Column<'a, T> {
    fn from(a: &'a Array1<T>) -> Self {
        Column { data: a.view().into() }
    }
}
impl<'a, T: Clone> From<ArrayView1<'a, T>> for Column<'a, T> {
    fn from(a: ArrayView1<'a, T>) -> Self {
        Column { data: a.into() }
    }
}
impl<T: Clone> From<Array1<T>> for Column<'_, T> {
    fn from(a: Array1<T>) -> Self {
        Column { data: a.into() }
    }
}

/// Regression targets (`y` of a regressor): 1-D for one output (a slice, a
/// `Vec`, an `Array1`), 2-D for several (`Array2`, rows, or a flat slice
/// with the number of outputs). Always seen as `(n_samples, n_outputs)`.
#[derive(Clone, Debug)]
pub struct Targets<'a> {
    repr: Result2<'a>,
}

impl<'a> Targets<'a> {
    /// A flat row-major slice of `n_outputs` values per sample.
    pub fn from_flat(data: &'a [f64], n_outputs: usize) -> Self {
        Targets {
            repr: flat_view(data, n_outputs, "y", "outputs").map(CowArray::from),
        }
    }
    /// The targets as `(n_samples, n_outputs)`, or the shape error.
    pub fn view(&self) -> Result<ArrayView2<'_, f64>> {
        match &self.repr {
            Ok(a) => Ok(a.view()),
            Err(m) => Err(Error::shape(m.clone())),
        }
    }
}

fn column_2d(a: ArrayView1<'_, f64>) -> ArrayView2<'_, f64> {
    a.insert_axis(Axis(1))
}

impl<'a> From<&'a [f64]> for Targets<'a> {
    fn from(s: &'a [f64]) -> Self {
        Targets {
            repr: Ok(column_2d(ArrayView1::from(s)).into()),
        }
    }
}
impl<'a> From<&'a Vec<f64>> for Targets<'a> {
    fn from(s: &'a Vec<f64>) -> Self {
        Targets::from(s.as_slice())
    }
}
impl<'a, const N: usize> From<&'a [f64; N]> for Targets<'a> {
    fn from(s: &'a [f64; N]) -> Self {
        Targets::from(&s[..])
    }
}
impl<'a> From<&'a Array1<f64>> for Targets<'a> {
    fn from(a: &'a Array1<f64>) -> Self {
        Targets {
            repr: Ok(column_2d(a.view()).into()),
        }
    }
}
impl<'a> From<ArrayView1<'a, f64>> for Targets<'a> {
    fn from(a: ArrayView1<'a, f64>) -> Self {
        Targets {
            repr: Ok(column_2d(a).into()),
        }
    }
}
impl<'a> From<&'a Array2<f64>> for Targets<'a> {
    fn from(a: &'a Array2<f64>) -> Self {
        Targets {
            repr: Ok(a.view().into()),
        }
    }
}
impl<'a> From<ArrayView2<'a, f64>> for Targets<'a> {
    fn from(a: ArrayView2<'a, f64>) -> Self {
        Targets { repr: Ok(a.into()) }
    }
}
impl From<Array2<f64>> for Targets<'_> {
    fn from(a: Array2<f64>) -> Self {
        Targets { repr: Ok(a.into()) }
    }
}
impl From<Array1<f64>> for Targets<'_> {
    fn from(a: Array1<f64>) -> Self {
        Targets {
            repr: Ok(a.insert_axis(Axis(1)).into()),
        }
    }
}
impl<'a, const N: usize> From<&'a [[f64; N]]> for Targets<'a> {
    fn from(rows: &'a [[f64; N]]) -> Self {
        Targets {
            repr: flat_view(rows.as_flattened(), N, "y", "outputs").map(CowArray::from),
        }
    }
}
impl<'a> From<(&'a [f64], usize)> for Targets<'a> {
    fn from((data, n_outputs): (&'a [f64], usize)) -> Self {
        Targets::from_flat(data, n_outputs)
    }
}
impl<'a> From<(&'a Vec<f64>, usize)> for Targets<'a> {
    fn from((data, n_outputs): (&'a Vec<f64>, usize)) -> Self {
        Targets::from_flat(data, n_outputs)
    }
}

/// A 2-D array as one contiguous row-major slice (borrowed when it already
/// is one).
pub(crate) fn row_major<'a>(a: &'a ArrayView2<'_, f64>) -> Cow<'a, [f64]> {
    match a.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(a.iter().copied().collect()),
    }
}

/// Checks that every value of `x` is finite (scikit-learn's
/// `ensure_all_finite=True`), naming the first bad cell.
pub(crate) fn check_finite(x: &ArrayView2<'_, f64>, what: &str, name: &str) -> Result<()> {
    for ((r, c), v) in x.indexed_iter() {
        if !v.is_finite() {
            return Err(Error::data(format!(
                "{what}: {name} contains {}{v} at row {r}, column {c}; remove or impute it first",
                if v.is_nan() { "" } else { "an infinite value " }
            )));
        }
    }
    Ok(())
}
