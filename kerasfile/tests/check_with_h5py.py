"""Checks kerasfile against h5py and Keras 3 in both directions.

    python kerasfile/tests/check_with_h5py.py            # from the repository root

Needs numpy, h5py and keras (+ jax, which Keras' numpy backend imports); without them it prints
"SKIP: ..." and exits 0, so CI can run it unconditionally. Builds kerasfile's `h5tool` example
with cargo (or uses the binary named by $H5TOOL), then:

1. Reading: for the committed fixtures (Keras-made files, and h5py-made files with every dtype
   and attribute kind, compact storage, big-endian values, fixed-length strings, a user block,
   libver="latest" with version-2 object headers and link messages) and a 300-member group made
   here, what `h5tool describe` reads equals what h5py reads.
2. Refusals: chunked/compressed datasets, dense link storage and soft links give kerasfile's
   "unsupported" error, not a crash or a wrong tree.
3. Writing: every file above rewritten by kerasfile (`h5tool rewrite`) reads in h5py exactly as
   the original; kerasfile's own sample file (every dtype it writes, a two-level B-tree) reads in
   h5py as kerasfile describes it, and its values are checked here independently.
4. Keras: the rewritten `.keras` fixtures load with `keras.models.load_model` and the rewritten
   `.weights.h5` with `load_weights`, and predict exactly what the originals predict (the
   numpy backend here) and what Keras predicted when it made them (jax, manifest.json) to 1e-5.
"""
import json
import os
import subprocess
import sys
import tempfile

try:
    os.environ.setdefault("KERAS_BACKEND", "numpy")
    import h5py
    import numpy as np
    import keras
except Exception as e:  # noqa: BLE001 - any import failure means "not available here"
    print(f"SKIP: kerasfile h5py/Keras check needs numpy, h5py, keras and jax ({e})")
    sys.exit(0)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
sys.path.insert(0, FIXTURES)
from h5describe import describe_h5  # noqa: E402

FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        FAILURES.append(what)


def tool():
    if os.environ.get("H5TOOL"):
        return os.environ["H5TOOL"]
    root = os.path.dirname(os.path.dirname(HERE))
    subprocess.run(["cargo", "build", "-q", "-p", "kerasfile", "--example", "h5tool"], cwd=root, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
    return os.path.join(target, "debug", "examples", "h5tool")


H5TOOL = tool()


def run(*args):
    return subprocess.run([H5TOOL, *map(str, args)], capture_output=True, text=True)


def ours(path):
    r = run("describe", path)
    if r.returncode != 0:
        return "error: " + r.stderr.strip()
    return json.loads(r.stdout.splitlines()[0])


def h5py_view(path):
    if path.endswith(".keras"):
        import io
        import zipfile
        with zipfile.ZipFile(path) as z:
            data = z.read("model.weights.h5")
        with h5py.File(io.BytesIO(data), "r") as f:
            return describe_h5(f)
    with h5py.File(path, "r") as f:
        return describe_h5(f)


def first_difference(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a if a != b else None
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            return f"{k}: kerasfile {json.dumps(a.get(k))[:300]} / h5py {json.dumps(b.get(k))[:300]}"
    return None


def make_h5py_files(d):
    """h5py files too large to commit: a 300-member old-style group (a B-tree of several
    levels' worth of symbol table nodes)."""
    p = os.path.join(d, "many.h5")
    with h5py.File(p, "w") as f:
        many = f.create_group("many")
        for i in range(300):
            many.create_group(f"m{i:03d}")
        many["m150"].attrs["i"] = 150
        f["many/m007/x"] = np.arange(3, dtype="f4")
    return {"many.h5": p}


def make_refused(d):
    refused = {}
    p = os.path.join(d, "chunked.h5")
    with h5py.File(p, "w") as f:
        f.create_dataset("x", data=np.arange(100, dtype="f4"), chunks=(10,), compression="gzip")
    refused[p] = "chunked dataset storage"
    p = os.path.join(d, "dense.h5")
    with h5py.File(p, "w", libver="latest") as f:
        for i in range(20):
            f[f"v{i}"] = np.float32(i)
    refused[p] = "dense link storage"
    p = os.path.join(d, "soft.h5")
    with h5py.File(p, "w") as f:
        f["x"] = np.float32(1)
        f["y"] = h5py.SoftLink("/x")
    refused[p] = "soft link"
    return refused


def check_sample(path, d):
    with h5py.File(path, "r") as f:
        check(f.attrs["title"] == "kerasfile sample ✓" and f.attrs["count"] == 3
              and f.attrs["ratio"] == 0.25 and list(f.attrs["names"]) == ["a", "", "ünï"]
              and f.attrs["empty"] == "" and f.attrs["ints"].tolist() == [[1, -2], [3, -4]],
              "sample: h5py reads kerasfile's attributes")
        dt = f["dtypes"]
        check(dt["float16"][()].ravel().tolist() == [1.0, -2.0, 0.5, 65504.0, 2.0 ** -24, 0.0]
              and dt["float16"].dtype == np.float16, "sample: float16 values and dtype")
        bf = dt["bfloat16"]
        bits = bf[()].view(np.uint16).astype(np.uint32) << 16
        check(bf.attrs["dtype"] == "bfloat16" and bf.dtype.itemsize == 2
              and bits.view(np.float32).ravel().tolist() == [1.0, -2.0, 0.5, 3.140625, 2.0 ** -133, 0.0],
              "sample: bfloat16 as Keras stores it")
        check(dt["bool"].dtype == np.bool_ and dt["bool"][()].ravel().tolist() == [True, False, True, True, False, False],
              "sample: bool as h5py's enum")
        check(dt["uint64"][()].ravel().tolist()[-1] == 2 ** 64 - 1 and dt["int64"].dtype == np.int64,
              "sample: 64-bit integers")
        check(f["shapes/scalar"].shape == () and f["shapes/scalar"][()] == 42
              and f["shapes/empty"].shape == (0, 3) and f["shapes/rank4"].shape == (1, 2, 1, 2),
              "sample: scalar, empty and rank-4 shapes")
        check(len(f["many"]) == 300 and f["many/g299"].attrs["i"] == 299 and "g150" in f["many"],
              "sample: a 300-member group (two-level B-tree)")
    view, mine = h5py_view(path), ours(path)
    check(view == mine, f"sample: h5py's view equals kerasfile's ({first_difference(mine, view)})")


def check_keras(d, manifest):
    os.makedirs(d, exist_ok=True)
    for name in ["mlp.keras", "functional.keras", "conv.keras"]:
        out = os.path.join(d, "rewritten_" + name)
        r = run("rewrite", os.path.join(FIXTURES, name), out)
        if r.returncode != 0:
            check(False, f"keras: rewrite {name}: {r.stderr.strip()}")
            continue
        info = manifest["files"][name]
        xs = [np.array(x, dtype="float32") for x in info["inputs"]]
        xs = xs if len(xs) > 1 else xs[0]
        original = keras.models.load_model(os.path.join(FIXTURES, name)).predict(xs, verbose=0)
        model = keras.models.load_model(out)
        pred = model.predict(xs, verbose=0)
        check(np.array_equal(pred, original) and np.allclose(pred, info["predictions"], rtol=0, atol=1e-5),
              f"keras: load_model(kerasfile's rewrite of {name}) predicts exactly what the original does"
              f" (and Keras' saved predictions to 1e-5)")
        if name == "mlp.keras":
            check(len(model.optimizer.variables) == 14 and int(model.optimizer.iterations) == 15,
                  "keras: the optimizer state survives the rewrite")
    for name, build in [("mlp.weights.h5", None), ("lstm.weights.h5", "lstm")]:
        out = os.path.join(d, "rewritten_" + name)
        r = run("rewrite", os.path.join(FIXTURES, name), out)
        if r.returncode != 0:
            check(False, f"keras: rewrite {name}: {r.stderr.strip()}")
            continue
        if build == "lstm":
            L = keras.layers
            model = keras.Sequential([keras.Input((5, 3)), L.LSTM(4), L.Dense(2)])
        else:
            model = keras.models.load_model(os.path.join(FIXTURES, "mlp.keras"))
        info = manifest["files"][name]
        x = np.array(info["inputs"][0], dtype="float32")
        model.load_weights(os.path.join(FIXTURES, name))
        original = model.predict(x, verbose=0)
        for w in model.weights:
            w.assign(np.zeros(w.shape, w.dtype))
        model.load_weights(out)
        pred = model.predict(x, verbose=0)
        check(np.array_equal(pred, original) and np.allclose(pred, info["predictions"], rtol=0, atol=1e-5),
              f"keras: load_weights(kerasfile's rewrite of {name}) predicts exactly what the original does"
              f" (and Keras' saved predictions to 1e-5)")


def main():
    with open(os.path.join(FIXTURES, "manifest.json")) as f:
        manifest = json.load(f)
    with tempfile.TemporaryDirectory() as d:
        files = make_h5py_files(d)
        for name in manifest["files"]:
            files[name] = os.path.join(FIXTURES, name)
        for name, path in files.items():
            view, mine = h5py_view(path), ours(path)
            check(view == mine, f"read {name}: kerasfile sees what h5py sees ({first_difference(mine, view)})")
            out = os.path.join(d, "rewritten_" + os.path.basename(path))
            r = run("rewrite", path, out)
            ok = r.returncode == 0 and h5py_view(out) == view
            check(ok, f"write {name}: h5py reads kerasfile's rewrite as the original ({r.stderr.strip()})")
        for path, expected in make_refused(d).items():
            r = run("describe", path)
            check(r.returncode == 1 and "unsupported" in r.stderr and expected in r.stderr,
                  f"refuse {os.path.basename(path)}: {r.stderr.strip()}")
        sample = os.path.join(d, "sample.h5")
        r = run("sample", sample)
        check(r.returncode == 0, f"sample written ({r.stderr.strip()})")
        if r.returncode == 0:
            check_sample(sample, d)
        check_keras(os.path.join(d, "keras"), manifest)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed")
        sys.exit(1)
    print("all kerasfile/h5py/Keras checks passed")


if __name__ == "__main__":
    main()
