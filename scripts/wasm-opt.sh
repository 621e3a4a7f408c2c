#!/usr/bin/env bash
# Optimise the wasm file in place with binaryen's wasm-opt from npm (the `binaryen`
# devDependency pinned in package.json, installed by `npm ci` in scripts/setup.sh).
# It is binaryen's own JS/wasm build, runs under Node and is current enough for
# rustc's output (Debian's binaryen is not). If it is missing or cannot read the
# module, the unoptimised file is kept and the build still succeeds.
#
# Features: wasm-opt reads the module's target_features section (rustc writes it;
# simd128 comes from .cargo/config.toml); the --enable-* list below is what rustc
# emits by default, given explicitly so an input without that section still loads.
#
# Level: -O3, chosen by measurement (docs/benchmarks.md, "wasm build"; 2026-12-01,
# 2-core AMD EPYC, rustc 1.95.0, wasm-bindgen 0.2.130, binaryen 132, Node 20.20.2).
# Time = CPU seconds of the Node process, median over separate processes of the best of 3
# warm runs (CPU time, not wall time: the machine was shared, wall times varied 2x).
# parse = Dataset.fromBytes of bench/out/numeric_1m.csv (106 MB); TWFE = bench/feols.mjs's
# feols on 1M rows; CS = bench/csdid.mjs's csdid with 1,000 bootstrap draws (2 processes).
#
#   simd128  flags  raw bytes  gzip -9    parse s  TWFE s  CS s
#   yes      none   3,643,951  1,446,964  0.833    0.273   0.900
#   yes      -O2    3,238,876  1,357,200  0.734    0.269   -
#   yes      -O3    3,216,392  1,355,874  0.742    0.254   0.900
#   yes      -Os    3,201,471  1,354,297  0.756    0.273   -
#   yes      -Oz    3,190,281  1,354,277  0.750    0.270   0.876
#   no       none   3,631,264  1,435,587  0.896    0.274   -
#   no       -O3    3,192,888  1,346,265  0.799    0.255   1.090
#
# -O3: fastest on TWFE (5-7% ahead of -O2/-Os/-Oz), parse within 1% of -O2, CS within 3%
# of -Oz; the levels' gzip sizes differ by 0.2% at most, so speed decides. Any level
# cuts 12% raw / 6% gzip and 9-12% of parse time. simd128 (.cargo/config.toml) stays:
# parse 7% and CS 17% faster than without it, TWFE the same, 0.7% more gzip bytes.
#
# QUASI_WASM_OPT overrides the level (e.g. QUASI_WASM_OPT=-Oz) or skips the step
# (QUASI_WASM_OPT=off: quicker local builds; the npm wasm-opt takes 1-2 minutes of CPU).
set -u
f="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
opt="$root/node_modules/binaryen/bin/wasm-opt"
OPT_LEVEL="${QUASI_WASM_OPT:--O3}"
if [ "$OPT_LEVEL" = "off" ]; then echo "[wasm-opt] QUASI_WASM_OPT=off; keeping the unoptimised build"; exit 0; fi
if [ ! -f "$opt" ] || ! command -v node >/dev/null 2>&1; then
  echo "[wasm-opt] skipped: $opt not found (run npm ci, or make setup); the unoptimised build is used"
  exit 0
fi
tmp="$f.opt"
err="$(mktemp)"
before=$(stat -c %s "$f")
if node "$opt" "$OPT_LEVEL" \
     --enable-bulk-memory --enable-bulk-memory-opt --enable-call-indirect-overlong \
     --enable-multivalue --enable-mutable-globals --enable-nontrapping-float-to-int \
     --enable-reference-types --enable-sign-ext \
     "$f" -o "$tmp" 2>"$err" && [ -s "$tmp" ]; then
  mv "$tmp" "$f"
  echo "[wasm-opt] binaryen $(node "$opt" --version | grep -o '[0-9]\+' | head -1) $OPT_LEVEL: $before -> $(stat -c %s "$f") bytes"
else
  rm -f "$tmp"
  echo "[wasm-opt] skipped (wasm-opt failed on the module: $(tr '\n' ' ' < "$err" | head -c 200)); the unoptimised build is used"
fi
rm -f "$err"
exit 0
