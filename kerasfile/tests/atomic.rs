//! Saves are atomic and clean up after interrupted ones: `h5::write` and `KerasArchive::write`
//! remove the temporary files (`.<name>.<pid>.<n>.tmp`) that earlier saves of the same path
//! left when their process is gone, and keep those of live processes (as
//! `tensorlow::write_atomic` does).

use kerasfile::{h5, Array, Group, KerasArchive};
use std::path::{Path, PathBuf};

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kerasfile_atomic_{tag}_{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn weights() -> Group {
    let mut g = Group::new();
    g.insert_dataset("layers/dense/vars/0", Array::from_slice(&[2], &[1.0f32, 2.0]).unwrap())
        .unwrap();
    g
}

/// Leaves stale and live-looking temporary files beside `dir/name`, calls `save`, and checks
/// that exactly the stale ones are gone.
fn check_cleanup(dir: &Path, name: &str, save: impl FnOnce(&Path)) {
    let me = std::process::id();
    // No process has an id above the kernel's pid_max (at most 2^22).
    let dead = u32::MAX;
    let stale = [
        format!(".{name}.{dead}.0.tmp"),
        format!(".{name}.{dead}.17.tmp"),
        // This process's id, but not a save this process is writing: left by an earlier
        // process with the same id.
        format!(".{name}.{me}.999999.tmp"),
    ];
    let kept = [
        // A live process (init) may still be writing it.
        format!(".{name}.1.0.tmp"),
        // Another file's temporary file, and files that only look similar.
        format!(".other.h5.{dead}.0.tmp"),
        format!(".{name}.{dead}.tmp"),
        format!("{name}.bak"),
    ];
    for f in stale.iter().chain(&kept) {
        std::fs::write(dir.join(f), b"partial").unwrap();
    }
    save(&dir.join(name));
    let mut want: Vec<String> = kept.to_vec();
    want.push(name.to_string());
    want.sort();
    assert_eq!(files(dir), want);
}

#[test]
fn h5_write_removes_stale_temporary_files_of_dead_processes() {
    let dir = scratch("h5");
    check_cleanup(&dir, "w.weights.h5", |path| h5::write(path, &weights()).unwrap());
    let back = h5::read(dir.join("w.weights.h5")).unwrap();
    assert_eq!(back, weights());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn archive_write_removes_stale_temporary_files_of_dead_processes() {
    let dir = scratch("keras");
    let archive = KerasArchive::new("{}", weights());
    check_cleanup(&dir, "m.keras", |path| archive.write(path).unwrap());
    let back = KerasArchive::read(dir.join("m.keras")).unwrap();
    assert_eq!((back.config.as_str(), &back.weights), ("{}", &weights()));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn saves_of_one_path_from_many_threads_each_leave_a_complete_file() {
    let dir = scratch("threads");
    let path = dir.join("w.weights.h5");
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                for _ in 0..10 {
                    h5::write(&path, &weights()).unwrap();
                }
            });
        }
    });
    assert_eq!(h5::read(&path).unwrap(), weights());
    assert_eq!(files(&dir), vec!["w.weights.h5".to_string()]);
    std::fs::remove_dir_all(&dir).ok();
}
