//! The recurrent ops (`nn::lstm`, `nn::gru` with both `reset_after`
//! variants, `nn::simple_rnn`): finite-difference gradient checks through
//! a few time steps of every input, fused kernels against the composite
//! ops (values and gradients), masks, `go_backwards`, dropout masks, a
//! second-order check through nested tapes, errors, and values against
//! Keras 3 (script: `tests/data/rnn_keras_reference.py`).

mod common;

use common::*;
use tensorlow::nn::{self, Activation, RnnImplementation, RnnOptions, RnnOutput};
use tensorlow::{DType, GradientTape, Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cell {
    Lstm,
    GruAfter,
    GruBefore,
    Simple,
}

const CELLS: [Cell; 4] = [Cell::Lstm, Cell::GruAfter, Cell::GruBefore, Cell::Simple];

impl Cell {
    fn gates(self) -> usize {
        match self {
            Cell::Lstm => 4,
            Cell::GruAfter | Cell::GruBefore => 3,
            Cell::Simple => 1,
        }
    }
    fn states(self) -> usize {
        if self == Cell::Lstm {
            2
        } else {
            1
        }
    }
    fn bias_shape(self, u: usize) -> Vec<usize> {
        match self {
            Cell::GruAfter => vec![2, 3 * u],
            c => vec![c.gates() * u],
        }
    }

    /// `[x, kernel, recurrent_kernel, bias, initial states...]`, f64.
    fn inputs(self, b: usize, t: usize, f: usize, u: usize, seed: u64) -> Vec<Tensor> {
        let g = self.gates();
        let mut v = vec![
            uniform(&[b, t, f], -1.0, 1.0, seed),
            uniform(&[f, g * u], -0.7, 0.7, seed + 1),
            uniform(&[u, g * u], -0.7, 0.7, seed + 2),
            uniform(&self.bias_shape(u), -0.5, 0.5, seed + 3),
        ];
        for s in 0..self.states() {
            v.push(uniform(&[b, u], -0.8, 0.8, seed + 4 + s as u64));
        }
        v
    }

    fn run(self, xs: &[Tensor], opts: &RnnOptions) -> Result<RnnOutput> {
        self.run_bias(xs, opts, true)
    }

    /// `use_bias = false` ignores `xs[3]`.
    fn run_bias(self, xs: &[Tensor], opts: &RnnOptions, use_bias: bool) -> Result<RnnOutput> {
        let mut o = opts.clone();
        o.initial_state = xs[4..].to_vec();
        let (x, k, rk, b) = (&xs[0], &xs[1], &xs[2], use_bias.then_some(&xs[3]));
        match self {
            Cell::Lstm => nn::lstm(x, k, rk, b, &o),
            Cell::GruAfter => nn::gru(x, k, rk, b, true, &o),
            Cell::GruBefore => nn::gru(x, k, rk, b, false, &o),
            Cell::Simple => nn::simple_rnn(x, k, rk, b, &o),
        }
    }

    /// The output and the final states, flattened into one vector.
    fn run_flat(self, xs: &[Tensor], opts: &RnnOptions) -> Result<Tensor> {
        let out = self.run(xs, opts)?;
        let mut parts = vec![out.output.reshape(&[out.output.elem_count()])?];
        for s in &out.states {
            parts.push(s.reshape(&[s.elem_count()])?);
        }
        Tensor::concat(&parts.iter().collect::<Vec<_>>(), 0)
    }
}

fn with(implementation: RnnImplementation, opts: &RnnOptions) -> RnnOptions {
    RnnOptions {
        implementation,
        ..opts.clone()
    }
}

const BOTH: [RnnImplementation; 2] = [RnnImplementation::Fused, RnnImplementation::Composite];

/// A (batch, time) mask of 0/1 values of `dtype`.
fn mask(rows: &[&[u8]], dtype: DType) -> Tensor {
    let v: Vec<f64> = rows.iter().flat_map(|r| r.iter().map(|&m| m as f64)).collect();
    t64(&v, &[rows.len(), rows[0].len()]).cast(dtype).unwrap()
}

#[test]
fn gradients_of_every_input_match_finite_differences() {
    // Through three steps, with and without a mask (row 1 skips its
    // middle step, row 0 its first) and going backwards.
    let m = mask(&[&[0, 1, 1], &[1, 0, 1]], DType::F64);
    let cases = [
        RnnOptions::default(),
        RnnOptions {
            return_sequences: true,
            mask: Some(m.clone()),
            ..Default::default()
        },
        RnnOptions {
            return_sequences: true,
            go_backwards: true,
            mask: Some(m.clone()),
            zero_output_for_mask: true,
            ..Default::default()
        },
    ];
    for cell in CELLS {
        let xs = cell.inputs(2, 3, 2, 3, 10);
        for (i, opts) in cases.iter().enumerate() {
            for imp in BOTH {
                let o = with(imp, opts);
                check_grad(&format!("{cell:?} case {i} {imp:?}"), |xs| cell.run_flat(xs, &o), &xs);
            }
        }
    }
}

#[test]
fn without_a_bias_fused_and_composite_agree_and_differentiate() {
    for cell in CELLS {
        let xs: Vec<Tensor> = cell.inputs(2, 3, 2, 3, 15);
        let no_bias: Vec<Tensor> = xs
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 3)
            .map(|(_, x)| x.clone())
            .collect();
        let put_back = |v: &[Tensor]| {
            let mut all = v.to_vec();
            all.insert(3, xs[3].clone());
            all
        };
        let mut outs = Vec::new();
        for imp in BOTH {
            let o = with(
                imp,
                &RnnOptions {
                    return_sequences: true,
                    ..Default::default()
                },
            );
            let f = |v: &[Tensor]| {
                let out = cell.run_bias(&put_back(v), &o, false)?;
                Ok(out.output)
            };
            check_grad(&format!("{cell:?} no bias {imp:?}"), f, &no_bias);
            outs.push(f(&no_bias).unwrap());
        }
        assert_tensor_close(&format!("{cell:?} no bias"), &outs[0], &outs[1], 1e-12);
    }
}

#[test]
fn dropout_masks_shared_and_per_gate_are_differentiated_through() {
    for cell in CELLS {
        let (b, f, u, g) = (2, 2, 3, cell.gates());
        let xs = cell.inputs(b, 3, f, u, 20);
        let keep = |shape: &[usize], seed: u64| {
            // Inverted-dropout masks: 0 or 1 / (1 - rate), rate 0.3.
            let r = uniform(shape, 0.0, 1.0, seed);
            let v: Vec<f64> = vals(&r)
                .iter()
                .map(|&p| if p < 0.3 { 0.0 } else { 1.0 / 0.7 })
                .collect();
            t64(&v, shape)
        };
        for per_gate in [false, true] {
            let (di, dr) = if per_gate {
                (keep(&[g, b, f], 30), keep(&[g, b, u], 31))
            } else {
                (keep(&[b, f], 32), keep(&[b, u], 33))
            };
            let opts = RnnOptions {
                return_sequences: true,
                dropout_mask: Some(di),
                recurrent_dropout_mask: Some(dr),
                ..Default::default()
            };
            for imp in BOTH {
                let o = with(imp, &opts);
                let name = format!("{cell:?} dropout per_gate={per_gate} {imp:?}");
                check_grad(&name, |xs| cell.run_flat(xs, &o), &xs);
            }
        }
    }
}

#[test]
fn fused_kernels_match_the_composite_ops_in_f32_and_f64() {
    // Large enough for the threaded products and row passes (batch 64,
    // 64 units), with a mask, go_backwards and a relu / hard_sigmoid pair.
    let (b, t, f, u) = (64, 4, 8, 64);
    let rows: Vec<Vec<u8>> = (0..b)
        .map(|i| (0..t).map(|j| ((i + j) % 3 != 0) as u8).collect())
        .collect();
    let rows: Vec<&[u8]> = rows.iter().map(|r| r.as_slice()).collect();
    for cell in CELLS {
        let xs64 = cell.inputs(b, t, f, u, 40);
        for (opts_i, opts) in [
            RnnOptions {
                return_sequences: true,
                ..Default::default()
            },
            RnnOptions {
                return_sequences: true,
                go_backwards: true,
                mask: Some(mask(&rows, DType::F64)),
                activation: Activation::Relu,
                recurrent_activation: Activation::HardSigmoid,
                ..Default::default()
            },
        ]
        .into_iter()
        .enumerate()
        {
            for (dtype, tol) in [(DType::F64, 1e-12), (DType::F32, 2e-5)] {
                let xs: Vec<Tensor> = xs64.iter().map(|x| x.cast(dtype).unwrap()).collect();
                let mut o = opts.clone();
                o.mask = o.mask.map(|m| m.cast(dtype).unwrap());
                let w = uniform(&[b * t * u + cell.states() * b * u], -1.0, 1.0, 7)
                    .cast(dtype)
                    .unwrap();
                let run = |imp| {
                    let tape = GradientTape::new();
                    for x in &xs {
                        tape.watch(x);
                    }
                    let y = cell.run_flat(&xs, &with(imp, &o)).unwrap();
                    let loss = y.mul(&w).unwrap().sum_all().unwrap();
                    let g = tape.gradient(&loss, &xs.iter().collect::<Vec<_>>()).unwrap();
                    (y, g)
                };
                let (yf, gf) = run(RnnImplementation::Fused);
                let (yc, gc) = run(RnnImplementation::Composite);
                let name = format!("{cell:?} options {opts_i} {dtype:?}");
                assert_tensor_close(&format!("{name}: values"), &yf, &yc, tol);
                for (i, (a, c)) in gf.iter().zip(&gc).enumerate() {
                    let (a, c) = (a.as_ref().unwrap(), c.as_ref().unwrap());
                    assert_tensor_close(&format!("{name}: gradient {i}"), a, c, tol * 10.0);
                }
            }
        }
    }
}

#[test]
fn second_order_gradients_through_nested_tapes() {
    // The fused op's backward rule switches to the composite ops while an
    // outer tape records: the Hessian-vector products must be right.
    let m = mask(&[&[1, 0, 1], &[1, 1, 1]], DType::F64);
    for cell in CELLS {
        let xs = cell.inputs(2, 3, 2, 2, 50);
        let opts = RnnOptions {
            return_sequences: true,
            mask: Some(m.clone()),
            ..Default::default()
        };
        check_grad2(&format!("{cell:?} second order"), |xs| cell.run_flat(xs, &opts), &xs);
    }
}

/// Row `r` of every batch-first tensor in `xs` (the states too).
fn row(xs: &[Tensor], r: usize, time: Option<usize>) -> Vec<Tensor> {
    xs.iter()
        .enumerate()
        .map(|(i, x)| match i {
            0 => {
                let x = x.narrow(0, r, 1).unwrap();
                match time {
                    Some(t) => x.narrow(1, 0, t).unwrap(),
                    None => x,
                }
            }
            1..=3 => x.clone(),
            _ => x.narrow(0, r, 1).unwrap(),
        })
        .collect()
}

#[test]
fn masking_gives_the_outputs_of_the_unpadded_sequences() {
    // Right padding: row 0 has 4 steps, row 1 only 2.
    let m = mask(&[&[1, 1, 1, 1], &[1, 1, 0, 0]], DType::F64);
    for cell in CELLS {
        let xs = cell.inputs(2, 4, 3, 3, 60);
        for imp in BOTH {
            for go_backwards in [false, true] {
                let opts = RnnOptions {
                    return_sequences: true,
                    go_backwards,
                    implementation: imp,
                    ..Default::default()
                };
                let masked = RnnOptions {
                    mask: Some(m.clone()),
                    ..opts.clone()
                };
                let padded = cell.run(&xs, &masked).unwrap();
                let name = format!("{cell:?} {imp:?} go_backwards={go_backwards}");
                for (r, len) in [(0, 4), (1, 2)] {
                    let alone = cell.run(&row(&xs, r, Some(len)), &opts).unwrap();
                    // The final states are those of the unpadded sequence.
                    for (s, a) in padded.states.iter().zip(&alone.states) {
                        assert_tensor_close(&format!("{name}: row {r} state"), &s.narrow(0, r, 1).unwrap(), a, 1e-12);
                    }
                    let seq = padded.output.narrow(0, r, 1).unwrap();
                    let h = &alone.states[0];
                    for k in 0..4 {
                        let got = seq.narrow(1, k, 1).unwrap().reshape(&[1, 3]).unwrap();
                        // Forwards, the padded steps come last and repeat
                        // the last real output; backwards they come
                        // first and output the initial state.
                        let want = match (go_backwards, k < len) {
                            (false, true) => alone.output.narrow(1, k, 1).unwrap().reshape(&[1, 3]).unwrap(),
                            (false, false) => h.clone(),
                            (true, _) if k < 4 - len => xs[4].narrow(0, r, 1).unwrap(),
                            (true, _) => alone
                                .output
                                .narrow(1, k - (4 - len), 1)
                                .unwrap()
                                .reshape(&[1, 3])
                                .unwrap(),
                        };
                        assert_tensor_close(&format!("{name}: row {r} step {k}"), &got, &want, 1e-12);
                    }
                }
                // zero_output_for_mask: zeros at the masked steps instead.
                let zeroed = cell
                    .run(
                        &xs,
                        &RnnOptions {
                            zero_output_for_mask: true,
                            ..masked.clone()
                        },
                    )
                    .unwrap();
                let z = vals(&zeroed.output.narrow(0, 1, 1).unwrap());
                let masked_steps: Vec<usize> = if go_backwards { vec![0, 1] } else { vec![2, 3] };
                for k in 0..4 {
                    let part = &z[k * 3..k * 3 + 3];
                    assert_eq!(
                        part.iter().all(|&v| v == 0.0),
                        masked_steps.contains(&k),
                        "{name}: {part:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn go_backwards_runs_the_reversed_sequence() {
    for cell in CELLS {
        let xs = cell.inputs(2, 4, 2, 3, 70);
        let rev = Tensor::from_vec(vec![3i64, 2, 1, 0], &[4], &device()).unwrap();
        let mut reversed = xs.clone();
        reversed[0] = xs[0].gather(&rev, 1).unwrap();
        for imp in BOTH {
            let seq = RnnOptions {
                return_sequences: true,
                implementation: imp,
                ..Default::default()
            };
            let back = cell
                .run(
                    &xs,
                    &RnnOptions {
                        go_backwards: true,
                        ..seq.clone()
                    },
                )
                .unwrap();
            let fwd = cell.run(&reversed, &seq).unwrap();
            assert_tensor_close(&format!("{cell:?} {imp:?}"), &back.output, &fwd.output, 1e-12);
            for (a, b) in back.states.iter().zip(&fwd.states) {
                assert_tensor_close(&format!("{cell:?} {imp:?} states"), a, b, 1e-12);
            }
        }
    }
}

#[test]
fn custom_activations_run_the_composite_ops() {
    let xs = Cell::Lstm.inputs(2, 3, 2, 3, 80);
    let softsign = RnnOptions {
        activation: Activation::custom("softsign", |x| x.softsign()),
        return_sequences: true,
        ..Default::default()
    };
    check_grad("lstm softsign", |xs| Cell::Lstm.run_flat(xs, &softsign), &xs);
    // softsign(x) = x / (1 + |x|) through the built-in ops gives the same.
    let by_hand = RnnOptions {
        activation: Activation::custom("by_hand", |x| x.div(&(x.abs()? + 1.0)?)),
        ..softsign.clone()
    };
    let (a, b) = (
        Cell::Lstm.run_flat(&xs, &softsign).unwrap(),
        Cell::Lstm.run_flat(&xs, &by_hand).unwrap(),
    );
    assert_tensor_close("softsign", &a, &b, 1e-12);
}

#[test]
fn errors_name_the_argument_and_the_expected_shape() {
    let xs = Cell::Lstm.inputs(2, 3, 2, 3, 90);
    let (x, k, rk, b) = (&xs[0], &xs[1], &xs[2], &xs[3]);
    let opts = RnnOptions::default();
    let msg = |r: Result<RnnOutput>| r.unwrap_err().to_string();
    let e = msg(nn::lstm(
        &x.narrow(1, 0, 1).unwrap().reshape(&[2, 2]).unwrap(),
        k,
        rk,
        Some(b),
        &opts,
    ));
    assert!(
        e.contains("lstm") && e.contains("(batch, timesteps, features)") && e.contains("[2, 2]"),
        "{e}"
    );
    let e = msg(nn::lstm(x, &k.narrow(0, 0, 1).unwrap(), rk, Some(b), &opts));
    assert!(
        e.contains("kernel") && e.contains("(features, 4 * units)") && e.contains("[1, 12]"),
        "{e}"
    );
    let e = msg(nn::lstm(x, k, &rk.narrow(1, 0, 8).unwrap(), Some(b), &opts));
    assert!(e.contains("recurrent_kernel") && e.contains("[3, 8]"), "{e}");
    let e = msg(nn::gru(
        x,
        &k.narrow(1, 0, 9).unwrap(),
        &rk.narrow(1, 0, 9).unwrap(),
        Some(&b.narrow(0, 0, 9).unwrap()),
        true,
        &opts,
    ));
    assert!(
        e.contains("gru") && e.contains("(2, 3 * units)") && e.contains("[9]"),
        "{e}"
    );
    let bad_mask = RnnOptions {
        mask: Some(t64(&[1.0; 4], &[2, 2])),
        ..Default::default()
    };
    let e = msg(nn::lstm(x, k, rk, Some(b), &bad_mask));
    assert!(
        e.contains("mask") && e.contains("[2, 3]") && e.contains("[2, 2]"),
        "{e}"
    );
    let one_state = RnnOptions {
        initial_state: vec![xs[4].clone()],
        ..Default::default()
    };
    let e = msg(nn::lstm(x, k, rk, Some(b), &one_state));
    assert!(e.contains("initial_state") && e.contains("[h, c]"), "{e}");
    let e = msg(nn::lstm(x, &k.cast(DType::F32).unwrap(), rk, Some(b), &opts));
    assert!(e.contains("kernel") && e.contains("float32"), "{e}");
    let no_steps = x.narrow(1, 0, 0).unwrap();
    assert!(msg(nn::simple_rnn(
        &no_steps,
        &k.narrow(1, 0, 3).unwrap(),
        &rk.narrow(1, 0, 3).unwrap(),
        None,
        &opts
    ))
    .contains("no time steps"));
}

/// The formula the Keras script evaluates for inputs and weights.
fn val(shape: &[usize], seed: f64) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|i| 0.6 * (0.37 * i as f64 + seed).sin() + 0.1 * (1.3 * i as f64 * seed).cos())
        .collect();
    t64(&v, shape)
}

#[test]
fn values_match_keras() {
    let (b, t, f, u) = (2, 3, 2, 3);
    let x = val(&[b, t, f], 1.0);
    let m = mask(&[&[1, 0, 1], &[1, 1, 0]], DType::F64);
    let seq = RnnOptions {
        return_sequences: true,
        ..Default::default()
    };
    let masked_back = RnnOptions {
        mask: Some(m.clone()),
        go_backwards: true,
        ..seq.clone()
    };
    let masked = RnnOptions {
        mask: Some(m),
        ..seq.clone()
    };
    // Keras 3.15 evaluates float64 tanh in float32 (see the script): 2e-7.
    let cases: [(Cell, &RnnOptions, &[f64]); 5] = [
        (Cell::Lstm, &seq, &LSTM_SEQ),
        (Cell::Lstm, &masked_back, &LSTM_MASKED_BACKWARDS),
        (Cell::GruAfter, &seq, &GRU_RESET_AFTER),
        (Cell::GruBefore, &seq, &GRU_RESET_BEFORE),
        (Cell::Simple, &masked, &SIMPLE_RNN_MASKED),
    ];
    for (cell, opts, want) in cases {
        let g = cell.gates();
        let xs = vec![
            x.clone(),
            val(&[f, g * u], 2.0),
            val(&[u, g * u], 3.0),
            val(&cell.bias_shape(u), 4.0),
        ];
        for imp in BOTH {
            let got = cell.run_flat(&xs, &with(imp, opts)).unwrap();
            assert_close(&format!("{cell:?} {imp:?} vs Keras"), &vals(&got), want, 2e-7);
        }
    }
}

// LSTM_SEQ: output then final states
const LSTM_SEQ: [f64; 30] = [
    -0.032451824461481794,
    0.019636105482108455,
    -0.017494004641209558,
    -0.0427347541852921,
    0.02752246364615767,
    -0.015721259657668834,
    -0.044095691024701844,
    0.030131927256964883,
    -0.001608438305098783,
    -0.006834307633141351,
    0.029070098894138852,
    0.06778443356579751,
    0.05075423154352581,
    0.08416521006808833,
    0.1384368502076085,
    0.0631342973026281,
    0.09871666396325705,
    0.16601190560835813,
    -0.044095691024701844,
    0.030131927256964883,
    -0.001608438305098783,
    0.0631342973026281,
    0.09871666396325705,
    0.16601190560835813,
    -0.08277054413771202,
    0.05142064205323544,
    -0.002718566736673946,
    0.0916813253055681,
    0.14083109625601636,
    0.22503490454380112,
];
// LSTM_MASKED_BACKWARDS: output then final states
const LSTM_MASKED_BACKWARDS: [f64; 30] = [
    -0.030097045896566622,
    0.01836936437064974,
    0.010973307827722087,
    -0.030097045896566622,
    0.01836936437064974,
    0.010973307827722087,
    -0.039101682065831575,
    0.030458649532168494,
    -0.013045107738330458,
    0.0,
    0.0,
    0.0,
    0.045619358494054255,
    0.06699981454176479,
    0.10556188682667103,
    0.011846073981633384,
    0.05569929260661411,
    0.11137597390217081,
    -0.039101682065831575,
    0.030458649532168494,
    -0.013045107738330458,
    0.011846073981633384,
    0.05569929260661411,
    0.11137597390217081,
    -0.079707404285245,
    0.0553391246329986,
    -0.02463910761891418,
    0.01892383031384079,
    0.08399324022776752,
    0.15951790006795682,
];
// GRU_RESET_AFTER: output then final states
const GRU_RESET_AFTER: [f64; 24] = [
    -0.016202303338992533,
    0.04206843691164902,
    0.06833127038636834,
    -0.041476967231760885,
    0.046755060599727914,
    0.08401343369741374,
    -0.07290077742102719,
    0.03054888377763166,
    0.06863825184677178,
    -0.08850295586744363,
    -0.039033242923953715,
    -0.02655234442239713,
    -0.03453373098284594,
    0.020777807203164054,
    0.051126700680974926,
    -0.03438712346113399,
    0.02947932804697042,
    0.07129476312972641,
    -0.07290077742102719,
    0.03054888377763166,
    0.06863825184677178,
    -0.03438712346113399,
    0.02947932804697042,
    0.07129476312972641,
];
// GRU_RESET_BEFORE: output then final states
const GRU_RESET_BEFORE: [f64; 24] = [
    0.027326897743093166,
    0.1334415125936462,
    0.20332748938357176,
    0.008725851277562502,
    0.15372965179427767,
    0.2503397852584723,
    -0.024716966909005652,
    0.13490060348849148,
    0.23366710785891193,
    -0.06935041657545507,
    0.025984170355301654,
    0.0649462627524905,
    0.02359542390483918,
    0.1406547046622293,
    0.2144534064884014,
    0.024500483035155222,
    0.15101284758843933,
    0.23787683620949604,
    -0.024716966909005652,
    0.13490060348849148,
    0.23366710785891193,
    0.024500483035155222,
    0.15101284758843933,
    0.23787683620949604,
];
// SIMPLE_RNN_MASKED: output then final states
const SIMPLE_RNN_MASKED: [f64; 24] = [
    0.05133906751871109,
    -0.441438227891922,
    -0.5848796367645264,
    0.05133906751871109,
    -0.441438227891922,
    -0.5848796367645264,
    0.41029348969459534,
    0.09863287210464478,
    -0.34118369221687317,
    -0.3709971010684967,
    -0.41493773460388184,
    -0.5088964104652405,
    -0.291550874710083,
    0.027413029223680496,
    -0.2573559284210205,
    -0.291550874710083,
    0.027413029223680496,
    -0.2573559284210205,
    0.41029348969459534,
    0.09863287210464478,
    -0.34118369221687317,
    -0.291550874710083,
    0.027413029223680496,
    -0.2573559284210205,
];
