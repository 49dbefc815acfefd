//! Recurrent cells written by users (`keraslike::layers::Cell`), run by
//! `RNN` step by step. The reference is the built-in `SimpleRNNCell`
//! (itself checked against Keras 3 in rnn_keras.rs): a user cell computing
//! the same step with the same weights must give the same outputs, states
//! and gradients, with masks, go_backwards, initial states and stateful
//! batches; the loop's gradient is also checked by finite differences.

use keraslike::layers::{
    register_cell, BuildContext, CallArgs, Cell, Dense, FromConfig, GRUCell, Input, Layer, SimpleRNNCell, RNN,
};
use keraslike::models::load_model;
use keraslike::prelude::*;
use serde_json::{json, Value};
use tensorlow::{GradientTape, Tensor, Variable};

/// h' = tanh(x K + h R + b): SimpleRNNCell's step, written with tensorlow ops.
struct Elman {
    name: String,
    units: usize,
    w: Option<[Variable; 3]>,
}

impl Elman {
    fn new(name: &str, units: usize) -> Self {
        Elman {
            name: name.into(),
            units,
            w: None,
        }
    }
}

impl Layer for Elman {
    fn name(&self) -> &str {
        &self.name
    }
    fn class_name(&self) -> &'static str {
        "Elman"
    }
    fn built(&self) -> bool {
        self.w.is_some()
    }
    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> keraslike::Result<()> {
        let (f, u) = (input_shape[0], self.units);
        let t = |shape: &[usize], v: f64| Tensor::fill(shape, v, ctx.dtype, &ctx.device);
        self.w = Some([
            Variable::new("kernel", t(&[f, u], 0.1)?),
            Variable::new("recurrent_kernel", t(&[u, u], -0.1)?),
            Variable::new("bias", t(&[u], 0.0)?),
        ]);
        Ok(())
    }
    fn call_multi(&self, inputs: &[Tensor], _args: &CallArgs) -> keraslike::Result<Vec<Tensor>> {
        let [k, r, b] = self.w.as_ref().expect("built");
        let h = inputs[0].matmul(k)?.add(&inputs[1].matmul(r)?)?.add(b)?.tanh()?;
        Ok(vec![h.clone(), h])
    }
    fn compute_output_shape(&self, _input_shape: &[usize]) -> keraslike::Result<Vec<usize>> {
        Ok(vec![self.units])
    }
    fn trainable_weights(&self) -> Vec<Variable> {
        self.w.iter().flatten().cloned().collect()
    }
    fn get_config(&self) -> Value {
        json!({"name": self.name, "units": self.units})
    }
}

impl Cell for Elman {
    fn state_size(&self) -> Vec<usize> {
        vec![self.units]
    }
}

impl FromConfig for Elman {
    const CLASS_NAME: &'static str = "Elman";
    const KERAS_OPTIONS: Option<keraslike::layers::KerasOptions> = Some(keraslike::layers::KerasOptions::new(&[(
        "units",
        keraslike::layers::KerasOption::Used,
    )]));
    fn from_config(c: &Value) -> keraslike::Result<Self> {
        Ok(Elman::new(
            c["name"].as_str().unwrap_or("elman"),
            c["units"].as_u64().unwrap_or(1) as usize,
        ))
    }
}

/// Two states of different sizes: h' = tanh(x K + h R), c' = c / 2 + x P.
struct TwoState {
    w: Option<[Variable; 3]>,
    bad_states: bool,
}

impl Layer for TwoState {
    fn name(&self) -> &str {
        "two_state"
    }
    fn class_name(&self) -> &'static str {
        "TwoState"
    }
    fn built(&self) -> bool {
        self.w.is_some()
    }
    fn build(&mut self, input_shape: &[usize], ctx: &BuildContext) -> keraslike::Result<()> {
        let f = input_shape[0];
        let t = |shape: &[usize], v: f64| Tensor::fill(shape, v, ctx.dtype, &ctx.device);
        self.w = Some([
            Variable::new("k", t(&[f, 3], 0.2)?),
            Variable::new("r", t(&[3, 3], 0.1)?),
            Variable::new("p", t(&[f, 2], 1.0)?),
        ]);
        Ok(())
    }
    fn call_multi(&self, inputs: &[Tensor], _args: &CallArgs) -> keraslike::Result<Vec<Tensor>> {
        let [k, r, p] = self.w.as_ref().expect("built");
        let h = inputs[0].matmul(k)?.add(&inputs[1].matmul(r)?)?.tanh()?;
        let c = inputs[2].affine(0.5, 0.0)?.add(&inputs[0].matmul(p)?)?;
        if self.bad_states {
            return Ok(vec![h]);
        }
        Ok(vec![h.clone(), h, c])
    }
    fn compute_output_shape(&self, _input_shape: &[usize]) -> keraslike::Result<Vec<usize>> {
        Ok(vec![3])
    }
    fn trainable_weights(&self) -> Vec<Variable> {
        self.w.iter().flatten().cloned().collect()
    }
    fn get_config(&self) -> Value {
        json!({"name": "two_state"})
    }
}

impl Cell for TwoState {
    fn state_size(&self) -> Vec<usize> {
        vec![3, 2]
    }
}

fn seq(batch: usize, steps: usize, features: usize) -> Tensor {
    let v: Vec<f32> = (0..batch * steps * features)
        .map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.2)
        .collect();
    Tensor::new(v.as_slice(), &[batch, steps, features]).unwrap()
}

fn close(a: &Tensor, b: &Tensor, tol: f32) {
    assert_eq!(a.shape(), b.shape());
    for (x, y) in a.to_vec::<f32>().unwrap().iter().zip(b.to_vec::<f32>().unwrap()) {
        assert!((x - y).abs() <= tol, "{x} vs {y}");
    }
}

/// A built-in RNN(SimpleRNNCell) and an RNN(Elman) with the same weights.
fn twins(configure: impl Fn(RNN) -> RNN) -> (RNN, RNN) {
    let ctx = BuildContext::default();
    let mut builtin = configure(RNN::new(SimpleRNNCell::new(4)));
    let mut user = configure(RNN::new(Elman::new("elman", 4)));
    builtin.build(&[5, 3], &ctx).unwrap();
    user.build(&[5, 3], &ctx).unwrap();
    for (i, (a, b)) in builtin
        .trainable_weights()
        .iter()
        .zip(user.trainable_weights())
        .enumerate()
    {
        assert_eq!(a.shape(), b.shape(), "weight {i}");
        let n = a.value().elem_count();
        let v: Vec<f32> = (0..n).map(|j| ((j * 5 + i * 3) % 9) as f32 * 0.1 - 0.4).collect();
        a.assign(&Tensor::new(v.as_slice(), a.shape()).unwrap()).unwrap();
        b.assign(&Tensor::new(v.as_slice(), a.shape()).unwrap()).unwrap();
    }
    (builtin, user)
}

#[test]
fn a_user_cell_computes_what_the_builtin_cell_computes() {
    let x = seq(2, 5, 3);
    // Sample 0 masked at steps 1 and 4, sample 1 at step 0.
    let mask = Tensor::new(&[1u8, 0, 1, 1, 0, 0, 1, 1, 1, 1], &[2, 5]).unwrap();
    let h0 = Tensor::new(&[0.3f32, -0.2, 0.1, 0.0, 0.5, 0.5, -0.5, 0.2], &[2, 4]).unwrap();
    for backwards in [false, true] {
        for zero in [false, true] {
            let (builtin, user) = twins(|r| {
                r.return_sequences(true)
                    .return_state(true)
                    .go_backwards(backwards)
                    .zero_output_for_mask(zero)
            });
            for (inputs, masks) in [
                (vec![x.clone()], vec![]),
                (vec![x.clone()], vec![Some(mask.clone())]),
                (vec![x.clone(), h0.clone()], vec![Some(mask.clone())]),
            ] {
                let args = CallArgs {
                    training: false,
                    masks: &masks,
                };
                let want = builtin.call_multi(&inputs, &args).unwrap();
                let got = user.call_multi(&inputs, &args).unwrap();
                assert_eq!(want.len(), 2);
                assert_eq!(got.len(), 2);
                for (w, g) in want.iter().zip(&got) {
                    close(w, g, 1e-5);
                }
            }
        }
    }
    // The last output only, with a mask.
    let (builtin, user) = twins(|r| r);
    let masks = [Some(mask)];
    let args = CallArgs {
        training: false,
        masks: &masks,
    };
    close(
        &builtin.call_multi(std::slice::from_ref(&x), &args).unwrap()[0],
        &user.call_multi(std::slice::from_ref(&x), &args).unwrap()[0],
        1e-5,
    );
}

#[test]
fn gradients_through_a_user_cell_match_the_builtin_and_finite_differences() {
    let x = seq(2, 5, 3);
    let (builtin, user) = twins(|r| r.return_sequences(true));
    let loss = |rnn: &RNN| rnn.call(&x, true).unwrap().square().unwrap().sum_all().unwrap();
    let grads = |rnn: &RNN| {
        let tape = GradientTape::new();
        let l = loss(rnn);
        let w = rnn.trainable_weights();
        tape.gradient_of(&l, &w).unwrap()
    };
    let (gb, gu) = (grads(&builtin), grads(&user));
    for (a, b) in gb.iter().zip(gu.iter()) {
        close(a.as_ref().unwrap(), b.as_ref().unwrap(), 1e-4);
    }
    // Finite differences on the user cell's recurrent kernel.
    let r = user.trainable_weights()[1].clone();
    let r0 = r.value().to_vec::<f32>().unwrap();
    let g = gu[1].as_ref().unwrap().to_vec::<f32>().unwrap();
    let f = |v: &[f32]| {
        r.assign(&Tensor::new(v, &[4, 4]).unwrap()).unwrap();
        loss(&user).to_scalar::<f64>().unwrap()
    };
    let h = 1e-2f32;
    for i in [0, 5, 10, 15] {
        let mut p = r0.clone();
        p[i] += h;
        let fp = f(&p);
        p[i] -= 2.0 * h;
        let fm = f(&p);
        let fd = (fp - fm) / (2.0 * h as f64);
        assert!(
            (g[i] as f64 - fd).abs() < 2e-3 * (1.0 + fd.abs()),
            "recurrent_kernel[{i}]: tape {} vs finite differences {fd}",
            g[i]
        );
    }
}

#[test]
fn a_stateful_user_cell_carries_its_states_like_the_builtin() {
    let x = seq(2, 6, 3);
    let (a, b) = (x.narrow(1, 0, 3).unwrap(), x.narrow(1, 3, 3).unwrap());
    let (builtin, user) = twins(|r| r.stateful(true));
    for rnn in [&builtin, &user] {
        rnn.call(&a, false).unwrap();
    }
    close(&builtin.call(&b, false).unwrap(), &user.call(&b, false).unwrap(), 1e-5);
    // Two halves equal one whole sequence.
    user.reset_states().unwrap();
    user.call(&a, false).unwrap();
    let halves = user.call(&b, false).unwrap();
    let (_, whole) = twins(|r| r);
    close(&halves, &whole.call(&x, false).unwrap(), 1e-5);
}

#[test]
fn cells_with_several_states_stack_with_builtin_cells() {
    let mut rnn = RNN::new(vec![
        TwoState {
            w: None,
            bad_states: false,
        }
        .into(),
        GRUCell::new(2).into(),
    ])
    .return_sequences(true)
    .return_state(true);
    rnn.build(&[4, 3], &BuildContext::default()).unwrap();
    let out = rnn.call_multi(&[seq(2, 4, 3)], &CallArgs::new(false)).unwrap();
    let shapes: Vec<Vec<usize>> = out.iter().map(|t| t.shape().to_vec()).collect();
    assert_eq!(shapes, vec![vec![2, 4, 2], vec![2, 3], vec![2, 2], vec![2, 2]]);
    let declared = rnn.compute_output_shapes(&[vec![4, 3]]).unwrap();
    assert_eq!(declared, vec![vec![4, 2], vec![3], vec![2], vec![2]]);
    // c after 4 steps from zero, by hand: c' = c / 2 + sum(x_t).
    let xs = seq(2, 4, 3).to_vec::<f32>().unwrap();
    let mut c = 0f32;
    for t in 0..4 {
        c = c / 2.0 + (0..3).map(|j| xs[t * 3 + j]).sum::<f32>();
    }
    assert!((out[2].to_vec::<f32>().unwrap()[0] - c).abs() < 1e-5);
}

#[test]
fn a_cell_returning_the_wrong_states_is_an_error_naming_it() {
    let mut rnn = RNN::new(TwoState {
        w: None,
        bad_states: true,
    });
    rnn.build(&[4, 3], &BuildContext::default()).unwrap();
    let e = rnn.call(&seq(2, 4, 3), false).unwrap_err().to_string();
    assert!(
        e.contains("TwoState \"two_state\"") && e.contains("[output, 2 new state(s)]"),
        "{e}"
    );
    let e = rnn
        .call_multi(
            &[
                seq(2, 4, 3),
                Tensor::zeros(&[2, 3], tensorlow::DType::F32, &tensorlow::Device::cpu()).unwrap(),
            ],
            &CallArgs::new(false),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("initial state"), "{e}");
}

#[test]
fn models_with_a_registered_user_cell_train_save_and_load() {
    let x = seq(8, 5, 3);
    let y = Tensor::new(&[0.5f32, -0.5, 1.0, 0.0, 0.2, -0.1, 0.3, 0.9], &[8, 1]).unwrap();
    let mut model = sequential![
        Input::new(&[5, 3]),
        RNN::new(Elman::new("elman", 4)).name("rnn"),
        Dense::new(1).name("out")
    ];
    model.compile(SGD::new(0.1), "mse", &["mae"]).unwrap();
    let before = model.get_weights().unwrap();
    let h = model
        .fit(&x, &y, FitOptions::default().epochs(3).batch_size(4).verbose(0))
        .unwrap();
    let losses = h.history["loss"].clone();
    assert!(losses[2] < losses[0], "{losses:?}");
    assert_ne!(
        before[0].to_vec::<f32>().unwrap(),
        model.get_weights().unwrap()[0].to_vec::<f32>().unwrap()
    );
    let want = model.predict(&x, Default::default()).unwrap();

    let dir = std::env::temp_dir().join(format!("kl_custom_cell_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ours, keras) = (dir.join("m.safetensors"), dir.join("m.keras"));
    model.save(&ours).unwrap();
    model.save(&keras).unwrap();
    let Err(e) = load_model(&ours) else {
        panic!("an unregistered cell is refused")
    };
    let e = e.to_string();
    assert!(e.contains("\"Elman\"") && e.contains("register_cell"), "{e}");

    register_cell::<Elman>();
    for path in [&ours, &keras] {
        let back = load_model(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        close(&back.predict(&x, Default::default()).unwrap(), &want, 0.0);
    }
    std::fs::remove_dir_all(&dir).ok();
}
