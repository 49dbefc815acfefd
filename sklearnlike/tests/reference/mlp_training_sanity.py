"""Reference numbers of sklearnlike/tests/mlp_training_sanity.rs (training-sanity
checks: mean accuracies over random_state 0..5, not parity; see the test's docs).

Run from the repository root:  /work/venv/bin/python sklearnlike/tests/reference/mlp_training_sanity.py
"""
import numpy as np, scipy, sklearn
print("versions: scikit-learn", sklearn.__version__, "scipy", scipy.__version__, "numpy", np.__version__)
import numpy as np, warnings
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
warnings.simplefilter("ignore")
D = "data/"
def load(name):
    a = np.loadtxt(D + name + ".csv", delimiter=",", skiprows=1)
    tr = np.loadtxt(D + f"splits/{name}_train_idx.txt", dtype=int)
    te = np.loadtxt(D + f"splits/{name}_test_idx.txt", dtype=int)
    X, y = a[:, :-1], a[:, -1].astype(int)
    X = StandardScaler().fit(X[tr]).transform(X) if name == "iris" else X / 16.0
    return X[tr], y[tr], X[te], y[te]
CASES = [
    ("iris", dict(solver="adam", hidden_layer_sizes=(20,), learning_rate_init=0.01, max_iter=300)),
    ("iris", dict(solver="sgd", hidden_layer_sizes=(20,), learning_rate_init=0.1, max_iter=300)),
    ("iris", dict(solver="lbfgs", hidden_layer_sizes=(20,), max_iter=200)),
    ("digits", dict(solver="adam", hidden_layer_sizes=(50,), max_iter=50)),
    ("digits", dict(solver="sgd", hidden_layer_sizes=(50,), learning_rate_init=0.1, max_iter=50)),
    ("digits", dict(solver="lbfgs", hidden_layer_sizes=(50,), max_iter=200)),
]
for name, p in CASES:
    Xtr, ytr, Xte, yte = load(name)
    fits = [MLPClassifier(random_state=rs, **p).fit(Xtr, ytr) for rs in range(5)]
    acc = [c.score(Xte, yte) for c in fits]
    print(name, p["solver"], "mean acc %.4f" % np.mean(acc), [round(a, 4) for a in acc])
    if name == "iris" and p["solver"] == "lbfgs":
        loss = [c.loss_ for c in fits]
        print("  loss_", loss, "median %r mean %r" % (np.median(loss), np.mean(loss)))
# lbfgs from identical formula weights: the first iterations follow the same path
def weights(units):
    cs, bs = [], []
    for l, (a, b) in enumerate(zip(units[:-1], units[1:])):
        bound = np.sqrt(6.0 / (a + b))
        cs.append(np.array([[bound*np.cos(0.9*(r*b+c) + l) for c in range(b)] for r in range(a)]))
        bs.append(np.array([bound*np.sin(c + l + 1) for c in range(b)]))
    return cs, bs
Xtr, ytr, Xte, yte = load("iris")
for k in [10, 200]:
    c = MLPClassifier(hidden_layer_sizes=(20,), solver="lbfgs", max_iter=1, random_state=0).fit(Xtr, ytr)
    c.coefs_, c.intercepts_ = weights([4, 20, 3])
    c.set_params(max_iter=k, warm_start=True).fit(Xtr, ytr)
    print("same-init lbfgs max_iter", k, "loss_ %r n_iter_ %d" % (c.loss_, c.n_iter_))
# early stopping with tol=10: one improving epoch, then n_iter_no_change + 1 failing ones
c = MLPClassifier(hidden_layer_sizes=(20,), learning_rate_init=0.01, early_stopping=True, tol=10.0,
                  n_iter_no_change=3, max_iter=100, random_state=0).fit(Xtr, ytr)
print("early_stopping tol=10 n_iter_no_change=3: n_iter_", c.n_iter_)
# partial_fit over minibatches of 100 digits, 3 passes
Xtr, ytr, Xte, yte = load("digits")
acc = []
for rs in range(3):
    c = MLPClassifier(hidden_layer_sizes=(50,), learning_rate_init=0.01, random_state=rs)
    for _ in range(3):
        for s in range(0, len(ytr), 100):
            c.partial_fit(Xtr[s:s+100], ytr[s:s+100], classes=np.arange(10))
    acc.append(c.score(Xte, yte))
print("partial_fit digits mean acc %.4f" % np.mean(acc), [round(a, 4) for a in acc], "n_iter_", c.n_iter_, "t_", c.t_)
