#!/bin/sh
# Fills fuzz/corpus/<target>/ with seed inputs made from real files: the
# small safetensors files in fuzz/seeds/ (written by tensorlow and keraslike:
# tensors of four dtypes, a checkpoint of the checkpoint_restore target's
# variables, the load_weights target's 4-3-2 model, Keras fixtures saved by
# keraslike, fitted sklearnlike estimators), the CSV files of data/, and the Keras-made fixtures of
# data/keras/ (the archives as they are, each split into the
# `config.json` \0 `model.weights.h5` form the load_keras target packs into an
# archive itself, and their model.weights.h5 for load_keras_weights).
# Needs unzip and gzip. Run from anywhere; existing corpus files are kept.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
data="$fuzz/../data"
corpus="$fuzz/corpus"
for t in load_tensors checkpoint_restore load_model load_weights load_estimator; do  # (fuzz/seeds/README.md)
    mkdir -p "$corpus/$t"
    cp "$fuzz/seeds/$t/"*.safetensors "$corpus/$t/"
done
mkdir -p "$corpus/read_csv" "$corpus/load_keras" "$corpus/load_keras_weights"
cp "$data/iris.csv" "$corpus/read_csv/iris.csv"
head -n 4 "$data/digits.csv" > "$corpus/read_csv/digits_head.csv"
head -n 12 "$data/iris.csv" | gzip -9n > "$corpus/read_csv/iris_head.csv.gz"
gzip -dc "$data/mnist_sample.csv.gz" | head -n 2 | gzip -9n > "$corpus/read_csv/mnist_head.csv.gz"
for k in "$data"/keras/*.keras; do
    n=$(basename "$k" .keras)
    cp "$k" "$corpus/load_keras/$n.keras"
    { unzip -p "$k" config.json; printf '\0'; unzip -p "$k" model.weights.h5; } > "$corpus/load_keras/$n.split"
    unzip -p "$k" model.weights.h5 > "$corpus/load_keras_weights/$n.weights.h5"
done
