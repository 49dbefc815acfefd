"""Reference values for keraslike/tests/rnn_keras.rs, from Keras 3.

Two tiny models with fixed weights (drawn here with NumPy, stored in the
fixture), one forward pass and one SGD step (learning rate 0.5, loss MSE,
the whole batch) each:

  A: ids (3, 5) -> Embedding(7, 3, mask_zero=True) -> LSTM(4, return_sequences=True)
     -> GRU(3) (reset_after) -> Dense(2)
  B: x (3, 4, 2) -> SimpleRNN(3, return_sequences=True, go_backwards=True)
     -> GRU(2, reset_after=False, return_sequences=True) -> LSTM(3) -> Dense(1)

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
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "keras_rnn_reference.json"), "w") as f:
    json.dump(fixture, f)
