//! Stratified train/test splits and z-score scaling.

use crate::{Error, Result};
use tensorlow::random::Generator;

/// Splits `0..n` into shuffled (train, test) row indices with
/// `round(test_size * n)` test rows. With `stratify` (one class index per
/// row), each class is split in proportion, like scikit-learn's
/// `train_test_split(stratify=y)`; the same `seed` gives the same split.
pub fn train_test_split(
    n: usize,
    test_size: f64,
    stratify: Option<&[u32]>,
    seed: u64,
) -> Result<(Vec<usize>, Vec<usize>)> {
    if !(test_size > 0.0 && test_size < 1.0) {
        return Err(Error::arg(format!("test_size must be in (0, 1), got {test_size}")));
    }
    let n_test = ((test_size * n as f64).round() as usize).clamp(1, n.saturating_sub(1));
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
                return Err(Error::data(format!("stratify has {} labels for {n} rows", y.len())));
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

/// Z-score scaling with the training set's mean and standard deviation
/// (scikit-learn's `StandardScaler`; constant columns are left unscaled).
#[derive(Clone, Debug, PartialEq)]
pub struct StandardScaler {
    /// Per-feature mean.
    pub mean: Vec<f64>,
    /// Per-feature population standard deviation (1 for constant columns).
    pub scale: Vec<f64>,
}

impl StandardScaler {
    /// Learns mean and standard deviation from row-major `x`.
    pub fn fit(x: &[f64], n_features: usize) -> Result<Self> {
        if n_features == 0 || x.is_empty() || !x.len().is_multiple_of(n_features) {
            return Err(Error::data(format!(
                "StandardScaler.fit: {} values do not form rows of {n_features} features",
                x.len()
            )));
        }
        let n = (x.len() / n_features) as f64;
        let mut mean = vec![0.0; n_features];
        for row in x.chunks(n_features) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v / n;
            }
        }
        let mut var = vec![0.0; n_features];
        for row in x.chunks(n_features) {
            for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m) / n;
            }
        }
        let scale = var.iter().map(|v| if *v > 0.0 { v.sqrt() } else { 1.0 }).collect();
        Ok(StandardScaler { mean, scale })
    }

    /// `(x - mean) / scale`, row-major.
    pub fn transform(&self, x: &[f64]) -> Result<Vec<f64>> {
        let f = self.mean.len();
        if !x.len().is_multiple_of(f) {
            return Err(Error::data(format!(
                "StandardScaler.transform: {} values are not rows of {f} features",
                x.len()
            )));
        }
        Ok(x.chunks(f)
            .flat_map(|row| row.iter().enumerate().map(|(c, v)| (v - self.mean[c]) / self.scale[c]))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_split_keeps_class_proportions_and_is_seeded() {
        let y: Vec<u32> = (0..150).map(|i| (i / 50) as u32).collect();
        let (train, test) = train_test_split(150, 0.2, Some(&y), 3).unwrap();
        assert_eq!((train.len(), test.len()), (120, 30));
        for c in 0..3 {
            assert_eq!(test.iter().filter(|&&i| y[i] == c).count(), 10);
        }
        assert_eq!(train_test_split(150, 0.2, Some(&y), 3).unwrap().1, test);
        assert_ne!(train_test_split(150, 0.2, Some(&y), 4).unwrap().1, test);
    }

    #[test]
    fn scaler_gives_zero_mean_unit_variance() {
        let x = [1.0, 10.0, 3.0, 10.0];
        let s = StandardScaler::fit(&x, 2).unwrap();
        assert_eq!(s.mean, vec![2.0, 10.0]);
        assert_eq!(s.scale, vec![1.0, 1.0]);
        assert_eq!(s.transform(&x).unwrap(), vec![-1.0, 0.0, 1.0, 0.0]);
    }
}
