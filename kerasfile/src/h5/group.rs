//! Group members: old-style symbol tables (a version-1 B-tree of group nodes whose leaves are
//! symbol table nodes, names in a local heap) and new-style link messages. Only hard links are
//! followed; soft and external links and dense (fractal heap) link storage are named errors.
//! Every B-tree node and symbol table node is visited once (a loop is an error) and node levels
//! must decrease towards the leaves.

use super::messages::{self, LinkTarget};
use super::read::{join, Msg, Reader, MAX_BTREE_LEVEL};
use crate::{Error, Result};

impl<'a> Reader<'a> {
    /// The hard links of a group: symbol table (old style) and link messages (new style).
    pub(super) fn links(&mut self, msgs: &[Msg<'a>], path: &str) -> Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for m in msgs {
            match m.kind {
                0x11 => {
                    let mut c = m.cursor("symbol table message");
                    let (btree, heap) = (c.uint(self.sizes.offset)?, c.uint(self.sizes.offset)?);
                    let names = self.local_heap(heap, path)?;
                    self.btree(btree, None, names, path, &mut out)?;
                }
                0x06 => {
                    let (name, target) = messages::link(&mut m.cursor("link message"), self.sizes)?;
                    match target {
                        LinkTarget::Hard(a) => out.push((name, a)),
                        LinkTarget::Soft(to) => {
                            return Err(Error::Unsupported(format!(
                                "{}: soft link to {to:?} (Keras refuses links too)",
                                join(path, &name)
                            )))
                        }
                        LinkTarget::External => {
                            return Err(Error::Unsupported(format!(
                                "{}: external link (Keras refuses links too)",
                                join(path, &name)
                            )))
                        }
                        LinkTarget::Other(k) => {
                            return Err(Error::Unsupported(format!("{}: link of type {k}", join(path, &name))))
                        }
                    }
                }
                0x02 => {
                    let heap = messages::dense_heap(&mut m.cursor("link info message"), self.sizes, 8)?;
                    if heap != self.sizes.undefined() {
                        return Err(Error::Unsupported(format!(
                            "{path}: dense link storage (fractal heap), which HDF5 uses for groups of more than 8 \
                             members in files written with libver='latest'; h5py's default (what Keras writes) is supported"
                        )));
                    }
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// The data segment of the local heap at `addr`.
    pub(super) fn local_heap(&mut self, addr: u64, path: &str) -> Result<&'a [u8]> {
        let (so, sl) = (self.sizes.offset, self.sizes.length);
        let mut c = self.at(addr, (8 + 2 * sl + so) as u64, "local heap")?;
        c.signature(b"HEAP")?;
        let version = c.u8()?;
        if version != 0 {
            return Err(Error::Corrupt(format!(
                "local heap of {path} at {addr}: version {version} is not 0"
            )));
        }
        c.skip(3)?;
        let size = c.uint(sl)?;
        c.uint(sl)?; // free list head
        let data = c.uint(so)?;
        let mut d = self.at(data, size, "local heap data")?;
        d.bytes(size as usize)
    }

    /// Walks a version-1 B-tree of group nodes, appending the symbol table entries.
    pub(super) fn btree(
        &mut self,
        addr: u64,
        level: Option<u8>,
        names: &'a [u8],
        path: &str,
        out: &mut Vec<(String, u64)>,
    ) -> Result<()> {
        self.first_visit(addr, "group B-tree node")?;
        let (so, sl) = (self.sizes.offset, self.sizes.length);
        let mut c = self.at(addr, (8 + 2 * so) as u64, "group B-tree node")?;
        c.signature(b"TREE")?;
        let kind = c.u8()?;
        let node_level = c.u8()?;
        let used = c.u16()? as u64;
        if kind != 0 {
            return Err(Error::Corrupt(format!(
                "B-tree node of group {path} at {addr}: type {kind}, expected 0 (group)"
            )));
        }
        if node_level > MAX_BTREE_LEVEL || level.is_some_and(|l| l != node_level) {
            return Err(Error::Corrupt(format!(
                "B-tree node of group {path} at {addr}: level {node_level} does not fit its parent"
            )));
        }
        let body = used * (sl + so) as u64 + sl as u64;
        let mut b = self.at(addr + (8 + 2 * so) as u64, body, "group B-tree node")?;
        let mut children = Vec::with_capacity(used as usize);
        for _ in 0..used {
            b.uint(sl)?;
            children.push(b.uint(so)?);
        }
        for child in children {
            if node_level > 0 {
                self.btree(child, Some(node_level - 1), names, path, out)?;
            } else {
                self.symbol_node(child, names, path, out)?;
            }
        }
        Ok(())
    }

    /// The entries of one symbol table node (`SNOD`).
    pub(super) fn symbol_node(
        &mut self,
        addr: u64,
        names: &'a [u8],
        path: &str,
        out: &mut Vec<(String, u64)>,
    ) -> Result<()> {
        self.first_visit(addr, "symbol table node")?;
        let so = self.sizes.offset;
        let mut c = self.at(addr, 8, "symbol table node")?;
        c.signature(b"SNOD")?;
        let version = c.u8()?;
        if version != 1 {
            return Err(Error::Corrupt(format!(
                "symbol table node of {path} at {addr}: version {version} is not 1"
            )));
        }
        c.u8()?;
        let count = c.u16()? as u64;
        let entry = (2 * so + 24) as u64;
        let mut e = self.at(addr + 8, count * entry, "symbol table node")?;
        for _ in 0..count {
            let name_at = e.uint(so)?;
            let object = e.uint(so)?;
            let cache = e.u32()?;
            e.skip(20)?; // reserved, scratch pad
            let name = usize::try_from(name_at)
                .ok()
                .and_then(|s| names.get(s..))
                .and_then(|rest| rest.iter().position(|&b| b == 0).map(|end| &rest[..end]))
                .ok_or_else(|| {
                    Error::Corrupt(format!(
                        "group {path}: link name at heap offset {name_at} is outside its local heap"
                    ))
                })?;
            let name = std::str::from_utf8(name)
                .map_err(|_| Error::Corrupt(format!("group {path}: a member name is not UTF-8")))?;
            if name.is_empty() || name.contains('/') {
                return Err(Error::Corrupt(format!("group {path}: invalid member name {name:?}")));
            }
            if cache == 2 {
                return Err(Error::Unsupported(format!(
                    "{}: soft link (Keras refuses links too)",
                    join(path, name)
                )));
            }
            out.push((name.to_string(), object));
        }
        Ok(())
    }
}
