//! Scalers, encoders and metrics against scikit-learn 1.9.1 on fixed inputs.
//!
//! The expected values are the output of `reference/preprocessing_metrics.py`
//! (scikit-learn 1.9.1, scipy 1.17.1, numpy 2.4.6), pasted next to each
//! check. Floats agree to 1e-12 relative (numpy sums pairwise, the scalers
//! here in order); texts, integers and categories exactly.

use ndarray::{array, Array2};
use sklearnlike::base::Transformer;
use sklearnlike::metrics::{
    accuracy_score, balanced_accuracy_score, classification_report, confusion_matrix, f1_score, fbeta_score, log_loss,
    mean_absolute_error, mean_squared_error, precision_recall_fscore_support, precision_score, r2_score, recall_score,
    root_mean_squared_error, Average,
};
use sklearnlike::preprocessing::{
    HandleUnknown, LabelEncoder, MinMaxScaler, OneHotDrop, OneHotEncoder, StandardScaler,
};
use sklearnlike::{Error, Features};

fn close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-12 * (1.0 + w.abs());
        assert!(ok, "{what}[{i}]: got {g}, scikit-learn {w}");
    }
}

fn flat(a: &Array2<f64>) -> Vec<f64> {
    a.iter().copied().collect()
}

/// A constant column, a column whose range is rounding noise, and a NaN.
fn x() -> Array2<f64> {
    array![
        [1.5, 7.0, -3.25, 0.1],
        [2.0, 7.0, 10.5, 0.1],
        [-4.0, 7.0, 0.0, 0.1 + 1e-17],
        [8.25, 7.0, f64::NAN, 0.1],
        [0.0, 7.0, 2.0, 0.1]
    ]
}

fn z() -> Array2<f64> {
    array![[0.5, 7.5, 1.0, 0.2], [-10.0, 6.0, f64::NAN, 0.1]]
}

#[test]
fn standard_scaler_matches_sklearn() {
    let mut s = StandardScaler::new();
    s.fit(x()).unwrap();
    // standard mean_ [1.55, 7.0, 2.3125, 0.1]
    close(s.mean(), &[1.55, 7.0, 2.3125, 0.1], "mean_");
    // standard var_ [15.66, 0.0, 25.85546875, 3.0814879110195774e-35]: the last is rounding
    // noise in numpy's sums; both sides call the column constant (scale_ 1).
    close(&s.var()[..3], &[15.66, 0.0, 25.85546875], "var_");
    assert!(s.var()[3] < 1e-30);
    // standard scale_ [3.9572717874818757, 1.0, 5.084827307785388, 1.0]
    close(s.scale(), &[3.9572717874818757, 1.0, 5.084827307785388, 1.0], "scale_");
    // standard n_samples_seen_ [5, 5, 4, 5]
    assert_eq!(s.n_samples_seen(), &[5, 5, 4, 5]);
    // standard transform / inverse
    close(
        &flat(&s.transform(z()).unwrap()),
        &[
            -0.2653343152526162,
            0.5,
            -0.2581208604647062,
            0.1,
            -2.918677467778778,
            -1.0,
            f64::NAN,
            0.0,
        ],
        "transform",
    );
    close(
        &flat(&s.inverse_transform(z()).unwrap()),
        &[
            3.5286358937409377,
            14.5,
            7.397327307785388,
            0.30000000000000004,
            -38.02271787481876,
            13.0,
            f64::NAN,
            0.2,
        ],
        "inverse_transform",
    );
    // standard with_mean=False transform
    let mut s = StandardScaler::new().with_mean(false);
    Transformer::fit(&mut s, Features::from(x())).unwrap();
    close(
        &flat(&s.transform(z()).unwrap()),
        &[
            0.12634967392981725,
            7.5,
            0.19666351273501428,
            0.2,
            -2.526993478596345,
            6.0,
            f64::NAN,
            0.1,
        ],
        "with_mean=False",
    );
    // Infinity and a wrong width are errors naming them.
    let e = s
        .transform(&array![[f64::INFINITY, 1.0, 1.0, 1.0]])
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 0, column 0"), "{e}");
    let e = s.transform(&array![[1.0, 2.0]]).unwrap_err().to_string();
    assert!(e.contains("X has 2 features, but StandardScaler is expecting 4"), "{e}");
    assert!(matches!(StandardScaler::new().transform(z()), Err(Error::NotFitted(_))));
}

#[test]
fn min_max_scaler_matches_sklearn() {
    let mut m = MinMaxScaler::new();
    m.fit(x()).unwrap();
    close(m.data_min(), &[-4.0, 7.0, -3.25, 0.1], "data_min_");
    close(m.data_max(), &[8.25, 7.0, 10.5, 0.10000000000000002], "data_max_");
    // minmax scale_ [0.08163265306122448, 1.0, 0.07272727272727272, 1.0] (a range below
    // 10 eps counts as constant)
    close(
        m.scale(),
        &[0.08163265306122448, 1.0, 0.07272727272727272, 1.0],
        "scale_",
    );
    close(m.min(), &[0.32653061224489793, -7.0, 0.23636363636363636, -0.1], "min_");
    close(
        &flat(&m.transform(z()).unwrap()),
        &[
            0.36734693877551017,
            0.5,
            0.3090909090909091,
            0.1,
            -0.48979591836734687,
            -1.0,
            f64::NAN,
            0.0,
        ],
        "transform",
    );
    let mut m = MinMaxScaler::new().feature_range(-2.0, 3.0).clip(true);
    m.fit(x()).unwrap();
    close(
        &flat(&m.transform(z()).unwrap()),
        &[
            -0.16326530612244894,
            0.5,
            -0.4545454545454545,
            -1.5,
            -2.0,
            -2.0,
            f64::NAN,
            -2.0,
        ],
        "transform(-2, 3, clip)",
    );
    close(
        &flat(&m.inverse_transform(z()).unwrap()),
        &[2.125, 8.9, 5.0, 0.54, -23.599999999999998, 8.6, f64::NAN, 0.52],
        "inverse_transform(-2, 3, clip)",
    );
}

#[test]
fn one_hot_and_label_encoders_match_sklearn() {
    let c = array![["red", "S"], ["green", "M"], ["blue", "S"], ["green", "L"]];
    let mut e = OneHotEncoder::new();
    let t = e.fit_transform(c.view()).unwrap();
    // onehot categories_ [['blue', 'green', 'red'], ['L', 'M', 'S']]
    assert_eq!(e.categories(), &[vec!["blue", "green", "red"], vec!["L", "M", "S"]]);
    close(
        &flat(&t),
        &[
            0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0,
            1.0, 0.0, 0.0,
        ],
        "transform",
    );
    assert_eq!(
        e.get_feature_names_out(None),
        ["x0_blue", "x0_green", "x0_red", "x1_L", "x1_M", "x1_S"]
    );
    // Found unknown categories ['purple'] in column 0 during transform
    let unknown = array![["purple", "M"], ["red", "XL"]];
    let err = e.transform(unknown.view()).unwrap_err().to_string();
    assert!(
        err.contains("Found unknown categories [\"purple\"] in column 0 during transform"),
        "{err}"
    );
    // onehot ignore transform / inverse: [[None, 'M'], ['red', None]]
    let mut e = OneHotEncoder::new().handle_unknown(HandleUnknown::Ignore);
    e.fit(c.view()).unwrap();
    let t = e.transform(unknown.view()).unwrap();
    close(
        &flat(&t),
        &[0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0],
        "ignore",
    );
    assert_eq!(
        e.inverse_transform(t.view()).unwrap(),
        array![[None, Some("M")], [Some("red"), None]]
    );
    // onehot drop=first: ['x0_green', 'x0_red', 'x1_M', 'x1_S'], and the inverse is the input.
    let mut e = OneHotEncoder::new().drop(OneHotDrop::First);
    let t = e.fit_transform(c.view()).unwrap();
    close(
        &flat(&t),
        &[
            0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0,
        ],
        "drop=first",
    );
    assert_eq!(e.get_feature_names_out(None), ["x0_green", "x0_red", "x1_M", "x1_S"]);
    assert_eq!(e.inverse_transform(t.view()).unwrap(), c.mapv(Some));
    // onehot numeric if_binary: ['a_1.0', 'a_2.5', 'a_3.0', 'b_2.0']; a pipeline step.
    let n = array![[3.0, 1.0], [1.0, 2.0], [3.0, 2.0], [2.5, 1.0]];
    let mut e = OneHotEncoder::<f64>::new().drop(OneHotDrop::IfBinary);
    let t = Transformer::fit_transform(&mut e, Features::from(&n)).unwrap();
    close(
        &flat(&t),
        &[
            0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0,
        ],
        "if_binary",
    );
    assert_eq!(
        e.get_feature_names_out(Some(&["a", "b"])),
        ["a_1.0", "a_2.5", "a_3.0", "b_2.0"]
    );
    assert_eq!(Transformer::inverse_transform(&e, Features::from(&t)).unwrap(), n);
    assert!(e
        .fit(array![[f64::NAN]].view())
        .unwrap_err()
        .to_string()
        .contains("row 0, column 0"));
    // label classes_ ['amsterdam', 'paris', 'tokyo'] transform [1, 0, 2]
    let mut le = LabelEncoder::new();
    le.fit(&["tokyo", "paris", "paris", "amsterdam", "tokyo"]).unwrap();
    assert_eq!(le.classes(), &["amsterdam", "paris", "tokyo"]);
    assert_eq!(
        le.transform(&["paris", "amsterdam", "tokyo"]).unwrap().to_vec(),
        vec![1, 0, 2]
    );
}

const YT: [i64; 12] = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 3, 0];
const YP: [i64; 12] = [0, 2, 2, 2, 1, 0, 1, 0, 1, 1, 1, 0];

#[test]
fn classification_metrics_match_sklearn() {
    let eq = |g: f64, w: f64, what: &str| close(&[g], &[w], what);
    eq(accuracy_score(&YT, &YP).unwrap(), 0.6666666666666666, "accuracy");
    eq(
        balanced_accuracy_score(&YT, &YP).unwrap(),
        0.5416666666666666,
        "balanced_accuracy",
    );
    // micro / macro / weighted precision, recall, f1, f2
    for (avg, want) in [
        (
            Average::Micro,
            [
                0.6666666666666666,
                0.6666666666666666,
                0.6666666666666666,
                0.6666666666666666,
            ],
        ),
        (
            Average::Macro,
            [
                0.5041666666666667,
                0.5416666666666666,
                0.5208333333333333,
                0.5327380952380952,
            ],
        ),
        (
            Average::Weighted,
            [
                0.6166666666666667,
                0.6666666666666666,
                0.6388888888888888,
                0.6547619047619048,
            ],
        ),
    ] {
        eq(precision_score(&YT, &YP, avg.clone()).unwrap(), want[0], "precision");
        eq(recall_score(&YT, &YP, avg.clone()).unwrap(), want[1], "recall");
        eq(f1_score(&YT, &YP, avg.clone()).unwrap(), want[2], "f1");
        eq(fbeta_score(&YT, &YP, 2.0, avg).unwrap(), want[3], "f2");
    }
    let prf = precision_recall_fscore_support(&YT, &YP, None, 1.0).unwrap();
    close(
        &prf.precision,
        &[0.75, 0.6, 0.6666666666666666, 0.0],
        "per-class precision",
    );
    close(&prf.recall, &[0.75, 0.75, 0.6666666666666666, 0.0], "per-class recall");
    close(
        &prf.fscore,
        &[0.75, 0.6666666666666666, 0.6666666666666666, 0.0],
        "per-class f1",
    );
    assert_eq!(prf.support, vec![4, 4, 3, 1]);
    assert_eq!(
        confusion_matrix(&YT, &YP, None).unwrap(),
        array![[3, 1, 0, 0], [0, 3, 1, 0], [1, 0, 2, 0], [0, 1, 0, 0]]
    );
    assert_eq!(
        confusion_matrix(&YT, &YP, Some(&[3, 0])).unwrap(),
        array![[0, 0], [0, 3]]
    );
    // binary precision 0.75 recall 0.75 f1 0.75 (pos_label='spam')
    let bt = ["spam", "ham", "spam", "spam", "ham", "ham", "spam"];
    let bp = ["spam", "spam", "ham", "spam", "ham", "ham", "spam"];
    eq(
        precision_score(&bt, &bp, Average::Binary("spam")).unwrap(),
        0.75,
        "binary precision",
    );
    eq(
        recall_score(&bt, &bp, Average::Binary("spam")).unwrap(),
        0.75,
        "binary recall",
    );
    eq(f1_score(&bt, &bp, Average::Binary("spam")).unwrap(), 0.75, "binary f1");
    assert!(f1_score(&YT, &YP, Average::Binary(1))
        .unwrap_err()
        .to_string()
        .contains("multiclass"));
    // log_loss 7.426859501627217; log_loss binary 0.20983242268450675
    let proba = array![
        [0.7, 0.2, 0.1],
        [0.1, 0.8, 0.1],
        [0.2, 0.2, 0.6],
        [0.0, 0.0, 1.0],
        [1.0, 0.0, 0.0]
    ];
    eq(
        log_loss(&[0, 1, 2, 2, 1], proba.view(), None).unwrap(),
        7.426859501627217,
        "log_loss",
    );
    let p1 = array![[0.9], [0.2], [0.6], [1.0]];
    eq(
        log_loss(&[1, 0, 1, 1], p1.view(), None).unwrap(),
        0.20983242268450675,
        "log_loss binary",
    );
    assert!(accuracy_score(&YT, &YP[..3])
        .unwrap_err()
        .to_string()
        .contains("12 samples but y_pred has 3"));
}

#[test]
fn classification_report_text_equals_sklearns() {
    let report1 = "              precision    recall  f1-score   support

           0       0.75      0.75      0.75         4
           1       0.60      0.75      0.67         4
           2       0.67      0.67      0.67         3
           3       0.00      0.00      0.00         1

    accuracy                           0.67        12
   macro avg       0.50      0.54      0.52        12
weighted avg       0.62      0.67      0.64        12
";
    assert_eq!(classification_report(&YT, &YP, None, 2).unwrap(), report1);
    let report2 = "              precision    recall  f1-score   support

         ham     0.6667    0.6667    0.6667         3
        spam     0.7500    0.7500    0.7500         4

    accuracy                         0.7143         7
   macro avg     0.7083    0.7083    0.7083         7
weighted avg     0.7143    0.7143    0.7143         7
";
    let bt = ["spam", "ham", "spam", "spam", "ham", "ham", "spam"];
    let bp = ["spam", "spam", "ham", "spam", "ham", "ham", "spam"];
    assert_eq!(classification_report(&bt, &bp, None, 4).unwrap(), report2);
    let report3 = "              precision    recall  f1-score   support

      setosa      0.750     0.750     0.750         4
  versicolor      0.600     0.750     0.667         4
   virginica      0.667     0.667     0.667         3
           x      0.000     0.000     0.000         1

    accuracy                          0.667        12
   macro avg      0.504     0.542     0.521        12
weighted avg      0.617     0.667     0.639        12
";
    let names = ["setosa", "versicolor", "virginica", "x"];
    assert_eq!(classification_report(&YT, &YP, Some(&names), 3).unwrap(), report3);
    assert!(classification_report(&YT, &YP, Some(&names[..2]), 2).is_err());
}

#[test]
fn regression_metrics_match_sklearn() {
    let rt = [3.0, -0.5, 2.0, 7.0, 4.25];
    let rp = [2.5, 0.0, 2.0, 8.0, 3.0];
    // r2 0.9002442996742671 mse 0.6125 rmse 0.7826237921249264 mae 0.65
    close(
        &[
            r2_score(&rt, &rp).unwrap(),
            mean_squared_error(&rt, &rp).unwrap(),
            root_mean_squared_error(&rt, &rp).unwrap(),
            mean_absolute_error(&rt, &rp).unwrap(),
        ],
        &[0.9002442996742671, 0.6125, 0.7826237921249264, 0.65],
        "one output",
    );
    // 2-output r2 0.8440054942029362 mse 32.869140625 rmse 4.4263391961559835 mae 3.0812500000000003
    let two =
        |v: &[f64; 5], add: f64| Array2::from_shape_fn((5, 2), |(i, j)| if j == 0 { v[i] } else { v[i] * v[i] + add });
    let (tt, pp) = (two(&rt, 0.0), two(&rp, 1.0));
    close(
        &[
            r2_score(&tt, &pp).unwrap(),
            mean_squared_error(&tt, &pp).unwrap(),
            root_mean_squared_error(&tt, &pp).unwrap(),
            mean_absolute_error(&tt, &pp).unwrap(),
        ],
        &[0.8440054942029362, 32.869140625, 4.4263391961559835, 3.0812500000000003],
        "two outputs",
    );
    // r2 constant 0.0
    assert_eq!(r2_score(&[1.0, 1.0, 1.0], &[1.0, 1.0, 2.0]).unwrap(), 0.0);
    assert!(r2_score(&rt, &rp[..2]).unwrap_err().to_string().contains("shape"));
}
