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
