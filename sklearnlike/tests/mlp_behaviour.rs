//! MLPClassifier / MLPRegressor behaviour: labels, multilabel, multi-output,
//! partial_fit, the convergence rule, sample_weight, the estimator
//! interface (get/set_params, clone), save/load and error messages.

use ndarray::{s, Array1, Array2};
use sklearnlike::base::{clone, Estimator};
use sklearnlike::neural_network::{
    Activation, LearningRate, Loss, MlpClassifier, MlpOptions, MlpRegressor, OutActivation, Solver,
};
use sklearnlike::{Error, Param};
use tensorlow::random::Generator;
use tensorlow::DType;

/// Three well-separated Gaussian blobs in 2-D, `n` points each.
fn blobs(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut g = Generator::from_seed(seed);
    let centers = [(-2.0, 0.0), (2.0, 0.0), (0.0, 3.0)];
    let mut x = Array2::zeros((3 * n, 2));
    let mut y = Vec::new();
    for i in 0..3 * n {
        let c = i % 3;
        x[[i, 0]] = centers[c].0 + 0.5 * g.next_normal();
        x[[i, 1]] = centers[c].1 + 0.5 * g.next_normal();
        y.push(c);
    }
    (x, y)
}

fn opts() -> MlpOptions {
    MlpOptions::default()
        .hidden_layer_sizes(&[8])
        .learning_rate_init(0.05)
        .max_iter(60)
        .random_state(0)
}

fn ints(y: &[usize]) -> Vec<i64> {
    y.iter().map(|&c| c as i64).collect()
}

#[test]
fn integer_and_string_labels_give_sorted_classes() {
    let (x, y) = blobs(20, 1);
    let names = [10i64, -3, 7];
    let yi: Vec<i64> = y.iter().map(|&c| names[c]).collect();
    let mut c = MlpClassifier::new(opts());
    c.fit(&x, &yi).unwrap();
    assert_eq!(c.classes(), &[-3, 7, 10]);
    assert_eq!((c.n_outputs(), c.out_activation()), (3, Some(OutActivation::Softmax)));
    assert!(c.score(&x, &yi).unwrap() > 0.95);
    // Probabilities are in classes() order: the column of the predicted label is the largest.
    let p = c.predict_proba(&x).unwrap();
    let pred = c.predict(&x).unwrap();
    for (row, l) in p.rows().into_iter().zip(&pred) {
        let col = c.classes().iter().position(|k| k == l).unwrap();
        assert!(row.iter().all(|&v| v <= row[col]));
        assert!((row.sum() - 1.0).abs() < 1e-5);
    }
    let ys: Vec<String> = y.iter().map(|&c| ["pear", "apple", "fig"][c].to_string()).collect();
    let mut c = MlpClassifier::<String>::new(opts());
    c.fit(&x, &ys).unwrap();
    assert_eq!(c.classes(), &["apple", "fig", "pear"].map(String::from));
    assert!(c.score(&x, &ys).unwrap() > 0.95);
}

#[test]
fn every_input_shape_gives_the_same_model() {
    // ndarray (f64 and f32), fixed-size rows, Vec rows and flat + width: one fit.
    let (x, y) = blobs(10, 11);
    let y = ints(&y);
    let o = opts().max_iter(5).dtype(DType::F64);
    let fit = |f: &dyn Fn(&mut MlpClassifier) -> sklearnlike::Result<()>| {
        let mut c = MlpClassifier::new(o.clone());
        f(&mut c).unwrap();
        c.predict_proba(&x).unwrap()
    };
    let rows: Vec<[f64; 2]> = x.rows().into_iter().map(|r| [r[0], r[1]]).collect();
    let vecs: Vec<Vec<f64>> = x.rows().into_iter().map(|r| r.to_vec()).collect();
    let flat: Vec<f64> = x.iter().copied().collect();
    let want = fit(&|c| c.fit(&x, &y).map(|_| ()));
    assert_eq!(fit(&|c| c.fit(x.view(), Array1::from(y.clone())).map(|_| ())), want);
    assert_eq!(fit(&|c| c.fit(&rows[..], &y).map(|_| ())), want);
    assert_eq!(fit(&|c| c.fit(&vecs, &y).map(|_| ())), want);
    assert_eq!(fit(&|c| c.fit((&flat, 2), &y).map(|_| ())), want);
    // A transposed (non-contiguous) view is read in logical order.
    let xt = x.t().to_owned();
    assert_eq!(fit(&|c| c.fit(xt.t(), &y).map(|_| ())), want);
    // f32 input is converted; the values are the f32-rounded ones.
    let x32 = x.mapv(|v| v as f32);
    let mut c = MlpClassifier::new(o.clone());
    c.fit(&x32, &y).unwrap();
    assert_eq!(c.predict(&x32).unwrap().len(), 30);
}

#[test]
fn multilabel_fits_one_logistic_output_per_label() {
    let (x, y) = blobs(20, 2);
    // label 0: x0 > 0; label 1: class 2 (top blob).
    let ym = Array2::from_shape_fn((60, 2), |(i, j)| {
        if j == 0 {
            f64::from(x[[i, 0]] > 0.0)
        } else {
            f64::from(y[i] == 2)
        }
    });
    let mut c = MlpClassifier::<i64>::new(opts().max_iter(100));
    c.fit_multilabel(&x, &ym).unwrap();
    assert_eq!((c.n_outputs(), c.out_activation()), (2, Some(OutActivation::Logistic)));
    assert!(c.score_multilabel(&x, &ym).unwrap() > 0.9);
    assert_eq!(c.predict_multilabel(&x).unwrap().dim(), (60, 2));
    assert_eq!(c.predict_proba(&x).unwrap().dim(), (60, 2));
    assert!(c.predict(&x).unwrap_err().to_string().contains("predict_multilabel"));
}

#[test]
fn multi_output_regression_scores_r2() {
    let mut g = Generator::from_seed(4);
    let x = Array2::from_shape_fn((100, 2), |_| g.next_normal());
    let y = Array2::from_shape_fn((100, 2), |(i, j)| {
        if j == 0 {
            x[[i, 0]] + x[[i, 1]]
        } else {
            x[[i, 0]] - 0.5 * x[[i, 1]]
        }
    });
    let mut r = MlpRegressor::new(
        opts()
            .hidden_layer_sizes(&[16])
            .activation(Activation::Tanh)
            .max_iter(200),
    );
    r.fit(&x, &y).unwrap();
    assert_eq!(r.n_outputs(), 2);
    assert_eq!(r.predict(x.slice(s![..2, ..])).unwrap().dim(), (2, 2));
    assert!(r.score(&x, &y).unwrap() > 0.95, "{}", r.score(&x, &y).unwrap());
    // R² of a perfect prediction is 1: score against the model's own predictions.
    let p = r.predict(&x).unwrap();
    assert!((r.score(&x, &p).unwrap() - 1.0).abs() < 1e-12);
}

#[test]
fn partial_fit_runs_one_epoch_per_call_and_keeps_adam_state() {
    let (x, y) = blobs(20, 5);
    let y = ints(&y);
    let mut c = MlpClassifier::new(opts().solver(Solver::Sgd));
    let err = c.partial_fit(&x, &y, None).unwrap_err().to_string();
    assert!(err.contains("classes"), "{err}");
    // The first batch only shows two classes: `classes` announces the third.
    c.partial_fit(x.slice(s![..20, ..]), &y[..20], Some(&[0, 1, 2]))
        .unwrap();
    assert_eq!((c.n_iter(), c.t(), c.classes().len()), (1, 20, 3));
    for _ in 0..30 {
        c.partial_fit(&x, &y, None).unwrap();
    }
    assert_eq!((c.n_iter(), c.t()), (1, 20 + 30 * 60));
    assert_eq!(c.loss_curve().len(), 31);
    assert!(c.score(&x, &y).unwrap() > 0.9);
    assert!(c.partial_fit(&x, &[5; 60], None).is_err());
    let mut l = MlpClassifier::new(opts().solver(Solver::Lbfgs));
    assert!(l
        .partial_fit(&x, &y, Some(&[0, 1, 2]))
        .unwrap_err()
        .to_string()
        .contains("lbfgs"));
}

#[test]
fn training_stops_after_n_iter_no_change_epochs_without_improvement() {
    let (x, y) = blobs(20, 6);
    let y = ints(&y);
    // tol = 10 is never met after the first epoch (which improves on best_loss_ = inf):
    // stop when n_iter_no_change + 1 epochs did not improve (sklearn's `>`). scikit-learn
    // 1.9.1 gives n_iter_ = 5 and 25 for the two settings here:
    //   X = np.random.RandomState(0).randn(60, 2); y = np.arange(60) % 3
    //   MLPClassifier(hidden_layer_sizes=(8,), learning_rate_init=0.05, tol=10.0, n_iter_no_change=3,
    //                 max_iter=100, random_state=0).fit(X, y).n_iter_                          # 5
    //   MLPClassifier(hidden_layer_sizes=(8,), solver="sgd", learning_rate="adaptive", learning_rate_init=1e-3,
    //                 tol=10.0, n_iter_no_change=3, max_iter=100, random_state=0).fit(X, y).n_iter_  # 25
    let mut c = MlpClassifier::new(opts().tol(10.0).n_iter_no_change(3).max_iter(100));
    c.fit(&x, &y).unwrap();
    assert_eq!(c.n_iter(), 5);
    let best = c.loss_curve().iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(c.best_loss(), Some(best));
    assert_eq!(c.loss(), *c.loss_curve().last().unwrap());
    // adaptive sgd divides the step by 5 instead of stopping, until it is <= 1e-6.
    let mut s = MlpClassifier::new(
        opts()
            .solver(Solver::Sgd)
            .learning_rate(LearningRate::Adaptive)
            .learning_rate_init(1e-3)
            .tol(10.0)
            .n_iter_no_change(3)
            .max_iter(100),
    );
    s.fit(&x, &y).unwrap();
    assert_eq!(s.n_iter(), 25);
}

#[test]
fn early_stopping_records_validation_scores() {
    let (x, y) = blobs(30, 7);
    let y = ints(&y);
    let mut c = MlpClassifier::new(opts().early_stopping(true).max_iter(40));
    c.fit(&x, &y).unwrap();
    let v = c.validation_scores().unwrap();
    assert_eq!(v.len(), c.n_iter());
    assert_eq!(
        c.best_validation_score(),
        Some(v.iter().cloned().fold(f64::NEG_INFINITY, f64::max))
    );
    assert!(c.best_loss().is_none());
    assert!(c
        .partial_fit(&x, &y, None)
        .unwrap_err()
        .to_string()
        .contains("early_stopping"));
    // Weighted early stopping runs too (the held-out score is weighted).
    let w: Vec<f64> = (0..90).map(|i| 1.0 + (i % 3) as f64).collect();
    let mut c = MlpClassifier::new(opts().early_stopping(true).max_iter(10));
    c.fit_weighted(&x, &y, &w).unwrap();
    assert_eq!(c.validation_scores().unwrap().len(), c.n_iter());
}

/// The packed weights of a fitted classifier.
fn weights_of(c: &MlpClassifier) -> Vec<f64> {
    c.coefs()
        .unwrap()
        .iter()
        .chain(&c.intercepts().unwrap())
        .flat_map(|t| t.to_vec::<f64>().unwrap())
        .collect()
}

fn assert_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (u, v)) in a.iter().zip(b).enumerate() {
        assert!((u - v).abs() <= tol * (1.0 + v.abs()), "[{i}] {u} vs {v}");
    }
}

#[test]
fn a_weight_of_two_duplicates_a_row_and_zero_ignores_it() {
    // Full-batch training (one batch per epoch), so duplicating a row and
    // weighting it 2 give the same loss and gradient at every step: the same
    // weights to float tolerance, for lbfgs, adam and sgd.
    let (x, y) = blobs(8, 12);
    let y = ints(&y);
    let n = y.len();
    let mut dup_x = x.clone();
    dup_x.push_row(x.row(5)).unwrap();
    let mut dup_y = y.clone();
    dup_y.push(y[5]);
    let mut w2 = vec![1.0; n];
    w2[5] = 2.0;
    // Row 7 replaced by garbage and weighted 0 == row 7 left out.
    let mut junk_x = x.clone();
    junk_x.row_mut(7).fill(1e3);
    let mut junk_y = y.clone();
    junk_y[7] = (y[7] + 1) % 3;
    let mut w0 = vec![1.0; n];
    w0[7] = 0.0;
    let keep: Vec<usize> = (0..n).filter(|&i| i != 7).collect();
    let drop_x = x.select(ndarray::Axis(0), &keep);
    let drop_y: Vec<i64> = keep.iter().map(|&i| y[i]).collect();
    for solver in [Solver::Lbfgs, Solver::Adam, Solver::Sgd] {
        let o = opts()
            .solver(solver)
            .batch_size(1000)
            .max_iter(if solver == Solver::Lbfgs { 30 } else { 15 })
            .alpha(0.01)
            .dtype(DType::F64);
        let fit = |x: &Array2<f64>, y: &[i64], w: Option<&[f64]>| {
            let mut c = MlpClassifier::new(o.clone());
            match w {
                Some(w) => c.fit_weighted(x, y, w).unwrap(),
                None => c.fit(x, y).unwrap(),
            };
            c
        };
        let (a, b) = (fit(&dup_x, &dup_y, None), fit(&x, &y, Some(&w2)));
        assert_close(&weights_of(&a), &weights_of(&b), 1e-9);
        assert!(
            (a.loss() - b.loss()).abs() <= 1e-12,
            "{solver}: {} vs {}",
            a.loss(),
            b.loss()
        );
        let (a, b) = (fit(&drop_x, &drop_y, None), fit(&junk_x, &junk_y, Some(&w0)));
        assert_close(&weights_of(&a), &weights_of(&b), 1e-9);
        if solver == Solver::Lbfgs {
            assert!(
                (a.loss() - b.loss()).abs() <= 1e-12,
                "{solver}: {} vs {}",
                a.loss(),
                b.loss()
            );
        }
    }
    // Bad weights are errors naming the problem.
    let mut c = MlpClassifier::new(opts());
    let e = c.fit_weighted(&x, &y, &w2[..3]).unwrap_err();
    assert!(
        matches!(e, Error::Shape(_)) && e.to_string().contains("3 values for 24 samples"),
        "{e}"
    );
    let mut bad = w2.clone();
    bad[2] = f64::NAN;
    assert!(c
        .fit_weighted(&x, &y, &bad)
        .unwrap_err()
        .to_string()
        .contains("sample_weight[2]"));
    assert!(c
        .fit_weighted(&x, &y, vec![0.0; n])
        .unwrap_err()
        .to_string()
        .contains("sum to 0"));
}

#[test]
fn poisson_regression_fits_counts_and_rejects_negative_targets() {
    let mut g = Generator::from_seed(9);
    let x = Array2::from_shape_fn((80, 2), |_| g.next_normal());
    // Expected counts exp(0.5 x0 - 0.3 x1 + 1); targets are those rates rounded.
    let rate: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| (0.5 * r[0] - 0.3 * r[1] + 1.0).exp())
        .collect();
    let y: Vec<f64> = rate.iter().map(|r| r.round()).collect();
    let o = MlpOptions::default()
        .hidden_layer_sizes(&[])
        .solver(Solver::Lbfgs)
        .alpha(0.0)
        .random_state(0);
    let mut r = MlpRegressor::new(o.clone()).with_loss(Loss::Poisson);
    r.fit(&x, &y).unwrap();
    assert_eq!(r.out_activation(), Some(OutActivation::Exp));
    // A linear model with a log link recovers the coefficients roughly.
    let c = r.coefs().unwrap()[0].to_vec::<f64>().unwrap();
    assert!((c[0] - 0.5).abs() < 0.15 && (c[1] + 0.3).abs() < 0.15, "{c:?}");
    assert!(r.predict(&x).unwrap().iter().all(|&p| p > 0.0));
    let mut neg = y.clone();
    neg[4] = -1.0;
    let e = MlpRegressor::new(o)
        .with_loss(Loss::Poisson)
        .fit(&x, &neg)
        .unwrap_err()
        .to_string();
    assert!(e.contains("y >= 0") && e.contains("row 4"), "{e}");
}

#[test]
fn get_params_and_set_params_round_trip_every_parameter() {
    // sorted(MLPClassifier().get_params()) in scikit-learn 1.9.1, plus our `dtype`;
    // MLPRegressor adds 'loss'.
    let sk = [
        "activation",
        "alpha",
        "batch_size",
        "beta_1",
        "beta_2",
        "early_stopping",
        "epsilon",
        "hidden_layer_sizes",
        "learning_rate",
        "learning_rate_init",
        "max_fun",
        "max_iter",
        "momentum",
        "n_iter_no_change",
        "nesterovs_momentum",
        "power_t",
        "random_state",
        "shuffle",
        "solver",
        "tol",
        "validation_fraction",
        "verbose",
        "warm_start",
    ];
    let c = MlpClassifier::<i64>::new(MlpOptions::default());
    let params = c.get_params();
    let mut names: Vec<&str> = params.names();
    names.retain(|n| *n != "dtype");
    assert_eq!(names, sk);
    // MLPClassifier().get_params() repr of the defaults.
    let p = c.get_params();
    assert_eq!(p.get("hidden_layer_sizes").unwrap().to_string(), "(100,)");
    assert_eq!(p.get("batch_size").unwrap().to_string(), "'auto'");
    assert_eq!(p.get("random_state").unwrap().to_string(), "None");
    assert_eq!(p.get("alpha").unwrap().to_string(), "0.0001");
    // A non-default value for every parameter, set by name, reads back.
    let new: Vec<(&str, Param)> = vec![
        ("activation", "tanh".into()),
        ("alpha", 0.5.into()),
        ("batch_size", 7.into()),
        ("beta_1", 0.7.into()),
        ("beta_2", 0.95.into()),
        ("dtype", "float64".into()),
        ("early_stopping", true.into()),
        ("epsilon", 1e-6.into()),
        ("hidden_layer_sizes", vec![3, 2].into()),
        ("learning_rate", "adaptive".into()),
        ("learning_rate_init", 0.3.into()),
        ("max_fun", 99.into()),
        ("max_iter", 12.into()),
        ("momentum", 0.2.into()),
        ("n_iter_no_change", 4.into()),
        ("nesterovs_momentum", false.into()),
        ("power_t", 0.25.into()),
        ("random_state", 42.into()),
        ("shuffle", false.into()),
        ("solver", "sgd".into()),
        ("tol", 1e-3.into()),
        ("validation_fraction", 0.3.into()),
        ("verbose", true.into()),
        ("warm_start", true.into()),
    ];
    let mut c = MlpClassifier::<i64>::new(MlpOptions::default());
    for (k, v) in &new {
        c.set_param(k, v.clone()).unwrap();
    }
    let got = c.get_params();
    for (k, v) in &new {
        assert_eq!(got.get(k), Some(v), "{k}");
    }
    assert_eq!(c.options().solver, Solver::Sgd);
    // clone keeps every parameter and drops the fit.
    assert_eq!(clone(&c).get_params(), got);
    // set_params with a whole Params, and text values as a CLI passes them.
    let mut r = MlpRegressor::new(MlpOptions::default());
    r.set_params(&got.clone().with("loss", "poisson")).unwrap();
    assert_eq!(r.get_params(), got.clone().with("loss", "poisson"));
    r.set_param("hidden_layer_sizes", "50,20".into()).unwrap();
    r.set_param("batch_size", "auto".into()).unwrap();
    r.set_param("random_state", "none".into()).unwrap();
    assert_eq!(r.options().hidden_layer_sizes, vec![50, 20]);
    assert_eq!((r.options().batch_size, r.options().random_state), (None, None));
    // Unknown names list the valid ones; bad values name the parameter.
    let e = c.set_param("alpah", 1.0.into()).unwrap_err().to_string();
    assert!(
        e.contains("Did you mean 'alpha'?") && e.contains("'warm_start'") && e.contains("MLPClassifier"),
        "{e}"
    );
    let e = r.set_param("los", "poisson".into()).unwrap_err().to_string();
    assert!(e.contains("'loss'") && e.contains("MLPRegressor"), "{e}");
    let e = c.set_param("solver", "newton".into()).unwrap_err().to_string();
    assert!(e.contains("\"lbfgs\""), "{e}");
    assert!(c
        .set_param("max_iter", (-3).into())
        .unwrap_err()
        .to_string()
        .contains("'max_iter'"));
}

#[test]
fn save_and_load_give_identical_predictions() {
    let dir = std::env::temp_dir().join(format!("sk_mlp_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (x, y) = blobs(15, 8);
    let ys: Vec<String> = y.iter().map(|&c| format!("c{c}")).collect();
    let mut c = MlpClassifier::<String>::new(opts());
    c.fit(&x, &ys).unwrap();
    let path = dir.join("clf.safetensors");
    c.save(&path).unwrap();
    // One file, nothing else (no temporary files left beside it).
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("clf.safetensors")]);
    let back = MlpClassifier::<String>::load(&path).unwrap();
    assert_eq!(back.predict_proba(&x).unwrap(), c.predict_proba(&x).unwrap());
    assert_eq!(back.classes(), c.classes());
    assert_eq!(back.n_iter(), c.n_iter());
    // JSON keeps the curve to within the last bit.
    for (a, b) in back.loss_curve().iter().zip(c.loss_curve()) {
        assert!((a - b).abs() <= 1e-15 * b.abs());
    }
    assert_eq!(back.options(), c.options());
    let e = MlpRegressor::load(&path).unwrap_err();
    assert!(
        matches!(e, Error::InvalidModelFile { .. }) && e.to_string().contains("MLPClassifier"),
        "{e}"
    );
    // The classes must fit the label type asked for.
    let e = MlpClassifier::<i64>::load(&path).unwrap_err().to_string();
    assert!(e.contains("label type"), "{e}");

    let yr: Vec<f64> = x.rows().into_iter().map(|r| r[0] * r[1]).collect();
    for loss in [Loss::SquaredError, Loss::Poisson] {
        let yl: Vec<f64> = yr
            .iter()
            .map(|v| if loss == Loss::Poisson { v.abs() } else { *v })
            .collect();
        let mut r = MlpRegressor::new(opts().solver(Solver::Lbfgs).max_iter(30)).with_loss(loss);
        r.fit(&x, &yl).unwrap();
        let p = dir.join("reg.safetensors");
        r.save(&p).unwrap();
        let back = MlpRegressor::load(&p).unwrap();
        assert_eq!(back.predict(&x).unwrap(), r.predict(&x).unwrap());
        assert_eq!(back.loss_function(), loss);
    }
    assert!(matches!(MlpRegressor::load(dir.join("missing")), Err(Error::Tensor(_))));
    let e = MlpRegressor::load(&dir).unwrap_err().to_string();
    assert!(e.contains("is a folder"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_gives_errors_not_panics() {
    let (x, y) = blobs(5, 9);
    let y = ints(&y);
    let mut c = MlpClassifier::new(opts());
    let e = |r: sklearnlike::Result<()>| r.unwrap_err().to_string();
    assert!(matches!(c.predict(&x), Err(Error::NotFitted(_))));
    assert!(c.predict(&x).unwrap_err().to_string().contains("not fitted"));
    let empty: [[f64; 2]; 0] = [];
    assert!(e(c.fit(&empty[..], &[] as &[i64]).map(|_| ())).contains("0 samples"));
    // One label short: the counts are samples and labels, not encoded values.
    let err = e(c.fit(&x, &y[..14]).map(|_| ()));
    assert!(err.contains("X has 15 samples but y has 14 labels"), "{err}");
    let flat: Vec<f64> = x.iter().copied().collect();
    assert!(e(c.fit((&flat[..5], 2), &y).map(|_| ())).contains("rows of 2"));
    c.fit(&x, &y).unwrap();
    // A wrong feature count names both counts, at every entry point.
    let x3 = Array2::<f64>::zeros((4, 3));
    for err in [
        c.predict(&x3).unwrap_err().to_string(),
        c.predict_proba(&x3).unwrap_err().to_string(),
        c.score(&x3, &y[..4]).unwrap_err().to_string(),
    ] {
        assert!(
            err.contains("X has 3 features") && err.contains("fitted with 2 features"),
            "{err}"
        );
    }
    // NaN and infinity are reported with their row and column.
    let mut bad = x.clone();
    bad[[3, 1]] = f64::NAN;
    let err = e(MlpClassifier::new(opts()).fit(&bad, &y).map(|_| ()));
    assert!(err.contains("NaN at row 3, column 1"), "{err}");
    bad[[3, 1]] = f64::INFINITY;
    let err = c.predict(&bad).unwrap_err().to_string();
    assert!(err.contains("infinite value inf at row 3, column 1"), "{err}");
    let mut r = MlpRegressor::new(opts());
    let mut yr = vec![1.0; 15];
    yr[6] = f64::NAN;
    let err = e(r.fit(&x, &yr).map(|_| ()));
    assert!(err.contains("y contains NaN at row 6, column 0"), "{err}");
    let err = e(r.fit(&x, &yr[..10]).map(|_| ()));
    assert!(err.contains("15 samples but y has 10 rows"), "{err}");
    let mut bad = MlpClassifier::new(opts().alpha(-1.0));
    assert!(e(bad.fit(&x, &y).map(|_| ())).contains("alpha"));
}
