//! The reproducibility promise of docs/RELIABILITY.md, checked: after
//! `tensorlow::random::set_seed(s)`, building and fitting the same model on
//! the same data gives the same weights and losses, bit for bit, in every
//! run and whatever the CPU thread count (`RAYON_NUM_THREADS` = 1, 2, 3).
//!
//! The model is large enough for the thread team to split its work: the
//! 64x256 @ 256x256 matmuls (4M multiply-adds) are split into column blocks
//! and Adam's update of the 65K-element kernel into chunks (the thresholds
//! are 1M multiply-adds and 32K elements, see tensorlow's crate docs).
//! Each run is a child process (this test binary again), since the thread
//! count is read once per process. One test in its own binary: the global
//! seed is process-wide.

use keraslike::layers::{Dense, Dropout};
use keraslike::{FitOptions, Sequential};
use std::process::Command;
use tensorlow::random::{self, Generator};
use tensorlow::Tensor;

const CHILD: &str = "KERASLIKE_REPRODUCIBLE_CHILD";

/// Trains the seeded model and prints one line: the bits of every epoch's
/// loss and of every weight.
fn train_and_print() {
    random::set_seed(1234);
    let mut g = Generator::from_seed(7);
    let (n, d) = (256, 256);
    let x: Vec<f32> = (0..n * d).map(|_| g.next_f64() as f32 * 2.0 - 1.0).collect();
    let y: Vec<f32> = (0..n).map(|i| (i % 10) as f32).collect();
    let x = Tensor::new(&x, &[n, d]).unwrap();
    let y = Tensor::new(&y, &[n]).unwrap();
    let mut m = Sequential::new(vec![
        Box::new(Dense::new(256).activation("relu").input_shape(&[d])),
        Box::new(Dropout::new(0.2)),
        Box::new(Dense::new(10).activation("softmax")),
    ]);
    m.compile("adam", "sparse_categorical_crossentropy", &[]).unwrap();
    let h = m
        .fit(
            &x,
            &y,
            FitOptions {
                epochs: 2,
                batch_size: 64,
                verbose: 0,
                ..FitOptions::default()
            },
        )
        .unwrap();
    let losses: Vec<String> = h.history["loss"].iter().map(|l| format!("{:x}", l.to_bits())).collect();
    // FNV-1a over every weight's bits.
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for w in m.get_weights().unwrap() {
        for v in w.to_vec::<f32>().unwrap() {
            hash = (hash ^ v.to_bits() as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("RESULT losses={} weights={hash:016x}", losses.join(","));
}

/// The RESULT line of a child run with `threads` CPU threads.
fn run_with(threads: usize) -> String {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "seeded_training_is_identical_across_runs_and_thread_counts",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("the test binary can be re-run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the child with {threads} threads failed:\n{text}");
    text.lines()
        .find(|l| l.starts_with("RESULT"))
        .unwrap_or_else(|| panic!("no RESULT line from the child with {threads} threads:\n{text}"))
        .to_string()
}

#[test]
fn seeded_training_is_identical_across_runs_and_thread_counts() {
    if std::env::var_os(CHILD).is_some() {
        return train_and_print();
    }
    let one = run_with(1);
    for threads in [1, 2, 3] {
        assert_eq!(run_with(threads), one, "{threads} threads vs 1");
    }
}
