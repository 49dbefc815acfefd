//! Mutated model, weight and CSV files give `Ok` or an error, never a
//! panic, and never an allocation beyond a 1 GiB address space (see
//! `tensorlow::testing::MutationTest`): truncations, bit flips, huge header
//! lengths, shapes whose product overflows or claims terabytes, other
//! dtypes, duplicate names, and mutations of the JSON model and compile
//! configs in the file's metadata (units = 2^34, negative sizes, unknown
//! class names, wrong types).

use keraslike::datasets::{load_csv_xy, read_csv, CsvXyOptions};
use keraslike::layers::{BatchNormalization, Dense, Dropout, Flatten, Reshape};
use keraslike::Sequential;
use tensorlow::testing::MutationTest;

fn model() -> Sequential {
    Sequential::new(vec![
        Box::new(Reshape::new(&[2, 2])),
        Box::new(Flatten::new()),
        Box::new(Dense::new(3).activation("relu")),
        Box::new(BatchNormalization::new()),
        Box::new(Dropout::new(0.25)),
        Box::new(Dense::new(2).activation("softmax")),
    ])
}

/// A compiled 4-3-2 model saved whole (`save`) or as weights.
fn saved(test: &str, whole: bool) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("keraslike_mutation_{}_{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.safetensors");
    let mut m = model();
    m.build(&[4]).unwrap();
    m.compile("adam", "sparse_categorical_crossentropy", &["accuracy"])
        .unwrap();
    if whole {
        m.save(&path).unwrap();
    } else {
        m.save_weights(&path).unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    bytes
}

#[test]
fn mutated_model_files_never_panic_load_model() {
    MutationTest::new("load_model", saved("load_model", true))
        .file_name("m.safetensors")
        .mutants(2500)
        .run(|path| {
            let m = keraslike::models::load_model(path)?;
            let _ = m.summary();
            Ok::<_, keraslike::Error>(())
        });
}

#[test]
fn mutated_weight_files_never_panic_load_weights() {
    MutationTest::new("load_weights", saved("load_weights", false))
        .file_name("w.safetensors")
        .mutants(2500)
        .seed(1)
        .run(|path| {
            // Into a built model, and into an unbuilt one that builds
            // itself from the file's input shape.
            let mut built = model();
            built.build(&[4])?;
            let a = built.load_weights(path);
            let b = model().load_weights(path);
            a.and(b)
        });
}

const CSV: &str = "sepal_length,sepal_width,petal_length,petal_width,species\n\
5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n\
6.4,3.2,4.5,1.5,versicolor\n6.3,3.3,6.0,2.5,virginica\n5.8,2.7,5.1,1.9,virginica\n";

#[test]
fn mutated_csv_files_never_panic_the_reader() {
    MutationTest::new("read_csv", CSV)
        .file_name("iris.csv")
        .mutants(3000)
        .run(|path| {
            let t = read_csv(path)?;
            let _ = t.class_labels();
            let _ = t.target_values();
            let (x, y) = load_csv_xy(
                path,
                CsvXyOptions {
                    one_hot: true,
                    ..CsvXyOptions::default()
                },
            )?;
            assert_eq!(x.shape()[0], y.shape()[0]);
            Ok::<_, keraslike::Error>(())
        });
}

/// Keras 3 files (`.keras` archives and `.weights.h5`) made by Keras itself
/// (`data/keras/`): mutated ones load or fail with an error, never a panic
/// or an allocation the machine cannot make.
fn keras_file(name: &str) -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/keras/").to_string() + name).unwrap()
}

#[test]
fn mutated_keras_archives_never_panic_load_model() {
    MutationTest::new("load_model(.keras)", keras_file("rnn.keras"))
        .file_name("m.keras")
        .mutants(800)
        .seed(2)
        .run(|path| {
            let m = keraslike::models::load_model(path)?;
            let _ = m.summary();
            Ok::<_, keraslike::Error>(())
        });
}

#[test]
fn mutated_keras_weight_files_never_panic_load_weights() {
    // The weights of data/keras/adam_mlp.keras as Keras' .weights.h5 (written
    // here by the Keras-format writer, which Keras 3 reads: keras_files.rs).
    let dir = std::env::temp_dir().join(format!("keraslike_mutation_{}_h5", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/keras/adam_mlp.keras");
    let model = keraslike::models::load_model(src).unwrap();
    let h5 = dir.join("w.weights.h5");
    model.save_weights(&h5).unwrap();
    let bytes = std::fs::read(&h5).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    MutationTest::new("load_weights(.weights.h5)", bytes)
        .file_name("w.weights.h5")
        .mutants(800)
        .seed(3)
        .run(|path| {
            let mut m = keraslike::models::load_model(src)?;
            m.load_weights(path)
        });
}
