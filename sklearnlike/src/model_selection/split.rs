//! `train_test_split`: a seeded (optionally stratified) split of the rows
//! into a training and a test part.
//!
//! [`train_test_split`] takes `X` and `y` and returns the four parts, with
//! scikit-learn's sizes (`n_test = ceil(test_size * n)`, default 0.25);
//! [`train_test_split_indices`] returns row indices only (the form the
//! Keras examples and the MLPs' early stopping use; it sizes the test part
//! with `round`). The random stream is tensorlow's: the same
//! `random_state` gives the same split here, not scikit-learn's rows.
//!
//! ```
//! use ndarray::Array1;
//! use sklearnlike::model_selection::{train_test_split, SplitOptions};
//! # fn main() -> sklearnlike::Result<()> {
//! let x: Vec<[f64; 2]> = (0..10).map(|i| [i as f64, 0.0]).collect();
//! let y = Array1::from((0..10).map(|i| i % 2).collect::<Vec<i64>>());
//! let s = train_test_split(&x, &y, SplitOptions { test_size: 0.2, stratify: true, random_state: Some(0), ..Default::default() })?;
//! assert_eq!((s.x_train.nrows(), s.x_test.nrows()), (8, 2));
//! assert_eq!(s.y_test.iter().filter(|&&c| c == 1).count(), 1);
//! # Ok(()) }
//! ```

use crate::base::{IntoTargets, TargetData};
use crate::data::Features;
use crate::{Error, Result};
use ndarray::{Array2, Axis};
use tensorlow::random::Generator;

/// Splits `0..n` into shuffled (train, test) row indices with
/// `round(test_size * n)` test rows (at least 1, at most `n - 1`). With
/// `stratify` (one class index per row), each class is split in
/// proportion (largest remainders); the same `seed` gives the same split.
pub fn train_test_split_indices(
    n: usize,
    test_size: f64,
    stratify: Option<&[u32]>,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(Error::param(format!("test_size must be in (0, 1), got {test_size}")));
    }
    let n_test = ((test_size * n as f64).round() as usize).clamp(1, n.saturating_sub(1));
    split_rows(n, n_test, stratify, seed)
}

/// The shuffled split with exactly `n_test` test rows.
fn split_rows(n: usize, n_test: usize, stratify: Option<&[u32]>, seed: u64) -> Result<(Vec<usize>, Vec<usize>)> {
    if n < 2 {
        return Err(Error::data(format!(
            "cannot split {n} rows into a train and a test set"
        )));
    }
    let mut g = Generator::from_seed(seed);
    let mut test = Vec::with_capacity(n_test);
    match stratify {
        None => {
            let mut idx: Vec<usize> = (0..n).collect();
            g.shuffle(&mut idx);
            test.extend_from_slice(&idx[..n_test]);
        }
        Some(y) => {
            if y.len() != n {
                return Err(Error::shape(format!("stratify has {} labels for {n} rows", y.len())));
            }
            let k = y.iter().copied().max().map_or(0, |m| m as usize + 1);
            let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); k];
            for (i, &c) in y.iter().enumerate() {
                by_class[c as usize].push(i);
            }
            // Largest-remainder allocation of the test rows across classes.
            let quota: Vec<f64> = by_class
                .iter()
                .map(|v| v.len() as f64 * n_test as f64 / n as f64)
                .collect();
            let mut take: Vec<usize> = quota.iter().map(|q| q.floor() as usize).collect();
            let mut order: Vec<usize> = (0..k).collect();
            order.sort_by(|&a, &b| (quota[b] - quota[b].floor()).total_cmp(&(quota[a] - quota[a].floor())));
            let mut left = n_test - take.iter().sum::<usize>();
            for &c in order.iter().cycle().take(k * 2) {
                if left == 0 {
                    break;
                }
                if take[c] < by_class[c].len() {
                    take[c] += 1;
                    left -= 1;
                }
            }
            for (c, rows) in by_class.iter_mut().enumerate() {
                g.shuffle(rows);
                test.extend_from_slice(&rows[..take[c]]);
            }
            g.shuffle(&mut test);
        }
    }
    let mut is_test = vec![false; n];
    for &i in &test {
        is_test[i] = true;
    }
    let mut train: Vec<usize> = (0..n).filter(|&i| !is_test[i]).collect();
    g.shuffle(&mut train);
    Ok((train, test))
}

/// Options of [`train_test_split`], scikit-learn's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitOptions {
    /// The test share, in (0, 1) (default 0.25).
    pub test_size: f64,
    /// Shuffle before splitting (default true); without it the last rows
    /// are the test part.
    pub shuffle: bool,
    /// Keep the class proportions of `y` in both parts (`stratify=y`);
    /// classification targets only, needs `shuffle`.
    pub stratify: bool,
    /// The seed; `None` draws fresh entropy.
    pub random_state: Option<u64>,
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            test_size: 0.25,
            shuffle: true,
            stratify: false,
            random_state: None,
        }
    }
}

/// The four parts of a split, and the row indices they came from.
#[derive(Clone, Debug)]
pub struct Split<Y> {
    /// Training features.
    pub x_train: Array2<f64>,
    /// Test features.
    pub x_test: Array2<f64>,
    /// Training targets.
    pub y_train: Y,
    /// Test targets.
    pub y_test: Y,
    /// The rows of the training part.
    pub train_index: Vec<usize>,
    /// The rows of the test part.
    pub test_index: Vec<usize>,
}

/// Splits `x` and `y` (`model_selection.train_test_split(X, y, ...)`).
pub fn train_test_split<'a, Y: TargetData>(
    x: impl Into<Features<'a>>,
    y: impl IntoTargets<Y>,
    options: SplitOptions,
) -> Result<Split<Y>> {
    let x = x.into();
    let x = x.view()?;
    let y = y.into_targets()?;
    let n = x.nrows();
    if y.n_samples() != n {
        return Err(Error::shape(format!(
            "train_test_split: X has {n} samples but y has {}; they must match",
            y.n_samples()
        )));
    }
    let t = options.test_size;
    if !(t > 0.0 && t < 1.0) {
        return Err(Error::param(format!("test_size must be in (0, 1), got {t}")));
    }
    // scikit-learn's sizes: ceil for the test part, the rest for training.
    let n_test = (t * n as f64).ceil() as usize;
    if n_test == 0 || n_test >= n {
        return Err(Error::param(format!(
            "with n_samples={n} and test_size={t}, one of the parts would be empty; change test_size"
        )));
    }
    let (train, test) = if !options.shuffle {
        if options.stratify {
            return Err(Error::param(
                "stratified train/test split is not implemented for shuffle=False",
            ));
        }
        ((0..n - n_test).collect(), (n - n_test..n).collect())
    } else {
        let codes = if options.stratify {
            let c = y
                .class_codes()
                .ok_or_else(|| Error::param("stratify needs classification targets (labels), not regression values"))?;
            Some(c.into_iter().map(|v| v as u32).collect::<Vec<u32>>())
        } else {
            None
        };
        let seed = options
            .random_state
            .unwrap_or_else(|| Generator::from_entropy().next_u64());
        split_rows(n, n_test, codes.as_deref(), seed)?
    };
    Ok(Split {
        x_train: x.select(Axis(0), &train),
        x_test: x.select(Axis(0), &test),
        y_train: y.select(&train),
        y_test: y.select(&test),
        train_index: train,
        test_index: test,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_split_keeps_class_proportions_and_is_seeded() {
        let y: Vec<u32> = (0..150).map(|i| (i / 50) as u32).collect();
        let (train, test) = train_test_split_indices(150, 0.2, Some(&y), 3).unwrap();
        assert_eq!((train.len(), test.len()), (120, 30));
        for c in 0..3 {
            assert_eq!(test.iter().filter(|&&i| y[i] == c).count(), 10);
        }
        assert_eq!(train_test_split_indices(150, 0.2, Some(&y), 3).unwrap().1, test);
        assert_ne!(train_test_split_indices(150, 0.2, Some(&y), 4).unwrap().1, test);
    }

    #[test]
    fn sizes_follow_scikit_learn() {
        // sklearn: n_test = ceil(0.25 * 10) = 3; shuffle=False keeps the order.
        let x: Vec<[f64; 1]> = (0..10).map(|i| [i as f64]).collect();
        let y = ndarray::Array2::from_shape_fn((10, 1), |(i, _)| i as f64);
        let o = SplitOptions {
            shuffle: false,
            ..Default::default()
        };
        let s = train_test_split(&x, &y, o).unwrap();
        assert_eq!(s.test_index, vec![7, 8, 9]);
        assert_eq!(s.x_test.column(0).to_vec(), vec![7.0, 8.0, 9.0]);
        let o = SplitOptions {
            stratify: true,
            ..Default::default()
        };
        assert!(train_test_split(&x, &y, o)
            .unwrap_err()
            .to_string()
            .contains("classification"));
    }
}
