//! [`OneHotEncoder`]: each categorical column becomes one 0/1 column per
//! category (`sklearn.preprocessing.OneHotEncoder`, dense output).
//!
//! Categories are each column's sorted distinct values (`categories="auto"`);
//! they can be numbers (`f64`, integers) or text (`String`, `&str`).
//! `handle_unknown` says what `transform` does with a value not seen by
//! `fit`: an error naming it and its column (default), or all zeros
//! (`ignore`; `warn` also prints scikit-learn's warning). `drop` removes the
//! first category of every column (`first`) or of two-category columns
//! (`if_binary`). The `f64` encoder is a
//! [`Transformer`](crate::base::Transformer) for pipelines.
//!
//! ```
//! use ndarray::array;
//! use sklearnlike::preprocessing::{HandleUnknown, OneHotEncoder};
//! # fn main() -> sklearnlike::Result<()> {
//! let x = array![["a", "1"], ["b", "2"], ["a", "3"]];
//! let mut enc = OneHotEncoder::new();
//! let t = enc.fit_transform(x.view())?;
//! assert_eq!(t, array![[1., 0., 1., 0., 0.], [0., 1., 0., 1., 0.], [1., 0., 0., 0., 1.]]);
//! assert_eq!(enc.get_feature_names_out(None), vec!["x0_a", "x0_b", "x1_1", "x1_2", "x1_3"]);
//! let e = enc.transform(array![["c", "1"]].view()).unwrap_err().to_string();
//! assert!(e.contains("Found unknown categories [\"c\"] in column 0"), "{e}");
//! let mut ignore = OneHotEncoder::new().handle_unknown(HandleUnknown::Ignore);
//! ignore.fit(x.view())?;
//! assert_eq!(ignore.transform(array![["c", "1"]].view())?, array![[0., 0., 1., 0., 0.]]);
//! assert_eq!(ignore.inverse_transform(array![[0., 0., 1., 0., 0.]].view())?, array![[None, Some("1")]]);
//! # Ok(()) }
//! ```

use super::fitted;
use crate::base::{Estimator, Transformer};
use crate::data::Features;
use crate::param::{py_float, unknown_param, Param, Params};
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt::Debug;

/// A value usable as a category: ordered (for `categories_`), printable
/// (feature names, messages). NaN is not a category.
pub trait Category: Clone + Debug + PartialEq {
    /// The order of `categories_`.
    fn order(&self, other: &Self) -> Ordering;
    /// The text in feature names (`str(category)` in Python).
    fn label(&self) -> String;
    /// Whether the value can be a category (false for NaN).
    fn is_valid(&self) -> bool {
        true
    }
}

impl Category for f64 {
    fn order(&self, other: &Self) -> Ordering {
        self.total_cmp(other)
    }
    fn label(&self) -> String {
        py_float(*self)
    }
    fn is_valid(&self) -> bool {
        !self.is_nan()
    }
}

macro_rules! ord_category {
    ($($t:ty),+) => {$(
        impl Category for $t {
            fn order(&self, other: &Self) -> Ordering {
                self.cmp(other)
            }
            fn label(&self) -> String {
                self.to_string()
            }
        }
    )+};
}
ord_category!(i64, i32, u32, u64, usize, bool, String, &str);

/// What `transform` does with an unseen category (`handle_unknown`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandleUnknown {
    /// An error naming the category and its column (the default).
    Error,
    /// All zeros for that column.
    Ignore,
    /// All zeros, with scikit-learn's warning on stderr.
    Warn,
}

/// Which category to drop per column (`drop`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OneHotDrop {
    /// Keep every category (`drop=None`, the default).
    None,
    /// Drop each column's first category.
    First,
    /// Drop the first category of columns with exactly two.
    IfBinary,
}

impl HandleUnknown {
    fn name(self) -> &'static str {
        match self {
            HandleUnknown::Error => "error",
            HandleUnknown::Ignore => "ignore",
            HandleUnknown::Warn => "warn",
        }
    }
}

impl OneHotDrop {
    fn name(self) -> Param {
        match self {
            OneHotDrop::None => Param::None,
            OneHotDrop::First => "first".into(),
            OneHotDrop::IfBinary => "if_binary".into(),
        }
    }
}

/// The one-hot encoder (see the module docs). With serde-able categories it
/// saves and loads through serde; loading checks that each column's
/// categories are non-empty, valid, sorted and distinct.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "EncoderRepr<C>",
    bound(serialize = "C: Serialize", deserialize = "C: DeserializeOwned")
)]
pub struct OneHotEncoder<C: Category = f64> {
    /// `handle_unknown` (default [`HandleUnknown::Error`]).
    pub handle_unknown: HandleUnknown,
    /// `drop` (default [`OneHotDrop::None`]).
    pub drop: OneHotDrop,
    categories: Option<Vec<Vec<C>>>,
}

/// What a saved encoder holds, before it is checked.
#[derive(Deserialize)]
#[serde(bound(deserialize = "C: DeserializeOwned"))]
struct EncoderRepr<C> {
    handle_unknown: HandleUnknown,
    drop: OneHotDrop,
    categories: Option<Vec<Vec<C>>>,
}

impl<C: Category> TryFrom<EncoderRepr<C>> for OneHotEncoder<C> {
    type Error = String;
    fn try_from(r: EncoderRepr<C>) -> std::result::Result<Self, String> {
        if let Some(cats) = &r.categories {
            if cats.is_empty() {
                return Err("OneHotEncoder: categories has no column".into());
            }
            for (c, cat) in cats.iter().enumerate() {
                if cat.is_empty() || cat.iter().any(|k| !k.is_valid()) {
                    return Err(format!("OneHotEncoder: column {c} needs at least one valid category"));
                }
                if cat.windows(2).any(|w| w[0].order(&w[1]) != Ordering::Less) {
                    return Err(format!(
                        "OneHotEncoder: the categories of column {c} must be sorted and distinct"
                    ));
                }
            }
        }
        Ok(OneHotEncoder {
            handle_unknown: r.handle_unknown,
            drop: r.drop,
            categories: r.categories,
        })
    }
}

impl<C: Category> Default for OneHotEncoder<C> {
    fn default() -> Self {
        OneHotEncoder {
            handle_unknown: HandleUnknown::Error,
            drop: OneHotDrop::None,
            categories: None,
        }
    }
}

const WHAT: &str = "OneHotEncoder";

impl<C: Category> OneHotEncoder<C> {
    /// An encoder with scikit-learn's defaults (dense output).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `handle_unknown` (builder style).
    pub fn handle_unknown(mut self, h: HandleUnknown) -> Self {
        self.handle_unknown = h;
        self
    }

    /// Sets `drop` (builder style).
    pub fn drop(mut self, d: OneHotDrop) -> Self {
        self.drop = d;
        self
    }

    /// Learns each column's sorted distinct categories.
    pub fn fit(&mut self, x: ArrayView2<'_, C>) -> Result<&mut Self> {
        if x.nrows() == 0 || x.ncols() == 0 {
            return Err(Error::data(format!(
                "OneHotEncoder.fit: found an array of shape {:?}; at least 1 sample and 1 feature are required",
                x.shape()
            )));
        }
        let mut cats = Vec::with_capacity(x.ncols());
        for (c, col) in x.columns().into_iter().enumerate() {
            let mut v: Vec<C> = Vec::new();
            for (r, value) in col.iter().enumerate() {
                if !value.is_valid() {
                    return Err(Error::data(format!(
                        "OneHotEncoder.fit: X contains {value:?} at row {r}, column {c}; impute missing values first"
                    )));
                }
                v.push(value.clone());
            }
            v.sort_by(Category::order);
            v.dedup_by(|a, b| a.order(b) == Ordering::Equal);
            cats.push(v);
        }
        self.categories = Some(cats);
        Ok(self)
    }

    /// The dropped category index of each column (`drop_idx_`).
    pub fn drop_idx(&self) -> Vec<Option<usize>> {
        self.categories().iter().map(|c| self.dropped(c.len())).collect()
    }

    fn dropped(&self, n_categories: usize) -> Option<usize> {
        match self.drop {
            OneHotDrop::None => None,
            OneHotDrop::First => Some(0),
            OneHotDrop::IfBinary => (n_categories == 2).then_some(0),
        }
    }

    /// `categories_` (empty before `fit`).
    pub fn categories(&self) -> &[Vec<C>] {
        self.categories.as_deref().unwrap_or(&[])
    }

    fn state(&self) -> Result<&Vec<Vec<C>>> {
        fitted(self.categories.as_ref(), WHAT)
    }

    /// The number of output columns.
    pub fn n_features_out(&self) -> usize {
        self.categories()
            .iter()
            .map(|c| c.len() - usize::from(self.dropped(c.len()).is_some()))
            .sum()
    }

    /// The one-hot matrix, `(n_samples, n_features_out)`.
    pub fn transform(&self, x: ArrayView2<'_, C>) -> Result<Array2<f64>> {
        let cats = self.state()?;
        super::check_columns(x.ncols(), cats.len(), WHAT)?;
        let mut out = Array2::zeros((x.nrows(), self.n_features_out()));
        let mut unknown_columns = Vec::new();
        let mut offset = 0;
        for (c, (col, cat)) in x.columns().into_iter().zip(cats).enumerate() {
            let drop = self.dropped(cat.len());
            let mut unknown: Vec<C> = Vec::new();
            for (r, value) in col.iter().enumerate() {
                match cat.binary_search_by(|k| k.order(value)) {
                    Ok(i) if Some(i) == drop => {}
                    Ok(i) => out[[r, offset + i - usize::from(drop.is_some_and(|d| i > d))]] = 1.0,
                    Err(_) => {
                        if !unknown.contains(value) {
                            unknown.push(value.clone());
                        }
                    }
                }
            }
            if !unknown.is_empty() {
                if self.handle_unknown == HandleUnknown::Error {
                    return Err(Error::data(format!(
                        "Found unknown categories {unknown:?} in column {c} during transform"
                    )));
                }
                unknown_columns.push(c);
            }
            offset += cat.len() - usize::from(drop.is_some());
        }
        let warn = self.handle_unknown == HandleUnknown::Warn
            || (self.handle_unknown == HandleUnknown::Ignore && self.drop != OneHotDrop::None);
        if warn && !unknown_columns.is_empty() {
            eprintln!(
                "UserWarning: Found unknown categories in columns {unknown_columns:?} during transform. These unknown \
                 categories will be encoded as all zeros"
            );
        }
        Ok(out)
    }

    /// `fit(x)` then `transform(x)`.
    pub fn fit_transform(&mut self, x: ArrayView2<'_, C>) -> Result<Array2<f64>> {
        self.fit(x)?;
        self.transform(x)
    }

    /// The categories of one-hot rows: an all-zero block is the dropped
    /// category, or `None` (an unknown category under `handle_unknown`
    /// `ignore`/`warn`); a block with several ones is an error.
    pub fn inverse_transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<Option<C>>> {
        let cats = self.state()?;
        if x.ncols() != self.n_features_out() {
            return Err(Error::shape(format!(
                "OneHotEncoder.inverse_transform: X has {} columns, the encoding has {}",
                x.ncols(),
                self.n_features_out()
            )));
        }
        let mut out = Array2::from_elem((x.nrows(), cats.len()), None);
        for (r, row) in x.rows().into_iter().enumerate() {
            let mut offset = 0;
            for (c, cat) in cats.iter().enumerate() {
                let drop = self.dropped(cat.len());
                let width = cat.len() - usize::from(drop.is_some());
                let block = row.slice(ndarray::s![offset..offset + width]);
                let ones: Vec<usize> = block
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v != 0.0)
                    .map(|(i, _)| i)
                    .collect();
                out[[r, c]] = match ones[..] {
                    [] => drop.map(|d| cat[d].clone()),
                    [i] => Some(cat[i + usize::from(drop.is_some_and(|d| i >= d))].clone()),
                    _ => {
                        return Err(Error::data(format!(
                            "OneHotEncoder.inverse_transform: row {r} has {} ones for input column {c}",
                            ones.len()
                        )))
                    }
                };
                offset += width;
            }
        }
        Ok(out)
    }

    /// Output column names `x{column}_{category}` (or with the given input
    /// feature names).
    pub fn get_feature_names_out(&self, input_features: Option<&[&str]>) -> Vec<String> {
        let mut names = Vec::new();
        for (c, cat) in self.categories().iter().enumerate() {
            let base = input_features
                .and_then(|f| f.get(c))
                .map_or_else(|| format!("x{c}"), |s| s.to_string());
            let drop = self.dropped(cat.len());
            for (i, k) in cat.iter().enumerate() {
                if Some(i) != drop {
                    names.push(format!("{base}_{}", k.label()));
                }
            }
        }
        names
    }
}

impl<C: Category> Estimator for OneHotEncoder<C> {
    fn class_name(&self) -> &'static str {
        WHAT
    }
    fn get_params(&self) -> Params {
        Params::new()
            .with("categories", "auto")
            .with("drop", self.drop.name())
            .with("handle_unknown", self.handle_unknown.name())
            .with("sparse_output", false)
    }
    fn set_param(&mut self, name: &str, value: Param) -> Result<()> {
        match name {
            "handle_unknown" => {
                self.handle_unknown = match value.to_text(name)?.as_str() {
                    "error" => HandleUnknown::Error,
                    "ignore" => HandleUnknown::Ignore,
                    "warn" => HandleUnknown::Warn,
                    other => {
                        return Err(Error::param(format!(
                            "handle_unknown must be 'error', 'ignore' or 'warn', got '{other}'"
                        )))
                    }
                }
            }
            "drop" => {
                self.drop = match &value {
                    Param::None => OneHotDrop::None,
                    v => match v.to_text(name)?.as_str() {
                        "none" | "None" => OneHotDrop::None,
                        "first" => OneHotDrop::First,
                        "if_binary" => OneHotDrop::IfBinary,
                        other => {
                            return Err(Error::param(format!(
                                "drop must be None, 'first' or 'if_binary', got '{other}'"
                            )))
                        }
                    },
                }
            }
            "categories" => {
                if value.to_text(name)? != "auto" {
                    return Err(Error::param("OneHotEncoder: only categories='auto' is supported"));
                }
            }
            "sparse_output" => {
                if value.to_bool(name)? {
                    return Err(Error::param(
                        "OneHotEncoder: sparse_output=True is not supported; the output is a dense Array2",
                    ));
                }
            }
            _ => {
                return Err(unknown_param(
                    WHAT,
                    name,
                    &["categories", "drop", "handle_unknown", "sparse_output"],
                ))
            }
        }
        Ok(())
    }
    fn clone_unfitted(&self) -> Self {
        OneHotEncoder {
            categories: None,
            ..self.clone()
        }
    }
}

impl Transformer for OneHotEncoder<f64> {
    fn fit(&mut self, x: Features<'_>) -> Result<()> {
        OneHotEncoder::fit(self, x.view()?).map(|_| ())
    }
    fn transform(&self, x: Features<'_>) -> Result<Array2<f64>> {
        OneHotEncoder::transform(self, x.view()?)
    }
    /// Unknown (all-zero) blocks come back as NaN.
    fn inverse_transform(&self, x: Features<'_>) -> Result<Array2<f64>> {
        Ok(OneHotEncoder::inverse_transform(self, x.view()?)?.mapv(|v| v.unwrap_or(f64::NAN)))
    }
    fn clone_transformer(&self) -> Box<dyn Transformer> {
        Box::new(self.clone_unfitted())
    }
}
