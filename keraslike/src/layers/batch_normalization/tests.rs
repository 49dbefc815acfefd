use super::*;
use tensorlow::{DType, Device, GradientTape};

fn ctx64() -> BuildContext {
    BuildContext {
        device: Device::cpu(),
        dtype: DType::F64,
    }
}

/// 6 samples x 3 features with different scales per feature.
fn data() -> (Vec<f64>, Tensor) {
    let v: Vec<f64> = (0..18)
        .map(|i| ((i * 7 % 11) as f64 - 4.0) * (1 + i % 3) as f64)
        .collect();
    let t = Tensor::new(&v, &[6, 3]).unwrap();
    (v, t)
}

fn col_stats(v: &[f64], cols: usize, j: usize) -> (f64, f64) {
    let c: Vec<f64> = v.iter().skip(j).step_by(cols).copied().collect();
    let m = c.iter().sum::<f64>() / c.len() as f64;
    (m, c.iter().map(|x| (x - m).powi(2)).sum::<f64>() / c.len() as f64)
}

#[test]
fn training_normalizes_each_feature_with_batch_statistics() {
    let mut bn = BatchNormalization::new();
    bn.build(&[3], &ctx64()).unwrap();
    let (v, x) = data();
    let y = bn.call(&x, true).unwrap().to_vec::<f64>().unwrap();
    for j in 0..3 {
        let (m_in, v_in) = col_stats(&v, 3, j);
        let (m, var) = col_stats(&y, 3, j);
        assert!(m.abs() < 1e-12, "feature {j}: mean {m}");
        // Normalized with epsilon: variance v / (v + eps).
        assert!((var - v_in / (v_in + 1e-3)).abs() < 1e-12, "feature {j}: var {var}");
        let want0 = (v[j] - m_in) / (v_in + 1e-3).sqrt();
        assert!((y[j] - want0).abs() < 1e-12);
    }
}

#[test]
fn moving_statistics_follow_the_momentum_formula_and_drive_inference() {
    let mut bn = BatchNormalization::new().momentum(0.9).name("bn");
    bn.build(&[3], &ctx64()).unwrap();
    let (v, x) = data();
    bn.call(&x, true).unwrap();
    bn.call(&x, true).unwrap();
    let w = bn.weights();
    assert_eq!(
        w.iter().map(|v| v.name()).collect::<Vec<_>>(),
        ["bn/gamma", "bn/beta", "bn/moving_mean", "bn/moving_variance"]
    );
    assert_eq!(bn.non_trainable_weights().iter().filter(|v| v.trainable()).count(), 0);
    let (mm, mv) = (w[2].to_vec::<f64>().unwrap(), w[3].to_vec::<f64>().unwrap());
    for j in 0..3 {
        let (bm, bv) = col_stats(&v, 3, j);
        // Two updates from (0, 1): m = bm (1 - 0.9²), v = 0.81 + bv (1 - 0.9²).
        assert!((mm[j] - bm * 0.19).abs() < 1e-12, "moving_mean[{j}] = {}", mm[j]);
        assert!(
            (mv[j] - (0.81 + bv * 0.19)).abs() < 1e-12,
            "moving_variance[{j}] = {}",
            mv[j]
        );
    }
    // Inference uses the moving statistics and leaves them alone.
    let y = bn.call(&x, false).unwrap().to_vec::<f64>().unwrap();
    for (i, (yi, xi)) in y.iter().zip(&v).enumerate() {
        let j = i % 3;
        assert!((yi - (xi - mm[j]) / (mv[j] + 1e-3).sqrt()).abs() < 1e-12);
    }
    assert_eq!(bn.weights()[2].to_vec::<f64>().unwrap(), mm);
}

#[test]
fn gamma_and_beta_apply_and_get_gradients() {
    let mut bn = BatchNormalization::new();
    bn.build(&[3], &ctx64()).unwrap();
    let w = bn.trainable_weights();
    w[0].assign(&Tensor::new(&[2.0f64, 2.0, 2.0], &[3]).unwrap()).unwrap();
    w[1].assign(&Tensor::new(&[1.0f64, -1.0, 0.5], &[3]).unwrap()).unwrap();
    let (_, x) = data();
    let tape = GradientTape::new();
    let y = bn.call(&x, true).unwrap();
    let means = y.mean(&[0], false).unwrap().to_vec::<f64>().unwrap();
    for (m, b) in means.iter().zip([1.0, -1.0, 0.5]) {
        assert!((m - b).abs() < 1e-12);
    }
    // d sum(y) / d beta = batch size; / d gamma = sum of normalized x = 0.
    let g = tape.gradient(&y.sum_all().unwrap(), &[&w[0], &w[1]]).unwrap();
    assert!(g[0]
        .as_ref()
        .unwrap()
        .to_vec::<f64>()
        .unwrap()
        .iter()
        .all(|v| v.abs() < 1e-9));
    assert_eq!(g[1].as_ref().unwrap().to_vec::<f64>().unwrap(), vec![6.0; 3]);
}

#[test]
fn channels_first_axis_normalizes_axis_one() {
    // (batch 2, channels 2, length 3), axis = 1.
    let v: Vec<f64> = (0..12).map(|i| (i * i) as f64).collect();
    let x = Tensor::new(&v, &[2, 2, 3]).unwrap();
    let mut bn = BatchNormalization::new().axis(1).center(false).scale(false);
    bn.build(&[2, 3], &ctx64()).unwrap();
    assert!(bn.trainable_weights().is_empty());
    let y = bn.call(&x, true).unwrap().to_vec::<f64>().unwrap();
    for ch in 0..2 {
        let idx: Vec<usize> = (0..2).flat_map(|b| (0..3).map(move |k| b * 6 + ch * 3 + k)).collect();
        let m = idx.iter().map(|&i| y[i]).sum::<f64>() / 6.0;
        assert!(m.abs() < 1e-12, "channel {ch}: mean {m}");
    }
}

#[test]
fn shape_and_config_errors_name_the_layer() {
    let mut bn = BatchNormalization::new().name("bn_1");
    bn.build(&[4], &ctx64()).unwrap();
    let err = bn
        .call(&Tensor::zeros(&[10, 3], DType::F64, &Device::cpu()).unwrap(), true)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "BatchNormalization \"bn_1\" expects input of shape (batch, 4), got (10, 3)"
    );
    let err = BatchNormalization::new()
        .axis(0)
        .name("b")
        .build(&[4], &ctx64())
        .unwrap_err()
        .to_string();
    assert!(err.contains("\"b\"") && err.contains("axis 0"), "{err}");
    assert!(BatchNormalization::new()
        .call(&Tensor::zeros(&[1, 1], DType::F64, &Device::cpu()).unwrap(), false)
        .is_err());
}
