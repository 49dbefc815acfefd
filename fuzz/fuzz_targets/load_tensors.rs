//! `tensorlow::load_tensors_with_metadata` on arbitrary bytes: `Ok` or a
//! typed error, never a panic, an abort or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    deeprust_fuzz::with_file("t.safetensors", data, |path| {
        if let Ok((tensors, _meta)) = tensorlow::load_tensors_with_metadata(path) {
            // Whatever loads can be used.
            for t in tensors.values() {
                let _ = t.cast(tensorlow::DType::F64).and_then(|t| t.to_vec::<f64>());
            }
        }
    });
});
