//! The convolutional layers against Keras 3: every layer's output on fixed
//! inputs and weights (several kernel sizes, strides, dilations, groups and
//! both paddings), created from Keras' own `get_config()`, and a small
//! convnet's predictions, loss and weights after one SGD step. Expected
//! values come from `tests/fixtures/keras_conv.py` (Keras 3.15.1, jax
//! backend), committed next to `keras_conv.json`.

use keraslike::layers::{
    layer_from_config, AveragePooling2D, BuildContext, Conv1D, Conv2D, Cropping1D, Cropping2D, Dense,
    GlobalAveragePooling1D, GlobalMaxPooling2D, Layer, MaxPooling1D, MaxPooling2D, SpatialDropout1D, SpatialDropout2D,
    UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D,
};
use keraslike::optimizers::SGD;
use keraslike::Sequential;
use serde_json::Value;
use tensorlow::{DType, Device, Tensor};

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keras_conv.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

fn shape(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn tensor(values: &Value, shape_v: &Value) -> Tensor {
    Tensor::new(&floats(values), &shape(shape_v)).unwrap()
}

fn assert_close(what: &str, got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: {} values, Keras has {}",
        got.len(),
        want.len()
    );
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "{what}[{i}]: {g} vs Keras {w}");
    }
}

#[test]
fn every_layer_matches_keras() {
    let f = fixture();
    let cases = f["layers"].as_array().unwrap();
    let mut checked = 0;
    for c in cases {
        let class = c["class_name"].as_str().unwrap();
        let mut layer = match layer_from_config(class, &c["config"]) {
            Ok(l) => l,
            Err(e) if e.to_string().contains("unknown layer") || e.to_string().contains("register_layer") => {
                // A Keras class keraslike does not have (listed in the module docs).
                continue;
            }
            Err(e) => panic!("{class}: {e}"),
        };
        let what = format!("{class} {}", c["config"]);
        let x = tensor(&c["input"], &c["input_shape"]);
        layer
            .build(&x.shape()[1..], &BuildContext::default())
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let weights = layer.weights();
        let want = c["weights"].as_array().unwrap();
        assert_eq!(weights.len(), want.len(), "{what}: weight count");
        for (v, w) in weights.iter().zip(want) {
            assert_eq!(v.shape(), shape(&w["shape"]).as_slice(), "{what}: weight layout");
            v.assign(&tensor(&w["values"], &w["shape"])).unwrap();
        }
        assert_eq!(
            layer.compute_output_shape(&x.shape()[1..]).unwrap(),
            shape(&c["output_shape"])[1..],
            "{what}"
        );
        let y = layer.call(&x, false).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(y.shape(), shape(&c["output_shape"]).as_slice(), "{what}");
        assert_close(&what, &y.to_vec::<f32>().unwrap(), &floats(&c["output"]), 1e-5);
        checked += 1;
    }
    // Conv1D/2D, the 1-D and 2-D max/average/global poolings, padding,
    // cropping and upsampling: 28 cases.
    assert!(checked >= 28, "only {checked} cases checked");
}

#[test]
fn a_convnet_and_one_sgd_step_match_keras() {
    let f = fixture();
    let n = &f["convnet"];
    let mut model = Sequential::new(vec![
        Box::new(ZeroPadding2D::new([(1, 0), (0, 1)])),
        Box::new(Conv2D::new(4, 3).padding("same").activation("relu")),
        Box::new(Conv2D::new(4, 3).strides(2)),
        Box::new(MaxPooling2D::new(2).strides(1).padding("same")),
        Box::new(UpSampling2D::new(2)),
        Box::new(Cropping2D::new([(1, 1), (2, 0)])),
        Box::new(AveragePooling2D::new(2)),
        Box::new(GlobalMaxPooling2D::new()),
        Box::new(Dense::new(3).activation("softmax")),
    ]);
    let x = tensor(&n["input"], &n["input_shape"]);
    model.build(&[8, 8, 2]).unwrap();
    let init: Vec<Tensor> = n["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| tensor(&w["values"], &w["shape"]))
        .collect();
    model.set_weights(&init).unwrap();
    let pred = model.predict(&x, Default::default()).unwrap();
    assert_close(
        "predictions",
        &pred.to_vec::<f32>().unwrap(),
        &floats(&n["predictions"]),
        1e-5,
    );

    let labels: Vec<u32> = n["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect();
    let y = Tensor::new(&labels, &[labels.len()]).unwrap();
    model
        .compile(SGD::new(0.1), "sparse_categorical_crossentropy", &["accuracy"])
        .unwrap();
    let logs = model.train_on_batch(&x, &y, None).unwrap();
    let loss = n["loss"].as_f64().unwrap();
    assert!(
        (logs["loss"] - loss).abs() < 1e-5,
        "loss {} vs Keras {loss}",
        logs["loss"]
    );
    let after = model.get_weights().unwrap();
    for (i, (w, k)) in after.iter().zip(n["weights_after"].as_array().unwrap()).enumerate() {
        assert_close(
            &format!("weight {i} after one SGD step"),
            &w.to_vec::<f32>().unwrap(),
            &floats(k),
            1e-5,
        );
    }
}

/// A `Conv2D(activation="relu")` (one fused op) trains to the same bits as
/// a linear `Conv2D` followed by an `Activation("relu")` layer (the three
/// ops) from the same weights: five Adam steps, strided and dilated.
#[test]
fn relu_conv2d_trains_like_conv2d_then_relu_bit_for_bit() {
    use keraslike::layers::Activation as ActivationLayer;
    use keraslike::optimizers::Adam;
    let run = |fused: bool| -> Vec<Vec<u32>> {
        let mut layers: Vec<Box<dyn Layer>> = Vec::new();
        for (filters, strides, dilation) in [(6, 1, 2), (5, 2, 1)] {
            let conv = Conv2D::new(filters, 3)
                .strides(strides)
                .dilation_rate(dilation)
                .padding("same");
            if fused {
                layers.push(Box::new(conv.activation("relu")));
            } else {
                layers.push(Box::new(conv));
                layers.push(Box::new(ActivationLayer::new("relu")));
            }
        }
        layers.push(Box::new(GlobalMaxPooling2D::new()));
        layers.push(Box::new(Dense::new(3).activation("softmax")));
        let mut model = Sequential::new(layers);
        model.build(&[9, 9, 2]).unwrap();
        let init: Vec<Tensor> = model
            .get_weights()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let n: usize = w.shape().iter().product();
                let v: Vec<f32> = (0..n)
                    .map(|j| (((i * 131 + j * 71) % 97) as f32 - 48.0) / 120.0)
                    .collect();
                Tensor::new(&v, w.shape()).unwrap()
            })
            .collect();
        model.set_weights(&init).unwrap();
        model
            .compile(Adam::new(0.01), "sparse_categorical_crossentropy", &[])
            .unwrap();
        let xv: Vec<f32> = (0..4 * 9 * 9 * 2)
            .map(|j| ((j * 37 % 101) as f32 - 50.0) / 25.0)
            .collect();
        let x = Tensor::new(&xv, &[4, 9, 9, 2]).unwrap();
        let y = Tensor::new(&[0u32, 2, 1, 2], &[4]).unwrap();
        for _ in 0..5 {
            model.train_on_batch(&x, &y, None).unwrap();
        }
        let w = model.get_weights().unwrap();
        w.iter()
            .map(|t| t.to_vec::<f32>().unwrap().iter().map(|v| v.to_bits()).collect())
            .collect()
    };
    assert!(run(true) == run(false), "weights differ after 5 Adam steps");
}

#[test]
fn errors_name_the_layer_and_both_shapes() {
    let ctx = BuildContext::default();
    let mut c = Conv2D::new(4, 3).name("c");
    c.build(&[8, 8, 3], &ctx).unwrap();
    let x = Tensor::zeros(&[2, 8, 8, 2], DType::F32, &Device::cpu()).unwrap();
    let e = c.call(&x, false).unwrap_err().to_string();
    assert!(
        e.contains("Conv2D \"c\"") && e.contains("(batch, height, width, 3)") && e.contains("(2, 8, 8, 2)"),
        "{e}"
    );
    let e = Conv2D::new(4, 3)
        .name("r")
        .build(&[8, 8], &ctx)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("Conv2D \"r\"") && e.contains("(batch, height, width, channels)") && e.contains("(8, 8)"),
        "{e}"
    );
    let e = Conv2D::new(4, 5)
        .name("k")
        .build(&[3, 8, 1], &ctx)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("spans 5 along height") && e.contains("padding=\"same\""),
        "{e}"
    );
    assert!(Conv2D::new(4, 5).padding("same").build(&[3, 8, 1], &ctx).is_ok());
    let e = Conv2D::new(4, 3)
        .groups(2)
        .name("g")
        .build(&[8, 8, 3], &ctx)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("groups 2 must divide the input channels") && e.contains("(8, 8, 3)"),
        "{e}"
    );
    let e = Conv2D::new(3, 3)
        .groups(2)
        .build(&[8, 8, 4], &ctx)
        .unwrap_err()
        .to_string();
    assert!(e.contains("groups 2 must divide filters 3"), "{e}");
    let e = Conv2D::new(4, 3)
        .data_format("channels_first")
        .build(&[3, 8, 8], &ctx)
        .unwrap_err()
        .to_string();
    assert!(e.contains("channels_last"), "{e}");
    let e = Conv2D::new(4, 3)
        .padding("causal")
        .build(&[8, 8, 1], &ctx)
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"valid\" or \"same\""), "{e}");
    let e = Conv1D::new(4, 3)
        .strides(2)
        .dilation_rate(2)
        .build(&[8, 1], &ctx)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("strides > 1 cannot be combined with dilation_rate > 1"),
        "{e}"
    );
    let e = MaxPooling2D::new(3)
        .name("p")
        .build(&[2, 8, 1], &ctx)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("MaxPooling2D \"p\"") && e.contains("pool_size 3 is larger"),
        "{e}"
    );
    let e = Cropping1D::new(4).build(&[8, 1], &ctx).unwrap_err().to_string();
    assert!(e.contains("leaves nothing"), "{e}");
    let e = UpSampling2D::new(2)
        .interpolation("bilinear")
        .build(&[4, 4, 1], &ctx)
        .unwrap_err()
        .to_string();
    assert!(e.contains("only \"nearest\""), "{e}");
}

#[test]
fn configs_round_trip_through_the_registry() {
    let layers: Vec<Box<dyn Layer>> = vec![
        Box::new(
            Conv2D::new(8, (3, 2))
                .strides(2)
                .padding("same")
                .activation("relu")
                .groups(2),
        ),
        Box::new(Conv1D::new(4, 3).padding("causal").dilation_rate(2).use_bias(false)),
        Box::new(MaxPooling1D::new(3).strides(1).padding("same")),
        Box::new(AveragePooling2D::new((2, 3))),
        Box::new(GlobalAveragePooling1D::new().keepdims(true)),
        Box::new(GlobalMaxPooling2D::new()),
        Box::new(ZeroPadding2D::new([(1, 2), (3, 4)])),
        Box::new(ZeroPadding1D::new(2)),
        Box::new(Cropping2D::new([1, 2])),
        Box::new(Cropping1D::new((0, 3))),
        Box::new(UpSampling1D::new(3)),
        Box::new(UpSampling2D::new((2, 1))),
        Box::new(SpatialDropout2D::new(0.3).seed(4)),
        Box::new(SpatialDropout1D::new(0.1)),
    ];
    for l in layers {
        let config = l.get_config();
        let back = layer_from_config(l.class_name(), &config).unwrap();
        assert_eq!(back.get_config(), config, "{}", l.class_name());
        assert_eq!(back.name(), l.name());
    }
}

#[test]
fn causal_conv1d_never_sees_the_future() {
    // Changing input t changes no output before t.
    let mut c = Conv1D::new(2, 3).padding("causal").dilation_rate(2);
    c.build(&[10, 1], &BuildContext::default()).unwrap();
    let base: Vec<f32> = (0..10).map(|i| i as f32).collect();
    let y0 = c
        .call(&Tensor::new(&base, &[1, 10, 1]).unwrap(), false)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    let mut changed = base.clone();
    changed[6] += 100.0;
    let y1 = c
        .call(&Tensor::new(&changed, &[1, 10, 1]).unwrap(), false)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert_eq!(y0.len(), 20);
    assert_eq!(y0[..12], y1[..12]);
    assert_ne!(y0[12..14], y1[12..14]);
}
