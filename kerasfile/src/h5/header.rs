//! Object headers: version 1 (a 16-byte prefix, then messages in 8-byte-aligned blocks, more in
//! continuation blocks) and version 2 (`OHDR`, continuation chunks `OCHK`, each with a lookup3
//! checksum that is verified). Each message's body is returned as a slice of the file, bounded
//! by its own size field; continuation blocks are followed once each (a loop is an error).

use super::cursor::{lookup3, Cursor};
use super::read::{Msg, Reader};
use crate::{Error, Result};

impl<'a> Reader<'a> {
    /// The messages of the object header at `addr` (versions 1 and 2, continuation blocks
    /// included).
    pub(super) fn header(&mut self, addr: u64, path: &str) -> Result<Vec<Msg<'a>>> {
        let mut c = self.at(addr, 16, "object header")?;
        let mut msgs = Vec::new();
        if c.bytes(4)? == b"OHDR" {
            let version = c.u8()?;
            if version != 2 {
                return Err(Error::Corrupt(format!(
                    "object header of {path} at {addr}: version {version} is not 2"
                )));
            }
            let flags = c.u8()?;
            let mut prefix = 6u64;
            if flags & 0x20 != 0 {
                prefix += 16;
            }
            if flags & 0x10 != 0 {
                prefix += 4;
            }
            let width = 1u64 << (flags & 3);
            let mut p = self.at(addr + prefix, width, "object header")?;
            let size = p.uint(width as usize)?;
            let total = (prefix + width).checked_add(size).and_then(|n| n.checked_add(4));
            let total =
                total.ok_or_else(|| Error::Corrupt(format!("object header of {path}: size {size} overflows")))?;
            let whole = self.at(addr, total, "object header")?;
            self.v2_chunk(whole, (prefix + width) as usize, flags, path, &mut msgs)?;
        } else {
            c.seek(0)?;
            let version = c.u8()?;
            if version != 1 {
                return Err(Error::Corrupt(format!(
                    "object header of {path} at address {addr}: version {version} is not 1, and no OHDR signature"
                )));
            }
            c.u8()?;
            let count = c.u16()? as usize;
            c.u32()?; // reference count
            let size = c.u32()? as u64;
            let mut chunks = vec![(addr + 16, size)];
            while let Some((at, len)) = chunks.pop() {
                let mut m = self.at(at, len, "object header messages")?;
                while m.remaining() >= 8 && msgs.len() < count {
                    let kind = m.u16()?;
                    let size = m.u16()? as usize;
                    let flags = m.u8()?;
                    m.skip(3)?;
                    let at = m.offset();
                    let body = m.bytes(size)?;
                    if kind == 0x10 {
                        let mut b = Cursor::new(body, at, "continuation message");
                        let (a, l) = (b.uint(self.sizes.offset)?, b.uint(self.sizes.length)?);
                        self.first_visit(a, "object header continuation block")?;
                        chunks.push((a, l));
                    }
                    msgs.push(Msg { kind, flags, body, at });
                }
            }
        }
        Ok(msgs)
    }

    /// Messages of a version-2 chunk (`whole` includes any signature/prefix and the checksum);
    /// follows continuation messages.
    pub(super) fn v2_chunk(
        &mut self,
        whole: Cursor<'a>,
        start: usize,
        flags: u8,
        path: &str,
        msgs: &mut Vec<Msg<'a>>,
    ) -> Result<()> {
        let mut pending = vec![(whole, start)];
        while let Some((mut c, start)) = pending.pop() {
            let origin = c.offset();
            let all = c.bytes(c.remaining())?;
            if all.len() < start + 4 {
                return Err(Error::Corrupt(format!(
                    "object header chunk of {path} at byte {origin} is too short"
                )));
            }
            let (body, sum) = all.split_at(all.len() - 4);
            let stored = u32::from_le_bytes([sum[0], sum[1], sum[2], sum[3]]);
            if lookup3(body) != stored {
                return Err(Error::Corrupt(format!(
                    "object header chunk of {path} at byte {origin}: checksum mismatch (damaged metadata)"
                )));
            }
            let mut m = Cursor::new(&body[start..], origin + start as u64, "object header messages");
            let head = if flags & 0x04 != 0 { 6 } else { 4 };
            while m.remaining() >= head {
                let kind = m.u8()? as u16;
                let size = m.u16()? as usize;
                let mflags = m.u8()?;
                if flags & 0x04 != 0 {
                    m.u16()?;
                }
                let at = m.offset();
                let body = m.bytes(size)?;
                if kind == 0x10 {
                    let mut b = Cursor::new(body, at, "continuation message");
                    let (a, l) = (b.uint(self.sizes.offset)?, b.uint(self.sizes.length)?);
                    self.first_visit(a, "object header continuation block")?;
                    let mut chunk = self.at(a, l, "object header continuation block")?;
                    chunk.signature(b"OCHK")?;
                    chunk.seek(0)?;
                    pending.push((chunk, 4));
                }
                msgs.push(Msg {
                    kind,
                    flags: mflags,
                    body,
                    at,
                });
            }
        }
        Ok(())
    }
}
