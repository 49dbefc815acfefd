//! `classification_report`: scikit-learn's text table of per-class
//! precision, recall, F1 and support with the accuracy, macro and
//! weighted averages, formatted character for character as scikit-learn
//! 1.9 does.
//!
//! ```
//! use sklearnlike::metrics::classification_report;
//! # fn main() -> sklearnlike::Result<()> {
//! let report = classification_report(&["cat", "dog", "cat"], &["cat", "cat", "cat"], None, 2)?;
//! assert!(report.contains("         cat       0.67      1.00      0.80         2"));
//! assert!(report.contains("    accuracy                           0.67         3"));
//! # Ok(()) }
//! ```

use super::classification::{pair, precision_recall_fscore_support, unique_labels};
use crate::data::Column;
use crate::{Error, Result};
use std::fmt::{Debug, Display, Write};

/// The report for the sorted union of labels, each row named by the label
/// (`{}`) or by `target_names` in that order, with `digits` decimals.
pub fn classification_report<'a, L: Ord + Clone + Debug + Display + 'a>(
    y_true: impl Into<Column<'a, L>>,
    y_pred: impl Into<Column<'a, L>>,
    target_names: Option<&[&str]>,
    digits: usize,
) -> Result<String> {
    let (t, p) = pair(y_true.into(), y_pred.into(), "classification_report")?;
    let labels = unique_labels(&t, &p);
    let names: Vec<String> = match target_names {
        Some(n) if n.len() != labels.len() => {
            return Err(Error::param(format!(
                "classification_report: number of classes, {}, does not match size of target_names, {}",
                labels.len(),
                n.len()
            )))
        }
        Some(n) => n.iter().map(|s| s.to_string()).collect(),
        None => labels.iter().map(|l| l.to_string()).collect(),
    };
    let prf = precision_recall_fscore_support(&t, &p, Some(&labels), 1.0)?;
    let heading = "weighted avg";
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(0)
        .max(heading.len())
        .max(digits);
    let mut out = String::new();
    let _ = write!(out, "{:>width$} ", "");
    for h in ["precision", "recall", "f1-score", "support"] {
        let _ = write!(out, " {h:>9}");
    }
    out.push_str("\n\n");
    let row = |out: &mut String, name: &str, v: [f64; 3], support: usize| {
        let _ = write!(out, "{name:>width$} ");
        for x in v {
            let _ = write!(out, " {x:>9.digits$}");
        }
        let _ = writeln!(out, " {support:>9}");
    };
    for (i, name) in names.iter().enumerate() {
        row(
            &mut out,
            name,
            [prf.precision[i], prf.recall[i], prf.fscore[i]],
            prf.support[i],
        );
    }
    out.push('\n');
    let total: usize = prf.support.iter().sum();
    let k = labels.len() as f64;
    let accuracy = t.iter().zip(&p).filter(|(a, b)| a == b).count() as f64 / t.len() as f64;
    let _ = writeln!(
        out,
        "{:>width$}  {:>9} {:>9} {accuracy:>9.digits$} {total:>9}",
        "accuracy", "", ""
    );
    let mean = |v: &[f64]| v.iter().sum::<f64>() / k;
    row(
        &mut out,
        "macro avg",
        [mean(&prf.precision), mean(&prf.recall), mean(&prf.fscore)],
        total,
    );
    let weighted = |v: &[f64]| {
        if total == 0 {
            0.0
        } else {
            v.iter().zip(&prf.support).map(|(a, &s)| a * s as f64).sum::<f64>() / total as f64
        }
    };
    row(
        &mut out,
        heading,
        [weighted(&prf.precision), weighted(&prf.recall), weighted(&prf.fscore)],
        total,
    );
    Ok(out)
}
