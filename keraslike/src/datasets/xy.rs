//! [`load_csv_xy`]: a CSV file straight into `(x, y)` tensors for `fit`.
//!
//! ```
//! use keraslike::datasets::{load_csv_xy, CsvXyOptions};
//! # fn main() -> keraslike::Result<()> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/iris.csv");
//! let (x, y) = load_csv_xy(path, CsvXyOptions::default())?;
//! assert_eq!((x.shape(), y.shape()), (&[150, 4][..], &[150][..]));
//! let (_, y) = load_csv_xy(path, CsvXyOptions { one_hot: true, ..CsvXyOptions::default() })?;
//! assert_eq!(y.shape(), &[150, 3]);
//! # Ok(()) }
//! ```

use super::csv::read_csv;
use crate::Result;
use std::path::Path;
use tensorlow::{DType, Device, Tensor};

/// Options of [`load_csv_xy`].
#[derive(Clone, Debug)]
pub struct CsvXyOptions {
    /// Return `y` one-hot encoded, `(n, num_classes)` f32 (for
    /// `categorical_crossentropy`), instead of class indices, `(n,)` u32
    /// (for `sparse_categorical_crossentropy`). Default `false`.
    pub one_hot: bool,
    /// Where the tensors are created (default the CPU; `fit` moves its data
    /// to the model's device itself).
    pub device: Device,
}

impl Default for CsvXyOptions {
    fn default() -> Self {
        CsvXyOptions {
            one_hot: false,
            device: Device::cpu(),
        }
    }
}

/// Reads a CSV file with a header row (see [`read_csv`]: numeric feature
/// columns, the label last; `.gz` files are decompressed) into `x`, an
/// `(n, n_features)` f32 tensor, and `y`, the labels as class indices.
///
/// Class index `i` is the `i`-th distinct label in sorted order (numbers by
/// value, names as text — scikit-learn's `classes_`), so labels `0..k`
/// keep their values. The number of classes is the number of distinct
/// labels in the file. For the class names, or for regression targets, use
/// [`read_csv`] with [`Table::class_labels`](super::Table::class_labels) or
/// [`Table::target_values`](super::Table::target_values).
///
/// Errors name the file, line and column of a bad value.
pub fn load_csv_xy(path: impl AsRef<Path>, options: CsvXyOptions) -> Result<(Tensor, Tensor)> {
    let table = read_csv(path)?;
    let x: Vec<f32> = table.x.iter().map(|&v| v as f32).collect();
    let x = Tensor::from_vec(x, &[table.n_rows, table.n_features], &options.device)?;
    let (labels, classes) = table.class_labels();
    let y = Tensor::from_vec(labels, &[table.n_rows], &options.device)?;
    let y = if options.one_hot {
        y.one_hot(classes.len(), DType::F32)?
    } else {
        y
    };
    Ok((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_sorted_class_indices_or_one_hot() {
        let path = std::env::temp_dir().join(format!("keraslike_xy_{}.csv", std::process::id()));
        std::fs::write(&path, "a,b,label\n1,2,cat\n3,4.5,ant\n5,6,cat\n").unwrap();
        let (x, y) = load_csv_xy(&path, CsvXyOptions::default()).unwrap();
        assert_eq!(x.dtype(), DType::F32);
        assert_eq!(x.to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0, 4.5, 5.0, 6.0]);
        // Sorted classes: ant = 0, cat = 1.
        assert_eq!(y.dtype(), DType::U32);
        assert_eq!(y.to_vec::<u32>().unwrap(), vec![1, 0, 1]);
        let (_, y) = load_csv_xy(
            &path,
            CsvXyOptions {
                one_hot: true,
                ..CsvXyOptions::default()
            },
        )
        .unwrap();
        assert_eq!(y.shape(), &[3, 2]);
        assert_eq!(y.to_vec::<f32>().unwrap(), vec![0.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        std::fs::remove_file(&path).unwrap();
        let e = load_csv_xy(&path, CsvXyOptions::default()).unwrap_err().to_string();
        assert!(e.contains("keraslike_xy_"), "{e}");
    }
}
