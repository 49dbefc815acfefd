"""Train one (framework, workload) pair once and print one JSON line.

Usage: <venv-python> bench_one.py --framework {sklearn,keras,torch} --workload {w1,w2,w3}
                                  [--seed N] [--epochs E] [--data-dir DIR]

Only the training call/loop is timed (time.perf_counter): imports, data
loading, model construction and evaluation are outside the timed region.
Default thread settings everywhere (this machine: 2 cores); PyTorch gets
torch.set_num_threads(2) explicitly.
"""
import argparse
import json
import math
import os
import platform
import sys
import time
import warnings

import numpy as np

# Copied from the team's shared peer scripts; this copy adds --device/--batch
# (PyTorch on a GPU, for scripts/gpu-check.sh).
DEVICE = "cpu"

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import load_workload  # noqa: E402


def loadavg():
    try:
        return list(os.getloadavg())
    except OSError:
        return None


def run_sklearn(d, seed, epochs):
    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    cfg = d["cfg"]
    clf = MLPClassifier(
        hidden_layer_sizes=tuple(cfg["hidden"]),
        activation={"sigmoid": "logistic", "relu": "relu"}[cfg["act"]],
        solver="adam", learning_rate_init=cfg["lr"], batch_size=cfg["batch"],
        max_iter=epochs, n_iter_no_change=1_000_000, tol=0.0, alpha=0.0,
        shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        clf.fit(d["Xtr"], d["ytr"])
        secs = time.perf_counter() - t0
    assert clf.n_iter_ == epochs, (clf.n_iter_, epochs)
    res = dict(train_seconds=secs, final_loss=float(clf.loss_), n_iter=int(clf.n_iter_),
               param_dtype=str(clf.coefs_[0].dtype), versions={"scikit-learn": sklearn.__version__})
    if d["Xte"] is not None:
        res["test_acc"] = float(clf.score(d["Xte"], d["yte"]))
    else:
        res["train_acc"] = float(clf.score(d["Xtr"], d["ytr"]))
    from threadpoolctl import threadpool_info
    res["threadpools"] = [{k: v for k, v in t.items() if k != "filepath"} for t in threadpool_info()]
    return res


def run_keras(d, seed, epochs):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf
    keras = tf.keras
    cfg = d["cfg"]
    keras.utils.set_random_seed(seed)
    layers = [keras.Input(shape=(d["Xtr"].shape[1],))]
    layers += [keras.layers.Dense(h, activation=cfg["act"]) for h in cfg["hidden"]]
    layers += [keras.layers.Dense(d["n_classes"], activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=cfg["lr"]),
                  loss="categorical_crossentropy")
    Y = np.eye(d["n_classes"], dtype=np.float32)[d["ytr"]]
    t0 = time.perf_counter()
    hist = model.fit(d["Xtr"], Y, batch_size=cfg["batch"], epochs=epochs, shuffle=True, verbose=0)
    secs = time.perf_counter() - t0
    assert len(hist.history["loss"]) == epochs
    res = dict(train_seconds=secs, final_loss=float(hist.history["loss"][-1]),
               jit_compile=bool(getattr(model, "jit_compile", False)),
               param_dtype=str(model.weights[0].dtype),
               versions={"tensorflow": tf.__version__, "keras": keras.__version__},
               tf_threads=dict(intra=tf.config.threading.get_intra_op_parallelism_threads(),
                               inter=tf.config.threading.get_inter_op_parallelism_threads()),
               tf_onednn_env=os.environ.get("TF_ENABLE_ONEDNN_OPTS"))
    X_eval, y_eval, key = (d["Xte"], d["yte"], "test_acc") if d["Xte"] is not None \
        else (d["Xtr"], d["ytr"], "train_acc")
    pred = np.argmax(model.predict(X_eval, batch_size=1024, verbose=0), axis=1)
    res[key] = float((pred == y_eval).mean())
    return res


def run_torch(d, seed, epochs, adam_impl="default"):
    import torch
    from torch import nn
    torch.set_num_threads(2)
    torch.manual_seed(seed)
    cfg = d["cfg"]
    act = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU}[cfg["act"]]
    mods, fan_in = [], d["Xtr"].shape[1]
    for h in cfg["hidden"]:
        mods += [nn.Linear(fan_in, h), act()]
        fan_in = h
    mods.append(nn.Linear(fan_in, d["n_classes"]))  # logits; softmax is fused into the loss
    dev = torch.device(DEVICE)
    model = nn.Sequential(*mods).to(dev)
    kw = {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}[adam_impl]
    opt = torch.optim.Adam(model.parameters(), lr=cfg["lr"], **kw)
    loss_fn = nn.CrossEntropyLoss()  # = log_softmax + NLL = softmax + categorical CE
    X = torch.from_numpy(d["Xtr"]).to(dev)
    Y = torch.from_numpy(d["ytr"]).to(dev)
    n, bs = X.shape[0], cfg["batch"]
    g = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=g).to(dev)
        total = 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            xb, yb = X[idx], Y[idx]
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        epoch_loss = total / n
    if dev.type == "cuda":
        torch.cuda.synchronize()
    secs = time.perf_counter() - t0
    res = dict(train_seconds=secs, final_loss=float(epoch_loss), device=DEVICE,
               param_dtype=str(next(model.parameters()).dtype),
               versions={"torch": torch.__version__}, torch_threads=torch.get_num_threads(),
               adam_impl=adam_impl)
    with torch.no_grad():
        if d["Xte"] is not None:
            pred = model(torch.from_numpy(d["Xte"]).to(dev)).argmax(1).cpu().numpy()
            res["test_acc"] = float((pred == d["yte"]).mean())
        else:
            pred = model(X).argmax(1).cpu().numpy()
            res["train_acc"] = float((pred == d["ytr"]).mean())
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", required=True, choices=["sklearn", "keras", "torch"])
    ap.add_argument("--workload", required=True, choices=["w1", "w2", "w3"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=None, help="override the workload's epochs")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--torch-adam", default="default", choices=["default", "foreach", "fused"],
                    help="torch only: Adam implementation (default = what torch picks on CPU)")
    ap.add_argument("--device", default="cpu", help="torch only: cpu or cuda")
    ap.add_argument("--batch", type=int, default=None, help="override the workload's batch size")
    a = ap.parse_args()
    global DEVICE
    DEVICE = a.device

    d = load_workload(a.workload, a.data_dir)
    if a.batch:
        d["cfg"]["batch"] = a.batch
        d["steps_per_epoch"] = math.ceil(len(d["ytr"]) / a.batch)
        dims = d["layer_dims"]
        d["flops_per_step"] = 6 * a.batch * sum(x * y for x, y in zip(dims[:-1], dims[1:]))
    epochs = a.epochs or d["cfg"]["epochs"]
    la0 = loadavg()
    fn = {"sklearn": run_sklearn, "keras": run_keras, "torch": run_torch}[a.framework]
    res = fn(d, a.seed, epochs, a.torch_adam) if a.framework == "torch" else fn(d, a.seed, epochs)
    steps = epochs * d["steps_per_epoch"]
    res.update(
        framework=a.framework, workload=a.workload, seed=a.seed, epochs=epochs, steps=steps,
        n_train=int(len(d["ytr"])), batch=d["cfg"]["batch"],
        per_step_us=res["train_seconds"] / steps * 1e6,
        flops_per_step=d["flops_per_step"],
        gflops=d["flops_per_step"] * steps / res["train_seconds"] / 1e9,
        loadavg_before=la0, loadavg_after=loadavg(),
        python=platform.python_version(), numpy=np.__version__,
        env={k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                             "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
