#!/usr/bin/env bash
# Installs whatever Quasi's build and tests need and is missing. Idempotent:
# a second run only checks and returns in seconds.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
WASM_PACK_VERSION=0.15.1

export PATH="$HOME/.cargo/bin:$PATH"
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] error: %s\n' "$*" >&2; exit 1; }

# 0. What this script cannot install itself: Rust via rustup, Node.js >= 20 with npm.
command -v rustup >/dev/null 2>&1 ||
  die "rustup not found: install Rust with rustup (https://rustup.rs: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh)"
command -v node >/dev/null 2>&1 ||
  die "node not found: install Node.js >= 20 (https://nodejs.org/en/download, or Debian: https://github.com/nodesource/distributions)"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] 2>/dev/null ||
  die "Node.js >= 20 needed, found $(node --version 2>/dev/null || echo '?'): install a newer one (https://nodejs.org/en/download)"
command -v npm >/dev/null 2>&1 ||
  die "npm not found: install npm with Node.js >= 20 (https://nodejs.org/en/download; on Debian: apt-get install npm)"

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

# 4. Debian packages: headless browser + driver for wasm tests and end-to-end tests,
# and CJK fonts (the page and its screenshots show Chinese column names). wasm-opt
# comes from npm (step 5): Debian's binaryen is too old for rustc's output.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }
installed fonts-noto-cjk || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install ${need_apt[*]} with apt-get as root, then run again"
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# 5. npm dev dependencies, exactly as locked (playwright-core drives Debian's chromium;
# no browser download; binaryen provides wasm-opt for make build). npm ci writes
# node_modules/.package-lock.json last, so a lockfile newer than that means the
# installed tree is stale.
if [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/binaryen/bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dev dependencies (npm ci)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
say "tools ready"
