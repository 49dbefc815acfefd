"""Keras 3 references for keraslike/tests/functional.rs.

Run: KERAS_BACKEND=jax python functional_fit.py ../data/keras_functional.safetensors
(versions used are written into the file's metadata: keras, jax, numpy).

A two-input, two-output functional model (two Dense branches, Concatenate and Add, a softmax head
and a regression head) and a Sequential MLP, from fixed starting weights:
- forward outputs on fixed inputs;
- weights after one SGD(0.1) train_on_batch;
- per-epoch logs and final weights of fit(..., shuffle=False) with Adam(0.01) and SGD(0.05,
  momentum=0.9, nesterov=False), batch 4, 3 epochs, on 12 samples.
Every array is stored under a name like "func/init/ha/kernel" or "seq/adam/logs/loss".
"""
import os, sys
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras
from keras import layers as L
from safetensors.numpy import save_file

out = {}
rng = np.random.default_rng(42)
n = 12
xa = rng.normal(size=(n, 4)).astype("float32")
xb = rng.normal(size=(n, 3)).astype("float32")
labels = rng.integers(0, 3, size=n)
ycls = np.eye(3, dtype="float32")[labels]
yreg = rng.normal(size=(n, 1)).astype("float32")
out.update({"data/xa": xa, "data/xb": xb, "data/ycls": ycls, "data/yreg": yreg})


def functional():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    ha = L.Dense(5, activation="tanh", name="ha")(a)
    hb = L.Dense(5, activation="tanh", name="hb")(b)
    cat = L.Concatenate(name="cat")([ha, hb])
    add = L.Add(name="add")([ha, hb])
    cls = L.Dense(3, activation="softmax", name="cls")(cat)
    reg = L.Dense(1, name="reg")(add)
    return keras.Model([a, b], [cls, reg], name="two_heads")


def sequential():
    return keras.Sequential([keras.Input((4,)), L.Dense(5, activation="sigmoid", name="h"),
                             L.Dense(3, activation="softmax", name="out")])


init_rng = np.random.default_rng(7)
func_init = {}
for layer in functional().layers:
    for w in layer.weights:
        func_init[f"{layer.name}/{w.name}"] = init_rng.normal(0, 0.5, size=w.shape).astype("float32")
seq_init = {}
for layer in sequential().layers:
    for w in layer.weights:
        seq_init[f"{layer.name}/{w.name}"] = init_rng.normal(0, 0.5, size=w.shape).astype("float32")


def load(model, init):
    for layer in model.layers:
        for w in layer.weights:
            w.assign(init[f"{layer.name}/{w.name}"])


def dump(prefix, model):
    for layer in model.layers:
        for w in layer.weights:
            out[f"{prefix}/{layer.name}/{w.name}"] = np.asarray(w)


for k, v in func_init.items():
    out[f"func/init/{k}"] = v
for k, v in seq_init.items():
    out[f"seq/init/{k}"] = v

compile_func = dict(loss={"cls": "categorical_crossentropy", "reg": "mse"}, loss_weights={"cls": 1.0, "reg": 0.5},
                    metrics={"cls": ["accuracy"], "reg": ["mae"]})

# Forward and one SGD step.
m = functional(); load(m, func_init)
cls_out, reg_out = m([xa, xb], training=False)
out["func/forward/cls"] = np.asarray(cls_out); out["func/forward/reg"] = np.asarray(reg_out)
m.compile(optimizer=keras.optimizers.SGD(0.1), **compile_func)
logs = m.train_on_batch([xa, xb], {"cls": ycls, "reg": yreg}, return_dict=True)
for k, v in logs.items():
    out[f"func/sgd_step/logs/{k}"] = np.array([v], dtype="float64")
dump("func/sgd_step", m)

optimizers = {
    "adam": lambda: keras.optimizers.Adam(0.01),
    "momentum": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
}
for name, make in optimizers.items():
    m = functional(); load(m, func_init)
    m.compile(optimizer=make(), **compile_func)
    h = m.fit([xa, xb], {"cls": ycls, "reg": yreg}, batch_size=4, epochs=3, shuffle=False, verbose=0)
    for k, v in h.history.items():
        out[f"func/{name}/logs/{k}"] = np.array(v, dtype="float64")
    dump(f"func/{name}", m)

    s = sequential(); load(s, seq_init)
    s.compile(optimizer=make(), loss="categorical_crossentropy", metrics=["accuracy"])
    h = s.fit(xa, ycls, batch_size=4, epochs=3, shuffle=False, verbose=0)
    for k, v in h.history.items():
        out[f"seq/{name}/logs/{k}"] = np.array(v, dtype="float64")
    dump(f"seq/{name}", s)

import jax
meta = {"keras": keras.__version__, "backend": keras.backend.backend(), "jax": jax.__version__,
        "numpy": np.__version__, "script": "keraslike/tests/reference/functional_fit.py"}
save_file({k: np.ascontiguousarray(v) for k, v in out.items()}, sys.argv[1], metadata=meta)
print(sorted(out.keys()))

# The summary text of tests/data/keras_summary_two_heads.txt came from:
#   COLUMNS=200 KERAS_BACKEND=jax python -c "<the script below>" | head -23
# a = keras.Input((4,), name="a"); b = keras.Input((3,), name="b")
# h1 = L.Dense(8, name="d1")(a); h2 = L.Dense(8, name="d2")(b)
# c = L.Concatenate(name="cat")([h1, h2]); s = L.Add(name="add")([h1, h2])
# cls = L.Dense(3, activation="softmax", name="cls")(c); reg = L.Dense(1, name="reg")(s)
# keras.Model([a, b], [cls, reg], name="two_heads").summary()
