//! What every fuzz target shares: the input written to a file (the loaders
//! take paths, as users call them), and a low allocation bound, so that
//! sizes a file asks for come back as tensorlow's `ResourceExhausted`
//! errors while any allocation outside tensorlow's checks still trips
//! libFuzzer's `-malloc_limit_mb` and is reported as a crash.

use std::path::PathBuf;

/// The most bytes one tensor may take inside a fuzz target.
pub const MAX_ALLOC_BYTES: u64 = 64 << 20;

/// Writes `data` to this process's scratch file named `name` (in
/// `/dev/shm` when it exists, so no disk is touched) and calls `f` with its
/// path. The first call lowers tensorlow's allocation bound.
pub fn with_file<R>(name: &str, data: &[u8], f: impl FnOnce(&std::path::Path) -> R) -> R {
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| tensorlow::limits::set_max_alloc_bytes(MAX_ALLOC_BYTES));
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("deeprust_fuzz_{}_{name}", std::process::id()));
    std::fs::write(&path, data).expect("the scratch file can be written");
    f(&path)
}

/// A `.keras` archive built from a fuzz input: the bytes before the first
/// `\0` are `config.json`, those after it `model.weights.h5` (all of it is
/// the config when there is no `\0`), stored with valid CRCs so that the
/// loader gets past the zip reader to the entries' content.
pub fn keras_archive(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let (config, weights) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in [("config.json", config), ("model.weights.h5", weights)] {
        zip.start_file(name, options).expect("a zip entry starts");
        zip.write_all(bytes).expect("a zip entry is written");
    }
    zip.finish().expect("the zip is finished").into_inner()
}

/// Reads every dataset's values and every group's Keras variables of an
/// HDF5 tree kerasfile read: whatever loads can be used.
pub fn visit_datasets(tree: &kerasfile::Group) {
    tree.walk("", &mut |path, node| match node {
        kerasfile::Node::Dataset(d) => {
            if let Ok(v) = d.array.to_f64() {
                assert_eq!(v.len(), d.shape().iter().product::<usize>(), "{path}");
            }
        }
        kerasfile::Node::Group(_) => {
            let _ = tree.keras_vars(path);
        }
    });
}
