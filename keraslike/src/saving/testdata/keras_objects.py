# Writes keras_objects.jsonl: Keras 3's serialized form of optimizers,
# schedules, losses, metrics, initializers and regularizers with
# non-default options, one per line.
# Keras 3.15.1, jax 0.x backend, Python 3.11:
#   KERAS_BACKEND=jax python keras_objects.py > keras_objects.jsonl
import json

import keras

s = keras.saving.serialize_keras_object
O = keras.optimizers
S = O.schedules
L = keras.losses
M = keras.metrics
I = keras.initializers
R = keras.regularizers
objs = [
    O.Adam(learning_rate=0.01, beta_1=0.8, clipnorm=1.0),
    O.SGD(momentum=0.9, nesterov=True),
    O.RMSprop(momentum=0.5, centered=True),
    O.AdamW(weight_decay=0.01),
    O.Adagrad(),
    O.Adamax(),
    O.Nadam(global_clipnorm=2.0),
    O.SGD(learning_rate=S.ExponentialDecay(0.1, 10, 0.5, staircase=True)),
    O.Adam(learning_rate=S.CosineDecay(0.0, 100, warmup_target=1.0, warmup_steps=10)),
    O.SGD(learning_rate=S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])),
    O.SGD(learning_rate=S.InverseTimeDecay(0.1, 1, 0.5)),
    L.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
    L.SparseCategoricalCrossentropy(from_logits=True),
    L.BinaryCrossentropy(label_smoothing=0.2),
    L.MeanSquaredError(),
    L.MeanAbsoluteError(),
    L.MeanAbsolutePercentageError(),
    L.Huber(),
    L.KLDivergence(),
    L.Hinge(),
    M.CategoricalAccuracy(),
    M.SparseCategoricalAccuracy(),
    M.BinaryAccuracy(threshold=0.7),
    M.TopKCategoricalAccuracy(k=3),
    M.SparseTopKCategoricalAccuracy(),
    M.MeanSquaredError(),
    M.MeanAbsoluteError(),
    M.Precision(thresholds=0.6),
    M.Recall(),
    M.AUC(num_thresholds=50),
    I.Zeros(),
    I.Ones(),
    I.Constant(0.5),
    I.RandomUniform(-0.1, 0.2, seed=3),
    I.RandomNormal(0.1, 0.2),
    I.TruncatedNormal(stddev=0.3, seed=1),
    I.VarianceScaling(2.0, "fan_out", "uniform"),
    I.GlorotUniform(seed=5),
    I.GlorotNormal(),
    I.HeUniform(),
    I.HeNormal(),
    I.LecunUniform(),
    I.LecunNormal(),
    I.Orthogonal(gain=2.0),
    R.L1(0.1),
    R.L2(),
    R.L1L2(l1=0.1, l2=0.2),
]
for o in objs:
    print(json.dumps(s(o)))
