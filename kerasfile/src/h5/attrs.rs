//! Attributes: numeric scalars and arrays, and strings (fixed-length, or variable-length with
//! their bytes in global heap collections, each collection parsed once and bounded by its own
//! size). String and value bytes are charged to the reader's budget.

use super::cursor::Cursor;
use super::messages::{self, RawAttr, Type};
use super::read::{numbers, Msg, Reader};
use crate::{AttrValue, Attrs, Error, Result};
use std::collections::HashMap;

impl<'a> Reader<'a> {
    pub(super) fn attributes(&mut self, msgs: &[Msg<'a>], path: &str) -> Result<Attrs> {
        let mut attrs = Attrs::new();
        for m in msgs {
            if m.kind == 0x15 {
                let heap = messages::dense_heap(&mut m.cursor("attribute info message"), self.sizes, 2)?;
                if heap != self.sizes.undefined() {
                    return Err(Error::Unsupported(format!(
                        "{path}: dense attribute storage (fractal heap)"
                    )));
                }
            }
            if m.kind != 0x0c {
                continue;
            }
            let raw = messages::attribute(&mut m.cursor("attribute message"), self.sizes)?;
            let name = raw.name.clone();
            let value = self.attr_value(raw, path)?;
            if attrs.insert(name.clone(), value).is_some() {
                return Err(Error::Corrupt(format!("{path}: attribute {name:?} appears twice")));
            }
        }
        Ok(attrs)
    }

    pub(super) fn attr_value(&mut self, raw: RawAttr<'a>, path: &str) -> Result<AttrValue> {
        let what = format!("attribute {:?} of {path}", raw.name);
        let Some(dims) = raw.dims else {
            return Err(Error::Unsupported(format!("{what}: empty (null dataspace) attributes")));
        };
        self.charge(raw.data.len() as u64, &what)?;
        let strings = |r: &mut Self| -> Result<Vec<String>> {
            raw.data
                .chunks_exact(raw.elem.max(1))
                .map(|e| r.element_string(&raw.ty, e, &what))
                .collect()
        };
        match (&raw.ty, dims.len()) {
            (Type::VlenString | Type::FixedString(_), 0) => {
                Ok(AttrValue::String(strings(self)?.into_iter().next().unwrap_or_default()))
            }
            (Type::VlenString | Type::FixedString(_), 1) => Ok(AttrValue::Strings(strings(self)?)),
            (Type::VlenString | Type::FixedString(_), _) => Err(Error::Unsupported(format!(
                "{what}: string arrays of rank {}",
                dims.len()
            ))),
            (Type::Number { dtype, big_endian }, _) => Ok(AttrValue::Array(numbers(
                *dtype,
                *big_endian,
                &dims,
                raw.data.to_vec(),
                &what,
            )?)),
            (Type::Opaque(n), _) => Err(Error::Unsupported(format!("{what}: opaque values of {n} bytes"))),
        }
    }

    pub(super) fn element_string(&mut self, ty: &Type, e: &[u8], what: &str) -> Result<String> {
        let bytes = match ty {
            Type::FixedString(_) => {
                let end = e.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                e[..end].to_vec()
            }
            _ => {
                let mut c = Cursor::new(e, 0, "variable-length string reference");
                let len = c.u32()? as usize;
                let (heap, index) = (c.uint(self.sizes.offset)?, c.u32()?);
                if len == 0 {
                    return Ok(String::new());
                }
                let index = u16::try_from(index)
                    .map_err(|_| Error::Corrupt(format!("{what}: global heap index {index} out of range")))?;
                let (start, size) = self.heap_object(heap, index, what)?;
                if len > size {
                    return Err(Error::Corrupt(format!(
                        "{what}: string of {len} bytes in a heap object of {size}"
                    )));
                }
                self.charge(len as u64, what)?;
                let s = &self.data[start..start + len];
                let end = s.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                s[..end].to_vec()
            }
        };
        String::from_utf8(bytes).map_err(|_| Error::Corrupt(format!("{what}: a string is not valid UTF-8")))
    }

    /// File offset and size of object `index` of the global heap collection at `addr`.
    pub(super) fn heap_object(&mut self, addr: u64, index: u16, what: &str) -> Result<(usize, usize)> {
        if !self.heaps.contains_key(&addr) {
            let sl = self.sizes.length;
            let mut c = self.at(addr, 8 + sl as u64, "global heap collection")?;
            c.signature(b"GCOL")?;
            c.skip(4)?;
            let size = c.uint(sl)?;
            let mut h = self.at(addr, size, "global heap collection")?;
            h.skip(8 + sl)?;
            let mut objects = HashMap::new();
            while h.remaining() >= 8 + sl {
                let i = h.u16()?;
                h.skip(6)?;
                let n = h.uint(sl)?;
                if i == 0 {
                    break;
                }
                let start = h.offset() as usize;
                let n = usize::try_from(n).ok().filter(|&n| n <= h.remaining()).ok_or_else(|| {
                    Error::Corrupt(format!(
                        "global heap collection at {addr}: object {i} of {n} bytes overruns it"
                    ))
                })?;
                h.skip(n)?;
                h.skip(((8 - n % 8) % 8).min(h.remaining()))?;
                objects.insert(i, (start, n));
            }
            self.heaps.insert(addr, objects);
        }
        self.heaps[&addr].get(&index).copied().ok_or_else(|| {
            Error::Corrupt(format!(
                "{what}: object {index} is not in the global heap collection at {addr}"
            ))
        })
    }
}
