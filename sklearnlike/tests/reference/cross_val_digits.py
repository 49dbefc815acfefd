"""Reference of sklearnlike/tests/model_selection.rs: cross_val_score of a small
MLPClassifier on digits (X / 16) with StratifiedKFold(5) (no shuffle, so the folds
are those in digits_skf5_folds.txt), for random_state 0..3.

Run from the repository root:  /work/venv/bin/python sklearnlike/tests/reference/cross_val_digits.py
"""
import numpy as np, scipy, sklearn, warnings
from sklearn.model_selection import StratifiedKFold, cross_val_score, GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")
print("versions: scikit-learn", sklearn.__version__, "scipy", scipy.__version__, "numpy", np.__version__)
D = np.loadtxt("data/digits.csv", delimiter=",", skiprows=1)
X, y = D[:, :-1] / 16.0, D[:, -1].astype(int)
means = []
for rs in range(3):
    s = cross_val_score(MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.005, max_iter=25, random_state=rs),
                        X, y, cv=StratifiedKFold(5))
    means.append(s.mean())
    print("random_state", rs, "fold scores", [round(v, 4) for v in s], "mean %.4f" % s.mean())
print("mean over random_state 0..3: %.4f" % np.mean(means))
# Pipeline + GridSearchCV on iris.
I = np.loadtxt("data/iris.csv", delimiter=",", skiprows=1)
Xi, yi = I[:, :-1], I[:, -1].astype(int)
pipe = make_pipeline(StandardScaler(), MLPClassifier(solver="lbfgs", max_iter=200, random_state=0))
gs = GridSearchCV(pipe, {"mlpclassifier__hidden_layer_sizes": [(2,), (10,)], "mlpclassifier__alpha": [1e-4, 10.0]}, cv=3)
gs.fit(Xi, yi)
print("iris grid params", gs.cv_results_["params"])
print("iris grid mean_test_score", [round(v, 4) for v in gs.cv_results_["mean_test_score"]])
print("iris grid rank_test_score", list(gs.cv_results_["rank_test_score"]), "best_params_", gs.best_params_)
