#!/usr/bin/env bash
# Type-checks the whole workspace with `--features cuda` on a machine with no
# GPU and no CUDA toolkit. candle's build scripts (cudarc, candle-kernels)
# run nvcc even for `cargo check`; the project's fake nvcc (.ci/fake-nvcc)
# answers `--version` and writes empty PTX/objects so they finish. Nothing
# built this way can link or run: real GPU runs use scripts/gpu-check.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.ci/fake-nvcc:$PATH"
export CUDA_COMPUTE_CAP="${CUDA_COMPUTE_CAP:-90}"
# A separate target dir: the fake kernels must never mix with real builds.
export CARGO_TARGET_DIR="${CUDA_CHECK_TARGET_DIR:-$PWD/target/cuda-check}"
echo "== cargo check --features cuda"
cargo check --workspace --all-targets --features cuda
echo "== cargo clippy --features cuda"
cargo clippy --workspace --all-targets --features cuda -- -D warnings
