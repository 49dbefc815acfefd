//! Recurrent layers against Keras 3: two tiny models with the same
//! weights, one forward pass and one SGD step each. The expected numbers
//! come from Keras itself: `tests/data/keras_rnn_reference.py` (keras
//! 3.15.1, jax backend) wrote `tests/data/keras_rnn_reference.json`.
//!
//! - A: `Embedding(7, 3, mask_zero=True) -> LSTM(4, return_sequences=True)
//!   -> GRU(3) -> Dense(2)` on padded id sequences (the mask flows from the
//!   embedding through both recurrent layers);
//! - B: `SimpleRNN(3, return_sequences=True, go_backwards=True) ->
//!   GRU(2, reset_after=False, return_sequences=True) -> LSTM(3) -> Dense(1)`.

use keraslike::layers::{Dense, Embedding, Layer, SimpleRNN, GRU, LSTM};
use keraslike::optimizers::SGD;
use keraslike::Sequential;
use serde_json::Value;
use tensorlow::Tensor;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keras_rnn_reference.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn shape(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn tensor(v: &Value, s: &Value) -> Tensor {
    let data: Vec<f32> = floats(v).iter().map(|&x| x as f32).collect();
    Tensor::new(&data, &shape(s)).unwrap()
}

fn close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: got {g}, Keras {w} (tolerance {tol})"
        );
    }
}

/// Loads the fixture's weights, compares the forward pass, takes one SGD
/// step (lr 0.5, MSE) and compares the loss and every weight.
fn check(mut m: Sequential, case: &Value, input: Tensor) {
    let shapes = case["weight_shapes"].as_array().unwrap();
    let values: Vec<Tensor> = case["weights"]
        .as_array()
        .unwrap()
        .iter()
        .zip(shapes)
        .map(|(v, s)| tensor(v, s))
        .collect();
    m.build(&input.shape()[1..]).unwrap();
    m.set_weights(&values).unwrap();
    let out = m.predict_on_batch(&input).unwrap();
    close("output", &out.to_vec::<f64>().unwrap(), &floats(&case["output"]), 1e-5);

    m.compile(SGD::new(0.5), "mse", &[] as &[&str]).unwrap();
    let y = tensor(&case["y"], &case["y_shape"]);
    let logs = m.train_on_batch(&input, &y, None).unwrap();
    close("loss", &[logs["loss"]], &[case["loss"].as_f64().unwrap()], 1e-5);
    let after = m.get_weights().unwrap();
    for (j, (w, want)) in after.iter().zip(case["weights_after"].as_array().unwrap()).enumerate() {
        close(&format!("weight {j}"), &w.to_vec::<f64>().unwrap(), &floats(want), 1e-5);
    }
}

#[test]
fn embedding_masks_flow_through_lstm_and_gru_as_in_keras() {
    let f = fixture();
    let case = &f["a"];
    let ids: Vec<i64> = floats(&case["x"]).iter().map(|&x| x as i64).collect();
    let ids = Tensor::new(&ids, &shape(&case["x_shape"])).unwrap();
    let m = Sequential::new(vec![
        Box::new(Embedding::new(7, 3).mask_zero(true)),
        Box::new(LSTM::new(4).return_sequences(true)),
        Box::new(GRU::new(3)),
        Box::new(Dense::new(2)),
    ]);
    check(m, case, ids);
}

#[test]
fn simple_rnn_backwards_gru_before_reset_and_lstm_as_in_keras() {
    let f = fixture();
    let case = &f["b"];
    let x = tensor(&case["x"], &case["x_shape"]);
    let m = Sequential::new(vec![
        Box::new(SimpleRNN::new(3).return_sequences(true).go_backwards(true)),
        Box::new(GRU::new(2).reset_after(false).return_sequences(true)),
        Box::new(LSTM::new(3)),
        Box::new(Dense::new(1)),
    ]);
    check(m, case, x);
}

#[test]
fn return_state_gives_keras_outputs_and_errors_name_the_layer() {
    use keraslike::layers::{BuildContext, CallArgs};
    let mut l = LSTM::new(2).return_state(true).name("enc");
    l.build(&[3, 2], &BuildContext::default()).unwrap();
    let x = Tensor::new(&[0.5f32; 12], &[2, 3, 2]).unwrap();
    let out = l.call_multi(std::slice::from_ref(&x), &CallArgs::new(false)).unwrap();
    assert_eq!(out.len(), 3, "[output, h, c]");
    assert_eq!(out[0].to_vec::<f32>().unwrap(), out[1].to_vec::<f32>().unwrap());
    assert_eq!(
        l.compute_output_shapes(&[vec![3, 2]]).unwrap(),
        vec![vec![2], vec![2], vec![2]]
    );
    let flat = Tensor::new(&[0.5f32; 4], &[2, 2]).unwrap();
    let err = l.call(&flat, false).unwrap_err().to_string();
    assert!(
        err.contains("LSTM \"enc\"") && err.contains("(batch, timesteps, features)"),
        "{err}"
    );
    let mut e = Embedding::new(4, 2).name("emb");
    e.build(&[2], &BuildContext::default()).unwrap();
    let err = e
        .call(&Tensor::new(&[1i64, 9], &[1, 2]).unwrap(), false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("id 9") && err.contains("input_dim 4"), "{err}");
}

#[test]
fn stateful_layers_carry_their_states_across_batches_until_reset() {
    // A sequence cut in two and fed to a stateful layer gives, at the end,
    // what the whole sequence gives a stateless layer with the same weights
    // (the final states of the first half start the second half).
    use keraslike::layers::BuildContext;
    let data: Vec<f32> = (0..2 * 6 * 3).map(|i| ((i * 7 % 11) as f32 - 5.0) / 4.0).collect();
    let whole = Tensor::new(&data, &[2, 6, 3]).unwrap();
    let first = whole.narrow(1, 0, 4).unwrap();
    let second = whole.narrow(1, 4, 2).unwrap();
    let mut plain = GRU::new(4).name("plain");
    plain.build(&[6, 3], &BuildContext::default()).unwrap();
    let mut stateful = GRU::new(4).stateful(true).name("stateful");
    stateful.build(&[4, 3], &BuildContext::default()).unwrap();
    for (a, b) in stateful.weights().iter().zip(plain.weights()) {
        a.assign(b.value()).unwrap();
    }
    let want = plain.call(&whole, false).unwrap().to_vec::<f32>().unwrap();
    let a1 = stateful.call(&first, false).unwrap().to_vec::<f32>().unwrap();
    let got = stateful.call(&second, false).unwrap().to_vec::<f32>().unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-6, "stateful {g} vs whole sequence {w}");
    }
    // reset_states: the first half again gives the first result.
    stateful.reset_states().unwrap();
    assert_eq!(stateful.call(&first, false).unwrap().to_vec::<f32>().unwrap(), a1);
    // Another batch size while carrying states is an error naming the layer.
    let one = whole.narrow(0, 0, 1).unwrap().narrow(1, 0, 4).unwrap();
    let e = stateful.call(&one, false).unwrap_err().to_string();
    assert!(e.contains("\"stateful\"") && e.contains("batch"), "{e}");
    // A stateless layer does not carry anything.
    assert_eq!(plain.call(&whole, false).unwrap().to_vec::<f32>().unwrap(), want);
}
