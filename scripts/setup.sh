#!/usr/bin/env bash
# Installs whatever Quasi's build and tests need and is missing. Idempotent:
# a second run only checks and returns in seconds.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
WASM_PACK_VERSION=0.15.1

export PATH="$HOME/.cargo/bin:$PATH"
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

# 1. Rust target for the browser build.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. wasm-bindgen-cli, pinned to the crate version (wasm-pack uses it from PATH).
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# 3. wasm-pack, pinned.
if ! wasm-pack --version 2>/dev/null | grep -q " $WASM_PACK_VERSION\$"; then
  say "installing wasm-pack $WASM_PACK_VERSION"
  cargo install --force wasm-pack --version "$WASM_PACK_VERSION"
fi

# 4. Debian packages: headless browser + driver for wasm tests and end-to-end tests, wasm-opt.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v wasm-opt >/dev/null 2>&1 || need_apt+=(binaryen)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" fonts-noto-cjk >/dev/null
fi

# 5. npm dev dependencies (playwright-core drives Debian's chromium; no browser download).
if [ ! -d node_modules/playwright-core ] || [ package.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
fi
say "tools ready"
