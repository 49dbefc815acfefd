//! A CSV file as the estimator's input: the target column by name (or the
//! last), numeric feature columns as they are, text columns one-hot encoded
//! (or rejected, naming the column), and the schema that `predict` needs to
//! encode a new file the same way.

use anyhow::{anyhow, bail, Result};
use deeprust::keras::datasets::{parse_number, read_text, CsvOptions, Records};
use deeprust::sklearn::preprocessing::{HandleUnknown, OneHotEncoder};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// How a feature column is read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Numbers, used as they are.
    Numeric,
    /// Text, one-hot encoded.
    Categorical,
}

/// The feature columns (in the file's order) and the target's name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub features: Vec<(String, Kind)>,
    pub target: String,
    /// The encoder of the categorical columns, in their order.
    pub encoder: Option<OneHotEncoder<String>>,
}

/// A CSV file split into cells.
pub struct Csv {
    text: String,
    delimiter: Option<char>,
    path: std::path::PathBuf,
}

impl Csv {
    /// Reads `path` (gzip and a BOM are handled, size bounded).
    pub fn read(path: &Path, delimiter: Option<char>) -> Result<Self> {
        Ok(Csv {
            text: read_text(path)?,
            delimiter,
            path: path.to_path_buf(),
        })
    }

    fn records(&self, min_columns: usize) -> Result<Records<'_>> {
        let options = CsvOptions {
            delimiter: self.delimiter,
            ..CsvOptions::default()
        };
        Ok(Records::parse(&self.text, &self.path, &options, min_columns)?)
    }
}

fn column_index(columns: &[String], name: &str, path: &Path) -> Result<usize> {
    columns.iter().position(|c| c == name).ok_or_else(|| {
        anyhow!(
            "{}: there is no column {name:?}; the columns are {columns:?}",
            path.display()
        )
    })
}

/// Training data: features, the target cells and the schema.
pub struct Training {
    pub x: Array2<f64>,
    pub target: Vec<String>,
    pub schema: Schema,
    /// The data line of each row (for messages about the target).
    pub lines: Vec<usize>,
}

/// Splits the file into features and target, choosing each column's kind.
pub fn training(csv: &Csv, target: Option<&str>, categorical: bool) -> Result<Training> {
    let rec = csv.records(2)?;
    let path = csv.path.as_path();
    let t = match target {
        Some(name) => column_index(&rec.columns, name, path)?,
        None => rec.columns.len() - 1,
    };
    let options = CsvOptions::default();
    let mut features = Vec::new();
    let mut numeric: Vec<Vec<f64>> = Vec::new();
    let mut text: Vec<Vec<String>> = Vec::new();
    for (c, name) in rec.columns.iter().enumerate() {
        if c == t {
            continue;
        }
        let parsed: std::result::Result<Vec<f64>, _> = rec
            .rows
            .iter()
            .map(|(line, cells)| parse_number(path, cells[c], *line, c, name, &options))
            .collect();
        let is_text = rec
            .rows
            .iter()
            .any(|(_, cells)| !cells[c].is_empty() && cells[c].parse::<f64>().is_err());
        if is_text && categorical {
            let mut col = Vec::with_capacity(rec.rows.len());
            for (line, cells) in &rec.rows {
                if cells[c].is_empty() {
                    bail!(
                        "{}: line {line}, column {} ({name:?}): the cell is empty; missing values are not supported",
                        path.display(),
                        c + 1
                    );
                }
                col.push(cells[c].to_string());
            }
            text.push(col);
            features.push((name.clone(), Kind::Categorical));
        } else {
            match parsed {
                Ok(v) => numeric.push(v),
                Err(e) if is_text => {
                    bail!("{e}; column {name:?} holds text: drop --no-categorical to one-hot encode it")
                }
                Err(e) => return Err(e.into()),
            }
            features.push((name.clone(), Kind::Numeric));
        }
    }
    let mut target_cells = Vec::with_capacity(rec.rows.len());
    for (line, cells) in &rec.rows {
        if cells[t].is_empty() {
            bail!(
                "{}: line {line}, column {} ({:?}): the target is empty; every row needs one",
                path.display(),
                t + 1,
                rec.columns[t]
            );
        }
        target_cells.push(cells[t].to_string());
    }
    let encoder = if text.is_empty() {
        None
    } else {
        let cats = Array2::from_shape_fn((rec.rows.len(), text.len()), |(r, j)| text[j][r].clone());
        let mut enc = OneHotEncoder::<String>::new().handle_unknown(HandleUnknown::Warn);
        enc.fit(cats.view())?;
        Some(enc)
    };
    let schema = Schema {
        features,
        target: rec.columns[t].clone(),
        encoder,
    };
    let x = assemble(&schema, &numeric, &text, rec.rows.len())?;
    Ok(Training {
        x,
        target: target_cells,
        schema,
        lines: rec.rows.iter().map(|(l, _)| *l).collect(),
    })
}

/// Numeric columns, then the one-hot columns.
fn assemble(schema: &Schema, numeric: &[Vec<f64>], text: &[Vec<String>], n: usize) -> Result<Array2<f64>> {
    let onehot = match &schema.encoder {
        Some(enc) => {
            let cats = Array2::from_shape_fn((n, text.len()), |(r, j)| text[j][r].clone());
            enc.transform(cats.view())?
        }
        None => Array2::zeros((n, 0)),
    };
    let width = numeric.len() + onehot.ncols();
    if width == 0 {
        bail!("the file has no feature column besides the target {:?}", schema.target);
    }
    Ok(Array2::from_shape_fn((n, width), |(r, c)| {
        if c < numeric.len() {
            numeric[c][r]
        } else {
            onehot[[r, c - numeric.len()]]
        }
    }))
}

/// A new file encoded as the schema says: columns found by name (other
/// columns, such as the target, are ignored); unseen categories become
/// zeros, with a warning.
pub fn features(csv: &Csv, schema: &Schema) -> Result<Array2<f64>> {
    let rec = csv.records(1)?;
    let path = csv.path.as_path();
    let options = CsvOptions::default();
    let (mut numeric, mut text) = (Vec::new(), Vec::new());
    for (name, kind) in &schema.features {
        let c = column_index(&rec.columns, name, path).map_err(|e| {
            anyhow!(
                "{e} (the model was trained on {:?})",
                schema.features.iter().map(|f| &f.0).collect::<Vec<_>>()
            )
        })?;
        match kind {
            Kind::Numeric => numeric.push(
                rec.rows
                    .iter()
                    .map(|(line, cells)| parse_number(path, cells[c], *line, c, name, &options))
                    .collect::<std::result::Result<Vec<f64>, _>>()?,
            ),
            Kind::Categorical => text.push(rec.rows.iter().map(|(_, cells)| cells[c].to_string()).collect()),
        }
    }
    assemble(schema, &numeric, &text, rec.rows.len())
}
