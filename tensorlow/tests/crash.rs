//! Crash safety: a child process saving checkpoints in a loop is killed
//! with SIGKILL at random moments; after each kill the file loads and holds
//! one complete version, and temporary files do not pile up (see
//! `tensorlow::testing::CrashTest`).

use tensorlow::testing::CrashTest;
use tensorlow::{Checkpoint, DType, Device, Tensor, Variable};

/// 1 MiB per variable, so that a kill often lands inside a write.
const N: usize = 1 << 18;

fn vars() -> (Variable, Variable) {
    let cpu = Device::cpu();
    (
        Variable::new("w", Tensor::zeros(&[N], DType::F32, &cpu).unwrap()),
        Variable::new("step", Tensor::zeros(&[1], DType::I64, &cpu).unwrap()),
    )
}

#[test]
fn checkpoints_survive_kill_9() {
    CrashTest::new("Checkpoint::save").kills(12).run(
        |path, v| {
            let (w, step) = vars();
            w.assign(&Tensor::fill(&[N], v as f64, DType::F32, &Device::cpu())?)?;
            step.assign(&Tensor::new(&[v as i64], &[1])?)?;
            Checkpoint::new().with("w", &w).with("step", &step).save(path)
        },
        |path| {
            let (w, step) = vars();
            Checkpoint::new().with("w", &w).with("step", &step).restore(path)?;
            let v = step.to_vec::<i64>()?[0];
            let wv = w.to_vec::<f32>()?;
            // Every value of the one version the step names: no mix.
            assert!(wv.iter().all(|&x| x == v as f32), "version {v} holds other values");
            Ok::<_, tensorlow::Error>(v)
        },
    );
}
