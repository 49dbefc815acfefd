//! Loading and preparing small tabular data sets: CSV files (plain or
//! gzipped) read as a [`Table`] or straight into `(x, y)` tensors
//! ([`load_csv_xy`]), stratified train/test splits, z-score and min-max
//! scaling, and one-hot labels ([`to_categorical`]). The splits and scalers
//! are row-major wrappers over `sklearnlike` (`model_selection`,
//! `preprocessing`), where scikit-learn's semantics live.
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
mod min_max_scaler;
mod split;
mod xy;

pub use categorical::to_categorical;
pub use csv::{parse_number, read_csv, read_csv_with, read_text, CsvOptions, Records, Table};
pub use min_max_scaler::MinMaxScaler;
pub use split::{train_test_split, StandardScaler};
pub use xy::{load_csv_xy, CsvXyOptions};
