//! All-or-nothing file saves, shared by every crate of deeprust that writes
//! files (tensorlow's checkpoints, tensors, plots and Keras-tier saves;
//! kerasfile's `.keras` archives and `.weights.h5` files), so that they use
//! one naming scheme for temporary files and one cleanup, and each crate's
//! save cleans up after an interrupted save of another's.
//!
//! ```
//! let path = std::env::temp_dir().join(format!("atomicfile_doc_{}.txt", std::process::id()));
//! atomicfile::write_atomic(&path, b"first")?;
//! atomicfile::write_atomic(&path, b"second")?;
//! assert_eq!(std::fs::read(&path)?, b"second");
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), std::io::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Writes `bytes` to `path` atomically (an I/O error is returned as the
/// system gave it; callers add the path): to a temporary file
/// `.<name>.<pid>.<n>.tmp` in the same folder, flushed to disk (`fsync`),
/// renamed over the target, then the folder is flushed too, so the new
/// name survives a power loss once this returns.
///
/// What "atomic" covers: a reader, or the next run after a crash or a
/// `kill -9` at any moment, finds either the previous complete file or the
/// new complete file at `path`, never a mix or a truncated file. It does
/// not make several files one transaction, it does not order concurrent
/// writers (the last rename wins; each writer's file is complete), and a
/// symbolic link at `path` is replaced by the file, not written through.
///
/// Temporary files left by interrupted saves are removed by the next save
/// of the same path: those whose process is gone (checked in `/proc`, so
/// on Linux) and those of an earlier process that had this one's id (a
/// container restarted with the same PID). Temporary files of live
/// processes are left alone.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // Unique per process and per call: two threads saving the same path must
    // not write into (and rename away) each other's temporary file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let _guard = InFlight::new(&tmp);
    remove_stale_temp_files(dir, &name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    // Make the rename itself durable. Some systems cannot open or sync a
    // folder (Windows, some network file systems): the file is complete
    // either way, so that is not an error.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The temporary files this process is writing now (never stale).
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Registers a temporary file as being written until dropped.
struct InFlight(PathBuf);

impl InFlight {
    fn new(tmp: &Path) -> Self {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tmp.to_path_buf());
        InFlight(tmp.to_path_buf())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut v = IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = v.iter().position(|p| *p == self.0) {
            v.swap_remove(i);
        }
    }
}

/// The process id in a temporary file name `.<name>.<pid>.<n>.tmp`.
fn temp_file_pid(file: &str, name: &str) -> Option<u32> {
    let rest = file.strip_prefix('.')?.strip_prefix(name)?.strip_prefix('.')?;
    let (pid, n) = rest.strip_suffix(".tmp")?.split_once('.')?;
    if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Removes the temporary files of earlier saves of `name` in `dir` whose
/// writer is gone (see [`write_atomic`]). Best effort: errors are ignored.
fn remove_stale_temp_files(dir: &Path, name: &str) {
    // Without /proc there is no cheap way to tell a dead process.
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file.to_str().and_then(|f| temp_file_pid(f, name)) else {
            continue;
        };
        let path = e.path();
        let stale = if pid == me {
            !IN_FLIGHT
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .iter()
                .any(|p| p.file_name() == Some(file.as_os_str()))
        } else {
            !Path::new(&format!("/proc/{pid}")).exists()
        };
        if stale {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_file_names_are_parsed_strictly() {
        assert_eq!(temp_file_pid(".w.h5.42.0.tmp", "w.h5"), Some(42));
        assert_eq!(temp_file_pid(".w.h5.42.17.tmp", "w.h5"), Some(42));
        for not_ours in [
            ".w.h5.42.tmp",
            ".w.h5.42..tmp",
            ".w.h5.x.0.tmp",
            ".v.h5.42.0.tmp",
            "w.h5.42.0.tmp",
        ] {
            assert_eq!(temp_file_pid(not_ours, "w.h5"), None, "{not_ours}");
        }
    }
}
