//! [`LabelEncoder`]: labels to `0..n_classes` and back
//! (`sklearn.preprocessing.LabelEncoder`). It encodes targets (`y`), not
//! features, so it is not a pipeline step.
//!
//! ```
//! use sklearnlike::preprocessing::LabelEncoder;
//! # fn main() -> sklearnlike::Result<()> {
//! let mut enc = LabelEncoder::new();
//! let codes = enc.fit_transform(&["paris", "paris", "tokyo", "amsterdam"])?;
//! assert_eq!(enc.classes(), &["amsterdam", "paris", "tokyo"]);
//! assert_eq!(codes.to_vec(), vec![1, 1, 2, 0]);
//! assert_eq!(enc.inverse_transform(&[2, 0])?.to_vec(), vec!["tokyo", "amsterdam"]);
//! assert!(enc.transform(&["rome"]).unwrap_err().to_string().contains("previously unseen labels: [\"rome\"]"));
//! # Ok(()) }
//! ```

use super::fitted;
use crate::base::Estimator;
use crate::data::Column;
use crate::param::{unknown_param, Param, Params};
use crate::{Error, Result};
use ndarray::Array1;

/// Sorted classes and their codes (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct LabelEncoder<L> {
    classes: Option<Vec<L>>,
}

impl<L> Default for LabelEncoder<L> {
    fn default() -> Self {
        LabelEncoder { classes: None }
    }
}

const WHAT: &str = "LabelEncoder";

impl<L: Ord + Clone + std::fmt::Debug> LabelEncoder<L> {
    /// An unfitted encoder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Learns the sorted distinct labels (`classes_`).
    pub fn fit<'a>(&mut self, y: impl Into<Column<'a, L>>) -> Result<&mut Self>
    where
        L: 'a,
    {
        let y = y.into();
        let mut classes = y.as_slice().into_owned();
        classes.sort();
        classes.dedup();
        self.classes = Some(classes);
        Ok(self)
    }

    /// Each label's index in `classes_`; unseen labels are an error listing them.
    pub fn transform<'a>(&self, y: impl Into<Column<'a, L>>) -> Result<Array1<usize>>
    where
        L: 'a,
    {
        let classes = fitted(self.classes.as_ref(), WHAT)?;
        let y = y.into();
        let y = y.as_slice();
        let mut unseen: Vec<L> = y
            .iter()
            .filter(|l| classes.binary_search(l).is_err())
            .cloned()
            .collect();
        if !unseen.is_empty() {
            unseen.sort();
            unseen.dedup();
            return Err(Error::data(format!("y contains previously unseen labels: {unseen:?}")));
        }
        Ok(y.iter().map(|l| classes.binary_search(l).expect("checked")).collect())
    }

    /// `fit(y)` then `transform(y)`.
    pub fn fit_transform<'a>(&mut self, y: impl Into<Column<'a, L>>) -> Result<Array1<usize>>
    where
        L: 'a,
    {
        let y = y.into();
        self.fit(y.view())?;
        self.transform(y.view())
    }

    /// The labels of codes `codes`; codes out of range are an error.
    pub fn inverse_transform<'a>(&self, codes: impl Into<Column<'a, usize>>) -> Result<Array1<L>> {
        let classes = fitted(self.classes.as_ref(), WHAT)?;
        let codes = codes.into();
        let codes = codes.as_slice();
        if let Some(c) = codes.iter().find(|&&c| c >= classes.len()) {
            return Err(Error::data(format!(
                "y contains previously unseen labels: code {c}, but there are {} classes",
                classes.len()
            )));
        }
        Ok(codes.iter().map(|&c| classes[c].clone()).collect())
    }

    /// `classes_` (empty before `fit`).
    pub fn classes(&self) -> &[L] {
        self.classes.as_deref().unwrap_or(&[])
    }
}

impl<L: Ord + Clone + std::fmt::Debug> Estimator for LabelEncoder<L> {
    fn class_name(&self) -> &'static str {
        WHAT
    }
    fn get_params(&self) -> Params {
        Params::new()
    }
    fn set_param(&mut self, name: &str, _value: Param) -> Result<()> {
        Err(unknown_param(WHAT, name, &[]))
    }
    fn clone_unfitted(&self) -> Self {
        Self::new()
    }
}
