//! The HDF5 reader: superblock, the walk over objects, and datasets, into a [`Group`] tree
//! (object headers are in `header.rs`, group members in `group.rs`, attributes in `attrs.rs`).
//!
//! The whole file is in memory; every address and size read from it is checked against the
//! file's length before it is used, counts are bounded by the bytes that would hold them, and
//! the bytes materialised (dataset values, attribute values, strings) are charged to a budget of
//! the file's own size plus 1 MiB, so no structure can make the reader allocate much more than
//! the file. Cycles (a group linked into itself, a B-tree node or continuation block visited
//! twice) and nesting deeper than 64 groups are errors.

use super::cursor::{lookup3, Cursor};
use super::messages::{self, Layout, Sizes, Type};
use crate::{Array, AttrValue, Attrs, Dataset, Dtype, Error, Group, Node, Result};
use std::collections::{HashMap, HashSet};

const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";
/// Deepest group nesting read or written.
pub(crate) const MAX_DEPTH: usize = 64;
pub(super) const MAX_BTREE_LEVEL: u8 = 32;

/// One message of an object header.
pub(super) struct Msg<'a> {
    pub(super) kind: u16,
    pub(super) flags: u8,
    pub(super) body: &'a [u8],
    pub(super) at: u64,
}

impl<'a> Msg<'a> {
    pub(super) fn cursor(&self, what: &'static str) -> Cursor<'a> {
        Cursor::new(self.body, self.at, what)
    }
}

pub(super) struct Reader<'a> {
    pub(super) data: &'a [u8],
    pub(super) base: u64,
    pub(super) sizes: Sizes,
    pub(super) budget: u64,
    pub(super) objects: HashSet<u64>,
    pub(super) blocks: HashSet<u64>,
    pub(super) heaps: HashMap<u64, HashMap<u16, (usize, usize)>>,
}

/// Reads a whole HDF5 file held in memory.
pub(crate) fn read(data: &[u8]) -> Result<Group> {
    let sb = find_superblock(data)?;
    let mut c = Cursor::new(&data[sb..], sb as u64, "superblock");
    c.skip(8)?;
    let version = c.u8()?;
    let (sizes, base, root) = match version {
        0 | 1 => {
            c.skip(4)?; // free-space, root group symbol table, reserved, shared header versions
            let sizes = Sizes {
                offset: c.u8()? as usize,
                length: c.u8()? as usize,
            };
            check_sizes(sizes, sb)?;
            c.skip(1 + 2 + 2 + 4)?; // reserved, group leaf K, group internal K, flags
            if version == 1 {
                c.skip(4)?; // indexed storage K, reserved
            }
            let base = c.uint(sizes.offset)?;
            c.skip(3 * sizes.offset)?; // free-space info, end of file, driver info addresses
            c.skip(sizes.offset)?; // root entry: link name offset
            let root = c.uint(sizes.offset)?;
            (sizes, base, root)
        }
        2 | 3 => {
            let sizes = Sizes {
                offset: c.u8()? as usize,
                length: c.u8()? as usize,
            };
            check_sizes(sizes, sb)?;
            c.u8()?; // consistency flags
            let base = c.uint(sizes.offset)?;
            c.skip(2 * sizes.offset)?; // superblock extension, end of file addresses
            let root = c.uint(sizes.offset)?;
            let end = c.pos();
            let stored = c.u32()?;
            let computed = lookup3(&data[sb..sb + end]);
            if stored != computed {
                return Err(Error::Corrupt(format!(
                    "superblock at byte {sb}: checksum {stored:#010x} does not match its contents ({computed:#010x})"
                )));
            }
            (sizes, base, root)
        }
        v => return Err(Error::Unsupported(format!("superblock version {v} (at byte {sb})"))),
    };
    if base > data.len() as u64 {
        return Err(Error::Corrupt(format!(
            "superblock: base address {base} is past the end of the file"
        )));
    }
    let mut r = Reader {
        data,
        base,
        sizes,
        budget: data.len() as u64 + (1 << 20),
        objects: HashSet::new(),
        blocks: HashSet::new(),
        heaps: HashMap::new(),
    };
    match r.object(root, "/", 0)? {
        Node::Group(g) => Ok(g),
        Node::Dataset(_) => Err(Error::Corrupt("the root object is a dataset, not a group".into())),
    }
}

fn find_superblock(data: &[u8]) -> Result<usize> {
    let mut at = 0usize;
    loop {
        if data.len() >= at + 8 && &data[at..at + 8] == SIGNATURE {
            return Ok(at);
        }
        at = if at == 0 { 512 } else { at * 2 };
        if at >= data.len() {
            return Err(Error::Corrupt(format!(
                "no HDF5 signature found ({} bytes; an HDF5 file starts with \\x89HDF\\r\\n\\x1a\\n)",
                data.len()
            )));
        }
    }
}

fn check_sizes(s: Sizes, sb: usize) -> Result<()> {
    if ![2, 4, 8].contains(&s.offset) || ![2, 4, 8].contains(&s.length) {
        return Err(Error::Corrupt(format!(
            "superblock at byte {sb}: address size {} / length size {} (each must be 2, 4 or 8)",
            s.offset, s.length
        )));
    }
    Ok(())
}

pub(super) fn join(path: &str, name: &str) -> String {
    if path == "/" {
        format!("/{name}")
    } else {
        format!("{path}/{name}")
    }
}

impl<'a> Reader<'a> {
    /// `len` bytes at file address `addr` (relative to the base address).
    pub(super) fn at(&self, addr: u64, len: u64, what: &'static str) -> Result<Cursor<'a>> {
        let start = self.base.checked_add(addr);
        let end = start.and_then(|s| s.checked_add(len));
        match (start, end) {
            (Some(s), Some(e)) if e <= self.data.len() as u64 => {
                Ok(Cursor::new(&self.data[s as usize..e as usize], s, what))
            }
            _ => Err(Error::Corrupt(format!(
                "{what} at address {addr} ({len} bytes) lies outside the file ({} bytes)",
                self.data.len()
            ))),
        }
    }

    pub(super) fn charge(&mut self, n: u64, what: &str) -> Result<()> {
        self.budget = self.budget.checked_sub(n).ok_or_else(|| {
            Error::Corrupt(format!(
                "{what} needs {n} more bytes than the file could hold ({} bytes): the file claims more data than it contains",
                self.data.len()
            ))
        })?;
        Ok(())
    }

    pub(super) fn first_visit(&mut self, addr: u64, what: &str) -> Result<()> {
        if !self.blocks.insert(addr) {
            return Err(Error::Corrupt(format!(
                "{what} at address {addr} is reached twice (a cycle)"
            )));
        }
        Ok(())
    }

    /// Reads the object at `addr` (a group or a dataset) named `path`.
    fn object(&mut self, addr: u64, path: &str, depth: usize) -> Result<Node> {
        if depth > MAX_DEPTH {
            return Err(Error::Unsupported(format!(
                "{path}: groups nested deeper than {MAX_DEPTH}"
            )));
        }
        if !self.objects.insert(addr) {
            return Err(Error::Unsupported(format!(
                "{path}: the object at address {addr} is linked more than once (hard-link cycles and shared objects are not supported)"
            )));
        }
        let msgs = self.header(addr, path)?;
        if let Some(m) = msgs.iter().find(|m| m.flags & 0x02 != 0 && m.kind != 0) {
            return Err(Error::Unsupported(format!(
                "{path}: shared object header message (type {}; committed datatypes or a shared message table)",
                m.kind
            )));
        }
        let attrs = self.attributes(&msgs, path)?;
        let has = |k: u16| msgs.iter().any(|m| m.kind == k);
        if has(0x08) {
            return Ok(Node::Dataset(self.dataset(&msgs, attrs, path)?));
        }
        if has(0x03) {
            return Err(Error::Unsupported(format!(
                "{path}: named (committed) datatype objects"
            )));
        }
        let mut group = Group {
            members: Default::default(),
            attrs,
        };
        for (name, child) in self.links(&msgs, path)? {
            let child_path = join(path, &name);
            let node = self.object(child, &child_path, depth + 1)?;
            if group.members.insert(name, node).is_some() {
                return Err(Error::Corrupt(format!(
                    "{child_path}: the name appears twice in its group"
                )));
            }
        }
        Ok(Node::Group(group))
    }

    fn dataset(&mut self, msgs: &[Msg<'a>], attrs: Attrs, path: &str) -> Result<Dataset> {
        let find = |k: u16, name: &str| {
            msgs.iter()
                .find(|m| m.kind == k)
                .ok_or_else(|| Error::Corrupt(format!("dataset {path}: no {name} message")))
        };
        let dims = messages::dataspace(&mut find(0x01, "dataspace")?.cursor("dataspace message"), self.sizes)?
            .ok_or_else(|| Error::Unsupported(format!("dataset {path}: empty (null dataspace) datasets")))?;
        let (ty, elem) = messages::datatype(&mut find(0x03, "datatype")?.cursor("datatype message"), self.sizes, 0)?;
        let bf16 = attrs.get("dtype").and_then(AttrValue::as_str) == Some("bfloat16");
        let (dtype, big_endian) = match ty {
            Type::Number { dtype, big_endian } => (dtype, big_endian),
            Type::Opaque(2) if bf16 => (Dtype::BF16, false),
            other => {
                return Err(Error::Unsupported(format!(
                    "dataset {path}: values of type {other:?} (Keras variables are numbers)"
                )))
            }
        };
        let shape = dims
            .iter()
            .map(|&d| usize::try_from(d))
            .collect::<std::result::Result<Vec<usize>, _>>()
            .map_err(|_| Error::Corrupt(format!("dataset {path}: shape {dims:?} does not fit in memory")))?;
        let nbytes = shape
            .iter()
            .try_fold(elem as u64, |n, &d| n.checked_mul(d as u64))
            .ok_or_else(|| Error::Corrupt(format!("dataset {path}: shape {dims:?} overflows")))?;
        self.charge(nbytes, &format!("dataset {path}"))?;
        let layout = messages::layout(&mut find(0x08, "layout")?.cursor("layout message"), self.sizes)?;
        let bytes = match layout {
            Layout::Compact(b) => {
                if (b.len() as u64) < nbytes {
                    return Err(Error::Corrupt(format!(
                        "dataset {path}: compact data has {} bytes, shape {dims:?} needs {nbytes}",
                        b.len()
                    )));
                }
                b[..nbytes as usize].to_vec()
            }
            Layout::Contiguous { addr, .. } if addr == self.sizes.undefined() => {
                let fill = match msgs.iter().find(|m| m.kind == 0x05) {
                    Some(m) => messages::fill_value(&mut m.cursor("fill value message"))?,
                    None => None,
                };
                match fill {
                    Some(f) if f.len() == elem => f.repeat(nbytes as usize / elem.max(1)),
                    _ => vec![0u8; nbytes as usize],
                }
            }
            Layout::Contiguous { addr, size } => {
                if size < nbytes {
                    return Err(Error::Corrupt(format!(
                        "dataset {path}: {size} bytes stored, shape {dims:?} needs {nbytes}"
                    )));
                }
                self.at(addr, nbytes, "dataset values")?
                    .bytes(nbytes as usize)?
                    .to_vec()
            }
        };
        let array = numbers(dtype, big_endian, &dims, bytes, &format!("dataset {path}"))?;
        Ok(Dataset { array, attrs })
    }
}

/// Little-endian array from stored bytes (swapping big-endian elements, normalising bools).
pub(super) fn numbers(dtype: Dtype, big_endian: bool, dims: &[u64], mut bytes: Vec<u8>, what: &str) -> Result<Array> {
    if big_endian {
        for e in bytes.chunks_exact_mut(dtype.size()) {
            e.reverse();
        }
    }
    if dtype == Dtype::Bool {
        bytes.iter_mut().for_each(|b| *b = (*b != 0) as u8);
    }
    let shape: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
    Array::from_bytes(dtype, &shape, bytes).map_err(|e| Error::Corrupt(format!("{what}: {e}")))
}
