//! `Sequential::load_weights` on arbitrary bytes, into a built 4-3-2 model
//! and into an unbuilt one (which builds itself from the file's input shape).
#![no_main]

use keraslike::layers::Dense;
use keraslike::Sequential;
use libfuzzer_sys::fuzz_target;

fn model() -> Sequential {
    Sequential::new(vec![
        Box::new(Dense::new(3).activation("relu")),
        Box::new(Dense::new(2).activation("softmax")),
    ])
}

fuzz_target!(|data: &[u8]| {
    deeprust_fuzz::with_file("w.safetensors", data, |path| {
        let mut built = model();
        built.build(&[4]).unwrap();
        let _ = built.load_weights(path);
        let _ = model().load_weights(path);
    });
});
