# jwksgate: `make run` builds and starts the demo; `make test` runs every test.
# Both install what is missing first (scripts/tools.sh, npm ci from committed lock files).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CARGO_TERM_COLOR := never
export WASM_PACK_CACHE := $(CURDIR)/target/wasm-pack-cache
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

.PHONY: run test pkg tools test-rust test-wasm test-pkg clean

tools:
	@scripts/tools.sh

pkg: tools
	wasm-pack build --release --target web --out-dir pkg --out-name jwksgate
	wasm-pack build --release --no-pack --target nodejs --out-dir pkg/node --out-name jwksgate
	node scripts/assemble-pkg.mjs

run: pkg
	node scripts/demo.mjs

test: test-rust test-wasm test-pkg

test-rust: tools
	cargo test --release

test-wasm: tools
	wasm-pack test --node --release

test-pkg: pkg
	scripts/test-pkg.sh

clean:
	rm -rf pkg target pkg-tests/node_modules

# Adversarial input (fuzz/README.md): each cargo-fuzz target for FUZZ_SECONDS (default 60),
# printing executions per target. Needs the nightly toolchain; installs cargo-fuzz if missing.
.PHONY: fuzz
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} fuzz/run.sh
