//! Loading and preparing small tabular data sets. Data in three lines —
//! a CSV file to tensors, a split that returns tensors, a scaler on
//! tensors ([`load_csv`], [`Dataset`]):
//!
//! ```
//! use keraslike::datasets::{load_csv, StandardScaler};
//! # fn main() -> keraslike::Result<()> {
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/iris.csv");
//! let data = load_csv(path)?.target("label")?; // path = "data/iris.csv"
//! let (train, test) = data.train_test_split(0.2, 0)?;
//! let scaler = StandardScaler::fit_tensor(&train.x)?;
//! let x_train = scaler.transform_tensor(&train.x)?; // and y_train = train.y or train.y_one_hot()?
//! assert_eq!((x_train.shape(), test.y.shape()), (&[120, 4][..], &[30][..]));
//! # Ok(()) }
//! ```
//!
//! Underneath: CSV files (plain or gzipped) read as a [`Table`] or
//! straight into `(x, y)` tensors ([`load_csv_xy`]), stratified
//! train/test splits of row indices, z-score and min-max scaling of
//! row-major slices, and one-hot labels ([`to_categorical`]). The splits
//! and scalers wrap `sklearnlike` (`model_selection`, `preprocessing`),
//! where scikit-learn's semantics live.
//!
//! ```
//! use keraslike::datasets::{read_csv, train_test_split, StandardScaler};
//! # fn main() -> keraslike::Result<()> {
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/iris.csv");
//! let table = read_csv(path)?;
//! assert_eq!((table.n_rows, table.n_features), (150, 4));
//! let (labels, classes) = table.class_labels();
//! assert_eq!(classes, vec!["0", "1", "2"]);
//! let (train, test) = train_test_split(table.n_rows, 0.2, Some(&labels), 0)?;
//! assert_eq!((train.len(), test.len()), (120, 30));
//! let scaler = StandardScaler::fit(&table.rows(&train), table.n_features)?;
//! let x = scaler.transform(&table.rows(&test))?;
//! assert_eq!(x.len(), 30 * 4);
//! # Ok(()) }
//! ```

mod categorical;
mod csv;
mod dataset;
mod min_max_scaler;
mod scaling;
mod split;
mod xy;

pub use categorical::to_categorical;
pub use csv::{parse_number, read_csv, read_csv_with, read_text, CsvOptions, Records, Table};
pub use dataset::{load_csv, load_csv_with, CsvFile, Dataset};
pub use min_max_scaler::MinMaxScaler;
pub use split::{train_test_split, StandardScaler};
pub use xy::{load_csv_xy, CsvXyOptions};
