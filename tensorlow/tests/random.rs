//! Seeded random numbers: TensorFlow's seed rules (documented in
//! `random.rs`), `Generator`, and the distributions' ranges and moments.
//!
//! The global seed is process-wide state, so every test here holds `LOCK`.

use std::sync::Mutex;
use tensorlow::random::{self, Generator};
use tensorlow::{DType, Device};

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn normal(seed: Option<u64>) -> Vec<f64> {
    random::normal(&[8], 0.0, 1.0, DType::F64, seed)
        .unwrap()
        .to_vec::<f64>()
        .unwrap()
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    (m, var.sqrt())
}

#[test]
fn global_and_op_seed_fix_the_sequence() {
    let _g = lock();
    random::set_seed(42);
    let a1 = normal(Some(7));
    let a2 = normal(Some(7));
    assert_ne!(a1, a2, "repeated calls with the same seeds differ");
    random::set_seed(42);
    assert_eq!(normal(Some(7)), a1, "set_seed restarts the sequence");
    assert_eq!(normal(Some(7)), a2);
    // Different op seed or different global seed: different numbers.
    random::set_seed(42);
    assert_ne!(normal(Some(8)), a1);
    random::set_seed(43);
    assert_ne!(normal(Some(7)), a1);
}

#[test]
fn global_seed_only_repeats_the_program() {
    let _g = lock();
    random::set_seed(5);
    let a = normal(None);
    let b = normal(None);
    assert_ne!(a, b);
    random::set_seed(5);
    assert_eq!(normal(None), a);
    assert_eq!(normal(None), b);
    random::set_seed(6);
    assert_ne!(normal(None), a);
}

#[test]
fn counter_op_seeds_differ_from_explicit_op_seeds() {
    let _g = lock();
    random::set_seed(9);
    let auto = normal(None); // the first counter-made op seed is 1
    random::set_seed(9);
    let explicit = normal(Some(1));
    assert_ne!(auto, explicit);
}

#[test]
fn op_seed_only_uses_the_default_global_seed() {
    let _g = lock();
    random::clear_seed();
    let a = normal(Some(3));
    let b = normal(Some(3));
    assert_ne!(a, b, "repeated calls differ");
    // TensorFlow's default global seed is 87654321.
    random::set_seed(87_654_321);
    assert_eq!(normal(Some(3)), a);
    assert_eq!(normal(Some(3)), b);
    // clear_seed restarts the op-seed-only sequence too.
    random::clear_seed();
    assert_eq!(normal(Some(3)), a);
}

#[test]
fn no_seed_at_all_is_fresh_entropy() {
    let _g = lock();
    random::clear_seed();
    let a = normal(None);
    random::clear_seed();
    let b = normal(None);
    assert_ne!(a, b);
}

#[test]
fn generator_from_seed_is_deterministic() {
    let cpu = Device::cpu();
    let draw = |s: u64| {
        let mut g = Generator::from_seed(s);
        let n = g
            .normal(&[5], 1.0, 2.0, DType::F32, &cpu)
            .unwrap()
            .to_vec::<f32>()
            .unwrap();
        let u = g
            .uniform(&[5], 0.0, 1.0, DType::F64, &cpu)
            .unwrap()
            .to_vec::<f64>()
            .unwrap();
        let t = g
            .truncated_normal(&[5], 0.0, 1.0, DType::F64, &cpu)
            .unwrap()
            .to_vec::<f64>()
            .unwrap();
        let mut p: Vec<usize> = (0..10).collect();
        g.shuffle(&mut p);
        (n, u, t, p, g.next_u64())
    };
    assert_eq!(draw(1), draw(1));
    let (a, b) = (draw(1), draw(2));
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    assert_ne!(a.4, b.4);
    // A shuffle is a permutation.
    let mut p = a.3.clone();
    p.sort();
    assert_eq!(p, (0..10).collect::<Vec<_>>());
}

#[test]
fn uniform_stays_in_range() {
    let cpu = Device::cpu();
    let mut g = Generator::from_seed(11);
    let v = g
        .uniform(&[100_000], -2.0, 3.0, DType::F64, &cpu)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    assert!(v.iter().all(|&x| (-2.0..3.0).contains(&x)));
    let (m, s) = mean_std(&v);
    // U(a, b): mean (a + b) / 2, std (b - a) / sqrt(12).
    assert!((m - 0.5).abs() < 0.02, "mean {m}");
    assert!((s - 5.0 / 12f64.sqrt()).abs() < 0.02, "std {s}");
    let v = g
        .uniform(&[100_000], 0.0, 1.0, DType::F32, &cpu)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert!(v.iter().all(|&x| (0.0..1.0).contains(&x)));
    // A tiny range just below 1, where f32 rounding would otherwise reach maxval.
    let v = g
        .uniform(&[10_000], 1.0 - 1e-7, 1.0, DType::F32, &cpu)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert!(
        v.iter().all(|&x| x < 1.0),
        "uniform reached maxval after rounding to f32"
    );
    assert!(g.uniform(&[2], 1.0, 1.0, DType::F32, &cpu).is_err());
    assert!(g.uniform(&[2], 0.0, 1.0, DType::I64, &cpu).is_err());
}

#[test]
fn normal_moments() {
    let cpu = Device::cpu();
    let mut g = Generator::from_seed(12);
    let v = g
        .normal(&[100_000], 2.0, 3.0, DType::F64, &cpu)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    let (m, s) = mean_std(&v);
    // Standard errors: 3 / sqrt(1e5) ≈ 0.0095 for the mean, ≈ 0.0067 for the std.
    assert!((m - 2.0).abs() < 0.05, "mean {m}");
    assert!((s - 3.0).abs() < 0.04, "std {s}");
    let v = random::normal(&[100_000], -1.0, 0.5, DType::F32, Some(1))
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    let v: Vec<f64> = v.into_iter().map(f64::from).collect();
    let (m, s) = mean_std(&v);
    assert!((m + 1.0).abs() < 0.01, "mean {m}");
    assert!((s - 0.5).abs() < 0.01, "std {s}");
}

#[test]
fn truncated_normal_within_two_std() {
    let cpu = Device::cpu();
    let mut g = Generator::from_seed(13);
    let v = g
        .truncated_normal(&[100_000], 1.0, 2.0, DType::F64, &cpu)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    assert!(v.iter().all(|&x| (x - 1.0).abs() <= 4.0));
    let (m, s) = mean_std(&v);
    // The standard normal truncated to [-2, 2] has variance
    // 1 - 2·2·φ(2) / (Φ(2) - Φ(-2)) = 0.77374..., std 0.87962...
    let phi2 = (-2.0f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let mass = 0.954_499_736_103_641_6;
    let want = 2.0 * (1.0 - 4.0 * phi2 / mass).sqrt();
    assert!((m - 1.0).abs() < 0.03, "mean {m}");
    assert!((s - want).abs() < 0.03, "std {s} vs {want}");
    let t = random::truncated_normal(&[1000], 0.0, 1.0, DType::F32, Some(2)).unwrap();
    assert!(t.to_vec::<f32>().unwrap().iter().all(|x| x.abs() <= 2.0));
}

#[test]
fn a_generator_per_thread_is_reproducible_whatever_the_scheduling() {
    // The documented rule for threads: the global seed is process-wide (as
    // TensorFlow's), so threads that want their own reproducible numbers
    // draw from their own Generator.
    let draw = |seed: u64| {
        let mut g = tensorlow::random::Generator::from_seed(seed);
        (0..50)
            .map(|_| {
                g.normal(&[8], 0.0, 1.0, DType::F32, &tensorlow::Device::cpu())
                    .unwrap()
                    .to_vec::<f32>()
                    .unwrap()
            })
            .collect::<Vec<_>>()
    };
    let alone: Vec<_> = (0..4).map(draw).collect();
    let threads: Vec<_> = (0..4u64).map(|s| std::thread::spawn(move || draw(s))).collect();
    for (s, t) in threads.into_iter().enumerate() {
        assert_eq!(t.join().unwrap(), alone[s], "thread with seed {s}");
    }
}

/// A large dropout (its mask is drawn in parts over the thread team, each
/// part skipping ahead in the op's stream) zeroes exactly where a single
/// loop over the op's generator draws below the rate, f32 and f64.
#[test]
fn large_dropout_masks_are_the_single_loop_draws() {
    let _g = lock();
    let n = 100_003; // several parts, and not a multiple of any split
    for dtype in [tensorlow::DType::F32, tensorlow::DType::F64] {
        let x = tensorlow::Tensor::ones(&[n], dtype, &Device::cpu()).unwrap();
        random::set_seed(31);
        let y = tensorlow::nn::dropout(&x, 0.3, Some(4)).unwrap();
        let y = y.cast(tensorlow::DType::F64).unwrap().to_vec::<f64>().unwrap();
        random::set_seed(31);
        let mut g = random::op_generator(Some(4));
        let keep = 1.0 / 0.7;
        let keep = if dtype == tensorlow::DType::F32 {
            keep as f32 as f64
        } else {
            keep
        };
        let want: Vec<f64> = (0..n).map(|_| if g.next_f64() < 0.3 { 0.0 } else { keep }).collect();
        assert!(
            y == want,
            "{dtype:?}: first difference at {:?}",
            y.iter().zip(&want).position(|(a, b)| a != b)
        );
    }
}
