//! Atomic file replacement: write a temporary file `.<name>.<pid>.<n>.tmp` beside the target,
//! flush it to disk, rename it over the target, then flush the directory, so a crash leaves
//! either the old file or the new one, never a torn mix. Temporary files that earlier,
//! interrupted saves of the same path left behind are removed by the next save when their
//! process is gone (checked in `/proc`, so on Linux) or had this process's id in an earlier
//! life; those of live processes are left alone.
//!
//! The same implementation as `tensorlow::write_atomic` (same temporary names, same cleanup,
//! so either crate's save cleans up after the other's), repeated here because this crate
//! depends on no tensor crate and tensorlow depends on no file-format crate. A change to one
//! belongs in both.

use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Writes `bytes` to `path` atomically (see the module documentation).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // Unique per process and call: two threads saving the same path never share a temp file.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let _guard = InFlight::new(&tmp);
    remove_stale_temp_files(dir, &name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    #[cfg(unix)]
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

/// Removes the temporary files of earlier saves of `name` in `dir` whose writer is gone.
/// Best effort: errors are ignored.
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
            let _ = std::fs::remove_file(e.path());
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
