"""Checks that Keras 3 loads the `.keras` and `.weights.h5` files keraslike wrote and predicts
what keraslike predicted (to 1e-5). Run by `cargo test -p keraslike --test keras_files`
(`keras_loads_what_keraslike_saves`) with the folder it wrote:

    KERAS_BACKEND=numpy python data/keras/check_keras_loads.py DIR

DIR holds `cases.json` ({name: {"inputs": [...], "predictions": [...], "weights_file"?,
"iterations"?}}) and `<name>.keras` for each case. Prints `OK <name>` per case; exits 1 on the
first difference. Needs keras, h5py and jax (the numpy backend imports jax).
"""
import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "numpy")

import keras
import numpy as np


def main(folder):
    with open(os.path.join(folder, "cases.json")) as f:
        cases = json.load(f)
    for name, case in sorted(cases.items()):
        with warnings.catch_warnings():
            # A warning while loading means something was skipped (e.g. optimizer variables).
            warnings.simplefilter("error")
            model = keras.models.load_model(os.path.join(folder, name + ".keras"))
        xs = [np.asarray(x) for x in case["inputs"]]
        xs = [x.astype("int32") if x.dtype.kind == "i" else x.astype("float32") for x in xs]
        preds = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        preds = preds if isinstance(preds, list) else [preds]
        for i, (got, want) in enumerate(zip(preds, case["predictions"])):
            diff = np.max(np.abs(np.asarray(got) - np.asarray(want, "float32")))
            if not diff <= 1e-5:
                sys.exit(f"{name} output {i}: Keras differs from keraslike by {diff}")
        if "iterations" in case:
            it = int(model.optimizer.iterations.numpy())
            if it != case["iterations"]:
                sys.exit(f"{name}: optimizer iterations {it}, keraslike saved {case['iterations']}")
        if "weights_file" in case:
            fresh = keras.models.clone_model(model)
            fresh.load_weights(os.path.join(folder, case["weights_file"]))
            got = fresh.predict(xs if len(xs) > 1 else xs[0], verbose=0)
            diff = np.max(np.abs(np.asarray(got) - np.asarray(case["predictions"][0], "float32")))
            if not diff <= 1e-5:
                sys.exit(f"{name}: after load_weights Keras differs from keraslike by {diff}")
        print("OK", name, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
