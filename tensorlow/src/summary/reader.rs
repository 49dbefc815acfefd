//! Reading event files back (`tf.compat.v1.train.summary_iterator`): the
//! scalars and histograms of each event, with its step and wall time.
//!
//! Reads files written here, by TensorFlow 2 (tensor summaries) and by
//! writers that store scalars as `simple_value` (TensorFlow 1, PyTorch's
//! `SummaryWriter`). A file is untrusted input: every length is checked
//! against the bytes left before anything is allocated, both CRCs of every
//! record are verified, and a truncated or corrupt file is an error naming
//! the file and the record, never a panic.
//!
//! ```
//! use tensorlow::summary::{create_file_writer, read_events, SummaryValue};
//! # fn main() -> tensorlow::Result<()> {
//! let dir = std::env::temp_dir().join(format!("tensorlow-doc-reader-{}", std::process::id()));
//! let w = create_file_writer(&dir)?;
//! w.scalar("loss", 0.5, 7)?;
//! w.close()?;
//! let events = read_events(w.path())?;
//! assert_eq!(events[0].file_version.as_deref(), Some("brain.Event:2"));
//! assert_eq!(events[1].step, 7);
//! assert_eq!(events[1].values[0].tag, "loss");
//! assert_eq!(events[1].values[0].value, SummaryValue::Scalar(0.5));
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(()) }
//! ```

use super::record::read_records;
use crate::{Error, Result};
use std::path::Path;

/// One event of an event file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Event {
    /// Seconds since the Unix epoch when it was written.
    pub wall_time: f64,
    /// The step it was written at.
    pub step: i64,
    /// Set on the first event of a file (`"brain.Event:2"`).
    pub file_version: Option<String>,
    /// The summary values it holds.
    pub values: Vec<Value>,
}

/// One tagged value of an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// The tag, e.g. `epoch_loss`.
    pub tag: String,
    /// The plugin named in the metadata (`scalars`, `histograms`, ...), or empty.
    pub plugin: String,
    /// The value.
    pub value: SummaryValue,
}

/// The data of a [`Value`].
#[derive(Clone, Debug, PartialEq)]
pub enum SummaryValue {
    /// A scalar (a one-element float tensor, or a `simple_value`).
    Scalar(f64),
    /// Histogram rows `[left_edge, right_edge, count]`.
    Histogram(Vec<[f64; 3]>),
    /// Anything else (images, text, other tensor shapes), not decoded.
    Other,
}

/// A protobuf field: number and payload.
enum Field<'a> {
    Varint(u64),
    Fixed64([u8; 8]),
    Bytes(&'a [u8]),
    Fixed32([u8; 4]),
}

/// Iterates over a protobuf message's fields, failing on malformed bytes.
struct Fields<'a> {
    b: &'a [u8],
}

fn read_varint(b: &mut &[u8]) -> std::result::Result<u64, String> {
    let mut v = 0u64;
    for i in 0..10 {
        let (&byte, rest) = b.split_first().ok_or("truncated varint")?;
        *b = rest;
        v |= ((byte & 0x7f) as u64) << (7 * i);
        if byte < 0x80 {
            return Ok(v);
        }
    }
    Err("varint longer than 10 bytes".into())
}

impl<'a> Iterator for Fields<'a> {
    type Item = std::result::Result<(u64, Field<'a>), String>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.b.is_empty() {
            return None;
        }
        let mut step = || -> std::result::Result<(u64, Field<'a>), String> {
            let key = read_varint(&mut self.b)?;
            let take = |b: &mut &'a [u8], n: usize| -> std::result::Result<&'a [u8], String> {
                if b.len() < n {
                    return Err(format!("field needs {n} bytes, {} left", b.len()));
                }
                let (head, rest) = b.split_at(n);
                *b = rest;
                Ok(head)
            };
            let field = match key & 7 {
                0 => Field::Varint(read_varint(&mut self.b)?),
                1 => Field::Fixed64(take(&mut self.b, 8)?.try_into().expect("8 bytes")),
                2 => {
                    let n = read_varint(&mut self.b)?;
                    let n = usize::try_from(n).map_err(|_| "length overflows usize".to_string())?;
                    Field::Bytes(take(&mut self.b, n)?)
                }
                5 => Field::Fixed32(take(&mut self.b, 4)?.try_into().expect("4 bytes")),
                w => return Err(format!("unsupported wire type {w}")),
            };
            Ok((key >> 3, field))
        };
        let r = step();
        if r.is_err() {
            self.b = &[];
        }
        Some(r)
    }
}

fn fields(b: &[u8]) -> Fields<'_> {
    Fields { b }
}

fn utf8(b: &[u8]) -> std::result::Result<String, String> {
    String::from_utf8(b.to_vec()).map_err(|_| "a string field is not UTF-8".to_string())
}

/// Decodes a `TensorProto` of a scalar or an `[k, 3]` histogram.
fn tensor_value(b: &[u8]) -> std::result::Result<SummaryValue, String> {
    let (mut dtype, mut dims, mut content) = (0u64, Vec::new(), &[][..]);
    let (mut floats, mut doubles) = (Vec::new(), Vec::new());
    for f in fields(b) {
        match f? {
            (1, Field::Varint(v)) => dtype = v,
            (2, Field::Bytes(shape)) => {
                for d in fields(shape) {
                    if let (2, Field::Bytes(dim)) = d? {
                        let mut size = 0u64;
                        for s in fields(dim) {
                            if let (1, Field::Varint(v)) = s? {
                                size = v;
                            }
                        }
                        dims.push(size);
                    }
                }
            }
            (4, Field::Bytes(c)) => content = c,
            (5, Field::Bytes(packed)) => floats.extend(
                packed
                    .chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64),
            ),
            (5, Field::Fixed32(v)) => floats.push(f32::from_le_bytes(v) as f64),
            (6, Field::Bytes(packed)) => doubles.extend(
                packed
                    .chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))),
            ),
            (6, Field::Fixed64(v)) => doubles.push(f64::from_le_bytes(v)),
            _ => {}
        }
    }
    let values: Vec<f64> = match dtype {
        1 if !content.is_empty() => content
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64)
            .collect(),
        2 if !content.is_empty() => content
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
        1 => floats,
        2 => doubles,
        _ => return Ok(SummaryValue::Other),
    };
    let count: u64 = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d)).unwrap_or(u64::MAX);
    if dims.iter().all(|&d| d == 1) && values.len() == 1 {
        return Ok(SummaryValue::Scalar(values[0]));
    }
    if dims.len() == 2 && dims[1] == 3 && count == values.len() as u64 {
        return Ok(SummaryValue::Histogram(
            values.chunks_exact(3).map(|r| [r[0], r[1], r[2]]).collect(),
        ));
    }
    Ok(SummaryValue::Other)
}

fn summary_value(b: &[u8]) -> std::result::Result<Value, String> {
    let mut v = Value {
        tag: String::new(),
        plugin: String::new(),
        value: SummaryValue::Other,
    };
    for f in fields(b) {
        match f? {
            (1, Field::Bytes(tag)) => v.tag = utf8(tag)?,
            (2, Field::Fixed32(x)) => v.value = SummaryValue::Scalar(f32::from_le_bytes(x) as f64),
            (8, Field::Bytes(t)) => v.value = tensor_value(t)?,
            (9, Field::Bytes(meta)) => {
                for m in fields(meta) {
                    if let (1, Field::Bytes(plugin_data)) = m? {
                        for p in fields(plugin_data) {
                            if let (1, Field::Bytes(name)) = p? {
                                v.plugin = utf8(name)?;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(v)
}

/// Decodes one serialized `Event`.
fn event(b: &[u8]) -> std::result::Result<Event, String> {
    let mut e = Event::default();
    for f in fields(b) {
        match f? {
            (1, Field::Fixed64(t)) => e.wall_time = f64::from_le_bytes(t),
            (2, Field::Varint(s)) => e.step = s as i64,
            (3, Field::Bytes(v)) => e.file_version = Some(utf8(v)?),
            (5, Field::Bytes(summary)) => {
                for v in fields(summary) {
                    if let (1, Field::Bytes(value)) = v? {
                        e.values.push(summary_value(value)?);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(e)
}

/// Decodes an event file's bytes (see [`read_events`]); `name` is used in errors.
pub fn parse_events(bytes: &[u8], name: &str) -> Result<Vec<Event>> {
    let records = read_records(bytes).map_err(|e| Error::arg(format!("event file {name}: {e}")))?;
    records
        .iter()
        .enumerate()
        .map(|(i, r)| event(r).map_err(|e| Error::arg(format!("event file {name}: record {i}: {e}"))))
        .collect()
}

/// Reads every event of an event file, checking each record's CRCs.
pub fn read_events(path: impl AsRef<Path>) -> Result<Vec<Event>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.display().to_string(),
        source: e,
    })?;
    parse_events(&bytes, &path.display().to_string())
}
