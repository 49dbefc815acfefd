//! The HDF5 writer: the same layout h5py writes for Keras with its default settings.
//!
//! Superblock version 0 with 8-byte addresses and lengths; every object has a version-1 object
//! header; groups are old-style symbol tables (a version-1 B-tree with group leaf K = 4 and
//! internal K = 16, symbol table nodes, a local heap of names); datasets are contiguous,
//! little-endian, with h5py's dataspace, fill value and layout messages; attribute strings are
//! variable-length UTF-8 strings in global heap collections. HDF5 1.8 and later, h5py and Keras
//! read these files. Structures are written children first, so every address is known when it is
//! written; only the global heap addresses inside attributes and the superblock are patched at
//! the end.

use super::encode::{dataspace, datatype, VLEN_STRING};
use super::read::MAX_DEPTH;
use crate::tree::check_name;
use crate::{Array, AttrValue, Attrs, Dtype, Error, Group, Node, Result};

const UNDEF: u64 = u64::MAX;
const LEAF_K: usize = 4;
const INTERNAL_K: usize = 16;
const SNOD_SIZE: usize = 8 + 2 * LEAF_K * 40;
const TREE_SIZE: usize = 24 + 2 * INTERNAL_K * 8 + (2 * INTERNAL_K + 1) * 8;
const SUPERBLOCK_SIZE: usize = 96;
/// Largest global heap collection the writer makes before starting another one.
const HEAP_COLLECTION_MAX: usize = 1 << 20;

/// Where a member's object header is, and for groups the B-tree and heap (HDF5 caches those
/// in the parent's symbol table entry).
#[derive(Clone, Copy)]
struct Entry {
    header: u64,
    group: Option<(u64, u64)>,
}

/// Positions of global heap addresses to patch, with their collection numbers.
type Patches = Vec<(usize, usize)>;

/// An attribute message body and the patches it needs (positions relative to the body).
type AttrMessage = (Vec<u8>, Patches);

struct Writer {
    out: Vec<u8>,
    /// Strings of the global heap, in collections of at most 65534 objects.
    heaps: Vec<Vec<Vec<u8>>>,
    heap_bytes: usize,
    /// (position in `out` of an 8-byte collection address, collection number).
    patches: Vec<(usize, usize)>,
}

/// Serialises `root` as an HDF5 file.
pub(crate) fn write(root: &Group) -> Result<Vec<u8>> {
    let mut w = Writer {
        out: vec![0; SUPERBLOCK_SIZE],
        heaps: Vec::new(),
        heap_bytes: 0,
        patches: Vec::new(),
    };
    let root_entry = w.group(root, "/", 0)?;
    w.global_heaps();
    let eof = w.out.len() as u64;
    let (btree, heap) = root_entry.group.expect("the root is a group");
    let mut sb = Vec::with_capacity(SUPERBLOCK_SIZE);
    sb.extend_from_slice(b"\x89HDF\r\n\x1a\n");
    sb.extend_from_slice(&[0, 0, 0, 0, 0, 8, 8, 0]);
    sb.extend_from_slice(&(LEAF_K as u16).to_le_bytes());
    sb.extend_from_slice(&(INTERNAL_K as u16).to_le_bytes());
    sb.extend_from_slice(&0u32.to_le_bytes());
    for v in [0, UNDEF, eof, UNDEF, 0, root_entry.header] {
        sb.extend_from_slice(&v.to_le_bytes());
    }
    sb.extend_from_slice(&1u32.to_le_bytes());
    sb.extend_from_slice(&0u32.to_le_bytes());
    sb.extend_from_slice(&btree.to_le_bytes());
    sb.extend_from_slice(&heap.to_le_bytes());
    w.out[..SUPERBLOCK_SIZE].copy_from_slice(&sb);
    Ok(w.out)
}

fn pad8(v: &mut Vec<u8>) {
    v.resize(v.len().div_ceil(8) * 8, 0);
}

fn u16_len(n: usize, what: &dyn Fn() -> String) -> Result<u16> {
    u16::try_from(n).map_err(|_| {
        Error::Invalid(format!(
            "{} is {n} bytes; an HDF5 object header message holds at most 65535",
            what()
        ))
    })
}

impl Writer {
    fn align(&mut self) {
        pad8(&mut self.out);
    }

    fn addr(&self) -> u64 {
        self.out.len() as u64
    }

    /// A version-1 object header of `msgs` (type, flags, body), at the current end.
    fn object_header(&mut self, msgs: &[(u16, u8, Vec<u8>)]) -> Result<u64> {
        self.align();
        let at = self.addr();
        let size: usize = msgs.iter().map(|(_, _, b)| 8 + b.len().div_ceil(8) * 8).sum();
        let size = u32::try_from(size)
            .map_err(|_| Error::Invalid(format!("an object header of {size} bytes exceeds HDF5's 4 GiB")))?;
        let count = u16::try_from(msgs.len()).map_err(|_| {
            Error::Invalid(format!(
                "{} attributes on one object; an HDF5 object header holds at most 65535",
                msgs.len()
            ))
        })?;
        self.out.extend_from_slice(&[1, 0]);
        self.out.extend_from_slice(&count.to_le_bytes());
        self.out.extend_from_slice(&1u32.to_le_bytes());
        self.out.extend_from_slice(&size.to_le_bytes());
        self.out.extend_from_slice(&[0; 4]);
        for (kind, flags, body) in msgs {
            let padded = body.len().div_ceil(8) * 8;
            self.out.extend_from_slice(&kind.to_le_bytes());
            self.out.extend_from_slice(&(padded as u16).to_le_bytes());
            self.out.extend_from_slice(&[*flags, 0, 0, 0]);
            self.out.extend_from_slice(body);
            pad8(&mut self.out);
        }
        Ok(at)
    }

    /// Adds `s` to the global heap; returns (collection number, object index).
    fn heap_string(&mut self, s: &str) -> (usize, u32) {
        let need = 16 + s.len().div_ceil(8) * 8;
        let full = self
            .heaps
            .last()
            .is_none_or(|c| c.len() >= 65534 || self.heap_bytes + need > HEAP_COLLECTION_MAX);
        if full {
            self.heaps.push(Vec::new());
            self.heap_bytes = 0;
        }
        self.heap_bytes += need;
        let n = self.heaps.len();
        let c = &mut self.heaps[n - 1];
        c.push(s.as_bytes().to_vec());
        (n - 1, c.len() as u32)
    }

    /// An attribute message body (version 1) and the positions in it of global heap
    /// addresses to patch (with their collection numbers); `header_with_attrs` makes the
    /// positions absolute.
    fn attribute(&mut self, name: &str, value: &AttrValue, path: &str) -> Result<AttrMessage> {
        check_name(name, "attribute")?;
        let (dtype, space, data, refs) = match value {
            AttrValue::String(s) => {
                let (data, refs) = self.string_refs(std::slice::from_ref(s), path, name)?;
                (VLEN_STRING.to_vec(), dataspace(&[]), data, refs)
            }
            AttrValue::Strings(v) => {
                let (data, refs) = self.string_refs(v, path, name)?;
                (VLEN_STRING.to_vec(), dataspace(&[v.len()]), data, refs)
            }
            AttrValue::Array(a) => (
                datatype(a.dtype()),
                dataspace(a.shape()),
                a.bytes().to_vec(),
                Vec::new(),
            ),
        };
        let what = || format!("attribute {name:?} of {path}");
        let mut m = vec![1, 0];
        m.extend_from_slice(&u16_len(name.len() + 1, &what)?.to_le_bytes());
        m.extend_from_slice(&u16_len(dtype.len(), &what)?.to_le_bytes());
        m.extend_from_slice(&u16_len(space.len(), &what)?.to_le_bytes());
        m.extend_from_slice(name.as_bytes());
        m.push(0);
        pad8(&mut m);
        m.extend_from_slice(&dtype);
        pad8(&mut m);
        m.extend_from_slice(&space);
        pad8(&mut m);
        let data_at = m.len();
        m.extend_from_slice(&data);
        u16_len(m.len().div_ceil(8) * 8, &what)?;
        Ok((m, refs.into_iter().map(|(pos, c)| (data_at + pos, c)).collect()))
    }

    /// Heap references for `strings`: the element bytes and (offset of the address, collection).
    fn string_refs(&mut self, strings: &[String], path: &str, name: &str) -> Result<(Vec<u8>, Patches)> {
        let mut data = Vec::with_capacity(16 * strings.len());
        let mut refs = Vec::new();
        for s in strings {
            let len = u32::try_from(s.len())
                .map_err(|_| Error::Invalid(format!("attribute {name:?} of {path}: a string over 4 GiB")))?;
            data.extend_from_slice(&len.to_le_bytes());
            if s.is_empty() {
                data.extend_from_slice(&[0; 12]);
                continue;
            }
            let (collection, index) = self.heap_string(s);
            refs.push((data.len(), collection));
            data.extend_from_slice(&[0; 8]);
            data.extend_from_slice(&index.to_le_bytes());
        }
        Ok((data, refs))
    }

    /// Attribute messages of `attrs` plus the patches they need, relative to each body.
    fn attribute_messages(&mut self, attrs: &Attrs, path: &str) -> Result<Vec<AttrMessage>> {
        attrs
            .iter()
            .map(|(name, value)| self.attribute(name, value, path))
            .collect()
    }

    /// Writes an object header whose messages are `fixed` followed by `attrs`, registering the
    /// attribute patches at their final positions.
    fn header_with_attrs(&mut self, fixed: Vec<(u16, u8, Vec<u8>)>, attrs: Vec<AttrMessage>) -> Result<u64> {
        let mut msgs = fixed;
        let mut rel = Vec::new();
        for (body, patches) in attrs {
            rel.push((msgs.len(), patches));
            msgs.push((0x0c, 0, body));
        }
        let at = self.object_header(&msgs)?;
        // Body of message i starts at header + 16 + sum over earlier messages of (8 + padded).
        let mut starts = Vec::with_capacity(msgs.len());
        let mut pos = at as usize + 16;
        for (_, _, b) in &msgs {
            starts.push(pos + 8);
            pos += 8 + b.len().div_ceil(8) * 8;
        }
        for (i, patches) in rel {
            for (off, c) in patches {
                self.patches.push((starts[i] + off, c));
            }
        }
        Ok(at)
    }

    fn dataset(&mut self, d: &crate::Dataset, path: &str) -> Result<Entry> {
        let a: &Array = &d.array;
        let mut attrs = d.attrs.clone();
        if a.dtype() == Dtype::BF16 {
            // How Keras marks bfloat16 values stored as 2-byte opaque data.
            attrs
                .entry("dtype".into())
                .or_insert_with(|| AttrValue::from("bfloat16"));
        }
        let attrs = self.attribute_messages(&attrs, path)?;
        let nbytes = a.bytes().len() as u64;
        let mut fixed = vec![
            (0x01, 0, dataspace(a.shape())),
            (0x03, 1, datatype(a.dtype())),
            (0x05, 1, vec![2, 2, 2, 1, 0, 0, 0, 0]),
            (0x08, 0, vec![0; 18]),
        ];
        // The layout's address is where the values go: right after this header.
        let header_size: usize = fixed.iter().map(|(_, _, b)| 8 + b.len().div_ceil(8) * 8).sum::<usize>()
            + attrs.iter().map(|(b, _)| 8 + b.len().div_ceil(8) * 8).sum::<usize>();
        self.align();
        let data_at = if nbytes == 0 {
            UNDEF
        } else {
            self.addr() + 16 + header_size as u64
        };
        let mut layout = vec![3, 1];
        layout.extend_from_slice(&data_at.to_le_bytes());
        layout.extend_from_slice(&nbytes.to_le_bytes());
        fixed[3].2 = layout;
        let header = self.header_with_attrs(fixed, attrs)?;
        debug_assert!(nbytes == 0 || self.addr() == data_at);
        self.out.extend_from_slice(a.bytes());
        Ok(Entry { header, group: None })
    }

    fn group(&mut self, g: &Group, path: &str, depth: usize) -> Result<Entry> {
        if depth > MAX_DEPTH {
            return Err(Error::Invalid(format!("{path}: groups nested deeper than {MAX_DEPTH}")));
        }
        let mut entries = Vec::with_capacity(g.members.len());
        for (name, node) in &g.members {
            check_name(name, "member")?;
            let child = if path == "/" {
                format!("/{name}")
            } else {
                format!("{path}/{name}")
            };
            let e = match node {
                Node::Group(sub) => self.group(sub, &child, depth + 1)?,
                Node::Dataset(d) => self.dataset(d, &child)?,
            };
            entries.push((name.as_str(), e));
        }
        // Local heap: the empty string at 0, then each name, NUL-terminated, padded to 8.
        let mut names = vec![0u8; 8];
        let mut offsets = Vec::with_capacity(entries.len());
        for (name, _) in &entries {
            offsets.push(names.len() as u64);
            names.extend_from_slice(name.as_bytes());
            names.push(0);
            pad8(&mut names);
        }
        self.align();
        let heap = self.addr();
        self.out.extend_from_slice(b"HEAP\0\0\0\0");
        self.out.extend_from_slice(&(names.len() as u64).to_le_bytes());
        self.out.extend_from_slice(&1u64.to_le_bytes()); // no free block
        self.out.extend_from_slice(&(heap + 32).to_le_bytes());
        self.out.extend_from_slice(&names);
        // Symbol table nodes of up to 2 * LEAF_K entries, sorted by name (BTreeMap order).
        let mut level: Vec<(u64, u64, u64)> = Vec::new(); // (address, low key, high key)
        let mut low = 0u64;
        for (chunk, offs) in entries.chunks(2 * LEAF_K).zip(offsets.chunks(2 * LEAF_K)) {
            let at = self.addr();
            let mut node = Vec::with_capacity(SNOD_SIZE);
            node.extend_from_slice(b"SNOD\x01\0");
            node.extend_from_slice(&(chunk.len() as u16).to_le_bytes());
            for ((_, e), &off) in chunk.iter().zip(offs) {
                node.extend_from_slice(&off.to_le_bytes());
                node.extend_from_slice(&e.header.to_le_bytes());
                match e.group {
                    Some((b, h)) => {
                        node.extend_from_slice(&1u32.to_le_bytes());
                        node.extend_from_slice(&[0; 4]);
                        node.extend_from_slice(&b.to_le_bytes());
                        node.extend_from_slice(&h.to_le_bytes());
                    }
                    None => node.extend_from_slice(&[0; 24]),
                }
            }
            node.resize(SNOD_SIZE, 0);
            self.out.extend_from_slice(&node);
            let high = *offs.last().expect("chunks are non-empty");
            level.push((at, low, high));
            low = high;
        }
        // B-tree levels of up to 2 * INTERNAL_K children until one root remains.
        let mut height = 0u8;
        let btree = loop {
            let nodes: Vec<&[(u64, u64, u64)]> = if level.is_empty() {
                vec![&[][..]]
            } else {
                level.chunks(2 * INTERNAL_K).collect()
            };
            let first = self.addr();
            let n = nodes.len() as u64;
            let mut next = Vec::with_capacity(nodes.len());
            for (i, kids) in nodes.iter().enumerate() {
                let at = first + i as u64 * TREE_SIZE as u64;
                let left = if i == 0 { UNDEF } else { at - TREE_SIZE as u64 };
                let right = if i as u64 + 1 == n {
                    UNDEF
                } else {
                    at + TREE_SIZE as u64
                };
                let mut node = Vec::with_capacity(TREE_SIZE);
                node.extend_from_slice(b"TREE\0");
                node.push(height);
                node.extend_from_slice(&(kids.len() as u16).to_le_bytes());
                node.extend_from_slice(&left.to_le_bytes());
                node.extend_from_slice(&right.to_le_bytes());
                let low = kids.first().map_or(0, |k| k.1);
                node.extend_from_slice(&low.to_le_bytes());
                for &(child, _, high) in kids.iter() {
                    node.extend_from_slice(&child.to_le_bytes());
                    node.extend_from_slice(&high.to_le_bytes());
                }
                node.resize(TREE_SIZE, 0);
                self.out.extend_from_slice(&node);
                next.push((at, low, kids.last().map_or(0, |k| k.2)));
            }
            if next.len() == 1 {
                break next[0].0;
            }
            level = next;
            height += 1;
        };
        let mut symtab = btree.to_le_bytes().to_vec();
        symtab.extend_from_slice(&heap.to_le_bytes());
        let attrs = self.attribute_messages(&g.attrs, path)?;
        let header = self.header_with_attrs(vec![(0x11, 0, symtab)], attrs)?;
        Ok(Entry {
            header,
            group: Some((btree, heap)),
        })
    }

    /// Writes the global heap collections and patches the attribute references to them.
    fn global_heaps(&mut self) {
        let mut addrs = Vec::with_capacity(self.heaps.len());
        for objects in std::mem::take(&mut self.heaps) {
            self.align();
            let at = self.addr();
            addrs.push(at);
            let mut c = Vec::new();
            for (i, s) in objects.iter().enumerate() {
                c.extend_from_slice(&((i + 1) as u16).to_le_bytes());
                c.extend_from_slice(&[0; 6]);
                c.extend_from_slice(&(s.len() as u64).to_le_bytes());
                c.extend_from_slice(s);
                pad8(&mut c);
            }
            // HDF5 makes collections of at least 4096 bytes, ending in the free-space object 0.
            let total = (16 + c.len() + 16).max(4096);
            let free = (total - 16 - c.len()) as u64;
            self.out.extend_from_slice(b"GCOL\x01\0\0\0");
            self.out.extend_from_slice(&(total as u64).to_le_bytes());
            self.out.extend_from_slice(&c);
            self.out.extend_from_slice(&[0; 8]);
            self.out.extend_from_slice(&free.to_le_bytes());
            self.out.resize(at as usize + total, 0);
        }
        for &(pos, c) in &self.patches {
            self.out[pos..pos + 8].copy_from_slice(&addrs[c].to_le_bytes());
        }
    }
}
