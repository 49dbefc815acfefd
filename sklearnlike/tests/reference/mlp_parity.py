"""Reference numbers of sklearnlike/tests/mlp_parity.rs.

Each estimator starts from the same formula-defined weights as the Rust side:
fit once with max_iter=1 to initialize, overwrite coefs_/intercepts_, then
refit with warm_start=True (scikit-learn builds a fresh optimizer then, as the
Rust side does). shuffle=False, so no random stream is involved.

Run from the repository root:  /work/venv/bin/python sklearnlike/tests/reference/mlp_parity.py
"""
import numpy as np, scipy, sklearn, warnings
from sklearn.neural_network import MLPClassifier, MLPRegressor

warnings.simplefilter("ignore")
print("versions: scikit-learn", sklearn.__version__, "scipy", scipy.__version__, "numpy", np.__version__)
np.set_printoptions(precision=17)
X = np.array([[np.sin(1.3 * i + 0.7 * j + 0.1) for j in range(3)] for i in range(8)])


def weights(units):
    cs, bs = [], []
    for l, (a, b) in enumerate(zip(units[:-1], units[1:])):
        cs.append(np.array([[0.5 * np.cos(0.9 * (r * b + c) + l) for c in range(b)] for r in range(a)]))
        bs.append(np.array([0.1 * np.sin(c + l + 1) for c in range(b)]))
    return cs, bs


def run(est, y, units, n_epochs, sample_weight=None):
    est.set_params(max_iter=1)
    est.fit(X, y)
    est.coefs_, est.intercepts_ = weights(units)
    est.set_params(max_iter=n_epochs, warm_start=True)
    est.fit(X, y, sample_weight=sample_weight)
    return est


def show(name, est, proba_rows=0):
    print(name)
    print("  loss_curve_[1:] =", repr(est.loss_curve_[1:]) if hasattr(est, "loss_curve_") else None,
          " loss_ =", repr(est.loss_), " t_ =", getattr(est, "t_", None), " n_iter_ =", est.n_iter_)
    print("  coefs_ =", repr(np.concatenate([c.ravel() for c in est.coefs_]).tolist()))
    print("  intercepts_ =", repr(np.concatenate(est.intercepts_).tolist()))
    if proba_rows:
        print("  predict_proba =", repr(est.predict_proba(X[:proba_rows]).ravel().tolist()))


y3 = np.array([0, 1, 2, 0, 1, 2, 1, 0])
show("adam_softmax_tanh", run(MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="adam", batch_size=3,
                                            alpha=0.01, learning_rate_init=0.05, shuffle=False, random_state=0),
                              y3, [3, 4, 3], 1), proba_rows=2)
yb = np.array(["no", "yes", "yes", "no", "yes", "no", "no", "yes"])
c = run(MLPClassifier(hidden_layer_sizes=(4,), activation="logistic", solver="sgd", batch_size=4, alpha=0.001,
                      learning_rate="invscaling", learning_rate_init=0.5, power_t=0.5, momentum=0.8,
                      shuffle=False, random_state=0), yb, [3, 4, 1], 2)
show("sgd_binary_logistic_invscaling", c)
print("  classes_ =", list(c.classes_), " predict =", list(c.predict(X)))
Y2 = np.stack([X[:, 0] - 2 * X[:, 1], X[:, 2] ** 2], axis=1)
show("sgd_regressor_multioutput_relu", run(MLPRegressor(hidden_layer_sizes=(4, 3), activation="relu", solver="sgd",
                                                        batch_size=5, alpha=0.1, learning_rate_init=0.1,
                                                        nesterovs_momentum=False, shuffle=False, random_state=0),
                                           Y2, [3, 4, 3, 2], 1))

# alpha and momentum over several epochs: a large penalty, Nesterov and plain momentum, adam.
show("sgd_nesterov_alpha_3_epochs", run(MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="sgd",
                                                      batch_size=3, alpha=0.5, momentum=0.5, learning_rate_init=0.2,
                                                      shuffle=False, random_state=0), y3, [3, 4, 3], 3))
show("sgd_momentum_alpha_4_epochs", run(MLPClassifier(hidden_layer_sizes=(4,), activation="relu", solver="sgd",
                                                      batch_size=8, alpha=2.0, momentum=0.95, nesterovs_momentum=False,
                                                      learning_rate_init=0.05, shuffle=False, random_state=0),
                                        y3, [3, 4, 3], 4))
show("adam_alpha_3_epochs", run(MLPClassifier(hidden_layer_sizes=(4,), activation="relu", solver="adam", batch_size=4,
                                              alpha=1.0, beta_1=0.8, beta_2=0.99, learning_rate_init=0.03,
                                              shuffle=False, random_state=0), y3, [3, 4, 3], 3))

# sample_weight (scikit-learn 1.7+): weighted minibatch terms over the batch's total weight.
sw = np.array([1.0, 2.0, 0.5, 0.0, 3.0, 1.0, 1.5, 0.25])
show("sgd_sample_weight_2_epochs", run(MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="sgd",
                                                     batch_size=3, alpha=0.1, learning_rate_init=0.1,
                                                     shuffle=False, random_state=0), y3, [3, 4, 3], 2,
                                       sample_weight=sw))
show("adam_regressor_sample_weight_2_epochs", run(MLPRegressor(hidden_layer_sizes=(4, 3), activation="tanh",
                                                               solver="adam", batch_size=5, alpha=0.05,
                                                               learning_rate_init=0.02, shuffle=False, random_state=0),
                                                  Y2, [3, 4, 3, 2], 2, sample_weight=sw))

# loss="poisson" (scikit-learn 1.7+): exp output, half Poisson deviance.
counts = np.array([0.0, 1.0, 3.0, 2.0, 0.0, 5.0, 1.0, 4.0])
r = run(MLPRegressor(loss="poisson", hidden_layer_sizes=(4,), activation="tanh", solver="sgd", batch_size=4,
                     alpha=0.01, learning_rate_init=0.05, shuffle=False, random_state=0), counts, [3, 4, 1], 2)
show("poisson_sgd_2_epochs", r)
print("  out_activation_ =", r.out_activation_, " predict =", repr(r.predict(X[:3]).tolist()))
r = run(MLPRegressor(loss="poisson", hidden_layer_sizes=(4,), activation="relu", solver="adam", batch_size=3,
                     alpha=0.001, learning_rate_init=0.01, shuffle=False, random_state=0), counts, [3, 4, 1], 2,
        sample_weight=sw)
show("poisson_adam_sample_weight_2_epochs", r)

# lbfgs from the same weights, to convergence
c = MLPClassifier(hidden_layer_sizes=(4,), activation="tanh", solver="lbfgs", alpha=0.01, max_iter=1, random_state=0)
c.fit(X, y3); c.coefs_, c.intercepts_ = weights([3, 4, 3])
c.set_params(max_iter=2000, tol=1e-10, warm_start=True); c.fit(X, y3)
print("lbfgs_softmax_tanh loss_ =", repr(c.loss_), " n_iter_ =", c.n_iter_, " proba0 =", repr(c.predict_proba(X[:1]).ravel().tolist()))
yr = X[:, 0] - 2 * X[:, 1] + 0.5 * X[:, 2] ** 2
r = MLPRegressor(hidden_layer_sizes=(5,), activation="logistic", solver="lbfgs", alpha=0.001, max_iter=1, random_state=0)
r.fit(X, yr); r.coefs_, r.intercepts_ = weights([3, 5, 1])
r.set_params(max_iter=5000, tol=1e-10, warm_start=True); r.fit(X, yr)
print("lbfgs_regressor loss_ =", repr(r.loss_), " n_iter_ =", r.n_iter_, " score =", repr(r.score(X, yr)))
# lbfgs with sample weights, to convergence from the same weights
r = MLPRegressor(hidden_layer_sizes=(5,), activation="logistic", solver="lbfgs", alpha=0.001, max_iter=1, random_state=0)
r.fit(X, yr); r.coefs_, r.intercepts_ = weights([3, 5, 1])
r.set_params(max_iter=5000, tol=1e-10, warm_start=True); r.fit(X, yr, sample_weight=sw)
print("lbfgs_regressor_sample_weight loss_ =", repr(r.loss_), " n_iter_ =", r.n_iter_)
