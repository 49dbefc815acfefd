#!/usr/bin/env bash
# Runs on the GPU machine, from the repository root, with gpu-bundle/ built
# by scripts/build-cuda.sh and carried along: the tensorlow op and tape tests on CUDA,
# keras_mnist on CUDA, and W3 (keras tier) at batch 128 and 1024 beside
# PyTorch on the same GPU, printing a table.
set -uo pipefail
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
LIBS=$(python3 - <<'PY'
import glob, os, site
dirs = set()
for sp in site.getsitepackages():
    for pat in ("nvidia/*/lib", "nvidia/cu13/lib"):
        for d in glob.glob(os.path.join(sp, pat)):
            dirs.add(d)
print(":".join(sorted(dirs)))
PY
)
export LD_LIBRARY_PATH="$LIBS:${LD_LIBRARY_PATH:-}"
export TENSORLOW_TEST_DEVICE=cuda
# Unpack the binaries built by scripts/build-cuda.sh.
B=target/gpu-bundle-raw
if [ ! -d "$B" ]; then
  mkdir -p target
  if command -v xz >/dev/null; then
    xz -dc gpu-bundle/bundle.tar.xz | tar -C target -xf -
  else
    python3 -c 'import lzma, sys, tarfile; tarfile.open(fileobj=lzma.open(sys.argv[1])).extractall(sys.argv[2])' \
      gpu-bundle/bundle.tar.xz target
  fi
fi
fail=0
for t in "$B"/tests/*; do
  echo "== $(basename "$t")"
  "$t" --test-threads 1 2>&1 | tail -3 || fail=1
done
echo "== keras_mnist on cuda"
"$B"/keras_mnist --device cuda --epochs 2 | tail -3 || fail=1
echo "== W3 keras tier on the GPU vs PyTorch"
for bs in 128 1024; do
  "$B"/bench_workloads --workload w3 --api keras --device cuda --batch "$bs" || fail=1
  python3 benches/peers/bench_one.py --framework torch --workload w3 --device cuda --batch "$bs" --data-dir data || fail=1
done
exit $fail
