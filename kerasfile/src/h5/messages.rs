//! Decoding of the HDF5 object-header messages the reader understands: dataspace, data layout,
//! fill value, attribute, link and link/attribute info (the file format specification, section
//! IV.A.2; datatypes are in `datatype.rs`).
//!
//! Each decoder reads from a [`Cursor`] over the message body alone, so a field cannot run into
//! the next message; anything outside the supported subset is an [`Error::Unsupported`] naming
//! it.

use super::cursor::Cursor;
pub(crate) use super::datatype::{datatype, Type};
use crate::{Error, Result};

/// Sizes of file addresses and lengths, from the superblock.
#[derive(Clone, Copy)]
pub(crate) struct Sizes {
    pub offset: usize,
    pub length: usize,
}

impl Sizes {
    /// The "undefined address" (all bits set) for this offset size.
    pub fn undefined(self) -> u64 {
        if self.offset >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * self.offset)) - 1
        }
    }
}

/// Decodes a dataspace: `Some(dims)` (empty for a scalar) or `None` for a null dataspace.
pub(crate) fn dataspace(c: &mut Cursor, sizes: Sizes) -> Result<Option<Vec<u64>>> {
    let at = c.offset();
    let version = c.u8()?;
    let rank = c.u8()? as usize;
    let flags = c.u8()?;
    let null = match version {
        1 => {
            c.skip(5)?;
            false
        }
        2 => match c.u8()? {
            0 | 1 => false,
            2 => true,
            t => {
                return Err(Error::Corrupt(format!(
                    "dataspace at byte {at}: type {t} is not 0, 1 or 2"
                )))
            }
        },
        v => {
            return Err(Error::Corrupt(format!(
                "dataspace at byte {at}: version {v} is not 1 or 2"
            )))
        }
    };
    if rank > 32 {
        return Err(Error::Corrupt(format!(
            "dataspace at byte {at}: rank {rank} exceeds HDF5's 32"
        )));
    }
    let dims = (0..rank).map(|_| c.uint(sizes.length)).collect::<Result<Vec<u64>>>()?;
    if flags & 1 != 0 {
        c.skip(rank * sizes.length)?;
    }
    Ok(if null { None } else { Some(dims) })
}

/// Where a dataset's values are stored.
pub(crate) enum Layout<'a> {
    /// Inside the object header.
    Compact(&'a [u8]),
    /// One block of the file (`addr` undefined when never written).
    Contiguous { addr: u64, size: u64 },
}

/// Decodes a data layout message (versions 3 and 4, compact or contiguous).
pub(crate) fn layout<'a>(c: &mut Cursor<'a>, sizes: Sizes) -> Result<Layout<'a>> {
    let at = c.offset();
    let version = c.u8()?;
    if !(3..=4).contains(&version) {
        return Err(Error::Unsupported(format!(
            "data layout message version {version} (at byte {at})"
        )));
    }
    match c.u8()? {
        0 => {
            let n = c.u16()? as usize;
            Ok(Layout::Compact(c.bytes(n)?))
        }
        1 => Ok(Layout::Contiguous {
            addr: c.uint(sizes.offset)?,
            size: c.uint(sizes.length)?,
        }),
        2 => Err(Error::Unsupported(format!(
            "chunked dataset storage (chunking, compression or resizable datasets; layout at byte {at}); \
             Keras writes contiguous datasets"
        ))),
        3 => Err(Error::Unsupported(format!("virtual datasets (layout at byte {at})"))),
        k => Err(Error::Corrupt(format!(
            "data layout at byte {at}: class {k} is not 0 to 3"
        ))),
    }
}

/// The fill value bytes of a fill value message (type 5, versions 1 to 3), if one is defined.
pub(crate) fn fill_value<'a>(c: &mut Cursor<'a>) -> Result<Option<&'a [u8]>> {
    let at = c.offset();
    let version = c.u8()?;
    let defined = match version {
        1 | 2 => {
            c.skip(2)?;
            let defined = c.u8()?;
            version == 1 || defined != 0
        }
        3 => c.u8()? & 0x20 != 0,
        v => {
            return Err(Error::Corrupt(format!(
                "fill value message at byte {at}: version {v} is not 1 to 3"
            )))
        }
    };
    if !defined || c.remaining() < 4 {
        return Ok(None);
    }
    let n = c.u32()? as usize;
    Ok(if n == 0 { None } else { Some(c.bytes(n)?) })
}

/// A decoded attribute message: name, type, element size, dims and the raw data.
pub(crate) struct RawAttr<'a> {
    pub name: String,
    pub ty: Type,
    pub elem: usize,
    pub dims: Option<Vec<u64>>,
    pub data: &'a [u8],
}

fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// Decodes an attribute message (versions 1 to 3).
pub(crate) fn attribute<'a>(c: &mut Cursor<'a>, sizes: Sizes) -> Result<RawAttr<'a>> {
    let at = c.offset();
    let version = c.u8()?;
    if !(1..=3).contains(&version) {
        return Err(Error::Corrupt(format!(
            "attribute message at byte {at}: version {version} is not 1 to 3"
        )));
    }
    let flags = c.u8()?;
    if version >= 2 && flags & 0x03 != 0 {
        return Err(Error::Unsupported(format!(
            "attributes with shared datatypes or dataspaces (at byte {at})"
        )));
    }
    let (name_len, type_len, space_len) = (c.u16()? as usize, c.u16()? as usize, c.u16()? as usize);
    if version == 3 {
        c.u8()?; // character set of the name
    }
    let padded = |n| if version == 1 { pad8(n) } else { n };
    let raw_name = c.bytes(padded(name_len))?;
    let raw_name = &raw_name[..name_len.min(raw_name.len())];
    let raw_name = raw_name.split(|&b| b == 0).next().unwrap_or_default();
    let name = std::str::from_utf8(raw_name)
        .map_err(|_| Error::Corrupt(format!("attribute at byte {at}: name is not UTF-8")))?
        .to_string();
    let mut tc = Cursor::new(c.bytes(padded(type_len))?, c.offset(), "attribute datatype");
    let (ty, elem) = datatype(&mut tc, sizes, 0)?;
    let mut sc = Cursor::new(c.bytes(padded(space_len))?, c.offset(), "attribute dataspace");
    let dims = dataspace(&mut sc, sizes)?;
    let count = match &dims {
        None => 0,
        Some(d) => d
            .iter()
            .try_fold(1u64, |n, &x| n.checked_mul(x))
            .ok_or_else(|| Error::Corrupt(format!("attribute {name:?} at byte {at}: shape {d:?} overflows")))?,
    };
    let need = count
        .checked_mul(elem as u64)
        .filter(|&n| n <= c.remaining() as u64)
        .ok_or_else(|| {
            Error::Corrupt(format!(
                "attribute {name:?} at byte {at}: {count} elements of {elem} bytes do not fit in the {} bytes left",
                c.remaining()
            ))
        })?;
    let data = c.bytes(need as usize)?;
    Ok(RawAttr {
        name,
        ty,
        elem,
        dims,
        data,
    })
}

/// Where a link points.
pub(crate) enum LinkTarget {
    Hard(u64),
    Soft(String),
    External,
    Other(u8),
}

/// Decodes a link message (type 6): name and target.
pub(crate) fn link(c: &mut Cursor, sizes: Sizes) -> Result<(String, LinkTarget)> {
    let at = c.offset();
    let version = c.u8()?;
    if version != 1 {
        return Err(Error::Corrupt(format!(
            "link message at byte {at}: version {version} is not 1"
        )));
    }
    let flags = c.u8()?;
    let kind = if flags & 0x08 != 0 { c.u8()? } else { 0 };
    if flags & 0x04 != 0 {
        c.skip(8)?;
    }
    if flags & 0x10 != 0 {
        c.u8()?;
    }
    let len = c.uint(1 << (flags & 3))?;
    let len = usize::try_from(len)
        .ok()
        .filter(|&n| n <= c.remaining())
        .ok_or_else(|| {
            Error::Corrupt(format!(
                "link message at byte {at}: name length {len} runs past the message"
            ))
        })?;
    let name = std::str::from_utf8(c.bytes(len)?)
        .map_err(|_| Error::Corrupt(format!("link message at byte {at}: name is not UTF-8")))?
        .to_string();
    let target = match kind {
        0 => LinkTarget::Hard(c.uint(sizes.offset)?),
        1 => {
            let n = c.u16()? as usize;
            LinkTarget::Soft(String::from_utf8_lossy(c.bytes(n)?).into_owned())
        }
        64 => LinkTarget::External,
        k => LinkTarget::Other(k),
    };
    Ok((name, target))
}

/// The fractal heap address of a link info (type 2) or attribute info (type 21) message:
/// defined when the group keeps its links / attributes in dense storage.
pub(crate) fn dense_heap(c: &mut Cursor, sizes: Sizes, max_index_bytes: usize) -> Result<u64> {
    let at = c.offset();
    let version = c.u8()?;
    if version != 0 {
        return Err(Error::Corrupt(format!(
            "link/attribute info message at byte {at}: version {version} is not 0"
        )));
    }
    let flags = c.u8()?;
    if flags & 1 != 0 {
        c.skip(max_index_bytes)?;
    }
    c.uint(sizes.offset)
}
