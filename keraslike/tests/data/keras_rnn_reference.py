"""Reference values for keraslike/tests/rnn_keras.rs, from Keras 3.

Two tiny models with fixed weights (drawn here with NumPy, stored in the
fixture), one forward pass and one SGD step (learning rate 0.5, loss MSE,
the whole batch) each:

  A: ids (3, 5) -> Embedding(7, 3, mask_zero=True) -> LSTM(4, return_sequences=True)
     -> GRU(3) (reset_after) -> Dense(2)
  B: x (3, 4, 2) -> SimpleRNN(3, return_sequences=True, go_backwards=True)
     -> GRU(2, reset_after=False, return_sequences=True) -> LSTM(3) -> Dense(1)
  C: x (3, 5, 2) with zero steps -> Masking(0.0)
     -> RNN(StackedRNNCells([LSTMCell(3), GRUCell(2, reset_after=False)]),
            go_backwards=True, return_sequences=True)
     -> RNN(SimpleRNNCell(2)) -> Dense(1)
  cell_step: one step of GRUCell(3) (x_t (2, 4), state h (2, 3)) and of
     LSTMCell(2) (x_t (2, 4), states h, c (2, 2)): [output, new states...]

Run: KERAS_BACKEND=jax /work/venv/bin/python keras_rnn_reference.py
(keras 3.15.1, jax backend, numpy 2) -> keras_rnn_reference.json
"""
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras
import numpy as np

rng = np.random.default_rng(14)


def model_a():
    ids = np.array([[3, 1, 4, 0, 0], [6, 2, 0, 5, 1], [2, 0, 0, 0, 0]], dtype="int32")
    m = keras.Sequential(
        [
            keras.Input((5,), dtype="int32"),
            keras.layers.Embedding(7, 3, mask_zero=True),
            keras.layers.LSTM(4, return_sequences=True),
            keras.layers.GRU(3),
            keras.layers.Dense(2),
        ]
    )
    y = rng.normal(size=(3, 2)).astype("float32")
    return m, ids, y


def model_b():
    x = rng.normal(size=(3, 4, 2)).astype("float32")
    m = keras.Sequential(
        [
            keras.Input((4, 2)),
            keras.layers.SimpleRNN(3, return_sequences=True, go_backwards=True),
            keras.layers.GRU(2, reset_after=False, return_sequences=True),
            keras.layers.LSTM(3),
            keras.layers.Dense(1),
        ]
    )
    y = rng.normal(size=(3, 1)).astype("float32")
    return m, x, y


def model_c():
    x = rng.normal(size=(3, 5, 2)).astype("float32")
    x[0, 3:] = 0.0  # padding at the end
    x[1, 1] = 0.0  # a masked step in the middle
    x[2, :2] = 0.0  # padding at the start
    m = keras.Sequential(
        [
            keras.Input((5, 2)),
            keras.layers.Masking(0.0),
            keras.layers.RNN(
                keras.layers.StackedRNNCells(
                    [keras.layers.LSTMCell(3), keras.layers.GRUCell(2, reset_after=False)]
                ),
                go_backwards=True,
                return_sequences=True,
            ),
            keras.layers.RNN(keras.layers.SimpleRNNCell(2)),
            keras.layers.Dense(1),
        ]
    )
    y = rng.normal(size=(3, 1)).astype("float32")
    return m, x, y


def cell_step():
    out = {}
    for name, cell, states in [
        ("gru", keras.layers.GRUCell(3), [(2, 3)]),
        ("lstm", keras.layers.LSTMCell(2), [(2, 2), (2, 2)]),
    ]:
        x = rng.normal(size=(2, 4)).astype("float32")
        cell.build((None, 4))
        weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype("float32") for w in cell.get_weights()]
        cell.set_weights(weights)
        s = [rng.normal(size=shape).astype("float32") for shape in states]
        y, new = cell(x, s)
        out[name] = {
            "x": x.ravel().tolist(),
            "weights": [w.ravel().tolist() for w in weights],
            "weight_shapes": [list(w.shape) for w in weights],
            "states": [t.ravel().tolist() for t in s],
            "outputs": [np.asarray(t).ravel().tolist() for t in [y, *new]],
        }
    return out


def case(m, x, y):
    weights = [rng.uniform(-0.6, 0.6, size=w.shape).astype("float32") for w in m.get_weights()]
    m.set_weights(weights)
    out = m.predict(x, verbose=0)
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.5), loss="mse")
    loss = m.train_on_batch(x, y)
    return {
        "x": np.asarray(x).astype("float64").ravel().tolist(),
        "x_shape": list(x.shape),
        "y": y.ravel().tolist(),
        "y_shape": list(y.shape),
        "weights": [w.ravel().tolist() for w in weights],
        "weight_shapes": [list(w.shape) for w in weights],
        "output": out.ravel().tolist(),
        "loss": float(loss),
        "weights_after": [w.ravel().tolist() for w in m.get_weights()],
    }


fixture = {
    "keras": keras.__version__,
    "backend": keras.backend.backend(),
    "a": case(*model_a()),
    "b": case(*model_b()),
    "c": case(*model_c()),
    "cell_step": cell_step(),
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "keras_rnn_reference.json"), "w") as f:
    json.dump(fixture, f)
