//! keraslike's CSV reader on arbitrary bytes (plain or gzip), with both
//! settings of `allow_non_finite`, and the table's label helpers.
#![no_main]

use keraslike::datasets::{read_csv_with, CsvOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    deeprust_fuzz::with_file("t.csv", data, |path| {
        for allow_non_finite in [false, true] {
            let options = CsvOptions {
                allow_non_finite,
                ..CsvOptions::default()
            };
            if let Ok(t) = read_csv_with(path, &options) {
                assert_eq!(t.x.len(), t.n_rows * t.n_features);
                let (labels, classes) = t.class_labels();
                assert!(labels.iter().all(|&l| (l as usize) < classes.len()));
                let _ = t.target_values();
            }
        }
    });
});
