//! Positional optimizer state: Keras' order of the slots, `state()` /
//! `load_state()`, and resuming training bit-identically.
//!
//! The expected slot orders come from Keras 3.15.1 (jax backend):
//!
//! ```text
//! import keras, numpy as np
//! for o in [keras.optimizers.Adam(), keras.optimizers.Adam(amsgrad=True),
//!           keras.optimizers.SGD(momentum=0.9), keras.optimizers.SGD(),
//!           keras.optimizers.RMSprop(momentum=0.5, centered=True), keras.optimizers.Nadam(),
//!           keras.optimizers.Adamax(), keras.optimizers.Adagrad(),
//!           keras.optimizers.Adam(learning_rate=keras.optimizers.schedules.ExponentialDecay(0.1, 100, 0.9))]:
//!     k = keras.Variable(np.zeros((2, 3), "float32"), name="k"); b = keras.Variable(np.zeros((3,), "float32"), name="b")
//!     o.build([k, b]); print([v.path for v in o.variables])
//! # adam/iteration, adam/learning_rate, adam/k_momentum, adam/k_velocity, adam/b_momentum, adam/b_velocity
//! # amsgrad: ... then k_velocity_hat, b_velocity_hat
//! # sgd: iteration, learning_rate, k_momentum, b_momentum   (no momentum: iteration, learning_rate)
//! # rm_sprop: iteration, learning_rate, k_velocity, b_velocity, k_momentum, b_momentum,
//! #           k_average_gradient, b_average_gradient
//! # nadam: iteration, learning_rate, k_momentum, k_velocity, b_momentum, b_velocity, then a float32 scalar
//! # adamax: ..., k_momentum, k_norm, b_momentum, b_norm;   adagrad: ..., k_accumulator, b_accumulator
//! # with a schedule: iteration, then the slots (no learning_rate)
//! ```
//! and a `.keras` file of a fitted model stores the same list as
//! `optimizer/vars/0..N` (iteration int32, learning_rate float32, ...).

use super::schedules::ExponentialDecay;
use super::*;
use tensorlow::{DType, Device};

fn vars() -> Vec<Variable> {
    vec![
        Variable::new(
            "k",
            Tensor::new(&[0.5f32, -1.0, 2.0, 0.25, -0.75, 1.5], &[2, 3]).unwrap(),
        ),
        Variable::new("b", Tensor::new(&[0.1f32, -0.2, 0.3], &[3]).unwrap()),
    ]
}

fn slot_names(opt: &dyn Optimizer) -> Vec<String> {
    opt.variables().iter().map(|v| v.name().to_string()).collect()
}

#[test]
fn build_creates_keras_slots_in_keras_order() {
    let cases: Vec<(Box<dyn Optimizer>, &[&str])> = vec![
        (
            Box::new(Adam::default()),
            &[
                "adam/k_momentum",
                "adam/k_velocity",
                "adam/b_momentum",
                "adam/b_velocity",
            ],
        ),
        (
            Box::new(Adam::default().amsgrad(true)),
            &[
                "adam/k_momentum",
                "adam/k_velocity",
                "adam/b_momentum",
                "adam/b_velocity",
                "adam/k_velocity_hat",
                "adam/b_velocity_hat",
            ],
        ),
        (
            Box::new(SGD::default().momentum(0.9)),
            &["sgd/k_momentum", "sgd/b_momentum"],
        ),
        (Box::new(SGD::default()), &[]),
        (
            Box::new(RMSprop::default().momentum(0.5).centered(true)),
            &[
                "rm_sprop/k_velocity",
                "rm_sprop/b_velocity",
                "rm_sprop/k_momentum",
                "rm_sprop/b_momentum",
                "rm_sprop/k_average_gradient",
                "rm_sprop/b_average_gradient",
            ],
        ),
        (
            Box::new(Nadam::default()),
            &[
                "nadam/k_momentum",
                "nadam/k_velocity",
                "nadam/b_momentum",
                "nadam/b_velocity",
            ],
        ),
        (
            Box::new(Adamax::default()),
            &[
                "adamax/k_momentum",
                "adamax/k_norm",
                "adamax/b_momentum",
                "adamax/b_norm",
            ],
        ),
        (
            Box::new(Adagrad::default()),
            &["adagrad/k_accumulator", "adagrad/b_accumulator"],
        ),
        (
            Box::new(AdamW::default()),
            &[
                "adam_w/k_momentum",
                "adam_w/k_velocity",
                "adam_w/b_momentum",
                "adam_w/b_velocity",
            ],
        ),
    ];
    for (mut opt, want) in cases {
        assert!(!opt.built());
        opt.build(&vars()).unwrap();
        assert!(opt.built());
        assert_eq!(slot_names(opt.as_ref()), want, "{}", opt.class_name());
        let state = opt.state().unwrap();
        // iteration, learning_rate, the slots, and Nadam's momentum-cache product.
        let extra = usize::from(opt.class_name() == "Nadam");
        assert_eq!(state.len(), 2 + want.len() + extra, "{}", opt.class_name());
        assert_eq!(
            (state[0].dtype(), state[0].to_scalar::<i64>().unwrap()),
            (DType::I64, 0)
        );
        assert_eq!(state[1].to_scalar::<f64>().unwrap(), opt.learning_rate());
        for (t, v) in state[2..2 + want.len()].iter().zip(opt.variables()) {
            assert_eq!((t.shape(), t.dtype()), (v.shape(), v.dtype()));
            assert!(!v.trainable());
        }
    }
    // Adagrad's accumulators start at initial_accumulator_value.
    let mut ada = Adagrad::default();
    ada.build(&vars()).unwrap();
    assert_eq!(ada.variables()[1].to_vec::<f32>().unwrap(), vec![0.1f32; 3]);
    // A schedule has no learning_rate entry.
    let mut sched = Adam::new(ExponentialDecay::new(0.1, 100, 0.9));
    sched.build(&vars()).unwrap();
    assert_eq!(sched.state().unwrap().len(), 1 + 4);
}

/// A deterministic, state-dependent gradient: `g = w³ - 0.3 w + c` (so the
/// trajectory depends on every slot and on the step counter).
fn grads(vs: &[Variable], step: usize) -> Vec<Tensor> {
    vs.iter()
        .map(|v| {
            let w = v.value();
            let g = w
                .mul(w)
                .unwrap()
                .mul(w)
                .unwrap()
                .sub(&w.affine(0.3, 0.0).unwrap())
                .unwrap();
            g.affine(1.0, 0.05 * step as f64 - 0.1).unwrap()
        })
        .collect()
}

fn bits(vs: &[Variable]) -> Vec<u32> {
    vs.iter()
        .flat_map(|v| v.to_vec::<f32>().unwrap())
        .map(f32::to_bits)
        .collect()
}

fn copy_vars(vs: &[Variable]) -> Vec<Variable> {
    vs.iter().map(|v| Variable::new(v.name(), v.value().clone())).collect()
}

#[test]
fn saved_state_resumes_bit_identically() {
    type Maker = fn() -> Box<dyn Optimizer>;
    let makers: Vec<(&str, Maker)> = vec![
        ("Adam", || Box::new(Adam::new(0.01).beta_1(0.8))),
        ("Adam amsgrad", || Box::new(Adam::new(0.01).amsgrad(true))),
        ("SGD momentum", || Box::new(SGD::new(0.05).momentum(0.9))),
        ("SGD nesterov", || Box::new(SGD::new(0.05).momentum(0.9).nesterov(true))),
        ("RMSprop", || Box::new(RMSprop::new(0.01))),
        ("RMSprop centered momentum", || {
            Box::new(RMSprop::new(0.01).momentum(0.5).centered(true))
        }),
        ("Nadam", || Box::new(Nadam::new(0.01))),
        ("Adamax", || Box::new(Adamax::new(0.01))),
        ("Adagrad", || Box::new(Adagrad::new(0.05))),
        ("AdamW", || Box::new(AdamW::new(0.01).clipnorm(1.0))),
        ("Adam schedule", || {
            Box::new(Adam::new(ExponentialDecay::new(0.02, 3, 0.5)))
        }),
    ];
    let (k, n) = (4, 8);
    for (what, make) in makers {
        // Uninterrupted: n steps.
        let full = vars();
        let mut opt = make();
        for step in 0..n {
            opt.apply_gradients(&grads(&full, step), &full).unwrap();
        }
        // Interrupted after k steps: weights and optimizer state saved, then
        // restored into fresh variables and a fresh optimizer.
        let first = vars();
        let mut opt = make();
        for step in 0..k {
            opt.apply_gradients(&grads(&first, step), &first).unwrap();
        }
        let saved = opt.state().unwrap();
        let resumed = copy_vars(&first);
        let mut fresh = make();
        fresh.build(&resumed).unwrap();
        fresh.load_state(&saved).unwrap();
        assert_eq!(fresh.iterations(), k as u64, "{what}");
        assert_eq!(fresh.learning_rate(), opt.learning_rate(), "{what}");
        for step in k..n {
            fresh.apply_gradients(&grads(&resumed, step), &resumed).unwrap();
        }
        assert_eq!(bits(&resumed), bits(&full), "{what}: resumed training differs");
        // Without the state the run differs (the test can fail).
        let cold = copy_vars(&first);
        let mut cold_opt = make();
        for step in k..n {
            cold_opt.apply_gradients(&grads(&cold, step), &cold).unwrap();
        }
        assert_ne!(bits(&cold), bits(&full), "{what}: the state made no difference");
    }
}

#[test]
fn load_state_checks_before_changing_anything() {
    let vs = vars();
    let mut opt = Adam::default();
    assert!(matches!(opt.load_state(&[]), Err(crate::Error::NotReady(_))));
    opt.apply_gradients(&grads(&vs, 0), &vs).unwrap();
    let good = opt.state().unwrap();
    let before = opt.variables()[0].to_vec::<f32>().unwrap();

    let err = opt.load_state(&good[..3]).unwrap_err().to_string();
    assert!(
        err.contains("has 3 entries") && err.contains("needs 6") && err.contains("adam/b_velocity"),
        "{err}"
    );

    let mut wrong_shape = good.clone();
    wrong_shape[4] = Tensor::zeros(&[2, 3], DType::F32, &Device::cpu()).unwrap();
    let err = opt.load_state(&wrong_shape).unwrap_err().to_string();
    assert!(
        err.contains("entry 4 (adam/b_momentum)") && err.contains("[2, 3]") && err.contains("[3]"),
        "{err}"
    );

    let mut wrong_dtype = good.clone();
    wrong_dtype[2] = good[2].cast(DType::F64).unwrap();
    let err = opt.load_state(&wrong_dtype).unwrap_err().to_string();
    assert!(err.contains("adam/k_momentum") && err.contains("float64"), "{err}");

    let mut negative = good.clone();
    negative[0] = Tensor::from_vec(vec![-1i64], &[], &Device::cpu()).unwrap();
    assert!(opt.load_state(&negative).is_err());
    // Nothing changed by the failed loads.
    assert_eq!(opt.iterations(), 1);
    assert_eq!(opt.variables()[0].to_vec::<f32>().unwrap(), before);

    // Keras' dtypes (int32 -> here a float, float32 learning rate) are accepted.
    let mut keras_like = good.clone();
    keras_like[0] = Tensor::full_scalar(7.0, DType::F32, &Device::cpu()).unwrap();
    keras_like[1] = Tensor::full_scalar(0.5, DType::F32, &Device::cpu()).unwrap();
    opt.load_state(&keras_like).unwrap();
    assert_eq!((opt.iterations(), opt.learning_rate()), (7, 0.5));
}

#[test]
fn built_optimizers_look_variables_up_by_identity() {
    let vs = vars();
    let mut opt = SGD::new(0.1).momentum(0.5);
    opt.build(&vs).unwrap();
    // A subset, in another order: each variable keeps its own slot.
    let b_only = [vs[1].clone()];
    opt.apply_gradients(&grads(&b_only, 0), &b_only).unwrap();
    assert_eq!(opt.variables()[0].to_vec::<f32>().unwrap(), vec![0.0f32; 6]);
    assert!(opt.variables()[1].to_vec::<f32>().unwrap().iter().any(|x| *x != 0.0));
    // A variable the optimizer was not built for is an error naming it.
    let stranger = Variable::new("stranger", Tensor::new(&[1.0f32], &[1]).unwrap());
    let g = [Tensor::new(&[1.0f32], &[1]).unwrap()];
    let err = opt.apply_gradients(&g, &[stranger]).unwrap_err().to_string();
    assert!(err.contains("stranger") && err.contains("build"), "{err}");
    // Listing a variable twice is refused.
    assert!(SGD::default().build(&[vs[0].clone(), vs[0].clone()]).is_err());
    // The step counter drives schedules and can be set.
    let mut sched = SGD::new(ExponentialDecay::new(1.0, 1, 0.5));
    sched.set_iterations(3);
    assert_eq!(sched.learning_rate(), 0.125);
}

#[test]
fn unsupported_keras_options_are_errors() {
    let mut c = AdamConfig::default();
    c.base.use_ema = true;
    let err = Adam::from_config(c).unwrap_err().to_string();
    assert!(err.contains("Adam: use_ema=true is not supported"), "{err}");
    let mut c = SGDConfig::default();
    c.base.gradient_accumulation_steps = Some(4);
    assert!(SGD::from_config(c).is_err());
    let v = serde_json::json!({"class_name": "RMSprop", "config": {"loss_scale_factor": 128.0}});
    let err = deserialize(&v).err().unwrap().to_string();
    assert!(err.contains("RMSprop: loss_scale_factor=128"), "{err}");
    // At their defaults they are fine (what Keras writes).
    let v = serde_json::json!({"class_name": "Adam", "config": {"use_ema": false, "ema_momentum": 0.99,
        "ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null}});
    assert!(deserialize(&v).is_ok());
}

#[test]
fn optimizers_losses_and_metrics_are_send_and_sync() {
    fn check<T: Send + Sync + ?Sized>() {}
    check::<dyn Optimizer>();
    check::<dyn LearningRateSchedule>();
    check::<dyn crate::losses::Loss>();
    check::<dyn crate::metrics::Metric>();
}
