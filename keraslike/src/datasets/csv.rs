//! A strict CSV reader for numeric feature tables.

use crate::{Error, Result};
use std::path::Path;

/// A table read from CSV: numeric features (row-major) and the last column
/// as the target, kept as text so labels may be numbers or names.
#[derive(Clone, Debug)]
pub struct Table {
    /// Column names from the header row (features, then the target).
    pub columns: Vec<String>,
    /// Feature values, row-major: `x[r * n_features + c]`.
    pub x: Vec<f64>,
    /// Number of data rows.
    pub n_rows: usize,
    /// Number of feature columns (all but the last).
    pub n_features: usize,
    /// The last column of each row, as written.
    pub target: Vec<String>,
}

/// Reads a comma-separated file with a header row; every column but the
/// last must be numeric. Errors name the file, line and column.
///
/// Gzip-compressed files (`*.gz`, or any file starting with gzip's magic
/// bytes) are decompressed transparently, so large data sets can ship
/// compressed (`data/mnist_sample.csv.gz`).
pub fn read_csv(path: impl AsRef<Path>) -> Result<Table> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| {
        Error::file(
            path,
            format!("cannot read the CSV file: {e} (check the path; it is relative to the current directory)"),
        )
    })?;
    let text = decode(&bytes, path)?;
    parse_csv(&text, path)
}

/// The file's text, gunzipped when it is gzip data (checked by its magic
/// bytes, not only its extension, so a misnamed file still reads).
fn decode(bytes: &[u8], path: &Path) -> Result<String> {
    const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
    if bytes.starts_with(&GZIP_MAGIC) {
        use std::io::Read;
        // Multi-member files (`cat a.gz b.gz`) are valid gzip too.
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| Error::file(path, format!("cannot decompress the gzip CSV file: {e}")))?;
        Ok(text)
    } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz")) {
        Err(Error::file(
            path,
            "the name ends in .gz but the file is not gzip data (no gzip header)",
        ))
    } else {
        String::from_utf8(bytes.to_vec())
            .map_err(|e| Error::file(path, format!("the CSV file is not valid UTF-8 text: {e}")))
    }
}

fn parse_csv(text: &str, path: &Path) -> Result<Table> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| Error::file(path, "the file is empty; expected a header row and data rows"))?;
    let columns: Vec<String> = header.split(',').map(|s| s.trim().to_string()).collect();
    if columns.len() < 2 {
        return Err(Error::file(
            path,
            format!(
                "line 1: expected at least 2 columns (features, then the target), got {}",
                columns.len()
            ),
        ));
    }
    let n_features = columns.len() - 1;
    let (mut x, mut target) = (Vec::new(), Vec::new());
    for (i, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != columns.len() {
            return Err(Error::file(
                path,
                format!(
                    "line {}: expected {} fields like the header, got {} (a ragged row)",
                    i + 1,
                    columns.len(),
                    fields.len()
                ),
            ));
        }
        for (c, f) in fields[..n_features].iter().enumerate() {
            let v: f64 = f.parse().map_err(|_| {
                Error::file(
                    path,
                    format!(
                        "line {}, column {} ({:?}): {f:?} is not a number",
                        i + 1,
                        c + 1,
                        columns[c]
                    ),
                )
            })?;
            x.push(v);
        }
        target.push(fields[n_features].to_string());
    }
    if target.is_empty() {
        return Err(Error::file(path, "the file has a header but no data rows"));
    }
    Ok(Table {
        columns,
        n_rows: target.len(),
        n_features,
        x,
        target,
    })
}

impl Table {
    /// The feature rows at `idx`, row-major.
    pub fn rows(&self, idx: &[usize]) -> Vec<f64> {
        let f = self.n_features;
        idx.iter()
            .flat_map(|&r| self.x[r * f..(r + 1) * f].iter().copied())
            .collect()
    }

    /// The target as class indices into sorted class names (numeric names
    /// sort by value, others as text — scikit-learn's `classes_` order).
    pub fn class_labels(&self) -> (Vec<u32>, Vec<String>) {
        let mut classes: Vec<String> = self.target.clone();
        classes.sort_by(|a, b| match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.total_cmp(&y),
            _ => a.cmp(b),
        });
        classes.dedup();
        let labels = self
            .target
            .iter()
            .map(|t| classes.iter().position(|c| c == t).unwrap_or(0) as u32)
            .collect();
        (labels, classes)
    }

    /// The target parsed as numbers (for regression); errors name the row.
    pub fn target_values(&self) -> Result<Vec<f64>> {
        self.target
            .iter()
            .enumerate()
            .map(|(r, t)| {
                t.parse().map_err(|_| {
                    Error::data(format!(
                        "row {}: target {t:?} is not a number (regression needs numbers)",
                        r + 1
                    ))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_and_non_numeric_rows_name_line_and_column() {
        let p = Path::new("t.csv");
        let e = parse_csv("a,b,y\n1,2,0\n1,0\n", p).unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("ragged"), "{e}");
        let e = parse_csv("a,b,y\n1,x,0\n", p).unwrap_err().to_string();
        assert!(e.contains("line 2, column 2") && e.contains("\"b\""), "{e}");
    }

    #[test]
    fn gzip_files_read_like_plain_ones() {
        use std::io::Write;
        let text = "a,b,y\n1,2.5,0\n3,4,1\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let p = Path::new("t.csv.gz");
        let t = parse_csv(&decode(&gz, p).unwrap(), p).unwrap();
        assert_eq!((t.n_rows, t.n_features), (2, 2));
        assert_eq!(t.x, vec![1.0, 2.5, 3.0, 4.0]);
        assert_eq!(t.target, vec!["0", "1"]);
        // Plain text named .gz, and truncated gzip data, are errors naming the file.
        let e = decode(text.as_bytes(), p).unwrap_err().to_string();
        assert!(e.contains("t.csv.gz") && e.contains("not gzip"), "{e}");
        let e = decode(&gz[..gz.len() / 2], p).unwrap_err().to_string();
        assert!(e.contains("decompress"), "{e}");
    }

    #[test]
    fn classes_sort_numerically() {
        let t = parse_csv("a,y\n1,10\n2,9\n3,10\n", Path::new("t.csv")).unwrap();
        let (l, c) = t.class_labels();
        assert_eq!(c, vec!["9", "10"]);
        assert_eq!(l, vec![1, 0, 1]);
    }
}
