//! Classification metrics (`sklearn.metrics`): accuracy, precision, recall,
//! F-scores (binary, micro, macro, weighted), balanced accuracy, the
//! confusion matrix and the log loss.
//!
//! Labels are any ordered type; the label set is the sorted union of
//! `y_true` and `y_pred` (scikit-learn's `unique_labels`) unless given. An
//! ill-defined ratio (no predicted or no true sample of a class) counts as
//! 0, scikit-learn's `zero_division="warn"` value (without the warning).
//!
//! ```
//! use sklearnlike::metrics::{accuracy_score, confusion_matrix, f1_score, precision_score, Average};
//! # fn main() -> sklearnlike::Result<()> {
//! let y_true = [0, 1, 2, 0, 1, 2];
//! let y_pred = [0, 2, 1, 0, 0, 1];
//! assert!((accuracy_score(&y_true, &y_pred)? - 1.0 / 3.0).abs() < 1e-15);
//! assert!((f1_score(&y_true, &y_pred, Average::Macro)? - 0.26666666666666666).abs() < 1e-15);
//! assert!((precision_score(&y_true, &y_pred, Average::Weighted)? - 0.2222222222222222).abs() < 1e-15);
//! assert_eq!(confusion_matrix(&y_true, &y_pred, None)?, ndarray::array![[2, 0, 0], [1, 0, 1], [0, 2, 0]]);
//! # Ok(()) }
//! ```

use crate::data::Column;
use crate::{Error, Result};
use ndarray::{Array2, ArrayView2};

/// How per-class scores are combined (`average=`).
#[derive(Clone, Debug, PartialEq)]
pub enum Average<L> {
    /// The score of the positive class `pos_label` only (scikit-learn's
    /// default `average="binary"`, `pos_label=1`); at most two labels.
    Binary(L),
    /// From the total true positives, false negatives and false positives.
    Micro,
    /// The unweighted mean of the per-class scores.
    Macro,
    /// The mean of the per-class scores weighted by support.
    Weighted,
}

/// Per-class precision, recall, F-beta and support
/// (`precision_recall_fscore_support(average=None)`).
#[derive(Clone, Debug, PartialEq)]
pub struct PrfSupport<L> {
    /// The labels, in the order of the other fields.
    pub labels: Vec<L>,
    /// `tp / (tp + fp)` per label.
    pub precision: Vec<f64>,
    /// `tp / (tp + fn)` per label.
    pub recall: Vec<f64>,
    /// `(1 + β²) tp / ((1 + β²) tp + β² fn + fp)` per label.
    pub fscore: Vec<f64>,
    /// The number of true samples of each label.
    pub support: Vec<usize>,
}

pub(crate) fn pair<'a, L: Clone + 'a>(
    y_true: Column<'a, L>,
    y_pred: Column<'a, L>,
    what: &str,
) -> Result<(Vec<L>, Vec<L>)> {
    if y_true.len() != y_pred.len() {
        return Err(Error::shape(format!(
            "{what}: y_true has {} samples but y_pred has {}; they must match",
            y_true.len(),
            y_pred.len()
        )));
    }
    if y_true.is_empty() {
        return Err(Error::data(format!(
            "{what}: found empty input; at least 1 sample is required"
        )));
    }
    Ok((y_true.as_slice().into_owned(), y_pred.as_slice().into_owned()))
}

/// The sorted union of labels.
pub(crate) fn unique_labels<L: Ord + Clone>(a: &[L], b: &[L]) -> Vec<L> {
    let mut all: Vec<L> = a.iter().chain(b).cloned().collect();
    all.sort();
    all.dedup();
    all
}

/// The fraction of samples whose prediction equals the truth.
pub fn accuracy_score<'a, L: Clone + PartialEq + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
) -> Result<f64> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "accuracy_score")?;
    Ok(t.iter().zip(&p).filter(|(a, b)| a == b).count() as f64 / t.len() as f64)
}

/// The confusion matrix `C[i, j]`: samples of true label `labels[i]`
/// predicted as `labels[j]` (`labels` default: the sorted union).
pub fn confusion_matrix<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
    labels: Option<&[L]>,
) -> Result<Array2<u64>> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "confusion_matrix")?;
    let labels = match labels {
        Some(l) => {
            if l.is_empty() {
                return Err(Error::param(
                    "confusion_matrix: 'labels' should contain at least one label",
                ));
            }
            l.to_vec()
        }
        None => unique_labels(&t, &p),
    };
    Ok(counts(&t, &p, &labels))
}

fn counts<L: PartialEq>(t: &[L], p: &[L], labels: &[L]) -> Array2<u64> {
    let k = labels.len();
    let mut c = Array2::zeros((k, k));
    let pos = |l: &L| labels.iter().position(|x| x == l);
    for (a, b) in t.iter().zip(p) {
        if let (Some(i), Some(j)) = (pos(a), pos(b)) {
            c[[i, j]] += 1;
        }
    }
    c
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

fn fbeta(tp: f64, fn_: f64, fp: f64, beta: f64) -> f64 {
    let b2 = beta * beta;
    ratio((1.0 + b2) * tp, (1.0 + b2) * tp + b2 * fn_ + fp)
}

/// Per-class precision, recall, F-beta and support over `labels` (default:
/// the sorted union of both label lists).
pub fn precision_recall_fscore_support<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
    labels: Option<&[L]>,
    beta: f64,
) -> Result<PrfSupport<L>> {
    if beta.is_nan() || beta < 0.0 {
        return Err(Error::param(format!(
            "beta should be >= 0 in the F-beta score, got {beta}"
        )));
    }
    let (t, p) = pair(y_true.into(), y_pred.into(), "precision_recall_fscore_support")?;
    let labels = labels.map_or_else(|| unique_labels(&t, &p), <[L]>::to_vec);
    let sums = label_sums(&t, &p, &labels);
    let mut out = PrfSupport {
        labels: labels.clone(),
        precision: Vec::new(),
        recall: Vec::new(),
        fscore: Vec::new(),
        support: Vec::new(),
    };
    for &(tp, predicted, support) in &sums {
        let (tp, fp, fn_) = (tp as f64, (predicted - tp) as f64, (support - tp) as f64);
        out.precision.push(ratio(tp, tp + fp));
        out.recall.push(ratio(tp, tp + fn_));
        out.fscore.push(fbeta(tp, fn_, fp, beta));
        out.support.push(support);
    }
    Ok(out)
}

/// `(true positives, predicted, true)` counts of each label.
fn label_sums<L: PartialEq>(t: &[L], p: &[L], labels: &[L]) -> Vec<(usize, usize, usize)> {
    labels
        .iter()
        .map(|l| {
            let tp = t.iter().zip(p).filter(|(a, b)| *a == l && *b == l).count();
            (
                tp,
                p.iter().filter(|b| *b == l).count(),
                t.iter().filter(|a| *a == l).count(),
            )
        })
        .collect()
}

/// One averaged score; `which` picks precision (0), recall (1) or F (2).
fn averaged<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: Column<'a, L>,
    y_pred: Column<'a, L>,
    average: &Average<L>,
    beta: f64,
    which: usize,
    what: &str,
) -> Result<f64> {
    let (t, p) = pair(y_true, y_pred, what)?;
    let all = unique_labels(&t, &p);
    let pick = |tp: f64, fn_: f64, fp: f64| match which {
        0 => ratio(tp, tp + fp),
        1 => ratio(tp, tp + fn_),
        _ => fbeta(tp, fn_, fp, beta),
    };
    let prf = precision_recall_fscore_support(&t, &p, Some(&all), beta)?;
    let per_class = match which {
        0 => &prf.precision,
        1 => &prf.recall,
        _ => &prf.fscore,
    };
    Ok(match average {
        Average::Binary(pos) => {
            if all.len() > 2 {
                return Err(Error::param(format!(
                    "{what}: target is multiclass ({} labels) but average='binary'; choose another average \
                     (Macro, Micro, Weighted)",
                    all.len()
                )));
            }
            match all.iter().position(|l| l == pos) {
                Some(i) => per_class[i],
                None if all.len() < 2 => 0.0,
                None => {
                    return Err(Error::param(format!(
                        "{what}: pos_label={pos:?} is not a valid label; it should be one of {all:?}"
                    )))
                }
            }
        }
        Average::Macro => per_class.iter().sum::<f64>() / per_class.len() as f64,
        Average::Weighted => {
            let total: usize = prf.support.iter().sum();
            if total == 0 {
                0.0
            } else {
                per_class
                    .iter()
                    .zip(&prf.support)
                    .map(|(v, &s)| v * s as f64)
                    .sum::<f64>()
                    / total as f64
            }
        }
        Average::Micro => {
            let sums = label_sums(&t, &p, &all);
            let tp: usize = sums.iter().map(|s| s.0).sum();
            let predicted: usize = sums.iter().map(|s| s.1).sum();
            let truth: usize = sums.iter().map(|s| s.2).sum();
            pick(tp as f64, (truth - tp) as f64, (predicted - tp) as f64)
        }
    })
}

/// Precision `tp / (tp + fp)`, averaged as `average` says.
pub fn precision_score<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
    average: Average<L>,
) -> Result<f64> {
    averaged(y_true.into(), y_pred.into(), &average, 1.0, 0, "precision_score")
}

/// Recall `tp / (tp + fn)`, averaged as `average` says.
pub fn recall_score<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
    average: Average<L>,
) -> Result<f64> {
    averaged(y_true.into(), y_pred.into(), &average, 1.0, 1, "recall_score")
}

/// The F1 score `2 tp / (2 tp + fn + fp)`, averaged as `average` says.
pub fn f1_score<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
    average: Average<L>,
) -> Result<f64> {
    averaged(y_true.into(), y_pred.into(), &average, 1.0, 2, "f1_score")
}

/// The F-beta score (recall weighted `beta` times as much as precision).
pub fn fbeta_score<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
    beta: f64,
    average: Average<L>,
) -> Result<f64> {
    if beta.is_nan() || beta < 0.0 {
        return Err(Error::param(format!("fbeta_score: beta should be >= 0, got {beta}")));
    }
    averaged(y_true.into(), y_pred.into(), &average, beta, 2, "fbeta_score")
}

/// The mean of the per-class recalls over the classes of `y_true`
/// (`balanced_accuracy_score`, `adjusted=False`).
pub fn balanced_accuracy_score<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
) -> Result<f64> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "balanced_accuracy_score")?;
    let labels = unique_labels(&t, &p);
    let c = counts(&t, &p, &labels);
    let recalls: Vec<f64> = (0..labels.len())
        .filter(|&i| c.row(i).sum() > 0)
        .map(|i| c[[i, i]] as f64 / c.row(i).sum() as f64)
        .collect();
    Ok(recalls.iter().sum::<f64>() / recalls.len() as f64)
}

/// The mean negative log-likelihood of the true labels under `y_proba`
/// (`(n_samples, n_classes)` with columns in `labels` order, default the
/// sorted labels of `y_true`; one column means the positive class of a
/// binary problem). Probabilities are clipped to `[eps, 1 - eps]`.
pub fn log_loss<'a, L: Ord + Clone + std::fmt::Debug + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_proba: ArrayView2<'_, f64>,
    labels: Option<&[L]>,
) -> Result<f64> {
    let t = y_true.into();
    let t = t.as_slice();
    if t.len() != y_proba.nrows() {
        return Err(Error::shape(format!(
            "log_loss: y_true has {} samples but y_proba has {} rows",
            t.len(),
            y_proba.nrows()
        )));
    }
    if t.is_empty() {
        return Err(Error::data(
            "log_loss: found empty input; at least 1 sample is required",
        ));
    }
    if let Some(v) = y_proba.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(Error::data(format!(
            "log_loss: y_proba contains {v}, outside [0, 1]; pass probabilities (predict_proba)"
        )));
    }
    let classes = labels.map_or_else(|| unique_labels(&t, &[]), <[L]>::to_vec);
    let k = y_proba.ncols();
    let binary_column = k == 1;
    if !binary_column && k != classes.len() {
        return Err(Error::shape(format!(
            "log_loss: y_true and y_proba contain different numbers of classes: {} vs {k}; give the labels \
             explicitly. Classes found in y_true: {classes:?}",
            classes.len()
        )));
    }
    if binary_column && classes.len() > 2 {
        return Err(Error::shape(format!(
            "log_loss: one probability column but {} classes",
            classes.len()
        )));
    }
    let eps = f64::EPSILON;
    let mut total = 0.0;
    for (r, l) in t.iter().enumerate() {
        let c = classes
            .binary_search(l)
            .map_err(|_| Error::data(format!("log_loss: y_true has label {l:?}, not in labels {classes:?}")))?;
        let p = if binary_column {
            let p1 = y_proba[[r, 0]];
            if c == 1 {
                p1
            } else {
                1.0 - p1
            }
        } else {
            y_proba[[r, c]]
        };
        total -= p.clamp(eps, 1.0 - eps).ln();
    }
    Ok(total / t.len() as f64)
}
