//! Mutated checkpoint files (truncations, bit flips, huge header lengths,
//! shapes whose product overflows or claims terabytes, other dtypes,
//! duplicate names, mutated JSON metadata) give `Ok` or an error, never a
//! panic, and never an allocation beyond a 1 GiB address space (see
//! `tensorlow::testing::MutationTest`).

use std::collections::HashMap;
use tensorlow::testing::MutationTest;
use tensorlow::{Checkpoint, DType, Device, Tensor, Variable};

/// A valid file: four tensors of four dtypes and JSON metadata.
fn valid_file(test: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("tensorlow_mutation_valid_{}_{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("v.safetensors");
    let tensors = vec![
        (
            "w".to_string(),
            Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap(),
        ),
        ("b".to_string(), Tensor::new(&[0.5f64, -0.5, 1.5], &[3]).unwrap()),
        ("step".to_string(), Tensor::new(&[7i64], &[1]).unwrap()),
        ("mask".to_string(), Tensor::new(&[1u8, 0, 1, 1], &[2, 2]).unwrap()),
    ];
    let meta = HashMap::from([
        ("format".to_string(), "demo/1".to_string()),
        (
            "config".to_string(),
            r#"{"units":[3,2],"name":"x","nested":{"a":[1,2,{"b":null}]}}"#.to_string(),
        ),
    ]);
    tensorlow::save_tensors_with_metadata(&path, &tensors, meta).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    bytes
}

#[test]
fn mutated_files_never_panic_load_tensors() {
    MutationTest::new("load_tensors", valid_file("load"))
        .file_name("m.safetensors")
        .mutants(3000)
        .run(|path| {
            let (tensors, _) = tensorlow::load_tensors_with_metadata(path)?;
            // Whatever loads can be used.
            for t in tensors.values() {
                t.cast(DType::F64)?.to_vec::<f64>()?;
            }
            Ok::<_, tensorlow::Error>(())
        });
}

#[test]
fn mutated_files_never_panic_checkpoint_restore() {
    MutationTest::new("Checkpoint::restore", valid_file("restore"))
        .fuzz_target("checkpoint_restore")
        .file_name("c.safetensors")
        .mutants(3000)
        .seed(1)
        .run(|path| {
            let w = Variable::new("w", Tensor::zeros(&[2, 3], DType::F32, &Device::cpu())?);
            let b = Variable::new("b", Tensor::zeros(&[3], DType::F64, &Device::cpu())?);
            let step = Variable::non_trainable("step", Tensor::zeros(&[1], DType::I64, &Device::cpu())?);
            Checkpoint::new()
                .with("w", &w)
                .with("b", &b)
                .with("step", &step)
                .restore(path)
        });
}
