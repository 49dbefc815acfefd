"""Makes the Keras 3 models in this folder, which keraslike's tests and `examples/keras_interop.rs`
load, and `expected.json`: each model's input batch and Keras' predictions on it.

Run from the repository root with a virtual environment holding keras, h5py and jax:

    KERAS_BACKEND=jax python data/keras/make_keras_models.py

The committed files were made with the versions recorded in `expected.json` (keras 3.15.1,
jax backend). Files:

- `iris_mlp.keras`: the iris classifier of the examples, Sequential Input(4) -> Dense(16, relu)
  -> BatchNormalization -> Dropout(0.2) -> Dense(3, softmax), compiled with Adam(0.01),
  sparse_categorical_crossentropy and accuracy, trained 60 epochs on the training split
  (`data/splits/iris_train_idx.txt`), so the archive holds Adam's state (`optimizer/vars/*`).
- `zoo.keras`: a two-input functional model using every other layer keraslike translates:
  LayerNormalization, Activation, Reshape, Flatten, Concatenate, Dot, Add, Subtract, Multiply,
  Average, Maximum, Minimum, a nested Sequential, a frozen layer (trainable=False), L2/L1L2
  regularizers, Dense without bias; compiled with SGD(momentum) and MSE/MAE with loss weights,
  trained a few steps.
- `cnn.keras`: a two-input functional convnet with every convolutional layer keraslike
  translates: ZeroPadding2D, Conv2D (same/valid, strides, dilation, groups, L2), MaxPooling2D,
  AveragePooling2D, Cropping2D, UpSampling2D, SpatialDropout2D, GlobalAveragePooling2D, and on
  a sequence branch Conv1D (causal), ZeroPadding1D, Cropping1D, MaxPooling1D, AveragePooling1D,
  UpSampling1D, SpatialDropout1D, GlobalMaxPooling1D/2D (keepdims); compiled with Adam and
  categorical cross-entropy, trained a few steps.
- `adam_mlp.keras`: Dense(8, relu) -> BatchNormalization -> Dense(3, softmax) trained 5 Adam
  steps (no dropout, so a training step is deterministic).
- For `zoo` and `adam_mlp`, `expected.json` also holds one `train_on_batch` after loading the
  saved file (`step`: the targets, Keras' loss, and the predictions after the step), which
  checks that training continues from Keras' optimizer state.
- `rnn.keras`: int32 ids -> Embedding(12, 4, mask_zero=True) -> Bidirectional(LSTM(3,
  return_sequences=True)) -> Bidirectional(GRU(2, return_sequences=True), merge_mode="ave")
  -> SimpleRNN(3) -> Dense(2, softmax), trained 2 Adam steps on padded sequences (the mask
  flows from the embedding through every recurrent layer).
- `conv_variants.keras`: Conv2DTranspose (strides 2, same; and valid with output_padding),
  DepthwiseConv2D (depth_multiplier 2), SeparableConv2D (same, L2 on the pointwise kernel)
  between an (8, 8, 3) input and GlobalAveragePooling2D -> Dense(3, softmax), trained 2 Adam
  steps; with a one-step reference (no dropout).
- `td.keras`: (5, 3) sequences -> TimeDistributed(Dense(4, relu)) -> Masking -> LSTM(3) ->
  Dense(2), trained 2 SGD steps; with a one-step reference.
- `rnn_cells.keras`: (5, 2) sequences with masked steps -> Masking -> RNN(StackedRNNCells(
  [LSTMCell(3), GRUCell(2)]), go_backwards=True, return_sequences=True) -> RNN(SimpleRNNCell(2))
  -> Dense(2), trained 2 SGD-momentum steps; with a one-step reference.
- `unsupported.keras`: a Conv3D model, for the error naming the layer keraslike cannot build.
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax
import keras
import numpy as np
from keras import layers as L

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..")


def iris():
    data = np.loadtxt(os.path.join(DATA, "iris.csv"), delimiter=",", skiprows=1)
    x, y = data[:, :4].astype("float32"), data[:, 4].astype("int64")
    train = np.loadtxt(os.path.join(DATA, "splits", "iris_train_idx.txt"), dtype=int)
    test = np.loadtxt(os.path.join(DATA, "splits", "iris_test_idx.txt"), dtype=int)
    return x[train], y[train], x[test], y[test]


def iris_mlp():
    keras.utils.set_random_seed(7)
    xtr, ytr, xte, yte = iris()
    model = keras.Sequential(
        [keras.Input((4,)), L.Dense(16, activation="relu"), L.BatchNormalization(), L.Dropout(0.2),
         L.Dense(3, activation="softmax")],
        name="iris_mlp",
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(xtr, ytr, epochs=60, batch_size=16, verbose=0, shuffle=False)
    _, acc = model.evaluate(xte, yte, verbose=0)
    return model, [xte], {"test_accuracy": float(acc)}


def zoo():
    keras.utils.set_random_seed(8)
    a = keras.Input((6,), name="a")
    b = keras.Input((2, 3), name="b")
    h = L.Dense(6, activation="tanh", kernel_regularizer=keras.regularizers.L2(0.01), name="d1")(a)
    h = L.LayerNormalization(epsilon=1e-3, name="ln")(h)
    fb = L.Flatten(name="flat")(b)
    fb = L.Activation("relu", name="act")(fb)
    inner = keras.Sequential([keras.Input((6,)), L.Dense(6, use_bias=False, activation="sigmoid"),
                              L.Reshape((2, 3)), L.Flatten()], name="inner")
    g = inner(fb)
    merged = [L.Add(name="add")([h, g]), L.Subtract(name="sub")([h, g]), L.Multiply(name="mul")([h, g]),
              L.Average(name="avg")([h, g]), L.Maximum(name="max")([h, g]), L.Minimum(name="min")([h, g])]
    cat = L.Concatenate(name="cat")(merged)
    frozen = L.Dense(4, name="frozen", trainable=False)(cat)
    dot = L.Dot(axes=1, normalize=True, name="dot")([h, g])
    out1 = L.Dense(2, name="out1", bias_regularizer=keras.regularizers.L1L2(0.001, 0.002))(frozen)
    out2 = L.Dense(1, activation="sigmoid", name="out2")(L.Concatenate(name="cat2")([frozen, dot]))
    model = keras.Model([a, b], [out1, out2], name="zoo")
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss=["mse", "mae"],
                  loss_weights=[1.0, 0.5])
    rng = np.random.default_rng(0)
    xs = [rng.normal(size=(8, 6)).astype("float32"), rng.normal(size=(8, 2, 3)).astype("float32")]
    ys = [rng.normal(size=(8, 2)).astype("float32"), rng.uniform(size=(8, 1)).astype("float32")]
    model.fit(xs, ys, epochs=2, batch_size=4, verbose=0, shuffle=False)
    return model, xs, {"step_targets": ys}


def adam_mlp():
    keras.utils.set_random_seed(11)
    model = keras.Sequential([keras.Input((4,)), L.Dense(8, activation="relu"), L.BatchNormalization(),
                              L.Dense(3, activation="softmax")], name="adam_mlp")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(2)
    x = rng.normal(size=(10, 4)).astype("float32")
    y = rng.integers(0, 3, size=10)
    model.fit(x, y, epochs=5, batch_size=10, verbose=0, shuffle=False)
    return model, [x], {"step_targets": [y]}


def cnn():
    keras.utils.set_random_seed(10)
    img = keras.Input((9, 9, 2), name="img")
    seq = keras.Input((12, 3), name="seq")
    h = L.ZeroPadding2D(((1, 0), (0, 1)), name="zp2")(img)
    h = L.Conv2D(4, 3, padding="same", activation="relu", kernel_regularizer=keras.regularizers.L2(1e-3),
                 name="c2a")(h)
    h = L.MaxPooling2D(2, name="mp2")(h)
    h = L.Conv2D(4, (2, 3), strides=(1, 1), groups=2, name="c2b")(h)
    h = L.UpSampling2D((2, 1), name="up2")(h)
    h = L.Cropping2D(((1, 0), (0, 0)), name="cr2")(h)
    h = L.Conv2D(3, 2, dilation_rate=2, padding="valid", use_bias=False, name="c2c")(h)
    h = L.AveragePooling2D(2, strides=1, padding="same", name="ap2")(h)
    h = L.SpatialDropout2D(0.3, name="sd2")(h)
    g1 = L.GlobalAveragePooling2D(name="gap2")(h)
    g2 = L.Flatten(name="flat2")(L.GlobalMaxPooling2D(keepdims=True, name="gmp2")(h))
    s = L.Conv1D(5, 3, padding="causal", activation="tanh", name="c1a")(seq)
    s = L.ZeroPadding1D(2, name="zp1")(s)
    s = L.Cropping1D((1, 2), name="cr1")(s)
    s = L.MaxPooling1D(2, name="mp1")(s)
    s = L.UpSampling1D(3, name="up1")(s)
    s = L.Conv1D(4, 2, strides=2, dilation_rate=1, name="c1b")(s)
    s = L.AveragePooling1D(2, padding="same", name="ap1")(s)
    s = L.SpatialDropout1D(0.2, name="sd1")(s)
    g3 = L.GlobalMaxPooling1D(name="gmp1")(s)
    g4 = L.GlobalAveragePooling1D(name="gap1")(s)
    out = L.Dense(3, activation="softmax", name="out")(L.Concatenate(name="cat")([g1, g2, g3, g4]))
    model = keras.Model([img, seq], out, name="cnn")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(1)
    xs = [rng.normal(size=(6, 9, 9, 2)).astype("float32"), rng.normal(size=(6, 12, 3)).astype("float32")]
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=6)]
    model.fit(xs, y, epochs=2, batch_size=3, verbose=0, shuffle=False)
    return model, xs, {}


def rnn():
    keras.utils.set_random_seed(12)
    model = keras.Sequential([
        keras.Input((6,), dtype="int32"),
        L.Embedding(12, 4, mask_zero=True),
        L.Bidirectional(L.LSTM(3, return_sequences=True)),
        L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="ave"),
        L.SimpleRNN(3),
        L.Dense(2, activation="softmax"),
    ], name="rnn")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    x = np.array([[3, 5, 1, 0, 0, 0], [7, 2, 9, 11, 4, 0], [1, 1, 0, 0, 0, 0], [6, 10, 8, 3, 2, 5]],
                 dtype="int32")
    y = np.array([0, 1, 0, 1])
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    return model, [x], {}


def conv_variants():
    keras.utils.set_random_seed(13)
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        L.Conv2DTranspose(4, 3, strides=2, padding="same", activation="relu"),
        L.DepthwiseConv2D(3, depth_multiplier=2, activation="tanh"),
        L.SeparableConv2D(5, 3, padding="same", pointwise_regularizer=keras.regularizers.L2(1e-3)),
        L.Conv2DTranspose(2, 3, strides=2, output_padding=1, use_bias=False),
        L.DepthwiseConv2D((2, 3), strides=(1, 2), padding="same"),
        L.GlobalAveragePooling2D(),
        L.Dense(3, activation="softmax"),
    ], name="conv_variants")
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 8, 8, 3)).astype("float32")
    y = np.array([0, 2, 1, 0])
    model.fit(x, y, epochs=2, batch_size=4, verbose=0, shuffle=False)
    return model, [x], {"step_targets": [y]}


def td():
    keras.utils.set_random_seed(14)
    model = keras.Sequential([
        keras.Input((5, 3)),
        L.TimeDistributed(L.Dense(4, activation="relu")),
        L.Masking(0.0),
        L.LSTM(3),
        L.Dense(2),
    ], name="td")
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 5, 3)).astype("float32")
    x[0, 3:] = 0.0  # padding: TimeDistributed(Dense(relu)) of zeros is relu(bias) = 0 at the start
    y = rng.normal(size=(3, 2)).astype("float32")
    model.fit(x, y, epochs=2, batch_size=3, verbose=0, shuffle=False)
    return model, [x], {"step_targets": [y]}


def rnn_cells():
    keras.utils.set_random_seed(15)
    model = keras.Sequential([
        keras.Input((5, 2)),
        L.Masking(0.0),
        L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]), go_backwards=True, return_sequences=True),
        L.RNN(L.SimpleRNNCell(2)),
        L.Dense(2),
    ], name="rnn_cells")
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 5, 2)).astype("float32")
    x[0, 3:] = 0.0
    x[2, :2] = 0.0
    y = rng.normal(size=(3, 2)).astype("float32")
    model.fit(x, y, epochs=2, batch_size=3, verbose=0, shuffle=False)
    return model, [x], {"step_targets": [y]}


def unsupported():
    keras.utils.set_random_seed(9)
    model = keras.Sequential([keras.Input((4, 4, 4, 1)), L.Conv3D(2, 3, name="conv"), L.Flatten(), L.Dense(1)])
    return model, [np.zeros((1, 4, 4, 4, 1), "float32")], {}


def main():
    out = {"versions": {"keras": keras.__version__, "jax": jax.__version__, "numpy": np.__version__,
                        "backend": keras.backend.backend()},
           "models": {}}
    for name, make in [("iris_mlp", iris_mlp), ("zoo", zoo), ("cnn", cnn), ("adam_mlp", adam_mlp),
                       ("rnn", rnn), ("conv_variants", conv_variants),
                       ("td", td), ("rnn_cells", rnn_cells), ("unsupported", unsupported)]:
        keras.backend.clear_session()
        model, xs, extra = make()
        ys = extra.pop("step_targets", None)
        preds = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        preds = preds if isinstance(preds, list) else [preds]
        path = os.path.join(HERE, name + ".keras")
        model.save(path)
        out["models"][name] = dict(inputs=[x.tolist() for x in xs],
                                   predictions=[np.asarray(p).tolist() for p in preds], **extra)
        if ys is not None:
            # One step from the saved file, as keraslike will do it.
            loaded = keras.models.load_model(path)
            single = lambda v: v if len(v) > 1 else v[0]
            logs = loaded.train_on_batch(single(xs), single(ys), return_dict=True)
            after = loaded.predict(single(xs), verbose=0)
            after = after if isinstance(after, list) else [after]
            out["models"][name]["step"] = dict(
                targets=[np.asarray(t).tolist() for t in ys], loss=float(logs["loss"]),
                predictions_after=[np.asarray(p).tolist() for p in after])
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
