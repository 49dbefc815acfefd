//! `tensorlow::Checkpoint::restore` of three variables (float32, float64,
//! int64) from arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tensorlow::{Checkpoint, Tensor, Variable};

fuzz_target!(|data: &[u8]| {
    let w = Variable::new("w", Tensor::new(&[0.0f32; 6], &[2, 3]).unwrap());
    let b = Variable::new("b", Tensor::new(&[0.0f64; 3], &[3]).unwrap());
    let step = Variable::non_trainable("step", Tensor::new(&[0i64], &[1]).unwrap());
    let ckpt = Checkpoint::new().with("w", &w).with("b", &b).with("step", &step);
    deeprust_fuzz::with_file("c.safetensors", data, |path| {
        if ckpt.restore(path).is_ok() {
            assert_eq!(w.shape(), &[2, 3]);
            assert_eq!(b.shape(), &[3]);
        }
    });
});
