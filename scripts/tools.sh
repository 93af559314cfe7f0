#!/usr/bin/env bash
# Installs what the build needs and is missing, from the registries only (no prebuilt
# downloads): the wasm32 target, wasm-pack, and wasm-bindgen-cli at the exact version of the
# wasm-bindgen crate in Cargo.lock. See ../shared/TOOLCHAIN.md for why the CLI is installed
# without --locked (its lock file pins a crate the registry mirror lacks).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if ! command -v wasm-pack >/dev/null; then
  cargo install --locked wasm-pack
fi
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  cargo install wasm-bindgen-cli --version "=$want" --force
fi
# wasm-opt for the release build: binaryen from npm at the version pinned in scripts/binaryen
# (Debian's binaryen is too old, its output fails to load; see ../shared/TOOLCHAIN.md).
if [ ! -x scripts/binaryen/node_modules/.bin/wasm-opt ]; then
  (cd scripts/binaryen && npm ci --no-audit --no-fund --loglevel=error)
fi
# esbuild, pinned in scripts/esbuild: scripts/assemble-pkg.mjs bundles the package's CommonJS entry with it.
if [ ! -x scripts/esbuild/node_modules/.bin/esbuild ]; then
  (cd scripts/esbuild && npm ci --no-audit --no-fund --loglevel=error)
fi
# ring (rustls's crypto provider, in the gate's wasm: src/net/) compiles C for wasm32, which
# needs a clang with the WebAssembly backend and llvm-ar. Debian's clang (14 in bookworm) has it;
# Apple's clang does not (use Homebrew's LLVM, with CC_wasm32_unknown_unknown and
# AR_wasm32_unknown_unknown pointing at it).
if ! command -v clang >/dev/null || ! command -v llvm-ar >/dev/null; then
  if command -v apt-get >/dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y clang llvm
  else
    echo "scripts/tools.sh: install clang (with the WebAssembly backend) and llvm-ar to build the gate's wasm" >&2
    exit 1
  fi
fi
