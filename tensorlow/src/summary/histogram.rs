//! Histogram buckets as `tf.summary.histogram` computes them
//! (TensorBoard's `plugins/histogram/summary_v2.py`, `_buckets`).
//!
//! `k` buckets of equal width span `[min, max]`; a value's bucket is
//! `floor((x - min) / width)`, clamped to `k - 1` (so `max` falls in the last
//! one). Edges are `min + i * (max - min) / k` with the last edge set to
//! `max` exactly, as TensorFlow's `linspace` then the explicit fix-up give.
//! Edge cases follow TensorBoard: no data gives `k` all-zero rows, a single
//! distinct value gives `k` rows with both edges at that value and every
//! count in the last row. NaN and infinite values are left out (TensorFlow
//! would put them in arbitrary buckets and TensorBoard cannot draw them).
//!
//! ```
//! use tensorlow::summary::histogram_buckets;
//! let rows = histogram_buckets(&[0.0, 1.0, 1.0, 4.0], 4);
//! assert_eq!(rows, vec![[0.0, 1.0, 1.0], [1.0, 2.0, 2.0], [2.0, 3.0, 0.0], [3.0, 4.0, 1.0]]);
//! ```

/// TensorBoard's default bucket count (`DEFAULT_BUCKET_COUNT`).
pub const DEFAULT_BUCKETS: usize = 30;

/// The `[left_edge, right_edge, count]` rows of a histogram of `values`
/// with `buckets` buckets (see the module doc for the rules).
pub fn histogram_buckets(values: &[f64], buckets: usize) -> Vec<[f64; 3]> {
    let k = buckets;
    let finite = || values.iter().copied().filter(|v| v.is_finite());
    let n = finite().count();
    if k == 0 {
        return Vec::new();
    }
    if n == 0 {
        return vec![[0.0; 3]; k];
    }
    let min = finite().fold(f64::INFINITY, f64::min);
    let max = finite().fold(f64::NEG_INFINITY, f64::max);
    let range = max - min;
    if range == 0.0 {
        let mut rows = vec![[max, max, 0.0]; k];
        rows[k - 1][2] = n as f64;
        return rows;
    }
    let width = range / k as f64;
    let mut counts = vec![0u64; k];
    for v in finite() {
        // (v - min) / width >= 0 and finite, so the cast is exact or saturates.
        let i = ((v - min) / width).floor() as usize;
        counts[i.min(k - 1)] += 1;
    }
    let step = range / k as f64;
    let edge = |i: usize| if i == k { max } else { min + step * i as f64 };
    (0..k).map(|i| [edge(i), edge(i + 1), counts[i] as f64]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_by_hand() {
        // min 0, max 3, k 3: width 1; 3 -> floor(3) = 3, clamped to 2.
        let rows = histogram_buckets(&[0.0, 0.5, 1.0, 2.9, 3.0], 3);
        assert_eq!(rows, vec![[0.0, 1.0, 2.0], [1.0, 2.0, 1.0], [2.0, 3.0, 2.0]]);
        // Negative values: min -2, max 2, k 2: edges -2, 0, 2.
        let rows = histogram_buckets(&[-2.0, -0.1, 0.0, 2.0], 2);
        assert_eq!(rows, vec![[-2.0, 0.0, 2.0], [0.0, 2.0, 2.0]]);
    }

    #[test]
    fn edge_cases_follow_tensorboard() {
        assert_eq!(histogram_buckets(&[], 2), vec![[0.0; 3]; 2]);
        assert_eq!(histogram_buckets(&[1.0, 2.0], 0), Vec::<[f64; 3]>::new());
        assert_eq!(
            histogram_buckets(&[5.0; 3], 3),
            vec![[5.0, 5.0, 0.0], [5.0, 5.0, 0.0], [5.0, 5.0, 3.0]]
        );
        // Non-finite values are left out.
        let rows = histogram_buckets(&[f64::NAN, 0.0, 1.0, f64::INFINITY], 2);
        assert_eq!(rows, vec![[0.0, 0.5, 1.0], [0.5, 1.0, 1.0]]);
    }

    #[test]
    fn last_edge_is_max_exactly() {
        // 0.1 * 3 != 0.3 in binary; the last edge is still max itself.
        let rows = histogram_buckets(&[0.0, 0.3], 3);
        assert_eq!(rows[2][1], 0.3);
        assert_eq!(rows.iter().map(|r| r[2]).sum::<f64>(), 2.0);
    }
}
