//! MLPClassifier / MLPRegressor against real scikit-learn 1.9.1.
//!
//! The reference numbers come from this script (run in a venv with
//! `pip install scikit-learn==1.9.1`, numpy float64). It starts each
//! estimator from the same formula-defined weights as the Rust side: fit
//! once with `max_iter=1` to initialize, overwrite `coefs_`/`intercepts_`,
//! then refit with `warm_start=True` (sklearn then builds a fresh optimizer,
//! as here). `shuffle=False`, so no random stream is involved.
//!
//! ```python
//! import numpy as np, warnings
//! from sklearn.neural_network import MLPClassifier, MLPRegressor
//! warnings.simplefilter("ignore")
//! X = np.array([[np.sin(1.3*i + 0.7*j + 0.1) for j in range(3)] for i in range(8)])
//! def weights(units):
//!     cs, bs = [], []
//!     for l, (a, b) in enumerate(zip(units[:-1], units[1:])):
//!         cs.append(np.array([[0.5*np.cos(0.9*(r*b+c) + l) for c in range(b)] for r in range(a)]))
//!         bs.append(np.array([0.1*np.sin(c + l + 1) for c in range(b)]))
//!     return cs, bs
//! def run(est, y, units, n_epochs):
//!     est.set_params(max_iter=1); est.fit(X, y)
//!     est.coefs_, est.intercepts_ = weights(units)
//!     est.set_params(max_iter=n_epochs, warm_start=True); est.fit(X, y)
//!     return est
//! y3 = np.array([0, 1, 2, 0, 1, 2, 1, 0])
//! c = run(MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="adam", batch_size=3, alpha=0.01,
//!                       learning_rate_init=0.05, shuffle=False, random_state=0), y3, [3, 4, 3], 1)
//! yb = np.array(["no", "yes", "yes", "no", "yes", "no", "no", "yes"])
//! c = run(MLPClassifier(hidden_layer_sizes=(4,), activation="logistic", solver="sgd", batch_size=4, alpha=0.001,
//!                       learning_rate="invscaling", learning_rate_init=0.5, power_t=0.5, momentum=0.8,
//!                       shuffle=False, random_state=0), yb, [3, 4, 1], 2)
//! Y2 = np.stack([X[:, 0] - 2*X[:, 1], X[:, 2]**2], axis=1)
//! r = run(MLPRegressor(hidden_layer_sizes=(4, 3), activation="relu", solver="sgd", batch_size=5, alpha=0.1,
//!                      learning_rate_init=0.1, nesterovs_momentum=False, shuffle=False, random_state=0), Y2, [3, 4, 3, 2], 1)
//! # lbfgs from the same weights, to convergence
//! c = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", alpha=0.01, max_iter=1, random_state=0)
//! c.fit(X, y3); c.coefs_, c.intercepts_ = weights([3, 4, 3])
//! c.set_params(max_iter=2000, tol=1e-10, warm_start=True); c.fit(X, y3)
//! yr = X[:, 0] - 2*X[:, 1] + 0.5*X[:, 2]**2
//! r = MLPRegressor(hidden_layer_sizes=(5,), activation="logistic", solver="lbfgs", alpha=0.001, max_iter=1, random_state=0)
//! r.fit(X, yr); r.coefs_, r.intercepts_ = weights([3, 5, 1])
//! r.set_params(max_iter=5000, tol=1e-10, warm_start=True); r.fit(X, yr)
//! ```
//! (the printed outputs are pasted next to each test).

use keraslike::sklearn::{Activation, LearningRate, MlpClassifier, MlpOptions, MlpRegressor, OutActivation, Solver};
use tensorlow::{DType, Tensor};

const N: usize = 8;
const F: usize = 3;

fn x() -> Vec<f64> {
    (0..N)
        .flat_map(|i| (0..F).map(move |j| (1.3 * i as f64 + 0.7 * j as f64 + 0.1).sin()))
        .collect()
}

fn weights(units: &[usize]) -> (Vec<Tensor>, Vec<Tensor>) {
    let (mut cs, mut bs) = (Vec::new(), Vec::new());
    for (l, w) in units.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let c: Vec<f64> = (0..a * b).map(|k| 0.5 * (0.9 * k as f64 + l as f64).cos()).collect();
        cs.push(Tensor::new(&c, &[a, b]).unwrap());
        let i: Vec<f64> = (0..b).map(|c| 0.1 * ((c + l + 1) as f64).sin()).collect();
        bs.push(Tensor::new(&i, &[b]).unwrap());
    }
    (cs, bs)
}

fn assert_close(got: &[f64], want: &[f64], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "{what}[{i}]: got {g}, sklearn {w}"
        );
    }
}

fn flat(ts: &[Tensor]) -> Vec<f64> {
    ts.iter().flat_map(|t| t.to_vec::<f64>().unwrap()).collect()
}

/// sklearn's protocol: initialize, set the weights, refit warm.
fn run_clf<L: keraslike::sklearn::Label>(o: MlpOptions, y: &[L], units: &[usize], epochs: usize) -> MlpClassifier<L> {
    let mut c = MlpClassifier::new(o.max_iter(1).dtype(DType::F64));
    c.fit(&x(), F, y).unwrap();
    let (cs, bs) = weights(units);
    c.set_coefs(&cs).unwrap();
    c.set_intercepts(&bs).unwrap();
    c.options_mut().max_iter = epochs;
    c.options_mut().warm_start = true;
    c.fit(&x(), F, y).unwrap();
    c
}

#[test]
fn adam_epoch_matches_sklearn() {
    // adam_softmax_tanh
    //   loss_curve_[1:] = [1.1701679350117278]  t_ = 16  n_iter_ = 1
    let o = MlpOptions::default()
        .hidden_layer_sizes(&[4])
        .activation(Activation::Tanh)
        .batch_size(3)
        .alpha(0.01)
        .learning_rate_init(0.05)
        .shuffle(false)
        .random_state(0);
    let c = run_clf(o, &[0i64, 1, 2, 0, 1, 2, 1, 0], &[3, 4, 3], 1);
    assert_eq!(
        (c.t(), c.n_iter(), c.out_activation()),
        (16, 1, Some(OutActivation::Softmax))
    );
    assert_close(&c.loss_curve()[1..], &[1.1701679350117278], 1e-12, "loss_curve_");
    assert_close(
        &flat(&c.coefs().unwrap()),
        &[
            0.3768951707033718,
            0.4263479042450302,
            -0.2197818556070335,
            -0.3603119328646427,
            -0.44010871212864217,
            -0.10692860196087102,
            0.33254827669152304,
            0.4801834115164222,
            0.3368495789026212,
            -0.14105654542346663,
            -0.4179923948540241,
            -0.4726679170100151,
            0.12242357509213764,
            -0.07317772529841948,
            -0.36036096890418334,
            -0.45880363772252436,
            -0.006169592133423107,
            0.4051686310480407,
            0.44346270905162605,
            0.2350038113465878,
            -0.08790301059061388,
            -0.4488190146116974,
            -0.5358635033512694,
            -0.04184412776010367,
        ],
        1e-10,
        "coefs_",
    );
    assert_close(
        &flat(&c.intercepts().unwrap()),
        &[
            0.024432874342480086,
            0.15739954168260867,
            -0.03674476615189547,
            -0.031126500087912398,
            0.02458475892285135,
            0.028963898785202086,
            -0.023878919556393614,
        ],
        1e-10,
        "intercepts_",
    );
    // proba = [0.33436591147739353, 0.3499711513389482, 0.3156629371836582, 0.285432711447393, ...]
    let p = c.predict_proba(&x()[..2 * F], F).unwrap();
    assert_close(
        &p,
        &[
            0.33436591147739353,
            0.3499711513389482,
            0.3156629371836582,
            0.285432711447393,
            0.34832615657456345,
            0.3662411319780435,
        ],
        1e-10,
        "predict_proba",
    );
    let lp = c.predict_log_proba(&x()[..2 * F], F).unwrap();
    assert!((lp[0] - p[0].ln()).abs() < 1e-15);
}

#[test]
fn sgd_nesterov_invscaling_binary_strings_match_sklearn() {
    // sgd_binary_logistic_invscaling
    //   loss_curve_[1:] = [0.7083721772166423, 0.6974943866709922]  t_ = 24  n_iter_ = 2
    //   classes_ = ['no', 'yes']  predict = ['yes' x 8]
    let y: Vec<String> = ["no", "yes", "yes", "no", "yes", "no", "no", "yes"]
        .map(String::from)
        .to_vec();
    let o = MlpOptions::default()
        .hidden_layer_sizes(&[4])
        .activation(Activation::Logistic)
        .solver(Solver::Sgd)
        .batch_size(4)
        .alpha(0.001)
        .learning_rate(LearningRate::Invscaling)
        .learning_rate_init(0.5)
        .momentum(0.8)
        .shuffle(false)
        .random_state(0);
    let c = run_clf(o, &y, &[3, 4, 1], 2);
    assert_eq!(c.classes(), &["no".to_string(), "yes".to_string()]);
    assert_eq!((c.t(), c.n_iter(), c.n_outputs()), (24, 2, 1));
    assert_close(
        &c.loss_curve()[1..],
        &[0.7083721772166423, 0.6974943866709922],
        1e-12,
        "loss_curve_",
    );
    assert_close(
        &flat(&c.coefs().unwrap()),
        &[
            0.504215608966041,
            0.3010631285112447,
            -0.13209665466967582,
            -0.4673307570499207,
            -0.47198278460684606,
            -0.10115104762387737,
            0.3426403682165542,
            0.5244156344407712,
            0.2624867793553093,
            -0.10585526875212556,
            -0.39741010631300244,
            -0.39032011580449144,
            0.3620937005878437,
            -0.03915804898279644,
            -0.34713225143222876,
            -0.32874902312751314,
        ],
        1e-10,
        "coefs_",
    );
    assert_close(
        &flat(&c.intercepts().unwrap()),
        &[
            0.0959809519220848,
            0.08523125306318688,
            -0.00500547045759763,
            -0.09378988641780706,
            0.25999039131036183,
        ],
        1e-10,
        "intercepts_",
    );
    assert_eq!(c.predict(&x(), F).unwrap(), vec!["yes".to_string(); 8]);
    assert_eq!(c.predict_proba(&x(), F).unwrap().len(), 16);
}

#[test]
fn sgd_multioutput_regressor_matches_sklearn() {
    // sgd_regressor_multioutput_relu
    //   loss_curve_[1:] = [0.44480397009751316]  t_ = 16  n_iter_ = 1
    let xs = x();
    let y: Vec<f64> = xs.chunks(F).flat_map(|r| [r[0] - 2.0 * r[1], r[2] * r[2]]).collect();
    let o = MlpOptions::default()
        .hidden_layer_sizes(&[4, 3])
        .solver(Solver::Sgd)
        .batch_size(5)
        .alpha(0.1)
        .learning_rate_init(0.1)
        .nesterovs_momentum(false)
        .shuffle(false)
        .random_state(0)
        .max_iter(1)
        .dtype(DType::F64);
    let mut r = MlpRegressor::new(o);
    r.fit(&xs, F, &y).unwrap();
    let (cs, bs) = weights(&[3, 4, 3, 2]);
    r.set_coefs(&cs).unwrap();
    r.set_intercepts(&bs).unwrap();
    r.options_mut().warm_start = true;
    r.fit(&xs, F, &y).unwrap();
    assert_eq!((r.t(), r.n_outputs(), r.n_layers()), (16, 2, 4));
    assert_close(&r.loss_curve()[1..], &[0.44480397009751316], 1e-12, "loss_curve_");
    assert_close(
        &flat(&r.coefs().unwrap()),
        &[
            0.4943830855473546,
            0.3053056080547626,
            -0.10797767313239877,
            -0.4592934110755379,
            -0.44536944308830795,
            -0.12423300531188186,
            0.3436773122448768,
            0.46988583210785106,
            0.3037774418351057,
            -0.14758064257215045,
            -0.4133947523160294,
            -0.47145528781241824,
            0.26095013970340136,
            -0.1646489899149476,
            -0.46775371806041305,
            -0.43641365001915544,
            -0.06701936904431739,
            0.35180966051657214,
            0.479349198964109,
            0.251364819429598,
            -0.16836890867061152,
            -0.4735576514479944,
            -0.41899738741018855,
            -0.04737438069474194,
            -0.2110799574289942,
            -0.46450517623756093,
            -0.3911577303504712,
            -0.0046475749413768695,
            0.3850193395080333,
            0.48481390562433424,
        ],
        1e-10,
        "coefs_",
    );
    assert_close(
        &flat(&r.intercepts().unwrap()),
        &[
            0.07351278043573023,
            0.12055005371228673,
            -0.029874430129633645,
            -0.04005069614671531,
            0.00725660963587469,
            -0.03067865125074304,
            -0.07568024953079283,
            -0.014179959183586123,
            0.10982559815748708,
        ],
        1e-10,
        "intercepts_",
    );
}

#[test]
fn lbfgs_reaches_sklearns_loss() {
    // lbfgs_softmax_tanh loss_ = 0.0893259148496835  n_iter_ = 77  proba0 = [0.96987.., 0.01186.., 0.01825..]
    let y = [0i64, 1, 2, 0, 1, 2, 1, 0];
    let o = MlpOptions::default()
        .hidden_layer_sizes(&[4])
        .activation(Activation::Tanh)
        .solver(Solver::Lbfgs)
        .alpha(0.01)
        .tol(1e-10)
        .random_state(0);
    let c = run_clf(o, &y, &[3, 4, 3], 2000);
    assert!((c.loss() - 0.0893259148496835).abs() < 1e-6, "loss_ = {}", c.loss());
    assert!(c.loss_curve().is_empty() && c.best_loss().is_none());
    let p = c.predict_proba(&x()[..F], F).unwrap();
    assert_close(
        &p,
        &[0.9698718325428837, 0.0118693922931766, 0.018258775163939894],
        1e-3,
        "proba",
    );
    assert_eq!(c.score(&x(), F, &y).unwrap(), 1.0);

    // lbfgs_regressor loss_ = 0.0009094489320638321  n_iter_ = 255  score = 0.9999153631100988
    let xs = x();
    let yr: Vec<f64> = xs.chunks(F).map(|r| r[0] - 2.0 * r[1] + 0.5 * r[2] * r[2]).collect();
    let o = MlpOptions::default()
        .hidden_layer_sizes(&[5])
        .activation(Activation::Logistic)
        .solver(Solver::Lbfgs)
        .alpha(0.001)
        .max_iter(1)
        .random_state(0);
    let mut r = MlpRegressor::new(o);
    r.fit(&xs, F, &yr).unwrap();
    let (cs, bs) = weights(&[3, 5, 1]);
    r.set_coefs(&cs).unwrap();
    r.set_intercepts(&bs).unwrap();
    *r.options_mut() = r.options().clone().max_iter(5000).tol(1e-10).warm_start(true);
    r.fit(&xs, F, &yr).unwrap();
    // Both stop on scipy's relative-reduction test (2.2e-9) at slightly
    // different points of the same minimum: within 1%.
    assert!((r.loss() - 0.0009094489320638321).abs() < 1e-5, "loss_ = {}", r.loss());
    assert!((r.score(&xs, F, &yr).unwrap() - 0.9999153631100988).abs() < 1e-4);
}
