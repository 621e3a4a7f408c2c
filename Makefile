# Quasi — the two commands users need are `make demo` and `make test`.
# Both install whatever is missing first (scripts/setup.sh is idempotent).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
PORT ?= 8000
WASM_PACK_BUILD := wasm-pack build --target web --release --out-name quasi --no-pack

.PHONY: setup build demo test test-native test-wasm test-e2e test-large bench screenshot clean

setup:
	@bash scripts/setup.sh

# Build the WebAssembly packages, then optimise them with wasm-opt from npm's binaryen
# (scripts/wasm-opt.sh; QUASI_WASM_OPT=off skips it, e.g. for a quicker local build):
#   pkg/       the full engine: the public JS API, every function;
#   pkg/core/  the lean engine the page loads first (--no-default-features: no staggered or
#              spatial estimators, Excel, other encodings or Word/Excel output; the page's
#              worker loads pkg/ for those on first use). Its own target dir keeps both cached.
build: setup
	$(WASM_PACK_BUILD)
	@bash scripts/wasm-opt.sh pkg/quasi_bg.wasm
	CARGO_TARGET_DIR=target/core $(WASM_PACK_BUILD) --out-dir pkg/core -- --no-default-features
	@bash scripts/wasm-opt.sh pkg/core/quasi_bg.wasm

demo: build
	@echo "Quasi: open http://localhost:$(PORT)/?sample=jjj  (Ctrl-C to stop)"
	node scripts/serve.mjs $(PORT)

test: setup
	$(MAKE) --no-print-directory test-native
	$(MAKE) --no-print-directory test-wasm
	$(MAKE) --no-print-directory build
	$(MAKE) --no-print-directory test-e2e

test-native:
	cargo test

# The golden tests (fixtures compiled in with include_str!) run again as wasm in headless Chromium.
# wasm-bindgen-test-runner gives each test binary 20 s by default. The heaviest
# (api_robustness: fuzz rounds through every estimator; data_fuzz) took ~9 s in the
# browser on 2 cores shared with other builds; a busy CI machine can pass 20 s.
# The limit only bounds a hung binary; passing binaries take what they need.
test-wasm: export WASM_BINDGEN_TEST_TIMEOUT ?= 600
test-wasm:
	wasm-pack test --headless --chrome

# File globs, not the directory: Node >= 21 takes `node --test e2e/` as a module path.
test-e2e:
	node --test --test-concurrency=1 e2e/*.test.mjs

# Opt-in: a 1 GB CSV (10M rows × 10 numeric columns) chosen on the page in headless Chromium;
# records the engine's peak memory (e2e/artifacts/gigabyte.json). Not part of `make test`.
test-large: build
	node --test --test-concurrency=1 e2e/opt-in/*.test.mjs

# Size of the shipped .wasm (raw and gzip -9), then speed against named peers on this machine in
# this run (PapaParse; pyfixest; a pyfixest refit loop; R Matching when R is installed; numpy;
# moderndid; spatialreg when R is installed), the worker pool's speed-up in Chromium, and one
# summary table of every workload (bench/out/summary.md; docs/benchmarks.md keeps the latest).
bench: build
	rm -f bench/out/summary-*.json
	node bench/size.mjs
	node bench/parse.mjs
	node bench/feols.mjs
	node bench/placebo.mjs
	node bench/psm.mjs
	node bench/entropy.mjs
	node bench/csdid.mjs
	node bench/spatial.mjs
	node bench/pool.mjs
	node bench/summary.mjs

# Refresh the README's screenshots (docs/screenshot.png; English and Chinese at 1280 and 1024 px)
# from the page tests.
screenshot: build
	UPDATE_SCREENSHOT=1 node --test --test-name-pattern=screenshots e2e/page.test.mjs
	UPDATE_SCREENSHOT=1 node --test --test-name-pattern='screenshots of both' e2e/i18n.test.mjs

clean:
	cargo clean
	rm -rf pkg node_modules
