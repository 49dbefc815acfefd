//! `keraslike::models::load_model` on arbitrary bytes (a safetensors file
//! whose metadata holds the model's JSON config).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    deeprust_fuzz::with_file("m.safetensors", data, |path| {
        if let Ok(model) = keraslike::models::load_model(path) {
            let _ = model.summary();
        }
    });
});
