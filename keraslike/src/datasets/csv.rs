//! A strict CSV reader for numeric feature tables.
//!
//! The reader is split into steps that other readers reuse: [`read_text`]
//! (file -> text: gzip, UTF-8, byte-order mark, bounded size),
//! [`Records::parse`] (text -> header and rows of cells, separator detected
//! or given) and [`parse_number`] (one cell -> `f64`, errors naming line and
//! column). [`read_csv`] puts them together for the common layout:
//! numeric features, then the target in the last column.
//!
//! Cells that parse but are not finite (`NaN`, `inf`, `1e400`) are errors
//! naming the line and column unless [`CsvOptions::allow_non_finite`] is
//! set: a NaN in the features would silently turn a model's weights into NaN.
//!
//! ```
//! use keraslike::datasets::{read_csv_with, CsvOptions};
//! # fn main() -> keraslike::Result<()> {
//! let path = std::env::temp_dir().join(format!("csv_doc_{}.csv", std::process::id()));
//! std::fs::write(&path, "\u{feff}a;b;y\n1;2.5;cat\n3;4;dog\n").unwrap();
//! let t = read_csv_with(&path, &CsvOptions::default())?; // ';' is detected, the BOM dropped
//! assert_eq!(t.columns, vec!["a", "b", "y"]);
//! assert_eq!(t.x, vec![1.0, 2.5, 3.0, 4.0]);
//! std::fs::write(&path, "a,y\n1,0\nNaN,1\n").unwrap();
//! let e = read_csv_with(&path, &CsvOptions::default()).unwrap_err().to_string();
//! assert!(e.contains("line 3, column 1") && e.contains("NaN"), "{e}");
//! # std::fs::remove_file(&path).ok();
//! # Ok(()) }
//! ```

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

/// Options of [`read_csv_with`] and the reader's steps.
#[derive(Clone, Debug, Default)]
pub struct CsvOptions {
    /// The field separator; `None` (the default) detects it from the header
    /// line: `,` if it holds one, else `;`, else a tab.
    pub delimiter: Option<char>,
    /// Accept cells that are `NaN` or infinite (`inf`, or out of `f64`'s
    /// range such as `1e400`) instead of reporting them (default `false`).
    pub allow_non_finite: bool,
}

/// Reads a comma-separated file with a header row; every column but the
/// last must be numeric. Errors name the file, line and column.
///
/// Gzip-compressed files (`*.gz`, or any file starting with gzip's magic
/// bytes) are decompressed transparently, so large data sets can ship
/// compressed (`data/mnist_sample.csv.gz`). The same as [`read_csv_with`]
/// with default options (separator detected, non-finite cells refused).
pub fn read_csv(path: impl AsRef<Path>) -> Result<Table> {
    read_csv_with(path, &CsvOptions::default())
}

/// [`read_csv`] with options: the separator, and whether `NaN` / infinite
/// cells are accepted.
pub fn read_csv_with(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Table> {
    let path = path.as_ref();
    let text = read_text(path)?;
    parse_csv(&text, path, options)
}

/// The text of a CSV file: gunzipped when it is gzip data (checked by its
/// magic bytes, not only its extension, so a misnamed file still reads),
/// checked to be UTF-8, without a leading byte-order mark. The file, and
/// gzip data once decompressed, may be at most a quarter of
/// [`tensorlow::limits::max_alloc_bytes`] (the parsed numbers take up to
/// four times the text), so a decompression bomb is an error, not an abort.
pub fn read_text(path: &Path) -> Result<String> {
    use std::io::Read;
    let limit = tensorlow::limits::max_alloc_bytes() / 4;
    let too_big = |what: &str| {
        Error::file(
            path,
            format!("the {what} is larger than {limit} bytes, the most this reader takes (see tensorlow::limits)"),
        )
    };
    let cannot = |e: std::io::Error| {
        Error::file(
            path,
            format!("cannot read the CSV file: {e} (check the path; it is relative to the current directory)"),
        )
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        return Err(too_big("file"));
    }
    const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
    let text = if bytes.starts_with(&GZIP_MAGIC) {
        // Multi-member files (`cat a.gz b.gz`) are valid gzip too.
        let mut raw = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .take(limit + 1)
            .read_to_end(&mut raw)
            .map_err(|e| Error::file(path, format!("cannot decompress the gzip CSV file: {e}")))?;
        if raw.len() as u64 > limit {
            return Err(too_big("decompressed text"));
        }
        raw
    } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz")) {
        return Err(Error::file(
            path,
            "the name ends in .gz but the file is not gzip data (no gzip header)",
        ));
    } else {
        bytes
    };
    let text =
        String::from_utf8(text).map_err(|e| Error::file(path, format!("the CSV file is not valid UTF-8 text: {e}")))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// A CSV text split into a header and rows of trimmed cells. Blank lines
/// are skipped; every row must have as many cells as the header.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    /// The column names (the header's cells).
    pub columns: Vec<String>,
    /// The separator used.
    pub delimiter: char,
    /// Each data row: its 1-based line number in the file, and its cells.
    pub rows: Vec<(usize, Vec<&'a str>)>,
}

impl<'a> Records<'a> {
    /// Splits `text` (read from `path`, named in errors). At least
    /// `min_columns` columns are required.
    pub fn parse(text: &'a str, path: &Path, options: &CsvOptions, min_columns: usize) -> Result<Self> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines
            .next()
            .ok_or_else(|| Error::file(path, "the file is empty; expected a header row and data rows"))?;
        let delimiter = options.delimiter.unwrap_or_else(|| detect_delimiter(header));
        let columns: Vec<String> = header.split(delimiter).map(|s| s.trim().to_string()).collect();
        if columns.len() < min_columns {
            return Err(Error::file(
                path,
                format!(
                    "line 1: expected at least {min_columns} columns, got {} with separator {delimiter:?} \
                     (header {:?}); give the separator with CsvOptions::delimiter if it is another one",
                    columns.len(),
                    truncate(header)
                ),
            ));
        }
        let mut rows = Vec::new();
        for (i, line) in lines {
            let cells: Vec<&str> = line.split(delimiter).map(str::trim).collect();
            if cells.len() != columns.len() {
                return Err(Error::file(
                    path,
                    format!(
                        "line {}: expected {} fields like the header, got {} (a ragged row; separator {delimiter:?})",
                        i + 1,
                        columns.len(),
                        cells.len()
                    ),
                ));
            }
            rows.push((i + 1, cells));
        }
        if rows.is_empty() {
            return Err(Error::file(path, "the file has a header but no data rows"));
        }
        Ok(Records {
            columns,
            delimiter,
            rows,
        })
    }
}

/// `,` if the header holds one, else `;`, else a tab, else `,`.
fn detect_delimiter(header: &str) -> char {
    [',', ';', '\t']
        .into_iter()
        .find(|&d| header.contains(d))
        .unwrap_or(',')
}

/// At most 60 characters of a line, for messages.
fn truncate(line: &str) -> String {
    match line.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &line[..i]),
        None => line.to_string(),
    }
}

/// One numeric cell: `line` and 0-based `column` (with its `name`) are
/// named in errors, as are empty cells, decimal commas and (unless
/// `allow_non_finite`) NaN or infinite values.
pub fn parse_number(
    path: &Path,
    cell: &str,
    line: usize,
    column: usize,
    name: &str,
    options: &CsvOptions,
) -> Result<f64> {
    let at = || format!("line {line}, column {} ({name:?})", column + 1);
    if cell.is_empty() {
        return Err(Error::file(
            path,
            format!("{}: the cell is empty; every feature needs a number", at()),
        ));
    }
    let v: f64 = cell.parse().map_err(|_| {
        let hint = if cell.contains(',') {
            " (decimal commas are not read: write 1.5, not 1,5)"
        } else {
            ""
        };
        Error::file(path, format!("{}: {cell:?} is not a number{hint}", at()))
    })?;
    if !v.is_finite() && !options.allow_non_finite {
        return Err(Error::file(
            path,
            format!(
                "{}: {cell:?} is {}; clean the data, or set CsvOptions::allow_non_finite to keep it",
                at(),
                if v.is_nan() {
                    "NaN"
                } else {
                    "not finite (or beyond float64's range)"
                }
            ),
        ));
    }
    Ok(v)
}

fn parse_csv(text: &str, path: &Path, options: &CsvOptions) -> Result<Table> {
    let rec = Records::parse(text, path, options, 2)?;
    let n_features = rec.columns.len() - 1;
    let (mut x, mut target) = (Vec::new(), Vec::new());
    for (line, cells) in &rec.rows {
        for (c, cell) in cells[..n_features].iter().enumerate() {
            x.push(parse_number(path, cell, *line, c, &rec.columns[c], options)?);
        }
        let label = cells[n_features];
        if label.is_empty() {
            return Err(Error::file(
                path,
                format!(
                    "line {line}, column {} ({:?}): the target is empty; every row needs one",
                    n_features + 1,
                    rec.columns[n_features]
                ),
            ));
        }
        target.push(label.to_string());
    }
    Ok(Table {
        columns: rec.columns,
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

    /// The target as class indices into sorted class names: by value when
    /// every name is a number, otherwise all as text (scikit-learn's
    /// `classes_` order for a numeric and for a string column).
    pub fn class_labels(&self) -> (Vec<u32>, Vec<String>) {
        let mut classes: Vec<String> = self.target.clone();
        // One order for the whole column: comparing number pairs by value and
        // other pairs as text is no total order ("2" < "10" < "1a" < "2"), on
        // which `sort_by` panicked (found by the read_csv fuzz target).
        let numbers: Option<Vec<f64>> = classes.iter().map(|c| c.parse::<f64>().ok()).collect();
        match numbers {
            Some(values) => {
                // Equal values written differently ("1", "1.0") stay apart, in text order.
                let mut pairs: Vec<(f64, String)> = values.into_iter().zip(classes).collect();
                pairs.sort_by(|(x, a), (y, b)| x.total_cmp(y).then_with(|| a.cmp(b)));
                classes = pairs.into_iter().map(|(_, c)| c).collect();
            }
            None => classes.sort(),
        }
        classes.dedup();
        let index: std::collections::HashMap<&str, u32> = classes
            .iter()
            .enumerate()
            .map(|(i, c)| (c.as_str(), i as u32))
            .collect();
        let labels = self.target.iter().map(|t| index[t.as_str()]).collect();
        (labels, classes)
    }

    /// The target parsed as numbers (for regression); errors name the row
    /// of a target that is not a number or not finite.
    pub fn target_values(&self) -> Result<Vec<f64>> {
        self.target
            .iter()
            .enumerate()
            .map(|(r, t)| {
                let v: f64 = t.parse().map_err(|_| {
                    Error::data(format!(
                        "row {}: target {t:?} is not a number (regression needs numbers)",
                        r + 1
                    ))
                })?;
                if !v.is_finite() {
                    return Err(Error::data(format!(
                        "row {}: target {t:?} is not a finite number (regression needs finite targets)",
                        r + 1
                    )));
                }
                Ok(v)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Table> {
        parse_csv(text, Path::new("t.csv"), &CsvOptions::default())
    }

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn ragged_and_non_numeric_rows_name_line_and_column() {
        let e = err("a,b,y\n1,2,0\n1,0\n");
        assert!(e.contains("line 3") && e.contains("ragged"), "{e}");
        let e = err("a,b,y\n1,x,0\n");
        assert!(e.contains("line 2, column 2") && e.contains("\"b\""), "{e}");
    }

    #[test]
    fn gzip_files_read_like_plain_ones() {
        use std::io::Write;
        let dir = std::env::temp_dir().join(format!("keraslike_csv_gz_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = "a,b,y\n1,2.5,0\n3,4,1\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let p = dir.join("t.csv.gz");
        std::fs::write(&p, &gz).unwrap();
        let t = read_csv(&p).unwrap();
        assert_eq!((t.n_rows, t.n_features), (2, 2));
        assert_eq!(t.x, vec![1.0, 2.5, 3.0, 4.0]);
        assert_eq!(t.target, vec!["0", "1"]);
        // Plain text named .gz, and truncated gzip data, are errors naming the file.
        std::fs::write(&p, text).unwrap();
        let e = read_csv(&p).unwrap_err().to_string();
        assert!(e.contains("t.csv.gz") && e.contains("not gzip"), "{e}");
        std::fs::write(&p, &gz[..gz.len() / 2]).unwrap();
        let e = read_csv(&p).unwrap_err().to_string();
        assert!(e.contains("decompress"), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn classes_sort_numerically() {
        let t = parse("a,y\n1,10\n2,9\n3,10\n").unwrap();
        let (l, c) = t.class_labels();
        assert_eq!(c, vec!["9", "10"]);
        assert_eq!(l, vec![1, 0, 1]);
        // Equal values written differently are two classes, in text order.
        let t = parse("a,y\n1,1.0\n2,1\n3,0.5\n").unwrap();
        assert_eq!(
            t.class_labels(),
            (vec![2, 1, 0], vec!["0.5".into(), "1".into(), "1.0".into()])
        );
    }

    #[test]
    fn classes_of_numbers_and_text_sort_as_text() {
        // Numbers by value and the rest as text is no order ("2" < "10" <
        // "1a" < "2"): sorting panicked (read_csv fuzz target).
        let t = parse("a,y\n1,2\n2,10\n3,1a\n4,2\n").unwrap();
        let (l, c) = t.class_labels();
        assert_eq!(c, vec!["10", "1a", "2"]);
        assert_eq!(l, vec![2, 0, 1, 2]);
    }

    #[test]
    fn the_separator_is_detected_or_named() {
        // Before, a ';' file was "expected at least 2 columns, got 1".
        let t = parse("a;b;y\n1;2;x\n").unwrap();
        assert_eq!((t.columns.len(), t.x.clone()), (3, vec![1.0, 2.0]));
        let t = parse("a\tb\ty\n1\t2\tx\n").unwrap();
        assert_eq!(t.x, vec![1.0, 2.0]);
        // A one-column file says which separator it tried.
        let e = err("abc\n1\n");
        assert!(
            e.contains("line 1") && e.contains("','") && e.contains("CsvOptions::delimiter"),
            "{e}"
        );
        // A given separator is used as given.
        let o = CsvOptions {
            delimiter: Some('|'),
            ..CsvOptions::default()
        };
        let t = parse_csv("a|b,c|y\n1|2|z\n", Path::new("t.csv"), &o).unwrap();
        assert_eq!(t.columns, vec!["a", "b,c", "y"]);
        // Decimal commas in a ';' file get a hint.
        let e = err("a;y\n1,5;0\n");
        assert!(e.contains("line 2, column 1") && e.contains("decimal commas"), "{e}");
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_name() {
        let dir = std::env::temp_dir().join(format!("keraslike_csv_bom_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("bom.csv");
        std::fs::write(&p, "\u{feff}sepal,label\n1,0\n").unwrap();
        assert_eq!(read_csv(&p).unwrap().columns, vec!["sepal", "label"]);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn empty_cells_are_errors_naming_line_and_column() {
        // Before, an empty label became a class of its own.
        let e = err("a,b,y\n1,2,0\n3,4,\n");
        assert!(
            e.contains("line 3, column 3 (\"y\")") && e.contains("target is empty"),
            "{e}"
        );
        let e = err("a,b,y\n1,,0\n");
        assert!(e.contains("line 2, column 2 (\"b\")") && e.contains("empty"), "{e}");
    }

    #[test]
    fn non_finite_cells_are_errors_unless_allowed() {
        // Before, NaN, inf and 1e400 (which parses as inf) were read silently.
        for (cell, what) in [
            ("NaN", "NaN"),
            ("nan", "NaN"),
            ("inf", "not finite"),
            ("-Infinity", "not finite"),
            ("1e400", "not finite"),
        ] {
            let e = err(&format!("a,b,y\n1,2,0\n3,{cell},1\n"));
            assert!(
                e.contains("line 3, column 2 (\"b\")") && e.contains(what) && e.contains("allow_non_finite"),
                "{cell}: {e}"
            );
        }
        let o = CsvOptions {
            allow_non_finite: true,
            ..CsvOptions::default()
        };
        let t = parse_csv("a,y\nNaN,0\n1e400,1\n", Path::new("t.csv"), &o).unwrap();
        assert!(t.x[0].is_nan() && t.x[1] == f64::INFINITY);
        // Regression targets must be finite too.
        let t = parse("a,y\n1,2.5\n2,nan\n").unwrap();
        let e = t.target_values().unwrap_err().to_string();
        assert!(e.contains("row 2") && e.contains("finite"), "{e}");
    }
}
