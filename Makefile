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
	cd pkg-tests && $(NPM_CI)
	node pkg-tests/demo.mjs

test: test-rust test-wasm test-pkg

test-rust: tools
	cargo test --release

test-wasm: tools
	wasm-pack test --node --release

test-pkg: pkg
	scripts/test-pkg.sh

clean:
	rm -rf pkg target pkg-tests/node_modules

# The edge login gate (worker/): its tests under workerd, and the local demo on 127.0.0.1:8787.
.PHONY: test-worker run-gate
WRANGLER_OFFLINE := CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true WRANGLER_SEND_METRICS=false XDG_CONFIG_HOME=$(CURDIR)/worker/.config

test-worker: pkg
	cd worker && $(NPM_CI)
	cd worker && $(WRANGLER_OFFLINE) node --test --test-timeout=120000 test/

run-gate: pkg
	cd worker && $(NPM_CI)
	$(WRANGLER_OFFLINE) node worker/dev/run-gate.mjs
