//! Keras 3 `.weights.h5` files of arbitrary bytes: kerasfile's HDF5 reader
//! (`kerasfile::h5::from_bytes`, every dataset's values read back) and
//! keraslike's `load_weights` of them into two models built from Keras-made
//! fixtures (`iris_mlp`, and the compiled `adam_mlp`, whose optimizer state
//! loads too). Seeds: `fuzz/seed_corpora.sh`.
#![no_main]

use keraslike::Model;
use libfuzzer_sys::fuzz_target;

fn fixture(name: &str, bytes: &[u8]) -> Model {
    deeprust_fuzz::with_file(name, bytes, |path| {
        keraslike::models::load_model(path).expect("the fixture loads")
    })
}

thread_local! {
    static MODELS: std::cell::RefCell<Vec<Model>> = std::cell::RefCell::new(vec![
        fixture("iris_mlp.keras", include_bytes!("../../data/keras/iris_mlp.keras")),
        fixture("adam_mlp.keras", include_bytes!("../../data/keras/adam_mlp.keras")),
    ]);
}

fuzz_target!(|data: &[u8]| {
    if let Ok(tree) = kerasfile::h5::from_bytes(data) {
        deeprust_fuzz::visit_datasets(&tree);
    }
    deeprust_fuzz::with_file("w.weights.h5", data, |path| {
        MODELS.with(|models| {
            for model in models.borrow_mut().iter_mut() {
                let _ = keraslike::saving::keras_file::load_keras_weights(model, path);
            }
        })
    });
});
