//! Test helpers: the repository's numeric CSV fixtures (`data/*.csv`, a
//! header row, the label last) and scikit-learn's split indices.
#![allow(dead_code)]

use ndarray::Array2;

/// The path of `data/<name>`.
pub fn data_path(name: &str) -> String {
    format!("{}/../data/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A numeric CSV fixture: features `(n, f)` and the last column as labels.
pub fn read_xy(name: &str) -> (Array2<f64>, Vec<i64>) {
    let text = std::fs::read_to_string(data_path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let f = lines.next().expect("a header").split(',').count() - 1;
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for l in lines {
        let v: Vec<f64> = l.split(',').map(|s| s.trim().parse().expect("a number")).collect();
        x.extend_from_slice(&v[..f]);
        y.push(v[f] as i64);
    }
    (Array2::from_shape_vec((y.len(), f), x).unwrap(), y)
}

/// Row indices, one per line (`data/splits/*.txt`).
pub fn indices(name: &str) -> Vec<usize> {
    std::fs::read_to_string(data_path(&format!("splits/{name}")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect()
}
