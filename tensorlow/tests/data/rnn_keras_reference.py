"""Reference values of tensorlow/tests/rnn.rs (`keras_reference_values`).

Keras 3.15.1, JAX 0.10.2 backend (CPU, x64 enabled), float64:
    KERAS_BACKEND=jax /work/venv/bin/python tensorlow/tests/data/rnn_keras_reference.py

Keras 3.15.1 evaluates `ops.tanh` of a float64 tensor in float32
(`dtypes.result_type("float64", float)` is float32; `ops.sigmoid` stays
float64), so these values carry float32 rounding (~1e-8 here) and the test
compares them at 1e-7. Its float64 LSTM written in NumPy agrees with
tensorlow to the last bit.

Weights and inputs come from a formula both sides evaluate (`val`), so no
array is copied by hand. Prints one Rust array per case.
"""
import math

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import keras  # noqa: E402

keras.config.set_floatx("float64")


def val(shape, seed):
    n = int(np.prod(shape))
    v = [0.6 * math.sin(0.37 * i + seed) + 0.1 * math.cos(1.3 * i * seed) for i in range(n)]
    return np.array(v, dtype="float64").reshape(shape)


B, T, F, U = 2, 3, 2, 3
x = val((B, T, F), 1.0)
mask = np.array([[True, False, True], [True, True, False]])


def case(name, layer, gates, bias_shape, call_mask=None, states=1):
    layer.build((B, T, F))
    dt = keras.config.floatx()
    layer.set_weights([val((F, gates * U), 2.0).astype(dt), val((U, gates * U), 3.0).astype(dt), val(bias_shape, 4.0).astype(dt)])
    xs = x.astype(dt)
    out = layer(xs, mask=call_mask) if call_mask is not None else layer(xs)
    flat = np.concatenate([np.asarray(o).ravel() for o in out])
    print(f"// {name}: output then final states")
    print(f"const {name}: [f64; {flat.size}] = [")
    print("    " + ", ".join(repr(float(v)) for v in flat) + ",")
    print("];")


L = keras.layers
case("LSTM_SEQ", L.LSTM(U, return_sequences=True, return_state=True), 4, (4 * U,), states=2)
case(
    "LSTM_MASKED_BACKWARDS",
    L.LSTM(U, return_sequences=True, return_state=True, go_backwards=True),
    4,
    (4 * U,),
    call_mask=mask,
    states=2,
)
case("GRU_RESET_AFTER", L.GRU(U, return_sequences=True, return_state=True), 3, (2, 3 * U))
case(
    "GRU_RESET_BEFORE",
    L.GRU(U, return_sequences=True, return_state=True, reset_after=False),
    3,
    (3 * U,),
)
case(
    "SIMPLE_RNN_MASKED",
    L.SimpleRNN(U, return_sequences=True, return_state=True),
    1,
    (U,),
    call_mask=mask,
)
