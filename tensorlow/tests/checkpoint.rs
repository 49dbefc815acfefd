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
