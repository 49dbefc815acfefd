//! Corrupt, truncated and hostile files give errors, never panics or oversized allocations.
//!
//! A bounded mutation test (stable Rust, a few thousand cases per file, deterministic): every
//! truncation step and thousands of mutations (bit flips, random bytes, runs of 0xff, fields set
//! to sizes and addresses that overflow or point outside the file) of Keras and h5py fixtures
//! (old-style and `libver="latest"` layouts), of a file kerasfile wrote and of `.keras` archives
//! (stored and deflated). Each result must be `Ok`
//! or `Err`, never a panic, and no single allocation may exceed twice the file's size plus
//! 2 MiB (measured by a counting global allocator), so a size field claiming terabytes fails the
//! test instead of the machine. Then hand-made hostile files: shapes whose element count
//! overflows, data addresses past the end, a group linked into itself, bad superblock sizes,
//! archives with `../` entry names, lying entry sizes, missing entries.

use kerasfile::{h5, Array, Group, KerasArchive};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::path::PathBuf;

/// Records the largest single allocation of the current thread.
struct Largest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Truncations and `n` mutations of `seed`.
fn variants(seed: &[u8], n: usize, rng_seed: u64) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..97).map(|k| seed[..seed.len() * k / 97].to_vec()).collect();
    let mut r = Rng(rng_seed);
    let len = seed.len() as u64;
    let interesting = [
        0,
        1,
        8,
        0x7fff_ffff,
        0xffff_ffff,
        len - 8,
        len,
        len + 1,
        1 << 40,
        u64::MAX / 2,
        u64::MAX,
    ];
    for i in 0..n {
        let mut b = seed.to_vec();
        for _ in 0..1 + i % 3 {
            let pos = r.below(b.len());
            let room = b.len() - pos;
            match r.below(6) {
                0 => b[pos] ^= 1 << r.below(8),
                1 => b[pos] = r.next() as u8,
                2 => b[pos..pos + room.min(8)].fill(0xff),
                3 => {
                    let v = interesting[r.below(interesting.len())].to_le_bytes();
                    b[pos..pos + room.min(8)].copy_from_slice(&v[..room.min(8)]);
                }
                4 => {
                    let v = [0u16, 1, 0x7fff, 0x8000, 0xffff][r.below(5)].to_le_bytes();
                    b[pos..pos + room.min(2)].copy_from_slice(&v[..room.min(2)]);
                }
                _ => b[pos] = b[pos].wrapping_add(1),
            }
        }
        out.push(b);
    }
    out
}

/// Runs `parse` on every variant: no panic, and a bounded largest allocation.
fn survive(name: &str, seed: &[u8], n: usize, parse: fn(&[u8]) -> bool) -> (usize, usize) {
    let limit = 2 * seed.len() + (2 << 20);
    let (mut ok, mut err) = (0, 0);
    for (i, v) in variants(seed, n, 0x9e37_79b9_7f4a_7c15 ^ seed.len() as u64)
        .iter()
        .enumerate()
    {
        LARGEST.with(|l| l.set(0));
        let result = std::panic::catch_unwind(|| parse(v));
        let largest = LARGEST.with(|l| l.get());
        match result {
            Ok(true) => ok += 1,
            Ok(false) => err += 1,
            Err(_) => panic!("{name}: variant {i} ({} bytes) panicked", v.len()),
        }
        assert!(
            largest <= limit,
            "{name}: variant {i} allocated {largest} bytes at once (limit {limit})"
        );
    }
    (ok, err)
}

fn parse_h5(b: &[u8]) -> bool {
    h5::from_bytes(b).is_ok()
}

fn parse_keras(b: &[u8]) -> bool {
    KerasArchive::from_bytes(b).is_ok()
}

#[test]
fn mutated_and_truncated_hdf5_files_never_panic() {
    let written = h5::to_bytes(&h5::from_bytes(&fixture("h5py_types.h5")).unwrap()).unwrap();
    for (name, seed) in [
        ("mlp.weights.h5", fixture("mlp.weights.h5")),
        ("lstm.weights.h5", fixture("lstm.weights.h5")),
        ("h5py_types.h5", fixture("h5py_types.h5")),
        ("h5py_latest.h5", fixture("h5py_latest.h5")),
        ("h5py_types.h5 rewritten by kerasfile", written),
    ] {
        let (ok, err) = survive(name, &seed, 2000, parse_h5);
        // Truncations always fail; most metadata mutations are caught.
        assert!(err > 300, "{name}: only {err} of {} variants were refused", ok + err);
    }
}

fn deflated(archive: &KerasArchive) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [
        ("metadata.json", archive.metadata.clone().unwrap().into_bytes()),
        ("config.json", archive.config.clone().into_bytes()),
        ("model.weights.h5", h5::to_bytes(&archive.weights).unwrap()),
    ] {
        zip.start_file(name, options).unwrap();
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn mutated_and_truncated_keras_archives_never_panic() {
    let stored = fixture("functional.keras");
    let archive = KerasArchive::from_bytes(&stored).unwrap();
    let packed = deflated(&archive);
    assert!(packed.len() < stored.len());
    assert_eq!(
        KerasArchive::from_bytes(&packed).unwrap(),
        archive,
        "deflated entries read like stored ones"
    );
    survive("functional.keras", &stored, 2000, parse_keras);
    survive("functional.keras deflated", &packed, 2000, parse_keras);
}

fn sample() -> Group {
    let mut g = Group::new();
    g.insert_dataset(
        "a/b/x",
        Array::from_slice(&[2, 3], &[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap(),
    )
    .unwrap();
    g
}

fn find(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    (0..=hay.len().saturating_sub(needle.len()))
        .filter(|&i| &hay[i..i + needle.len()] == needle)
        .collect()
}

fn err(bytes: &[u8]) -> String {
    h5::from_bytes(bytes).unwrap_err().to_string()
}

#[test]
fn huge_or_overflowing_shapes_are_refused_before_allocating() {
    let good = h5::to_bytes(&sample()).unwrap();
    let dims: Vec<u8> = [2u64, 3].iter().flat_map(|d| d.to_le_bytes()).collect();
    let at = find(&good, &dims);
    assert_eq!(at.len(), 2, "dims and max dims of the one dataset");
    for (d0, d1, expect) in [
        (u64::MAX, 3u64, "overflows"),
        (1 << 40, 1 << 20, "more data than it contains"),
        (3, 3, "needs 36"),
    ] {
        let mut bad = good.clone();
        bad[at[0]..at[0] + 8].copy_from_slice(&d0.to_le_bytes());
        bad[at[0] + 8..at[0] + 16].copy_from_slice(&d1.to_le_bytes());
        LARGEST.with(|l| l.set(0));
        let e = err(&bad);
        assert!(e.contains(expect), "{e}");
        assert!(LARGEST.with(|l| l.get()) < 1 << 20);
    }
}

#[test]
fn addresses_outside_the_file_are_errors() {
    let good = h5::to_bytes(&sample()).unwrap();
    // The layout message: version 3, class 1, then the data address.
    let layout = find(&good, &[3, 1]).into_iter().find(|&i| {
        let a = u64::from_le_bytes(good[i + 2..i + 10].try_into().unwrap());
        a > 0 && a < good.len() as u64 && u64::from_le_bytes(good[i + 10..i + 18].try_into().unwrap()) == 24
    });
    let at = layout.expect("layout message") + 2;
    let mut bad = good.clone();
    bad[at..at + 8].copy_from_slice(&(good.len() as u64 - 4).to_le_bytes());
    assert!(err(&bad).contains("lies outside the file"), "{}", err(&bad));
    let mut bad = good.clone();
    bad[at..at + 8].copy_from_slice(&(u64::MAX - 1).to_le_bytes());
    assert!(err(&bad).contains("outside the file"), "{}", err(&bad));
}

#[test]
fn a_group_linked_into_itself_is_refused() {
    // The writer puts children first: the symbol table nodes of "a/b" (listing "x"), "a"
    // (listing "b") and the root (listing "a"), in that order. Point a's entry for "b" at a's
    // own object header (an entry is a name offset, then the header address).
    let good = h5::to_bytes(&sample()).unwrap();
    let snods = find(&good, b"SNOD");
    assert_eq!(snods.len(), 3);
    let (a_snod, root_snod) = (snods[1], snods[2]);
    let header_of_first_entry = |snod: usize| snod + 8 + 8;
    let at = header_of_first_entry(root_snod);
    let a_header = good[at..at + 8].to_vec();
    let mut bad = good.clone();
    let at = header_of_first_entry(a_snod);
    bad[at..at + 8].copy_from_slice(&a_header);
    let e = err(&bad);
    assert!(e.contains("linked more than once"), "{e}");
}

#[test]
fn bad_superblocks_are_errors() {
    let good = h5::to_bytes(&sample()).unwrap();
    assert!(err(&good[..7]).contains("no HDF5 signature"));
    assert!(err(b"not an hdf5 file at all, just text").contains("no HDF5 signature"));
    let mut bad = good.clone();
    bad[13] = 3; // size of offsets
    assert!(err(&bad).contains("must be 2, 4 or 8"), "{}", err(&bad));
    let mut bad = good.clone();
    bad[8] = 9; // superblock version
    assert!(err(&bad).contains("superblock version 9"), "{}", err(&bad));
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        zip.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn hostile_archives_are_refused() {
    let weights = h5::to_bytes(&sample()).unwrap();
    let ok = zip_of(&[
        ("config.json", b"{}"),
        ("model.weights.h5", &weights),
        ("assets/vocab.txt", b"a\nb"),
    ]);
    let archive = KerasArchive::from_bytes(&ok).unwrap();
    assert_eq!(archive.assets["assets/vocab.txt"], b"a\nb");
    assert_eq!(archive.metadata, None);
    for (name, expect) in [
        ("../evil", "escapes"),
        ("assets/../../evil", "escapes"),
        ("/etc/passwd", "absolute"),
    ] {
        let bad = zip_of(&[("config.json", b"{}"), ("model.weights.h5", &weights), (name, b"x")]);
        let e = KerasArchive::from_bytes(&bad).unwrap_err().to_string();
        assert!(e.contains(expect), "{name}: {e}");
    }
    let e = KerasArchive::from_bytes(&zip_of(&[("model.weights.h5", &weights)]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no config.json"), "{e}");
    let e = KerasArchive::from_bytes(&zip_of(&[("config.json", b"{}"), ("model.weights.npz", b"")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("npz"), "{e}");
    let e = KerasArchive::from_bytes(&zip_of(&[("config.json", b"\xff\xfe")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("not UTF-8"), "{e}");
    let e = KerasArchive::from_bytes(&zip_of(&[("config.json", b"{}"), ("model.weights.h5", b"junk")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("model.weights.h5") && e.contains("no HDF5 signature"), "{e}");
    assert!(KerasArchive::from_bytes(b"PK\x03\x04 not really").is_err());
    // A stored entry whose sizes (local and central headers) claim more than it holds.
    let mut lying = zip_of(&[("config.json", b"{}")]);
    for at in find(&lying, &2u32.to_le_bytes()) {
        lying[at..at + 4].copy_from_slice(&200u32.to_le_bytes());
    }
    assert!(KerasArchive::from_bytes(&lying).is_err());
}

#[test]
fn the_writer_refuses_what_hdf5_cannot_hold() {
    let mut g = Group::new();
    g.set_attr("big", Array::from_slice(&[20_000], &vec![0f64; 20_000]).unwrap());
    let e = h5::to_bytes(&g).unwrap_err().to_string();
    assert!(e.contains("at most 65535"), "{e}");
    let mut g = Group::new();
    let mut path = String::from("g");
    for _ in 0..70 {
        path.push_str("/g");
    }
    g.require_group(&path).unwrap();
    assert!(h5::to_bytes(&g).unwrap_err().to_string().contains("deeper than"));
    let mut g = Group::new();
    g.members.insert("a/b".into(), kerasfile::Node::Group(Group::new()));
    assert!(h5::to_bytes(&g)
        .unwrap_err()
        .to_string()
        .contains("invalid member name"));
}
