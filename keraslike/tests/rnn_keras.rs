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

use keraslike::layers::{
    BuildContext, CallArgs, Dense, Embedding, GRUCell, LSTMCell, Layer, Masking, SimpleRNN, SimpleRNNCell,
    StackedRNNCells, GRU, LSTM, RNN,
};
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

#[test]
fn stacked_cells_backwards_with_a_mask_as_in_keras() {
    let f = fixture();
    let case = &f["c"];
    let x = tensor(&case["x"], &case["x_shape"]);
    let stack = StackedRNNCells::new([LSTMCell::new(3).into(), GRUCell::new(2).reset_after(false).into()]);
    let m = Sequential::new(vec![
        Box::new(Masking::new(0.0)),
        Box::new(RNN::new(stack).go_backwards(true).return_sequences(true)),
        Box::new(RNN::new(SimpleRNNCell::new(2))),
        Box::new(Dense::new(1)),
    ]);
    check(m, case, x);
}

#[test]
fn one_cell_step_from_given_states_as_in_keras() {
    let f = fixture();
    for (name, mut cell) in [
        ("gru", Box::new(GRUCell::new(3)) as Box<dyn Layer>),
        ("lstm", Box::new(LSTMCell::new(2))),
    ] {
        let c = &f["cell_step"][name];
        let shapes = c["weight_shapes"].as_array().unwrap();
        cell.build(&[4], &BuildContext::default()).unwrap();
        for ((w, v), s) in cell.weights().iter().zip(c["weights"].as_array().unwrap()).zip(shapes) {
            w.assign(&tensor(v, s)).unwrap();
        }
        let units = cell.compute_output_shape(&[4]).unwrap()[0];
        let x = Tensor::new(&floats(&c["x"]).iter().map(|&v| v as f32).collect::<Vec<_>>(), &[2, 4]).unwrap();
        let mut inputs = vec![x];
        for s in c["states"].as_array().unwrap() {
            let v: Vec<f32> = floats(s).iter().map(|&v| v as f32).collect();
            inputs.push(Tensor::new(&v, &[2, units]).unwrap());
        }
        let out = cell.call_multi(&inputs, &CallArgs::new(false)).unwrap();
        let want = c["outputs"].as_array().unwrap();
        assert_eq!(out.len(), want.len(), "{name}: [output, states...]");
        for (j, (o, w)) in out.iter().zip(want).enumerate() {
            close(
                &format!("{name} output {j}"),
                &o.to_vec::<f64>().unwrap(),
                &floats(w),
                1e-5,
            );
        }
    }
}

#[test]
fn rnn_of_a_cell_is_the_layer_and_a_stack_is_the_chained_layers() {
    // RNN(LSTMCell(u)) runs the LSTM's ops: with the same weights the same
    // numbers, bit for bit; a stack equals the cells' layers chained with
    // return_sequences (Keras' definition of StackedRNNCells).
    let data: Vec<f32> = (0..2 * 5 * 3).map(|i| ((i * 5 % 13) as f32 - 6.0) / 5.0).collect();
    let x = Tensor::new(&data, &[2, 5, 3]).unwrap();
    let ctx = BuildContext::default();
    let mut rnn = RNN::new(LSTMCell::new(4)).return_sequences(true);
    rnn.build(&[5, 3], &ctx).unwrap();
    let mut lstm = LSTM::new(4).return_sequences(true);
    lstm.build(&[5, 3], &ctx).unwrap();
    for (a, b) in lstm.weights().iter().zip(rnn.weights()) {
        a.assign(b.value()).unwrap();
    }
    assert_eq!(
        rnn.call(&x, false).unwrap().to_vec::<f32>().unwrap(),
        lstm.call(&x, false).unwrap().to_vec::<f32>().unwrap()
    );

    let stack = StackedRNNCells::new([GRUCell::new(3).into(), SimpleRNNCell::new(2).into()]);
    let mut stacked = RNN::new(stack).return_state(true);
    stacked.build(&[5, 3], &ctx).unwrap();
    let mut gru = GRU::new(3).return_sequences(true).return_state(true);
    gru.build(&[5, 3], &ctx).unwrap();
    let mut srnn = SimpleRNN::new(2).return_state(true);
    srnn.build(&[5, 3], &ctx).unwrap();
    let w = stacked.weights();
    for (a, b) in gru.weights().iter().chain(srnn.weights().iter()).zip(&w) {
        a.assign(b.value()).unwrap();
    }
    let got = stacked
        .call_multi(std::slice::from_ref(&x), &CallArgs::new(false))
        .unwrap();
    let g = gru.call_multi(std::slice::from_ref(&x), &CallArgs::new(false)).unwrap();
    let s = srnn
        .call_multi(std::slice::from_ref(&g[0]), &CallArgs::new(false))
        .unwrap();
    assert_eq!(got.len(), 3, "[output, GRU h, SimpleRNN h]");
    for (o, want) in got.iter().zip([&s[0], &g[1], &s[1]]) {
        assert_eq!(o.to_vec::<f32>().unwrap(), want.to_vec::<f32>().unwrap());
    }
    assert_eq!(
        stacked.compute_output_shapes(&[vec![5, 3]]).unwrap(),
        vec![vec![2], vec![3], vec![2]]
    );
    // Initial states are the cells' states in order; a wrong count is an error.
    let h0 = Tensor::new(&[0.3f32; 6], &[2, 3]).unwrap();
    let h1 = Tensor::new(&[-0.2f32; 4], &[2, 2]).unwrap();
    let from = stacked
        .call_multi(&[x.clone(), h0.clone(), h1.clone()], &CallArgs::new(false))
        .unwrap();
    let g0 = gru.call_multi(&[x.clone(), h0.clone()], &CallArgs::new(false)).unwrap();
    let s0 = srnn.call_multi(&[g0[0].clone(), h1], &CallArgs::new(false)).unwrap();
    assert_eq!(from[0].to_vec::<f32>().unwrap(), s0[0].to_vec::<f32>().unwrap());
    let e = stacked
        .call_multi(&[x.clone(), h0], &CallArgs::new(false))
        .unwrap_err()
        .to_string();
    assert!(e.contains("RNN") && e.contains("2 initial state(s)"), "{e}");
}

#[test]
fn rnn_configs_weights_paths_states_and_errors() {
    let ctx = BuildContext::default();
    let stack = StackedRNNCells::new([GRUCell::new(3).into(), GRUCell::new(2).into(), LSTMCell::new(2).into()]);
    let mut rnn = RNN::new(stack).return_sequences(true).name("seq");
    rnn.build(&[4, 3], &ctx).unwrap();
    // Keras 3's paths: cell/cells/<snake class>[_n]/vars/j.
    let paths: Vec<String> = rnn.saved_weights().into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths[0], "cell/cells/gru_cell/vars/0");
    assert_eq!(paths[3], "cell/cells/gru_cell_1/vars/0");
    assert_eq!(paths[6], "cell/cells/lstm_cell/vars/0");
    assert_eq!(paths.len(), 9);
    let single = RNN::new(SimpleRNNCell::new(2));
    assert!(single.get_config()["cell"]["class_name"] == "SimpleRNNCell");
    // The config goes both ways (cells, options and names).
    let c = rnn.get_config();
    assert_eq!(c["cell"]["class_name"], "StackedRNNCells");
    assert_eq!(c["cell"]["config"]["cells"][2]["class_name"], "LSTMCell");
    assert!(c["cell"]["config"]["cells"][0]["config"]
        .get("return_sequences")
        .is_none());
    let back = keraslike::layers::layer_from_config("RNN", &c).unwrap();
    assert_eq!(back.get_config(), c);
    // Stateful: a sequence fed in two halves ends where the whole one ends.
    let data: Vec<f32> = (0..2 * 6 * 3).map(|i| ((i * 7 % 11) as f32 - 5.0) / 4.0).collect();
    let whole = Tensor::new(&data, &[2, 6, 3]).unwrap();
    let mut plain = RNN::new(vec![LSTMCell::new(3).into(), GRUCell::new(2).into()]);
    plain.build(&[6, 3], &ctx).unwrap();
    let mut stateful = RNN::new(vec![LSTMCell::new(3).into(), GRUCell::new(2).into()]).stateful(true);
    stateful.build(&[3, 3], &ctx).unwrap();
    for (a, b) in stateful.weights().iter().zip(plain.weights()) {
        a.assign(b.value()).unwrap();
    }
    let want = plain.call(&whole, false).unwrap().to_vec::<f32>().unwrap();
    stateful.call(&whole.narrow(1, 0, 3).unwrap(), false).unwrap();
    let got = stateful
        .call(&whole.narrow(1, 3, 3).unwrap(), false)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() <= 1e-6, "stateful {g} vs whole {w}");
    }
    stateful.reset_states().unwrap();
    // Errors name the layer and say what is expected.
    let flat = Tensor::new(&[0.5f32; 6], &[2, 3]).unwrap();
    let e = rnn.call(&flat, false).unwrap_err().to_string();
    assert!(
        e.contains("RNN \"seq\"") && e.contains("(batch, timesteps, features)"),
        "{e}"
    );
    let mut cell = LSTMCell::new(2).name("step");
    let e = cell.build(&[4, 3], &ctx).unwrap_err().to_string();
    assert!(
        e.contains("LSTMCell \"step\"") && e.contains("(batch, features)"),
        "{e}"
    );
    let e = keraslike::layers::layer_from_config(
        "RNN",
        &serde_json::json!({"name": "r", "cell": {"class_name": "ConvLSTMCell", "config": {}}}),
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("ConvLSTMCell") && e.contains("LSTMCell, GRUCell"), "{e}");
}
