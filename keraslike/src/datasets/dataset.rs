//! Data in three lines: a CSV file to tensors ([`load_csv`] then
//! [`CsvFile::target`]), a split that returns tensors
//! ([`Dataset::train_test_split`]) and scalers on tensors
//! ([`StandardScaler::fit_tensor`](super::StandardScaler::fit_tensor)).
//!
//! ```
//! use keraslike::datasets::{load_csv, StandardScaler};
//! # fn main() -> keraslike::Result<()> {
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/iris.csv");
//! let data = load_csv(path)?.target("label")?;             // x: (150, 4) float32, y: (150,) class indices
//! let (train, test) = data.train_test_split(0.2, 0)?;       // stratified by class, like stratify=y
//! let scaler = StandardScaler::fit_tensor(&train.x)?;       // z-scores from the training rows
//! let (x_train, x_test) = (scaler.transform_tensor(&train.x)?, scaler.transform_tensor(&test.x)?);
//! assert_eq!((x_train.shape(), x_test.shape()), (&[120, 4][..], &[30, 4][..]));
//! assert_eq!(train.y_one_hot()?.shape(), &[120, 3]);          // for categorical_crossentropy
//! assert_eq!((data.feature_names.len(), data.classes.clone()), (4, vec!["0".to_string(), "1".into(), "2".into()]));
//! # Ok(()) }
//! ```
//!
//! Regression reads the target as numbers, and columns that are neither
//! features nor the target can be left out:
//!
//! ```
//! # use keraslike::datasets::load_csv;
//! # fn main() -> keraslike::Result<()> {
//! # let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/iris.csv");
//! let data = load_csv(path)?.drop(&["label"])?.target_values("petal_width")?;
//! assert_eq!((data.x.shape(), data.y.shape()), (&[150, 3][..], &[150, 1][..]));
//! let e = load_csv(path)?.target("species").unwrap_err().to_string();
//! assert!(e.contains("no column \"species\"") && e.contains("label"), "{e}");
//! # Ok(()) }
//! ```

use super::csv::{parse_number, read_text, CsvOptions, Records, Table};
use super::split::train_test_split;
use crate::{Error, Result};
use std::path::{Path, PathBuf};
use tensorlow::{DType, Device, Tensor};

/// A CSV file read into memory (header checked), waiting to be told which
/// column is the target.
#[derive(Clone, Debug)]
pub struct CsvFile {
    path: PathBuf,
    text: String,
    options: CsvOptions,
    columns: Vec<String>,
    dropped: Vec<String>,
}

/// Reads a CSV file with a header row (plain or gzipped, separator
/// detected; see [`read_text`]). Pick the target with [`CsvFile::target`]
/// (classes) or [`CsvFile::target_values`] (numbers); every other column
/// is a feature and must be numeric.
pub fn load_csv(path: impl AsRef<Path>) -> Result<CsvFile> {
    load_csv_with(path, &CsvOptions::default())
}

/// [`load_csv`] with the reader's options (separator, non-finite cells).
pub fn load_csv_with(path: impl AsRef<Path>, options: &CsvOptions) -> Result<CsvFile> {
    let path = path.as_ref().to_path_buf();
    let text = read_text(&path)?;
    let columns = Records::parse(&text, &path, options, 2)?.columns;
    Ok(CsvFile {
        path,
        text,
        options: options.clone(),
        columns,
        dropped: Vec::new(),
    })
}

/// Features and targets as tensors, with the names they came from.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// The features, `(n, n_features)` float32, on the CPU.
    pub x: Tensor,
    /// Class indices `(n,)` uint32 (from [`CsvFile::target`]), or target
    /// values `(n, 1)` float32 (from [`CsvFile::target_values`]).
    pub y: Tensor,
    /// The feature columns' names, in `x`'s column order.
    pub feature_names: Vec<String>,
    /// The class names, sorted as scikit-learn's `classes_` (numbers by
    /// value, names as text): class `i` is `classes[i]`. Empty for
    /// regression targets.
    pub classes: Vec<String>,
}

impl CsvFile {
    /// The header's column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Leaves `names` out of the features (e.g. an id, or another target).
    pub fn drop(mut self, names: &[&str]) -> Result<CsvFile> {
        for n in names {
            self.column(n)?;
            self.dropped.push(n.to_string());
        }
        Ok(self)
    }

    fn column(&self, name: &str) -> Result<usize> {
        self.columns.iter().position(|c| c == name).ok_or_else(|| {
            Error::file(
                &self.path,
                format!(
                    "no column {name:?}{}; the columns are {}",
                    tensorlow::names::did_you_mean(name, self.columns.iter().map(String::as_str)),
                    self.columns.join(", ")
                ),
            )
        })
    }

    /// The features and the column `name` as class labels: `y` holds class
    /// indices (`(n,)` uint32) into [`Dataset::classes`].
    pub fn target(&self, name: &str) -> Result<Dataset> {
        let table = self.table(name)?;
        let (labels, classes) = table.class_labels();
        let y = Tensor::from_vec(labels, &[table.n_rows], &Device::cpu())?;
        Dataset::from_table(&table, y, classes)
    }

    /// The features and the column `name` as numbers (regression): `y` is
    /// `(n, 1)` float32.
    pub fn target_values(&self, name: &str) -> Result<Dataset> {
        let table = self.table(name)?;
        let v: Vec<f32> = table.target_values()?.into_iter().map(|v| v as f32).collect();
        let y = Tensor::from_vec(v, &[table.n_rows, 1], &Device::cpu())?;
        Dataset::from_table(&table, y, Vec::new())
    }

    /// The features (every column but the target and the dropped ones)
    /// parsed, and the target as text.
    fn table(&self, target: &str) -> Result<Table> {
        let t = self.column(target)?;
        if self.dropped.iter().any(|d| d == target) {
            return Err(Error::InvalidArgument(format!(
                "column {target:?} is both dropped and the target; drop other columns only"
            )));
        }
        let features: Vec<usize> = (0..self.columns.len())
            .filter(|&c| c != t && !self.dropped.contains(&self.columns[c]))
            .collect();
        if features.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "{}: no feature column is left besides the target {target:?}",
                self.path.display()
            )));
        }
        let rec = Records::parse(&self.text, &self.path, &self.options, 2)?;
        let mut x = Vec::with_capacity(rec.rows.len() * features.len());
        let mut labels = Vec::with_capacity(rec.rows.len());
        for (line, cells) in &rec.rows {
            for &c in &features {
                x.push(parse_number(
                    &self.path,
                    cells[c],
                    *line,
                    c,
                    &self.columns[c],
                    &self.options,
                )?);
            }
            if cells[t].is_empty() {
                return Err(Error::file(
                    &self.path,
                    format!(
                        "line {line}, column {} ({target:?}): the target is empty; every row needs one",
                        t + 1
                    ),
                ));
            }
            labels.push(cells[t].to_string());
        }
        let mut columns: Vec<String> = features.iter().map(|&c| self.columns[c].clone()).collect();
        columns.push(target.to_string());
        Ok(Table {
            columns,
            x,
            n_rows: labels.len(),
            n_features: features.len(),
            target: labels,
        })
    }
}

impl Dataset {
    fn from_table(table: &Table, y: Tensor, classes: Vec<String>) -> Result<Dataset> {
        let x: Vec<f32> = table.x.iter().map(|&v| v as f32).collect();
        Ok(Dataset {
            x: Tensor::from_vec(x, &[table.n_rows, table.n_features], &Device::cpu())?,
            y,
            feature_names: table.columns[..table.n_features].to_vec(),
            classes,
        })
    }

    /// The number of rows.
    pub fn len(&self) -> usize {
        self.x.shape()[0]
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of classes (0 for regression targets).
    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// `y` one-hot encoded, `(n, n_classes)` float32, for
    /// `categorical_crossentropy` (Keras' `to_categorical(y)`).
    pub fn y_one_hot(&self) -> Result<Tensor> {
        if self.classes.is_empty() {
            return Err(Error::InvalidArgument(
                "y_one_hot: this data set has regression targets, not classes (load it with target, not target_values)"
                    .into(),
            ));
        }
        Ok(self.y.one_hot(self.classes.len(), DType::F32)?)
    }

    /// The rows at `idx`, in that order.
    pub fn rows(&self, idx: &[usize]) -> Result<Dataset> {
        let ids: Vec<u32> = idx
            .iter()
            .map(|&i| {
                u32::try_from(i).ok().filter(|_| i < self.len()).ok_or_else(|| {
                    Error::InvalidArgument(format!("row {i} is out of range for a data set of {} rows", self.len()))
                })
            })
            .collect::<Result<_>>()?;
        let ids = Tensor::from_vec(ids, &[idx.len()], &self.x.device())?;
        Ok(Dataset {
            x: self.x.gather(&ids, 0)?,
            y: self.y.gather(&ids, 0)?,
            feature_names: self.feature_names.clone(),
            classes: self.classes.clone(),
        })
    }

    /// Shuffled `(train, test)` with `round(test_size * n)` test rows,
    /// stratified by class for class targets (scikit-learn's
    /// `train_test_split(x, y, test_size, stratify=y, random_state=seed)`),
    /// plainly shuffled for regression targets. The same seed gives the
    /// same split as [`train_test_split`](super::train_test_split) on row
    /// indices.
    pub fn train_test_split(&self, test_size: f64, seed: u64) -> Result<(Dataset, Dataset)> {
        let labels = if self.classes.is_empty() {
            None
        } else {
            Some(self.y.to_vec::<u32>()?)
        };
        self.split(test_size, seed, labels.as_deref())
    }

    /// Like [`train_test_split`](Self::train_test_split), stratified by
    /// `groups` (one class index per row, `(n,)` uint32) instead of `y`:
    /// e.g. a regression split that keeps every species in both parts
    /// (scikit-learn's `stratify=species`).
    pub fn train_test_split_stratified(
        &self,
        test_size: f64,
        seed: u64,
        groups: &Tensor,
    ) -> Result<(Dataset, Dataset)> {
        if groups.shape() != [self.len()] || groups.dtype() != DType::U32 {
            return Err(Error::Shape(format!(
                "train_test_split_stratified: groups must be ({},) uint32 class indices, one per row, got shape {:?} of {}",
                self.len(),
                groups.shape(),
                groups.dtype()
            )));
        }
        self.split(test_size, seed, Some(&groups.to_vec::<u32>()?))
    }

    fn split(&self, test_size: f64, seed: u64, stratify: Option<&[u32]>) -> Result<(Dataset, Dataset)> {
        let (train, test) = train_test_split(self.len(), test_size, stratify, seed)?;
        Ok((self.rows(&train)?, self.rows(&test)?))
    }

    /// The same data on `device`.
    pub fn to_device(&self, device: &Device) -> Result<Dataset> {
        Ok(Dataset {
            x: self.x.to_device(device)?,
            y: self.y.to_device(device)?,
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("keraslike_dataset_{name}_{}.csv", std::process::id()));
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn any_column_can_be_the_target() {
        let p = file("target", "id,label,a,b\n7,cat,1,2\n8,ant,3,4.5\n9,cat,5,6\n");
        let d = load_csv(&p).unwrap().drop(&["id"]).unwrap().target("label").unwrap();
        assert_eq!(d.feature_names, vec!["a", "b"]);
        assert_eq!(d.x.to_vec::<f32>().unwrap(), vec![1.0, 2.0, 3.0, 4.5, 5.0, 6.0]);
        assert_eq!(d.classes, vec!["ant", "cat"]);
        assert_eq!(d.y.to_vec::<u32>().unwrap(), vec![1, 0, 1]);
        assert_eq!(
            d.rows(&[2, 0]).unwrap().x.to_vec::<f32>().unwrap(),
            vec![5.0, 6.0, 1.0, 2.0]
        );
        let r = load_csv(&p)
            .unwrap()
            .drop(&["label"])
            .unwrap()
            .target_values("b")
            .unwrap();
        assert_eq!(r.feature_names, vec!["id", "a"]);
        assert_eq!(r.y.to_vec::<f32>().unwrap(), vec![2.0, 4.5, 6.0]);
        assert!(r.y_one_hot().is_err());
        std::fs::remove_file(&p).ok();
    }

    #[test]
    fn mistakes_name_the_column_line_and_alternatives() {
        let p = file("bad", "a,b,label\n1,2,x\n1,oops,y\n");
        let err = |r: Result<Dataset>| r.unwrap_err().to_string();
        let f = load_csv(&p).unwrap();
        assert!(err(f.target("lable")).contains("did you mean \"label\"?"));
        assert!(err(f.target("label")).contains("line 3, column 2 (\"b\")"));
        assert!(err(f.clone().drop(&["b"]).unwrap().target_values("label")).contains("not a number"));
        assert!(err(f.clone().drop(&["a", "b"]).unwrap().target("label")).contains("no feature column"));
        let d = f.drop(&["b"]).unwrap().target("label").unwrap();
        assert!(d.rows(&[5]).unwrap_err().to_string().contains("row 5 is out of range"));
        std::fs::remove_file(&p).ok();
    }

    #[test]
    fn the_split_is_the_index_split() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/iris.csv");
        let d = load_csv(path).unwrap().target("label").unwrap();
        let (train, test) = d.train_test_split(0.2, 3).unwrap();
        let labels = d.y.to_vec::<u32>().unwrap();
        let (tr, te) = train_test_split(150, 0.2, Some(&labels), 3).unwrap();
        let pick = |idx: &[usize]| idx.iter().map(|&i| labels[i]).collect::<Vec<_>>();
        assert_eq!(train.y.to_vec::<u32>().unwrap(), pick(&tr));
        assert_eq!(test.y.to_vec::<u32>().unwrap(), pick(&te));
        // Stratified: 10 test rows of each of the 3 classes.
        let counts = (0..3)
            .map(|c| pick(&te).iter().filter(|&&l| l == c).count())
            .collect::<Vec<_>>();
        assert_eq!(counts, vec![10, 10, 10]);
        // A regression split stratified by the species is the same index split.
        let r = load_csv(path)
            .unwrap()
            .drop(&["label"])
            .unwrap()
            .target_values("petal_width")
            .unwrap();
        let (rtrain, _) = r.train_test_split_stratified(0.2, 3, &d.y).unwrap();
        assert_eq!(
            rtrain.x.to_vec::<f32>().unwrap(),
            d.rows(&tr).unwrap().x.i((.., 0..3)).unwrap().to_vec::<f32>().unwrap()
        );
        assert!(r.train_test_split_stratified(0.2, 3, &d.x).is_err());
    }
}
