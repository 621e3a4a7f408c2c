#!/usr/bin/env bash
# Optimise the wasm file in place with Debian's wasm-opt when it is installed and
# understands the features rustc emits; otherwise keep the unoptimised file.
set -u
f="$1"
command -v wasm-opt >/dev/null 2>&1 || { echo "[wasm-opt] not installed; skipping"; exit 0; }
tmp="$f.opt"
if wasm-opt -O3 --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
     --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types \
     "$f" -o "$tmp" 2>/tmp/wasm-opt.err; then
  mv "$tmp" "$f"; echo "[wasm-opt] optimised $(stat -c %s "$f") bytes"
else
  rm -f "$tmp"; echo "[wasm-opt] skipped (this binaryen cannot read the module: $(tr "\n" " " < /tmp/wasm-opt.err | head -c 120)); the unoptimised build is used"
fi
exit 0
