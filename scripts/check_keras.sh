#!/usr/bin/env bash
# Keras 3 loads the .keras and .weights.h5 files keraslike writes and predicts
# what keraslike predicted: runs keraslike's test `keras_loads_what_keraslike_saves`
# (data/keras/check_keras_loads.py) with the first Python that has keras, h5py
# and jax: $KERAS_PYTHON, target/keras-venv, python3. Without one it skips,
# saying so. To make the virtual environment once (PyPI needed; ~700 MB, under
# a minute on a fast link):
#
#   bash scripts/check_keras.sh --setup
#
# (keras 3.15.1, h5py and jax in target/keras-venv; the test runs Keras on
# its numpy backend, which still imports jax.) With --setup, a failed install
# is reported and the check is skipped, not failed: CI may have no PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND=numpy

venv=target/keras-venv
if [ "${1:-}" = "--setup" ] && ! [ -x "$venv/bin/python" ]; then
  if ! { python3 -m venv "$venv" \
    && timeout 600 "$venv/bin/pip" install -q --disable-pip-version-check "keras==3.15.1" h5py jax; }; then
    echo "check_keras: could not make $venv (no python3 venv or no PyPI); skipping" >&2
    rm -rf "$venv"
  fi
fi

py=""
for candidate in "${KERAS_PYTHON:-}" "$venv/bin/python" python3; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c "import keras, h5py, jax" >/dev/null 2>&1; then
    py="$candidate"
    break
  fi
done
if [ -z "$py" ]; then
  echo "SKIPPED check_keras: no Python with keras, h5py and jax (\$KERAS_PYTHON, $venv, python3);" \
    "'bash scripts/check_keras.sh --setup' makes one"
  exit 0
fi
case "$py" in /*) ;; */*) py="$PWD/$py" ;; esac
echo "check_keras: $("$py" -c 'import keras; print("keras", keras.__version__)')"
# --workspace (not -p keraslike): the same features as `cargo test --workspace`, so nothing is
# rebuilt after the test suite.
KERAS_PYTHON="$py" cargo test --workspace --test keras_files keras_loads_what_keraslike_saves -- --nocapture
