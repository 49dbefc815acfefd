//! Scoring by name (`scoring="f1_macro"` in `cross_val_score` and
//! `GridSearchCV`): scikit-learn's scorer names, higher is better (errors
//! and losses are negated: `neg_mean_squared_error`).
//!
//! ```
//! use sklearnlike::metrics::Scoring;
//! assert_eq!("f1_macro".parse::<Scoring>().unwrap(), Scoring::F1Macro);
//! let e = "f1_marco".parse::<Scoring>().unwrap_err().to_string();
//! assert!(e.contains("Did you mean 'f1_macro'?"), "{e}");
//! ```

use super::classification::{
    accuracy_score, balanced_accuracy_score, f1_score, log_loss, precision_score, recall_score, Average,
};
use super::regression::{mean_absolute_error, mean_squared_error, r2_score, root_mean_squared_error};
use crate::base::{Classifier, Label, Regressor};
use crate::data::Features;
use crate::param::did_you_mean;
use crate::{Error, Result};
use ndarray::{Array1, Array2};
use std::str::FromStr;

macro_rules! scorers {
    ($($(#[$doc:meta])* $v:ident = $s:literal),+ $(,)?) => {
        /// A scorer (`scoring=`); see the module docs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Scoring {
            /// The estimator's own `score` (accuracy or R²): `scoring=None`.
            Default,
            $($(#[$doc])* $v),+
        }
        impl Scoring {
            /// Every name, as scikit-learn spells it.
            pub const NAMES: &'static [&'static str] = &[$($s),+];
            /// scikit-learn's name (`"default"` for [`Scoring::Default`]).
            pub fn name(self) -> &'static str {
                match self { Scoring::Default => "default", $(Scoring::$v => $s),+ }
            }
        }
        impl FromStr for Scoring {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s {
                    "default" | "score" => Ok(Scoring::Default),
                    $($s => Ok(Scoring::$v),)+
                    _ => {
                        let hint = did_you_mean(s, Self::NAMES.iter().copied())
                            .map(|c| format!(" Did you mean '{c}'?"))
                            .unwrap_or_default();
                        Err(Error::param(format!(
                            "'{s}' is not a valid scoring value.{hint} Valid names: {}",
                            Self::NAMES.join(", ")
                        )))
                    }
                }
            }
        }
    };
}

scorers!(
    /// `accuracy_score`.
    Accuracy = "accuracy",
    /// `balanced_accuracy_score`.
    BalancedAccuracy = "balanced_accuracy",
    /// Binary F1 of the greater class (`pos_label=1` for 0/1 labels).
    F1 = "f1",
    /// Macro-averaged F1.
    F1Macro = "f1_macro",
    /// Micro-averaged F1.
    F1Micro = "f1_micro",
    /// Support-weighted F1.
    F1Weighted = "f1_weighted",
    /// Binary precision of the greater class.
    Precision = "precision",
    /// Macro-averaged precision.
    PrecisionMacro = "precision_macro",
    /// Micro-averaged precision.
    PrecisionMicro = "precision_micro",
    /// Support-weighted precision.
    PrecisionWeighted = "precision_weighted",
    /// Binary recall of the greater class.
    Recall = "recall",
    /// Macro-averaged recall.
    RecallMacro = "recall_macro",
    /// Micro-averaged recall.
    RecallMicro = "recall_micro",
    /// Support-weighted recall.
    RecallWeighted = "recall_weighted",
    /// `-log_loss` of `predict_proba`.
    NegLogLoss = "neg_log_loss",
    /// `r2_score`.
    R2 = "r2",
    /// `-mean_squared_error`.
    NegMeanSquaredError = "neg_mean_squared_error",
    /// `-root_mean_squared_error`.
    NegRootMeanSquaredError = "neg_root_mean_squared_error",
    /// `-mean_absolute_error`.
    NegMeanAbsoluteError = "neg_mean_absolute_error",
);

impl Scoring {
    /// `None` is the estimator's own score; otherwise the name is parsed.
    pub fn from_option(name: Option<&str>) -> Result<Self> {
        name.map_or(Ok(Scoring::Default), str::parse)
    }

    fn is_regression(self) -> bool {
        matches!(
            self,
            Scoring::R2
                | Scoring::NegMeanSquaredError
                | Scoring::NegRootMeanSquaredError
                | Scoring::NegMeanAbsoluteError
        )
    }
}

/// The `scoring` of classifier `c` on `x`, `y`.
pub fn score_classifier<L: Label, C: Classifier<L> + ?Sized>(
    c: &C,
    x: Features<'_>,
    y: &Array1<L>,
    scoring: &Scoring,
) -> Result<f64> {
    if scoring.is_regression() {
        return Err(Error::param(format!(
            "scoring '{}' needs a regressor; {} is a classifier",
            scoring.name(),
            c.class_name()
        )));
    }
    if *scoring == Scoring::NegLogLoss {
        let proba = c.predict_proba(x)?;
        return Ok(-log_loss(y, proba.view(), Some(c.classes()))?);
    }
    let p = c.predict(x)?;
    let pos = || -> Result<L> {
        let classes = c.classes();
        match classes {
            [_, pos] => Ok(pos.clone()),
            _ => Err(Error::param(format!(
                "scoring '{}' is binary (positive class = the greater of 2 labels) but the classifier has {} classes; \
                 use the _macro, _micro or _weighted form",
                scoring.name(),
                classes.len()
            ))),
        }
    };
    match scoring {
        Scoring::Default | Scoring::Accuracy => accuracy_score(y, &p),
        Scoring::BalancedAccuracy => balanced_accuracy_score(y, &p),
        Scoring::F1 => f1_score(y, &p, Average::Binary(pos()?)),
        Scoring::F1Macro => f1_score(y, &p, Average::Macro),
        Scoring::F1Micro => f1_score(y, &p, Average::Micro),
        Scoring::F1Weighted => f1_score(y, &p, Average::Weighted),
        Scoring::Precision => precision_score(y, &p, Average::Binary(pos()?)),
        Scoring::PrecisionMacro => precision_score(y, &p, Average::Macro),
        Scoring::PrecisionMicro => precision_score(y, &p, Average::Micro),
        Scoring::PrecisionWeighted => precision_score(y, &p, Average::Weighted),
        Scoring::Recall => recall_score(y, &p, Average::Binary(pos()?)),
        Scoring::RecallMacro => recall_score(y, &p, Average::Macro),
        Scoring::RecallMicro => recall_score(y, &p, Average::Micro),
        Scoring::RecallWeighted => recall_score(y, &p, Average::Weighted),
        _ => unreachable!("regression and log-loss scorers are handled above"),
    }
}

/// The `scoring` of regressor `r` on `x`, `y`.
pub fn score_regressor<R: Regressor + ?Sized>(
    r: &R,
    x: Features<'_>,
    y: &Array2<f64>,
    scoring: &Scoring,
) -> Result<f64> {
    let p = r.predict(x)?;
    match scoring {
        Scoring::Default | Scoring::R2 => r2_score(y, &p),
        Scoring::NegMeanSquaredError => Ok(-mean_squared_error(y, &p)?),
        Scoring::NegRootMeanSquaredError => Ok(-root_mean_squared_error(y, &p)?),
        Scoring::NegMeanAbsoluteError => Ok(-mean_absolute_error(y, &p)?),
        other => Err(Error::param(format!(
            "scoring '{}' needs a classifier; {} is a regressor",
            other.name(),
            r.class_name()
        ))),
    }
}
