//! Encodings of datatype and dataspace messages as h5py writes them (byte for byte the same as
//! in h5py's files: see `tests/fixtures/inspect_keras_file.py`).

use crate::Dtype;

/// The datatype message body of an element type (h5py's encodings).
pub(super) fn datatype(dtype: Dtype) -> Vec<u8> {
    let mut t = Vec::new();
    let int = |t: &mut Vec<u8>, size: u32, signed: bool| {
        t.extend_from_slice(&[0x10, if signed { 0x08 } else { 0 }, 0, 0]);
        t.extend_from_slice(&size.to_le_bytes());
        t.extend_from_slice(&0u16.to_le_bytes());
        t.extend_from_slice(&((size * 8) as u16).to_le_bytes());
    };
    let float = |t: &mut Vec<u8>, size: u32, eloc: u8, esize: u8, msize: u8, bias: u32| {
        t.extend_from_slice(&[0x11, 0x20, (size * 8 - 1) as u8, 0]);
        t.extend_from_slice(&size.to_le_bytes());
        t.extend_from_slice(&0u16.to_le_bytes());
        t.extend_from_slice(&((size * 8) as u16).to_le_bytes());
        t.extend_from_slice(&[eloc, esize, 0, msize]);
        t.extend_from_slice(&bias.to_le_bytes());
    };
    match dtype {
        Dtype::I8 => int(&mut t, 1, true),
        Dtype::I16 => int(&mut t, 2, true),
        Dtype::I32 => int(&mut t, 4, true),
        Dtype::I64 => int(&mut t, 8, true),
        Dtype::U8 => int(&mut t, 1, false),
        Dtype::U16 => int(&mut t, 2, false),
        Dtype::U32 => int(&mut t, 4, false),
        Dtype::U64 => int(&mut t, 8, false),
        Dtype::F16 => float(&mut t, 2, 10, 5, 10, 15),
        Dtype::F32 => float(&mut t, 4, 23, 8, 23, 127),
        Dtype::F64 => float(&mut t, 8, 52, 11, 52, 1023),
        Dtype::BF16 => t.extend_from_slice(&[0x15, 0, 0, 0, 2, 0, 0, 0]),
        Dtype::Bool => {
            t.extend_from_slice(&[0x18, 2, 0, 0, 1, 0, 0, 0]);
            int(&mut t, 1, true);
            t.extend_from_slice(b"FALSE\0\0\0TRUE\0\0\0\0");
            t.extend_from_slice(&[0, 1]);
        }
    }
    t
}

/// h5py's variable-length UTF-8 string datatype.
pub(super) const VLEN_STRING: [u8; 20] = [0x19, 1, 1, 0, 16, 0, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 8, 0];

/// A version-1 dataspace: scalar for an empty shape, else simple with max dims = dims.
pub(super) fn dataspace(shape: &[usize]) -> Vec<u8> {
    let rank = shape.len() as u8;
    let mut s = vec![1, rank, if shape.is_empty() { 0 } else { 1 }, 0, 0, 0, 0, 0];
    for _ in 0..2 {
        for &d in shape {
            s.extend_from_slice(&(d as u64).to_le_bytes());
        }
    }
    s
}
