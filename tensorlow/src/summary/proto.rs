//! The few protocol buffers an event file holds, encoded by hand.
//!
//! Field numbers are those of TensorFlow's `event.proto`, `summary.proto`,
//! `tensor.proto` and `tensor_shape.proto`:
//!
//! ```text
//! Event          { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
//! Summary        { repeated Value value = 1; }
//! Summary.Value  { string tag = 1; TensorProto tensor = 8; SummaryMetadata metadata = 9; }
//! SummaryMetadata{ PluginData plugin_data = 1; }   PluginData { string plugin_name = 1; bytes content = 2; }
//! TensorProto    { DataType dtype = 1; TensorShapeProto tensor_shape = 2; bytes tensor_content = 4; }
//! TensorShapeProto { repeated Dim dim = 2; }       Dim { int64 size = 1; }
//! ```
//!
//! Fields are written in field-number order, as TensorFlow's C++ writer
//! does; proto3 defaults (step 0) are left out. Summaries are written as
//! TensorFlow 2's `tf.summary` writes them: a tensor (`tensor_content`,
//! little-endian) with the plugin's name in the metadata (`scalars`: a
//! float32 scalar; `histograms`: a float64 `[k, 3]` tensor of
//! `(left edge, right edge, count)` rows). TensorBoard's plugins read them
//! natively.

/// `DataType` values of `types.proto`.
pub(crate) const DT_FLOAT: u64 = 1;
/// `DT_DOUBLE`.
pub(crate) const DT_DOUBLE: u64 = 2;

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, ((field as u64) << 3) | wire as u64);
}

fn bytes_field(out: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(out, field, LEN);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

/// A tensor's dtype, shape and little-endian content.
pub(crate) struct TensorContent<'a> {
    pub dtype: u64,
    pub shape: &'a [u64],
    pub content: Vec<u8>,
}

fn tensor_proto(t: &TensorContent) -> Vec<u8> {
    let mut out = Vec::with_capacity(t.content.len() + 16);
    key(&mut out, 1, VARINT);
    varint(&mut out, t.dtype);
    let mut shape = Vec::new();
    for &d in t.shape {
        let mut dim = Vec::new();
        if d != 0 {
            key(&mut dim, 1, VARINT);
            varint(&mut dim, d);
        }
        bytes_field(&mut shape, 2, &dim);
    }
    bytes_field(&mut out, 2, &shape);
    if !t.content.is_empty() {
        bytes_field(&mut out, 4, &t.content);
    }
    out
}

/// A `Summary.Value` with a tensor and its plugin's name.
fn summary_value(tag: &str, plugin: &str, tensor: &TensorContent) -> Vec<u8> {
    let mut plugin_data = Vec::new();
    bytes_field(&mut plugin_data, 1, plugin.as_bytes());
    let mut metadata = Vec::new();
    bytes_field(&mut metadata, 1, &plugin_data);
    let mut value = Vec::new();
    bytes_field(&mut value, 1, tag.as_bytes());
    bytes_field(&mut value, 8, &tensor_proto(tensor));
    bytes_field(&mut value, 9, &metadata);
    value
}

fn event_head(wall_time: f64, step: i64) -> Vec<u8> {
    let mut out = Vec::new();
    key(&mut out, 1, FIXED64);
    out.extend_from_slice(&wall_time.to_le_bytes());
    if step != 0 {
        key(&mut out, 2, VARINT);
        // int64 is encoded as its two's-complement u64 (ten bytes if negative).
        varint(&mut out, step as u64);
    }
    out
}

/// The first event of every file: `Event { wall_time, file_version: "brain.Event:2" }`.
pub(crate) fn file_version_event(wall_time: f64) -> Vec<u8> {
    let mut out = event_head(wall_time, 0);
    bytes_field(&mut out, 3, b"brain.Event:2");
    out
}

/// An `Event` with a one-value `Summary`.
pub(crate) fn summary_event(wall_time: f64, step: i64, tag: &str, plugin: &str, tensor: &TensorContent) -> Vec<u8> {
    let mut summary = Vec::new();
    bytes_field(&mut summary, 1, &summary_value(tag, plugin, tensor));
    let mut out = event_head(wall_time, step);
    bytes_field(&mut out, 5, &summary);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_version_event_bytes() {
        // wall_time = 1.5: key (1 << 3) | 1 = 0x09, then 1.5 as an f64
        // (sign 0, exponent 0x3FF, mantissa 0x8000000000000) = 0x3FF8000000000000,
        // little-endian. file_version: key (3 << 3) | 2 = 0x1A, length 13.
        let mut expected = vec![0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x1A, 13];
        expected.extend_from_slice(b"brain.Event:2");
        assert_eq!(file_version_event(1.5), expected);
    }

    #[test]
    fn scalar_event_bytes() {
        // Event { wall_time: 0.0, step: 300, summary { value { tag: "loss",
        //   tensor { dtype: DT_FLOAT, tensor_shape {}, tensor_content: 0.25f32 },
        //   metadata { plugin_data { plugin_name: "scalars" } } } } }
        let t = TensorContent {
            dtype: DT_FLOAT,
            shape: &[],
            content: 0.25f32.to_le_bytes().to_vec(),
        };
        let got = summary_event(0.0, 300, "loss", "scalars", &t);
        #[rustfmt::skip]
        let expected: Vec<u8> = [
            &[0x09, 0, 0, 0, 0, 0, 0, 0, 0][..],   // wall_time 0.0
            &[0x10, 0xAC, 0x02],                    // step 300 = 0b10_0101100: 0xAC, 0x02
            &[0x2A, 33],                            // summary (5 << 3 | 2), 33 bytes
            &[0x0A, 31],                            //  value (1 << 3 | 2), 31 bytes
            &[0x0A, 4], b"loss",                    //   tag
            &[0x42, 10],                            //   tensor (8 << 3 | 2), 10 bytes
            &[0x08, 0x01],                          //    dtype DT_FLOAT
            &[0x12, 0x00],                          //    tensor_shape {} (a scalar)
            &[0x22, 4, 0x00, 0x00, 0x80, 0x3E],     //    tensor_content: 0.25f32 = 0x3E800000
            &[0x4A, 11],                            //   metadata (9 << 3 | 2), 11 bytes
            &[0x0A, 9],                             //    plugin_data, 9 bytes
            &[0x0A, 7], b"scalars",                 //     plugin_name
        ]
        .concat();
        assert_eq!(got, expected);
    }

    #[test]
    fn negative_step_and_histogram_shape() {
        let mut out = Vec::new();
        varint(&mut out, -1i64 as u64);
        assert_eq!(out, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]);
        let t = TensorContent {
            dtype: DT_DOUBLE,
            shape: &[2, 3],
            content: vec![0; 48],
        };
        let p = tensor_proto(&t);
        // dtype 2; shape { dim { size: 2 } dim { size: 3 } }; 48 content bytes.
        assert_eq!(&p[..12], &[0x08, 0x02, 0x12, 8, 0x12, 2, 0x08, 2, 0x12, 2, 0x08, 3]);
        assert_eq!(&p[12..14], &[0x22, 48]);
        assert_eq!(p.len(), 14 + 48);
    }
}
