#!/usr/bin/env python3
"""Reads the event files of `examples/tensorboard_logs.rs` with TensorBoard's
own reader and checks every scalar and histogram against what the example
says it wrote (its history.json and values.json).

    python scripts/check_tensorboard.py LOGDIR     # check an existing run
    python scripts/check_tensorboard.py --run      # build and run the example into a temp dir, then check

The reference is tensorboard 2.21.0: `plugin_event_accumulator` (the
reader behind TensorBoard's Python data path, which checks both CRCs of
every record), `tensor_util.make_ndarray`, and `histogram_pb` (TensorBoard's
numpy bucketing, for our histograms' exact buckets). The TFRecord framing is
also checked byte by byte here with tensorboard's `masked_crc32c`.

Scalars are stored as float32, as `tf.summary.scalar` stores them, so each
is compared exactly with float32(the f64 our JSON holds).
"""

import glob
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
from tensorboard.backend.event_processing import plugin_event_accumulator as pea
from tensorboard.compat.proto import event_pb2
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
from tensorboard.plugins.histogram import summary_v2 as histogram_summary
from tensorboard.util import tensor_util

PASSED, FAILED = [], []


def check(name, ok, detail=""):
    (PASSED if ok else FAILED).append(name)
    print(("ok    " if ok else "FAIL  ") + name + ("" if ok else f": {detail}"))


def records(path):
    """The records of a TFRecord file, checking framing and both CRCs."""
    data = open(path, "rb").read()
    out, pos = [], 0
    while pos < len(data):
        header = data[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[pos + 8 : pos + 12])
        body = data[pos + 12 : pos + 12 + length]
        (dcrc,) = struct.unpack("<I", data[pos + 12 + length : pos + 16 + length])
        if hcrc != masked_crc32c(header) or dcrc != masked_crc32c(body) or len(body) != length:
            raise ValueError(f"{path}: bad record at byte {pos}")
        out.append(body)
        pos += 16 + length
    return out


def accumulate(run_dir):
    acc = pea.EventAccumulator(run_dir, size_guidance={"tensors": 0})
    acc.Reload()
    return acc


def series(acc, tag):
    """(steps, values) of a scalar tag, values as numpy scalars."""
    events = acc.Tensors(tag)
    return [e.step for e in events], [tensor_util.make_ndarray(e.tensor_proto) for e in events]


def f32(values):
    return [np.float32(v) for v in values]


def check_framing(logdir):
    files = sorted(glob.glob(os.path.join(logdir, "**", "events.out.tfevents.*"), recursive=True))
    check("three event files (keras/train, keras/validation, tape)", len(files) == 3, files)
    for path in files:
        rel = os.path.relpath(path, logdir)
        try:
            recs = records(path)
        except ValueError as e:
            check(f"{rel}: framing and CRCs", False, e)
            continue
        first = event_pb2.Event.FromString(recs[0])
        check(f"{rel}: framing and CRCs of {len(recs)} records; file_version first",
              first.file_version == "brain.Event:2" and len(recs) > 1, first)
        check(f"{rel}: name ends in .v2 like TensorFlow 2's", path.endswith(".v2"), path)


def check_keras(logdir):
    hist = json.load(open(os.path.join(logdir, "keras", "history.json")))
    epochs = hist["epoch"]
    n = len(epochs)
    train = accumulate(os.path.join(logdir, "keras", "train"))
    val = accumulate(os.path.join(logdir, "keras", "validation"))
    scalars = set(train.PluginTagToContent("scalars"))
    expected = {"epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss", "batch_accuracy"}
    check("keras/train: the scalars plugin sees Keras' tags", expected <= scalars, sorted(scalars))
    for tag, key in [("epoch_loss", "loss"), ("epoch_accuracy", "accuracy")]:
        steps, values = series(train, tag)
        check(f"keras/train {tag}: steps are the epochs, values float32(history[{key!r}])",
              steps == epochs and values == f32(hist[key]), (steps, values, hist[key]))
        steps, values = series(val, tag)
        check(f"keras/validation {tag}: values float32(history['val_{key}'])",
              steps == epochs and values == f32(hist["val_" + key]), (steps, values))
    steps, values = series(train, "epoch_learning_rate")
    check("keras/train epoch_learning_rate = float32(0.01)", steps == epochs and values == f32([0.01] * n), values)
    # 120 training rows in batches of 10: 12 batches per epoch; batch scalars
    # every 4th global batch (1-based), and the last batch of each epoch
    # carries the epoch's own value (the running mean is complete).
    steps, values = series(train, "batch_loss")
    check("keras/train batch_loss at global batches 4, 8, ...", steps == list(range(4, 12 * n + 1, 4)), steps)
    at_epoch_end = [values[steps.index(12 * (e + 1))] for e in range(n)]
    check("keras/train batch_loss at each epoch's last batch == epoch_loss", at_epoch_end == f32(hist["loss"]))
    steps, values = series(val, "evaluation_loss_vs_iterations")
    check("keras/validation evaluation_loss_vs_iterations at the optimizer's step",
          steps == [12 * (e + 1) for e in range(n)] and values == f32(hist["val_loss"]), steps)
    hist_tags = sorted(train.PluginTagToContent("histograms"))
    sizes = {"kernel": [20, 15], "bias": [5, 3]}
    check("keras/train: 4 weight histograms named <model>/<layer>/<weight>/histogram",
          len(hist_tags) == 4 and all(t.endswith(("/kernel/histogram", "/bias/histogram")) for t in hist_tags),
          hist_tags)
    ok = True
    for tag in hist_tags:
        events = train.Tensors(tag)
        kind = tag.split("/")[-2]
        for e in events:
            a = tensor_util.make_ndarray(e.tensor_proto)
            ok &= a.shape == (30, 3) and a.dtype == np.float64 and int(a[:, 2].sum()) in sizes[kind]
        ok &= [e.step for e in events] == epochs
    check("keras/train: histograms are float64 [30, 3], every epoch, counts = weight sizes", ok)


def check_tape(logdir):
    values = json.load(open(os.path.join(logdir, "tape", "values.json")))
    acc = accumulate(os.path.join(logdir, "tape"))
    steps, losses = series(acc, "loss")
    check("tape loss: steps 0.. and values float32(the f64 losses)",
          steps == list(range(len(values["loss"]))) and losses == f32(values["loss"]), (steps[:3], losses[:3]))
    events = acc.Tensors("w")
    ok = [e.step for e in events] == [s for s, _ in values["w"]]
    for e, (_, w) in zip(events, values["w"]):
        ours = tensor_util.make_ndarray(e.tensor_proto)
        ref = tensor_util.make_ndarray(histogram_summary.histogram_pb("w", np.array(w)).value[0].tensor)
        ok &= ours.shape == ref.shape and np.array_equal(ours, ref)
    check(f"tape w: {len(events)} histograms equal to tensorboard's histogram_pb buckets, bit for bit", ok)
    md = acc.SummaryMetadata("w")
    check("tape w: plugin 'histograms'", md.plugin_data.plugin_name == "histograms", md)


def main():
    args = sys.argv[1:]
    if args[:1] == ["--run"]:
        tmp = tempfile.mkdtemp(prefix="tensorboard-check-")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        # Built as `cargo test --workspace` builds it (same features), so
        # after the tests this compiles nothing.
        build = ["cargo", "build", "--quiet", "--workspace", "--example", "tensorboard_logs"]
        print("+", " ".join(build), flush=True)
        subprocess.run(build, cwd=root, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
        cmd = [os.path.join(target, "debug", "examples", "tensorboard_logs"), "--logdir", tmp, "--epochs", "5", "--quiet"]
        print("+", " ".join(cmd), flush=True)
        subprocess.run(cmd, cwd=root, check=True)
        logdir = tmp
    elif len(args) == 1:
        logdir = args[0]
    else:
        sys.exit(__doc__)
    for part in (check_framing, check_keras, check_tape):
        try:
            part(logdir)
        except Exception as e:  # a reader error is a failed check, not the end of the run
            check(f"{part.__name__} ran", False, repr(e))
    print(f"check_tensorboard: {len(PASSED)} passed, {len(FAILED)} failed")
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
