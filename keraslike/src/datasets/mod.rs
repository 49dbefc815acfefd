//! Loading and preparing small tabular data sets: CSV files, stratified
//! train/test splits and z-score scaling.
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

mod csv;
mod split;

pub use csv::{read_csv, Table};
pub use split::{train_test_split, StandardScaler};
