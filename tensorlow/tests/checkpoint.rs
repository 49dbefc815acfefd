//! Checkpoints: round trip, atomic writes, and errors that name the variable.

mod common;

use common::*;
use std::path::PathBuf;
use tensorlow::{load_tensors, save_tensors, Checkpoint, Error, Tensor, Variable};

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tensorlow_ckpt_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files(dir: &PathBuf) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn round_trip() {
    let dir = scratch("round_trip");
    let path = dir.join("model.safetensors");
    let w = Variable::new("w", t64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]));
    let b = Variable::new("b", t32(&[0.5, -0.5], &[2]));
    let s = Variable::non_trainable("step", Tensor::from_slice(&[7i64], &[1], &device()).unwrap());
    let ckpt = Checkpoint::from_variables(&[&w, &b]).with("counter", &s);
    ckpt.save(&path).unwrap();
    // Modify, then restore.
    w.assign(&t64(&[0.0; 6], &[2, 3])).unwrap();
    b.assign_add(&t32(&[1.0, 1.0], &[2])).unwrap();
    s.assign(&Tensor::from_slice(&[0i64], &[1], &device()).unwrap())
        .unwrap();
    ckpt.restore(&path).unwrap();
    assert_eq!(vals(&w), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(b.to_vec::<f32>().unwrap(), vec![0.5, -0.5]);
    assert_eq!(s.to_vec::<i64>().unwrap(), vec![7]);
    // The file holds the names given.
    let loaded = load_tensors(&path).unwrap();
    let mut names: Vec<&String> = loaded.keys().collect();
    names.sort();
    assert_eq!(names, vec!["b", "counter", "w"]);
    assert_eq!(loaded["w"].shape(), &[2, 3]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn writes_atomically_and_overwrites() {
    let dir = scratch("atomic");
    let path = dir.join("ckpt.safetensors");
    let w = Variable::new("w", t64(&[1.0, 2.0], &[2]));
    let ckpt = Checkpoint::new().with("w", &w);
    ckpt.save(&path).unwrap();
    assert_eq!(
        files(&dir),
        vec!["ckpt.safetensors"],
        "no temporary file is left behind"
    );
    // Saving again replaces the file in one step.
    w.assign(&t64(&[3.0, 4.0], &[2])).unwrap();
    ckpt.save(&path).unwrap();
    assert_eq!(files(&dir), vec!["ckpt.safetensors"]);
    assert_eq!(vals(&load_tensors(&path).unwrap()["w"]), vec![3.0, 4.0]);
    // A failed save (the target is a folder) leaves no temporary file and
    // reports the path.
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    let e = ckpt.save(&sub).unwrap_err();
    assert!(e.to_string().contains("sub"), "{e}");
    assert_eq!(files(&dir), vec!["ckpt.safetensors", "sub"]);
    assert!(files(&sub).is_empty());
    // save_tensors / load_tensors use the same writer.
    let p2 = dir.join("t.safetensors");
    save_tensors(&p2, &[("x".to_string(), t32(&[1.0, 2.0], &[1, 2]))]).unwrap();
    assert_eq!(load_tensors(&p2).unwrap()["x"].to_vec::<f32>().unwrap(), vec![1.0, 2.0]);
    assert_eq!(files(&dir), vec!["ckpt.safetensors", "sub", "t.safetensors"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn restore_errors_name_the_variable() {
    let dir = scratch("errors");
    let path = dir.join("c.safetensors");
    let w = Variable::new("w", t64(&[1.0, 2.0], &[2]));
    let b = Variable::new("b", t64(&[5.0], &[1]));
    Checkpoint::new().with("w", &w).with("b", &b).save(&path).unwrap();

    // Wrong shape: names the variable and both shapes; nothing is assigned.
    let good = Variable::new("good", t64(&[0.0], &[1]));
    let wide = Variable::new("w", t64(&[0.0; 3], &[3]));
    let e = Checkpoint::new()
        .with("b", &good)
        .with("w", &wide)
        .restore(&path)
        .unwrap_err();
    let m = e.to_string();
    assert!(matches!(e, Error::Checkpoint { .. }), "{e:?}");
    assert!(m.contains("\"w\"") && m.contains("[3]") && m.contains("[2]"), "{m}");
    assert_eq!(vals(&good), vec![0.0], "nothing is restored unless every variable fits");

    // Missing variable: named, with what the file holds.
    let m = Checkpoint::new()
        .with("missing_bias", &b)
        .restore(&path)
        .unwrap_err()
        .to_string();
    assert!(m.contains("missing_bias") && m.contains("\"w\""), "{m}");

    // Wrong dtype.
    let w32 = Variable::new("w", t32(&[0.0, 0.0], &[2]));
    let m = Checkpoint::new()
        .with("w", &w32)
        .restore(&path)
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("\"w\"") && m.contains("float32") && m.contains("float64"),
        "{m}"
    );

    // Duplicate names on save.
    let m = Checkpoint::new()
        .with("x", &w)
        .with("x", &b)
        .save(dir.join("dup.safetensors"))
        .unwrap_err()
        .to_string();
    assert!(m.contains("\"x\""), "{m}");

    // A missing file and a file that is not safetensors.
    assert!(Checkpoint::new()
        .with("w", &w)
        .restore(dir.join("nope.safetensors"))
        .is_err());
    let junk = dir.join("junk.safetensors");
    std::fs::write(&junk, b"not a checkpoint").unwrap();
    let m = Checkpoint::new().with("w", &w).restore(&junk).unwrap_err().to_string();
    assert!(m.contains("junk.safetensors"), "{m}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn concurrent_saves_to_one_path_leave_a_valid_file() {
    let dir = scratch("concurrent");
    let path = dir.join("c.safetensors");
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let v = Variable::new("v", Tensor::new(&[i as f64; 1000], &[1000]).unwrap());
                for _ in 0..10 {
                    Checkpoint::new().with("v", &v).save(&path).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(files(&dir), vec!["c.safetensors"]);
    let v = vals(&load_tensors(&path).unwrap()["v"]);
    assert!(v.iter().all(|&x| x == v[0]), "one writer's complete file");
    std::fs::remove_dir_all(&dir).ok();
}

/// A safetensors file holding one tensor `name` of a raw safetensors
/// `dtype` (written by the safetensors crate itself, as another library
/// would).
fn write_raw(path: &std::path::Path, name: &str, dtype: safetensors::Dtype, shape: &[usize], data: &[u8]) {
    let view = safetensors::tensor::TensorView::new(dtype, shape.to_vec(), data).unwrap();
    let bytes = safetensors::serialize([(name, view)], None).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn unsupported_dtypes_are_reported_by_their_name_in_the_file() {
    use safetensors::Dtype as S;
    let dir = scratch("dtypes");
    let path = dir.join("d.safetensors");
    // Before, candle's loader turned some into float32 (I16, I32 became
    // tensors whose dtype read as float32) and reported others as
    // "unsupported safetensor dtype" without the tensor's name. (I32 is
    // tensorlow's int32 now.)
    write_raw(&path, "counts", S::I32, &[2], &[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    let t = &load_tensors(&path).unwrap()["counts"];
    assert_eq!(
        (t.dtype(), t.to_vec::<i32>().unwrap()),
        (tensorlow::DType::I32, vec![1, -1])
    );
    for (dtype, shape, bytes, name) in [
        (S::I8, vec![2], 2, "I8"),
        (S::I16, vec![2], 4, "I16"),
        (S::F8_E4M3, vec![2], 2, "F8_E4M3"),
        (S::F4, vec![2], 1, "F4"),
        (S::BOOL, vec![2], 2, "BOOL"),
        (S::U16, vec![1], 2, "U16"),
        (S::C64, vec![1], 8, "C64"),
    ] {
        write_raw(&path, "counts", dtype, &shape, &vec![0u8; bytes]);
        let e = load_tensors(&path).unwrap_err();
        let m = e.to_string();
        assert!(matches!(e, Error::Checkpoint { .. }), "{e:?}");
        assert!(
            m.contains("\"counts\"") && m.contains(&format!("dtype {name},")) && m.contains("d.safetensors"),
            "{name}: {m}"
        );
        assert!(!m.contains("float32"), "{name}: {m}");
        // Checkpoint::restore reports the same.
        let v = Variable::new("counts", t32(&[0.0, 0.0], &[2]));
        let m = Checkpoint::new()
            .with("counts", &v)
            .restore(&path)
            .unwrap_err()
            .to_string();
        assert!(m.contains(&format!("dtype {name},")), "{name}: {m}");
    }
    // A supported integer dtype still loads, with its own dtype.
    write_raw(&path, "counts", S::U32, &[2], &[1, 0, 0, 0, 2, 0, 0, 0]);
    let t = &load_tensors(&path).unwrap()["counts"];
    assert_eq!(t.dtype(), tensorlow::DType::U32);
    assert_eq!(t.to_vec::<u32>().unwrap(), vec![1, 2]);
    // Restoring a float variable from it is a dtype error naming both.
    let w = Variable::new("w", t32(&[0.0, 0.0], &[2]));
    write_raw(&path, "w", S::U32, &[2], &[0, 0, 128, 63, 0, 0, 128, 63]);
    let m = Checkpoint::new().with("w", &w).restore(&path).unwrap_err().to_string();
    assert!(m.contains("float32") && m.contains("uint32"), "{m}");
    assert_eq!(w.to_vec::<f32>().unwrap(), vec![0.0, 0.0], "nothing assigned");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn files_are_read_only_as_far_as_their_header_says() {
    let dir = scratch("bounded");
    // A device that never ends: the header length it gives is 0, so
    // nothing past the first 8 bytes is read.
    let e = load_tensors("/dev/zero").unwrap_err();
    assert!(matches!(e, Error::Checkpoint { .. }), "{e:?}");
    assert!(e.to_string().contains("/dev/zero"), "{e}");
    // A header claiming a petabyte of data is refused before reading it.
    let header = br#"{"w":{"dtype":"F32","shape":[281474976710656],"data_offsets":[0,1125899906842624]}}"#;
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header);
    bytes.extend_from_slice(&[0; 16]);
    let path = dir.join("huge.safetensors");
    std::fs::write(&path, &bytes).unwrap();
    let e = load_tensors(&path).unwrap_err();
    assert!(matches!(e, Error::ResourceExhausted { .. }), "{e:?}");
    let m = e.to_string();
    assert!(
        m.contains("huge.safetensors") && m.contains("1125899906842") && !m.contains('\n'),
        "{m}"
    );
    // A header length beyond safetensors' limit, and trailing bytes after
    // the data, are format errors naming the file.
    let mut long = u64::MAX.to_le_bytes().to_vec();
    long.extend_from_slice(b"{}");
    std::fs::write(&path, &long).unwrap();
    let m = load_tensors(&path).unwrap_err().to_string();
    assert!(m.contains("huge.safetensors") && m.contains("header"), "{m}");
    save_tensors(&path, &[("x".to_string(), t32(&[1.0], &[1]))]).unwrap();
    let mut trailing = std::fs::read(&path).unwrap();
    trailing.extend_from_slice(&[0; 4]);
    std::fs::write(&path, &trailing).unwrap();
    assert!(load_tensors(&path).is_err());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn stale_temporary_files_of_dead_processes_are_removed_by_the_next_save() {
    let dir = scratch("stale");
    let path = dir.join("ck.safetensors");
    let me = std::process::id();
    // No process has an id above the kernel's pid_max (at most 2^22).
    let dead = u32::MAX;
    let stale = [
        format!(".ck.safetensors.{dead}.0.tmp"),
        format!(".ck.safetensors.{dead}.17.tmp"),
        // This process's id, but not a save this process is writing: left
        // by an earlier process with the same id.
        format!(".ck.safetensors.{me}.999999.tmp"),
    ];
    let kept = [
        // A live process (init) may still be writing it.
        ".ck.safetensors.1.0.tmp".to_string(),
        // Another file's temporary file, and files that only look similar.
        format!(".other.safetensors.{dead}.0.tmp"),
        format!(".ck.safetensors.{dead}.tmp"),
        "ck.safetensors.bak".to_string(),
    ];
    for f in stale.iter().chain(&kept) {
        std::fs::write(dir.join(f), b"partial").unwrap();
    }
    let w = Variable::new("w", t64(&[1.0], &[1]));
    Checkpoint::new().with("w", &w).save(&path).unwrap();
    let mut want: Vec<String> = kept.to_vec();
    want.push("ck.safetensors".into());
    want.sort();
    assert_eq!(files(&dir), want);
    assert_eq!(vals(&load_tensors(&path).unwrap()["w"]), vec![1.0]);
    std::fs::remove_dir_all(&dir).ok();
}
