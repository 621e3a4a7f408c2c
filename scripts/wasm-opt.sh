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
# QUASI_WASM_OPT overrides the level (e.g. QUASI_WASM_OPT=-Oz) or skips the step
# (QUASI_WASM_OPT=off: quicker local builds; the npm wasm-opt takes about a minute).
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
