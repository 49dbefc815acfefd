//! The MNIST sample every MNIST example trains on (`data/mnist_sample.csv.gz`,
//! 10,000 images, see `data/README.md`): pixels scaled to 0..1, each image
//! shaped as the example's model wants it, an optional stratified subset,
//! and the stratified 80/20 train/test split.
//!
//! Each MNIST example includes this file with
//! `#[path = "common/mnist.rs"] mod mnist;`.

use deeprust::keras::datasets::{load_csv_xy, train_test_split, CsvXyOptions};
use deeprust::tf::Tensor;

/// The split images and their digits (`u32` class indices).
pub struct Mnist {
    pub x_train: Tensor,
    pub y_train: Tensor,
    pub x_test: Tensor,
    pub y_test: Tensor,
}

/// The rows at `idx` of `x` and `y`.
fn rows(x: &Tensor, y: &Tensor, idx: &[usize]) -> anyhow::Result<(Tensor, Tensor)> {
    let ids: Vec<u32> = idx.iter().map(|&i| i as u32).collect();
    let idx = Tensor::from_vec(ids, &[idx.len()], &x.device())?;
    Ok((x.gather(&idx, 0)?, y.gather(&idx, 0)?))
}

/// Loads the images as `(n, image_shape...)` (`[784]`, `[28, 28]` or
/// `[28, 28, 1]`), keeps a stratified subset of `limit` images if given, and
/// splits 80/20 stratified by digit; `seed` fixes both draws.
pub fn load(image_shape: &[usize], limit: Option<usize>, seed: u64) -> anyhow::Result<Mnist> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist_sample.csv.gz");
    let (x, y) = load_csv_xy(path, CsvXyOptions::default())?;
    let n = x.shape()[0];
    let mut shape = vec![n];
    shape.extend_from_slice(image_shape);
    // Pixels 0..255 -> 0..1; y holds the digits as u32 class indices.
    let x = x.affine(1.0 / 255.0, 0.0)?.reshape(&shape)?;
    let (x, y) = match limit {
        // The file is sorted by digit: take a stratified subset, not the first rows.
        Some(k) if k < n => {
            let (_, keep) = train_test_split(n, k as f64 / n as f64, Some(&y.to_vec::<u32>()?), seed)?;
            rows(&x, &y, &keep)?
        }
        _ => (x, y),
    };
    let labels = y.to_vec::<u32>()?;
    let (train, test) = train_test_split(labels.len(), 0.2, Some(&labels), seed)?;
    let (x_train, y_train) = rows(&x, &y, &train)?;
    let (x_test, y_test) = rows(&x, &y, &test)?;
    Ok(Mnist {
        x_train,
        y_train,
        x_test,
        y_test,
    })
}
