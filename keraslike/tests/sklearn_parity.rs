//! exploratory (to be replaced)
use keraslike::datasets::{read_csv, StandardScaler};
use keraslike::sklearn::{MlpClassifier, MlpOptions, Solver};
use tensorlow::Tensor;

struct Split {
    f: usize,
    xtr: Vec<f64>,
    ytr: Vec<i64>,
    xte: Vec<f64>,
    yte: Vec<i64>,
}

fn idx(path: &str) -> Vec<usize> {
    std::fs::read_to_string(path)
        .unwrap()
        .split_whitespace()
        .map(|s| s.parse().unwrap())
        .collect()
}

fn load(name: &str) -> Split {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../data/");
    let t = read_csv(format!("{root}{name}.csv")).unwrap();
    let (tr, te) = (
        idx(&format!("{root}splits/{name}_train_idx.txt")),
        idx(&format!("{root}splits/{name}_test_idx.txt")),
    );
    let y: Vec<i64> = t.target.iter().map(|s| s.parse().unwrap()).collect();
    let (mut xtr, mut xte) = (t.rows(&tr), t.rows(&te));
    if name == "iris" {
        let s = StandardScaler::fit(&xtr, t.n_features).unwrap();
        xtr = s.transform(&xtr).unwrap();
        xte = s.transform(&xte).unwrap();
    } else {
        xtr.iter_mut().chain(xte.iter_mut()).for_each(|v| *v /= 16.0);
    }
    Split {
        f: t.n_features,
        ytr: tr.iter().map(|&i| y[i]).collect(),
        yte: te.iter().map(|&i| y[i]).collect(),
        xtr,
        xte,
    }
}

#[test]
fn explore() {
    // same-init lbfgs
    let sp = load("iris");
    let units = [4usize, 20, 3];
    let (mut cs, mut bs) = (vec![], vec![]);
    for (l, w) in units.windows(2).enumerate() {
        let (a, b) = (w[0], w[1]);
        let bound = (6.0 / (a + b) as f64).sqrt();
        let c: Vec<f64> = (0..a * b).map(|k| bound * (0.9 * k as f64 + l as f64).cos()).collect();
        cs.push(Tensor::new(&c[..], &[a, b]).unwrap());
        let i: Vec<f64> = (0..b).map(|c| bound * ((c + l + 1) as f64).sin()).collect();
        bs.push(Tensor::new(&i[..], &[b]).unwrap());
    }
    for k in [5usize, 10, 20, 40, 60, 100, 150, 200] { let tol = 0.0;
        let mut c = MlpClassifier::new(MlpOptions::default().hidden_layer_sizes(&[20]).solver(Solver::Lbfgs).max_iter(1).tol(tol).random_state(0));
        c.fit(&sp.xtr, sp.f, &sp.ytr).unwrap();
        c.set_coefs(&cs).unwrap();
        c.set_intercepts(&bs).unwrap();
        c.options_mut().max_iter = k;
        c.options_mut().warm_start = true;
        c.fit(&sp.xtr, sp.f, &sp.ytr).unwrap();
        println!("{k} same-init tol {tol}: loss {:?} n_iter {} acc {}", c.loss(), c.n_iter(), c.score(&sp.xte, sp.f, &sp.yte).unwrap());
    }
}
