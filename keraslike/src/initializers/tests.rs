//! Initializer statistics against Keras' formulas.

use super::*;

fn draw(init: &Initializer, shape: &[usize]) -> Vec<f64> {
    init.init(shape, DType::F64, &Device::cpu())
        .unwrap()
        .to_vec::<f64>()
        .unwrap()
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    (m, v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n)
}

/// Checks mean ≈ 0 and variance within 3% of `var` (a 240k-element draw has a
/// relative standard error of the variance under 0.3%).
fn check_stats(init: Initializer, shape: &[usize], mean: f64, var: f64) {
    let v = draw(&init.with_seed(11), shape);
    let (m, s2) = mean_var(&v);
    assert!((m - mean).abs() < 0.02 * var.sqrt(), "{init:?}: mean {m}, want {mean}");
    assert!((s2 / var - 1.0).abs() < 0.03, "{init:?}: variance {s2}, want {var}");
}

#[test]
fn variance_scaling_families_match_keras_formulas() {
    let shape = [400, 600];
    let (fan_in, fan_out) = (400.0, 600.0);
    // Uniform(-l, l) has variance l²/3 and l = sqrt(3 scale / fan): variance scale / fan.
    check_stats(Initializer::glorot_uniform(), &shape, 0.0, 2.0 / (fan_in + fan_out));
    check_stats(Initializer::he_uniform(), &shape, 0.0, 2.0 / fan_in);
    check_stats(Initializer::lecun_uniform(), &shape, 0.0, 1.0 / fan_in);
    // Truncated normals are rescaled by 1/0.8796... so the variance is scale / fan.
    check_stats(Initializer::glorot_normal(), &shape, 0.0, 2.0 / (fan_in + fan_out));
    check_stats(Initializer::he_normal(), &shape, 0.0, 2.0 / fan_in);
    check_stats(Initializer::lecun_normal(), &shape, 0.0, 1.0 / fan_in);
    let vs = Initializer::variance_scaling(3.0, FanMode::FanOut, Distribution::UntruncatedNormal);
    check_stats(vs, &shape, 0.0, 3.0 / fan_out);
}

#[test]
fn truncated_draws_stay_within_two_stddevs() {
    let v = draw(&Initializer::he_normal().with_seed(3), &[300, 200]);
    let limit = 2.0 * (2.0f64 / 300.0).sqrt() / TRUNCATED_STDDEV;
    assert!(v.iter().all(|x| x.abs() <= limit + 1e-12));
    // The truncation is active: some draws come close to the limit.
    assert!(v.iter().any(|x| x.abs() > 0.95 * limit));
}

#[test]
fn random_initializers_have_keras_defaults() {
    let shape = [400, 600];
    let u = get("random_uniform").unwrap();
    let v = draw(&u.with_seed(1), &shape);
    assert!(v.iter().all(|x| (-0.05..0.05).contains(x)));
    check_stats(u, &shape, 0.0, 0.1f64.powi(2) / 12.0);
    check_stats(get("random_normal").unwrap(), &shape, 0.0, 0.05f64.powi(2));
    // Not rescaled: the variance of N(0, 0.05²) truncated at ±2σ.
    check_stats(
        get("truncated_normal").unwrap(),
        &shape,
        0.0,
        (0.05 * TRUNCATED_STDDEV).powi(2),
    );
    check_stats(Initializer::random_normal(1.5, 0.5), &shape, 1.5, 0.25);
}

#[test]
fn deterministic_initializers() {
    assert_eq!(draw(&Initializer::zeros(), &[2, 2]), vec![0.0; 4]);
    assert_eq!(draw(&get("ones").unwrap(), &[3]), vec![1.0; 3]);
    assert_eq!(draw(&Initializer::constant(0.25), &[2]), vec![0.25; 2]);
}

#[test]
fn same_seed_same_values_and_different_seed_different_values() {
    let a = draw(&Initializer::glorot_uniform().with_seed(5), &[8, 8]);
    let b = draw(&Initializer::glorot_uniform().with_seed(5), &[8, 8]);
    let c = draw(&Initializer::glorot_uniform().with_seed(6), &[8, 8]);
    assert_eq!(a, b);
    assert_ne!(a, c);
    let o1 = draw(&Initializer::orthogonal(1.0).with_seed(2), &[5, 5]);
    assert_eq!(o1, draw(&Initializer::orthogonal(1.0).with_seed(2), &[5, 5]));
}

#[test]
fn fans_follow_keras() {
    assert_eq!(compute_fans(&[]), (1.0, 1.0));
    assert_eq!(compute_fans(&[7]), (7.0, 7.0));
    assert_eq!(compute_fans(&[4, 5]), (4.0, 5.0));
    // A 3x3 conv kernel with 4 input and 8 output channels.
    assert_eq!(compute_fans(&[3, 3, 4, 8]), (36.0, 72.0));
}

/// `MᵀM` (or `MMᵀ` when `rows_gram`) of a row-major `(r, c)` matrix.
fn gram(m: &[f64], r: usize, c: usize, rows_gram: bool) -> Vec<Vec<f64>> {
    let (n, len) = if rows_gram { (r, c) } else { (c, r) };
    let at = |k: usize, i: usize| if rows_gram { m[k * c + i] } else { m[i * c + k] };
    (0..n)
        .map(|a| (0..n).map(|b| (0..len).map(|i| at(a, i) * at(b, i)).sum()).collect())
        .collect()
}

fn assert_identity(g: &[Vec<f64>], scale: f64) {
    for (i, row) in g.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            let want = if i == j { scale } else { 0.0 };
            assert!((v - want).abs() < 1e-10, "gram[{i}][{j}] = {v}, want {want}");
        }
    }
}

#[test]
fn orthogonal_gives_orthonormal_columns_or_rows() {
    // Tall: WᵀW = I.
    let w = draw(&Initializer::orthogonal(1.0).with_seed(1), &[6, 4]);
    assert_identity(&gram(&w, 6, 4, false), 1.0);
    // Wide: WWᵀ = I.
    let w = draw(&Initializer::orthogonal(1.0).with_seed(1), &[3, 5]);
    assert_identity(&gram(&w, 3, 5, true), 1.0);
    // Gain scales: WᵀW = gain² I.
    let w = draw(&Initializer::orthogonal(2.0), &[5, 5]);
    assert_identity(&gram(&w, 5, 5, false), 4.0);
    // Rank 4 is orthogonal as (prod(shape[..-1]), shape[-1]) = (12, 4).
    let w = draw(&get("orthogonal").unwrap(), &[2, 2, 3, 4]);
    assert_identity(&gram(&w, 12, 4, false), 1.0);
    assert!(Initializer::orthogonal(1.0)
        .init(&[4], DType::F32, &Device::cpu())
        .is_err());
}

#[test]
fn names_and_configs() {
    for (name, class) in [
        ("glorot_uniform", "GlorotUniform"),
        ("GlorotNormal", "GlorotNormal"),
        ("he_uniform", "HeUniform"),
        ("he_normal", "HeNormal"),
        ("lecun_uniform", "LecunUniform"),
        ("lecun_normal", "LecunNormal"),
        ("orthogonal", "Orthogonal"),
        ("zeros", "Zeros"),
    ] {
        assert_eq!(get(name).unwrap().class_name(), class);
    }
    // Keras' VarianceScaling defaults (1, fan_in, truncated normal) are LeCun normal.
    assert_eq!(get("variance_scaling").unwrap(), Initializer::lecun_normal());
    let vs = Initializer::variance_scaling(0.5, FanMode::FanOut, Distribution::Uniform).get_config();
    assert_eq!(vs["class_name"], "VarianceScaling");
    assert_eq!(vs["config"]["mode"], "fan_out");
    let err = get("xavier").unwrap_err().to_string();
    assert!(err.contains("\"xavier\"") && err.contains("glorot_uniform"), "{err}");
    let cfg = Initializer::random_uniform(-0.05, 0.05).with_seed(3).get_config();
    assert_eq!(cfg["class_name"], "RandomUniform");
    assert_eq!(cfg["config"]["seed"], 3);
    assert_eq!(cfg["config"]["maxval"], 0.05);
}

#[test]
fn dtype_follows_the_request() {
    let t = Initializer::he_uniform()
        .init(&[3, 2], DType::F32, &Device::cpu())
        .unwrap();
    assert_eq!(t.dtype(), DType::F32);
    let t = Initializer::orthogonal(1.0)
        .init(&[3, 2], DType::F32, &Device::cpu())
        .unwrap();
    assert_eq!(t.dtype(), DType::F32);
}
