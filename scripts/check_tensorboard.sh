#!/usr/bin/env bash
# Runs scripts/check_tensorboard.py (TensorBoard's own reader on the event
# files of examples/tensorboard_logs.rs) in a small virtual environment:
# tensorboard 2.21.0 without its server dependencies, plus numpy, protobuf and
# absl-py, in target/tensorboard-venv. Skips, saying why, when python3 or the
# packages cannot be had. $PYTHON, when set, is used as is.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/tensorboard-venv
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if ! "$venv/bin/python" -c "import tensorboard, numpy" >/dev/null 2>&1; then
    if ! command -v python3 >/dev/null 2>&1; then
      echo "SKIPPED check_tensorboard: python3 is not installed"
      exit 0
    fi
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1 \
      || ! "$venv/bin/pip" install -q --disable-pip-version-check --no-deps "tensorboard==2.21.0" >/dev/null 2>&1 \
      || ! "$venv/bin/pip" install -q --disable-pip-version-check numpy protobuf absl-py >/dev/null 2>&1; then
      echo "SKIPPED check_tensorboard: could not build the virtual environment $venv (python3 -m venv, or pip without network)"
      exit 0
    fi
  fi
  py="$venv/bin/python"
fi
exec "$py" scripts/check_tensorboard.py --run
