//! Decoding of HDF5 datatype messages (the file format specification, section IV.A.2.d):
//! integers of 1 to 8 bytes, IEEE floats of 2, 4 and 8 bytes (and bfloat16 described as a
//! float), either byte order; fixed and variable-length strings; opaque data (Keras' bfloat16);
//! h5py's bool enum. Other classes and layouts are [`Error::Unsupported`] naming them.

use super::cursor::Cursor;
use super::messages::Sizes;
use crate::{Dtype, Error, Result};

/// A decoded datatype.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Type {
    /// Integers and IEEE floats (and h5py's bool enum).
    Number { dtype: Dtype, big_endian: bool },
    /// Opaque bytes of the given size (Keras' bfloat16 when 2 bytes wide).
    Opaque(usize),
    /// A fixed-length string of `size` bytes.
    FixedString(usize),
    /// A variable-length string (a global heap reference per element).
    VlenString,
}

const MAX_TYPE_NESTING: usize = 4;

fn class_name(class: u8) -> &'static str {
    match class {
        2 => "time",
        4 => "bitfield",
        6 => "compound",
        7 => "reference",
        10 => "array",
        _ => "unknown",
    }
}

/// Decodes a datatype; returns it with its element size in bytes.
pub(crate) fn datatype(c: &mut Cursor, sizes: Sizes, depth: usize) -> Result<(Type, usize)> {
    if depth > MAX_TYPE_NESTING {
        return Err(Error::Corrupt(format!(
            "datatype at byte {} nests too deeply",
            c.offset()
        )));
    }
    let at = c.offset();
    let head = c.u8()?;
    let (class, version) = (head & 0x0f, head >> 4);
    if !(1..=5).contains(&version) {
        return Err(Error::Corrupt(format!(
            "datatype at byte {at}: version {version} is not 1 to 5"
        )));
    }
    let bits = c.uint(3)? as u32;
    let size = c.u32()? as usize;
    match class {
        0 => {
            let (offset, precision) = (c.u16()?, c.u16()? as usize);
            let signed = bits & 0x08 != 0;
            let dtype = match (size, signed) {
                (1, true) => Dtype::I8,
                (2, true) => Dtype::I16,
                (4, true) => Dtype::I32,
                (8, true) => Dtype::I64,
                (1, false) => Dtype::U8,
                (2, false) => Dtype::U16,
                (4, false) => Dtype::U32,
                (8, false) => Dtype::U64,
                _ => {
                    return Err(Error::Unsupported(format!(
                        "{size}-byte integers (datatype at byte {at})"
                    )))
                }
            };
            if offset != 0 || precision != 8 * size {
                return Err(Error::Unsupported(format!(
                    "integers with bit offset {offset} and precision {precision} in {size} bytes (datatype at byte {at})"
                )));
            }
            Ok((
                Type::Number {
                    dtype,
                    big_endian: bits & 1 != 0,
                },
                size,
            ))
        }
        1 => {
            if bits & 0x40 != 0 {
                return Err(Error::Unsupported(format!("VAX-order floats (datatype at byte {at})")));
            }
            let (offset, precision) = (c.u16()?, c.u16()?);
            let (eloc, esize, mloc, msize) = (c.u8()?, c.u8()?, c.u8()?, c.u8()?);
            let bias = c.u32()?;
            let sign = (bits >> 8) & 0xff;
            let layout = (size, offset, precision, eloc, esize, mloc, msize, bias, sign);
            let dtype = match layout {
                (2, 0, 16, 10, 5, 0, 10, 15, 15) => Dtype::F16,
                (2, 0, 16, 7, 8, 0, 7, 127, 15) => Dtype::BF16,
                (4, 0, 32, 23, 8, 0, 23, 127, 31) => Dtype::F32,
                (8, 0, 64, 52, 11, 0, 52, 1023, 63) => Dtype::F64,
                _ => {
                    return Err(Error::Unsupported(format!(
                        "non-IEEE floating point layout {layout:?} (datatype at byte {at})"
                    )))
                }
            };
            Ok((
                Type::Number {
                    dtype,
                    big_endian: bits & 1 != 0,
                },
                size,
            ))
        }
        3 => Ok((Type::FixedString(size), size)),
        5 => {
            c.skip((bits & 0xff) as usize)?;
            Ok((Type::Opaque(size), size))
        }
        8 => {
            let members = (bits & 0xffff) as usize;
            let (base, base_size) = datatype(c, sizes, depth + 1)?;
            let is_byte = matches!(
                base,
                Type::Number {
                    dtype: Dtype::I8 | Dtype::U8,
                    ..
                }
            );
            if !(is_byte && members == 2 && size == 1) {
                return Err(Error::Unsupported(format!(
                    "enum datatypes other than h5py's bool (datatype at byte {at}: {members} members of {base:?})"
                )));
            }
            let mut names = Vec::new();
            for _ in 0..members {
                let start = c.pos();
                let mut name = Vec::new();
                loop {
                    match c.u8()? {
                        0 => break,
                        b => name.push(b),
                    }
                }
                if version < 3 {
                    let used = c.pos() - start;
                    c.skip((8 - used % 8) % 8)?;
                }
                names.push(name);
            }
            let values = c.bytes(members * base_size)?;
            if names != [b"FALSE".to_vec(), b"TRUE".to_vec()] || values != [0, 1] {
                return Err(Error::Unsupported(format!(
                    "enum datatypes other than h5py's bool FALSE=0/TRUE=1 (datatype at byte {at})"
                )));
            }
            Ok((
                Type::Number {
                    dtype: Dtype::Bool,
                    big_endian: false,
                },
                1,
            ))
        }
        9 => {
            if bits & 0x0f != 1 {
                return Err(Error::Unsupported(format!(
                    "variable-length sequences other than strings (datatype at byte {at})"
                )));
            }
            datatype(c, sizes, depth + 1)?;
            let need = 4 + sizes.offset + 4;
            if size != need {
                return Err(Error::Corrupt(format!(
                    "variable-length string datatype at byte {at}: element size {size}, expected {need}"
                )));
            }
            Ok((Type::VlenString, size))
        }
        _ => Err(Error::Unsupported(format!(
            "{} datatypes (class {class}, at byte {at})",
            class_name(class)
        ))),
    }
}
