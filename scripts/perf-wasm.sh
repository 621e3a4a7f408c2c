#!/usr/bin/env bash
# A quick optimised wasm build for performance work (profile "perf": release without LTO,
# no wasm-opt), bound for Node/the browser like pkg/:  bash scripts/perf-wasm.sh [outdir]
# Then e.g. QUASI_PKG=<outdir> node bench/parse.mjs. Timings from it are a little slower than
# the shipped build's (no LTO, no wasm-opt); `make bench` measures the shipped one.
set -euo pipefail
out=${1:-target/pkg-perf}
# Worktrees may share one CARGO_TARGET_DIR: hold a lock from the build to wasm-bindgen so
# another worktree's build cannot replace quasi.wasm in between.
exec 9>"${TMPDIR:-/tmp}/quasi-perf-wasm.lock"
flock 9
cargo build --lib --target wasm32-unknown-unknown --profile perf
wasm-bindgen --target web --out-name quasi --out-dir "$out" \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/perf/quasi.wasm"
echo "wasm for performance work in $out"
