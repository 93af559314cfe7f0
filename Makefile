# jwksgate: `make run` builds and starts the demo; `make test` runs every test.
# Both install what is missing first (scripts/tools.sh, npm ci from committed lock files).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
export CARGO_TERM_COLOR := never
export WASM_PACK_CACHE := $(CURDIR)/target/wasm-pack-cache
NPM_CI := npm ci --no-audit --no-fund --loglevel=error

.PHONY: run test pkg tools test-rust test-wasm test-pkg clean cli

tools:
	@scripts/tools.sh

# The wasm is built with SIMD128 (src/jwa/modexp.rs multiplies two limbs an instruction), which
# every current browser, Node >= 16.4 and workerd run; the package also carries a scalar build,
# jwksgate_scalar_bg.wasm, that the web glue loads where WebAssembly.validate refuses SIMD. The
# scalar build has its own target dir: other rustflags would rebuild everything each time.
SIMD := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=+simd128"
# The scalar build takes sha2's compact software rounds (the SIMD build has sha2's SIMD128
# rounds): 4.9 KB less gzipped, which keeps it within the 150 KB budget; hashing a token is a
# few microseconds of a verify either way.
SCALAR := CARGO_TARGET_DIR=$(CURDIR)/target/scalar CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg sha2_backend_soft="compact"'
# and sha2 at "s" there, where Cargo.toml's profile has it at 3 for speed: the compact rounds
# unrolled at 3 cost the scalar build 0.45 KB gzipped.
SCALAR_CONFIG := --config 'profile.release.package.sha2.opt-level="s"'
# The gate's wasm all at 3, where the package's is at "s" but for its arithmetic (Cargo.toml): its
# login (JSON, claims, roles, the session's MAC) measured 5 to 10% more workerd CPU at "s" for
# EdDSA and PS256 (`WORKERD_BASE=<tree> node bench/workerd.mjs`, bench/RESULTS.md), and its size
# is a budget of its own (worker/test/size.test.mjs), not the package's.
GATE_CONFIG := --config 'profile.release.opt-level=3'

# What the wasm builds are made from: `make pkg` and `make gate-pkg` (so `make run`) rebuild only
# when one of these is newer than the build's stamp (pkg/.built, worker/pkg/.built; npm pack
# leaves the stamp out: package.json lists the files).
WASM_SOURCES := Cargo.toml Cargo.lock $(shell find src arith -type f)
PKG_SOURCES := $(WASM_SOURCES) $(wildcard js/*) scripts/assemble-pkg.mjs scripts/esbuild/package-lock.json

# wasm-pack runs the first wasm-opt on PATH: the pinned npm one (scripts/tools.sh installs it).
pkg: pkg/.built
pkg/.built: export PATH := $(CURDIR)/scripts/binaryen/node_modules/.bin:$(PATH)
pkg/.built: $(PKG_SOURCES) | tools
	rm -f $@
	$(SIMD) wasm-pack build --release --target web --out-dir pkg --out-name jwksgate
	$(SCALAR) wasm-pack build --release --no-pack --target web --out-dir target/scalar/pkg --out-name jwksgate -- $(SCALAR_CONFIG)
	node scripts/assemble-pkg.mjs
	touch $@

run: www
	scripts/run.sh

test: test-rust test-wasm test-pkg test-apps test-www test-worker

# clippy first: src/lib.rs (and arith/lib.rs, the arithmetic's crate) denies unwrap, expect, panic! and indexing outside modexp's kernels;
# the wasm runs see the wasm-only code as each build has it: SIMD with the gate (the worker's),
# scalar without (the package's fallback; the package's SIMD build differs from it only in kernels);
# and the crate without its curve families (cargo features es256, es384, es512, eddsa).
test-rust: tools
	cargo clippy --release --lib --bins --features gate -- -D warnings
	$(SIMD) cargo clippy --release --lib --features gate --target wasm32-unknown-unknown -- -D warnings
	$(SCALAR) cargo clippy --release --lib --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --release --lib --no-default-features -- -D warnings
	cargo clippy --release -p jwksgate-arith --lib -- -D warnings
	$(SIMD) cargo clippy --release -p jwksgate-arith --lib --target wasm32-unknown-unknown -- -D warnings
	cargo test --release --features gate
	cargo test --release -p jwksgate-arith

# The `jwksgate` command (src/cli/, native only): target/release/jwksgate. `cargo install --path .`
# installs the same binary (the `cli` feature is on by default and never reaches a wasm build).
cli:
	cargo build --release --bin jwksgate
	@echo "built target/release/jwksgate ($$(target/release/jwksgate --version))"

# The Rust tests again in wasm under Node, the SIMD build's kernels among them (modexp_diff).
test-wasm: tools
	$(SIMD) wasm-pack test --node --release

test-pkg: pkg
	scripts/chromium.sh
	scripts/test-pkg.sh

# Apps that use the packed package as each framework's users do (pkg-tests/apps/, issue 28):
# Next.js, Jest, SvelteKit, Nitro, esbuild, vitest-pool-workers. Minutes: Next.js builds twice.
.PHONY: test-apps
test-apps: pkg
	scripts/test-apps.sh

clean:
	rm -rf pkg worker/pkg target pkg-tests/node_modules www/test/node_modules bench/node_modules scripts/binaryen/node_modules scripts/esbuild/node_modules pkg-tests/apps/*/node_modules

# The token inspector (www/): `make www` assembles a servable folder in target/www (the page plus
# the package's web build), `make serve-www` serves it on 127.0.0.1:8080, `make test-www` drives
# it in Debian's Chromium.
WWW_OUT := target/www
WWW_FILES := index.html style.css app.js example.js lib

.PHONY: www serve-www test-www
# gate/ holds the login gate's wasm (make gate-pkg) for the "Vault role" panel, which loads it
# only when opened: the page's first load is the package's wasm alone.
www: pkg gate-pkg
	rm -rf $(WWW_OUT) && mkdir -p $(WWW_OUT)/pkg $(WWW_OUT)/gate
	cd www && cp -R $(WWW_FILES) $(CURDIR)/$(WWW_OUT)/
	cp pkg/jwksgate.js pkg/errors.mjs pkg/jose.mjs pkg/remote.mjs pkg/jwksgate_bg.wasm pkg/jwksgate_scalar_bg.wasm $(WWW_OUT)/pkg/
	if [ -d pkg/snippets ]; then cp -R pkg/snippets $(WWW_OUT)/pkg/; fi
	cp worker/pkg/jwksgate.js worker/pkg/errors.mjs worker/pkg/jwksgate_bg.wasm $(WWW_OUT)/gate/
	if [ -d worker/pkg/snippets ]; then cp -R worker/pkg/snippets $(WWW_OUT)/gate/; fi
	node www/tools/make-example.mjs --check

serve-www: www
	node www/server.mjs $(WWW_OUT) 8080

test-www: www
	scripts/chromium.sh
	cd www/test && $(NPM_CI)
	cd www/test && WWW_DIR=$(CURDIR)/$(WWW_OUT) node --test --test-concurrency=1 *.test.mjs

# Side-by-side benchmarks in the three hosts, printing the tables recorded in bench/RESULTS.md:
# Node (jwksgate, jose, fast-jwt, node:crypto; remote key sets against a loopback issuer: RS256,
# then ES256/384/512 and EdDSA), Debian's Chromium (jwksgate's web build, jose's browser build,
# crypto.subtle) and workerd (the gate's login against a jose-based worker; its throughput
# under `wrangler dev`, 16 connections, logins and proxied requests; its cold start). Not part of
# `make test`: timings are never asserted.
.PHONY: bench
bench: pkg gate-pkg worker/node_modules/.package-lock.json
	scripts/chromium.sh
	cd bench && $(NPM_CI)
	node bench/bench.mjs
	node bench/curves.mjs
	node bench/browser.mjs
	node bench/workerd.mjs
	node bench/throughput.mjs
	node bench/workerd/cold-start.mjs

# Adversarial input (fuzz/README.md): each cargo-fuzz target for FUZZ_SECONDS (default 60),
# printing executions per target. Needs the nightly toolchain; installs cargo-fuzz if missing.
.PHONY: fuzz
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} fuzz/run.sh

# The edge login gate (worker/): its tests under workerd, and the local demo on 127.0.0.1:8787.
.PHONY: test-worker run-gate

# The gate's own wasm: the core plus the `gate` feature (roles, sessions, Vault shapes), into
# worker/pkg/ (not committed), so the npm package does not carry the gate.
.PHONY: gate-pkg
gate-pkg: worker/pkg/.built
worker/pkg/.built: export PATH := $(CURDIR)/scripts/binaryen/node_modules/.bin:$(PATH)
worker/pkg/.built: $(PKG_SOURCES) | tools
	rm -f $@
	$(SIMD) wasm-pack build --release --no-pack --target web --out-dir worker/pkg --out-name jwksgate -- --features gate $(GATE_CONFIG)
	node scripts/assemble-pkg.mjs --glue worker/pkg
	touch $@

# Real Vault clients for the worker's tests: hvac (PyPI) in a venv under target/, installed with
# pinned hashes; node-vault (npm) is pinned in worker/package.json and its lock.
VAULT_CLIENTS := target/vault-clients
.PHONY: vault-clients
vault-clients: $(VAULT_CLIENTS)/.installed
$(VAULT_CLIENTS)/.installed: worker/test/vault-clients/requirements.txt
	python3 -m venv $(VAULT_CLIENTS)
	$(VAULT_CLIENTS)/bin/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r worker/test/vault-clients/requirements.txt
	touch $@

# npm ci again only when the lock changed since the last one (npm writes node_modules/.package-lock.json).
worker/node_modules/.package-lock.json: worker/package-lock.json
	cd worker && $(NPM_CI)
	touch $@

# worker/test/size.test.mjs holds the gate's wasm to its size budget (worker/README.md).
# pkg and cli: worker/test/assertion.test.mjs verifies the gate's assertion with the package
# (pkg/bundled.mjs) and checks the gate's discovery with `jwksgate discover`; publish.test.mjs
# runs the real `jwksgate publish` (target/release/jwksgate).
test-worker: gate-pkg pkg cli vault-clients worker/node_modules/.package-lock.json
	cd worker && HVAC_PYTHON=$(CURDIR)/$(VAULT_CLIENTS)/bin/python node --test --test-timeout=120000 test/

run-gate: gate-pkg worker/node_modules/.package-lock.json
	node worker/dev/run-gate.mjs
