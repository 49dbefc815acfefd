#!/usr/bin/env bash
# Runs scripts/check_tensorboard.py (TensorBoard's own reader on the event
# files of examples/tensorboard_logs.rs) with the first Python that has
# tensorboard and numpy: $PYTHON, target/tensorboard-venv, python3. Without
# one it skips, saying so. To make the small virtual environment (PyPI
# needed; .ci/run does this):
#
#   bash scripts/check_tensorboard.sh --setup
#
# (tensorboard 2.21.0 without its server dependencies, plus numpy, protobuf
# and absl-py, in target/tensorboard-venv.) With --setup, a failed install
# is reported and the check is skipped, not failed: CI may have no PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/tensorboard-venv
if [ "${1:-}" = "--setup" ] && ! [ -x "$venv/bin/python" ]; then
  if ! { python3 -m venv "$venv" \
    && timeout 600 "$venv/bin/pip" install -q --disable-pip-version-check --no-deps "tensorboard==2.21.0" \
    && timeout 600 "$venv/bin/pip" install -q --disable-pip-version-check numpy protobuf absl-py; }; then
    echo "check_tensorboard: could not make $venv (no python3 venv or no PyPI); skipping" >&2
    rm -rf "$venv"
  fi
fi

py=""
for candidate in "${PYTHON:-}" "$venv/bin/python" python3; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c "import tensorboard, numpy" >/dev/null 2>&1; then
    py="$candidate"
    break
  fi
done
if [ -z "$py" ]; then
  echo "SKIPPED check_tensorboard: no Python with tensorboard and numpy (\$PYTHON, $venv, python3);" \
    "'bash scripts/check_tensorboard.sh --setup' makes one"
  exit 0
fi
exec "$py" scripts/check_tensorboard.py --run
