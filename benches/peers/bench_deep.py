"""Peer baselines for the convolutional and recurrent workloads (W4, W5): train one framework
once and print one JSON line, like bench_one.py.

W4  MNIST sample, Keras' "simple MNIST convnet": Input(28,28,1) -> Conv2D(32,3,relu) -> MaxPool(2)
    -> Conv2D(64,3,relu) -> MaxPool(2) -> Flatten -> Dropout(0.5) -> Dense(10, softmax);
    Adam 1e-3, batch 128, 3 epochs over the 8,000 training images (63 steps/epoch).
W5  MNIST sample, each image as a sequence of 28 rows of 28 pixels: LSTM(128) -> Dense(10, softmax);
    Adam 1e-3, batch 128, 3 epochs.
Data: data/mnist_sample.csv(.gz) / 255, scikit-learn's train_test_split(test_size=0.2, random_state=0,
stratify=y), as common.py does for W1/W2. Only training is timed.

Usage: <venv-python> bench_deep.py --framework {keras,torch} --workload {w4,w5} [--seed N] [--epochs E]
"""
import argparse, json, math, os, sys, time
import numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import DEFAULT_DATA_DIR, load_csv, split  # noqa: E402

CONFIGS = {"w4": dict(name="W4 mnist convnet", batch=128, epochs=3, lr=1e-3),
           "w5": dict(name="W5 mnist rows LSTM", batch=128, epochs=3, lr=1e-3)}


def load(wl, data_dir=None):
    base = os.path.join(data_dir or DEFAULT_DATA_DIR, "mnist_sample.csv")
    # The repository ships the gzipped file (numpy reads .gz itself).
    X, y = load_csv(base if os.path.exists(base) else base + ".gz")
    tr, te = split(X, y)
    X = (X / 255.0).astype(np.float32)
    shape = (-1, 28, 28, 1) if wl == "w4" else (-1, 28, 28)
    return X[tr].reshape(shape), y[tr], X[te].reshape(shape), y[te]


def run_keras(wl, seed, epochs, cfg, d):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from keras import layers as L
    keras.utils.set_random_seed(seed)
    if wl == "w4":
        model = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"), L.MaxPooling2D(2),
                                  L.Conv2D(64, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(),
                                  L.Dropout(0.5), L.Dense(10, activation="softmax")])
    else:
        model = keras.Sequential([keras.Input((28, 28)), L.LSTM(128), L.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(cfg["lr"]), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    Xtr, ytr, Xte, yte = d
    t0 = time.perf_counter()
    h = model.fit(Xtr, ytr, batch_size=cfg["batch"], epochs=epochs, shuffle=True, verbose=0)
    secs = time.perf_counter() - t0
    acc = float(model.evaluate(Xte, yte, verbose=0)[1])
    return dict(train_seconds=secs, final_loss=float(h.history["loss"][-1]), test_acc=acc,
                versions={"keras": keras.__version__, "backend": keras.backend.backend()})


def run_torch(wl, seed, epochs, cfg, d):
    import torch
    from torch import nn
    torch.set_num_threads(int(os.environ.get("BENCH_THREADS", "2")))
    torch.manual_seed(seed)
    if wl == "w4":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Flatten(), nn.Dropout(0.5), nn.Linear(64 * 5 * 5, 10))
        prep = lambda x: x.permute(0, 3, 1, 2)  # NHWC -> NCHW  # noqa: E731
    else:
        class Rows(nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm, self.out = nn.LSTM(28, 128, batch_first=True), nn.Linear(128, 10)
            def forward(self, x):
                return self.out(self.lstm(x)[0][:, -1])
        model, prep = Rows(), (lambda x: x)
    try:
        opt, adam_impl = torch.optim.Adam(model.parameters(), lr=cfg["lr"], fused=True), "fused"
    except (RuntimeError, TypeError):
        # torch < 2.0 (e.g. Debian's python3-torch 1.13) has no fused Adam on the CPU.
        opt, adam_impl = torch.optim.Adam(model.parameters(), lr=cfg["lr"], foreach=True), "foreach"
    loss_fn = nn.CrossEntropyLoss()
    Xtr, ytr, Xte, yte = d
    X, Y = prep(torch.from_numpy(np.ascontiguousarray(Xtr))).contiguous(), torch.from_numpy(ytr)
    n, bs = X.shape[0], cfg["batch"]
    g = torch.Generator().manual_seed(seed)
    model.train()
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm, total = torch.randperm(n, generator=g), 0.0
        for i in range(0, n, bs):
            idx = perm[i:i + bs]
            loss = loss_fn(model(X[idx]), Y[idx])
            opt.zero_grad(); loss.backward(); opt.step()
            total += loss.item() * idx.shape[0]
    secs = time.perf_counter() - t0
    model.eval()
    with torch.no_grad():
        pred = model(prep(torch.from_numpy(np.ascontiguousarray(Xte))).contiguous()).argmax(1).numpy()
    return dict(train_seconds=secs, final_loss=total / n, test_acc=float((pred == yte).mean()),
                versions={"torch": torch.__version__}, adam_impl=adam_impl,
                threads=torch.get_num_threads())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", required=True, choices=["keras", "torch"])
    ap.add_argument("--workload", required=True, choices=["w4", "w5"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--data-dir", default=None)
    a = ap.parse_args()
    cfg = CONFIGS[a.workload]
    epochs = a.epochs or cfg["epochs"]
    d = load(a.workload, a.data_dir)
    res = {"keras": run_keras, "torch": run_torch}[a.framework](a.workload, a.seed, epochs, cfg, d)
    steps = epochs * math.ceil(len(d[1]) / cfg["batch"])
    res.update(framework=a.framework, workload=a.workload, seed=a.seed, epochs=epochs, steps=steps,
               batch=cfg["batch"], per_step_us=res["train_seconds"] / steps * 1e6,
               loadavg=list(os.getloadavg()))
    print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
