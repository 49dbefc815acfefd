#!/usr/bin/env bash
# Lists the packages of the dependency tree with the highest `rust-version`
# (what each crate declares in its Cargo.toml, read through `cargo metadata`).
# The highest one is the oldest Rust that can build this workspace with
# Cargo.lock as it is: it is the `rust-version` the manifests declare.
#   scripts/msrv.sh [--features cuda]
# Only one toolchain is installed here, so this reading (plus clippy's
# `incompatible_msrv` lint on our own code) is how the MSRV is established,
# not a build with the old compiler.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --locked "$@" | python3 -c '
import json, subprocess, sys
m = json.load(sys.stdin)
used = set()
tree = subprocess.run(["cargo", "tree", "--workspace", "--locked", "--prefix", "none", "-e", "normal,build,dev",
                       "--target", "x86_64-unknown-linux-gnu"] + sys.argv[1:],
                      capture_output=True, text=True, check=True).stdout
for line in tree.splitlines():
    parts = line.split()
    if len(parts) >= 2:
        used.add((parts[0], parts[1].lstrip("v")))
key = lambda v: tuple(int(x) for x in v.split("."))
rows = sorted(((p["rust_version"], p["name"], p["version"]) for p in m["packages"]
               if p.get("rust_version") and p.get("source") and (p["name"], p["version"]) in used), key=lambda r: key(r[0]), reverse=True)
print(f"{len(used)} packages in the tree; dependencies with the highest rust-version:")
for rv, name, version in rows[:8]:
    print(f"  {rv:8} {name} {version}")
' "$@"
