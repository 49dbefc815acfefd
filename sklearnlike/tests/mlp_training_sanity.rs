//! Training-sanity checks of MLPClassifier beside scikit-learn 1.9.1 on real
//! data (not parity: the random initializations differ; the true parity
//! checks, from identical weights, are in `mlp_parity.rs`): iris and digits
//! with scikit-learn's own split (`data/splits/*_idx.txt` =
//! `train_test_split(test_size=0.2, random_state=0, stratify=y)`), iris
//! z-scored with the training rows' mean/std, digits / 16.
//!
//! Our random streams are tensorlow's, not numpy's, so one `random_state`
//! gives a different initialization here than in sklearn; a single seed's
//! accuracy moves by a whole test sample (3.3 points on iris's 30, 0.28 on
//! digits' 360). Both sides are therefore averaged over `random_state`
//! 0..5 with identical parameters, and the means must agree within 0.02.
//! The parameters are small enough for the dev profile (hidden (20,) on iris,
//! (50,) on digits, <= 300 epochs on iris, 50 on digits, lbfgs max_iter 200)
//! and converge on both sides (sgd/adam at 50 digits epochs warn about
//! max_iter on both sides; their test accuracy is flat there).
//!
//! Reference script: `reference/mlp_training_sanity.py` (run from the
//! repository root; scikit-learn 1.9.1, scipy 1.17.1, numpy 2.4.6, float64).
//! Its output:
//!
//! ```text
//! versions: scikit-learn 1.9.1 scipy 1.17.1 numpy 2.4.6
//! iris adam mean acc 1.0000 [1.0, 1.0, 1.0, 1.0, 1.0]
//! iris sgd mean acc 0.9933 [1.0, 1.0, 1.0, 1.0, 0.9667]
//! iris lbfgs mean acc 1.0000 [1.0, 1.0, 1.0, 1.0, 1.0]
//!   loss_ [0.04877885654763087, 0.0005550835332516983, 0.00034335511032519017, 0.040129491550144676,
//!          0.0005532894027540233] median 0.0005550835332516983 mean 0.01807201522882129
//! digits adam mean acc 0.9528 [0.95, 0.95, 0.9583, 0.9472, 0.9583]
//! digits sgd mean acc 0.9722 [0.9667, 0.975, 0.975, 0.975, 0.9694]
//! digits lbfgs mean acc 0.9606 [0.9611, 0.9667, 0.9611, 0.9583, 0.9556]
//! same-init lbfgs max_iter 10 loss_ 0.0537804286222938 n_iter_ 10
//! same-init lbfgs max_iter 200 loss_ 0.0005158406169957373 n_iter_ 62
//! early_stopping tol=10 n_iter_no_change=3: n_iter_ 5
//! partial_fit digits mean acc 0.9352 [0.9389, 0.9417, 0.925] n_iter_ 1 t_ 4311
//! ```

use ndarray::{s, Array2};
use sklearnlike::neural_network::{MlpClassifier, MlpOptions, MlpRegressor, Solver};
use sklearnlike::preprocessing::StandardScaler;
use tensorlow::Tensor;

mod common;

/// One data set on sklearn's split, preprocessed as in the script.
struct Split {
    xtr: Array2<f64>,
    ytr: Vec<i64>,
    xte: Array2<f64>,
    yte: Vec<i64>,
}

fn load(name: &str) -> Split {
    let (x, y) = common::read_xy(&format!("{name}.csv"));
    let tr = common::indices(&format!("{name}_train_idx.txt"));
    let te = common::indices(&format!("{name}_test_idx.txt"));
    let (mut xtr, mut xte) = (x.select(ndarray::Axis(0), &tr), x.select(ndarray::Axis(0), &te));
    if name == "iris" {
        let mut s = StandardScaler::new();
        xtr = s.fit_transform(&xtr).unwrap();
        xte = s.transform(&xte).unwrap();
    } else {
        xtr /= 16.0;
        xte /= 16.0;
    }
    Split {
        ytr: tr.iter().map(|&i| y[i]).collect(),
        yte: te.iter().map(|&i| y[i]).collect(),
        xtr,
        xte,
    }
}

const SEEDS: u64 = 5;

/// Fits `o` with random_state 0..SEEDS; returns the fitted classifiers and
/// their test accuracies.
fn fit_seeds(d: &Split, o: &MlpOptions) -> (Vec<MlpClassifier>, Vec<f64>) {
    let fits: Vec<MlpClassifier> = (0..SEEDS)
        .map(|rs| {
            let mut c = MlpClassifier::new(o.clone().random_state(rs));
            c.fit(&d.xtr, &d.ytr).unwrap();
            c
        })
        .collect();
    let acc = fits.iter().map(|c| c.score(&d.xte, &d.yte).unwrap()).collect();
    (fits, acc)
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Mean test accuracy over the seeds within 2 points of sklearn's (a
/// training-sanity check: different initializations); every fitted model's
/// `predict_proba` rows are probabilities summing to 1.
fn check_sanity(name: &str, o: MlpOptions, sklearn_mean_acc: f64) {
    let d = load(name);
    let (fits, acc) = fit_seeds(&d, &o);
    let m = mean(&acc);
    eprintln!(
        "{name} {}: mean accuracy {m:.4} {acc:?} (scikit-learn {sklearn_mean_acc:.4})",
        o.solver
    );
    assert!(
        (m - sklearn_mean_acc).abs() <= 0.02,
        "{name} {}: mean accuracy {m:.4} {acc:?}, scikit-learn {sklearn_mean_acc:.4}",
        o.solver
    );
    for c in &fits {
        let p = c.predict_proba(&d.xte).unwrap();
        assert_eq!(p.dim(), (d.yte.len(), c.classes().len()));
        for row in p.rows() {
            // float32 softmax (sgd/adam): sums are exact to ~1e-7.
            assert!((row.sum() - 1.0).abs() < 1e-5, "{row:?}");
            assert!(row.iter().all(|v| (0.0..=1.0).contains(v)), "{row:?}");
        }
    }
}

fn iris_opts() -> MlpOptions {
    MlpOptions::default().hidden_layer_sizes(&[20])
}

fn digits_opts() -> MlpOptions {
    MlpOptions::default().hidden_layer_sizes(&[50])
}

#[test]
fn training_sanity_adam_accuracy_near_sklearns_mean_on_iris_and_digits() {
    check_sanity("iris", iris_opts().learning_rate_init(0.01).max_iter(300), 1.0);
    check_sanity("digits", digits_opts().max_iter(50), 0.9528);
}

#[test]
fn training_sanity_sgd_accuracy_near_sklearns_mean_on_iris_and_digits() {
    let o = |b: MlpOptions| b.solver(Solver::Sgd).learning_rate_init(0.1);
    check_sanity("iris", o(iris_opts()).max_iter(300), 0.9933);
    check_sanity("digits", o(digits_opts()).max_iter(50), 0.9722);
}

#[test]
fn training_sanity_lbfgs_accuracy_near_sklearns_mean_on_iris_and_digits() {
    check_sanity("iris", iris_opts().solver(Solver::Lbfgs).max_iter(200), 1.0);
    check_sanity("digits", digits_opts().solver(Solver::Lbfgs).max_iter(200), 0.9606);
}

/// Glorot-bounded weights from a formula, the `weights()` of the script.
fn formula_weights(units: &[usize]) -> (Vec<Tensor>, Vec<Tensor>) {
    let (mut cs, mut bs) = (Vec::new(), Vec::new());
    for (l, w) in units.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let bound = (6.0 / (a + b) as f64).sqrt();
        let c: Vec<f64> = (0..a * b).map(|k| bound * (0.9 * k as f64 + l as f64).cos()).collect();
        cs.push(Tensor::new(&c[..], &[a, b]).unwrap());
        let i: Vec<f64> = (0..b).map(|c| bound * ((c + l + 1) as f64).sin()).collect();
        bs.push(Tensor::new(&i[..], &[b]).unwrap());
    }
    (cs, bs)
}

#[test]
fn training_sanity_lbfgs_iris_loss_no_worse_than_sklearn_and_same_path_from_same_weights() {
    let d = load("iris");
    let o = iris_opts().solver(Solver::Lbfgs).max_iter(200);
    // Same random_states, same parameters. The iris loss surface has a
    // plateau (versicolor/virginica not yet separated, loss ~0.04) where
    // either library may stop on `max|g| <= tol` or run out of iterations
    // depending on the initialization (sklearn: seeds 0 and 3; here: 2 of 5
    // too), so single seeds are not comparable. Compare the median (robust to
    // that lottery) and the mean. Slack 1e-9: lbfgs's own stopping rule
    // accepts relative changes of 2.2e-9, so differences below that are noise.
    let (fits, _) = fit_seeds(&d, &o);
    let mut loss: Vec<f64> = fits.iter().map(|c| c.loss()).collect();
    let m = mean(&loss);
    loss.sort_by(f64::total_cmp);
    let median = loss[loss.len() / 2];
    eprintln!("lbfgs iris loss_: median {median}, mean {m}, {loss:?}");
    assert!(median <= 0.0005550835332516983 + 1e-9, "median loss_ {median} {loss:?}");
    assert!(m <= 0.01807201522882129 + 1e-9, "mean loss_ {m} {loss:?}");
    for c in &fits {
        assert!(c.loss_curve().is_empty() && c.n_iter() <= 200);
    }

    // From identical weights, full-batch L-BFGS follows sklearn's path: after
    // 10 iterations the loss agrees to ~1e-15 (both float64; sklearn printed
    // 0.0537804286222938). 1e-9 relative leaves room for summation order.
    // (Run to convergence, the two line searches (scipy's Moré-Thuente vs
    // Nocedal-Wright zoom here) drift apart after ~20 iterations and both stop
    // on max|g| <= 1e-4 near the same point: sklearn 0.000516 after 62,
    // here 0.000523 after 71 iterations.)
    let mut c = MlpClassifier::new(iris_opts().solver(Solver::Lbfgs).max_iter(1).random_state(0));
    c.fit(&d.xtr, &d.ytr).unwrap();
    let (cs, bs) = formula_weights(&[4, 20, 3]);
    c.set_coefs(&cs).unwrap();
    c.set_intercepts(&bs).unwrap();
    *c.options_mut() = c.options().clone().max_iter(10).warm_start(true);
    c.fit(&d.xtr, &d.ytr).unwrap();
    assert_eq!(c.n_iter(), 10);
    let want = 0.0537804286222938;
    assert!(
        (c.loss() - want).abs() <= 1e-9 * want,
        "loss_ {} vs sklearn {want}",
        c.loss()
    );
}

#[test]
fn early_stopping_stop_rule_and_n_iter_match_sklearn() {
    // tol = 10 can never be met: epoch 1 improves on best_validation_score_
    // = -inf (score < -inf + 10 is false), every later epoch fails, and
    // training stops once n_iter_no_change + 1 = 4 epochs failed in a row
    // (sklearn's `>`), so n_iter_ = 1 + 4 = 5; sklearn printed 5.
    let d = load("iris");
    let o = iris_opts()
        .learning_rate_init(0.01)
        .early_stopping(true)
        .tol(10.0)
        .n_iter_no_change(3)
        .max_iter(100)
        .random_state(0);
    let mut c = MlpClassifier::new(o);
    c.fit(&d.xtr, &d.ytr).unwrap();
    assert_eq!(c.n_iter(), 5);
    assert_eq!(c.validation_scores().unwrap().len(), 5);
    assert_eq!(c.loss_curve().len(), 5);
}

#[test]
fn early_stopping_keeps_the_best_validation_weights() {
    // With a fixed random_state the run is deterministic, so a second fit
    // with max_iter = (first best epoch) reproduces the weights of the best
    // epoch exactly (same split, same shuffles). The full run went on for
    // n_iter_no_change + 1 more epochs; its final weights must be those.
    let d = load("digits");
    let o = digits_opts()
        .learning_rate_init(0.01)
        .early_stopping(true)
        .n_iter_no_change(2)
        .max_iter(40)
        .random_state(3);
    let mut full = MlpClassifier::new(o.clone());
    full.fit(&d.xtr, &d.ytr).unwrap();
    let scores = full.validation_scores().unwrap().to_vec();
    let best = full.best_validation_score().unwrap();
    let best_epoch = scores.iter().position(|&s| s == best).unwrap() + 1;
    assert!(
        full.n_iter() >= best_epoch + 3,
        "stopped {} epochs after the best: {scores:?}",
        full.n_iter() - best_epoch
    );
    let mut at_best = MlpClassifier::new(o.max_iter(best_epoch));
    at_best.fit(&d.xtr, &d.ytr).unwrap();
    assert_eq!(at_best.validation_scores().unwrap(), &scores[..best_epoch]);
    let flat = |c: &MlpClassifier| -> Vec<f64> {
        c.coefs()
            .unwrap()
            .iter()
            .chain(&c.intercepts().unwrap())
            .flat_map(|t| t.to_vec::<f64>().unwrap())
            .collect()
    };
    assert_eq!(flat(&full), flat(&at_best));
    // ...and those weights differ from the last epoch's: training past the
    // best epoch moved them (the loss curve kept changing).
    assert!(full.loss_curve()[best_epoch - 1] != *full.loss_curve().last().unwrap());
}

#[test]
fn training_sanity_partial_fit_over_minibatches_learns_digits() {
    // Three passes over minibatches of 100 rows, classes announced on the
    // first call: sklearn reaches a mean test accuracy of 0.9352 over
    // random_state 0..3 (n_iter_ = 1, t_ = 3 * 1437 = 4311).
    let d = load("digits");
    let classes: Vec<i64> = (0..10).collect();
    let mut acc = Vec::new();
    for rs in 0..3 {
        let mut c = MlpClassifier::new(digits_opts().learning_rate_init(0.01).random_state(rs));
        for _ in 0..3 {
            for (k, yb) in d.ytr.chunks(100).enumerate() {
                let xb = d.xtr.slice(s![k * 100..k * 100 + yb.len(), ..]);
                c.partial_fit(xb, yb, Some(&classes)).unwrap();
            }
        }
        assert_eq!((c.n_iter(), c.t(), c.loss_curve().len()), (1, 4311, 3 * 15));
        let first = mean(&c.loss_curve()[..15]);
        let last = mean(&c.loss_curve()[30..]);
        assert!(last < 0.5 * first, "pass losses {first} -> {last}");
        acc.push(c.score(&d.xte, &d.yte).unwrap());
    }
    let m = mean(&acc);
    eprintln!("partial_fit digits: mean accuracy {m:.4} {acc:?} (scikit-learn 0.9352)");
    assert!(
        (m - 0.9352).abs() <= 0.02,
        "mean accuracy {m:.4} {acc:?}, scikit-learn 0.9352"
    );
}

#[test]
fn predict_proba_rows_sum_to_one_binary_and_multiclass() {
    let d = load("iris");
    // Binary: setosa against the rest (one logistic output, two columns).
    let yb: Vec<i64> = d.ytr.iter().map(|&v| i64::from(v == 0)).collect();
    let mut c = MlpClassifier::new(iris_opts().solver(Solver::Lbfgs).max_iter(50).random_state(0));
    c.fit(&d.xtr, &yb).unwrap();
    let p = c.predict_proba(&d.xte).unwrap();
    assert_eq!(p.dim(), (d.yte.len(), 2));
    for r in p.rows() {
        assert!((r[0] + r[1] - 1.0).abs() < 1e-12 && r[1] >= 0.0 && r[1] <= 1.0, "{r:?}");
    }
    // Multiclass float64 softmax.
    let mut c = MlpClassifier::new(iris_opts().solver(Solver::Lbfgs).max_iter(50).random_state(0));
    c.fit(&d.xtr, &d.ytr).unwrap();
    for r in c.predict_proba(&d.xte).unwrap().rows() {
        assert!((r.sum() - 1.0).abs() < 1e-12, "{r:?}");
    }
}

#[test]
fn wrong_features_unseen_labels_and_empty_inputs_give_clear_errors() {
    let d = load("iris");
    let o = iris_opts().max_iter(5).random_state(0);
    let mut c = MlpClassifier::new(o.clone());
    let msg = |e: sklearnlike::Error| e.to_string();
    c.partial_fit(&d.xtr, &d.ytr, Some(&[0, 1, 2])).unwrap();

    // Wrong feature counts, at every entry point.
    let x3 = d.xte.slice(s![.., ..3]);
    for e in [
        msg(c.predict(x3).unwrap_err()),
        msg(c.predict_proba(x3).unwrap_err()),
        msg(c.score(x3, &d.yte).unwrap_err()),
    ] {
        assert!(
            e.contains("X has 3 features") && e.contains("fitted with 4 features"),
            "{e}"
        );
    }
    let e = msg(c.partial_fit(x3, &d.yte, None).unwrap_err());
    assert!(e.contains("[3, 20, 3]") && e.contains("[4, 20, 3]"), "{e}");
    let mut warm = MlpClassifier::new(o.clone().warm_start(true));
    warm.fit(&d.xtr, &d.ytr).unwrap();
    let e = msg(warm.fit(x3, &d.yte).unwrap_err());
    assert!(e.contains("n_features"), "{e}");
    // Rows that are not whole.
    let flat: Vec<f64> = d.xte.iter().copied().collect();
    let e = msg(c.predict((&flat[..5], 4)).unwrap_err());
    assert!(e.contains("5 values do not form rows of 4 features"), "{e}");

    // Unseen labels in partial_fit name the label and the known classes.
    let e = msg(c
        .partial_fit(d.xte.slice(s![..4, ..]), &[0, 1, 7, 2], None)
        .unwrap_err());
    assert!(e.contains("label 7") && e.contains("[0, 1, 2]"), "{e}");
    let e = msg(c
        .partial_fit(d.xte.slice(s![..4, ..]), &[0, 1, 0, 2], Some(&[0, 1, 2, 3]))
        .unwrap_err());
    assert!(e.contains("classes=[0, 1, 2, 3]") && e.contains("first call"), "{e}");
    // The failed calls did not train: still one epoch's worth of samples.
    assert_eq!(c.t(), d.ytr.len());

    // Empty inputs.
    let zero = "0 samples";
    let mut fresh = MlpClassifier::<i64>::new(o.clone());
    let none = Array2::<f64>::zeros((0, 4));
    let no_labels: [i64; 0] = [];
    assert!(msg(fresh.fit(&none, &no_labels).unwrap_err()).contains(zero));
    assert!(msg(fresh.partial_fit(&none, &no_labels, Some(&[0, 1])).unwrap_err()).contains(zero));
    assert!(msg(c.partial_fit(&none, &no_labels, None).unwrap_err()).contains(zero));
    assert!(msg(c.predict(&none).unwrap_err()).contains(zero));
    assert!(msg(c.predict_proba(&none).unwrap_err()).contains(zero));
    assert!(msg(c.score(&none, &no_labels).unwrap_err()).contains(zero));
    let mut r = MlpRegressor::new(o.clone());
    assert!(msg(r.fit(&none, &[] as &[f64]).unwrap_err()).contains(zero));
    // X with rows but no labels (and the reverse) says which is short.
    let e = msg(fresh.fit(&d.xtr, &no_labels).unwrap_err());
    assert!(e.contains("120 samples but y has 0 labels"), "{e}");
    let e = msg(MlpClassifier::new(o).fit(&none, &d.ytr).unwrap_err());
    assert!(e.contains("0 samples but y has 120 labels"), "{e}");
}
