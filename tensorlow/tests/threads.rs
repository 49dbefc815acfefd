//! The same bits on 1, 2 and 3 threads: matmuls split over the thread team
//! and the fused recurrent kernels, whose blocks of batch rows run on
//! different threads. Each run is a child process (this test binary
//! again), since the thread count is read once per process.
//!
//! The shapes are chosen to cross the splits' thresholds: a 64 x 840 @
//! 840 x 128 matmul (a kernel gradient over 840 rows into 128 units),
//! which a split into two 64-column halves would sum in other chunks than
//! the whole product (see `cpu::gemm::Split`), and recurrent layers over a
//! batch of 70 (three blocks of rows) with 64 units, whose kernel gradients
//! are products of that kind. With the old split the GRU (reset_after =
//! false) and the matmul differed between 1 and 2 threads.

use std::process::Command;
use tensorlow::{nn, random, DType, Device, GradientTape, Tensor, Variable};

const CHILD: &str = "TENSORLOW_THREADS_CHILD";

fn uniform(shape: &[usize], seed: u64, dtype: DType) -> Tensor {
    random::Generator::from_seed(seed)
        .uniform(shape, -0.5, 0.5, dtype, &Device::cpu())
        .unwrap()
}

/// FNV-1a over the bits of every value.
fn hash(ts: &[Tensor]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for t in ts {
        for v in t.cast(DType::F64).unwrap().to_vec::<f64>().unwrap() {
            h = (h ^ v.to_bits()).wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// One line per case: its name and the hash of its outputs and gradients.
fn compute_and_print() {
    for dtype in [DType::F32, DType::F64] {
        let a = uniform(&[64, 840], 1, dtype);
        let b = uniform(&[840, 128], 2, dtype);
        println!("RESULT {dtype:?} matmul {:016x}", hash(&[a.matmul(&b).unwrap()]));
        let (batch, time, features, units) = (70, 12, 9, 64);
        for cell in ["lstm", "gru", "gru_reset_before", "simple_rnn"] {
            let gates = match cell {
                "lstm" => 4,
                "simple_rnn" => 1,
                _ => 3,
            };
            let x = uniform(&[batch, time, features], 3, dtype);
            let k = Variable::new("kernel", uniform(&[features, gates * units], 4, dtype));
            let rk = Variable::new("recurrent_kernel", uniform(&[units, gates * units], 5, dtype));
            let bias_shape = if cell == "gru" {
                vec![2, 3 * units]
            } else {
                vec![gates * units]
            };
            let bias = Variable::new("bias", uniform(&bias_shape, 6, dtype));
            // A few masked steps, so carried rows are covered too.
            let mask: Vec<f32> = (0..batch * time).map(|i| if i % 7 == 3 { 0.0 } else { 1.0 }).collect();
            let opts = nn::RnnOptions {
                return_sequences: true,
                mask: Some(Tensor::from_vec(mask, &[batch, time], &Device::cpu()).unwrap()),
                ..Default::default()
            };
            let tape = GradientTape::new();
            let out = match cell {
                "lstm" => nn::lstm(&x, &k, &rk, Some(&bias), &opts),
                "gru" => nn::gru(&x, &k, &rk, Some(&bias), true, &opts),
                "gru_reset_before" => nn::gru(&x, &k, &rk, Some(&bias), false, &opts),
                _ => nn::simple_rnn(&x, &k, &rk, Some(&bias), &opts),
            }
            .unwrap();
            let head = uniform(out.output.shape(), 7, dtype);
            let loss = out.output.mul(&head).unwrap().sum_all().unwrap();
            let g = tape.gradient_of(&loss, &[&k, &rk, &bias]).unwrap();
            let mut all = vec![out.output.clone()];
            all.extend(out.states.iter().cloned());
            for v in [&k, &rk, &bias] {
                all.push(g.of(v).unwrap().clone());
            }
            println!("RESULT {dtype:?} {cell} {:016x}", hash(&all));
        }
    }
}

/// The RESULT lines of a child run with `threads` CPU threads.
fn run_with(threads: usize) -> Vec<String> {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["same_bits_on_any_thread_count", "--exact", "--nocapture"])
        .env(CHILD, "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("the test binary can be re-run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the child with {threads} threads failed:\n{text}");
    let lines: Vec<String> = text
        .lines()
        .filter(|l| l.starts_with("RESULT"))
        .map(String::from)
        .collect();
    assert_eq!(
        lines.len(),
        10,
        "RESULT lines of the child with {threads} threads:\n{text}"
    );
    lines
}

#[test]
fn same_bits_on_any_thread_count() {
    if std::env::var_os(CHILD).is_some() {
        return compute_and_print();
    }
    let one = run_with(1);
    for threads in [2, 3] {
        let other = run_with(threads);
        for (a, b) in one.iter().zip(&other) {
            assert_eq!(a, b, "1 thread vs {threads}");
        }
    }
}
