//! The estimators' `load` (sklearnlike's `MlpClassifier` with text and
//! integer labels, `MlpRegressor`) on arbitrary bytes: one safetensors file
//! whose metadata holds the parameters, fitted attributes and classes. What
//! loads must predict: two rows of the width the file declares give two
//! labels (or two rows of 0/1 for a multilabel classifier), two probability rows and two rows of `n_outputs` values (a file
//! that loads but cannot predict is a crash here: `load` must have refused
//! it).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ndarray::Array2;
use sklearnlike::neural_network::{MlpClassifier, MlpRegressor};

/// Two rows of `n` features (`n` is at most what the file's weights hold,
/// which the allocation bound caps).
fn rows(n: usize) -> Array2<f64> {
    Array2::from_shape_fn((2, n), |(i, j)| (i as f64) - 0.25 * (j % 5) as f64)
}

/// A classifier predicts two labels, or (fitted on multilabel targets,
/// where `predict` is an error saying to use it) two rows of 0/1.
fn predicts<L: sklearnlike::base::Label>(clf: &MlpClassifier<L>, x: &Array2<f64>) {
    match clf.predict(x) {
        Ok(y) => assert_eq!(y.len(), 2),
        Err(_) => {
            let y = clf.predict_multilabel(x).expect("a loaded classifier predicts");
            assert_eq!(y.dim(), (2, clf.n_outputs()));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    deeprust_fuzz::with_file("est.safetensors", data, |path| {
        if let Ok(clf) = MlpClassifier::<String>::load(path) {
            let x = rows(clf.n_features_in());
            predicts(&clf, &x);
            let p = clf.predict_proba(&x).expect("a loaded classifier gives probabilities");
            assert_eq!(p.nrows(), 2);
        }
        if let Ok(clf) = MlpClassifier::<i64>::load(path) {
            let x = rows(clf.n_features_in());
            predicts(&clf, &x);
        }
        if let Ok(reg) = MlpRegressor::load(path) {
            let x = rows(reg.n_features_in());
            let y = reg.predict(&x).expect("a loaded regressor predicts");
            assert_eq!(y.dim(), (2, reg.n_outputs()));
        }
    });
});
