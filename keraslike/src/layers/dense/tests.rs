use super::*;
use tensorlow::{DType, Device, GradientTape};

fn built(d: Dense, input: &[usize]) -> Dense {
    let mut d = d;
    d.build(
        input,
        &BuildContext {
            device: Device::cpu(),
            dtype: DType::F64,
        },
    )
    .unwrap();
    d
}

fn t(v: &[f64], s: &[usize]) -> Tensor {
    Tensor::new(v, s).unwrap()
}

#[test]
fn forward_is_x_kernel_plus_bias_then_activation() {
    let d = built(Dense::new(2).activation("sigmoid"), &[3]);
    let k = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6];
    d.kernel().unwrap().assign(&t(&k, &[3, 2])).unwrap();
    d.bias().unwrap().assign(&t(&[0.05, -0.05], &[2])).unwrap();
    let x = [1.0, 2.0, 3.0, -1.0, 0.5, 2.0];
    let y = d.call(&t(&x, &[2, 3]), false).unwrap().to_vec2::<f64>().unwrap();
    let b = [0.05, -0.05];
    for r in 0..2 {
        for c in 0..2 {
            let z: f64 = (0..3).map(|i| x[r * 3 + i] * k[i * 2 + c]).sum::<f64>() + b[c];
            let want = 1.0 / (1.0 + (-z).exp());
            assert!((y[r][c] - want).abs() < 1e-12, "y[{r}][{c}] = {}, want {want}", y[r][c]);
        }
    }
}

#[test]
fn higher_rank_inputs_use_the_last_axis() {
    let d = built(
        Dense::new(1)
            .use_bias(false)
            .kernel_initializer(Initializer::constant(1.0)),
        &[2, 3],
    );
    let x = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1, 2, 3]);
    let y = d.call(&x, false).unwrap();
    assert_eq!(y.shape(), &[1, 2, 1]);
    assert_eq!(y.to_vec::<f64>().unwrap(), vec![6.0, 15.0]);
    assert_eq!(d.compute_output_shape(&[2, 3]).unwrap(), vec![2, 1]);
    assert!(d.bias().is_none());
}

#[test]
fn weights_are_named_shaped_and_initialized_like_keras() {
    let d = built(Dense::new(5).name("dense_9"), &[4]);
    let w = d.weights();
    assert_eq!(w.len(), 2);
    assert_eq!((w[0].name(), w[0].shape()), ("dense_9/kernel", &[4usize, 5][..]));
    assert_eq!((w[1].name(), w[1].shape()), ("dense_9/bias", &[5usize][..]));
    assert!(w.iter().all(|v| v.trainable()));
    // Glorot uniform: |k| <= sqrt(6 / (4 + 5)); zero bias.
    let lim = (6.0f64 / 9.0).sqrt();
    assert!(w[0].to_vec::<f64>().unwrap().iter().all(|v| v.abs() <= lim));
    assert_eq!(w[1].to_vec::<f64>().unwrap(), vec![0.0; 5]);
}

#[test]
fn shape_errors_name_the_layer() {
    let d = built(Dense::new(5).name("dense_1"), &[4]);
    let err = d
        .call(&Tensor::zeros(&[10, 3], DType::F64, &Device::cpu()).unwrap(), false)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Dense \"dense_1\" expects input of shape (batch, 4), got (10, 3)"
    );
    let err = d
        .call(&Tensor::zeros(&[4], DType::F64, &Device::cpu()).unwrap(), false)
        .unwrap_err();
    assert!(err.to_string().contains("got (4,)"), "{err}");
    let unbuilt = Dense::new(3).name("d");
    let err = unbuilt.call(&t(&[1.0], &[1, 1]), false).unwrap_err();
    assert!(matches!(err, Error::NotReady(_)) && err.to_string().contains("\"d\""));
}

#[test]
fn bad_configuration_is_reported_at_build() {
    let mut d = Dense::new(2).activation("sigmod").name("out");
    let err = d.build(&[3], &BuildContext::default()).unwrap_err().to_string();
    assert!(err.contains("Dense \"out\"") && err.contains("sigmod"), "{err}");
    let mut d = Dense::new(2).input_shape(&[4]);
    assert_eq!(d.declared_input_shape(), Some(vec![4]));
    assert!(d.build(&[3], &BuildContext::default()).is_err());
    assert!(Dense::new(0).build(&[3], &BuildContext::default()).is_err());
}

#[test]
fn regularization_loss_is_the_keras_penalty() {
    let d = built(
        Dense::new(2)
            .kernel_regularizer(Regularizer::l2(0.1))
            .bias_regularizer("l1"),
        &[2],
    );
    d.kernel().unwrap().assign(&t(&[1.0, 2.0, -1.0, 0.0], &[2, 2])).unwrap();
    d.bias().unwrap().assign(&t(&[-3.0, 1.0], &[2])).unwrap();
    let p = d.regularization_loss().unwrap().unwrap().to_scalar::<f64>().unwrap();
    // 0.1 * (1 + 4 + 1 + 0) + 0.01 * (3 + 1)
    assert!((p - 0.64).abs() < 1e-12, "{p}");
    assert!(built(Dense::new(2), &[2]).regularization_loss().unwrap().is_none());
}

#[test]
fn gradients_flow_to_kernel_and_bias() {
    let d = built(Dense::new(2), &[3]);
    let x = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let tape = GradientTape::new();
    let loss = d.call(&x, true).unwrap().sum_all().unwrap();
    let (k, b) = (d.kernel().unwrap(), d.bias().unwrap());
    let g = tape.gradient(&loss, &[k, b]).unwrap();
    // d sum(xK + b) / dK[i][j] = sum_rows x[r][i]; / db[j] = batch size.
    assert_eq!(
        g[0].as_ref().unwrap().to_vec::<f64>().unwrap(),
        vec![5.0, 5.0, 7.0, 7.0, 9.0, 9.0]
    );
    assert_eq!(g[1].as_ref().unwrap().to_vec::<f64>().unwrap(), vec![2.0, 2.0]);
}

#[test]
fn f64_input_into_an_f32_layer_is_cast() {
    let mut d = Dense::new(1).kernel_initializer("ones");
    d.build(&[2], &BuildContext::default()).unwrap();
    let y = d.call(&t(&[1.0, 2.0], &[1, 2]), false).unwrap();
    assert_eq!((y.dtype(), y.to_vec::<f32>().unwrap()), (DType::F32, vec![3.0]));
}

#[test]
fn config_uses_keras_keys() {
    let c = Dense::new(3).activation("relu").name("h").get_config();
    assert_eq!(c["units"], 3);
    assert_eq!(c["activation"], "relu");
    assert_eq!(c["kernel_initializer"]["class_name"], "GlorotUniform");
    assert_eq!(c["bias_initializer"]["class_name"], "Zeros");
}

/// Keras 3.15.1's own `Dense.get_config()`, from:
/// ```python
/// import keras, json
/// d = keras.layers.Dense(3, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01), name="d")
/// print(json.dumps(d.get_config()))
/// ```
const KERAS_DENSE_CONFIG: &str = r#"{"name": "d", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "units": 3, "activation": "relu", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null}, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "quantization_config": null}"#;

#[test]
fn keras_config_reads_and_writes_back() {
    let keras: serde_json::Value = serde_json::from_str(KERAS_DENSE_CONFIG).unwrap();
    let d = Dense::from_config(&keras).unwrap();
    let cfg = d.config();
    assert_eq!((cfg.name.as_str(), cfg.units, cfg.use_bias), ("d", 3, true));
    assert_eq!(cfg.kernel_regularizer, Some(crate::regularizers::Regularizer::l2(0.01)));
    let ours = d.get_config();
    // Every field we write has Keras' value.
    for k in ["name", "units", "activation", "use_bias", "bias_regularizer"] {
        assert_eq!(ours[k], keras[k], "{k}");
    }
    for k in ["kernel_initializer", "bias_initializer", "kernel_regularizer"] {
        assert_eq!(ours[k]["class_name"], keras[k]["class_name"], "{k}");
        assert_eq!(ours[k]["module"], keras[k]["module"], "{k}");
    }
    assert_eq!(ours["kernel_regularizer"]["config"]["l2"], 0.01);
    // Written then read: the same config.
    let back: DenseConfig = serde_json::from_value(ours).unwrap();
    assert_eq!(back, cfg);
    // A constraint keraslike does not have is an error naming it.
    let mut c = keras.clone();
    c["kernel_constraint"] = serde_json::json!({"class_name": "NonNeg", "config": {}});
    let err = Dense::from_config(&c).err().unwrap().to_string();
    assert!(err.contains("kernel_constraint") && err.contains("\"d\""), "{err}");
    c["kernel_constraint"] = serde_json::Value::Null;
    c["units"] = serde_json::json!(0);
    assert!(Dense::from_config(&c).err().unwrap().to_string().contains("units"));
}
