"""Reference values of sklearnlike/tests/preprocessing_metrics.rs.

Run from the repository root:
  /work/venv/bin/python sklearnlike/tests/reference/preprocessing_metrics.py
"""
import numpy as np, scipy, sklearn, warnings
from sklearn.preprocessing import StandardScaler, MinMaxScaler, OneHotEncoder, LabelEncoder
from sklearn import metrics
from sklearn.model_selection import StratifiedKFold, KFold

warnings.simplefilter("ignore")
print("versions: scikit-learn", sklearn.__version__, "scipy", scipy.__version__, "numpy", np.__version__)
r = lambda a: repr(np.asarray(a, dtype=float).ravel().tolist())

# Scalers on fixed data with a constant column, a tiny-range column and a NaN.
X = np.array([[1.5, 7.0, -3.25, 0.1], [2.0, 7.0, 10.5, 0.1], [-4.0, 7.0, 0.0, 0.1 + 1e-17],
              [8.25, 7.0, np.nan, 0.1], [0.0, 7.0, 2.0, 0.1]])
Z = np.array([[0.5, 7.5, 1.0, 0.2], [-10.0, 6.0, np.nan, 0.1]])
s = StandardScaler().fit(X)
print("standard mean_", r(s.mean_)); print("standard var_", r(s.var_)); print("standard scale_", r(s.scale_))
print("standard n_samples_seen_", list(np.atleast_1d(s.n_samples_seen_)))
print("standard transform", r(s.transform(Z)))
print("standard inverse", r(s.inverse_transform(Z)))
s = StandardScaler(with_mean=False).fit(X)
print("standard with_mean=False transform", r(s.transform(Z)))
m = MinMaxScaler().fit(X)
print("minmax data_min_", r(m.data_min_)); print("minmax data_max_", r(m.data_max_))
print("minmax scale_", r(m.scale_)); print("minmax min_", r(m.min_))
print("minmax transform", r(m.transform(Z)))
m = MinMaxScaler(feature_range=(-2, 3), clip=True).fit(X)
print("minmax(-2,3,clip) transform", r(m.transform(Z)))
print("minmax(-2,3,clip) inverse", r(m.inverse_transform(Z)))

# One-hot encoding of strings and of numbers.
C = np.array([["red", "S"], ["green", "M"], ["blue", "S"], ["green", "L"]], dtype=object)
e = OneHotEncoder(sparse_output=False).fit(C)
print("onehot categories_", [list(c) for c in e.categories_])
print("onehot transform", r(e.transform(C)))
print("onehot names", list(e.get_feature_names_out()))
e = OneHotEncoder(sparse_output=False, handle_unknown="ignore").fit(C)
T = np.array([["purple", "M"], ["red", "XL"]], dtype=object)
print("onehot ignore transform", r(e.transform(T)))
print("onehot ignore inverse", e.inverse_transform(e.transform(T)).tolist())
e = OneHotEncoder(sparse_output=False, drop="first").fit(C)
print("onehot drop=first transform", r(e.transform(C)), list(e.get_feature_names_out()))
print("onehot drop=first inverse", e.inverse_transform(e.transform(C)).tolist())
N = np.array([[3.0, 1.0], [1.0, 2.0], [3.0, 2.0], [2.5, 1.0]])
e = OneHotEncoder(sparse_output=False, drop="if_binary").fit(N)
print("onehot numeric if_binary transform", r(e.transform(N)), list(e.get_feature_names_out(["a", "b"])))
le = LabelEncoder().fit(["tokyo", "paris", "paris", "amsterdam", "tokyo"])
print("label classes_", list(le.classes_), "transform", list(le.transform(["paris", "amsterdam", "tokyo"])))

# Classification metrics on fixed labels.
yt = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1, 3, 0]
yp = [0, 2, 2, 2, 1, 0, 1, 0, 1, 1, 1, 0]
print("accuracy", repr(metrics.accuracy_score(yt, yp)))
print("balanced_accuracy", repr(metrics.balanced_accuracy_score(yt, yp)))
for avg in ["micro", "macro", "weighted"]:
    print(avg, "precision", repr(metrics.precision_score(yt, yp, average=avg)),
          "recall", repr(metrics.recall_score(yt, yp, average=avg)),
          "f1", repr(metrics.f1_score(yt, yp, average=avg)),
          "f2", repr(metrics.fbeta_score(yt, yp, beta=2.0, average=avg)))
p, rc, f, sup = metrics.precision_recall_fscore_support(yt, yp)
print("per-class precision", r(p), "recall", r(rc), "f1", r(f), "support", list(sup))
print("confusion", metrics.confusion_matrix(yt, yp).tolist())
print("confusion labels=[3,0]", metrics.confusion_matrix(yt, yp, labels=[3, 0]).tolist())
bt = ["spam", "ham", "spam", "spam", "ham", "ham", "spam"]
bp = ["spam", "spam", "ham", "spam", "ham", "ham", "spam"]
print("binary precision", repr(metrics.precision_score(bt, bp, pos_label="spam")),
      "recall", repr(metrics.recall_score(bt, bp, pos_label="spam")),
      "f1", repr(metrics.f1_score(bt, bp, pos_label="spam")))
print("REPORT1")
print(metrics.classification_report(yt, yp), end="")
print("REPORT2")
print(metrics.classification_report(bt, bp, digits=4), end="")
print("REPORT3")
print(metrics.classification_report(yt, yp, target_names=["setosa", "versicolor", "virginica", "x"], digits=3), end="")
print("END")
proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
print("log_loss", repr(metrics.log_loss([0, 1, 2, 2, 1], proba)))
print("log_loss binary", repr(metrics.log_loss([1, 0, 1, 1], [0.9, 0.2, 0.6, 1.0])))

# Regression metrics, one and two outputs.
rt = np.array([3.0, -0.5, 2.0, 7.0, 4.25]); rp = np.array([2.5, 0.0, 2.0, 8.0, 3.0])
print("r2", repr(metrics.r2_score(rt, rp)), "mse", repr(metrics.mean_squared_error(rt, rp)),
      "rmse", repr(metrics.root_mean_squared_error(rt, rp)), "mae", repr(metrics.mean_absolute_error(rt, rp)))
Rt = np.stack([rt, rt ** 2], 1); Rp = np.stack([rp, rp ** 2 + 1], 1)
print("2-output r2", repr(metrics.r2_score(Rt, Rp)), "mse", repr(metrics.mean_squared_error(Rt, Rp)),
      "rmse", repr(metrics.root_mean_squared_error(Rt, Rp)), "mae", repr(metrics.mean_absolute_error(Rt, Rp)))
print("r2 constant", repr(metrics.r2_score([1.0, 1.0, 1.0], [1.0, 1.0, 2.0])))

# Folds without shuffling: KFold and StratifiedKFold on labels in a scrambled order.
ys = np.array([2, 0, 1, 1, 0, 2, 2, 0, 1, 0, 2, 1, 1, 0, 2, 0, 0])
for i, (tr, te) in enumerate(StratifiedKFold(4).split(np.zeros(len(ys)), ys)):
    print("skf", i, list(te))
for i, (tr, te) in enumerate(KFold(3).split(np.zeros(11))):
    print("kf", i, list(te))
from sklearn.datasets import load_digits
import hashlib
D = np.loadtxt("data/digits.csv", delimiter=",", skiprows=1)
folds = [list(te) for _, te in StratifiedKFold(5).split(D[:, :-1], D[:, -1].astype(int))]
print("digits skf sizes", [len(f) for f in folds], "first", [f[:5] for f in folds])
# Every digits row's test fold under StratifiedKFold(5), for the Rust test to compare whole folds.
fold_of = np.zeros(len(D), dtype=int)
for i, te in enumerate(folds):
    fold_of[te] = i
np.savetxt("sklearnlike/tests/reference/digits_skf5_folds.txt", fold_of, fmt="%d")
