//! `keraslike::models::load_model` on a Keras 3 `.keras` archive made of
//! arbitrary bytes. An input that starts with a zip signature (`PK\x03\x04`)
//! is the archive itself, so the zip reader is fuzzed; any other input is
//! split at its first `\0` into `config.json` and `model.weights.h5` and
//! packed into a valid archive here (zip entries carry a CRC, so mutations of
//! a raw archive's content rarely get past the zip reader), so the config
//! checks, the model builder, the HDF5 reader and the weight assignment are
//! fuzzed too. Seeds: `fuzz/seed_corpora.sh`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let archive;
    let bytes = if data.starts_with(b"PK\x03\x04") {
        data
    } else {
        archive = deeprust_fuzz::keras_archive(data);
        &archive
    };
    deeprust_fuzz::with_file("m.keras", bytes, |path| {
        if let Ok(model) = keraslike::models::load_model(path) {
            let _ = model.summary();
        }
    });
});
