#!/usr/bin/env bash
# Builds the CUDA test binaries and examples HERE (no GPU needed) for
# scripts/gpu-check.sh to run on a GPU machine, following
# scripts/CUDA_BUILD.md routes B and C: nvcc from PyPI wheels matching the
# device driver's CUDA 13.0, CUDA_COMPUTE_CAP=90 (H100/H200), and link stubs
# for the driver libraries (the real ones come with the GPU machine's driver).
# Output: gpu-bundle/bundle.tar.xz, small enough to carry (64 MiB):
#   run(command="bash scripts/gpu-check.sh", carry=["gpu-bundle"])
set -euo pipefail
cd "$(dirname "$0")/.."
V=${CUDA_WHEEL_VERSION:-13.0.88}
VENV=${CUDA_VENV:-$PWD/target/cuda-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "nvidia-cuda-nvcc==$V" "nvidia-nvvm==$V" "nvidia-cuda-crt==$V" \
    "nvidia-cuda-runtime==$V" nvidia-cuda-cccl
fi
C=$(ls -d "$VENV"/lib/python3*/site-packages/nvidia/cu13)
S=$PWD/.ci/link-stubs
ln -sf libcudart.so.13 "$C/lib/libcudart.so"
gcc -shared -fPIC -Wl,-soname,libcuda.so.1 -o "$C/lib/libcuda.so" "$S/stub_cuda.c"
gcc -shared -fPIC -Wl,-soname,libcublas.so.13 -o "$C/lib/libcublas.so" "$S/stub_cublas.c"
gcc -shared -fPIC -Wl,-soname,libcurand.so.10 -o "$C/lib/libcurand.so" "$S/stub_curand.c"
gcc -shared -fPIC -Wl,-soname,libnvrtc.so.13 -o "$C/lib/libnvrtc.so" "$S/empty.c"
gcc -shared -fPIC -Wl,-soname,libcublasLt.so.13 -o "$C/lib/libcublasLt.so" "$S/empty.c"
export PATH=$C/bin:$PATH CUDA_HOME=$C CUDA_ROOT=$C CUDA_COMPUTE_CAP=90 CUDAFORGE_THREADS=2
export CARGO_TARGET_DIR=$PWD/target/cuda-real
# Stubs cover what a small binary needs; when a link fails, regenerate them
# from the linker's list of missing symbols (see scripts/CUDA_BUILD.md).
cargo test --release --features cuda -p tensorlow --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("executable") and m["profile"]["test"]: print(m["executable"])' > target/cuda-tests.txt
cargo build --release --features cuda --example keras_mnist --example bench_workloads
# Every binary embeds candle's PTX (~50 MB each, 633 MB in all): the carried
# folder holds one xz archive instead (~10 MB; the large dictionary lets xz
# share the PTX across binaries; ~6 minutes on 2 cores). scripts/gpu-check.sh
# unpacks it on the GPU machine (xz, or Python's lzma when xz is missing).
RAW=target/gpu-bundle-raw
rm -rf "$RAW" && mkdir -p "$RAW/tests"
while read -r t; do cp "$t" "$RAW/tests/"; done < target/cuda-tests.txt
cp "$CARGO_TARGET_DIR/release/examples/keras_mnist" "$CARGO_TARGET_DIR/release/examples/bench_workloads" "$RAW/"
strip "$RAW"/* "$RAW"/tests/* 2>/dev/null || true
du -sh "$RAW"
rm -rf gpu-bundle && mkdir -p gpu-bundle
tar -C target -cf - gpu-bundle-raw | xz -T1 --lzma2=preset=6,dict=768MiB > gpu-bundle/bundle.tar.xz
du -sh gpu-bundle
